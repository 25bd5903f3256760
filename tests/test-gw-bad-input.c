/* test-gw-bad-input.c: what a broken or hostile client can send the gateway —
 * malformed Engine.IO/Socket.IO frames, wrong JSON types in every contract
 * field, overlong messages, invalid UTF-8, frames over maxPayload, floods —
 * is answered with the contract's error or by closing that one connection,
 * while another user, connected with the official socket.io-client
 * (tests/peers/gateway-peer.mjs), keeps chatting throughout.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "gw-test-fixture.h"

#define SECRET "bad-input-secret-0123456789abcdef0123"

typedef struct
{
  SoupServer  *http;
  GwJwt       *jwt;
  GwGateway   *gateway;
  guint        port;
  GwTestClients *clients;
  SoupSession *session;
  guint        alive_checks;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) secret = g_bytes_new_static (SECRET, strlen (SECRET));
  g_autoptr(GError) error = NULL;

  f->jwt = gw_jwt_new (secret, &error);
  g_assert_no_error (error);
  f->gateway = gw_gateway_new (f->jwt);
  f->http = gw_test_listen (f->gateway, &f->port);

  f->session = soup_session_new ();
  /* A proxy from the environment must not stand between us and 127.0.0.1. */
  soup_session_set_proxy_resolver (f->session, NULL);
  f->clients = gw_test_clients_new (f->port);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->clients, gw_test_clients_free);
  gw_gateway_close (f->gateway);
  g_assert_finalize_object (f->gateway);
  soup_server_disconnect (f->http);
  g_clear_object (&f->http);
  g_clear_object (&f->jwt);
  g_clear_object (&f->session);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Bob (client "b", in room_1) sends a message of his own and sees it come
 * back from the room: the gateway still serves him. Waits out his own rate
 * limit, which the abuse never touches. */
static void
assert_bystander_chats (Fixture *f)
{
  g_autofree char *text = g_strdup_printf ("still here %u", ++f->alive_checks);
  g_autofree char *payload = g_strdup_printf ("{\"roomId\":\"room_1\",\"message\":\"%s\"}", text);

  for (;;)
    {
      g_autoptr(JsonObject) ack = NULL;

      gw_test_emit (f->clients, "b", "sendMessage", payload, TRUE);
      ack = gw_test_expect_full (f->clients, "ack", "b", "sendMessage", NULL);
      if (gw_test_bool_at (ack, "success"))
        break;
      g_assert_cmpstr (gw_test_str_at (ack, "error.code"), ==, "RATE_LIMITED");
      test_spin ((guint) json_node_get_int (gw_test_at (ack, "error.retryAfterMs")) + 20);
    }

  for (;;)
    {
      g_autoptr(JsonObject) message = gw_test_expect_full (f->clients, "message", "b", "newMessage", NULL);

      if (g_strcmp0 (gw_test_str_at (message, "message"), text) == 0)
        {
          g_assert_cmpstr (gw_test_str_at (message, "userId"), ==, "bob");
          break;
        }
    }
}

static void
setup_room (Fixture *f)
{
  gw_test_connect_as (f->clients, f->jwt, "b", "bob", "Bob", GW_ROLE_VIEWER);
  gw_test_join (f->clients, "b", "room_1");
  /* An admin passes every role check, so each field's type is what is judged. */
  gw_test_connect_as (f->clients, f->jwt, "a", "ann", "Ann", GW_ROLE_ADMIN);
  gw_test_join (f->clients, "a", "room_1");
  assert_bystander_chats (f);
}

typedef struct
{
  const char *event;
  const char *payload;
  const char *error_event;
  const char *code;
} Refusal;

/* A gift field of the wrong type is a bad gift or a bad payload: either
 * tells the sender what is wrong. */
#define GIFT_TYPE_ERROR "INVALID_GIFT|INVALID_PAYLOAD"

/* Every field of section 3 with a value of the wrong JSON type, and payloads
 * that are not objects at all. */
