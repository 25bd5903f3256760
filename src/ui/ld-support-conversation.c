/* ld-support-conversation.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <adwaita.h>

#include "ld-support-bubble.h"
#include "ld-support-conversation.h"

/* How close to the end still counts as "reading the newest". */
#define STICKY_SLACK_PX 48

struct _LdSupportConversation
{
  GtkWidget          parent_instance;

  GtkWidget         *box;
  GtkStack          *stack;
  AdwStatusPage     *empty_page;
  GtkScrolledWindow *scroller;
  GtkListView       *list_view;
  GtkRevealer       *error_revealer;
  GtkLabel          *error_label;
  GtkEntry          *entry;
  GtkLabel          *counter_label;
  GtkStack          *send_stack;
  GtkSpinner        *spinner;
  GtkMenuButton     *canned_button;
  GtkToggleButton   *note_toggle;

  GListModel        *messages;
  GtkNoSelection    *selection;
  char              *placeholder;
  char              *hint;
  char              *sending_text;
  gboolean           has_error;
  gboolean           sending;
  gboolean           can_send;
  gboolean           sticky;
};

G_DEFINE_FINAL_TYPE (LdSupportConversation, ld_support_conversation, GTK_TYPE_WIDGET)

enum {
  SEND,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_sensitivity (LdSupportConversation *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  glong chars = g_utf8_strlen (text, -1);
  g_autofree char *counter = g_strdup_printf ("%ld/%d", chars, LD_SUPPORT_CONVERSATION_MAX_CHARS);
  gboolean too_long = chars > LD_SUPPORT_CONVERSATION_MAX_CHARS;

  gtk_label_set_text (self->counter_label, counter);
  if (too_long)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->counter_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->entry), "error");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->counter_label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->entry), "error");
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->entry), self->can_send && !self->sending);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "conversation.send",
                                 self->can_send && !self->sending && chars > 0 && !too_long);
  gtk_stack_set_visible_child_name (self->send_stack, self->sending ? "sending" : "button");
  gtk_spinner_set_spinning (self->spinner, self->sending);
  if (!self->can_send && self->hint != NULL)
    gtk_entry_set_placeholder_text (self->entry, self->hint);
  else if (gtk_toggle_button_get_active (self->note_toggle))
    gtk_entry_set_placeholder_text (self->entry, _("Write an internal note, only admins see it…"));
  else
    gtk_entry_set_placeholder_text (self->entry, self->placeholder);
}

static void
on_note_toggled (LdSupportConversation *self)
{
  if (gtk_toggle_button_get_active (self->note_toggle))
    gtk_widget_add_css_class (GTK_WIDGET (self->entry), "internal-note");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->entry), "internal-note");
  update_sensitivity (self);
}

static void
show_error (LdSupportConversation *self,
            const char            *message)
{
  self->has_error = message != NULL;
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static void
scroll_to_end (LdSupportConversation *self)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);

  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj));
}

static void
on_value_changed (LdSupportConversation *self,
                  GtkAdjustment         *adj)
{
  double bottom = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);

  self->sticky = gtk_adjustment_get_value (adj) >= bottom - STICKY_SLACK_PX;
}

/* The list grew (a message, or a bubble that wrapped): keep the newest in
 * view if the user was reading it. */
static void
on_upper_changed (LdSupportConversation *self)
{
  if (self->sticky)
    scroll_to_end (self);
}

static void
update_stack (LdSupportConversation *self)
{
  gboolean any = self->messages != NULL && g_list_model_get_n_items (self->messages) > 0;

  gtk_stack_set_visible_child_name (self->stack, any ? "messages" : "empty");
}

static void
on_items_changed (LdSupportConversation *self,
                  guint                  position,
                  guint                  removed,
                  guint                  added,
                  GListModel            *model)
{
  update_stack (self);
}

static void
on_entry_activate (LdSupportConversation *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "conversation.send", NULL);
}

static void
on_entry_changed (LdSupportConversation *self)
{
  /* Editing after a refusal means the user is dealing with it. */
  if (self->has_error)
    show_error (self, NULL);
  update_sensitivity (self);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LdSupportConversation *self = LD_SUPPORT_CONVERSATION (widget);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  if (self->sending || !self->can_send || *stripped == '\0' ||
      g_utf8_strlen (text, -1) > LD_SUPPORT_CONVERSATION_MAX_CHARS)
    return;

  show_error (self, NULL);
  self->sending = TRUE;
  g_free (self->sending_text);
  self->sending_text = g_strdup (text);
  self->sticky = TRUE;
  update_sensitivity (self);
  g_signal_emit (self, signals[SEND], 0, self->sending_text);
}

static void
on_setup_item (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  gtk_list_item_set_activatable (item, FALSE);
  gtk_list_item_set_child (item, ld_support_bubble_new ());
}

