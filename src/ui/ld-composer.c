/* ld-composer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "ld-composer.h"

struct _LdComposer
{
  GtkWidget        parent_instance;

  GtkWidget       *box;
  GtkWidget       *sanction_box;
  GtkLabel        *sanction_label;
  GtkLabel        *sanction_reason_label;
  GtkRevealer     *feedback_revealer;
  GtkLabel        *feedback_label;
  GtkToggleButton *image_toggle;
  GtkEntry        *entry;
  GtkLabel        *counter_label;
  GtkWidget       *send_button;

  char            *refusal;
  guint            countdown;
  guint            countdown_source;
  gboolean         can_send;
  char            *hint;

  LdSanction       sanction;
  GDateTime       *sanction_until;
  char            *sanction_reason;
  guint            sanction_source;
};

G_DEFINE_FINAL_TYPE (LdComposer, ld_composer, GTK_TYPE_WIDGET)

enum {
  SEND,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
update_feedback (LdComposer *self)
{
  g_autofree char *text = NULL;

  if (self->refusal == NULL)
    {
      gtk_revealer_set_reveal_child (self->feedback_revealer, FALSE);
      return;
    }

  if (self->countdown > 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s You can send again in %u second.",
                                         "%s You can send again in %u seconds.", self->countdown),
                            self->refusal, self->countdown);
  else
    text = g_strdup (self->refusal);

  gtk_label_set_text (self->feedback_label, text);
  gtk_revealer_set_reveal_child (self->feedback_revealer, TRUE);
}

static gboolean
writable (LdComposer *self)
{
  return self->can_send && self->sanction == LD_SANCTION_NONE;
}

static void
update_sensitivity (LdComposer *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  glong chars = g_utf8_strlen (text, -1);
  gboolean image = gtk_toggle_button_get_active (self->image_toggle);
  g_autofree char *counter = NULL;

  counter = g_strdup_printf ("%ld/%d", chars, LD_COMPOSER_MAX_CHARS);
  gtk_label_set_text (self->counter_label, counter);
  gtk_widget_set_visible (GTK_WIDGET (self->counter_label), !image);

  if (!image && chars > LD_COMPOSER_MAX_CHARS)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->counter_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->entry), "error");
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->counter_label), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->entry), "error");
    }

  /* GtkText (4.8) warns if it turns insensitive while focused: let go first. */
  if (!writable (self) && gtk_widget_get_focus_child (GTK_WIDGET (self->entry)) != NULL &&
      gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    gtk_root_set_focus (gtk_widget_get_root (GTK_WIDGET (self)), NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->entry), writable (self));
  gtk_widget_set_sensitive (GTK_WIDGET (self->image_toggle), writable (self));
  gtk_widget_set_sensitive (self->send_button,
                            writable (self) && chars > 0 && self->countdown == 0 &&
                            (image || chars <= LD_COMPOSER_MAX_CHARS));
}

static void
clear_refusal (LdComposer *self)
{
  g_clear_pointer (&self->refusal, g_free);
  g_clear_handle_id (&self->countdown_source, g_source_remove);
  self->countdown = 0;
  update_feedback (self);
}

static gboolean
on_countdown (gpointer data)
{
  LdComposer *self = data;

  if (self->countdown > 0)
    self->countdown--;

  if (self->countdown == 0)
    {
      self->countdown_source = 0;
      clear_refusal (self);
      update_sensitivity (self);
      return G_SOURCE_REMOVE;
    }

  update_feedback (self);
  return G_SOURCE_CONTINUE;
}

static void
on_entry_activate (LdComposer *self)
{
  g_autofree char *text = NULL;

  if (!gtk_widget_get_sensitive (self->send_button))
    return;

  text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->entry)));
  g_signal_emit (self, signals[SEND], 0, text, gtk_toggle_button_get_active (self->image_toggle));
}

static void
on_entry_changed (LdComposer *self)
{
  if (self->countdown == 0 && self->refusal != NULL)
    clear_refusal (self);
  update_sensitivity (self);
}

static void
update_placeholder (LdComposer *self)
{
  gboolean image = gtk_toggle_button_get_active (self->image_toggle);

  if (self->sanction != LD_SANCTION_NONE)
    gtk_entry_set_placeholder_text (self->entry, gtk_label_get_text (self->sanction_label));
  else if (!self->can_send && self->hint != NULL)
    gtk_entry_set_placeholder_text (self->entry, self->hint);
  else
    gtk_entry_set_placeholder_text (self->entry,
                                    image ? _("Image link (https://i.imgur.com/…)") : _("Write a message…"));
}

