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

#include "gw-jwt.h"
#include "gw-redis.h"
#include "gw-users.h"
#include "gw-test-fixture.h"
#include "test-redis.h"

#define SECRET "serve-test-secret-0123456789abcdef0123456789"

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

typedef struct
{
  GSubprocess *process;
  guint        port;
} Gateway;

/* Starts `livedesk-gateway serve --port 0 --users USERS EXTRA…` and reads the
 * port from the line it prints once it listens. */
static void
gateway_start (Gateway    *gateway,
               const char *users,
               const char *extra_option,
               const char *extra_value)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  char *end = NULL;

  g_subprocess_launcher_setenv (launcher, "LIVEDESK_JWT_SECRET", SECRET, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  gateway->process = g_subprocess_launcher_spawn (launcher, &error, program, "--port", "0",
                                                  "--users", users, extra_option, extra_value, NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (gateway->process));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (out), FALSE);
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  /* the first line is exactly "listening PORT" */
  g_assert_true (g_str_has_prefix (line, "listening "));
  gateway->port = (guint) g_ascii_strtoull (line + strlen ("listening "), &end, 10);
  g_assert_cmpstr (end, ==, "");
  g_assert_cmpuint (gateway->port, >, 0);
}

static void
gateway_stop (Gateway *gateway)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (gateway->process, SIGTERM);
  g_subprocess_wait (gateway->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (gateway->process));
  g_assert_cmpint (g_subprocess_get_exit_status (gateway->process), ==, 0);
  g_clear_object (&gateway->process);
}

/* What the tests of gateways on Redis share: a users file in a temporary
 * directory, a fresh redis-server on a free port, an HTTP client for the
 * gateways' REST API, and up to two gateway processes. */
typedef struct
{
  char        *dir;
  char        *users;
  guint16      redis_port;
  char        *redis_uri;
  GSubprocess *redis;
  SoupSession *session;
  Gateway      one;
  Gateway      two;
} Cluster;

static void
cluster_set_up (Cluster *cluster)
{
  g_autoptr(GError) error = NULL;

  cluster->dir = g_dir_make_tmp ("livedesk-serve-XXXXXX", &error);
  g_assert_no_error (error);
  cluster->users = write_users_file (cluster->dir);
  cluster->session = soup_session_new ();
  /* A proxy from the environment must not stand between us and 127.0.0.1. */
  soup_session_set_proxy_resolver (cluster->session, NULL);
  cluster->redis_port = test_free_port ();
  cluster->redis = test_redis_start (cluster->redis_port, NULL);
  cluster->redis_uri = g_strdup_printf ("redis://127.0.0.1:%u", cluster->redis_port);
}

/* Stops (SIGTERM, exit 0) the gateways still running and kills Redis if it
 * still runs. Files the test added to the directory it removes itself. */
static void
cluster_tear_down (Cluster *cluster)
{
  if (cluster->one.process != NULL)
    gateway_stop (&cluster->one);
  if (cluster->two.process != NULL)
    gateway_stop (&cluster->two);
  if (cluster->redis != NULL)
    {
      g_subprocess_send_signal (cluster->redis, SIGKILL);
      g_subprocess_wait (cluster->redis, NULL, NULL);
      g_clear_object (&cluster->redis);
    }
  g_unlink (cluster->users);
  g_rmdir (cluster->dir);
  g_clear_object (&cluster->session);
  g_clear_pointer (&cluster->redis_uri, g_free);
  g_clear_pointer (&cluster->users, g_free);
  g_clear_pointer (&cluster->dir, g_free);
}

