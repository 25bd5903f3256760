/* ld-demo.h: demo mode: a private livedesk-gateway (and a Redis for the
 * stream's live/ended state, when redis-server is installed) on free
 * loopback ports, a simulated audience of Socket.IO clients, and the
 * session of a demo admin (who moderates and answers support requests),
 * signed in with a minted token. The keyring is never touched; everything
 * started is stopped when the object goes away, and the processes also end
 * when the program that started them ends in any other way (killed, its
 * display gone): ld_demo_start_async() must be called from the main thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-session.h"

G_BEGIN_DECLS

#define LD_DEMO_ROOM_ID "demo_room"
#define LD_DEMO_ROOM_TITLE "Livedesk demo stream"

#define LD_TYPE_DEMO (ld_demo_get_type ())

G_DECLARE_FINAL_TYPE (LdDemo, ld_demo, LD, DEMO, GObject)

/* GATEWAY: the livedesk-gateway program; NULL looks for the one built next
 * to the app, then in PATH. */
LdDemo    *ld_demo_new            (const char          *gateway);
/* Starts the gateway and the audience; completes with the demo admin's
 * session, connected and in LD_DEMO_ROOM_ID. */
void       ld_demo_start_async    (LdDemo              *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
LdSession *ld_demo_start_finish   (LdDemo              *self,
                                   GAsyncResult        *result,
                                   GError             **error);
/* Another user on the demo gateway (tests, a second window): a session
 * signed in as USER_ID / USERNAME with ROLE ("viewer", "moderator", …),
 * connected and in LD_DEMO_ROOM_ID. Only after the demo started. */
void       ld_demo_new_session_async  (LdDemo              *self,
                                       const char          *user_id,
                                       const char          *username,
                                       const char          *role,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
LdSession *ld_demo_new_session_finish (LdDemo              *self,
                                       GAsyncResult        *result,
                                       GError             **error);
/* The gateway's URL once started, or NULL. */
const char *ld_demo_get_url       (LdDemo              *self);
/* Audience actions so far (chat messages, gifts, joins…), for tests. */
guint      ld_demo_get_n_actions  (LdDemo              *self);
/* The gateway URL from the first line `livedesk-gateway serve` prints
 * ("listening PORT"), or NULL. */
char      *ld_demo_parse_listening (const char         *line);
/* Stops the audience and the gateway (also done on dispose). */
void       ld_demo_stop           (LdDemo              *self);

G_END_DECLS
