/* test-demo-lifetime.c: `livedesk --demo` starts a private livedesk-gateway
 * and redis-server; whatever way the app ends, they end with it. Runs the
 * real app under X, finds its children in /proc, ends the app without a
 * clean close (kill -9; its X display going away) and waits for the
 * children to be gone. And on a machine with no GPU, the app so started
 * never loads Mesa's software GL.
 *
 * Arguments: the livedesk program.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define START_TIMEOUT_S 90
#define END_TIMEOUT_S 30

static const char *app_program;
/* The app under test: GSubprocess reaps it, not us. */
static pid_t app_pid;

/* PID's parent and command name from /proc/PID/stat; FALSE if it is gone or
 * a zombie (a dead process nobody reaped yet). */
static gboolean
read_stat (pid_t   pid,
           pid_t  *ppid,
           char  **comm)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  const char *open, *close;
  char state;
  int parent;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  /* "PID (COMM) STATE PPID …"; COMM may hold spaces and parentheses. */
  open = strchr (text, '(');
  close = strrchr (text, ')');
  if (open == NULL || close == NULL || sscanf (close + 1, " %c %d", &state, &parent) != 2)
    return FALSE;
  if (state == 'Z' || state == 'X')
    return FALSE;
  if (ppid != NULL)
    *ppid = parent;
  if (comm != NULL)
    *comm = g_strndup (open + 1, close - open - 1);
  return TRUE;
}

static gboolean
alive (pid_t pid)
{
  return read_stat (pid, NULL, NULL);
}

/* Whether PID's first argument is ARG (NULL: any). */
static gboolean
has_argument (pid_t       pid,
              const char *arg)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", pid);
  g_autofree char *cmdline = NULL;
  gsize length;
  gsize first;

  if (arg == NULL)
    return TRUE;
  if (!g_file_get_contents (path, &cmdline, &length, NULL))
    return FALSE;
  first = strnlen (cmdline, length) + 1;
  return first < length && strncmp (cmdline + first, arg, length - first) == 0 &&
         strlen (arg) == strnlen (cmdline + first, length - first);
}

/* The child of PARENT whose command name starts with PREFIX and whose first
 * argument is ARG (NULL: any). The demo also runs short-lived
 * `livedesk-gateway mint-token`: only `serve` is the gateway. */
static pid_t
find_child (pid_t       parent,
            const char *prefix,
            const char *arg)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *comm = NULL;
      pid_t pid = (pid_t) g_ascii_strtoll (name, NULL, 10);
      pid_t ppid;

      if (pid > 0 && read_stat (pid, &ppid, &comm) && ppid == parent && g_str_has_prefix (comm, prefix) &&
          has_argument (pid, arg))
        return pid;
    }
  return 0;
}

/* Orphans come to us (we are their subreaper): reap them so that a dead one
 * does not linger as a zombie. Only these: the app is GSubprocess's to reap. */
static void
reap (const pid_t *pids,
      guint        n_pids)
{
  for (guint i = 0; i < n_pids; i++)
    if (pids[i] > 0 && pids[i] != app_pid)
      waitpid (pids[i], NULL, WNOHANG);
}

typedef struct
{
  GSubprocess *app;
  pid_t        app_pid;
  pid_t        gateway;
  pid_t        redis;
} Demo;

/* Starts the app in demo mode on DISPLAY and waits, by polling /proc with
 * a deadline, until it has started both children. */
static void
demo_start (Demo       *demo,
            const char *display)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_S * G_USEC_PER_SEC;

  if (display != NULL)
    g_subprocess_launcher_setenv (launcher, "DISPLAY", display, TRUE);
  /* Warnings of a window whose display is pulled away are expected here. */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  /* The renderer the app picks itself, not the tests' cairo. */
  g_subprocess_launcher_unsetenv (launcher, "GSK_RENDERER");
  g_subprocess_launcher_unsetenv (launcher, "GDK_DEBUG");
  demo->app = g_subprocess_launcher_spawn (launcher, &error, app_program, "--demo", NULL);
  g_assert_no_error (error);
  demo->app_pid = (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (demo->app), NULL, 10);
  app_pid = demo->app_pid;

  while (demo->gateway == 0 || demo->redis == 0)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("livedesk --demo did not start its gateway (%d) and redis-server (%d) within %d s",
                 demo->gateway, demo->redis, START_TIMEOUT_S);
      if (!alive (demo->app_pid))
        g_error ("livedesk --demo ended before starting its gateway and redis-server");
      if (demo->gateway == 0)
        demo->gateway = find_child (demo->app_pid, "livedesk-gatewa", "serve");
      if (demo->redis == 0)
        demo->redis = find_child (demo->app_pid, "redis-server", NULL);
      g_usleep (50 * 1000);
    }
}

/* Polls until PIDs are all gone or the deadline passes; TRUE if gone. */
static gboolean
wait_gone (const pid_t *pids,
           guint        n_pids)
{
  gint64 deadline = g_get_monotonic_time () + END_TIMEOUT_S * G_USEC_PER_SEC;

  for (;;)
    {
      gboolean any = FALSE;

      reap (pids, n_pids);
      for (guint i = 0; i < n_pids; i++)
        any = any || alive (pids[i]);
      if (!any)
        return TRUE;
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_usleep (50 * 1000);
    }
}

