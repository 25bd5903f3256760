/* ld-demo.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ld-demo.h"
#include "ld-demo-config.h"
#include "sio-client.h"

#define SECRET_VARIABLE "LIVEDESK_JWT_SECRET"
#define TOKEN_TTL_S (24 * 60 * 60)
#define TICK_MS 700
/* The guide's viewer ping, every 30 s: the gateway drops silent viewers. */
#define PING_TICKS (LD_SESSION_VIEWER_PING_INTERVAL_S * 1000 / TICK_MS)

typedef struct
{
  const char *user_id;
  const char *username;
  const char *role;
} Person;

/* Who the app signs in as: an admin, who moderates like a moderator and also
 * answers the audience's support requests, so the demo shows every view. The
 * streamer opens the room. */
static const Person moderator = { "demomod", "Mod Linh", "admin" };
static const Person audience[] = {
  { "streamer1", "Huong Live", "streamer" },
  { "viewer01", "Minh Anh", "viewer" },
  { "viewer02", "Tuan Nguyen", "viewer" },
  { "viewer03", "sarah_k", "viewer" },
  { "viewer04", "Bao Tran", "viewer" },
  { "viewer05", "gamer_joe", "viewer" },
  { "viewer06", "Thu Ha", "viewer" },
  { "viewer07", "Quang Le", "viewer" },
  { "viewer08", "emily.r", "viewer" },
  { "admin1", "Admin Phuong", "admin" },
};

static const char * const chat_lines[] = {
  "Xin chào mọi người!",
  "Hello from Hanoi!",
  "Stream hôm nay hay quá",
  "What game is this?",
  "Chị ơi hát bài nữa đi ❤",
  "lol that was close",
  "Âm thanh hơi nhỏ, tăng volume được không?",
  "GG! 🔥🔥🔥",
  "Mình xem từ Sài Gòn nè",
  "first time here, love the vibe",
  "Cảm ơn vì buổi live hôm nay ❤️",
  "can you say hi to my friend Minh?",
  "Tối nay live đến mấy giờ vậy?",
  "no *markup* &amp; no <tags> here",
  "Chúc cả nhà buổi tối vui vẻ",
  "Mod Linh ơi, cho mình hỏi chút",
  "this chat is moving fast 😅",
  "Đỉnh quá chị ơi!!!",
  "brb getting snacks",
  "Hẹn gặp lại vào tuần sau nha",
};

static const char * const image_urls[] = {
  "https://i.imgur.com/8xKQb2M.jpg",
  "https://i.imgur.com/3nPqLzA.png",
  "https://res.cloudinary.com/demo/image/upload/sample.jpg",
  "https://i.imgur.com/Wd9cTQe.gif",
};

typedef struct
{
  const char *id;
  const char *name;
  const char *type;
  double      value;
  const char *animation;
} GiftKind;

static const GiftKind gift_kinds[] = {
  { "rose", "Hoa hồng", "flower", 1, "default" },
  { "heart", "Trái tim", "love", 5, "hearts" },
  { "star", "Ngôi sao", "star", 10, "stars" },
  { "fireworks", "Pháo hoa", "premium", 50, "fireworks" },
  { "rainbow", "Cầu vồng", "premium", 100, "rainbow" },
  { "lion", "Sư tử", "premium", 500, "lion" },
};

static const char * const support_lines[] = {
  "Mình nạp xu nhưng chưa thấy vào tài khoản",
  "I can't send gifts, it says INVALID_GIFT",
  "Làm sao để đổi tên hiển thị?",
  "The stream keeps buffering on my phone",
};

typedef struct _Bot Bot;

struct _LdDemo
{
  GObject       parent_instance;

  char         *gateway;
  char         *tmp_dir;
  GSubprocess  *gateway_process;
  GSubprocess  *redis_process;
  guint         redis_port;
  char         *url;
  char         *secret;
  GPtrArray    *bots;
  LdSession    *session;
  guint         tick_source;
  guint         n_actions;
  guint         ticks;
  gboolean      live_announced;
};

