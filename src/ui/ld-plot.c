/* ld-plot.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "ld-plot.h"

#define MARGIN_TOP 10
#define MARGIN_RIGHT 10
#define MARGIN_BOTTOM 22
#define MARGIN_LEFT 44

struct _LdPlot
{
  GtkWidget   parent_instance;

  LdPlotKind  kind;
  GArray     *values;
  char       *unit;
  guint       decimals;
  char       *color_name;

  int         hover;
  char       *hover_text;
};

G_DEFINE_FINAL_TYPE (LdPlot, ld_plot, GTK_TYPE_WIDGET)

typedef struct
{
  double left, top, width, height;
  double max;
} Frame;

/* The axis' top: the largest value rounded up to 1, 2 or 5 × 10^k. */
static double
nice_max (double value)
{
  double magnitude;
  double fraction;

  if (value <= 0)
    return 1;
  magnitude = pow (10, floor (log10 (value)));
  fraction = value / magnitude;
  if (fraction <= 1)
    return magnitude;
  if (fraction <= 2)
    return 2 * magnitude;
  if (fraction <= 5)
    return 5 * magnitude;
  return 10 * magnitude;
}

static Frame
get_frame (LdPlot *self)
{
  Frame frame;
  double max = 0;

  for (guint i = 0; i < self->values->len; i++)
    max = MAX (max, g_array_index (self->values, double, i));
  frame.left = MARGIN_LEFT;
  frame.top = MARGIN_TOP;
  frame.width = MAX (1, gtk_widget_get_width (GTK_WIDGET (self)) - MARGIN_LEFT - MARGIN_RIGHT);
  frame.height = MAX (1, gtk_widget_get_height (GTK_WIDGET (self)) - MARGIN_TOP - MARGIN_BOTTOM);
  frame.max = nice_max (max);
  return frame;
}

static double
slot_width (LdPlot      *self,
            const Frame *frame)
{
  return frame->width / MAX (1, self->values->len);
}

static void
point_at (LdPlot      *self,
          const Frame *frame,
          guint        index,
          double      *x,
          double      *y)
{
  double value = g_array_index (self->values, double, index);

  *x = frame->left + (index + 0.5) * slot_width (self, frame);
  *y = frame->top + frame->height * (1 - CLAMP (value / frame->max, 0, 1));
}

static char *
format_value (LdPlot *self,
              double  value)
{
  return g_strdup_printf ("%.*f", (int) self->decimals, value);
}

