/* ld-outbox.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n-lib.h>
#include <math.h>

#include "ld-envelope.h"
#include "ld-payload.h"
#include "ld-rate-limit.h"
#include "ld-real-clock.h"
#include "ld-session.h"
#include "ld-validate.h"

#include "ld-outbox-private.h"

#define SEQ_KEY "ld-outbox-seq"
#define REFUSAL_KEY "ld-outbox-refusal-code"

struct _LdOutbox
{
  GObject             parent_instance;

  guint               capacity;
  guint64             next_seq;
  /* To send, oldest first (LdMessage). */
  GQueue              waiting;
  /* Every message of ours still pending, waiting or on the wire, for
   * matching echoes, oldest first. */
  GQueue              pending;

  /* The session's connection (_ld_outbox_attach). */
  const LdOutboxHost *host;
  gpointer            session;
  GCancellable       *cancellable;
  LdClock            *clock;
  /* One message at a time is on the wire, so the server sees them in
   * order and a refusal cannot overtake a later send. */
  struct _Sending    *sending;
  guint               flush_timeout;

  /* The guide's 1/s and 30/min, checked before anything is sent, so the
   * user hears how long to wait instead of a refusal from the server. */
  LdRateLimit        *limiter;
  guint               retry_timeout;
  gint64              notified_retry_ms;
  guint               notified_length;
};

G_DEFINE_FINAL_TYPE (LdOutbox, ld_outbox, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-outbox-error-quark, ld_outbox_error)

enum
{
  PROP_0,
  PROP_LENGTH,
  PROP_RETRY_MS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guint64
seq_of (gconstpointer message)
{
  guint64 *seq = g_object_get_data (G_OBJECT (message), SEQ_KEY);

  return seq != NULL ? *seq : G_MAXUINT64;
}

static int
compare_seq (gconstpointer a,
             gconstpointer b,
             gpointer      user_data)
{
  guint64 sa = seq_of (a);
  guint64 sb = seq_of (b);

  return sa < sb ? -1 : sa > sb;
}

static void
ld_outbox_dispose (GObject *object)
{
  LdOutbox *self = LD_OUTBOX (object);

  _ld_outbox_detach (self);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (ld_outbox_parent_class)->dispose (object);
}

static void
ld_outbox_finalize (GObject *object)
{
  LdOutbox *self = LD_OUTBOX (object);

  g_queue_clear_full (&self->waiting, g_object_unref);
  g_queue_clear_full (&self->pending, g_object_unref);
  g_clear_object (&self->limiter);

  G_OBJECT_CLASS (ld_outbox_parent_class)->finalize (object);
}

static void
ld_outbox_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  LdOutbox *self = LD_OUTBOX (object);

