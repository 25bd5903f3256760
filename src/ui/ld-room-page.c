/* ld-room-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "ld-composer.h"
#include "ld-mention.h"
#include "ld-moderation-dialog.h"
#include "ld-room-page.h"
#include "ld-slash-command.h"
#include "ld-user-card.h"
#include "ld-validate.h"
#include "ld-window.h"

struct _LdRoomPage
{
  GtkWidget     parent_instance;

  LdChatView   *chat_view;
  LdSession    *session;
  LdRoom       *room;
  GCancellable *cancellable;
  guint         unread;
  gboolean      mentioned;
  gboolean      shown;
};

G_DEFINE_FINAL_TYPE (LdRoomPage, ld_room_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_ROOM,
  PROP_TITLE,
  PROP_UNREAD,
  PROP_MENTIONED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
toast (LdRoomPage *self,
       const char *text)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), LD_TYPE_WINDOW);

  if (window != NULL)
    ld_window_add_toast (LD_WINDOW (window), text);
}

/* The composer and the moderation menu follow this room and the session:
 * online and in the room to send, the user's own sanction here. */
static void
update (LdRoomPage *self)
{
  LdComposer *composer = ld_chat_view_get_composer (self->chat_view);
  gboolean online = ld_session_get_state (self->session) == LD_SESSION_STATE_ONLINE;

  ld_chat_view_set_can_moderate (self->chat_view, ld_room_can_moderate (self->room));
  ld_chat_view_set_own_role (self->chat_view, ld_session_get_role (self->session));
  ld_chat_view_set_own_name (self->chat_view, ld_session_get_username (self->session));
  ld_composer_set_can_send (composer, online && ld_room_get_joined (self->room), _("Not connected"));
  ld_composer_set_sanction (composer, ld_room_get_sanction (self->room), ld_room_get_sanction_until (self->room),
                            ld_room_get_sanction_reason (self->room));
}

static void
on_room_notify (LdRoomPage *self,
                GParamSpec *pspec)
{
  if (pspec != NULL && g_str_equal (pspec->name, "title"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
  update (self);
}

static void
on_session_notify (LdRoomPage *self,
                   GParamSpec *pspec)
{
  if (g_str_equal (pspec->name, "state") || g_str_equal (pspec->name, "username") ||
      g_str_equal (pspec->name, "role"))
    update (self);
}

/* Unread: what others wrote while the page was not shown; a mention of
 * the user among it marks the tab apart. */
static void
on_chat_items_changed (LdRoomPage *self,
                       guint       position,
                       guint       removed,
                       guint       added,
                       GListModel *model)
{
  const char *own = ld_session_get_username (self->session);
  guint unread = self->unread;
  gboolean mentioned = self->mentioned;

  if (self->shown)
    return;

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      if (!LD_IS_MESSAGE (item) || ld_message_get_is_own (LD_MESSAGE (item)))
        continue;
      unread++;
      if (own != NULL && ld_mention_matches (ld_message_get_text (LD_MESSAGE (item)), own))
        mentioned = TRUE;
    }

  if (unread != self->unread)
    {
      self->unread = unread;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
    }
  if (mentioned != self->mentioned)
    {
      self->mentioned = mentioned;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MENTIONED]);
    }
}

/* The seconds a rate-limit refusal asks to wait, rounded up, for the
 * composer to count down: a number from the core, not read out of its text. */
static guint
retry_seconds (LdRoomPage   *self,
               const GError *error)
{
  gint64 retry_ms;

  if (!g_error_matches (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED))
    return 0;
  retry_ms = ld_outbox_get_retry_ms (ld_session_get_outbox (self->session));
  return MAX (1, (guint) ((retry_ms + 999) / 1000));
}

static void
on_send (LdRoomPage *self,
         const char *text,
         gboolean    is_image,
         LdComposer *composer)
{
  g_autoptr(GError) error = NULL;
  LdMessage *message;

  /* Into this page's room, whichever room the session calls current. */
  if (is_image)
    message = ld_room_send_image (self->room, text, &error);
  else
    message = ld_room_send_text (self->room, text, &error);

  if (message == NULL)
    {
      ld_composer_refuse (composer, error->message, retry_seconds (self, error));
      return;
    }

  ld_composer_accept (composer);
  ld_chat_view_scroll_to_newest (self->chat_view);
}

