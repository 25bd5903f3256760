/* test-gw-room.c: viewers counted per user, presence, history, sanctions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-rooms.h"
#include "ld-validate.h"

#define T0 ((gint64) 1000000)

static void
test_viewers_per_user (void)
{
  g_autoptr(GwRoom) room = gw_room_new ("room_1");
  g_autoptr(GwViewer) left = NULL;

  g_assert_cmpstr (gw_room_get_id (room), ==, "room_1");

  /* Alice opens two tabs: one viewer, one userJoined. */
  g_assert_true (gw_room_add_socket (room, "s1", "alice", "Alice", GW_ROLE_VIEWER, T0));
  g_assert_false (gw_room_add_socket (room, "s2", "alice", "Alice", GW_ROLE_VIEWER, T0));
  g_assert_false (gw_room_add_socket (room, "s2", "alice", "Alice", GW_ROLE_VIEWER, T0));
  g_assert_true (gw_room_add_socket (room, "s3", "bob", "Bob", GW_ROLE_VIEWER, T0));
  g_assert_cmpuint (gw_room_get_viewer_count (room), ==, 2);
  g_assert_cmpuint (gw_room_lookup_viewer (room, "alice")->n_sockets, ==, 2);

  /* Closing one tab is not userLeft; closing the last is. */
  g_assert_false (gw_room_remove_socket (room, "s1", T0, &left));
  g_assert_null (left);
  g_assert_cmpuint (gw_room_get_viewer_count (room), ==, 2);
  g_assert_true (gw_room_remove_socket (room, "s2", T0, &left));
  g_assert_cmpstr (left->user_id, ==, "alice");
  g_assert_cmpstr (left->username, ==, "Alice");
  g_assert_cmpuint (gw_room_get_viewer_count (room), ==, 1);

  /* A socket that is not in the room leaves nothing. */
  g_assert_false (gw_room_remove_socket (room, "s2", T0, NULL));
  g_assert_false (gw_room_has_socket (room, "s1"));
  g_assert_true (gw_room_has_socket (room, "s3"));
}

static void
test_socket_changes_user (void)
{
  g_autoptr(GwRoom) room = gw_room_new ("room_1");

  g_assert_true (gw_room_add_socket (room, "s1", "alice", "Alice", GW_ROLE_VIEWER, T0));
  /* The socket re-authenticated as bob: alice is gone, bob is there. */
  g_assert_true (gw_room_add_socket (room, "s1", "bob", "Bob", GW_ROLE_VIEWER, T0));
  g_assert_cmpuint (gw_room_get_viewer_count (room), ==, 1);
  g_assert_null (gw_room_lookup_viewer (room, "alice"));
  g_assert_nonnull (gw_room_lookup_viewer (room, "bob"));
}

static void
test_viewer_list (void)
{
  g_autoptr(GwRoom) room = gw_room_new ("room_1");
  g_autoptr(JsonArray) json = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  g_autofree char *text = NULL;

  gw_room_add_socket (room, "s1", "zed", "zed", GW_ROLE_VIEWER, T0);
  gw_room_add_socket (room, "s2", "amy", "Amy", GW_ROLE_VIEWER, T0);
  gw_room_add_socket (room, "s3", "mod", "Mod", GW_ROLE_MODERATOR, T0);
  gw_room_add_socket (room, "s4", "boss", "Boss", GW_ROLE_ADMIN, T0);
  gw_room_add_socket (room, "s5", "star", "Star", GW_ROLE_STREAMER, T0);
  gw_room_add_socket (room, "s6", "amy2", "amy", GW_ROLE_VIEWER, T0);

  json = gw_room_dup_viewers_json (room);
  json_node_set_array (node, json);
  text = json_to_string (node, FALSE);
  g_assert_cmpstr (text, ==,
                   "[{\"userId\":\"boss\",\"username\":\"Boss\",\"role\":\"admin\"},"
                   "{\"userId\":\"mod\",\"username\":\"Mod\",\"role\":\"moderator\"},"
                   "{\"userId\":\"star\",\"username\":\"Star\",\"role\":\"streamer\"},"
                   "{\"userId\":\"amy\",\"username\":\"Amy\",\"role\":\"viewer\"},"
                   "{\"userId\":\"amy2\",\"username\":\"amy\",\"role\":\"viewer\"},"
                   "{\"userId\":\"zed\",\"username\":\"zed\",\"role\":\"viewer\"}]");
}

