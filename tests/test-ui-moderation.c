/* test-ui-moderation.c: the moderator's desk under Xvfb against a real
 * livedesk-gateway (the demo's): the timeout dialog with a reason, a ban
 * the server refuses saying why, slash commands with completion, the
 * moderation log kept across a restart and searched, Copy, @-completion
 * and reply quoting, and the rank rule in a moderator's window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ld-chat-row.h"
#include "ld-chat-view.h"
#include "ld-composer.h"
#include "ld-demo.h"
#include "ld-moderation-dialog.h"
#include "ld-moderation-log-view.h"
#include "ld-test-ui.h"
#include "ld-test-util.h"
#include "ld-test-room.h"
#include "ld-settings.h"
#include "ld-user-card.h"
#include "ld-window.h"
#include "ld-wire-error.h"

#define WAIT_MS 30000

/* Where the test's stand-in browser (the default https handler under the
 * test's XDG_DATA_HOME) writes each link it is asked to open. */
static char *opened_path;

typedef struct
{
  LdDemo    *demo;
  LdSession *session;
  LdWindow  *window;
  LdSession *viewer;
} Fixture;

static gboolean
viewer_listed (gpointer data)
{
  Fixture *fixture = data;

  return ld_viewer_model_lookup (ld_room_get_viewers (ld_test_room (fixture->session)), "lan") != NULL;
}

/* What the app does for every room it shows (ld-application.c). */
static void
keep_moderation_log (LdSession *session)
{
  LdRoom *room = ld_session_get_current_room (session);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (room == NULL || ld_moderation_log_get_path (ld_room_get_moderation_log (room)) != NULL)
    return;
  path = ld_moderation_log_default_path (ld_room_get_id (room));
  g_assert_true (ld_moderation_log_set_path (ld_room_get_moderation_log (room), path, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GAsyncResult) started = NULL;
  g_autoptr(GError) error = NULL;

  fixture->demo = ld_demo_new (g_getenv ("LIVEDESK_GATEWAY"));
  ld_demo_start_async (fixture->demo, NULL, ld_test_store_result, &started);
  g_assert_true (ld_test_wait_for (ld_test_is_set, &started, WAIT_MS));
  fixture->session = ld_demo_start_finish (fixture->demo, started, &error);
  g_assert_no_error (error);
  /* As the app does: the log goes to a file under XDG_DATA_HOME (a temporary one here). */
  keep_moderation_log (fixture->session);
  g_signal_connect (fixture->session, "notify::current-room", G_CALLBACK (keep_moderation_log), NULL);

  fixture->window = g_object_ref_sink (ld_window_new (NULL, NULL));
  /* Room for the user card's picture. */
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 900, 900);
  ld_window_set_session (fixture->window, fixture->session);
  gtk_window_present (GTK_WINDOW (fixture->window));

  fixture->viewer = ld_test_demo_join (fixture->demo, "lan", "Lan", "viewer");
  g_assert_true (ld_test_wait_for (viewer_listed, fixture, WAIT_MS));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  ld_session_disconnect (fixture->viewer);
  g_clear_object (&fixture->viewer);
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->session);
  ld_demo_stop (fixture->demo);
  g_assert_finalize_object (fixture->window);
  g_assert_finalize_object (fixture->demo);
}

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static AdwMessageDialog *
shown_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  AdwMessageDialog *found = NULL;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
        found = ADW_MESSAGE_DIALOG (window);
    }
  return found;
}

static gboolean
dialog_shown (gpointer data)
{
  return shown_dialog () != NULL;
}

static gboolean
dialog_gone (gpointer data)
{
  return shown_dialog () == NULL;
}

/* Fills the shown moderation dialog's reason and answers RESPONSE. */
static void
answer_dialog (const char *reason,
               const char *response)
{
  AdwMessageDialog *dialog;

  g_assert_true (ld_test_wait_for (dialog_shown, NULL, WAIT_MS));
  dialog = shown_dialog ();
  if (reason != NULL)
    gtk_editable_set_text (GTK_EDITABLE (find_named (GTK_WIDGET (dialog), "reason")), reason);
  /* What a click on the response's button does: answer, then close. */
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (ld_test_wait_for (dialog_gone, NULL, WAIT_MS));
}

typedef struct
{
  LdSession  *session;
  LdSanction  sanction;
} SanctionWait;

static gboolean
has_sanction (gpointer data)
{
  SanctionWait *wait = data;
  LdRoom *room = ld_session_get_room (wait->session, LD_DEMO_ROOM_ID);

  return room != NULL && ld_room_get_sanction (room) == wait->sanction;
}

typedef struct
{
  LdModerationLog    *log;
  LdModerationAction  action;
  const char         *user_id;
  const char         *reason; /* NULL: any */
} LogWait;

static gboolean
logged (gpointer data)
{
  LogWait *wait = data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (wait->log));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LdModerationEntry) entry = g_list_model_get_item (G_LIST_MODEL (wait->log), i);

      if (ld_moderation_entry_get_action (entry) == wait->action &&
          g_strcmp0 (ld_moderation_entry_get_user_id (entry), wait->user_id) == 0 &&
          (wait->reason == NULL || g_strcmp0 (ld_moderation_entry_get_reason (entry), wait->reason) == 0))
        return TRUE;
    }
  return FALSE;
}

static LdModerationLog *
room_log (Fixture *fixture)
{
  return ld_room_get_moderation_log (ld_session_get_room (fixture->session, LD_DEMO_ROOM_ID));
}

/* From the dialog: 10 minutes preselected, a reason typed; the outcome is
 * told only when the server answered, and the viewer sees why. */
