/* bench-ui-chat.c: the app's main window with the chat view visible, fed
 * 2,000 chat messages a second through LdSession's event handling (the path
 * newMessage takes from the wire) for 60 s. Prints how late a 5 ms heartbeat
 * on the main loop ran (p50/p99/max: the stalls a user feels), the frames
 * drawn, the CPU time per message, peak RSS, and the cold start to the
 * window's first frame. Then, the history full (of one room), the CPU time
 * of a 100-message batch and the frame that shows it (a figure the machine's
 * load hardly moves, unlike the stalls), and what the history costs per
 * message. Never fails on time. Needs a display (build-aux/livedesk bench
 * has none: run it under xvfb-run or in a desktop session);
 * LIVEDESK_BENCH_SECONDS shortens it, LIVEDESK_BENCH_BATCHES sets the
 * number of batches (100).
 *
 * --rooms N: N rooms on the session, each shown by its own chat view in one
 * window (a moderator's desk), sharing the 2,000 messages a second.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "ld-chat-view.h"
#include "ld-renderer.h"
#include "ld-session-private.h"
#include "ld-room.h"
#include "ld-window.h"

#define RATE_PER_S 2000
#define FEED_EVERY_MS 10
#define HEARTBEAT_MS 5
#define BATCH 100
#define BATCH_ROUNDS 100

#define MAX_ROOMS 8

typedef struct
{
  LdSession *session;
  guint      rooms;
  LdChatModel *chats[MAX_ROOMS];
  GtkWidget *views[MAX_ROOMS];
  /* Heartbeat lateness while the history fills, and once it is full and
   * every batch drops as many old messages as it adds. */
  GArray    *lateness_us;
  GArray    *lateness_fill_us;
  GArray    *lateness_full_us;
  gint64     started;
  gint64     first_frame;
  gint64     last_beat;
  gint64     end;
  gint64     feed_start;
  guint      fed;
  guint      frames;
  /* Time between consecutive frames while fed (µs). */
  GArray    *frame_gaps_us;
  gint64     last_frame;
  gboolean   done;
} Bench;

static gboolean
on_heartbeat (gpointer data)
{
  Bench *bench = data;
  gint64 now = g_get_monotonic_time ();
  gint64 late = now - bench->last_beat - HEARTBEAT_MS * 1000;

  g_array_append_val (bench->lateness_us, late);
  if (bench->fed / bench->rooms > ld_chat_model_get_capacity (bench->chats[0]))
    g_array_append_val (bench->lateness_full_us, late);
  else
    g_array_append_val (bench->lateness_fill_us, late);
  bench->last_beat = now;
  return G_SOURCE_CONTINUE;
}

static JsonObject *
new_payload (guint n,
             guint rooms)
{
  char room[32];
  JsonObject *payload = json_object_new ();
  char id[32];
  char user[16];
  char text[80];

  g_snprintf (id, sizeof id, "m%u", n);
  g_snprintf (user, sizeof user, "viewer%u", n % 97);
  g_snprintf (text, sizeof text, "tin nhắn số %u từ khán giả, hello chat!", n);
  json_object_set_string_member (payload, "messageId", id);
  g_snprintf (room, sizeof room, "room_bench_%u", n % rooms);
  json_object_set_string_member (payload, "roomId", room);
  json_object_set_string_member (payload, "userId", user);
  json_object_set_string_member (payload, "username", user);
  json_object_set_string_member (payload, "role", n % 50 == 0 ? "moderator" : "viewer");
  json_object_set_string_member (payload, "message", text);
  json_object_set_string_member (payload, "timestamp", "2026-11-26T12:00:00.000Z");
  return payload;
}

static void
feed_one (Bench *bench)
{
  g_autoptr(JsonObject) payload = new_payload (bench->fed, bench->rooms);
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), payload);

  _ld_session_handle_event (bench->session, "newMessage", node);
  bench->fed++;
}