/* The list is kept in order as viewers come and go, and built once per
 * viewer: a promotion or a new name must still show at once. */
static void
test_viewer_list_follows_changes (void)
{
  g_autoptr(GwRoom) room = gw_room_new ("room_1");
  g_autoptr(JsonArray) before = NULL;
  g_autoptr(JsonArray) after = NULL;
  g_autoptr(JsonArray) last = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  g_autofree char *text = NULL;

  gw_room_add_socket (room, "s1", "amy", "Amy", GW_ROLE_VIEWER, T0);
  gw_room_add_socket (room, "s2", "bob", "Bob", GW_ROLE_VIEWER, T0);
  gw_room_add_socket (room, "s3", "cat", "Cat", GW_ROLE_VIEWER, T0);
  before = gw_room_dup_viewers_json (room);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (before, 0), "userId"), ==, "amy");

  /* cat signed in again as a moderator, bob renamed themselves */
  gw_room_add_socket (room, "s3", "cat", "Cat", GW_ROLE_MODERATOR, T0);
  gw_room_add_socket (room, "s2", "bob", "aaron", GW_ROLE_VIEWER, T0);
  after = gw_room_dup_viewers_json (room);
  json_node_set_array (node, after);
  text = json_to_string (node, FALSE);
  g_assert_cmpstr (text, ==,
                   "[{\"userId\":\"cat\",\"username\":\"Cat\",\"role\":\"moderator\"},"
                   "{\"userId\":\"bob\",\"username\":\"aaron\",\"role\":\"viewer\"},"
                   "{\"userId\":\"amy\",\"username\":\"Amy\",\"role\":\"viewer\"}]");
  /* the list handed out earlier is not changed behind its holder's back */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (before, 2), "role"), ==, "viewer");

  g_assert_true (gw_room_remove_socket (room, "s3", T0, NULL));
  last = gw_room_dup_viewers_json (room);
  g_assert_cmpuint (json_array_get_length (last), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (last, 0), "userId"), ==, "bob");
  listed = gw_room_list_viewers (room);
  g_assert_cmpuint (listed->len, ==, 2);
  g_assert_cmpstr (((GwViewer *) g_ptr_array_index (listed, 1))->user_id, ==, "amy");
}

static void
test_presence_expiry (void)
{
  g_autoptr(GwRoom) room = gw_room_new ("room_1");
  g_autoptr(GPtrArray) gone = NULL;
  g_autoptr(GPtrArray) sockets = NULL;
  const gint64 idle = 90000;

  gw_room_add_socket (room, "a1", "alice", "Alice", GW_ROLE_VIEWER, T0);
  gw_room_add_socket (room, "a2", "alice", "Alice", GW_ROLE_VIEWER, T0);
  gw_room_add_socket (room, "b1", "bob", "Bob", GW_ROLE_VIEWER, T0);

  /* Alice pings from one tab; that keeps her whole presence alive. */
  g_assert_true (gw_room_touch (room, "a2", T0 + 60000));
  g_assert_false (gw_room_touch (room, "nobody", T0 + 60000));

  gone = gw_room_expire (room, T0 + idle - 1, idle, &sockets);
  g_assert_cmpuint (gone->len, ==, 0);
  g_assert_cmpuint (sockets->len, ==, 0);
  g_clear_pointer (&gone, g_ptr_array_unref);
  g_clear_pointer (&sockets, g_ptr_array_unref);

  gone = gw_room_expire (room, T0 + idle, idle, &sockets);
  g_assert_cmpuint (gone->len, ==, 1);
  g_assert_cmpstr (((GwViewer *) g_ptr_array_index (gone, 0))->user_id, ==, "bob");
  g_assert_cmpuint (sockets->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (sockets, 0), ==, "b1");
  g_assert_cmpuint (gw_room_get_viewer_count (room), ==, 1);
  g_assert_false (gw_room_has_socket (room, "b1"));
  g_clear_pointer (&gone, g_ptr_array_unref);
  g_clear_pointer (&sockets, g_ptr_array_unref);

  gone = gw_room_expire (room, T0 + 60000 + idle, idle, &sockets);
  g_assert_cmpuint (gone->len, ==, 1);
  g_assert_cmpuint (sockets->len, ==, 2);
  g_assert_cmpuint (gw_room_get_viewer_count (room), ==, 0);
}