static void
test_timeout_with_reason (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *done = NULL;
  SanctionWait timed_out = { fixture->viewer, LD_SANCTION_TIMED_OUT };
  LogWait wait = { room_log (fixture), LD_MODERATION_ACTION_TIMEOUT, "lan", "spam links" };
  LdRoom *viewer_room = ld_session_get_room (fixture->viewer, LD_DEMO_ROOM_ID);

  ld_moderation_dialog_moderate_async (GTK_WINDOW (fixture->window),
                                       ld_session_get_room (fixture->session, LD_DEMO_ROOM_ID),
                                       LD_MODERATION_TIMEOUT, "lan", "Lan", 600, NULL, TRUE, NULL,
                                       ld_test_store_result, &result);
  g_assert_true (ld_test_wait_for (dialog_shown, NULL, WAIT_MS));
  /* Nothing is sent while the moderator decides. */
  g_assert_false (ld_test_wait_for (has_sanction, &timed_out, 300));
  g_assert_null (result);
  answer_dialog ("spam links", "apply");

  g_assert_true (ld_test_wait_for (ld_test_is_set, &result, WAIT_MS));
  done = ld_moderation_dialog_moderate_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (done, ==, "Lan is timed out for 10 minutes");

  g_assert_true (ld_test_wait_for (has_sanction, &timed_out, WAIT_MS));
  g_assert_nonnull (strstr (ld_room_get_sanction_reason (viewer_room), "spam links"));
  g_assert_true (ld_test_wait_for (logged, &wait, WAIT_MS));
}

static gboolean
composer_feedback (gpointer data)
{
  return ld_composer_get_feedback (LD_COMPOSER (data)) != NULL;
}

/* "/ban" on oneself: confirmed, sent, refused by the server, and the
 * composer says why (and keeps the text). */
static void
test_refused_ban (Fixture       *fixture,
                  gconstpointer  user_data)
{
  LdComposer *composer = ld_chat_view_get_composer (ld_window_get_chat_view (fixture->window));
  g_autofree char *text = g_strdup_printf ("/ban %s test", ld_session_get_user_id (fixture->session));

  ld_composer_set_text (composer, text);
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  answer_dialog (NULL, "apply");
  g_assert_true (ld_test_wait_for (composer_feedback, composer, WAIT_MS));
  g_assert_nonnull (strstr (ld_composer_get_feedback (composer), "Could not ban"));
  g_assert_nonnull (strstr (ld_composer_get_feedback (composer), "yourself"));
  g_assert_cmpstr (ld_composer_get_text (composer), ==, text);
}

static gboolean
strv_has (char      **strv,
          const char *want)
{
  gboolean found = g_strv_contains ((const char * const *) strv, want);

  g_strfreev (strv);
  return found;
}

typedef struct
{
  LdChatModel *model;
  const char  *text;
  LdMessage   *found;
} TextWait;

static gboolean
has_text (gpointer data)
{
  TextWait *wait = data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (wait->model));

  for (guint i = n; i > 0 && wait->found == NULL; i--)
    {
      g_autoptr(LdMessage) message = g_list_model_get_item (G_LIST_MODEL (wait->model), i - 1);

      if (g_strcmp0 (ld_message_get_text (message), wait->text) == 0)
        wait->found = g_object_ref (message);
    }
  return wait->found != NULL;
}

static gboolean
is_deleted (gpointer data)
{
  return ld_message_get_state (LD_MESSAGE (data)) == LD_MESSAGE_STATE_DELETED;
}

static gboolean
composer_empty (gpointer data)
{
  return g_strcmp0 (ld_composer_get_text (LD_COMPOSER (data)), "") == 0;
}

static void
select_message (LdChatView *view,
                LdMessage  *message)
{
  GListModel *shown = ld_chat_view_get_shown (view);

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (shown, i);

      if (item == (GObject *) message)
        {
          ld_chat_view_select (view, i, FALSE);
          return;
        }
    }
  g_assert_not_reached ();
}

/* The four commands as a moderator types them, with the completion list. */
static void
test_slash_commands (Fixture       *fixture,
                     gconstpointer  user_data)
{
  LdChatView *view = ld_window_get_chat_view (fixture->window);
  LdComposer *composer = ld_chat_view_get_composer (view);
  SanctionWait timed_out = { fixture->viewer, LD_SANCTION_TIMED_OUT };
  LogWait banned = { room_log (fixture), LD_MODERATION_ACTION_BAN, "lan", "advertising" };
  LogWait unbanned = { room_log (fixture), LD_MODERATION_ACTION_UNBAN, "lan", NULL };
  TextWait seen = { ld_room_get_chat (ld_test_room (fixture->session)), "please delete me", NULL };
  g_autoptr(GError) error = NULL;
  LdRoom *viewer_room = ld_session_get_room (fixture->viewer, LD_DEMO_ROOM_ID);

  /* /delete on the selected message. */
  g_assert_nonnull (ld_room_send_text (ld_session_get_current_room (fixture->viewer), "please delete me", &error));
  g_assert_no_error (error);
  g_assert_true (ld_test_wait_for (has_text, &seen, WAIT_MS));
  select_message (view, seen.found);
  ld_composer_set_text (composer, "/delete");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  g_assert_true (ld_test_wait_for (is_deleted, seen.found, WAIT_MS));
  g_assert_true (ld_test_wait_for (composer_empty, composer, WAIT_MS));

  /* /timeout: the command, then the viewer's name, from the list. */
  ld_composer_set_text (composer, "/ti");
  g_assert_true (strv_has (ld_composer_get_completions (composer), "/timeout "));
  ld_composer_complete (composer, "/timeout ");
  ld_composer_set_text (composer, "/timeout la");
  g_assert_true (strv_has (ld_composer_get_completions (composer), "/timeout Lan "));
  ld_composer_complete (composer, "/timeout Lan ");
  g_assert_cmpstr (ld_composer_get_text (composer), ==, "/timeout Lan ");
  ld_composer_set_text (composer, "/timeout Lan 30 flood");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  g_assert_true (ld_test_wait_for (has_sanction, &timed_out, WAIT_MS));
  g_assert_nonnull (strstr (ld_room_get_sanction_reason (viewer_room), "flood"));
  g_assert_true (ld_test_wait_for (composer_empty, composer, WAIT_MS));

  /* A mistyped command is refused here and says what is wrong. */
  ld_composer_set_text (composer, "/timeout Lan 0");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  g_assert_nonnull (ld_composer_get_feedback (composer));

  /* /ban asks first; /unban by name after the viewer is gone. */
  ld_composer_set_text (composer, "/ban Lan advertising");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  answer_dialog (NULL, "apply");
  g_assert_true (ld_test_wait_for (logged, &banned, WAIT_MS));
  g_assert_true (ld_test_wait_for (composer_empty, composer, WAIT_MS));

  ld_composer_set_text (composer, "/unban lan");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  g_assert_true (ld_test_wait_for (logged, &unbanned, WAIT_MS));
  g_clear_object (&seen.found);
}

