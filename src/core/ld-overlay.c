/* ld-overlay.c: the OBS overlay server.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <libsoup/soup.h>

#include "ld-overlay.h"
#include "ld-overlay-resources.h"
#include "ld-validate.h"

#define RESOURCE_PREFIX "/io/github/livedesk/Livedesk/overlay/"
#define SECRET_BYTES 16
/* Senders the figures page ranks: gifts come from strangers, so the table
 * stops growing; later senders still count towards the total. */
#define MAX_GIFTERS 10000

#define FEED_CHAT g_intern_static_string ("chat")
#define FEED_GIFTS g_intern_static_string ("gifts")
#define FEED_STATS g_intern_static_string ("stats")

/* One page's open event stream. */
typedef struct
{
  LdOverlay         *overlay;
  SoupServerMessage *msg;
  const char        *feed; /* interned: "chat", "gifts" or "stats" */
  gulong             finished_id;
  GSource           *hangup;
} Client;

/* A message in the chat page's backlog. KEY names it on the pages, since a
 * message of ours changes its id when the server confirms it. */
typedef struct
{
  LdMessage *message;
  guint64    key;
  gulong     state_id;
} ChatEntry;

struct _LdOverlay
{
  GObject      parent_instance;

  SoupServer  *server;
  guint        port;
  char        *secret;
  char        *chat_url;
  char        *gifts_url;
  char        *stats_url;
  GPtrArray   *clients;
  /* The pages' texts in the app's language, and files the app lends them
   * (the gift sounds): name → GBytes, with its content type beside. */
  char        *strings;
  GHashTable  *files;
  GHashTable  *file_types;
  guint        keep_alive_id;

  GQueue       chat;
  guint64      next_key;
  LdGift      *gift;
  gulong       gift_count_id;
  /* The figures page: the gifts received while fed, by sender. */
  double       gift_total;
  guint        viewers;
  GHashTable  *gifters; /* sender name → double* value sent */

  LdSession   *session;
  /* The session's current room, which the overlay shows. */
  LdRoom      *room;
  LdChatModel *chat_model;
  LdGiftQueue *gift_queue;
  gulong       items_changed_id;
  gulong       current_room_id;
  gulong       alert_started_id;
  gulong       alert_finished_id;
  gulong       gift_received_id;
  gulong       viewers_id;
};

G_DEFINE_FINAL_TYPE (LdOverlay, ld_overlay, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PORT,
  PROP_RUNNING,
  PROP_CHAT_URL,
  PROP_GIFTS_URL,
  PROP_STATS_URL,
  PROP_N_PAGES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_QUARK (ld-overlay-error-quark, ld_overlay_error)

static void
client_free (Client *client)
{
  if (client->hangup != NULL)
    g_source_destroy (client->hangup);
  g_clear_pointer (&client->hangup, g_source_unref);
  g_clear_signal_handler (&client->finished_id, client->msg);
  g_clear_object (&client->msg);
  g_free (client);
}

static void
chat_entry_free (ChatEntry *entry)
{
  g_clear_signal_handler (&entry->state_id, entry->message);
  g_clear_object (&entry->message);
  g_free (entry);
}

static char *
new_secret (void)
{
  guint8 bytes[SECRET_BYTES];
  gsize got = 0;
  GString *hex = g_string_sized_new (SECRET_BYTES * 2);

  while (got < sizeof bytes)
    {
      ssize_t n = getrandom (bytes + got, sizeof bytes - got, 0);

      if (n < 0 && errno == EINTR)
        continue;
      /* getrandom only fails on kernels older than 3.17, which GLib 2.74 no
       * longer runs on; a guessable secret would be worse than stopping. */
      if (n < 0)
        g_error ("getrandom: %s", g_strerror (errno));
      got += n;
    }
  for (gsize i = 0; i < sizeof bytes; i++)
    g_string_append_printf (hex, "%02x", bytes[i]);
  return g_string_free (hex, FALSE);
}

/* Compares all of SECRET whatever the input, so the time a request takes
 * tells nothing about how much of a guess was right. */
static gboolean
secret_matches (const char *secret,
                const char *segment,
                gsize       segment_len)
{
  gsize secret_len = strlen (secret);
  guint8 diff = segment_len != secret_len;

  for (gsize i = 0; i < secret_len; i++)
    diff |= (guint8) secret[i] ^ (guint8) (i < segment_len ? segment[i] : 0);
  return diff == 0;
}

static void
update_urls (LdOverlay *self)
{
  g_clear_pointer (&self->chat_url, g_free);
  g_clear_pointer (&self->gifts_url, g_free);
  g_clear_pointer (&self->stats_url, g_free);
  if (self->server != NULL)
    {
      self->chat_url = g_strdup_printf ("http://127.0.0.1:%u/%s/chat", self->port, self->secret);
      self->gifts_url = g_strdup_printf ("http://127.0.0.1:%u/%s/gifts", self->port, self->secret);
      self->stats_url = g_strdup_printf ("http://127.0.0.1:%u/%s/stats", self->port, self->secret);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHAT_URL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GIFTS_URL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATS_URL]);
}

