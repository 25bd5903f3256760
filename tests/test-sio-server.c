/* test-sio-server.c: our Socket.IO server against the official socket.io-client
 * (tests/peers/server-peer.mjs).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>
#include <string.h>

#include "sio-server.h"
#include "test-peer.h"

#define TIMEOUT 10000

typedef struct {
  SoupServer *http;
  SioServer  *server;
  guint       port;
  TestPeer   *peer;
  GPtrArray  *sockets;             /* SioServerSocket, in connection order */
  GPtrArray  *disconnect_reasons;  /* char * */
  char       *last_event;
  JsonArray  *last_args;
  GPtrArray  *last_attachments;
} Fixture;

static void
on_event (SioServerSocket *socket,
          const char      *event,
          JsonArray       *args,
          GPtrArray       *attachments,
          SioServerAck    *ack,
          gpointer         user_data)
{
  Fixture *f = user_data;

  g_free (f->last_event);
  f->last_event = g_strdup (event);
  g_clear_pointer (&f->last_args, json_array_unref);
  f->last_args = json_array_ref (args);
  g_clear_pointer (&f->last_attachments, g_ptr_array_unref);
  f->last_attachments = g_ptr_array_ref (attachments);

  if (g_str_equal (event, "echo"))
    {
      sio_server_socket_emit (socket, "echo-back", args, attachments);
      if (ack != NULL)
        sio_server_ack_send (ack, args, attachments);
    }
  else if (g_str_equal (event, "join"))
    {
      sio_server_socket_join (socket, json_array_get_string_element (args, 0));
      if (ack != NULL)
        sio_server_ack_send (ack, NULL, NULL);
    }
  else if (g_str_equal (event, "shout"))
    sio_server_socket_broadcast (socket, NULL, "shouted", args, attachments);
}

static void
on_disconnect (SioServerSocket *socket,
               const char      *reason,
               gpointer         user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->disconnect_reasons, g_strdup (reason));
}

static void
on_connection (SioServerNamespace *nsp,
               SioServerSocket    *socket,
               gpointer            user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->sockets, g_object_ref (socket));
  g_signal_connect (socket, "event", G_CALLBACK (on_event), f);
  g_signal_connect (socket, "disconnect", G_CALLBACK (on_disconnect), f);
}

static void
on_private_connecting (SioServerNamespace *nsp,
                       SioServerSocket    *socket,
                       gpointer            user_data)
{
  g_autoptr(JsonNode) data = json_from_string ("{\"code\":\"FORBIDDEN\",\"retry\":false}", NULL);

  sio_server_socket_refuse (socket, "not allowed", data);
}

static void
start_server (Fixture *f,
              guint    ping_interval,
              guint    ping_timeout,
              gsize    max_payload,
              guint    connect_timeout)
{
  g_autoptr(GError) error = NULL;
  SioEngine *engine;

  f->sockets = g_ptr_array_new_with_free_func (g_object_unref);
  f->disconnect_reasons = g_ptr_array_new_with_free_func (g_free);
  f->http = soup_server_new (NULL, NULL);
  f->server = sio_server_new ();
  engine = sio_server_get_engine (f->server);
  sio_engine_set_ping_interval (engine, ping_interval);
  sio_engine_set_ping_timeout (engine, ping_timeout);
  sio_engine_set_max_payload (engine, max_payload);
  sio_server_set_connect_timeout (f->server, connect_timeout);
  sio_server_attach (f->server, f->http, "/socket.io/");
  g_signal_connect (sio_server_of (f->server, "/"), "connection", G_CALLBACK (on_connection), f);
  g_signal_connect (sio_server_of (f->server, "/private"), "connecting", G_CALLBACK (on_private_connecting), f);

  sio_engine_listen (f->http, "127.0.0.1", 0, &f->port, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (f->port, >, 0);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *port = NULL;

  start_server (f, 25000, 20000, 1000000, 45000);
  port = g_strdup_printf ("%u", f->port);
  f->peer = test_peer_start ("server-peer.mjs", port, NULL);
}

static void
fixture_setup_fast_ping (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *port = NULL;

  start_server (f, 200, 300, 1000000, 45000);
  port = g_strdup_printf ("%u", f->port);
  f->peer = test_peer_start ("server-peer.mjs", port, NULL);
}

/* Small limits, and no peer: these tests speak raw Engine.IO. */
static void
fixture_setup_limits (Fixture       *f,
                      gconstpointer  data)
{
  start_server (f, 25000, 20000, 1000, 300);
}

/* Default limits and no peer: nothing but the test's own requests can end a session. */
static void
fixture_setup_quiet (Fixture       *f,
                     gconstpointer  data)
{
  start_server (f, 25000, 20000, 1000000, 45000);
}

static void
fixture_setup_limits_peer (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *port = NULL;

  start_server (f, 25000, 20000, 1000, 5000);
  port = g_strdup_printf ("%u", f->port);
  f->peer = test_peer_start ("server-peer.mjs", port, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->peer, test_peer_free);
  sio_server_close (f->server);
  g_clear_pointer (&f->sockets, g_ptr_array_unref);
  g_assert_finalize_object (f->server);
  soup_server_disconnect (f->http);
  g_clear_object (&f->http);
  /* let libsoup finish with the closed connections */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&f->disconnect_reasons, g_ptr_array_unref);
  g_clear_pointer (&f->last_event, g_free);
  g_clear_pointer (&f->last_args, json_array_unref);
  g_clear_pointer (&f->last_attachments, g_ptr_array_unref);
}

