/* ld-preferences-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "ld-preferences-window.h"

struct _LdPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  AdwEntryRow          *server_row;
  AdwEntryRow          *api_row;
  GtkSpinButton        *reconnect_spin;
  GtkSpinButton        *history_spin;
  GtkSpinButton        *font_spin;
  AdwComboRow          *clock_row;
  AdwEntryRow          *highlight_row;
  GtkSwitch            *mentions_switch;
  GtkSwitch            *support_switch;
  GtkSwitch            *gifts_switch;
  GtkScale             *volume_scale;
  GtkSwitch            *mute_switch;
  GtkSpinButton        *priority_spin;
  AdwActionRow         *gift_value_row;
  GtkSpinButton        *gift_value_spin;
  GtkSwitch            *stream_state_switch;
  GtkSwitch            *background_switch;
  AdwPreferencesGroup  *servers_group;
  AdwPreferencesPage   *streaming_page;
  GtkSwitch            *streamer_switch;
  AdwActionRow         *overlay_error_row;
  AdwActionRow         *overlay_row;
  GtkSwitch            *overlay_switch;
  GtkSpinButton        *port_spin;
  AdwActionRow         *chat_url_row;
  AdwActionRow         *gifts_url_row;

  LdSettings           *settings;
  LdOverlayHost        *overlay_host;
};

G_DEFINE_FINAL_TYPE (LdPreferencesWindow, ld_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static gboolean
clock_to_row (GBinding     *binding,
              const GValue *from,
              GValue       *to,
              gpointer      user_data)
{
  g_value_set_uint (to, g_strcmp0 (g_value_get_string (from), "12h") == 0 ? 1 : 0);
  return TRUE;
}

static gboolean
row_to_clock (GBinding     *binding,
              const GValue *from,
              GValue       *to,
              gpointer      user_data)
{
  g_value_set_string (to, g_value_get_uint (from) == 1 ? "12h" : "24h");
  return TRUE;
}

static gboolean
words_to_text (GBinding     *binding,
               const GValue *from,
               GValue       *to,
               gpointer      user_data)
{
  const char * const *words = g_value_get_boxed (from);

  g_value_take_string (to, words ? g_strjoinv (", ", (char **) words) : g_strdup (""));
  return TRUE;
}

static gboolean
text_to_words (GBinding     *binding,
               const GValue *from,
               GValue       *to,
               gpointer      user_data)
{
  g_auto(GStrv) parts = g_strsplit (g_value_get_string (from), ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *word = g_strstrip (parts[i]);

      if (*word != '\0')
        g_strv_builder_add (builder, word);
    }
  g_value_take_boxed (to, g_strv_builder_end (builder));
  return TRUE;
}

static const char *
overlay_url (LdPreferencesWindow *self,
             const char          *page)
{
  LdOverlay *overlay = self->overlay_host ? ld_overlay_host_get_overlay (self->overlay_host) : NULL;

  if (overlay == NULL)
    return NULL;
  return g_str_equal (page, "gifts") ? ld_overlay_get_gifts_url (overlay) : ld_overlay_get_chat_url (overlay);
}

static void
update_url_row (LdPreferencesWindow *self,
                AdwActionRow        *row,
                const char          *url)
{
  gboolean streamer_mode = ld_settings_get_streamer_mode (self->settings);

  /* The row title is the URL itself so that it can be selected; in streamer
   * mode the copy button still works, without the URL on screen. */
  if (url == NULL)
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Turn the overlay on to get its address"));
  else if (streamer_mode)
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Hidden in streamer mode"));
  else
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), url);
  adw_preferences_row_set_title_selectable (ADW_PREFERENCES_ROW (row), url != NULL && !streamer_mode);
  if (url == NULL || streamer_mode)
    gtk_widget_add_css_class (GTK_WIDGET (row), "dim-title");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (row), "dim-title");
}

/* So the streamer sees that OBS has picked the pages up. */
static void
update_pages (LdPreferencesWindow *self)
{
  LdOverlay *overlay = self->overlay_host ? ld_overlay_host_get_overlay (self->overlay_host) : NULL;
  g_autofree char *text = NULL;

  if (overlay != NULL && ld_overlay_get_running (overlay))
    {
      guint n = ld_overlay_get_n_pages (overlay);

      text = n == 0 ? g_strdup (_("No page open yet"))
                    /* Translators: overlay pages (OBS sources, browsers) showing the live feed now. */
                    : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u page open", "%u pages open", n), n);
    }
  adw_action_row_set_subtitle (self->overlay_row, text ? text : "");
}

