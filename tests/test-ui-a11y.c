/* test-ui-a11y.c: the app as a screen reader meets it. The test runs on a
 * real accessibility bus (at-spi-bus-launcher and at-spi2-registryd, started
 * by D-Bus activation on the test session's bus), with GTK's AT-SPI backend
 * on, and reads the tree out of process with pyatspi (tests/atspi-walk.py),
 * as Orca would: every control in the main window's views and in the
 * preferences needs a name, and chat rows read "name, role, time, text".
 * Then a timeout is done from the keyboard alone, the keys pressed on the
 * X server with xdotool.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <unistd.h>

#include "ld-application.h"
#include "ld-chat-row.h"
#include "ld-chat-view.h"
#include "ld-preferences-window.h"
#include "ld-test-gateway.h"
#include "ld-test-ui.h"
#include "ld-test-util.h"
#include "ld-test-room.h"
#include "ld-user-card.h"
#include "test-peer.h"

#define WAIT_MS 30000
#define WAIT_UNTIL(cond) LD_TEST_WAIT_UNTIL (cond, WAIT_MS)
#define ROOM "room_1"

static struct
{
  LdTestGateway *gateway;
  LdApplication *app;
  LdWindow      *window;
  LdSession     *ada;
  LdSession     *bob;
  const char    *walker;
} t;

typedef struct
{
  char    *out;
  char    *err;
  GError  *error;
  gboolean done;
} Walk;

static void
on_walked (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Walk *walk = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &walk->out, &walk->err, &walk->error);
  walk->done = TRUE;
}

/* Runs tests/atspi-walk.py over this process with ARG (NULL: all controls)
 * while the main loop keeps answering its questions; its lines. */
static GStrv
atspi_walk (const char *arg)
{
  const char *script = t.walker;
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Walk walk = { 0 };
  GStrv lines;

  if (arg != NULL)
    process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                                "/usr/bin/python3", script, arg, pid, NULL);
  else
    process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                                "/usr/bin/python3", script, pid, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, on_walked, &walk);
  /* Every node is a few D-Bus calls answered by this main loop: slow under ASan. */
  LD_TEST_WAIT_UNTIL (walk.done, 4 * WAIT_MS);
  g_assert_no_error (walk.error);
  if (!g_subprocess_get_successful (process))
    g_error ("atspi-walk.py failed: %s", walk.err);
  if (g_getenv ("ATSPI_WALK_DUMP"))
    g_printerr ("%s", walk.err);
  g_free (walk.err);
  lines = g_strsplit (g_strstrip (walk.out), "\n", -1);
  g_free (walk.out);
  if (lines[0] != NULL && lines[0][0] == '\0')
    {
      g_strfreev (lines);
      lines = g_new0 (char *, 1);
    }
  return lines;
}

/* Lets GTK lay out and publish what changed. */
static void
settle (void)
{
  test_spin (300);
}

static void
add_unnamed (GPtrArray  *all,
             const char *where)
{
  g_auto(GStrv) lines = atspi_walk (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    g_ptr_array_add (all, g_strdup_printf ("%s: %s", where, lines[i]));
}

static void
assert_none (GPtrArray *unnamed)
{
  for (guint i = 0; i < unnamed->len; i++)
    g_test_message ("unnamed: %s", (char *) g_ptr_array_index (unnamed, i));
  g_assert_cmpuint (unnamed->len, ==, 0);
}

/* Every view of the main window and the user card: no control without a
 * name. Each view is shown once so that its lists make their rows; then one
 * walk reads them all (a view not on top is still in the tree). */
static void
test_main_window_named (void)
{
  static const char * const views[] = { "chat", "viewers", "gifts", "support", "notifications" };
  g_autoptr(GPtrArray) unnamed = g_ptr_array_new_with_free_func (g_free);
  LdChatView *chat = ld_window_get_chat_view (t.window);
  GListModel *messages = G_LIST_MODEL (ld_room_get_chat (ld_test_room (t.ada)));
  g_autoptr(LdMessage) message = g_list_model_get_item (messages, g_list_model_get_n_items (messages) - 1);
  GtkWidget *card;

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (t.window), "win.show-view", "s", views[i]));
      settle ();
    }

  /* The user card a moderator opens on a message: the newest is bob's. */
  g_assert_cmpstr (ld_message_get_user_id (message), ==, "bob");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (t.window), "win.show-view", "s", "chat"));
  ld_chat_view_set_context_message (chat, message);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (chat), "chat.user-card", NULL));
  settle ();
  card = ld_test_find_widget (GTK_WIDGET (chat), LD_TYPE_USER_CARD);
  g_assert_nonnull (card);
  g_assert_true (gtk_widget_get_visible (card));

  add_unnamed (unnamed, "main window");
  gtk_popover_popdown (GTK_POPOVER (card));
  assert_none (unnamed);
}

