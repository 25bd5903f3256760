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
  AdwActionRow         *stats_url_row;
  GtkDrawingArea       *overlay_preview;
  AdwEntryRow          *overlay_font_row;
  GtkSpinButton        *overlay_size_spin;
  GtkColorButton       *overlay_text_color_button;
  GtkColorButton       *overlay_background_color_button;
  GtkSpinButton        *overlay_opacity_spin;
  GtkSpinButton        *overlay_max_spin;
  GtkSpinButton        *overlay_fade_spin;
  GtkSwitch            *overlay_badges_switch;
  AdwEntryRow          *overlay_hidden_users_row;
  AdwEntryRow          *overlay_hidden_words_row;
  GtkSpinButton        *overlay_min_value_spin;
  GtkSpinButton        *overlay_alert_seconds_spin;
  GtkSwitch            *overlay_sound_switch;
  GtkSpinButton        *overlay_volume_spin;
  AdwEntryRow          *overlay_template_row;
  GtkSpinButton        *overlay_goal_spin;

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

/* The page's address with the style settings in it. */
static char *
overlay_url (LdPreferencesWindow *self,
             const char          *page)
{
  if (self->overlay_host == NULL)
    return NULL;
  return ld_overlay_host_dup_url (self->overlay_host, page);
}

static gboolean
colour_to_rgba (GBinding     *binding,
                const GValue *from,
                GValue       *to,
                gpointer      user_data)
{
  GdkRGBA rgba;

  if (!gdk_rgba_parse (&rgba, g_value_get_string (from)))
    return FALSE;
  g_value_set_boxed (to, &rgba);
  return TRUE;
}

static gboolean
rgba_to_colour (GBinding     *binding,
                const GValue *from,
                GValue       *to,
                gpointer      user_data)
{
  const GdkRGBA *rgba = g_value_get_boxed (from);

  if (rgba == NULL)
    return FALSE;
  g_value_take_string (to, g_strdup_printf ("#%02x%02x%02x", (guint) (CLAMP (rgba->red, 0, 1) * 255 + 0.5),
                                            (guint) (CLAMP (rgba->green, 0, 1) * 255 + 0.5),
                                            (guint) (CLAMP (rgba->blue, 0, 1) * 255 + 0.5)));
  return TRUE;
}

/* A sketch of the chat page with the chosen look, over a dark stand-in for
 * the stream: no web view here, so Pango draws what the page's CSS does. */
