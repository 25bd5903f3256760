/* ld-token-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-token-store-private.h"
#include "ld-payload.h"

#include <libsecret/secret.h>
#include <string.h>

struct _LdTokenStore
{
  GObject  parent_instance;

  char    *legacy_server;
};

G_DEFINE_FINAL_TYPE (LdTokenStore, ld_token_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-token-store-error-quark, ld_token_store_error)

G_DEFINE_BOXED_TYPE (LdTokens, ld_tokens, ld_tokens_copy, ld_tokens_free)

static const SecretSchema token_schema = {
  LD_TOKEN_STORE_SCHEMA_NAME, SECRET_SCHEMA_NONE,
  {
    { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

/* No attributes: there is one overlay secret for the user, whatever the
 * server or account. */
static const SecretSchema overlay_schema = {
  LD_TOKEN_STORE_OVERLAY_SCHEMA_NAME, SECRET_SCHEMA_NONE,
  {
    { NULL, 0 },
  }
};

static void
wipe_free (char *secret)
{
  if (secret != NULL)
    {
      explicit_bzero (secret, strlen (secret));
      g_free (secret);
    }
}

LdTokens *
ld_tokens_new (const char *access_token,
               const char *refresh_token,
               gint64      expires_at)
{
  LdTokens *tokens;

  g_return_val_if_fail (access_token != NULL, NULL);

  tokens = g_new0 (LdTokens, 1);
  tokens->access_token = g_strdup (access_token);
  tokens->refresh_token = g_strdup (refresh_token);
  tokens->expires_at = expires_at;

  return tokens;
}

LdTokens *
ld_tokens_copy (const LdTokens *tokens)
{
  g_return_val_if_fail (tokens != NULL, NULL);

  return ld_tokens_new (tokens->access_token, tokens->refresh_token, tokens->expires_at);
}

void
ld_tokens_free (LdTokens *tokens)
{
  if (tokens == NULL)
    return;

  wipe_free (tokens->access_token);
  wipe_free (tokens->refresh_token);
  g_free (tokens);
}

static void
ld_token_store_finalize (GObject *object)
{
  LdTokenStore *self = LD_TOKEN_STORE (object);

  g_clear_pointer (&self->legacy_server, g_free);

  G_OBJECT_CLASS (ld_token_store_parent_class)->finalize (object);
}

static void
ld_token_store_class_init (LdTokenStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_token_store_finalize;
}

static void
ld_token_store_init (LdTokenStore *self)
{
}

LdTokenStore *
ld_token_store_new (void)
{
  return g_object_new (LD_TYPE_TOKEN_STORE, NULL);
}

void
ld_token_store_set_legacy_server (LdTokenStore *self,
                                  const char   *url)
{
  g_return_if_fail (LD_IS_TOKEN_STORE (self));

  g_free (self->legacy_server);
  self->legacy_server = url != NULL && *url != '\0' ? g_strdup (url) : NULL;
}

char *
ld_token_store_server_key (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  g_autofree char *path = NULL;
  int port;
  gsize len;

  g_return_val_if_fail (url != NULL, NULL);

  uri = g_uri_parse (url, G_URI_FLAGS_SCHEME_NORMALIZE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      /* Not a URL with a host: only the trailing slashes can go. */
      path = g_strdup (url);
      len = strlen (path);
      while (len > 0 && path[len - 1] == '/')
        path[--len] = '\0';
      return g_steal_pointer (&path);
    }

  scheme = g_ascii_strdown (g_uri_get_scheme (uri), -1);
  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  port = g_uri_get_port (uri);
  if ((port == 80 && g_str_equal (scheme, "http")) || (port == 443 && g_str_equal (scheme, "https")))
    port = -1;
  path = g_strdup (g_uri_get_path (uri));
  len = strlen (path);
  while (len > 0 && path[len - 1] == '/')
    path[--len] = '\0';

  /* No user info, query or fragment: they name no other server. */
  return g_uri_join (G_URI_FLAGS_NONE, scheme, NULL, host, port, path, NULL, NULL);
}

