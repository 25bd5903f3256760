/* gw-login-guard.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-login-guard.h"

#include "gw-redis.h"

#define REDIS_PREFIX "livedesk:login:"

struct _GwLoginGuard
{
  GObject       parent_instance;
  GwRedis      *redis;
  GHashTable   *entries;       /* "account:NAME" / "address:ADDR" → Entry */
  guint         account_max;
  guint         address_max;
  guint         window;        /* seconds */
  GwLoginClock  clock;
  gpointer      clock_data;
};

typedef struct
{
  guint  count;          /* failures, plus attempts still in flight */
  gint64 window_start;   /* clock seconds */
} Entry;

G_DEFINE_FINAL_TYPE (GwLoginGuard, gw_login_guard, G_TYPE_OBJECT)

/* One INCR per limit, taken back when over it, so a refused attempt neither
 * counts nor extends the window; both limits in one step so that concurrent
 * gateways never both see room for the last attempt.
 * ARGV: prefix, account key, address key, account max, address max, window. */
static const char admit_script[] =
  "local function take(k, max)\n"
  "  local n = redis.call('INCR', k)\n"
  "  if n == 1 then redis.call('EXPIRE', k, ARGV[6]) end\n"
  "  if n <= max then return 0 end\n"
  "  redis.call('DECR', k)\n"
  "  local ttl = redis.call('TTL', k)\n"
  "  if ttl < 1 then redis.call('EXPIRE', k, ARGV[6]); ttl = tonumber(ARGV[6]) end\n"
  "  return ttl\n"
  "end\n"
  "local ka = ARGV[1] .. ARGV[2]\n"
  "local t = take(ka, tonumber(ARGV[4]))\n"
  "if t > 0 then return {'account', t} end\n"
  "t = take(ARGV[1] .. ARGV[3], tonumber(ARGV[5]))\n"
  "if t > 0 then redis.call('DECR', ka); return {'address', t} end\n"
  "return {'ok', 0}\n";

/* ARGV: prefix, then the keys whose reservation is given back. */
static const char release_script[] =
  "for i = 2, #ARGV do\n"
  "  local k = ARGV[1] .. ARGV[i]\n"
  "  local n = tonumber(redis.call('GET', k))\n"
  "  if n and n > 0 then redis.call('DECR', k) end\n"
  "end\n"
  "return 0\n";

static gint64
monotonic_seconds (gpointer user_data)
{
  return g_get_monotonic_time () / G_USEC_PER_SEC;
}

static void
gw_login_guard_finalize (GObject *object)
{
  GwLoginGuard *self = (GwLoginGuard *)object;

  g_clear_object (&self->redis);
  g_clear_pointer (&self->entries, g_hash_table_unref);

  G_OBJECT_CLASS (gw_login_guard_parent_class)->finalize (object);
}

static void
gw_login_guard_class_init (GwLoginGuardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gw_login_guard_finalize;
}

static void
gw_login_guard_init (GwLoginGuard *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->account_max = GW_LOGIN_GUARD_DEFAULT_ACCOUNT_MAX;
  self->address_max = GW_LOGIN_GUARD_DEFAULT_ADDRESS_MAX;
  self->window = GW_LOGIN_GUARD_DEFAULT_WINDOW_SECONDS;
  self->clock = monotonic_seconds;
}

GwLoginGuard *
gw_login_guard_new (void)
{
  return g_object_new (GW_TYPE_LOGIN_GUARD, NULL);
}

void
gw_login_guard_set_limits (GwLoginGuard *self,
                           guint         account_max,
                           guint         address_max,
                           guint         window_seconds)
{
  g_return_if_fail (GW_IS_LOGIN_GUARD (self));
  g_return_if_fail (account_max > 0 && address_max > 0 && window_seconds > 0);

  self->account_max = account_max;
  self->address_max = address_max;
  self->window = window_seconds;
}

void
gw_login_guard_set_clock (GwLoginGuard *self,
                          GwLoginClock  clock,
                          gpointer      user_data)
{
  g_return_if_fail (GW_IS_LOGIN_GUARD (self));

  self->clock = clock != NULL ? clock : monotonic_seconds;
  self->clock_data = clock != NULL ? user_data : NULL;
}

void
gw_login_guard_set_redis (GwLoginGuard *self,
                          GwRedis      *redis)
{
  g_return_if_fail (GW_IS_LOGIN_GUARD (self));
  g_return_if_fail (redis == NULL || GW_IS_REDIS (redis));

  g_set_object (&self->redis, redis);
}

/* Usernames are whatever a client typed: hashed, they make keys of one
 * shape and length, and no Redis key echoes a password typed as a name. */
static char *
account_key (const char *account)
{
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, account, -1);

  return g_strconcat ("account:", digest, NULL);
}

