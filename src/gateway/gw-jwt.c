/* gw-jwt.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-jwt.h"
#include "gw-jwt-private.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* Byte for byte what jsonwebtoken (the production gateway) writes. */
#define JWT_HEADER "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
/* Far above any real token; stops a client making us decode megabytes. */
#define JWT_MAX_LEN 8192
#define SHA256_LEN 32

struct _GwJwt
{
  GObject  parent_instance;
  /* Our own copy, wiped when we go, so the key does not linger in freed memory. */
  guint8  *key;
  gsize    key_len;
};

G_DEFINE_FINAL_TYPE (GwJwt, gw_jwt, G_TYPE_OBJECT)
G_DEFINE_QUARK (gw-jwt-error-quark, gw_jwt_error)
G_DEFINE_BOXED_TYPE (GwJwtClaims, gw_jwt_claims, gw_jwt_claims_copy, gw_jwt_claims_free)

GwJwtClaims *
gw_jwt_claims_new (const char *sub,
                   const char *name,
                   GwRole      role,
                   gint64      iat,
                   gint64      exp)
{
  GwJwtClaims *claims = g_new0 (GwJwtClaims, 1);

  claims->sub = g_strdup (sub);
  claims->name = g_strdup (name);
  claims->role = role;
  claims->iat = iat;
  claims->exp = exp;

  return claims;
}

GwJwtClaims *
gw_jwt_claims_copy (const GwJwtClaims *claims)
{
  g_return_val_if_fail (claims != NULL, NULL);

  return gw_jwt_claims_new (claims->sub, claims->name, claims->role, claims->iat, claims->exp);
}

void
gw_jwt_claims_free (GwJwtClaims *claims)
{
  if (claims == NULL)
    return;

  g_free (claims->sub);
  g_free (claims->name);
  g_free (claims);
}

gboolean
_gw_memeq_constant_time (const void *a,
                         const void *b,
                         gsize       len)
{
  const volatile guint8 *pa = a;
  const volatile guint8 *pb = b;
  guint8 diff = 0;

  for (gsize i = 0; i < len; i++)
    diff |= pa[i] ^ pb[i];

  return diff == 0;
}

char *
_gw_base64url_encode (const guint8 *data,
                      gsize         len)
{
  char *text = g_base64_encode (data, len);
  char *out = text;

  for (char *p = text; *p != '\0'; p++)
    {
      if (*p == '=')
        break;
      *out++ = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    }
  *out = '\0';

  return text;
}

guint8 *
_gw_base64url_decode (const char *text,
                      gsize      *out_len)
{
  gsize len = strlen (text);
  g_autofree char *padded = NULL;
  guint8 *data;

  /* g_base64_decode skips characters it does not know, so check first:
   * otherwise two different strings would decode to the same bytes. */
  if (len % 4 == 1)
    return NULL;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isalnum (text[i]) && text[i] != '-' && text[i] != '_')
        return NULL;
    }

  padded = g_malloc (len + 4);
  for (gsize i = 0; i < len; i++)
    padded[i] = text[i] == '-' ? '+' : text[i] == '_' ? '/' : text[i];
  while (len % 4 != 0)
    padded[len++] = '=';
  padded[len] = '\0';

  data = g_base64_decode (padded, out_len);
  if (data == NULL)
    data = g_malloc0 (1);

  return data;
}

static void
gw_jwt_finalize (GObject *object)
{
  GwJwt *self = (GwJwt *)object;

  if (self->key != NULL)
    explicit_bzero (self->key, self->key_len);
  g_clear_pointer (&self->key, g_free);

  G_OBJECT_CLASS (gw_jwt_parent_class)->finalize (object);
}

static void
gw_jwt_class_init (GwJwtClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gw_jwt_finalize;
}

static void
gw_jwt_init (GwJwt *self)
{
}

GwJwt *
gw_jwt_new (GBytes  *secret,
            GError **error)
{
  GwJwt *self;
  gsize len;
  const guint8 *data;

  g_return_val_if_fail (secret != NULL, NULL);

  data = g_bytes_get_data (secret, &len);
  if (len < GW_JWT_MIN_SECRET_LEN)
    {
      g_set_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_SECRET,
                   "The JWT secret is %" G_GSIZE_FORMAT " bytes long; it must be at least %d "
                   "(for example: head -c 48 /dev/urandom | base64)",
                   len, GW_JWT_MIN_SECRET_LEN);
      return NULL;
    }

  self = g_object_new (GW_TYPE_JWT, NULL);
  self->key = g_memdup2 (data, len);
  self->key_len = len;

  return self;
}

