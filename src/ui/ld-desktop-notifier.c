/* ld-desktop-notifier.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <string.h>

#include "ld-desktop-notifier.h"

struct _LdDesktopNotifier
{
  GObject       parent_instance;

  GtkWindow    *window;
  AdwViewStack *views;
  LdSettings   *settings;
  LdSession    *session;

  /* Sent and not yet withdrawn: GNotification id → the view it opens. */
  GHashTable   *pending;
  /* Platform notifications already considered, so one that shows again
   * (a filter change in the model) is not announced twice. */
  GHashTable   *seen;
};

G_DEFINE_FINAL_TYPE (LdDesktopNotifier, ld_desktop_notifier, G_TYPE_OBJECT)

static GApplication *
get_application (LdDesktopNotifier *self)
{
  GtkApplication *app = self->window != NULL ? gtk_window_get_application (self->window) : NULL;

  if (app == NULL || !g_application_get_is_registered (G_APPLICATION (app)) ||
      g_application_get_is_remote (G_APPLICATION (app)))
    return NULL;
  return G_APPLICATION (app);
}

static gboolean
window_in_front (LdDesktopNotifier *self)
{
  return self->window != NULL && gtk_widget_get_visible (GTK_WIDGET (self->window)) &&
         gtk_window_is_active (self->window);
}

/* PROPERTY: one of the settings' notify-… choices. */
static gboolean
chosen (LdDesktopNotifier *self,
        const char        *property)
{
  gboolean on = FALSE;

  if (self->settings != NULL)
    g_object_get (self->settings, property, &on, NULL);
  return on;
}

/* Sends NOTIFICATION as ID unless the user sees the window already; it opens
 * VIEW. */
static void
send (LdDesktopNotifier *self,
      const char        *id,
      const char        *view,
      GNotification     *notification)
{
  GApplication *app = get_application (self);

  if (app == NULL || window_in_front (self))
    return;

  g_notification_set_default_action_and_target (notification, "app.show-view", "s", view);
  g_application_send_notification (app, id, notification);
  g_hash_table_replace (self->pending, g_strdup (id), g_strdup (view));
}

static void
withdraw (LdDesktopNotifier *self,
          const char        *id)
{
  GApplication *app;

  if (!g_hash_table_remove (self->pending, id))
    return;
  if ((app = get_application (self)) != NULL)
    g_application_withdraw_notification (app, id);
}

/* Notification servers may render the body as markup (the spec's
 * body-markup); what users wrote must show as written. */
static void
set_plain_body (GNotification *notification,
                const char    *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  g_notification_set_body (notification, escaped);
}

static gboolean
is_word_char (gunichar c)
{
  return g_unichar_isalnum (c) || c == '_' || g_unichar_ismark (c);
}

gboolean
ld_desktop_notifier_is_mention (const char *text,
                                const char *username)
{
  g_autofree char *folded_text = NULL;
  g_autofree char *folded_name = NULL;
  size_t name_len;

  if (text == NULL || username == NULL || *username == '\0')
    return FALSE;

  folded_text = g_utf8_casefold (text, -1);
  folded_name = g_utf8_casefold (username, -1);
  name_len = strlen (folded_name);

  /* A word of its own, so "an" is not mentioned by "Lan". */
  for (const char *p = strstr (folded_text, folded_name); p != NULL; p = strstr (p + 1, folded_name))
    {
      gboolean starts = p == folded_text || !is_word_char (g_utf8_get_char (g_utf8_find_prev_char (folded_text, p)));
      gboolean ends = p[name_len] == '\0' || !is_word_char (g_utf8_get_char (p + name_len));

      if (starts && ends)
        return TRUE;
    }
  return FALSE;
}

static void
consider_message (LdDesktopNotifier *self,
                  JsonObject        *message)
{
  const char *own = ld_session_get_username (self->session);
  const char *text = json_object_get_string_member_with_default (message, "message", NULL);
  const char *username = json_object_get_string_member_with_default (message, "username", NULL);
  const char *id = json_object_get_string_member_with_default (message, "messageId", NULL);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *notification_id = NULL;

  if (!chosen (self, "notify-mentions") || username == NULL ||
      g_strcmp0 (json_object_get_string_member_with_default (message, "roomId", NULL),
                 ld_session_get_room_id (self->session)) != 0 ||
      g_strcmp0 (json_object_get_string_member_with_default (message, "userId", NULL),
                 ld_session_get_user_id (self->session)) == 0 ||
      !ld_desktop_notifier_is_mention (text, own))
    return;

  /* Translators: a desktop notification's title: who mentioned you. */
  title = g_strdup_printf (_("%s mentioned you"), username);
  notification = g_notification_new (title);
  set_plain_body (notification, text);
  g_notification_set_category (notification, "im.received");
  notification_id = id != NULL ? g_strconcat ("mention-", id, NULL) : g_strdup ("mention");
  send (self, notification_id, "chat", notification);
}

