/* test-ld-jwt.c: what the client reads of its token, and what it refuses.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ld-jwt.h"

static char *
token_with (const char *claims)
{
  g_autofree char *header = g_base64_encode ((const guchar *) "{\"alg\":\"HS256\"}", 15);
  g_autofree char *body = g_base64_encode ((const guchar *) claims, strlen (claims));
  g_autofree char *joined = g_strdup_printf ("%s.%s.c2ln", header, body);
  GString *token = g_string_new (NULL);

  /* base64url, unpadded, as JWTs are. */
  for (const char *p = joined; *p != '\0'; p++)
    if (*p != '=')
      g_string_append_c (token, *p == '+' ? '-' : *p == '/' ? '_' : *p);
  return g_string_free (token, FALSE);
}

static void
test_claims (void)
{
  g_autofree char *token = token_with ("{\"sub\":\"ngọc\",\"exp\":1893456000,\"x\":\"~~~~?\"}");
  g_autofree char *sub = NULL;
  gint64 exp = -1;

  g_assert_true (ld_jwt_read_claims (token, &sub, &exp));
  g_assert_cmpstr (sub, ==, "ngọc");
  g_assert_cmpint (exp, ==, 1893456000);
}

static void
test_refused (void)
{
  static const char * const claims[] = { "[1]", "{\"sub\":1,\"exp\":\"soon\"}", "{\"exp\":1e300}" };
  static const char * const tokens[] = { "", "a.b", "a.b.c.d", "x.@@@@.y", "x.a.y", "x.YWJj.y" };

  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_autofree char *sub = NULL;
      gint64 exp = -1;

      g_assert_false (ld_jwt_read_claims (tokens[i], &sub, &exp));
      g_assert_null (sub);
      g_assert_cmpint (exp, ==, 0);
    }

  /* Claims that are there but not usable read as absent. */
  for (guint i = 0; i < G_N_ELEMENTS (claims); i++)
    {
      g_autofree char *token = token_with (claims[i]);
      g_autofree char *sub = NULL;
      gint64 exp = -1;

      ld_jwt_read_claims (token, &sub, &exp);
      g_assert_null (sub);
      g_assert_cmpint (exp, ==, 0);
    }
  {
    g_autofree char *sub = NULL;
    gint64 exp = -1;

    g_assert_false (ld_jwt_read_claims (NULL, &sub, &exp));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/jwt/claims", test_claims);
  g_test_add_func ("/jwt/refused", test_refused);
  return g_test_run ();
}
