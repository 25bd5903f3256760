/* test-ld-viewer-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ld-viewer-model.h"

/* Follows the model through items-changed only, as a list view does. */
typedef struct
{
  GListModel *model;
  GPtrArray  *items;
  guint       n_signals;
} Mirror;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Mirror     *mirror)
{
  mirror->n_signals++;
  g_assert_cmpuint (position + removed, <=, mirror->items->len);
  g_ptr_array_remove_range (mirror->items, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (mirror->items, position + i, g_list_model_get_item (model, position + i));
}

static void
mirror_check (Mirror *mirror)
{
  g_assert_cmpuint (mirror->items->len, ==, g_list_model_get_n_items (mirror->model));
  for (guint i = 0; i < mirror->items->len; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (mirror->model, i);
      g_assert_true (item == g_ptr_array_index (mirror->items, i));
    }
}

/* "name/role, name/role, …" in list order. */
static char *
describe (GListModel *model)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(LdViewer) viewer = g_list_model_get_item (model, i);

      g_string_append_printf (out, "%s%s/%s", i > 0 ? ", " : "", ld_viewer_get_username (viewer),
                              ld_role_to_string (ld_viewer_get_role (viewer)));
    }

  return g_string_free (out, FALSE);
}

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

static void
add (LdViewerModel *model,
     const char    *id,
     const char    *name,
     LdRole         role)
{
  g_autoptr(LdViewer) viewer = ld_viewer_new (id, name, role);

  ld_viewer_model_add (model, viewer);
}

static void
test_sorted (void)
{
  g_autoptr(LdViewerModel) model = ld_viewer_model_new ();
  g_autofree char *text = NULL;
  Mirror mirror = { G_LIST_MODEL (model), g_ptr_array_new_with_free_func (g_object_unref), 0 };
  guint count_notified = 0;

  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &mirror);
  g_signal_connect_swapped (model, "notify::count", G_CALLBACK (g_atomic_int_inc), &count_notified);

  add (model, "u1", "carol", LD_ROLE_VIEWER);
  add (model, "u2", "Bob", LD_ROLE_VIEWER);
  add (model, "u3", "zed", LD_ROLE_MODERATOR);
  add (model, "u4", "alice", LD_ROLE_VIEWER);
  add (model, "u5", "Streamer", LD_ROLE_STREAMER);
  add (model, "u6", "mod", LD_ROLE_ADMIN);
  add (model, "u7", "anna", LD_ROLE_MODERATOR);

  /* Role first, then name without regard to case. */
  text = describe (G_LIST_MODEL (model));
  g_assert_cmpstr (text, ==, "Streamer/streamer, mod/admin, anna/moderator, zed/moderator, alice/viewer, Bob/viewer, carol/viewer");
  g_clear_pointer (&text, g_free);
  g_assert_cmpuint (ld_viewer_model_get_count (model), ==, 7);
  g_assert_cmpuint (count_notified, ==, 7);
  mirror_check (&mirror);

  g_assert_cmpstr (ld_viewer_get_username (ld_viewer_model_lookup (model, "u2")), ==, "Bob");
  g_assert_null (ld_viewer_model_lookup (model, "nobody"));

  /* A promotion moves the viewer; the count stays. */
  {
    g_autoptr(LdViewer) promoted = ld_viewer_new ("u1", "carol", LD_ROLE_MODERATOR);
    g_assert_false (ld_viewer_model_add (model, promoted));
  }
  text = describe (G_LIST_MODEL (model));
  g_assert_cmpstr (text, ==, "Streamer/streamer, mod/admin, anna/moderator, carol/moderator, zed/moderator, alice/viewer, Bob/viewer");
  g_clear_pointer (&text, g_free);
  g_assert_cmpuint (count_notified, ==, 7);
  mirror_check (&mirror);

  /* A rename in place. */
  {
    g_autoptr(LdViewer) renamed = ld_viewer_new ("u4", "alicia", LD_ROLE_VIEWER);
    ld_viewer_model_add (model, renamed);
  }
  mirror_check (&mirror);
  g_assert_cmpstr (ld_viewer_get_username (ld_viewer_model_lookup (model, "u4")), ==, "alicia");

  g_assert_true (ld_viewer_model_remove (model, "u3"));
  g_assert_false (ld_viewer_model_remove (model, "u3"));
  g_assert_cmpuint (ld_viewer_model_get_count (model), ==, 6);
  mirror_check (&mirror);

  ld_viewer_model_clear (model);
  g_assert_cmpuint (ld_viewer_model_get_count (model), ==, 0);
  g_assert_null (ld_viewer_model_lookup (model, "u1"));
  mirror_check (&mirror);

  g_signal_handlers_disconnect_by_data (model, &mirror);
  g_ptr_array_unref (mirror.items);
}

