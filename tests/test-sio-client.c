/* test-sio-client.c: SioClient against the official socket.io 4.8 server
 * (tests/peers/client-peer.mjs).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>

#include "sio-client.h"
#include "test-peer.h"

#define VIETNAMESE "Xin chào! Tiếng Việt có dấu: ắ ằ ẳ ẵ ặ đ Ư ơ — 🎉"

typedef struct {
  char      *nsp;
  char      *name;
  JsonArray *args;
  GPtrArray *attachments;
} Received;

typedef struct {
  SioClient  *client;
  GQueue      events;         /* of Received */
  GPtrArray  *connects;       /* namespaces, in order */
  GPtrArray  *disconnects;    /* reason strings */
  GPtrArray  *connect_errors; /* messages */
  JsonNode   *connect_error_data;
  GArray     *delays;         /* reconnect-in values, ms */
  guint       reconnect_attempts;
  guint       reconnects;
  guint       reconnect_failed;
  guint       auth_calls;
  gboolean    answer_acks;
  gboolean    flag;           /* scratch for test_wait_until */
} Fixture;

static void
received_free (Received *received)
{
  g_free (received->nsp);
  g_free (received->name);
  json_array_unref (received->args);
  g_ptr_array_unref (received->attachments);
  g_free (received);
}

static char *
to_json (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

static char *
array_to_json (JsonArray *array)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);

  json_node_set_array (node, array);
  return to_json (node);
}

static JsonArray *
array_from_json (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  return json_array_ref (json_node_get_array (node));
}

static void
on_connect (SioClient  *client,
            const char *nsp,
            Fixture    *fixture)
{
  g_ptr_array_add (fixture->connects, g_strdup (nsp));
}

static void
on_disconnect (SioClient           *client,
               const char          *nsp,
               SioDisconnectReason  reason,
               const char          *reason_string,
               Fixture             *fixture)
{
  g_assert_cmpstr (reason_string, ==, sio_disconnect_reason_to_string (reason));
  g_ptr_array_add (fixture->disconnects, g_strdup (reason_string));
}

static void
on_connect_error (SioClient  *client,
                  const char *nsp,
                  const char *message,
                  JsonNode   *data,
                  Fixture    *fixture)
{
  g_test_message ("connect-error on %s: %s", nsp, message);
  g_ptr_array_add (fixture->connect_errors, g_strdup (message));
  g_clear_pointer (&fixture->connect_error_data, json_node_unref);
  if (data != NULL)
    fixture->connect_error_data = json_node_copy (data);
}

static void
on_event (SioClient    *client,
          const char   *nsp,
          const char   *name,
          JsonArray    *args,
          GPtrArray    *attachments,
          SioClientAck *ack,
          Fixture      *fixture)
{
  Received *received = g_new0 (Received, 1);

  received->nsp = g_strdup (nsp);
  received->name = g_strdup (name);
  received->args = json_array_ref (args);
  received->attachments = g_ptr_array_ref (attachments);
  g_queue_push_tail (&fixture->events, received);

  if (ack != NULL && fixture->answer_acks)
    {
      g_autoptr(JsonArray) reply = array_from_json ("[{\"answer\":42,\"text\":\"" VIETNAMESE "\"}]");
      g_autoptr(GError) error = NULL;

      g_assert_true (sio_client_ack_send (ack, reply, NULL, &error));
      g_assert_no_error (error);
      /* an ack goes out once */
      g_assert_false (sio_client_ack_send (ack, reply, NULL, &error));
      g_assert_error (error, SIO_CLIENT_ERROR, SIO_CLIENT_ERROR_ALREADY_SENT);
    }
}

static void
on_reconnect_attempt (SioClient *client,
                      guint      attempt,
                      Fixture   *fixture)
{
  fixture->reconnect_attempts++;
}

static void
on_reconnect (SioClient *client,
              guint      attempt,
              Fixture   *fixture)
{
  fixture->reconnects++;
}

static void
on_reconnect_failed (SioClient *client,
                     Fixture   *fixture)
{
  fixture->reconnect_failed++;
}

static JsonNode *
get_auth (SioClient  *client,
          const char *nsp,
          gpointer    user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *token = NULL;

  fixture->auth_calls++;
  token = g_strdup_printf ("token-%u", fixture->auth_calls);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, token);
  json_builder_set_member_name (builder, "nsp");
  json_builder_add_string_value (builder, nsp);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_queue_init (&fixture->events);
  fixture->connects = g_ptr_array_new_with_free_func (g_free);
  fixture->disconnects = g_ptr_array_new_with_free_func (g_free);
  fixture->connect_errors = g_ptr_array_new_with_free_func (g_free);
  fixture->answer_acks = TRUE;
  fixture->delays = g_array_new (FALSE, FALSE, sizeof (guint));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->client != NULL)
    g_assert_finalize_object (fixture->client);
  g_queue_clear_full (&fixture->events, (GDestroyNotify) received_free);
  g_ptr_array_unref (fixture->connects);
  g_ptr_array_unref (fixture->disconnects);
  g_ptr_array_unref (fixture->connect_errors);
  g_clear_pointer (&fixture->connect_error_data, json_node_unref);
  g_array_unref (fixture->delays);
}

