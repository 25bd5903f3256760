/* sio-codec.c: Engine.IO v4 and Socket.IO v5 packets, encoded and decoded
 * without I/O.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sio-codec.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (sio-codec-error-quark, sio_codec_error)

#define EIO_RECORD_SEPARATOR '\x1e'

/* json-glib parses recursively without a depth limit, so a frame of a million
 * '[' would exhaust the stack; the official peers never nest anywhere near this. */
#define SIO_MAX_JSON_DEPTH 256

static const char * const reserved_events[] = {
  "connect",
  "connect_error",
  "disconnect",
  "disconnecting",
  "newListener",
  "removeListener",
};

/* A byte of hostile input, printable in an error message. */
static void
describe_char (char  c,
               char  out[8])
{
  if (g_ascii_isprint (c))
    g_snprintf (out, 8, "'%c'", c);
  else
    g_snprintf (out, 8, "0x%02x", (guchar) c);
}

/* A GBytes whose data is followed by a NUL that is not part of its size, so
 * text payloads can be handed out as C strings without another copy. */
static GBytes *
bytes_new_text (const char *text,
                gsize       len)
{
  char *buf = g_malloc (len + 1);

  if (len > 0)
    memcpy (buf, text, len);
  buf[len] = '\0';
  return g_bytes_new_take (buf, len);
}

/* ---- Engine.IO v4 ---- */

SioEioPacket *
sio_eio_packet_new (SioEioType  type,
                    const char *text)
{
  SioEioPacket *packet;

  g_return_val_if_fail (type >= SIO_EIO_OPEN && type <= SIO_EIO_NOOP, NULL);

  packet = g_new0 (SioEioPacket, 1);
  packet->type = type;
  packet->binary = FALSE;
  packet->data = bytes_new_text (text ? text : "", text ? strlen (text) : 0);
  return packet;
}

SioEioPacket *
sio_eio_packet_new_binary (GBytes *data)
{
  SioEioPacket *packet;

  g_return_val_if_fail (data != NULL, NULL);

  packet = g_new0 (SioEioPacket, 1);
  packet->type = SIO_EIO_MESSAGE;
  packet->binary = TRUE;
  packet->data = g_bytes_ref (data);
  return packet;
}

void
sio_eio_packet_free (SioEioPacket *packet)
{
  if (packet == NULL)
    return;
  g_clear_pointer (&packet->data, g_bytes_unref);
  g_free (packet);
}

const char *
sio_eio_packet_get_text (const SioEioPacket *packet,
                         gsize              *len)
{
  const char *text;
  gsize size = 0;

  g_return_val_if_fail (packet != NULL, NULL);
  g_return_val_if_fail (!packet->binary, NULL);

  text = g_bytes_get_data (packet->data, &size);
  if (len != NULL)
    *len = size;
  return text != NULL ? text : "";
}

static gboolean
base64_is_valid (const char *data,
                 gsize       len)
{
  gsize padding = 0;

  if (len % 4 != 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (c == '=')
        {
          /* Padding only at the very end, at most two. */
          if (i < len - 2)
            return FALSE;
          padding++;
        }
      else if (padding > 0 ||
               !(g_ascii_isalnum (c) || c == '+' || c == '/'))
        return FALSE;
    }
  return TRUE;
}

/* One Engine.IO packet from its text encoding; "b"+base64 is a binary MESSAGE,
 * as the official parser accepts on either transport. */
static SioEioPacket *
eio_decode_text (const char  *data,
                 gsize        len,
                 GError     **error)
{
  SioEioPacket *packet;
  char type = len > 0 ? data[0] : '\0';

  if (len == 0)
    {
      g_set_error_literal (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_EMPTY,
                           "Engine.IO packet: empty packet");
      return NULL;
    }

  if (type == 'b')
    {
      g_autofree char *b64 = NULL;
      guchar *raw;
      gsize raw_len = 0;

      if (!base64_is_valid (data + 1, len - 1))
        {
          g_set_error_literal (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_BASE64,
                               "Engine.IO packet: binary payload is not valid base64");
          return NULL;
        }
      if (len == 1)
        raw = NULL;
      else
        {
          b64 = g_strndup (data + 1, len - 1);
          raw = g_base64_decode (b64, &raw_len);
        }
      packet = g_new0 (SioEioPacket, 1);
      packet->type = SIO_EIO_MESSAGE;
      packet->binary = TRUE;
      packet->data = g_bytes_new_take (raw, raw_len);
      return packet;
    }

  if (type < '0' || type > '0' + SIO_EIO_NOOP)
    {
      char desc[8];

      describe_char (type, desc);
      g_set_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_UNKNOWN_TYPE,
                   "Engine.IO packet: unknown packet type %s", desc);
      return NULL;
    }

  packet = g_new0 (SioEioPacket, 1);
  packet->type = type - '0';
  packet->binary = FALSE;
  packet->data = bytes_new_text (data + 1, len - 1);
  return packet;
}

SioEioPacket *
sio_eio_decode_text_frame (const char  *data,
                           gsize        len,
                           GError     **error)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return eio_decode_text (data, len, error);
}

