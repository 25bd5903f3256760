/* test-ui-sign-in.c: the sign-in window under Xvfb against a real
 * livedesk-gateway. With "keyring" as the first argument the tokens go to
 * the real gnome-keyring on the session bus and a new start signs in from
 * them; with "no-keyring" the test runs on a private bus without a Secret
 * Service and the window must say so.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include "ld-demo.h"
#include "ld-session.h"
#include "ld-settings.h"
#include "ld-sign-in-window.h"
#include "ld-test-ui.h"
#include "ld-test-util.h"
#include "ld-token-store.h"

#define WAIT_MS 30000
#define PASSWORD "correct horse 42"

static GSubprocess *gateway;
static char *gateway_url;
static char *tmp_dir;

static GSubprocessLauncher *
launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_setenv (launcher, "LIVEDESK_JWT_SECRET", "a test secret that is long enough for HS256 use", TRUE);
  return launcher;
}

/* A gateway whose users file has one moderator, "linh", with PASSWORD. */
static void
start_gateway (void)
{
  const char *program = g_getenv ("LIVEDESK_GATEWAY");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) hasher = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *users = NULL;
  g_autofree char *users_path = NULL;
  g_autofree char *line = NULL;

  g_assert_nonnull (program);
  tmp_dir = g_dir_make_tmp ("livedesk-ui-test-XXXXXX", &error);
  g_assert_no_error (error);

  hasher = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             program, "hash-password", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (hasher, PASSWORD "\n", NULL, &hash, NULL, &error);
  g_assert_no_error (error);
  g_strstrip (hash);

  users = g_strdup_printf ("[{\"userId\": \"linh01\", \"username\": \"linh\", \"role\": \"moderator\", "
                           "\"passwordHash\": \"%s\"}]", hash);
  users_path = g_build_filename (tmp_dir, "users.json", NULL);
  g_file_set_contents (users_path, users, -1, &error);
  g_assert_no_error (error);

  launcher = launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  gateway = g_subprocess_launcher_spawn (launcher, &error, program, "serve", "--port", "0", "--users", users_path, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (gateway));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  gateway_url = ld_demo_parse_listening (line);
  g_assert_nonnull (gateway_url);

  g_unlink (users_path);
}

