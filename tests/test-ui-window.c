/* test-ui-window.c: the main window under Xvfb, with the real session core,
 * against a real livedesk-gateway and its simulated audience (demo mode).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <string.h>

#include "ld-chat-row.h"
#include "ld-chat-view.h"
#include "ld-composer.h"
#include "ld-demo.h"
#include "ld-preferences-window.h"
#include "ld-session-private.h"
#include "ld-settings.h"
#include "ld-support-view.h"
#include "ld-test-ui.h"
#include "ld-test-util.h"
#include "ld-test-room.h"
#include "ld-thumbnails.h"
#include "ld-user-card.h"
#include "ld-viewer-list.h"
#include "ld-window.h"
#include "test-peer.h"

#define WAIT_MS 30000

typedef struct
{
  LdDemo    *demo;
  LdSession *session;
  LdWindow  *window;
} Fixture;


/* The window is the demo admin's, or with USER_DATA that of a user of that
 * role in the demo room: an admin cannot sanction another admin, so the
 * tests that watch the window's user sanctioned use a moderator. */
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
  if (user_data != NULL)
    {
      g_clear_object (&fixture->session);
      fixture->session = ld_test_demo_join (fixture->demo, "mod7", "Điều hành", user_data);
    }

  fixture->window = g_object_ref_sink (ld_window_new (NULL, NULL));
  ld_window_set_session (fixture->window, fixture->session);
  gtk_window_present (GTK_WINDOW (fixture->window));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->session);
  ld_demo_stop (fixture->demo);
  g_assert_finalize_object (fixture->window);
  g_assert_finalize_object (fixture->demo);
}

static gboolean
chat_has_three (gpointer data)
{
  LdWindow *window = data;

  return g_list_model_get_n_items (ld_chat_view_get_shown (ld_window_get_chat_view (window))) >= 3;
}

static gboolean
viewers_listed (gpointer data)
{
  LdWindow *window = data;

  return g_list_model_get_n_items (ld_viewer_list_get_shown (ld_window_get_viewer_list (window))) >= 3;
}

/* Demo mode shows traffic within seconds: messages as rows, the audience in
 * the viewer list, and the header says we are online in a room. */
static void
test_demo_traffic (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_assert_true (ld_test_wait_for (chat_has_three, fixture->window, WAIT_MS));
  g_assert_true (ld_test_wait_for (viewers_listed, fixture->window, WAIT_MS));
  g_assert_cmpstr (ld_window_get_connection_text (fixture->window), ==, "Online");
  g_assert_cmpstr (ld_window_get_viewer_count_text (fixture->window), !=, "0");
  g_assert_cmpuint (ld_demo_get_n_actions (fixture->demo), >, 0);
}

typedef struct
{
  LdMessage *message;
  LdMessageState state;
} StateWait;

static gboolean
message_in_state (gpointer data)
{
  StateWait *wait = data;

  return ld_message_get_state (wait->message) == wait->state;
}

static LdMessage *
last_own_message (LdChatModel *model)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));

  for (guint i = n; i > 0; i--)
    {
      g_autoptr(LdMessage) message = g_list_model_get_item (G_LIST_MODEL (model), i - 1);

      if (ld_message_get_is_own (message))
        return message;
    }
  return NULL;
}

/* A message typed in the composer and sent with Enter is pending, then sent;
 * a second one at once is refused inline by the rate limit, with the text
 * kept for later. */
static void
test_send_and_rate_limit (Fixture       *fixture,
                          gconstpointer  user_data)
{
  LdChatView *view = ld_window_get_chat_view (fixture->window);
  LdComposer *composer = ld_chat_view_get_composer (view);
  LdChatModel *model = ld_room_get_chat (ld_test_room (fixture->session));
  StateWait wait = { NULL, LD_MESSAGE_STATE_SENT };

  ld_composer_set_text (composer, "Chào cả nhà, welcome!");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  g_assert_cmpstr (ld_composer_get_text (composer), ==, "");
  g_assert_null (ld_composer_get_feedback (composer));

  ld_chat_model_flush (model);
  wait.message = last_own_message (model);
  g_assert_nonnull (wait.message);
  g_assert_cmpstr (ld_message_get_text (wait.message), ==, "Chào cả nhà, welcome!");
  g_assert_true (ld_test_wait_for (message_in_state, &wait, WAIT_MS));

  ld_composer_set_text (composer, "too fast");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  ld_composer_set_text (composer, "too fast again");
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  g_assert_nonnull (ld_composer_get_feedback (composer));
  g_assert_true (g_str_has_prefix (ld_composer_get_feedback (composer), "At most"));
  g_assert_cmpstr (ld_composer_get_text (composer), ==, "too fast again");
}

/* User text is shown as typed: never parsed as markup. */
static void
test_markup_literal (void)
{
  const char *text = "<b>not bold</b> &amp; <i>x";
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(LdMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *row;

  json_object_set_string_member (object, "messageId", "m1");
  json_object_set_string_member (object, "roomId", "room_1");
  json_object_set_string_member (object, "userId", "u1");
  json_object_set_string_member (object, "username", "<u>Tuan</u>");
  json_object_set_string_member (object, "message", text);
  message = ld_message_new_from_json (object, &error);
  g_assert_no_error (error);

  row = g_object_ref_sink (ld_chat_row_new ());
  ld_chat_row_set_message (LD_CHAT_ROW (row), message);
  g_assert_cmpstr (ld_chat_row_get_text (LD_CHAT_ROW (row)), ==, text);
  ld_chat_row_set_message (LD_CHAT_ROW (row), NULL);
  g_object_unref (row);
}

/* Message mN, "Tin nhắn số N", from one of seven users. */
static LdMessage *
new_message (guint n)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autofree char *id = g_strdup_printf ("m%u", n);
  g_autofree char *user = g_strdup_printf ("u%u", n % 7);
  g_autofree char *text = g_strdup_printf ("Tin nhắn số %u", n);

  json_object_set_string_member (object, "messageId", id);
  json_object_set_string_member (object, "roomId", "room_1");
  json_object_set_string_member (object, "userId", user);
  json_object_set_string_member (object, "message", text);
  return ld_message_new_from_json (object, NULL);
}

static void
append_messages (LdChatModel *model,
                 guint        first,
                 guint        n)
{
  for (guint i = first; i < first + n; i++)
    {
      g_autoptr(LdMessage) message = new_message (i);

      ld_chat_model_append (model, message);
    }
  ld_chat_model_flush (model);
}

static gboolean
at_bottom (gpointer data)
{
  GtkAdjustment *adj = data;

  return gtk_adjustment_get_upper (adj) > gtk_adjustment_get_page_size (adj) &&
         gtk_adjustment_get_value (adj) >= gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj) - 4;
}

/* Whether the row for message mN is laid out at the bottom of the list. */
static gboolean
newest_row_shown (LdChatView *view,
                  guint       n)
{
  g_autofree char *text = g_strdup_printf ("Tin nhắn số %u", n);
  GtkWidget *list = ld_test_find_widget (GTK_WIDGET (view), GTK_TYPE_LIST_VIEW);

  g_assert_nonnull (list);

  for (GtkWidget *child = gtk_widget_get_first_child (list); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);
      graphene_rect_t bounds;

      if (row == NULL || !LD_IS_CHAT_ROW (row) || g_strcmp0 (ld_chat_row_get_text (LD_CHAT_ROW (row)), text) != 0)
        continue;
      if (!gtk_widget_compute_bounds (child, list, &bounds))
        return FALSE;
      /* Its bottom edge at the list's visible bottom, give or take a pixel. */
      return gtk_widget_get_mapped (child) &&
             ABS (bounds.origin.y + bounds.size.height - gtk_widget_get_height (list)) <= 2;
    }
  return FALSE;
}

typedef struct
{
  LdChatView *view;
  guint       n;
} NewestWait;

static gboolean
newest_shown (gpointer data)
{
  NewestWait *wait = data;

  return newest_row_shown (wait->view, wait->n);
}

/* The full history: the view shows the newest message and follows new
 * ones; scrolled up it stays put and counts what arrives ("N new
 * messages"); the button's action brings it back to the newest. */
