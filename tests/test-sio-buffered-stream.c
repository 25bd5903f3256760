/* test-sio-buffered-stream.c: what a client on the far end of a corked
 * connection receives, and when; over a real socket pair.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sio-buffered-stream.h"

#include <signal.h>
#include <string.h>
#include <sys/socket.h>

typedef struct {
  GIOStream         *base;     /* our end */
  GSocket           *peer;     /* the client's end, non-blocking */
  SioBufferedStream *stream;
  GPollableOutputStream *out;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GSocket) ours = NULL;
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM, 0, fds), ==, 0);
  ours = g_socket_new_from_fd (fds[0], NULL);
  f->peer = g_socket_new_from_fd (fds[1], NULL);
  g_assert_nonnull (ours);
  g_assert_nonnull (f->peer);
  g_socket_set_blocking (f->peer, FALSE);
  f->base = G_IO_STREAM (g_socket_connection_factory_create_connection (ours));
  f->stream = sio_buffered_stream_new (f->base, ours);
  f->out = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (G_IO_STREAM (f->stream)));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->stream);
  g_clear_object (&f->base);
  g_clear_object (&f->peer);
}

static void
spin (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Everything the client can read now. */
static GString *
peer_read (Fixture *f)
{
  GString *got = g_string_new (NULL);
  char buffer[65536];

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (f->peer, buffer, sizeof buffer, NULL, &error);

      if (n <= 0)
        {
          if (n < 0)
            g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
          return got;
        }
      g_string_append_len (got, buffer, n);
    }
}

static gssize
write_string (Fixture    *f,
              const char *text,
              GError    **error)
{
  return g_pollable_output_stream_write_nonblocking (f->out, text, strlen (text), NULL, error);
}

static void
test_uncorked_writes_go_through (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GString) got = NULL;

  g_assert_cmpint (write_string (f, "42[\"a\"]", NULL), ==, 7);
  got = peer_read (f);
  g_assert_cmpstr (got->str, ==, "42[\"a\"]");
}

static void
test_corked_writes_leave_at_uncork (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GString) before = NULL;
  g_autoptr(GString) after = NULL;

  sio_buffered_stream_cork (f->stream);
  g_assert_cmpint (write_string (f, "one,", NULL), ==, 4);
  g_assert_cmpint (write_string (f, "two,", NULL), ==, 4);
  g_assert_cmpint (write_string (f, "three", NULL), ==, 5);
  spin ();
  before = peer_read (f);
  g_assert_cmpstr (before->str, ==, "");

  sio_buffered_stream_uncork (f->stream);
  after = peer_read (f);
  g_assert_cmpstr (after->str, ==, "one,two,three");
}

/* A client that does not read: the kernel's buffer fills, then ours up to
 * the high-water mark, then the writer is told to wait; once the client
 * reads, everything arrives whole and in order. */
static void
test_slow_client_gets_everything_in_order (Fixture       *f,
                                           gconstpointer  data)
{
  g_autoptr(GString) sent = g_string_new (NULL);
  g_autoptr(GString) got = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  guint i = 0;

  for (;; i++)
    {
      g_autofree char *frame = g_strdup_printf ("frame %u;", i);
      gssize n;

      if (i % 2 == 0)
        sio_buffered_stream_cork (f->stream);
      n = write_string (f, frame, &error);
      if (i % 2 == 0)
        sio_buffered_stream_uncork (f->stream);
      if (n < 0)
        break;
      /* a write is taken whole or not at all, as libsoup's frames are
       * small next to the socket buffer */
      g_assert_cmpint (n, ==, strlen (frame));
      g_string_append (sent, frame);
    }
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_assert_false (g_pollable_output_stream_is_writable (f->out));
  g_assert_cmpuint (sent->len, >, SIO_BUFFERED_STREAM_HIGH_WATER);

  while (got->len < sent->len)
    {
      g_autoptr(GString) chunk = peer_read (f);

      g_string_append_len (got, chunk->str, chunk->len);
      /* the stream writes the rest as the socket makes room */
      g_main_context_iteration (NULL, chunk->len == 0);
    }
  g_assert_cmpstr (got->str, ==, sent->str);
  g_assert_true (g_pollable_output_stream_is_writable (f->out));
}

/* What the engine's send limits rest on: the count says what left for the
 * connection, never what is still held. */
static void
test_bytes_written_counts_what_left (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GString) got = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  guint64 sent = 0;

  sio_buffered_stream_cork (f->stream);
  g_assert_cmpint (write_string (f, "held;", &error), ==, 5);
  g_assert_cmpuint (sio_buffered_stream_get_bytes_written (f->stream), ==, 0);
  sio_buffered_stream_uncork (f->stream);
  g_assert_cmpuint (sio_buffered_stream_get_bytes_written (f->stream), ==, 5);
  sent = 5;

  /* corked, past what the socket and the stream take: the rest is held */
  sio_buffered_stream_cork (f->stream);
  for (;;)
    {
      gssize n = write_string (f, "more;", &error);

      if (n < 0)
        break;
      sent += n;
    }
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  sio_buffered_stream_uncork (f->stream);
  g_assert_cmpuint (sio_buffered_stream_get_bytes_written (f->stream), <, sent);

  while (got->len < sent)
    {
      g_autoptr(GString) chunk = peer_read (f);

      g_string_append_len (got, chunk->str, chunk->len);
      /* nothing reaches the client that was not counted */
      g_assert_cmpuint (sio_buffered_stream_get_bytes_written (f->stream), >=, got->len);
      g_main_context_iteration (NULL, chunk->len == 0);
    }
  g_assert_cmpuint (sio_buffered_stream_get_bytes_written (f->stream), ==, sent);
}