static gboolean
on_expired (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until *COUNT reaches N or TIMEOUT passes. */
static gboolean
wait_for_count (const guint *count,
                guint        n)
{
  gboolean expired = FALSE;
  guint source = g_timeout_add (TIMEOUT, on_expired, &expired);

  while (*count < n && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (source);
  return *count >= n;
}

static gboolean
wait_for_sockets (Fixture *f,
                  guint    n)
{
  return wait_for_count (&f->sockets->len, n);
}

static gboolean
wait_for_disconnects (Fixture *f,
                      guint    n)
{
  return wait_for_count (&f->disconnect_reasons->len, n);
}

static gboolean
wait_for_engine_sessions (Fixture *f,
                          guint    n)
{
  SioEngine *engine = sio_server_get_engine (f->server);
  gboolean expired = FALSE;
  guint source = g_timeout_add (TIMEOUT, on_expired, &expired);

  while (sio_engine_get_n_sockets (engine) != n && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (source);
  return sio_engine_get_n_sockets (engine) == n;
}

static JsonObject *
expect (Fixture    *f,
        const char *event)
{
  JsonObject *line = test_peer_expect (f->peer, event, TIMEOUT);

  if (line == NULL)
    g_error ("the peer never reported %s", event);
  return line;
}

static JsonObject *
connect_client (Fixture    *f,
                const char *id,
                const char *extra)
{
  JsonObject *line;

  test_peer_send (f->peer, "{\"cmd\":\"connect\",\"id\":\"%s\"%s%s}", id, extra ? "," : "", extra ? extra : "");
  line = expect (f, "connect");
  g_assert_cmpstr (json_object_get_string_member (line, "id"), ==, id);
  return line;
}

static void
assert_json_equal (JsonNode   *node,
                   const char *expected)
{
  g_autoptr(JsonNode) want = json_from_string (expected, NULL);
  g_autofree char *got = json_to_string (node, FALSE);

  g_assert_nonnull (want);
  if (!json_node_equal (node, want))
    g_error ("expected %s, got %s", expected, got);
}

static void
assert_array_equal (JsonArray  *array,
                    const char *expected)
{
  g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), array);

  assert_json_equal (node, expected);
}

static JsonObject *
next_message (Fixture    *f,
              const char *name)
{
  JsonObject *line = expect (f, "message");

  g_assert_cmpstr (json_object_get_string_member (line, "name"), ==, name);
  return line;
}

static void
test_connect_auth (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JsonObject) line = NULL;
  SioServerSocket *socket;
  JsonObject *auth;

  line = connect_client (f, "a", "\"auth\":{\"token\":\"secret-token\",\"userId\":\"u1\"}");
  g_assert_true (wait_for_sockets (f, 1));
  socket = g_ptr_array_index (f->sockets, 0);

  /* the id the client sees is the server socket's id */
  g_assert_cmpstr (json_object_get_string_member (line, "sid"), ==, sio_server_socket_get_id (socket));
  auth = sio_server_socket_get_auth (socket);
  g_assert_cmpstr (json_object_get_string_member (auth, "token"), ==, "secret-token");
  g_assert_cmpstr (json_object_get_string_member (auth, "userId"), ==, "u1");
  g_assert_true (sio_server_socket_is_connected (socket));
}

#define EVERY_TYPE "[null,true,false,42,-7,3.5,\"Xin chào, tiếng Việt có dấu: Đặng Thị Hương ơi!\"," \
                   "[1,\"hai\",[3]],{\"nested\":{\"list\":[false,null],\"emoji\":\"🎁\"}},\"\"]"

static void
test_events_every_type (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(JsonObject) line = NULL;
  g_autoptr(JsonObject) back = NULL;
  g_autoptr(JsonObject) ack = NULL;

  line = connect_client (f, "a", NULL);
  test_peer_send (f->peer, "{\"cmd\":\"emit\",\"id\":\"a\",\"name\":\"echo\",\"args\":" EVERY_TYPE ",\"ack\":true}");

  back = next_message (f, "echo-back");
  assert_array_equal (json_object_get_array_member (back, "args"), EVERY_TYPE);
  ack = expect (f, "ack");
  assert_array_equal (json_object_get_array_member (ack, "args"), EVERY_TYPE);

  /* and the server saw them as the client sent them */
  g_assert_cmpstr (f->last_event, ==, "echo");
  assert_array_equal (f->last_args, EVERY_TYPE);
}

