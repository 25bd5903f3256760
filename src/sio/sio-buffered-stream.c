/* sio-buffered-stream.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sio-buffered-stream.h"
#include "sio-fd-watch.h"

#include <errno.h>

/* The output half: libsoup writes to it through GPollableOutputStream,
 * as it would to the socket. */
#define SIO_TYPE_BUFFERED_OUTPUT (sio_buffered_output_get_type ())
G_DECLARE_FINAL_TYPE (SioBufferedOutput, sio_buffered_output, SIO, BUFFERED_OUTPUT, GOutputStream)

struct _SioBufferedOutput {
  GOutputStream          parent_instance;

  GIOStream             *base;
  GPollableOutputStream *sink;     /* base's output */
  GMainContext          *context;
  GByteArray            *held;     /* written to us, not yet to the sink; NULL when nothing is:
                                    * a connection is idle most of the time, and memory per
                                    * connection is what a gateway has the least of */
  gboolean               corked;
  GError                *error;    /* the sink failed: every later write fails so */
  GSource               *drain;    /* waits for the sink while HELD is not empty */
  GTask                 *closing;  /* a close waiting for HELD to leave */
  guint64                written;  /* bytes the sink took, for sio_buffered_stream_get_bytes_written() */
  GSource               *closing_timeout;
};

/* The input half: reads go to the connection, except while the output
 * cannot take more (see sio_buffered_stream_new()). */
#define SIO_TYPE_BUFFERED_INPUT (sio_buffered_input_get_type ())
G_DECLARE_FINAL_TYPE (SioBufferedInput, sio_buffered_input, SIO, BUFFERED_INPUT, GInputStream)

struct _SioBufferedInput {
  GInputStream           parent_instance;

  SioBufferedOutput     *output;   /* owned: the half whose backlog holds reading back */
  GPollableInputStream  *source;   /* base's input */
  SioFdWatch            *watch;    /* the socket under it, when known */
  gboolean               drained;  /* the last read found nothing: base holds nothing buffered */
};

struct _SioBufferedStream {
  GIOStream          parent_instance;

  SioBufferedOutput *output;   /* holds the base connection */
  SioBufferedInput  *input;    /* NULL when base's input is not pollable */
};

static void sio_buffered_output_pollable_init (GPollableOutputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SioBufferedOutput, sio_buffered_output, G_TYPE_OUTPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_OUTPUT_STREAM,
                                                      sio_buffered_output_pollable_init))
static void sio_buffered_input_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SioBufferedInput, sio_buffered_input, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      sio_buffered_input_pollable_init))
G_DEFINE_FINAL_TYPE (SioBufferedStream, sio_buffered_stream, G_TYPE_IO_STREAM)

static void output_push (SioBufferedOutput *self);

static inline gsize
held_length (SioBufferedOutput *self)
{
  return self->held != NULL ? self->held->len : 0;
}

