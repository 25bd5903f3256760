/* sio-deadlines.c: one-shot timeouts kept in one sorted queue behind one GSource.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sio-deadlines.h"

typedef struct {
  guint          id;
  gint64         due;       /* monotonic µs */
  gint64         interval;  /* µs, for G_SOURCE_CONTINUE; -1: once only */
  guint64        round;     /* the dispatch round it was added in */
  GSourceFunc    func;
  gpointer       data;
  GSequenceIter *link;
} Deadline;

typedef struct {
  GSequence  *queue;   /* of Deadline (owned), by due then id */
  GHashTable *by_id;   /* id → Deadline (unowned) */
  GSource    *source;
  gint64      ready;   /* what SOURCE was last set to */
  guint       next_id;
  guint64     round;
} Deadlines;

static Deadlines *deadlines;

static int
compare_deadlines (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  const Deadline *da = a;
  const Deadline *db = b;

  if (da->due != db->due)
    return da->due < db->due ? -1 : 1;
  /* Ties keep their order of creation, as GLib's sources of one priority do
   * (ids wrap only after four billion timers). */
  return da->id < db->id ? -1 : da->id > db->id;
}

static void
update_ready_time (Deadlines *self)
{
  GSequenceIter *first = g_sequence_get_begin_iter (self->queue);
  gint64 ready = g_sequence_iter_is_end (first) ? -1 : ((Deadline *) g_sequence_get (first))->due;

  /* Setting it wakes the context up: only when the soonest changed. */
  if (ready != self->ready)
    {
      self->ready = ready;
      g_source_set_ready_time (self->source, ready);
    }
}

static gboolean
deadlines_dispatch (GSource     *source,
                    GSourceFunc  callback,
                    gpointer     user_data)
{
  Deadlines *self = deadlines;
  gint64 now = g_source_get_time (source);
  guint64 round = ++self->round;

  /* One at a time from the front: a callback may add or remove any other
   * deadline, the ones due now included. What a callback adds waits for the
   * next round even when already due, so that one cannot spin. */
  for (;;)
    {
      GSequenceIter *first = g_sequence_get_begin_iter (self->queue);
      Deadline *deadline;
      gboolean again;
      guint id;

      if (g_sequence_iter_is_end (first))
        break;
      deadline = g_sequence_get (first);
      if (deadline->due > now || deadline->round == round)
        break;

      id = deadline->id;
      again = deadline->func (deadline->data);
      /* The callback may have removed it (and so freed it). */
      deadline = g_hash_table_lookup (self->by_id, GUINT_TO_POINTER (id));
      if (deadline == NULL)
        continue;
      if (again == G_SOURCE_CONTINUE && deadline->interval >= 0)
        {
          /* Not removed by its own callback: again one interval later, counted
           * from now as g_timeout_add does. */
          deadline->due = g_get_monotonic_time () + deadline->interval;
          deadline->round = round;
          g_sequence_sort_changed (deadline->link, compare_deadlines, NULL);
        }
      else
        sio_deadline_remove (id);
    }

  update_ready_time (self);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs deadlines_funcs = {
  .dispatch = deadlines_dispatch,
};

static Deadlines *
deadlines_get (void)
{
  if (G_UNLIKELY (deadlines == NULL))
    {
      deadlines = g_new0 (Deadlines, 1);
      deadlines->queue = g_sequence_new (g_free);
      deadlines->by_id = g_hash_table_new (NULL, NULL);
      deadlines->ready = -1;
      deadlines->source = g_source_new (&deadlines_funcs, sizeof (GSource));
      g_source_set_static_name (deadlines->source, "SioDeadlines");
      g_source_attach (deadlines->source, NULL);
    }
  return deadlines;
}

static guint
add_deadline (gint64       due,
              gint64       interval,
              GSourceFunc  func,
              gpointer     data)
{
  Deadlines *self = deadlines_get ();
  Deadline *deadline;

  deadline = g_new0 (Deadline, 1);
  do
    deadline->id = ++self->next_id;
  while (deadline->id == 0 || g_hash_table_contains (self->by_id, GUINT_TO_POINTER (deadline->id)));
  deadline->interval = interval;
  deadline->due = due;
  deadline->round = self->round;
  deadline->func = func;
  deadline->data = data;
  deadline->link = g_sequence_insert_sorted (self->queue, deadline, compare_deadlines, NULL);
  g_hash_table_insert (self->by_id, GUINT_TO_POINTER (deadline->id), deadline);
  update_ready_time (self);
  return deadline->id;
}

guint
sio_deadline_add (guint        interval_ms,
                  GSourceFunc  func,
                  gpointer     data)
{
  gint64 interval = (gint64) interval_ms * 1000;

  g_return_val_if_fail (func != NULL, 0);
  return add_deadline (g_get_monotonic_time () + interval, interval, func, data);
}

guint
sio_deadline_add_at (gint64       due,
                     GSourceFunc  func,
                     gpointer     data)
{
  g_return_val_if_fail (func != NULL, 0);
  return add_deadline (due, -1, func, data);
}

guint
sio_deadline_add_seconds (guint        interval_s,
                          GSourceFunc  func,
                          gpointer     data)
{
  /* In µs directly: a token valid for months must not wrap to weeks. */
  gint64 interval = (gint64) interval_s * G_USEC_PER_SEC;

  g_return_val_if_fail (func != NULL, 0);
  return add_deadline (g_get_monotonic_time () + interval, interval, func, data);
}

void
sio_deadline_remove (guint id)
{
  Deadlines *self = deadlines;
  Deadline *deadline;

  if (self == NULL || id == 0)
    return;
  deadline = g_hash_table_lookup (self->by_id, GUINT_TO_POINTER (id));
  if (deadline == NULL)
    return;
  g_hash_table_remove (self->by_id, GUINT_TO_POINTER (id));
  g_sequence_remove (deadline->link);
  update_ready_time (self);
}

guint
sio_deadline_count (void)
{
  return deadlines != NULL ? g_hash_table_size (deadlines->by_id) : 0;
}
