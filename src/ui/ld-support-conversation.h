/* ld-support-conversation.h: a support conversation (a ticket's messages as
 * bubbles, the newest at the bottom) above an entry to write in it.
 *
 * It only collects text: whoever handles ::send asks the session and reports
 * back. While a message is sending the entry waits; on a refusal the text
 * stays where it was typed and the reason shows above it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* PROTOCOL.md section 5. */
#define LD_SUPPORT_CONVERSATION_MAX_CHARS 500

#define LD_TYPE_SUPPORT_CONVERSATION (ld_support_conversation_get_type ())

G_DECLARE_FINAL_TYPE (LdSupportConversation, ld_support_conversation, LD, SUPPORT_CONVERSATION, GtkWidget)

/* Signals:
 *   send (const char *text)   Enter or the send button; the entry waits
 *                             until _accept() or _refuse().
 * Actions: conversation.send (what Enter does). */
GtkWidget  *ld_support_conversation_new             (void);
/* A GListModel of LdMessage (a ticket's), or NULL for none. */
void        ld_support_conversation_set_messages    (LdSupportConversation *self,
                                                     GListModel            *messages);
GListModel *ld_support_conversation_get_messages    (LdSupportConversation *self);
/* What shows while there are no messages. */
void        ld_support_conversation_set_empty_state (LdSupportConversation *self,
                                                     const char            *icon_name,
                                                     const char            *title,
                                                     const char            *description);
void        ld_support_conversation_set_placeholder (LdSupportConversation *self,
                                                     const char            *placeholder);
const char *ld_support_conversation_get_text        (LdSupportConversation *self);
void        ld_support_conversation_set_text        (LdSupportConversation *self,
                                                     const char            *text);
gboolean    ld_support_conversation_get_sending     (LdSupportConversation *self);
/* The message went out: clears the entry (unless the user typed on). */
void        ld_support_conversation_accept          (LdSupportConversation *self);
/* It was refused: the text stays and MESSAGE shows inline. */
void        ld_support_conversation_refuse          (LdSupportConversation *self,
                                                     const char            *message);
/* The refusal shown now, or NULL. */
const char *ld_support_conversation_get_error       (LdSupportConversation *self);
/* FALSE greys the entry out with HINT as its placeholder (offline). */
void        ld_support_conversation_set_can_send    (LdSupportConversation *self,
                                                     gboolean               can_send,
                                                     const char            *hint);
void        ld_support_conversation_focus           (LdSupportConversation *self);
void        ld_support_conversation_scroll_to_end   (LdSupportConversation *self);

/* For admins: the canned replies' menu and the internal-note switch. */
void        ld_support_conversation_set_admin_tools (LdSupportConversation *self,
                                                     gboolean               admin_tools);
/* Whether what is typed goes as an internal note. */
gboolean    ld_support_conversation_get_note        (LdSupportConversation *self);
void        ld_support_conversation_set_note        (LdSupportConversation *self,
                                                     gboolean               note);
void        ld_support_conversation_set_canned_menu (LdSupportConversation *self,
                                                     GMenuModel            *menu);
/* TEXT where the cursor is (a canned reply). */
void        ld_support_conversation_insert_text     (LdSupportConversation *self,
                                                     const char            *text);

G_END_DECLS