/* "0:42", "12:05", "1:02:03". */
static char *
format_left (gint64 seconds)
{
  if (seconds >= 3600)
    return g_strdup_printf ("%d:%02d:%02d", (int) (seconds / 3600), (int) (seconds / 60 % 60), (int) (seconds % 60));
  return g_strdup_printf ("%d:%02d", (int) (seconds / 60), (int) (seconds % 60));
}

/* Whole seconds until the timeout ends, rounded up; 0 once it has. */
static gint64
seconds_left (LdComposer *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  GTimeSpan left;

  if (self->sanction_until == NULL)
    return 0;
  left = g_date_time_difference (self->sanction_until, now);
  return left <= 0 ? 0 : (left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
}

static void clear_sanction (LdComposer *self);

static void
update_sanction (LdComposer *self)
{
  g_autofree char *text = NULL;

  if (self->sanction == LD_SANCTION_NONE)
    {
      gtk_widget_set_visible (self->sanction_box, FALSE);
      return;
    }

  if (self->sanction == LD_SANCTION_BANNED && self->sanction_until == NULL)
    text = g_strdup (_("You are banned from this room"));
  else
    {
      g_autofree char *left = format_left (seconds_left (self));

      if (self->sanction == LD_SANCTION_BANNED)
        /* Translators: %s is the time left, "4:05" (minutes:seconds). */
        text = g_strdup_printf (_("You are banned from this room for %s more"), left);
      else
        /* Translators: %s is the time left, "0:42" (minutes:seconds). */
        text = g_strdup_printf (_("You can write again in %s"), left);
    }

  gtk_label_set_text (self->sanction_label, text);
  gtk_label_set_text (self->sanction_reason_label, self->sanction_reason ? self->sanction_reason : "");
  gtk_widget_set_visible (GTK_WIDGET (self->sanction_reason_label),
                          self->sanction_reason != NULL && *self->sanction_reason != '\0');
  gtk_widget_set_visible (self->sanction_box, TRUE);
}

static gboolean
on_sanction_tick (gpointer data)
{
  LdComposer *self = data;

  /* The session lifts it too, at the same moment; whichever is first. */
  if (seconds_left (self) == 0)
    {
      self->sanction_source = 0;
      clear_sanction (self);
      return G_SOURCE_REMOVE;
    }

  update_sanction (self);
  update_placeholder (self);
  return G_SOURCE_CONTINUE;
}

static void
clear_sanction (LdComposer *self)
{
  self->sanction = LD_SANCTION_NONE;
  g_clear_pointer (&self->sanction_until, g_date_time_unref);
  g_clear_pointer (&self->sanction_reason, g_free);
  g_clear_handle_id (&self->sanction_source, g_source_remove);
  update_sanction (self);
  update_placeholder (self);
  update_sensitivity (self);
}

static void
on_image_toggled (LdComposer *self)
{
  update_placeholder (self);
  update_sensitivity (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  on_entry_activate (LD_COMPOSER (widget));
}

static void
ld_composer_dispose (GObject *object)
{
  LdComposer *self = LD_COMPOSER (object);

  g_clear_handle_id (&self->countdown_source, g_source_remove);
  g_clear_handle_id (&self->sanction_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_COMPOSER);

  G_OBJECT_CLASS (ld_composer_parent_class)->dispose (object);
}

static void
ld_composer_finalize (GObject *object)
{
  LdComposer *self = LD_COMPOSER (object);

  g_clear_pointer (&self->refusal, g_free);
  g_clear_pointer (&self->hint, g_free);
  g_clear_pointer (&self->sanction_until, g_date_time_unref);
  g_clear_pointer (&self->sanction_reason, g_free);

  G_OBJECT_CLASS (ld_composer_parent_class)->finalize (object);
}

static gboolean
ld_composer_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (LD_COMPOSER (widget)->entry));
}

static void
ld_composer_class_init (LdComposerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_composer_dispose;
  object_class->finalize = ld_composer_finalize;
  widget_class->grab_focus = ld_composer_grab_focus;

  signals[SEND] = g_signal_new ("send", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_BOOLEAN);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/livedesk/Livedesk/ui/ld-composer.ui");
  gtk_widget_class_bind_template_child (widget_class, LdComposer, box);
  gtk_widget_class_bind_template_child (widget_class, LdComposer, sanction_box);
  gtk_widget_class_bind_template_child (widget_class, LdComposer, sanction_label);
  gtk_widget_class_bind_template_child (widget_class, LdComposer, sanction_reason_label);
  gtk_widget_class_bind_template_child (widget_class, LdComposer, feedback_revealer);
  gtk_widget_class_bind_template_child (widget_class, LdComposer, feedback_label);
  gtk_widget_class_bind_template_child (widget_class, LdComposer, image_toggle);
  gtk_widget_class_bind_template_child (widget_class, LdComposer, entry);
  gtk_widget_class_bind_template_child (widget_class, LdComposer, counter_label);
  gtk_widget_class_bind_template_child (widget_class, LdComposer, send_button);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_image_toggled);

  gtk_widget_class_install_action (widget_class, "composer.send", NULL, send_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "composer");
}

