/* gw-refresh.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-refresh.h"
#include "gw-jwt-private.h"
#include "gw-redis.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#define TOKEN_BYTES 32
#define PRUNE_INTERVAL_SECONDS 60
/* Then "token:DIGEST" (a hash: user, chain, exp, rotated), "chain:ID" (the
 * set of its token digests) and "user:ID" (the set of their chains). */
#define REDIS_PREFIX "livedesk:refresh:"

typedef struct
{
  char    *user_id;
  guint64  chain;
  gint64   expires;
  gboolean rotated;  /* kept until it expires, to recognise its reuse */
} Entry;

struct _GwRefreshStore
{
  GObject     parent_instance;
  /* Keyed by the SHA-256 of the token: a copy of this table (a heap dump, a
   * debug log) gives nobody a usable token, and lookups by hash leak nothing
   * about the token through timing. */
  GHashTable *entries;
  gint64      ttl;
  guint64     next_chain;
  gint64      last_prune;
  GwRedis    *redis;
};

G_DEFINE_FINAL_TYPE (GwRefreshStore, gw_refresh_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (gw-refresh-error-quark, gw_refresh_error)

static void
entry_free (Entry *entry)
{
  g_free (entry->user_id);
  g_free (entry);
}

static char *
token_digest (const char *token)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

/* GRand is predictable, so the kernel's CSPRNG it is. */
static gboolean
fill_random (guint8  *buffer,
             gsize    len,
             GError **error)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = getrandom (buffer + done, len - done, 0);

      if (n < 0)
        {
          int saved_errno = errno;

          if (saved_errno == EINTR)
            continue;
          g_set_error (error, GW_REFRESH_ERROR, GW_REFRESH_ERROR_RANDOM,
                       "Cannot get random bytes from the kernel: %s", g_strerror (saved_errno));
          return FALSE;
        }
      done += n;
    }

  return TRUE;
}

static void
gw_refresh_store_finalize (GObject *object)
{
  GwRefreshStore *self = (GwRefreshStore *)object;

  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_object (&self->redis);

  G_OBJECT_CLASS (gw_refresh_store_parent_class)->finalize (object);
}

static void
gw_refresh_store_class_init (GwRefreshStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gw_refresh_store_finalize;
}

static void
gw_refresh_store_init (GwRefreshStore *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)entry_free);
  self->ttl = GW_REFRESH_DEFAULT_TTL_SECONDS;
  self->next_chain = 1;
}

GwRefreshStore *
gw_refresh_store_new (gint64 ttl_seconds)
{
  GwRefreshStore *self = g_object_new (GW_TYPE_REFRESH_STORE, NULL);

  if (ttl_seconds > 0)
    self->ttl = ttl_seconds;

  return self;
}

gint64
gw_refresh_store_get_ttl (GwRefreshStore *self)
{
  g_return_val_if_fail (GW_IS_REFRESH_STORE (self), 0);

  return self->ttl;
}

static void
prune (GwRefreshStore *self,
       gint64          now)
{
  GHashTableIter iter;
  Entry *entry;

  if (now - self->last_prune < PRUNE_INTERVAL_SECONDS)
    return;
  self->last_prune = now;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&entry))
    {
      if (entry->expires <= now)
        g_hash_table_iter_remove (&iter);
    }
}

/* The same words whichever store refused. */
static void
set_refusal (GError         **error,
             GwRefreshError   code)
{
  switch (code)
    {
    case GW_REFRESH_ERROR_EXPIRED:
      g_set_error_literal (error, GW_REFRESH_ERROR, code, "The refresh token has expired; sign in again");
      break;
    case GW_REFRESH_ERROR_REUSED:
      g_set_error_literal (error, GW_REFRESH_ERROR, code,
                           "This refresh token was already used, so it may have been stolen: "
                           "every session that came from it is signed out; sign in again");
      break;
    case GW_REFRESH_ERROR_INVALID:
    case GW_REFRESH_ERROR_RANDOM:
    default:
      g_set_error_literal (error, GW_REFRESH_ERROR, GW_REFRESH_ERROR_INVALID,
                           "The refresh token is not valid; sign in again");
      break;
    }
}

static gboolean
token_is_plausible (const char *token)
{
  return token != NULL && token[0] != '\0' && strlen (token) <= 256;
}

