/* ld-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>

#include "ld-application.h"
#include "ld-config.h"
#include "ld-demo.h"
#include "ld-overlay-host.h"
#include "ld-preferences-window.h"
#include "ld-sign-in-window.h"
#include "ld-token-store.h"

struct _LdApplication
{
  AdwApplication  parent_instance;

  LdSettings     *settings;
  LdTokenStore   *token_store;
  LdDemo         *demo;
  LdOverlayHost  *overlay_host;
  GCancellable   *cancellable;
  char           *initial_view;
  char           *initial_preferences;
  GdkFrameClock  *first_frame_clock;
  gulong          first_frame_handler;
  gboolean        deferred_done;
  guint           sigint_source;
  guint           sigterm_source;
  gboolean        demo_mode;
  gboolean        maximized;
  gboolean        told_background;
};

G_DEFINE_FINAL_TYPE (LdApplication, ld_application, ADW_TYPE_APPLICATION)

static void
on_demo_started (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(LdApplication) self = user_data;
  g_autoptr(LdSession) session = NULL;
  g_autoptr(GError) error = NULL;
  LdWindow *window;

  session = ld_demo_start_finish (LD_DEMO (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  window = ld_application_get_window (self);
  if (session == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Demo mode could not start: %s"), error->message);

      g_warning ("%s", text);
      ld_window_add_toast (window, text);
      return;
    }

  ld_window_set_session (window, session);
}

static void
on_tokens_stored (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(LdApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ld_token_store_store_finish (LD_TOKEN_STORE (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("The renewed sign-in could not be saved: %s"), error->message);

      ld_window_add_toast (ld_application_get_window (self), text);
    }
}

/* A refresh rotates both tokens: the keyring must follow, or the next start
 * would use a revoked refresh token. */
static void
on_tokens_changed (LdSession     *session,
                   LdTokens      *tokens,
                   LdApplication *self)
{
  const char *user = ld_settings_get_last_user (self->settings);

  if (self->demo_mode || user == NULL || *user == '\0')
    return;

  ld_token_store_store_async (self->token_store, ld_settings_get_server_url (self->settings), user, tokens,
                              self->cancellable, on_tokens_stored, g_object_ref (self));
}

/* Each room's moderation log is kept across restarts in its file under
 * the user's data directory; every room the app shows becomes the current
 * one when joined. */
static void
keep_moderation_log (LdSession *session)
{
  LdRoom *room = ld_session_get_current_room (session);
  LdModerationLog *log = room != NULL ? ld_room_get_moderation_log (room) : NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (log == NULL || ld_moderation_log_get_path (log) != NULL)
    return;
  path = ld_moderation_log_default_path (ld_room_get_id (room));
  if (path != NULL && !ld_moderation_log_set_path (log, path, &error))
    g_message ("The moderation log of %s stays in memory: %s", ld_room_get_id (room), error->message);
}

static void
start_session (LdApplication *self,
               LdTokens      *tokens)
{
  g_autoptr(LdSession) session = NULL;
  LdWindow *window = ld_application_get_window (self);
  session = ld_session_new (ld_settings_get_server_url (self->settings), ld_settings_get_api_url (self->settings));
  ld_session_set_reconnect_attempts (session, ld_settings_get_reconnect_attempts (self->settings));
  g_signal_connect (session, "notify::current-room", G_CALLBACK (keep_moderation_log), NULL);
  ld_session_set_tokens (session, tokens);
  g_signal_connect_object (session, "tokens-changed", G_CALLBACK (on_tokens_changed), self, 0);
  ld_session_connect (session);
  ld_window_set_session (window, session);
  ld_window_restore_rooms (window);
}

static void
on_tokens_found (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(LdApplication) self = user_data;
  g_autoptr(LdTokens) tokens = NULL;
  g_autoptr(GError) error = NULL;

  tokens = ld_token_store_lookup_finish (LD_TOKEN_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (error != NULL)
    {
      ld_window_add_toast (ld_application_get_window (self), error->message);
      return;
    }
  if (tokens != NULL)
    start_session (self, tokens);
}

static void open_preferences (LdApplication *self,
                              const char    *page);

/* Nobody signed in with the app, perhaps with livedesk-cli. */
static void
on_user_found (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LdApplication) self = user_data;
  g_autofree char *user = ld_token_store_lookup_user_finish (LD_TOKEN_STORE (object), result, NULL);

  if (user == NULL)
    return;
  ld_settings_set_last_user (self->settings, user);
  ld_token_store_lookup_async (self->token_store, ld_settings_get_server_url (self->settings), user,
                               self->cancellable, on_tokens_found, g_object_ref (self));
}

