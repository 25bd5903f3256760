/* test-gw-hostile-transport.c: the gateway's transport against clients that
 * attack it: bodies larger than any limit, clients that never read, PONGs
 * that answer nothing. The gateway runs in this process (so its memory is
 * this process's); the attackers speak raw HTTP and WebSocket over sockets
 * of their own, and a room's well-behaved member is the official
 * socket.io-client (tests/peers/member-peer.mjs).
 *
 * Nothing here waits for time to pass: each test waits for the event it
 * asserts (a refusal, a disconnect, a count), with a generous cap that only
 * turns a hang into a failure.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <sys/socket.h>

#include "gw-gateway.h"
#include "gw-jwt.h"
#include "gw-metrics.h"
#include "gw-refresh.h"
#include "gw-rest.h"
#include "gw-test-fixture.h"
#include "gw-users.h"
#include "sio-engine.h"
#include "test-peer.h"

#define SECRET "hostile-transport-secret-0123456789abcdef"
#define CAP_MS 60000
#define ROOM "hostile-room"
#define SEND_HARD_BYTES (1024 * 1024)
#define FLOOD_SIZE (8 * 1024)
#define FLOOD_BATCH 32
/* Far past what the kernel's socket buffers and the hard limit can take
 * together: reaching it means the slow client was never dropped. */
#define FLOOD_MAX (FLOOD_BATCH * 200)

typedef struct {
  GwJwt          *jwt;
  GwRefreshStore *refresh;
  GwRest         *rest;
  GwGateway      *gateway;
  SoupServer     *http;
  guint           port;
  SioEngine      *engine;
  SioServerNamespace *nsp;
  guint           joined;          /* sockets that joined ROOM */
  guint           slow_consumers;  /* SioEngine::slow-consumer */
  guint           bodies_refused;  /* SioEngine::body-refused */
  GPtrArray      *disconnects;     /* reasons of the sockets in ROOM */
  SoupSession    *session;
} Fixture;

static void
on_disconnect (SioServerSocket *socket,
               const char      *reason,
               gpointer         user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->disconnects, g_strdup (reason));
}

static void
on_connection (SioServerNamespace *nsp,
               SioServerSocket    *socket,
               gpointer            user_data)
{
  Fixture *f = user_data;

  sio_server_socket_join (socket, ROOM);
  g_signal_connect (socket, "disconnect", G_CALLBACK (on_disconnect), f);
  f->joined++;
}

static void
on_slow_consumer (SioEngine  *engine,
                  const char *transport,
                  gpointer    user_data)
{
  ((Fixture *) user_data)->slow_consumers++;
}

static void
on_body_refused (SioEngine  *engine,
                 const char *method,
                 gpointer    user_data)
{
  ((Fixture *) user_data)->bodies_refused++;
}

/* The hard limits alone, so that a flood trips them at once. */
static const SioEngineSendLimits hard_limits = {
  .hard_bytes = SEND_HARD_BYTES, .hard_frames = 4096,
};
/* A frame count that the flood's messages reach long before their bytes
 * do: the per-frame cost (a GBytes, a list link) is bounded too. */
static const SioEngineSendLimits frame_limits = {
  .hard_frames = 64,
};
/* The soft limit alone: exceeded, it drops the client once its grace
 * period is over, even when nothing more is sent meanwhile. */
static const SioEngineSendLimits soft_limits = {
  .soft_bytes = SEND_HARD_BYTES, .soft_seconds = 1,
};

