/* gw-rest.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-rest.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "gw-client-address.h"
#include "gw-jwt.h"
#include "gw-log.h"
#include "gw-login-guard.h"
#include "gw-metrics.h"
#include "gw-redis.h"
#include "gw-refresh.h"
#include "gw-users.h"
#include "sio-engine.h"

#define API_PREFIX "/api/v1"
#define MAX_PASSWORD_LEN 1024
/* Not in libsoup 3.2's SoupStatus. */
#define HTTP_TOO_MANY_REQUESTS 429

struct _GwRest
{
  GObject         parent_instance;
  GwJwt          *jwt;
  GwUsers        *users;
  GwRefreshStore *refresh;
  GwRedis        *redis;
  char           *allowed_origin;
  gint64          access_ttl;
  gint64          started_at;  /* monotonic, µs */

  /* Online password guessing: attempts per account and per address. */
  GwLoginGuard     *guard;
  GwTrustedProxies *proxies;
};

G_DEFINE_FINAL_TYPE (GwRest, gw_rest, G_TYPE_OBJECT)

static void
gw_rest_finalize (GObject *object)
{
  GwRest *self = (GwRest *)object;

  g_clear_object (&self->jwt);
  g_clear_object (&self->users);
  g_clear_object (&self->refresh);
  g_clear_object (&self->redis);
  g_clear_pointer (&self->allowed_origin, g_free);
  g_clear_object (&self->guard);
  g_clear_pointer (&self->proxies, gw_trusted_proxies_unref);

  G_OBJECT_CLASS (gw_rest_parent_class)->finalize (object);
}

static void
gw_rest_class_init (GwRestClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gw_rest_finalize;
}

static void
gw_rest_init (GwRest *self)
{
  self->allowed_origin = g_strdup ("*");
  self->access_ttl = GW_REST_DEFAULT_ACCESS_TTL_SECONDS;
  self->started_at = g_get_monotonic_time ();
  self->guard = gw_login_guard_new ();

  gw_metrics_describe ("livedesk_login_failures_total", GW_METRIC_COUNTER,
                       "Logins refused for a wrong username or password");
  gw_metrics_describe ("livedesk_login_throttled_total", GW_METRIC_COUNTER,
                       "Logins refused with 429 because the account or the address made too many attempts");
  gw_metrics_describe ("livedesk_login_guard_full_total", GW_METRIC_COUNTER,
                       "Logins refused with 503 because too many accounts and addresses were being counted");
  gw_metrics_describe ("livedesk_hash_queue_full_total", GW_METRIC_COUNTER,
                       "Logins refused with 503 because the password hash queue was full");
}

GwRest *
gw_rest_new (GwJwt          *jwt,
             GwUsers        *users,
             GwRefreshStore *refresh)
{
  GwRest *self;

  g_return_val_if_fail (GW_IS_JWT (jwt), NULL);
  g_return_val_if_fail (GW_IS_USERS (users), NULL);
  g_return_val_if_fail (GW_IS_REFRESH_STORE (refresh), NULL);

  self = g_object_new (GW_TYPE_REST, NULL);
  self->jwt = g_object_ref (jwt);
  self->users = g_object_ref (users);
  self->refresh = g_object_ref (refresh);

  return self;
}

void
gw_rest_set_redis (GwRest  *self,
                   GwRedis *redis)
{
  g_return_if_fail (GW_IS_REST (self));
  g_return_if_fail (redis == NULL || GW_IS_REDIS (redis));

  g_set_object (&self->redis, redis);
  /* A refresh token must work at whichever gateway process the client reaches next,
   * and a guesser must not get a fresh allowance at each process. */
  gw_refresh_store_set_redis (self->refresh, redis);
  gw_login_guard_set_redis (self->guard, redis);
}

void
gw_rest_set_access_ttl (GwRest *self,
                        gint64  seconds)
{
  g_return_if_fail (GW_IS_REST (self));
  g_return_if_fail (seconds > 0);

  self->access_ttl = seconds;
}

