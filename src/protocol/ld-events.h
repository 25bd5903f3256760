/* ld-events.h: the events a client receives (PROTOCOL.md section 3), one
 * table: each name with what it is and how its payload is read, so a
 * client dispatches on an enum instead of comparing strings, and finds the
 * room an event is for wherever its shape keeps it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  LD_EVENT_UNKNOWN,
  LD_EVENT_AUTH_SUCCESS,
  LD_EVENT_AUTH_FAILED,
  LD_EVENT_AUTH_REQUIRED,
  LD_EVENT_TOKEN_EXPIRED,
  LD_EVENT_JOINED_ROOM,
  LD_EVENT_JOIN_ROOM_ERROR,
  LD_EVENT_USER_JOINED,
  LD_EVENT_USER_LEFT,
  LD_EVENT_ROOM_UPDATE,
  LD_EVENT_VIEWER_PONG,
  LD_EVENT_NEW_MESSAGE,
  LD_EVENT_CHAT_MESSAGE_FROM_BACKEND,
  LD_EVENT_MESSAGE_SENT,
  LD_EVENT_SEND_MESSAGE_ERROR,
  LD_EVENT_MESSAGE_DELETED,
  LD_EVENT_NEW_GIFT,
  LD_EVENT_GIFT_FROM_BACKEND,
  LD_EVENT_NOTIFICATION,
  LD_EVENT_SYSTEM_NOTIFICATION,
  LD_EVENT_NOTIFICATION_UPDATE,
  LD_EVENT_ADMIN_CHAT,
  LD_EVENT_ADMIN_MESSAGE,
  LD_EVENT_USER_TIMED_OUT,
  LD_EVENT_USER_BANNED,
  LD_EVENT_USER_UNBANNED,
  N_LD_EVENTS
} LdEvent;

/* Where an event's fields are. */
typedef enum
{
  /* The fields are the payload: {roomId, …}. */
  LD_EVENT_SHAPE_FLAT,
  /* A reply envelope: {success, data: {roomId, …}} or {success: false, error}. */
  LD_EVENT_SHAPE_ENVELOPE,
  /* What the backend publishes, under data or flat (ld-backend.h). */
  LD_EVENT_SHAPE_BACKEND,
} LdEventShape;

typedef struct
{
  const char   *name;
  LdEvent       event;
  LdEventShape  shape;
  /* The event concerns one room (its roomId says which); others concern
   * the connection or the account. */
  gboolean      in_room;
  /* For SHAPE_BACKEND: the envelope's type. */
  const char   *backend_type;
} LdEventInfo;

/* The table's entry for NAME, or NULL for an event this table does not know
 * (a request's reply, say, which the caller matches by name). */
const LdEventInfo *ld_event_lookup     (const char        *name);
const LdEventInfo *ld_event_get_info   (LdEvent            event);

/* The object holding the event's fields (borrowed from PAYLOAD): the
 * payload, its envelope's data, or the backend's message; NULL when the
 * payload does not have the event's shape. */
JsonObject        *ld_event_read       (const LdEventInfo *info,
                                        JsonNode          *payload);
/* The room FIELDS (from ld_event_read) are for; NULL if they name none. */
const char        *ld_event_get_room_id (JsonObject        *fields);

G_END_DECLS
