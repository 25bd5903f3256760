/* ld-notification.h: one notification (notification, systemNotification),
 * updated in place by notificationUpdate.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ld-types.h"
#include "ld-enums.h"

G_BEGIN_DECLS

#define LD_TYPE_NOTIFICATION (ld_notification_get_type ())

G_DECLARE_FINAL_TYPE (LdNotification, ld_notification, LD, NOTIFICATION, GObject)

/* {id, type, title, message, data, timestamp}: id is required; type
 * defaults to "info", and is always "system" for SOURCE_SYSTEM; data may
 * be any JSON value; timestamp defaults to now. */
LdNotification       *ld_notification_new_from_json (JsonObject           *object,
                                                     LdNotificationSource  source,
                                                     GError              **error);
const char           *ld_notification_get_id        (LdNotification       *self);
/* The "type" field ("kind" here, as GObject has its own types). */
const char           *ld_notification_get_kind      (LdNotification       *self);
const char           *ld_notification_get_title     (LdNotification       *self);
const char           *ld_notification_get_message   (LdNotification       *self);
/* The "data" field as sent, or NULL. */
JsonNode             *ld_notification_get_data      (LdNotification       *self);
GDateTime            *ld_notification_get_timestamp (LdNotification       *self);
LdNotificationSource  ld_notification_get_source    (LdNotification       *self);
gboolean              ld_notification_get_read      (LdNotification       *self);
void                  ld_notification_set_read      (LdNotification       *self,
                                                     gboolean              read);
/* notificationUpdate {id, …changed fields}: title, message, type, data,
 * timestamp and read, each only if present. The id must match. A system
 * notification stays "system". Nothing changes if any field is malformed. */
gboolean              ld_notification_apply_update  (LdNotification       *self,
                                                     JsonObject           *object,
                                                     GError              **error);

G_END_DECLS