static char *
address_key (const char *address)
{
  return g_strconcat ("address:", address, NULL);
}

/* The entry for KEY if its window is still open; a closed one is forgotten. */
static Entry *
lookup_live (GwLoginGuard *self,
             const char   *key,
             gint64        now)
{
  Entry *entry = g_hash_table_lookup (self->entries, key);

  if (entry != NULL && now - entry->window_start >= self->window)
    {
      g_hash_table_remove (self->entries, key);
      return NULL;
    }

  return entry;
}

static gint64
retry_after (GwLoginGuard *self,
             Entry        *entry,
             gint64        now)
{
  return MAX (1, entry->window_start + self->window - now);
}

static void
forget_closed_windows (GwLoginGuard *self,
                       gint64        now)
{
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&entry))
    {
      if (now - entry->window_start >= self->window)
        g_hash_table_iter_remove (&iter);
    }
}

static void
take (GwLoginGuard *self,
      Entry        *entry,
      char         *key,
      gint64        now)
{
  if (entry == NULL)
    {
      entry = g_new0 (Entry, 1);
      entry->window_start = now;
      g_hash_table_insert (self->entries, g_strdup (key), entry);
    }
  entry->count++;
}

GwLoginVerdict
gw_login_guard_admit (GwLoginGuard *self,
                      const char   *account,
                      const char   *address,
                      gint64       *out_retry_after)
{
  g_autofree char *akey = NULL;
  g_autofree char *ikey = NULL;
  gint64 now;
  Entry *by_account;
  Entry *by_address;
  guint needed;

  g_return_val_if_fail (GW_IS_LOGIN_GUARD (self), GW_LOGIN_GUARD_FULL);
  g_return_val_if_fail (account != NULL && address != NULL, GW_LOGIN_GUARD_FULL);

  if (out_retry_after != NULL)
    *out_retry_after = 0;

  now = self->clock (self->clock_data);
  akey = account_key (account);
  ikey = address_key (address);
  by_account = lookup_live (self, akey, now);
  by_address = lookup_live (self, ikey, now);

  if (by_account != NULL && by_account->count >= self->account_max)
    {
      if (out_retry_after != NULL)
        *out_retry_after = retry_after (self, by_account, now);
      return GW_LOGIN_THROTTLED_ACCOUNT;
    }
  if (by_address != NULL && by_address->count >= self->address_max)
    {
      if (out_retry_after != NULL)
        *out_retry_after = retry_after (self, by_address, now);
      return GW_LOGIN_THROTTLED_ADDRESS;
    }

  /* Bounded memory under a flood of names and addresses. */
  needed = (by_account == NULL) + (by_address == NULL);
  if (g_hash_table_size (self->entries) + needed > GW_LOGIN_GUARD_MAX_ENTRIES)
    {
      forget_closed_windows (self, now);
      if (g_hash_table_size (self->entries) + needed > GW_LOGIN_GUARD_MAX_ENTRIES)
        {
          if (out_retry_after != NULL)
            *out_retry_after = 5;
          return GW_LOGIN_GUARD_FULL;
        }
    }

  take (self, by_account, akey, now);
  take (self, by_address, ikey, now);

  return GW_LOGIN_ADMITTED;
}

static void
release (GwLoginGuard *self,
         const char   *key,
         gint64        now)
{
  Entry *entry = lookup_live (self, key, now);

  if (entry == NULL)
    return;
  if (entry->count > 0)
    entry->count--;
  if (entry->count == 0)
    g_hash_table_remove (self->entries, key);
}

void
gw_login_guard_resolve (GwLoginGuard *self,
                        const char   *account,
                        const char   *address,
                        gboolean      counts_as_failure)
{
  g_autofree char *akey = NULL;
  g_autofree char *ikey = NULL;
  gint64 now;

  g_return_if_fail (GW_IS_LOGIN_GUARD (self));
  g_return_if_fail (account != NULL && address != NULL);

  /* The reservation already is the failure's count. */
  if (counts_as_failure)
    return;

  akey = account_key (account);
  ikey = address_key (address);
  /* The attempt may have been counted here while Redis was away: give it
   * back in both; only a success or an unchecked attempt gets here. */
  if (self->redis != NULL)
    gw_redis_command (self->redis, (const char *[]) { "EVAL", release_script, "0", REDIS_PREFIX, akey, ikey, NULL });

  now = self->clock (self->clock_data);
  release (self, akey, now);
  release (self, ikey, now);
}

guint
gw_login_guard_get_account_count (GwLoginGuard *self,
                                  const char   *account)
{
  g_autofree char *akey = NULL;
  Entry *entry;

  g_return_val_if_fail (GW_IS_LOGIN_GUARD (self), 0);
  g_return_val_if_fail (account != NULL, 0);

  akey = account_key (account);
  entry = lookup_live (self, akey, self->clock (self->clock_data));

  return entry != NULL ? entry->count : 0;
}