/* What was logged is read back by a new log on the same file (the app after
 * a restart), and the view's search finds it by reason. */
static void
test_log_survives_restart (Fixture       *fixture,
                           gconstpointer  user_data)
{
  LdComposer *composer = ld_chat_view_get_composer (ld_window_get_chat_view (fixture->window));
  LogWait wait = { room_log (fixture), LD_MODERATION_ACTION_TIMEOUT, "lan", "restart-proof reason" };
  g_autofree char *path = ld_moderation_log_default_path (LD_DEMO_ROOM_ID);
  g_autoptr(LdModerationLog) again = ld_moderation_log_new ();
  g_autoptr(GError) error = NULL;
  GtkWidget *view = g_object_ref_sink (ld_moderation_log_view_new ());
  GListModel *shown;
  guint before;

  g_assert_true (g_str_has_prefix (path, g_get_user_data_dir ()));
  ld_composer_set_text (composer, "/timeout Lan 45 restart-proof reason");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  g_assert_true (ld_test_wait_for (logged, &wait, WAIT_MS));

  g_assert_true (ld_moderation_log_set_path (again, path, &error));
  g_assert_no_error (error);
  wait.log = again;
  g_assert_true (logged (&wait));

  ld_moderation_log_view_set_log (LD_MODERATION_LOG_VIEW (view), again);
  shown = ld_moderation_log_view_get_shown (LD_MODERATION_LOG_VIEW (view));
  before = g_list_model_get_n_items (shown);
  g_assert_cmpuint (before, >=, 1);
  ld_moderation_log_view_set_search (LD_MODERATION_LOG_VIEW (view), "RESTART-PROOF");
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);
  ld_moderation_log_view_set_search (LD_MODERATION_LOG_VIEW (view), "nothing like this");
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 0);
  ld_moderation_log_view_set_search (LD_MODERATION_LOG_VIEW (view), "");
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, before);
  g_assert_finalize_object (view);
}

static void
on_clipboard_text (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, &error);
  g_assert_no_error (error);
}

static char *
read_clipboard (GtkWidget *widget)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, on_clipboard_text, &text);
  g_assert_true (ld_test_wait_for (ld_test_is_set, &text, WAIT_MS));
  return text;
}

/* Copy from the message menu puts the message's text on the clipboard;
 * Ctrl+C copies the selected range as lines; @ completes viewers' names;
 * Reply quotes the author in front of what is sent. */
static void
test_copy_mention_reply (Fixture       *fixture,
                         gconstpointer  user_data)
{
  LdChatView *view = ld_window_get_chat_view (fixture->window);
  LdComposer *composer = ld_chat_view_get_composer (view);
  TextWait seen = { ld_room_get_chat (ld_test_room (fixture->session)), "xin chào 👋 &amp; “mọi người”", NULL };
  TextWait reply = { ld_room_get_chat (ld_test_room (fixture->viewer)), "@Lan: cảm ơn bạn", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *lines = NULL;

  g_assert_nonnull (ld_room_send_text (ld_session_get_current_room (fixture->viewer), "xin chào 👋 &amp; “mọi người”", &error));
  g_assert_no_error (error);
  g_assert_true (ld_test_wait_for (has_text, &seen, WAIT_MS));

  ld_chat_view_set_context_message (view, seen.found);
  gtk_widget_activate_action (GTK_WIDGET (view), "chat.copy", NULL);
  copied = read_clipboard (GTK_WIDGET (view));
  g_assert_cmpstr (copied, ==, "xin chào 👋 &amp; “mọi người”");

  select_message (view, seen.found);
  gtk_widget_activate_action (GTK_WIDGET (view), "chat.copy-selection", NULL);
  g_clear_pointer (&copied, g_free);
  copied = read_clipboard (GTK_WIDGET (view));
  lines = g_strdup_printf ("Lan: %s\n", "xin chào 👋 &amp; “mọi người”");
  g_assert_true (g_str_has_suffix (copied, lines));
  g_assert_true (g_str_has_prefix (copied, "["));

  ld_composer_set_text (composer, "cảm ơn @l");
  g_assert_true (strv_has (ld_composer_get_completions (composer), "cảm ơn @Lan "));

  ld_composer_set_text (composer, "");
  gtk_widget_activate_action (GTK_WIDGET (view), "chat.reply", NULL);
  g_assert_cmpstr (ld_composer_get_reply_name (composer), ==, "Lan");
  ld_composer_set_text (composer, "cảm ơn bạn");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  /* The viewer gets the plain text the contract carries. */
  g_assert_true (ld_test_wait_for (has_text, &reply, WAIT_MS));
  g_assert_true (ld_test_wait_for (composer_empty, composer, WAIT_MS));
  g_assert_null (ld_composer_get_reply_name (composer));
  g_clear_object (&seen.found);
  g_clear_object (&reply.found);
}

static GtkWidget *
shown_log_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (gtk_widget_get_visible (window) && ld_test_find_widget (window, LD_TYPE_MODERATION_LOG_VIEW) != NULL)
        return window;
    }
  return NULL;
}

