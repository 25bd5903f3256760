/* test-ui-support.c: the Support view under Xvfb, a viewer's window and an
 * admin's window on their own sessions against a real livedesk-gateway: a
 * request typed by the viewer reaches the admin's console as an unread
 * ticket of its type, the admin's answer typed in the console reaches the
 * viewer, tickets resolve and reopen, and a refused send keeps its text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <glib/gstdio.h>

#include "ld-support-bubble.h"
#include "ld-support-conversation.h"
#include "ld-support-view.h"
#include "ld-test-gateway.h"
#include "ld-test-ui.h"
#include "ld-test-util.h"
#include "ld-ticket-replies.h"
#include "ld-ticket-row.h"
#include "test-peer.h"
#include "ld-window.h"

#define WAIT_MS 30000

#define WAIT_UNTIL(cond) LD_TEST_WAIT_UNTIL (cond, WAIT_MS)

typedef struct
{
  LdTestGateway *gateway;
  LdSession     *admin;
  LdSession     *user;
  GtkWindow     *admin_window;
  GtkWindow     *user_window;
  LdSupportView *admin_view;
  LdSupportView *user_view;
} Fixture;

static GtkWindow *
view_window (LdSupportView **view,
             LdSession      *session,
             int             width)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());

  *view = LD_SUPPORT_VIEW (ld_support_view_new ());
  ld_support_view_set_session (*view, session);
  gtk_window_set_child (window, GTK_WIDGET (*view));
  gtk_window_set_default_size (window, width, 600);
  gtk_window_present (window);
  return g_object_ref (window);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  fixture->gateway = ld_test_gateway_start (g_getenv ("LIVEDESK_GATEWAY"));
  fixture->admin = ld_test_gateway_online_session (fixture->gateway, "ada", "admin", WAIT_MS);
  fixture->user = ld_test_gateway_online_session (fixture->gateway, "alice", "viewer", WAIT_MS);
  /* USER_DATA: how wide the admin's window is. */
  fixture->admin_window = view_window (&fixture->admin_view, fixture->admin,
                                       user_data != NULL ? GPOINTER_TO_INT (user_data) : 900);
  fixture->user_window = view_window (&fixture->user_view, fixture->user, 600);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  gtk_window_destroy (fixture->admin_window);
  gtk_window_destroy (fixture->user_window);
  ld_session_disconnect (fixture->admin);
  ld_session_disconnect (fixture->user);
  g_assert_finalize_object (fixture->admin_window);
  g_assert_finalize_object (fixture->user_window);
  g_assert_finalize_object (fixture->admin);
  g_assert_finalize_object (fixture->user);
  ld_test_gateway_free (fixture->gateway);
}

/* Types TEXT into CONVERSATION and presses Enter, as a user would. */
static void
type_and_send (LdSupportConversation *conversation,
               const char            *text)
{
  ld_support_conversation_set_text (conversation, text);
  g_signal_emit_by_name (gtk_widget_get_template_child (GTK_WIDGET (conversation), LD_TYPE_SUPPORT_CONVERSATION,
                                                        "entry"), "activate");
}

static guint
n_messages (LdSupportConversation *conversation)
{
  GListModel *messages = ld_support_conversation_get_messages (conversation);

  return messages != NULL ? g_list_model_get_n_items (messages) : 0;
}

static LdMessage *
message_at (LdSupportConversation *conversation,
            guint                  position)
{
  g_autoptr(LdMessage) message = g_list_model_get_item (ld_support_conversation_get_messages (conversation),
                                                        position);

  /* The ticket holds it. */
  return message;
}

static guint
n_rows (LdSupportView *view)
{
  GtkListBox *list = ld_support_view_get_ticket_list (view);
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list, n) != NULL)
    n++;
  return n;
}

static LdTicketRow *
row_at (LdSupportView *view,
        int            index)
{
  return LD_TICKET_ROW (gtk_list_box_get_row_at_index (ld_support_view_get_ticket_list (view), index));
}

static const char *
visible_page (GtkWidget  *widget,
              GType       type,
              const char *stack)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (gtk_widget_get_template_child (widget, type, stack)));
}

/* The whole round: the viewer asks about a payment, the admin sees it as an
 * unread payment ticket, opens it (read), answers, the viewer sees the answer;
 * the admin resolves it and it comes back when the viewer writes again. */
