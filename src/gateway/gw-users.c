/* gw-users.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-users.h"
#include "gw-jwt-private.h"

#include <crypt.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

struct _GwUsers
{
  GObject     parent_instance;
  GPtrArray  *users;     /* GwUser, in file order */
  GHashTable *by_name;   /* username → GwUser (borrowed) */
  GHashTable *by_id;     /* user_id → GwUser (borrowed) */

  GThreadPool *hash_pool;
  guint        hash_threads;
  guint        hash_waiting;
  gint         hash_queued;  /* running or waiting, until delivered */
};

G_DEFINE_FINAL_TYPE (GwUsers, gw_users, G_TYPE_OBJECT)
G_DEFINE_QUARK (gw-users-error-quark, gw_users_error)
G_DEFINE_BOXED_TYPE (GwUser, gw_user, gw_user_copy, gw_user_free)

GwUser *
gw_user_copy (const GwUser *user)
{
  GwUser *copy;

  g_return_val_if_fail (user != NULL, NULL);

  copy = g_new0 (GwUser, 1);
  copy->user_id = g_strdup (user->user_id);
  copy->username = g_strdup (user->username);
  copy->role = user->role;
  copy->password_hash = g_strdup (user->password_hash);

  return copy;
}

void
gw_user_free (GwUser *user)
{
  if (user == NULL)
    return;

  g_free (user->user_id);
  g_free (user->username);
  g_free (user->password_hash);
  g_free (user);
}

static void
wipe_string (char *text)
{
  if (text == NULL)
    return;

  explicit_bzero (text, strlen (text));
  g_free (text);
}

/* struct crypt_data is large and holds password-derived state, hence heap and wipe. */
static struct crypt_data *
crypt_data_new (void)
{
  return g_new0 (struct crypt_data, 1);
}

static void
crypt_data_free (struct crypt_data *data)
{
  explicit_bzero (data, sizeof *data);
  g_free (data);
}

char *
gw_password_hash (const char  *password,
                  GError     **error)
{
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  struct crypt_data *data;
  char *hash = NULL;
  const char *out;

  g_return_val_if_fail (password != NULL, NULL);

  if (password[0] == '\0')
    {
      g_set_error (error, GW_USERS_ERROR, GW_USERS_ERROR_HASH, "The password is empty");
      return NULL;
    }

  /* No random bytes passed: libxcrypt takes them from the kernel itself. */
  if (crypt_gensalt_rn ("$y$", 0, NULL, 0, setting, sizeof setting) == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, GW_USERS_ERROR, GW_USERS_ERROR_HASH,
                   "Cannot make a yescrypt salt: %s", g_strerror (saved_errno));
      return NULL;
    }

  data = crypt_data_new ();
  out = crypt_rn (password, setting, data, sizeof *data);
  if (out == NULL || out[0] != '$')
    g_set_error (error, GW_USERS_ERROR, GW_USERS_ERROR_HASH, "yescrypt hashing failed");
  else
    hash = g_strdup (out);
  crypt_data_free (data);

  return hash;
}

gboolean
gw_password_verify (const char *password,
                    const char *hash)
{
  struct crypt_data *data;
  const char *out;
  gboolean ok = FALSE;

  if (password == NULL || hash == NULL || hash[0] != '$')
    return FALSE;

  data = crypt_data_new ();
  out = crypt_rn (password, hash, data, sizeof *data);
  if (out != NULL && out[0] == '$' && strlen (out) == strlen (hash))
    ok = _gw_memeq_constant_time (out, hash, strlen (hash));
  crypt_data_free (data);

  return ok;
}

/* Stands in for unknown usernames so that they take as long as known ones. */
static const char *
dummy_hash (void)
{
  static char *hash;

  if (g_once_init_enter (&hash))
    {
      guint8 noise[24];
      g_autofree char *phrase = NULL;
      char *value;

      for (guint i = 0; i < G_N_ELEMENTS (noise); i++)
        noise[i] = g_random_int_range (0, 256);
      phrase = _gw_base64url_encode (noise, sizeof noise);
      value = gw_password_hash (phrase, NULL);
      g_once_init_leave (&hash, value);
    }

  return hash;
}

