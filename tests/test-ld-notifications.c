/* test-ld-notifications.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ld-notification-model.h"

typedef struct
{
  GListModel *model;
  GPtrArray  *items;
} Mirror;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Mirror     *mirror)
{
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

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

static LdNotification *
add (LdNotificationModel  *model,
     LdNotificationSource  source,
     const char           *json)
{
  g_autoptr(JsonObject) object = parse_object (json);
  g_autoptr(GError) error = NULL;
  LdNotification *notification = ld_notification_model_add_from_json (model, object, source, &error);

  g_assert_no_error (error);
  g_assert_nonnull (notification);
  return notification;
}

/* Ids in list order. */
static char *
ids (GListModel *model)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(LdNotification) notification = g_list_model_get_item (model, i);

      g_string_append_printf (out, "%s%s", i > 0 ? " " : "", ld_notification_get_id (notification));
    }

  return g_string_free (out, FALSE);
}

#define assert_ids(model, expected) \
  G_STMT_START { \
    g_autofree char *_ids = ids (G_LIST_MODEL (model)); \
    g_assert_cmpstr (_ids, ==, expected); \
  } G_STMT_END

static void
test_payloads (void)
{
  g_autoptr(LdNotificationModel) model = ld_notification_model_new ();
  LdNotification *n;
  static const struct {
    const char *json;
    int         code;
    const char *mentions;
  } bad[] = {
    { "{\"id\":{},\"title\":\"x\"}", LD_PAYLOAD_ERROR_WRONG_TYPE, "id" },
    { "{\"id\":\"n\",\"title\":7}", LD_PAYLOAD_ERROR_WRONG_TYPE, "title" },
    { "{\"id\":\"n\",\"type\":false}", LD_PAYLOAD_ERROR_WRONG_TYPE, "type" },
    { "{\"id\":\"n\",\"timestamp\":\"soon\"}", LD_PAYLOAD_ERROR_INVALID_VALUE, "timestamp" },
  };

  n = add (model, LD_NOTIFICATION_SOURCE_USER,
           "{\"id\":\"n1\",\"type\":\"gift\",\"title\":\"Quà mới\",\"message\":\"Lan gửi pháo hoa\","
           "\"data\":{\"giftId\":\"g7\",\"n\":[1,2]},\"timestamp\":\"2026-11-26T12:00:00Z\"}");
  g_assert_cmpstr (ld_notification_get_id (n), ==, "n1");
  g_assert_cmpstr (ld_notification_get_kind (n), ==, "gift");
  g_assert_cmpstr (ld_notification_get_title (n), ==, "Quà mới");
  g_assert_cmpstr (ld_notification_get_message (n), ==, "Lan gửi pháo hoa");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (ld_notification_get_data (n)), "giftId"), ==, "g7");
  g_assert_cmpint (g_date_time_get_hour (ld_notification_get_timestamp (n)), ==, 12);
  g_assert_false (ld_notification_get_read (n));

  /* systemNotification is "system", whatever it says. */
  n = add (model, LD_NOTIFICATION_SOURCE_SYSTEM, "{\"id\":5,\"type\":\"promo\",\"message\":\"Bảo trì lúc 23:00\"}");
  g_assert_cmpstr (ld_notification_get_id (n), ==, "5");
  g_assert_cmpstr (ld_notification_get_kind (n), ==, "system");
  g_assert_cmpint (ld_notification_get_source (n), ==, LD_NOTIFICATION_SOURCE_SYSTEM);
  g_assert_null (ld_notification_get_data (n));

  n = add (model, LD_NOTIFICATION_SOURCE_USER, "{\"id\":\"n2\"}");
  g_assert_cmpstr (ld_notification_get_kind (n), ==, "info");

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonObject) object = parse_object (bad[i].json);
      g_autoptr(GError) error = NULL;

      g_assert_null (ld_notification_model_add_from_json (model, object, LD_NOTIFICATION_SOURCE_USER, &error));
      g_test_message ("case %u: %s", i, error->message);
      g_assert_error (error, LD_PAYLOAD_ERROR, bad[i].code);
      g_assert_nonnull (strstr (error->message, bad[i].mentions));
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);
}

