/* test-ui-dashboard.c: the Dashboard view under Xvfb. Against a real
 * livedesk-gateway: messages, a gift and a newcomer sent by other users
 * reach the streamer's dashboard, whose plots draw their series (pixels
 * along them) and show the value of the minute under the pointer. With a
 * room fed by hand on the test clock: the end-of-stream summary and the
 * plots' picture. A streamer's window lands on the dashboard.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "ld-dashboard-view.h"
#include "ld-room-private.h"
#include "ld-test-clock.h"
#include "ld-test-gateway.h"
#include "ld-test-ui.h"
#include "ld-test-util.h"
#include "ld-test-room.h"
#include "ld-window.h"

#define WAIT_MS 30000

#define WAIT_UNTIL(cond) LD_TEST_WAIT_UNTIL (cond, WAIT_MS)

typedef struct
{
  GdkTexture *texture;
  guchar     *pixels;
  gsize       stride;
  int         width;
  int         height;
} Picture;

static void
picture_clear (Picture *picture)
{
  g_clear_object (&picture->texture);
  g_clear_pointer (&picture->pixels, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Picture, picture_clear)

/* WIDGET as it is drawn now, on a transparent background. */
static void
render (GtkWidget *widget,
        Picture   *picture)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  GtkWidget *parent = gtk_widget_get_parent (widget);
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (widget, parent, &bounds));
  gtk_widget_snapshot_child (parent, widget, snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  picture->texture = gsk_renderer_render_texture (renderer, node, &bounds);
  picture->width = gdk_texture_get_width (picture->texture);
  picture->height = gdk_texture_get_height (picture->texture);
  g_assert_cmpint (picture->width, ==, gtk_widget_get_width (widget));
  picture->stride = picture->width * 4;
  picture->pixels = g_malloc (picture->stride * picture->height);
  gdk_texture_download (picture->texture, picture->pixels, picture->stride);
}

/* The most opaque pixel within RADIUS of (X, Y). */
static int
alpha_near (Picture *picture,
            double   x,
            double   y,
            int      radius)
{
  int best = 0;

  for (int dy = -radius; dy <= radius; dy++)
    for (int dx = -radius; dx <= radius; dx++)
      {
        int px = (int) x + dx;
        int py = (int) y + dy;

        if (px >= 0 && py >= 0 && px < picture->width && py < picture->height)
          best = MAX (best, picture->pixels[py * picture->stride + px * 4 + 3]);
      }
  return best;
}

static guint
count_drawn (Picture *picture)
{
  guint n = 0;

  for (int y = 0; y < picture->height; y++)
    for (int x = 0; x < picture->width; x++)
      n += picture->pixels[y * picture->stride + x * 4 + 3] > 0;
  return n;
}

static GtkEventController *
motion_controller (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_MOTION (controller))
        return controller;
    }
  g_assert_not_reached ();
}

/* The pointer moves to (X, Y) over PLOT: what its motion controller gets. */
static void
move_pointer (LdPlot *plot,
              double  x,
              double  y)
{
  g_signal_emit_by_name (motion_controller (GTK_WIDGET (plot)), "motion", x, y);
}

static double
luminance (const guchar *bgra)
{
  double rgb[3];

  for (int i = 0; i < 3; i++)
    {
      double c = bgra[2 - i] / 255.0;

      rgb[i] = c <= 0.03928 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
    }
  return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
}

/* The series at minute INDEX of PLOT stands out from the card it sits on
 * by WCAG's 3:1 for graphics, in the style in use. */