static void
gw_users_finalize (GObject *object)
{
  GwUsers *self = (GwUsers *)object;

  g_clear_pointer (&self->by_name, g_hash_table_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->users, g_ptr_array_unref);
  /* Every queued check holds a reference, so none is left by now. */
  if (self->hash_pool != NULL)
    g_thread_pool_free (g_steal_pointer (&self->hash_pool), TRUE, TRUE);

  G_OBJECT_CLASS (gw_users_parent_class)->finalize (object);
}

static void
gw_users_class_init (GwUsersClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gw_users_finalize;
}

static void
gw_users_init (GwUsers *self)
{
  self->users = g_ptr_array_new_with_free_func ((GDestroyNotify)gw_user_free);
  self->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->hash_threads = GW_USERS_DEFAULT_HASH_THREADS;
  self->hash_waiting = GW_USERS_DEFAULT_HASH_WAITING;
}

GwUsers *
gw_users_new (void)
{
  return g_object_new (GW_TYPE_USERS, NULL);
}

gboolean
gw_users_add (GwUsers     *self,
              const char  *user_id,
              const char  *username,
              GwRole       role,
              const char  *password_hash,
              GError     **error)
{
  GwUser *user;

  g_return_val_if_fail (GW_IS_USERS (self), FALSE);

  if (!gw_user_id_is_valid (user_id))
    {
      g_set_error (error, GW_USERS_ERROR, GW_USERS_ERROR_INVALID_FILE,
                   "\"userId\" must be 1 to 50 letters and digits");
      return FALSE;
    }
  if (username == NULL || username[0] == '\0' || g_utf8_strlen (username, -1) > 100)
    {
      g_set_error (error, GW_USERS_ERROR, GW_USERS_ERROR_INVALID_FILE,
                   "\"username\" of user %s must be 1 to 100 characters", user_id);
      return FALSE;
    }
  if (role > GW_ROLE_ADMIN)
    {
      g_set_error (error, GW_USERS_ERROR, GW_USERS_ERROR_INVALID_FILE,
                   "Unknown role for user %s", user_id);
      return FALSE;
    }
  /* A plaintext password here would be a leak waiting to happen: refuse it. */
  if (password_hash == NULL || !g_str_has_prefix (password_hash, "$") || strlen (password_hash) < 20)
    {
      g_set_error (error, GW_USERS_ERROR, GW_USERS_ERROR_HASH,
                   "\"passwordHash\" of user %s is not a crypt(3) hash; "
                   "make one with `livedesk-gateway hash-password`", user_id);
      return FALSE;
    }
  if (g_hash_table_contains (self->by_id, user_id))
    {
      g_set_error (error, GW_USERS_ERROR, GW_USERS_ERROR_DUPLICATE,
                   "The user id %s appears twice", user_id);
      return FALSE;
    }
  if (g_hash_table_contains (self->by_name, username))
    {
      g_set_error (error, GW_USERS_ERROR, GW_USERS_ERROR_DUPLICATE,
                   "The username \"%s\" appears twice", username);
      return FALSE;
    }

  user = g_new0 (GwUser, 1);
  user->user_id = g_strdup (user_id);
  user->username = g_strdup (username);
  user->role = role;
  user->password_hash = g_strdup (password_hash);
  g_ptr_array_add (self->users, user);
  g_hash_table_insert (self->by_id, user->user_id, user);
  g_hash_table_insert (self->by_name, user->username, user);

  return TRUE;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

GwUsers *
gw_users_new_from_data (const char  *data,
                        gssize       len,
                        GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GwUsers) self = gw_users_new ();
  g_autoptr(GError) local_error = NULL;
  JsonArray *array;
  JsonNode *root;

  g_return_val_if_fail (data != NULL, NULL);

  if (!json_parser_load_from_data (parser, data, len, &local_error))
    {
      g_set_error (error, GW_USERS_ERROR, GW_USERS_ERROR_INVALID_FILE,
                   "The users file is not valid JSON: %s", local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    {
      g_set_error (error, GW_USERS_ERROR, GW_USERS_ERROR_INVALID_FILE,
                   "The users file must be a JSON array of {userId, username, role, passwordHash}");
      return NULL;
    }

  array = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonObject *object;
      const char *role_name;
      GwRole role;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, GW_USERS_ERROR, GW_USERS_ERROR_INVALID_FILE,
                       "Entry %u of the users file is not an object", i + 1);
          return NULL;
        }

      object = json_node_get_object (node);
      role_name = string_member (object, "role");
      if (!gw_role_from_string (role_name, &role))
        {
          g_set_error (error, GW_USERS_ERROR, GW_USERS_ERROR_INVALID_FILE,
                       "Entry %u of the users file: \"role\" must be viewer, streamer, moderator or admin",
                       i + 1);
          return NULL;
        }

      if (!gw_users_add (self,
                         string_member (object, "userId"),
                         string_member (object, "username"),
                         role,
                         string_member (object, "passwordHash"),
                         &local_error))
        {
          g_set_error (error, local_error->domain, local_error->code,
                       "Entry %u of the users file: %s", i + 1, local_error->message);
          return NULL;
        }
    }

  return g_steal_pointer (&self);
}

