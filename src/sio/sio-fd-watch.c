/* sio-fd-watch.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sio-fd-watch.h"

#include <sys/epoll.h>
#include <unistd.h>

/* Readiness taken from the set per dispatch; the rest stays reported
 * (level-triggered) for the next iteration. */
#define EVENTS_PER_DISPATCH 256

/* One per context: the epoll set, polled through a source of its own. */
typedef struct {
  GSource       source;
  GMainContext *context;   /* the key in `sets`, not owned: the watches' owners keep it */
  int           epfd;
  guint         watches;
  guint         polled;
} EpollSet;

struct _SioFdWatch {
  EpollSet *set;
  GSocket  *socket;
  int       fd;
  gboolean  polled;    /* in the set */
  gboolean  stopped;
  GSource  *waiting;   /* the reader's source, not owned */
};

typedef struct {
  GSource     source;
  SioFdWatch *watch;   /* NULL once it no longer waits for the watch */
  GObject    *pollable;
} WatchSource;

/* A source that waits sits below every other priority and moves up to
 * the default once its socket is ready. GLib stops walking a context's
 * sources, in prepare and in check, at the first priority below one that
 * is ready: so the thousands that wait cost nothing in an iteration that
 * has work, only in one that is about to sleep. */
#define WAITING_PRIORITY (G_PRIORITY_LOW + 100)

static GMutex      sets_lock;
static GHashTable *sets;   /* GMainContext → EpollSet */

static void
stop_polling (SioFdWatch *self)
{
  if (!self->polled)
    return;
  /* A closed descriptor left the set with its socket, and its number may
   * already be someone else's. */
  if (!g_socket_is_closed (self->socket))
    epoll_ctl (self->set->epfd, EPOLL_CTL_DEL, self->fd, NULL);
  self->polled = FALSE;
  self->set->polled--;
}

static gboolean
start_polling (SioFdWatch *self)
{
  struct epoll_event event = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = self };

  if (self->polled)
    return TRUE;
  if (epoll_ctl (self->set->epfd, EPOLL_CTL_ADD, self->fd, &event) != 0)
    return FALSE;
  self->polled = TRUE;
  self->set->polled++;
  return TRUE;
}

static void
make_ready (GSource *source)
{
  if (g_source_get_priority (source) != G_PRIORITY_DEFAULT)
    g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_ready_time (source, 0);
}

static gboolean
set_dispatch (GSource     *source,
              GSourceFunc  callback,
              gpointer     user_data)
{
  EpollSet *set = (EpollSet *) source;
  struct epoll_event events[EVENTS_PER_DISPATCH];
  int n = epoll_wait (set->epfd, events, G_N_ELEMENTS (events), 0);

  for (int i = 0; i < n; i++)
    {
      SioFdWatch *watch = events[i].data.ptr;

      if (watch->waiting != NULL && !g_source_is_destroyed (watch->waiting))
        make_ready (watch->waiting);
      else
        /* No one reads it now; level-triggered, it would come back on
         * every iteration. The next reader's source puts it back. */
        stop_polling (watch);
    }
  return G_SOURCE_CONTINUE;
}

static void
set_finalize (GSource *source)
{
  EpollSet *set = (EpollSet *) source;

  close (set->epfd);
}

static GSourceFuncs set_funcs = {
  .dispatch = set_dispatch,
  .finalize = set_finalize,
};

static EpollSet *
set_acquire (GMainContext *context)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&sets_lock);
  EpollSet *set;
  int epfd;

  if (sets == NULL)
    sets = g_hash_table_new (NULL, NULL);
  set = g_hash_table_lookup (sets, context);
  if (set != NULL)
    {
      set->watches++;
      return set;
    }

  epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (epfd < 0)
    return NULL;
  set = (EpollSet *) g_source_new (&set_funcs, sizeof (EpollSet));
  set->context = context;
  set->epfd = epfd;
  set->watches = 1;
  g_source_add_unix_fd (&set->source, epfd, G_IO_IN);
  g_source_set_static_name (&set->source, "SioFdWatch epoll set");
  g_source_attach (&set->source, context);
  g_hash_table_insert (sets, context, set);
  return set;
}

