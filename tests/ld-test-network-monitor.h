/* ld-test-network-monitor.h: a GNetworkMonitor of the tests' own, to
 * report the network down and up through the interface the session and its
 * reconnect schedule listen to. Available when made.
 *
 *   g_autoptr(LdTestNetworkMonitor) monitor = ld_test_network_monitor_new ();
 *   ld_test_network_monitor_set_available (monitor, FALSE);
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LD_TEST_TYPE_NETWORK_MONITOR (ld_test_network_monitor_get_type ())
G_DECLARE_FINAL_TYPE (LdTestNetworkMonitor, ld_test_network_monitor, LD_TEST, NETWORK_MONITOR, GObject)

LdTestNetworkMonitor *ld_test_network_monitor_new           (void);
/* What a real monitor does when the network comes or goes. */
void                  ld_test_network_monitor_set_available (LdTestNetworkMonitor *self,
                                                             gboolean              available);

G_END_DECLS
