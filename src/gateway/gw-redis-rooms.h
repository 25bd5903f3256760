/* gw-redis-rooms.h: the room state that gateway processes sharing one Redis
 * keep there, so that any of them can answer for the whole cluster: who is in
 * a room (per user, with the processes holding a socket of theirs), and the
 * room's title and live state.
 *
 * Every process's hold on a viewer carries its own expiry, renewed by that
 * process's sweep, so a process that dies drops out by itself. The decisions
 * "first socket of this user in the cluster" and "last one gone" are taken by
 * Redis in one script each, so two tabs on two processes that come or go at
 * the same moment yield exactly one userJoined and one userLeft.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "gw-redis.h"

G_BEGIN_DECLS

#define GW_REDIS_ROOMS_PREFIX "livedesk:room:"
/* A title or live state nobody touched for a day is stale. */
#define GW_REDIS_ROOMS_INFO_TTL_SECONDS (24 * 3600)

/* PROCESS_ID's hold on USER_ID in ROOM_ID, for TTL_MS; *OUT_FIRST: no other
 * process holds one, so the room has a newcomer. *OUT_INFO: {title?,
 * status?} as Redis knows them, for a process that never heard them. */
void        gw_redis_rooms_join_async      (GwRedis             *redis,
                                            const char          *room_id,
                                            const char          *process_id,
                                            const char          *user_id,
                                            const char          *username,
                                            const char          *role,
                                            guint                ttl_ms,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean    gw_redis_rooms_join_finish     (GwRedis             *redis,
                                            GAsyncResult        *result,
                                            gboolean            *out_first,
                                            JsonObject         **out_info,
                                            GError             **error);
/* Drops PROCESS_ID's hold; *OUT_LAST: nobody holds USER_ID there any more. */
void        gw_redis_rooms_leave_async     (GwRedis             *redis,
                                            const char          *room_id,
                                            const char          *process_id,
                                            const char          *user_id,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean    gw_redis_rooms_leave_finish    (GwRedis             *redis,
                                            GAsyncResult        *result,
                                            gboolean            *out_last,
                                            GError             **error);
/* Makes PROCESS_ID's holds in ROOM_ID exactly VIEWERS ({userId, username,
 * role} objects), each for TTL_MS more, and clears lapsed holds of others.
 * Completes with the viewers that only lapsed holds kept, gone with a dead
 * process: each is handed to exactly one caller, to announce. */
void        gw_redis_rooms_refresh_async   (GwRedis             *redis,
                                            const char          *room_id,
                                            const char          *process_id,
                                            JsonArray           *viewers,
                                            guint                ttl_ms,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
JsonArray  *gw_redis_rooms_refresh_finish  (GwRedis             *redis,
                                            GAsyncResult        *result,
                                            GError             **error);
/* TITLE, STATUS: NULL leaves that one as it is. */
void        gw_redis_rooms_set_info        (GwRedis             *redis,
                                            const char          *room_id,
                                            const char          *title,
                                            const char          *status);
/* Completes with {title?, status?, viewers: [{userId, username, role,
 * processes: [process id]}]}: the viewers some live process holds (and
 * which processes), and what is known of the room. */
void        gw_redis_rooms_get_info_async  (GwRedis             *redis,
                                            const char          *room_id,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
JsonObject *gw_redis_rooms_get_info_finish (GwRedis             *redis,
                                            GAsyncResult        *result,
                                            GError             **error);

G_END_DECLS
