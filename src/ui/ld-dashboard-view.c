/* ld-dashboard-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <adwaita.h>
#include <string.h>

#include "ld-dashboard-view.h"
#include "ld-gifter.h"

#define TOP_GIFTERS 5

struct _LdDashboardView
{
  GtkWidget       parent_instance;

  GtkStack       *main_stack;
  GtkLabel       *title_label;
  GtkLabel       *state_label;
  GtkLabel       *duration_label;
  AdwPreferencesGroup *summary_group;
  AdwActionRow   *summary_row;
  GtkFlowBox     *figures_box;
  GtkGrid        *plots_grid;
  GtkListBox     *gifters_list;

  LdPlot         *plots[LD_ROOM_STATS_N_SERIES];
  /* Figure name → its value label. */
  GHashTable     *figures;
  GtkWidget      *tickets_figure;

  LdSession      *session;
  LdRoomStats    *stats;
  guint           tick_source;
  char           *summary;
  /* What the top gifters list shows, so it is rebuilt only on a change. */
  char           *gifters_shown;
  GCancellable   *cancellable;
};

G_DEFINE_FINAL_TYPE (LdDashboardView, ld_dashboard_view, GTK_TYPE_WIDGET)

static char *
format_duration (gint64 ms)
{
  gint64 s = ms / 1000;

  return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", s / 3600, (int) (s / 60 % 60), (int) (s % 60));
}

static char *
format_value (double value)
{
  return value == (gint64) value ? g_strdup_printf ("%.0f", value) : g_strdup_printf ("%.2f", value);
}

static void
set_figure (LdDashboardView *self,
            const char      *name,
            const char      *text)
{
  GtkLabel *label = g_hash_table_lookup (self->figures, name);

  if (g_strcmp0 (gtk_label_get_text (label), text) != 0)
    gtk_label_set_text (label, text);
}

static void
set_figure_uint (LdDashboardView *self,
                 const char      *name,
                 guint            value)
{
  g_autofree char *text = g_strdup_printf ("%u", value);

  set_figure (self, name, text);
}

static void
update_gifters (LdDashboardView *self)
{
  GListModel *gifters = ld_room_stats_get_top_gifters (self->stats);
  guint n = MIN (g_list_model_get_n_items (gifters), TOP_GIFTERS);
  GtkWidget *child;
  g_autoptr(GString) shown = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LdGifter) gifter = g_list_model_get_item (gifters, i);

      g_string_append_printf (shown, "%s\x1f%g\x1f%u\x1e", ld_gifter_get_sender_id (gifter),
                              ld_gifter_get_total_value (gifter), ld_gifter_get_n_gifts (gifter));
    }
  if (self->gifters_shown != NULL && g_str_equal (shown->str, self->gifters_shown))
    return;
  g_free (self->gifters_shown);
  self->gifters_shown = g_string_free (g_steal_pointer (&shown), FALSE);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->gifters_list))) != NULL)
    gtk_list_box_remove (self->gifters_list, child);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LdGifter) gifter = g_list_model_get_item (gifters, i);
      g_autofree char *value = format_value (ld_gifter_get_total_value (gifter));
      g_autofree char *subtitle = g_strdup_printf (ngettext ("%u gift", "%u gifts", ld_gifter_get_n_gifts (gifter)),
                                                   ld_gifter_get_n_gifts (gifter));
      g_autofree char *rank = g_strdup_printf ("%u", i + 1);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *rank_label = gtk_label_new (rank);
      GtkWidget *value_label = gtk_label_new (value);

      /* Names are the users' own: never markup. */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), ld_gifter_get_sender_name (gifter));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_add_css_class (rank_label, "heading");
      gtk_widget_add_css_class (value_label, "numeric");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), rank_label);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), value_label);
      gtk_list_box_append (self->gifters_list, row);
    }
  if (n == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No gifts yet this stream"));
      gtk_widget_add_css_class (row, "dim-label");
      gtk_list_box_append (self->gifters_list, row);
    }
}

