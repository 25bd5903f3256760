/* test-sio-codec.c: wire vectors from the Engine.IO v4 and Socket.IO v5 specs,
 * round trips, attachment reassembly and a table of malformed input.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sio-codec.h"

#include <math.h>
#include <string.h>

static char *
node_to_json (JsonNode *node)
{
  return node != NULL ? json_to_string (node, FALSE) : NULL;
}

static JsonNode *
json_literal (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  return node;
}

/* Engine.IO: one packet per WebSocket frame. */

typedef struct {
  const char *wire;
  SioEioType  type;
  const char *payload;
} EioFrameVector;

static const EioFrameVector eio_frames[] = {
  { "0{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,"
    "\"pingTimeout\":5000,\"maxPayload\":1000000}", SIO_EIO_OPEN,
    "{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,"
    "\"pingTimeout\":5000,\"maxPayload\":1000000}" },
  { "1", SIO_EIO_CLOSE, "" },
  { "2", SIO_EIO_PING, "" },
  { "3", SIO_EIO_PONG, "" },
  { "2probe", SIO_EIO_PING, "probe" },
  { "3probe", SIO_EIO_PONG, "probe" },
  { "4hello", SIO_EIO_MESSAGE, "hello" },
  { "42[\"hey\",\"Jude\"]", SIO_EIO_MESSAGE, "2[\"hey\",\"Jude\"]" },
  { "4Xin chào, mình là Đức 🎁", SIO_EIO_MESSAGE, "Xin chào, mình là Đức 🎁" },
  { "5", SIO_EIO_UPGRADE, "" },
  { "6", SIO_EIO_NOOP, "" },
};

static void
test_eio_text_frames (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (eio_frames); i++)
    {
      const EioFrameVector *v = &eio_frames[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(SioEioPacket) decoded = NULL;
      g_autoptr(SioEioPacket) built = NULL;
      g_autoptr(GBytes) frame = NULL;
      const char *text;
      gsize len = 0;
      gboolean binary = TRUE;

      g_test_message ("frame %s", v->wire);
      decoded = sio_eio_decode_text_frame (v->wire, strlen (v->wire), &error);
      g_assert_no_error (error);
      g_assert_nonnull (decoded);
      g_assert_cmpint (decoded->type, ==, v->type);
      g_assert_false (decoded->binary);
      text = sio_eio_packet_get_text (decoded, &len);
      g_assert_cmpstr (text, ==, v->payload);
      g_assert_cmpuint (len, ==, strlen (v->payload));

      /* The same packet built by hand encodes to the same frame. */
      built = sio_eio_packet_new (v->type, v->payload[0] ? v->payload : NULL);
      frame = sio_eio_encode_frame (built, &binary);
      g_assert_false (binary);
      g_assert_cmpmem (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame),
                       v->wire, strlen (v->wire));
    }
}

static void
test_eio_binary_frame (void)
{
  static const guint8 raw[] = { 0x01, 0x02, 0x03, 0x04, 0x00, 0xff };
  g_autoptr(GBytes) bytes = g_bytes_new_static (raw, sizeof raw);
  g_autoptr(SioEioPacket) packet = sio_eio_decode_binary_frame (bytes);
  g_autoptr(GBytes) frame = NULL;
  gboolean binary = FALSE;

  g_assert_cmpint (packet->type, ==, SIO_EIO_MESSAGE);
  g_assert_true (packet->binary);
  g_assert_true (g_bytes_equal (packet->data, bytes));

  /* "Binary payloads are sent as is": no "4" prefix, a binary frame. */
  frame = sio_eio_encode_frame (packet, &binary);
  g_assert_true (binary);
  g_assert_true (g_bytes_equal (frame, bytes));
}

static void
test_eio_payload (void)
{
  static const char spec_text[] = "4hello\x1e" "2\x1e" "4world";
  static const char spec_binary[] = "4hello\x1e" "bAQIDBA==";
  static const guint8 raw[] = { 1, 2, 3, 4 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) packets = NULL;
  g_autoptr(GBytes) encoded = NULL;
  g_autoptr(GBytes) raw_bytes = g_bytes_new_static (raw, sizeof raw);
  SioEioPacket *packet;

  packets = sio_eio_decode_payload (spec_text, strlen (spec_text), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (packets->len, ==, 3);
  packet = g_ptr_array_index (packets, 0);
  g_assert_cmpint (packet->type, ==, SIO_EIO_MESSAGE);
  g_assert_cmpstr (sio_eio_packet_get_text (packet, NULL), ==, "hello");
  packet = g_ptr_array_index (packets, 1);
  g_assert_cmpint (packet->type, ==, SIO_EIO_PING);
  g_assert_cmpstr (sio_eio_packet_get_text (packet, NULL), ==, "");
  packet = g_ptr_array_index (packets, 2);
  g_assert_cmpstr (sio_eio_packet_get_text (packet, NULL), ==, "world");
  encoded = sio_eio_encode_payload (packets);
  g_assert_cmpmem (g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded),
                   spec_text, strlen (spec_text));
  g_clear_pointer (&packets, g_ptr_array_unref);
  g_clear_pointer (&encoded, g_bytes_unref);

  packets = sio_eio_decode_payload (spec_binary, strlen (spec_binary), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (packets->len, ==, 2);
  packet = g_ptr_array_index (packets, 1);
  g_assert_cmpint (packet->type, ==, SIO_EIO_MESSAGE);
  g_assert_true (packet->binary);
  g_assert_true (g_bytes_equal (packet->data, raw_bytes));
  encoded = sio_eio_encode_payload (packets);
  g_assert_cmpmem (g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded),
                   spec_binary, strlen (spec_binary));
}

/* A payload built packet by packet: text (Vietnamese), binary of every length
 * modulo 3 (so all base64 paddings occur), an empty binary, and a ping. */
static void
test_eio_payload_mixed (void)
{
  static const char expected[] =
    "42[\"newMessage\",\"Chào mừng đến phòng live!\"]\x1e"
    "bAA==\x1e" "bAAE=\x1e" "bAAEC\x1e" "b\x1e" "2";
  static const guint8 raw[] = { 0, 1, 2 };
  g_autoptr(GPtrArray) packets = g_ptr_array_new_with_free_func ((GDestroyNotify) sio_eio_packet_free);
  g_autoptr(GPtrArray) decoded = NULL;
  g_autoptr(GBytes) encoded = NULL;
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (packets, sio_eio_packet_new (SIO_EIO_MESSAGE,
                                                "2[\"newMessage\",\"Chào mừng đến phòng live!\"]"));
  for (gsize n = 1; n <= 3; n++)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (raw, n);
      g_ptr_array_add (packets, sio_eio_packet_new_binary (bytes));
    }
  {
    g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
    g_ptr_array_add (packets, sio_eio_packet_new_binary (empty));
  }
  g_ptr_array_add (packets, sio_eio_packet_new (SIO_EIO_PING, NULL));

  encoded = sio_eio_encode_payload (packets);
  g_assert_cmpmem (g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded),
                   expected, strlen (expected));

  decoded = sio_eio_decode_payload (g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (decoded->len, ==, packets->len);
  for (guint i = 0; i < packets->len; i++)
    {
      SioEioPacket *a = g_ptr_array_index (packets, i);
      SioEioPacket *b = g_ptr_array_index (decoded, i);

      g_assert_cmpint (a->type, ==, b->type);
      g_assert_cmpint (a->binary, ==, b->binary);
      g_assert_true (g_bytes_equal (a->data, b->data));
    }
}

