/* test-ui-prefs.c: the preferences window's OBS overlay controls and
 * streamer mode, under Xvfb: the overlay switch really opens and closes a
 * local HTTP server (fetched with libsoup at the URL the Copy button puts
 * on the clipboard), a busy port turns the switch back off with an error,
 * and streamer mode keeps server URLs, user ids, the account and the
 * overlay secret off every visible label, entry, tooltip and menu.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <libsecret/secret.h>
#include <libsoup/soup.h>

#include "ld-application.h"
#include "ld-demo.h"
#include "ld-overlay-host.h"
#include "ld-preferences-window.h"
#include "ld-settings.h"
#include "ld-sign-in-window.h"
#include "ld-test-ui.h"
#include "ld-test-util.h"
#include "ld-test-room.h"
#include "ld-token-store.h"
#include "test-redis.h"
#include "ld-user-card.h"
#include "ld-viewer-list.h"
#include "ld-window.h"

#define WAIT_MS 30000

#define SERVER_URL "http://gateway-secret.example:4001"
#define API_URL "http://api-secret.example:3000"
#define ACCOUNT "secret_account"

static void
reset_settings (LdSettings *settings)
{
  GSettings *gsettings = ld_settings_get_settings (settings);
  const char *keys[] = { "overlay-enabled", "overlay-port", "streamer-mode", "server-url", "api-url", "last-user",
                         "overlay-max-messages", "overlay-background-opacity", "overlay-background-color",
                         "overlay-text-color", "overlay-badges", "overlay-hidden-words",
                         "overlay-alert-template", "overlay-goal" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_settings_reset (gsettings, keys[i]);
}

/* Another program on 127.0.0.1: a listening socket kept open. */
static GSocketListener *
occupy_port (guint *out_port)
{
  GSocketListener *listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                 &effective, &error);
  g_assert_no_error (error);
  *out_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  return listener;
}

static void
on_text_read (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, &error);
  g_assert_no_error (error);
}

static char *
read_clipboard (void)
{
  GdkClipboard *clipboard = gdk_display_get_clipboard (gdk_display_get_default ());
  char *text = NULL;

  gdk_clipboard_read_text_async (clipboard, NULL, on_text_read, &text);
  g_assert_true (ld_test_wait_for (ld_test_is_set, &text, WAIT_MS));
  return text;
}

/* Presses the Copy button of PAGE ("chat" or "gifts") and returns what
 * landed on the clipboard. */
static char *
copy_url (LdPreferencesWindow *prefs,
          const char          *page)
{
  GdkClipboard *clipboard = gdk_display_get_clipboard (gdk_display_get_default ());

  gdk_clipboard_set_text (clipboard, "nothing copied yet");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.copy-overlay-url", "s", page));
  return read_clipboard ();
}

typedef struct
{
  GBytes *body;
  GError *error;
  guint   status;
  gboolean done;
} Fetch;

static void
on_fetched (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Fetch *fetch = user_data;
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (object), result);

  fetch->body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &fetch->error);
  fetch->status = soup_message_get_status (message);
  fetch->done = TRUE;
}

static gboolean
fetch_done (gpointer data)
{
  return ((Fetch *) data)->done;
}

/* GETs URL: the HTTP status (0 with ERROR set when nothing answered), and
 * into BODY, if given, the body as a string. */
static guint
fetch_status (const char *url,
              char      **body,
              GError    **error)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  Fetch fetch = { 0 };

  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, on_fetched, &fetch);
  g_assert_true (ld_test_wait_for (fetch_done, &fetch, WAIT_MS));
  if (fetch.error != NULL)
    {
      g_propagate_error (error, fetch.error);
      return 0;
    }
  if (body != NULL)
    *body = g_strndup (g_bytes_get_data (fetch.body, NULL), g_bytes_get_size (fetch.body));
  g_bytes_unref (fetch.body);
  return fetch.status;
}

/* GETs URL, which must answer 200: the body, or NULL with ERROR set. */
static char *
fetch (const char *url,
       GError    **error)
{
  char *body = NULL;
  guint status = fetch_status (url, &body, error);

  if (status == 0)
    return NULL;
  g_assert_cmpuint (status, ==, 200);
  return body;
}

static gboolean
overlay_running (gpointer data)
{
  return ld_overlay_get_running (ld_overlay_host_get_overlay (data));
}

static gboolean
overlay_stopped (gpointer data)
{
  return !overlay_running (data);
}

static gboolean
has_error (gpointer data)
{
  return ld_preferences_window_get_overlay_error (data) != NULL;
}

/* Every text a user could see in WIDGET and its visible descendants:
 * labels, entries, tooltips and the menus of menu buttons. */
static void collect_menu (GMenuModel *model, GPtrArray *texts);

static void
collect_texts (GtkWidget *widget,
               GPtrArray *texts)
{
  const char *tooltip = gtk_widget_get_tooltip_text (widget);

  if (!gtk_widget_get_visible (widget))
    return;
  if (GTK_IS_LABEL (widget))
    g_ptr_array_add (texts, g_strdup (gtk_label_get_text (GTK_LABEL (widget))));
  if (GTK_IS_EDITABLE (widget))
    g_ptr_array_add (texts, g_strdup (gtk_editable_get_text (GTK_EDITABLE (widget))));
  if (tooltip != NULL)
    g_ptr_array_add (texts, g_strdup (tooltip));
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget)) != NULL)
    collect_menu (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (widget)), texts);

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    collect_texts (child, texts);
}