static void
on_ack_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_ack_from_client (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(JsonObject) line = NULL;
  g_autoptr(JsonObject) asked = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) late = NULL;
  g_autoptr(GAsyncResult) cancelled = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(JsonArray) args = json_array_new ();
  g_autoptr(JsonArray) reply = NULL;
  g_autoptr(GError) error = NULL;
  SioServerSocket *socket;

  line = connect_client (f, "a", NULL);
  g_assert_true (wait_for_sockets (f, 1));
  socket = g_ptr_array_index (f->sockets, 0);

  json_array_add_int_element (args, 1);
  json_array_add_string_element (args, "câu hỏi");
  sio_server_socket_emit_with_ack_async (socket, "question", args, NULL, TIMEOUT, NULL, on_ack_done, &result);
  asked = next_message (f, "question");
  g_assert_true (json_object_get_boolean_member (asked, "ack"));
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  reply = sio_server_socket_emit_with_ack_finish (socket, result, NULL, &error);
  g_assert_no_error (error);
  assert_array_equal (reply, "[1,\"câu hỏi\"]");

  /* a client that never answers: the server gives up after the timeout */
  sio_server_socket_emit_with_ack_async (socket, "noack-question", args, NULL, 300, NULL, on_ack_done, &late);
  g_clear_pointer (&asked, json_object_unref);
  asked = next_message (f, "noack-question");
  while (late == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (sio_server_socket_emit_with_ack_finish (socket, late, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_clear_error (&error);

  /* or when the caller stops waiting */
  cancellable = g_cancellable_new ();
  sio_server_socket_emit_with_ack_async (socket, "noack-again", args, NULL, 0, cancellable, on_ack_done, &cancelled);
  g_clear_pointer (&asked, json_object_unref);
  asked = next_message (f, "noack-again");
  g_cancellable_cancel (cancellable);
  while (cancelled == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (sio_server_socket_emit_with_ack_finish (socket, cancelled, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_binary (Fixture       *f,
             gconstpointer  data)
{
  static const guint8 payload[] = { 0x00, 0x01, 0x02, 0xff, 0x1e, 0x0a };
  g_autoptr(JsonObject) line = NULL;
  g_autoptr(JsonObject) back = NULL;
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) reply_attachments = NULL;
  g_autoptr(JsonArray) args = NULL;
  g_autoptr(JsonArray) reply = NULL;
  g_autoptr(GError) error = NULL;
  SioServerSocket *socket;
  GBytes *bytes;

  line = connect_client (f, "a", NULL);
  g_assert_true (wait_for_sockets (f, 1));
  socket = g_ptr_array_index (f->sockets, 0);

  /* client → server: AAEC/x4K is the payload above */
  test_peer_send (f->peer, "{\"cmd\":\"emit\",\"id\":\"a\",\"name\":\"echo\","
                  "\"args\":[{\"$binary\":\"AAEC/x4K\"},\"nhãn\",{\"inner\":{\"$binary\":\"\"}}],\"ack\":true}");
  back = next_message (f, "echo-back");
  assert_array_equal (json_object_get_array_member (back, "args"),
                      "[{\"$binary\":\"AAEC/x4K\"},\"nhãn\",{\"inner\":{\"$binary\":\"\"}}]");
  ack = expect (f, "ack");
  assert_array_equal (json_object_get_array_member (ack, "args"),
                      "[{\"$binary\":\"AAEC/x4K\"},\"nhãn\",{\"inner\":{\"$binary\":\"\"}}]");
  g_assert_cmpuint (f->last_attachments->len, ==, 2);
  bytes = g_ptr_array_index (f->last_attachments, 0);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), payload, sizeof payload);
  g_assert_cmpuint (g_bytes_get_size (g_ptr_array_index (f->last_attachments, 1)), ==, 0);

  /* server → client, with the client's ack carrying the bytes back */
  g_ptr_array_add (attachments, g_bytes_new_static (payload, sizeof payload));
  args = json_array_new ();
  json_array_add_element (args, json_from_string ("{\"_placeholder\":true,\"num\":0}", NULL));
  sio_server_socket_emit_with_ack_async (socket, "bytes", args, attachments, TIMEOUT, NULL, on_ack_done, &result);
  g_clear_pointer (&back, json_object_unref);
  back = next_message (f, "bytes");
  assert_array_equal (json_object_get_array_member (back, "args"), "[{\"$binary\":\"AAEC/x4K\"}]");
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  reply = sio_server_socket_emit_with_ack_finish (socket, result, &reply_attachments, &error);
  g_assert_no_error (error);
  assert_array_equal (reply, "[{\"_placeholder\":true,\"num\":0}]");
  g_assert_cmpuint (reply_attachments->len, ==, 1);
  bytes = g_ptr_array_index (reply_attachments, 0);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), payload, sizeof payload);
}

/* Reads message lines until every client in IDS got SENTINEL; returns "id:name" of each. */
static GPtrArray *
collect_until_sentinel (Fixture    *f,
                        guint       n_clients,
                        const char *sentinel)
{
  GPtrArray *seen = g_ptr_array_new_with_free_func (g_free);
  guint sentinels = 0;

  while (sentinels < n_clients)
    {
      g_autoptr(JsonObject) line = expect (f, "message");
      const char *name = json_object_get_string_member (line, "name");

      g_ptr_array_add (seen, g_strdup_printf ("%s:%s", json_object_get_string_member (line, "id"), name));
      if (g_str_equal (name, sentinel))
        sentinels++;
    }
  return seen;
}

static gboolean
has (GPtrArray  *seen,
     const char *item)
{
  return g_ptr_array_find_with_equal_func (seen, item, g_str_equal, NULL);
}

static void
test_rooms (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GPtrArray) seen = NULL;
  g_autoptr(JsonArray) args = json_array_new ();
  SioServerNamespace *nsp = sio_server_of (f->server, "/");

  json_object_unref (connect_client (f, "a", NULL));
  json_object_unref (connect_client (f, "b", NULL));
  json_object_unref (connect_client (f, "c", NULL));
  g_assert_true (wait_for_sockets (f, 3));

  test_peer_send (f->peer, "{\"cmd\":\"emit\",\"id\":\"a\",\"name\":\"join\",\"args\":[\"phong-1\"],\"ack\":true}");
  json_object_unref (expect (f, "ack"));
  test_peer_send (f->peer, "{\"cmd\":\"emit\",\"id\":\"b\",\"name\":\"join\",\"args\":[\"phong-1\"],\"ack\":true}");
  json_object_unref (expect (f, "ack"));
  g_assert_true (sio_server_socket_in_room (g_ptr_array_index (f->sockets, 0), "phong-1"));
  g_assert_false (sio_server_socket_in_room (g_ptr_array_index (f->sockets, 2), "phong-1"));

  /* to a room: members only */
  json_array_add_string_element (args, "chào phòng");
  sio_server_namespace_emit_to (nsp, "phong-1", "room-message", args, NULL);
  sio_server_namespace_emit (nsp, "sentinel-1", NULL, NULL);
  seen = collect_until_sentinel (f, 3, "sentinel-1");
  g_assert_true (has (seen, "a:room-message"));
  g_assert_true (has (seen, "b:room-message"));
  g_assert_false (has (seen, "c:room-message"));
  g_clear_pointer (&seen, g_ptr_array_unref);

  /* to everyone but the sender, from the sender's event */
  test_peer_send (f->peer, "{\"cmd\":\"emit\",\"id\":\"a\",\"name\":\"shout\",\"args\":[\"xin chào mọi người\"]}");
  seen = collect_until_sentinel (f, 2, "shouted");
  g_assert_true (has (seen, "b:shouted"));
  g_assert_true (has (seen, "c:shouted"));
  sio_server_namespace_emit (nsp, "sentinel-2", NULL, NULL);
  g_clear_pointer (&seen, g_ptr_array_unref);
  seen = collect_until_sentinel (f, 3, "sentinel-2");
  g_assert_false (has (seen, "a:shouted"));

  /* leaving a room stops its messages */
  sio_server_socket_leave (g_ptr_array_index (f->sockets, 1), "phong-1");
  sio_server_namespace_emit_to (nsp, "phong-1", "room-message", args, NULL);
  sio_server_namespace_emit (nsp, "sentinel-3", NULL, NULL);
  g_clear_pointer (&seen, g_ptr_array_unref);
  seen = collect_until_sentinel (f, 3, "sentinel-3");
  g_assert_true (has (seen, "a:room-message"));
  g_assert_false (has (seen, "b:room-message"));
}

