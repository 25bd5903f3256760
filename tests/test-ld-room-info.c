/* test-ld-room-info.c: what the client reads of roomInfo's data, and what
 * it refuses.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-room-info.h"
#include "ld-viewer.h"

static JsonObject *
parse (const char *text)
{
  g_autoptr(JsonNode) node = json_from_string (text, NULL);

  g_assert_nonnull (node);
  return json_object_ref (json_node_get_object (node));
}

static void
test_full (void)
{
  g_autoptr(JsonObject) data = parse ("{\"roomId\":\"room_1\",\"title\":\"Phòng một\",\"status\":\"live\","
                                      "\"viewerCount\":3,\"viewers\":[{\"userId\":\"u1\",\"username\":\"Mai\","
                                      "\"role\":\"moderator\"},{\"userId\":\"u2\"},{\"username\":\"no id\"},7]}");
  g_autoptr(GError) error = NULL;
  g_autoptr(LdRoomInfo) info = ld_room_info_new_from_json (data, &error);
  g_autoptr(LdViewer) first = NULL;
  g_autoptr(LdViewer) second = NULL;
  GListModel *viewers;

  g_assert_no_error (error);
  g_assert_cmpstr (ld_room_info_get_room_id (info), ==, "room_1");
  g_assert_cmpstr (ld_room_info_get_title (info), ==, "Phòng một");
  g_assert_cmpstr (ld_room_info_get_status (info), ==, "live");
  g_assert_cmpuint (ld_room_info_get_viewer_count (info), ==, 3);

  /* Viewers that cannot be read are skipped, not fatal. */
  viewers = ld_room_info_get_viewers (info);
  g_assert_cmpuint (g_list_model_get_n_items (viewers), ==, 2);
  first = g_list_model_get_item (viewers, 0);
  second = g_list_model_get_item (viewers, 1);
  g_assert_cmpstr (ld_viewer_get_username (first), ==, "Mai");
  g_assert_cmpint (ld_viewer_get_role (first), ==, LD_ROLE_MODERATOR);
  g_assert_cmpstr (ld_viewer_get_user_id (second), ==, "u2");
  g_assert_cmpstr (ld_viewer_get_username (second), ==, "u2");
}

/* A numeric id is an id; the rest is optional, and nonsense in it is
 * left out rather than refusing the answer. */
static void
test_sparse (void)
{
  g_autoptr(JsonObject) data = parse ("{\"roomId\":42,\"title\":[],\"viewerCount\":-5,\"viewers\":\"x\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(LdRoomInfo) info = ld_room_info_new_from_json (data, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (ld_room_info_get_room_id (info), ==, "42");
  g_assert_null (ld_room_info_get_title (info));
  g_assert_null (ld_room_info_get_status (info));
  g_assert_cmpuint (ld_room_info_get_viewer_count (info), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (ld_room_info_get_viewers (info)), ==, 0);
}

static void
test_refused (void)
{
  static const char * const bad[] = { "{}", "{\"roomId\":null}", "{\"roomId\":{}}", "{\"title\":\"t\"}" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonObject) data = parse (bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(LdRoomInfo) info = ld_room_info_new_from_json (data, &error);

      g_assert_null (info);
      g_assert_nonnull (error);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/room-info/full", test_full);
  g_test_add_func ("/room-info/sparse", test_sparse);
  g_test_add_func ("/room-info/refused", test_refused);

  return g_test_run ();
}