static char *
new_token (GError **error)
{
  guint8 bytes[TOKEN_BYTES];
  char *token;

  if (!fill_random (bytes, sizeof bytes, error))
    return NULL;

  token = _gw_base64url_encode (bytes, sizeof bytes);
  explicit_bzero (bytes, sizeof bytes);
  return token;
}

static char *
add_token (GwRefreshStore  *self,
           const char      *user_id,
           guint64          chain,
           gint64           now,
           GError         **error)
{
  Entry *entry;
  char *token = new_token (error);

  if (token == NULL)
    return NULL;

  entry = g_new0 (Entry, 1);
  entry->user_id = g_strdup (user_id);
  entry->chain = chain;
  entry->expires = now + self->ttl;
  g_hash_table_replace (self->entries, token_digest (token), entry);

  return token;
}

char *
gw_refresh_store_issue (GwRefreshStore  *self,
                        const char      *user_id,
                        gint64           now,
                        GError         **error)
{
  g_return_val_if_fail (GW_IS_REFRESH_STORE (self), NULL);
  g_return_val_if_fail (user_id != NULL, NULL);

  prune (self, now);

  return add_token (self, user_id, self->next_chain++, now, error);
}

/* ARGV: prefix, digest, user id, chain id, expiry, ttl. */
static const char issue_script[] =
  "local p = ARGV[1]\n"
  "local tk = p .. 'token:' .. ARGV[2]\n"
  "redis.call('HSET', tk, 'user', ARGV[3], 'chain', ARGV[4], 'exp', ARGV[5], 'rotated', '0')\n"
  "redis.call('EXPIRE', tk, ARGV[6])\n"
  "local ck = p .. 'chain:' .. ARGV[4]\n"
  "redis.call('SADD', ck, ARGV[2])\n"
  "redis.call('EXPIRE', ck, ARGV[6])\n"
  "local uk = p .. 'user:' .. ARGV[3]\n"
  "redis.call('SADD', uk, ARGV[4])\n"
  "redis.call('EXPIRE', uk, ARGV[6])\n"
  "return 'ok'\n";

/* ARGV: prefix, old digest, new digest, now, ttl, new expiry → {verdict, user id}. */
static const char rotate_script[] =
  "local p = ARGV[1]\n"
  "local tk = p .. 'token:' .. ARGV[2]\n"
  "local t = redis.call('HMGET', tk, 'user', 'chain', 'exp', 'rotated')\n"
  "if not t[1] or not t[2] then return { 'invalid' } end\n"
  "local ck = p .. 'chain:' .. t[2]\n"
  "if (tonumber(t[3]) or 0) <= tonumber(ARGV[4]) then\n"
  "  redis.call('DEL', tk)\n"
  "  return { 'expired' }\n"
  "end\n"
  "if t[4] == '1' then\n"
  "  for _, d in ipairs(redis.call('SMEMBERS', ck)) do redis.call('DEL', p .. 'token:' .. d) end\n"
  "  redis.call('DEL', ck)\n"
  "  return { 'reused' }\n"
  "end\n"
  "redis.call('HSET', tk, 'rotated', '1')\n"
  "local nk = p .. 'token:' .. ARGV[3]\n"
  "redis.call('HSET', nk, 'user', t[1], 'chain', t[2], 'exp', ARGV[6], 'rotated', '0')\n"
  "redis.call('EXPIRE', nk, ARGV[5])\n"
  "redis.call('SADD', ck, ARGV[3])\n"
  "redis.call('EXPIRE', ck, ARGV[5])\n"
  "local uk = p .. 'user:' .. t[1]\n"
  "redis.call('SADD', uk, t[2])\n"
  "redis.call('EXPIRE', uk, ARGV[5])\n"
  "return { 'ok', t[1] }\n";

static const char revoke_user_script[] =
  "local p = ARGV[1]\n"
  "local uk = p .. 'user:' .. ARGV[2]\n"
  "for _, c in ipairs(redis.call('SMEMBERS', uk)) do\n"
  "  local ck = p .. 'chain:' .. c\n"
  "  for _, d in ipairs(redis.call('SMEMBERS', ck)) do redis.call('DEL', p .. 'token:' .. d) end\n"
  "  redis.call('DEL', ck)\n"
  "end\n"
  "redis.call('DEL', uk)\n"
  "return 'ok'\n";

static void
revoke_chain (GwRefreshStore *self,
              guint64         chain)
{
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&entry))
    {
      if (entry->chain == chain)
        g_hash_table_iter_remove (&iter);
    }
}