static void
test_sticky_scroll (void)
{
  g_autoptr(LdChatModel) model = ld_chat_model_new ();
  GtkWidget *window = gtk_window_new ();
  LdChatView *view = LD_CHAT_VIEW (ld_chat_view_new ());
  GtkAdjustment *adj = ld_chat_view_get_vadjustment (view);

  g_object_ref_sink (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 500, 400);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  ld_chat_view_set_model (view, model);
  gtk_window_present (GTK_WINDOW (window));

  append_messages (model, 0, LD_CHAT_MODEL_DEFAULT_CAPACITY);
  g_assert_true (ld_test_wait_for (at_bottom, adj, WAIT_MS));
  g_assert_true (ld_chat_view_get_sticky (view));

  append_messages (model, 10000, 3);
  g_assert_true (ld_test_wait_for (at_bottom, adj, WAIT_MS));
  g_assert_cmpuint (ld_chat_view_get_unseen (view), ==, 0);

  /* The user scrolls up to read, a page as a wheel's few turns would (the
   * list holds only the rows that fit while it follows the newest). */
  gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) - gtk_adjustment_get_page_size (adj));
  g_assert_false (ld_chat_view_get_sticky (view));
  append_messages (model, 10003, 5);
  g_assert_cmpuint (ld_chat_view_get_unseen (view), ==, 5);
  g_assert_false (at_bottom (adj));

  gtk_widget_activate_action (GTK_WIDGET (view), "chat.scroll-to-newest", NULL);
  g_assert_cmpuint (ld_chat_view_get_unseen (view), ==, 0);
  g_assert_true (ld_chat_view_get_sticky (view));
  g_assert_true (ld_test_wait_for (at_bottom, adj, WAIT_MS));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

typedef struct
{
  GdkFrameClock *clock;
  gboolean       in_frame;  /* between its before-paint and after-paint */
} FrameState;

typedef struct
{
  FrameState *frame;
  gboolean    published;
  gint64      counter;  /* the frame that published the batch; -1: none */
} Publication;

static void
on_before_paint (GdkFrameClock *clock,
                 FrameState    *frame)
{
  frame->in_frame = TRUE;
}

static void
on_after_paint_done (GdkFrameClock *clock,
                     FrameState    *frame)
{
  frame->in_frame = FALSE;
}

static void
on_batch_published (GListModel  *model,
                    guint        position,
                    guint        removed,
                    guint        added,
                    Publication *publication)
{
  publication->published = TRUE;
  publication->counter = publication->frame->in_frame ? gdk_frame_clock_get_frame_counter (publication->frame->clock) : -1;
}

static gboolean
all_published (gpointer data)
{
  Publication *publications = data;

  for (guint i = 0; i < 3; i++)
    if (!publications[i].published)
      return FALSE;
  return TRUE;
}

static gboolean
widget_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* A view on screen shows what arrived in its next frame; two busy views
 * take turns, one frame each; a hidden view leaves its model to the
 * model's own timer. */
static void
test_frame_flush (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  LdChatModel *models[3];
  GtkWidget *views[3];
  FrameState frame = { NULL, FALSE };
  Publication publications[3];
  guint both_in_frames = 0;

  g_object_ref_sink (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 400);
  for (guint i = 0; i < 3; i++)
    {
      models[i] = ld_chat_model_new ();
      views[i] = ld_chat_view_new ();
      gtk_widget_set_hexpand (views[i], TRUE);
      ld_chat_view_set_model (LD_CHAT_VIEW (views[i]), models[i]);
      gtk_box_append (GTK_BOX (box), views[i]);
      g_signal_connect (models[i], "items-changed", G_CALLBACK (on_batch_published), &publications[i]);
    }
  gtk_widget_set_visible (views[2], FALSE);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (ld_test_wait_for (widget_mapped, views[0], WAIT_MS));
  frame.clock = gtk_widget_get_frame_clock (window);
  g_signal_connect (frame.clock, "before-paint", G_CALLBACK (on_before_paint), &frame);
  g_signal_connect (frame.clock, "after-paint", G_CALLBACK (on_after_paint_done), &frame);

  for (guint round = 0; round < 10; round++)
    {
      for (guint i = 0; i < 3; i++)
        {
          g_autoptr(LdMessage) message = new_message (round);

          publications[i] = (Publication) { &frame, FALSE, -1 };
          g_assert_true (ld_chat_model_append (models[i], message));
        }
      g_assert_true (ld_test_wait_for (all_published, publications, WAIT_MS));
      /* Hidden: never in a frame. */
      g_assert_cmpint (publications[2].counter, ==, -1);
      /* A frame later than the model's 50 ms (a loaded machine) leaves it
       * to the timer; in frames, the two views never share one. */
      if (publications[0].counter >= 0 && publications[1].counter >= 0)
        {
          both_in_frames++;
          g_assert_cmpint (publications[0].counter, !=, publications[1].counter);
        }
    }
  g_assert_cmpuint (both_in_frames, >, 0);

  for (guint i = 0; i < 3; i++)
    g_signal_handlers_disconnect_by_data (models[i], &publications[i]);
  g_signal_handlers_disconnect_by_data (frame.clock, &frame);
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
  for (guint i = 0; i < 3; i++)
    g_assert_finalize_object (models[i]);
}

/* A fast chat wrapping a small history again and again: the view stays on
 * the newest message all along (GtkListView once warned that it "failed to
 * scroll", fatal here, when rows went at the top while it followed the
 * bottom), and the newest row is the one laid out at the bottom. */