/* A client for the peer on PORT, fast to reconnect so tests stay short. */
static SioClient *
make_client (Fixture    *fixture,
             guint       port,
             const char *path)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", port);
  SioClient *client = sio_client_new (url, path);

  g_object_set (client,
                "reconnection-delay", 200,
                "reconnection-delay-max", 1000,
                "randomization-factor", 0.0,
                "connect-timeout", 3000,
                NULL);
  sio_client_set_auth_func (client, get_auth, fixture, NULL);
  g_signal_connect (client, "connect", G_CALLBACK (on_connect), fixture);
  g_signal_connect (client, "disconnect", G_CALLBACK (on_disconnect), fixture);
  g_signal_connect (client, "connect-error", G_CALLBACK (on_connect_error), fixture);
  g_signal_connect (client, "event", G_CALLBACK (on_event), fixture);
  g_signal_connect (client, "reconnect-attempt", G_CALLBACK (on_reconnect_attempt), fixture);
  g_signal_connect (client, "reconnect", G_CALLBACK (on_reconnect), fixture);
  g_signal_connect (client, "reconnect-failed", G_CALLBACK (on_reconnect_failed), fixture);
  fixture->client = client;
  return client;
}

static gboolean
wait_for_count (GPtrArray *array,
                guint      count,
                guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  while (array->len < count && g_get_monotonic_time () < deadline)
    test_spin (10);
  return array->len >= count;
}

static gboolean
wait_for_uint (const guint *value,
               guint        count,
               guint        timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  while (*value < count && g_get_monotonic_time () < deadline)
    test_spin (10);
  return *value >= count;
}

static Received *
wait_for_event (Fixture *fixture,
                guint    timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;

  while (g_queue_is_empty (&fixture->events) && g_get_monotonic_time () < deadline)
    test_spin (10);
  return g_queue_pop_head (&fixture->events);
}

/* Starts a peer with OPTIONS, connects a client and waits for both ends. */
static TestPeer *
connect_to_peer (Fixture    *fixture,
                 const char *options)
{
  TestPeer *peer = test_peer_start ("client-peer.mjs", options, NULL);
  JsonObject *connection;

  make_client (fixture, test_peer_get_port (peer), NULL);
  sio_client_connect (fixture->client);
  g_assert_true (wait_for_count (fixture->connects, 1, 10000));
  connection = test_peer_expect (peer, "connection", 10000);
  g_assert_nonnull (connection);
  json_object_unref (connection);
  g_assert_true (sio_client_namespace_get_connected (sio_client_get_namespace (fixture->client)));
  return peer;
}

static JsonArray *emit_with_ack_sync (SioClient  *client,
                                     const char *event,
                                     JsonArray  *args,
                                     GPtrArray  *attachments,
                                     guint       timeout_ms,
                                     GError    **error);

static void
test_backoff (void)
{
  /* the first delay is the minimum ± the randomization factor */
  for (guint i = 0; i < 100; i++)
    {
      guint delay = sio_client_backoff_delay (1000, 5000, 0.5, 0, g_random_double ());

      g_assert_cmpuint (delay, >=, 500);
      g_assert_cmpuint (delay, <=, 1500);
    }
  g_assert_cmpuint (sio_client_backoff_delay (1000, 5000, 0, 0, 0.3), ==, 1000);
  g_assert_cmpuint (sio_client_backoff_delay (1000, 5000, 0, 1, 0.3), ==, 2000);
  g_assert_cmpuint (sio_client_backoff_delay (1000, 5000, 0, 2, 0.3), ==, 4000);
  g_assert_cmpuint (sio_client_backoff_delay (1000, 5000, 0, 3, 0.3), ==, 5000);
  /* socket.io-client wraps to 0 ms around here; a client retrying forever must not spin */
  for (guint attempt = 20; attempt < 5000; attempt += 7)
    {
      g_assert_cmpuint (sio_client_backoff_delay (1000, 5000, 0.5, attempt, 0.99), ==, 5000);
      g_assert_cmpuint (sio_client_backoff_delay (1000, 5000, 0.5, attempt, 0.0), ==, 5000);
    }
  g_assert_cmpuint (sio_client_backoff_delay (1000, 5000, 0.5, G_MAXUINT, 0.5), ==, 5000);
}

static void
test_handshake (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(TestPeer) peer = test_peer_start ("client-peer.mjs", NULL);
  g_autoptr(JsonObject) connection = NULL;
  JsonObject *auth, *query;

  make_client (fixture, test_peer_get_port (peer), NULL);
  sio_client_set_query_param (fixture->client, "room", "phòng 1&2=3");
  sio_client_set_header (fixture->client, "X-Livedesk-Test", "yes");
  g_assert_cmpint (sio_client_get_state (fixture->client), ==, SIO_CLIENT_STATE_CLOSED);
  sio_client_connect (fixture->client);

  connection = test_peer_expect (peer, "connection", 10000);
  g_assert_nonnull (connection);
  g_assert_cmpstr (json_object_get_string_member (connection, "nsp"), ==, "/");
  auth = json_object_get_object_member (connection, "auth");
  g_assert_cmpstr (json_object_get_string_member (auth, "token"), ==, "token-1");
  query = json_object_get_object_member (connection, "query");
  g_assert_cmpstr (json_object_get_string_member (query, "room"), ==, "phòng 1&2=3");
  g_assert_cmpstr (json_object_get_string_member (query, "EIO"), ==, "4");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (connection, "headers"),
                                                  "x-livedesk-test"), ==, "yes");

  g_assert_true (wait_for_count (fixture->connects, 1, 10000));
  g_assert_cmpint (sio_client_get_state (fixture->client), ==, SIO_CLIENT_STATE_OPEN);
  g_assert_cmpstr (sio_client_namespace_get_id (sio_client_get_namespace (fixture->client)), ==,
                   json_object_get_string_member (connection, "id"));

  sio_client_disconnect (fixture->client);
  g_assert_cmpuint (fixture->disconnects->len, ==, 1);
  g_assert_cmpstr (fixture->disconnects->pdata[0], ==, "io client disconnect");
  g_assert_nonnull (test_peer_expect (peer, "disconnect", 10000));
}

