/* test-ld-chat-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ld-chat-model.h"

/* Follows a model only through its items-changed signals, as a list view
 * does, so a wrong position or count shows up as a mismatch. */
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
  g_assert_cmpuint (mirror->items->len, ==, g_list_model_get_n_items (model));
}

static void
mirror_init (Mirror     *mirror,
             GListModel *model)
{
  mirror->model = model;
  mirror->items = g_ptr_array_new_with_free_func (g_object_unref);
  mirror->n_signals = 0;
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), mirror);
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

static void
mirror_clear (Mirror *mirror)
{
  g_signal_handlers_disconnect_by_data (mirror->model, mirror);
  g_ptr_array_unref (mirror->items);
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static LdMessage *
make_message (guint n)
{
  g_autofree char *json = g_strdup_printf ("{\"messageId\":\"m%u\",\"roomId\":\"room1\",\"userId\":\"u%u\","
                                           "\"username\":\"User %u\",\"role\":\"viewer\",\"message\":\"hello %u\","
                                           "\"messageType\":\"text\",\"timestamp\":\"2026-11-26T12:00:00.000Z\"}",
                                           n, n % 7, n % 7, n);
  g_autoptr(JsonObject) object = parse_object (json);
  g_autoptr(GError) error = NULL;
  LdMessage *message = ld_message_new_from_json (object, &error);

  g_assert_no_error (error);
  return message;
}

static void
append_range (LdChatModel *model,
              guint        from,
              guint        to)
{
  for (guint i = from; i < to; i++)
    {
      g_autoptr(LdMessage) message = make_message (i);
      g_assert_true (ld_chat_model_append (model, message));
    }
}

static void
assert_ids (GListModel *model,
            guint       first)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(LdMessage) message = g_list_model_get_item (model, i);
      g_autofree char *expected = g_strdup_printf ("m%u", first + i);
      g_assert_cmpstr (ld_message_get_id (message), ==, expected);
    }
}

static void
test_from_json (void)
{
  g_autoptr(JsonObject) text = parse_object ("{\"messageId\":\"abc\",\"roomId\":\"room_1\",\"userId\":\"u1\","
                                             "\"username\":\"Nguyễn Văn A\",\"role\":\"moderator\","
                                             "\"message\":\"xin chào\",\"messageType\":\"text\","
                                             "\"timestamp\":\"2026-11-26T12:34:56.789Z\"}");
  g_autoptr(JsonObject) image = parse_object ("{\"messageId\":42,\"roomId\":\"room_1\",\"userId\":\"u2\","
                                              "\"messageType\":\"image\",\"imageUrl\":\"https://i.imgur.com/a.png\"}");
  g_autoptr(JsonObject) backend = parse_object ("{\"type\":\"chat_message\",\"data\":{\"messageId\":\"b1\","
                                                "\"roomId\":\"r\",\"userId\":\"u3\",\"message\":\"from redis\"}}");
  g_autoptr(LdMessage) m1 = NULL;
  g_autoptr(LdMessage) m2 = NULL;
  g_autoptr(LdMessage) m3 = NULL;
  g_autoptr(GError) error = NULL;

  m1 = ld_message_new_from_json (text, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_message_get_id (m1), ==, "abc");
  g_assert_cmpstr (ld_message_get_room_id (m1), ==, "room_1");
  g_assert_cmpstr (ld_message_get_username (m1), ==, "Nguyễn Văn A");
  g_assert_cmpint (ld_message_get_role (m1), ==, LD_ROLE_MODERATOR);
  g_assert_cmpstr (ld_message_get_text (m1), ==, "xin chào");
  g_assert_cmpint (ld_message_get_message_type (m1), ==, LD_MESSAGE_TYPE_TEXT);
  g_assert_cmpint (ld_message_get_state (m1), ==, LD_MESSAGE_STATE_SENT);
  g_assert_false (ld_message_get_is_own (m1));
  g_assert_cmpint (g_date_time_get_hour (ld_message_get_timestamp (m1)), ==, 12);
  g_assert_cmpint (g_date_time_get_minute (ld_message_get_timestamp (m1)), ==, 34);
  g_assert_cmpint (g_date_time_get_microsecond (ld_message_get_timestamp (m1)), ==, 789000);

  m2 = ld_message_new_from_json (image, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_message_get_id (m2), ==, "42");
  g_assert_cmpstr (ld_message_get_username (m2), ==, "u2");
  g_assert_cmpint (ld_message_get_role (m2), ==, LD_ROLE_VIEWER);
  g_assert_cmpint (ld_message_get_message_type (m2), ==, LD_MESSAGE_TYPE_IMAGE);
  g_assert_cmpstr (ld_message_get_image_url (m2), ==, "https://i.imgur.com/a.png");
  g_assert_nonnull (ld_message_get_timestamp (m2));

  m3 = ld_message_new_from_backend (backend, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_message_get_id (m3), ==, "b1");
  g_assert_cmpstr (ld_message_get_text (m3), ==, "from redis");
}