static void
held_consume (SioBufferedOutput *self,
              gsize              length)
{
  if (length >= held_length (self))
    g_clear_pointer (&self->held, g_byte_array_unref);
  else
    g_byte_array_remove_range (self->held, 0, length);
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static void
on_base_closed (GObject      *base,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_io_stream_close_finish (G_IO_STREAM (base), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* What a client did not take in time is dropped with the connection. */
static void
output_finish_closing (SioBufferedOutput *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->closing);
  GCancellable *cancellable;
  int priority;

  clear_source (&self->closing_timeout);
  clear_source (&self->drain);
  g_clear_pointer (&self->held, g_byte_array_unref);
  g_output_stream_close (G_OUTPUT_STREAM (self), NULL, NULL);
  priority = g_task_get_priority (task);
  cancellable = g_task_get_cancellable (task);
  g_io_stream_close_async (self->base, priority, cancellable, on_base_closed, g_steal_pointer (&task));
}

static gboolean
on_closing_timeout (gpointer user_data)
{
  output_finish_closing (user_data);
  return G_SOURCE_REMOVE;
}

static gboolean
on_drain (GObject  *sink,
          gpointer  user_data)
{
  SioBufferedOutput *self = user_data;

  g_clear_pointer (&self->drain, g_source_unref);
  output_push (self);
  return G_SOURCE_REMOVE;
}

/* Writes as much of HELD as the sink takes without blocking, and waits for
 * it to take the rest. */
static void
output_push (SioBufferedOutput *self)
{
  while (held_length (self) > 0 && self->error == NULL)
    {
      GError *error = NULL;
      gssize written = g_pollable_output_stream_write_nonblocking (self->sink, self->held->data,
                                                                   held_length (self), NULL, &error);

      if (written < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_error_free (error);
          break;
        }
      if (written < 0)
        {
          self->error = error;
          g_clear_pointer (&self->held, g_byte_array_unref);
          break;
        }
      held_consume (self, written);
      self->written += written;
    }

  if (held_length (self) == 0)
    {
      if (self->closing != NULL)
        output_finish_closing (self);
      return;
    }
  if (self->drain == NULL)
    {
      self->drain = g_pollable_output_stream_create_source (self->sink, NULL);
      g_source_set_callback (self->drain, G_SOURCE_FUNC (on_drain), self, NULL);
      g_source_set_static_name (self->drain, "SioBufferedStream drain");
      g_source_attach (self->drain, self->context);
    }
}

static gssize
sio_buffered_output_write_nonblocking (GPollableOutputStream  *stream,
                                       const void             *buffer,
                                       gsize                   count,
                                       GError                **error)
{
  SioBufferedOutput *self = SIO_BUFFERED_OUTPUT (stream);

  if (!self->corked && held_length (self) > 0)
    output_push (self);
  if (self->error == NULL && !self->corked && held_length (self) == 0)
    {
      gssize written = g_pollable_output_stream_write_nonblocking (self->sink, buffer, count, NULL, error);

      if (written > 0)
        self->written += written;
      return written;
    }

  if (self->error == NULL && held_length (self) >= SIO_BUFFERED_STREAM_HIGH_WATER)
    output_push (self);
  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return -1;
    }
  if (held_length (self) >= SIO_BUFFERED_STREAM_HIGH_WATER)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK,
                           g_strerror (EAGAIN));
      return -1;
    }
  /* room for a flush's worth of frames without growing on the way */
  if (self->held == NULL)
    self->held = g_byte_array_sized_new (MAX (count, 4096));
  g_byte_array_append (self->held, buffer, count);
  return count;
}

static gboolean
sio_buffered_output_is_writable (GPollableOutputStream *stream)
{
  SioBufferedOutput *self = SIO_BUFFERED_OUTPUT (stream);

  if (self->error != NULL)
    return TRUE;
  if (!self->corked && held_length (self) == 0)
    return g_pollable_output_stream_is_writable (self->sink);
  return held_length (self) < SIO_BUFFERED_STREAM_HIGH_WATER;
}

/* HELD only shrinks when the sink takes more, so waiting for the sink is
 * waiting for room. */
static GSource *
sio_buffered_output_create_source (GPollableOutputStream *stream,
                                   GCancellable          *cancellable)
{
  SioBufferedOutput *self = SIO_BUFFERED_OUTPUT (stream);
  g_autoptr(GSource) sink_source = g_pollable_output_stream_create_source (self->sink, NULL);

  return g_pollable_source_new_full (stream, sink_source, cancellable);
}

static gboolean
output_write_held (SioBufferedOutput  *self,
                   GCancellable       *cancellable,
                   GError            **error)
{
  gsize written = 0;
  gboolean ok;

  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return FALSE;
    }
  if (self->held == NULL)
    return TRUE;
  ok = g_output_stream_write_all (G_OUTPUT_STREAM (self->sink), self->held->data, held_length (self),
                                  &written, cancellable, error);
  held_consume (self, written);
  self->written += written;
  return ok;
}

