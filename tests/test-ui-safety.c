/* test-ui-safety.c: what strangers post cannot take the app down or dress up
 * as the app: images past the pixel cap are not decoded, redirects leave
 * neither the allowed hosts nor https, and markup in names and messages
 * reaches every place as literal text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <zlib.h>

#include "ld-application.h"
#include "ld-gift-alert.h"
#include "ld-gifts-view.h"
#include "ld-support-view.h"
#include "ld-test-gateway.h"
#include "ld-test-ui.h"
#include "ld-test-util.h"
#include "ld-test-room.h"
#include "ld-thumbnails-private.h"
#include "ld-user-card.h"
#include "test-peer.h"

#define WAIT_MS 30000
#define WAIT_UNTIL(cond) LD_TEST_WAIT_UNTIL (cond, WAIT_MS)
#define ROOM "room_1"
/* Markup, a link and an entity, in a user name and in what they write. */
#define EVIL_NAME "<b>x</b> <a href=\"https://evil.example\">y</a> &amp;"

/* An HTTPS image host (tests/peers/image-peer.mjs) that answers for
 * i.imgur.com and evil.example, so that a followed redirect would succeed
 * and a refusal is the app's own, not TLS'. */
typedef struct
{
  char         *dir;
  TestPeer     *server;
  SoupSession  *session;
  LdThumbnails *thumbnails;
  JsonObject   *hits;  /* "host/path" → count, as the server last told */
  GBytes       *big_png;
  GBytes       *small_png;
} ImageFixture;

static void
put_chunk (GByteArray  *png,
           const char  *type,
           const guint8 *data,
           guint32      len)
{
  guint8 be[4] = { len >> 24, len >> 16, len >> 8, len };
  uLong crc = crc32 (0, (const Bytef *) type, 4);

  crc = crc32 (crc, data, len);
  g_byte_array_append (png, be, 4);
  g_byte_array_append (png, (const guint8 *) type, 4);
  g_byte_array_append (png, data, len);
  be[0] = crc >> 24, be[1] = crc >> 16, be[2] = crc >> 8, be[3] = crc;
  g_byte_array_append (png, be, 4);
}

/* A WIDTH×HEIGHT white 1-bit greyscale PNG: a few tens of KB on the wire,
 * width × height × 4 bytes once decoded. */
static GBytes *
make_sparse_png (guint32 width,
                 guint32 height)
{
  static const guint8 signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  GByteArray *png = g_byte_array_new ();
  guint8 ihdr[13] = { width >> 24, width >> 16, width >> 8, width,
                      height >> 24, height >> 16, height >> 8, height,
                      1, 0, 0, 0, 0 };
  gsize row_len = 1 + (width + 7) / 8;
  g_autofree guint8 *row = g_malloc (row_len);
  g_autoptr(GByteArray) idat = g_byte_array_new ();
  guint8 out[65536];
  z_stream z = { 0 };

  memset (row, 0xff, row_len);
  row[0] = 0;  /* filter: none */
  g_assert_cmpint (deflateInit (&z, 9), ==, Z_OK);
  for (guint32 y = 0; y <= height; y++)
    {
      int flush = y == height ? Z_FINISH : Z_NO_FLUSH;
      int rc;

      z.next_in = row;
      z.avail_in = y == height ? 0 : row_len;
      do
        {
          z.next_out = out;
          z.avail_out = sizeof out;
          rc = deflate (&z, flush);
          g_assert_cmpint (rc, !=, Z_STREAM_ERROR);
          g_byte_array_append (idat, out, sizeof out - z.avail_out);
        }
      while (z.avail_out == 0);
      if (rc == Z_STREAM_END)
        break;
    }
  deflateEnd (&z);

  g_byte_array_append (png, signature, sizeof signature);
  put_chunk (png, "IHDR", ihdr, sizeof ihdr);
  put_chunk (png, "IDAT", idat->data, idat->len);
  put_chunk (png, "IEND", NULL, 0);
  return g_byte_array_free_to_bytes (png);
}