void
gw_rest_set_allowed_origin (GwRest     *self,
                            const char *origin)
{
  g_return_if_fail (GW_IS_REST (self));
  g_return_if_fail (origin != NULL);

  g_free (self->allowed_origin);
  self->allowed_origin = g_strdup (origin);
}

void
gw_rest_set_login_limits (GwRest *self,
                          guint   account_max,
                          guint   address_max,
                          guint   window_seconds)
{
  g_return_if_fail (GW_IS_REST (self));

  gw_login_guard_set_limits (self->guard, account_max, address_max, window_seconds);
}

GwLoginGuard *
gw_rest_get_login_guard (GwRest *self)
{
  g_return_val_if_fail (GW_IS_REST (self), NULL);

  return self->guard;
}

void
gw_rest_set_trusted_proxies (GwRest           *self,
                             GwTrustedProxies *proxies)
{
  g_return_if_fail (GW_IS_REST (self));

  g_clear_pointer (&self->proxies, gw_trusted_proxies_unref);
  if (proxies != NULL)
    self->proxies = gw_trusted_proxies_ref (proxies);
}

static void
add_cors_headers (GwRest            *self,
                  SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Access-Control-Allow-Origin", self->allowed_origin);
  if (strcmp (self->allowed_origin, "*") != 0)
    soup_message_headers_append (headers, "Vary", "Origin");
}

static void
send_json (GwRest            *self,
           SoupServerMessage *msg,
           guint              status,
           JsonBuilder       *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *body = json_to_string (root, FALSE);
  gsize len = strlen (body);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  add_cors_headers (self, msg);
  /* Tokens must not end up in a proxy's or browser's cache. */
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json; charset=utf-8", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&body), len);
}

/* PROTOCOL.md section 2's failure envelope. */
static void
send_failure (GwRest            *self,
              SoupServerMessage *msg,
              guint              status,
              const char        *code,
              const char        *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "success");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  send_json (self, msg, status, builder);
}

static char *
iso8601_from_unix (gint64 seconds)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (seconds);

  /* new Date().toISOString()'s shape, as PROTOCOL.md section 2 asks. */
  return g_date_time_format (when, "%Y-%m-%dT%H:%M:%S.000Z");
}

/* Answers with a fresh access token and REFRESH_TOKEN. */
static void
send_tokens (GwRest            *self,
             SoupServerMessage *msg,
             const GwUser      *user,
             const char        *refresh_token,
             gint64             now)
{
  g_autoptr(GwJwtClaims) claims = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *access_token = NULL;
  g_autofree char *expires_at = NULL;

  claims = gw_jwt_claims_new (user->user_id, user->username, user->role, now, now + self->access_ttl);
  access_token = gw_jwt_sign (self->jwt, claims, &error);
  if (access_token == NULL)
    {
      g_warning ("Cannot sign an access token for user %s: %s", user->user_id, error->message);
      send_failure (self, msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "INTERNAL", "Cannot issue a token");
      return;
    }
  expires_at = iso8601_from_unix (claims->exp);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "success");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_set_member_name (builder, "accessToken");
  json_builder_add_string_value (builder, access_token);
  json_builder_set_member_name (builder, "refreshToken");
  json_builder_add_string_value (builder, refresh_token);
  json_builder_set_member_name (builder, "expiresAt");
  json_builder_add_string_value (builder, expires_at);
  json_builder_end_object (builder);

  send_json (self, msg, SOUP_STATUS_OK, builder);
}

