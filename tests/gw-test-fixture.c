/* gw-test-fixture.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-test-fixture.h"

#include <string.h>

#include "ld-test-util.h"

GwTestClients *
gw_test_clients_new (guint port)
{
  GwTestClients *clients = g_new0 (GwTestClients, 1);
  g_autofree char *text = g_strdup_printf ("%u", port);

  g_queue_init (&clients->backlog);
  clients->peer = test_peer_start ("gateway-peer.mjs", text, NULL);
  return clients;
}

void
gw_test_clients_free (GwTestClients *clients)
{
  if (clients == NULL)
    return;
  g_clear_pointer (&clients->peer, test_peer_free);
  g_queue_clear_full (&clients->backlog, (GDestroyNotify) json_object_unref);
  g_free (clients);
}

char *
gw_test_mint (GwJwt      *jwt,
              const char *user_id,
              const char *name,
              GwRole      role,
              gint64      ttl)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GwJwtClaims) claims = gw_jwt_claims_new (user_id, name, role, now, now + ttl);
  g_autoptr(GError) error = NULL;
  char *token = gw_jwt_sign (jwt, claims, &error);

  g_assert_no_error (error);
  return token;
}

SoupServer *
gw_test_listen (GwGateway *gateway,
                guint     *out_port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  SoupServer *http = soup_server_new (NULL, NULL);

  gw_gateway_attach (gateway, http, NULL);
  soup_server_listen_local (http, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (http);
  *out_port = g_uri_get_port (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  return http;
}

void
gw_test_stop (GwGateway  **gateway,
              SoupServer **http)
{
  gw_gateway_close (*gateway);
  g_assert_finalize_object (g_steal_pointer (gateway));
  soup_server_disconnect (*http);
  g_clear_object (http);
}

GwRedis *
gw_test_redis_new (guint16 port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strdup_printf ("redis://127.0.0.1:%u", port);
  GwRedis *redis = gw_redis_new (uri, &error);

  g_assert_no_error (error);
  return redis;
}

void
gw_test_redis_wait_connected (GwRedis *redis)
{
  LD_TEST_WAIT_UNTIL (gw_redis_get_connected (redis), GW_TEST_WAIT_MS);
}

typedef struct
{
  gboolean done;
  gint64   receivers;
} Published;

static void
on_published (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Published *published = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (gw_redis_publish_finish (GW_REDIS (source), result, &published->receivers, &error));
  g_assert_no_error (error);
  published->done = TRUE;
}

gint64
gw_test_publish (GwRedis    *redis,
                 const char *channel,
                 const char *payload)
{
  Published published = { FALSE, -1 };

  gw_redis_publish_async (redis, channel, payload, NULL, on_published, &published);
  LD_TEST_WAIT_UNTIL (published.done, GW_TEST_WAIT_MS);
  return published.receivers;
}

GwGateway *
gw_test_bridged_gateway (GwJwt       *jwt,
                         guint16      redis_port,
                         GwRedis    **out_bridge,
                         SoupServer **out_http,
                         guint       *out_port)
{
  GwGateway *gateway = gw_gateway_new (jwt);

  *out_bridge = gw_test_redis_new (redis_port);
  gw_gateway_set_redis (gateway, *out_bridge);
  *out_http = gw_test_listen (gateway, out_port);
  gw_redis_start (*out_bridge);
  gw_test_redis_wait_connected (*out_bridge);
  return gateway;
}

gboolean
gw_test_line_matches (JsonObject *line,
                      const char *kind,
                      const char *id,
                      const char *name)
{
  return g_strcmp0 (json_object_get_string_member_with_default (line, "event", NULL), kind) == 0 &&
         g_strcmp0 (json_object_get_string_member_with_default (line, "id", NULL), id) == 0 &&
         (name == NULL || g_strcmp0 (json_object_get_string_member_with_default (line, "name", NULL), name) == 0);
}

JsonObject *
gw_test_expect_full (GwTestClients *clients,
                     const char    *kind,
                     const char    *id,
                     const char    *name,
                     const char    *forbid)
{
  gint64 deadline = g_get_monotonic_time () + GW_TEST_WAIT_MS * 1000;
  GList *l = clients->backlog.head;

  for (;;)
    {
      JsonObject *line;

      if (l == NULL)
        {
          gint64 left = (deadline - g_get_monotonic_time ()) / 1000;

          line = left > 0 ? test_peer_next (clients->peer, left) : NULL;
          if (line == NULL)
            {
              for (GList *b = clients->backlog.head; b != NULL; b = b->next)
                {
                  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), b->data);
                  g_autofree char *text = json_to_string (node, FALSE);

                  g_printerr ("# unclaimed: %s\n", text);
                }
              g_error ("client %s never got %s %s", id, kind, name ? name : "");
            }
          g_queue_push_tail (&clients->backlog, line);
          l = clients->backlog.tail;
        }

      line = l->data;
      if (g_strcmp0 (json_object_get_string_member_with_default (line, "event", NULL), "error") == 0)
        g_error ("the peer failed: %s", json_object_get_string_member_with_default (line, "message", "?"));

      if (gw_test_line_matches (line, kind, id, name))
        {
          g_queue_unlink (&clients->backlog, l);
          g_list_free_1 (l);
          return line;
        }

      if (forbid != NULL && gw_test_line_matches (line, "message", id, forbid))
        g_error ("client %s got %s before %s", id, forbid, name);

      l = l->next;
    }
}

JsonObject *
gw_test_expect_event (GwTestClients *clients,
                      const char    *id,
                      const char    *name)
{
  return gw_test_expect_full (clients, "message", id, name, NULL);
}

JsonObject *
gw_test_expect_ack (GwTestClients *clients,
                    const char    *id,
                    const char    *name)
{
  return gw_test_expect_full (clients, "ack", id, name, NULL);
}

gboolean
gw_test_backlog_has (GwTestClients *clients,
                     const char    *id,
                     const char    *name)
{
  for (GList *l = clients->backlog.head; l != NULL; l = l->next)
    {
      if (gw_test_line_matches (l->data, "message", id, name))
        return TRUE;
    }
  return FALSE;
}

void
gw_test_assert_no_unclaimed (GwTestClients *clients,
                             const char    *id,
                             const char    *name)
{
  if (gw_test_backlog_has (clients, id, name))
    g_error ("client %s got %s once too often", id, name);
}

JsonNode *
gw_test_at (JsonObject *line,
            const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = json_object_get_member (line, "payload");

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        return NULL;
      node = json_object_get_member (json_node_get_object (node), parts[i]);
    }

  return node;
}

const char *
gw_test_str_at (JsonObject *line,
                const char *path)
{
  JsonNode *node = gw_test_at (line, path);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_autoptr(JsonNode) whole = json_node_init_object (json_node_alloc (), line);
      g_autofree char *text = json_to_string (whole, FALSE);

      g_error ("no string at %s in %s", path, text);
    }
  return json_node_get_string (node);
}

gint64
gw_test_int_at (JsonObject *line,
                const char *path)
{
  JsonNode *node = gw_test_at (line, path);

  g_assert_nonnull (node);
  return json_node_get_int (node);
}

gboolean
gw_test_bool_at (JsonObject *line,
                 const char *path)
{
  JsonNode *node = gw_test_at (line, path);

  g_assert_nonnull (node);
  return json_node_get_boolean (node);
}

void
gw_test_assert_iso_timestamp (const char *text)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_iso8601 (text, NULL);

  g_assert_nonnull (when);
  g_assert_true (g_str_has_suffix (text, "Z"));
}

void
gw_test_assert_failure (JsonObject *line,
                        const char *code)
{
  g_auto(GStrv) codes = g_strsplit (code, "|", -1);
  const char *got;

  g_assert_false (gw_test_bool_at (line, "success"));
  got = gw_test_str_at (line, "error.code");
  if (!g_strv_contains ((const char * const *) codes, got))
    g_error ("refused with %s, not %s", got, code);
  g_assert_cmpstr (gw_test_str_at (line, "error.message"), !=, "");
}

void
gw_test_emit (GwTestClients *clients,
              const char    *id,
              const char    *name,
              const char    *payload,
              gboolean       ack)
{
  test_peer_send (clients->peer, "{\"cmd\":\"emit\",\"id\":\"%s\",\"name\":\"%s\",\"payload\":%s,\"ack\":%s}",
                  id, name, payload, ack ? "true" : "false");
}

void
gw_test_connect (GwTestClients *clients,
                 const char    *id,
                 const char    *token,
                 guint          port)
{
  g_autoptr(JsonObject) connected = NULL;
  g_autofree char *port_member = port != 0 ? g_strdup_printf (",\"port\":%u", port) : g_strdup ("");

  if (token != NULL)
    test_peer_send (clients->peer, "{\"cmd\":\"connect\",\"id\":\"%s\",\"auth\":{\"token\":\"%s\"}%s}",
                    id, token, port_member);
  else
    test_peer_send (clients->peer, "{\"cmd\":\"connect\",\"id\":\"%s\"%s}", id, port_member);

  json_object_unref (gw_test_expect_full (clients, "connect", id, NULL, NULL));
  connected = gw_test_expect_event (clients, id, "connected");
  g_assert_cmpstr (gw_test_str_at (connected, "socketId"), !=, "");
  gw_test_assert_iso_timestamp (gw_test_str_at (connected, "serverTime"));
  if (token != NULL)
    json_object_unref (gw_test_expect_event (clients, id, "authSuccess"));
}

void
gw_test_connect_as (GwTestClients *clients,
                    GwJwt         *jwt,
                    const char    *id,
                    const char    *user_id,
                    const char    *name,
                    GwRole         role)
{
  g_autofree char *token = gw_test_mint (jwt, user_id, name, role, 900);

  gw_test_connect (clients, id, token, 0);
}

void
gw_test_join (GwTestClients *clients,
              const char    *id,
              const char    *room_id)
{
  g_autofree char *payload = g_strdup_printf ("{\"roomId\":\"%s\"}", room_id);
  g_autoptr(JsonObject) joined = NULL;

  gw_test_emit (clients, id, "joinRoom", payload, FALSE);
  joined = gw_test_expect_event (clients, id, "joinedRoom");
  g_assert_true (gw_test_bool_at (joined, "success"));
  g_assert_cmpstr (gw_test_str_at (joined, "data.roomId"), ==, room_id);
}

void
gw_test_expect_refusal (GwTestClients *clients,
                        const char    *id,
                        const char    *name,
                        const char    *payload,
                        const char    *error_event,
                        const char    *code)
{
  g_autoptr(JsonObject) event = NULL;
  g_autoptr(JsonObject) ack = NULL;
  /* By characters: a byte count could cut a UTF-8 sequence and break the TAP stream. */
  g_autofree char *shown = g_utf8_validate (payload, -1, NULL)
                             ? g_utf8_substring (payload, 0, MIN (g_utf8_strlen (payload, -1), 100))
                             : g_strdup ("…");

  g_test_message ("%s %s → %s", name, shown, code);
  gw_test_emit (clients, id, name, payload, TRUE);
  event = gw_test_expect_event (clients, id, error_event);
  gw_test_assert_failure (event, code);
  ack = gw_test_expect_ack (clients, id, name);
  gw_test_assert_failure (ack, code);
}
