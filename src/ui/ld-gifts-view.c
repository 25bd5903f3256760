/* ld-gifts-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "ld-config.h"
#include "ld-gifts-view.h"
#include "ld-send-gift-dialog.h"

/* Enough to see who leads without scrolling past the queue. */
#define TOP_GIFTERS 10

struct _LdGiftsView
{
  GtkWidget          parent_instance;

  GtkStack          *main_stack;
  AdwFlap           *flap;
  AdwBin            *stage;
  GtkLabel          *idle_label;
  GtkButton         *pause_button;
  GtkLabel          *status_label;
  GtkLabel          *queue_heading;
  GtkListBox        *queue_list;
  GtkListBox        *leaderboard_list;
  GtkSpinButton     *priority_spin;

  /* The alert on the stage (a child of stage), or NULL. */
  LdGiftAlert       *alert;
  LdGiftQueue       *queue;
  LdSession         *session;
  LdSettings        *settings;
  LdGiftLeaderboard *leaderboard;
  GtkSliceListModel *top_gifters;
  LdGiftSound       *sound;
  GBinding          *priority_binding;
  GBinding          *volume_binding;
  GBinding          *muted_binding;
  GBinding          *spin_binding;
  char              *room_status;
  /* The session's current room, whose queue and stream status the view
   * follows. */
  LdRoom            *room;
  gboolean           has_finished;
  gboolean           has_gifts;
};

G_DEFINE_FINAL_TYPE (LdGiftsView, ld_gifts_view, GTK_TYPE_WIDGET)

static char *
format_value (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.15g", value));
}

static void
update_state (LdGiftsView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean paused = self->queue != NULL && ld_gift_queue_get_paused (self->queue);
  guint waiting = self->queue != NULL ? ld_gift_queue_get_n_waiting (self->queue) : 0;
  gboolean playing = self->queue != NULL && ld_gift_queue_get_current (self->queue) != NULL;
  g_autofree char *status = NULL;
  g_autofree char *heading = NULL;

  gtk_widget_action_set_enabled (widget, "gifts.pause", self->queue != NULL && !paused);
  gtk_widget_action_set_enabled (widget, "gifts.resume", self->queue != NULL && paused);
  gtk_widget_action_set_enabled (widget, "gifts.toggle-pause", self->queue != NULL);
  gtk_widget_action_set_enabled (widget, "gifts.skip", playing);
  gtk_widget_action_set_enabled (widget, "gifts.replay", self->has_finished);
  gtk_widget_action_set_enabled (widget, "gifts.send",
                                 self->room != NULL && !ld_room_get_banned (self->room));

  gtk_button_set_icon_name (self->pause_button, paused ? "media-playback-start-symbolic"
                                                       : "media-playback-pause-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->pause_button), paused ? _("Resume Alerts") : _("Pause Alerts"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->pause_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  paused ? _("Resume alerts") : _("Pause alerts"), -1);

  if (paused)
    status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Paused, %u alert waiting", "Paused, %u alerts waiting",
                                           waiting), waiting);
  else
    status = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u alert waiting", "%u alerts waiting", waiting),
                              waiting);
  gtk_label_set_text (self->status_label, status);

  if (paused)
    gtk_label_set_text (self->idle_label, _("Alerts paused"));
  else if (waiting > 0)
    gtk_label_set_text (self->idle_label, _("Next alert in a moment"));
  else
    gtk_label_set_text (self->idle_label, _("Waiting for gifts"));

  if (self->alert != NULL)
    {
      if (paused)
        gtk_widget_add_css_class (GTK_WIDGET (self->alert), "paused");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (self->alert), "paused");
    }

  /* Translators: the heading of the waiting alerts, with how many. */
  heading = g_strdup_printf (_("Up Next (%u)"), waiting);
  gtk_label_set_text (self->queue_heading, heading);

  gtk_stack_set_visible_child_name (self->main_stack, self->has_gifts || playing || waiting > 0 ? "gifts" : "empty");
}