static void
client_write (Client     *client,
              const char *text)
{
  soup_message_body_append (soup_server_message_get_response_body (client->msg),
                            SOUP_MEMORY_COPY, text, strlen (text));
  soup_server_message_unpause (client->msg);
}

/* Ends every stream: the pages see the connection close. */
static void
close_clients (LdOverlay *self)
{
  g_autoptr(GPtrArray) clients = g_steal_pointer (&self->clients);

  self->clients = g_ptr_array_new_with_free_func ((GDestroyNotify) client_free);
  for (guint i = 0; i < clients->len; i++)
    {
      Client *client = g_ptr_array_index (clients, i);

      g_clear_signal_handler (&client->finished_id, client->msg);
      soup_message_body_complete (soup_server_message_get_response_body (client->msg));
      soup_server_message_unpause (client->msg);
    }
  if (clients->len > 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PAGES]);
}

static char *
format_event (const char *name,
              JsonNode   *data)
{
  g_autofree char *json = json_to_string (data, FALSE);

  return g_strdup_printf ("event: %s\ndata: %s\n\n", name, json);
}

static void
broadcast (LdOverlay  *self,
           const char *feed,
           const char *name,
           JsonNode   *data)
{
  g_autofree char *event = format_event (name, data);

  for (guint i = 0; i < self->clients->len; i++)
    {
      Client *client = g_ptr_array_index (self->clients, i);

      if (client->feed == feed)
        client_write (client, event);
    }
}

static JsonNode *
chat_entry_to_json (ChatEntry *entry)
{
  LdMessage *message = entry->message;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *image_url = ld_message_get_message_type (message) == LD_MESSAGE_TYPE_IMAGE
                           ? ld_message_get_image_url (message) : NULL;
  /* The app's rules: the page never asks a host outside them (nor over http). */
  gboolean image = image_url != NULL && ld_validate_image_url (image_url, LD_IMAGE_URL_HTTPS_ONLY, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "key");
  json_builder_add_int_value (builder, entry->key);
  json_builder_set_member_name (builder, "userId");
  json_builder_add_string_value (builder, ld_message_get_user_id (message));
  json_builder_set_member_name (builder, "author");
  json_builder_add_string_value (builder, ld_message_get_username (message));
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, ld_role_to_string (ld_message_get_role (message)));
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, image ? "image" : "text");
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, ld_message_get_text (message));
  json_builder_set_member_name (builder, "imageUrl");
  json_builder_add_string_value (builder, image ? image_url : NULL);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static JsonNode *
key_to_json (guint64 key)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "key");
  json_builder_add_int_value (builder, key);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static JsonNode *