/* The blocking calls are here for completeness: libsoup only writes without blocking. */
static gssize
sio_buffered_output_write_fn (GOutputStream  *stream,
                              const void     *buffer,
                              gsize           count,
                              GCancellable   *cancellable,
                              GError        **error)
{
  SioBufferedOutput *self = SIO_BUFFERED_OUTPUT (stream);

  gssize written;

  if (!output_write_held (self, cancellable, error))
    return -1;
  written = g_output_stream_write (G_OUTPUT_STREAM (self->sink), buffer, count, cancellable, error);
  if (written > 0)
    self->written += written;
  return written;
}

static gboolean
sio_buffered_output_flush (GOutputStream  *stream,
                           GCancellable   *cancellable,
                           GError        **error)
{
  SioBufferedOutput *self = SIO_BUFFERED_OUTPUT (stream);

  return output_write_held (self, cancellable, error) &&
         g_output_stream_flush (G_OUTPUT_STREAM (self->sink), cancellable, error);
}

/* Closing the output alone must not block on a slow client: what the sink
 * takes now leaves, the rest is dropped. The stream's close_async is the
 * one that waits. The sink is closed with the connection. */
static gboolean
sio_buffered_output_close_fn (GOutputStream  *stream,
                              GCancellable   *cancellable,
                              GError        **error)
{
  SioBufferedOutput *self = SIO_BUFFERED_OUTPUT (stream);

  if (self->closing == NULL)
    {
      self->corked = FALSE;
      output_push (self);
      g_clear_pointer (&self->held, g_byte_array_unref);
    }
  return TRUE;
}

static void
sio_buffered_output_dispose (GObject *object)
{
  SioBufferedOutput *self = SIO_BUFFERED_OUTPUT (object);

  clear_source (&self->drain);
  clear_source (&self->closing_timeout);

  G_OBJECT_CLASS (sio_buffered_output_parent_class)->dispose (object);
}

static void
sio_buffered_output_finalize (GObject *object)
{
  SioBufferedOutput *self = SIO_BUFFERED_OUTPUT (object);

  g_clear_pointer (&self->held, g_byte_array_unref);
  g_clear_error (&self->error);
  g_clear_object (&self->base);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (sio_buffered_output_parent_class)->finalize (object);
}

static void
sio_buffered_output_class_init (SioBufferedOutputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GOutputStreamClass *stream_class = G_OUTPUT_STREAM_CLASS (klass);

  object_class->dispose = sio_buffered_output_dispose;
  object_class->finalize = sio_buffered_output_finalize;
  stream_class->write_fn = sio_buffered_output_write_fn;
  stream_class->flush = sio_buffered_output_flush;
  stream_class->close_fn = sio_buffered_output_close_fn;
}

static void
sio_buffered_output_pollable_init (GPollableOutputStreamInterface *iface)
{
  iface->is_writable = sio_buffered_output_is_writable;
  iface->create_source = sio_buffered_output_create_source;
  iface->write_nonblocking = sio_buffered_output_write_nonblocking;
}

static void
sio_buffered_output_init (SioBufferedOutput *self)
{
  self->context = g_main_context_ref_thread_default ();
}

/* The writer's own backlog (libsoup's queue) only grows while the output
 * refuses writes: a client that does not read makes it so. */
static gboolean
output_is_backlogged (SioBufferedOutput *self)
{
  return self->error == NULL && !sio_buffered_output_is_writable (G_POLLABLE_OUTPUT_STREAM (self));
}

static gssize
sio_buffered_input_read_nonblocking (GPollableInputStream  *stream,
                                     void                  *buffer,
                                     gsize                  count,
                                     GError               **error)
{
  SioBufferedInput *self = SIO_BUFFERED_INPUT (stream);
  g_autoptr(GError) local_error = NULL;
  gssize read;

  if (output_is_backlogged (self->output))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK, g_strerror (EAGAIN));
      return -1;
    }
  read = g_pollable_input_stream_read_nonblocking (self->source, buffer, count, NULL, &local_error);
  self->drained = g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return read;
}

