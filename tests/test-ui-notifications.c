/* test-ui-notifications.c: the Notifications view and the desktop
 * notifications, in the real application under Xvfb, signed in as an admin
 * against a real livedesk-gateway bridged to a real redis-server: the
 * platform's notifications arrive the way a backend sends them (a Redis
 * publish), the rest from other users' sessions.
 *
 * Desktop notifications: GLib picks the "gtk" backend (forced below with
 * GNOTIFICATION_BACKEND, and usable once org.gtk.Notifications has an owner
 * on the session bus), which calls AddNotification / RemoveNotification
 * there. The test owns that name with an object that records the calls.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <signal.h>

#include "ld-application.h"
#include "ld-desktop-notifier.h"
#include "ld-mention.h"
#include "ld-notifications-view.h"
#include "ld-session-private.h"
#include "ld-test-gateway.h"
#include "ld-test-ui.h"
#include "ld-test-util.h"
#include "ld-test-room.h"
#include "test-peer.h"
#include "test-redis.h"

#define WAIT_MS 20000
#define ROOM "room_1"

#define WAIT_UNTIL(cond) LD_TEST_WAIT_UNTIL (cond, WAIT_MS)

typedef struct
{
  char *method;
  char *id;
  char *title;
  char *body;
  char *action;
  char *target;
  char *button_action;
  char *button_target;
} Call;

static struct
{
  LdTestGateway *gateway;
  GSubprocess   *redis;
  guint16        redis_port;
  LdApplication *app;
  LdWindow      *window;
  LdSession     *ada;
  LdSession     *bob;
  LdSession     *alice;
  LdSession     *mia;
  GPtrArray     *calls;
  guint          gifts_received;
} t;

static void
call_free (Call *call)
{
  g_free (call->method);
  g_free (call->id);
  g_free (call->title);
  g_free (call->body);
  g_free (call->action);
  g_free (call->target);
  g_free (call->button_action);
  g_free (call->button_target);
  g_free (call);
}

static char *
dup_string (GVariant   *dict,
            const char *key)
{
  const char *value = NULL;

  g_variant_lookup (dict, key, "&s", &value);
  return g_strdup (value);
}

static char *
print_target (GVariant   *dict,
              const char *key)
{
  g_autoptr(GVariant) target = g_variant_lookup_value (dict, key, NULL);

  return target != NULL ? g_variant_print (target, FALSE) : NULL;
}

static void
on_method_call (GDBusConnection       *connection,
                const char            *sender,
                const char            *object_path,
                const char            *interface_name,
                const char            *method_name,
                GVariant              *parameters,
                GDBusMethodInvocation *invocation,
                gpointer               user_data)
{
  /* Other programs on the bus are not under test. */
  if (g_strcmp0 (sender, g_dbus_connection_get_unique_name (connection)) == 0)
    {
      Call *call = g_new0 (Call, 1);
      const char *app_id, *id;

      call->method = g_strdup (method_name);
      if (g_str_equal (method_name, "AddNotification"))
        {
          g_autoptr(GVariant) dict = NULL;
          g_autoptr(GVariant) buttons = NULL;

          g_variant_get (parameters, "(&s&s@a{sv})", &app_id, &id, &dict);
          call->title = dup_string (dict, "title");
          call->body = dup_string (dict, "body");
          call->action = dup_string (dict, "default-action");
          call->target = print_target (dict, "default-action-target");
          buttons = g_variant_lookup_value (dict, "buttons", G_VARIANT_TYPE ("aa{sv}"));
          if (buttons != NULL && g_variant_n_children (buttons) > 0)
            {
              g_autoptr(GVariant) button = g_variant_get_child_value (buttons, 0);

              call->button_action = dup_string (button, "action");
              call->button_target = print_target (button, "target");
            }
        }
      else
        g_variant_get (parameters, "(&s&s)", &app_id, &id);
      call->id = g_strdup (id);
      g_assert_cmpstr (app_id, ==, g_application_get_application_id (G_APPLICATION (t.app)));
      g_ptr_array_add (t.calls, call);
    }

  g_dbus_method_invocation_return_value (invocation, NULL);
}

