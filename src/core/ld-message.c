/* ld-message.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-backend.h"
#include "ld-message.h"
#include "ld-payload.h"

#include <string.h>

typedef struct
{
  char *image_url;
  char *failure_reason;
  char *deleted_by;
  char *local_id;
} MessageRare;

struct _LdMessage
{
  GObject         parent_instance;

  char           *id;
  /* GRefStrings, interned. */
  char           *room_id;
  char           *user_id;
  char           *username;
  char           *text;
  GDateTime      *timestamp;
  /* What few messages have, apart: 32 bytes less for each of the history's
   * 10,000 (the instance goes from 128 to 96 bytes). */
  MessageRare    *rare;
  LdRole          role;
  LdMessageType   message_type;
  LdMessageState  state;
  gboolean        is_own;
};

G_DEFINE_FINAL_TYPE (LdMessage, ld_message, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_ROOM_ID,
  PROP_USER_ID,
  PROP_USERNAME,
  PROP_ROLE,
  PROP_TEXT,
  PROP_MESSAGE_TYPE,
  PROP_IMAGE_URL,
  PROP_TIMESTAMP,
  PROP_STATE,
  PROP_FAILURE_REASON,
  PROP_DELETED_BY,
  PROP_LOCAL_ID,
  PROP_IS_OWN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ld_message_finalize (GObject *object)
{
  LdMessage *self = (LdMessage *)object;

  g_free (self->id);
  g_clear_pointer (&self->room_id, g_ref_string_release);
  g_clear_pointer (&self->user_id, g_ref_string_release);
  g_clear_pointer (&self->username, g_ref_string_release);
  g_free (self->text);
  g_clear_pointer (&self->timestamp, g_date_time_unref);
  if (self->rare != NULL)
    {
      g_free (self->rare->image_url);
      g_free (self->rare->failure_reason);
      g_free (self->rare->deleted_by);
      g_free (self->rare->local_id);
      g_free (self->rare);
    }

  G_OBJECT_CLASS (ld_message_parent_class)->finalize (object);
}

/* The room, the author's id and name repeat across a room's history: one
 * copy each, however many of their messages it holds. */
static char *
dup_shared (const GValue *value)
{
  const char *text = g_value_get_string (value);

  return text != NULL ? g_ref_string_new_intern (text) : NULL;
}

#define RARE(self, field) ((self)->rare != NULL ? (self)->rare->field : NULL)

static MessageRare *
ensure_rare (LdMessage *self)
{
  if (self->rare == NULL)
    self->rare = g_new0 (MessageRare, 1);
  return self->rare;
}

static void
ld_message_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  LdMessage *self = LD_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_ROOM_ID:
      g_value_set_string (value, self->room_id);
      break;
    case PROP_USER_ID:
      g_value_set_string (value, self->user_id);
      break;
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_ROLE:
      g_value_set_enum (value, self->role);
      break;
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_MESSAGE_TYPE:
      g_value_set_enum (value, self->message_type);
      break;
    case PROP_IMAGE_URL:
      g_value_set_string (value, RARE (self, image_url));
      break;
    case PROP_TIMESTAMP:
      g_value_set_boxed (value, self->timestamp);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_FAILURE_REASON:
      g_value_set_string (value, RARE (self, failure_reason));
      break;
    case PROP_DELETED_BY:
      g_value_set_string (value, RARE (self, deleted_by));
      break;
    case PROP_LOCAL_ID:
      g_value_set_string (value, RARE (self, local_id));
      break;
    case PROP_IS_OWN:
      g_value_set_boolean (value, self->is_own);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_message_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  LdMessage *self = LD_MESSAGE (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_dup_string (value);
      break;
    case PROP_ROOM_ID:
      self->room_id = dup_shared (value);
      break;
    case PROP_USER_ID:
      self->user_id = dup_shared (value);
      break;
    case PROP_USERNAME:
      self->username = dup_shared (value);
      break;
    case PROP_ROLE:
      self->role = g_value_get_enum (value);
      break;
    case PROP_TEXT:
      self->text = g_value_dup_string (value);
      break;
    case PROP_MESSAGE_TYPE:
      self->message_type = g_value_get_enum (value);
      break;
    case PROP_IMAGE_URL:
      if (g_value_get_string (value) != NULL)
        ensure_rare (self)->image_url = g_value_dup_string (value);
      break;
    case PROP_TIMESTAMP:
      self->timestamp = g_value_dup_boxed (value);
      break;
    case PROP_STATE:
      self->state = g_value_get_enum (value);
      break;
    case PROP_LOCAL_ID:
      if (g_value_get_string (value) != NULL)
        ensure_rare (self)->local_id = g_value_dup_string (value);
      break;
    case PROP_IS_OWN:
      ld_message_set_is_own (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_message_constructed (GObject *object)
{
  LdMessage *self = LD_MESSAGE (object);

  G_OBJECT_CLASS (ld_message_parent_class)->constructed (object);

  if (self->timestamp == NULL)
    self->timestamp = g_date_time_new_now_utc ();
}

static void
ld_message_class_init (LdMessageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  GParamFlags readonly = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ld_message_finalize;
  object_class->get_property = ld_message_get_property;
  object_class->set_property = ld_message_set_property;
  object_class->constructed = ld_message_constructed;

  /* The server's id; NULL while the message is pending. */
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL, construct | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ROOM_ID] =
    g_param_spec_string ("room-id", NULL, NULL, NULL, construct);
  properties[PROP_USER_ID] =
    g_param_spec_string ("user-id", NULL, NULL, NULL, construct);
  properties[PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL, NULL, construct);
  properties[PROP_ROLE] =
    g_param_spec_enum ("role", NULL, NULL, LD_TYPE_ROLE, LD_ROLE_VIEWER, construct);
  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL, construct);
  properties[PROP_MESSAGE_TYPE] =
    g_param_spec_enum ("message-type", NULL, NULL, LD_TYPE_MESSAGE_TYPE, LD_MESSAGE_TYPE_TEXT, construct);
  properties[PROP_IMAGE_URL] =
    g_param_spec_string ("image-url", NULL, NULL, NULL, construct);
  properties[PROP_TIMESTAMP] =
    g_param_spec_boxed ("timestamp", NULL, NULL, G_TYPE_DATE_TIME, construct | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, LD_TYPE_MESSAGE_STATE, LD_MESSAGE_STATE_SENT,
                       construct | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_FAILURE_REASON] =
    g_param_spec_string ("failure-reason", NULL, NULL, NULL, readonly);
  properties[PROP_DELETED_BY] =
    g_param_spec_string ("deleted-by", NULL, NULL, NULL, readonly);
  properties[PROP_LOCAL_ID] =
    g_param_spec_string ("local-id", NULL, NULL, NULL, construct);
  properties[PROP_IS_OWN] =
    g_param_spec_boolean ("is-own", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ld_message_init (LdMessage *self)
{
  self->role = LD_ROLE_VIEWER;
  self->state = LD_MESSAGE_STATE_SENT;
}

/* ID_REQUIRED: FALSE for what the backend publishes, which may come without
 * a messageId (the guide's publishChatMessage): such a message gets a local
 * id, so it is shown, and no server id, so it cannot be moderated. */
static LdMessage *
message_from_fields (JsonObject  *object,
                     const char  *what,
                     gboolean     id_required,
                     GError     **error)
{
  g_autofree char *id = NULL;
  g_autofree char *local_id = NULL;
  g_autofree char *room_id = NULL;
  g_autofree char *user_id = NULL;
  g_autoptr(GDateTime) timestamp = NULL;
  const char *username, *role, *text, *type, *image_url;
  LdMessageType message_type;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ld_payload_get_id (object, what, "messageId", id_required, &id, error) ||
      !ld_payload_get_id (object, what, "roomId", TRUE, &room_id, error) ||
      !ld_payload_get_id (object, what, "userId", TRUE, &user_id, error) ||
      !ld_payload_get_string (object, what, "username", FALSE, &username, error) ||
      !ld_payload_get_string (object, what, "role", FALSE, &role, error) ||
      !ld_payload_get_string (object, what, "message", FALSE, &text, error) ||
      !ld_payload_get_string (object, what, "messageType", FALSE, &type, error) ||
      !ld_payload_get_string (object, what, "imageUrl", FALSE, &image_url, error) ||
      !ld_payload_get_datetime (object, what, "timestamp", FALSE, &timestamp, error))
    return NULL;

  if (type == NULL || strcmp (type, "text") == 0)
    message_type = LD_MESSAGE_TYPE_TEXT;
  else if (strcmp (type, "image") == 0)
    message_type = LD_MESSAGE_TYPE_IMAGE;
  else
    {
      g_set_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_INVALID_VALUE,
                   "%s: messageType “%s” is neither “text” nor “image”", what, type);
      return NULL;
    }

  if (message_type == LD_MESSAGE_TYPE_TEXT && text == NULL)
    {
      g_set_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_MISSING_FIELD,
                   "%s: field “message” is missing", what);
      return NULL;
    }
  if (message_type == LD_MESSAGE_TYPE_IMAGE && (image_url == NULL || *image_url == '\0'))
    {
      g_set_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_MISSING_FIELD,
                   "%s: an image message needs “imageUrl”", what);
      return NULL;
    }

  if (id == NULL)
    local_id = g_uuid_string_random ();

  return g_object_new (LD_TYPE_MESSAGE,
                       "id", id,
                       "local-id", local_id,
                       "room-id", room_id,
                       "user-id", user_id,
                       "username", username != NULL ? username : user_id,
                       "role", ld_role_from_string (role),
                       "text", text,
                       "message-type", message_type,
                       "image-url", message_type == LD_MESSAGE_TYPE_IMAGE ? image_url : NULL,
                       "timestamp", timestamp,
                       "state", LD_MESSAGE_STATE_SENT,
                       NULL);
}