static void
on_bind_item (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  LdSupportConversation *self = user_data;
  LdSupportBubble *bubble = LD_SUPPORT_BUBBLE (gtk_list_item_get_child (item));
  LdMessage *message = gtk_list_item_get_item (item);
  guint position = gtk_list_item_get_position (item);
  gboolean show_name = TRUE;

  /* Messages are only ever appended, so a bubble's predecessor never changes. */
  if (position > 0 && self->messages != NULL)
    {
      g_autoptr(LdMessage) previous = g_list_model_get_item (self->messages, position - 1);

      show_name = previous == NULL ||
                  g_strcmp0 (ld_message_get_user_id (previous), ld_message_get_user_id (message)) != 0;
    }
  ld_support_bubble_set_show_name (bubble, show_name);
  ld_support_bubble_set_message (bubble, message);
}

static void
on_unbind_item (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  ld_support_bubble_set_message (LD_SUPPORT_BUBBLE (gtk_list_item_get_child (item)), NULL);
}

static gboolean
ld_support_conversation_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (LD_SUPPORT_CONVERSATION (widget)->entry));
}

static void
ld_support_conversation_dispose (GObject *object)
{
  LdSupportConversation *self = LD_SUPPORT_CONVERSATION (object);

  ld_support_conversation_set_messages (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_SUPPORT_CONVERSATION);
  g_clear_object (&self->selection);

  G_OBJECT_CLASS (ld_support_conversation_parent_class)->dispose (object);
}

static void
ld_support_conversation_finalize (GObject *object)
{
  LdSupportConversation *self = LD_SUPPORT_CONVERSATION (object);

  g_free (self->placeholder);
  g_free (self->hint);
  g_free (self->sending_text);

  G_OBJECT_CLASS (ld_support_conversation_parent_class)->finalize (object);
}

