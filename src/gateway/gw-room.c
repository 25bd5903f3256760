/* gw-room.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-room.h"

#include <string.h>

#include "ld-validate.h"

typedef struct
{
  gint64 timeout_until;  /* 0 = none */
  gint64 ban_until;      /* 0 = none */
} Sanctions;

/* A viewer as the room keeps them: what joins and joinedRoom need, worked
 * out once per name rather than on every join. */
typedef struct
{
  GwViewer       viewer;    /* first, so that it is handed out as a GwViewer */
  char          *sort_key;  /* the casefolded username */
  GSequenceIter *position;  /* in GwRoom.order */
  JsonObject    *json;      /* sealed gw_viewer_to_json; NULL until asked for */
} RoomViewer;

struct _GwRoom
{
  GObject     parent_instance;
  char       *id;
  char       *title;
  char       *owner;
  char       *status;

  GHashTable *viewers;      /* user id → RoomViewer */
  GSequence  *order;        /* of RoomViewer, as gw_room_list_viewers lists them */
  GHashTable *sockets;      /* socket id → user id (owned by the GwViewer) */
  gint64      empty_since;  /* when the last viewer went; G_MININT64 = never had one */

  GQueue      messages;     /* of JsonObject, oldest first */
  GHashTable *message_ids;  /* message id → GList link in messages */
  guint       history_size;

  GHashTable *sanctions;    /* user id → Sanctions */
};

G_DEFINE_FINAL_TYPE (GwRoom, gw_room, G_TYPE_OBJECT)
G_DEFINE_BOXED_TYPE (GwViewer, gw_viewer, gw_viewer_copy, gw_viewer_free)

GwViewer *
gw_viewer_copy (const GwViewer *viewer)
{
  GwViewer *copy;

  g_return_val_if_fail (viewer != NULL, NULL);

  copy = g_new0 (GwViewer, 1);
  copy->user_id = g_strdup (viewer->user_id);
  copy->username = g_strdup (viewer->username);
  copy->role = viewer->role;
  copy->n_sockets = viewer->n_sockets;
  copy->last_seen_ms = viewer->last_seen_ms;

  return copy;
}

void
gw_viewer_free (GwViewer *viewer)
{
  if (viewer == NULL)
    return;

  g_free (viewer->user_id);
  g_free (viewer->username);
  g_free (viewer);
}

JsonNode *
gw_viewer_to_json (const GwViewer *viewer)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  g_return_val_if_fail (viewer != NULL, NULL);

  json_object_set_string_member (object, "userId", viewer->user_id);
  json_object_set_string_member (object, "username", viewer->username);
  json_object_set_string_member (object, "role", gw_role_to_string (viewer->role));
  json_node_take_object (node, object);

  return node;
}

static void
room_viewer_free (RoomViewer *entry)
{
  g_free (entry->sort_key);
  g_clear_pointer (&entry->json, json_object_unref);
  g_free (entry->viewer.user_id);
  g_free (entry->viewer.username);
  g_free (entry);
}

/* Staff first, then by name without regard to case, then by user id. */
static int
compare_viewers (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  const RoomViewer *va = a;
  const RoomViewer *vb = b;
  int by_name;

  if (va->viewer.role != vb->viewer.role)
    return va->viewer.role > vb->viewer.role ? -1 : 1;

  by_name = strcmp (va->sort_key, vb->sort_key);
  if (by_name != 0)
    return by_name;

  return strcmp (va->viewer.user_id, vb->viewer.user_id);
}

static void
gw_room_finalize (GObject *object)
{
  GwRoom *self = (GwRoom *)object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->owner, g_free);
  g_clear_pointer (&self->status, g_free);
  g_clear_pointer (&self->sockets, g_hash_table_unref);
  g_clear_pointer (&self->viewers, g_hash_table_unref);
  g_clear_pointer (&self->order, g_sequence_free);
  g_clear_pointer (&self->message_ids, g_hash_table_unref);
  g_queue_clear_full (&self->messages, (GDestroyNotify) json_object_unref);
  g_clear_pointer (&self->sanctions, g_hash_table_unref);

  G_OBJECT_CLASS (gw_room_parent_class)->finalize (object);
}