G_DEFINE_FINAL_TYPE (LdDemo, ld_demo, G_TYPE_OBJECT)

struct _Bot
{
  LdDemo       *demo;   /* unowned: the demo owns its bots */
  const Person *person;
  char         *token;
  SioClient    *client;
  gboolean      authenticated;
  gboolean      in_room;
};

static void
bot_free (Bot *bot)
{
  if (bot->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (bot->client, bot);
      sio_client_disconnect (bot->client);
      g_clear_object (&bot->client);
    }
  if (bot->token != NULL)
    explicit_bzero (bot->token, strlen (bot->token));
  g_clear_pointer (&bot->token, g_free);
  g_free (bot);
}

static char *
iso_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static JsonObject *
payload_new (Bot *bot)
{
  JsonObject *object = json_object_new ();
  g_autofree char *timestamp = iso_now ();

  json_object_set_string_member (object, "roomId", LD_DEMO_ROOM_ID);
  json_object_set_string_member (object, "userId", bot->person->user_id);
  json_object_set_string_member (object, "username", bot->person->username);
  json_object_set_string_member (object, "timestamp", timestamp);
  return object;
}

static void
bot_emit (Bot        *bot,
          const char *event,
          JsonObject *payload)
{
  g_autoptr(JsonArray) args = json_array_new ();
  g_autoptr(GError) error = NULL;

  json_array_add_object_element (args, payload);
  if (!sio_client_emit (bot->client, event, args, NULL, SIO_EMIT_VOLATILE, &error))
    g_debug ("demo: %s could not send %s: %s", bot->person->username, event, error->message);
  else
    bot->demo->n_actions++;
}

static void
bot_join (Bot *bot)
{
  JsonObject *payload = payload_new (bot);

  json_object_remove_member (payload, "timestamp");
  bot_emit (bot, "joinRoom", payload);
}

static void
on_bot_connect (SioClient  *client,
                const char *nsp,
                Bot        *bot)
{
  JsonObject *payload = json_object_new ();
  g_autofree char *timestamp = iso_now ();

  json_object_set_string_member (payload, "token", bot->token);
  json_object_set_string_member (payload, "userId", bot->person->user_id);
  json_object_set_string_member (payload, "timestamp", timestamp);
  bot_emit (bot, "authenticate", payload);
}

static void
on_bot_event (SioClient    *client,
              const char   *nsp,
              const char   *event,
              JsonArray    *args,
              GPtrArray    *attachments,
              SioClientAck *ack,
              Bot          *bot)
{
  if (g_str_equal (event, "authSuccess"))
    {
      bot->authenticated = TRUE;
      bot_join (bot);
    }
  else if (g_str_equal (event, "joinedRoom"))
    bot->in_room = TRUE;
  else if (g_str_equal (event, "userTimedOut") || g_str_equal (event, "userBanned"))
    {
      JsonNode *node = json_array_get_length (args) > 0 ? json_array_get_element (args, 0) : NULL;

      if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
          g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (node), "userId", NULL),
                     bot->person->user_id) == 0 && g_str_equal (event, "userBanned"))
        bot->in_room = FALSE;
    }
}

static JsonNode *
bot_auth (SioClient  *client,
          const char *nsp,
          gpointer    user_data)
{
  Bot *bot = user_data;
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (object, "token", bot->token);
  json_node_take_object (node, object);
  return node;
}

static Bot *
pick_bot (LdDemo  *self,
          gboolean in_room)
{
  guint n = self->bots->len;
  guint start = g_random_int_range (0, n);

  for (guint i = 0; i < n; i++)
    {
      Bot *bot = g_ptr_array_index (self->bots, (start + i) % n);

      if (bot->authenticated && bot->in_room == in_room)
        return bot;
    }
  return NULL;
}

