/* ld-notifications-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <glib/gi18n.h>

#include "ld-notifications-view.h"

struct _LdNotificationsView
{
  GtkWidget            parent_instance;

  GtkWidget           *box;
  GtkWidget           *toolbar;
  GtkDropDown         *filter_dropdown;
  GtkLabel            *unread_label;
  GtkStack            *stack;
  GtkWidget           *system_heading;
  GtkListBox          *system_list;
  GtkWidget           *list_heading;
  GtkListBox          *list;
  GtkWidget           *no_match_label;

  LdNotificationModel *model;
  GtkFilterListModel  *shown;
  GtkFilterListModel  *system;
  /* The drop-down's types, in its order (index 0, every type, is NULL),
   * and their names as shown. */
  GPtrArray           *kinds;
  GtkStringList       *kind_names;
  char                *type_filter;
  gboolean             clock_12h;
  /* The drop-down's list is being rebuilt: its selection means nothing. */
  gboolean             resetting;
};

G_DEFINE_FINAL_TYPE (LdNotificationsView, ld_notifications_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_MODEL,
  PROP_TYPE_FILTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
is_system (LdNotification *notification)
{
  return ld_notification_get_source (notification) == LD_NOTIFICATION_SOURCE_SYSTEM ||
         g_strcmp0 (ld_notification_get_kind (notification), "system") == 0;
}

static const char *
kind_icon (const char *kind)
{
  static const struct { const char *kind; const char *icon; } icons[] = {
    { "system", "dialog-warning-symbolic" },
    { "warning", "dialog-warning-symbolic" },
    { "info", "dialog-information-symbolic" },
    { "gift", "starred-symbolic" },
    { "follow", "avatar-default-symbolic" },
    { "mention", "chat-message-new-symbolic" },
    { "message", "chat-message-new-symbolic" },
    { "support", "chat-message-new-symbolic" },
    { "stream", "camera-web-symbolic" },
    { "live", "camera-web-symbolic" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (icons); i++)
    if (g_strcmp0 (kind, icons[i].kind) == 0)
      return icons[i].icon;
  return "preferences-system-notifications-symbolic";
}

/* The types the platform sends, by the names users know; any other type
 * shows as sent. */
static const char *
kind_name (const char *kind)
{
  if (g_strcmp0 (kind, "info") == 0)
    return _("Information");
  if (g_strcmp0 (kind, "warning") == 0)
    return _("Warnings");
  if (g_strcmp0 (kind, "gift") == 0)
    return _("Gifts");
  if (g_strcmp0 (kind, "follow") == 0)
    return _("Follows");
  if (g_strcmp0 (kind, "mention") == 0)
    return _("Mentions");
  if (g_strcmp0 (kind, "message") == 0)
    return _("Messages");
  if (g_strcmp0 (kind, "support") == 0)
    return _("Support");
  if (g_strcmp0 (kind, "stream") == 0 || g_strcmp0 (kind, "live") == 0)
    return _("Stream");
  if (g_strcmp0 (kind, "notification") == 0)
    return _("General");
  return kind;
}

static char *
format_time (LdNotificationsView *self,
             GDateTime           *timestamp)
{
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (timestamp == NULL)
    return g_strdup ("");

  local = g_date_time_to_local (timestamp);
  if (g_date_time_get_year (local) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    return g_date_time_format (local, self->clock_12h ? "%l:%M %p" : "%H:%M");
  /* Translators: a notification's date when not today (strftime). */
  return g_date_time_format (local, _("%e %b"));
}

static void
update_row (GtkListBoxRow *row)
{
  LdNotificationsView *self = g_object_get_data (G_OBJECT (row), "view");
  LdNotification *notification = g_object_get_data (G_OBJECT (row), "notification");
  GtkImage *icon = g_object_get_data (G_OBJECT (row), "icon");
  GtkLabel *title = g_object_get_data (G_OBJECT (row), "title");
  GtkLabel *body = g_object_get_data (G_OBJECT (row), "body");
  GtkLabel *time = g_object_get_data (G_OBJECT (row), "time");
  GtkWidget *dot = g_object_get_data (G_OBJECT (row), "dot");
  const char *title_text = ld_notification_get_title (notification);
  const char *message = ld_notification_get_message (notification);
  gboolean read = ld_notification_get_read (notification);
  g_autofree char *when = format_time (self, ld_notification_get_timestamp (notification));
  g_autofree char *label = NULL;

  if (title_text == NULL || *title_text == '\0')
    {
      title_text = message != NULL ? message : "";
      message = NULL;
    }

  gtk_image_set_from_icon_name (icon, kind_icon (ld_notification_get_kind (notification)));
  gtk_label_set_text (title, title_text);
  gtk_label_set_text (body, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (body), message != NULL && *message != '\0');
  gtk_label_set_text (time, when);
  gtk_widget_set_visible (dot, !read);
  if (read)
    gtk_widget_remove_css_class (GTK_WIDGET (row), "unread");
  else
    gtk_widget_add_css_class (GTK_WIDGET (row), "unread");

  /* Translators: how a screen reader reads an unread notification: its title and text. */
  label = read ? g_strdup_printf ("%s. %s", title_text, message ? message : "")
               : g_strdup_printf (_("Unread: %s. %s"), title_text, message ? message : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  LdNotificationsView *self = user_data;
  LdNotification *notification = item;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *body = gtk_label_new (NULL);
  GtkWidget *time = gtk_label_new (NULL);
  GtkWidget *dot = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  gtk_widget_add_css_class (row, "notification-row");
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 10);
  gtk_widget_set_margin_bottom (box, 10);

  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_widget_set_margin_top (icon, 2);
  gtk_widget_add_css_class (icon, "notification-icon");

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (title), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_add_css_class (title, "notification-title");

  gtk_widget_set_valign (time, GTK_ALIGN_START);
  gtk_widget_add_css_class (time, "dim-label");
  gtk_widget_add_css_class (time, "caption");
  gtk_widget_add_css_class (time, "numeric");

  gtk_label_set_xalign (GTK_LABEL (body), 0);
  gtk_label_set_wrap (GTK_LABEL (body), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (body), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (body, "notification-body");

  gtk_widget_set_valign (dot, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (dot, "unread-dot");
  gtk_widget_set_tooltip_text (dot, _("Unread"));

  gtk_box_append (GTK_BOX (top), title);
  gtk_box_append (GTK_BOX (top), time);
  gtk_box_append (GTK_BOX (text_box), top);
  gtk_box_append (GTK_BOX (text_box), body);
  gtk_widget_set_hexpand (text_box, TRUE);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), text_box);
  gtk_box_append (GTK_BOX (box), dot);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  g_object_set_data (G_OBJECT (row), "view", self);
  g_object_set_data_full (G_OBJECT (row), "notification", g_object_ref (notification), g_object_unref);
  g_object_set_data (G_OBJECT (row), "icon", icon);
  g_object_set_data (G_OBJECT (row), "title", title);
  g_object_set_data (G_OBJECT (row), "body", body);
  g_object_set_data (G_OBJECT (row), "time", time);
  g_object_set_data (G_OBJECT (row), "dot", dot);

  /* Read elsewhere (Mark All, a desktop notification's button) or changed
   * by notificationUpdate: the row follows. */
  g_signal_connect_object (notification, "notify", G_CALLBACK (update_row), row, G_CONNECT_SWAPPED);
  update_row (GTK_LIST_BOX_ROW (row));

  return row;
}

static void
on_row_activated (LdNotificationsView *self,
                  GtkListBoxRow       *row,
                  GtkListBox          *list)
{
  LdNotification *notification = g_object_get_data (G_OBJECT (row), "notification");

  if (notification != NULL)
    ld_notification_set_read (notification, TRUE);
}

static void
update_state (LdNotificationsView *self)
{
  guint unread = self->model != NULL ? ld_notification_model_get_unread_count (self->model) : 0;
  guint total = self->model != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->model)) : 0;
  guint n_system = g_list_model_get_n_items (G_LIST_MODEL (self->system));
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->shown));
  g_autofree char *text = NULL;

  gtk_stack_set_visible_child_name (self->stack, total > 0 ? "list" : "empty");
  gtk_widget_set_visible (self->toolbar, total > 0);
  gtk_widget_set_visible (self->system_heading, n_system > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->system_list), n_system > 0);
  gtk_widget_set_visible (self->list_heading, n_system > 0 && n_shown > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->list), n_shown > 0);
  gtk_widget_set_visible (self->no_match_label, n_shown == 0 && self->type_filter != NULL);

  if (unread > 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u unread", "%u unread", unread), unread);
  else if (total > 0)
    text = g_strdup (_("All read"));
  gtk_label_set_text (self->unread_label, text != NULL ? text : "");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "notifications.mark-all-read", unread > 0);
}