/* The last call of METHOD for an id starting with PREFIX, or NULL. */
static Call *
find_call (const char *method,
           const char *prefix)
{
  for (guint i = t.calls->len; i > 0; i--)
    {
      Call *call = g_ptr_array_index (t.calls, i - 1);

      if (g_str_equal (call->method, method) && g_str_has_prefix (call->id, prefix))
        return call;
    }
  return NULL;
}

static guint
count_calls (const char *method,
             const char *prefix)
{
  guint n = 0;

  for (guint i = 0; i < t.calls->len; i++)
    {
      Call *call = g_ptr_array_index (t.calls, i);

      n += g_str_equal (call->method, method) && g_str_has_prefix (call->id, prefix);
    }
  return n;
}

/* What a backend does: PUBLISH on the gateway's Redis, retried until the
 * gateway has subscribed. */
static void
publish (const char *channel,
         const char *json)
{
  g_autofree char *port = g_strdup_printf ("%u", t.redis_port);
  const char *argv[] = { "redis-cli", "-p", port, "publish", channel, json, NULL };
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * G_TIME_SPAN_MILLISECOND;

  for (;;)
    {
      g_autofree char *out = NULL;
      g_autoptr(GError) error = NULL;
      int status;

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &status, &error);
      g_assert_no_error (error);
      if (g_ascii_strtoull (out, NULL, 10) > 0)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * 1000);
    }
}

/* Whether ada's chat has TEXT yet. */
static gboolean
ada_has_text (const char *text)
{
  LdChatModel *chat = ld_room_get_chat (ld_test_room (t.ada));

  ld_chat_model_flush (chat);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (chat)); i++)
    {
      g_autoptr(LdMessage) message = g_list_model_get_item (G_LIST_MODEL (chat), i);

      if (g_strcmp0 (ld_message_get_text (message), text) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The gateway sends the catalogue's value, so the gift is the one of the
 * shipped catalogue (resources/gifts/catalogue.json) worth VALUE. */
static void
send_gift (LdSession *session,
           double     value,
           guint      quantity)
{
  LdRoomGift gift = {
    .receiver_id = "ada", .receiver_name = "ada", .gift_type = "premium", .gift_value = value, .quantity = quantity,
  };

  if (value == 10)
    gift.gift_id = "star", gift.gift_name = "Star", gift.gift_type = "star";
  else if (value == 50)
    gift.gift_id = "fireworks", gift.gift_name = "Fireworks";
  else if (value == 500)
    gift.gift_id = "diamond", gift.gift_name = "Diamond";
  else
    g_assert_not_reached ();

  ld_test_session_send_gift (session, &gift, WAIT_MS);
}

static guint
ticket_length (const char *user_id)
{
  LdTicket *ticket = ld_ticket_model_lookup (ld_support_get_tickets (ld_session_get_support (t.ada)), user_id);

  return ticket != NULL ? g_list_model_get_n_items (ld_ticket_get_messages (ticket)) : 0;
}

static void
on_gift_received (void)
{
  t.gifts_received++;
}

static LdNotificationsView *
the_view (void)
{
  return LD_NOTIFICATIONS_VIEW (ld_test_find_widget (GTK_WIDGET (t.window), LD_TYPE_NOTIFICATIONS_VIEW));
}

static AdwViewStack *
the_stack (void)
{
  return ADW_VIEW_STACK (gtk_widget_get_ancestor (GTK_WIDGET (the_view ()), ADW_TYPE_VIEW_STACK));
}

static guint
badge (void)
{
  return adw_view_stack_page_get_badge_number (adw_view_stack_get_page (the_stack (), GTK_WIDGET (the_view ())));
}

/* The row showing TITLE in the view. */
static GtkWidget *
row_titled (const char *title)
{
  GtkWidget *label = ld_test_find_label (GTK_WIDGET (the_view ()), title);

  g_assert_nonnull (label);
  return gtk_widget_get_ancestor (label, GTK_TYPE_LIST_BOX_ROW);
}

static guint
count_unread_rows (GtkWidget *root)
{
  guint n = GTK_IS_LIST_BOX_ROW (root) && gtk_widget_has_css_class (root, "unread");

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    n += count_unread_rows (child);
  return n;
}

static void
publish_notification (const char *id,
                      const char *type,
                      const char *title,
                      const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "userId");
  json_builder_add_string_value (builder, "ada");
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, title);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);
  publish ("notification", json);
}

