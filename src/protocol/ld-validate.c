/* ld-validate.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-validate.h"

#include <math.h>
#include <string.h>

G_DEFINE_BOXED_TYPE (LdGiftRequest, ld_gift_request, ld_gift_request_copy, ld_gift_request_free)

static const char * const image_hosts[] = { "imgur.com", "cloudinary.com", "res.cloudinary.com" };
static const char * const image_extensions[] = { ".jpg", ".jpeg", ".png", ".gif", ".webp" };

static gboolean
id_is_valid (const char *id,
             gboolean    allow_underscore)
{
  gsize len = 0;

  if (id == NULL)
    return FALSE;

  for (const char *p = id; *p != '\0'; p++, len++)
    {
      if (!g_ascii_isalnum (*p) && !(allow_underscore && *p == '_'))
        return FALSE;
    }

  return len >= 1 && len <= LD_ID_MAX_CHARS;
}

gboolean
ld_validate_room_id (const char  *room_id,
                     GError     **error)
{
  if (id_is_valid (room_id, TRUE))
    return TRUE;

  g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD,
               "The room id must be 1 to %d letters, digits or underscores", LD_ID_MAX_CHARS);
  return FALSE;
}

gboolean
ld_validate_user_id (const char  *user_id,
                     GError     **error)
{
  if (id_is_valid (user_id, FALSE))
    return TRUE;

  g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD,
               "The user id must be 1 to %d letters or digits", LD_ID_MAX_CHARS);
  return FALSE;
}

char *
ld_sanitize_text (const char *text)
{
  GString *out;

  g_return_val_if_fail (text != NULL, NULL);

  out = g_string_sized_new (strlen (text));
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p != '<' && *p != '>')
        g_string_append_c (out, *p);
    }

  /* g_strstrip trims ASCII space only; JavaScript's trim() also takes
   * Unicode spaces such as U+00A0 and U+3000, which IMEs do produce. */
  while (out->len > 0)
    {
      const char *last = g_utf8_find_prev_char (out->str, out->str + out->len);

      if (last == NULL || !g_unichar_isspace (g_utf8_get_char (last)))
        break;
      g_string_truncate (out, last - out->str);
    }
  {
    const char *start = out->str;

    while (*start != '\0' && g_unichar_isspace (g_utf8_get_char (start)))
      start = g_utf8_next_char (start);
    g_string_erase (out, 0, start - out->str);
  }

  return g_string_free (out, FALSE);
}

static gpointer
compile_forbidden (gpointer data)
{
  g_autoptr(GError) error = NULL;
  /* "on…=" only at a word start, so that "Donation=" or "mon=" in ordinary
   * chat is not taken for an event handler. */
  GRegex *regex = g_regex_new ("<script\\b.*?</script\\s*>"
                               "|javascript:"
                               "|\\bon\\w+\\s*="
                               "|\\beval\\s*\\(",
                               G_REGEX_CASELESS | G_REGEX_DOTALL | G_REGEX_OPTIMIZE,
                               0, &error);

  g_assert_no_error (error);
  return regex;
}

gboolean
ld_text_has_forbidden_content (const char *text)
{
  static GOnce once = G_ONCE_INIT;
  GRegex *regex;

  g_return_val_if_fail (text != NULL, FALSE);

  regex = g_once (&once, compile_forbidden, NULL);
  return g_regex_match (regex, text, 0, NULL);
}

char *
ld_validate_text (const char  *text,
                  guint        max_chars,
                  GError     **error)
{
  g_autofree char *clean = NULL;
  glong n_chars;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD,
                   "The message must be text");
      return NULL;
    }

  /* The cheap, linear checks first: the content check's expressions are
   * not to run over a megabyte that the length check refuses anyway. */
  clean = ld_sanitize_text (text);
  if (clean[0] == '\0')
    {
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_EMPTY_MESSAGE,
                   "The message is empty");
      return NULL;
    }

  n_chars = g_utf8_strlen (clean, -1);
  if (n_chars > (glong) max_chars)
    {
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_MESSAGE_TOO_LONG,
                   "The message is %ld characters long; at most %u are allowed", n_chars, max_chars);
      return NULL;
    }

  if (ld_text_has_forbidden_content (text))
    {
      g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN_CONTENT,
                   "The message contains script or markup that is not allowed");
      return NULL;
    }

  return g_steal_pointer (&clean);
}

