/* test-gw-tickets.c: support tickets stored by the gateway [ext], as a
 * support team of two admins sees them: two gateways on one real
 * redis-server, the official socket.io-client as admins and users, and the
 * gateways restarted with everything still there; the memory backend alone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>
#include <string.h>

#include "gw-metrics.h"
#include "gw-redis.h"
#include "gw-test-fixture.h"
#include "gw-tickets.h"
#include "ld-test-gateway.h"
#include "ld-test-util.h"
#include "test-redis.h"

#define SECRET "test-tickets-secret-0123456789abcdef"

#define RETENTION_SECONDS (7 * 24 * 3600)

static const char *gateway_program;

typedef struct
{
  SoupServer *http;
  GwGateway  *gateway;
  GwRedis    *bridge;
  guint       port;
} Gateway;

typedef struct
{
  GwJwt         *jwt;
  GSubprocess   *redis;
  guint16        redis_port;
  Gateway        one;
  Gateway        two;
  GwTestClients *clients;
  gint64         retention;   /* 0: RETENTION_SECONDS */
} Fixture;

static void
gateway_start (Fixture *f,
               Gateway *gw)
{
  gw->gateway = gw_gateway_new (f->jwt);
  /* A week instead of 30 days: the setting is what Redis applies. */
  gw_gateway_set_ticket_retention (gw->gateway, f->retention != 0 ? f->retention : RETENTION_SECONDS);
  if (f->redis != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *uri = g_strdup_printf ("redis://127.0.0.1:%u", f->redis_port);

      gw->bridge = gw_redis_new (uri, &error);
      g_assert_no_error (error);
      gw_gateway_set_redis (gw->gateway, gw->bridge);
    }
  gw->http = gw_test_listen (gw->gateway, &gw->port);
  if (gw->bridge != NULL)
    {
      gw_redis_start (gw->bridge);
      LD_TEST_WAIT_UNTIL (gw_redis_get_connected (gw->bridge), GW_TEST_WAIT_MS);
    }
}

static void
gateway_stop (Gateway *gw)
{
  if (gw->gateway == NULL)
    return;
  gw_gateway_close (gw->gateway);
  g_assert_finalize_object (gw->gateway);
  gw->gateway = NULL;
  soup_server_disconnect (gw->http);
  g_clear_object (&gw->http);
  g_clear_object (&gw->bridge);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GBytes) secret = g_bytes_new_static (SECRET, strlen (SECRET));
  g_autoptr(GError) error = NULL;
  gboolean with_redis = GPOINTER_TO_INT (data);

  f->jwt = gw_jwt_new (secret, &error);
  g_assert_no_error (error);
  if (with_redis)
    {
      f->redis_port = test_free_port ();
      f->redis = test_redis_start (f->redis_port, NULL);
    }
  gateway_start (f, &f->one);
  if (with_redis)
    gateway_start (f, &f->two);
  f->clients = gw_test_clients_new (f->one.port);
}

