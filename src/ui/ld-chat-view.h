/* ld-chat-view.h: a room's chat: the message list (virtualized, sticking to
 * the newest message unless the user scrolled up), search, moderation menu
 * and the composer. It shows a chat model and reports what the user asks
 * for through signals; it never talks to the server itself.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ld-chat-model.h"
#include "ld-composer.h"

G_BEGIN_DECLS

/* What a moderation request asks for (values of LdModeration in ld-session.h). */
typedef enum
{
  LD_CHAT_VIEW_DELETE,
  LD_CHAT_VIEW_TIMEOUT,
  LD_CHAT_VIEW_BAN,
} LdChatViewModeration;

#define LD_TYPE_CHAT_VIEW (ld_chat_view_get_type ())

G_DECLARE_FINAL_TYPE (LdChatView, ld_chat_view, LD, CHAT_VIEW, GtkWidget)

/* Signals:
 *   retry (LdMessage *message)                        Retry on a failed message of ours
 *   moderate (LdChatViewModeration action, LdMessage *message, guint seconds)
 *                                                     from the message menu
 *   user-activated (const char *user_id, const char *username, LdRole role, GtkWidget *anchor)
 *                                                     a click on an author, or the menu
 * Actions (prefix "chat."): search, delete, timeout (u), ban, retry (s: local id),
 * scroll-to-newest, user-card. */
GtkWidget   *ld_chat_view_new                 (void);
LdChatModel *ld_chat_view_get_model           (LdChatView  *self);
void         ld_chat_view_set_model           (LdChatView  *self,
                                               LdChatModel *model);
LdComposer  *ld_chat_view_get_composer        (LdChatView  *self);
gboolean     ld_chat_view_get_can_moderate    (LdChatView  *self);
void         ld_chat_view_set_can_moderate    (LdChatView  *self,
                                               gboolean     can_moderate);
/* The signed-in user's role: Time Out and Ban are offered only on messages
 * of a lower role (ld-rank.h). Until set, the server decides. */
void         ld_chat_view_set_own_role        (LdChatView  *self,
                                               LdRole       role);
void         ld_chat_view_set_clock_12h       (LdChatView  *self,
                                               gboolean     clock_12h);
/* The signed-in user's name, for mention highlighting. */
void         ld_chat_view_set_own_name        (LdChatView  *self,
                                               const char  *username);
/* Messages containing one of WORDS are highlighted (a local filter). */
void         ld_chat_view_set_highlight_words (LdChatView         *self,
                                               const char * const *words);
/* Whether the view follows new messages (FALSE once scrolled up). */
gboolean     ld_chat_view_get_sticky          (LdChatView  *self);
/* Messages that arrived while scrolled up ("N new messages"). */
guint        ld_chat_view_get_unseen          (LdChatView  *self);
void         ld_chat_view_scroll_to_newest    (LdChatView  *self);
/* The list's vertical scroll position (tests). */
GtkAdjustment *ld_chat_view_get_vadjustment   (LdChatView  *self);
/* Shows the message menu for MESSAGE as a right click would (tests,
 * keyboard). */
void         ld_chat_view_set_context_message (LdChatView  *self,
                                               LdMessage   *message);
/* The selected messages as text, "[HH:MM] Name: text" a line, oldest
 * first (what Ctrl+C copies); NULL when none is selected. */
char        *ld_chat_view_get_selection_text  (LdChatView  *self);
/* The message /delete acts on: the last selected one, else the one whose
 * menu was opened last; NULL for none. */
LdMessage   *ld_chat_view_get_selected_message (LdChatView *self);
/* Selects the shown item at POSITION (tests, keyboard); EXTEND adds it. */
void         ld_chat_view_select              (LdChatView  *self,
                                               guint        position,
                                               gboolean     extend);
/* The message menu as it is for the context message (tests): Copy, Reply,
 * the moderation items, and "Open Link to HOST" (chat.open-link, s) for
 * each link in it. */
GMenuModel  *ld_chat_view_get_message_menu    (LdChatView  *self);
/* The list shown now (the search applied): the model's timeline, messages
 * (LdMessage) and who joined or left (LdPresenceLine). */
GListModel  *ld_chat_view_get_shown           (LdChatView  *self);
void         ld_chat_view_set_search          (LdChatView  *self,
                                               const char  *text);
/* Highlights a user's messages in this view (nothing is sent). */
gboolean     ld_chat_view_is_user_highlighted (LdChatView  *self,
                                               const char  *user_id);
void         ld_chat_view_set_user_highlighted (LdChatView *self,
                                                const char *user_id,
                                                gboolean    highlighted);
/* Hides a user's messages in this view only (nothing is sent). */
gboolean     ld_chat_view_is_user_hidden      (LdChatView  *self,
                                               const char  *user_id);
void         ld_chat_view_set_user_hidden     (LdChatView  *self,
                                               const char  *user_id,
                                               gboolean     hidden);

G_END_DECLS
