/* ld-test-room.h: what a session shows, read as the app reads it: the
 * current room (ld_session_get_current_room) and its models.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ld-session.h"

G_BEGIN_DECLS

/* The current room's id; NULL in none or once it banned the user. */
static inline const char *
ld_test_room_id (LdSession *session)
{
  LdRoom *room = ld_session_get_current_room (session);

  return room != NULL && !ld_room_get_banned (room) ? ld_room_get_id (room) : NULL;
}

static inline LdRoom *
ld_test_room (LdSession *session)
{
  LdRoom *room = ld_session_get_current_room (session);

  g_assert_nonnull (room);
  return room;
}

/* The room whose action RESULT finishes (a GTask on the room). */
static inline LdRoom *
ld_test_source_room (GAsyncResult *result)
{
  return LD_ROOM (g_task_get_source_object (G_TASK (result)));
}

G_END_DECLS
