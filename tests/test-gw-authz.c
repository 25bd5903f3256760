/* test-gw-authz.c: who may moderate what, and what a sender may not decide
 * for themselves, against real gateways (GwGateway on free ports, two of
 * them sharing a real redis-server) and the official socket.io client.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>
#include <string.h>

#include "gw-metrics.h"
#include "gw-redis.h"
#include "gw-test-fixture.h"
#include "gw-users.h"
#include "ld-test-util.h"
#include "test-redis.h"

#define SECRET "test-authz-secret-0123456789abcdef0123"

typedef struct
{
  GwGateway  *gateway;
  GwRedis    *bridge;
  SoupServer *http;
  guint       port;
} Process;

typedef struct
{
  GwJwt         *jwt;
  GwUsers       *users;
  GSubprocess   *redis;
  guint16        redis_port;
  GwRedis       *backend;   /* the test's own link, playing the backend */
  Process        one;
  Process        two;
  GwTestClients *clients;
} Fixture;

static void
process_start (Fixture *f,
               Process *p)
{
  p->gateway = gw_gateway_new (f->jwt);
  gw_gateway_set_users (p->gateway, f->users);
  if (f->redis != NULL)
    {
      p->bridge = gw_test_redis_new (f->redis_port);
      gw_gateway_set_redis (p->gateway, p->bridge);
    }
  p->http = gw_test_listen (p->gateway, &p->port);
  if (p->bridge != NULL)
    {
      gw_redis_start (p->bridge);
      gw_test_redis_wait_connected (p->bridge);
    }
}

/* As a process that exits: its sockets drop, its memory is gone. */
static void
process_stop (Process *p)
{
  if (p->gateway == NULL)
    return;
  gw_test_stop (&p->gateway, &p->http);
  g_clear_object (&p->bridge);
}

static void
setup_common (Fixture *f)
{
  g_autoptr(GBytes) secret = g_bytes_new_static (SECRET, strlen (SECRET));
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = gw_password_hash ("not used here", &error);

  g_assert_no_error (error);
  f->jwt = gw_jwt_new (secret, &error);
  g_assert_no_error (error);
  /* mia is a moderator by the users file; nobody has a token of hers here. */
  f->users = gw_users_new ();
  g_assert_true (gw_users_add (f->users, "mia", "Mia", GW_ROLE_MODERATOR, hash, &error));
  g_assert_true (gw_users_add (f->users, "alice", "Alice", GW_ROLE_VIEWER, hash, &error));
  gw_metrics_reset ();
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  setup_common (f);
  process_start (f, &f->one);
  f->clients = gw_test_clients_new (f->one.port);
}

static void
fixture_setup_redis (Fixture       *f,
                     gconstpointer  data)
{
  setup_common (f);
  f->redis_port = test_free_port ();
  f->redis = test_redis_start (f->redis_port, NULL);
  f->backend = gw_test_redis_new (f->redis_port);
  gw_redis_start (f->backend);
  gw_test_redis_wait_connected (f->backend);
  process_start (f, &f->one);
  process_start (f, &f->two);
  f->clients = gw_test_clients_new (f->one.port);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->clients, gw_test_clients_free);
  process_stop (&f->two);
  process_stop (&f->one);
  g_clear_object (&f->backend);
  if (f->redis != NULL)
    {
      test_redis_stop (f->redis, SIGKILL);
      g_clear_object (&f->redis);
    }
  g_clear_object (&f->users);
  g_clear_object (&f->jwt);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
connect_as (Fixture    *f,
            const char *id,
            const char *user_id,
            GwRole      role,
            Process    *process)
{
  g_autofree char *token = gw_test_mint (f->jwt, user_id, user_id, role, 900);

  gw_test_connect (f->clients, id, token, process->port);
}

typedef struct
{
  gboolean  done;
  GVariant *reply;
  GError   *error;
} Command;

static void
on_command (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Command *command = user_data;

  command->reply = gw_redis_command_finish (GW_REDIS (source), result, &command->error);
  command->done = TRUE;
}

