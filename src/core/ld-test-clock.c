/* ld-test-clock.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-test-clock.h"

typedef struct
{
  guint           id;
  gint64          due;
  LdClockFunc     func;
  gpointer        user_data;
  GDestroyNotify  notify;
} Timer;

struct _LdTestClock
{
  GObject  parent_instance;

  gint64   now;
  guint    last_id;
  /* Sorted by due time, then id: ids grow, so ties fire in creation order. */
  GList   *timers;
};

static void clock_iface_init (LdClockInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LdTestClock, ld_test_clock, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LD_TYPE_CLOCK, clock_iface_init))

static void
timer_free (Timer *timer)
{
  if (timer->notify != NULL)
    timer->notify (timer->user_data);
  g_free (timer);
}

static int
timer_compare (gconstpointer a,
               gconstpointer b)
{
  const Timer *ta = a, *tb = b;

  if (ta->due != tb->due)
    return ta->due < tb->due ? -1 : 1;
  return ta->id < tb->id ? -1 : (ta->id > tb->id);
}

static gint64
ld_test_clock_get_time_ms (LdClock *clock)
{
  return LD_TEST_CLOCK (clock)->now;
}

static guint
ld_test_clock_add_timeout (LdClock        *clock,
                           guint           delay_ms,
                           LdClockFunc     func,
                           gpointer        user_data,
                           GDestroyNotify  notify)
{
  LdTestClock *self = LD_TEST_CLOCK (clock);
  Timer *timer = g_new0 (Timer, 1);

  timer->id = ++self->last_id;
  timer->due = self->now + delay_ms;
  timer->func = func;
  timer->user_data = user_data;
  timer->notify = notify;
  self->timers = g_list_insert_sorted (self->timers, timer, timer_compare);

  return timer->id;
}

static void
ld_test_clock_remove (LdClock *clock,
                      guint    id)
{
  LdTestClock *self = LD_TEST_CLOCK (clock);

  for (GList *l = self->timers; l != NULL; l = l->next)
    {
      Timer *timer = l->data;

      if (timer->id == id)
        {
          self->timers = g_list_delete_link (self->timers, l);
          timer_free (timer);
          return;
        }
    }
}

static void
clock_iface_init (LdClockInterface *iface)
{
  iface->get_time_ms = ld_test_clock_get_time_ms;
  iface->add_timeout = ld_test_clock_add_timeout;
  iface->remove = ld_test_clock_remove;
}

static void
ld_test_clock_finalize (GObject *object)
{
  LdTestClock *self = (LdTestClock *)object;

  g_list_free_full (g_steal_pointer (&self->timers), (GDestroyNotify) timer_free);

  G_OBJECT_CLASS (ld_test_clock_parent_class)->finalize (object);
}

static void
ld_test_clock_class_init (LdTestClockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ld_test_clock_finalize;
}

static void
ld_test_clock_init (LdTestClock *self)
{
}

LdTestClock *
ld_test_clock_new (void)
{
  return g_object_new (LD_TYPE_TEST_CLOCK, NULL);
}

void
ld_test_clock_advance (LdTestClock *self,
                       guint        ms)
{
  gint64 target;

  g_return_if_fail (LD_IS_TEST_CLOCK (self));

  target = self->now + ms;
  g_object_ref (self);

  while (self->timers != NULL && ((Timer *) self->timers->data)->due <= target)
    {
      Timer *timer = self->timers->data;

      self->timers = g_list_delete_link (self->timers, self->timers);
      self->now = timer->due;
      timer->func (timer->user_data);
      timer_free (timer);
    }

  self->now = target;
  g_object_unref (self);
}

guint
ld_test_clock_get_n_pending (LdTestClock *self)
{
  g_return_val_if_fail (LD_IS_TEST_CLOCK (self), 0);

  return g_list_length (self->timers);
}

gint64
ld_test_clock_get_next_due (LdTestClock *self)
{
  g_return_val_if_fail (LD_IS_TEST_CLOCK (self), -1);

  if (self->timers == NULL)
    return -1;

  return ((Timer *) self->timers->data)->due - self->now;
}
