/* gw-gateway.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-gateway.h"

#include <string.h>

#include "gw-client-address.h"
#include "gw-envelope.h"
#include "gw-gifts.h"
#include "gw-jwt.h"
#include "gw-log.h"
#include "gw-metrics.h"
#include "ld-rate-limit.h"
#include "ld-rank.h"
#include "gw-redis.h"
#include "gw-redis-adapter.h"
#include "gw-redis-limits.h"
#include "gw-redis-rooms.h"
#include "gw-sanctions.h"
#include "gw-users.h"
#include "gw-tickets.h"
#include "ld-validate.h"
#include "sio-deadlines.h"

/* Transport rooms are prefixed: a socket id could otherwise pass for a room id. */
#define ROOM_PREFIX "room:"
#define USER_PREFIX "user:"
#define ADMINS_ROOM "role:admin"
#define MAX_MESSAGE_ID_LEN 100
#define MAX_REASON_CHARS 200
#define MAX_SUPPORT_TYPE_CHARS 50
/* Room state that gateway processes sharing one Redis keep in step. */
#define STATE_CHANNEL "livedesk:gateway:state"

/* What the gateway listens to on Redis (PROTOCOL.md section 7). */
static const char * const redis_channels[] = {
  "chat.message", "gift.send", "room.update", "notification", "stream.start", "stream.end",
  STATE_CHANNEL, NULL
};

struct _GwGateway
{
  GObject             parent_instance;
  GwJwt              *jwt;
  GwRedis            *redis;
  SioServer          *server;
  SioServerNamespace *nsp;
  GwRooms            *rooms;
  GwSanctions        *sanctions;
  GwUsers            *users;     /* for the rank of users who are not here; may be NULL */
  GwGifts            *gifts;     /* NULL: every gift is unknown */
  LdRateLimit        *chat_limit;
  LdRateLimit        *gift_limit;
  /* By rule (ld-rate-limit.h), for the events the dispatch limits; used
   * alone without Redis, and as the fallback while Redis is away. */
  LdRateLimit        *event_limits[LD_N_RATE_RULES];
  guint               auth_timeout_ms;
  guint               max_rooms;
  char               *uid;       /* this process, in STATE_CHANNEL messages */
  /* Set by the refusal of the event being handled, for its retryAfterMs. */
  gint64              last_retry_ms;
  GHashTable         *clients;   /* socket id → Client */
  GwTickets          *tickets;   /* support tickets [ext], in Redis when there is one */
  guint               presence_timeout;
  guint               sweep_source;
  gulong              redis_handler;
  /* room id → (process uid → PresenceShare): the other processes' viewers. */
  GHashTable         *remote_presence;
  /* The event being handled, for a handler that answers later (defer_reply). */
  const struct _EventSpec *handling_spec;
  SioServerAck       *handling_ack;
  /* No more Redis round trips: their answers would find nobody. */
  gboolean            disposing;
};

/* Presence across processes, without blocking calls and without keys that
 * could outlive the gateways: each process publishes the viewers it holds in
 * a room (state op "presence") whenever that set changes and again on every
 * sweep; the others keep that share for one presence timeout and merge it
 * into counts and lists. A process that dies stops refreshing, so its share
 * lapses by itself; a newcomer is answered with the share it lacks. */
typedef struct
{
  JsonArray *viewers;     /* {userId, username, role} */
  gint64     expires_ms;
} PresenceShare;

static void
presence_share_free (gpointer data)
{
  PresenceShare *share = data;

  json_array_unref (share->viewers);
  g_free (share);
}

G_DEFINE_FINAL_TYPE (GwGateway, gw_gateway, G_TYPE_OBJECT)

typedef struct
{
  GwGateway       *gateway;
  SioServerSocket *socket;
  GwJwtClaims     *claims;        /* NULL until authenticated, and again once the token expired */
  guint            expiry_source;
  GHashTable      *rooms;         /* room ids this socket joined */
  guint            auth_timeout_source;
  /* Events that arrived while a rate limit was being decided on Redis:
   * they wait, so that a socket's events are handled in the order sent. */
  GQueue           waiting;       /* of QueuedEvent */
  gboolean         checking;
  gboolean         flood_logged;  /* the unauthenticated flood, once per socket */
  gint64           limited_logged_ms;  /* the last RATE_LIMITED refusal logged */
} Client;

/* RATE_LIMITED refusals are logged once per socket in this long. */
#define LIMITED_LOG_INTERVAL_MS 10000

/* One event as received, until it is handled. */
typedef struct
{
  const struct _EventSpec *spec;
  JsonObject              *payload;   /* NULL: the first argument was no object */
  SioServerAck            *ack;
} QueuedEvent;

/* A socket may send this many events while one waits on Redis; more is
 * a flood, refused as such. */
#define MAX_WAITING_EVENTS 64

static void
queued_event_free (QueuedEvent *event)
{
  g_clear_pointer (&event->payload, json_object_unref);
  g_clear_pointer (&event->ack, sio_server_ack_unref);
  g_free (event);
}

typedef gboolean (*Handler) (GwGateway   *self,
                             Client      *client,
                             JsonObject  *payload,
                             JsonNode   **out_reply,
                             GError     **error);

typedef struct _EventSpec
{
  const char *name;
  Handler     handler;
  const char *reply_event;   /* NULL: success goes through the ack only */
  const char *error_event;
  gboolean    needs_auth;
  GwRole      min_role;
} EventSpec;

static void answer_event (GwGateway       *self,
                          Client          *client,
                          const EventSpec *spec,
                          SioServerAck    *ack,
                          JsonNode        *reply,
                          const GError    *error);

/* An event whose answer waits for Redis. Weak, so that a gateway closed
 * meanwhile is not kept alive by a round trip. */
typedef struct
{
  GWeakRef         gateway;
  char            *sid;
  SioServerAck    *ack;
  const EventSpec *spec;
} Deferred;

static void
deferred_free (Deferred *deferred)
{
  g_weak_ref_clear (&deferred->gateway);
  g_free (deferred->sid);
  g_clear_pointer (&deferred->ack, sio_server_ack_unref);
  g_free (deferred);
}

/* From a handler: it answers later, through answer_deferred(), and returns
 * TRUE with no reply now. */
static Deferred *
defer_reply (GwGateway *self,
             Client    *client)
{
  Deferred *deferred = g_new0 (Deferred, 1);

  g_assert (self->handling_spec != NULL);
  g_weak_ref_init (&deferred->gateway, self);
  deferred->sid = g_strdup (sio_server_socket_get_id (client->socket));
  deferred->ack = self->handling_ack != NULL ? sio_server_ack_ref (self->handling_ack) : NULL;
  deferred->spec = self->handling_spec;
  return deferred;
}

/* Answers, unless the socket went away meanwhile; frees DEFERRED. */
static void
answer_deferred (Deferred     *deferred,
                 JsonNode     *reply,
                 const GError *error)
{
  g_autoptr(GwGateway) self = g_weak_ref_get (&deferred->gateway);
  Client *client = self != NULL ? g_hash_table_lookup (self->clients, deferred->sid) : NULL;

  if (client != NULL)
    answer_event (self, client, deferred->spec, deferred->ack, reply, error);
  deferred_free (deferred);
}

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / 1000;
}

static char *
transport_room (const char *room_id)
{
  return g_strconcat (ROOM_PREFIX, room_id, NULL);
}

static JsonArray *
args_of (JsonNode *payload)
{
  JsonArray *args = json_array_new ();

  json_array_add_element (args, json_node_copy (payload));
  return args;
}

static void
emit_to_socket (SioServerSocket *socket,
                const char      *event,
                JsonNode        *payload)
{
  g_autoptr(JsonArray) args = args_of (payload);

  sio_server_socket_emit (socket, event, args, NULL);
}

static void
emit_to_transport_room (GwGateway  *self,
                        const char *room,
                        const char *event,
                        JsonNode   *payload)
{
  g_autoptr(JsonArray) args = args_of (payload);

  sio_server_namespace_emit_to (self->nsp, room, event, args, NULL);
}

static void
emit_to_room (GwGateway  *self,
              const char *room_id,
              const char *event,
              JsonNode   *payload)
{
  g_autofree char *room = transport_room (room_id);

  emit_to_transport_room (self, room, event, payload);
}

/* For what every gateway process emits by itself (the backend's relays,
 * sanctions it learns of): to its own sockets only, or members on other
 * processes would get it twice. */
static void
set_local_only (GwGateway *self,
                gboolean   local_only)
{
  SioServerAdapter *adapter = sio_server_namespace_get_adapter (self->nsp);

  if (GW_IS_REDIS_ADAPTER (adapter))
    gw_redis_adapter_set_local_only (GW_REDIS_ADAPTER (adapter), local_only);
}

static void
answer_ack (SioServerAck *ack,
            JsonNode     *payload)
{
  g_autoptr(JsonArray) args = NULL;

  if (ack == NULL)
    return;

  args = args_of (payload);
  sio_server_ack_send (ack, args, NULL);
}

static JsonNode *
node_from_object (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  return node;
}

static void
set_timestamp (JsonObject *object,
               const char *name)
{
  g_autofree char *now = gw_timestamp_now ();

  json_object_set_string_member (object, name, now);
}

/* A string member, or NULL when absent or of another type: what another
 * process published is checked, never trusted. */
static const char *
string_member (JsonObject *object,
               const char *name)
{
  const char *value = NULL;

  if (!ld_validate_member_string (object, name, FALSE, &value, NULL))
    return NULL;
  return value;
}

static void
on_published (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* A live event published while Redis is away is simply lost (gw-redis.h). */
  if (!gw_redis_publish_finish (GW_REDIS (source), result, NULL, &error))
    g_debug ("Could not publish on Redis: %s", error->message);
}

static void
publish (GwGateway  *self,
         const char *channel,
         JsonObject *message)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  if (self->redis == NULL)
    return;

  node = node_from_object (json_object_ref (message));
  text = json_to_string (node, FALSE);
  gw_redis_publish_async (self->redis, channel, text, NULL, on_published, NULL);
}

/* Tells the other gateway processes about a change to a room's state. */
static void
publish_state (GwGateway  *self,
               const char *op,
               JsonObject *state)
{
  json_object_set_string_member (state, "uid", self->uid);
  json_object_set_string_member (state, "op", op);
  publish (self, STATE_CHANNEL, state);
}

/* This process's share of ROOM's viewers, for the other processes. */
static void
publish_presence (GwGateway *self,
                  GwRoom    *room)
{
  g_autoptr(JsonObject) state = NULL;

  if (self->redis == NULL)
    return;
  state = json_object_new ();
  json_object_set_string_member (state, "roomId", gw_room_get_id (room));
  json_object_set_array_member (state, "viewers", gw_room_dup_viewers_json (room));
  publish_state (self, "presence", state);
}

/* ROOM's viewers on every process: ours first, then the others' not yet
 * seen, each user once however many processes hold a socket of theirs. */
static JsonArray *
dup_cluster_viewers (GwGateway *self,
                     GwRoom    *room)
{
  JsonArray *viewers = gw_room_dup_viewers_json (room);
  GHashTable *shares = g_hash_table_lookup (self->remote_presence, gw_room_get_id (room));
  g_autoptr(GHashTable) seen = NULL;
  GHashTableIter iter;
  gpointer value;
  gint64 now = now_ms ();

  if (shares == NULL)
    return viewers;

  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < json_array_get_length (viewers); i++)
    g_hash_table_add (seen, (gpointer) json_object_get_string_member (json_array_get_object_element (viewers, i),
                                                                      "userId"));

  g_hash_table_iter_init (&iter, shares);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      PresenceShare *share = value;

      if (share->expires_ms <= now)
        continue;
      for (guint i = 0; i < json_array_get_length (share->viewers); i++)
        {
          JsonObject *viewer = json_array_get_object_element (share->viewers, i);
          const char *user_id = json_object_get_string_member (viewer, "userId");

          if (g_hash_table_contains (seen, user_id))
            continue;
          g_hash_table_add (seen, (gpointer) user_id);
          json_array_add_object_element (viewers, json_object_ref (viewer));
        }
    }

  return viewers;
}

static guint
cluster_viewer_count (GwGateway *self,
                      GwRoom    *room)
{
  g_autoptr(JsonArray) viewers = NULL;

  if (g_hash_table_lookup (self->remote_presence, gw_room_get_id (room)) == NULL)
    return gw_room_get_viewer_count (room);
  viewers = dup_cluster_viewers (self, room);
  return json_array_get_length (viewers);
}

/* Whether another process holds a socket of USER_ID in ROOM_ID: then the
 * user joining or leaving here is no news to the room. */
static gboolean
remote_has_viewer (GwGateway  *self,
                   const char *room_id,
                   const char *user_id)
{
  GHashTable *shares = g_hash_table_lookup (self->remote_presence, room_id);
  GHashTableIter iter;
  gpointer value;
  gint64 now = now_ms ();

  if (shares == NULL)
    return FALSE;

  g_hash_table_iter_init (&iter, shares);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      PresenceShare *share = value;

      if (share->expires_ms <= now)
        continue;
      for (guint i = 0; i < json_array_get_length (share->viewers); i++)
        if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (share->viewers, i), "userId"),
                       user_id) == 0)
          return TRUE;
    }

  return FALSE;
}

/* Keeps another process's share of ROOM_ID; FALSE if it was new to us. */
static gboolean
store_presence_share (GwGateway  *self,
                      const char *room_id,
                      const char *uid,
                      JsonArray  *viewers)
{
  GHashTable *shares = g_hash_table_lookup (self->remote_presence, room_id);
  PresenceShare *share;
  gboolean known;
  JsonArray *checked = json_array_new ();

  /* Only what a viewer entry must hold, checked: this is another process's word. */
  for (guint i = 0; i < json_array_get_length (viewers); i++)
    {
      JsonNode *node = json_array_get_element (viewers, i);
      JsonObject *viewer;
      const char *user_id = NULL;
      const char *username = NULL;
      const char *role = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      viewer = json_node_get_object (node);
      if (!ld_validate_member_string (viewer, "userId", TRUE, &user_id, NULL) ||
          !ld_validate_user_id (user_id, NULL) ||
          !ld_validate_member_string (viewer, "username", TRUE, &username, NULL) ||
          !ld_validate_member_string (viewer, "role", TRUE, &role, NULL))
        continue;
      json_array_add_object_element (checked, json_object_ref (viewer));
    }

  if (shares == NULL)
    {
      shares = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, presence_share_free);
      g_hash_table_insert (self->remote_presence, g_strdup (room_id), shares);
    }
  known = g_hash_table_contains (shares, uid);
  share = g_new0 (PresenceShare, 1);
  share->viewers = checked;
  share->expires_ms = now_ms () + self->presence_timeout;
  g_hash_table_insert (shares, g_strdup (uid), share);

  return !known;
}

static void
publish_viewer (GwGateway      *self,
                const char     *channel,
                const char     *type,
                const char     *room_id,
                const GwViewer *viewer,
                guint           viewer_count)
{
  g_autoptr(JsonObject) message = json_object_new ();

  json_object_set_string_member (message, "type", type);
  json_object_set_string_member (message, "roomId", room_id);
  json_object_set_string_member (message, "userId", viewer->user_id);
  json_object_set_string_member (message, "username", viewer->username);
  json_object_set_int_member (message, "viewerCount", viewer_count);
  set_timestamp (message, "timestamp");
  publish (self, channel, message);
}

/* userJoined / userLeft: {roomId, userId, username, viewerCount, timestamp},
 * plus role [ext], so a viewer list built from these shows staff as staff. */
static JsonNode *
presence_payload (const char     *room_id,
                  const GwViewer *viewer,
                  guint           viewer_count)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "roomId", room_id);
  json_object_set_string_member (object, "userId", viewer->user_id);
  json_object_set_string_member (object, "username", viewer->username);
  json_object_set_string_member (object, "role", gw_role_to_string (viewer->role));
  json_object_set_int_member (object, "viewerCount", viewer_count);
  set_timestamp (object, "timestamp");

  return node_from_object (object);
}

/* ROOM_ID's viewers over the cluster, whether or not this process still
 * keeps the room. */
static guint
room_viewer_count (GwGateway  *self,
                   const char *room_id)
{
  GwRoom *room = gw_rooms_lookup (self->rooms, room_id);
  g_autoptr(GwRoom) empty = NULL;

  if (room != NULL)
    return cluster_viewer_count (self, room);
  empty = gw_room_new (room_id);
  return cluster_viewer_count (self, empty);
}

/* userJoined to the room but the joiner's socket EXCEPT_SID, and viewer.join. */
static void
announce_arrival (GwGateway      *self,
                  const char     *room_id,
                  const GwViewer *viewer,
                  const char     *except_sid)
{
  guint count = room_viewer_count (self, room_id);
  g_autoptr(JsonNode) payload = presence_payload (room_id, viewer, count);
  g_autoptr(JsonArray) args = args_of (payload);
  g_autofree char *room = transport_room (room_id);

  sio_server_namespace_broadcast (self->nsp, (const char *[]) { room, NULL },
                                  (const char *[]) { except_sid, NULL }, "userJoined", args, NULL);
  publish_viewer (self, "viewer.join", "viewer_join", room_id, viewer, count);
}

/* userLeft to the room, and viewer.leave. */
static void
announce_leaving (GwGateway      *self,
                  const char     *room_id,
                  const GwViewer *viewer)
{
  guint count = room_viewer_count (self, room_id);
  g_autoptr(JsonNode) payload = presence_payload (room_id, viewer, count);

  emit_to_room (self, room_id, "userLeft", payload);
  publish_viewer (self, "viewer.leave", "viewer_leave", room_id, viewer, count);
}

