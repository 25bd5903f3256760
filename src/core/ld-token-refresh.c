/* ld-token-refresh.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-token-refresh-private.h"

#include "sio-client.h"

#include "ld-real-clock.h"

struct _LdTokenRefresh
{
  GObject               parent_instance;

  LdRestClient         *rest;
  LdClock              *clock;

  LdTokenRefreshStart   start;
  LdTokenRefreshFinish  finish;
  gpointer              backend_data;

  guint                 retry_base_ms;
  guint                 retry_max_ms;
  guint                 backoff_base_ms;
  guint                 backoff_max_ms;

  /* The run under way (owned), its refresh token, its failures, and the
   * timer before its next try. */
  GTask                *task;
  char                 *refresh_token;
  guint                 failures;
  guint                 retry_id;
};

G_DEFINE_FINAL_TYPE (LdTokenRefresh, ld_token_refresh, G_TYPE_OBJECT)

enum
{
  RETRYING,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void try_once (LdTokenRefresh *self);

static void
rest_start (gpointer             data,
            const char          *refresh_token,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  ld_rest_client_refresh_async (LD_REST_CLIENT (data), refresh_token, cancellable, callback, user_data);
}

static LdTokens *
rest_finish (gpointer       data,
             GAsyncResult  *result,
             GError       **error)
{
  return ld_rest_client_refresh_finish (LD_REST_CLIENT (data), result, error);
}

/* Ends the run under way; takes RESULT or ERROR. */
static void
complete (LdTokenRefresh *self,
          LdTokens       *tokens,
          GError         *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  if (self->retry_id != 0)
    {
      ld_clock_remove (self->clock, self->retry_id);
      self->retry_id = 0;
    }
  g_clear_pointer (&self->refresh_token, g_free);
  if (task == NULL)
    return;
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, tokens, (GDestroyNotify) ld_tokens_free);
}

static void
on_retry_due (gpointer user_data)
{
  LdTokenRefresh *self = user_data;

  self->retry_id = 0;
  try_once (self);
}

/* The guide's RetryManager: the first tries 1 s apart, doubling, at most
 * 10 s; then the reconnect schedule, jittered, for as long as it takes. */
static guint
next_delay (LdTokenRefresh *self)
{
  if (self->failures < LD_TOKEN_REFRESH_TRIES)
    return MIN (self->retry_base_ms << MIN (self->failures - 1, 16), self->retry_max_ms);
  return sio_client_backoff_delay (self->backoff_base_ms, self->backoff_max_ms, 0.5,
                                   MIN (self->failures - LD_TOKEN_REFRESH_TRIES, 30), g_random_double ());
}