/* Resolved tickets kept one second, with Redis (DATA) or without. */
static void
fixture_setup_short_retention (Fixture       *f,
                               gconstpointer  data)
{
  f->retention = 1;
  fixture_setup (f, data);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->clients, gw_test_clients_free);
  gateway_stop (&f->two);
  gateway_stop (&f->one);
  g_clear_object (&f->jwt);
  if (f->redis != NULL)
    {
      test_redis_stop (f->redis, SIGKILL);
      g_clear_object (&f->redis);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
connect_as (Fixture    *f,
            const char *id,
            guint       port,
            const char *user_id,
            const char *name,
            GwRole      role)
{
  g_autofree char *token = gw_test_mint (f->jwt, user_id, name, role, 900);

  gw_test_connect (f->clients, id, token, port);
}

static gboolean
on_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* chatWithAdmin from client ID; a refusal for the chat rate limit (one
 * message a second) is honoured by waiting as long as it says, as a user's
 * app would. Returns the ack's ticket id. */
static char *
ask_support (Fixture    *f,
             const char *id,
             const char *message,
             const char *support_type)
{
  g_autofree char *payload = g_strdup_printf ("{\"message\":\"%s\",\"supportType\":\"%s\"}", message, support_type);

  for (guint attempt = 0; attempt < 10; attempt++)
    {
      g_autoptr(JsonObject) ack = NULL;
      gboolean waited = FALSE;

      gw_test_emit (f->clients, id, "chatWithAdmin", payload, TRUE);
      ack = gw_test_expect_ack (f->clients, id, "chatWithAdmin");
      if (gw_test_bool_at (ack, "success"))
        return g_strdup (gw_test_str_at (ack, "data.ticketId"));

      gw_test_assert_failure (ack, "RATE_LIMITED");
      json_object_unref (gw_test_expect_event (f->clients, id, "chatWithAdminError"));
      g_timeout_add (gw_test_int_at (ack, "error.retryAfterMs") + 1, on_timeout, &waited);
      LD_TEST_WAIT_UNTIL (waited, GW_TEST_WAIT_MS);
    }
  g_error ("chatWithAdmin stayed rate limited");
  return NULL;
}

static void
assert_ticket_message (JsonObject *event,
                       const char *ticket_id,
                       const char *from,
                       const char *from_role,
                       const char *message)
{
  g_assert_cmpstr (gw_test_str_at (event, "ticketId"), ==, ticket_id);
  g_assert_cmpstr (gw_test_str_at (event, "from"), ==, from);
  g_assert_cmpstr (gw_test_str_at (event, "fromRole"), ==, from_role);
  g_assert_cmpstr (gw_test_str_at (event, "message"), ==, message);
  gw_test_assert_iso_timestamp (gw_test_str_at (event, "timestamp"));
}

static void
assert_ticket_update (JsonObject *event,
                      const char *ticket_id,
                      const char *status,
                      const char *assignee,
                      const char *by)
{
  g_assert_cmpstr (gw_test_str_at (event, "ticketId"), ==, ticket_id);
  g_assert_cmpstr (gw_test_str_at (event, "status"), ==, status);
  g_assert_cmpstr (gw_test_str_at (event, "assignee"), ==, assignee);
  g_assert_cmpstr (gw_test_str_at (event, "by"), ==, by);
  gw_test_assert_iso_timestamp (gw_test_str_at (event, "timestamp"));
}

/* Emits NAME {ticketId} from admin ID and returns the ticketUpdate the
 * admin WATCHER (on the other gateway) sees. */
static JsonObject *
change_ticket (Fixture    *f,
               const char *id,
               const char *name,
               const char *ticket_id,
               const char *watcher)
{
  g_autofree char *payload = g_strdup_printf ("{\"ticketId\":\"%s\"}", ticket_id);
  g_autoptr(JsonObject) ack = NULL;

  gw_test_emit (f->clients, id, name, payload, TRUE);
  ack = gw_test_expect_ack (f->clients, id, name);
  g_assert_true (gw_test_bool_at (ack, "success"));
  json_object_unref (gw_test_expect_event (f->clients, id, "ticketUpdate"));
  return gw_test_expect_event (f->clients, watcher, "ticketUpdate");
}

static JsonObject *
get_ticket (Fixture    *f,
            const char *id,
            const char *ticket_id)
{
  g_autofree char *payload = g_strdup_printf ("{\"ticketId\":\"%s\"}", ticket_id);
  g_autoptr(JsonObject) ack = NULL;
  JsonObject *history;

  gw_test_emit (f->clients, id, "getTicket", payload, TRUE);
  history = gw_test_expect_event (f->clients, id, "ticketHistory");
  g_assert_true (gw_test_bool_at (history, "success"));
  ack = gw_test_expect_ack (f->clients, id, "getTicket");
  g_assert_true (gw_test_bool_at (ack, "success"));
  return history;
}

static JsonArray *
messages_of (JsonObject *history)
{
  return json_node_get_array (gw_test_at (history, "data.messages"));
}

static const char *
message_text (JsonArray *messages,
              guint      index)
{
  return json_object_get_string_member (json_array_get_object_element (messages, index), "message");
}

static JsonObject *
list_tickets (Fixture    *f,
              const char *id,
              const char *payload)
{
  JsonObject *list;

  gw_test_emit (f->clients, id, "listTickets", payload, FALSE);
  list = gw_test_expect_event (f->clients, id, "ticketList");
  g_assert_true (gw_test_bool_at (list, "success"));
  return list;
}

/* The ticket TICKET_ID in a ticketList, or NULL. */
static JsonObject *
find_ticket (JsonObject *list,
             const char *ticket_id)
{
  JsonArray *tickets = json_node_get_array (gw_test_at (list, "data.tickets"));

  for (guint i = 0; i < json_array_get_length (tickets); i++)
    {
      JsonObject *ticket = json_array_get_object_element (tickets, i);

      if (g_strcmp0 (json_object_get_string_member (ticket, "ticketId"), ticket_id) == 0)
        return ticket;
    }
  return NULL;
}

/* Redis' TTL of ticket TICKET_ID's messages: -1 while kept for good. */
static gint64
ticket_ttl (Fixture    *f,
            const char *ticket_id)
{
  g_autofree char *key = g_strdup_printf ("livedesk:tickets:ticket:%s:messages", ticket_id);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  gw_redis_command_async (f->one.bridge, (const char *[]) { "TTL", key, NULL }, NULL, ld_test_store_result,
                          &result);
  LD_TEST_WAIT_UNTIL (result != NULL, GW_TEST_WAIT_MS);
  reply = gw_redis_command_finish (f->one.bridge, result, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_is_of_type (reply, G_VARIANT_TYPE_INT64));
  return g_variant_get_int64 (reply);
}

static gboolean
redis_has (Fixture    *f,
           const char *first,
           ...) G_GNUC_NULL_TERMINATED;

/* Whether Redis holds the key (FIRST only) or the member (FIRST: a sorted
 * set, then the member). */
static gboolean
redis_has (Fixture    *f,
           const char *first,
           ...)
{
  const char *member;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, first);
  member = va_arg (args, const char *);
  va_end (args);
  if (member != NULL)
    gw_redis_command_async (f->one.bridge, (const char *[]) { "ZSCORE", first, member, NULL }, NULL,
                            ld_test_store_result, &result);
  else
    gw_redis_command_async (f->one.bridge, (const char *[]) { "EXISTS", first, NULL }, NULL,
                            ld_test_store_result, &result);
  LD_TEST_WAIT_UNTIL (result != NULL, GW_TEST_WAIT_MS);
  reply = gw_redis_command_finish (f->one.bridge, result, &error);
  g_assert_no_error (error);
  if (g_variant_is_of_type (reply, G_VARIANT_TYPE_INT64))
    return g_variant_get_int64 (reply) != 0;
  return g_variant_is_of_type (reply, G_VARIANT_TYPE_STRING);
}

/* A resolved ticket is forgotten after the retention (one second here):
 * not listed, not found, and gone from Redis' indexes too. */