static void
update_overlay (LdPreferencesWindow *self)
{
  const char *chat = overlay_url (self, "chat");
  const char *error = self->overlay_host ? ld_overlay_host_get_error (self->overlay_host) : NULL;

  update_pages (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.regenerate-overlay-secret", chat != NULL);

  update_url_row (self, self->chat_url_row, chat);
  update_url_row (self, self->gifts_url_row, overlay_url (self, "gifts"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.copy-overlay-url", chat != NULL);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->overlay_error_row), error ? error : "");
  gtk_widget_set_visible (GTK_WIDGET (self->overlay_error_row), error != NULL);
}

static void
update_streamer_mode (LdPreferencesWindow *self)
{
  gboolean streamer_mode = ld_settings_get_streamer_mode (self->settings);

  gtk_widget_set_visible (GTK_WIDGET (self->server_row), !streamer_mode);
  gtk_widget_set_visible (GTK_WIDGET (self->api_row), !streamer_mode);
  adw_preferences_group_set_description (self->servers_group,
                                         streamer_mode ? _("Hidden in streamer mode")
                                                       : _("Used the next time you sign in"));
  update_overlay (self);
}

static void
on_settings_notify (LdPreferencesWindow *self,
                    GParamSpec          *pspec,
                    LdSettings          *settings)
{
  if (g_str_equal (pspec->name, "streamer-mode"))
    update_streamer_mode (self);
}

static void
on_overlay_error (LdPreferencesWindow *self)
{
  const char *error = ld_overlay_host_get_error (self->overlay_host);

  update_overlay (self);
  if (error != NULL)
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (error));
}

static void
copy_overlay_url_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  LdPreferencesWindow *self = LD_PREFERENCES_WINDOW (widget);
  const char *url = overlay_url (self, g_variant_get_string (parameter, NULL));

  if (url == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), url);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (_("Overlay URL copied")));
}

static void
regenerate_overlay_secret_action (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  LdPreferencesWindow *self = LD_PREFERENCES_WINDOW (widget);

  if (self->overlay_host == NULL)
    return;
  ld_overlay_host_regenerate_secret (self->overlay_host);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("New overlay address: update the OBS sources")));
}

static void
ld_preferences_window_dispose (GObject *object)
{
  LdPreferencesWindow *self = LD_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->overlay_host);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ld_preferences_window_parent_class)->dispose (object);
}

static void
ld_preferences_window_class_init (LdPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/livedesk/Livedesk/ui/ld-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, api_row);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, reconnect_spin);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, history_spin);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, font_spin);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, clock_row);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, highlight_row);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, mentions_switch);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, support_switch);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, gifts_switch);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, volume_scale);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, mute_switch);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, priority_spin);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, gift_value_row);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, gift_value_spin);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, stream_state_switch);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, background_switch);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, servers_group);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, streaming_page);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, streamer_switch);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, overlay_error_row);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, overlay_row);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, overlay_switch);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, port_spin);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, chat_url_row);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, gifts_url_row);

  gtk_widget_class_install_action (widget_class, "prefs.copy-overlay-url", "s", copy_overlay_url_action);
  gtk_widget_class_install_action (widget_class, "prefs.regenerate-overlay-secret", NULL,
                                   regenerate_overlay_secret_action);
}

/* libadwaita 1.2's own search entry, and the button inside a GTK 4.8 colour
 * button (what a screen reader lands on), come without an accessible name. */
static void
name_unnamed_controls (GtkWidget *widget)
{
  GtkWidget *row;

  if (GTK_IS_SEARCH_ENTRY (widget))
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    _("Search preferences"), -1);
  else if (GTK_IS_COLOR_BUTTON (widget) && gtk_widget_get_first_child (widget) != NULL &&
           (row = gtk_widget_get_ancestor (widget, ADW_TYPE_PREFERENCES_ROW)) != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_first_child (widget)),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), -1);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    name_unnamed_controls (child);
}

