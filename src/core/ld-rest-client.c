/* ld-rest-client.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "ld-payload.h"
#include "ld-rest-client.h"

#define API_PREFIX "/api/v1"
/* The guide's connect timeout; a REST call takes no longer. */
#define TIMEOUT_SECONDS 20
/* The guide's health check gives the API 5 s. */
#define HEALTH_TIMEOUT_SECONDS 5
#define MAX_REPLY_BYTES (256 * 1024)

struct _LdRestClient
{
  GObject      parent_instance;

  char        *base_url;
  SoupSession *session;
  SoupSession *health_session;
};

G_DEFINE_FINAL_TYPE (LdRestClient, ld_rest_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-rest-error-quark, ld_rest_error)

static void
ld_rest_client_finalize (GObject *object)
{
  LdRestClient *self = LD_REST_CLIENT (object);

  g_clear_object (&self->session);
  g_clear_object (&self->health_session);
  g_clear_pointer (&self->base_url, g_free);

  G_OBJECT_CLASS (ld_rest_client_parent_class)->finalize (object);
}

static void
ld_rest_client_class_init (LdRestClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_rest_client_finalize;
}

static void
ld_rest_client_init (LdRestClient *self)
{
  self->session = soup_session_new_with_options ("timeout", TIMEOUT_SECONDS,
                                                 "user-agent", "livedesk",
                                                 NULL);
  self->health_session = soup_session_new_with_options ("timeout", HEALTH_TIMEOUT_SECONDS,
                                                        "user-agent", "livedesk",
                                                        NULL);
}

LdRestClient *
ld_rest_client_new (const char *base_url)
{
  LdRestClient *self;
  gsize len;

  g_return_val_if_fail (base_url != NULL, NULL);

  self = g_object_new (LD_TYPE_REST_CLIENT, NULL);
  len = strlen (base_url);
  while (len > 0 && base_url[len - 1] == '/')
    len--;
  self->base_url = g_strndup (base_url, len);

  /* Loopback servers (tests, a local gateway) must not go through a proxy. */
  if (g_str_has_prefix (self->base_url, "http://127.0.0.1") ||
      g_str_has_prefix (self->base_url, "http://localhost") ||
      g_str_has_prefix (self->base_url, "http://[::1]"))
    {
      soup_session_set_proxy_resolver (self->session, NULL);
      soup_session_set_proxy_resolver (self->health_session, NULL);
    }

  return self;
}

const char *
ld_rest_client_get_base_url (LdRestClient *self)
{
  g_return_val_if_fail (LD_IS_REST_CLIENT (self), NULL);

  return self->base_url;
}

typedef struct
{
  SoupMessage  *message;
  guint         kind;
  LdRedisState  redis;
} Request;

enum { KIND_TOKENS, KIND_HEALTH };

static void
request_free (Request *request)
{
  g_clear_object (&request->message);
  g_free (request);
}