/* What the production gateway relays from the backend, in every shape:
 * under data or flat, with or without messageId. A message without one is
 * shown under a local id of its own and has no server id to moderate. */
static void
test_backend_shapes (void)
{
  static const char * const shapes[] = {
    "{\"type\":\"chat_message\",\"data\":{\"messageId\":\"b1\",\"roomId\":\"r\",\"userId\":\"u\",\"message\":\"one\"}}",
    "{\"type\":\"chat_message\",\"data\":{\"roomId\":\"r\",\"userId\":\"u\",\"message\":\"two\"}}",
    "{\"type\":\"chat_message\",\"messageId\":\"b3\",\"roomId\":\"r\",\"userId\":\"u\",\"message\":\"three\"}",
    "{\"type\":\"chat_message\",\"roomId\":\"r\",\"userId\":\"u\",\"username\":\"Lan\",\"message\":\"four\","
      "\"timestamp\":\"2026-11-26T12:00:00.000Z\"}",
  };
  static const char * const texts[] = { "one", "two", "three", "four" };
  static const gboolean has_id[] = { TRUE, FALSE, TRUE, FALSE };
  g_autoptr(LdChatModel) model = ld_chat_model_new ();

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      g_autoptr(JsonObject) object = parse_object (shapes[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(LdMessage) message = ld_message_new_from_backend (object, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (ld_message_get_text (message), ==, texts[i]);
      g_assert_cmpstr (ld_message_get_room_id (message), ==, "r");
      g_assert_cmpint (ld_message_get_state (message), ==, LD_MESSAGE_STATE_SENT);
      g_assert_false (ld_message_get_is_own (message));
      if (has_id[i])
        g_assert_nonnull (ld_message_get_id (message));
      else
        {
          g_assert_null (ld_message_get_id (message));
          g_assert_nonnull (ld_message_get_local_id (message));
        }
      g_assert_true (ld_chat_model_append (model, message));
    }
  ld_chat_model_flush (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 4);
}

static void
test_malformed (void)
{
  static const struct {
    const char *json;
    gboolean    backend;
    int         code;
    const char *mentions;
  } cases[] = {
    { "{\"roomId\":\"r\",\"userId\":\"u\",\"message\":\"x\"}", FALSE, LD_PAYLOAD_ERROR_MISSING_FIELD, "messageId" },
    { "{\"messageId\":\"m\",\"roomId\":[1],\"userId\":\"u\",\"message\":\"x\"}", FALSE, LD_PAYLOAD_ERROR_WRONG_TYPE, "roomId" },
    { "{\"messageId\":\"m\",\"roomId\":\"r\",\"userId\":null,\"message\":\"x\"}", FALSE, LD_PAYLOAD_ERROR_MISSING_FIELD, "userId" },
    { "{\"messageId\":\"\",\"roomId\":\"r\",\"userId\":\"u\",\"message\":\"x\"}", FALSE, LD_PAYLOAD_ERROR_INVALID_VALUE, "messageId" },
    { "{\"messageId\":\"m\",\"roomId\":\"r\",\"userId\":\"u\",\"message\":5}", FALSE, LD_PAYLOAD_ERROR_WRONG_TYPE, "message" },
    { "{\"messageId\":\"m\",\"roomId\":\"r\",\"userId\":\"u\"}", FALSE, LD_PAYLOAD_ERROR_MISSING_FIELD, "message" },
    { "{\"messageId\":\"m\",\"roomId\":\"r\",\"userId\":\"u\",\"message\":\"x\",\"messageType\":\"video\"}", FALSE, LD_PAYLOAD_ERROR_INVALID_VALUE, "video" },
    { "{\"messageId\":\"m\",\"roomId\":\"r\",\"userId\":\"u\",\"messageType\":\"image\"}", FALSE, LD_PAYLOAD_ERROR_MISSING_FIELD, "imageUrl" },
    { "{\"messageId\":\"m\",\"roomId\":\"r\",\"userId\":\"u\",\"message\":\"x\",\"timestamp\":\"yesterday\"}", FALSE, LD_PAYLOAD_ERROR_INVALID_VALUE, "timestamp" },
    { "{\"messageId\":\"m\",\"roomId\":\"r\",\"userId\":\"u\",\"message\":\"x\",\"timestamp\":1700000000}", FALSE, LD_PAYLOAD_ERROR_WRONG_TYPE, "timestamp" },
    { "{\"messageId\":\"m\",\"roomId\":\"r\",\"userId\":\"u\",\"message\":\"x\",\"username\":{}}", FALSE, LD_PAYLOAD_ERROR_WRONG_TYPE, "username" },
    { "{\"type\":\"gift_send\",\"data\":{}}", TRUE, LD_PAYLOAD_ERROR_INVALID_VALUE, "chat_message" },
    /* Not under data, so read flat (the guide's publishChatMessage): no room. */
    { "{\"type\":\"chat_message\",\"data\":\"oops\"}", TRUE, LD_PAYLOAD_ERROR_MISSING_FIELD, "roomId" },
    { "{\"type\":\"chat_message\"}", TRUE, LD_PAYLOAD_ERROR_MISSING_FIELD, "roomId" },
    /* The backend's messageId may be absent, its author may not. */
    { "{\"type\":\"chat_message\",\"data\":{\"roomId\":\"r\"}}", TRUE, LD_PAYLOAD_ERROR_MISSING_FIELD, "userId" },
    { "{\"type\":\"chat_message\",\"data\":{\"type\":\"viewer_join\",\"roomId\":\"r\"}}", TRUE, LD_PAYLOAD_ERROR_INVALID_VALUE, "chat_message" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonObject) object = parse_object (cases[i].json);
      g_autoptr(GError) error = NULL;
      g_autoptr(LdMessage) message = NULL;

      if (cases[i].backend)
        message = ld_message_new_from_backend (object, &error);
      else
        message = ld_message_new_from_json (object, &error);

      g_test_message ("case %u: %s", i, error != NULL ? error->message : "(no error)");
      g_assert_null (message);
      g_assert_error (error, LD_PAYLOAD_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].mentions));
    }
}

