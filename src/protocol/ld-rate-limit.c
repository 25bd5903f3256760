/* ld-rate-limit.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-rate-limit.h"

#include "ld-validate.h"

struct _LdRateLimit
{
  GObject       parent_instance;
  GArray       *windows;     /* of LdRateWindow */
  guint         max_kept;    /* the largest max_events */
  gint64        longest_ms;
  GHashTable   *history;     /* key → History */
};

G_DEFINE_FINAL_TYPE (LdRateLimit, ld_rate_limit, G_TYPE_OBJECT)

/* One user's recent event times, oldest first. Only the last max_kept matter:
 * an older event can never decide any window. */
typedef struct
{
  gint64 *times;
  guint   start;
  guint   len;
  guint   capacity;
} History;

static History *
history_new (guint capacity)
{
  History *history = g_new0 (History, 1);

  history->times = g_new0 (gint64, capacity);
  history->capacity = capacity;
  return history;
}

static void
history_free (gpointer data)
{
  History *history = data;

  g_free (history->times);
  g_free (history);
}

/* I-th newest event: 0 is the latest. */
static gint64
history_nth_newest (History *history,
                    guint    i)
{
  return history->times[(history->start + history->len - 1 - i) % history->capacity];
}

static void
history_push (History *history,
              gint64   time)
{
  if (history->len == history->capacity)
    {
      history->start = (history->start + 1) % history->capacity;
      history->len--;
    }
  history->times[(history->start + history->len) % history->capacity] = time;
  history->len++;
}

static void
ld_rate_limit_finalize (GObject *object)
{
  LdRateLimit *self = (LdRateLimit *)object;

  g_clear_pointer (&self->windows, g_array_unref);
  g_clear_pointer (&self->history, g_hash_table_unref);

  G_OBJECT_CLASS (ld_rate_limit_parent_class)->finalize (object);
}

static void
ld_rate_limit_class_init (LdRateLimitClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_rate_limit_finalize;
}

static void
ld_rate_limit_init (LdRateLimit *self)
{
  self->windows = g_array_new (FALSE, FALSE, sizeof (LdRateWindow));
  self->history = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, history_free);
}

LdRateLimit *
ld_rate_limit_new (const LdRateWindow *windows,
                   guint               n_windows)
{
  static const LdRateWindow chat[] = LD_RATE_LIMIT_CHAT_WINDOWS;
  LdRateLimit *self;

  g_return_val_if_fail (windows != NULL || n_windows == 0, NULL);

  if (windows == NULL)
    {
      windows = chat;
      n_windows = G_N_ELEMENTS (chat);
    }

  self = g_object_new (LD_TYPE_RATE_LIMIT, NULL);
  for (guint i = 0; i < n_windows; i++)
    {
      g_return_val_if_fail (windows[i].max_events > 0 && windows[i].period_ms > 0, self);

      g_array_append_val (self->windows, windows[i]);
      self->max_kept = MAX (self->max_kept, windows[i].max_events);
      self->longest_ms = MAX (self->longest_ms, windows[i].period_ms);
    }

  return self;
}

typedef struct
{
  const char         *name;
  const char         *one;
  const char         *many;
  const LdRateWindow *windows;
  guint               n_windows;
} RuleSpec;

static const LdRateWindow chat_windows[] = LD_RATE_LIMIT_CHAT_WINDOWS;
/* The guide sets no gift limit; this lets a fan tap a combo but stops a
 * script from flooding the room's animation queue. */
static const LdRateWindow gift_windows[] = { { 5, 1000 }, { 120, 60000 } };
/* A client that reconnects rejoins all its rooms at once (at most 20,
 * PROTOCOL.md section 2), and may do so twice in a row, from two tabs; a
 * socket joining rooms by the hundred is scraping or flooding the joins. */
static const LdRateWindow join_windows[] = { { 50, 10000 }, { 120, 60000 } };
static const LdRateWindow room_info_windows[] = { { 10, 1000 }, { 120, 60000 } };
/* One ping every 30 s per room (PROTOCOL.md section 3): 20 rooms in three
 * tabs is 120 a minute, and a reconnect pings its rooms at once. */
static const LdRateWindow ping_windows[] = { { 30, 1000 }, { 200, 60000 } };
/* Before authenticate a client has a handful of reasons to send anything
 * (a race with its own authenticate); more is a probe. */
static const LdRateWindow unauthenticated_windows[] = { { 5, 1000 }, { 20, 60000 } };

static const RuleSpec rules[LD_N_RATE_RULES] = {
  [LD_RATE_RULE_CHAT] = { "sendMessage", "message", "messages", chat_windows, G_N_ELEMENTS (chat_windows) },
  [LD_RATE_RULE_GIFT] = { "sendGift", "gift", "gifts", gift_windows, G_N_ELEMENTS (gift_windows) },
  [LD_RATE_RULE_JOIN_ROOM] = { "joinRoom", "join", "joins", join_windows, G_N_ELEMENTS (join_windows) },
  [LD_RATE_RULE_ROOM_INFO] = { "getRoomInfo", "room info request", "room info requests",
                               room_info_windows, G_N_ELEMENTS (room_info_windows) },
  [LD_RATE_RULE_VIEWER_PING] = { "viewerPing", "ping", "pings", ping_windows, G_N_ELEMENTS (ping_windows) },
  [LD_RATE_RULE_UNAUTHENTICATED] = { "unauthenticated", "event before authenticating",
                                     "events before authenticating",
                                     unauthenticated_windows, G_N_ELEMENTS (unauthenticated_windows) },
};