static void
test_namespace_refused (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(JsonObject) line = NULL;

  test_peer_send (f->peer, "{\"cmd\":\"connect\",\"id\":\"p\",\"nsp\":\"/private\",\"auth\":{\"token\":\"bad\"}}");
  line = expect (f, "connect_error");
  g_assert_cmpstr (json_object_get_string_member (line, "message"), ==, "not allowed");
  assert_json_equal (json_object_get_member (line, "data"), "{\"code\":\"FORBIDDEN\",\"retry\":false}");
  g_assert_cmpuint (sio_server_namespace_get_n_sockets (sio_server_of (f->server, "/private")), ==, 0);

  /* an unknown namespace is refused too */
  g_clear_pointer (&line, json_object_unref);
  test_peer_send (f->peer, "{\"cmd\":\"connect\",\"id\":\"q\",\"nsp\":\"/nowhere\"}");
  line = expect (f, "connect_error");
  g_assert_cmpstr (json_object_get_string_member (line, "message"), ==, "Invalid namespace");
}

static void
test_server_disconnect (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(JsonObject) line = NULL;
  SioServerSocket *socket;

  json_object_unref (connect_client (f, "a", NULL));
  g_assert_true (wait_for_sockets (f, 1));
  socket = g_ptr_array_index (f->sockets, 0);

  sio_server_socket_disconnect (socket, FALSE);
  line = expect (f, "disconnect");
  g_assert_cmpstr (json_object_get_string_member (line, "reason"), ==, "io server disconnect");
  g_assert_false (sio_server_socket_is_connected (socket));
  g_assert_cmpuint (sio_server_namespace_get_n_sockets (sio_server_of (f->server, "/")), ==, 0);
  g_assert_cmpstr (g_ptr_array_index (f->disconnect_reasons, 0), ==, "server namespace disconnect");
}

/* Kicking a client off for good: DISCONNECT must reach it before the session
 * ends, on either transport. */
