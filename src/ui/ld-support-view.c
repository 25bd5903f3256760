/* ld-support-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <adwaita.h>

#include "ld-support-type.h"
#include "ld-support-view.h"
#include "ld-ticket-replies.h"
#include "ld-ticket-row.h"

struct _LdSupportView
{
  GtkWidget              parent_instance;

  GtkStack              *mode_stack;
  AdwComboRow           *type_row;
  LdSupportConversation *user_conversation;
  AdwLeaflet            *leaflet;
  GtkWidget             *sidebar;
  GtkToggleButton       *open_toggle;
  GtkToggleButton       *resolved_toggle;
  GtkStack              *list_stack;
  GtkListBox            *ticket_list;
  AdwStatusPage         *list_empty_page;
  GtkWidget             *detail;
  GtkButton             *back_button;
  GtkLabel              *detail_title;
  GtkLabel              *detail_subtitle;
  GtkButton             *claim_button;
  GtkButton             *resolve_button;
  GtkStack              *detail_stack;
  LdSupportConversation *admin_conversation;

  LdSession             *session;
  LdTicketReplies       *replies;
  GCancellable          *cancellable;
  GtkCustomFilter       *filter;
  GtkFilterListModel    *shown;
  /* The admin's open ticket, and the user's own conversation. */
  LdTicket              *current;
  LdTicket              *own;
  GtkWindow             *window;
  gboolean               show_resolved;
  gboolean               admin;
  gboolean               type_chosen;
  gboolean               loading_older;
  /* The user's conversation was asked for since the session came online. */
  gboolean               asked_own;
};

G_DEFINE_FINAL_TYPE (LdSupportView, ld_support_view, GTK_TYPE_WIDGET)

/* The session's support desk: its tickets and their requests. */
static LdSupport *
get_support (LdSupportView *self)
{
  return ld_session_get_support (self->session);
}

static gboolean
window_active (LdSupportView *self)
{
  return self->window != NULL && gtk_window_is_active (self->window);
}

/* Whether the admin can see the open ticket's messages right now. */
static gboolean
current_in_view (LdSupportView *self)
{
  return self->admin && self->current != NULL &&
         gtk_widget_get_mapped (GTK_WIDGET (self->admin_conversation)) &&
         (!adw_leaflet_get_folded (self->leaflet) || adw_leaflet_get_visible_child (self->leaflet) == self->detail);
}

static gboolean
own_in_view (LdSupportView *self)
{
  return !self->admin && self->own != NULL && gtk_widget_get_mapped (GTK_WIDGET (self->user_conversation));
}

/* What the user has in front of them counts as read; messages arriving
 * while they are elsewhere stay unread until they come back. */
static void
mark_seen (LdSupportView *self,
           gboolean       user_action)
{
  if (!user_action && !window_active (self))
    return;

  if (current_in_view (self))
    ld_ticket_mark_read (self->current);
  if (own_in_view (self))
    ld_ticket_mark_read (self->own);
}

static void
on_ticket_unread (LdSupportView *self)
{
  mark_seen (self, FALSE);
}

