/* gw-types.h: the gateway layer's forward declarations and shared enums.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _GwJwt          GwJwt;
typedef struct _GwUsers        GwUsers;
typedef struct _GwRefreshStore GwRefreshStore;
typedef struct _GwRedis        GwRedis;
typedef struct _GwRest         GwRest;

/* The roles of PROTOCOL.md section 6, in order of growing rights. */
typedef enum
{
  GW_ROLE_VIEWER,
  GW_ROLE_STREAMER,
  GW_ROLE_MODERATOR,
  GW_ROLE_ADMIN,
} GwRole;

const char *gw_role_to_string   (GwRole      role);
gboolean    gw_role_from_string (const char *name,
                                 GwRole     *out_role);

/* PROTOCOL.md section 5: ^[a-zA-Z0-9]{1,50}$ */
gboolean    gw_user_id_is_valid (const char *user_id);

G_END_DECLS
