/* ld-sign-in-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ld-rest-client.h"
#include "ld-session.h"
#include "ld-sign-in-window.h"

enum {
  PRESET_DEVELOPMENT,
  PRESET_PRODUCTION,
  PRESET_CUSTOM,
};

struct _LdSignInWindow
{
  AdwWindow     parent_instance;

  GtkRevealer  *error_revealer;
  GtkLabel     *error_label;
  AdwComboRow  *preset_row;
  AdwEntryRow  *server_row;
  AdwEntryRow  *api_row;
  GtkStack     *method_stack;
  AdwEntryRow  *username_row;
  AdwEntryRow  *password_row;
  AdwEntryRow  *access_row;
  AdwEntryRow  *refresh_row;
  GtkSpinner   *spinner;

  LdSettings   *settings;
  LdTokenStore *token_store;
  GCancellable *cancellable;
  char         *username;
  LdTokens     *tokens;
  gboolean      busy;
};

G_DEFINE_FINAL_TYPE (LdSignInWindow, ld_sign_in_window, ADW_TYPE_WINDOW)

enum {
  SIGNED_IN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

gboolean
ld_jwt_peek (const char  *token,
             char       **out_name,
             gint64      *out_exp)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *payload = NULL;
  g_autofree guchar *decoded = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) padded = NULL;
  JsonNode *root;
  JsonObject *claims;
  const char *name;
  gsize len = 0;

  if (token == NULL)
    return FALSE;

  parts = g_strsplit (token, ".", -1);
  if (g_strv_length (parts) != 3 || parts[1][0] == '\0')
    return FALSE;

  /* base64url without padding → base64 */
  padded = g_string_new (parts[1]);
  g_strdelimit (padded->str, "-", '+');
  g_strdelimit (padded->str, "_", '/');
  while (padded->len % 4 != 0)
    g_string_append_c (padded, '=');
  decoded = g_base64_decode (padded->str, &len);
  if (decoded == NULL || len == 0)
    return FALSE;
  payload = g_strndup ((const char *) decoded, len);

  if (!json_parser_load_from_data (parser, payload, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;

  claims = json_node_get_object (root);
  name = json_object_get_string_member_with_default (claims, "name", NULL);
  if (name == NULL)
    name = json_object_get_string_member_with_default (claims, "sub", NULL);
  if (name == NULL)
    return FALSE;

  if (out_name != NULL)
    *out_name = g_strdup (name);
  if (out_exp != NULL)
    *out_exp = json_object_get_int_member_with_default (claims, "exp", 0);
  return TRUE;
}

static gboolean
streamer_mode (LdSignInWindow *self)
{
  return self->settings != NULL && ld_settings_get_streamer_mode (self->settings);
}

/* Replaces every URL in ROWS, and its host, in TEXT with an ellipsis:
 * errors name the server they could not reach. */
static char *
redact_servers (LdSignInWindow *self,
                const char     *text)
{
  AdwEntryRow *rows[] = { self->server_row, self->api_row };
  g_autoptr(GString) redacted = g_string_new (text);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      const char *url = gtk_editable_get_text (GTK_EDITABLE (rows[i]));
      g_autoptr(GUri) uri = NULL;

      if (*url == '\0')
        continue;
      g_string_replace (redacted, url, "…", 0);
      uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
      if (uri != NULL && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0')
        g_string_replace (redacted, g_uri_get_host (uri), "…", 0);
    }
  return g_string_free (g_steal_pointer (&redacted), FALSE);
}

static void
show_error (LdSignInWindow *self,
            const char     *message)
{
  g_autofree char *shown = message && streamer_mode (self) ? redact_servers (self, message) : NULL;

  gtk_label_set_text (self->error_label, shown ? shown : message ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static void
update_streamer_mode (LdSignInWindow *self)
{
  gboolean hidden = streamer_mode (self);
  const char *user = self->settings ? ld_settings_get_last_user (self->settings) : NULL;
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->username_row));

  /* The remembered account goes from the screen, and comes back, unless
   * the user has typed something else meanwhile. */
  if (user != NULL && *user != '\0')
    {
      if (hidden && g_str_equal (typed, user))
        gtk_editable_set_text (GTK_EDITABLE (self->username_row), "");
      else if (!hidden && *typed == '\0')
        gtk_editable_set_text (GTK_EDITABLE (self->username_row), user);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->server_row), !hidden);
  gtk_widget_set_visible (GTK_WIDGET (self->api_row), !hidden);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->preset_row),
                               hidden ? _("Addresses hidden in streamer mode") : "");
}

static void
set_busy (LdSignInWindow *self,
          gboolean        busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.submit", !busy);
}