static GSettings *
settings (void)
{
  return ld_settings_get_settings (ld_application_get_settings (t.app));
}

static void
choose_all (gboolean on)
{
  g_settings_set_boolean (settings (), "notify-mentions", on);
  g_settings_set_boolean (settings (), "notify-gifts", on);
  g_settings_set_boolean (settings (), "notify-support", on);
  g_settings_set_boolean (settings (), "notify-stream-state", on);
  g_settings_set_uint (settings (), "notify-gift-value", 100);
}

/* A mention names the user as a word of its own, in any case. */
static void
test_mention_words (void)
{
  g_assert_true (ld_mention_matches ("hey @ada, look", "ada"));
  g_assert_true (ld_mention_matches ("ADA!", "ada"));
  g_assert_true (ld_mention_matches ("cảm ơn Huong Live nhé", "huong live"));
  g_assert_true (ld_mention_matches ("Đức", "đức"));
  g_assert_false (ld_mention_matches ("adam, are you there?", "ada"));
  g_assert_false (ld_mention_matches ("canada", "ada"));
  g_assert_false (ld_mention_matches ("ada_fan", "ada"));
  g_assert_false (ld_mention_matches ("anything", ""));
  g_assert_false (ld_mention_matches (NULL, "ada"));
}

/* Nothing arrived yet: the view says so. */
static void
test_empty (void)
{
  GtkWidget *view = g_object_ref_sink (ld_notifications_view_new ());
  g_autoptr(LdNotificationModel) model = ld_notification_model_new ();
  GtkWidget *status = ld_test_find_widget (view, ADW_TYPE_STATUS_PAGE);

  ld_notifications_view_set_model (LD_NOTIFICATIONS_VIEW (view), model);
  g_assert_true (gtk_stack_get_visible_child (GTK_STACK (gtk_widget_get_parent (status))) == status);
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (status)), ==, "No Notifications");
  /* Nothing to filter or mark. */
  g_assert_false (gtk_widget_get_visible (gtk_widget_get_ancestor (ld_test_find_widget (view, GTK_TYPE_DROP_DOWN),
                                                                   GTK_TYPE_BOX)));

  g_clear_object (&view);
}

/* Notifications from the backend fill the list, newest first, unread and
 * counted in the tab's badge; a system one sits apart at the top; opening
 * one marks it read; the drop-down shows one type; Mark All Read clears the
 * count. Titles are shown as sent, never as markup. */