static void
redis_publish (LdDemo     *self,
               const char *channel,
               JsonObject *message)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *text = NULL;
  g_autofree char *port = NULL;
  g_autoptr(GError) error = NULL;

  json_node_set_object (node, message);
  if (self->redis_port == 0)
    return;

  text = json_to_string (node, FALSE);
  port = g_strdup_printf ("%u", self->redis_port);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                              "redis-cli", "-p", port, "publish", channel, text, NULL);
  if (process == NULL)
    g_debug ("demo: redis-cli: %s", error->message);
  else
    g_subprocess_wait_async (process, NULL, NULL, NULL);
}

/* A notification from the platform to the demo's signed-in user, sent SECONDS_AGO. */
static void
notify_demo_user (LdDemo     *self,
                  const char *type,
                  const char *title,
                  const char *text,
                  int         seconds_ago)
{
  g_autoptr(JsonObject) notification = json_object_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) then = g_date_time_add_seconds (now, -seconds_ago);
  g_autofree char *timestamp = g_date_time_format (then, "%Y-%m-%dT%H:%M:%S.%fZ");
  g_autofree char *id = g_uuid_string_random ();

  json_object_set_string_member (notification, "type", type);
  json_object_set_string_member (notification, "id", id);
  json_object_set_string_member (notification, "userId", moderator.user_id);
  json_object_set_string_member (notification, "title", title);
  json_object_set_string_member (notification, "message", text);
  json_object_set_string_member (notification, "timestamp", timestamp);
  redis_publish (self, "notification", notification);
}

static void
announce_stream (LdDemo *self)
{
  g_autoptr(JsonObject) message = json_object_new ();
  g_autoptr(JsonObject) notification = json_object_new ();
  JsonObject *data = json_object_new ();
  g_autofree char *timestamp = iso_now ();
  g_autofree char *id = g_uuid_string_random ();

  json_object_set_string_member (data, "roomId", LD_DEMO_ROOM_ID);
  json_object_set_string_member (data, "title", LD_DEMO_ROOM_TITLE);
  json_object_set_string_member (message, "type", "stream_start");
  json_object_set_object_member (message, "data", data);
  json_object_set_string_member (message, "timestamp", timestamp);
  redis_publish (self, "stream.start", message);

  json_object_set_string_member (notification, "type", "notification");
  json_object_set_string_member (notification, "id", id);
  json_object_set_string_member (notification, "roomId", LD_DEMO_ROOM_ID);
  json_object_set_string_member (notification, "title", "Huong Live is live");
  json_object_set_string_member (notification, "message", "Buổi live tối nay đã bắt đầu!");
  json_object_set_string_member (notification, "timestamp", timestamp);
  redis_publish (self, "notification", notification);

  notify_demo_user (self, "follow", "Minh Anh followed you", "They will hear when you go live next time.", 2 * 3600);
  notify_demo_user (self, "info", "Your payout is on its way",
                    "1.250.000 ₫ from last week's gifts was sent to your bank.", 26 * 3600);
  notify_demo_user (self, "gift", "Top gifter this week: Bao Tran", "Bao Tran sent 42 gifts in your streams.", 600);
  notify_demo_user (self, "system", "Scheduled maintenance tonight",
                    "The platform restarts at 02:00 for about ten minutes; the app reconnects by itself.", 0);
}

static void
send_gift (LdDemo *self,
           Bot    *bot)
{
  const GiftKind *kind = &gift_kinds[self->n_actions % G_N_ELEMENTS (gift_kinds)];
  JsonObject *payload = json_object_new ();
  g_autofree char *timestamp = iso_now ();

  json_object_set_string_member (payload, "roomId", LD_DEMO_ROOM_ID);
  json_object_set_string_member (payload, "senderId", bot->person->user_id);
  json_object_set_string_member (payload, "senderName", bot->person->username);
  json_object_set_string_member (payload, "receiverId", audience[0].user_id);
  json_object_set_string_member (payload, "receiverName", audience[0].username);
  json_object_set_string_member (payload, "giftId", kind->id);
  json_object_set_string_member (payload, "giftName", kind->name);
  json_object_set_string_member (payload, "giftType", kind->type);
  json_object_set_double_member (payload, "giftValue", kind->value);
  json_object_set_int_member (payload, "quantity", g_random_int_range (1, 4));
  json_object_set_string_member (payload, "message", "Tặng chị nè 🎁");
  json_object_set_string_member (payload, "animation", kind->animation);
  json_object_set_string_member (payload, "timestamp", timestamp);
  bot_emit (bot, "sendGift", payload);
}

