/* test-ld-overlay.c: the OBS overlay pages in a real headless Chromium,
 * driven over the DevTools protocol: what a streamer's OBS would show.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "ld-overlay.h"
#include "ld-session.h"
#include "ld-test-gateway.h"
#include "ld-test-util.h"
#include "ld-test-room.h"

/* Chromium's first start on a noisy 2-core machine takes seconds. */
#define WAIT_MS 60000

static const char *gateway_program;
static const char *sound_file;

#define WAIT_UNTIL(cond) LD_TEST_WAIT_UNTIL (cond, WAIT_MS)

/* One headless Chromium with one tab, over the DevTools protocol. */
typedef struct
{
  GSubprocess             *process;
  char                    *profile;
  SoupSession             *http;
  SoupWebsocketConnection *tab;
  GHashTable              *replies; /* id → JsonObject */
  gint64                   next_id;
} Browser;

static Browser *browser;

static void
on_devtools_message (SoupWebsocketConnection *ws,
                     int                      type,
                     GBytes                  *message,
                     Browser                 *self)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;

  if (!json_parser_load_from_data (parser, g_bytes_get_data (message, NULL), g_bytes_get_size (message), NULL))
    return;
  object = json_node_get_object (json_parser_get_root (parser));
  if (object != NULL && json_object_has_member (object, "id"))
    g_hash_table_insert (self->replies, GINT_TO_POINTER (json_object_get_int_member (object, "id")),
                         json_object_ref (object));
}

/* Sends METHOD with PARAMS (JSON text) and returns the reply's result. */
static JsonObject *
devtools_call (const char *method,
               const char *params)
{
  gint64 id = ++browser->next_id;
  g_autofree char *text = g_strdup_printf ("{\"id\":%" G_GINT64_FORMAT ",\"method\":\"%s\",\"params\":%s}",
                                           id, method, params ? params : "{}");
  g_autoptr(JsonObject) reply = NULL;

  soup_websocket_connection_send_text (browser->tab, text);
  WAIT_UNTIL (g_hash_table_contains (browser->replies, GINT_TO_POINTER (id)));
  g_hash_table_steal_extended (browser->replies, GINT_TO_POINTER (id), NULL, (gpointer *) &reply);
  if (json_object_has_member (reply, "error"))
    g_error ("%s failed: %s", method,
             json_object_get_string_member_with_default (json_object_get_object_member (reply, "error"), "message", "?"));
  return json_object_ref (json_object_get_object_member (reply, "result"));
}

/* EXPRESSION's value in the page, as JSON text. */
static char *
page_eval (const char *expression)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) params = NULL;
  g_autofree char *text = NULL;
  g_autoptr(JsonObject) result = NULL;
  JsonObject *remote;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "expression");
  json_builder_add_string_value (builder, expression);
  json_builder_set_member_name (builder, "returnByValue");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  params = json_builder_get_root (builder);
  text = json_to_string (params, FALSE);
  result = devtools_call ("Runtime.evaluate", text);
  remote = json_object_get_object_member (result, "result");
  if (!json_object_has_member (remote, "value"))
    return g_strdup ("undefined");
  return json_to_string (json_object_get_member (remote, "value"), FALSE);
}

/* Waits until EXPRESSION is true in the page. */
static void
page_wait (const char *expression)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * (gint64) 1000;

  for (;;)
    {
      g_autofree char *value = page_eval (expression);

      if (g_str_equal (value, "true"))
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for the page: %s (last: %s)", expression, value);
      g_usleep (50000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
}

static void
page_open (const char *url)
{
  g_autofree char *params = g_strdup_printf ("{\"url\":\"%s\"}", url);
  g_autoptr(JsonObject) result = devtools_call ("Page.navigate", params);

  page_wait ("document.readyState === 'complete' && document.documentElement.dataset.connected === 'true'");
}

/* The page over a dark stand-in for the stream: the page paints no
 * background of its own. */
static void
page_screenshot (const char *path)
{
  g_autoptr(JsonObject) ignored = devtools_call ("Emulation.setDefaultBackgroundColorOverride",
                                                 "{\"color\":{\"r\":30,\"g\":40,\"b\":60,\"a\":1}}");
  g_autoptr(JsonObject) shot = devtools_call ("Page.captureScreenshot", "{\"format\":\"png\"}");
  g_autoptr(JsonObject) reset = devtools_call ("Emulation.setDefaultBackgroundColorOverride", "{}");
  gsize len = 0;
  g_autofree guchar *png = g_base64_decode (json_object_get_string_member (shot, "data"), &len);
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (len, >, 8);
  g_file_set_contents (path, (const char *) png, len, &error);
  g_assert_no_error (error);
  g_test_message ("screenshot: %s", path);
}

/* The page as OBS composites it: transparent where it paints nothing
 * (the README's screenshots, laid over a checkerboard). */
static void
page_screenshot_transparent (const char *path)
{
  g_autoptr(JsonObject) ignored = devtools_call ("Emulation.setDefaultBackgroundColorOverride",
                                                 "{\"color\":{\"r\":0,\"g\":0,\"b\":0,\"a\":0}}");
  g_autoptr(JsonObject) shot = devtools_call ("Page.captureScreenshot", "{\"format\":\"png\"}");
  g_autoptr(JsonObject) reset = devtools_call ("Emulation.setDefaultBackgroundColorOverride", "{}");
  gsize len = 0;
  g_autofree guchar *png = g_base64_decode (json_object_get_string_member (shot, "data"), &len);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, (const char *) png, len, &error);
  g_assert_no_error (error);
  g_test_message ("screenshot: %s", path);
}