static void
on_tried (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  LdTokenRefresh *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  LdTokens *tokens = self->finish (self->backend_data, result, &error);
  guint delay;

  /* Stopped or cancelled meanwhile: this answer is no one's. */
  if (self->task != task)
    {
      g_clear_pointer (&tokens, ld_tokens_free);
      return;
    }

  if (tokens != NULL)
    {
      /* The refresh token rotates: keep the one we have if none came back. */
      if (tokens->refresh_token == NULL)
        {
          LdTokens *merged = ld_tokens_new (tokens->access_token, self->refresh_token, tokens->expires_at);

          ld_tokens_free (tokens);
          tokens = merged;
        }
      complete (self, tokens, NULL);
      return;
    }

  /* Only the server saying no ends the run; anything else is a fault to
   * wait out. */
  if (g_error_matches (error, LD_REST_ERROR, LD_REST_ERROR_UNAUTHENTICATED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      complete (self, NULL, g_steal_pointer (&error));
      return;
    }

  self->failures++;
  delay = next_delay (self);
  self->retry_id = ld_clock_add_timeout (self->clock, delay, on_retry_due, self, NULL);
  g_signal_emit (self, signals[RETRYING], 0, delay, error);
}

static void
try_once (LdTokenRefresh *self)
{
  GCancellable *cancellable = g_task_get_cancellable (self->task);

  if (g_cancellable_is_cancelled (cancellable))
    {
      complete (self, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled"));
      return;
    }
  self->start (self->backend_data, self->refresh_token, cancellable, on_tried, g_object_ref (self->task));
}

void
ld_token_refresh_run_async (LdTokenRefresh      *self,
                            const char          *refresh_token,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (LD_IS_TOKEN_REFRESH (self));
  g_return_if_fail (refresh_token != NULL);
  g_return_if_fail (self->task == NULL);
  g_return_if_fail (self->start != NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, ld_token_refresh_run_async);
  self->refresh_token = g_strdup (refresh_token);
  self->failures = 0;
  try_once (self);
}

LdTokens *
ld_token_refresh_run_finish (LdTokenRefresh  *self,
                             GAsyncResult    *result,
                             GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
ld_token_refresh_is_running (LdTokenRefresh *self)
{
  g_return_val_if_fail (LD_IS_TOKEN_REFRESH (self), FALSE);

  return self->task != NULL;
}

guint
ld_token_refresh_get_failures (LdTokenRefresh *self)
{
  g_return_val_if_fail (LD_IS_TOKEN_REFRESH (self), 0);

  return self->failures;
}

void
ld_token_refresh_retry_now (LdTokenRefresh *self)
{
  g_return_if_fail (LD_IS_TOKEN_REFRESH (self));

  if (self->task == NULL || self->retry_id == 0)
    return;
  ld_clock_remove (self->clock, self->retry_id);
  self->retry_id = 0;
  try_once (self);
}

void
ld_token_refresh_stop (LdTokenRefresh *self)
{
  g_return_if_fail (LD_IS_TOKEN_REFRESH (self));

  if (self->task != NULL)
    complete (self, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled"));
}

void
ld_token_refresh_set_schedule (LdTokenRefresh *self,
                               guint           retry_base_ms,
                               guint           retry_max_ms,
                               guint           backoff_base_ms,
                               guint           backoff_max_ms)
{
  g_return_if_fail (LD_IS_TOKEN_REFRESH (self));

  self->retry_base_ms = MAX (retry_base_ms, 1);
  self->retry_max_ms = MAX (retry_max_ms, self->retry_base_ms);
  self->backoff_base_ms = MAX (backoff_base_ms, 1);
  self->backoff_max_ms = MAX (backoff_max_ms, self->backoff_base_ms);
}

void
_ld_token_refresh_set_backend (LdTokenRefresh       *self,
                               LdTokenRefreshStart   start,
                               LdTokenRefreshFinish  finish,
                               gpointer              data)
{
  g_return_if_fail (LD_IS_TOKEN_REFRESH (self));
  g_return_if_fail (start != NULL && finish != NULL);

  self->start = start;
  self->finish = finish;
  self->backend_data = data;
}

static void
ld_token_refresh_dispose (GObject *object)
{
  LdTokenRefresh *self = LD_TOKEN_REFRESH (object);

  /* A run holds a reference to us, so none is under way here. */
  g_clear_object (&self->rest);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (ld_token_refresh_parent_class)->dispose (object);
}

static void
ld_token_refresh_class_init (LdTokenRefreshClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ld_token_refresh_dispose;

  /* A try failed (ERROR, not a refusal); the next one in DELAY_MS. */
  signals[RETRYING] = g_signal_new ("retrying", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                    NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_ERROR);
}

static void
ld_token_refresh_init (LdTokenRefresh *self)
{
  self->retry_base_ms = LD_TOKEN_REFRESH_RETRY_DELAY_MS;
  self->retry_max_ms = LD_TOKEN_REFRESH_RETRY_DELAY_MAX_MS;
  self->backoff_base_ms = LD_TOKEN_REFRESH_BACKOFF_DELAY_MS;
  self->backoff_max_ms = LD_TOKEN_REFRESH_BACKOFF_DELAY_MAX_MS;
}

LdTokenRefresh *
ld_token_refresh_new (LdRestClient *rest,
                      LdClock      *clock)
{
  LdTokenRefresh *self;

  g_return_val_if_fail (rest == NULL || LD_IS_REST_CLIENT (rest), NULL);
  g_return_val_if_fail (clock == NULL || LD_IS_CLOCK (clock), NULL);

  self = g_object_new (LD_TYPE_TOKEN_REFRESH, NULL);
  self->rest = rest != NULL ? g_object_ref (rest) : NULL;
  self->clock = clock != NULL ? g_object_ref (clock) : ld_real_clock_new ();
  if (self->rest != NULL)
    _ld_token_refresh_set_backend (self, rest_start, rest_finish, self->rest);
  return self;
}