LdMessage *
ld_message_new_from_json (JsonObject  *object,
                          GError     **error)
{
  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return message_from_fields (object, "newMessage", TRUE, error);
}

LdMessage *
ld_message_new_from_backend (JsonObject  *object,
                             GError     **error)
{
  const char *what = "chatMessageFromBackend";
  JsonObject *fields;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Under data (the contract) or flat (the guide's publishChatMessage). */
  fields = ld_backend_unwrap (object, LD_BACKEND_CHAT_MESSAGE);
  if (fields == NULL)
    {
      g_set_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_INVALID_VALUE,
                   "%s: not a “%s”", what, LD_BACKEND_CHAT_MESSAGE);
      return NULL;
    }

  return message_from_fields (fields, what, FALSE, error);
}

LdMessage *
ld_message_new_outgoing (const char    *room_id,
                         const char    *user_id,
                         const char    *username,
                         LdRole         role,
                         LdMessageType  message_type,
                         const char    *content)
{
  g_autofree char *local_id = g_uuid_string_random ();
  LdMessage *self;

  g_return_val_if_fail (room_id != NULL, NULL);
  g_return_val_if_fail (user_id != NULL, NULL);
  g_return_val_if_fail (content != NULL, NULL);

  self = g_object_new (LD_TYPE_MESSAGE,
                       "room-id", room_id,
                       "user-id", user_id,
                       "username", username != NULL ? username : user_id,
                       "role", role,
                       "message-type", message_type,
                       "text", message_type == LD_MESSAGE_TYPE_TEXT ? content : NULL,
                       "image-url", message_type == LD_MESSAGE_TYPE_IMAGE ? content : NULL,
                       "state", LD_MESSAGE_STATE_PENDING,
                       "local-id", local_id,
                       NULL);
  self->is_own = TRUE;

  return self;
}