SioEioPacket *
sio_eio_decode_binary_frame (GBytes *data)
{
  g_return_val_if_fail (data != NULL, NULL);

  return sio_eio_packet_new_binary (data);
}

GBytes *
sio_eio_encode_frame (const SioEioPacket *packet,
                      gboolean           *binary)
{
  const char *payload;
  gsize len = 0;
  char *buf;

  g_return_val_if_fail (packet != NULL, NULL);

  if (packet->binary)
    {
      if (binary != NULL)
        *binary = TRUE;
      return g_bytes_ref (packet->data);
    }

  if (binary != NULL)
    *binary = FALSE;
  payload = g_bytes_get_data (packet->data, &len);
  buf = g_malloc (len + 2);
  buf[0] = '0' + packet->type;
  if (len > 0)
    memcpy (buf + 1, payload, len);
  buf[len + 1] = '\0';
  return g_bytes_new_take (buf, len + 1);
}

GPtrArray *
sio_eio_decode_payload (const char  *data,
                        gsize        len,
                        GError     **error)
{
  g_autoptr(GPtrArray) packets = NULL;
  const char *end = data + len;
  const char *p = data;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  packets = g_ptr_array_new_with_free_func ((GDestroyNotify) sio_eio_packet_free);

  /* An empty body is one empty packet, which is an error like any other. */
  for (;;)
    {
      const char *sep = p < end ? memchr (p, EIO_RECORD_SEPARATOR, end - p) : NULL;
      const char *stop = sep != NULL ? sep : end;
      g_autoptr(GError) local_error = NULL;
      SioEioPacket *packet;

      packet = eio_decode_text (p, stop - p, &local_error);
      if (packet == NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "Polling payload, packet %u: ", packets->len + 1);
          return NULL;
        }
      g_ptr_array_add (packets, packet);

      if (sep == NULL)
        break;
      p = sep + 1;
    }

  return g_steal_pointer (&packets);
}

GBytes *
sio_eio_encode_payload (GPtrArray *packets)
{
  GString *out;

  g_return_val_if_fail (packets != NULL, NULL);

  out = g_string_new (NULL);
  for (guint i = 0; i < packets->len; i++)
    {
      const SioEioPacket *packet = g_ptr_array_index (packets, i);
      gsize len = 0;
      const char *payload = g_bytes_get_data (packet->data, &len);

      if (i > 0)
        g_string_append_c (out, EIO_RECORD_SEPARATOR);

      if (packet->binary)
        {
          gsize start;
          int state = 0, save = 0;

          g_string_append_c (out, 'b');
          start = out->len;
          /* Encode straight into the string: 4 output bytes per 3 input, plus the tail. */
          g_string_set_size (out, start + (len / 3 + 1) * 4 + 4);
          start += g_base64_encode_step ((const guchar *) payload, len, FALSE,
                                         out->str + start, &state, &save);
          start += g_base64_encode_close (FALSE, out->str + start, &state, &save);
          g_string_truncate (out, start);
        }
      else
        {
          g_string_append_c (out, '0' + packet->type);
          g_string_append_len (out, payload, len);
        }
    }

  return g_string_free_to_bytes (out);
}