/* libsecret's own errors say what failed on the bus; ours add what the user
 * can do about it. Cancellation passes through untouched. */
GError *
_ld_token_store_translate_error (GError *error)
{
  GError *translated;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;

  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD))
    translated = g_error_new (LD_TOKEN_STORE_ERROR, LD_TOKEN_STORE_ERROR_LOCKED,
                              "the keyring is locked or has no default collection: %s "
                              "(unlock it, for example by logging in to the desktop or with Passwords and Keys)",
                              error->message);
  else if (error->domain == G_DBUS_ERROR || error->domain == G_IO_ERROR)
    translated = g_error_new (LD_TOKEN_STORE_ERROR, LD_TOKEN_STORE_ERROR_NO_KEYRING,
                              "no keyring available: %s "
                              "(start gnome-keyring or another Secret Service on the session bus)",
                              error->message);
  else
    translated = g_error_new (LD_TOKEN_STORE_ERROR, LD_TOKEN_STORE_ERROR_FAILED,
                              "the keyring failed: %s", error->message);

  g_error_free (error);
  return translated;
}

typedef struct
{
  /* The server's key, then the older forms of it that lookups migrate from
   * and clearing also removes. */
  GPtrArray *servers;
  char      *server;
  char      *user;
  guint      next;
  gboolean   removed;
  LdTokens  *found;
  /* lookup_user: the most recently changed item so far. */
  char      *latest_user;
  guint64    latest_modified;
} Request;

static void
request_free (Request *request)
{
  g_ptr_array_unref (request->servers);
  g_free (request->user);
  g_free (request->latest_user);
  ld_tokens_free (request->found);
  g_free (request);
}

static void
add_server (GPtrArray  *servers,
            const char *server)
{
  if (server != NULL && *server != '\0' && !g_ptr_array_find_with_equal_func (servers, server, g_str_equal, NULL))
    g_ptr_array_add (servers, g_strdup (server));
}

static GTask *
new_task (LdTokenStore        *self,
          const char          *server,
          const char          *user,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data,
          gpointer             source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Request *request = g_new0 (Request, 1);

  g_task_set_source_tag (task, source_tag);
  request->servers = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (request->servers, ld_token_store_server_key (server));
  /* What the app (the gateway URL as typed) and livedesk-cli (the REST
   * API's URL) wrote before both used the key. */
  add_server (request->servers, server);
  if (self->legacy_server != NULL)
    {
      g_autofree char *legacy_key = ld_token_store_server_key (self->legacy_server);

      add_server (request->servers, self->legacy_server);
      add_server (request->servers, legacy_key);
    }
  request->server = request->servers->pdata[0];
  request->user = g_strdup (user);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);

  return task;
}

static void
return_nothing (GTask *task)
{
  if (g_task_get_source_tag (task) == ld_token_store_lookup_async ||
      g_task_get_source_tag (task) == ld_token_store_lookup_user_async)
    g_task_return_pointer (task, NULL, NULL);
  else
    g_task_return_boolean (task, FALSE);
}

static void
on_locked_searched (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) locked = NULL;
  Request *request = g_task_get_task_data (task);

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, NULL);
  if (reply != NULL)
    locked = g_variant_get_child_value (reply, 1);

  if (locked == NULL || g_variant_n_children (locked) == 0)
    {
      return_nothing (task);
      return;
    }

  g_task_return_new_error (task, LD_TOKEN_STORE_ERROR, LD_TOKEN_STORE_ERROR_LOCKED,
                           "the keyring is locked: the sign-in for %s on %s is in it but could not be %s "
                           "(unlock it, for example by logging in to the desktop or with Passwords and Keys)",
                           request->user, request->server,
                           g_task_get_source_tag (task) == ld_token_store_lookup_async ? "read" : "removed");
}