static guint
kind_position (LdNotificationsView *self,
               const char          *kind)
{
  for (guint i = 1; i < self->kinds->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->kinds, i), kind) == 0)
      return i;
  return 0;
}

static void
add_kind (LdNotificationsView *self,
          const char          *kind)
{
  if (kind == NULL || g_str_equal (kind, "system") || kind_position (self, kind) != 0)
    return;

  g_ptr_array_add (self->kinds, g_strdup (kind));
  gtk_string_list_append (self->kind_names, kind_name (kind));
}

static void
reset_kinds (LdNotificationsView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->kind_names));

  self->resetting = TRUE;
  g_ptr_array_set_size (self->kinds, 1);
  gtk_string_list_splice (self->kind_names, 1, n - 1, NULL);
  if (self->type_filter != NULL)
    add_kind (self, self->type_filter);
  gtk_drop_down_set_selected (self->filter_dropdown, kind_position (self, self->type_filter));
  self->resetting = FALSE;
}

/* notificationUpdate changed a type: the lists and the drop-down follow. */
static void
on_kind_changed (LdNotificationsView *self,
                 GParamSpec          *pspec,
                 LdNotification      *notification)
{
  add_kind (self, ld_notification_get_kind (notification));
  gtk_filter_changed (gtk_filter_list_model_get_filter (self->shown), GTK_FILTER_CHANGE_DIFFERENT);
  gtk_filter_changed (gtk_filter_list_model_get_filter (self->system), GTK_FILTER_CHANGE_DIFFERENT);
  update_state (self);
}

