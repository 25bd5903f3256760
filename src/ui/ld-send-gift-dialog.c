/* ld-send-gift-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <string.h>

#include "ld-config.h"
#include "ld-send-gift-dialog.h"

struct _LdSendGiftDialog
{
  AdwWindow     parent_instance;

  GtkLabel     *catalogue_note;
  AdwComboRow  *gift_row;
  AdwComboRow  *receiver_row;
  GtkSpinButton *quantity_spin;
  AdwEntryRow  *message_row;
  GtkLabel     *counter_label;
  GtkLabel     *total_label;
  GtkLabel     *feedback_label;
  GtkSpinner   *spinner;

  LdSession    *session;
  GCancellable *cancellable;
  GPtrArray    *kinds;
  /* Who can receive, in the viewer list's order (the streamer first). */
  GPtrArray    *receiver_ids;
  GPtrArray    *receiver_names;
  char         *feedback;
  char         *counter;
  /* What is typed passes the checks (a refusal from the server may still
   * show as feedback: sending again is allowed). */
  gboolean      valid;
  gboolean      sending;
};

G_DEFINE_FINAL_TYPE (LdSendGiftDialog, ld_send_gift_dialog, ADW_TYPE_WINDOW)

enum {
  SENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
ld_gift_kind_free (LdGiftKind *kind)
{
  if (kind == NULL)
    return;
  g_free (kind->id);
  g_free (kind->name);
  g_free (kind->type);
  g_free (kind->animation);
  g_free (kind);
}

static gboolean
valid_gift_id (const char *id)
{
  if (id == NULL || *id == '\0' || strlen (id) > LD_ID_MAX_CHARS)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

static LdGiftKind *
kind_from_json (JsonNode   *node,
                guint       index,
                gboolean    shipped,
                GError    **error)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  g_autoptr(GError) member_error = NULL;
  const char *id = NULL, *name = NULL, *type = NULL, *animation = NULL;
  JsonNode *value;
  LdGiftKind *kind;

  if (object == NULL ||
      !ld_validate_member_string (object, "id", TRUE, &id, &member_error) ||
      !ld_validate_member_string (object, "name", TRUE, &name, &member_error) ||
      !ld_validate_member_string (object, "type", FALSE, &type, &member_error) ||
      !ld_validate_member_string (object, "animation", FALSE, &animation, &member_error) ||
      !valid_gift_id (id) || *name == '\0' || g_utf8_strlen (name, -1) > LD_NAME_MAX_CHARS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("gift %u needs an id (letters, digits, _ or -) and a name"), index + 1);
      return NULL;
    }

  value = json_object_get_member (object, "value");
  if (value == NULL || !JSON_NODE_HOLDS_VALUE (value) ||
      (json_node_get_value_type (value) != G_TYPE_INT64 && json_node_get_value_type (value) != G_TYPE_DOUBLE) ||
      json_node_get_double (value) < 0 || json_node_get_double (value) > LD_GIFT_MAX_VALUE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("gift “%s” needs a value from 0 to 1e12"), id);
      return NULL;
    }

  kind = g_new0 (LdGiftKind, 1);
  kind->id = g_strdup (id);
  /* The shipped names are ours to translate; a user's own are kept as written. */
  kind->name = g_strdup (shipped ? g_dgettext (GETTEXT_PACKAGE, name) : name);
  kind->type = g_strdup (type != NULL && *type != '\0' ? type : "gift");
  kind->animation = g_strdup (animation != NULL && *animation != '\0' ? animation : "default");
  kind->value = json_node_get_double (value);
  return kind;
}