static gboolean
on_feed (gpointer data)
{
  Bench *bench = data;
  gint64 now = g_get_monotonic_time ();
  /* Catch up after a stall, so the rate is the one asked for. */
  guint due = (guint) ((now - bench->feed_start) * RATE_PER_S / G_USEC_PER_SEC);

  while (bench->fed < due)
    feed_one (bench);

  if (g_get_monotonic_time () >= bench->end)
    {
      bench->done = TRUE;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* The frame clock also runs cycles that paint nothing (tick callbacks,
 * layout alone): a frame drawn is one with a paint phase. */
static void
on_paint (GdkFrameClock *clock,
          Bench         *bench)
{
  gint64 now = g_get_monotonic_time ();

  bench->frames++;
  if (bench->feed_start != 0 && !bench->done && bench->last_frame != 0)
    {
      gint64 gap = now - bench->last_frame;

      g_array_append_val (bench->frame_gaps_us, gap);
    }
  bench->last_frame = now;
}

static void
on_after_paint (GdkFrameClock *clock,
                Bench         *bench)
{
  if (bench->first_frame == 0)
    bench->first_frame = g_get_monotonic_time ();
}

static void
on_realize (GtkWidget *window,
            Bench     *bench)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), bench);
  g_signal_connect (clock, "paint", G_CALLBACK (on_paint), bench);
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static size_t
heap_in_use (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return info.uordblks + info.hblkhd;
}

/* Batches of 100 messages, each shown by one frame: the CPU that costs,
 * whatever else the machine runs. */
/* Not inlined: callgrind --toggle-collect=measure_batches counts its
 * instructions, a figure no load on the machine moves. */
G_GNUC_NO_INLINE static void
measure_batches (Bench *bench)
{
  const char *rounds_env = g_getenv ("LIVEDESK_BENCH_BATCHES");
  guint rounds = rounds_env ? MAX (1, (guint) atoi (rounds_env)) : BATCH_ROUNDS;
  double cpu_before = cpu_seconds ();
  gint64 wall_before = g_get_monotonic_time ();

  for (guint round = 0; round < rounds; round++)
    {
      guint frames = bench->frames;

      for (guint i = 0; i < BATCH; i++)
        feed_one (bench);
      for (guint r = 0; r < bench->rooms; r++)
        ld_chat_model_flush (bench->chats[r]);
      while (bench->frames == frames)
        g_main_context_iteration (NULL, TRUE);
    }
  g_print ("after the run, %u batches of %u messages, each shown by a frame: CPU %.2f ms per batch "
           "(%.1f µs per message), %.1f ms wall per batch\n",
           rounds, BATCH, (cpu_seconds () - cpu_before) * 1e3 / rounds,
           (cpu_seconds () - cpu_before) * 1e6 / (rounds * BATCH),
           (g_get_monotonic_time () - wall_before) / 1e3 / rounds);
}

/* The chat model alone, filled to its capacity: the heap a message in the
 * history holds (the message, its strings, the model's indexes). */
static void
measure_history_cost (void)
{
  g_autoptr(LdChatModel) model = ld_chat_model_new ();
  guint capacity = ld_chat_model_get_capacity (model);
  size_t before = heap_in_use ();

  for (guint n = 0; n < capacity; n++)
    {
      g_autoptr(JsonObject) payload = new_payload (n, 1);
      g_autoptr(LdMessage) message = ld_message_new_from_json (payload, NULL);

      ld_chat_model_append (model, message);
    }
  ld_chat_model_flush (model);
  g_print ("the history costs %.0f bytes of heap per message (%u messages: %.1f MiB)\n",
           (double) (heap_in_use () - before) / capacity, capacity,
           (heap_in_use () - before) / (1024.0 * 1024.0));
}