/* Whether Redis, rather than the shares this process has heard of, decides
 * who is new to a room and who has left it. */
static gboolean
presence_in_redis (GwGateway *self)
{
  return self->redis != NULL && !self->disposing && gw_redis_get_connected (self->redis);
}

/* A viewer's first socket on this process came or its last one went, on its
 * way through Redis. */
typedef struct
{
  GWeakRef  gateway;
  char     *room_id;
  char     *sid;        /* the joiner's */
  GwViewer *viewer;
  Deferred *deferred;   /* joinRoom's answer, or NULL */
  gboolean  learn_room; /* a room new to this process: ask Redis who else is in it */
} PresenceChange;

static PresenceChange *
presence_change_new (GwGateway      *self,
                     const char     *room_id,
                     const char     *sid,
                     const GwViewer *viewer)
{
  PresenceChange *change = g_new0 (PresenceChange, 1);

  g_weak_ref_init (&change->gateway, self);
  change->room_id = g_strdup (room_id);
  change->sid = g_strdup (sid);
  change->viewer = gw_viewer_copy (viewer);
  return change;
}

static void
presence_change_free (PresenceChange *change)
{
  g_weak_ref_clear (&change->gateway);
  g_free (change->room_id);
  g_free (change->sid);
  gw_viewer_free (change->viewer);
  g_clear_pointer (&change->deferred, deferred_free);
  g_free (change);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PresenceChange, presence_change_free)

static void
on_cluster_leave (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(PresenceChange) change = user_data;
  g_autoptr(GwGateway) self = g_weak_ref_get (&change->gateway);
  g_autoptr(GError) error = NULL;
  gboolean last = TRUE;

  if (!gw_redis_rooms_leave_finish (GW_REDIS (source), result, &last, &error))
    {
      g_debug ("Redis could not record that %s left %s: %s", change->viewer->user_id, change->room_id,
               error->message);
      last = self != NULL && !remote_has_viewer (self, change->room_id, change->viewer->user_id);
    }

  if (self != NULL && last)
    announce_leaving (self, change->room_id, change->viewer);
}

/* The viewer left ROOM (their last socket there went): the others hear it,
 * unless a socket of theirs remains on another process. */
static void
announce_departure (GwGateway      *self,
                    GwRoom         *room,
                    const GwViewer *viewer)
{
  const char *room_id = gw_room_get_id (room);

  publish_presence (self, room);

  if (presence_in_redis (self))
    {
      gw_redis_rooms_leave_async (self->redis, room_id, self->uid, viewer->user_id, NULL, on_cluster_leave,
                                  presence_change_new (self, room_id, NULL, viewer));
      return;
    }

  if (!remote_has_viewer (self, room_id, viewer->user_id))
    announce_leaving (self, room_id, viewer);
}

/* Takes CLIENT out of ROOM_ID, on the transport and in the room's state. */
static void
client_leave_room (GwGateway  *self,
                   Client     *client,
                   const char *room_id)
{
  GwRoom *room = gw_rooms_lookup (self->rooms, room_id);
  g_autofree char *transport = transport_room (room_id);
  g_autoptr(GwViewer) gone = NULL;
  const char *sid = sio_server_socket_get_id (client->socket);

  sio_server_socket_leave (client->socket, transport);
  g_hash_table_remove (client->rooms, room_id);

  if (room != NULL && gw_room_remove_socket (room, sid, now_ms (), &gone))
    announce_departure (self, room, gone);
}

static void
client_free (gpointer data)
{
  Client *client = data;

  g_clear_handle_id (&client->expiry_source, sio_deadline_remove);
  g_clear_handle_id (&client->auth_timeout_source, sio_deadline_remove);
  g_queue_clear_full (&client->waiting, (GDestroyNotify) queued_event_free);
  g_signal_handlers_disconnect_by_data (client->socket, client);
  g_clear_object (&client->socket);
  g_clear_pointer (&client->claims, gw_jwt_claims_free);
  g_clear_pointer (&client->rooms, g_hash_table_unref);
  g_free (client);
}

static gboolean
require_room_member (Client      *client,
                     const char  *room_id,
                     GError     **error)
{
  if (g_hash_table_contains (client->rooms, room_id))
    return TRUE;

  g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_NOT_IN_ROOM,
               "Join the room %s first", room_id);
  return FALSE;
}

/* The guide sends its own user id along; one that is not the token's is
 * someone speaking for another. */
static gboolean
check_claimed_user (Client      *client,
                    JsonObject  *payload,
                    const char  *member,
                    GError     **error)
{
  const char *claimed;

  if (!ld_validate_member_string (payload, member, FALSE, &claimed, error))
    return FALSE;

  if (claimed != NULL && strcmp (claimed, client->claims->sub) != 0)
    {
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN,
                   "“%s” is not the user this connection authenticated as", member);
      return FALSE;
    }

  return TRUE;
}

static gboolean
on_token_expired (gpointer user_data)
{
  Client *client = user_data;
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *expired_at = NULL;

  client->expiry_source = 0;
  if (client->claims == NULL)
    return G_SOURCE_REMOVE;

  expired_at = gw_timestamp_format (client->claims->exp * 1000);
  json_object_set_string_member (payload, "expiredAt", expired_at);
  json_object_set_string_member (payload, "message",
                                 "Your session token expired; refresh it and authenticate again");
  /* Rooms are kept, so that a refreshed token continues where it was; until
   * then every protected event answers authRequired. What the token's user
   * and role were sent is not: authenticate_token joins those again. */
  {
    g_autofree char *user_room = g_strconcat (USER_PREFIX, client->claims->sub, NULL);

    sio_server_socket_leave (client->socket, user_room);
    sio_server_socket_leave (client->socket, ADMINS_ROOM);
  }
  g_clear_pointer (&client->claims, gw_jwt_claims_free);
  node = node_from_object (g_steal_pointer (&payload));
  emit_to_socket (client->socket, "tokenExpired", node);

  return G_SOURCE_REMOVE;
}

static const char *
client_address (Client *client)
{
  SioEngineSocket *connection = sio_server_socket_get_connection (client->socket);

  return connection != NULL ? sio_engine_socket_get_remote_address (connection) : NULL;
}

/* Auth outcomes by code, never with the token or the verifier's words about it. */
static void
log_auth (Client       *client,
          const GError *error)
{
  const char *sid = sio_server_socket_get_id (client->socket);

  if (error == NULL)
    gw_log_event (G_LOG_LEVEL_INFO, "auth", "sid", sid, "addr", client_address (client),
                  "user", client->claims->sub, "role", gw_role_to_string (client->claims->role), NULL);
  else
    gw_log_event (G_LOG_LEVEL_INFO, "auth_failed", "sid", sid, "addr", client_address (client),
                  "code", error->domain == LD_CONTRACT_ERROR ? ld_contract_error_to_code (error->code) : "INTERNAL",
                  NULL);
}

static gboolean
authenticate_token (GwGateway   *self,
                    Client      *client,
                    const char  *token,
                    const char  *claimed_user,
                    JsonNode   **out_reply,
                    GError     **error)
{
  g_autoptr(GError) jwt_error = NULL;
  g_autoptr(GwJwtClaims) claims = NULL;
  g_autofree char *expires_at = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  JsonObject *reply;
  const char *sid = sio_server_socket_get_id (client->socket);

  if (token == NULL || token[0] == '\0')
    {
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_UNAUTHENTICATED, "No token was given");
      return FALSE;
    }

  claims = gw_jwt_verify (self->jwt, token, now, &jwt_error);
  if (claims == NULL)
    {
      g_set_error_literal (error, LD_CONTRACT_ERROR,
                           g_error_matches (jwt_error, GW_JWT_ERROR, GW_JWT_ERROR_EXPIRED)
                             ? LD_CONTRACT_ERROR_TOKEN_EXPIRED : LD_CONTRACT_ERROR_UNAUTHENTICATED,
                           jwt_error->message);
      return FALSE;
    }

  if (claimed_user != NULL && strcmp (claimed_user, claims->sub) != 0)
    {
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_UNAUTHENTICATED,
                   "The token belongs to another user than “%s”", claimed_user);
      return FALSE;
    }

  /* A connection stays one user: switching would leave its rooms counting
   * the wrong person. A refreshed token of the same user is welcome. */
  if (client->claims != NULL && strcmp (client->claims->sub, claims->sub) != 0)
    {
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN,
                   "This connection is already authenticated as another user; reconnect to switch");
      return FALSE;
    }

  g_clear_handle_id (&client->expiry_source, sio_deadline_remove);
  g_clear_handle_id (&client->auth_timeout_source, sio_deadline_remove);
  g_clear_pointer (&client->claims, gw_jwt_claims_free);
  client->claims = g_steal_pointer (&claims);
  client->expiry_source = sio_deadline_add_seconds ((guint) CLAMP (client->claims->exp - now, 0, G_MAXINT),
                                                    on_token_expired, client);

  {
    g_autofree char *user_room = g_strconcat (USER_PREFIX, client->claims->sub, NULL);

    sio_server_socket_join (client->socket, user_room);
    if (client->claims->role == GW_ROLE_ADMIN)
      sio_server_socket_join (client->socket, ADMINS_ROOM);
    else
      sio_server_socket_leave (client->socket, ADMINS_ROOM);
  }

  /* The role may have changed with the new token. */
  {
    GHashTableIter iter;
    const char *room_id;

    g_hash_table_iter_init (&iter, client->rooms);
    while (g_hash_table_iter_next (&iter, (gpointer *) &room_id, NULL))
      {
        GwRoom *room = gw_rooms_lookup (self->rooms, room_id);

        if (room != NULL)
          gw_room_add_socket (room, sid, client->claims->sub, client->claims->name,
                              client->claims->role, now_ms ());
      }
  }

  expires_at = gw_timestamp_format (client->claims->exp * 1000);
  reply = json_object_new ();
  json_object_set_string_member (reply, "userId", client->claims->sub);
  json_object_set_string_member (reply, "username", client->claims->name);
  json_object_set_string_member (reply, "role", gw_role_to_string (client->claims->role));
  json_object_set_string_member (reply, "expiresAt", expires_at != NULL ? expires_at : "");
  *out_reply = node_from_object (reply);

  return TRUE;
}

static gboolean
handle_authenticate (GwGateway   *self,
                     Client      *client,
                     JsonObject  *payload,
                     JsonNode   **out_reply,
                     GError     **error)
{
  const char *token;
  const char *user_id;

  if (!ld_validate_member_string (payload, "token", FALSE, &token, error) ||
      !ld_validate_member_string (payload, "userId", FALSE, &user_id, error))
    return FALSE;

  return authenticate_token (self, client, token, user_id, out_reply, error);
}

/* joinedRoom's success envelope for ROOM_ID as it is now. */
static JsonNode *
joined_reply (GwGateway  *self,
              const char *room_id)
{
  GwRoom *room = gw_rooms_ensure (self->rooms, room_id);
  JsonObject *data = json_object_new ();
  JsonArray *viewers = dup_cluster_viewers (self, room);

  json_object_set_string_member (data, "roomId", room_id);
  json_object_set_int_member (data, "viewerCount", json_array_get_length (viewers));
  json_object_set_array_member (data, "viewers", viewers);
  json_object_set_array_member (data, "recentMessages", gw_room_dup_recent_messages (room));
  if (gw_room_get_title (room) != NULL)
    json_object_set_string_member (data, "title", gw_room_get_title (room));
  if (gw_room_get_status (room) != NULL)
    json_object_set_string_member (data, "status", gw_room_get_status (room));

  return gw_envelope_new_success ("Joined the room", node_from_object (data));
}

/* Takes the other processes' shares of a room from Redis' INFO, as if they
 * had published them. */
static void
learn_shares (GwGateway  *self,
              const char *room_id,
              JsonObject *info)
{
  JsonArray *viewers = json_object_get_array_member (info, "viewers");
  g_autoptr(GHashTable) shares = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) json_array_unref);
  GHashTableIter iter;
  gpointer uid;
  gpointer share;

  for (guint i = 0; i < json_array_get_length (viewers); i++)
    {
      JsonObject *viewer = json_array_get_object_element (viewers, i);
      JsonNode *processes = viewer != NULL ? json_object_get_member (viewer, "processes") : NULL;

      if (processes == NULL || !JSON_NODE_HOLDS_ARRAY (processes))
        continue;
      for (guint j = 0; j < json_array_get_length (json_node_get_array (processes)); j++)
        {
          JsonNode *element = json_array_get_element (json_node_get_array (processes), j);
          const char *process = JSON_NODE_HOLDS_VALUE (element) ? json_node_get_string (element) : NULL;
          JsonObject *entry;
          JsonArray *held;

          if (process == NULL || strcmp (process, self->uid) == 0)
            continue;
          if ((held = g_hash_table_lookup (shares, process)) == NULL)
            g_hash_table_insert (shares, g_strdup (process), (held = json_array_new ()));
          /* What a share holds, not which processes hold it. */
          entry = json_object_new ();
          for (const char * const *member = (const char * const[]) { "userId", "username", "role", NULL };
               *member != NULL; member++)
            if (json_object_has_member (viewer, *member))
              json_object_set_member (entry, *member, json_node_copy (json_object_get_member (viewer, *member)));
          json_array_add_object_element (held, entry);
        }
    }

  g_hash_table_iter_init (&iter, shares);
  while (g_hash_table_iter_next (&iter, &uid, &share))
    {
      /* One they published meanwhile is as fresh; keep it. */
      GHashTable *known = g_hash_table_lookup (self->remote_presence, room_id);

      if (known == NULL || !g_hash_table_contains (known, uid))
        store_presence_share (self, room_id, uid, share);
    }
}

static void
on_room_learned (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PresenceChange) change = user_data;
  g_autoptr(GwGateway) self = g_weak_ref_get (&change->gateway);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) info = gw_redis_rooms_get_info_finish (GW_REDIS (source), result, &error);
  g_autoptr(JsonNode) reply = NULL;

  if (self == NULL)
    return;

  if (info != NULL)
    learn_shares (self, change->room_id, info);
  else
    g_debug ("Redis could not say who else is in %s: %s", change->room_id, error->message);

  reply = joined_reply (self, change->room_id);
  answer_deferred (g_steal_pointer (&change->deferred), reply, NULL);
}

static void
on_cluster_join (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PresenceChange) change = user_data;
  g_autoptr(GwGateway) self = g_weak_ref_get (&change->gateway);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(JsonObject) info = NULL;
  gboolean first = TRUE;
  GwRoom *room;

  if (self == NULL)
    return;

  if (!gw_redis_rooms_join_finish (GW_REDIS (source), result, &first, &info, &error))
    {
      g_debug ("Redis could not record that %s joined %s: %s", change->viewer->user_id, change->room_id,
               error->message);
      first = !remote_has_viewer (self, change->room_id, change->viewer->user_id);
    }

  /* A process started after the backend titled the room or took it live
   * learns it here, rather than show the joiner an untitled room. */
  room = gw_rooms_lookup (self->rooms, change->room_id);
  if (room != NULL && info != NULL)
    {
      const char *title = json_object_get_string_member_with_default (info, "title", NULL);
      const char *status = json_object_get_string_member_with_default (info, "status", NULL);

      if (gw_room_get_title (room) == NULL && title != NULL)
        gw_room_set_title (room, title);
      if (gw_room_get_status (room) == NULL && status != NULL)
        gw_room_set_status (room, status);
    }

  if (first)
    announce_arrival (self, change->room_id, change->viewer, change->sid);

  /* Until the other processes next publish their shares, a process new to
   * the room would show the joiner a room with only its own viewers. */
  if (change->learn_room && info != NULL && presence_in_redis (self))
    {
      PresenceChange *waiting = g_steal_pointer (&change);

      gw_redis_rooms_get_info_async (self->redis, waiting->room_id, NULL, on_room_learned, waiting);
      return;
    }

  reply = joined_reply (self, change->room_id);
  answer_deferred (g_steal_pointer (&change->deferred), reply, NULL);
}

static gboolean
join_room_now (GwGateway   *self,
               Client      *client,
               JsonObject  *payload,
               JsonNode   **out_reply,
               GError     **error)
{
  const char *room_id;
  const char *sid = sio_server_socket_get_id (client->socket);
  g_autofree char *transport = NULL;
  GwRoom *room;
  gint64 now = now_ms ();

  if (!ld_validate_member_room_id (payload, &room_id, error) ||
      !check_claimed_user (client, payload, "userId", error))
    return FALSE;

  /* Each room costs presence, pings and fan-out (PROTOCOL.md section 2). */
  if (!g_hash_table_contains (client->rooms, room_id) && g_hash_table_size (client->rooms) >= self->max_rooms)
    {
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN,
                   "A connection may be in at most %u rooms; leave one first", self->max_rooms);
      return FALSE;
    }

  room = gw_rooms_ensure (self->rooms, room_id);
  if (gw_room_get_sanction (room, client->claims->sub, now, NULL) == GW_SANCTION_BAN)
    {
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN, "You are banned from this room");
      return FALSE;
    }

  transport = transport_room (room_id);
  sio_server_socket_join (client->socket, transport);
  g_hash_table_add (client->rooms, g_strdup (room_id));

  if (gw_room_add_socket (room, sid, client->claims->sub, client->claims->name, client->claims->role, now))
    {
      const GwViewer *viewer = gw_room_lookup_viewer (room, client->claims->sub);

      publish_presence (self, room);
      /* Counted per user over the cluster: a second tab on another process
       * is no newcomer. Redis decides, atomically, when it can; the joiner
       * is answered after that, so the count it is shown includes it. */
      if (presence_in_redis (self))
        {
          PresenceChange *change = presence_change_new (self, room_id, sid, viewer);

          change->deferred = defer_reply (self, client);
          change->learn_room = gw_room_get_viewer_count (room) == 1 &&
                               !g_hash_table_contains (self->remote_presence, room_id);
          gw_redis_rooms_join_async (self->redis, room_id, self->uid, viewer->user_id, viewer->username,
                                     gw_role_to_string (viewer->role), self->presence_timeout, NULL,
                                     on_cluster_join, change);
          return TRUE;
        }

      if (!remote_has_viewer (self, room_id, viewer->user_id))
        announce_arrival (self, room_id, viewer, sid);
    }

  *out_reply = joined_reply (self, room_id);
  return TRUE;
}