static void
test_flow (Fixture       *fixture,
           gconstpointer  user_data)
{
  LdSupportConversation *asking, *answering;
  LdTicketModel *admin_tickets = ld_support_get_tickets (ld_session_get_support (fixture->admin));
  LdTicket *ticket;
  LdMessage *answer;

  WAIT_UNTIL (ld_support_view_get_admin (fixture->admin_view));
  g_assert_false (ld_support_view_get_admin (fixture->user_view));
  /* Wide enough for the list beside the conversation, no back button. */
  g_assert_false (adw_leaflet_get_folded (ADW_LEAFLET (gtk_widget_get_template_child (GTK_WIDGET (fixture->admin_view),
                                                                                       LD_TYPE_SUPPORT_VIEW,
                                                                                       "leaflet"))));
  asking = ld_support_view_get_conversation (fixture->user_view);
  answering = ld_support_view_get_conversation (fixture->admin_view);

  /* Nothing yet: both sides say what the page is for. */
  g_assert_cmpstr (visible_page (GTK_WIDGET (asking), LD_TYPE_SUPPORT_CONVERSATION, "stack"), ==, "empty");
  g_assert_cmpstr (visible_page (GTK_WIDGET (fixture->admin_view), LD_TYPE_SUPPORT_VIEW, "list_stack"), ==, "empty");

  ld_support_view_set_support_type (fixture->user_view, "payment");
  type_and_send (asking, "Mình nạp xu nhưng chưa thấy vào tài khoản");
  g_assert_true (ld_support_conversation_get_sending (asking));
  WAIT_UNTIL (!ld_support_conversation_get_sending (asking));
  g_assert_null (ld_support_conversation_get_error (asking));
  g_assert_cmpstr (ld_support_conversation_get_text (asking), ==, "");
  g_assert_cmpuint (n_messages (asking), ==, 1);
  g_assert_cmpint (ld_message_get_state (message_at (asking, 0)), ==, LD_MESSAGE_STATE_SENT);
  g_assert_cmpstr (visible_page (GTK_WIDGET (asking), LD_TYPE_SUPPORT_CONVERSATION, "stack"), ==, "messages");

  /* The admin's console lists it, with its type, unread. */
  WAIT_UNTIL (n_rows (fixture->admin_view) == 1);
  g_assert_cmpstr (visible_page (GTK_WIDGET (fixture->admin_view), LD_TYPE_SUPPORT_VIEW, "list_stack"), ==, "list");
  g_assert_cmpstr (ld_ticket_get_username (ld_ticket_row_get_ticket (row_at (fixture->admin_view, 0))), ==, "alice");
  g_assert_cmpstr (ld_ticket_row_get_type_text (row_at (fixture->admin_view, 0)), ==, "Payments and coins");
  g_assert_true (ld_ticket_row_get_unread (row_at (fixture->admin_view, 0)));
  g_assert_cmpuint (ld_ticket_model_get_n_unread (admin_tickets), ==, 1);
  g_assert_null (ld_support_view_get_current_ticket (fixture->admin_view));

  /* Opening it shows the conversation and clears the mark. */
  gtk_widget_activate (GTK_WIDGET (row_at (fixture->admin_view, 0)));
  ticket = ld_support_view_get_current_ticket (fixture->admin_view);
  g_assert_nonnull (ticket);
  g_assert_cmpstr (ld_ticket_get_user_id (ticket), ==, "alice");
  g_assert_false (ld_ticket_row_get_unread (row_at (fixture->admin_view, 0)));
  g_assert_cmpuint (ld_ticket_model_get_n_unread (admin_tickets), ==, 0);
  g_assert_cmpuint (n_messages (answering), ==, 1);
  g_assert_cmpstr (ld_message_get_text (message_at (answering, 0)), ==, "Mình nạp xu nhưng chưa thấy vào tài khoản");
  g_assert_true (gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (row_at (fixture->admin_view, 0))));

  /* The answer goes out from the console… */
  type_and_send (answering, "Bọn mình đang kiểm tra, bạn chờ chút nhé");
  WAIT_UNTIL (!ld_support_conversation_get_sending (answering));
  g_assert_null (ld_support_conversation_get_error (answering));
  g_assert_cmpstr (ld_support_conversation_get_text (answering), ==, "");
  g_assert_cmpuint (n_messages (answering), ==, 2);
  g_assert_true (ld_message_get_is_own (message_at (answering, 1)));
  g_assert_cmpint (ld_message_get_state (message_at (answering, 1)), ==, LD_MESSAGE_STATE_SENT);
  /* …and the row that moved keeps the open ticket selected. */
  g_assert_true (gtk_list_box_row_is_selected (GTK_LIST_BOX_ROW (row_at (fixture->admin_view, 0))));

  /* …and reaches the viewer, on the left. */
  WAIT_UNTIL (n_messages (asking) == 2);
  answer = message_at (asking, 1);
  g_assert_cmpstr (ld_message_get_text (answer), ==, "Bọn mình đang kiểm tra, bạn chờ chút nhé");
  g_assert_false (ld_message_get_is_own (answer));
  g_assert_cmpstr (ld_message_get_username (answer), ==, "ada");

  /* Resolved on the server: out of the open list, in the resolved one. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->admin_view), "support.toggle-resolved", NULL);
  WAIT_UNTIL (ld_ticket_get_resolved (ticket));
  g_assert_cmpuint (n_rows (fixture->admin_view), ==, 0);
  g_assert_cmpstr (visible_page (GTK_WIDGET (fixture->admin_view), LD_TYPE_SUPPORT_VIEW, "list_stack"), ==, "empty");
  ld_support_view_set_show_resolved (fixture->admin_view, TRUE);
  g_assert_cmpuint (n_rows (fixture->admin_view), ==, 1);
  g_assert_true (ld_ticket_row_get_ticket (row_at (fixture->admin_view, 0)) == ticket);

  /* The viewer writes about something else: a new ticket, open. */
  /* Only for the client's own rate limit (one message a second), which is a
   * rule about time, not an event to wait for. */
  test_spin (1100);
  ld_support_view_set_support_type (fixture->user_view, "technical");
  type_and_send (asking, "Vẫn chưa có xu, và app bị treo");
  WAIT_UNTIL (!ld_support_conversation_get_sending (asking));
  g_assert_null (ld_support_conversation_get_error (asking));
  ld_support_view_set_show_resolved (fixture->admin_view, FALSE);
  WAIT_UNTIL (n_rows (fixture->admin_view) == 1);
  g_assert_cmpstr (ld_ticket_row_get_type_text (row_at (fixture->admin_view, 0)), ==, "Technical problem");
  g_assert_true (ld_ticket_get_resolved (ticket));

  /* Reopened: the payment ticket is back among the open ones. */
  ld_support_view_set_show_resolved (fixture->admin_view, TRUE);
  gtk_widget_activate (GTK_WIDGET (row_at (fixture->admin_view, 0)));
  g_assert_true (ld_support_view_get_current_ticket (fixture->admin_view) == ticket);
  gtk_widget_activate_action (GTK_WIDGET (fixture->admin_view), "support.toggle-resolved", NULL);
  WAIT_UNTIL (!ld_ticket_get_resolved (ticket));
  ld_support_view_set_show_resolved (fixture->admin_view, FALSE);
  g_assert_cmpuint (n_rows (fixture->admin_view), ==, 2);
  g_assert_cmpuint (n_messages (answering), ==, 2);
}

