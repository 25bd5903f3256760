/* ld-window.h: the main window: the header (the current room's title,
 * live/ended, viewer count, the connection state), the open rooms in tabs
 * (LdRoomPage; a second tab view shows one beside the others), the current
 * room's viewers and gifts, support, notifications, and toasts for
 * transient errors. It shows one LdSession and passes what the user asks
 * for to it; the selected tab is the session's current room.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ld-chat-view.h"
#include "ld-room-page.h"
#include "ld-session.h"
#include "ld-settings.h"
#include "ld-viewer-list.h"

G_BEGIN_DECLS

#define LD_TYPE_WINDOW (ld_window_get_type ())

G_DECLARE_FINAL_TYPE (LdWindow, ld_window, LD, WINDOW, AdwApplicationWindow)

/* Actions (prefix "win."): join-room (a dialog, Ctrl+T), join-room-id (s),
 * close-room (leaves the selected room, Ctrl+W), next-room, previous-room
 * (Ctrl+Tab, Ctrl+Shift+Tab), select-room (i: 1-based, 9 the last; Alt+N),
 * split (the selected room beside the others, or back), search,
 * show-view (s: chat, viewers, gifts, dashboard, support, notifications;
 * Ctrl+N; or "chat:ROOM_ID" for that room's tab), moderation-log (the
 * current room's), moderate-user ((ssu): timeout, ban or unban in the
 * current room), toggle-hidden-user and toggle-highlighted-user (s: in
 * every room's chat, kept in the settings). A room's own moderation (its
 * chat's menu, its composer's slash commands) is its LdRoomPage's. */
/* APPLICATION may be NULL (tests). */
LdWindow     *ld_window_new               (GtkApplication *application,
                                           LdSettings     *settings);
LdSession    *ld_window_get_session       (LdWindow       *self);
/* NULL shows the signed-out page. */
void          ld_window_set_session       (LdWindow       *self,
                                           LdSession      *session);
/* Opens ROOM_ID in a tab beside the open ones and makes it current. */
void          ld_window_join_room         (LdWindow       *self,
                                           const char     *room_id);
/* Joins the rooms open at the last run (settings: open-rooms, last-room
 * shown). */
void          ld_window_restore_rooms     (LdWindow       *self);
/* ROOM_ID's page, or with NULL the current room's (else the selected tab). */
LdRoomPage   *ld_window_get_room_page     (LdWindow       *self,
                                           const char     *room_id);
AdwTabPage   *ld_window_get_room_tab      (LdWindow       *self,
                                           const char     *room_id);
/* The tabs, or with SPLIT those beside them. */
AdwTabView   *ld_window_get_tab_view      (LdWindow       *self,
                                           gboolean        split);
void          ld_window_add_toast         (LdWindow       *self,
                                           const char     *message);
/* The current room's chat view, NULL when no room is open. */
LdChatView   *ld_window_get_chat_view     (LdWindow       *self);
LdViewerList *ld_window_get_viewer_list   (LdWindow       *self);
/* The header's texts, for tests. */
const char   *ld_window_get_connection_text (LdWindow     *self);
const char   *ld_window_get_viewer_count_text (LdWindow   *self);

G_END_DECLS