/* USER_ID's sanctions in ROOM as the shared store has them: a ban or a
 * timeout given on another process, or before this one started, holds here. */
static void
load_sanctions (GwRoom                  *room,
                const char              *user_id,
                const GwSanctionsRecord *record)
{
  gint64 now = now_ms ();
  gint64 real = g_get_real_time () / 1000;

  gw_room_unban_user (room, user_id);
  if (record->ban_until_ms == GW_SANCTIONS_FOREVER)
    gw_room_ban_user (room, user_id, GW_ROOM_FOREVER);
  else if (record->ban_until_ms != 0)
    gw_room_ban_user (room, user_id, now + (record->ban_until_ms - real));
  if (record->timeout_until_ms != 0)
    gw_room_timeout_user (room, user_id, now + (record->timeout_until_ms - real));
  if (gw_room_get_owner (room) == NULL && record->owner != NULL)
    gw_room_set_owner (room, record->owner);
}

typedef struct
{
  Deferred *deferred;
  char     *room_id;
} JoinCheck;

static void
on_join_checked (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  JoinCheck *check = user_data;
  g_autoptr(GwGateway) self = g_weak_ref_get (&check->deferred->gateway);
  g_autoptr(GError) error = NULL;
  g_autoptr(GwSanctionsRecord) record = gw_sanctions_lookup_finish (GW_SANCTIONS (source), result, &error);
  g_autoptr(JsonNode) reply = NULL;
  g_autoptr(JsonObject) payload = NULL;
  Client *client = self != NULL ? g_hash_table_lookup (self->clients, check->deferred->sid) : NULL;

  if (client == NULL || self->disposing)
    goto out;

  g_clear_error (&error);
  if (client->claims == NULL)
    {
      /* The token expired meanwhile. */
      g_set_error_literal (&error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_UNAUTHENTICATED, "Authenticate first");
      answer_deferred (g_steal_pointer (&check->deferred), NULL, error);
      goto out;
    }

  /* Redis away: what this process knows is the next best thing. */
  if (record != NULL)
    load_sanctions (gw_rooms_ensure (self->rooms, check->room_id), client->claims->sub, record);

  payload = json_object_new ();
  json_object_set_string_member (payload, "roomId", check->room_id);
  self->handling_spec = check->deferred->spec;
  self->handling_ack = check->deferred->ack;
  join_room_now (self, client, payload, &reply, &error);
  self->handling_spec = NULL;
  self->handling_ack = NULL;

  /* Neither: join_room_now answers later, through a Deferred of its own. */
  if (reply != NULL || error != NULL)
    answer_deferred (g_steal_pointer (&check->deferred), reply, error);

out:
  g_clear_pointer (&check->deferred, deferred_free);
  g_free (check->room_id);
  g_free (check);
}

/* Bans live in Redis when the gateway has one: they are read before the
 * join, so that one given elsewhere or before a restart still holds. */
static gboolean
handle_join_room (GwGateway   *self,
                  Client      *client,
                  JsonObject  *payload,
                  JsonNode   **out_reply,
                  GError     **error)
{
  const char *room_id;
  JoinCheck *check;

  if (!gw_sanctions_is_shared (self->sanctions) || !presence_in_redis (self))
    return join_room_now (self, client, payload, out_reply, error);

  if (!ld_validate_member_room_id (payload, &room_id, error) ||
      !check_claimed_user (client, payload, "userId", error))
    return FALSE;

  check = g_new0 (JoinCheck, 1);
  check->deferred = defer_reply (self, client);
  check->room_id = g_strdup (room_id);
  gw_sanctions_lookup_async (self->sanctions, room_id, client->claims->sub, NULL, on_join_checked, check);
  return TRUE;
}

static gboolean
handle_leave_room (GwGateway   *self,
                   Client      *client,
                   JsonObject  *payload,
                   JsonNode   **out_reply,
                   GError     **error)
{
  const char *room_id;
  g_autofree char *kept_id = NULL;
  JsonObject *data;

  if (!ld_validate_member_room_id (payload, &room_id, error) ||
      !require_room_member (client, room_id, error))
    return FALSE;

  kept_id = g_strdup (room_id);
  client_leave_room (self, client, kept_id);

  data = json_object_new ();
  json_object_set_string_member (data, "roomId", kept_id);
  *out_reply = gw_envelope_new_success ("Left the room", node_from_object (data));
  return TRUE;
}

/* roomInfo's success envelope, from this process's room and either what
 * Redis holds for the cluster (FROM_REDIS) or, without it, the shares the
 * other processes told us of. NULL when nothing at all is known of the room. */
static JsonNode *
room_info_reply (GwGateway  *self,
                 const char *room_id,
                 JsonObject *from_redis)
{
  GwRoom *room = gw_rooms_lookup (self->rooms, room_id);
  g_autoptr(GwRoom) unknown = NULL;
  g_autoptr(JsonArray) viewers = NULL;
  const char *title;
  const char *status;
  JsonObject *data;

  if (room == NULL)
    room = unknown = gw_room_new (room_id);

  if (from_redis != NULL)
    {
      JsonArray *held = json_object_get_array_member (from_redis, "viewers");
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

      viewers = gw_room_dup_viewers_json (room);
      for (guint i = 0; i < json_array_get_length (viewers); i++)
        g_hash_table_add (seen, (gpointer) json_object_get_string_member (json_array_get_object_element (viewers, i),
                                                                          "userId"));
      for (guint i = 0; i < json_array_get_length (held); i++)
        {
          JsonObject *viewer = json_array_get_object_element (held, i);
          const char *user_id = NULL;
          const char *username = NULL;
          const char *role = NULL;

          JsonObject *entry;

          /* Another process's word: only well-formed entries, each user once. */
          if (viewer == NULL ||
              !ld_validate_member_string (viewer, "userId", TRUE, &user_id, NULL) ||
              !ld_validate_user_id (user_id, NULL) ||
              !ld_validate_member_string (viewer, "username", TRUE, &username, NULL) ||
              !ld_validate_member_string (viewer, "role", TRUE, &role, NULL) ||
              g_hash_table_contains (seen, user_id))
            continue;
          g_hash_table_add (seen, (gpointer) user_id);
          entry = json_object_new ();
          json_object_set_string_member (entry, "userId", user_id);
          json_object_set_string_member (entry, "username", username);
          json_object_set_string_member (entry, "role", role);
          json_array_add_object_element (viewers, entry);
        }
    }
  else
    viewers = dup_cluster_viewers (self, room);

  title = gw_room_get_title (room);
  status = gw_room_get_status (room);
  if (from_redis != NULL)
    {
      if (title == NULL)
        title = json_object_get_string_member_with_default (from_redis, "title", NULL);
      if (status == NULL)
        status = json_object_get_string_member_with_default (from_redis, "status", NULL);
    }

  if (unknown != NULL && json_array_get_length (viewers) == 0 && title == NULL && status == NULL)
    return NULL;

  data = json_object_new ();
  json_object_set_string_member (data, "roomId", room_id);
  if (title != NULL)
    json_object_set_string_member (data, "title", title);
  else
    json_object_set_null_member (data, "title");
  if (status != NULL)
    json_object_set_string_member (data, "status", status);
  else
    json_object_set_null_member (data, "status");
  json_object_set_int_member (data, "viewerCount", json_array_get_length (viewers));
  json_object_set_array_member (data, "viewers", g_steal_pointer (&viewers));

  return gw_envelope_new_success ("Room info", node_from_object (data));
}

static void
set_room_not_found (GError     **error,
                    const char  *room_id)
{
  g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_ROOM_NOT_FOUND, "There is no room %s", room_id);
}

typedef struct
{
  Deferred *deferred;
  char     *room_id;
} RoomInfoRequest;

static void
on_room_info (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  RoomInfoRequest *request = user_data;
  g_autoptr(GwGateway) self = g_weak_ref_get (&request->deferred->gateway);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) info = gw_redis_rooms_get_info_finish (GW_REDIS (source), result, &error);
  g_autoptr(JsonNode) reply = NULL;

  if (info == NULL)
    g_debug ("Redis could not say what is in room %s: %s", request->room_id, error->message);
  g_clear_error (&error);

  /* Without Redis' word, what this process heard is the next best thing. */
  if (self != NULL && (reply = room_info_reply (self, request->room_id, info)) == NULL)
    set_room_not_found (&error, request->room_id);

  answer_deferred (request->deferred, reply, error);
  g_free (request->room_id);
  g_free (request);
}

/* The cluster's truth: a room whose viewers are all on other processes is
 * no less there. */
static gboolean
handle_get_room_info (GwGateway   *self,
                      Client      *client,
                      JsonObject  *payload,
                      JsonNode   **out_reply,
                      GError     **error)
{
  const char *room_id;

  if (!ld_validate_member_room_id (payload, &room_id, error))
    return FALSE;

  if (presence_in_redis (self))
    {
      RoomInfoRequest *request = g_new0 (RoomInfoRequest, 1);

      request->deferred = defer_reply (self, client);
      request->room_id = g_strdup (room_id);
      gw_redis_rooms_get_info_async (self->redis, room_id, NULL, on_room_info, request);
      return TRUE;
    }

  *out_reply = room_info_reply (self, room_id, NULL);
  if (*out_reply == NULL)
    {
      set_room_not_found (error, room_id);
      return FALSE;
    }

  return TRUE;
}

static gboolean
handle_viewer_ping (GwGateway   *self,
                    Client      *client,
                    JsonObject  *payload,
                    JsonNode   **out_reply,
                    GError     **error)
{
  const char *room_id;
  JsonObject *data;
  GwRoom *room;

  if (!ld_validate_member_room_id (payload, &room_id, error) ||
      !require_room_member (client, room_id, error))
    return FALSE;

  room = gw_rooms_lookup (self->rooms, room_id);
  if (room == NULL || !gw_room_touch (room, sio_server_socket_get_id (client->socket), now_ms ()))
    {
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_NOT_IN_ROOM, "Join the room %s first", room_id);
      return FALSE;
    }

  data = json_object_new ();
  json_object_set_string_member (data, "roomId", room_id);
  json_object_set_int_member (data, "viewerCount", cluster_viewer_count (self, room));
  set_timestamp (data, "serverTime");
  *out_reply = gw_envelope_new_success ("pong", node_from_object (data));

  return TRUE;
}

/* What every send into a room checks first: membership, then sanctions. */
static GwRoom *
room_for_sending (GwGateway   *self,
                  Client      *client,
                  JsonObject  *payload,
                  const char **out_room_id,
                  GError     **error)
{
  GwRoom *room;

  if (!ld_validate_member_room_id (payload, out_room_id, error) ||
      !require_room_member (client, *out_room_id, error))
    return NULL;

  room = gw_rooms_lookup (self->rooms, *out_room_id);
  if (room == NULL)
    {
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_NOT_IN_ROOM, "Join the room %s first", *out_room_id);
      return NULL;
    }

  if (!gw_room_check_can_send (room, client->claims->sub, now_ms (), error))
    return NULL;

  return room;
}

static gboolean
take_slot (GwGateway    *self,
           LdRateLimit  *limit,
           Client       *client,
           const char   *one,
           const char   *many,
           GError      **error)
{
  LdRateWindow hit;
  gint64 retry_ms;

  if (ld_rate_limit_try (limit, client->claims->sub, now_ms (), &hit, &retry_ms))
    return TRUE;

  self->last_retry_ms = retry_ms;
  ld_rate_limit_set_error_full (error, &hit, retry_ms, one, many);
  return FALSE;
}

static gboolean
take_chat_slot (GwGateway   *self,
                Client      *client,
                GError     **error)
{
  return take_slot (self, self->chat_limit, client, "message", "messages", error);
}

static gboolean
send_chat (GwGateway   *self,
           Client      *client,
           JsonObject  *payload,
           gboolean     is_image,
           JsonNode   **out_reply,
           GError     **error)
{
  const char *room_id;
  const char *text;
  const char *image_url = NULL;
  g_autofree char *clean = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *timestamp = NULL;
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonObject *data;
  GwRoom *room;

  if (!(room = room_for_sending (self, client, payload, &room_id, error)) ||
      !check_claimed_user (client, payload, "userId", error) ||
      !ld_validate_member_string (payload, "message", !is_image, &text, error))
    return FALSE;

  if (is_image)
    {
      if (!ld_validate_member_string (payload, "imageUrl", TRUE, &image_url, error) ||
          !ld_validate_image_url (image_url, LD_IMAGE_URL_ALLOW_HTTP, error))
        {
          /* A missing or non-string URL is a bad image URL to the user, too. */
          if (error != NULL && *error != NULL && (*error)->code == LD_CONTRACT_ERROR_INVALID_PAYLOAD)
            (*error)->code = LD_CONTRACT_ERROR_INVALID_IMAGE_URL;
          return FALSE;
        }
      /* The caption is optional; one that is given is checked like a message. */
      clean = ld_sanitize_text (text != NULL ? text : "");
      if (clean[0] != '\0')
        {
          g_clear_pointer (&clean, g_free);
          if (!(clean = ld_validate_text (text, LD_MESSAGE_MAX_CHARS, error)))
            return FALSE;
        }
    }
  else if (!(clean = ld_validate_text (text, LD_MESSAGE_MAX_CHARS, error)))
    return FALSE;

  if (!take_chat_slot (self, client, error))
    return FALSE;

  message_id = gw_room_new_message_id (room);
  timestamp = gw_timestamp_now ();
  message = json_object_new ();
  json_object_set_string_member (message, "messageId", message_id);
  json_object_set_string_member (message, "roomId", room_id);
  json_object_set_string_member (message, "userId", client->claims->sub);
  json_object_set_string_member (message, "username", client->claims->name);
  json_object_set_string_member (message, "role", gw_role_to_string (client->claims->role));
  json_object_set_string_member (message, "message", clean);
  json_object_set_string_member (message, "messageType", is_image ? "image" : "text");
  if (image_url != NULL)
    json_object_set_string_member (message, "imageUrl", image_url);
  else
    json_object_set_null_member (message, "imageUrl");
  json_object_set_string_member (message, "timestamp", timestamp);

  gw_room_add_message (room, message);
  {
    g_autoptr(JsonObject) state = json_object_new ();

    json_object_set_string_member (state, "roomId", room_id);
    json_object_set_object_member (state, "message", json_object_ref (message));
    publish_state (self, "message", state);
  }
  node = node_from_object (json_object_ref (message));
  emit_to_room (self, room_id, "newMessage", node);

  data = json_object_new ();
  json_object_set_string_member (data, "messageId", message_id);
  json_object_set_string_member (data, "timestamp", timestamp);
  *out_reply = gw_envelope_new_success ("Message sent", node_from_object (data));

  return TRUE;
}

static gboolean
handle_send_message (GwGateway   *self,
                     Client      *client,
                     JsonObject  *payload,
                     JsonNode   **out_reply,
                     GError     **error)
{
  return send_chat (self, client, payload, FALSE, out_reply, error);
}

static gboolean
handle_send_image_message (GwGateway   *self,
                           Client      *client,
                           JsonObject  *payload,
                           JsonNode   **out_reply,
                           GError     **error)
{
  return send_chat (self, client, payload, TRUE, out_reply, error);
}

static gboolean
handle_send_gift (GwGateway   *self,
                  Client      *client,
                  JsonObject  *payload,
                  JsonNode   **out_reply,
                  GError     **error)
{
  g_autoptr(LdGiftRequest) gift = NULL;
  g_autofree char *tx_id = NULL;
  g_autofree char *timestamp = NULL;
  g_autoptr(JsonNode) node = NULL;
  const char *room_id;
  const GwGift *known;
  JsonObject *event;
  JsonObject *data;

  if (!room_for_sending (self, client, payload, &room_id, error) ||
      !check_claimed_user (client, payload, "senderId", error) ||
      !(gift = ld_validate_gift (payload, error)))
    return FALSE;

  /* What a gift is called and worth is the catalogue's word: a sender's own
   * value would go onto every leaderboard and overlay. How it is shown (type,
   * animation) stays the sender's choice. */
  if (self->gifts == NULL || (known = gw_gifts_lookup (self->gifts, gift->gift_id)) == NULL)
    {
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_GIFT, "There is no such gift");
      return FALSE;
    }

  if (!take_slot (self, self->gift_limit, client, "gift", "gifts", error))
    return FALSE;

  tx_id = g_uuid_string_random ();
  timestamp = gw_timestamp_now ();

  /* The sendGift fields as checked, with the sender the token names. */
  event = json_object_new ();
  json_object_set_string_member (event, "roomId", gift->room_id);
  json_object_set_string_member (event, "senderId", client->claims->sub);
  json_object_set_string_member (event, "senderName", client->claims->name);
  json_object_set_string_member (event, "receiverId", gift->receiver_id);
  json_object_set_string_member (event, "receiverName", gift->receiver_name);
  json_object_set_string_member (event, "giftId", known->id);
  json_object_set_string_member (event, "giftName", known->name);
  json_object_set_string_member (event, "giftType", gift->gift_type);
  json_object_set_double_member (event, "giftValue", known->value);
  json_object_set_int_member (event, "quantity", gift->quantity);
  json_object_set_string_member (event, "message", gift->message);
  json_object_set_string_member (event, "animation", gift->animation);
  json_object_set_string_member (event, "timestamp", timestamp);
  json_object_set_string_member (event, "giftTxId", tx_id);
  node = node_from_object (event);
  emit_to_room (self, gift->room_id, "newGift", node);

  data = json_object_new ();
  json_object_set_string_member (data, "giftTxId", tx_id);
  json_object_set_string_member (data, "timestamp", timestamp);
  *out_reply = gw_envelope_new_success ("Gift sent", node_from_object (data));

  return TRUE;
}

