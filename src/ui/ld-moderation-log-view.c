/* ld-moderation-log-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <glib/gi18n.h>

#include "ld-moderation-log-view.h"

struct _LdModerationLogView
{
  GtkWidget           parent_instance;

  GtkWidget          *box;
  GtkSearchEntry     *search_entry;
  GtkStack           *stack;
  GtkListBox         *list_box;

  LdModerationLog    *log;
  GtkCustomFilter    *filter;
  GtkFilterListModel *filtered;
  GtkSortListModel   *sorted;
  char               *query;
  gboolean            can_moderate;
};

G_DEFINE_FINAL_TYPE (LdModerationLogView, ld_moderation_log_view, GTK_TYPE_WIDGET)

enum {
  UNBAN,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
filter_entry (gpointer item,
              gpointer user_data)
{
  LdModerationLogView *self = user_data;

  return ld_moderation_entry_matches (LD_MODERATION_ENTRY (item), self->query);
}

static int
newest_first (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  return g_date_time_compare (ld_moderation_entry_get_when (LD_MODERATION_ENTRY ((gpointer) b)),
                              ld_moderation_entry_get_when (LD_MODERATION_ENTRY ((gpointer) a)));
}

static void
on_unban_clicked (GtkButton           *button,
                  LdModerationLogView *self)
{
  LdModerationEntry *entry = g_object_get_data (G_OBJECT (button), "entry");

  g_signal_emit (self, signals[UNBAN], 0, ld_moderation_entry_get_user_id (entry),
                 ld_moderation_entry_get_username (entry));
}

/* A ban no later unban (or ban) of the same user replaced. */
static gboolean
ban_holds (LdModerationLogView *self,
           LdModerationEntry   *entry)
{
  GListModel *log = G_LIST_MODEL (self->log);

  for (guint i = g_list_model_get_n_items (log); i > 0; i--)
    {
      g_autoptr(LdModerationEntry) other = g_list_model_get_item (log, i - 1);
      LdModerationAction action = ld_moderation_entry_get_action (other);

      if ((action == LD_MODERATION_ACTION_BAN || action == LD_MODERATION_ACTION_UNBAN) &&
          g_strcmp0 (ld_moderation_entry_get_user_id (other), ld_moderation_entry_get_user_id (entry)) == 0)
        return other == entry;
    }
  return FALSE;
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  LdModerationLogView *self = user_data;
  LdModerationEntry *entry = item;
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title = ld_moderation_entry_describe (entry);
  g_autoptr(GDateTime) local = g_date_time_to_local (ld_moderation_entry_get_when (entry));
  g_autofree char *when = g_date_time_format (local, "%x %X");
  g_autoptr(GString) subtitle = g_string_new (when);
  const char *reason = ld_moderation_entry_get_reason (entry);
  const char *text = ld_moderation_entry_get_message_text (entry);

  if (reason != NULL)
    /* Translators: a moderation's reason in the log, after its time. */
    g_string_append_printf (subtitle, _(" · “%s”"), reason);
  if (text != NULL)
    /* Translators: a deleted message's text in the log. */
    g_string_append_printf (subtitle, _(" · message: “%s”"), text);

  /* Names, reasons and messages come from strangers: never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);

  if (self->can_moderate && ld_moderation_entry_get_action (entry) == LD_MODERATION_ACTION_BAN &&
      ld_moderation_entry_get_user_id (entry) != NULL && ban_holds (self, entry))
    {
      GtkWidget *button = gtk_button_new_with_mnemonic (_("_Unban"));
      g_autofree char *label = g_strdup_printf (_("Unban %s"), ld_moderation_entry_get_username (entry));

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
      g_object_set_data_full (G_OBJECT (button), "entry", g_object_ref (entry), g_object_unref);
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_unban_clicked), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  return row;
}

static void
update_stack (LdModerationLogView *self)
{
  gboolean empty = self->sorted == NULL || g_list_model_get_n_items (G_LIST_MODEL (self->sorted)) == 0;

  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "list");
}

static void
bind_model (LdModerationLogView *self)
{
  gtk_list_box_bind_model (self->list_box, self->sorted != NULL ? G_LIST_MODEL (self->sorted) : NULL,
                           self->sorted != NULL ? create_row : NULL, self, NULL);
  update_stack (self);
}

static void
on_log_changed (LdModerationLogView *self,
                guint                position,
                guint                removed,
                guint                added)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(LdModerationEntry) entry = g_list_model_get_item (G_LIST_MODEL (self->log), i);

      if (ld_moderation_entry_get_action (entry) == LD_MODERATION_ACTION_UNBAN)
        {
          bind_model (self);
          return;
        }
    }
}

static void
on_search_changed (LdModerationLogView *self)
{
  ld_moderation_log_view_set_search (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
ld_moderation_log_view_dispose (GObject *object)
{
  LdModerationLogView *self = LD_MODERATION_LOG_VIEW (object);

  if (self->list_box != NULL)
    gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
  g_clear_object (&self->sorted);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->log);
  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_MODERATION_LOG_VIEW);
  G_OBJECT_CLASS (ld_moderation_log_view_parent_class)->dispose (object);
}

static void
ld_moderation_log_view_finalize (GObject *object)
{
  LdModerationLogView *self = LD_MODERATION_LOG_VIEW (object);

  g_free (self->query);
  G_OBJECT_CLASS (ld_moderation_log_view_parent_class)->finalize (object);
}

static void
ld_moderation_log_view_class_init (LdModerationLogViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_moderation_log_view_dispose;
  object_class->finalize = ld_moderation_log_view_finalize;

  /* The moderator asked to unban USER_ID (USERNAME) from a ban's row. */
  signals[UNBAN] = g_signal_new ("unban", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/livedesk/Livedesk/ui/ld-moderation-log-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LdModerationLogView, box);
  gtk_widget_class_bind_template_child (widget_class, LdModerationLogView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, LdModerationLogView, stack);
  gtk_widget_class_bind_template_child (widget_class, LdModerationLogView, list_box);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ld_moderation_log_view_init (LdModerationLogView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_stack (self);
}

GtkWidget *
ld_moderation_log_view_new (void)
{
  return g_object_new (LD_TYPE_MODERATION_LOG_VIEW, NULL);
}

void
ld_moderation_log_view_set_log (LdModerationLogView *self,
                                LdModerationLog     *log)
{
  g_return_if_fail (LD_IS_MODERATION_LOG_VIEW (self));
  g_return_if_fail (log == NULL || LD_IS_MODERATION_LOG (log));

  if (self->log == log)
    return;

  gtk_list_box_bind_model (self->list_box, NULL, NULL, NULL, NULL);
  g_clear_object (&self->sorted);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_set_object (&self->log, log);

  if (log != NULL)
    {
      self->filter = gtk_custom_filter_new (filter_entry, self, NULL);
      self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (log)),
                                                  g_object_ref (GTK_FILTER (self->filter)));
      self->sorted = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->filtered)),
                                              GTK_SORTER (gtk_custom_sorter_new (newest_first, NULL, NULL)));
      g_signal_connect_object (self->sorted, "items-changed", G_CALLBACK (update_stack), self, G_CONNECT_SWAPPED);
      /* A new unban takes the Unban button off its ban's row. */
      g_signal_connect_object (log, "items-changed", G_CALLBACK (on_log_changed), self, G_CONNECT_SWAPPED);
    }
  bind_model (self);
}

