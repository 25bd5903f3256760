/* test-ld-rate-limit.c: one message a second and 30 a minute, per user.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ld-rate-limit.h"
#include "ld-validate.h"

#define T0 ((gint64) 5000000)

static void
test_one_per_second (void)
{
  g_autoptr(LdRateLimit) limit = ld_rate_limit_new (NULL, 0);
  LdRateWindow hit;
  gint64 retry;

  g_assert_true (ld_rate_limit_try (limit, "alice", T0, &hit, &retry));
  g_assert_cmpint (retry, ==, 0);

  g_assert_false (ld_rate_limit_try (limit, "alice", T0 + 400, &hit, &retry));
  g_assert_cmpuint (hit.max_events, ==, 1);
  g_assert_cmpint (hit.period_ms, ==, 1000);
  g_assert_cmpint (retry, ==, 600);

  /* A refused attempt is not counted: the moment does not move. */
  g_assert_false (ld_rate_limit_try (limit, "alice", T0 + 900, &hit, &retry));
  g_assert_cmpint (retry, ==, 100);

  /* Another user is not held back by alice. */
  g_assert_true (ld_rate_limit_try (limit, "bob", T0 + 900, NULL, NULL));

  g_assert_true (ld_rate_limit_try (limit, "alice", T0 + 1000, &hit, &retry));
}

static void
test_thirty_per_minute (void)
{
  g_autoptr(LdRateLimit) limit = ld_rate_limit_new (NULL, 0);
  LdRateWindow hit;
  gint64 retry;

  for (guint i = 0; i < 30; i++)
    g_assert_true (ld_rate_limit_try (limit, "alice", T0 + i * 1000, NULL, NULL));

  /* The 31st within a minute: the minute limit, until the first leaves it. */
  g_assert_false (ld_rate_limit_try (limit, "alice", T0 + 30 * 1000, &hit, &retry));
  g_assert_cmpuint (hit.max_events, ==, 30);
  g_assert_cmpint (hit.period_ms, ==, 60000);
  g_assert_cmpint (retry, ==, 30000);

  /* Both limits at once: the one that holds the user longest is named. */
  g_assert_false (ld_rate_limit_try (limit, "alice", T0 + 29 * 1000 + 500, &hit, &retry));
  g_assert_cmpint (hit.period_ms, ==, 60000);
  g_assert_cmpint (retry, ==, 30500);

  g_assert_false (ld_rate_limit_check (limit, "alice", T0 + 59999, NULL, &retry));
  g_assert_cmpint (retry, ==, 1);
  g_assert_true (ld_rate_limit_try (limit, "alice", T0 + 60000, NULL, NULL));
  /* Sliding: the next slot opens when the second-oldest leaves. */
  g_assert_false (ld_rate_limit_try (limit, "alice", T0 + 61000 - 1, &hit, &retry));
  g_assert_true (ld_rate_limit_try (limit, "alice", T0 + 61000, NULL, NULL));
}

static void
test_check_does_not_record (void)
{
  g_autoptr(LdRateLimit) limit = ld_rate_limit_new (NULL, 0);

  for (guint i = 0; i < 5; i++)
    g_assert_true (ld_rate_limit_check (limit, "alice", T0, NULL, NULL));
  g_assert_cmpuint (ld_rate_limit_get_n_keys (limit), ==, 0);
  g_assert_true (ld_rate_limit_try (limit, "alice", T0, NULL, NULL));
  g_assert_false (ld_rate_limit_check (limit, "alice", T0, NULL, NULL));
}

static void
test_custom_windows (void)
{
  const LdRateWindow windows[] = { { 3, 10000 } };
  g_autoptr(LdRateLimit) limit = ld_rate_limit_new (windows, G_N_ELEMENTS (windows));
  LdRateWindow hit;
  gint64 retry;

  g_assert_true (ld_rate_limit_try (limit, "k", T0, NULL, NULL));
  g_assert_true (ld_rate_limit_try (limit, "k", T0 + 1, NULL, NULL));
  g_assert_true (ld_rate_limit_try (limit, "k", T0 + 2, NULL, NULL));
  g_assert_false (ld_rate_limit_try (limit, "k", T0 + 3, &hit, &retry));
  g_assert_cmpuint (hit.max_events, ==, 3);
  g_assert_cmpint (retry, ==, 9997);
}