/* [ext] Support tickets (README, "Beyond PROTOCOL.md"): stored by GwTickets,
 * every message and change fanned out to every admin on every process. */

static void
count_ticket_refusal (const char *reason)
{
  gw_metrics_describe ("livedesk_ticket_refusals_total", GW_METRIC_COUNTER,
                       "Support ticket requests refused by the ticket store, by reason");
  gw_metrics_add ("livedesk_ticket_refusals_total", reason, 1);
}

/* The store's refusal in the contract's words, counted. */
static GError *
ticket_error_to_contract (const GError *error)
{
  if (error->domain == GW_TICKETS_ERROR)
    switch (error->code)
      {
      case GW_TICKETS_ERROR_NOT_FOUND:
        count_ticket_refusal ("reason=\"not_found\"");
        return g_error_new_literal (LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD, error->message);
      case GW_TICKETS_ERROR_OTHER_USER:
        count_ticket_refusal ("reason=\"other_user\"");
        return g_error_new_literal (LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD, error->message);
      case GW_TICKETS_ERROR_FULL:
        count_ticket_refusal ("reason=\"ticket_full\"");
        return g_error_new_literal (LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN, error->message);
      case GW_TICKETS_ERROR_TOO_MANY:
        count_ticket_refusal ("reason=\"too_many_open\"");
        return g_error_new_literal (LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN, error->message);
      default:
        break;
      }

  /* Redis away or answering nonsense: nothing is stored, so nothing is sent. */
  gw_log_event (G_LOG_LEVEL_MESSAGE, "tickets-unavailable", "reason", error->message, NULL);
  count_ticket_refusal ("reason=\"unavailable\"");
  return g_error_new_literal (LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INTERNAL,
                              "Support is unavailable right now; try again in a moment");
}

/* A message of a ticket as stored, and as ticketMessage carries it. */
static JsonObject *
new_ticket_message (Client     *client,
                    const char *text,
                    const char *timestamp)
{
  JsonObject *message = json_object_new ();

  json_object_set_string_member (message, "from", client->claims->name);
  json_object_set_string_member (message, "fromId", client->claims->sub);
  json_object_set_string_member (message, "fromRole", gw_role_to_string (client->claims->role));
  json_object_set_string_member (message, "message", text);
  json_object_set_string_member (message, "timestamp", timestamp);
  return message;
}

static void
copy_member (JsonObject  *from,
             const char  *name,
             JsonNode    *node,
             gpointer     user_data)
{
  json_object_set_member (user_data, name, json_node_copy (node));
}

/* ticketMessage {ticketId, from, fromRole, message, timestamp} to every
 * admin, with the ticket's state after it [ext]. */
static void
announce_ticket_message (GwGateway  *self,
                         JsonObject *ticket,
                         JsonObject *message)
{
  g_autoptr(JsonObject) event = json_object_new ();
  g_autoptr(JsonNode) node = NULL;

  json_object_set_string_member (event, "ticketId", json_object_get_string_member (ticket, "ticketId"));
  json_object_set_string_member (event, "userId", json_object_get_string_member (ticket, "userId"));
  json_object_set_string_member (event, "supportType", json_object_get_string_member (ticket, "supportType"));
  json_object_foreach_member (message, copy_member, event);
  json_object_set_object_member (event, "ticket", json_object_ref (ticket));
  node = node_from_object (g_steal_pointer (&event));
  emit_to_transport_room (self, ADMINS_ROOM, "ticketMessage", node);
}

typedef struct
{
  Deferred   *deferred;
  JsonObject *message;
  char       *user_id;     /* adminReply: whom the reply goes to */
  char       *name;        /* the admin who changed the ticket */
  gboolean    is_admin;
  gboolean    by_type;     /* getTicket of the asker's open ticket of a type */
  guint       limit;
} TicketRequest;

static TicketRequest *
ticket_request_new (GwGateway *self,
                    Client    *client)
{
  TicketRequest *request = g_new0 (TicketRequest, 1);

  request->deferred = defer_reply (self, client);
  request->name = g_strdup (client->claims->name);
  request->user_id = g_strdup (client->claims->sub);
  request->is_admin = client->claims->role >= GW_ROLE_ADMIN;
  return request;
}

static void
ticket_request_finish (TicketRequest *request,
                       JsonNode      *reply,
                       const GError  *error)
{
  answer_deferred (request->deferred, reply, error);
  g_clear_pointer (&request->message, json_object_unref);
  g_free (request->user_id);
  g_free (request->name);
  g_free (request);
}

/* Answers REQUEST with a success: TEXT, and DATA (taken); frees REQUEST. */
static void
ticket_request_succeed (TicketRequest *request,
                        const char    *text,
                        JsonObject    *data)
{
  g_autoptr(JsonNode) reply = gw_envelope_new_success (text, node_from_object (data));

  ticket_request_finish (request, reply, NULL);
}

/* Whether the store answered (ANSWER, a ticket or a page, is set); if it
 * did not, REQUEST is answered with its error in the contract's words and
 * freed. */
static gboolean
ticket_request_check (TicketRequest *request,
                      gconstpointer  answer,
                      const GError  *store_error)
{
  g_autoptr(GError) error = NULL;

  if (answer != NULL)
    return TRUE;
  error = ticket_error_to_contract (store_error);
  ticket_request_finish (request, NULL, error);
  return FALSE;
}

/* What chatWithAdmin and adminReply answer: where the message went, when. */
static void
ticket_request_sent (TicketRequest *request,
                     const char    *text,
                     const char    *ticket_id,
                     const char    *timestamp)
{
  JsonObject *data = json_object_new ();

  json_object_set_string_member (data, "ticketId", ticket_id);
  json_object_set_string_member (data, "timestamp", timestamp);
  ticket_request_succeed (request, text, data);
}

static void
on_ticket_posted (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  TicketRequest *request = user_data;
  g_autoptr(GwGateway) self = g_weak_ref_get (&request->deferred->gateway);
  g_autoptr(GError) store_error = NULL;
  g_autoptr(JsonObject) ticket = gw_tickets_post_finish (GW_TICKETS (source), result, NULL, &store_error);
  const char *ticket_id;
  const char *timestamp;

  if (!ticket_request_check (request, ticket, store_error))
    return;

  ticket_id = json_object_get_string_member (ticket, "ticketId");
  timestamp = json_object_get_string_member (request->message, "timestamp");
  if (self != NULL)
    {
      g_autoptr(JsonObject) chat = json_object_new ();
      g_autoptr(JsonNode) node = NULL;

      /* adminChat as before tickets were stored, for the clients that know only it. */
      json_object_set_string_member (chat, "ticketId", ticket_id);
      json_object_set_string_member (chat, "userId", json_object_get_string_member (ticket, "userId"));
      json_object_set_string_member (chat, "username", json_object_get_string_member (request->message, "from"));
      json_object_set_string_member (chat, "message", json_object_get_string_member (request->message, "message"));
      json_object_set_string_member (chat, "supportType", json_object_get_string_member (ticket, "supportType"));
      json_object_set_string_member (chat, "timestamp", timestamp);
      node = node_from_object (json_object_ref (chat));
      emit_to_transport_room (self, ADMINS_ROOM, "adminChat", node);
      announce_ticket_message (self, ticket, request->message);

      json_object_set_string_member (chat, "type", "admin_chat");
      publish (self, "admin.chat", chat);
    }

  ticket_request_sent (request, "Sent to the support team", ticket_id, timestamp);
}

static gboolean
handle_chat_with_admin (GwGateway   *self,
                        Client      *client,
                        JsonObject  *payload,
                        JsonNode   **out_reply,
                        GError     **error)
{
  const char *text;
  const char *support_type;
  g_autofree char *clean = NULL;
  g_autofree char *timestamp = NULL;
  TicketRequest *request;

  if (!check_claimed_user (client, payload, "userId", error) ||
      !ld_validate_member_string (payload, "message", TRUE, &text, error) ||
      !ld_validate_member_string (payload, "supportType", FALSE, &support_type, error) ||
      !(clean = ld_validate_text (text, LD_MESSAGE_MAX_CHARS, error)))
    return FALSE;

  if (support_type == NULL || support_type[0] == '\0')
    support_type = "general";
  if (g_utf8_strlen (support_type, -1) > MAX_SUPPORT_TYPE_CHARS)
    {
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD,
                   "“supportType” is longer than %d characters", MAX_SUPPORT_TYPE_CHARS);
      return FALSE;
    }

  if (!take_chat_slot (self, client, error))
    return FALSE;

  timestamp = gw_timestamp_now ();
  request = ticket_request_new (self, client);
  request->message = new_ticket_message (client, clean, timestamp);
  gw_tickets_post_async (self->tickets, client->claims->sub, client->claims->name, support_type,
                         request->message, NULL, on_ticket_posted, request);
  return TRUE;
}

static void
on_ticket_replied (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  TicketRequest *request = user_data;
  g_autoptr(GwGateway) self = g_weak_ref_get (&request->deferred->gateway);
  g_autoptr(GError) store_error = NULL;
  g_autoptr(JsonObject) ticket = gw_tickets_reply_finish (GW_TICKETS (source), result, &store_error);
  const char *ticket_id;
  const char *timestamp;

  if (!ticket_request_check (request, ticket, store_error))
    return;

  ticket_id = json_object_get_string_member (ticket, "ticketId");
  timestamp = json_object_get_string_member (request->message, "timestamp");
  if (self != NULL && json_object_get_boolean_member_with_default (request->message, "internal", FALSE))
    announce_ticket_message (self, ticket, request->message);
  else if (self != NULL)
    {
      g_autoptr(JsonObject) message = json_object_new ();
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *user_room = g_strconcat (USER_PREFIX, json_object_get_string_member (ticket, "userId"), NULL);

      json_object_set_string_member (message, "ticketId", ticket_id);
      json_object_set_string_member (message, "from", request->name);
      json_object_set_string_member (message, "message", json_object_get_string_member (request->message, "message"));
      json_object_set_string_member (message, "timestamp", timestamp);
      node = node_from_object (g_steal_pointer (&message));
      emit_to_transport_room (self, user_room, "adminMessage", node);
      announce_ticket_message (self, ticket, request->message);
    }

  ticket_request_sent (request, "Reply sent", ticket_id, timestamp);
}

static gboolean
handle_admin_reply (GwGateway   *self,
                    Client      *client,
                    JsonObject  *payload,
                    JsonNode   **out_reply,
                    GError     **error)
{
  const char *ticket_id;
  const char *user_id;
  const char *text;
  g_autofree char *clean = NULL;
  g_autofree char *timestamp = NULL;
  TicketRequest *request;
  JsonNode *internal_node;
  gboolean internal = FALSE;

  /* userId is the contract's; the stored ticket knows its user, so it may
   * be left out, but when given it must be the ticket's. */
  if (!ld_validate_member_ticket_id (payload, &ticket_id, error) ||
      !ld_validate_member_string (payload, "userId", FALSE, &user_id, error) ||
      (user_id != NULL && !ld_validate_user_id (user_id, error)) ||
      !ld_validate_member_string (payload, "message", TRUE, &text, error) ||
      !(clean = ld_validate_text (text, LD_MESSAGE_MAX_CHARS, error)))
    return FALSE;

  /* [ext] An internal note: stored and shown to admins, never to the user. */
  internal_node = json_object_get_member (payload, "internal");
  if (internal_node != NULL && !json_node_is_null (internal_node))
    {
      if (!JSON_NODE_HOLDS_VALUE (internal_node) || json_node_get_value_type (internal_node) != G_TYPE_BOOLEAN)
        {
          g_set_error_literal (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD,
                               "“internal” must be true or false");
          return FALSE;
        }
      internal = json_node_get_boolean (internal_node);
    }

  timestamp = gw_timestamp_now ();
  request = ticket_request_new (self, client);
  request->message = new_ticket_message (client, clean, timestamp);
  if (internal)
    json_object_set_boolean_member (request->message, "internal", TRUE);
  gw_tickets_reply_async (self->tickets, ticket_id, user_id, request->message, NULL, on_ticket_replied, request);
  return TRUE;
}

static void
on_ticket_changed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  TicketRequest *request = user_data;
  g_autoptr(GwGateway) self = g_weak_ref_get (&request->deferred->gateway);
  g_autoptr(GError) store_error = NULL;
  g_autoptr(JsonObject) ticket = gw_tickets_change_finish (GW_TICKETS (source), result, &store_error);
  g_autoptr(JsonObject) update = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (!ticket_request_check (request, ticket, store_error))
    return;

  update = json_object_new ();
  json_object_set_string_member (update, "ticketId", json_object_get_string_member (ticket, "ticketId"));
  json_object_set_string_member (update, "status", json_object_get_string_member (ticket, "status"));
  json_object_set_member (update, "assignee", json_node_copy (json_object_get_member (ticket, "assignee")));
  json_object_set_string_member (update, "by", request->name);
  json_object_set_string_member (update, "timestamp", json_object_get_string_member (ticket, "updatedAt"));
  json_object_set_object_member (update, "ticket", json_object_ref (ticket));
  node = node_from_object (json_object_ref (update));
  if (self != NULL)
    emit_to_transport_room (self, ADMINS_ROOM, "ticketUpdate", node);

  ticket_request_succeed (request, "Ticket updated", g_steal_pointer (&update));
}

static gboolean
change_ticket (GwGateway       *self,
               Client          *client,
               JsonObject      *payload,
               GwTicketChange   change,
               GError         **error)
{
  const char *ticket_id;
  TicketRequest *request;

  if (!ld_validate_member_ticket_id (payload, &ticket_id, error))
    return FALSE;

  request = ticket_request_new (self, client);
  gw_tickets_change_async (self->tickets, ticket_id, change, client->claims->name, NULL,
                           on_ticket_changed, request);
  return TRUE;
}

static gboolean
handle_claim_ticket (GwGateway   *self,
                     Client      *client,
                     JsonObject  *payload,
                     JsonNode   **out_reply,
                     GError     **error)
{
  return change_ticket (self, client, payload, GW_TICKET_CLAIM, error);
}

static gboolean
handle_resolve_ticket (GwGateway   *self,
                       Client      *client,
                       JsonObject  *payload,
                       JsonNode   **out_reply,
                       GError     **error)
{
  return change_ticket (self, client, payload, GW_TICKET_RESOLVE, error);
}

static gboolean
handle_reopen_ticket (GwGateway   *self,
                      Client      *client,
                      JsonObject  *payload,
                      JsonNode   **out_reply,
                      GError     **error)
{
  return change_ticket (self, client, payload, GW_TICKET_REOPEN, error);
}

static void
on_tickets_listed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  TicketRequest *request = user_data;
  g_autoptr(GError) store_error = NULL;
  g_autoptr(JsonArray) page = gw_tickets_list_finish (GW_TICKETS (source), result, &store_error);
  JsonObject *data;
  guint n;

  if (!ticket_request_check (request, page, store_error))
    return;

  /* A full page may have more behind it: nextBefore asks for them. */
  n = json_array_get_length (page);
  data = json_object_new ();
  if (n > 0 && n >= request->limit)
    json_object_set_string_member (data, "nextBefore",
                                   json_object_get_string_member (json_array_get_object_element (page, n - 1),
                                                                  "createdAt"));
  else
    json_object_set_null_member (data, "nextBefore");
  json_object_set_array_member (data, "tickets", g_steal_pointer (&page));
  ticket_request_succeed (request, "Tickets", data);
}

#define DEFAULT_TICKET_PAGE 20