static void
update_summary (LdDashboardView *self)
{
  gboolean ended = ld_room_stats_get_state (self->stats) == LD_STREAM_STATE_ENDED;

  g_clear_pointer (&self->summary, g_free);
  if (ended)
    {
      g_autofree char *duration = format_duration (ld_room_stats_get_duration_ms (self->stats));
      g_autofree char *value = format_value (ld_room_stats_get_gift_value (self->stats));
      GListModel *gifters = ld_room_stats_get_top_gifters (self->stats);
      g_autoptr(LdGifter) top = g_list_model_get_n_items (gifters) > 0 ? g_list_model_get_item (gifters, 0) : NULL;
      g_autofree char *markup = NULL;

      g_autoptr(GString) text = g_string_new (NULL);

      g_string_append_printf (text, _("Duration: %s"), duration);
      g_string_append (text, " · ");
      g_string_append_printf (text, _("Peak viewers: %u"), ld_room_stats_get_peak_viewers (self->stats));
      g_string_append (text, " · ");
      g_string_append_printf (text, _("Chat messages: %u"), ld_room_stats_get_n_messages (self->stats));
      g_string_append (text, " · ");
      g_string_append_printf (text, _("Gift value: %s"), value);
      if (top != NULL)
        {
          g_string_append_c (text, '\n');
          g_string_append_printf (text, _("Top gifter: %s"), ld_gifter_get_sender_name (top));
        }
      self->summary = g_string_free (g_steal_pointer (&text), FALSE);
      markup = g_markup_escape_text (self->summary, -1);
      adw_action_row_set_subtitle (self->summary_row, markup);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->summary_group), ended);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.save-csv", ended);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.save-png", ended);
}

static void
update (LdDashboardView *self)
{
  const char *title;
  LdStreamState state;
  g_autofree char *duration = NULL;
  g_autofree char *value = NULL;

  if (self->stats == NULL)
    {
      gtk_stack_set_visible_child_name (self->main_stack, "empty");
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.save-csv", FALSE);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "dashboard.save-png", FALSE);
      return;
    }
  gtk_stack_set_visible_child_name (self->main_stack, "dashboard");

  title = ld_room_stats_get_title (self->stats);
  gtk_label_set_text (self->title_label, title != NULL ? title : ld_room_get_id (ld_room_stats_get_room (self->stats)));
  state = ld_room_stats_get_state (self->stats);
  gtk_widget_set_visible (GTK_WIDGET (self->state_label), state != LD_STREAM_STATE_UNKNOWN);
  gtk_label_set_text (self->state_label, state == LD_STREAM_STATE_LIVE ? _("LIVE") : _("Ended"));
  if (state == LD_STREAM_STATE_LIVE)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "ended");
      gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "live");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "live");
      gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "ended");
    }
  duration = format_duration (ld_room_stats_get_duration_ms (self->stats));
  gtk_label_set_text (self->duration_label, duration);

  set_figure_uint (self, "viewers", ld_room_stats_get_viewers (self->stats));
  set_figure_uint (self, "peak", ld_room_stats_get_peak_viewers (self->stats));
  set_figure_uint (self, "chat-rate", ld_room_stats_get_chat_rate (self->stats));
  set_figure_uint (self, "new-viewers", ld_room_stats_get_new_viewers (self->stats));
  set_figure_uint (self, "gifts", ld_room_stats_get_n_gifts (self->stats));
  value = format_value (ld_room_stats_get_gift_value (self->stats));
  set_figure (self, "gift-value", value);
  set_figure_uint (self, "tickets", ld_room_stats_get_tickets_waiting (self->stats));

  for (guint i = 0; i < LD_ROOM_STATS_N_SERIES; i++)
    {
      guint n;
      const double *points = ld_room_stats_get_series (self->stats, i, &n);

      ld_plot_set_values (self->plots[i], points, n);
    }
  update_gifters (self);
  update_summary (self);
}

/* The duration and the chat rate move with time, not only with events. */
static gboolean
on_tick (gpointer data)
{
  update (data);
  return G_SOURCE_CONTINUE;
}