LdModerationLog *
ld_moderation_log_view_get_log (LdModerationLogView *self)
{
  g_return_val_if_fail (LD_IS_MODERATION_LOG_VIEW (self), NULL);

  return self->log;
}

void
ld_moderation_log_view_set_can_moderate (LdModerationLogView *self,
                                         gboolean             can_moderate)
{
  g_return_if_fail (LD_IS_MODERATION_LOG_VIEW (self));

  can_moderate = !!can_moderate;
  if (self->can_moderate == can_moderate)
    return;
  self->can_moderate = can_moderate;
  bind_model (self); /* the rows' Unban buttons */
}

void
ld_moderation_log_view_set_search (LdModerationLogView *self,
                                   const char          *text)
{
  g_return_if_fail (LD_IS_MODERATION_LOG_VIEW (self));

  if (g_strcmp0 (self->query, text) == 0)
    return;
  /* Setting the entry's text passes through "" (search-changed at once):
   * not a search of its own. */
  g_signal_handlers_block_by_func (self->search_entry, on_search_changed, self);
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), text != NULL ? text : "") != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  g_signal_handlers_unblock_by_func (self->search_entry, on_search_changed, self);
  g_free (self->query);
  self->query = g_strdup (text);
  if (self->filter != NULL)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

GListModel *
ld_moderation_log_view_get_shown (LdModerationLogView *self)
{
  g_return_val_if_fail (LD_IS_MODERATION_LOG_VIEW (self), NULL);

  return self->sorted != NULL ? G_LIST_MODEL (self->sorted) : NULL;
}