/* The port file once Chromium has written it whole (port, newline, path). */
static char *
read_port_file (const char *path)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL) || strchr (contents, '\n') == NULL)
    return NULL;
  return g_steal_pointer (&contents);
}

static Browser *
browser_start (void)
{
  Browser *self = g_new0 (Browser, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *port_file = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *list_url = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *ws_url = NULL;
  JsonArray *targets;
  g_autofree char *user_data_dir = NULL;

  self->profile = g_dir_make_tmp ("ld-overlay-chromium-XXXXXX", &error);
  g_assert_no_error (error);
  user_data_dir = g_strconcat ("--user-data-dir=", self->profile, NULL);
  self->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                    "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                                    "--no-first-run", "--disable-background-networking",
                                    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
                                    "--window-size=800,450", "--remote-debugging-port=0", user_data_dir,
                                    /* OBS plays a page's sounds without a click; so must the test. */
                                    "--autoplay-policy=no-user-gesture-required",
                                    "about:blank", NULL);
  g_assert_no_error (error);

  port_file = g_build_filename (self->profile, "DevToolsActivePort", NULL);
  WAIT_UNTIL ((contents = read_port_file (port_file)) != NULL);
  lines = g_strsplit (contents, "\n", -1);

  self->http = soup_session_new ();
  self->replies = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) json_object_unref);
  list_url = g_strdup_printf ("http://127.0.0.1:%s/json/list", lines[0]);
  /* The tab may register a moment after the port file appears. */
  while (ws_url == NULL)
    {
      g_clear_object (&msg);
      g_clear_object (&result);
      g_clear_pointer (&body, g_bytes_unref);
      msg = soup_message_new ("GET", list_url);
      soup_session_send_and_read_async (self->http, msg, G_PRIORITY_DEFAULT, NULL, ld_test_store_result, &result);
      WAIT_UNTIL (result != NULL);
      body = soup_session_send_and_read_finish (self->http, result, &error);
      g_assert_no_error (error);
      g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body), &error));
      targets = json_node_get_array (json_parser_get_root (parser));
      for (guint i = 0; targets != NULL && i < json_array_get_length (targets); i++)
        {
          JsonObject *target = json_array_get_object_element (targets, i);

          if (g_strcmp0 (json_object_get_string_member_with_default (target, "type", NULL), "page") == 0)
            ws_url = json_object_get_string_member_with_default (target, "webSocketDebuggerUrl", NULL);
        }
      if (ws_url == NULL)
        g_usleep (100000);
    }

  g_clear_object (&msg);
  g_clear_object (&result);
  msg = soup_message_new ("GET", ws_url);
  soup_session_websocket_connect_async (self->http, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  self->tab = soup_session_websocket_connect_finish (self->http, result, &error);
  g_assert_no_error (error);
  /* Screenshots come back as one large message. */
  soup_websocket_connection_set_max_incoming_payload_size (self->tab, 64 * 1024 * 1024);
  g_signal_connect (self->tab, "message", G_CALLBACK (on_devtools_message), self);
  browser = self;
  json_object_unref (devtools_call ("Page.enable", NULL));
  return self;
}

static void
browser_stop (Browser *self)
{
  g_autoptr(GError) error = NULL;
  const char *rm[] = { "rm", "-rf", self->profile, NULL };

  soup_websocket_connection_close (self->tab, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&self->tab);
  g_subprocess_force_exit (self->process);
  g_subprocess_wait (self->process, NULL, NULL);
  g_clear_object (&self->process);
  g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&self->http);
  g_clear_pointer (&self->replies, g_hash_table_unref);
  g_free (self->profile);
  g_free (self);
}

static LdOverlay *
started_overlay (void)
{
  LdOverlay *overlay = ld_overlay_new (0);
  g_autoptr(GError) error = NULL;

  g_assert_true (ld_overlay_start (overlay, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ld_overlay_get_port (overlay), !=, 0);
  return overlay;
}

static LdMessage *
new_message_with_role (const char *id,
                       const char *user,
                       const char *text,
                       const char *role)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(GError) error = NULL;
  LdMessage *message;

  json_object_set_string_member (object, "messageId", id);
  json_object_set_string_member (object, "roomId", "room_1");
  json_object_set_string_member (object, "userId", user);
  json_object_set_string_member (object, "username", user);
  json_object_set_string_member (object, "message", text);
  json_object_set_string_member (object, "role", role);
  message = ld_message_new_from_json (object, &error);
  g_assert_no_error (error);
  return message;
}

static LdMessage *
new_message (const char *id,
             const char *user,
             const char *text)
{
  return new_message_with_role (id, user, text, "viewer");
}

#define LAST_TEXT "(() => { const t = document.querySelectorAll('#chat li .text'); return t.length ? t[t.length - 1].textContent : null; })()"

/* A message with markup in it shows as the text the viewer typed; a
 * deleted message goes away; a gift alert shows sender, gift and ×N. */
