/* test-redis.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-redis.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

guint16
test_free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);

  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

GSubprocess *
test_redis_start (guint16     port,
                  const char *password)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  GSubprocess *redis;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  redis = g_subprocess_launcher_spawn (launcher, &error,
                                       "redis-server", "--port", port_text, "--bind", "127.0.0.1",
                                       "--save", "", "--appendonly", "no",
                                       password != NULL ? "--requirepass" : NULL, password, NULL);
  g_assert_no_error (error);

  /* Its log line is the event that it is ready. */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (redis));
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (out), FALSE);
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        g_error ("redis-server on port %u exited before it was ready", port);
      if (strstr (line, "Ready to accept connections") != NULL)
        return redis;
    }
}

void
test_redis_stop (GSubprocess *redis,
                 int          signum)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (redis, signum);
  g_subprocess_wait (redis, NULL, &error);
  g_assert_no_error (error);
}
