/* ld-real-clock.h: LdClock on g_get_monotonic_time() and GSource timeouts
 * on the main context that was thread-default when the clock was made.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ld-clock.h"

G_BEGIN_DECLS

#define LD_TYPE_REAL_CLOCK (ld_real_clock_get_type ())

G_DECLARE_FINAL_TYPE (LdRealClock, ld_real_clock, LD, REAL_CLOCK, GObject)

LdClock *ld_real_clock_new (void);

G_END_DECLS
