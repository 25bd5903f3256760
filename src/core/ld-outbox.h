/* ld-outbox.h: the one outbox: what the user sent and the server has not
 * confirmed yet, for every room of a session, and the sending of it.
 *
 * Messages wait in the order they were written (a retried one keeps its
 * place) and go out one at a time on the session's connection
 * (sendMessage / sendImageMessage) while it is online and their room is
 * joined; the answer is the ack or the messageSent / sendMessageError
 * event, whichever comes first. One lost with the connection, refused for
 * a token or for sending too fast goes back in its place, so nothing is
 * sent twice and nothing overtakes. The outbox also knows every message of
 * ours still pending, so that the server's broadcast of one (its echo,
 * which may come before the ack) confirms it instead of showing it twice.
 * It is bounded: past its capacity it refuses. It keeps the guide's rate
 * limits (1/s, 30/min) for everything the user sends, and says how long
 * to wait as a number (retry-ms), not a sentence.
 *
 * A session's outbox is ld_session_get_outbox(); messages go in with
 * ld_room_send_text(), ld_room_send_image(), ld_room_retry_message().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-message.h"

G_BEGIN_DECLS

#define LD_OUTBOX_DEFAULT_CAPACITY 100

#define LD_OUTBOX_ERROR (ld_outbox_error_quark ())
GQuark ld_outbox_error_quark (void);

typedef enum
{
  LD_OUTBOX_ERROR_FULL, /* CAPACITY messages wait already */
} LdOutboxError;

/* What ld_outbox_take_next() does with a waiting message. */
typedef enum
{
  LD_OUTBOX_SEND, /* take it */
  LD_OUTBOX_WAIT, /* leave it in its place (its room is being re-joined) */
  LD_OUTBOX_FAIL, /* fail it with the given reason (its room was left) */
} LdOutboxVerdict;

typedef LdOutboxVerdict (*LdOutboxFilter) (LdMessage *message,
                                           gpointer   user_data);

#define LD_TYPE_OUTBOX (ld_outbox_get_type ())

G_DECLARE_FINAL_TYPE (LdOutbox, ld_outbox, LD, OUTBOX, GObject)

/* CAPACITY 0: LD_OUTBOX_DEFAULT_CAPACITY. */
LdOutbox  *ld_outbox_new            (guint           capacity);
guint      ld_outbox_get_capacity   (LdOutbox       *self);
/* Messages not confirmed yet: those waiting and the one on the wire
 * (notify::length). */
guint      ld_outbox_get_length     (LdOutbox       *self);
/* Past the capacity in waiting messages: a new one is refused. */
gboolean   ld_outbox_is_full        (LdOutbox       *self);
/* How long until the rate limits let the next send go, in ms (0: now):
 * a RATE_LIMITED refusal's wait, as a number to count down
 * (notify::retry-ms when a send starts or ends a wait). */
gint64     ld_outbox_get_retry_ms   (LdOutbox       *self);
/* The protocol code ("FORBIDDEN", …) with which the server refused a
 * FAILED message of ours, or NULL. */
const char *ld_outbox_get_refusal_code (LdMessage   *message);

/* A new message of ours (PENDING, with a local id) to send after the
 * others; FALSE with LD_OUTBOX_ERROR_FULL when full. */
gboolean   ld_outbox_push           (LdOutbox       *self,
                                     LdMessage      *message,
                                     GError        **error);
/* Back in its place: lost with the connection, refused for a token, told
 * to wait, or retried by the user. Never refused. */
void       ld_outbox_requeue        (LdOutbox       *self,
                                     LdMessage      *message);
/* The oldest waiting message FILTER says to send, taken out (a new
 * reference); those no longer PENDING are dropped, those FILTER fails are
 * marked FAILED with REASON. NULL when none may go. */
LdMessage *ld_outbox_take_next      (LdOutbox       *self,
                                     LdOutboxFilter  filter,
                                     gpointer        user_data,
                                     const char     *reason);
/* Fails and drops every waiting message of ROOM_ID. */
void       ld_outbox_fail_room      (LdOutbox       *self,
                                     const char     *room_id,
                                     const char     *reason);
/* Our pending message ECHO (the server's broadcast) is the copy of: same
 * room, sender, type and content, oldest first (a new reference); NULL
 * if none. It is no longer matched after this. */
LdMessage *ld_outbox_take_echo      (LdOutbox       *self,
                                     LdMessage      *echo);
void       ld_outbox_clear          (LdOutbox       *self);

G_END_DECLS