static void
test_expiry (Fixture       *f,
             gconstpointer  data)
{
  gboolean with_redis = GPOINTER_TO_INT (data);
  g_autofree char *ticket = NULL;
  g_autofree char *key = NULL;
  g_autofree char *other = NULL;
  g_autofree char *payload = NULL;
  g_autoptr(JsonObject) update = NULL;
  g_autoptr(JsonObject) list = NULL;

  connect_as (f, "A", 0, "adminA", "Admin A", GW_ROLE_ADMIN);
  connect_as (f, "B", 0, "adminB", "Admin B", GW_ROLE_ADMIN);
  connect_as (f, "u", 0, "user1", "User One", GW_ROLE_VIEWER);
  ticket = ask_support (f, "u", "Short-lived", "general");
  update = change_ticket (f, "A", "resolveTicket", ticket, "B");
  key = g_strdup_printf ("livedesk:tickets:ticket:%s", ticket);

  if (with_redis)
    {
      g_assert_true (redis_has (f, "livedesk:tickets:expiry", ticket, NULL));
      /* Redis lets it go by itself. */
      LD_TEST_WAIT_UNTIL (!redis_has (f, key, NULL), GW_TEST_WAIT_MS);
    }
  else
    {
      gboolean waited = FALSE;

      /* At least the retention has passed: a lower bound, not a race. */
      g_timeout_add (1001, on_timeout, &waited);
      LD_TEST_WAIT_UNTIL (waited, GW_TEST_WAIT_MS);
    }

  /* The next change sweeps the indexes. */
  other = ask_support (f, "u", "Another one", "billing");
  g_assert_cmpstr (other, !=, ticket);
  if (with_redis)
    {
      g_assert_false (redis_has (f, "livedesk:tickets:all", ticket, NULL));
      g_assert_false (redis_has (f, "livedesk:tickets:status:resolved", ticket, NULL));
      g_assert_false (redis_has (f, "livedesk:tickets:expiry", ticket, NULL));
      g_assert_true (redis_has (f, "livedesk:tickets:all", other, NULL));
    }

  list = list_tickets (f, "A", "{}");
  g_assert_null (find_ticket (list, ticket));
  g_assert_nonnull (find_ticket (list, other));
  payload = g_strdup_printf ("{\"ticketId\":\"%s\"}", ticket);
  gw_test_expect_refusal (f->clients, "A", "getTicket", payload, "getTicketError", "INVALID_PAYLOAD");
  gw_test_expect_refusal (f->clients, "u", "getTicket", payload, "getTicketError", "FORBIDDEN");
}

/* Without Redis nothing is stored, so nothing is sent: the user hears
 * INTERNAL and may try again, the operator sees it counted. */
static void
test_redis_away (Fixture       *f,
                 gconstpointer  data)
{
  gint64 before = gw_metrics_get ("livedesk_ticket_refusals_total", "reason=\"unavailable\"");

  connect_as (f, "A", 0, "adminA", "Admin A", GW_ROLE_ADMIN);
  connect_as (f, "u", 0, "user1", "User One", GW_ROLE_VIEWER);

  test_redis_stop (f->redis, SIGKILL);
  g_clear_object (&f->redis);
  LD_TEST_WAIT_UNTIL (!gw_redis_get_connected (f->one.bridge), GW_TEST_WAIT_MS);

  gw_test_expect_refusal (f->clients, "u", "chatWithAdmin", "{\"message\":\"anyone?\"}", "chatWithAdminError",
                          "INTERNAL");
  gw_test_expect_refusal (f->clients, "A", "listTickets", "{}", "listTicketsError", "INTERNAL");
  g_assert_cmpint (gw_metrics_get ("livedesk_ticket_refusals_total", "reason=\"unavailable\""), ==, before + 2);
}