static void
collect_menu (GMenuModel *model,
              GPtrArray  *texts)
{
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autofree char *label = NULL;
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);
      g_autoptr(GMenuModel) submenu = g_menu_model_get_item_link (model, i, G_MENU_LINK_SUBMENU);

      if (g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_LABEL, "s", &label))
        g_ptr_array_add (texts, g_steal_pointer (&label));
      if (section != NULL)
        collect_menu (section, texts);
      if (submenu != NULL)
        collect_menu (submenu, texts);
    }
}

/* The first visible text in WIDGET's tree that contains NEEDLE, or NULL. */
static char *
find_text (GtkWidget  *widget,
           const char *needle)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);

  collect_texts (widget, texts);
  for (guint i = 0; i < texts->len; i++)
    if (strstr (texts->pdata[i], needle) != NULL)
      return g_strdup (texts->pdata[i]);
  return NULL;
}

static void
assert_shows (GtkWidget  *widget,
              const char *needle)
{
  g_autofree char *found = find_text (widget, needle);

  if (found == NULL)
    g_error ("%s shows no text with \"%s\"", G_OBJECT_TYPE_NAME (widget), needle);
}

static void
assert_hides (GtkWidget  *widget,
              const char *needle)
{
  g_autofree char *found = find_text (widget, needle);

  if (found != NULL)
    g_error ("%s shows \"%s\" in streamer mode: \"%s\"", G_OBJECT_TYPE_NAME (widget), needle, found);
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Flipping the switch serves the pages at the URLs the Copy buttons copy,
 * with a toast; flipping it back closes the port. */
static void
test_overlay_switch (void)
{
  g_autoptr(LdSettings) settings = ld_settings_new ();
  g_autoptr(LdOverlayHost) host = ld_overlay_host_new (settings);
  LdPreferencesWindow *prefs = g_object_ref_sink (ld_preferences_window_new (NULL, settings));
  guint port = test_free_port ();
  g_autofree char *prefix = g_strdup_printf ("http://127.0.0.1:%u/", port);
  g_autofree char *chat_url = NULL;
  g_autofree char *gifts_url = NULL;
  g_autofree char *page = NULL;
  g_autoptr(GError) error = NULL;

  ld_preferences_window_set_overlay_host (prefs, host);
  ld_preferences_window_show_streaming (prefs);
  gtk_window_present (GTK_WINDOW (prefs));
  g_object_set (settings, "overlay-port", port, NULL);

  /* Off until enabled: nothing listens, nothing to copy. */
  drain ();
  g_assert_false (overlay_running (host));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.copy-overlay-url", "s", "chat") &&
                  ld_overlay_get_chat_url (ld_overlay_host_get_overlay (host)) != NULL);
  page = fetch (prefix, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_clear_error (&error);

  gtk_switch_set_active (ld_preferences_window_get_overlay_switch (prefs), TRUE);
  g_assert_true (ld_settings_get_overlay_enabled (settings));
  g_assert_true (ld_test_wait_for (overlay_running, host, WAIT_MS));

  chat_url = copy_url (prefs, "chat");
  g_assert_true (g_str_has_prefix (chat_url, prefix));
  g_assert_true (g_str_has_suffix (chat_url, "/chat"));
  assert_shows (GTK_WIDGET (prefs), chat_url);
  assert_shows (GTK_WIDGET (prefs), "Overlay URL copied");
  page = fetch (chat_url, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (page, "Livedesk chat overlay"));
  g_clear_pointer (&page, g_free);

  gifts_url = copy_url (prefs, "gifts");
  g_assert_true (g_str_has_prefix (gifts_url, prefix));
  page = fetch (gifts_url, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (page, "Livedesk gift alerts overlay"));
  g_clear_pointer (&page, g_free);

  /* Another port moves the pages there at once. */
  {
    guint other = test_free_port ();
    g_autofree char *other_prefix = g_strdup_printf ("http://127.0.0.1:%u/", other);
    g_autofree char *moved = NULL;

    g_object_set (settings, "overlay-port", other, NULL);
    g_assert_true (ld_test_wait_for (overlay_running, host, WAIT_MS));
    drain ();
    g_assert_cmpuint (ld_overlay_get_port (ld_overlay_host_get_overlay (host)), ==, other);
    moved = copy_url (prefs, "chat");
    g_assert_true (g_str_has_prefix (moved, other_prefix));
    page = fetch (moved, &error);
    g_assert_no_error (error);
    g_assert_nonnull (strstr (page, "Livedesk chat overlay"));
    g_clear_pointer (&page, g_free);
    page = fetch (chat_url, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
    g_clear_error (&error);
    g_free (chat_url);
    chat_url = g_steal_pointer (&moved);
  }
  assert_shows (GTK_WIDGET (prefs), "No page open yet");

  /* A new secret: the old address is gone at once, the new one copies and works. */
  {
    g_autofree char *renewed = NULL;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.regenerate-overlay-secret", NULL));
    g_assert_cmpuint (fetch_status (chat_url, NULL, &error), ==, 404);
    g_assert_no_error (error);
    renewed = copy_url (prefs, "chat");
    g_assert_cmpstr (renewed, !=, chat_url);
    assert_shows (GTK_WIDGET (prefs), renewed);
    page = fetch (renewed, &error);
    g_assert_no_error (error);
    g_assert_nonnull (strstr (page, "Livedesk chat overlay"));
    g_clear_pointer (&page, g_free);
    g_free (chat_url);
    chat_url = g_steal_pointer (&renewed);
  }

  gtk_switch_set_active (ld_preferences_window_get_overlay_switch (prefs), FALSE);
  g_assert_true (ld_test_wait_for (overlay_stopped, host, WAIT_MS));
  page = fetch (chat_url, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_null (find_text (GTK_WIDGET (prefs), chat_url));

  drain ();
  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
  reset_settings (settings);
}

/* The query parameter NAME of URL, or NULL. */
static char *
url_param (const char *url,
           const char *name)
{
  const char *query = strchr (url, '?');
  g_autoptr(GHashTable) params = NULL;

  if (query == NULL)
    return NULL;
  params = g_uri_parse_params (query + 1, -1, "&", G_URI_PARAMS_NONE, NULL);
  g_assert_nonnull (params);
  return g_strdup (g_hash_table_lookup (params, name));
}

#define assert_param(url, name, want) \
  G_STMT_START { \
    g_autofree char *got_ = url_param (url, name); \
    g_assert_cmpstr (got_, ==, want); \
  } G_STMT_END

/* How many pixels of the preview are (nearly) pure red. */
static guint
preview_red_pixels (LdPreferencesWindow *prefs)
{
  GtkWidget *preview = ld_preferences_window_get_overlay_control (prefs, "preview");
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *data = NULL;
  int width = gtk_widget_get_width (preview);
  int height = gtk_widget_get_height (preview);
  guint red = 0;

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);
  texture = ld_test_widget_texture (preview);
  /* A preview asked to redraw has no picture until the next frame paints
   * it: none of it is red. */
  if (texture == NULL)
    return 0;
  data = g_malloc (width * height * 4);
  gdk_texture_download (texture, data, width * 4);
  gdk_texture_save_to_png (texture, "/tmp/overlay-preview.png");
  /* Cairo's byte order on little-endian: blue, green, red, alpha. */
  for (int i = 0; i < width * height; i++)
    if (data[i * 4 + 2] > 200 && data[i * 4 + 1] < 50 && data[i * 4] < 50)
      red++;
  return red;
}

static gboolean
preview_is_red (gpointer data)
{
  return preview_red_pixels (data) > 200;
}

/* Each style control changes the address the Copy buttons give (only the
 * page it concerns), the row shows it, and the preview draws the look. */
static void
test_overlay_style (void)
{
  g_autoptr(LdSettings) settings = ld_settings_new ();
  g_autoptr(LdOverlayHost) host = ld_overlay_host_new (settings);
  LdPreferencesWindow *prefs = g_object_ref_sink (ld_preferences_window_new (NULL, settings));
  const GdkRGBA red = { 1, 0, 0, 1 };
  g_autofree char *url = NULL;
  g_autofree char *page = NULL;
  g_autoptr(GError) error = NULL;

  reset_settings (settings);
  ld_preferences_window_set_overlay_host (prefs, host);
  ld_preferences_window_show_streaming (prefs);
  gtk_window_present (GTK_WINDOW (prefs));
  g_object_set (settings, "overlay-port", test_free_port (), NULL);
  gtk_switch_set_active (ld_preferences_window_get_overlay_switch (prefs), TRUE);
  g_assert_true (ld_test_wait_for (overlay_running, host, WAIT_MS));
  drain ();

  /* The defaults stay out of the address. */
  url = copy_url (prefs, "chat");
  g_assert_true (g_str_has_suffix (url, "/chat"));
  /* The app lends the alert page its gift sounds. */
  {
    g_autofree char *base = g_strndup (url, strlen (url) - strlen ("chat"));
    g_autofree char *sound = g_strconcat (base, "sounds/gift-huge.oga", NULL);

    g_assert_cmpuint (fetch_status (sound, NULL, &error), ==, 200);
    g_assert_no_error (error);
  }
  g_clear_pointer (&url, g_free);
  g_assert_cmpuint (preview_red_pixels (prefs), ==, 0);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (ld_preferences_window_get_overlay_control (prefs, "overlay-max-messages")), 3);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (ld_preferences_window_get_overlay_control (prefs, "overlay-background-opacity")), 1);
  gtk_color_chooser_set_rgba (GTK_COLOR_CHOOSER (ld_preferences_window_get_overlay_control (prefs, "overlay-background-color")), &red);
  gtk_switch_set_active (GTK_SWITCH (ld_preferences_window_get_overlay_control (prefs, "overlay-badges")), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (ld_preferences_window_get_overlay_control (prefs, "overlay-hidden-words")),
                         "casino, free followers");
  gtk_editable_set_text (GTK_EDITABLE (ld_preferences_window_get_overlay_control (prefs, "overlay-alert-template")),
                         "{sender} → {gift} & co");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (ld_preferences_window_get_overlay_control (prefs, "overlay-goal")), 500);
  drain ();

  url = copy_url (prefs, "chat");
  assert_param (url, "max", "3");
  assert_param (url, "opacity", "1.00");
  assert_param (url, "bg", "#ff0000");
  assert_param (url, "badges", "0");
  assert_param (url, "hideWords", "casino,free followers");
  assert_param (url, "template", NULL);
  assert_shows (GTK_WIDGET (prefs), url);
  page = fetch (url, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (page, "Livedesk chat overlay"));
  g_clear_pointer (&page, g_free);
  g_clear_pointer (&url, g_free);

  url = copy_url (prefs, "gifts");
  assert_param (url, "template", "{sender} → {gift} & co");
  assert_param (url, "max", NULL);
  g_clear_pointer (&url, g_free);

  url = copy_url (prefs, "stats");
  assert_param (url, "goal", "500");
  page = fetch (url, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (page, "Livedesk figures overlay"));
  g_clear_pointer (&page, g_free);
  g_clear_pointer (&url, g_free);

  /* The preview paints the red, fully opaque box behind its messages, in
   * the frame after the settings changed (until then it has no picture). */
  g_assert_true (ld_test_wait_for (preview_is_red, prefs, WAIT_MS));
  ld_test_save_widget (gtk_viewport_get_child (GTK_VIEWPORT (gtk_widget_get_ancestor (
                 ld_preferences_window_get_overlay_control (prefs, "preview"), GTK_TYPE_VIEWPORT))),
               "/tmp/overlay-prefs-style.png");

  gtk_switch_set_active (ld_preferences_window_get_overlay_switch (prefs), FALSE);
  g_assert_true (ld_test_wait_for (overlay_stopped, host, WAIT_MS));
  drain ();
  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
  reset_settings (settings);
}

