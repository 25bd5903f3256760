/* sio-buffered-stream.h: a connection whose writes can be held back and
 * leave together, the userspace counterpart of TCP_CORK.
 *
 * The engine writes a broadcast as one WebSocket frame per client and
 * libsoup hands each frame to the socket as it gets it: a system call per
 * frame, and a TCP segment per frame unless the socket is corked, which
 * costs two more calls. Given this stream instead, libsoup's frames land in
 * memory while the stream is corked and reach the socket in one write when
 * it is uncorked.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* While corked, writes collect in memory up to this many bytes (a write
 * that starts below it is taken whole); past it the stream writes what it
 * holds to the connection and says "would block" once the connection is
 * full too, as a socket does. */
#define SIO_BUFFERED_STREAM_HIGH_WATER (64 * 1024)

/* How long a close waits for a client to take what is still held before
 * the connection is closed anyway (libsoup waits as long for a close frame). */
#define SIO_BUFFERED_STREAM_CLOSE_TIMEOUT_S 5

#define SIO_TYPE_BUFFERED_STREAM (sio_buffered_stream_get_type ())
G_DECLARE_FINAL_TYPE (SioBufferedStream, sio_buffered_stream, SIO, BUFFERED_STREAM, GIOStream)

/* BASE: a connection whose input and output streams are pollable (what
 * soup_server_message_steal_connection() returns). Reads go straight to it,
 * except while writes would block: a client that does not read then cannot
 * make its writer queue answers without end either (libsoup answers every
 * WebSocket ping with a pong, in a queue of its own), and TCP holds it back.
 * Uncorked, a write goes straight through too, unless an earlier one is
 * still waiting for the connection (then it waits behind it, in order).
 * Closing the stream first writes what it holds, waiting at most
 * SIO_BUFFERED_STREAM_CLOSE_TIMEOUT_S, then closes BASE.
 * SOCKET, when not NULL, is the socket under BASE: reads then wait for it
 * through a SioFdWatch, whose cost does not grow with the connections,
 * rather than through BASE's own sources. */
SioBufferedStream *sio_buffered_stream_new    (GIOStream         *base,
                                               GSocket           *socket);
void               sio_buffered_stream_cork   (SioBufferedStream *self);
/* Writes what was held to the connection now; what it cannot take yet
 * goes when it can. */
void               sio_buffered_stream_uncork (SioBufferedStream *self);
/* How many bytes the connection has taken so far: what was written to the
 * stream and is not counted here is still held, here or by the writer. */
guint64            sio_buffered_stream_get_bytes_written (SioBufferedStream *self);

G_END_DECLS