static int
hex4 (const char *p)
{
  int value = 0;

  for (int i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

/* Checks the escapes of one string that holds a backslash, from just after its
 * opening quote; returns where the string ends (after the closing quote), or
 * NULL and *why. json-glib turns a lone UTF-16 surrogate into bytes that are
 * not UTF-8 (and drops the next character), cuts a string at \u0000, and
 * accepts escapes like \d or \uZZZZ: the first two become U+FFFD (same length,
 * patched into a copy) as a UTF-8 decoder would do, the others are errors as
 * they are for JSON.parse. JS senders do produce lone surrogates, when they cut
 * a string in the middle of an emoji. */
static const char *
json_prescan_escapes (const char  *start,
                      const char  *p,
                      const char  *end,
                      char       **patched,
                      const char **why)
{
  while (p < end)
    {
      char c = *p;
      int unit, low;

      if (c == '"')
        return p + 1;
      if (c != '\\')
        {
          if ((guchar) c < 0x20)
            {
              *why = "control character in a JSON string";
              return NULL;
            }
          p++;
          continue;
        }
      if (end - p < 2)
        break;
      c = p[1];
      if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' || c == 't')
        {
          p += 2;
          continue;
        }
      if (c != 'u' || end - p < 6 || (unit = hex4 (p + 2)) < 0)
        {
          *why = "invalid escape in a JSON string";
          return NULL;
        }
      if (unit >= 0xd800 && unit <= 0xdbff && end - p >= 12 && p[6] == '\\' && p[7] == 'u' &&
          (low = hex4 (p + 8)) >= 0xdc00 && low <= 0xdfff)
        {
          p += 12;
          continue;
        }
      if (unit == 0 || (unit >= 0xd800 && unit <= 0xdfff))
        {
          if (*patched == NULL)
            *patched = g_memdup2 (start, end - start);
          memcpy (*patched + (p - start), "\\ufffd", 6);
        }
      p += 6;
    }
  /* Unterminated: json-glib says so. */
  return end;
}

/* Whether any byte in [p, end) is a control character, which JSON strings
 * may only hold escaped; eight bytes at a time, as most strings are clean. */
static gboolean
has_control_char (const char *p,
                  const char *end)
{
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
  const guint64 high = G_GUINT64_CONSTANT (0x8080808080808080);

  for (; end - p >= 8; p += 8)
    {
      guint64 v;

      memcpy (&v, p, 8);
      if (((v - ones * 0x20) & ~v & high) != 0)
        break;
    }
  for (; p < end; p++)
    if ((guchar) *p < 0x20)
      return TRUE;
  return FALSE;
}

/* Checks, before json-glib sees the text, what it gets wrong: it recurses
 * without a depth limit, silently wraps integers that do not fit in 64 bits
 * (18446744073709551615 becomes -1), mishandles some string escapes (see
 * above), and accepts things JSON.parse refuses (raw control characters in
 * strings, single quotes, comments, 01, 1., .5, 0x10). Returns the reason to
 * reject, or NULL; *patched is set to a fixed copy of start…end when escapes
 * had to be replaced. Strings are skipped, not parsed: json-glib does that. */
static const char *
json_prescan (const char  *start,
              const char  *end,
              char       **patched)
{
  const char *p = start;
  guint depth = 0;

  while (p < end)
    {
      char c = *p++;

      if (c == '"')
        {
          const char *quote = memchr (p, '"', end - p);
          const char *why = NULL;

          /* Most strings have no backslash: the next quote ends them. */
          if (quote != NULL && memchr (p, '\\', quote - p) == NULL)
            {
              if (has_control_char (p, quote))
                return "control character in a JSON string";
              p = quote + 1;
              continue;
            }
          p = json_prescan_escapes (start, p, end, patched, &why);
          if (p == NULL)
            return why;
        }
      else if (c == '[' || c == '{')
        {
          if (++depth > SIO_MAX_JSON_DEPTH)
            return "JSON nested too deeply";
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
      else if (c == '\'' || c == '/' || c == '.')
        return c == '.' ? "malformed JSON number" : "not JSON (single quotes or a comment)";
      else if (g_ascii_isdigit (c))
        {
          const char *digits = p - 1;
          gboolean is_double = FALSE;
          gsize n;

          while (p < end && g_ascii_isdigit (*p))
            p++;
          if (c == '0' && p - digits > 1)
            return "malformed JSON number (leading zero)";
          /* json-glib also reads 0x… (and wraps it); JSON has no such thing. */
          if (p < end && (*p == 'x' || *p == 'X'))
            return "hexadecimal numbers are not JSON";
          if (p < end && *p == '.')
            {
              if (++p == end || !g_ascii_isdigit (*p))
                return "malformed JSON number";
              while (p < end && g_ascii_isdigit (*p))
                p++;
              is_double = TRUE;
            }
          if (p < end && (*p == 'e' || *p == 'E'))
            {
              if (++p < end && (*p == '+' || *p == '-'))
                p++;
              if (p == end || !g_ascii_isdigit (*p))
                return "malformed JSON number";
              while (p < end && g_ascii_isdigit (*p))
                p++;
              /* Too large for a double, it reads as infinity, which no
               * encoder can write back (JSON.stringify writes null). */
              {
                g_autofree char *number = g_strndup (digits, p - digits);

                if (isinf (g_ascii_strtod (number, NULL)))
                  return "JSON number out of the double range";
              }
              continue;
            }
          if (is_double)
            {
              if (p - digits > 300)
                {
                  g_autofree char *number = g_strndup (digits, p - digits);

                  if (isinf (g_ascii_strtod (number, NULL)))
                    return "JSON number out of the double range";
                }
              continue;
            }
          n = p - digits;
          if (n > 19 || (n == 19 && memcmp (digits, "9223372036854775807", 19) > 0))
            return "JSON integer out of the 64-bit range";
        }
    }
  return NULL;
}

/* Parses one JSON value with json-glib. json-glib also accepts a leading
 * "var name =" assignment and comments; a value must start like JSON does,
 * which rules those out (has_assignment would not do: it sticks once set on a
 * reused parser). */
static JsonNode *
parse_json (JsonParser  *parser,
            const char  *data,
            gsize        len,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *patched = NULL;
  const char *p = data;
  const char *end = data + len;
  const char *why;

  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
    p++;
  if (p == end || *p == '\0' || strchr ("[{\"-0123456789tfn", *p) == NULL)
    {
      g_set_error_literal (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_JSON,
                           p == end ? "no JSON value" : "not a JSON value");
      return NULL;
    }
  why = json_prescan (p, end, &patched);
  if (why != NULL)
    {
      g_set_error_literal (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_JSON, why);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, patched != NULL ? patched : p, end - p, &local_error) ||
      json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_JSON,
                           local_error != NULL ? local_error->message : "no JSON value");
      return NULL;
    }
  return json_parser_steal_root (parser);
}

/* Handshake fields are JSON integers; a double that happens to be whole is
 * tolerated because nothing on the wire promises which one a server writes. */
static gboolean
handshake_get_uint (JsonObject  *object,
                    const char  *field,
                    guint64      max,
                    guint64     *value,
                    GError     **error)
{
  JsonNode *node = json_object_get_member (object, field);
  gint64 n;
  double d;

  if (node == NULL)
    {
      g_set_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_HANDSHAKE,
                   "Engine.IO handshake: missing field “%s”", field);
      return FALSE;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64)
    n = json_node_get_int (node);
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE &&
           (d = json_node_get_double (node)) >= 0 && d < 9223372036854775808.0 && d == floor (d))
    n = (gint64) d;
  else
    {
      g_set_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_HANDSHAKE,
                   "Engine.IO handshake: field “%s” is not an integer", field);
      return FALSE;
    }
  if (n < 0 || (guint64) n > max)
    {
      g_set_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_HANDSHAKE,
                   "Engine.IO handshake: field “%s” is out of range", field);
      return FALSE;
    }
  *value = (guint64) n;
  return TRUE;
}