/* The overlay pages' texts are the app's, in its language: with the app in
 * Vietnamese (the build's catalogue), strings.json is Vietnamese. In a
 * subprocess, so the rest of the tests stay in English. */
static void
test_overlay_language (void)
{
  g_autofree char *old_language = g_strdup (g_getenv ("LANGUAGE"));

  if (g_test_subprocess ())
    {
      g_autofree char *po = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);
      g_autoptr(LdSettings) settings = ld_settings_new ();
      g_autoptr(LdOverlayHost) host = NULL;
      g_autofree char *url = NULL;
      g_autofree char *base = NULL;
      g_autofree char *strings_url = NULL;
      g_autofree char *body = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *strings;

      g_assert_nonnull (setlocale (LC_ALL, "C.UTF-8"));
      bindtextdomain (GETTEXT_PACKAGE, po);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
      /* The catalogue was found: the app itself is in Vietnamese. */
      g_assert_cmpstr (_("Viewers"), ==, "Người xem");

      host = ld_overlay_host_new (settings);
      g_object_set (settings, "overlay-port", test_free_port (), "overlay-enabled", TRUE, NULL);
      g_assert_true (ld_test_wait_for (overlay_running, host, WAIT_MS));
      url = ld_overlay_host_dup_url (host, "stats");
      g_assert_true (g_str_has_suffix (url, "/stats"));
      base = g_strndup (url, strlen (url) - strlen ("stats"));
      strings_url = g_strconcat (base, "strings.json", NULL);
      body = fetch (strings_url, &error);
      g_assert_no_error (error);
      g_assert_true (json_parser_load_from_data (parser, body, -1, &error));
      g_assert_no_error (error);
      strings = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpstr (json_object_get_string_member (strings, "lang"), ==, "vi");
      g_assert_cmpstr (json_object_get_string_member (strings, "topGifter"), ==, "Người tặng nhiều nhất");
      g_assert_cmpstr (json_object_get_string_member (strings, "viewers"), ==, "Người xem");
      g_assert_cmpstr (json_object_get_string_member (strings, "alertTemplate"), ==,
                       "{sender} đã tặng {quantity} × {gift}");

      g_object_set (settings, "overlay-enabled", FALSE, NULL);
      g_assert_true (ld_test_wait_for (overlay_stopped, host, WAIT_MS));
      reset_settings (settings);
      return;
    }

  g_setenv ("LANGUAGE", "vi", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  if (old_language != NULL)
    g_setenv ("LANGUAGE", old_language, TRUE);
  else
    g_unsetenv ("LANGUAGE");
  g_test_trap_assert_passed ();
}

