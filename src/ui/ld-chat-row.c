/* ld-chat-row.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <string.h>

#include "ld-chat-row.h"
#include "ld-link.h"
#include "ld-mention.h"
#include "ld-thumbnails.h"
#include "ld-user-colour.h"

struct _LdChatRow
{
  GtkWidget  parent_instance;

  GtkWidget *box;
  GtkWidget *presence_box;
  GtkImage  *presence_icon;
  GtkLabel  *presence_label;
  GtkWidget *header_box;
  GtkLabel  *time_label;
  GtkLabel  *role_label;
  GtkLabel  *name_label;
  GtkLabel  *state_label;
  GtkLabel  *text_label;
  GtkWidget *image_box;
  GtkPicture *image_picture;
  GtkWidget *image_icon;
  GtkLabel  *image_label;
  GCancellable *image_cancellable;
  GtkWidget *failed_box;
  GtkLabel  *failed_label;
  GtkLabel  *deleted_label;

  LdMessage *message;
  gulong     state_handler;
  LdPresenceLine *presence;
  gulong     presence_handler;
  char      *colour_class;
  char      *own_name;
  GStrv      highlight_words;  /* casefolded */
  gboolean   clock_12h;
};

G_DEFINE_FINAL_TYPE (LdChatRow, ld_chat_row, GTK_TYPE_WIDGET)

/* One for every row's author: a row is made for each message shown. */
static GdkCursor *pointer_cursor;

const char *
ld_role_badge_label (LdRole role)
{
  switch (role)
    {
    case LD_ROLE_STREAMER: return _("Streamer");
    case LD_ROLE_ADMIN: return _("Admin");
    case LD_ROLE_MODERATOR: return _("Mod");
    case LD_ROLE_VIEWER:
    default:
      return NULL;
    }
}

static const char *
role_class (LdRole role)
{
  switch (role)
    {
    case LD_ROLE_STREAMER: return "role-streamer";
    case LD_ROLE_ADMIN: return "role-admin";
    case LD_ROLE_MODERATOR: return "role-moderator";
    case LD_ROLE_VIEWER:
    default:
      return "role-viewer";
    }
}

static GtkWidget *
new_caption (const char *first_class,
             const char *second_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (first_class != NULL)
    gtk_widget_add_css_class (label, first_class);
  gtk_widget_add_css_class (label, second_class);
  return label;
}

/* The parts few rows need are made when one does: a row is made for every
 * message that scrolls past, and most show a name and a line of text.
 * Their order in the box is fixed: presence, header, text, image, failure,
 * deletion. */
static void
ensure_presence_box (LdChatRow *self)
{
  if (self->presence_box != NULL)
    return;

  self->presence_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_add_css_class (self->presence_box, "presence");
  self->presence_icon = g_object_new (GTK_TYPE_IMAGE,
                                      "icon-name", "system-users-symbolic",
                                      "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION,
                                      NULL);
  gtk_widget_add_css_class (GTK_WIDGET (self->presence_icon), "dim-label");
  gtk_box_append (GTK_BOX (self->presence_box), GTK_WIDGET (self->presence_icon));
  self->presence_label = GTK_LABEL (new_caption ("dim-label", "caption"));
  gtk_widget_set_hexpand (GTK_WIDGET (self->presence_label), TRUE);
  gtk_label_set_ellipsize (self->presence_label, PANGO_ELLIPSIZE_END);
  gtk_box_append (GTK_BOX (self->presence_box), GTK_WIDGET (self->presence_label));
  gtk_box_prepend (GTK_BOX (self->box), self->presence_box);
}

static void
ensure_state_label (LdChatRow *self)
{
  if (self->state_label != NULL)
    return;

  self->state_label = GTK_LABEL (new_caption ("caption", "message-state"));
  gtk_label_set_xalign (self->state_label, 1);
  gtk_widget_set_hexpand (GTK_WIDGET (self->state_label), TRUE);
  gtk_widget_set_valign (GTK_WIDGET (self->state_label), GTK_ALIGN_BASELINE);
  gtk_box_append (GTK_BOX (self->header_box), GTK_WIDGET (self->state_label));
}

