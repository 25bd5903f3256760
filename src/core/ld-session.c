/* ld-session.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "sio-client.h"

#include "ld-envelope.h"
#include "ld-events.h"
#include "ld-jwt.h"
#include "ld-payload.h"
#include "ld-rate-limit.h"
#include "ld-rest-client.h"
#include "ld-request.h"
#include "ld-room-private.h"
#include "ld-token-refresh.h"
#include "ld-session-private.h"
#include "ld-ticket-private.h"
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
  guint                reconnect_in;
  guint                attempt;
  gint64               reconnect_at;
  guint                reconnect_source;
  guint                countdown_source;
  gboolean             wants_connection;
  /* The schedule: jittered exponential from base to cap; the guide's
   * attempts (reconnect_attempts) only mark when to say we have trouble. */
  guint                backoff_base_ms;
  guint                backoff_max_ms;
  guint                give_up_after;
  gboolean             having_trouble;
  GNetworkMonitor     *network_monitor;

  char                *user_id;
  char                *username;
  LdRole               role;

  /* The rooms the session is in or re-joins, by id (LdRoom), any number
   * on the one socket; CURRENT is the one the app shows (the last joined),
   * LOBBY the empty stand-in while there is none. */
  GHashTable          *rooms;
  GHashTable          *kept_sanctions;
  /* Rooms' moderation logs go to files under the user's data directory. */
  gboolean             keep_moderation_logs;
  LdRoom              *current;
  LdRoom              *lobby;
  guint                ping_source;
  guint                ping_interval;

  gboolean             socket_healthy;
  gboolean             api_healthy;
  LdRedisState         redis_state;
  guint                health_source;

  LdNotificationModel *notifications;
  LdTicketModel       *tickets;
  /* The server stores tickets [ext] (a listTickets or ticketMessage came):
   * its ticketMessage carries each message, adminChat repeats it. */
  gboolean             tickets_on_server;

  /* Messages to send, oldest first. One at a time is on the wire, so the
   * server sees them in order and a refusal cannot overtake a later send. */
  LdOutbox            *outbox;
  struct _Sending     *sending;
  guint                flush_source;
  guint64              next_seq;

  /* The guide's 1/s and 30/min, checked before anything is sent, so the
   * user hears how long to wait instead of a refusal from the server. */
  LdRateLimit         *limiter;

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
  PROP_ROOM_ID,
  PROP_ROOM_TITLE,
  PROP_ROOM_STATUS,
  PROP_VIEWER_COUNT,
  PROP_SOCKET_HEALTHY,
  PROP_API_HEALTHY,
  PROP_HEALTHY,
  PROP_OUTBOX_LENGTH,
  PROP_SANCTION,
  PROP_SANCTION_UNTIL,
  PROP_SANCTION_REASON,
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
  SUPPORT_REPLY,
  SUPPORT_REQUEST,
  MESSAGE_RECEIVED,
  STREAM_STATUS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void schedule_reconnect (LdSession *self, const char *why);
static void start_refresh      (LdSession *self);
static void flush_outbox       (LdSession *self);
static void flush_outbox_later (LdSession *self, guint delay_ms);
static void send_join          (LdSession *self,
                                LdRoom    *room);
static void drop_room          (LdSession *self,
                                LdRoom    *room,
                                gboolean   banned);
static void set_contract_error (GError **error, GError *validation, guint max_chars);
static void settle_message     (LdSession *self, JsonArray *args);
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
  gboolean was_healthy = self->socket_healthy && self->api_healthy;

  if (*field == !!value)
    return;
  *field = !!value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  if (was_healthy != (self->socket_healthy && self->api_healthy))
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

static void
notify_outbox (LdSession *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTBOX_LENGTH]);
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

/* Sends now when online, else when the session next gets there. */
static void
request_start (LdSession  *self,
               GTask      *task,
               const char *event,
               JsonObject *payload,
               void      (*done) (GTask *, JsonObject *, GError *))
{
  const char *reply_event = NULL;

  if (strcmp (event, "getRoomInfo") == 0)
    reply_event = "roomInfo";
  else if (strcmp (event, "sendGift") == 0)
    reply_event = "giftSent";
  /* The tickets' requests [ext] settle on their ack, which the gateway
   * always sends (after ticketList or ticketHistory). */
  ld_request_prepare (task, event, payload, reply_event, done);

  if (self->state == LD_SESSION_STATE_SIGNED_OUT)
    {
      g_task_return_new_error (task, LD_SESSION_ERROR, LD_SESSION_ERROR_SIGNED_OUT, "%s",
                               self->state_reason != NULL ? self->state_reason : _("Signed out"));
      return;
    }
  if (self->state == LD_SESSION_STATE_OFFLINE && !self->wants_connection)
    {
      g_task_return_new_error (task, LD_SESSION_ERROR, LD_SESSION_ERROR_NETWORK, "%s",
                               _("Not connected"));
      return;
    }

  ld_requests_submit (self->requests, task, self->state == LD_SESSION_STATE_ONLINE);
}

static void
done_boolean (GTask      *task,
              JsonObject *data,
              GError     *error)
{
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

/* A raw answer's data, for what only passes it on (the CLI's ticket list). */
static void
done_object (GTask      *task,
             JsonObject *data,
             GError     *error)
{
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else if (data == NULL)
    g_task_return_new_error (task, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_OTHER, "%s",
                             _("The server’s answer has no data"));
  else
    g_task_return_pointer (task, json_object_ref (data), (GDestroyNotify) json_object_unref);
}

static void
done_room_info (GTask      *task,
                JsonObject *data,
                GError     *error)
{
  g_autoptr(GError) invalid = NULL;
  LdRoomInfo *info;

  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else if (data == NULL)
    g_task_return_new_error (task, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_OTHER, "%s",
                             _("The server’s answer has no data"));
  else if ((info = ld_room_info_new_from_json (data, &invalid)) == NULL)
    g_task_return_new_error (task, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_OTHER, "%s", invalid->message);
  else
    g_task_return_pointer (task, info, g_object_unref);
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
  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  g_clear_handle_id (&self->ping_source, g_source_remove);
  g_clear_handle_id (&self->health_source, g_source_remove);
  g_clear_handle_id (&self->flush_source, g_source_remove);
}

static void
set_reconnect_in (LdSession *self,
                  guint      seconds)
{
  if (self->reconnect_in == seconds)
    return;
  self->reconnect_in = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECONNECT_IN]);
}

static void
set_having_trouble (LdSession *self,
                    gboolean   trouble)
{
  if (self->having_trouble == !!trouble)
    return;
  self->having_trouble = !!trouble;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAVING_TROUBLE]);
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
  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  g_clear_handle_id (&self->ping_source, g_source_remove);
  g_clear_handle_id (&self->health_source, g_source_remove);
  self->wants_connection = FALSE;
  out_of_rooms (self);
  set_reconnect_in (self, 0);
  set_having_trouble (self, FALSE);
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
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  ld_token_refresh_stop (self->refresher);
  set_having_trouble (self, FALSE);
  self->wants_connection = FALSE;
  out_of_rooms (self);
  set_reconnect_in (self, 0);
  if (self->client != NULL)
    sio_client_disconnect (self->client);
  set_state (self, LD_SESSION_STATE_SIGNED_OUT, reason);
  ld_requests_fail_waiting (self->requests, LD_SESSION_ERROR, LD_SESSION_ERROR_SIGNED_OUT, reason);
  fail_tasks (&self->joins, LD_SESSION_ERROR, LD_SESSION_ERROR_SIGNED_OUT, reason);
}