static void
demo_clear (Demo *demo)
{
  /* Whatever the test's outcome, leave nothing running. */
  if (demo->gateway != 0 && alive (demo->gateway))
    kill (demo->gateway, SIGKILL);
  if (demo->redis != 0 && alive (demo->redis))
    kill (demo->redis, SIGKILL);
  if (demo->app != NULL)
    {
      g_subprocess_force_exit (demo->app);
      g_subprocess_wait (demo->app, NULL, NULL);
    }
  g_clear_object (&demo->app);
  reap ((pid_t[]) { demo->gateway, demo->redis }, 2);
}

static void
test_kill_9 (void)
{
  Demo demo = { 0 };
  pid_t children[2];

  demo_start (&demo, NULL);
  children[0] = demo.gateway;
  children[1] = demo.redis;

  g_assert_true (alive (demo.gateway));
  g_assert_true (alive (demo.redis));
  kill (demo.app_pid, SIGKILL);
  g_subprocess_wait (demo.app, NULL, NULL);
  g_assert_true (g_subprocess_get_if_signaled (demo.app));

  if (!wait_gone (children, G_N_ELEMENTS (children)))
    {
      const char *left = alive (demo.gateway) ? "gateway" : "redis-server";

      demo_clear (&demo);
      g_error ("after kill -9 of livedesk --demo, its %s still runs", left);
    }
  demo_clear (&demo);
}

/* With no GPU, GL is Mesa's llvmpipe, drawn by the CPU: for the same chat,
 * three times the CPU and 140 MiB more than cairo (bench/README.md). The
 * app, started as a user starts it, draws with cairo and never maps Mesa's
 * drivers or LLVM. */
static void
test_no_software_gl (void)
{
  static const char *const gl_libraries[] = { "/dri/", "libLLVM", "_mesa", NULL };
  Demo demo = { 0 };
  g_autofree char *maps_path = NULL;
  g_autofree char *maps = NULL;

  if (g_file_test ("/dev/dri", G_FILE_TEST_EXISTS) || g_file_test ("/dev/nvidiactl", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("this machine has a GPU, and GTK's GL renderer is the right one there");
      return;
    }

  /* Its display is open once the demo has started its gateway. */
  demo_start (&demo, NULL);
  maps_path = g_strdup_printf ("/proc/%d/maps", demo.app_pid);
  g_assert_true (g_file_get_contents (maps_path, &maps, NULL, NULL));
  for (guint i = 0; gl_libraries[i] != NULL; i++)
    if (strstr (maps, gl_libraries[i]) != NULL)
      {
        demo_clear (&demo);
        g_error ("livedesk mapped software GL (\"%s\") on a machine with no GPU", gl_libraries[i]);
      }
  demo_clear (&demo);
}

/* A private X server for the app, so that it can be taken away. */
static GSubprocess *
start_xvfb (char **display)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autofree char *line = NULL;
  GSubprocess *xvfb;
  int fds[2];

  g_assert_cmpint (pipe (fds), ==, 0);
  g_subprocess_launcher_take_fd (launcher, fds[1], 5);
  xvfb = g_subprocess_launcher_spawn (launcher, &error, "Xvfb", "-displayfd", "5", "-screen", "0", "800x600x24",
                                      "-nolisten", "tcp", NULL);
  g_assert_no_error (error);
  g_clear_object (&launcher);

  lines = g_data_input_stream_new (g_unix_input_stream_new (fds[0], TRUE));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  *display = g_strdup_printf (":%s", g_strstrip (line));
  return xvfb;
}

static void
test_display_gone (void)
{
  g_autoptr(GSubprocess) xvfb = NULL;
  g_autofree char *display = NULL;
  Demo demo = { 0 };
  g_autofree char *xvfb_program = g_find_program_in_path ("Xvfb");
  pid_t everyone[3];

  if (xvfb_program == NULL)
    {
      g_test_fail_printf ("Xvfb is not installed");
      return;
    }

  xvfb = start_xvfb (&display);
  demo_start (&demo, display);
  everyone[0] = demo.gateway;
  everyone[1] = demo.redis;
  everyone[2] = demo.app_pid;

  /* The desktop session ends: the app loses its display and exits. */
  g_subprocess_force_exit (xvfb);
  g_subprocess_wait (xvfb, NULL, NULL);

  if (!wait_gone (everyone, G_N_ELEMENTS (everyone)))
    {
      const char *left = alive (demo.gateway) ? "the demo gateway"
                         : alive (demo.redis) ? "the demo redis-server" : "livedesk";

      demo_clear (&demo);
      g_error ("after the display went away, %s still runs", left);
    }
  g_subprocess_wait (demo.app, NULL, NULL);
  g_assert_false (g_subprocess_get_successful (demo.app));
  demo_clear (&demo);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_assert_cmpint (argc, >=, 2);
  app_program = argv[1];
  /* Orphaned grandchildren come to us, so we can tell dead from alive. */
  g_assert_cmpint (prctl (PR_SET_CHILD_SUBREAPER, 1), ==, 0);

  g_test_add_func ("/demo/lifetime/kill-9", test_kill_9);
  g_test_add_func ("/demo/lifetime/display-gone", test_display_gone);
  g_test_add_func ("/demo/no-software-gl", test_no_software_gl);

  return g_test_run ();
}