typedef struct {
  const char   *input;
  gsize         len;     /* 0: strlen */
  int           code;  /* SioCodecError */
  const char   *message; /* a substring the message must hold, or NULL */
} MalformedVector;

static const MalformedVector eio_malformed_frames[] = {
  { "", 0, SIO_CODEC_ERROR_EMPTY, "empty" },
  { "7", 0, SIO_CODEC_ERROR_UNKNOWN_TYPE, "unknown packet type '7'" },
  { "x4hello", 0, SIO_CODEC_ERROR_UNKNOWN_TYPE, "unknown packet type 'x'" },
  { "\x1e", 0, SIO_CODEC_ERROR_UNKNOWN_TYPE, "0x1e" },
  { "/4", 0, SIO_CODEC_ERROR_UNKNOWN_TYPE, NULL },
  { "b!!!!", 0, SIO_CODEC_ERROR_INVALID_BASE64, "base64" },
  { "bAQID", 0, SIO_CODEC_ERROR_INVALID_BASE64, NULL },       /* fine: 4 chars */
  { "bAQIDB", 0, SIO_CODEC_ERROR_INVALID_BASE64, NULL },      /* not a multiple of 4 */
  { "bAQ=D", 0, SIO_CODEC_ERROR_INVALID_BASE64, NULL },
  { "bA===", 0, SIO_CODEC_ERROR_INVALID_BASE64, NULL },
  { "bAQ=A", 0, SIO_CODEC_ERROR_INVALID_BASE64, NULL },
  { "b=AAA", 0, SIO_CODEC_ERROR_INVALID_BASE64, NULL },
  { "bAQ I", 0, SIO_CODEC_ERROR_INVALID_BASE64, NULL },
  { "bAQIDBA==\n", 0, SIO_CODEC_ERROR_INVALID_BASE64, NULL },
  { "bAQ-_", 0, SIO_CODEC_ERROR_INVALID_BASE64, NULL },       /* base64url is not base64 */
};

static void
test_eio_malformed_frames (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (eio_malformed_frames); i++)
    {
      const MalformedVector *v = &eio_malformed_frames[i];
      gsize len = v->len ? v->len : strlen (v->input);
      g_autoptr(GError) error = NULL;
      g_autoptr(SioEioPacket) packet = NULL;

      /* "bAQID" is the one valid entry: it keeps the validator honest. */
      if (strcmp (v->input, "bAQID") == 0)
        {
          packet = sio_eio_decode_text_frame (v->input, len, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (g_bytes_get_size (packet->data), ==, 3);
          continue;
        }

      g_test_message ("malformed frame #%" G_GSIZE_FORMAT, i);
      packet = sio_eio_decode_text_frame (v->input, len, &error);
      g_assert_null (packet);
      g_assert_error (error, SIO_CODEC_ERROR, v->code);
      g_assert_true (g_str_has_prefix (error->message, "Engine.IO packet: "));
      if (v->message != NULL)
        g_assert_nonnull (strstr (error->message, v->message));
    }
}

static const MalformedVector eio_malformed_payloads[] = {
  { "", 0, SIO_CODEC_ERROR_EMPTY, NULL },
  { "4hello\x1e", 0, SIO_CODEC_ERROR_EMPTY, "packet 2" },
  { "\x1e" "4hello", 0, SIO_CODEC_ERROR_EMPTY, "packet 1" },
  { "4a\x1e\x1e" "4b", 0, SIO_CODEC_ERROR_EMPTY, "packet 2" },
  { "4hello\x1e" "9", 0, SIO_CODEC_ERROR_UNKNOWN_TYPE, "unknown packet type '9'" },
  { "4hello\x1e" "bAQID*A==", 0, SIO_CODEC_ERROR_INVALID_BASE64, NULL },
  { "4a\0" "b", 4, SIO_CODEC_ERROR_UNKNOWN_TYPE, NULL },     /* no separator: one packet "4a\0b"… */
};

static void
test_eio_malformed_payloads (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (eio_malformed_payloads); i++)
    {
      const MalformedVector *v = &eio_malformed_payloads[i];
      gsize len = v->len ? v->len : strlen (v->input);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) packets = NULL;

      /* …which is valid: a NUL inside a text payload is just a byte. */
      if (v->len == 4)
        {
          gsize text_len = 0;

          packets = sio_eio_decode_payload (v->input, len, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (packets->len, ==, 1);
          sio_eio_packet_get_text (g_ptr_array_index (packets, 0), &text_len);
          g_assert_cmpuint (text_len, ==, 3);
          continue;
        }

      g_test_message ("malformed payload #%" G_GSIZE_FORMAT, i);
      packets = sio_eio_decode_payload (v->input, len, &error);
      g_assert_null (packets);
      g_assert_error (error, SIO_CODEC_ERROR, v->code);
      if (v->message != NULL)
        g_assert_nonnull (strstr (error->message, v->message));
    }
}

static void
test_eio_handshake (void)
{
  static const char spec[] =
    "{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],"
    "\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}";
  g_autoptr(GError) error = NULL;
  g_autoptr(SioEioHandshake) handshake = NULL;
  g_autoptr(SioEioHandshake) again = NULL;
  g_autofree char *json = NULL;

  handshake = sio_eio_handshake_parse (spec, strlen (spec), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (handshake->sid, ==, "lv_VI97HAXpY6yYWAAAC");
  g_assert_cmpuint (g_strv_length (handshake->upgrades), ==, 1);
  g_assert_cmpstr (handshake->upgrades[0], ==, "websocket");
  g_assert_cmpuint (handshake->ping_interval, ==, 25000);
  g_assert_cmpuint (handshake->ping_timeout, ==, 20000);
  g_assert_cmpuint (handshake->max_payload, ==, 1000000);

  json = sio_eio_handshake_to_json (handshake);
  g_assert_cmpstr (json, ==, spec);

  /* A websocket-only server offers no upgrades; extra fields are ignored. */
  g_clear_pointer (&json, g_free);
  json = g_strdup ("{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":300,"
                   "\"pingTimeout\":200,\"maxPayload\":1e6,\"extra\":{\"x\":[1]}}");
  again = sio_eio_handshake_parse (json, strlen (json), &error);
  g_assert_no_error (error);
  g_assert_nonnull (again->upgrades);
  g_assert_null (again->upgrades[0]);
  g_assert_cmpuint (again->max_payload, ==, 1000000);
}

static const MalformedVector handshake_malformed[] = {
  { "", 0, SIO_CODEC_ERROR_INVALID_HANDSHAKE, "JSON" },
  { "{\"sid\":", 0, SIO_CODEC_ERROR_INVALID_HANDSHAKE, "JSON" },
  { "var x = {}", 0, SIO_CODEC_ERROR_INVALID_HANDSHAKE, "JSON" },
  { "[]", 0, SIO_CODEC_ERROR_INVALID_HANDSHAKE, "object" },
  { "{\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":1,\"maxPayload\":1}", 0,
    SIO_CODEC_ERROR_INVALID_HANDSHAKE, "sid" },
  { "{\"sid\":7,\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":1,\"maxPayload\":1}", 0,
    SIO_CODEC_ERROR_INVALID_HANDSHAKE, "sid" },
  { "{\"sid\":\"\",\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":1,\"maxPayload\":1}", 0,
    SIO_CODEC_ERROR_INVALID_HANDSHAKE, "sid" },
  { "{\"sid\":\"a\",\"pingInterval\":1,\"pingTimeout\":1,\"maxPayload\":1}", 0,
    SIO_CODEC_ERROR_INVALID_HANDSHAKE, "upgrades" },
  { "{\"sid\":\"a\",\"upgrades\":\"websocket\",\"pingInterval\":1,\"pingTimeout\":1,\"maxPayload\":1}", 0,
    SIO_CODEC_ERROR_INVALID_HANDSHAKE, "upgrades" },
  { "{\"sid\":\"a\",\"upgrades\":[1],\"pingInterval\":1,\"pingTimeout\":1,\"maxPayload\":1}", 0,
    SIO_CODEC_ERROR_INVALID_HANDSHAKE, "upgrades" },
  { "{\"sid\":\"a\",\"upgrades\":[],\"pingTimeout\":1,\"maxPayload\":1}", 0,
    SIO_CODEC_ERROR_INVALID_HANDSHAKE, "pingInterval" },
  { "{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":\"25000\",\"pingTimeout\":1,\"maxPayload\":1}", 0,
    SIO_CODEC_ERROR_INVALID_HANDSHAKE, "pingInterval" },
  { "{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":-1,\"pingTimeout\":1,\"maxPayload\":1}", 0,
    SIO_CODEC_ERROR_INVALID_HANDSHAKE, "pingInterval" },
  { "{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":1,\"maxPayload\":1}", 0,
    SIO_CODEC_ERROR_INVALID_HANDSHAKE, "pingTimeout" },
  { "{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":1.5,\"maxPayload\":1}", 0,
    SIO_CODEC_ERROR_INVALID_HANDSHAKE, "pingTimeout" },
  { "{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":99999999999,\"maxPayload\":1}", 0,
    SIO_CODEC_ERROR_INVALID_HANDSHAKE, "pingTimeout" },
  { "{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":1,\"maxPayload\":9.3e18}", 0,
    SIO_CODEC_ERROR_INVALID_HANDSHAKE, "maxPayload" },
  { "{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":1e300,\"pingTimeout\":1,\"maxPayload\":1}", 0,
    SIO_CODEC_ERROR_INVALID_HANDSHAKE, "pingInterval" },
  { "{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":1}", 0,
    SIO_CODEC_ERROR_INVALID_HANDSHAKE, "maxPayload" },
  { "{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":1,\"maxPayload\":null}", 0,
    SIO_CODEC_ERROR_INVALID_HANDSHAKE, "maxPayload" },
};