static gboolean
sio_buffered_input_is_readable (GPollableInputStream *stream)
{
  SioBufferedInput *self = SIO_BUFFERED_INPUT (stream);

  return !output_is_backlogged (self->output) && g_pollable_input_stream_is_readable (self->source);
}

/* While backlogged, what can change that is the connection taking output.
 * Otherwise the socket's watch (libsoup makes a source for every read, and
 * the watch's cost does not grow with the connections); base's own source
 * where the socket is not known. */
static GSource *
sio_buffered_input_create_source (GPollableInputStream *stream,
                                  GCancellable         *cancellable)
{
  SioBufferedInput *self = SIO_BUFFERED_INPUT (stream);
  g_autoptr(GSource) child = NULL;

  if (output_is_backlogged (self->output))
    child = g_pollable_output_stream_create_source (self->output->sink, NULL);
  else if (self->watch != NULL)
    return sio_fd_watch_create_source (self->watch, G_OBJECT (stream), !self->drained, cancellable);
  else
    child = g_pollable_input_stream_create_source (self->source, NULL);
  return g_pollable_source_new_full (stream, child, cancellable);
}

static gboolean
sio_buffered_input_can_poll (GPollableInputStream *stream)
{
  return TRUE;
}

/* The blocking read is here for completeness: libsoup only reads without blocking. */
static gssize
sio_buffered_input_read_fn (GInputStream  *stream,
                            void          *buffer,
                            gsize          count,
                            GCancellable  *cancellable,
                            GError       **error)
{
  SioBufferedInput *self = SIO_BUFFERED_INPUT (stream);

  return g_input_stream_read (G_INPUT_STREAM (self->source), buffer, count, cancellable, error);
}

/* The connection's input is closed with the connection. */
static gboolean
sio_buffered_input_close_fn (GInputStream  *stream,
                             GCancellable  *cancellable,
                             GError       **error)
{
  return TRUE;
}

/* Before base closes its socket. */
static void
input_stop_watch (SioBufferedInput *self)
{
  if (self != NULL && self->watch != NULL)
    sio_fd_watch_stop (self->watch);
}

static void
sio_buffered_input_finalize (GObject *object)
{
  SioBufferedInput *self = SIO_BUFFERED_INPUT (object);

  g_clear_pointer (&self->watch, sio_fd_watch_free);
  g_clear_object (&self->output);
  g_clear_object (&self->source);

  G_OBJECT_CLASS (sio_buffered_input_parent_class)->finalize (object);
}

static void
sio_buffered_input_class_init (SioBufferedInputClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = sio_buffered_input_finalize;
  stream_class->read_fn = sio_buffered_input_read_fn;
  stream_class->close_fn = sio_buffered_input_close_fn;
}

static void
sio_buffered_input_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = sio_buffered_input_can_poll;
  iface->is_readable = sio_buffered_input_is_readable;
  iface->create_source = sio_buffered_input_create_source;
  iface->read_nonblocking = sio_buffered_input_read_nonblocking;
}

static void
sio_buffered_input_init (SioBufferedInput *self)
{
}

static GInputStream *
sio_buffered_stream_get_input_stream (GIOStream *stream)
{
  SioBufferedStream *self = SIO_BUFFERED_STREAM (stream);

  if (self->input != NULL)
    return G_INPUT_STREAM (self->input);
  return g_io_stream_get_input_stream (self->output->base);
}

static GOutputStream *
sio_buffered_stream_get_output_stream (GIOStream *stream)
{
  return G_OUTPUT_STREAM (SIO_BUFFERED_STREAM (stream)->output);
}