void
ld_dashboard_view_set_stats (LdDashboardView *self,
                             LdRoomStats     *stats)
{
  g_return_if_fail (LD_IS_DASHBOARD_VIEW (self));
  g_return_if_fail (stats == NULL || LD_IS_ROOM_STATS (stats));

  if (self->stats == stats)
    return;
  if (self->stats != NULL)
    g_signal_handlers_disconnect_by_data (self->stats, self);
  g_set_object (&self->stats, stats);
  g_clear_pointer (&self->gifters_shown, g_free);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  if (stats != NULL)
    {
      g_signal_connect_object (stats, "changed", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
      self->tick_source = g_timeout_add_seconds (1, on_tick, self);
    }
  update (self);
}

static void
update_tickets (LdDashboardView *self)
{
  /* Tickets wait for the staff who answer them. */
  gboolean staff = self->session != NULL && ld_session_get_role (self->session) == LD_ROLE_ADMIN;

  gtk_widget_set_visible (self->tickets_figure, staff);
  if (self->stats != NULL)
    ld_room_stats_set_tickets (self->stats, staff ? ld_support_get_tickets (ld_session_get_support (self->session)) : NULL);
}

static void
on_current_room (LdDashboardView *self)
{
  LdRoom *room = self->session != NULL ? ld_session_get_current_room (self->session) : NULL;
  g_autoptr(LdRoomStats) stats = NULL;

  if (self->stats != NULL && ld_room_stats_get_room (self->stats) == room)
    return;
  if (room != NULL)
    stats = ld_room_stats_new (room, NULL);
  ld_dashboard_view_set_stats (self, stats);
  update_tickets (self);
}

void
ld_dashboard_view_set_session (LdDashboardView *self,
                               LdSession       *session)
{
  g_return_if_fail (LD_IS_DASHBOARD_VIEW (self));
  g_return_if_fail (session == NULL || LD_IS_SESSION (session));

  if (self->session == session)
    return;
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    {
      g_signal_connect_object (session, "notify::current-room", G_CALLBACK (on_current_room), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::role", G_CALLBACK (update_tickets), self, G_CONNECT_SWAPPED);
    }
  on_current_room (self);
}

LdRoomStats *
ld_dashboard_view_get_stats (LdDashboardView *self)
{
  g_return_val_if_fail (LD_IS_DASHBOARD_VIEW (self), NULL);
  return self->stats;
}

LdPlot *
ld_dashboard_view_get_plot (LdDashboardView   *self,
                            LdRoomStatsSeries  series)
{
  g_return_val_if_fail (LD_IS_DASHBOARD_VIEW (self), NULL);
  g_return_val_if_fail (series < LD_ROOM_STATS_N_SERIES, NULL);
  return self->plots[series];
}

const char *
ld_dashboard_view_get_figure (LdDashboardView *self,
                              const char      *name)
{
  GtkLabel *label;

  g_return_val_if_fail (LD_IS_DASHBOARD_VIEW (self), NULL);

  label = g_hash_table_lookup (self->figures, name);
  return label != NULL ? gtk_label_get_text (label) : NULL;
}

const char *
ld_dashboard_view_get_summary (LdDashboardView *self)
{
  g_return_val_if_fail (LD_IS_DASHBOARD_VIEW (self), NULL);
  return self->summary;
}

GdkTexture *
ld_dashboard_view_render_plots (LdDashboardView *self)
{
  GtkWidget *grid;
  GtkNative *native;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  GdkRGBA background = { 1, 1, 1, 1 };
  int width, height;

  g_return_val_if_fail (LD_IS_DASHBOARD_VIEW (self), NULL);

  grid = GTK_WIDGET (self->plots_grid);
  native = gtk_widget_get_native (grid);
  width = gtk_widget_get_width (grid);
  height = gtk_widget_get_height (grid);
  if (native == NULL || width <= 0 || height <= 0)
    return NULL;

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  /* The window's background under the plots, so the picture reads as the
   * app shows it. */
  gtk_style_context_lookup_color (gtk_widget_get_style_context (grid), "window_bg_color", &background);
G_GNUC_END_IGNORE_DEPRECATIONS
  snapshot = gtk_snapshot_new ();
  gtk_snapshot_append_color (snapshot, &background, &GRAPHENE_RECT_INIT (0, 0, width, height));
  for (GtkWidget *child = gtk_widget_get_first_child (grid); child != NULL; child = gtk_widget_get_next_sibling (child))
    gtk_widget_snapshot_child (grid, child, snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    return NULL;
  return gsk_renderer_render_texture (gtk_native_get_renderer (native), node,
                                      &GRAPHENE_RECT_INIT (0, 0, width, height));
}

static void
on_written (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ld_dashboard_view_save_async (LdDashboardView     *self,
                              GFile               *file,
                              LdDashboardFormat    format,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) bytes = NULL;

  g_return_if_fail (LD_IS_DASHBOARD_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_dashboard_view_save_async);
  if (self->stats == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("There is no stream to save"));
      return;
    }
  if (format == LD_DASHBOARD_FORMAT_PNG)
    {
      g_autoptr(GdkTexture) texture = ld_dashboard_view_render_plots (self);

      if (texture == NULL)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("The plots are not shown"));
          return;
        }
      bytes = gdk_texture_save_to_png_bytes (texture);
    }
  else
    {
      char *csv = ld_room_stats_to_csv (self->stats);

      bytes = g_bytes_new_take (csv, strlen (csv));
    }
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       cancellable, on_written, g_steal_pointer (&task));
}

