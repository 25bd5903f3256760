/* ld-moderation-dialog.h: asking a moderator for a timeout's length, a
 * reason and a ban's confirmation, then doing it and saying so only when
 * the server confirmed it (or why it refused).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ld-session.h"

G_BEGIN_DECLS

/* The timeout presets the dialog offers, in seconds; then "Custom". */
#define LD_MODERATION_DIALOG_PRESETS { 60, 600, 3600, 24 * 3600 }

/* An AdwMessageDialog over PARENT for ACTION on USERNAME (timeout, ban,
 * unban), SECONDS preselected (0: 10 minutes) and REASON prefilled.
 * Finishes with the chosen seconds and reason (NULL when empty), or
 * G_IO_ERROR_CANCELLED when the moderator cancelled. The widgets are named
 * "duration", "minutes" and "reason" for tests. */
void      ld_moderation_dialog_run_async       (GtkWindow          *parent,
                                                LdModeration        action,
                                                const char         *username,
                                                guint               seconds,
                                                const char         *reason,
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);
gboolean  ld_moderation_dialog_run_finish      (GAsyncResult       *result,
                                                guint              *seconds,
                                                char              **reason,
                                                GError            **error);

/* The whole workflow: when ASK, the dialog above (a delete never asks),
 * then ld_room_moderate_async in ROOM on TARGET (a user id, or a
 * message id for a delete). Finishes with what to tell the moderator
 * ("Lan is timed out for 10 minutes") once the server confirmed, or an
 * error saying why it refused (G_IO_ERROR_CANCELLED when dismissed). A
 * timeout or ban the rank rule forbids (ld_room_check_sanction) is refused
 * at once, without asking or sending. */
void      ld_moderation_dialog_moderate_async  (GtkWindow          *parent,
                                                LdRoom             *room,
                                                LdModeration        action,
                                                const char         *target,
                                                const char         *username,
                                                guint               seconds,
                                                const char         *reason,
                                                gboolean            ask,
                                                GCancellable       *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer            user_data);
char     *ld_moderation_dialog_moderate_finish (GAsyncResult       *result,
                                                GError            **error);

G_END_DECLS