static void on_overlay_running (LdApplication *self);
static void on_overlay_error   (LdApplication *self);

static void
ensure_overlay_host (LdApplication *self)
{
  if (self->overlay_host != NULL || self->settings == NULL)
    return;

  self->overlay_host = ld_overlay_host_new (self->settings);
  g_signal_connect_object (ld_overlay_host_get_overlay (self->overlay_host), "notify::running",
                           G_CALLBACK (on_overlay_running), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->overlay_host, "notify::error", G_CALLBACK (on_overlay_error), self,
                           G_CONNECT_SWAPPED);
  on_overlay_running (self);
  /* The session of a window made before the overlay. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (LD_IS_WINDOW (l->data))
      {
        ld_overlay_host_set_session (self->overlay_host, ld_window_get_session (l->data));
        break;
      }
}

/* What the first frame does not need: keyring look-ups (a D-Bus round trip
 * each, and libsecret's start), the overlay's server, the demo's processes. */
static void
start_deferred (LdApplication *self)
{
  const char *user;

  if (self->deferred_done)
    return;
  self->deferred_done = TRUE;
  g_clear_signal_handler (&self->first_frame_handler, self->first_frame_clock);
  g_clear_object (&self->first_frame_clock);

  ensure_overlay_host (self);
  if (self->demo_mode)
    {
      self->demo = ld_demo_new (NULL);
      ld_demo_start_async (self->demo, self->cancellable, on_demo_started, g_object_ref (self));
      return;
    }

  /* livedesk-cli's logins, also those of its older versions, are ours too. */
  ld_token_store_set_legacy_server (self->token_store, ld_settings_get_api_url (self->settings));
  user = ld_settings_get_last_user (self->settings);
  if (user != NULL && *user != '\0')
    ld_token_store_lookup_async (self->token_store, ld_settings_get_server_url (self->settings), user,
                                 self->cancellable, on_tokens_found, g_object_ref (self));
  else
    ld_token_store_lookup_user_async (self->token_store, ld_settings_get_server_url (self->settings),
                                      self->cancellable, on_user_found, g_object_ref (self));
}

static void
on_first_frame (GdkFrameClock *clock,
                LdApplication *self)
{
  start_deferred (self);
}

static void
ld_application_activate (GApplication *app)
{
  LdApplication *self = LD_APPLICATION (app);
  gboolean first = gtk_application_get_active_window (GTK_APPLICATION (app)) == NULL;
  LdWindow *window = ld_application_get_window (self);
  GdkFrameClock *clock;

  if (first && self->initial_view != NULL)
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", self->initial_view);
  if (first && self->maximized)
    gtk_window_maximize (GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (window));
  g_application_withdraw_notification (app, "background");
  if (first && self->initial_preferences != NULL)
    open_preferences (self, self->initial_preferences);
  if (!first || self->deferred_done || self->first_frame_clock != NULL)
    return;

  /* A window that is not drawn (no display to map it on) waits for nothing. */
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  if (clock == NULL || !gtk_widget_get_mapped (GTK_WIDGET (window)))
    {
      start_deferred (self);
      return;
    }
  self->first_frame_clock = g_object_ref (clock);
  self->first_frame_handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_first_frame), self);
}

