/* ld-thumbnails.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "ld-thumbnails-private.h"
#include "ld-validate.h"

#define READ_CHUNK 16384

typedef struct
{
  char       *url;
  GdkTexture *texture;
  gsize       bytes;
} Entry;

struct _LdThumbnails
{
  GObject      parent_instance;

  SoupSession *session;
  guint64      max_pixels;
  gsize        cache_limit;
  gsize        cache_bytes;
  GHashTable  *cache;  /* url → Entry (owned by order) */
  GQueue       order;  /* Entry, oldest first, for eviction */
};

G_DEFINE_FINAL_TYPE (LdThumbnails, ld_thumbnails, G_TYPE_OBJECT)

typedef struct
{
  char         *url;       /* what the row asked for: the cache key */
  char         *location;  /* the hop being fetched */
  guint         redirects;
  GInputStream *stream;
  GByteArray   *data;
} Load;

static void
entry_free (Entry *entry)
{
  g_free (entry->url);
  g_clear_object (&entry->texture);
  g_free (entry);
}

static void
load_free (Load *load)
{
  g_free (load->url);
  g_free (load->location);
  g_clear_object (&load->stream);
  g_clear_pointer (&load->data, g_byte_array_unref);
  g_free (load);
}

static void
ld_thumbnails_finalize (GObject *object)
{
  LdThumbnails *self = LD_THUMBNAILS (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->cache, g_hash_table_unref);
  g_queue_clear_full (&self->order, (GDestroyNotify) entry_free);

  G_OBJECT_CLASS (ld_thumbnails_parent_class)->finalize (object);
}

static void
ld_thumbnails_class_init (LdThumbnailsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_thumbnails_finalize;
}

static void
ld_thumbnails_init (LdThumbnails *self)
{
  self->max_pixels = LD_THUMBNAILS_MAX_PIXELS;
  self->cache_limit = LD_THUMBNAILS_CACHE_BYTES;
  self->cache = g_hash_table_new (g_str_hash, g_str_equal);
  g_queue_init (&self->order);
}

LdThumbnails *
_ld_thumbnails_new (SoupSession *session,
                    guint64      max_pixels,
                    gsize        cache_bytes)
{
  LdThumbnails *self = g_object_new (LD_TYPE_THUMBNAILS, NULL);

  self->session = g_object_ref (session);
  self->max_pixels = max_pixels;
  self->cache_limit = cache_bytes;
  return self;
}

gsize
_ld_thumbnails_get_cache_bytes (LdThumbnails *self)
{
  g_return_val_if_fail (LD_IS_THUMBNAILS (self), 0);
  return self->cache_bytes;
}

LdThumbnails *
ld_thumbnails_get_default (void)
{
  static LdThumbnails *instance;

  if (instance == NULL)
    {
      g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 20, "max-conns-per-host", 4, NULL);

      instance = _ld_thumbnails_new (session, LD_THUMBNAILS_MAX_PIXELS, LD_THUMBNAILS_CACHE_BYTES);
      g_object_add_weak_pointer (G_OBJECT (instance), (gpointer *) &instance);
    }
  return instance;
}

GdkPaintable *
ld_thumbnails_lookup (LdThumbnails *self,
                      const char   *url)
{
  Entry *entry;

  g_return_val_if_fail (LD_IS_THUMBNAILS (self), NULL);

  entry = url ? g_hash_table_lookup (self->cache, url) : NULL;
  return entry ? GDK_PAINTABLE (entry->texture) : NULL;
}

static void
remember (LdThumbnails *self,
          const char   *url,
          GdkTexture   *texture)
{
  Entry *entry;

  if (g_hash_table_contains (self->cache, url))
    return;

  entry = g_new0 (Entry, 1);
  entry->url = g_strdup (url);
  entry->texture = g_object_ref (texture);
  entry->bytes = (gsize) gdk_texture_get_width (texture) * gdk_texture_get_height (texture) * 4;
  if (entry->bytes > self->cache_limit)
    {
      entry_free (entry);
      return;
    }

  g_hash_table_insert (self->cache, entry->url, entry);
  g_queue_push_tail (&self->order, entry);
  self->cache_bytes += entry->bytes;
  while (self->cache_bytes > self->cache_limit)
    {
      Entry *oldest = g_queue_pop_head (&self->order);

      g_hash_table_remove (self->cache, oldest->url);
      self->cache_bytes -= oldest->bytes;
      entry_free (oldest);
    }
}

typedef struct
{
  guint64  max_pixels;
  gboolean too_large;
} SizeCheck;

/* Before the loader allocates anything: a zero size makes it give up. */
static void
on_size_prepared (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  SizeCheck       *check)
{
  if (width <= 0 || height <= 0 || (guint64) width * (guint64) height > check->max_pixels)
    {
      check->too_large = TRUE;
      gdk_pixbuf_loader_set_size (loader, 0, 0);
    }
}