static void
test_pages (void)
{
  g_autoptr(LdOverlay) overlay = started_overlay ();
  g_autoptr(LdMessage) hello = new_message ("m1", "alice", "<b>bold</b> &amp;");
  g_autoptr(LdMessage) rude = new_message ("m2", "bob", "something rude");
  g_autoptr(LdMessage) after = new_message ("m3", "carol", "after a reload");
  g_autoptr(LdGift) gift = ld_gift_new ("bob", "Bob", "rose", "Rose", "fireworks", 10, 5);
  g_autofree char *background = NULL;
  g_autofree char *bold = NULL;

  g_assert_true (g_str_has_prefix (ld_overlay_get_chat_url (overlay), "http://127.0.0.1:"));
  g_assert_true (g_str_has_suffix (ld_overlay_get_chat_url (overlay), "/chat"));

  page_open (ld_overlay_get_chat_url (overlay));
  background = page_eval ("getComputedStyle(document.body).backgroundColor + ' ' + getComputedStyle(document.documentElement).backgroundColor");
  g_assert_cmpstr (background, ==, "\"rgba(0, 0, 0, 0) rgba(0, 0, 0, 0)\"");

  ld_overlay_push_chat (overlay, hello);
  page_wait (LAST_TEXT " === '<b>bold</b> &amp;'");
  bold = page_eval ("document.querySelectorAll('#chat b').length");
  g_assert_cmpstr (bold, ==, "0");
  page_wait ("document.querySelector('#chat li .author').textContent === 'alice'");

  ld_overlay_push_chat (overlay, rude);
  page_wait (LAST_TEXT " === 'something rude'");
  ld_message_mark_deleted (rude, "mia");
  page_wait ("document.querySelectorAll('#chat li').length === 1");
  page_wait (LAST_TEXT " === '<b>bold</b> &amp;'");

  /* OBS reloads its sources: the page comes back with the recent chat. */
  ld_overlay_push_chat (overlay, after);
  page_open (ld_overlay_get_chat_url (overlay));
  page_wait ("document.querySelectorAll('#chat li').length === 2");
  page_wait (LAST_TEXT " === 'after a reload'");
  page_wait ("document.getAnimations ().length === 0");
  page_screenshot ("/tmp/overlay-chat.png");

  WAIT_UNTIL (ld_overlay_get_n_pages (overlay) == 1);
  page_open (ld_overlay_get_gifts_url (overlay));
  /* The chat page went away: its feed is dropped. */
  WAIT_UNTIL (ld_overlay_get_n_pages (overlay) == 1);
  page_wait ("document.getElementById('alert').hidden === true");
  ld_overlay_push_gift (overlay, gift);
  page_wait ("document.getElementById('alert').hidden === false");
  page_wait ("document.querySelector('#alert .sender').textContent === 'Bob'");
  page_wait ("document.querySelector('#alert .gift').textContent === 'Rose'");
  page_wait ("document.querySelector('#alert .quantity').textContent === '5'");
  page_wait ("document.querySelector('#alert .headline').textContent === 'Bob sent 5 × Rose'");
  page_wait ("document.getElementById('alert').className === 'anim-fireworks'");
  page_wait ("getComputedStyle(document.getElementById('alert')).animationDuration === '3s'");
  g_usleep (600000);
  page_screenshot ("/tmp/overlay-gifts.png");
  /* The alert ends after its animation's duration. */
  page_wait ("document.getElementById('alert').hidden === true");
}

static guint
http_status (const char *url)
{
  g_autoptr(SoupSession) http = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  soup_session_send_and_read_async (http, msg, G_PRIORITY_DEFAULT, NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  body = soup_session_send_and_read_finish (http, result, &error);
  g_assert_no_error (error);
  return soup_message_get_status (msg);
}

/* Without the secret there is nothing to read; a new secret locks out the
 * old URLs. */
static void
test_secret (void)
{
  g_autoptr(LdOverlay) overlay = started_overlay ();
  g_autofree char *old_chat = g_strdup (ld_overlay_get_chat_url (overlay));
  g_autofree char *base = g_strndup (old_chat, strlen (old_chat) - strlen ("chat"));
  g_autofree char *root = g_strdup_printf ("http://127.0.0.1:%u/", ld_overlay_get_port (overlay));
  g_autofree char *wrong = g_strdup_printf ("http://127.0.0.1:%u/0123456789abcdef0123456789abcdef/chat",
                                            ld_overlay_get_port (overlay));
  g_autofree char *no_secret = g_strdup_printf ("http://127.0.0.1:%u/chat", ld_overlay_get_port (overlay));
  g_autofree char *css = g_strconcat (base, "overlay.css", NULL);
  g_autofree char *other = g_strconcat (base, "secret.txt", NULL);
  g_autofree char *bad_feed = g_strconcat (base, "events?feed=notifications", NULL);
  g_autofree char *secret = NULL;

  secret = g_strndup (base + strlen (root), strlen (base) - strlen (root) - 1);
  g_assert_cmpuint (strlen (secret), ==, 32);

  g_assert_cmpuint (http_status (old_chat), ==, 200);
  g_assert_cmpuint (http_status (ld_overlay_get_gifts_url (overlay)), ==, 200);
  g_assert_cmpuint (http_status (css), ==, 200);
  g_assert_cmpuint (http_status (root), ==, 404);
  g_assert_cmpuint (http_status (wrong), ==, 404);
  g_assert_cmpuint (http_status (no_secret), ==, 404);
  g_assert_cmpuint (http_status (other), ==, 404);
  g_assert_cmpuint (http_status (bad_feed), ==, 400);

  ld_overlay_regenerate_secret (overlay);
  g_assert_cmpstr (ld_overlay_get_chat_url (overlay), !=, old_chat);
  g_assert_cmpuint (http_status (old_chat), ==, 404);
  g_assert_cmpuint (http_status (ld_overlay_get_chat_url (overlay)), ==, 200);

  ld_overlay_stop (overlay);
  g_assert_false (ld_overlay_get_running (overlay));
  g_assert_null (ld_overlay_get_chat_url (overlay));
}

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GError **error = user_data;
  g_autoptr(GSocketConnection) connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, error);

  if (connection != NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "connected");
}