static const Refusal wrong_types[] = {
  { "joinRoom", "{\"roomId\":42}", "joinRoomError", "INVALID_PAYLOAD" },
  { "joinRoom", "{\"roomId\":[\"room_1\"]}", "joinRoomError", "INVALID_PAYLOAD" },
  { "joinRoom", "{\"roomId\":null}", "joinRoomError", "INVALID_PAYLOAD" },
  { "joinRoom", "{}", "joinRoomError", "INVALID_PAYLOAD" },
  { "joinRoom", "\"room_1\"", "joinRoomError", "INVALID_PAYLOAD" },
  { "joinRoom", "[{\"roomId\":\"room_1\"}]", "joinRoomError", "INVALID_PAYLOAD" },
  { "joinRoom", "null", "joinRoomError", "INVALID_PAYLOAD" },
  { "joinRoom", "{\"roomId\":\"room_1\",\"userId\":7}", "joinRoomError", "INVALID_PAYLOAD" },
  { "leaveRoom", "{\"roomId\":true}", "leaveRoomError", "INVALID_PAYLOAD" },
  { "getRoomInfo", "{\"roomId\":{\"id\":\"room_1\"}}", "getRoomInfoError", "INVALID_PAYLOAD" },
  { "viewerPing", "{\"roomId\":1.5}", "viewerPingError", "INVALID_PAYLOAD" },
  { "sendMessage", "{\"roomId\":\"room_1\",\"message\":42}", "sendMessageError", "INVALID_PAYLOAD" },
  { "sendMessage", "{\"roomId\":\"room_1\",\"message\":[\"hi\"]}", "sendMessageError", "INVALID_PAYLOAD" },
  { "sendMessage", "{\"roomId\":\"room_1\",\"message\":{\"text\":\"hi\"}}", "sendMessageError", "INVALID_PAYLOAD" },
  { "sendMessage", "{\"roomId\":\"room_1\",\"message\":null}", "sendMessageError", "INVALID_PAYLOAD" },
  { "sendMessage", "{\"roomId\":\"room_1\",\"message\":true}", "sendMessageError", "INVALID_PAYLOAD" },
  { "sendMessage", "{\"roomId\":5,\"message\":\"hi\"}", "sendMessageError", "INVALID_PAYLOAD" },
  { "sendMessage", "{\"roomId\":\"room_1\",\"userId\":[],\"message\":\"hi\"}", "sendMessageError", "INVALID_PAYLOAD" },
  { "sendMessage", "\"hi\"", "sendMessageError", "INVALID_PAYLOAD" },
  { "sendMessage", "42", "sendMessageError", "INVALID_PAYLOAD" },
  { "sendImageMessage", "{\"roomId\":\"room_1\",\"imageUrl\":42}", "sendMessageError", "INVALID_IMAGE_URL" },
  { "sendImageMessage", "{\"roomId\":\"room_1\",\"imageUrl\":[\"https://i.imgur.com/a.png\"]}", "sendMessageError",
    "INVALID_IMAGE_URL" },
  { "sendImageMessage", "{\"roomId\":\"room_1\",\"imageUrl\":\"https://i.imgur.com/a.png\",\"message\":7}",
    "sendMessageError", "INVALID_PAYLOAD" },
  { "chatWithAdmin", "{\"message\":99}", "chatWithAdminError", "INVALID_PAYLOAD" },
  { "chatWithAdmin", "{\"message\":\"help\",\"supportType\":3}", "chatWithAdminError", "INVALID_PAYLOAD" },
  { "sendGift", "{\"roomId\":\"room_1\",\"receiverId\":9,\"giftId\":\"g1\",\"giftName\":\"Rose\",\"giftType\":\"flower\","
    "\"giftValue\":1}", "sendGiftError", GIFT_TYPE_ERROR },
  { "sendGift", "{\"roomId\":\"room_1\",\"receiverId\":\"bob\",\"giftId\":{},\"giftName\":\"Rose\",\"giftType\":\"flower\","
    "\"giftValue\":1}", "sendGiftError", GIFT_TYPE_ERROR },
  { "sendGift", "{\"roomId\":\"room_1\",\"receiverId\":\"bob\",\"giftId\":\"g1\",\"giftName\":[],\"giftType\":\"flower\","
    "\"giftValue\":1}", "sendGiftError", GIFT_TYPE_ERROR },
  { "sendGift", "{\"roomId\":\"room_1\",\"receiverId\":\"bob\",\"giftId\":\"g1\",\"giftName\":\"Rose\",\"giftType\":1,"
    "\"giftValue\":1}", "sendGiftError", GIFT_TYPE_ERROR },
  { "sendGift", "{\"roomId\":\"room_1\",\"receiverId\":\"bob\",\"giftId\":\"g1\",\"giftName\":\"Rose\",\"giftType\":\"flower\","
    "\"giftValue\":\"1\"}", "sendGiftError", GIFT_TYPE_ERROR },
  { "sendGift", "{\"roomId\":\"room_1\",\"receiverId\":\"bob\",\"giftId\":\"g1\",\"giftName\":\"Rose\",\"giftType\":\"flower\","
    "\"giftValue\":1,\"quantity\":\"2\"}", "sendGiftError", GIFT_TYPE_ERROR },
  { "sendGift", "{\"roomId\":\"room_1\",\"receiverId\":\"bob\",\"giftId\":\"g1\",\"giftName\":\"Rose\",\"giftType\":\"flower\","
    "\"giftValue\":1,\"quantity\":1.5}", "sendGiftError", GIFT_TYPE_ERROR },
  { "sendGift", "{\"roomId\":\"room_1\",\"receiverId\":\"bob\",\"giftId\":\"g1\",\"giftName\":\"Rose\",\"giftType\":\"flower\","
    "\"giftValue\":1,\"message\":[1]}", "sendGiftError", GIFT_TYPE_ERROR },
  { "sendGift", "{\"roomId\":[],\"receiverId\":\"bob\",\"giftId\":\"g1\",\"giftName\":\"Rose\",\"giftType\":\"flower\","
    "\"giftValue\":1}", "sendGiftError", GIFT_TYPE_ERROR },
  { "adminReply", "{\"ticketId\":1,\"userId\":\"bob\",\"message\":\"hi\"}", "adminReplyError", "INVALID_PAYLOAD" },
  { "adminReply", "{\"ticketId\":\"t1\",\"userId\":false,\"message\":\"hi\"}", "adminReplyError", "INVALID_PAYLOAD" },
  { "adminReply", "{\"ticketId\":\"t1\",\"userId\":\"bob\",\"message\":{}}", "adminReplyError", "INVALID_PAYLOAD" },
  { "deleteMessage", "{\"roomId\":\"room_1\",\"messageId\":12}", "deleteMessageError", "INVALID_PAYLOAD" },
  { "deleteMessage", "{\"roomId\":[],\"messageId\":\"m1\"}", "deleteMessageError", "INVALID_PAYLOAD" },
  { "timeoutUser", "{\"roomId\":\"room_1\",\"userId\":\"bob\",\"seconds\":\"60\"}", "timeoutUserError", "INVALID_PAYLOAD" },
  { "timeoutUser", "{\"roomId\":\"room_1\",\"userId\":\"bob\",\"seconds\":1e300}", "timeoutUserError", "INVALID_PAYLOAD" },
  { "timeoutUser", "{\"roomId\":\"room_1\",\"userId\":[\"bob\"],\"seconds\":60}", "timeoutUserError", "INVALID_PAYLOAD" },
  { "timeoutUser", "{\"roomId\":\"room_1\",\"userId\":\"bob\",\"seconds\":60,\"reason\":5}", "timeoutUserError",
    "INVALID_PAYLOAD" },
  { "banUser", "{\"roomId\":\"room_1\",\"userId\":{}}", "banUserError", "INVALID_PAYLOAD" },
  { "banUser", "{\"roomId\":\"room_1\",\"userId\":\"bob\",\"reason\":[]}", "banUserError", "INVALID_PAYLOAD" },
  { "unbanUser", "{\"roomId\":\"room_1\",\"userId\":null}", "unbanUserError", "INVALID_PAYLOAD" },
  { "authenticate", "{\"token\":12345}", "authFailed", "INVALID_PAYLOAD" },
  { "authenticate", "{\"token\":[\"a.b.c\"]}", "authFailed", "INVALID_PAYLOAD" },
};

