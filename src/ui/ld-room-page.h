/* ld-room-page.h: one open room in the window: its chat and composer, fed
 * by that room's models (LdRoom), whatever room the session calls current.
 * It counts what arrived while it was not shown (unread, and whether one of
 * those mentions the user) for its tab, sends what the user writes into
 * its own room, and moderates there: the chat's menu, the composer's slash
 * commands (names resolved among this room's viewers and chat, /delete on
 * the message selected here) and the composer's name completion.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ld-chat-view.h"
#include "ld-session.h"

G_BEGIN_DECLS

#define LD_TYPE_ROOM_PAGE (ld_room_page_get_type ())

G_DECLARE_FINAL_TYPE (LdRoomPage, ld_room_page, LD, ROOM_PAGE, GtkWidget)

/* Properties: room, session, title (the room's title or id), unread (uint),
 * mentioned (boolean). */
LdRoomPage *ld_room_page_new            (LdSession  *session,
                                         LdRoom     *room);
LdRoom     *ld_room_page_get_room       (LdRoomPage *self);
const char *ld_room_page_get_room_id    (LdRoomPage *self);
LdChatView *ld_room_page_get_chat_view  (LdRoomPage *self);
const char *ld_room_page_get_title      (LdRoomPage *self);
guint       ld_room_page_get_unread     (LdRoomPage *self);
gboolean    ld_room_page_get_mentioned  (LdRoomPage *self);
/* Shown to the user: what came in is read. While not shown, new messages
 * count as unread. */
void        ld_room_page_set_shown      (LdRoomPage *self,
                                         gboolean    shown);
/* Makes this page's room the session's current one (what the header, the
 * viewers, the gift stage and the overlay follow). */
void        ld_room_page_make_current   (LdRoomPage *self);
/* ACTION in this room on TARGET (a user id; a message id for a delete),
 * through the moderation dialog (asking first, except for a delete), with
 * a toast once the server confirmed it or refused. */
void        ld_room_page_moderate       (LdRoomPage   *self,
                                         LdModeration  action,
                                         const char   *target,
                                         const char   *username,
                                         guint         seconds);

G_END_DECLS