static gboolean
log_window_shown (gpointer data)
{
  GtkWidget *window = shown_log_window ();

  return window != NULL && gtk_widget_get_mapped (window) && gtk_widget_get_width (window) > 0;
}

static gboolean
card_shown (gpointer data)
{
  GtkWidget *card = ld_test_find_widget (GTK_WIDGET (data), LD_TYPE_USER_CARD);

  return card != NULL && gtk_widget_get_mapped (card) &&
         gtk_widget_get_width (gtk_popover_get_child (GTK_POPOVER (card))) > 0;
}

/* Whether the focus is in the widget DATA. */
static gboolean
focus_in (gpointer data)
{
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (data));

  return focus != NULL && gtk_widget_is_ancestor (focus, data);
}

static gboolean
popover_drawn (gpointer data)
{
  GtkWidget *child = gtk_popover_get_child (GTK_POPOVER (data));

  return gtk_widget_get_mapped (GTK_WIDGET (data)) && gtk_widget_get_height (child) > 0;
}

static gboolean
popover_hidden (gpointer data)
{
  return !gtk_widget_get_mapped (GTK_WIDGET (data));
}

/* Pops CARD up from a menu button in a window of its own, tall enough for
 * all of it (the test window's is cut by its edge); returns the window. */
static GtkWidget *
show_card (GtkWidget *card)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *button = gtk_menu_button_new ();

  gtk_widget_set_valign (button, GTK_ALIGN_START);
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), card);
  gtk_window_set_child (GTK_WINDOW (window), button);
  gtk_window_set_default_size (GTK_WINDOW (window), 420, 900);
  gtk_window_present (GTK_WINDOW (window));
  gtk_menu_button_popup (GTK_MENU_BUTTON (button));
  g_assert_true (ld_test_wait_for (popover_drawn, card, WAIT_MS));
  return window;
}

/* Closes CARD, then its WINDOW. Destroyed with the card still shown, GTK 4.8
 * can keep a tooltip timeout for the card's surface, which then fires on a
 * surface that is gone (a critical, in whatever test runs next). */
static void
close_card (GtkWidget *card,
            GtkWidget *window)
{
  gtk_popover_popdown (GTK_POPOVER (card));
  g_assert_true (ld_test_wait_for (popover_hidden, card, WAIT_MS));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The list under HEADING in a shown user card: it is no taller than what
 * it holds (a scrolled window would keep room for its scrollbar: a blank gap
 * under one short line), and a long one scrolls at 150 px. */
static void
assert_list_fits (GtkWidget  *card,
                  const char *heading)
{
  GtkWidget *scroller = gtk_widget_get_next_sibling (ld_test_find_label (card, heading));
  GtkWidget *list;
  int needed;

  g_assert_true (GTK_IS_SCROLLED_WINDOW (scroller));
  list = gtk_viewport_get_child (GTK_VIEWPORT (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scroller))));
  /* Not the list's height: the viewport stretches it to fill the scroller. */
  gtk_widget_measure (list, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (list), NULL, &needed, NULL, NULL);
  g_assert_cmpint (gtk_widget_get_height (scroller), ==, MIN (needed, 150));
}

/* A card's lists take the room their lines need: one line has no gap
 * under it, and twelve sanctions scroll rather than push the card's
 * buttons off the screen. */
static void
test_user_card_lists (void)
{
  GtkWidget *card = ld_user_card_new ("lan", "Lan", LD_ROLE_VIEWER, NULL, TRUE, FALSE);
  g_autoptr(GPtrArray) sanctions = g_ptr_array_new_with_free_func (g_object_unref);
  GtkWidget *window;
  GtkWidget *scroller;

  for (guint i = 0; i < 12; i++)
    g_ptr_array_add (sanctions, ld_moderation_entry_new (LD_MODERATION_ACTION_TIMEOUT, "Mod Linh", "lan", "Lan",
                                                         "spam", 60, NULL, NULL));
  ld_user_card_set_sanctions (LD_USER_CARD (card), sanctions, TRUE);
  window = show_card (card);

  g_assert_nonnull (ld_test_find_label (card, "No messages in this chat yet"));
  assert_list_fits (card, "Recent Messages");
  assert_list_fits (card, "Sanctions");
  scroller = gtk_widget_get_next_sibling (ld_test_find_label (card, "Sanctions"));
  g_assert_cmpint (gtk_widget_get_height (scroller), ==, 150);
  close_card (card, window);
}

/* The README's picture of the card: the same card, in a window of its own.
 * Opened from a menu button, the card takes the focus, but not on its id,
 * which a label given focus that way shows all selected. */
static void
save_card_picture (Fixture   *fixture,
                   LdMessage *message)
{
  LdRoom *room = ld_session_get_room (fixture->session, LD_DEMO_ROOM_ID);
  g_autoptr(GPtrArray) sanctions = ld_moderation_log_lookup_user (ld_room_get_moderation_log (room), "lan");
  GtkWidget *card = ld_user_card_new ("lan", "Lan", LD_ROLE_VIEWER,
                                      G_LIST_MODEL (ld_room_get_chat (ld_test_room (fixture->session))), TRUE, FALSE);
  GtkWidget *window;
  GtkWidget *id_label;

  ld_user_card_set_sanctions (LD_USER_CARD (card), sanctions, TRUE);
  window = show_card (card);
  g_assert_true (ld_test_wait_for (focus_in, card, WAIT_MS));
  id_label = ld_test_find_label (card, "ID: lan");
  g_assert_false (gtk_widget_has_focus (id_label));
  g_assert_false (gtk_label_get_selection_bounds (GTK_LABEL (id_label), NULL, NULL));
  assert_list_fits (card, "Recent Messages");
  assert_list_fits (card, "Sanctions");
  ld_test_save_widget (card, "/tmp/user-card.png");
  close_card (card, window);
}

