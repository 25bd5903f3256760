/* ld-support-private.h: what LdSession does with its LdSupport.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ld-events.h"
#include "ld-request.h"
#include "ld-session.h"
#include "ld-support.h"

G_BEGIN_DECLS

/* The support of SESSION (not referenced: its requests fail once the
 * session is gone), sending through SESSION's requests. */
LdSupport *_ld_support_new          (LdSession  *session);
/* authSuccess: who the signed-in user is. */
void       _ld_support_set_account  (LdSupport  *self,
                                     LdRole      role,
                                     const char *user_id,
                                     const char *username);
/* ticketMessage, ticketUpdate, adminChat and adminMessage. */
void       _ld_support_handle_event (LdSupport  *self,
                                     LdEvent     event,
                                     JsonObject *payload);
/* Signed in (again): asks for what happened on the server meanwhile. */
void       _ld_support_sync         (LdSupport  *self);

G_END_DECLS
