/* test-ld-events.c: the event table, its lookup and its payload readers,
 * with the backend's envelopes in every shape the production gateway uses.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ld-backend.h"
#include "ld-events.h"

static JsonNode *
parse (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
test_lookup (void)
{
  const LdEventInfo *info;

  /* Every event is found by its name and by its value. */
  for (int event = LD_EVENT_UNKNOWN + 1; event < N_LD_EVENTS; event++)
    {
      info = ld_event_get_info (event);
      g_assert_nonnull (info);
      g_assert_true (ld_event_lookup (info->name) == info);
    }

  g_assert_cmpint (ld_event_lookup ("newMessage")->event, ==, LD_EVENT_NEW_MESSAGE);
  g_assert_true (ld_event_lookup ("newMessage")->in_room);
  g_assert_false (ld_event_lookup ("authSuccess")->in_room);
  g_assert_null (ld_event_lookup ("roomInfo"));
  g_assert_null (ld_event_lookup ("newmessage"));
  g_assert_null (ld_event_lookup (""));
  g_assert_null (ld_event_lookup (NULL));
}

static void
test_envelope (void)
{
  g_autoptr(JsonNode) ok = parse ("{\"success\":true,\"data\":{\"roomId\":\"r1\",\"viewerCount\":3}}");
  g_autoptr(JsonNode) bare = parse ("{\"success\":true}");
  g_autoptr(JsonNode) list = parse ("[1]");
  const LdEventInfo *info = ld_event_lookup ("viewerPong");

  g_assert_cmpstr (ld_event_get_room_id (ld_event_read (info, ok)), ==, "r1");
  g_assert_null (ld_event_read (info, bare));
  g_assert_null (ld_event_read (info, list));
  g_assert_null (ld_event_read (info, NULL));
}

static void
test_backend_shapes (void)
{
  const LdEventInfo *chat = ld_event_lookup ("chatMessageFromBackend");
  const LdEventInfo *gift = ld_event_lookup ("giftFromBackend");
  /* The contract's: under data. */
  g_autoptr(JsonNode) wrapped = parse ("{\"type\":\"chat_message\",\"data\":{\"messageId\":\"m1\",\"roomId\":\"r1\","
                                       "\"userId\":\"u1\",\"message\":\"hi\"}}");
  /* The guide's publishChatMessage: flat, no messageId. */
  g_autoptr(JsonNode) flat = parse ("{\"type\":\"chat_message\",\"roomId\":\"r2\",\"userId\":\"u1\","
                                    "\"username\":\"Lan\",\"message\":\"hi\",\"timestamp\":\"2026-01-01T00:00:00Z\"}");
  /* No type at all. */
  g_autoptr(JsonNode) untyped = parse ("{\"data\":{\"roomId\":\"r3\",\"message\":\"hi\"}}");
  /* Something else on the channel. */
  g_autoptr(JsonNode) other = parse ("{\"type\":\"gift_send\",\"roomId\":\"r1\"}");
  g_autoptr(JsonNode) inner_other = parse ("{\"data\":{\"type\":\"viewer_join\",\"roomId\":\"r1\"}}");
  JsonObject *fields;

  fields = ld_event_read (chat, wrapped);
  g_assert_cmpstr (ld_event_get_room_id (fields), ==, "r1");
  g_assert_cmpstr (json_object_get_string_member (fields, "messageId"), ==, "m1");

  fields = ld_event_read (chat, flat);
  g_assert_cmpstr (ld_event_get_room_id (fields), ==, "r2");
  g_assert_false (json_object_has_member (fields, "messageId"));
  g_assert_cmpstr (json_object_get_string_member (fields, "username"), ==, "Lan");

  g_assert_cmpstr (ld_event_get_room_id (ld_event_read (chat, untyped)), ==, "r3");
  g_assert_null (ld_event_read (chat, other));
  g_assert_null (ld_event_read (chat, inner_other));
  g_assert_nonnull (ld_event_read (gift, other));
}

static void
test_room_id (void)
{
  g_autoptr(JsonNode) number = parse ("{\"roomId\":12}");
  g_autoptr(JsonNode) none = parse ("{}");

  g_assert_null (ld_event_get_room_id (json_node_get_object (number)));
  g_assert_null (ld_event_get_room_id (json_node_get_object (none)));
  g_assert_null (ld_event_get_room_id (NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/events/lookup", test_lookup);
  g_test_add_func ("/events/envelope", test_envelope);
  g_test_add_func ("/events/backend-shapes", test_backend_shapes);
  g_test_add_func ("/events/room-id", test_room_id);
  return g_test_run ();
}