static void
handle_health (GwRest            *self,
               SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *redis = "off";

  if (self->redis != NULL)
    redis = gw_redis_get_connected (self->redis) ? "connected" : "disconnected";

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "ok");
  json_builder_set_member_name (builder, "uptime");
  json_builder_add_int_value (builder, (g_get_monotonic_time () - self->started_at) / G_USEC_PER_SEC);
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, LIVEDESK_VERSION);
  json_builder_set_member_name (builder, "redis");
  json_builder_add_string_value (builder, redis);
  json_builder_end_object (builder);

  send_json (self, msg, SOUP_STATUS_OK, builder);
}

/* The body as a JSON object, or NULL after answering 400/413. */
static JsonObject *
read_body (GwRest            *self,
           SoupServerMessage *msg)
{
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  gsize len;
  const char *data = g_bytes_get_data (body, &len);

  /* A chunked body has no Content-Length for the early check to see. */
  if (len > GW_REST_MAX_BODY_SIZE)
    {
      send_failure (self, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "INVALID_PAYLOAD",
                    "The request body is too large");
      return NULL;
    }

  if (len == 0 || !g_utf8_validate (data, len, NULL) ||
      !json_parser_load_from_data (parser, data, len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      send_failure (self, msg, SOUP_STATUS_BAD_REQUEST, "INVALID_PAYLOAD",
                    "The request body must be a JSON object");
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

typedef struct
{
  GwRest            *self;
  SoupServerMessage *msg;
  char              *address;
  char              *username;  /* as typed: the account the guard counts */
  char              *password;  /* until the hash queue has its own copy */
  GwUser            *user;      /* signed in, waiting for a refresh token */
} Pending;

static Pending *
pending_new (GwRest            *self,
             SoupServerMessage *msg)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->self = g_object_ref (self);
  pending->msg = g_object_ref (msg);
  pending->address = gw_client_address (msg, self->proxies);
  return pending;
}

static void
pending_free (Pending *pending)
{
  g_object_unref (pending->self);
  g_object_unref (pending->msg);
  g_free (pending->address);
  g_free (pending->username);
  if (pending->password != NULL)
    explicit_bzero (pending->password, strlen (pending->password));
  g_free (pending->password);
  g_clear_pointer (&pending->user, gw_user_free);
  g_free (pending);
}

static void
set_retry_after (SoupServerMessage *msg,
                 gint64             seconds)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (1, seconds));

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", text);
}