typedef struct
{
  LdTokenStore *store;
  const char   *want;
  char         *got;
  gboolean      done;
} KeyringRead;

static void
on_keyring_read (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  KeyringRead *read = user_data;
  g_autoptr(GError) error = NULL;

  g_free (read->got);
  read->got = ld_token_store_lookup_overlay_secret_finish (LD_TOKEN_STORE (source), result, &error);
  g_assert_no_error (error);
  read->done = TRUE;
}

/* Whether the keyring holds WANT as the overlay secret (asks it again each time). */
static gboolean
keyring_holds (gpointer data)
{
  KeyringRead *read = data;

  read->done = FALSE;
  ld_token_store_lookup_overlay_secret_async (read->store, NULL, on_keyring_read, read);
  while (!read->done)
    g_main_context_iteration (NULL, TRUE);
  return g_strcmp0 (read->got, read->want) == 0;
}

/* Runs an overlay host until its server is up; the chat URL it serves. */
static char *
run_overlay (LdSettings     *settings,
             LdOverlayHost **out_host)
{
  LdOverlayHost *host = ld_overlay_host_new (settings);
  g_autofree char *page = NULL;
  g_autoptr(GError) error = NULL;
  char *url;

  g_assert_true (ld_test_wait_for (overlay_running, host, WAIT_MS));
  url = g_strdup (ld_overlay_get_chat_url (ld_overlay_host_get_overlay (host)));
  page = fetch (url, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (page, "Livedesk chat overlay"));
  *out_host = host;
  return url;
}