typedef struct
{
  gboolean done;
} FlushWait;

static gboolean
set_true (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
on_flushed (GListModel *model,
            guint       position,
            guint       removed,
            guint       added,
            FlushWait  *wait)
{
  wait->done = TRUE;
}

static void
test_burst_coalesced (void)
{
  g_autoptr(LdChatModel) model = ld_chat_model_new ();
  FlushWait wait = { FALSE };
  Mirror mirror;
  guint timeout_id;
  gboolean timed_out = FALSE;

  mirror_init (&mirror, G_LIST_MODEL (model));
  g_signal_connect (model, "items-changed", G_CALLBACK (on_flushed), &wait);

  append_range (model, 0, 1000);

  /* Nothing is published before the flush, but lookups already work. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_cmpuint (mirror.n_signals, ==, 0);
  g_assert_nonnull (ld_chat_model_lookup (model, "m500"));

  /* The model flushes by itself on the main context. */
  timeout_id = g_timeout_add_seconds (10, set_true, &timed_out);
  while (!wait.done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout_id);

  g_assert_cmpuint (mirror.n_signals, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1000);
  mirror_check (&mirror);
  assert_ids (G_LIST_MODEL (model), 0);

  /* A second burst is one more signal, appended at the end. */
  append_range (model, 1000, 1500);
  ld_chat_model_flush (model);
  g_assert_cmpuint (mirror.n_signals, ==, 2);
  mirror_check (&mirror);
  assert_ids (G_LIST_MODEL (model), 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1500);

  /* Flushing with nothing pending says nothing. */
  ld_chat_model_flush (model);
  g_assert_cmpuint (mirror.n_signals, ==, 2);

  mirror_clear (&mirror);
}

static void
count_signal (gpointer data)
{
  (*(guint *) data)++;
}

/* A view is told when a batch begins, once, so that it can show the batch
 * in its next frame. */
static void
test_batch_pending (void)
{
  g_autoptr(LdChatModel) model = ld_chat_model_new ();
  guint pending = 0;

  g_signal_connect_swapped (model, "batch-pending", G_CALLBACK (count_signal), &pending);
  g_assert_false (ld_chat_model_get_batch_pending (model));
  append_range (model, 0, 10);
  g_assert_cmpuint (pending, ==, 1);
  g_assert_true (ld_chat_model_get_batch_pending (model));
  ld_chat_model_flush (model);
  g_assert_cmpuint (pending, ==, 1);
  g_assert_false (ld_chat_model_get_batch_pending (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 10);

  append_range (model, 10, 11);
  g_assert_cmpuint (pending, ==, 2);
  ld_chat_model_flush (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 11);
}

static void
test_ring_bound (void)
{
  g_autoptr(LdChatModel) model = ld_chat_model_new ();
  Mirror mirror;
  guint next = 0;

  g_assert_cmpuint (ld_chat_model_get_capacity (model), ==, LD_CHAT_MODEL_DEFAULT_CAPACITY);
  ld_chat_model_set_capacity (model, 100);
  mirror_init (&mirror, G_LIST_MODEL (model));

  /* Batches of 30: the ring fills, then each flush drops the oldest. */
  for (guint round = 0; round < 10; round++)
    {
      guint before = mirror.n_signals;

      append_range (model, next, next + 30);
      next += 30;
      ld_chat_model_flush (model);
      g_assert_cmpuint (mirror.n_signals - before, <=, 2);
      mirror_check (&mirror);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, MIN (next, 100));
      assert_ids (G_LIST_MODEL (model), next > 100 ? next - 100 : 0);
    }

  /* Dropped messages are forgotten by the lookup too. */
  g_assert_null (ld_chat_model_lookup (model, "m0"));
  g_assert_null (ld_chat_model_lookup (model, "m199"));
  g_assert_nonnull (ld_chat_model_lookup (model, "m200"));

  /* A burst bigger than the whole ring replaces it: only its newest 100 remain. */
  append_range (model, next, next + 1000);
  next += 1000;
  ld_chat_model_flush (model);
  mirror_check (&mirror);
  assert_ids (G_LIST_MODEL (model), next - 100);
  g_assert_null (ld_chat_model_lookup (model, "m300"));
  g_assert_null (ld_chat_model_lookup (model, "m1000"));
  g_assert_nonnull (ld_chat_model_lookup (model, "m1200"));

  /* Shrinking drops the oldest, growing keeps everything. */
  ld_chat_model_set_capacity (model, 10);
  mirror_check (&mirror);
  assert_ids (G_LIST_MODEL (model), next - 10);
  ld_chat_model_set_capacity (model, 50);
  append_range (model, next, next + 45);
  next += 45;
  ld_chat_model_flush (model);
  mirror_check (&mirror);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 50);
  assert_ids (G_LIST_MODEL (model), next - 50);

  ld_chat_model_clear (model);
  mirror_check (&mirror);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_null (ld_chat_model_lookup (model, "m1299"));

  mirror_clear (&mirror);
}