gboolean
ld_dashboard_view_save_finish (LdDashboardView  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_saved (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  LdDashboardView *self = LD_DASHBOARD_VIEW (object);
  g_autoptr(GError) error = NULL;
  GtkWidget *toasts;

  if (ld_dashboard_view_save_finish (self, result, &error) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* Said where the user looks: the window's toasts. */
  toasts = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (toasts != NULL)
    {
      g_autofree char *title = g_strdup_printf (_("Could not save: %s"), error->message);

      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (toasts), adw_toast_new (title));
    }
  else
    g_message ("Could not save: %s", error->message);
}

static void
on_save_response (GtkNativeDialog *dialog,
                  int              response,
                  LdDashboardView *self)
{
  g_autoptr(GFile) file = NULL;
  LdDashboardFormat format = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "format"));

  if (response == GTK_RESPONSE_ACCEPT && (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog))) != NULL)
    ld_dashboard_view_save_async (self, file, format, self->cancellable, on_saved, NULL);
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
save (LdDashboardView   *self,
      LdDashboardFormat  format)
{
  gboolean png = format == LD_DASHBOARD_FORMAT_PNG;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *dialog;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d-%H%M");
  g_autofree char *name = g_strdup_printf ("livedesk-%s-%s.%s",
                                           self->stats ? ld_room_get_id (ld_room_stats_get_room (self->stats)) : "stream",
                                           stamp, png ? "png" : "csv");

  dialog = gtk_file_chooser_native_new (png ? _("Save Plots as PNG") : _("Save Summary as CSV"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_object_set_data (G_OBJECT (dialog), "format", GINT_TO_POINTER (format));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_save_response), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
save_csv_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  save (LD_DASHBOARD_VIEW (widget), LD_DASHBOARD_FORMAT_CSV);
}

static void
save_png_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  save (LD_DASHBOARD_VIEW (widget), LD_DASHBOARD_FORMAT_PNG);
}

static GtkWidget *
add_figure (LdDashboardView *self,
            const char      *name,
            const char      *caption)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *value = gtk_label_new ("0");
  GtkWidget *label = gtk_label_new (caption);

  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (box, "dashboard-figure");
  gtk_widget_add_css_class (value, "title-1");
  gtk_widget_add_css_class (value, "numeric");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_widget_set_margin_top (value, 12);
  gtk_widget_set_margin_bottom (label, 12);
  gtk_widget_set_margin_start (label, 6);
  gtk_widget_set_margin_end (label, 6);
  gtk_box_append (GTK_BOX (box), value);
  gtk_box_append (GTK_BOX (box), label);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (value), GTK_ACCESSIBLE_RELATION_LABELLED_BY, label, NULL, -1);
  gtk_flow_box_append (self->figures_box, box);
  g_hash_table_insert (self->figures, (gpointer) name, value);
  return gtk_widget_get_parent (box);
}