#define ALL_TYPES "[null,true,false,0,-42,3.5,\"" VIETNAMESE "\",\"\",[1,\"a\",[]],{\"k\":\"v\",\"n\":{\"deep\":[null]}}]"

static void
test_events (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(TestPeer) peer = connect_to_peer (fixture, NULL);
  g_autoptr(JsonArray) args = array_from_json (ALL_TYPES);
  g_autoptr(JsonArray) one = array_from_json ("[\"" VIETNAMESE "\"]");
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = array_to_json (args);
  JsonObject *line;
  Received *received;

  /* client → server: no args, one, every JSON type */
  g_assert_true (sio_client_emit (fixture->client, "nothing", NULL, NULL, SIO_EMIT_NONE, &error));
  g_assert_true (sio_client_emit (fixture->client, "chào", one, NULL, SIO_EMIT_NONE, &error));
  g_assert_true (sio_client_emit (fixture->client, "types", args, NULL, SIO_EMIT_NONE, &error));
  g_assert_no_error (error);

  line = test_peer_expect (peer, "received", 10000);
  g_assert_cmpstr (json_object_get_string_member (line, "name"), ==, "nothing");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (line, "args")), ==, 0);
  json_object_unref (line);
  line = test_peer_expect (peer, "received", 10000);
  g_assert_cmpstr (json_object_get_string_member (line, "name"), ==, "chào");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (line, "args"), 0), ==, VIETNAMESE);
  json_object_unref (line);
  line = test_peer_expect (peer, "received", 10000);
  g_assert_cmpstr (json_object_get_string_member (line, "name"), ==, "types");
  {
    g_autofree char *got = to_json (json_object_get_member (line, "args"));
    g_assert_cmpstr (got, ==, expected);
  }
  json_object_unref (line);

  /* server → client */
  test_peer_send (peer, "{\"cmd\":\"emit\",\"name\":\"nothing\",\"args\":[]}");
  test_peer_send (peer, "{\"cmd\":\"emit\",\"name\":\"types\",\"args\":%s}", expected);
  received = wait_for_event (fixture, 10000);
  g_assert_nonnull (received);
  g_assert_cmpstr (received->name, ==, "nothing");
  g_assert_cmpuint (json_array_get_length (received->args), ==, 0);
  received_free (received);
  received = wait_for_event (fixture, 10000);
  g_assert_nonnull (received);
  g_assert_cmpstr (received->nsp, ==, "/");
  g_assert_cmpstr (received->name, ==, "types");
  {
    g_autofree char *got = array_to_json (received->args);
    g_assert_cmpstr (got, ==, expected);
  }
  received_free (received);
}

static void
on_chat_only (SioClient    *client,
              const char   *nsp,
              const char   *name,
              JsonArray    *args,
              GPtrArray    *attachments,
              SioClientAck *ack,
              GPtrArray    *chats)
{
  g_ptr_array_add (chats, g_strdup_printf ("%s %s", name, json_array_get_string_element (args, 0)));
}

/* A handler connected for one name gets only that event, every handler the
 * arguments as sent; a name no one listens for still reaches the handlers of
 * all events, without the client keeping it (no quark made for it). */
static void
test_event_names (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(TestPeer) peer = connect_to_peer (fixture, NULL);
  g_autoptr(GPtrArray) chats = g_ptr_array_new_with_free_func (g_free);
  Received *received;

  g_signal_connect (fixture->client, "event::chat", G_CALLBACK (on_chat_only), chats);
  test_peer_send (peer, "{\"cmd\":\"emit\",\"name\":\"chat\",\"args\":[\"%s\",{\"n\":1}]}", VIETNAMESE);
  test_peer_send (peer, "{\"cmd\":\"emit\",\"name\":\"a-name-no-one-listens-for\",\"args\":[\"x\",2]}");

  received = wait_for_event (fixture, 10000);
  g_assert_nonnull (received);
  g_assert_cmpstr (received->name, ==, "chat");
  g_assert_cmpuint (json_array_get_length (received->args), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (received->args, 0), ==, VIETNAMESE);
  received_free (received);
  received = wait_for_event (fixture, 10000);
  g_assert_nonnull (received);
  g_assert_cmpstr (received->name, ==, "a-name-no-one-listens-for");
  g_assert_cmpuint (json_array_get_length (received->args), ==, 2);
  g_assert_cmpint (json_array_get_int_element (received->args, 1), ==, 2);
  received_free (received);

  g_assert_cmpuint (chats->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (chats, 0), ==, "chat " VIETNAMESE);
  g_assert_cmpuint (g_quark_try_string ("a-name-no-one-listens-for"), ==, 0);
}