static gboolean
handle_list_tickets (GwGateway   *self,
                     Client      *client,
                     JsonObject  *payload,
                     JsonNode   **out_reply,
                     GError     **error)
{
  const char *status = NULL;
  const char *before = NULL;
  gint64 limit = DEFAULT_TICKET_PAGE;
  gint64 before_ms = 0;
  TicketRequest *request;

  if (!ld_validate_member_string (payload, "status", FALSE, &status, error) ||
      !ld_validate_member_string (payload, "before", FALSE, &before, error))
    return FALSE;
  if (json_object_has_member (payload, "limit") &&
      !json_node_is_null (json_object_get_member (payload, "limit")) &&
      !ld_validate_member_int (payload, "limit", TRUE, &limit, error))
    return FALSE;

  if (status != NULL && strcmp (status, "open") != 0 && strcmp (status, "resolved") != 0)
    {
      g_set_error_literal (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD,
                           "“status” must be “open” or “resolved”");
      return FALSE;
    }
  if (limit < 1 || limit > GW_TICKETS_MAX_PAGE)
    {
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD,
                   "“limit” must be from 1 to %d", GW_TICKETS_MAX_PAGE);
      return FALSE;
    }
  if (before != NULL)
    {
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
      g_autoptr(GDateTime) when = strlen (before) <= 64 ? g_date_time_new_from_iso8601 (before, utc) : NULL;

      if (when == NULL)
        {
          g_set_error_literal (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD,
                               "“before” must be an ISO 8601 time");
          return FALSE;
        }
      before_ms = g_date_time_to_unix (when) * 1000 + g_date_time_get_microsecond (when) / 1000;
      if (before_ms <= 0)
        before_ms = 1;
    }

  request = ticket_request_new (self, client);
  request->limit = (guint) limit;
  gw_tickets_list_async (self->tickets, status, before_ms, (guint) limit, NULL, on_tickets_listed, request);
  return TRUE;
}

static void
on_ticket_got (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  TicketRequest *request = user_data;
  g_autoptr(GError) store_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) ticket = gw_tickets_get_finish (GW_TICKETS (source), result, &store_error);

  /* [ext] No open ticket of that type is an answer, data null, not a
   * refusal: every app of a user who never asked for help asks at start. */
  if (request->by_type && ticket == NULL &&
      g_error_matches (store_error, GW_TICKETS_ERROR, GW_TICKETS_ERROR_NOT_FOUND))
    {
      g_autoptr(JsonNode) none = gw_envelope_new_success ("You have no open ticket of that type",
                                                          json_node_new (JSON_NODE_NULL));

      ticket_request_finish (request, none, NULL);
      return;
    }

  /* A user learns nothing about tickets not theirs, not even that they exist. */
  if (!request->is_admin && !request->by_type &&
      ((ticket == NULL && g_error_matches (store_error, GW_TICKETS_ERROR, GW_TICKETS_ERROR_NOT_FOUND)) ||
       (ticket != NULL && g_strcmp0 (json_object_get_string_member (ticket, "userId"), request->user_id) != 0)))
    {
      count_ticket_refusal ("reason=\"not_yours\"");
      error = g_error_new_literal (LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN, "You have no such ticket");
      ticket_request_finish (request, NULL, error);
      return;
    }
  if (!ticket_request_check (request, ticket, store_error))
    return;

  /* [ext] Internal notes are the admins' only: a user neither reads nor
   * counts them. */
  if (!request->is_admin && json_object_has_member (ticket, "messages"))
    {
      JsonArray *all = json_object_get_array_member (ticket, "messages");
      JsonArray *shown = json_array_new ();

      for (guint i = 0; i < json_array_get_length (all); i++)
        {
          JsonNode *node = json_array_get_element (all, i);

          if (!JSON_NODE_HOLDS_OBJECT (node) ||
              !json_object_get_boolean_member_with_default (json_node_get_object (node), "internal", FALSE))
            json_array_add_element (shown, json_node_copy (node));
        }
      json_object_set_int_member (ticket, "messageCount", json_array_get_length (shown));
      json_object_set_array_member (ticket, "messages", shown);
    }

  ticket_request_succeed (request, "Ticket", g_steal_pointer (&ticket));
}

static gboolean
handle_get_ticket (GwGateway   *self,
                   Client      *client,
                   JsonObject  *payload,
                   JsonNode   **out_reply,
                   GError     **error)
{
  const char *ticket_id = NULL;
  const char *support_type = NULL;
  TicketRequest *request;

  /* Without a ticketId: the asker's open ticket of supportType [ext], so an
   * app that restarted finds its conversation again. */
  if (!ld_validate_member_string (payload, "ticketId", FALSE, &ticket_id, error))
    return FALSE;
  if (ticket_id == NULL)
    {
      if (!ld_validate_member_string (payload, "supportType", FALSE, &support_type, error))
        return FALSE;
      if (support_type == NULL || support_type[0] == '\0')
        support_type = "general";
      if (g_utf8_strlen (support_type, -1) > MAX_SUPPORT_TYPE_CHARS)
        {
          g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD,
                       "“supportType” is longer than %d characters", MAX_SUPPORT_TYPE_CHARS);
          return FALSE;
        }
      request = ticket_request_new (self, client);
      request->by_type = TRUE;
      gw_tickets_get_open_async (self->tickets, client->claims->sub, support_type, NULL, on_ticket_got, request);
      return TRUE;
    }

  if (!ld_validate_member_ticket_id (payload, &ticket_id, error))
    return FALSE;

  request = ticket_request_new (self, client);
  gw_tickets_get_async (self->tickets, ticket_id, NULL, on_ticket_got, request);
  return TRUE;
}

typedef enum
{
  SANCTION_TIMEOUT,
  SANCTION_BAN,
  SANCTION_UNBAN,
  MODERATION_DELETE,
} SanctionAction;

static const char * const sanction_kinds[] = { "timeout", "ban", "unban", "delete" };

/* Applies a sanction (of EVENT's roomId and userId) to this process's share
 * of the room and tells its sockets. Every process does this for itself, so
 * that the banned hear why before they are taken out of the room. */
static void
apply_sanction (GwGateway      *self,
                GwRoom         *room,
                SanctionAction  action,
                gint64          duration_ms,
                JsonObject     *event)
{
  static const char * const events[] = { "userTimedOut", "userBanned", "userUnbanned" };
  const char *room_id = gw_room_get_id (room);
  const char *user_id = json_object_get_string_member (event, "userId");
  g_autoptr(JsonNode) node = node_from_object (json_object_ref (event));
  gint64 now = now_ms ();

  switch (action)
    {
    case SANCTION_TIMEOUT:
      gw_room_timeout_user (room, user_id, now + duration_ms);
      break;
    case SANCTION_BAN:
      gw_room_ban_user (room, user_id, duration_ms > 0 ? now + duration_ms : GW_ROOM_FOREVER);
      break;
    case SANCTION_UNBAN:
    case MODERATION_DELETE:
    default:
      gw_room_unban_user (room, user_id);
      break;
    }

  set_local_only (self, TRUE);
  emit_to_room (self, room_id, events[action], node);
  set_local_only (self, FALSE);

  if (action == SANCTION_BAN)
    {
      g_autoptr(GPtrArray) sockets = gw_room_list_user_sockets (room, user_id);

      for (guint i = 0; i < sockets->len; i++)
        {
          Client *banned = g_hash_table_lookup (self->clients, g_ptr_array_index (sockets, i));

          if (banned != NULL)
            client_leave_room (self, banned, room_id);
        }
    }
}

/* The highest role USER_ID is known by on this process: a socket of theirs
 * in the room here, another process's share of the room's viewers, the
 * users file. -1 when none of them knows the user. */
static int
known_role (GwGateway  *self,
            const char *room_id,
            const char *user_id)
{
  GwRoom *room = gw_rooms_lookup (self->rooms, room_id);
  GHashTable *shares = g_hash_table_lookup (self->remote_presence, room_id);
  const GwViewer *viewer;
  int role = -1;

  if (room != NULL && (viewer = gw_room_lookup_viewer (room, user_id)) != NULL)
    role = MAX (role, (int) viewer->role);

  if (self->users != NULL)
    {
      const GwUser *user = gw_users_lookup_by_id (self->users, user_id);

      if (user != NULL)
        role = MAX (role, (int) user->role);
    }

  if (shares != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, shares);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          JsonArray *viewers = ((PresenceShare *) value)->viewers;

          for (guint i = 0; i < json_array_get_length (viewers); i++)
            {
              JsonObject *entry = json_array_get_object_element (viewers, i);
              GwRole shared_role;

              if (g_strcmp0 (json_object_get_string_member_with_default (entry, "userId", NULL), user_id) == 0 &&
                  gw_role_from_string (json_object_get_string_member_with_default (entry, "role", ""),
                                       &shared_role))
                role = MAX (role, (int) shared_role);
            }
        }
    }

  return role;
}

/* Who may moderate ROOM_ID at all: staff everywhere, a streamer only in the
 * room they own. OWNER: what the room's owner is known to be, NULL if none. */
static gboolean
check_may_moderate (GwRole       actor_role,
                    const char  *actor_id,
                    const char  *owner,
                    GError     **error)
{
  if (actor_role >= GW_ROLE_MODERATOR)
    return TRUE;
  if (actor_role == GW_ROLE_STREAMER && owner != NULL && strcmp (owner, actor_id) == 0)
    return TRUE;

  g_set_error_literal (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN,
                       "Only the room's streamer or a moderator may do that here");
  return FALSE;
}

/* Nobody sanctions a user of equal or higher role (ld-rank.h, the rule the
 * client follows too), not even an admin another admin. TARGET_ROLE is -1
 * for a user no one knows. */
static gboolean
check_rank (GwRole       actor_role,
            int          target_role,
            GError     **error)
{
  if (ld_rank_may_sanction (gw_role_to_string (actor_role),
                            target_role >= 0 ? gw_role_to_string ((GwRole) target_role) : NULL))
    return TRUE;

  g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN,
               "You cannot do that to a %s", gw_role_to_string ((GwRole) target_role));
  return FALSE;
}

/* A deleteMessage, timeoutUser, banUser or unbanUser on its way: checked
 * against what the shared store knows, stored, then applied. */
typedef struct
{
  Deferred       *deferred;
  SanctionAction  action;
  char           *room_id;
  char           *user_id;     /* NULL for a deletion */
  char           *message_id;  /* a deletion's */
  char           *reason;
  gint64          seconds;
  char           *actor_id;
  char           *actor_name;
  GwRole          actor_role;
  GwRole          target_role;
} Moderation;

static void
moderation_free (Moderation *moderation)
{
  g_clear_pointer (&moderation->deferred, deferred_free);
  g_free (moderation->room_id);
  g_free (moderation->user_id);
  g_free (moderation->message_id);
  g_free (moderation->reason);
  g_free (moderation->actor_id);
  g_free (moderation->actor_name);
  g_free (moderation);
}

static void
finish_moderation (Moderation   *moderation,
                   JsonNode     *reply,
                   const GError *error)
{
  answer_deferred (g_steal_pointer (&moderation->deferred), reply, error);
  moderation_free (moderation);
}

static void
delete_message (GwGateway  *self,
                Moderation *moderation)
{
  g_autoptr(JsonObject) deleted = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  GwRoom *room = gw_rooms_lookup (self->rooms, moderation->room_id);

  /* A message older than the history is still on viewers' screens. */
  if (room != NULL)
    gw_room_remove_message (room, moderation->message_id);
  {
    g_autoptr(JsonObject) state = json_object_new ();

    json_object_set_string_member (state, "roomId", moderation->room_id);
    json_object_set_string_member (state, "messageId", moderation->message_id);
    publish_state (self, "delete", state);
  }

  json_object_set_string_member (deleted, "roomId", moderation->room_id);
  json_object_set_string_member (deleted, "messageId", moderation->message_id);
  json_object_set_string_member (deleted, "by", moderation->actor_name);
  node = node_from_object (json_object_ref (deleted));
  emit_to_room (self, moderation->room_id, "messageDeleted", node);
}

static void
count_sanction (SanctionAction action)
{
  g_autofree char *labels = g_strdup_printf ("kind=\"%s\"", sanction_kinds[action]);

  gw_metrics_add ("livedesk_sanctions_total", labels, 1);
}

static void
on_sanction_stored (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Moderation *moderation = user_data;
  g_autoptr(GwGateway) self = g_weak_ref_get (&moderation->deferred->gateway);
  g_autoptr(GError) store_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) event = NULL;
  g_autoptr(JsonObject) state = NULL;
  g_autoptr(JsonNode) reply = NULL;
  gboolean stored = moderation->action == SANCTION_UNBAN
                      ? gw_sanctions_lift_finish (GW_SANCTIONS (source), result, &store_error)
                      : gw_sanctions_put_finish (GW_SANCTIONS (source), result, &store_error);

  if (self == NULL || self->disposing)
    {
      moderation_free (moderation);
      return;
    }
  if (!stored)
    {
      g_debug ("Could not store a %s in %s: %s", sanction_kinds[moderation->action], moderation->room_id,
               store_error->message);
      g_set_error_literal (&error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INTERNAL,
                           "The sanction could not be recorded; try again");
      finish_moderation (moderation, NULL, error);
      return;
    }

  event = json_object_new ();
  json_object_set_string_member (event, "roomId", moderation->room_id);
  json_object_set_string_member (event, "userId", moderation->user_id);
  json_object_set_int_member (event, "seconds", moderation->seconds);
  json_object_set_string_member (event, "reason", moderation->reason);
  json_object_set_string_member (event, "by", moderation->actor_name);
  apply_sanction (self, gw_rooms_ensure (self->rooms, moderation->room_id), moderation->action,
                  moderation->seconds * 1000, event);

  /* The others check it again with what they know of the two users. */
  state = json_object_new ();
  json_object_set_int_member (state, "action", moderation->action);
  json_object_set_int_member (state, "durationMs", moderation->seconds * 1000);
  json_object_set_string_member (state, "actorId", moderation->actor_id);
  json_object_set_string_member (state, "actorRole", gw_role_to_string (moderation->actor_role));
  json_object_set_object_member (state, "event", json_object_ref (event));
  publish_state (self, "sanction", state);

  count_sanction (moderation->action);
  gw_log_event (G_LOG_LEVEL_INFO, "sanction", "room", moderation->room_id, "user", moderation->user_id,
                "by", moderation->actor_id, "kind", sanction_kinds[moderation->action], NULL);
  reply = gw_envelope_new_success ("Done", NULL);
  finish_moderation (moderation, reply, NULL);
}

static void
on_moderation_lookup (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Moderation *moderation = user_data;
  g_autoptr(GwGateway) self = g_weak_ref_get (&moderation->deferred->gateway);
  g_autoptr(GError) error = NULL;
  g_autoptr(GwSanctionsRecord) record = gw_sanctions_lookup_finish (GW_SANCTIONS (source), result, &error);
  GwRoom *room;
  const char *owner;
  int target_role;

  if (self == NULL || self->disposing)
    {
      moderation_free (moderation);
      return;
    }
  if (record == NULL)
    {
      /* Unchecked is refused: a streamer's rights depend on it. */
      g_debug ("Could not look up %s: %s", moderation->room_id, error->message);
      g_clear_error (&error);
      g_set_error_literal (&error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INTERNAL,
                           "The room's moderation could not be checked; try again");
      finish_moderation (moderation, NULL, error);
      return;
    }

  room = gw_rooms_lookup (self->rooms, moderation->room_id);
  owner = room != NULL && gw_room_get_owner (room) != NULL ? gw_room_get_owner (room) : record->owner;
  if (room != NULL && gw_room_get_owner (room) == NULL && record->owner != NULL)
    gw_room_set_owner (room, record->owner);
  if (!check_may_moderate (moderation->actor_role, moderation->actor_id, owner, &error))
    {
      finish_moderation (moderation, NULL, error);
      return;
    }

  if (moderation->action == MODERATION_DELETE)
    {
      g_autoptr(JsonNode) reply = gw_envelope_new_success ("Message deleted", NULL);

      delete_message (self, moderation);
      count_sanction (MODERATION_DELETE);
      finish_moderation (moderation, reply, NULL);
      return;
    }

  target_role = MAX (known_role (self, moderation->room_id, moderation->user_id), record->target_role);
  if (moderation->action != SANCTION_UNBAN && !check_rank (moderation->actor_role, target_role, &error))
    {
      finish_moderation (moderation, NULL, error);
      return;
    }
  moderation->target_role = target_role >= 0 ? (GwRole) target_role : GW_ROLE_VIEWER;

  if (moderation->action == SANCTION_UNBAN)
    gw_sanctions_lift_async (self->sanctions, moderation->room_id, moderation->user_id, NULL,
                             on_sanction_stored, moderation);
  else
    gw_sanctions_put_async (self->sanctions, moderation->room_id, moderation->user_id,
                            moderation->action == SANCTION_BAN ? GW_SANCTION_BAN : GW_SANCTION_TIMEOUT,
                            moderation->seconds * 1000, moderation->target_role, NULL,
                            on_sanction_stored, moderation);
}

/* Answers later: the owner and the target's rank may be known only to
 * Redis (a process started after stream.start, a target offline or on
 * another process). */
static gboolean
start_moderation (GwGateway   *self,
                  Client      *client,
                  Moderation  *moderation)
{
  moderation->actor_id = g_strdup (client->claims->sub);
  moderation->actor_name = g_strdup (client->claims->name);
  moderation->actor_role = client->claims->role;
  moderation->deferred = defer_reply (self, client);
  gw_sanctions_lookup_async (self->sanctions, moderation->room_id, moderation->user_id, NULL,
                             on_moderation_lookup, moderation);
  return TRUE;
}

static gboolean
handle_delete_message (GwGateway   *self,
                       Client      *client,
                       JsonObject  *payload,
                       JsonNode   **out_reply,
                       GError     **error)
{
  const char *room_id;
  const char *message_id;
  Moderation *moderation;

  if (!ld_validate_member_room_id (payload, &room_id, error) ||
      !ld_validate_member_string (payload, "messageId", TRUE, &message_id, error))
    return FALSE;

  if (message_id[0] == '\0' || strlen (message_id) > MAX_MESSAGE_ID_LEN)
    {
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD, "“messageId” is not a message id");
      return FALSE;
    }

  if (gw_rooms_lookup (self->rooms, room_id) == NULL)
    {
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_ROOM_NOT_FOUND, "There is no room %s", room_id);
      return FALSE;
    }

  moderation = g_new0 (Moderation, 1);
  moderation->action = MODERATION_DELETE;
  moderation->room_id = g_strdup (room_id);
  moderation->message_id = g_strdup (message_id);
  return start_moderation (self, client, moderation);
}