static void
test_wrong_types (Fixture       *f,
                  gconstpointer  data)
{
  setup_room (f);

  for (guint i = 0; i < G_N_ELEMENTS (wrong_types); i++)
    {
      const Refusal *r = &wrong_types[i];

      gw_test_expect_refusal (f->clients, "a", r->event, r->payload, r->error_event, r->code);
      /* Every few refusals, the bystander must still be served. */
      if (i % 8 == 7)
        assert_bystander_chats (f);
    }
  assert_bystander_chats (f);

  /* The refused client itself is still welcome: nothing was sent, nobody was hurt. */
  gw_test_emit (f->clients, "a", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"sorry\"}", TRUE);
  {
    g_autoptr(JsonObject) ack = gw_test_expect_full (f->clients, "ack", "a", "sendMessage", NULL);

    g_assert_true (gw_test_bool_at (ack, "success"));
  }
}

static void
test_long_message_and_flood (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GString) payload = g_string_new ("{\"roomId\":\"room_1\",\"message\":\"");
  guint sent = 0;
  guint limited = 0;

  setup_room (f);

  for (guint i = 0; i < 10000; i++)
    g_string_append_c (payload, 'x');
  g_string_append (payload, "\"}");
  gw_test_expect_refusal (f->clients, "a", "sendMessage", payload->str, "sendMessageError", "MESSAGE_TOO_LONG");
  assert_bystander_chats (f);

  /* A flood of 50 messages at once: one gets through, the rest are refused
   * with RATE_LIMITED; Bob does not notice. */
  for (guint i = 0; i < 50; i++)
    gw_test_emit (f->clients, "a", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"flood\"}", TRUE);
  for (guint i = 0; i < 50; i++)
    {
      g_autoptr(JsonObject) ack = gw_test_expect_full (f->clients, "ack", "a", "sendMessage", NULL);

      if (gw_test_bool_at (ack, "success"))
        sent++;
      else
        {
          g_assert_cmpstr (gw_test_str_at (ack, "error.code"), ==, "RATE_LIMITED");
          limited++;
        }
    }
  g_assert_cmpuint (sent, <=, 1);
  g_assert_cmpuint (limited, >=, 49);
  assert_bystander_chats (f);
}