static JsonObject *
message (const char *id,
         const char *text)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "messageId", id);
  json_object_set_string_member (object, "message", text);
  return object;
}

static void
test_history (void)
{
  g_autoptr(GwRoom) room = gw_room_new ("room_1");
  g_autoptr(JsonArray) recent = NULL;
  g_autofree char *id1 = gw_room_new_message_id (room);
  g_autofree char *id2 = gw_room_new_message_id (room);

  g_assert_cmpstr (id1, !=, id2);

  gw_room_set_history_size (room, 3);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *id = g_strdup_printf ("m%u", i);
      g_autoptr(JsonObject) m = message (id, id);

      gw_room_add_message (room, m);
    }

  recent = gw_room_dup_recent_messages (room);
  g_assert_cmpuint (json_array_get_length (recent), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (recent, 0), "messageId"), ==, "m2");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (recent, 2), "messageId"), ==, "m4");
  g_clear_pointer (&recent, json_array_unref);

  g_assert_true (gw_room_remove_message (room, "m3"));
  g_assert_false (gw_room_remove_message (room, "m3"));
  g_assert_false (gw_room_remove_message (room, "m0"));
  recent = gw_room_dup_recent_messages (room);
  g_assert_cmpuint (json_array_get_length (recent), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (recent, 1), "messageId"), ==, "m4");
  g_clear_pointer (&recent, json_array_unref);

  /* Shrinking the history drops the oldest. */
  gw_room_set_history_size (room, 1);
  recent = gw_room_dup_recent_messages (room);
  g_assert_cmpuint (json_array_get_length (recent), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (recent, 0), "messageId"), ==, "m4");
}