typedef struct
{
  GwLoginVerdict verdict;
  gint64         retry_after;
} Admission;

typedef struct
{
  char *account;
  char *address;
} Asked;

static void
asked_free (Asked *asked)
{
  g_free (asked->account);
  g_free (asked->address);
  g_free (asked);
}

static Admission *
admit_locally (GwLoginGuard *self,
               const char   *account,
               const char   *address)
{
  Admission *admission = g_new0 (Admission, 1);

  admission->verdict = gw_login_guard_admit (self, account, address, &admission->retry_after);
  return admission;
}

static void
on_admit_script (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = gw_redis_command_finish (GW_REDIS (source), result, &error);
  g_autoptr(GVariant) word = NULL;
  g_autoptr(GVariant) seconds = NULL;
  Admission *admission;
  const char *text;

  if (reply == NULL && error->domain == G_IO_ERROR)
    {
      Asked *asked = g_task_get_task_data (task);

      /* Redis is away (or not there yet, just after start): this process
       * still counts on its own rather than let guesses through uncounted. */
      g_task_return_pointer (task, admit_locally (g_task_get_source_object (task), asked->account, asked->address),
                             g_free);
      return;
    }
  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_variant_is_of_type (reply, G_VARIANT_TYPE ("av")) && g_variant_n_children (reply) == 2)
    {
      g_autoptr(GVariant) first = g_variant_get_child_value (reply, 0);
      g_autoptr(GVariant) second = g_variant_get_child_value (reply, 1);

      word = g_variant_get_variant (first);
      seconds = g_variant_get_variant (second);
    }
  if (word == NULL || !g_variant_is_of_type (word, G_VARIANT_TYPE_STRING) ||
      seconds == NULL || !g_variant_is_of_type (seconds, G_VARIANT_TYPE_INT64))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "Unexpected Redis reply to a login admission");
      return;
    }

  text = g_variant_get_string (word, NULL);
  admission = g_new0 (Admission, 1);
  admission->verdict = g_str_equal (text, "account") ? GW_LOGIN_THROTTLED_ACCOUNT
                       : g_str_equal (text, "address") ? GW_LOGIN_THROTTLED_ADDRESS
                       : GW_LOGIN_ADMITTED;
  admission->retry_after = MAX (admission->verdict == GW_LOGIN_ADMITTED ? 0 : 1, g_variant_get_int64 (seconds));
  g_task_return_pointer (task, admission, g_free);
}

void
gw_login_guard_admit_async (GwLoginGuard        *self,
                            const char          *account,
                            const char          *address,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *akey = NULL;
  g_autofree char *ikey = NULL;
  g_autofree char *account_max = NULL;
  g_autofree char *address_max = NULL;
  g_autofree char *window = NULL;
  Asked *asked;

  g_return_if_fail (GW_IS_LOGIN_GUARD (self));
  g_return_if_fail (account != NULL && address != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gw_login_guard_admit_async);

  if (self->redis == NULL)
    {
      g_task_return_pointer (task, admit_locally (self, account, address), g_free);
      return;
    }

  asked = g_new0 (Asked, 1);
  asked->account = g_strdup (account);
  asked->address = g_strdup (address);
  g_task_set_task_data (task, asked, (GDestroyNotify) asked_free);

  akey = account_key (account);
  ikey = address_key (address);
  account_max = g_strdup_printf ("%u", self->account_max);
  address_max = g_strdup_printf ("%u", self->address_max);
  window = g_strdup_printf ("%u", self->window);
  gw_redis_command_async (self->redis,
                          (const char *[]) { "EVAL", admit_script, "0", REDIS_PREFIX, akey, ikey,
                                             account_max, address_max, window, NULL },
                          cancellable, on_admit_script, g_steal_pointer (&task));
}

GwLoginVerdict
gw_login_guard_admit_finish (GwLoginGuard  *self,
                             GAsyncResult  *result,
                             gint64        *out_retry_after,
                             GError       **error)
{
  g_autofree Admission *admission = NULL;

  g_return_val_if_fail (GW_IS_LOGIN_GUARD (self), GW_LOGIN_GUARD_FULL);
  g_return_val_if_fail (g_task_is_valid (result, self), GW_LOGIN_GUARD_FULL);

  if (out_retry_after != NULL)
    *out_retry_after = 0;

  admission = g_task_propagate_pointer (G_TASK (result), error);
  if (admission == NULL)
    return GW_LOGIN_GUARD_FULL;

  if (out_retry_after != NULL)
    *out_retry_after = admission->retry_after;
  return admission->verdict;
}