/* Another machine on the network cannot reach it, and a taken port says so. */
static void
test_loopback_only (void)
{
  g_autoptr(LdOverlay) overlay = started_overlay ();
  g_autoptr(LdOverlay) second = ld_overlay_new (ld_overlay_get_port (overlay));
  g_autoptr(GError) error = NULL;
  struct ifaddrs *addrs = NULL, *a;
  guint tried = 0;

  g_assert_false (ld_overlay_start (second, &error));
  g_assert_error (error, LD_OVERLAY_ERROR, LD_OVERLAY_ERROR_PORT_IN_USE);
  g_assert_nonnull (strstr (error->message, "already in use"));
  g_clear_error (&error);

  g_assert_cmpint (getifaddrs (&addrs), ==, 0);
  for (a = addrs; a != NULL; a = a->ifa_next)
    {
      g_autoptr(GSocketAddress) address = NULL;
      g_autoptr(GInetAddress) inet = NULL;
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GError) connect_error = NULL;
      gboolean done = FALSE;

      if (a->ifa_addr == NULL || (a->ifa_addr->sa_family != AF_INET && a->ifa_addr->sa_family != AF_INET6))
        continue;
      address = g_socket_address_new_from_native (a->ifa_addr, a->ifa_addr->sa_family == AF_INET
                                                  ? sizeof (struct sockaddr_in) : sizeof (struct sockaddr_in6));
      inet = g_object_ref (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
      if (g_inet_address_get_is_loopback (inet) || g_inet_address_get_is_link_local (inet))
        continue;
      g_clear_object (&address);
      address = g_inet_socket_address_new (inet, ld_overlay_get_port (overlay));
      g_socket_client_connect_async (client, G_SOCKET_CONNECTABLE (address), NULL, on_connected, &connect_error);
      WAIT_UNTIL (connect_error != NULL);
      done = TRUE;
      g_assert_true (done);
      g_assert_false (g_error_matches (connect_error, G_IO_ERROR, G_IO_ERROR_EXISTS));
      tried++;
    }
  freeifaddrs (addrs);
  if (tried == 0)
    g_test_skip ("this machine has no non-loopback address to try");
}

static void
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

/* The real path: alice chats and sends a gift through a livedesk-gateway;
 * bob's app feeds his overlay, which OBS shows. */
static void
test_gateway_end_to_end (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (gateway_program);
  g_autoptr(LdSession) alice = ld_test_gateway_online_session (gateway, "alice", "viewer", WAIT_MS);
  g_autoptr(LdSession) bob = ld_test_gateway_online_session (gateway, "bob", "viewer", WAIT_MS);
  g_autoptr(LdOverlay) overlay = started_overlay ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tx_id = NULL;
  LdRoomGift request = {
    .receiver_id = "bob", .receiver_name = "bob", .gift_id = "rose", .gift_name = "Rose",
    .gift_type = "flower", .gift_value = 10, .quantity = 3, .animation = "rainbow",
    .message = "for you & yours &amp;",
  };

  /* Set before bob is in a room, as the app does at sign-in: the overlay
   * follows the room he then joins. */
  ld_overlay_set_session (overlay, bob);
  ld_test_session_join (alice, "room_7", WAIT_MS);
  ld_test_session_join (bob, "room_7", WAIT_MS);

  page_open (ld_overlay_get_chat_url (overlay));
  g_assert_nonnull (ld_room_send_text (ld_session_get_current_room (alice), "Tom & Jerry &lt;3 from the gateway", &error));
  g_assert_no_error (error);
  /* The gateway strips < and >; entities must still show as typed. */
  page_wait (LAST_TEXT " === 'Tom & Jerry &lt;3 from the gateway'");
  page_wait ("document.querySelector('#chat li:last-child .author').textContent === 'alice'");

  page_open (ld_overlay_get_gifts_url (overlay));
  /* Chat and gifts share alice's rate limit: she waits as the app tells her. */
  for (;;)
    {
      gboolean waited = FALSE;

      g_clear_object (&result);
      g_clear_error (&error);
      ld_room_send_gift_async (ld_test_room (alice), &request, NULL, ld_test_store_result, &result);
      WAIT_UNTIL (result != NULL);
      tx_id = ld_room_send_gift_finish (ld_test_room (alice), result, &error);
      if (!g_error_matches (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED))
        break;
      g_timeout_add_once (200, set_flag, &waited);
      WAIT_UNTIL (waited);
    }
  g_assert_no_error (error);
  page_wait ("document.getElementById('alert').hidden === false");
  page_wait ("document.querySelector('#alert .sender').textContent === 'alice'");
  page_wait ("document.querySelector('#alert .gift').textContent === 'Rose'");
  page_wait ("document.querySelector('#alert .quantity').textContent === '3'");
  page_wait ("document.querySelector('#alert .message').textContent === 'for you & yours &amp;'");
  page_wait ("document.getElementById('alert').className === 'anim-rainbow'");
  /* The gift queue ends the alert: the page hides it. */
  page_wait ("document.getElementById('alert').hidden === true");

  /* The figures page counted alice's send as it arrived: 3 roses, which
   * the gateway's catalogue values at 1 each, whatever the app asked. */
  page_open (ld_overlay_get_stats_url (overlay));
  page_wait ("document.querySelector('#top .value').textContent === 'alice (3)'");
  page_wait ("document.querySelector('#goal .value').textContent.startsWith('3 / ')");
  /* And bob's session's viewer count, alice and bob being in the room. */
  {
    g_autofree char *viewers = NULL;

    g_assert_cmpuint (ld_room_get_viewer_count (ld_test_room (bob)), >=, 2);
    viewers = g_strdup_printf ("document.querySelector('#viewers .value').textContent === '%u'",
                               ld_room_get_viewer_count (ld_test_room (bob)));
    page_wait (viewers);
  }

  ld_overlay_set_session (overlay, NULL);
}