static void
get_colors (LdPlot  *self,
            GdkRGBA *fg,
            GdkRGBA *series)
{
  GtkStyleContext *style;

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  style = gtk_widget_get_style_context (GTK_WIDGET (self));
  gtk_style_context_get_color (style, fg);
  if (self->color_name == NULL || !gtk_style_context_lookup_color (style, self->color_name, series))
    *series = *fg;
G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
append_text (LdPlot        *self,
             GtkSnapshot   *snapshot,
             const char    *text,
             double         x,
             double         y,
             double         align_x,
             double         align_y,
             const GdkRGBA *color)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  int width, height;

  pango_layout_get_pixel_size (layout, &width, &height);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (floor (x - align_x * width), floor (y - align_y * height)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
ld_plot_snapshot (GtkWidget   *widget,
                  GtkSnapshot *snapshot)
{
  LdPlot *self = LD_PLOT (widget);
  Frame frame = get_frame (self);
  GdkRGBA fg, series, grid, dim;
  guint n = self->values->len;

  get_colors (self, &fg, &series);
  grid = fg;
  grid.alpha *= 0.15;
  dim = fg;
  dim.alpha *= 0.7;

  /* Grid lines at 0, half and the top, labelled on the left. */
  for (int i = 0; i <= 2; i++)
    {
      double y = frame.top + frame.height * (1 - i / 2.0);
      g_autofree char *label = format_value (self, frame.max * i / 2.0);

      gtk_snapshot_append_color (snapshot, &grid, &GRAPHENE_RECT_INIT (frame.left, floor (y), frame.width, 1));
      append_text (self, snapshot, label, frame.left - 6, y, 1, 0.5, &dim);
    }

  if (n > 0)
    {
      g_autofree char *first = g_strdup_printf (_("%u min"), 0);
      g_autofree char *last = g_strdup_printf (_("%u min"), n - 1);
      double x0, y0, x1, y1;

      point_at (self, &frame, 0, &x0, &y0);
      point_at (self, &frame, n - 1, &x1, &y1);
      append_text (self, snapshot, first, x0, frame.top + frame.height + 4, n > 1 ? 0 : 0.5, 0, &dim);
      if (n > 1)
        append_text (self, snapshot, last, x1, frame.top + frame.height + 4, 1, 0, &dim);
    }

  if (self->kind == LD_PLOT_BARS)
    {
      double slot = slot_width (self, &frame);
      double bar = MAX (1, slot * 0.7);

      for (guint i = 0; i < n; i++)
        {
          double x, y;
          GdkRGBA color = series;

          point_at (self, &frame, i, &x, &y);
          if ((int) i != self->hover && self->hover >= 0)
            color.alpha *= 0.6;
          gtk_snapshot_append_color (snapshot, &color,
                                     &GRAPHENE_RECT_INIT (x - bar / 2, y, bar, frame.top + frame.height - y));
        }
    }
  else if (n > 0)
    {
      cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0,
                                                                              gtk_widget_get_width (widget),
                                                                              gtk_widget_get_height (widget)));

      gdk_cairo_set_source_rgba (cr, &series);
      cairo_set_line_width (cr, 2.5);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      for (guint i = 0; i < n; i++)
        {
          double x, y;

          point_at (self, &frame, i, &x, &y);
          if (i == 0)
            cairo_move_to (cr, x, y);
          else
            cairo_line_to (cr, x, y);
        }
      cairo_stroke (cr);
      /* Points when few enough to tell apart, and always the one hovered. */
      for (guint i = 0; i < n; i++)
        {
          double x, y;

          if (slot_width (self, &frame) < 8 && (int) i != self->hover)
            continue;
          point_at (self, &frame, i, &x, &y);
          cairo_arc (cr, x, y, (int) i == self->hover ? 5 : 3, 0, 2 * G_PI);
          cairo_fill (cr);
        }
      cairo_destroy (cr);
    }

  if (self->hover >= 0 && (guint) self->hover < n && self->hover_text != NULL)
    {
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, self->hover_text);
      GdkRGBA background = fg;
      GdkRGBA text;
      int width, height;
      double x, y, box_x, box_y;
      GskRoundedRect box;

      /* The label in the text colour turned around, so it stands out from
       * the plot in every style. */
      background.alpha = 0.9;
      text.red = 1 - fg.red;
      text.green = 1 - fg.green;
      text.blue = 1 - fg.blue;
      text.alpha = 1;
      point_at (self, &frame, self->hover, &x, &y);
      gtk_snapshot_append_color (snapshot, &grid, &GRAPHENE_RECT_INIT (floor (x), frame.top, 1, frame.height));
      pango_layout_get_pixel_size (layout, &width, &height);
      box_x = CLAMP (x - (width + 12) / 2.0, 0, MAX (0, gtk_widget_get_width (widget) - width - 12));
      box_y = MAX (0, y - height - 14);
      gsk_rounded_rect_init_from_rect (&box, &GRAPHENE_RECT_INIT (box_x, box_y, width + 12, height + 6), 4);
      gtk_snapshot_push_rounded_clip (snapshot, &box);
      gtk_snapshot_append_color (snapshot, &background, &GRAPHENE_RECT_INIT (box_x, box_y, width + 12, height + 6));
      gtk_snapshot_pop (snapshot);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (box_x + 6, box_y + 3));
      gtk_snapshot_append_layout (snapshot, layout, &text);
      gtk_snapshot_restore (snapshot);
    }
}