static void
on_retry (LdRoomPage *self,
          LdMessage  *message,
          LdChatView *view)
{
  ld_room_retry_message (self->room, message);
}

/* The toast says it is done only now, when the server confirmed it, or
 * says why it refused. */
static void
on_moderated (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LdRoomPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *done = ld_moderation_dialog_moderate_finish (result, &error);

  if (done != NULL)
    toast (self, done);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    toast (self, error->message);
}

/* In this room, with the dialog over the window the page is in. */
static void
moderate (LdRoomPage          *self,
          LdModeration         action,
          const char          *target,
          const char          *username,
          guint                seconds,
          const char          *reason,
          gboolean             ask,
          GAsyncReadyCallback  callback)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (!GTK_IS_WINDOW (root))
    return;
  ld_moderation_dialog_moderate_async (GTK_WINDOW (root), self->room, action,
                                       target, username, seconds, reason, ask, self->cancellable, callback,
                                       g_object_ref (self));
}

static void
on_moderate (LdRoomPage *self,
             int         action,
             LdMessage  *message,
             guint       seconds,
             LdChatView *view)
{
  switch ((LdChatViewModeration) action)
    {
    case LD_CHAT_VIEW_DELETE:
      moderate (self, LD_MODERATION_DELETE, ld_message_get_id (message), ld_message_get_username (message),
                0, NULL, FALSE, on_moderated);
      break;
    case LD_CHAT_VIEW_TIMEOUT:
      /* The menu's presets are quick; "With Reason…" (G_MAXUINT) asks. */
      moderate (self, LD_MODERATION_TIMEOUT, ld_message_get_user_id (message), ld_message_get_username (message),
                seconds, NULL, seconds == G_MAXUINT, on_moderated);
      break;
    case LD_CHAT_VIEW_BAN:
    default:
      moderate (self, LD_MODERATION_BAN, ld_message_get_user_id (message), ld_message_get_username (message),
                0, NULL, TRUE, on_moderated);
      break;
    }
}

