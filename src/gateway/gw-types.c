/* gw-types.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-types.h"

#include <string.h>

static const char * const role_names[] = {
  [GW_ROLE_VIEWER] = "viewer",
  [GW_ROLE_STREAMER] = "streamer",
  [GW_ROLE_MODERATOR] = "moderator",
  [GW_ROLE_ADMIN] = "admin",
};

const char *
gw_role_to_string (GwRole role)
{
  g_return_val_if_fail (role <= GW_ROLE_ADMIN, NULL);

  return role_names[role];
}

gboolean
gw_role_from_string (const char *name,
                     GwRole     *out_role)
{
  if (name == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (role_names); i++)
    {
      if (strcmp (name, role_names[i]) == 0)
        {
          if (out_role != NULL)
            *out_role = (GwRole) i;
          return TRUE;
        }
    }

  return FALSE;
}

gboolean
gw_user_id_is_valid (const char *user_id)
{
  gsize len = 0;

  if (user_id == NULL)
    return FALSE;

  for (const char *p = user_id; *p != '\0'; p++, len++)
    {
      if (!g_ascii_isalnum (*p))
        return FALSE;
    }

  return len >= 1 && len <= 50;
}
