/* ld-window.h: the main window: the room's header (title, live/ended,
 * viewer count, connection state), the chat, viewers and the other views,
 * and toasts for transient errors. It shows one LdSession and passes what
 * the user asks for to it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ld-chat-view.h"
#include "ld-session.h"
#include "ld-settings.h"
#include "ld-viewer-list.h"

G_BEGIN_DECLS

#define LD_TYPE_WINDOW (ld_window_get_type ())

G_DECLARE_FINAL_TYPE (LdWindow, ld_window, LD, WINDOW, AdwApplicationWindow)

/* Actions (prefix "win."): join-room (a dialog), join-room-id (s), search,
 * show-view (s: chat, viewers, gifts, support, notifications). */
/* APPLICATION may be NULL (tests). */
LdWindow     *ld_window_new               (GtkApplication *application,
                                           LdSettings     *settings);
LdSession    *ld_window_get_session       (LdWindow       *self);
/* NULL shows the signed-out page. */
void          ld_window_set_session       (LdWindow       *self,
                                           LdSession      *session);
void          ld_window_join_room         (LdWindow       *self,
                                           const char     *room_id);
void          ld_window_add_toast         (LdWindow       *self,
                                           const char     *message);
LdChatView   *ld_window_get_chat_view     (LdWindow       *self);
LdViewerList *ld_window_get_viewer_list   (LdWindow       *self);
/* The header's texts, for tests. */
const char   *ld_window_get_connection_text (LdWindow     *self);
const char   *ld_window_get_viewer_count_text (LdWindow   *self);

G_END_DECLS