/* The address pasted into OBS still works after the app restarts, until a
 * new one is asked for; the secret lives in the keyring, not the settings. */
static void
test_overlay_address_kept (void)
{
  g_autoptr(LdSettings) settings = ld_settings_new ();
  g_autoptr(LdTokenStore) store = ld_token_store_new ();
  KeyringRead read = { store, NULL, NULL, FALSE };
  LdOverlayHost *host = NULL;
  g_autofree char *first = NULL;
  g_autofree char *again = NULL;
  g_autofree char *renewed = NULL;
  g_autofree char *after_renewal = NULL;
  g_autofree char *renewed_secret = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;

  g_object_set (settings, "overlay-port", test_free_port (), "overlay-enabled", TRUE, NULL);

  first = run_overlay (settings, &host);
  read.want = ld_overlay_get_secret (ld_overlay_host_get_overlay (host));
  g_assert_true (strstr (first, read.want) != NULL);
  g_assert_true (ld_test_wait_for (keyring_holds, &read, WAIT_MS));
  g_assert_finalize_object (host);

  again = run_overlay (settings, &host);
  g_assert_cmpstr (again, ==, first);

  ld_overlay_host_regenerate_secret (host);
  renewed = g_strdup (ld_overlay_get_chat_url (ld_overlay_host_get_overlay (host)));
  g_assert_cmpstr (renewed, !=, first);
  /* A copy: the GSettings check below runs after the host is gone. */
  renewed_secret = g_strdup (ld_overlay_get_secret (ld_overlay_host_get_overlay (host)));
  read.want = renewed_secret;
  g_assert_true (ld_test_wait_for (keyring_holds, &read, WAIT_MS));
  g_assert_finalize_object (host);

  after_renewal = run_overlay (settings, &host);
  g_assert_cmpstr (after_renewal, ==, renewed);
  g_assert_finalize_object (host);

  /* Nothing of it in GSettings. */
  g_object_get (ld_settings_get_settings (settings), "settings-schema", &schema, NULL);
  {
    g_auto(GStrv) keys = g_settings_schema_list_keys (schema);

    for (guint i = 0; keys[i] != NULL; i++)
      {
        g_autoptr(GVariant) value = g_settings_get_value (ld_settings_get_settings (settings), keys[i]);
        g_autofree char *text = g_variant_print (value, FALSE);

        g_assert_null (strstr (text, read.want));
      }
  }

  g_free (read.got);
  reset_settings (settings);
}

static gboolean
host_ready (gpointer data)
{
  return ld_overlay_host_get_ready (data);
}

/* A user who never turns the overlay on finds nothing of it in the keyring:
 * storing its secret at start made gnome-keyring ask for a new keyring's
 * password where there was none. Its first start keeps its address. */
static void
test_overlay_secret_on_use (void)
{
  static const SecretSchema overlay_schema = {
    LD_TOKEN_STORE_OVERLAY_SCHEMA_NAME, SECRET_SCHEMA_NONE, { { NULL, 0 } }
  };
  g_autoptr(LdSettings) settings = ld_settings_new ();
  g_autoptr(LdTokenStore) store = ld_token_store_new ();
  KeyringRead read = { store, NULL, NULL, FALSE };
  g_autoptr(GError) error = NULL;
  LdOverlayHost *host;

  secret_password_clear_sync (&overlay_schema, NULL, &error, NULL);
  g_assert_no_error (error);
  g_object_set (settings, "overlay-port", test_free_port (), "overlay-enabled", FALSE, NULL);

  host = ld_overlay_host_new (settings);
  g_assert_true (ld_test_wait_for (host_ready, host, WAIT_MS));
  /* A store made when the keyring answered would show by the second look
   * (each is two calls to the keyring, which answers them in order). */
  for (guint i = 0; i < 10; i++)
    {
      g_assert_true (keyring_holds (&read));
      g_assert_null (read.got);
    }

  g_object_set (settings, "overlay-enabled", TRUE, NULL);
  g_assert_true (ld_test_wait_for (overlay_running, host, WAIT_MS));
  read.want = ld_overlay_get_secret (ld_overlay_host_get_overlay (host));
  g_assert_true (ld_test_wait_for (keyring_holds, &read, WAIT_MS));

  g_assert_finalize_object (host);
  g_free (read.got);
  reset_settings (settings);
}

/* A port another program holds: the switch goes back off, an error row
 * says which port, and a free port then works and clears it. */