static void
test_replace_all (void)
{
  g_autoptr(LdViewerModel) model = ld_viewer_model_new ();
  g_autoptr(JsonNode) viewers = parse ("[{\"userId\":\"u1\",\"username\":\"Hà\",\"role\":\"viewer\"},"
                                       "{\"userId\":\"u2\",\"username\":\"Streamer\",\"role\":\"streamer\"},"
                                       "{\"userId\":\"u3\",\"role\":\"superhero\"},"
                                       "{\"userId\":\"u1\",\"username\":\"Hà\",\"role\":\"moderator\"}]");
  g_autoptr(JsonNode) broken = parse ("[{\"userId\":\"u9\"}, 42]");
  g_autoptr(JsonNode) broken_field = parse ("[{\"userId\":\"u9\",\"username\":[\"x\"]}]");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  Mirror mirror = { G_LIST_MODEL (model), g_ptr_array_new_with_free_func (g_object_unref), 0 };

  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &mirror);
  add (model, "old", "Old", LD_ROLE_VIEWER);
  mirror.n_signals = 0;

  g_assert_true (ld_viewer_model_replace_all (model, json_node_get_array (viewers), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mirror.n_signals, ==, 1);
  mirror_check (&mirror);

  /* Unknown roles are plain viewers; a missing name is the user id; a user
   * listed twice is there once, as last listed. */
  text = describe (G_LIST_MODEL (model));
  g_assert_cmpstr (text, ==, "Streamer/streamer, Hà/moderator, u3/viewer");
  g_assert_null (ld_viewer_model_lookup (model, "old"));

  /* Malformed: an error, and the list is untouched. */
  g_assert_false (ld_viewer_model_replace_all (model, json_node_get_array (broken), &error));
  g_assert_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_WRONG_TYPE);
  g_clear_error (&error);
  g_assert_false (ld_viewer_model_replace_all (model, json_node_get_array (broken_field), &error));
  g_assert_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_WRONG_TYPE);
  g_assert_nonnull (strstr (error->message, "username"));
  g_clear_error (&error);
  g_assert_cmpuint (ld_viewer_model_get_count (model), ==, 3);
  g_assert_cmpuint (mirror.n_signals, ==, 1);

  g_signal_handlers_disconnect_by_data (model, &mirror);
  g_ptr_array_unref (mirror.items);
}

static void
test_joined_left (void)
{
  g_autoptr(LdViewerModel) model = ld_viewer_model_new ();
  g_autoptr(JsonNode) joined = parse ("{\"roomId\":\"r\",\"userId\":\"u1\",\"username\":\"An\",\"viewerCount\":2}");
  g_autoptr(JsonNode) left = parse ("{\"roomId\":\"r\",\"userId\":\"u1\",\"username\":\"An\",\"viewerCount\":1}");
  g_autoptr(JsonNode) no_user = parse ("{\"roomId\":\"r\",\"username\":\"An\"}");
  g_autoptr(GError) error = NULL;

  /* A moderator who reconnects stays a moderator: userJoined has no role. */
  add (model, "u1", "An", LD_ROLE_MODERATOR);
  g_assert_true (ld_viewer_model_apply_joined (model, json_node_get_object (joined), &error));
  g_assert_no_error (error);
  g_assert_cmpint (ld_viewer_get_role (ld_viewer_model_lookup (model, "u1")), ==, LD_ROLE_MODERATOR);
  g_assert_cmpuint (ld_viewer_model_get_count (model), ==, 1);

  g_assert_true (ld_viewer_model_apply_left (model, json_node_get_object (left), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ld_viewer_model_get_count (model), ==, 0);

  g_assert_true (ld_viewer_model_apply_joined (model, json_node_get_object (joined), &error));
  g_assert_cmpint (ld_viewer_get_role (ld_viewer_model_lookup (model, "u1")), ==, LD_ROLE_VIEWER);

  g_assert_false (ld_viewer_model_apply_joined (model, json_node_get_object (no_user), &error));
  g_assert_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_MISSING_FIELD);
  g_clear_error (&error);
  g_assert_false (ld_viewer_model_apply_left (model, json_node_get_object (no_user), &error));
  g_assert_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_MISSING_FIELD);
  g_assert_cmpuint (ld_viewer_model_get_count (model), ==, 1);
}

