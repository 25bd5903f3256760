/* gw-redis-limits.c
 *
 * One sorted set per user and rule, "livedesk:rate:RULE:USER", of that
 * user's recent events scored by Redis' own clock (TIME), so the
 * processes' clocks need not agree. The script decides and records in one
 * step, which is what makes the limit exact however many processes ask at
 * once; the set keeps no more events than the largest window counts and
 * expires with the longest window.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-redis-limits.h"

/* KEYS[1] the set; ARGV the mode ("try", "check" or "record"), a unique
 * event id, then max and period (ms) per window → {1, 0, 0} when allowed
 * (and recorded, unless checking), {0, window index, retry ms} when not. */
static const char try_script[] =
  "local t = redis.call('TIME')\n"
  "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
  "local longest, kept = 0, 0\n"
  "local worst, worst_retry = -1, 0\n"
  "for i = 3, #ARGV, 2 do\n"
  "  local max, period = tonumber(ARGV[i]), tonumber(ARGV[i + 1])\n"
  "  if period > longest then longest = period end\n"
  "  if max > kept then kept = max end\n"
  "  local nth = redis.call('ZREVRANGE', KEYS[1], max - 1, max - 1, 'WITHSCORES')\n"
  "  if #nth == 2 and ARGV[1] ~= 'record' then\n"
  "    local retry = tonumber(nth[2]) + period - now\n"
  "    if retry > worst_retry then worst, worst_retry = (i - 3) / 2, retry end\n"
  "  end\n"
  "end\n"
  "if worst >= 0 then return { 0, worst, worst_retry } end\n"
  "if ARGV[1] == 'check' then return { 1, 0, 0 } end\n"
  "redis.call('ZADD', KEYS[1], now, ARGV[2])\n"
  "redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -kept - 1)\n"
  "redis.call('PEXPIRE', KEYS[1], longest)\n"
  "return { 1, 0, 0 }\n";

typedef struct
{
  LdRateRule rule;
  gboolean   allowed;
  guint      window;
  gint64     retry_ms;
} Decision;

static void
on_try_script (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = gw_redis_command_finish (GW_REDIS (source), result, &error);
  Decision *decision = g_task_get_task_data (task);
  gint64 numbers[3];
  guint n_windows;

  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!g_variant_is_of_type (reply, G_VARIANT_TYPE ("av")) || g_variant_n_children (reply) != 3)
    goto malformed;
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GVariant) child = g_variant_get_child_value (reply, i);
      g_autoptr(GVariant) value = g_variant_get_variant (child);

      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        goto malformed;
      numbers[i] = g_variant_get_int64 (value);
    }
  ld_rate_rule_get_windows (decision->rule, &n_windows);
  if (numbers[1] < 0 || numbers[1] >= n_windows || numbers[2] < 0)
    goto malformed;

  decision->allowed = numbers[0] != 0;
  decision->window = (guint) numbers[1];
  decision->retry_ms = numbers[2];
  g_task_return_boolean (task, TRUE);
  return;

malformed:
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Redis answered the rate limit oddly");
}

static GPtrArray *
script_argv (LdRateRule  rule,
             const char *key,
             const char *mode)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  const LdRateWindow *windows;
  guint n_windows;

  windows = ld_rate_rule_get_windows (rule, &n_windows);
  g_ptr_array_add (argv, g_strdup ("EVAL"));
  g_ptr_array_add (argv, g_strdup (try_script));
  g_ptr_array_add (argv, g_strdup ("1"));
  g_ptr_array_add (argv, g_strdup_printf ("livedesk:rate:%s:%s", ld_rate_rule_get_name (rule), key));
  g_ptr_array_add (argv, g_strdup (mode));
  /* Two events in one millisecond are two members. */
  g_ptr_array_add (argv, g_uuid_string_random ());
  for (guint i = 0; i < n_windows; i++)
    {
      g_ptr_array_add (argv, g_strdup_printf ("%u", windows[i].max_events));
      g_ptr_array_add (argv, g_strdup_printf ("%" G_GINT64_FORMAT, windows[i].period_ms));
    }
  g_ptr_array_add (argv, NULL);

  return argv;
}

static void
start (GwRedis             *redis,
       LdRateRule           rule,
       const char          *key,
       const char          *mode,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  Decision *decision;

  task = g_task_new (redis, cancellable, callback, user_data);
  g_task_set_source_tag (task, gw_redis_limits_try_async);
  decision = g_new0 (Decision, 1);
  decision->rule = rule;
  g_task_set_task_data (task, decision, g_free);

  argv = script_argv (rule, key, mode);
  gw_redis_command_async (redis, (const char * const *) argv->pdata, cancellable, on_try_script,
                          g_steal_pointer (&task));
}

void
gw_redis_limits_try_async (GwRedis             *redis,
                           LdRateRule           rule,
                           const char          *key,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (GW_IS_REDIS (redis));
  g_return_if_fail (rule < LD_N_RATE_RULES);
  g_return_if_fail (key != NULL);

  start (redis, rule, key, "try", cancellable, callback, user_data);
}

void
gw_redis_limits_check_async (GwRedis             *redis,
                             LdRateRule           rule,
                             const char          *key,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (GW_IS_REDIS (redis));
  g_return_if_fail (rule < LD_N_RATE_RULES);
  g_return_if_fail (key != NULL);

  start (redis, rule, key, "check", cancellable, callback, user_data);
}

void
gw_redis_limits_record (GwRedis    *redis,
                        LdRateRule  rule,
                        const char *key)
{
  g_autoptr(GPtrArray) argv = NULL;

  g_return_if_fail (GW_IS_REDIS (redis));
  g_return_if_fail (rule < LD_N_RATE_RULES);
  g_return_if_fail (key != NULL);

  argv = script_argv (rule, key, "record");
  gw_redis_command (redis, (const char * const *) argv->pdata);
}

gboolean
gw_redis_limits_try_finish (GwRedis       *redis,
                            GAsyncResult  *result,
                            gboolean      *out_allowed,
                            LdRateWindow  *out_hit,
                            gint64        *out_retry_ms,
                            GError       **error)
{
  Decision *decision;
  const LdRateWindow *windows;

  g_return_val_if_fail (g_task_is_valid (result, redis), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gw_redis_limits_try_async, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  decision = g_task_get_task_data (G_TASK (result));
  windows = ld_rate_rule_get_windows (decision->rule, NULL);
  if (out_allowed != NULL)
    *out_allowed = decision->allowed;
  if (out_hit != NULL)
    *out_hit = decision->allowed ? (LdRateWindow) { 0, 0 } : windows[decision->window];
  if (out_retry_ms != NULL)
    *out_retry_ms = decision->allowed ? 0 : decision->retry_ms;
  return TRUE;
}