static void
test_overlay_busy_port (void)
{
  g_autoptr(LdSettings) settings = ld_settings_new ();
  g_autoptr(LdOverlayHost) host = ld_overlay_host_new (settings);
  LdPreferencesWindow *prefs = g_object_ref_sink (ld_preferences_window_new (NULL, settings));
  GtkSwitch *overlay_switch = ld_preferences_window_get_overlay_switch (prefs);
  guint busy = 0;
  g_autoptr(GSocketListener) other = occupy_port (&busy);
  g_autofree char *expected = g_strdup_printf ("Port %u is in use, choose another", busy);

  ld_preferences_window_set_overlay_host (prefs, host);
  ld_preferences_window_show_streaming (prefs);
  gtk_window_present (GTK_WINDOW (prefs));
  g_object_set (settings, "overlay-port", busy, NULL);
  gtk_switch_set_active (overlay_switch, TRUE);

  g_assert_true (ld_test_wait_for (has_error, prefs, WAIT_MS));
  g_assert_cmpstr (ld_preferences_window_get_overlay_error (prefs), ==, expected);
  assert_shows (GTK_WIDGET (prefs), expected);
  drain ();
  g_assert_false (gtk_switch_get_active (overlay_switch));
  g_assert_false (ld_settings_get_overlay_enabled (settings));
  g_assert_false (g_settings_get_boolean (ld_settings_get_settings (settings), "overlay-enabled"));
  g_assert_false (overlay_running (host));

  /* Choosing another port takes the complaint away, before trying it. */
  g_object_set (settings, "overlay-port", test_free_port (), NULL);
  g_assert_null (ld_preferences_window_get_overlay_error (prefs));
  gtk_switch_set_active (overlay_switch, TRUE);
  g_assert_true (ld_test_wait_for (overlay_running, host, WAIT_MS));
  g_assert_null (ld_preferences_window_get_overlay_error (prefs));
  g_assert_true (gtk_switch_get_active (overlay_switch));

  g_socket_listener_close (other);
  gtk_window_destroy (GTK_WINDOW (prefs));
  g_assert_finalize_object (prefs);
  reset_settings (settings);
}

typedef struct
{
  LdDemo    *demo;
  LdSession *session;
} Demo;

static gboolean
viewer_listed (gpointer data)
{
  LdViewerModel *viewers = ld_room_get_viewers (ld_test_room (data));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (viewers));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LdViewer) viewer = g_list_model_get_item (G_LIST_MODEL (viewers), i);

      if (ld_viewer_get_role (viewer) == LD_ROLE_VIEWER)
        return TRUE;
    }
  return FALSE;
}

static gboolean
signed_in (gpointer data)
{
  return ld_session_get_username (data) != NULL && ld_test_room_id (data) != NULL;
}