static void
watch (LdNotificationsView *self,
       LdNotification      *notification)
{
  add_kind (self, ld_notification_get_kind (notification));
  g_signal_connect_object (notification, "notify::kind", G_CALLBACK (on_kind_changed), self, G_CONNECT_SWAPPED);
}

static void
on_items_changed (LdNotificationsView *self,
                  guint                position,
                  guint                removed,
                  guint                added,
                  GListModel          *model)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(LdNotification) notification = g_list_model_get_item (model, i);

      watch (self, notification);
    }
  update_state (self);
}

static gboolean
shown_match (gpointer item,
             gpointer user_data)
{
  LdNotificationsView *self = user_data;

  return !is_system (item) &&
         (self->type_filter == NULL || g_strcmp0 (ld_notification_get_kind (item), self->type_filter) == 0);
}

static gboolean
system_match (gpointer item,
              gpointer user_data)
{
  return is_system (item);
}

static void
on_filter_selected (LdNotificationsView *self)
{
  guint selected = gtk_drop_down_get_selected (self->filter_dropdown);

  if (self->resetting || selected == GTK_INVALID_LIST_POSITION || selected >= self->kinds->len)
    return;
  ld_notifications_view_set_type_filter (self, g_ptr_array_index (self->kinds, selected));
}

static void
mark_all_read_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LdNotificationsView *self = LD_NOTIFICATIONS_VIEW (widget);

  if (self->model != NULL)
    ld_notification_model_mark_all_read (self->model);
}

