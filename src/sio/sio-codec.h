/* sio-codec.h: Engine.IO v4 and Socket.IO v5 packets, encoded and decoded
 * without I/O, for the client and the server alike.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define SIO_CODEC_ERROR (sio_codec_error_quark ())
GQuark sio_codec_error_quark (void);

/* Each code names what is wrong with the input; the message says where. */
typedef enum {
  SIO_CODEC_ERROR_EMPTY,                /* an empty frame or packet */
  SIO_CODEC_ERROR_UNKNOWN_TYPE,         /* the type character is not a known packet type */
  SIO_CODEC_ERROR_INVALID_BASE64,       /* "b" + base64 that does not decode */
  SIO_CODEC_ERROR_ILLEGAL_ATTACHMENTS,  /* attachment count missing, not a number, or no '-' */
  SIO_CODEC_ERROR_TOO_MANY_ATTACHMENTS, /* more than the decoder's maximum (10) */
  SIO_CODEC_ERROR_INVALID_NAMESPACE,
  SIO_CODEC_ERROR_INVALID_ID,
  SIO_CODEC_ERROR_INVALID_JSON,
  SIO_CODEC_ERROR_INVALID_PAYLOAD,      /* valid JSON of the wrong shape for the packet type */
  SIO_CODEC_ERROR_INVALID_PLACEHOLDER,  /* a binary placeholder whose num is out of range */
  SIO_CODEC_ERROR_UNEXPECTED_TEXT,      /* text while attachments were awaited */
  SIO_CODEC_ERROR_UNEXPECTED_BINARY,    /* binary while no attachment was awaited */
  SIO_CODEC_ERROR_INVALID_HANDSHAKE,
} SioCodecError;

/* ---- Engine.IO v4 ---- */

typedef enum {
  SIO_EIO_OPEN = 0,
  SIO_EIO_CLOSE,
  SIO_EIO_PING,
  SIO_EIO_PONG,
  SIO_EIO_MESSAGE,
  SIO_EIO_UPGRADE,
  SIO_EIO_NOOP,
} SioEioType;

typedef struct {
  SioEioType type;
  gboolean   binary;  /* a binary message: WebSocket binary frame, or "b"+base64 in polling */
  GBytes    *data;    /* the payload after the type character; empty, never NULL */
} SioEioPacket;

SioEioPacket *sio_eio_packet_new        (SioEioType    type,
                                         const char   *text);   /* NULL = no payload */
SioEioPacket *sio_eio_packet_new_binary (GBytes       *data);   /* a MESSAGE; transfer none */
void          sio_eio_packet_free       (SioEioPacket *packet);
/* The payload as a NUL-terminated string (text packets). */
const char   *sio_eio_packet_get_text   (const SioEioPacket *packet,
                                         gsize              *len);

/* WebSocket transport: one packet per frame. */
SioEioPacket *sio_eio_decode_text_frame   (const char   *data,
                                           gsize         len,
                                           GError      **error);
SioEioPacket *sio_eio_decode_binary_frame (GBytes       *data);
/* Text packets: "<type><payload>"; binary: the raw bytes. *binary says which frame to send. */
GBytes       *sio_eio_encode_frame        (const SioEioPacket *packet,
                                           gboolean           *binary);

/* HTTP long-polling: packets joined by the record separator 0x1e, binary as "b"+base64.
 * Returns a GPtrArray of SioEioPacket (owning, with a free func). */
GPtrArray    *sio_eio_decode_payload      (const char   *data,
                                           gsize         len,
                                           GError      **error);
GBytes       *sio_eio_encode_payload      (GPtrArray    *packets);

/* The OPEN packet's JSON. */
typedef struct {
  char   *sid;
  char  **upgrades;        /* NULL-terminated, may be empty */
  guint   ping_interval;   /* ms */
  guint   ping_timeout;    /* ms */
  gsize   max_payload;     /* bytes */
} SioEioHandshake;

SioEioHandshake *sio_eio_handshake_parse   (const char            *json,
                                            gsize                  len,
                                            GError               **error);
char            *sio_eio_handshake_to_json (const SioEioHandshake *handshake);
void             sio_eio_handshake_free    (SioEioHandshake       *handshake);

/* ---- Socket.IO v5 ---- */

typedef enum {
  SIO_PACKET_CONNECT = 0,
  SIO_PACKET_DISCONNECT,
  SIO_PACKET_EVENT,
  SIO_PACKET_ACK,
  SIO_PACKET_CONNECT_ERROR,
  SIO_PACKET_BINARY_EVENT,
  SIO_PACKET_BINARY_ACK,
} SioPacketType;

