/* test-sio-fd-watch.c: a watch's source runs when its socket has something
 * to read (data, a hang-up) and not before, a socket nobody reads leaves
 * the epoll set instead of waking the loop for ever, and a thousand waiting
 * sockets add nothing to what the main loop polls.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sio-fd-watch.h"

#include <sys/socket.h>
#include <unistd.h>

typedef struct {
  GSocket    *ours;
  GSocket    *peer;
  GObject    *pollable;   /* what the callback is given */
  SioFdWatch *watch;
  guint       calls;
  GObject    *called_with;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  int fds[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), ==, 0);
  f->ours = g_socket_new_from_fd (fds[0], NULL);
  f->peer = g_socket_new_from_fd (fds[1], NULL);
  g_assert_nonnull (f->ours);
  g_assert_nonnull (f->peer);
  f->pollable = g_object_new (G_TYPE_OBJECT, NULL);
  f->watch = sio_fd_watch_new (f->ours, NULL);
  g_assert_nonnull (f->watch);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->watch, sio_fd_watch_free);
  g_clear_object (&f->pollable);
  g_clear_object (&f->ours);
  g_clear_object (&f->peer);
  g_assert_cmpuint (sio_fd_watch_count_polled (NULL), ==, 0);
}

static gboolean
on_readable (GObject  *pollable,
             gpointer  user_data)
{
  Fixture *f = user_data;

  f->calls++;
  f->called_with = pollable;
  return G_SOURCE_REMOVE;
}

static GSource *
wait_for_input (Fixture  *f,
                gboolean  ready)
{
  GSource *source = sio_fd_watch_create_source (f->watch, f->pollable, ready, NULL);

  g_source_set_callback (source, G_SOURCE_FUNC (on_readable), f, NULL);
  g_source_attach (source, NULL);
  return source;
}

/* Runs whatever is ready, without sleeping, until nothing more is. */
static void
run_pending (void)
{
  for (guint i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

/* Runs the loop until F's callback has run CALLS times in all (failing
 * after five seconds). */
static void
assert_called (Fixture *f,
               guint    calls)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (f->calls < calls && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (f->calls, ==, calls);
}

static void
peer_writes (Fixture    *f,
             const char *text)
{
  g_assert_cmpint (g_socket_send (f->peer, text, strlen (text), NULL, NULL), ==, (gssize) strlen (text));
}

static void
test_wakes_on_data (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GSource) source = wait_for_input (f, FALSE);

  g_assert_cmpuint (sio_fd_watch_count_polled (NULL), ==, 1);
  run_pending ();
  g_assert_cmpuint (f->calls, ==, 0);

  peer_writes (f, "hello");
  assert_called (f, 1);
  g_assert_true (f->called_with == f->pollable);
  g_assert_true (g_source_is_destroyed (source));
}

/* A reader that has not yet seen the socket empty is woken at once: what it
 * reads through may hold data the socket no longer shows. */
static void
test_ready_at_once (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GSource) source = wait_for_input (f, TRUE);

  assert_called (f, 1);
}

/* Data that arrives while no one waits (a reader that stopped reading)
 * takes the socket out of the set instead of waking the loop on every
 * iteration; the next reader gets it back, and the data. */
static void
test_unread_socket_leaves_set (Fixture       *f,
                               gconstpointer  data)
{
  GSource *source = wait_for_input (f, FALSE);

  g_source_destroy (source);
  g_source_unref (source);
  peer_writes (f, "unread");
  run_pending ();
  g_assert_cmpuint (sio_fd_watch_count_polled (NULL), ==, 0);
  g_assert_false (g_main_context_iteration (NULL, FALSE));
  g_assert_cmpuint (f->calls, ==, 0);

  source = wait_for_input (f, FALSE);
  g_assert_cmpuint (sio_fd_watch_count_polled (NULL), ==, 1);
  assert_called (f, 1);
  g_source_unref (source);
}

static void
test_hangup_wakes (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GSource) source = wait_for_input (f, FALSE);

  run_pending ();
  g_assert_cmpuint (f->calls, ==, 0);
  g_socket_close (f->peer, NULL);
  assert_called (f, 1);
}

