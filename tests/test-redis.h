/* test-redis.h: a real redis-server for the tests, on a free loopback port.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A TCP port on 127.0.0.1 that nothing listens on right now. */
guint16      test_free_port    (void);
/* Starts `redis-server` on PORT (with --requirepass PASSWORD if not NULL),
 * without persistence, and returns once it accepts connections. It dies with
 * the test, so a failed assertion leaves no server behind. */
GSubprocess *test_redis_start  (guint16     port,
                                const char *password);
/* Sends SIGNUM and waits for it to exit. */
void         test_redis_stop   (GSubprocess *redis,
                                int          signum);

G_END_DECLS
