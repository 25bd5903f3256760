/* ld-mention.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ld-mention.h"

static gboolean
is_word_char (gunichar c)
{
  return g_unichar_isalnum (c) || c == '_' || g_unichar_ismark (c);
}

gboolean
ld_mention_matches (const char *text,
                    const char *username)
{
  g_autofree char *folded_text = NULL;
  g_autofree char *folded_name = NULL;
  size_t name_len;

  if (text == NULL || username == NULL || *username == '\0' ||
      !g_utf8_validate (text, -1, NULL) || !g_utf8_validate (username, -1, NULL))
    return FALSE;

  folded_text = g_utf8_casefold (text, -1);
  folded_name = g_utf8_casefold (username, -1);
  name_len = strlen (folded_name);

  /* A word of its own, so "an" is not mentioned by "Lan". */
  for (const char *p = strstr (folded_text, folded_name); p != NULL; p = strstr (p + 1, folded_name))
    {
      gboolean starts = p == folded_text || !is_word_char (g_utf8_get_char (g_utf8_find_prev_char (folded_text, p)));
      gboolean ends = p[name_len] == '\0' || !is_word_char (g_utf8_get_char (p + name_len));

      if (starts && ends)
        return TRUE;
    }
  return FALSE;
}