static int
ld_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  LdApplication *self = LD_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("livedesk %s\n", PACKAGE_VERSION);
      return 0;
    }

  /* A demo runs beside a real instance instead of taking it over. */
  if (g_variant_dict_contains (options, "demo"))
    ld_application_set_demo (self, TRUE);
  g_variant_dict_lookup (options, "view", "s", &self->initial_view);
  g_variant_dict_lookup (options, "preferences", "s", &self->initial_preferences);
  if (self->initial_preferences != NULL &&
      !g_strv_contains ((const char * const []) { "general", "alerts", "streaming", NULL }, self->initial_preferences))
    {
      g_printerr (_("No preferences page “%s”: general, alerts or streaming\n"), self->initial_preferences);
      return 1;
    }
  self->maximized = g_variant_dict_contains (options, "maximized");

  return -1;
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  LdApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Closing lets each window save its size and cancel its work. */
  for (GList *l = windows; l != NULL;)
    {
      GList *next = l->next;

      /* Quitting closes for real, running in the background or not. */
      gtk_window_set_hide_on_close (l->data, FALSE);
      gtk_window_close (l->data);
      l = next;
    }
  g_application_quit (G_APPLICATION (self));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  LdApplication *self = user_data;
  const char *developers[] = { "The Livedesk developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", ld_application_get_window (self),
                        "application-name", "Livedesk",
                        "application-icon", APP_ID,
                        "developer-name", "The Livedesk developers",
                        "version", PACKAGE_VERSION,
                        "website", "https://github.com/livedesk/livedesk",
                        "issue-url", "https://github.com/livedesk/livedesk/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: your name(s), one a line. */
                        "translator-credits", _("translator-credits"),
                        "comments", _("Moderate a livestream's chat, viewers, gifts and support requests"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
sign_out_done (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LdApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ld_token_store_clear_finish (LD_TOKEN_STORE (object), result, &error) &&
      error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ld_window_add_toast (ld_application_get_window (self), error->message);
}

static void
sign_out_action (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  LdApplication *self = user_data;
  LdWindow *window = ld_application_get_window (self);
  LdSession *session = ld_window_get_session (window);
  const char *user = ld_settings_get_last_user (self->settings);

  if (session != NULL)
    ld_session_disconnect (session);
  ld_window_set_session (window, NULL);
  if (self->demo != NULL)
    {
      ld_demo_stop (self->demo);
      return;
    }

  ld_token_store_set_legacy_server (self->token_store, ld_settings_get_api_url (self->settings));
  if (user != NULL && *user != '\0')
    ld_token_store_clear_async (self->token_store, ld_settings_get_server_url (self->settings), user,
                                self->cancellable, sign_out_done, g_object_ref (self));
  ld_settings_set_last_user (self->settings, NULL);
}

static void
join_room_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  LdApplication *self = user_data;

  ld_window_join_room (ld_application_get_window (self), g_variant_get_string (parameter, NULL));
}

static void
sign_in_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data);

static void
on_signed_in (LdApplication *self,
              LdTokens      *tokens,
              const char    *username)
{
  LdWindow *window = ld_application_get_window (self);
  LdSession *old = ld_window_get_session (window);

  if (old != NULL)
    ld_session_disconnect (old);
  start_session (self, tokens);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data);

static void
copy_overlay_url_action (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  LdApplication *self = user_data;
  LdWindow *window = ld_application_get_window (self);
  LdOverlay *overlay;
  const char *url;

  if (self->overlay_host == NULL)
    return;
  overlay = ld_overlay_host_get_overlay (self->overlay_host);
  url = g_str_equal (g_variant_get_string (parameter, NULL), "gifts")
        ? ld_overlay_get_gifts_url (overlay) : ld_overlay_get_chat_url (overlay);

  if (url == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (window)), url);
  ld_window_add_toast (window, _("Overlay URL copied"));
}

static void
on_overlay_running (LdApplication *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "copy-overlay-url");

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action),
                               ld_overlay_get_running (ld_overlay_host_get_overlay (self->overlay_host)));
}

/* Started at launch or turned on from the menu, a busy port must not go
 * unnoticed; the preferences window shows it too. */
static void
on_overlay_error (LdApplication *self)
{
  const char *error = ld_overlay_host_get_error (self->overlay_host);
  GtkWindow *active = gtk_application_get_active_window (GTK_APPLICATION (self));

  /* With no window (running in the background) there is nobody to tell. */
  if (error != NULL && LD_IS_WINDOW (active))
    ld_window_add_toast (LD_WINDOW (active), error);
}

static void
on_window_session (LdApplication *self,
                   GParamSpec    *pspec,
                   LdWindow      *window)
{
  if (self->overlay_host != NULL)
    ld_overlay_host_set_session (self->overlay_host, ld_window_get_session (window));
}

static void
gifts_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  LdWindow *window = ld_application_get_window (user_data);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.gifts", "s", g_variant_get_string (parameter, NULL));
}