/* One command on the backend's link, its reply. */
static GVariant *
redis_run (Fixture            *f,
           const char * const *argv)
{
  Command command = { 0 };

  gw_redis_command_async (f->backend, argv, NULL, on_command, &command);
  g_assert_true (test_wait_until (&command.done, GW_TEST_WAIT_MS));
  g_assert_no_error (command.error);
  return command.reply;
}

static void
backend_publish (Fixture    *f,
                 const char *channel,
                 const char *payload)
{
  gw_test_publish (f->backend, channel, payload);
}

static JsonObject *
say (Fixture    *f,
     const char *id,
     const char *room_id,
     const char *text)
{
  g_autofree char *payload = g_strdup_printf ("{\"roomId\":\"%s\",\"message\":\"%s\"}", room_id, text);

  gw_test_emit (f->clients, id, "sendMessage", payload, FALSE);
  return gw_test_expect_event (f->clients, id, "messageSent");
}

/* Whether Redis holds room_1's owner yet (every gateway writes it on the
 * backend's word). */
static gboolean
owner_stored (Fixture    *f,
              const char *owner)
{
  g_autoptr(GVariant) reply = redis_run (f, (const char *[]) { "HGET", "livedesk:room:room_1:info",
                                                                "streamerId", NULL });

  return g_variant_is_of_type (reply, G_VARIANT_TYPE_STRING) &&
         g_strcmp0 (g_variant_get_string (reply, NULL), owner) == 0;
}

/* A streamer moderates the room the backend says is theirs, and no other;
 * a gateway process that starts afterwards knows it from Redis. */
static void
test_ownership (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(JsonObject) sent = NULL;
  g_autoptr(JsonObject) live = NULL;
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) deleted = NULL;
  g_autoptr(JsonObject) timed_out = NULL;
  g_autofree char *delete = NULL;

  connect_as (f, "v", "viewer1", GW_ROLE_VIEWER, &f->one);
  connect_as (f, "star", "star", GW_ROLE_STREAMER, &f->one);
  connect_as (f, "rival", "rival", GW_ROLE_STREAMER, &f->one);
  gw_test_join (f->clients, "v", "room_1");
  gw_test_join (f->clients, "star", "room_1");
  gw_test_join (f->clients, "rival", "room_1");

  backend_publish (f, "stream.start", "{\"type\":\"stream_start\",\"roomId\":\"room_1\",\"streamerId\":\"star\"}");
  live = gw_test_expect_event (f->clients, "rival", "roomUpdate");
  g_assert_cmpstr (gw_test_str_at (live, "status"), ==, "live");

  sent = say (f, "v", "room_1", "spam");
  delete = g_strdup_printf ("{\"roomId\":\"room_1\",\"messageId\":\"%s\"}", gw_test_str_at (sent, "data.messageId"));

  /* Another streamer is a guest here. */
  gw_test_expect_refusal (f->clients, "rival", "deleteMessage", delete, "deleteMessageError", "FORBIDDEN");
  gw_test_expect_refusal (f->clients, "rival", "timeoutUser",
                          "{\"roomId\":\"room_1\",\"userId\":\"viewer1\",\"seconds\":60}", "timeoutUserError",
                          "FORBIDDEN");
  gw_test_expect_refusal (f->clients, "rival", "banUser", "{\"roomId\":\"room_1\",\"userId\":\"viewer1\"}",
                          "banUserError", "FORBIDDEN");
  g_assert_cmpint (gw_metrics_get ("livedesk_refusals_total", "code=\"FORBIDDEN\""), ==, 3);

  /* The owner may. */
  gw_test_emit (f->clients, "star", "deleteMessage", delete, TRUE);
  ack = gw_test_expect_ack (f->clients, "star", "deleteMessage");
  g_assert_true (gw_test_bool_at (ack, "success"));
  deleted = gw_test_expect_event (f->clients, "v", "messageDeleted");
  g_assert_cmpstr (gw_test_str_at (deleted, "messageId"), ==, gw_test_str_at (sent, "data.messageId"));
  g_assert_cmpint (gw_metrics_get ("livedesk_sanctions_total", "kind=\"delete\""), ==, 1);

  /* A process that was not there for stream.start: Redis tells it. */
  LD_TEST_WAIT_UNTIL (owner_stored (f, "star"), GW_TEST_WAIT_MS);
  process_stop (&f->two);
  process_start (f, &f->two);
  connect_as (f, "star2", "star", GW_ROLE_STREAMER, &f->two);
  connect_as (f, "rival2", "rival", GW_ROLE_STREAMER, &f->two);
  gw_test_expect_refusal (f->clients, "rival2", "timeoutUser",
                          "{\"roomId\":\"room_1\",\"userId\":\"viewer1\",\"seconds\":60}", "timeoutUserError",
                          "FORBIDDEN");
  gw_test_emit (f->clients, "star2", "timeoutUser", "{\"roomId\":\"room_1\",\"userId\":\"viewer1\",\"seconds\":60}",
                TRUE);
  g_clear_pointer (&ack, json_object_unref);
  ack = gw_test_expect_ack (f->clients, "star2", "timeoutUser");
  g_assert_true (gw_test_bool_at (ack, "success"));
  timed_out = gw_test_expect_event (f->clients, "v", "userTimedOut");
  g_assert_cmpstr (gw_test_str_at (timed_out, "userId"), ==, "viewer1");
  gw_test_expect_refusal (f->clients, "v", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"hi\"}",
                          "sendMessageError", "FORBIDDEN");
}