static void
ensure_image_box (LdChatRow *self)
{
  if (self->image_box != NULL)
    return;

  self->image_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->image_picture = GTK_PICTURE (gtk_picture_new ());
  gtk_widget_set_visible (GTK_WIDGET (self->image_picture), FALSE);
  gtk_widget_set_size_request (GTK_WIDGET (self->image_picture), 160, 120);
  gtk_picture_set_can_shrink (self->image_picture, TRUE);
  gtk_widget_set_halign (GTK_WIDGET (self->image_picture), GTK_ALIGN_START);
  gtk_widget_add_css_class (GTK_WIDGET (self->image_picture), "image-thumbnail");
  gtk_box_append (GTK_BOX (self->image_box), GTK_WIDGET (self->image_picture));
  self->image_icon = gtk_image_new_from_icon_name ("image-x-generic-symbolic");
  gtk_image_set_pixel_size (GTK_IMAGE (self->image_icon), 32);
  gtk_widget_add_css_class (self->image_icon, "image-thumbnail");
  gtk_box_append (GTK_BOX (self->image_box), self->image_icon);
  self->image_label = GTK_LABEL (new_caption ("dim-label", "caption"));
  gtk_label_set_ellipsize (self->image_label, PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_set_hexpand (GTK_WIDGET (self->image_label), TRUE);
  gtk_box_append (GTK_BOX (self->image_box), GTK_WIDGET (self->image_label));
  gtk_box_insert_child_after (GTK_BOX (self->box), self->image_box, GTK_WIDGET (self->text_label));
}

static void on_retry_clicked (LdChatRow *self);

static void
ensure_failed_box (LdChatRow *self)
{
  GtkWidget *retry;

  if (self->failed_box != NULL)
    return;

  self->failed_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->failed_label = GTK_LABEL (new_caption ("error", "caption"));
  gtk_widget_set_hexpand (GTK_WIDGET (self->failed_label), TRUE);
  gtk_label_set_wrap (self->failed_label, TRUE);
  gtk_box_append (GTK_BOX (self->failed_box), GTK_WIDGET (self->failed_label));
  retry = gtk_button_new_with_mnemonic (_("_Retry"));
  gtk_widget_set_valign (retry, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (retry, "flat");
  gtk_widget_add_css_class (retry, "small");
  g_signal_connect_swapped (retry, "clicked", G_CALLBACK (on_retry_clicked), self);
  gtk_box_append (GTK_BOX (self->failed_box), retry);
  gtk_box_insert_child_after (GTK_BOX (self->box), self->failed_box,
                              self->image_box ? self->image_box : GTK_WIDGET (self->text_label));
}

static void
ensure_deleted_label (LdChatRow *self)
{
  if (self->deleted_label != NULL)
    return;

  self->deleted_label = GTK_LABEL (new_caption ("dim-label", "caption"));
  gtk_box_append (GTK_BOX (self->box), GTK_WIDGET (self->deleted_label));
}

/* A click on a link goes where the message menu's Open Link goes (the chat
 * view's chat.open-link: asks first for hosts off the image allow-list);
 * TRUE always, so GTK never opens a stranger's link by itself. */
static gboolean
on_text_activate_link (GtkLabel   *label,
                       const char *uri,
                       gpointer    user_data)
{
  gtk_widget_activate_action (GTK_WIDGET (label), "chat.open-link", "s", uri);
  return TRUE;
}

/* The message text with its links clickable. Only the links ld-link finds
 * become <a>; every other byte is escaped, so user text is never markup.
 * Without a link (most messages) the label stays plain and cheap. */
static void
set_message_text (LdChatRow  *self,
                  const char *text)
{
  g_auto(GStrv) links = NULL;
  g_autoptr(GString) markup = NULL;
  const char *rest;

  if (text == NULL)
    text = "";
  if (strstr (text, "://") == NULL || (links = ld_link_find_all (text))[0] == NULL)
    {
      gtk_label_set_text (self->text_label, text);
      return;
    }

  markup = g_string_new (NULL);
  rest = text;
  for (guint i = 0; links[i] != NULL; i++)
    {
      const char *at = strstr (rest, links[i]);
      g_autofree char *before = NULL;
      g_autofree char *link = NULL;

      if (at == NULL)
        continue;
      before = g_markup_escape_text (rest, at - rest);
      link = g_markup_escape_text (links[i], -1);
      g_string_append_printf (markup, "%s<a href=\"%s\">%s</a>", before, link, link);
      rest = at + strlen (links[i]);
    }
  {
    g_autofree char *after = g_markup_escape_text (rest, -1);

    g_string_append (markup, after);
  }
  gtk_label_set_markup (self->text_label, markup->str);
}

static gboolean
on_name_query_tooltip (GtkWidget  *widget,
                       int         x,
                       int         y,
                       gboolean    keyboard,
                       GtkTooltip *tooltip,
                       gpointer    user_data)
{
  gtk_tooltip_set_text (tooltip, _("View this user"));
  return TRUE;
}

static gboolean
has_highlight_word (LdChatRow  *self,
                    const char *text)
{
  g_autofree char *folded = NULL;

  if (self->highlight_words == NULL || text == NULL)
    return FALSE;

  folded = g_utf8_casefold (text, -1);
  for (guint i = 0; self->highlight_words[i] != NULL; i++)
    if (strstr (folded, self->highlight_words[i]) != NULL)
      return TRUE;
  return FALSE;
}

/* A fast chat's rows mostly share their minute: its local time is looked
 * up and formatted once, not for every row bound. */
static const char *
format_minute (GDateTime *timestamp,
               gboolean   clock_12h)
{
  static gint64 minute = G_MININT64;
  static gboolean minute_12h;
  static char *text;
  gint64 this_minute = g_date_time_to_unix (timestamp) / 60;

  if (text == NULL || this_minute != minute || clock_12h != minute_12h)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (timestamp);

      g_free (text);
      /* Translators: a chat message's time on a 12-hour clock, see strftime(3). */
      text = g_date_time_format (local, clock_12h ? _("%l:%M %p") : _("%H:%M"));
      g_strstrip (text);
      minute = this_minute;
      minute_12h = clock_12h;
    }
  return text;
}

static void
update_time (LdChatRow *self)
{
  GDateTime *timestamp = self->message ? ld_message_get_timestamp (self->message) : NULL;

  gtk_label_set_text (self->time_label, timestamp != NULL ? format_minute (timestamp, self->clock_12h) : "");
}

static void
update_state (LdChatRow *self)
{
  LdMessageState state = ld_message_get_state (self->message);
  const char *deleted_by;

  if (state == LD_MESSAGE_STATE_PENDING)
    {
      ensure_state_label (self);
      gtk_label_set_text (self->state_label, _("Sending…"));
    }
  if (self->state_label != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->state_label), state == LD_MESSAGE_STATE_PENDING);

  if (state == LD_MESSAGE_STATE_FAILED)
    ensure_failed_box (self);
  if (self->failed_box != NULL)
    gtk_widget_set_visible (self->failed_box, state == LD_MESSAGE_STATE_FAILED);
  if (state == LD_MESSAGE_STATE_FAILED)
    {
      const char *reason = ld_message_get_failure_reason (self->message);
      g_autofree char *text = NULL;

      if (reason != NULL && *reason != '\0')
        text = g_strdup_printf (_("Not sent: %s"), reason);
      else
        text = g_strdup (_("Not sent"));
      gtk_label_set_text (self->failed_label, text);
    }

  if (state == LD_MESSAGE_STATE_DELETED)
    ensure_deleted_label (self);
  if (self->deleted_label != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->deleted_label), state == LD_MESSAGE_STATE_DELETED);
  deleted_by = ld_message_get_deleted_by (self->message);
  if (state == LD_MESSAGE_STATE_DELETED)
    {
      g_autofree char *text = NULL;

      if (deleted_by != NULL)
        text = g_strdup_printf (_("Deleted by %s"), deleted_by);
      else
        text = g_strdup (_("Deleted"));
      gtk_label_set_text (self->deleted_label, text);
      gtk_widget_add_css_class (GTK_WIDGET (self), "deleted");
    }
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "deleted");

  if (state == LD_MESSAGE_STATE_PENDING)
    gtk_widget_add_css_class (GTK_WIDGET (self), "pending");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "pending");
}