gift_to_json (LdGift *gift)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "sender");
  json_builder_add_string_value (builder, ld_gift_get_sender_name (gift));
  json_builder_set_member_name (builder, "receiver");
  json_builder_add_string_value (builder, ld_gift_get_receiver_name (gift));
  json_builder_set_member_name (builder, "gift");
  json_builder_add_string_value (builder, ld_gift_get_gift_name (gift));
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, ld_gift_get_count (gift));
  /* What the alerts page filters on and picks its sound by. */
  json_builder_set_member_name (builder, "value");
  json_builder_add_double_value (builder, ld_gift_get_total_value (gift));
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, ld_gift_get_message (gift));
  json_builder_set_member_name (builder, "animation");
  json_builder_add_string_value (builder, ld_gift_get_animation (gift));
  json_builder_set_member_name (builder, "durationMs");
  json_builder_add_int_value (builder, ld_gift_get_duration_ms (gift));
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
on_message_state (LdMessage  *message,
                  GParamSpec *pspec,
                  LdOverlay  *self)
{
  if (ld_message_get_state (message) != LD_MESSAGE_STATE_DELETED)
    return;

  for (GList *l = self->chat.head; l != NULL; l = l->next)
    {
      ChatEntry *entry = l->data;

      if (entry->message == message)
        {
          g_autoptr(JsonNode) node = key_to_json (entry->key);

          g_queue_delete_link (&self->chat, l);
          chat_entry_free (entry);
          broadcast (self, FEED_CHAT, "delete", node);
          return;
        }
    }
}

static void
add_chat (LdOverlay *self,
          LdMessage *message)
{
  ChatEntry *entry;
  g_autoptr(JsonNode) node = NULL;

  if (ld_message_get_state (message) == LD_MESSAGE_STATE_DELETED)
    return;
  for (GList *l = self->chat.head; l != NULL; l = l->next)
    if (((ChatEntry *) l->data)->message == message)
      return;

  entry = g_new0 (ChatEntry, 1);
  entry->message = g_object_ref (message);
  entry->key = ++self->next_key;
  entry->state_id = g_signal_connect (message, "notify::state", G_CALLBACK (on_message_state), self);
  g_queue_push_tail (&self->chat, entry);
  while (self->chat.length > LD_OVERLAY_CHAT_BACKLOG)
    chat_entry_free (g_queue_pop_head (&self->chat));

  node = chat_entry_to_json (entry);
  broadcast (self, FEED_CHAT, "chat", node);
}

static void
clear_chat (LdOverlay *self)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_NULL);

  g_queue_clear_full (&self->chat, (GDestroyNotify) chat_entry_free);
  broadcast (self, FEED_CHAT, "clear", node);
}

static JsonNode *
stats_to_json (LdOverlay *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  GHashTableIter iter;
  gpointer name, value;
  const char *top = NULL;
  double top_value = 0;

  g_hash_table_iter_init (&iter, self->gifters);
  while (g_hash_table_iter_next (&iter, &name, &value))
    if (*(double *) value > top_value || (*(double *) value == top_value && top != NULL && strcmp (name, top) < 0))
      {
        top = name;
        top_value = *(double *) value;
      }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "viewers");
  json_builder_add_int_value (builder, self->viewers);
  json_builder_set_member_name (builder, "giftTotal");
  json_builder_add_double_value (builder, self->gift_total);
  json_builder_set_member_name (builder, "topGifter");
  json_builder_add_string_value (builder, top);
  json_builder_set_member_name (builder, "topGifterValue");
  json_builder_add_double_value (builder, top_value);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
broadcast_stats (LdOverlay *self)
{
  g_autoptr(JsonNode) node = stats_to_json (self);

  broadcast (self, FEED_STATS, "stats", node);
}

/* Counts one send, value × quantity, when it arrives: not when its alert
 * plays, which may be a minute later behind a queue, or never. */
static void
count_gift (LdOverlay *self,
            LdGift    *gift)
{
  double delta = ld_gift_get_total_value (gift);
  const char *sender = ld_gift_get_sender_name (gift);
  double *sent;

  if (!(delta > 0))
    return;
  self->gift_total += delta;
  if (sender == NULL || *sender == '\0')
    sender = ld_gift_get_sender_id (gift);
  if (sender != NULL)
    {
      sent = g_hash_table_lookup (self->gifters, sender);
      if (sent == NULL && g_hash_table_size (self->gifters) < MAX_GIFTERS)
        {
          sent = g_new0 (double, 1);
          g_hash_table_insert (self->gifters, g_strdup (sender), sent);
        }
      if (sent != NULL)
        *sent += delta;
    }
  broadcast_stats (self);
}

