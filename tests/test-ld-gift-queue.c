/* test-ld-gift-queue.c: the gift alert rules of ld-gift-queue.h, on a test
 * clock so every start and end is checked to the millisecond.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ld-gift-leaderboard.h"
#include "ld-gift-queue.h"
#include "ld-real-clock.h"
#include "ld-test-clock.h"

typedef struct
{
  LdTestClock *clock;
  LdGiftQueue *queue;
  GString     *log;
} Fixture;

static void
log_event (Fixture    *fixture,
           const char *what,
           LdGift     *gift)
{
  g_string_append_printf (fixture->log, "%s%s %s×%u@%" G_GINT64_FORMAT,
                          fixture->log->len > 0 ? ", " : "", what,
                          ld_gift_get_gift_name (gift), ld_gift_get_count (gift),
                          ld_clock_get_time_ms (LD_CLOCK (fixture->clock)));
}

static void
on_started (LdGiftQueue *queue,
            LdGift      *gift,
            Fixture     *fixture)
{
  g_assert_true (ld_gift_queue_get_current (queue) == gift);
  log_event (fixture, "start", gift);
}

static void
on_finished (LdGiftQueue *queue,
             LdGift      *gift,
             Fixture     *fixture)
{
  log_event (fixture, "end", gift);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->clock = ld_test_clock_new ();
  fixture->queue = ld_gift_queue_new (LD_CLOCK (fixture->clock));
  fixture->log = g_string_new (NULL);
  g_signal_connect (fixture->queue, "alert-started", G_CALLBACK (on_started), fixture);
  g_signal_connect (fixture->queue, "alert-finished", G_CALLBACK (on_finished), fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_assert_finalize_object (fixture->queue);
  g_assert_cmpuint (ld_test_clock_get_n_pending (fixture->clock), ==, 0);
  g_assert_finalize_object (fixture->clock);
  g_string_free (fixture->log, TRUE);
}

/* Advances to absolute time T. */
static void
advance_to (Fixture *fixture,
            gint64   t)
{
  gint64 now = ld_clock_get_time_ms (LD_CLOCK (fixture->clock));

  g_assert_cmpint (t, >=, now);
  ld_test_clock_advance (fixture->clock, (guint) (t - now));
}

static LdGift *
push (Fixture    *fixture,
      const char *sender,
      const char *name,
      const char *animation,
      double      value,
      guint       quantity)
{
  g_autoptr(LdGift) gift = ld_gift_new (sender, NULL, name, name, animation, value, quantity);

  return ld_gift_queue_push (fixture->queue, gift);
}

/* The waiting list a view shows matches the queue's own line. */
static void
assert_waiting (Fixture *fixture)
{
  GListModel *waiting = ld_gift_queue_get_waiting (fixture->queue);

  g_assert_cmpuint (g_list_model_get_n_items (waiting), ==, ld_gift_queue_get_n_waiting (fixture->queue));
  for (guint i = 0; i < g_list_model_get_n_items (waiting); i++)
    {
      g_autoptr(LdGift) gift = g_list_model_get_item (waiting, i);

      g_assert_true (gift == ld_gift_queue_peek_waiting (fixture->queue, i));
    }
}

static void
assert_log (Fixture    *fixture,
            const char *expected)
{
  assert_waiting (fixture);
  g_assert_cmpstr (fixture->log->str, ==, expected);
  g_string_truncate (fixture->log, 0);
}

static void
test_order_and_durations (Fixture       *fixture,
                          gconstpointer  data)
{
  g_assert_cmpuint (ld_gift_animation_duration_ms ("default"), ==, 2000);
  g_assert_cmpuint (ld_gift_animation_duration_ms ("fireworks"), ==, 3000);
  g_assert_cmpuint (ld_gift_animation_duration_ms ("hearts"), ==, 2500);
  g_assert_cmpuint (ld_gift_animation_duration_ms ("stars"), ==, 2000);
  g_assert_cmpuint (ld_gift_animation_duration_ms ("rainbow"), ==, 4000);
  g_assert_cmpuint (ld_gift_animation_duration_ms ("sparkles"), ==, 2000);
  g_assert_cmpuint (ld_gift_animation_duration_ms (NULL), ==, 2000);

  push (fixture, "u1", "a", "default", 1, 1);
  push (fixture, "u2", "b", "fireworks", 1, 1);
  push (fixture, "u3", "c", "rainbow", 1, 1);
  push (fixture, "u4", "d", "hearts", 1, 1);
  push (fixture, "u5", "e", "sparkles", 1, 1);
  push (fixture, "u6", "f", "stars", 1, 1);

  /* The first starts at once, inside push. */
  assert_log (fixture, "start a×1@0");
  g_assert_cmpuint (ld_gift_queue_get_n_waiting (fixture->queue), ==, 5);
  g_assert_cmpstr (ld_gift_get_gift_name (ld_gift_queue_peek_waiting (fixture->queue, 0)), ==, "b");

  advance_to (fixture, 1999);
  assert_log (fixture, "");
  advance_to (fixture, 60000);
  assert_log (fixture,
              "end a×1@2000, start b×1@3000, end b×1@6000, start c×1@7000, end c×1@11000, "
              "start d×1@12000, end d×1@14500, start e×1@15500, end e×1@17500, start f×1@18500, end f×1@20500");
  g_assert_null (ld_gift_queue_get_current (fixture->queue));
  g_assert_cmpuint (ld_gift_queue_get_n_waiting (fixture->queue), ==, 0);
}