/* Stopped (the connection is closing), the socket leaves the set; the
 * reader still waiting, and any later one, runs at once to find out. */
static void
test_stop (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GSource) first = wait_for_input (f, FALSE);
  g_autoptr(GSource) second = NULL;

  sio_fd_watch_stop (f->watch);
  g_assert_cmpuint (sio_fd_watch_count_polled (NULL), ==, 0);
  assert_called (f, 1);

  second = wait_for_input (f, FALSE);
  g_assert_cmpuint (sio_fd_watch_count_polled (NULL), ==, 0);
  assert_called (f, 2);
}

/* As with g_pollable_source_new_full(): a cancelled read stops waiting. */
static void
test_cancel_wakes (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSource) source = sio_fd_watch_create_source (f->watch, f->pollable, FALSE, cancellable);

  g_source_set_callback (source, G_SOURCE_FUNC (on_readable), f, NULL);
  g_source_attach (source, NULL);
  run_pending ();
  g_assert_cmpuint (f->calls, ==, 0);
  g_cancellable_cancel (cancellable);
  assert_called (f, 1);
}

/* One reader at a time: a new source wakes the one it replaces, which
 * would otherwise wait for ever. */
static void
test_new_source_wakes_old (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GSource) first = wait_for_input (f, FALSE);
  g_autoptr(GSource) second = wait_for_input (f, FALSE);

  assert_called (f, 1);
  g_assert_true (g_source_is_destroyed (first));
  g_assert_false (g_source_is_destroyed (second));
  g_source_destroy (second);
}

/* The point of the watch: a thousand sockets waiting add no descriptor to
 * what the context polls (GLib's own sources would add one each, and GLib
 * walks them all on every attach and every iteration). */
#define MANY 1000

static void
test_many_waiting_poll_one (void)
{
  g_autoptr(GPtrArray) sockets = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) watches = g_ptr_array_new_with_free_func ((GDestroyNotify) sio_fd_watch_free);
  g_autoptr(GPtrArray) sources = g_ptr_array_new_with_free_func ((GDestroyNotify) g_source_unref);
  g_autoptr(GObject) pollable = g_object_new (G_TYPE_OBJECT, NULL);
  GMainContext *context = g_main_context_default ();
  GPollFD fds[64];
  gint max_priority, timeout;
  int n_fds;

  for (guint i = 0; i < MANY / 2; i++)
    {
      int pair[2];

      g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair), ==, 0);
      for (guint j = 0; j < 2; j++)
        {
          GSocket *socket = g_socket_new_from_fd (pair[j], NULL);
          SioFdWatch *watch = sio_fd_watch_new (socket, NULL);
          GSource *source = sio_fd_watch_create_source (watch, pollable, FALSE, NULL);

          g_source_attach (source, NULL);
          g_ptr_array_add (sockets, socket);
          g_ptr_array_add (watches, watch);
          g_ptr_array_add (sources, source);
        }
    }
  g_assert_cmpuint (sio_fd_watch_count_polled (NULL), ==, MANY);

  g_assert_true (g_main_context_acquire (context));
  g_main_context_prepare (context, &max_priority);
  n_fds = g_main_context_query (context, max_priority, &timeout, fds, G_N_ELEMENTS (fds));
  g_main_context_check (context, max_priority, fds, MIN (n_fds, (int) G_N_ELEMENTS (fds)));
  g_main_context_release (context);
  /* The context's wake-up descriptor and the epoll set's */
  g_assert_cmpint (n_fds, <=, 2);

  for (guint i = 0; i < sources->len; i++)
    g_source_destroy (g_ptr_array_index (sources, i));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add ("/sio/fd-watch/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("wakes-on-data", test_wakes_on_data);
  ADD ("ready-at-once", test_ready_at_once);
  ADD ("unread-socket-leaves-set", test_unread_socket_leaves_set);
  ADD ("hangup-wakes", test_hangup_wakes);
  ADD ("stop", test_stop);
  ADD ("cancel-wakes", test_cancel_wakes);
  ADD ("new-source-wakes-old", test_new_source_wakes_old);
#undef ADD
  g_test_add_func ("/sio/fd-watch/many-waiting-poll-one", test_many_waiting_poll_one);

  return g_test_run ();
}