static void
on_gift_count (LdGift     *gift,
               GParamSpec *pspec,
               LdOverlay  *self)
{
  g_autoptr(JsonNode) node = gift_to_json (gift);

  broadcast (self, FEED_GIFTS, "gift", node);
}

static void
set_gift (LdOverlay *self,
          LdGift    *gift)
{
  if (self->gift != NULL)
    g_clear_signal_handler (&self->gift_count_id, self->gift);
  g_set_object (&self->gift, gift);

  if (gift != NULL)
    {
      g_autoptr(JsonNode) node = gift_to_json (gift);

      self->gift_count_id = g_signal_connect (gift, "notify::count", G_CALLBACK (on_gift_count), self);
      broadcast (self, FEED_GIFTS, "gift", node);
    }
  else
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_NULL);

      broadcast (self, FEED_GIFTS, "gift-end", node);
    }
}

static gboolean
on_keep_alive (gpointer user_data)
{
  LdOverlay *self = user_data;

  /* A comment line: EventSource ignores it, but a page that went away
   * makes the write fail and its stream finish. */
  for (guint i = 0; i < self->clients->len; i++)
    client_write (g_ptr_array_index (self->clients, i), ": keep-alive\n\n");
  return G_SOURCE_CONTINUE;
}

static void
on_client_finished (SoupServerMessage *msg,
                    LdOverlay         *self)
{
  for (guint i = 0; i < self->clients->len; i++)
    {
      Client *client = g_ptr_array_index (self->clients, i);

      if (client->msg == msg)
        {
          g_ptr_array_remove_index_fast (self->clients, i);
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PAGES]);
          return;
        }
    }
}

/* A page that goes away closes its connection, but libsoup only notices
 * when a write fails, which the keep-alive makes happen up to two rounds
 * later. Watching the socket drops it at once. */
static gboolean
on_client_hangup (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  Client *client = user_data;
  LdOverlay *self = client->overlay;
  GInputVector peek = { (char [1]) { 0 }, 1 };
  int flags = G_SOCKET_MSG_PEEK;
  g_autoptr(GError) error = NULL;
  gssize n;

  n = g_socket_receive_message (socket, NULL, &peek, 1, NULL, NULL, &flags, NULL, &error);
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;
  if (n > 0)
    {
      /* The page sent something (it should not): leave it to the keep-alive. */
      g_clear_pointer (&client->hangup, g_source_unref);
      return G_SOURCE_REMOVE;
    }

  g_clear_signal_handler (&client->finished_id, client->msg);
  soup_message_body_complete (soup_server_message_get_response_body (client->msg));
  soup_server_message_unpause (client->msg);
  g_ptr_array_remove_fast (self->clients, client);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PAGES]);
  return G_SOURCE_REMOVE;
}

static void
serve_events (LdOverlay         *self,
              SoupServerMessage *msg,
              GUri              *uri)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  g_autoptr(GHashTable) params = NULL;
  const char *feed = NULL;
  Client *client;

  if (g_uri_get_query (uri) != NULL)
    params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params != NULL)
    feed = g_hash_table_lookup (params, "feed");
  if (g_strcmp0 (feed, "chat") != 0 && g_strcmp0 (feed, "gifts") != 0 && g_strcmp0 (feed, "stats") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
      return;
    }

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_body_set_accumulate (body, FALSE);

  client = g_new0 (Client, 1);
  client->msg = g_object_ref (msg);
  client->feed = g_intern_string (feed);
  client->overlay = self;
  client->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (on_client_finished), self);
  client->hangup = g_socket_create_source (soup_server_message_get_socket (msg), G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (client->hangup, G_SOURCE_FUNC (on_client_hangup), client, NULL);
  g_source_attach (client->hangup, NULL);
  g_ptr_array_add (self->clients, client);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PAGES]);

  /* What the page should show right away: OBS reloads its sources. */
  client_write (client, "retry: 2000\n\n");
  if (client->feed == FEED_STATS)
    {
      g_autoptr(JsonNode) node = stats_to_json (self);
      g_autofree char *event = format_event ("stats", node);

      client_write (client, event);
    }
  else if (client->feed == FEED_GIFTS)
    {
      if (self->gift != NULL)
        {
          g_autoptr(JsonNode) node = gift_to_json (self->gift);
          g_autofree char *event = format_event ("gift", node);

          client_write (client, event);
        }
    }
  else
    {
      for (GList *l = self->chat.head; l != NULL; l = l->next)
        {
          g_autoptr(JsonNode) node = chat_entry_to_json (l->data);
          g_autofree char *event = format_event ("chat", node);

          client_write (client, event);
        }
    }
}