/* BASE with QUERY (name, value, ... NULL) appended, each value escaped. */
static char *
styled_url (const char *base,
            ...)
{
  GString *url = g_string_new (base);
  const char *name;
  va_list args;

  va_start (args, base);
  while ((name = va_arg (args, const char *)) != NULL)
    {
      g_autofree char *value = g_uri_escape_string (va_arg (args, const char *), NULL, FALSE);

      g_string_append_printf (url, "%c%s=%s", strchr (url->str, '?') ? '&' : '?', name, value);
    }
  va_end (args);
  return g_string_free (url, FALSE);
}

static double
page_number (const char *expression)
{
  g_autofree char *value = page_eval (expression);

  return g_ascii_strtod (value, NULL);
}

/* The colour of the screenshot at X, Y (CSS pixels: the window is 1:1). */
static void
pixel_at (const char *path,
          int         x,
          int         y,
          guint8      rgb[3])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (path, &error);
  const guint8 *p;

  g_assert_no_error (error);
  g_assert_cmpint (x, <, gdk_pixbuf_get_width (pixbuf));
  g_assert_cmpint (y, <, gdk_pixbuf_get_height (pixbuf));
  p = gdk_pixbuf_read_pixels (pixbuf) + y * gdk_pixbuf_get_rowstride (pixbuf) + x * gdk_pixbuf_get_n_channels (pixbuf);
  memcpy (rgb, p, 3);
}

static void
assert_colour (const guint8 rgb[3],
               guint8       r,
               guint8       g,
               guint8       b)
{
  if (ABS (rgb[0] - r) > 6 || ABS (rgb[1] - g) > 6 || ABS (rgb[2] - b) > 6)
    g_error ("sampled rgb(%u, %u, %u), expected rgb(%u, %u, %u)", rgb[0], rgb[1], rgb[2], r, g, b);
}

/* The first message's background, sampled from a screenshot in its left
 * padding, where no text paints. */
static void
sample_first_message (const char *shot,
                      guint8      rgb[3])
{
  int x = page_number ("Math.round(document.querySelector('#chat li').getBoundingClientRect().left + 3)");
  int y = page_number ("(() => { const r = document.querySelector('#chat li').getBoundingClientRect();"
                       " return Math.round(r.top + r.height / 2); })()");

  page_wait ("document.getAnimations().length === 0");
  page_screenshot (shot);
  pixel_at (shot, x, y, rgb);
}

/* Font, size, colours and the box's opacity come from the address: the
 * screenshot shows the chosen background where the default shows the
 * stream, and two addresses give two looks at once. */
static void
test_chat_style (void)
{
  g_autoptr(LdOverlay) overlay = started_overlay ();
  g_autoptr(LdMessage) one = new_message ("s1", "linh", "Xin chào cả nhà");
  g_autoptr(LdMessage) two = new_message_with_role ("s2", "minh", "Welcome to the stream", "moderator");
  g_autofree char *styled = styled_url (ld_overlay_get_chat_url (overlay), "font", "DejaVu Serif", "size", "30",
                                        "color", "#00ff00", "bg", "#ff0000", "opacity", "1", NULL);
  g_autofree char *half = styled_url (ld_overlay_get_chat_url (overlay), "bg", "#0000ff", "opacity", "0.5", NULL);
  g_autofree char *value = NULL;
  guint8 rgb[3];

  ld_overlay_push_chat (overlay, one);
  ld_overlay_push_chat (overlay, two);

  page_open (styled);
  page_wait ("document.querySelectorAll('#chat li').length === 2");
  value = page_eval ("getComputedStyle(document.querySelector('#chat .text')).color");
  g_assert_cmpstr (value, ==, "\"rgb(0, 255, 0)\"");
  g_clear_pointer (&value, g_free);
  value = page_eval ("getComputedStyle(document.querySelector('#chat .text')).fontSize");
  g_assert_cmpstr (value, ==, "\"30px\"");
  g_clear_pointer (&value, g_free);
  value = page_eval ("getComputedStyle(document.querySelector('#chat .text')).fontFamily");
  g_assert_true (g_str_has_prefix (value, "\"\\\"DejaVu Serif\\\""));
  g_clear_pointer (&value, g_free);
  sample_first_message ("/tmp/overlay-chat-styled.png", rgb);
  assert_colour (rgb, 255, 0, 0);

  /* Half-opaque blue over the stand-in for the stream (30, 40, 60). */
  page_open (half);
  page_wait ("document.querySelectorAll('#chat li').length === 2");
  sample_first_message ("/tmp/overlay-chat-half.png", rgb);
  assert_colour (rgb, 15, 20, 157);

  /* The default look paints nothing behind the text. */
  page_open (ld_overlay_get_chat_url (overlay));
  page_wait ("document.querySelectorAll('#chat li').length === 2");
  sample_first_message ("/tmp/overlay-chat-default.png", rgb);
  assert_colour (rgb, 30, 40, 60);

  /* Two looks for the README, as two OBS scenes would show them. */
  {
    g_autoptr(LdMessage) three = new_message_with_role ("s3", "an", "GG, hẹn gặp lại!", "streamer");
    g_autofree char *boxed = styled_url (ld_overlay_get_chat_url (overlay), "font", "DejaVu Serif", "size", "24",
                                         "color", "#fff8e1", "bg", "#263238", "opacity", "0.85", NULL);
    g_autofree char *plain = styled_url (ld_overlay_get_chat_url (overlay), "font", "DejaVu Sans Mono",
                                         "size", "20", "color", "#ffe082", "badges", "0", NULL);

    ld_overlay_push_chat (overlay, three);
    page_open (boxed);
    page_wait ("document.querySelectorAll('#chat li').length === 3");
    page_wait ("document.getAnimations().length === 0");
    page_screenshot_transparent ("/tmp/overlay-style-boxed.png");
    page_open (plain);
    page_wait ("document.querySelectorAll('#chat li').length === 3");
    page_wait ("document.getAnimations().length === 0");
    page_screenshot_transparent ("/tmp/overlay-style-plain.png");
  }
}