GwUsers *
gw_users_new_from_file (const char  *path,
                        GError     **error)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len;
  GwUsers *self;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;

  self = gw_users_new_from_data (contents, len, &local_error);
  if (self == NULL)
    {
      g_set_error (error, local_error->domain, local_error->code, "%s: %s", path, local_error->message);
      return NULL;
    }

  return self;
}

guint
gw_users_get_n_users (GwUsers *self)
{
  g_return_val_if_fail (GW_IS_USERS (self), 0);

  return self->users->len;
}

const GwUser *
gw_users_lookup_by_name (GwUsers    *self,
                         const char *username)
{
  g_return_val_if_fail (GW_IS_USERS (self), NULL);

  return username != NULL ? g_hash_table_lookup (self->by_name, username) : NULL;
}

const GwUser *
gw_users_lookup_by_id (GwUsers    *self,
                       const char *user_id)
{
  g_return_val_if_fail (GW_IS_USERS (self), NULL);

  return user_id != NULL ? g_hash_table_lookup (self->by_id, user_id) : NULL;
}

char *
gw_users_to_data (GwUsers *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  g_return_val_if_fail (GW_IS_USERS (self), NULL);

  json_builder_begin_array (builder);
  for (guint i = 0; i < self->users->len; i++)
    {
      const GwUser *user = g_ptr_array_index (self->users, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "userId");
      json_builder_add_string_value (builder, user->user_id);
      json_builder_set_member_name (builder, "username");
      json_builder_add_string_value (builder, user->username);
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, gw_role_to_string (user->role));
      json_builder_set_member_name (builder, "passwordHash");
      json_builder_add_string_value (builder, user->password_hash);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);

  return json_generator_to_data (generator, NULL);
}