static void
on_bus_for_locked (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GDBusConnection) bus = g_bus_get_finish (result, NULL);
  Request *request = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GVariantBuilder attributes;

  if (bus == NULL)
    {
      return_nothing (task);
      return;
    }

  g_variant_builder_init (&attributes, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&attributes, "{ss}", "xdg:schema", LD_TOKEN_STORE_SCHEMA_NAME);
  g_variant_builder_add (&attributes, "{ss}", "server", request->server);
  g_variant_builder_add (&attributes, "{ss}", "user", request->user);

  g_dbus_connection_call (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                          "org.freedesktop.Secret.Service", "SearchItems",
                          g_variant_new ("(a{ss})", &attributes), G_VARIANT_TYPE ("(aoao)"),
                          G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, cancellable,
                          on_locked_searched, g_steal_pointer (&task));
}

/* libsecret answers "nothing there" when the matching item stays locked
 * because the unlock prompt failed or was dismissed; the user must hear
 * "locked", not be asked to sign in again. The Secret Service lists locked
 * items without unlocking them, so ask it. */
static void
return_nothing_unless_locked (GTask *task)
{
  GCancellable *cancellable = g_task_get_cancellable (task);

  g_bus_get (G_BUS_TYPE_SESSION, cancellable, on_bus_for_locked, task);
}

static GHashTable *
make_attributes (const char *server,
                 const char *user)
{
  GHashTable *attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_hash_table_insert (attributes, (gpointer) "server", (gpointer) server);
  g_hash_table_insert (attributes, (gpointer) "user", (gpointer) user);

  return attributes;
}

static char *
tokens_to_secret (const LdTokens *tokens)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "accessToken");
  json_builder_add_string_value (builder, tokens->access_token);
  json_builder_set_member_name (builder, "refreshToken");
  if (tokens->refresh_token != NULL)
    json_builder_add_string_value (builder, tokens->refresh_token);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "expiresAt");
  json_builder_add_int_value (builder, tokens->expires_at);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

/* The error never quotes the secret: it holds tokens. */
static LdTokens *
tokens_from_secret (const char  *secret,
                    GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  const char *access_token, *refresh_token;
  gint64 expires_at;
  JsonObject *object;

  if (!json_parser_load_from_data (parser, secret, -1, NULL) ||
      (object = ld_payload_expect_object (json_parser_get_root (parser), "token item", NULL)) == NULL ||
      !ld_payload_get_string (object, "token item", "accessToken", TRUE, &access_token, &local_error) ||
      !ld_payload_get_string (object, "token item", "refreshToken", FALSE, &refresh_token, &local_error) ||
      !ld_payload_get_int (object, "token item", "expiresAt", FALSE, 0, &expires_at, &local_error))
    {
      g_set_error (error, LD_TOKEN_STORE_ERROR, LD_TOKEN_STORE_ERROR_CORRUPT,
                   "the keyring's %s item is not one Livedesk wrote%s%s (sign in again to replace it)",
                   LD_TOKEN_STORE_SCHEMA_NAME,
                   local_error != NULL ? ": " : "",
                   local_error != NULL ? local_error->message : "");
      return NULL;
    }

  return ld_tokens_new (access_token, refresh_token, expires_at);
}