/* A full ring fed one message a batch drops a tenth of itself at once, not
 * one per batch: views see a removal at the top every tenth batch, and the
 * history never exceeds its capacity nor falls below nine tenths of it. */
static void
test_ring_drops_a_tenth (void)
{
  g_autoptr(LdChatModel) model = ld_chat_model_new ();
  Mirror mirror;
  guint next = 100;
  guint removals = 0;

  ld_chat_model_set_capacity (model, 100);
  mirror_init (&mirror, G_LIST_MODEL (model));
  append_range (model, 0, 100);
  ld_chat_model_flush (model);

  for (guint round = 0; round < 30; round++)
    {
      guint before = mirror.n_signals;

      append_range (model, next, next + 1);
      next++;
      ld_chat_model_flush (model);
      mirror_check (&mirror);
      removals += mirror.n_signals - before - 1;
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), <=, 100);
      g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), >=, 90);
      assert_ids (G_LIST_MODEL (model), next - g_list_model_get_n_items (G_LIST_MODEL (model)));
    }
  g_assert_cmpuint (removals, ==, 3);
  g_assert_null (ld_chat_model_lookup (model, "m29"));

  mirror_clear (&mirror);
}

static void
test_delete_and_lookup (void)
{
  g_autoptr(LdChatModel) model = ld_chat_model_new ();
  g_autoptr(JsonObject) deleted = parse_object ("{\"roomId\":\"room1\",\"messageId\":\"m3\",\"by\":\"mod1\"}");
  g_autoptr(JsonObject) unknown = parse_object ("{\"roomId\":\"room1\",\"messageId\":\"nope\",\"by\":\"mod1\"}");
  g_autoptr(JsonObject) broken = parse_object ("{\"roomId\":\"room1\",\"messageId\":[],\"by\":\"mod1\"}");
  g_autoptr(GError) error = NULL;
  LdMessage *message;
  guint notified = 0;

  append_range (model, 0, 5);
  ld_chat_model_flush (model);

  message = ld_chat_model_lookup (model, "m3");
  g_assert_nonnull (message);
  g_assert_cmpstr (ld_message_get_text (message), ==, "hello 3");
  g_signal_connect_swapped (message, "notify::state", G_CALLBACK (g_atomic_int_inc), &notified);

  g_assert_true (ld_chat_model_apply_deleted (model, deleted, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ld_message_get_state (message), ==, LD_MESSAGE_STATE_DELETED);
  g_assert_cmpstr (ld_message_get_deleted_by (message), ==, "mod1");
  g_assert_cmpuint (notified, ==, 1);
  /* Still in the list, where the view shows "deleted by". */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 5);

  g_assert_false (ld_chat_model_apply_deleted (model, unknown, &error));
  g_assert_no_error (error);
  g_assert_false (ld_chat_model_apply_deleted (model, broken, &error));
  g_assert_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_WRONG_TYPE);
  g_assert_cmpuint (notified, ==, 1);
}

