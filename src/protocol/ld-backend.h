/* ld-backend.h: the envelopes in which the platform's backend publishes
 * through Redis (chatMessageFromBackend, giftFromBackend).
 *
 * The production gateway relays them in two shapes: the contract's
 * {type, data: {…}} and the guide's publishChatMessage/publishGift, flat
 * ({type, roomId, userId, …} with no messageId). A reader takes either.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define LD_BACKEND_CHAT_MESSAGE "chat_message"
#define LD_BACKEND_GIFT_SEND "gift_send"

/* The object that carries the message or gift itself (borrowed from
 * PAYLOAD): its `data` member when that is an object, else PAYLOAD. NULL
 * when a `type` is given, outside or inside, and is not TYPE. */
JsonObject *ld_backend_unwrap (JsonObject *payload,
                               const char *type);

G_END_DECLS