SioEioHandshake *
sio_eio_handshake_parse (const char  *json,
                         gsize        len,
                         GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(SioEioHandshake) handshake = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonNode *node;
  JsonArray *upgrades;
  guint64 value;

  g_return_val_if_fail (json != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  root = parse_json (parser, json, len, &local_error);
  if (root == NULL)
    {
      g_set_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_HANDSHAKE,
                   "Engine.IO handshake: invalid JSON: %s", local_error->message);
      return NULL;
    }
  node = root;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_HANDSHAKE,
                           "Engine.IO handshake: not a JSON object");
      return NULL;
    }
  object = json_node_get_object (node);
  handshake = g_new0 (SioEioHandshake, 1);

  node = json_object_get_member (object, "sid");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING ||
      json_node_get_string (node)[0] == '\0')
    {
      g_set_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_HANDSHAKE,
                   "Engine.IO handshake: %s field “sid”",
                   node == NULL ? "missing" : "not a non-empty string in");
      return NULL;
    }
  handshake->sid = g_strdup (json_node_get_string (node));

  node = json_object_get_member (object, "upgrades");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_HANDSHAKE,
                   "Engine.IO handshake: %s field “upgrades”",
                   node == NULL ? "missing" : "not an array in");
      return NULL;
    }
  upgrades = json_node_get_array (node);
  handshake->upgrades = g_new0 (char *, json_array_get_length (upgrades) + 1);
  for (guint i = 0; i < json_array_get_length (upgrades); i++)
    {
      JsonNode *element = json_array_get_element (upgrades, i);

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        {
          g_set_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_HANDSHAKE,
                       "Engine.IO handshake: field “upgrades” holds a non-string at %u", i);
          return NULL;
        }
      handshake->upgrades[i] = g_strdup (json_node_get_string (element));
    }

  if (!handshake_get_uint (object, "pingInterval", G_MAXUINT, &value, error))
    return NULL;
  handshake->ping_interval = value;
  if (!handshake_get_uint (object, "pingTimeout", G_MAXUINT, &value, error))
    return NULL;
  handshake->ping_timeout = value;
  if (!handshake_get_uint (object, "maxPayload", MIN (G_MAXSIZE, G_MAXINT64), &value, error))
    return NULL;
  handshake->max_payload = value;

  return g_steal_pointer (&handshake);
}

char *
sio_eio_handshake_to_json (const SioEioHandshake *handshake)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (handshake != NULL, NULL);
  g_return_val_if_fail (handshake->sid != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "sid");
  json_builder_add_string_value (builder, handshake->sid);
  json_builder_set_member_name (builder, "upgrades");
  json_builder_begin_array (builder);
  for (guint i = 0; handshake->upgrades != NULL && handshake->upgrades[i] != NULL; i++)
    json_builder_add_string_value (builder, handshake->upgrades[i]);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "pingInterval");
  json_builder_add_int_value (builder, handshake->ping_interval);
  json_builder_set_member_name (builder, "pingTimeout");
  json_builder_add_int_value (builder, handshake->ping_timeout);
  json_builder_set_member_name (builder, "maxPayload");
  json_builder_add_int_value (builder, (gint64) MIN (handshake->max_payload, (gsize) G_MAXINT64));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

void
sio_eio_handshake_free (SioEioHandshake *handshake)
{
  if (handshake == NULL)
    return;
  g_free (handshake->sid);
  g_strfreev (handshake->upgrades);
  g_free (handshake);
}

/* ---- Socket.IO v5 ---- */

SioPacket *
sio_packet_new (SioPacketType  type,
                const char    *nsp,
                JsonNode      *data)
{
  SioPacket *packet;

  g_return_val_if_fail (type >= SIO_PACKET_CONNECT && type <= SIO_PACKET_BINARY_ACK, NULL);
  /* A namespace is "/…" and cannot hold the ',' that ends it on the wire. */
  g_return_val_if_fail (nsp == NULL || nsp[0] == '\0' || (nsp[0] == '/' && strchr (nsp, ',') == NULL), NULL);

  packet = g_new0 (SioPacket, 1);
  packet->type = type;
  packet->nsp = g_strdup (nsp != NULL && nsp[0] != '\0' ? nsp : "/");
  packet->id = SIO_PACKET_NO_ID;
  packet->data = data;
  packet->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  return packet;
}