/* GTK 4.8 gives a list view's rows no way to name the list item around
 * them, and that is what a screen reader lands on: name it too. */
static void
set_reading (LdChatRow  *self,
             const char *label)
{
  GtkWidget *parent = gtk_widget_get_parent (GTK_WIDGET (self));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  if (parent != NULL && gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (parent)) == GTK_ACCESSIBLE_ROLE_LIST_ITEM)
    gtk_accessible_update_property (GTK_ACCESSIBLE (parent), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
update_accessible (LdChatRow *self)
{
  const char *badge = ld_role_badge_label (ld_message_get_role (self->message));
  const char *content = ld_message_get_message_type (self->message) == LD_MESSAGE_TYPE_IMAGE
                        ? ld_message_get_image_url (self->message)
                        : ld_message_get_text (self->message);
  const char *when = gtk_label_get_text (self->time_label);
  g_autofree char *label = NULL;

  if (*when != '\0')
    /* Translators: how a screen reader reads a chat row: author, role, time, text. */
    label = g_strdup_printf (_("%s, %s, %s, %s"), ld_message_get_username (self->message),
                             badge != NULL ? badge : _("Viewer"), when, content ? content : "");
  else
    /* Translators: how a screen reader reads a chat row not sent yet: author, role, text. */
    label = g_strdup_printf (_("%s, %s, %s"), ld_message_get_username (self->message),
                             badge != NULL ? badge : _("Viewer"), content ? content : "");
  set_reading (self, label);
}

static void
on_state_changed (LdChatRow  *self,
                  GParamSpec *pspec,
                  LdMessage  *message)
{
  update_state (self);
}

static void
show_thumbnail (LdChatRow    *self,
                GdkPaintable *paintable)
{
  ensure_image_box (self);
  gtk_picture_set_paintable (self->image_picture, paintable);
  gtk_widget_set_visible (GTK_WIDGET (self->image_picture), paintable != NULL);
  gtk_widget_set_visible (self->image_icon, paintable == NULL);
}

static void
on_thumbnail (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GError) error = NULL;
  LdChatRow *self;

  paintable = ld_thumbnails_load_finish (LD_THUMBNAILS (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  /* Not cancelled: the row is alive and still shows this message. */
  self = user_data;
  if (paintable != NULL)
    show_thumbnail (self, paintable);
  else
    g_debug ("No thumbnail: %s", error->message);
}

static void
load_thumbnail (LdChatRow *self)
{
  const char *url = ld_message_get_image_url (self->message);
  GdkPaintable *cached;

  show_thumbnail (self, NULL);
  if (url == NULL)
    return;

  cached = ld_thumbnails_lookup (ld_thumbnails_get_default (), url);
  if (cached != NULL)
    {
      show_thumbnail (self, cached);
      return;
    }

  self->image_cancellable = g_cancellable_new ();
  ld_thumbnails_load_async (ld_thumbnails_get_default (), url, self->image_cancellable, on_thumbnail, self);
}

static void
on_retry_clicked (LdChatRow *self)
{
  const char *local_id;

  if (self->message == NULL)
    return;

  local_id = ld_message_get_local_id (self->message);
  if (local_id != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "chat.retry", "s", local_id);
}

static void
update_presence (LdChatRow *self)
{
  g_autofree char *summary = ld_presence_line_dup_summary (self->presence);
  g_autofree char *details = ld_presence_line_dup_details (self->presence);
  g_autofree char *label = NULL;

  ensure_presence_box (self);
  gtk_label_set_text (self->presence_label, summary);
  gtk_image_set_from_icon_name (self->presence_icon,
                                ld_presence_line_get_kind (self->presence) == LD_PRESENCE_JOINED
                                ? "list-add-symbolic" : "list-remove-symbolic");
  /* Who they all were, for a line that names only two. */
  gtk_widget_set_tooltip_text (self->presence_box,
                               ld_presence_line_get_count (self->presence) > 2 ? details : NULL);
  /* Translators: a screen reader's reading of "Lan and 3 others joined", then every name. */
  label = ld_presence_line_get_count (self->presence) > 2 ? g_strdup_printf (_("%s: %s"), summary, details)
                                                          : g_strdup (summary);
  set_reading (self, label);
}

static void
on_presence_count (LdChatRow      *self,
                   GParamSpec     *pspec,
                   LdPresenceLine *line)
{
  update_presence (self);
}

/* Which of the row's two faces shows. */
static void
show_presence_face (LdChatRow *self,
                    gboolean   presence)
{
  static const char * const message_classes[] = { "mention", "highlight", "own", "deleted", "pending" };

  if (presence)
    ensure_presence_box (self);
  if (self->presence_box != NULL)
    gtk_widget_set_visible (self->presence_box, presence);
  gtk_widget_set_visible (self->header_box, !presence);
  if (!presence)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self), "presence");
      return;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->text_label), FALSE);
  if (self->image_box != NULL)
    gtk_widget_set_visible (self->image_box, FALSE);
  if (self->failed_box != NULL)
    gtk_widget_set_visible (self->failed_box, FALSE);
  if (self->deleted_label != NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->deleted_label), FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (message_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self), message_classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self), "presence");
}

