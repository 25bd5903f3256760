/* ld-session.h: one user's connection and account against a gateway: the
 * client side of PROTOCOL.md on one SioClient, and the rooms on it.
 *
 * The session connects with the guide's settings (path /socket, WebSocket,
 * 20 s), authenticates on every connect (the token in CONNECT's auth, then
 * `authenticate`) and refreshes the token over REST before it expires and
 * on tokenExpired. A network fault never ends it: it reconnects with
 * jittered exponential backoff up to 30 s for as long as the user is signed
 * in (having-trouble after the guide's 5 attempts), at once when the
 * network comes back or on ld_session_reconnect_now(); a refresh that fails
 * on the network is retried likewise. Only the server refusing the user
 * (401 on refresh, authFailed) signs out.
 *
 * It holds any number of rooms (LdRoom) on its one socket, each re-joined
 * by itself after a reconnect; incoming events go through the protocol's
 * event table to the room or model they are for. What the user sends waits
 * in one outbox (LdOutbox) until the server confirms it: sent in order once
 * back in the room, never shown or sent twice.
 *
 * Tokens come from ld_session_set_tokens(); after a refresh the session
 * emits ::tokens-changed so the owner can store the new ones in the keyring.
 *
 *   g_autoptr(LdSession) session = ld_session_new ("http://localhost:4001",
 *                                                  "http://localhost:3000");
 *   ld_session_set_tokens (session, tokens);
 *   g_signal_connect (session, "notify::state", G_CALLBACK (on_state), NULL);
 *   ld_session_connect (session);
 *   ld_session_join_room_async (session, "room_1", NULL, on_joined, NULL);
 *
 * Test hooks are in ld-session-private.h.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ld-types.h"
#include "ld-chat-model.h"
#include "ld-gift-queue.h"
#include "ld-notification-model.h"
#include "ld-room.h"
#include "ld-ticket-model.h"
#include "ld-token-store.h"
#include "ld-validate.h"
#include "ld-viewer-model.h"

G_BEGIN_DECLS

#define LD_SESSION_DEFAULT_PATH "/socket"
#define LD_SESSION_DEFAULT_SERVER_URL "http://localhost:4001"
#define LD_SESSION_DEFAULT_API_URL "http://localhost:3000"
#define LD_SESSION_CONNECT_TIMEOUT_MS 20000
#define LD_SESSION_RECONNECT_DELAY_MS 1000
#define LD_SESSION_RECONNECT_DELAY_MAX_MS 30000
/* The guide's 5 attempts: after them the session says it has trouble
 * (having-trouble), and goes on trying. */
#define LD_SESSION_DEFAULT_RECONNECT_ATTEMPTS 5
/* The guide's RetryManager for a refresh that fails on the network. */
#define LD_SESSION_REFRESH_TRIES 3
#define LD_SESSION_REFRESH_RETRY_DELAY_MS 1000
#define LD_SESSION_REFRESH_RETRY_DELAY_MAX_MS 10000
#define LD_SESSION_VIEWER_PING_INTERVAL_S 30
#define LD_SESSION_HEALTH_INTERVAL_S 30
/* Refresh this long before the access token's exp. */
#define LD_SESSION_DEFAULT_REFRESH_MARGIN_S 300
/* How long a request waits for the server's answer. */
#define LD_SESSION_REQUEST_TIMEOUT_MS 20000

typedef enum
{
  LD_SESSION_STATE_OFFLINE,       /* never connected, or disconnected on purpose */
  LD_SESSION_STATE_CONNECTING,
  LD_SESSION_STATE_AUTHENTICATING,
  LD_SESSION_STATE_ONLINE,
  LD_SESSION_STATE_RECONNECTING, /* see the reconnect-in property */
  LD_SESSION_STATE_SIGNED_OUT,   /* the server refused the token (authFailed, 401 on refresh) */
} LdSessionState;

#define LD_TYPE_SESSION_STATE (ld_session_state_get_type ())
GType ld_session_state_get_type (void) G_GNUC_CONST;

/* Errors raised here, before or instead of asking the server. The contract's
 * checks, rate limits and the server's refusals are LD_CONTRACT_ERROR
 * (ld-wire-error.h), OTHER for a code this client does not know. */
#define LD_SESSION_ERROR (ld_session_error_quark ())
GQuark ld_session_error_quark (void);

typedef enum
{
  LD_SESSION_ERROR_INVALID,         /* a request that makes no sense here (no such ticket) */
  LD_SESSION_ERROR_NOT_IN_ROOM,     /* the session is not in a room */
  LD_SESSION_ERROR_NOT_ALLOWED,     /* the user's role may not do this */
  LD_SESSION_ERROR_SIGNED_OUT,      /* no usable token */
  LD_SESSION_ERROR_NETWORK,         /* the connection failed or was lost */
} LdSessionError;