/* A send the client refuses keeps the text where it was typed and says why
 * next to it; nothing goes out. */
static void
test_refused (Fixture       *fixture,
              gconstpointer  user_data)
{
  LdSupportConversation *asking = ld_support_view_get_conversation (fixture->user_view);
  g_autoptr(GString) long_text = g_string_new (NULL);
  const char *error;

  type_and_send (asking, "<script>alert('xu')</script> giúp mình với");
  WAIT_UNTIL (!ld_support_conversation_get_sending (asking));
  error = ld_support_conversation_get_error (asking);
  g_assert_nonnull (error);
  g_assert_cmpstr (ld_support_conversation_get_text (asking), ==, "<script>alert('xu')</script> giúp mình với");
  g_assert_cmpuint (n_messages (asking), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ld_support_get_tickets (ld_session_get_support (fixture->admin)))), ==, 0);

  /* Editing the text is dealing with it: the reason goes. */
  ld_support_conversation_set_text (asking, "giúp mình với");
  g_assert_null (ld_support_conversation_get_error (asking));

  /* Over 500 characters cannot be sent at all, and stays. */
  for (guint i = 0; i < 501; i++)
    g_string_append_unichar (long_text, 0x1EA1);  /* ạ: one character, three bytes */
  type_and_send (asking, long_text->str);
  g_assert_false (ld_support_conversation_get_sending (asking));
  g_assert_cmpstr (ld_support_conversation_get_text (asking), ==, long_text->str);
  g_assert_cmpuint (n_messages (asking), ==, 0);

  /* Two in a row: the second is over the client's rate limit, and kept. */
  type_and_send (asking, "lần một");
  WAIT_UNTIL (!ld_support_conversation_get_sending (asking));
  g_assert_null (ld_support_conversation_get_error (asking));
  type_and_send (asking, "lần hai");
  WAIT_UNTIL (!ld_support_conversation_get_sending (asking));
  if (ld_support_conversation_get_error (asking) != NULL)
    {
      g_assert_cmpstr (ld_support_conversation_get_text (asking), ==, "lần hai");
      g_assert_cmpuint (n_messages (asking), ==, 1);
    }
  else
    /* The first took over a second on a slow machine: both went. */
    g_assert_cmpuint (n_messages (asking), ==, 2);
}

