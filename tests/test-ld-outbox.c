/* test-ld-outbox.c: the one outbox: order, bound, rooms, echoes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-outbox.h"

static LdMessage *
outgoing (const char *room_id,
          const char *text)
{
  return ld_message_new_outgoing (room_id, "me", "Me", LD_ROLE_VIEWER, LD_MESSAGE_TYPE_TEXT, text);
}

static LdOutboxVerdict
only_room (LdMessage *message,
           gpointer   user_data)
{
  const char *joined = user_data;

  if (g_strcmp0 (ld_message_get_room_id (message), "gone") == 0)
    return LD_OUTBOX_FAIL;
  return g_strcmp0 (ld_message_get_room_id (message), joined) == 0 ? LD_OUTBOX_SEND : LD_OUTBOX_WAIT;
}

/* In the order written; one lost on the wire goes back in its place, before
 * those written after it; a room being re-joined waits, a room left fails. */
static void
test_order_and_rooms (void)
{
  g_autoptr(LdOutbox) outbox = ld_outbox_new (0);
  g_autoptr(LdMessage) a1 = outgoing ("a", "1");
  g_autoptr(LdMessage) b1 = outgoing ("b", "2");
  g_autoptr(LdMessage) a2 = outgoing ("a", "3");
  g_autoptr(LdMessage) gone = outgoing ("gone", "4");
  g_autoptr(LdMessage) taken = NULL;
  g_autoptr(LdMessage) again = NULL;
  g_autoptr(LdMessage) next = NULL;
  g_autoptr(LdMessage) then = NULL;

  g_assert_true (ld_outbox_push (outbox, a1, NULL));
  g_assert_true (ld_outbox_push (outbox, gone, NULL));
  g_assert_true (ld_outbox_push (outbox, b1, NULL));
  g_assert_true (ld_outbox_push (outbox, a2, NULL));
  g_assert_cmpuint (ld_outbox_get_length (outbox), ==, 4);

  taken = ld_outbox_take_next (outbox, only_room, "a", "left");
  g_assert_true (taken == a1);
  /* Lost with the connection: back first. */
  ld_outbox_requeue (outbox, a1);
  again = ld_outbox_take_next (outbox, only_room, "a", "left");
  g_assert_true (again == a1);

  /* Room b is being re-joined: a2 goes, b1 waits; the room left fails. */
  next = ld_outbox_take_next (outbox, only_room, "a", "left");
  g_assert_true (next == a2);
  g_assert_cmpint (ld_message_get_state (gone), ==, LD_MESSAGE_STATE_FAILED);
  g_assert_cmpstr (ld_message_get_failure_reason (gone), ==, "left");
  g_assert_null (ld_outbox_take_next (outbox, only_room, "a", "left"));
  g_assert_cmpuint (ld_outbox_get_length (outbox), ==, 1);
  then = ld_outbox_take_next (outbox, only_room, "b", "left");
  g_assert_true (then == b1);
  g_assert_cmpuint (ld_outbox_get_length (outbox), ==, 0);
}

/* Bounded: past its capacity a new message is refused, one put back is not. */
static void
test_bound (void)
{
  g_autoptr(LdOutbox) outbox = ld_outbox_new (2);
  g_autoptr(LdMessage) m1 = outgoing ("a", "1");
  g_autoptr(LdMessage) m2 = outgoing ("a", "2");
  g_autoptr(LdMessage) m3 = outgoing ("a", "3");
  g_autoptr(LdMessage) taken = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ld_outbox_push (outbox, m1, NULL));
  g_assert_true (ld_outbox_push (outbox, m2, NULL));
  g_assert_true (ld_outbox_is_full (outbox));
  g_assert_false (ld_outbox_push (outbox, m3, &error));
  g_assert_error (error, LD_OUTBOX_ERROR, LD_OUTBOX_ERROR_FULL);

  taken = ld_outbox_take_next (outbox, only_room, "a", "left");
  g_assert_false (ld_outbox_is_full (outbox));
  ld_outbox_requeue (outbox, taken);
  g_assert_cmpuint (ld_outbox_get_length (outbox), ==, 2);

  ld_outbox_fail_room (outbox, "a", "left");
  g_assert_cmpuint (ld_outbox_get_length (outbox), ==, 0);
  g_assert_cmpint (ld_message_get_state (m1), ==, LD_MESSAGE_STATE_FAILED);
}

/* An echo confirms the oldest pending look-alike, on the wire or waiting,
 * once; not a failed one, not another room's. */
static void
test_echo (void)
{
  g_autoptr(LdOutbox) outbox = ld_outbox_new (0);
  g_autoptr(LdMessage) first = outgoing ("a", "hi");
  g_autoptr(LdMessage) second = outgoing ("a", "hi");
  g_autoptr(LdMessage) other_room = outgoing ("b", "yo");
  g_autoptr(LdMessage) on_wire = NULL;
  g_autoptr(LdMessage) match1 = NULL;
  g_autoptr(LdMessage) match2 = NULL;
  g_autoptr(LdMessage) none = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(LdMessage) echo = NULL;
  g_autoptr(LdMessage) echo_b = NULL;

  ld_outbox_push (outbox, first, NULL);
  ld_outbox_push (outbox, second, NULL);
  ld_outbox_push (outbox, other_room, NULL);
  on_wire = ld_outbox_take_next (outbox, only_room, "a", "left");

  g_assert_true (json_parser_load_from_data (parser, "{\"messageId\":\"s1\",\"roomId\":\"a\",\"userId\":\"me\","
                                                     "\"message\":\"hi\"}", -1, NULL));
  echo = ld_message_new_from_json (json_node_get_object (json_parser_get_root (parser)), NULL);
  g_assert_true (json_parser_load_from_data (parser, "{\"messageId\":\"s2\",\"roomId\":\"a\",\"userId\":\"me\","
                                                     "\"message\":\"yo\"}", -1, NULL));
  echo_b = ld_message_new_from_json (json_node_get_object (json_parser_get_root (parser)), NULL);

  match1 = ld_outbox_take_echo (outbox, echo);
  g_assert_true (match1 == first);
  ld_message_mark_sent (first, "s1", NULL);
  ld_message_mark_failed (second, "no");
  match2 = ld_outbox_take_echo (outbox, echo);
  g_assert_null (match2);
  none = ld_outbox_take_echo (outbox, echo_b);
  g_assert_null (none);
}

/* Sent messages are let go of even when no echo ever comes. */
static void
test_settled_released (void)
{
  g_autoptr(LdOutbox) outbox = ld_outbox_new (0);
  LdMessage *first = outgoing ("a", "1");
  g_autoptr(LdMessage) second = outgoing ("a", "2");
  g_autoptr(LdMessage) taken = NULL;

  g_object_add_weak_pointer (G_OBJECT (first), (gpointer *) &first);
  ld_outbox_push (outbox, first, NULL);
  taken = ld_outbox_take_next (outbox, only_room, "a", "left");
  ld_message_mark_sent (taken, "s1", NULL);
  g_clear_object (&taken);
  g_object_unref (first);
  g_assert_nonnull (first);
  ld_outbox_push (outbox, second, NULL);
  g_assert_null (first);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/outbox/order-and-rooms", test_order_and_rooms);
  g_test_add_func ("/outbox/bound", test_bound);
  g_test_add_func ("/outbox/echo", test_echo);
  g_test_add_func ("/outbox/settled-released", test_settled_released);
  return g_test_run ();
}