static void
setup_with_ping (Fixture                   *f,
                 guint                      ping_interval,
                 guint                      ping_timeout,
                 const SioEngineSendLimits *limits)
{
  g_autoptr(GBytes) secret = g_bytes_new_static (SECRET, strlen (SECRET));
  g_autoptr(GwUsers) users = gw_users_new ();
  g_autoptr(GError) error = NULL;

  gw_metrics_reset ();
  f->jwt = gw_jwt_new (secret, &error);
  g_assert_no_error (error);
  f->refresh = gw_refresh_store_new (3600);
  f->rest = gw_rest_new (f->jwt, users, f->refresh);
  f->gateway = gw_gateway_new (f->jwt);
  f->engine = sio_server_get_engine (gw_gateway_get_server (f->gateway));
  sio_engine_set_ping_interval (f->engine, ping_interval);
  sio_engine_set_ping_timeout (f->engine, ping_timeout);
  sio_engine_set_send_limits (f->engine, limits != NULL ? limits : &hard_limits);
  g_signal_connect (f->engine, "slow-consumer", G_CALLBACK (on_slow_consumer), f);
  g_signal_connect (f->engine, "body-refused", G_CALLBACK (on_body_refused), f);
  f->nsp = sio_server_of (gw_gateway_get_server (f->gateway), "/");
  /* after the gateway's own handler, which authenticates the socket */
  g_signal_connect (f->nsp, "connection", G_CALLBACK (on_connection), f);
  f->disconnects = g_ptr_array_new_with_free_func (g_free);

  /* one port for both, as `livedesk-gateway serve` has them */
  f->http = gw_test_listen (f->gateway, &f->port);
  gw_rest_attach (f->rest, f->http);
  f->session = soup_session_new ();
}

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  setup_with_ping (f, 25000, 20000, data);
}

static void
setup_fast_ping (Fixture       *f,
                 gconstpointer  data)
{
  setup_with_ping (f, 200, 300, NULL);
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  g_clear_object (&f->session);
  gw_gateway_close (f->gateway);
  soup_server_disconnect (f->http);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->http);
  g_clear_object (&f->gateway);
  g_clear_object (&f->rest);
  g_clear_object (&f->refresh);
  g_clear_object (&f->jwt);
  g_clear_pointer (&f->disconnects, g_ptr_array_unref);
}

static gboolean
on_expired (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The process's resident memory in KiB, as the kernel counts it. */
static gsize
rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "\nVmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("\nVmRSS:"), NULL, 10);
}

static GSocket *
raw_connect (guint port,
             int   receive_buffer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", port);
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  /* a client that does not read should hold back as little as it can */
  if (receive_buffer > 0)
    g_assert_true (g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, receive_buffer, NULL));
  g_assert_true (g_socket_connect (socket, address, NULL, &error));
  g_assert_no_error (error);
  g_socket_set_blocking (socket, FALSE);
  return socket;
}

/* Writes all of DATA while the gateway (this process) runs. */
static void
raw_send_all (GSocket    *socket,
              const char *data,
              gsize       length)
{
  gboolean expired = FALSE;
  guint cap = g_timeout_add (CAP_MS, on_expired, &expired);

  while (length > 0 && !expired)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (socket, data, length, NULL, &error);

      if (n > 0)
        {
          data += n;
          length -= n;
        }
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        g_main_context_iteration (NULL, TRUE);
      else
        g_error ("send: %s", error->message);
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_false (expired);
  g_source_remove (cap);
}

/* Reads until TEXT has arrived; returns what was read. */
static char *
raw_read_until (GSocket    *socket,
                const char *text)
{
  g_autoptr(GString) got = g_string_new (NULL);
  gboolean expired = FALSE;
  guint cap = g_timeout_add (CAP_MS, on_expired, &expired);

  while (strstr (got->str, text) == NULL && !expired)
    {
      g_autoptr(GError) error = NULL;
      char buffer[4096];
      gssize n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);

      if (n > 0)
        g_string_append_len (got, buffer, n);
      else if (n == 0)
        break;
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        g_main_context_iteration (NULL, TRUE);
      else
        g_error ("receive: %s", error->message);
    }
  g_assert_false (expired);
  g_source_remove (cap);
  return g_string_free (g_steal_pointer (&got), FALSE);
}

typedef struct {
  char    *response;   /* everything the gateway answered */
  guint64  sent;       /* body bytes the client got out before it stopped */
  gboolean closed;     /* the answer ended with the connection's orderly end */
  gboolean reset;      /* ... or with an error */
} Refusal;

static void
refusal_clear (Refusal *r)
{
  g_clear_pointer (&r->response, g_free);
}

/* Sends HEAD (the request line and headers), then, unless DECLARED, a
 * chunked body of up to BODY bytes as fast as the gateway takes it. Stops
 * sending once an answer arrives, as an HTTP client does, and reads it to
 * the connection's end. */
