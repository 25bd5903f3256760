/* ld-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "sio-client.h"

#include "ld-envelope.h"
#include "ld-events.h"
#include "ld-health.h"
#include "ld-jwt.h"
#include "ld-outbox-private.h"
#include "ld-payload.h"
#include "ld-reconnect.h"
#include "ld-rest-client.h"
#include "ld-request.h"
#include "ld-room-private.h"
#include "ld-token-refresh.h"
#include "ld-session-private.h"
#include "ld-support-private.h"
#include "ld-validate.h"

struct _LdSession
{
  GObject              parent_instance;

  char                *server_url;
  char                *api_url;
  char                *path;
  guint                reconnect_attempts;
  guint                refresh_margin;

  SioClient           *client;
  LdRestClient        *rest;
  GCancellable        *cancellable;

  LdTokens            *tokens;
  char                *token_user_id;
  gint64               token_exp;
  guint                refresh_source;
  /* The refresh with its retries (the guide's RetryManager); while it runs
   * nothing else signs in with the old token. */
  LdTokenRefresh      *refresher;
  /* Each access token gets one refresh attempt after a refusal, so a
   * refused fresh token ends in SIGNED_OUT rather than a loop. */
  gboolean             refreshed_after_refusal;

  LdSessionState       state;
  char                *state_reason;
  gboolean             wants_connection;
  /* The schedule: jittered exponential up to a cap; the guide's attempts
   * (reconnect_attempts) only mark when to say we have trouble. */
  LdReconnect         *reconnect;
  guint                give_up_after;

  char                *user_id;
  char                *username;
  LdRole               role;

  /* The rooms the session is in or re-joins, by id (LdRoom), any number
   * on the one socket; CURRENT is the one the app shows (the last joined),
   * LOBBY the empty stand-in while there is none. */
  GHashTable          *rooms;
  GHashTable          *kept_sanctions;
  LdRoom              *current;
  LdRoom              *lobby;
  guint                ping_source;
  guint                ping_interval;

  gboolean             socket_healthy;
  LdHealth            *health;

  LdNotificationModel *notifications;
  LdSupport           *support;

  /* What the user sends, in every room, and the rate limits of all their
   * sends (gifts and support too). */
  LdOutbox            *outbox;

  /* Requests waiting for the session to be online, and those sent. */
  LdRequests          *requests;
  /* Join requests waiting for joinedRoom (GTask; its data the room id). */
  GQueue               joins;

};

G_DEFINE_FINAL_TYPE (LdSession, ld_session, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-session-error-quark, ld_session_error)

G_DEFINE_ENUM_TYPE (LdSessionState, ld_session_state,
  G_DEFINE_ENUM_VALUE (LD_SESSION_STATE_OFFLINE, "offline"),
  G_DEFINE_ENUM_VALUE (LD_SESSION_STATE_CONNECTING, "connecting"),
  G_DEFINE_ENUM_VALUE (LD_SESSION_STATE_AUTHENTICATING, "authenticating"),
  G_DEFINE_ENUM_VALUE (LD_SESSION_STATE_ONLINE, "online"),
  G_DEFINE_ENUM_VALUE (LD_SESSION_STATE_RECONNECTING, "reconnecting"),
  G_DEFINE_ENUM_VALUE (LD_SESSION_STATE_SIGNED_OUT, "signed-out"))

enum
{
  PROP_0,
  PROP_SERVER_URL,
  PROP_API_URL,
  PROP_RECONNECT_ATTEMPTS,
  PROP_STATE,
  PROP_STATE_REASON,
  PROP_RECONNECT_IN,
  PROP_USER_ID,
  PROP_USERNAME,
  PROP_ROLE,
  PROP_SOCKET_HEALTHY,
  PROP_API_HEALTHY,
  PROP_HEALTHY,
  PROP_HAVING_TROUBLE,
  PROP_REDIS_STATE,
  PROP_CURRENT_ROOM,
  N_PROPS
};

enum
{
  EVENT,
  GIFT_RECEIVED,
  TOKENS_CHANGED,
  MESSAGE_RECEIVED,
  STREAM_STATUS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void schedule_reconnect (LdSession *self, const char *why);
static void start_refresh      (LdSession *self);
static void send_join          (LdSession *self,
                                LdRoom    *room);
static void drop_room          (LdSession *self,
                                LdRoom    *room,
                                gboolean   banned);
static void fail_joins         (LdSession *self, const char *room_id, JsonObject *envelope);

/* State */

static void
set_string (LdSession   *self,
            char       **field,
            const char  *value,
            guint        prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_boolean (LdSession *self,
             gboolean  *field,
             gboolean   value,
             guint      prop)
{
  gboolean was_healthy = ld_session_get_healthy (self);

  if (*field == !!value)
    return;
  *field = !!value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  if (was_healthy != ld_session_get_healthy (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTHY]);
}

static void
set_state (LdSession      *self,
           LdSessionState  state,
           const char     *reason)
{
  g_object_freeze_notify (G_OBJECT (self));
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  set_string (self, &self->state_reason, reason, PROP_STATE_REASON);
  set_boolean (self, &self->socket_healthy, state == LD_SESSION_STATE_ONLINE, PROP_SOCKET_HEALTHY);
  g_object_thaw_notify (G_OBJECT (self));
}

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static JsonArray *
args_for (JsonObject *payload)
{
  JsonArray *args = json_array_new ();

  json_array_add_object_element (args, json_object_ref (payload));
  return args;
}

/* Tokens */

static gboolean
on_refresh_due (gpointer user_data)
{
  LdSession *self = user_data;

  self->refresh_source = 0;
  start_refresh (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_refresh (LdSession *self)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 due;

  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->token_exp <= 0 || self->tokens == NULL || self->tokens->refresh_token == NULL)
    return;

  due = self->token_exp - (gint64) self->refresh_margin - now;
  self->refresh_source = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, (guint) CLAMP (due, 0, G_MAXINT),
                                                     on_refresh_due, self, NULL);
}

static void
adopt_tokens (LdSession      *self,
              const LdTokens *tokens)
{
  g_clear_pointer (&self->tokens, ld_tokens_free);
  g_clear_pointer (&self->token_user_id, g_free);
  self->token_exp = 0;

  if (tokens != NULL)
    {
      self->tokens = ld_tokens_copy (tokens);
      ld_jwt_read_claims (self->tokens->access_token, &self->token_user_id, &self->token_exp);
      if (self->token_exp == 0)
        self->token_exp = self->tokens->expires_at;
    }

  self->refreshed_after_refusal = FALSE;
  schedule_refresh (self);
}

static void
send_authenticate (LdSession *self)
{
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autoptr(JsonArray) args = NULL;
  g_autofree char *timestamp = now_iso8601 ();

  if (self->client == NULL || self->tokens == NULL)
    return;

  json_object_set_string_member (payload, "token", self->tokens->access_token);
  if (self->token_user_id != NULL)
    json_object_set_string_member (payload, "userId", self->token_user_id);
  json_object_set_string_member (payload, "timestamp", timestamp);
  args = args_for (payload);
  sio_client_emit (self->client, "authenticate", args, NULL, SIO_EMIT_VOLATILE, NULL);
}

/* Requests */

/* The data of a success envelope (NULL if none), or FALSE with an error:
 * the first argument of an answer, read by the protocol's reader. */
static gboolean
read_envelope_full (JsonArray   *args,
                    JsonObject **out_data,
                    gint64      *out_retry_ms,
                    GError     **error)
{
  JsonNode *first = args != NULL && json_array_get_length (args) > 0 ? json_array_get_element (args, 0) : NULL;

  return ld_envelope_read (first, _("The server refused the request"), out_data, out_retry_ms, error);
}

static gboolean
read_envelope (JsonArray   *args,
               JsonObject **out_data,
               GError     **error)
{
  return read_envelope_full (args, out_data, NULL, error);
}

static void
fail_tasks (GQueue     *queue,
            GQuark      domain,
            int         code,
            const char *message)
{
  GTask *task;

  while ((task = g_queue_pop_head (queue)) != NULL)
    {
      g_task_return_new_error (task, domain, code, "%s", message);
      g_object_unref (task);
    }
}

/* TASK, prepared with ld_request_prepare(): sent now when online, kept
 * until the session next gets there, failed when signed out or
 * disconnected on purpose. */
void
_ld_session_submit (LdSession *self,
                    GTask     *task)
{
  g_return_if_fail (LD_IS_SESSION (self));

  if (self->state == LD_SESSION_STATE_SIGNED_OUT)
    {
      g_task_return_new_error (task, LD_SESSION_ERROR, LD_SESSION_ERROR_SIGNED_OUT, "%s",
                               self->state_reason != NULL ? self->state_reason : _("Signed out"));
      return;
    }
  if (self->state == LD_SESSION_STATE_OFFLINE && !self->wants_connection)
    {
      g_task_return_new_error (task, LD_SESSION_ERROR, LD_SESSION_ERROR_NETWORK, "%s", _("Not connected"));
      return;
    }
  ld_requests_submit (self->requests, task, self->state == LD_SESSION_STATE_ONLINE);
}

static void
run_waiting (LdSession *self)
{
  if (self->state == LD_SESSION_STATE_ONLINE)
    ld_requests_run_waiting (self->requests);
}

/* Connection */

static void
stop_timers (LdSession *self)
{
  g_clear_handle_id (&self->ping_source, g_source_remove);
}

/* The connection went: every room re-joins on the next one. */
static void
out_of_rooms (LdSession *self)
{
  GHashTableIter iter;
  gpointer room;

  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, NULL, &room))
    _ld_room_set_joined (room, FALSE);
}