static gboolean
sanction (GwGateway       *self,
          Client          *client,
          JsonObject      *payload,
          SanctionAction   action,
          JsonNode       **out_reply,
          GError         **error)
{
  const char *room_id;
  const char *user_id;
  const char *reason;
  gint64 seconds = 0;
  Moderation *moderation;

  if (!ld_validate_member_room_id (payload, &room_id, error) ||
      !ld_validate_member_string (payload, "userId", TRUE, &user_id, error) ||
      !ld_validate_user_id (user_id, error) ||
      !ld_validate_member_string (payload, "reason", FALSE, &reason, error) ||
      !ld_validate_member_int (payload, "seconds", FALSE, &seconds, error))
    return FALSE;

  if (reason == NULL)
    reason = "";
  if (g_utf8_strlen (reason, -1) > MAX_REASON_CHARS)
    {
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD,
                   "“reason” is longer than %d characters", MAX_REASON_CHARS);
      return FALSE;
    }

  if (action == SANCTION_TIMEOUT && seconds == 0 && !json_object_has_member (payload, "seconds"))
    seconds = GW_GATEWAY_DEFAULT_TIMEOUT_SECONDS;
  if (seconds < 0 || seconds > GW_GATEWAY_MAX_TIMEOUT_SECONDS || (action == SANCTION_TIMEOUT && seconds == 0))
    {
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD,
                   "“seconds” must be from 1 to %d", GW_GATEWAY_MAX_TIMEOUT_SECONDS);
      return FALSE;
    }

  if (strcmp (user_id, client->claims->sub) == 0)
    {
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN, "You cannot do that to yourself");
      return FALSE;
    }

  moderation = g_new0 (Moderation, 1);
  moderation->action = action;
  moderation->room_id = g_strdup (room_id);
  moderation->user_id = g_strdup (user_id);
  moderation->reason = g_strdup (reason);
  moderation->seconds = seconds;
  return start_moderation (self, client, moderation);
}

static gboolean
handle_timeout_user (GwGateway   *self,
                     Client      *client,
                     JsonObject  *payload,
                     JsonNode   **out_reply,
                     GError     **error)
{
  return sanction (self, client, payload, SANCTION_TIMEOUT, out_reply, error);
}

static gboolean
handle_ban_user (GwGateway   *self,
                 Client      *client,
                 JsonObject  *payload,
                 JsonNode   **out_reply,
                 GError     **error)
{
  return sanction (self, client, payload, SANCTION_BAN, out_reply, error);
}

static gboolean
handle_unban_user (GwGateway   *self,
                   Client      *client,
                   JsonObject  *payload,
                   JsonNode   **out_reply,
                   GError     **error)
{
  return sanction (self, client, payload, SANCTION_UNBAN, out_reply, error);
}

/* CODE is one of the contract's, never the client's text. */
static void
count_refusal (const char *code)
{
  g_autofree char *labels = g_strdup_printf ("code=\"%s\"", code != NULL ? code : "INTERNAL");

  gw_metrics_add ("livedesk_refusals_total", labels, 1);
}

/* The reply event (or the <event>Error one) and the ack, for SPEC's event
 * from CLIENT: REPLY on success, ERROR on refusal. */
static void
answer_event (GwGateway       *self,
              Client          *client,
              const EventSpec *spec,
              SioServerAck    *ack,
              JsonNode        *reply,
              const GError    *error)
{
  SioServerSocket *socket = client->socket;

  if (error != NULL)
    {
      g_autoptr(JsonNode) failure = gw_envelope_new_failure_from_error (error);
      gboolean limited = g_error_matches (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED);
      gint64 now = now_ms ();
      /* A flood is one line per socket and interval, not one per event;
       * the counter has them all. */
      gboolean quiet = limited && client->limited_logged_ms != 0 &&
                       now - client->limited_logged_ms < LIMITED_LOG_INTERVAL_MS;

      count_refusal (gw_envelope_get_error (failure) != NULL
                       ? json_object_get_string_member_with_default (gw_envelope_get_error (failure), "code", NULL)
                       : NULL);

      if (!quiet && spec->handler == handle_authenticate)
        log_auth (client, error);
      else if (!quiet)
        gw_log_event (G_LOG_LEVEL_INFO, "refused", "sid", sio_server_socket_get_id (socket),
                      "user", client->claims != NULL ? client->claims->sub : NULL, "action", spec->name,
                      "code", gw_envelope_get_error (failure) != NULL
                                ? json_object_get_string_member_with_default (gw_envelope_get_error (failure),
                                                                              "code", NULL)
                                : NULL, NULL);

      if (limited)
        {
          JsonObject *detail = gw_envelope_get_error (failure);
          g_autofree char *labels = g_strdup_printf ("event=\"%s\"", spec->name);

          if (!quiet)
            client->limited_logged_ms = now;

          gw_metrics_add ("livedesk_rate_limited_total", labels, 1);

          json_object_set_int_member (detail, "retryAfterMs", self->last_retry_ms);
        }

      /* The socket may have gone meanwhile; emit checks, ack too. */
      emit_to_socket (socket, spec->error_event, failure);
      answer_ack (ack, failure);
      return;
    }

  g_assert (reply != NULL);
  if (spec->handler == handle_authenticate)
    log_auth (client, NULL);
  if (spec->reply_event != NULL)
    emit_to_socket (socket, spec->reply_event, reply);
  answer_ack (ack, reply);
}

/* Section 3, with the replies of section 4. */
static const EventSpec event_specs[] = {
  { "authenticate", handle_authenticate, "authSuccess", "authFailed", FALSE, GW_ROLE_VIEWER },
  { "joinRoom", handle_join_room, "joinedRoom", "joinRoomError", TRUE, GW_ROLE_VIEWER },
  { "leaveRoom", handle_leave_room, NULL, "leaveRoomError", TRUE, GW_ROLE_VIEWER },
  { "getRoomInfo", handle_get_room_info, "roomInfo", "getRoomInfoError", TRUE, GW_ROLE_VIEWER },
  { "viewerPing", handle_viewer_ping, "viewerPong", "viewerPingError", TRUE, GW_ROLE_VIEWER },
  { "sendMessage", handle_send_message, "messageSent", "sendMessageError", TRUE, GW_ROLE_VIEWER },
  { "sendImageMessage", handle_send_image_message, "messageSent", "sendMessageError", TRUE, GW_ROLE_VIEWER },
  { "chatWithAdmin", handle_chat_with_admin, NULL, "chatWithAdminError", TRUE, GW_ROLE_VIEWER },
  { "sendGift", handle_send_gift, "giftSent", "sendGiftError", TRUE, GW_ROLE_VIEWER },
  { "adminReply", handle_admin_reply, NULL, "adminReplyError", TRUE, GW_ROLE_ADMIN },
  { "claimTicket", handle_claim_ticket, NULL, "claimTicketError", TRUE, GW_ROLE_ADMIN },
  { "resolveTicket", handle_resolve_ticket, NULL, "resolveTicketError", TRUE, GW_ROLE_ADMIN },
  { "reopenTicket", handle_reopen_ticket, NULL, "reopenTicketError", TRUE, GW_ROLE_ADMIN },
  { "listTickets", handle_list_tickets, "ticketList", "listTicketsError", TRUE, GW_ROLE_ADMIN },
  { "getTicket", handle_get_ticket, "ticketHistory", "getTicketError", TRUE, GW_ROLE_VIEWER },
  { "deleteMessage", handle_delete_message, NULL, "deleteMessageError", TRUE, GW_ROLE_STREAMER },
  { "timeoutUser", handle_timeout_user, NULL, "timeoutUserError", TRUE, GW_ROLE_STREAMER },
  { "banUser", handle_ban_user, NULL, "banUserError", TRUE, GW_ROLE_STREAMER },
  { "unbanUser", handle_unban_user, NULL, "unbanUserError", TRUE, GW_ROLE_STREAMER },
};

/* The rule the dispatch holds SPEC's event to, if any, recording it as it
 * decides. An event without a valid roomId is left to its handler to
 * refuse without costing a slot, as chat and gifts do (below). */
static gboolean
rule_for_event (const EventSpec *spec,
                JsonObject      *payload,
                LdRateRule      *out_rule)
{
  const char *room_id;

  if (payload == NULL || !ld_validate_member_room_id (payload, &room_id, NULL))
    return FALSE;

  if (spec->handler == handle_join_room)
    *out_rule = LD_RATE_RULE_JOIN_ROOM;
  else if (spec->handler == handle_get_room_info)
    *out_rule = LD_RATE_RULE_ROOM_INFO;
  else if (spec->handler == handle_viewer_ping)
    *out_rule = LD_RATE_RULE_VIEWER_PING;
  else
    return FALSE;

  return TRUE;
}

/* Chat and gifts: with Redis, checked there before their handler, which
 * still takes this process's slot, and recorded there once accepted, so
 * that a refused message costs no slot on any process. Two sends of one
 * user racing on two processes may both pass the check: the overshoot is
 * bounded by the user's connections, and the next send sees both. */
static gboolean
rule_recorded_after (const EventSpec *spec,
                     JsonObject      *payload,
                     LdRateRule      *out_rule)
{
  if (payload == NULL)
    return FALSE;

  if (spec->handler == handle_send_message || spec->handler == handle_send_image_message)
    *out_rule = LD_RATE_RULE_CHAT;
  else if (spec->handler == handle_send_gift)
    *out_rule = LD_RATE_RULE_GIFT;
  else
    return FALSE;

  return TRUE;
}

static gboolean
take_event_slot (GwGateway   *self,
                 LdRateRule   rule,
                 const char  *key,
                 GError     **error)
{
  LdRateWindow hit;
  gint64 retry_ms;
  const char *one;
  const char *many;

  if (ld_rate_limit_try (self->event_limits[rule], key, now_ms (), &hit, &retry_ms))
    return TRUE;

  ld_rate_rule_get_nouns (rule, &one, &many);
  self->last_retry_ms = retry_ms;
  ld_rate_limit_set_error_full (error, &hit, retry_ms, one, many);
  return FALSE;
}

/* PROTOCOL.md section 2: authRequired, then the event's own refusal, so a
 * client waiting for the outcome hears one. Per socket, only so many: past
 * that, the refusal alone says RATE_LIMITED, and the log says it once. */
static void
refuse_unauthenticated (GwGateway       *self,
                        Client          *client,
                        const EventSpec *spec,
                        SioServerAck    *ack)
{
  SioServerSocket *socket = client->socket;
  const char *sid = sio_server_socket_get_id (socket);
  g_autoptr(JsonNode) failure = NULL;
  g_autoptr(GError) limited = NULL;

  if (!take_event_slot (self, LD_RATE_RULE_UNAUTHENTICATED, sid, &limited))
    {
      JsonObject *detail;

      gw_metrics_add ("livedesk_rate_limited_total", "event=\"unauthenticated\"", 1);
      if (!client->flood_logged)
        gw_log_event (G_LOG_LEVEL_INFO, "refused", "sid", sid, "action", spec->name,
                      "code", "RATE_LIMITED", "why", "events before authenticate", NULL);
      client->flood_logged = TRUE;
      failure = gw_envelope_new_failure_from_error (limited);
      detail = gw_envelope_get_error (failure);
      json_object_set_int_member (detail, "retryAfterMs", self->last_retry_ms);
    }
  else
    {
      g_autoptr(JsonObject) required = json_object_new ();
      g_autoptr(JsonNode) node = NULL;

      json_object_set_string_member (required, "action", spec->name);
      json_object_set_string_member (required, "message", "Authenticate first");
      node = node_from_object (g_steal_pointer (&required));
      gw_log_event (G_LOG_LEVEL_INFO, "refused", "sid", sid, "action", spec->name,
                    "code", "UNAUTHENTICATED", NULL);
      emit_to_socket (socket, "authRequired", node);
      failure = gw_envelope_new_failure (LD_CONTRACT_ERROR_UNAUTHENTICATED, "Authenticate first");
    }
  count_refusal (json_object_get_string_member_with_default (gw_envelope_get_error (failure), "code", NULL));

  emit_to_socket (socket, spec->error_event, failure);
  answer_ack (ack, failure);
}

/* FALSE if the handler refused the event. */
static gboolean
run_handler (GwGateway   *self,
             Client      *client,
             QueuedEvent *event)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) reply = NULL;

  self->handling_spec = event->spec;
  self->handling_ack = event->ack;
  event->spec->handler (self, client, event->payload, &reply, &error);
  self->handling_spec = NULL;
  self->handling_ack = NULL;

  /* Neither: the handler answers later (defer_reply). */
  if (error == NULL && reply == NULL)
    return TRUE;

  answer_event (self, client, event->spec, event->ack, reply, error);
  return error == NULL;
}

typedef struct
{
  GWeakRef     gateway;
  char        *sid;
  char        *user_id;
  LdRateRule   rule;
  gboolean     record_after;   /* checked only: recorded if the handler accepts it */
  QueuedEvent *event;
} RateCheck;

static void
rate_check_free (RateCheck *check)
{
  g_weak_ref_clear (&check->gateway);
  g_free (check->sid);
  g_free (check->user_id);
  g_clear_pointer (&check->event, queued_event_free);
  g_free (check);
}

static void dispatch (GwGateway   *self,
                      Client      *client,
                      QueuedEvent *event);

/* Handles what waited behind a rate limit decided on Redis, until the
 * next such wait. Each event may end the socket, hence the lookups. */
static void
drain_waiting (GwGateway  *self,
               const char *sid)
{
  Client *client;

  while ((client = g_hash_table_lookup (self->clients, sid)) != NULL &&
         !client->checking && !g_queue_is_empty (&client->waiting))
    dispatch (self, client, g_queue_pop_head (&client->waiting));
}

static void
on_rate_checked (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RateCheck *check = user_data;
  g_autoptr(GwGateway) self = g_weak_ref_get (&check->gateway);
  g_autoptr(GError) redis_error = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sid = g_strdup (check->sid);
  Client *client;
  LdRateWindow hit;
  gint64 retry_ms;
  gboolean allowed;

  client = self != NULL ? g_hash_table_lookup (self->clients, check->sid) : NULL;
  if (client == NULL)
    {
      rate_check_free (check);
      return;
    }
  client->checking = FALSE;

  /* The token expired meanwhile: the event is refused as any other now. */
  if (client->claims == NULL || strcmp (client->claims->sub, check->user_id) != 0)
    {
      dispatch (self, client, g_steal_pointer (&check->event));
      rate_check_free (check);
      drain_waiting (self, sid);
      return;
    }

  if (gw_redis_limits_try_finish (GW_REDIS (source), result, &allowed, &hit, &retry_ms, &redis_error))
    {
      const char *room_id;

      /* A sender who may not speak at all hears that, not "slow down", as
       * without Redis, where the handler checks the room first. */
      if (!allowed && check->record_after)
        room_for_sending (self, client, check->event->payload, &room_id, &error);
      if (!allowed && error == NULL)
        {
          const char *one;
          const char *many;

          ld_rate_rule_get_nouns (check->rule, &one, &many);
          self->last_retry_ms = retry_ms;
          ld_rate_limit_set_error_full (&error, &hit, retry_ms, one, many);
        }
    }
  else if (!check->record_after)
    {
      /* Redis went away meanwhile: this process's own count is the next
       * best (chat and gifts take theirs in their handlers). */
      g_debug ("Rate limit on Redis failed, counting here: %s", redis_error->message);
      take_event_slot (self, check->rule, check->user_id, &error);
    }

  if (error != NULL)
    answer_event (self, client, check->event->spec, check->event->ack, NULL, error);
  else if (run_handler (self, client, check->event) && check->record_after && redis_error == NULL)
    gw_redis_limits_record (GW_REDIS (source), check->rule, check->user_id);

  rate_check_free (check);
  drain_waiting (self, sid);
}

/* Takes EVENT: checks what the dispatch checks, then handles it, now or
 * once Redis has decided its rate limit. */
static void
dispatch (GwGateway   *self,
          Client      *client,
          QueuedEvent *event)
{
  g_autoptr(GError) error = NULL;
  const EventSpec *spec = event->spec;
  LdRateRule rule;

  if (spec->needs_auth && client->claims == NULL)
    refuse_unauthenticated (self, client, spec, event->ack);
  else if (event->payload == NULL)
    g_set_error (&error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD, "The payload must be an object");
  else if (client->claims != NULL && client->claims->role < spec->min_role)
    g_set_error (&error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN,
                 "Only a %s or above may do that", gw_role_to_string (spec->min_role));
  else if (presence_in_redis (self) &&
           (rule_for_event (spec, event->payload, &rule) || rule_recorded_after (spec, event->payload, &rule)))
    {
      RateCheck *check = g_new0 (RateCheck, 1);

      g_weak_ref_init (&check->gateway, self);
      check->sid = g_strdup (sio_server_socket_get_id (client->socket));
      check->user_id = g_strdup (client->claims->sub);
      check->rule = rule;
      check->record_after = rule_recorded_after (spec, event->payload, &rule);
      check->event = event;
      client->checking = TRUE;
      if (check->record_after)
        gw_redis_limits_check_async (self->redis, rule, client->claims->sub, NULL, on_rate_checked, check);
      else
        gw_redis_limits_try_async (self->redis, rule, client->claims->sub, NULL, on_rate_checked, check);
      return;
    }
  else if (rule_for_event (spec, event->payload, &rule) && !take_event_slot (self, rule, client->claims->sub, &error))
    ;
  else
    run_handler (self, client, event);

  if (error != NULL)
    answer_event (self, client, spec, event->ack, NULL, error);
  queued_event_free (event);
}