static void
consider_room_update (LdDesktopNotifier *self,
                      JsonObject        *update)
{
  const char *status = json_object_get_string_member_with_default (update, "status", NULL);
  const char *title = json_object_get_string_member_with_default (update, "title", NULL);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *text = NULL;

  if (title == NULL)
    title = ld_session_get_room_title (self->session);
  if (title == NULL)
    title = ld_session_get_room_id (self->session);

  if (!chosen (self, "notify-stream-state") || status == NULL ||
      g_strcmp0 (json_object_get_string_member_with_default (update, "roomId", NULL),
                 ld_session_get_room_id (self->session)) != 0 ||
      g_strcmp0 (status, ld_session_get_room_status (self->session)) == 0)
    return;

  if (g_strcmp0 (status, "live") == 0)
    {
      notification = g_notification_new (_("The stream is live"));
      /* Translators: a desktop notification's body: the room's title. */
      text = g_strdup_printf (_("“%s” has started"), title);
    }
  else if (g_strcmp0 (status, "ended") == 0)
    {
      notification = g_notification_new (_("The stream has ended"));
      text = g_strdup_printf (_("“%s” is over"), title);
    }
  else
    return;

  set_plain_body (notification, text);
  send (self, "stream", "chat", notification);
}

static void
consider_support (LdDesktopNotifier *self,
                  const char        *event,
                  JsonObject        *payload)
{
  gboolean admin = ld_session_get_role (self->session) == LD_ROLE_ADMIN;
  const char *text = json_object_get_string_member_with_default (payload, "message", NULL);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;

  if (!chosen (self, "notify-support") || text == NULL)
    return;

  if (admin && strcmp (event, "adminChat") == 0)
    {
      const char *user_id = json_object_get_string_member_with_default (payload, "userId", NULL);
      const char *username = json_object_get_string_member_with_default (payload, "username", user_id);

      if (user_id == NULL || g_strcmp0 (user_id, ld_session_get_user_id (self->session)) == 0)
        return;
      notification = g_notification_new (_("New support request"));
      /* Translators: a desktop notification's body: who asked, and what. */
      body = g_strdup_printf (_("%s: %s"), username, text);
      id = g_strconcat ("support-", user_id, NULL);
    }
  else if (!admin && strcmp (event, "adminMessage") == 0)
    {
      notification = g_notification_new (_("Support answered"));
      body = g_strdup (text);
      id = g_strdup ("support-answer");
    }
  else
    return;

  set_plain_body (notification, body);
  g_notification_set_category (notification, "im.received");
  send (self, id, "support", notification);
}

static void
on_event (LdDesktopNotifier *self,
          const char        *event,
          JsonNode          *payload,
          LdSession         *session)
{
  JsonObject *object;

  if (payload == NULL || !JSON_NODE_HOLDS_OBJECT (payload))
    return;
  object = json_node_get_object (payload);

  if (strcmp (event, "newMessage") == 0)
    consider_message (self, object);
  else if (strcmp (event, "chatMessageFromBackend") == 0)
    {
      JsonNode *data = json_object_get_member (object, "data");

      if (data != NULL && JSON_NODE_HOLDS_OBJECT (data))
        consider_message (self, json_node_get_object (data));
    }
  /* Before the session applies it, so the old status is still there to
   * compare with: a repeated "live" is no news. */
  else if (strcmp (event, "roomUpdate") == 0)
    consider_room_update (self, object);
  else if (strcmp (event, "adminChat") == 0 || strcmp (event, "adminMessage") == 0)
    consider_support (self, event, object);
}