/* A desktop notification's default action: the window, on that view. */
static void
show_view_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  LdApplication *self = user_data;
  LdWindow *window = ld_application_get_window (self);

  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", g_variant_get_string (parameter, NULL));
  g_application_withdraw_notification (G_APPLICATION (self), "background");
}

/* A desktop notification's "Mark Read" button, with the window hidden or not. */
static void
mark_notification_read_action (GSimpleAction *action,
                               GVariant      *parameter,
                               gpointer       user_data)
{
  LdApplication *self = user_data;
  LdSession *session = ld_window_get_session (ld_application_get_window (self));

  if (session != NULL)
    ld_notification_model_mark_read (ld_session_get_notifications (session), g_variant_get_string (parameter, NULL));
}

/* With run-in-background on, closing only hides the window: GtkApplication
 * holds the application while the window is one of its own, so the
 * session it keeps stays connected and notifying until app.quit. */
static gboolean
on_close_request (LdApplication *self,
                  GtkWindow     *window)
{
  g_autoptr(GNotification) notification = NULL;

  if (!gtk_window_get_hide_on_close (window) || self->told_background)
    return FALSE;

  /* Once a run: the user learns where the window went and that it still
   * listens. */
  self->told_background = TRUE;
  notification = g_notification_new (_("Livedesk is running in the background"));
  g_notification_set_body (notification, _("Notifications keep coming while the window is closed. "
                                           "Open Livedesk to see it again, or quit from its menu."));
  g_application_send_notification (G_APPLICATION (self), "background", notification);
  return FALSE;
}

static const GActionEntry app_actions[] = {
  { "quit", quit_action },
  { "about", about_action },
  { "preferences", preferences_action },
  { "sign-in", sign_in_action },
  { "sign-out", sign_out_action },
  { "join-room", join_room_action, "s" },
  { "show-view", show_view_action, "s" },
  { "gifts", gifts_action, "s" },
  { "mark-notification-read", mark_notification_read_action, "s" },
  { "copy-overlay-url", copy_overlay_url_action, "s" },
};

/* Ctrl+C in the terminal quits cleanly, so demo mode stops its gateway. */
static gboolean
on_quit_signal (gpointer user_data)
{
  g_action_group_activate_action (G_ACTION_GROUP (user_data), "quit", NULL);
  return G_SOURCE_CONTINUE;
}

static void
ld_application_startup (GApplication *app)
{
  LdApplication *self = LD_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  static const char *help_accels[] = { "<Control>question", NULL };
  static const char *streamer_accels[] = { "<Control><Shift>s", NULL };
  static const char *join_accels[] = { "<Control>t", "<Control>j", NULL };
  static const char *close_room_accels[] = { "<Control>w", NULL };
  g_autoptr(GAction) streamer_mode = NULL;

  G_APPLICATION_CLASS (ld_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.show-help-overlay", help_accels);
  /* Rooms are tabs: Ctrl+T joins one, Ctrl+W leaves it (the window handles
   * Ctrl+Tab and Alt+1…9 itself, before the focused widget). */
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.join-room", join_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.close-room", close_room_accels);

  self->settings = ld_settings_new ();
  self->token_store = ld_token_store_new ();

  /* Streamer mode is a check item in the menu, stored as the setting. */
  streamer_mode = g_settings_create_action (ld_settings_get_settings (self->settings), "streamer-mode");
  g_action_map_add_action (G_ACTION_MAP (self), streamer_mode);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.streamer-mode", streamer_accels);
  /* The overlay (a keyring look-up, then a server) starts after the first
   * frame; until then there is nothing to copy. */
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "copy-overlay-url")),
                               FALSE);

  self->sigint_source = g_unix_signal_add (SIGINT, on_quit_signal, self);
  self->sigterm_source = g_unix_signal_add (SIGTERM, on_quit_signal, self);
}

static void
ld_application_shutdown (GApplication *app)
{
  LdApplication *self = LD_APPLICATION (app);

  g_cancellable_cancel (self->cancellable);
  g_clear_signal_handler (&self->first_frame_handler, self->first_frame_clock);
  g_clear_object (&self->first_frame_clock);
  if (self->demo != NULL)
    ld_demo_stop (self->demo);
  /* Closes the overlay's port and its pages' feeds before the session goes. */
  g_clear_object (&self->overlay_host);
  g_clear_handle_id (&self->sigint_source, g_source_remove);
  g_clear_handle_id (&self->sigterm_source, g_source_remove);

  G_APPLICATION_CLASS (ld_application_parent_class)->shutdown (app);
}

