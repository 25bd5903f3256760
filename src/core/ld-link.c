/* ld-link.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <string.h>

#include "ld-link.h"
#include "ld-validate.h"

#define MAX_LINKS 16

char **
ld_link_find_all (const char *text)
{
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = 0;

  g_return_val_if_fail (text != NULL, NULL);

  regex = g_regex_new ("\\bhttps?://[^\\s<>\"]+", G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
  g_regex_match (regex, text, 0, &match);
  while (g_match_info_matches (match) && n < MAX_LINKS)
    {
      g_autofree char *link = g_match_info_fetch (match, 0);
      gsize len = strlen (link);

      /* A sentence's end or a closing bracket is not part of the link. */
      while (len > 0 && strchr (".,;:!?)]}'”’", link[len - 1]) != NULL)
        link[--len] = '\0';
      if (g_uri_is_valid (link, G_URI_FLAGS_NONE, NULL))
        {
          g_strv_builder_add (builder, link);
          n++;
        }
      g_match_info_next (match, NULL);
    }
  return g_strv_builder_end (builder);
}

char *
ld_link_get_host (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;

  g_return_val_if_fail (uri != NULL, NULL);

  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  if (parsed == NULL || g_uri_get_host (parsed) == NULL || g_uri_get_host (parsed)[0] == '\0')
    return NULL;
  return g_ascii_strdown (g_uri_get_host (parsed), -1);
}

gboolean
ld_link_is_trusted (const char *uri)
{
  g_autoptr(GUri) parsed = NULL;
  g_autofree char *host = NULL;

  g_return_val_if_fail (uri != NULL, FALSE);

  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  /* "https://imgur.com@evil.example/" reads as imgur but goes elsewhere. */
  if (parsed == NULL || g_strcmp0 (g_uri_get_scheme (parsed), "https") != 0 || g_uri_get_userinfo (parsed) != NULL)
    return FALSE;
  host = ld_link_get_host (uri);
  /* The hosts images may come from (PROTOCOL.md section 5), as the
   * validator has them. */
  for (const char * const *trusted = ld_validate_image_hosts (); host != NULL && *trusted != NULL; trusted++)
    {
      g_autofree char *suffix = g_strconcat (".", *trusted, NULL);

      if (g_str_equal (host, *trusted) || g_str_has_suffix (host, suffix))
        return TRUE;
    }
  return FALSE;
}