static void
test_outbox (void)
{
  g_autoptr(LdChatModel) model = ld_chat_model_new ();
  g_autoptr(LdOutbox) outbox = ld_outbox_new (0);
  g_autoptr(LdMessage) mine = ld_message_new_outgoing ("room1", "me", "Me", LD_ROLE_VIEWER,
                                                         LD_MESSAGE_TYPE_TEXT, "first!");
  g_autoptr(LdMessage) failing = ld_message_new_outgoing ("room1", "me", "Me", LD_ROLE_VIEWER,
                                                            LD_MESSAGE_TYPE_TEXT, "too fast");
  g_autoptr(JsonObject) echo_json = parse_object ("{\"messageId\":\"srv-1\",\"roomId\":\"room1\",\"userId\":\"me\","
                                                  "\"message\":\"first!\"}");
  g_autoptr(LdMessage) echo = NULL;
  g_autoptr(GDateTime) when = g_date_time_new_utc (2026, 11, 26, 13, 0, 0);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (ld_message_get_state (mine), ==, LD_MESSAGE_STATE_PENDING);
  g_assert_true (ld_message_get_is_own (mine));
  g_assert_null (ld_message_get_id (mine));
  g_assert_nonnull (ld_message_get_local_id (mine));
  g_assert_cmpstr (ld_message_get_local_id (mine), !=, ld_message_get_local_id (failing));

  ld_chat_model_set_outbox (model, outbox);
  g_assert_true (ld_chat_model_append (model, mine));
  g_assert_true (ld_outbox_push (outbox, mine, NULL));
  g_assert_true (ld_chat_model_append (model, failing));
  g_assert_true (ld_outbox_push (outbox, failing, NULL));
  g_assert_false (ld_chat_model_append (model, mine));
  g_assert_true (ld_chat_model_lookup_local (model, ld_message_get_local_id (mine)) == mine);

  g_assert_true (ld_chat_model_mark_sent (model, ld_message_get_local_id (mine), "srv-1", when));
  g_assert_false (ld_chat_model_mark_sent (model, "no-such-local-id", "srv-2", when));
  g_assert_cmpint (ld_message_get_state (mine), ==, LD_MESSAGE_STATE_SENT);
  g_assert_true (g_date_time_equal (ld_message_get_timestamp (mine), when));
  g_assert_true (ld_chat_model_lookup (model, "srv-1") == mine);

  ld_message_mark_failed (failing, "RATE_LIMITED");
  g_assert_cmpint (ld_message_get_state (failing), ==, LD_MESSAGE_STATE_FAILED);
  g_assert_cmpstr (ld_message_get_failure_reason (failing), ==, "RATE_LIMITED");

  /* The server's echo of our own message does not show it twice. */
  echo = ld_message_new_from_json (echo_json, &error);
  g_assert_no_error (error);
  g_assert_false (ld_chat_model_append (model, echo));
  ld_chat_model_flush (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
}

static void
test_echo_before_sent (void)
{
  g_autoptr(LdChatModel) model = ld_chat_model_new ();
  g_autoptr(LdOutbox) outbox = ld_outbox_new (0);
  g_autoptr(LdMessage) first = ld_message_new_outgoing ("room1", "me", "Me", LD_ROLE_VIEWER,
                                                          LD_MESSAGE_TYPE_TEXT, "hi");
  g_autoptr(LdMessage) second = ld_message_new_outgoing ("room1", "me", "Me", LD_ROLE_VIEWER,
                                                           LD_MESSAGE_TYPE_TEXT, "hi");
  g_autoptr(LdMessage) failed = ld_message_new_outgoing ("room1", "me", "Me", LD_ROLE_VIEWER,
                                                           LD_MESSAGE_TYPE_TEXT, "lost");
  g_autoptr(JsonObject) echo1_json = parse_object ("{\"messageId\":\"s1\",\"roomId\":\"room1\",\"userId\":\"me\","
                                                   "\"message\":\"hi\",\"timestamp\":\"2026-11-26T13:00:01Z\"}");
  g_autoptr(JsonObject) other_json = parse_object ("{\"messageId\":\"s2\",\"roomId\":\"room1\",\"userId\":\"me\","
                                                   "\"message\":\"from my other device\"}");
  g_autoptr(JsonObject) lost_json = parse_object ("{\"messageId\":\"s3\",\"roomId\":\"room1\",\"userId\":\"me\","
                                                  "\"message\":\"lost\"}");
  g_autoptr(LdMessage) echo1 = NULL;
  g_autoptr(LdMessage) other = NULL;
  g_autoptr(LdMessage) lost = NULL;
  g_autoptr(GError) error = NULL;

  echo1 = ld_message_new_from_json (echo1_json, &error);
  g_assert_no_error (error);
  other = ld_message_new_from_json (other_json, &error);
  g_assert_no_error (error);
  lost = ld_message_new_from_json (lost_json, &error);
  g_assert_no_error (error);

  /* As the session does: into the chat, and into the outbox. */
  ld_chat_model_set_outbox (model, outbox);
  ld_chat_model_append (model, first);
  ld_outbox_push (outbox, first, NULL);
  ld_chat_model_append (model, second);
  ld_outbox_push (outbox, second, NULL);
  ld_chat_model_append (model, failed);
  ld_outbox_push (outbox, failed, NULL);
  ld_message_mark_failed (failed, "RATE_LIMITED");

  /* The broadcast of our first "hi" arrives before its messageSent: it
   * confirms the oldest matching pending message, and is not shown twice. */
  g_assert_false (ld_chat_model_append (model, echo1));
  g_assert_cmpint (ld_message_get_state (first), ==, LD_MESSAGE_STATE_SENT);
  g_assert_cmpstr (ld_message_get_id (first), ==, "s1");
  g_assert_cmpint (g_date_time_get_second (ld_message_get_timestamp (first)), ==, 1);
  g_assert_cmpint (ld_message_get_state (second), ==, LD_MESSAGE_STATE_PENDING);
  g_assert_true (ld_chat_model_lookup (model, "s1") == first);

  /* The late messageSent for it changes nothing. */
  g_assert_true (ld_chat_model_mark_sent (model, ld_message_get_local_id (first), "s1", NULL));
  g_assert_cmpstr (ld_message_get_id (first), ==, "s1");

  /* Our own user id with other content is a message of its own. */
  g_assert_true (ld_chat_model_append (model, other));
  /* A failed message is not brought back by a look-alike. */
  g_assert_true (ld_chat_model_append (model, lost));
  g_assert_cmpint (ld_message_get_state (failed), ==, LD_MESSAGE_STATE_FAILED);

  ld_chat_model_flush (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 5);

  /* Retried, the failed one is pending again and its broadcast confirms it. */
  g_assert_false (ld_chat_model_retry (model, ld_message_get_local_id (first)));
  g_assert_false (ld_chat_model_retry (model, "no-such-local-id"));
  g_assert_true (ld_chat_model_retry (model, ld_message_get_local_id (failed)));
  ld_outbox_requeue (outbox, failed);
  g_assert_cmpint (ld_message_get_state (failed), ==, LD_MESSAGE_STATE_PENDING);
  g_assert_null (ld_message_get_failure_reason (failed));
  {
    g_autoptr(JsonObject) again_json = parse_object ("{\"messageId\":\"s4\",\"roomId\":\"room1\",\"userId\":\"me\","
                                                     "\"message\":\"lost\"}");
    g_autoptr(LdMessage) again = ld_message_new_from_json (again_json, &error);

    g_assert_no_error (error);
    g_assert_false (ld_chat_model_append (model, again));
    g_assert_cmpstr (ld_message_get_id (failed), ==, "s4");
    g_assert_cmpint (ld_message_get_state (failed), ==, LD_MESSAGE_STATE_SENT);
  }
}

static void
append_more (GListModel *model,
             guint       position,
             guint       removed,
             guint       added,
             guint      *next)
{
  if (*next < 130)
    {
      append_range (LD_CHAT_MODEL (model), *next, *next + 10);
      *next += 10;
      ld_chat_model_flush (LD_CHAT_MODEL (model));
    }
}

static void
test_append_from_handler (void)
{
  g_autoptr(LdChatModel) model = ld_chat_model_new ();
  Mirror mirror;
  guint next = 100;

  ld_chat_model_set_capacity (model, 50);
  mirror_init (&mirror, G_LIST_MODEL (model));
  g_signal_connect (model, "items-changed", G_CALLBACK (append_more), &next);

  /* Each flush's signals make the handler append and flush again: those
   * go out in the next batch, in order, and the ring keeps its bound. */
  append_range (model, 0, 100);
  ld_chat_model_flush (model);
  mirror_check (&mirror);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 50);
  assert_ids (G_LIST_MODEL (model), 50);

  /* Each later flush publishes what the previous one's handler appended. */
  for (guint i = 0; i < 5; i++)
    ld_chat_model_flush (model);
  g_assert_cmpuint (next, ==, 130);
  mirror_check (&mirror);
  assert_ids (G_LIST_MODEL (model), 80);

  g_signal_handlers_disconnect_by_func (model, append_more, &next);
  mirror_clear (&mirror);
}

