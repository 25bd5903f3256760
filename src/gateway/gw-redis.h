/* gw-redis.h: the gateway's Redis bridge (PROTOCOL.md section 7), on the GLib main loop.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "gw-types.h"

G_BEGIN_DECLS

#define GW_TYPE_REDIS (gw_redis_get_type ())

G_DECLARE_FINAL_TYPE (GwRedis, gw_redis, GW, REDIS, GObject)

/* URI: redis://[[user]:password@]host[:port]; nothing connects before
 * gw_redis_start(). The object lives on the thread-default main context
 * it was created on. */
GwRedis    *gw_redis_new            (const char          *uri,
                                     GError             **error);
const char *gw_redis_get_uri        (GwRedis             *self);
/* TRUE once publishing works and every subscribed channel is confirmed. */
gboolean    gw_redis_get_connected  (GwRedis             *self);
/* Connects, and from then on reconnects with back-off whenever Redis goes away. */
void        gw_redis_start          (GwRedis             *self);
/* Adds channels; ::message(channel, payload) fires for each message on them.
 * Subscriptions are renewed on every reconnect. */
void        gw_redis_subscribe      (GwRedis             *self,
                                     const char * const  *channels);
/* Fails with G_IO_ERROR_NOT_CONNECTED at once while Redis is away: a live
 * event is worth nothing minutes later, so nothing is queued. */
void        gw_redis_publish_async  (GwRedis             *self,
                                     const char          *channel,
                                     const char          *payload,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
/* OUT_RECEIVERS: how many subscribers (over all gateways) got it. */
gboolean    gw_redis_publish_finish (GwRedis             *self,
                                     GAsyncResult        *result,
                                     gint64              *out_receivers,
                                     GError             **error);
/* Runs one command (ARGV, NULL-terminated) on the publishing connection,
 * failing at once with G_IO_ERROR_NOT_CONNECTED while Redis is away, like a
 * publish. The reply comes back as a GVariant: integers "x", strings and
 * status replies "s", nil "mv" (nothing), arrays "av"; a Redis error reply
 * is a G_IO_ERROR_FAILED. */
void        gw_redis_command_async  (GwRedis             *self,
                                     const char * const  *argv,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
GVariant   *gw_redis_command_finish (GwRedis             *self,
                                     GAsyncResult        *result,
                                     GError             **error);
/* The same, for when only a failure is worth knowing, and then only in the log. */
void        gw_redis_command        (GwRedis             *self,
                                     const char * const  *argv);

/* What the gateway accepts from Redis: anyone who can publish there is a
 * remote party. Deeper nesting than any of our messages use is refused
 * before json-glib (which has no depth limit) sees it. */
#define GW_REDIS_MAX_JSON_DEPTH 32
#define GW_REDIS_MAX_MESSAGE_BYTES (8 * 1024 * 1024)

/* Whether TEXT (LEN bytes) nests objects and arrays at most MAX_DEPTH deep,
 * brackets inside strings not counted. Linear, no allocation. */
gboolean    gw_redis_json_depth_ok  (const char          *text,
                                     gsize                len,
                                     guint                max_depth);
/* The JSON object in TEXT (LEN bytes), or NULL with G_IO_ERROR_INVALID_DATA
 * when it is too big, too deep, not UTF-8, not JSON or not an object. */
JsonObject *gw_redis_parse_object   (const char          *text,
                                     gsize                len,
                                     GError             **error);
/* Counts a message dropped from CHANNEL_LABEL (a channel name of ours or
 * "other") in livedesk_redis_malformed_total and logs WHY, at most once a
 * minute per label with the number held back meanwhile. */
void        gw_redis_drop_malformed (const char          *channel_label,
                                     const char          *why);

G_END_DECLS
