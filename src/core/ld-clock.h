/* ld-clock.h: where timed things (the gift queue) get the time and their
 * one-shot timers, so tests can drive them with LdTestClock instead of
 * waiting for real time to pass. LdRealClock is the one to use otherwise.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "ld-types.h"

G_BEGIN_DECLS

#define LD_TYPE_CLOCK (ld_clock_get_type ())

G_DECLARE_INTERFACE (LdClock, ld_clock, LD, CLOCK, GObject)

typedef void (*LdClockFunc) (gpointer user_data);

struct _LdClockInterface
{
  GTypeInterface parent_iface;

  gint64 (*get_time_ms) (LdClock        *self);
  guint  (*add_timeout) (LdClock        *self,
                         guint           delay_ms,
                         LdClockFunc     func,
                         gpointer        user_data,
                         GDestroyNotify  notify);
  void   (*remove)      (LdClock        *self,
                         guint           id);
};

/* Monotonic milliseconds; only differences mean anything. */
gint64 ld_clock_get_time_ms (LdClock        *self);
/* Calls FUNC once, DELAY_MS from now; NOTIFY frees USER_DATA after the call
 * or on removal. Returns an id > 0. */
guint  ld_clock_add_timeout (LdClock        *self,
                             guint           delay_ms,
                             LdClockFunc     func,
                             gpointer        user_data,
                             GDestroyNotify  notify);
/* Cancels a timeout that has not fired yet; ids that fired are ignored. */
void   ld_clock_remove      (LdClock        *self,
                             guint           id);

G_END_DECLS
