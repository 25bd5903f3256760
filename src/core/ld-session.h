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
 * (401 on refresh, authFailed) signs out. The schedule is LdReconnect's,
 * the API's health LdHealth's, the refresh LdTokenRefresh's.
 *
 * It holds any number of rooms (LdRoom) on its one socket, each re-joined
 * by itself after a reconnect; incoming events go through the protocol's
 * event table to the room or model they are for. What the user sends waits
 * in one outbox (LdOutbox, ld_session_get_outbox) until the server
 * confirms it: sent in order once back in the room, never shown or sent
 * twice. A room's actions (chat, gifts, room info, moderation) are on its
 * LdRoom. The account's support desk
 * (tickets, chatWithAdmin) is its LdSupport (ld_session_get_support).
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
#include "ld-outbox.h"
#include "ld-room.h"
#include "ld-support.h"
#include "ld-token-store.h"
#include "ld-validate.h"
#include "ld-viewer-model.h"

G_BEGIN_DECLS

#define LD_SESSION_DEFAULT_PATH "/socket"
#define LD_SESSION_DEFAULT_SERVER_URL "http://localhost:4001"
#define LD_SESSION_DEFAULT_API_URL "http://localhost:3000"
#define LD_SESSION_CONNECT_TIMEOUT_MS 20000
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

/* Health: the socket (connected and authenticated), the REST API (checked
 * every 30 s while connected), and both. */
gboolean             ld_session_get_socket_healthy      (LdSession       *self);
gboolean             ld_session_get_api_healthy         (LdSession       *self);
gboolean             ld_session_get_healthy             (LdSession       *self);
/* The platform's Redis, when the API's health answer says (the guide's). */
LdRedisState         ld_session_get_redis_state         (LdSession       *self);
/* Checks the REST API now: any 2xx within 5 s is healthy (the guide's). */
void                 ld_session_check_health            (LdSession       *self);

/* The account's, whatever the room. */
LdNotificationModel *ld_session_get_notifications       (LdSession       *self);
/* The support desk: the user's conversation with the admins, or an
 * admin's tickets (ld-support.h). */
LdSupport           *ld_session_get_support             (LdSession       *self);
/* The one outbox: messages of ours still waiting for the server's
 * confirmation, in every room (length), and how long the rate limits make
 * the next send wait (retry-ms). */
LdOutbox            *ld_session_get_outbox              (LdSession       *self);

/* Rooms. A session is in any number of rooms on its one connection, each
 * re-joined by itself after a reconnect. Joining makes the room the current
 * one (notify::current-room; what the app shows) and
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
/* The last joined, NULL when in none. Its title, models, sanction and
 * actions are the room's (ld-room.h). */
LdRoom              *ld_session_get_current_room        (LdSession       *self);
/* Every room of the session (LdRoom, new references). */
GPtrArray           *ld_session_list_rooms              (LdSession       *self);


G_END_DECLS