static gboolean
on_countdown (gpointer user_data)
{
  LdSession *self = user_data;
  gint64 left = self->reconnect_at - g_get_monotonic_time ();

  set_reconnect_in (self, left > 0 ? (guint) ((left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_reconnect_due (gpointer user_data)
{
  LdSession *self = user_data;
  g_autofree char *reason = g_strdup_printf (_("Reconnecting to %s (attempt %u)"), self->server_url, self->attempt);

  self->reconnect_source = 0;
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  set_reconnect_in (self, 0);
  set_state (self, LD_SESSION_STATE_CONNECTING, reason);
  sio_client_connect (self->client);
  return G_SOURCE_REMOVE;
}

/* A network fault never ends the session: attempts go on, further apart up
 * to the cap, for as long as the user is signed in. */
static void
schedule_reconnect (LdSession  *self,
                    const char *why)
{
  g_autofree char *reason = NULL;
  guint delay;

  if (!self->wants_connection || self->reconnect_source != 0)
    return;

  g_clear_handle_id (&self->ping_source, g_source_remove);
  /* Only a one-shot caller (the CLI) asks to stop. */
  if (self->give_up_after != 0 && self->attempt >= self->give_up_after)
    {
      reason = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "Could not reach the server after %u attempt: %s",
                                             "Could not reach the server after %u attempts: %s",
                                             self->attempt),
                                self->attempt, why);
      self->attempt = 0;
      go_offline (self, reason);
      return;
    }

  delay = sio_client_backoff_delay (self->backoff_base_ms, self->backoff_max_ms,
                                    0.5, MIN (self->attempt, 30), g_random_double ());
  self->attempt++;
  self->reconnect_at = g_get_monotonic_time () + (gint64) delay * 1000;
  self->reconnect_source = g_timeout_add (delay, on_reconnect_due, self);
  self->countdown_source = g_timeout_add_seconds (1, on_countdown, self);
  set_reconnect_in (self, (delay + 999) / 1000);
  /* The guide's attempts are where the app says so, not where it stops. */
  if (self->reconnect_attempts != 0 && self->attempt > self->reconnect_attempts)
    {
      set_having_trouble (self, TRUE);
      reason = g_strdup_printf (_("Having trouble reaching the server: %s"), why);
    }
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
  if (self->state == LD_SESSION_STATE_RECONNECTING && self->reconnect_source != 0)
    {
      g_clear_handle_id (&self->reconnect_source, g_source_remove);
      on_reconnect_due (self);
    }
  else if (self->state == LD_SESSION_STATE_OFFLINE)
    ld_session_connect (self);
  /* A refresh waiting on the network goes now too. */
  ld_token_refresh_retry_now (self->refresher);
}

void
_ld_session_network_changed (LdSession *self,
                             gboolean   available)
{
  g_return_if_fail (LD_IS_SESSION (self));

  /* Back on the network: no reason to wait out the backoff. */
  if (available && self->wants_connection)
    ld_session_reconnect_now (self);
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  _ld_session_network_changed (user_data, available);
}

void
_ld_session_set_network_monitor (LdSession       *self,
                                 GNetworkMonitor *monitor)
{
  g_return_if_fail (LD_IS_SESSION (self));
  g_return_if_fail (G_IS_NETWORK_MONITOR (monitor));

  if (self->network_monitor != NULL)
    g_signal_handlers_disconnect_by_func (self->network_monitor, on_network_changed, self);
  g_set_object (&self->network_monitor, monitor);
  g_signal_connect (self->network_monitor, "network-changed", G_CALLBACK (on_network_changed), self);
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

static void
on_health_checked (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  LdRedisState redis = LD_REDIS_STATE_UNKNOWN;
  gboolean ok = ld_rest_client_health_finish (LD_REST_CLIENT (source), result, &redis, &error);
  LdSession *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = LD_SESSION (user_data);
  set_boolean (self, &self->api_healthy, ok, PROP_API_HEALTHY);
  if (self->redis_state != redis)
    {
      self->redis_state = redis;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REDIS_STATE]);
    }
}

void
ld_session_check_health (LdSession *self)
{
  g_return_if_fail (LD_IS_SESSION (self));

  ld_rest_client_health_async (self->rest, self->cancellable, on_health_checked, self);
}

static gboolean
on_health_due (gpointer user_data)
{
  ld_session_check_health (user_data);
  return G_SOURCE_CONTINUE;
}

static void
become_online (LdSession *self)
{
  set_state (self, LD_SESSION_STATE_ONLINE, NULL);
  self->attempt = 0;
  set_having_trouble (self, FALSE);

  /* Every room re-joins by itself. */
  {
    GHashTableIter iter;
    gpointer room;

    g_hash_table_iter_init (&iter, self->rooms);
    while (g_hash_table_iter_next (&iter, NULL, &room))
      if (!ld_room_get_joined (room) && !ld_room_get_banned (room))
        send_join (self, room);
  }
  flush_outbox (self);
  run_waiting (self);
}

/* Events */

static void sync_tickets (LdSession *self);

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
      sync_tickets (self);
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

/* A message of a stored ticket [ext]. An admin is told (support-request)
 * of a new ticket and of the user's messages in tickets assigned to them,
 * not of every message of every ticket. */
static void
apply_ticket_message (LdSession  *self,
                      JsonObject *payload)
{
  g_autoptr(GError) error = NULL;
  LdTicket *ticket;
  gboolean added = FALSE;
  gboolean known = ld_ticket_model_lookup_id (self->tickets,
                                              json_object_get_string_member_with_default (payload, "ticketId", NULL)) != NULL;
  const char *from_id, *user_id;
  JsonObject *state;

  self->tickets_on_server = TRUE;
  ticket = ld_ticket_model_apply_ticket_message (self->tickets, payload, self->user_id, &added, &error);
  if (ticket == NULL)
    {
      g_debug ("ticketMessage ignored: %s", error->message);
      return;
    }
  from_id = json_object_get_string_member_with_default (payload, "fromId", NULL);
  user_id = ld_ticket_get_user_id (ticket);
  if (!added || g_strcmp0 (from_id, user_id) != 0 || g_strcmp0 (user_id, self->user_id) == 0)
    return;

  state = json_object_get_member (payload, "ticket") != NULL && JSON_NODE_HOLDS_OBJECT (json_object_get_member (payload, "ticket"))
            ? json_object_get_object_member (payload, "ticket") : NULL;
  if ((state != NULL ? json_object_get_int_member_with_default (state, "messageCount", 0) == 1 : !known) ||
      (ld_ticket_get_assignee (ticket) != NULL && g_strcmp0 (ld_ticket_get_assignee (ticket), self->username) == 0))
    g_signal_emit (self, signals[SUPPORT_REQUEST], 0, user_id, ld_ticket_get_username (ticket),
                   json_object_get_string_member_with_default (payload, "message", ""));
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
  flush_outbox (self);
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
on_room_notify (LdSession  *self,
                GParamSpec *pspec,
                LdRoom     *room)
{
  static const struct { const char *room; guint session; } forward[] = {
    { "title", PROP_ROOM_TITLE },
    { "status", PROP_ROOM_STATUS },
    { "viewer-count", PROP_VIEWER_COUNT },
    { "sanction", PROP_SANCTION },
    { "sanction-until", PROP_SANCTION_UNTIL },
    { "sanction-reason", PROP_SANCTION_REASON },
    { "banned", PROP_ROOM_ID },
  };

  if (room != self->current)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (forward); i++)
    if (g_str_equal (pspec->name, forward[i].room))
      g_object_notify_by_pspec (G_OBJECT (self), properties[forward[i].session]);
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

static void
keep_moderation_log (LdRoom *room)
{
  g_autofree char *path = ld_moderation_log_default_path (ld_room_get_id (room));
  g_autoptr(GError) error = NULL;

  if (path != NULL && !ld_moderation_log_set_path (ld_room_get_moderation_log (room), path, &error))
    g_message ("The moderation log of %s stays in memory: %s", ld_room_get_id (room), error->message);
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
  if (self->keep_moderation_logs)
    keep_moderation_log (room);
  g_signal_connect_object (room, "notify", G_CALLBACK (on_room_notify), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (room, "message-received", G_CALLBACK (on_room_message), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (room, "stream-status-changed", G_CALLBACK (on_room_status), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (ld_room_get_gifts (room), "gift-received", G_CALLBACK (on_room_gift), self,
                           G_CONNECT_SWAPPED);
  g_hash_table_replace (self->rooms, g_strdup (room_id), room);
  return room;
}

/* The room the app shows, and what the session's room getters describe. */
static void
set_current (LdSession *self,
             LdRoom    *room)
{
  static const guint props[] = {
    PROP_ROOM_ID, PROP_ROOM_TITLE, PROP_ROOM_STATUS, PROP_VIEWER_COUNT,
    PROP_SANCTION, PROP_SANCTION_UNTIL, PROP_SANCTION_REASON, PROP_CURRENT_ROOM,
  };

  if (room == NULL)
    room = self->lobby;
  if (self->current == room)
    return;
  g_set_object (&self->current, room);
  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 0; i < G_N_ELEMENTS (props); i++)
    g_object_notify_by_pspec (G_OBJECT (self), properties[props[i]]);
  g_object_thaw_notify (G_OBJECT (self));
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
    case LD_EVENT_NOTIFICATION:
      ld_notification_model_add_from_json (self->notifications, payload, LD_NOTIFICATION_SOURCE_USER, NULL);
      break;
    case LD_EVENT_SYSTEM_NOTIFICATION:
      ld_notification_model_add_from_json (self->notifications, payload, LD_NOTIFICATION_SOURCE_SYSTEM, NULL);
      break;
    case LD_EVENT_NOTIFICATION_UPDATE:
      ld_notification_model_apply_update (self->notifications, payload, NULL);
      break;
    case LD_EVENT_TICKET_MESSAGE:
      if (self->role == LD_ROLE_ADMIN)
        apply_ticket_message (self, payload);
      break;
    case LD_EVENT_TICKET_UPDATE:
      if (self->role == LD_ROLE_ADMIN)
        {
          g_autoptr(GError) error = NULL;

          self->tickets_on_server = TRUE;
          if (!ld_ticket_model_apply_ticket_update (self->tickets, payload, &error))
            g_debug ("ticketUpdate ignored: %s", error->message);
        }
      break;
    case LD_EVENT_ADMIN_CHAT:
      /* A server that stores tickets sends each message as ticketMessage too. */
      if (self->role == LD_ROLE_ADMIN && !self->tickets_on_server)
        {
          const char *user_id = json_object_get_string_member_with_default (payload, "userId", NULL);
          const char *username = json_object_get_string_member_with_default (payload, "username", user_id);
          const char *text = json_object_get_string_member_with_default (payload, "message", NULL);

          ld_ticket_model_apply_admin_chat (self->tickets, payload, NULL);
          if (user_id != NULL && text != NULL && g_strcmp0 (user_id, self->user_id) != 0)
            g_signal_emit (self, signals[SUPPORT_REQUEST], 0, user_id, username, text);
        }
      break;
    case LD_EVENT_ADMIN_MESSAGE:
      {
        const char *ticket_id = json_object_get_string_member_with_default (payload, "ticketId", NULL);
        const char *from = json_object_get_string_member_with_default (payload, "from", NULL);
        const char *text = json_object_get_string_member_with_default (payload, "message", NULL);

        /* An admin's own tickets are the ones users open (adminChat). */
        if (self->role != LD_ROLE_ADMIN && self->user_id != NULL)
          ld_ticket_model_apply_admin_message (self->tickets, self->user_id, payload, NULL);
        if (text != NULL)
          g_signal_emit (self, signals[SUPPORT_REPLY], 0, ticket_id, from, text);
      }
      break;
    case LD_EVENT_MESSAGE_SENT:
    case LD_EVENT_SEND_MESSAGE_ERROR:
      {
        g_autoptr(JsonArray) args = json_array_new ();

        json_array_add_element (args, json_node_copy (node));
        settle_message (self, args);
      }
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

/* What was never sent to ROOM is refused, not sent elsewhere. */
static void
fail_outbox_for (LdSession  *self,
                 const char *room_id,
                 const char *reason)
{
  ld_outbox_fail_room (self->outbox, room_id, reason);
  notify_outbox (self);
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

  fail_outbox_for (self, ld_room_get_id (room),
                   banned ? _("You were banned from the room before this was sent")
                          : _("You left the room before this was sent"));
  settle_joins (self, ld_room_get_id (room), error);
  _ld_room_clear (room, banned);
  if (banned)
    {
      /* The session's room getters say "in no room" for a banned one. */
      if (room == self->current)
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ROOM_ID]);
      return;
    }

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
        set_contract_error (&error, validation, 0);
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

void
ld_session_set_keep_moderation_logs (LdSession *self,
                                     gboolean   keep)
{
  GHashTableIter iter;
  gpointer room;

  g_return_if_fail (LD_IS_SESSION (self));

  self->keep_moderation_logs = !!keep;
  if (!keep)
    return;
  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, NULL, &room))
    keep_moderation_log (room);
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

void
ld_session_get_room_info_async (LdSession           *self,
                                const char          *room_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LD_IS_SESSION (self));
  g_return_if_fail (room_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_session_get_room_info_async);
  _ld_session_get_room_info (self, room_id, task);
}

void
_ld_session_get_room_info (LdSession  *self,
                           const char *room_id,
                           GTask      *task)
{
  g_autoptr(JsonObject) payload = json_object_new ();

  json_object_set_string_member (payload, "roomId", room_id);
  request_start (self, task, "getRoomInfo", payload, done_room_info);
}

LdRoomInfo *
ld_session_get_room_info_finish (LdSession     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Chat and the outbox */

#define REFUSAL_KEY "ld-session-refusal-code"

const char *
ld_session_get_refusal_code (LdMessage *message)
{
  g_return_val_if_fail (LD_IS_MESSAGE (message), NULL);

  if (ld_message_get_state (message) != LD_MESSAGE_STATE_FAILED)
    return NULL;
  return g_object_get_data (G_OBJECT (message), REFUSAL_KEY);
}

/* Back in its place in the outbox. */
static void
outbox_add (LdSession *self,
            LdMessage *message)
{
  ld_outbox_requeue (self->outbox, message);
  notify_outbox (self);
}

/* The message on the wire. Its answer is the ack or the messageSent /
 * sendMessageError event, whichever comes first (the guide's server may not
 * answer acks); one message at a time makes the event unambiguous. */
typedef struct _Sending
{
  LdSession *self;
  LdMessage *message;
  gboolean   settled;
  guint      ref_count;
} Sending;

static void
sending_unref (Sending *sending)
{
  if (--sending->ref_count > 0)
    return;
  g_clear_object (&sending->message);
  g_free (sending);
}

/* ARGS: the answer (an envelope first), or NULL when the connection went. */
static void
settle_message (LdSession *self,
                JsonArray *args)
{
  Sending *sending = g_steal_pointer (&self->sending);
  g_autoptr(LdMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) data = NULL;
  gint64 retry_ms = 0;

  if (sending == NULL)
    return;
  sending->settled = TRUE;
  message = g_object_ref (sending->message);
  sending_unref (sending);
  notify_outbox (self);

  /* Already confirmed by its echo, or deleted meanwhile. */
  if (ld_message_get_state (message) != LD_MESSAGE_STATE_PENDING)
    {
      flush_outbox (self);
      return;
    }

  if (args == NULL)
    {
      /* Lost with the connection: it goes again, in order, after the re-join
       * (whose history confirms it instead if the server got it). */
      outbox_add (self, message);
      flush_outbox (self);
      return;
    }

  if (!read_envelope_full (args, &data, &retry_ms, &error))
    {
      if (g_error_matches (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_UNAUTHENTICATED) ||
          g_error_matches (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_TOKEN_EXPIRED))
        outbox_add (self, message);
      else if (g_error_matches (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED))
        {
          /* Sent too fast (after a reconnect, say): it waits its turn rather than failing. */
          outbox_add (self, message);
          flush_outbox_later (self, retry_ms > 0 ? (guint) MIN (retry_ms, 60000) : 1000);
          return;
        }
      else
        {
          g_object_set_data (G_OBJECT (message), REFUSAL_KEY,
                             (gpointer) (error->domain == LD_CONTRACT_ERROR &&
                                         ld_contract_error_to_code (error->code) != NULL
                                         ? ld_contract_error_to_code (error->code) : "ERROR"));
          ld_message_mark_failed (message, error->message);
        }
      flush_outbox (self);
      return;
    }

  {
    const char *message_id = data != NULL ? json_object_get_string_member_with_default (data, "messageId", NULL) : NULL;
    g_autoptr(GDateTime) timestamp = NULL;

    if (data != NULL)
      ld_payload_get_datetime (data, "messageSent", "timestamp", FALSE, &timestamp, NULL);
    if (message_id != NULL)
      {
        LdRoom *room = lookup_room (self, ld_message_get_room_id (message));

        if (room != NULL)
          ld_chat_model_mark_sent (ld_room_get_chat (room), ld_message_get_local_id (message), message_id, timestamp);
      }
  }
  flush_outbox (self);
}

static void
on_message_acked (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Sending *sending = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) args = sio_client_emit_with_ack_finish (SIO_CLIENT (source), result, NULL, &error);
  LdSession *self = sending->self;

  if (sending->settled || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      sending_unref (sending);
      return;
    }

  sending_unref (sending);
  settle_message (self, args);
}

/* Messages of rooms being re-joined wait their turn, those of rooms left
 * fail. */
static LdOutboxVerdict
may_send (LdMessage *message,
          gpointer   user_data)
{
  LdSession *self = user_data;
  LdRoom *room = lookup_room (self, ld_message_get_room_id (message));

  if (room == NULL || ld_room_get_banned (room))
    return LD_OUTBOX_FAIL;
  return ld_room_get_joined (room) ? LD_OUTBOX_SEND : LD_OUTBOX_WAIT;
}

static LdMessage *
next_to_send (LdSession *self)
{
  return ld_outbox_take_next (self->outbox, may_send, self, _("You left the room before this was sent"));
}

static void
flush_outbox (LdSession *self)
{
  LdMessage *message;

  if (self->state != LD_SESSION_STATE_ONLINE || self->sending != NULL || self->flush_source != 0)
    return;

  while (self->sending == NULL && (message = next_to_send (self)) != NULL)
    {
      g_autoptr(LdMessage) owned = message;
      g_autoptr(JsonObject) payload = NULL;
      g_autoptr(JsonArray) args = NULL;
      g_autofree char *timestamp = NULL;
      gboolean image;
      Sending *sending;

      image = ld_message_get_message_type (message) == LD_MESSAGE_TYPE_IMAGE;
      timestamp = now_iso8601 ();
      payload = json_object_new ();
      json_object_set_string_member (payload, "roomId", ld_message_get_room_id (message));
      json_object_set_string_member (payload, "userId", self->user_id);
      json_object_set_string_member (payload, "username", self->username);
      if (image)
        {
          json_object_set_string_member (payload, "imageUrl", ld_message_get_image_url (message));
          json_object_set_string_member (payload, "messageType", "image");
        }
      else
        json_object_set_string_member (payload, "message", ld_message_get_text (message));
      json_object_set_string_member (payload, "timestamp", timestamp);
      args = args_for (payload);

      sending = g_new0 (Sending, 1);
      sending->self = self;
      sending->message = g_object_ref (message);
      /* One for self->sending, one for the ack callback. */
      sending->ref_count = 2;
      self->sending = sending;
      sio_client_emit_with_ack_async (self->client, image ? "sendImageMessage" : "sendMessage", args, NULL,
                                      LD_SESSION_REQUEST_TIMEOUT_MS, self->cancellable, on_message_acked, sending);
    }
  notify_outbox (self);
}

static gboolean
on_flush_due (gpointer user_data)
{
  LdSession *self = user_data;

  self->flush_source = 0;
  flush_outbox (self);
  return G_SOURCE_REMOVE;
}

static void
flush_outbox_later (LdSession *self,
                    guint      delay_ms)
{
  if (self->flush_source == 0)
    self->flush_source = g_timeout_add (delay_ms, on_flush_due, self);
}

/* A refusal of the contract's checks (ld-validate) with a reason for the
 * user in their language, one per kind of failure; the code stays. */
static void
set_contract_error (GError  **error,
                    GError   *validation,
                    guint     max_chars)
{
  const char *detail = validation->message;

  switch ((LdContractError) validation->code)
    {
    case LD_CONTRACT_ERROR_EMPTY_MESSAGE:
      g_set_error_literal (error, LD_CONTRACT_ERROR, validation->code, _("The message is empty"));
      break;
    case LD_CONTRACT_ERROR_MESSAGE_TOO_LONG:
      g_set_error (error, LD_CONTRACT_ERROR, validation->code,
                   g_dngettext (GETTEXT_PACKAGE, "The message is longer than %u character",
                                "The message is longer than %u characters", max_chars),
                   max_chars);
      break;
    case LD_CONTRACT_ERROR_FORBIDDEN_CONTENT:
      g_set_error_literal (error, LD_CONTRACT_ERROR, validation->code,
                           _("The message contains script or markup that is not allowed"));
      break;
    case LD_CONTRACT_ERROR_INVALID_IMAGE_URL:
      g_set_error (error, LD_CONTRACT_ERROR, validation->code,
                   _("Only https images on imgur.com or cloudinary.com ending in .jpg, .jpeg, .png, .gif or .webp can be sent (%s)"),
                   detail);
      break;
    case LD_CONTRACT_ERROR_INVALID_GIFT:
      g_set_error (error, LD_CONTRACT_ERROR, validation->code, _("The gift cannot be sent: %s"), detail);
      break;
    case LD_CONTRACT_ERROR_INVALID_PAYLOAD:
      g_set_error (error, LD_CONTRACT_ERROR, validation->code, _("Not a valid request: %s"), detail);
      break;
    default:
      g_set_error_literal (error, LD_CONTRACT_ERROR, validation->code, detail);
      break;
    }
}

/* Records one send of ours, or says how long to wait. */
static gboolean
check_rate (LdSession  *self,
            GError    **error)
{
  LdRateWindow hit;
  gint64 retry_ms = 0;

  if (ld_rate_limit_try (self->limiter, "self", g_get_monotonic_time () / 1000, &hit, &retry_ms))
    return TRUE;

  if (hit.max_events == 1 && hit.period_ms == 1000)
    g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED,
                 _("At most one message a second: wait %.1f s"), retry_ms / 1000.0);
  else
    g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED,
                 g_dngettext (GETTEXT_PACKAGE, "At most %u message a minute: wait %.0f s",
                              "At most %u messages a minute: wait %.0f s", hit.max_events),
                 hit.max_events, ceil (retry_ms / 1000.0));
  return FALSE;
}

