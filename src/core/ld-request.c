/* ld-request.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n-lib.h>

#include "ld-envelope.h"
#include "ld-request.h"
#include "ld-session.h"

struct _LdRequests
{
  GObject    parent_instance;

  SioClient *client;
  guint      timeout_ms;

  /* Requests waiting for the connection to be usable (GTask). */
  GQueue     waiting;
  /* Requests sent, waiting for their answer (GTask), oldest first. */
  GQueue     sent;
};

G_DEFINE_FINAL_TYPE (LdRequests, ld_requests, G_TYPE_OBJECT)

typedef struct
{
  LdRequests    *owner;  /* while sent; cleared when it closes */
  char          *event;
  JsonObject    *payload;
  const char    *reply_event;
  char          *error_event;
  gboolean       settled;
  LdRequestDone  done;
} Request;

static void
request_free (Request *request)
{
  g_free (request->event);
  g_free (request->error_event);
  g_clear_pointer (&request->payload, json_object_unref);
  g_free (request);
}

void
ld_request_prepare (GTask         *task,
                    const char    *event,
                    JsonObject    *payload,
                    const char    *reply_event,
                    LdRequestDone  done)
{
  Request *request;

  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (event != NULL && payload != NULL && done != NULL);

  request = g_new0 (Request, 1);
  request->event = g_strdup (event);
  request->payload = json_object_ref (payload);
  request->reply_event = reply_event;
  request->error_event = g_strconcat (event, "Error", NULL);
  request->done = done;
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
}

/* ARGS: the answer; NULL with TRANSPORT_ERROR when there was none.
 * REFUSAL: it came as "<event>Error", a refusal whatever it carries. */
static void
settle (GTask     *task,
        JsonArray *args,
        GError    *transport_error,
        gboolean   refusal)
{
  Request *request = g_task_get_task_data (task);
  JsonNode *first;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) data = NULL;

  request->settled = TRUE;
  if (request->owner != NULL && g_queue_remove (&request->owner->sent, task))
    g_object_unref (task);

  if (args == NULL)
    {
      g_autoptr(GError) network = g_error_new (LD_SESSION_ERROR, LD_SESSION_ERROR_NETWORK,
                                               _("No answer from the server: %s"), transport_error->message);

      request->done (task, NULL, network);
      return;
    }

  first = json_array_get_length (args) > 0 ? json_array_get_element (args, 0) : NULL;
  if (!ld_envelope_read (first, _("The server refused the request"), &data, NULL, &error))
    request->done (task, NULL, error);
  else if (refusal)
    {
      g_autoptr(GError) refused = g_error_new_literal (LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_OTHER,
                                                       _("The server refused the request"));

      request->done (task, NULL, refused);
    }
  else
    request->done (task, data, NULL);
}

static void
on_acked (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) args = NULL;

  args = sio_client_emit_with_ack_finish (SIO_CLIENT (source), result, NULL, &error);
  if (!request->settled)
    settle (task, args, error, FALSE);
}

static void
send_request (LdRequests *self,
              GTask      *task)
{
  Request *request = g_task_get_task_data (task);
  g_autoptr(JsonArray) args = json_array_new ();

  if (self->client == NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, _("Not connected"));

      settle (task, NULL, error, FALSE);
      return;
    }

  request->owner = self;
  json_array_add_object_element (args, json_object_ref (request->payload));
  g_queue_push_tail (&self->sent, g_object_ref (task));
  sio_client_emit_with_ack_async (self->client, request->event, args, NULL, self->timeout_ms,
                                  g_task_get_cancellable (task), on_acked, g_object_ref (task));
}

void
ld_requests_submit (LdRequests *self,
                    GTask      *task,
                    gboolean    online)
{
  g_return_if_fail (LD_IS_REQUESTS (self));
  g_return_if_fail (G_IS_TASK (task) && g_task_get_task_data (task) != NULL);

  if (online)
    send_request (self, task);
  else
    g_queue_push_tail (&self->waiting, g_object_ref (task));
}

void
ld_requests_run_waiting (LdRequests *self)
{
  GTask *task;

  g_return_if_fail (LD_IS_REQUESTS (self));

  while ((task = g_queue_pop_head (&self->waiting)) != NULL)
    {
      send_request (self, task);
      g_object_unref (task);
    }
}

gboolean
ld_requests_settle_by_event (LdRequests *self,
                             const char *event,
                             JsonNode   *payload)
{
  g_return_val_if_fail (LD_IS_REQUESTS (self), FALSE);

  for (GList *l = self->sent.head; l != NULL; l = l->next)
    {
      GTask *task = l->data;
      Request *request = g_task_get_task_data (task);

      if (g_strcmp0 (request->reply_event, event) == 0 || g_strcmp0 (request->error_event, event) == 0)
        {
          g_autoptr(GTask) hold = g_object_ref (task);
          g_autoptr(JsonArray) args = json_array_new ();

          json_array_add_element (args, payload != NULL ? json_node_copy (payload) : json_node_new (JSON_NODE_NULL));
          settle (task, args, NULL, g_strcmp0 (request->error_event, event) == 0);
          return TRUE;
        }
    }
  return FALSE;
}

void
ld_requests_fail_waiting (LdRequests *self,
                          GQuark      domain,
                          int         code,
                          const char *message)
{
  GTask *task;

  g_return_if_fail (LD_IS_REQUESTS (self));

  while ((task = g_queue_pop_head (&self->waiting)) != NULL)
    {
      g_task_return_new_error (task, domain, code, "%s", message);
      g_object_unref (task);
    }
}

void
ld_requests_close (LdRequests *self,
                   const char *message)
{
  GTask *task;

  g_return_if_fail (LD_IS_REQUESTS (self));

  ld_requests_fail_waiting (self, G_IO_ERROR, G_IO_ERROR_CANCELLED, message);
  while ((task = g_queue_pop_head (&self->sent)) != NULL)
    {
      Request *request = g_task_get_task_data (task);

      request->owner = NULL;
      g_object_unref (task);
    }
  g_clear_object (&self->client);
}

void
ld_requests_set_client (LdRequests *self,
                        SioClient  *client)
{
  g_return_if_fail (LD_IS_REQUESTS (self));
  g_return_if_fail (client == NULL || SIO_IS_CLIENT (client));

  g_set_object (&self->client, client);
}

void
ld_requests_set_timeout (LdRequests *self,
                         guint       timeout_ms)
{
  g_return_if_fail (LD_IS_REQUESTS (self));

  self->timeout_ms = timeout_ms;
}

static void
ld_requests_dispose (GObject *object)
{
  LdRequests *self = LD_REQUESTS (object);

  ld_requests_close (self, _("The session was closed"));

  G_OBJECT_CLASS (ld_requests_parent_class)->dispose (object);
}

static void
ld_requests_class_init (LdRequestsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ld_requests_dispose;
}

static void
ld_requests_init (LdRequests *self)
{
  self->timeout_ms = LD_REQUEST_TIMEOUT_MS;
  g_queue_init (&self->waiting);
  g_queue_init (&self->sent);
}

LdRequests *
ld_requests_new (void)
{
  return g_object_new (LD_TYPE_REQUESTS, NULL);
}
