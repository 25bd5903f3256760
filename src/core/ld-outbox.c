/* ld-outbox.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n-lib.h>

#include "ld-outbox.h"

#define SEQ_KEY "ld-outbox-seq"

struct _LdOutbox
{
  GObject  parent_instance;

  guint    capacity;
  guint64  next_seq;
  /* To send, oldest first (LdMessage). */
  GQueue   waiting;
  /* Every message of ours still pending, waiting or on the wire, for
   * matching echoes, oldest first. */
  GQueue   pending;
};

G_DEFINE_FINAL_TYPE (LdOutbox, ld_outbox, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-outbox-error-quark, ld_outbox_error)

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
ld_outbox_finalize (GObject *object)
{
  LdOutbox *self = LD_OUTBOX (object);

  ld_outbox_clear (self);

  G_OBJECT_CLASS (ld_outbox_parent_class)->finalize (object);
}

static void
ld_outbox_class_init (LdOutboxClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_outbox_finalize;
}

static void
ld_outbox_init (LdOutbox *self)
{
  g_queue_init (&self->waiting);
  g_queue_init (&self->pending);
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

  return self->waiting.length;
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
}