char *
gw_refresh_store_rotate (GwRefreshStore  *self,
                         const char      *token,
                         gint64           now,
                         char           **out_user_id,
                         GError         **error)
{
  g_autofree char *digest = NULL;
  Entry *entry;
  char *next;

  g_return_val_if_fail (GW_IS_REFRESH_STORE (self), NULL);

  if (!token_is_plausible (token))
    {
      set_refusal (error, GW_REFRESH_ERROR_INVALID);
      return NULL;
    }

  digest = token_digest (token);
  entry = g_hash_table_lookup (self->entries, digest);

  if (entry == NULL)
    {
      set_refusal (error, GW_REFRESH_ERROR_INVALID);
      return NULL;
    }

  if (entry->expires <= now)
    {
      g_hash_table_remove (self->entries, digest);
      set_refusal (error, GW_REFRESH_ERROR_EXPIRED);
      return NULL;
    }

  if (entry->rotated)
    {
      revoke_chain (self, entry->chain);
      set_refusal (error, GW_REFRESH_ERROR_REUSED);
      return NULL;
    }

  next = add_token (self, entry->user_id, entry->chain, now, error);
  if (next == NULL)
    return NULL;

  entry->rotated = TRUE;
  if (out_user_id != NULL)
    *out_user_id = g_strdup (entry->user_id);

  return next;
}

void
gw_refresh_store_revoke_user (GwRefreshStore *self,
                              const char     *user_id)
{
  GHashTableIter iter;
  Entry *entry;

  g_return_if_fail (GW_IS_REFRESH_STORE (self));
  g_return_if_fail (user_id != NULL);

  if (self->redis != NULL)
    gw_redis_command (self->redis, (const char *[]) { "EVAL", revoke_user_script, "0", REDIS_PREFIX, user_id, NULL });

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&entry))
    {
      if (g_strcmp0 (entry->user_id, user_id) == 0)
        g_hash_table_iter_remove (&iter);
    }
}

guint
gw_refresh_store_get_n_active (GwRefreshStore *self,
                               gint64          now)
{
  GHashTableIter iter;
  Entry *entry;
  guint n = 0;

  g_return_val_if_fail (GW_IS_REFRESH_STORE (self), 0);

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *)&entry))
    {
      if (!entry->rotated && entry->expires > now)
        n++;
    }

  return n;
}

void
gw_refresh_store_set_redis (GwRefreshStore *self,
                            GwRedis        *redis)
{
  g_return_if_fail (GW_IS_REFRESH_STORE (self));
  g_return_if_fail (redis == NULL || GW_IS_REDIS (redis));

  g_set_object (&self->redis, redis);
}

/* What the caller gets: the new token, and the user it belongs to. */
typedef struct
{
  char *token;
  char *user_id;
} Issued;

static void
issued_free (Issued *issued)
{
  if (issued->token != NULL)
    explicit_bzero (issued->token, strlen (issued->token));
  g_free (issued->token);
  g_free (issued->user_id);
  g_free (issued);
}

static Issued *
issued_new (char       *token,
            const char *user_id)
{
  Issued *issued = g_new0 (Issued, 1);

  issued->token = token;
  issued->user_id = g_strdup (user_id);
  return issued;
}

static char *
issued_take (GTask   *task,
             char   **out_user_id,
             GError **error)
{
  Issued *issued = g_task_propagate_pointer (task, error);
  char *token;

  if (issued == NULL)
    return NULL;
  token = g_steal_pointer (&issued->token);
  if (out_user_id != NULL)
    *out_user_id = g_steal_pointer (&issued->user_id);
  issued_free (issued);
  return token;
}

static void
on_issue_script (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = gw_redis_command_finish (GW_REDIS (source), result, &error);
  Issued *issued = g_task_get_task_data (task);

  if (reply == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, issued_new (g_steal_pointer (&issued->token), issued->user_id),
                           (GDestroyNotify) issued_free);
}