static void
post_oversized (Fixture    *f,
                const char *head,
                gboolean    declared,
                guint64     body,
                Refusal    *out)
{
  g_autoptr(GSocket) socket = raw_connect (f->port, 0);
  g_autoptr(GString) chunk = g_string_new ("10000\r\n");
  g_autoptr(GString) response = g_string_new (NULL);
  gboolean expired = FALSE;
  guint cap;
  gsize offset = 0;
  gboolean sending = !declared;

  for (guint i = 0; i < 0x10000; i++)
    g_string_append_c (chunk, 'a');
  g_string_append (chunk, "\r\n");

  memset (out, 0, sizeof *out);
  raw_send_all (socket, head, strlen (head));

  cap = g_timeout_add (CAP_MS, on_expired, &expired);
  while (!expired)
    {
      g_autoptr(GError) send_error = NULL;
      g_autoptr(GError) error = NULL;
      gboolean blocked = TRUE;
      char buffer[4096];
      gssize n;

      if (sending && out->sent < body && response->len == 0)
        {
          n = g_socket_send (socket, chunk->str + offset, chunk->len - offset, NULL, &send_error);
          if (n > 0)
            {
              blocked = FALSE;
              offset += n;
              if (offset == chunk->len)
                {
                  out->sent += 0x10000;
                  offset = 0;
                }
            }
          else if (!g_error_matches (send_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            sending = FALSE;   /* the gateway closed: read what it said */
        }

      n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);
      if (n > 0)
        {
          g_string_append_len (response, buffer, n);
          continue;
        }
      if (n == 0)
        {
          out->closed = TRUE;
          break;
        }
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_test_message ("receive: %s", error->message);
          out->reset = TRUE;
          break;
        }
      g_main_context_iteration (NULL, blocked);
    }
  g_assert_false (expired);
  g_source_remove (cap);
  out->response = g_string_free (g_steal_pointer (&response), FALSE);
}

static void
assert_refused (Refusal *r)
{
  if (!g_str_has_prefix (r->response, "HTTP/1.1 413 "))
    g_error ("expected a 413, got “%.80s”", r->response);
  g_assert_true (r->closed);
  g_assert_false (r->reset);
}

static void
test_socket_body_chunked (Fixture       *f,
                          gconstpointer  data)
{
  const char *head = "POST /socket/?EIO=4&transport=polling&sid=x HTTP/1.1\r\n"
                     "Host: 127.0.0.1\r\n"
                     "Content-Type: text/plain;charset=UTF-8\r\n"
                     "Transfer-Encoding: chunked\r\n"
                     "\r\n";
  gsize before = rss_kib ();
  Refusal r;

  post_oversized (f, head, FALSE, (guint64) 300 * 1024 * 1024, &r);
  assert_refused (&r);
  /* the limit was passed, and the gateway stopped taking long before 300 MB */
  g_assert_cmpuint (r.sent, >, sio_engine_get_max_payload (f->engine));
  g_assert_cmpuint (r.sent, <, 64 * 1024 * 1024);
  g_assert_cmpuint (f->bodies_refused, ==, 1);
  g_assert_cmpint (gw_metrics_get ("livedesk_request_body_rejections_total", "path=\"socket\""), ==, 1);
  /* what it read was at most the limit and a read's worth, and it let go of it */
  g_assert_cmpuint (rss_kib (), <, before + 16 * 1024);
  refusal_clear (&r);
}

static void
test_rest_body_chunked (Fixture       *f,
                        gconstpointer  data)
{
  const char *chunked = "POST /api/v1/auth/login HTTP/1.1\r\n"
                        "Host: 127.0.0.1\r\n"
                        "Content-Type: application/json\r\n"
                        "Transfer-Encoding: chunked\r\n"
                        "\r\n";
  const char *declared = "POST /api/v1/auth/login HTTP/1.1\r\n"
                         "Host: 127.0.0.1\r\n"
                         "Content-Type: application/json\r\n"
                         "Content-Length: 314572800\r\n"
                         "\r\n";
  gsize before = rss_kib ();
  Refusal r;

  post_oversized (f, chunked, FALSE, (guint64) 300 * 1024 * 1024, &r);
  assert_refused (&r);
  g_assert_nonnull (strstr (r.response, "INVALID_PAYLOAD"));
  g_assert_cmpuint (r.sent, >, 64 * 1024);
  g_assert_cmpuint (r.sent, <, 64 * 1024 * 1024);
  refusal_clear (&r);

  /* a declared length past the limit: refused before a byte of the body */
  post_oversized (f, declared, TRUE, 0, &r);
  assert_refused (&r);
  refusal_clear (&r);

  g_assert_cmpint (gw_metrics_get ("livedesk_request_body_rejections_total", "path=\"rest\""), ==, 2);
  g_assert_cmpuint (f->bodies_refused, ==, 0);
  g_assert_cmpuint (rss_kib (), <, before + 16 * 1024);
}