static void
test_eio_handshake_malformed (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (handshake_malformed); i++)
    {
      const MalformedVector *v = &handshake_malformed[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(SioEioHandshake) handshake = NULL;

      g_test_message ("malformed handshake %s", v->input);
      handshake = sio_eio_handshake_parse (v->input, strlen (v->input), &error);
      g_assert_null (handshake);
      g_assert_error (error, SIO_CODEC_ERROR, v->code);
      g_assert_nonnull (strstr (error->message, v->message));
    }
}

/* Socket.IO: the spec's examples, both ways. */

typedef struct {
  const char   *wire;
  SioPacketType type;         /* as encoded; decoding hands out BINARY_* as EVENT/ACK */
  const char   *nsp;
  gint64        id;
  const char   *data;         /* compact JSON or NULL */
  guint         n_attachments;
} SioVector;

static const SioVector sio_vectors[] = {
  { "0", SIO_PACKET_CONNECT, "/", SIO_PACKET_NO_ID, NULL, 0 },
  { "0/admin,", SIO_PACKET_CONNECT, "/admin", SIO_PACKET_NO_ID, NULL, 0 },
  { "0/admin,{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}", SIO_PACKET_CONNECT, "/admin", SIO_PACKET_NO_ID,
    "{\"sid\":\"oSO0OpakMV_3jnilAAAA\"}", 0 },
  { "0{\"token\":\"123\"}", SIO_PACKET_CONNECT, "/", SIO_PACKET_NO_ID, "{\"token\":\"123\"}", 0 },
  { "4{\"message\":\"Not authorized\"}", SIO_PACKET_CONNECT_ERROR, "/", SIO_PACKET_NO_ID,
    "{\"message\":\"Not authorized\"}", 0 },
  { "4\"Invalid namespace\"", SIO_PACKET_CONNECT_ERROR, "/", SIO_PACKET_NO_ID, "\"Invalid namespace\"", 0 },
  { "2[\"foo\"]", SIO_PACKET_EVENT, "/", SIO_PACKET_NO_ID, "[\"foo\"]", 0 },
  { "2/admin,[\"bar\"]", SIO_PACKET_EVENT, "/admin", SIO_PACKET_NO_ID, "[\"bar\"]", 0 },
  { "2[\"hey\",\"Jude\"]", SIO_PACKET_EVENT, "/", SIO_PACKET_NO_ID, "[\"hey\",\"Jude\"]", 0 },
  { "212[\"foo\"]", SIO_PACKET_EVENT, "/", 12, "[\"foo\"]", 0 },
  { "2/admin,13[\"foo\"]", SIO_PACKET_EVENT, "/admin", 13, "[\"foo\"]", 0 },
  { "20[\"first\"]", SIO_PACKET_EVENT, "/", 0, "[\"first\"]", 0 },
  { "2[42,\"numeric event\"]", SIO_PACKET_EVENT, "/", SIO_PACKET_NO_ID, "[42,\"numeric event\"]", 0 },
  { "312[]", SIO_PACKET_ACK, "/", 12, "[]", 0 },
  { "30[]", SIO_PACKET_ACK, "/", 0, "[]", 0 },
  { "3/admin,13[\"bar\"]", SIO_PACKET_ACK, "/admin", 13, "[\"bar\"]", 0 },
  { "1", SIO_PACKET_DISCONNECT, "/", SIO_PACKET_NO_ID, NULL, 0 },
  { "1/admin,", SIO_PACKET_DISCONNECT, "/admin", SIO_PACKET_NO_ID, NULL, 0 },
  { "51-[\"baz\",{\"_placeholder\":true,\"num\":0}]", SIO_PACKET_BINARY_EVENT, "/", SIO_PACKET_NO_ID,
    "[\"baz\",{\"_placeholder\":true,\"num\":0}]", 1 },
  { "52-/admin,[\"baz\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]",
    SIO_PACKET_BINARY_EVENT, "/admin", SIO_PACKET_NO_ID,
    "[\"baz\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]", 2 },
  { "51-14[\"foo\",{\"_placeholder\":true,\"num\":0}]", SIO_PACKET_BINARY_EVENT, "/", 14,
    "[\"foo\",{\"_placeholder\":true,\"num\":0}]", 1 },
  { "61-15[\"bar\",{\"_placeholder\":true,\"num\":0}]", SIO_PACKET_BINARY_ACK, "/", 15,
    "[\"bar\",{\"_placeholder\":true,\"num\":0}]", 1 },
  { "2[\"newMessage\",{\"roomId\":\"room_1\",\"username\":\"Trần Thị Ánh\","
    "\"message\":\"Chào cả nhà, hôm nay mình live muộn nhé 😄\"}]",
    SIO_PACKET_EVENT, "/", SIO_PACKET_NO_ID,
    "[\"newMessage\",{\"roomId\":\"room_1\",\"username\":\"Trần Thị Ánh\","
    "\"message\":\"Chào cả nhà, hôm nay mình live muộn nhé 😄\"}]", 0 },
};