static gboolean
host_is_allowed (const char *host)
{
  gsize host_len = strlen (host);

  for (guint i = 0; i < G_N_ELEMENTS (image_hosts); i++)
    {
      gsize len = strlen (image_hosts[i]);

      if (g_ascii_strcasecmp (host, image_hosts[i]) == 0)
        return TRUE;
      if (host_len > len + 1 && host[host_len - len - 1] == '.' &&
          g_ascii_strcasecmp (host + host_len - len, image_hosts[i]) == 0)
        return TRUE;
    }

  return FALSE;
}

/* The last path segment is a name followed by one of the image extensions:
 * "/.png" names no file. */
static gboolean
path_has_image_extension (const char *path)
{
  const char *slash = strrchr (path, '/');
  const char *name = slash != NULL ? slash + 1 : path;
  gsize name_len = strlen (name);

  for (guint i = 0; i < G_N_ELEMENTS (image_extensions); i++)
    {
      gsize len = strlen (image_extensions[i]);

      if (name_len > len && g_ascii_strcasecmp (name + name_len - len, image_extensions[i]) == 0)
        return TRUE;
    }

  return FALSE;
}

static gboolean
image_url_error (GError     **error,
                 const char  *why)
{
  g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_IMAGE_URL,
               "The image URL %s", why);
  return FALSE;
}

gboolean
ld_validate_image_url (const char        *url,
                       LdImageUrlPolicy   policy,
                       GError           **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;
  const char *host;

  if (url == NULL || strlen (url) > LD_IMAGE_URL_MAX_BYTES || !g_utf8_validate (url, -1, NULL))
    return image_url_error (error, "is missing or too long");

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return image_url_error (error, "is not a URL");

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") != 0 &&
      (policy == LD_IMAGE_URL_HTTPS_ONLY || g_ascii_strcasecmp (scheme, "http") != 0))
    return image_url_error (error, policy == LD_IMAGE_URL_HTTPS_ONLY ? "must use https" : "must use http or https");

  /* user:password@ is refused outright: "https://imgur.com@evil.example/a.png"
   * reads as imgur to a person but points elsewhere. */
  host = g_uri_get_host (uri);
  if (host == NULL || host[0] == '\0' || g_uri_get_userinfo (uri) != NULL || !host_is_allowed (host))
    return image_url_error (error, "must point to imgur.com or cloudinary.com");

  if (!path_has_image_extension (g_uri_get_path (uri)))
    return image_url_error (error, "must end in .jpg, .jpeg, .png, .gif or .webp");

  return TRUE;
}

LdGiftRequest *
ld_gift_request_copy (const LdGiftRequest *gift)
{
  LdGiftRequest *copy;

  g_return_val_if_fail (gift != NULL, NULL);

  copy = g_new0 (LdGiftRequest, 1);
  copy->room_id = g_strdup (gift->room_id);
  copy->receiver_id = g_strdup (gift->receiver_id);
  copy->receiver_name = g_strdup (gift->receiver_name);
  copy->gift_id = g_strdup (gift->gift_id);
  copy->gift_name = g_strdup (gift->gift_name);
  copy->gift_type = g_strdup (gift->gift_type);
  copy->gift_value = gift->gift_value;
  copy->quantity = gift->quantity;
  copy->message = g_strdup (gift->message);
  copy->animation = g_strdup (gift->animation);

  return copy;
}

void
ld_gift_request_free (LdGiftRequest *gift)
{
  if (gift == NULL)
    return;

  g_free (gift->room_id);
  g_free (gift->receiver_id);
  g_free (gift->receiver_name);
  g_free (gift->gift_id);
  g_free (gift->gift_name);
  g_free (gift->gift_type);
  g_free (gift->message);
  g_free (gift->animation);
  g_free (gift);
}

