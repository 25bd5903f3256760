/* gw-rooms.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-rooms.h"

struct _GwRooms
{
  GObject     parent_instance;
  GHashTable *rooms;  /* room id (owned by the room) → GwRoom */
};

G_DEFINE_FINAL_TYPE (GwRooms, gw_rooms, G_TYPE_OBJECT)

static void
gw_rooms_finalize (GObject *object)
{
  GwRooms *self = (GwRooms *)object;

  g_clear_pointer (&self->rooms, g_hash_table_unref);

  G_OBJECT_CLASS (gw_rooms_parent_class)->finalize (object);
}

static void
gw_rooms_class_init (GwRoomsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gw_rooms_finalize;
}

static void
gw_rooms_init (GwRooms *self)
{
  self->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
}

GwRooms *
gw_rooms_new (void)
{
  return g_object_new (GW_TYPE_ROOMS, NULL);
}

GwRoom *
gw_rooms_lookup (GwRooms    *self,
                 const char *room_id)
{
  g_return_val_if_fail (GW_IS_ROOMS (self), NULL);
  g_return_val_if_fail (room_id != NULL, NULL);

  return g_hash_table_lookup (self->rooms, room_id);
}

GwRoom *
gw_rooms_ensure (GwRooms    *self,
                 const char *room_id)
{
  GwRoom *room;

  g_return_val_if_fail (GW_IS_ROOMS (self), NULL);
  g_return_val_if_fail (room_id != NULL, NULL);

  room = g_hash_table_lookup (self->rooms, room_id);
  if (room == NULL)
    {
      room = gw_room_new (room_id);
      g_hash_table_insert (self->rooms, (gpointer) gw_room_get_id (room), room);
    }

  return room;
}

guint
gw_rooms_get_n_rooms (GwRooms *self)
{
  g_return_val_if_fail (GW_IS_ROOMS (self), 0);

  return g_hash_table_size (self->rooms);
}

GPtrArray *
gw_rooms_list (GwRooms *self)
{
  GPtrArray *rooms;
  GHashTableIter iter;
  GwRoom *room;

  g_return_val_if_fail (GW_IS_ROOMS (self), NULL);

  rooms = g_ptr_array_new_full (g_hash_table_size (self->rooms), g_object_unref);
  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &room))
    g_ptr_array_add (rooms, g_object_ref (room));

  return rooms;
}

guint
gw_rooms_prune (GwRooms *self,
                gint64   now_ms,
                gint64   grace_ms)
{
  GHashTableIter iter;
  GwRoom *room;
  guint removed = 0;

  g_return_val_if_fail (GW_IS_ROOMS (self), 0);

  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &room))
    {
      if (gw_room_is_idle (room, now_ms, grace_ms))
        {
          g_hash_table_iter_remove (&iter);
          removed++;
        }
    }

  return removed;
}