static void
set_hover (LdPlot *self,
           int     hover)
{
  g_autofree char *value = NULL;

  if (hover >= (int) self->values->len)
    hover = -1;
  g_clear_pointer (&self->hover_text, g_free);
  self->hover = hover;
  if (hover >= 0)
    {
      value = format_value (self, g_array_index (self->values, double, hover));
      /* TRANSLATORS: minute of the stream, then a value and what it counts: "Minute 3: 7 viewers". */
      self->hover_text = g_strdup_printf (_("Minute %d: %s %s"), hover, value, self->unit ? self->unit : "");
      g_strchomp (self->hover_text);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  self->hover_text ? self->hover_text : "", -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           LdPlot                   *self)
{
  Frame frame = get_frame (self);
  int index;

  if (self->values->len == 0 || x < frame.left || x >= frame.left + frame.width)
    index = -1;
  else
    index = (int) ((x - frame.left) / slot_width (self, &frame));
  if (index != self->hover)
    set_hover (self, index);
}

static void
on_leave (GtkEventControllerMotion *controller,
          LdPlot                   *self)
{
  set_hover (self, -1);
}

static void
ld_plot_measure (GtkWidget      *widget,
                 GtkOrientation  orientation,
                 int             for_size,
                 int            *minimum,
                 int            *natural,
                 int            *minimum_baseline,
                 int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 160 : 120;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 360 : 160;
}

static void
ld_plot_css_changed (GtkWidget         *widget,
                     GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (ld_plot_parent_class)->css_changed (widget, change);
  gtk_widget_queue_draw (widget);
}

static void
ld_plot_finalize (GObject *object)
{
  LdPlot *self = LD_PLOT (object);

  g_array_unref (self->values);
  g_free (self->unit);
  g_free (self->color_name);
  g_free (self->hover_text);

  G_OBJECT_CLASS (ld_plot_parent_class)->finalize (object);
}

static void
ld_plot_class_init (LdPlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ld_plot_finalize;
  widget_class->snapshot = ld_plot_snapshot;
  widget_class->measure = ld_plot_measure;
  widget_class->css_changed = ld_plot_css_changed;
  gtk_widget_class_set_css_name (widget_class, "plot");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ld_plot_init (LdPlot *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->values = g_array_new (FALSE, TRUE, sizeof (double));
  self->color_name = g_strdup ("accent_color");
  self->hover = -1;
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

GtkWidget *
ld_plot_new (LdPlotKind kind)
{
  LdPlot *self = g_object_new (LD_TYPE_PLOT, NULL);

  self->kind = kind;
  return GTK_WIDGET (self);
}

void
ld_plot_set_kind (LdPlot     *self,
                  LdPlotKind  kind)
{
  g_return_if_fail (LD_IS_PLOT (self));

  self->kind = kind;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
ld_plot_set_values (LdPlot       *self,
                    const double *values,
                    guint         n_values)
{
  g_return_if_fail (LD_IS_PLOT (self));
  g_return_if_fail (values != NULL || n_values == 0);

  /* The dashboard sets them every second: no redraw for the same. */
  if (n_values == self->values->len &&
      (n_values == 0 || memcmp (values, self->values->data, n_values * sizeof (double)) == 0))
    return;
  g_array_set_size (self->values, 0);
  if (n_values > 0)
    g_array_append_vals (self->values, values, n_values);
  /* The label under the pointer follows the new value of its minute. */
  set_hover (self, self->hover);
}

guint
ld_plot_get_n_values (LdPlot *self)
{
  g_return_val_if_fail (LD_IS_PLOT (self), 0);
  return self->values->len;
}

void
ld_plot_set_unit (LdPlot     *self,
                  const char *unit)
{
  g_return_if_fail (LD_IS_PLOT (self));

  g_free (self->unit);
  self->unit = g_strdup (unit);
  set_hover (self, self->hover);
}

void
ld_plot_set_decimals (LdPlot *self,
                      guint   decimals)
{
  g_return_if_fail (LD_IS_PLOT (self));

  self->decimals = MIN (decimals, 6);
  set_hover (self, self->hover);
}

void
ld_plot_set_color_name (LdPlot     *self,
                        const char *name)
{
  g_return_if_fail (LD_IS_PLOT (self));

  g_free (self->color_name);
  self->color_name = g_strdup (name);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
ld_plot_get_point (LdPlot *self,
                   guint   index,
                   double *x,
                   double *y)
{
  Frame frame;

  g_return_val_if_fail (LD_IS_PLOT (self), FALSE);

  if (index >= self->values->len || gtk_widget_get_width (GTK_WIDGET (self)) == 0)
    return FALSE;
  frame = get_frame (self);
  point_at (self, &frame, index, x, y);
  return TRUE;
}

int
ld_plot_get_hover_index (LdPlot *self)
{
  g_return_val_if_fail (LD_IS_PLOT (self), -1);
  return self->hover;
}

const char *
ld_plot_get_hover_text (LdPlot *self)
{
  g_return_val_if_fail (LD_IS_PLOT (self), NULL);
  return self->hover_text;
}
