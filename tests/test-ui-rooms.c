/* test-ui-rooms.c: several rooms at once in the window, under Xvfb against
 * a real livedesk-gateway: tabs with unread and mention marks, each room's
 * own chat, the split, the room keys' actions, leaving one room, and the
 * open rooms coming back after a restart (the same GSettings memory
 * backend, a new window and session).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <string.h>

#include "ld-chat-view.h"
#include "ld-composer.h"
#include "ld-room-page.h"
#include "ld-settings.h"
#include "ld-test-gateway.h"
#include "ld-test-ui.h"
#include "ld-test-util.h"
#include "ld-window.h"

#define WAIT_MS 30000
#define WAIT_UNTIL(cond) LD_TEST_WAIT_UNTIL (cond, WAIT_MS)

static LdTestGateway *gateway;

/* Whether the chat VIEW shows a message with TEXT (after its filters). */
static gboolean
shows (LdChatView *view,
       const char *text)
{
  GListModel *shown = ld_chat_view_get_shown (view);

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (shown, i);

      if (LD_IS_MESSAGE (item) && g_strcmp0 (ld_message_get_text (LD_MESSAGE (item)), text) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
in_room (LdSession  *session,
         const char *room_id)
{
  LdRoom *room = ld_session_get_current_room (session);

  return room != NULL && g_strcmp0 (ld_room_get_id (room), room_id) == 0 && ld_room_get_joined (room);
}

static LdChatView *
chat_of (LdWindow   *window,
         const char *room_id)
{
  LdRoomPage *page = ld_window_get_room_page (window, room_id);

  g_assert_nonnull (page);
  return ld_room_page_get_chat_view (page);
}

static void
say (LdWindow   *window,
     const char *room_id,
     const char *text)
{
  LdComposer *composer = ld_chat_view_get_composer (chat_of (window, room_id));

  ld_composer_set_text (composer, text);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL));
}

static AdwViewStackPage *
chat_badge (LdWindow *window)
{
  AdwViewStack *stack = NULL;

  for (GtkWidget *w = GTK_WIDGET (ld_window_get_chat_view (window)); w != NULL; w = gtk_widget_get_parent (w))
    if (ADW_IS_VIEW_STACK (w))
      stack = ADW_VIEW_STACK (w);
  g_assert_nonnull (stack);
  return adw_view_stack_get_page (stack, adw_view_stack_get_child_by_name (stack, "chat"));
}