/* A support team of two admins, each on another gateway, and users. */
static void
test_team (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *ticket = NULL;
  g_autofree char *again = NULL;
  g_autofree char *payload = NULL;
  g_autoptr(JsonObject) event = NULL;

  connect_as (f, "A", f->one.port, "adminA", "Admin A", GW_ROLE_ADMIN);
  connect_as (f, "B", f->two.port, "adminB", "Admin B", GW_ROLE_ADMIN);
  connect_as (f, "u", f->two.port, "user1", "User One", GW_ROLE_VIEWER);
  connect_as (f, "v", f->one.port, "user2", "User Two", GW_ROLE_VIEWER);

  /* The user writes on the second gateway: both admins see the ticket's
   * message, and adminChat as before. */
  ticket = ask_support (f, "u", "My gift vanished", "billing");
  for (const char **id = (const char *[]) { "A", "B", NULL }; *id != NULL; id++)
    {
      g_autoptr(JsonObject) message = gw_test_expect_event (f->clients, *id, "ticketMessage");
      g_autoptr(JsonObject) chat = gw_test_expect_event (f->clients, *id, "adminChat");

      assert_ticket_message (message, ticket, "User One", "viewer", "My gift vanished");
      g_assert_cmpstr (gw_test_str_at (message, "userId"), ==, "user1");
      g_assert_cmpstr (gw_test_str_at (chat, "ticketId"), ==, ticket);
      g_assert_cmpstr (gw_test_str_at (chat, "supportType"), ==, "billing");
    }

  /* More from the user goes to the same open ticket. */
  again = ask_support (f, "u", "It was a rose", "billing");
  g_assert_cmpstr (again, ==, ticket);
  event = gw_test_expect_event (f->clients, "B", "ticketMessage");
  assert_ticket_message (event, ticket, "User One", "viewer", "It was a rose");
  json_object_unref (gw_test_expect_event (f->clients, "A", "ticketMessage"));

  /* A claims it; B, on the other gateway, sees it claimed. */
  g_clear_pointer (&event, json_object_unref);
  event = change_ticket (f, "A", "claimTicket", ticket, "B");
  assert_ticket_update (event, ticket, "open", "Admin A", "Admin A");

  /* A answers (userId left out: the ticket knows its user); the user gets
   * adminMessage, B sees A's reply. */
  payload = g_strdup_printf ("{\"ticketId\":\"%s\",\"message\":\"Looking into it\"}", ticket);
  gw_test_emit (f->clients, "A", "adminReply", payload, TRUE);
  g_clear_pointer (&event, json_object_unref);
  event = gw_test_expect_ack (f->clients, "A", "adminReply");
  g_assert_true (gw_test_bool_at (event, "success"));
  g_clear_pointer (&event, json_object_unref);
  event = gw_test_expect_event (f->clients, "u", "adminMessage");
  g_assert_cmpstr (gw_test_str_at (event, "ticketId"), ==, ticket);
  g_assert_cmpstr (gw_test_str_at (event, "from"), ==, "Admin A");
  g_assert_cmpstr (gw_test_str_at (event, "message"), ==, "Looking into it");
  g_clear_pointer (&event, json_object_unref);
  event = gw_test_expect_event (f->clients, "B", "ticketMessage");
  assert_ticket_message (event, ticket, "Admin A", "admin", "Looking into it");
  json_object_unref (gw_test_expect_event (f->clients, "A", "ticketMessage"));
  /* Another user never hears of it. */
  gw_test_assert_no_unclaimed (f->clients, "v", "adminMessage");
  gw_test_assert_no_unclaimed (f->clients, "v", "ticketMessage");

  /* A reply naming another user than the ticket's is refused. */
  g_free (payload);
  payload = g_strdup_printf ("{\"ticketId\":\"%s\",\"userId\":\"user2\",\"message\":\"wrong\"}", ticket);
  gw_test_expect_refusal (f->clients, "A", "adminReply", payload, "adminReplyError", "INVALID_PAYLOAD");

  /* Viewers list nothing and see only their own tickets. */
  gw_test_expect_refusal (f->clients, "v", "listTickets", "{}", "listTicketsError", "FORBIDDEN");
  g_free (payload);
  payload = g_strdup_printf ("{\"ticketId\":\"%s\"}", ticket);
  gw_test_expect_refusal (f->clients, "v", "getTicket", payload, "getTicketError", "FORBIDDEN");
  gw_test_expect_refusal (f->clients, "v", "claimTicket", payload, "claimTicketError", "FORBIDDEN");
  gw_test_expect_refusal (f->clients, "u", "resolveTicket", payload, "resolveTicketError", "FORBIDDEN");
  gw_test_expect_refusal (f->clients, "A", "getTicket", "{\"ticketId\":\"no such/ticket\"}", "getTicketError",
                          "INVALID_PAYLOAD");
  gw_test_expect_refusal (f->clients, "A", "claimTicket", "{\"ticketId\":\"00000000-0000-0000-0000-000000000000\"}",
                          "claimTicketError", "INVALID_PAYLOAD");
  gw_test_expect_refusal (f->clients, "A", "listTickets", "{\"status\":\"closed\"}", "listTicketsError",
                          "INVALID_PAYLOAD");
  gw_test_expect_refusal (f->clients, "A", "listTickets", "{\"limit\":0}", "listTicketsError", "INVALID_PAYLOAD");
  gw_test_expect_refusal (f->clients, "A", "listTickets", "{\"before\":\"yesterday\"}", "listTicketsError",
                          "INVALID_PAYLOAD");
  {
    g_autoptr(JsonObject) history = get_ticket (f, "u", ticket);
    JsonArray *messages = messages_of (history);

    g_assert_cmpuint (json_array_get_length (messages), ==, 3);
    g_assert_cmpstr (message_text (messages, 2), ==, "Looking into it");
  }

  /* B resolves it; A sees that. Redis forgets it after the retention. */
  g_clear_pointer (&event, json_object_unref);
  event = change_ticket (f, "B", "resolveTicket", ticket, "A");
  assert_ticket_update (event, ticket, "resolved", "Admin A", "Admin B");
  g_assert_cmpint (ticket_ttl (f, ticket), >, 0);
  g_assert_cmpint (ticket_ttl (f, ticket), <=, RETENTION_SECONDS);

  /* Both gateways restart: what the team knew is still there. */
  g_clear_pointer (&f->clients, gw_test_clients_free);
  gateway_stop (&f->one);
  gateway_stop (&f->two);
  gateway_start (f, &f->one);
  gateway_start (f, &f->two);
  f->clients = gw_test_clients_new (f->one.port);
  connect_as (f, "A", f->one.port, "adminA", "Admin A", GW_ROLE_ADMIN);
  connect_as (f, "B", f->two.port, "adminB", "Admin B", GW_ROLE_ADMIN);
  connect_as (f, "u", f->one.port, "user1", "User One", GW_ROLE_VIEWER);

  {
    g_autoptr(JsonObject) all = list_tickets (f, "B", "{}");
    g_autoptr(JsonObject) open = list_tickets (f, "B", "{\"status\":\"open\"}");
    g_autoptr(JsonObject) resolved = list_tickets (f, "B", "{\"status\":\"resolved\"}");
    g_autoptr(JsonObject) history = get_ticket (f, "B", ticket);
    JsonObject *listed = find_ticket (all, ticket);
    JsonArray *messages = messages_of (history);
    JsonObject *first;

    g_assert_nonnull (listed);
    g_assert_cmpstr (json_object_get_string_member (listed, "status"), ==, "resolved");
    g_assert_cmpstr (json_object_get_string_member (listed, "assignee"), ==, "Admin A");
    g_assert_cmpstr (json_object_get_string_member (listed, "userId"), ==, "user1");
    g_assert_cmpstr (json_object_get_string_member (listed, "supportType"), ==, "billing");
    g_assert_cmpint (json_object_get_int_member (listed, "messageCount"), ==, 3);
    g_assert_null (find_ticket (open, ticket));
    g_assert_nonnull (find_ticket (resolved, ticket));

    g_assert_cmpuint (json_array_get_length (messages), ==, 3);
    first = json_array_get_object_element (messages, 0);
    g_assert_cmpstr (json_object_get_string_member (first, "from"), ==, "User One");
    g_assert_cmpstr (json_object_get_string_member (first, "fromRole"), ==, "viewer");
    g_assert_cmpstr (message_text (messages, 0), ==, "My gift vanished");
    g_assert_cmpstr (message_text (messages, 1), ==, "It was a rose");
    g_assert_cmpstr (message_text (messages, 2), ==, "Looking into it");
  }

  /* The user reconnected sees the conversation so far. */
  {
    g_autoptr(JsonObject) history = get_ticket (f, "u", ticket);

    g_assert_cmpuint (json_array_get_length (messages_of (history)), ==, 3);
  }

  /* A resolved ticket: the user's next message opens a new one; a reopened
   * one takes the user's messages again. */
  {
    g_autofree char *fresh = ask_support (f, "u", "Another question", "billing");
    g_autofree char *back = NULL;
    g_autoptr(JsonObject) reopened = NULL;
    g_autoptr(JsonObject) first = NULL;
    g_autoptr(JsonObject) next = NULL;
    g_autofree char *next_payload = NULL;
    JsonArray *tickets;

    g_assert_cmpstr (fresh, !=, ticket);
    json_object_unref (gw_test_expect_event (f->clients, "A", "ticketMessage"));
    json_object_unref (gw_test_expect_event (f->clients, "B", "ticketMessage"));

    /* Paging: one at a time, newest first. */
    first = list_tickets (f, "A", "{\"limit\":1}");
    tickets = json_node_get_array (gw_test_at (first, "data.tickets"));
    g_assert_cmpuint (json_array_get_length (tickets), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (tickets, 0), "ticketId"), ==,
                     fresh);
    next_payload = g_strdup_printf ("{\"limit\":1,\"before\":\"%s\"}", gw_test_str_at (first, "data.nextBefore"));
    next = list_tickets (f, "A", next_payload);
    tickets = json_node_get_array (gw_test_at (next, "data.tickets"));
    g_assert_cmpuint (json_array_get_length (tickets), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (tickets, 0), "ticketId"), ==,
                     ticket);

    reopened = change_ticket (f, "A", "reopenTicket", ticket, "B");
    assert_ticket_update (reopened, ticket, "open", "Admin A", "Admin A");
    /* Open again: kept for good. */
    g_assert_cmpint (ticket_ttl (f, ticket), ==, -1);
    g_clear_pointer (&reopened, json_object_unref);
    reopened = change_ticket (f, "B", "claimTicket", ticket, "A");
    assert_ticket_update (reopened, ticket, "open", "Admin B", "Admin B");
    /* Resolving the fresh one leaves the reopened one the user's open ticket. */
    g_clear_pointer (&reopened, json_object_unref);
    reopened = change_ticket (f, "B", "resolveTicket", fresh, "A");
    back = ask_support (f, "u", "Still missing", "billing");
    g_assert_cmpstr (back, ==, ticket);
  }

  gw_test_assert_no_unclaimed (f->clients, "u", "adminMessage");
}

