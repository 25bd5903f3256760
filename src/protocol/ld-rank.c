/* ld-rank.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ld-rank.h"

/* Lowest first: the index is the rank. */
static const char * const ranked[] = { "viewer", "streamer", "moderator", "admin" };

int
ld_rank_of_role (const char *role)
{
  if (role == NULL)
    return LD_RANK_UNKNOWN;

  for (guint i = 0; i < G_N_ELEMENTS (ranked); i++)
    if (strcmp (role, ranked[i]) == 0)
      return (int) i;

  return LD_RANK_UNKNOWN;
}

gboolean
ld_rank_may_sanction (const char *actor_role,
                      const char *target_role)
{
  int actor = ld_rank_of_role (actor_role);
  int target = ld_rank_of_role (target_role);

  if (actor == LD_RANK_UNKNOWN || target == LD_RANK_UNKNOWN)
    return TRUE;
  return target < actor;
}