static void
ld_chat_row_dispose (GObject *object)
{
  LdChatRow *self = LD_CHAT_ROW (object);

  ld_chat_row_set_message (self, NULL);
  ld_chat_row_set_presence (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_CHAT_ROW);

  G_OBJECT_CLASS (ld_chat_row_parent_class)->dispose (object);
}

static void
ld_chat_row_finalize (GObject *object)
{
  LdChatRow *self = LD_CHAT_ROW (object);

  g_clear_pointer (&self->colour_class, g_free);
  g_clear_pointer (&self->own_name, g_free);
  g_clear_pointer (&self->highlight_words, g_strfreev);

  G_OBJECT_CLASS (ld_chat_row_parent_class)->finalize (object);
}

static void
ld_chat_row_class_init (LdChatRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_chat_row_dispose;
  object_class->finalize = ld_chat_row_finalize;

  pointer_cursor = gdk_cursor_new_from_name ("pointer", NULL);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/livedesk/Livedesk/ui/ld-chat-row.ui");
  gtk_widget_class_bind_template_child (widget_class, LdChatRow, box);
  gtk_widget_class_bind_template_child (widget_class, LdChatRow, header_box);
  gtk_widget_class_bind_template_child (widget_class, LdChatRow, time_label);
  gtk_widget_class_bind_template_child (widget_class, LdChatRow, role_label);
  gtk_widget_class_bind_template_child (widget_class, LdChatRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, LdChatRow, text_label);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "chatrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LIST_ITEM);
}

