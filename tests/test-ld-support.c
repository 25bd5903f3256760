/* test-ld-support.c: LdSupport, a session's support desk, against a real
 * livedesk-gateway. A user asks for help, an admin answers, the user
 * hears it. With tickets stored [ext], two admins and a user: what one
 * admin does (claim, reply, resolve) shows in the other's model; a session
 * that signs in later finds the tickets and their history on the server;
 * an admin is told of a new ticket and of messages in their own, not of
 * others'.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-test-gateway.h"
#include "ld-test-util.h"
#include "test-peer.h"

#define WAIT_MS 30000
#define WAIT_UNTIL(cond) LD_TEST_WAIT_UNTIL (cond, WAIT_MS)

static const char *gateway_program;

static guint
n_items (gpointer model)
{
  return g_list_model_get_n_items (G_LIST_MODEL (model));
}

static LdMessage *
last_message (LdTicket *ticket)
{
  GListModel *messages = ld_ticket_get_messages (ticket);
  g_autoptr(LdMessage) message = g_list_model_get_item (messages, g_list_model_get_n_items (messages) - 1);

  return message;
}

/* chatWithAdmin from SESSION; the ticket's id. The server's rate limit
 * (one message a second per user) may see the second a little before the
 * client does: a refusal for it is tried again, anything else fails. */
static char *
contact (LdSession  *session,
         const char *text,
         const char *support_type)
{
  for (;;)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      char *ticket_id;

      WAIT_UNTIL (ld_outbox_get_retry_ms (ld_session_get_outbox (session)) == 0);
      ld_support_contact_support_async (ld_session_get_support (session), text, support_type, NULL, ld_test_store_result, &result);
      WAIT_UNTIL (result != NULL);
      ticket_id = ld_support_contact_support_finish (ld_session_get_support (session), result, &error);
      if (ticket_id != NULL)
        return ticket_id;
      g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED);
      test_spin (100);
    }
}

static void
count_request (LdSupport  *support,
               const char *user_id,
               const char *username,
               const char *text,
               guint      *count)
{
  (*count)++;
}

static void
on_support_reply (LdSupport  *support,
                  const char *ticket_id,
                  const char *from,
                  const char *text,
                  gpointer    user_data)
{
  g_free (*(char **) user_data);
  *(char **) user_data = g_strdup (text);
}