/* A frame over maxPayload (1 MB) from the official client: that client is
 * disconnected, Bob is not. */
static void
test_huge_frame (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GString) payload = g_string_new ("{\"roomId\":\"room_1\",\"message\":\"");
  g_autoptr(JsonObject) gone = NULL;

  setup_room (f);

  for (guint i = 0; i < 1100 * 1024; i++)
    g_string_append_c (payload, 'y');
  g_string_append (payload, "\"}");
  gw_test_emit (f->clients, "a", "sendMessage", payload->str, FALSE);
  gone = gw_test_expect_full (f->clients, "disconnect", "a", NULL, NULL);
  assert_bystander_chats (f);
}

typedef struct
{
  SoupWebsocketConnection *connection;
  GQueue                   received;  /* char *, text frames */
  gboolean                 closed;
} Raw;

static void
on_raw_message (SoupWebsocketConnection *connection,
                SoupWebsocketDataType    type,
                GBytes                  *message,
                gpointer                 user_data)
{
  Raw *raw = user_data;

  if (type == SOUP_WEBSOCKET_DATA_TEXT)
    g_queue_push_tail (&raw->received, g_strndup (g_bytes_get_data (message, NULL), g_bytes_get_size (message)));
}

static void
on_raw_closed (SoupWebsocketConnection *connection,
               gpointer                 user_data)
{
  Raw *raw = user_data;

  raw->closed = TRUE;
}