static gboolean
wait_for (const guint *count,
          guint        n)
{
  gboolean expired = FALSE;
  guint cap = g_timeout_add (CAP_MS, on_expired, &expired);

  while (*count < n && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (cap);
  return *count >= n;
}

static JsonObject *
expect (TestPeer   *peer,
        const char *event)
{
  JsonObject *line = test_peer_expect (peer, event, CAP_MS);

  if (line == NULL)
    g_error ("the member never reported %s", event);
  return line;
}

static TestPeer *
start_member (Fixture    *f,
              const char *transport)
{
  g_autofree char *port = g_strdup_printf ("%u", f->port);
  g_autofree char *token = gw_test_mint (f->jwt, "member", "Member", GW_ROLE_VIEWER, 900);
  TestPeer *peer = test_peer_start ("member-peer.mjs", port, transport, token, NULL);

  json_object_unref (expect (peer, "connect"));
  return peer;
}

/* Floods ROOM in batches, each once the member has taken the one before,
 * until the engine drops a slow consumer (with only a soft limit: until
 * more than the limit and any socket buffers can hold was sent, then
 * waits for the grace period to end it); then checks that the member got
 * every message, in order. */
static void
flood_until_slow (Fixture                   *f,
                  TestPeer                  *member,
                  const SioEngineSendLimits *limits)
{
  g_autofree char *blob = g_strnfill (FLOOD_SIZE, 'x');
  guint seq = 0;
  guint soft_total = (guint) (16 * SEND_HARD_BYTES / FLOOD_SIZE);
  g_autoptr(JsonObject) done = NULL;

  while (f->slow_consumers == 0 &&
         seq < (limits != NULL && limits->soft_seconds > 0 ? soft_total : FLOOD_MAX))
    {
      for (guint i = 0; i < FLOOD_BATCH; i++, seq++)
        {
          g_autoptr(JsonArray) args = json_array_new ();

          json_array_add_int_element (args, seq);
          json_array_add_string_element (args, blob);
          sio_server_namespace_emit_to (f->nsp, ROOM, "flood", args, NULL);
        }
      for (;;)
        {
          g_autoptr(JsonObject) progress = expect (member, "progress");

          if ((guint) json_object_get_int_member (progress, "count") >= seq)
            break;
        }
    }
  if (limits != NULL && limits->soft_seconds > 0)
    {
      /* over the soft limit only: dropped once the grace period is over,
       * with nothing more sent meanwhile */
      g_assert_true (wait_for (&f->slow_consumers, 1));
    }
  g_assert_cmpuint (f->slow_consumers, ==, 1);

  /* the others in the room were not held up, and lost nothing */
  sio_server_namespace_emit_to (f->nsp, ROOM, "floodDone", NULL, NULL);
  done = expect (member, "done");
  g_assert_cmpint (json_object_get_int_member (done, "count"), ==, seq);
  g_assert_true (json_object_get_boolean_member (done, "inOrder"));
  g_assert_cmpuint (f->disconnects->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (f->disconnects, 0), ==, "slow consumer");
}

static void
test_slow_websocket (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(TestPeer) member = start_member (f, "websocket");
  g_autofree char *token = gw_test_mint (f->jwt, "hog", "Hog", GW_ROLE_VIEWER, 900);
  g_autofree char *connect = g_strdup_printf ("40{\"token\":\"%s\"}", token);
  g_autoptr(GString) frame = g_string_new (NULL);
  g_autoptr(GSocket) socket = raw_connect (f->port, 4096);
  g_autofree char *handshake = NULL;
  gsize length = strlen (connect);
  const char *upgrade = "GET /socket/?EIO=4&transport=websocket HTTP/1.1\r\n"
                        "Host: 127.0.0.1\r\n"
                        "Upgrade: websocket\r\n"
                        "Connection: Upgrade\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        "Sec-WebSocket-Version: 13\r\n"
                        "\r\n";

  g_assert_cmpuint (f->joined, ==, 1);
  raw_send_all (socket, upgrade, strlen (upgrade));
  handshake = raw_read_until (socket, "\r\n\r\n");
  g_assert_true (g_str_has_prefix (handshake, "HTTP/1.1 101"));

  /* CONNECT in one masked text frame (a zero mask leaves the text as it is);
   * from here on this client reads nothing */
  g_string_append_c (frame, (char) 0x81);
  if (length < 126)
    g_string_append_c (frame, (char) (0x80 | length));
  else
    {
      g_string_append_c (frame, (char) (0x80 | 126));
      g_string_append_c (frame, (char) (length >> 8));
      g_string_append_c (frame, (char) (length & 0xff));
    }
  g_string_append_len (frame, "\0\0\0\0", 4);
  g_string_append (frame, connect);
  raw_send_all (socket, frame->str, frame->len);
  g_assert_true (wait_for (&f->joined, 2));

  flood_until_slow (f, member, data);
  g_assert_cmpint (gw_metrics_get ("livedesk_slow_consumer_disconnects_total", "transport=\"websocket\""), ==, 1);
}

/* A client that never reads and sends WebSocket pings: libsoup answers each
 * with a pong in a queue of its own, which nothing else bounds. Once the
 * gateway cannot write to the client, it stops reading from it too, and
 * TCP stops the client. */
static void
test_ping_flood_websocket (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GSocket) socket = raw_connect (f->port, 4096);
  g_autoptr(GString) ping = g_string_new (NULL);
  g_autofree char *handshake = NULL;
  const char *upgrade = "GET /socket/?EIO=4&transport=websocket HTTP/1.1\r\n"
                        "Host: 127.0.0.1\r\n"
                        "Upgrade: websocket\r\n"
                        "Connection: Upgrade\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        "Sec-WebSocket-Version: 13\r\n"
                        "\r\n";
  const guint64 cap = 16 * 1024 * 1024;
  gsize before;
  guint64 sent = 0;
  gsize offset = 0;
  gboolean stalled = FALSE;

  raw_send_all (socket, upgrade, strlen (upgrade));
  handshake = raw_read_until (socket, "\r\n\r\n");
  g_assert_true (g_str_has_prefix (handshake, "HTTP/1.1 101"));
  before = rss_kib ();

  /* a masked ping with the most a control frame may carry */
  g_string_append_c (ping, (char) 0x89);
  g_string_append_c (ping, (char) (0x80 | 125));
  g_string_append_len (ping, "\0\0\0\0", 4);
  for (guint i = 0; i < 125; i++)
    g_string_append_c (ping, 'p');

  while (sent < cap && !stalled)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (socket, ping->str + offset, ping->len - offset, NULL, &error);

      if (n > 0)
        {
          sent += n;
          offset = (offset + n) % ping->len;
          g_main_context_iteration (NULL, FALSE);
          continue;
        }
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
      /* the gateway has done all it will: if the client still cannot
       * send, the gateway is not reading */
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_clear_error (&error);
      n = g_socket_send (socket, ping->str + offset, ping->len - offset, NULL, &error);
      if (n > 0)
        {
          sent += n;
          offset = (offset + n) % ping->len;
        }
      else
        stalled = TRUE;
    }
  g_test_message ("sent %" G_GUINT64_FORMAT " bytes of pings before the gateway stopped reading", sent);
  g_assert_true (stalled);
  g_assert_cmpuint (sent, <, cap);
  g_assert_cmpuint (rss_kib (), <, before + 16 * 1024);
}