/* The figures mean little without the load the machine was under. */
static void
print_load (void)
{
  g_autofree char *load = NULL;

  if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    g_print ("load average (1, 5, 15 min; %u CPUs): %s", g_get_num_processors (), load);
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static double
percentile_ms (GArray *sorted,
               double  p)
{
  guint i;

  if (sorted->len == 0)
    return 0;
  i = MIN (sorted->len - 1, (guint) (p * (sorted->len - 1) + 0.5));
  return MAX (0, g_array_index (sorted, gint64, i)) / 1000.0;
}

static guint
count_over (GArray *values,
            gint64  limit)
{
  guint n = 0;

  for (guint i = 0; i < values->len; i++)
    n += g_array_index (values, gint64, i) > limit;
  return n;
}

/* The app's style sheet, which AdwApplication loads from the app's resource
 * base path: without it the bench measures rows and pages (and the icons
 * they load) that are not what a user gets. */
static void
load_app_style (void)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (provider, "/io/github/livedesk/Livedesk/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

int
main (int   argc,
      char *argv[])
{
  Bench bench = { 0 };
  const char *seconds_env = g_getenv ("LIVEDESK_BENCH_SECONDS");
  guint seconds = seconds_env ? (guint) atoi (seconds_env) : 60;
  GtkWidget *window;
  guint following = 0;
  guint unseen = 0;
  struct rusage usage;
  struct rusage before;
  guint frames_before;
  double cpu_s;

  /* The renderer the app would pick on this machine. */
  ld_renderer_choose ("/dev");
  bench.started = g_get_monotonic_time ();
  if (!gtk_init_check ())
    {
      g_print ("bench-ui-chat: no display, skipped (run it under xvfb-run)\n");
      return 0;
    }
  adw_init ();
  load_app_style ();

  bench.lateness_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  bench.lateness_fill_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  bench.lateness_full_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  bench.frame_gaps_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  bench.rooms = 1;
  if (argc > 2 && g_str_equal (argv[1], "--rooms"))
    bench.rooms = CLAMP ((guint) atoi (argv[2]), 1, MAX_ROOMS);
  bench.session = ld_session_new ("http://127.0.0.1:9", "http://127.0.0.1:9");
  for (guint r = 0; r < bench.rooms; r++)
    {
      g_autofree char *room = g_strdup_printf ("room_bench_%u", r);

      _ld_session_enter_room (bench.session, room);
      bench.chats[r] = ld_room_get_chat (ld_session_get_room (bench.session, room));
    }

  if (bench.rooms == 1)
    {
      window = GTK_WIDGET (ld_window_new (NULL, NULL));
      ld_window_set_session (LD_WINDOW (window), bench.session);
      bench.views[0] = GTK_WIDGET (ld_window_get_chat_view (LD_WINDOW (window)));
    }
  else
    {
      /* The rooms side by side, two a row, each a chat view of its own. */
      GtkWidget *grid = gtk_grid_new ();

      window = gtk_window_new ();
      gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
      gtk_grid_set_row_homogeneous (GTK_GRID (grid), TRUE);
      gtk_grid_set_column_homogeneous (GTK_GRID (grid), TRUE);
      for (guint r = 0; r < bench.rooms; r++)
        {
          bench.views[r] = ld_chat_view_new ();
          gtk_widget_set_hexpand (bench.views[r], TRUE);
          gtk_widget_set_vexpand (bench.views[r], TRUE);
          ld_chat_view_set_model (LD_CHAT_VIEW (bench.views[r]), bench.chats[r]);
          gtk_grid_attach (GTK_GRID (grid), bench.views[r], r % 2, r / 2, 1, 1);
        }
      gtk_window_set_child (GTK_WINDOW (window), grid);
    }
  g_signal_connect (window, "realize", G_CALLBACK (on_realize), &bench);
  gtk_window_present (GTK_WINDOW (window));
  while (bench.first_frame == 0)
    g_main_context_iteration (NULL, TRUE);

  g_print ("cold start to first frame: %.1f ms\n", (bench.first_frame - bench.started) / 1000.0);
  /* Software GL (Mesa's llvmpipe on Xvfb) costs far more memory and CPU
   * than cairo or a GPU: the figures mean little without it. */
  g_print ("renderer: %s\n", G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (window))));

  frames_before = bench.frames;
  getrusage (RUSAGE_SELF, &before);
  bench.last_beat = g_get_monotonic_time ();
  bench.feed_start = bench.last_beat;
  bench.end = bench.last_beat + (gint64) MAX (1, seconds) * G_USEC_PER_SEC;
  g_timeout_add (HEARTBEAT_MS, on_heartbeat, &bench);
  g_timeout_add (FEED_EVERY_MS, on_feed, &bench);
  while (!bench.done)
    g_main_context_iteration (NULL, TRUE);

  g_array_sort (bench.lateness_us, compare_gint64);
  g_array_sort (bench.lateness_fill_us, compare_gint64);
  g_array_sort (bench.lateness_full_us, compare_gint64);
  g_array_sort (bench.frame_gaps_us, compare_gint64);
  getrusage (RUSAGE_SELF, &usage);
  /* CPU time, unlike the stalls, hardly depends on what else the machine runs. */
  cpu_s = (usage.ru_utime.tv_sec - before.ru_utime.tv_sec) + (usage.ru_stime.tv_sec - before.ru_stime.tv_sec) +
          ((usage.ru_utime.tv_usec - before.ru_utime.tv_usec) + (usage.ru_stime.tv_usec - before.ru_stime.tv_usec)) / 1e6;
  g_print ("rooms: %u, each fed %.0f messages/s\n", bench.rooms, bench.fed / (double) MAX (1, seconds) / bench.rooms);
  g_print ("messages fed: %u in %u s (%.0f/s), frames drawn: %u (%.1f/s)\n",
           bench.fed, seconds, bench.fed / (double) MAX (1, seconds), bench.frames - frames_before,
           (bench.frames - frames_before) / (double) MAX (1, seconds));
  /* A 60 Hz display shows a frame every 16.7 ms; a gap of two or more
   * intervals is a frame the chat did not move in. */
  g_print ("time between frames: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms; %.1f %% of gaps over 25 ms\n",
           percentile_ms (bench.frame_gaps_us, 0.5), percentile_ms (bench.frame_gaps_us, 0.9),
           percentile_ms (bench.frame_gaps_us, 0.99), percentile_ms (bench.frame_gaps_us, 1.0),
           100.0 * count_over (bench.frame_gaps_us, 25000) / MAX (1, bench.frame_gaps_us->len));
  g_print ("main-loop stall (heartbeat lateness): p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
           percentile_ms (bench.lateness_us, 0.5), percentile_ms (bench.lateness_us, 0.99),
           percentile_ms (bench.lateness_us, 1.0));
  g_print ("  of which while the history fills: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n"
           "  of which once it is full (%u messages): p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
           percentile_ms (bench.lateness_fill_us, 0.5), percentile_ms (bench.lateness_fill_us, 0.99),
           percentile_ms (bench.lateness_fill_us, 1.0),
           ld_chat_model_get_capacity (bench.chats[0]),
           percentile_ms (bench.lateness_full_us, 0.5), percentile_ms (bench.lateness_full_us, 0.99),
           percentile_ms (bench.lateness_full_us, 1.0));
  g_print ("CPU: %.1f µs per message fed (%.0f %% of one core)\n",
           cpu_s * 1e6 / MAX (1, bench.fed), 100 * cpu_s / MAX (1, seconds));
  g_print ("peak RSS: %ld MiB\n", usage.ru_maxrss / 1024);
  print_load ();
  /* A view that lost the bottom binds no new rows: cheap, and wrong. */
  for (guint r = 0; r < bench.rooms; r++)
    {
      following += ld_chat_view_get_sticky (LD_CHAT_VIEW (bench.views[r]));
      unseen += ld_chat_view_get_unseen (LD_CHAT_VIEW (bench.views[r]));
    }
  g_print ("chat views following the newest message at the end: %u of %u (%u unseen)\n",
           following, bench.rooms, unseen);

  measure_batches (&bench);
  measure_history_cost ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&bench.session);
  g_array_unref (bench.lateness_us);
  g_array_unref (bench.lateness_fill_us);
  g_array_unref (bench.lateness_full_us);
  g_array_unref (bench.frame_gaps_us);
  return 0;
}