static void
assert_readable (LdPlot *plot,
                 guint   index,
                 double  below)
{
  g_auto(Picture) picture = { 0 };
  GdkRGBA card, window;
  guchar card_bgra[4];
  const guchar *pixel;
  double x, y, a, b;

  render (GTK_WIDGET (plot), &picture);
  g_assert_true (ld_plot_get_point (plot, index, &x, &y));
  pixel = picture.pixels + (int) (y + below) * picture.stride + (int) x * 4;
  g_assert_cmpint (pixel[3], ==, 255);
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  g_assert_true (gtk_style_context_lookup_color (gtk_widget_get_style_context (GTK_WIDGET (plot)), "card_bg_color", &card));
  g_assert_true (gtk_style_context_lookup_color (gtk_widget_get_style_context (GTK_WIDGET (plot)), "window_bg_color", &window));
G_GNUC_END_IGNORE_DEPRECATIONS
  /* The dark style's cards are a veil of white over the window. */
  card_bgra[0] = (card.alpha * card.blue + (1 - card.alpha) * window.blue) * 255;
  card_bgra[1] = (card.alpha * card.green + (1 - card.alpha) * window.green) * 255;
  card_bgra[2] = (card.alpha * card.red + (1 - card.alpha) * window.red) * 255;
  a = luminance (pixel);
  b = luminance (card_bgra);
  g_test_message ("series #%02x%02x%02x on card #%02x%02x%02x",
                  pixel[2], pixel[1], pixel[0], card_bgra[2], card_bgra[1], card_bgra[0]);
  g_assert_cmpfloat ((MAX (a, b) + 0.05) / (MIN (a, b) + 0.05), >=, 3.0);
}

static void
say (LdSession  *session,
     const char *text)
{
  g_autoptr(GError) error = NULL;

  WAIT_UNTIL (ld_outbox_get_retry_ms (ld_session_get_outbox (session)) == 0);
  g_assert_nonnull (ld_room_send_text (ld_session_get_current_room (session), text, &error));
  g_assert_no_error (error);
}

/* Until WIDGET is shown and a whole frame has passed since the call: that
 * frame laid out everything changed before it (a summary that appeared
 * takes room from the plots). A fixed number of loop iterations was not
 * enough on a busy machine: the plots were rendered at their old height. */
static void
spin_until_drawn (GtkWidget *widget)
{
  GdkFrameClock *clock;
  gint64 frame;

  WAIT_UNTIL (gtk_widget_get_mapped (widget) && gtk_widget_get_width (widget) > 0);
  clock = gtk_widget_get_frame_clock (widget);
  frame = gdk_frame_clock_get_frame_counter (clock);
  gtk_widget_queue_draw (widget);
  WAIT_UNTIL (gdk_frame_clock_get_frame_counter (clock) > frame);
}

static void
assert_series (LdPlot       *plot,
               LdRoomStats  *stats,
               LdRoomStatsSeries series,
               const double *expected,
               guint         n_expected)
{
  guint n;
  const double *points = ld_room_stats_get_series (stats, series, &n);

  g_assert_cmpuint (n, ==, n_expected);
  g_assert_cmpuint (ld_plot_get_n_values (plot), ==, n_expected);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (points[i], expected[i], 1e-9);
}

/* Bob and Mia chat and Bob sends two hearts in a room Alice streams: her
 * dashboard counts them and plots them minute by minute. */