static void
update_detail (LdSupportView *self)
{
  gboolean resolved = self->current != NULL && ld_ticket_get_resolved (self->current);

  const char *assignee = self->current != NULL ? ld_ticket_get_assignee (self->current) : NULL;
  gboolean mine = assignee != NULL && self->session != NULL &&
                  g_strcmp0 (assignee, ld_session_get_username (self->session)) == 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "support.toggle-resolved", self->current != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "support.claim", self->current != NULL && !mine && !resolved);
  gtk_widget_set_visible (GTK_WIDGET (self->claim_button), self->current != NULL && !mine && !resolved);
  gtk_widget_set_visible (GTK_WIDGET (self->resolve_button), self->current != NULL);
  gtk_button_set_label (self->resolve_button, resolved ? _("_Reopen") : _("_Mark Resolved"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->resolve_button),
                               resolved ? _("Move the request back to the open ones")
                                        : _("The request is answered: move it to the resolved ones"));
  if (resolved)
    gtk_widget_remove_css_class (GTK_WIDGET (self->resolve_button), "suggested-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->resolve_button), "suggested-action");

  if (self->current == NULL)
    {
      gtk_label_set_text (self->detail_title, _("Support"));
      gtk_label_set_text (self->detail_subtitle, "");
      gtk_stack_set_visible_child_name (self->detail_stack, "none");
      return;
    }

  gtk_label_set_text (self->detail_title, ld_ticket_get_username (self->current));
  {
    const char *type = ld_support_type_name (ld_ticket_get_support_type (self->current));
    g_autofree char *subtitle = NULL;

    if (resolved && assignee != NULL)
      /* Translators: a support ticket's type, that it was resolved, and the admin who has it. */
      subtitle = g_strdup_printf (_("%s · Resolved · %s"), type, assignee);
    else if (resolved)
      /* Translators: a support ticket's type, and that it was marked resolved. */
      subtitle = g_strdup_printf (_("%s · Resolved"), type);
    else if (mine)
      /* Translators: a support ticket's type, and that the admin looking at it claimed it. */
      subtitle = g_strdup_printf (_("%s · Claimed by you"), type);
    else if (assignee != NULL)
      /* Translators: a support ticket's type, and the admin who claimed it. */
      subtitle = g_strdup_printf (_("%s · Claimed by %s"), type, assignee);
    else
      subtitle = g_strdup (type);
    gtk_label_set_text (self->detail_subtitle, subtitle);
  }
  gtk_stack_set_visible_child_name (self->detail_stack, "conversation");
}

static void
on_current_notify (LdSupportView *self)
{
  update_detail (self);
}

static void
select_current_row (LdSupportView *self)
{
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->ticket_list, i)) != NULL; i++)
    if (ld_ticket_row_get_ticket (LD_TICKET_ROW (row)) == self->current)
      {
        gtk_list_box_select_row (self->ticket_list, row);
        return;
      }
  gtk_list_box_unselect_all (self->ticket_list);
}

static void
on_history_loaded (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdTicket) ticket = ld_support_get_ticket_finish (LD_SUPPORT (object), result, &error);

  /* The messages that came live stay shown; the next opening asks again.
   * Asked by type, no ticket and no error: the user has none open. */
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("A ticket's history did not come: %s", error->message);
}

