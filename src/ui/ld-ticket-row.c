/* ld-ticket-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "ld-support-type.h"
#include "ld-ticket-row.h"

struct _LdTicketRow
{
  GtkListBoxRow  parent_instance;

  GtkWidget     *dot;
  GtkLabel      *name_label;
  GtkLabel      *time_label;
  GtkLabel      *type_label;
  GtkLabel      *preview_label;

  GtkLabel      *assignee_label;
  LdTicket      *ticket;
};

G_DEFINE_FINAL_TYPE (LdTicketRow, ld_ticket_row, GTK_TYPE_LIST_BOX_ROW)

static void
update (LdTicketRow *self)
{
  GListModel *messages = ld_ticket_get_messages (self->ticket);
  guint n = g_list_model_get_n_items (messages);
  gboolean unread = ld_ticket_get_unread_count (self->ticket) > 0;
  g_autoptr(GDateTime) local = g_date_time_to_local (ld_ticket_get_updated (self->ticket));
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *time = NULL;
  g_autofree char *preview = NULL;
  g_autofree char *a11y = NULL;

  gtk_label_set_text (self->name_label, ld_ticket_get_username (self->ticket));
  gtk_label_set_text (self->type_label, ld_support_type_name (ld_ticket_get_support_type (self->ticket)));

  if (g_date_time_get_year (local) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    /* Translators: a message's time, see strftime(3). */
    time = g_date_time_format (local, _("%H:%M"));
  else
    /* Translators: the day of a ticket's latest message when not today, see strftime(3). */
    time = g_date_time_format (local, _("%b %e"));
  gtk_label_set_text (self->time_label, time);

  if (n > 0)
    {
      g_autoptr(LdMessage) last = g_list_model_get_item (messages, n - 1);
      const char *text = ld_message_get_text (last) != NULL ? ld_message_get_text (last) : "";

      /* One line: the list shows where the conversation stands, not all of it. */
      preview = ld_message_get_is_own (last) ? g_strdup_printf (_("You: %s"), text) : g_strdup (text);
      g_strdelimit (preview, "\n\r\t", ' ');
    }
  gtk_label_set_text (self->preview_label, preview != NULL ? preview : "");

  /* Who has it, so two admins do not answer the same user. */
  {
    const char *assignee = ld_ticket_get_assignee (self->ticket);
    g_autofree char *owner = assignee != NULL ? g_strdup_printf (_("Claimed by %s"), assignee) : NULL;

    gtk_label_set_text (self->assignee_label, owner != NULL ? owner : _("Unclaimed"));
    if (assignee != NULL)
      gtk_widget_remove_css_class (GTK_WIDGET (self->assignee_label), "dim-label");
    else
      gtk_widget_add_css_class (GTK_WIDGET (self->assignee_label), "dim-label");
  }

  /* The dot keeps its place when read, so names line up. */
  if (unread)
    gtk_widget_add_css_class (self->dot, "shown");
  else
    gtk_widget_remove_css_class (self->dot, "shown");
  if (unread)
    gtk_widget_add_css_class (GTK_WIDGET (self), "unread");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "unread");

  /* The dot and bold type are visual only: say it in words too. */
  if (unread)
    a11y = g_strdup_printf (_("%s, %s, %s, unread"), ld_ticket_get_username (self->ticket),
                            ld_support_type_name (ld_ticket_get_support_type (self->ticket)),
                            gtk_label_get_text (self->assignee_label));
  else
    a11y = g_strdup_printf ("%s, %s, %s", ld_ticket_get_username (self->ticket),
                            ld_support_type_name (ld_ticket_get_support_type (self->ticket)),
                            gtk_label_get_text (self->assignee_label));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
}

static void
on_ticket_notify (LdTicketRow *self)
{
  update (self);
}

static void
ld_ticket_row_dispose (GObject *object)
{
  LdTicketRow *self = LD_TICKET_ROW (object);

  if (self->ticket != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->ticket, self);
      g_signal_handlers_disconnect_by_data (ld_ticket_get_messages (self->ticket), self);
      g_clear_object (&self->ticket);
    }

  G_OBJECT_CLASS (ld_ticket_row_parent_class)->dispose (object);
}

static void
ld_ticket_row_class_init (LdTicketRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ld_ticket_row_dispose;
}

static GtkLabel *
add_label (GtkWidget  *box,
           const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (GTK_BOX (box), label);
  return GTK_LABEL (label);
}

static void
ld_ticket_row_init (LdTicketRow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *bottom = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  gtk_widget_add_css_class (GTK_WIDGET (self), "ticket-row");
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_box_append (GTK_BOX (box), top);
  gtk_box_append (GTK_BOX (box), bottom);

  self->dot = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_add_css_class (self->dot, "unread-dot");
  gtk_widget_set_valign (self->dot, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (top), self->dot);
  self->name_label = add_label (top, "ticket-name");
  gtk_widget_set_hexpand (GTK_WIDGET (self->name_label), TRUE);
  self->time_label = add_label (top, "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->time_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->time_label), "numeric");

  self->type_label = add_label (bottom, "support-type");
  gtk_widget_set_valign (GTK_WIDGET (self->type_label), GTK_ALIGN_CENTER);
  self->preview_label = add_label (bottom, "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->preview_label), "dim-label");
  gtk_widget_set_hexpand (GTK_WIDGET (self->preview_label), TRUE);

  self->assignee_label = add_label (box, "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->assignee_label), "ticket-assignee");

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (self), box);
}

GtkWidget *
ld_ticket_row_new (LdTicket *ticket)
{
  LdTicketRow *self;

  g_return_val_if_fail (LD_IS_TICKET (ticket), NULL);

  self = g_object_new (LD_TYPE_TICKET_ROW, NULL);
  self->ticket = g_object_ref (ticket);
  g_signal_connect_object (ticket, "notify", G_CALLBACK (on_ticket_notify), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (ld_ticket_get_messages (ticket), "items-changed", G_CALLBACK (on_ticket_notify), self,
                           G_CONNECT_SWAPPED);
  update (self);
  return GTK_WIDGET (self);
}

LdTicket *
ld_ticket_row_get_ticket (LdTicketRow *self)
{
  g_return_val_if_fail (LD_IS_TICKET_ROW (self), NULL);
  return self->ticket;
}

gboolean
ld_ticket_row_get_unread (LdTicketRow *self)
{
  g_return_val_if_fail (LD_IS_TICKET_ROW (self), FALSE);
  return gtk_widget_has_css_class (GTK_WIDGET (self), "unread") && gtk_widget_has_css_class (self->dot, "shown");
}

const char *
ld_ticket_row_get_type_text (LdTicketRow *self)
{
  g_return_val_if_fail (LD_IS_TICKET_ROW (self), NULL);
  return gtk_label_get_text (self->type_label);
}

const char *
ld_ticket_row_get_assignee_text (LdTicketRow *self)
{
  g_return_val_if_fail (LD_IS_TICKET_ROW (self), NULL);
  return gtk_label_get_text (self->assignee_label);
}
