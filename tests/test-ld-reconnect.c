/* test-ld-reconnect.c: the reconnect schedule on an LdTestClock: how far
 * apart attempts come, that they never stop, when the trouble is said, and
 * the attempts that come at once (the network back, "Reconnect now").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "ld-reconnect.h"
#include "ld-test-clock.h"
#include "ld-test-network-monitor.h"

typedef struct
{
  LdTestClock *clock;
  LdReconnect *reconnect;
  GArray      *attempts;  /* each ::attempt's number */
  GArray      *times;     /* and the clock's time then */
  guint        retries;   /* ::retry-now */
  guint        countdown_notifies;
} Fixture;

static void
on_attempt (LdReconnect *reconnect,
            guint        attempt,
            Fixture     *f)
{
  gint64 now = ld_clock_get_time_ms (LD_CLOCK (f->clock));

  g_array_append_val (f->attempts, attempt);
  g_array_append_val (f->times, now);
}

static void
on_retry_now (LdReconnect *reconnect,
              Fixture     *f)
{
  f->retries++;
}

static void
on_countdown (LdReconnect *reconnect,
              GParamSpec  *pspec,
              Fixture     *f)
{
  f->countdown_notifies++;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  /* The jitter's draws are the same on every run. */
  g_random_set_seed (11);
  f->clock = ld_test_clock_new ();
  f->reconnect = ld_reconnect_new (LD_CLOCK (f->clock));
  f->attempts = g_array_new (FALSE, FALSE, sizeof (guint));
  f->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect (f->reconnect, "attempt", G_CALLBACK (on_attempt), f);
  g_signal_connect (f->reconnect, "retry-now", G_CALLBACK (on_retry_now), f);
  g_signal_connect (f->reconnect, "notify::reconnect-in", G_CALLBACK (on_countdown), f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->reconnect);
  g_assert_finalize_object (f->clock);
  g_array_unref (f->attempts);
  g_array_unref (f->times);
}

static guint
last_attempt (Fixture *f)
{
  g_assert_cmpuint (f->attempts->len, >, 0);
  return g_array_index (f->attempts, guint, f->attempts->len - 1);
}

/* Fails the connection and lets the attempt come: how long it waited. */
static guint
fail_and_wait (Fixture *f)
{
  gint64 before = ld_clock_get_time_ms (LD_CLOCK (f->clock));
  guint n = f->attempts->len;
  guint shown;

  g_assert_true (ld_reconnect_failure (f->reconnect));
  g_assert_true (ld_reconnect_get_scheduled (f->reconnect));
  shown = ld_reconnect_get_reconnect_in (f->reconnect);
  ld_test_clock_advance (f->clock, 60000);
  g_assert_cmpuint (f->attempts->len, ==, n + 1);
  g_assert_false (ld_reconnect_get_scheduled (f->reconnect));
  g_assert_cmpuint (ld_reconnect_get_reconnect_in (f->reconnect), ==, 0);
  {
    guint waited = (guint) (g_array_index (f->times, gint64, n) - before);

    /* What the countdown showed at first is the wait, rounded up. */
    g_assert_cmpuint (shown, ==, (waited + 999) / 1000);
    return waited;
  }
}

/* Each wait is the one before doubled, give or take half, up to 30 s; the
 * attempts are numbered from 1 and never stop. */
static void
test_backoff (Fixture       *f,
              gconstpointer  data)
{
  gboolean jittered = FALSE;

  ld_reconnect_start (f->reconnect);
  for (guint n = 1; n <= 100; n++)
    {
      guint waited = fail_and_wait (f);
      double nominal = LD_RECONNECT_DELAY_MS * pow (2.0, MIN (n - 1, 30));
      guint low = (guint) MIN (ceil (nominal / 2), LD_RECONNECT_DELAY_MAX_MS);
      guint high = (guint) MIN (floor (nominal * 3 / 2), LD_RECONNECT_DELAY_MAX_MS);

      g_assert_cmpuint (last_attempt (f), ==, n);
      g_assert_cmpuint (ld_reconnect_get_attempt (f->reconnect), ==, n);
      g_assert_cmpuint (waited, >=, low);
      g_assert_cmpuint (waited, <=, high);
      if (nominal < LD_RECONNECT_DELAY_MAX_MS && waited != (guint) nominal)
        jittered = TRUE;
      /* Past the cap every wait is the cap: 30 s. */
      if (n >= 7)
        g_assert_cmpuint (waited, ==, 30000);
    }
  g_assert_true (jittered);
  g_assert_cmpuint (f->attempts->len, ==, 100);
}

