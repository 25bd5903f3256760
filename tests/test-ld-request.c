/* test-ld-request.c: LdRequests on a SioClient against the official
 * socket.io server (session-peer.mjs), which answers with the guide's
 * events instead of acks: a reply event, an "<event>Error", none at all.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-request.h"
#include "ld-session.h"
#include "ld-test-util.h"
#include "test-peer.h"

#define WAIT_MS 30000
#define WAIT_UNTIL(cond) LD_TEST_WAIT_UNTIL (cond, WAIT_MS)

typedef struct
{
  TestPeer   *peer;
  SioClient  *client;
  LdRequests *requests;
  gboolean    connected;
} Fixture;

static void
on_connect (SioClient  *client,
            const char *nsp,
            Fixture    *f)
{
  f->connected = TRUE;
}

/* What the owner does: events the requests wait for go to them. */
static void
on_event (SioClient    *client,
          const char   *nsp,
          const char   *event,
          JsonArray    *args,
          GPtrArray    *attachments,
          SioClientAck *ack,
          Fixture      *f)
{
  JsonNode *first = args != NULL && json_array_get_length (args) > 0 ? json_array_get_element (args, 0) : NULL;

  if (f->requests != NULL)
    ld_requests_settle_by_event (f->requests, event, first);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *url = NULL;

  f->peer = test_peer_start ("session-peer.mjs", NULL);
  url = g_strdup_printf ("http://127.0.0.1:%u", test_peer_get_port (f->peer));
  f->client = sio_client_new (url, "/socket");
  g_signal_connect (f->client, "connect", G_CALLBACK (on_connect), f);
  g_signal_connect (f->client, "event", G_CALLBACK (on_event), f);
  f->requests = ld_requests_new ();
  ld_requests_set_client (f->requests, f->client);
  sio_client_connect (f->client);
  WAIT_UNTIL (f->connected);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->requests);
  g_signal_handlers_disconnect_by_data (f->client, f);
  sio_client_disconnect (f->client);
  g_clear_object (&f->client);
  g_clear_pointer (&f->peer, test_peer_free);
}

/* The answer, as a task's result: the data object or the error. */
typedef struct
{
  gboolean    done;
  JsonObject *data;
  GError     *error;
} Answer;

static void
answer_clear (Answer *answer)
{
  g_clear_pointer (&answer->data, json_object_unref);
  g_clear_error (&answer->error);
}

static void
done_object (GTask      *task,
             JsonObject *data,
             GError     *error)
{
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_pointer (task, data != NULL ? json_object_ref (data) : NULL,
                           (GDestroyNotify) json_object_unref);
}

static void
on_answer (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Answer *answer = user_data;

  g_assert_false (answer->done);
  answer->done = TRUE;
  answer->data = g_task_propagate_pointer (G_TASK (result), &answer->error);
}

static GTask *
request (const char *event,
         const char *payload_json,
         const char *reply_event,
         Answer     *answer)
{
  g_autoptr(JsonNode) node = json_from_string (payload_json, NULL);
  GTask *task = g_task_new (NULL, NULL, on_answer, answer);

  ld_request_prepare (task, event, json_node_get_object (node), reply_event, done_object);
  return task;
}

/* getRoomInfo is answered by roomInfo, sendGift refused by sendGiftError. */
static void
test_reply_and_error_events (Fixture       *f,
                             gconstpointer  data)
{
  Answer info = { 0 };
  Answer gift = { 0 };
  g_autoptr(GTask) info_task = request ("getRoomInfo", "{\"roomId\":\"room_r\"}", "roomInfo", &info);
  g_autoptr(GTask) gift_task = request ("sendGift", "{\"roomId\":\"room_r\"}", "giftSent", &gift);

  ld_requests_submit (f->requests, info_task, TRUE);
  ld_requests_submit (f->requests, gift_task, TRUE);
  WAIT_UNTIL (info.done && gift.done);

  g_assert_no_error (info.error);
  g_assert_cmpstr (json_object_get_string_member (info.data, "roomId"), ==, "room_r");
  g_assert_cmpstr (json_object_get_string_member (info.data, "title"), ==, "Phòng");
  g_assert_null (gift.data);
  g_assert_error (gift.error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_GIFT);

  /* An event nobody waits for settles nothing. */
  g_assert_false (ld_requests_settle_by_event (f->requests, "roomInfo", NULL));
  answer_clear (&info);
  answer_clear (&gift);
}

/* Offline, a request waits and is not on the wire; once the owner says the
 * connection is usable it goes and is answered. Failing what waits
 * completes it with the owner's error. */