static void
on_preset_selected (LdSignInWindow *self)
{
  switch (adw_combo_row_get_selected (self->preset_row))
    {
    case PRESET_DEVELOPMENT:
      gtk_editable_set_text (GTK_EDITABLE (self->server_row), LD_SESSION_DEFAULT_SERVER_URL);
      gtk_editable_set_text (GTK_EDITABLE (self->api_row), LD_SESSION_DEFAULT_API_URL);
      break;
    case PRESET_PRODUCTION:
      gtk_editable_set_text (GTK_EDITABLE (self->server_row), LD_SIGN_IN_PRODUCTION_SERVER_URL);
      gtk_editable_set_text (GTK_EDITABLE (self->api_row), LD_SIGN_IN_PRODUCTION_API_URL);
      break;
    default:
      break;
    }
}

static void
on_stored (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LdSignInWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ld_token_store_store_finish (LD_TOKEN_STORE (object), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      /* The store's messages say what to start or unlock. */
      text = g_strdup_printf (_("Signed in, but the tokens could not be saved: %s"), error->message);
      show_error (self, text);
      return;
    }

  set_busy (self, FALSE);
  ld_settings_set_server_url (self->settings, gtk_editable_get_text (GTK_EDITABLE (self->server_row)));
  ld_settings_set_api_url (self->settings, gtk_editable_get_text (GTK_EDITABLE (self->api_row)));
  ld_settings_set_last_user (self->settings, self->username);
  g_signal_emit (self, signals[SIGNED_IN], 0, self->tokens, self->username);
  gtk_window_close (GTK_WINDOW (self));
}

static void
store_tokens (LdSignInWindow *self)
{
  ld_token_store_store_async (self->token_store, gtk_editable_get_text (GTK_EDITABLE (self->server_row)),
                              self->username, self->tokens, self->cancellable, on_stored, g_object_ref (self));
}

static void
on_login (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(LdSignInWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  LdTokens *tokens;

  tokens = ld_rest_client_login_finish (LD_REST_CLIENT (object), result, &error);
  if (tokens == NULL)
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      if (g_error_matches (error, LD_REST_ERROR, LD_REST_ERROR_UNAUTHENTICATED))
        text = g_strdup (_("Wrong username or password."));
      else if (error->domain == LD_REST_ERROR)
        text = g_strdup_printf (_("The server refused to sign you in: %s"), error->message);
      else
        text = g_strdup_printf (_("Could not reach %s: %s"), ld_rest_client_get_base_url (LD_REST_CLIENT (object)),
                                error->message);
      show_error (self, text);
      return;
    }

  g_clear_pointer (&self->tokens, ld_tokens_free);
  self->tokens = tokens;
  store_tokens (self);
}

static gboolean
valid_url (const char *text)
{
  g_autoptr(GUri) uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  const char *scheme;

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return FALSE;
  scheme = g_uri_get_scheme (uri);
  return g_str_equal (scheme, "http") || g_str_equal (scheme, "https") ||
         g_str_equal (scheme, "ws") || g_str_equal (scheme, "wss");
}

static void
submit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LdSignInWindow *self = LD_SIGN_IN_WINDOW (widget);
  const char *server = gtk_editable_get_text (GTK_EDITABLE (self->server_row));
  const char *api = gtk_editable_get_text (GTK_EDITABLE (self->api_row));

  if (self->busy)
    return;

  if (!valid_url (server) || !valid_url (api))
    {
      show_error (self, _("Enter the gateway and API addresses, such as http://localhost:4001."));
      return;
    }

  show_error (self, NULL);
  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->tokens, ld_tokens_free);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->method_stack), "password") == 0)
    {
      const char *username = gtk_editable_get_text (GTK_EDITABLE (self->username_row));
      const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
      g_autoptr(LdRestClient) rest = NULL;

      if (*username == '\0' || *password == '\0')
        {
          show_error (self, _("Enter your username and password."));
          return;
        }

      self->username = g_strdup (username);
      rest = ld_rest_client_new (api);
      set_busy (self, TRUE);
      ld_rest_client_login_async (rest, username, password, self->cancellable, on_login, g_object_ref (self));
    }
  else
    {
      g_autofree char *access = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->access_row))));
      g_autofree char *refresh = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->refresh_row))));
      gint64 exp = 0;

      if (!ld_jwt_peek (access, &self->username, &exp))
        {
          show_error (self, _("The access token is not a valid token: paste the whole token the platform gave you."));
          return;
        }

      self->tokens = ld_tokens_new (access, *refresh != '\0' ? refresh : NULL, exp);
      explicit_bzero (access, strlen (access));
      explicit_bzero (refresh, strlen (refresh));
      set_busy (self, TRUE);
      store_tokens (self);
    }
}

static void
on_entry_activated (LdSignInWindow *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "sign-in.submit", NULL);
}