static gint64
unix_now (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* The token store could not answer: Redis is away (try again soon), or
 * worse (logged). */
static void
send_store_failure (GwRest            *self,
                    SoupServerMessage *msg,
                    const char        *address,
                    const GError      *error)
{
  if (error->domain == G_IO_ERROR)
    {
      gw_log_event (G_LOG_LEVEL_MESSAGE, "token_store_unavailable", "addr", address, NULL);
      set_retry_after (msg, 5);
      send_failure (self, msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "INTERNAL",
                    "Sign-in is unavailable for a moment; try again shortly");
      return;
    }

  g_warning ("Cannot issue a refresh token: %s", error->message);
  send_failure (self, msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "INTERNAL", "Cannot issue a token");
}

static void
on_login_token_issued (GObject      *object,
                       GAsyncResult *result,
                       gpointer      data)
{
  Pending *pending = data;
  GwRest *self = pending->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *refresh_token = gw_refresh_store_issue_finish (GW_REFRESH_STORE (object), result, &error);

  if (refresh_token == NULL)
    send_store_failure (self, pending->msg, pending->address, error);
  else
    {
      gw_log_event (G_LOG_LEVEL_INFO, "login", "addr", pending->address, "user", pending->user->user_id,
                    "role", gw_role_to_string (pending->user->role), NULL);
      send_tokens (self, pending->msg, pending->user, refresh_token, unix_now ());
    }

  soup_server_message_unpause (pending->msg);
  pending_free (pending);
}

static void
finish_pending (Pending *pending)
{
  soup_server_message_unpause (pending->msg);
  pending_free (pending);
}

static void
on_authenticated (GObject      *object,
                  GAsyncResult *result,
                  gpointer      data)
{
  Pending *pending = data;
  GwRest *self = pending->self;
  g_autoptr(GError) error = NULL;

  pending->user = gw_users_authenticate_finish (GW_USERS (object), result, &error);
  if (g_error_matches (error, GW_USERS_ERROR, GW_USERS_ERROR_BUSY))
    {
      /* The password was never checked: not a guess, so not counted as one. */
      gw_login_guard_resolve (self->guard, pending->username, pending->address, FALSE);
      gw_metrics_add ("livedesk_hash_queue_full_total", NULL, 1);
      gw_log_event (G_LOG_LEVEL_INFO, "login_refused", "addr", pending->address, "code", "BUSY", NULL);
      set_retry_after (pending->msg, 2);
      send_failure (self, pending->msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "INTERNAL",
                    "Too many sign-ins at once; try again shortly");
      finish_pending (pending);
      return;
    }
  if (pending->user == NULL)
    {
      if (!g_error_matches (error, GW_USERS_ERROR, GW_USERS_ERROR_BAD_CREDENTIALS))
        g_warning ("Login failed: %s", error->message);
      gw_login_guard_resolve (self->guard, pending->username, pending->address, TRUE);
      gw_metrics_add ("livedesk_login_failures_total", NULL, 1);
      /* Not the username typed: people type passwords into it by mistake. */
      gw_log_event (G_LOG_LEVEL_INFO, "login_failed", "addr", pending->address, "code", "UNAUTHENTICATED", NULL);
      send_failure (self, pending->msg, SOUP_STATUS_UNAUTHORIZED, "UNAUTHENTICATED",
                    "Invalid username or password");
      finish_pending (pending);
      return;
    }

  /* Gives back this attempt's own reservation; other accounts keep their counts. */
  gw_login_guard_resolve (self->guard, pending->username, pending->address, FALSE);
  gw_refresh_store_issue_async (self->refresh, pending->user->user_id, unix_now (), NULL,
                                on_login_token_issued, pending);
}

static void
on_admitted (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  Pending *pending = data;
  GwRest *self = pending->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gint64 retry_after = 0;
  GwLoginVerdict verdict;
  const char *scope;

  verdict = gw_login_guard_admit_finish (GW_LOGIN_GUARD (object), result, &retry_after, &error);
  if (error != NULL)
    {
      /* A reply from Redis that makes no sense: no guess goes through uncounted. */
      send_store_failure (self, pending->msg, pending->address, error);
      finish_pending (pending);
      return;
    }

  switch (verdict)
    {
    case GW_LOGIN_ADMITTED:
      gw_users_authenticate_async (self->users, pending->username, pending->password, NULL,
                                   on_authenticated, pending);
      explicit_bzero (pending->password, strlen (pending->password));
      g_clear_pointer (&pending->password, g_free);
      return;

    case GW_LOGIN_GUARD_FULL:
      gw_metrics_add ("livedesk_login_guard_full_total", NULL, 1);
      gw_log_event (G_LOG_LEVEL_MESSAGE, "login_refused", "addr", pending->address, "code", "BUSY", NULL);
      set_retry_after (pending->msg, retry_after);
      send_failure (self, pending->msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "INTERNAL",
                    "Too many sign-ins at once; try again shortly");
      finish_pending (pending);
      return;

    case GW_LOGIN_THROTTLED_ACCOUNT:
    case GW_LOGIN_THROTTLED_ADDRESS:
    default:
      scope = verdict == GW_LOGIN_THROTTLED_ACCOUNT ? "account" : "address";
      break;
    }

  /* Even the right password waits: otherwise guessing could go on. */
  gw_metrics_add ("livedesk_login_throttled_total",
                  verdict == GW_LOGIN_THROTTLED_ACCOUNT ? "scope=\"account\"" : "scope=\"address\"", 1);
  gw_log_event (G_LOG_LEVEL_INFO, "login_refused", "addr", pending->address, "code", "RATE_LIMITED",
                "scope", scope, NULL);
  set_retry_after (pending->msg, retry_after);
  message = g_strdup_printf ("Too many failed logins; try again in %" G_GINT64_FORMAT " seconds",
                             MAX (1, retry_after));
  send_failure (self, pending->msg, HTTP_TOO_MANY_REQUESTS, "RATE_LIMITED", message);
  finish_pending (pending);
}

static void
handle_login (GwRest            *self,
              SoupServerMessage *msg)
{
  g_autoptr(JsonObject) body = read_body (self, msg);
  const char *username;
  const char *password;
  Pending *pending;

  if (body == NULL)
    return;

  username = string_member (body, "username");
  password = string_member (body, "password");
  if (username == NULL || password == NULL || username[0] == '\0' || password[0] == '\0' ||
      strlen (password) > MAX_PASSWORD_LEN)
    {
      send_failure (self, msg, SOUP_STATUS_BAD_REQUEST, "INVALID_PAYLOAD",
                    "Send {\"username\": string, \"password\": string}");
      return;
    }

  /* The attempt is counted before its hash runs, so a burst of parallel
   * guesses cannot all slip in before the first failure is known. */
  pending = pending_new (self, msg);
  pending->username = g_strdup (username);
  pending->password = g_strdup (password);
  soup_server_message_pause (msg);
  gw_login_guard_admit_async (self->guard, pending->username, pending->address, NULL, on_admitted, pending);
}

static void
on_rotated (GObject      *object,
            GAsyncResult *result,
            gpointer      data)
{
  Pending *pending = data;
  GwRest *self = pending->self;
  SoupServerMessage *msg = pending->msg;
  g_autoptr(GError) error = NULL;
  g_autofree char *user_id = NULL;
  g_autofree char *next = gw_refresh_store_rotate_finish (GW_REFRESH_STORE (object), result, &user_id, &error);
  const GwUser *user;

  if (next == NULL)
    {
      if (error->domain == GW_REFRESH_ERROR && error->code != GW_REFRESH_ERROR_RANDOM)
        {
          gboolean expired = g_error_matches (error, GW_REFRESH_ERROR, GW_REFRESH_ERROR_EXPIRED);

          gw_log_event (G_LOG_LEVEL_INFO, "refresh_failed", "addr", pending->address,
                        "code", expired ? "TOKEN_EXPIRED" : "UNAUTHENTICATED", NULL);
          send_failure (self, msg, SOUP_STATUS_UNAUTHORIZED, expired ? "TOKEN_EXPIRED" : "UNAUTHENTICATED",
                        error->message);
        }
      else
        send_store_failure (self, msg, pending->address, error);
    }
  /* Name and role come from the users file now, not from the old token:
   * a demoted moderator is demoted at the next refresh. */
  else if ((user = gw_users_lookup_by_id (self->users, user_id)) == NULL)
    {
      gw_refresh_store_revoke_user (self->refresh, user_id);
      send_failure (self, msg, SOUP_STATUS_UNAUTHORIZED, "UNAUTHENTICATED",
                    "This account no longer exists");
    }
  else
    send_tokens (self, msg, user, next, unix_now ());

  soup_server_message_unpause (msg);
  pending_free (pending);
}

static void
handle_refresh (GwRest            *self,
                SoupServerMessage *msg)
{
  g_autoptr(JsonObject) body = read_body (self, msg);
  const char *token;
  Pending *pending;

  if (body == NULL)
    return;

  token = string_member (body, "refreshToken");
  if (token == NULL || token[0] == '\0')
    {
      send_failure (self, msg, SOUP_STATUS_BAD_REQUEST, "INVALID_PAYLOAD",
                    "Send {\"refreshToken\": string}");
      return;
    }

  /* With Redis the store answers later; the main loop keeps serving. */
  pending = pending_new (self, msg);
  soup_server_message_pause (msg);
  gw_refresh_store_rotate_async (self->refresh, token, unix_now (), NULL, on_rotated, pending);
}

static void
send_method_not_allowed (GwRest            *self,
                         SoupServerMessage *msg,
                         const char        *allow)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allow);
  send_failure (self, msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "INVALID_PAYLOAD",
                "This endpoint does not take that method");
}

