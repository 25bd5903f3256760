/* ld-viewer-model.h: a room's viewers as a GListModel of LdViewer, sorted
 * by ld_viewer_compare(), one entry per user id.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-types.h"
#include "ld-viewer.h"

G_BEGIN_DECLS

#define LD_TYPE_VIEWER_MODEL (ld_viewer_model_get_type ())

G_DECLARE_FINAL_TYPE (LdViewerModel, ld_viewer_model, LD, VIEWER_MODEL, GObject)

LdViewerModel *ld_viewer_model_new             (void);
/* The number of viewers in the list (the "count" property). */
guint          ld_viewer_model_get_count       (LdViewerModel *self);
/* Adds VIEWER, or replaces the viewer with its user id (moving it if its
 * name or role changed). Returns TRUE if the user was not there before. */
gboolean       ld_viewer_model_add             (LdViewerModel *self,
                                                LdViewer      *viewer);
/* FALSE if USER_ID was not in the list. */
gboolean       ld_viewer_model_remove          (LdViewerModel *self,
                                                const char    *user_id);
LdViewer      *ld_viewer_model_lookup          (LdViewerModel *self,
                                                const char    *user_id);
void           ld_viewer_model_clear           (LdViewerModel *self);
/* joinedRoom's or roomInfo's viewers array: replaces the whole list in one
 * items-changed. A malformed entry fails the whole array and leaves the
 * list as it was. A user listed twice is kept once (the last entry). */
gboolean       ld_viewer_model_replace_all     (LdViewerModel *self,
                                                JsonArray     *viewers,
                                                GError       **error);
/* userJoined / userLeft payloads ({roomId, userId, username, …}); FALSE
 * only with an error. userJoined has no role: a user already listed keeps
 * theirs, a new one is a viewer unless the payload says otherwise. */
gboolean       ld_viewer_model_apply_joined    (LdViewerModel *self,
                                                JsonObject    *payload,
                                                GError       **error);
gboolean       ld_viewer_model_apply_left      (LdViewerModel *self,
                                                JsonObject    *payload,
                                                GError       **error);

G_END_DECLS
