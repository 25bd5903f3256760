/* test-sio-deadlines.c: the shared deadline queue runs timeouts in due order,
 * once, not after removal, and survives callbacks that change the queue.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sio-deadlines.h"

typedef struct {
  GArray *fired;     /* of int: the tags, in the order they ran */
  guint   pending;   /* run the loop until this drops to 0 */
} Run;

typedef struct {
  Run    *run;
  int     tag;
  gint64  earliest;  /* monotonic µs: running before this is wrong */
  guint   again;     /* G_SOURCE_CONTINUE this many more times */
  guint   victim;    /* a deadline this one removes when it runs */
  guint   spawned;
} Timer;

static gboolean
on_timer (gpointer data)
{
  Timer *timer = data;

  g_assert_cmpint (g_get_monotonic_time (), >=, timer->earliest);
  g_array_append_val (timer->run->fired, timer->tag);
  g_clear_handle_id (&timer->victim, sio_deadline_remove);
  if (timer->again > 0)
    {
      timer->again--;
      return G_SOURCE_CONTINUE;
    }
  timer->run->pending--;
  return G_SOURCE_REMOVE;
}

static guint
add_timer (Timer  *timer,
           Run    *run,
           int     tag,
           guint   ms)
{
  timer->run = run;
  timer->tag = tag;
  timer->earliest = g_get_monotonic_time () + (gint64) ms * 1000;
  run->pending++;
  return sio_deadline_add (ms, on_timer, timer);
}

static guint
add_timer_at (Timer  *timer,
              Run    *run,
              int     tag,
              gint64  due)
{
  timer->run = run;
  timer->tag = tag;
  timer->earliest = due;
  run->pending++;
  return sio_deadline_add_at (due, on_timer, timer);
}

static void
run_until_done (Run *run)
{
  while (run->pending > 0)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_order (void)
{
  Run run = { g_array_new (FALSE, FALSE, sizeof (int)), 0 };
  Timer timers[4] = { 0 };
  const int expected[] = { 1, 2, 3, 4 };
  gint64 now = g_get_monotonic_time ();

  /* Absolute times, so that a busy machine cannot reorder them; ties run in
   * the order they were added. */
  add_timer_at (&timers[3], &run, 4, now + 30000);
  add_timer_at (&timers[0], &run, 1, now + 10000);
  add_timer_at (&timers[2], &run, 3, now + 20000);
  add_timer_at (&timers[1], &run, 2, now + 10000);
  g_assert_cmpuint (sio_deadline_count (), ==, 4);

  run_until_done (&run);
  g_assert_cmpuint (run.fired->len, ==, 4);
  g_assert_cmpmem (run.fired->data, sizeof expected, expected, sizeof expected);
  g_assert_cmpuint (sio_deadline_count (), ==, 0);
  g_array_unref (run.fired);
}

static void
test_remove (void)
{
  Run run = { g_array_new (FALSE, FALSE, sizeof (int)), 0 };
  Timer kept = { 0 }, removed = { 0 }, last = { 0 };
  guint id;

  id = add_timer (&removed, &run, 1, 5);
  add_timer (&kept, &run, 2, 10);
  sio_deadline_remove (id);
  run.pending--;
  g_assert_cmpuint (sio_deadline_count (), ==, 1);
  /* An id that is gone, and 0, are ignored. */
  sio_deadline_remove (id);
  sio_deadline_remove (0);

  run_until_done (&run);
  g_assert_cmpuint (run.fired->len, ==, 1);
  g_assert_cmpint (g_array_index (run.fired, int, 0), ==, 2);

  /* A deadline that ran is gone too: removing it later does nothing. */
  id = add_timer (&last, &run, 3, 1);
  run_until_done (&run);
  sio_deadline_remove (id);
  g_assert_cmpuint (sio_deadline_count (), ==, 0);
  g_array_unref (run.fired);
}

static void
test_callback_removes_other (void)
{
  Run run = { g_array_new (FALSE, FALSE, sizeof (int)), 0 };
  Timer first = { 0 }, second = { 0 };

  /* Both due at once: the first takes the second out of the queue. */
  add_timer (&first, &run, 1, 5);
  first.victim = add_timer (&second, &run, 2, 5);
  run.pending--;

  run_until_done (&run);
  g_assert_cmpuint (run.fired->len, ==, 1);
  g_assert_cmpint (g_array_index (run.fired, int, 0), ==, 1);
  g_assert_cmpuint (sio_deadline_count (), ==, 0);
  g_array_unref (run.fired);
}

static void
test_continue (void)
{
  Run run = { g_array_new (FALSE, FALSE, sizeof (int)), 0 };
  Timer timer = { 0 };

  add_timer (&timer, &run, 7, 2);
  timer.again = 2;

  run_until_done (&run);
  g_assert_cmpuint (run.fired->len, ==, 3);
  g_assert_cmpuint (sio_deadline_count (), ==, 0);
  g_array_unref (run.fired);
}

static gboolean
on_spawn (gpointer data)
{
  Timer *timer = data;

  /* A callback adding an already-due deadline: it must run, later. */
  timer->spawned = add_timer (timer + 1, timer->run, timer->tag + 1, 0);
  g_array_append_val (timer->run->fired, timer->tag);
  timer->run->pending--;
  return G_SOURCE_REMOVE;
}

static void
test_callback_adds (void)
{
  Run run = { g_array_new (FALSE, FALSE, sizeof (int)), 0 };
  Timer timers[2] = { 0 };

  timers[0].run = &run;
  timers[0].tag = 1;
  run.pending++;
  sio_deadline_add (0, on_spawn, &timers[0]);

  run_until_done (&run);
  g_assert_cmpuint (run.fired->len, ==, 2);
  g_assert_cmpint (g_array_index (run.fired, int, 1), ==, 2);
  g_assert_cmpuint (sio_deadline_count (), ==, 0);
  g_array_unref (run.fired);
}

static void
test_many (void)
{
  Run run = { g_array_new (FALSE, FALSE, sizeof (int)), 0 };
  guint n = 10000;
  g_autofree Timer *timers = g_new0 (Timer, n);
  g_autofree guint *ids = g_new0 (guint, n);
  g_autoptr(GRand) rand = g_rand_new_with_seed (15);
  guint removed = 0;

  /* Many connections' timers: each runs once, none before its time, the
   * removed ones never. */
  for (guint i = 0; i < n; i++)
    ids[i] = add_timer (&timers[i], &run, i, g_rand_int_range (rand, 0, 40));
  for (guint i = 0; i < n; i += 3)
    {
      sio_deadline_remove (ids[i]);
      run.pending--;
      removed++;
    }
  g_assert_cmpuint (sio_deadline_count (), ==, n - removed);

  run_until_done (&run);
  g_assert_cmpuint (run.fired->len, ==, n - removed);
  for (guint i = 0; i < run.fired->len; i++)
    g_assert_cmpint (g_array_index (run.fired, int, i) % 3, !=, 0);
  g_assert_cmpuint (sio_deadline_count (), ==, 0);
  g_array_unref (run.fired);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sio/deadlines/order", test_order);
  g_test_add_func ("/sio/deadlines/remove", test_remove);
  g_test_add_func ("/sio/deadlines/callback-removes-other", test_callback_removes_other);
  g_test_add_func ("/sio/deadlines/continue", test_continue);
  g_test_add_func ("/sio/deadlines/callback-adds", test_callback_adds);
  g_test_add_func ("/sio/deadlines/many", test_many);

  return g_test_run ();
}
