/* ld-reconnect.h: when a lost connection is tried again.
 *
 * A network fault never ends anything: attempts go on, jittered and twice
 * as far apart each time up to a cap (30 s), for as long as the owner wants
 * a connection. The guide's 5 attempts only mark the point from which the
 * owner says it is having trouble. An attempt also comes at once on demand
 * ("Reconnect now") and when the GNetworkMonitor says the network is back.
 * Timers run on an LdClock, so tests drive the schedule without waiting.
 *
 * The owner says what happens (start, failure, success, stop) and connects
 * on ::attempt:
 *
 *   reconnect = ld_reconnect_new (NULL);
 *   g_signal_connect (reconnect, "attempt", G_CALLBACK (on_attempt), self);
 *   ld_reconnect_start (reconnect);     connecting for the first time
 *   ld_reconnect_failure (reconnect);   it failed or went: the next is scheduled
 *   ld_reconnect_success (reconnect);   connected: the count starts again
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-clock.h"

G_BEGIN_DECLS

#define LD_RECONNECT_DELAY_MS 1000
#define LD_RECONNECT_DELAY_MAX_MS 30000
/* socket.io-client's randomization factor: each delay is off by up to half. */
#define LD_RECONNECT_JITTER 0.5
/* The guide's attempts: after this many fail, having-trouble. */
#define LD_RECONNECT_TROUBLE_AFTER 5

#define LD_TYPE_RECONNECT (ld_reconnect_get_type ())

G_DECLARE_FINAL_TYPE (LdReconnect, ld_reconnect, LD, RECONNECT, GObject)

/* CLOCK: the timers' (NULL for real time). Listens to the default
 * GNetworkMonitor until given another. */
LdReconnect *ld_reconnect_new                 (LdClock         *clock);
/* The first delay and the cap (LD_RECONNECT_DELAY_MS, _MAX_MS). */
void         ld_reconnect_set_backoff         (LdReconnect     *self,
                                               guint            base_ms,
                                               guint            max_ms);
/* Failed attempts after which having-trouble is set; 0: never. */
void         ld_reconnect_set_trouble_after   (LdReconnect     *self,
                                               guint            attempts);
guint        ld_reconnect_get_trouble_after   (LdReconnect     *self);
void         ld_reconnect_set_network_monitor (LdReconnect     *self,
                                               GNetworkMonitor *monitor);

/* A connection is wanted from now on (the owner connects by itself): the
 * count starts at 0, and the network coming back triggers attempts. */
void         ld_reconnect_start               (LdReconnect     *self);
/* The connection failed or went: the next attempt is scheduled. FALSE (and
 * nothing changes) when none is wanted or one is already scheduled. */
gboolean     ld_reconnect_failure             (LdReconnect     *self);
/* Connected: no attempt waits, the count is 0, no trouble. */
void         ld_reconnect_success             (LdReconnect     *self);
/* No connection is wanted any more: nothing is scheduled, no trouble. */
void         ld_reconnect_stop                (LdReconnect     *self);
/* An attempt that waits starts at once; ::retry-now in any case, for
 * whatever else waits on the network. */
void         ld_reconnect_now                 (LdReconnect     *self);
/* What the monitor's network-changed does: back while a connection is
 * wanted means ld_reconnect_now(). */
void         ld_reconnect_network_changed     (LdReconnect     *self,
                                               gboolean         available);

gboolean     ld_reconnect_get_active          (LdReconnect     *self);
gboolean     ld_reconnect_get_scheduled       (LdReconnect     *self);
/* The number of the attempt scheduled or last made since the start or the
 * last success (0: none yet). */
guint        ld_reconnect_get_attempt         (LdReconnect     *self);
/* Whole seconds until the scheduled attempt (0 if none), rounded up. */
guint        ld_reconnect_get_reconnect_in    (LdReconnect     *self);
gboolean     ld_reconnect_get_having_trouble  (LdReconnect     *self);

G_END_DECLS