/* A shorter schedule (what the session's tests use) has the same shape. */
static void
test_backoff_custom (Fixture       *f,
                     gconstpointer  data)
{
  ld_reconnect_set_backoff (f->reconnect, 20, 100);
  ld_reconnect_start (f->reconnect);
  g_assert_cmpuint (fail_and_wait (f), >=, 10);
  g_assert_cmpuint (fail_and_wait (f), <=, 60);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (fail_and_wait (f), <=, 100);
  g_assert_cmpuint (fail_and_wait (f), ==, 100);
}

/* The countdown says the whole seconds left, one less each second, and 0
 * when the attempt comes. */
static void
test_countdown (Fixture       *f,
                gconstpointer  data)
{
  guint shown;

  ld_reconnect_set_backoff (f->reconnect, 20000, 20000);
  ld_reconnect_start (f->reconnect);
  g_assert_true (ld_reconnect_failure (f->reconnect));
  shown = ld_reconnect_get_reconnect_in (f->reconnect);
  g_assert_cmpuint (shown, >=, 10);
  g_assert_cmpuint (shown, <=, 20);
  f->countdown_notifies = 0;
  for (guint i = 1; i < shown; i++)
    {
      ld_test_clock_advance (f->clock, 1000);
      g_assert_cmpuint (ld_reconnect_get_reconnect_in (f->reconnect), ==, shown - i);
      g_assert_cmpuint (f->countdown_notifies, ==, i);
      g_assert_cmpuint (f->attempts->len, ==, 0);
    }
  ld_test_clock_advance (f->clock, 1000);
  g_assert_cmpuint (f->attempts->len, ==, 1);
  g_assert_cmpuint (ld_reconnect_get_reconnect_in (f->reconnect), ==, 0);
  g_assert_cmpuint (f->countdown_notifies, ==, shown);
  /* Nothing ticks once the attempt is under way. */
  g_assert_cmpuint (ld_test_clock_get_n_pending (f->clock), ==, 0);
}

/* The guide's 5 attempts: once they have failed the trouble is said, and
 * the attempts go on; a connection ends the trouble and the count. */
static void
test_having_trouble (Fixture       *f,
                     gconstpointer  data)
{
  ld_reconnect_start (f->reconnect);
  /* The connection went: attempt 1 is scheduled, nothing failed yet. */
  g_assert_true (ld_reconnect_failure (f->reconnect));
  g_assert_false (ld_reconnect_get_having_trouble (f->reconnect));
  for (guint failed = 1; failed <= 5; failed++)
    {
      ld_test_clock_advance (f->clock, 60000);
      g_assert_cmpuint (last_attempt (f), ==, failed);
      g_assert_false (ld_reconnect_get_having_trouble (f->reconnect));
      g_assert_true (ld_reconnect_failure (f->reconnect));
      g_assert_cmpint (ld_reconnect_get_having_trouble (f->reconnect), ==, failed == 5);
    }
  for (guint i = 0; i < 20; i++)
    {
      ld_test_clock_advance (f->clock, 60000);
      g_assert_true (ld_reconnect_failure (f->reconnect));
      g_assert_true (ld_reconnect_get_having_trouble (f->reconnect));
    }
  g_assert_cmpuint (last_attempt (f), ==, 25);

  ld_test_clock_advance (f->clock, 60000);
  ld_reconnect_success (f->reconnect);
  g_assert_false (ld_reconnect_get_having_trouble (f->reconnect));
  g_assert_cmpuint (ld_reconnect_get_attempt (f->reconnect), ==, 0);
  /* The next outage counts from 1 again, and starts at the first delay. */
  g_assert_cmpuint (fail_and_wait (f), <=, 1500);
  g_assert_cmpuint (last_attempt (f), ==, 1);

  /* 0: never said. */
  ld_reconnect_set_trouble_after (f->reconnect, 0);
  for (guint i = 0; i < 10; i++)
    fail_and_wait (f);
  g_assert_false (ld_reconnect_get_having_trouble (f->reconnect));
}

/* One attempt at a time; nothing once stopped or before a start. */
static void
test_stop (Fixture       *f,
           gconstpointer  data)
{
  g_assert_false (ld_reconnect_failure (f->reconnect));
  ld_test_clock_advance (f->clock, 60000);
  g_assert_cmpuint (f->attempts->len, ==, 0);

  ld_reconnect_start (f->reconnect);
  g_assert_true (ld_reconnect_failure (f->reconnect));
  g_assert_false (ld_reconnect_failure (f->reconnect));
  ld_test_clock_advance (f->clock, 60000);
  g_assert_cmpuint (f->attempts->len, ==, 1);

  g_assert_true (ld_reconnect_failure (f->reconnect));
  ld_reconnect_stop (f->reconnect);
  g_assert_false (ld_reconnect_get_scheduled (f->reconnect));
  g_assert_cmpuint (ld_reconnect_get_reconnect_in (f->reconnect), ==, 0);
  g_assert_false (ld_reconnect_get_active (f->reconnect));
  g_assert_cmpuint (ld_test_clock_get_n_pending (f->clock), ==, 0);
  ld_test_clock_advance (f->clock, 600000);
  g_assert_cmpuint (f->attempts->len, ==, 1);
  g_assert_false (ld_reconnect_failure (f->reconnect));
}