static void
test_serve (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("livedesk-serve-XXXXXX", &error);
  g_autofree char *users = NULL;
  g_autofree char *url = NULL;
  g_autofree char *port = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(JsonObject) login = NULL;
  g_autoptr(GwTestClients) peer = NULL;
  g_autoptr(JsonObject) joined = NULL;
  g_autoptr(JsonObject) gone = NULL;
  Gateway gateway = { 0 };
  JsonNode *data;

  g_assert_no_error (error);
  users = write_users_file (dir);
  /* A proxy from the environment must not stand between us and 127.0.0.1. */
  soup_session_set_proxy_resolver (session, NULL);
  gateway_start (&gateway, users, NULL, NULL);
  port = g_strdup_printf ("%u", gateway.port);

  url = g_strdup_printf ("http://127.0.0.1:%s/api/v1/auth/login", port);
  login = post_json (session, url, "{\"username\":\"Alice\",\"password\":\"correct horse\"}");
  data = json_object_get_member (login, "accessToken");
  g_assert_nonnull (data);

  peer = gw_test_clients_new (gateway.port);
  test_peer_send (peer->peer, "{\"cmd\":\"connect\",\"id\":\"a\",\"auth\":{\"token\":\"%s\"}}", json_node_get_string (data));
  json_object_unref (gw_test_expect_full (peer, "message", "a", "authSuccess", NULL));
  test_peer_send (peer->peer, "{\"cmd\":\"emit\",\"id\":\"a\",\"name\":\"joinRoom\",\"payload\":{\"roomId\":\"room_1\"}}");
  joined = gw_test_expect_full (peer, "message", "a", "joinedRoom", NULL);
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (joined, "payload"), "success"));

  /* SIGTERM: the client is told (not just dropped) and the program exits 0. */
  g_subprocess_send_signal (gateway.process, SIGTERM);
  gone = gw_test_expect_full (peer, "disconnect", "a", NULL, NULL);
  g_subprocess_wait (gateway.process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (gateway.process));
  g_assert_cmpint (g_subprocess_get_exit_status (gateway.process), ==, 0);
  g_clear_object (&gateway.process);

  g_unlink (users);
  g_rmdir (dir);
}

static void
on_published (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  gint64 *receivers = user_data;
  g_autoptr(GError) error = NULL;

  /* Our own link may still be connecting: that counts as nobody heard it. */
  if (!gw_redis_publish_finish (GW_REDIS (source), result, receivers, &error))
    *receivers = 0;
}

/* `serve --redis`: what the backend publishes reaches a client. */
static void
test_serve_redis (void)
{
  Cluster cluster = { 0 };
  Gateway *gateway = &cluster.one;
  g_autoptr(GError) error = NULL;
  g_autoptr(GwRedis) backend = NULL;
  g_autoptr(GwTestClients) peer = NULL;
  g_autoptr(JsonObject) relayed = NULL;
  g_autoptr(JsonObject) login = NULL;
  g_autofree char *url = NULL;
  gint64 deadline;

  cluster_set_up (&cluster);
  gateway_start (gateway, cluster.users, "--redis", cluster.redis_uri);

  url = g_strdup_printf ("http://127.0.0.1:%u/api/v1/auth/login", gateway->port);
  login = post_json (cluster.session, url, "{\"username\":\"Alice\",\"password\":\"correct horse\"}");
  peer = gw_test_clients_new (gateway->port);
  test_peer_send (peer->peer, "{\"cmd\":\"connect\",\"id\":\"a\",\"auth\":{\"token\":\"%s\"}}",
                  json_object_get_string_member (login, "accessToken"));
  json_object_unref (gw_test_expect_full (peer, "message", "a", "authSuccess", NULL));
  test_peer_send (peer->peer, "{\"cmd\":\"emit\",\"id\":\"a\",\"name\":\"joinRoom\",\"payload\":{\"roomId\":\"room_1\"}}");
  json_object_unref (gw_test_expect_full (peer, "message", "a", "joinedRoom", NULL));

  /* Redis says how many subscribers heard a message: publish until the
   * gateway (the only one) is among them. */
  backend = gw_redis_new (cluster.redis_uri, &error);
  g_assert_no_error (error);
  gw_redis_start (backend);
  deadline = g_get_monotonic_time () + GW_TEST_WAIT_MS * 1000;
  for (;;)
    {
      gint64 receivers = -1;

      gw_redis_publish_async (backend, "chat.message",
                              "{\"type\":\"chat_message\",\"messageId\":\"b1\",\"roomId\":\"room_1\",\"message\":\"hi\"}",
                              NULL, on_published, &receivers);
      while (receivers < 0)
        g_main_context_iteration (NULL, TRUE);
      if (receivers > 0)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      test_spin (50);
    }

  relayed = gw_test_expect_full (peer, "message", "a", "chatMessageFromBackend", NULL);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     json_object_get_object_member (relayed, "payload"), "data"), "messageId"), ==, "b1");

  g_subprocess_send_signal (gateway->process, SIGTERM);
  g_subprocess_wait (gateway->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (gateway->process), ==, 0);
  g_clear_object (&gateway->process);

  cluster_tear_down (&cluster);
}