static void
mark_read_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  LdNotificationsView *self = LD_NOTIFICATIONS_VIEW (widget);

  if (self->model != NULL)
    ld_notification_model_mark_read (self->model, g_variant_get_string (parameter, NULL));
}

static void
ld_notifications_view_dispose (GObject *object)
{
  LdNotificationsView *self = LD_NOTIFICATIONS_VIEW (object);

  ld_notifications_view_set_model (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_NOTIFICATIONS_VIEW);
  g_clear_object (&self->shown);
  g_clear_object (&self->system);
  g_clear_object (&self->kind_names);

  G_OBJECT_CLASS (ld_notifications_view_parent_class)->dispose (object);
}

static void
ld_notifications_view_finalize (GObject *object)
{
  LdNotificationsView *self = LD_NOTIFICATIONS_VIEW (object);

  g_clear_pointer (&self->kinds, g_ptr_array_unref);
  g_free (self->type_filter);

  G_OBJECT_CLASS (ld_notifications_view_parent_class)->finalize (object);
}

static void
ld_notifications_view_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  LdNotificationsView *self = LD_NOTIFICATIONS_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL: g_value_set_object (value, self->model); break;
    case PROP_TYPE_FILTER: g_value_set_string (value, self->type_filter); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_notifications_view_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  LdNotificationsView *self = LD_NOTIFICATIONS_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL: ld_notifications_view_set_model (self, g_value_get_object (value)); break;
    case PROP_TYPE_FILTER: ld_notifications_view_set_type_filter (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_notifications_view_class_init (LdNotificationsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = ld_notifications_view_dispose;
  object_class->finalize = ld_notifications_view_finalize;
  object_class->get_property = ld_notifications_view_get_property;
  object_class->set_property = ld_notifications_view_set_property;

  properties[PROP_MODEL] = g_param_spec_object ("model", NULL, NULL, LD_TYPE_NOTIFICATION_MODEL, rw);
  properties[PROP_TYPE_FILTER] = g_param_spec_string ("type-filter", NULL, NULL, NULL, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/livedesk/Livedesk/ui/ld-notifications-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LdNotificationsView, box);
  gtk_widget_class_bind_template_child (widget_class, LdNotificationsView, toolbar);
  gtk_widget_class_bind_template_child (widget_class, LdNotificationsView, filter_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LdNotificationsView, unread_label);
  gtk_widget_class_bind_template_child (widget_class, LdNotificationsView, stack);
  gtk_widget_class_bind_template_child (widget_class, LdNotificationsView, system_heading);
  gtk_widget_class_bind_template_child (widget_class, LdNotificationsView, system_list);
  gtk_widget_class_bind_template_child (widget_class, LdNotificationsView, list_heading);
  gtk_widget_class_bind_template_child (widget_class, LdNotificationsView, list);
  gtk_widget_class_bind_template_child (widget_class, LdNotificationsView, no_match_label);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);

  gtk_widget_class_install_action (widget_class, "notifications.mark-all-read", NULL, mark_all_read_action);
  gtk_widget_class_install_action (widget_class, "notifications.mark-read", "s", mark_read_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "notifications");
}

static void
ld_notifications_view_init (LdNotificationsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->kinds = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->kinds, NULL);
  self->kind_names = gtk_string_list_new (NULL);
  gtk_string_list_append (self->kind_names, _("All Types"));
  gtk_drop_down_set_model (self->filter_dropdown, G_LIST_MODEL (self->kind_names));
  g_signal_connect_object (self->filter_dropdown, "notify::selected", G_CALLBACK (on_filter_selected), self,
                           G_CONNECT_SWAPPED);

  self->shown = gtk_filter_list_model_new (NULL, GTK_FILTER (gtk_custom_filter_new (shown_match, self, NULL)));
  self->system = gtk_filter_list_model_new (NULL, GTK_FILTER (gtk_custom_filter_new (system_match, NULL, NULL)));
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->shown), create_row, self, NULL);
  gtk_list_box_bind_model (self->system_list, G_LIST_MODEL (self->system), create_row, self, NULL);
  g_signal_connect_object (self->shown, "items-changed", G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->system, "items-changed", G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);

  update_state (self);
}