static void
on_socket_event (SioServerSocket *socket,
                 const char      *event,
                 JsonArray       *args,
                 GPtrArray       *attachments,
                 SioServerAck    *ack,
                 gpointer         user_data)
{
  Client *client = user_data;
  GwGateway *self = client->gateway;
  QueuedEvent *queued;
  JsonNode *first;

  queued = g_new0 (QueuedEvent, 1);
  for (guint i = 0; i < G_N_ELEMENTS (event_specs); i++)
    {
      if (strcmp (event, event_specs[i].name) == 0)
        {
          queued->spec = &event_specs[i];
          break;
        }
    }

  /* Unknown events are ignored, as socket.io ignores events without a listener. */
  if (queued->spec == NULL)
    {
      g_free (queued);
      return;
    }

  first = json_array_get_length (args) > 0 ? json_array_get_element (args, 0) : NULL;
  if (first != NULL && JSON_NODE_HOLDS_OBJECT (first))
    queued->payload = json_object_ref (json_node_get_object (first));
  queued->ack = ack != NULL ? sio_server_ack_ref (ack) : NULL;

  if (!client->checking)
    {
      dispatch (self, client, queued);
      return;
    }

  if (client->waiting.length >= MAX_WAITING_EVENTS)
    {
      g_autoptr(GError) error = NULL;

      g_set_error_literal (&error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED,
                           "Too many events at once: wait for the answers");
      self->last_retry_ms = 1000;
      answer_event (self, client, queued->spec, queued->ack, NULL, error);
      queued_event_free (queued);
      return;
    }
  g_queue_push_tail (&client->waiting, queued);
}

static void
on_socket_disconnect (SioServerSocket *socket,
                      const char      *reason,
                      gpointer         user_data)
{
  Client *client = user_data;
  GwGateway *self = client->gateway;
  g_autoptr(GPtrArray) room_ids = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  const char *room_id;
  const char *sid = sio_server_socket_get_id (socket);

  gw_log_event (G_LOG_LEVEL_INFO, "disconnect", "sid", sid,
                "user", client->claims != NULL ? client->claims->sub : NULL, "reason", reason, NULL);

  g_hash_table_iter_init (&iter, client->rooms);
  while (g_hash_table_iter_next (&iter, (gpointer *) &room_id, NULL))
    g_ptr_array_add (room_ids, g_strdup (room_id));

  for (guint i = 0; i < room_ids->len; i++)
    {
      GwRoom *room = gw_rooms_lookup (self->rooms, g_ptr_array_index (room_ids, i));
      g_autoptr(GwViewer) gone = NULL;

      if (room != NULL && gw_room_remove_socket (room, sid, now_ms (), &gone))
        announce_departure (self, room, gone);
    }

  g_hash_table_remove (self->clients, sid);
}

/* A connection that never authenticates holds a socket, a slot in every
 * table and a ping timer for nothing. */
static gboolean
on_auth_timeout (gpointer user_data)
{
  Client *client = user_data;

  client->auth_timeout_source = 0;
  if (client->claims != NULL)
    return G_SOURCE_REMOVE;

  gw_metrics_add ("livedesk_auth_timeouts_total", NULL, 1);
  gw_log_event (G_LOG_LEVEL_INFO, "auth_timeout", "sid", sio_server_socket_get_id (client->socket),
                "addr", client_address (client), NULL);
  /* Frees CLIENT, through the disconnect handler. */
  sio_server_socket_disconnect (client->socket, TRUE);

  return G_SOURCE_REMOVE;
}

static void
on_connection (SioServerNamespace *nsp,
               SioServerSocket    *socket,
               gpointer            user_data)
{
  GwGateway *self = user_data;
  Client *client = g_new0 (Client, 1);
  g_autoptr(JsonObject) connected = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  JsonObject *auth = sio_server_socket_get_auth (socket);
  const char *token = NULL;

  client->gateway = self;
  client->socket = g_object_ref (socket);
  gw_log_event (G_LOG_LEVEL_INFO, "connect", "sid", sio_server_socket_get_id (socket),
                "addr", client_address (client), NULL);
  client->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_insert (self->clients, (gpointer) sio_server_socket_get_id (socket), client);
  g_signal_connect (socket, "event", G_CALLBACK (on_socket_event), client);
  g_signal_connect (socket, "disconnect", G_CALLBACK (on_socket_disconnect), client);
  client->auth_timeout_source = sio_deadline_add (self->auth_timeout_ms, on_auth_timeout, client);

  json_object_set_string_member (connected, "socketId", sio_server_socket_get_id (socket));
  set_timestamp (connected, "serverTime");
  node = node_from_object (g_steal_pointer (&connected));
  emit_to_socket (socket, "connected", node);

  /* A token in the CONNECT packet authenticates at once [ext]; a bad one
   * does not refuse the connection, so the client can still refresh it and
   * emit authenticate as the guide does. */
  if (auth != NULL && ld_validate_member_string (auth, "token", FALSE, &token, NULL) && token != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) reply = NULL;

      if (authenticate_token (self, client, token, NULL, &reply, &error))
        {
          log_auth (client, NULL);
          emit_to_socket (socket, "authSuccess", reply);
        }
      else
        {
          g_autoptr(JsonNode) failure = gw_envelope_new_failure_from_error (error);

          log_auth (client, error);
          count_refusal (ld_contract_error_to_code (error->code));
          emit_to_socket (socket, "authFailed", failure);
        }
    }
}

typedef struct
{
  GWeakRef  gateway;
  char     *room_id;
} HoldsRenewal;

static void
on_holds_renewed (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  HoldsRenewal *renewal = user_data;
  g_autoptr(GwGateway) self = g_weak_ref_get (&renewal->gateway);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) reaped = gw_redis_rooms_refresh_finish (GW_REDIS (source), result, &error);

  if (reaped == NULL)
    g_debug ("Could not renew this gateway's viewers of %s in Redis: %s", renewal->room_id, error->message);

  /* Viewers of a gateway process that died: nobody else will tell the room. */
  for (guint i = 0; self != NULL && reaped != NULL && i < json_array_get_length (reaped); i++)
    {
      JsonObject *entry = json_array_get_object_element (reaped, i);
      GwViewer viewer = { 0 };

      if (entry == NULL ||
          !ld_validate_member_string (entry, "userId", TRUE, (const char **) &viewer.user_id, NULL) ||
          !ld_validate_user_id (viewer.user_id, NULL) ||
          !ld_validate_member_string (entry, "username", TRUE, (const char **) &viewer.username, NULL) ||
          !gw_role_from_string (json_object_get_string_member_with_default (entry, "role", ""), &viewer.role))
        continue;
      gw_log_event (G_LOG_LEVEL_INFO, "presence_lapsed", "room", renewal->room_id, "user", viewer.user_id, NULL);
      announce_leaving (self, renewal->room_id, &viewer);
    }

  g_weak_ref_clear (&renewal->gateway);
  g_free (renewal->room_id);
  g_free (renewal);
}

/* Renews this process's holds on ROOM's viewers in Redis, and tells the
 * room of viewers whose only holds lapsed. */
static void
refresh_holds (GwGateway *self,
               GwRoom    *room)
{
  g_autoptr(JsonArray) viewers = NULL;
  HoldsRenewal *renewal;

  if (!presence_in_redis (self))
    return;
  viewers = gw_room_dup_viewers_json (room);
  renewal = g_new0 (HoldsRenewal, 1);
  g_weak_ref_init (&renewal->gateway, self);
  renewal->room_id = g_strdup (gw_room_get_id (room));
  gw_redis_rooms_refresh_async (self->redis, renewal->room_id, self->uid, viewers, self->presence_timeout, NULL,
                                on_holds_renewed, renewal);
}

/* A Redis that comes back may have lost what we held there (a restart
 * without persistence): told at once, it does not take a newcomer's second
 * tab for a newcomer until the next sweep. */
static void
on_redis_connected (GwRedis    *redis,
                    GParamSpec *pspec,
                    GwGateway  *self)
{
  g_autoptr(GPtrArray) rooms = NULL;

  if (!gw_redis_get_connected (redis))
    return;
  rooms = gw_rooms_list (self->rooms);
  for (guint i = 0; i < rooms->len; i++)
    if (gw_room_get_viewer_count (g_ptr_array_index (rooms, i)) > 0)
      refresh_holds (self, g_ptr_array_index (rooms, i));
}

static gboolean
on_sweep (gpointer user_data)
{
  GwGateway *self = user_data;
  g_autoptr(GPtrArray) rooms = gw_rooms_list (self->rooms);
  gint64 now = now_ms ();

  for (guint i = 0; i < rooms->len; i++)
    {
      GwRoom *room = g_ptr_array_index (rooms, i);
      const char *room_id = gw_room_get_id (room);
      g_autofree char *transport = transport_room (room_id);
      g_autoptr(GPtrArray) sockets = NULL;
      g_autoptr(GPtrArray) gone = gw_room_expire (room, now, self->presence_timeout, &sockets);

      for (guint j = 0; j < sockets->len; j++)
        {
          Client *client = g_hash_table_lookup (self->clients, g_ptr_array_index (sockets, j));

          if (client != NULL)
            {
              sio_server_socket_leave (client->socket, transport);
              g_hash_table_remove (client->rooms, room_id);
            }
        }

      for (guint j = 0; j < gone->len; j++)
        announce_departure (self, room, g_ptr_array_index (gone, j));
      /* The others' copy of our share lapses unless refreshed, and so do
       * our holds in Redis. */
      if (gw_room_get_viewer_count (room) > 0)
        {
          publish_presence (self, room);
          refresh_holds (self, room);
        }
    }

  {
    GHashTableIter rooms_iter;
    gpointer value;

    g_hash_table_iter_init (&rooms_iter, self->remote_presence);
    while (g_hash_table_iter_next (&rooms_iter, NULL, &value))
      {
        GHashTableIter shares_iter;
        gpointer share;

        g_hash_table_iter_init (&shares_iter, value);
        while (g_hash_table_iter_next (&shares_iter, NULL, &share))
          if (((PresenceShare *) share)->expires_ms <= now)
            g_hash_table_iter_remove (&shares_iter);
        if (g_hash_table_size (value) == 0)
          g_hash_table_iter_remove (&rooms_iter);
      }
  }

  gw_rooms_prune (self->rooms, now, GW_GATEWAY_ROOM_GRACE_MS);
  ld_rate_limit_forget_idle (self->chat_limit, now);
  ld_rate_limit_forget_idle (self->gift_limit, now);
  for (guint i = 0; i < LD_N_RATE_RULES; i++)
    ld_rate_limit_forget_idle (self->event_limits[i], now);

  return G_SOURCE_CONTINUE;
}

static void
restart_sweep (GwGateway *self)
{
  g_clear_handle_id (&self->sweep_source, g_source_remove);
  /* A third of the timeout: nobody lingers more than a third too long. */
  self->sweep_source = g_timeout_add (MAX (self->presence_timeout / 3, 100), on_sweep, self);
}

/* The backend's messages (section 7): the "data" member if there is one,
 * else the message itself without its "type". */
static JsonNode *
backend_data (JsonObject *message)
{
  JsonNode *data = json_object_get_member (message, "data");
  JsonObject *copy;
  GList *members;

  if (data != NULL && JSON_NODE_HOLDS_OBJECT (data))
    return json_node_copy (data);

  copy = json_object_new ();
  members = json_object_get_members (message);
  for (GList *l = members; l != NULL; l = l->next)
    {
      if (strcmp (l->data, "type") != 0)
        json_object_set_member (copy, l->data, json_node_copy (json_object_get_member (message, l->data)));
    }
  g_list_free (members);

  return node_from_object (copy);
}

static const char *
room_of (JsonNode *node)
{
  const char *room_id = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  if (!ld_validate_member_string (json_node_get_object (node), "roomId", FALSE, &room_id, NULL) ||
      !ld_validate_room_id (room_id, NULL))
    return NULL;

  return room_id;
}

static void
relay_wrapped (GwGateway  *self,
               JsonObject *message,
               const char *raw,
               gsize       raw_len,
               const char *type,
               const char *event)
{
  g_autoptr(JsonNode) data = backend_data (message);
  g_autoptr(JsonNode) wrapped = NULL;
  JsonObject *object;
  const char *room_id = room_of (data);
  const char *message_id = NULL;
  GwRoom *room;

  /* Chat and gifts happen in a room; one without is not ours to show. */
  if (room_id == NULL)
    return;

  /* A message without an id could not be deleted. Every process relays it
   * by itself, so the id comes from what they all received alike. */
  if (strcmp (type, "chat_message") == 0 &&
      (!ld_validate_member_string (json_node_get_object (data), "messageId", FALSE, &message_id, NULL) ||
       message_id == NULL))
    {
      g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, raw, raw_len);
      g_autofree char *assigned = g_strdup_printf ("bk_%.32s", digest);

      json_object_set_string_member (json_node_get_object (data), "messageId", assigned);
    }

  object = json_object_new ();
  json_object_set_string_member (object, "type", type);
  json_object_set_member (object, "data", json_node_copy (data));
  wrapped = node_from_object (object);

  /* A backend chat message belongs in the history a newcomer is shown. */
  room = gw_rooms_lookup (self->rooms, room_id);
  if (room != NULL && strcmp (type, "chat_message") == 0 &&
      string_member (json_node_get_object (data), "messageId") != NULL)
    gw_room_add_message (room, json_node_get_object (data));

  emit_to_room (self, room_id, event, wrapped);
}

static gboolean
relay_room_update (GwGateway  *self,
                   JsonObject *message,
                   const char *status)
{
  g_autoptr(JsonNode) data = backend_data (message);
  const char *room_id = room_of (data);
  JsonObject *fields;
  GwRoom *room;
  const char *title = NULL;
  const char *new_status = NULL;

  if (room_id == NULL)
    return FALSE;

  fields = json_node_get_object (data);
  json_object_remove_member (fields, "timestamp");
  if (status != NULL)
    json_object_set_string_member (fields, "status", status);

  room = gw_rooms_ensure (self->rooms, room_id);
  if (ld_validate_member_string (fields, "title", FALSE, &title, NULL) && title != NULL)
    gw_room_set_title (room, title);
  if (ld_validate_member_string (fields, "status", FALSE, &new_status, NULL) && new_status != NULL)
    gw_room_set_status (room, new_status);
  /* [ext] The streamer who may moderate the room; every process hears it
   * and records the same. */
  {
    const char *owner = NULL;

    if (ld_validate_member_string (fields, "streamerId", FALSE, &owner, NULL) && owner != NULL &&
        ld_validate_user_id (owner, NULL))
      {
        gw_room_set_owner (room, owner);
        gw_sanctions_set_owner (self->sanctions, room_id, owner);
      }
  }
  /* For getRoomInfo on a process that starts later. Every process hears the
   * backend and writes the same. */
  if (self->redis != NULL && gw_redis_get_connected (self->redis))
    gw_redis_rooms_set_info (self->redis, room_id, title, new_status);
  json_object_set_int_member (fields, "viewerCount", cluster_viewer_count (self, room));

  emit_to_room (self, room_id, "roomUpdate", data);
  return TRUE;
}

/* Whether OBJECT has NAME, null aside. */
static gboolean
has_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && !JSON_NODE_HOLDS_NULL (node);
}

static gboolean
relay_notification (GwGateway  *self,
                    JsonObject *message)
{
  g_autoptr(JsonNode) node = node_from_object (json_object_ref (message));
  const char *user_id = NULL;
  const char *type = NULL;
  const char *event;

  /* A notification meant for one user or room whose address is garbled
   * must not fall through to everyone. */
  if (!ld_validate_member_string (message, "type", FALSE, &type, NULL) ||
      (has_member (message, "userId") &&
       (!ld_validate_member_string (message, "userId", TRUE, &user_id, NULL) ||
        !ld_validate_user_id (user_id, NULL))) ||
      (has_member (message, "roomId") && room_of (node) == NULL))
    return FALSE;

  /* [ext] The backend's way to send the guide's systemNotification: a
   * notification of type "system". */
  event = g_strcmp0 (type, "system") == 0 ? "systemNotification" : "notification";

  if (user_id != NULL)
    {
      g_autofree char *user_room = g_strconcat (USER_PREFIX, user_id, NULL);

      emit_to_transport_room (self, user_room, event, node);
    }
  else if (room_of (node) != NULL)
    emit_to_room (self, room_of (node), event, node);
  else
    {
      g_autoptr(JsonArray) args = args_of (node);

      sio_server_namespace_emit (self->nsp, event, args, NULL);
    }

  return TRUE;
}