static void
stop_gateway (void)
{
  g_subprocess_send_signal (gateway, SIGTERM);
  g_subprocess_wait (gateway, NULL, NULL);
  g_clear_object (&gateway);
  g_clear_pointer (&gateway_url, g_free);
  g_rmdir (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
}

typedef struct
{
  gboolean  signed_in;
  char     *username;
  LdTokens *tokens;
} SignIn;

static void
on_signed_in (LdSignInWindow *window,
              LdTokens       *tokens,
              const char     *username,
              SignIn         *result)
{
  result->signed_in = TRUE;
  result->username = g_strdup (username);
  result->tokens = ld_tokens_copy (tokens);
}

static gboolean
window_idle (gpointer data)
{
  LdSignInWindow *window = data;

  return !ld_sign_in_window_get_busy (window);
}

static gboolean
is_signed_in (gpointer data)
{
  return ((SignIn *) data)->signed_in;
}

typedef struct
{
  LdTokens *tokens;
  GError   *error;
  gboolean  done;
} Lookup;

static void
on_lookup (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Lookup *lookup = user_data;

  lookup->tokens = ld_token_store_lookup_finish (LD_TOKEN_STORE (object), result, &lookup->error);
  lookup->done = TRUE;
}

static gboolean
lookup_done (gpointer data)
{
  return ((Lookup *) data)->done;
}

static gboolean
session_online (gpointer data)
{
  return ld_session_get_state (data) == LD_SESSION_STATE_ONLINE;
}

static void
on_cleared (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Lookup *lookup = user_data;

  ld_token_store_clear_finish (LD_TOKEN_STORE (object), result, &lookup->error);
  lookup->done = TRUE;
}

/* A wrong password is refused in the window; the right one signs in, the
 * tokens are in the keyring, and a new start finds them and goes online as
 * that user. */
static void
test_keyring_sign_in (void)
{
  g_autoptr(LdSettings) settings = ld_settings_new ();
  g_autoptr(LdTokenStore) store = ld_token_store_new ();
  g_autoptr(LdTokenStore) store2 = NULL;
  g_autoptr(LdSession) session = NULL;
  g_autoptr(LdSettings) settings2 = NULL;
  LdSignInWindow *window;
  SignIn result = { 0 };
  Lookup lookup = { 0 };

  start_gateway ();

  window = ld_sign_in_window_new (NULL, settings, store);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  g_signal_connect (window, "signed-in", G_CALLBACK (on_signed_in), &result);
  gtk_window_present (GTK_WINDOW (window));

  ld_sign_in_window_set_urls (window, gateway_url, gateway_url);
  ld_sign_in_window_set_password (window, "linh", "not the password");
  gtk_widget_activate_action (GTK_WIDGET (window), "sign-in.submit", NULL);
  g_assert_true (ld_sign_in_window_get_busy (window));
  g_assert_true (ld_test_wait_for (window_idle, window, WAIT_MS));
  g_assert_false (result.signed_in);
  g_assert_cmpstr (ld_sign_in_window_get_error (window), ==, "Wrong username or password.");

  ld_sign_in_window_set_password (window, "linh", PASSWORD);
  gtk_widget_activate_action (GTK_WIDGET (window), "sign-in.submit", NULL);
  g_assert_true (ld_test_wait_for (is_signed_in, &result, WAIT_MS));
  g_assert_cmpstr (result.username, ==, "linh");
  g_assert_cmpstr (ld_settings_get_last_user (settings), ==, "linh");
  g_assert_cmpstr (ld_settings_get_server_url (settings), ==, gateway_url);
  /* The window closes itself once the tokens are saved. */
  while (window != NULL)
    g_main_context_iteration (NULL, TRUE);

  /* A restart: fresh objects, only the settings and the keyring remain. */
  settings2 = ld_settings_new ();
  store2 = ld_token_store_new ();
  ld_token_store_lookup_async (store2, ld_settings_get_server_url (settings2), ld_settings_get_last_user (settings2),
                               NULL, on_lookup, &lookup);
  g_assert_true (ld_test_wait_for (lookup_done, &lookup, WAIT_MS));
  g_assert_no_error (lookup.error);
  g_assert_nonnull (lookup.tokens);
  g_assert_cmpstr (lookup.tokens->access_token, ==, result.tokens->access_token);

  session = ld_session_new (ld_settings_get_server_url (settings2), ld_settings_get_api_url (settings2));
  ld_session_set_tokens (session, lookup.tokens);
  ld_session_connect (session);
  g_assert_true (ld_test_wait_for (session_online, session, WAIT_MS));
  g_assert_cmpstr (ld_session_get_username (session), ==, "linh");
  g_assert_cmpint (ld_session_get_role (session), ==, LD_ROLE_MODERATOR);
  ld_session_disconnect (session);

  lookup.done = FALSE;
  ld_token_store_clear_async (store2, gateway_url, "linh", NULL, on_cleared, &lookup);
  g_assert_true (ld_test_wait_for (lookup_done, &lookup, WAIT_MS));
  g_assert_no_error (lookup.error);

  g_clear_pointer (&lookup.tokens, ld_tokens_free);
  g_clear_pointer (&result.tokens, ld_tokens_free);
  g_clear_pointer (&result.username, g_free);
  stop_gateway ();
}

/* Without a Secret Service the sign-in succeeds at the server but is not
 * kept: the window says that no keyring is available and nothing is saved. */
static void
test_no_keyring (void)
{
  g_autoptr(LdSettings) settings = ld_settings_new ();
  g_autoptr(LdTokenStore) store = ld_token_store_new ();
  LdSignInWindow *window;
  SignIn result = { 0 };
  const char *error;

  start_gateway ();

  window = ld_sign_in_window_new (NULL, settings, store);
  g_object_ref_sink (window);
  g_signal_connect (window, "signed-in", G_CALLBACK (on_signed_in), &result);
  gtk_window_present (GTK_WINDOW (window));

  ld_sign_in_window_set_urls (window, gateway_url, gateway_url);
  ld_sign_in_window_set_password (window, "linh", PASSWORD);
  gtk_widget_activate_action (GTK_WIDGET (window), "sign-in.submit", NULL);
  g_assert_true (ld_sign_in_window_get_busy (window));
  g_assert_true (ld_test_wait_for (window_idle, window, WAIT_MS));

  g_assert_false (result.signed_in);
  error = ld_sign_in_window_get_error (window);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error, "no keyring available"));
  g_assert_cmpstr (ld_settings_get_last_user (settings), ==, "");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  stop_gateway ();
}

int
main (int    argc,
      char **argv)
{
  /* Never unreffed: its finalize would wait for GTK's bus connection to go. */
  GTestDBus *bus = NULL;
  gboolean keyring;
  int status;

  keyring = argc > 1 && g_str_equal (argv[1], "keyring");
  if (!keyring)
    {
      /* A bus of our own, before anything connects to one: no Secret Service
       * on it. GTestDBus unsets DISPLAY; the window still needs it. */
      g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));

      bus = g_test_dbus_new (G_TEST_DBUS_NONE);
      g_test_dbus_up (bus);
      if (display != NULL)
        g_setenv ("DISPLAY", display, TRUE);
    }

  ld_test_ui_init (&argc, &argv);

  if (keyring)
    g_test_add_func ("/ui/sign-in/keyring", test_keyring_sign_in);
  else
    g_test_add_func ("/ui/sign-in/no-keyring", test_no_keyring);

  status = g_test_run ();
  /* GTK keeps its bus connection to the end: stop without waiting for it. */
  if (bus != NULL)
    g_test_dbus_stop (bus);
  return status;
}