/* The user card lists the sanctions the room logged and offers Unban for a
 * ban not lifted; the moderation log window shows them newest first. */
static void
test_user_card_and_log_window (Fixture       *fixture,
                               gconstpointer  user_data)
{
  LdChatView *view = ld_window_get_chat_view (fixture->window);
  LdComposer *composer = ld_chat_view_get_composer (view);
  TextWait seen = { ld_room_get_chat (ld_test_room (fixture->session)), "mua follow giá rẻ 🔥", NULL };
  LogWait timed_out = { room_log (fixture), LD_MODERATION_ACTION_TIMEOUT, "lan", "nhắc lần đầu" };
  LogWait banned = { room_log (fixture), LD_MODERATION_ACTION_BAN, "lan", "quảng cáo" };
  LogWait unbanned = { room_log (fixture), LD_MODERATION_ACTION_UNBAN, "lan", "đã hứa" };
  g_autoptr(GError) error = NULL;
  GtkWidget *card;
  GtkWidget *unban;
  GtkWidget *log_window;

  g_assert_nonnull (ld_room_send_text (ld_session_get_current_room (fixture->viewer), "mua follow giá rẻ 🔥", &error));
  g_assert_no_error (error);
  g_assert_true (ld_test_wait_for (has_text, &seen, WAIT_MS));

  ld_composer_set_text (composer, "/timeout Lan 10m nhắc lần đầu");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  g_assert_true (ld_test_wait_for (logged, &timed_out, WAIT_MS));
  ld_composer_set_text (composer, "/ban Lan quảng cáo");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  answer_dialog (NULL, "apply");
  g_assert_true (ld_test_wait_for (logged, &banned, WAIT_MS));

  ld_chat_view_set_context_message (view, seen.found);
  gtk_widget_activate_action (GTK_WIDGET (view), "chat.user-card", NULL);
  card = ld_test_find_widget (GTK_WIDGET (view), LD_TYPE_USER_CARD);
  g_assert_nonnull (card);
  g_assert_true (ld_test_wait_for (card_shown, view, WAIT_MS));
  g_assert_cmpuint (ld_user_card_get_n_sanctions (LD_USER_CARD (card)), >=, 2);
  unban = find_named (card, "unban");
  g_assert_true (gtk_widget_get_visible (unban));
  save_card_picture (fixture, seen.found);

  gtk_widget_activate (unban);
  answer_dialog ("đã hứa", "apply");
  g_assert_true (ld_test_wait_for (logged, &unbanned, WAIT_MS));

  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.moderation-log", NULL);
  g_assert_true (ld_test_wait_for (log_window_shown, NULL, WAIT_MS));
  log_window = shown_log_window ();
  /* Newest first: the unban heads the list. */
  {
    GListModel *shown = ld_moderation_log_view_get_shown (
      LD_MODERATION_LOG_VIEW (ld_test_find_widget (log_window, LD_TYPE_MODERATION_LOG_VIEW)));
    g_autoptr(LdModerationEntry) first = g_list_model_get_item (shown, 0);

    g_assert_cmpint (ld_moderation_entry_get_action (first), ==, LD_MODERATION_ACTION_UNBAN);
  }
  ld_test_wait_for (ld_test_is_set, &(gpointer) { NULL }, 500); /* let it draw once */
  ld_test_save_widget (log_window, "/tmp/moderation-log.png");
  gtk_window_destroy (GTK_WINDOW (log_window));
  g_clear_object (&seen.found);
}

/* What SESSION wrote, as READER's chat shows it (a new reference). */
static LdMessage *
said (LdSession  *session,
      LdSession  *reader,
      const char *text)
{
  TextWait seen = { ld_room_get_chat (ld_test_room (reader)), text, NULL };
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (ld_room_send_text (ld_test_room (session), text, &error));
  g_assert_no_error (error);
  g_assert_true (ld_test_wait_for (has_text, &seen, WAIT_MS));
  return seen.found;
}

typedef struct
{
  GtkWidget  *root;
  const char *label;
  gboolean    sensitive;
} SensitiveWait;

/* The item or button labelled LABEL under ROOT is (in)sensitive as asked. */
static gboolean
is_offered_as (gpointer data)
{
  SensitiveWait *wait = data;
  GtkWidget *label = ld_test_find_label (wait->root, wait->label);

  return label != NULL && gtk_widget_is_sensitive (label) == wait->sensitive;
}

/* The moderation items of VIEW's menu for MESSAGE: offered (WHY NULL), or
 * greyed out with a greyed line under them saying WHY. */
static void
assert_menu_offers (LdChatView *view,
                    LdMessage  *message,
                    const char *why)
{
  const char * const items[] = { "For 1 Minute", "For 24 Hours", "Custom or With Reason…", "Ban User…" };
  const char * const refusals[] = {
    "Nobody can time out or ban an admin", "Only an admin can time out or ban a moderator",
  };
  gboolean offered = why == NULL;

  ld_chat_view_set_context_message (view, message);
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      SensitiveWait wait = { GTK_WIDGET (view), items[i], offered };

      g_test_message ("%s on “%s”", items[i], ld_message_get_text (message));
      g_assert_true (ld_test_wait_for (is_offered_as, &wait, WAIT_MS));
    }
  if (why != NULL)
    {
      SensitiveWait wait = { GTK_WIDGET (view), why, FALSE };

      g_assert_true (ld_test_wait_for (is_offered_as, &wait, WAIT_MS));
    }
  /* One reason at most, the one for this message's author. */
  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    if (g_strcmp0 (refusals[i], why) != 0)
      g_assert_null (ld_test_find_label (GTK_WIDGET (view), refusals[i]));
  /* Deleting a message is not ranked. */
  {
    SensitiveWait wait = { GTK_WIDGET (view), "Delete Message", TRUE };

    g_assert_true (ld_test_wait_for (is_offered_as, &wait, WAIT_MS));
  }
}

