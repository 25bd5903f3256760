/* test-gw-jwt.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "gw-jwt.h"
#include "gw-jwt-private.h"

#define SECRET "0123456789abcdef0123456789abcdef-test-secret"
#define NOW ((gint64) 1790000000)

static GwJwt *
make_jwt (void)
{
  g_autoptr(GBytes) secret = g_bytes_new_static (SECRET, strlen (SECRET));
  g_autoptr(GError) error = NULL;
  GwJwt *jwt = gw_jwt_new (secret, &error);

  g_assert_no_error (error);
  return jwt;
}

/* Builds a token by hand, as a forger (or another implementation) would. */
static char *
craft (const char    *header,
       const char    *payload,
       GChecksumType  digest_type,
       const char    *secret)
{
  g_autofree char *h = _gw_base64url_encode ((const guint8 *)header, strlen (header));
  g_autofree char *p = _gw_base64url_encode ((const guint8 *)payload, strlen (payload));
  g_autofree char *input = g_strconcat (h, ".", p, NULL);
  g_autoptr(GHmac) hmac = g_hmac_new (digest_type, (const guchar *)secret, strlen (secret));
  guint8 digest[64];
  gsize len = sizeof digest;
  g_autofree char *sig = NULL;

  g_hmac_update (hmac, (const guchar *)input, -1);
  g_hmac_get_digest (hmac, digest, &len);
  sig = _gw_base64url_encode (digest, len);

  return g_strconcat (input, ".", sig, NULL);
}

static void
test_round_trip (void)
{
  g_autoptr(GwJwt) jwt = make_jwt ();
  g_autoptr(GwJwtClaims) claims = gw_jwt_claims_new ("user42", "Nguyễn Văn A", GW_ROLE_MODERATOR, NOW, NOW + 900);
  g_autoptr(GwJwtClaims) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = gw_jwt_sign (jwt, claims, &error);
  g_auto(GStrv) parts = NULL;
  g_autofree guint8 *header = NULL;
  gsize len;

  g_assert_no_error (error);
  g_assert_nonnull (token);

  parts = g_strsplit (token, ".", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  header = _gw_base64url_decode (parts[0], &len);
  g_assert_cmpmem (header, len, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}", 27);

  back = gw_jwt_verify (jwt, token, NOW + 10, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->sub, ==, "user42");
  g_assert_cmpstr (back->name, ==, "Nguyễn Văn A");
  g_assert_cmpint (back->role, ==, GW_ROLE_MODERATOR);
  g_assert_cmpint (back->exp, ==, NOW + 900);
  g_assert_cmpint (back->iat, ==, NOW);
}

/* A token made by Node's crypto (the production gateway's stack) verifies here. */
static void
test_node_token (void)
{
  g_autoptr(GwJwt) jwt = make_jwt ();
  g_autoptr(GwJwtClaims) claims = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *script = NULL;
  g_autofree char *node = g_find_program_in_path ("node");
  const char *argv[] = { "node", "-e", NULL, NULL };
  int status;

  if (node == NULL)
    {
      g_test_skip ("node is not installed");
      return;
    }

  script = g_strdup_printf (
    "const c=require('crypto');"
    "const b=s=>Buffer.from(s).toString('base64url');"
    "const i=b(JSON.stringify({alg:'HS256',typ:'JWT'}))+'.'+"
    "b(JSON.stringify({sub:'u1',name:'Lan',role:'viewer',iat:%" G_GINT64_FORMAT ",exp:%" G_GINT64_FORMAT "}));"
    "process.stdout.write(i+'.'+c.createHmac('sha256','%s').update(i).digest('base64url'));",
    NOW, NOW + 60, SECRET);
  argv[2] = script;

  g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  claims = gw_jwt_verify (jwt, out, NOW, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (claims->sub, ==, "u1");
  g_assert_cmpint (claims->role, ==, GW_ROLE_VIEWER);
}

static void
test_tampered (void)
{
  g_autoptr(GwJwt) jwt = make_jwt ();
  g_autoptr(GwJwtClaims) claims = gw_jwt_claims_new ("user42", "lan", GW_ROLE_VIEWER, NOW, NOW + 900);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = gw_jwt_sign (jwt, claims, NULL);
  g_autofree char *forged = NULL;
  g_auto(GStrv) parts = g_strsplit (token, ".", -1);
  g_autofree char *admin = NULL;
  const char *admin_payload = "{\"sub\":\"user42\",\"name\":\"lan\",\"role\":\"admin\",\"exp\":1790000900}";
  gsize len = strlen (token);

  /* Last signature character changed: caught although every earlier byte matches. */
  token[len - 1] = token[len - 1] == 'A' ? 'B' : 'A';
  g_assert_null (gw_jwt_verify (jwt, token, NOW, &error));
  g_assert_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* Promoting oneself to admin with the old signature. */
  admin = _gw_base64url_encode ((const guint8 *)admin_payload, strlen (admin_payload));
  forged = g_strjoin (".", parts[0], admin, parts[2], NULL);
  g_assert_null (gw_jwt_verify (jwt, forged, NOW, &error));
  g_assert_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_SIGNATURE);
  g_clear_error (&error);

  /* Signed with another secret. */
  g_clear_pointer (&forged, g_free);
  forged = craft ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                  "{\"sub\":\"user42\",\"name\":\"lan\",\"role\":\"admin\",\"exp\":1790000900}",
                  G_CHECKSUM_SHA256, "another-secret-that-is-long-enough-0000");
  g_assert_null (gw_jwt_verify (jwt, forged, NOW, &error));
  g_assert_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_SIGNATURE);
}