/* The guide's client fills in what the platform leaves out: an id from
 * Date.now() and the title "Notification"; two in a row stay two. */
static void
test_defaults (void)
{
  g_autoptr(LdNotificationModel) model = ld_notification_model_new ();
  gint64 before = g_get_real_time () / 1000;
  LdNotification *first, *second;
  gint64 id;

  first = add (model, LD_NOTIFICATION_SOURCE_USER, "{\"message\":\"Bạn có quà\"}");
  second = add (model, LD_NOTIFICATION_SOURCE_USER, "{\"type\":\"gift\",\"title\":\"\",\"message\":\"Lần nữa\"}");

  id = g_ascii_strtoll (ld_notification_get_id (first), NULL, 10);
  g_assert_cmpint (id, >=, before);
  g_assert_cmpint (id, <=, g_get_real_time () / 1000 + 1);
  g_assert_cmpstr (ld_notification_get_id (first), !=, ld_notification_get_id (second));
  g_assert_cmpstr (ld_notification_get_title (first), ==, "Notification");
  g_assert_cmpstr (ld_notification_get_title (second), ==, "Notification");
  g_assert_cmpstr (ld_notification_get_message (first), ==, "Bạn có quà");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
}

static void
test_unread_and_updates (void)
{
  g_autoptr(LdNotificationModel) model = ld_notification_model_new ();
  g_autoptr(JsonObject) update = parse_object ("{\"id\":\"n1\",\"title\":\"Đã sửa\",\"read\":true}");
  g_autoptr(JsonObject) unknown = parse_object ("{\"id\":\"zzz\",\"title\":\"nobody\"}");
  g_autoptr(JsonObject) bad = parse_object ("{\"id\":\"n2\",\"title\":\"ok\",\"read\":\"yes\"}");
  g_autoptr(GError) error = NULL;
  guint unread_notified = 0;
  LdNotification *n1, *n2;

  g_signal_connect_swapped (model, "notify::unread-count", G_CALLBACK (g_atomic_int_inc), &unread_notified);

  n1 = add (model, LD_NOTIFICATION_SOURCE_USER, "{\"id\":\"n1\",\"title\":\"Một\"}");
  n2 = add (model, LD_NOTIFICATION_SOURCE_USER, "{\"id\":\"n2\",\"title\":\"Hai\"}");
  add (model, LD_NOTIFICATION_SOURCE_SYSTEM, "{\"id\":\"n3\",\"title\":\"Ba\"}");
  g_assert_cmpuint (ld_notification_model_get_unread_count (model), ==, 3);
  g_assert_cmpuint (unread_notified, ==, 3);

  /* newest first */
  assert_ids (model, "n3 n2 n1");

  g_assert_true (ld_notification_model_apply_update (model, update, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (ld_notification_get_title (n1), ==, "Đã sửa");
  g_assert_true (ld_notification_get_read (n1));
  g_assert_cmpuint (ld_notification_model_get_unread_count (model), ==, 2);

  g_assert_true (ld_notification_model_apply_update (model, unknown, &error));
  g_assert_no_error (error);

  /* A malformed update changes nothing at all. */
  g_assert_false (ld_notification_model_apply_update (model, bad, &error));
  g_assert_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_WRONG_TYPE);
  g_clear_error (&error);
  g_assert_cmpstr (ld_notification_get_title (n2), ==, "Hai");

  g_assert_true (ld_notification_model_mark_read (model, "n2"));
  g_assert_false (ld_notification_model_mark_read (model, "nope"));
  g_assert_cmpuint (ld_notification_model_get_unread_count (model), ==, 1);

  /* The view can flip the item itself, the count follows. */
  ld_notification_set_read (n2, FALSE);
  g_assert_cmpuint (ld_notification_model_get_unread_count (model), ==, 2);

  ld_notification_model_mark_all_read (model);
  g_assert_cmpuint (ld_notification_model_get_unread_count (model), ==, 0);

  /* The same id again is an update in place, not a second entry. */
  add (model, LD_NOTIFICATION_SOURCE_USER, "{\"id\":\"n2\",\"title\":\"Hai lần\"}");
  assert_ids (model, "n3 n2 n1");
  g_assert_cmpstr (ld_notification_get_title (n2), ==, "Hai lần");
}

static void
test_filter_and_bound (void)
{
  g_autoptr(LdNotificationModel) model = ld_notification_model_new ();
  Mirror mirror = { G_LIST_MODEL (model), g_ptr_array_new_with_free_func (g_object_unref) };

  g_assert_cmpuint (ld_notification_model_get_capacity (model), ==, LD_NOTIFICATION_MODEL_DEFAULT_CAPACITY);
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &mirror);

  add (model, LD_NOTIFICATION_SOURCE_USER, "{\"id\":\"a\",\"type\":\"gift\"}");
  add (model, LD_NOTIFICATION_SOURCE_SYSTEM, "{\"id\":\"b\"}");
  add (model, LD_NOTIFICATION_SOURCE_USER, "{\"id\":\"c\",\"type\":\"follow\"}");
  add (model, LD_NOTIFICATION_SOURCE_SYSTEM, "{\"id\":\"d\"}");
  mirror_check (&mirror);

  ld_notification_model_set_type_filter (model, "system");
  assert_ids (model, "d b");
  mirror_check (&mirror);
  /* The badge counts everything. */
  g_assert_cmpuint (ld_notification_model_get_unread_count (model), ==, 4);

  add (model, LD_NOTIFICATION_SOURCE_USER, "{\"id\":\"e\",\"type\":\"gift\"}");
  add (model, LD_NOTIFICATION_SOURCE_SYSTEM, "{\"id\":\"f\"}");
  assert_ids (model, "f d b");
  mirror_check (&mirror);

  /* A type that changes moves the notification in or out of the view. */
  {
    g_autoptr(JsonObject) update = parse_object ("{\"id\":\"c\",\"type\":\"system\"}");
    g_autoptr(GError) error = NULL;

    g_assert_true (ld_notification_model_apply_update (model, update, &error));
    g_assert_no_error (error);
  }
  assert_ids (model, "f d c b");
  mirror_check (&mirror);

  ld_notification_model_set_type_filter (model, "gift");
  assert_ids (model, "e a");
  mirror_check (&mirror);

  /* Bounded: the oldest go, from the view too. */
  ld_notification_model_set_capacity (model, 3);
  assert_ids (model, "e");
  mirror_check (&mirror);
  g_assert_null (ld_notification_model_lookup (model, "a"));
  g_assert_cmpuint (ld_notification_model_get_unread_count (model), ==, 3);

  ld_notification_model_set_type_filter (model, NULL);
  assert_ids (model, "f e d");
  mirror_check (&mirror);

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"id\":\"x%u\"}", i);
      add (model, LD_NOTIFICATION_SOURCE_USER, json);
      mirror_check (&mirror);
    }
  assert_ids (model, "x9 x8 x7");
  g_assert_cmpuint (ld_notification_model_get_unread_count (model), ==, 3);

  ld_notification_model_clear (model);
  mirror_check (&mirror);
  g_assert_cmpuint (ld_notification_model_get_unread_count (model), ==, 0);

  g_signal_handlers_disconnect_by_data (model, &mirror);
  g_ptr_array_unref (mirror.items);
}

