/* test-gw-metrics.c: the registry renders what Prometheus accepts: one
 * contiguous family per metric with its HELP and TYPE, declared metrics
 * before anything counts them, untyped ones that nobody declared.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "gw-metrics.h"

static char *
render (void)
{
  GString *out = g_string_new (NULL);

  gw_metrics_render (out);
  return g_string_free (out, FALSE);
}

static void
test_declared_before_counted (void)
{
  g_autofree char *text = NULL;

  gw_metrics_reset ();
  gw_metrics_describe_gateway ();
  text = render ();

  g_assert_nonnull (strstr (text, "# TYPE livedesk_refusals_total counter\nlivedesk_refusals_total 0\n"));
  g_assert_nonnull (strstr (text, "# TYPE livedesk_connections gauge\nlivedesk_connections 0\n"));
  g_assert_nonnull (strstr (text, "# HELP livedesk_deliveries_total "));
}

/* "a_total" must not split the series of "a" from those of "a{…}". */
static void
test_families_contiguous (void)
{
  g_autofree char *text = NULL;

  gw_metrics_reset ();
  gw_metrics_describe ("livedesk_refusals_total", GW_METRIC_COUNTER, "Refusals.");
  gw_metrics_add ("livedesk_refusals_total", "code=\"RATE_LIMITED\"", 2);
  gw_metrics_add ("livedesk_refusals_total", "code=\"BANNED\"", 1);
  gw_metrics_add ("livedesk_refusals_total", NULL, 3);
  gw_metrics_add ("livedesk_refusals_total_other", NULL, 5);
  gw_metrics_set ("livedesk_rooms", NULL, 4);
  gw_metrics_set ("livedesk_rooms", NULL, 7);
  text = render ();

  g_assert_cmpstr (text, ==,
                   "# HELP livedesk_refusals_total Refusals.\n"
                   "# TYPE livedesk_refusals_total counter\n"
                   "livedesk_refusals_total 3\n"
                   "livedesk_refusals_total{code=\"BANNED\"} 1\n"
                   "livedesk_refusals_total{code=\"RATE_LIMITED\"} 2\n"
                   "# TYPE livedesk_refusals_total_other untyped\n"
                   "livedesk_refusals_total_other 5\n"
                   "# TYPE livedesk_rooms untyped\n"
                   "livedesk_rooms 7\n");
  g_assert_cmpint (gw_metrics_get ("livedesk_refusals_total", "code=\"RATE_LIMITED\""), ==, 2);
  g_assert_cmpint (gw_metrics_get ("livedesk_never", NULL), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gw/metrics/declared-before-counted", test_declared_before_counted);
  g_test_add_func ("/gw/metrics/families-contiguous", test_families_contiguous);

  return g_test_run ();
}
