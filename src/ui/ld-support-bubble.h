/* ld-support-bubble.h: one message of a support conversation as a bubble:
 * the other side's on the left with their name, ours on the right, the
 * time under it, and whether ours is still sending or was refused.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ld-message.h"

G_BEGIN_DECLS

#define LD_TYPE_SUPPORT_BUBBLE (ld_support_bubble_get_type ())

G_DECLARE_FINAL_TYPE (LdSupportBubble, ld_support_bubble, LD, SUPPORT_BUBBLE, GtkWidget)

GtkWidget  *ld_support_bubble_new         (void);
LdMessage  *ld_support_bubble_get_message (LdSupportBubble *self);
void        ld_support_bubble_set_message (LdSupportBubble *self,
                                           LdMessage       *message);
/* A run of messages from the same person names them once, on the first. */
void        ld_support_bubble_set_show_name (LdSupportBubble *self,
                                             gboolean         show_name);
/* What the status line says now ("14:05", "Sending…", "Not sent: …"). */
const char *ld_support_bubble_get_status  (LdSupportBubble *self);

/* Whether it shows as an admins' internal note. */
gboolean    ld_support_bubble_get_internal (LdSupportBubble *self);

G_END_DECLS