static void
test_sio_decode_vectors (void)
{
  g_autoptr(SioDecoder) decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);

  for (gsize i = 0; i < G_N_ELEMENTS (sio_vectors); i++)
    {
      const SioVector *v = &sio_vectors[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(SioPacket) packet = NULL;
      g_autofree char *json = NULL;
      SioPacketType expected_type = v->type;

      g_test_message ("decode %s", v->wire);
      g_assert_true (sio_decoder_add_text (decoder, v->wire, strlen (v->wire), &packet, &error));
      g_assert_no_error (error);

      for (guint n = 0; n < v->n_attachments; n++)
        {
          g_autoptr(GBytes) bytes = g_bytes_new (&n, 1);

          g_assert_null (packet);
          g_assert_true (sio_decoder_is_reconstructing (decoder));
          g_assert_true (sio_decoder_add_binary (decoder, bytes, &packet, &error));
          g_assert_no_error (error);
        }
      g_assert_nonnull (packet);
      g_assert_false (sio_decoder_is_reconstructing (decoder));

      if (expected_type == SIO_PACKET_BINARY_EVENT)
        expected_type = SIO_PACKET_EVENT;
      else if (expected_type == SIO_PACKET_BINARY_ACK)
        expected_type = SIO_PACKET_ACK;
      g_assert_cmpint (packet->type, ==, expected_type);
      g_assert_cmpstr (packet->nsp, ==, v->nsp);
      g_assert_cmpint (packet->id, ==, v->id);
      json = node_to_json (packet->data);
      g_assert_cmpstr (json, ==, v->data);
      g_assert_cmpuint (packet->attachments->len, ==, v->n_attachments);

      /* Each placeholder resolves to the binary frame that followed in its position. */
      if (v->n_attachments > 0)
        {
          JsonArray *array = json_node_get_array (packet->data);

          for (guint n = 0; n < v->n_attachments; n++)
            {
              GBytes *bytes = sio_packet_get_attachment (packet, json_array_get_element (array, n + 1));

              g_assert_nonnull (bytes);
              g_assert_cmpuint (g_bytes_get_size (bytes), ==, 1);
              g_assert_cmpuint (((const guint8 *) g_bytes_get_data (bytes, NULL))[0], ==, n);
            }
          g_assert_null (sio_packet_get_attachment (packet, json_array_get_element (array, 0)));
        }

      /* Decoded packets encode back to the same wire text. */
      {
        g_autofree char *wire = sio_packet_encode (packet);
        g_assert_cmpstr (wire, ==, v->wire);
      }
    }
}

static void
test_sio_encode_vectors (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (sio_vectors); i++)
    {
      const SioVector *v = &sio_vectors[i];
      g_autoptr(SioPacket) packet = NULL;
      g_autofree char *wire = NULL;

      g_test_message ("encode %s", v->wire);
      packet = sio_packet_new (v->type, v->nsp, v->data ? json_literal (v->data) : NULL);
      packet->id = v->id;
      for (guint n = 0; n < v->n_attachments; n++)
        {
          g_autoptr(GBytes) bytes = g_bytes_new (&n, 1);
          g_autoptr(JsonNode) placeholder = sio_packet_add_attachment (packet, bytes);
          g_autofree char *placeholder_json = node_to_json (placeholder);
          g_autofree char *expected = g_strdup_printf ("{\"_placeholder\":true,\"num\":%u}", n);

          g_assert_cmpstr (placeholder_json, ==, expected);
        }
      wire = sio_packet_encode (packet);
      g_assert_cmpstr (wire, ==, v->wire);
    }
}

/* The encoder picks the binary type from the attachments, whatever the caller said. */
static void
test_sio_encode_binary_type (void)
{
  static const guint8 raw[] = { 1, 2, 3, 4 };
  g_autoptr(GBytes) bytes = g_bytes_new_static (raw, sizeof raw);
  g_autoptr(SioPacket) event = sio_packet_new_event ("/", "upload", NULL);
  g_autoptr(SioPacket) ack = sio_packet_new (SIO_PACKET_ACK, NULL, json_literal ("[]"));
  g_autoptr(SioPacket) binary_event = sio_packet_new (SIO_PACKET_BINARY_EVENT, "/", json_literal ("[\"x\"]"));
  g_autoptr(SioPacket) binary_ack = sio_packet_new (SIO_PACKET_BINARY_ACK, "/chat", json_literal ("[1]"));
  g_autofree char *w1 = NULL, *w2 = NULL, *w3 = NULL, *w4 = NULL;

  json_array_add_element (json_node_get_array (event->data), sio_packet_add_attachment (event, bytes));
  w1 = sio_packet_encode (event);
  g_assert_cmpstr (w1, ==, "51-[\"upload\",{\"_placeholder\":true,\"num\":0}]");

  ack->id = 7;
  json_array_add_element (json_node_get_array (ack->data), sio_packet_add_attachment (ack, bytes));
  json_array_add_element (json_node_get_array (ack->data), sio_packet_add_attachment (ack, bytes));
  w2 = sio_packet_encode (ack);
  g_assert_cmpstr (w2, ==, "62-7[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");

  w3 = sio_packet_encode (binary_event);
  g_assert_cmpstr (w3, ==, "2[\"x\"]");
  binary_ack->id = 0;
  w4 = sio_packet_encode (binary_ack);
  g_assert_cmpstr (w4, ==, "3/chat,0[1]");
}

static void
test_sio_event_helpers (void)
{
  g_autoptr(JsonNode) args_node = json_literal ("[{\"roomId\":\"r1\"},\"Việt Nam\",3]");
  g_autoptr(SioPacket) packet = sio_packet_new_event ("/", "joinRoom", json_node_get_array (args_node));
  g_autoptr(SioPacket) numeric = NULL;
  g_autoptr(SioPacket) ack = NULL;
  g_autoptr(JsonArray) args = NULL;
  g_autoptr(JsonArray) ack_args = NULL;
  g_autofree char *wire = sio_packet_encode (packet);
  g_autoptr(SioDecoder) decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (wire, ==, "2[\"joinRoom\",{\"roomId\":\"r1\"},\"Việt Nam\",3]");
  g_assert_cmpstr (sio_packet_get_event (packet), ==, "joinRoom");
  args = sio_packet_dup_args (packet);
  g_assert_cmpuint (json_array_get_length (args), ==, 3);
  g_assert_cmpstr (json_array_get_string_element (args, 1), ==, "Việt Nam");
  g_assert_cmpint (json_array_get_int_element (args, 2), ==, 3);

  g_assert_true (sio_decoder_add_text (decoder, "2[7,\"x\"]", 8, &numeric, &error));
  g_assert_no_error (error);
  g_assert_null (sio_packet_get_event (numeric));

  g_assert_true (sio_decoder_add_text (decoder, "34[\"a\",1]", 9, &ack, &error));
  g_assert_no_error (error);
  g_assert_null (sio_packet_get_event (ack));
  ack_args = sio_packet_dup_args (ack);
  g_assert_cmpuint (json_array_get_length (ack_args), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (ack_args, 0), ==, "a");
}

/* Stealing hands out the decoded array itself, the name taken off, the same
 * arguments dup_args would copy; the packet keeps no data. */
