/* ld-validate.h: the checks of PROTOCOL.md section 5, as pure functions.
 *
 * Nothing here knows a socket, a room's state or the gateway: the client core
 * runs the same checks before sending, so both ends refuse the same input
 * with the same protocol error code. Depends on GLib, GIO and json-glib only.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ld-wire-error.h"

G_BEGIN_DECLS


#define LD_MESSAGE_MAX_CHARS 500
#define LD_GIFT_MESSAGE_MAX_CHARS 200
#define LD_GIFT_MAX_QUANTITY 100
#define LD_ID_MAX_CHARS 50
/* [ext] Support ticket ids: the gateway hands out UUIDs. */
#define LD_TICKET_ID_MAX_CHARS 64
/* Names and other free-text identity fields; the guide sets no limit, this
 * only stops one payload from filling every viewer list with megabytes. */
#define LD_NAME_MAX_CHARS 100
#define LD_IMAGE_URL_MAX_BYTES 2048

typedef enum
{
  /* What the guide's server accepts: http or https. */
  LD_IMAGE_URL_ALLOW_HTTP,
  /* What a desktop client sends: https only. */
  LD_IMAGE_URL_HTTPS_ONLY,
} LdImageUrlPolicy;


/* ^[a-zA-Z0-9_]{1,50}$ */
gboolean    ld_validate_room_id          (const char       *room_id,
                                          GError          **error);
/* ^[a-zA-Z0-9]{1,50}$ */
gboolean    ld_validate_user_id          (const char       *user_id,
                                          GError          **error);

/* Trimmed, with every '<' and '>' removed: what the guide's sanitiser sends. */
char       *ld_sanitize_text             (const char       *text);
/* <script…</script>, javascript:, on…= handlers, eval( — in any case. */
gboolean    ld_text_has_forbidden_content (const char      *text);
/* Checks a chat text and returns its sanitised form, at most MAX_CHARS
 * characters (not bytes: Vietnamese is multi-byte UTF-8). Content is checked
 * before sanitising, since removing '<' would hide a script tag. */
char       *ld_validate_text             (const char       *text,
                                          guint             max_chars,
                                          GError          **error);
gboolean    ld_validate_image_url        (const char       *url,
                                          LdImageUrlPolicy  policy,
                                          GError          **error);

/* A sendGift payload once checked: the gift fields the sender chose. The
 * sender's identity is not here, since the gateway takes it from the token. */
typedef struct
{
  char   *room_id;
  char   *receiver_id;
  char   *receiver_name;  /* "" when absent */
  char   *gift_id;
  char   *gift_name;
  char   *gift_type;
  double  gift_value;
  guint   quantity;       /* 1–100, 1 when absent */
  char   *message;        /* sanitised; "" when absent */
  char   *animation;      /* "default" when absent */
} LdGiftRequest;

#define LD_TYPE_GIFT_REQUEST (ld_gift_request_get_type ())

GType       ld_gift_request_get_type             (void) G_GNUC_CONST;
LdGiftRequest     *ld_gift_request_copy                 (const LdGiftRequest     *gift);
void        ld_gift_request_free                 (LdGiftRequest           *gift);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LdGiftRequest, ld_gift_request_free)

/* INVALID_PAYLOAD for a bad room id or a field of the wrong JSON type,
 * INVALID_GIFT for a missing gift field or a quantity out of range,
 * and the text errors for the gift's message. */
LdGiftRequest     *ld_validate_gift             (JsonObject       *payload,
                                          GError          **error);

/* Typed access to an event payload. Missing and null members are "absent";
 * a member of another JSON type is INVALID_PAYLOAD, never coerced. */
gboolean    ld_validate_member_string        (JsonObject       *payload,
                                          const char       *name,
                                          gboolean          required,
                                          const char      **out_value,
                                          GError          **error);
gboolean    ld_validate_member_int           (JsonObject       *payload,
                                          const char       *name,
                                          gboolean          required,
                                          gint64           *out_value,
                                          GError          **error);
/* [ext] "ticketId": 1 to LD_TICKET_ID_MAX_CHARS letters, digits or "-". */
gboolean    ld_validate_ticket_id            (const char       *ticket_id,
                                          GError          **error);
gboolean    ld_validate_member_ticket_id     (JsonObject       *payload,
                                          const char      **out_ticket_id,
                                          GError          **error);
/* The room id member "roomId", present and well-formed. */
gboolean    ld_validate_member_room_id       (JsonObject       *payload,
                                          const char      **out_room_id,
                                          GError          **error);

G_END_DECLS