typedef struct {
  gboolean  done;
  guint     status;
  GBytes   *body;
} Reply;

static void
on_replied (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Reply *reply = user_data;

  reply->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  reply->status = soup_message_get_status (soup_session_get_async_result_message (SOUP_SESSION (source), result));
  reply->done = TRUE;
}

/* A polling request; returns the status, *BODY (optional) the answer. */
static guint
poll_request (Fixture     *f,
              const char  *method,
              const char  *sid,
              const char  *text,
              char       **body)
{
  g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/socket/?EIO=4&transport=polling%s%s",
                                          f->port, sid != NULL ? "&sid=" : "", sid != NULL ? sid : "");
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  Reply reply = { 0 };
  gboolean expired = FALSE;
  guint cap = g_timeout_add (CAP_MS, on_expired, &expired);

  if (text != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

      soup_message_set_request_body_from_bytes (msg, "text/plain;charset=UTF-8", bytes);
    }
  soup_session_send_and_read_async (f->session, msg, G_PRIORITY_DEFAULT, NULL, on_replied, &reply);
  while (!reply.done && !expired)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (expired);
  g_source_remove (cap);
  if (body != NULL)
    *body = reply.body != NULL ? g_strndup (g_bytes_get_data (reply.body, NULL), g_bytes_get_size (reply.body)) : NULL;
  g_clear_pointer (&reply.body, g_bytes_unref);
  return reply.status;
}

