/* sio-server-adapter.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sio-server-adapter.h"

#include "sio-server.h"

#include <string.h>

G_DEFINE_INTERFACE (SioServerAdapter, sio_server_adapter, G_TYPE_OBJECT)

static void
sio_server_adapter_default_init (SioServerAdapterInterface *iface)
{
}

void
sio_server_adapter_add (SioServerAdapter *self,
                        const char       *sid,
                        const char       *room)
{
  g_return_if_fail (SIO_IS_SERVER_ADAPTER (self));
  SIO_SERVER_ADAPTER_GET_IFACE (self)->add (self, sid, room);
}

void
sio_server_adapter_remove (SioServerAdapter *self,
                           const char       *sid,
                           const char       *room)
{
  g_return_if_fail (SIO_IS_SERVER_ADAPTER (self));
  SIO_SERVER_ADAPTER_GET_IFACE (self)->remove (self, sid, room);
}

void
sio_server_adapter_remove_all (SioServerAdapter *self,
                               const char       *sid)
{
  g_return_if_fail (SIO_IS_SERVER_ADAPTER (self));
  SIO_SERVER_ADAPTER_GET_IFACE (self)->remove_all (self, sid);
}

gboolean
sio_server_adapter_contains (SioServerAdapter *self,
                             const char       *sid,
                             const char       *room)
{
  g_return_val_if_fail (SIO_IS_SERVER_ADAPTER (self), FALSE);
  return SIO_SERVER_ADAPTER_GET_IFACE (self)->contains (self, sid, room);
}

GPtrArray *
sio_server_adapter_sockets (SioServerAdapter   *self,
                            const char * const *rooms,
                            const char * const *except)
{
  g_return_val_if_fail (SIO_IS_SERVER_ADAPTER (self), NULL);
  return SIO_SERVER_ADAPTER_GET_IFACE (self)->sockets (self, rooms, except);
}

void
sio_server_adapter_broadcast (SioServerAdapter   *self,
                              const SioPacket    *packet,
                              const char * const *rooms,
                              const char * const *except)
{
  g_return_if_fail (SIO_IS_SERVER_ADAPTER (self));
  SIO_SERVER_ADAPTER_GET_IFACE (self)->broadcast (self, packet, rooms, except);
}

struct _SioServerMemoryAdapter {
  GObject             parent_instance;

  SioServerNamespace *nsp;
  /* room → (sid → SioServerSocket, not referenced): the namespace takes a
   * socket out of every room before it lets go of it, so a member's socket
   * is alive; NULL for a sid that had no socket when it joined. A socket's
   * own room is not in here: a table for one member would cost every
   * connection a few hundred bytes; a room that is a known sid is that
   * socket (own_room). */
  GHashTable         *rooms;
  GHashTable         *sids;     /* sid → set of rooms, its own left out */
};

static void memory_adapter_iface_init (SioServerAdapterInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SioServerMemoryAdapter, sio_server_memory_adapter, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (SIO_TYPE_SERVER_ADAPTER, memory_adapter_iface_init))

static GHashTable *
string_set_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* The sid as the adapter keeps it when ROOM is the own room of a socket
 * that is here, else NULL. */
static const char *
own_room (SioServerMemoryAdapter *self,
          const char             *room)
{
  gpointer sid = NULL;

  return g_hash_table_lookup_extended (self->sids, room, &sid, NULL) ? sid : NULL;
}

static void
memory_add (SioServerAdapter *adapter,
            const char       *sid,
            const char       *room)
{
  SioServerMemoryAdapter *self = SIO_SERVER_MEMORY_ADAPTER (adapter);
  GHashTable *set;

  set = g_hash_table_lookup (self->sids, sid);
  if (set == NULL)
    {
      set = string_set_new ();
      g_hash_table_insert (self->sids, g_strdup (sid), set);
    }
  if (strcmp (sid, room) == 0)
    return;
  g_hash_table_add (set, g_strdup (room));

  set = g_hash_table_lookup (self->rooms, room);
  if (set == NULL)
    {
      set = string_set_new ();
      g_hash_table_insert (self->rooms, g_strdup (room), set);
    }
  if (!g_hash_table_contains (set, sid))
    g_hash_table_insert (set, g_strdup (sid),
                         self->nsp != NULL ? sio_server_namespace_lookup (self->nsp, sid) : NULL);
}