static void
gw_room_class_init (GwRoomClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gw_room_finalize;
}

static void
gw_room_init (GwRoom *self)
{
  self->viewers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) room_viewer_free);
  self->order = g_sequence_new (NULL);
  self->sockets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->message_ids = g_hash_table_new (g_str_hash, g_str_equal);
  self->sanctions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->history_size = GW_ROOM_DEFAULT_HISTORY;
  self->empty_since = G_MININT64;
  g_queue_init (&self->messages);
}

GwRoom *
gw_room_new (const char *room_id)
{
  GwRoom *self;

  g_return_val_if_fail (room_id != NULL, NULL);

  self = g_object_new (GW_TYPE_ROOM, NULL);
  self->id = g_strdup (room_id);

  return self;
}

const char *
gw_room_get_id (GwRoom *self)
{
  g_return_val_if_fail (GW_IS_ROOM (self), NULL);

  return self->id;
}

const char *
gw_room_get_owner (GwRoom *self)
{
  g_return_val_if_fail (GW_IS_ROOM (self), NULL);

  return self->owner;
}

gboolean
gw_room_set_owner (GwRoom     *self,
                   const char *user_id)
{
  g_return_val_if_fail (GW_IS_ROOM (self), FALSE);

  if (g_strcmp0 (self->owner, user_id) == 0)
    return FALSE;
  g_free (self->owner);
  self->owner = g_strdup (user_id);
  return TRUE;
}

const char *
gw_room_get_title (GwRoom *self)
{
  g_return_val_if_fail (GW_IS_ROOM (self), NULL);

  return self->title;
}

gboolean
gw_room_set_title (GwRoom     *self,
                   const char *title)
{
  g_return_val_if_fail (GW_IS_ROOM (self), FALSE);

  if (g_strcmp0 (self->title, title) == 0)
    return FALSE;

  g_free (self->title);
  self->title = g_strdup (title);
  return TRUE;
}

const char *
gw_room_get_status (GwRoom *self)
{
  g_return_val_if_fail (GW_IS_ROOM (self), NULL);

  return self->status;
}

gboolean
gw_room_set_status (GwRoom     *self,
                    const char *status)
{
  g_return_val_if_fail (GW_IS_ROOM (self), FALSE);

  if (g_strcmp0 (self->status, status) == 0)
    return FALSE;

  g_free (self->status);
  self->status = g_strdup (status);
  return TRUE;
}

gboolean
gw_room_add_socket (GwRoom     *self,
                    const char *socket_id,
                    const char *user_id,
                    const char *username,
                    GwRole      role,
                    gint64      now_ms)
{
  RoomViewer *entry;
  GwViewer *viewer;
  const char *owner;
  gboolean is_new = FALSE;

  g_return_val_if_fail (GW_IS_ROOM (self), FALSE);
  g_return_val_if_fail (socket_id != NULL && user_id != NULL && username != NULL, FALSE);

  /* A socket re-authenticated as someone else counts for its new user only. */
  owner = g_hash_table_lookup (self->sockets, socket_id);
  if (owner != NULL && strcmp (owner, user_id) != 0)
    gw_room_remove_socket (self, socket_id, now_ms, NULL);

  entry = g_hash_table_lookup (self->viewers, user_id);
  if (entry == NULL)
    {
      entry = g_new0 (RoomViewer, 1);
      entry->viewer.user_id = g_strdup (user_id);
      entry->viewer.username = g_strdup (username);
      entry->viewer.role = role;
      entry->sort_key = g_utf8_casefold (username, -1);
      entry->position = g_sequence_insert_sorted (self->order, entry, compare_viewers, NULL);
      g_hash_table_insert (self->viewers, entry->viewer.user_id, entry);
      is_new = TRUE;
    }
  viewer = &entry->viewer;

  if (g_strcmp0 (viewer->username, username) != 0 || viewer->role != role)
    {
      if (g_strcmp0 (viewer->username, username) != 0)
        {
          g_free (viewer->username);
          viewer->username = g_strdup (username);
          g_free (entry->sort_key);
          entry->sort_key = g_utf8_casefold (username, -1);
        }
      viewer->role = role;
      g_clear_pointer (&entry->json, json_object_unref);
      g_sequence_sort_changed (entry->position, compare_viewers, NULL);
    }
  viewer->last_seen_ms = now_ms;

  if (!g_hash_table_contains (self->sockets, socket_id))
    {
      g_hash_table_insert (self->sockets, g_strdup (socket_id), viewer->user_id);
      viewer->n_sockets++;
    }

  return is_new;
}

