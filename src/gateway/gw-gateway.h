/* gw-gateway.h: the livestream contract (PROTOCOL.md sections 2–7) on the
 * Socket.IO server: authentication, rooms, chat, gifts, support chat,
 * moderation and the Redis bridge to the backend.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "gw-gifts.h"
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
/* A connection that has not authenticated by then is closed. */
#define GW_GATEWAY_DEFAULT_AUTH_TIMEOUT_MS 30000
/* Rooms one connection may be in at once (PROTOCOL.md section 2). */
#define GW_GATEWAY_DEFAULT_MAX_ROOMS 20

#define GW_TYPE_GATEWAY (gw_gateway_get_type ())

G_DECLARE_FINAL_TYPE (GwGateway, gw_gateway, GW, GATEWAY, GObject)

GwGateway  *gw_gateway_new                  (GwJwt      *jwt);
/* Publishes viewer.join, viewer.leave and admin.chat on REDIS and relays what
 * the backend publishes (section 7). Broadcasts then reach every gateway
 * process sharing that Redis (GwRedisAdapter). Call before gw_gateway_attach(). */
void        gw_gateway_set_redis            (GwGateway  *self,
                                             GwRedis    *redis);
/* The users file, for the rank of users who are not connected here: staff
 * cannot sanction their equals or superiors even while those are away. */
void        gw_gateway_set_users            (GwGateway  *self,
                                             GwUsers    *users);
/* The gift catalogue whose names and values gifts are sent with; a gift it
 * does not have is INVALID_GIFT. Defaults to gw_gifts_default_path(). */
void        gw_gateway_set_gifts            (GwGateway  *self,
                                             GwGifts    *gifts);
/* [ext] Resolved support tickets are forgotten SECONDS after (default 30 days). */
void        gw_gateway_set_ticket_retention (GwGateway  *self,
                                             gint64      seconds);
/* Viewers not heard from (join or viewerPing) for MS are taken out of their
 * rooms, and the others see userLeft. */
void        gw_gateway_set_presence_timeout (GwGateway  *self,
                                             guint       ms);
/* Connections that have not authenticated within MS of connecting are
 * closed (livedesk_auth_timeouts_total). Applies to later connections. */
void        gw_gateway_set_auth_timeout     (GwGateway  *self,
                                             guint       ms);
/* A joinRoom past MAX_ROOMS rooms is refused with FORBIDDEN. */
void        gw_gateway_set_max_rooms        (GwGateway  *self,
                                             guint       max_rooms);
/* Serves Socket.IO at GW_GATEWAY_PATH of SERVER. The REST endpoints
 * (GwRest) can be attached to the same server. */
/* Serves Socket.IO at PATH (NULL: GW_GATEWAY_PATH) on SERVER. */
void        gw_gateway_attach               (GwGateway  *self,
                                             SoupServer *server,
                                             const char *path);
SioServer  *gw_gateway_get_server           (GwGateway  *self);
GwRooms    *gw_gateway_get_rooms            (GwGateway  *self);
/* What gw_gateway_set_redis() does with a message on CHANNEL: PAYLOAD is
 * LEN bytes as published, checked before anything is believed; what is
 * malformed is counted and dropped. Needs no live Redis. */
void        gw_gateway_handle_redis_message (GwGateway  *self,
                                             const char *channel,
                                             const char *payload,
                                             gsize       len);
/* Distinct users with an authenticated connection to this process. */
guint       gw_gateway_get_n_authenticated_users (GwGateway *self);
/* Disconnects everyone; the gateway serves no more. */
void        gw_gateway_close                (GwGateway  *self);

G_END_DECLS