/* NULL when absent (missing or null). */
static JsonNode *
get_member (JsonObject *payload,
            const char *name)
{
  JsonNode *node;

  if (payload == NULL)
    return NULL;

  node = json_object_get_member (payload, name);
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;

  return node;
}

static gboolean
member_error (GError     **error,
              const char  *name,
              const char  *what)
{
  g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD,
               "“%s” must be %s", name, what);
  return FALSE;
}

gboolean
ld_validate_member_string (JsonObject  *payload,
                       const char  *name,
                       gboolean     required,
                       const char **out_value,
                       GError     **error)
{
  JsonNode *node = get_member (payload, name);

  *out_value = NULL;

  if (node == NULL)
    return required ? member_error (error, name, "given") : TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return member_error (error, name, "a string");

  /* json-glib does not check the encoding of what it parsed. */
  if (!g_utf8_validate (json_node_get_string (node), -1, NULL))
    return member_error (error, name, "valid UTF-8");

  *out_value = json_node_get_string (node);
  return TRUE;
}

gboolean
ld_validate_member_int (JsonObject  *payload,
                    const char  *name,
                    gboolean     required,
                    gint64      *out_value,
                    GError     **error)
{
  JsonNode *node = get_member (payload, name);
  double value;

  *out_value = 0;

  if (node == NULL)
    return required ? member_error (error, name, "given") : TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return member_error (error, name, "a whole number");

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *out_value = json_node_get_int (node);
      return TRUE;
    }

  /* JavaScript has only doubles: 3.0 is the integer 3 to a Node client. */
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      value = json_node_get_double (node);
      if (isfinite (value) && value == floor (value) && fabs (value) <= 9007199254740991.0)
        {
          *out_value = (gint64) value;
          return TRUE;
        }
    }

  return member_error (error, name, "a whole number");
}

gboolean
ld_validate_member_room_id (JsonObject  *payload,
                        const char **out_room_id,
                        GError     **error)
{
  const char *room_id;

  *out_room_id = NULL;

  if (!ld_validate_member_string (payload, "roomId", TRUE, &room_id, error) ||
      !ld_validate_room_id (room_id, error))
    return FALSE;

  *out_room_id = room_id;
  return TRUE;
}

gboolean
ld_validate_ticket_id (const char  *ticket_id,
                       GError     **error)
{
  gsize len = ticket_id != NULL ? strlen (ticket_id) : 0;
  gboolean valid = len > 0 && len <= LD_TICKET_ID_MAX_CHARS;

  for (gsize i = 0; valid && i < len; i++)
    valid = g_ascii_isalnum (ticket_id[i]) || ticket_id[i] == '-';
  if (valid)
    return TRUE;

  g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD,
               "The ticket id must be 1 to %d letters, digits or dashes", LD_TICKET_ID_MAX_CHARS);
  return FALSE;
}

gboolean
ld_validate_member_ticket_id (JsonObject  *payload,
                              const char **out_ticket_id,
                              GError     **error)
{
  const char *ticket_id;

  *out_ticket_id = NULL;

  if (!ld_validate_member_string (payload, "ticketId", TRUE, &ticket_id, error) ||
      !ld_validate_ticket_id (ticket_id, error))
    return FALSE;

  *out_ticket_id = ticket_id;
  return TRUE;
}

static gboolean
gift_error (GError     **error,
            const char  *why)
{
  g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_GIFT, "The gift %s", why);
  return FALSE;
}

static gboolean
get_gift_string (JsonObject  *payload,
                 const char  *name,
                 gboolean     required,
                 char       **out_value,
                 GError     **error)
{
  const char *value;

  if (!ld_validate_member_string (payload, name, FALSE, &value, error))
    return FALSE;

  if (value == NULL || value[0] == '\0')
    {
      if (required)
        {
          g_autofree char *why = g_strdup_printf ("needs “%s”", name);
          return gift_error (error, why);
        }
      value = "";
    }

  if (g_utf8_strlen (value, -1) > LD_NAME_MAX_CHARS)
    {
      g_autofree char *why = g_strdup_printf ("has a “%s” longer than %d characters", name, LD_NAME_MAX_CHARS);
      return gift_error (error, why);
    }

  *out_value = g_strdup (value);
  return TRUE;
}