GPtrArray *
ld_send_gift_dialog_load_catalogue (const char  *path,
                                    GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) kinds = g_ptr_array_new_with_free_func ((GDestroyNotify) ld_gift_kind_free);
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *object;
  JsonArray *gifts;

  if (path == NULL)
    {
      g_autoptr(GBytes) bytes = g_resources_lookup_data (RESOURCE_PREFIX "/gifts/catalogue.json",
                                                         G_RESOURCE_LOOKUP_FLAGS_NONE, error);

      if (bytes == NULL ||
          !json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), error))
        return NULL;
    }
  else if (!json_parser_load_from_file (parser, path, error))
    return NULL;

  root = json_parser_get_root (parser);
  object = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  if (object == NULL || !json_object_has_member (object, "gifts") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "gifts")))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("no “gifts” list"));
      return NULL;
    }

  gifts = json_object_get_array_member (object, "gifts");
  for (guint i = 0; i < json_array_get_length (gifts); i++)
    {
      LdGiftKind *kind = kind_from_json (json_array_get_element (gifts, i), i, path == NULL, error);

      if (kind == NULL)
        return NULL;
      g_ptr_array_add (kinds, kind);
    }

  if (kinds->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("the “gifts” list is empty"));
      return NULL;
    }

  return g_steal_pointer (&kinds);
}

static LdGiftKind *
selected_kind (LdSendGiftDialog *self)
{
  guint position = adw_combo_row_get_selected (self->gift_row);

  return position < self->kinds->len ? g_ptr_array_index (self->kinds, position) : NULL;
}

/* The spin button clamps only when it is left; this reads what is typed. */
static gboolean
typed_quantity (LdSendGiftDialog *self,
                guint            *out_quantity)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->quantity_spin))));
  guint64 quantity;

  if (!g_ascii_string_to_unsigned (text, 10, 1, LD_GIFT_MAX_QUANTITY, &quantity, NULL))
    return FALSE;
  *out_quantity = (guint) quantity;
  return TRUE;
}

static char *
check (LdSendGiftDialog *self)
{
  LdRoom *current = self->session != NULL ? ld_session_get_current_room (self->session) : NULL;
  const char *room_id = current != NULL && !ld_room_get_banned (current) ? ld_room_get_id (current) : NULL;
  const char *message = gtk_editable_get_text (GTK_EDITABLE (self->message_row));
  guint position = adw_combo_row_get_selected (self->receiver_row);
  LdGiftKind *kind = selected_kind (self);
  g_autoptr(GError) error = NULL;
  guint quantity;

  if (room_id == NULL)
    return g_strdup (_("Join a room first"));
  if (position >= self->receiver_ids->len)
    return g_strdup (_("Nobody else is in the room to receive a gift"));
  if (kind == NULL)
    return g_strdup (_("Choose a gift"));
  if (!typed_quantity (self, &quantity))
    return g_strdup_printf (_("The quantity must be a whole number from 1 to %u"), LD_GIFT_MAX_QUANTITY);

  /* The message first, with the text rules' own sentences; then the same
   * whole-gift check the session and the gateway run. */
  if (*message != '\0')
    {
      g_autofree char *checked = ld_validate_text (message, LD_GIFT_MESSAGE_MAX_CHARS, &error);

      if (checked == NULL && error->code == LD_CONTRACT_ERROR_MESSAGE_TOO_LONG)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The message is longer than %u character",
                                             "The message is longer than %u characters", LD_GIFT_MESSAGE_MAX_CHARS),
                                LD_GIFT_MESSAGE_MAX_CHARS);
      if (checked == NULL && error->code == LD_CONTRACT_ERROR_FORBIDDEN_CONTENT)
        return g_strdup (_("The message contains script or markup that is not allowed"));
      g_clear_error (&error);
    }

  /* The same whole-gift check the session and the gateway run, in the
   * room shown (where the send goes). */
  {
    LdRoom *room = ld_session_get_current_room (self->session);
    LdRoomGift gift = {
      .receiver_id = g_ptr_array_index (self->receiver_ids, position),
      .receiver_name = g_ptr_array_index (self->receiver_names, position),
      .gift_id = kind->id,
      .gift_name = kind->name,
      .gift_type = kind->type,
      .gift_value = kind->value,
      .quantity = quantity,
      .message = message,
      .animation = kind->animation,
    };

    if (room == NULL)
      return g_strdup (_("Join a room first"));
    if (ld_room_check_gift (room, &gift, &error))
      return NULL;
  }
  return g_strdup (error->message);
}