/* getTicket {supportType} of a user with no such ticket open, expected to
 * answer ticketHistory and the ack as a success with data null. */
static void
expect_no_ticket (Fixture    *f,
                  const char *id,
                  const char *support_type)
{
  g_autofree char *payload = g_strdup_printf ("{\"supportType\":\"%s\"}", support_type);
  g_autoptr(JsonObject) history = NULL;
  g_autoptr(JsonObject) ack = NULL;

  gw_test_emit (f->clients, id, "getTicket", payload, TRUE);
  history = gw_test_expect_event (f->clients, id, "ticketHistory");
  g_assert_true (gw_test_bool_at (history, "success"));
  g_assert_nonnull (gw_test_at (history, "data"));
  g_assert_true (json_node_is_null (gw_test_at (history, "data")));
  ack = gw_test_expect_ack (f->clients, id, "getTicket");
  g_assert_true (gw_test_bool_at (ack, "success"));
  g_assert_nonnull (gw_test_at (ack, "data"));
  g_assert_true (json_node_is_null (gw_test_at (ack, "data")));
  gw_test_assert_no_unclaimed (f->clients, id, "getTicketError");
}

static void
test_memory (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *ticket = NULL;
  g_autoptr(JsonObject) update = NULL;
  g_autoptr(JsonObject) list = NULL;
  g_autoptr(JsonObject) history = NULL;

  connect_as (f, "A", 0, "adminA", "Admin A", GW_ROLE_ADMIN);
  connect_as (f, "B", 0, "adminB", "Admin B", GW_ROLE_ADMIN);
  connect_as (f, "u", 0, "user1", "User One", GW_ROLE_VIEWER);

  ticket = ask_support (f, "u", "Help", "general");
  json_object_unref (gw_test_expect_event (f->clients, "A", "ticketMessage"));
  json_object_unref (gw_test_expect_event (f->clients, "B", "ticketMessage"));

  update = change_ticket (f, "A", "claimTicket", ticket, "B");
  assert_ticket_update (update, ticket, "open", "Admin A", "Admin A");

  list = list_tickets (f, "B", "{\"status\":\"open\"}");
  g_assert_nonnull (find_ticket (list, ticket));
  g_assert_true (json_node_is_null (gw_test_at (list, "data.nextBefore")));

  history = get_ticket (f, "u", ticket);
  g_assert_cmpuint (json_array_get_length (messages_of (history)), ==, 1);
  g_assert_cmpstr (message_text (messages_of (history), 0), ==, "Help");

  gw_test_expect_refusal (f->clients, "u", "listTickets", "{}", "listTicketsError", "FORBIDDEN");

  /* Malformed requests are refused, never fatal. */
  gw_test_expect_refusal (f->clients, "u", "getTicket", "{\"ticketId\":5}", "getTicketError", "INVALID_PAYLOAD");
  gw_test_expect_refusal (f->clients, "u", "getTicket", "{\"supportType\":7}", "getTicketError", "INVALID_PAYLOAD");
  /* Without the id, one's own open ticket of a type (test_user_view: none). */
  expect_no_ticket (f, "A", "general");
  {
    g_autoptr(JsonObject) own = NULL;

    gw_test_emit (f->clients, "u", "getTicket", "{}", FALSE);
    own = gw_test_expect_event (f->clients, "u", "ticketHistory");
    g_assert_cmpstr (gw_test_str_at (own, "data.ticketId"), ==, ticket);
  }
  gw_test_expect_refusal (f->clients, "A", "listTickets", "{\"limit\":\"5\"}", "listTicketsError",
                          "INVALID_PAYLOAD");
  gw_test_expect_refusal (f->clients, "A", "listTickets", "{\"status\":1}", "listTicketsError", "INVALID_PAYLOAD");
  gw_test_expect_refusal (f->clients, "A", "listTickets", "{\"before\":[]}", "listTicketsError", "INVALID_PAYLOAD");
  gw_test_expect_refusal (f->clients, "A", "claimTicket", "42", "claimTicketError", "INVALID_PAYLOAD");
  gw_test_expect_refusal (f->clients, "A", "adminReply",
                          "{\"ticketId\":\"" "0123456789012345678901234567890123456789012345678901234567890123456789"
                          "\",\"message\":\"hi\"}", "adminReplyError", "INVALID_PAYLOAD");
  gw_test_expect_refusal (f->clients, "A", "adminReply", "{\"ticketId\":\"t1\",\"message\":\"hi\"}",
                          "adminReplyError", "INVALID_PAYLOAD");
  g_assert_cmpint (gw_metrics_get ("livedesk_ticket_refusals_total", "reason=\"not_found\""), >=, 1);
}

