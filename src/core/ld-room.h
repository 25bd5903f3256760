/* ld-room.h: one room a session is in, on the session's one connection.
 *
 * A room has its own chat, viewer list, gift queue, sanctions and room
 * info (title, status, viewer count), fed by the events the session
 * receives for it; it re-joins by itself after a reconnect. LdSession
 * makes and owns rooms (ld_session_join_room_async, ld_session_get_room);
 * what the server sends reaches a room's models and signals, never as JSON.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-types.h"
#include "ld-chat-model.h"
#include "ld-gift-queue.h"
#include "ld-message.h"
#include "ld-viewer-model.h"

G_BEGIN_DECLS

#define LD_TYPE_ROOM (ld_room_get_type ())

G_DECLARE_FINAL_TYPE (LdRoom, ld_room, LD, ROOM, GObject)

const char    *ld_room_get_id              (LdRoom *self);
const char    *ld_room_get_title           (LdRoom *self);
/* "live", "ended" or NULL when unknown. */
const char    *ld_room_get_status          (LdRoom *self);
guint          ld_room_get_viewer_count    (LdRoom *self);
/* In the room on the current connection (joinedRoom came). */
gboolean       ld_room_get_joined          (LdRoom *self);
/* Taken out by a ban: the chat stays as it was, no re-join. */
gboolean       ld_room_get_banned          (LdRoom *self);

LdChatModel   *ld_room_get_chat            (LdRoom *self);
LdViewerModel *ld_room_get_viewers         (LdRoom *self);
LdGiftQueue   *ld_room_get_gifts           (LdRoom *self);

/* The signed-in user's own sanction here (userTimedOut, userBanned), with
 * a translated reason; a timeout lifts by itself at its end. */
LdSanction     ld_room_get_sanction        (LdRoom *self);
GDateTime     *ld_room_get_sanction_until  (LdRoom *self);
const char    *ld_room_get_sanction_reason (LdRoom *self);

G_END_DECLS