static gboolean
sio_buffered_stream_close_fn (GIOStream     *stream,
                              GCancellable  *cancellable,
                              GError       **error)
{
  SioBufferedStream *self = SIO_BUFFERED_STREAM (stream);

  input_stop_watch (self->input);
  g_output_stream_close (G_OUTPUT_STREAM (self->output), NULL, NULL);
  return g_io_stream_close (self->output->base, cancellable, error);
}

static void
sio_buffered_stream_close_async (GIOStream           *stream,
                                 int                  io_priority,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  SioBufferedStream *self = SIO_BUFFERED_STREAM (stream);
  SioBufferedOutput *output = self->output;
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, sio_buffered_stream_close_async);
  g_task_set_priority (task, io_priority);

  input_stop_watch (self->input);
  output->closing = task;
  output->corked = FALSE;
  output->closing_timeout = g_timeout_source_new_seconds (SIO_BUFFERED_STREAM_CLOSE_TIMEOUT_S);
  g_source_set_callback (output->closing_timeout, on_closing_timeout, output, NULL);
  g_source_set_static_name (output->closing_timeout, "SioBufferedStream close timeout");
  g_source_attach (output->closing_timeout, output->context);
  output_push (output);
}

static gboolean
sio_buffered_stream_close_finish (GIOStream     *stream,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
sio_buffered_stream_dispose (GObject *object)
{
  SioBufferedStream *self = SIO_BUFFERED_STREAM (object);

  /* GIOStream's dispose closes the stream, so this goes after it */
  G_OBJECT_CLASS (sio_buffered_stream_parent_class)->dispose (object);

  g_clear_object (&self->input);
  g_clear_object (&self->output);
}

static void
sio_buffered_stream_class_init (SioBufferedStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GIOStreamClass *stream_class = G_IO_STREAM_CLASS (klass);

  object_class->dispose = sio_buffered_stream_dispose;
  stream_class->get_input_stream = sio_buffered_stream_get_input_stream;
  stream_class->get_output_stream = sio_buffered_stream_get_output_stream;
  stream_class->close_fn = sio_buffered_stream_close_fn;
  stream_class->close_async = sio_buffered_stream_close_async;
  stream_class->close_finish = sio_buffered_stream_close_finish;
}

static void
sio_buffered_stream_init (SioBufferedStream *self)
{
}

SioBufferedStream *
sio_buffered_stream_new (GIOStream *base,
                         GSocket   *socket)
{
  SioBufferedStream *self;
  GInputStream *input;

  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);
  g_return_val_if_fail (G_IS_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (base)), NULL);

  self = g_object_new (SIO_TYPE_BUFFERED_STREAM, NULL);
  self->output = g_object_new (SIO_TYPE_BUFFERED_OUTPUT, NULL);
  self->output->base = g_object_ref (base);
  self->output->sink = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (base));
  input = g_io_stream_get_input_stream (base);
  if (G_IS_POLLABLE_INPUT_STREAM (input) && g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (input)))
    {
      self->input = g_object_new (SIO_TYPE_BUFFERED_INPUT, NULL);
      self->input->output = g_object_ref (self->output);
      self->input->source = G_POLLABLE_INPUT_STREAM (g_object_ref (input));
      if (socket != NULL)
        self->input->watch = sio_fd_watch_new (socket, self->output->context);
    }
  return self;
}

void
sio_buffered_stream_cork (SioBufferedStream *self)
{
  g_return_if_fail (SIO_IS_BUFFERED_STREAM (self));
  self->output->corked = TRUE;
}

void
sio_buffered_stream_uncork (SioBufferedStream *self)
{
  g_return_if_fail (SIO_IS_BUFFERED_STREAM (self));
  self->output->corked = FALSE;
  output_push (self->output);
}

guint64
sio_buffered_stream_get_bytes_written (SioBufferedStream *self)
{
  g_return_val_if_fail (SIO_IS_BUFFERED_STREAM (self), 0);
  return self->output->written;
}
