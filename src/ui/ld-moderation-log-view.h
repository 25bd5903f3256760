/* ld-moderation-log-view.h: a room's moderation log, searchable, with an
 * Unban button on bans for moderators.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ld-moderation-log.h"

G_BEGIN_DECLS

#define LD_TYPE_MODERATION_LOG_VIEW (ld_moderation_log_view_get_type ())

G_DECLARE_FINAL_TYPE (LdModerationLogView, ld_moderation_log_view, LD, MODERATION_LOG_VIEW, GtkWidget)

GtkWidget       *ld_moderation_log_view_new              (void);
void             ld_moderation_log_view_set_log          (LdModerationLogView *self,
                                                          LdModerationLog     *log);
LdModerationLog *ld_moderation_log_view_get_log          (LdModerationLogView *self);
void             ld_moderation_log_view_set_can_moderate (LdModerationLogView *self,
                                                          gboolean             can_moderate);
void             ld_moderation_log_view_set_search       (LdModerationLogView *self,
                                                          const char          *text);
/* The entries shown (the search applied), newest first. */
GListModel      *ld_moderation_log_view_get_shown        (LdModerationLogView *self);

G_END_DECLS