static void
test_server_disconnect_close (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(JsonObject) line = NULL;

  json_object_unref (connect_client (f, "a", "\"transports\":[\"polling\"]"));
  json_object_unref (connect_client (f, "b", "\"transports\":[\"websocket\"]"));
  g_assert_true (wait_for_sockets (f, 2));

  sio_server_socket_disconnect (g_ptr_array_index (f->sockets, 0), TRUE);
  line = expect (f, "disconnect");
  g_assert_cmpstr (json_object_get_string_member (line, "id"), ==, "a");
  g_assert_cmpstr (json_object_get_string_member (line, "reason"), ==, "io server disconnect");
  g_clear_pointer (&line, json_object_unref);

  sio_server_socket_disconnect (g_ptr_array_index (f->sockets, 1), TRUE);
  line = expect (f, "disconnect");
  g_assert_cmpstr (json_object_get_string_member (line, "id"), ==, "b");
  g_assert_cmpstr (json_object_get_string_member (line, "reason"), ==, "io server disconnect");

  g_assert_cmpuint (sio_server_namespace_get_n_sockets (sio_server_of (f->server, "/")), ==, 0);
  g_assert_true (wait_for_engine_sessions (f, 0));
}

static void
test_client_disconnect (Fixture       *f,
                        gconstpointer  data)
{
  json_object_unref (connect_client (f, "a", NULL));
  g_assert_true (wait_for_sockets (f, 1));

  test_peer_send (f->peer, "{\"cmd\":\"disconnect\",\"id\":\"a\"}");
  g_assert_true (wait_for_disconnects (f, 1));
  g_assert_cmpstr (g_ptr_array_index (f->disconnect_reasons, 0), ==, "client namespace disconnect");
  g_assert_cmpuint (sio_server_namespace_get_n_sockets (sio_server_of (f->server, "/")), ==, 0);
}

static void
test_upgrade (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(JsonObject) back = NULL;
  gboolean connected = FALSE;
  gboolean upgraded = FALSE;
  SioServerSocket *socket;

  /* the client only reports an upgrade when it began on polling; the upgrade
   * may finish before or after the namespace connects */
  test_peer_send (f->peer, "{\"cmd\":\"connect\",\"id\":\"a\"}");
  while (!connected || !upgraded)
    {
      g_autoptr(JsonObject) line = test_peer_next (f->peer, TIMEOUT);
      const char *event;

      g_assert_nonnull (line);
      event = json_object_get_string_member (line, "event");
      if (g_str_equal (event, "connect"))
        connected = TRUE;
      else if (g_str_equal (event, "upgrade"))
        {
          g_assert_cmpstr (json_object_get_string_member (line, "transport"), ==, "websocket");
          upgraded = TRUE;
        }
    }
  g_assert_true (wait_for_sockets (f, 1));
  socket = g_ptr_array_index (f->sockets, 0);
  g_assert_cmpstr (sio_engine_socket_get_transport (sio_server_socket_get_connection (socket)), ==, "websocket");

  /* the session is the same one, and still carries events */
  test_peer_send (f->peer, "{\"cmd\":\"emit\",\"id\":\"a\",\"name\":\"echo\",\"args\":[\"sau nâng cấp\"]}");
  back = next_message (f, "echo-back");
  assert_array_equal (json_object_get_array_member (back, "args"), "[\"sau nâng cấp\"]");
  g_assert_cmpuint (f->sockets->len, ==, 1);
}

static void
test_websocket_only (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonObject) line = NULL;
  g_autoptr(JsonObject) back = NULL;
  SioServerSocket *socket;

  line = connect_client (f, "a", "\"transports\":[\"websocket\"]");
  g_assert_cmpstr (json_object_get_string_member (line, "transport"), ==, "websocket");
  g_assert_true (wait_for_sockets (f, 1));
  socket = g_ptr_array_index (f->sockets, 0);
  g_assert_cmpstr (sio_engine_socket_get_transport (sio_server_socket_get_connection (socket)), ==, "websocket");

  test_peer_send (f->peer, "{\"cmd\":\"emit\",\"id\":\"a\",\"name\":\"echo\",\"args\":[{\"a\":1}]}");
  back = next_message (f, "echo-back");
  assert_array_equal (json_object_get_array_member (back, "args"), "[{\"a\":1}]");
}

static void
test_ping_timeout (Fixture       *f,
                   gconstpointer  data)
{
  json_object_unref (connect_client (f, "a", "\"transports\":[\"websocket\"]"));
  g_assert_true (wait_for_sockets (f, 1));

  /* a frozen client answers no ping: the server must let it go */
  test_peer_signal (f->peer, SIGSTOP);
  g_assert_true (wait_for_disconnects (f, 1));
  test_peer_signal (f->peer, SIGCONT);
  g_assert_cmpstr (g_ptr_array_index (f->disconnect_reasons, 0), ==, "ping timeout");
  g_assert_cmpuint (sio_server_namespace_get_n_sockets (sio_server_of (f->server, "/")), ==, 0);
  g_assert_cmpuint (sio_engine_get_n_sockets (sio_server_get_engine (f->server)), ==, 0);
}

/* The engine keeps every socket's ping and pong deadline on one timer: live
 * clients stay through many rounds, and each frozen one still goes. */