static void
test_sio_steal_args (void)
{
  g_autoptr(SioDecoder) decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);
  g_autoptr(SioPacket) event = NULL;
  g_autoptr(SioPacket) ack = NULL;
  g_autoptr(SioPacket) connect = NULL;
  g_autoptr(JsonArray) args = NULL;
  g_autoptr(JsonArray) ack_args = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *decoded;
  static const char wire[] = "2/live,[\"newMessage\",{\"message\":\"Xin chào\"},\"Việt Nam\"]";

  g_assert_true (sio_decoder_add_text (decoder, wire, strlen (wire), &event, &error));
  g_assert_no_error (error);
  decoded = json_node_get_array (event->data);
  args = sio_packet_steal_args (event);
  g_assert_true (args == decoded);
  g_assert_null (event->data);
  g_assert_null (sio_packet_get_event (event));
  g_assert_cmpuint (json_array_get_length (args), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (args, 0), "message"), ==,
                   "Xin chào");
  g_assert_cmpstr (json_array_get_string_element (args, 1), ==, "Việt Nam");
  g_assert_null (sio_packet_steal_args (event));

  g_assert_true (sio_decoder_add_text (decoder, "34[\"a\",1]", 9, &ack, &error));
  g_assert_no_error (error);
  ack_args = sio_packet_steal_args (ack);
  g_assert_cmpuint (json_array_get_length (ack_args), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (ack_args, 0), ==, "a");

  g_assert_true (sio_decoder_add_text (decoder, "0{\"token\":\"x\"}", 14, &connect, &error));
  g_assert_no_error (error);
  g_assert_null (sio_packet_steal_args (connect));
  g_assert_nonnull (connect->data);
}

/* A chat message goes out as UTF-8, unescaped (as JSON.stringify writes it), and
 * comes back byte for byte; \u escapes from other senders decode to the same text. */
static void
test_sio_vietnamese (void)
{
  static const char text[] = "Chúc mừng năm mới! Người xem ơi, tặng quà đi nào 🎆🎉 — Đặng Thùy Dương";
  g_autoptr(JsonArray) args = json_array_new ();
  g_autoptr(SioPacket) packet = NULL;
  g_autoptr(SioPacket) decoded = NULL;
  g_autoptr(SioPacket) escaped = NULL;
  g_autoptr(SioDecoder) decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);
  g_autoptr(GError) error = NULL;
  g_autofree char *wire = NULL;
  g_autofree char *expected = g_strdup_printf ("2/live,5[\"newMessage\",\"%s\"]", text);
  static const char escaped_wire[] = "2[\"newMessage\",\"Xin ch\\u00e0o \\u0111\\u1ee9c \\ud83c\\udf81\"]";

  json_array_add_string_element (args, text);
  packet = sio_packet_new_event ("/live", "newMessage", args);
  packet->id = 5;
  wire = sio_packet_encode (packet);
  g_assert_cmpstr (wire, ==, expected);

  g_assert_true (sio_decoder_add_text (decoder, wire, strlen (wire), &decoded, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (decoded->nsp, ==, "/live");
  g_assert_cmpint (decoded->id, ==, 5);
  g_assert_cmpstr (json_array_get_string_element (json_node_get_array (decoded->data), 1), ==, text);

  g_assert_true (sio_decoder_add_text (decoder, escaped_wire, strlen (escaped_wire), &escaped, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (json_array_get_string_element (json_node_get_array (escaped->data), 1), ==,
                   "Xin chào đức 🎁");
}

static void
check_attachments (guint n)
{
  g_autoptr(SioPacket) packet = sio_packet_new_event ("/", "gallery", NULL);
  g_autoptr(SioDecoder) decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);
  g_autoptr(SioPacket) decoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *header = NULL;
  g_autofree char *prefix = g_strdup_printf ("5%u-[\"gallery\",", n);
  JsonArray *data = json_node_get_array (packet->data);
  JsonArray *decoded_data;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *content = g_strdup_printf ("image %u: ảnh số %u", i, i);
      g_autoptr(GBytes) bytes = g_bytes_new (content, strlen (content));

      json_array_add_element (data, sio_packet_add_attachment (packet, bytes));
    }
  header = sio_packet_encode (packet);
  g_assert_true (g_str_has_prefix (header, prefix));

  g_assert_true (sio_decoder_add_text (decoder, header, strlen (header), &decoded, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      g_assert_null (decoded);
      g_assert_true (sio_decoder_is_reconstructing (decoder));
      g_assert_true (sio_decoder_add_binary (decoder, g_ptr_array_index (packet->attachments, i),
                                             &decoded, &error));
      g_assert_no_error (error);
    }
  g_assert_nonnull (decoded);
  g_assert_cmpint (decoded->type, ==, SIO_PACKET_EVENT);
  g_assert_cmpuint (decoded->attachments->len, ==, n);
  decoded_data = json_node_get_array (decoded->data);
  g_assert_cmpuint (json_array_get_length (decoded_data), ==, n + 1);
  for (guint i = 0; i < n; i++)
    {
      GBytes *bytes = sio_packet_get_attachment (decoded, json_array_get_element (decoded_data, i + 1));
      g_autofree char *content = g_strdup_printf ("image %u: ảnh số %u", i, i);

      g_assert_nonnull (bytes);
      g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), content, strlen (content));
    }
}

static void
test_sio_attachments_one (void)
{
  check_attachments (1);
}

static void
test_sio_attachments_ten (void)
{
  check_attachments (10);
}

static void
test_sio_attachments_eleven (void)
{
  g_autoptr(SioPacket) packet = sio_packet_new_event ("/", "gallery", NULL);
  g_autoptr(SioDecoder) decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);
  g_autoptr(SioDecoder) small = sio_decoder_new (2);
  g_autoptr(SioPacket) decoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *header = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new_static ("x", 1);

  for (guint i = 0; i < 11; i++)
    json_array_add_element (json_node_get_array (packet->data), sio_packet_add_attachment (packet, bytes));
  header = sio_packet_encode (packet);
  g_assert_true (g_str_has_prefix (header, "511-"));

  g_assert_false (sio_decoder_add_text (decoder, header, strlen (header), &decoded, &error));
  g_assert_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_TOO_MANY_ATTACHMENTS);
  g_assert_null (decoded);
  g_assert_false (sio_decoder_is_reconstructing (decoder));
  g_clear_error (&error);

  /* The maximum is the decoder's. */
  g_assert_false (sio_decoder_add_text (small, "53-[\"a\"]", 8, &decoded, &error));
  g_assert_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_TOO_MANY_ATTACHMENTS);
  g_clear_error (&error);
  g_assert_true (sio_decoder_add_text (small, "52-[\"a\"]", 8, &decoded, &error));
  g_assert_no_error (error);
  g_assert_true (sio_decoder_is_reconstructing (small));
}

/* Text while attachments are awaited and binary while none is: both are errors
 * that leave the decoder ready for the next packet. */