static void
ld_sign_in_window_dispose (GObject *object)
{
  LdSignInWindow *self = LD_SIGN_IN_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_SIGN_IN_WINDOW);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_object (&self->token_store);
  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->tokens, ld_tokens_free);

  G_OBJECT_CLASS (ld_sign_in_window_parent_class)->dispose (object);
}

static void
ld_sign_in_window_class_init (LdSignInWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_sign_in_window_dispose;

  signals[SIGNED_IN] = g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                     LD_TYPE_TOKENS | G_SIGNAL_TYPE_STATIC_SCOPE, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/livedesk/Livedesk/ui/ld-sign-in-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LdSignInWindow, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, LdSignInWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, LdSignInWindow, preset_row);
  gtk_widget_class_bind_template_child (widget_class, LdSignInWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, LdSignInWindow, api_row);
  gtk_widget_class_bind_template_child (widget_class, LdSignInWindow, method_stack);
  gtk_widget_class_bind_template_child (widget_class, LdSignInWindow, username_row);
  gtk_widget_class_bind_template_child (widget_class, LdSignInWindow, password_row);
  gtk_widget_class_bind_template_child (widget_class, LdSignInWindow, access_row);
  gtk_widget_class_bind_template_child (widget_class, LdSignInWindow, refresh_row);
  gtk_widget_class_bind_template_child (widget_class, LdSignInWindow, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_preset_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activated);

  gtk_widget_class_install_action (widget_class, "sign-in.submit", NULL, submit_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ld_sign_in_window_init (LdSignInWindow *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

LdSignInWindow *
ld_sign_in_window_new (GtkWindow    *parent,
                       LdSettings   *settings,
                       LdTokenStore *token_store)
{
  LdSignInWindow *self;
  const char *server;
  const char *api;
  const char *user;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (LD_IS_SETTINGS (settings), NULL);
  g_return_val_if_fail (LD_IS_TOKEN_STORE (token_store), NULL);

  self = g_object_new (LD_TYPE_SIGN_IN_WINDOW, "transient-for", parent, NULL);
  self->settings = g_object_ref (settings);
  self->token_store = g_object_ref (token_store);

  server = ld_settings_get_server_url (settings);
  api = ld_settings_get_api_url (settings);
  ld_sign_in_window_set_urls (self, server, api);
  user = ld_settings_get_last_user (settings);
  if (user != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->username_row), user);
  g_signal_connect_object (settings, "notify::streamer-mode", G_CALLBACK (update_streamer_mode), self,
                           G_CONNECT_SWAPPED);
  update_streamer_mode (self);

  return self;
}

void
ld_sign_in_window_set_urls (LdSignInWindow *self,
                            const char     *server_url,
                            const char     *api_url)
{
  guint preset = PRESET_CUSTOM;

  g_return_if_fail (LD_IS_SIGN_IN_WINDOW (self));

  if (g_strcmp0 (server_url, LD_SESSION_DEFAULT_SERVER_URL) == 0 && g_strcmp0 (api_url, LD_SESSION_DEFAULT_API_URL) == 0)
    preset = PRESET_DEVELOPMENT;
  else if (g_strcmp0 (server_url, LD_SIGN_IN_PRODUCTION_SERVER_URL) == 0 &&
           g_strcmp0 (api_url, LD_SIGN_IN_PRODUCTION_API_URL) == 0)
    preset = PRESET_PRODUCTION;

  adw_combo_row_set_selected (self->preset_row, preset);
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), server_url ? server_url : "");
  gtk_editable_set_text (GTK_EDITABLE (self->api_row), api_url ? api_url : "");
}

void
ld_sign_in_window_set_password (LdSignInWindow *self,
                                const char     *username,
                                const char     *password)
{
  g_return_if_fail (LD_IS_SIGN_IN_WINDOW (self));

  gtk_stack_set_visible_child_name (self->method_stack, "password");
  gtk_editable_set_text (GTK_EDITABLE (self->username_row), username);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
}

void
ld_sign_in_window_set_tokens (LdSignInWindow *self,
                              const char     *access_token,
                              const char     *refresh_token)
{
  g_return_if_fail (LD_IS_SIGN_IN_WINDOW (self));

  gtk_stack_set_visible_child_name (self->method_stack, "tokens");
  gtk_editable_set_text (GTK_EDITABLE (self->access_row), access_token);
  gtk_editable_set_text (GTK_EDITABLE (self->refresh_row), refresh_token ? refresh_token : "");
}

const char *
ld_sign_in_window_get_error (LdSignInWindow *self)
{
  g_return_val_if_fail (LD_IS_SIGN_IN_WINDOW (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->error_revealer))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

gboolean
ld_sign_in_window_get_busy (LdSignInWindow *self)
{
  g_return_val_if_fail (LD_IS_SIGN_IN_WINDOW (self), FALSE);
  return self->busy;
}