static void
test_gap_after_last (Fixture       *fixture,
                     gconstpointer  data)
{
  push (fixture, "u1", "a", "default", 1, 1);
  advance_to (fixture, 2300);
  /* Arrives during the gap after a: waits for the gap to end. */
  push (fixture, "u2", "b", "default", 1, 1);
  advance_to (fixture, 6500);
  /* Arrives after b's gap ended: starts at once. */
  push (fixture, "u3", "c", "default", 1, 1);
  advance_to (fixture, 9000);
  assert_log (fixture, "start a×1@0, end a×1@2000, start b×1@3000, end b×1@5000, start c×1@6500, end c×1@8500");
}

static void
test_combo (Fixture       *fixture,
            gconstpointer  data)
{
  LdGift *rose, *u2_rose, *late;
  guint count_notified = 0;
  guint received = 0;

  /* Every send is reported, merged or not, so a leaderboard can count it. */
  g_signal_connect_swapped (fixture->queue, "gift-received", G_CALLBACK (g_atomic_int_inc), &received);
  rose = push (fixture, "u1", "rose", "default", 10, 1);
  g_signal_connect_swapped (rose, "notify::count", G_CALLBACK (g_atomic_int_inc), &count_notified);

  /* Same sender, same gift, 1 s later: merges into the playing alert. */
  advance_to (fixture, 1000);
  g_assert_true (push (fixture, "u1", "rose", "default", 10, 1) == rose);
  g_assert_cmpuint (ld_gift_get_count (rose), ==, 2);
  g_assert_cmpuint (count_notified, ==, 1);
  g_assert_cmpuint (received, ==, 2);

  /* Another sender's rose, and the same sender's other gift, do not. */
  u2_rose = push (fixture, "u2", "rose", "default", 10, 1);
  g_assert_true (u2_rose != rose);
  g_assert_true (push (fixture, "u1", "lily", "default", 10, 1) != rose);
  g_assert_cmpuint (ld_gift_queue_get_n_waiting (fixture->queue), ==, 2);

  /* A waiting alert takes merges too; the count is in gifts (quantity). */
  advance_to (fixture, 1500);
  g_assert_true (push (fixture, "u2", "rose", "default", 10, 2) == u2_rose);
  g_assert_cmpuint (ld_gift_get_count (u2_rose), ==, 3);
  g_assert_cmpuint (ld_gift_queue_get_n_waiting (fixture->queue), ==, 2);

  advance_to (fixture, 1900);
  g_assert_true (push (fixture, "u1", "rose", "default", 10, 1) == rose);
  g_assert_cmpuint (ld_gift_get_count (rose), ==, 3);
  g_assert_cmpuint (ld_gift_get_n_sends (rose), ==, 3);
  g_assert_cmpfloat (ld_gift_get_total_value (rose), ==, 30);

  /* Merging does not make an alert longer: rose still ends at 2000. An
   * alert that finished takes no more merges, even within the window. */
  advance_to (fixture, 2500);
  late = push (fixture, "u1", "rose", "default", 10, 1);
  g_assert_true (late != rose);

  /* The window counts from the last merged send (1500): 3000 ms is in. */
  advance_to (fixture, 4500);
  g_assert_true (ld_gift_queue_get_current (fixture->queue) == u2_rose);
  g_assert_true (push (fixture, "u2", "rose", "default", 10, 1) == u2_rose);

  /* 3001 ms after late's arrival (2500) is out. */
  advance_to (fixture, 5501);
  g_assert_true (push (fixture, "u1", "rose", "default", 10, 1) != late);

  advance_to (fixture, 30000);
  assert_log (fixture,
              "start rose×1@0, end rose×3@2000, start rose×3@3000, end rose×4@5000, "
              "start lily×1@6000, end lily×1@8000, start rose×1@9000, end rose×1@11000, "
              "start rose×1@12000, end rose×1@14000");

  /* Combos off. */
  ld_gift_queue_set_combo_window (fixture->queue, 0);
  rose = push (fixture, "u1", "rose", "default", 10, 1);
  g_assert_true (push (fixture, "u1", "rose", "default", 10, 1) != rose);
  ld_gift_queue_clear (fixture->queue);
  advance_to (fixture, 40000);
}