static void
set_current (LdSupportView *self,
             LdTicket      *ticket)
{
  if (self->current == ticket)
    return;

  if (self->current != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->current, self);
      g_clear_object (&self->current);
    }
  if (ticket != NULL)
    {
      self->current = g_object_ref (ticket);
      g_signal_connect_object (ticket, "notify::unread-count", G_CALLBACK (on_ticket_unread), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (ticket, "notify::resolved", G_CALLBACK (on_current_notify), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (ticket, "notify::support-type", G_CALLBACK (on_current_notify), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (ticket, "notify::username", G_CALLBACK (on_current_notify), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (ticket, "notify::assignee", G_CALLBACK (on_current_notify), self, G_CONNECT_SWAPPED);
      /* Listed from the server: its conversation comes when opened. */
      if (self->session != NULL && self->admin && !ld_ticket_get_history_loaded (ticket) &&
          ld_ticket_get_ticket_id (ticket) != NULL && ld_ticket_get_created (ticket) != NULL)
        ld_support_get_ticket_async (get_support (self), ld_ticket_get_ticket_id (ticket), NULL,
                                     self->cancellable, on_history_loaded, NULL);
    }

  ld_support_conversation_set_messages (self->admin_conversation, ticket ? ld_ticket_get_messages (ticket) : NULL);
  ld_support_conversation_scroll_to_end (self->admin_conversation);
  update_detail (self);
  select_current_row (self);
}

static void
show_ticket (LdSupportView *self,
             LdTicket      *ticket)
{
  set_current (self, ticket);
  adw_leaflet_set_visible_child (self->leaflet, self->detail);
  mark_seen (self, TRUE);
  if (gtk_widget_get_mapped (GTK_WIDGET (self->admin_conversation)))
    ld_support_conversation_focus (self->admin_conversation);
}

static void
on_row_activated (LdSupportView *self,
                  GtkListBoxRow *row)
{
  show_ticket (self, ld_ticket_row_get_ticket (LD_TICKET_ROW (row)));
}

static void
update_list_stack (LdSupportView *self)
{
  gboolean any = g_list_model_get_n_items (G_LIST_MODEL (self->shown)) > 0;

  if (self->show_resolved)
    {
      adw_status_page_set_icon_name (self->list_empty_page, "object-select-symbolic");
      adw_status_page_set_title (self->list_empty_page, _("No Resolved Requests"));
      adw_status_page_set_description (self->list_empty_page, _("Requests you mark resolved appear here"));
    }
  else
    {
      adw_status_page_set_icon_name (self->list_empty_page, "help-browser-symbolic");
      adw_status_page_set_title (self->list_empty_page, _("No Support Requests"));
      adw_status_page_set_description (self->list_empty_page, _("Viewers asking the admins for help appear here"));
    }
  gtk_stack_set_visible_child_name (self->list_stack, any ? "list" : "empty");
}

/* Rows are made again when the list changes: keep the open ticket selected. */
static void
on_shown_changed (LdSupportView *self)
{
  update_list_stack (self);
  select_current_row (self);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  return ld_ticket_row_new (LD_TICKET (item));
}

static gboolean
filter_ticket (gpointer item,
               gpointer user_data)
{
  LdSupportView *self = user_data;

  return ld_ticket_get_resolved (LD_TICKET (item)) == self->show_resolved;
}

static void
on_resolved_changed (LdSupportView *self)
{
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
update_own (LdSupportView *self)
{
  LdTicket *own = NULL;

  if (self->session != NULL && !self->admin)
    own = ld_ticket_model_lookup (ld_support_get_tickets (get_support (self)), ld_session_get_user_id (self->session));

  if (own == self->own)
    return;

  if (self->own != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->own, self);
      g_clear_object (&self->own);
    }
  if (own != NULL)
    {
      self->own = g_object_ref (own);
      g_signal_connect_object (own, "notify::unread-count", G_CALLBACK (on_ticket_unread), self, G_CONNECT_SWAPPED);
      /* The topic carries on from where the conversation is, unless picked. */
      if (!self->type_chosen)
        {
          ld_support_view_set_support_type (self, ld_ticket_get_support_type (own));
          self->type_chosen = FALSE;
        }
    }
  ld_support_conversation_set_messages (self->user_conversation, own ? ld_ticket_get_messages (own) : NULL);
  mark_seen (self, FALSE);
}

static void
on_tickets_changed (LdSupportView *self,
                    guint          position,
                    guint          removed,
                    guint          added,
                    GListModel    *tickets)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(LdTicket) ticket = g_list_model_get_item (tickets, i);

      /* A ticket moving to the top comes back as added: watch it once. */
      if (g_signal_handler_find (ticket, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA, 0, 0, NULL,
                                 on_resolved_changed, self) == 0)
        g_signal_connect_object (ticket, "notify::resolved", G_CALLBACK (on_resolved_changed), self,
                                 G_CONNECT_SWAPPED);
    }
  update_own (self);
}

static void
update_can_send (LdSupportView *self)
{
  LdSessionState state = self->session ? ld_session_get_state (self->session) : LD_SESSION_STATE_OFFLINE;
  /* Requests made while (re)connecting wait for the connection. */
  gboolean can_send = state != LD_SESSION_STATE_OFFLINE && state != LD_SESSION_STATE_SIGNED_OUT;

  ld_support_conversation_set_can_send (self->user_conversation, can_send, _("Not connected"));
  ld_support_conversation_set_can_send (self->admin_conversation, can_send, _("Not connected"));
}

static void
update_mode (LdSupportView *self)
{
  gboolean admin = self->session != NULL && ld_session_get_user_id (self->session) != NULL &&
                   ld_session_get_role (self->session) == LD_ROLE_ADMIN;

  update_can_send (self);
  if (admin != self->admin)
    {
      self->admin = admin;
      if (!admin)
        set_current (self, NULL);
    }
  gtk_stack_set_visible_child_name (self->mode_stack, self->admin ? "admin" : "user");
  ld_support_conversation_set_admin_tools (self->admin_conversation, self->admin);
  /* A user back after a restart finds their conversation on the server. */
  if (self->session == NULL || ld_session_get_state (self->session) != LD_SESSION_STATE_ONLINE)
    self->asked_own = FALSE;
  else if (!self->admin && !self->asked_own && ld_session_get_user_id (self->session) != NULL)
    {
      self->asked_own = TRUE;
      if (ld_ticket_model_lookup (ld_support_get_tickets (get_support (self)), ld_session_get_user_id (self->session)) == NULL)
        ld_support_get_ticket_async (get_support (self), NULL, ld_support_view_get_support_type (self),
                                     self->cancellable, on_history_loaded, NULL);
    }
  {
    const char *admin_id = self->admin ? ld_session_get_user_id (self->session) : NULL;

    if (g_strcmp0 (admin_id, ld_ticket_replies_get_admin (self->replies)) != 0)
      ld_ticket_replies_set_admin (self->replies, admin_id);
  }
  update_own (self);
}

static void
on_session_notify (LdSupportView *self,
                   GParamSpec    *pspec)
{
  if (g_str_equal (pspec->name, "role") || g_str_equal (pspec->name, "user-id") ||
      g_str_equal (pspec->name, "state"))
    update_mode (self);
}

static void
on_user_sent (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LdSupportView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *ticket_id = ld_support_contact_support_finish (LD_SUPPORT (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (ticket_id == NULL)
    ld_support_conversation_refuse (self->user_conversation, error->message);
  else
    ld_support_conversation_accept (self->user_conversation);
}

static void
on_user_send (LdSupportView         *self,
              const char            *text,
              LdSupportConversation *conversation)
{
  if (self->session == NULL)
    {
      ld_support_conversation_refuse (conversation, _("Not signed in"));
      return;
    }
  ld_support_contact_support_async (get_support (self), text, ld_support_view_get_support_type (self),
                                    self->cancellable, on_user_sent, g_object_ref (self));
}

static void
on_admin_sent (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(LdSupportView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (ld_support_reply_in_ticket_finish (LD_SUPPORT (object), result, &error))
    ld_support_conversation_accept (self->admin_conversation);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ld_support_conversation_refuse (self->admin_conversation, error->message);
}

static void
on_admin_send (LdSupportView         *self,
               const char            *text,
               LdSupportConversation *conversation)
{
  if (self->session == NULL || self->current == NULL || ld_ticket_get_ticket_id (self->current) == NULL)
    {
      ld_support_conversation_refuse (conversation, _("No request is open"));
      return;
    }
  if (ld_support_conversation_get_note (conversation))
    ld_support_add_ticket_note_async (get_support (self), ld_ticket_get_ticket_id (self->current), text,
                                      self->cancellable, on_admin_sent, g_object_ref (self));
  else
    ld_support_reply_in_ticket_async (get_support (self), ld_ticket_get_ticket_id (self->current), text,
                                      self->cancellable, on_admin_sent, g_object_ref (self));
}

static void
on_filter_toggled (LdSupportView *self)
{
  ld_support_view_set_show_resolved (self, gtk_toggle_button_get_active (self->resolved_toggle));
}

static void
on_folded_changed (LdSupportView *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), adw_leaflet_get_folded (self->leaflet));
}

static void
on_leaflet_child_changed (LdSupportView *self)
{
  mark_seen (self, TRUE);
}

static void
on_back_clicked (LdSupportView *self)
{
  adw_leaflet_set_visible_child (self->leaflet, self->sidebar);
}

static void
on_conversation_map (LdSupportView *self)
{
  /* Coming to the page is looking at it. */
  mark_seen (self, TRUE);
}

static void
on_type_selected (LdSupportView *self)
{
  self->type_chosen = TRUE;
  /* A user back after a restart finds their conversation on that topic. */
  if (self->session != NULL && !self->admin && ld_session_get_state (self->session) == LD_SESSION_STATE_ONLINE &&
      (self->own == NULL ||
       g_strcmp0 (ld_ticket_get_support_type (self->own), ld_support_view_get_support_type (self)) != 0))
    ld_support_get_ticket_async (get_support (self), NULL, ld_support_view_get_support_type (self),
                                 self->cancellable, on_history_loaded, NULL);
}

static void
on_window_active (LdSupportView *self)
{
  mark_seen (self, FALSE);
}

static void
on_ticket_changed (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(LdSupportView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ld_support_change_ticket_finish (LD_SUPPORT (object), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Said where the admin looks, under the name. */
      gtk_label_set_text (self->detail_subtitle, error->message);
      gtk_widget_error_bell (GTK_WIDGET (self));
    }
}

static void
on_older_loaded (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(LdSupportView) self = user_data;
  g_autoptr(GError) error = NULL;

  self->loading_older = FALSE;
  if (!ld_support_load_tickets_finish (LD_SUPPORT (object), result, &error) && error != NULL &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_debug ("Older tickets did not come: %s", error->message);
}

/* Scrolled to the end of the list: the next older page, once at a time. */
static void
on_list_edge_reached (LdSupportView   *self,
                      GtkPositionType  position)
{
  if (position == GTK_POS_BOTTOM)
    ld_support_view_load_older (self);
}

static void
toggle_resolved_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  LdSupportView *self = LD_SUPPORT_VIEW (widget);

  if (self->current == NULL || self->session == NULL || ld_ticket_get_ticket_id (self->current) == NULL)
    return;
  /* The server's state is every admin's: the ticket changes when it answers. */
  ld_support_change_ticket_async (get_support (self), ld_ticket_get_ticket_id (self->current),
                                  ld_ticket_get_resolved (self->current) ? LD_TICKET_CHANGE_REOPEN
                                                                         : LD_TICKET_CHANGE_RESOLVE,
                                  self->cancellable, on_ticket_changed, g_object_ref (self));
}

static void
claim_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  LdSupportView *self = LD_SUPPORT_VIEW (widget);

  if (self->current == NULL || self->session == NULL || ld_ticket_get_ticket_id (self->current) == NULL)
    return;
  ld_support_change_ticket_async (get_support (self), ld_ticket_get_ticket_id (self->current), LD_TICKET_CHANGE_CLAIM,
                                  self->cancellable, on_ticket_changed, g_object_ref (self));
}

/* The canned replies' menu: insert one, or keep what is typed as one. */
static void
update_canned_menu (LdSupportView *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) insert = g_menu_new ();
  g_autoptr(GMenu) save = g_menu_new ();

  for (guint slot = 1; slot <= LD_TICKET_REPLIES_N_SLOTS; slot++)
    {
      const char *text = ld_ticket_replies_get (self->replies, slot);
      g_autoptr(GMenuItem) item = NULL;
      g_autofree char *label = NULL;
      g_autofree char *shown = NULL;

      if (text != NULL)
        {
          /* One line of it: the menu is for recognising, not reading. */
          shown = g_utf8_substring (text, 0, MIN (g_utf8_strlen (text, -1), 40));
          g_strdelimit (shown, "\n\r\t", ' ');
          /* Translators: a canned reply in the menu: its shortcut's digit and its start. */
          label = g_strdup_printf (_("%u. %s"), slot, shown);
          item = g_menu_item_new (label, NULL);
          g_menu_item_set_action_and_target_value (item, "support.insert-reply", g_variant_new_int32 (slot));
          g_menu_append_item (insert, item);
          g_clear_object (&item);
          g_clear_pointer (&label, g_free);
        }
      /* Translators: keeps the typed text as the canned reply of that digit (Ctrl+digit). */
      label = text != NULL ? g_strdup_printf (_("Replace %u"), slot) : g_strdup_printf (_("Keep as %u"), slot);
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target_value (item, "support.save-reply", g_variant_new_int32 (slot));
      g_menu_append_item (save, item);
    }
  if (g_menu_model_get_n_items (G_MENU_MODEL (insert)) == 0)
    {
      g_autoptr(GMenuItem) none = g_menu_item_new (_("No canned replies yet: type one, then keep it"), "support.none");

      g_menu_append_item (insert, none);
    }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (insert));
  g_menu_append_submenu (menu, _("Keep the Text as a Canned Reply"), G_MENU_MODEL (save));
  ld_support_conversation_set_canned_menu (self->admin_conversation, G_MENU_MODEL (menu));
}