static void
test_sticky_after_wrap (void)
{
  g_autoptr(LdChatModel) model = ld_chat_model_new ();
  GtkWidget *window = gtk_window_new ();
  LdChatView *view = LD_CHAT_VIEW (ld_chat_view_new ());
  GtkAdjustment *adj = ld_chat_view_get_vadjustment (view);
  guint next = 0;

  g_object_ref_sink (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 500, 400);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  ld_chat_model_set_capacity (model, 300);
  ld_chat_view_set_model (view, model);
  gtk_window_present (GTK_WINDOW (window));

  for (guint round = 0; round < 40; round++)
    {
      append_messages (model, next, 37);
      next += 37;
      /* Lets the frame clock run a few frames (layout, tick callbacks). */
      test_spin (20);
    }
  g_assert_true (ld_test_wait_for (at_bottom, adj, WAIT_MS));
  g_assert_true (ld_chat_view_get_sticky (view));
  g_assert_cmpuint (ld_chat_view_get_unseen (view), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), <=, 300);
  {
    NewestWait newest = { view, next - 1 };

    g_assert_true (ld_test_wait_for (newest_shown, &newest, WAIT_MS));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* The message of the row under the middle of the list, or NULL. */
static LdMessage *
middle_message (LdChatView *view)
{
  GtkWidget *list = ld_test_find_widget (GTK_WIDGET (view), GTK_TYPE_LIST_VIEW);
  GtkWidget *picked = gtk_widget_pick (list, gtk_widget_get_width (list) / 2.0,
                                       gtk_widget_get_height (list) / 2.0, GTK_PICK_DEFAULT);
  GtkWidget *row = picked ? gtk_widget_get_ancestor (picked, LD_TYPE_CHAT_ROW) : NULL;

  return row ? ld_chat_row_get_message (LD_CHAT_ROW (row)) : NULL;
}

typedef struct
{
  LdChatView *view;
  const char *message_id;
} MiddleWait;

static gboolean
middle_shows (gpointer data)
{
  MiddleWait *wait = data;
  LdMessage *message = middle_message (wait->view);

  return message != NULL && g_strcmp0 (ld_message_get_id (message), wait->message_id) == 0;
}

/* Bursts into a full history, the ring dropping its oldest at the top
 * again and again: the view keeps following, the newest row at its bottom. */
static void
test_sticky_burst_full (void)
{
  g_autoptr(LdChatModel) model = ld_chat_model_new ();
  GtkWidget *window = gtk_window_new ();
  LdChatView *view = LD_CHAT_VIEW (ld_chat_view_new ());
  GtkAdjustment *adj = ld_chat_view_get_vadjustment (view);
  guint next = LD_CHAT_MODEL_DEFAULT_CAPACITY;

  g_object_ref_sink (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 500, 400);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  ld_chat_view_set_model (view, model);
  gtk_window_present (GTK_WINDOW (window));
  append_messages (model, 0, LD_CHAT_MODEL_DEFAULT_CAPACITY);
  g_assert_true (ld_test_wait_for (at_bottom, adj, WAIT_MS));

  for (guint round = 0; round < 25; round++)
    {
      append_messages (model, next, 100);
      next += 100;
      test_spin (10);
    }
  g_assert_true (ld_chat_view_get_sticky (view));
  g_assert_cmpuint (ld_chat_view_get_unseen (view), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), <=, LD_CHAT_MODEL_DEFAULT_CAPACITY);
  {
    NewestWait newest = { view, next - 1 };

    g_assert_true (ld_test_wait_for (newest_shown, &newest, WAIT_MS));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* Scrolled up to read, the view stays on the message it shows while a
 * burst arrives and the ring drops the oldest at the top, and counts what
 * came; the scrollbar spans the whole history, not only the rows that fit. */
static void
test_scrolled_up_stays_put (void)
{
  g_autoptr(LdChatModel) model = ld_chat_model_new ();
  GtkWidget *window = gtk_window_new ();
  LdChatView *view = LD_CHAT_VIEW (ld_chat_view_new ());
  GtkAdjustment *adj = ld_chat_view_get_vadjustment (view);
  guint next = LD_CHAT_MODEL_DEFAULT_CAPACITY;
  g_autofree char *reading = NULL;
  MiddleWait wait = { view, NULL };

  g_object_ref_sink (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 500, 400);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  ld_chat_view_set_model (view, model);
  gtk_window_present (GTK_WINDOW (window));
  append_messages (model, 0, LD_CHAT_MODEL_DEFAULT_CAPACITY);
  g_assert_true (ld_test_wait_for (at_bottom, adj, WAIT_MS));

  gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) - gtk_adjustment_get_page_size (adj));
  g_assert_false (ld_chat_view_get_sticky (view));
  test_spin (100);
  g_assert_nonnull (middle_message (view));
  reading = g_strdup (ld_message_get_id (middle_message (view)));
  g_assert_cmpfloat (gtk_adjustment_get_upper (adj), >, 50 * gtk_adjustment_get_page_size (adj));

  for (guint round = 0; round < 25; round++)
    {
      append_messages (model, next, 100);
      next += 100;
      test_spin (10);
    }
  g_assert_false (ld_chat_view_get_sticky (view));
  g_assert_cmpuint (ld_chat_view_get_unseen (view), ==, 2500);
  g_assert_false (at_bottom (adj));
  wait.message_id = reading;
  g_assert_true (ld_test_wait_for (middle_shows, &wait, WAIT_MS));
  test_spin (100);
  g_assert_true (middle_shows (&wait));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static gboolean
composer_sanctioned (gpointer data)
{
  return ld_composer_get_sanction (data) != LD_SANCTION_NONE;
}

static gboolean
composer_writable (gpointer data)
{
  return ld_composer_get_writable (data);
}

static GtkWidget *
find_row_with_text (GtkWidget  *widget,
                    const char *prefix)
{
  if (LD_IS_CHAT_ROW (widget) && gtk_widget_get_mapped (widget) &&
      g_str_has_prefix (ld_chat_row_get_text (LD_CHAT_ROW (widget)), prefix))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row_with_text (child, prefix);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
add_presence (LdChatModel    *model,
              LdPresenceKind  kind,
              guint           user)
{
  g_autofree char *id = g_strdup_printf ("guest%u", user);
  g_autofree char *name = g_strdup_printf ("Khách %u", user);

  ld_chat_model_add_presence (model, kind, id, name, NULL);
}

/* Twenty-five viewers joining at once are one row, naming two and counting
 * the rest, with every name in its tooltip; a lone join or leave shows as
 * one line; scrolled up, joins are not counted as new messages. */
static void
test_presence_rows (void)
{
  g_autoptr(LdChatModel) model = ld_chat_model_new ();
  GtkWidget *window = g_object_ref_sink (gtk_window_new ());
  LdChatView *view = LD_CHAT_VIEW (ld_chat_view_new ());
  GtkAdjustment *adj = ld_chat_view_get_vadjustment (view);
  GtkWidget *row;
  const char *tooltip;

  gtk_window_set_default_size (GTK_WINDOW (window), 500, 400);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  ld_chat_view_set_model (view, model);
  gtk_window_present (GTK_WINDOW (window));

  append_messages (model, 0, 3);
  for (guint i = 0; i < 25; i++)
    add_presence (model, LD_PRESENCE_JOINED, i);
  append_messages (model, 3, 1);
  add_presence (model, LD_PRESENCE_LEFT, 7);
  ld_chat_model_flush (model);
  test_spin (100);

  g_assert_cmpuint (g_list_model_get_n_items (ld_chat_view_get_shown (view)), ==, 6);
  row = find_row_with_text (GTK_WIDGET (view), "Khách 0, Khách 1 and 23 others joined");
  g_assert_nonnull (row);
  tooltip = gtk_widget_get_tooltip_text (gtk_widget_get_first_child (gtk_widget_get_first_child (row)));
  g_assert_nonnull (tooltip);
  g_assert_true (strstr (tooltip, "Khách 24") != NULL);
  g_assert_nonnull (find_row_with_text (GTK_WIDGET (view), "Khách 7 left"));
  g_assert_nonnull (find_row_with_text (GTK_WIDGET (view), "Tin nhắn số 3"));

  /* A search shows messages only. */
  ld_chat_view_set_search (view, "tin nhắn");
  g_assert_cmpuint (g_list_model_get_n_items (ld_chat_view_get_shown (view)), ==, 4);
  ld_chat_view_set_search (view, NULL);

  /* Enough history to scroll, then up: joins are no new messages. */
  append_messages (model, 4, 200);
  g_assert_true (ld_test_wait_for (at_bottom, adj, WAIT_MS));
  gtk_adjustment_set_value (adj, 0);
  g_assert_false (ld_chat_view_get_sticky (view));
  add_presence (model, LD_PRESENCE_JOINED, 500);
  ld_chat_model_flush (model);
  g_assert_cmpuint (ld_chat_view_get_unseen (view), ==, 0);
  append_messages (model, 204, 2);
  g_assert_cmpuint (ld_chat_view_get_unseen (view), ==, 2);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static void
on_send_counted (guint *sends)
{
  (*sends)++;
}

static gboolean
sanction_text_changed (gpointer data)
{
  gpointer *texts = data;

  return g_strcmp0 (ld_composer_get_sanction_text (LD_COMPOSER (texts[0])), texts[1]) != 0;
}

/* The composer on its own: a timeout greys it out with a live countdown and
 * the reason, keeps the text, and ends by itself; a ban says so; lifting it
 * gives the text back to edit and send. */
static void
test_composer_sanction (void)
{
  GtkWidget *window = g_object_ref_sink (gtk_window_new ());
  LdComposer *composer = LD_COMPOSER (ld_composer_new ());
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) until = g_date_time_add_seconds (now, 2.5);
  g_autofree char *first = NULL;
  gpointer texts[2];
  guint sends = 0;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (composer));
  gtk_window_present (GTK_WINDOW (window));
  g_signal_connect_swapped (composer, "send", G_CALLBACK (on_send_counted), &sends);
  ld_composer_set_text (composer, "chưa gửi");
  g_assert_true (ld_composer_get_writable (composer));

  ld_composer_set_sanction (composer, LD_SANCTION_TIMED_OUT, until, "Mia timed you out until 12:00: “spam”");
  g_assert_false (ld_composer_get_writable (composer));
  first = g_strdup (ld_composer_get_sanction_text (composer));
  g_assert_true (g_str_equal (first, "You can write again in 0:03") || g_str_equal (first, "You can write again in 0:02"));
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  g_assert_cmpuint (sends, ==, 0);
  g_assert_cmpstr (ld_composer_get_text (composer), ==, "chưa gửi");

  /* It counts down, then lifts by itself. */
  texts[0] = composer;
  texts[1] = first;
  g_assert_true (ld_test_wait_for (sanction_text_changed, texts, WAIT_MS));
  g_assert_true (ld_test_wait_for (composer_writable, composer, WAIT_MS));
  g_assert_null (ld_composer_get_sanction_text (composer));
  g_assert_cmpstr (ld_composer_get_text (composer), ==, "chưa gửi");

  ld_composer_set_sanction (composer, LD_SANCTION_BANNED, NULL, NULL);
  g_assert_cmpstr (ld_composer_get_sanction_text (composer), ==, "You are banned from this room");
  g_assert_false (ld_composer_get_writable (composer));
  ld_composer_set_sanction (composer, LD_SANCTION_NONE, NULL, NULL);
  g_assert_true (ld_composer_get_writable (composer));
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  g_assert_cmpuint (sends, ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* The emoji button opens a chooser whose pick lands at the cursor; the
 * chooser (thousands of widgets, the colour emoji font) is only made when
 * the button is first opened, not with every composer. */
static void
test_composer_emoji (void)
{
  GtkWidget *window = g_object_ref_sink (gtk_window_new ());
  LdComposer *composer = LD_COMPOSER (ld_composer_new ());
  GtkMenuButton *button;
  GtkPopover *chooser;

  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (composer));
  gtk_window_present (GTK_WINDOW (window));
  button = GTK_MENU_BUTTON (ld_test_find_widget (GTK_WIDGET (composer), GTK_TYPE_MENU_BUTTON));
  g_assert_nonnull (button);
  g_assert_null (ld_test_find_widget (GTK_WIDGET (composer), GTK_TYPE_EMOJI_CHOOSER));
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (button)));

  gtk_menu_button_popup (button);
  chooser = gtk_menu_button_get_popover (button);
  g_assert_true (GTK_IS_EMOJI_CHOOSER (chooser));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (chooser)));
  g_signal_emit_by_name (chooser, "emoji-picked", "😀");
  g_signal_emit_by_name (chooser, "emoji-picked", "👍");
  g_assert_cmpstr (ld_composer_get_text (composer), ==, "😀👍");

  /* Opened again, the same chooser. */
  gtk_menu_button_popdown (button);
  gtk_menu_button_popup (button);
  g_assert_true (gtk_menu_button_get_popover (button) == chooser);
  gtk_menu_button_popdown (button);

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