static void
on_ack_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *out = user_data;
  GError *error = NULL;
  JsonArray *args = sio_client_emit_with_ack_finish (SIO_CLIENT (source), result, NULL, &error);

  if (args != NULL)
    g_task_return_pointer (out, args, (GDestroyNotify) json_array_unref);
  else
    g_task_return_error (out, error);
  g_object_unref (out);
}

static void
on_task_ready (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Emits with ack and waits for the outcome. */
static JsonArray *
emit_with_ack_sync (SioClient  *client,
                    const char *event,
                    JsonArray  *args,
                    GPtrArray  *attachments,
                    guint       timeout_ms,
                    GError    **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GTask *out = g_task_new (NULL, NULL, on_task_ready, &result);

  sio_client_emit_with_ack_async (client, event, args, attachments, timeout_ms, NULL, on_ack_done, out);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_acks (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(TestPeer) peer = connect_to_peer (fixture, NULL);
  g_autoptr(JsonArray) args = array_from_json ("[\"" VIETNAMESE "\",7]");
  g_autoptr(JsonArray) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) line = NULL;
  g_autofree char *got = NULL;
  Received *received;

  /* the server acks a client emit: ack({ok, echo: N}, ...args) */
  reply = emit_with_ack_sync (fixture->client, "echo", args, NULL, 5000, &error);
  g_assert_no_error (error);
  got = array_to_json (reply);
  g_assert_cmpstr (got, ==, "[{\"ok\":true,\"echo\":2},\"" VIETNAMESE "\",7]");

  /* the client acks a server emitWithAck */
  test_peer_send (peer, "{\"cmd\":\"emit\",\"name\":\"question\",\"args\":[\"how much?\"],\"ack\":1}");
  line = test_peer_expect (peer, "ack", 10000);
  g_assert_nonnull (line);
  g_assert_false (json_object_has_member (line, "error"));
  g_clear_pointer (&got, g_free);
  got = to_json (json_object_get_member (line, "args"));
  g_assert_cmpstr (got, ==, "[{\"answer\":42,\"text\":\"" VIETNAMESE "\"}]");
  received = wait_for_event (fixture, 1000);
  g_assert_nonnull (received);
  g_assert_cmpstr (received->name, ==, "question");
  received_free (received);
}

static void
test_ack_timeout (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(TestPeer) peer = connect_to_peer (fixture, NULL);
  g_autoptr(JsonArray) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) line = NULL;
  gint64 start = g_get_monotonic_time ();

  reply = emit_with_ack_sync (fixture->client, "no-ack", NULL, NULL, 300, &error);
  g_assert_null (reply);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "did not acknowledge “no-ack” within 300 ms"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 300 * G_TIME_SPAN_MILLISECOND);
  /* the server did get it; only the answer is missing */
  line = test_peer_expect (peer, "received", 10000);
  g_assert_cmpstr (json_object_get_string_member (line, "name"), ==, "no-ack");
  g_assert_true (json_object_get_boolean_member (line, "ack"));
}

static void
on_namespace_ack (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GError **out = user_data;
  g_autoptr(JsonArray) args = NULL;

  args = sio_client_namespace_emit_with_ack_finish (SIO_CLIENT_NAMESPACE (source), result, NULL, out);
  g_assert_null (args);
  g_assert_nonnull (*out);
}