static void
handle_request (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  GwRest *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  gboolean is_health = strcmp (path, API_PREFIX "/system/health") == 0;
  gboolean is_login = strcmp (path, API_PREFIX "/auth/login") == 0;
  gboolean is_refresh = strcmp (path, API_PREFIX "/auth/refresh-token") == 0;

  /* Already answered before the body was read (libsoup's own errors). */
  if (soup_server_message_get_status (msg) != 0)
    return;

  if (!is_health && !is_login && !is_refresh)
    {
      send_failure (self, msg, SOUP_STATUS_NOT_FOUND, "NOT_FOUND", "No such endpoint");
      return;
    }

  /* A browser's CORS preflight. */
  if (strcmp (method, SOUP_METHOD_OPTIONS) == 0)
    {
      SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

      add_cors_headers (self, msg);
      soup_message_headers_replace (headers, "Access-Control-Allow-Methods",
                                    is_health ? "GET, HEAD, OPTIONS" : "POST, OPTIONS");
      soup_message_headers_replace (headers, "Access-Control-Allow-Headers", "Content-Type, Authorization");
      soup_message_headers_replace (headers, "Access-Control-Max-Age", "600");
      soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
      return;
    }

  if (is_health)
    {
      if (strcmp (method, SOUP_METHOD_GET) == 0 || strcmp (method, SOUP_METHOD_HEAD) == 0)
        handle_health (self, msg);
      else
        send_method_not_allowed (self, msg, "GET, HEAD, OPTIONS");
      return;
    }

  if (strcmp (method, SOUP_METHOD_POST) != 0)
    {
      send_method_not_allowed (self, msg, "POST, OPTIONS");
      return;
    }

  if (is_login)
    handle_login (self, msg);
  else
    handle_refresh (self, msg);
}

