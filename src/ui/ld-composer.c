/* ld-composer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <string.h>

#include "ld-composer.h"
#include "ld-slash-command.h"
#include "ld-viewer.h"

enum {
  COMPLETION_DISPLAY,
  COMPLETION_TEXT,
  N_COMPLETION_COLUMNS
};

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
  GtkWidget       *reply_box;
  GtkLabel        *reply_label;
  GtkWidget       *emoji_button;

  /* Completion of commands and names: GtkEntryCompletion is what GTK 4.8
   * has for an entry's popup list; its store holds our own matches. */
  GtkEntryCompletion *completion;
  GtkListStore    *completions;
  GListModel      *names;
  gboolean         completing;

  /* The message a reply answers: its author's name, quoted in front. */
  char            *reply_name;

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
  COMMAND,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* What goes out: the typed text, after "@Name: " when it answers someone. */
static char *
outgoing_text (LdComposer *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));

  if (self->reply_name != NULL && !gtk_toggle_button_get_active (self->image_toggle) &&
      !ld_slash_command_is_command (text))
    return g_strdup_printf ("@%s: %s", self->reply_name, text);
  return g_strdup (text);
}

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
  const char *typed = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  g_autofree char *text = outgoing_text (self);
  /* The 500 characters count the quoted name too: the server sees it all. */
  glong chars = typed[0] != '\0' ? g_utf8_strlen (text, -1) : 0;
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

  text = outgoing_text (self);
  if (!gtk_toggle_button_get_active (self->image_toggle) && ld_slash_command_is_command (text))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LdSlashCommand) command = ld_slash_command_parse (text, &error);

      if (command == NULL)
        ld_composer_refuse (self, error->message, 0);
      else
        g_signal_emit (self, signals[COMMAND], 0, command);
      return;
    }
  /* "//text" sends "/text". */
  if (text[0] == '/' && text[1] == '/')
    memmove (text, text + 1, strlen (text));
  g_signal_emit (self, signals[SEND], 0, text, gtk_toggle_button_get_active (self->image_toggle));
}

static void
update_completions (LdComposer *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) found = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  guint n = self->names != NULL ? g_list_model_get_n_items (self->names) : 0;

  gtk_list_store_clear (self->completions);
  if (gtk_toggle_button_get_active (self->image_toggle) || self->completing)
    return;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LdViewer) viewer = g_list_model_get_item (self->names, i);

      g_ptr_array_add (names, g_strdup (ld_viewer_get_username (viewer)));
    }
  g_ptr_array_add (names, NULL);

  found = ld_slash_command_complete (text, (const char * const *) names->pdata);
  for (guint i = 0; found[i] != NULL; i++)
    {
      g_autofree char *display = g_strstrip (g_strdup (found[i]));
      const char *space = strrchr (display, ' ');
      const char *word = display;

      /* The list shows what is completed: the command, or the name. */
      if (g_str_has_prefix (display, "/") && space != NULL)
        word = display + (strchr (display, ' ') - display) + 1;
      else if (!g_str_has_prefix (display, "/"))
        word = strrchr (display, '@') != NULL ? strrchr (display, '@') : display;
      gtk_list_store_insert_with_values (self->completions, NULL, -1,
                                         COMPLETION_DISPLAY, word,
                                         COMPLETION_TEXT, found[i], -1);
    }
}

static gboolean
match_all (GtkEntryCompletion *completion,
           const char         *key,
           GtkTreeIter        *iter,
           gpointer            user_data)
{
  /* The store holds only matches for the text as it is. */
  return TRUE;
}

static gboolean
on_match_selected (GtkEntryCompletion *completion,
                   GtkTreeModel       *model,
                   GtkTreeIter        *iter,
                   LdComposer         *self)
{
  g_autofree char *text = NULL;

  gtk_tree_model_get (model, iter, COMPLETION_TEXT, &text, -1);
  ld_composer_complete (self, text);
  return TRUE;
}

static void
on_emoji_picked (LdComposer *self,
                 const char *emoji)
{
  int position = gtk_editable_get_position (GTK_EDITABLE (self->entry));

  gtk_editable_insert_text (GTK_EDITABLE (self->entry), emoji, -1, &position);
  gtk_editable_set_position (GTK_EDITABLE (self->entry), position);
  gtk_widget_grab_focus (GTK_WIDGET (self->entry));
}

/* GTK 4.8's emoji chooser fills itself in an idle as soon as it exists:
 * a label, a pango layout and an accessible for each of ~1,900 emoji, and
 * the colour emoji font read whole (≈ 15 MiB resident, once per composer:
 * four rooms, four choosers). Made when the button first opens it. */
static void
create_emoji_chooser (GtkMenuButton *button,
                      gpointer       user_data)
{
  LdComposer *self = user_data;
  GtkWidget *chooser;

  if (gtk_menu_button_get_popover (button) != NULL)
    return;
  chooser = gtk_emoji_chooser_new ();
  g_signal_connect_object (chooser, "emoji-picked", G_CALLBACK (on_emoji_picked), self, G_CONNECT_SWAPPED);
  gtk_menu_button_set_popover (button, chooser);
}