/* A client that does not read cannot have its requests read either, so
 * that what answers them (libsoup's pongs) cannot pile up. */
static void
test_reads_wait_while_output_is_backlogged (Fixture       *f,
                                            gconstpointer  data)
{
  GPollableInputStream *in = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (G_IO_STREAM (f->stream)));
  g_autoptr(GError) error = NULL;
  gboolean was_readable = FALSE;
  char byte = 0;

  g_assert_cmpint (g_socket_send (f->peer, "x", 1, NULL, NULL), ==, 1);
  g_assert_true (g_pollable_input_stream_is_readable (in));

  sio_buffered_stream_cork (f->stream);
  while (write_string (f, "more;", &error) >= 0)
    ;
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_clear_error (&error);
  sio_buffered_stream_uncork (f->stream);

  g_assert_false (g_pollable_input_stream_is_readable (in));
  g_assert_cmpint (g_pollable_input_stream_read_nonblocking (in, &byte, 1, NULL, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_clear_error (&error);

  /* the client takes what it was sent: its request is read again */
  while (!was_readable)
    {
      g_autoptr(GString) chunk = peer_read (f);

      g_main_context_iteration (NULL, chunk->len == 0);
      was_readable = g_pollable_input_stream_is_readable (in);
    }
  g_assert_cmpint (g_pollable_input_stream_read_nonblocking (in, &byte, 1, NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (byte, ==, 'x');
}

static void
on_closed (GObject      *stream,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;

  g_assert_true (g_io_stream_close_finish (G_IO_STREAM (stream), result, NULL));
  *done = TRUE;
}

/* libsoup closes the connection right after handing over the close frame,
 * which may still be held: the client must get it, then the end. */
static void
test_close_sends_what_is_held_first (Fixture       *f,
                                     gconstpointer  data)
{
  g_autoptr(GString) got = NULL;
  gboolean done = FALSE;
  char byte;

  sio_buffered_stream_cork (f->stream);
  g_assert_cmpint (write_string (f, "last words", NULL), ==, 10);
  g_io_stream_close_async (G_IO_STREAM (f->stream), G_PRIORITY_DEFAULT, NULL, on_closed, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);

  got = peer_read (f);
  g_assert_cmpstr (got->str, ==, "last words");
  /* and then the end of the stream */
  g_assert_cmpint (g_socket_receive (f->peer, &byte, 1, NULL, NULL), ==, 0);
}

/* A client that never reads cannot keep the connection open for ever. */
static void
test_close_gives_up_on_a_client_that_never_reads (Fixture       *f,
                                                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;
  gint64 started;

  sio_buffered_stream_cork (f->stream);
  while (write_string (f, "0123456789abcdef", &error) > 0)
    ;
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);

  started = g_get_monotonic_time ();
  g_io_stream_close_async (G_IO_STREAM (f->stream), G_PRIORITY_DEFAULT, NULL, on_closed, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, (SIO_BUFFERED_STREAM_CLOSE_TIMEOUT_S - 1) * G_USEC_PER_SEC);
  g_assert_true (g_io_stream_is_closed (f->base));
}

/* The client went away: the writer hears of it, not silence. */
static void
test_a_failed_write_is_reported (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gssize n;

  g_socket_close (f->peer, NULL);
  sio_buffered_stream_cork (f->stream);
  g_assert_cmpint (write_string (f, "into the void", NULL), ==, 13);
  sio_buffered_stream_uncork (f->stream);
  n = write_string (f, "again", &error);
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
  g_assert_true (g_pollable_output_stream_is_writable (f->out));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* a write to a closed socket must fail, not kill the test */
  signal (SIGPIPE, SIG_IGN);

#define ADD(path, func) g_test_add ("/sio/buffered-stream/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("uncorked-writes-go-through", test_uncorked_writes_go_through);
  ADD ("corked-writes-leave-at-uncork", test_corked_writes_leave_at_uncork);
  ADD ("slow-client-gets-everything-in-order", test_slow_client_gets_everything_in_order);
  ADD ("close-sends-what-is-held-first", test_close_sends_what_is_held_first);
  ADD ("close-gives-up-on-a-client-that-never-reads", test_close_gives_up_on_a_client_that_never_reads);
  ADD ("a-failed-write-is-reported", test_a_failed_write_is_reported);
  ADD ("bytes-written-counts-what-left", test_bytes_written_counts_what_left);
  ADD ("reads-wait-while-output-is-backlogged", test_reads_wait_while_output_is_backlogged);
#undef ADD

  return g_test_run ();
}