static void
test_sanctions (void)
{
  g_autoptr(GwRoom) room = gw_room_new ("room_1");
  g_autoptr(GError) error = NULL;
  gint64 until;

  g_assert_true (gw_room_check_can_send (room, "alice", T0, &error));
  g_assert_no_error (error);

  gw_room_timeout_user (room, "alice", T0 + 30000);
  g_assert_cmpint (gw_room_get_sanction (room, "alice", T0, &until), ==, GW_SANCTION_TIMEOUT);
  g_assert_cmpint (until, ==, T0 + 30000);
  g_assert_false (gw_room_check_can_send (room, "alice", T0 + 100, &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN);
  g_assert_cmpstr (error->message, ==, "You are timed out in this room for another 30 s");
  g_clear_error (&error);
  g_assert_true (gw_room_check_can_send (room, "bob", T0 + 100, NULL));

  /* The timeout ends by itself. */
  g_assert_true (gw_room_check_can_send (room, "alice", T0 + 30000, NULL));
  g_assert_cmpint (gw_room_get_sanction (room, "alice", T0 + 30000, NULL), ==, GW_SANCTION_NONE);

  /* A ban outweighs a timeout, and lasts until unbanned. */
  gw_room_timeout_user (room, "bob", T0 + 5000);
  gw_room_ban_user (room, "bob", GW_ROOM_FOREVER);
  g_assert_cmpint (gw_room_get_sanction (room, "bob", T0, NULL), ==, GW_SANCTION_BAN);
  g_assert_cmpint (gw_room_get_sanction (room, "bob", G_MAXINT64 - 1, NULL), ==, GW_SANCTION_BAN);
  g_assert_false (gw_room_check_can_send (room, "bob", T0, &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_false (gw_room_is_idle (room, T0, 0));

  g_assert_true (gw_room_unban_user (room, "bob"));
  g_assert_false (gw_room_unban_user (room, "bob"));
  g_assert_true (gw_room_check_can_send (room, "bob", T0, NULL));
}

static void
test_title_status (void)
{
  g_autoptr(GwRoom) room = gw_room_new ("room_1");

  g_assert_null (gw_room_get_title (room));
  g_assert_true (gw_room_set_title (room, "Hello"));
  g_assert_false (gw_room_set_title (room, "Hello"));
  g_assert_cmpstr (gw_room_get_title (room), ==, "Hello");
  g_assert_true (gw_room_set_status (room, "live"));
  g_assert_false (gw_room_set_status (room, "live"));
  g_assert_true (gw_room_set_status (room, "ended"));
  g_assert_cmpstr (gw_room_get_status (room), ==, "ended");
}

/* The owner the backend named outlives the room's viewers: forgetting it
 * would take the streamer's right to moderate with it. */
static void
test_owner (void)
{
  g_autoptr(GwRoom) room = gw_room_new ("room_1");

  g_assert_null (gw_room_get_owner (room));
  g_assert_true (gw_room_is_idle (room, 0, 0));
  g_assert_true (gw_room_set_owner (room, "star"));
  g_assert_false (gw_room_set_owner (room, "star"));
  g_assert_cmpstr (gw_room_get_owner (room), ==, "star");
  g_assert_false (gw_room_is_idle (room, G_MAXINT64 / 2, 0));
  g_assert_true (gw_room_set_owner (room, "other"));
  g_assert_cmpstr (gw_room_get_owner (room), ==, "other");
}

static void
test_rooms (void)
{
  g_autoptr(GwRooms) rooms = gw_rooms_new ();
  g_autoptr(GPtrArray) list = NULL;
  GwRoom *a;
  GwRoom *b;

  g_assert_null (gw_rooms_lookup (rooms, "a"));
  a = gw_rooms_ensure (rooms, "a");
  g_assert_true (gw_rooms_ensure (rooms, "a") == a);
  g_assert_true (gw_rooms_lookup (rooms, "a") == a);
  b = gw_rooms_ensure (rooms, "b");
  gw_rooms_ensure (rooms, "c");
  g_assert_cmpuint (gw_rooms_get_n_rooms (rooms), ==, 3);

  list = gw_rooms_list (rooms);
  g_assert_cmpuint (list->len, ==, 3);

  gw_room_add_socket (a, "s1", "alice", "Alice", GW_ROLE_VIEWER, T0);
  gw_room_add_socket (b, "s2", "bob", "Bob", GW_ROLE_VIEWER, T0);
  gw_room_remove_socket (b, "s2", T0 + 1000, NULL);

  /* c never had anyone; b was emptied a moment ago; a is in use. */
  g_assert_cmpuint (gw_rooms_prune (rooms, T0 + 2000, 60000), ==, 1);
  g_assert_null (gw_rooms_lookup (rooms, "c"));
  g_assert_nonnull (gw_rooms_lookup (rooms, "b"));
  g_assert_cmpuint (gw_rooms_prune (rooms, T0 + 61000, 60000), ==, 1);
  g_assert_null (gw_rooms_lookup (rooms, "b"));
  g_assert_nonnull (gw_rooms_lookup (rooms, "a"));

  /* The snapshot keeps pruned rooms alive for whoever still walks it. */
  g_assert_cmpuint (list->len, ==, 3);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gw/room/viewers-per-user", test_viewers_per_user);
  g_test_add_func ("/gw/room/socket-changes-user", test_socket_changes_user);
  g_test_add_func ("/gw/room/viewer-list", test_viewer_list);
  g_test_add_func ("/gw/room/viewer-list-follows-changes", test_viewer_list_follows_changes);
  g_test_add_func ("/gw/room/presence-expiry", test_presence_expiry);
  g_test_add_func ("/gw/room/history", test_history);
  g_test_add_func ("/gw/room/sanctions", test_sanctions);
  g_test_add_func ("/gw/room/title-status", test_title_status);
  g_test_add_func ("/gw/room/owner", test_owner);
  g_test_add_func ("/gw/rooms", test_rooms);

  return g_test_run ();
}