static void
test_priority (Fixture       *fixture,
               gconstpointer  data)
{
  g_assert_cmpfloat (ld_gift_queue_get_priority_threshold (fixture->queue), ==, 0);
  ld_gift_queue_set_priority_threshold (fixture->queue, 100);

  push (fixture, "u1", "a", "default", 500, 1);   /* plays at once, priority or not */
  push (fixture, "u2", "b", "default", 1, 1);
  push (fixture, "u3", "c", "default", 99, 1);    /* just under */
  push (fixture, "u4", "p1", "default", 50, 2);   /* 50 × 2 reaches 100 */
  push (fixture, "u5", "p2", "default", 1000, 1);
  push (fixture, "u6", "d", "default", 5, 1);

  assert_waiting (fixture);
  g_assert_cmpstr (ld_gift_get_gift_name (ld_gift_queue_peek_waiting (fixture->queue, 0)), ==, "p1");
  g_assert_cmpstr (ld_gift_get_gift_name (ld_gift_queue_peek_waiting (fixture->queue, 1)), ==, "p2");

  /* p1 and p2 jump the non-priority ones, in their own arrival order, but
   * a does not stop for them. */
  advance_to (fixture, 100000);
  assert_log (fixture,
              "start a×1@0, end a×1@2000, start p1×2@3000, end p1×2@5000, start p2×1@6000, end p2×1@8000, "
              "start b×1@9000, end b×1@11000, start c×1@12000, end c×1@14000, start d×1@15000, end d×1@17000");
}

static void
test_pause_resume (Fixture       *fixture,
                   gconstpointer  data)
{
  guint paused_notified = 0;

  g_signal_connect_swapped (fixture->queue, "notify::paused", G_CALLBACK (g_atomic_int_inc), &paused_notified);

  push (fixture, "u1", "a", "default", 1, 1);
  push (fixture, "u2", "b", "default", 1, 1);

  advance_to (fixture, 500);
  ld_gift_queue_pause (fixture->queue);
  ld_gift_queue_pause (fixture->queue);
  g_assert_true (ld_gift_queue_get_paused (fixture->queue));
  g_assert_cmpuint (paused_notified, ==, 1);

  /* Held: a is still showing, however long the pause. */
  advance_to (fixture, 10500);
  g_assert_cmpstr (ld_gift_get_gift_name (ld_gift_queue_get_current (fixture->queue)), ==, "a");
  assert_log (fixture, "start a×1@0");

  /* 1500 ms were left. */
  ld_gift_queue_resume (fixture->queue);
  g_assert_cmpuint (paused_notified, ==, 2);
  advance_to (fixture, 12400);
  assert_log (fixture, "end a×1@12000");

  /* Paused in the gap: 600 ms of it were left. */
  ld_gift_queue_pause (fixture->queue);
  advance_to (fixture, 20000);
  g_assert_null (ld_gift_queue_get_current (fixture->queue));
  ld_gift_queue_resume (fixture->queue);
  advance_to (fixture, 30000);
  assert_log (fixture, "start b×1@20600, end b×1@22600");

  /* Gifts that arrive while paused wait for resume. */
  ld_gift_queue_pause (fixture->queue);
  push (fixture, "u3", "c", "default", 1, 1);
  advance_to (fixture, 31000);
  assert_log (fixture, "");
  ld_gift_queue_resume (fixture->queue);
  advance_to (fixture, 40000);
  assert_log (fixture, "start c×1@31000, end c×1@33000");
}