static void
on_command_done (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(LdRoomPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *done = ld_moderation_dialog_moderate_finish (result, &error);
  LdComposer *composer;

  if (self->chat_view == NULL)
    return;
  composer = ld_chat_view_get_composer (self->chat_view);
  if (done != NULL)
    {
      ld_composer_accept (composer);
      toast (self, done);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    ld_composer_refuse (composer, error->message, 0);
}

/* A command's NAME is a viewer's name in this room (any case), or one who
 * wrote in its chat (a banned user has left the viewers), or a user id. */
static char *
resolve_user (LdRoomPage *self,
              const char *name)
{
  GListModel *viewers = G_LIST_MODEL (ld_room_get_viewers (self->room));
  GListModel *chat = ld_chat_model_get_timeline (ld_room_get_chat (self->room));
  g_autofree char *folded = g_utf8_casefold (name, -1);

  for (guint i = 0; viewers != NULL && i < g_list_model_get_n_items (viewers); i++)
    {
      g_autoptr(LdViewer) viewer = g_list_model_get_item (viewers, i);
      g_autofree char *other = g_utf8_casefold (ld_viewer_get_username (viewer), -1);

      if (g_str_equal (folded, other) || g_str_equal (name, ld_viewer_get_user_id (viewer)))
        return g_strdup (ld_viewer_get_user_id (viewer));
    }
  for (guint i = g_list_model_get_n_items (chat); i > 0; i--)
    {
      g_autoptr(GObject) item = g_list_model_get_item (chat, i - 1);
      g_autofree char *other = NULL;

      if (!LD_IS_MESSAGE (item) || ld_message_get_username (LD_MESSAGE (item)) == NULL)
        continue;
      other = g_utf8_casefold (ld_message_get_username (LD_MESSAGE (item)), -1);
      if (g_str_equal (folded, other) || g_strcmp0 (name, ld_message_get_user_id (LD_MESSAGE (item))) == 0)
        return g_strdup (ld_message_get_user_id (LD_MESSAGE (item)));
    }
  /* Unbanning someone who is gone from this run: a user id also works. */
  if (ld_validate_user_id (name, NULL))
    return g_strdup (name);
  return NULL;
}

/* Slash commands typed in this page's composer act in this room; /delete
 * on the message selected in this page's chat. */
static void
on_command (LdRoomPage     *self,
            LdSlashCommand *command,
            LdComposer     *composer)
{
  const char *name = ld_slash_command_get_name (command);
  g_autofree char *user_id = NULL;
  LdMessage *message;

  if (ld_slash_command_get_kind (command) == LD_SLASH_DELETE)
    {
      message = ld_chat_view_get_selected_message (self->chat_view);
      if (message == NULL || ld_message_get_id (message) == NULL)
        {
          ld_composer_refuse (composer, _("Select the message to delete first"), 0);
          return;
        }
      moderate (self, LD_MODERATION_DELETE, ld_message_get_id (message), ld_message_get_username (message),
                0, NULL, FALSE, on_command_done);
      return;
    }

  user_id = resolve_user (self, name);
  if (user_id == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Nobody called “%s” in this room"), name);

      ld_composer_refuse (composer, text, 0);
      return;
    }

  switch (ld_slash_command_get_kind (command))
    {
    case LD_SLASH_TIMEOUT:
      moderate (self, LD_MODERATION_TIMEOUT, user_id, name, ld_slash_command_get_seconds (command),
                ld_slash_command_get_reason (command), FALSE, on_command_done);
      break;
    case LD_SLASH_BAN:
      /* A ban is confirmed even when typed. */
      moderate (self, LD_MODERATION_BAN, user_id, name, 0, ld_slash_command_get_reason (command), TRUE,
                on_command_done);
      break;
    case LD_SLASH_UNBAN:
    case LD_SLASH_DELETE:
    default:
      moderate (self, LD_MODERATION_UNBAN, user_id, name, 0, NULL, FALSE, on_command_done);
      break;
    }
}

static void
ld_room_page_constructed (GObject *object)
{
  LdRoomPage *self = LD_ROOM_PAGE (object);

  G_OBJECT_CLASS (ld_room_page_parent_class)->constructed (object);

  g_assert (self->session != NULL && self->room != NULL);

  ld_chat_view_set_model (self->chat_view, ld_room_get_chat (self->room));
  g_signal_connect_object (ld_room_get_chat (self->room), "items-changed", G_CALLBACK (on_chat_items_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->room, "notify", G_CALLBACK (on_room_notify), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify", G_CALLBACK (on_session_notify), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (ld_chat_view_get_composer (self->chat_view), "send", G_CALLBACK (on_send), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (ld_chat_view_get_composer (self->chat_view), "command", G_CALLBACK (on_command), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->chat_view, "retry", G_CALLBACK (on_retry), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->chat_view, "moderate", G_CALLBACK (on_moderate), self, G_CONNECT_SWAPPED);
  /* Names complete from this room's viewers. */
  ld_composer_set_names (ld_chat_view_get_composer (self->chat_view), G_LIST_MODEL (ld_room_get_viewers (self->room)));
  update (self);
}

static void
ld_room_page_dispose (GObject *object)
{
  LdRoomPage *self = LD_ROOM_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->chat_view != NULL)
    {
      GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->chat_view));

      /* A user card the window hung on this chat, still open. */
      while (child != NULL)
        {
          GtkWidget *next = gtk_widget_get_next_sibling (child);

          if (LD_IS_USER_CARD (child))
            gtk_widget_unparent (child);
          child = next;
        }
      gtk_widget_unparent (GTK_WIDGET (self->chat_view));
      self->chat_view = NULL;
    }
  g_clear_object (&self->cancellable);
  g_clear_object (&self->room);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ld_room_page_parent_class)->dispose (object);
}