static guint get_status (SoupSession *session,
                         const char  *url,
                         char       **body);

static char *
mint (const char *user_id,
      const char *name)
{
  g_autoptr(GBytes) secret = g_bytes_new_static (SECRET, strlen (SECRET));
  g_autoptr(GError) error = NULL;
  g_autoptr(GwJwt) jwt = gw_jwt_new (secret, &error);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GwJwtClaims) claims = gw_jwt_claims_new (user_id, name, GW_ROLE_VIEWER, now, now + 900);
  char *token;

  g_assert_no_error (error);
  token = gw_jwt_sign (jwt, claims, &error);
  g_assert_no_error (error);
  return token;
}

/* Client ID says TEXT in room_1 and the gateway accepts it, after waiting
 * out the user's rate limit if need be. */
static void
say (GwTestClients *peer,
     const char *id,
     const char *text)
{
  for (;;)
    {
      g_autoptr(JsonObject) ack = NULL;
      JsonObject *reply;

      test_peer_send (peer->peer, "{\"cmd\":\"emit\",\"id\":\"%s\",\"name\":\"sendMessage\",\"ack\":true,"
                      "\"payload\":{\"roomId\":\"room_1\",\"message\":\"%s\"}}", id, text);
      ack = gw_test_expect_full (peer, "ack", id, "sendMessage", NULL);
      reply = json_object_get_object_member (ack, "payload");
      if (json_object_get_boolean_member (reply, "success"))
        return;
      g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (reply, "error"), "code"),
                       ==, "RATE_LIMITED");
      test_spin ((guint) json_object_get_int_member (json_object_get_object_member (reply, "error"), "retryAfterMs")
                 + 20);
    }
}

/* Client ID's next chat message is TEXT: nothing else (no duplicate, nothing
 * lost in between) came first. */
static void
expect_said (GwTestClients *peer,
             const char *id,
             const char *text)
{
  g_autoptr(JsonObject) line = gw_test_expect_full (peer, "message", id, "newMessage", NULL);

  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (line, "payload"), "message"),
                   ==, text);
}

/* Polls the gateway's health until it reports Redis as STATE. */
static void
wait_redis_state (SoupSession *session,
                  guint        port,
                  const char  *state)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/api/v1/system/health", port);
  gint64 deadline = g_get_monotonic_time () + 2 * GW_TEST_WAIT_MS * 1000;

  for (;;)
    {
      g_autofree char *body = NULL;
      g_autoptr(JsonNode) node = NULL;

      g_assert_cmpuint (get_status (session, url, &body), ==, SOUP_STATUS_OK);
      node = json_from_string (body, NULL);
      g_assert_nonnull (node);
      if (g_strcmp0 (json_object_get_string_member (json_node_get_object (node), "redis"), state) == 0)
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("the gateway on %u never reported Redis %s: %s", port, state, body);
      test_spin (100);
    }
}

/* getRoomInfo from client ID until room_1 counts WANT viewers over all
 * processes; TRUE if USER_ID is among them. */