/* The checked, sanitised text: what the guide's clients send and what the
 * server's echo carries, so the echo matches the pending copy. */
static char *
checked_text (const char  *text,
              guint        max_chars,
              GError     **error)
{
  g_autoptr(GError) validation = NULL;
  char *clean = ld_validate_text (text, max_chars, &validation);

  if (clean == NULL)
    set_contract_error (error, validation, max_chars);
  return clean;
}

/* ROOM is in the session, and not banned from. */
static gboolean
in_room (LdSession *self,
         LdRoom    *room)
{
  const char *id = room != NULL ? ld_room_get_id (room) : NULL;

  return id != NULL && g_hash_table_lookup (self->rooms, id) == room && !ld_room_get_banned (room);
}

LdMessage *
_ld_session_send_chat (LdSession      *self,
                       LdRoom         *room,
                       LdMessageType   type,
                       const char     *content,
                       GError        **error)
{
  g_autoptr(LdMessage) message = NULL;
  g_autofree char *clean = NULL;

  if (!in_room (self, room))
    {
      g_set_error_literal (error, LD_SESSION_ERROR, LD_SESSION_ERROR_NOT_IN_ROOM, _("Join a room first"));
      return NULL;
    }
  if (self->state == LD_SESSION_STATE_SIGNED_OUT)
    {
      g_set_error_literal (error, LD_SESSION_ERROR, LD_SESSION_ERROR_SIGNED_OUT, self->state_reason);
      return NULL;
    }

  if (type == LD_MESSAGE_TYPE_TEXT)
    clean = checked_text (content, LD_MESSAGE_MAX_CHARS, error);
  else
    {
      g_autoptr(GError) validation = NULL;

      if (ld_validate_image_url (content, LD_IMAGE_URL_HTTPS_ONLY, &validation))
        clean = g_strdup (content);
      else
        set_contract_error (error, validation, 0);
    }
  if (clean == NULL)
    return NULL;
  /* Bounded: past what waits already, the user is told, not queued. */
  if (ld_outbox_is_full (self->outbox))
    {
      g_set_error (error, LD_OUTBOX_ERROR, LD_OUTBOX_ERROR_FULL,
                   _("Too many messages are waiting to be sent; try again once they are"));
      return NULL;
    }
  if (!check_rate (self, error))
    return NULL;

  message = ld_message_new_outgoing (ld_room_get_id (room),
                                     self->user_id != NULL ? self->user_id : self->token_user_id,
                                     self->username, self->role, type, clean);
  ld_chat_model_append (ld_room_get_chat (room), message);
  ld_outbox_push (self->outbox, message, NULL);
  notify_outbox (self);
  flush_outbox (self);

  return message;
}