static void
ld_room_page_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LdRoomPage *self = LD_ROOM_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION: g_value_set_object (value, self->session); break;
    case PROP_ROOM: g_value_set_object (value, self->room); break;
    case PROP_TITLE: g_value_set_string (value, ld_room_page_get_title (self)); break;
    case PROP_UNREAD: g_value_set_uint (value, self->unread); break;
    case PROP_MENTIONED: g_value_set_boolean (value, self->mentioned); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_room_page_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  LdRoomPage *self = LD_ROOM_PAGE (object);

  switch (prop_id)
    {
    case PROP_SESSION: self->session = g_value_dup_object (value); break;
    case PROP_ROOM: self->room = g_value_dup_object (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_room_page_class_init (LdRoomPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->constructed = ld_room_page_constructed;
  object_class->dispose = ld_room_page_dispose;
  object_class->get_property = ld_room_page_get_property;
  object_class->set_property = ld_room_page_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, LD_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ROOM] =
    g_param_spec_object ("room", NULL, NULL, LD_TYPE_ROOM,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, ro);
  properties[PROP_UNREAD] = g_param_spec_uint ("unread", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_MENTIONED] = g_param_spec_boolean ("mentioned", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "roompage");
}

static void
ld_room_page_init (LdRoomPage *self)
{
  self->cancellable = g_cancellable_new ();
  self->chat_view = g_object_new (LD_TYPE_CHAT_VIEW, NULL);
  gtk_widget_set_parent (GTK_WIDGET (self->chat_view), GTK_WIDGET (self));
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
}

LdRoomPage *
ld_room_page_new (LdSession *session,
                  LdRoom    *room)
{
  g_return_val_if_fail (LD_IS_SESSION (session), NULL);
  g_return_val_if_fail (LD_IS_ROOM (room), NULL);

  return g_object_new (LD_TYPE_ROOM_PAGE, "session", session, "room", room, NULL);
}

LdRoom *
ld_room_page_get_room (LdRoomPage *self)
{
  g_return_val_if_fail (LD_IS_ROOM_PAGE (self), NULL);
  return self->room;
}

const char *
ld_room_page_get_room_id (LdRoomPage *self)
{
  g_return_val_if_fail (LD_IS_ROOM_PAGE (self), NULL);
  return ld_room_get_id (self->room);
}

LdChatView *
ld_room_page_get_chat_view (LdRoomPage *self)
{
  g_return_val_if_fail (LD_IS_ROOM_PAGE (self), NULL);
  return self->chat_view;
}

const char *
ld_room_page_get_title (LdRoomPage *self)
{
  const char *title;

  g_return_val_if_fail (LD_IS_ROOM_PAGE (self), NULL);
  title = ld_room_get_title (self->room);
  return title != NULL && *title != '\0' ? title : ld_room_get_id (self->room);
}

guint
ld_room_page_get_unread (LdRoomPage *self)
{
  g_return_val_if_fail (LD_IS_ROOM_PAGE (self), 0);
  return self->unread;
}

gboolean
ld_room_page_get_mentioned (LdRoomPage *self)
{
  g_return_val_if_fail (LD_IS_ROOM_PAGE (self), FALSE);
  return self->mentioned;
}

void
ld_room_page_set_shown (LdRoomPage *self,
                        gboolean    shown)
{
  g_return_if_fail (LD_IS_ROOM_PAGE (self));

  self->shown = !!shown;
  if (!self->shown)
    return;
  if (self->unread != 0)
    {
      self->unread = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNREAD]);
    }
  if (self->mentioned)
    {
      self->mentioned = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MENTIONED]);
    }
}

void
ld_room_page_make_current (LdRoomPage *self)
{
  g_return_if_fail (LD_IS_ROOM_PAGE (self));

  /* A room that banned us is not asked again on every look at its tab. */
  if (ld_session_get_current_room (self->session) == self->room || ld_room_get_banned (self->room) ||
      ld_session_get_state (self->session) == LD_SESSION_STATE_SIGNED_OUT)
    return;
  /* In the room already, joining only makes it current, at once. */
  ld_session_join_room_async (self->session, ld_room_get_id (self->room), self->cancellable, NULL, NULL);
}

void
ld_room_page_moderate (LdRoomPage   *self,
                       LdModeration  action,
                       const char   *target,
                       const char   *username,
                       guint         seconds)
{
  g_return_if_fail (LD_IS_ROOM_PAGE (self));
  g_return_if_fail (target != NULL);

  moderate (self, action, target, username, seconds, NULL, TRUE, on_moderated);
}