/* How many messages show, role badges on or off, hidden users and words,
 * and the badges' words from the app's translation. */
static void
test_chat_filters (void)
{
  g_autoptr(LdOverlay) overlay = started_overlay ();
  g_autoptr(JsonObject) strings = json_object_new ();
  g_autofree char *three = styled_url (ld_overlay_get_chat_url (overlay), "max", "3",
                                       "hideUsers", "SpamBot, nightbot", "hideWords", "casino", NULL);
  g_autofree char *no_badges = styled_url (ld_overlay_get_chat_url (overlay), "badges", "0", NULL);
  const char *texts[] = { "one", "two", "three", "four", "five" };

  json_object_set_string_member (strings, "roleModerator", "Kiểm duyệt");
  json_object_set_string_member (strings, "lang", "vi");
  ld_overlay_set_strings (overlay, strings);

  page_open (three);
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autofree char *id = g_strdup_printf ("f%u", i);
      g_autoptr(LdMessage) message = new_message_with_role (id, i == 4 ? "minh" : "linh", texts[i],
                                                            i == 4 ? "moderator" : "viewer");

      ld_overlay_push_chat (overlay, message);
    }
  page_wait (LAST_TEXT " === 'five'");
  page_wait ("document.querySelectorAll('#chat li').length === 3");
  page_wait ("document.querySelector('#chat li .text').textContent === 'three'");
  page_wait ("document.querySelector('#chat .badge').textContent === 'Kiểm duyệt'");
  page_wait ("document.documentElement.lang === 'vi'");

  {
    g_autoptr(LdMessage) bot = new_message ("f5", "spambot", "buy followers");
    g_autoptr(LdMessage) spam = new_message ("f6", "linh", "Best CASINO in town");
    g_autoptr(LdMessage) fine = new_message ("f7", "linh", "after the spam");

    ld_overlay_push_chat (overlay, bot);
    ld_overlay_push_chat (overlay, spam);
    ld_overlay_push_chat (overlay, fine);
  }
  /* The hidden ones never showed: the list went on from 'five'. */
  page_wait (LAST_TEXT " === 'after the spam'");
  page_wait ("[...document.querySelectorAll('#chat .text')].map((t) => t.textContent).join() === 'four,five,after the spam'");

  page_open (no_badges);
  page_wait (LAST_TEXT " === 'after the spam'");
  page_wait ("document.querySelectorAll('#chat li').length === 8");
  page_wait ("document.querySelectorAll('#chat .badge').length === 0");
}

/* Messages fade out after the chosen seconds: the page is polled until the
 * message is gone, however long a loaded machine takes. */
static void
test_chat_fade (void)
{
  g_autoptr(LdOverlay) overlay = started_overlay ();
  g_autoptr(LdMessage) message = new_message ("d1", "linh", "here for a second");
  g_autofree char *fading = styled_url (ld_overlay_get_chat_url (overlay), "fade", "1", NULL);

  page_open (fading);
  ld_overlay_push_chat (overlay, message);
  /* The page counts what it faded out, so a slow poll cannot miss it. */
  page_wait ("document.documentElement.dataset.faded === '1'");
  page_wait ("document.querySelectorAll('#chat li').length === 0");

  /* Without the parameter it stays: reopened, the backlog shows it again. */
  page_open (ld_overlay_get_chat_url (overlay));
  page_wait (LAST_TEXT " === 'here for a second'");
}

/* Values out of range or of the wrong form fall back to the defaults, and
 * nothing from the address gets into the page's markup or CSS. */
static void
test_bad_params (void)
{
  g_autoptr(LdOverlay) overlay = started_overlay ();
  g_autoptr(LdMessage) message = new_message ("b1", "linh", "still readable");
  g_autofree char *bad = styled_url (ld_overlay_get_chat_url (overlay), "max", "many", "size", "999",
                                     "color", "red;background:url(x)", "bg", "#12345", "opacity", "2",
                                     "fade", "-1", "font", "x\"}body{display:none", "badges", "maybe", NULL);
  g_autofree char *settings = NULL;

  ld_overlay_push_chat (overlay, message);
  page_open (bad);
  page_wait (LAST_TEXT " === 'still readable'");
  settings = page_eval ("document.documentElement.dataset.settings");
  g_assert_nonnull (strstr (settings, "\\\"font\\\":\\\"DejaVu Sans\\\""));
  g_assert_nonnull (strstr (settings, "\\\"size\\\":22"));
  g_assert_nonnull (strstr (settings, "\\\"colour\\\":\\\"#ffffff\\\""));
  g_assert_nonnull (strstr (settings, "\\\"background\\\":\\\"#000000\\\""));
  g_assert_nonnull (strstr (settings, "\\\"opacity\\\":0,"));
  g_assert_nonnull (strstr (settings, "\\\"max\\\":10"));
  g_assert_nonnull (strstr (settings, "\\\"fade\\\":0"));
  g_assert_nonnull (strstr (settings, "\\\"badges\\\":true"));
  page_wait ("getComputedStyle(document.querySelector('#chat .text')).color === 'rgb(255, 255, 255)'");
  page_wait ("getComputedStyle(document.querySelector('#chat .text')).fontSize === '22px'");
  page_wait ("getComputedStyle(document.body).display === 'block'");
}