static void
ld_preferences_window_init (LdPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  name_unnamed_controls (GTK_WIDGET (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.copy-overlay-url", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.regenerate-overlay-secret", FALSE);
}

LdPreferencesWindow *
ld_preferences_window_new (GtkWindow  *parent,
                           LdSettings *settings)
{
  LdPreferencesWindow *self;
  const GBindingFlags flags = G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE;

  g_return_val_if_fail (LD_IS_SETTINGS (settings), NULL);

  self = g_object_new (LD_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
  self->settings = g_object_ref (settings);

  g_object_bind_property (settings, "server-url", self->server_row, "text", flags);
  g_object_bind_property (settings, "api-url", self->api_row, "text", flags);
  g_object_bind_property (settings, "reconnect-attempts", self->reconnect_spin, "value", flags);
  g_object_bind_property (settings, "history-size", self->history_spin, "value", flags);
  g_object_bind_property (settings, "font-scale", self->font_spin, "value", flags);
  g_object_bind_property_full (settings, "clock-format", self->clock_row, "selected", flags,
                               clock_to_row, row_to_clock, NULL, NULL);
  g_object_bind_property_full (settings, "highlight-words", self->highlight_row, "text", flags,
                               words_to_text, text_to_words, NULL, NULL);
  g_object_bind_property (settings, "notify-mentions", self->mentions_switch, "active", flags);
  g_object_bind_property (settings, "notify-support", self->support_switch, "active", flags);
  g_object_bind_property (settings, "notify-gifts", self->gifts_switch, "active", flags);
  g_object_bind_property (settings, "notify-gifts", self->gift_value_row, "sensitive", G_BINDING_SYNC_CREATE);
  g_object_bind_property (settings, "notify-gift-value", self->gift_value_spin, "value", flags);
  g_object_bind_property (settings, "notify-stream-state", self->stream_state_switch, "active", flags);
  g_object_bind_property (settings, "run-in-background", self->background_switch, "active", flags);
  g_object_bind_property (settings, "gift-sound-volume", gtk_range_get_adjustment (GTK_RANGE (self->volume_scale)),
                          "value", flags);
  g_object_bind_property (settings, "gift-sound-muted", self->mute_switch, "active", flags);
  g_object_bind_property (settings, "gift-sound-muted", self->volume_scale, "sensitive",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
  g_object_bind_property (settings, "gift-priority-value", self->priority_spin, "value", flags);
  g_object_bind_property (settings, "streamer-mode", self->streamer_switch, "active", flags);
  g_object_bind_property (settings, "overlay-enabled", self->overlay_switch, "active", flags);
  g_object_bind_property (settings, "overlay-port", self->port_spin, "value", flags);
  g_signal_connect_object (settings, "notify", G_CALLBACK (on_settings_notify), self, G_CONNECT_SWAPPED);
  update_streamer_mode (self);

  return self;
}

void
ld_preferences_window_set_overlay_host (LdPreferencesWindow *self,
                                        LdOverlayHost       *host)
{
  LdOverlay *overlay;

  g_return_if_fail (LD_IS_PREFERENCES_WINDOW (self));
  g_return_if_fail (LD_IS_OVERLAY_HOST (host));
  g_return_if_fail (self->overlay_host == NULL);

  self->overlay_host = g_object_ref (host);
  overlay = ld_overlay_host_get_overlay (host);
  g_signal_connect_object (overlay, "notify::chat-url", G_CALLBACK (update_overlay), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (overlay, "notify::gifts-url", G_CALLBACK (update_overlay), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (overlay, "notify::running", G_CALLBACK (update_overlay), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (overlay, "notify::n-pages", G_CALLBACK (update_pages), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (host, "notify::error", G_CALLBACK (on_overlay_error), self, G_CONNECT_SWAPPED);
  update_overlay (self);
}

void
ld_preferences_window_show_streaming (LdPreferencesWindow *self)
{
  g_return_if_fail (LD_IS_PREFERENCES_WINDOW (self));
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (self), self->streaming_page);
}

GtkSwitch *
ld_preferences_window_get_overlay_switch (LdPreferencesWindow *self)
{
  g_return_val_if_fail (LD_IS_PREFERENCES_WINDOW (self), NULL);
  return self->overlay_switch;
}

const char *
ld_preferences_window_get_overlay_error (LdPreferencesWindow *self)
{
  g_return_val_if_fail (LD_IS_PREFERENCES_WINDOW (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->overlay_error_row)))
    return NULL;
  return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (self->overlay_error_row));
}