gboolean
gw_room_remove_socket (GwRoom      *self,
                       const char  *socket_id,
                       gint64       now_ms,
                       GwViewer   **out_viewer)
{
  RoomViewer *entry;
  GwViewer *viewer;
  const char *user_id;

  g_return_val_if_fail (GW_IS_ROOM (self), FALSE);
  g_return_val_if_fail (socket_id != NULL, FALSE);

  if (out_viewer != NULL)
    *out_viewer = NULL;

  user_id = g_hash_table_lookup (self->sockets, socket_id);
  if (user_id == NULL)
    return FALSE;

  entry = g_hash_table_lookup (self->viewers, user_id);
  g_hash_table_remove (self->sockets, socket_id);
  g_assert (entry != NULL && entry->viewer.n_sockets > 0);
  viewer = &entry->viewer;

  if (--viewer->n_sockets > 0)
    return FALSE;

  if (out_viewer != NULL)
    *out_viewer = gw_viewer_copy (viewer);
  g_sequence_remove (entry->position);
  g_hash_table_remove (self->viewers, viewer->user_id);
  if (g_hash_table_size (self->viewers) == 0)
    self->empty_since = now_ms;

  return TRUE;
}

gboolean
gw_room_has_socket (GwRoom     *self,
                    const char *socket_id)
{
  g_return_val_if_fail (GW_IS_ROOM (self), FALSE);
  g_return_val_if_fail (socket_id != NULL, FALSE);

  return g_hash_table_contains (self->sockets, socket_id);
}

const GwViewer *
gw_room_lookup_viewer (GwRoom     *self,
                       const char *user_id)
{
  g_return_val_if_fail (GW_IS_ROOM (self), NULL);
  g_return_val_if_fail (user_id != NULL, NULL);

  return g_hash_table_lookup (self->viewers, user_id);
}

gboolean
gw_room_touch (GwRoom     *self,
               const char *socket_id,
               gint64      now_ms)
{
  const char *user_id;
  GwViewer *viewer;

  g_return_val_if_fail (GW_IS_ROOM (self), FALSE);
  g_return_val_if_fail (socket_id != NULL, FALSE);

  user_id = g_hash_table_lookup (self->sockets, socket_id);
  if (user_id == NULL)
    return FALSE;

  viewer = g_hash_table_lookup (self->viewers, user_id);
  viewer->last_seen_ms = MAX (viewer->last_seen_ms, now_ms);
  return TRUE;
}

GPtrArray *
gw_room_list_user_sockets (GwRoom     *self,
                           const char *user_id)
{
  GPtrArray *sockets = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  const char *socket_id;
  const char *owner;

  g_return_val_if_fail (GW_IS_ROOM (self), sockets);
  g_return_val_if_fail (user_id != NULL, sockets);

  g_hash_table_iter_init (&iter, self->sockets);
  while (g_hash_table_iter_next (&iter, (gpointer *) &socket_id, (gpointer *) &owner))
    {
      if (strcmp (owner, user_id) == 0)
        g_ptr_array_add (sockets, g_strdup (socket_id));
    }

  return sockets;
}

GPtrArray *
gw_room_expire (GwRoom     *self,
                gint64      now_ms,
                gint64      idle_ms,
                GPtrArray **out_socket_ids)
{
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func ((GDestroyNotify) gw_viewer_free);
  g_autoptr(GPtrArray) gone_sockets = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  GwViewer *viewer;

  g_return_val_if_fail (GW_IS_ROOM (self), NULL);

  g_hash_table_iter_init (&iter, self->viewers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &viewer))
    {
      if (now_ms - viewer->last_seen_ms >= idle_ms)
        g_ptr_array_add (gone, gw_viewer_copy (viewer));
    }

  for (guint i = 0; i < gone->len; i++)
    {
      const GwViewer *expired = g_ptr_array_index (gone, i);
      g_autoptr(GPtrArray) sockets = gw_room_list_user_sockets (self, expired->user_id);

      for (guint j = 0; j < sockets->len; j++)
        {
          gw_room_remove_socket (self, g_ptr_array_index (sockets, j), now_ms, NULL);
          g_ptr_array_add (gone_sockets, g_strdup (g_ptr_array_index (sockets, j)));
        }
    }

  if (out_socket_ids != NULL)
    *out_socket_ids = g_steal_pointer (&gone_sockets);

  return g_steal_pointer (&gone);
}