static void
test_list (void)
{
  LdNotificationsView *view = the_view ();
  LdNotificationModel *model = ld_session_get_notifications (t.ada);
  GtkDropDown *dropdown = GTK_DROP_DOWN (ld_test_find_widget (GTK_WIDGET (view), GTK_TYPE_DROP_DOWN));
  GtkWidget *mark_all;
  GtkWidget *row;

  publish_notification ("n1", "info", "Welcome <b>back</b>", "Your stream key was rotated");
  WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (model)) == 1);
  publish_notification ("n2", "gift", "Lan sent you a Rose", "Thank them on stream");
  publish_notification ("n3", "follow", "Minh follows you", "Say hello");
  WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (model)) == 3);
  /* Type "system" reaches the app as systemNotification. */
  publish_notification ("s1", "system", "Maintenance tonight", "The platform restarts at 02:00");
  WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (model)) == 4);

  g_assert_cmpuint (g_list_model_get_n_items (ld_notifications_view_get_shown (view)), ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (ld_notifications_view_get_system (view)), ==, 1);
  g_assert_cmpuint (badge (), ==, 4);
  g_assert_nonnull (ld_test_find_label (GTK_WIDGET (view), "4 unread"));
  g_assert_cmpuint (count_unread_rows (GTK_WIDGET (view)), ==, 4);

  /* Newest first, system apart. */
  {
    g_autoptr(LdNotification) first = g_list_model_get_item (ld_notifications_view_get_shown (view), 0);
    g_autoptr(LdNotification) sys = g_list_model_get_item (ld_notifications_view_get_system (view), 0);

    g_assert_cmpstr (ld_notification_get_id (first), ==, "n3");
    g_assert_cmpstr (ld_notification_get_id (sys), ==, "s1");
    g_assert_true (gtk_widget_is_ancestor (row_titled ("Maintenance tonight"),
                                           ld_test_find_widget (GTK_WIDGET (view), GTK_TYPE_LIST_BOX)));
  }

  /* Opening one reads it. */
  row = row_titled ("Welcome <b>back</b>");
  g_assert_true (gtk_widget_has_css_class (row, "unread"));
  g_assert_true (gtk_widget_activate (row));
  g_assert_false (gtk_widget_has_css_class (row, "unread"));
  g_assert_true (ld_notification_get_read (ld_notification_model_lookup (model, "n1")));
  g_assert_cmpuint (badge (), ==, 3);
  g_assert_nonnull (ld_test_find_label (GTK_WIDGET (view), "3 unread"));

  /* One type, from the drop-down as the user picks it. */
  for (guint i = 0; i < g_list_model_get_n_items (gtk_drop_down_get_model (dropdown)); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (gtk_drop_down_get_model (dropdown), i);

      if (g_str_equal (gtk_string_object_get_string (item), "Gifts"))
        gtk_drop_down_set_selected (dropdown, i);
    }
  g_assert_cmpstr (ld_notifications_view_get_type_filter (view), ==, "gift");
  g_assert_cmpuint (g_list_model_get_n_items (ld_notifications_view_get_shown (view)), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (ld_notifications_view_get_system (view)), ==, 1);
  g_assert_null (ld_test_find_label (GTK_WIDGET (view), "Minh follows you"));
  g_assert_nonnull (ld_test_find_label (GTK_WIDGET (view), "Lan sent you a Rose"));
  /* The badge counts everything, shown or not. */
  g_assert_cmpuint (badge (), ==, 3);

  ld_notifications_view_set_type_filter (view, "follow");
  g_assert_cmpuint (gtk_drop_down_get_selected (dropdown), !=, 0);
  g_assert_cmpuint (g_list_model_get_n_items (ld_notifications_view_get_shown (view)), ==, 1);
  g_assert_nonnull (ld_test_find_label (GTK_WIDGET (view), "Minh follows you"));
  /* notificationUpdate: a new type moves it between the filtered lists, a
   * new title shows at once. */
  {
    g_autoptr(JsonNode) update = json_from_string ("{\"id\":\"n3\",\"type\":\"gift\","
                                                   "\"title\":\"Minh sent you a Star\"}", NULL);

    _ld_session_handle_event (t.ada, "notificationUpdate", update);
  }
  g_assert_cmpuint (g_list_model_get_n_items (ld_notifications_view_get_shown (view)), ==, 0);
  g_assert_nonnull (ld_test_find_label (GTK_WIDGET (view), "No notifications of this type"));
  g_assert_true (gtk_widget_get_visible (ld_test_find_label (GTK_WIDGET (view), "No notifications of this type")));
  ld_notifications_view_set_type_filter (view, "gift");
  g_assert_cmpuint (g_list_model_get_n_items (ld_notifications_view_get_shown (view)), ==, 2);
  g_assert_nonnull (ld_test_find_label (GTK_WIDGET (view), "Minh sent you a Star"));
  g_assert_null (ld_test_find_label (GTK_WIDGET (view), "Minh follows you"));

  gtk_drop_down_set_selected (dropdown, 0);
  g_assert_null (ld_notifications_view_get_type_filter (view));
  g_assert_cmpuint (g_list_model_get_n_items (ld_notifications_view_get_shown (view)), ==, 3);

  /* Mark All Read, the button. */
  mark_all = gtk_widget_get_ancestor (ld_test_find_label (GTK_WIDGET (view), "Mark All Read"), GTK_TYPE_BUTTON);
  g_assert_true (gtk_widget_is_sensitive (mark_all));
  g_signal_emit_by_name (mark_all, "clicked");
  g_assert_cmpuint (ld_notification_model_get_unread_count (model), ==, 0);
  g_assert_cmpuint (badge (), ==, 0);
  g_assert_cmpuint (count_unread_rows (GTK_WIDGET (view)), ==, 0);
  g_assert_nonnull (ld_test_find_label (GTK_WIDGET (view), "All read"));
  g_assert_false (gtk_widget_is_sensitive (mark_all));
}