static void
test_ack_cancel_and_disconnect (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(TestPeer) peer = connect_to_peer (fixture, NULL);
  SioClientNamespace *ns = sio_client_get_namespace (fixture->client);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) cancelled = NULL;
  g_autoptr(GError) disconnected = NULL;

  sio_client_namespace_emit_with_ack_async (ns, "no-ack", NULL, NULL, 0, cancellable, on_namespace_ack, &cancelled);
  g_cancellable_cancel (cancellable);
  while (cancelled == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (cancelled, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* an ack that can no longer come fails when the connection drops, without a timeout */
  sio_client_namespace_emit_with_ack_async (ns, "no-ack", NULL, NULL, 0, NULL, on_namespace_ack, &disconnected);
  json_object_unref (test_peer_expect (peer, "received", 10000));
  json_object_unref (test_peer_expect (peer, "received", 10000));
  test_peer_send (peer, "{\"cmd\":\"close-transport\"}");
  while (disconnected == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (disconnected, SIO_CLIENT_ERROR, SIO_CLIENT_ERROR_DISCONNECTED);
  g_assert_cmpstr (fixture->disconnects->pdata[0], ==, "transport close");
  /* and the client reconnects by itself */
  g_assert_true (wait_for_count (fixture->connects, 2, 15000));
}

static void
test_binary (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(TestPeer) peer = connect_to_peer (fixture, NULL);
  g_autoptr(GPtrArray) attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(JsonArray) args = json_array_new ();
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = g_bytes_new_static ("\0\1\2\3", 4);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) line = NULL;
  g_autofree char *b64 = NULL;
  guint8 raw[300];
  JsonArray *got;
  JsonObject *nested;
  Received *received;
  GBytes *bytes;

  for (guint i = 0; i < sizeof raw; i++)
    raw[i] = i * 7;
  first = g_bytes_new (raw, sizeof raw);
  json_array_add_string_element (args, "ảnh.png");
  json_array_add_element (args, sio_client_add_attachment (attachments, first));
  nested = json_object_new ();
  json_object_set_member (nested, "thumb", sio_client_add_attachment (attachments, second));
  json_array_add_object_element (args, nested);

  g_assert_true (sio_client_emit (fixture->client, "upload", args, attachments, SIO_EMIT_NONE, &error));
  g_assert_no_error (error);
  line = test_peer_expect (peer, "received", 10000);
  g_assert_nonnull (line);
  g_assert_cmpstr (json_object_get_string_member (line, "name"), ==, "upload");
  got = json_object_get_array_member (line, "args");
  g_assert_cmpstr (json_array_get_string_element (got, 0), ==, "ảnh.png");
  b64 = g_base64_encode (raw, sizeof raw);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (got, 1), "$binary"), ==, b64);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_array_get_object_element (got, 2), "thumb"),
                                                  "$binary"), ==, "AAECAw==");

  test_peer_send (peer, "{\"cmd\":\"emit\",\"name\":\"download\",\"args\":[{\"$binary\":\"%s\"},\"tail\",{\"x\":{\"$binary\":\"AAECAw==\"}}]}", b64);
  received = wait_for_event (fixture, 10000);
  g_assert_nonnull (received);
  g_assert_cmpstr (received->name, ==, "download");
  g_assert_cmpuint (received->attachments->len, ==, 2);
  bytes = sio_client_get_attachment (received->attachments, json_array_get_element (received->args, 0));
  g_assert_nonnull (bytes);
  g_assert_true (g_bytes_equal (bytes, first));
  g_assert_cmpstr (json_array_get_string_element (received->args, 1), ==, "tail");
  bytes = sio_client_get_attachment (received->attachments,
                                     json_object_get_member (json_array_get_object_element (received->args, 2), "x"));
  g_assert_true (g_bytes_equal (bytes, second));
  g_assert_null (sio_client_get_attachment (received->attachments, json_array_get_element (received->args, 1)));
  received_free (received);
}

static void
test_namespaces (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(TestPeer) peer = connect_to_peer (fixture, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) line = NULL;
  g_autoptr(JsonArray) args = array_from_json ("[\"admin only\"]");
  SioClientNamespace *admin, *private;
  JsonObject *data_object;
  Received *received;

  admin = sio_client_connect_namespace (fixture->client, "/admin");
  g_assert_true (wait_for_count (fixture->connects, 2, 10000));
  g_assert_cmpstr (fixture->connects->pdata[1], ==, "/admin");
  g_assert_true (sio_client_namespace_get_connected (admin));
  line = test_peer_expect (peer, "connection", 10000);
  g_assert_cmpstr (json_object_get_string_member (line, "nsp"), ==, "/admin");
  /* the auth callback is asked per namespace */
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (line, "auth"), "nsp"), ==, "/admin");
  g_clear_pointer (&line, json_object_unref);

  g_assert_true (sio_client_namespace_emit (admin, "hello", args, NULL, SIO_EMIT_NONE, &error));
  g_assert_no_error (error);
  line = test_peer_expect (peer, "received", 10000);
  g_assert_cmpstr (json_object_get_string_member (line, "nsp"), ==, "/admin");
  g_clear_pointer (&line, json_object_unref);

  test_peer_send (peer, "{\"cmd\":\"emit\",\"nsp\":\"/admin\",\"name\":\"only-admin\",\"args\":[1]}");
  received = wait_for_event (fixture, 10000);
  g_assert_cmpstr (received->nsp, ==, "/admin");
  g_assert_cmpstr (received->name, ==, "only-admin");
  received_free (received);

  /* a middleware refusal: connect-error with the server's message and data; others stay up */
  private = sio_client_connect_namespace (fixture->client, "/private");
  g_assert_true (wait_for_count (fixture->connect_errors, 1, 10000));
  g_assert_cmpstr (fixture->connect_errors->pdata[0], ==, "not authorized");
  g_assert_nonnull (fixture->connect_error_data);
  data_object = json_node_get_object (fixture->connect_error_data);
  g_assert_cmpstr (json_object_get_string_member (data_object, "code"), ==, "FORBIDDEN");
  g_assert_false (sio_client_namespace_get_connected (private));
  g_assert_true (sio_client_namespace_get_connected (admin));
  g_assert_true (sio_client_namespace_get_connected (sio_client_get_namespace (fixture->client)));

  /* leaving one namespace keeps the connection for the other */
  sio_client_namespace_disconnect (admin);
  g_assert_false (sio_client_namespace_get_connected (admin));
  line = test_peer_expect (peer, "disconnect", 10000);
  g_assert_cmpstr (json_object_get_string_member (line, "nsp"), ==, "/admin");
  g_assert_cmpstr (json_object_get_string_member (line, "reason"), ==, "client namespace disconnect");
  g_assert_cmpint (sio_client_get_state (fixture->client), ==, SIO_CLIENT_STATE_OPEN);
}