static gboolean
count_frame (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       data)
{
  guint *frames = data;

  gtk_widget_queue_draw (widget);
  return ++*frames < 10 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
strv_is (GStrv       got,
         const char *first,
         ...)
{
  va_list args;
  guint i = 0;
  gboolean same = TRUE;

  va_start (args, first);
  for (const char *want = first; want != NULL; want = va_arg (args, const char *), i++)
    same = same && got != NULL && g_strcmp0 (got[i], want) == 0;
  va_end (args);
  return same && got != NULL && got[i] == NULL;
}

static void
test_two_rooms (void)
{
  g_autoptr(LdSettings) settings = ld_settings_new ();
  g_autoptr(LdSession) mia = ld_test_gateway_online_session (gateway, "mia", "moderator", WAIT_MS);
  g_autoptr(LdSession) alice = ld_test_gateway_online_session (gateway, "alice", "viewer", WAIT_MS);
  g_autoptr(LdSession) bob = ld_test_gateway_online_session (gateway, "bob", "viewer", WAIT_MS);
  g_autoptr(LdSession) ada = ld_test_gateway_online_session (gateway, "ada", "admin", WAIT_MS);
  g_autoptr(GError) error = NULL;
  LdWindow *window;
  AdwTabView *tabs;
  AdwTabPage *tab_a;
  AdwTabPage *tab_b;
  LdRoom *room_a;
  g_auto(GStrv) open = NULL;
  const char *shot_dir = g_getenv ("LIVEDESK_SHOT_DIR");

  ld_test_session_join (alice, "room_b", WAIT_MS);
  ld_test_session_join (bob, "room_a", WAIT_MS);
  ld_test_session_join (ada, "room_b", WAIT_MS);

  window = g_object_ref_sink (ld_window_new (NULL, settings));
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 760);
  ld_window_set_session (window, mia);
  gtk_window_present (GTK_WINDOW (window));
  tabs = ld_window_get_tab_view (window, FALSE);

  /* Two rooms at once, each in its tab; the last joined is shown. */
  ld_window_join_room (window, "room_a");
  WAIT_UNTIL (in_room (mia, "room_a"));
  ld_window_join_room (window, "room_b");
  WAIT_UNTIL (in_room (mia, "room_b"));
  room_a = ld_session_get_room (mia, "room_a");
  g_assert_nonnull (room_a);
  g_assert_true (ld_room_get_joined (room_a));
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 2);
  tab_a = ld_window_get_room_tab (window, "room_a");
  tab_b = ld_window_get_room_tab (window, "room_b");
  g_assert_true (adw_tab_view_get_selected_page (tabs) == tab_b);

  /* Room A shown: the session's current room follows the tab. */
  adw_tab_view_set_selected_page (tabs, tab_a);
  g_assert_true (ld_session_get_current_room (mia) == room_a);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "room_a");

  /* Someone writes into B, naming mia: B's tab says so, A's does not. */
  g_assert_nonnull (ld_room_send_text (ld_session_get_current_room (alice), "@mia xem phòng B nè", &error));
  g_assert_no_error (error);
  WAIT_UNTIL (adw_tab_page_get_needs_attention (tab_b));
  g_assert_cmpstr (adw_tab_page_get_title (tab_b), ==, "room_b (1)");
  g_assert_nonnull (adw_tab_page_get_indicator_icon (tab_b));
  g_assert_false (adw_tab_page_get_needs_attention (tab_a));
  g_assert_cmpstr (adw_tab_page_get_title (tab_a), ==, "room_a");

  /* Each chat shows its own room's messages, and what mia writes in A's
   * composer goes to A. */
  g_assert_nonnull (ld_room_send_text (ld_session_get_current_room (bob), "Phòng A chào mọi người", &error));
  g_assert_no_error (error);
  WAIT_UNTIL (shows (chat_of (window, "room_a"), "Phòng A chào mọi người"));
  say (window, "room_a", "Chào phòng A");
  WAIT_UNTIL (shows (chat_of (window, "room_a"), "Chào phòng A"));
  WAIT_UNTIL (shows (chat_of (window, "room_b"), "@mia xem phòng B nè"));
  g_assert_false (shows (chat_of (window, "room_a"), "@mia xem phòng B nè"));
  g_assert_false (shows (chat_of (window, "room_b"), "Chào phòng A"));
  g_assert_false (shows (chat_of (window, "room_b"), "Phòng A chào mọi người"));
  /* A's own chat went on without marking its tab: it is shown. */
  g_assert_cmpstr (adw_tab_page_get_title (tab_a), ==, "room_a");

  /* Looking at B reads it. */
  adw_tab_view_set_selected_page (tabs, tab_b);
  g_assert_true (in_room (mia, "room_b"));
  g_assert_cmpstr (adw_tab_page_get_title (tab_b), ==, "room_b");
  g_assert_false (adw_tab_page_get_needs_attention (tab_b));

  /* On another view, even the selected room counts what it missed, and
   * the Chat view's badge adds it up; back on the chat, it is read. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "viewers"));
  g_assert_nonnull (ld_room_send_text (ld_session_get_current_room (ada), "Ai đang xem vậy?", &error));
  g_assert_no_error (error);
  WAIT_UNTIL (g_strcmp0 (adw_tab_page_get_title (tab_b), "room_b (1)") == 0);
  g_assert_cmpuint (adw_view_stack_page_get_badge_number (chat_badge (window)), ==, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "chat"));
  g_assert_cmpstr (adw_tab_page_get_title (tab_b), ==, "room_b");
  g_assert_cmpuint (adw_view_stack_page_get_badge_number (chat_badge (window)), ==, 0);

  /* What a notification about room A opens: A's tab, on the chat. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "viewers"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "chat:room_a"));
  g_assert_true (adw_tab_view_get_selected_page (tabs) == tab_a);
  g_assert_true (ld_session_get_current_room (mia) == room_a);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (chat_of (window, "room_a"))));
  adw_tab_view_set_selected_page (tabs, tab_b);

  /* The room keys' actions go round the tabs. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.next-room", NULL));
  g_assert_true (adw_tab_view_get_selected_page (tabs) == tab_a);
  g_assert_true (ld_session_get_current_room (mia) == room_a);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.previous-room", NULL));
  g_assert_true (adw_tab_view_get_selected_page (tabs) == tab_b);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.select-room", "i", 1));
  g_assert_true (adw_tab_view_get_selected_page (tabs) == tab_a);

  /* Split: A beside B, both chats on screen at once. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.split", NULL));
  g_assert_cmpint (adw_tab_view_get_n_pages (ld_window_get_tab_view (window, TRUE)), ==, 1);
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 1);
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (chat_of (window, "room_a"))) &&
              gtk_widget_get_mapped (GTK_WIDGET (chat_of (window, "room_b"))));
  {
    graphene_rect_t a, b;

    g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (chat_of (window, "room_a")), GTK_WIDGET (window), &a));
    g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (chat_of (window, "room_b")), GTK_WIDGET (window), &b));
    /* Side by side, not overlapping. */
    g_assert_true (b.origin.x + b.size.width <= a.origin.x + 0.5 || a.origin.x + a.size.width <= b.origin.x + 0.5);
  }
  if (shot_dir != NULL)
    {
      g_autofree char *path = g_build_filename (shot_dir, "rooms-split.png", NULL);

      guint frames = 0;

      /* Drawn a few times, rows and all, before the picture. */
      gtk_widget_add_tick_callback (GTK_WIDGET (window), count_frame, &frames, NULL);
      WAIT_UNTIL (frames >= 10);
      ld_test_save_widget (adw_application_window_get_content (ADW_APPLICATION_WINDOW (window)), path);
    }
  /* Again, and A is back among the tabs. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.split", NULL));
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 2);
  g_assert_cmpint (adw_tab_view_get_n_pages (ld_window_get_tab_view (window, TRUE)), ==, 0);

  /* Leaving B (Ctrl+W) keeps A, its chat as it was. */
  adw_tab_view_set_selected_page (tabs, ld_window_get_room_tab (window, "room_b"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.close-room", NULL));
  g_assert_null (ld_session_get_room (mia, "room_b"));
  g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 1);
  WAIT_UNTIL (in_room (mia, "room_a"));
  g_assert_true (shows (ld_window_get_chat_view (window), "Chào phòng A"));
  open = ld_settings_dup_open_rooms (settings);
  g_assert_true (strv_is (open, "room_a", NULL));
  g_clear_pointer (&open, g_strfreev);

  /* B again, then a restart: a new window and session on the same
   * settings bring both rooms back, B shown. */
  ld_window_join_room (window, "room_b");
  WAIT_UNTIL (in_room (mia, "room_b"));
  open = ld_settings_dup_open_rooms (settings);
  g_assert_true (strv_is (open, "room_a", "room_b", NULL));
  g_clear_pointer (&open, g_strfreev);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  ld_session_disconnect (mia);
  g_clear_object (&mia);
  g_clear_object (&settings);

  {
    g_autoptr(LdSettings) again = ld_settings_new ();
    g_autoptr(LdSession) back = ld_test_gateway_online_session (gateway, "mia", "moderator", WAIT_MS);
    LdWindow *restarted = g_object_ref_sink (ld_window_new (NULL, again));

    open = ld_settings_dup_open_rooms (again);
    g_assert_true (strv_is (open, "room_a", "room_b", NULL));
    ld_window_set_session (restarted, back);
    gtk_window_present (GTK_WINDOW (restarted));
    ld_window_restore_rooms (restarted);
    WAIT_UNTIL (in_room (back, "room_b") && ld_session_get_room (back, "room_a") != NULL &&
                ld_room_get_joined (ld_session_get_room (back, "room_a")));
    tabs = ld_window_get_tab_view (restarted, FALSE);
    g_assert_cmpint (adw_tab_view_get_n_pages (tabs), ==, 2);
    g_assert_true (adw_tab_view_get_selected_page (tabs) == ld_window_get_room_tab (restarted, "room_b"));
    g_assert_cmpstr (ld_room_page_get_room_id (LD_ROOM_PAGE (adw_tab_page_get_child (adw_tab_view_get_nth_page (tabs, 0)))),
                     ==, "room_a");

    gtk_window_destroy (GTK_WINDOW (restarted));
    g_assert_finalize_object (restarted);
    ld_session_disconnect (back);
  }
  ld_session_disconnect (alice);
  ld_session_disconnect (bob);
  ld_session_disconnect (ada);
}

