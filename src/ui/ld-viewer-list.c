/* ld-viewer-list.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "ld-chat-row.h"
#include "ld-user-colour.h"
#include "ld-viewer-list.h"

struct _LdViewerList
{
  GtkWidget           parent_instance;

  GtkWidget          *box;
  GtkSearchEntry     *search_entry;
  GtkLabel           *count_label;
  GtkStack           *stack;
  GtkListView        *list_view;
  AdwStatusPage      *empty_page;

  LdViewerModel      *model;
  GtkFilterListModel *filtered;
  GtkCustomFilter    *filter;
  char               *search_folded;
};

G_DEFINE_FINAL_TYPE (LdViewerList, ld_viewer_list, GTK_TYPE_WIDGET)

enum {
  USER_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_activate (LdViewerList *self,
             guint         position,
             GtkListView  *list_view)
{
  g_autoptr(LdViewer) viewer = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);

  if (viewer != NULL)
    g_signal_emit (self, signals[USER_ACTIVATED], 0, ld_viewer_get_user_id (viewer),
                   ld_viewer_get_username (viewer), (int) ld_viewer_get_role (viewer), GTK_WIDGET (list_view));
}

static gboolean
viewer_match (gpointer item,
              gpointer user_data)
{
  LdViewerList *self = user_data;
  g_autofree char *folded = NULL;

  if (self->search_folded == NULL)
    return TRUE;

  folded = g_utf8_casefold (ld_viewer_get_username (item), -1);
  return strstr (folded, self->search_folded) != NULL;
}

static void
update_count (LdViewerList *self)
{
  guint total = self->model ? g_list_model_get_n_items (G_LIST_MODEL (self->model)) : 0;
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  g_autofree char *text = NULL;

  if (self->search_folded != NULL)
    /* Translators: viewers matching a search, of all viewers. */
    text = g_strdup_printf (_("%u of %u"), shown, total);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u viewer", "%u viewers", total), total);
  gtk_label_set_text (self->count_label, text);

  adw_status_page_set_title (self->empty_page,
                             self->search_folded != NULL ? _("No Matching Viewers") : _("No Viewers"));
  gtk_stack_set_visible_child_name (self->stack, shown > 0 ? "list" : "empty");
}

static void
on_search_changed (LdViewerList *self)
{
  ld_viewer_list_set_search (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
on_setup (LdViewerList *self,
          GtkListItem  *item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *avatar = adw_avatar_new (32, NULL, TRUE);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *badge = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (name, TRUE);
  gtk_widget_add_css_class (badge, "role-badge");
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), avatar);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), badge);
  gtk_widget_set_margin_top (box, 3);
  gtk_widget_set_margin_bottom (box, 3);
  gtk_list_item_set_child (item, box);
}

static void
on_bind (LdViewerList *self,
         GtkListItem  *item)
{
  LdViewer *viewer = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *avatar = gtk_widget_get_first_child (box);
  GtkWidget *name = gtk_widget_get_next_sibling (avatar);
  GtkWidget *badge = gtk_widget_get_next_sibling (name);
  const char *role = ld_role_badge_label (ld_viewer_get_role (viewer));
  static const char * const role_classes[] = { "role-streamer", "role-admin", "role-moderator", "role-viewer" };

  adw_avatar_set_text (ADW_AVATAR (avatar), ld_viewer_get_username (viewer));
  gtk_label_set_text (GTK_LABEL (name), ld_viewer_get_username (viewer));
  gtk_label_set_text (GTK_LABEL (badge), role ? role : "");
  gtk_widget_set_visible (badge, role != NULL);
  for (guint i = 0; i < G_N_ELEMENTS (role_classes); i++)
    gtk_widget_remove_css_class (badge, role_classes[i]);
  gtk_widget_add_css_class (badge, role_classes[MIN ((guint) ld_viewer_get_role (viewer), 3)]);
}

static void
ld_viewer_list_dispose (GObject *object)
{
  LdViewerList *self = LD_VIEWER_LIST (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_VIEWER_LIST);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (ld_viewer_list_parent_class)->dispose (object);
}