static void
test_other_algorithms (void)
{
  g_autoptr(GwJwt) jwt = make_jwt ();
  const char *payload = "{\"sub\":\"u1\",\"name\":\"lan\",\"role\":\"admin\",\"exp\":1790000900}";
  g_autofree char *p = _gw_base64url_encode ((const guint8 *)payload, strlen (payload));
  g_autofree char *none_header = _gw_base64url_encode ((const guint8 *)"{\"alg\":\"none\",\"typ\":\"JWT\"}", 26);
  g_autofree char *none = g_strconcat (none_header, ".", p, ".", NULL);
  g_autofree char *hs512 = craft ("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", payload, G_CHECKSUM_SHA512, SECRET);
  g_autofree char *rs256 = craft ("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", payload, G_CHECKSUM_SHA256, SECRET);
  g_autofree char *no_alg = craft ("{\"typ\":\"JWT\"}", payload, G_CHECKSUM_SHA256, SECRET);
  const char *tokens[] = { none, hs512, rs256, no_alg };

  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (gw_jwt_verify (jwt, tokens[i], NOW, &error));
      g_assert_error (error, GW_JWT_ERROR, GW_JWT_ERROR_UNSUPPORTED_ALG);
    }
}

static void
test_expired (void)
{
  g_autoptr(GwJwt) jwt = make_jwt ();
  g_autoptr(GwJwtClaims) claims = gw_jwt_claims_new ("u1", "lan", GW_ROLE_VIEWER, NOW - 1000, NOW - 100);
  g_autoptr(GwJwtClaims) late = gw_jwt_claims_new ("u1", "lan", GW_ROLE_VIEWER, NOW - 1000, NOW - 5);
  g_autofree char *token = gw_jwt_sign (jwt, claims, NULL);
  g_autofree char *late_token = gw_jwt_sign (jwt, late, NULL);
  g_autoptr(GwJwtClaims) ok = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_null (gw_jwt_verify (jwt, token, NOW, &error));
  g_assert_error (error, GW_JWT_ERROR, GW_JWT_ERROR_EXPIRED);
  g_assert_nonnull (strstr (error->message, "refresh"));
  g_clear_error (&error);

  /* Within the leeway: clocks of two gateway hosts may disagree a little. */
  ok = gw_jwt_verify (jwt, late_token, NOW, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ok);
}

/* Signed but absurd expiry times: no overflow, a plain answer. */
static void
test_extreme_exp (void)
{
  g_autoptr(GwJwt) jwt = make_jwt ();
  g_autofree char *far = craft ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                                "{\"sub\":\"u1\",\"name\":\"lan\",\"role\":\"viewer\",\"exp\":9223372036854775807}",
                                G_CHECKSUM_SHA256, SECRET);
  g_autofree char *past = craft ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                                 "{\"sub\":\"u1\",\"name\":\"lan\",\"role\":\"viewer\",\"exp\":-9223372036854775807}",
                                 G_CHECKSUM_SHA256, SECRET);
  g_autoptr(GwJwtClaims) claims = NULL;
  g_autoptr(GError) error = NULL;

  claims = gw_jwt_verify (jwt, far, NOW, &error);
  g_assert_no_error (error);
  g_assert_cmpint (claims->exp, ==, G_MAXINT64);

  g_assert_null (gw_jwt_verify (jwt, past, NOW, &error));
  g_assert_error (error, GW_JWT_ERROR, GW_JWT_ERROR_EXPIRED);
}

static void
test_bad_claims (void)
{
  g_autoptr(GwJwt) jwt = make_jwt ();
  const char *payloads[] = {
    "{\"sub\":\"u1\",\"name\":\"lan\",\"role\":\"superuser\",\"exp\":1790000900}",
    "{\"sub\":\"u1\",\"name\":\"lan\",\"exp\":1790000900}",
    "{\"sub\":\"u1\",\"name\":\"lan\",\"role\":\"viewer\"}",
    "{\"sub\":\"u1\",\"name\":\"lan\",\"role\":\"viewer\",\"exp\":\"1790000900\"}",
    "{\"sub\":\"bad id!\",\"name\":\"lan\",\"role\":\"viewer\",\"exp\":1790000900}",
    "{\"sub\":\"u1\",\"name\":\"\",\"role\":\"viewer\",\"exp\":1790000900}",
    "{\"sub\":\"u1\",\"name\":\"lan\",\"role\":\"viewer\",\"exp\":1790000900,\"nbf\":1790000800}",
  };
  g_autoptr(GwJwtClaims) claims = gw_jwt_claims_new ("u1", "lan", (GwRole) 17, NOW, NOW + 60);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (payloads); i++)
    {
      g_autofree char *token = craft ("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payloads[i], G_CHECKSUM_SHA256, SECRET);

      g_assert_null (gw_jwt_verify (jwt, token, NOW, &error));
      g_assert_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_CLAIMS);
      g_clear_error (&error);
    }

  g_assert_null (gw_jwt_sign (jwt, claims, &error));
  g_assert_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_CLAIMS);
}