static GdkTexture *
decode (LdThumbnails  *self,
        GBytes        *bytes,
        GError       **error)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GError) local_error = NULL;
  SizeCheck check = { self->max_pixels, FALSE };
  GdkPixbuf *pixbuf;
  gboolean ok;

  if (g_bytes_get_size (bytes) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("Not an image: %s"), _("nothing decoded"));
      return NULL;
    }

  loader = gdk_pixbuf_loader_new ();
  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), &check);
  ok = gdk_pixbuf_loader_write_bytes (loader, bytes, &local_error);
  /* Always closed, so the loader is never dropped open. */
  ok = gdk_pixbuf_loader_close (loader, ok ? &local_error : NULL) && ok;
  g_signal_handlers_disconnect_by_func (loader, on_size_prepared, &check);

  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  /* A loader that ignores the zero size still must not reach the screen. */
  if (check.too_large ||
      (pixbuf != NULL &&
       (guint64) gdk_pixbuf_get_width (pixbuf) * gdk_pixbuf_get_height (pixbuf) > self->max_pixels))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, _("The image has too many pixels"));
      return NULL;
    }
  if (!ok || pixbuf == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, _("Not an image: %s"),
                   local_error ? local_error->message : _("nothing decoded"));
      return NULL;
    }
  return gdk_texture_new_for_pixbuf (pixbuf);
}

static void read_more (GTask *task);
static void send_hop (GTask *task);

static void
on_read (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LdThumbnails *self = g_task_get_source_object (task);
  Load *load = g_task_get_task_data (task);
  g_autoptr(GBytes) chunk = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (object), result, &error);
  if (chunk == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_bytes_get_size (chunk) > 0)
    {
      if (load->data->len + g_bytes_get_size (chunk) > LD_THUMBNAILS_MAX_BYTES)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, _("The image is too large"));
          return;
        }
      g_byte_array_append (load->data, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
      read_more (g_steal_pointer (&task));
      return;
    }

  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&load->data));
  texture = decode (self, bytes, &error);
  if (texture == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  remember (self, load->url, texture);
  g_task_return_pointer (task, g_steal_pointer (&texture), g_object_unref);
}

static void
read_more (GTask *task)
{
  Load *load = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (load->stream, READ_CHUNK, G_PRIORITY_LOW, g_task_get_cancellable (task),
                                   on_read, task);
}

/* A redirect is followed by hand so that every hop meets the rules of the
 * first: an allowed host, https, an image path. */
static gboolean
follow_redirect (GTask       *task,
                 SoupMessage *message)
{
  Load *load = g_task_get_task_data (task);
  const char *location = soup_message_headers_get_one (soup_message_get_response_headers (message), "Location");
  g_autoptr(GError) error = NULL;
  g_autofree char *next = NULL;

  if (location == NULL)
    return FALSE;

  if (++load->redirects > LD_THUMBNAILS_MAX_REDIRECTS)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS, _("The image redirects too often"));
      return TRUE;
    }
  next = g_uri_resolve_relative (load->location, location, G_URI_FLAGS_NONE, &error);
  if (next == NULL || !ld_validate_image_url (next, LD_IMAGE_URL_HTTPS_ONLY, &error))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, _("The image redirects elsewhere: %s"),
                               error->message);
      return TRUE;
    }

  g_clear_object (&load->stream);
  g_free (load->location);
  load->location = g_steal_pointer (&next);
  send_hop (task);
  return TRUE;
}

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Load *load = g_task_get_task_data (task);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  g_autoptr(GError) error = NULL;
  goffset length;
  guint status;

  load->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (load->stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  status = soup_message_get_status (message);
  if (SOUP_STATUS_IS_REDIRECTION (status) && follow_redirect (task, message))
    return;
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "HTTP %u", status);
      return;
    }
  length = soup_message_headers_get_content_length (soup_message_get_response_headers (message));
  if (length > LD_THUMBNAILS_MAX_BYTES)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE, _("The image is too large"));
      return;
    }

  load->data = g_byte_array_new ();
  read_more (g_steal_pointer (&task));
}

/* Takes a reference on TASK for the request. */
static void
send_hop (GTask *task)
{
  LdThumbnails *self = g_task_get_source_object (task);
  Load *load = g_task_get_task_data (task);
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, load->location);

  if (message == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Not a valid image address"));
      return;
    }
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT);
  soup_session_send_async (self->session, message, G_PRIORITY_LOW, g_task_get_cancellable (task), on_sent,
                           g_object_ref (task));
}

void
ld_thumbnails_load_async (LdThumbnails        *self,
                          const char          *url,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  GdkPaintable *cached;
  Load *load;

  g_return_if_fail (LD_IS_THUMBNAILS (self));
  g_return_if_fail (url != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_thumbnails_load_async);

  cached = ld_thumbnails_lookup (self, url);
  if (cached != NULL)
    {
      g_task_return_pointer (task, g_object_ref (cached), g_object_unref);
      return;
    }

  /* Only what the contract allows a client to send, and only over https. */
  if (!ld_validate_image_url (url, LD_IMAGE_URL_HTTPS_ONLY, &error))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "%s", error->message);
      return;
    }

  load = g_new0 (Load, 1);
  load->url = g_strdup (url);
  load->location = g_strdup (url);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  send_hop (task);
}

GdkPaintable *
ld_thumbnails_load_finish (LdThumbnails  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (LD_IS_THUMBNAILS (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