LdMessage *
ld_session_send_text (LdSession   *self,
                      const char  *text,
                      GError     **error)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  return _ld_session_send_chat (self, ld_session_get_current_room (self), LD_MESSAGE_TYPE_TEXT, text, error);
}

LdMessage *
ld_session_send_image (LdSession   *self,
                       const char  *image_url,
                       GError     **error)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);
  g_return_val_if_fail (image_url != NULL, NULL);

  return _ld_session_send_chat (self, ld_session_get_current_room (self), LD_MESSAGE_TYPE_IMAGE, image_url,
                                error);
}

gboolean
ld_session_retry_message (LdSession *self,
                          LdMessage *message)
{
  g_return_val_if_fail (LD_IS_SESSION (self), FALSE);
  g_return_val_if_fail (LD_IS_MESSAGE (message), FALSE);

  {
    LdRoom *room = lookup_room (self, ld_message_get_room_id (message));

    if (room == NULL || !ld_chat_model_retry (ld_room_get_chat (room), ld_message_get_local_id (message)))
      return FALSE;
  }

  outbox_add (self, message);
  flush_outbox (self);
  return TRUE;
}

gint64
ld_session_get_send_retry_ms (LdSession *self)
{
  LdRateWindow hit;
  gint64 retry_ms = 0;

  g_return_val_if_fail (LD_IS_SESSION (self), 0);

  if (ld_rate_limit_check (self->limiter, "self", g_get_monotonic_time () / 1000, &hit, &retry_ms))
    return 0;
  return MAX (retry_ms, 1);
}