static void
draw_preview (GtkDrawingArea *area,
              cairo_t        *cr,
              int             width,
              int             height,
              gpointer        user_data)
{
  LdPreferencesWindow *self = user_data;
  /* Translators: sample chat for the overlay preview: a role, a name, a message. */
  const char *samples[][3] = {
    { NULL, N_("Linh"), N_("Hello from Hà Nội!") },
    { "moderator", N_("Minh"), N_("Welcome to the stream") },
    { NULL, N_("Alex"), N_("Nice play!") },
  };
  const guint16 author_colours[][3] = {
    { 0x8000, 0xf000, 0x8000 }, { 0xf000, 0xc000, 0x8000 }, { 0x8000, 0xb000, 0xf000 },
  };
  g_autofree char *font = NULL, *text_colour = NULL, *background = NULL;
  guint size = 22, max = 10;
  double opacity = 0;
  gboolean badges = TRUE;
  GdkRGBA fg, bg;
  g_autoptr(PangoFontDescription) description = NULL;
  guint shown, first;
  double y;

  if (self->settings == NULL)
    return;
  g_object_get (self->settings, "overlay-font", &font, "overlay-font-size", &size,
                "overlay-text-color", &text_colour, "overlay-background-color", &background,
                "overlay-background-opacity", &opacity, "overlay-max-messages", &max,
                "overlay-badges", &badges, NULL);
  if (!gdk_rgba_parse (&fg, text_colour))
    fg = (GdkRGBA) { 1, 1, 1, 1 };
  if (!gdk_rgba_parse (&bg, background))
    bg = (GdkRGBA) { 0, 0, 0, 1 };

  cairo_set_source_rgb (cr, 30 / 255.0, 40 / 255.0, 60 / 255.0);
  cairo_paint (cr);

  description = pango_font_description_new ();
  pango_font_description_set_family (description, font);
  /* Half size: the preview is a thumbnail of an 800 px wide source. */
  pango_font_description_set_absolute_size (description, size * PANGO_SCALE / 2.0);

  shown = MIN (max, G_N_ELEMENTS (samples));
  first = G_N_ELEMENTS (samples) - shown;
  y = height - 6;
  for (guint i = G_N_ELEMENTS (samples); i > first && y > 0; i--)
    {
      const char **sample = samples[i - 1];
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (area), NULL);
      g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();
      g_autoptr(GString) line = g_string_new (NULL);
      PangoAttribute *attr;
      int w, h;

      if (badges && sample[0] != NULL)
        {
          g_string_append_printf (line, "%s ", _("Mod"));
          attr = pango_attr_foreground_new (0x5c00, 0x6b00, 0xc000);
          attr->end_index = line->len;
          pango_attr_list_insert (attrs, attr);
        }
      attr = pango_attr_weight_new (PANGO_WEIGHT_BOLD);
      attr->start_index = line->len;
      g_string_append_printf (line, "%s: ", _(sample[1]));
      attr->end_index = line->len;
      pango_attr_list_insert (attrs, attr);
      /* Names get a colour of their own on the page, as here. */
      attr = pango_attr_foreground_new (author_colours[i - 1][0], author_colours[i - 1][1], author_colours[i - 1][2]);
      attr->start_index = line->len - strlen (_(sample[1])) - 2;
      attr->end_index = line->len;
      pango_attr_list_insert (attrs, attr);
      g_string_append (line, _(sample[2]));

      pango_layout_set_font_description (layout, description);
      pango_layout_set_text (layout, line->str, -1);
      pango_layout_set_attributes (layout, attrs);
      pango_layout_get_pixel_size (layout, &w, &h);
      y -= h + 4;

      cairo_set_source_rgba (cr, bg.red, bg.green, bg.blue, opacity);
      /* Rounded like the page's boxes (8 px there, half here). */
      cairo_new_sub_path (cr);
      cairo_arc (cr, 6 + w + 8 - 4, y - 1 + 4, 4, -G_PI / 2, 0);
      cairo_arc (cr, 6 + w + 8 - 4, y + h + 1 - 4, 4, 0, G_PI / 2);
      cairo_arc (cr, 6 + 4, y + h + 1 - 4, 4, G_PI / 2, G_PI);
      cairo_arc (cr, 6 + 4, y - 1 + 4, 4, G_PI, 3 * G_PI / 2);
      cairo_close_path (cr);
      cairo_fill (cr);
      cairo_move_to (cr, 10, y);
      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 1);
      pango_cairo_show_layout (cr, layout);
      y -= 3;
    }
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
  g_autofree char *chat = overlay_url (self, "chat");
  g_autofree char *gifts = overlay_url (self, "gifts");
  g_autofree char *stats = overlay_url (self, "stats");
  const char *error = self->overlay_host ? ld_overlay_host_get_error (self->overlay_host) : NULL;

  update_pages (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.regenerate-overlay-secret", chat != NULL);

  update_url_row (self, self->chat_url_row, chat);
  update_url_row (self, self->gifts_url_row, gifts);
  update_url_row (self, self->stats_url_row, stats);
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
  else if (g_str_has_prefix (pspec->name, "overlay-"))
    {
      update_overlay (self);
      gtk_widget_queue_draw (GTK_WIDGET (self->overlay_preview));
    }
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
  g_autofree char *url = overlay_url (self, g_variant_get_string (parameter, NULL));

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
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, stats_url_row);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, overlay_preview);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, overlay_font_row);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, overlay_size_spin);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, overlay_text_color_button);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, overlay_background_color_button);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, overlay_opacity_spin);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, overlay_max_spin);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, overlay_fade_spin);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, overlay_badges_switch);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, overlay_hidden_users_row);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, overlay_hidden_words_row);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, overlay_min_value_spin);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, overlay_alert_seconds_spin);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, overlay_sound_switch);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, overlay_volume_spin);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, overlay_template_row);
  gtk_widget_class_bind_template_child (widget_class, LdPreferencesWindow, overlay_goal_spin);

  gtk_widget_class_install_action (widget_class, "prefs.copy-overlay-url", "s", copy_overlay_url_action);
  gtk_widget_class_install_action (widget_class, "prefs.regenerate-overlay-secret", NULL,
                                   regenerate_overlay_secret_action);
}

