/* bench-startup.c: the app's cold start, from exec to its window's first
 * frame, five times: each start is a new process that runs LdApplication as
 * livedesk's main() does and quits once the window has drawn. Prints every
 * start, the median and the spread. Needs a display (run it under xvfb-run or
 * in a desktop session); never fails on time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "ld-application.h"
#include "ld-renderer.h"
#include "ld-window.h"

#define STARTS 5

static void
on_after_paint (GdkFrameClock *clock,
                GApplication  *app)
{
  struct rusage usage;

  g_signal_handlers_disconnect_by_func (clock, on_after_paint, app);
  getrusage (RUSAGE_SELF, &usage);
  /* When, and the CPU time it took: the load on the machine moves the
   * first much more than the second. */
  g_print ("%" G_GINT64_FORMAT " %.1f\n", g_get_monotonic_time (),
           (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e3 +
           (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e3);
  g_application_quit (app);
}

static void
on_realize (GtkWidget    *window,
            GApplication *app)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (on_after_paint), app);
}

static void
on_window_added (GtkApplication *app,
                 GtkWindow      *window)
{
  if (LD_IS_WINDOW (window))
    g_signal_connect (window, "realize", G_CALLBACK (on_realize), app);
}

/* One start: prints the monotonic time of the first frame. */
static int
run_child (void)
{
  g_autoptr(LdApplication) app = NULL;

  ld_renderer_choose ("/dev");
  app = ld_application_new ();
  g_signal_connect (app, "window-added", G_CALLBACK (on_window_added), NULL);
  return g_application_run (G_APPLICATION (app), 0, NULL);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

int
main (int   argc,
      char *argv[])
{
  double ms[STARTS];
  double cpu_ms[STARTS];
  guint done = 0;
  g_autofree char *load = NULL;

  if (argc > 1 && g_str_equal (argv[1], "--child"))
    return run_child ();

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("bench-startup: no display, skipped (run it under xvfb-run)\n");
      return 0;
    }
  /* The schema from this build, and no stored settings or sign-in. */
  if (g_getenv ("GSETTINGS_SCHEMA_DIR") == NULL)
    g_setenv ("GSETTINGS_SCHEMA_DIR", LIVEDESK_SCHEMA_DIR, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);

  for (guint i = 0; i < STARTS; i++)
    {
      const char *child_argv[] = { argv[0], "--child", NULL };
      g_autofree char *out = NULL;
      g_autoptr(GError) error = NULL;
      gint64 before = g_get_monotonic_time ();
      char *end = NULL;
      int status;

      if (!g_spawn_sync (NULL, (char **) child_argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error) ||
          out == NULL || *out == '\0')
        {
          g_printerr ("bench-startup: start %u failed: %s\n", i + 1, error ? error->message : "no first frame");
          continue;
        }
      ms[done] = (g_ascii_strtoll (out, &end, 10) - before) / 1000.0;
      cpu_ms[done] = g_ascii_strtod (end, NULL);
      g_print ("start %u: first frame after %.1f ms, %.1f ms of CPU\n", i + 1, ms[done], cpu_ms[done]);
      done++;
    }
  if (done == 0)
    return 1;

  qsort (ms, done, sizeof ms[0], compare_double);
  qsort (cpu_ms, done, sizeof cpu_ms[0], compare_double);
  g_print ("cold start to the first frame, %u starts: median %.1f ms, min %.1f ms, max %.1f ms (spread %.1f ms)\n",
           done, ms[done / 2], ms[0], ms[done - 1], ms[done - 1] - ms[0]);
  g_print ("CPU time to the first frame: median %.1f ms, min %.1f ms, max %.1f ms\n",
           cpu_ms[done / 2], cpu_ms[0], cpu_ms[done - 1]);
  if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    g_print ("load average (1, 5, 15 min; %u CPUs): %s", g_get_num_processors (), load);
  return 0;
}
