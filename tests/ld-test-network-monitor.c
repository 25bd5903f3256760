/* ld-test-network-monitor.c: a GNetworkMonitor the test drives.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-test-network-monitor.h"

struct _LdTestNetworkMonitor
{
  GObject  parent_instance;
  gboolean available;
};

enum
{
  MONITOR_PROP_0,
  MONITOR_PROP_AVAILABLE,
  MONITOR_PROP_METERED,
  MONITOR_PROP_CONNECTIVITY,
};

static gboolean
ld_test_network_monitor_initable_init (GInitable     *initable,
                                    GCancellable  *cancellable,
                                    GError       **error)
{
  return TRUE;
}

static void
ld_test_network_monitor_initable_iface_init (GInitableIface *iface)
{
  iface->init = ld_test_network_monitor_initable_init;
}

static void
ld_test_network_monitor_iface_init (GNetworkMonitorInterface *iface)
{
}

G_DEFINE_FINAL_TYPE_WITH_CODE (LdTestNetworkMonitor, ld_test_network_monitor, G_TYPE_OBJECT,
  G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, ld_test_network_monitor_initable_iface_init)
  G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR, ld_test_network_monitor_iface_init))

static void
ld_test_network_monitor_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  LdTestNetworkMonitor *self = LD_TEST_NETWORK_MONITOR (object);

  switch (prop_id)
    {
    case MONITOR_PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case MONITOR_PROP_METERED:
      g_value_set_boolean (value, FALSE);
      break;
    case MONITOR_PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_test_network_monitor_class_init (LdTestNetworkMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = ld_test_network_monitor_get_property;
  g_object_class_override_property (object_class, MONITOR_PROP_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, MONITOR_PROP_METERED, "network-metered");
  g_object_class_override_property (object_class, MONITOR_PROP_CONNECTIVITY, "connectivity");
}

static void
ld_test_network_monitor_init (LdTestNetworkMonitor *self)
{
  self->available = TRUE;
}

/* What a real monitor does when the network comes or goes. */
void
ld_test_network_monitor_set_available (LdTestNetworkMonitor *self,
                                    gboolean            available)
{
  if (self->available == available)
    return;
  self->available = available;
  g_object_notify (G_OBJECT (self), "network-available");
  g_object_notify (G_OBJECT (self), "connectivity");
  g_signal_emit_by_name (self, "network-changed", available);
}


LdTestNetworkMonitor *
ld_test_network_monitor_new (void)
{
  return g_object_new (LD_TEST_TYPE_NETWORK_MONITOR, NULL);
}
