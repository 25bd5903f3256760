/* ld-events.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "ld-backend.h"
#include "ld-events.h"

/* Sorted by name (strcmp) for bsearch; test-ld-events checks the order. */
static const LdEventInfo events[] = {
  { "adminChat", LD_EVENT_ADMIN_CHAT, LD_EVENT_SHAPE_FLAT, FALSE, NULL },
  { "adminMessage", LD_EVENT_ADMIN_MESSAGE, LD_EVENT_SHAPE_FLAT, FALSE, NULL },
  { "authFailed", LD_EVENT_AUTH_FAILED, LD_EVENT_SHAPE_FLAT, FALSE, NULL },
  { "authRequired", LD_EVENT_AUTH_REQUIRED, LD_EVENT_SHAPE_FLAT, FALSE, NULL },
  { "authSuccess", LD_EVENT_AUTH_SUCCESS, LD_EVENT_SHAPE_FLAT, FALSE, NULL },
  { "chatMessageFromBackend", LD_EVENT_CHAT_MESSAGE_FROM_BACKEND, LD_EVENT_SHAPE_BACKEND, TRUE, LD_BACKEND_CHAT_MESSAGE },
  { "giftFromBackend", LD_EVENT_GIFT_FROM_BACKEND, LD_EVENT_SHAPE_BACKEND, TRUE, LD_BACKEND_GIFT_SEND },
  { "joinRoomError", LD_EVENT_JOIN_ROOM_ERROR, LD_EVENT_SHAPE_FLAT, FALSE, NULL },
  { "joinedRoom", LD_EVENT_JOINED_ROOM, LD_EVENT_SHAPE_ENVELOPE, TRUE, NULL },
  { "messageDeleted", LD_EVENT_MESSAGE_DELETED, LD_EVENT_SHAPE_FLAT, TRUE, NULL },
  { "messageSent", LD_EVENT_MESSAGE_SENT, LD_EVENT_SHAPE_FLAT, FALSE, NULL },
  { "newGift", LD_EVENT_NEW_GIFT, LD_EVENT_SHAPE_FLAT, TRUE, NULL },
  { "newMessage", LD_EVENT_NEW_MESSAGE, LD_EVENT_SHAPE_FLAT, TRUE, NULL },
  { "notification", LD_EVENT_NOTIFICATION, LD_EVENT_SHAPE_FLAT, FALSE, NULL },
  { "notificationUpdate", LD_EVENT_NOTIFICATION_UPDATE, LD_EVENT_SHAPE_FLAT, FALSE, NULL },
  { "roomUpdate", LD_EVENT_ROOM_UPDATE, LD_EVENT_SHAPE_FLAT, TRUE, NULL },
  { "sendMessageError", LD_EVENT_SEND_MESSAGE_ERROR, LD_EVENT_SHAPE_FLAT, FALSE, NULL },
  { "systemNotification", LD_EVENT_SYSTEM_NOTIFICATION, LD_EVENT_SHAPE_FLAT, FALSE, NULL },
  { "tokenExpired", LD_EVENT_TOKEN_EXPIRED, LD_EVENT_SHAPE_FLAT, FALSE, NULL },
  { "userBanned", LD_EVENT_USER_BANNED, LD_EVENT_SHAPE_FLAT, TRUE, NULL },
  { "userJoined", LD_EVENT_USER_JOINED, LD_EVENT_SHAPE_FLAT, TRUE, NULL },
  { "userLeft", LD_EVENT_USER_LEFT, LD_EVENT_SHAPE_FLAT, TRUE, NULL },
  { "userTimedOut", LD_EVENT_USER_TIMED_OUT, LD_EVENT_SHAPE_FLAT, TRUE, NULL },
  { "userUnbanned", LD_EVENT_USER_UNBANNED, LD_EVENT_SHAPE_FLAT, TRUE, NULL },
  { "viewerPong", LD_EVENT_VIEWER_PONG, LD_EVENT_SHAPE_ENVELOPE, TRUE, NULL },
};

G_STATIC_ASSERT (G_N_ELEMENTS (events) == N_LD_EVENTS - 1);

static int
compare_name (const void *key,
              const void *member)
{
  return strcmp (key, ((const LdEventInfo *) member)->name);
}

const LdEventInfo *
ld_event_lookup (const char *name)
{
  if (name == NULL)
    return NULL;
  return bsearch (name, events, G_N_ELEMENTS (events), sizeof events[0], compare_name);
}

const LdEventInfo *
ld_event_get_info (LdEvent event)
{
  for (guint i = 0; i < G_N_ELEMENTS (events); i++)
    if (events[i].event == event)
      return &events[i];
  return NULL;
}

JsonObject *
ld_event_read (const LdEventInfo *info,
               JsonNode          *payload)
{
  JsonObject *object;
  JsonNode *data;

  g_return_val_if_fail (info != NULL, NULL);

  if (payload == NULL || !JSON_NODE_HOLDS_OBJECT (payload))
    return NULL;
  object = json_node_get_object (payload);

  switch (info->shape)
    {
    case LD_EVENT_SHAPE_FLAT:
      return object;
    case LD_EVENT_SHAPE_ENVELOPE:
      data = json_object_get_member (object, "data");
      return data != NULL && JSON_NODE_HOLDS_OBJECT (data) ? json_node_get_object (data) : NULL;
    case LD_EVENT_SHAPE_BACKEND:
      return ld_backend_unwrap (object, info->backend_type);
    default:
      g_return_val_if_reached (NULL);
    }
}

const char *
ld_event_get_room_id (JsonObject *fields)
{
  JsonNode *node;

  if (fields == NULL)
    return NULL;
  node = json_object_get_member (fields, "roomId");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}