static void
test_server_disconnect (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(TestPeer) peer = connect_to_peer (fixture, NULL);

  test_peer_send (peer, "{\"cmd\":\"disconnect\"}");
  g_assert_true (wait_for_count (fixture->disconnects, 1, 10000));
  g_assert_cmpstr (fixture->disconnects->pdata[0], ==, "io server disconnect");
  /* no automatic reconnect: the server meant it */
  test_spin (1500);
  g_assert_cmpuint (fixture->reconnect_attempts, ==, 0);
  g_assert_cmpuint (fixture->connects->len, ==, 1);
  g_assert_cmpint (sio_client_get_state (fixture->client), ==, SIO_CLIENT_STATE_CLOSED);
}

static void
test_heartbeat (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(TestPeer) peer = connect_to_peer (fixture, "{\"pingInterval\":300,\"pingTimeout\":200}");
  g_autoptr(JsonArray) reply = NULL;
  g_autoptr(GError) error = NULL;

  /* a dozen ping rounds: every one must be answered in time */
  test_spin (4000);
  g_assert_cmpuint (fixture->disconnects->len, ==, 0);
  g_assert_cmpuint (fixture->connects->len, ==, 1);
  reply = emit_with_ack_sync (fixture->client, "still-there", NULL, NULL, 5000, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
}

static void
test_frozen_server (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(TestPeer) peer = connect_to_peer (fixture, "{\"pingInterval\":300,\"pingTimeout\":200}");
  gint64 start, elapsed_ms;

  g_object_set (fixture->client, "connect-timeout", 1000, NULL);
  test_peer_signal (peer, SIGSTOP);
  start = g_get_monotonic_time ();
  g_assert_true (wait_for_count (fixture->disconnects, 1, 10000));
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("ping timeout noticed after %" G_GINT64_FORMAT " ms", elapsed_ms);
  g_assert_cmpstr (fixture->disconnects->pdata[0], ==, "ping timeout");
  /* pingInterval + pingTimeout, plus the 1 s check and a noisy machine */
  g_assert_cmpint (elapsed_ms, <=, 300 + 200 + 2500);

  /* it keeps trying while the server is frozen (each attempt times out) */
  g_assert_true (wait_for_uint (&fixture->reconnect_attempts, 2, 10000));
  g_assert_cmpuint (fixture->connect_errors->len, >=, 1);
  test_peer_signal (peer, SIGCONT);
  g_assert_true (wait_for_uint (&fixture->reconnects, 1, 15000));
  g_assert_true (wait_for_count (fixture->connects, 2, 10000));
  g_assert_true (sio_client_namespace_get_connected (sio_client_get_namespace (fixture->client)));
}

static void
test_server_restart (Fixture       *fixture,
                     gconstpointer  data)
{
  TestPeer *peer = connect_to_peer (fixture, NULL);
  g_autofree char *options = g_strdup_printf ("{\"port\":%u}", test_peer_get_port (peer));
  g_autoptr(GError) error = NULL;
  JsonObject *line;

  test_peer_stop (peer);
  test_peer_free (peer);
  g_assert_true (wait_for_count (fixture->disconnects, 1, 10000));
  g_assert_cmpstr (fixture->disconnects->pdata[0], ==, "transport close");

  /* emits while away wait in the offline buffer */
  for (guint i = 1; i <= 5; i++)
    {
      g_autoptr(JsonArray) args = json_array_new ();

      json_array_add_int_element (args, i);
      g_assert_true (sio_client_emit (fixture->client, "seq", args, NULL, SIO_EMIT_NONE, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (sio_client_namespace_get_buffered (sio_client_get_namespace (fixture->client)), ==, 5);
  /* let a few attempts fail against the closed port first */
  g_assert_true (wait_for_uint (&fixture->reconnect_attempts, 2, 10000));

  peer = test_peer_start ("client-peer.mjs", options, NULL);
  g_assert_true (wait_for_uint (&fixture->reconnects, 1, 15000));
  g_assert_true (wait_for_count (fixture->connects, 2, 10000));

  line = test_peer_expect (peer, "connection", 10000);
  g_assert_nonnull (line);
  /* the auth callback ran again, so a refreshed token went out */
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (line, "auth"), "token"), !=, "token-1");
  json_object_unref (line);

  for (guint i = 1; i <= 5; i++)
    {
      line = test_peer_expect (peer, "received", 10000);
      g_assert_nonnull (line);
      g_assert_cmpstr (json_object_get_string_member (line, "name"), ==, "seq");
      g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (line, "args"), 0), ==, i);
      json_object_unref (line);
    }
  g_assert_cmpuint (sio_client_namespace_get_buffered (sio_client_get_namespace (fixture->client)), ==, 0);

  /* exactly once: another reconnect does not send them again */
  test_peer_send (peer, "{\"cmd\":\"close-transport\"}");
  g_assert_true (wait_for_count (fixture->connects, 3, 15000));
  test_peer_send (peer, "{\"cmd\":\"count\"}");
  line = test_peer_expect (peer, "count", 10000);
  g_assert_nonnull (line);
  json_object_unref (line);
  while ((line = test_peer_next (peer, 500)) != NULL)
    {
      g_assert_cmpstr (json_object_get_string_member (line, "event"), !=, "received");
      json_object_unref (line);
    }
  test_peer_free (peer);
}