static void
insert_reply_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  LdSupportView *self = LD_SUPPORT_VIEW (widget);
  int slot = g_variant_get_int32 (parameter);
  const char *text;

  if (!self->admin || self->current == NULL || slot < 1 || slot > LD_TICKET_REPLIES_N_SLOTS ||
      (text = ld_ticket_replies_get (self->replies, slot)) == NULL)
    {
      gtk_widget_error_bell (widget);
      return;
    }
  ld_support_conversation_insert_text (self->admin_conversation, text);
}

static void
save_reply_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  LdSupportView *self = LD_SUPPORT_VIEW (widget);
  g_autoptr(GError) error = NULL;
  const char *text = ld_support_conversation_get_text (self->admin_conversation);
  int slot = g_variant_get_int32 (parameter);

  if (!self->admin || slot < 1 || slot > LD_TICKET_REPLIES_N_SLOTS || text == NULL || text[0] == '\0')
    {
      gtk_widget_error_bell (widget);
      return;
    }
  if (!ld_ticket_replies_set (self->replies, slot, text, &error))
    ld_support_conversation_refuse (self->admin_conversation, error->message);
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  on_back_clicked (LD_SUPPORT_VIEW (widget));
}

static void
ld_support_view_root (GtkWidget *widget)
{
  LdSupportView *self = LD_SUPPORT_VIEW (widget);
  GtkRoot *root;

  GTK_WIDGET_CLASS (ld_support_view_parent_class)->root (widget);

  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root))
    {
      self->window = GTK_WINDOW (root);
      g_signal_connect_object (root, "notify::is-active", G_CALLBACK (on_window_active), self, G_CONNECT_SWAPPED);
    }
}