/* Without Redis: a streamer with no room of theirs moderates nothing, and
 * the rank rule holds for a moderator who is not connected at all. */
static void
test_rank_offline (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JsonObject) ack = NULL;

  connect_as (f, "m", "mod", GW_ROLE_MODERATOR, &f->one);
  connect_as (f, "s", "star", GW_ROLE_STREAMER, &f->one);
  connect_as (f, "boss", "boss", GW_ROLE_ADMIN, &f->one);
  gw_test_join (f->clients, "m", "room_1");

  gw_test_expect_refusal (f->clients, "s", "timeoutUser", "{\"roomId\":\"room_1\",\"userId\":\"alice\",\"seconds\":60}",
                          "timeoutUserError", "FORBIDDEN");
  /* mia is a moderator in the users file, and offline. */
  gw_test_expect_refusal (f->clients, "m", "banUser", "{\"roomId\":\"room_1\",\"userId\":\"mia\"}",
                          "banUserError", "FORBIDDEN");
  gw_test_expect_refusal (f->clients, "m", "timeoutUser", "{\"roomId\":\"room_1\",\"userId\":\"mia\",\"seconds\":60}",
                          "timeoutUserError", "FORBIDDEN");

  /* A viewer is fair game for a moderator; anyone is for an admin. */
  gw_test_emit (f->clients, "m", "banUser", "{\"roomId\":\"room_1\",\"userId\":\"alice\"}", TRUE);
  ack = gw_test_expect_ack (f->clients, "m", "banUser");
  g_assert_true (gw_test_bool_at (ack, "success"));
  g_clear_pointer (&ack, json_object_unref);
  gw_test_emit (f->clients, "boss", "banUser", "{\"roomId\":\"room_1\",\"userId\":\"mia\"}", TRUE);
  ack = gw_test_expect_ack (f->clients, "boss", "banUser");
  g_assert_true (gw_test_bool_at (ack, "success"));
  g_assert_cmpint (gw_metrics_get ("livedesk_sanctions_total", "kind=\"ban\""), ==, 2);
}

/* Admins are equals: one cannot time out or ban another, who can still
 * speak; a moderator is below them and can be. */