static gboolean
room_viewers_until (GwTestClients *peer,
                    const char *id,
                    gint64      want,
                    const char *user_id)
{
  gint64 deadline = g_get_monotonic_time () + GW_TEST_WAIT_MS * 1000;

  for (;;)
    {
      g_autoptr(JsonObject) info = NULL;
      JsonObject *data;

      test_peer_send (peer->peer, "{\"cmd\":\"emit\",\"id\":\"%s\",\"name\":\"getRoomInfo\",\"payload\":{\"roomId\":\"room_1\"}}",
                      id);
      info = gw_test_expect_full (peer, "message", id, "roomInfo", NULL);
      data = json_object_get_object_member (json_object_get_object_member (info, "payload"), "data");
      if (json_object_get_int_member (data, "viewerCount") == want)
        {
          JsonArray *viewers = json_object_get_array_member (data, "viewers");
          gboolean found = FALSE;

          g_assert_cmpuint (json_array_get_length (viewers), ==, want);
          for (guint i = 0; i < json_array_get_length (viewers); i++)
            found |= g_strcmp0 (json_object_get_string_member (json_array_get_object_element (viewers, i), "userId"),
                                user_id) == 0;
          return found;
        }
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      test_spin (50);
    }
}

/* Clients "a" (alice) on the gateway on PORT_ONE and "b" (bob) on the one
 * on PORT_TWO, both in room_1. */
static GwTestClients *
alice_and_bob_in_room (guint port_one,
                       guint port_two)
{
  g_autofree char *alice = mint ("alice", "Alice");
  g_autofree char *bob = mint ("bob", "Bob");
  GwTestClients *clients = gw_test_clients_new (port_one);

  gw_test_connect (clients, "a", alice, 0);
  gw_test_connect (clients, "b", bob, port_two);
  gw_test_join (clients, "a", "room_1");
  gw_test_join (clients, "b", "room_1");
  return clients;
}

/* Gateways one and two on the cluster's Redis, both started with OPTION
 * VALUE (--redis or --config), once both report Redis connected. */
static void
cluster_start_two (Cluster    *cluster,
                   const char *option,
                   const char *value)
{
  gateway_start (&cluster->one, cluster->users, option, value);
  gateway_start (&cluster->two, cluster->users, option, value);
  wait_redis_state (cluster->session, cluster->one.port, "connected");
  wait_redis_state (cluster->session, cluster->two.port, "connected");
}

/* Two livedesk-gateway processes on one Redis, which dies mid-test: each
 * keeps serving its own clients; once Redis is back on its port, a room
 * spans both processes again and every message arrives exactly once. */