static void
ld_preferences_window_init (LdPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_drawing_area_set_draw_func (self->overlay_preview, draw_preview, self, NULL);
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
  g_object_bind_property (settings, "overlay-font", self->overlay_font_row, "text", flags);
  g_object_bind_property (settings, "overlay-font-size", self->overlay_size_spin, "value", flags);
  g_object_bind_property_full (settings, "overlay-text-color", self->overlay_text_color_button, "rgba", flags,
                               colour_to_rgba, rgba_to_colour, NULL, NULL);
  g_object_bind_property_full (settings, "overlay-background-color", self->overlay_background_color_button, "rgba",
                               flags, colour_to_rgba, rgba_to_colour, NULL, NULL);
  g_object_bind_property (settings, "overlay-background-opacity", self->overlay_opacity_spin, "value", flags);
  g_object_bind_property (settings, "overlay-max-messages", self->overlay_max_spin, "value", flags);
  g_object_bind_property (settings, "overlay-fade-seconds", self->overlay_fade_spin, "value", flags);
  g_object_bind_property (settings, "overlay-badges", self->overlay_badges_switch, "active", flags);
  g_object_bind_property_full (settings, "overlay-hidden-users", self->overlay_hidden_users_row, "text", flags,
                               words_to_text, text_to_words, NULL, NULL);
  g_object_bind_property_full (settings, "overlay-hidden-words", self->overlay_hidden_words_row, "text", flags,
                               words_to_text, text_to_words, NULL, NULL);
  g_object_bind_property (settings, "overlay-alert-min-value", self->overlay_min_value_spin, "value", flags);
  g_object_bind_property (settings, "overlay-alert-seconds", self->overlay_alert_seconds_spin, "value", flags);
  g_object_bind_property (settings, "overlay-alert-sound", self->overlay_sound_switch, "active", flags);
  g_object_bind_property (settings, "overlay-alert-sound", self->overlay_volume_spin, "sensitive",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (settings, "overlay-alert-volume", self->overlay_volume_spin, "value", flags);
  g_object_bind_property (settings, "overlay-alert-template", self->overlay_template_row, "text", flags);
  g_object_bind_property (settings, "overlay-goal", self->overlay_goal_spin, "value", flags);
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
  g_signal_connect_object (overlay, "notify::stats-url", G_CALLBACK (update_overlay), self, G_CONNECT_SWAPPED);
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

GtkWidget *
ld_preferences_window_get_overlay_control (LdPreferencesWindow *self,
                                           const char          *key)
{
  const struct { const char *key; gsize offset; } controls[] = {
    { "overlay-font", G_STRUCT_OFFSET (LdPreferencesWindow, overlay_font_row) },
    { "overlay-font-size", G_STRUCT_OFFSET (LdPreferencesWindow, overlay_size_spin) },
    { "overlay-text-color", G_STRUCT_OFFSET (LdPreferencesWindow, overlay_text_color_button) },
    { "overlay-background-color", G_STRUCT_OFFSET (LdPreferencesWindow, overlay_background_color_button) },
    { "overlay-background-opacity", G_STRUCT_OFFSET (LdPreferencesWindow, overlay_opacity_spin) },
    { "overlay-max-messages", G_STRUCT_OFFSET (LdPreferencesWindow, overlay_max_spin) },
    { "overlay-fade-seconds", G_STRUCT_OFFSET (LdPreferencesWindow, overlay_fade_spin) },
    { "overlay-badges", G_STRUCT_OFFSET (LdPreferencesWindow, overlay_badges_switch) },
    { "overlay-hidden-users", G_STRUCT_OFFSET (LdPreferencesWindow, overlay_hidden_users_row) },
    { "overlay-hidden-words", G_STRUCT_OFFSET (LdPreferencesWindow, overlay_hidden_words_row) },
    { "overlay-alert-min-value", G_STRUCT_OFFSET (LdPreferencesWindow, overlay_min_value_spin) },
    { "overlay-alert-seconds", G_STRUCT_OFFSET (LdPreferencesWindow, overlay_alert_seconds_spin) },
    { "overlay-alert-sound", G_STRUCT_OFFSET (LdPreferencesWindow, overlay_sound_switch) },
    { "overlay-alert-volume", G_STRUCT_OFFSET (LdPreferencesWindow, overlay_volume_spin) },
    { "overlay-alert-template", G_STRUCT_OFFSET (LdPreferencesWindow, overlay_template_row) },
    { "overlay-goal", G_STRUCT_OFFSET (LdPreferencesWindow, overlay_goal_spin) },
    { "preview", G_STRUCT_OFFSET (LdPreferencesWindow, overlay_preview) },
  };

  g_return_val_if_fail (LD_IS_PREFERENCES_WINDOW (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (controls); i++)
    if (g_str_equal (controls[i].key, key))
      return G_STRUCT_MEMBER (GtkWidget *, self, controls[i].offset);
  return NULL;
}