const LdRateWindow *
ld_rate_rule_get_windows (LdRateRule  rule,
                          guint      *out_n_windows)
{
  g_return_val_if_fail (rule < LD_N_RATE_RULES, NULL);

  if (out_n_windows != NULL)
    *out_n_windows = rules[rule].n_windows;
  return rules[rule].windows;
}

const char *
ld_rate_rule_get_name (LdRateRule rule)
{
  g_return_val_if_fail (rule < LD_N_RATE_RULES, NULL);

  return rules[rule].name;
}

void
ld_rate_rule_get_nouns (LdRateRule   rule,
                        const char **out_one,
                        const char **out_many)
{
  g_return_if_fail (rule < LD_N_RATE_RULES);

  *out_one = rules[rule].one;
  *out_many = rules[rule].many;
}

LdRateLimit *
ld_rate_limit_new_for_rule (LdRateRule rule)
{
  g_return_val_if_fail (rule < LD_N_RATE_RULES, NULL);

  return ld_rate_limit_new (rules[rule].windows, rules[rule].n_windows);
}

static gboolean
decide (LdRateLimit  *self,
        History      *history,
        gint64        now_ms,
        LdRateWindow *out_hit,
        gint64       *out_retry_ms)
{
  const LdRateWindow *worst = NULL;
  gint64 worst_retry = 0;

  for (guint i = 0; history != NULL && i < self->windows->len; i++)
    {
      const LdRateWindow *window = &g_array_index (self->windows, LdRateWindow, i);
      gint64 oldest_counted;
      gint64 retry;

      if (history->len < window->max_events)
        continue;

      /* The window is full when its max_events-th newest event is still in
       * it; the event becomes allowed the moment that one leaves. */
      oldest_counted = history_nth_newest (history, window->max_events - 1);
      retry = oldest_counted + window->period_ms - now_ms;
      if (retry > 0 && retry > worst_retry)
        {
          worst = window;
          worst_retry = retry;
        }
    }

  if (out_hit != NULL)
    *out_hit = worst != NULL ? *worst : (LdRateWindow) { 0, 0 };
  if (out_retry_ms != NULL)
    *out_retry_ms = worst_retry;

  return worst == NULL;
}

gboolean
ld_rate_limit_check (LdRateLimit  *self,
                     const char   *key,
                     gint64        now_ms,
                     LdRateWindow *out_hit,
                     gint64       *out_retry_ms)
{
  g_return_val_if_fail (LD_IS_RATE_LIMIT (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  return decide (self, g_hash_table_lookup (self->history, key), now_ms, out_hit, out_retry_ms);
}

gboolean
ld_rate_limit_try (LdRateLimit  *self,
                   const char   *key,
                   gint64        now_ms,
                   LdRateWindow *out_hit,
                   gint64       *out_retry_ms)
{
  History *history;

  g_return_val_if_fail (LD_IS_RATE_LIMIT (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  history = g_hash_table_lookup (self->history, key);
  if (!decide (self, history, now_ms, out_hit, out_retry_ms))
    return FALSE;

  if (self->max_kept == 0)
    return TRUE;

  if (history == NULL)
    {
      history = history_new (self->max_kept);
      g_hash_table_insert (self->history, g_strdup (key), history);
    }
  history_push (history, now_ms);

  return TRUE;
}

void
ld_rate_limit_forget_idle (LdRateLimit *self,
                           gint64       now_ms)
{
  GHashTableIter iter;
  History *history;

  g_return_if_fail (LD_IS_RATE_LIMIT (self));

  g_hash_table_iter_init (&iter, self->history);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &history))
    {
      if (history->len == 0 || history_nth_newest (history, 0) + self->longest_ms <= now_ms)
        g_hash_table_iter_remove (&iter);
    }
}

guint
ld_rate_limit_get_n_keys (LdRateLimit *self)
{
  g_return_val_if_fail (LD_IS_RATE_LIMIT (self), 0);

  return g_hash_table_size (self->history);
}

static char *
describe_period (gint64 period_ms)
{
  if (period_ms == 1000)
    return g_strdup ("a second");
  if (period_ms == 60000)
    return g_strdup ("a minute");
  if (period_ms == 3600000)
    return g_strdup ("an hour");
  if (period_ms % 1000 == 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT " seconds", period_ms / 1000);

  return g_strdup_printf ("%" G_GINT64_FORMAT " ms", period_ms);
}

void
ld_rate_limit_set_error_full (GError             **error,
                              const LdRateWindow  *hit,
                              gint64               retry_ms,
                              const char          *one,
                              const char          *many)
{
  g_autofree char *period = NULL;

  g_return_if_fail (hit != NULL);
  g_return_if_fail (one != NULL && many != NULL);

  period = describe_period (hit->period_ms);
  /* Rounded up to a tenth: "wait 0.0 s" would be a lie. */
  g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED,
               "At most %u %s %s: wait %.1f s",
               hit->max_events, hit->max_events == 1 ? one : many, period,
               (double) ((retry_ms + 99) / 100) / 10.0);
}

void
ld_rate_limit_set_error (GError             **error,
                         const LdRateWindow  *hit,
                         gint64               retry_ms)
{
  ld_rate_limit_set_error_full (error, hit, retry_ms, "message", "messages");
}