static void
set_release (EpollSet *set)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&sets_lock);

  if (--set->watches > 0)
    return;
  g_hash_table_remove (sets, set->context);
  g_source_destroy (&set->source);
  g_source_unref (&set->source);
}

SioFdWatch *
sio_fd_watch_new (GSocket      *socket,
                  GMainContext *context)
{
  SioFdWatch *self;
  EpollSet *set;

  g_return_val_if_fail (G_IS_SOCKET (socket), NULL);

  set = set_acquire (context != NULL ? context : g_main_context_default ());
  if (set == NULL)
    return NULL;
  self = g_new0 (SioFdWatch, 1);
  self->set = set;
  self->socket = g_object_ref (socket);
  self->fd = g_socket_get_fd (socket);
  return self;
}

static gboolean
watch_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  WatchSource *self = (WatchSource *) source;
  GPollableSourceFunc func = (GPollableSourceFunc) (void (*) (void)) callback;

  g_source_set_ready_time (source, -1);
  if (func == NULL)
    return G_SOURCE_REMOVE;
  return func (self->pollable, user_data);
}

static void
watch_source_finalize (GSource *source)
{
  WatchSource *self = (WatchSource *) source;

  if (self->watch != NULL && self->watch->waiting == source)
    self->watch->waiting = NULL;
  g_clear_object (&self->pollable);
}

static GSourceFuncs watch_source_funcs = {
  .dispatch = watch_source_dispatch,
  .finalize = watch_source_finalize,
};

static void
release_waiting (SioFdWatch *self)
{
  WatchSource *waiting = (WatchSource *) self->waiting;

  if (waiting == NULL)
    return;
  waiting->watch = NULL;
  if (!g_source_is_destroyed (self->waiting))
    make_ready (self->waiting);
  self->waiting = NULL;
}

GSource *
sio_fd_watch_create_source (SioFdWatch   *self,
                            GObject      *pollable,
                            gboolean      ready,
                            GCancellable *cancellable)
{
  GSource *source;
  WatchSource *watch_source;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (G_IS_OBJECT (pollable), NULL);

  source = g_source_new (&watch_source_funcs, sizeof (WatchSource));
  g_source_set_static_name (source, "SioFdWatch");
  watch_source = (WatchSource *) source;
  watch_source->watch = self;
  watch_source->pollable = g_object_ref (pollable);

  release_waiting (self);
  self->waiting = source;

  if (ready || self->stopped)
    make_ready (source);
  else if (start_polling (self))
    g_source_set_priority (source, WAITING_PRIORITY);
  else
    {
      /* The set is full (the kernel's max_user_watches): this one waits
       * the way GLib's own sources do. */
      g_autoptr(GSource) fallback = g_socket_create_source (self->socket, G_IO_IN, NULL);

      g_source_set_dummy_callback (fallback);
      g_source_add_child_source (source, fallback);
    }
  if (cancellable != NULL)
    {
      g_autoptr(GSource) cancelled = g_cancellable_source_new (cancellable);

      g_source_set_dummy_callback (cancelled);
      g_source_add_child_source (source, cancelled);
    }
  return source;
}

void
sio_fd_watch_stop (SioFdWatch *self)
{
  g_return_if_fail (self != NULL);

  stop_polling (self);
  self->stopped = TRUE;
  release_waiting (self);
}

void
sio_fd_watch_free (SioFdWatch *self)
{
  if (self == NULL)
    return;
  sio_fd_watch_stop (self);
  set_release (self->set);
  g_object_unref (self->socket);
  g_free (self);
}

guint
sio_fd_watch_count_polled (GMainContext *context)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&sets_lock);
  EpollSet *set = sets != NULL ? g_hash_table_lookup (sets, context != NULL ? context : g_main_context_default ()) : NULL;

  return set != NULL ? set->polled : 0;
}
