/* ld-types.h: the core layer's forward declarations and shared enums.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _LdMessage           LdMessage;
typedef struct _LdChatModel         LdChatModel;
typedef struct _LdViewer            LdViewer;
typedef struct _LdViewerModel       LdViewerModel;
typedef struct _LdNotification      LdNotification;
typedef struct _LdNotificationModel LdNotificationModel;
typedef struct _LdTicket            LdTicket;
typedef struct _LdTicketModel       LdTicketModel;
typedef struct _LdGift              LdGift;
typedef struct _LdGiftQueue         LdGiftQueue;
typedef struct _LdGifter            LdGifter;
typedef struct _LdGiftLeaderboard   LdGiftLeaderboard;
typedef struct _LdClock             LdClock;
typedef struct _LdRealClock         LdRealClock;
typedef struct _LdTestClock         LdTestClock;
typedef struct _LdTokenStore        LdTokenStore;
typedef struct _LdSupport           LdSupport;

/* PROTOCOL.md section 6's roles, in the order a viewer list shows them:
 * the streamer first, then staff, then everyone else. */
typedef enum
{
  LD_ROLE_STREAMER,
  LD_ROLE_ADMIN,
  LD_ROLE_MODERATOR,
  LD_ROLE_VIEWER,
} LdRole;

/* What a moderator did to a user in a room [ext]: userTimedOut, userBanned;
 * userUnbanned lifts either. */
typedef enum
{
  LD_SANCTION_NONE,
  LD_SANCTION_TIMED_OUT,
  LD_SANCTION_BANNED,
} LdSanction;

/* The platform's Redis as the REST API's health answer reports it. */
typedef enum
{
  LD_REDIS_STATE_UNKNOWN, /* the answer does not say */
  LD_REDIS_STATE_UP,
  LD_REDIS_STATE_DOWN,
} LdRedisState;

typedef enum
{
  LD_MESSAGE_TYPE_TEXT,
  LD_MESSAGE_TYPE_IMAGE,
} LdMessageType;

/* PENDING: in the outbox, not yet confirmed by messageSent. */
typedef enum
{
  LD_MESSAGE_STATE_PENDING,
  LD_MESSAGE_STATE_SENT,
  LD_MESSAGE_STATE_FAILED,
  LD_MESSAGE_STATE_DELETED,
} LdMessageState;

/* Where a notification came from: systemNotification is shown as type "system". */
typedef enum
{
  LD_NOTIFICATION_SOURCE_USER,
  LD_NOTIFICATION_SOURCE_SYSTEM,
} LdNotificationSource;

/* Errors for untrusted payloads from the wire. */
typedef enum
{
  LD_PAYLOAD_ERROR_MISSING_FIELD,
  LD_PAYLOAD_ERROR_WRONG_TYPE,
  LD_PAYLOAD_ERROR_INVALID_VALUE,
} LdPayloadError;

#define LD_PAYLOAD_ERROR (ld_payload_error_quark ())
GQuark      ld_payload_error_quark (void);

const char *ld_role_to_string      (LdRole      role);
/* Unknown or NULL names are viewers: a role we do not know grants nothing. */
LdRole      ld_role_from_string    (const char *name);
/* Who may time out or ban someone of TARGET_ROLE (the roles above it), in
 * words for the user, translated: why a lower role may not. */
const char *ld_role_get_sanction_refusal (LdRole target_role);

G_END_DECLS