static void
test_skip (Fixture       *fixture,
           gconstpointer  data)
{
  g_assert_false (ld_gift_queue_skip (fixture->queue));

  push (fixture, "u1", "a", "rainbow", 1, 1);
  push (fixture, "u2", "b", "default", 1, 1);
  advance_to (fixture, 700);
  g_assert_true (ld_gift_queue_skip (fixture->queue));
  g_assert_null (ld_gift_queue_get_current (fixture->queue));
  /* Skipping in the gap does nothing. */
  g_assert_false (ld_gift_queue_skip (fixture->queue));

  advance_to (fixture, 10000);
  assert_log (fixture, "start a×1@0, end a×1@700, start b×1@1700, end b×1@3700");

  /* Skipped while paused: the gap waits for resume too. */
  push (fixture, "u3", "c", "default", 1, 1);
  push (fixture, "u4", "d", "default", 1, 1);
  ld_gift_queue_pause (fixture->queue);
  g_assert_true (ld_gift_queue_skip (fixture->queue));
  advance_to (fixture, 15000);
  ld_gift_queue_resume (fixture->queue);
  advance_to (fixture, 20000);
  assert_log (fixture, "start c×1@10000, end c×1@10000, start d×1@16000, end d×1@18000");
}

static void
test_replay (Fixture       *fixture,
             gconstpointer  data)
{
  LdGift *a;

  g_assert_false (ld_gift_queue_replay (fixture->queue));

  a = push (fixture, "u1", "a", "default", 1, 1);
  push (fixture, "u2", "b", "default", 1, 1);
  push (fixture, "u3", "c", "default", 1, 1);
  advance_to (fixture, 3500);

  /* b is playing: a goes back to the front, ahead of c. */
  g_assert_true (ld_gift_queue_replay (fixture->queue));
  g_assert_true (ld_gift_queue_peek_waiting (fixture->queue, 0) == a);
  assert_waiting (fixture);
  /* A replay is not a combo target, even within the window. */
  g_assert_true (push (fixture, "u1", "a", "default", 1, 1) != a);

  advance_to (fixture, 30000);
  assert_log (fixture,
              "start a×1@0, end a×1@2000, start b×1@3000, end b×1@5000, start a×1@6000, end a×1@8000, "
              "start c×1@9000, end c×1@11000, start a×1@12000, end a×1@14000");

  /* Replay when idle plays at once. */
  g_assert_true (ld_gift_queue_replay (fixture->queue));
  assert_log (fixture, "start a×1@30000");
  advance_to (fixture, 40000);
}

static void
on_board_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GPtrArray  *mirror)
{
  g_assert_cmpuint (position + removed, <=, mirror->len);
  g_ptr_array_remove_range (mirror, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (mirror, position + i, g_list_model_get_item (model, position + i));
}

static char *
board (GListModel *model,
       GPtrArray  *mirror)
{
  GString *out = g_string_new (NULL);

  g_assert_cmpuint (mirror->len, ==, g_list_model_get_n_items (model));
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(LdGifter) gifter = g_list_model_get_item (model, i);

      g_assert_true (gifter == g_ptr_array_index (mirror, i));
      g_string_append_printf (out, "%s%s=%g/%u", i > 0 ? " " : "", ld_gifter_get_sender_name (gifter),
                              ld_gifter_get_total_value (gifter), ld_gifter_get_n_gifts (gifter));
    }

  return g_string_free (out, FALSE);
}

static void
give (LdGiftLeaderboard *leaderboard,
      const char        *sender_id,
      const char        *sender_name,
      double             value,
      guint              quantity)
{
  g_autoptr(LdGift) gift = ld_gift_new (sender_id, sender_name, "g", "g", NULL, value, quantity);

  ld_gift_leaderboard_add (leaderboard, gift);
}

#define assert_board(expected) \
  G_STMT_START { \
    g_autofree char *_board = board (G_LIST_MODEL (leaderboard), mirror); \
    g_assert_cmpstr (_board, ==, expected); \
  } G_STMT_END

