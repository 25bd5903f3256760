/* ld-rate-limit.h: per-user sliding-window rate limits (PROTOCOL.md section 5).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* At most MAX_EVENTS within any PERIOD_MS milliseconds. */
typedef struct
{
  guint  max_events;
  gint64 period_ms;
} LdRateWindow;

/* The guide's chat limits: one message a second and 30 a minute. */
#define LD_RATE_LIMIT_CHAT_WINDOWS { { 1, 1000 }, { 30, 60000 } }

/* The gateway's rules, one per kind of event, so that a client can pace
 * itself by the same numbers the gateway enforces. Per user, except
 * UNAUTHENTICATED, which is per connection (there is no user yet). */
typedef enum
{
  LD_RATE_RULE_CHAT,
  LD_RATE_RULE_GIFT,
  LD_RATE_RULE_JOIN_ROOM,
  LD_RATE_RULE_ROOM_INFO,
  LD_RATE_RULE_VIEWER_PING,
  LD_RATE_RULE_UNAUTHENTICATED,
  LD_N_RATE_RULES
} LdRateRule;

/* RULE's windows (static) and how many there are. */
const LdRateWindow *ld_rate_rule_get_windows (LdRateRule  rule,
                                              guint      *out_n_windows);
/* A short stable name, e.g. "joinRoom", for keys and logs. */
const char         *ld_rate_rule_get_name    (LdRateRule  rule);
/* The nouns for ld_rate_limit_set_error_full(): "join", "joins". */
void                ld_rate_rule_get_nouns   (LdRateRule   rule,
                                              const char **out_one,
                                              const char **out_many);

#define LD_TYPE_RATE_LIMIT (ld_rate_limit_get_type ())

G_DECLARE_FINAL_TYPE (LdRateLimit, ld_rate_limit, LD, RATE_LIMIT, GObject)

/* WINDOWS is copied; NULL (with 0) means the chat windows. */
LdRateLimit *ld_rate_limit_new             (const LdRateWindow  *windows,
                                            guint                n_windows);
/* A limiter that enforces RULE. */
LdRateLimit *ld_rate_limit_new_for_rule    (LdRateRule           rule);
/* Records one event of KEY (a user id) at NOW_MS (any monotonic clock, in
 * milliseconds) if every window allows it. Otherwise records nothing, so that
 * hammering the button does not push the moment further away, and returns
 * FALSE with the window that holds the user back longest and how many
 * milliseconds remain until the event would be allowed. */
gboolean     ld_rate_limit_try             (LdRateLimit         *self,
                                            const char          *key,
                                            gint64               now_ms,
                                            LdRateWindow        *out_hit,
                                            gint64              *out_retry_ms);
/* The same decision without recording anything. */
gboolean     ld_rate_limit_check           (LdRateLimit         *self,
                                            const char          *key,
                                            gint64               now_ms,
                                            LdRateWindow        *out_hit,
                                            gint64              *out_retry_ms);
/* Drops users whose events have all left every window, so that memory stays
 * bounded by the users active in the longest window. */
void         ld_rate_limit_forget_idle     (LdRateLimit         *self,
                                            gint64               now_ms);
guint        ld_rate_limit_get_n_keys      (LdRateLimit         *self);

/* A RATE_LIMITED LD_CONTRACT_ERROR naming the limit and the wait, e.g.
 * "At most 1 message a second: wait 0.4 s". */
void         ld_rate_limit_set_error       (GError             **error,
                                            const LdRateWindow  *hit,
                                            gint64               retry_ms);
/* The same for other things than messages: ONE "gift", MANY "gifts". */
void         ld_rate_limit_set_error_full  (GError             **error,
                                            const LdRateWindow  *hit,
                                            gint64               retry_ms,
                                            const char          *one,
                                            const char          *many);

G_END_DECLS