static void
on_stored (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (secret_password_store_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else if (error != NULL)
    g_task_return_error (task, _ld_token_store_translate_error (error));
  else
    /* libsecret's way of saying a prompt (to unlock, or to make a keyring) was dismissed. */
    g_task_return_new_error (task, LD_TOKEN_STORE_ERROR, LD_TOKEN_STORE_ERROR_LOCKED,
                             "the keyring is locked: nothing could be saved in it "
                             "(unlock it, for example by logging in to the desktop or with Passwords and Keys)");
}

void
ld_token_store_store_async (LdTokenStore        *self,
                            const char          *server,
                            const char          *user,
                            const LdTokens      *tokens,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;
  Request *request;
  char *secret;

  g_return_if_fail (LD_IS_TOKEN_STORE (self));
  g_return_if_fail (server != NULL && *server != '\0');
  g_return_if_fail (user != NULL && *user != '\0');
  g_return_if_fail (tokens != NULL && tokens->access_token != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = new_task (self, server, user, cancellable, callback, user_data, ld_token_store_store_async);
  request = g_task_get_task_data (task);

  attributes = make_attributes (request->server, user);
  label = g_strdup_printf ("Livedesk sign-in for %s on %s", user, request->server);
  secret = tokens_to_secret (tokens);

  secret_password_storev (&token_schema, attributes, SECRET_COLLECTION_DEFAULT, label, secret,
                          cancellable, on_stored, g_steal_pointer (&task));
  wipe_free (secret);
}

gboolean
ld_token_store_store_finish (LdTokenStore  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (LD_IS_TOKEN_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void lookup_next (GTask *task);

static void
on_migration_cleared (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!secret_password_clear_finish (result, &error) && error != NULL)
    g_debug ("the sign-in's old keyring item stays: %s", error->message);
  g_task_return_pointer (task, g_steal_pointer (&request->found), (GDestroyNotify) ld_tokens_free);
}

static void
on_migration_stored (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;

  /* Not moved: the old item stays where it is, and still works. */
  if (!secret_password_store_finish (result, &error))
    {
      g_debug ("the sign-in could not move to its new keyring item: %s",
               error != NULL ? error->message : "dismissed");
      g_task_return_pointer (task, g_steal_pointer (&request->found), (GDestroyNotify) ld_tokens_free);
      return;
    }

  attributes = make_attributes (request->servers->pdata[request->next], request->user);
  cancellable = g_task_get_cancellable (task);
  secret_password_clearv (&token_schema, attributes, cancellable, on_migration_cleared, g_steal_pointer (&task));
}

/* An item in an older form: move it under the key, so that the app and
 * livedesk-cli find and remove the same one from now on. */
static void
migrate (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  g_autoptr(GHashTable) attributes = make_attributes (request->server, request->user);
  g_autofree char *label = g_strdup_printf ("Livedesk sign-in for %s on %s", request->user, request->server);
  char *secret = tokens_to_secret (request->found);

  secret_password_storev (&token_schema, attributes, SECRET_COLLECTION_DEFAULT, label, secret,
                          g_task_get_cancellable (task), on_migration_stored, task);
  wipe_free (secret);
}

static void
on_looked_up (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  GError *error = NULL;
  char *secret;
  LdTokens *tokens;

  secret = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, _ld_token_store_translate_error (error));
      return;
    }

  if (secret == NULL)
    {
      request->next++;
      lookup_next (g_steal_pointer (&task));
      return;
    }

  tokens = tokens_from_secret (secret, &error);
  secret_password_free (secret);

  if (tokens == NULL)
    g_task_return_error (task, error);
  else if (request->next > 0)
    {
      request->found = tokens;
      migrate (g_steal_pointer (&task));
    }
  else
    g_task_return_pointer (task, tokens, (GDestroyNotify) ld_tokens_free);
}

static void
lookup_next (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  g_autoptr(GHashTable) attributes = NULL;

  if (request->next >= request->servers->len)
    {
      return_nothing_unless_locked (task);
      return;
    }

  attributes = make_attributes (request->servers->pdata[request->next], request->user);
  secret_password_lookupv (&token_schema, attributes, g_task_get_cancellable (task), on_looked_up, task);
}

void
ld_token_store_lookup_async (LdTokenStore        *self,
                             const char          *server,
                             const char          *user,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (LD_IS_TOKEN_STORE (self));
  g_return_if_fail (server != NULL && *server != '\0');
  g_return_if_fail (user != NULL && *user != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  lookup_next (new_task (self, server, user, cancellable, callback, user_data, ld_token_store_lookup_async));
}

LdTokens *
ld_token_store_lookup_finish (LdTokenStore  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (LD_IS_TOKEN_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void clear_next (GTask *task);

static void
on_cleared (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  GError *error = NULL;

  if (secret_password_clear_finish (result, &error))
    request->removed = TRUE;
  if (error != NULL)
    {
      g_task_return_error (task, _ld_token_store_translate_error (error));
      return;
    }
  request->next++;
  clear_next (g_steal_pointer (&task));
}

/* Every form of the item goes: one left behind would sign the user in again. */
static void
clear_next (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  g_autoptr(GHashTable) attributes = NULL;

  if (request->next >= request->servers->len)
    {
      if (request->removed)
        {
          g_task_return_boolean (task, TRUE);
          g_object_unref (task);
        }
      else
        return_nothing_unless_locked (task);
      return;
    }

  attributes = make_attributes (request->servers->pdata[request->next], request->user);
  secret_password_clearv (&token_schema, attributes, g_task_get_cancellable (task), on_cleared, task);
}

void
ld_token_store_clear_async (LdTokenStore        *self,
                            const char          *server,
                            const char          *user,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (LD_IS_TOKEN_STORE (self));
  g_return_if_fail (server != NULL && *server != '\0');
  g_return_if_fail (user != NULL && *user != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  clear_next (new_task (self, server, user, cancellable, callback, user_data, ld_token_store_clear_async));
}

gboolean
ld_token_store_clear_finish (LdTokenStore  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (LD_IS_TOKEN_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void search_next (GTask *task);

static void
on_searched (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  GError *error = NULL;
  GList *items;

  items = secret_password_search_finish (result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, _ld_token_store_translate_error (error));
      return;
    }
  for (GList *l = items; l != NULL; l = l->next)
    {
      g_autoptr(GHashTable) attributes = secret_retrievable_get_attributes (l->data);
      const char *user = g_hash_table_lookup (attributes, "user");
      guint64 modified = secret_retrievable_get_modified (l->data);

      if (user != NULL && *user != '\0' && (request->latest_user == NULL || modified > request->latest_modified))
        {
          g_free (request->latest_user);
          request->latest_user = g_strdup (user);
          request->latest_modified = modified;
        }
    }
  g_list_free_full (items, g_object_unref);

  request->next++;
  search_next (g_steal_pointer (&task));
}

static void
search_next (GTask *task)
{
  Request *request = g_task_get_task_data (task);
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);

  if (request->next >= request->servers->len)
    {
      g_task_return_pointer (task, g_steal_pointer (&request->latest_user), g_free);
      g_object_unref (task);
      return;
    }

  g_hash_table_insert (attributes, (gpointer) "server", request->servers->pdata[request->next]);
  /* Locked items too: their attributes are readable without unlocking. */
  secret_password_searchv (&token_schema, attributes, SECRET_SEARCH_ALL, g_task_get_cancellable (task),
                           on_searched, task);
}

void
ld_token_store_lookup_user_async (LdTokenStore        *self,
                                  const char          *server,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (LD_IS_TOKEN_STORE (self));
  g_return_if_fail (server != NULL && *server != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  search_next (new_task (self, server, NULL, cancellable, callback, user_data, ld_token_store_lookup_user_async));
}

char *
ld_token_store_lookup_user_finish (LdTokenStore  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (LD_IS_TOKEN_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_overlay_secret_looked_up (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    g_task_return_error (task, _ld_token_store_translate_error (error));
  else
    g_task_return_pointer (task, secret, (GDestroyNotify) wipe_free);
}

void
ld_token_store_lookup_overlay_secret_async (LdTokenStore        *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_if_fail (LD_IS_TOKEN_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_token_store_lookup_overlay_secret_async);
  secret_password_lookupv (&overlay_schema, attributes, cancellable,
                           on_overlay_secret_looked_up, g_steal_pointer (&task));
}

char *
ld_token_store_lookup_overlay_secret_finish (LdTokenStore  *self,
                                             GAsyncResult  *result,
                                             GError       **error)
{
  g_return_val_if_fail (LD_IS_TOKEN_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ld_token_store_store_overlay_secret_async (LdTokenStore        *self,
                                           const char          *secret,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_if_fail (LD_IS_TOKEN_STORE (self));
  g_return_if_fail (secret != NULL && *secret != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_token_store_store_overlay_secret_async);
  secret_password_storev (&overlay_schema, attributes, SECRET_COLLECTION_DEFAULT,
                          "Livedesk OBS overlay address", secret, cancellable,
                          on_stored, g_steal_pointer (&task));
}

gboolean
ld_token_store_store_overlay_secret_finish (LdTokenStore  *self,
                                            GAsyncResult  *result,
                                            GError       **error)
{
  g_return_val_if_fail (LD_IS_TOKEN_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