static void
test_sio_unexpected_frames (void)
{
  g_autoptr(SioDecoder) decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);
  g_autoptr(GBytes) bytes = g_bytes_new_static ("\x01", 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(SioPacket) packet = NULL;
  static const char header[] = "52-[\"a\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]";

  g_assert_false (sio_decoder_add_binary (decoder, bytes, &packet, &error));
  g_assert_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_UNEXPECTED_BINARY);
  g_assert_null (packet);
  g_clear_error (&error);

  g_assert_true (sio_decoder_add_text (decoder, header, strlen (header), &packet, &error));
  g_assert_true (sio_decoder_add_binary (decoder, bytes, &packet, &error));
  g_assert_null (packet);
  g_assert_false (sio_decoder_add_text (decoder, "2[\"b\"]", 6, &packet, &error));
  g_assert_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_UNEXPECTED_TEXT);
  g_assert_null (packet);
  g_assert_false (sio_decoder_is_reconstructing (decoder));
  g_clear_error (&error);

  /* The partial packet is gone: a binary now is unexpected, a text decodes. */
  g_assert_false (sio_decoder_add_binary (decoder, bytes, &packet, &error));
  g_assert_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_UNEXPECTED_BINARY);
  g_clear_error (&error);
  g_assert_true (sio_decoder_add_text (decoder, "2[\"b\"]", 6, &packet, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sio_packet_get_event (packet), ==, "b");
  g_clear_pointer (&packet, sio_packet_free);

  /* An explicit reset drops a half-received packet too. */
  g_assert_true (sio_decoder_add_text (decoder, header, strlen (header), &packet, &error));
  g_assert_true (sio_decoder_is_reconstructing (decoder));
  sio_decoder_reset (decoder);
  g_assert_false (sio_decoder_is_reconstructing (decoder));
  g_assert_true (sio_decoder_add_text (decoder, "2[\"c\"]", 6, &packet, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sio_packet_get_event (packet), ==, "c");
}

static const MalformedVector sio_malformed[] = {
  { "", 0, SIO_CODEC_ERROR_EMPTY, "empty" },
  { "7", 0, SIO_CODEC_ERROR_UNKNOWN_TYPE, "Socket.IO packet: unknown packet type '7'" },
  { "9[\"a\"]", 0, SIO_CODEC_ERROR_UNKNOWN_TYPE, "unknown packet type '9'" },
  { "a", 0, SIO_CODEC_ERROR_UNKNOWN_TYPE, "'a'" },
  { " 2[\"a\"]", 0, SIO_CODEC_ERROR_UNKNOWN_TYPE, NULL },
  { "\0" "2", 2, SIO_CODEC_ERROR_UNKNOWN_TYPE, "0x00" },
  { "5[\"a\",{\"_placeholder\":true,\"num\":0}]", 0, SIO_CODEC_ERROR_ILLEGAL_ATTACHMENTS, "attachments" },
  { "5-[\"a\"]", 0, SIO_CODEC_ERROR_ILLEGAL_ATTACHMENTS, NULL },
  { "5x-[\"a\"]", 0, SIO_CODEC_ERROR_ILLEGAL_ATTACHMENTS, NULL },
  { "51[\"a\"]", 0, SIO_CODEC_ERROR_ILLEGAL_ATTACHMENTS, NULL },
  { "51", 0, SIO_CODEC_ERROR_ILLEGAL_ATTACHMENTS, NULL },
  { "5", 0, SIO_CODEC_ERROR_ILLEGAL_ATTACHMENTS, NULL },
  { "6 1-[]", 0, SIO_CODEC_ERROR_ILLEGAL_ATTACHMENTS, NULL },
  { "5-1-[\"a\"]", 0, SIO_CODEC_ERROR_ILLEGAL_ATTACHMENTS, NULL },
  { "511-[\"a\"]", 0, SIO_CODEC_ERROR_TOO_MANY_ATTACHMENTS, "too many" },
  { "6999999999999999999999-[]", 0, SIO_CODEC_ERROR_TOO_MANY_ATTACHMENTS, NULL },
  { "2/adm\xffin,[\"a\"]", 0, SIO_CODEC_ERROR_INVALID_NAMESPACE, "namespace" },
  { "2/ad\0min,[\"a\"]", 13, SIO_CODEC_ERROR_INVALID_NAMESPACE, NULL },
  { "29223372036854775808[\"a\"]", 0, SIO_CODEC_ERROR_INVALID_ID, "id" },
  { "3/admin,99999999999999999999999[]", 0, SIO_CODEC_ERROR_INVALID_ID, NULL },
  { "2[\"a\"", 0, SIO_CODEC_ERROR_INVALID_JSON, "JSON" },
  { "2{bad", 0, SIO_CODEC_ERROR_INVALID_JSON, NULL },
  { "2[\"a\"]]", 0, SIO_CODEC_ERROR_INVALID_JSON, NULL },
  { "2 ", 0, SIO_CODEC_ERROR_INVALID_JSON, NULL },
  { "2var a = [\"a\"]", 0, SIO_CODEC_ERROR_INVALID_JSON, NULL },
  { "21/* c */[\"a\"]", 0, SIO_CODEC_ERROR_INVALID_JSON, NULL },
  { "2/* c */[\"a\"]", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, NULL },   /* all namespace, no payload */
  { "2[\"\xc3\x28\"]", 0, SIO_CODEC_ERROR_INVALID_JSON, NULL },
  { "2[NaN]", 0, SIO_CODEC_ERROR_INVALID_JSON, NULL },
  { "2[\"n\",0xffffffffffffffffff]", 0, SIO_CODEC_ERROR_INVALID_JSON, "hexadecimal" },
  { "2\0[\"a\"]", 7, SIO_CODEC_ERROR_INVALID_JSON, NULL },
  /* json-glib takes these; JSON.parse (and so the official decoder) does not. */
  { "2[\"a\x01\"]", 0, SIO_CODEC_ERROR_INVALID_JSON, "control character" },
  { "2[\"tab\there\"]", 0, SIO_CODEC_ERROR_INVALID_JSON, "control character" },
  { "2[\"new\nline\\n\"]", 0, SIO_CODEC_ERROR_INVALID_JSON, "control character" },
  { "2[\"a\",{\"k\x1f\":1}]", 0, SIO_CODEC_ERROR_INVALID_JSON, "control character" },
  { "2[\"a\",01]", 0, SIO_CODEC_ERROR_INVALID_JSON, "leading zero" },
  { "2[\"a\",-00.5]", 0, SIO_CODEC_ERROR_INVALID_JSON, "leading zero" },
  { "2[\"a\",1.]", 0, SIO_CODEC_ERROR_INVALID_JSON, "number" },
  { "2[\"a\",.5]", 0, SIO_CODEC_ERROR_INVALID_JSON, "number" },
  { "2[\"a\",1e]", 0, SIO_CODEC_ERROR_INVALID_JSON, "number" },
  { "2[\"a\",1e+]", 0, SIO_CODEC_ERROR_INVALID_JSON, "number" },
  { "2[\"a\",'b']", 0, SIO_CODEC_ERROR_INVALID_JSON, "single quotes" },
  { "2[\"a\"/* c */]", 0, SIO_CODEC_ERROR_INVALID_JSON, "comment" },
  { "0[]", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, "CONNECT" },
  { "0\"token\"", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, NULL },
  { "0null", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, NULL },
  { "1{}", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, "DISCONNECT" },
  { "1/admin,[]", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, NULL },
  { "4", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, "CONNECT_ERROR" },
  { "4[\"a\"]", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, NULL },
  { "412", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, NULL },
  { "2", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, "EVENT" },
  { "2/admin,5", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, NULL },
  { "2[]", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, NULL },
  { "2{\"event\":\"a\"}", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, NULL },
  { "2\"a\"", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, NULL },
  { "2[null]", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, NULL },
  { "2[true]", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, NULL },
  { "2[[\"a\"]]", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, NULL },
  { "2[{\"a\":1}]", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, NULL },
  { "2[\"connect\"]", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, "reserved" },
  { "2[\"connect_error\",{}]", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, "reserved" },
  { "2[\"disconnect\",\"bye\"]", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, "reserved" },
  { "2/admin,1[\"disconnecting\"]", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, "reserved" },
  { "2[\"newListener\"]", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, "reserved" },
  { "2[\"removeListener\"]", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, "reserved" },
  { "51-[\"connect\",{\"_placeholder\":true,\"num\":0}]", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, "reserved" },
  { "51-{\"_placeholder\":true,\"num\":0}", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, NULL },
  { "3", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, "ACK" },
  { "312", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, NULL },
  { "312{}", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, NULL },
  { "3\"ok\"", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, NULL },
  { "61-1{\"_placeholder\":true,\"num\":0}", 0, SIO_CODEC_ERROR_INVALID_PAYLOAD, NULL },
  { "51-[\"a\",{\"_placeholder\":true,\"num\":1}]", 0, SIO_CODEC_ERROR_INVALID_PLACEHOLDER, "placeholder" },
  { "51-[\"a\",{\"_placeholder\":true,\"num\":-1}]", 0, SIO_CODEC_ERROR_INVALID_PLACEHOLDER, NULL },
  { "51-[\"a\",{\"_placeholder\":true,\"num\":0.5}]", 0, SIO_CODEC_ERROR_INVALID_PLACEHOLDER, NULL },
  { "51-[\"a\",{\"_placeholder\":true,\"num\":\"0\"}]", 0, SIO_CODEC_ERROR_INVALID_PLACEHOLDER, NULL },
  { "51-[\"a\",{\"_placeholder\":true}]", 0, SIO_CODEC_ERROR_INVALID_PLACEHOLDER, NULL },
  { "51-[\"a\",{\"deep\":[{\"_placeholder\":true,\"num\":9}]}]", 0, SIO_CODEC_ERROR_INVALID_PLACEHOLDER, NULL },
  { "50-[\"a\",{\"_placeholder\":true,\"num\":0}]", 0, SIO_CODEC_ERROR_INVALID_PLACEHOLDER, NULL },
  { "62-3[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":2}]", 0,
    SIO_CODEC_ERROR_INVALID_PLACEHOLDER, NULL },
};

