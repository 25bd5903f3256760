/* ld-types.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-types.h"

#include <glib/gi18n-lib.h>
#include <string.h>

G_DEFINE_QUARK (ld-payload-error-quark, ld_payload_error)

static const char * const role_names[] = {
  [LD_ROLE_STREAMER] = "streamer",
  [LD_ROLE_ADMIN] = "admin",
  [LD_ROLE_MODERATOR] = "moderator",
  [LD_ROLE_VIEWER] = "viewer",
};

const char *
ld_role_to_string (LdRole role)
{
  g_return_val_if_fail (role <= LD_ROLE_VIEWER, NULL);

  return role_names[role];
}

LdRole
ld_role_from_string (const char *name)
{
  if (name == NULL)
    return LD_ROLE_VIEWER;

  for (guint i = 0; i < G_N_ELEMENTS (role_names); i++)
    if (strcmp (name, role_names[i]) == 0)
      return (LdRole) i;

  return LD_ROLE_VIEWER;
}

const char *
ld_role_get_sanction_refusal (LdRole target_role)
{
  switch (target_role)
    {
    case LD_ROLE_ADMIN:
      return _("Nobody can time out or ban an admin");
    case LD_ROLE_MODERATOR:
      return _("Only an admin can time out or ban a moderator");
    case LD_ROLE_STREAMER:
      return _("Only a moderator or an admin can time out or ban a streamer");
    case LD_ROLE_VIEWER:
    default:
      return _("Only the streamer, a moderator or an admin can time out or ban a viewer");
    }
}
