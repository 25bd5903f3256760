/* ld-notification.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n-lib.h>

#include "ld-notification.h"
#include "ld-payload.h"

struct _LdNotification
{
  GObject               parent_instance;

  char                 *id;
  char                 *kind;
  char                 *title;
  char                 *message;
  JsonNode             *data;
  GDateTime            *timestamp;
  LdNotificationSource  source;
  gboolean              read;
};

G_DEFINE_FINAL_TYPE (LdNotification, ld_notification, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_KIND,
  PROP_TITLE,
  PROP_MESSAGE,
  PROP_DATA,
  PROP_TIMESTAMP,
  PROP_SOURCE,
  PROP_READ,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ld_notification_finalize (GObject *object)
{
  LdNotification *self = (LdNotification *)object;

  g_free (self->id);
  g_free (self->kind);
  g_free (self->title);
  g_free (self->message);
  g_clear_pointer (&self->data, json_node_unref);
  g_clear_pointer (&self->timestamp, g_date_time_unref);

  G_OBJECT_CLASS (ld_notification_parent_class)->finalize (object);
}

static void
ld_notification_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LdNotification *self = LD_NOTIFICATION (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_KIND:
      g_value_set_string (value, self->kind);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    case PROP_DATA:
      g_value_set_boxed (value, self->data);
      break;
    case PROP_TIMESTAMP:
      g_value_set_boxed (value, self->timestamp);
      break;
    case PROP_SOURCE:
      g_value_set_enum (value, self->source);
      break;
    case PROP_READ:
      g_value_set_boolean (value, self->read);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_notification_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LdNotification *self = LD_NOTIFICATION (object);

  switch (prop_id)
    {
    case PROP_READ:
      ld_notification_set_read (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_notification_class_init (LdNotificationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ld_notification_finalize;
  object_class->get_property = ld_notification_get_property;
  object_class->set_property = ld_notification_set_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_KIND] = g_param_spec_string ("kind", NULL, NULL, NULL, flags);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, flags);
  properties[PROP_DATA] = g_param_spec_boxed ("data", NULL, NULL, JSON_TYPE_NODE, flags);
  properties[PROP_TIMESTAMP] = g_param_spec_boxed ("timestamp", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_SOURCE] = g_param_spec_enum ("source", NULL, NULL, LD_TYPE_NOTIFICATION_SOURCE,
                                               LD_NOTIFICATION_SOURCE_USER, flags);
  properties[PROP_READ] = g_param_spec_boolean ("read", NULL, NULL, FALSE,
                                                G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ld_notification_init (LdNotification *self)
{
}

static const char *
what_for (LdNotificationSource source)
{
  return source == LD_NOTIFICATION_SOURCE_SYSTEM ? "systemNotification" : "notification";
}

/* Date.now() as the guide's client does, kept unique: two in one
 * millisecond would otherwise be taken for one updated. */
static char *
made_up_id (void)
{
  static gint64 last;
  gint64 now = g_get_real_time () / 1000;

  last = MAX (now, last + 1);
  return g_strdup_printf ("%" G_GINT64_FORMAT, last);
}

LdNotification *
ld_notification_new_from_json (JsonObject            *object,
                               LdNotificationSource   source,
                               GError               **error)
{
  const char *what = what_for (source);
  g_autofree char *id = NULL;
  g_autoptr(GDateTime) timestamp = NULL;
  const char *kind, *title, *message;
  JsonNode *data;
  LdNotification *self;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ld_payload_get_id (object, what, "id", FALSE, &id, error) ||
      !ld_payload_get_string (object, what, "type", FALSE, &kind, error) ||
      !ld_payload_get_string (object, what, "title", FALSE, &title, error) ||
      !ld_payload_get_string (object, what, "message", FALSE, &message, error) ||
      !ld_payload_get_datetime (object, what, "timestamp", FALSE, &timestamp, error))
    return NULL;

  data = json_object_get_member (object, "data");

  self = g_object_new (LD_TYPE_NOTIFICATION, NULL);
  /* The guide's client fills in what the platform leaves out: the id
   * Date.now(), the title "Notification". */
  self->id = id != NULL ? g_steal_pointer (&id) : made_up_id ();
  self->source = source;
  if (source == LD_NOTIFICATION_SOURCE_SYSTEM)
    self->kind = g_strdup ("system");
  else
    self->kind = g_strdup (kind != NULL ? kind : "info");
  self->title = g_strdup (title != NULL && *title != '\0' ? title : _("Notification"));
  self->message = g_strdup (message);
  self->data = data != NULL && !JSON_NODE_HOLDS_NULL (data) ? json_node_copy (data) : NULL;
  self->timestamp = g_steal_pointer (&timestamp);

  return self;
}