static GBytes *
make_small_png (void)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, 100, 100);
  g_autoptr(GError) error = NULL;
  char *buffer = NULL;
  gsize size = 0;

  gdk_pixbuf_fill (pixbuf, 0x3584e4ff);
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "png", &error, NULL));
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, size);
}

static void
write_file (const char *dir,
            const char *name,
            GBytes     *bytes)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
}

static void
image_fixture_set_up (ImageFixture  *fixture,
                      gconstpointer  data)
{
  gsize cache_bytes = GPOINTER_TO_SIZE (data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GSocketConnectable) address = NULL;
  g_autofree char *cert_path = NULL;

  fixture->dir = g_dir_make_tmp ("livedesk-images-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->big_png = make_sparse_png (20000, 20000);
  fixture->small_png = make_small_png ();
  write_file (fixture->dir, "big.png", fixture->big_png);
  write_file (fixture->dir, "small.png", fixture->small_png);

  fixture->server = test_peer_start ("image-peer.mjs", fixture->dir, NULL);
  cert_path = g_build_filename (fixture->dir, "cert.pem", NULL);
  database = g_tls_file_database_new (cert_path, &error);
  g_assert_no_error (error);

  /* Every host name reaches that server; its certificate is trusted only here. */
  address = g_network_address_new ("127.0.0.1", test_peer_get_port (fixture->server));
  fixture->session = soup_session_new_with_options ("remote-connectable", address, "tls-database", database, NULL);
  fixture->thumbnails = _ld_thumbnails_new (fixture->session, LD_THUMBNAILS_MAX_PIXELS,
                                            cache_bytes ? cache_bytes : LD_THUMBNAILS_CACHE_BYTES);
}

static void
image_fixture_tear_down (ImageFixture  *fixture,
                         gconstpointer  data)
{
  const char *names[] = { "big.png", "small.png", "cert.pem" };

  g_assert_finalize_object (fixture->thumbnails);
  g_clear_object (&fixture->session);
  g_clear_pointer (&fixture->server, test_peer_free);
  g_clear_pointer (&fixture->hits, json_object_unref);
  g_clear_pointer (&fixture->big_png, g_bytes_unref);
  g_clear_pointer (&fixture->small_png, g_bytes_unref);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (fixture->dir, names[i], NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
}

typedef struct
{
  GdkPaintable *paintable;
  GError       *error;
  gboolean      done;
} Thumb;

static void
on_thumbnail (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Thumb *thumb = user_data;

  thumb->paintable = ld_thumbnails_load_finish (LD_THUMBNAILS (object), result, &thumb->error);
  thumb->done = TRUE;
}

static gboolean
thumb_done (gpointer data)
{
  return ((Thumb *) data)->done;
}

static Thumb
load (ImageFixture *fixture,
      const char   *url)
{
  Thumb thumb = { 0 };

  ld_thumbnails_load_async (fixture->thumbnails, url, NULL, on_thumbnail, &thumb);
  g_assert_true (ld_test_wait_for (thumb_done, &thumb, WAIT_MS));
  return thumb;
}

/* How often the server was asked for HOST_PATH, by its own count. */
static guint
hits (ImageFixture *fixture,
      const char   *host_path)
{
  g_autoptr(JsonObject) reply = NULL;

  test_peer_send (fixture->server, "hits");
  reply = test_peer_expect (fixture->server, "hits", WAIT_MS);
  g_assert_nonnull (reply);
  g_clear_pointer (&fixture->hits, json_object_unref);
  fixture->hits = json_object_ref (json_object_get_object_member (reply, "hits"));
  return json_object_get_int_member_with_default (fixture->hits, host_path, 0);
}

static gsize
rss_bytes (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen ("VmRSS:"), NULL, 10) * 1024;
}

/* The small image shows: the server and its certificate work, so the refusals
 * below are the app's own. An empty body or garbage is refused. */
static void
test_thumbnail_small (ImageFixture  *fixture,
                      gconstpointer  data)
{
  Thumb thumb = load (fixture, "https://i.imgur.com/small.png");

  g_assert_no_error (thumb.error);
  g_assert_nonnull (thumb.paintable);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (thumb.paintable), ==, 100);
  g_assert_true (ld_thumbnails_lookup (fixture->thumbnails, "https://i.imgur.com/small.png") == thumb.paintable);
  g_object_unref (thumb.paintable);

  /* Nothing, or not an image: refused, not fatal. */
  thumb = load (fixture, "https://i.imgur.com/empty.png");
  g_assert_error (thumb.error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&thumb.error);
  thumb = load (fixture, "https://i.imgur.com/garbage.png");
  g_assert_error (thumb.error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&thumb.error);
}