static void
on_raw_connected (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SoupWebsocketConnection **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

/* The next text frame, or NULL once the connection is closed. */
static char *
raw_next (Raw *raw)
{
  gint64 deadline = g_get_monotonic_time () + GW_TEST_WAIT_MS * 1000;

  while (g_queue_is_empty (&raw->received) && !raw->closed)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return g_queue_pop_head (&raw->received);
}

/* A raw WebSocket at the gateway's Engine.IO endpoint, past the open
 * packet; with CONNECT_SIO, also past the Socket.IO CONNECT of the main
 * namespace (without a token: the gateway accepts and asks later). */
static Raw *
raw_open (Fixture  *f,
          gboolean  connect_sio)
{
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/socket/?EIO=4&transport=websocket", f->port);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  Raw *raw = g_new0 (Raw, 1);
  g_autofree char *open = NULL;

  soup_session_websocket_connect_async (f->session, message, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_raw_connected, &raw->connection);
  while (raw->connection == NULL)
    g_main_context_iteration (NULL, TRUE);
  /* Large enough for what the test sends and the server may send back. */
  soup_websocket_connection_set_max_incoming_payload_size (raw->connection, 4 * 1024 * 1024);
  g_signal_connect (raw->connection, "message", G_CALLBACK (on_raw_message), raw);
  g_signal_connect (raw->connection, "closed", G_CALLBACK (on_raw_closed), raw);

  open = raw_next (raw);
  g_assert_nonnull (open);
  g_assert_true (g_str_has_prefix (open, "0{"));

  if (connect_sio)
    {
      g_autofree char *connected = NULL;

      soup_websocket_connection_send_text (raw->connection, "40");
      connected = raw_next (raw);
      g_assert_nonnull (connected);
      g_assert_true (g_str_has_prefix (connected, "40{"));
    }

  return raw;
}

static void
raw_free (Raw *raw)
{
  if (soup_websocket_connection_get_state (raw->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (raw->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  while (!raw->closed)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handlers_disconnect_by_data (raw->connection, raw);
  g_clear_object (&raw->connection);
  g_queue_clear_full (&raw->received, g_free);
  g_free (raw);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Raw, raw_free)

/* Waits until the server closed RAW, ignoring what it sent before (pings,
 * the `connected` event). */
static void
assert_raw_closed (Raw        *raw,
                   const char *what)
{
  g_test_message ("%s closes the connection", what);
  for (;;)
    {
      g_autofree char *frame = raw_next (raw);

      if (frame == NULL)
        break;
    }
  g_assert_true (raw->closed);
}

typedef struct
{
  gboolean    connect_sio;
  gboolean    must_close;
  const char *frame;
} BadFrame;

/* MUST_CLOSE: the official parsers reject the frame outright; the others
 * they accept or ignore, so the gateway may either close or carry on. */
static const BadFrame bad_frames[] = {
  /* Engine.IO */
  { FALSE, TRUE, "" },
  { FALSE, TRUE, "9" },
  { FALSE, TRUE, "x4hello" },
  { FALSE, FALSE, "2" },
  { FALSE, FALSE, "5" },
  /* Socket.IO, on the main namespace */
  { TRUE, TRUE, "4Z" },
  { TRUE, TRUE, "42" },
  { TRUE, TRUE, "42[" },
  { TRUE, TRUE, "42{\"event\":\"sendMessage\"}" },
  { TRUE, TRUE, "42[]" },
  { TRUE, TRUE, "42[\"disconnect\"]" },
  { TRUE, TRUE, "42[\"sendMessage\",{}]trailing" },
  { TRUE, TRUE, "42[null,{}]" },
  { TRUE, FALSE, "4" },
  { TRUE, FALSE, "42[42,{}]" },
  { TRUE, FALSE, "4212345678901234567890[\"joinRoom\",{}]" },
  { TRUE, FALSE, "43[\"no ack id\"]" },
  { TRUE, FALSE, "44{\"message\":\"only the server sends CONNECT_ERROR\"}" },
  { TRUE, FALSE, "45-[\"sendMessage\",{\"_placeholder\":true,\"num\":0}]" },
  { TRUE, FALSE, "499-[\"sendMessage\",{\"_placeholder\":true,\"num\":0}]" },
  { TRUE, FALSE, "40{\"token\":" },
};

/* After a frame the gateway may tolerate: RAW is either closed, or still
 * served properly (a protected event without a token is answered with
 * authRequired). */
static void
assert_raw_closed_or_served (Raw        *raw,
                             const char *what)
{
  g_test_message ("%s closes the connection or is ignored", what);
  if (!raw->closed)
    soup_websocket_connection_send_text (raw->connection, "42[\"joinRoom\",{\"roomId\":\"room_1\"}]");
  for (;;)
    {
      g_autofree char *frame = raw_next (raw);

      if (frame == NULL || strstr (frame, "authRequired") != NULL)
        break;
    }
}

static void
test_malformed_frames (Fixture       *f,
                       gconstpointer  data)
{
  setup_room (f);

  for (guint i = 0; i < G_N_ELEMENTS (bad_frames); i++)
    {
      g_autoptr(Raw) raw = raw_open (f, bad_frames[i].connect_sio);
      g_autofree char *what = g_strdup_printf ("'%s'", bad_frames[i].frame);

      soup_websocket_connection_send_text (raw->connection, bad_frames[i].frame);
      if (bad_frames[i].must_close)
        assert_raw_closed (raw, what);
      else
        assert_raw_closed_or_served (raw, what);
      if (i % 6 == 5)
        assert_bystander_chats (f);
    }
  assert_bystander_chats (f);

  /* Binary attachments that never come, or come unannounced. */
  {
    g_autoptr(Raw) raw = raw_open (f, TRUE);
    g_autoptr(GBytes) junk = g_bytes_new_static ("\x00\x01\x02", 3);

    soup_websocket_connection_send_binary (raw->connection, g_bytes_get_data (junk, NULL), g_bytes_get_size (junk));
    assert_raw_closed (raw, "an unannounced binary frame");
  }
  assert_bystander_chats (f);
}

static void
test_invalid_utf8_and_huge_raw (Fixture       *f,
                                gconstpointer  data)
{
  setup_room (f);

  /* A text frame that is not UTF-8: libsoup will not send one, `ws` will. */
  {
    g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/socket/?EIO=4&transport=websocket", f->port);
    g_autoptr(TestPeer) raw = test_peer_start ("raw-peer.mjs", url, NULL);
    g_autoptr(JsonObject) sent = test_peer_expect (raw, "sent", GW_TEST_WAIT_MS);
    g_autoptr(JsonObject) closed = NULL;

    g_assert_nonnull (sent);
    closed = test_peer_expect (raw, "close", GW_TEST_WAIT_MS);
    g_assert_nonnull (closed);
    /* 1007: invalid frame payload data */
    g_assert_cmpint (json_object_get_int_member (closed, "code"), ==, 1007);
  }
  assert_bystander_chats (f);

  /* A frame of more than 1 MB. */
  {
    g_autoptr(Raw) raw = raw_open (f, TRUE);
    g_autoptr(GString) big = g_string_new ("42[\"sendMessage\",{\"roomId\":\"room_1\",\"message\":\"");

    for (guint i = 0; i < 1100 * 1024; i++)
      g_string_append_c (big, 'z');
    g_string_append (big, "\"}]");
    soup_websocket_connection_send_text (raw->connection, big->str);
    assert_raw_closed (raw, "a 1.1 MB frame");
  }
  assert_bystander_chats (f);

  /* A raw flood of events without a token: each is refused, the link holds
   * or is dropped, and either way Bob chats on. */
  {
    g_autoptr(Raw) raw = raw_open (f, TRUE);

    for (guint i = 0; i < 2000; i++)
      soup_websocket_connection_send_text (raw->connection, "42[\"sendMessage\",{\"roomId\":\"room_1\",\"message\":\"x\"}]");
    assert_bystander_chats (f);
  }
  assert_bystander_chats (f);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/gw/bad-input/wrong-types", Fixture, NULL, fixture_setup, test_wrong_types, fixture_teardown);
  g_test_add ("/gw/bad-input/long-message-and-flood", Fixture, NULL, fixture_setup, test_long_message_and_flood,
              fixture_teardown);
  g_test_add ("/gw/bad-input/huge-frame", Fixture, NULL, fixture_setup, test_huge_frame, fixture_teardown);
  g_test_add ("/gw/bad-input/malformed-frames", Fixture, NULL, fixture_setup, test_malformed_frames, fixture_teardown);
  g_test_add ("/gw/bad-input/invalid-utf8-and-huge-raw", Fixture, NULL, fixture_setup, test_invalid_utf8_and_huge_raw,
              fixture_teardown);

  return g_test_run ();
}
