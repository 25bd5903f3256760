/* ld-moderation-log.h: a room's moderation log (who did what to whom, why,
 * when), from the messageDeleted / userTimedOut / userBanned / userUnbanned
 * events the room receives, ours included (the gateway sends them to the
 * whole room, the moderator too).
 *
 * A GListModel of LdModerationEntry, oldest first, bounded. With a path it
 * is kept across restarts as JSON lines (one entry a line), read back when
 * the path is set; lines that do not parse are skipped, never fatal.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  LD_MODERATION_ACTION_DELETE,
  LD_MODERATION_ACTION_TIMEOUT,
  LD_MODERATION_ACTION_BAN,
  LD_MODERATION_ACTION_UNBAN,
} LdModerationAction;

/* Entries a log keeps by default; the file is cut back to this when it
 * has grown to twice as many lines. */
#define LD_MODERATION_LOG_DEFAULT_CAPACITY 2000
/* A file is read from its last 4 MiB at most, a line up to 8 KiB. */
#define LD_MODERATION_LOG_MAX_READ  (4 * 1024 * 1024)
#define LD_MODERATION_LOG_MAX_LINE  (8 * 1024)

#define LD_TYPE_MODERATION_ENTRY (ld_moderation_entry_get_type ())
G_DECLARE_FINAL_TYPE (LdModerationEntry, ld_moderation_entry, LD, MODERATION_ENTRY, GObject)

LdModerationEntry  *ld_moderation_entry_new             (LdModerationAction  action,
                                                         const char         *actor,
                                                         const char         *user_id,
                                                         const char         *username,
                                                         const char         *reason,
                                                         guint               seconds,
                                                         const char         *message_text,
                                                         GDateTime          *when);
LdModerationAction  ld_moderation_entry_get_action      (LdModerationEntry  *self);
/* The moderator's name (the event's "by"). */
const char         *ld_moderation_entry_get_actor       (LdModerationEntry  *self);
const char         *ld_moderation_entry_get_user_id     (LdModerationEntry  *self);
/* The target's name when known, else its user id. */
const char         *ld_moderation_entry_get_username    (LdModerationEntry  *self);
const char         *ld_moderation_entry_get_reason      (LdModerationEntry  *self);
guint               ld_moderation_entry_get_seconds     (LdModerationEntry  *self);
/* The deleted message's text, when the chat still had it. */
const char         *ld_moderation_entry_get_message_text (LdModerationEntry *self);
GDateTime          *ld_moderation_entry_get_when        (LdModerationEntry  *self);
/* Case-insensitive search in the names, reason, message and action. */
gboolean            ld_moderation_entry_matches         (LdModerationEntry  *self,
                                                         const char         *query);
/* "mia timed out lan for 10 min" — plain text, translated. */
char               *ld_moderation_entry_describe        (LdModerationEntry  *self);

#define LD_TYPE_MODERATION_LOG (ld_moderation_log_get_type ())
G_DECLARE_FINAL_TYPE (LdModerationLog, ld_moderation_log, LD, MODERATION_LOG, GObject)

LdModerationLog    *ld_moderation_log_new               (void);
/* Where the log of ROOM_ID lives: g_get_user_data_dir()/livedesk/moderation/ROOM_ID.jsonl. */
char               *ld_moderation_log_default_path      (const char         *room_id);
/* Reads what PATH holds (before what the log already has) and from then
 * on appends each entry to it. FALSE with ERROR when it cannot be read;
 * the log then stays in memory. */
gboolean            ld_moderation_log_set_path          (LdModerationLog    *self,
                                                         const char         *path,
                                                         GError            **error);
const char         *ld_moderation_log_get_path          (LdModerationLog    *self);
guint               ld_moderation_log_get_capacity      (LdModerationLog    *self);
void                ld_moderation_log_set_capacity      (LdModerationLog    *self,
                                                         guint               capacity);
/* Appends ENTRY (dropping the oldest past the capacity) and writes it. */
void                ld_moderation_log_add               (LdModerationLog    *self,
                                                         LdModerationEntry  *entry);
/* Entries about USER_ID, newest first (for the user card). */
GPtrArray          *ld_moderation_log_lookup_user       (LdModerationLog    *self,
                                                         const char         *user_id);

G_END_DECLS