static GDateTime *
at_ms (guint ms)
{
  g_autoptr(GDateTime) start = g_date_time_new_utc (2026, 11, 26, 12, 0, 0);

  return g_date_time_add (start, (GTimeSpan) ms * 1000);
}

static void
join (LdChatModel    *model,
      LdPresenceKind  kind,
      guint           user,
      guint           ms)
{
  g_autofree char *id = g_strdup_printf ("u%u", user);
  g_autofree char *name = g_strdup_printf ("Khách %u", user);
  g_autoptr(GDateTime) when = at_ms (ms);

  g_assert_nonnull (ld_chat_model_add_presence (model, kind, id, name, when));
}

static char *
summary_at (GListModel *timeline,
            guint       position)
{
  g_autoptr(GObject) item = g_list_model_get_item (timeline, position);

  g_assert_true (LD_IS_PRESENCE_LINE (item));
  return ld_presence_line_dup_summary (LD_PRESENCE_LINE (item));
}

/* A burst of joins is one line in the timeline ("Khách 0, Khách 1 and 23
 * others joined", every name in its details, nobody twice); a lone join is
 * its own line; leaves get lines of their own; the messages model never
 * sees any of it. */
static void
test_presence_collapsed (void)
{
  g_autoptr(LdChatModel) model = ld_chat_model_new ();
  GListModel *timeline = ld_chat_model_get_timeline (model);
  g_autoptr(GObject) line = NULL;
  g_autofree char *details = NULL;
  g_autofree char *text = NULL;
  Mirror mirror;

  mirror_init (&mirror, timeline);
  g_assert_true (g_list_model_get_item_type (timeline) == G_TYPE_OBJECT);

  /* 25 viewers within a second, one of them twice. */
  for (guint i = 0; i < 25; i++)
    join (model, LD_PRESENCE_JOINED, i, i * 40);
  join (model, LD_PRESENCE_JOINED, 3, 1000);
  ld_chat_model_flush (model);
  mirror_check (&mirror);
  g_assert_cmpuint (g_list_model_get_n_items (timeline), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  text = summary_at (timeline, 0);
  g_assert_cmpstr (text, ==, "Khách 0, Khách 1 and 23 others joined");
  line = g_list_model_get_item (timeline, 0);
  g_assert_cmpuint (ld_presence_line_get_count (LD_PRESENCE_LINE (line)), ==, 25);
  details = ld_presence_line_dup_details (LD_PRESENCE_LINE (line));
  g_assert_true (g_str_has_prefix (details, "Khách 0, Khách 1, Khách 2, "));
  g_assert_true (g_str_has_suffix (details, "Khách 24"));

  /* Chat, then one join much later: a line of its own, after the message. */
  append_range (model, 0, 1);
  join (model, LD_PRESENCE_JOINED, 99, 60000);
  /* Two leaves at once. */
  join (model, LD_PRESENCE_LEFT, 5, 60100);
  join (model, LD_PRESENCE_LEFT, 6, 60200);
  ld_chat_model_flush (model);
  mirror_check (&mirror);
  g_assert_cmpuint (g_list_model_get_n_items (timeline), ==, 4);
  g_clear_pointer (&text, g_free);
  text = summary_at (timeline, 2);
  g_assert_cmpstr (text, ==, "Khách 99 joined");
  g_clear_pointer (&text, g_free);
  text = summary_at (timeline, 3);
  g_assert_cmpstr (text, ==, "Khách 5 and Khách 6 left");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1);

  /* Joins with chat between, a minute apart: separate lines; with nothing
   * between they go on growing the newest line, however slowly. */
  append_range (model, 1, 2);
  join (model, LD_PRESENCE_JOINED, 100, 120000);
  join (model, LD_PRESENCE_JOINED, 101, 180000);
  ld_chat_model_flush (model);
  mirror_check (&mirror);
  g_assert_cmpuint (g_list_model_get_n_items (timeline), ==, 6);
  g_clear_pointer (&text, g_free);
  text = summary_at (timeline, 5);
  g_assert_cmpstr (text, ==, "Khách 100 and Khách 101 joined");

  ld_chat_model_clear (model);
  mirror_check (&mirror);
  g_assert_cmpuint (g_list_model_get_n_items (timeline), ==, 0);
  mirror_clear (&mirror);
}