guint
ld_session_get_outbox_length (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), 0);

  return ld_outbox_get_length (self->outbox) + (self->sending != NULL ? 1 : 0);
}

/* Gifts, support, moderation */

static void
done_string (GTask      *task,
             JsonObject *data,
             GError     *error)
{
  const char *member = g_task_get_source_tag (task) == ld_session_send_gift_async ? "giftTxId" : "ticketId";

  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_pointer (task,
                           g_strdup (data != NULL ? json_object_get_string_member_with_default (data, member, "") : ""),
                           g_free);
}

/* The user's own support message shows as sent once the server gave it a
 * ticket, or failed with the server's reason. */
static void
done_support (GTask      *task,
              JsonObject *data,
              GError     *error)
{
  LdSession *self = g_task_get_source_object (task);
  LdMessage *request = g_object_get_data (G_OBJECT (task), "request");

  if (request != NULL && error != NULL)
    ld_message_mark_failed (request, error->message);
  else if (request != NULL)
    {
      const char *ticket_id = data != NULL ? json_object_get_string_member_with_default (data, "ticketId", NULL) : NULL;
      LdTicket *ticket = ld_ticket_model_lookup (self->tickets, ld_message_get_user_id (request));

      ld_message_mark_sent (request, ticket_id != NULL ? ticket_id : ld_message_get_local_id (request), NULL);
      if (ticket != NULL && ticket_id != NULL)
        _ld_ticket_set_ticket_id (ticket, ticket_id);
    }
  done_string (task, data, error);
}

static gboolean
check_signed_in (LdSession  *self,
                 GTask      *task)
{
  if (self->user_id != NULL || self->token_user_id != NULL)
    return TRUE;

  g_task_return_new_error (task, LD_SESSION_ERROR, LD_SESSION_ERROR_SIGNED_OUT, "%s", _("Not signed in"));
  return FALSE;
}

/* giftSent's giftTxId, whichever object (session or room) the task is on. */
static void
done_gift (GTask      *task,
           JsonObject *data,
           GError     *error)
{
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_pointer (task,
                           g_strdup (data != NULL ? json_object_get_string_member_with_default (data, "giftTxId", "") : ""),
                           g_free);
}

/* The sendGift payload for REQUEST in ROOM, from the user. */
static void
gift_payload (LdSession        *self,
              LdRoom           *room,
              const LdRoomGift *request,
              JsonObject       *payload)
{
  const char *user_id = self->user_id != NULL ? self->user_id : self->token_user_id;

  json_object_set_string_member (payload, "roomId", ld_room_get_id (room));
  if (user_id != NULL)
    {
      json_object_set_string_member (payload, "senderId", user_id);
      json_object_set_string_member (payload, "senderName", self->username != NULL ? self->username : user_id);
    }
  /* Missing fields stay missing, so the check below names them. */
  if (request->receiver_id != NULL)
    json_object_set_string_member (payload, "receiverId", request->receiver_id);
  json_object_set_string_member (payload, "receiverName", request->receiver_name != NULL ? request->receiver_name : "");
  if (request->gift_id != NULL)
    json_object_set_string_member (payload, "giftId", request->gift_id);
  if (request->gift_name != NULL)
    json_object_set_string_member (payload, "giftName", request->gift_name);
  if (request->gift_type != NULL)
    json_object_set_string_member (payload, "giftType", request->gift_type);
  json_object_set_double_member (payload, "giftValue", request->gift_value);
  json_object_set_int_member (payload, "quantity", request->quantity);
  json_object_set_string_member (payload, "message", request->message != NULL ? request->message : "");
  json_object_set_string_member (payload, "animation", request->animation != NULL ? request->animation : "default");
}

gboolean
ld_session_check_gift (LdSession           *self,
                       const LdSessionGift *request,
                       GError             **error)
{
  g_return_val_if_fail (LD_IS_SESSION (self), FALSE);
  g_return_val_if_fail (request != NULL, FALSE);

  return _ld_session_check_gift (self, ld_session_get_current_room (self), request, error);
}