static void
serve_resource (SoupServerMessage *msg,
                const char        *name,
                const char        *content_type)
{
  g_autofree char *path = g_strconcat (RESOURCE_PREFIX, name, NULL);
  /* Looked up in our own bundle: a static library would drop a bundle that
   * only registers itself. */
  g_autoptr(GBytes) bytes = g_resource_lookup_data (ld_overlay_get_resource (), path,
                                                    G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);

  if (bytes == NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY,
                                    g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* Images only from the hosts the app allows, over https; nothing else
 * leaves the page. Built once from the validator's list so the two agree. */
static const char *
content_security_policy (void)
{
  static char *policy;

  if (g_once_init_enter (&policy))
    {
      GString *csp = g_string_new ("default-src 'self'; img-src");

      for (const char * const *host = ld_validate_image_hosts (); *host != NULL; host++)
        g_string_append_printf (csp, " https://%s https://*.%s", *host, *host);
      g_once_init_leave (&policy, g_string_free (csp, FALSE));
    }
  return policy;
}

static void
handle_request (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  LdOverlay *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  const char *segment, *slash, *rest;

  /* The secret is in the URL: keep it out of caches and referrers. */
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Content-Security-Policy", content_security_policy ());

  segment = path[0] == '/' ? path + 1 : path;
  slash = strchr (segment, '/');
  if (slash == NULL || !secret_matches (self->secret, segment, slash - segment))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  if (strcmp (method, "GET") != 0 && strcmp (method, "HEAD") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      soup_message_headers_replace (headers, "Allow", "GET, HEAD");
      return;
    }

  rest = slash + 1;
  if (g_str_equal (rest, "chat"))
    serve_resource (msg, "chat.html", "text/html; charset=utf-8");
  else if (g_str_equal (rest, "gifts"))
    serve_resource (msg, "gifts.html", "text/html; charset=utf-8");
  else if (g_str_equal (rest, "stats"))
    serve_resource (msg, "stats.html", "text/html; charset=utf-8");
  else if (g_str_equal (rest, "strings.json"))
    {
      const char *strings = self->strings ? self->strings : "{}";

      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, strings, strlen (strings));
    }
  else if (g_hash_table_contains (self->files, rest))
    {
      GBytes *bytes = g_hash_table_lookup (self->files, rest);

      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, g_hash_table_lookup (self->file_types, rest), SOUP_MEMORY_COPY,
                                        g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }
  else if (g_str_equal (rest, "overlay.css"))
    serve_resource (msg, "overlay.css", "text/css; charset=utf-8");
  else if (g_str_equal (rest, "overlay.js"))
    serve_resource (msg, "overlay.js", "text/javascript; charset=utf-8");
  else if (g_str_equal (rest, "events") && strcmp (method, "GET") == 0)
    serve_events (self, msg, soup_server_message_get_uri (msg));
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  LdOverlay  *self)
{
  if (added == 0 && g_list_model_get_n_items (model) == 0)
    {
      clear_chat (self);
      return;
    }
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(LdMessage) message = g_list_model_get_item (model, i);

      add_chat (self, message);
    }
}

static void
on_alert_started (LdGiftQueue *queue,
                  LdGift      *gift,
                  LdOverlay   *self)
{
  set_gift (self, gift);
}

static void
on_alert_finished (LdGiftQueue *queue,
                   LdGift      *gift,
                   LdOverlay   *self)
{
  if (self->gift == gift)
    set_gift (self, NULL);
}