#define LD_TYPE_SESSION (ld_session_get_type ())

G_DECLARE_FINAL_TYPE (LdSession, ld_session, LD, SESSION, GObject)

/* SERVER_URL: the gateway (http/https/ws/wss); API_URL: the REST API. NULL
 * for either gives the guide's development defaults. */
LdSession           *ld_session_new                     (const char      *server_url,
                                                         const char      *api_url);
const char          *ld_session_get_server_url          (LdSession       *self);
const char          *ld_session_get_api_url             (LdSession       *self);
/* The Engine.IO path, "/socket" by default; read on the next connect. */
void                 ld_session_set_path                (LdSession       *self,
                                                         const char      *path);
/* Failed attempts after which the session says it has trouble (0 =
 * never); it keeps trying either way. */
guint                ld_session_get_reconnect_attempts  (LdSession       *self);
void                 ld_session_set_reconnect_attempts  (LdSession       *self,
                                                         guint            attempts);
/* For one-shot tools only (livedesk-cli send): go OFFLINE after this many
 * failed attempts. 0, the default, never gives up. */
void                 ld_session_set_give_up_after       (LdSession       *self,
                                                         guint            attempts);
/* Past the reconnect attempts without getting through. */
gboolean             ld_session_get_having_trouble      (LdSession       *self);
/* Tries now instead of at the end of the backoff (the network came back,
 * the user asked); also a refresh that waits on the network. */
void                 ld_session_reconnect_now           (LdSession       *self);
void                 ld_session_set_refresh_margin      (LdSession       *self,
                                                         guint            seconds);
/* viewerPing while in a room, every 30 s by default (the guide's). */
void                 ld_session_set_ping_interval       (LdSession       *self,
                                                         guint            seconds);

/* The tokens to use from now on (copied). A changed access token while
 * connected is sent with authenticate at once. */
void                 ld_session_set_tokens              (LdSession       *self,
                                                         const LdTokens  *tokens);
/* A copy of the current tokens, or NULL. */
LdTokens            *ld_session_dup_tokens              (LdSession       *self);

void                 ld_session_connect                 (LdSession       *self);
/* Leaves, closes the connection, stops reconnecting: OFFLINE. */
void                 ld_session_disconnect              (LdSession       *self);

LdSessionState       ld_session_get_state               (LdSession       *self);
/* Why the session is in its state, for the user (translated); may be NULL. */
const char          *ld_session_get_state_reason        (LdSession       *self);
/* In RECONNECTING: whole seconds until the next attempt. */
guint                ld_session_get_reconnect_in        (LdSession       *self);

/* From authSuccess; NULL before. */
const char          *ld_session_get_user_id             (LdSession       *self);
const char          *ld_session_get_username            (LdSession       *self);
LdRole               ld_session_get_role                (LdSession       *self);

/* The current room (ld_session_get_current_room): its id, NULL when in
 * none or banned from it; its info, chat, viewers, gifts and own sanction. */
const char          *ld_session_get_room_id             (LdSession       *self);
const char          *ld_session_get_room_title          (LdSession       *self);
/* "live", "ended" or NULL when unknown. */
const char          *ld_session_get_room_status         (LdSession       *self);
guint                ld_session_get_viewer_count        (LdSession       *self);

/* Health: the socket (connected and authenticated), the REST API (checked
 * every 30 s while connected), and both. */
gboolean             ld_session_get_socket_healthy      (LdSession       *self);
gboolean             ld_session_get_api_healthy         (LdSession       *self);
gboolean             ld_session_get_healthy             (LdSession       *self);
/* The platform's Redis, when the API's health answer says (the guide's). */
LdRedisState         ld_session_get_redis_state         (LdSession       *self);
/* Checks the REST API now: any 2xx within 5 s is healthy (the guide's). */
void                 ld_session_check_health            (LdSession       *self);

/* The signed-in user's own sanction in the room (userTimedOut, userBanned),
 * so the UI can turn the composer off and say why: the reason is translated
 * ("mia timed you out until 14:05: “spam”"). A timeout lifts by itself at
 * its end, notifying; userUnbanned lifts either. Sends meanwhile still go to
 * the server, whose FORBIDDEN marks them failed. */
LdSanction           ld_session_get_sanction            (LdSession       *self);
/* NULL for none or a ban without end. */
GDateTime           *ld_session_get_sanction_until      (LdSession       *self);
const char          *ld_session_get_sanction_reason     (LdSession       *self);

/* The current room's models: another room's once the current room changes
 * (notify::current-room), empty ones while in none. */
