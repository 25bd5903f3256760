/* gw-sanctions.h: where the gateway keeps bans, timeouts and room owners so
 * that they hold beyond one process: in Redis when the gateway has one (every
 * process sharing it agrees, a restart forgets nothing, a timeout ends by
 * itself as a key's TTL), in this process's memory otherwise.
 *
 * Times here are wall-clock milliseconds (g_get_real_time () / 1000), since
 * they are shared between processes; GwRoom keeps its own monotonic copy.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "gw-redis.h"
#include "gw-room.h"
#include "gw-types.h"

G_BEGIN_DECLS

#define GW_SANCTIONS_PREFIX "livedesk:sanction:"
/* A ban with no end, in GwSanctionsRecord. */
#define GW_SANCTIONS_FOREVER G_MAXINT64

/* What is known of a user in a room, and of the room. */
typedef struct
{
  gint64  ban_until_ms;      /* 0: not banned; GW_SANCTIONS_FOREVER: until unbanned */
  gint64  timeout_until_ms;  /* 0: not timed out */
  char   *owner;             /* the room's owner, NULL when none was named */
  int     target_role;       /* a GwRole, the highest one heard of; -1: none */
} GwSanctionsRecord;

void gw_sanctions_record_free (GwSanctionsRecord *record);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GwSanctionsRecord, gw_sanctions_record_free)

#define GW_TYPE_SANCTIONS (gw_sanctions_get_type ())

G_DECLARE_FINAL_TYPE (GwSanctions, gw_sanctions, GW, SANCTIONS, GObject)

/* In memory, until gw_sanctions_set_redis(). */
GwSanctions       *gw_sanctions_new          (void);
void               gw_sanctions_set_redis    (GwSanctions         *self,
                                              GwRedis             *redis);
/* TRUE when records go to Redis. */
gboolean           gw_sanctions_is_shared    (GwSanctions         *self);

/* Records USER_ID's timeout or ban (KIND) in ROOM_ID for DURATION_MS (a ban
 * with 0 lasts until lifted), with the target's ROLE for later rank checks.
 * Fails when Redis is away: a sanction other processes would not know of
 * is not one the moderator should be told holds. */
void               gw_sanctions_put_async    (GwSanctions         *self,
                                              const char          *room_id,
                                              const char          *user_id,
                                              GwSanction           kind,
                                              gint64               duration_ms,
                                              GwRole               role,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean           gw_sanctions_put_finish   (GwSanctions         *self,
                                              GAsyncResult        *result,
                                              GError             **error);
/* Lifts a ban and a timeout. */
void               gw_sanctions_lift_async   (GwSanctions         *self,
                                              const char          *room_id,
                                              const char          *user_id,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean           gw_sanctions_lift_finish  (GwSanctions         *self,
                                              GAsyncResult        *result,
                                              GError             **error);
/* The sanctions of USER_ID (NULL: none asked) in ROOM_ID, the room's owner
 * and the highest role the user is known by: their sanction record or, in
 * Redis, their presence in the room on any process. */
void               gw_sanctions_lookup_async (GwSanctions         *self,
                                              const char          *room_id,
                                              const char          *user_id,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GwSanctionsRecord *gw_sanctions_lookup_finish (GwSanctions        *self,
                                              GAsyncResult        *result,
                                              GError             **error);
/* Records ROOM_ID's owner; in Redis, beside the room's title and status. */
void               gw_sanctions_set_owner    (GwSanctions         *self,
                                              const char          *room_id,
                                              const char          *owner);

G_END_DECLS