/* The server refuses too: alice on a second device writes in the same
 * second as on the first, past the gateway's per-user rate limit that this
 * device's own limiter cannot know about. The text stays, the reason shows
 * inline, and the message is marked not sent in the conversation. */
static void
test_server_refusal (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autoptr(LdSession) second = ld_test_gateway_online_session (fixture->gateway, "alice", "viewer", WAIT_MS);
  LdSupportView *second_view = NULL;
  GtkWindow *second_window = view_window (&second_view, second, 600);
  LdSupportConversation *first = ld_support_view_get_conversation (fixture->user_view);
  LdSupportConversation *other = ld_support_view_get_conversation (second_view);
  LdSupportBubble *bubble = NULL;
  LdMessage *failed;

  type_and_send (first, "Mình không đăng nhập được");
  type_and_send (other, "Mình cũng không đăng nhập được trên điện thoại");
  WAIT_UNTIL (!ld_support_conversation_get_sending (first) && !ld_support_conversation_get_sending (other));
  g_assert_null (ld_support_conversation_get_error (first));
  g_assert_nonnull (ld_support_conversation_get_error (other));
  g_assert_cmpstr (ld_support_conversation_get_text (other), ==, "Mình cũng không đăng nhập được trên điện thoại");

  g_assert_cmpuint (n_messages (other), ==, 1);
  failed = message_at (other, 0);
  g_assert_cmpint (ld_message_get_state (failed), ==, LD_MESSAGE_STATE_FAILED);
  bubble = g_object_ref_sink (LD_SUPPORT_BUBBLE (ld_support_bubble_new ()));
  ld_support_bubble_set_message (bubble, failed);
  g_assert_true (g_str_has_prefix (ld_support_bubble_get_status (bubble), "Not sent: "));
  g_assert_finalize_object (bubble);

  gtk_window_destroy (second_window);
  ld_session_disconnect (second);
  g_assert_finalize_object (second_window);
}

/* On a narrow window the console shows one pane: the list, then the
 * conversation with a back button. */
static void
test_narrow (Fixture       *fixture,
             gconstpointer  user_data)
{
  AdwLeaflet *leaflet = ADW_LEAFLET (gtk_widget_get_template_child (GTK_WIDGET (fixture->admin_view),
                                                                     LD_TYPE_SUPPORT_VIEW, "leaflet"));
  GtkWidget *back = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (fixture->admin_view), LD_TYPE_SUPPORT_VIEW,
                                                   "back_button");
  GtkWidget *sidebar = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (fixture->admin_view), LD_TYPE_SUPPORT_VIEW,
                                                      "sidebar");
  GtkWidget *detail = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (fixture->admin_view), LD_TYPE_SUPPORT_VIEW,
                                                     "detail");

  WAIT_UNTIL (ld_support_view_get_admin (fixture->admin_view));
  WAIT_UNTIL (adw_leaflet_get_folded (leaflet));
  g_assert_true (gtk_widget_get_visible (back));
  g_assert_true (adw_leaflet_get_visible_child (leaflet) == sidebar);

  type_and_send (ld_support_view_get_conversation (fixture->user_view), "The stream keeps buffering on my phone");
  WAIT_UNTIL (n_rows (fixture->admin_view) == 1);

  g_assert_true (ld_support_view_open_ticket (fixture->admin_view, "alice"));
  g_assert_true (adw_leaflet_get_visible_child (leaflet) == detail);
  g_assert_cmpuint (ld_ticket_model_get_n_unread (ld_support_get_tickets (ld_session_get_support (fixture->admin))), ==, 0);
  WAIT_UNTIL (ld_ticket_get_history_loaded (ld_support_view_get_current_ticket (fixture->admin_view)));
  gtk_widget_activate_action (GTK_WIDGET (fixture->admin_view), "support.back", NULL);
  g_assert_true (adw_leaflet_get_visible_child (leaflet) == sidebar);
}

