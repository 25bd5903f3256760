/* test-ld-tickets.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ld-ticket-model.h"

typedef struct
{
  GListModel *model;
  GPtrArray  *items;
} Mirror;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Mirror     *mirror)
{
  g_assert_cmpuint (position + removed, <=, mirror->items->len);
  g_ptr_array_remove_range (mirror->items, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (mirror->items, position + i, g_list_model_get_item (model, position + i));
}

static void
mirror_check (Mirror *mirror)
{
  g_assert_cmpuint (mirror->items->len, ==, g_list_model_get_n_items (mirror->model));
  for (guint i = 0; i < mirror->items->len; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (mirror->model, i);
      g_assert_true (item == g_ptr_array_index (mirror->items, i));
    }
}

static LdTicket *
chat (LdTicketModel *model,
      const char    *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);
  LdTicket *ticket;

  g_assert_no_error (error);
  ticket = ld_ticket_model_apply_admin_chat (model, json_node_get_object (node), &error);
  g_assert_no_error (error);
  g_assert_nonnull (ticket);
  return ticket;
}

/* User ids in list order. */
static char *
order (GListModel *model)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(LdTicket) ticket = g_list_model_get_item (model, i);

      g_string_append_printf (out, "%s%s", i > 0 ? " " : "", ld_ticket_get_user_id (ticket));
    }

  return g_string_free (out, FALSE);
}

#define assert_order(model, expected) \
  G_STMT_START { \
    g_autofree char *_order = order (G_LIST_MODEL (model)); \
    g_assert_cmpstr (_order, ==, expected); \
  } G_STMT_END

static void
test_grouped_per_user (void)
{
  g_autoptr(LdTicketModel) model = ld_ticket_model_new ();
  Mirror mirror = { G_LIST_MODEL (model), g_ptr_array_new_with_free_func (g_object_unref) };
  LdTicket *lan, *minh;
  LdMessage *reply;
  guint n_unread_notified = 0;

  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &mirror);
  g_signal_connect_swapped (model, "notify::n-unread", G_CALLBACK (g_atomic_int_inc), &n_unread_notified);

  lan = chat (model, "{\"ticketId\":\"t1\",\"userId\":\"u1\",\"username\":\"Lan\",\"message\":\"Không nạp được tiền\","
                     "\"supportType\":\"payment\",\"timestamp\":\"2026-11-26T10:00:00Z\"}");
  minh = chat (model, "{\"ticketId\":\"t2\",\"userId\":\"u2\",\"username\":\"Minh\",\"message\":\"Hello\","
                      "\"timestamp\":\"2026-11-26T10:01:00Z\"}");
  assert_order (model, "u2 u1");
  mirror_check (&mirror);
  g_assert_cmpstr (ld_ticket_get_support_type (minh), ==, "general");
  g_assert_cmpuint (ld_ticket_model_get_n_unread (model), ==, 2);

  /* Lan writes again: same ticket, to the top, two unread. */
  g_assert_true (chat (model, "{\"ticketId\":\"t3\",\"userId\":\"u1\",\"username\":\"Lan\",\"message\":\"Còn đó không?\","
                              "\"supportType\":\"payment\",\"timestamp\":\"2026-11-26T10:02:00Z\"}") == lan);
  assert_order (model, "u1 u2");
  mirror_check (&mirror);
  g_assert_cmpuint (g_list_model_get_n_items (ld_ticket_get_messages (lan)), ==, 2);
  g_assert_cmpuint (ld_ticket_get_unread_count (lan), ==, 2);
  g_assert_cmpstr (ld_ticket_get_ticket_id (lan), ==, "t3");
  g_assert_cmpint (g_date_time_get_minute (ld_ticket_get_updated (lan)), ==, 2);
  {
    g_autoptr(LdMessage) first = g_list_model_get_item (ld_ticket_get_messages (lan), 0);

    g_assert_cmpstr (ld_message_get_text (first), ==, "Không nạp được tiền");
    g_assert_cmpstr (ld_message_get_username (first), ==, "Lan");
    g_assert_false (ld_message_get_is_own (first));
  }

  ld_ticket_mark_read (lan);
  g_assert_cmpuint (ld_ticket_get_unread_count (lan), ==, 0);
  g_assert_cmpuint (ld_ticket_model_get_n_unread (model), ==, 1);

  /* An admin replies to Minh: Minh's ticket goes to the top. */
  reply = ld_ticket_model_add_reply (model, "u2", "admin1", "Admin", "Chào bạn");
  g_assert_nonnull (reply);
  g_assert_true (ld_message_get_is_own (reply));
  g_assert_cmpint (ld_message_get_state (reply), ==, LD_MESSAGE_STATE_PENDING);
  g_assert_cmpstr (ld_message_get_room_id (reply), ==, "t2");
  g_assert_nonnull (ld_message_get_local_id (reply));
  assert_order (model, "u2 u1");
  mirror_check (&mirror);
  g_assert_cmpuint (ld_ticket_get_unread_count (minh), ==, 1);
  g_assert_null (ld_ticket_model_add_reply (model, "nobody", "admin1", "Admin", "?"));

  /* Resolved, then reopened by the user's next message. */
  ld_ticket_set_resolved (minh, TRUE);
  g_assert_true (ld_ticket_get_resolved (minh));
  chat (model, "{\"ticketId\":\"t2\",\"userId\":\"u2\",\"message\":\"Lại lỗi\"}");
  g_assert_false (ld_ticket_get_resolved (minh));
  /* A message without a username keeps the known name. */
  g_assert_cmpstr (ld_ticket_get_username (minh), ==, "Minh");

  g_assert_true (ld_ticket_model_lookup (model, "u1") == lan);
  g_assert_null (ld_ticket_model_lookup (model, "u3"));
  g_assert_cmpuint (n_unread_notified, >=, 3);

  g_signal_handlers_disconnect_by_data (model, &mirror);
  g_ptr_array_unref (mirror.items);
}

