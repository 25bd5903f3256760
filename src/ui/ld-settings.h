/* ld-settings.h: the app's GSettings as one object whose properties are
 * bound to the keys, so widgets bind to properties instead of key names.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LD_SETTINGS_SCHEMA_ID "io.github.livedesk.Livedesk"

#define LD_TYPE_SETTINGS (ld_settings_get_type ())

G_DECLARE_FINAL_TYPE (LdSettings, ld_settings, LD, SETTINGS, GObject)

/* Properties, one per key: server-url, api-url, last-user, last-room,
 * history-size, reconnect-attempts, notify-mentions, notify-support,
 * notify-gifts, highlight-words, font-scale, clock-format ("24h"/"12h"), window-width,
 * window-height, window-maximized, notify-gift-value, notify-stream-state,
 * run-in-background, gift-sound-volume, gift-sound-muted, gift-priority-value
 * (0 = off), overlay-enabled, overlay-port, streamer-mode, and the overlay's
 * style, which travels in its address: overlay-font, overlay-font-size,
 * overlay-text-color, overlay-background-color ("#rrggbb"),
 * overlay-background-opacity, overlay-max-messages, overlay-fade-seconds,
 * overlay-badges, overlay-hidden-users, overlay-hidden-words,
 * overlay-alert-min-value, overlay-alert-seconds, overlay-alert-sound,
 * overlay-alert-volume, overlay-alert-template, overlay-goal. */
LdSettings *ld_settings_new                    (void);
/* Over SETTINGS rather than the default backend (tests, demo mode). */
LdSettings *ld_settings_new_for_settings       (GSettings  *settings);
GSettings  *ld_settings_get_settings           (LdSettings *self);

const char *ld_settings_get_server_url         (LdSettings *self);
void        ld_settings_set_server_url         (LdSettings *self,
                                                const char *url);
const char *ld_settings_get_api_url            (LdSettings *self);
void        ld_settings_set_api_url            (LdSettings *self,
                                                const char *url);
const char *ld_settings_get_last_user          (LdSettings *self);
void        ld_settings_set_last_user          (LdSettings *self,
                                                const char *user);
const char *ld_settings_get_last_room          (LdSettings *self);
void        ld_settings_set_last_room          (LdSettings *self,
                                                const char *room_id);
/* The rooms open in the window's tabs, in order (open-rooms). */
GStrv       ld_settings_dup_open_rooms         (LdSettings *self);
void        ld_settings_set_open_rooms         (LdSettings *self,
                                                const char * const *room_ids);
guint       ld_settings_get_history_size       (LdSettings *self);
guint       ld_settings_get_reconnect_attempts (LdSettings *self);
double      ld_settings_get_font_scale         (LdSettings *self);
gboolean    ld_settings_get_clock_12h          (LdSettings *self);
/* Words that highlight a chat message, or NULL. */
const char * const *ld_settings_get_highlight_words (LdSettings *self);
/* User ids whose messages are hidden / highlighted in the chat, kept
 * across restarts (keys hidden-users, highlighted-users). */
const char * const *ld_settings_get_hidden_users      (LdSettings *self);
const char * const *ld_settings_get_highlighted_users (LdSettings *self);
/* NAME: "hidden-users" or "highlighted-users". */
void                ld_settings_set_user_listed       (LdSettings *self,
                                                       const char *name,
                                                       const char *user_id,
                                                       gboolean    listed);
guint       ld_settings_get_notify_gift_value  (LdSettings *self);
gboolean    ld_settings_get_notify_stream_state (LdSettings *self);
gboolean    ld_settings_get_run_in_background  (LdSettings *self);
double      ld_settings_get_gift_sound_volume  (LdSettings *self);
gboolean    ld_settings_get_gift_sound_muted   (LdSettings *self);
/* Gifts worth at least this jump the alert queue; 0 means never. */
guint       ld_settings_get_gift_priority_value (LdSettings *self);
gboolean    ld_settings_get_overlay_enabled    (LdSettings *self);
guint       ld_settings_get_overlay_port       (LdSettings *self);
gboolean    ld_settings_get_streamer_mode      (LdSettings *self);

G_END_DECLS