/* Each page of the preferences: no control without a name. */
static void
test_preferences_named (void)
{
  static const char * const pages[] = { "general", "alerts", "streaming" };
  g_autoptr(GPtrArray) unnamed = g_ptr_array_new_with_free_func (g_free);
  LdPreferencesWindow *prefs = ld_preferences_window_new (GTK_WINDOW (t.window), ld_application_get_settings (t.app));

  gtk_window_present (GTK_WINDOW (prefs));
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), pages[i]);
      settle ();
    }
  add_unnamed (unnamed, "preferences");
  gtk_window_destroy (GTK_WINDOW (prefs));
  assert_none (unnamed);
}

/* A chat row reads as "name, role, time, text". */
static void
test_chat_row_reading (void)
{
  g_auto(GStrv) rows = NULL;
  gboolean found = FALSE;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (t.window), "win.show-view", "s", "chat"));
  settle ();
  rows = atspi_walk ("--rows");
  for (guint i = 0; rows[i] != NULL; i++)
    {
      g_test_message ("row: %s", rows[i]);
      if (g_regex_match_simple ("^bob, Viewer, [0-9]{1,2}:[0-9]{2}( [AP]M)?, xin chào mọi người$", rows[i], 0, 0))
        found = TRUE;
    }
  g_assert_true (found);
}

typedef struct
{
  gboolean done;
  gboolean ok;
} Keys;

static void
on_keys_sent (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Keys *keys = user_data;

  keys->ok = g_subprocess_wait_check_finish (G_SUBPROCESS (object), result, NULL);
  keys->done = TRUE;
}

static guint keys_released;

static void
on_key_released (void)
{
  keys_released++;
}

/* Presses KEY on the X server (XTEST, as a keyboard would), where the
 * window has the input focus. */
static void
send_key (const char *key)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) xdotool = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                                                     "xdotool", "key", "--clearmodifiers", key, NULL);
  Keys keys = { 0 };

  g_assert_no_error (error);
  g_subprocess_wait_check_async (xdotool, NULL, on_keys_sent, &keys);
  WAIT_UNTIL (keys.done);
  g_assert_true (keys.ok);
}

/* KEY in the main window, once the window has handled it. */
static void
press (const char *key)
{
  guint before = keys_released;

  send_key (key);
  WAIT_UNTIL (keys_released > before);
}

static GtkWidget *
focus (void)
{
  return gtk_root_get_focus (GTK_ROOT (t.window));
}

/* The chat row in the focused list item, if the focus is on one. */
static LdChatRow *
focused_chat_row (void)
{
  GtkWidget *widget = focus ();
  GtkWidget *child = widget != NULL ? gtk_widget_get_first_child (widget) : NULL;

  if (widget != NULL && LD_IS_CHAT_ROW (widget))
    return LD_CHAT_ROW (widget);
  return child != NULL && LD_IS_CHAT_ROW (child) ? LD_CHAT_ROW (child) : NULL;
}

static gboolean
focus_is_bobs_message (void)
{
  LdChatRow *row = focused_chat_row ();
  LdMessage *message = row != NULL ? ld_chat_row_get_message (row) : NULL;

  return message != NULL && g_strcmp0 (ld_message_get_user_id (message), "bob") == 0;
}

/* The focused menu item's label without its mnemonic mark, or "". */
static char *
focused_menu_item (void)
{
  GtkWidget *widget = focus ();
  g_autofree char *text = NULL;
  g_auto(GStrv) parts = NULL;

  if (widget == NULL || g_strcmp0 (G_OBJECT_TYPE_NAME (widget), "GtkModelButton") != 0)
    return g_strdup ("");
  g_object_get (widget, "text", &text, NULL);
  parts = g_strsplit (text ? text : "", "_", -1);
  return g_strjoinv ("", parts);
}

/* Presses KEY in the open menu until its focused item is LABEL, at most
 * LIMIT times; each press moves the focus, so each waits for that. */
static void
press_until_item (const char *key,
                  const char *label,
                  guint       limit)
{
  for (guint i = 0; i < limit; i++)
    {
      g_autofree char *item = focused_menu_item ();
      GtkWidget *before = focus ();

      if (g_str_equal (item, label))
        return;
      send_key (key);
      WAIT_UNTIL (focus () != before);
    }
  g_error ("no menu item “%s” reached with %s", label, key);
}