static void
show_alert (LdGiftsView *self,
            LdGift      *gift)
{
  if (gift != NULL)
    {
      self->alert = LD_GIFT_ALERT (ld_gift_alert_new (gift));
      adw_bin_set_child (self->stage, GTK_WIDGET (self->alert));
    }
  else
    {
      self->alert = NULL;
      adw_bin_set_child (self->stage, GTK_WIDGET (self->idle_label));
    }
}

static void
on_alert_started (LdGiftsView *self,
                  LdGift      *gift,
                  LdGiftQueue *queue)
{
  self->has_gifts = TRUE;
  show_alert (self, gift);
  ld_gift_sound_play (self->sound, ld_gift_get_total_value (gift));
  update_state (self);
}

static void
on_alert_finished (LdGiftsView *self,
                   LdGift      *gift,
                   LdGiftQueue *queue)
{
  self->has_finished = TRUE;
  if (ld_gift_queue_get_current (queue) == NULL)
    show_alert (self, NULL);
  update_state (self);
}

static void
on_gift_received (LdGiftsView *self,
                  LdGift      *gift,
                  LdGiftQueue *queue)
{
  self->has_gifts = TRUE;
  ld_gift_leaderboard_add (self->leaderboard, gift);
  update_state (self);
}

static void
update_queue_row (AdwActionRow *row,
                  GParamSpec   *pspec,
                  LdGift       *gift)
{
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;

  /* Translators: a waiting gift alert: the gift's name and its ×N. */
  title = g_strdup_printf (_("%s ×%u"), ld_gift_get_gift_name (gift), ld_gift_get_count (gift));
  /* Translators: who sent a waiting gift alert. */
  subtitle = g_strdup_printf (_("from %s"), ld_gift_get_sender_name (gift));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (row, subtitle);
}

static GtkWidget *
create_queue_row (gpointer item,
                  gpointer user_data)
{
  LdGift *gift = item;
  GtkWidget *row = adw_action_row_new ();

  /* Names and gift names come from users: never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  update_queue_row (ADW_ACTION_ROW (row), NULL, gift);
  g_signal_connect_object (gift, "notify::count", G_CALLBACK (update_queue_row), row, G_CONNECT_SWAPPED);
  return row;
}

static void
update_gifter_row (AdwActionRow *row,
                   GParamSpec   *pspec,
                   LdGifter     *gifter)
{
  GtkLabel *total = g_object_get_data (G_OBJECT (row), "total");
  g_autofree char *value = format_value (ld_gifter_get_total_value (gifter));
  g_autofree char *subtitle = NULL;
  guint n = ld_gifter_get_n_gifts (gifter);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), ld_gifter_get_sender_name (gifter));
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u gift", "%u gifts", n), n);
  adw_action_row_set_subtitle (row, subtitle);
  gtk_label_set_text (total, value);
}

static GtkWidget *
create_gifter_row (gpointer item,
                   gpointer user_data)
{
  LdGifter *gifter = item;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *rank = gtk_label_new (NULL);
  GtkWidget *total = gtk_label_new (NULL);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  gtk_widget_add_css_class (rank, "gift-rank");
  gtk_widget_add_css_class (rank, "numeric");
  gtk_label_set_width_chars (GTK_LABEL (rank), 2);
  gtk_widget_add_css_class (total, "gift-total");
  gtk_widget_add_css_class (total, "numeric");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), rank);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), total);
  g_object_set_data (G_OBJECT (row), "rank", rank);
  g_object_set_data (G_OBJECT (row), "total", total);

  update_gifter_row (ADW_ACTION_ROW (row), NULL, gifter);
  g_signal_connect_object (gifter, "notify", G_CALLBACK (update_gifter_row), row, G_CONNECT_SWAPPED);
  return row;
}

/* A gifter who moves up shifts the rows below: renumber them all. */
static void
renumber (LdGiftsView *self)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->leaderboard_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkLabel *rank = g_object_get_data (G_OBJECT (row), "rank");
      g_autofree char *text = NULL;

      if (rank == NULL || !GTK_IS_LIST_BOX_ROW (row))
        continue;
      text = g_strdup_printf ("%d", gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row)) + 1);
      gtk_label_set_text (rank, text);
    }
}

