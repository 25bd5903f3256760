/* ld-support-bubble.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "ld-support-bubble.h"
#include "ld-ticket.h"

/* Long messages wrap in a column that stays readable on a wide window. */
#define MAX_BUBBLE_WIDTH_PX 520

struct _LdSupportBubble
{
  GtkWidget  parent_instance;

  GtkWidget *box;
  GtkLabel  *name_label;
  GtkLabel  *text_label;
  GtkLabel  *status_label;

  LdMessage *message;
  gulong     state_handler;
  gboolean   show_name;
};

G_DEFINE_FINAL_TYPE (LdSupportBubble, ld_support_bubble, GTK_TYPE_WIDGET)

static void
update_status (LdSupportBubble *self)
{
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *time = NULL;
  g_autofree char *text = NULL;

  gtk_widget_remove_css_class (self->box, "pending");
  gtk_widget_remove_css_class (self->box, "failed");
  if (self->message == NULL)
    {
      gtk_label_set_text (self->status_label, "");
      return;
    }

  local = g_date_time_to_local (ld_message_get_timestamp (self->message));
  /* Translators: a message's time, see strftime(3). */
  time = g_date_time_format (local, _("%H:%M"));

  switch (ld_message_get_state (self->message))
    {
    case LD_MESSAGE_STATE_PENDING:
      gtk_widget_add_css_class (self->box, "pending");
      text = g_strdup (_("Sending…"));
      break;
    case LD_MESSAGE_STATE_FAILED:
      gtk_widget_add_css_class (self->box, "failed");
      if (ld_message_get_failure_reason (self->message) != NULL)
        /* Translators: under a support message the server refused, with its reason. */
        text = g_strdup_printf (_("Not sent: %s"), ld_message_get_failure_reason (self->message));
      else
        text = g_strdup (_("Not sent"));
      break;
    case LD_MESSAGE_STATE_SENT:
    case LD_MESSAGE_STATE_DELETED:
    default:
      text = g_steal_pointer (&time);
      break;
    }
  gtk_label_set_text (self->status_label, text);
}

static void
on_state_changed (LdSupportBubble *self)
{
  update_status (self);
}

static void
ld_support_bubble_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  LdSupportBubble *self = LD_SUPPORT_BUBBLE (widget);

  if (orientation == GTK_ORIENTATION_VERTICAL && for_size > MAX_BUBBLE_WIDTH_PX)
    for_size = MAX_BUBBLE_WIDTH_PX;
  gtk_widget_measure (self->box, orientation, for_size, minimum, natural, minimum_baseline, natural_baseline);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *natural = MAX (*minimum, MIN (*natural, MAX_BUBBLE_WIDTH_PX));
}

static void
ld_support_bubble_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  gtk_widget_allocate (LD_SUPPORT_BUBBLE (widget)->box, width, height, baseline, NULL);
}

static GtkSizeRequestMode
ld_support_bubble_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
ld_support_bubble_dispose (GObject *object)
{
  LdSupportBubble *self = LD_SUPPORT_BUBBLE (object);

  ld_support_bubble_set_message (self, NULL);
  g_clear_pointer (&self->box, gtk_widget_unparent);

  G_OBJECT_CLASS (ld_support_bubble_parent_class)->dispose (object);
}

static void
ld_support_bubble_class_init (LdSupportBubbleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_support_bubble_dispose;

  widget_class->measure = ld_support_bubble_measure;
  widget_class->size_allocate = ld_support_bubble_size_allocate;
  widget_class->get_request_mode = ld_support_bubble_get_request_mode;
  gtk_widget_class_set_css_name (widget_class, "supportbubble");
}