static void send_as (LdSession  *session,
                     const char *text,
                     const char *support_type);

/* Two admins' consoles on one gateway: Ada claims, Mia's list says so; Ada
 * answers, Mia sees it; Ada resolves; Mia's app restarts and the ticket is
 * still listed, with its conversation, from the server. */
static void
test_two_admins (Fixture       *fixture,
                 gconstpointer  user_data)
{
  LdSession *mia = ld_test_gateway_online_session (fixture->gateway, "mia", "admin", WAIT_MS);
  LdSupportView *mia_view = NULL;
  GtkWindow *mia_window = view_window (&mia_view, mia, 900);
  LdTicket *ticket, *at_mia;

  WAIT_UNTIL (ld_support_view_get_admin (fixture->admin_view) && ld_support_view_get_admin (mia_view));
  type_and_send (ld_support_view_get_conversation (fixture->user_view), "Mình bị trừ xu hai lần");
  WAIT_UNTIL (n_rows (fixture->admin_view) == 1 && n_rows (mia_view) == 1);
  g_assert_cmpstr (ld_ticket_row_get_assignee_text (row_at (mia_view, 0)), ==, "Unclaimed");

  /* Ada claims it from her console. */
  gtk_widget_activate (GTK_WIDGET (row_at (fixture->admin_view, 0)));
  ticket = ld_support_view_get_current_ticket (fixture->admin_view);
  g_assert_true (gtk_widget_get_visible ((GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (fixture->admin_view),
                                                                                      LD_TYPE_SUPPORT_VIEW,
                                                                                      "claim_button")));
  gtk_widget_activate_action (GTK_WIDGET (fixture->admin_view), "support.claim", NULL);
  WAIT_UNTIL (g_strcmp0 (ld_ticket_row_get_assignee_text (row_at (mia_view, 0)), "Claimed by ada") == 0);
  g_assert_cmpstr (ld_ticket_row_get_assignee_text (row_at (fixture->admin_view, 0)), ==, "Claimed by ada");
  g_assert_false (gtk_widget_get_visible ((GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (fixture->admin_view),
                                                                                       LD_TYPE_SUPPORT_VIEW,
                                                                                       "claim_button")));

  /* Ada answers; Mia, with the ticket open, reads it. */
  gtk_widget_activate (GTK_WIDGET (row_at (mia_view, 0)));
  at_mia = ld_support_view_get_current_ticket (mia_view);
  WAIT_UNTIL (ld_ticket_get_history_loaded (at_mia));
  type_and_send (ld_support_view_get_conversation (fixture->admin_view), "Mình hoàn lại cho bạn rồi nhé");
  WAIT_UNTIL (!ld_support_conversation_get_sending (ld_support_view_get_conversation (fixture->admin_view)));
  WAIT_UNTIL (n_messages (ld_support_view_get_conversation (mia_view)) == 2);
  g_assert_cmpstr (ld_message_get_text (message_at (ld_support_view_get_conversation (mia_view), 1)), ==,
                   "Mình hoàn lại cho bạn rồi nhé");
  g_assert_cmpstr (ld_message_get_username (message_at (ld_support_view_get_conversation (mia_view), 1)), ==, "ada");
  g_assert_cmpuint (n_messages (ld_support_view_get_conversation (fixture->admin_view)), ==, 2);

  /* Ada resolves: it leaves Mia's open list too. */
  gtk_widget_activate_action (GTK_WIDGET (fixture->admin_view), "support.toggle-resolved", NULL);
  WAIT_UNTIL (ld_ticket_get_resolved (ticket) && n_rows (mia_view) == 0);

  /* Mia's app restarts: the ticket is still there, resolved, Ada's, with
   * its conversation. */
  gtk_window_destroy (mia_window);
  ld_session_disconnect (mia);
  g_assert_finalize_object (mia_window);
  g_assert_finalize_object (mia);
  mia = ld_test_gateway_online_session (fixture->gateway, "mia", "admin", WAIT_MS);
  mia_window = view_window (&mia_view, mia, 900);
  ld_support_view_set_show_resolved (mia_view, TRUE);
  WAIT_UNTIL (n_rows (mia_view) == 1);
  g_assert_cmpstr (ld_ticket_get_username (ld_ticket_row_get_ticket (row_at (mia_view, 0))), ==, "alice");
  g_assert_cmpstr (ld_ticket_row_get_assignee_text (row_at (mia_view, 0)), ==, "Claimed by ada");
  gtk_widget_activate (GTK_WIDGET (row_at (mia_view, 0)));
  WAIT_UNTIL (n_messages (ld_support_view_get_conversation (mia_view)) == 2);
  g_assert_cmpstr (ld_message_get_text (message_at (ld_support_view_get_conversation (mia_view), 0)), ==,
                   "Mình bị trừ xu hai lần");

  gtk_window_destroy (mia_window);
  ld_session_disconnect (mia);
  g_assert_finalize_object (mia_window);
  g_assert_finalize_object (mia);
}