/* 20000×20000 pixels in a few tens of KB: refused from its header, and the
 * process never holds the 1.6 GB it would decode to. */
static void
test_thumbnail_pixel_bomb (ImageFixture  *fixture,
                           gconstpointer  data)
{
  gsize before, after;
  Thumb thumb;

  g_assert_cmpuint (g_bytes_get_size (fixture->big_png), <, LD_THUMBNAILS_MAX_BYTES);
  before = rss_bytes ();
  thumb = load (fixture, "https://i.imgur.com/big.png");
  after = rss_bytes ();

  g_assert_cmpuint (hits (fixture, "i.imgur.com/big.png"), ==, 1);
  g_assert_error (thumb.error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  g_assert_null (thumb.paintable);
  g_assert_null (ld_thumbnails_lookup (fixture->thumbnails, "https://i.imgur.com/big.png"));
  g_assert_cmpuint (_ld_thumbnails_get_cache_bytes (fixture->thumbnails), ==, 0);
  g_test_message ("RSS %" G_GSIZE_FORMAT " KiB before, %" G_GSIZE_FORMAT " KiB after", before / 1024, after / 1024);
  g_assert_cmpuint (after, <, before + 64 * 1024 * 1024);
  g_clear_error (&thumb.error);
}

/* Each hop meets the first one's rules: a redirect to another host or to
 * plain http is refused before it is fetched; one within them is followed. */
static void
test_thumbnail_redirects (ImageFixture  *fixture,
                          gconstpointer  data)
{
  Thumb thumb;

  thumb = load (fixture, "https://i.imgur.com/to-evil.png");
  g_assert_error (thumb.error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_null (thumb.paintable);
  g_assert_cmpuint (hits (fixture, "i.imgur.com/to-evil.png"), ==, 1);
  g_assert_cmpuint (hits (fixture, "evil.example/evil.png"), ==, 0);
  g_clear_error (&thumb.error);

  thumb = load (fixture, "https://i.imgur.com/to-http.png");
  g_assert_error (thumb.error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
  g_assert_cmpuint (hits (fixture, "i.imgur.com/small.png"), ==, 0);
  g_clear_error (&thumb.error);

  thumb = load (fixture, "https://i.imgur.com/loop.png");
  g_assert_error (thumb.error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS);
  g_assert_cmpuint (hits (fixture, "i.imgur.com/loop.png"), ==, LD_THUMBNAILS_MAX_REDIRECTS + 1);
  g_clear_error (&thumb.error);

  thumb = load (fixture, "https://i.imgur.com/to-small.png");
  g_assert_no_error (thumb.error);
  g_assert_nonnull (thumb.paintable);
  g_assert_cmpuint (hits (fixture, "i.imgur.com/small-redirected.png"), ==, 1);
  /* Cached under the address the row asked for. */
  g_assert_true (ld_thumbnails_lookup (fixture->thumbnails, "https://i.imgur.com/to-small.png") == thumb.paintable);
  g_object_unref (thumb.paintable);
}

/* Bounded by decoded bytes: room for two 100×100 images, the third pushes the
 * oldest out. */
static void
test_thumbnail_cache_bytes (ImageFixture  *fixture,
                            gconstpointer  data)
{
  const char *urls[] = { "https://i.imgur.com/small-1.png", "https://i.imgur.com/small-2.png",
                         "https://i.imgur.com/small-3.png" };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      Thumb thumb = load (fixture, urls[i]);

      g_assert_no_error (thumb.error);
      g_clear_object (&thumb.paintable);
      g_assert_cmpuint (_ld_thumbnails_get_cache_bytes (fixture->thumbnails), <=, GPOINTER_TO_SIZE (data));
    }
  g_assert_null (ld_thumbnails_lookup (fixture->thumbnails, urls[0]));
  g_assert_nonnull (ld_thumbnails_lookup (fixture->thumbnails, urls[1]));
  g_assert_nonnull (ld_thumbnails_lookup (fixture->thumbnails, urls[2]));
  g_assert_cmpuint (_ld_thumbnails_get_cache_bytes (fixture->thumbnails), ==, 2 * 100 * 100 * 4);
}

/* The markup test runs the real application against a real gateway: ada
 * (admin) in the window, mallory whose name and messages carry markup. The
 * desktop notifications are recorded by owning org.gtk.Notifications, as in
 * test-ui-notifications.c. */
static struct
{
  GPtrArray *bodies;  /* "id\nbody" of each AddNotification */
} n;

static void
on_notification_call (GDBusConnection       *connection,
                      const char            *sender,
                      const char            *object_path,
                      const char            *interface_name,
                      const char            *method_name,
                      GVariant              *parameters,
                      GDBusMethodInvocation *invocation,
                      gpointer               user_data)
{
  if (g_strcmp0 (sender, g_dbus_connection_get_unique_name (connection)) == 0 &&
      g_str_equal (method_name, "AddNotification"))
    {
      g_autoptr(GVariant) dict = NULL;
      const char *app_id, *id, *body = "";

      g_variant_get (parameters, "(&s&s@a{sv})", &app_id, &id, &dict);
      g_variant_lookup (dict, "body", "&s", &body);
      g_ptr_array_add (n.bodies, g_strconcat (id, "\n", body, NULL));
    }
  g_dbus_method_invocation_return_value (invocation, NULL);
}

/* The body of the last notification whose id starts with PREFIX, or NULL. */
static const char *
notification_body (const char *prefix)
{
  for (guint i = n.bodies->len; i > 0; i--)
    {
      const char *entry = g_ptr_array_index (n.bodies, i - 1);

      if (g_str_has_prefix (entry, prefix))
        return strchr (entry, '\n') + 1;
    }
  return NULL;
}

/* A session whose token carries NAME, as an identity provider could issue. */
static LdSession *
session_named (LdTestGateway *gateway,
               const char    *user,
               const char    *name)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autoptr(LdTokens) tokens = NULL;
  LdSession *session;

  g_subprocess_launcher_setenv (launcher, "LIVEDESK_JWT_SECRET", LD_TEST_SECRET, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("LIVEDESK_GATEWAY"), "mint-token",
                                         "--user", user, "--name", name, "--role", "viewer", "--ttl", "900", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  tokens = ld_tokens_new (g_strstrip (out), NULL, 0);
  session = ld_test_gateway_new_session (gateway, tokens);
  ld_session_connect (session);
  WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_ONLINE);
  return session;
}

static void
send_gift (LdSession  *session,
           const char *message)
{
  LdRoomGift gift = {
    .receiver_id = "ada", .receiver_name = "ada", .gift_id = "rose", .gift_name = "Rose",
    .gift_type = "flower", .gift_value = 500, .quantity = 1, .message = message,
  };

  ld_test_session_send_gift (session, &gift, WAIT_MS);
}

/* mallory's last message in ada's chat, once it arrived. */
static LdMessage *
last_from (LdSession  *session,
           const char *user_id)
{
  LdChatModel *chat = ld_room_get_chat (ld_test_room (session));

  ld_chat_model_flush (chat);
  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (chat)); i > 0; i--)
    {
      LdMessage *message = g_list_model_get_item (G_LIST_MODEL (chat), i - 1);

      if (g_strcmp0 (ld_message_get_user_id (message), user_id) == 0)
        return message;
      g_object_unref (message);
    }
  return NULL;
}

