/* ld-presence-line.h: one line in the chat saying who joined or who left,
 * standing for all such events of one kind that came close together
 * ("Lan, Minh and 23 others joined"). LdChatModel makes and grows them; it
 * is in the chat model's timeline between the messages.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  LD_PRESENCE_JOINED,
  LD_PRESENCE_LEFT,
} LdPresenceKind;

/* Names kept for the details; the count goes on beyond. */
#define LD_PRESENCE_LINE_MAX_NAMES 30

#define LD_TYPE_PRESENCE_LINE (ld_presence_line_get_type ())

G_DECLARE_FINAL_TYPE (LdPresenceLine, ld_presence_line, LD, PRESENCE_LINE, GObject)

/* TIMESTAMP: the first event's time (NULL: now). */
LdPresenceLine  *ld_presence_line_new           (LdPresenceKind  kind,
                                                 GDateTime      *timestamp);
LdPresenceKind   ld_presence_line_get_kind      (LdPresenceLine *self);
GDateTime       *ld_presence_line_get_timestamp (LdPresenceLine *self);
/* How many users it stands for (notified as "count"). */
guint            ld_presence_line_get_count     (LdPresenceLine *self);
/* Counts USER_ID in, named USERNAME (NULL: the id). FALSE, and nothing
 * changes, if they are counted already or the line is sealed. */
gboolean         ld_presence_line_add           (LdPresenceLine *self,
                                                 const char     *user_id,
                                                 const char     *username);
/* No more users: forgets the ids it kept to count each user once. */
void             ld_presence_line_seal          (LdPresenceLine *self);
gboolean         ld_presence_line_is_sealed     (LdPresenceLine *self);
/* The first LD_PRESENCE_LINE_MAX_NAMES names, in order of arrival. */
const char * const *ld_presence_line_get_names  (LdPresenceLine *self);
/* "Lan joined", "Lan and Minh joined", "Lan, Minh and 23 others joined";
 * translated, plain text. */
char            *ld_presence_line_dup_summary   (LdPresenceLine *self);
/* Every name kept, comma-separated, and "and N more" beyond them. */
char            *ld_presence_line_dup_details   (LdPresenceLine *self);

G_END_DECLS
