/* ld-plot.h: a series over the stream's minutes as a line or as bars, drawn
 * with GtkSnapshot, with its axes labelled. Colours come from the style
 * (the text colour and a named colour of the theme, "accent_color" by
 * default), so it reads in light, dark and high contrast. The value of the
 * minute under the pointer shows in a label drawn on the plot.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum
{
  LD_PLOT_LINE,
  LD_PLOT_BARS,
} LdPlotKind;

#define LD_TYPE_PLOT (ld_plot_get_type ())

G_DECLARE_FINAL_TYPE (LdPlot, ld_plot, LD, PLOT, GtkWidget)

GtkWidget  *ld_plot_new             (LdPlotKind    kind);
void        ld_plot_set_kind        (LdPlot       *self,
                                     LdPlotKind    kind);
/* VALUES[i] is minute i; copied. */
void        ld_plot_set_values      (LdPlot       *self,
                                     const double *values,
                                     guint         n_values);
guint       ld_plot_get_n_values    (LdPlot       *self);
/* What one value counts, for the label under the pointer ("viewers"). */
void        ld_plot_set_unit        (LdPlot       *self,
                                     const char   *unit);
/* Digits after the point in the labels (0 by default). */
void        ld_plot_set_decimals    (LdPlot       *self,
                                     guint         decimals);
/* A colour the theme names (@define-color), e.g. "success_color". */
void        ld_plot_set_color_name  (LdPlot       *self,
                                     const char   *name);
/* Where minute INDEX's point (or the top of its bar) is drawn, in the
 * widget's coordinates; FALSE when there is no such point or no size yet. */
gboolean    ld_plot_get_point       (LdPlot       *self,
                                     guint         index,
                                     double       *x,
                                     double       *y);
/* The minute under the pointer (-1 for none) and what its label says. */
int         ld_plot_get_hover_index (LdPlot       *self);
const char *ld_plot_get_hover_text  (LdPlot       *self);

G_END_DECLS