static void
on_gift_received (LdDesktopNotifier *self,
                  LdGift            *gift,
                  LdGiftQueue       *queue)
{
  const char *tx_id = ld_gift_get_tx_id (gift);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *id = NULL;

  if (!chosen (self, "notify-gifts") ||
      ld_gift_get_total_value (gift) < ld_settings_get_notify_gift_value (self->settings) ||
      g_strcmp0 (ld_gift_get_sender_id (gift), ld_session_get_user_id (self->session)) == 0)
    return;

  if (ld_gift_get_quantity (gift) > 1)
    /* Translators: a desktop notification's title: who sent which gift, how many. */
    title = g_strdup_printf (_("%s sent %s ×%u"), ld_gift_get_sender_name (gift), ld_gift_get_gift_name (gift),
                             ld_gift_get_quantity (gift));
  else
    /* Translators: a desktop notification's title: who sent which gift. */
    title = g_strdup_printf (_("%s sent %s"), ld_gift_get_sender_name (gift), ld_gift_get_gift_name (gift));

  notification = g_notification_new (title);
  if (ld_gift_get_message (gift) != NULL && *ld_gift_get_message (gift) != '\0')
    set_plain_body (notification, ld_gift_get_message (gift));
  id = tx_id != NULL ? g_strconcat ("gift-", tx_id, NULL) : g_strdup ("gift");
  send (self, id, "gifts", notification);
}

static void
on_notification_read (LdDesktopNotifier *self,
                      GParamSpec        *pspec,
                      LdNotification    *notification)
{
  g_autofree char *id = NULL;

  if (!ld_notification_get_read (notification))
    return;

  id = g_strconcat ("notification-", ld_notification_get_id (notification), NULL);
  withdraw (self, id);
}

static void
consider_notification (LdDesktopNotifier *self,
                       LdNotification    *item)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;
  const char *title = ld_notification_get_title (item);
  const char *message = ld_notification_get_message (item);

  if (ld_notification_get_read (item) || !g_hash_table_add (self->seen, g_strdup (ld_notification_get_id (item))))
    return;

  g_signal_connect_object (item, "notify::read", G_CALLBACK (on_notification_read), self, G_CONNECT_SWAPPED);

  if (title == NULL || *title == '\0')
    title = message;
  if (title == NULL || *title == '\0')
    return;

  notification = g_notification_new (title);
  if (message != NULL && message != title)
    set_plain_body (notification, message);
  if (ld_notification_get_source (item) == LD_NOTIFICATION_SOURCE_SYSTEM)
    g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  g_notification_add_button_with_target (notification, _("Mark Read"), "app.mark-notification-read", "s",
                                         ld_notification_get_id (item));
  id = g_strconcat ("notification-", ld_notification_get_id (item), NULL);
  send (self, id, "notifications", notification);
}

static void
on_notifications_changed (LdDesktopNotifier *self,
                          guint              position,
                          guint              removed,
                          guint              added,
                          GListModel        *model)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(LdNotification) item = g_list_model_get_item (model, i);

      consider_notification (self, item);
    }
}

static void
withdraw_current_view (LdDesktopNotifier *self)
{
  const char *view;

  if (self->window == NULL || self->views == NULL || !gtk_widget_get_visible (GTK_WIDGET (self->window)))
    return;

  view = adw_view_stack_get_visible_child_name (self->views);
  if (view != NULL)
    ld_desktop_notifier_withdraw_view (self, view);
}

/* Another view shown in a visible window, or the window come to the front:
 * what the user now sees is handled. */
static void
on_window_active (LdDesktopNotifier *self)
{
  if (gtk_window_is_active (self->window))
    withdraw_current_view (self);
}

static void
ld_desktop_notifier_dispose (GObject *object)
{
  LdDesktopNotifier *self = LD_DESKTOP_NOTIFIER (object);

  ld_desktop_notifier_set_session (self, NULL);
  if (self->window != NULL)
    g_signal_handlers_disconnect_by_data (self->window, self);
  if (self->views != NULL)
    g_signal_handlers_disconnect_by_data (self->views, self);
  self->window = NULL;
  self->views = NULL;
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ld_desktop_notifier_parent_class)->dispose (object);
}

static void
ld_desktop_notifier_finalize (GObject *object)
{
  LdDesktopNotifier *self = LD_DESKTOP_NOTIFIER (object);

  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->seen, g_hash_table_unref);

  G_OBJECT_CLASS (ld_desktop_notifier_parent_class)->finalize (object);
}