static void
test_recovery (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(TestPeer) peer = connect_to_peer (fixture, "{\"recovery\":true}");
  SioClientNamespace *ns = sio_client_get_namespace (fixture->client);
  JsonObject *line;
  Received *received;

  g_assert_false (sio_client_namespace_get_recovered (ns));
  test_peer_send (peer, "{\"cmd\":\"emit\",\"name\":\"news\",\"args\":[1,\"một\"]}");
  received = wait_for_event (fixture, 10000);
  g_assert_nonnull (received);
  /* the offset the server appended is not an argument */
  g_assert_cmpuint (json_array_get_length (received->args), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (received->args, 1), ==, "một");
  received_free (received);

  test_peer_send (peer, "{\"cmd\":\"close-transport\"}");
  g_assert_true (wait_for_count (fixture->disconnects, 1, 10000));
  line = test_peer_expect (peer, "disconnect", 10000);
  g_assert_nonnull (line);
  json_object_unref (line);
  test_peer_send (peer, "{\"cmd\":\"emit\",\"name\":\"news\",\"args\":[2,\"hai\"]}");
  test_peer_send (peer, "{\"cmd\":\"emit\",\"name\":\"news\",\"args\":[3,\"ba\"]}");
  line = test_peer_expect (peer, "emitted", 10000);
  json_object_unref (line);
  line = test_peer_expect (peer, "emitted", 10000);
  json_object_unref (line);
  g_assert_cmpuint (fixture->connects->len, ==, 1);

  g_assert_true (wait_for_count (fixture->connects, 2, 15000));
  g_assert_true (sio_client_namespace_get_recovered (ns));
  line = test_peer_expect (peer, "connection", 10000);
  g_assert_true (json_object_get_boolean_member (line, "recovered"));
  json_object_unref (line);
  for (gint i = 2; i <= 3; i++)
    {
      received = wait_for_event (fixture, 10000);
      g_assert_nonnull (received);
      g_assert_cmpstr (received->name, ==, "news");
      g_assert_cmpuint (json_array_get_length (received->args), ==, 2);
      g_assert_cmpint (json_array_get_int_element (received->args, 0), ==, i);
      received_free (received);
    }
}

static void
test_oversized (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(TestPeer) peer = connect_to_peer (fixture, "{\"maxPayload\":1000}");
  g_autoptr(JsonArray) big = json_array_new ();
  g_autoptr(JsonArray) small = json_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strnfill (2000, 'x');
  g_autoptr(JsonObject) line = NULL;

  json_array_add_string_element (big, text);
  g_assert_false (sio_client_emit (fixture->client, "big", big, NULL, SIO_EMIT_NONE, &error));
  g_assert_error (error, SIO_CLIENT_ERROR, SIO_CLIENT_ERROR_PAYLOAD_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "maxPayload of 1000 bytes"));
  g_clear_error (&error);

  {
    g_autoptr(GPtrArray) attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    g_autoptr(JsonArray) many = json_array_new ();
    g_autoptr(GBytes) bytes = g_bytes_new_static ("x", 1);

    for (guint i = 0; i < 11; i++)
      json_array_add_element (many, sio_client_add_attachment (attachments, bytes));
    g_assert_false (sio_client_emit (fixture->client, "many", many, attachments, SIO_EMIT_NONE, &error));
    g_assert_error (error, SIO_CLIENT_ERROR, SIO_CLIENT_ERROR_PAYLOAD_TOO_LARGE);
    g_assert_nonnull (strstr (error->message, "11 binary attachments"));
    g_clear_error (&error);
  }

  /* refused locally: the connection is fine and the next emit arrives */
  json_array_add_string_element (small, "ok");
  g_assert_true (sio_client_emit (fixture->client, "small", small, NULL, SIO_EMIT_NONE, &error));
  line = test_peer_expect (peer, "received", 10000);
  g_assert_cmpstr (json_object_get_string_member (line, "name"), ==, "small");
  g_assert_cmpuint (fixture->disconnects->len, ==, 0);
}

static void
test_offline_buffer (Fixture       *fixture,
                     gconstpointer  data)
{
  SioClient *client = make_client (fixture, 9, NULL);
  SioClientNamespace *ns = sio_client_get_namespace (client);
  g_autoptr(GError) error = NULL;

  g_object_set (client, "offline-buffer-size", 3, NULL);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (sio_client_emit (client, "queued", NULL, NULL, SIO_EMIT_NONE, &error));
      g_assert_no_error (error);
    }
  g_assert_false (sio_client_emit (client, "one-too-many", NULL, NULL, SIO_EMIT_NONE, &error));
  g_assert_error (error, SIO_CLIENT_ERROR, SIO_CLIENT_ERROR_BUFFER_FULL);
  g_assert_nonnull (strstr (error->message, "offline buffer is full (3 events)"));
  g_clear_error (&error);

  /* volatile emits are dropped, not buffered */
  g_assert_true (sio_client_emit (client, "volatile", NULL, NULL, SIO_EMIT_VOLATILE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sio_client_namespace_get_buffered (ns), ==, 3);

  /* an emit with ack that times out in the buffer leaves it, so it is never sent late */
  g_object_set (client, "offline-buffer-size", 4, NULL);
  {
    g_autoptr(JsonArray) reply = emit_with_ack_sync (client, "late", NULL, NULL, 100, &error);

    g_assert_null (reply);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  }
  g_assert_cmpuint (sio_client_namespace_get_buffered (ns), ==, 3);
}