static void
test_serve_redis_outage (void)
{
  Cluster cluster = { 0 };
  g_autoptr(GwTestClients) peer = NULL;

  cluster_set_up (&cluster);
  cluster_start_two (&cluster, "--redis", cluster.redis_uri);

  peer = alice_and_bob_in_room (cluster.one.port, cluster.two.port);

  /* Presence is shared: each process lists the other's viewer. */
  g_assert_true (room_viewers_until (peer, "b", 2, "alice"));
  g_assert_true (room_viewers_until (peer, "a", 2, "bob"));

  say (peer, "a", "before");
  expect_said (peer, "a", "before");
  expect_said (peer, "b", "before");

  g_subprocess_send_signal (cluster.redis, SIGKILL);
  g_subprocess_wait (cluster.redis, NULL, NULL);
  g_clear_object (&cluster.redis);
  wait_redis_state (cluster.session, cluster.one.port, "disconnected");
  wait_redis_state (cluster.session, cluster.two.port, "disconnected");

  /* Each process still serves its own. */
  say (peer, "a", "alone on one");
  expect_said (peer, "a", "alone on one");
  say (peer, "b", "alone on two");
  expect_said (peer, "b", "alone on two");

  cluster.redis = test_redis_start (cluster.redis_port, NULL);
  wait_redis_state (cluster.session, cluster.one.port, "connected");
  wait_redis_state (cluster.session, cluster.two.port, "connected");

  /* Across processes again, each once: the next message each client sees
   * after its own is the other's. */
  say (peer, "a", "after");
  expect_said (peer, "a", "after");
  expect_said (peer, "b", "after");
  say (peer, "b", "welcome back");
  expect_said (peer, "b", "welcome back");
  expect_said (peer, "a", "welcome back");

  cluster_tear_down (&cluster);
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

/* GET on the Engine.IO handshake URL: the status, and the body in *BODY. */
static guint
get_status (SoupSession *session,
            const char  *url,
            char       **body)
{
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  *body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return soup_message_get_status (message);
}

static void
test_serve_config_and_path (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("livedesk-serve-XXXXXX", &error);
  g_autofree char *users = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_text = NULL;
  g_autofree char *url = NULL;
  g_autofree char *body = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  Gateway gateway = { 0 };

  g_assert_no_error (error);
  users = write_users_file (dir);
  config = g_build_filename (dir, "gateway.conf", NULL);
  config_text = g_strdup_printf ("[gateway]\npath=/live\nport=4001\nusers=%s\n", users);
  g_file_set_contents (config, config_text, -1, &error);
  g_assert_no_error (error);
  soup_session_set_proxy_resolver (session, NULL);

  /* --port 0 on the command line wins over the file's 4001 */
  gateway_start (&gateway, users, "--config", config);

  url = g_strdup_printf ("http://127.0.0.1:%u/live/?EIO=4&transport=polling", gateway.port);
  g_assert_cmpuint (get_status (session, url, &body), ==, 200);
  g_assert_true (g_str_has_prefix (body, "0{\"sid\":"));
  g_clear_pointer (&url, g_free);
  g_clear_pointer (&body, g_free);

  /* the default path is not served when the file names another */
  url = g_strdup_printf ("http://127.0.0.1:%u/socket/?EIO=4&transport=polling", gateway.port);
  g_assert_cmpuint (get_status (session, url, &body), !=, 200);

  g_subprocess_send_signal (gateway.process, SIGTERM);
  g_subprocess_wait (gateway.process, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&gateway.process);
  g_unlink (config);
  g_unlink (users);
  g_rmdir (dir);
}

/* Without a secret the gateway refuses to start and says where a secret goes;
 * --development starts with a throwaway one and says so loudly. */
static void
test_serve_needs_secret (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("livedesk-serve-XXXXXX", &error);
  g_autofree char *users = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) gateway = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GDataInputStream) log = NULL;
  g_autofree char *line = NULL;
  g_autofree char *warning = NULL;

  g_assert_no_error (error);
  users = write_users_file (dir);
  g_subprocess_launcher_unsetenv (launcher, "LIVEDESK_JWT_SECRET");

  gateway = g_subprocess_launcher_spawn (launcher, &error, program, "--port", "0", "--users", users, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (gateway, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (gateway), ==, 1);
  g_assert_nonnull (strstr (err, "LIVEDESK_JWT_SECRET"));
  g_clear_object (&gateway);

  gateway = g_subprocess_launcher_spawn (launcher, &error, program, "--port", "0", "--users", users,
                                         "--development", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (gateway));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "listening "));
  log = g_data_input_stream_new (g_subprocess_get_stderr_pipe (gateway));
  warning = g_data_input_stream_read_line_utf8 (log, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (warning, "DEVELOPMENT MODE"));

  g_subprocess_send_signal (gateway, SIGTERM);
  g_subprocess_wait (gateway, NULL, &error);
  g_assert_no_error (error);
  g_unlink (users);
  g_rmdir (dir);
}

static guint
post_status (SoupSession *session,
             const char  *url,
             const char  *body)
{
  g_autoptr(SoupMessage) message = soup_message_new ("POST", url);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_set_request_body_from_bytes (message, "application/json", request);
  reply = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  return soup_message_get_status (message);
}

static void
assert_absent (const char *log,
               const char *secret)
{
  if (strstr (log, secret) != NULL)
    g_error ("the log shows “%s”:\n%s", secret, log);
}

/* The operator's log at --log-level debug: one key=value line per
 * connection, sign-in and refusal, and never a token, secret or password,
 * however they went. */