/* FALSE when dropped as malformed. */
static gboolean
apply_remote_state (GwGateway  *self,
                    JsonObject *state)
{
  const char *op = string_member (state, "op");
  const char *uid = string_member (state, "uid");
  JsonNode *inner = json_object_get_member (state, "event");
  const char *room_id = NULL;
  GwRoom *room;

  if (op == NULL || uid == NULL)
    return FALSE;

  /* Our own, applied when it happened. */
  if (strcmp (uid, self->uid) == 0)
    return TRUE;

  if (strcmp (op, "sanction") == 0)
    {
      gint64 action = -1;
      gint64 duration = 0;
      JsonObject *event;
      const char *user_id = NULL;

      if (!ld_validate_member_int (state, "action", TRUE, &action, NULL) ||
          !ld_validate_member_int (state, "durationMs", FALSE, &duration, NULL) ||
          inner == NULL || !JSON_NODE_HOLDS_OBJECT (inner) || (room_id = room_of (inner)) == NULL ||
          action < SANCTION_TIMEOUT || action > SANCTION_UNBAN || duration < 0)
        return FALSE;
      event = json_node_get_object (inner);
      if (!ld_validate_member_string (event, "userId", TRUE, &user_id, NULL) || !ld_validate_user_id (user_id, NULL))
        return FALSE;

      /* Another process's word: checked again with what this one knows of
       * the room's owner and the target's rank. */
      {
        const char *actor_id = string_member (state, "actorId");
        const char *actor_role_name = string_member (state, "actorRole");
        GwRole actor_role;
        GwRoom *known = gw_rooms_lookup (self->rooms, room_id);
        g_autoptr(GError) refusal = NULL;

        if (actor_id == NULL || actor_role_name == NULL || !gw_role_from_string (actor_role_name, &actor_role))
          g_set_error_literal (&refusal, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN, "No actor");
        else if (actor_role == GW_ROLE_STREAMER && known != NULL && gw_room_get_owner (known) != NULL)
          check_may_moderate (actor_role, actor_id, gw_room_get_owner (known), &refusal);
        else if (actor_role < GW_ROLE_STREAMER)
          check_may_moderate (actor_role, actor_id, NULL, &refusal);
        if (refusal == NULL && action != SANCTION_UNBAN)
          check_rank (actor_role, known_role (self, room_id, user_id), &refusal);
        if (refusal != NULL)
          {
            gw_metrics_add ("livedesk_remote_sanctions_refused_total", NULL, 1);
            gw_log_event (G_LOG_LEVEL_MESSAGE, "remote_sanction_refused", "room", room_id, "user", user_id,
                          "by", actor_id, NULL);
            return TRUE;
          }
      }

      apply_sanction (self, gw_rooms_ensure (self->rooms, room_id), action, duration, event);
      return TRUE;
    }

  if (!ld_validate_member_string (state, "roomId", TRUE, &room_id, NULL) || !ld_validate_room_id (room_id, NULL))
    return FALSE;
  room = gw_rooms_lookup (self->rooms, room_id);

  if (strcmp (op, "presence") == 0)
    {
      JsonNode *viewers = json_object_get_member (state, "viewers");

      if (viewers == NULL || !JSON_NODE_HOLDS_ARRAY (viewers))
        return FALSE;
      /* A process we had not heard of in this room is told our share at
       * once rather than at the next sweep. */
      if (store_presence_share (self, room_id, uid, json_node_get_array (viewers)) &&
          room != NULL && gw_room_get_viewer_count (room) > 0)
        publish_presence (self, room);
      return TRUE;
    }

  if (strcmp (op, "message") == 0)
    {
      JsonNode *message = json_object_get_member (state, "message");

      if (message == NULL || !JSON_NODE_HOLDS_OBJECT (message) ||
          string_member (json_node_get_object (message), "messageId") == NULL)
        return FALSE;
      if (room != NULL)
        gw_room_add_message (room, json_node_get_object (message));
    }
  else if (strcmp (op, "delete") == 0)
    {
      const char *message_id = string_member (state, "messageId");

      if (message_id == NULL)
        return FALSE;
      if (room != NULL)
        gw_room_remove_message (room, message_id);
    }

  return TRUE;
}

/* Labels for livedesk_redis_malformed_total: our channel names only, so
 * that a stranger cannot mint series. */
static const char *
channel_label (const char *channel)
{
  for (guint i = 0; redis_channels[i] != NULL; i++)
    if (strcmp (channel, redis_channels[i]) == 0)
      return redis_channels[i];

  return "other";
}

void
gw_gateway_handle_redis_message (GwGateway  *self,
                                 const char *channel,
                                 const char *payload,
                                 gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(JsonNode) root = NULL;
  const char *label;

  g_return_if_fail (GW_IS_GATEWAY (self));
  g_return_if_fail (channel != NULL);
  g_return_if_fail (payload != NULL || len == 0);

  label = channel_label (channel);
  /* Broadcasts between processes are GwRedisAdapter's. */
  if (strcmp (label, "other") == 0)
    return;

  message = gw_redis_parse_object (payload, len, &error);
  if (message == NULL)
    {
      gw_redis_drop_malformed (label, error->message);
      return;
    }

  if (strcmp (channel, STATE_CHANNEL) == 0)
    {
      if (!apply_remote_state (self, message))
        gw_redis_drop_malformed (label, "not a state change");
      return;
    }

  root = node_from_object (json_object_ref (message));
  set_local_only (self, TRUE);
  if (strcmp (channel, "chat.message") == 0 || strcmp (channel, "gift.send") == 0)
    {
      gboolean chat = strcmp (channel, "chat.message") == 0;

      if (room_of (json_object_get_member (message, "data")) != NULL || room_of (root) != NULL)
        relay_wrapped (self, message, payload, len, chat ? "chat_message" : "gift_send",
                       chat ? "chatMessageFromBackend" : "giftFromBackend");
      else
        gw_redis_drop_malformed (label, "no room");
    }
  else if (strcmp (channel, "room.update") == 0 || strcmp (channel, "stream.start") == 0 ||
           strcmp (channel, "stream.end") == 0)
    {
      const char *status = strcmp (channel, "stream.start") == 0 ? "live"
                           : strcmp (channel, "stream.end") == 0 ? "ended" : NULL;

      if (!relay_room_update (self, message, status))
        gw_redis_drop_malformed (label, "no room");
    }
  else if (strcmp (channel, "notification") == 0)
    {
      if (!relay_notification (self, message))
        gw_redis_drop_malformed (label, "garbled address or type");
    }
  set_local_only (self, FALSE);
}

static void
on_redis_message (GwRedis    *redis,
                  const char *channel,
                  const char *payload,
                  gpointer    user_data)
{
  gw_gateway_handle_redis_message (user_data, channel, payload, strlen (payload));
}

static void
gw_gateway_dispose (GObject *object)
{
  GwGateway *self = (GwGateway *)object;

  self->disposing = TRUE;
  g_clear_handle_id (&self->sweep_source, g_source_remove);
  if (self->redis != NULL)
    g_clear_signal_handler (&self->redis_handler, self->redis);
  if (self->server != NULL)
    sio_server_close (self->server);
  if (self->clients != NULL)
    g_hash_table_remove_all (self->clients);

  G_OBJECT_CLASS (gw_gateway_parent_class)->dispose (object);
}

static void
gw_gateway_finalize (GObject *object)
{
  GwGateway *self = (GwGateway *)object;

  g_clear_object (&self->jwt);
  g_clear_object (&self->redis);
  g_clear_object (&self->server);
  g_clear_object (&self->rooms);
  g_clear_object (&self->sanctions);
  g_clear_object (&self->users);
  g_clear_object (&self->gifts);
  g_clear_object (&self->chat_limit);
  g_clear_object (&self->gift_limit);
  for (guint i = 0; i < LD_N_RATE_RULES; i++)
    g_clear_object (&self->event_limits[i]);
  g_clear_pointer (&self->clients, g_hash_table_unref);
  g_clear_object (&self->tickets);
  g_clear_pointer (&self->remote_presence, g_hash_table_unref);
  g_clear_pointer (&self->uid, g_free);

  G_OBJECT_CLASS (gw_gateway_parent_class)->finalize (object);
}

static void
gw_gateway_class_init (GwGatewayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gw_gateway_dispose;
  object_class->finalize = gw_gateway_finalize;

  gw_metrics_describe ("livedesk_refusals_total", GW_METRIC_COUNTER,
                       "Events the gateway refused, by the contract's error code");
  gw_metrics_describe ("livedesk_sanctions_total", GW_METRIC_COUNTER,
                       "Moderation done on this process: timeouts, bans, unbans, deletions");
  gw_metrics_describe ("livedesk_remote_sanctions_refused_total", GW_METRIC_COUNTER,
                       "Sanctions another gateway process announced that this one found unauthorised");
}

static void
on_body_refused (SioEngine  *engine,
                 const char *method,
                 gpointer    user_data)
{
  gw_metrics_add ("livedesk_request_body_rejections_total", "path=\"socket\"", 1);
}

static void
on_slow_consumer (SioEngine  *engine,
                  const char *transport,
                  gpointer    user_data)
{
  gw_metrics_add ("livedesk_slow_consumer_disconnects_total",
                  g_str_equal (transport, "websocket") ? "transport=\"websocket\"" : "transport=\"polling\"", 1);
}

/* REASON is one of the engine's constants, never client text. */
static void
on_connection_refused (SioServer  *server,
                       const char *reason,
                       const char *address,
                       gpointer    user_data)
{
  g_autofree char *labels = g_strdup_printf ("reason=\"%s\"", reason);

  gw_metrics_add ("livedesk_connection_refusals_total", labels, 1);
}

static void
gw_gateway_init (GwGateway *self)
{
  self->server = sio_server_new ();
  self->nsp = sio_server_of (self->server, "/");
  self->rooms = gw_rooms_new ();
  self->sanctions = gw_sanctions_new ();
  /* The same rules as on Redis (gw-redis-limits.h), from one place. */
  self->chat_limit = ld_rate_limit_new_for_rule (LD_RATE_RULE_CHAT);
  self->gift_limit = ld_rate_limit_new_for_rule (LD_RATE_RULE_GIFT);
  for (guint i = 0; i < LD_N_RATE_RULES; i++)
    self->event_limits[i] = ld_rate_limit_new_for_rule (i);
  self->auth_timeout_ms = GW_GATEWAY_DEFAULT_AUTH_TIMEOUT_MS;
  self->max_rooms = GW_GATEWAY_DEFAULT_MAX_ROOMS;
  gw_metrics_describe ("livedesk_rate_limited_total", GW_METRIC_COUNTER,
                       "Events refused by a rate limit, by event (\"unauthenticated\": before authenticate)");
  gw_metrics_describe ("livedesk_auth_timeouts_total", GW_METRIC_COUNTER,
                       "Connections closed for not authenticating in time");
  self->clients = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, client_free);
  self->tickets = gw_tickets_new (GW_TICKETS_DEFAULT_RETENTION_SECONDS);
  self->remote_presence = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 (GDestroyNotify) g_hash_table_unref);
  self->presence_timeout = GW_GATEWAY_DEFAULT_PRESENCE_TIMEOUT_MS;
  self->uid = g_uuid_string_random ();

  /* Chat is small; the guide's images travel as URLs. libsoup's default
   * 128 KiB frame limit is raised by the engine to this. */
  sio_engine_set_max_payload (sio_server_get_engine (self->server), SIO_ENGINE_DEFAULT_MAX_PAYLOAD);
  /* the transport's refusals, counted for /metrics (src/sio knows no metrics) */
  gw_metrics_describe ("livedesk_request_body_rejections_total", GW_METRIC_COUNTER,
                       "Request bodies refused with 413 for passing the size limit, by path");
  gw_metrics_describe ("livedesk_slow_consumer_disconnects_total", GW_METRIC_COUNTER,
                       "Clients disconnected for not taking what they were sent, by transport");
  g_signal_connect (sio_server_get_engine (self->server), "body-refused", G_CALLBACK (on_body_refused), NULL);
  g_signal_connect (sio_server_get_engine (self->server), "slow-consumer", G_CALLBACK (on_slow_consumer), NULL);
  g_signal_connect_object (self->nsp, "connection", G_CALLBACK (on_connection), self, 0);
  gw_metrics_describe ("livedesk_connection_refusals_total", GW_METRIC_COUNTER,
                       "New connections turned away before their handshake, by reason");
  g_signal_connect (self->server, "connection-refused", G_CALLBACK (on_connection_refused), NULL);
}

GwGateway *
gw_gateway_new (GwJwt *jwt)
{
  GwGateway *self;

  g_return_val_if_fail (GW_IS_JWT (jwt), NULL);

  self = g_object_new (GW_TYPE_GATEWAY, NULL);
  self->jwt = g_object_ref (jwt);

  /* Until told otherwise, the catalogue shipped with the gateway. */
  {
    g_autoptr(GError) error = NULL;

    self->gifts = gw_gifts_new_from_file (gw_gifts_default_path (), &error);
    if (self->gifts == NULL)
      g_debug ("No gift catalogue, every gift will be refused: %s", error->message);
  }

  return self;
}

static SioServerAdapter *
make_adapter (SioServerNamespace *nsp,
              gpointer            user_data)
{
  return gw_redis_adapter_new (nsp, user_data);
}

void
gw_gateway_set_redis (GwGateway *self,
                      GwRedis   *redis)
{
  g_return_if_fail (GW_IS_GATEWAY (self));
  g_return_if_fail (GW_IS_REDIS (redis));
  g_return_if_fail (self->redis == NULL);

  self->redis = g_object_ref (redis);
  gw_sanctions_set_redis (self->sanctions, redis);
  self->redis_handler = g_signal_connect (redis, "message", G_CALLBACK (on_redis_message), self);
  gw_tickets_set_redis (self->tickets, redis);
  g_signal_connect_object (redis, "notify::connected", G_CALLBACK (on_redis_connected), self, 0);
  gw_redis_subscribe (redis, redis_channels);

  /* Broadcasts reach every gateway process sharing this Redis. */
  sio_server_set_adapter_factory (self->server, make_adapter, g_object_ref (redis), g_object_unref);
}

void
gw_gateway_set_users (GwGateway *self,
                      GwUsers   *users)
{
  g_return_if_fail (GW_IS_GATEWAY (self));
  g_return_if_fail (users == NULL || GW_IS_USERS (users));

  g_set_object (&self->users, users);
}

void
gw_gateway_set_gifts (GwGateway *self,
                      GwGifts   *gifts)
{
  g_return_if_fail (GW_IS_GATEWAY (self));
  g_return_if_fail (gifts == NULL || GW_IS_GIFTS (gifts));

  g_set_object (&self->gifts, gifts);
}

void
gw_gateway_set_ticket_retention (GwGateway *self,
                                 gint64     seconds)
{
  g_autoptr(GwTickets) tickets = NULL;

  g_return_if_fail (GW_IS_GATEWAY (self));
  g_return_if_fail (seconds > 0);

  tickets = gw_tickets_new (seconds);
  gw_tickets_set_redis (tickets, self->redis);
  g_set_object (&self->tickets, tickets);
}

void
gw_gateway_set_presence_timeout (GwGateway *self,
                                 guint      ms)
{
  g_return_if_fail (GW_IS_GATEWAY (self));
  g_return_if_fail (ms > 0);

  self->presence_timeout = ms;
  if (self->sweep_source != 0)
    restart_sweep (self);
}

void
gw_gateway_set_auth_timeout (GwGateway *self,
                             guint      ms)
{
  g_return_if_fail (GW_IS_GATEWAY (self));
  g_return_if_fail (ms > 0);

  self->auth_timeout_ms = ms;
}

void
gw_gateway_set_max_rooms (GwGateway *self,
                          guint      max_rooms)
{
  g_return_if_fail (GW_IS_GATEWAY (self));
  g_return_if_fail (max_rooms > 0);

  self->max_rooms = max_rooms;
}

void
gw_gateway_attach (GwGateway  *self,
                   SoupServer *server,
                   const char *path)
{
  g_return_if_fail (GW_IS_GATEWAY (self));
  g_return_if_fail (SOUP_IS_SERVER (server));

  sio_server_attach (self->server, server, path != NULL ? path : GW_GATEWAY_PATH);
  restart_sweep (self);
}

SioServer *
gw_gateway_get_server (GwGateway *self)
{
  g_return_val_if_fail (GW_IS_GATEWAY (self), NULL);

  return self->server;
}

GwRooms *
gw_gateway_get_rooms (GwGateway *self)
{
  g_return_val_if_fail (GW_IS_GATEWAY (self), NULL);

  return self->rooms;
}

guint
gw_gateway_get_n_authenticated_users (GwGateway *self)
{
  g_autoptr(GHashTable) users = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (GW_IS_GATEWAY (self), 0);

  /* one user on two tabs is one user */
  g_hash_table_iter_init (&iter, self->clients);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Client *client = value;

      if (client->claims != NULL)
        g_hash_table_add (users, client->claims->sub);
    }
  return g_hash_table_size (users);
}

void
gw_gateway_close (GwGateway *self)
{
  g_return_if_fail (GW_IS_GATEWAY (self));

  g_clear_handle_id (&self->sweep_source, g_source_remove);
  sio_server_close (self->server);
  g_hash_table_remove_all (self->clients);
}

static char *
client_address_of (SoupServerMessage *msg,
                   gpointer           proxies)
{
  return gw_client_address (msg, proxies);
}

void
gw_gateway_set_trusted_proxies (GwGateway        *self,
                                GwTrustedProxies *proxies)
{
  g_return_if_fail (GW_IS_GATEWAY (self));
  g_return_if_fail (proxies != NULL);

  sio_engine_set_address_func (sio_server_get_engine (self->server), client_address_of,
                               gw_trusted_proxies_ref (proxies), (GDestroyNotify) gw_trusted_proxies_unref);
}