gboolean
_ld_session_check_gift (LdSession         *self,
                        LdRoom            *room,
                        const LdRoomGift  *request,
                        GError           **error)
{
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autoptr(GError) validation = NULL;
  g_autoptr(LdGiftRequest) gift = NULL;

  if (!in_room (self, room))
    {
      g_set_error_literal (error, LD_SESSION_ERROR, LD_SESSION_ERROR_NOT_IN_ROOM, _("Join a room first"));
      return FALSE;
    }
  gift_payload (self, room, request, payload);
  gift = ld_validate_gift (payload, &validation);
  if (gift == NULL)
    {
      set_contract_error (error, validation, LD_GIFT_MESSAGE_MAX_CHARS);
      return FALSE;
    }
  return TRUE;
}

void
ld_session_send_gift_async (LdSession           *self,
                            const LdSessionGift *request,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LD_IS_SESSION (self));
  g_return_if_fail (request != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_session_send_gift_async);
  _ld_session_send_gift (self, ld_session_get_current_room (self), request, task);
}

void
_ld_session_send_gift (LdSession        *self,
                       LdRoom           *room,
                       const LdRoomGift *request,
                       GTask            *task)
{
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autofree char *timestamp = now_iso8601 ();

  if (!check_signed_in (self, task))
    return;
  if (!in_room (self, room))
    {
      g_task_return_new_error (task, LD_SESSION_ERROR, LD_SESSION_ERROR_NOT_IN_ROOM, "%s", _("Join a room first"));
      return;
    }

  gift_payload (self, room, request, payload);
  json_object_set_string_member (payload, "timestamp", timestamp);

  {
    g_autoptr(GError) validation = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(LdGiftRequest) gift = ld_validate_gift (payload, &validation);

    if (gift == NULL)
      set_contract_error (&error, validation, LD_GIFT_MESSAGE_MAX_CHARS);
    if (gift == NULL || !check_rate (self, &error))
      {
        g_task_return_error (task, g_steal_pointer (&error));
        return;
      }
    /* What the server will take: the sanitised message, the defaults. */
    json_object_set_string_member (payload, "message", gift->message);
    json_object_set_string_member (payload, "animation", gift->animation);
  }

  request_start (self, task, "sendGift", payload, done_gift);
}

char *
ld_session_send_gift_finish (LdSession     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ld_session_contact_support_async (LdSession           *self,
                                  const char          *text,
                                  const char          *support_type,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autofree char *timestamp = now_iso8601 ();
  g_autofree char *clean = NULL;
  g_autoptr(GError) error = NULL;
  const char *user_id;

  g_return_if_fail (LD_IS_SESSION (self));
  g_return_if_fail (text != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_session_contact_support_async);
  if (!check_signed_in (self, task))
    return;

  clean = checked_text (text, LD_MESSAGE_MAX_CHARS, &error);
  if (clean == NULL || !check_rate (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  user_id = self->user_id != NULL ? self->user_id : self->token_user_id;
  json_object_set_string_member (payload, "userId", user_id);
  json_object_set_string_member (payload, "username", self->username != NULL ? self->username : user_id);
  json_object_set_string_member (payload, "message", clean);
  json_object_set_string_member (payload, "supportType", support_type != NULL ? support_type : "general");
  json_object_set_string_member (payload, "timestamp", timestamp);
  if (self->role != LD_ROLE_ADMIN)
    {
      LdMessage *request = ld_ticket_model_add_request (self->tickets, user_id,
                                                        self->username != NULL ? self->username : user_id,
                                                        clean, support_type != NULL ? support_type : "general");

      g_object_set_data_full (G_OBJECT (task), "request", g_object_ref (request), g_object_unref);
    }
  request_start (self, task, "chatWithAdmin", payload, done_support);
}

char *
ld_session_contact_support_finish (LdSession     *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
done_reply (GTask      *task,
            JsonObject *data,
            GError     *error)
{
  LdMessage *reply = g_object_get_data (G_OBJECT (task), "reply");

  if (error != NULL)
    {
      if (reply != NULL)
        ld_message_mark_failed (reply, error->message);
      g_task_return_error (task, g_error_copy (error));
      return;
    }

  if (reply != NULL)
    ld_message_mark_sent (reply, ld_message_get_local_id (reply), NULL);
  g_task_return_boolean (task, TRUE);
}

static void
reply_start (LdSession  *self,
             GTask      *task,
             LdTicket   *ticket,
             const char *text,
             gboolean    internal)
{
  g_autoptr(JsonObject) payload = json_object_new ();
  g_autofree char *clean = NULL;
  g_autoptr(GError) error = NULL;
  LdMessage *reply;

  if (self->role != LD_ROLE_ADMIN)
    {
      g_task_return_new_error (task, LD_SESSION_ERROR, LD_SESSION_ERROR_NOT_ALLOWED, "%s",
                               _("Only admins answer support tickets"));
      return;
    }
  if (ticket == NULL || ld_ticket_get_ticket_id (ticket) == NULL)
    {
      g_task_return_new_error (task, LD_SESSION_ERROR, LD_SESSION_ERROR_INVALID, "%s",
                               _("That user has no support ticket"));
      return;
    }
  clean = checked_text (text, LD_MESSAGE_MAX_CHARS, &error);
  if (clean == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  json_object_set_string_member (payload, "ticketId", ld_ticket_get_ticket_id (ticket));
  json_object_set_string_member (payload, "userId", ld_ticket_get_user_id (ticket));
  json_object_set_string_member (payload, "message", clean);
  if (internal)
    json_object_set_boolean_member (payload, "internal", TRUE);
  reply = _ld_ticket_model_add_reply_to (self->tickets, ticket, self->user_id, self->username, clean, internal);
  g_object_set_data_full (G_OBJECT (task), "reply", g_object_ref (reply), g_object_unref);
  request_start (self, task, "adminReply", payload, done_reply);
}

void
ld_session_reply_to_ticket_async (LdSession           *self,
                                  const char          *user_id,
                                  const char          *text,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LD_IS_SESSION (self));
  g_return_if_fail (user_id != NULL && text != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_session_reply_to_ticket_async);
  reply_start (self, task, ld_ticket_model_lookup (self->tickets, user_id), text, FALSE);
}

void
ld_session_reply_in_ticket_async (LdSession           *self,
                                  const char          *ticket_id,
                                  const char          *text,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LD_IS_SESSION (self));
  g_return_if_fail (ticket_id != NULL && text != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_session_reply_in_ticket_async);
  reply_start (self, task, ld_ticket_model_lookup_id (self->tickets, ticket_id), text, FALSE);
}

void
ld_session_add_ticket_note_async (LdSession           *self,
                                  const char          *ticket_id,
                                  const char          *text,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LD_IS_SESSION (self));
  g_return_if_fail (ticket_id != NULL && text != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_session_add_ticket_note_async);
  reply_start (self, task, ld_ticket_model_lookup_id (self->tickets, ticket_id), text, TRUE);
}

gboolean
ld_session_add_ticket_note_finish (LdSession     *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
ld_session_reply_in_ticket_finish (LdSession     *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
done_page (GTask      *task,
           JsonObject *data,
           GError     *error)
{
  LdSession *self = g_task_get_source_object (task);
  g_autoptr(GError) invalid = NULL;

  if (error != NULL)
    {
      g_task_return_error (task, g_error_copy (error));
      return;
    }
  if (data == NULL ||
      !ld_ticket_model_apply_page (self->tickets, data, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task), "older")),
                                   &invalid))
    {
      g_task_return_new_error (task, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_OTHER, "%s",
                               _("The server’s list of tickets makes no sense"));
      return;
    }
  self->tickets_on_server = TRUE;
  g_task_return_boolean (task, TRUE);
}

void
ld_session_load_tickets_async (LdSession           *self,
                               gboolean             older,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) payload = json_object_new ();

  g_return_if_fail (LD_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_session_load_tickets_async);
  /* The server says who may: a refusal comes back as FORBIDDEN. */
  if (!check_signed_in (self, task))
    return;
  if (older)
    {
      const char *before = ld_ticket_model_get_next_before (self->tickets);

      if (before == NULL)
        {
          g_task_return_boolean (task, FALSE);
          return;
        }
      json_object_set_string_member (payload, "before", before);
    }
  g_object_set_data (G_OBJECT (task), "older", GINT_TO_POINTER (!!older));
  request_start (self, task, "listTickets", payload, done_page);
}