/* What a user sees of their tickets: asking for one of a type they have
 * none of is an empty answer, not a refusal (nothing counted or logged as
 * one), and an admin's internal note is neither shown nor counted to them,
 * while admins see and count it. In memory, or in Redis if DATA says so. */
static void
test_user_view (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *ticket = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *note = NULL;
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) heard = NULL;
  g_autoptr(JsonObject) own = NULL;
  g_autoptr(JsonObject) staff = NULL;
  g_autoptr(JsonObject) by_type = NULL;
  gint64 invalid = gw_metrics_get ("livedesk_refusals_total", "code=\"INVALID_PAYLOAD\"");
  gint64 not_found = gw_metrics_get ("livedesk_ticket_refusals_total", "reason=\"not_found\"");

  connect_as (f, "A", 0, "adminA", "Admin A", GW_ROLE_ADMIN);
  connect_as (f, "u", 0, "user1", "User One", GW_ROLE_VIEWER);

  /* Every start of the app of a user who never asked for help. */
  expect_no_ticket (f, "u", "billing");
  expect_no_ticket (f, "u", "billing");
  g_assert_cmpint (gw_metrics_get ("livedesk_refusals_total", "code=\"INVALID_PAYLOAD\""), ==, invalid);
  g_assert_cmpint (gw_metrics_get ("livedesk_ticket_refusals_total", "reason=\"not_found\""), ==, not_found);

  ticket = ask_support (f, "u", "Where is my refund?", "billing");
  json_object_unref (gw_test_expect_event (f->clients, "A", "ticketMessage"));
  /* A ticket of one type is none of another. */
  expect_no_ticket (f, "u", "account");

  note = g_strdup_printf ("{\"ticketId\":\"%s\",\"message\":\"Refund was sent on the 3rd\","
                          "\"internal\":true}", ticket);
  gw_test_emit (f->clients, "A", "adminReply", note, TRUE);
  ack = gw_test_expect_ack (f->clients, "A", "adminReply");
  g_assert_true (gw_test_bool_at (ack, "success"));
  json_object_unref (gw_test_expect_event (f->clients, "A", "ticketMessage"));
  reply = g_strdup_printf ("{\"ticketId\":\"%s\",\"message\":\"It is on its way\"}", ticket);
  gw_test_emit (f->clients, "A", "adminReply", reply, TRUE);
  g_clear_pointer (&ack, json_object_unref);
  ack = gw_test_expect_ack (f->clients, "A", "adminReply");
  g_assert_true (gw_test_bool_at (ack, "success"));
  json_object_unref (gw_test_expect_event (f->clients, "A", "ticketMessage"));
  /* The user heard the reply, and only the reply. */
  heard = gw_test_expect_event (f->clients, "u", "adminMessage");
  g_assert_cmpstr (gw_test_str_at (heard, "message"), ==, "It is on its way");
  gw_test_assert_no_unclaimed (f->clients, "u", "adminMessage");

  own = get_ticket (f, "u", ticket);
  g_assert_cmpuint (json_array_get_length (messages_of (own)), ==, 2);
  g_assert_cmpstr (message_text (messages_of (own), 0), ==, "Where is my refund?");
  g_assert_cmpstr (message_text (messages_of (own), 1), ==, "It is on its way");
  g_assert_cmpint (gw_test_int_at (own, "data.messageCount"), ==, 2);

  gw_test_emit (f->clients, "u", "getTicket", "{\"supportType\":\"billing\"}", FALSE);
  by_type = gw_test_expect_event (f->clients, "u", "ticketHistory");
  g_assert_cmpstr (gw_test_str_at (by_type, "data.ticketId"), ==, ticket);
  g_assert_cmpuint (json_array_get_length (messages_of (by_type)), ==, 2);
  g_assert_cmpint (gw_test_int_at (by_type, "data.messageCount"), ==, 2);

  staff = get_ticket (f, "A", ticket);
  g_assert_cmpuint (json_array_get_length (messages_of (staff)), ==, 3);
  g_assert_cmpstr (message_text (messages_of (staff), 1), ==, "Refund was sent on the 3rd");
  g_assert_cmpint (gw_test_int_at (staff, "data.messageCount"), ==, 3);
}

static JsonObject *
post (GwTickets   *tickets,
      const char  *user_id,
      const char  *support_type,
      GError     **error)
{
  g_autoptr(JsonObject) message = json_object_new ();
  g_autoptr(GAsyncResult) result = NULL;

  json_object_set_string_member (message, "from", user_id);
  json_object_set_string_member (message, "message", "hello");
  gw_tickets_post_async (tickets, user_id, user_id, support_type, message, NULL, ld_test_store_result, &result);
  LD_TEST_WAIT_UNTIL (result != NULL, GW_TEST_WAIT_MS);
  return gw_tickets_post_finish (tickets, result, NULL, error);
}

