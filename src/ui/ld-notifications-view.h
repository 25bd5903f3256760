/* ld-notifications-view.h: the user's notifications: the platform's system
 * notifications in their own section at the top, the others below, newest
 * first, unread ones bold with a dot. Activating one marks it read; "Mark
 * All Read" (notifications.mark-all-read) marks them all; a drop-down shows
 * one type only (the system section stays).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ld-notification-model.h"

G_BEGIN_DECLS

#define LD_TYPE_NOTIFICATIONS_VIEW (ld_notifications_view_get_type ())

G_DECLARE_FINAL_TYPE (LdNotificationsView, ld_notifications_view, LD, NOTIFICATIONS_VIEW, GtkWidget)

GtkWidget           *ld_notifications_view_new             (void);
LdNotificationModel *ld_notifications_view_get_model       (LdNotificationsView *self);
void                 ld_notifications_view_set_model       (LdNotificationsView *self,
                                                            LdNotificationModel *model);
void                 ld_notifications_view_set_clock_12h   (LdNotificationsView *self,
                                                            gboolean             clock_12h);
/* The type the lower list shows ("info", "gift", …), NULL for every type. */
const char          *ld_notifications_view_get_type_filter (LdNotificationsView *self);
void                 ld_notifications_view_set_type_filter (LdNotificationsView *self,
                                                            const char          *kind);
/* What the two lists show now: the filtered notifications, and the system
 * ones. */
GListModel          *ld_notifications_view_get_shown       (LdNotificationsView *self);
GListModel          *ld_notifications_view_get_system      (LdNotificationsView *self);

G_END_DECLS