static void
set_feedback (LdSendGiftDialog *self,
              const char       *feedback)
{
  g_free (self->feedback);
  self->feedback = g_strdup (feedback);
  gtk_label_set_text (self->feedback_label, feedback != NULL ? feedback : "");
  gtk_widget_set_visible (GTK_WIDGET (self->feedback_label), feedback != NULL);
}

static void
update (LdSendGiftDialog *self)
{
  const char *message = gtk_editable_get_text (GTK_EDITABLE (self->message_row));
  glong length = g_utf8_strlen (message, -1);
  LdGiftKind *kind = selected_kind (self);
  g_autofree char *problem = check (self);
  g_autofree char *total = NULL;
  guint quantity;

  g_free (self->counter);
  self->counter = g_strdup_printf ("%ld/%u", length, LD_GIFT_MESSAGE_MAX_CHARS);
  gtk_label_set_text (self->counter_label, self->counter);
  if (length > LD_GIFT_MESSAGE_MAX_CHARS)
    gtk_widget_add_css_class (GTK_WIDGET (self->counter_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->counter_label), "error");

  if (kind != NULL && typed_quantity (self, &quantity))
    {
      char value[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (value, sizeof value, "%.15g", kind->value * quantity);
      /* Translators: the send-gift dialog: the gift's value times the quantity. */
      total = g_strdup_printf (_("Total value: %s"), value);
    }
  gtk_label_set_text (self->total_label, total != NULL ? total : "");

  set_feedback (self, problem);
  self->valid = problem == NULL;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "gift.send", self->valid && !self->sending);
}

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(LdSendGiftDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *tx_id = ld_room_send_gift_finish (LD_ROOM (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->sending = FALSE;
  gtk_spinner_stop (self->spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);

  if (tx_id == NULL)
    {
      /* Everything typed stays for another try. */
      update (self);
      set_feedback (self, error->message);
      return;
    }

  g_signal_emit (self, signals[SENT], 0, tx_id);
  gtk_window_close (GTK_WINDOW (self));
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LdSendGiftDialog *self = LD_SEND_GIFT_DIALOG (widget);
  guint position = adw_combo_row_get_selected (self->receiver_row);
  LdGiftKind *kind = selected_kind (self);
  g_autofree char *problem = check (self);
  LdRoomGift request = { 0 };
  LdRoom *room = self->session != NULL ? ld_session_get_current_room (self->session) : NULL;
  guint quantity = 1;

  if (problem != NULL || self->sending || kind == NULL || !typed_quantity (self, &quantity))
    {
      set_feedback (self, problem);
      return;
    }

  request.receiver_id = g_ptr_array_index (self->receiver_ids, position);
  request.receiver_name = g_ptr_array_index (self->receiver_names, position);
  request.gift_id = kind->id;
  request.gift_name = kind->name;
  request.gift_type = kind->type;
  request.gift_value = kind->value;
  request.quantity = quantity;
  request.message = gtk_editable_get_text (GTK_EDITABLE (self->message_row));
  request.animation = kind->animation;

  self->sending = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), TRUE);
  gtk_spinner_start (self->spinner);
  gtk_widget_action_set_enabled (widget, "gift.send", FALSE);
  /* The room shown now, even if another is shown before the answer. */
  ld_room_send_gift_async (room, &request, self->cancellable, on_sent, g_object_ref (self));
}