/* An admin keeps a reply for later and inserts it; writes an internal note
 * that the other admins see marked and the user never gets. */
static void
test_notes_and_canned (Fixture       *fixture,
                       gconstpointer  user_data)
{
  LdSupportConversation *asking = ld_support_view_get_conversation (fixture->user_view);
  LdSupportConversation *answering = ld_support_view_get_conversation (fixture->admin_view);
  g_autoptr(LdTicketReplies) kept = ld_ticket_replies_new (NULL);
  const char *canned = "Bạn gửi giúp mình mã giao dịch nhé";
  LdSupportBubble *bubble;
  guint asked;

  WAIT_UNTIL (ld_support_view_get_admin (fixture->admin_view));
  type_and_send (asking, "Mình bị trừ tiền mà không có xu");
  WAIT_UNTIL (n_rows (fixture->admin_view) == 1);
  gtk_widget_activate (GTK_WIDGET (row_at (fixture->admin_view, 0)));
  WAIT_UNTIL (ld_ticket_get_history_loaded (ld_support_view_get_current_ticket (fixture->admin_view)));

  /* Kept as canned reply 1, in the admin's file… */
  ld_support_conversation_set_text (answering, canned);
  gtk_widget_activate_action (GTK_WIDGET (fixture->admin_view), "support.save-reply", "i", 1);
  ld_ticket_replies_set_admin (kept, "ada");
  g_assert_cmpstr (ld_ticket_replies_get (kept, 1), ==, canned);
  ld_ticket_replies_set_admin (kept, "mia");
  g_assert_null (ld_ticket_replies_get (kept, 1));
  /* …and inserted again (Ctrl+1). */
  ld_support_conversation_set_text (answering, "");
  gtk_widget_activate_action (GTK_WIDGET (fixture->admin_view), "support.insert-reply", "i", 1);
  g_assert_cmpstr (ld_support_conversation_get_text (answering), ==, canned);
  ld_support_conversation_set_text (answering, "");

  /* An internal note: in the console, marked; never at the user's. */
  asked = n_messages (asking);
  ld_support_conversation_set_note (answering, TRUE);
  type_and_send (answering, "Khách quen, hoàn xu ngay");
  WAIT_UNTIL (!ld_support_conversation_get_sending (answering));
  g_assert_null (ld_support_conversation_get_error (answering));
  g_assert_cmpuint (n_messages (answering), ==, 2);
  g_assert_true (ld_ticket_message_is_internal (message_at (answering, 1)));
  bubble = g_object_ref_sink (LD_SUPPORT_BUBBLE (ld_support_bubble_new ()));
  ld_support_bubble_set_message (bubble, message_at (answering, 1));
  g_assert_true (ld_support_bubble_get_internal (bubble));
  g_assert_finalize_object (bubble);

  /* The reply after it reaches the user, alone. */
  ld_support_conversation_set_note (answering, FALSE);
  type_and_send (answering, canned);
  WAIT_UNTIL (!ld_support_conversation_get_sending (answering));
  WAIT_UNTIL (n_messages (asking) == asked + 1);
  g_assert_cmpstr (ld_message_get_text (message_at (asking, asked)), ==, canned);
  g_assert_false (ld_ticket_message_is_internal (message_at (answering, 2)));
}