/* The timeline keeps to the capacity like the messages, presence lines
 * counted; its newest entries are the newest messages. */
static void
test_timeline_bound (void)
{
  g_autoptr(LdChatModel) model = ld_chat_model_new ();
  GListModel *timeline = ld_chat_model_get_timeline (model);
  Mirror mirror;

  ld_chat_model_set_capacity (model, 50);
  mirror_init (&mirror, timeline);
  for (guint round = 0; round < 20; round++)
    {
      append_range (model, round * 10, round * 10 + 10);
      join (model, LD_PRESENCE_JOINED, round, round * 10000);
      ld_chat_model_flush (model);
      mirror_check (&mirror);
      g_assert_cmpuint (g_list_model_get_n_items (timeline), <=, 50);
      g_assert_cmpuint (g_list_model_get_n_items (timeline), >=, MIN (11 * (round + 1), 45));
    }

  {
    g_autoptr(GObject) newest = g_list_model_get_item (timeline, g_list_model_get_n_items (timeline) - 1);
    g_autoptr(GObject) before = g_list_model_get_item (timeline, g_list_model_get_n_items (timeline) - 2);

    g_assert_true (LD_IS_PRESENCE_LINE (newest));
    g_assert_true (LD_IS_MESSAGE (before));
    g_assert_cmpstr (ld_message_get_id (LD_MESSAGE (before)), ==, "m199");
  }

  ld_chat_model_set_capacity (model, 5);
  mirror_check (&mirror);
  g_assert_cmpuint (g_list_model_get_n_items (timeline), ==, 5);
  mirror_clear (&mirror);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chat-model/message-from-json", test_from_json);
  g_test_add_func ("/chat-model/message-malformed", test_malformed);
  g_test_add_func ("/chat-model/message-from-backend-shapes", test_backend_shapes);
  g_test_add_func ("/chat-model/burst-coalesced", test_burst_coalesced);
  g_test_add_func ("/chat-model/batch-pending", test_batch_pending);
  g_test_add_func ("/chat-model/ring-bound", test_ring_bound);
  g_test_add_func ("/chat-model/ring-drops-a-tenth", test_ring_drops_a_tenth);
  g_test_add_func ("/chat-model/delete-and-lookup", test_delete_and_lookup);
  g_test_add_func ("/chat-model/outbox", test_outbox);
  g_test_add_func ("/chat-model/echo-before-sent", test_echo_before_sent);
  g_test_add_func ("/chat-model/append-from-handler", test_append_from_handler);
  g_test_add_func ("/chat-model/presence-collapsed", test_presence_collapsed);
  g_test_add_func ("/chat-model/timeline-bound", test_timeline_bound);

  return g_test_run ();
}