static void
ld_support_view_unroot (GtkWidget *widget)
{
  LdSupportView *self = LD_SUPPORT_VIEW (widget);

  if (self->window != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->window, on_window_active, self);
      self->window = NULL;
    }

  GTK_WIDGET_CLASS (ld_support_view_parent_class)->unroot (widget);
}

static void
ld_support_view_dispose (GObject *object)
{
  LdSupportView *self = LD_SUPPORT_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  ld_support_view_set_session (self, NULL);
  if (self->ticket_list != NULL)
    gtk_list_box_bind_model (self->ticket_list, NULL, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_SUPPORT_VIEW);
  g_clear_object (&self->shown);
  g_clear_object (&self->filter);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->replies);

  G_OBJECT_CLASS (ld_support_view_parent_class)->dispose (object);
}

static void
ld_support_view_class_init (LdSupportViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_support_view_dispose;
  widget_class->root = ld_support_view_root;
  widget_class->unroot = ld_support_view_unroot;

  g_type_ensure (LD_TYPE_SUPPORT_CONVERSATION);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/livedesk/Livedesk/ui/ld-support-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LdSupportView, mode_stack);
  gtk_widget_class_bind_template_child (widget_class, LdSupportView, type_row);
  gtk_widget_class_bind_template_child (widget_class, LdSupportView, user_conversation);
  gtk_widget_class_bind_template_child (widget_class, LdSupportView, leaflet);
  gtk_widget_class_bind_template_child (widget_class, LdSupportView, sidebar);
  gtk_widget_class_bind_template_child (widget_class, LdSupportView, open_toggle);
  gtk_widget_class_bind_template_child (widget_class, LdSupportView, resolved_toggle);
  gtk_widget_class_bind_template_child (widget_class, LdSupportView, list_stack);
  gtk_widget_class_bind_template_child (widget_class, LdSupportView, ticket_list);
  gtk_widget_class_bind_template_child (widget_class, LdSupportView, list_empty_page);
  gtk_widget_class_bind_template_child (widget_class, LdSupportView, detail);
  gtk_widget_class_bind_template_child (widget_class, LdSupportView, back_button);
  gtk_widget_class_bind_template_child (widget_class, LdSupportView, detail_title);
  gtk_widget_class_bind_template_child (widget_class, LdSupportView, detail_subtitle);
  gtk_widget_class_bind_template_child (widget_class, LdSupportView, claim_button);
  gtk_widget_class_bind_template_child (widget_class, LdSupportView, resolve_button);
  gtk_widget_class_bind_template_child (widget_class, LdSupportView, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, LdSupportView, admin_conversation);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_folded_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_leaflet_child_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_list_edge_reached);

  gtk_widget_class_install_action (widget_class, "support.toggle-resolved", NULL, toggle_resolved_action);
  gtk_widget_class_install_action (widget_class, "support.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "support.claim", NULL, claim_action);
  gtk_widget_class_install_action (widget_class, "support.insert-reply", "i", insert_reply_action);
  gtk_widget_class_install_action (widget_class, "support.save-reply", "i", save_reply_action);
  for (guint i = 0; i < LD_TICKET_REPLIES_N_SLOTS; i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_CONTROL_MASK, "support.insert-reply",
                                         "i", (gint32) (i + 1));
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "support.back", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "supportview");
}