static void
test_forget_idle (void)
{
  g_autoptr(LdRateLimit) limit = ld_rate_limit_new (NULL, 0);

  ld_rate_limit_try (limit, "alice", T0, NULL, NULL);
  ld_rate_limit_try (limit, "bob", T0 + 30000, NULL, NULL);
  g_assert_cmpuint (ld_rate_limit_get_n_keys (limit), ==, 2);

  ld_rate_limit_forget_idle (limit, T0 + 59999);
  g_assert_cmpuint (ld_rate_limit_get_n_keys (limit), ==, 2);
  ld_rate_limit_forget_idle (limit, T0 + 60000);
  g_assert_cmpuint (ld_rate_limit_get_n_keys (limit), ==, 1);
  ld_rate_limit_forget_idle (limit, T0 + 90000);
  g_assert_cmpuint (ld_rate_limit_get_n_keys (limit), ==, 0);
}

static void
test_error (void)
{
  const LdRateWindow second = { 1, 1000 };
  const LdRateWindow minute = { 30, 60000 };
  g_autoptr(GError) error = NULL;

  ld_rate_limit_set_error (&error, &second, 401);
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED);
  g_assert_cmpstr (error->message, ==, "At most 1 message a second: wait 0.5 s");
  g_clear_error (&error);

  ld_rate_limit_set_error (&error, &minute, 1);
  g_assert_cmpstr (error->message, ==, "At most 30 messages a minute: wait 0.1 s");
  g_clear_error (&error);

  ld_rate_limit_set_error_full (&error, &minute, 12345, "gift", "gifts");
  g_assert_cmpstr (error->message, ==, "At most 30 gifts a minute: wait 12.4 s");
}

/* Every rule the gateway enforces: a name, windows, and a limiter that
 * holds a user to the shortest window's count and tells in its words. */
static void
test_rules (void)
{
  for (LdRateRule rule = 0; rule < LD_N_RATE_RULES; rule++)
    {
      guint n_windows = 0;
      const LdRateWindow *windows = ld_rate_rule_get_windows (rule, &n_windows);
      g_autoptr(LdRateLimit) limit = ld_rate_limit_new_for_rule (rule);
      g_autoptr(GError) error = NULL;
      const char *one;
      const char *many;
      LdRateWindow hit;
      gint64 retry_ms;
      guint allowed = 0;

      g_assert_nonnull (ld_rate_rule_get_name (rule));
      g_assert_cmpuint (n_windows, >, 0);
      for (guint i = 0; i < n_windows; i++)
        g_assert_true (windows[i].max_events > 0 && windows[i].period_ms > 0);

      while (ld_rate_limit_try (limit, "alice", 1000, &hit, &retry_ms))
        allowed++;
      g_assert_cmpuint (allowed, ==, windows[0].max_events);
      g_assert_cmpint (retry_ms, ==, hit.period_ms);
      g_assert_true (ld_rate_limit_try (limit, "bob", 1000, NULL, NULL));

      ld_rate_rule_get_nouns (rule, &one, &many);
      ld_rate_limit_set_error_full (&error, &hit, retry_ms, one, many);
      g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED);
      g_assert_nonnull (strstr (error->message, hit.max_events == 1 ? one : many));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gw/ratelimit/one-per-second", test_one_per_second);
  g_test_add_func ("/gw/ratelimit/thirty-per-minute", test_thirty_per_minute);
  g_test_add_func ("/gw/ratelimit/check-does-not-record", test_check_does_not_record);
  g_test_add_func ("/gw/ratelimit/custom-windows", test_custom_windows);
  g_test_add_func ("/gw/ratelimit/forget-idle", test_forget_idle);
  g_test_add_func ("/gw/ratelimit/error", test_error);
  g_test_add_func ("/gw/ratelimit/rules", test_rules);

  return g_test_run ();
}