static void
test_rank_admin (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(JsonObject) sent = NULL;
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) timed_out = NULL;

  connect_as (f, "boss", "boss", GW_ROLE_ADMIN, &f->one);
  connect_as (f, "peer", "peer", GW_ROLE_ADMIN, &f->one);
  connect_as (f, "m", "mod", GW_ROLE_MODERATOR, &f->one);
  gw_test_join (f->clients, "peer", "room_1");
  gw_test_join (f->clients, "m", "room_1");
  gw_test_join (f->clients, "boss", "room_1");

  gw_test_expect_refusal (f->clients, "boss", "timeoutUser", "{\"roomId\":\"room_1\",\"userId\":\"peer\",\"seconds\":60}",
                          "timeoutUserError", "FORBIDDEN");
  gw_test_expect_refusal (f->clients, "boss", "banUser", "{\"roomId\":\"room_1\",\"userId\":\"peer\"}",
                          "banUserError", "FORBIDDEN");
  gw_test_assert_no_unclaimed (f->clients, "peer", "userTimedOut");
  gw_test_assert_no_unclaimed (f->clients, "peer", "userBanned");
  sent = say (f, "peer", "room_1", "still here");
  g_assert_true (gw_test_bool_at (sent, "success"));

  gw_test_emit (f->clients, "boss", "timeoutUser", "{\"roomId\":\"room_1\",\"userId\":\"mod\",\"seconds\":60}", TRUE);
  ack = gw_test_expect_ack (f->clients, "boss", "timeoutUser");
  g_assert_true (gw_test_bool_at (ack, "success"));
  timed_out = gw_test_expect_event (f->clients, "m", "userTimedOut");
  g_assert_cmpstr (gw_test_str_at (timed_out, "userId"), ==, "mod");
  g_assert_cmpint (gw_metrics_get ("livedesk_sanctions_total", "kind=\"timeout\""), ==, 1);
  g_assert_cmpint (gw_metrics_get ("livedesk_sanctions_total", "kind=\"ban\""), ==, 0);
}

/* A moderator on one process cannot ban a moderator who is on the other,
 * whose role only that process and Redis know. */
static void
test_rank_remote (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(JsonObject) sent = NULL;

  connect_as (f, "m1", "modone", GW_ROLE_MODERATOR, &f->one);
  connect_as (f, "m2", "modtwo", GW_ROLE_MODERATOR, &f->two);
  gw_test_join (f->clients, "m2", "room_1");
  gw_test_join (f->clients, "m1", "room_1");

  gw_test_expect_refusal (f->clients, "m1", "banUser", "{\"roomId\":\"room_1\",\"userId\":\"modtwo\"}",
                          "banUserError", "FORBIDDEN");
  gw_test_expect_refusal (f->clients, "m1", "timeoutUser",
                          "{\"roomId\":\"room_1\",\"userId\":\"modtwo\",\"seconds\":30}", "timeoutUserError",
                          "FORBIDDEN");
  /* And the target can still speak on their own process. */
  sent = say (f, "m2", "room_1", "still here");
  g_assert_true (gw_test_bool_at (sent, "success"));
}

/* Bans and timeouts live in Redis: given on one process, they hold on the
 * other, and after both restart; a timeout ends by itself (a key TTL). */