static void
ld_support_bubble_init (LdSupportBubble *self)
{
  self->show_name = TRUE;
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_add_css_class (self->box, "bubble");
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  self->name_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->name_label, 0);
  gtk_label_set_ellipsize (self->name_label, PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (GTK_WIDGET (self->name_label), "caption-heading");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->name_label));

  self->text_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->text_label, 0);
  gtk_label_set_wrap (self->text_label, TRUE);
  gtk_label_set_wrap_mode (self->text_label, PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (self->text_label, TRUE);
  gtk_label_set_max_width_chars (self->text_label, 48);
  gtk_widget_add_css_class (GTK_WIDGET (self->text_label), "message-text");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->text_label));

  self->status_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->status_label, 1);
  gtk_label_set_wrap (self->status_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "status");
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->status_label));
}

GtkWidget *
ld_support_bubble_new (void)
{
  return g_object_new (LD_TYPE_SUPPORT_BUBBLE, NULL);
}

LdMessage *
ld_support_bubble_get_message (LdSupportBubble *self)
{
  g_return_val_if_fail (LD_IS_SUPPORT_BUBBLE (self), NULL);
  return self->message;
}

void
ld_support_bubble_set_message (LdSupportBubble *self,
                               LdMessage       *message)
{
  gboolean own;

  g_return_if_fail (LD_IS_SUPPORT_BUBBLE (self));
  g_return_if_fail (message == NULL || LD_IS_MESSAGE (message));

  if (self->message == message)
    return;

  if (self->message != NULL)
    {
      g_clear_signal_handler (&self->state_handler, self->message);
      g_clear_object (&self->message);
    }
  if (message == NULL)
    return;

  self->message = g_object_ref (message);
  self->state_handler = g_signal_connect_object (message, "notify::state", G_CALLBACK (on_state_changed), self,
                                                 G_CONNECT_SWAPPED);

  own = ld_message_get_is_own (message);
  /* Theirs on the left, ours on the right, as in any messenger. */
  gtk_widget_set_halign (GTK_WIDGET (self), own ? GTK_ALIGN_END : GTK_ALIGN_START);
  if (own)
    gtk_widget_add_css_class (self->box, "own");
  else
    gtk_widget_remove_css_class (self->box, "own");
  if (ld_ticket_message_is_internal (message))
    {
      /* A note looks unlike anything the user could have been sent. */
      g_autofree char *heading = own ? g_strdup (_("Internal note"))
                                     /* Translators: the admin who wrote an internal note on a ticket. */
                                     : g_strdup_printf (_("Internal note · %s"), ld_message_get_username (message));

      gtk_widget_add_css_class (self->box, "internal-note");
      gtk_widget_set_visible (GTK_WIDGET (self->name_label), TRUE);
      gtk_label_set_text (self->name_label, heading);
    }
  else
    {
      gtk_widget_remove_css_class (self->box, "internal-note");
      gtk_widget_set_visible (GTK_WIDGET (self->name_label), !own && self->show_name);
      gtk_label_set_text (self->name_label, ld_message_get_username (message));
    }
  gtk_label_set_text (self->text_label, ld_message_get_text (message) ? ld_message_get_text (message) : "");
  update_status (self);
}

const char *
ld_support_bubble_get_status (LdSupportBubble *self)
{
  g_return_val_if_fail (LD_IS_SUPPORT_BUBBLE (self), NULL);
  return gtk_label_get_text (self->status_label);
}

void
ld_support_bubble_set_show_name (LdSupportBubble *self,
                                 gboolean         show_name)
{
  g_return_if_fail (LD_IS_SUPPORT_BUBBLE (self));

  self->show_name = !!show_name;
  gtk_widget_set_visible (GTK_WIDGET (self->name_label),
                          self->message != NULL &&
                          (ld_ticket_message_is_internal (self->message) ||
                           (self->show_name && !ld_message_get_is_own (self->message))));
}

gboolean
ld_support_bubble_get_internal (LdSupportBubble *self)
{
  g_return_val_if_fail (LD_IS_SUPPORT_BUBBLE (self), FALSE);
  return gtk_widget_has_css_class (self->box, "internal-note");
}