/* With the window not in front, each chosen event sends a desktop
 * notification that opens the right view, the platform's with a Mark Read
 * button; handling one withdraws it; a cheap gift sends none. */
static void
test_desktop (void)
{
  Call *call;
  guint gifts;

  gtk_widget_set_visible (GTK_WIDGET (t.window), FALSE);
  choose_all (TRUE);
  g_ptr_array_set_size (t.calls, 0);

  ld_test_session_send_text (t.bob, "hey @ada, look at this");
  WAIT_UNTIL (find_call ("AddNotification", "mention-") != NULL);
  call = find_call ("AddNotification", "mention-");
  g_assert_cmpstr (call->title, ==, "bob mentioned you");
  g_assert_cmpstr (call->body, ==, "hey @ada, look at this");
  g_assert_cmpstr (call->action, ==, "app.show-view");
  g_assert_cmpstr (call->target, ==, "'chat'");

  /* The backend's chat (Redis chat.message) names her too. */
  publish ("chat.message", "{\"type\":\"chat_message\",\"data\":{\"messageId\":\"b1\",\"roomId\":\"" ROOM "\","
           "\"userId\":\"shopbot\",\"username\":\"Shop\",\"message\":\"Ada, your order shipped\"}}");
  WAIT_UNTIL (find_call ("AddNotification", "mention-b1") != NULL);
  g_assert_cmpstr (find_call ("AddNotification", "mention-b1")->title, ==, "Shop mentioned you");

  /* "adam" is not ada. */
  ld_test_session_send_text (t.alice, "adam, are you there?");
  WAIT_UNTIL (ada_has_text ("adam, are you there?"));
  g_assert_cmpuint (count_calls ("AddNotification", "mention-"), ==, 2);

  gifts = t.gifts_received;
  send_gift (t.bob, 10, 1);
  WAIT_UNTIL (t.gifts_received == gifts + 1);
  g_assert_null (find_call ("AddNotification", "gift-"));
  send_gift (t.bob, 50, 3);
  WAIT_UNTIL (find_call ("AddNotification", "gift-") != NULL);
  call = find_call ("AddNotification", "gift-");
  g_assert_cmpstr (call->title, ==, "bob sent Fireworks ×3");
  g_assert_cmpstr (call->target, ==, "'gifts'");

  ld_test_session_contact_support (t.alice, "my gift did not arrive", WAIT_MS);
  WAIT_UNTIL (find_call ("AddNotification", "support-") != NULL);
  call = find_call ("AddNotification", "support-");
  g_assert_cmpstr (call->id, ==, "support-alice");
  g_assert_cmpstr (call->title, ==, "New support request");
  g_assert_cmpstr (call->body, ==, "alice: my gift did not arrive");
  g_assert_cmpstr (call->target, ==, "'support'");

  publish ("stream.start", "{\"type\":\"stream_start\",\"data\":{\"roomId\":\"" ROOM "\",\"title\":\"Ada plays\"}}");
  WAIT_UNTIL (find_call ("AddNotification", "stream") != NULL);
  g_assert_cmpstr (find_call ("AddNotification", "stream")->title, ==, "The stream is live");
  g_assert_cmpstr (find_call ("AddNotification", "stream")->body, ==, "“Ada plays” has started");
  g_assert_cmpstr (find_call ("AddNotification", "stream")->target, ==, "'chat'");
  publish ("stream.end", "{\"type\":\"stream_end\",\"data\":{\"roomId\":\"" ROOM "\"}}");
  WAIT_UNTIL (count_calls ("AddNotification", "stream") == 2);
  g_assert_cmpstr (find_call ("AddNotification", "stream")->title, ==, "The stream has ended");

  publish_notification ("n10", "info", "Payout sent", "Your earnings are on their way");
  WAIT_UNTIL (find_call ("AddNotification", "notification-n10") != NULL);
  call = find_call ("AddNotification", "notification-n10");
  g_assert_cmpstr (call->title, ==, "Payout sent");
  g_assert_cmpstr (call->body, ==, "Your earnings are on their way");
  g_assert_cmpstr (call->target, ==, "'notifications'");
  g_assert_cmpstr (call->button_action, ==, "app.mark-notification-read");
  g_assert_cmpstr (call->button_target, ==, "'n10'");

  /* Mark Read, pressed on the desktop notification. */
  g_assert_null (find_call ("RemoveNotification", "notification-n10"));
  g_action_group_activate_action (G_ACTION_GROUP (t.app), "mark-notification-read", g_variant_new_string ("n10"));
  g_assert_true (ld_notification_get_read (ld_notification_model_lookup (ld_session_get_notifications (t.ada),
                                                                         "n10")));
  WAIT_UNTIL (find_call ("RemoveNotification", "notification-n10") != NULL);

  /* Opening the gift one shows the window on Gifts, which handles it. */
  g_assert_null (find_call ("RemoveNotification", "gift-"));
  g_action_group_activate_action (G_ACTION_GROUP (t.app), "show-view", g_variant_new_string ("gifts"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (t.window)));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (the_stack ()), ==, "gifts");
  WAIT_UNTIL (find_call ("RemoveNotification", "gift-") != NULL);
  /* The window came back on Chat first: the chat ones are seen too. */
  WAIT_UNTIL (find_call ("RemoveNotification", "mention-") != NULL);
  g_assert_null (find_call ("RemoveNotification", "support-"));

  /* Looking at Support handles the support one. */
  adw_view_stack_set_visible_child_name (the_stack (), "support");
  WAIT_UNTIL (find_call ("RemoveNotification", "support-") != NULL);
  gtk_widget_set_visible (GTK_WIDGET (t.window), FALSE);
}