static void
fill_gifts (LdSendGiftDialog *self,
            const char       *catalogue_path)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autofree char *user_path = NULL;
  g_autoptr(GError) error = NULL;

  if (catalogue_path == NULL)
    {
      user_path = g_build_filename (g_get_user_config_dir (), "livedesk", "gifts.json", NULL);
      if (g_file_test (user_path, G_FILE_TEST_EXISTS))
        catalogue_path = user_path;
    }

  if (catalogue_path != NULL)
    self->kinds = ld_send_gift_dialog_load_catalogue (catalogue_path, &error);
  if (self->kinds == NULL)
    {
      if (error != NULL)
        {
          g_autofree char *note = NULL;

          /* Translators: the user's own gift catalogue file is broken; %s says how. */
          note = g_strdup_printf (_("Your gift catalogue could not be read (%s), so the standard gifts are offered."),
                                  error->message);
          gtk_label_set_text (self->catalogue_note, note);
          gtk_widget_set_visible (GTK_WIDGET (self->catalogue_note), TRUE);
          g_clear_error (&error);
        }
      self->kinds = ld_send_gift_dialog_load_catalogue (NULL, &error);
      if (self->kinds == NULL)
        {
          g_critical ("The shipped gift catalogue is broken: %s", error->message);
          self->kinds = g_ptr_array_new_with_free_func ((GDestroyNotify) ld_gift_kind_free);
        }
    }

  for (guint i = 0; i < self->kinds->len; i++)
    {
      LdGiftKind *kind = g_ptr_array_index (self->kinds, i);
      char value[G_ASCII_DTOSTR_BUF_SIZE];
      g_autofree char *label = NULL;

      g_ascii_formatd (value, sizeof value, "%.15g", kind->value);
      /* Translators: a gift in the send-gift dialog: its name and its value. */
      label = g_strdup_printf (_("%s (%s)"), kind->name, value);
      gtk_string_list_append (names, label);
    }
  adw_combo_row_set_model (self->gift_row, G_LIST_MODEL (names));
}

static void
fill_receivers (LdSendGiftDialog *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  LdRoom *room = ld_session_get_current_room (self->session);
  GListModel *viewers = room != NULL ? G_LIST_MODEL (ld_room_get_viewers (room)) : NULL;
  const char *own = ld_session_get_user_id (self->session);

  for (guint i = 0; viewers != NULL && i < g_list_model_get_n_items (viewers); i++)
    {
      g_autoptr(LdViewer) viewer = g_list_model_get_item (viewers, i);

      if (g_strcmp0 (ld_viewer_get_user_id (viewer), own) == 0)
        continue;
      g_ptr_array_add (self->receiver_ids, g_strdup (ld_viewer_get_user_id (viewer)));
      g_ptr_array_add (self->receiver_names, g_strdup (ld_viewer_get_username (viewer)));
      if (ld_viewer_get_role (viewer) == LD_ROLE_STREAMER)
        {
          g_autofree char *label = NULL;

          /* Translators: the streamer in the send-gift dialog's receiver list. */
          label = g_strdup_printf (_("%s (streamer)"), ld_viewer_get_username (viewer));
          gtk_string_list_append (names, label);
        }
      else
        gtk_string_list_append (names, ld_viewer_get_username (viewer));
    }
  adw_combo_row_set_model (self->receiver_row, G_LIST_MODEL (names));
}

static void
ld_send_gift_dialog_dispose (GObject *object)
{
  LdSendGiftDialog *self = LD_SEND_GIFT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_SEND_GIFT_DIALOG);
  g_clear_object (&self->session);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->kinds, g_ptr_array_unref);
  g_clear_pointer (&self->receiver_ids, g_ptr_array_unref);
  g_clear_pointer (&self->receiver_names, g_ptr_array_unref);
  g_clear_pointer (&self->feedback, g_free);
  g_clear_pointer (&self->counter, g_free);

  G_OBJECT_CLASS (ld_send_gift_dialog_parent_class)->dispose (object);
}