static void
test_sio_malformed (void)
{
  g_autoptr(SioDecoder) decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);

  for (gsize i = 0; i < G_N_ELEMENTS (sio_malformed); i++)
    {
      const MalformedVector *v = &sio_malformed[i];
      gsize len = v->len ? v->len : strlen (v->input);
      g_autoptr(GError) error = NULL;
      g_autoptr(SioPacket) packet = NULL;

      g_autofree char *shown = g_strescape (v->input, NULL);

      g_test_message ("malformed packet #%" G_GSIZE_FORMAT ": %s", i, shown);
      g_assert_false (sio_decoder_add_text (decoder, v->input, len, &packet, &error));
      g_assert_null (packet);
      g_assert_error (error, SIO_CODEC_ERROR, v->code);
      g_assert_true (g_str_has_prefix (error->message, "Socket.IO packet: "));
      if (v->message != NULL)
        g_assert_nonnull (strstr (error->message, v->message));
      g_assert_false (sio_decoder_is_reconstructing (decoder));

      /* One bad packet does not poison the decoder for the next good one. */
      g_clear_error (&error);
      g_assert_true (sio_decoder_add_text (decoder, "2[\"ok\"]", 7, &packet, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (sio_packet_get_event (packet), ==, "ok");
    }
}

/* json-glib recurses without a limit; deep nesting must be an error, not a crash. */
static void
test_sio_deep_nesting (void)
{
  g_autoptr(SioDecoder) decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);
  g_autoptr(GError) error = NULL;
  g_autoptr(SioPacket) packet = NULL;
  g_autoptr(SioEioHandshake) handshake = NULL;
  gsize depth = 200000;
  g_autofree char *wire = g_malloc (depth + 8);
  g_autofree char *fine = NULL;
  GString *nested = g_string_new ("2[\"deep\",");

  memcpy (wire, "2[\"x\",", 6);
  memset (wire + 6, '[', depth);
  g_assert_false (sio_decoder_add_text (decoder, wire, depth + 6, &packet, &error));
  g_assert_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_JSON);
  g_clear_error (&error);

  handshake = sio_eio_handshake_parse (wire + 6, depth, &error);
  g_assert_null (handshake);
  g_assert_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_HANDSHAKE);
  g_clear_error (&error);

  /* Brackets inside strings do not count, and ordinary nesting is fine. */
  for (guint i = 0; i < 50; i++)
    g_string_append (nested, "{\"a\":\"[[[[[[[[[[[[\\\"[[[[[[[[[\",\"b\":[");
  for (guint i = 0; i < 50; i++)
    g_string_append (nested, "]}");
  g_string_append (nested, "]");
  fine = g_string_free (nested, FALSE);
  g_assert_true (sio_decoder_add_text (decoder, fine, strlen (fine), &packet, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sio_packet_get_event (packet), ==, "deep");
}

/* What goes on the wire must be JSON a peer can parse: control characters
 * escaped as JSON.stringify escapes them, doubles in any magnitude, and
 * non-finite numbers as null (json-glib's own generator gets all three wrong). */
static void
test_sio_encode_json (void)
{
  g_autoptr(JsonArray) args = json_array_new ();
  g_autoptr(SioPacket) packet = NULL;
  g_autoptr(SioPacket) decoded = NULL;
  g_autoptr(SioDecoder) decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);
  g_autoptr(GError) error = NULL;
  g_autofree char *wire = NULL;
  g_autofree char *again = NULL;
  JsonObject *object = json_object_new ();

  json_array_add_string_element (args, "q\"b\\s/\x01\x1f\x7f\b\f\n\r\t é\xe2\x80\xa8");
  json_array_add_double_element (args, 0.1);
  json_array_add_double_element (args, 0.00005);
  json_array_add_double_element (args, 1e21);
  json_array_add_double_element (args, -2.5);
  json_array_add_double_element (args, 100000.0);
  json_array_add_double_element (args, INFINITY);
  json_array_add_double_element (args, NAN);
  json_array_add_int_element (args, G_MAXINT64);
  json_array_add_int_element (args, -42);
  json_array_add_boolean_element (args, FALSE);
  json_array_add_null_element (args);
  json_object_set_string_member (object, "z", "last");
  json_object_set_int_member (object, "a", 1);
  json_object_set_array_member (object, "m", json_array_new ());
  json_object_set_object_member (object, "o", json_object_new ());
  json_array_add_object_element (args, object);

  packet = sio_packet_new_event ("/", "edge", args);
  wire = sio_packet_encode (packet);
  g_assert_cmpstr (wire, ==,
                   "2[\"edge\",\"q\\\"b\\\\s/\\u0001\\u001f\x7f\\b\\f\\n\\r\\t é\xe2\x80\xa8\","
                   "0.1,5e-05,1e+21,-2.5,100000.0,null,null,9223372036854775807,-42,false,null,"
                   "{\"z\":\"last\",\"a\":1,\"m\":[],\"o\":{}}]");

  /* And it reads back to the same packet. */
  g_assert_true (sio_decoder_add_text (decoder, wire, strlen (wire), &decoded, &error));
  g_assert_no_error (error);
  again = sio_packet_encode (decoded);
  g_assert_cmpstr (again, ==, wire);
}

/* The string writer copies eight bytes at a time; each byte that needs an
 * escape must be caught wherever it falls in or across those words. */
