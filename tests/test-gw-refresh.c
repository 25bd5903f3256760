/* test-gw-refresh.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "gw-refresh.h"

#define NOW ((gint64) 1790000000)

static void
test_rotation (void)
{
  g_autoptr(GwRefreshStore) store = gw_refresh_store_new (3600);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = gw_refresh_store_issue (store, "u1", NOW, &error);
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  g_autofree char *user_id = NULL;
  g_autofree char *other = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (strlen (first), >=, 43);
  other = gw_refresh_store_issue (store, "u1", NOW, &error);
  g_assert_cmpstr (first, !=, other);

  second = gw_refresh_store_rotate (store, first, NOW + 10, &user_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (user_id, ==, "u1");
  g_assert_cmpstr (second, !=, first);

  third = gw_refresh_store_rotate (store, second, NOW + 20, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (third);
  /* one per chain: the newest of the first login's, and the second login's */
  g_assert_cmpuint (gw_refresh_store_get_n_active (store, NOW + 20), ==, 2);

  g_assert_null (gw_refresh_store_rotate (store, "made-up-token", NOW, NULL, &error));
  g_assert_error (error, GW_REFRESH_ERROR, GW_REFRESH_ERROR_INVALID);
}

static void
test_reuse_revokes_chain (void)
{
  g_autoptr(GwRefreshStore) store = gw_refresh_store_new (3600);
  g_autoptr(GError) error = NULL;
  g_autofree char *stolen = gw_refresh_store_issue (store, "u1", NOW, NULL);
  g_autofree char *other_login = gw_refresh_store_issue (store, "u1", NOW, NULL);
  g_autofree char *victim = NULL;
  g_autofree char *thief = NULL;
  g_autofree char *still = NULL;

  victim = gw_refresh_store_rotate (store, stolen, NOW + 1, NULL, &error);
  g_assert_no_error (error);

  /* The thief replays the token the victim already traded in … */
  thief = gw_refresh_store_rotate (store, stolen, NOW + 2, NULL, &error);
  g_assert_null (thief);
  g_assert_error (error, GW_REFRESH_ERROR, GW_REFRESH_ERROR_REUSED);
  g_clear_error (&error);

  /* … and from then on neither holder of that chain gets a new token. */
  g_assert_null (gw_refresh_store_rotate (store, victim, NOW + 3, NULL, &error));
  g_assert_error (error, GW_REFRESH_ERROR, GW_REFRESH_ERROR_INVALID);
  g_clear_error (&error);

  /* The user's other login is a different chain and keeps working. */
  still = gw_refresh_store_rotate (store, other_login, NOW + 4, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (still);
}

static void
test_expiry_and_revoke (void)
{
  g_autoptr(GwRefreshStore) store = gw_refresh_store_new (60);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = gw_refresh_store_issue (store, "u1", NOW, NULL);
  g_autofree char *other = gw_refresh_store_issue (store, "u2", NOW, NULL);
  g_autofree char *u2_token = NULL;

  g_assert_null (gw_refresh_store_rotate (store, token, NOW + 61, NULL, &error));
  g_assert_error (error, GW_REFRESH_ERROR, GW_REFRESH_ERROR_EXPIRED);
  g_clear_error (&error);

  u2_token = gw_refresh_store_issue (store, "u2", NOW + 100, NULL);
  gw_refresh_store_revoke_user (store, "u2");
  g_assert_null (gw_refresh_store_rotate (store, u2_token, NOW + 101, NULL, &error));
  g_assert_error (error, GW_REFRESH_ERROR, GW_REFRESH_ERROR_INVALID);
  g_assert_cmpuint (gw_refresh_store_get_n_active (store, NOW + 101), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gw/refresh/rotation", test_rotation);
  g_test_add_func ("/gw/refresh/reuse-revokes-chain", test_reuse_revokes_chain);
  g_test_add_func ("/gw/refresh/expiry-and-revoke", test_expiry_and_revoke);

  return g_test_run ();
}