/* A moderator times bob out with the keyboard alone: Tab into the chat,
 * arrows to bob's message, Shift+F10 for its menu, down to Time Out User,
 * Enter, down to For 1 Minute, Enter. The gateway tells bob he is timed out. */
static void
test_keyboard_timeout (void)
{
  GtkEventController *keys = gtk_event_controller_key_new ();
  g_autoptr(GDateTime) now = NULL;

  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-released", G_CALLBACK (on_key_released), NULL);
  gtk_widget_add_controller (GTK_WIDGET (t.window), keys);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (t.window), "win.show-view", "s", "chat"));
  gtk_window_present (GTK_WINDOW (t.window));
  WAIT_UNTIL (gtk_window_is_active (GTK_WINDOW (t.window)));
  settle ();

  for (guint i = 0; i < 40 && focused_chat_row () == NULL; i++)
    press ("Tab");
  g_assert_nonnull (focused_chat_row ());
  for (guint i = 0; i < 10 && !focus_is_bobs_message (); i++)
    press ("Down");
  for (guint i = 0; i < 10 && !focus_is_bobs_message (); i++)
    press ("Up");
  g_assert_true (focus_is_bobs_message ());

  send_key ("shift+F10");
  press_until_item ("Down", "Time Out User", 10);
  send_key ("Return");
  press_until_item ("Down", "For 1 Minute", 10);
  send_key ("Return");

  WAIT_UNTIL (ld_room_get_sanction (ld_test_room (t.bob)) == LD_SANCTION_TIMED_OUT);
  now = g_date_time_new_now_utc ();
  /* The preset chosen, not a longer one. */
  g_assert_cmpint (g_date_time_difference (ld_room_get_sanction_until (ld_test_room (t.bob)), now), <=, 120 * G_TIME_SPAN_SECOND);
}

int
main (int    argc,
      char **argv)
{
  static const LdRoomGift roses = {
    .receiver_id = "ada", .receiver_name = "ada", .gift_id = "rose", .gift_name = "Rose",
    .gift_type = "flower", .gift_value = 10, .quantity = 2, .message = "cảm ơn",
  };
  int status;
  g_autoptr(GError) error = NULL;

  /* A real accessibility bus and GTK's AT-SPI backend, not the test one. */
  g_unsetenv ("GTK_A11Y");
  g_setenv ("NO_AT_BRIDGE", "0", TRUE);
  g_unsetenv ("GTK_USE_PORTAL");

  ld_test_ui_init (&argc, &argv);
  g_assert_cmpint (argc, >=, 2);
  t.walker = argv[1];

  t.gateway = ld_test_gateway_start (g_getenv ("LIVEDESK_GATEWAY"));
  t.app = ld_application_new ();
  g_application_set_flags (G_APPLICATION (t.app),
                           g_application_get_flags (G_APPLICATION (t.app)) | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (t.app), NULL, &error));
  g_assert_no_error (error);
  t.window = ld_application_get_window (t.app);

  t.ada = ld_test_gateway_online_session (t.gateway, "ada", "admin", WAIT_MS);
  t.bob = ld_test_gateway_online_session (t.gateway, "bob", "viewer", WAIT_MS);
  ld_test_session_join (t.ada, ROOM, WAIT_MS);
  ld_test_session_join (t.bob, ROOM, WAIT_MS);
  ld_window_set_session (t.window, t.ada);
  gtk_window_set_default_size (GTK_WINDOW (t.window), 1000, 700);
  gtk_window_present (GTK_WINDOW (t.window));

  ld_test_session_send_text (t.bob, "xin chào mọi người");
  ld_test_session_contact_support (t.bob, "my gift did not arrive", WAIT_MS);
  /* The gift stage, its queue and the leaderboard have something to show. */
  ld_test_session_send_gift (t.bob, &roses, WAIT_MS);
  WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (ld_room_get_chat (ld_test_room (t.ada)))) > 0);

  g_test_add_func ("/ui/a11y/main-window-named", test_main_window_named);
  g_test_add_func ("/ui/a11y/preferences-named", test_preferences_named);
  g_test_add_func ("/ui/a11y/chat-row-reading", test_chat_row_reading);
  g_test_add_func ("/ui/a11y/keyboard-timeout", test_keyboard_timeout);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (t.window));
  g_clear_object (&t.ada);
  g_clear_object (&t.bob);
  g_clear_object (&t.app);
  g_clear_pointer (&t.gateway, ld_test_gateway_free);
  return status;
}