static void
test_leaderboard (void)
{
  g_autoptr(LdGiftLeaderboard) leaderboard = ld_gift_leaderboard_new ();
  g_autoptr(GPtrArray) mirror = g_ptr_array_new_with_free_func (g_object_unref);

  g_signal_connect (leaderboard, "items-changed", G_CALLBACK (on_board_changed), mirror);

  give (leaderboard, "u1", "An", 10, 1);
  give (leaderboard, "u2", "Bình", 5, 3);
  give (leaderboard, "u3", "Chi", 10, 1);
  /* Equal totals: who got there first stays ahead. */
  assert_board ("Bình=15/3 An=10/1 Chi=10/1");

  give (leaderboard, "u3", "Chi", 1, 1);
  assert_board ("Bình=15/3 Chi=11/2 An=10/1");

  /* Climbs to the top, and takes the sender's newest name. */
  give (leaderboard, "u1", "An (mod)", 100, 2);
  assert_board ("An (mod)=210/3 Bình=15/3 Chi=11/2");
  g_assert_cmpfloat (ld_gifter_get_total_value (ld_gift_leaderboard_lookup (leaderboard, "u2")), ==, 15);
  g_assert_null (ld_gift_leaderboard_lookup (leaderboard, "u9"));

  give (leaderboard, "u4", "Dũng", 0, 1);
  assert_board ("An (mod)=210/3 Bình=15/3 Chi=11/2 Dũng=0/1");

  ld_gift_leaderboard_clear (leaderboard);
  assert_board ("");

  g_signal_handlers_disconnect_by_data (leaderboard, mirror);
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

static void
test_payloads (void)
{
  g_autoptr(JsonObject) good = parse_object (
    "{\"roomId\":\"room1\",\"senderId\":\"u1\",\"senderName\":\"Lan\",\"receiverId\":\"s1\","
    "\"receiverName\":\"Streamer\",\"giftId\":\"g7\",\"giftName\":\"Pháo hoa\",\"giftType\":\"premium\","
    "\"giftValue\":12.5,\"quantity\":4,\"message\":\"chúc mừng\",\"animation\":\"fireworks\","
    "\"timestamp\":\"2026-11-26T12:00:00Z\",\"giftTxId\":\"tx-1\"}");
  g_autoptr(JsonObject) backend = parse_object (
    "{\"type\":\"gift_send\",\"data\":{\"senderId\":\"u2\",\"giftId\":\"g1\",\"giftValue\":3}}");
  g_autoptr(LdGift) gift = NULL;
  g_autoptr(LdGift) from_backend = NULL;
  g_autoptr(GError) error = NULL;
  static const struct {
    const char *json;
    gboolean    backend;
    int         code;
    const char *mentions;
  } bad[] = {
    { "{\"giftId\":\"g\",\"giftValue\":1}", FALSE, LD_PAYLOAD_ERROR_MISSING_FIELD, "senderId" },
    { "{\"senderId\":\"u\",\"giftValue\":1}", FALSE, LD_PAYLOAD_ERROR_MISSING_FIELD, "giftId" },
    { "{\"senderId\":\"u\",\"giftId\":\"g\"}", FALSE, LD_PAYLOAD_ERROR_MISSING_FIELD, "giftValue" },
    { "{\"senderId\":\"u\",\"giftId\":\"g\",\"giftValue\":\"100\"}", FALSE, LD_PAYLOAD_ERROR_WRONG_TYPE, "giftValue" },
    { "{\"senderId\":\"u\",\"giftId\":\"g\",\"giftValue\":-1}", FALSE, LD_PAYLOAD_ERROR_INVALID_VALUE, "giftValue" },
    { "{\"senderId\":\"u\",\"giftId\":\"g\",\"giftValue\":1e300}", FALSE, LD_PAYLOAD_ERROR_INVALID_VALUE, "giftValue" },
    { "{\"senderId\":\"u\",\"giftId\":\"g\",\"giftValue\":1,\"quantity\":0}", FALSE, LD_PAYLOAD_ERROR_INVALID_VALUE, "quantity" },
    { "{\"senderId\":\"u\",\"giftId\":\"g\",\"giftValue\":1,\"quantity\":101}", FALSE, LD_PAYLOAD_ERROR_INVALID_VALUE, "quantity" },
    { "{\"senderId\":\"u\",\"giftId\":\"g\",\"giftValue\":1,\"quantity\":1.5}", FALSE, LD_PAYLOAD_ERROR_WRONG_TYPE, "quantity" },
    { "{\"senderId\":\"u\",\"giftId\":\"g\",\"giftValue\":1,\"animation\":[]}", FALSE, LD_PAYLOAD_ERROR_WRONG_TYPE, "animation" },
    { "{\"senderId\":true,\"giftId\":\"g\",\"giftValue\":1}", FALSE, LD_PAYLOAD_ERROR_WRONG_TYPE, "senderId" },
    { "{\"type\":\"chat_message\",\"data\":{}}", TRUE, LD_PAYLOAD_ERROR_INVALID_VALUE, "gift_send" },
    /* Not under data, so read flat (the guide's publishGift): no sender. */
    { "{\"type\":\"gift_send\",\"data\":[]}", TRUE, LD_PAYLOAD_ERROR_MISSING_FIELD, "senderId" },
  };

  gift = ld_gift_new_from_json (good, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_gift_get_tx_id (gift), ==, "tx-1");
  g_assert_cmpstr (ld_gift_get_room_id (gift), ==, "room1");
  g_assert_cmpstr (ld_gift_get_sender_name (gift), ==, "Lan");
  g_assert_cmpstr (ld_gift_get_receiver_id (gift), ==, "s1");
  g_assert_cmpstr (ld_gift_get_gift_name (gift), ==, "Pháo hoa");
  g_assert_cmpstr (ld_gift_get_gift_type (gift), ==, "premium");
  g_assert_cmpstr (ld_gift_get_message (gift), ==, "chúc mừng");
  g_assert_cmpfloat (ld_gift_get_value (gift), ==, 12.5);
  g_assert_cmpuint (ld_gift_get_quantity (gift), ==, 4);
  g_assert_cmpuint (ld_gift_get_count (gift), ==, 4);
  g_assert_cmpfloat (ld_gift_get_total_value (gift), ==, 50);
  g_assert_cmpuint (ld_gift_get_duration_ms (gift), ==, 3000);

  from_backend = ld_gift_new_from_backend (backend, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ld_gift_get_sender_name (from_backend), ==, "u2");
  g_assert_cmpstr (ld_gift_get_animation (from_backend), ==, "default");
  g_assert_cmpuint (ld_gift_get_quantity (from_backend), ==, 1);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonObject) object = parse_object (bad[i].json);
      g_autoptr(GError) bad_error = NULL;
      g_autoptr(LdGift) bad_gift = NULL;

      if (bad[i].backend)
        bad_gift = ld_gift_new_from_backend (object, &bad_error);
      else
        bad_gift = ld_gift_new_from_json (object, &bad_error);

      g_test_message ("case %u: %s", i, bad_error != NULL ? bad_error->message : "(no error)");
      g_assert_null (bad_gift);
      g_assert_error (bad_error, LD_PAYLOAD_ERROR, bad[i].code);
      g_assert_nonnull (strstr (bad_error->message, bad[i].mentions));
    }
}