gboolean
ld_session_load_tickets_finish (LdSession     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
ld_session_list_tickets_async (LdSession           *self,
                               const char          *status,
                               const char          *before,
                               guint                limit,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) payload = json_object_new ();

  g_return_if_fail (LD_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_session_list_tickets_async);
  if (!check_signed_in (self, task))
    return;
  if (status != NULL)
    json_object_set_string_member (payload, "status", status);
  if (before != NULL)
    json_object_set_string_member (payload, "before", before);
  if (limit > 0)
    json_object_set_int_member (payload, "limit", limit);
  request_start (self, task, "listTickets", payload, done_object);
}

JsonObject *
ld_session_list_tickets_finish (LdSession     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
done_change (GTask      *task,
             JsonObject *data,
             GError     *error)
{
  LdSession *self = g_task_get_source_object (task);

  if (error != NULL)
    {
      g_task_return_error (task, g_error_copy (error));
      return;
    }
  /* The ack carries the ticketUpdate: the model has it even if the
   * broadcast is slower or lost. */
  if (data != NULL)
    ld_ticket_model_apply_ticket_update (self->tickets, data, NULL);
  g_task_return_boolean (task, TRUE);
}

void
ld_session_change_ticket_async (LdSession           *self,
                                const char          *ticket_id,
                                LdTicketChange       change,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  static const char * const events[] = {
    [LD_TICKET_CHANGE_CLAIM] = "claimTicket",
    [LD_TICKET_CHANGE_RESOLVE] = "resolveTicket",
    [LD_TICKET_CHANGE_REOPEN] = "reopenTicket",
  };
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) payload = json_object_new ();

  g_return_if_fail (LD_IS_SESSION (self));
  g_return_if_fail (ticket_id != NULL);
  g_return_if_fail ((guint) change < G_N_ELEMENTS (events));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_session_change_ticket_async);
  if (!check_signed_in (self, task))
    return;
  json_object_set_string_member (payload, "ticketId", ticket_id);
  request_start (self, task, events[change], payload, done_change);
}

gboolean
ld_session_change_ticket_finish (LdSession     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
done_history (GTask      *task,
              JsonObject *data,
              GError     *error)
{
  LdSession *self = g_task_get_source_object (task);
  g_autoptr(GError) invalid = NULL;
  LdTicket *ticket;

  if (error != NULL)
    {
      g_task_return_error (task, g_error_copy (error));
      return;
    }
  /* [ext] Asked by type, a success without a ticket: none of that type is open. */
  if (data == NULL && GPOINTER_TO_INT (g_task_get_task_data (task)))
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  ticket = data != NULL ? ld_ticket_model_apply_history (self->tickets, data, self->user_id, &invalid) : NULL;
  if (ticket != NULL)
    self->tickets_on_server = TRUE;
  if (ticket == NULL)
    {
      g_task_return_new_error (task, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_OTHER, "%s",
                               _("The server’s ticket makes no sense"));
      return;
    }
  g_task_return_pointer (task, g_object_ref (ticket), g_object_unref);
}

void
ld_session_get_ticket_async (LdSession           *self,
                             const char          *ticket_id,
                             const char          *support_type,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) payload = json_object_new ();

  g_return_if_fail (LD_IS_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_session_get_ticket_async);
  /* Whether it asks by type, where no ticket is an answer. */
  g_task_set_task_data (task, GINT_TO_POINTER (ticket_id == NULL), NULL);
  if (!check_signed_in (self, task))
    return;
  if (ticket_id != NULL)
    json_object_set_string_member (payload, "ticketId", ticket_id);
  else
    json_object_set_string_member (payload, "supportType", support_type != NULL ? support_type : "general");
  request_start (self, task, "getTicket", payload, done_history);
}

LdTicket *
ld_session_get_ticket_finish (LdSession     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* At sign-in and after every reconnect: what happened on the server
 * meanwhile. An admin gets the newest tickets, a user their open ticket. */
static void
sync_tickets (LdSession *self)
{
  if (self->role == LD_ROLE_ADMIN)
    ld_session_load_tickets_async (self, FALSE, NULL, NULL, NULL);
  else if (self->user_id != NULL)
    {
      LdTicket *own = ld_ticket_model_lookup (self->tickets, self->user_id);

      /* Only a conversation this session had: a server without stored
       * tickets is not asked, and the app asks after a restart (its topic). */
      if (own != NULL && ld_ticket_get_ticket_id (own) != NULL && self->tickets_on_server)
        ld_session_get_ticket_async (self, ld_ticket_get_ticket_id (own), NULL, NULL, NULL, NULL);
    }
}

gboolean
ld_session_reply_to_ticket_finish (LdSession     *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
ld_session_can_moderate (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), FALSE);

  return self->user_id != NULL &&
         (self->role == LD_ROLE_STREAMER || self->role == LD_ROLE_ADMIN || self->role == LD_ROLE_MODERATOR);
}

void
ld_session_moderate_async (LdSession           *self,
                           LdModeration         action,
                           const char          *room_id,
                           const char          *target,
                           guint                seconds,
                           const char          *reason,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  static const char * const events[] = {
    [LD_MODERATION_DELETE] = "deleteMessage",
    [LD_MODERATION_TIMEOUT] = "timeoutUser",
    [LD_MODERATION_BAN] = "banUser",
    [LD_MODERATION_UNBAN] = "unbanUser",
  };
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonObject) payload = json_object_new ();

  g_return_if_fail (LD_IS_SESSION (self));
  g_return_if_fail ((guint) action < G_N_ELEMENTS (events));
  g_return_if_fail (room_id != NULL && target != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_session_moderate_async);

  /* Before authSuccess the role is unknown: let the server decide. */
  if (self->user_id != NULL && !ld_session_can_moderate (self))
    {
      g_task_return_new_error (task, LD_SESSION_ERROR, LD_SESSION_ERROR_NOT_ALLOWED, "%s",
                               _("Only the streamer, moderators and admins may moderate"));
      return;
    }

  json_object_set_string_member (payload, "roomId", room_id);
  if (action == LD_MODERATION_DELETE)
    json_object_set_string_member (payload, "messageId", target);
  else
    {
      json_object_set_string_member (payload, "userId", target);
      json_object_set_string_member (payload, "reason", reason != NULL ? reason : "");
      if (action == LD_MODERATION_TIMEOUT && seconds > 0)
        json_object_set_int_member (payload, "seconds", seconds);
    }
  request_start (self, task, events[action], payload, done_boolean);
}

gboolean
ld_session_moderate_finish (LdSession     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
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
  if (self->network_monitor != NULL)
    g_signal_handlers_disconnect_by_func (self->network_monitor, on_network_changed, self);
  g_clear_object (&self->network_monitor);

  if (self->requests != NULL)
    ld_requests_close (self->requests, _("The session was closed"));
  while ((task = g_queue_pop_head (&self->joins)) != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", _("The session was closed"));
      g_object_unref (task);
    }
  if (self->outbox != NULL)
    ld_outbox_clear (self->outbox);
  if (self->sending != NULL)
    {
      /* Its ack, if it still comes, finds it settled. */
      self->sending->settled = TRUE;
      sending_unref (g_steal_pointer (&self->sending));
    }

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
  g_clear_object (&self->tickets);
  g_clear_object (&self->limiter);
  g_clear_object (&self->outbox);

  G_OBJECT_CLASS (ld_session_parent_class)->dispose (object);
}