static void
ld_support_view_init (LdSupportView *self)
{
  const char * const *types = ld_support_type_list ();
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  self->cancellable = g_cancellable_new ();
  self->replies = ld_ticket_replies_new (NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_object (self->replies, "changed", G_CALLBACK (update_canned_menu), self, G_CONNECT_SWAPPED);
  update_canned_menu (self);

  for (guint i = 0; types[i] != NULL; i++)
    gtk_string_list_append (names, ld_support_type_name (types[i]));
  adw_combo_row_set_model (self->type_row, G_LIST_MODEL (names));
  g_signal_connect_object (self->type_row, "notify::selected", G_CALLBACK (on_type_selected), self,
                           G_CONNECT_SWAPPED);
  self->type_chosen = FALSE;

  self->filter = gtk_custom_filter_new (filter_ticket, self, NULL);
  self->shown = gtk_filter_list_model_new (NULL, g_object_ref (GTK_FILTER (self->filter)));
  gtk_list_box_bind_model (self->ticket_list, G_LIST_MODEL (self->shown), create_row, self, NULL);
  /* After the list box's own handler, so the rows exist. */
  g_signal_connect_object (self->shown, "items-changed", G_CALLBACK (on_shown_changed), self, G_CONNECT_SWAPPED);

  ld_support_conversation_set_empty_state (self->user_conversation, "help-browser-symbolic",
                                           _("Chat with an Admin"),
                                           _("Ask the platform’s admins about payments, your account or a problem "
                                             "with the app. Only admins read this conversation, and their answers "
                                             "appear here."));
  ld_support_conversation_set_placeholder (self->user_conversation, _("Describe what you need help with…"));
  ld_support_conversation_set_empty_state (self->admin_conversation, "help-browser-symbolic",
                                           _("No Messages"), NULL);
  ld_support_conversation_set_placeholder (self->admin_conversation, _("Write a reply…"));
  g_signal_connect_object (self->user_conversation, "send", G_CALLBACK (on_user_send), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->admin_conversation, "send", G_CALLBACK (on_admin_send), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->user_conversation, "map", G_CALLBACK (on_conversation_map), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->admin_conversation, "map", G_CALLBACK (on_conversation_map), self,
                           G_CONNECT_SWAPPED);

  on_folded_changed (self);
  update_list_stack (self);
  update_detail (self);
  update_mode (self);
}

GtkWidget *
ld_support_view_new (void)
{
  return g_object_new (LD_TYPE_SUPPORT_VIEW, NULL);
}

LdSession *
ld_support_view_get_session (LdSupportView *self)
{
  g_return_val_if_fail (LD_IS_SUPPORT_VIEW (self), NULL);
  return self->session;
}

void
ld_support_view_set_session (LdSupportView *self,
                             LdSession     *session)
{
  g_return_if_fail (LD_IS_SUPPORT_VIEW (self));
  g_return_if_fail (session == NULL || LD_IS_SESSION (session));

  if (self->session == session)
    return;

  if (self->session != NULL)
    {
      LdTicketModel *tickets = ld_support_get_tickets (get_support (self));

      g_signal_handlers_disconnect_by_data (self->session, self);
      g_signal_handlers_disconnect_by_data (tickets, self);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (tickets)); i++)
        {
          g_autoptr(LdTicket) ticket = g_list_model_get_item (G_LIST_MODEL (tickets), i);

          g_signal_handlers_disconnect_by_data (ticket, self);
        }
      g_clear_object (&self->session);
    }
  set_current (self, NULL);
  self->type_chosen = FALSE;

  if (session != NULL)
    {
      GListModel *tickets = G_LIST_MODEL (ld_support_get_tickets (ld_session_get_support (session)));

      self->session = g_object_ref (session);
      g_signal_connect_object (session, "notify", G_CALLBACK (on_session_notify), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (tickets, "items-changed", G_CALLBACK (on_tickets_changed), self, G_CONNECT_SWAPPED);
      on_tickets_changed (self, 0, 0, g_list_model_get_n_items (tickets), tickets);
    }
  if (self->shown != NULL)
    gtk_filter_list_model_set_model (self->shown,
                                     session ? G_LIST_MODEL (ld_support_get_tickets (ld_session_get_support (session))) : NULL);
  update_mode (self);
}