LdChatModel         *ld_session_get_chat                (LdSession       *self);
LdViewerModel       *ld_session_get_viewers             (LdSession       *self);
LdGiftQueue         *ld_session_get_gifts               (LdSession       *self);
/* The account's, whatever the room. */
LdNotificationModel *ld_session_get_notifications       (LdSession       *self);
LdTicketModel       *ld_session_get_tickets             (LdSession       *self);
/* Messages of ours still waiting for the server's confirmation, in every
 * room (the session's one LdOutbox). */
guint                ld_session_get_outbox_length       (LdSession       *self);

/* Rooms. A session is in any number of rooms on its one connection, each
 * re-joined by itself after a reconnect. Joining makes the room the current
 * one (what the room getters above describe, and what the app shows) and
 * completes when the server answers (joinedRoom), after any reconnect the
 * join waits for. */
void                 ld_session_join_room_async         (LdSession       *self,
                                                         const char      *room_id,
                                                         GCancellable    *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer         user_data);
gboolean             ld_session_join_room_finish        (LdSession       *self,
                                                         GAsyncResult    *result,
                                                         GError         **error);
/* Leaves the current room. */
void                 ld_session_leave_room              (LdSession       *self);
void                 ld_session_leave                   (LdSession       *self,
                                                         const char      *room_id);
/* The room ROOM_ID the session is in (or re-joins, or was banned from),
 * or NULL. */
LdRoom              *ld_session_get_room                (LdSession       *self,
                                                         const char      *room_id);
/* The last joined, NULL when in none (the room getters then describe an
 * empty room). */
LdRoom              *ld_session_get_current_room        (LdSession       *self);
/* Every room of the session (LdRoom, new references). */
GPtrArray           *ld_session_list_rooms              (LdSession       *self);
/* getRoomInfo for any room, joined or not (ld_room_get_info_async() for a
 * joined one). */
void                 ld_session_get_room_info_async     (LdSession       *self,
                                                         const char      *room_id,
                                                         GCancellable    *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer         user_data);
LdRoomInfo          *ld_session_get_room_info_finish    (LdSession       *self,
                                                         GAsyncResult    *result,
                                                         GError         **error);

/* Chat in the current room: ld_room_send_text() and ld_room_send_image()
 * on it (NOT_IN_ROOM when in none). */
LdMessage           *ld_session_send_text               (LdSession       *self,
                                                         const char      *text,
                                                         GError         **error);
LdMessage           *ld_session_send_image              (LdSession       *self,
                                                         const char      *image_url,
                                                         GError         **error);
/* The protocol code ("FORBIDDEN", …) with which the server refused a FAILED
 * message of ours, or NULL. */
const char          *ld_session_get_refusal_code        (LdMessage       *message);
/* How long until the rate limits let the next message go, in ms (0: now).
 * A RATE_LIMITED refusal's wait, as a number to count down. */
gint64               ld_session_get_send_retry_ms       (LdSession       *self);
/* A FAILED message of ours goes back to the outbox. */
gboolean             ld_session_retry_message           (LdSession       *self,
                                                         LdMessage       *message);

/* The gift functions below are ld_room_check_gift() and
 * ld_room_send_gift_async() on the current room. */
typedef LdRoomGift LdSessionGift;

/* The contract's check of REQUEST in the current room, without sending or
 * counting it (a dialog's "can this go?"): FALSE with the error a send
 * would give (translated). */
gboolean             ld_session_check_gift              (LdSession           *self,
                                                         const LdSessionGift *request,
                                                         GError             **error);
/* Checked and rate-limited like chat (INVALID_GIFT and the text errors for
 * its message). Completes with the giftTxId (a string). */
void                 ld_session_send_gift_async         (LdSession           *self,
                                                         const LdSessionGift *request,
                                                         GCancellable        *cancellable,
                                                         GAsyncReadyCallback  callback,
                                                         gpointer             user_data);
char                *ld_session_send_gift_finish        (LdSession           *self,
                                                         GAsyncResult        *result,
                                                         GError             **error);

/* chatWithAdmin; SUPPORT_TYPE NULL = "general". Completes with the ticket id. */
void                 ld_session_contact_support_async   (LdSession       *self,
                                                         const char      *text,
                                                         const char      *support_type,
                                                         GCancellable    *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer         user_data);
char                *ld_session_contact_support_finish  (LdSession       *self,
                                                         GAsyncResult    *result,
                                                         GError         **error);
/* adminReply to USER_ID's ticket (admins). The reply shows in the ticket. */
void                 ld_session_reply_to_ticket_async   (LdSession       *self,
                                                         const char      *user_id,
                                                         const char      *text,
                                                         GCancellable    *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer         user_data);
gboolean             ld_session_reply_to_ticket_finish  (LdSession       *self,
                                                         GAsyncResult    *result,
                                                         GError         **error);

