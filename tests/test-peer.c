/* test-peer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "test-peer.h"

#include <signal.h>

struct _TestPeer {
  GSubprocess      *process;
  GDataInputStream *stdout_lines;
  GOutputStream    *stdin_pipe;
  GCancellable     *cancellable;
  GQueue            lines;      /* of JsonObject */
  gboolean          eof;
  guint             port;
};

static void read_next_line (TestPeer *peer);

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  TestPeer *peer = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autoptr(JsonParser) parser = NULL;

  line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, &error);
  if (line == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        peer->eof = TRUE;
      return;
    }

  parser = json_parser_new ();
  if (json_parser_load_from_data (parser, line, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    g_queue_push_tail (&peer->lines, json_object_ref (json_node_get_object (json_parser_get_root (parser))));
  else
    g_test_message ("peer: %s", line);

  read_next_line (peer);
}

static void
read_next_line (TestPeer *peer)
{
  g_data_input_stream_read_line_async (peer->stdout_lines, G_PRIORITY_DEFAULT,
                                       peer->cancellable, on_line, peer);
}

TestPeer *
test_peer_start (const char *script,
                 ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const char *peers_dir = g_getenv ("LIVEDESK_PEERS_DIR");
  TestPeer *peer;
  JsonObject *hello;
  const char *arg;
  va_list ap;

  g_assert_nonnull (peers_dir);
  g_ptr_array_add (argv, g_strdup ("node"));
  g_ptr_array_add (argv, g_build_filename (peers_dir, script, NULL));
  va_start (ap, script);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  peer = g_new0 (TestPeer, 1);
  g_queue_init (&peer->lines);
  peer->cancellable = g_cancellable_new ();
  peer->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                     G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                     &error);
  g_assert_no_error (error);
  peer->stdin_pipe = g_object_ref (g_subprocess_get_stdin_pipe (peer->process));
  peer->stdout_lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (peer->process));
  read_next_line (peer);

  hello = test_peer_next (peer, 20000);
  if (hello == NULL)
    g_error ("peer %s did not start", script);
  if (json_object_has_member (hello, "port"))
    peer->port = json_object_get_int_member (hello, "port");
  json_object_unref (hello);

  return peer;
}

guint
test_peer_get_port (TestPeer *peer)
{
  return peer->port;
}

static gboolean
on_timeout (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

JsonObject *
test_peer_next (TestPeer *peer,
                guint     timeout_ms)
{
  gboolean expired = FALSE;
  guint timeout_id = g_timeout_add (timeout_ms, on_timeout, &expired);

  while (g_queue_is_empty (&peer->lines) && !expired && !peer->eof)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (timeout_id);

  return g_queue_pop_head (&peer->lines);
}

JsonObject *
test_peer_expect (TestPeer   *peer,
                  const char *event,
                  guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      JsonObject *line;

      if (left <= 0)
        return NULL;
      line = test_peer_next (peer, left);
      if (line == NULL)
        return NULL;
      if (g_strcmp0 (json_object_get_string_member_with_default (line, "event", NULL), event) == 0)
        return line;
      json_object_unref (line);
    }
}

void
test_peer_send (TestPeer   *peer,
                const char *format,
                ...)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  va_list ap;

  va_start (ap, format);
  line = g_strdup_vprintf (format, ap);
  va_end (ap);

  g_output_stream_write_all (peer->stdin_pipe, line, strlen (line), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (peer->stdin_pipe, "\n", 1, NULL, NULL, &error);
  g_assert_no_error (error);
}

void
test_peer_signal (TestPeer *peer,
                  int       signum)
{
  g_subprocess_send_signal (peer->process, signum);
}

void
test_peer_stop (TestPeer *peer)
{
  if (peer->process == NULL)
    return;
  g_subprocess_force_exit (peer->process);
  g_subprocess_wait (peer->process, NULL, NULL);
  g_cancellable_cancel (peer->cancellable);
  /* let the cancelled read finish before the stream goes away */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

void
test_peer_free (TestPeer *peer)
{
  test_peer_stop (peer);
  g_queue_clear_full (&peer->lines, (GDestroyNotify) json_object_unref);
  g_clear_object (&peer->stdin_pipe);
  g_clear_object (&peer->stdout_lines);
  g_clear_object (&peer->process);
  g_clear_object (&peer->cancellable);
  g_free (peer);
}

gboolean
test_wait_until (const gboolean *flag,
                 guint           timeout_ms)
{
  gboolean expired = FALSE;
  guint timeout_id = g_timeout_add (timeout_ms, on_timeout, &expired);

  while (!*flag && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (!expired)
    g_source_remove (timeout_id);

  return *flag;
}

void
test_spin (guint ms)
{
  gboolean expired = FALSE;

  g_timeout_add (ms, on_timeout, &expired);
  while (!expired)
    g_main_context_iteration (NULL, TRUE);
}