gboolean
ld_support_view_get_admin (LdSupportView *self)
{
  g_return_val_if_fail (LD_IS_SUPPORT_VIEW (self), FALSE);
  return self->admin;
}

LdSupportConversation *
ld_support_view_get_conversation (LdSupportView *self)
{
  g_return_val_if_fail (LD_IS_SUPPORT_VIEW (self), NULL);
  return self->admin ? self->admin_conversation : self->user_conversation;
}

GtkListBox *
ld_support_view_get_ticket_list (LdSupportView *self)
{
  g_return_val_if_fail (LD_IS_SUPPORT_VIEW (self), NULL);
  return self->ticket_list;
}

gboolean
ld_support_view_open_ticket (LdSupportView *self,
                             const char    *user_id)
{
  LdTicket *ticket;

  g_return_val_if_fail (LD_IS_SUPPORT_VIEW (self), FALSE);
  g_return_val_if_fail (user_id != NULL, FALSE);

  if (self->session == NULL || !self->admin ||
      (ticket = ld_ticket_model_lookup (ld_support_get_tickets (get_support (self)), user_id)) == NULL)
    return FALSE;

  ld_support_view_set_show_resolved (self, ld_ticket_get_resolved (ticket));
  show_ticket (self, ticket);
  return TRUE;
}

