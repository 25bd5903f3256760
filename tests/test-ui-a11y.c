/* test-ui-a11y.c: the app as a screen reader meets it. The test runs on a
 * real accessibility bus (at-spi-bus-launcher and at-spi2-registryd, started
 * by D-Bus activation on the test session's bus), with GTK's AT-SPI backend
 * on, and reads the tree out of process with pyatspi (tests/atspi-walk.py),
 * as Orca would: every control in the main window's views and in the
 * preferences needs a name, and chat rows read "name, role, time, text".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <unistd.h>

#include "ld-application.h"
#include "ld-chat-view.h"
#include "ld-preferences-window.h"
#include "ld-test-gateway.h"
#include "ld-test-util.h"
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
  WAIT_UNTIL (walk.done);
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
send_text (LdSession  *session,
           const char *text)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;

      if (ld_session_send_text (session, text, &error) != NULL)
        return;
      g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED);
      test_spin (1100);
    }
}

static void
contact_support (LdSession  *session,
                 const char *text)
{
  for (;;)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *ticket = NULL;

      ld_session_contact_support_async (session, text, "billing", NULL, ld_test_store_result, &result);
      WAIT_UNTIL (result != NULL);
      ticket = ld_session_contact_support_finish (session, result, &error);
      if (ticket != NULL)
        return;
      g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED);
      test_spin (1100);
    }
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

/* Every view of the main window: no control without a name. */
static void
test_main_window_named (void)
{
  static const char * const views[] = { "chat", "viewers", "gifts", "support", "notifications" };
  g_autoptr(GPtrArray) unnamed = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (t.window), "win.show-view", "s", views[i]));
      settle ();
      add_unnamed (unnamed, views[i]);
    }
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
      add_unnamed (unnamed, pages[i]);
    }
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

int
main (int    argc,
      char **argv)
{
  int status;
  g_autoptr(GError) error = NULL;

  /* A real accessibility bus and GTK's AT-SPI backend, not the test one. */
  g_unsetenv ("GTK_A11Y");
  g_setenv ("NO_AT_BRIDGE", "0", TRUE);
  g_unsetenv ("GTK_USE_PORTAL");

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
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

  send_text (t.bob, "xin chào mọi người");
  contact_support (t.bob, "my gift did not arrive");
  WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (ld_session_get_chat (t.ada))) > 0);

  g_test_add_func ("/ui/a11y/main-window-named", test_main_window_named);
  g_test_add_func ("/ui/a11y/preferences-named", test_preferences_named);
  g_test_add_func ("/ui/a11y/chat-row-reading", test_chat_row_reading);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (t.window));
  g_clear_object (&t.ada);
  g_clear_object (&t.bob);
  g_clear_object (&t.app);
  g_clear_pointer (&t.gateway, ld_test_gateway_free);
  return status;
}