/* The answer's JSON object, or NULL with an error. */
static JsonObject *
parse_reply (SoupMessage  *message,
             GBytes       *body,
             GError      **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint status = soup_message_get_status (message);
  gsize len = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &len) : NULL;
  JsonObject *object = NULL;
  JsonNode *root;

  if (data != NULL && len > 0 && len <= MAX_REPLY_BYTES &&
      g_utf8_validate (data, len, NULL) &&
      json_parser_load_from_data (parser, data, len, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
    object = json_node_get_object (root);

  if (SOUP_STATUS_IS_SUCCESSFUL (status) && object != NULL &&
      json_object_get_boolean_member_with_default (object, "success", TRUE))
    return json_object_ref (object);

  if (object != NULL)
    {
      JsonNode *err = json_object_get_member (object, "error");
      const char *code = NULL;
      const char *text = NULL;
      LdRestError kind = LD_REST_ERROR_REFUSED;

      if (err != NULL && JSON_NODE_HOLDS_OBJECT (err))
        {
          code = json_object_get_string_member_with_default (json_node_get_object (err), "code", NULL);
          text = json_object_get_string_member_with_default (json_node_get_object (err), "message", NULL);
        }
      else if (err != NULL && json_node_get_value_type (err) == G_TYPE_STRING)
        text = json_node_get_string (err);
      if (text == NULL)
        text = json_object_get_string_member_with_default (object, "message", NULL);

      if (status == SOUP_STATUS_UNAUTHORIZED ||
          g_strcmp0 (code, "UNAUTHENTICATED") == 0 || g_strcmp0 (code, "TOKEN_EXPIRED") == 0)
        kind = LD_REST_ERROR_UNAUTHENTICATED;

      if (text != NULL)
        {
          g_set_error (error, LD_REST_ERROR, kind, "%s%s%s", code != NULL ? code : "",
                       code != NULL ? ": " : "", text);
          return NULL;
        }
      if (!SOUP_STATUS_IS_SUCCESSFUL (status))
        {
          g_set_error (error, LD_REST_ERROR, kind, _("The server answered %u %s"),
                       status, soup_message_get_reason_phrase (message));
          return NULL;
        }
    }

  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    g_set_error (error, LD_REST_ERROR,
                 status == SOUP_STATUS_UNAUTHORIZED ? LD_REST_ERROR_UNAUTHENTICATED : LD_REST_ERROR_REFUSED,
                 _("The server answered %u %s"), status, soup_message_get_reason_phrase (message));
  else
    g_set_error_literal (error, LD_REST_ERROR, LD_REST_ERROR_MALFORMED,
                         _("The server’s answer is not a JSON object"));
  return NULL;
}

static LdRedisState
redis_value (JsonNode *node)
{
  const char *text;

  if (node == NULL)
    return LD_REDIS_STATE_UNKNOWN;
  if (JSON_NODE_HOLDS_OBJECT (node))
    return redis_value (json_object_get_member (json_node_get_object (node), "status"));
  if (!JSON_NODE_HOLDS_VALUE (node))
    return LD_REDIS_STATE_UNKNOWN;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node) ? LD_REDIS_STATE_UP : LD_REDIS_STATE_DOWN;
  if (json_node_get_value_type (node) != G_TYPE_STRING)
    return LD_REDIS_STATE_UNKNOWN;
  text = json_node_get_string (node);
  if (g_ascii_strcasecmp (text, "ok") == 0 || g_ascii_strcasecmp (text, "up") == 0 ||
      g_ascii_strcasecmp (text, "connected") == 0 || g_ascii_strcasecmp (text, "healthy") == 0)
    return LD_REDIS_STATE_UP;
  return LD_REDIS_STATE_DOWN;
}

/* The Redis state a health answer carries, as {redis}, {services: {redis}}
 * or {checks: {redis}}, a boolean, a word or {status}. */
static LdRedisState
redis_state (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize len = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &len) : NULL;
  static const char * const parents[] = { NULL, "services", "checks", "data" };
  JsonNode *root;

  if (data == NULL || len == 0 || len > MAX_REPLY_BYTES || !g_utf8_validate (data, len, NULL) ||
      !json_parser_load_from_data (parser, data, len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return LD_REDIS_STATE_UNKNOWN;

  for (guint i = 0; i < G_N_ELEMENTS (parents); i++)
    {
      JsonObject *object = json_node_get_object (root);
      JsonNode *parent = parents[i] != NULL ? json_object_get_member (object, parents[i]) : root;

      if (parent != NULL && JSON_NODE_HOLDS_OBJECT (parent) &&
          json_object_has_member (json_node_get_object (parent), "redis"))
        return redis_value (json_object_get_member (json_node_get_object (parent), "redis"));
    }
  return LD_REDIS_STATE_UNKNOWN;
}

static LdTokens *
tokens_from_reply (JsonObject  *object,
                   GError     **error)
{
  const char *access = NULL;
  const char *refresh = NULL;
  g_autoptr(GDateTime) expires = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!ld_payload_get_string (object, "login", "accessToken", TRUE, &access, &local_error) ||
      !ld_payload_get_string (object, "login", "refreshToken", FALSE, &refresh, &local_error))
    {
      g_set_error (error, LD_REST_ERROR, LD_REST_ERROR_MALFORMED,
                   _("The server’s token answer is malformed: %s"), local_error->message);
      return NULL;
    }
  if (json_object_has_member (object, "expiresAt"))
    ld_payload_get_datetime (object, "login", "expiresAt", FALSE, &expires, NULL);

  return ld_tokens_new (access, refresh, expires != NULL ? g_date_time_to_unix (expires) : 0);
}