static gboolean
card_gone (gpointer data)
{
  return ld_test_find_widget (GTK_WIDGET (data), LD_TYPE_USER_CARD) == NULL;
}

/* VIEW's user card for MESSAGE's author: Time Out and Ban offered, or
 * greyed out saying WHY. */
static void
assert_card_offers (LdChatView *view,
                    LdMessage  *message,
                    const char *why)
{
  SensitiveWait ban = { NULL, "Ban", why == NULL };
  SensitiveWait timeout = { NULL, "Time Out", why == NULL };
  GtkWidget *card;

  ld_chat_view_set_context_message (view, message);
  gtk_widget_activate_action (GTK_WIDGET (view), "chat.user-card", NULL);
  g_assert_true (ld_test_wait_for (card_shown, view, WAIT_MS));
  card = ld_test_find_widget (GTK_WIDGET (view), LD_TYPE_USER_CARD);
  ban.root = timeout.root = card;
  g_assert_true (ld_test_wait_for (is_offered_as, &ban, WAIT_MS));
  g_assert_true (ld_test_wait_for (is_offered_as, &timeout, WAIT_MS));
  if (why != NULL)
    g_assert_cmpstr (gtk_widget_get_tooltip_text (gtk_widget_get_parent (ld_test_find_label (card, "Ban"))), ==, why);
  gtk_popover_popdown (GTK_POPOVER (card));
  g_assert_true (ld_test_wait_for (card_gone, view, WAIT_MS));
}

/* A moderator's window: Time Out and Ban are greyed out on an admin's and
 * another moderator's message (menu and user card, saying who may) and
 * offered on a viewer's; the dialog refuses a moderator before asking. */
static void
test_rank (Fixture       *fixture,
           gconstpointer  user_data)
{
  g_autoptr(LdSession) moderator = ld_test_demo_join (fixture->demo, "mod2", "Mod Hai", "moderator");
  g_autoptr(LdSession) colleague = ld_test_demo_join (fixture->demo, "mod3", "Mod Ba", "moderator");
  LdWindow *window = g_object_ref_sink (ld_window_new (NULL, NULL));
  g_autoptr(LdMessage) from_admin = NULL;
  g_autoptr(LdMessage) from_colleague = NULL;
  g_autoptr(LdMessage) from_viewer = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *done = NULL;
  LdChatView *view;

  gtk_window_set_default_size (GTK_WINDOW (window), 900, 900);
  ld_window_set_session (window, moderator);
  gtk_window_present (GTK_WINDOW (window));
  view = ld_window_get_chat_view (window);

  from_admin = said (fixture->session, moderator, "admin here");
  from_colleague = said (colleague, moderator, "moderator here");
  from_viewer = said (fixture->viewer, moderator, "viewer here");

  assert_menu_offers (view, from_admin, "Nobody can time out or ban an admin");
  assert_menu_offers (view, from_colleague, "Only an admin can time out or ban a moderator");
  assert_menu_offers (view, from_viewer, NULL);

  assert_card_offers (view, from_admin, "Nobody can time out or ban an admin");
  assert_card_offers (view, from_colleague, "Only an admin can time out or ban a moderator");
  assert_card_offers (view, from_viewer, NULL);

  ld_moderation_dialog_moderate_async (GTK_WINDOW (window), ld_test_room (moderator), LD_MODERATION_BAN,
                                       "mod3", "Mod Ba", 0, NULL, TRUE, NULL, ld_test_store_result, &result);
  g_assert_true (ld_test_wait_for (ld_test_is_set, &result, WAIT_MS));
  g_assert_null (shown_dialog ());
  done = ld_moderation_dialog_moderate_finish (result, &error);
  g_assert_null (done);
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN);
  g_assert_cmpstr (error->message, ==, "Could not ban Mod Ba: Only an admin can time out or ban a moderator");

  ld_session_disconnect (colleague);
  ld_session_disconnect (moderator);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* The link the message menu offers, from its last section. */
static char *
menu_link (GMenuModel *menu)
{
  guint n = g_menu_model_get_n_items (menu);
  g_autoptr(GMenuModel) section = n > 0 ? g_menu_model_get_item_link (menu, n - 1, G_MENU_LINK_SECTION) : NULL;
  g_autoptr(GVariant) action = NULL;
  g_autoptr(GVariant) target = NULL;

  if (section == NULL || g_menu_model_get_n_items (section) == 0)
    return NULL;
  action = g_menu_model_get_item_attribute_value (section, 0, G_MENU_ATTRIBUTE_ACTION, G_VARIANT_TYPE_STRING);
  if (action == NULL || g_strcmp0 (g_variant_get_string (action, NULL), "chat.open-link") != 0)
    return NULL;
  target = g_menu_model_get_item_attribute_value (section, 0, G_MENU_ATTRIBUTE_TARGET, G_VARIANT_TYPE_STRING);
  return target != NULL ? g_variant_dup_string (target, NULL) : NULL;
}

/* A link to a host outside the image allow-list asks before it opens,
 * naming the host; Cancel opens nothing. */