static void
ld_application_dispose (GObject *object)
{
  LdApplication *self = LD_APPLICATION (object);

  g_clear_object (&self->demo);
  g_clear_object (&self->overlay_host);
  g_clear_object (&self->token_store);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->initial_view, g_free);
  g_clear_pointer (&self->initial_preferences, g_free);

  G_OBJECT_CLASS (ld_application_parent_class)->dispose (object);
}

static void
ld_application_class_init (LdApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = ld_application_dispose;
  app_class->activate = ld_application_activate;
  app_class->startup = ld_application_startup;
  app_class->shutdown = ld_application_shutdown;
  app_class->handle_local_options = ld_application_handle_local_options;
}

static void
ld_application_init (LdApplication *self)
{
  const GOptionEntry entries[] = {
    { "demo", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Run a simulated livestream on a private gateway, without signing in"), NULL },
    { "view", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Open VIEW first: chat, viewers, gifts, support or notifications"), N_("VIEW") },
    { "maximized", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Open the window maximized"), NULL },
    { "preferences", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Open the preferences at PAGE too: general, alerts or streaming"), N_("PAGE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Print the version and exit"), NULL },
    { NULL }
  };

  self->cancellable = g_cancellable_new ();
  g_application_add_main_option_entries (G_APPLICATION (self), entries);
}

LdApplication *
ld_application_new (void)
{
  return g_object_new (LD_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "resource-base-path", RESOURCE_PREFIX,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       NULL);
}

LdSettings *
ld_application_get_settings (LdApplication *self)
{
  g_return_val_if_fail (LD_IS_APPLICATION (self), NULL);
  return self->settings;
}

LdWindow *
ld_application_get_window (LdApplication *self)
{
  GList *windows;
  LdWindow *window;

  g_return_val_if_fail (LD_IS_APPLICATION (self), NULL);

  for (windows = gtk_application_get_windows (GTK_APPLICATION (self)); windows != NULL; windows = windows->next)
    if (LD_IS_WINDOW (windows->data))
      return windows->data;

  window = ld_window_new (GTK_APPLICATION (self), self->settings);
  g_object_bind_property (self->settings, "run-in-background", window, "hide-on-close", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (window, "close-request", G_CALLBACK (on_close_request), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (window, "notify::session", G_CALLBACK (on_window_session), self, G_CONNECT_SWAPPED);
  return window;
}

LdOverlayHost *
ld_application_get_overlay_host (LdApplication *self)
{
  g_return_val_if_fail (LD_IS_APPLICATION (self), NULL);
  ensure_overlay_host (self);
  return self->overlay_host;
}

gboolean
ld_application_get_demo (LdApplication *self)
{
  g_return_val_if_fail (LD_IS_APPLICATION (self), FALSE);
  return self->demo_mode;
}

void
ld_application_set_demo (LdApplication *self,
                         gboolean       demo)
{
  GApplicationFlags flags;

  g_return_if_fail (LD_IS_APPLICATION (self));

  self->demo_mode = !!demo;
  flags = g_application_get_flags (G_APPLICATION (self));
  if (demo)
    g_application_set_flags (G_APPLICATION (self), flags | G_APPLICATION_NON_UNIQUE);
}

static void
sign_in_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  LdApplication *self = user_data;
  LdSignInWindow *window;

  if (self->demo_mode)
    {
      ld_window_add_toast (ld_application_get_window (self), _("Demo mode signs in by itself"));
      return;
    }

  window = ld_sign_in_window_new (GTK_WINDOW (ld_application_get_window (self)), self->settings,
                                  self->token_store);
  g_signal_connect_object (window, "signed-in", G_CALLBACK (on_signed_in), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (window));
}

/* PAGE: a page's name, or NULL for the first. */
static void
open_preferences (LdApplication *self,
                  const char    *page)
{
  LdPreferencesWindow *window;

  window = ld_preferences_window_new (GTK_WINDOW (ld_application_get_window (self)), self->settings);
  ensure_overlay_host (self);
  if (self->overlay_host != NULL)
    ld_preferences_window_set_overlay_host (window, self->overlay_host);
  if (page != NULL)
    adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  open_preferences (user_data, NULL);
}
