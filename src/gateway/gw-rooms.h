/* gw-rooms.h: the gateway's rooms, by id.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "gw-room.h"

G_BEGIN_DECLS

#define GW_TYPE_ROOMS (gw_rooms_get_type ())

G_DECLARE_FINAL_TYPE (GwRooms, gw_rooms, GW, ROOMS, GObject)

GwRooms    *gw_rooms_new      (void);
/* NULL when no such room is known. */
GwRoom     *gw_rooms_lookup   (GwRooms    *self,
                               const char *room_id);
/* The room, created on first use. ROOM_ID must be valid (ld_validate_room_id). */
GwRoom     *gw_rooms_ensure   (GwRooms    *self,
                               const char *room_id);
guint       gw_rooms_get_n_rooms (GwRooms *self);
/* A snapshot (of GwRoom, referenced), safe to walk while rooms change. */
GPtrArray  *gw_rooms_list     (GwRooms    *self);
/* Forgets rooms that gw_room_is_idle() says can go; returns how many. Run
 * now and then, so that rooms made up by clients do not pile up. */
guint       gw_rooms_prune    (GwRooms    *self,
                               gint64      now_ms,
                               gint64      grace_ms);

G_END_DECLS