static void
memory_remove (SioServerAdapter *adapter,
               const char       *sid,
               const char       *room)
{
  SioServerMemoryAdapter *self = SIO_SERVER_MEMORY_ADAPTER (adapter);
  GHashTable *set;

  /* a socket stays in its own room until it goes */
  if (strcmp (sid, room) == 0)
    return;
  set = g_hash_table_lookup (self->sids, sid);
  if (set != NULL)
    g_hash_table_remove (set, room);

  set = g_hash_table_lookup (self->rooms, room);
  if (set != NULL)
    {
      g_hash_table_remove (set, sid);
      /* an empty room is forgotten, or chat rooms would pile up forever */
      if (g_hash_table_size (set) == 0)
        g_hash_table_remove (self->rooms, room);
    }
}

static void
memory_remove_all (SioServerAdapter *adapter,
                   const char       *sid)
{
  SioServerMemoryAdapter *self = SIO_SERVER_MEMORY_ADAPTER (adapter);
  g_autoptr(GHashTable) rooms = NULL;
  g_autofree char *key = NULL;
  GHashTableIter iter;
  gpointer room;

  if (!g_hash_table_steal_extended (self->sids, sid, (gpointer *) &key, (gpointer *) &rooms))
    return;

  g_hash_table_iter_init (&iter, rooms);
  while (g_hash_table_iter_next (&iter, &room, NULL))
    {
      GHashTable *members = g_hash_table_lookup (self->rooms, room);

      if (members == NULL)
        continue;
      g_hash_table_remove (members, sid);
      if (g_hash_table_size (members) == 0)
        g_hash_table_remove (self->rooms, room);
    }
}

static gboolean
memory_contains (SioServerAdapter *adapter,
                 const char       *sid,
                 const char       *room)
{
  SioServerMemoryAdapter *self = SIO_SERVER_MEMORY_ADAPTER (adapter);
  GHashTable *set = g_hash_table_lookup (self->sids, sid);

  return set != NULL && (strcmp (sid, room) == 0 || g_hash_table_contains (set, room));
}

static gboolean
in_any (SioServerMemoryAdapter *self,
        const char             *sid,
        const char * const     *rooms)
{
  GHashTable *set = g_hash_table_lookup (self->sids, sid);

  if (set == NULL || rooms == NULL)
    return FALSE;
  for (guint i = 0; rooms[i] != NULL; i++)
    if (strcmp (sid, rooms[i]) == 0 || g_hash_table_contains (set, rooms[i]))
      return TRUE;
  return FALSE;
}

static GPtrArray *
memory_sockets (SioServerAdapter   *adapter,
                const char * const *rooms,
                const char * const *except)
{
  SioServerMemoryAdapter *self = SIO_SERVER_MEMORY_ADAPTER (adapter);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *result = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer sid;

  if (rooms == NULL || rooms[0] == NULL)
    {
      g_hash_table_iter_init (&iter, self->sids);
      while (g_hash_table_iter_next (&iter, &sid, NULL))
        if (!in_any (self, sid, except))
          g_ptr_array_add (result, g_strdup (sid));
      return result;
    }

  /* a socket in two of the rooms still gets the packet once */
  for (guint i = 0; rooms[i] != NULL; i++)
    {
      GHashTable *members = g_hash_table_lookup (self->rooms, rooms[i]);

      if (members == NULL)
        {
          sid = (gpointer) own_room (self, rooms[i]);
          if (sid != NULL && g_hash_table_add (seen, sid) && !in_any (self, sid, except))
            g_ptr_array_add (result, g_strdup (sid));
          continue;
        }
      g_hash_table_iter_init (&iter, members);
      while (g_hash_table_iter_next (&iter, &sid, NULL))
        if (g_hash_table_add (seen, sid) && !in_any (self, sid, except))
          g_ptr_array_add (result, g_strdup (sid));
    }
  return result;
}

/* Whether SID is one of the members of the EXCEPT rooms, gathered in
 * EXCLUDED: most broadcasts leave out only their sender's own room, and
 * that beats looking up every recipient's rooms. */
static GHashTable *
members_of (SioServerMemoryAdapter *self,
            const char * const     *except)
{
  GHashTable *excluded = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; except != NULL && except[i] != NULL; i++)
    {
      GHashTable *members = g_hash_table_lookup (self->rooms, except[i]);
      GHashTableIter iter;
      gpointer sid;

      if (members == NULL)
        {
          sid = (gpointer) own_room (self, except[i]);
          if (sid != NULL)
            g_hash_table_add (excluded, sid);
          continue;
        }
      g_hash_table_iter_init (&iter, members);
      while (g_hash_table_iter_next (&iter, &sid, NULL))
        g_hash_table_add (excluded, sid);
    }
  return excluded;
}

