/* sio-fd-watch.h: read readiness for thousands of sockets at a cost that
 * does not grow with their number.
 *
 * A GSource that polls a descriptor puts a poll record in its GMainContext,
 * and GLib keeps those records in one list ordered by descriptor: attaching
 * or destroying such a source walks the list, and every main loop iteration
 * hands the whole list to poll(). libsoup's WebSocket destroys its input
 * source and makes a new one on every read, so with 10,000 connections a
 * read cost a walk of thousands of records, and each wake-up a poll() of
 * 10,000 descriptors.
 *
 * Here the descriptors of a context sit in one epoll set, level-triggered,
 * and the context polls only the set's own descriptor. A watch's source
 * has no descriptor of its own: the set makes it ready when its socket is
 * readable (or hung up, or in error), so making and destroying one costs
 * the same with ten connections or ten thousand.
 *
 * Linux only, as the gateway. Use a watch from the thread that runs its
 * context.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _SioFdWatch SioFdWatch;

/* Watches SOCKET's descriptor for reading, for sources attached to CONTEXT
 * (NULL: the global default). Nothing is polled until a source is made. */
SioFdWatch *sio_fd_watch_new           (GSocket       *socket,
                                        GMainContext  *context);
/* A source that calls its GPollableSourceFunc callback with POLLABLE once
 * the socket is readable, or CANCELLABLE (if not NULL) is cancelled, as
 * g_pollable_source_new_full() does; at once if READY (the reader has not
 * yet seen the socket empty: a buffer above it may hold data). One source
 * waits at a time, as libsoup's one reader: making a new one wakes the one
 * before. After sio_fd_watch_stop() it is ready at once: the read says why. */
GSource    *sio_fd_watch_create_source (SioFdWatch    *self,
                                        GObject       *pollable,
                                        gboolean       ready,
                                        GCancellable  *cancellable);
/* Takes the descriptor out of the set; call it before the socket closes,
 * as a closed descriptor's number can be given to the next connection. */
void        sio_fd_watch_stop          (SioFdWatch    *self);
void        sio_fd_watch_free          (SioFdWatch    *self);

/* Descriptors in CONTEXT's set (NULL: the global default), for tests. */
guint       sio_fd_watch_count_polled  (GMainContext  *context);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SioFdWatch, sio_fd_watch_free)

G_END_DECLS