/* Whether the window maps KEYVAL with MODS to ACTION (with ARG, or none)
 * in a shortcut controller that sees the key before the focused widget. */
static gboolean
has_key (LdWindow        *window,
         guint            keyval,
         GdkModifierType  mods,
         const char      *action,
         GVariant        *arg)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  g_autoptr(GtkShortcutTrigger) want = gtk_keyval_trigger_new (keyval, mods);
  g_autoptr(GVariant) owned = arg != NULL ? g_variant_ref_sink (arg) : NULL;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller) ||
          gtk_event_controller_get_propagation_phase (GTK_EVENT_CONTROLLER (controller)) != GTK_PHASE_CAPTURE)
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);
          GtkShortcutAction *named = gtk_shortcut_get_action (shortcut);
          GVariant *args = gtk_shortcut_get_arguments (shortcut);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), want) &&
              GTK_IS_NAMED_ACTION (named) && g_str_equal (gtk_named_action_get_action_name (GTK_NAMED_ACTION (named)), action) &&
              (owned == NULL ? args == NULL : args != NULL && g_variant_equal (args, owned)))
            return TRUE;
        }
    }
  return FALSE;
}

/* The rooms' keys are the window's, caught before the composer or the
 * chat (which would take Ctrl+Tab for focus): Ctrl+T, Ctrl+W, Ctrl+Tab,
 * Ctrl+Shift+Tab, Alt+1…9. */