static void
memory_broadcast (SioServerAdapter   *adapter,
                  const SioPacket    *packet,
                  const char * const *rooms,
                  const char * const *except)
{
  SioServerMemoryAdapter *self = SIO_SERVER_MEMORY_ADAPTER (adapter);
  g_autoptr(GHashTable) excluded = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(GPtrArray) recipients = NULL;
  g_autofree char *header = NULL;
  g_autoptr(GBytes) frame = NULL;

  if (self->nsp == NULL)
    return;

  if (rooms == NULL || rooms[0] == NULL)
    {
      g_autoptr(GPtrArray) sids = memory_sockets (adapter, rooms, except);

      recipients = g_ptr_array_new_full (sids->len, g_object_unref);
      for (guint i = 0; i < sids->len; i++)
        {
          SioServerSocket *socket = sio_server_namespace_lookup (self->nsp, g_ptr_array_index (sids, i));

          if (socket != NULL)
            g_ptr_array_add (recipients, g_object_ref (socket));
        }
    }
  else
    {
      excluded = members_of (self, except);
      /* a socket in two of the rooms still gets the packet once */
      if (rooms[1] != NULL)
        seen = g_hash_table_new (g_str_hash, g_str_equal);
      recipients = g_ptr_array_new_with_free_func (g_object_unref);
      for (guint i = 0; rooms[i] != NULL; i++)
        {
          GHashTable *members = g_hash_table_lookup (self->rooms, rooms[i]);
          GHashTableIter iter;
          gpointer sid, socket = NULL;

          if (members == NULL)
            {
              sid = (gpointer) own_room (self, rooms[i]);
              if (sid == NULL || g_hash_table_contains (excluded, sid) ||
                  (seen != NULL && !g_hash_table_add (seen, sid)))
                continue;
              socket = sio_server_namespace_lookup (self->nsp, sid);
              if (socket != NULL)
                g_ptr_array_add (recipients, g_object_ref (socket));
              continue;
            }
          g_hash_table_iter_init (&iter, members);
          while (g_hash_table_iter_next (&iter, &sid, &socket))
            {
              if ((g_hash_table_size (excluded) > 0 && g_hash_table_contains (excluded, sid)) ||
                  (seen != NULL && !g_hash_table_add (seen, sid)))
                continue;
              if (socket == NULL)
                socket = sio_server_namespace_lookup (self->nsp, sid);
              if (socket != NULL)
                g_ptr_array_add (recipients, g_object_ref (socket));
            }
        }
    }

  if (recipients->len == 0)
    return;

  /* Encoded once, however many sockets it goes to. The recipients are held
   * apart from the room: a send that fails can close a socket, which takes
   * it out of the room while we are still sending. */
  header = sio_packet_encode (packet);
  frame = sio_engine_text_frame_new (header);
  for (guint i = 0; i < recipients->len; i++)
    sio_server_socket_send_frame (g_ptr_array_index (recipients, i), frame, packet->attachments);
}

static void
memory_adapter_iface_init (SioServerAdapterInterface *iface)
{
  iface->add = memory_add;
  iface->remove = memory_remove;
  iface->remove_all = memory_remove_all;
  iface->contains = memory_contains;
  iface->sockets = memory_sockets;
  iface->broadcast = memory_broadcast;
}

static void
sio_server_memory_adapter_finalize (GObject *object)
{
  SioServerMemoryAdapter *self = SIO_SERVER_MEMORY_ADAPTER (object);

  g_hash_table_unref (self->rooms);
  g_hash_table_unref (self->sids);

  G_OBJECT_CLASS (sio_server_memory_adapter_parent_class)->finalize (object);
}

static void
sio_server_memory_adapter_class_init (SioServerMemoryAdapterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sio_server_memory_adapter_finalize;
}

static void
sio_server_memory_adapter_init (SioServerMemoryAdapter *self)
{
  self->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
  self->sids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
}

SioServerAdapter *
sio_server_memory_adapter_new (SioServerNamespace *nsp)
{
  SioServerMemoryAdapter *self = g_object_new (SIO_TYPE_SERVER_MEMORY_ADAPTER, NULL);

  self->nsp = nsp;
  return SIO_SERVER_ADAPTER (self);
}