  switch (prop_id)
    {
    case PROP_LENGTH:
      g_value_set_uint (value, ld_outbox_get_length (self));
      break;
    case PROP_RETRY_MS:
      g_value_set_int64 (value, ld_outbox_get_retry_ms (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_outbox_class_init (LdOutboxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = ld_outbox_dispose;
  object_class->finalize = ld_outbox_finalize;
  object_class->get_property = ld_outbox_get_property;

  properties[PROP_LENGTH] = g_param_spec_uint ("length", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_RETRY_MS] = g_param_spec_int64 ("retry-ms", NULL, NULL, 0, G_MAXINT64, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ld_outbox_init (LdOutbox *self)
{
  g_queue_init (&self->waiting);
  g_queue_init (&self->pending);
  self->limiter = ld_rate_limit_new (NULL, 0);
}

static void
notify_length (LdOutbox *self)
{
  guint length = ld_outbox_get_length (self);

  if (length == self->notified_length)
    return;
  self->notified_length = length;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LENGTH]);
}

LdOutbox *
ld_outbox_new (guint capacity)
{
  LdOutbox *self = g_object_new (LD_TYPE_OUTBOX, NULL);

  self->capacity = capacity > 0 ? capacity : LD_OUTBOX_DEFAULT_CAPACITY;
  return self;
}

guint
ld_outbox_get_capacity (LdOutbox *self)
{
  g_return_val_if_fail (LD_IS_OUTBOX (self), 0);

  return self->capacity;
}

guint
ld_outbox_get_length (LdOutbox *self)
{
  g_return_val_if_fail (LD_IS_OUTBOX (self), 0);

  return self->waiting.length + (self->sending != NULL ? 1 : 0);
}

gboolean
ld_outbox_is_full (LdOutbox *self)
{
  g_return_val_if_fail (LD_IS_OUTBOX (self), TRUE);

  return self->waiting.length >= self->capacity;
}

/* Keeps MESSAGE among those an echo may confirm, and lets go of those
 * settled meanwhile, so a quiet room (no echoes) does not hold every
 * message ever sent. */
static void
track (LdOutbox  *self,
       LdMessage *message)
{
  GList *l = self->pending.head;

  while (l != NULL)
    {
      GList *next = l->next;

      if (ld_message_get_state (l->data) != LD_MESSAGE_STATE_PENDING && l->data != (gpointer) message)
        {
          g_object_unref (l->data);
          g_queue_delete_link (&self->pending, l);
        }
      l = next;
    }

  if (g_queue_find (&self->pending, message) == NULL)
    g_queue_insert_sorted (&self->pending, g_object_ref (message), compare_seq, NULL);
}

gboolean
ld_outbox_push (LdOutbox   *self,
                LdMessage  *message,
                GError    **error)
{
  guint64 *seq;

  g_return_val_if_fail (LD_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (LD_IS_MESSAGE (message), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (ld_outbox_is_full (self))
    {
      g_set_error (error, LD_OUTBOX_ERROR, LD_OUTBOX_ERROR_FULL,
                   g_dngettext (GETTEXT_PACKAGE, "%u message is still waiting to be sent",
                                "%u messages are still waiting to be sent", self->capacity),
                   self->capacity);
      return FALSE;
    }

  seq = g_new (guint64, 1);
  *seq = self->next_seq++;
  g_object_set_data_full (G_OBJECT (message), SEQ_KEY, seq, g_free);
  g_queue_push_tail (&self->waiting, g_object_ref (message));
  track (self, message);
  notify_length (self);
  return TRUE;
}

void
ld_outbox_requeue (LdOutbox  *self,
                   LdMessage *message)
{
  g_return_if_fail (LD_IS_OUTBOX (self));
  g_return_if_fail (LD_IS_MESSAGE (message));

  /* One the outbox never saw (a retry from elsewhere) goes last. */
  if (g_object_get_data (G_OBJECT (message), SEQ_KEY) == NULL)
    {
      guint64 *seq = g_new (guint64, 1);

      *seq = self->next_seq++;
      g_object_set_data_full (G_OBJECT (message), SEQ_KEY, seq, g_free);
    }
  if (g_queue_find (&self->waiting, message) == NULL)
    g_queue_insert_sorted (&self->waiting, g_object_ref (message), compare_seq, NULL);
  track (self, message);
  notify_length (self);
}

LdMessage *
ld_outbox_take_next (LdOutbox       *self,
                     LdOutboxFilter  filter,
                     gpointer        user_data,
                     const char     *reason)
{
  GList *l;

  g_return_val_if_fail (LD_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (filter != NULL, NULL);

  l = self->waiting.head;
  while (l != NULL)
    {
      GList *next = l->next;
      LdMessage *message = l->data;
      LdOutboxVerdict verdict = ld_message_get_state (message) == LD_MESSAGE_STATE_PENDING
                                ? filter (message, user_data) : LD_OUTBOX_FAIL;

      if (verdict == LD_OUTBOX_SEND)
        {
          g_queue_delete_link (&self->waiting, l);
          notify_length (self);
          return message;
        }
      if (verdict == LD_OUTBOX_FAIL)
        {
          if (ld_message_get_state (message) == LD_MESSAGE_STATE_PENDING)
            ld_message_mark_failed (message, reason);
          g_queue_delete_link (&self->waiting, l);
          g_object_unref (message);
        }
      l = next;
    }
  notify_length (self);
  return NULL;
}

void
ld_outbox_fail_room (LdOutbox   *self,
                     const char *room_id,
                     const char *reason)
{
  GList *l;

  g_return_if_fail (LD_IS_OUTBOX (self));

  l = self->waiting.head;
  while (l != NULL)
    {
      GList *next = l->next;
      LdMessage *message = l->data;

      if (g_strcmp0 (ld_message_get_room_id (message), room_id) == 0)
        {
          if (ld_message_get_state (message) == LD_MESSAGE_STATE_PENDING)
            ld_message_mark_failed (message, reason);
          g_queue_delete_link (&self->waiting, l);
          g_object_unref (message);
        }
      l = next;
    }
  notify_length (self);
}

LdMessage *
ld_outbox_take_echo (LdOutbox  *self,
                     LdMessage *echo)
{
  GList *l;

  g_return_val_if_fail (LD_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (LD_IS_MESSAGE (echo), NULL);

  l = self->pending.head;
  while (l != NULL)
    {
      GList *next = l->next;
      LdMessage *mine = l->data;

      if (ld_message_get_state (mine) != LD_MESSAGE_STATE_PENDING)
        {
          g_queue_delete_link (&self->pending, l);
          g_object_unref (mine);
        }
      else if (g_strcmp0 (ld_message_get_room_id (mine), ld_message_get_room_id (echo)) == 0 &&
               g_strcmp0 (ld_message_get_user_id (mine), ld_message_get_user_id (echo)) == 0 &&
               ld_message_get_message_type (mine) == ld_message_get_message_type (echo) &&
               g_strcmp0 (ld_message_get_text (mine), ld_message_get_text (echo)) == 0 &&
               g_strcmp0 (ld_message_get_image_url (mine), ld_message_get_image_url (echo)) == 0)
        {
          g_queue_delete_link (&self->pending, l);
          return mine;
        }
      l = next;
    }
  return NULL;
}

void
ld_outbox_clear (LdOutbox *self)
{
  g_return_if_fail (LD_IS_OUTBOX (self));

  g_queue_clear_full (&self->waiting, g_object_unref);
  g_queue_clear_full (&self->pending, g_object_unref);
  notify_length (self);
}

const char *
ld_outbox_get_refusal_code (LdMessage *message)
{
  g_return_val_if_fail (LD_IS_MESSAGE (message), NULL);

  if (ld_message_get_state (message) != LD_MESSAGE_STATE_FAILED)
    return NULL;
  return g_object_get_data (G_OBJECT (message), REFUSAL_KEY);
}

/* Sending */

static LdClock *
get_clock (LdOutbox *self)
{
  if (self->clock == NULL)
    self->clock = ld_real_clock_new ();
  return self->clock;
}

static void flush (LdOutbox *self);

/* The message on the wire. Its answer is the ack or the messageSent /
 * sendMessageError event, whichever comes first (the guide's server may not
 * answer acks); one message at a time makes the event unambiguous. */
typedef struct _Sending
{
  LdOutbox  *self;
  LdMessage *message;
  gboolean   settled;
  guint      ref_count;
} Sending;

static void
sending_unref (Sending *sending)
{
  if (--sending->ref_count > 0)
    return;
  g_clear_object (&sending->message);
  g_free (sending);
}

static void
stop_sending (LdOutbox *self)
{
  if (self->flush_timeout != 0)
    ld_clock_remove (get_clock (self), self->flush_timeout);
  self->flush_timeout = 0;
  if (self->retry_timeout != 0)
    ld_clock_remove (get_clock (self), self->retry_timeout);
  self->retry_timeout = 0;
  if (self->sending != NULL)
    {
      /* Its ack, if it still comes, finds it settled. */
      self->sending->settled = TRUE;
      sending_unref (g_steal_pointer (&self->sending));
    }
}

static void
on_flush_due (gpointer user_data)
{
  LdOutbox *self = user_data;

  self->flush_timeout = 0;
  flush (self);
}

static void
flush_later (LdOutbox *self,
             guint     delay_ms)
{
  if (self->flush_timeout == 0)
    self->flush_timeout = ld_clock_add_timeout (get_clock (self), delay_ms, on_flush_due, self, NULL);
}

static LdRoom *
lookup_room (LdOutbox   *self,
             const char *room_id)
{
  if (self->host == NULL || room_id == NULL)
    return NULL;
  return self->host->lookup_room (self->session, room_id);
}

/* ARGS: the answer (an envelope first), or NULL when the connection went. */
static void
settle (LdOutbox  *self,
        JsonArray *args)
{
  Sending *sending = g_steal_pointer (&self->sending);
  g_autoptr(LdMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) data = NULL;
  JsonNode *first;
  gint64 retry_ms = 0;

  if (sending == NULL)
    return;
  sending->settled = TRUE;
  message = g_object_ref (sending->message);
  sending_unref (sending);
  notify_length (self);

  /* Already confirmed by its echo, or deleted meanwhile. */
  if (ld_message_get_state (message) != LD_MESSAGE_STATE_PENDING)
    {
      flush (self);
      return;
    }

  if (args == NULL)
    {
      /* Lost with the connection: it goes again, in order, after the re-join
       * (whose history confirms it instead if the server got it). */
      ld_outbox_requeue (self, message);
      flush (self);
      return;
    }

  first = json_array_get_length (args) > 0 ? json_array_get_element (args, 0) : NULL;
  if (!ld_envelope_read (first, _("The server refused the request"), &data, &retry_ms, &error))
    {
      if (g_error_matches (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_UNAUTHENTICATED) ||
          g_error_matches (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_TOKEN_EXPIRED))
        ld_outbox_requeue (self, message);
      else if (g_error_matches (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED))
        {
          /* Sent too fast (after a reconnect, say): it waits its turn rather than failing. */
          ld_outbox_requeue (self, message);
          flush_later (self, retry_ms > 0 ? (guint) MIN (retry_ms, 60000) : 1000);
          return;
        }
      else
        {
          g_object_set_data (G_OBJECT (message), REFUSAL_KEY,
                             (gpointer) (error->domain == LD_CONTRACT_ERROR &&
                                         ld_contract_error_to_code (error->code) != NULL
                                         ? ld_contract_error_to_code (error->code) : "ERROR"));
          ld_message_mark_failed (message, error->message);
        }
      flush (self);
      return;
    }

  {
    const char *message_id = data != NULL ? json_object_get_string_member_with_default (data, "messageId", NULL) : NULL;
    g_autoptr(GDateTime) timestamp = NULL;

    if (data != NULL)
      ld_payload_get_datetime (data, "messageSent", "timestamp", FALSE, &timestamp, NULL);
    if (message_id != NULL)
      {
        LdRoom *room = lookup_room (self, ld_message_get_room_id (message));

        if (room != NULL)
          ld_chat_model_mark_sent (ld_room_get_chat (room), ld_message_get_local_id (message), message_id, timestamp);
      }
  }
  flush (self);
}

static void
on_message_acked (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Sending *sending = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) args = sio_client_emit_with_ack_finish (SIO_CLIENT (source), result, NULL, &error);
  LdOutbox *self = sending->self;

  if (sending->settled || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      sending_unref (sending);
      return;
    }

  sending_unref (sending);
  settle (self, args);
}

/* Messages of rooms being re-joined wait their turn, those of rooms left
 * fail. */
static LdOutboxVerdict
may_send (LdMessage *message,
          gpointer   user_data)
{
  LdRoom *room = lookup_room (user_data, ld_message_get_room_id (message));

  if (room == NULL || ld_room_get_banned (room))
    return LD_OUTBOX_FAIL;
  return ld_room_get_joined (room) ? LD_OUTBOX_SEND : LD_OUTBOX_WAIT;
}

static char *
now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static void
flush (LdOutbox *self)
{
  LdMessage *message;
  SioClient *client;

  if (self->host == NULL || !self->host->is_online (self->session) || self->sending != NULL ||
      self->flush_timeout != 0)
    return;
  client = self->host->get_client (self->session);
  if (client == NULL)
    return;

  while (self->sending == NULL &&
         (message = ld_outbox_take_next (self, may_send, self, _("You left the room before this was sent"))) != NULL)
    {
      g_autoptr(LdMessage) owned = message;
      g_autoptr(JsonObject) payload = NULL;
      g_autoptr(JsonArray) args = NULL;
      g_autofree char *timestamp = NULL;
      const char *user_id = NULL;
      const char *username = NULL;
      const char *own_id = NULL;
      LdRole role;
      gboolean image;
      Sending *sending;

      self->host->get_user (self->session, &user_id, &username, &role, &own_id);
      image = ld_message_get_message_type (message) == LD_MESSAGE_TYPE_IMAGE;
      timestamp = now_iso8601 ();
      payload = json_object_new ();
      json_object_set_string_member (payload, "roomId", ld_message_get_room_id (message));
      json_object_set_string_member (payload, "userId", user_id);
      json_object_set_string_member (payload, "username", username);
      if (image)
        {
          json_object_set_string_member (payload, "imageUrl", ld_message_get_image_url (message));
          json_object_set_string_member (payload, "messageType", "image");
        }
      else
        json_object_set_string_member (payload, "message", ld_message_get_text (message));
      json_object_set_string_member (payload, "timestamp", timestamp);
      args = json_array_new ();
      json_array_add_object_element (args, g_steal_pointer (&payload));

      sending = g_new0 (Sending, 1);
      sending->self = self;
      sending->message = g_object_ref (message);
      /* One for self->sending, one for the ack callback. */
      sending->ref_count = 2;
      self->sending = sending;
      sio_client_emit_with_ack_async (client, image ? "sendImageMessage" : "sendMessage", args, NULL,
                                      LD_SESSION_REQUEST_TIMEOUT_MS, self->cancellable, on_message_acked, sending);
    }
  notify_length (self);
}

void
_ld_outbox_attach (LdOutbox           *self,
                   const LdOutboxHost *host,
                   gpointer            session,
                   GCancellable       *cancellable,
                   LdClock            *clock)
{
  g_return_if_fail (LD_IS_OUTBOX (self));
  g_return_if_fail (host != NULL);

  self->host = host;
  self->session = session;
  g_set_object (&self->cancellable, cancellable);
  if (clock != NULL)
    g_set_object (&self->clock, clock);
}

void
_ld_outbox_detach (LdOutbox *self)
{
  g_return_if_fail (LD_IS_OUTBOX (self));

  stop_sending (self);
  self->host = NULL;
  self->session = NULL;
  g_clear_object (&self->cancellable);
  g_queue_clear_full (&self->waiting, g_object_unref);
  g_queue_clear_full (&self->pending, g_object_unref);
}

void
_ld_outbox_flush (LdOutbox *self)
{
  g_return_if_fail (LD_IS_OUTBOX (self));

  flush (self);
}

void
_ld_outbox_settle (LdOutbox *self,
                   JsonNode *answer)
{
  g_autoptr(JsonArray) args = json_array_new ();

  g_return_if_fail (LD_IS_OUTBOX (self));
  g_return_if_fail (answer != NULL);

  json_array_add_element (args, json_node_copy (answer));
  settle (self, args);
}

/* Rate limits */

static void notify_retry (LdOutbox *self);

static void
on_retry_due (gpointer user_data)
{
  LdOutbox *self = user_data;

  self->retry_timeout = 0;
  notify_retry (self);
}

/* Says when the wait changed, and again when it ends. */
static void
notify_retry (LdOutbox *self)
{
  gint64 retry_ms = ld_outbox_get_retry_ms (self);

  if (self->retry_timeout != 0)
    ld_clock_remove (get_clock (self), self->retry_timeout);
  self->retry_timeout = 0;
  if (retry_ms > 0)
    self->retry_timeout = ld_clock_add_timeout (get_clock (self), (guint) MIN (retry_ms, G_MAXUINT),
                                                on_retry_due, self, NULL);
  if (retry_ms == self->notified_retry_ms)
    return;
  self->notified_retry_ms = retry_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RETRY_MS]);
}

gint64
ld_outbox_get_retry_ms (LdOutbox *self)
{
  LdRateWindow hit;
  gint64 retry_ms = 0;

  g_return_val_if_fail (LD_IS_OUTBOX (self), 0);

  if (ld_rate_limit_check (self->limiter, "self", ld_clock_get_time_ms (get_clock (self)), &hit, &retry_ms))
    return 0;
  return MAX (retry_ms, 1);
}

gboolean
_ld_outbox_check_rate (LdOutbox  *self,
                       GError   **error)
{
  LdRateWindow hit;
  gint64 retry_ms = 0;
  gboolean allowed;

  g_return_val_if_fail (LD_IS_OUTBOX (self), FALSE);

  allowed = ld_rate_limit_try (self->limiter, "self", ld_clock_get_time_ms (get_clock (self)), &hit, &retry_ms);
  notify_retry (self);
  if (allowed)
    return TRUE;

  if (hit.max_events == 1 && hit.period_ms == 1000)
    g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED,
                 _("At most one message a second: wait %.1f s"), retry_ms / 1000.0);
  else
    g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED,
                 g_dngettext (GETTEXT_PACKAGE, "At most %u message a minute: wait %.0f s",
                              "At most %u messages a minute: wait %.0f s", hit.max_events),
                 hit.max_events, ceil (retry_ms / 1000.0));
  return FALSE;
}

/* Checks */

void
_ld_outbox_contract_error (GError **error,
                           GError  *validation,
                           guint    max_chars)
{
  const char *detail = validation->message;

  switch ((LdContractError) validation->code)
    {
    case LD_CONTRACT_ERROR_EMPTY_MESSAGE:
      g_set_error_literal (error, LD_CONTRACT_ERROR, validation->code, _("The message is empty"));
      break;
    case LD_CONTRACT_ERROR_MESSAGE_TOO_LONG:
      g_set_error (error, LD_CONTRACT_ERROR, validation->code,
                   g_dngettext (GETTEXT_PACKAGE, "The message is longer than %u character",
                                "The message is longer than %u characters", max_chars),
                   max_chars);
      break;
    case LD_CONTRACT_ERROR_FORBIDDEN_CONTENT:
      g_set_error_literal (error, LD_CONTRACT_ERROR, validation->code,
                           _("The message contains script or markup that is not allowed"));
      break;
    case LD_CONTRACT_ERROR_INVALID_IMAGE_URL:
      g_set_error (error, LD_CONTRACT_ERROR, validation->code,
                   _("Only https images on imgur.com or cloudinary.com ending in .jpg, .jpeg, .png, .gif or .webp can be sent (%s)"),
                   detail);
      break;
    case LD_CONTRACT_ERROR_INVALID_GIFT:
      g_set_error (error, LD_CONTRACT_ERROR, validation->code, _("The gift cannot be sent: %s"), detail);
      break;
    case LD_CONTRACT_ERROR_INVALID_PAYLOAD:
      g_set_error (error, LD_CONTRACT_ERROR, validation->code, _("Not a valid request: %s"), detail);
      break;
    default:
      g_set_error_literal (error, LD_CONTRACT_ERROR, validation->code, detail);
      break;
    }
}

/* The checked, sanitised text: what the guide's clients send and what the
 * server's echo carries, so the echo matches the pending copy. */
char *
_ld_outbox_checked_text (const char  *text,
                         guint        max_chars,
                         GError     **error)
{
  g_autoptr(GError) validation = NULL;
  char *clean = ld_validate_text (text, max_chars, &validation);

  if (clean == NULL)
    _ld_outbox_contract_error (error, validation, max_chars);
  return clean;
}

/* ROOM is one the session is in, and not banned from. */
static gboolean
in_room (LdOutbox *self,
         LdRoom   *room)
{
  const char *id = room != NULL ? ld_room_get_id (room) : NULL;

  return id != NULL && lookup_room (self, id) == room && !ld_room_get_banned (room);
}

LdMessage *
_ld_outbox_send (LdOutbox       *self,
                 LdRoom         *room,
                 LdMessageType   type,
                 const char     *content,
                 GError        **error)
{
  g_autoptr(LdMessage) message = NULL;
  g_autofree char *clean = NULL;
  const char *reason = NULL;
  const char *user_id = NULL;
  const char *username = NULL;
  const char *own_id = NULL;
  LdRole role = LD_ROLE_VIEWER;

  g_return_val_if_fail (LD_IS_OUTBOX (self), NULL);

  if (!in_room (self, room))
    {
      g_set_error_literal (error, LD_SESSION_ERROR, LD_SESSION_ERROR_NOT_IN_ROOM, _("Join a room first"));
      return NULL;
    }
  if (self->host->is_signed_out (self->session, &reason))
    {
      g_set_error_literal (error, LD_SESSION_ERROR, LD_SESSION_ERROR_SIGNED_OUT, reason);
      return NULL;
    }

  if (type == LD_MESSAGE_TYPE_TEXT)
    clean = _ld_outbox_checked_text (content, LD_MESSAGE_MAX_CHARS, error);
  else
    {
      g_autoptr(GError) validation = NULL;

      if (ld_validate_image_url (content, LD_IMAGE_URL_HTTPS_ONLY, &validation))
        clean = g_strdup (content);
      else
        _ld_outbox_contract_error (error, validation, 0);
    }
  if (clean == NULL)
    return NULL;
  /* Bounded: past what waits already, the user is told, not queued. */
  if (ld_outbox_is_full (self))
    {
      g_set_error (error, LD_OUTBOX_ERROR, LD_OUTBOX_ERROR_FULL,
                   _("Too many messages are waiting to be sent; try again once they are"));
      return NULL;
    }
  if (!_ld_outbox_check_rate (self, error))
    return NULL;

  self->host->get_user (self->session, &user_id, &username, &role, &own_id);
  message = ld_message_new_outgoing (ld_room_get_id (room), own_id, username, role, type, clean);
  ld_chat_model_append (ld_room_get_chat (room), message);
  ld_outbox_push (self, message, NULL);
  flush (self);

  return message;
}

gboolean
_ld_outbox_retry (LdOutbox  *self,
                  LdRoom    *room,
                  LdMessage *message)
{
  g_return_val_if_fail (LD_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (LD_IS_MESSAGE (message), FALSE);

  if (room == NULL || lookup_room (self, ld_message_get_room_id (message)) != room ||
      !ld_chat_model_retry (ld_room_get_chat (room), ld_message_get_local_id (message)))
    return FALSE;

  ld_outbox_requeue (self, message);
  flush (self);
  return TRUE;
}