static void
ld_desktop_notifier_class_init (LdDesktopNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ld_desktop_notifier_dispose;
  object_class->finalize = ld_desktop_notifier_finalize;
}

static void
ld_desktop_notifier_init (LdDesktopNotifier *self)
{
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

LdDesktopNotifier *
ld_desktop_notifier_new (GtkWindow    *window,
                         AdwViewStack *views,
                         LdSettings   *settings)
{
  LdDesktopNotifier *self;

  g_return_val_if_fail (GTK_IS_WINDOW (window), NULL);
  g_return_val_if_fail (views == NULL || ADW_IS_VIEW_STACK (views), NULL);
  g_return_val_if_fail (settings == NULL || LD_IS_SETTINGS (settings), NULL);

  self = g_object_new (LD_TYPE_DESKTOP_NOTIFIER, NULL);
  self->window = window;
  self->views = views;
  self->settings = settings != NULL ? g_object_ref (settings) : NULL;

  g_signal_connect_object (window, "notify::is-active", G_CALLBACK (on_window_active), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (window, "notify::visible", G_CALLBACK (withdraw_current_view), self, G_CONNECT_SWAPPED);
  if (views != NULL)
    g_signal_connect_object (views, "notify::visible-child-name", G_CALLBACK (withdraw_current_view), self,
                             G_CONNECT_SWAPPED);

  return self;
}

void
ld_desktop_notifier_set_session (LdDesktopNotifier *self,
                                 LdSession         *session)
{
  g_return_if_fail (LD_IS_DESKTOP_NOTIFIER (self));
  g_return_if_fail (session == NULL || LD_IS_SESSION (session));

  if (self->session == session)
    return;

  if (self->session != NULL)
    {
      LdNotificationModel *model = ld_session_get_notifications (self->session);

      g_signal_handlers_disconnect_by_data (self->session, self);
      g_signal_handlers_disconnect_by_data (ld_session_get_gifts (self->session), self);
      g_signal_handlers_disconnect_by_data (model, self);
      for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (model)); i++)
        {
          g_autoptr(LdNotification) item = g_list_model_get_item (G_LIST_MODEL (model), i);

          g_signal_handlers_disconnect_by_data (item, self);
        }
      /* Another account's news is not this one's. */
      ld_desktop_notifier_withdraw_all (self);
      g_hash_table_remove_all (self->seen);
      g_clear_object (&self->session);
    }

  if (session == NULL)
    return;

  self->session = g_object_ref (session);
  g_signal_connect_object (session, "event", G_CALLBACK (on_event), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (ld_session_get_gifts (session), "gift-received", G_CALLBACK (on_gift_received), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (ld_session_get_notifications (session), "items-changed",
                           G_CALLBACK (on_notifications_changed), self, G_CONNECT_SWAPPED);

  /* What arrived before is old news: only watch it for being read. */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (ld_session_get_notifications (session))); i++)
    {
      g_autoptr(LdNotification) item = g_list_model_get_item (G_LIST_MODEL (ld_session_get_notifications (session)), i);

      g_hash_table_add (self->seen, g_strdup (ld_notification_get_id (item)));
    }
}

void
ld_desktop_notifier_withdraw_view (LdDesktopNotifier *self,
                                   const char        *view)
{
  GHashTableIter iter;
  gpointer id, target;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  g_return_if_fail (LD_IS_DESKTOP_NOTIFIER (self));
  g_return_if_fail (view != NULL);

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, &id, &target))
    if (g_str_equal (target, view))
      g_ptr_array_add (ids, g_strdup (id));

  for (guint i = 0; i < ids->len; i++)
    withdraw (self, g_ptr_array_index (ids, i));
}

void
ld_desktop_notifier_withdraw_all (LdDesktopNotifier *self)
{
  g_autofree gpointer *ids = NULL;
  guint n;

  g_return_if_fail (LD_IS_DESKTOP_NOTIFIER (self));

  ids = g_hash_table_get_keys_as_array (self->pending, &n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup (ids[i]);

      withdraw (self, id);
    }
}

guint
ld_desktop_notifier_get_n_pending (LdDesktopNotifier *self)
{
  g_return_val_if_fail (LD_IS_DESKTOP_NOTIFIER (self), 0);

  return g_hash_table_size (self->pending);
}
