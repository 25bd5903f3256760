/* test-gw-login-guard.c: the login guard's limits, on a clock the test drives.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-login-guard.h"

#define WINDOW (15 * 60)

typedef struct
{
  GwLoginGuard *guard;
  gint64        now;   /* seconds */
} Fixture;

static gint64
test_clock (gpointer data)
{
  Fixture *f = data;

  return f->now;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->now = 1000;
  f->guard = gw_login_guard_new ();
  gw_login_guard_set_clock (f->guard, test_clock, f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->guard);
}

/* One wrong password: admitted, then counted. */
static GwLoginVerdict
fail (Fixture    *f,
      const char *account,
      const char *address)
{
  GwLoginVerdict verdict = gw_login_guard_admit (f->guard, account, address, NULL);

  if (verdict == GW_LOGIN_ADMITTED)
    gw_login_guard_resolve (f->guard, account, address, TRUE);
  return verdict;
}

static void
test_account_limit (Fixture       *f,
                    gconstpointer  data)
{
  gint64 retry_after = 0;

  for (guint i = 0; i < 10; i++)
    {
      g_assert_cmpint (fail (f, "lan", "198.51.100.7"), ==, GW_LOGIN_ADMITTED);
      f->now += 10;
    }

  /* The 11th attempt, from anywhere, waits out the rest of the window. */
  g_assert_cmpint (gw_login_guard_admit (f->guard, "lan", "203.0.113.9", &retry_after), ==,
                   GW_LOGIN_THROTTLED_ACCOUNT);
  g_assert_cmpint (retry_after, ==, WINDOW - 100);
  g_assert_cmpint (gw_login_guard_admit (f->guard, "lan", "198.51.100.7", &retry_after), ==,
                   GW_LOGIN_THROTTLED_ACCOUNT);

  /* Another account from the very same address is still fine. */
  g_assert_cmpint (gw_login_guard_admit (f->guard, "minh", "198.51.100.7", NULL), ==, GW_LOGIN_ADMITTED);
  gw_login_guard_resolve (f->guard, "minh", "198.51.100.7", FALSE);

  /* Refused attempts do not extend the window. */
  f->now = 1000 + WINDOW - 1;
  g_assert_cmpint (gw_login_guard_admit (f->guard, "lan", "198.51.100.7", &retry_after), ==,
                   GW_LOGIN_THROTTLED_ACCOUNT);
  g_assert_cmpint (retry_after, ==, 1);
  f->now = 1000 + WINDOW;
  g_assert_cmpint (gw_login_guard_admit (f->guard, "lan", "198.51.100.7", &retry_after), ==, GW_LOGIN_ADMITTED);
  g_assert_cmpint (retry_after, ==, 0);
}

static void
test_address_limit (Fixture       *f,
                    gconstpointer  data)
{
  gint64 retry_after = 0;

  /* One guesser trying many accounts from one address. */
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *account = g_strdup_printf ("user%u", i);

      g_assert_cmpint (fail (f, account, "198.51.100.7"), ==, GW_LOGIN_ADMITTED);
    }

  g_assert_cmpint (gw_login_guard_admit (f->guard, "someone-else", "198.51.100.7", &retry_after), ==,
                   GW_LOGIN_THROTTLED_ADDRESS);
  g_assert_cmpint (retry_after, ==, WINDOW);
  /* That account itself is not held back elsewhere: it was never counted. */
  g_assert_cmpuint (gw_login_guard_get_account_count (f->guard, "someone-else"), ==, 0);
  g_assert_cmpint (gw_login_guard_admit (f->guard, "someone-else", "203.0.113.9", NULL), ==, GW_LOGIN_ADMITTED);

  /* Lower limits as configured. */
  gw_login_guard_set_limits (f->guard, 10, 3, 60);
  f->now += WINDOW;
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (fail (f, "x", "192.0.2.1"), ==, GW_LOGIN_ADMITTED);
  g_assert_cmpint (gw_login_guard_admit (f->guard, "y", "192.0.2.1", &retry_after), ==, GW_LOGIN_THROTTLED_ADDRESS);
  g_assert_cmpint (retry_after, ==, 60);
}

