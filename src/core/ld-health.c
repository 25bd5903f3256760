/* ld-health.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-enums.h"
#include "ld-health.h"
#include "ld-real-clock.h"

struct _LdHealth
{
  GObject       parent_instance;

  LdRestClient *rest;
  LdClock      *clock;
  guint         interval_ms;
  guint         timeout_ms;

  guint         period_id;
  /* The check under way: cancelled when it takes too long or another
   * replaces it, so only the latest one's answer counts. */
  GCancellable *check;
  guint         timeout_id;

  gboolean      api_healthy;
  LdRedisState  redis_state;
};

G_DEFINE_FINAL_TYPE (LdHealth, ld_health, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_API_HEALTHY,
  PROP_REDIS_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
drop_check (LdHealth *self)
{
  if (self->timeout_id != 0)
    ld_clock_remove (self->clock, self->timeout_id);
  self->timeout_id = 0;
  if (self->check != NULL)
    g_cancellable_cancel (self->check);
  g_clear_object (&self->check);
}

static void
settle (LdHealth     *self,
        gboolean      ok,
        LdRedisState  redis)
{
  drop_check (self);
  if (self->api_healthy != !!ok)
    {
      self->api_healthy = !!ok;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_API_HEALTHY]);
    }
  if (self->redis_state != redis)
    {
      self->redis_state = redis;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REDIS_STATE]);
    }
}

static void
on_checked (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  LdRedisState redis = LD_REDIS_STATE_UNKNOWN;
  gboolean ok = ld_rest_client_health_finish (LD_REST_CLIENT (source), result, &redis, &error);

  /* Replaced, timed out or disposed: USER_DATA may be gone. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  settle (LD_HEALTH (user_data), ok, redis);
}

/* No answer in time is as good as down; the Redis state is not known. */
static void
on_timeout (gpointer user_data)
{
  LdHealth *self = user_data;

  self->timeout_id = 0;
  settle (self, FALSE, LD_REDIS_STATE_UNKNOWN);
}

void
ld_health_check (LdHealth *self)
{
  g_return_if_fail (LD_IS_HEALTH (self));

  drop_check (self);
  self->check = g_cancellable_new ();
  self->timeout_id = ld_clock_add_timeout (self->clock, self->timeout_ms, on_timeout, self, NULL);
  ld_rest_client_health_async (self->rest, self->check, on_checked, self);
}

static void
on_period (gpointer user_data)
{
  LdHealth *self = user_data;

  self->period_id = ld_clock_add_timeout (self->clock, self->interval_ms, on_period, self, NULL);
  ld_health_check (self);
}

void
ld_health_start (LdHealth *self)
{
  g_return_if_fail (LD_IS_HEALTH (self));

  ld_health_stop (self);
  on_period (self);
}

void
ld_health_stop (LdHealth *self)
{
  g_return_if_fail (LD_IS_HEALTH (self));

  if (self->period_id != 0)
    ld_clock_remove (self->clock, self->period_id);
  self->period_id = 0;
}

void
ld_health_set_schedule (LdHealth *self,
                        guint     interval_ms,
                        guint     timeout_ms)
{
  g_return_if_fail (LD_IS_HEALTH (self));
  g_return_if_fail (interval_ms > 0 && timeout_ms > 0);

  self->interval_ms = interval_ms;
  self->timeout_ms = timeout_ms;
}

gboolean
ld_health_get_api_healthy (LdHealth *self)
{
  g_return_val_if_fail (LD_IS_HEALTH (self), FALSE);
  return self->api_healthy;
}

LdRedisState
ld_health_get_redis_state (LdHealth *self)
{
  g_return_val_if_fail (LD_IS_HEALTH (self), LD_REDIS_STATE_UNKNOWN);
  return self->redis_state;
}

static void
ld_health_dispose (GObject *object)
{
  LdHealth *self = LD_HEALTH (object);

  if (self->clock != NULL)
    {
      ld_health_stop (self);
      drop_check (self);
    }
  g_clear_object (&self->clock);
  g_clear_object (&self->rest);

  G_OBJECT_CLASS (ld_health_parent_class)->dispose (object);
}

static void
ld_health_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  LdHealth *self = LD_HEALTH (object);

  switch (prop_id)
    {
    case PROP_API_HEALTHY:
      g_value_set_boolean (value, self->api_healthy);
      break;
    case PROP_REDIS_STATE:
      g_value_set_enum (value, self->redis_state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_health_class_init (LdHealthClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = ld_health_dispose;
  object_class->get_property = ld_health_get_property;

  properties[PROP_API_HEALTHY] = g_param_spec_boolean ("api-healthy", NULL, NULL, FALSE, ro);
  properties[PROP_REDIS_STATE] =
    g_param_spec_enum ("redis-state", NULL, NULL, LD_TYPE_REDIS_STATE, LD_REDIS_STATE_UNKNOWN, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ld_health_init (LdHealth *self)
{
  self->interval_ms = LD_HEALTH_INTERVAL_MS;
  self->timeout_ms = LD_HEALTH_TIMEOUT_MS;
  self->redis_state = LD_REDIS_STATE_UNKNOWN;
}

LdHealth *
ld_health_new (LdRestClient *rest,
               LdClock      *clock)
{
  LdHealth *self;

  g_return_val_if_fail (LD_IS_REST_CLIENT (rest), NULL);
  g_return_val_if_fail (clock == NULL || LD_IS_CLOCK (clock), NULL);

  self = g_object_new (LD_TYPE_HEALTH, NULL);
  self->rest = g_object_ref (rest);
  self->clock = clock != NULL ? g_object_ref (clock) : ld_real_clock_new ();
  return self;
}