static gboolean
on_tick (gpointer data)
{
  LdDemo *self = data;
  Bot *bot;
  int dice;

  self->ticks++;
  if (self->ticks % PING_TICKS == 0)
    {
      for (guint i = 0; i < self->bots->len; i++)
        {
          Bot *member = g_ptr_array_index (self->bots, i);

          if (member->in_room)
            bot_emit (member, "viewerPing", payload_new (member));
        }
    }
  if (!self->live_announced && self->ticks >= 3)
    {
      self->live_announced = TRUE;
      announce_stream (self);
    }

  dice = g_random_int_range (0, 100);
  if (dice < 6)
    {
      /* Someone leaves, or someone who left comes back. */
      if (dice < 3 && (bot = pick_bot (self, TRUE)) != NULL && bot->person != &audience[0])
        {
          JsonObject *payload = json_object_new ();

          json_object_set_string_member (payload, "roomId", LD_DEMO_ROOM_ID);
          bot_emit (bot, "leaveRoom", payload);
          bot->in_room = FALSE;
        }
      else if ((bot = pick_bot (self, FALSE)) != NULL)
        bot_join (bot);
      return G_SOURCE_CONTINUE;
    }

  if ((bot = pick_bot (self, TRUE)) == NULL)
    return G_SOURCE_CONTINUE;

  /* The streamer receives the gifts and asks no support: she chats. Staff
   * (the admin bot) ask none either. */
  if (bot->person == &audience[0] && dice < 24)
    dice = 24;
  else if (strcmp (bot->person->role, "admin") == 0 && dice >= 14 && dice < 17)
    dice = 24;

  if (dice < 14)
    send_gift (self, bot);
  else if (dice < 17)
    {
      JsonObject *payload = payload_new (bot);

      json_object_remove_member (payload, "roomId");
      json_object_set_string_member (payload, "message",
                                     support_lines[g_random_int_range (0, G_N_ELEMENTS (support_lines))]);
      json_object_set_string_member (payload, "supportType", dice == 15 ? "payment" : "general");
      bot_emit (bot, "chatWithAdmin", payload);
    }
  else if (dice < 24)
    {
      JsonObject *payload = payload_new (bot);

      json_object_set_string_member (payload, "imageUrl",
                                     image_urls[g_random_int_range (0, G_N_ELEMENTS (image_urls))]);
      json_object_set_string_member (payload, "messageType", "image");
      bot_emit (bot, "sendImageMessage", payload);
    }
  else
    {
      JsonObject *payload = payload_new (bot);

      json_object_set_string_member (payload, "message",
                                     chat_lines[g_random_int_range (0, G_N_ELEMENTS (chat_lines))]);
      bot_emit (bot, "sendMessage", payload);
    }

  return G_SOURCE_CONTINUE;
}

static void
ld_demo_dispose (GObject *object)
{
  LdDemo *self = LD_DEMO (object);

  ld_demo_stop (self);

  G_OBJECT_CLASS (ld_demo_parent_class)->dispose (object);
}

static void
ld_demo_finalize (GObject *object)
{
  LdDemo *self = LD_DEMO (object);

  g_clear_pointer (&self->gateway, g_free);
  g_clear_pointer (&self->url, g_free);
  if (self->secret != NULL)
    explicit_bzero (self->secret, strlen (self->secret));
  g_clear_pointer (&self->secret, g_free);
  g_clear_pointer (&self->tmp_dir, g_free);
  g_clear_pointer (&self->bots, g_ptr_array_unref);

  G_OBJECT_CLASS (ld_demo_parent_class)->finalize (object);
}