static void
test_ban_persists (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JsonObject) banned = NULL;
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(GVariant) ttl = NULL;

  connect_as (f, "m", "mod", GW_ROLE_MODERATOR, &f->one);
  connect_as (f, "v", "viewer1", GW_ROLE_VIEWER, &f->two);
  connect_as (f, "w", "viewer2", GW_ROLE_VIEWER, &f->two);
  gw_test_join (f->clients, "m", "room_1");
  gw_test_join (f->clients, "v", "room_1");
  gw_test_join (f->clients, "w", "room_1");

  gw_test_emit (f->clients, "m", "banUser", "{\"roomId\":\"room_1\",\"userId\":\"viewer1\",\"reason\":\"spam\"}",
                TRUE);
  ack = gw_test_expect_ack (f->clients, "m", "banUser");
  g_assert_true (gw_test_bool_at (ack, "success"));
  banned = gw_test_expect_event (f->clients, "v", "userBanned");
  gw_test_expect_refusal (f->clients, "v", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"hi\"}",
                          "sendMessageError", "NOT_IN_ROOM|FORBIDDEN");
  gw_test_expect_refusal (f->clients, "v", "joinRoom", "{\"roomId\":\"room_1\"}", "joinRoomError", "FORBIDDEN");

  g_clear_pointer (&ack, json_object_unref);
  gw_test_emit (f->clients, "m", "timeoutUser",
                "{\"roomId\":\"room_1\",\"userId\":\"viewer2\",\"seconds\":600}", TRUE);
  ack = gw_test_expect_ack (f->clients, "m", "timeoutUser");
  g_assert_true (gw_test_bool_at (ack, "success"));
  json_object_unref (gw_test_expect_event (f->clients, "w", "userTimedOut"));

  /* The timeout's key ends with it. */
  ttl = redis_run (f, (const char *[]) { "PTTL", "livedesk:sanction:room_1:viewer2:timeout", NULL });
  g_assert_true (g_variant_is_of_type (ttl, G_VARIANT_TYPE_INT64));
  g_assert_cmpint (g_variant_get_int64 (ttl), >, 0);
  g_assert_cmpint (g_variant_get_int64 (ttl), <=, 600 * 1000);

  /* Both processes go and come back: the ban and the timeout stay. */
  process_stop (&f->one);
  process_stop (&f->two);
  process_start (f, &f->one);
  process_start (f, &f->two);
  connect_as (f, "v1", "viewer1", GW_ROLE_VIEWER, &f->one);
  connect_as (f, "v2", "viewer1", GW_ROLE_VIEWER, &f->two);
  gw_test_expect_refusal (f->clients, "v1", "joinRoom", "{\"roomId\":\"room_1\"}", "joinRoomError", "FORBIDDEN");
  gw_test_expect_refusal (f->clients, "v2", "joinRoom", "{\"roomId\":\"room_1\"}", "joinRoomError", "FORBIDDEN");
  connect_as (f, "w1", "viewer2", GW_ROLE_VIEWER, &f->one);
  gw_test_join (f->clients, "w1", "room_1");
  gw_test_expect_refusal (f->clients, "w1", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"hi\"}",
                          "sendMessageError", "FORBIDDEN");

  /* An unban on one process lets them back in on the other. */
  connect_as (f, "m1", "mod", GW_ROLE_MODERATOR, &f->one);
  g_clear_pointer (&ack, json_object_unref);
  gw_test_emit (f->clients, "m1", "unbanUser", "{\"roomId\":\"room_1\",\"userId\":\"viewer1\"}", TRUE);
  ack = gw_test_expect_ack (f->clients, "m1", "unbanUser");
  g_assert_true (gw_test_bool_at (ack, "success"));
  gw_test_join (f->clients, "v2", "room_1");
}

/* What a gift is called and worth is the catalogue's word. */
static void
test_gift_catalogue (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(JsonObject) to_star = NULL;
  g_autoptr(JsonObject) to_fan = NULL;

  connect_as (f, "s", "star", GW_ROLE_STREAMER, &f->one);
  connect_as (f, "fan", "fan1", GW_ROLE_VIEWER, &f->one);
  gw_test_join (f->clients, "s", "room_1");
  gw_test_join (f->clients, "fan", "room_1");

  gw_test_emit (f->clients, "fan", "sendGift",
                "{\"roomId\":\"room_1\",\"receiverId\":\"star\",\"giftId\":\"rose\",\"giftName\":\"Castle of gold\","
                "\"giftType\":\"premium\",\"giftValue\":1e300,\"animation\":\"fireworks\",\"quantity\":2}", FALSE);
  to_star = gw_test_expect_event (f->clients, "s", "newGift");
  to_fan = gw_test_expect_event (f->clients, "fan", "newGift");
  g_assert_cmpstr (gw_test_str_at (to_star, "giftId"), ==, "rose");
  g_assert_cmpstr (gw_test_str_at (to_star, "giftName"), ==, "Rose");
  g_assert_cmpstr (gw_test_str_at (to_star, "animation"), ==, "fireworks");
  g_assert_cmpfloat (json_node_get_double (gw_test_at (to_star, "giftValue")), ==, 1);
  g_assert_cmpfloat (json_node_get_double (gw_test_at (to_fan, "giftValue")), ==, 1);
  g_assert_cmpint (gw_test_int_at (to_star, "quantity"), ==, 2);

  gw_test_expect_refusal (f->clients, "fan", "sendGift",
                          "{\"roomId\":\"room_1\",\"receiverId\":\"star\",\"giftId\":\"gold_bar\","
                          "\"giftName\":\"Gold\",\"giftType\":\"premium\",\"giftValue\":1}",
                          "sendGiftError", "INVALID_GIFT");
  g_assert_cmpint (gw_metrics_get ("livedesk_refusals_total", "code=\"INVALID_GIFT\""), ==, 1);
  gw_test_assert_no_unclaimed (f->clients, "s", "newGift");
}