static void
go_offline (LdSession  *self,
            const char *reason)
{
  ld_reconnect_stop (self->reconnect);
  g_clear_handle_id (&self->ping_source, g_source_remove);
  ld_health_stop (self->health);
  self->wants_connection = FALSE;
  out_of_rooms (self);
  if (self->client != NULL)
    sio_client_disconnect (self->client);
  set_state (self, LD_SESSION_STATE_OFFLINE, reason);
  ld_requests_fail_waiting (self->requests, LD_SESSION_ERROR, LD_SESSION_ERROR_NETWORK,
                            reason != NULL ? reason : _("Not connected"));
  fail_tasks (&self->joins, LD_SESSION_ERROR, LD_SESSION_ERROR_NETWORK, reason != NULL ? reason : _("Not connected"));
}

static void
sign_out (LdSession  *self,
          const char *reason)
{
  stop_timers (self);
  ld_reconnect_stop (self->reconnect);
  ld_health_stop (self->health);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  ld_token_refresh_stop (self->refresher);
  self->wants_connection = FALSE;
  out_of_rooms (self);
  if (self->client != NULL)
    sio_client_disconnect (self->client);
  set_state (self, LD_SESSION_STATE_SIGNED_OUT, reason);
  ld_requests_fail_waiting (self->requests, LD_SESSION_ERROR, LD_SESSION_ERROR_SIGNED_OUT, reason);
  fail_tasks (&self->joins, LD_SESSION_ERROR, LD_SESSION_ERROR_SIGNED_OUT, reason);
}

static void
on_reconnect_attempt (LdReconnect *reconnect,
                      guint        attempt,
                      LdSession   *self)
{
  g_autofree char *reason = g_strdup_printf (_("Reconnecting to %s (attempt %u)"), self->server_url, attempt);

  set_state (self, LD_SESSION_STATE_CONNECTING, reason);
  sio_client_connect (self->client);
}

/* A network fault never ends the session: attempts go on, further apart up
 * to the cap, for as long as the user is signed in. */
static void
schedule_reconnect (LdSession  *self,
                    const char *why)
{
  g_autofree char *reason = NULL;
  guint attempt;

  if (!self->wants_connection || ld_reconnect_get_scheduled (self->reconnect))
    return;

  g_clear_handle_id (&self->ping_source, g_source_remove);
  /* Only a one-shot caller (the CLI) asks to stop. */
  attempt = ld_reconnect_get_attempt (self->reconnect);
  if (self->give_up_after != 0 && attempt >= self->give_up_after)
    {
      reason = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "Could not reach the server after %u attempt: %s",
                                             "Could not reach the server after %u attempts: %s",
                                             attempt),
                                attempt, why);
      go_offline (self, reason);
      return;
    }

  ld_reconnect_failure (self->reconnect);
  /* The guide's attempts are where the app says so, not where it stops. */
  if (ld_reconnect_get_having_trouble (self->reconnect))
    reason = g_strdup_printf (_("Having trouble reaching the server: %s"), why);
  else
    reason = g_strdup_printf (_("Connection lost: %s"), why);
  set_state (self, LD_SESSION_STATE_RECONNECTING, reason);
}

void
ld_session_reconnect_now (LdSession *self)
{
  g_return_if_fail (LD_IS_SESSION (self));

  if (self->state == LD_SESSION_STATE_SIGNED_OUT || self->client == NULL)
    return;
  if (self->state == LD_SESSION_STATE_OFFLINE)
    ld_session_connect (self);
  /* Fires a waiting attempt; ::retry-now then hurries the refresh. */
  ld_reconnect_now (self->reconnect);
}

/* The schedule's countdown and trouble are the session's properties. */
static void
on_reconnect_notify (LdReconnect *reconnect,
                     GParamSpec  *pspec,
                     LdSession   *self)
{
  if (g_str_equal (pspec->name, "reconnect-in"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECONNECT_IN]);
  else
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAVING_TROUBLE]);
}

/* Whatever else waits on the network: a refresh goes now too. */
static void
on_reconnect_retry_now (LdReconnect *reconnect,
                        LdSession   *self)
{
  ld_token_refresh_retry_now (self->refresher);
}

void
_ld_session_network_changed (LdSession *self,
                             gboolean   available)
{
  g_return_if_fail (LD_IS_SESSION (self));

  ld_reconnect_network_changed (self->reconnect, available);
}

void
_ld_session_set_network_monitor (LdSession       *self,
                                 GNetworkMonitor *monitor)
{
  g_return_if_fail (LD_IS_SESSION (self));
  g_return_if_fail (G_IS_NETWORK_MONITOR (monitor));

  ld_reconnect_set_network_monitor (self->reconnect, monitor);
}

static gboolean
on_ping_due (gpointer user_data)
{
  LdSession *self = user_data;
  g_autofree char *timestamp = now_iso8601 ();
  GHashTableIter iter;
  gpointer room;
  gboolean any = FALSE;

  if (self->state != LD_SESSION_STATE_ONLINE)
    return G_SOURCE_CONTINUE;

  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, NULL, &room))
    {
      g_autoptr(JsonObject) payload = NULL;
      g_autoptr(JsonArray) args = NULL;

      if (!ld_room_get_joined (room))
        continue;
      any = TRUE;
      payload = json_object_new ();
      json_object_set_string_member (payload, "roomId", ld_room_get_id (room));
      json_object_set_string_member (payload, "userId", self->user_id);
      json_object_set_string_member (payload, "username", self->username);
      json_object_set_string_member (payload, "timestamp", timestamp);
      args = args_for (payload);
      sio_client_emit (self->client, "viewerPing", args, NULL, SIO_EMIT_VOLATILE, NULL);
    }
  /* Out of every room: no more pings until the next join. */
  if (!any)
    {
      self->ping_source = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
ensure_pinging (LdSession *self)
{
  if (self->ping_source == 0)
    self->ping_source = g_timeout_add_seconds (self->ping_interval, on_ping_due, self);
}

/* The API's part of the health, and with the socket's the whole. */
static void
on_health_notify (LdHealth   *health,
                  GParamSpec *pspec,
                  LdSession  *self)
{
  if (g_str_equal (pspec->name, "redis-state"))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REDIS_STATE]);
      return;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_API_HEALTHY]);
  if (self->socket_healthy)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HEALTHY]);
}