/* The bounds, with their refusals: messages per ticket, open tickets per
 * user; a reply names the ticket's user or none. In memory, or in Redis if
 * DATA says so. */
static void
test_bounds (gconstpointer data)
{
  g_autoptr(GwTickets) tickets = gw_tickets_new (0);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) ticket = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) message = json_object_new ();
  g_autoptr(GSubprocess) redis = NULL;
  g_autoptr(GwRedis) bridge = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  if (GPOINTER_TO_INT (data))
    {
      guint16 port = test_free_port ();
      g_autofree char *uri = g_strdup_printf ("redis://127.0.0.1:%u", port);

      redis = test_redis_start (port, NULL);
      bridge = gw_redis_new (uri, &error);
      g_assert_no_error (error);
      gw_redis_start (bridge);
      LD_TEST_WAIT_UNTIL (gw_redis_get_connected (bridge), GW_TEST_WAIT_MS);
      gw_tickets_set_redis (tickets, bridge);
    }

  for (guint i = 0; i < GW_TICKETS_MAX_MESSAGES; i++)
    {
      g_clear_pointer (&ticket, json_object_unref);
      ticket = post (tickets, "alice", "general", &error);
      g_assert_no_error (error);
    }
  g_assert_cmpint (json_object_get_int_member (ticket, "messageCount"), ==, GW_TICKETS_MAX_MESSAGES);
  g_assert_null (post (tickets, "alice", "general", &error));
  g_assert_error (error, GW_TICKETS_ERROR, GW_TICKETS_ERROR_FULL);
  g_clear_error (&error);

  for (guint i = 1; i < GW_TICKETS_MAX_OPEN_PER_USER; i++)
    {
      g_autofree char *type = g_strdup_printf ("type%u", i);

      g_clear_pointer (&ticket, json_object_unref);
      ticket = post (tickets, "alice", type, &error);
      g_assert_no_error (error);
    }
  g_assert_null (post (tickets, "alice", "one-too-many", &error));
  g_assert_error (error, GW_TICKETS_ERROR, GW_TICKETS_ERROR_TOO_MANY);
  g_clear_error (&error);

  /* Another user is not held back by alice. */
  g_clear_pointer (&ticket, json_object_unref);
  ticket = post (tickets, "bob", "one-too-many", &error);
  g_assert_no_error (error);

  g_assert_true (gw_tickets_id_is_valid (json_object_get_string_member (ticket, "ticketId")));
  g_assert_false (gw_tickets_id_is_valid (""));
  g_assert_false (gw_tickets_id_is_valid ("a/b"));

  /* bob's ticket takes a reply meant for bob, not one meant for alice. */
  json_object_set_string_member (message, "from", "admin");
  json_object_set_string_member (message, "message", "hi");
  gw_tickets_reply_async (tickets, json_object_get_string_member (ticket, "ticketId"), "alice", message, NULL,
                          ld_test_store_result, &result);
  LD_TEST_WAIT_UNTIL (result != NULL, GW_TEST_WAIT_MS);
  g_assert_null (gw_tickets_reply_finish (tickets, result, &error));
  g_assert_error (error, GW_TICKETS_ERROR, GW_TICKETS_ERROR_OTHER_USER);
  g_clear_error (&error);
  g_clear_object (&result);
  gw_tickets_reply_async (tickets, json_object_get_string_member (ticket, "ticketId"), "bob", message, NULL,
                          ld_test_store_result, &result);
  LD_TEST_WAIT_UNTIL (result != NULL, GW_TEST_WAIT_MS);
  reply = gw_tickets_reply_finish (tickets, result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (reply, "messageCount"), ==, 2);

  g_clear_object (&tickets);
  g_clear_object (&bridge);
  if (redis != NULL)
    test_redis_stop (redis, SIGKILL);
}

/* Until the gateway process at URL says its Redis link is up: before that,
 * tickets are refused as unavailable. */
static void
wait_redis_connected (const char *url)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *health = g_strdup_printf ("%s/api/v1/system/health", url);
  gint64 deadline = g_get_monotonic_time () + GW_TEST_WAIT_MS * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(SoupMessage) message = soup_message_new ("GET", health);
      g_autoptr(GBytes) body = soup_session_send_and_read (session, message, NULL, NULL);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *node;
      gsize size = 0;
      const char *data = body != NULL ? g_bytes_get_data (body, &size) : NULL;

      /* The body is not NUL-terminated: parse it by its length. */
      if (data != NULL && json_parser_load_from_data (parser, data, (gssize) size, NULL) &&
          (node = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
          g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (node), "redis", NULL),
                     "connected") == 0)
        return;
      g_usleep (50 * 1000);
    }
  g_error ("%s never connected to Redis", url);
}

static void
connect_minted (Fixture       *f,
                LdTestGateway *gateway,
                const char    *id,
                const char    *user,
                const char    *role)
{
  g_autofree char *token = ld_test_gateway_mint (gateway, user, role, 900);

  gw_test_connect (f->clients, id, token, ld_test_gateway_get_port (gateway));
}

/* Two real `livedesk-gateway serve` processes on one Redis, both killed and
 * started again: the team finds the ticket as it was. */