SioPacket *
sio_packet_new_event (const char *nsp,
                      const char *event,
                      JsonArray  *args)
{
  JsonArray *array;
  JsonNode *data;

  g_return_val_if_fail (event != NULL, NULL);

  array = json_array_sized_new (1 + (args != NULL ? json_array_get_length (args) : 0));
  json_array_add_string_element (array, event);
  for (guint i = 0; args != NULL && i < json_array_get_length (args); i++)
    json_array_add_element (array, json_node_copy (json_array_get_element (args, i)));

  data = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (data, array);
  return sio_packet_new (SIO_PACKET_EVENT, nsp, data);
}

void
sio_packet_free (SioPacket *packet)
{
  if (packet == NULL)
    return;
  g_free (packet->nsp);
  g_clear_pointer (&packet->data, json_node_unref);
  g_clear_pointer (&packet->attachments, g_ptr_array_unref);
  g_free (packet);
}

JsonNode *
sio_packet_add_attachment (SioPacket *packet,
                           GBytes    *bytes)
{
  JsonObject *object;
  JsonNode *node;

  g_return_val_if_fail (packet != NULL, NULL);
  g_return_val_if_fail (bytes != NULL, NULL);

  object = json_object_new ();
  json_object_set_boolean_member (object, "_placeholder", TRUE);
  json_object_set_int_member (object, "num", packet->attachments->len);
  g_ptr_array_add (packet->attachments, g_bytes_ref (bytes));

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  return node;
}

/* -1: not a placeholder; -2: a placeholder whose num is not a usable index;
 * otherwise the num, still to be checked against the attachment count. */
static gint64
placeholder_num (JsonNode *node)
{
  JsonObject *object;
  JsonNode *flag, *num;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return -1;
  object = json_node_get_object (node);
  flag = json_object_get_member (object, "_placeholder");
  if (flag == NULL || !JSON_NODE_HOLDS_VALUE (flag) ||
      json_node_get_value_type (flag) != G_TYPE_BOOLEAN || !json_node_get_boolean (flag))
    return -1;
  num = json_object_get_member (object, "num");
  if (num == NULL || !JSON_NODE_HOLDS_VALUE (num) ||
      json_node_get_value_type (num) != G_TYPE_INT64 || json_node_get_int (num) < 0)
    return -2;
  return json_node_get_int (num);
}

GBytes *
sio_packet_get_attachment (const SioPacket *packet,
                           JsonNode        *node)
{
  gint64 num;

  g_return_val_if_fail (packet != NULL, NULL);

  num = placeholder_num (node);
  if (num < 0 || num >= packet->attachments->len)
    return NULL;
  return g_ptr_array_index (packet->attachments, num);
}

const char *
sio_packet_get_event (const SioPacket *packet)
{
  JsonArray *array;
  JsonNode *first;

  g_return_val_if_fail (packet != NULL, NULL);

  if (packet->type != SIO_PACKET_EVENT && packet->type != SIO_PACKET_BINARY_EVENT)
    return NULL;
  if (packet->data == NULL || !JSON_NODE_HOLDS_ARRAY (packet->data))
    return NULL;
  array = json_node_get_array (packet->data);
  if (json_array_get_length (array) == 0)
    return NULL;
  first = json_array_get_element (array, 0);
  if (!JSON_NODE_HOLDS_VALUE (first) || json_node_get_value_type (first) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (first);
}

JsonArray *
sio_packet_dup_args (const SioPacket *packet)
{
  JsonArray *array, *args;
  guint first;

  g_return_val_if_fail (packet != NULL, NULL);

  switch (packet->type)
    {
    case SIO_PACKET_EVENT:
    case SIO_PACKET_BINARY_EVENT:
      first = 1;
      break;
    case SIO_PACKET_ACK:
    case SIO_PACKET_BINARY_ACK:
      first = 0;
      break;
    default:
      return NULL;
    }
  if (packet->data == NULL || !JSON_NODE_HOLDS_ARRAY (packet->data))
    return NULL;

  array = json_node_get_array (packet->data);
  args = json_array_sized_new (json_array_get_length (array));
  /* json_node_copy() shares objects and arrays by reference, so this is cheap. */
  for (guint i = first; i < json_array_get_length (array); i++)
    json_array_add_element (args, json_node_copy (json_array_get_element (array, i)));
  return args;
}

JsonArray *
sio_packet_steal_args (SioPacket *packet)
{
  JsonArray *args;

  g_return_val_if_fail (packet != NULL, NULL);

  if (packet->type != SIO_PACKET_EVENT && packet->type != SIO_PACKET_BINARY_EVENT &&
      packet->type != SIO_PACKET_ACK && packet->type != SIO_PACKET_BINARY_ACK)
    return NULL;
  if (packet->data == NULL || !JSON_NODE_HOLDS_ARRAY (packet->data))
    return NULL;

  args = json_array_ref (json_node_get_array (packet->data));
  g_clear_pointer (&packet->data, json_node_unref);
  if ((packet->type == SIO_PACKET_EVENT || packet->type == SIO_PACKET_BINARY_EVENT) &&
      json_array_get_length (args) > 0)
    json_array_remove_element (args, 0);
  return args;
}

/* The packet's JSON, written the way JSON.stringify writes it. json-glib 1.6's
 * generator cannot be used: it writes 1e-05 as "1e-05.0", infinity as "inf.0"
 * and leaves 0x1f unescaped in strings, none of which a peer can parse. */
/* Whether any of the 8 bytes is below 0x20, '"' or '\\': the test that lets
 * plain text (nearly all of a chat message) be copied a word at a time. */
static inline gboolean
word_needs_escape (guint64 v)
{
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
  const guint64 high = G_GUINT64_CONSTANT (0x8080808080808080);
  guint64 quote = v ^ (ones * '"');
  guint64 backslash = v ^ (ones * '\\');

  guint64 found = ((v - ones * 0x20) & ~v) |
                  ((quote - ones) & ~quote) |
                  ((backslash - ones) & ~backslash);

  return (found & high) != 0;
}

static void
json_write_string (GString    *out,
                   const char *str)
{
  static const char hex[] = "0123456789abcdef";
  gsize len = strlen (str);
  gsize run = 0;
  gsize i = 0;

  g_string_append_c (out, '"');
  while (i < len)
    {
      gsize stop;

      if (len - i >= 8)
        {
          guint64 v;

          memcpy (&v, str + i, 8);
          if (!word_needs_escape (v))
            {
              i += 8;
              continue;
            }
          stop = i + 8;
        }
      else
        stop = len;

      for (; i < stop; i++)
        {
          guchar c = str[i];
          char escape;

          if (c >= 0x20 && c != '"' && c != '\\')
            continue;

          g_string_append_len (out, str + run, i - run);
          run = i + 1;
          switch (c)
            {
            case '"': escape = '"'; break;
            case '\\': escape = '\\'; break;
            case '\b': escape = 'b'; break;
            case '\f': escape = 'f'; break;
            case '\n': escape = 'n'; break;
            case '\r': escape = 'r'; break;
            case '\t': escape = 't'; break;
            default: escape = 0; break;
            }
          if (escape != 0)
            {
              g_string_append_c (out, '\\');
              g_string_append_c (out, escape);
            }
          else
            {
              char u[] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };
              g_string_append_len (out, u, sizeof u);
            }
        }
    }
  g_string_append_len (out, str + run, len - run);
  g_string_append_c (out, '"');
}