/* A message with a highlighted word (any case) stands out; others do not. */
static void
test_highlight_words (void)
{
  const char *words[] = { " giveaway ", "", NULL };
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(LdMessage) hit = NULL;
  g_autoptr(LdMessage) miss = NULL;
  GtkWidget *row = g_object_ref_sink (ld_chat_row_new ());

  json_object_set_string_member (object, "messageId", "m1");
  json_object_set_string_member (object, "roomId", "room_1");
  json_object_set_string_member (object, "userId", "u1");
  json_object_set_string_member (object, "message", "Có GIVEAWAY không?");
  hit = ld_message_new_from_json (object, NULL);
  json_object_set_string_member (object, "messageId", "m2");
  json_object_set_string_member (object, "message", "Xin chào");
  miss = ld_message_new_from_json (object, NULL);

  ld_chat_row_set_highlight_words (LD_CHAT_ROW (row), words);
  ld_chat_row_set_message (LD_CHAT_ROW (row), hit);
  g_assert_true (ld_chat_row_get_highlighted (LD_CHAT_ROW (row)));
  ld_chat_row_set_message (LD_CHAT_ROW (row), miss);
  g_assert_false (ld_chat_row_get_highlighted (LD_CHAT_ROW (row)));
  ld_chat_row_set_message (LD_CHAT_ROW (row), NULL);
  g_object_unref (row);
}

typedef struct
{
  LdChatModel *model;
  LdMessage   *found;
} OtherWait;

static gboolean
has_other_message (gpointer data)
{
  OtherWait *wait = data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (wait->model));

  for (guint i = n; i > 0 && wait->found == NULL; i--)
    {
      g_autoptr(LdMessage) message = g_list_model_get_item (G_LIST_MODEL (wait->model), i - 1);

      if (!ld_message_get_is_own (message) && ld_message_get_state (message) == LD_MESSAGE_STATE_SENT &&
          ld_message_get_role (message) == LD_ROLE_VIEWER)
        wait->found = g_object_ref (message);
    }
  return wait->found != NULL;
}

/* Deleting a viewer's message from its menu reaches the gateway, which tells
 * the room: the row turns deleted, naming who deleted it. */
static void
test_moderation_delete (Fixture       *fixture,
                        gconstpointer  user_data)
{
  LdChatView *view = ld_window_get_chat_view (fixture->window);
  OtherWait other = { ld_room_get_chat (ld_test_room (fixture->session)), NULL };
  StateWait wait = { NULL, LD_MESSAGE_STATE_DELETED };

  g_assert_true (ld_chat_view_get_can_moderate (view));
  g_assert_true (ld_test_wait_for (has_other_message, &other, WAIT_MS));

  ld_chat_view_set_context_message (view, other.found);
  gtk_widget_activate_action (GTK_WIDGET (view), "chat.delete", NULL);
  wait.message = other.found;
  g_assert_true (ld_test_wait_for (message_in_state, &wait, WAIT_MS));
  g_assert_nonnull (ld_message_get_deleted_by (other.found));
  g_clear_object (&other.found);
}

typedef struct
{
  GError    *error;
  gboolean   done;
} Other;

static void
on_moderated_other (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Other *other = user_data;

  ld_room_moderate_finish (LD_ROOM (object), result, &other->error);
  other->done = TRUE;
}

static gboolean
other_done (gpointer data)
{
  return ((Other *) data)->done;
}

typedef struct
{
  GListModel *model;
  const char *username;
  gboolean    present;
} ViewerWait;

static gboolean
viewer_presence (gpointer data)
{
  ViewerWait *wait = data;
  guint n = g_list_model_get_n_items (wait->model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LdViewer) viewer = g_list_model_get_item (wait->model, i);

      if (g_strcmp0 (ld_viewer_get_username (viewer), wait->username) == 0)
        return wait->present;
    }
  return !wait->present;
}

typedef struct
{
  GListModel     *shown;
  LdPresenceKind  kind;
  const char     *username;
} PresenceWait;

/* A join or leave line in the chat that names USERNAME. */
static gboolean
has_presence_line (gpointer data)
{
  PresenceWait *wait = data;
  guint n = g_list_model_get_n_items (wait->shown);

  for (guint i = n; i > 0; i--)
    {
      g_autoptr(GObject) item = g_list_model_get_item (wait->shown, i - 1);
      const char * const *names;

      if (!LD_IS_PRESENCE_LINE (item) || ld_presence_line_get_kind (LD_PRESENCE_LINE (item)) != wait->kind)
        continue;
      names = ld_presence_line_get_names (LD_PRESENCE_LINE (item));
      if (g_strv_contains (names, wait->username))
        return TRUE;
    }
  return FALSE;
}

/* The viewer list follows a real client joining and leaving, and the chat
 * says so in a line of its own. */
static void
test_viewers_follow (Fixture       *fixture,
                     gconstpointer  user_data)
{
  LdViewerList *list = ld_window_get_viewer_list (fixture->window);
  ViewerWait wait = { ld_viewer_list_get_shown (list), "Khách Thử", TRUE };
  g_autoptr(LdSession) viewer = ld_test_demo_join (fixture->demo, "guest42", "Khách Thử", "viewer");
  PresenceWait line = { ld_chat_view_get_shown (ld_window_get_chat_view (fixture->window)),
                        LD_PRESENCE_JOINED, "Khách Thử" };

  g_assert_true (ld_test_wait_for (viewer_presence, &wait, WAIT_MS));
  g_assert_true (ld_test_wait_for (has_presence_line, &line, WAIT_MS));
  ld_viewer_list_set_search (list, "khách");
  g_assert_cmpuint (g_list_model_get_n_items (wait.model), ==, 1);
  ld_viewer_list_set_search (list, NULL);

  ld_session_leave_room (viewer);
  wait.present = FALSE;
  g_assert_true (ld_test_wait_for (viewer_presence, &wait, WAIT_MS));
  line.kind = LD_PRESENCE_LEFT;
  g_assert_true (ld_test_wait_for (has_presence_line, &line, WAIT_MS));
  ld_session_disconnect (viewer);
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

  if (wait->found == NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (wait->model));

      for (guint i = n; i > 0 && wait->found == NULL; i--)
        {
          g_autoptr(LdMessage) message = g_list_model_get_item (G_LIST_MODEL (wait->model), i - 1);

          if (g_strcmp0 (ld_message_get_text (message), wait->text) == 0)
            wait->found = g_object_ref (message);
        }
    }
  return wait->found != NULL;
}