/* The polling handshake; returns the session id. */
static char *
poll_open (Fixture *f)
{
  g_autofree char *body = NULL;
  g_autoptr(JsonNode) open = NULL;

  g_assert_cmpuint (poll_request (f, "GET", NULL, NULL, &body), ==, 200);
  g_assert_nonnull (body);
  g_assert_cmpint (body[0], ==, '0');
  open = json_from_string (body + 1, NULL);
  g_assert_nonnull (open);
  return g_strdup (json_object_get_string_member (json_node_get_object (open), "sid"));
}

static void
test_slow_polling (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(TestPeer) member = start_member (f, "polling");
  g_autofree char *token = gw_test_mint (f->jwt, "hog", "Hog", GW_ROLE_VIEWER, 900);
  g_autofree char *connect = g_strdup_printf ("40{\"token\":\"%s\"}", token);
  g_autofree char *sid = poll_open (f);

  g_assert_cmpuint (f->joined, ==, 1);
  /* connects, then never polls again */
  g_assert_cmpuint (poll_request (f, "POST", sid, connect, NULL), ==, 200);
  g_assert_true (wait_for (&f->joined, 2));

  flood_until_slow (f, member, data);
  g_assert_null (sio_engine_lookup (f->engine, sid));
  g_assert_cmpint (gw_metrics_get ("livedesk_slow_consumer_disconnects_total", "transport=\"polling\""), ==, 1);
}

static void
on_session_closed (SioEngineSocket *socket,
                   const char      *reason,
                   gpointer         user_data)
{
  *(char **) user_data = g_strdup (reason);
}

static void
test_unsolicited_pong (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *sid = poll_open (f);
  g_autofree char *reason = NULL;
  SioEngineSocket *session = sio_engine_lookup (f->engine, sid);
  gboolean expired = FALSE;
  guint cap;
  guint pongs = 0;

  g_assert_nonnull (session);
  g_signal_connect (session, "closed", G_CALLBACK (on_session_closed), &reason);

  /* PONG after PONG, never a poll: no PING of the gateway ever reaches
   * this client, so none of them answers one */
  cap = g_timeout_add (CAP_MS, on_expired, &expired);
  while (reason == NULL && !expired)
    {
      guint status = poll_request (f, "POST", sid, "3", NULL);

      if (status != 200)
        break;
      pongs++;
    }
  if (!expired)
    g_source_remove (cap);
  /* a refused POST means the session is gone: ::closed came first */
  g_assert_cmpstr (reason, ==, "ping timeout");
  g_assert_cmpuint (pongs, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, limits, setup_func, func) \
  g_test_add ("/gw-hostile-transport/" path, Fixture, limits, setup_func, func, teardown)
  ADD ("socket-body-chunked", NULL, setup, test_socket_body_chunked);
  ADD ("rest-body-chunked", NULL, setup, test_rest_body_chunked);
  ADD ("slow-websocket", NULL, setup, test_slow_websocket);
  ADD ("slow-polling", NULL, setup, test_slow_polling);
  ADD ("slow-websocket-frames", &frame_limits, setup, test_slow_websocket);
  ADD ("slow-polling-frames", &frame_limits, setup, test_slow_polling);
  ADD ("slow-websocket-soft", &soft_limits, setup, test_slow_websocket);
  ADD ("slow-polling-soft", &soft_limits, setup, test_slow_polling);
  ADD ("ping-flood-websocket", NULL, setup, test_ping_flood_websocket);
  ADD ("unsolicited-pong", NULL, setup_fast_ping, test_unsolicited_pong);
#undef ADD

  return g_test_run ();
}