/* "Reconnect now": the waiting attempt comes at once, once. */
static void
test_now (Fixture       *f,
          gconstpointer  data)
{
  ld_reconnect_set_backoff (f->reconnect, 120000, 120000);
  ld_reconnect_start (f->reconnect);
  g_assert_true (ld_reconnect_failure (f->reconnect));
  g_assert_cmpuint (ld_reconnect_get_reconnect_in (f->reconnect), >=, 60);

  ld_reconnect_now (f->reconnect);
  g_assert_cmpuint (f->attempts->len, ==, 1);
  g_assert_cmpuint (last_attempt (f), ==, 1);
  g_assert_cmpint (g_array_index (f->times, gint64, 0), ==, 0);
  g_assert_cmpuint (ld_reconnect_get_reconnect_in (f->reconnect), ==, 0);
  g_assert_cmpuint (f->retries, ==, 1);
  ld_test_clock_advance (f->clock, 600000);
  g_assert_cmpuint (f->attempts->len, ==, 1);

  /* Nothing waiting: no attempt, but the rest may still hurry. */
  ld_reconnect_now (f->reconnect);
  g_assert_cmpuint (f->attempts->len, ==, 1);
  g_assert_cmpuint (f->retries, ==, 2);

  /* The attempt after it counts on. */
  g_assert_true (ld_reconnect_failure (f->reconnect));
  ld_reconnect_now (f->reconnect);
  g_assert_cmpuint (last_attempt (f), ==, 2);
}

/* The network down changes nothing; back, the waiting attempt comes at
 * once instead of in minutes. Not wanted, the network changes nothing. */
static void
test_network_back (Fixture       *f,
                   gconstpointer  data)
{
  LdTestNetworkMonitor *monitor = ld_test_network_monitor_new ();

  ld_reconnect_set_network_monitor (f->reconnect, G_NETWORK_MONITOR (monitor));
  ld_reconnect_set_backoff (f->reconnect, 120000, 120000);

  ld_test_network_monitor_set_available (monitor, FALSE);
  ld_test_network_monitor_set_available (monitor, TRUE);
  g_assert_cmpuint (f->attempts->len, ==, 0);
  g_assert_cmpuint (f->retries, ==, 0);

  ld_reconnect_start (f->reconnect);
  g_assert_true (ld_reconnect_failure (f->reconnect));
  ld_test_network_monitor_set_available (monitor, FALSE);
  g_assert_true (ld_reconnect_get_scheduled (f->reconnect));
  g_assert_cmpuint (f->attempts->len, ==, 0);
  ld_test_clock_advance (f->clock, 30000);
  g_assert_cmpuint (f->attempts->len, ==, 0);

  ld_test_network_monitor_set_available (monitor, TRUE);
  g_assert_cmpuint (f->attempts->len, ==, 1);
  g_assert_cmpint (g_array_index (f->times, gint64, 0), ==, 30000);
  g_assert_cmpuint (f->retries, ==, 1);
  g_assert_false (ld_reconnect_get_scheduled (f->reconnect));

  /* Connected meanwhile: the network back only hurries the rest. */
  ld_reconnect_success (f->reconnect);
  ld_test_network_monitor_set_available (monitor, FALSE);
  ld_test_network_monitor_set_available (monitor, TRUE);
  g_assert_cmpuint (f->attempts->len, ==, 1);
  g_assert_cmpuint (f->retries, ==, 2);

  /* The monitor is let go with the schedule. */
  g_clear_object (&f->reconnect);
  g_assert_finalize_object (monitor);
  f->reconnect = ld_reconnect_new (LD_CLOCK (f->clock));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/ld/reconnect/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("backoff", test_backoff);
  ADD ("backoff-custom", test_backoff_custom);
  ADD ("countdown", test_countdown);
  ADD ("having-trouble", test_having_trouble);
  ADD ("stop", test_stop);
  ADD ("now", test_now);
  ADD ("network-back", test_network_back);
#undef ADD

  return g_test_run ();
}