static void
ld_demo_class_init (LdDemoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ld_demo_dispose;
  object_class->finalize = ld_demo_finalize;
}

static void
ld_demo_init (LdDemo *self)
{
  self->bots = g_ptr_array_new_with_free_func ((GDestroyNotify) bot_free);
}

LdDemo *
ld_demo_new (const char *gateway)
{
  LdDemo *self = g_object_new (LD_TYPE_DEMO, NULL);

  if (gateway != NULL)
    self->gateway = g_strdup (gateway);
  else if (g_getenv ("LIVEDESK_GATEWAY") != NULL)
    self->gateway = g_strdup (g_getenv ("LIVEDESK_GATEWAY"));
  else if (GATEWAY_BUILD_PATH[0] != '\0' && g_file_test (GATEWAY_BUILD_PATH, G_FILE_TEST_IS_EXECUTABLE))
    self->gateway = g_strdup (GATEWAY_BUILD_PATH);
  else
    self->gateway = g_find_program_in_path ("livedesk-gateway");

  return self;
}

/* What the set-up thread hands back. */
typedef struct
{
  char *url;
  char *moderator_token;
  char *tokens[G_N_ELEMENTS (audience)];
} Setup;

static void
setup_free (Setup *setup)
{
  g_free (setup->url);
  g_free (setup->moderator_token);
  for (guint i = 0; i < G_N_ELEMENTS (audience); i++)
    g_free (setup->tokens[i]);
  g_free (setup);
}

static GSubprocessLauncher *
launcher_new (LdDemo *self)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

  /* Only the children see the secret: never argv, never our environment. */
  g_subprocess_launcher_setenv (launcher, SECRET_VARIABLE, self->secret, TRUE);
  return launcher;
}

static char *
mint_token (LdDemo        *self,
            const Person  *person,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GSubprocessLauncher) launcher = launcher_new (self);
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *out = NULL;
  g_autofree char *ttl = g_strdup_printf ("%d", TOKEN_TTL_S);

  process = g_subprocess_launcher_spawn (launcher, error, self->gateway, "mint-token",
                                         "--user", person->user_id, "--name", person->username,
                                         "--role", person->role, "--ttl", ttl, NULL);
  if (process == NULL || !g_subprocess_communicate_utf8 (process, NULL, cancellable, &out, NULL, error))
    return NULL;
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("The demo gateway could not make a token"));
      return NULL;
    }
  return g_strdup (g_strstrip (out));
}

static guint
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  if (socket == NULL || !g_socket_bind (socket, address, FALSE, NULL))
    return 0;
  bound = g_socket_get_local_address (socket, NULL);
  return bound ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)) : 0;
}

/* Runs in a demo child between fork and exec. The kernel sends it SIGTERM
 * when the thread that forked it ends: the app's main thread, so whenever
 * the app ends, also without closing (a lost display, kill -9). If the app
 * is already gone, the child must not start at all. */
static void
die_with_parent (gpointer user_data)
{
  pid_t parent = GPOINTER_TO_INT (user_data);

  if (prctl (PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid () != parent)
    _exit (1);
}

/* A launcher for the demo's long-lived children. Only the main thread may
 * use it: a child started from a pool thread would be killed when that
 * thread is reaped, seconds later. */
static GSubprocessLauncher *
child_launcher_new (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, GINT_TO_POINTER (getpid ()), NULL);
  return launcher;
}

/* Redis is optional: without it the stream's live state stays unknown.
 * Only started here; redis_ping_thread waits until it answers. */
static void
start_redis (LdDemo *self)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *redis = g_find_program_in_path ("redis-server");
  g_autofree char *cli = g_find_program_in_path ("redis-cli");
  g_autofree char *port = NULL;
  guint p;

  if (redis == NULL || cli == NULL || (p = free_port ()) == 0)
    return;

  port = g_strdup_printf ("%u", p);
  launcher = child_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  self->redis_process = g_subprocess_launcher_spawn (launcher, NULL, redis, "--bind", "127.0.0.1", "--port", port,
                                                     "--save", "", "--appendonly", "no", NULL);
  if (self->redis_process != NULL)
    self->redis_port = p;
}