static void
test_malformed (void)
{
  g_autoptr(LdTicketModel) model = ld_ticket_model_new ();
  static const struct {
    const char *json;
    int         code;
    const char *mentions;
  } bad[] = {
    { "{\"userId\":\"u1\",\"message\":\"x\"}", LD_PAYLOAD_ERROR_MISSING_FIELD, "ticketId" },
    { "{\"ticketId\":\"t\",\"message\":\"x\"}", LD_PAYLOAD_ERROR_MISSING_FIELD, "userId" },
    { "{\"ticketId\":\"t\",\"userId\":\"u1\"}", LD_PAYLOAD_ERROR_MISSING_FIELD, "message" },
    { "{\"ticketId\":\"t\",\"userId\":\"u1\",\"message\":[\"x\"]}", LD_PAYLOAD_ERROR_WRONG_TYPE, "message" },
    { "{\"ticketId\":\"t\",\"userId\":\"u1\",\"message\":\"x\",\"supportType\":3}", LD_PAYLOAD_ERROR_WRONG_TYPE, "supportType" },
    { "{\"ticketId\":\"t\",\"userId\":\"u1\",\"message\":\"x\",\"timestamp\":\"26/11/2026\"}", LD_PAYLOAD_ERROR_INVALID_VALUE, "timestamp" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = json_from_string (bad[i].json, &error);

      g_assert_no_error (error);
      g_assert_null (ld_ticket_model_apply_admin_chat (model, json_node_get_object (node), &error));
      g_test_message ("case %u: %s", i, error->message);
      g_assert_error (error, LD_PAYLOAD_ERROR, bad[i].code);
      g_assert_nonnull (strstr (error->message, bad[i].mentions));
    }

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
}

static JsonObject *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

#define TICKET(id, user, status, assignee, created) \
  "{\"ticketId\":\"" id "\",\"userId\":\"" user "\",\"username\":\"" user "\",\"supportType\":\"general\"," \
  "\"status\":\"" status "\",\"assignee\":" assignee ",\"createdAt\":\"" created "\",\"updatedAt\":\"" created "\"}"

/* The server's pages: the newest on top, older ones below, a reconnect's
 * newest page merging with what is there; live messages and updates. */
static void
test_server_pages (void)
{
  g_autoptr(LdTicketModel) model = ld_ticket_model_new ();
  Mirror mirror = { G_LIST_MODEL (model), g_ptr_array_new_with_free_func (g_object_unref) };
  g_autoptr(JsonObject) first = parse ("{\"tickets\":[" TICKET ("t3", "u3", "open", "null", "2026-11-26T10:03:00Z") ","
                                       TICKET ("t2", "u2", "open", "\"ada\"", "2026-11-26T10:02:00Z") "],"
                                       "\"nextBefore\":\"2026-11-26T10:02:00Z\"}");
  g_autoptr(JsonObject) older = parse ("{\"tickets\":[" TICKET ("t1", "u1", "resolved", "\"mia\"", "2026-11-26T10:01:00Z") ","
                                       "7,{\"ticketId\":\"bad\"}],\"nextBefore\":null}");
  g_autoptr(JsonObject) again = parse ("{\"tickets\":[" TICKET ("t4", "u2", "open", "null", "2026-11-26T10:04:00Z") ","
                                       TICKET ("t3", "u3", "open", "\"mia\"", "2026-11-26T10:03:00Z") "],"
                                       "\"nextBefore\":\"2026-11-26T10:03:00Z\"}");
  g_autoptr(JsonObject) message = parse ("{\"ticketId\":\"t2\",\"userId\":\"u2\",\"from\":\"u2\",\"fromId\":\"u2\","
                                         "\"fromRole\":\"viewer\",\"message\":\"Hi\",\"timestamp\":\"2026-11-26T10:05:00Z\"}");
  g_autoptr(JsonObject) update = parse ("{\"ticketId\":\"t2\",\"status\":\"resolved\",\"assignee\":null,\"by\":\"ada\"}");
  g_autoptr(JsonObject) history = parse ("{\"ticketId\":\"t1\",\"userId\":\"u1\",\"status\":\"resolved\",\"messages\":["
                                         "{\"from\":\"u1\",\"fromId\":\"u1\",\"fromRole\":\"viewer\",\"message\":\"a\",\"timestamp\":\"2026-11-26T10:01:00Z\"},"
                                         "{\"from\":\"mia\",\"fromId\":\"mia\",\"fromRole\":\"admin\",\"message\":\"b\",\"timestamp\":\"2026-11-26T10:01:30Z\"}]}");
  g_autoptr(GError) error = NULL;
  gboolean added;
  LdTicket *ticket;

  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed), &mirror);

  g_assert_true (ld_ticket_model_apply_page (model, first, FALSE, &error));
  g_assert_no_error (error);
  assert_order (model, "u3 u2");
  g_assert_cmpstr (ld_ticket_model_get_next_before (model), ==, "2026-11-26T10:02:00Z");
  g_assert_cmpstr (ld_ticket_get_assignee (ld_ticket_model_lookup_id (model, "t2")), ==, "ada");
  g_assert_null (ld_ticket_get_assignee (ld_ticket_model_lookup_id (model, "t3")));

  /* An older page goes below; its malformed tickets are skipped. */
  g_assert_true (ld_ticket_model_apply_page (model, older, TRUE, &error));
  assert_order (model, "u3 u2 u1");
  g_assert_null (ld_ticket_model_get_next_before (model));
  g_assert_true (ld_ticket_get_resolved (ld_ticket_model_lookup_id (model, "t1")));
  mirror_check (&mirror);

  /* After a reconnect: a new ticket on top, a changed one updated, and the
   * paging where it was. */
  g_assert_true (ld_ticket_model_apply_page (model, again, FALSE, &error));
  assert_order (model, "u2 u3 u2 u1");
  g_assert_cmpstr (ld_ticket_get_assignee (ld_ticket_model_lookup_id (model, "t3")), ==, "mia");
  g_assert_null (ld_ticket_model_get_next_before (model));
  mirror_check (&mirror);

  /* A live message: to the top, unread; the same message again is not added. */
  ticket = ld_ticket_model_apply_ticket_message (model, message, "ada", &added, &error);
  g_assert_no_error (error);
  g_assert_true (added);
  g_assert_true (ticket == ld_ticket_model_lookup_id (model, "t2"));
  g_assert_cmpuint (ld_ticket_get_unread_count (ticket), ==, 1);
  g_assert_true (ld_ticket_model_apply_ticket_message (model, message, "ada", &added, &error) == ticket);
  g_assert_false (added);
  g_assert_cmpuint (g_list_model_get_n_items (ld_ticket_get_messages (ticket)), ==, 1);
  {
    g_autoptr(LdTicket) top = g_list_model_get_item (G_LIST_MODEL (model), 0);

    g_assert_true (top == ticket);
  }
  mirror_check (&mirror);

  g_assert_true (ld_ticket_model_apply_ticket_update (model, update, &error) == ticket);
  g_assert_true (ld_ticket_get_resolved (ticket));
  g_assert_null (ld_ticket_get_assignee (ticket));

  /* The history replaces what a ticket showed. */
  ticket = ld_ticket_model_apply_history (model, history, "mia", &error);
  g_assert_no_error (error);
  g_assert_true (ticket == ld_ticket_model_lookup_id (model, "t1"));
  g_assert_true (ld_ticket_get_history_loaded (ticket));
  g_assert_cmpuint (g_list_model_get_n_items (ld_ticket_get_messages (ticket)), ==, 2);
  {
    g_autoptr(LdMessage) answer = g_list_model_get_item (ld_ticket_get_messages (ticket), 1);

    g_assert_true (ld_message_get_is_own (answer));
    g_assert_cmpint (ld_message_get_role (answer), ==, LD_ROLE_ADMIN);
  }

  g_signal_handlers_disconnect_by_data (model, &mirror);
  g_ptr_array_unref (mirror.items);
}