static void
test_serve_log (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("livedesk-serve-XXXXXX", &error);
  g_autofree char *users = NULL;
  g_autofree char *login_url = NULL;
  g_autofree char *refresh_url = NULL;
  g_autofree char *port = NULL;
  g_autofree char *line = NULL;
  g_autofree char *log = NULL;
  g_autofree char *bad_token = NULL;
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) gateway = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GOutputStream) err = g_memory_output_stream_new_resizable ();
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(JsonObject) login = NULL;
  g_autoptr(GwTestClients) peer = NULL;
  const char *access;
  const char *refresh;

  g_assert_no_error (error);
  users = write_users_file (dir);
  soup_session_set_proxy_resolver (session, NULL);
  g_subprocess_launcher_setenv (launcher, "LIVEDESK_JWT_SECRET", SECRET, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  /* at debug, one line per connection event rather than the info summary */
  gateway = g_subprocess_launcher_spawn (launcher, &error, program, "--port", "0", "--users", users,
                                         "--log-level", "debug", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (gateway));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (out), FALSE);
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (line, "listening "));
  port = g_strdup (line + strlen ("listening "));

  login_url = g_strdup_printf ("http://127.0.0.1:%s/api/v1/auth/login", port);
  refresh_url = g_strdup_printf ("http://127.0.0.1:%s/api/v1/auth/refresh-token", port);
  login = post_json (session, login_url, "{\"username\":\"Alice\",\"password\":\"correct horse\"}");
  access = json_object_get_string_member (login, "accessToken");
  refresh = json_object_get_string_member (login, "refreshToken");
  g_assert_nonnull (access);
  g_assert_nonnull (refresh);
  g_assert_cmpuint (post_status (session, login_url, "{\"username\":\"Alice\",\"password\":\"battery staple\"}"),
                    ==, SOUP_STATUS_UNAUTHORIZED);
  g_assert_cmpuint (post_status (session, refresh_url, "{\"refreshToken\":\"forged-refresh-token-0451\"}"),
                    ==, SOUP_STATUS_UNAUTHORIZED);

  /* A token signed with another secret, then the real one. */
  bad_token = g_strdup_printf ("%.*sforgedsignature0451", (int) (strrchr (access, '.') - access + 1), access);
  peer = gw_test_clients_new ((guint) g_ascii_strtoull (port, NULL, 10));
  test_peer_send (peer->peer, "{\"cmd\":\"connect\",\"id\":\"x\",\"auth\":{\"token\":\"%s\"}}", bad_token);
  json_object_unref (gw_test_expect_full (peer, "message", "x", "authFailed", NULL));
  test_peer_send (peer->peer, "{\"cmd\":\"emit\",\"id\":\"x\",\"name\":\"authenticate\",\"payload\":{\"token\":\"%s\"}}",
                  bad_token);
  json_object_unref (gw_test_expect_full (peer, "message", "x", "authFailed", NULL));
  test_peer_send (peer->peer, "{\"cmd\":\"connect\",\"id\":\"a\",\"auth\":{\"token\":\"%s\"}}", access);
  json_object_unref (gw_test_expect_full (peer, "message", "a", "authSuccess", NULL));
  test_peer_send (peer->peer, "{\"cmd\":\"disconnect\",\"id\":\"x\"}");
  json_object_unref (gw_test_expect_full (peer, "disconnect", "x", NULL, NULL));
  /* The gateway has seen the disconnect once a later request is answered. */
  g_assert_cmpuint (post_status (session, login_url, "{\"username\":\"Nobody\",\"password\":\"x\"}"),
                    ==, SOUP_STATUS_UNAUTHORIZED);

  g_subprocess_send_signal (gateway, SIGTERM);
  g_output_stream_splice (err, g_subprocess_get_stderr_pipe (gateway),
                          G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait (gateway, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (gateway));
  g_assert_cmpint (g_subprocess_get_exit_status (gateway), ==, 0);
  log = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (err)),
                   g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (err)));
  g_test_message ("%s", log);

  /* What happened is there, one key=value line each... */
  g_assert_nonnull (strstr (log, "event=login addr=127.0.0.1 user=alice role=viewer"));
  g_assert_nonnull (strstr (log, "event=login_failed addr=127.0.0.1 code=UNAUTHENTICATED"));
  g_assert_nonnull (strstr (log, "event=refresh_failed addr=127.0.0.1 code=UNAUTHENTICATED"));
  g_assert_nonnull (strstr (log, "event=connect sid="));
  g_assert_nonnull (strstr (log, "event=auth_failed sid="));
  g_assert_nonnull (strstr (log, "event=auth sid="));
  g_assert_nonnull (strstr (log, "event=disconnect sid="));
  /* ...and what proves who someone is is not. */
  assert_absent (log, SECRET);
  assert_absent (log, access);
  assert_absent (log, strrchr (access, '.') + 1);
  assert_absent (log, refresh);
  assert_absent (log, bad_token);
  assert_absent (log, "forgedsignature0451");
  assert_absent (log, "forged-refresh-token-0451");
  assert_absent (log, "correct horse");
  assert_absent (log, "battery staple");

  g_unlink (users);
  g_rmdir (dir);
}

