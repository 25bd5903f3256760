/* ld-thumbnails.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "ld-thumbnails.h"
#include "ld-validate.h"

#define READ_CHUNK 16384

struct _LdThumbnails
{
  GObject      parent_instance;

  SoupSession *session;
  GHashTable  *cache;  /* url → GdkTexture */
  GQueue       order;  /* urls, oldest first, for eviction */
};

G_DEFINE_FINAL_TYPE (LdThumbnails, ld_thumbnails, G_TYPE_OBJECT)

typedef struct
{
  char         *url;
  GInputStream *stream;
  GByteArray   *data;
} Load;

static void
load_free (Load *load)
{
  g_free (load->url);
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
  g_queue_clear_full (&self->order, g_free);

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
  self->session = soup_session_new_with_options ("timeout", 20, "max-conns-per-host", 4, NULL);
  self->cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_queue_init (&self->order);
}

LdThumbnails *
ld_thumbnails_get_default (void)
{
  static LdThumbnails *instance;

  if (instance == NULL)
    {
      instance = g_object_new (LD_TYPE_THUMBNAILS, NULL);
      g_object_add_weak_pointer (G_OBJECT (instance), (gpointer *) &instance);
    }
  return instance;
}

GdkPaintable *
ld_thumbnails_lookup (LdThumbnails *self,
                      const char   *url)
{
  g_return_val_if_fail (LD_IS_THUMBNAILS (self), NULL);

  return url ? g_hash_table_lookup (self->cache, url) : NULL;
}

static void
remember (LdThumbnails *self,
          const char   *url,
          GdkTexture   *texture)
{
  if (g_hash_table_contains (self->cache, url))
    return;

  g_hash_table_insert (self->cache, g_strdup (url), g_object_ref (texture));
  g_queue_push_tail (&self->order, g_strdup (url));
  while (g_queue_get_length (&self->order) > LD_THUMBNAILS_CACHE_SIZE)
    {
      g_autofree char *oldest = g_queue_pop_head (&self->order);

      g_hash_table_remove (self->cache, oldest);
    }
}

static void read_more (GTask *task);

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
  texture = gdk_texture_new_from_bytes (bytes, &error);
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

  load->stream = soup_session_send_finish (SOUP_SESSION (object), result, &error);
  if (load->stream == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (message)))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "HTTP %u", soup_message_get_status (message));
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

void
ld_thumbnails_load_async (LdThumbnails        *self,
                          const char          *url,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) message = NULL;
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

  message = soup_message_new (SOUP_METHOD_GET, url);
  if (message == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Not a valid image address"));
      return;
    }

  load = g_new0 (Load, 1);
  load->url = g_strdup (url);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  soup_session_send_async (self->session, message, G_PRIORITY_LOW, cancellable, on_sent, g_steal_pointer (&task));
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