static GtkWidget *
find_user_card (GtkWidget *parent)
{
  for (GtkWidget *child = gtk_widget_get_first_child (parent); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (LD_IS_USER_CARD (child))
      return child;
  return NULL;
}

static GtkWidget *
find_primary_menu (GtkWidget *widget)
{
  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_primary (GTK_MENU_BUTTON (widget)))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_primary_menu (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A streamer's screen in streamer mode: the window (header, menu, an open
 * user card), preferences and sign-in show no server URL, user id,
 * account or overlay secret; turned off, they are back. */
static void
test_streamer_mode (void)
{
  g_autoptr(LdSettings) settings = ld_settings_new ();
  g_autoptr(LdOverlayHost) host = ld_overlay_host_new (settings);
  g_autoptr(LdTokenStore) token_store = ld_token_store_new ();
  Demo demo = { ld_demo_new (g_getenv ("LIVEDESK_GATEWAY")), NULL };
  g_autoptr(GAsyncResult) started = NULL;
  g_autoptr(GError) error = NULL;
  LdWindow *window;
  LdPreferencesWindow *prefs;
  LdSignInWindow *sign_in;
  LdViewer *viewer = NULL;
  GtkWidget *card;
  g_autofree char *viewer_id = NULL;
  g_autofree char *username = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *id_text = NULL;
  GtkWidget *windows[3];
  const char *chat_url;

  g_object_set (settings, "server-url", SERVER_URL, "api-url", API_URL, "last-user", ACCOUNT,
                "overlay-port", test_free_port (), "overlay-enabled", TRUE, NULL);
  g_assert_true (ld_test_wait_for (overlay_running, host, WAIT_MS));
  chat_url = ld_overlay_get_chat_url (ld_overlay_host_get_overlay (host));
  {
    g_auto(GStrv) parts = g_strsplit (chat_url, "/", -1);

    /* http: "" 127.0.0.1:PORT SECRET chat */
    g_assert_cmpuint (g_strv_length (parts), ==, 5);
    secret = g_strdup (parts[3]);
    g_assert_cmpuint (strlen (secret), >=, 16);
  }

  ld_demo_start_async (demo.demo, NULL, ld_test_store_result, &started);
  g_assert_true (ld_test_wait_for (ld_test_is_set, &started, WAIT_MS));
  demo.session = ld_demo_start_finish (demo.demo, started, &error);
  g_assert_no_error (error);
  /* The result holds the demo, which the test checks is finalized. */
  g_clear_object (&started);
  g_assert_true (ld_test_wait_for (signed_in, demo.session, WAIT_MS));
  g_assert_true (ld_test_wait_for (viewer_listed, demo.session, WAIT_MS));
  username = g_strdup (ld_session_get_username (demo.session));
  for (guint i = 0; viewer == NULL; i++)
    {
      LdViewer *item = g_list_model_get_item (G_LIST_MODEL (ld_room_get_viewers (ld_test_room (demo.session))), i);

      if (ld_viewer_get_role (item) == LD_ROLE_VIEWER)
        viewer = item;
      else
        g_object_unref (item);
    }
  viewer_id = g_strdup (ld_viewer_get_user_id (viewer));

  window = g_object_ref_sink (ld_window_new (NULL, settings));
  ld_window_set_session (window, demo.session);
  gtk_window_present (GTK_WINDOW (window));
  ld_overlay_host_set_session (host, demo.session);
  prefs = g_object_ref_sink (ld_preferences_window_new (GTK_WINDOW (window), settings));
  ld_preferences_window_set_overlay_host (prefs, host);
  gtk_window_present (GTK_WINDOW (prefs));
  sign_in = g_object_ref_sink (ld_sign_in_window_new (GTK_WINDOW (window), settings, token_store));
  gtk_window_present (GTK_WINDOW (sign_in));
  windows[0] = GTK_WIDGET (window);
  windows[1] = GTK_WIDGET (prefs);
  windows[2] = GTK_WIDGET (sign_in);

  g_signal_emit_by_name (ld_window_get_viewer_list (window), "user-activated", viewer_id,
                         ld_viewer_get_username (viewer), (int) ld_viewer_get_role (viewer), NULL);
  card = find_user_card (GTK_WIDGET (ld_window_get_viewer_list (window)));
  g_assert_nonnull (card);
  drain ();

  /* Off: each of them is where a user looks for it, so the checks below can fail. */
  id_text = g_strdup_printf ("ID: %s", viewer_id);
  assert_shows (card, id_text);
  assert_shows (GTK_WIDGET (prefs), SERVER_URL);
  assert_shows (GTK_WIDGET (prefs), API_URL);
  assert_shows (GTK_WIDGET (prefs), secret);
  assert_shows (GTK_WIDGET (sign_in), SERVER_URL);
  assert_shows (GTK_WIDGET (sign_in), ACCOUNT);
  assert_shows (GTK_WIDGET (window), username);
  g_assert_null (find_text (GTK_WIDGET (window), "Streamer Mode"));

  g_object_set (settings, "streamer-mode", TRUE, NULL);
  drain ();
  for (guint i = 0; i < G_N_ELEMENTS (windows); i++)
    {
      assert_hides (windows[i], SERVER_URL);
      assert_hides (windows[i], API_URL);
      assert_hides (windows[i], "gateway-secret.example");
      assert_hides (windows[i], secret);
      assert_hides (windows[i], viewer_id);
      assert_hides (windows[i], ACCOUNT);
    }
  /* The chat may well name the moderator; the account menu must not. */
  {
    g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
    GtkWidget *header_menu = find_primary_menu (GTK_WIDGET (window));

    g_assert_nonnull (header_menu);
    collect_menu (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (header_menu)), texts);
    for (guint i = 0; i < texts->len; i++)
      g_assert_null (strstr (texts->pdata[i], username));
    g_assert_true (g_ptr_array_find_with_equal_func (texts, "Signed in", g_str_equal, NULL));
  }
  /* The indicator, and the copy button still works without the URL on screen. */
  assert_shows (GTK_WIDGET (window), "Streamer Mode");
  {
    g_autofree char *copied = copy_url (prefs, "chat");

    g_assert_cmpstr (copied, ==, ld_overlay_get_chat_url (ld_overlay_host_get_overlay (host)));
  }
  /* A card opened now hides the id too. */
  gtk_popover_popdown (GTK_POPOVER (card));
  drain ();
  g_signal_emit_by_name (ld_window_get_viewer_list (window), "user-activated", viewer_id,
                         ld_viewer_get_username (viewer), (int) ld_viewer_get_role (viewer), NULL);
  card = find_user_card (GTK_WIDGET (ld_window_get_viewer_list (window)));
  g_assert_nonnull (card);
  assert_hides (card, viewer_id);

  g_object_set (settings, "streamer-mode", FALSE, NULL);
  drain ();
  assert_shows (card, id_text);
  assert_shows (GTK_WIDGET (prefs), SERVER_URL);
  assert_shows (GTK_WIDGET (prefs), secret);
  assert_shows (GTK_WIDGET (sign_in), SERVER_URL);
  assert_shows (GTK_WIDGET (sign_in), ACCOUNT);
  assert_shows (GTK_WIDGET (window), username);
  g_assert_null (find_text (GTK_WIDGET (window), "Streamer Mode"));

  gtk_popover_popdown (GTK_POPOVER (card));
  drain ();
  ld_overlay_host_set_session (host, NULL);
  gtk_window_destroy (GTK_WINDOW (sign_in));
  gtk_window_destroy (GTK_WINDOW (prefs));
  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&viewer);
  g_clear_object (&demo.session);
  ld_demo_stop (demo.demo);
  drain ();
  g_assert_finalize_object (sign_in);
  g_assert_finalize_object (prefs);
  g_assert_finalize_object (window);
  g_assert_finalize_object (demo.demo);
  reset_settings (settings);
}

static gboolean
has_sign_in_error (gpointer data)
{
  return ld_sign_in_window_get_error (data) != NULL;
}

/* An error naming the unreachable server keeps its address off screen in
 * streamer mode, and still says what went wrong. */
