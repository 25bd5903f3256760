/* fuzz-jwt.c: gw_jwt_verify fed forged and correctly signed tokens.
 *
 * A signature cannot be guessed, so random tokens stop at the signature
 * check. To reach the claim checks behind it, an input whose first byte is
 * 0x01 is read as header JSON, a NUL, and payload JSON, which the target
 * encodes and signs with the gateway's secret itself; any other input is the
 * token text as a client would send it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "fuzz-common.h"
#include "gw-jwt.h"
#include "gw-jwt-private.h"

#define SECRET "fuzz-secret-0123456789abcdef0123456789"
#define NOW ((gint64) 1790000000)

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static GwJwt *jwt;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autoptr(GBytes) secret = g_bytes_new_static (SECRET, strlen (SECRET));

  fuzz_make_warnings_fatal ();
  jwt = gw_jwt_new (secret, NULL);
  g_assert_nonnull (jwt);
  return 0;
}

static char *
sign_parts (const char *header,
            gsize       header_len,
            const char *payload,
            gsize       payload_len)
{
  g_autofree char *h = _gw_base64url_encode ((const guint8 *) header, header_len);
  g_autofree char *p = _gw_base64url_encode ((const guint8 *) payload, payload_len);
  g_autofree char *input = g_strconcat (h, ".", p, NULL);
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) SECRET, strlen (SECRET));
  guint8 digest[32];
  gsize len = sizeof digest;
  g_autofree char *signature = NULL;

  g_hmac_update (hmac, (const guchar *) input, -1);
  g_hmac_get_digest (hmac, digest, &len);
  signature = _gw_base64url_encode (digest, len);

  return g_strconcat (input, ".", signature, NULL);
}

/* What verify accepts is a well-formed identity that signs and verifies
 * again to the very same claims. */
static void
check_accepted (const GwJwtClaims *claims)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *again = NULL;
  g_autoptr(GwJwtClaims) back = NULL;

  g_assert_true (gw_user_id_is_valid (claims->sub));
  g_assert_true (claims->name != NULL && claims->name[0] != '\0');
  g_assert_true (g_utf8_validate (claims->name, -1, NULL));
  g_assert_cmpint (claims->role, <=, GW_ROLE_ADMIN);
  g_assert_cmpint (claims->exp, >, NOW - GW_JWT_LEEWAY_SECONDS);

  again = gw_jwt_sign (jwt, claims, &error);
  g_assert_no_error (error);
  back = gw_jwt_verify (jwt, again, NOW, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->sub, ==, claims->sub);
  g_assert_cmpstr (back->name, ==, claims->name);
  g_assert_cmpint (back->role, ==, claims->role);
  g_assert_cmpint (back->exp, ==, claims->exp);
  /* sign() writes "iat" only when positive; verify() lets a pre-1970 one through. */
  g_assert_cmpint (back->iat, ==, MAX (claims->iat, 0));
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GwJwtClaims) claims = NULL;
  g_autofree char *token = NULL;

  if (size > 0 && data[0] == 0x01)
    {
      const char *header = (const char *) data + 1;
      const char *end = (const char *) data + size;
      const char *nul = memchr (header, '\0', end - header);
      const char *payload = nul != NULL ? nul + 1 : end;

      token = sign_parts (header, (nul != NULL ? nul : end) - header, payload, end - payload);
    }
  else
    token = g_strndup ((const char *) data, size);

  claims = gw_jwt_verify (jwt, token, NOW, &error);
  if (claims != NULL)
    {
      g_assert_no_error (error);
      check_accepted (claims);
    }
  else
    g_assert_true (error != NULL && error->domain == GW_JWT_ERROR);

  return 0;
}
