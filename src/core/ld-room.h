/* ld-room.h: one room a session is in, on the session's one connection.
 *
 * A room has its own chat, viewer list, gift queue, sanctions and room
 * info (title, status, viewer count), fed by the events the session
 * receives for it; it re-joins by itself after a reconnect. LdSession
 * makes and owns rooms (ld_session_join_room_async, ld_session_get_room);
 * what the server sends reaches a room's models and signals, never as JSON.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-types.h"
#include "ld-chat-model.h"
#include "ld-gift-queue.h"
#include "ld-message.h"
#include "ld-moderation-log.h"
#include "ld-room-info.h"
#include "ld-viewer-model.h"

G_BEGIN_DECLS

#define LD_TYPE_ROOM (ld_room_get_type ())

G_DECLARE_FINAL_TYPE (LdRoom, ld_room, LD, ROOM, GObject)

const char    *ld_room_get_id              (LdRoom *self);
const char    *ld_room_get_title           (LdRoom *self);
/* "live", "ended" or NULL when unknown. */
const char    *ld_room_get_status          (LdRoom *self);
guint          ld_room_get_viewer_count    (LdRoom *self);
/* In the room on the current connection (joinedRoom came). */
gboolean       ld_room_get_joined          (LdRoom *self);
/* Taken out by a ban: the chat stays as it was, no re-join. */
gboolean       ld_room_get_banned          (LdRoom *self);

LdChatModel   *ld_room_get_chat            (LdRoom *self);
LdViewerModel *ld_room_get_viewers         (LdRoom *self);
LdGiftQueue   *ld_room_get_gifts           (LdRoom *self);
/* Who deleted, timed out, banned or unbanned whom here, and why: every
 * messageDeleted / userTimedOut / userBanned / userUnbanned the room got
 * (the moderator's own included). In memory until the app gives it a file
 * (ld_moderation_log_set_path with ld_moderation_log_default_path). */
LdModerationLog *ld_room_get_moderation_log (LdRoom *self);

/* The signed-in user's own sanction here (userTimedOut, userBanned), with
 * a translated reason; a timeout lifts by itself at its end. */
LdSanction     ld_room_get_sanction        (LdRoom *self);
GDateTime     *ld_room_get_sanction_until  (LdRoom *self);
const char    *ld_room_get_sanction_reason (LdRoom *self);

/* Actions in this room, on its session's connection. */

/* Chat: checks (PROTOCOL.md section 5, ld-validate) and rate-limits, then
 * puts the message in the room's chat as PENDING and in the session's
 * outbox. Returns the message (borrowed from the chat), or NULL with an
 * LD_CONTRACT_ERROR (EMPTY_MESSAGE, MESSAGE_TOO_LONG, FORBIDDEN_CONTENT,
 * INVALID_IMAGE_URL, RATE_LIMITED; translated messages), an LD_OUTBOX_ERROR
 * or an LD_SESSION_ERROR (NOT_IN_ROOM once left or banned, SIGNED_OUT). */
LdMessage     *ld_room_send_text           (LdRoom      *self,
                                            const char  *text,
                                            GError     **error);
LdMessage     *ld_room_send_image          (LdRoom      *self,
                                            const char  *image_url,
                                            GError     **error);
/* A FAILED message of ours here goes back to the outbox, in its place;
 * FALSE when it is not a failed message of this room's chat, or the
 * session no longer has the room. */
gboolean       ld_room_retry_message       (LdRoom      *self,
                                            LdMessage   *message);

/* What a gift send carries beyond the sender (the session's user). */
typedef struct
{
  const char *receiver_id;
  const char *receiver_name;
  const char *gift_id;
  const char *gift_name;
  const char *gift_type;
  double      gift_value;
  guint       quantity;   /* 1–100 */
  const char *message;    /* may be NULL */
  const char *animation;  /* NULL = "default" */
} LdRoomGift;

/* The contract's check of REQUEST here, without sending or counting it (a
 * dialog's "can this go?"): FALSE with the error a send would give. */
gboolean       ld_room_check_gift          (LdRoom              *self,
                                            const LdRoomGift    *request,
                                            GError             **error);
/* Checked and rate-limited like chat (INVALID_GIFT and the text errors for
 * its message). Completes with the giftTxId. */
void           ld_room_send_gift_async     (LdRoom              *self,
                                            const LdRoomGift    *request,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
char          *ld_room_send_gift_finish    (LdRoom              *self,
                                            GAsyncResult        *result,
                                            GError             **error);
/* getRoomInfo for this room: what the server says now. */
void           ld_room_get_info_async      (LdRoom              *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
LdRoomInfo    *ld_room_get_info_finish     (LdRoom              *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* Moderation [ext], for streamers, admins and moderators, in this room. */
typedef enum
{
  LD_MODERATION_DELETE,  /* TARGET is a message id */
  LD_MODERATION_TIMEOUT, /* TARGET is a user id; SECONDS 0 = the server's default */
  LD_MODERATION_BAN,
  LD_MODERATION_UNBAN,
} LdModeration;

/* The session's user is signed in with a role that may moderate. */
gboolean       ld_room_can_moderate        (LdRoom              *self);
/* The rank rule (ld-rank.h) for the signed-in user here: whether they may
 * time out or ban someone of TARGET_ROLE; when not, *WHY (if not NULL)
 * gets a sentence saying who may. TRUE before authSuccess (our role is
 * unknown: the server decides), and for a role name the client does not
 * know, which reaches it as a viewer. Callers check ld_room_can_moderate
 * as well. */
gboolean       ld_room_can_sanction        (LdRoom              *self,
                                            LdRole               target_role,
                                            char               **why);
/* The same for USER_ID, with their role as this room knows it: the viewer
 * list, else their newest message in the chat. TRUE when neither knows
 * them (the server decides); FALSE with LD_CONTRACT_ERROR_FORBIDDEN and
 * the sentence above. */
gboolean       ld_room_check_sanction      (LdRoom              *self,
                                            const char          *user_id,
                                            GError             **error);
/* Before authSuccess the role is unknown and the server decides; after
 * it, a role that may not moderate gets LD_SESSION_ERROR_NOT_ALLOWED. */
void           ld_room_moderate_async      (LdRoom              *self,
                                            LdModeration         action,
                                            const char          *target,
                                            guint                seconds,
                                            const char          *reason,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean       ld_room_moderate_finish     (LdRoom              *self,
                                            GAsyncResult        *result,
                                            GError             **error);

G_END_DECLS