static void
ld_composer_init (LdComposer *self)
{
  self->can_send = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  update_sensitivity (self);
}

GtkWidget *
ld_composer_new (void)
{
  return g_object_new (LD_TYPE_COMPOSER, NULL);
}

const char *
ld_composer_get_text (LdComposer *self)
{
  g_return_val_if_fail (LD_IS_COMPOSER (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->entry));
}

void
ld_composer_set_text (LdComposer *self,
                      const char *text)
{
  g_return_if_fail (LD_IS_COMPOSER (self));
  gtk_editable_set_text (GTK_EDITABLE (self->entry), text ? text : "");
}

void
ld_composer_accept (LdComposer *self)
{
  g_return_if_fail (LD_IS_COMPOSER (self));

  clear_refusal (self);
  gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
  gtk_toggle_button_set_active (self->image_toggle, FALSE);
}

void
ld_composer_refuse (LdComposer *self,
                    const char *message,
                    guint       retry_in_seconds)
{
  g_return_if_fail (LD_IS_COMPOSER (self));
  g_return_if_fail (message != NULL);

  clear_refusal (self);
  self->refusal = g_strdup (message);
  self->countdown = retry_in_seconds;
  if (retry_in_seconds > 0)
    self->countdown_source = g_timeout_add_seconds (1, on_countdown, self);
  update_feedback (self);
  update_sensitivity (self);
}

const char *
ld_composer_get_feedback (LdComposer *self)
{
  g_return_val_if_fail (LD_IS_COMPOSER (self), NULL);

  if (self->refusal == NULL)
    return NULL;
  return gtk_label_get_text (self->feedback_label);
}

void
ld_composer_set_can_send (LdComposer *self,
                          gboolean    can_send,
                          const char *hint)
{
  g_return_if_fail (LD_IS_COMPOSER (self));

  self->can_send = !!can_send;
  if (g_strcmp0 (self->hint, hint) != 0)
    {
      g_free (self->hint);
      self->hint = g_strdup (hint);
    }
  update_placeholder (self);
  update_sensitivity (self);
}

void
ld_composer_set_sanction (LdComposer *self,
                          LdSanction  sanction,
                          GDateTime  *until,
                          const char *reason)
{
  g_return_if_fail (LD_IS_COMPOSER (self));

  if (sanction == LD_SANCTION_NONE)
    {
      if (self->sanction != LD_SANCTION_NONE)
        clear_sanction (self);
      return;
    }

  /* The window passes the session's state on every change of it. */
  if (self->sanction == sanction && g_strcmp0 (self->sanction_reason, reason) == 0 &&
      (self->sanction_until == until ||
       (self->sanction_until != NULL && until != NULL && g_date_time_equal (self->sanction_until, until))))
    return;

  g_clear_handle_id (&self->sanction_source, g_source_remove);
  self->sanction = sanction;
  g_clear_pointer (&self->sanction_until, g_date_time_unref);
  self->sanction_until = until != NULL ? g_date_time_ref (until) : NULL;
  g_free (self->sanction_reason);
  self->sanction_reason = g_strdup (reason);

  if (until != NULL && seconds_left (self) == 0)
    {
      clear_sanction (self);
      return;
    }
  if (until != NULL)
    self->sanction_source = g_timeout_add (1000, on_sanction_tick, self);

  update_sanction (self);
  update_placeholder (self);
  update_sensitivity (self);
}

LdSanction
ld_composer_get_sanction (LdComposer *self)
{
  g_return_val_if_fail (LD_IS_COMPOSER (self), LD_SANCTION_NONE);
  return self->sanction;
}

const char *
ld_composer_get_sanction_text (LdComposer *self)
{
  g_return_val_if_fail (LD_IS_COMPOSER (self), NULL);

  if (self->sanction == LD_SANCTION_NONE)
    return NULL;
  return gtk_label_get_text (self->sanction_label);
}

gboolean
ld_composer_get_writable (LdComposer *self)
{
  g_return_val_if_fail (LD_IS_COMPOSER (self), FALSE);
  return writable (self) && gtk_widget_get_sensitive (GTK_WIDGET (self->entry));
}

void
ld_composer_focus (LdComposer *self)
{
  g_return_if_fail (LD_IS_COMPOSER (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}
