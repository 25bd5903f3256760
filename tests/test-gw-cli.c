/* test-gw-cli.c: the livedesk-gateway program's commands, run as a user would.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "gw-jwt.h"
#include "gw-users.h"

#define SECRET "cli-test-secret-0123456789abcdef0123456789"

static const char *program;

typedef struct
{
  char *out;
  char *err;
  int   status;
} Run;

static void
run_clear (Run *r)
{
  g_free (r->out);
  g_free (r->err);
}

/* Runs the program with ARGS (NULL-terminated), STDIN_TEXT on its input and
 * SECRET_ENV (or nothing) in $LIVEDESK_JWT_SECRET. */
static void
run (Run        *r,
     const char *stdin_text,
     const char *secret_env,
     ...)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (char *)program);
  va_start (ap, secret_env);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *)arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  if (secret_env != NULL)
    g_subprocess_launcher_setenv (launcher, "LIVEDESK_JWT_SECRET", secret_env, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "LIVEDESK_JWT_SECRET");

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *)argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, stdin_text != NULL ? stdin_text : "", NULL, &r->out, &r->err, &error);
  g_assert_no_error (error);
  r->status = g_subprocess_get_exit_status (process);
}

static void
test_help (void)
{
  Run r;

  run (&r, NULL, NULL, "--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "mint-token"));
  g_assert_nonnull (strstr (r.out, "hash-password"));
  run_clear (&r);

  run (&r, NULL, NULL, "frobnicate", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "unknown command"));
  run_clear (&r);
}

static void
test_mint_token (void)
{
  g_autoptr(GBytes) secret = g_bytes_new_static (SECRET, strlen (SECRET));
  g_autoptr(GwJwt) jwt = gw_jwt_new (secret, NULL);
  g_autoptr(GwJwtClaims) claims = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  Run r;

  run (&r, NULL, SECRET, "mint-token", "--user", "u9", "--name", "Hà", "--role", "moderator", "--ttl", "120", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_strchomp (r.out);
  claims = gw_jwt_verify (jwt, r.out, now, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (claims->sub, ==, "u9");
  g_assert_cmpstr (claims->name, ==, "Hà");
  g_assert_cmpint (claims->role, ==, GW_ROLE_MODERATOR);
  g_assert_cmpint (claims->exp - now, <=, 121);
  g_assert_cmpint (claims->exp - now, >=, 100);
  run_clear (&r);

  run (&r, NULL, SECRET, "mint-token", "--user", "u9", "--name", "Hà", "--role", "owner", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "owner"));
  g_assert_cmpstr (r.out, ==, "");
  run_clear (&r);

  run (&r, NULL, NULL, "mint-token", "--user", "u9", "--name", "Hà", "--role", "viewer", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "LIVEDESK_JWT_SECRET"));
  run_clear (&r);

  run (&r, NULL, "short", "mint-token", "--user", "u9", "--name", "Hà", "--role", "viewer", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_nonnull (strstr (r.err, "at least 32"));
  run_clear (&r);

  /* There is deliberately no way to pass the secret itself as an argument. */
  run (&r, NULL, NULL, "mint-token", "--secret", SECRET, "--user", "u9", "--name", "Hà", "--role", "viewer", NULL);
  g_assert_cmpint (r.status, ==, 2);
  run_clear (&r);
}

static void
test_hash_password (void)
{
  Run r;

  run (&r, "s3cret pass\n", NULL, "hash-password", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_strchomp (r.out);
  g_assert_true (g_str_has_prefix (r.out, "$y$"));
  g_assert_null (strstr (r.out, "s3cret"));
  g_assert_null (strstr (r.err, "s3cret"));
  g_assert_true (gw_password_verify ("s3cret pass", r.out));
  run_clear (&r);

  run (&r, "", NULL, "hash-password", NULL);
  g_assert_cmpint (r.status, !=, 0);
  g_assert_cmpstr (r.out, ==, "");
  run_clear (&r);
}

/* serve --exit-with-stdin runs until its standard input closes, as when the
 * parent that started it (livedesk --demo) ends in any way; what comes in
 * before is ignored. Without the option this would serve until the test's
 * timeout. */
static void
test_exit_with_stdin (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("livedesk-gw-cli-XXXXXX", &error);
  g_autofree char *users = NULL;
  Run r = { 0 };

  g_assert_no_error (error);
  users = g_build_filename (dir, "users.json", NULL);
  g_assert_true (g_file_set_contents (users, "[]\n", -1, &error));

  run (&r, "ignored\nlines\n", SECRET, "serve", "--exit-with-stdin", "--port", "0", "--users", users, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "listening "));
  run_clear (&r);

  g_remove (users);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  program = g_getenv ("LIVEDESK_GATEWAY");
  if (argc > 1)
    program = argv[1];
  g_assert_nonnull (program);

  g_test_add_func ("/gw/cli/help", test_help);
  g_test_add_func ("/gw/cli/mint-token", test_mint_token);
  g_test_add_func ("/gw/cli/hash-password", test_hash_password);
  g_test_add_func ("/gw/cli/exit-with-stdin", test_exit_with_stdin);

  return g_test_run ();
}