static void
test_room_keys (void)
{
  LdWindow *window = g_object_ref_sink (ld_window_new (NULL, NULL));

  g_assert_true (has_key (window, GDK_KEY_t, GDK_CONTROL_MASK, "win.join-room", NULL));
  g_assert_true (has_key (window, GDK_KEY_w, GDK_CONTROL_MASK, "win.close-room", NULL));
  g_assert_true (has_key (window, GDK_KEY_Tab, GDK_CONTROL_MASK, "win.next-room", NULL));
  g_assert_true (has_key (window, GDK_KEY_ISO_Left_Tab, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.previous-room", NULL));
  for (int n = 1; n <= 9; n++)
    g_assert_true (has_key (window, GDK_KEY_0 + n, GDK_ALT_MASK, "win.select-room", g_variant_new_int32 (n)));
  g_assert_false (has_key (window, GDK_KEY_0, GDK_ALT_MASK, "win.select-room", g_variant_new_int32 (0)));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

int
main (int    argc,
      char **argv)
{
  int status;

  ld_test_ui_init (&argc, &argv);

  gateway = ld_test_gateway_start (g_getenv ("LIVEDESK_GATEWAY"));
  g_test_add_func ("/ui/rooms/keys", test_room_keys);
  g_test_add_func ("/ui/rooms/two-rooms", test_two_rooms);
  status = g_test_run ();
  ld_test_gateway_free (gateway);
  return status;
}
