/* ld-reconnect.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sio-client.h"

#include "ld-real-clock.h"
#include "ld-reconnect.h"

struct _LdReconnect
{
  GObject          parent_instance;

  LdClock         *clock;
  GNetworkMonitor *network_monitor;

  guint            base_ms;
  guint            max_ms;
  guint            trouble_after;

  gboolean         active;
  guint            attempt;
  gint64           due_ms;
  guint            attempt_id;
  guint            countdown_id;
  guint            reconnect_in;
  gboolean         having_trouble;
};

G_DEFINE_FINAL_TYPE (LdReconnect, ld_reconnect, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ACTIVE,
  PROP_ATTEMPT,
  PROP_RECONNECT_IN,
  PROP_HAVING_TROUBLE,
  PROP_TROUBLE_AFTER,
  N_PROPS
};

enum
{
  ATTEMPT,
  RETRY_NOW,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_uint (LdReconnect *self,
          guint       *field,
          guint        value,
          guint        prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_boolean (LdReconnect *self,
             gboolean    *field,
             gboolean     value,
             guint        prop)
{
  if (*field == !!value)
    return;
  *field = !!value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
clear_timers (LdReconnect *self)
{
  if (self->attempt_id != 0)
    ld_clock_remove (self->clock, self->attempt_id);
  if (self->countdown_id != 0)
    ld_clock_remove (self->clock, self->countdown_id);
  self->attempt_id = 0;
  self->countdown_id = 0;
}

static guint
seconds_left (LdReconnect *self)
{
  gint64 left = self->due_ms - ld_clock_get_time_ms (self->clock);

  return left > 0 ? (guint) ((left + 999) / 1000) : 0;
}

static void on_countdown (gpointer user_data);

/* The countdown ticks when the whole seconds left change. */
static void
arm_countdown (LdReconnect *self)
{
  gint64 left = self->due_ms - ld_clock_get_time_ms (self->clock);
  guint next = left > 0 ? (guint) (((left - 1) % 1000) + 1) : 0;

  self->countdown_id = ld_clock_add_timeout (self->clock, next, on_countdown, self, NULL);
}

static void
on_countdown (gpointer user_data)
{
  LdReconnect *self = user_data;

  self->countdown_id = 0;
  set_uint (self, &self->reconnect_in, seconds_left (self), PROP_RECONNECT_IN);
  if (self->reconnect_in > 0)
    arm_countdown (self);
}

static void
fire (LdReconnect *self)
{
  g_autoptr(LdReconnect) hold = g_object_ref (self);

  clear_timers (self);
  set_uint (self, &self->reconnect_in, 0, PROP_RECONNECT_IN);
  g_signal_emit (self, signals[ATTEMPT], 0, self->attempt);
}

static void
on_attempt_due (gpointer user_data)
{
  LdReconnect *self = user_data;

  self->attempt_id = 0;
  fire (self);
}

void
ld_reconnect_start (LdReconnect *self)
{
  g_return_if_fail (LD_IS_RECONNECT (self));

  clear_timers (self);
  set_uint (self, &self->reconnect_in, 0, PROP_RECONNECT_IN);
  set_uint (self, &self->attempt, 0, PROP_ATTEMPT);
  set_boolean (self, &self->active, TRUE, PROP_ACTIVE);
}