static void
test_waiting (Fixture       *f,
              gconstpointer  data)
{
  Answer first = { 0 };
  Answer second = { 0 };
  g_autoptr(GTask) first_task = request ("getRoomInfo", "{\"roomId\":\"room_w\"}", "roomInfo", &first);
  g_autoptr(GTask) second_task = request ("getRoomInfo", "{\"roomId\":\"room_x\"}", "roomInfo", &second);
  g_autoptr(JsonObject) received = NULL;

  ld_requests_submit (f->requests, first_task, FALSE);
  test_spin (300);
  g_assert_false (first.done);

  ld_requests_run_waiting (f->requests);
  received = test_peer_expect (f->peer, "received", WAIT_MS);
  g_assert_nonnull (received);
  g_assert_cmpstr (json_object_get_string_member (received, "name"), ==, "getRoomInfo");
  WAIT_UNTIL (first.done);
  g_assert_no_error (first.error);
  g_assert_cmpstr (json_object_get_string_member (first.data, "roomId"), ==, "room_w");

  ld_requests_submit (f->requests, second_task, FALSE);
  ld_requests_fail_waiting (f->requests, LD_SESSION_ERROR, LD_SESSION_ERROR_SIGNED_OUT, "Signed out");
  WAIT_UNTIL (second.done);
  g_assert_error (second.error, LD_SESSION_ERROR, LD_SESSION_ERROR_SIGNED_OUT);
  answer_clear (&first);
  answer_clear (&second);
}

/* "<event>Error" is a refusal whatever it carries: the server's code when
 * it says one, a refusal still when it looks like a success. */
static void
test_error_event (Fixture       *f,
                  gconstpointer  data)
{
  Answer coded = { 0 };
  Answer odd = { 0 };
  g_autoptr(GTask) coded_task = request ("viewerPing", "{\"roomId\":\"room_e\"}", NULL, &coded);
  g_autoptr(GTask) odd_task = request ("viewerPing", "{\"roomId\":\"room_e\"}", NULL, &odd);
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) second = NULL;

  ld_requests_submit (f->requests, coded_task, TRUE);
  ld_requests_submit (f->requests, odd_task, TRUE);
  first = test_peer_expect (f->peer, "received", WAIT_MS);
  second = test_peer_expect (f->peer, "received", WAIT_MS);
  g_assert_nonnull (second);
  test_peer_send (f->peer, "{\"cmd\":\"emit\",\"name\":\"viewerPingError\",\"payload\":{\"success\":false,"
                           "\"message\":\"Slow down\",\"error\":{\"code\":\"RATE_LIMITED\",\"message\":\"Slow down\"}}}");
  WAIT_UNTIL (coded.done);
  g_assert_error (coded.error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED);
  g_assert_false (odd.done);
  test_peer_send (f->peer, "{\"cmd\":\"emit\",\"name\":\"viewerPingError\",\"payload\":{\"success\":true}}");
  WAIT_UNTIL (odd.done);
  g_assert_nonnull (odd.error);
  g_assert_null (odd.data);
  answer_clear (&coded);
  answer_clear (&odd);
}

/* No answer at all: the request ends in a network error at its timeout
 * instead of waiting for good. */
static void
test_no_answer (Fixture       *f,
                gconstpointer  data)
{
  Answer answer = { 0 };
  g_autoptr(GTask) task = request ("viewerPing", "{\"roomId\":\"room_n\"}", NULL, &answer);

  ld_requests_set_timeout (f->requests, 500);
  ld_requests_submit (f->requests, task, TRUE);
  WAIT_UNTIL (answer.done);
  g_assert_error (answer.error, LD_SESSION_ERROR, LD_SESSION_ERROR_NETWORK);
  answer_clear (&answer);
}

/* Closing forgets what was sent; an answer coming later still completes
 * its task, without the closed LdRequests. */
static void
test_close (Fixture       *f,
            gconstpointer  data)
{
  Answer answer = { 0 };
  Answer waiting = { 0 };
  g_autoptr(GTask) task = request ("getRoomInfo", "{\"roomId\":\"room_c\"}", "roomInfo", &answer);
  g_autoptr(GTask) waiting_task = request ("getRoomInfo", "{\"roomId\":\"room_d\"}", "roomInfo", &waiting);

  ld_requests_set_timeout (f->requests, 500);
  ld_requests_submit (f->requests, task, TRUE);
  ld_requests_submit (f->requests, waiting_task, FALSE);
  g_clear_object (&f->requests);
  WAIT_UNTIL (waiting.done);
  g_assert_error (waiting.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Nobody settles it by event now: its ack's timeout does. */
  WAIT_UNTIL (answer.done);
  g_assert_error (answer.error, LD_SESSION_ERROR, LD_SESSION_ERROR_NETWORK);
  answer_clear (&answer);
  answer_clear (&waiting);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/request/reply-and-error-events", Fixture, NULL, fixture_set_up, test_reply_and_error_events,
              fixture_tear_down);
  g_test_add ("/request/waiting", Fixture, NULL, fixture_set_up, test_waiting, fixture_tear_down);
  g_test_add ("/request/error-event", Fixture, NULL, fixture_set_up, test_error_event, fixture_tear_down);
  g_test_add ("/request/no-answer", Fixture, NULL, fixture_set_up, test_no_answer, fixture_tear_down);
  g_test_add ("/request/close", Fixture, NULL, fixture_set_up, test_close, fixture_tear_down);

  return g_test_run ();
}
