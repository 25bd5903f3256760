/* ld-message.h: one chat message, as received (newMessage,
 * chatMessageFromBackend) or as sent from this client (the outbox).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ld-types.h"
#include "ld-enums.h"

G_BEGIN_DECLS

#define LD_TYPE_MESSAGE (ld_message_get_type ())

G_DECLARE_FINAL_TYPE (LdMessage, ld_message, LD, MESSAGE, GObject)

/* A newMessage payload: messageId, roomId and userId are required; username
 * defaults to userId, role to viewer, messageType to "text", timestamp to now.
 * A text message needs "message", an image one "imageUrl". The result is SENT. */
LdMessage      *ld_message_new_from_json      (JsonObject     *object,
                                               GError        **error);
/* A chatMessageFromBackend payload: {type: "chat_message", data: {newMessage fields}}. */
LdMessage      *ld_message_new_from_backend   (JsonObject     *object,
                                               GError        **error);
/* A message this client is about to send: PENDING, is-own, with a fresh
 * local-id that the outbox uses to find it again when messageSent or
 * sendMessageError arrives. CONTENT is the text, or the URL for an image. */
LdMessage      *ld_message_new_outgoing       (const char     *room_id,
                                               const char     *user_id,
                                               const char     *username,
                                               LdRole          role,
                                               LdMessageType   message_type,
                                               const char     *content);

const char     *ld_message_get_id             (LdMessage      *self);
const char     *ld_message_get_room_id        (LdMessage      *self);
const char     *ld_message_get_user_id        (LdMessage      *self);
const char     *ld_message_get_username       (LdMessage      *self);
LdRole          ld_message_get_role           (LdMessage      *self);
/* The text; for an image message, its caption if any (usually NULL). */
const char     *ld_message_get_text           (LdMessage      *self);
LdMessageType   ld_message_get_message_type   (LdMessage      *self);
const char     *ld_message_get_image_url      (LdMessage      *self);
GDateTime      *ld_message_get_timestamp      (LdMessage      *self);
LdMessageState  ld_message_get_state          (LdMessage      *self);
const char     *ld_message_get_failure_reason (LdMessage      *self);
const char     *ld_message_get_deleted_by     (LdMessage      *self);
const char     *ld_message_get_local_id       (LdMessage      *self);
gboolean        ld_message_get_is_own         (LdMessage      *self);
void            ld_message_set_is_own         (LdMessage      *self,
                                               gboolean        is_own);

/* The server accepted it (messageSent): it now has the server's id and time.
 * TIMESTAMP may be NULL to keep the local one. Use ld_chat_model_mark_sent()
 * for a message in a model, so the model can find it by its new id. */
void            ld_message_mark_sent          (LdMessage      *self,
                                               const char     *message_id,
                                               GDateTime      *timestamp);
void            ld_message_mark_failed        (LdMessage      *self,
                                               const char     *reason);
/* The user retries a FAILED message: PENDING again, reason cleared. Use
 * ld_chat_model_retry() for a message in a model, so its echo is matched. */
void            ld_message_mark_pending       (LdMessage      *self);
/* BY: who deleted it (a moderator's user id), may be NULL. */
void            ld_message_mark_deleted       (LdMessage      *self,
                                               const char     *by);

G_END_DECLS
