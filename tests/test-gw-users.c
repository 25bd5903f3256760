/* test-gw-users.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "gw-users.h"

#define PASSWORD "correct horse battery staple"

static void
test_hash_verify (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = gw_password_hash (PASSWORD, &error);
  g_autofree char *again = gw_password_hash (PASSWORD, &error);

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (hash, "$y$"));
  g_assert_null (strstr (hash, PASSWORD));
  /* A fresh salt each time: equal passwords do not give equal hashes. */
  g_assert_cmpstr (hash, !=, again);

  g_assert_true (gw_password_verify (PASSWORD, hash));
  g_assert_true (gw_password_verify (PASSWORD, again));
  g_assert_false (gw_password_verify ("correct horse battery stapler", hash));
  g_assert_false (gw_password_verify ("", hash));
  g_assert_false (gw_password_verify (PASSWORD, "$y$garbage"));
  g_assert_false (gw_password_verify (PASSWORD, PASSWORD));

  g_assert_null (gw_password_hash ("", &error));
  g_assert_error (error, GW_USERS_ERROR, GW_USERS_ERROR_HASH);
}

static void
test_file (void)
{
  g_autoptr(GwUsers) users = gw_users_new ();
  g_autoptr(GwUsers) loaded = NULL;
  g_autoptr(GwUser) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = gw_password_hash (PASSWORD, NULL);
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  GStatBuf st;
  int fd;

  g_assert_true (gw_users_add (users, "u1", "lan", GW_ROLE_STREAMER, hash, &error));
  g_assert_no_error (error);

  fd = g_file_open_tmp ("gw-users-XXXXXX.json", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (gw_users_save_to_file (users, path, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_null (strstr (contents, PASSWORD));
  g_assert_nonnull (strstr (contents, "\"passwordHash\""));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0077, ==, 0);

  loaded = gw_users_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gw_users_get_n_users (loaded), ==, 1);
  g_assert_cmpstr (gw_users_lookup_by_name (loaded, "lan")->user_id, ==, "u1");
  g_assert_cmpint (gw_users_lookup_by_id (loaded, "u1")->role, ==, GW_ROLE_STREAMER);
  g_assert_null (gw_users_lookup_by_name (loaded, "LAN"));

  user = gw_users_authenticate (loaded, "lan", PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (user->user_id, ==, "u1");

  g_unlink (path);
}

static void
test_bad_files (void)
{
  const char *files[] = {
    "{}",
    "[1]",
    "not json",
    "[{\"userId\":\"u1\",\"username\":\"lan\",\"role\":\"viewer\",\"passwordHash\":\"hunter2\"}]",
    "[{\"userId\":\"u1\",\"username\":\"lan\",\"role\":\"god\",\"passwordHash\":\"$y$j9T$aaaaaaaaaaaaaaaaaaaaa\"}]",
    "[{\"userId\":\"u-1\",\"username\":\"lan\",\"role\":\"viewer\",\"passwordHash\":\"$y$j9T$aaaaaaaaaaaaaaaaaaaaa\"}]",
    "[{\"userId\":\"u1\",\"username\":\"lan\",\"role\":\"viewer\",\"passwordHash\":\"$y$j9T$aaaaaaaaaaaaaaaaaaaaa\"},"
    " {\"userId\":\"u2\",\"username\":\"lan\",\"role\":\"viewer\",\"passwordHash\":\"$y$j9T$aaaaaaaaaaaaaaaaaaaaa\"}]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (gw_users_new_from_data (files[i], -1, &error));
      g_assert_nonnull (error);
      g_assert_true (error->domain == GW_USERS_ERROR);
    }
}

typedef struct
{
  GwUser  *user;
  GError  *error;
  gboolean done;
} AuthResult;

static void
on_authenticated (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  AuthResult *r = user_data;

  r->user = gw_users_authenticate_finish (GW_USERS (object), result, &r->error);
  r->done = TRUE;
}

static void
authenticate (GwUsers    *users,
              const char *username,
              const char *password,
              AuthResult *r)
{
  memset (r, 0, sizeof *r);
  gw_users_authenticate_async (users, username, password, NULL, on_authenticated, r);
  while (!r->done)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_authenticate_async (void)
{
  g_autoptr(GwUsers) users = gw_users_new ();
  g_autofree char *hash = gw_password_hash (PASSWORD, NULL);
  AuthResult r;

  g_assert_true (gw_users_add (users, "u7", "minh", GW_ROLE_ADMIN, hash, NULL));

  authenticate (users, "minh", PASSWORD, &r);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.user->username, ==, "minh");
  g_assert_cmpint (r.user->role, ==, GW_ROLE_ADMIN);
  gw_user_free (r.user);

  authenticate (users, "minh", "wrong password", &r);
  g_assert_null (r.user);
  g_assert_error (r.error, GW_USERS_ERROR, GW_USERS_ERROR_BAD_CREDENTIALS);
  g_clear_error (&r.error);

  /* Same error, same words, for a name that does not exist. */
  authenticate (users, "nobody", PASSWORD, &r);
  g_assert_null (r.user);
  g_assert_error (r.error, GW_USERS_ERROR, GW_USERS_ERROR_BAD_CREDENTIALS);
  g_assert_cmpstr (r.error->message, ==, "Invalid username or password");
  g_clear_error (&r.error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gw/users/hash-verify", test_hash_verify);
  g_test_add_func ("/gw/users/file", test_file);
  g_test_add_func ("/gw/users/bad-files", test_bad_files);
  g_test_add_func ("/gw/users/authenticate-async", test_authenticate_async);

  return g_test_run ();
}