guint
gw_room_get_viewer_count (GwRoom *self)
{
  g_return_val_if_fail (GW_IS_ROOM (self), 0);

  return g_hash_table_size (self->viewers);
}

GPtrArray *
gw_room_list_viewers (GwRoom *self)
{
  GPtrArray *viewers;

  g_return_val_if_fail (GW_IS_ROOM (self), NULL);

  /* Kept in order as viewers come and go: a join costs a walk, not a sort. */
  viewers = g_ptr_array_sized_new (g_hash_table_size (self->viewers));
  for (GSequenceIter *i = g_sequence_get_begin_iter (self->order); !g_sequence_iter_is_end (i); i = g_sequence_iter_next (i))
    g_ptr_array_add (viewers, &((RoomViewer *) g_sequence_get (i))->viewer);

  return viewers;
}

JsonArray *
gw_room_dup_viewers_json (GwRoom *self)
{
  JsonArray *array;

  g_return_val_if_fail (GW_IS_ROOM (self), NULL);

  array = json_array_sized_new (g_hash_table_size (self->viewers));
  for (GSequenceIter *i = g_sequence_get_begin_iter (self->order); !g_sequence_iter_is_end (i); i = g_sequence_iter_next (i))
    {
      RoomViewer *entry = g_sequence_get (i);

      /* Every join lists everyone: each entry is built once and shared,
       * sealed so that no receiver can change it under the others. */
      if (entry->json == NULL)
        {
          g_autoptr(JsonNode) node = gw_viewer_to_json (&entry->viewer);

          entry->json = json_node_dup_object (node);
          json_object_seal (entry->json);
        }
      json_array_add_object_element (array, json_object_ref (entry->json));
    }

  return array;
}

static void
drop_oldest_message (GwRoom *self)
{
  JsonObject *oldest = g_queue_pop_head (&self->messages);

  g_hash_table_remove (self->message_ids, json_object_get_string_member (oldest, "messageId"));
  json_object_unref (oldest);
}

void
gw_room_set_history_size (GwRoom *self,
                          guint   size)
{
  g_return_if_fail (GW_IS_ROOM (self));

  self->history_size = size;
  while (self->messages.length > size)
    drop_oldest_message (self);
}

char *
gw_room_new_message_id (GwRoom *self)
{
  g_return_val_if_fail (GW_IS_ROOM (self), NULL);

  /* Random rather than counted: several gateway processes share one room. */
  return g_uuid_string_random ();
}

void
gw_room_add_message (GwRoom     *self,
                     JsonObject *message)
{
  const char *message_id;

  g_return_if_fail (GW_IS_ROOM (self));
  g_return_if_fail (message != NULL);

  message_id = json_object_get_string_member_with_default (message, "messageId", NULL);
  g_return_if_fail (message_id != NULL);

  if (self->history_size == 0 || g_hash_table_contains (self->message_ids, message_id))
    return;

  while (self->messages.length >= self->history_size)
    drop_oldest_message (self);

  g_queue_push_tail (&self->messages, json_object_ref (message));
  g_hash_table_insert (self->message_ids, (gpointer) message_id, self->messages.tail);
}

gboolean
gw_room_remove_message (GwRoom     *self,
                        const char *message_id)
{
  GList *link;

  g_return_val_if_fail (GW_IS_ROOM (self), FALSE);
  g_return_val_if_fail (message_id != NULL, FALSE);

  link = g_hash_table_lookup (self->message_ids, message_id);
  if (link == NULL)
    return FALSE;

  g_hash_table_remove (self->message_ids, message_id);
  json_object_unref (link->data);
  g_queue_delete_link (&self->messages, link);

  return TRUE;
}