/* A viewer's message deleted from the moderator's menu is deleted on the
 * viewer's side too; a timeout from the menu makes the viewer's next message
 * fail with the server's reason. */
static void
test_moderation_reaches_viewer (Fixture       *fixture,
                                gconstpointer  user_data)
{
  LdChatView *view = ld_window_get_chat_view (fixture->window);
  g_autoptr(LdSession) viewer = ld_test_demo_join (fixture->demo, "guest43", "Khách Hai", "viewer");
  g_autoptr(GError) error = NULL;
  TextWait seen = { ld_room_get_chat (ld_test_room (fixture->session)), "xoá tin này đi nhé &amp;", NULL };
  StateWait deleted = { NULL, LD_MESSAGE_STATE_DELETED };
  StateWait failed = { NULL, LD_MESSAGE_STATE_FAILED };
  LdMessage *own;

  own = ld_room_send_text (ld_session_get_current_room (viewer), "xoá tin này đi nhé &amp;", &error);
  g_assert_no_error (error);
  g_assert_true (ld_test_wait_for (has_text, &seen, WAIT_MS));

  ld_chat_view_set_context_message (view, seen.found);
  gtk_widget_activate_action (GTK_WIDGET (view), "chat.delete", NULL);
  deleted.message = own;
  g_assert_true (ld_test_wait_for (message_in_state, &deleted, WAIT_MS));
  g_assert_cmpstr (ld_message_get_deleted_by (own), ==, "Mod Linh");

  gtk_widget_activate_action (GTK_WIDGET (view), "chat.timeout", "u", 60);
  /* The menu's request and the viewer's sends race: send until one fails. */
  failed.message = NULL;
  for (guint attempt = 0; attempt < 60 && failed.message == NULL; attempt++)
    {
      g_autofree char *text = g_strdup_printf ("still here %u", attempt);
      StateWait settled = { NULL, LD_MESSAGE_STATE_SENT };
      LdMessage *message;

      /* Past the one-a-second limit each time. */
      while (!(message = ld_room_send_text (ld_session_get_current_room (viewer), text, NULL)))
        g_main_context_iteration (NULL, TRUE);
      settled.message = message;
      failed.message = message;
      if (ld_test_wait_for (message_in_state, &failed, 5000))
        break;
      g_assert_true (ld_test_wait_for (message_in_state, &settled, WAIT_MS));
      failed.message = NULL;
    }
  g_assert_nonnull (failed.message);
  g_assert_nonnull (ld_message_get_failure_reason (failed.message));

  g_clear_object (&seen.found);
  ld_session_disconnect (viewer);
}