gboolean
gw_users_save_to_file (GwUsers     *self,
                       const char  *path,
                       GError     **error)
{
  g_autofree char *data = NULL;

  g_return_val_if_fail (GW_IS_USERS (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  data = gw_users_to_data (self);

  return g_file_set_contents_full (path, data, -1,
                                   G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_ONLY_EXISTING,
                                   0600, error);
}

typedef struct
{
  char   *password;
  char   *hash;   /* NULL: unknown user, checked against the dummy */
  GwUser *user;
} Attempt;

static void
attempt_free (Attempt *attempt)
{
  wipe_string (attempt->password);
  g_free (attempt->hash);
  g_clear_pointer (&attempt->user, gw_user_free);
  g_free (attempt);
}

static Attempt *
attempt_new (GwUsers    *self,
             const char *username,
             const char *password)
{
  Attempt *attempt = g_new0 (Attempt, 1);
  const GwUser *user = gw_users_lookup_by_name (self, username);

  attempt->password = g_strdup (password != NULL ? password : "");
  if (user != NULL)
    {
      attempt->user = gw_user_copy (user);
      attempt->hash = g_strdup (user->password_hash);
    }

  return attempt;
}

static GwUser *
attempt_run (Attempt  *attempt,
             GError  **error)
{
  gboolean ok;

  ok = gw_password_verify (attempt->password,
                           attempt->hash != NULL ? attempt->hash : dummy_hash ());
  if (!ok || attempt->user == NULL)
    {
      g_set_error (error, GW_USERS_ERROR, GW_USERS_ERROR_BAD_CREDENTIALS,
                   "Invalid username or password");
      return NULL;
    }

  return g_steal_pointer (&attempt->user);
}

typedef struct
{
  GTask  *task;
  GwUser *user;
  GError *error;
} HashJob;

/* Back on the caller's context: the check leaves the queue only now, so
 * the queue's length never changes under the caller's feet. */
static gboolean
hash_job_deliver (gpointer data)
{
  HashJob *job = data;
  GwUsers *self = g_task_get_source_object (job->task);

  g_atomic_int_dec_and_test (&self->hash_queued);
  if (job->user != NULL)
    g_task_return_pointer (job->task, job->user, (GDestroyNotify)gw_user_free);
  else
    g_task_return_error (job->task, job->error);
  g_object_unref (job->task);
  g_free (job);

  return G_SOURCE_REMOVE;
}

static void
hash_job_run (gpointer data,
              gpointer pool_data)
{
  HashJob *job = data;

  g_autoptr(GSource) source = g_idle_source_new ();

  job->user = attempt_run (g_task_get_task_data (job->task), &job->error);
  /* Never g_main_context_invoke(): it may run the callback on this thread. */
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, hash_job_deliver, job, NULL);
  g_source_attach (source, g_task_get_context (job->task));
}

void
gw_users_set_hash_queue (GwUsers *self,
                         guint    threads,
                         guint    max_waiting)
{
  g_return_if_fail (GW_IS_USERS (self));
  g_return_if_fail (threads > 0);

  self->hash_threads = threads;
  self->hash_waiting = max_waiting;
  if (self->hash_pool != NULL)
    g_thread_pool_set_max_threads (self->hash_pool, (gint) threads, NULL);
}

guint
gw_users_get_hash_queue_length (GwUsers *self)
{
  g_return_val_if_fail (GW_IS_USERS (self), 0);

  return (guint) g_atomic_int_get (&self->hash_queued);
}

void
gw_users_authenticate_async (GwUsers             *self,
                             const char          *username,
                             const char          *password,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  HashJob *job;

  g_return_if_fail (GW_IS_USERS (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gw_users_authenticate_async);

  /* A flood of logins must not become an unbounded backlog of hashes. */
  if ((guint) g_atomic_int_get (&self->hash_queued) >= self->hash_threads + self->hash_waiting)
    {
      g_task_return_new_error (task, GW_USERS_ERROR, GW_USERS_ERROR_BUSY,
                               "Too many password checks are waiting");
      return;
    }

  if (self->hash_pool == NULL)
    self->hash_pool = g_thread_pool_new (hash_job_run, NULL, (gint) self->hash_threads, FALSE, NULL);

  /* Copies: the worker never touches the tables, so no locking is needed. */
  g_task_set_task_data (task, attempt_new (self, username, password), (GDestroyNotify)attempt_free);
  job = g_new0 (HashJob, 1);
  job->task = g_steal_pointer (&task);
  g_atomic_int_inc (&self->hash_queued);
  g_thread_pool_push (self->hash_pool, job, NULL);
}

GwUser *
gw_users_authenticate_finish (GwUsers       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (GW_IS_USERS (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GwUser *
gw_users_authenticate (GwUsers     *self,
                       const char  *username,
                       const char  *password,
                       GError     **error)
{
  Attempt *attempt;
  GwUser *user;

  g_return_val_if_fail (GW_IS_USERS (self), NULL);

  attempt = attempt_new (self, username, password);
  user = attempt_run (attempt, error);
  attempt_free (attempt);

  return user;
}
