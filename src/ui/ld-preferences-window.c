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

  LdSettings           *settings;
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

static void
ld_preferences_window_dispose (GObject *object)
{
  LdPreferencesWindow *self = LD_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_PREFERENCES_WINDOW);
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
}

static void
ld_preferences_window_init (LdPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
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

  return self;
}
