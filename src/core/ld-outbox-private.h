/* ld-outbox-private.h: how a session hands its outbox the connection, and
 * what rooms and the session's other sends use of it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "sio-client.h"

#include "ld-clock.h"
#include "ld-outbox.h"
#include "ld-room.h"

G_BEGIN_DECLS

/* What the outbox asks of its session (SESSION, given to _ld_outbox_attach):
 * the one connection, whether it is online, its rooms and its user. */
typedef struct
{
  SioClient  *(*get_client)    (gpointer     session);
  gboolean    (*is_online)     (gpointer     session);
  /* TRUE with the reason when signed out. */
  gboolean    (*is_signed_out) (gpointer     session,
                                const char **reason);
  /* The room of ROOM_ID the session is in, re-joins or was banned from. */
  LdRoom     *(*lookup_room)   (gpointer     session,
                                const char  *room_id);
  /* The signed-in user as the server named them (NULL until it did), and
   * the id a new message carries (the token's until then). */
  void        (*get_user)      (gpointer     session,
                                const char **user_id,
                                const char **username,
                                LdRole      *role,
                                const char **own_id);
} LdOutboxHost;

/* Sends on SESSION's connection from now on; HOST must outlive SELF or
 * _ld_outbox_detach(). CLOCK NULL: real time. */
void       _ld_outbox_attach       (LdOutbox           *self,
                                    const LdOutboxHost *host,
                                    gpointer            session,
                                    GCancellable       *cancellable,
                                    LdClock            *clock);
/* The session goes: nothing more is sent; what waits is dropped and the
 * answer of the one on the wire, if it still comes, ignored. */
void       _ld_outbox_detach       (LdOutbox           *self);
/* Sends what may go now: the session is online, a room was joined. */
void       _ld_outbox_flush        (LdOutbox           *self);
/* The messageSent / sendMessageError event for the message on the wire. */
void       _ld_outbox_settle       (LdOutbox           *self,
                                    JsonNode           *answer);

/* A new message of ours in ROOM: checked (PROTOCOL.md section 5), bounded
 * and rate-limited, into the room's chat as PENDING and sent in turn; see
 * ld_room_send_text(). */
LdMessage *_ld_outbox_send         (LdOutbox           *self,
                                    LdRoom             *room,
                                    LdMessageType       type,
                                    const char         *content,
                                    GError            **error);
/* A FAILED message of ours in ROOM back in its place. */
gboolean   _ld_outbox_retry        (LdOutbox           *self,
                                    LdRoom             *room,
                                    LdMessage          *message);

/* The rate limits count every send of the user's (gifts, support too):
 * records one, or FALSE with RATE_LIMITED and how long to wait. */
gboolean   _ld_outbox_check_rate   (LdOutbox           *self,
                                    GError            **error);
/* A refusal of the contract's checks (ld-validate) with a reason for the
 * user in their language, one per kind of failure; the code stays. */
void       _ld_outbox_contract_error (GError          **error,
                                      GError           *validation,
                                      guint             max_chars);
/* TEXT checked and sanitised as the guide's clients send it, or NULL with
 * the contract's refusal. */
char      *_ld_outbox_checked_text (const char         *text,
                                    guint               max_chars,
                                    GError            **error);

G_END_DECLS