static void
ld_send_gift_dialog_class_init (LdSendGiftDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_send_gift_dialog_dispose;

  signals[SENT] =
    g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/ld-send-gift-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LdSendGiftDialog, catalogue_note);
  gtk_widget_class_bind_template_child (widget_class, LdSendGiftDialog, gift_row);
  gtk_widget_class_bind_template_child (widget_class, LdSendGiftDialog, receiver_row);
  gtk_widget_class_bind_template_child (widget_class, LdSendGiftDialog, quantity_spin);
  gtk_widget_class_bind_template_child (widget_class, LdSendGiftDialog, message_row);
  gtk_widget_class_bind_template_child (widget_class, LdSendGiftDialog, counter_label);
  gtk_widget_class_bind_template_child (widget_class, LdSendGiftDialog, total_label);
  gtk_widget_class_bind_template_child (widget_class, LdSendGiftDialog, feedback_label);
  gtk_widget_class_bind_template_child (widget_class, LdSendGiftDialog, spinner);

  gtk_widget_class_install_action (widget_class, "gift.send", NULL, send_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ld_send_gift_dialog_init (LdSendGiftDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->receiver_ids = g_ptr_array_new_with_free_func (g_free);
  self->receiver_names = g_ptr_array_new_with_free_func (g_free);
}

GtkWidget *
ld_send_gift_dialog_new (GtkWindow  *parent,
                         LdSession  *session,
                         const char *catalogue_path)
{
  LdSendGiftDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (LD_IS_SESSION (session), NULL);

  self = g_object_new (LD_TYPE_SEND_GIFT_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  fill_gifts (self, catalogue_path);
  fill_receivers (self);

  g_signal_connect_object (self->gift_row, "notify::selected", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->receiver_row, "notify::selected", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->quantity_spin, "changed", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->message_row, "changed", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);

  return GTK_WIDGET (self);
}

gboolean
ld_send_gift_dialog_select_gift (LdSendGiftDialog *self,
                                 const char       *gift_id)
{
  g_return_val_if_fail (LD_IS_SEND_GIFT_DIALOG (self), FALSE);

  for (guint i = 0; i < self->kinds->len; i++)
    if (g_strcmp0 (((LdGiftKind *) g_ptr_array_index (self->kinds, i))->id, gift_id) == 0)
      {
        adw_combo_row_set_selected (self->gift_row, i);
        return TRUE;
      }
  return FALSE;
}

gboolean
ld_send_gift_dialog_select_receiver (LdSendGiftDialog *self,
                                     const char       *user_id)
{
  g_return_val_if_fail (LD_IS_SEND_GIFT_DIALOG (self), FALSE);

  for (guint i = 0; i < self->receiver_ids->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->receiver_ids, i), user_id) == 0)
      {
        adw_combo_row_set_selected (self->receiver_row, i);
        return TRUE;
      }
  return FALSE;
}

void
ld_send_gift_dialog_set_quantity_text (LdSendGiftDialog *self,
                                       const char       *text)
{
  g_return_if_fail (LD_IS_SEND_GIFT_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->quantity_spin), text);
}

guint
ld_send_gift_dialog_get_quantity (LdSendGiftDialog *self)
{
  guint quantity = 0;

  g_return_val_if_fail (LD_IS_SEND_GIFT_DIALOG (self), 0);
  return typed_quantity (self, &quantity) ? quantity : 0;
}

void
ld_send_gift_dialog_set_message (LdSendGiftDialog *self,
                                 const char       *message)
{
  g_return_if_fail (LD_IS_SEND_GIFT_DIALOG (self));
  gtk_editable_set_text (GTK_EDITABLE (self->message_row), message);
}

const char *
ld_send_gift_dialog_get_message (LdSendGiftDialog *self)
{
  g_return_val_if_fail (LD_IS_SEND_GIFT_DIALOG (self), NULL);
  return gtk_editable_get_text (GTK_EDITABLE (self->message_row));
}

const char *
ld_send_gift_dialog_get_feedback (LdSendGiftDialog *self)
{
  g_return_val_if_fail (LD_IS_SEND_GIFT_DIALOG (self), NULL);
  return self->feedback;
}

const char *
ld_send_gift_dialog_get_counter_text (LdSendGiftDialog *self)
{
  g_return_val_if_fail (LD_IS_SEND_GIFT_DIALOG (self), NULL);
  return self->counter;
}

gboolean
ld_send_gift_dialog_get_can_send (LdSendGiftDialog *self)
{
  g_return_val_if_fail (LD_IS_SEND_GIFT_DIALOG (self), FALSE);
  return self->valid && !self->sending;
}

guint
ld_send_gift_dialog_get_n_gifts (LdSendGiftDialog *self)
{
  g_return_val_if_fail (LD_IS_SEND_GIFT_DIALOG (self), 0);
  return self->kinds->len;
}