void
ld_session_check_health (LdSession *self)
{
  g_return_if_fail (LD_IS_SESSION (self));

  ld_health_check (self->health);
}

static void
become_online (LdSession *self)
{
  set_state (self, LD_SESSION_STATE_ONLINE, NULL);
  ld_reconnect_success (self->reconnect);

  /* Every room re-joins by itself. */
  {
    GHashTableIter iter;
    gpointer room;

    g_hash_table_iter_init (&iter, self->rooms);
    while (g_hash_table_iter_next (&iter, NULL, &room))
      if (!ld_room_get_joined (room) && !ld_room_get_banned (room))
        send_join (self, room);
  }
  _ld_outbox_flush (self->outbox);
  run_waiting (self);
}

/* Events */

static void
apply_auth_success (LdSession  *self,
                    JsonObject *payload)
{
  const char *user_id = json_object_get_string_member_with_default (payload, "userId", NULL);
  const char *username = json_object_get_string_member_with_default (payload, "username", user_id);
  LdRole role = ld_role_from_string (json_object_get_string_member_with_default (payload, "role", NULL));

  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->user_id, user_id, PROP_USER_ID);
  set_string (self, &self->username, username, PROP_USERNAME);
  if (self->role != role)
    {
      self->role = role;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROLE]);
    }
  g_object_thaw_notify (G_OBJECT (self));
  _ld_support_set_account (self->support, self->role, self->user_id, self->username);

  {
    GHashTableIter iter;
    gpointer room;

    g_hash_table_iter_init (&iter, self->rooms);
    while (g_hash_table_iter_next (&iter, NULL, &room))
      _ld_room_set_own_user (room, self->user_id);
  }

  self->refreshed_after_refusal = FALSE;
  if (self->state != LD_SESSION_STATE_ONLINE)
    {
      become_online (self);
      _ld_support_sync (self->support);
    }
}

static void
apply_auth_failed (LdSession  *self,
                   JsonObject *payload)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) args = json_array_new ();
  g_autoptr(JsonObject) data = NULL;
  g_autofree char *reason = NULL;

  if (ld_token_refresh_is_running (self->refresher))
    return;

  json_array_add_object_element (args, json_object_ref (payload));
  read_envelope (args, &data, &error);

  if (self->tokens != NULL && self->tokens->refresh_token != NULL && !self->refreshed_after_refusal)
    {
      self->refreshed_after_refusal = TRUE;
      start_refresh (self);
      return;
    }

  reason = g_strdup_printf (_("The server refused the sign-in: %s"),
                            error != NULL ? error->message : _("no reason given"));
  sign_out (self, reason);
}

/* The user's timeout in a room they left. */
typedef struct
{
  GDateTime *until;
  char      *reason;
} Kept;

static void
kept_free (gpointer data)
{
  Kept *kept = data;

  g_date_time_unref (kept->until);
  g_free (kept->reason);
  g_free (kept);
}

static void
settle_joins (LdSession  *self,
              const char *room_id,
              GError     *error)
{
  GList *l = self->joins.head;

  while (l != NULL)
    {
      GList *next = l->next;
      GTask *task = l->data;

      if (room_id == NULL || g_strcmp0 (g_task_get_task_data (task), room_id) == 0)
        {
          g_queue_delete_link (&self->joins, l);
          if (error != NULL)
            g_task_return_error (task, g_error_copy (error));
          else
            g_task_return_boolean (task, TRUE);
          g_object_unref (task);
        }
      l = next;
    }
}

static LdRoom *
lookup_room (LdSession  *self,
             const char *room_id)
{
  return room_id != NULL ? g_hash_table_lookup (self->rooms, room_id) : NULL;
}

static void
apply_joined (LdSession  *self,
              JsonObject *envelope)
{
  JsonNode *node = json_object_get_member (envelope, "data");
  JsonObject *data;
  LdRoom *room;

  if (!json_object_get_boolean_member_with_default (envelope, "success", FALSE) ||
      node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  data = json_node_get_object (node);
  room = lookup_room (self, json_object_get_string_member_with_default (data, "roomId", NULL));
  if (room == NULL)
    return;

  _ld_room_apply_joined (room, data);
  ensure_pinging (self);
  settle_joins (self, ld_room_get_id (room), NULL);
  _ld_outbox_flush (self->outbox);
}

/* joinRoomError, or a refusal in the join's ack: for ROOM_ID, or every
 * room being joined when the refusal does not say which. */
static void
fail_joins (LdSession  *self,
            const char *room_id,
            JsonObject *envelope)
{
  g_autoptr(JsonArray) args = json_array_new ();
  g_autoptr(JsonObject) data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) refused = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer room;

  json_array_add_object_element (args, json_object_ref (envelope));
  if (read_envelope (args, &data, &error))
    return;

  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, NULL, &room))
    if (_ld_room_get_joining (room) && (room_id == NULL || g_strcmp0 (ld_room_get_id (room), room_id) == 0))
      g_ptr_array_add (refused, g_object_ref (room));

  for (guint i = 0; i < refused->len; i++)
    {
      LdRoom *item = g_ptr_array_index (refused, i);

      _ld_room_set_joining (item, FALSE);
      /* Refused for want of a token: joined again once signed in. */
      if (g_error_matches (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_UNAUTHENTICATED) ||
          g_error_matches (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_TOKEN_EXPIRED))
        continue;
      settle_joins (self, ld_room_get_id (item), error);
      /* A room that will not have us is not re-joined after a reconnect;
       * one that banned us stays as the user last saw it. */
      if (!ld_room_get_joined (item) && !ld_room_get_banned (item))
        drop_room (self, item, FALSE);
    }
}

static void
on_room_message (LdSession *self,
                 LdMessage *message,
                 LdRoom    *room)
{
  g_signal_emit (self, signals[MESSAGE_RECEIVED], 0, message);
}

static void
on_room_status (LdSession  *self,
                const char *status,
                LdRoom     *room)
{
  g_signal_emit (self, signals[STREAM_STATUS_CHANGED], 0, room, status);
}

static void
on_room_gift (LdSession   *self,
              LdGift      *gift,
              LdGiftQueue *queue)
{
  g_signal_emit (self, signals[GIFT_RECEIVED], 0, gift);
}