static void
test_sign_in_error_redacted (void)
{
  g_autoptr(LdSettings) settings = ld_settings_new ();
  g_autoptr(LdTokenStore) token_store = ld_token_store_new ();
  guint port = test_free_port ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", port);
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  LdSignInWindow *sign_in;
  const char *error;

  g_object_set (settings, "server-url", url, "api-url", url, "streamer-mode", TRUE, NULL);
  sign_in = g_object_ref_sink (ld_sign_in_window_new (NULL, settings, token_store));
  gtk_window_present (GTK_WINDOW (sign_in));
  ld_sign_in_window_set_password (sign_in, "someone", "password");
  gtk_widget_activate_action (GTK_WIDGET (sign_in), "sign-in.submit", NULL);
  g_assert_true (ld_test_wait_for (has_sign_in_error, sign_in, WAIT_MS));

  error = ld_sign_in_window_get_error (sign_in);
  g_test_message ("shown: %s", error);
  g_assert_true (g_str_has_prefix (error, "Could not reach"));
  g_assert_null (strstr (error, "127.0.0.1"));
  g_assert_null (strstr (error, port_text));
  assert_hides (GTK_WIDGET (sign_in), "127.0.0.1");

  gtk_window_destroy (GTK_WINDOW (sign_in));
  drain ();
  g_assert_finalize_object (sign_in);
  reset_settings (settings);
}

static gboolean
action_enabled (gpointer data)
{
  return g_action_group_get_action_enabled (G_ACTION_GROUP (data), "copy-overlay-url");
}

static gboolean
action_disabled (gpointer data)
{
  return !action_enabled (data);
}

/* The app's own overlay: the main menu's copy items exist only while it
 * runs and copy its URL; app.streamer-mode is the setting, and the header
 * shows it. Runs inside the app's activate, so startup and shutdown are
 * the real ones. */
static void
on_app_activate (LdApplication *app)
{
  LdSettings *settings = ld_application_get_settings (app);
  LdOverlayHost *host = ld_application_get_overlay_host (app);
  LdWindow *window = ld_application_get_window (app);
  g_autoptr(LdTokenStore) store = ld_token_store_new ();
  KeyringRead read = { store, NULL, NULL, FALSE };
  g_autofree char *copied = NULL;
  g_autoptr(GVariant) state = NULL;

  g_assert_nonnull (host);
  g_assert_false (action_enabled (app));
  g_object_set (settings, "overlay-port", test_free_port (), "overlay-enabled", TRUE, NULL);
  g_assert_true (ld_test_wait_for (overlay_running, host, WAIT_MS));
  /* Started, its address is kept for the next run. */
  read.want = ld_overlay_get_secret (ld_overlay_host_get_overlay (host));
  g_assert_true (ld_test_wait_for (keyring_holds, &read, WAIT_MS));
  g_free (read.got);
  g_assert_true (ld_test_wait_for (action_enabled, app, WAIT_MS));

  g_action_group_activate_action (G_ACTION_GROUP (app), "copy-overlay-url", g_variant_new_string ("gifts"));
  copied = read_clipboard ();
  g_assert_cmpstr (copied, ==, ld_overlay_get_gifts_url (ld_overlay_host_get_overlay (host)));
  assert_shows (GTK_WIDGET (window), "Overlay URL copied");

  g_assert_null (find_text (GTK_WIDGET (window), "Streamer Mode"));
  g_action_group_activate_action (G_ACTION_GROUP (app), "streamer-mode", NULL);
  g_assert_true (ld_settings_get_streamer_mode (settings));
  state = g_action_group_get_action_state (G_ACTION_GROUP (app), "streamer-mode");
  g_assert_true (g_variant_get_boolean (state));
  drain ();
  assert_shows (GTK_WIDGET (window), "Streamer Mode");
  g_action_group_activate_action (G_ACTION_GROUP (app), "streamer-mode", NULL);
  g_assert_false (ld_settings_get_streamer_mode (settings));

  g_object_set (settings, "overlay-enabled", FALSE, NULL);
  g_assert_true (ld_test_wait_for (overlay_stopped, host, WAIT_MS));
  g_assert_true (ld_test_wait_for (action_disabled, app, WAIT_MS));

  reset_settings (settings);
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
}

static void
test_app_menu (void)
{
  LdApplication *app = ld_application_new ();

  g_signal_connect_after (app, "activate", G_CALLBACK (on_app_activate), NULL);
  g_assert_cmpint (g_application_run (G_APPLICATION (app), 0, NULL), ==, 0);
  g_assert_finalize_object (app);
}

int
main (int    argc,
      char **argv)
{
  ld_test_ui_init (&argc, &argv);

  g_test_add_func ("/ui/prefs/overlay-switch", test_overlay_switch);
  g_test_add_func ("/ui/prefs/overlay-busy-port", test_overlay_busy_port);
  g_test_add_func ("/ui/prefs/overlay-style", test_overlay_style);
  g_test_add_func ("/ui/prefs/overlay-language", test_overlay_language);
  g_test_add_func ("/ui/prefs/overlay-address-kept", test_overlay_address_kept);
  g_test_add_func ("/ui/prefs/overlay-secret-on-use", test_overlay_secret_on_use);
  g_test_add_func ("/ui/prefs/streamer-mode", test_streamer_mode);
  g_test_add_func ("/ui/prefs/sign-in-error-redacted", test_sign_in_error_redacted);
  g_test_add_func ("/ui/prefs/app-menu", test_app_menu);

  return g_test_run ();
}