static void
on_body_refused (SoupServerMessage *msg,
                 gpointer           user_data)
{
  gw_metrics_add ("livedesk_request_body_rejections_total", "path=\"rest\"", 1);
}

/* PROTOCOL.md section 2's failure envelope for a body past the limit, as
 * send_failure() has it; made once, since every request may need it. */
static const char *
body_too_large_json (void)
{
  static gsize text = 0;

  if (g_once_init_enter (&text))
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "success");
      json_builder_add_boolean_value (builder, FALSE);
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, "The request body is too large");
      json_builder_set_member_name (builder, "error");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, "INVALID_PAYLOAD");
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, "The request body is too large");
      json_builder_end_object (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      g_once_init_leave (&text, (gsize) json_to_string (root, FALSE));
    }
  return (const char *) text;
}

/* Runs once the headers are in: a body past the limit is refused as it
 * arrives (413, connection closed), chunked or not, never held whole. */
static void
handle_early (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  sio_engine_limit_request_body (msg, GW_REST_MAX_BODY_SIZE, "application/json; charset=utf-8",
                                 body_too_large_json (), on_body_refused, NULL, NULL);
}

void
gw_rest_attach (GwRest     *self,
                SoupServer *server)
{
  g_return_if_fail (GW_IS_REST (self));
  g_return_if_fail (SOUP_IS_SERVER (server));

  gw_metrics_describe ("livedesk_request_body_rejections_total", GW_METRIC_COUNTER,
                       "Request bodies refused with 413 for passing the size limit, by path");
  soup_server_add_early_handler (server, API_PREFIX, handle_early, g_object_ref (self), g_object_unref);
  soup_server_add_handler (server, API_PREFIX, handle_request, g_object_ref (self), g_object_unref);
}
