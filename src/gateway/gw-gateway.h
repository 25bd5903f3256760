/* gw-gateway.h: the livestream contract (PROTOCOL.md sections 2–7) on the
 * Socket.IO server: authentication, rooms, chat, gifts, support chat,
 * moderation and the Redis bridge to the backend.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "gw-rooms.h"
#include "gw-types.h"
#include "sio-server.h"

G_BEGIN_DECLS

/* PROTOCOL.md section 1: not the usual /socket.io/. */
#define GW_GATEWAY_PATH "/socket/"
/* Three missed viewerPings (one every 30 s) and a viewer is gone. */
#define GW_GATEWAY_DEFAULT_PRESENCE_TIMEOUT_MS 90000
/* Per client address: the app holds one connection and a household or
 * office behind one NAT rarely has dozens in one stream at once, while a
 * single address opening thousands would take the process's file
 * descriptors (1,024 by default) from everyone else. Behind carrier-grade
 * NAT, raise it (--max-connections-per-address). */
#define GW_GATEWAY_DEFAULT_MAX_CONNECTIONS_PER_ADDRESS 64
/* How long an empty room keeps its recent messages. */
#define GW_GATEWAY_ROOM_GRACE_MS (10 * 60 * 1000)
/* A timeout with no "seconds" lasts five minutes; none lasts over a week. */
#define GW_GATEWAY_DEFAULT_TIMEOUT_SECONDS 300
#define GW_GATEWAY_MAX_TIMEOUT_SECONDS (7 * 24 * 3600)

#define GW_TYPE_GATEWAY (gw_gateway_get_type ())

G_DECLARE_FINAL_TYPE (GwGateway, gw_gateway, GW, GATEWAY, GObject)

GwGateway  *gw_gateway_new                  (GwJwt      *jwt);
/* Publishes viewer.join, viewer.leave and admin.chat on REDIS and relays what
 * the backend publishes (section 7). Broadcasts then reach every gateway
 * process sharing that Redis (GwRedisAdapter). Call before gw_gateway_attach(). */
void        gw_gateway_set_redis            (GwGateway  *self,
                                             GwRedis    *redis);
/* Viewers not heard from (join or viewerPing) for MS are taken out of their
 * rooms, and the others see userLeft. */
void        gw_gateway_set_presence_timeout (GwGateway  *self,
                                             guint       ms);
/* Serves Socket.IO at GW_GATEWAY_PATH of SERVER. The REST endpoints
 * (GwRest) can be attached to the same server. */
/* Serves Socket.IO at PATH (NULL: GW_GATEWAY_PATH) on SERVER. */
void        gw_gateway_attach               (GwGateway  *self,
                                             SoupServer *server,
                                             const char *path);
SioServer  *gw_gateway_get_server           (GwGateway  *self);
GwRooms    *gw_gateway_get_rooms            (GwGateway  *self);
/* Disconnects everyone; the gateway serves no more. */
void        gw_gateway_close                (GwGateway  *self);

G_END_DECLS