/* An admin whose token expired hears nothing more of the admins' room or
 * their own user room until they authenticate again. */
static void
test_expired_admin (Fixture       *f,
                    gconstpointer  data)
{
  /* Three seconds: time enough to connect on a busy machine. */
  g_autofree char *short_token = gw_test_mint (f->jwt, "boss", "Boss", GW_ROLE_ADMIN, 3);
  g_autofree char *fresh = gw_test_mint (f->jwt, "boss", "Boss", GW_ROLE_ADMIN, 900);
  g_autofree char *auth = g_strdup_printf ("{\"token\":\"%s\"}", fresh);
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) required = NULL;
  g_autoptr(JsonObject) chat = NULL;

  gw_test_connect (f->clients, "boss", short_token, f->one.port);
  connect_as (f, "other", "chief", GW_ROLE_ADMIN, &f->one);
  connect_as (f, "v", "viewer1", GW_ROLE_VIEWER, &f->one);
  json_object_unref (gw_test_expect_event (f->clients, "boss", "tokenExpired"));

  gw_test_emit (f->clients, "v", "chatWithAdmin", "{\"message\":\"my card was charged twice\"}", TRUE);
  ack = gw_test_expect_ack (f->clients, "v", "chatWithAdmin");
  g_assert_true (gw_test_bool_at (ack, "success"));
  json_object_unref (gw_test_expect_event (f->clients, "other", "adminChat"));
  gw_test_emit (f->clients, "other", "adminReply",
                "{\"ticketId\":\"t1\",\"userId\":\"boss\",\"message\":\"for your eyes\"}", TRUE);
  json_object_unref (gw_test_expect_ack (f->clients, "other", "adminReply"));

  /* Whatever was sent to boss came before this answer to boss. */
  gw_test_emit (f->clients, "boss", "sendMessage", "{\"roomId\":\"room_1\",\"message\":\"hi\"}", FALSE);
  required = gw_test_expect_event (f->clients, "boss", "authRequired");
  gw_test_assert_no_unclaimed (f->clients, "boss", "adminChat");
  gw_test_assert_no_unclaimed (f->clients, "boss", "adminMessage");

  /* A refreshed token brings both back. */
  gw_test_emit (f->clients, "boss", "authenticate", auth, FALSE);
  json_object_unref (gw_test_expect_event (f->clients, "boss", "authSuccess"));
  g_clear_pointer (&ack, json_object_unref);
  /* Another viewer: the first may send one message a second. */
  connect_as (f, "w", "viewer2", GW_ROLE_VIEWER, &f->one);
  gw_test_emit (f->clients, "w", "chatWithAdmin", "{\"message\":\"still charged twice\"}", TRUE);
  ack = gw_test_expect_ack (f->clients, "w", "chatWithAdmin");
  g_assert_true (gw_test_bool_at (ack, "success"));
  chat = gw_test_expect_event (f->clients, "boss", "adminChat");
  g_assert_cmpstr (gw_test_str_at (chat, "message"), ==, "still charged twice");
}