static void
new_leaderboard (LdGiftsView *self)
{
  ld_gift_leaderboard_clear (self->leaderboard);
  self->has_gifts = FALSE;
  update_state (self);
}

static void
on_room_changed (LdGiftsView *self)
{
  const char *status = self->room != NULL ? ld_room_get_status (self->room) : NULL;

  self->has_finished = FALSE;
  g_clear_pointer (&self->room_status, g_free);
  self->room_status = g_strdup (status);
  new_leaderboard (self);
}

/* A stream that ended and goes live again is a new stream. */
static void
on_room_status (LdGiftsView *self)
{
  const char *status = self->room != NULL ? ld_room_get_status (self->room) : NULL;

  if (g_strcmp0 (self->room_status, "ended") == 0 && g_strcmp0 (status, "live") == 0)
    new_leaderboard (self);
  g_free (self->room_status);
  self->room_status = g_strdup (status);
}

static void
pause_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  LdGiftsView *self = LD_GIFTS_VIEW (widget);

  if (self->queue == NULL)
    return;

  if (g_str_equal (action_name, "gifts.pause"))
    ld_gift_queue_pause (self->queue);
  else if (g_str_equal (action_name, "gifts.resume"))
    ld_gift_queue_resume (self->queue);
  else if (ld_gift_queue_get_paused (self->queue))
    ld_gift_queue_resume (self->queue);
  else
    ld_gift_queue_pause (self->queue);
}

static void
skip_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LdGiftsView *self = LD_GIFTS_VIEW (widget);

  if (self->queue != NULL)
    ld_gift_queue_skip (self->queue);
}

static void
replay_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LdGiftsView *self = LD_GIFTS_VIEW (widget);

  if (self->queue != NULL)
    ld_gift_queue_replay (self->queue);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LdGiftsView *self = LD_GIFTS_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;

  if (self->session == NULL)
    return;

  dialog = ld_send_gift_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->session, NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
bind_priority (LdGiftsView *self)
{
  g_clear_pointer (&self->priority_binding, g_binding_unbind);
  if (self->settings != NULL && self->queue != NULL)
    self->priority_binding = g_object_bind_property (self->settings, "gift-priority-value",
                                                     self->queue, "priority-threshold",
                                                     G_BINDING_SYNC_CREATE);
}

static void
ld_gifts_view_dispose (GObject *object)
{
  LdGiftsView *self = LD_GIFTS_VIEW (object);

  ld_gifts_view_set_session (self, NULL);
  ld_gifts_view_set_queue (self, NULL);
  ld_gifts_view_set_settings (self, NULL);
  if (self->sound != NULL)
    ld_gift_sound_stop (self->sound);
  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_GIFTS_VIEW);
  g_clear_object (&self->idle_label);
  g_clear_object (&self->top_gifters);
  g_clear_object (&self->leaderboard);
  g_clear_object (&self->sound);
  g_clear_pointer (&self->room_status, g_free);

  G_OBJECT_CLASS (ld_gifts_view_parent_class)->dispose (object);
}