static void
test_server_malformed (void)
{
  g_autoptr(LdTicketModel) model = ld_ticket_model_new ();
  static const char * const messages[] = {
    "{\"userId\":\"u\",\"fromId\":\"u\",\"message\":\"x\"}",
    "{\"ticketId\":\"t\",\"userId\":\"u\",\"message\":\"x\"}",
    "{\"ticketId\":\"t\",\"userId\":\"u\",\"fromId\":\"u\"}",
    "{\"ticketId\":\"t\",\"userId\":\"u\",\"fromId\":\"u\",\"message\":\"x\",\"ticket\":5}",
    "{\"ticketId\":\"t\",\"userId\":\"u\",\"fromId\":\"u\",\"message\":\"x\",\"timestamp\":\"yesterday\"}",
  };
  static const char * const pages[] = {
    "{}",
    "{\"tickets\":{}}",
    "{\"tickets\":[],\"nextBefore\":3}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      g_autoptr(JsonObject) object = parse (messages[i]);
      g_autoptr(GError) error = NULL;

      g_assert_null (ld_ticket_model_apply_ticket_message (model, object, NULL, NULL, &error));
      g_assert_error (error, LD_PAYLOAD_ERROR, error->code);
    }
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autoptr(JsonObject) object = parse (pages[i]);
      g_autoptr(GError) error = NULL;

      g_assert_false (ld_ticket_model_apply_page (model, object, FALSE, &error));
      g_assert_error (error, LD_PAYLOAD_ERROR, error->code);
    }
  {
    g_autoptr(JsonObject) object = parse ("{\"ticketId\":\"nowhere\",\"status\":\"open\"}");
    g_autoptr(GError) error = NULL;

    g_assert_null (ld_ticket_model_apply_ticket_update (model, object, &error));
    g_assert_nonnull (error);
  }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tickets/grouped-per-user", test_grouped_per_user);
  g_test_add_func ("/tickets/malformed", test_malformed);
  g_test_add_func ("/tickets/server-pages", test_server_pages);
  g_test_add_func ("/tickets/server-malformed", test_server_malformed);

  return g_test_run ();
}
