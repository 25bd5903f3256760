/* test-gw-serve.c: `livedesk-gateway serve` run as an operator would, used
 * the way the app uses it: log in over REST, connect with the official
 * socket.io-client, join a room; then stopped with SIGTERM.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "gw-users.h"
#include "test-peer.h"

#define SECRET "serve-test-secret-0123456789abcdef0123456789"
#define WAIT_MS 15000

static const char *program;

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static char *
write_users_file (const char *dir)
{
  g_autoptr(GwUsers) users = gw_users_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = gw_password_hash ("correct horse", &error);
  char *path = g_build_filename (dir, "users.json", NULL);

  g_assert_no_error (error);
  gw_users_add (users, "alice", "Alice", GW_ROLE_VIEWER, hash, &error);
  g_assert_no_error (error);
  gw_users_save_to_file (users, path, &error);
  g_assert_no_error (error);

  return path;
}

static JsonObject *
post_json (SoupSession *session,
           const char  *url,
           const char  *body)
{
  g_autoptr(SoupMessage) message = soup_message_new ("POST", url);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  soup_message_set_request_body_from_bytes (message, "application/json", request);
  reply = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (soup_message_get_status (message), ==, SOUP_STATUS_OK);
  json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
  g_assert_no_error (error);

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static JsonObject *
expect_line (TestPeer   *peer,
             const char *event,
             const char *name)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;

  for (;;)
    {
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      g_autoptr(JsonObject) line = left > 0 ? test_peer_expect (peer, event, left) : NULL;

      if (line == NULL)
        g_error ("the client never saw %s %s", event, name ? name : "");
      if (name == NULL || g_strcmp0 (json_object_get_string_member_with_default (line, "name", NULL), name) == 0)
        return g_steal_pointer (&line);
    }
}

static void
test_serve (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("livedesk-serve-XXXXXX", &error);
  g_autofree char *users = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) gateway = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autofree char *base = NULL;
  g_autofree char *url = NULL;
  g_autofree char *port = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(JsonObject) login = NULL;
  g_autoptr(TestPeer) peer = NULL;
  g_autoptr(JsonObject) joined = NULL;
  g_autoptr(JsonObject) gone = NULL;
  g_autoptr(GUri) uri = NULL;
  JsonNode *data;

  g_assert_no_error (error);
  users = write_users_file (dir);
  /* A proxy from the environment must not stand between us and 127.0.0.1. */
  soup_session_set_proxy_resolver (session, NULL);

  g_subprocess_launcher_setenv (launcher, "LIVEDESK_JWT_SECRET", SECRET, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  gateway = g_subprocess_launcher_spawn (launcher, &error, program, "serve", "--port", "0", "--users", users, NULL);
  g_assert_no_error (error);

  /* Its first line names the URL it listens on. */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (gateway));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "livedesk-gateway: listening on http://127.0.0.1:"));
  base = g_strdup (strstr (line, "http://"));
  uri = g_uri_parse (base, G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  port = g_strdup_printf ("%d", g_uri_get_port (uri));

  url = g_strdup_printf ("http://127.0.0.1:%s/api/v1/auth/login", port);
  login = post_json (session, url, "{\"username\":\"Alice\",\"password\":\"correct horse\"}");
  data = json_object_get_member (login, "accessToken");
  g_assert_nonnull (data);

  peer = test_peer_start ("gateway-peer.mjs", port, NULL);
  test_peer_send (peer, "{\"cmd\":\"connect\",\"id\":\"a\",\"auth\":{\"token\":\"%s\"}}", json_node_get_string (data));
  json_object_unref (expect_line (peer, "message", "authSuccess"));
  test_peer_send (peer, "{\"cmd\":\"emit\",\"id\":\"a\",\"name\":\"joinRoom\",\"payload\":{\"roomId\":\"room_1\"}}");
  joined = expect_line (peer, "message", "joinedRoom");
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (joined, "payload"), "success"));

  /* SIGTERM: the client is told (not just dropped) and the program exits 0. */
  g_subprocess_send_signal (gateway, SIGTERM);
  gone = expect_line (peer, "disconnect", NULL);
  g_subprocess_wait (gateway, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (gateway));
  g_assert_cmpint (g_subprocess_get_exit_status (gateway), ==, 0);

  g_unlink (users);
  g_rmdir (dir);
}

static void
test_serve_needs_users (void)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) gateway = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  g_subprocess_launcher_setenv (launcher, "LIVEDESK_JWT_SECRET", SECRET, TRUE);
  gateway = g_subprocess_launcher_spawn (launcher, &error, program, "serve", "--port", "0", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (gateway, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (gateway), ==, 2);
  g_assert_nonnull (strstr (err, "--users"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_assert_cmpint (argc, ==, 2);
  program = argv[1];

  g_test_add_func ("/gw/serve/login-connect-join-stop", test_serve);
  g_test_add_func ("/gw/serve/needs-users", test_serve_needs_users);

  return g_test_run ();
}
