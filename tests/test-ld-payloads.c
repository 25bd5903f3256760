/* test-ld-payloads.c: every payload reader of the core, fed each valid
 * payload with one field at a time removed or replaced by a value of every
 * JSON kind. Payloads come from the network: each must give either a result
 * or an LD_PAYLOAD_ERROR that names the field, never a crash or a warning.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ld-chat-model.h"
#include "ld-gift.h"
#include "ld-notification-model.h"
#include "ld-payload.h"
#include "ld-ticket-model.h"
#include "ld-viewer-model.h"

typedef gboolean (*Reader) (JsonObject  *object,
                            GError     **error);

static LdChatModel *chat_model;
static LdNotificationModel *notifications;
static LdTicketModel *tickets;
static LdViewerModel *viewers;

static gboolean
read_message (JsonObject *object, GError **error)
{
  g_autoptr(LdMessage) message = ld_message_new_from_json (object, error);

  if (message == NULL)
    return FALSE;
  ld_chat_model_append (chat_model, message);
  return TRUE;
}

static gboolean
read_backend_message (JsonObject *object, GError **error)
{
  g_autoptr(LdMessage) message = ld_message_new_from_backend (object, error);
  return message != NULL;
}

static gboolean
read_gift (JsonObject *object, GError **error)
{
  g_autoptr(LdGift) gift = ld_gift_new_from_json (object, error);
  return gift != NULL;
}

static gboolean
read_backend_gift (JsonObject *object, GError **error)
{
  g_autoptr(LdGift) gift = ld_gift_new_from_backend (object, error);
  return gift != NULL;
}

static gboolean
read_notification (JsonObject *object, GError **error)
{
  return ld_notification_model_add_from_json (notifications, object, LD_NOTIFICATION_SOURCE_USER, error) != NULL;
}

static gboolean
read_system_notification (JsonObject *object, GError **error)
{
  return ld_notification_model_add_from_json (notifications, object, LD_NOTIFICATION_SOURCE_SYSTEM, error) != NULL;
}

static gboolean
read_notification_update (JsonObject *object, GError **error)
{
  return ld_notification_model_apply_update (notifications, object, error);
}

static gboolean
read_deleted (JsonObject *object, GError **error)
{
  ld_chat_model_apply_deleted (chat_model, object, error);
  return error == NULL || *error == NULL;
}

static gboolean
read_admin_chat (JsonObject *object, GError **error)
{
  return ld_ticket_model_apply_admin_chat (tickets, object, error) != NULL;
}

static gboolean
read_user_joined (JsonObject *object, GError **error)
{
  return ld_viewer_model_apply_joined (viewers, object, error);
}

static gboolean
read_user_left (JsonObject *object, GError **error)
{
  return ld_viewer_model_apply_left (viewers, object, error);
}

static gboolean
read_viewers (JsonObject *object, GError **error)
{
  JsonArray *array;

  if (!ld_payload_get_array (object, "joinedRoom", "viewers", TRUE, &array, error))
    return FALSE;
  return ld_viewer_model_replace_all (viewers, array, error);
}

static const struct {
  const char *name;
  Reader      reader;
  const char *valid;
} payloads[] = {
  { "newMessage", read_message,
    "{\"messageId\":\"m1\",\"roomId\":\"room1\",\"userId\":\"u1\",\"username\":\"An\",\"role\":\"viewer\","
    "\"message\":\"xin chào\",\"messageType\":\"text\",\"imageUrl\":null,\"timestamp\":\"2026-11-26T12:00:00.000Z\"}" },
  { "newMessage (image)", read_message,
    "{\"messageId\":\"m2\",\"roomId\":\"room1\",\"userId\":\"u1\",\"messageType\":\"image\","
    "\"imageUrl\":\"https://i.imgur.com/x.png\",\"timestamp\":\"2026-11-26T12:00:00Z\"}" },
  { "chatMessageFromBackend", read_backend_message,
    "{\"type\":\"chat_message\",\"data\":{\"messageId\":\"m3\",\"roomId\":\"r\",\"userId\":\"u\",\"message\":\"x\"}}" },
  { "newGift", read_gift,
    "{\"roomId\":\"room1\",\"senderId\":\"u1\",\"senderName\":\"An\",\"receiverId\":\"s1\",\"receiverName\":\"S\","
    "\"giftId\":\"g1\",\"giftName\":\"Hoa\",\"giftType\":\"basic\",\"giftValue\":10,\"quantity\":2,"
    "\"message\":\"chúc\",\"animation\":\"hearts\",\"timestamp\":\"2026-11-26T12:00:00Z\",\"giftTxId\":\"tx\"}" },
  { "giftFromBackend", read_backend_gift,
    "{\"type\":\"gift_send\",\"data\":{\"senderId\":\"u1\",\"giftId\":\"g1\",\"giftValue\":1}}" },
  { "notification", read_notification,
    "{\"id\":\"n1\",\"type\":\"gift\",\"title\":\"t\",\"message\":\"m\",\"data\":{\"k\":1},"
    "\"timestamp\":\"2026-11-26T12:00:00Z\"}" },
  { "systemNotification", read_system_notification,
    "{\"id\":\"n2\",\"title\":\"t\",\"message\":\"m\",\"timestamp\":\"2026-11-26T12:00:00Z\"}" },
  { "notificationUpdate", read_notification_update,
    "{\"id\":\"n1\",\"type\":\"follow\",\"title\":\"t2\",\"message\":\"m2\",\"data\":[1],\"read\":true,"
    "\"timestamp\":\"2026-11-26T12:00:01Z\"}" },
  { "messageDeleted", read_deleted,
    "{\"roomId\":\"room1\",\"messageId\":\"m1\",\"by\":\"mod1\"}" },
  { "adminChat", read_admin_chat,
    "{\"ticketId\":\"t1\",\"userId\":\"u1\",\"username\":\"An\",\"message\":\"help\",\"supportType\":\"payment\","
    "\"timestamp\":\"2026-11-26T12:00:00Z\"}" },
  { "userJoined", read_user_joined,
    "{\"roomId\":\"room1\",\"userId\":\"u7\",\"username\":\"Bảy\",\"role\":\"moderator\",\"viewerCount\":3,"
    "\"timestamp\":\"2026-11-26T12:00:00Z\"}" },
  { "userLeft", read_user_left,
    "{\"roomId\":\"room1\",\"userId\":\"u7\",\"username\":\"Bảy\",\"viewerCount\":2}" },
  { "joinedRoom viewers", read_viewers,
    "{\"roomId\":\"room1\",\"viewers\":[{\"userId\":\"u1\",\"username\":\"An\",\"role\":\"streamer\"}]}" },
};

static const char * const replacements[] = {
  "null", "true", "false", "0", "-1", "1.5", "-0.0", "1e308", "9223372036854775807", "-9223372036854775808",
  "\"\"", "\"x\"", "\"Nguyễn 🎁\"", "\"2026-13-45T99:99:99Z\"", "[]", "[1,\"a\",null]", "{}",
  "{\"a\":{\"b\":[{}]}}", "[[[[[[[[[[]]]]]]]]]]",
};

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

static void
check (const char *name,
       Reader      reader,
       JsonObject *object,
       gboolean    must_succeed)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = reader (object, &error);

  if (ok)
    g_assert_no_error (error);
  else
    {
      g_assert_nonnull (error);
      g_assert_true (error->domain == LD_PAYLOAD_ERROR);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      /* The message names the event (or, for nested items, what was inside). */
      g_assert_true (strstr (error->message, ":") != NULL);
    }

  if (must_succeed && !ok)
    g_error ("%s: the valid payload failed: %s", name, error->message);
}