static void
json_write_double (GString *out,
                   double   d)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (d))
    {
      g_string_append (out, "null");
      return;
    }
  /* The shortest of the usual precisions that reads back as the same double. */
  g_ascii_formatd (buf, sizeof buf, "%.15g", d);
  if (g_ascii_strtod (buf, NULL) != d)
    {
      g_ascii_formatd (buf, sizeof buf, "%.16g", d);
      if (g_ascii_strtod (buf, NULL) != d)
        g_ascii_formatd (buf, sizeof buf, "%.17g", d);
    }
  g_string_append (out, buf);
  /* Keeps a whole double a double for json-glib readers; JSON.parse does not mind. */
  if (strpbrk (buf, ".e") == NULL)
    g_string_append (out, ".0");
}

static void
json_write_node (GString  *out,
                 JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        gboolean first = TRUE;

        g_string_append_c (out, '{');
        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            json_write_string (out, name);
            g_string_append_c (out, ':');
            json_write_node (out, member);
          }
        g_string_append_c (out, '}');
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint len = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < len; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            json_write_node (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
      }
      break;

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          if (json_node_get_string (node) != NULL)
            json_write_string (out, json_node_get_string (node));
          else
            g_string_append (out, "null");
          break;
        case G_TYPE_INT64:
          {
            char buf[24];
            int n = g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, json_node_get_int (node));

            g_string_append_len (out, buf, n);
          }
          break;
        case G_TYPE_DOUBLE:
          json_write_double (out, json_node_get_double (node));
          break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        default:
          g_string_append (out, "null");
          break;
        }
      break;

    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      break;
    }
}

char *
sio_packet_encode (const SioPacket *packet)
{
  SioPacketType type;
  GString *out;
  guint n_attachments;

  g_return_val_if_fail (packet != NULL, NULL);

  type = packet->type;
  n_attachments = packet->attachments->len;
  if (type == SIO_PACKET_EVENT && n_attachments > 0)
    type = SIO_PACKET_BINARY_EVENT;
  else if (type == SIO_PACKET_ACK && n_attachments > 0)
    type = SIO_PACKET_BINARY_ACK;
  else if (type == SIO_PACKET_BINARY_EVENT && n_attachments == 0)
    type = SIO_PACKET_EVENT;
  else if (type == SIO_PACKET_BINARY_ACK && n_attachments == 0)
    type = SIO_PACKET_ACK;

  out = g_string_sized_new (128);
  g_string_append_c (out, '0' + type);
  if (type == SIO_PACKET_BINARY_EVENT || type == SIO_PACKET_BINARY_ACK)
    g_string_append_printf (out, "%u-", n_attachments);
  if (packet->nsp != NULL && strcmp (packet->nsp, "/") != 0 && packet->nsp[0] != '\0')
    {
      g_string_append (out, packet->nsp);
      g_string_append_c (out, ',');
    }
  if (packet->id >= 0)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, packet->id);
  if (packet->data != NULL)
    json_write_node (out, packet->data);

  return g_string_free (out, FALSE);
}

/* Decoder */