static void
test_live (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (g_getenv ("LIVEDESK_GATEWAY"));
  g_autoptr(LdSession) alice = ld_test_gateway_online_session (gateway, "alice", "streamer", WAIT_MS);
  g_autoptr(LdSession) bob = ld_test_gateway_online_session (gateway, "bob", "viewer", WAIT_MS);
  g_autoptr(LdSession) mia = NULL;
  g_autoptr(LdTestClock) clock = ld_test_clock_new ();
  g_autoptr(LdRoomStats) stats = NULL;
  g_autoptr(GAsyncResult) sent = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tx_id = NULL;
  g_auto(Picture) before = { 0 };
  g_auto(Picture) after = { 0 };
  g_auto(Picture) line = { 0 };
  LdRoomGift gift = {
    .receiver_id = "alice", .receiver_name = "alice", .gift_id = "heart", .gift_name = "Heart",
    .gift_type = "love", .gift_value = 5, .quantity = 2, .animation = "hearts",
  };
  GtkWindow *window;
  LdDashboardView *view;
  LdPlot *chat_plot;
  LdPlot *viewers_plot;
  LdPlot *gifts_plot;
  double x, y, base_y, unused;
  guint n_points;
  const double *viewers;
  g_autofree char *expected = NULL;

  ld_test_session_join (alice, "dash_room", WAIT_MS);
  ld_test_session_join (bob, "dash_room", WAIT_MS);
  WAIT_UNTIL (ld_viewer_model_lookup (ld_room_get_viewers (ld_test_room (alice)), "bob") != NULL);

  /* The streamer's room, on the test clock so that minutes pass at once. */
  stats = ld_room_stats_new (ld_session_get_current_room (alice), LD_CLOCK (clock));
  window = GTK_WINDOW (g_object_ref_sink (gtk_window_new ()));
  gtk_window_set_default_size (window, 1000, 900);
  view = LD_DASHBOARD_VIEW (ld_dashboard_view_new ());
  gtk_window_set_child (window, GTK_WIDGET (view));
  ld_dashboard_view_set_stats (view, stats);
  gtk_window_present (window);
  chat_plot = ld_dashboard_view_get_plot (view, LD_ROOM_STATS_CHAT);
  viewers_plot = ld_dashboard_view_get_plot (view, LD_ROOM_STATS_VIEWERS);
  gifts_plot = ld_dashboard_view_get_plot (view, LD_ROOM_STATS_GIFT_VALUE);

  /* Minute 0: two messages and two hearts (5 each). */
  say (bob, "xin chào");
  say (bob, "hay quá");
  WAIT_UNTIL (ld_outbox_get_retry_ms (ld_session_get_outbox (bob)) == 0);
  ld_room_send_gift_async (ld_test_room (bob), &gift, NULL, ld_test_store_result, &sent);
  WAIT_UNTIL (sent != NULL);
  tx_id = ld_room_send_gift_finish (ld_test_room (bob), sent, &error);
  g_assert_no_error (error);
  WAIT_UNTIL (ld_room_stats_get_n_messages (stats) == 2 && ld_room_stats_get_n_gifts (stats) == 1);
  g_assert_cmpstr (ld_dashboard_view_get_figure (view, "gifts"), ==, "1");
  g_assert_cmpstr (ld_dashboard_view_get_figure (view, "gift-value"), ==, "10");
  g_assert_cmpstr (ld_dashboard_view_get_figure (view, "chat-rate"), ==, "2");
  g_assert_cmpstr (ld_dashboard_view_get_figure (view, "new-viewers"), ==, "0");

  /* Minute 1: Mia comes in, three messages. */
  ld_test_clock_advance (clock, LD_ROOM_STATS_MINUTE_MS);
  mia = ld_test_gateway_online_session (gateway, "mia", "moderator", WAIT_MS);
  ld_test_session_join (mia, "dash_room", WAIT_MS);
  WAIT_UNTIL (ld_room_stats_get_new_viewers (stats) == 1);
  g_assert_cmpstr (ld_dashboard_view_get_figure (view, "new-viewers"), ==, "1");
  say (mia, "chào cả nhà");
  say (bob, "chào Mia");
  say (mia, "🎉");
  WAIT_UNTIL (ld_room_stats_get_n_messages (stats) == 5);
  /* The last minute's: minute 0's two are a minute old. */
  g_assert_cmpstr (ld_dashboard_view_get_figure (view, "chat-rate"), ==, "3");

  /* Minute 2: quiet. */
  ld_test_clock_advance (clock, LD_ROOM_STATS_MINUTE_MS);
  g_assert_cmpstr (ld_dashboard_view_get_figure (view, "chat-rate"), ==, "0");
  assert_series (chat_plot, stats, LD_ROOM_STATS_CHAT, (double[]) { 2, 3, 0 }, 3);
  assert_series (gifts_plot, stats, LD_ROOM_STATS_GIFT_VALUE, (double[]) { 10, 0, 0 }, 3);
  viewers = ld_room_stats_get_series (stats, LD_ROOM_STATS_VIEWERS, &n_points);
  g_assert_cmpuint (n_points, ==, 3);
  g_assert_cmpfloat (viewers[1], >=, 3);
  g_assert_cmpuint (ld_plot_get_n_values (viewers_plot), ==, 3);

  spin_until_drawn (GTK_WIDGET (chat_plot));

  /* The bars stand where the minutes had messages, up to their value; the
   * quiet minute has none. */
  render (GTK_WIDGET (chat_plot), &before);
  g_assert_true (ld_plot_get_point (chat_plot, 2, &x, &base_y));
  for (guint i = 0; i < 2; i++)
    {
      g_assert_true (ld_plot_get_point (chat_plot, i, &x, &y));
      g_assert_cmpfloat (y, <, base_y - 10);
      g_assert_cmpint (alpha_near (&before, x, (y + base_y) / 2, 0), ==, 255);
      g_assert_cmpint (alpha_near (&before, x, y + 2, 0), ==, 255);
      /* Nothing above the bar but, perhaps, a grid line. */
      g_assert_cmpint (alpha_near (&before, x, y - 6, 0), <, 128);
    }
  g_assert_true (ld_plot_get_point (chat_plot, 2, &x, &y));
  g_assert_cmpint (alpha_near (&before, x, base_y - 6, 1), ==, 0);

  /* The viewers' line passes through every point. */
  spin_until_drawn (GTK_WIDGET (viewers_plot));
  render (GTK_WIDGET (viewers_plot), &line);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (ld_plot_get_point (viewers_plot, i, &x, &y));
      g_assert_cmpint (alpha_near (&line, x, y, 1), >, 200);
    }
  /* Between two points, on the segment joining them. */
  {
    double x0, y0, x1, y1;

    ld_plot_get_point (viewers_plot, 0, &x0, &y0);
    ld_plot_get_point (viewers_plot, 1, &x1, &y1);
    g_assert_cmpint (alpha_near (&line, (x0 + x1) / 2, (y0 + y1) / 2, 1), >, 200);
  }

  assert_readable (viewers_plot, 1, 0);
  assert_readable (chat_plot, 1, 4);
  assert_readable (gifts_plot, 0, 4);

  /* In the dark style the line takes the dark theme's colour, as bright. */
  {
    AdwStyleManager *style = adw_style_manager_get_default ();
    g_auto(Picture) dark = { 0 };
    const guchar *light_px, *dark_px;
    int px, py;

    adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
    WAIT_UNTIL (adw_style_manager_get_dark (style));
    for (int i = 0; i < 20; i++)
      g_main_context_iteration (NULL, FALSE);
    render (GTK_WIDGET (viewers_plot), &dark);
    g_assert_true (ld_plot_get_point (viewers_plot, 1, &x, &y));
    px = (int) x;
    py = (int) y;
    light_px = line.pixels + py * line.stride + px * 4;
    dark_px = dark.pixels + py * dark.stride + px * 4;
    g_assert_cmpint (dark_px[3], >, 200);
    g_assert_true (memcmp (light_px, dark_px, 3) != 0);
    assert_readable (viewers_plot, 1, 0);
    assert_readable (chat_plot, 1, 4);
    assert_readable (gifts_plot, 0, 4);
    adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
    WAIT_UNTIL (!adw_style_manager_get_dark (style));
  }

  /* The pointer over minute 1's bar: its value shows, drawn on the plot. */
  g_assert_null (ld_plot_get_hover_text (chat_plot));
  g_assert_true (ld_plot_get_point (chat_plot, 1, &x, &y));
  move_pointer (chat_plot, x, y + 4);
  g_assert_cmpint (ld_plot_get_hover_index (chat_plot), ==, 1);
  g_assert_cmpstr (ld_plot_get_hover_text (chat_plot), ==, "Minute 1: 3 messages");
  render (GTK_WIDGET (chat_plot), &after);
  g_assert_cmpuint (count_drawn (&after), >, count_drawn (&before) + 100);
  /* Over minute 0 of the viewers' line. */
  g_assert_true (ld_plot_get_point (viewers_plot, 0, &x, &unused));
  move_pointer (viewers_plot, x, 20);
  expected = g_strdup_printf ("Minute 0: %.0f viewers", viewers[0]);
  g_assert_cmpstr (ld_plot_get_hover_text (viewers_plot), ==, expected);
  /* Out of the plot: gone. */
  g_signal_emit_by_name (motion_controller (GTK_WIDGET (chat_plot)), "leave");
  g_assert_null (ld_plot_get_hover_text (chat_plot));
  g_assert_cmpint (ld_plot_get_hover_index (chat_plot), ==, -1);

  gtk_window_destroy (window);
  g_assert_finalize_object (window);
  g_assert_finalize_object (g_steal_pointer (&stats));
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* stream.end: the summary shows, and the plots make a picture. In the
 * high-contrast run, the plots are checked for contrast instead. */
