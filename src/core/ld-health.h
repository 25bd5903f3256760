/* ld-health.h: the REST API's health, checked as the guide does it.
 *
 * GET /system/health every 30 s while started (and on demand): any 2xx
 * within 5 s means the API is up, anything else (an error status, no
 * answer in time, no connection) down; the Redis state is read from the
 * answer when it carries one. The latest check asked for is the one that
 * counts. Timers run on an LdClock, so tests drive them without waiting.
 *
 *   health = ld_health_new (rest, NULL);
 *   g_signal_connect (health, "notify::api-healthy", …);
 *   ld_health_start (health);
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-clock.h"
#include "ld-rest-client.h"
#include "ld-types.h"

G_BEGIN_DECLS

#define LD_HEALTH_INTERVAL_MS 30000
#define LD_HEALTH_TIMEOUT_MS 5000

#define LD_TYPE_HEALTH (ld_health_get_type ())

G_DECLARE_FINAL_TYPE (LdHealth, ld_health, LD, HEALTH, GObject)

/* REST: the API to check; CLOCK: the timers' (NULL for real time). */
LdHealth     *ld_health_new             (LdRestClient *rest,
                                         LdClock      *clock);
/* The period and how long a check may take (the defaults above). */
void          ld_health_set_schedule    (LdHealth     *self,
                                         guint         interval_ms,
                                         guint         timeout_ms);
/* Checks now, then every interval until stopped. */
void          ld_health_start           (LdHealth     *self);
/* No more periodic checks; one under way still counts. The state stays. */
void          ld_health_stop            (LdHealth     *self);
/* One check now; a check still under way is dropped for it. */
void          ld_health_check           (LdHealth     *self);

gboolean      ld_health_get_api_healthy (LdHealth     *self);
LdRedisState  ld_health_get_redis_state (LdHealth     *self);

G_END_DECLS