struct _SioDecoder {
  guint       max_attachments;
  JsonParser *parser;      /* reused: creating one per packet costs more than the parse */
  SioPacket  *pending;     /* a BINARY_* header awaiting its attachments */
  guint       expected;
};

SioDecoder *
sio_decoder_new (guint max_attachments)
{
  SioDecoder *decoder = g_new0 (SioDecoder, 1);

  decoder->max_attachments = max_attachments;
  decoder->parser = json_parser_new ();
  return decoder;
}

void
sio_decoder_free (SioDecoder *decoder)
{
  if (decoder == NULL)
    return;
  g_clear_pointer (&decoder->pending, sio_packet_free);
  g_clear_object (&decoder->parser);
  g_free (decoder);
}

void
sio_decoder_reset (SioDecoder *decoder)
{
  g_return_if_fail (decoder != NULL);

  g_clear_pointer (&decoder->pending, sio_packet_free);
  decoder->expected = 0;
}

gboolean
sio_decoder_is_reconstructing (SioDecoder *decoder)
{
  g_return_val_if_fail (decoder != NULL, FALSE);

  return decoder->pending != NULL;
}

static gboolean
is_reserved_event (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (reserved_events); i++)
    if (strcmp (name, reserved_events[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
payload_is_valid (SioPacketType  type,
                  JsonNode      *data,
                  const char   **why)
{
  switch (type)
    {
    case SIO_PACKET_CONNECT:
      *why = "CONNECT payload must be an object";
      return data == NULL || JSON_NODE_HOLDS_OBJECT (data);

    case SIO_PACKET_DISCONNECT:
      *why = "DISCONNECT takes no payload";
      return data == NULL;

    case SIO_PACKET_CONNECT_ERROR:
      *why = "CONNECT_ERROR payload must be a string or an object";
      return data != NULL &&
             (JSON_NODE_HOLDS_OBJECT (data) ||
              (JSON_NODE_HOLDS_VALUE (data) && json_node_get_value_type (data) == G_TYPE_STRING));

    case SIO_PACKET_EVENT:
    case SIO_PACKET_BINARY_EVENT:
      {
        JsonArray *array;
        JsonNode *first;
        GType first_type;

        *why = "EVENT payload must be an array starting with the event name";
        if (data == NULL || !JSON_NODE_HOLDS_ARRAY (data))
          return FALSE;
        array = json_node_get_array (data);
        if (json_array_get_length (array) == 0)
          return FALSE;
        first = json_array_get_element (array, 0);
        if (!JSON_NODE_HOLDS_VALUE (first))
          return FALSE;
        first_type = json_node_get_value_type (first);
        if (first_type == G_TYPE_INT64 || first_type == G_TYPE_DOUBLE)
          return TRUE;
        if (first_type != G_TYPE_STRING)
          return FALSE;
        *why = "EVENT name is reserved";
        return !is_reserved_event (json_node_get_string (first));
      }

    case SIO_PACKET_ACK:
    case SIO_PACKET_BINARY_ACK:
      *why = "ACK payload must be an array";
      return data != NULL && JSON_NODE_HOLDS_ARRAY (data);

    default:
      g_assert_not_reached ();
    }
}

/* Every placeholder in a BINARY_* payload must point at one of its attachments,
 * or a consumer resolving it would get nothing where the sender promised bytes. */
static gboolean
placeholders_are_valid (JsonNode *node,
                        guint     n_attachments)
{
  gint64 num = placeholder_num (node);

  if (num == -2 || num >= (gint64) n_attachments)
    return FALSE;
  if (num >= 0)
    return TRUE;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        if (!placeholders_are_valid (json_array_get_element (array, i), n_attachments))
          return FALSE;
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, NULL, &member))
        if (!placeholders_are_valid (member, n_attachments))
          return FALSE;
    }
  return TRUE;
}