void
gw_refresh_store_issue_async (GwRefreshStore      *self,
                              const char          *user_id,
                              gint64               now,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *chain = NULL;
  g_autofree char *expires = NULL;
  g_autofree char *ttl = NULL;
  char *token;

  g_return_if_fail (GW_IS_REFRESH_STORE (self));
  g_return_if_fail (user_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gw_refresh_store_issue_async);

  if (self->redis == NULL)
    {
      token = gw_refresh_store_issue (self, user_id, now, &error);
      if (token == NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_pointer (task, issued_new (token, user_id), (GDestroyNotify) issued_free);
      return;
    }

  if ((token = new_token (&error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Chains are named at random: no counter to keep in step between processes. */
  digest = token_digest (token);
  chain = g_uuid_string_random ();
  expires = g_strdup_printf ("%" G_GINT64_FORMAT, now + self->ttl);
  ttl = g_strdup_printf ("%" G_GINT64_FORMAT, self->ttl);
  g_task_set_task_data (task, issued_new (token, user_id), (GDestroyNotify) issued_free);
  gw_redis_command_async (self->redis,
                          (const char *[]) { "EVAL", issue_script, "0", REDIS_PREFIX, digest, user_id, chain,
                                             expires, ttl, NULL },
                          cancellable, on_issue_script, g_steal_pointer (&task));
}

char *
gw_refresh_store_issue_finish (GwRefreshStore  *self,
                               GAsyncResult    *result,
                               GError         **error)
{
  g_return_val_if_fail (GW_IS_REFRESH_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return issued_take (G_TASK (result), NULL, error);
}

/* The string at INDEX of an "av" reply, or NULL. */
static char *
dup_reply_string (GVariant *reply,
                  gsize     index)
{
  g_autoptr(GVariant) child = NULL;
  g_autoptr(GVariant) value = NULL;

  if (!g_variant_is_of_type (reply, G_VARIANT_TYPE ("av")) || index >= g_variant_n_children (reply))
    return NULL;
  child = g_variant_get_child_value (reply, index);
  value = g_variant_get_variant (child);
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return NULL;
  return g_variant_dup_string (value, NULL);
}

static void
on_rotate_script (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = gw_redis_command_finish (GW_REDIS (source), result, &error);
  g_autofree char *word = NULL;
  g_autofree char *user_id = NULL;
  Issued *issued = g_task_get_task_data (task);

  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if ((word = dup_reply_string (reply, 0)) == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                               "Unexpected Redis reply to a refresh token rotation");
      return;
    }

  if (g_str_equal (word, "ok") && (user_id = dup_reply_string (reply, 1)) != NULL)
    {
      g_task_return_pointer (task, issued_new (g_steal_pointer (&issued->token), user_id),
                             (GDestroyNotify) issued_free);
      return;
    }

  set_refusal (&error, g_str_equal (word, "expired") ? GW_REFRESH_ERROR_EXPIRED
                       : g_str_equal (word, "reused") ? GW_REFRESH_ERROR_REUSED
                       : GW_REFRESH_ERROR_INVALID);
  g_task_return_error (task, g_steal_pointer (&error));
}

void
gw_refresh_store_rotate_async (GwRefreshStore      *self,
                               const char          *token,
                               gint64               now,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_digest = NULL;
  g_autofree char *new_digest = NULL;
  g_autofree char *now_text = NULL;
  g_autofree char *ttl = NULL;
  g_autofree char *expires = NULL;
  char *next;

  g_return_if_fail (GW_IS_REFRESH_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gw_refresh_store_rotate_async);

  if (self->redis == NULL)
    {
      g_autofree char *user_id = NULL;

      next = gw_refresh_store_rotate (self, token, now, &user_id, &error);
      if (next == NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_pointer (task, issued_new (next, user_id), (GDestroyNotify) issued_free);
      return;
    }

  if (!token_is_plausible (token))
    {
      set_refusal (&error, GW_REFRESH_ERROR_INVALID);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if ((next = new_token (&error)) == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  old_digest = token_digest (token);
  new_digest = token_digest (next);
  now_text = g_strdup_printf ("%" G_GINT64_FORMAT, now);
  ttl = g_strdup_printf ("%" G_GINT64_FORMAT, self->ttl);
  expires = g_strdup_printf ("%" G_GINT64_FORMAT, now + self->ttl);
  g_task_set_task_data (task, issued_new (next, NULL), (GDestroyNotify) issued_free);
  gw_redis_command_async (self->redis,
                          (const char *[]) { "EVAL", rotate_script, "0", REDIS_PREFIX, old_digest, new_digest,
                                             now_text, ttl, expires, NULL },
                          cancellable, on_rotate_script, g_steal_pointer (&task));
}

char *
gw_refresh_store_rotate_finish (GwRefreshStore  *self,
                                GAsyncResult    *result,
                                char           **out_user_id,
                                GError         **error)
{
  g_return_val_if_fail (GW_IS_REFRESH_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return issued_take (G_TASK (result), out_user_id, error);
}