static GtkWidget *
find_status_page (GtkWidget  *widget,
                  const char *title)
{
  if (ADW_IS_STATUS_PAGE (widget) && g_strcmp0 (adw_status_page_get_title (ADW_STATUS_PAGE (widget)), title) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_status_page (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
out_of_room (gpointer data)
{
  return ld_test_room_id (data) == NULL;
}

/* Outside a room the chat says so, but Support and Notifications stay
 * reachable: a support admin need not be in any room. */
static void
test_outside_room (Fixture       *fixture,
                   gconstpointer  user_data)
{
  GtkWidget *window = GTK_WIDGET (fixture->window);
  GtkWidget *no_room;
  GtkWidget *support;

  ld_session_leave_room (fixture->session);
  g_assert_true (ld_test_wait_for (out_of_room, fixture->session, WAIT_MS));
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_assert_true (gtk_widget_activate_action (window, "win.show-view", "s", "chat"));
  no_room = find_status_page (window, "No Room");
  g_assert_nonnull (no_room);
  g_assert_true (gtk_widget_get_mapped (no_room));
  /* The room's tab went with it. */
  g_assert_null (ld_window_get_chat_view (fixture->window));
  g_assert_cmpint (adw_tab_view_get_n_pages (ld_window_get_tab_view (fixture->window, FALSE)), ==, 0);

  g_assert_true (gtk_widget_activate_action (window, "win.show-view", "s", "support"));
  support = ld_test_find_widget (window, LD_TYPE_SUPPORT_VIEW);
  g_assert_nonnull (support);
  g_assert_true (gtk_widget_get_mapped (support));
}

/* An admin times us (a moderator) out: the composer greys out at once,
 * keeps what we had typed and counts down; a message that still reaches the
 * server (sent before we heard of the timeout, here straight through the
 * session) is refused and shows as failed with the reason. Once the admin
 * lifts the timeout the composer comes back by itself with the text, and
 * Retry sends the failed message. */
static void
test_failure_and_retry (Fixture       *fixture,
                        gconstpointer  user_data)
{
  LdChatView *view = ld_window_get_chat_view (fixture->window);
  LdComposer *composer = ld_chat_view_get_composer (view);
  LdChatModel *model = ld_room_get_chat (ld_test_room (fixture->session));
  g_autoptr(LdSession) admin = ld_test_demo_join (fixture->demo, "admin9", "Quản trị", "admin");
  g_autoptr(GError) error = NULL;
  StateWait failed = { NULL, LD_MESSAGE_STATE_FAILED };
  StateWait sent = { NULL, LD_MESSAGE_STATE_SENT };
  Other done = { 0 };

  ld_composer_set_text (composer, "đang gõ dở");
  ld_room_moderate_async (ld_session_get_room (admin, LD_DEMO_ROOM_ID), LD_MODERATION_TIMEOUT,
                          ld_session_get_user_id (fixture->session), 600, "test", NULL, on_moderated_other, &done);
  g_assert_true (ld_test_wait_for (other_done, &done, WAIT_MS));
  g_assert_no_error (done.error);

  g_assert_true (ld_test_wait_for (composer_sanctioned, composer, WAIT_MS));
  g_assert_false (ld_composer_get_writable (composer));
  g_assert_cmpstr (ld_composer_get_text (composer), ==, "đang gõ dở");
  g_assert_true (g_str_has_prefix (ld_composer_get_sanction_text (composer), "You can write again in 10:00") ||
                 g_str_has_prefix (ld_composer_get_sanction_text (composer), "You can write again in 9:5"));
  /* Enter does nothing while greyed out: the text stays, nothing is queued. */
  gtk_widget_activate_action (GTK_WIDGET (composer), "composer.send", NULL);
  g_assert_cmpstr (ld_composer_get_text (composer), ==, "đang gõ dở");
  g_assert_cmpuint (ld_outbox_get_length (ld_session_get_outbox (fixture->session)), ==, 0);

  failed.message = ld_room_send_text (ld_session_get_current_room (fixture->session), "bị chặn rồi", &error);
  g_assert_no_error (error);
  g_assert_nonnull (failed.message);
  ld_chat_model_flush (model);
  g_assert_true (ld_test_wait_for (message_in_state, &failed, WAIT_MS));
  g_assert_nonnull (ld_message_get_failure_reason (failed.message));

  done.done = FALSE;
  ld_room_moderate_async (ld_session_get_room (admin, LD_DEMO_ROOM_ID), LD_MODERATION_UNBAN, ld_session_get_user_id (fixture->session),
                             0, NULL, NULL, on_moderated_other, &done);
  g_assert_true (ld_test_wait_for (other_done, &done, WAIT_MS));
  g_assert_no_error (done.error);
  g_assert_true (ld_test_wait_for (composer_writable, composer, WAIT_MS));
  g_assert_null (ld_composer_get_sanction_text (composer));
  g_assert_cmpstr (ld_composer_get_text (composer), ==, "đang gõ dở");

  gtk_widget_activate_action (GTK_WIDGET (view), "chat.retry", "s", ld_message_get_local_id (failed.message));
  sent.message = failed.message;
  g_assert_true (ld_test_wait_for (message_in_state, &sent, WAIT_MS));
  ld_session_disconnect (admin);
}

typedef struct
{
  GtkWidget  *widget;
  const char *prefix;
} RowWait;

static gboolean
row_shown (gpointer data)
{
  RowWait *wait = data;

  return find_row_with_text (wait->widget, wait->prefix) != NULL;
}

static gboolean
composer_banned (gpointer data)
{
  return ld_composer_get_sanction (data) == LD_SANCTION_BANNED;
}

/* Banned, the user still reads the chat as it was, their last message at
 * the bottom, with the composer saying they are banned; nothing new comes. */
static void
test_banned_keeps_chat (Fixture       *fixture,
                        gconstpointer  user_data)
{
  LdChatView *view = ld_window_get_chat_view (fixture->window);
  LdComposer *composer = ld_chat_view_get_composer (view);
  g_autoptr(LdSession) admin = ld_test_demo_join (fixture->demo, "admin9", "Quản trị", "admin");
  g_autoptr(GError) error = NULL;
  StateWait sent = { NULL, LD_MESSAGE_STATE_SENT };
  RowWait row = { GTK_WIDGET (view), "Trước lệnh cấm" };
  Other done = { 0 };
  guint shown;

  g_assert_true (ld_test_wait_for (chat_has_three, fixture->window, WAIT_MS));
  sent.message = ld_room_send_text (ld_session_get_current_room (fixture->session), "Trước lệnh cấm", &error);
  g_assert_no_error (error);
  g_assert_true (ld_test_wait_for (message_in_state, &sent, WAIT_MS));
  g_assert_true (ld_test_wait_for (row_shown, &row, WAIT_MS));

  ld_room_moderate_async (ld_session_get_room (admin, LD_DEMO_ROOM_ID), LD_MODERATION_BAN,
                          ld_session_get_user_id (fixture->session), 0, "test", NULL, on_moderated_other, &done);
  g_assert_true (ld_test_wait_for (other_done, &done, WAIT_MS));
  g_assert_no_error (done.error);
  g_assert_true (ld_test_wait_for (composer_banned, composer, WAIT_MS));
  g_assert_cmpstr (ld_composer_get_sanction_text (composer), ==, "You are banned from this room");
  g_assert_false (ld_composer_get_writable (composer));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (view)));
  ld_test_save_widget (GTK_WIDGET (fixture->window), "/tmp/banned.png");

  /* Let the next batch (and the audience's next lines) have their chance. */
  ld_chat_model_flush (ld_room_get_chat (ld_test_room (fixture->session)));
  shown = g_list_model_get_n_items (ld_chat_view_get_shown (view));
  g_assert_cmpuint (shown, >=, 4);
  test_spin (2 * LD_CHAT_MODEL_FLUSH_INTERVAL_MS + 500);
  g_assert_true (row_shown (&row));
  g_assert_cmpuint (g_list_model_get_n_items (ld_chat_view_get_shown (view)), ==, shown);
  ld_session_disconnect (admin);
}

static GtkWidget *
find_user_card (GtkWidget *parent)
{
  for (GtkWidget *child = gtk_widget_get_first_child (parent); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (LD_IS_USER_CARD (child))
      return child;
  return NULL;
}

static gboolean
user_hidden (gpointer data)
{
  TextWait *wait = data;
  GListModel *shown = G_LIST_MODEL (wait->model);

  for (guint i = 0; i < g_list_model_get_n_items (shown); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (shown, i);

      /* The shown list has who joined and left too. */
      if (LD_IS_MESSAGE (item) && g_strcmp0 (ld_message_get_user_id (LD_MESSAGE (item)), wait->text) == 0)
        return FALSE;
    }
  return TRUE;
}

/* The message menu's "View User" opens a card with that user's recent
 * messages; "Hide Their Messages" removes them from this view only. */
static void
test_user_card_and_hide (Fixture       *fixture,
                         gconstpointer  user_data)
{
  LdChatView *view = ld_window_get_chat_view (fixture->window);
  OtherWait other = { ld_room_get_chat (ld_test_room (fixture->session)), NULL };
  TextWait hidden = { (LdChatModel *) ld_chat_view_get_shown (view), NULL, NULL };
  GtkWidget *card;

  g_assert_true (ld_test_wait_for (has_other_message, &other, WAIT_MS));
  ld_chat_view_set_context_message (view, other.found);
  gtk_widget_activate_action (GTK_WIDGET (view), "chat.user-card", NULL);
  card = find_user_card (GTK_WIDGET (view));
  g_assert_nonnull (card);
  g_assert_cmpuint (ld_user_card_get_n_recent (LD_USER_CARD (card)), >=, 1);

  gtk_widget_activate_action (card, "win.toggle-hidden-user", "s", ld_message_get_user_id (other.found));
  hidden.text = ld_message_get_user_id (other.found);
  g_assert_true (ld_chat_view_is_user_hidden (view, hidden.text));
  g_assert_true (user_hidden (&hidden));
  gtk_popover_popdown (GTK_POPOVER (card));

  ld_chat_view_set_user_hidden (view, hidden.text, FALSE);
  g_assert_false (user_hidden (&hidden));
  g_clear_object (&other.found);
}

/* Ctrl+F's search narrows the chat to matching messages and back. */
static void
test_search (Fixture       *fixture,
             gconstpointer  user_data)
{
  LdChatView *view = ld_window_get_chat_view (fixture->window);
  GListModel *shown = ld_chat_view_get_shown (view);
  guint all;

  g_assert_true (ld_test_wait_for (chat_has_three, fixture->window, WAIT_MS));
  all = g_list_model_get_n_items (shown);
  ld_chat_view_set_search (view, "no message says this 0xdeadbeef");
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 0);
  ld_chat_view_set_search (view, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (shown), >=, all);
}

/* Preferences change the settings, and the window follows them without a
 * warning (G_DEBUG=fatal-warnings); both windows go away cleanly. */
static void
test_preferences (void)
{
  g_autoptr(LdSettings) settings = ld_settings_new ();
  LdWindow *window = g_object_ref_sink (ld_window_new (NULL, settings));
  LdPreferencesWindow *prefs = g_object_ref_sink (ld_preferences_window_new (GTK_WINDOW (window), settings));

  gtk_window_present (GTK_WINDOW (window));
  gtk_window_present (GTK_WINDOW (prefs));
  g_object_set (settings, "clock-format", "12h", "font-scale", 1.5, "history-size", 500u,
                "highlight-words", (const char * const []) { "giveaway", NULL }, NULL);
  {
    g_auto(GStrv) stored = g_settings_get_strv (ld_settings_get_settings (settings), "highlight-words");

    g_assert_cmpstr (stored[0], ==, "giveaway");
  }
  g_assert_true (ld_settings_get_clock_12h (settings));
  g_assert_cmpuint (ld_settings_get_history_size (settings), ==, 500);
  g_assert_cmpuint (g_settings_get_uint (ld_settings_get_settings (settings), "history-size"), ==, 500);
  g_assert_cmpstr (ld_window_get_connection_text (window), ==, "Signed out");

  while (g_main_context_iteration (NULL, FALSE))
    ;
  gtk_window_destroy (GTK_WINDOW (prefs));
  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (prefs);
  g_assert_finalize_object (window);
  g_settings_reset (ld_settings_get_settings (settings), "clock-format");
  g_settings_reset (ld_settings_get_settings (settings), "font-scale");
  g_settings_reset (ld_settings_get_settings (settings), "history-size");
  g_settings_reset (ld_settings_get_settings (settings), "highlight-words");
}

typedef struct
{
  GError  *error;
  gboolean done;
} Thumb;

static void
on_thumbnail (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  Thumb *thumb = user_data;
  g_autoptr(GdkPaintable) paintable = ld_thumbnails_load_finish (LD_THUMBNAILS (object), result, &thumb->error);

  g_assert_null (paintable);
  thumb->done = TRUE;
}

static gboolean
thumb_done (gpointer data)
{
  return ((Thumb *) data)->done;
}

/* Images are fetched only from the allowed hosts, and only over https. */
static void
test_thumbnail_hosts (void)
{
  const char *refused[] = {
    "http://i.imgur.com/abc.png",
    "https://evil.example/abc.png",
    "https://imgur.com.evil.example/abc.png",
    "file:///etc/passwd",
  };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      Thumb thumb = { 0 };

      ld_thumbnails_load_async (ld_thumbnails_get_default (), refused[i], NULL, on_thumbnail, &thumb);
      g_assert_true (ld_test_wait_for (thumb_done, &thumb, WAIT_MS));
      g_assert_error (thumb.error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
      g_clear_error (&thumb.error);
    }
}

/* The demo finds the gateway from its first line, in either form. */
static void
test_demo_listening_line (void)
{
  g_autofree char *a = ld_demo_parse_listening ("listening 4001");
  g_autofree char *b = ld_demo_parse_listening ("livedesk-gateway: listening on http://127.0.0.1:35197/ (Socket.IO at /socket/)");
  g_autofree char *c = ld_demo_parse_listening ("listening soon");
  g_autofree char *d = ld_demo_parse_listening ("listening 70000");

  g_assert_cmpstr (a, ==, "http://127.0.0.1:4001");
  g_assert_cmpstr (b, ==, "http://127.0.0.1:35197");
  g_assert_null (c);
  g_assert_null (d);
}


static gboolean
session_online (gpointer data)
{
  return ld_session_get_state (data) == LD_SESSION_STATE_ONLINE;
}

static gboolean
session_reconnecting (gpointer data)
{
  return ld_session_get_state (data) == LD_SESSION_STATE_RECONNECTING;
}

static gboolean
in_current_room (gpointer data)
{
  LdRoom *room = ld_session_get_current_room (data);

  return room != NULL && ld_room_get_joined (room);
}

/* Against the official socket.io server: the window shows the room it
 * joined last (its chat in the view, the one before still open in its
 * tab); when the
 * connection is lost and the next attempt is far off, "Reconnect now"
 * brings the session back at once, in its room. */
static void
test_reconnect_now_and_rooms (void)
{
  g_autoptr(TestPeer) peer = test_peer_start ("session-peer.mjs", NULL);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", test_peer_get_port (peer));
  g_autofree char *token = ld_test_unsigned_jwt ("alice", NULL);
  g_autoptr(LdTokens) tokens = ld_tokens_new (token, NULL, 0);
  g_autoptr(LdSession) session = ld_session_new (url, url);
  g_autoptr(JsonObject) outage = NULL;
  g_autoptr(JsonObject) back = NULL;
  LdWindow *window = g_object_ref_sink (ld_window_new (NULL, NULL));
  GtkWidget *widget = GTK_WIDGET (window);
  LdRoom *first;

  ld_session_set_tokens (session, tokens);
  ld_window_set_session (window, session);
  gtk_window_present (GTK_WINDOW (window));
  ld_session_connect (session);
  g_assert_true (ld_test_wait_for (session_online, session, WAIT_MS));

  ld_window_join_room (window, "room_w1");
  g_assert_true (ld_test_wait_for (in_current_room, session, WAIT_MS));
  first = ld_session_get_current_room (session);
  g_assert_true (ld_chat_view_get_model (ld_window_get_chat_view (window)) == ld_room_get_chat (first));

  /* Rooms add up: the next one opens in a tab beside the first. */
  ld_window_join_room (window, "room_w2");
  g_assert_true (ld_test_wait_for (in_current_room, session, WAIT_MS));
  g_assert_cmpstr (ld_room_get_id (ld_session_get_current_room (session)), ==, "room_w2");
  g_assert_true (ld_session_get_room (session, "room_w1") == first);
  g_assert_cmpint (adw_tab_view_get_n_pages (ld_window_get_tab_view (window, FALSE)), ==, 2);
  g_assert_true (ld_chat_view_get_model (ld_window_get_chat_view (window)) ==
                 ld_room_get_chat (ld_session_get_current_room (session)));

  /* The next attempt a minute or more away. */
  _ld_session_set_backoff (session, 120000, 120000, 120000, 120000);
  test_peer_send (peer, "{\"cmd\":\"outage\"}");
  outage = test_peer_expect (peer, "outage", WAIT_MS);
  g_assert_true (ld_test_wait_for (session_reconnecting, session, WAIT_MS));
  test_peer_send (peer, "{\"cmd\":\"back\"}");
  back = test_peer_expect (peer, "back", WAIT_MS);

  g_assert_true (gtk_widget_activate_action (widget, "win.reconnect", NULL));
  g_assert_true (ld_test_wait_for (session_online, session, WAIT_MS));
  g_assert_true (ld_test_wait_for (in_current_room, session, WAIT_MS));
  g_assert_cmpstr (ld_test_room_id (session), ==, "room_w2");

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

#define LONG_TITLE "Đêm nhạc acoustic cuối tuần của Nguyễn Thị Thu Hương và những người bạn từ Hà Nội, Huế, Sài Gòn"

static gboolean
room_titled (gpointer data)
{
  LdRoom *room = ld_session_get_current_room (data);

  return room != NULL && g_strcmp0 (ld_room_get_title (room), LONG_TITLE) == 0;
}

/* Every button and label of the header that is shown lies inside the
 * window, with some width: none is cut off or pushed out. Returns how many
 * buttons it checked. */
/* On a failure, which widgets ask for the width: the culprit is in there. */
static void
dump_min (GtkWidget *widget,
          int        depth)
{
  int min = 0, nat = 0;

  if (!gtk_widget_get_visible (widget) || depth > 12)
    return;
  gtk_widget_measure (widget, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  if (min >= 60)
    g_printerr ("%*s%s %s min %d nat %d\n", depth * 2, "", G_OBJECT_TYPE_NAME (widget),
                gtk_widget_get_css_name (widget), min, nat);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    dump_min (child, depth + 1);
}

static guint
assert_inside (GtkWidget *widget,
               GtkWidget *window,
               int        width)
{
  guint buttons = 0;

  /* A squeezer's other children are there, not shown. */
  if (!gtk_widget_get_mapped (widget) || !gtk_widget_get_child_visible (widget))
    return 0;
  if (GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_LABEL (widget))
    {
      graphene_rect_t bounds;

      g_assert_true (gtk_widget_compute_bounds (widget, window, &bounds));
      if (bounds.origin.x < -0.5 || bounds.origin.x + bounds.size.width > width + 0.5 || bounds.size.width < 1)
        g_error ("At %d px, a %s (%s) lies at %.0f–%.0f", width, G_OBJECT_TYPE_NAME (widget),
                 GTK_IS_LABEL (widget) ? gtk_label_get_text (GTK_LABEL (widget)) : "",
                 bounds.origin.x, bounds.origin.x + bounds.size.width);
      buttons += GTK_IS_LABEL (widget) ? 0 : 1;
      if (GTK_IS_LABEL (widget))
        g_test_message ("%d px: label “%s” at %.0f–%.0f", width, gtk_label_get_text (GTK_LABEL (widget)),
                        bounds.origin.x, bounds.origin.x + bounds.size.width);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    buttons += assert_inside (child, window, width);
  return buttons;
}

/* The window's own buttons (close, at least) are in the header, shown. */
static gboolean
window_buttons_shown (GtkWidget *widget)
{
  if (GTK_IS_WINDOW_CONTROLS (widget))
    return gtk_widget_get_mapped (widget) && !gtk_window_controls_get_empty (GTK_WINDOW_CONTROLS (widget)) &&
           gtk_widget_get_width (widget) > 0;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (window_buttons_shown (child))
      return TRUE;
  return FALSE;
}

typedef struct
{
  GtkWidget *window;
  int        width;
  guint      frames;
} SizeWait;

static gboolean
count_frame (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       data)
{
  SizeWait *wait = data;

  gtk_widget_queue_draw (widget);
  return ++wait->frames < 6 ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean
squeezing (GtkWidget *widget)
{
  if (ADW_IS_SQUEEZER (widget) && adw_squeezer_get_transition_running (ADW_SQUEEZER (widget)))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    if (squeezing (child))
      return TRUE;
  return FALSE;
}

static gboolean
frames_drawn (gpointer data)
{
  SizeWait *wait = data;

  return wait->frames >= 6 && !squeezing (wait->window);
}

static gboolean
window_laid_out (gpointer data)
{
  SizeWait *wait = data;

  return gtk_widget_get_mapped (wait->window) && gtk_widget_get_width (wait->window) > 0;
}

/* At 360, 600, 900 and 1400 px, with a long Vietnamese room title, the
 * header fits: the window keeps the width asked for, every header button
 * (the menu, the window's close button) and label is inside it, the title
 * ellipsizes, the connection's state is in whole words or an icon, and the
 * views can always be switched (in the header when
 * wide, in the bottom bar when not). */
static void
test_fits_any_width (void)
{
  static const int widths[] = { 360, 600, 900, 1400 };
  g_autoptr(TestPeer) peer = test_peer_start ("session-peer.mjs", NULL);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", test_peer_get_port (peer));
  g_autofree char *token = ld_test_unsigned_jwt ("alice", NULL);
  g_autoptr(LdTokens) tokens = ld_tokens_new (token, NULL, 0);
  g_autoptr(LdSession) session = ld_session_new (url, url);
  g_autofree char *update = g_strdup_printf ("{\"cmd\":\"emit\",\"name\":\"roomUpdate\",\"payload\":"
                                             "{\"roomId\":\"room_wide\",\"title\":\"%s\",\"status\":\"live\","
                                             "\"viewerCount\":12345}}", LONG_TITLE);

  ld_session_set_tokens (session, tokens);
  ld_session_connect (session);
  g_assert_true (ld_test_wait_for (session_online, session, WAIT_MS));

  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      LdWindow *window = g_object_ref_sink (ld_window_new (NULL, NULL));
      GtkWidget *header;
      AdwViewSwitcherTitle *switcher;
      AdwViewSwitcherBar *bar;
      SizeWait wait = { GTK_WIDGET (window), widths[i], 0 };
      GdkSurface *surface;
      guint buttons;
      GtkWidget *state;
      int natural;

      gtk_window_set_default_size (GTK_WINDOW (window), widths[i], 600);
      ld_window_set_session (window, session);
      if (i == 0)
        {
          ld_window_join_room (window, "room_wide");
          g_assert_true (ld_test_wait_for (in_current_room, session, WAIT_MS));
          test_peer_send (peer, "%s", update);
          g_assert_true (ld_test_wait_for (room_titled, session, WAIT_MS));
        }
      gtk_window_present (GTK_WINDOW (window));
      g_assert_true (ld_test_wait_for (window_laid_out, &wait, WAIT_MS));
      /* A few frames drawn, for the squeezers to settle. */
      wait.frames = 0;
      gtk_widget_add_tick_callback (GTK_WIDGET (window), count_frame, &wait, NULL);
      g_assert_true (ld_test_wait_for (frames_drawn, &wait, WAIT_MS));

      /* The window kept the width asked for: nothing in it asked for more. */
      surface = gtk_native_get_surface (GTK_NATIVE (window));
      if (gdk_surface_get_width (surface) != widths[i])
        dump_min (GTK_WIDGET (window), 0);
      g_assert_cmpint (gdk_surface_get_width (surface), ==, widths[i]);
      header = ld_test_find_widget (GTK_WIDGET (window), ADW_TYPE_HEADER_BAR);
      g_assert_nonnull (header);
      buttons = assert_inside (header, GTK_WIDGET (window), gtk_widget_get_width (GTK_WIDGET (window)));
      /* At least the main menu and the close button. */
      g_assert_cmpuint (buttons, >=, 2);
      g_assert_true (window_buttons_shown (header));
      g_assert_true (gtk_widget_get_mapped (ld_test_find_widget (header, GTK_TYPE_MENU_BUTTON)));
      g_assert_cmpstr (ld_window_get_viewer_count_text (window), ==, "12345");
      /* The connection's state in whole words, or its icon alone: never
       * words cut to "…". */
      state = ld_test_find_label (header, "Online");
      g_assert_nonnull (state);
      if (gtk_widget_get_mapped (state))
        {
          gtk_widget_measure (state, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
          g_assert_cmpint (gtk_widget_get_width (state), >=, natural);
        }
      if (widths[i] >= 1400)
        g_assert_true (gtk_widget_get_mapped (state));

      switcher = ADW_VIEW_SWITCHER_TITLE (ld_test_find_widget (header, ADW_TYPE_VIEW_SWITCHER_TITLE));
      bar = ADW_VIEW_SWITCHER_BAR (ld_test_find_widget (GTK_WIDGET (window), ADW_TYPE_VIEW_SWITCHER_BAR));
      g_assert_cmpstr (adw_view_switcher_title_get_title (switcher), ==, LONG_TITLE);
      /* Live: said in the room's tab at any width. */
      g_assert_nonnull (adw_tab_page_get_icon (ld_window_get_room_tab (window, "room_wide")));
      /* The views are reachable at every width: in the header or below. */
      g_assert_true (adw_view_switcher_title_get_title_visible (switcher) == adw_view_switcher_bar_get_reveal (bar));
      if (widths[i] <= 600)
        g_assert_true (adw_view_switcher_bar_get_reveal (bar));
      if (widths[i] >= 1400)
        g_assert_false (adw_view_switcher_bar_get_reveal (bar));
      g_test_message ("%d px: %u header buttons inside, switcher %s", widths[i], buttons,
                      adw_view_switcher_bar_get_reveal (bar) ? "at the bottom" : "in the header");

      gtk_window_destroy (GTK_WINDOW (window));
      g_assert_finalize_object (window);
    }
}

int
main (int    argc,
      char **argv)
{
  ld_test_ui_init (&argc, &argv);

  g_test_add_func ("/ui/chat-row/markup-literal", test_markup_literal);
  g_test_add_func ("/ui/preferences", test_preferences);
  g_test_add_func ("/ui/chat-row/highlight-words", test_highlight_words);
  g_test_add_func ("/ui/chat-view/sticky-scroll", test_sticky_scroll);
  g_test_add_func ("/ui/chat-view/frame-flush", test_frame_flush);
  g_test_add_func ("/ui/chat-view/sticky-after-wrap", test_sticky_after_wrap);
  g_test_add_func ("/ui/chat-view/sticky-burst-full", test_sticky_burst_full);
  g_test_add_func ("/ui/chat-view/scrolled-up-stays-put", test_scrolled_up_stays_put);
  g_test_add_func ("/ui/composer/sanction", test_composer_sanction);
  g_test_add_func ("/ui/composer/emoji", test_composer_emoji);
  g_test_add_func ("/ui/chat-view/presence-rows", test_presence_rows);
  g_test_add_func ("/ui/demo/listening-line", test_demo_listening_line);
  g_test_add_func ("/ui/thumbnails/hosts", test_thumbnail_hosts);
  g_test_add_func ("/ui/window/reconnect-now-and-rooms", test_reconnect_now_and_rooms);
  g_test_add_func ("/ui/window/fits-any-width", test_fits_any_width);
  g_test_add ("/ui/window/demo-traffic", Fixture, NULL, fixture_set_up, test_demo_traffic, fixture_tear_down);
  g_test_add ("/ui/window/send-and-rate-limit", Fixture, NULL, fixture_set_up, test_send_and_rate_limit,
              fixture_tear_down);
  g_test_add ("/ui/window/moderation-delete", Fixture, NULL, fixture_set_up, test_moderation_delete,
              fixture_tear_down);
  g_test_add ("/ui/window/search", Fixture, NULL, fixture_set_up, test_search, fixture_tear_down);
  g_test_add ("/ui/window/outside-room", Fixture, NULL, fixture_set_up, test_outside_room, fixture_tear_down);
  g_test_add ("/ui/window/user-card-and-hide", Fixture, NULL, fixture_set_up, test_user_card_and_hide,
              fixture_tear_down);
  g_test_add ("/ui/window/viewers-follow", Fixture, NULL, fixture_set_up, test_viewers_follow, fixture_tear_down);
  g_test_add ("/ui/window/moderation-reaches-viewer", Fixture, NULL, fixture_set_up,
              test_moderation_reaches_viewer, fixture_tear_down);
  g_test_add ("/ui/window/failure-and-retry", Fixture, "moderator", fixture_set_up, test_failure_and_retry,
              fixture_tear_down);
  g_test_add ("/ui/window/banned-keeps-chat", Fixture, "moderator", fixture_set_up, test_banned_keeps_chat,
              fixture_tear_down);

  return g_test_run ();
}