/* A user asks for help; the admin sees a ticket, answers, the user hears it. */
static void
test_support (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (gateway_program);
  g_autoptr(LdSession) alice = ld_test_gateway_online_session (gateway, "alice", "viewer", WAIT_MS);
  g_autoptr(LdSession) ada = ld_test_gateway_online_session (gateway, "ada", "admin", WAIT_MS);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) replied = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ticket_id = NULL;
  g_autofree char *answer = NULL;
  LdSupport *alice_support, *ada_support;
  LdTicket *ticket;

  g_assert_cmpstr (ld_session_get_user_id (alice), ==, "alice");
  g_assert_cmpstr (ld_session_get_user_id (ada), ==, "ada");
  alice_support = ld_session_get_support (alice);
  ada_support = ld_session_get_support (ada);
  g_signal_connect (alice_support, "support-reply", G_CALLBACK (on_support_reply), &answer);
  ld_support_contact_support_async (alice_support, "my gift did not arrive", "billing", NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  ticket_id = ld_support_contact_support_finish (alice_support, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ticket_id);

  WAIT_UNTIL (ld_ticket_model_lookup (ld_support_get_tickets (ada_support), "alice") != NULL);
  ticket = ld_ticket_model_lookup (ld_support_get_tickets (ada_support), "alice");
  g_assert_cmpstr (ld_ticket_get_support_type (ticket), ==, "billing");

  ld_support_reply_to_ticket_async (ada_support, "alice", "we are on it", NULL, ld_test_store_result, &replied);
  WAIT_UNTIL (replied != NULL);
  g_assert_true (ld_support_reply_to_ticket_finish (ada_support, replied, &error));
  g_assert_no_error (error);
  WAIT_UNTIL (answer != NULL);
  g_assert_cmpstr (answer, ==, "we are on it");

  /* Alice's own conversation: her message and the answer, in order, the
   * answer unread until she reads it. The admin's list has only hers. */
  {
    LdTicketModel *mine = ld_support_get_tickets (alice_support);
    LdTicket *own;
    GListModel *messages;
    g_autoptr(LdMessage) first = NULL;
    g_autoptr(LdMessage) second = NULL;

    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (mine)), ==, 1);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ld_support_get_tickets (ada_support))), ==, 1);
    own = ld_ticket_model_lookup (mine, "alice");
    g_assert_nonnull (own);
    g_assert_cmpstr (ld_ticket_get_ticket_id (own), ==, ticket_id);
    g_assert_cmpstr (ld_ticket_get_support_type (own), ==, "billing");
    messages = ld_ticket_get_messages (own);
    g_assert_cmpuint (g_list_model_get_n_items (messages), ==, 2);
    first = g_list_model_get_item (messages, 0);
    second = g_list_model_get_item (messages, 1);
    g_assert_cmpstr (ld_message_get_text (first), ==, "my gift did not arrive");
    g_assert_true (ld_message_get_is_own (first));
    g_assert_cmpint (ld_message_get_state (first), ==, LD_MESSAGE_STATE_SENT);
    g_assert_cmpstr (ld_message_get_text (second), ==, "we are on it");
    g_assert_cmpstr (ld_message_get_username (second), ==, "ada");
    g_assert_false (ld_message_get_is_own (second));
    g_assert_cmpuint (ld_ticket_get_unread_count (own), ==, 1);
    g_assert_cmpuint (ld_ticket_model_get_n_unread (mine), ==, 1);
    ld_ticket_mark_read (own);
    g_assert_cmpuint (ld_ticket_get_unread_count (own), ==, 0);
    g_assert_cmpuint (ld_ticket_model_get_n_unread (mine), ==, 0);
  }
}

