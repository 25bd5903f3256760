/* gw-redis-adapter.h: a Socket.IO adapter that fans broadcasts out to every
 * gateway process sharing one Redis (PROTOCOL.md section 7, last point).
 *
 * Room membership stays local (an in-memory adapter inside); a broadcast is
 * delivered to this process's sockets and published once on Redis, and every
 * other process delivers it to its own. Each process hears its own publication
 * too and drops it, so every member gets an event exactly once.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "gw-types.h"
#include "sio-server.h"

G_BEGIN_DECLS

/* Followed by the namespace name, e.g. "livedesk:sio:/". */
#define GW_REDIS_ADAPTER_CHANNEL_PREFIX "livedesk:sio:"

#define GW_TYPE_REDIS_ADAPTER (gw_redis_adapter_get_type ())

G_DECLARE_FINAL_TYPE (GwRedisAdapter, gw_redis_adapter, GW, REDIS_ADAPTER, GObject)

/* NSP is not referenced (it owns its adapter); REDIS is, and is subscribed
 * to the namespace's channel. */
SioServerAdapter *gw_redis_adapter_new            (SioServerNamespace *nsp,
                                                   GwRedis            *redis);
/* While TRUE, broadcasts reach this process's sockets only: for events that
 * every process already gets by itself, such as the backend's, which would
 * otherwise arrive twice. */
void              gw_redis_adapter_set_local_only (GwRedisAdapter     *self,
                                                   gboolean            local_only);
/* What a message on Redis does: PAYLOAD (LEN bytes) on CHANNEL, if it is
 * this adapter's, is checked and delivered to this process's sockets; a
 * malformed one is counted and dropped. Needs no live Redis. */
void              gw_redis_adapter_handle_message (GwRedisAdapter     *self,
                                                   const char         *channel,
                                                   const char         *payload,
                                                   gsize               len);

G_END_DECLS