static void
test_heartbeat_many (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonObject) back = NULL;
  gboolean expired = FALSE;

  json_object_unref (connect_client (f, "a", "\"transports\":[\"websocket\"]"));
  json_object_unref (connect_client (f, "b", NULL));
  json_object_unref (connect_client (f, "c", "\"transports\":[\"websocket\"]"));
  g_assert_true (wait_for_sockets (f, 3));

  /* about eight ping rounds (200 ms apart, 300 ms to answer) */
  g_timeout_add (1600, on_expired, &expired);
  while (!expired)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (f->disconnect_reasons->len, ==, 0);
  test_peer_send (f->peer, "{\"cmd\":\"emit\",\"id\":\"b\",\"name\":\"echo\",\"args\":[\"still here\"]}");
  back = next_message (f, "echo-back");
  assert_array_equal (json_object_get_array_member (back, "args"), "[\"still here\"]");

  test_peer_signal (f->peer, SIGSTOP);
  g_assert_true (wait_for_disconnects (f, 3));
  test_peer_signal (f->peer, SIGCONT);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpstr (g_ptr_array_index (f->disconnect_reasons, i), ==, "ping timeout");
  g_assert_cmpuint (sio_engine_get_n_sockets (sio_server_get_engine (f->server)), ==, 0);
}

typedef struct {
  GQueue   messages;   /* of char * */
  gboolean closed;
} RawClient;

static void
on_raw_message (SoupWebsocketConnection *ws,
                gint                     type,
                GBytes                  *message,
                gpointer                 user_data)
{
  RawClient *raw = user_data;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  g_queue_push_tail (&raw->messages, g_strndup (data, len));
}

static void
on_raw_closed (SoupWebsocketConnection *ws,
               gpointer                 user_data)
{
  RawClient *raw = user_data;

  raw->closed = TRUE;
}

static void
on_raw_connected (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SoupWebsocketConnection **ws = user_data;
  g_autoptr(GError) error = NULL;

  *ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

static char *
raw_next (RawClient *raw)
{
  gboolean expired = FALSE;
  guint source = g_timeout_add (TIMEOUT, on_expired, &expired);

  while (g_queue_is_empty (&raw->messages) && !raw->closed && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (source);
  return g_queue_pop_head (&raw->messages);
}

static void
test_malformed_packet (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(SoupWebsocketConnection) ws = NULL;
  g_autoptr(JsonObject) line = NULL;
  g_autofree char *url = NULL;
  g_autofree char *open = NULL;
  g_autofree char *connected = NULL;
  RawClient raw = { G_QUEUE_INIT, FALSE };

  json_object_unref (connect_client (f, "a", "\"transports\":[\"websocket\"]"));
  g_assert_true (wait_for_sockets (f, 1));

  url = g_strdup_printf ("ws://127.0.0.1:%u/socket.io/?EIO=4&transport=websocket", f->port);
  msg = soup_message_new ("GET", url);
  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL, on_raw_connected, &ws);
  while (ws == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (ws, "message", G_CALLBACK (on_raw_message), &raw);
  g_signal_connect (ws, "closed", G_CALLBACK (on_raw_closed), &raw);

  open = raw_next (&raw);
  g_assert_nonnull (open);
  g_assert_true (g_str_has_prefix (open, "0{"));
  soup_websocket_connection_send_text (ws, "40");
  connected = raw_next (&raw);
  g_assert_nonnull (connected);
  g_assert_true (g_str_has_prefix (connected, "40{\"sid\":"));
  g_assert_true (wait_for_sockets (f, 2));

  /* an EVENT whose payload is not an array */
  soup_websocket_connection_send_text (ws, "42{}");
  g_assert_true (test_wait_until (&raw.closed, TIMEOUT));
  g_assert_true (wait_for_disconnects (f, 1));
  g_assert_cmpstr (g_ptr_array_index (f->disconnect_reasons, 0), ==, "parse error");

  /* the other connection did not notice */
  g_assert_true (sio_server_socket_is_connected (g_ptr_array_index (f->sockets, 0)));
  sio_server_namespace_emit (sio_server_of (f->server, "/"), "still-here", NULL, NULL);
  line = next_message (f, "still-here");
  g_assert_cmpstr (json_object_get_string_member (line, "id"), ==, "a");

  g_queue_clear_full (&raw.messages, g_free);
}

typedef struct {
  GBytes *body;
  guint   status;
  gboolean done;
} HttpResult;

static void
on_http_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  HttpResult *out = user_data;
  g_autoptr(GError) error = NULL;

  out->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
  out->status = soup_message_get_status (soup_session_get_async_result_message (SOUP_SESSION (source), result));
  out->done = TRUE;
}

/* The server runs on this thread, so the request must not block it. */
static char *
http_request (Fixture    *f,
              const char *method,
              const char *query,
              const char *body,
              guint      *status)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/socket.io/?%s", f->port, query);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  HttpResult result = { NULL, 0, FALSE };
  char *text;

  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "text/plain;charset=UTF-8", bytes);
    }
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, on_http_done, &result);
  g_assert_true (test_wait_until (&result.done, TIMEOUT));
  *status = result.status;
  text = g_strndup (g_bytes_get_data (result.body, NULL), g_bytes_get_size (result.body));
  g_bytes_unref (result.body);
  return text;
}