static void
redis_ping_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  g_autofree char *port = g_strdup_printf ("%u", GPOINTER_TO_UINT (task_data));

  for (guint i = 0; i < 50 && !g_cancellable_is_cancelled (cancellable); i++)
    {
      g_autoptr(GSubprocess) ping = NULL;
      g_autofree char *out = NULL;

      ping = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, NULL,
                               "redis-cli", "-p", port, "ping", NULL);
      if (ping != NULL && g_subprocess_communicate_utf8 (ping, NULL, NULL, &out, NULL, NULL) &&
          out != NULL && g_str_has_prefix (out, "PONG"))
        {
          g_task_return_boolean (task, TRUE);
          return;
        }
      g_usleep (100 * 1000);
    }
  g_task_return_boolean (task, FALSE);
}

char *
ld_demo_parse_listening (const char *line)
{
  const char *url;
  guint64 port;
  char *end;

  g_return_val_if_fail (line != NULL, NULL);

  /* "listening PORT", the line a supervisor waits for */
  if (g_str_has_prefix (line, "listening "))
    {
      port = g_ascii_strtoull (line + strlen ("listening "), &end, 10);
      if (end != line + strlen ("listening ") && *end == '\0' && port > 0 && port <= 65535)
        return g_strdup_printf ("http://127.0.0.1:%" G_GUINT64_FORMAT, port);
      return NULL;
    }

  /* "…listening on http://HOST:PORT/…", what older gateways print */
  url = strstr (line, "http://");
  if (url != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

      if (uri != NULL && g_uri_get_port (uri) > 0)
        return g_strdup_printf ("http://%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
    }
  return NULL;
}

/* Waits for the gateway's first line and mints everyone's tokens. */
static void
setup_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  LdDemo *self = source_object;
  g_autoptr(GDataInputStream) lines = g_data_input_stream_new (task_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *url = NULL;
  Setup *setup;

  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);
  line = g_data_input_stream_read_line_utf8 (lines, NULL, cancellable, &error);
  url = line ? ld_demo_parse_listening (line) : NULL;
  if (url == NULL)
    {
      if (error != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, _("The demo gateway did not start"));
      return;
    }

  setup = g_new0 (Setup, 1);
  setup->url = g_steal_pointer (&url);
  setup->moderator_token = mint_token (self, &moderator, cancellable, &error);
  for (guint i = 0; i < G_N_ELEMENTS (audience) && error == NULL; i++)
    setup->tokens[i] = mint_token (self, &audience[i], cancellable, &error);
  if (error != NULL)
    {
      setup_free (setup);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, setup, (GDestroyNotify) setup_free);
}

