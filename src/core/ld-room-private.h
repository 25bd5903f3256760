/* ld-room-private.h: what LdSession does to its rooms.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ld-events.h"
#include "ld-gift.h"
#include "ld-room.h"

G_BEGIN_DECLS

/* ROOM_ID NULL: the empty stand-in a session shows while in no room. */
LdRoom   *_ld_room_new              (const char *room_id);
/* Whose presence lines and sanctions are the user's own. */
void      _ld_room_set_own_user     (LdRoom     *self,
                                     const char *user_id);
void      _ld_room_set_joined       (LdRoom     *self,
                                     gboolean    joined);
gboolean  _ld_room_get_joining      (LdRoom     *self);
void      _ld_room_set_joining      (LdRoom     *self,
                                     gboolean    joining);
/* The user's own sanction, as a timeout kept across leaving the room. */
void      _ld_room_set_sanction     (LdRoom     *self,
                                     LdSanction  sanction,
                                     GDateTime  *until,
                                     const char *reason);
/* Back in after a ban: it re-joins again. */
void      _ld_room_set_banned       (LdRoom     *self,
                                     gboolean    banned);

/* joinedRoom's data: viewers, info, history (repeats are dropped). */
void      _ld_room_apply_joined     (LdRoom     *self,
                                     JsonObject *data);
void      _ld_room_apply_update     (LdRoom     *self,
                                     JsonObject *payload);
void      _ld_room_apply_count      (LdRoom     *self,
                                     JsonObject *data);
void      _ld_room_apply_people     (LdRoom     *self,
                                     LdEvent     event,
                                     JsonObject *payload);
/* TRUE when the user was banned from the room by it. */
gboolean  _ld_room_apply_sanction   (LdRoom     *self,
                                     LdEvent     event,
                                     JsonObject *payload);
void      _ld_room_apply_deleted    (LdRoom     *self,
                                     JsonObject *payload);
/* A live message: into the chat, and ::message-received when it is someone
 * else's and new. */
void      _ld_room_receive_message  (LdRoom     *self,
                                     LdMessage  *message);
void      _ld_room_receive_gift     (LdRoom     *self,
                                     LdGift     *gift);
/* Out of the room: viewers, sanctions and info go; the chat too unless a
 * ban keeps it as the user saw it. */
void      _ld_room_clear            (LdRoom     *self,
                                     gboolean    keep_chat);

G_END_DECLS
