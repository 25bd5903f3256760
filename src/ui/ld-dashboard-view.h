/* ld-dashboard-view.h: the Dashboard page: how the current room's stream is
 * going at a glance (LdRoomStats): its title, live or ended and for how
 * long; viewers now and at the peak, chat messages per minute, new viewers,
 * gifts and their value, support tickets waiting; plots of viewers, chat and
 * gift value per minute (LdPlot); top gifters; and when the stream ends, its
 * summary, which can be saved as CSV and the plots as a PNG.
 *
 * Actions: dashboard.save-csv, dashboard.save-png (GtkFileChooserNative).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ld-plot.h"
#include "ld-room-stats.h"
#include "ld-session.h"

G_BEGIN_DECLS

typedef enum
{
  LD_DASHBOARD_FORMAT_CSV, /* the summary and series (ld_room_stats_to_csv) */
  LD_DASHBOARD_FORMAT_PNG, /* the plots as drawn */
} LdDashboardFormat;

#define LD_TYPE_DASHBOARD_VIEW (ld_dashboard_view_get_type ())

G_DECLARE_FINAL_TYPE (LdDashboardView, ld_dashboard_view, LD, DASHBOARD_VIEW, GtkWidget)

GtkWidget   *ld_dashboard_view_new           (void);
/* Follows SESSION's current room: new stats whenever it changes, support
 * tickets from the session's ticket model. */
void         ld_dashboard_view_set_session   (LdDashboardView   *self,
                                              LdSession         *session);
/* Shows STATS without a session (tests drive one on an LdTestClock). */
void         ld_dashboard_view_set_stats     (LdDashboardView   *self,
                                              LdRoomStats       *stats);
LdRoomStats *ld_dashboard_view_get_stats     (LdDashboardView   *self);
LdPlot      *ld_dashboard_view_get_plot      (LdDashboardView   *self,
                                              LdRoomStatsSeries  series);
/* The text a figure shows (the value label of "viewers", "peak", "chat-rate",
 * "new-viewers", "gifts", "gift-value", "tickets"), for tests. */
const char  *ld_dashboard_view_get_figure    (LdDashboardView   *self,
                                              const char        *name);
/* What the summary says once the stream ended, or NULL. */
const char  *ld_dashboard_view_get_summary   (LdDashboardView   *self);
/* The plots as they are drawn, in one picture (for "Save Plots as PNG…"). */
GdkTexture  *ld_dashboard_view_render_plots  (LdDashboardView   *self);

/* What "Save as CSV…" and "Save Plots as PNG…" write to the file chosen. */
void         ld_dashboard_view_save_async    (LdDashboardView     *self,
                                              GFile               *file,
                                              LdDashboardFormat    format,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean     ld_dashboard_view_save_finish   (LdDashboardView     *self,
                                              GAsyncResult        *result,
                                              GError             **error);

G_END_DECLS
