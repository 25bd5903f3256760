/* ld-viewer-list.h: the people in the room, sorted by role then name (the
 * model's order), with a count and a search.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ld-viewer-model.h"

G_BEGIN_DECLS

#define LD_TYPE_VIEWER_LIST (ld_viewer_list_get_type ())

G_DECLARE_FINAL_TYPE (LdViewerList, ld_viewer_list, LD, VIEWER_LIST, GtkWidget)

/* Signals:
 *   user-activated (const char *user_id, const char *username, LdRole role, GtkWidget *anchor) */
GtkWidget     *ld_viewer_list_new        (void);
LdViewerModel *ld_viewer_list_get_model  (LdViewerList  *self);
void           ld_viewer_list_set_model  (LdViewerList  *self,
                                          LdViewerModel *model);
void           ld_viewer_list_set_search (LdViewerList  *self,
                                          const char    *text);
/* The viewers shown now (the search applied). */
GListModel    *ld_viewer_list_get_shown  (LdViewerList  *self);

G_END_DECLS
