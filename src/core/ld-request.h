/* ld-request.h: requests to the server and their answers, on one SioClient.
 *
 * A request is an event emitted with an ack; its answer is that ack, or the
 * event the server emits for it instead (a reply event such as roomInfo,
 * or "<event>Error"), whichever comes first: the guide's server may answer
 * either way. The answer's first argument is read as an envelope
 * (ld_envelope_read): a success gives its data, a refusal an
 * LD_CONTRACT_ERROR; no answer within the timeout (or a lost connection)
 * gives LD_SESSION_ERROR_NETWORK.
 *
 * LdRequests holds the requests of one connection: those waiting for it
 * to be usable (signed in) and those sent, waiting for their answer. Its
 * owner says when the connection is usable (ld_requests_run_waiting) and
 * hands it the events it does not handle itself
 * (ld_requests_settle_by_event).
 *
 *   GTask *task = g_task_new (self, cancellable, callback, user_data);
 *
 *   ld_request_prepare (task, "getRoomInfo", payload, "roomInfo", on_answer);
 *   ld_requests_submit (requests, task, online);
 *   g_object_unref (task);
 *
 * where on_answer (task, data, error) returns the task's result.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "sio-client.h"

G_BEGIN_DECLS

/* How long a request waits for its answer by default. */
#define LD_REQUEST_TIMEOUT_MS 20000

/* Called once with the answer's data (NULL if it had none) or an error;
 * owns neither, and returns TASK's result. */
typedef void (*LdRequestDone) (GTask      *task,
                               JsonObject *data,
                               GError     *error);

/* Makes TASK a request for EVENT with PAYLOAD (referenced), answered by its
 * ack, REPLY_EVENT (a static string, may be NULL) or "<EVENT>Error". */
void ld_request_prepare (GTask         *task,
                         const char    *event,
                         JsonObject    *payload,
                         const char    *reply_event,
                         LdRequestDone  done);

#define LD_TYPE_REQUESTS (ld_requests_get_type ())

G_DECLARE_FINAL_TYPE (LdRequests, ld_requests, LD, REQUESTS, GObject)

LdRequests *ld_requests_new             (void);
/* The connection requests are sent on (referenced; NULL for none). */
void        ld_requests_set_client      (LdRequests  *self,
                                         SioClient   *client);
void        ld_requests_set_timeout     (LdRequests  *self,
                                         guint        timeout_ms);
/* Sends a prepared TASK now when ONLINE, else keeps it until
 * ld_requests_run_waiting(). Takes a reference. */
void        ld_requests_submit          (LdRequests  *self,
                                         GTask       *task,
                                         gboolean     online);
/* The connection is usable: sends what waits, oldest first. */
void        ld_requests_run_waiting     (LdRequests  *self);
/* EVENT with PAYLOAD answers the oldest sent request waiting for it (its
 * reply event or its error event): TRUE if one was. */
gboolean    ld_requests_settle_by_event (LdRequests  *self,
                                         const char  *event,
                                         JsonNode    *payload);
/* Fails every request still waiting to be sent with the error given. */
void        ld_requests_fail_waiting    (LdRequests  *self,
                                         GQuark       domain,
                                         int          code,
                                         const char  *message);
/* Closing: fails what waits with G_IO_ERROR_CANCELLED and MESSAGE, and
 * forgets what was sent (its answer, if it still comes, completes it). */
void        ld_requests_close           (LdRequests  *self,
                                         const char  *message);

G_END_DECLS