static SioPacket *
decode_packet (SioDecoder  *decoder,
               const char  *data,
               gsize        len,
               guint       *n_attachments,
               GError     **error)
{
  g_autoptr(SioPacket) packet = NULL;
  const char *p = data;
  const char *end = data + len;
  SioPacketType type;
  const char *why = NULL;
  char desc[8];

  *n_attachments = 0;

  if (len == 0)
    {
      g_set_error_literal (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_EMPTY,
                           "Socket.IO packet: empty packet");
      return NULL;
    }

  if (*p < '0' || *p > '0' + SIO_PACKET_BINARY_ACK)
    {
      describe_char (*p, desc);
      g_set_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_UNKNOWN_TYPE,
                   "Socket.IO packet: unknown packet type %s", desc);
      return NULL;
    }
  type = *p++ - '0';

  packet = g_new0 (SioPacket, 1);
  packet->type = type;
  packet->id = SIO_PACKET_NO_ID;
  packet->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  if (type == SIO_PACKET_BINARY_EVENT || type == SIO_PACKET_BINARY_ACK)
    {
      guint64 n = 0;
      const char *digits = p;

      /* The official parser takes "5-" as 0 and "5 1-" as 1; we insist on digits. */
      while (p < end && g_ascii_isdigit (*p))
        {
          n = n * 10 + (*p++ - '0');
          if (n > G_MAXUINT)
            break;
        }
      if (p < end && g_ascii_isdigit (*p))
        {
          g_set_error_literal (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_TOO_MANY_ATTACHMENTS,
                               "Socket.IO packet: too many attachments");
          return NULL;
        }
      if (p == digits || p == end || *p != '-')
        {
          g_set_error_literal (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_ILLEGAL_ATTACHMENTS,
                               "Socket.IO packet: illegal attachments, expected “<count>-”");
          return NULL;
        }
      if (n > decoder->max_attachments)
        {
          g_set_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_TOO_MANY_ATTACHMENTS,
                       "Socket.IO packet: too many attachments (%" G_GUINT64_FORMAT ", at most %u)",
                       n, decoder->max_attachments);
          return NULL;
        }
      p++;
      *n_attachments = n;
    }

  if (p < end && *p == '/')
    {
      const char *comma = memchr (p, ',', end - p);
      const char *nsp_end = comma != NULL ? comma : end;

      if (!g_utf8_validate_len (p, nsp_end - p, NULL))
        {
          g_set_error_literal (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_NAMESPACE,
                               "Socket.IO packet: namespace is not valid UTF-8");
          return NULL;
        }
      packet->nsp = g_strndup (p, nsp_end - p);
      p = comma != NULL ? comma + 1 : end;
    }
  else
    packet->nsp = g_strdup ("/");

  if (p < end && g_ascii_isdigit (*p))
    {
      gint64 id = 0;

      while (p < end && g_ascii_isdigit (*p))
        {
          int digit = *p++ - '0';

          if (id > (G_MAXINT64 - digit) / 10)
            {
              g_set_error_literal (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_ID,
                                   "Socket.IO packet: ack id is too large");
              return NULL;
            }
          id = id * 10 + digit;
        }
      packet->id = id;
    }

  if (p < end)
    {
      g_autoptr(GError) local_error = NULL;

      packet->data = parse_json (decoder->parser, p, end - p, &local_error);
      if (packet->data == NULL)
        {
          g_set_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_JSON,
                       "Socket.IO packet: invalid JSON payload: %s", local_error->message);
          return NULL;
        }
    }

  if (!payload_is_valid (type, packet->data, &why))
    {
      g_set_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_PAYLOAD,
                   "Socket.IO packet: invalid payload: %s", why);
      return NULL;
    }

  if ((type == SIO_PACKET_BINARY_EVENT || type == SIO_PACKET_BINARY_ACK) &&
      !placeholders_are_valid (packet->data, *n_attachments))
    {
      g_set_error (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_INVALID_PLACEHOLDER,
                   "Socket.IO packet: a binary placeholder does not point at one of the %u attachments",
                   *n_attachments);
      return NULL;
    }

  return g_steal_pointer (&packet);
}

gboolean
sio_decoder_add_text (SioDecoder  *decoder,
                      const char  *data,
                      gsize        len,
                      SioPacket  **packet,
                      GError     **error)
{
  SioPacket *decoded;
  guint n_attachments;

  g_return_val_if_fail (decoder != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (packet != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *packet = NULL;

  if (decoder->pending != NULL)
    {
      sio_decoder_reset (decoder);
      g_set_error_literal (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_UNEXPECTED_TEXT,
                           "Socket.IO packet: got text while awaiting binary attachments");
      return FALSE;
    }

  decoded = decode_packet (decoder, data, len, &n_attachments, error);
  if (decoded == NULL)
    return FALSE;

  /* Like the official decoder, hand out BINARY_* as EVENT/ACK; the attachments
   * array says whether there is binary data. */
  if (decoded->type == SIO_PACKET_BINARY_EVENT)
    decoded->type = SIO_PACKET_EVENT;
  else if (decoded->type == SIO_PACKET_BINARY_ACK)
    decoded->type = SIO_PACKET_ACK;

  if (n_attachments > 0)
    {
      decoder->pending = decoded;
      decoder->expected = n_attachments;
      return TRUE;
    }

  *packet = decoded;
  return TRUE;
}

gboolean
sio_decoder_add_binary (SioDecoder  *decoder,
                        GBytes      *data,
                        SioPacket  **packet,
                        GError     **error)
{
  g_return_val_if_fail (decoder != NULL, FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (packet != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *packet = NULL;

  if (decoder->pending == NULL)
    {
      g_set_error_literal (error, SIO_CODEC_ERROR, SIO_CODEC_ERROR_UNEXPECTED_BINARY,
                           "Socket.IO packet: got binary data while no attachment was awaited");
      return FALSE;
    }

  g_ptr_array_add (decoder->pending->attachments, g_bytes_ref (data));
  if (decoder->pending->attachments->len == decoder->expected)
    {
      *packet = g_steal_pointer (&decoder->pending);
      decoder->expected = 0;
    }
  return TRUE;
}

gboolean
sio_decoder_add_frame (SioDecoder  *decoder,
                       gboolean     binary,
                       GBytes      *data,
                       SioPacket  **packet,
                       GError     **error)
{
  const char *text;
  gsize len;

  if (binary)
    return sio_decoder_add_binary (decoder, data, packet, error);

  text = g_bytes_get_data (data, &len);
  return sio_decoder_add_text (decoder, text, len, packet, error);
}