static void
cancel_reply_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ld_composer_set_reply (LD_COMPOSER (widget), NULL);
}

static void
on_entry_changed (LdComposer *self)
{
  if (self->countdown == 0 && self->refusal != NULL)
    clear_refusal (self);
  update_sensitivity (self);
  update_completions (self);
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
  if (self->entry != NULL)
    gtk_entry_set_completion (self->entry, NULL);
  g_clear_object (&self->completion);
  g_clear_object (&self->completions);
  g_clear_object (&self->names);
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
  g_clear_pointer (&self->reply_name, g_free);

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
  signals[COMMAND] = g_signal_new ("command", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, LD_TYPE_SLASH_COMMAND);

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
  gtk_widget_class_bind_template_child (widget_class, LdComposer, reply_box);
  gtk_widget_class_bind_template_child (widget_class, LdComposer, reply_label);
  gtk_widget_class_bind_template_child (widget_class, LdComposer, emoji_button);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_entry_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_image_toggled);

  gtk_widget_class_install_action (widget_class, "composer.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "composer.cancel-reply", NULL, cancel_reply_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "composer");
}

static void
ld_composer_init (LdComposer *self)
{
  GtkCellRenderer *cell;

  self->can_send = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_menu_button_set_create_popup_func (GTK_MENU_BUTTON (self->emoji_button), create_emoji_chooser, self, NULL);

  self->completions = gtk_list_store_new (N_COMPLETION_COLUMNS, G_TYPE_STRING, G_TYPE_STRING);
  self->completion = gtk_entry_completion_new ();
  gtk_entry_completion_set_model (self->completion, GTK_TREE_MODEL (self->completions));
  gtk_entry_completion_set_match_func (self->completion, match_all, NULL, NULL);
  gtk_entry_completion_set_minimum_key_length (self->completion, 1);
  gtk_entry_completion_set_popup_single_match (self->completion, TRUE);
  cell = gtk_cell_renderer_text_new ();
  gtk_cell_layout_pack_start (GTK_CELL_LAYOUT (self->completion), cell, TRUE);
  gtk_cell_layout_add_attribute (GTK_CELL_LAYOUT (self->completion), cell, "text", COMPLETION_DISPLAY);
  g_signal_connect_object (self->completion, "match-selected", G_CALLBACK (on_match_selected), self, 0);
  gtk_entry_set_completion (self->entry, self->completion);

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
  ld_composer_set_reply (self, NULL);
}

void
ld_composer_set_names (LdComposer *self,
                       GListModel *viewers)
{
  g_return_if_fail (LD_IS_COMPOSER (self));
  g_return_if_fail (viewers == NULL || G_IS_LIST_MODEL (viewers));

  g_set_object (&self->names, viewers);
}

char **
ld_composer_get_completions (LdComposer *self)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new ();
  GtkTreeIter iter;
  gboolean valid;

  g_return_val_if_fail (LD_IS_COMPOSER (self), NULL);

  for (valid = gtk_tree_model_get_iter_first (GTK_TREE_MODEL (self->completions), &iter); valid;
       valid = gtk_tree_model_iter_next (GTK_TREE_MODEL (self->completions), &iter))
    {
      char *text = NULL;

      gtk_tree_model_get (GTK_TREE_MODEL (self->completions), &iter, COMPLETION_TEXT, &text, -1);
      g_ptr_array_add (out, text);
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

void
ld_composer_complete (LdComposer *self,
                      const char *text)
{
  g_return_if_fail (LD_IS_COMPOSER (self));
  g_return_if_fail (text != NULL);

  /* Taking a completion is not typing: no new list for it. */
  self->completing = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->entry), text);
  self->completing = FALSE;
  gtk_editable_set_position (GTK_EDITABLE (self->entry), -1);
  gtk_list_store_clear (self->completions);
  update_completions (self);
}

void
ld_composer_set_reply (LdComposer *self,
                       LdMessage  *message)
{
  g_return_if_fail (LD_IS_COMPOSER (self));
  g_return_if_fail (message == NULL || LD_IS_MESSAGE (message));

  g_clear_pointer (&self->reply_name, g_free);
  if (message != NULL && ld_message_get_username (message) != NULL)
    {
      g_autofree char *quote = NULL;
      const char *text = ld_message_get_text (message);

      self->reply_name = g_strdup (ld_message_get_username (message));
      /* Translators: above the composer; the name and text of the message answered. */
      quote = g_strdup_printf (_("Replying to %s: %s"), self->reply_name, text != NULL ? text : "");
      gtk_label_set_text (self->reply_label, quote);
      gtk_widget_grab_focus (GTK_WIDGET (self->entry));
    }
  gtk_widget_set_visible (self->reply_box, self->reply_name != NULL);
  update_sensitivity (self);
}

const char *
ld_composer_get_reply_name (LdComposer *self)
{
  g_return_val_if_fail (LD_IS_COMPOSER (self), NULL);

  return self->reply_name;
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