/* The alert's minimum value, duration, sound and text template; the text
 * the streamer or the sender typed stays text. */
static void
test_alerts (void)
{
  g_autoptr(LdOverlay) overlay = started_overlay ();
  g_autoptr(JsonObject) strings = json_object_new ();
  g_autoptr(LdGift) small = ld_gift_new ("an", "An", "heart", "Heart", "default", 1, 5);
  g_autoptr(LdGift) big = ld_gift_new ("bob", "<i>Bob</i>", "rose", "Rose", "hearts", 100, 5);
  g_autoptr(LdGift) other = ld_gift_new ("chi", "Chi", "star", "Star", "stars", 10, 1);
  g_autoptr(GBytes) sound = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;
  g_autofree char *styled = styled_url (ld_overlay_get_gifts_url (overlay), "min", "50", "duration", "7",
                                        "volume", "0.5", "template", "<b>{sender}</b> gave {gift} x{quantity}!",
                                        NULL);
  g_autofree char *silent = styled_url (ld_overlay_get_gifts_url (overlay), "sound", "0", NULL);
  g_autofree char *base = g_strndup (ld_overlay_get_gifts_url (overlay),
                                     strlen (ld_overlay_get_gifts_url (overlay)) - strlen ("gifts"));
  g_autofree char *sound_url = g_strconcat (base, "sounds/gift-medium.oga", NULL);

  g_assert_true (g_file_get_contents (sound_file, &contents, &length, &error));
  g_assert_no_error (error);
  sound = g_bytes_new_take (g_steal_pointer (&contents), length);
  ld_overlay_add_file (overlay, "sounds/gift-medium.oga", sound, "audio/ogg");
  g_assert_cmpuint (http_status (sound_url), ==, 200);
  json_object_set_string_member (strings, "alertTemplate", "{sender} đã tặng {quantity} × {gift}");
  ld_overlay_set_strings (overlay, strings);

  page_open (styled);
  /* 1 × 5 is under the minimum of 50: no alert. */
  ld_overlay_push_gift (overlay, small);
  ld_overlay_push_gift (overlay, big);
  page_wait ("document.getElementById('alert').hidden === false");
  page_wait ("document.getElementById('alert').dataset.shown === '1'");
  page_wait ("document.querySelector('#alert .headline').textContent === '<b><i>Bob</i></b> gave Rose x5!'");
  page_wait ("document.querySelectorAll('#alert b, #alert i').length === 0");
  page_wait ("getComputedStyle(document.getElementById('alert')).animationDuration === '7s'");
  /* 100 × 5 is the app's medium tier, played by the page at the volume chosen. */
  page_wait ("document.getElementById('sound').src.endsWith('/sounds/gift-medium.oga')");
  page_wait ("document.getElementById('sound').volume === 0.5");
  page_wait ("document.documentElement.dataset.sound === 'playing'");
  page_wait ("document.getElementById('sound').error === null");
  g_usleep (500000);
  page_screenshot ("/tmp/overlay-gifts-styled.png");

  /* Without a template, the app's translated one; sound off plays nothing. */
  page_open (silent);
  ld_overlay_push_gift (overlay, other);
  page_wait ("document.querySelector('#alert .headline').textContent === 'Chi đã tặng 1 × Star'");
  page_wait ("document.getElementById('alert').hidden === false");
  page_wait ("document.getElementById('sound').getAttribute('src') === null");
  page_wait ("document.documentElement.dataset.sound === undefined");
}

/* The figures page: viewers, the top gifter and the goal's progress bar,
 * from what the overlay was fed. */
static void
test_stats (void)
{
  g_autoptr(LdOverlay) overlay = started_overlay ();
  g_autoptr(LdGift) first = ld_gift_new ("an", "An", "heart", "Heart", "default", 10, 5);
  g_autoptr(LdGift) second = ld_gift_new ("bob", "Bob", "rose", "Rose", "default", 100, 1);
  g_autoptr(LdGift) third = ld_gift_new ("an", "An", "heart", "Heart", "default", 10, 4);
  g_autoptr(LdGift) combo = ld_gift_new ("an", "An", "heart", "Heart", "default", 10, 4);
  g_autofree char *goal = styled_url (ld_overlay_get_stats_url (overlay), "goal", "200", NULL);
  g_autofree char *no_goal = styled_url (ld_overlay_get_stats_url (overlay), "goal", "0", NULL);
  const char *fill = "(() => { const f = document.querySelector('#goal .fill').getBoundingClientRect().width;"
                     " const b = document.querySelector('#goal .bar').getBoundingClientRect().width;"
                     " return f / b; })()";

  page_open (goal);
  page_wait ("document.querySelector('#top .value').textContent === 'No gifts yet'");
  ld_overlay_set_viewers (overlay, 42);
  page_wait ("document.querySelector('#viewers .value').textContent === '42'");

  ld_overlay_count_gift (overlay, first);
  page_wait ("document.querySelector('#top .value').textContent === 'An (50)'");
  ld_overlay_count_gift (overlay, second);
  page_wait ("document.querySelector('#top .value').textContent === 'Bob (100)'");
  page_wait ("document.querySelector('#goal .value').textContent === '150 / 200'");
  page_wait ("document.getAnimations().length === 0");
  g_assert_cmpfloat_with_epsilon (page_number (fill), 0.75, 0.01);
  page_screenshot ("/tmp/overlay-stats.png");

  /* Two more sends make An the top gifter; the bar stops full. */
  ld_overlay_count_gift (overlay, third);
  page_wait ("document.querySelector('#goal .value').textContent === '190 / 200'");
  page_wait ("document.querySelector('#top .value').textContent === 'Bob (100)'");
  ld_overlay_count_gift (overlay, combo);
  page_wait ("document.querySelector('#top .value').textContent === 'An (130)'");
  page_wait ("document.querySelector('#goal .value').textContent === '230 / 200'");
  page_wait ("document.getAnimations().length === 0");
  g_assert_cmpfloat_with_epsilon (page_number (fill), 1.0, 0.01);

  /* A reloaded page gets the figures at once; goal 0 hides the bar. */
  page_open (no_goal);
  page_wait ("document.querySelector('#viewers .value').textContent === '42'");
  page_wait ("document.querySelector('#top .value').textContent === 'An (130)'");
  page_wait ("document.getElementById('goal').hidden === true");
}

