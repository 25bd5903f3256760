/* ld-chat-model.h: a room's chat as a GListModel of LdMessage, oldest first,
 * bounded by a capacity: when a batch would overflow it, the oldest are
 * dropped, at least a tenth of the capacity at once (so a full history holds
 * between 90 % and 100 % of it, and views see a removal at the top once per
 * tenth instead of with every batch).
 *
 * Appends are coalesced: they wait in a pending batch that is published with
 * at most two items-changed (one removing what the ring drops at the front,
 * one adding at the end) when the batch is flushed: 50 ms after the first
 * append of the batch, on the main context that was thread-default when the
 * model was made, or at once by ld_chat_model_flush() (a view that shows the
 * model flushes it in its next frame: "batch-pending", no arguments, is
 * emitted when a batch begins). Until then get_n_items
 * and get_item show the model as of the last flush, so a view never sees a
 * count that disagrees with the signals it got. Lookups by id see pending
 * messages too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-types.h"
#include "ld-message.h"
#include "ld-outbox.h"
#include "ld-presence-line.h"

G_BEGIN_DECLS

#define LD_TYPE_CHAT_MODEL (ld_chat_model_get_type ())

G_DECLARE_FINAL_TYPE (LdChatModel, ld_chat_model, LD, CHAT_MODEL, GObject)

#define LD_CHAT_MODEL_DEFAULT_CAPACITY 10000
#define LD_CHAT_MODEL_FLUSH_INTERVAL_MS 50
/* Joins (or leaves) this close to a line's first one are added to it. */
#define LD_CHAT_MODEL_PRESENCE_WINDOW_MS 2000

LdChatModel *ld_chat_model_new            (void);
guint        ld_chat_model_get_capacity   (LdChatModel *self);
/* Flushes first; shrinking drops the oldest messages. At least 1. Not from
 * an items-changed handler (nor is ld_chat_model_clear()). */
void         ld_chat_model_set_capacity   (LdChatModel *self,
                                           guint        capacity);
/* Returns FALSE and ignores MESSAGE if one with the same server id, or the
 * same local id, is already in the model (recentMessages repeat on
 * re-join). The server also broadcasts our own messages back as newMessage,
 * perhaps before messageSent: a received message (no local id) with the
 * same room, user id, type and content as one of ours still PENDING in
 * the model's outbox (ld_chat_model_set_outbox) confirms the oldest such
 * one (marks it sent with the received id and time) instead of being
 * added. */
gboolean     ld_chat_model_append         (LdChatModel *self,
                                           LdMessage   *message);
/* Publishes the pending batch now. From an items-changed handler, does
 * nothing: what the handler appended goes out with the next batch. */
void         ld_chat_model_flush          (LdChatModel *self);
/* Whether a batch waits to be published (from "batch-pending" until it is). */
gboolean     ld_chat_model_get_batch_pending (LdChatModel *self);
/* Messages in the model or pending, by server id / by local id; NULL if
 * unknown or dropped from the ring. */
LdMessage   *ld_chat_model_lookup         (LdChatModel *self,
                                           const char  *message_id);
LdMessage   *ld_chat_model_lookup_local   (LdChatModel *self,
                                           const char  *local_id);
/* messageSent for the pending message LOCAL_ID: gives it its server id and
 * makes it findable by that id. FALSE if LOCAL_ID is unknown. */
gboolean     ld_chat_model_mark_sent      (LdChatModel *self,
                                           const char  *local_id,
                                           const char  *message_id,
                                           GDateTime   *timestamp);
/* The outbox that holds our pending messages (the session's one): a
 * received message that is the server's broadcast of one of them confirms
 * it instead of showing twice. Without one, nothing is matched. */
void         ld_chat_model_set_outbox     (LdChatModel *self,
                                           LdOutbox    *outbox);
/* The user retries the FAILED message LOCAL_ID: PENDING again (its sender
 * puts it back in the outbox, where echoes find it). FALSE if unknown or
 * not failed. */
gboolean     ld_chat_model_retry          (LdChatModel *self,
                                           const char  *local_id);
/* messageDeleted: the message stays in the list, in state DELETED with
 * deleted-by set. FALSE if the id is unknown. */
gboolean     ld_chat_model_delete_message (LdChatModel *self,
                                           const char  *message_id,
                                           const char  *by);
/* The same, from a messageDeleted payload {roomId, messageId, by}. Returns
 * FALSE with an error for a malformed payload, FALSE without one for an
 * unknown message. */
gboolean     ld_chat_model_apply_deleted  (LdChatModel *self,
                                           JsonObject  *payload,
                                           GError     **error);
/* Removes everything (e.g. when leaving the room). */
void         ld_chat_model_clear          (LdChatModel *self);

/* What a chat view shows: the messages and, between them, who joined and
 * left (LdPresenceLine), in the order they came. Item type GObject; owned by
 * the model; published with the same batches as the messages, after them;
 * at most the capacity of entries, the oldest dropped in the same way, so
 * its oldest messages may be fewer than the model's. */
GListModel  *ld_chat_model_get_timeline   (LdChatModel *self);
/* userJoined / userLeft for USER_ID, at WHEN (NULL: now). A burst is one
 * line: the user is added to the newest line of that KIND if it began at
 * most LD_CHAT_MODEL_PRESENCE_WINDOW_MS before WHEN, or if nothing came
 * into the timeline after it; otherwise a new line starts. Someone already
 * in that line is not counted twice. Returns the line (borrowed). */
LdPresenceLine *ld_chat_model_add_presence (LdChatModel    *self,
                                            LdPresenceKind  kind,
                                            const char     *user_id,
                                            const char     *username,
                                            GDateTime      *when);

G_END_DECLS