static void
test_success_resets_nothing_else (Fixture       *f,
                                  gconstpointer  data)
{
  /* The attacker's own valid account A, and a victim B. */
  for (guint i = 0; i < 10; i++)
    g_assert_cmpint (fail (f, "victim", "198.51.100.7"), ==, GW_LOGIN_ADMITTED);

  g_assert_cmpint (gw_login_guard_admit (f->guard, "attacker", "198.51.100.7", NULL), ==, GW_LOGIN_ADMITTED);
  gw_login_guard_resolve (f->guard, "attacker", "198.51.100.7", FALSE);

  g_assert_cmpuint (gw_login_guard_get_account_count (f->guard, "victim"), ==, 10);
  g_assert_cmpint (gw_login_guard_admit (f->guard, "victim", "198.51.100.7", NULL), ==, GW_LOGIN_THROTTLED_ACCOUNT);

  /* A success gives back only its own reservation. */
  g_assert_cmpuint (gw_login_guard_get_account_count (f->guard, "attacker"), ==, 0);
  g_assert_cmpint (fail (f, "attacker", "198.51.100.7"), ==, GW_LOGIN_ADMITTED);
  g_assert_cmpint (gw_login_guard_admit (f->guard, "attacker", "198.51.100.7", NULL), ==, GW_LOGIN_ADMITTED);
  gw_login_guard_resolve (f->guard, "attacker", "198.51.100.7", FALSE);
  g_assert_cmpuint (gw_login_guard_get_account_count (f->guard, "attacker"), ==, 1);
}

static void
test_in_flight_counts (Fixture       *f,
                       gconstpointer  data)
{
  /* Twenty attempts arrive before any hash has finished. */
  guint admitted = 0;

  for (guint i = 0; i < 20; i++)
    if (gw_login_guard_admit (f->guard, "lan", "198.51.100.7", NULL) == GW_LOGIN_ADMITTED)
      admitted++;
  g_assert_cmpuint (admitted, ==, 10);
  g_assert_cmpuint (gw_login_guard_get_account_count (f->guard, "lan"), ==, 10);

  /* Nine turn out wrong, one right: one place frees up, no more. */
  for (guint i = 0; i < 9; i++)
    gw_login_guard_resolve (f->guard, "lan", "198.51.100.7", TRUE);
  gw_login_guard_resolve (f->guard, "lan", "198.51.100.7", FALSE);
  g_assert_cmpuint (gw_login_guard_get_account_count (f->guard, "lan"), ==, 9);
  g_assert_cmpint (gw_login_guard_admit (f->guard, "lan", "198.51.100.7", NULL), ==, GW_LOGIN_ADMITTED);
  g_assert_cmpint (gw_login_guard_admit (f->guard, "lan", "198.51.100.7", NULL), ==, GW_LOGIN_THROTTLED_ACCOUNT);
}

static void
test_bounded (Fixture       *f,
              gconstpointer  data)
{
  gint64 retry_after = 0;
  guint i;

  /* A flood of made-up names from made-up addresses fills the table... */
  for (i = 0; i < GW_LOGIN_GUARD_MAX_ENTRIES / 2; i++)
    {
      g_autofree char *account = g_strdup_printf ("n%u", i);
      g_autofree char *address = g_strdup_printf ("10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);

      g_assert_cmpint (fail (f, account, address), ==, GW_LOGIN_ADMITTED);
    }
  /* ...then new ones are refused, with a time to come back, rather than grow it. */
  g_assert_cmpint (gw_login_guard_admit (f->guard, "new", "192.0.2.1", &retry_after), ==, GW_LOGIN_GUARD_FULL);
  g_assert_cmpint (retry_after, >, 0);
  /* Known ones still work. */
  g_assert_cmpint (gw_login_guard_admit (f->guard, "n1", "10.0.0.1", NULL), ==, GW_LOGIN_ADMITTED);

  /* Once their windows have passed, room again. */
  f->now += WINDOW;
  g_assert_cmpint (gw_login_guard_admit (f->guard, "new", "192.0.2.1", NULL), ==, GW_LOGIN_ADMITTED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/gw/login-guard/account-limit", Fixture, NULL, fixture_set_up, test_account_limit, fixture_tear_down);
  g_test_add ("/gw/login-guard/address-limit", Fixture, NULL, fixture_set_up, test_address_limit, fixture_tear_down);
  g_test_add ("/gw/login-guard/success-resets-nothing-else", Fixture, NULL, fixture_set_up,
              test_success_resets_nothing_else, fixture_tear_down);
  g_test_add ("/gw/login-guard/in-flight-counts", Fixture, NULL, fixture_set_up, test_in_flight_counts, fixture_tear_down);
  g_test_add ("/gw/login-guard/bounded", Fixture, NULL, fixture_set_up, test_bounded, fixture_tear_down);

  return g_test_run ();
}
