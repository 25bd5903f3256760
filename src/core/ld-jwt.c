/* ld-jwt.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "ld-jwt.h"

gboolean
ld_jwt_read_claims (const char  *token,
                    char       **out_sub,
                    gint64      *out_exp)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree guchar *json = NULL;
  g_autofree char *b64 = NULL;
  gsize len;
  JsonNode *root;
  JsonObject *claims;
  JsonNode *exp;

  g_return_val_if_fail (out_sub != NULL, FALSE);
  g_return_val_if_fail (out_exp != NULL, FALSE);

  *out_sub = NULL;
  *out_exp = 0;
  if (token == NULL)
    return FALSE;

  parts = g_strsplit (token, ".", 4);
  if (g_strv_length (parts) != 3)
    return FALSE;

  /* base64url without padding, as GLib's decoder wants it. */
  len = strlen (parts[1]);
  if (len % 4 == 1)
    return FALSE;
  b64 = g_malloc (len + 4);
  for (gsize i = 0; i < len; i++)
    b64[i] = parts[1][i] == '-' ? '+' : parts[1][i] == '_' ? '/' : parts[1][i];
  while (len % 4 != 0)
    b64[len++] = '=';
  b64[len] = '\0';

  json = g_base64_decode (b64, &len);
  if (json == NULL || len == 0 || !g_utf8_validate ((char *) json, len, NULL) ||
      !json_parser_load_from_data (parser, (char *) json, len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;

  claims = json_node_get_object (root);
  *out_sub = g_strdup (json_object_get_string_member_with_default (claims, "sub", NULL));
  exp = json_object_get_member (claims, "exp");
  if (exp != NULL && JSON_NODE_HOLDS_VALUE (exp) && json_node_get_value_type (exp) == G_TYPE_INT64)
    *out_exp = MAX (json_node_get_int (exp), 0);
  else if (exp != NULL && JSON_NODE_HOLDS_VALUE (exp) && json_node_get_value_type (exp) == G_TYPE_DOUBLE)
    {
      double value = json_node_get_double (exp);

      /* A number no clock reaches is no expiry to plan for. */
      if (isfinite (value) && value > 0 && value < (double) G_MAXINT64 / 2)
        *out_exp = (gint64) value;
    }
  return TRUE;
}