GwJwt *
gw_jwt_new_from_file (const char  *path,
                      GError     **error)
{
  g_autoptr(GBytes) secret = NULL;
  g_autoptr(GError) local_error = NULL;
  char *contents = NULL;
  gsize file_len = 0;
  gsize len;
  GwJwt *self;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &file_len, &local_error))
    {
      g_set_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_SECRET,
                   "Cannot read the JWT secret file: %s", local_error->message);
      return NULL;
    }

  len = file_len;
  if (len > 0 && contents[len - 1] == '\n')
    len--;
  if (len > 0 && contents[len - 1] == '\r')
    len--;

  secret = g_bytes_new_static (contents, len);
  self = gw_jwt_new (secret, &local_error);
  explicit_bzero (contents, file_len);
  g_free (contents);

  if (self == NULL)
    {
      g_set_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_SECRET,
                   "%s: %s", path, local_error->message);
      return NULL;
    }

  return self;
}

GwJwt *
gw_jwt_new_from_environment (const char  *variable,
                             GError     **error)
{
  g_autoptr(GBytes) secret = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *value;
  GwJwt *self;

  g_return_val_if_fail (variable != NULL, NULL);

  value = g_getenv (variable);
  if (value == NULL || value[0] == '\0')
    {
      g_set_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_SECRET,
                   "%s is not set: put the JWT secret (at least %d bytes) there, or use a secret file",
                   variable, GW_JWT_MIN_SECRET_LEN);
      return NULL;
    }

  secret = g_bytes_new_static (value, strlen (value));
  self = gw_jwt_new (secret, &local_error);
  if (self == NULL)
    {
      g_set_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_SECRET,
                   "%s: %s", variable, local_error->message);
      return NULL;
    }

  return self;
}

static char *
signature_for (GwJwt      *self,
               const char *signing_input,
               gsize       len)
{
  g_autoptr(GHmac) hmac = NULL;
  guint8 digest[SHA256_LEN];
  gsize digest_len = sizeof digest;
  hmac = g_hmac_new (G_CHECKSUM_SHA256, self->key, self->key_len);
  g_hmac_update (hmac, (const guchar *)signing_input, len);
  g_hmac_get_digest (hmac, digest, &digest_len);

  return _gw_base64url_encode (digest, digest_len);
}

static gboolean
check_identity (const char  *sub,
                const char  *name,
                GError     **error)
{
  if (!gw_user_id_is_valid (sub))
    {
      g_set_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_CLAIMS,
                   "The token's \"sub\" must be a user id of 1 to 50 letters and digits");
      return FALSE;
    }

  if (name == NULL || name[0] == '\0' || g_utf8_strlen (name, -1) > 100)
    {
      g_set_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_CLAIMS,
                   "The token's \"name\" must be a username of 1 to 100 characters");
      return FALSE;
    }

  return TRUE;
}

char *
gw_jwt_sign (GwJwt              *self,
             const GwJwtClaims  *claims,
             GError            **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *header_b64 = NULL;
  g_autofree char *payload_b64 = NULL;
  g_autofree char *signing_input = NULL;
  g_autofree char *signature = NULL;

  g_return_val_if_fail (GW_IS_JWT (self), NULL);
  g_return_val_if_fail (claims != NULL, NULL);

  if (!check_identity (claims->sub, claims->name, error))
    return NULL;
  if (claims->role > GW_ROLE_ADMIN)
    {
      g_set_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_CLAIMS, "Unknown role %d", claims->role);
      return NULL;
    }
  if (claims->exp <= 0)
    {
      g_set_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_CLAIMS,
                   "A token needs an expiry time (\"exp\")");
      return NULL;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "sub");
  json_builder_add_string_value (builder, claims->sub);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, claims->name);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, gw_role_to_string (claims->role));
  if (claims->iat > 0)
    {
      json_builder_set_member_name (builder, "iat");
      json_builder_add_int_value (builder, claims->iat);
    }
  json_builder_set_member_name (builder, "exp");
  json_builder_add_int_value (builder, claims->exp);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  payload = json_to_string (root, FALSE);

  header_b64 = _gw_base64url_encode ((const guint8 *)JWT_HEADER, strlen (JWT_HEADER));
  payload_b64 = _gw_base64url_encode ((const guint8 *)payload, strlen (payload));
  signing_input = g_strconcat (header_b64, ".", payload_b64, NULL);
  signature = signature_for (self, signing_input, strlen (signing_input));

  return g_strconcat (signing_input, ".", signature, NULL);
}

static JsonObject *
decode_json_part (const char  *part,
                  const char  *what,
                  GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree guint8 *data = NULL;
  JsonNode *root;
  gsize len = 0;

  data = _gw_base64url_decode (part, &len);
  if (data == NULL || len == 0 || !g_utf8_validate ((const char *)data, len, NULL) ||
      !json_parser_load_from_data (parser, (const char *)data, len, NULL))
    {
      g_set_error (error, GW_JWT_ERROR, GW_JWT_ERROR_MALFORMED,
                   "The token's %s is not base64url-encoded JSON", what);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, GW_JWT_ERROR, GW_JWT_ERROR_MALFORMED,
                   "The token's %s is not a JSON object", what);
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static gboolean
get_int_member (JsonObject *object,
                const char *name,
                gint64     *out_value)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;

  *out_value = json_node_get_int (node);
  return TRUE;
}

