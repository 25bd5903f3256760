/* ld-user-colour.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-user-colour.h"

static const char * const colour_classes[LD_USER_COLOUR_COUNT] = {
  "user-colour-0", "user-colour-1", "user-colour-2", "user-colour-3", "user-colour-4",
  "user-colour-5", "user-colour-6", "user-colour-7", "user-colour-8", "user-colour-9",
};

guint
ld_user_colour_index (const char *user_id)
{
  guint32 hash = 2166136261u;

  if (user_id == NULL)
    return 0;

  for (const guchar *p = (const guchar *) user_id; *p != '\0'; p++)
    {
      hash ^= *p;
      hash *= 16777619u;
    }

  return hash % LD_USER_COLOUR_COUNT;
}

const char *
ld_user_colour_class (const char *user_id)
{
  return colour_classes[ld_user_colour_index (user_id)];
}