static void
append_char (gpointer data)
{
  GString *fired = data;

  g_string_append_c (fired, 'x');
}

static void
record (gpointer data)
{
  char **slot = data;

  *slot = g_strdup ("fired");
}

static void
count_up (gpointer data)
{
  (*(guint *) data)++;
}

static void
test_real_clock (void)
{
  g_autoptr(LdClock) clock = ld_real_clock_new ();
  g_autoptr(GString) removed = g_string_new (NULL);
  g_autofree char *late = NULL;
  g_autofree char *early = NULL;
  gint64 start = ld_clock_get_time_ms (clock);
  guint freed = 0;
  guint id;

  ld_clock_add_timeout (clock, 60, record, &late, NULL);
  ld_clock_add_timeout (clock, 10, record, &early, NULL);
  id = ld_clock_add_timeout (clock, 20, append_char, removed, NULL);
  ld_clock_remove (clock, id);

  while (late == NULL)
    {
      g_main_context_iteration (NULL, TRUE);
      /* The 10 ms one always fires before the 60 ms one. */
      g_assert_true (late == NULL || early != NULL);
    }

  g_assert_cmpint (ld_clock_get_time_ms (clock) - start, >=, 60);
  g_assert_cmpstr (removed->str, ==, "");

  /* Pending timeouts die with the clock, freeing their data. */
  ld_clock_add_timeout (clock, 10000, count_up, &freed, count_up);
  g_clear_object (&clock);
  g_assert_cmpuint (freed, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/gift-queue/order-and-durations", test_order_and_durations);
  ADD ("/gift-queue/gap-after-last", test_gap_after_last);
  ADD ("/gift-queue/combo", test_combo);
  ADD ("/gift-queue/priority", test_priority);
  ADD ("/gift-queue/pause-resume", test_pause_resume);
  ADD ("/gift-queue/skip", test_skip);
  ADD ("/gift-queue/replay", test_replay);
#undef ADD
  g_test_add_func ("/gift-queue/payloads", test_payloads);
  g_test_add_func ("/gift-queue/real-clock", test_real_clock);
  g_test_add_func ("/gift-queue/leaderboard", test_leaderboard);

  return g_test_run ();
}
