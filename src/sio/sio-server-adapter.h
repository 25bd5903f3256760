/* sio-server-adapter.h: where a namespace keeps its rooms and how a broadcast
 * reaches their members; the in-memory adapter serves one process, another
 * implementation (Redis) can fan broadcasts out to other processes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "sio-codec.h"

G_BEGIN_DECLS

typedef struct _SioServerNamespace SioServerNamespace;

#define SIO_TYPE_SERVER_ADAPTER (sio_server_adapter_get_type ())
G_DECLARE_INTERFACE (SioServerAdapter, sio_server_adapter, SIO, SERVER_ADAPTER, GObject)

/* Sockets are named by their Socket.IO id; every socket is also in the room of its own id. */
struct _SioServerAdapterInterface
{
  GTypeInterface parent_iface;

  void       (*add)        (SioServerAdapter   *self,
                            const char         *sid,
                            const char         *room);
  void       (*remove)     (SioServerAdapter   *self,
                            const char         *sid,
                            const char         *room);
  void       (*remove_all) (SioServerAdapter   *self,
                            const char         *sid);
  gboolean   (*contains)   (SioServerAdapter   *self,
                            const char         *sid,
                            const char         *room);
  /* The sockets in any of ROOMS (NULL or empty: all), minus those in any of EXCEPT. */
  GPtrArray *(*sockets)    (SioServerAdapter   *self,
                            const char * const *rooms,
                            const char * const *except);
  /* Sends PACKET to the sockets that sockets() names. */
  void       (*broadcast)  (SioServerAdapter   *self,
                            const SioPacket    *packet,
                            const char * const *rooms,
                            const char * const *except);
};

void       sio_server_adapter_add        (SioServerAdapter   *self,
                                          const char         *sid,
                                          const char         *room);
void       sio_server_adapter_remove     (SioServerAdapter   *self,
                                          const char         *sid,
                                          const char         *room);
void       sio_server_adapter_remove_all (SioServerAdapter   *self,
                                          const char         *sid);
gboolean   sio_server_adapter_contains   (SioServerAdapter   *self,
                                          const char         *sid,
                                          const char         *room);
/* A new array of sids (char *, owned). */
GPtrArray *sio_server_adapter_sockets    (SioServerAdapter   *self,
                                          const char * const *rooms,
                                          const char * const *except);
void       sio_server_adapter_broadcast  (SioServerAdapter   *self,
                                          const SioPacket    *packet,
                                          const char * const *rooms,
                                          const char * const *except);

#define SIO_TYPE_SERVER_MEMORY_ADAPTER (sio_server_memory_adapter_get_type ())
G_DECLARE_FINAL_TYPE (SioServerMemoryAdapter, sio_server_memory_adapter, SIO, SERVER_MEMORY_ADAPTER, GObject)

/* Delivers to NSP's local sockets; NSP is not referenced (it owns the adapter). */
SioServerAdapter *sio_server_memory_adapter_new (SioServerNamespace *nsp);

G_END_DECLS
