/* gw-room.h: one room's state on the gateway: who is in it, what was said,
 * who may not speak (PROTOCOL.md sections 3 and 4).
 *
 * Clocks are passed in (milliseconds of any monotonic clock), so that tests
 * decide when presence and sanctions expire.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "gw-types.h"

G_BEGIN_DECLS

/* What joinedRoom replays to a newcomer. */
#define GW_ROOM_DEFAULT_HISTORY 50

typedef struct
{
  char   *user_id;
  char   *username;
  GwRole  role;
  guint   n_sockets;     /* a user with two tabs open is one viewer */
  gint64  last_seen_ms;  /* join or viewerPing on any of the user's sockets */
} GwViewer;

#define GW_TYPE_VIEWER (gw_viewer_get_type ())

GType       gw_viewer_get_type (void) G_GNUC_CONST;
GwViewer   *gw_viewer_copy     (const GwViewer *viewer);
void        gw_viewer_free     (GwViewer       *viewer);
/* {userId, username, role}: the entries of joinedRoom's "viewers". */
JsonNode   *gw_viewer_to_json  (const GwViewer *viewer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GwViewer, gw_viewer_free)

typedef enum
{
  GW_SANCTION_NONE,
  GW_SANCTION_TIMEOUT,
  GW_SANCTION_BAN,
} GwSanction;

/* A ban with no end: it lasts until unbanUser. */
#define GW_ROOM_FOREVER G_MAXINT64

#define GW_TYPE_ROOM (gw_room_get_type ())

G_DECLARE_FINAL_TYPE (GwRoom, gw_room, GW, ROOM, GObject)

GwRoom     *gw_room_new                 (const char     *room_id);
const char *gw_room_get_id              (GwRoom         *self);

/* NULL until someone (the backend, over Redis) sets them. The setters return
 * TRUE when the value changed, which is when roomUpdate is worth sending. */
const char *gw_room_get_title           (GwRoom         *self);
gboolean    gw_room_set_title           (GwRoom         *self,
                                         const char     *title);
const char *gw_room_get_status          (GwRoom         *self);
gboolean    gw_room_set_status          (GwRoom         *self,
                                         const char     *status);

/* [ext] The streamer who owns the room (a backend stream.start or
 * room.update with streamerId), NULL until the backend names one. */
const char *gw_room_get_owner           (GwRoom         *self);
gboolean    gw_room_set_owner           (GwRoom         *self,
                                         const char     *user_id);

/* Adds SOCKET_ID as one of USER_ID's sockets; TRUE when the user was not in
 * the room before, i.e. when the others should see userJoined. A socket
 * joining twice is one socket; the name and role are refreshed. */
gboolean    gw_room_add_socket          (GwRoom         *self,
                                         const char     *socket_id,
                                         const char     *user_id,
                                         const char     *username,
                                         GwRole          role,
                                         gint64          now_ms);
/* TRUE when that was the user's last socket, i.e. when the others should see
 * userLeft; OUT_VIEWER then receives the departed viewer. FALSE as well for a
 * socket that was not in the room. */
gboolean    gw_room_remove_socket       (GwRoom         *self,
                                         const char     *socket_id,
                                         gint64          now_ms,
                                         GwViewer      **out_viewer);
gboolean    gw_room_has_socket          (GwRoom         *self,
                                         const char     *socket_id);
const GwViewer *gw_room_lookup_viewer   (GwRoom         *self,
                                         const char     *user_id);
/* viewerPing: FALSE if SOCKET_ID is not in the room. */
gboolean    gw_room_touch               (GwRoom         *self,
                                         const char     *socket_id,
                                         gint64          now_ms);
/* Removes every viewer not seen for IDLE_MS or longer and returns them (of
 * GwViewer); OUT_SOCKET_IDS, if given, receives the sockets that went with
 * them, which the caller takes out of the transport's room too. */
GPtrArray  *gw_room_expire              (GwRoom         *self,
                                         gint64          now_ms,
                                         gint64          idle_ms,
                                         GPtrArray     **out_socket_ids);
/* The user's socket ids in the room (of char *). */
GPtrArray  *gw_room_list_user_sockets   (GwRoom         *self,
                                         const char     *user_id);
guint       gw_room_get_viewer_count    (GwRoom         *self);
/* Staff first (admin, moderator, streamer, viewer), then by name without
 * regard to case, then by user id: a list that does not jump around. */
GPtrArray  *gw_room_list_viewers        (GwRoom         *self);
JsonArray  *gw_room_dup_viewers_json    (GwRoom         *self);

/* Recent messages: newMessage payloads with a "messageId" member, oldest
 * first, the oldest dropped beyond the history size. */
void        gw_room_set_history_size    (GwRoom         *self,
                                         guint           size);
char       *gw_room_new_message_id      (GwRoom         *self);
void        gw_room_add_message         (GwRoom         *self,
                                         JsonObject     *message);
gboolean    gw_room_remove_message      (GwRoom         *self,
                                         const char     *message_id);
JsonArray  *gw_room_dup_recent_messages (GwRoom         *self);

/* Timeouts end at UNTIL_MS; bans at UNTIL_MS or, with GW_ROOM_FOREVER, on
 * unban. A new sanction of a kind replaces the old one of that kind. */
void        gw_room_timeout_user        (GwRoom         *self,
                                         const char     *user_id,
                                         gint64          until_ms);
void        gw_room_ban_user            (GwRoom         *self,
                                         const char     *user_id,
                                         gint64          until_ms);
/* Lifts a ban and a timeout: afterwards the user may speak again. FALSE if
 * there was neither. */
gboolean    gw_room_unban_user          (GwRoom         *self,
                                         const char     *user_id);
/* A ban outweighs a timeout. OUT_UNTIL_MS: when it ends. */
GwSanction  gw_room_get_sanction        (GwRoom         *self,
                                         const char     *user_id,
                                         gint64          now_ms,
                                         gint64         *out_until_ms);
/* FORBIDDEN (LD_CONTRACT_ERROR) while USER_ID is timed out or banned. */
gboolean    gw_room_check_can_send      (GwRoom         *self,
                                         const char     *user_id,
                                         gint64          now_ms,
                                         GError        **error);
/* Empty for GRACE_MS or longer, with no sanction running and no title or
 * status from the backend: forgetting the room loses only old messages. */
gboolean    gw_room_is_idle             (GwRoom         *self,
                                         gint64          now_ms,
                                         gint64          grace_ms);

G_END_DECLS