/* More tickets than a page: scrolling to the end of the list brings the
 * older ones. */
static void
test_older_pages (Fixture       *fixture,
                  gconstpointer  user_data)
{
  GtkWidget *scroller;
  GtkAdjustment *adjustment;

  for (guint i = 0; i < 21; i++)
    {
      g_autofree char *user = g_strdup_printf ("user%02u", i);
      g_autoptr(LdSession) session = ld_test_gateway_online_session (fixture->gateway, user, "viewer", WAIT_MS);

      send_as (session, "Help", NULL);
      ld_session_disconnect (session);
    }

  /* The console signs in again (a restart): the newest page. */
  ld_support_view_set_session (fixture->admin_view, NULL);
  ld_session_disconnect (fixture->admin);
  g_clear_object (&fixture->admin);
  fixture->admin = ld_test_gateway_online_session (fixture->gateway, "ada", "admin", WAIT_MS);
  ld_support_view_set_session (fixture->admin_view, fixture->admin);
  WAIT_UNTIL (n_rows (fixture->admin_view) == 20);

  scroller = gtk_widget_get_ancestor (GTK_WIDGET (ld_support_view_get_ticket_list (fixture->admin_view)),
                                      GTK_TYPE_SCROLLED_WINDOW);
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  WAIT_UNTIL (gtk_adjustment_get_upper (adjustment) > gtk_adjustment_get_page_size (adjustment));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment));
  WAIT_UNTIL (n_rows (fixture->admin_view) == 21);
  g_assert_cmpstr (ld_ticket_get_user_id (ld_ticket_row_get_ticket (row_at (fixture->admin_view, 20))), ==, "user00");
  /* Every page is in: the end of the list asks nothing more. */
  WAIT_UNTIL (ld_ticket_model_get_next_before (ld_support_get_tickets (ld_session_get_support (fixture->admin))) == NULL);
  g_assert_false (ld_support_view_load_older (fixture->admin_view));
}