static void
test_link_asks (Fixture       *fixture,
                gconstpointer  user_data)
{
  LdChatView *view = ld_window_get_chat_view (fixture->window);
  TextWait seen = { ld_room_get_chat (ld_test_room (fixture->session)), "xem https://evil.example/free-coins nhé.", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *link = NULL;
  AdwMessageDialog *dialog;

  g_assert_nonnull (ld_room_send_text (ld_session_get_current_room (fixture->viewer), "xem https://evil.example/free-coins nhé.", &error));
  g_assert_no_error (error);
  g_assert_true (ld_test_wait_for (has_text, &seen, WAIT_MS));

  ld_chat_view_set_context_message (view, seen.found);
  link = menu_link (ld_chat_view_get_message_menu (view));
  g_assert_cmpstr (link, ==, "https://evil.example/free-coins");
  gtk_widget_activate_action (GTK_WIDGET (view), "chat.open-link", "s", link);
  g_assert_true (ld_test_wait_for (dialog_shown, NULL, WAIT_MS));
  dialog = shown_dialog ();
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), "evil.example"));
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==, "https://evil.example/free-coins");
  answer_dialog (NULL, "cancel");

  /* A message without a link offers none. */
  g_clear_object (&seen.found);
  seen.text = "chỉ là chữ";
  /* One message a second: wait for the limit rather than fail on it. */
  while (ld_room_send_text (ld_session_get_current_room (fixture->viewer), "chỉ là chữ", NULL) == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (ld_test_wait_for (has_text, &seen, WAIT_MS));
  ld_chat_view_set_context_message (view, seen.found);
  g_clear_pointer (&link, g_free);
  link = menu_link (ld_chat_view_get_message_menu (view));
  g_assert_null (link);
  g_clear_object (&seen.found);
}

typedef struct
{
  GtkWidget *root;
  LdMessage *message;
  GtkLabel  *label;
} RowWait;

static GtkLabel *
find_text_label (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "message-text"))
    return GTK_LABEL (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_text_label (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_row (GtkWidget *widget,
          LdMessage *message)
{
  if (LD_IS_CHAT_ROW (widget) && ld_chat_row_get_message (LD_CHAT_ROW (widget)) == message)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, message);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
row_shown (gpointer data)
{
  RowWait *wait = data;
  GtkWidget *row = find_row (wait->root, wait->message);

  wait->label = row != NULL ? find_text_label (row) : NULL;
  return wait->label != NULL;
}

static void
collect_href (GMarkupParseContext  *context,
              const char           *element,
              const char          **names,
              const char          **values,
              gpointer              user_data,
              GError              **error)
{
  if (g_strcmp0 (element, "a") != 0)
    return;
  for (guint i = 0; names[i] != NULL; i++)
    if (g_strcmp0 (names[i], "href") == 0)
      g_ptr_array_add (user_data, g_strdup (values[i]));
}

/* The links a label shows, from its markup: the <a> elements GTK makes
 * clickable. */
static GPtrArray *
label_links (GtkLabel *label)
{
  static const GMarkupParser parser = { collect_href, NULL, NULL, NULL, NULL };
  GPtrArray *links = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GMarkupParseContext) context = g_markup_parse_context_new (&parser, 0, links, NULL);
  g_autofree char *wrapped = g_strdup_printf ("<markup>%s</markup>", gtk_label_get_label (label));
  g_autoptr(GError) error = NULL;

  if (gtk_label_get_use_markup (label))
    {
      g_markup_parse_context_parse (context, wrapped, -1, &error);
      g_assert_no_error (error);
    }
  return links;
}

static gboolean
opened (gpointer data)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (opened_path, &contents, NULL, NULL) && strstr (contents, data) != NULL;
}

/* A click on a link in a message: GTK does not open it itself; the row
 * routes it to the same path as the menu's Open Link: a link to an image
 * host opens in the browser at once, any other asks first. The text is
 * never markup: what shows is what was said, and only real URLs link. */
static void
test_link_click (Fixture       *fixture,
                 gconstpointer  user_data)
{
  static const char text[] =
    "<b>x</b> &amp; <a href=\"https://evil.example\">y</a> https://imgur.com/a.png https://evil.example/x";
  LdChatView *view = ld_window_get_chat_view (fixture->window);
  TextWait seen = { ld_room_get_chat (ld_test_room (fixture->session)), text, NULL };
  RowWait row = { GTK_WIDGET (view), NULL, NULL };
  g_autoptr(GPtrArray) links = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(LdMessage) message = NULL;
  gboolean handled = FALSE;
  AdwMessageDialog *dialog;

  /* This client strips '<' and '>' before sending (as the guide says), so
   * the hostile message comes as another server's newMessage would. */
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "messageId");
  json_builder_add_string_value (builder, "link-click-1");
  json_builder_set_member_name (builder, "roomId");
  json_builder_add_string_value (builder, LD_DEMO_ROOM_ID);
  json_builder_set_member_name (builder, "userId");
  json_builder_add_string_value (builder, "lan");
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, "Lan");
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, text);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  message = ld_message_new_from_json (json_node_get_object (root), &error);
  g_assert_no_error (error);
  ld_chat_model_append (seen.model, message);
  ld_chat_model_flush (seen.model);
  g_assert_true (ld_test_wait_for (has_text, &seen, WAIT_MS));
  row.message = seen.found;
  g_assert_true (ld_test_wait_for (row_shown, &row, WAIT_MS));

  g_assert_cmpstr (gtk_label_get_text (row.label), ==, text);
  /* The user's own <a> is text; the URLs in it are found as any other
   * plain-text URL (ld-link), and open only through the path below. */
  links = label_links (row.label);
  g_assert_cmpuint (links->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (links, 0), ==, "https://evil.example");
  g_assert_cmpstr (g_ptr_array_index (links, 1), ==, "https://imgur.com/a.png");
  g_assert_cmpstr (g_ptr_array_index (links, 2), ==, "https://evil.example/x");

  /* Outside the allow-list: asks, naming the host; Cancel opens nothing. */
  g_signal_emit_by_name (row.label, "activate-link", "https://evil.example/x", &handled);
  g_assert_true (handled);
  g_assert_true (ld_test_wait_for (dialog_shown, NULL, WAIT_MS));
  dialog = shown_dialog ();
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), "evil.example"));
  g_assert_cmpstr (adw_message_dialog_get_body (dialog), ==, "https://evil.example/x");
  answer_dialog (NULL, "cancel");

  /* An image host: no question (the action presents its dialog at once,
   * so none now means none), straight to the browser. */
  handled = FALSE;
  g_signal_emit_by_name (row.label, "activate-link", "https://imgur.com/a.png", &handled);
  g_assert_true (handled);
  g_assert_null (shown_dialog ());
  g_assert_true (ld_test_wait_for (opened, (gpointer) "https://imgur.com/a.png", WAIT_MS));

  /* Confirmed, the other one opens too. */
  g_signal_emit_by_name (row.label, "activate-link", "https://evil.example/x", &handled);
  g_assert_true (ld_test_wait_for (dialog_shown, NULL, WAIT_MS));
  answer_dialog (NULL, "open");
  g_assert_true (ld_test_wait_for (opened, (gpointer) "https://evil.example/x", WAIT_MS));
  g_assert_true (g_file_get_contents (opened_path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "https://imgur.com/a.png\nhttps://evil.example/x\n");

  /* Copy still copies the plain text. */
  g_assert_cmpstr (ld_message_get_text (seen.found), ==, text);
  g_clear_object (&seen.found);
}