/* A choice turned off sends nothing for that event. */
static void
test_choices_off (void)
{
  guint gifts = t.gifts_received;
  guint support = ticket_length ("alice");

  gtk_widget_set_visible (GTK_WIDGET (t.window), FALSE);
  choose_all (FALSE);
  g_ptr_array_set_size (t.calls, 0);

  ld_test_session_send_text (t.mia, "ada, can you check the queue?");
  send_gift (t.mia, 500, 2);
  ld_test_session_contact_support (t.alice, "still nothing, sorry", WAIT_MS);
  publish ("stream.start", "{\"type\":\"stream_start\",\"data\":{\"roomId\":\"" ROOM "\"}}");

  WAIT_UNTIL (ada_has_text ("ada, can you check the queue?"));
  WAIT_UNTIL (t.gifts_received == gifts + 1);
  WAIT_UNTIL (ticket_length ("alice") > support);
  WAIT_UNTIL (g_strcmp0 (ld_room_get_status (ld_test_room (t.ada)), "live") == 0);
  g_assert_cmpuint (count_calls ("AddNotification", ""), ==, 0);

  /* And on again, the same event notifies: the test can fail. */
  g_settings_set_boolean (settings (), "notify-mentions", TRUE);
  ld_test_session_send_text (t.mia, "ada?");
  WAIT_UNTIL (find_call ("AddNotification", "mention-") != NULL);
}

static void
change_ticket (LdSession      *session,
               const char     *ticket_id,
               LdTicketChange  change)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ld_support_change_ticket_async (ld_session_get_support (session), ticket_id, change, NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_true (ld_support_change_ticket_finish (ld_session_get_support (session), result, &error));
  g_assert_no_error (error);
}

/* Support tickets shared by the admins [ext]: Ada is told of a message in a
 * ticket she claimed, not of one in a ticket another admin claimed. */