const char *
ld_message_get_id (LdMessage *self)
{
  g_return_val_if_fail (LD_IS_MESSAGE (self), NULL);
  return self->id;
}

const char *
ld_message_get_room_id (LdMessage *self)
{
  g_return_val_if_fail (LD_IS_MESSAGE (self), NULL);
  return self->room_id;
}

const char *
ld_message_get_user_id (LdMessage *self)
{
  g_return_val_if_fail (LD_IS_MESSAGE (self), NULL);
  return self->user_id;
}

const char *
ld_message_get_username (LdMessage *self)
{
  g_return_val_if_fail (LD_IS_MESSAGE (self), NULL);
  return self->username;
}

LdRole
ld_message_get_role (LdMessage *self)
{
  g_return_val_if_fail (LD_IS_MESSAGE (self), LD_ROLE_VIEWER);
  return self->role;
}

const char *
ld_message_get_text (LdMessage *self)
{
  g_return_val_if_fail (LD_IS_MESSAGE (self), NULL);
  return self->text;
}

LdMessageType
ld_message_get_message_type (LdMessage *self)
{
  g_return_val_if_fail (LD_IS_MESSAGE (self), LD_MESSAGE_TYPE_TEXT);
  return self->message_type;
}

const char *
ld_message_get_image_url (LdMessage *self)
{
  g_return_val_if_fail (LD_IS_MESSAGE (self), NULL);
  return RARE (self, image_url);
}