gboolean
ld_reconnect_failure (LdReconnect *self)
{
  guint delay;

  g_return_val_if_fail (LD_IS_RECONNECT (self), FALSE);

  if (!self->active || self->attempt_id != 0)
    return FALSE;

  /* socket.io-client's schedule, from the count of attempts made so far;
   * the exponent stops growing long after the cap is reached. */
  delay = sio_client_backoff_delay (self->base_ms, self->max_ms, LD_RECONNECT_JITTER,
                                    MIN (self->attempt, 30), g_random_double ());
  g_object_freeze_notify (G_OBJECT (self));
  set_uint (self, &self->attempt, self->attempt + 1, PROP_ATTEMPT);
  self->due_ms = ld_clock_get_time_ms (self->clock) + delay;
  self->attempt_id = ld_clock_add_timeout (self->clock, delay, on_attempt_due, self, NULL);
  if (delay > 0)
    arm_countdown (self);
  set_uint (self, &self->reconnect_in, (delay + 999) / 1000, PROP_RECONNECT_IN);
  /* The guide's attempts are where the owner says so, not where it stops:
   * the attempt now scheduled comes after that many failed. */
  if (self->trouble_after != 0 && self->attempt > self->trouble_after)
    set_boolean (self, &self->having_trouble, TRUE, PROP_HAVING_TROUBLE);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

void
ld_reconnect_success (LdReconnect *self)
{
  g_return_if_fail (LD_IS_RECONNECT (self));

  clear_timers (self);
  set_uint (self, &self->reconnect_in, 0, PROP_RECONNECT_IN);
  set_uint (self, &self->attempt, 0, PROP_ATTEMPT);
  set_boolean (self, &self->having_trouble, FALSE, PROP_HAVING_TROUBLE);
}

void
ld_reconnect_stop (LdReconnect *self)
{
  g_return_if_fail (LD_IS_RECONNECT (self));

  clear_timers (self);
  set_boolean (self, &self->active, FALSE, PROP_ACTIVE);
  set_uint (self, &self->attempt, 0, PROP_ATTEMPT);
  set_uint (self, &self->reconnect_in, 0, PROP_RECONNECT_IN);
  set_boolean (self, &self->having_trouble, FALSE, PROP_HAVING_TROUBLE);
}

void
ld_reconnect_now (LdReconnect *self)
{
  g_autoptr(LdReconnect) hold = NULL;

  g_return_if_fail (LD_IS_RECONNECT (self));

  hold = g_object_ref (self);
  if (self->attempt_id != 0)
    fire (self);
  g_signal_emit (self, signals[RETRY_NOW], 0);
}

void
ld_reconnect_network_changed (LdReconnect *self,
                              gboolean     available)
{
  g_return_if_fail (LD_IS_RECONNECT (self));

  /* Back on the network: no reason to wait out the backoff. */
  if (available && self->active)
    ld_reconnect_now (self);
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  ld_reconnect_network_changed (user_data, available);
}

void
ld_reconnect_set_network_monitor (LdReconnect     *self,
                                  GNetworkMonitor *monitor)
{
  g_return_if_fail (LD_IS_RECONNECT (self));
  g_return_if_fail (G_IS_NETWORK_MONITOR (monitor));

  if (self->network_monitor != NULL)
    g_signal_handlers_disconnect_by_func (self->network_monitor, on_network_changed, self);
  g_set_object (&self->network_monitor, monitor);
  g_signal_connect (self->network_monitor, "network-changed", G_CALLBACK (on_network_changed), self);
}

void
ld_reconnect_set_backoff (LdReconnect *self,
                          guint        base_ms,
                          guint        max_ms)
{
  g_return_if_fail (LD_IS_RECONNECT (self));
  g_return_if_fail (base_ms > 0 && max_ms >= base_ms);

  self->base_ms = base_ms;
  self->max_ms = max_ms;
}

void
ld_reconnect_set_trouble_after (LdReconnect *self,
                                guint        attempts)
{
  g_return_if_fail (LD_IS_RECONNECT (self));

  set_uint (self, &self->trouble_after, attempts, PROP_TROUBLE_AFTER);
}

guint
ld_reconnect_get_trouble_after (LdReconnect *self)
{
  g_return_val_if_fail (LD_IS_RECONNECT (self), 0);
  return self->trouble_after;
}

gboolean
ld_reconnect_get_active (LdReconnect *self)
{
  g_return_val_if_fail (LD_IS_RECONNECT (self), FALSE);
  return self->active;
}

gboolean
ld_reconnect_get_scheduled (LdReconnect *self)
{
  g_return_val_if_fail (LD_IS_RECONNECT (self), FALSE);
  return self->attempt_id != 0;
}

guint
ld_reconnect_get_attempt (LdReconnect *self)
{
  g_return_val_if_fail (LD_IS_RECONNECT (self), 0);
  return self->attempt;
}

guint
ld_reconnect_get_reconnect_in (LdReconnect *self)
{
  g_return_val_if_fail (LD_IS_RECONNECT (self), 0);
  return self->reconnect_in;
}

gboolean
ld_reconnect_get_having_trouble (LdReconnect *self)
{
  g_return_val_if_fail (LD_IS_RECONNECT (self), FALSE);
  return self->having_trouble;
}

static void
ld_reconnect_dispose (GObject *object)
{
  LdReconnect *self = LD_RECONNECT (object);

  if (self->clock != NULL)
    clear_timers (self);
  if (self->network_monitor != NULL)
    g_signal_handlers_disconnect_by_func (self->network_monitor, on_network_changed, self);
  g_clear_object (&self->network_monitor);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (ld_reconnect_parent_class)->dispose (object);
}

static void
ld_reconnect_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LdReconnect *self = LD_RECONNECT (object);

  switch (prop_id)
    {
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    case PROP_ATTEMPT:
      g_value_set_uint (value, self->attempt);
      break;
    case PROP_RECONNECT_IN:
      g_value_set_uint (value, self->reconnect_in);
      break;
    case PROP_HAVING_TROUBLE:
      g_value_set_boolean (value, self->having_trouble);
      break;
    case PROP_TROUBLE_AFTER:
      g_value_set_uint (value, self->trouble_after);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_reconnect_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  LdReconnect *self = LD_RECONNECT (object);

  switch (prop_id)
    {
    case PROP_TROUBLE_AFTER:
      ld_reconnect_set_trouble_after (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_reconnect_class_init (LdReconnectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = ld_reconnect_dispose;
  object_class->get_property = ld_reconnect_get_property;
  object_class->set_property = ld_reconnect_set_property;

  properties[PROP_ACTIVE] = g_param_spec_boolean ("active", NULL, NULL, FALSE, ro);
  properties[PROP_ATTEMPT] = g_param_spec_uint ("attempt", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_RECONNECT_IN] = g_param_spec_uint ("reconnect-in", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_HAVING_TROUBLE] = g_param_spec_boolean ("having-trouble", NULL, NULL, FALSE, ro);
  properties[PROP_TROUBLE_AFTER] =
    g_param_spec_uint ("trouble-after", NULL, NULL, 0, G_MAXUINT, LD_RECONNECT_TROUBLE_AFTER,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Connect now; the argument is the attempt's number (from 1). */
  signals[ATTEMPT] =
    g_signal_new ("attempt", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  /* Asked to try at once (the user, the network back): whatever else
   * waits on the network (a token refresh) may try now too. */
  signals[RETRY_NOW] =
    g_signal_new ("retry-now", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ld_reconnect_init (LdReconnect *self)
{
  self->base_ms = LD_RECONNECT_DELAY_MS;
  self->max_ms = LD_RECONNECT_DELAY_MAX_MS;
  self->trouble_after = LD_RECONNECT_TROUBLE_AFTER;
}

LdReconnect *
ld_reconnect_new (LdClock *clock)
{
  LdReconnect *self;

  g_return_val_if_fail (clock == NULL || LD_IS_CLOCK (clock), NULL);

  self = g_object_new (LD_TYPE_RECONNECT, NULL);
  self->clock = clock != NULL ? g_object_ref (clock) : ld_real_clock_new ();
  ld_reconnect_set_network_monitor (self, g_network_monitor_get_default ());
  return self;
}