static void
ld_session_finalize (GObject *object)
{
  LdSession *self = LD_SESSION (object);

  g_clear_object (&self->cancellable);
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
      g_value_set_uint (value, self->reconnect_in);
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
    case PROP_ROOM_ID:
      g_value_set_string (value, ld_session_get_room_id (self));
      break;
    case PROP_ROOM_TITLE:
      g_value_set_string (value, ld_room_get_title (self->current));
      break;
    case PROP_ROOM_STATUS:
      g_value_set_string (value, ld_room_get_status (self->current));
      break;
    case PROP_VIEWER_COUNT:
      g_value_set_uint (value, ld_room_get_viewer_count (self->current));
      break;
    case PROP_SANCTION:
      g_value_set_enum (value, ld_room_get_sanction (self->current));
      break;
    case PROP_SANCTION_UNTIL:
      g_value_set_boxed (value, ld_room_get_sanction_until (self->current));
      break;
    case PROP_SANCTION_REASON:
      g_value_set_string (value, ld_room_get_sanction_reason (self->current));
      break;
    case PROP_HAVING_TROUBLE:
      g_value_set_boolean (value, self->having_trouble);
      break;
    case PROP_REDIS_STATE:
      g_value_set_enum (value, self->redis_state);
      break;
    case PROP_CURRENT_ROOM:
      g_value_set_object (value, ld_session_get_current_room (self));
      break;
    case PROP_SOCKET_HEALTHY:
      g_value_set_boolean (value, self->socket_healthy);
      break;
    case PROP_API_HEALTHY:
      g_value_set_boolean (value, self->api_healthy);
      break;
    case PROP_HEALTHY:
      g_value_set_boolean (value, ld_session_get_healthy (self));
      break;
    case PROP_OUTBOX_LENGTH:
      g_value_set_uint (value, ld_session_get_outbox_length (self));
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
                                 LD_SESSION_REFRESH_RETRY_DELAY_MAX_MS, self->backoff_base_ms,
                                 self->backoff_max_ms);
  g_signal_connect_object (self->refresher, "retrying", G_CALLBACK (on_refresh_retrying), self,
                           G_CONNECT_SWAPPED);
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
  properties[PROP_ROOM_ID] = g_param_spec_string ("room-id", NULL, NULL, NULL, ro);
  properties[PROP_ROOM_TITLE] = g_param_spec_string ("room-title", NULL, NULL, NULL, ro);
  properties[PROP_ROOM_STATUS] = g_param_spec_string ("room-status", NULL, NULL, NULL, ro);
  properties[PROP_VIEWER_COUNT] = g_param_spec_uint ("viewer-count", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_SOCKET_HEALTHY] = g_param_spec_boolean ("socket-healthy", NULL, NULL, FALSE, ro);
  properties[PROP_API_HEALTHY] = g_param_spec_boolean ("api-healthy", NULL, NULL, FALSE, ro);
  properties[PROP_HEALTHY] = g_param_spec_boolean ("healthy", NULL, NULL, FALSE, ro);
  properties[PROP_OUTBOX_LENGTH] = g_param_spec_uint ("outbox-length", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_SANCTION] =
    g_param_spec_enum ("sanction", NULL, NULL, LD_TYPE_SANCTION, LD_SANCTION_NONE, ro);
  properties[PROP_SANCTION_UNTIL] = g_param_spec_boxed ("sanction-until", NULL, NULL, G_TYPE_DATE_TIME, ro);
  properties[PROP_SANCTION_REASON] = g_param_spec_string ("sanction-reason", NULL, NULL, NULL, ro);
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
  /* adminMessage: an admin answered the user (ticket id, admin name, text). */
  signals[SUPPORT_REPLY] =
    g_signal_new ("support-reply", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
  /* For admins: a user asked for help (user id, name, text). With tickets
   * stored by the server [ext], only for a new ticket or a ticket of the
   * admin's own; from a server without, for each adminChat. */
  signals[SUPPORT_REQUEST] =
    g_signal_new ("support-request", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
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
  self->backoff_base_ms = LD_SESSION_RECONNECT_DELAY_MS;
  self->backoff_max_ms = LD_SESSION_RECONNECT_DELAY_MAX_MS;
  self->role = LD_ROLE_VIEWER;
  self->network_monitor = g_object_ref (g_network_monitor_get_default ());
  g_signal_connect (self->network_monitor, "network-changed", G_CALLBACK (on_network_changed), self);
  self->cancellable = g_cancellable_new ();
  self->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->kept_sanctions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, kept_free);
  self->lobby = _ld_room_new (NULL);
  self->current = g_object_ref (self->lobby);
  self->notifications = ld_notification_model_new ();
  self->tickets = ld_ticket_model_new ();
  self->limiter = ld_rate_limit_new (NULL, 0);
  self->outbox = ld_outbox_new (0);
  self->requests = ld_requests_new ();
  ld_requests_set_timeout (self->requests, LD_SESSION_REQUEST_TIMEOUT_MS);
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

  return self->redis_state;
}

gboolean
ld_session_get_having_trouble (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), FALSE);

  return self->having_trouble;
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

  self->backoff_base_ms = base_ms;
  self->backoff_max_ms = max_ms;
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
  self->attempt = 0;
  self->refreshed_after_refusal = FALSE;
  reason = g_strdup_printf (_("Connecting to %s"), self->server_url);
  set_state (self, LD_SESSION_STATE_CONNECTING, reason);

  g_clear_handle_id (&self->health_source, g_source_remove);
  self->health_source = g_timeout_add_seconds (LD_SESSION_HEALTH_INTERVAL_S, on_health_due, self);
  ld_session_check_health (self);
  schedule_refresh (self);

  sio_client_connect (self->client);
}

void
ld_session_disconnect (LdSession *self)
{
  g_return_if_fail (LD_IS_SESSION (self));

  g_clear_handle_id (&self->health_source, g_source_remove);
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
  return self->reconnect_in;
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

const char *
ld_session_get_room_id (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);
  /* A room that banned us is shown, but we are not in it. */
  if (self->current == self->lobby || ld_room_get_banned (self->current))
    return NULL;
  return ld_room_get_id (self->current);
}

const char *
ld_session_get_room_title (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);
  return ld_room_get_title (self->current);
}

const char *
ld_session_get_room_status (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);
  return ld_room_get_status (self->current);
}

guint
ld_session_get_viewer_count (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), 0);
  return ld_room_get_viewer_count (self->current);
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
  return self->api_healthy;
}

gboolean
ld_session_get_healthy (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), FALSE);
  return self->socket_healthy && self->api_healthy;
}

LdChatModel *
ld_session_get_chat (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);
  return ld_room_get_chat (self->current);
}

LdViewerModel *
ld_session_get_viewers (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);
  return ld_room_get_viewers (self->current);
}

LdNotificationModel *
ld_session_get_notifications (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);
  return self->notifications;
}

LdSanction
ld_session_get_sanction (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), LD_SANCTION_NONE);
  return ld_room_get_sanction (self->current);
}

GDateTime *
ld_session_get_sanction_until (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);
  return ld_room_get_sanction_until (self->current);
}

const char *
ld_session_get_sanction_reason (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);
  return ld_room_get_sanction_reason (self->current);
}

LdTicketModel *
ld_session_get_tickets (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);
  return self->tickets;
}

LdGiftQueue *
ld_session_get_gifts (LdSession *self)
{
  g_return_val_if_fail (LD_IS_SESSION (self), NULL);
  return ld_room_get_gifts (self->current);
}