static void
on_sent (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonObject) object = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (request->kind == KIND_HEALTH)
    {
      guint status = soup_message_get_status (request->message);

      /* As the guide's fetch: any 2xx is up, whatever the body says. */
      request->redis = redis_state (body);
      if (SOUP_STATUS_IS_SUCCESSFUL (status))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_new_error (task, LD_REST_ERROR, LD_REST_ERROR_REFUSED, _("The server answered %u %s"),
                                 status, soup_message_get_reason_phrase (request->message));
      return;
    }

  object = parse_reply (request->message, body, &error);
  if (object == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  {
    LdTokens *tokens = tokens_from_reply (object, &error);

    if (tokens == NULL)
      g_task_return_error (task, g_steal_pointer (&error));
    else
      g_task_return_pointer (task, tokens, (GDestroyNotify) ld_tokens_free);
  }
}

static void
send_request (LdRestClient        *self,
              const char          *method,
              const char          *path,
              JsonBuilder         *body,
              guint                kind,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *url = g_strconcat (self->base_url, API_PREFIX, path, NULL);
  Request *request = g_new0 (Request, 1);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  request->kind = kind;
  request->message = soup_message_new (method, url);
  if (request->message == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not a valid API address"), self->base_url);
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (request->message),
                                "Accept", "application/json");

  if (body != NULL)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (body);
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(GBytes) bytes = NULL;
      gsize len;
      char *text;

      json_generator_set_root (generator, root);
      text = json_generator_to_data (generator, &len);
      bytes = g_bytes_new_take (text, len);
      soup_message_set_request_body_from_bytes (request->message, "application/json", bytes);
    }

  soup_session_send_and_read_async (kind == KIND_HEALTH ? self->health_session : self->session,
                                    request->message, G_PRIORITY_DEFAULT,
                                    cancellable, on_sent, g_steal_pointer (&task));
}

void
ld_rest_client_login_async (LdRestClient        *self,
                            const char          *username,
                            const char          *password,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_if_fail (LD_IS_REST_CLIENT (self));
  g_return_if_fail (username != NULL && password != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, username);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, password);
  json_builder_end_object (builder);

  send_request (self, "POST", "/auth/login", builder, KIND_TOKENS, ld_rest_client_login_async,
                cancellable, callback, user_data);
}

LdTokens *
ld_rest_client_login_finish (LdRestClient  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ld_rest_client_refresh_async (LdRestClient        *self,
                              const char          *refresh_token,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_if_fail (LD_IS_REST_CLIENT (self));
  g_return_if_fail (refresh_token != NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "refreshToken");
  json_builder_add_string_value (builder, refresh_token);
  json_builder_end_object (builder);

  send_request (self, "POST", "/auth/refresh-token", builder, KIND_TOKENS, ld_rest_client_refresh_async,
                cancellable, callback, user_data);
}

LdTokens *
ld_rest_client_refresh_finish (LdRestClient  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ld_rest_client_health_async (LdRestClient        *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (LD_IS_REST_CLIENT (self));

  send_request (self, "GET", "/system/health", NULL, KIND_HEALTH, ld_rest_client_health_async,
                cancellable, callback, user_data);
}

gboolean
ld_rest_client_health_finish (LdRestClient  *self,
                              GAsyncResult  *result,
                              LdRedisState  *out_redis,
                              GError       **error)
{
  Request *request;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  request = g_task_get_task_data (G_TASK (result));
  if (out_redis != NULL)
    *out_redis = request != NULL ? request->redis : LD_REDIS_STATE_UNKNOWN;
  return g_task_propagate_boolean (G_TASK (result), error);
}