static void
ld_support_conversation_class_init (LdSupportConversationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_support_conversation_dispose;
  object_class->finalize = ld_support_conversation_finalize;
  widget_class->grab_focus = ld_support_conversation_grab_focus;

  signals[SEND] = g_signal_new ("send", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (ADW_TYPE_STATUS_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/livedesk/Livedesk/ui/ld-support-conversation.ui");
  gtk_widget_class_bind_template_child (widget_class, LdSupportConversation, box);
  gtk_widget_class_bind_template_child (widget_class, LdSupportConversation, stack);
  gtk_widget_class_bind_template_child (widget_class, LdSupportConversation, empty_page);
  gtk_widget_class_bind_template_child (widget_class, LdSupportConversation, scroller);
  gtk_widget_class_bind_template_child (widget_class, LdSupportConversation, list_view);
  gtk_widget_class_bind_template_child (widget_class, LdSupportConversation, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, LdSupportConversation, error_label);
  gtk_widget_class_bind_template_child (widget_class, LdSupportConversation, entry);
  gtk_widget_class_bind_template_child (widget_class, LdSupportConversation, counter_label);
  gtk_widget_class_bind_template_child (widget_class, LdSupportConversation, send_stack);
  gtk_widget_class_bind_template_child (widget_class, LdSupportConversation, spinner);
  gtk_widget_class_bind_template_child (widget_class, LdSupportConversation, canned_button);
  gtk_widget_class_bind_template_child (widget_class, LdSupportConversation, note_toggle);
  gtk_widget_class_bind_template_callback (widget_class, on_note_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_setup_item);
  gtk_widget_class_bind_template_callback (widget_class, on_bind_item);
  gtk_widget_class_bind_template_callback (widget_class, on_unbind_item);

  gtk_widget_class_install_action (widget_class, "conversation.send", NULL, send_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "supportconversation");
}

static void
ld_support_conversation_init (LdSupportConversation *self)
{
  GtkAdjustment *adj;

  self->can_send = TRUE;
  self->sticky = TRUE;
  self->placeholder = g_strdup (_("Write a message…"));
  gtk_widget_init_template (GTK_WIDGET (self));

  self->selection = gtk_no_selection_new (NULL);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  adj = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_object (adj, "value-changed", G_CALLBACK (on_value_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adj, "notify::upper", G_CALLBACK (on_upper_changed), self, G_CONNECT_SWAPPED);

  update_stack (self);
  update_sensitivity (self);
}

GtkWidget *
ld_support_conversation_new (void)
{
  return g_object_new (LD_TYPE_SUPPORT_CONVERSATION, NULL);
}

void
ld_support_conversation_set_messages (LdSupportConversation *self,
                                      GListModel            *messages)
{
  g_return_if_fail (LD_IS_SUPPORT_CONVERSATION (self));
  g_return_if_fail (messages == NULL || G_IS_LIST_MODEL (messages));

  if (self->messages == messages)
    return;

  if (self->messages != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->messages, self);
      g_clear_object (&self->messages);
    }
  if (messages != NULL)
    {
      self->messages = g_object_ref (messages);
      g_signal_connect_object (messages, "items-changed", G_CALLBACK (on_items_changed), self, G_CONNECT_SWAPPED);
    }
  if (self->selection != NULL)
    gtk_no_selection_set_model (self->selection, messages);
  self->sticky = TRUE;
  update_stack (self);
}

GListModel *
ld_support_conversation_get_messages (LdSupportConversation *self)
{
  g_return_val_if_fail (LD_IS_SUPPORT_CONVERSATION (self), NULL);
  return self->messages;
}

void
ld_support_conversation_set_empty_state (LdSupportConversation *self,
                                         const char            *icon_name,
                                         const char            *title,
                                         const char            *description)
{
  g_return_if_fail (LD_IS_SUPPORT_CONVERSATION (self));

  adw_status_page_set_icon_name (self->empty_page, icon_name);
  adw_status_page_set_title (self->empty_page, title);
  adw_status_page_set_description (self->empty_page, description);
}

void
ld_support_conversation_set_placeholder (LdSupportConversation *self,
                                         const char            *placeholder)
{
  g_return_if_fail (LD_IS_SUPPORT_CONVERSATION (self));

  g_free (self->placeholder);
  self->placeholder = g_strdup (placeholder);
  update_sensitivity (self);
}

const char *
ld_support_conversation_get_text (LdSupportConversation *self)
{
  g_return_val_if_fail (LD_IS_SUPPORT_CONVERSATION (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->entry));
}

void
ld_support_conversation_set_text (LdSupportConversation *self,
                                  const char            *text)
{
  g_return_if_fail (LD_IS_SUPPORT_CONVERSATION (self));
  gtk_editable_set_text (GTK_EDITABLE (self->entry), text != NULL ? text : "");
}

gboolean
ld_support_conversation_get_sending (LdSupportConversation *self)
{
  g_return_val_if_fail (LD_IS_SUPPORT_CONVERSATION (self), FALSE);
  return self->sending;
}

void
ld_support_conversation_accept (LdSupportConversation *self)
{
  g_return_if_fail (LD_IS_SUPPORT_CONVERSATION (self));

  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->entry)), self->sending_text) == 0)
    gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
  g_clear_pointer (&self->sending_text, g_free);
  self->sending = FALSE;
  show_error (self, NULL);
  update_sensitivity (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

void
ld_support_conversation_refuse (LdSupportConversation *self,
                                const char            *message)
{
  g_return_if_fail (LD_IS_SUPPORT_CONVERSATION (self));
  g_return_if_fail (message != NULL);

  g_clear_pointer (&self->sending_text, g_free);
  self->sending = FALSE;
  update_sensitivity (self);
  show_error (self, message);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

const char *
ld_support_conversation_get_error (LdSupportConversation *self)
{
  g_return_val_if_fail (LD_IS_SUPPORT_CONVERSATION (self), NULL);
  return self->has_error ? gtk_label_get_text (self->error_label) : NULL;
}

void
ld_support_conversation_set_can_send (LdSupportConversation *self,
                                      gboolean               can_send,
                                      const char            *hint)
{
  g_return_if_fail (LD_IS_SUPPORT_CONVERSATION (self));

  self->can_send = !!can_send;
  g_free (self->hint);
  self->hint = g_strdup (hint);
  update_sensitivity (self);
}

void
ld_support_conversation_focus (LdSupportConversation *self)
{
  g_return_if_fail (LD_IS_SUPPORT_CONVERSATION (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

void
ld_support_conversation_scroll_to_end (LdSupportConversation *self)
{
  g_return_if_fail (LD_IS_SUPPORT_CONVERSATION (self));

  self->sticky = TRUE;
  scroll_to_end (self);
}

void
ld_support_conversation_set_admin_tools (LdSupportConversation *self,
                                         gboolean               admin_tools)
{
  g_return_if_fail (LD_IS_SUPPORT_CONVERSATION (self));

  gtk_widget_set_visible (GTK_WIDGET (self->canned_button), admin_tools);
  gtk_widget_set_visible (GTK_WIDGET (self->note_toggle), admin_tools);
  if (!admin_tools)
    gtk_toggle_button_set_active (self->note_toggle, FALSE);
}

gboolean
ld_support_conversation_get_note (LdSupportConversation *self)
{
  g_return_val_if_fail (LD_IS_SUPPORT_CONVERSATION (self), FALSE);
  return gtk_widget_get_visible (GTK_WIDGET (self->note_toggle)) && gtk_toggle_button_get_active (self->note_toggle);
}

void
ld_support_conversation_set_note (LdSupportConversation *self,
                                  gboolean               note)
{
  g_return_if_fail (LD_IS_SUPPORT_CONVERSATION (self));
  gtk_toggle_button_set_active (self->note_toggle, note);
}

void
ld_support_conversation_set_canned_menu (LdSupportConversation *self,
                                         GMenuModel            *menu)
{
  g_return_if_fail (LD_IS_SUPPORT_CONVERSATION (self));
  gtk_menu_button_set_menu_model (self->canned_button, menu);
}

void
ld_support_conversation_insert_text (LdSupportConversation *self,
                                     const char            *text)
{
  int position;

  g_return_if_fail (LD_IS_SUPPORT_CONVERSATION (self));
  g_return_if_fail (text != NULL);

  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->entry)))
    return;
  position = gtk_editable_get_position (GTK_EDITABLE (self->entry));
  gtk_editable_insert_text (GTK_EDITABLE (self->entry), text, -1, &position);
  gtk_editable_set_position (GTK_EDITABLE (self->entry), position);
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}