static void
test_malformed (void)
{
  g_autoptr(GwJwt) jwt = make_jwt ();
  g_autoptr(GwJwtClaims) claims = gw_jwt_claims_new ("u1", "lan", GW_ROLE_VIEWER, NOW, NOW + 60);
  g_autofree char *good = gw_jwt_sign (jwt, claims, NULL);
  g_autofree char *padded = g_strconcat (good, "=", NULL);
  g_autofree char *four = g_strconcat (good, ".x", NULL);
  g_autofree char *huge = g_strnfill (9000, 'a');
  const char *tokens[] = { "", "abc", "a.b", "!!!.###.$$$", "e30.e30.", padded, four, huge };

  for (guint i = 0; i < G_N_ELEMENTS (tokens); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (gw_jwt_verify (jwt, tokens[i], NOW, &error));
      g_assert_nonnull (error);
      g_assert_true (error->domain == GW_JWT_ERROR);
      g_assert_cmpint (error->code, !=, GW_JWT_ERROR_EXPIRED);
    }
}

static void
test_secret_sources (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) short_secret = g_bytes_new_static ("too-short", 9);
  g_autoptr(GwJwt) from_file = NULL;
  g_autoptr(GwJwt) from_env = NULL;
  g_autoptr(GwJwtClaims) claims = gw_jwt_claims_new ("u1", "lan", GW_ROLE_VIEWER, NOW, NOW + 60);
  g_autoptr(GwJwtClaims) back = NULL;
  g_autofree char *path = NULL;
  g_autofree char *token = NULL;
  int fd;

  g_assert_null (gw_jwt_new (short_secret, &error));
  g_assert_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_SECRET);
  g_assert_nonnull (strstr (error->message, "at least 32"));
  g_clear_error (&error);

  g_unsetenv ("GW_TEST_SECRET");
  g_assert_null (gw_jwt_new_from_environment ("GW_TEST_SECRET", &error));
  g_assert_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_SECRET);
  g_assert_nonnull (strstr (error->message, "GW_TEST_SECRET"));
  g_clear_error (&error);

  g_assert_null (gw_jwt_new_from_file ("/nonexistent/secret", &error));
  g_assert_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_SECRET);
  g_clear_error (&error);

  /* `echo $SECRET > file` and `export VAR=$SECRET` give the same key. */
  fd = g_file_open_tmp ("gw-secret-XXXXXX", &path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, SECRET "\n", -1, NULL));
  from_file = gw_jwt_new_from_file (path, &error);
  g_assert_no_error (error);
  g_setenv ("GW_TEST_SECRET", SECRET, TRUE);
  from_env = gw_jwt_new_from_environment ("GW_TEST_SECRET", &error);
  g_assert_no_error (error);
  g_unsetenv ("GW_TEST_SECRET");

  token = gw_jwt_sign (from_file, claims, &error);
  g_assert_no_error (error);
  back = gw_jwt_verify (from_env, token, NOW, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->sub, ==, "u1");

  g_unlink (path);
}

static void
test_constant_time_compare (void)
{
  guint8 a[32], b[32];

  for (guint i = 0; i < sizeof a; i++)
    a[i] = b[i] = (guint8) (i * 7);
  g_assert_true (_gw_memeq_constant_time (a, b, sizeof a));

  /* Every position counts, not only a prefix. */
  for (guint i = 0; i < sizeof a; i++)
    {
      b[i] ^= 0x01;
      g_assert_false (_gw_memeq_constant_time (a, b, sizeof a));
      b[i] ^= 0x01;
    }
  g_assert_true (_gw_memeq_constant_time (a, b, 0));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gw/jwt/round-trip", test_round_trip);
  g_test_add_func ("/gw/jwt/node-token", test_node_token);
  g_test_add_func ("/gw/jwt/tampered", test_tampered);
  g_test_add_func ("/gw/jwt/other-algorithms", test_other_algorithms);
  g_test_add_func ("/gw/jwt/expired", test_expired);
  g_test_add_func ("/gw/jwt/extreme-exp", test_extreme_exp);
  g_test_add_func ("/gw/jwt/bad-claims", test_bad_claims);
  g_test_add_func ("/gw/jwt/malformed", test_malformed);
  g_test_add_func ("/gw/jwt/secret-sources", test_secret_sources);
  g_test_add_func ("/gw/jwt/constant-time-compare", test_constant_time_compare);

  return g_test_run ();
}