const char *
ld_notification_get_id (LdNotification *self)
{
  g_return_val_if_fail (LD_IS_NOTIFICATION (self), NULL);
  return self->id;
}

const char *
ld_notification_get_kind (LdNotification *self)
{
  g_return_val_if_fail (LD_IS_NOTIFICATION (self), NULL);
  return self->kind;
}

const char *
ld_notification_get_title (LdNotification *self)
{
  g_return_val_if_fail (LD_IS_NOTIFICATION (self), NULL);
  return self->title;
}

const char *
ld_notification_get_message (LdNotification *self)
{
  g_return_val_if_fail (LD_IS_NOTIFICATION (self), NULL);
  return self->message;
}

JsonNode *
ld_notification_get_data (LdNotification *self)
{
  g_return_val_if_fail (LD_IS_NOTIFICATION (self), NULL);
  return self->data;
}

GDateTime *
ld_notification_get_timestamp (LdNotification *self)
{
  g_return_val_if_fail (LD_IS_NOTIFICATION (self), NULL);
  return self->timestamp;
}

LdNotificationSource
ld_notification_get_source (LdNotification *self)
{
  g_return_val_if_fail (LD_IS_NOTIFICATION (self), LD_NOTIFICATION_SOURCE_USER);
  return self->source;
}

gboolean
ld_notification_get_read (LdNotification *self)
{
  g_return_val_if_fail (LD_IS_NOTIFICATION (self), FALSE);
  return self->read;
}

void
ld_notification_set_read (LdNotification *self,
                          gboolean        read)
{
  g_return_if_fail (LD_IS_NOTIFICATION (self));

  read = !!read;
  if (self->read == read)
    return;

  self->read = read;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READ]);
}

static void
set_string (LdNotification  *self,
            char           **field,
            const char      *value,
            guint            prop)
{
  if (value == NULL || g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

gboolean
ld_notification_apply_update (LdNotification  *self,
                              JsonObject      *object,
                              GError         **error)
{
  const char *what = "notificationUpdate";
  g_autofree char *id = NULL;
  g_autoptr(GDateTime) timestamp = NULL;
  const char *kind, *title, *message;
  gboolean read;
  JsonNode *data;

  g_return_val_if_fail (LD_IS_NOTIFICATION (self), FALSE);
  g_return_val_if_fail (object != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ld_payload_get_id (object, what, "id", FALSE, &id, error) ||
      !ld_payload_get_string (object, what, "type", FALSE, &kind, error) ||
      !ld_payload_get_string (object, what, "title", FALSE, &title, error) ||
      !ld_payload_get_string (object, what, "message", FALSE, &message, error) ||
      !ld_payload_get_boolean (object, what, "read", FALSE, self->read, &read, error))
    return FALSE;

  if (json_object_has_member (object, "timestamp") &&
      !ld_payload_get_datetime (object, what, "timestamp", FALSE, &timestamp, error))
    return FALSE;

  if (g_strcmp0 (id, self->id) != 0)
    {
      g_set_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_INVALID_VALUE,
                   "%s: id “%s” is not this notification’s", what, id);
      return FALSE;
    }

  g_object_freeze_notify (G_OBJECT (self));

  if (self->source != LD_NOTIFICATION_SOURCE_SYSTEM)
    set_string (self, &self->kind, kind, PROP_KIND);
  set_string (self, &self->title, title, PROP_TITLE);
  set_string (self, &self->message, message, PROP_MESSAGE);

  data = json_object_get_member (object, "data");
  if (data != NULL && JSON_NODE_HOLDS_NULL (data))
    {
      if (self->data != NULL)
        {
          g_clear_pointer (&self->data, json_node_unref);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATA]);
        }
    }
  else if (data != NULL && (self->data == NULL || !json_node_equal (data, self->data)))
    {
      g_clear_pointer (&self->data, json_node_unref);
      self->data = json_node_copy (data);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATA]);
    }

  if (timestamp != NULL && !g_date_time_equal (timestamp, self->timestamp))
    {
      g_date_time_unref (self->timestamp);
      self->timestamp = g_steal_pointer (&timestamp);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMESTAMP]);
    }

  ld_notification_set_read (self, read);

  g_object_thaw_notify (G_OBJECT (self));

  return TRUE;
}