static void
test_others_ticket (void)
{
  g_autoptr(LdSession) zoe = ld_test_gateway_online_session (t.gateway, "zoe", "admin", WAIT_MS);
  LdTicket *ticket;
  const char *ticket_id;
  guint length;

  gtk_widget_set_visible (GTK_WIDGET (t.window), FALSE);
  choose_all (TRUE);
  ld_test_session_contact_support (t.alice, "is anyone there?", WAIT_MS);
  WAIT_UNTIL ((ticket = ld_ticket_model_lookup (ld_support_get_tickets (ld_session_get_support (t.ada)), "alice")) != NULL);
  ticket_id = ld_ticket_get_ticket_id (ticket);

  /* Zoe's ticket: Ada's list follows, her desktop stays quiet. */
  change_ticket (zoe, ticket_id, LD_TICKET_CHANGE_CLAIM);
  WAIT_UNTIL (g_strcmp0 (ld_ticket_get_assignee (ticket), "zoe") == 0);
  g_ptr_array_set_size (t.calls, 0);
  length = ticket_length ("alice");
  ld_test_session_contact_support (t.alice, "hello again", WAIT_MS);
  WAIT_UNTIL (ticket_length ("alice") > length);
  g_assert_cmpuint (count_calls ("AddNotification", "support-"), ==, 0);

  /* Ada's ticket: she is told. */
  change_ticket (t.ada, ticket_id, LD_TICKET_CHANGE_CLAIM);
  WAIT_UNTIL (g_strcmp0 (ld_ticket_get_assignee (ticket), "ada") == 0);
  ld_test_session_contact_support (t.alice, "thanks, Ada", WAIT_MS);
  WAIT_UNTIL (find_call ("AddNotification", "support-") != NULL);
  g_assert_cmpstr (find_call ("AddNotification", "support-")->body, ==, "alice: thanks, Ada");

  ld_session_disconnect (zoe);
}

static gboolean
window_active (gpointer window)
{
  return gtk_window_is_active (window);
}

/* The window in front: the user sees it all, nothing goes to the desktop.
 * Only where the display gives the window focus (Xvfb without a window
 * manager may not). */
static void
test_focused (void)
{
  choose_all (TRUE);
  gtk_window_present (GTK_WINDOW (t.window));
  if (!ld_test_wait_for (window_active, t.window, 3000))
    {
      gtk_widget_set_visible (GTK_WIDGET (t.window), FALSE);
      g_test_skip ("the display gives the window no focus");
      return;
    }

  g_ptr_array_set_size (t.calls, 0);
  ld_test_session_send_text (t.bob, "ada, you are on screen");
  WAIT_UNTIL (ada_has_text ("ada, you are on screen"));
  g_assert_cmpuint (count_calls ("AddNotification", ""), ==, 0);
  gtk_widget_set_visible (GTK_WIDGET (t.window), FALSE);
}

/* Run in background: closing the window keeps the app and its session;
 * the user is told once; notifications keep coming; activating the app
 * brings the same window and session back; app.quit still quits. */
/* The gift queue's controls are app actions, so `gapplication action`
 * (a stream deck, a hotkey daemon) can pause and skip alerts. */
static void
test_gift_actions (void)
{
  LdGiftQueue *queue = ld_room_get_gifts (ld_test_room (t.ada));

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (t.app), "gifts"));
  g_action_group_activate_action (G_ACTION_GROUP (t.app), "gifts", g_variant_new_string ("pause"));
  g_assert_true (ld_gift_queue_get_paused (queue));
  g_action_group_activate_action (G_ACTION_GROUP (t.app), "gifts", g_variant_new_string ("toggle-pause"));
  g_assert_false (ld_gift_queue_get_paused (queue));
}