static void
ld_overlay_dispose (GObject *object)
{
  LdOverlay *self = LD_OVERLAY (object);

  ld_overlay_set_session (self, NULL);
  ld_overlay_stop (self);
  set_gift (self, NULL);
  g_queue_clear_full (&self->chat, (GDestroyNotify) chat_entry_free);

  G_OBJECT_CLASS (ld_overlay_parent_class)->dispose (object);
}

static void
ld_overlay_finalize (GObject *object)
{
  LdOverlay *self = LD_OVERLAY (object);

  g_clear_pointer (&self->clients, g_ptr_array_unref);
  g_clear_pointer (&self->secret, g_free);
  g_clear_pointer (&self->chat_url, g_free);
  g_clear_pointer (&self->gifts_url, g_free);
  g_clear_pointer (&self->stats_url, g_free);
  g_clear_pointer (&self->strings, g_free);
  g_clear_pointer (&self->files, g_hash_table_unref);
  g_clear_pointer (&self->file_types, g_hash_table_unref);
  g_clear_pointer (&self->gifters, g_hash_table_unref);

  G_OBJECT_CLASS (ld_overlay_parent_class)->finalize (object);
}

static void
ld_overlay_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  LdOverlay *self = LD_OVERLAY (object);

  switch (prop_id)
    {
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->server != NULL);
      break;
    case PROP_CHAT_URL:
      g_value_set_string (value, self->chat_url);
      break;
    case PROP_GIFTS_URL:
      g_value_set_string (value, self->gifts_url);
      break;
    case PROP_STATS_URL:
      g_value_set_string (value, self->stats_url);
      break;
    case PROP_N_PAGES:
      g_value_set_uint (value, self->clients->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_overlay_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  LdOverlay *self = LD_OVERLAY (object);

  switch (prop_id)
    {
    case PROP_PORT:
      ld_overlay_set_port (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_overlay_class_init (LdOverlayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = ld_overlay_dispose;
  object_class->finalize = ld_overlay_finalize;
  object_class->get_property = ld_overlay_get_property;
  object_class->set_property = ld_overlay_set_property;

  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, 65535, 0,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE, ro);
  properties[PROP_CHAT_URL] = g_param_spec_string ("chat-url", NULL, NULL, NULL, ro);
  properties[PROP_GIFTS_URL] = g_param_spec_string ("gifts-url", NULL, NULL, NULL, ro);
  properties[PROP_STATS_URL] = g_param_spec_string ("stats-url", NULL, NULL, NULL, ro);
  properties[PROP_N_PAGES] = g_param_spec_uint ("n-pages", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ld_overlay_init (LdOverlay *self)
{
  self->clients = g_ptr_array_new_with_free_func ((GDestroyNotify) client_free);
  self->secret = new_secret ();
  g_queue_init (&self->chat);
  self->files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  self->file_types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->gifters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

LdOverlay *
ld_overlay_new (guint port)
{
  g_return_val_if_fail (port <= 65535, NULL);

  return g_object_new (LD_TYPE_OVERLAY, "port", port, NULL);
}

guint
ld_overlay_get_port (LdOverlay *self)
{
  g_return_val_if_fail (LD_IS_OVERLAY (self), 0);

  return self->port;
}

void
ld_overlay_set_port (LdOverlay *self,
                     guint      port)
{
  g_return_if_fail (LD_IS_OVERLAY (self));
  g_return_if_fail (port <= 65535);

  if (self->port == port)
    return;
  self->port = port;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
}

gboolean
ld_overlay_get_running (LdOverlay *self)
{
  g_return_val_if_fail (LD_IS_OVERLAY (self), FALSE);

  return self->server != NULL;
}

gboolean
ld_overlay_start (LdOverlay  *self,
                  GError    **error)
{
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoslist(GUri) uris = NULL;

  g_return_val_if_fail (LD_IS_OVERLAY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->server != NULL)
    return TRUE;

  server = soup_server_new ("server-header", NULL, NULL);
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, self->port);
  if (!soup_server_listen (server, address, 0, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        g_set_error (error, LD_OVERLAY_ERROR, LD_OVERLAY_ERROR_PORT_IN_USE,
                     "Port %u is already in use by another program; choose another port for the overlay",
                     self->port);
      else
        g_set_error (error, LD_OVERLAY_ERROR, LD_OVERLAY_ERROR_FAILED,
                     "Could not start the overlay on port %u: %s", self->port, local_error->message);
      return FALSE;
    }
  soup_server_add_handler (server, NULL, handle_request, self, NULL);

  uris = soup_server_get_uris (server);
  self->server = g_steal_pointer (&server);
  if (uris != NULL && self->port != (guint) g_uri_get_port (uris->data))
    {
      self->port = g_uri_get_port (uris->data);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
    }
  self->keep_alive_id = g_timeout_add_seconds (LD_OVERLAY_KEEP_ALIVE_S, on_keep_alive, self);
  update_urls (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  return TRUE;
}

void
ld_overlay_stop (LdOverlay *self)
{
  g_return_if_fail (LD_IS_OVERLAY (self));

  if (self->server == NULL)
    return;

  close_clients (self);
  g_clear_handle_id (&self->keep_alive_id, g_source_remove);
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  update_urls (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

guint
ld_overlay_get_n_pages (LdOverlay *self)
{
  g_return_val_if_fail (LD_IS_OVERLAY (self), 0);

  return self->clients->len;
}

const char *
ld_overlay_get_chat_url (LdOverlay *self)
{
  g_return_val_if_fail (LD_IS_OVERLAY (self), NULL);

  return self->chat_url;
}

const char *
ld_overlay_get_gifts_url (LdOverlay *self)
{
  g_return_val_if_fail (LD_IS_OVERLAY (self), NULL);

  return self->gifts_url;
}

const char *
ld_overlay_get_stats_url (LdOverlay *self)
{
  g_return_val_if_fail (LD_IS_OVERLAY (self), NULL);

  return self->stats_url;
}

static void
replace_secret (LdOverlay *self,
                char      *secret)
{
  g_free (self->secret);
  self->secret = secret;
  close_clients (self);
  update_urls (self);
}

void
ld_overlay_regenerate_secret (LdOverlay *self)
{
  g_return_if_fail (LD_IS_OVERLAY (self));

  replace_secret (self, new_secret ());
}

const char *
ld_overlay_get_secret (LdOverlay *self)
{
  g_return_val_if_fail (LD_IS_OVERLAY (self), NULL);

  return self->secret;
}

gboolean
ld_overlay_set_secret (LdOverlay  *self,
                       const char *secret)
{
  g_return_val_if_fail (LD_IS_OVERLAY (self), FALSE);
  g_return_val_if_fail (secret != NULL, FALSE);

  if (strlen (secret) != SECRET_BYTES * 2 || strspn (secret, "0123456789abcdef") != SECRET_BYTES * 2)
    return FALSE;
  if (strcmp (secret, self->secret) != 0)
    replace_secret (self, g_strdup (secret));
  return TRUE;
}

static void
on_viewer_count (LdOverlay *self)
{
  ld_overlay_set_viewers (self, self->room != NULL ? ld_room_get_viewer_count (self->room) : 0);
}

/* The shown room's viewer count, chat and gift queue, which change with
 * the room. */
static void
bind_room (LdOverlay *self)
{
  LdRoom *room = self->session != NULL ? ld_session_get_current_room (self->session) : NULL;
  LdChatModel *chat = room != NULL ? ld_room_get_chat (room) : NULL;
  LdGiftQueue *gifts = room != NULL ? ld_room_get_gifts (room) : NULL;

  if (self->room != room)
    {
      if (self->room != NULL)
        g_clear_signal_handler (&self->viewers_id, self->room);
      g_set_object (&self->room, room);
      if (room != NULL)
        self->viewers_id = g_signal_connect_swapped (room, "notify::viewer-count", G_CALLBACK (on_viewer_count), self);
      on_viewer_count (self);
    }

  if (self->chat_model == chat && self->gift_queue == gifts)
    return;

  if (self->chat_model != NULL)
    g_clear_signal_handler (&self->items_changed_id, self->chat_model);
  if (self->gift_queue != NULL)
    {
      g_clear_signal_handler (&self->alert_started_id, self->gift_queue);
      g_clear_signal_handler (&self->alert_finished_id, self->gift_queue);
      g_clear_signal_handler (&self->gift_received_id, self->gift_queue);
    }
  g_clear_object (&self->chat_model);
  g_clear_object (&self->gift_queue);
  if (chat == NULL || gifts == NULL)
    return;

  self->chat_model = g_object_ref (chat);
  self->gift_queue = g_object_ref (gifts);
  self->items_changed_id = g_signal_connect (self->chat_model, "items-changed",
                                             G_CALLBACK (on_items_changed), self);
  self->alert_started_id = g_signal_connect (self->gift_queue, "alert-started",
                                             G_CALLBACK (on_alert_started), self);
  self->alert_finished_id = g_signal_connect (self->gift_queue, "alert-finished",
                                              G_CALLBACK (on_alert_finished), self);
  self->gift_received_id = g_signal_connect_swapped (self->gift_queue, "gift-received",
                                                     G_CALLBACK (count_gift), self);

  /* What the room already shows, newest last. */
  {
    guint n = g_list_model_get_n_items (G_LIST_MODEL (self->chat_model));

    for (guint i = n > LD_OVERLAY_CHAT_BACKLOG ? n - LD_OVERLAY_CHAT_BACKLOG : 0; i < n; i++)
      {
        g_autoptr(LdMessage) message = g_list_model_get_item (G_LIST_MODEL (self->chat_model), i);

        add_chat (self, message);
      }
    set_gift (self, ld_gift_queue_get_current (self->gift_queue));
  }
}

void
ld_overlay_set_session (LdOverlay *self,
                        LdSession *session)
{
  g_return_if_fail (LD_IS_OVERLAY (self));
  g_return_if_fail (session == NULL || LD_IS_SESSION (session));

  if (self->session == session)
    return;

  if (self->session != NULL)
    {
      g_clear_signal_handler (&self->current_room_id, self->session);
      g_clear_object (&self->session);
      bind_room (self);
    }
  if (session == NULL)
    return;

  self->session = g_object_ref (session);
  self->current_room_id = g_signal_connect_swapped (session, "notify::current-room", G_CALLBACK (bind_room), self);
  bind_room (self);
}

void
ld_overlay_push_chat (LdOverlay *self,
                      LdMessage *message)
{
  g_return_if_fail (LD_IS_OVERLAY (self));
  g_return_if_fail (LD_IS_MESSAGE (message));

  add_chat (self, message);
}

void
ld_overlay_push_gift (LdOverlay *self,
                      LdGift    *gift)
{
  g_return_if_fail (LD_IS_OVERLAY (self));
  g_return_if_fail (LD_IS_GIFT (gift));

  set_gift (self, gift);
}

void
ld_overlay_set_viewers (LdOverlay *self,
                        guint      viewers)
{
  g_return_if_fail (LD_IS_OVERLAY (self));

  if (self->viewers == viewers)
    return;
  self->viewers = viewers;
  broadcast_stats (self);
}

void
ld_overlay_set_strings (LdOverlay  *self,
                        JsonObject *strings)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_if_fail (LD_IS_OVERLAY (self));
  g_return_if_fail (strings != NULL);

  node = json_node_init_object (json_node_alloc (), strings);
  g_free (self->strings);
  self->strings = json_to_string (node, FALSE);
}

void
ld_overlay_add_file (LdOverlay  *self,
                     const char *name,
                     GBytes     *bytes,
                     const char *content_type)
{
  g_return_if_fail (LD_IS_OVERLAY (self));
  g_return_if_fail (name != NULL && bytes != NULL && content_type != NULL);

  g_hash_table_replace (self->files, g_strdup (name), g_bytes_ref (bytes));
  g_hash_table_replace (self->file_types, g_strdup (name), g_strdup (content_type));
}

void
ld_overlay_count_gift (LdOverlay *self,
                       LdGift    *gift)
{
  g_return_if_fail (LD_IS_OVERLAY (self));
  g_return_if_fail (LD_IS_GIFT (gift));

  count_gift (self, gift);
}