static void
ld_viewer_list_finalize (GObject *object)
{
  LdViewerList *self = LD_VIEWER_LIST (object);

  g_clear_pointer (&self->search_folded, g_free);

  G_OBJECT_CLASS (ld_viewer_list_parent_class)->finalize (object);
}

static void
ld_viewer_list_class_init (LdViewerListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_viewer_list_dispose;
  object_class->finalize = ld_viewer_list_finalize;

  signals[USER_ACTIVATED] = g_signal_new ("user-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                                          G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT, GTK_TYPE_WIDGET);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/livedesk/Livedesk/ui/ld-viewer-list.ui");
  gtk_widget_class_bind_template_child (widget_class, LdViewerList, box);
  gtk_widget_class_bind_template_child (widget_class, LdViewerList, search_entry);
  gtk_widget_class_bind_template_child (widget_class, LdViewerList, count_label);
  gtk_widget_class_bind_template_child (widget_class, LdViewerList, stack);
  gtk_widget_class_bind_template_child (widget_class, LdViewerList, list_view);
  gtk_widget_class_bind_template_child (widget_class, LdViewerList, empty_page);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "viewerlist");
}

static void
ld_viewer_list_init (LdViewerList *self)
{
  GtkListItemFactory *factory;
  GtkSelectionModel *selection;

  gtk_widget_init_template (GTK_WIDGET (self));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect_object (factory, "setup", G_CALLBACK (on_setup), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (factory, "bind", G_CALLBACK (on_bind), self, G_CONNECT_SWAPPED);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);

  self->filter = gtk_custom_filter_new (viewer_match, self, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, NULL);
  g_signal_connect_object (self->filtered, "items-changed", G_CALLBACK (update_count), self,
                           G_CONNECT_SWAPPED);
  selection = GTK_SELECTION_MODEL (gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->filtered))));
  gtk_single_selection_set_autoselect (GTK_SINGLE_SELECTION (selection), FALSE);
  gtk_list_view_set_model (self->list_view, selection);
  g_object_unref (selection);
  gtk_list_view_set_single_click_activate (self->list_view, TRUE);
  g_signal_connect_object (self->list_view, "activate", G_CALLBACK (on_activate), self, G_CONNECT_SWAPPED);

  update_count (self);
}

GtkWidget *
ld_viewer_list_new (void)
{
  return g_object_new (LD_TYPE_VIEWER_LIST, NULL);
}

LdViewerModel *
ld_viewer_list_get_model (LdViewerList *self)
{
  g_return_val_if_fail (LD_IS_VIEWER_LIST (self), NULL);
  return self->model;
}

void
ld_viewer_list_set_model (LdViewerList  *self,
                          LdViewerModel *model)
{
  g_return_if_fail (LD_IS_VIEWER_LIST (self));

  if (!g_set_object (&self->model, model))
    return;
  gtk_filter_list_model_set_model (self->filtered, G_LIST_MODEL (model));
  update_count (self);
}

void
ld_viewer_list_set_search (LdViewerList *self,
                           const char   *text)
{
  g_autofree char *folded = NULL;

  g_return_if_fail (LD_IS_VIEWER_LIST (self));

  if (text != NULL && *text != '\0')
    folded = g_utf8_casefold (text, -1);
  if (g_strcmp0 (folded, self->search_folded) == 0)
    return;

  g_free (self->search_folded);
  self->search_folded = g_steal_pointer (&folded);
  if (self->search_folded == NULL)
    gtk_filter_list_model_set_filter (self->filtered, NULL);
  else if (gtk_filter_list_model_get_filter (self->filtered) == NULL)
    gtk_filter_list_model_set_filter (self->filtered, GTK_FILTER (self->filter));
  else
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_count (self);
}

GListModel *
ld_viewer_list_get_shown (LdViewerList *self)
{
  g_return_val_if_fail (LD_IS_VIEWER_LIST (self), NULL);
  return G_LIST_MODEL (self->filtered);
}
