/* ld-desktop-notifier.h: decides which of a session's events deserve a
 * desktop notification (GNotification) and withdraws them once handled.
 *
 * A notification goes out only while the window is not in front (hidden, or
 * not focused), and only for what the user chose in the settings:
 *
 *   - a chat message naming the signed-in user (notify-mentions);
 *   - a gift send worth at least notify-gift-value (notify-gifts);
 *   - a new support request for admins, an admin's answer for everyone
 *     else (notify-support);
 *   - the room going live or ending (notify-stream-state);
 *   - the platform's own notifications (notification, systemNotification),
 *     which carry a "Mark Read" button.
 *
 * Each notification opens the window on its view ("app.show-view" with the
 * view's name) and is withdrawn when that view is shown in the window, or,
 * for the platform's notifications, when read ("app.mark-notification-read"
 * with its id). Ids: "mention-…", "gift-…", "support-…", "stream" and
 * "notification-…" (the application itself sends "background").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ld-session.h"
#include "ld-settings.h"

G_BEGIN_DECLS

#define LD_TYPE_DESKTOP_NOTIFIER (ld_desktop_notifier_get_type ())

G_DECLARE_FINAL_TYPE (LdDesktopNotifier, ld_desktop_notifier, LD, DESKTOP_NOTIFIER, GObject)

/* WINDOW: whose focus decides, and whose application sends (none, none
 * sent); VIEWS: its stack of views, named as app.show-view names them.
 * Neither is referenced: the window owns the notifier. SETTINGS may be NULL
 * (then nothing is chosen, nothing sent). */
LdDesktopNotifier *ld_desktop_notifier_new            (GtkWindow         *window,
                                                       AdwViewStack      *views,
                                                       LdSettings        *settings);
void               ld_desktop_notifier_set_session    (LdDesktopNotifier *self,
                                                       LdSession         *session);
/* Withdraws what pointed at VIEW ("chat", "gifts", …). */
void               ld_desktop_notifier_withdraw_view  (LdDesktopNotifier *self,
                                                       const char        *view);
void               ld_desktop_notifier_withdraw_all   (LdDesktopNotifier *self);
/* How many sent notifications are still out (not withdrawn). */
guint              ld_desktop_notifier_get_n_pending  (LdDesktopNotifier *self);

G_END_DECLS
