/* ld-desktop-notifier.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <string.h>

#include "ld-desktop-notifier.h"
#include "ld-mention.h"

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

static void
on_message_received (LdDesktopNotifier *self,
                     LdMessage         *message,
                     LdSession         *session)
{
  const char *own = ld_session_get_username (session);
  const char *text = ld_message_get_text (message);
  const char *id = ld_message_get_id (message);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *title = NULL;
  g_autofree char *notification_id = NULL;

  if (!chosen (self, "notify-mentions") || ld_message_get_is_own (message) ||
      !ld_mention_matches (text, own))
    return;

  /* Translators: a desktop notification's title: who mentioned you. */
  title = g_strdup_printf (_("%s mentioned you"), ld_message_get_username (message));
  notification = g_notification_new (title);
  set_plain_body (notification, text);
  g_notification_set_category (notification, "im.received");
  if (id == NULL)
    id = ld_message_get_local_id (message);
  notification_id = id != NULL ? g_strconcat ("mention-", id, NULL) : g_strdup ("mention");
  send (self, notification_id, "chat", notification);
}

static void
on_stream_status_changed (LdDesktopNotifier *self,
                          LdRoom            *room,
                          const char        *status,
                          LdSession         *session)
{
  const char *title = ld_room_get_title (room);
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *text = NULL;

  if (title == NULL)
    title = ld_room_get_id (room);
  if (!chosen (self, "notify-stream-state") || title == NULL)
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
on_support_request (LdDesktopNotifier *self,
                    const char        *user_id,
                    const char        *username,
                    const char        *text,
                    LdSupport         *support)
{
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *body = NULL;
  g_autofree char *id = NULL;

  if (!chosen (self, "notify-support"))
    return;

  notification = g_notification_new (_("New support request"));
  /* Translators: a desktop notification's body: who asked, and what. */
  body = g_strdup_printf (_("%s: %s"), username, text);
  id = g_strconcat ("support-", user_id, NULL);
  set_plain_body (notification, body);
  g_notification_set_category (notification, "im.received");
  send (self, id, "support", notification);
}

static void
on_support_reply (LdDesktopNotifier *self,
                  const char        *ticket_id,
                  const char        *from,
                  const char        *text,
                  LdSupport         *support)
{
  g_autoptr(GNotification) notification = NULL;

  /* An admin's replies are their own. */
  if (!chosen (self, "notify-support") || ld_session_get_role (self->session) == LD_ROLE_ADMIN)
    return;

  notification = g_notification_new (_("Support answered"));
  set_plain_body (notification, text);
  g_notification_set_category (notification, "im.received");
  send (self, "support-answer", "support", notification);
}

static void
on_gift_received (LdDesktopNotifier *self,
                  LdGift            *gift,
                  LdSession         *session)
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
      g_signal_handlers_disconnect_by_data (ld_session_get_support (self->session), self);
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
  g_signal_connect_object (session, "message-received", G_CALLBACK (on_message_received), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "stream-status-changed", G_CALLBACK (on_stream_status_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (ld_session_get_support (session), "support-request", G_CALLBACK (on_support_request), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (ld_session_get_support (session), "support-reply", G_CALLBACK (on_support_reply), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (session, "gift-received", G_CALLBACK (on_gift_received), self, G_CONNECT_SWAPPED);
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
