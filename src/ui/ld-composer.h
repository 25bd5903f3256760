/* ld-composer.h: the message entry under the chat: a character counter,
 * Enter to send, and the reason inline when a message was refused. It only
 * collects text: whoever handles ::send asks the session and reports back
 * with ld_composer_accept() or ld_composer_refuse().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ld-message.h"
#include "ld-types.h"

G_BEGIN_DECLS

/* PROTOCOL.md section 5. */
#define LD_COMPOSER_MAX_CHARS 500

#define LD_TYPE_COMPOSER (ld_composer_get_type ())

G_DECLARE_FINAL_TYPE (LdComposer, ld_composer, LD, COMPOSER, GtkWidget)

/* Signals:
 *   send (const char *text, gboolean is_image_url)   Enter or the send button
 *   command (LdSlashCommand *command)                  a valid /timeout, /ban, /unban,
 *                                                      /delete (an invalid one is refused here)
 * Actions: composer.send (what Enter does). */
GtkWidget  *ld_composer_new           (void);
const char *ld_composer_get_text      (LdComposer *self);
void        ld_composer_set_text      (LdComposer *self,
                                       const char *text);
/* The message went out: clears the entry and any feedback. */
void        ld_composer_accept        (LdComposer *self);
/* The message was refused: keeps the text and shows MESSAGE; with
 * RETRY_IN_SECONDS > 0 a countdown says when sending is possible again. */
void        ld_composer_refuse        (LdComposer *self,
                                       const char *message,
                                       guint       retry_in_seconds);
/* The feedback shown now, or NULL. */
const char *ld_composer_get_feedback  (LdComposer *self);
/* Sending needs a room: FALSE greys the composer out with HINT as placeholder. */
void        ld_composer_set_can_send  (LdComposer *self,
                                       gboolean    can_send,
                                       const char *hint);
/* The signed-in user's sanction (from the session): while TIMED_OUT or
 * BANNED the composer is greyed out, keeps what was typed, and says so:
 * "You can write again in 0:42", counting down to UNTIL (the end of a
 * timeout; NULL for none), or "You are banned from this room", with REASON
 * (the session's sentence, may be NULL) under it. It comes back by itself
 * when UNTIL passes, or with LD_SANCTION_NONE. */
void        ld_composer_set_sanction  (LdComposer *self,
                                       LdSanction  sanction,
                                       GDateTime  *until,
                                       const char *reason);
LdSanction  ld_composer_get_sanction  (LdComposer *self);
/* What the composer says about the sanction now, or NULL. */
const char *ld_composer_get_sanction_text (LdComposer *self);
/* Whether the user can type and send now (tests). */
gboolean    ld_composer_get_writable  (LdComposer *self);
/* The room's viewers (LdViewer) whose names complete after a command or "@". */
void        ld_composer_set_names     (LdComposer *self,
                                       GListModel *viewers);
/* The completions offered for the text as it is (each the whole new text). */
char      **ld_composer_get_completions (LdComposer *self);
/* Takes a completion: the entry's text becomes TEXT, the cursor at its end. */
void        ld_composer_complete      (LdComposer *self,
                                       const char *text);
/* Answer MESSAGE (NULL: no longer): shows what is answered above the entry
 * and sends "@Name: text" (the contract's plain text). Cleared on accept. */
void        ld_composer_set_reply     (LdComposer *self,
                                       LdMessage  *message);
const char *ld_composer_get_reply_name (LdComposer *self);
/* Focuses the entry. */
void        ld_composer_focus         (LdComposer *self);

G_END_DECLS