/* Support tickets stored by the server [ext] (README, "Beyond
 * PROTOCOL.md"). The session loads the newest page of tickets (admins) or
 * the user's own open ticket at sign-in and after every reconnect; the
 * model follows ticketMessage and ticketUpdate. Each call below completes
 * when the server has answered, its answer already in the model. */

/* listTickets: the newest page, or with OLDER the page before the model's
 * next-before. FALSE without an error when OLDER and every page is in. */
void                 ld_session_load_tickets_async      (LdSession       *self,
                                                         gboolean         older,
                                                         GCancellable    *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer         user_data);
gboolean             ld_session_load_tickets_finish     (LdSession       *self,
                                                         GAsyncResult    *result,
                                                         GError         **error);

/* listTickets as tools ask it (livedesk-cli): STATUS "open", "resolved" or
 * NULL for both, BEFORE an ISO time or NULL, LIMIT 0 for the server's
 * default. Completes with the page as the server sent it, {tickets,
 * nextBefore}; the model is left as it is. */
void                 ld_session_list_tickets_async      (LdSession       *self,
                                                         const char      *status,
                                                         const char      *before,
                                                         guint            limit,
                                                         GCancellable    *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer         user_data);
JsonObject          *ld_session_list_tickets_finish     (LdSession       *self,
                                                         GAsyncResult    *result,
                                                         GError         **error);

typedef enum
{
  LD_TICKET_CHANGE_CLAIM,   /* the ticket becomes the signed-in admin's */
  LD_TICKET_CHANGE_RESOLVE,
  LD_TICKET_CHANGE_REOPEN,
} LdTicketChange;

/* claimTicket, resolveTicket, reopenTicket (admins). */
void                 ld_session_change_ticket_async     (LdSession       *self,
                                                         const char      *ticket_id,
                                                         LdTicketChange   change,
                                                         GCancellable    *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer         user_data);
gboolean             ld_session_change_ticket_finish    (LdSession       *self,
                                                         GAsyncResult    *result,
                                                         GError         **error);
/* getTicket: ticket TICKET_ID with its whole history, or (TICKET_ID NULL)
 * the user's own open ticket of SUPPORT_TYPE (NULL = "general"). Completes
 * with the ticket of the model (a new reference); by type, NULL without an
 * error when the user has no open ticket of that type. */
void                 ld_session_get_ticket_async        (LdSession       *self,
                                                         const char      *ticket_id,
                                                         const char      *support_type,
                                                         GCancellable    *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer         user_data);
LdTicket            *ld_session_get_ticket_finish       (LdSession       *self,
                                                         GAsyncResult    *result,
                                                         GError         **error);
/* adminReply in ticket TICKET_ID (admins): shows in the ticket as pending
 * until the server has it. */
void                 ld_session_reply_in_ticket_async   (LdSession       *self,
                                                         const char      *ticket_id,
                                                         const char      *text,
                                                         GCancellable    *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer         user_data);
gboolean             ld_session_reply_in_ticket_finish  (LdSession       *self,
                                                         GAsyncResult    *result,
                                                         GError         **error);
/* An internal note in ticket TICKET_ID (admins): like a reply, but the
 * server keeps it from the user (ld_ticket_message_is_internal). */
void                 ld_session_add_ticket_note_async   (LdSession       *self,
                                                         const char      *ticket_id,
                                                         const char      *text,
                                                         GCancellable    *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer         user_data);
gboolean             ld_session_add_ticket_note_finish  (LdSession       *self,
                                                         GAsyncResult    *result,
                                                         GError         **error);

/* Moderation [ext], for streamers, admins and moderators, in ROOM_ID. */
typedef enum
{
  LD_MODERATION_DELETE,  /* TARGET is a message id */
  LD_MODERATION_TIMEOUT, /* TARGET is a user id; SECONDS 0 = the server's default */
  LD_MODERATION_BAN,
  LD_MODERATION_UNBAN,
} LdModeration;

gboolean             ld_session_can_moderate            (LdSession       *self);
/* Each room's moderation log (ld_room_get_moderation_log) kept across
 * restarts in ld_moderation_log_default_path; the app turns it on, tests
 * and the CLI leave it in memory. */
void                 ld_session_set_keep_moderation_logs (LdSession      *self,
                                                          gboolean        keep);
void                 ld_session_moderate_async          (LdSession       *self,
                                                         LdModeration     action,
                                                         const char      *room_id,
                                                         const char      *target,
                                                         guint            seconds,
                                                         const char      *reason,
                                                         GCancellable    *cancellable,
                                                         GAsyncReadyCallback callback,
                                                         gpointer         user_data);
gboolean             ld_session_moderate_finish         (LdSession       *self,
                                                         GAsyncResult    *result,
                                                         GError         **error);

G_END_DECLS