static void
test_background (void)
{
  GtkWindow *window = GTK_WINDOW (t.window);
  LdWindow *weak = t.window;

  choose_all (TRUE);
  g_settings_set_boolean (settings (), "run-in-background", TRUE);
  gtk_window_present (window);
  g_ptr_array_set_size (t.calls, 0);

  gtk_window_close (window);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_nonnull (g_list_find (gtk_application_get_windows (GTK_APPLICATION (t.app)), window));
  g_assert_true (ld_window_get_session (t.window) == t.ada);
  WAIT_UNTIL (find_call ("AddNotification", "background") != NULL);
  g_assert_cmpstr (find_call ("AddNotification", "background")->title, ==, "Livedesk is running in the background");

  ld_test_session_send_text (t.bob, "ada: still there?");
  WAIT_UNTIL (find_call ("AddNotification", "mention-") != NULL);
  g_assert_cmpint (ld_session_get_state (t.ada), ==, LD_SESSION_STATE_ONLINE);

  g_application_activate (G_APPLICATION (t.app));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_true (ld_application_get_window (t.app) == t.window);
  g_assert_true (ld_window_get_session (t.window) == t.ada);
  WAIT_UNTIL (find_call ("RemoveNotification", "background") != NULL);

  /* Told once. */
  gtk_window_close (window);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_application_activate (G_APPLICATION (t.app));
  g_assert_cmpuint (count_calls ("AddNotification", "background"), ==, 1);

  /* Off: closing closes. */
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &weak);
  g_action_group_activate_action (G_ACTION_GROUP (t.app), "quit", NULL);
  WAIT_UNTIL (weak == NULL);
  t.window = NULL;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *redis_uri = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  /* The backend the test watches, whatever the desktop around it. */
  g_setenv ("GNOTIFICATION_BACKEND", "gtk", TRUE);
  g_unsetenv ("GTK_USE_PORTAL");

  ld_test_ui_init (&argc, &argv);

  g_test_add_func ("/ui/notifications/mention-words", test_mention_words);
  g_test_add_func ("/ui/notifications/empty", test_empty);

  t.calls = g_ptr_array_new_with_free_func ((GDestroyNotify) call_free);
  ld_test_own_notification_server (on_method_call, NULL);

  t.redis_port = test_free_port ();
  t.redis = test_redis_start (t.redis_port, NULL);
  redis_uri = g_strdup_printf ("redis://127.0.0.1:%u", t.redis_port);
  t.gateway = ld_test_gateway_start_with (g_getenv ("LIVEDESK_GATEWAY"), "--redis", redis_uri, NULL);

  t.app = ld_application_new ();
  /* Beside any other instance on this bus, not instead of it. */
  g_application_set_flags (G_APPLICATION (t.app),
                           g_application_get_flags (G_APPLICATION (t.app)) | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (t.app), NULL, &error));
  g_assert_no_error (error);
  t.window = ld_application_get_window (t.app);

  t.ada = ld_test_gateway_online_session (t.gateway, "ada", "admin", WAIT_MS);
  t.bob = ld_test_gateway_online_session (t.gateway, "bob", "viewer", WAIT_MS);
  t.alice = ld_test_gateway_online_session (t.gateway, "alice", "viewer", WAIT_MS);
  t.mia = ld_test_gateway_online_session (t.gateway, "mia", "moderator", WAIT_MS);
  ld_test_session_join (t.ada, ROOM, WAIT_MS);
  ld_test_session_join (t.bob, ROOM, WAIT_MS);
  ld_test_session_join (t.alice, ROOM, WAIT_MS);
  ld_test_session_join (t.mia, ROOM, WAIT_MS);
  g_signal_connect (ld_room_get_gifts (ld_test_room (t.ada)), "gift-received", G_CALLBACK (on_gift_received), NULL);
  ld_window_set_session (t.window, t.ada);

  g_test_add_func ("/ui/notifications/list", test_list);
  g_test_add_func ("/ui/notifications/desktop", test_desktop);
  g_test_add_func ("/ui/notifications/choices-off", test_choices_off);
  g_test_add_func ("/ui/notifications/others-ticket", test_others_ticket);
  g_test_add_func ("/ui/notifications/focused", test_focused);
  g_test_add_func ("/ui/notifications/gift-actions", test_gift_actions);
  g_test_add_func ("/ui/notifications/background", test_background);
  status = g_test_run ();

  if (t.window != NULL)
    gtk_window_destroy (GTK_WINDOW (t.window));
  g_clear_object (&t.ada);
  g_clear_object (&t.bob);
  g_clear_object (&t.alice);
  g_clear_object (&t.mia);
  g_clear_object (&t.app);
  g_clear_pointer (&t.gateway, ld_test_gateway_free);
  test_redis_stop (t.redis, SIGTERM);
  g_clear_object (&t.redis);
  g_clear_pointer (&t.calls, g_ptr_array_unref);

  return status;
}