static void
test_two_admins (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (gateway_program);
  LdSession *ada = ld_test_gateway_online_session (gateway, "ada", "admin", WAIT_MS);
  LdSession *mia = ld_test_gateway_online_session (gateway, "mia", "admin", WAIT_MS);
  LdSession *alice = ld_test_gateway_online_session (gateway, "alice", "viewer", WAIT_MS);
  LdTicketModel *ada_tickets = ld_support_get_tickets (ld_session_get_support (ada));
  LdTicketModel *mia_tickets = ld_support_get_tickets (ld_session_get_support (mia));
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ticket_id = NULL;
  LdTicket *at_ada, *at_mia;
  guint ada_told = 0, mia_told = 0;

  g_signal_connect (ld_session_get_support (ada), "support-request", G_CALLBACK (count_request), &ada_told);
  g_signal_connect (ld_session_get_support (mia), "support-request", G_CALLBACK (count_request), &mia_told);

  /* The user writes: both admins see one ticket with one message (not the
   * adminChat copy besides), and both are told of the new ticket. */
  ticket_id = contact (alice, "Không nạp được xu", "payment");
  WAIT_UNTIL (ld_ticket_model_lookup_id (ada_tickets, ticket_id) != NULL &&
              ld_ticket_model_lookup_id (mia_tickets, ticket_id) != NULL);
  at_ada = ld_ticket_model_lookup_id (ada_tickets, ticket_id);
  at_mia = ld_ticket_model_lookup_id (mia_tickets, ticket_id);
  g_assert_cmpuint (n_items (ld_ticket_get_messages (at_ada)), ==, 1);
  g_assert_cmpuint (n_items (ld_ticket_get_messages (at_mia)), ==, 1);
  g_assert_cmpstr (ld_ticket_get_support_type (at_mia), ==, "payment");
  g_assert_cmpstr (ld_ticket_get_username (at_mia), ==, "alice");
  g_assert_null (ld_ticket_get_assignee (at_mia));
  g_assert_cmpuint (ld_ticket_get_unread_count (at_mia), ==, 1);
  WAIT_UNTIL (ada_told == 1 && mia_told == 1);

  /* Ada claims it; Mia's model shows Ada as its assignee. */
  ld_support_change_ticket_async (ld_session_get_support (ada), ticket_id, LD_TICKET_CHANGE_CLAIM, NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_true (ld_support_change_ticket_finish (ld_session_get_support (ada), result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpstr (ld_ticket_get_assignee (at_ada), ==, "ada");
  WAIT_UNTIL (g_strcmp0 (ld_ticket_get_assignee (at_mia), "ada") == 0);
  g_assert_false (ld_ticket_get_resolved (at_mia));

  /* Ada replies: once in her ticket (sent), once in Mia's, and to the user. */
  ld_support_reply_in_ticket_async (ld_session_get_support (ada), ticket_id, "Bọn mình kiểm tra ngay", NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_true (ld_support_reply_in_ticket_finish (ld_session_get_support (ada), result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (n_items (ld_ticket_get_messages (at_ada)), ==, 2);
  g_assert_true (ld_message_get_is_own (last_message (at_ada)));
  g_assert_cmpint (ld_message_get_state (last_message (at_ada)), ==, LD_MESSAGE_STATE_SENT);
  WAIT_UNTIL (n_items (ld_ticket_get_messages (at_mia)) == 2);
  g_assert_cmpstr (ld_message_get_text (last_message (at_mia)), ==, "Bọn mình kiểm tra ngay");
  g_assert_cmpstr (ld_message_get_username (last_message (at_mia)), ==, "ada");
  g_assert_false (ld_message_get_is_own (last_message (at_mia)));
  {
    LdTicket *own;

    WAIT_UNTIL ((own = ld_ticket_model_lookup (ld_support_get_tickets (ld_session_get_support (alice)), "alice")) != NULL &&
                n_items (ld_ticket_get_messages (own)) == 2);
  }

  /* The user writes again: Ada, whose ticket it is, is told; Mia is not. */
  g_free (contact (alice, "Cảm ơn", "payment"));
  WAIT_UNTIL (n_items (ld_ticket_get_messages (at_mia)) == 3 && n_items (ld_ticket_get_messages (at_ada)) == 3);
  WAIT_UNTIL (ada_told == 2);
  g_assert_cmpuint (mia_told, ==, 1);

  /* The user's app restarts: their conversation comes back from the server. */
  {
    LdSession *again = ld_test_gateway_online_session (gateway, "alice", "viewer", WAIT_MS);
    g_autoptr(LdTicket) found = NULL;
    LdTicket *own;

    /* What the app asks for the support type it shows. */
    ld_support_get_ticket_async (ld_session_get_support (again), NULL, "payment", NULL, ld_test_store_result, &result);
    WAIT_UNTIL (result != NULL);
    found = ld_support_get_ticket_finish (ld_session_get_support (again), result, &error);
    g_assert_no_error (error);
    g_clear_object (&result);
    WAIT_UNTIL ((own = ld_ticket_model_lookup (ld_support_get_tickets (ld_session_get_support (again)), "alice")) != NULL &&
                n_items (ld_ticket_get_messages (own)) == 3);
    g_assert_true (own == found);
    g_assert_cmpstr (ld_ticket_get_ticket_id (own), ==, ticket_id);
    g_assert_cmpstr (ld_ticket_get_support_type (own), ==, "payment");
    g_assert_true (ld_message_get_is_own (last_message (own)));
    {
      g_autoptr(LdMessage) answer = g_list_model_get_item (ld_ticket_get_messages (own), 1);

      g_assert_false (ld_message_get_is_own (answer));
      g_assert_cmpint (ld_message_get_role (answer), ==, LD_ROLE_ADMIN);
    }
    /* A user does not list tickets: the server says so. */
    ld_support_load_tickets_async (ld_session_get_support (again), FALSE, NULL, ld_test_store_result, &result);
    WAIT_UNTIL (result != NULL);
    g_assert_false (ld_support_load_tickets_finish (ld_session_get_support (again), result, &error));
    g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN);
    g_clear_error (&error);
    g_clear_object (&result);
    ld_session_disconnect (again);
    g_assert_finalize_object (again);
  }

  /* Mia resolves it; Ada sees it resolved. */
  ld_support_change_ticket_async (ld_session_get_support (mia), ticket_id, LD_TICKET_CHANGE_RESOLVE, NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_true (ld_support_change_ticket_finish (ld_session_get_support (mia), result, &error));
  g_clear_object (&result);
  WAIT_UNTIL (ld_ticket_get_resolved (at_ada));

  /* An admin who signs in later finds it listed, and its history. */
  {
    LdSession *late = ld_test_gateway_online_session (gateway, "bob", "admin", WAIT_MS);
    LdTicket *ticket;
    g_autoptr(LdTicket) loaded = NULL;

    WAIT_UNTIL ((ticket = ld_ticket_model_lookup_id (ld_support_get_tickets (ld_session_get_support (late)), ticket_id)) != NULL);
    g_assert_true (ld_ticket_get_resolved (ticket));
    g_assert_cmpstr (ld_ticket_get_assignee (ticket), ==, "ada");
    g_assert_cmpstr (ld_ticket_get_username (ticket), ==, "alice");
    g_assert_false (ld_ticket_get_history_loaded (ticket));
    g_assert_null (ld_ticket_model_get_next_before (ld_support_get_tickets (ld_session_get_support (late))));

    ld_support_get_ticket_async (ld_session_get_support (late), ticket_id, NULL, NULL, ld_test_store_result, &result);
    WAIT_UNTIL (result != NULL);
    loaded = ld_support_get_ticket_finish (ld_session_get_support (late), result, &error);
    g_assert_no_error (error);
    g_clear_object (&result);
    g_assert_true (loaded == ticket);
    g_assert_true (ld_ticket_get_history_loaded (ticket));
    g_assert_cmpuint (n_items (ld_ticket_get_messages (ticket)), ==, 3);
    g_assert_cmpstr (ld_message_get_text (last_message (ticket)), ==, "Cảm ơn");

    /* Reopened by Bob: the others follow. */
    ld_support_change_ticket_async (ld_session_get_support (late), ticket_id, LD_TICKET_CHANGE_REOPEN, NULL, ld_test_store_result, &result);
    WAIT_UNTIL (result != NULL);
    g_assert_true (ld_support_change_ticket_finish (ld_session_get_support (late), result, &error));
    g_clear_object (&result);
    WAIT_UNTIL (!ld_ticket_get_resolved (at_ada) && !ld_ticket_get_resolved (at_mia));

    ld_session_disconnect (late);
    g_assert_finalize_object (late);
  }

  /* An internal note: the admins see it, marked; the user never does. */
  {
    LdTicket *own = ld_ticket_model_lookup (ld_support_get_tickets (ld_session_get_support (alice)), "alice");
    guint own_length = n_items (ld_ticket_get_messages (own));
    LdSession *again;
    g_autoptr(LdTicket) found = NULL;

    ld_support_add_ticket_note_async (ld_session_get_support (ada), ticket_id, "Đã hoàn xu, chờ user xác nhận", NULL,
                                      ld_test_store_result, &result);
    WAIT_UNTIL (result != NULL);
    g_assert_true (ld_support_add_ticket_note_finish (ld_session_get_support (ada), result, &error));
    g_assert_no_error (error);
    g_clear_object (&result);
    g_assert_true (ld_ticket_message_is_internal (last_message (at_ada)));
    g_assert_cmpint (ld_message_get_state (last_message (at_ada)), ==, LD_MESSAGE_STATE_SENT);
    g_assert_cmpuint (n_items (ld_ticket_get_messages (at_ada)), ==, 4);
    WAIT_UNTIL (n_items (ld_ticket_get_messages (at_mia)) == 4);
    g_assert_true (ld_ticket_message_is_internal (last_message (at_mia)));

    again = ld_test_gateway_online_session (gateway, "alice", "viewer", WAIT_MS);
    ld_support_get_ticket_async (ld_session_get_support (again), ticket_id, NULL, NULL, ld_test_store_result, &result);
    WAIT_UNTIL (result != NULL);
    found = ld_support_get_ticket_finish (ld_session_get_support (again), result, &error);
    g_assert_no_error (error);
    g_clear_object (&result);
    g_assert_cmpuint (n_items (ld_ticket_get_messages (found)), ==, 3);
    g_assert_false (ld_ticket_message_is_internal (last_message (found)));
    g_assert_cmpuint (n_items (ld_ticket_get_messages (own)), ==, own_length);
    g_clear_object (&found);
    ld_session_disconnect (again);
    g_assert_finalize_object (again);
  }

  ld_session_disconnect (ada);
  ld_session_disconnect (mia);
  ld_session_disconnect (alice);
  g_assert_finalize_object (ada);
  g_assert_finalize_object (mia);
  g_assert_finalize_object (alice);
}

/* The connection drops and comes back: a ticket opened meanwhile is there. */
static void
test_reconnect (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (gateway_program);
  LdSession *ada = ld_test_gateway_online_session (gateway, "ada", "admin", WAIT_MS);
  LdSession *alice = ld_test_gateway_online_session (gateway, "alice", "viewer", WAIT_MS);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ticket_id = NULL;

  /* The sign-in's page first: a request in flight would outlive the test. */
  ld_support_load_tickets_async (ld_session_get_support (ada), FALSE, NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_true (ld_support_load_tickets_finish (ld_session_get_support (ada), result, &error));
  g_clear_object (&result);
  ld_session_disconnect (ada);
  ld_support_contact_support_async (ld_session_get_support (alice), "Alo?", NULL, NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  ticket_id = ld_support_contact_support_finish (ld_session_get_support (alice), result, &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_null (ld_ticket_model_lookup_id (ld_support_get_tickets (ld_session_get_support (ada)), ticket_id));

  ld_session_connect (ada);
  WAIT_UNTIL (ld_ticket_model_lookup_id (ld_support_get_tickets (ld_session_get_support (ada)), ticket_id) != NULL);

  ld_session_disconnect (ada);
  ld_session_disconnect (alice);
  g_assert_finalize_object (ada);
  g_assert_finalize_object (alice);
}

/* A user's app asks for their open ticket of a type at every start; with
 * none, that is no ticket, not an error, and the model stays empty. */
static void
test_no_ticket (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (gateway_program);
  LdSession *bob = ld_test_gateway_online_session (gateway, "bob", "viewer", WAIT_MS);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LdTicket) found = NULL;

  ld_support_get_ticket_async (ld_session_get_support (bob), NULL, "payment", NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  found = ld_support_get_ticket_finish (ld_session_get_support (bob), result, &error);
  g_assert_no_error (error);
  g_assert_null (found);
  g_assert_null (ld_ticket_model_lookup (ld_support_get_tickets (ld_session_get_support (bob)), "bob"));
  g_clear_object (&result);

  ld_session_disconnect (bob);
  g_assert_finalize_object (bob);
}

/* More tickets than a page: the newest page at sign-in, the older ones when
 * asked, then nothing more. */
static void
test_pages (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (gateway_program);
  LdSession *ada;
  LdTicketModel *tickets;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first_id = NULL;
  g_autofree char *last_id = NULL;

  for (guint i = 0; i < 23; i++)
    {
      g_autofree char *user = g_strdup_printf ("user%02u", i);
      LdSession *session = ld_test_gateway_online_session (gateway, user, "viewer", WAIT_MS);

      ld_support_contact_support_async (ld_session_get_support (session), "Help", NULL, NULL, ld_test_store_result, &result);
      WAIT_UNTIL (result != NULL);
      if (i == 0)
        first_id = ld_support_contact_support_finish (ld_session_get_support (session), result, &error);
      else
        g_free (last_id), last_id = ld_support_contact_support_finish (ld_session_get_support (session), result, &error);
      g_assert_no_error (error);
      g_clear_object (&result);
      ld_session_disconnect (session);
      g_object_unref (session);
    }

  ada = ld_test_gateway_online_session (gateway, "ada", "admin", WAIT_MS);
  tickets = ld_support_get_tickets (ld_session_get_support (ada));
  WAIT_UNTIL (ld_ticket_model_get_next_before (tickets) != NULL);
  g_assert_cmpuint (n_items (tickets), ==, 20);
  g_assert_nonnull (ld_ticket_model_lookup_id (tickets, last_id));
  g_assert_null (ld_ticket_model_lookup_id (tickets, first_id));

  ld_support_load_tickets_async (ld_session_get_support (ada), TRUE, NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_true (ld_support_load_tickets_finish (ld_session_get_support (ada), result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (n_items (tickets), ==, 23);
  {
    g_autoptr(LdTicket) oldest = g_list_model_get_item (G_LIST_MODEL (tickets), 22);

    g_assert_cmpstr (ld_ticket_get_ticket_id (oldest), ==, first_id);
  }
  g_assert_null (ld_ticket_model_get_next_before (tickets));

  ld_support_load_tickets_async (ld_session_get_support (ada), TRUE, NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_false (ld_support_load_tickets_finish (ld_session_get_support (ada), result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (n_items (tickets), ==, 23);

  ld_session_disconnect (ada);
  g_object_unref (ada);
}

/* What the support refuses before asking the server: anything without a
 * signed-in user, answers from someone who is not an admin, and every
 * request once its session is gone. */
static void
test_refusals (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (gateway_program);
  g_autoptr(LdSession) alice = ld_test_gateway_online_session (gateway, "alice", "viewer", WAIT_MS);
  LdSession *nobody = ld_session_new (NULL, NULL);
  g_autoptr(LdSupport) left = g_object_ref (ld_session_get_support (nobody));
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(GAsyncResult) result = NULL;

    ld_support_contact_support_async (left, "hello?", NULL, NULL, ld_test_store_result, &result);
    WAIT_UNTIL (result != NULL);
    g_assert_null (ld_support_contact_support_finish (left, result, &error));
    g_assert_error (error, LD_SESSION_ERROR, LD_SESSION_ERROR_SIGNED_OUT);
    g_clear_error (&error);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;

    ld_support_reply_to_ticket_async (ld_session_get_support (alice), "alice", "I answer myself", NULL,
                                      ld_test_store_result, &result);
    WAIT_UNTIL (result != NULL);
    g_assert_false (ld_support_reply_to_ticket_finish (ld_session_get_support (alice), result, &error));
    g_assert_error (error, LD_SESSION_ERROR, LD_SESSION_ERROR_NOT_ALLOWED);
    g_clear_error (&error);
    /* Nothing of it went into her conversation. */
    g_assert_cmpuint (n_items (ld_support_get_tickets (ld_session_get_support (alice))), ==, 0);
  }
  {
    g_autoptr(GAsyncResult) result = NULL;

    g_object_unref (nobody);
    ld_support_load_tickets_async (left, FALSE, NULL, ld_test_store_result, &result);
    WAIT_UNTIL (result != NULL);
    g_assert_false (ld_support_load_tickets_finish (left, result, &error));
    g_assert_error (error, LD_SESSION_ERROR, LD_SESSION_ERROR_NETWORK);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, ==, 2);
  gateway_program = argv[1];

  g_test_add_func ("/ld/support/answered", test_support);
  g_test_add_func ("/ld/support/two-admins", test_two_admins);
  g_test_add_func ("/ld/support/reconnect", test_reconnect);
  g_test_add_func ("/ld/support/pages", test_pages);
  g_test_add_func ("/ld/support/no-ticket", test_no_ticket);
  g_test_add_func ("/ld/support/refusals", test_refusals);

  return g_test_run ();
}
