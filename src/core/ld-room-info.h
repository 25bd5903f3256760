/* ld-room-info.h: what getRoomInfo answers about a room (roomInfo's data:
 * roomId, title, status, viewerCount, viewers), read once from the wire.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define LD_TYPE_ROOM_INFO (ld_room_info_get_type ())

G_DECLARE_FINAL_TYPE (LdRoomInfo, ld_room_info, LD, ROOM_INFO, GObject)

/* NULL with ld-payload's error when DATA has no roomId; the other fields
 * are optional (NULL, 0, no viewers), viewers that cannot be read are
 * skipped. */
LdRoomInfo *ld_room_info_new_from_json    (JsonObject  *data,
                                           GError     **error);
const char *ld_room_info_get_room_id      (LdRoomInfo  *self);
const char *ld_room_info_get_title        (LdRoomInfo  *self);
/* "live", "ended" or NULL when not said. */
const char *ld_room_info_get_status       (LdRoomInfo  *self);
guint       ld_room_info_get_viewer_count (LdRoomInfo  *self);
/* LdViewer items. */
GListModel *ld_room_info_get_viewers      (LdRoomInfo  *self);

G_END_DECLS
