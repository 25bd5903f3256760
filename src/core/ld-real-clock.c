/* ld-real-clock.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-real-clock.h"

struct _LdRealClock
{
  GObject       parent_instance;

  GMainContext *context;
  /* id → GSource, so remove() finds sources on a context that is not the
   * global default one, and dispose() can cancel what is left. */
  GHashTable   *sources;
  guint         last_id;
};

typedef struct
{
  LdRealClock    *clock;
  guint           id;
  LdClockFunc     func;
  gpointer        user_data;
  GDestroyNotify  notify;
} Timeout;

static void clock_iface_init (LdClockInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LdRealClock, ld_real_clock, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LD_TYPE_CLOCK, clock_iface_init))

static void
timeout_free (gpointer data)
{
  Timeout *timeout = data;

  if (timeout->notify != NULL)
    timeout->notify (timeout->user_data);
  g_free (timeout);
}

static gboolean
timeout_dispatch (gpointer data)
{
  Timeout *timeout = data;

  /* Forget the source first: the callback may add or remove timeouts. */
  g_hash_table_remove (timeout->clock->sources, GUINT_TO_POINTER (timeout->id));
  timeout->func (timeout->user_data);

  return G_SOURCE_REMOVE;
}

static void
destroy_source (gpointer data)
{
  GSource *source = data;

  g_source_destroy (source);
  g_source_unref (source);
}

static gint64
ld_real_clock_get_time_ms (LdClock *clock)
{
  return g_get_monotonic_time () / 1000;
}

static guint
ld_real_clock_add_timeout (LdClock        *clock,
                           guint           delay_ms,
                           LdClockFunc     func,
                           gpointer        user_data,
                           GDestroyNotify  notify)
{
  LdRealClock *self = LD_REAL_CLOCK (clock);
  Timeout *timeout = g_new0 (Timeout, 1);
  GSource *source = g_timeout_source_new (delay_ms);

  if (++self->last_id == 0)
    self->last_id = 1;

  timeout->clock = self;
  timeout->id = self->last_id;
  timeout->func = func;
  timeout->user_data = user_data;
  timeout->notify = notify;

  g_source_set_static_name (source, "[livedesk] clock timeout");
  g_source_set_callback (source, timeout_dispatch, timeout, timeout_free);
  g_hash_table_insert (self->sources, GUINT_TO_POINTER (timeout->id), source);
  g_source_attach (source, self->context);

  return timeout->id;
}

static void
ld_real_clock_remove (LdClock *clock,
                      guint    id)
{
  LdRealClock *self = LD_REAL_CLOCK (clock);

  g_hash_table_remove (self->sources, GUINT_TO_POINTER (id));
}

static void
clock_iface_init (LdClockInterface *iface)
{
  iface->get_time_ms = ld_real_clock_get_time_ms;
  iface->add_timeout = ld_real_clock_add_timeout;
  iface->remove = ld_real_clock_remove;
}

static void
ld_real_clock_dispose (GObject *object)
{
  LdRealClock *self = (LdRealClock *)object;

  g_hash_table_remove_all (self->sources);

  G_OBJECT_CLASS (ld_real_clock_parent_class)->dispose (object);
}

static void
ld_real_clock_finalize (GObject *object)
{
  LdRealClock *self = (LdRealClock *)object;

  g_clear_pointer (&self->sources, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (ld_real_clock_parent_class)->finalize (object);
}

static void
ld_real_clock_class_init (LdRealClockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ld_real_clock_dispose;
  object_class->finalize = ld_real_clock_finalize;
}

static void
ld_real_clock_init (LdRealClock *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->sources = g_hash_table_new_full (NULL, NULL, NULL, destroy_source);
}

LdClock *
ld_real_clock_new (void)
{
  return g_object_new (LD_TYPE_REAL_CLOCK, NULL);
}
