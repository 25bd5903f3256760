/* ld-clock.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-clock.h"

G_DEFINE_INTERFACE (LdClock, ld_clock, G_TYPE_OBJECT)

static void
ld_clock_default_init (LdClockInterface *iface)
{
}

gint64
ld_clock_get_time_ms (LdClock *self)
{
  g_return_val_if_fail (LD_IS_CLOCK (self), 0);

  return LD_CLOCK_GET_IFACE (self)->get_time_ms (self);
}

guint
ld_clock_add_timeout (LdClock        *self,
                      guint           delay_ms,
                      LdClockFunc     func,
                      gpointer        user_data,
                      GDestroyNotify  notify)
{
  g_return_val_if_fail (LD_IS_CLOCK (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  return LD_CLOCK_GET_IFACE (self)->add_timeout (self, delay_ms, func, user_data, notify);
}

void
ld_clock_remove (LdClock *self,
                 guint    id)
{
  g_return_if_fail (LD_IS_CLOCK (self));

  if (id != 0)
    LD_CLOCK_GET_IFACE (self)->remove (self, id);
}
