/* ld-preferences-window.h: the app's preferences, each bound to LdSettings.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ld-overlay-host.h"
#include "ld-settings.h"

G_BEGIN_DECLS

#define LD_TYPE_PREFERENCES_WINDOW (ld_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (LdPreferencesWindow, ld_preferences_window, LD, PREFERENCES_WINDOW, AdwPreferencesWindow)

/* Actions (prefix "prefs."): copy-overlay-url (s: "chat" or "gifts"), which
 * copies the overlay page's URL and says so in a toast;
 * regenerate-overlay-secret, after which the old URLs stop working. */
LdPreferencesWindow *ld_preferences_window_new (GtkWindow  *parent,
                                                LdSettings *settings);
/* Shows HOST's overlay URLs and its errors; without one the URL rows say
 * the overlay is off. */
void        ld_preferences_window_set_overlay_host   (LdPreferencesWindow *self,
                                                      LdOverlayHost       *host);
/* Opens the page with streamer mode and the OBS overlay. */
void        ld_preferences_window_show_streaming     (LdPreferencesWindow *self);
/* For tests: the overlay's on/off switch, and the error row's text or NULL. */
GtkSwitch  *ld_preferences_window_get_overlay_switch (LdPreferencesWindow *self);
const char *ld_preferences_window_get_overlay_error  (LdPreferencesWindow *self);
/* For tests: the control bound to the overlay style KEY ("overlay-goal",
 * ...), or "preview" for the preview's drawing area. */
GtkWidget  *ld_preferences_window_get_overlay_control (LdPreferencesWindow *self,
                                                       const char          *key);

G_END_DECLS