static void
test_summary (void)
{
  gboolean high_contrast = g_getenv ("ADW_DEBUG_HIGH_CONTRAST") != NULL;
  g_autoptr(LdTestClock) clock = ld_test_clock_new ();
  g_autoptr(LdRoom) room = _ld_room_new ("r1");
  g_autoptr(JsonObject) joined = parse_object ("{\"roomId\":\"r1\",\"title\":\"Đêm nhạc\",\"status\":\"live\","
                                               "\"viewerCount\":2,\"viewers\":[]}");
  g_autoptr(JsonObject) message = parse_object ("{\"messageId\":\"m1\",\"roomId\":\"r1\",\"userId\":\"lan\","
                                                "\"username\":\"Lan\",\"message\":\"chào\"}");
  g_autoptr(JsonObject) gift = parse_object ("{\"roomId\":\"r1\",\"senderId\":\"lan\",\"senderName\":\"<b>Lan</b>\","
                                             "\"giftId\":\"rose\",\"giftValue\":10}");
  g_autoptr(JsonObject) ended = parse_object ("{\"roomId\":\"r1\",\"status\":\"ended\"}");
  g_autoptr(LdMessage) m = ld_message_new_from_json (message, NULL);
  g_autoptr(LdGift) g = ld_gift_new_from_json (gift, NULL);
  g_autoptr(LdRoomStats) stats = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GdkTexture) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GFile) csv_file = NULL;
  g_autoptr(GFile) png_file = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *written = NULL;
  g_autofree char *expected_csv = NULL;
  GtkWindow *window;
  LdDashboardView *view;

  _ld_room_apply_joined (room, joined);
  stats = ld_room_stats_new (room, LD_CLOCK (clock));
  window = GTK_WINDOW (g_object_ref_sink (gtk_window_new ()));
  gtk_window_set_default_size (window, 1000, 900);
  view = LD_DASHBOARD_VIEW (ld_dashboard_view_new ());
  gtk_window_set_child (window, GTK_WIDGET (view));
  ld_dashboard_view_set_stats (view, stats);
  gtk_window_present (window);

  _ld_room_receive_message (room, m);
  _ld_room_receive_gift (room, g);
  ld_test_clock_advance (clock, 90000);

  if (high_contrast)
    {
      g_assert_true (adw_style_manager_get_high_contrast (adw_style_manager_get_default ()));
      spin_until_drawn (GTK_WIDGET (ld_dashboard_view_get_plot (view, LD_ROOM_STATS_CHAT)));
      assert_readable (ld_dashboard_view_get_plot (view, LD_ROOM_STATS_VIEWERS), 0, 0);
      assert_readable (ld_dashboard_view_get_plot (view, LD_ROOM_STATS_CHAT), 0, 4);
      assert_readable (ld_dashboard_view_get_plot (view, LD_ROOM_STATS_GIFT_VALUE), 0, 4);
    }
  g_assert_null (ld_dashboard_view_get_summary (view));
  _ld_room_apply_update (room, ended);

  g_assert_cmpstr (ld_dashboard_view_get_summary (view), ==,
                   "Duration: 0:01:30 · Peak viewers: 2 · Chat messages: 1 · Gift value: 10\n"
                   "Top gifter: <b>Lan</b>");
  g_assert_cmpint (ld_plot_get_n_values (ld_dashboard_view_get_plot (view, LD_ROOM_STATS_CHAT)), ==, 2);

  spin_until_drawn (GTK_WIDGET (ld_dashboard_view_get_plot (view, LD_ROOM_STATS_CHAT)));
  texture = ld_dashboard_view_render_plots (view);
  g_assert_nonnull (texture);
  g_assert_cmpint (gdk_texture_get_height (texture), >, 300);

  /* What "Save as CSV…" and "Save Plots as PNG…" write. */
  dir = g_dir_make_tmp ("ld-dashboard-XXXXXX", &error);
  g_assert_no_error (error);
  csv_file = g_file_new_build_filename (dir, "stream.csv", NULL);
  png_file = g_file_new_build_filename (dir, "plots.png", NULL);
  ld_dashboard_view_save_async (view, csv_file, LD_DASHBOARD_FORMAT_CSV, NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_true (ld_dashboard_view_save_finish (view, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_true (g_file_load_contents (csv_file, NULL, &written, NULL, NULL, &error));
  g_assert_no_error (error);
  expected_csv = ld_room_stats_to_csv (stats);
  g_assert_cmpstr (written, ==, expected_csv);
  g_assert_nonnull (strstr (written, "peak_viewers,2\r\n"));

  ld_dashboard_view_save_async (view, png_file, LD_DASHBOARD_FORMAT_PNG, NULL, ld_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_true (ld_dashboard_view_save_finish (view, result, &error));
  g_assert_no_error (error);
  /* The result holds the view. */
  g_clear_object (&result);
  loaded = gdk_texture_new_from_file (png_file, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (loaded), ==, gdk_texture_get_width (texture));
  g_assert_cmpint (gdk_texture_get_height (loaded), ==, gdk_texture_get_height (texture));
  g_file_delete (csv_file, NULL, NULL);
  g_file_delete (png_file, NULL, NULL);
  g_rmdir (dir);

  gtk_window_destroy (window);
  g_assert_finalize_object (window);
  g_assert_finalize_object (g_steal_pointer (&stats));
}

static const char *
visible_view (LdWindow *window)
{
  return adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (ld_test_find_widget (GTK_WIDGET (window),
                                                                                 ADW_TYPE_VIEW_STACK)));
}

/* A streamer signing in lands on the dashboard; a viewer stays on the chat. */
static void
test_streamer_lands (void)
{
  g_autoptr(LdTestGateway) gateway = ld_test_gateway_start (g_getenv ("LIVEDESK_GATEWAY"));
  const char *users[][2] = { { "bob", "viewer" }, { "alice", "streamer" } };

  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      g_autofree char *access = ld_test_gateway_mint (gateway, users[i][0], users[i][1], 900);
      g_autoptr(LdTokens) tokens = ld_tokens_new (access, NULL, g_get_real_time () / G_USEC_PER_SEC + 900);
      g_autoptr(LdSession) session = ld_test_gateway_new_session (gateway, tokens);
      LdWindow *window = g_object_ref_sink (ld_window_new (NULL, NULL));
      GtkWidget *dashboard;

      ld_window_set_session (window, session);
      gtk_window_present (GTK_WINDOW (window));
      g_assert_cmpstr (visible_view (window), ==, "chat");
      ld_session_connect (session);
      WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_ONLINE);
      ld_window_join_room (window, "dash_room");
      WAIT_UNTIL (ld_test_room_id (session) != NULL && ld_room_get_joined (ld_session_get_current_room (session)));
      while (g_main_context_iteration (NULL, FALSE))
        ;

      dashboard = ld_test_find_widget (GTK_WIDGET (window), LD_TYPE_DASHBOARD_VIEW);
      g_assert_nonnull (dashboard);
      if (g_str_equal (users[i][1], "streamer"))
        {
          g_assert_cmpstr (visible_view (window), ==, "dashboard");
          g_assert_true (gtk_widget_get_mapped (dashboard));
          /* Showing the room she joined. */
          g_assert_true (ld_room_stats_get_room (ld_dashboard_view_get_stats (LD_DASHBOARD_VIEW (dashboard))) ==
                         ld_session_get_current_room (session));
        }
      else
        {
          g_assert_cmpstr (visible_view (window), ==, "chat");
          g_assert_false (gtk_widget_get_mapped (dashboard));
        }
      gtk_window_destroy (GTK_WINDOW (window));
      ld_session_disconnect (session);
      g_assert_finalize_object (window);
    }

  /* A window given a streamer's session that is already online. */
  {
    g_autoptr(LdSession) online = ld_test_gateway_online_session (gateway, "alice", "streamer", WAIT_MS);
    LdWindow *window = g_object_ref_sink (ld_window_new (NULL, NULL));

    ld_window_set_session (window, online);
    gtk_window_present (GTK_WINDOW (window));
    g_assert_cmpstr (visible_view (window), ==, "dashboard");
    gtk_window_destroy (GTK_WINDOW (window));
    ld_session_disconnect (online);
    g_assert_finalize_object (window);
  }
}

int
main (int   argc,
      char *argv[])
{
  ld_test_ui_init (&argc, &argv);

  /* The high-contrast run (ADW_DEBUG_HIGH_CONTRAST, read at start-up) needs
   * no gateway. */
  if (g_getenv ("ADW_DEBUG_HIGH_CONTRAST") == NULL)
    g_test_add_func ("/dashboard/live", test_live);
  g_test_add_func ("/dashboard/summary", test_summary);
  if (g_getenv ("ADW_DEBUG_HIGH_CONTRAST") == NULL)
    g_test_add_func ("/dashboard/streamer-lands", test_streamer_lands);

  return g_test_run ();
}