static void
ld_chat_row_init (LdChatRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_widget_set_cursor (GTK_WIDGET (self->name_label), pointer_cursor);
  /* Not gtk_widget_set_tooltip_text(): that asks the display where the
   * pointer is (a round trip to the X server) for every row made. */
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->name_label), TRUE);
  g_signal_connect (self->name_label, "query-tooltip", G_CALLBACK (on_name_query_tooltip), NULL);
  g_signal_connect (self->text_label, "activate-link", G_CALLBACK (on_text_activate_link), NULL);
}

GtkWidget *
ld_chat_row_new (void)
{
  return g_object_new (LD_TYPE_CHAT_ROW, NULL);
}

LdMessage *
ld_chat_row_get_message (LdChatRow *self)
{
  g_return_val_if_fail (LD_IS_CHAT_ROW (self), NULL);
  return self->message;
}

void
ld_chat_row_set_message (LdChatRow *self,
                         LdMessage *message)
{
  const char *badge;
  LdRole role;

  g_return_if_fail (LD_IS_CHAT_ROW (self));
  g_return_if_fail (message == NULL || LD_IS_MESSAGE (message));

  if (self->message == message)
    return;

  if (self->image_cancellable != NULL)
    {
      g_cancellable_cancel (self->image_cancellable);
      g_clear_object (&self->image_cancellable);
    }
  if (self->message != NULL)
    {
      g_clear_signal_handler (&self->state_handler, self->message);
      g_clear_object (&self->message);
    }
  if (self->colour_class != NULL)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->name_label), self->colour_class);
      g_clear_pointer (&self->colour_class, g_free);
    }
  for (LdRole r = LD_ROLE_STREAMER; r <= LD_ROLE_VIEWER; r++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->role_label), role_class (r));

  if (message == NULL)
    return;

  ld_chat_row_set_presence (self, NULL);
  show_presence_face (self, FALSE);
  self->message = g_object_ref (message);
  self->state_handler = g_signal_connect_object (message, "notify::state",
                                                 G_CALLBACK (on_state_changed), self,
                                                 G_CONNECT_SWAPPED);

  self->colour_class = g_strdup (ld_user_colour_class (ld_message_get_user_id (message)));
  gtk_widget_add_css_class (GTK_WIDGET (self->name_label), self->colour_class);
  gtk_label_set_text (self->name_label, ld_message_get_username (message));

  role = ld_message_get_role (message);
  badge = ld_role_badge_label (role);
  gtk_widget_set_visible (GTK_WIDGET (self->role_label), badge != NULL);
  gtk_label_set_text (self->role_label, badge ? badge : "");
  gtk_widget_add_css_class (GTK_WIDGET (self->role_label), role_class (role));

  /* User text is never parsed as markup: set_message_text() escapes it. */
  if (ld_message_get_message_type (message) == LD_MESSAGE_TYPE_IMAGE)
    {
      const char *caption = ld_message_get_text (message);

      set_message_text (self, caption);
      gtk_widget_set_visible (GTK_WIDGET (self->text_label), caption != NULL && *caption != '\0');
      ensure_image_box (self);
      gtk_label_set_text (self->image_label, ld_message_get_image_url (message));
      gtk_widget_set_visible (self->image_box, TRUE);
      load_thumbnail (self);
    }
  else
    {
      set_message_text (self, ld_message_get_text (message));
      gtk_widget_set_visible (GTK_WIDGET (self->text_label), TRUE);
      if (self->image_box != NULL)
        gtk_widget_set_visible (self->image_box, FALSE);
    }

  if (!ld_message_get_is_own (message) && ld_mention_matches (ld_message_get_text (message), self->own_name))
    gtk_widget_add_css_class (GTK_WIDGET (self), "mention");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "mention");

  if (has_highlight_word (self, ld_message_get_text (message)))
    gtk_widget_add_css_class (GTK_WIDGET (self), "highlight");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "highlight");

  if (ld_message_get_is_own (message))
    gtk_widget_add_css_class (GTK_WIDGET (self), "own");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "own");

  update_time (self);
  update_state (self);
  update_accessible (self);
}

