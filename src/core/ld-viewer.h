/* ld-viewer.h: one person in a room's viewer list. Name and role are
 * immutable: a change arrives as a new LdViewer that replaces the old one in
 * the LdViewerModel, which keeps the list sorted. The moderators' sanction
 * (timed out, banned) changes in place, with notify, since it does not move
 * the viewer in the list.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ld-types.h"
#include "ld-enums.h"

G_BEGIN_DECLS

#define LD_TYPE_VIEWER (ld_viewer_get_type ())

G_DECLARE_FINAL_TYPE (LdViewer, ld_viewer, LD, VIEWER, GObject)

LdViewer   *ld_viewer_new           (const char  *user_id,
                                     const char  *username,
                                     LdRole       role);
/* {userId, username, role} as in joinedRoom's viewers and userJoined:
 * userId is required, username defaults to it, role to viewer. */
LdViewer   *ld_viewer_new_from_json (JsonObject  *object,
                                     GError     **error);
const char *ld_viewer_get_user_id   (LdViewer    *self);
const char *ld_viewer_get_username  (LdViewer    *self);
LdRole      ld_viewer_get_role      (LdViewer    *self);
/* LD_SANCTION_NONE once a timed sanction's end has passed: the end is
 * compared with the time when read, so a timeout lifts by itself (the
 * property does not notify at that moment). */
LdSanction  ld_viewer_get_sanction       (LdViewer    *self);
/* When the sanction ends; NULL for none or a ban without end. */
GDateTime  *ld_viewer_get_sanction_until (LdViewer    *self);
/* UNTIL NULL: no end (a ban) or none. */
void        ld_viewer_set_sanction       (LdViewer    *self,
                                          LdSanction   sanction,
                                          GDateTime   *until);
/* Sort order of a viewer list: role (streamer, admin, moderator, viewer),
 * then name in the user's locale, then user id. */
int         ld_viewer_compare       (LdViewer    *a,
                                     LdViewer    *b);

G_END_DECLS