#define SIO_PACKET_NO_ID (-1)
#define SIO_DEFAULT_MAX_ATTACHMENTS 10

typedef struct {
  SioPacketType type;
  char         *nsp;          /* never NULL; "/" by default */
  gint64        id;           /* ack id, SIO_PACKET_NO_ID when absent */
  JsonNode     *data;         /* NULL when absent; binary values are placeholders
                               * {"_placeholder":true,"num":N} into attachments */
  GPtrArray    *attachments;  /* of GBytes, never NULL */
} SioPacket;

SioPacket   *sio_packet_new            (SioPacketType  type,
                                        const char    *nsp,
                                        JsonNode      *data);  /* transfer full, may be NULL */
/* An EVENT: ["event", args...]; args may be NULL (transfer none). */
SioPacket   *sio_packet_new_event      (const char    *nsp,
                                        const char    *event,
                                        JsonArray     *args);
void         sio_packet_free           (SioPacket     *packet);
/* Stores the bytes as attachment N and returns the placeholder node to put in data. */
JsonNode    *sio_packet_add_attachment (SioPacket     *packet,
                                        GBytes        *bytes);
/* The attachment a placeholder node points at, or NULL if the node is not one. */
GBytes      *sio_packet_get_attachment (const SioPacket *packet,
                                        JsonNode        *node);
/* EVENT/BINARY_EVENT: the event name (NULL if the first element is a number). */
const char  *sio_packet_get_event      (const SioPacket *packet);
/* EVENT: the arguments after the name (a new array); ACK: the arguments. */
JsonArray   *sio_packet_dup_args       (const SioPacket *packet);
/* The same arguments without a copy: the packet's array itself, its event name
 * removed, taken out of the packet (data becomes NULL, so the name from
 * sio_packet_get_event() is gone too: hold its node first). NULL as for dup. */
JsonArray   *sio_packet_steal_args     (SioPacket       *packet);

/* Encodes the packet's header frame. An EVENT or ACK with attachments is sent as
 * BINARY_EVENT / BINARY_ACK; the attachments follow as binary messages, in order.
 * The JSON is written as JSON.stringify writes it (UTF-8 unescaped, control
 * characters escaped, non-finite numbers as null). */
char        *sio_packet_encode         (const SioPacket *packet);

/* Decoder with attachment reassembly; one per connection.
 *
 * As the official decoder does, a BINARY_EVENT / BINARY_ACK comes out as
 * EVENT / ACK, its attachments filled in arrival order and its data left with
 * the placeholders (resolve them with sio_packet_get_attachment()).
 *
 * It rejects what socket.io-parser 4.2.4 rejects, and also what would be
 * ambiguous for us: an EVENT, ACK or CONNECT_ERROR without a payload (the spec
 * makes it mandatory), an attachment count that is not plain digits ("5-"),
 * an ack id beyond gint64, a placeholder that does not name one of the
 * attachments, JSON nested deeper than 256 levels, integers json-glib would
 * wrap (beyond ±(2^63-1)) and numbers beyond the double range. json-glib's
 * extensions to JSON (comments, single quotes, raw control characters, 01, .5)
 * are refused as JSON.parse refuses them. A lone UTF-16 surrogate or \u0000
 * in a string reads as U+FFFD, so every string handed out is UTF-8. */
typedef struct _SioDecoder SioDecoder;

SioDecoder  *sio_decoder_new           (guint        max_attachments);
void         sio_decoder_free          (SioDecoder  *decoder);
/* On success returns TRUE and sets *packet to a complete packet, or to NULL while
 * attachments are still awaited. On error returns FALSE and forgets the partial packet. */
gboolean     sio_decoder_add_text      (SioDecoder  *decoder,
                                        const char  *data,
                                        gsize        len,
                                        SioPacket  **packet,
                                        GError     **error);
gboolean     sio_decoder_add_binary    (SioDecoder  *decoder,
                                        GBytes      *data,
                                        SioPacket  **packet,
                                        GError     **error);
/* A frame as a transport delivered it: binary, or text. */
gboolean     sio_decoder_add_frame     (SioDecoder  *decoder,
                                        gboolean     binary,
                                        GBytes      *data,
                                        SioPacket  **packet,
                                        GError     **error);
gboolean     sio_decoder_is_reconstructing (SioDecoder *decoder);
void         sio_decoder_reset         (SioDecoder  *decoder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SioEioPacket, sio_eio_packet_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SioEioHandshake, sio_eio_handshake_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SioPacket, sio_packet_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SioDecoder, sio_decoder_free)

G_END_DECLS