static void
test_sio_encode_escapes (void)
{
  static const struct { char c; const char *escaped; } specials[] = {
    { '"', "\\\"" }, { '\\', "\\\\" }, { '\n', "\\n" }, { '\x01', "\\u0001" },
    { '\x1f', "\\u001f" }, { '\t', "\\t" },
  };

  for (gsize s = 0; s < G_N_ELEMENTS (specials); s++)
    for (guint len = 1; len <= 26; len++)
      for (guint at = 0; at < len; at++)
        {
          g_autofree char *text = g_strnfill (len, 'a');
          g_autoptr(GString) expected = g_string_new ("2[\"e\",\"");
          g_autoptr(JsonArray) args = json_array_new ();
          g_autoptr(SioPacket) packet = NULL;
          g_autofree char *wire = NULL;

          text[at] = specials[s].c;
          for (guint i = 0; i < len; i++)
            if (i == at)
              g_string_append (expected, specials[s].escaped);
            else
              g_string_append_c (expected, 'a');
          g_string_append (expected, "\"]");

          json_array_add_string_element (args, text);
          packet = sio_packet_new_event ("/", "e", args);
          wire = sio_packet_encode (packet);
          g_assert_cmpstr (wire, ==, expected->str);
        }
}

/* Lone UTF-16 surrogates (a JS sender cutting an emoji in half) and \u0000
 * read as U+FFFD, so strings stay UTF-8; escapes JSON.parse rejects are errors. */
static void
test_sio_string_escapes (void)
{
  static const struct { const char *wire; const char *text; } fixed[] = {
    { "2[\"s\",\"\\ud83c\"]", "\xef\xbf\xbd" },
    { "2[\"s\",\"a\\ud83cx\"]", "a\xef\xbf\xbdx" },
    { "2[\"s\",\"\\udc00\\ud83c\\udf81!\"]", "\xef\xbf\xbd🎁!" },
    { "2[\"s\",\"\\ud83c\\ud83c\"]", "\xef\xbf\xbd\xef\xbf\xbd" },
    { "2[\"s\",\"x\\u0000y\"]", "x\xef\xbf\xbdy" },
    { "2[\"s\",\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83C\\uDF81\"]", "\"\\/\b\f\n\r\té🎁" },
    { "2[\"s\",{\"k\\ud800\":\"\\\\ud800\"}]", NULL },
  };
  static const char *const rejected[] = {
    "2[\"s\",\"\\d\"]",
    "2[\"s\",\"\\uZZZZ\"]",
    "2[\"s\",\"\\x41\"]",
    "2[\"s\",\"\\'\"]",
    "2[\"s\",\"\\u12\"]",
    "2[2,\"\\ud83c\\discoudf81\x1f\x1f?\"]",
  };
  g_autoptr(SioDecoder) decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);

  for (gsize i = 0; i < G_N_ELEMENTS (fixed); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SioPacket) packet = NULL;
      g_autofree char *wire = NULL;
      g_autoptr(SioPacket) again = NULL;
      JsonNode *arg;

      g_test_message ("escapes %s", fixed[i].wire);
      g_assert_true (sio_decoder_add_text (decoder, fixed[i].wire, strlen (fixed[i].wire), &packet, &error));
      g_assert_no_error (error);
      arg = json_array_get_element (json_node_get_array (packet->data), 1);
      if (fixed[i].text != NULL)
        g_assert_cmpstr (json_node_get_string (arg), ==, fixed[i].text);
      else
        {
          /* In a member name; an escaped backslash is not an escape. */
          JsonObject *object = json_node_get_object (arg);

          g_assert_cmpstr (json_object_get_string_member (object, "k\xef\xbf\xbd"), ==, "\\ud800");
        }

      /* Whatever came in goes out as UTF-8 that reads back the same. */
      wire = sio_packet_encode (packet);
      g_assert_true (g_utf8_validate (wire, -1, NULL));
      g_assert_true (sio_decoder_add_text (decoder, wire, strlen (wire), &again, &error));
      g_assert_no_error (error);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (rejected); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SioPacket) packet = NULL;

      g_test_message ("rejected escape %s", rejected[i]);
      g_assert_false (sio_decoder_add_text (decoder, rejected[i], strlen (rejected[i]), &packet, &error));
      g_assert_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_JSON);
      g_assert_nonnull (strstr (error->message, "escape"));
    }
}

/* json-glib would wrap these integers to other numbers without a word, and
 * a double that overflows to infinity could only be sent on as null. */
static void
test_sio_integer_range (void)
{
  static const char *const rejected[] = {
    "2[\"n\",9223372036854775808]",
    "2[\"n\",18446744073709551615]",
    "2[\"n\",{\"v\":-99999999999999999999}]",
    "2[\"n\",-9223372036854775809]",
    "2[\"n\",1e400]",
    "2[\"n\",-1.5E+309]",
    "2[41.11105555523333333333333e3083333333333,1]",
  };
  static const char *const accepted[] = {
    "2[\"n\",9223372036854775807]",
    "2[\"n\",-9223372036854775807]",
    "2[\"n\",99999999999999999999.5]",
    "2[\"n\",1e308,-1.7976931348623157e308,1e-400]",
    "2[\"n\",\"18446744073709551615\"]",
    "2[\"n\",12345678901234567890e-3]",
  };
  g_autoptr(SioDecoder) decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);

  for (gsize i = 0; i < G_N_ELEMENTS (rejected); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SioPacket) packet = NULL;

      g_assert_false (sio_decoder_add_text (decoder, rejected[i], strlen (rejected[i]), &packet, &error));
      g_assert_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_JSON);
      g_assert_nonnull (strstr (error->message, "range"));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(SioPacket) packet = NULL;

      g_assert_true (sio_decoder_add_text (decoder, accepted[i], strlen (accepted[i]), &packet, &error));
      g_assert_no_error (error);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sio-codec/eio/text-frames", test_eio_text_frames);
  g_test_add_func ("/sio-codec/eio/binary-frame", test_eio_binary_frame);
  g_test_add_func ("/sio-codec/eio/payload", test_eio_payload);
  g_test_add_func ("/sio-codec/eio/payload-mixed", test_eio_payload_mixed);
  g_test_add_func ("/sio-codec/eio/malformed-frames", test_eio_malformed_frames);
  g_test_add_func ("/sio-codec/eio/malformed-payloads", test_eio_malformed_payloads);
  g_test_add_func ("/sio-codec/eio/handshake", test_eio_handshake);
  g_test_add_func ("/sio-codec/eio/handshake-malformed", test_eio_handshake_malformed);
  g_test_add_func ("/sio-codec/sio/decode-vectors", test_sio_decode_vectors);
  g_test_add_func ("/sio-codec/sio/encode-vectors", test_sio_encode_vectors);
  g_test_add_func ("/sio-codec/sio/encode-binary-type", test_sio_encode_binary_type);
  g_test_add_func ("/sio-codec/sio/event-helpers", test_sio_event_helpers);
  g_test_add_func ("/sio-codec/sio/steal-args", test_sio_steal_args);
  g_test_add_func ("/sio-codec/sio/vietnamese", test_sio_vietnamese);
  g_test_add_func ("/sio-codec/sio/attachments-1", test_sio_attachments_one);
  g_test_add_func ("/sio-codec/sio/attachments-10", test_sio_attachments_ten);
  g_test_add_func ("/sio-codec/sio/attachments-11-rejected", test_sio_attachments_eleven);
  g_test_add_func ("/sio-codec/sio/unexpected-frames", test_sio_unexpected_frames);
  g_test_add_func ("/sio-codec/sio/malformed", test_sio_malformed);
  g_test_add_func ("/sio-codec/sio/deep-nesting", test_sio_deep_nesting);
  g_test_add_func ("/sio-codec/sio/encode-json", test_sio_encode_json);
  g_test_add_func ("/sio-codec/sio/encode-escapes", test_sio_encode_escapes);
  g_test_add_func ("/sio-codec/sio/integer-range", test_sio_integer_range);
  g_test_add_func ("/sio-codec/sio/string-escapes", test_sio_string_escapes);

  return g_test_run ();
}