LdPresenceLine *
ld_chat_row_get_presence (LdChatRow *self)
{
  g_return_val_if_fail (LD_IS_CHAT_ROW (self), NULL);
  return self->presence;
}

void
ld_chat_row_set_presence (LdChatRow      *self,
                          LdPresenceLine *line)
{
  g_return_if_fail (LD_IS_CHAT_ROW (self));
  g_return_if_fail (line == NULL || LD_IS_PRESENCE_LINE (line));

  if (self->presence == line)
    return;

  if (self->presence != NULL)
    {
      g_clear_signal_handler (&self->presence_handler, self->presence);
      g_clear_object (&self->presence);
    }
  if (line == NULL)
    return;

  ld_chat_row_set_message (self, NULL);
  self->presence = g_object_ref (line);
  self->presence_handler = g_signal_connect_object (line, "notify::count", G_CALLBACK (on_presence_count), self,
                                                    G_CONNECT_SWAPPED);
  show_presence_face (self, TRUE);
  update_presence (self);
}

void
ld_chat_row_set_clock_12h (LdChatRow *self,
                           gboolean   clock_12h)
{
  g_return_if_fail (LD_IS_CHAT_ROW (self));

  clock_12h = !!clock_12h;
  if (self->clock_12h == clock_12h)
    return;
  self->clock_12h = clock_12h;
  update_time (self);
  if (self->message != NULL)
    update_accessible (self);
}

void
ld_chat_row_set_own_name (LdChatRow  *self,
                          const char *username)
{
  g_return_if_fail (LD_IS_CHAT_ROW (self));

  g_free (self->own_name);
  self->own_name = g_strdup (username);
}

void
ld_chat_row_set_highlight_words (LdChatRow          *self,
                                 const char * const *words)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_if_fail (LD_IS_CHAT_ROW (self));

  for (guint i = 0; words != NULL && words[i] != NULL; i++)
    {
      g_autofree char *word = g_strstrip (g_strdup (words[i]));
      g_autofree char *folded = g_utf8_casefold (word, -1);

      if (*word != '\0')
        g_strv_builder_add (builder, folded);
    }
  g_strfreev (self->highlight_words);
  self->highlight_words = g_strv_builder_end (builder);
  if (self->highlight_words[0] == NULL)
    g_clear_pointer (&self->highlight_words, g_strfreev);
}

gboolean
ld_chat_row_get_highlighted (LdChatRow *self)
{
  g_return_val_if_fail (LD_IS_CHAT_ROW (self), FALSE);
  return gtk_widget_has_css_class (GTK_WIDGET (self), "highlight");
}

const char *
ld_chat_row_get_text (LdChatRow *self)
{
  g_return_val_if_fail (LD_IS_CHAT_ROW (self), NULL);

  if (self->presence != NULL && self->presence_label != NULL)
    return gtk_label_get_text (self->presence_label);
  return gtk_label_get_text (self->text_label);
}