static void
test_big_room (void)
{
  g_autoptr(LdViewerModel) model = ld_viewer_model_new ();

  /* Inserted in reverse order: every insertion lands in the right place. */
  for (guint i = 2000; i > 0; i--)
    {
      g_autofree char *id = g_strdup_printf ("u%u", i);
      g_autofree char *name = g_strdup_printf ("user%05u", i);

      add (model, id, name, i % 10 == 0 ? LD_ROLE_MODERATOR : LD_ROLE_VIEWER);
    }

  g_assert_cmpuint (ld_viewer_model_get_count (model), ==, 2000);
  for (guint i = 1; i < 2000; i++)
    {
      g_autoptr(LdViewer) a = g_list_model_get_item (G_LIST_MODEL (model), i - 1);
      g_autoptr(LdViewer) b = g_list_model_get_item (G_LIST_MODEL (model), i);

      g_assert_cmpint (ld_viewer_compare (a, b), <, 0);
    }
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* A timeout shows until its end and not after, without anyone lifting it;
 * a ban without end stays; setting the same again does not notify. */
static void
test_sanction (void)
{
  g_autoptr(LdViewer) viewer = ld_viewer_new ("alice", "Alice", LD_ROLE_VIEWER);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_minutes (now, 10);
  g_autoptr(GDateTime) earlier = g_date_time_add_seconds (now, -1);
  guint notified = 0;

  g_signal_connect (viewer, "notify::sanction", G_CALLBACK (count_notify), &notified);
  g_assert_cmpint (ld_viewer_get_sanction (viewer), ==, LD_SANCTION_NONE);

  ld_viewer_set_sanction (viewer, LD_SANCTION_TIMED_OUT, later);
  g_assert_cmpint (ld_viewer_get_sanction (viewer), ==, LD_SANCTION_TIMED_OUT);
  g_assert_true (g_date_time_equal (ld_viewer_get_sanction_until (viewer), later));
  g_assert_cmpuint (notified, ==, 1);
  ld_viewer_set_sanction (viewer, LD_SANCTION_TIMED_OUT, later);
  g_assert_cmpuint (notified, ==, 1);

  ld_viewer_set_sanction (viewer, LD_SANCTION_TIMED_OUT, earlier);
  g_assert_cmpint (ld_viewer_get_sanction (viewer), ==, LD_SANCTION_NONE);
  g_assert_null (ld_viewer_get_sanction_until (viewer));

  ld_viewer_set_sanction (viewer, LD_SANCTION_BANNED, NULL);
  g_assert_cmpint (ld_viewer_get_sanction (viewer), ==, LD_SANCTION_BANNED);
  g_assert_null (ld_viewer_get_sanction_until (viewer));
  ld_viewer_set_sanction (viewer, LD_SANCTION_NONE, NULL);
  g_assert_cmpint (ld_viewer_get_sanction (viewer), ==, LD_SANCTION_NONE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/viewer-model/sorted", test_sorted);
  g_test_add_func ("/viewer-model/replace-all", test_replace_all);
  g_test_add_func ("/viewer-model/joined-left", test_joined_left);
  g_test_add_func ("/viewer-model/big-room", test_big_room);
  g_test_add_func ("/viewer-model/sanction", test_sanction);

  return g_test_run ();
}