/* POSTs BODY to PATH on the gateway on PORT; the reply's status, and its JSON in *OUT. */
static guint
post_to (SoupSession  *session,
         guint         port,
         const char   *path,
         const char   *body,
         JsonObject  **out)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u%s", port, path);
  g_autoptr(SoupMessage) message = soup_message_new ("POST", url);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  soup_message_set_request_body_from_bytes (message, "application/json", request);
  reply = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  node = json_from_string (g_bytes_get_data (reply, NULL), &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  *out = json_object_ref (json_node_get_object (node));

  return soup_message_get_status (message);
}

/* Trades REFRESH_TOKEN at the gateway on PORT; the reply's status, and the
 * next refresh token (or the error code) in *OUT. */
static guint
refresh_at (SoupSession  *session,
            guint         port,
            const char   *refresh_token,
            char        **out)
{
  g_autofree char *body = g_strdup_printf ("{\"refreshToken\":\"%s\"}", refresh_token);
  g_autoptr(JsonObject) reply = NULL;
  guint status = post_to (session, port, "/api/v1/auth/refresh-token", body, &reply);

  if (status == SOUP_STATUS_OK)
    {
      g_assert_nonnull (json_object_get_string_member_with_default (reply, "accessToken", NULL));
      *out = g_strdup (json_object_get_string_member (reply, "refreshToken"));
    }
  else
    *out = g_strdup (json_object_get_string_member (json_object_get_object_member (reply, "error"), "code"));

  return status;
}

static char *
log_in_at (SoupSession *session,
           guint        port)
{
  g_autoptr(JsonObject) login = NULL;

  g_assert_cmpuint (post_to (session, port, "/api/v1/auth/login",
                             "{\"username\":\"Alice\",\"password\":\"correct horse\"}", &login),
                    ==, SOUP_STATUS_OK);
  return g_strdup (json_object_get_string_member (login, "refreshToken"));
}

/* Two processes on one Redis hold one set of refresh tokens: a token from
 * one is traded at the other, a replay at either signs the whole chain out
 * at both, a restart forgets nobody's session, and while Redis is away the
 * client is told to try again rather than signed out. */