static void
test_not_socket_io (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(TestPeer) peer = test_peer_start ("client-peer.mjs", NULL);

  make_client (fixture, test_peer_get_port (peer), "/wrong-path");
  g_object_set (fixture->client, "reconnection", FALSE, NULL);
  sio_client_connect (fixture->client);
  g_assert_true (wait_for_count (fixture->connect_errors, 1, 10000));
  g_assert_nonnull (strstr (fixture->connect_errors->pdata[0], "HTTP 404"));
  g_assert_nonnull (strstr (fixture->connect_errors->pdata[0], "check the path"));
  g_assert_cmpint (sio_client_get_state (fixture->client), ==, SIO_CLIENT_STATE_CLOSED);
  test_spin (500);
  g_assert_cmpuint (fixture->reconnect_attempts, ==, 0);
}

static void
test_plain_websocket (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(TestPeer) peer = test_peer_start ("client-peer.mjs", "{\"plainWebSocket\":true}", NULL);

  make_client (fixture, test_peer_get_port (peer), NULL);
  g_object_set (fixture->client, "reconnection", FALSE, NULL);
  sio_client_connect (fixture->client);
  g_assert_true (wait_for_count (fixture->connect_errors, 1, 10000));
  g_assert_nonnull (strstr (fixture->connect_errors->pdata[0], "not a Socket.IO"));
  g_assert_cmpint (sio_client_get_state (fixture->client), ==, SIO_CLIENT_STATE_CLOSED);
  g_assert_cmpuint (fixture->connects->len, ==, 0);
}

static void
test_forbidden (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(TestPeer) peer = test_peer_start ("client-peer.mjs", "{\"forbid\":true}", NULL);

  make_client (fixture, test_peer_get_port (peer), NULL);
  g_object_set (fixture->client, "reconnection", FALSE, NULL);
  sio_client_connect (fixture->client);
  g_assert_true (wait_for_count (fixture->connect_errors, 1, 10000));
  /* the user sees the server's own reason, not just "handshake failed" */
  g_assert_nonnull (strstr (fixture->connect_errors->pdata[0], "refused the connection: Origin not allowed by the test (HTTP 400)"));
  g_assert_cmpint (sio_client_get_state (fixture->client), ==, SIO_CLIENT_STATE_CLOSED);
}

static void
on_reconnect_in (SioClient  *client,
                 GParamSpec *pspec,
                 Fixture    *fixture)
{
  guint delay;

  g_object_get (client, "reconnect-in", &delay, NULL);
  if (delay > 0)
    g_array_append_val (fixture->delays, delay);
}

static void
test_refused_connection (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  guint16 port;

  /* a port that was free a moment ago: nothing listens there now */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  g_socket_listener_close (listener);

  make_client (fixture, port, NULL);
  g_object_set (fixture->client, "reconnection-attempts", 2, "reconnection-delay", 50, NULL);
  g_signal_connect (fixture->client, "notify::reconnect-in", G_CALLBACK (on_reconnect_in), fixture);
  sio_client_connect (fixture->client);
  g_assert_true (wait_for_uint (&fixture->reconnect_failed, 1, 10000));
  g_assert_cmpuint (fixture->reconnect_attempts, ==, 2);
  g_assert_cmpuint (fixture->connect_errors->len, ==, 3);
  g_assert_nonnull (strstr (fixture->connect_errors->pdata[0], "Cannot reach"));
  /* the back-off doubles: 50 ms, then 100 ms; no jitter in make_client */
  g_assert_cmpuint (fixture->delays->len, ==, 2);
  g_assert_cmpuint (g_array_index (fixture->delays, guint, 0), ==, 50);
  g_assert_cmpuint (g_array_index (fixture->delays, guint, 1), ==, 100);
  g_assert_cmpuint (sio_client_get_state (fixture->client) == SIO_CLIENT_STATE_CLOSED, ==, TRUE);
  g_assert_cmpint (sio_client_get_state (fixture->client), ==, SIO_CLIENT_STATE_CLOSED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/sio-client/backoff", test_backoff);
  ADD ("/sio-client/offline-buffer", test_offline_buffer);
  ADD ("/sio-client/refused-connection", test_refused_connection);
  ADD ("/sio-client/handshake", test_handshake);
  ADD ("/sio-client/events", test_events);
  ADD ("/sio-client/event-names", test_event_names);
  ADD ("/sio-client/acks", test_acks);
  ADD ("/sio-client/ack-timeout", test_ack_timeout);
  ADD ("/sio-client/ack-cancel-and-disconnect", test_ack_cancel_and_disconnect);
  ADD ("/sio-client/binary", test_binary);
  ADD ("/sio-client/namespaces", test_namespaces);
  ADD ("/sio-client/server-disconnect", test_server_disconnect);
  ADD ("/sio-client/not-socket-io", test_not_socket_io);
  ADD ("/sio-client/plain-websocket", test_plain_websocket);
  ADD ("/sio-client/forbidden", test_forbidden);
  ADD ("/sio-client/oversized", test_oversized);
  ADD ("/sio-client/heartbeat", test_heartbeat);
  ADD ("/sio-client/frozen-server", test_frozen_server);
  ADD ("/sio-client/server-restart", test_server_restart);
  ADD ("/sio-client/recovery", test_recovery);

  return g_test_run ();
}