static void
show_view (LdWindow   *window,
           const char *name)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", name));
}

/* A name and a message full of markup reach every place as literal text:
 * desktop notifications (escaped, since servers may render markup), the
 * chat row, the user card, the viewer list, the gift alert, the support list,
 * the custom timeout dialog and the toast of a timeout (AdwToast's title is
 * markup). */
static void
test_markup_everywhere (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (g_getenv ("LIVEDESK_GATEWAY"));
  g_autoptr(LdApplication) app = ld_application_new ();
  g_autoptr(LdSession) ada = NULL;
  g_autoptr(LdSession) mallory = NULL;
  g_autoptr(LdMessage) message = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *support_body = NULL;
  g_autofree char *from = NULL;
  g_autofree char *toast = NULL;
  GSettings *settings;
  LdWindow *window;
  GtkWidget *view, *card;
  LdGiftAlert *alert;
  const char *text;

  n.bodies = g_ptr_array_new_with_free_func (g_free);
  ld_test_own_notification_server (on_notification_call, NULL);

  g_application_set_flags (G_APPLICATION (app), g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  window = ld_application_get_window (app);
  settings = ld_settings_get_settings (ld_application_get_settings (app));
  g_settings_set_boolean (settings, "notify-mentions", TRUE);
  g_settings_set_boolean (settings, "notify-gifts", TRUE);
  g_settings_set_boolean (settings, "notify-support", TRUE);
  g_settings_set_uint (settings, "notify-gift-value", 1);

  ada = ld_test_gateway_online_session (gateway, "ada", "admin", WAIT_MS);
  ld_test_session_join (ada, ROOM, WAIT_MS);
  ld_window_set_session (window, ada);
  mallory = session_named (gateway, "mallory", EVIL_NAME);
  ld_test_session_join (mallory, ROOM, WAIT_MS);

  /* The window is not in front: what mallory posts goes to the desktop. */
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
  ld_test_session_send_text (mallory, "@ada " EVIL_NAME " & more");
  WAIT_UNTIL ((message = last_from (ada, "mallory")) != NULL);
  text = ld_message_get_text (message);
  /* The contract strips < and >, the entity and the quotes stay. */
  g_assert_nonnull (strstr (text, "&amp;"));
  g_assert_cmpstr (ld_message_get_username (message), ==, EVIL_NAME);
  WAIT_UNTIL (notification_body ("mention-") != NULL);
  escaped = g_markup_escape_text (text, -1);
  g_assert_cmpstr (notification_body ("mention-"), ==, escaped);

  ld_test_session_contact_support (mallory, "refund &amp; <i>now</i>", WAIT_MS);
  WAIT_UNTIL (notification_body ("support-") != NULL);
  {
    g_autofree char *plain = g_strdup_printf ("%s: %s", EVIL_NAME, "refund &amp; inow/i");

    support_body = g_markup_escape_text (plain, -1);
  }
  g_assert_cmpstr (notification_body ("support-"), ==, support_body);

  send_gift (mallory, "love &amp; <u>peace</u>");
  WAIT_UNTIL (notification_body ("gift-") != NULL);
  g_assert_cmpstr (notification_body ("gift-"), ==, "love &amp;amp; upeace/u");

  /* In the window, every place shows the text as sent. */
  gtk_window_present (GTK_WINDOW (window));
  show_view (window, "chat");
  view = GTK_WIDGET (ld_window_get_chat_view (window));
  WAIT_UNTIL (ld_test_find_label (view, text) != NULL);
  g_assert_nonnull (ld_test_find_label (view, EVIL_NAME));

  ld_chat_view_set_context_message (LD_CHAT_VIEW (view), message);
  g_assert_true (gtk_widget_activate_action (view, "chat.user-card", NULL));
  card = ld_test_find_widget (view, LD_TYPE_USER_CARD);
  g_assert_nonnull (card);
  g_assert_nonnull (ld_test_find_label (card, EVIL_NAME));
  g_assert_nonnull (ld_test_find_label (card, text));
  gtk_popover_popdown (GTK_POPOVER (card));

  show_view (window, "viewers");
  view = GTK_WIDGET (ld_window_get_viewer_list (window));
  WAIT_UNTIL (ld_test_find_label (view, EVIL_NAME) != NULL);

  show_view (window, "gifts");
  view = ld_test_find_widget (GTK_WIDGET (window), LD_TYPE_GIFTS_VIEW);
  WAIT_UNTIL ((alert = ld_gifts_view_get_alert (LD_GIFTS_VIEW (view))) != NULL);
  from = g_strdup_printf ("%s → %s", EVIL_NAME, "ada");
  g_assert_nonnull (ld_test_find_label (GTK_WIDGET (alert), from));
  g_assert_nonnull (ld_test_find_label (GTK_WIDGET (alert), "love &amp; upeace/u"));

  show_view (window, "support");
  view = ld_test_find_widget (GTK_WIDGET (window), LD_TYPE_SUPPORT_VIEW);
  WAIT_UNTIL (ld_test_find_label (GTK_WIDGET (ld_support_view_get_ticket_list (LD_SUPPORT_VIEW (view))), EVIL_NAME) != NULL);

  /* The timeout dialog names the user in its body, as plain text. */
  {
    g_autofree char *question = g_strdup_printf ("For how long may %s not write in this room?", EVIL_NAME);
    GtkWidget *dialog = NULL;

    show_view (window, "chat");
    view = GTK_WIDGET (ld_window_get_chat_view (window));
    ld_chat_view_set_context_message (LD_CHAT_VIEW (view), message);
    g_assert_true (gtk_widget_activate_action (view, "chat.timeout-custom", NULL));
    for (guint i = 0; i < g_list_model_get_n_items (gtk_window_get_toplevels ()) && dialog == NULL; i++)
      {
        g_autoptr(GObject) toplevel = g_list_model_get_item (gtk_window_get_toplevels (), i);

        if (ADW_IS_MESSAGE_DIALOG (toplevel))
          dialog = GTK_WIDGET (toplevel);
      }
    g_assert_nonnull (dialog);
    g_assert_nonnull (ld_test_find_label (dialog, question));
    adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  }

  /* A timeout's toast names the user. */
  show_view (window, "chat");
  view = GTK_WIDGET (ld_window_get_chat_view (window));
  ld_chat_view_set_context_message (LD_CHAT_VIEW (view), message);
  g_assert_true (gtk_widget_activate_action (view, "chat.timeout", "u", 60));
  toast = g_strdup_printf ("%s is timed out for 1 minute", EVIL_NAME);
  WAIT_UNTIL (ld_test_find_label (ld_test_find_widget (GTK_WIDGET (window), ADW_TYPE_TOAST_OVERLAY), toast) != NULL);

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&mallory);
  g_clear_object (&ada);
  g_clear_pointer (&n.bodies, g_ptr_array_unref);
}