static LdRoom *
add_room (LdSession  *self,
          const char *room_id)
{
  LdRoom *room = _ld_room_new (room_id);
  Kept *kept = g_hash_table_lookup (self->kept_sanctions, room_id);

  ld_chat_model_set_outbox (ld_room_get_chat (room), self->outbox);
  _ld_room_set_session (room, G_OBJECT (self));

  if (kept != NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      if (g_date_time_compare (kept->until, now) > 0)
        _ld_room_set_sanction (room, LD_SANCTION_TIMED_OUT, kept->until, kept->reason);
      g_hash_table_remove (self->kept_sanctions, room_id);
    }

  _ld_room_set_own_user (room, self->user_id != NULL ? self->user_id : self->token_user_id);
  g_signal_connect_object (room, "message-received", G_CALLBACK (on_room_message), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (room, "stream-status-changed", G_CALLBACK (on_room_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (ld_room_get_gifts (room), "gift-received", G_CALLBACK (on_room_gift), self,
                           G_CONNECT_SWAPPED);
  g_hash_table_replace (self->rooms, g_strdup (room_id), room);
  return room;
}

/* The room the app shows. */
static void
set_current (LdSession *self,
             LdRoom    *room)
{
  if (room == NULL)
    room = self->lobby;
  if (self->current == room)
    return;
  g_set_object (&self->current, room);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_ROOM]);
}

/* A room's event reaches that room, if the session is in it. */
static void
dispatch_to_room (LdSession         *self,
                  const LdEventInfo *info,
                  JsonObject        *payload,
                  JsonObject        *fields)
{
  LdRoom *room = lookup_room (self, ld_event_get_room_id (fields));

  if (room == NULL)
    return;

  switch (info->event)
    {
    case LD_EVENT_NEW_MESSAGE:
      {
        g_autoptr(LdMessage) message = ld_message_new_from_json (fields, NULL);

        if (message != NULL)
          _ld_room_receive_message (room, message);
      }
      break;
    case LD_EVENT_CHAT_MESSAGE_FROM_BACKEND:
      {
        g_autoptr(LdMessage) message = ld_message_new_from_backend (payload, NULL);

        if (message != NULL)
          _ld_room_receive_message (room, message);
      }
      break;
    case LD_EVENT_NEW_GIFT:
    case LD_EVENT_GIFT_FROM_BACKEND:
      {
        g_autoptr(LdGift) gift = info->event == LD_EVENT_NEW_GIFT ? ld_gift_new_from_json (fields, NULL)
                                                                  : ld_gift_new_from_backend (payload, NULL);

        if (gift != NULL)
          _ld_room_receive_gift (room, gift);
      }
      break;
    case LD_EVENT_USER_JOINED:
    case LD_EVENT_USER_LEFT:
      if (ld_room_get_joined (room))
        _ld_room_apply_people (room, info->event, fields);
      break;
    case LD_EVENT_ROOM_UPDATE:
      _ld_room_apply_update (room, fields);
      break;
    case LD_EVENT_VIEWER_PONG:
      _ld_room_apply_count (room, fields);
      break;
    case LD_EVENT_MESSAGE_DELETED:
      _ld_room_apply_deleted (room, fields);
      break;
    case LD_EVENT_USER_TIMED_OUT:
    case LD_EVENT_USER_BANNED:
    case LD_EVENT_USER_UNBANNED:
      /* Out by a ban: what was waiting for this room will not go. */
      if (_ld_room_apply_sanction (room, info->event, fields))
        drop_room (self, room, TRUE);
      break;
    default:
      break;
    }
}

void
_ld_session_enter_room (LdSession  *self,
                        const char *room_id)
{
  LdRoom *room;

  g_return_if_fail (LD_IS_SESSION (self));
  g_return_if_fail (room_id != NULL);

  room = lookup_room (self, room_id);
  if (room == NULL)
    room = add_room (self, room_id);
  _ld_room_set_joined (room, TRUE);
  set_current (self, room);
}

void
_ld_session_handle_event (LdSession  *self,
                          const char *event,
                          JsonNode   *node)
{
  const LdEventInfo *info;
  JsonObject *payload = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonObject *fields;

  g_return_if_fail (LD_IS_SESSION (self));

  if (node != NULL)
    g_signal_emit (self, signals[EVENT], g_quark_from_string (event), event, node);

  if (payload == NULL)
    return;

  info = ld_event_lookup (event);
  if (info == NULL)
    {
      /* A request's reply (roomInfo, giftSent, …Error). */
      ld_requests_settle_by_event (self->requests, event, node);
      return;
    }

  fields = ld_event_read (info, node);
  /* A room's events go to that room; one the session is not in (a late
   * one after leaving, a gift relayed to every socket) is ignored. */
  if (info->in_room && info->event != LD_EVENT_JOINED_ROOM)
    {
      dispatch_to_room (self, info, payload, fields);
      return;
    }

  switch (info->event)
    {
    case LD_EVENT_AUTH_SUCCESS:
      apply_auth_success (self, payload);
      break;
    case LD_EVENT_AUTH_FAILED:
      apply_auth_failed (self, payload);
      break;
    case LD_EVENT_TOKEN_EXPIRED:
      start_refresh (self);
      break;
    case LD_EVENT_AUTH_REQUIRED:
      /* Something went out before the server knew us (or after our token
       * lapsed): sign in again; refused requests are retried once online. */
      if (!ld_token_refresh_is_running (self->refresher))
        send_authenticate (self);
      break;
    case LD_EVENT_JOINED_ROOM:
      apply_joined (self, payload);
      break;
    /* The table's reader says where their fields are, as for a room's. */
    case LD_EVENT_NOTIFICATION:
    case LD_EVENT_SYSTEM_NOTIFICATION:
      if (fields != NULL)
        ld_notification_model_add_from_json (self->notifications, fields,
                                             info->event == LD_EVENT_SYSTEM_NOTIFICATION ? LD_NOTIFICATION_SOURCE_SYSTEM
                                                                                         : LD_NOTIFICATION_SOURCE_USER,
                                             NULL);
      break;
    case LD_EVENT_NOTIFICATION_UPDATE:
      if (fields != NULL)
        ld_notification_model_apply_update (self->notifications, fields, NULL);
      break;
    case LD_EVENT_TICKET_MESSAGE:
    case LD_EVENT_TICKET_UPDATE:
    case LD_EVENT_ADMIN_CHAT:
    case LD_EVENT_ADMIN_MESSAGE:
      _ld_support_handle_event (self->support, info->event, payload);
      break;
    case LD_EVENT_MESSAGE_SENT:
    case LD_EVENT_SEND_MESSAGE_ERROR:
      _ld_outbox_settle (self->outbox, node);
      break;
    case LD_EVENT_JOIN_ROOM_ERROR:
      fail_joins (self, NULL, payload);
      break;
    case LD_EVENT_UNKNOWN:
    case N_LD_EVENTS:
    default:
      ld_requests_settle_by_event (self->requests, event, node);
      break;
    }
}

static void
on_client_event (SioClient    *client,
                 const char   *nsp,
                 const char   *event,
                 JsonArray    *args,
                 GPtrArray    *attachments,
                 SioClientAck *ack,
                 gpointer      user_data)
{
  LdSession *self = user_data;
  JsonNode *first = args != NULL && json_array_get_length (args) > 0 ? json_array_get_element (args, 0) : NULL;
  g_autoptr(LdSession) hold = g_object_ref (self);

  _ld_session_handle_event (self, event, first);
}

static void
on_client_connect (SioClient  *client,
                   const char *nsp,
                   gpointer    user_data)
{
  LdSession *self = user_data;

  out_of_rooms (self);
  set_state (self, LD_SESSION_STATE_AUTHENTICATING, _("Signing in"));
  send_authenticate (self);
}

static void
on_client_disconnect (SioClient           *client,
                      const char          *nsp,
                      SioDisconnectReason  reason,
                      const char          *reason_text,
                      gpointer             user_data)
{
  LdSession *self = user_data;
  g_autofree char *why = NULL;

  out_of_rooms (self);
  if (reason == SIO_DISCONNECT_IO_CLIENT_DISCONNECT)
    return;

  if (reason == SIO_DISCONNECT_IO_SERVER_DISCONNECT)
    why = g_strdup (_("the server closed the connection"));
  else
    why = g_strdup (reason_text);

  schedule_reconnect (self, why);
}

static void
on_client_connect_error (SioClient  *client,
                         const char *nsp,
                         const char *message,
                         JsonNode   *data,
                         gpointer    user_data)
{
  schedule_reconnect (user_data, message);
}

static JsonNode *
get_auth (SioClient  *client,
          const char *nsp,
          gpointer    user_data)
{
  LdSession *self = user_data;
  g_autoptr(JsonObject) auth = NULL;

  if (self->tokens == NULL)
    return NULL;

  auth = json_object_new ();
  json_object_set_string_member (auth, "token", self->tokens->access_token);
  return json_node_init_object (json_node_alloc (), auth);
}

static void
ensure_client (LdSession *self)
{
  if (self->client != NULL)
    return;

  self->client = sio_client_new (self->server_url, self->path);
  /* The session reconnects itself, so it can say when the next try is. */
  g_object_set (self->client,
                "reconnection", FALSE,
                "connect-timeout", LD_SESSION_CONNECT_TIMEOUT_MS,
                NULL);
  sio_client_set_auth_func (self->client, get_auth, self, NULL);
  g_signal_connect (self->client, "connect", G_CALLBACK (on_client_connect), self);
  g_signal_connect (self->client, "disconnect", G_CALLBACK (on_client_disconnect), self);
  g_signal_connect (self->client, "connect-error", G_CALLBACK (on_client_connect_error), self);
  g_signal_connect (self->client, "event", G_CALLBACK (on_client_event), self);
  ld_requests_set_client (self->requests, self->client);
}

/* Refresh */

static void
on_refreshed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdTokens) tokens = ld_token_refresh_run_finish (LD_TOKEN_REFRESH (source), result, &error);
  LdSession *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self = LD_SESSION (user_data);

  /* The refresher retries every fault; what comes back is the server
   * saying no (401), which ends the session. */
  if (tokens == NULL)
    {
      g_autofree char *reason = g_strdup_printf (_("Your session ended and could not be renewed: %s"),
                                                 error->message);

      sign_out (self, reason);
      return;
    }

  {
    gboolean refusal = self->refreshed_after_refusal;

    adopt_tokens (self, tokens);
    self->refreshed_after_refusal = refusal;
  }
  g_signal_emit (self, signals[TOKENS_CHANGED], 0, self->tokens);

  /* The same connection signs in again; the server keeps its rooms. */
  if (self->client != NULL && self->state != LD_SESSION_STATE_OFFLINE &&
      self->state != LD_SESSION_STATE_RECONNECTING && self->state != LD_SESSION_STATE_CONNECTING &&
      self->state != LD_SESSION_STATE_SIGNED_OUT)
    send_authenticate (self);
}