/* The platform's publishChatMessage sends no messageId: the gateways give
 * it one, the same on every process, and a moderator can delete it. */
static void
test_backend_message_id (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(JsonObject) on_one = NULL;
  g_autoptr(JsonObject) on_two = NULL;
  g_autoptr(JsonObject) ack = NULL;
  g_autoptr(JsonObject) deleted = NULL;
  g_autoptr(JsonObject) joined = NULL;
  g_autofree char *delete = NULL;
  const char *message_id;
  JsonArray *recent;

  connect_as (f, "m", "mod", GW_ROLE_MODERATOR, &f->one);
  connect_as (f, "v", "viewer1", GW_ROLE_VIEWER, &f->two);
  gw_test_join (f->clients, "m", "room_1");
  gw_test_join (f->clients, "v", "room_1");

  backend_publish (f, "chat.message",
                   "{\"type\":\"chat_message\",\"roomId\":\"room_1\",\"userId\":\"sys\",\"username\":\"System\","
                   "\"message\":\"Buy now\",\"timestamp\":\"2026-12-06T01:00:00.000Z\"}");
  on_one = gw_test_expect_event (f->clients, "m", "chatMessageFromBackend");
  on_two = gw_test_expect_event (f->clients, "v", "chatMessageFromBackend");
  message_id = gw_test_str_at (on_one, "data.messageId");
  g_assert_cmpstr (message_id, !=, "");
  g_assert_cmpstr (gw_test_str_at (on_two, "data.messageId"), ==, message_id);
  g_assert_cmpstr (gw_test_str_at (on_two, "data.message"), ==, "Buy now");

  delete = g_strdup_printf ("{\"roomId\":\"room_1\",\"messageId\":\"%s\"}", message_id);
  gw_test_emit (f->clients, "m", "deleteMessage", delete, TRUE);
  ack = gw_test_expect_ack (f->clients, "m", "deleteMessage");
  g_assert_true (gw_test_bool_at (ack, "success"));
  deleted = gw_test_expect_event (f->clients, "v", "messageDeleted");
  g_assert_cmpstr (gw_test_str_at (deleted, "messageId"), ==, message_id);

  /* Nor is it shown to a newcomer. */
  connect_as (f, "late", "latecomer", GW_ROLE_VIEWER, &f->one);
  gw_test_emit (f->clients, "late", "joinRoom", "{\"roomId\":\"room_1\"}", FALSE);
  joined = gw_test_expect_event (f->clients, "late", "joinedRoom");
  recent = json_node_get_array (gw_test_at (joined, "data.recentMessages"));
  for (guint i = 0; i < json_array_get_length (recent); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (recent, i), "messageId"), !=,
                     message_id);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/gw/authz/ownership", Fixture, NULL, fixture_setup_redis, test_ownership, fixture_teardown);
  g_test_add ("/gw/authz/rank-offline", Fixture, NULL, fixture_setup, test_rank_offline, fixture_teardown);
  g_test_add ("/gw/authz/rank-admin", Fixture, NULL, fixture_setup, test_rank_admin, fixture_teardown);
  g_test_add ("/gw/authz/rank-remote", Fixture, NULL, fixture_setup_redis, test_rank_remote, fixture_teardown);
  g_test_add ("/gw/authz/ban-persists", Fixture, NULL, fixture_setup_redis, test_ban_persists, fixture_teardown);
  g_test_add ("/gw/authz/gift-catalogue", Fixture, NULL, fixture_setup, test_gift_catalogue, fixture_teardown);
  g_test_add ("/gw/authz/expired-admin", Fixture, NULL, fixture_setup, test_expired_admin, fixture_teardown);
  g_test_add ("/gw/authz/backend-message-id", Fixture, NULL, fixture_setup_redis, test_backend_message_id,
              fixture_teardown);

  return g_test_run ();
}