/* Every variant of OBJECT with one member of TARGET (OBJECT itself or a
 * nested object in it) removed or replaced. */
static void
mutate (const char *name,
        Reader      reader,
        const char *valid,
        const char *nested)
{
  g_autoptr(JsonObject) base = parse_object (valid);
  JsonObject *target = base;
  g_autoptr(GList) members = NULL;
  guint variants = 0;

  if (nested != NULL && JSON_NODE_HOLDS_ARRAY (json_object_get_member (base, nested)))
    target = json_array_get_object_element (json_object_get_array_member (base, nested), 0);
  else if (nested != NULL)
    target = json_object_get_object_member (base, nested);

  members = json_object_get_members (target);
  for (GList *l = members; l != NULL; l = l->next)
    {
      /* The list's strings are the object's keys, freed when the member is removed. */
      g_autofree char *member = g_strdup (l->data);
      JsonNode *saved = json_node_copy (json_object_get_member (target, member));

      json_object_remove_member (target, member);
      check (name, reader, base, FALSE);
      variants++;

      for (guint i = 0; i < G_N_ELEMENTS (replacements); i++)
        {
          g_autoptr(GError) error = NULL;
          JsonNode *value = json_from_string (replacements[i], &error);

          g_assert_no_error (error);
          json_object_set_member (target, member, value);
          check (name, reader, base, FALSE);
          variants++;
        }

      json_object_set_member (target, member, saved);
    }

  g_test_message ("%s%s%s: %u variants", name, nested != NULL ? " ." : "", nested != NULL ? nested : "", variants);
}

static void
test_mutations (void)
{
  chat_model = ld_chat_model_new ();
  notifications = ld_notification_model_new ();
  tickets = ld_ticket_model_new ();
  viewers = ld_viewer_model_new ();

  for (guint i = 0; i < G_N_ELEMENTS (payloads); i++)
    {
      g_autoptr(JsonObject) valid = parse_object (payloads[i].valid);
      JsonNode *data = json_object_get_member (valid, "data");

      check (payloads[i].name, payloads[i].reader, valid, TRUE);
      mutate (payloads[i].name, payloads[i].reader, payloads[i].valid, NULL);
      if (data != NULL && JSON_NODE_HOLDS_OBJECT (data))
        mutate (payloads[i].name, payloads[i].reader, payloads[i].valid, "data");
      if (json_object_has_member (valid, "viewers"))
        mutate (payloads[i].name, payloads[i].reader, payloads[i].valid, "viewers");
    }

  /* The models took what was valid and stayed usable. */
  ld_chat_model_flush (chat_model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (chat_model)), >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (notifications)), >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tickets)), >, 0);

  g_clear_object (&chat_model);
  g_clear_object (&notifications);
  g_clear_object (&tickets);
  g_clear_object (&viewers);
}

static void
test_not_an_object (void)
{
  static const char * const nodes[] = { "null", "1", "\"text\"", "[]", "[{}]", "true" };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (nodes); i++)
    {
      g_autoptr(JsonNode) node = json_from_string (nodes[i], &error);

      g_assert_no_error (error);
      g_assert_null (ld_payload_expect_object (node, "newMessage", &error));
      g_assert_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_WRONG_TYPE);
      g_assert_true (g_str_has_prefix (error->message, "newMessage: "));
      g_clear_error (&error);
    }

  g_assert_null (ld_payload_expect_object (NULL, "newMessage", &error));
  g_assert_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_WRONG_TYPE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/payloads/mutations", test_mutations);
  g_test_add_func ("/payloads/not-an-object", test_not_an_object);

  return g_test_run ();
}