static void
test_serve_refresh_cluster (void)
{
  Cluster cluster = { 0 };
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  g_autofree char *replayed = NULL;
  g_autofree char *after_replay = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *after_restart = NULL;
  g_autofree char *while_away = NULL;
  SoupSession *session;

  cluster_set_up (&cluster);
  cluster_start_two (&cluster, "--redis", cluster.redis_uri);
  session = cluster.session;

  first = log_in_at (session, cluster.one.port);
  g_assert_cmpuint (refresh_at (session, cluster.two.port, first, &second), ==, SOUP_STATUS_OK);
  g_assert_cmpuint (refresh_at (session, cluster.one.port, second, &third), ==, SOUP_STATUS_OK);
  g_assert_cmpstr (third, !=, second);

  /* The first token, already traded at the other process, shown again. */
  g_assert_cmpuint (refresh_at (session, cluster.two.port, first, &replayed), ==, SOUP_STATUS_UNAUTHORIZED);
  g_assert_cmpstr (replayed, ==, "UNAUTHENTICATED");
  g_assert_cmpuint (refresh_at (session, cluster.one.port, third, &after_replay), ==, SOUP_STATUS_UNAUTHORIZED);
  g_assert_cmpstr (after_replay, ==, "UNAUTHENTICATED");

  kept = log_in_at (session, cluster.one.port);
  gateway_stop (&cluster.one);
  gateway_start (&cluster.one, cluster.users, "--redis", cluster.redis_uri);
  wait_redis_state (session, cluster.one.port, "connected");
  g_assert_cmpuint (refresh_at (session, cluster.one.port, kept, &after_restart), ==, SOUP_STATUS_OK);

  g_subprocess_send_signal (cluster.redis, SIGKILL);
  g_subprocess_wait (cluster.redis, NULL, NULL);
  wait_redis_state (session, cluster.two.port, "disconnected");
  g_assert_cmpuint (refresh_at (session, cluster.two.port, after_restart, &while_away), ==, SOUP_STATUS_SERVICE_UNAVAILABLE);
  g_assert_cmpstr (while_away, ==, "INTERNAL");

  cluster_tear_down (&cluster);
}

/* A gateway process that dies leaves no ghosts: once the hold in Redis of
 * the viewer it had lapses (one presence timeout, 4 s here), the room on
 * the other process hears she left, and its getRoomInfo no longer lists her. */
static void
test_serve_dead_process_room_info (void)
{
  Cluster cluster = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_text = NULL;
  g_autoptr(GwTestClients) peer = NULL;
  g_autoptr(JsonObject) left = NULL;
  gint64 deadline;

  cluster_set_up (&cluster);
  config = g_build_filename (cluster.dir, "gateway.conf", NULL);
  config_text = g_strdup_printf ("[gateway]\nredis=%s\npresence-timeout=4\n", cluster.redis_uri);
  g_file_set_contents (config, config_text, -1, &error);
  g_assert_no_error (error);
  cluster_start_two (&cluster, "--config", config);

  peer = alice_and_bob_in_room (cluster.one.port, cluster.two.port);
  g_assert_true (room_viewers_until (peer, "b", 2, "alice"));

  g_subprocess_send_signal (cluster.one.process, SIGKILL);
  g_subprocess_wait (cluster.one.process, NULL, NULL);
  g_clear_object (&cluster.one.process);

  /* Bob keeps pinging, as the app does, or he would lapse too. */
  deadline = g_get_monotonic_time () + GW_TEST_WAIT_MS * 1000;
  while (!gw_test_backlog_has (peer, "b", "userLeft"))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      test_peer_send (peer->peer, "{\"cmd\":\"emit\",\"id\":\"b\",\"name\":\"viewerPing\",\"payload\":{\"roomId\":\"room_1\"}}");
      json_object_unref (gw_test_expect_full (peer, "message", "b", "viewerPong", NULL));
      test_spin (300);
    }
  left = gw_test_expect_full (peer, "message", "b", "userLeft", NULL);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (left, "payload"), "userId"),
                   ==, "alice");
  g_assert_false (room_viewers_until (peer, "b", 1, "alice"));

  g_unlink (config);
  cluster_tear_down (&cluster);
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
  g_test_add_func ("/gw/serve/config-and-path", test_serve_config_and_path);
  g_test_add_func ("/gw/serve/needs-secret", test_serve_needs_secret);
  g_test_add_func ("/gw/serve/redis", test_serve_redis);
  g_test_add_func ("/gw/serve/log", test_serve_log);
  g_test_add_func ("/gw/serve/redis-outage", test_serve_redis_outage);
  g_test_add_func ("/gw/serve/refresh-cluster", test_serve_refresh_cluster);
  g_test_add_func ("/gw/serve/dead-process-room-info", test_serve_dead_process_room_info);

  return g_test_run ();
}
