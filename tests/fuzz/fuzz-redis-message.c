/* fuzz-redis-message.c: what the gateway does with a message on Redis,
 * without Redis: GwGateway's and GwRedisAdapter's handlers, fed channel +
 * payload bytes as hiredis would hand them over.
 *
 * The first byte of the input picks the channel (one of the gateway's, the
 * adapter's, or a stranger's); the rest is the payload, NULs and all.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "fuzz-common.h"
#include "gw-gateway.h"
#include "gw-jwt.h"
#include "gw-redis.h"
#include "gw-redis-adapter.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static const char * const channels[] = {
  "chat.message", "gift.send", "room.update", "notification", "stream.start", "stream.end",
  "livedesk:gateway:state", GW_REDIS_ADAPTER_CHANNEL_PREFIX "/", "someone.else",
};

static GwGateway *gateway;
static GwRedisAdapter *adapter;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  static const char secret[] = "fuzz-redis-message-secret-0123456789abcdef";
  g_autoptr(GBytes) key = g_bytes_new_static (secret, strlen (secret));
  g_autoptr(GwJwt) jwt = NULL;
  g_autoptr(GwRedis) redis = NULL;
  SioServerAdapter *nsp_adapter;

  fuzz_make_warnings_fatal ();
  jwt = gw_jwt_new (key, NULL);
  g_assert_nonnull (jwt);
  /* Never started: publishing fails at once, as while Redis is away. */
  redis = gw_redis_new ("redis://127.0.0.1:1", NULL);
  g_assert_nonnull (redis);
  gateway = gw_gateway_new (jwt);
  gw_gateway_set_redis (gateway, redis);
  nsp_adapter = sio_server_namespace_get_adapter (sio_server_of (gw_gateway_get_server (gateway), "/"));
  g_assert_true (GW_IS_REDIS_ADAPTER (nsp_adapter));
  adapter = GW_REDIS_ADAPTER (nsp_adapter);
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const char *channel;

  if (size == 0)
    return 0;

  channel = channels[data[0] % G_N_ELEMENTS (channels)];
  gw_gateway_handle_redis_message (gateway, channel, (const char *) data + 1, size - 1);
  gw_redis_adapter_handle_message (adapter, channel, (const char *) data + 1, size - 1);
  /* Publications that failed at once report from the main loop. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return 0;
}