static void
test_processes (void)
{
  guint16 redis_port = test_free_port ();
  g_autoptr(GSubprocess) redis = test_redis_start (redis_port, NULL);
  g_autofree char *uri = g_strdup_printf ("redis://127.0.0.1:%u", redis_port);
  g_autoptr(LdTestGateway) one = ld_test_gateway_start_with (gateway_program, "--redis", uri, NULL);
  g_autoptr(LdTestGateway) two = ld_test_gateway_start_with (gateway_program, "--redis", uri, NULL);
  g_autofree char *ticket = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *again = NULL;
  g_autoptr(JsonObject) event = NULL;
  Fixture fixture = { 0 };
  Fixture *f = &fixture;

  wait_redis_connected (ld_test_gateway_get_url (one));
  wait_redis_connected (ld_test_gateway_get_url (two));
  f->clients = gw_test_clients_new (ld_test_gateway_get_port (one));
  connect_minted (f, one, "A", "ada", "admin");
  connect_minted (f, two, "B", "bea", "admin");
  connect_minted (f, two, "u", "alice", "viewer");

  ticket = ask_support (f, "u", "Lost my stream key", "account");
  event = gw_test_expect_event (f->clients, "A", "ticketMessage");
  assert_ticket_message (event, ticket, "alice", "viewer", "Lost my stream key");
  json_object_unref (gw_test_expect_event (f->clients, "B", "ticketMessage"));

  g_clear_pointer (&event, json_object_unref);
  event = change_ticket (f, "A", "claimTicket", ticket, "B");
  assert_ticket_update (event, ticket, "open", "ada", "ada");

  payload = g_strdup_printf ("{\"ticketId\":\"%s\",\"userId\":\"alice\",\"message\":\"Sent a new one\"}", ticket);
  gw_test_emit (f->clients, "A", "adminReply", payload, FALSE);
  g_clear_pointer (&event, json_object_unref);
  event = gw_test_expect_event (f->clients, "u", "adminMessage");
  g_assert_cmpstr (gw_test_str_at (event, "message"), ==, "Sent a new one");
  g_clear_pointer (&event, json_object_unref);
  event = gw_test_expect_event (f->clients, "B", "ticketMessage");
  assert_ticket_message (event, ticket, "ada", "admin", "Sent a new one");

  /* Both processes die at once and come back. */
  g_clear_pointer (&f->clients, gw_test_clients_free);
  ld_test_gateway_kill (one);
  ld_test_gateway_kill (two);
  ld_test_gateway_restart (one);
  ld_test_gateway_restart (two);
  wait_redis_connected (ld_test_gateway_get_url (one));
  wait_redis_connected (ld_test_gateway_get_url (two));
  f->clients = gw_test_clients_new (ld_test_gateway_get_port (one));
  connect_minted (f, two, "A", "ada", "admin");
  connect_minted (f, one, "B", "bea", "admin");
  connect_minted (f, one, "u", "alice", "viewer");

  {
    g_autoptr(JsonObject) open = list_tickets (f, "B", "{\"status\":\"open\"}");
    g_autoptr(JsonObject) history = get_ticket (f, "B", ticket);
    g_autoptr(JsonObject) own = get_ticket (f, "u", ticket);
    JsonObject *listed = find_ticket (open, ticket);

    g_assert_nonnull (listed);
    g_assert_cmpstr (json_object_get_string_member (listed, "assignee"), ==, "ada");
    g_assert_cmpint (json_object_get_int_member (listed, "messageCount"), ==, 2);
    g_assert_cmpuint (json_array_get_length (messages_of (history)), ==, 2);
    g_assert_cmpstr (message_text (messages_of (history), 1), ==, "Sent a new one");
    g_assert_cmpuint (json_array_get_length (messages_of (own)), ==, 2);
  }

  /* An app that lost the id finds the user's open ticket by its type. */
  {
    g_autoptr(JsonObject) found = NULL;

    gw_test_emit (f->clients, "u", "getTicket", "{\"supportType\":\"account\"}", FALSE);
    found = gw_test_expect_event (f->clients, "u", "ticketHistory");
    g_assert_cmpstr (gw_test_str_at (found, "data.ticketId"), ==, ticket);
    g_assert_cmpuint (json_array_get_length (messages_of (found)), ==, 2);
  }

  /* The user's open ticket is still theirs to write to; the admin now on
   * the other process hears it. */
  again = ask_support (f, "u", "Got it, thanks", "account");
  g_assert_cmpstr (again, ==, ticket);
  g_clear_pointer (&event, json_object_unref);
  event = gw_test_expect_event (f->clients, "A", "ticketMessage");
  assert_ticket_message (event, ticket, "alice", "viewer", "Got it, thanks");

  g_clear_pointer (&f->clients, gw_test_clients_free);
  g_clear_pointer (&one, ld_test_gateway_free);
  g_clear_pointer (&two, ld_test_gateway_free);
  test_redis_stop (redis, SIGKILL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_assert_cmpint (argc, >=, 2);
  gateway_program = argv[1];
  g_test_add_func ("/gw/tickets/processes-restart", test_processes);

  g_test_add_data_func ("/gw/tickets/bounds-memory", GINT_TO_POINTER (FALSE), test_bounds);
  g_test_add_data_func ("/gw/tickets/bounds-redis", GINT_TO_POINTER (TRUE), test_bounds);
  g_test_add ("/gw/tickets/memory", Fixture, GINT_TO_POINTER (FALSE), fixture_setup, test_memory, fixture_teardown);
  g_test_add ("/gw/tickets/user-view-memory", Fixture, GINT_TO_POINTER (FALSE), fixture_setup, test_user_view,
              fixture_teardown);
  g_test_add ("/gw/tickets/user-view-redis", Fixture, GINT_TO_POINTER (TRUE), fixture_setup, test_user_view,
              fixture_teardown);
  g_test_add ("/gw/tickets/expiry-redis", Fixture, GINT_TO_POINTER (TRUE), fixture_setup_short_retention,
              test_expiry, fixture_teardown);
  g_test_add ("/gw/tickets/expiry-memory", Fixture, GINT_TO_POINTER (FALSE), fixture_setup_short_retention,
              test_expiry, fixture_teardown);
  g_test_add ("/gw/tickets/redis-away", Fixture, GINT_TO_POINTER (TRUE), fixture_setup, test_redis_away,
              fixture_teardown);
  g_test_add ("/gw/tickets/team-on-two-gateways", Fixture, GINT_TO_POINTER (TRUE), fixture_setup, test_team,
              fixture_teardown);

  return g_test_run ();
}