GtkWidget *
ld_notifications_view_new (void)
{
  return g_object_new (LD_TYPE_NOTIFICATIONS_VIEW, NULL);
}

LdNotificationModel *
ld_notifications_view_get_model (LdNotificationsView *self)
{
  g_return_val_if_fail (LD_IS_NOTIFICATIONS_VIEW (self), NULL);
  return self->model;
}

void
ld_notifications_view_set_model (LdNotificationsView *self,
                                 LdNotificationModel *model)
{
  g_return_if_fail (LD_IS_NOTIFICATIONS_VIEW (self));
  g_return_if_fail (model == NULL || LD_IS_NOTIFICATION_MODEL (model));

  if (self->model == model)
    return;

  if (self->model != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->model, self);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->model)); i++)
        {
          g_autoptr(LdNotification) notification = g_list_model_get_item (G_LIST_MODEL (self->model), i);

          g_signal_handlers_disconnect_by_data (notification, self);
        }
    }
  g_set_object (&self->model, model);

  reset_kinds (self);
  if (model != NULL)
    {
      g_signal_connect_object (model, "items-changed", G_CALLBACK (on_items_changed), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (model, "notify::unread-count", G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
      /* Oldest first, so the drop-down lists types in the order they came. */
      for (guint i = g_list_model_get_n_items (G_LIST_MODEL (model)); i > 0; i--)
        {
          g_autoptr(LdNotification) notification = g_list_model_get_item (G_LIST_MODEL (model), i - 1);

          watch (self, notification);
        }
    }
  gtk_filter_list_model_set_model (self->shown, G_LIST_MODEL (model));
  gtk_filter_list_model_set_model (self->system, G_LIST_MODEL (model));
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

void
ld_notifications_view_set_clock_12h (LdNotificationsView *self,
                                     gboolean             clock_12h)
{
  GtkWidget *row;

  g_return_if_fail (LD_IS_NOTIFICATIONS_VIEW (self));

  clock_12h = !!clock_12h;
  if (self->clock_12h == clock_12h)
    return;

  self->clock_12h = clock_12h;
  for (row = gtk_widget_get_first_child (GTK_WIDGET (self->list)); row != NULL; row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row))
      update_row (GTK_LIST_BOX_ROW (row));
  for (row = gtk_widget_get_first_child (GTK_WIDGET (self->system_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (GTK_IS_LIST_BOX_ROW (row))
      update_row (GTK_LIST_BOX_ROW (row));
}

const char *
ld_notifications_view_get_type_filter (LdNotificationsView *self)
{
  g_return_val_if_fail (LD_IS_NOTIFICATIONS_VIEW (self), NULL);
  return self->type_filter;
}

void
ld_notifications_view_set_type_filter (LdNotificationsView *self,
                                       const char          *kind)
{
  GtkFilter *filter;

  g_return_if_fail (LD_IS_NOTIFICATIONS_VIEW (self));

  if (g_strcmp0 (self->type_filter, kind) == 0)
    return;

  g_free (self->type_filter);
  self->type_filter = g_strdup (kind);
  add_kind (self, kind);
  gtk_drop_down_set_selected (self->filter_dropdown, kind_position (self, kind));

  filter = gtk_filter_list_model_get_filter (self->shown);
  gtk_filter_changed (filter, GTK_FILTER_CHANGE_DIFFERENT);
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TYPE_FILTER]);
}

GListModel *
ld_notifications_view_get_shown (LdNotificationsView *self)
{
  g_return_val_if_fail (LD_IS_NOTIFICATIONS_VIEW (self), NULL);
  return G_LIST_MODEL (self->shown);
}

GListModel *
ld_notifications_view_get_system (LdNotificationsView *self)
{
  g_return_val_if_fail (LD_IS_NOTIFICATIONS_VIEW (self), NULL);
  return G_LIST_MODEL (self->system);
}