GDateTime *
ld_message_get_timestamp (LdMessage *self)
{
  g_return_val_if_fail (LD_IS_MESSAGE (self), NULL);
  return self->timestamp;
}

LdMessageState
ld_message_get_state (LdMessage *self)
{
  g_return_val_if_fail (LD_IS_MESSAGE (self), LD_MESSAGE_STATE_SENT);
  return self->state;
}

const char *
ld_message_get_failure_reason (LdMessage *self)
{
  g_return_val_if_fail (LD_IS_MESSAGE (self), NULL);
  return RARE (self, failure_reason);
}

const char *
ld_message_get_deleted_by (LdMessage *self)
{
  g_return_val_if_fail (LD_IS_MESSAGE (self), NULL);
  return RARE (self, deleted_by);
}

const char *
ld_message_get_local_id (LdMessage *self)
{
  g_return_val_if_fail (LD_IS_MESSAGE (self), NULL);
  return RARE (self, local_id);
}

gboolean
ld_message_get_is_own (LdMessage *self)
{
  g_return_val_if_fail (LD_IS_MESSAGE (self), FALSE);
  return self->is_own;
}

void
ld_message_set_is_own (LdMessage *self,
                       gboolean   is_own)
{
  g_return_if_fail (LD_IS_MESSAGE (self));

  is_own = !!is_own;
  if (self->is_own == is_own)
    return;

  self->is_own = is_own;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IS_OWN]);
}

static void
set_state (LdMessage      *self,
           LdMessageState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

void
ld_message_mark_sent (LdMessage  *self,
                      const char *message_id,
                      GDateTime  *timestamp)
{
  g_return_if_fail (LD_IS_MESSAGE (self));
  g_return_if_fail (message_id != NULL);

  g_object_freeze_notify (G_OBJECT (self));

  if (g_strcmp0 (self->id, message_id) != 0)
    {
      g_free (self->id);
      self->id = g_strdup (message_id);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
    }

  if (timestamp != NULL && !g_date_time_equal (timestamp, self->timestamp))
    {
      g_date_time_unref (self->timestamp);
      self->timestamp = g_date_time_ref (timestamp);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMESTAMP]);
    }

  if (RARE (self, failure_reason) != NULL)
    {
      g_clear_pointer (&self->rare->failure_reason, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILURE_REASON]);
    }

  /* A deleted message stays deleted even if a late messageSent arrives. */
  if (self->state != LD_MESSAGE_STATE_DELETED)
    set_state (self, LD_MESSAGE_STATE_SENT);

  g_object_thaw_notify (G_OBJECT (self));
}

void
ld_message_mark_failed (LdMessage  *self,
                        const char *reason)
{
  g_return_if_fail (LD_IS_MESSAGE (self));

  g_object_freeze_notify (G_OBJECT (self));

  if (g_strcmp0 (RARE (self, failure_reason), reason) != 0)
    {
      g_free (ensure_rare (self)->failure_reason);
      self->rare->failure_reason = g_strdup (reason);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILURE_REASON]);
    }
  set_state (self, LD_MESSAGE_STATE_FAILED);

  g_object_thaw_notify (G_OBJECT (self));
}

void
ld_message_mark_pending (LdMessage *self)
{
  g_return_if_fail (LD_IS_MESSAGE (self));

  /* Only a refused message goes back: a sent or deleted one is settled. */
  if (self->state != LD_MESSAGE_STATE_FAILED)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  if (RARE (self, failure_reason) != NULL)
    {
      g_clear_pointer (&self->rare->failure_reason, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILURE_REASON]);
    }
  set_state (self, LD_MESSAGE_STATE_PENDING);
  g_object_thaw_notify (G_OBJECT (self));
}

void
ld_message_mark_deleted (LdMessage  *self,
                         const char *by)
{
  g_return_if_fail (LD_IS_MESSAGE (self));

  g_object_freeze_notify (G_OBJECT (self));

  if (g_strcmp0 (RARE (self, deleted_by), by) != 0)
    {
      g_free (ensure_rare (self)->deleted_by);
      self->rare->deleted_by = g_strdup (by);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DELETED_BY]);
    }
  set_state (self, LD_MESSAGE_STATE_DELETED);

  g_object_thaw_notify (G_OBJECT (self));
}