/* Hidden and highlighted users come back in a new window on the same
 * settings (the app after a restart), and can be taken back. The chat
 * views are the room's tabs: the windows show the fixture's session. */
static void
test_hidden_and_highlighted_kept (Fixture       *fixture,
                                  gconstpointer  user_data)
{
  g_autoptr(LdSettings) settings = ld_settings_new ();
  LdWindow *window = g_object_ref_sink (ld_window_new (NULL, settings));
  LdChatView *view;

  ld_window_set_session (window, fixture->session);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-hidden-user", "s", "spammer1");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-highlighted-user", "s", "vip1");
  view = ld_window_get_chat_view (window);
  g_assert_true (ld_chat_view_is_user_hidden (view, "spammer1"));
  g_assert_true (ld_chat_view_is_user_highlighted (view, "vip1"));
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  g_clear_object (&settings);

  settings = ld_settings_new ();
  window = g_object_ref_sink (ld_window_new (NULL, settings));
  ld_window_set_session (window, fixture->session);
  view = ld_window_get_chat_view (window);
  g_assert_true (ld_chat_view_is_user_hidden (view, "spammer1"));
  g_assert_true (ld_chat_view_is_user_highlighted (view, "vip1"));
  g_assert_false (ld_chat_view_is_user_hidden (view, "vip1"));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-hidden-user", "s", "spammer1");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-highlighted-user", "s", "vip1");
  g_assert_cmpuint (g_strv_length ((char **) ld_settings_get_hidden_users (settings)), ==, 0);
  g_assert_cmpuint (g_strv_length ((char **) ld_settings_get_highlighted_users (settings)), ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* A stand-in browser, the default handler for https links under DATA_HOME:
 * GIO really launches it, and it notes each link it was given. */
static void
install_browser (const char *data_home)
{
  g_autofree char *apps = g_build_filename (data_home, "applications", NULL);
  g_autofree char *script = g_build_filename (data_home, "ld-test-browser", NULL);
  g_autofree char *desktop = g_build_filename (apps, "ld-test-browser.desktop", NULL);
  g_autofree char *mimeapps = g_build_filename (apps, "mimeapps.list", NULL);
  g_autofree char *script_text = NULL;
  g_autofree char *desktop_text = NULL;
  g_autoptr(GError) error = NULL;

  opened_path = g_build_filename (data_home, "opened.txt", NULL);
  g_assert_cmpint (g_mkdir_with_parents (apps, 0700), ==, 0);
  script_text = g_strdup_printf ("#!/bin/sh\nprintf '%%s\\n' \"$1\" >> '%s'\n", opened_path);
  g_file_set_contents (script, script_text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_chmod (script, 0700), ==, 0);
  desktop_text = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=Test Browser\nExec=%s %%u\n"
                                  "MimeType=x-scheme-handler/http;x-scheme-handler/https;\nNoDisplay=true\n",
                                  script);
  g_file_set_contents (desktop, desktop_text, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (mimeapps, "[Default Applications]\nx-scheme-handler/http=ld-test-browser.desktop\n"
                                 "x-scheme-handler/https=ld-test-browser.desktop\n", -1, &error);
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = g_dir_make_tmp ("ld-ui-moderation-XXXXXX", &error);

  g_assert_no_error (error);
  /* Before GLib reads it: the moderation logs go here, not to the user's. */
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  install_browser (data_home);
  ld_test_ui_init (&argc, &argv);

  g_test_add ("/ui/moderation/hidden-and-highlighted-kept", Fixture, NULL, fixture_set_up,
              test_hidden_and_highlighted_kept, fixture_tear_down);
  g_test_add ("/ui/moderation/timeout-with-reason", Fixture, NULL, fixture_set_up, test_timeout_with_reason,
              fixture_tear_down);
  g_test_add ("/ui/moderation/refused-ban", Fixture, NULL, fixture_set_up, test_refused_ban, fixture_tear_down);
  g_test_add ("/ui/moderation/slash-commands", Fixture, NULL, fixture_set_up, test_slash_commands,
              fixture_tear_down);
  g_test_add ("/ui/moderation/log-survives-restart", Fixture, NULL, fixture_set_up, test_log_survives_restart,
              fixture_tear_down);
  g_test_add ("/ui/moderation/copy-mention-reply", Fixture, NULL, fixture_set_up, test_copy_mention_reply,
              fixture_tear_down);
  g_test_add ("/ui/moderation/user-card-and-log-window", Fixture, NULL, fixture_set_up,
              test_user_card_and_log_window, fixture_tear_down);
  g_test_add_func ("/ui/moderation/user-card-lists", test_user_card_lists);
  g_test_add ("/ui/moderation/rank", Fixture, NULL, fixture_set_up, test_rank, fixture_tear_down);
  g_test_add ("/ui/moderation/link-asks", Fixture, NULL, fixture_set_up, test_link_asks, fixture_tear_down);
  g_test_add ("/ui/moderation/link-click", Fixture, NULL, fixture_set_up, test_link_click, fixture_tear_down);
  return g_test_run ();
}
