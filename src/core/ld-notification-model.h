/* ld-notification-model.h: the user's notifications as a GListModel of
 * LdNotification, newest first, bounded by `capacity` (500; the oldest
 * are dropped).
 *
 * With a type filter set, the list shows only notifications of that type;
 * `unread-count` always counts all of them, filtered out or not, so a badge
 * does not change when the user switches tabs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-types.h"
#include "ld-notification.h"

G_BEGIN_DECLS

#define LD_TYPE_NOTIFICATION_MODEL (ld_notification_model_get_type ())

G_DECLARE_FINAL_TYPE (LdNotificationModel, ld_notification_model, LD, NOTIFICATION_MODEL, GObject)

#define LD_NOTIFICATION_MODEL_DEFAULT_CAPACITY 500

LdNotificationModel *ld_notification_model_new              (void);
guint                ld_notification_model_get_capacity     (LdNotificationModel   *self);
void                 ld_notification_model_set_capacity     (LdNotificationModel   *self,
                                                             guint                  capacity);
guint                ld_notification_model_get_unread_count (LdNotificationModel   *self);
/* notification (SOURCE_USER) or systemNotification (SOURCE_SYSTEM), placed
 * by its timestamp, newest first. Returns the notification (borrowed), or
 * NULL with an error for a malformed payload, or NULL alone when it is older
 * than all of a full model's and so dropped at once. An id already known
 * updates that notification instead, as ld_notification_model_apply_update()
 * does. */
LdNotification      *ld_notification_model_add_from_json    (LdNotificationModel   *self,
                                                             JsonObject            *payload,
                                                             LdNotificationSource   source,
                                                             GError               **error);
/* notificationUpdate. FALSE only with an error; an unknown id is ignored. A
 * new timestamp moves the notification to its place. */
gboolean             ld_notification_model_apply_update     (LdNotificationModel   *self,
                                                             JsonObject            *payload,
                                                             GError               **error);
LdNotification      *ld_notification_model_lookup           (LdNotificationModel   *self,
                                                             const char            *id);
/* FALSE if the id is unknown. */
gboolean             ld_notification_model_mark_read        (LdNotificationModel   *self,
                                                             const char            *id);
void                 ld_notification_model_mark_all_read    (LdNotificationModel   *self);
const char          *ld_notification_model_get_type_filter  (LdNotificationModel   *self);
/* Shows only notifications whose type is KIND ("system", …); NULL shows all. */
void                 ld_notification_model_set_type_filter  (LdNotificationModel   *self,
                                                             const char            *kind);
void                 ld_notification_model_clear            (LdNotificationModel   *self);

G_END_DECLS
