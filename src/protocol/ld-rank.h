/* ld-rank.h: PROTOCOL.md's rank rule, the one the gateway enforces and the
 * client follows before it offers or sends a sanction.
 *
 * Roles go by their wire names (section 6), from high to low: admin,
 * moderator, streamer, viewer. A timeout or a ban may target only a
 * strictly lower role: nobody sanctions an equal, not even an admin another
 * admin. Unbans and deleting a message are not ranked. A name that is none
 * of these (another gateway's, a newer one) has no rank: the rule refuses
 * nothing on it and the server decides.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LD_RANK_UNKNOWN (-1)

/* 0 for a viewer up to 3 for an admin; LD_RANK_UNKNOWN for NULL or a name
 * that is not a role. */
int      ld_rank_of_role      (const char *role);
/* FALSE only when both roles are known and TARGET_ROLE is not below
 * ACTOR_ROLE. */
gboolean ld_rank_may_sanction (const char *actor_role,
                               const char *target_role);

G_END_DECLS