static void
on_image_hit (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  (*(guint *) user_data)++;
  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static LdMessage *
new_image_message (const char *id,
                   const char *url)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(GError) error = NULL;
  LdMessage *message;

  json_object_set_string_member (object, "messageId", id);
  json_object_set_string_member (object, "roomId", "room_1");
  json_object_set_string_member (object, "userId", "mallory");
  json_object_set_string_member (object, "message", "look");
  json_object_set_string_member (object, "messageType", "image");
  json_object_set_string_member (object, "imageUrl", url);
  message = ld_message_new_from_json (object, &error);
  g_assert_no_error (error);
  return message;
}

/* An image from a host outside the app's allow-list is not loaded: the feed
 * leaves it out, and the page's Content-Security-Policy, which names only
 * the allowed hosts, blocks one put in the page anyway. The local server
 * stands in for the outside host and counts what reaches it. */
static void
test_image_hosts (void)
{
  g_autoptr(LdOverlay) overlay = started_overlay ();
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(SoupSession) http = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", ld_overlay_get_chat_url (overlay));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autoptr(LdMessage) outside = NULL;
  g_autoptr(LdMessage) plain_http = NULL;
  g_autoptr(LdMessage) allowed = NULL;
  g_autofree char *outside_url = NULL;
  g_autofree char *direct_url = NULL;
  g_autofree char *inject = NULL;
  g_autofree char *blocked = NULL;
  g_autofree char *n_images = NULL;
  g_autofree char *src = NULL;
  guint hits = 0;

  soup_server_add_handler (server, NULL, on_image_hit, &hits, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  outside_url = g_strdup_printf ("http://127.0.0.1:%d/outside.png", g_uri_get_port (uris->data));
  direct_url = g_strdup_printf ("http://127.0.0.1:%d/direct.png", g_uri_get_port (uris->data));

  soup_session_send_and_read_async (http, msg, G_PRIORITY_DEFAULT, NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  body = soup_session_send_and_read_finish (http, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Content-Security-Policy"),
                   ==, "default-src 'self'; img-src https://imgur.com https://*.imgur.com https://cloudinary.com "
                       "https://*.cloudinary.com https://res.cloudinary.com https://*.res.cloudinary.com");

  page_open (ld_overlay_get_chat_url (overlay));
  g_free (page_eval ("window.blocked = []; document.addEventListener('securitypolicyviolation', "
                     "(e) => window.blocked.push(e.blockedURI)); true"));

  outside = new_image_message ("i1", outside_url);
  plain_http = new_image_message ("i2", "http://i.imgur.com/plain.png");
  allowed = new_image_message ("i3", "https://i.imgur.com/allowed.png");
  ld_overlay_push_chat (overlay, outside);
  ld_overlay_push_chat (overlay, plain_http);
  ld_overlay_push_chat (overlay, allowed);
  page_wait ("document.querySelectorAll('#chat li').length === 3");
  /* Only the allowed one became an image; the others show their caption. */
  n_images = page_eval ("document.querySelectorAll('#chat img').length");
  g_assert_cmpstr (n_images, ==, "1");
  src = page_eval ("document.querySelector('#chat img').src");
  g_assert_cmpstr (src, ==, "\"https://i.imgur.com/allowed.png\"");
  page_wait ("document.querySelector('#chat li[data-key] .text').textContent === 'look'");

  /* Put in the page by other means, the outside image is still refused. */
  inject = g_strdup_printf ("(() => { const i = document.createElement('img'); i.src = '%s'; "
                            "document.body.append(i); return true; })()", direct_url);
  g_free (page_eval (inject));
  page_wait ("window.blocked.length > 0");
  blocked = page_eval ("window.blocked[0]");
  g_assert_true (g_str_has_prefix (blocked, "\"http://127.0.0.1:"));
  g_assert_cmpuint (hits, ==, 0);
  soup_server_disconnect (server);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, >=, 3);
  gateway_program = argv[1];
  sound_file = argv[2];

  g_test_add_func ("/ld/overlay/secret", test_secret);
  g_test_add_func ("/ld/overlay/loopback-only", test_loopback_only);
  g_test_add_func ("/ld/overlay/pages", test_pages);
  g_test_add_func ("/ld/overlay/image-hosts", test_image_hosts);
  g_test_add_func ("/ld/overlay/gateway-end-to-end", test_gateway_end_to_end);
  g_test_add_func ("/ld/overlay/chat-style", test_chat_style);
  g_test_add_func ("/ld/overlay/chat-filters", test_chat_filters);
  g_test_add_func ("/ld/overlay/chat-fade", test_chat_fade);
  g_test_add_func ("/ld/overlay/bad-params", test_bad_params);
  g_test_add_func ("/ld/overlay/alerts", test_alerts);
  g_test_add_func ("/ld/overlay/stats", test_stats);

  browser = browser_start ();
  status = g_test_run ();
  browser_stop (browser);
  return status;
}