/* Newest first by the notification's own time, not by arrival: one sent
 * late goes where its time says, in the filtered view too, one given a new
 * time moves, and a full model drops one older than all it holds at once. */
static void
test_by_time (void)
{
  g_autoptr(LdNotificationModel) model = ld_notification_model_new ();
  Mirror mirror = { G_LIST_MODEL (model), g_ptr_array_new_with_free_func (g_object_unref) };
  g_autoptr(JsonObject) ancient = parse_object ("{\"id\":\"z\",\"timestamp\":\"2026-11-01T08:00:00Z\"}");
  g_autoptr(GError) error = NULL;

  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &mirror);
  add (model, LD_NOTIFICATION_SOURCE_USER, "{\"id\":\"ten\",\"type\":\"gift\",\"timestamp\":\"2026-12-06T10:00:00Z\"}");
  add (model, LD_NOTIFICATION_SOURCE_USER, "{\"id\":\"eleven\",\"timestamp\":\"2026-12-06T11:00:00Z\"}");
  add (model, LD_NOTIFICATION_SOURCE_USER, "{\"id\":\"nine\",\"type\":\"gift\",\"timestamp\":\"2026-12-06T09:00:00Z\"}");
  add (model, LD_NOTIFICATION_SOURCE_USER, "{\"id\":\"half-ten\",\"timestamp\":\"2026-12-06T10:30:00Z\"}");
  assert_ids (model, "eleven half-ten ten nine");
  mirror_check (&mirror);

  /* Same time: the last to arrive comes first, as before. */
  add (model, LD_NOTIFICATION_SOURCE_USER, "{\"id\":\"ten-again\",\"timestamp\":\"2026-12-06T10:00:00Z\"}");
  assert_ids (model, "eleven half-ten ten-again ten nine");

  ld_notification_model_set_type_filter (model, "gift");
  add (model, LD_NOTIFICATION_SOURCE_USER, "{\"id\":\"late-gift\",\"type\":\"gift\",\"timestamp\":\"2026-12-06T09:30:00Z\"}");
  assert_ids (model, "ten late-gift nine");
  mirror_check (&mirror);
  ld_notification_model_set_type_filter (model, NULL);
  assert_ids (model, "eleven half-ten ten-again ten late-gift nine");
  mirror_check (&mirror);

  /* A new time from notificationUpdate moves it, in the view too. */
  {
    g_autoptr(JsonObject) update = parse_object ("{\"id\":\"nine\",\"timestamp\":\"2026-12-06T10:15:00Z\"}");

    g_assert_true (ld_notification_model_apply_update (model, update, &error));
    g_assert_no_error (error);
    assert_ids (model, "eleven half-ten nine ten-again ten late-gift");
    mirror_check (&mirror);
    ld_notification_model_set_type_filter (model, "gift");
    assert_ids (model, "nine ten late-gift");
    mirror_check (&mirror);
    g_clear_pointer (&update, json_object_unref);
    update = parse_object ("{\"id\":\"nine\",\"timestamp\":\"2026-12-06T09:00:00Z\"}");
    g_assert_true (ld_notification_model_apply_update (model, update, &error));
    assert_ids (model, "ten late-gift nine");
    mirror_check (&mirror);
    ld_notification_model_set_type_filter (model, NULL);
  }

  ld_notification_model_set_capacity (model, 6);
  g_assert_null (ld_notification_model_add_from_json (model, ancient, LD_NOTIFICATION_SOURCE_USER, &error));
  g_assert_no_error (error);
  g_assert_null (ld_notification_model_lookup (model, "z"));
  assert_ids (model, "eleven half-ten ten-again ten late-gift nine");
  mirror_check (&mirror);
  g_assert_cmpuint (ld_notification_model_get_unread_count (model), ==, 6);

  g_signal_handlers_disconnect_by_data (model, &mirror);
  g_ptr_array_unref (mirror.items);
}

static void
test_default_bound (void)
{
  g_autoptr(LdNotificationModel) model = ld_notification_model_new ();

  for (guint i = 0; i < 600; i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"id\":\"n%u\"}", i);
      add (model, LD_NOTIFICATION_SOURCE_USER, json);
    }

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 500);
  g_assert_null (ld_notification_model_lookup (model, "n99"));
  g_assert_nonnull (ld_notification_model_lookup (model, "n100"));
  g_assert_cmpuint (ld_notification_model_get_unread_count (model), ==, 500);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/notifications/payloads", test_payloads);
  g_test_add_func ("/notifications/defaults", test_defaults);
  g_test_add_func ("/notifications/unread-and-updates", test_unread_and_updates);
  g_test_add_func ("/notifications/filter-and-bound", test_filter_and_bound);
  g_test_add_func ("/notifications/default-bound", test_default_bound);
  g_test_add_func ("/notifications/by-time", test_by_time);

  return g_test_run ();
}