static void
add_plot (LdDashboardView   *self,
          LdRoomStatsSeries  series,
          LdPlotKind         kind,
          const char        *heading,
          const char        *unit,
          const char        *color_name,
          int                column,
          int                row,
          int                width)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (heading);
  GtkWidget *plot = ld_plot_new (kind);

  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (label, "heading");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_top (label, 12);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_start (plot, 6);
  gtk_widget_set_margin_end (plot, 6);
  gtk_widget_set_margin_bottom (plot, 6);
  gtk_widget_set_vexpand (plot, TRUE);
  ld_plot_set_unit (LD_PLOT (plot), unit);
  ld_plot_set_color_name (LD_PLOT (plot), color_name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (plot), GTK_ACCESSIBLE_PROPERTY_LABEL, heading, -1);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), plot);
  gtk_grid_attach (self->plots_grid, box, column, row, width, 1);
  self->plots[series] = LD_PLOT (plot);
}

static void
ld_dashboard_view_dispose (GObject *object)
{
  LdDashboardView *self = LD_DASHBOARD_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_source, g_source_remove);
  ld_dashboard_view_set_session (self, NULL);
  ld_dashboard_view_set_stats (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_DASHBOARD_VIEW);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ld_dashboard_view_parent_class)->dispose (object);
}

static void
ld_dashboard_view_finalize (GObject *object)
{
  LdDashboardView *self = LD_DASHBOARD_VIEW (object);

  g_hash_table_unref (self->figures);
  g_free (self->summary);
  g_free (self->gifters_shown);

  G_OBJECT_CLASS (ld_dashboard_view_parent_class)->finalize (object);
}

static void
ld_dashboard_view_class_init (LdDashboardViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_dashboard_view_dispose;
  object_class->finalize = ld_dashboard_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/livedesk/Livedesk/ui/ld-dashboard-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LdDashboardView, main_stack);
  gtk_widget_class_bind_template_child (widget_class, LdDashboardView, title_label);
  gtk_widget_class_bind_template_child (widget_class, LdDashboardView, state_label);
  gtk_widget_class_bind_template_child (widget_class, LdDashboardView, duration_label);
  gtk_widget_class_bind_template_child (widget_class, LdDashboardView, summary_group);
  gtk_widget_class_bind_template_child (widget_class, LdDashboardView, summary_row);
  gtk_widget_class_bind_template_child (widget_class, LdDashboardView, figures_box);
  gtk_widget_class_bind_template_child (widget_class, LdDashboardView, plots_grid);
  gtk_widget_class_bind_template_child (widget_class, LdDashboardView, gifters_list);

  gtk_widget_class_install_action (widget_class, "dashboard.save-csv", NULL, save_csv_action);
  gtk_widget_class_install_action (widget_class, "dashboard.save-png", NULL, save_png_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "dashboard");
}

static void
ld_dashboard_view_init (LdDashboardView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->figures = g_hash_table_new (g_str_hash, g_str_equal);
  add_figure (self, "viewers", _("Viewers now"));
  add_figure (self, "peak", _("Peak viewers"));
  add_figure (self, "chat-rate", _("Chat messages per minute"));
  add_figure (self, "new-viewers", _("New viewers"));
  add_figure (self, "gifts", _("Gifts"));
  add_figure (self, "gift-value", _("Gift value"));
  self->tickets_figure = add_figure (self, "tickets", _("Support tickets waiting"));
  gtk_widget_set_visible (self->tickets_figure, FALSE);

  add_plot (self, LD_ROOM_STATS_VIEWERS, LD_PLOT_LINE, _("Viewers"), _("viewers"), "accent_color", 0, 0, 2);
  add_plot (self, LD_ROOM_STATS_CHAT, LD_PLOT_BARS, _("Chat Messages per Minute"), _("messages"),
            "success_color", 0, 1, 1);
  add_plot (self, LD_ROOM_STATS_GIFT_VALUE, LD_PLOT_BARS, _("Gift Value per Minute"), _("in gifts"),
            "warning_color", 1, 1, 1);
  gtk_widget_set_size_request (GTK_WIDGET (self->plots[LD_ROOM_STATS_VIEWERS]), -1, 180);
  update (self);
}

GtkWidget *
ld_dashboard_view_new (void)
{
  return g_object_new (LD_TYPE_DASHBOARD_VIEW, NULL);
}