/* A refresh failed on the network and waits DELAY_MS: say so, unless the
 * connection's own state already says more. */
static void
on_refresh_retrying (LdSession    *self,
                     guint         delay,
                     const GError *error)
{
  g_autofree char *reason = NULL;

  if (self->state == LD_SESSION_STATE_SIGNED_OUT || self->state == LD_SESSION_STATE_OFFLINE ||
      self->state == LD_SESSION_STATE_RECONNECTING || self->state == LD_SESSION_STATE_CONNECTING)
    return;
  reason = g_strdup_printf (_("Could not renew the session, trying again in %u s: %s"), (delay + 999) / 1000,
                            error->message);
  set_state (self, LD_SESSION_STATE_AUTHENTICATING, reason);
}

static void
start_refresh (LdSession *self)
{
  if (ld_token_refresh_is_running (self->refresher))
    return;

  if (self->tokens == NULL || self->tokens->refresh_token == NULL)
    {
      sign_out (self, _("Your session ended; sign in again"));
      return;
    }

  if (self->state == LD_SESSION_STATE_ONLINE)
    set_state (self, LD_SESSION_STATE_AUTHENTICATING, _("Renewing the session"));
  ld_token_refresh_run_async (self->refresher, self->tokens->refresh_token, self->cancellable, on_refreshed, self);
}

/* Rooms */

typedef struct
{
  LdSession *self;
  LdRoom    *room;
} Joining;

static void
on_join_acked (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Joining *joining = user_data;
  g_autoptr(LdRoom) room = joining->room;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) args = sio_client_emit_with_ack_finish (SIO_CLIENT (source), result, NULL, &error);
  LdSession *self = joining->self;
  JsonNode *first;

  g_free (joining);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* The joinedRoom or joinRoomError event came first and settled it, or
   * the room was left meanwhile. */
  if (!_ld_room_get_joining (room) || lookup_room (self, ld_room_get_id (room)) != room)
    return;

  if (args == NULL)
    {
      /* The connection went (the next connect joins again) or the server
       * does not answer acks and sent no event either. */
      _ld_room_set_joining (room, FALSE);
      return;
    }

  first = json_array_get_length (args) > 0 ? json_array_get_element (args, 0) : NULL;
  if (first == NULL || !JSON_NODE_HOLDS_OBJECT (first))
    {
      g_autoptr(JsonObject) envelope = json_object_new ();
      g_autoptr(JsonObject) data = json_object_new ();

      json_object_set_string_member (data, "roomId", ld_room_get_id (room));
      json_object_set_boolean_member (envelope, "success", TRUE);
      json_object_set_object_member (envelope, "data", g_steal_pointer (&data));
      apply_joined (self, envelope);
    }
  else if (json_object_get_boolean_member_with_default (json_node_get_object (first), "success", TRUE))
    {
      JsonObject *envelope = json_node_get_object (first);
      JsonNode *data = json_object_get_member (envelope, "data");

      /* An ack whose data does not name the room is still this room's. */
      if (data == NULL || !JSON_NODE_HOLDS_OBJECT (data) ||
          !json_object_has_member (json_node_get_object (data), "roomId"))
        {
          g_autoptr(JsonObject) named = json_object_new ();
          g_autoptr(JsonObject) fields = data != NULL && JSON_NODE_HOLDS_OBJECT (data)
                                         ? json_object_ref (json_node_get_object (data)) : json_object_new ();

          json_object_set_string_member (fields, "roomId", ld_room_get_id (room));
          json_object_set_boolean_member (named, "success", TRUE);
          json_object_set_object_member (named, "data", g_steal_pointer (&fields));
          apply_joined (self, named);
        }
      else
        apply_joined (self, envelope);
    }
  else
    fail_joins (self, ld_room_get_id (room), json_node_get_object (first));
}

static void
send_join (LdSession *self,
           LdRoom    *room)
{
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autoptr(JsonArray) args = NULL;
  Joining *joining;

  if (_ld_room_get_joining (room) || ld_room_get_joined (room) || self->state != LD_SESSION_STATE_ONLINE)
    return;

  _ld_room_set_joining (room, TRUE);
  json_object_set_string_member (payload, "roomId", ld_room_get_id (room));
  if (self->user_id != NULL)
    json_object_set_string_member (payload, "userId", self->user_id);
  if (self->username != NULL)
    json_object_set_string_member (payload, "username", self->username);
  json_object_set_string_member (payload, "role", ld_role_to_string (self->role));
  args = args_for (payload);
  joining = g_new0 (Joining, 1);
  joining->self = self;
  joining->room = g_object_ref (room);
  sio_client_emit_with_ack_async (self->client, "joinRoom", args, NULL, LD_SESSION_REQUEST_TIMEOUT_MS,
                                  self->cancellable, on_join_acked, joining);
}