static void
test_http_errors (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(JsonNode) open = NULL;
  g_autofree char *handshake = NULL;
  g_autofree char *big = NULL;
  g_autofree char *query = NULL;
  char *reply;
  guint status;

  reply = http_request (f, "GET", "EIO=3&transport=polling", NULL, &status);
  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpstr (reply, ==, "{\"code\":5,\"message\":\"Unsupported protocol version\"}");
  g_free (reply);
  reply = http_request (f, "GET", "EIO=4&transport=carrier-pigeon", NULL, &status);
  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpstr (reply, ==, "{\"code\":0,\"message\":\"Transport unknown\"}");
  g_free (reply);
  reply = http_request (f, "GET", "EIO=4&transport=polling&sid=nobody", NULL, &status);
  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpstr (reply, ==, "{\"code\":1,\"message\":\"Session ID unknown\"}");
  g_free (reply);

  handshake = http_request (f, "GET", "EIO=4&transport=polling", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (g_str_has_prefix (handshake, "0{"));
  open = json_from_string (handshake + 1, NULL);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (open), "maxPayload"), ==, 1000);
  query = g_strdup_printf ("EIO=4&transport=polling&sid=%s",
                           json_object_get_string_member (json_node_get_object (open), "sid"));

  /* more than maxPayload in one POST ends the session */
  big = g_strnfill (2000, 'x');
  big[0] = '4';
  reply = http_request (f, "POST", query, big, &status);
  g_assert_cmpuint (status, ==, 413);
  g_free (reply);
  reply = http_request (f, "GET", query, NULL, &status);
  g_assert_cmpuint (status, ==, 400);
  g_free (reply);
  g_assert_cmpuint (sio_engine_get_n_sockets (sio_server_get_engine (f->server)), ==, 0);
}

/* A client that hangs up on its held poll is gone: its session must end now,
 * not at the next ping (25 s away), or what is sent meanwhile is lost. */
