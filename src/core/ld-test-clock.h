/* ld-test-clock.h: an LdClock whose time moves only when a test says so.
 * Time starts at 0.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ld-clock.h"

G_BEGIN_DECLS

#define LD_TYPE_TEST_CLOCK (ld_test_clock_get_type ())

G_DECLARE_FINAL_TYPE (LdTestClock, ld_test_clock, LD, TEST_CLOCK, GObject)

LdTestClock *ld_test_clock_new           (void);
/* Moves time forward by MS, firing every timeout that falls due on the way
 * in order of due time (then of creation), with the clock reading each
 * timeout's due time while it runs; timeouts added by those callbacks fire
 * too if they fall due within the advance. */
void         ld_test_clock_advance       (LdTestClock *self,
                                          guint        ms);
/* Timeouts not yet fired, and the time until the next one (-1 if none). */
guint        ld_test_clock_get_n_pending (LdTestClock *self);
gint64       ld_test_clock_get_next_due  (LdTestClock *self);

G_END_DECLS