LdTicket *
ld_support_view_get_current_ticket (LdSupportView *self)
{
  g_return_val_if_fail (LD_IS_SUPPORT_VIEW (self), NULL);
  return self->current;
}

gboolean
ld_support_view_get_show_resolved (LdSupportView *self)
{
  g_return_val_if_fail (LD_IS_SUPPORT_VIEW (self), FALSE);
  return self->show_resolved;
}

void
ld_support_view_set_show_resolved (LdSupportView *self,
                                   gboolean       show_resolved)
{
  g_return_if_fail (LD_IS_SUPPORT_VIEW (self));

  show_resolved = !!show_resolved;
  gtk_toggle_button_set_active (show_resolved ? self->resolved_toggle : self->open_toggle, TRUE);
  if (self->show_resolved == show_resolved)
    return;

  self->show_resolved = show_resolved;
  gtk_filter_changed (GTK_FILTER (self->filter),
                      GTK_FILTER_CHANGE_DIFFERENT);
  update_list_stack (self);
}

const char *
ld_support_view_get_support_type (LdSupportView *self)
{
  const char * const *types = ld_support_type_list ();
  guint selected;

  g_return_val_if_fail (LD_IS_SUPPORT_VIEW (self), NULL);

  selected = adw_combo_row_get_selected (self->type_row);
  if (selected >= g_strv_length ((char **) types))
    return "general";
  return types[selected];
}

void
ld_support_view_set_support_type (LdSupportView *self,
                                  const char    *support_type)
{
  const char * const *types = ld_support_type_list ();

  g_return_if_fail (LD_IS_SUPPORT_VIEW (self));

  for (guint i = 0; types[i] != NULL; i++)
    if (g_strcmp0 (types[i], support_type) == 0)
      {
        adw_combo_row_set_selected (self->type_row, i);
        return;
      }
}

gboolean
ld_support_view_load_older (LdSupportView *self)
{
  g_return_val_if_fail (LD_IS_SUPPORT_VIEW (self), FALSE);

  if (self->session == NULL || !self->admin || self->loading_older ||
      ld_ticket_model_get_next_before (ld_support_get_tickets (get_support (self))) == NULL)
    return FALSE;
  self->loading_older = TRUE;
  ld_support_load_tickets_async (get_support (self), TRUE, self->cancellable, on_older_loaded, g_object_ref (self));
  return TRUE;
}