/* Out of ROOM: by a ban, the room stays (its chat as the user saw it up to
 * the ban, behind the composer that says why) and is not re-joined; else
 * it goes. */
static void
drop_room (LdSession *self,
           LdRoom    *room,
           gboolean   banned)
{
  g_autoptr(LdRoom) hold = g_object_ref (room);
  g_autoptr(GError) error = g_error_new_literal (LD_SESSION_ERROR, LD_SESSION_ERROR_NOT_IN_ROOM,
                                                 banned ? _("You were banned from the room")
                                                        : _("Left the room"));

  ld_outbox_fail_room (self->outbox, ld_room_get_id (room),
                       banned ? _("You were banned from the room before this was sent")
                              : _("You left the room before this was sent"));
  settle_joins (self, ld_room_get_id (room), error);
  _ld_room_clear (room, banned);
  /* A banned room stays, its "banned" property says so. */
  if (banned)
    return;

  /* A timeout holds in its room even for one who leaves and comes back. */
  if (ld_room_get_sanction (room) == LD_SANCTION_TIMED_OUT && ld_room_get_sanction_until (room) != NULL)
    {
      Kept *kept = g_new0 (Kept, 1);

      kept->until = g_date_time_ref (ld_room_get_sanction_until (room));
      kept->reason = g_strdup (ld_room_get_sanction_reason (room));
      g_hash_table_replace (self->kept_sanctions, g_strdup (ld_room_get_id (room)), kept);
    }
  g_hash_table_remove (self->rooms, ld_room_get_id (room));
  if (room == self->current)
    set_current (self, NULL);
}

void
ld_session_join_room_async (LdSession           *self,
                            const char          *room_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LdRoom *room;

  g_return_if_fail (LD_IS_SESSION (self));
  g_return_if_fail (room_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_session_join_room_async);
  g_task_set_task_data (task, g_strdup (room_id), g_free);

  {
    g_autoptr(GError) validation = NULL;
    g_autoptr(GError) error = NULL;

    if (!ld_validate_room_id (room_id, &validation))
      {
        _ld_outbox_contract_error (&error, validation, 0);
        g_task_return_error (task, g_steal_pointer (&error));
        return;
      }
  }

  if (self->state == LD_SESSION_STATE_SIGNED_OUT)
    {
      g_task_return_new_error (task, LD_SESSION_ERROR, LD_SESSION_ERROR_SIGNED_OUT, "%s", self->state_reason);
      return;
    }
  if (!self->wants_connection)
    {
      g_task_return_new_error (task, LD_SESSION_ERROR, LD_SESSION_ERROR_NETWORK, "%s", _("Not connected"));
      return;
    }

  room = lookup_room (self, room_id);
  if (room == NULL)
    room = add_room (self, room_id);
  /* Back to a room that banned us: asking is all we can do; its chat stays
   * as it was unless it lets us in. */
  set_current (self, room);

  if (ld_room_get_joined (room))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_queue_push_tail (&self->joins, g_steal_pointer (&task));
  send_join (self, room);
}

gboolean
ld_session_join_room_finish (LdSession     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ld_session_leave (LdSession  *self,
                  const char *room_id)
{
  LdRoom *room;

  g_return_if_fail (LD_IS_SESSION (self));
  g_return_if_fail (room_id != NULL);

  room = lookup_room (self, room_id);
  if (room == NULL)
    return;

  if (self->client != NULL && self->state == LD_SESSION_STATE_ONLINE && !ld_room_get_banned (room))
    {
      g_autoptr(JsonObject) payload = json_object_new ();
      g_autoptr(JsonArray) args = NULL;

      json_object_set_string_member (payload, "roomId", room_id);
      args = args_for (payload);
      sio_client_emit (self->client, "leaveRoom", args, NULL, SIO_EMIT_VOLATILE, NULL);
    }

  drop_room (self, room, FALSE);
}

void
ld_session_leave_room (LdSession *self)
{
  g_return_if_fail (LD_IS_SESSION (self));

  if (self->current != self->lobby)
    ld_session_leave (self, ld_room_get_id (self->current));
}

LdRoom *
ld_session_get_room (LdSession  *self,
                     const char *room_id)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);

  return lookup_room (self, room_id);
}

LdRoom *
ld_session_get_current_room (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);

  return self->current != self->lobby ? self->current : NULL;
}

GPtrArray *
ld_session_list_rooms (LdSession *self)
{
  GPtrArray *rooms = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer room;

  g_return_val_if_fail (LD_IS_SESSION (self), rooms);

  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, NULL, &room))
    g_ptr_array_add (rooms, g_object_ref (room));
  return rooms;
}

/* Chat and the outbox */

/* What the outbox asks of the session. */

static SioClient *
outbox_get_client (gpointer session)
{
  return ((LdSession *) session)->client;
}

static gboolean
outbox_is_online (gpointer session)
{
  return ((LdSession *) session)->state == LD_SESSION_STATE_ONLINE;
}

static gboolean
outbox_is_signed_out (gpointer     session,
                      const char **reason)
{
  LdSession *self = session;

  *reason = self->state_reason;
  return self->state == LD_SESSION_STATE_SIGNED_OUT;
}

static LdRoom *
outbox_lookup_room (gpointer    session,
                    const char *room_id)
{
  return lookup_room (session, room_id);
}

static void
outbox_get_user (gpointer     session,
                 const char **user_id,
                 const char **username,
                 LdRole      *role,
                 const char **own_id)
{
  LdSession *self = session;

  *user_id = self->user_id;
  *username = self->username;
  *role = self->role;
  *own_id = self->user_id != NULL ? self->user_id : self->token_user_id;
}

static const LdOutboxHost outbox_host = {
  outbox_get_client,
  outbox_is_online,
  outbox_is_signed_out,
  outbox_lookup_room,
  outbox_get_user,
};

LdOutbox *
ld_session_get_outbox (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);

  return self->outbox;
}

/* What a room or the support desk asks of its session */

gboolean
_ld_session_get_sender (LdSession   *self,
                        const char **user_id,
                        const char **username)
{
  const char *id;

  g_return_val_if_fail (LD_IS_SESSION (self), FALSE);

  id = self->user_id != NULL ? self->user_id : self->token_user_id;
  if (user_id != NULL)
    *user_id = id;
  if (username != NULL)
    *username = self->username != NULL ? self->username : id;
  return id != NULL;
}



/* The object */

static void
ld_session_dispose (GObject *object)
{
  LdSession *self = LD_SESSION (object);
  GTask *task;

  g_cancellable_cancel (self->cancellable);
  stop_timers (self);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->refresher != NULL)
    ld_token_refresh_stop (self->refresher);
  /* Both stay until finalize, so the getters answer to the end. */
  g_signal_handlers_disconnect_by_data (self->reconnect, self);
  ld_reconnect_stop (self->reconnect);
  if (self->health != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->health, self);
      ld_health_stop (self->health);
    }

  if (self->requests != NULL)
    ld_requests_close (self->requests, _("The session was closed"));
  while ((task = g_queue_pop_head (&self->joins)) != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", _("The session was closed"));
      g_object_unref (task);
    }
  if (self->outbox != NULL)
    _ld_outbox_detach (self->outbox);

  if (self->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->client, self);
      sio_client_disconnect (self->client);
      g_clear_object (&self->client);
    }

  g_clear_object (&self->refresher);
  g_clear_object (&self->requests);
  g_clear_object (&self->rest);
  if (self->rooms != NULL)
    {
      GHashTableIter iter;
      gpointer room;

      g_hash_table_iter_init (&iter, self->rooms);
      while (g_hash_table_iter_next (&iter, NULL, &room))
        g_signal_handlers_disconnect_by_data (ld_room_get_gifts (room), self);
    }
  g_clear_object (&self->current);
  g_clear_pointer (&self->rooms, g_hash_table_unref);
  g_clear_pointer (&self->kept_sanctions, g_hash_table_unref);
  g_clear_object (&self->lobby);
  g_clear_object (&self->notifications);
  g_clear_object (&self->support);
  g_clear_object (&self->outbox);

  G_OBJECT_CLASS (ld_session_parent_class)->dispose (object);
}