static void
ld_gifts_view_class_init (LdGiftsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_gifts_view_dispose;

  g_type_ensure (LD_TYPE_GIFT_ALERT);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "giftsview");
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/ld-gifts-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LdGiftsView, main_stack);
  gtk_widget_class_bind_template_child (widget_class, LdGiftsView, flap);
  gtk_widget_class_bind_template_child (widget_class, LdGiftsView, stage);
  gtk_widget_class_bind_template_child (widget_class, LdGiftsView, idle_label);
  gtk_widget_class_bind_template_child (widget_class, LdGiftsView, pause_button);
  gtk_widget_class_bind_template_child (widget_class, LdGiftsView, status_label);
  gtk_widget_class_bind_template_child (widget_class, LdGiftsView, queue_heading);
  gtk_widget_class_bind_template_child (widget_class, LdGiftsView, queue_list);
  gtk_widget_class_bind_template_child (widget_class, LdGiftsView, leaderboard_list);
  gtk_widget_class_bind_template_child (widget_class, LdGiftsView, priority_spin);

  gtk_widget_class_install_action (widget_class, "gifts.pause", NULL, pause_action);
  gtk_widget_class_install_action (widget_class, "gifts.resume", NULL, pause_action);
  gtk_widget_class_install_action (widget_class, "gifts.toggle-pause", NULL, pause_action);
  gtk_widget_class_install_action (widget_class, "gifts.skip", NULL, skip_action);
  gtk_widget_class_install_action (widget_class, "gifts.replay", NULL, replay_action);
  gtk_widget_class_install_action (widget_class, "gifts.send", NULL, send_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "gifts.toggle-pause", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "gifts.skip", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "gifts.replay", NULL);
}