JsonArray *
gw_room_dup_recent_messages (GwRoom *self)
{
  JsonArray *array;

  g_return_val_if_fail (GW_IS_ROOM (self), NULL);

  array = json_array_sized_new (self->messages.length);
  for (GList *l = self->messages.head; l != NULL; l = l->next)
    json_array_add_object_element (array, json_object_ref (l->data));

  return array;
}

static Sanctions *
ensure_sanctions (GwRoom     *self,
                  const char *user_id)
{
  Sanctions *sanctions = g_hash_table_lookup (self->sanctions, user_id);

  if (sanctions == NULL)
    {
      sanctions = g_new0 (Sanctions, 1);
      g_hash_table_insert (self->sanctions, g_strdup (user_id), sanctions);
    }

  return sanctions;
}

void
gw_room_timeout_user (GwRoom     *self,
                      const char *user_id,
                      gint64      until_ms)
{
  g_return_if_fail (GW_IS_ROOM (self));
  g_return_if_fail (user_id != NULL);

  ensure_sanctions (self, user_id)->timeout_until = until_ms;
}

void
gw_room_ban_user (GwRoom     *self,
                  const char *user_id,
                  gint64      until_ms)
{
  g_return_if_fail (GW_IS_ROOM (self));
  g_return_if_fail (user_id != NULL);

  ensure_sanctions (self, user_id)->ban_until = until_ms;
}

gboolean
gw_room_unban_user (GwRoom     *self,
                    const char *user_id)
{
  g_return_val_if_fail (GW_IS_ROOM (self), FALSE);
  g_return_val_if_fail (user_id != NULL, FALSE);

  return g_hash_table_remove (self->sanctions, user_id);
}

GwSanction
gw_room_get_sanction (GwRoom     *self,
                      const char *user_id,
                      gint64      now_ms,
                      gint64     *out_until_ms)
{
  Sanctions *sanctions;
  GwSanction kind = GW_SANCTION_NONE;
  gint64 until = 0;

  g_return_val_if_fail (GW_IS_ROOM (self), GW_SANCTION_NONE);
  g_return_val_if_fail (user_id != NULL, GW_SANCTION_NONE);

  sanctions = g_hash_table_lookup (self->sanctions, user_id);
  if (sanctions != NULL)
    {
      if (sanctions->ban_until > now_ms)
        {
          kind = GW_SANCTION_BAN;
          until = sanctions->ban_until;
        }
      else if (sanctions->timeout_until > now_ms)
        {
          kind = GW_SANCTION_TIMEOUT;
          until = sanctions->timeout_until;
        }
      else
        g_hash_table_remove (self->sanctions, user_id);
    }

  if (out_until_ms != NULL)
    *out_until_ms = until;

  return kind;
}

gboolean
gw_room_check_can_send (GwRoom      *self,
                        const char  *user_id,
                        gint64       now_ms,
                        GError     **error)
{
  gint64 until;

  g_return_val_if_fail (GW_IS_ROOM (self), FALSE);

  switch (gw_room_get_sanction (self, user_id, now_ms, &until))
    {
    case GW_SANCTION_NONE:
      return TRUE;

    case GW_SANCTION_TIMEOUT:
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN,
                   "You are timed out in this room for another %" G_GINT64_FORMAT " s",
                   (until - now_ms + 999) / 1000);
      return FALSE;

    case GW_SANCTION_BAN:
    default:
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN,
                   "You are banned from this room");
      return FALSE;
    }
}

gboolean
gw_room_is_idle (GwRoom *self,
                 gint64  now_ms,
                 gint64  grace_ms)
{
  GHashTableIter iter;
  Sanctions *sanctions;

  g_return_val_if_fail (GW_IS_ROOM (self), FALSE);

  if (g_hash_table_size (self->viewers) > 0 || self->title != NULL || self->status != NULL ||
      self->owner != NULL)
    return FALSE;
  if (self->empty_since != G_MININT64 && now_ms - self->empty_since < grace_ms)
    return FALSE;

  g_hash_table_iter_init (&iter, self->sanctions);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &sanctions))
    {
      if (sanctions->ban_until > now_ms || sanctions->timeout_until > now_ms)
        return FALSE;
    }

  return TRUE;
}
