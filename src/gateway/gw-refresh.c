/* gw-refresh.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-refresh.h"
#include "gw-jwt-private.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#define TOKEN_BYTES 32
#define PRUNE_INTERVAL_SECONDS 60

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

static char *
add_token (GwRefreshStore  *self,
           const char      *user_id,
           guint64          chain,
           gint64           now,
           GError         **error)
{
  guint8 bytes[TOKEN_BYTES];
  Entry *entry;
  char *token;

  if (!fill_random (bytes, sizeof bytes, error))
    return NULL;

  token = _gw_base64url_encode (bytes, sizeof bytes);
  explicit_bzero (bytes, sizeof bytes);

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

  if (token == NULL || token[0] == '\0' || strlen (token) > 256)
    {
      g_set_error (error, GW_REFRESH_ERROR, GW_REFRESH_ERROR_INVALID,
                   "The refresh token is not valid; sign in again");
      return NULL;
    }

  digest = token_digest (token);
  entry = g_hash_table_lookup (self->entries, digest);

  if (entry == NULL)
    {
      g_set_error (error, GW_REFRESH_ERROR, GW_REFRESH_ERROR_INVALID,
                   "The refresh token is not valid; sign in again");
      return NULL;
    }

  if (entry->expires <= now)
    {
      g_hash_table_remove (self->entries, digest);
      g_set_error (error, GW_REFRESH_ERROR, GW_REFRESH_ERROR_EXPIRED,
                   "The refresh token has expired; sign in again");
      return NULL;
    }

  if (entry->rotated)
    {
      revoke_chain (self, entry->chain);
      g_set_error (error, GW_REFRESH_ERROR, GW_REFRESH_ERROR_REUSED,
                   "This refresh token was already used, so it may have been stolen: "
                   "every session that came from it is signed out; sign in again");
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
