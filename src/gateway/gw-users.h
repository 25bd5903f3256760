/* gw-users.h: the gateway's user list and password hashes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "gw-types.h"

G_BEGIN_DECLS

#define GW_USERS_ERROR (gw_users_error_quark ())

typedef enum
{
  GW_USERS_ERROR_INVALID_FILE,
  GW_USERS_ERROR_DUPLICATE,
  GW_USERS_ERROR_HASH,
  GW_USERS_ERROR_BAD_CREDENTIALS,
  /* The hash queue is full: try again shortly. */
  GW_USERS_ERROR_BUSY,
} GwUsersError;

/* Password checks at once, and waiting for a thread, before more are refused. */
#define GW_USERS_DEFAULT_HASH_THREADS 2
#define GW_USERS_DEFAULT_HASH_WAITING 32

typedef struct
{
  char   *user_id;
  char   *username;
  GwRole  role;
  char   *password_hash;  /* crypt(3) form, "$y$…" */
} GwUser;

#define GW_TYPE_USER (gw_user_get_type ())

GType    gw_user_get_type   (void) G_GNUC_CONST;
GwUser  *gw_user_copy       (const GwUser *user);
void     gw_user_free       (GwUser       *user);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GwUser, gw_user_free)

/* yescrypt, libxcrypt's (and Debian's) default; the result embeds its salt. */
char    *gw_password_hash   (const char  *password,
                             GError     **error);
/* Constant time in the hash comparison; FALSE for a malformed hash too. */
gboolean gw_password_verify (const char  *password,
                             const char  *hash);

#define GW_TYPE_USERS (gw_users_get_type ())

G_DECLARE_FINAL_TYPE (GwUsers, gw_users, GW, USERS, GObject)

GQuark        gw_users_error_quark         (void);

GwUsers      *gw_users_new                 (void);
/* The file is a JSON array of {userId, username, role, passwordHash}. */
GwUsers      *gw_users_new_from_file       (const char           *path,
                                            GError              **error);
GwUsers      *gw_users_new_from_data       (const char           *data,
                                            gssize                len,
                                            GError              **error);
gboolean      gw_users_add                 (GwUsers              *self,
                                            const char           *user_id,
                                            const char           *username,
                                            GwRole                role,
                                            const char           *password_hash,
                                            GError              **error);
guint         gw_users_get_n_users         (GwUsers              *self);
const GwUser *gw_users_lookup_by_name      (GwUsers              *self,
                                            const char           *username);
const GwUser *gw_users_lookup_by_id        (GwUsers              *self,
                                            const char           *user_id);
char         *gw_users_to_data             (GwUsers              *self);
/* Written atomically with mode 0600: the hashes are still worth guessing at. */
gboolean      gw_users_save_to_file        (GwUsers              *self,
                                            const char           *path,
                                            GError              **error);

/* At most THREADS password checks run at once and MAX_WAITING wait for a
 * thread; beyond that authenticate fails at once with GW_USERS_ERROR_BUSY. */
void          gw_users_set_hash_queue      (GwUsers              *self,
                                            guint                 threads,
                                            guint                 max_waiting);
/* Checks running or waiting now. */
guint         gw_users_get_hash_queue_length (GwUsers            *self);

/* Hashing takes tens of milliseconds by design, so it runs on the hash
 * queue's threads; an unknown username costs the same as a wrong password.
 * The result is delivered on the thread-default main context of the call,
 * and only then does the check leave the queue. */
void          gw_users_authenticate_async  (GwUsers              *self,
                                            const char           *username,
                                            const char           *password,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
GwUser       *gw_users_authenticate_finish (GwUsers              *self,
                                            GAsyncResult         *result,
                                            GError              **error);
GwUser       *gw_users_authenticate        (GwUsers              *self,
                                            const char           *username,
                                            const char           *password,
                                            GError              **error);

G_END_DECLS