static void
ld_session_finalize (GObject *object)
{
  LdSession *self = LD_SESSION (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->reconnect);
  g_clear_object (&self->health);
  g_clear_pointer (&self->tokens, ld_tokens_free);
  g_free (self->token_user_id);
  g_free (self->server_url);
  g_free (self->api_url);
  g_free (self->path);
  g_free (self->state_reason);
  g_free (self->user_id);
  g_free (self->username);

  G_OBJECT_CLASS (ld_session_parent_class)->finalize (object);
}

static void
ld_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  LdSession *self = LD_SESSION (object);

  switch (prop_id)
    {
    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;
    case PROP_API_URL:
      g_value_set_string (value, self->api_url);
      break;
    case PROP_RECONNECT_ATTEMPTS:
      g_value_set_uint (value, self->reconnect_attempts);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_STATE_REASON:
      g_value_set_string (value, self->state_reason);
      break;
    case PROP_RECONNECT_IN:
      g_value_set_uint (value, ld_session_get_reconnect_in (self));
      break;
    case PROP_USER_ID:
      g_value_set_string (value, self->user_id);
      break;
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_ROLE:
      g_value_set_enum (value, self->role);
      break;
    case PROP_HAVING_TROUBLE:
      g_value_set_boolean (value, ld_session_get_having_trouble (self));
      break;
    case PROP_REDIS_STATE:
      g_value_set_enum (value, ld_session_get_redis_state (self));
      break;
    case PROP_CURRENT_ROOM:
      g_value_set_object (value, ld_session_get_current_room (self));
      break;
    case PROP_SOCKET_HEALTHY:
      g_value_set_boolean (value, self->socket_healthy);
      break;
    case PROP_API_HEALTHY:
      g_value_set_boolean (value, ld_session_get_api_healthy (self));
      break;
    case PROP_HEALTHY:
      g_value_set_boolean (value, ld_session_get_healthy (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_session_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  LdSession *self = LD_SESSION (object);

  switch (prop_id)
    {
    case PROP_SERVER_URL:
      self->server_url = g_value_dup_string (value);
      break;
    case PROP_API_URL:
      self->api_url = g_value_dup_string (value);
      break;
    case PROP_RECONNECT_ATTEMPTS:
      ld_session_set_reconnect_attempts (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_session_constructed (GObject *object)
{
  LdSession *self = LD_SESSION (object);

  G_OBJECT_CLASS (ld_session_parent_class)->constructed (object);

  if (self->server_url == NULL)
    self->server_url = g_strdup (LD_SESSION_DEFAULT_SERVER_URL);
  if (self->api_url == NULL)
    self->api_url = g_strdup (LD_SESSION_DEFAULT_API_URL);
  self->rest = ld_rest_client_new (self->api_url);
  self->refresher = ld_token_refresh_new (self->rest, NULL);
  ld_token_refresh_set_schedule (self->refresher, LD_SESSION_REFRESH_RETRY_DELAY_MS,
                                 LD_SESSION_REFRESH_RETRY_DELAY_MAX_MS, LD_RECONNECT_DELAY_MS,
                                 LD_RECONNECT_DELAY_MAX_MS);
  g_signal_connect_object (self->refresher, "retrying", G_CALLBACK (on_refresh_retrying), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect (self->reconnect, "retry-now", G_CALLBACK (on_reconnect_retry_now), self);
  self->health = ld_health_new (self->rest, NULL);
  ld_health_set_schedule (self->health, LD_SESSION_HEALTH_INTERVAL_S * 1000, LD_HEALTH_TIMEOUT_MS);
  g_signal_connect (self->health, "notify::api-healthy", G_CALLBACK (on_health_notify), self);
  g_signal_connect (self->health, "notify::redis-state", G_CALLBACK (on_health_notify), self);
}

static void
ld_session_class_init (LdSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = ld_session_dispose;
  object_class->finalize = ld_session_finalize;
  object_class->get_property = ld_session_get_property;
  object_class->set_property = ld_session_set_property;
  object_class->constructed = ld_session_constructed;

  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_API_URL] =
    g_param_spec_string ("api-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RECONNECT_ATTEMPTS] =
    g_param_spec_uint ("reconnect-attempts", NULL, NULL, 0, G_MAXUINT, LD_SESSION_DEFAULT_RECONNECT_ATTEMPTS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, LD_TYPE_SESSION_STATE, LD_SESSION_STATE_OFFLINE, ro);
  properties[PROP_STATE_REASON] = g_param_spec_string ("state-reason", NULL, NULL, NULL, ro);
  properties[PROP_RECONNECT_IN] = g_param_spec_uint ("reconnect-in", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_USER_ID] = g_param_spec_string ("user-id", NULL, NULL, NULL, ro);
  properties[PROP_USERNAME] = g_param_spec_string ("username", NULL, NULL, NULL, ro);
  properties[PROP_ROLE] = g_param_spec_enum ("role", NULL, NULL, LD_TYPE_ROLE, LD_ROLE_VIEWER, ro);
  properties[PROP_SOCKET_HEALTHY] = g_param_spec_boolean ("socket-healthy", NULL, NULL, FALSE, ro);
  properties[PROP_API_HEALTHY] = g_param_spec_boolean ("api-healthy", NULL, NULL, FALSE, ro);
  properties[PROP_HEALTHY] = g_param_spec_boolean ("healthy", NULL, NULL, FALSE, ro);
  properties[PROP_HAVING_TROUBLE] = g_param_spec_boolean ("having-trouble", NULL, NULL, FALSE, ro);
  /* The room the app shows: the last joined, NULL in none. */
  properties[PROP_CURRENT_ROOM] = g_param_spec_object ("current-room", NULL, NULL, LD_TYPE_ROOM, ro);
  properties[PROP_REDIS_STATE] = g_param_spec_enum ("redis-state", NULL, NULL, LD_TYPE_REDIS_STATE,
                                                    LD_REDIS_STATE_UNKNOWN, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Every server event, as received (::event::newMessage and so on), for
   * tools that print the wire (livedesk-cli tail); the app uses the typed
   * signals and models instead. */
  signals[EVENT] =
    g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE, JSON_TYPE_NODE | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* A refresh gave new tokens: store them (the keyring), never log them. */
  signals[TOKENS_CHANGED] =
    g_signal_new ("tokens-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, LD_TYPE_TOKENS | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* Someone else's message arrived live in the room (not the history a
   * join brings), after it went into the chat model. */
  signals[MESSAGE_RECEIVED] =
    g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, LD_TYPE_MESSAGE);
  /* roomUpdate changed the stream's status ("live", "ended"), after
   * room-status and room-title took the new values. */
  signals[STREAM_STATUS_CHANGED] =
    g_signal_new ("stream-status-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, LD_TYPE_ROOM, G_TYPE_STRING);
  /* A gift arrived in any of the session's rooms (each room's queue says
   * gift-received too). */
  signals[GIFT_RECEIVED] =
    g_signal_new ("gift-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, LD_TYPE_GIFT);
}

static void
ld_session_init (LdSession *self)
{
  self->path = g_strdup (LD_SESSION_DEFAULT_PATH);
  self->reconnect_attempts = LD_SESSION_DEFAULT_RECONNECT_ATTEMPTS;
  self->refresh_margin = LD_SESSION_DEFAULT_REFRESH_MARGIN_S;
  self->ping_interval = LD_SESSION_VIEWER_PING_INTERVAL_S;
  self->role = LD_ROLE_VIEWER;
  self->reconnect = ld_reconnect_new (NULL);
  ld_reconnect_set_backoff (self->reconnect, LD_RECONNECT_DELAY_MS, LD_RECONNECT_DELAY_MAX_MS);
  ld_reconnect_set_trouble_after (self->reconnect, self->reconnect_attempts);
  g_signal_connect (self->reconnect, "attempt", G_CALLBACK (on_reconnect_attempt), self);
  g_signal_connect (self->reconnect, "notify::reconnect-in", G_CALLBACK (on_reconnect_notify), self);
  g_signal_connect (self->reconnect, "notify::having-trouble", G_CALLBACK (on_reconnect_notify), self);
  self->cancellable = g_cancellable_new ();
  self->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->kept_sanctions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, kept_free);
  self->lobby = _ld_room_new (NULL);
  self->current = g_object_ref (self->lobby);
  self->notifications = ld_notification_model_new ();
  self->outbox = ld_outbox_new (0);
  _ld_outbox_attach (self->outbox, &outbox_host, self, self->cancellable, NULL);
  self->requests = ld_requests_new ();
  ld_requests_set_timeout (self->requests, LD_SESSION_REQUEST_TIMEOUT_MS);
  self->support = _ld_support_new (self);
  g_queue_init (&self->joins);
}

LdSession *
ld_session_new (const char *server_url,
                const char *api_url)
{
  return g_object_new (LD_TYPE_SESSION,
                       "server-url", server_url,
                       "api-url", api_url,
                       NULL);
}

const char *
ld_session_get_server_url (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);
  return self->server_url;
}

const char *
ld_session_get_api_url (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);
  return self->api_url;
}

void
ld_session_set_path (LdSession  *self,
                     const char *path)
{
  g_return_if_fail (LD_IS_SESSION (self));

  if (g_strcmp0 (self->path, path) == 0)
    return;
  g_free (self->path);
  self->path = g_strdup (path != NULL ? path : LD_SESSION_DEFAULT_PATH);

  /* The path is the client's; a new one takes a new client. */
  if (self->client != NULL && !self->wants_connection)
    {
      g_signal_handlers_disconnect_by_data (self->client, self);
      g_clear_object (&self->client);
      ld_requests_set_client (self->requests, NULL);
    }
}

void
ld_session_set_give_up_after (LdSession *self,
                              guint      attempts)
{
  g_return_if_fail (LD_IS_SESSION (self));

  self->give_up_after = attempts;
}

LdRedisState
ld_session_get_redis_state (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), LD_REDIS_STATE_UNKNOWN);

  return ld_health_get_redis_state (self->health);
}

gboolean
ld_session_get_having_trouble (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), FALSE);

  return ld_reconnect_get_having_trouble (self->reconnect);
}

void
_ld_session_set_backoff (LdSession *self,
                         guint      base_ms,
                         guint      max_ms,
                         guint      refresh_base_ms,
                         guint      refresh_max_ms)
{
  g_return_if_fail (LD_IS_SESSION (self));
  g_return_if_fail (base_ms > 0 && max_ms >= base_ms);
  g_return_if_fail (refresh_base_ms > 0 && refresh_max_ms >= refresh_base_ms);

  ld_reconnect_set_backoff (self->reconnect, base_ms, max_ms);
  ld_token_refresh_set_schedule (self->refresher, refresh_base_ms, refresh_max_ms, base_ms, max_ms);
}

guint
ld_session_get_reconnect_attempts (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), 0);
  return self->reconnect_attempts;
}