static void
ld_gifts_view_init (LdGiftsView *self)
{
  GtkWidget *placeholder;

  gtk_widget_init_template (GTK_WIDGET (self));
  /* The stage swaps it for alerts and back. */
  g_object_ref (self->idle_label);

  self->sound = ld_gift_sound_new ();
  self->leaderboard = ld_gift_leaderboard_new ();
  self->top_gifters = gtk_slice_list_model_new (g_object_ref (G_LIST_MODEL (self->leaderboard)), 0, TOP_GIFTERS);
  gtk_list_box_bind_model (self->leaderboard_list, G_LIST_MODEL (self->top_gifters), create_gifter_row, self, NULL);
  g_signal_connect_object (self->top_gifters, "items-changed", G_CALLBACK (renumber), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);

  placeholder = gtk_label_new (_("Nothing waiting"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (self->queue_list, placeholder);
  placeholder = gtk_label_new (_("No gifts yet"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (self->leaderboard_list, placeholder);

  update_state (self);
}

GtkWidget *
ld_gifts_view_new (void)
{
  return g_object_new (LD_TYPE_GIFTS_VIEW, NULL);
}

void
ld_gifts_view_set_queue (LdGiftsView *self,
                         LdGiftQueue *queue)
{
  g_return_if_fail (LD_IS_GIFTS_VIEW (self));
  g_return_if_fail (queue == NULL || LD_IS_GIFT_QUEUE (queue));

  if (self->queue == queue)
    return;

  if (self->queue != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->queue, self);
      g_clear_pointer (&self->priority_binding, g_binding_unbind);
      g_clear_object (&self->queue);
    }

  gtk_list_box_bind_model (self->queue_list, NULL, NULL, NULL, NULL);
  ld_gift_sound_stop (self->sound);
  ld_gift_leaderboard_clear (self->leaderboard);
  self->has_finished = FALSE;
  self->has_gifts = FALSE;

  if (queue != NULL)
    {
      self->queue = g_object_ref (queue);
      g_signal_connect_object (queue, "gift-received", G_CALLBACK (on_gift_received), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (queue, "alert-started", G_CALLBACK (on_alert_started), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (queue, "alert-finished", G_CALLBACK (on_alert_finished), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (queue, "notify::paused", G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (queue, "notify::n-waiting", G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
      gtk_list_box_bind_model (self->queue_list, ld_gift_queue_get_waiting (queue), create_queue_row, self, NULL);
      bind_priority (self);
    }

  show_alert (self, queue != NULL ? ld_gift_queue_get_current (queue) : NULL);
  update_state (self);
}

LdGiftQueue *
ld_gifts_view_get_queue (LdGiftsView *self)
{
  g_return_val_if_fail (LD_IS_GIFTS_VIEW (self), NULL);
  return self->queue;
}

/* Each room has its queue: the view plays the shown room's, and a new
 * room starts a new leaderboard. */
static void
on_current_room (LdGiftsView *self)
{
  LdRoom *room = self->session != NULL ? ld_session_get_current_room (self->session) : NULL;

  if (room == self->room)
    return;
  if (self->room != NULL)
    g_signal_handlers_disconnect_by_data (self->room, self);
  g_set_object (&self->room, room);
  if (room != NULL)
    {
      g_signal_connect_object (room, "notify::status", G_CALLBACK (on_room_status), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (room, "notify::banned", G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
    }
  on_room_changed (self);
  ld_gifts_view_set_queue (self, room != NULL ? ld_room_get_gifts (room) : NULL);
}

void
ld_gifts_view_set_session (LdGiftsView *self,
                           LdSession   *session)
{
  g_return_if_fail (LD_IS_GIFTS_VIEW (self));
  g_return_if_fail (session == NULL || LD_IS_SESSION (session));

  if (self->session == session)
    return;

  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_clear_object (&self->session);
    }

  if (session != NULL)
    {
      self->session = g_object_ref (session);
      g_signal_connect_object (session, "notify::current-room", G_CALLBACK (on_current_room), self,
                               G_CONNECT_SWAPPED);
    }

  on_current_room (self);
}

void
ld_gifts_view_set_settings (LdGiftsView *self,
                            LdSettings  *settings)
{
  g_return_if_fail (LD_IS_GIFTS_VIEW (self));
  g_return_if_fail (settings == NULL || LD_IS_SETTINGS (settings));

  if (self->settings == settings)
    return;

  if (self->settings != NULL)
    {
      g_clear_pointer (&self->priority_binding, g_binding_unbind);
      g_clear_pointer (&self->volume_binding, g_binding_unbind);
      g_clear_pointer (&self->muted_binding, g_binding_unbind);
      g_clear_pointer (&self->spin_binding, g_binding_unbind);
      g_clear_object (&self->settings);
    }

  if (settings != NULL)
    {
      self->settings = g_object_ref (settings);
      self->volume_binding = g_object_bind_property (settings, "gift-sound-volume", self->sound, "volume",
                                                     G_BINDING_SYNC_CREATE);
      self->muted_binding = g_object_bind_property (settings, "gift-sound-muted", self->sound, "muted",
                                                    G_BINDING_SYNC_CREATE);
      self->spin_binding = g_object_bind_property (settings, "gift-priority-value",
                                                   gtk_spin_button_get_adjustment (self->priority_spin), "value",
                                                   G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
      bind_priority (self);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->priority_spin), settings != NULL);
}

LdGiftAlert *
ld_gifts_view_get_alert (LdGiftsView *self)
{
  g_return_val_if_fail (LD_IS_GIFTS_VIEW (self), NULL);
  return self->alert;
}

const char *
ld_gifts_view_get_idle_text (LdGiftsView *self)
{
  g_return_val_if_fail (LD_IS_GIFTS_VIEW (self), NULL);
  return gtk_label_get_text (self->idle_label);
}

const char *
ld_gifts_view_get_status_text (LdGiftsView *self)
{
  g_return_val_if_fail (LD_IS_GIFTS_VIEW (self), NULL);
  return gtk_label_get_text (self->status_label);
}

gboolean
ld_gifts_view_get_empty (LdGiftsView *self)
{
  g_return_val_if_fail (LD_IS_GIFTS_VIEW (self), FALSE);
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "empty") == 0;
}

LdGiftLeaderboard *
ld_gifts_view_get_leaderboard (LdGiftsView *self)
{
  g_return_val_if_fail (LD_IS_GIFTS_VIEW (self), NULL);
  return self->leaderboard;
}

LdGiftSound *
ld_gifts_view_get_sound (LdGiftsView *self)
{
  g_return_val_if_fail (LD_IS_GIFTS_VIEW (self), NULL);
  return self->sound;
}

GtkListBox *
ld_gifts_view_get_queue_list (LdGiftsView *self)
{
  g_return_val_if_fail (LD_IS_GIFTS_VIEW (self), NULL);
  return self->queue_list;
}

GtkListBox *
ld_gifts_view_get_leaderboard_list (LdGiftsView *self)
{
  g_return_val_if_fail (LD_IS_GIFTS_VIEW (self), NULL);
  return self->leaderboard_list;
}