static void
on_moderator_joined (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LdDemo *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!ld_session_join_room_finish (LD_SESSION (object), result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (self->tick_source == 0)
    self->tick_source = g_timeout_add (TICK_MS, on_tick, self);
  g_task_return_pointer (task, g_object_ref (self->session), g_object_unref);
}

static void
on_setup_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  LdDemo *self = LD_DEMO (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LdTokens) tokens = NULL;
  Setup *setup;

  setup = g_task_propagate_pointer (G_TASK (result), &error);
  if (setup == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_free (self->url);
  self->url = g_steal_pointer (&setup->url);

  for (guint i = 0; i < G_N_ELEMENTS (audience); i++)
    {
      Bot *bot = g_new0 (Bot, 1);

      bot->demo = self;
      bot->person = &audience[i];
      bot->token = g_steal_pointer (&setup->tokens[i]);
      bot->client = sio_client_new (self->url, LD_SESSION_DEFAULT_PATH);
      sio_client_set_auth_func (bot->client, bot_auth, bot, NULL);
      g_signal_connect (bot->client, "connect", G_CALLBACK (on_bot_connect), bot);
      g_signal_connect (bot->client, "event", G_CALLBACK (on_bot_event), bot);
      g_ptr_array_add (self->bots, bot);
      sio_client_connect (bot->client);
    }

  tokens = ld_tokens_new (setup->moderator_token, NULL, g_get_real_time () / G_USEC_PER_SEC + TOKEN_TTL_S);
  setup_free (setup);

  self->session = ld_session_new (self->url, self->url);
  ld_session_set_reconnect_attempts (self->session, 0);
  ld_session_set_tokens (self->session, tokens);
  ld_session_connect (self->session);
  ld_session_join_room_async (self->session, LD_DEMO_ROOM_ID, g_task_get_cancellable (task),
                              on_moderator_joined, g_object_ref (task));
}

/* Back in the main thread, which must start the gateway (see child_launcher_new). */
static void
on_redis_ready (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  LdDemo *self = LD_DEMO (object);
  g_autoptr(GTask) task = user_data;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GTask) setup_task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *users = NULL;
  g_autofree char *redis_uri = NULL;
  GCancellable *cancellable;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!g_task_propagate_boolean (G_TASK (result), NULL) && self->redis_process != NULL)
    {
      g_subprocess_force_exit (self->redis_process);
      g_clear_object (&self->redis_process);
      self->redis_port = 0;
    }
  if (self->redis_port != 0)
    redis_uri = g_strdup_printf ("redis://127.0.0.1:%u", self->redis_port);

  users = g_build_filename (self->tmp_dir, "users.json", NULL);
  launcher = child_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  /* Only the children see the secret: never argv, never our environment. */
  g_subprocess_launcher_setenv (launcher, SECRET_VARIABLE, self->secret, TRUE);
  /* The gateway also ends when our end of its stdin closes, which the kernel
   * does whenever and however we end. */
  self->gateway_process = g_subprocess_launcher_spawn (launcher, &error, self->gateway, "serve",
                                                       "--exit-with-stdin", "--port", "0", "--drain-timeout", "0", "--users", users,
                                                       redis_uri ? "--redis" : NULL, redis_uri, NULL);
  if (self->gateway_process == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  cancellable = g_task_get_cancellable (task);
  setup_task = g_task_new (self, cancellable, on_setup_done, g_steal_pointer (&task));
  g_task_set_task_data (setup_task, g_object_ref (g_subprocess_get_stdout_pipe (self->gateway_process)),
                        g_object_unref);
  g_task_run_in_thread (setup_task, setup_thread);
}

/* Call from the main thread: the demo's processes die with the thread that
 * started them. */