LdGiftRequest *
ld_validate_gift (JsonObject  *payload,
                  GError     **error)
{
  g_autoptr(LdGiftRequest) gift = g_new0 (LdGiftRequest, 1);
  const char *room_id;
  const char *message;
  const char *animation;
  JsonNode *value_node;
  JsonNode *quantity_node;

  if (payload == NULL)
    {
      member_error (error, "payload", "an object");
      return NULL;
    }

  if (!ld_validate_member_room_id (payload, &room_id, error))
    return NULL;
  gift->room_id = g_strdup (room_id);

  if (!get_gift_string (payload, "receiverId", TRUE, &gift->receiver_id, error) ||
      !get_gift_string (payload, "receiverName", FALSE, &gift->receiver_name, error) ||
      !get_gift_string (payload, "giftId", TRUE, &gift->gift_id, error) ||
      !get_gift_string (payload, "giftName", TRUE, &gift->gift_name, error) ||
      !get_gift_string (payload, "giftType", TRUE, &gift->gift_type, error))
    return NULL;

  if (!ld_validate_user_id (gift->receiver_id, NULL))
    {
      gift_error (error, "receiver is not a valid user id");
      return NULL;
    }

  value_node = get_member (payload, "giftValue");
  if (value_node == NULL)
    {
      gift_error (error, "needs “giftValue”");
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (value_node) ||
      (json_node_get_value_type (value_node) != G_TYPE_INT64 &&
       json_node_get_value_type (value_node) != G_TYPE_DOUBLE))
    {
      member_error (error, "giftValue", "a number");
      return NULL;
    }
  gift->gift_value = json_node_get_double (value_node);
  if (!isfinite (gift->gift_value) || gift->gift_value < 0)
    {
      gift_error (error, "value must be a number of zero or more");
      return NULL;
    }

  gift->quantity = 1;
  quantity_node = get_member (payload, "quantity");
  if (quantity_node != NULL)
    {
      double quantity;

      if (!JSON_NODE_HOLDS_VALUE (quantity_node) ||
          (json_node_get_value_type (quantity_node) != G_TYPE_INT64 &&
           json_node_get_value_type (quantity_node) != G_TYPE_DOUBLE))
        {
          member_error (error, "quantity", "a number");
          return NULL;
        }
      quantity = json_node_get_double (quantity_node);
      if (!(quantity >= 1 && quantity <= LD_GIFT_MAX_QUANTITY) || quantity != floor (quantity))
        {
          g_autofree char *why = g_strdup_printf ("quantity must be a whole number from 1 to %d",
                                                  LD_GIFT_MAX_QUANTITY);
          gift_error (error, why);
          return NULL;
        }
      gift->quantity = (guint) quantity;
    }

  if (!ld_validate_member_string (payload, "message", FALSE, &message, error))
    return NULL;
  if (message == NULL)
    gift->message = g_strdup ("");
  else
    {
      /* Length first, as for chat: the content check is the costly one. */
      gift->message = ld_sanitize_text (message);
      if (g_utf8_strlen (gift->message, -1) > LD_GIFT_MESSAGE_MAX_CHARS)
        {
          g_autofree char *why = g_strdup_printf ("message is longer than %d characters",
                                                  LD_GIFT_MESSAGE_MAX_CHARS);
          gift_error (error, why);
          return NULL;
        }
      if (ld_text_has_forbidden_content (message))
        {
          g_set_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN_CONTENT,
                       "The gift message contains script or markup that is not allowed");
          return NULL;
        }
    }

  if (!ld_validate_member_string (payload, "animation", FALSE, &animation, error))
    return NULL;
  if (animation == NULL || animation[0] == '\0')
    animation = "default";
  if (!id_is_valid (animation, TRUE))
    {
      gift_error (error, "animation must be a name such as “default” or “fireworks”");
      return NULL;
    }
  gift->animation = g_strdup (animation);

  return g_steal_pointer (&gift);
}