static void
on_joined (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ld_session_join_room_finish (LD_SESSION (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* In the main window the Support page is this view, and its badge counts
 * the tickets waiting to be read until the admin opens them there. */
static void
test_window (Fixture       *fixture,
             gconstpointer  user_data)
{
  LdWindow *window = g_object_ref_sink (ld_window_new (NULL, NULL));
  AdwViewStackPage *page = ADW_VIEW_STACK_PAGE (gtk_widget_get_template_child (GTK_WIDGET (window), LD_TYPE_WINDOW,
                                                                               "support_page"));
  LdSupportView *view = LD_SUPPORT_VIEW (gtk_widget_get_template_child (GTK_WIDGET (window), LD_TYPE_WINDOW,
                                                                        "support_view"));
  gboolean joined = FALSE;

  ld_window_set_session (window, fixture->admin);
  gtk_window_present (GTK_WINDOW (window));
  ld_session_join_room_async (fixture->admin, "room_1", NULL, on_joined, &joined);
  WAIT_UNTIL (joined);
  WAIT_UNTIL (ld_support_view_get_admin (view));
  g_assert_cmpuint (adw_view_stack_page_get_badge_number (page), ==, 0);

  type_and_send (ld_support_view_get_conversation (fixture->user_view), "Làm sao để đổi tên hiển thị?");
  WAIT_UNTIL (adw_view_stack_page_get_badge_number (page) == 1);
  /* Elsewhere in the window, it stays unread. */
  g_assert_true (ld_support_view_open_ticket (view, "alice"));
  g_assert_cmpuint (adw_view_stack_page_get_badge_number (page), ==, 1);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "support");
  WAIT_UNTIL (adw_view_stack_page_get_badge_number (page) == 0);
  g_assert_cmpstr (ld_ticket_get_user_id (ld_support_view_get_current_ticket (view)), ==, "alice");
  /* Opening it asked the server for its whole conversation. */
  WAIT_UNTIL (ld_ticket_get_history_loaded (ld_support_view_get_current_ticket (view)));

  gtk_window_destroy (GTK_WINDOW (window));
  g_assert_finalize_object (window);
}

static void
send_as (LdSession  *session,
         const char *text,
         const char *support_type)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ticket_id = NULL;

  WAIT_UNTIL (ld_outbox_get_retry_ms (ld_session_get_outbox (session)) == 0);
  ld_support_contact_support_async (ld_session_get_support (session), text, support_type, NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  ticket_id = ld_support_contact_support_finish (ld_session_get_support (session), result, &error);
  g_assert_no_error (error);
}

/* Not a check: with LIVEDESK_SUPPORT_SCREENSHOT=FILE, the admin's console
 * in the main window with a ticket she claimed and answered and one nobody
 * has yet, saved with ImageMagick's `import` (data/screenshots/support.png). */
static void
test_screenshot (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(LdSession) bob = ld_test_gateway_online_session (fixture->gateway, "bob", "viewer", WAIT_MS);
  LdWindow *window = g_object_ref_sink (ld_window_new (NULL, NULL));
  LdSupportView *view = LD_SUPPORT_VIEW (gtk_widget_get_template_child (GTK_WIDGET (window), LD_TYPE_WINDOW,
                                                                        "support_view"));
  g_autoptr(GError) error = NULL;
  g_autofree char *command = NULL;
  LdTicket *ticket;

  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
  ld_window_set_session (window, fixture->admin);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-view", "s", "support");
  WAIT_UNTIL (ld_support_view_get_admin (view));

  send_as (fixture->user, "Mình nạp 100.000đ nhưng chưa thấy xu vào tài khoản", "payment");
  send_as (bob, "The stream keeps buffering on my phone", "technical");
  WAIT_UNTIL (n_rows (view) == 2);
  g_assert_true (ld_support_view_open_ticket (view, "alice"));
  ticket = ld_support_view_get_current_ticket (view);
  gtk_widget_activate_action (GTK_WIDGET (view), "support.claim", NULL);
  WAIT_UNTIL (ld_ticket_get_assignee (ticket) != NULL);
  type_and_send (ld_support_view_get_conversation (view), "Chào bạn, mình đang kiểm tra giao dịch, chờ mình chút nhé");
  WAIT_UNTIL (!ld_support_conversation_get_sending (ld_support_view_get_conversation (view)));
  send_as (fixture->user, "Cảm ơn ạ, mã giao dịch là 8841-2207", "payment");
  WAIT_UNTIL (n_messages (ld_support_view_get_conversation (view)) == 3);
  test_spin (800);

  command = g_strdup_printf ("import -window root -crop 1200x760+0+0 +repage %s",
                             g_getenv ("LIVEDESK_SUPPORT_SCREENSHOT"));
  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  gtk_window_destroy (GTK_WINDOW (window));
  ld_session_disconnect (bob);
  g_assert_finalize_object (window);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *config = g_dir_make_tmp ("livedesk-support-XXXXXX", NULL);
  int status;

  /* Canned replies go under the config dir: this test's own. */
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  ld_test_ui_init (&argc, &argv);

  g_test_add ("/ui/support/flow", Fixture, NULL, fixture_set_up, test_flow, fixture_tear_down);
  g_test_add ("/ui/support/refused", Fixture, NULL, fixture_set_up, test_refused, fixture_tear_down);
  g_test_add ("/ui/support/server-refusal", Fixture, NULL, fixture_set_up, test_server_refusal, fixture_tear_down);
  g_test_add ("/ui/support/two-admins", Fixture, NULL, fixture_set_up, test_two_admins, fixture_tear_down);
  g_test_add ("/ui/support/notes-and-canned", Fixture, NULL, fixture_set_up, test_notes_and_canned, fixture_tear_down);
  g_test_add ("/ui/support/older-pages", Fixture, NULL, fixture_set_up, test_older_pages, fixture_tear_down);
  g_test_add ("/ui/support/window", Fixture, NULL, fixture_set_up, test_window, fixture_tear_down);
  g_test_add ("/ui/support/narrow", Fixture, GINT_TO_POINTER (400), fixture_set_up, test_narrow, fixture_tear_down);

  if (g_getenv ("LIVEDESK_SUPPORT_SCREENSHOT") != NULL)
    g_test_add ("/ui/support/screenshot", Fixture, NULL, fixture_set_up, test_screenshot, fixture_tear_down);

  status = g_test_run ();
  {
    g_autofree char *dir = g_build_filename (config, "livedesk", NULL);
    g_autofree char *file = g_build_filename (dir, "canned-replies.ini", NULL);

    g_unlink (file);
    g_rmdir (dir);
    g_rmdir (config);
  }
  return status;
}