GwJwtClaims *
gw_jwt_verify (GwJwt       *self,
               const char  *token,
               gint64       now,
               GError     **error)
{
  g_autoptr(JsonObject) header = NULL;
  g_autoptr(JsonObject) payload = NULL;
  g_autofree char *expected = NULL;
  g_auto(GStrv) parts = NULL;
  const char *alg;
  const char *typ;
  const char *sub;
  const char *name;
  const char *role_name;
  gsize signing_len;
  gint64 exp = 0;
  gint64 iat = 0;
  gint64 nbf = 0;
  GwRole role;

  g_return_val_if_fail (GW_IS_JWT (self), NULL);

  if (token == NULL || strlen (token) > JWT_MAX_LEN)
    {
      g_set_error (error, GW_JWT_ERROR, GW_JWT_ERROR_MALFORMED,
                   "The token is missing or longer than %d bytes", JWT_MAX_LEN);
      return NULL;
    }

  parts = g_strsplit (token, ".", 4);
  if (g_strv_length (parts) != 3 || parts[0][0] == '\0' || parts[1][0] == '\0')
    {
      g_set_error (error, GW_JWT_ERROR, GW_JWT_ERROR_MALFORMED,
                   "The token is not a JWT (three base64url parts separated by dots)");
      return NULL;
    }

  if (!(header = decode_json_part (parts[0], "header", error)))
    return NULL;

  alg = get_string_member (header, "alg");
  if (g_strcmp0 (alg, "HS256") != 0)
    {
      g_set_error (error, GW_JWT_ERROR, GW_JWT_ERROR_UNSUPPORTED_ALG,
                   "The token is signed with \"%s\"; this gateway only accepts HS256",
                   alg != NULL ? alg : "(no algorithm)");
      return NULL;
    }

  typ = get_string_member (header, "typ");
  if ((json_object_has_member (header, "typ") && (typ == NULL || g_ascii_strcasecmp (typ, "JWT") != 0)) ||
      json_object_has_member (header, "crit"))
    {
      g_set_error (error, GW_JWT_ERROR, GW_JWT_ERROR_UNSUPPORTED_ALG,
                   "The token's header asks for a token type or extension this gateway does not support");
      return NULL;
    }

  /* Compare the encoded form: base64url has one encoding per byte string
   * once padding and foreign characters are refused, as they are here. */
  signing_len = strlen (parts[0]) + 1 + strlen (parts[1]);
  expected = signature_for (self, token, signing_len);
  if (strlen (parts[2]) != strlen (expected) ||
      !_gw_memeq_constant_time (parts[2], expected, strlen (expected)))
    {
      g_set_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_SIGNATURE,
                   "The token's signature does not match: it was altered or signed with another secret");
      return NULL;
    }

  if (!(payload = decode_json_part (parts[1], "payload", error)))
    return NULL;

  if (!get_int_member (payload, "exp", &exp))
    {
      g_set_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_CLAIMS,
                   "The token has no expiry time (\"exp\" as whole seconds)");
      return NULL;
    }

  /* Written this way round so that a huge "exp" cannot overflow. */
  if (now - GW_JWT_LEEWAY_SECONDS >= exp)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (exp);
      g_autofree char *iso = when != NULL ? g_date_time_format_iso8601 (when) : g_strdup ("?");

      g_set_error (error, GW_JWT_ERROR, GW_JWT_ERROR_EXPIRED,
                   "The token expired at %s; refresh it and authenticate again", iso);
      return NULL;
    }

  if ((json_object_has_member (payload, "iat") && !get_int_member (payload, "iat", &iat)) ||
      (json_object_has_member (payload, "nbf") && !get_int_member (payload, "nbf", &nbf)) ||
      iat > now + GW_JWT_LEEWAY_SECONDS || nbf > now + GW_JWT_LEEWAY_SECONDS)
    {
      g_set_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_CLAIMS,
                   "The token is not valid yet (\"iat\" or \"nbf\" lies in the future): check the clocks");
      return NULL;
    }

  sub = get_string_member (payload, "sub");
  name = get_string_member (payload, "name");
  if (!check_identity (sub, name, error))
    return NULL;

  role_name = get_string_member (payload, "role");
  if (!gw_role_from_string (role_name, &role))
    {
      g_set_error (error, GW_JWT_ERROR, GW_JWT_ERROR_BAD_CLAIMS,
                   "The token's role \"%s\" is not one of viewer, streamer, moderator, admin",
                   role_name != NULL ? role_name : "(missing)");
      return NULL;
    }

  return gw_jwt_claims_new (sub, name, role, iat, exp);
}