void
ld_session_set_reconnect_attempts (LdSession *self,
                                   guint      attempts)
{
  g_return_if_fail (LD_IS_SESSION (self));

  if (self->reconnect_attempts == attempts)
    return;
  self->reconnect_attempts = attempts;
  ld_reconnect_set_trouble_after (self->reconnect, attempts);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECONNECT_ATTEMPTS]);
}

void
ld_session_set_refresh_margin (LdSession *self,
                               guint      seconds)
{
  g_return_if_fail (LD_IS_SESSION (self));

  self->refresh_margin = seconds;
  schedule_refresh (self);
}

void
ld_session_set_ping_interval (LdSession *self,
                              guint      seconds)
{
  g_return_if_fail (LD_IS_SESSION (self));
  g_return_if_fail (seconds > 0);

  self->ping_interval = seconds;
  if (self->ping_source != 0)
    {
      g_source_remove (self->ping_source);
      self->ping_source = g_timeout_add_seconds (self->ping_interval, on_ping_due, self);
    }
}

void
ld_session_set_tokens (LdSession      *self,
                       const LdTokens *tokens)
{
  gboolean changed;

  g_return_if_fail (LD_IS_SESSION (self));

  changed = tokens == NULL || self->tokens == NULL ||
            g_strcmp0 (tokens->access_token, self->tokens->access_token) != 0;
  adopt_tokens (self, tokens);

  if (changed && self->client != NULL &&
      (self->state == LD_SESSION_STATE_ONLINE || self->state == LD_SESSION_STATE_AUTHENTICATING))
    send_authenticate (self);
}

LdTokens *
ld_session_dup_tokens (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);

  return self->tokens != NULL ? ld_tokens_copy (self->tokens) : NULL;
}

void
ld_session_connect (LdSession *self)
{
  g_autofree char *reason = NULL;

  g_return_if_fail (LD_IS_SESSION (self));

  if (self->wants_connection)
    return;

  if (self->tokens == NULL)
    {
      sign_out (self, _("Not signed in: log in first"));
      return;
    }

  ensure_client (self);
  self->wants_connection = TRUE;
  ld_reconnect_start (self->reconnect);
  self->refreshed_after_refusal = FALSE;
  reason = g_strdup_printf (_("Connecting to %s"), self->server_url);
  set_state (self, LD_SESSION_STATE_CONNECTING, reason);

  ld_health_start (self->health);
  schedule_refresh (self);

  sio_client_connect (self->client);
}

void
ld_session_disconnect (LdSession *self)
{
  g_return_if_fail (LD_IS_SESSION (self));

  go_offline (self, NULL);
}

LdSessionState
ld_session_get_state (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), LD_SESSION_STATE_OFFLINE);
  return self->state;
}

const char *
ld_session_get_state_reason (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);
  return self->state_reason;
}

guint
ld_session_get_reconnect_in (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), 0);
  return ld_reconnect_get_reconnect_in (self->reconnect);
}

const char *
ld_session_get_user_id (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);
  return self->user_id;
}

const char *
ld_session_get_username (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);
  return self->username;
}

LdRole
ld_session_get_role (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), LD_ROLE_VIEWER);
  return self->role;
}

gboolean
ld_session_get_socket_healthy (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), FALSE);
  return self->socket_healthy;
}

gboolean
ld_session_get_api_healthy (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), FALSE);
  return ld_health_get_api_healthy (self->health);
}

gboolean
ld_session_get_healthy (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), FALSE);
  return self->socket_healthy && ld_health_get_api_healthy (self->health);
}

LdNotificationModel *
ld_session_get_notifications (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);
  return self->notifications;
}

LdSupport *
ld_session_get_support (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);
  return self->support;
}