static void
test_poll_abandoned (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(JsonNode) open = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *handshake = NULL;
  g_autofree char *request = NULL;
  guint status;

  handshake = http_request (f, "GET", "EIO=4&transport=polling", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  open = json_from_string (handshake + 1, NULL);
  g_assert_cmpuint (sio_engine_get_n_sockets (sio_server_get_engine (f->server)), ==, 1);

  request = g_strdup_printf ("GET /socket.io/?EIO=4&transport=polling&sid=%s HTTP/1.1\r\n"
                             "Host: 127.0.0.1\r\n\r\n",
                             json_object_get_string_member (json_node_get_object (open), "sid"));
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", f->port, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             request, strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (connection), NULL, &error);
  g_assert_no_error (error);

  g_assert_true (wait_for_engine_sessions (f, 0));
}

static void
test_connect_timeout (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(SoupWebsocketConnection) ws = NULL;
  g_autofree char *url = NULL;
  g_autofree char *open = NULL;
  RawClient raw = { G_QUEUE_INIT, FALSE };

  url = g_strdup_printf ("ws://127.0.0.1:%u/socket.io/?EIO=4&transport=websocket", f->port);
  msg = soup_message_new ("GET", url);
  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL, on_raw_connected, &ws);
  while (ws == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (ws, "message", G_CALLBACK (on_raw_message), &raw);
  g_signal_connect (ws, "closed", G_CALLBACK (on_raw_closed), &raw);
  open = raw_next (&raw);
  g_assert_nonnull (open);
  g_assert_true (g_str_has_prefix (open, "0{"));
  g_assert_cmpuint (sio_engine_get_n_sockets (sio_server_get_engine (f->server)), ==, 1);

  /* no Socket.IO CONNECT follows: the server hangs up (pings are 25 s away) */
  g_assert_true (test_wait_until (&raw.closed, TIMEOUT));
  g_assert_cmpuint (sio_engine_get_n_sockets (sio_server_get_engine (f->server)), ==, 0);
  g_queue_clear_full (&raw.messages, g_free);
}

static void
test_max_payload_websocket (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(JsonObject) line = NULL;
  g_autofree char *big = g_strnfill (4000, 'y');

  json_object_unref (connect_client (f, "a", "\"transports\":[\"websocket\"]"));
  json_object_unref (connect_client (f, "b", "\"transports\":[\"websocket\"]"));
  g_assert_true (wait_for_sockets (f, 2));

  test_peer_send (f->peer, "{\"cmd\":\"emit\",\"id\":\"a\",\"name\":\"echo\",\"args\":[\"%s\"]}", big);
  line = expect (f, "disconnect");
  g_assert_cmpstr (json_object_get_string_member (line, "id"), ==, "a");
  g_assert_true (wait_for_disconnects (f, 1));
  g_assert_null (f->last_event);
  g_assert_true (sio_server_socket_is_connected (g_ptr_array_index (f->sockets, 1)));
}

/* A burst of viewers, as when a popular stream starts or the network comes back:
 * all get in, and a broadcast reaches each of them. */
static void
test_crowd (Fixture       *f,
            gconstpointer  data)
{
  const guint n = 300;
  g_autoptr(JsonObject) line = NULL;
  g_autoptr(JsonArray) args = json_array_new ();

  test_peer_send (f->peer, "{\"cmd\":\"crowd\",\"n\":%u}", n);
  line = test_peer_expect (f->peer, "crowd_connected", 3 * TIMEOUT);
  g_assert_nonnull (line);
  g_assert_true (wait_for_sockets (f, n));

  json_array_add_string_element (args, "Buổi phát sóng bắt đầu!");
  sio_server_namespace_emit (sio_server_of (f->server, "/"), "announcement", args, NULL);
  g_clear_pointer (&line, json_object_unref);
  line = test_peer_expect (f->peer, "crowd_received", 3 * TIMEOUT);
  g_assert_nonnull (line);
  g_assert_cmpstr (json_object_get_string_member (line, "name"), ==, "announcement");
}

static gboolean
sids_are (GPtrArray  *sids,
          const char *expected)
{
  g_auto(GStrv) want = g_strsplit (expected, " ", -1);
  gboolean same = sids->len == g_strv_length (want);

  for (guint i = 0; same && want[i] != NULL; i++)
    same = g_ptr_array_find_with_equal_func (sids, want[i], g_str_equal, NULL);
  g_ptr_array_unref (sids);
  return same;
}

/* The in-memory adapter on its own: room membership and who a broadcast targets. */
static void
test_memory_adapter (void)
{
  g_autoptr(SioServerAdapter) adapter = sio_server_memory_adapter_new (NULL);
  const char *room1[] = { "r1", NULL };
  const char *both[] = { "r1", "r2", NULL };
  const char *except_s1[] = { "s1", NULL };
  const char *except_r2[] = { "r2", NULL };
  const char *own_s3[] = { "s3", NULL };
  const char *s2_and_r1[] = { "s2", "r1", NULL };

  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *sid = g_strdup_printf ("s%u", i);

      sio_server_adapter_add (adapter, sid, sid);
    }
  sio_server_adapter_add (adapter, "s1", "r1");
  sio_server_adapter_add (adapter, "s2", "r1");
  sio_server_adapter_add (adapter, "s2", "r2");
  sio_server_adapter_add (adapter, "s3", "r2");

  g_assert_true (sio_server_adapter_contains (adapter, "s2", "r2"));
  g_assert_false (sio_server_adapter_contains (adapter, "s1", "r2"));
  g_assert_true (sids_are (sio_server_adapter_sockets (adapter, NULL, NULL), "s1 s2 s3"));
  g_assert_true (sids_are (sio_server_adapter_sockets (adapter, room1, NULL), "s1 s2"));
  /* in two of the rooms, counted once */
  g_assert_true (sids_are (sio_server_adapter_sockets (adapter, both, NULL), "s1 s2 s3"));
  g_assert_true (sids_are (sio_server_adapter_sockets (adapter, room1, except_s1), "s2"));
  g_assert_true (sids_are (sio_server_adapter_sockets (adapter, NULL, except_r2), "s1"));
  /* every socket is in the room of its own id, and cannot leave it */
  g_assert_true (sio_server_adapter_contains (adapter, "s3", "s3"));
  g_assert_false (sio_server_adapter_contains (adapter, "s3", "s2"));
  g_assert_true (sids_are (sio_server_adapter_sockets (adapter, own_s3, NULL), "s3"));
  g_assert_true (sids_are (sio_server_adapter_sockets (adapter, s2_and_r1, NULL), "s1 s2"));
  g_assert_true (sids_are (sio_server_adapter_sockets (adapter, own_s3, except_r2), ""));
  sio_server_adapter_remove (adapter, "s3", "s3");
  g_assert_true (sio_server_adapter_contains (adapter, "s3", "s3"));

  sio_server_adapter_remove (adapter, "s2", "r1");
  g_assert_true (sids_are (sio_server_adapter_sockets (adapter, room1, NULL), "s1"));
  sio_server_adapter_remove_all (adapter, "s1");
  g_assert_true (sids_are (sio_server_adapter_sockets (adapter, room1, NULL), ""));
  g_assert_false (sio_server_adapter_contains (adapter, "s1", "s1"));
  g_assert_true (sids_are (sio_server_adapter_sockets (adapter, NULL, NULL), "s2 s3"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, setup, func) \
  g_test_add ("/sio-server/" path, Fixture, NULL, setup, func, fixture_teardown)
  g_test_add_func ("/sio-server/memory-adapter", test_memory_adapter);
  ADD ("connect-auth", fixture_setup, test_connect_auth);
  ADD ("events-every-type", fixture_setup, test_events_every_type);
  ADD ("ack-from-client", fixture_setup, test_ack_from_client);
  ADD ("binary", fixture_setup, test_binary);
  ADD ("rooms", fixture_setup, test_rooms);
  ADD ("namespace-refused", fixture_setup, test_namespace_refused);
  ADD ("server-disconnect", fixture_setup, test_server_disconnect);
  ADD ("server-disconnect-close", fixture_setup, test_server_disconnect_close);
  ADD ("client-disconnect", fixture_setup, test_client_disconnect);
  ADD ("upgrade", fixture_setup, test_upgrade);
  ADD ("websocket-only", fixture_setup, test_websocket_only);
  ADD ("ping-timeout", fixture_setup_fast_ping, test_ping_timeout);
  ADD ("heartbeat-many", fixture_setup_fast_ping, test_heartbeat_many);
  ADD ("malformed-packet", fixture_setup, test_malformed_packet);
  ADD ("crowd", fixture_setup, test_crowd);
  ADD ("http-errors", fixture_setup_limits, test_http_errors);
  ADD ("poll-abandoned", fixture_setup_quiet, test_poll_abandoned);
  ADD ("connect-timeout", fixture_setup_limits, test_connect_timeout);
  ADD ("max-payload-websocket", fixture_setup_limits_peer, test_max_payload_websocket);
#undef ADD

  return g_test_run ();
}