void
ld_demo_start_async (LdDemo              *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) redis_task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *users = NULL;
  guchar bytes[32];

  g_return_if_fail (LD_IS_DEMO (self));
  g_return_if_fail (self->gateway_process == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_demo_start_async);

  if (self->gateway == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("Demo mode needs livedesk-gateway, which is not installed"));
      return;
    }

  self->tmp_dir = g_dir_make_tmp ("livedesk-demo-XXXXXX", &error);
  if (self->tmp_dir == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Nobody signs in with a password in the demo: every token is minted. */
  users = g_build_filename (self->tmp_dir, "users.json", NULL);
  if (!g_file_set_contents_full (users, "[]\n", -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (guchar) g_random_int_range (0, 256);
  self->secret = g_compute_checksum_for_data (G_CHECKSUM_SHA256, bytes, sizeof bytes);
  explicit_bzero (bytes, sizeof bytes);

  start_redis (self);
  redis_task = g_task_new (self, cancellable, on_redis_ready, g_steal_pointer (&task));
  g_task_set_task_data (redis_task, GUINT_TO_POINTER (self->redis_port), NULL);
  if (self->redis_port == 0)
    g_task_return_boolean (redis_task, FALSE);
  else
    g_task_run_in_thread (redis_task, redis_ping_thread);
}

LdSession *
ld_demo_start_finish (LdDemo        *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (LD_IS_DEMO (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  Person     person;
  char      *user_id;
  char      *username;
  char      *role;
  LdSession *session;
} NewSession;

static void
new_session_free (NewSession *data)
{
  g_free (data->user_id);
  g_free (data->username);
  g_free (data->role);
  g_clear_object (&data->session);
  g_free (data);
}

static void
mint_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  NewSession *data = task_data;
  GError *error = NULL;
  char *token = mint_token (source_object, &data->person, cancellable, &error);

  if (token == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, token, g_free);
}

static void
on_new_session_joined (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NewSession *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!ld_session_join_room_finish (LD_SESSION (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&data->session), g_object_unref);
}

static void
on_new_session_minted (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  LdDemo *self = LD_DEMO (object);
  g_autoptr(GTask) task = user_data;
  NewSession *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(LdTokens) tokens = NULL;
  g_autofree char *token = NULL;

  token = g_task_propagate_pointer (G_TASK (result), &error);
  if (token == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  tokens = ld_tokens_new (token, NULL, g_get_real_time () / G_USEC_PER_SEC + TOKEN_TTL_S);
  explicit_bzero (token, strlen (token));
  data->session = ld_session_new (self->url, self->url);
  ld_session_set_tokens (data->session, tokens);
  ld_session_connect (data->session);
  ld_session_join_room_async (data->session, LD_DEMO_ROOM_ID, g_task_get_cancellable (task),
                              on_new_session_joined, g_object_ref (task));
}

void
ld_demo_new_session_async (LdDemo              *self,
                           const char          *user_id,
                           const char          *username,
                           const char          *role,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) mint = NULL;
  NewSession *data;

  g_return_if_fail (LD_IS_DEMO (self));
  g_return_if_fail (self->url != NULL);

  data = g_new0 (NewSession, 1);
  data->user_id = g_strdup (user_id);
  data->username = g_strdup (username);
  data->role = g_strdup (role);
  data->person = (Person) { data->user_id, data->username, data->role };

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_demo_new_session_async);
  g_task_set_task_data (task, data, (GDestroyNotify) new_session_free);

  mint = g_task_new (self, cancellable, on_new_session_minted, g_steal_pointer (&task));
  /* Owned by the outer task, which outlives this one. */
  g_task_set_task_data (mint, data, NULL);
  g_task_run_in_thread (mint, mint_thread);
}

LdSession *
ld_demo_new_session_finish (LdDemo        *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (LD_IS_DEMO (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
ld_demo_get_url (LdDemo *self)
{
  g_return_val_if_fail (LD_IS_DEMO (self), NULL);
  return self->url;
}

guint
ld_demo_get_n_actions (LdDemo *self)
{
  g_return_val_if_fail (LD_IS_DEMO (self), 0);
  return self->n_actions;
}

static void
stop_process (GSubprocess **process)
{
  if (*process == NULL)
    return;

  g_subprocess_send_signal (*process, SIGTERM);
  /* A clean shutdown takes milliseconds; do not leave a zombie behind. */
  g_subprocess_wait (*process, NULL, NULL);
  g_clear_object (process);
}

void
ld_demo_stop (LdDemo *self)
{
  g_return_if_fail (LD_IS_DEMO (self));

  g_clear_handle_id (&self->tick_source, g_source_remove);
  if (self->session != NULL)
    {
      ld_session_disconnect (self->session);
      g_clear_object (&self->session);
    }
  g_ptr_array_set_size (self->bots, 0);
  stop_process (&self->gateway_process);
  stop_process (&self->redis_process);

  if (self->tmp_dir != NULL)
    {
      g_autofree char *users = g_build_filename (self->tmp_dir, "users.json", NULL);

      g_unlink (users);
      g_rmdir (self->tmp_dir);
      g_clear_pointer (&self->tmp_dir, g_free);
    }
}