int
main (int    argc,
      char **argv)
{
  ld_test_ui_init (&argc, &argv);
  g_assert_cmpint (argc, >=, 2);
  g_setenv ("LIVEDESK_PEERS_DIR", argv[1], TRUE);
  /* The backend the test watches, whatever the desktop around it. */
  g_setenv ("GNOTIFICATION_BACKEND", "gtk", TRUE);
  g_unsetenv ("GTK_USE_PORTAL");

  g_test_add_func ("/ui/safety/markup-everywhere", test_markup_everywhere);
  g_test_add ("/ui/safety/thumbnail/small", ImageFixture, NULL, image_fixture_set_up, test_thumbnail_small,
              image_fixture_tear_down);
  g_test_add ("/ui/safety/thumbnail/pixel-bomb", ImageFixture, NULL, image_fixture_set_up,
              test_thumbnail_pixel_bomb, image_fixture_tear_down);
  g_test_add ("/ui/safety/thumbnail/redirects", ImageFixture, NULL, image_fixture_set_up, test_thumbnail_redirects,
              image_fixture_tear_down);
  g_test_add ("/ui/safety/thumbnail/cache-bytes", ImageFixture, GSIZE_TO_POINTER (2 * 100 * 100 * 4 + 100),
              image_fixture_set_up, test_thumbnail_cache_bytes, image_fixture_tear_down);

  return g_test_run ();
}
