/* gw-test-fixture.h: what the gateway's interop tests share — official
 * socket.io clients driven through tests/peers/gateway-peer.mjs, the lines
 * they print claimed in any order, and tokens and gateways to test against.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "gw-gateway.h"
#include "gw-jwt.h"
#include "gw-redis.h"
#include "test-peer.h"

G_BEGIN_DECLS

#define GW_TEST_WAIT_MS 15000

/* Clients of gateway-peer.mjs, each known by an id the test picks. */
typedef struct
{
  TestPeer *peer;
  GQueue    backlog;   /* JsonObject lines printed but not yet claimed */
} GwTestClients;

/* Starts the peer against the gateway on 127.0.0.1:PORT. */
GwTestClients *gw_test_clients_new           (guint          port);
void           gw_test_clients_free          (GwTestClients *clients);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GwTestClients, gw_test_clients_free)

/* An access token signed with JWT, valid for TTL seconds from now (negative: long expired). */
char          *gw_test_mint                  (GwJwt         *jwt,
                                              const char    *user_id,
                                              const char    *name,
                                              GwRole         role,
                                              gint64         ttl);
/* Serves GATEWAY on a new SoupServer at a free loopback port. */
SoupServer    *gw_test_listen                (GwGateway     *gateway,
                                              guint         *out_port);
/* Closes GATEWAY as a process that exits would (its sockets drop, its
 * memory is gone, checked) and stops HTTP serving it; clears both. */
void           gw_test_stop                  (GwGateway    **gateway,
                                              SoupServer   **http);

/* A client of the redis-server on 127.0.0.1:PORT, not started yet. */
GwRedis       *gw_test_redis_new             (guint16        port);
/* Fails the test unless REDIS (started) connects within GW_TEST_WAIT_MS. */
void           gw_test_redis_wait_connected  (GwRedis       *redis);
/* Publishes PAYLOAD on CHANNEL from REDIS and waits for the answer: how
 * many subscribers received it. */
gint64         gw_test_publish               (GwRedis       *redis,
                                              const char    *channel,
                                              const char    *payload);
/* A gateway of a process of its own (tokens signed with JWT) on a free
 * port, bridged to the redis-server on REDIS_PORT and connected to it. */
GwGateway     *gw_test_bridged_gateway       (GwJwt         *jwt,
                                              guint16        redis_port,
                                              GwRedis      **out_bridge,
                                              SoupServer   **out_http,
                                              guint         *out_port);

gboolean       gw_test_line_matches          (JsonObject    *line,
                                              const char    *kind,
                                              const char    *id,
                                              const char    *name);
/* The first line not yet claimed of KIND ("message", "ack", "connect", …)
 * for client ID (and event NAME, if given). A "message" named FORBID for that
 * client before it fails the test: what a user would have seen in between
 * matters. Fails the test after GW_TEST_WAIT_MS. */
JsonObject    *gw_test_expect_full           (GwTestClients *clients,
                                              const char    *kind,
                                              const char    *id,
                                              const char    *name,
                                              const char    *forbid);
JsonObject    *gw_test_expect_event          (GwTestClients *clients,
                                              const char    *id,
                                              const char    *name);
JsonObject    *gw_test_expect_ack            (GwTestClients *clients,
                                              const char    *id,
                                              const char    *name);
/* Whether an unclaimed event NAME for client ID has arrived already. */
gboolean       gw_test_backlog_has           (GwTestClients *clients,
                                              const char    *id,
                                              const char    *name);
/* Fails if an unclaimed event NAME for client ID has arrived. */
void           gw_test_assert_no_unclaimed   (GwTestClients *clients,
                                              const char    *id,
                                              const char    *name);

/* A member of LINE's payload by a dotted path ("data.viewers"), or NULL. */
JsonNode      *gw_test_at                    (JsonObject    *line,
                                              const char    *path);
/* The same, failing the test unless it is a string / there at all. */
const char    *gw_test_str_at                (JsonObject    *line,
                                              const char    *path);
gint64         gw_test_int_at                (JsonObject    *line,
                                              const char    *path);
gboolean       gw_test_bool_at               (JsonObject    *line,
                                              const char    *path);
void           gw_test_assert_iso_timestamp  (const char    *text);
/* A failure envelope with error code CODE (or one of "A|B"), with a message. */
void           gw_test_assert_failure        (JsonObject    *line,
                                              const char    *code);

/* Emits NAME with PAYLOAD (JSON text) from client ID, with an ack if ACK. */
void           gw_test_emit                  (GwTestClients *clients,
                                              const char    *id,
                                              const char    *name,
                                              const char    *payload,
                                              gboolean       ack);
/* Connects client ID to the gateway on PORT (0: the peer's own), with
 * TOKEN in the CONNECT packet's auth if given, and waits for connected (and
 * authSuccess). */
void           gw_test_connect               (GwTestClients *clients,
                                              const char    *id,
                                              const char    *token,
                                              guint          port);
/* gw_test_connect on the peer's own gateway with a 15-minute token for
 * USER_ID (display NAME, ROLE) signed with JWT. */
void           gw_test_connect_as            (GwTestClients *clients,
                                              GwJwt         *jwt,
                                              const char    *id,
                                              const char    *user_id,
                                              const char    *name,
                                              GwRole         role);
/* joinRoom, and a successful joinedRoom for ROOM_ID back. */
void           gw_test_join                  (GwTestClients *clients,
                                              const char    *id,
                                              const char    *room_id);
/* Emits with an ack and checks that the refusal came both ways. */
void           gw_test_expect_refusal        (GwTestClients *clients,
                                              const char    *id,
                                              const char    *name,
                                              const char    *payload,
                                              const char    *error_event,
                                              const char    *code);

G_END_DECLS
