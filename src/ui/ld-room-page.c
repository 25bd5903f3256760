/* ld-room-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "ld-composer.h"
#include "ld-mention.h"
#include "ld-room-page.h"
#include "ld-user-card.h"
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

  ld_chat_view_set_can_moderate (self->chat_view, ld_session_can_moderate (self->session));
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
  retry_ms = ld_session_get_send_retry_ms (self->session);
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

  /* The session sends into its current room: this one, from now on. */
  ld_room_page_make_current (self);
  if (ld_session_get_current_room (self->session) != self->room)
    {
      ld_composer_refuse (composer, _("Join a room first"), 0);
      return;
    }

  if (is_image)
    message = ld_session_send_image (self->session, text, &error);
  else
    message = ld_session_send_text (self->session, text, &error);

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
  ld_session_retry_message (self->session, message);
}

static void
on_moderated (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LdRoomPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ld_session_moderate_finish (LD_SESSION (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
    }
}

static void
on_moderate (LdRoomPage *self,
             int         action,
             LdMessage  *message,
             guint       seconds,
             LdChatView *view)
{
  const char *room_id = ld_room_get_id (self->room);
  g_autofree char *text = NULL;

  switch ((LdChatViewModeration) action)
    {
    case LD_CHAT_VIEW_DELETE:
      ld_session_moderate_async (self->session, LD_MODERATION_DELETE, room_id, ld_message_get_id (message),
                                 0, NULL, self->cancellable, on_moderated, g_object_ref (self));
      break;
    case LD_CHAT_VIEW_TIMEOUT:
      ld_session_moderate_async (self->session, LD_MODERATION_TIMEOUT, room_id, ld_message_get_user_id (message),
                                 seconds, NULL, self->cancellable, on_moderated, g_object_ref (self));
      text = g_strdup_printf (_("%s is timed out"), ld_message_get_username (message));
      break;
    case LD_CHAT_VIEW_BAN:
    default:
      ld_session_moderate_async (self->session, LD_MODERATION_BAN, room_id, ld_message_get_user_id (message),
                                 0, NULL, self->cancellable, on_moderated, g_object_ref (self));
      text = g_strdup_printf (_("%s is banned"), ld_message_get_username (message));
      break;
    }

  if (text != NULL)
    toast (self, text);
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
  g_signal_connect_object (self->chat_view, "retry", G_CALLBACK (on_retry), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->chat_view, "moderate", G_CALLBACK (on_moderate), self, G_CONNECT_SWAPPED);
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
