/* test-ld-token-refresh.c: the refresh's retry policy without a network:
 * a fake REST call answers what each test says, an LdTestClock moves time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-test-clock.h"
#include "ld-token-refresh-private.h"

/* The fake REST API: every try waits in PENDING until the test answers it. */
typedef struct
{
  GPtrArray *tokens_sent; /* the refresh token of each try */
  GTask     *pending;
} FakeRest;

static void
fake_start (gpointer             data,
            const char          *refresh_token,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  FakeRest *fake = data;

  g_assert_null (fake->pending);
  g_ptr_array_add (fake->tokens_sent, g_strdup (refresh_token));
  fake->pending = g_task_new (NULL, cancellable, callback, user_data);
}

static LdTokens *
fake_finish (gpointer       data,
             GAsyncResult  *result,
             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Answers the try under way with TOKENS (taken) or ERROR (taken). */
static void
answer (FakeRest *fake,
        LdTokens *tokens,
        GError   *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&fake->pending);

  g_assert_nonnull (task);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, tokens, (GDestroyNotify) ld_tokens_free);
  drain ();
}

static GError *
network_error (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "Connection refused");
}

typedef struct
{
  LdTestClock    *clock;
  LdTokenRefresh *refresh;
  FakeRest        fake;
  GArray         *delays;  /* ::retrying's delays */
  gboolean        done;
  LdTokens       *result;
  GError         *error;
} Fixture;

static void
on_retrying (LdTokenRefresh *refresh,
             guint           delay,
             const GError   *error,
             Fixture        *f)
{
  g_assert_nonnull (error);
  g_array_append_val (f->delays, delay);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *f = user_data;

  g_assert_false (f->done);
  f->done = TRUE;
  f->result = ld_token_refresh_run_finish (LD_TOKEN_REFRESH (source), result, &f->error);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->clock = ld_test_clock_new ();
  f->refresh = ld_token_refresh_new (NULL, LD_CLOCK (f->clock));
  f->fake.tokens_sent = g_ptr_array_new_with_free_func (g_free);
  _ld_token_refresh_set_backend (f->refresh, fake_start, fake_finish, &f->fake);
  f->delays = g_array_new (FALSE, FALSE, sizeof (guint));
  g_signal_connect (f->refresh, "retrying", G_CALLBACK (on_retrying), f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->fake.pending != NULL)
    answer (&f->fake, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled"));
  drain ();
  g_clear_object (&f->refresh);
  g_clear_object (&f->clock);
  g_ptr_array_unref (f->fake.tokens_sent);
  g_array_unref (f->delays);
  g_clear_pointer (&f->result, ld_tokens_free);
  g_clear_error (&f->error);
}

static guint
delay_at (Fixture *f,
          guint    i)
{
  g_assert_cmpuint (f->delays->len, >, i);
  return g_array_index (f->delays, guint, i);
}

/* Two network failures, then the server answers: tried at 0, 1 s, then
 * 2 s later, and nothing earlier. */
static void
test_fails_twice_then_succeeds (Fixture       *f,
                                gconstpointer  data)
{
  ld_token_refresh_run_async (f->refresh, "r1", NULL, on_done, f);
  g_assert_true (ld_token_refresh_is_running (f->refresh));
  g_assert_cmpuint (f->fake.tokens_sent->len, ==, 1);

  answer (&f->fake, NULL, network_error ());
  g_assert_cmpuint (delay_at (f, 0), ==, 1000);
  ld_test_clock_advance (f->clock, 999);
  g_assert_cmpuint (f->fake.tokens_sent->len, ==, 1);
  ld_test_clock_advance (f->clock, 1);
  g_assert_cmpuint (f->fake.tokens_sent->len, ==, 2);

  answer (&f->fake, NULL, network_error ());
  g_assert_cmpuint (delay_at (f, 1), ==, 2000);
  ld_test_clock_advance (f->clock, 1999);
  g_assert_cmpuint (f->fake.tokens_sent->len, ==, 2);
  ld_test_clock_advance (f->clock, 1);
  g_assert_cmpuint (f->fake.tokens_sent->len, ==, 3);
  g_assert_false (f->done);

  answer (&f->fake, ld_tokens_new ("a2", "r2", 0), NULL);
  g_assert_true (f->done);
  g_assert_no_error (f->error);
  g_assert_cmpstr (f->result->access_token, ==, "a2");
  g_assert_cmpstr (f->result->refresh_token, ==, "r2");
  /* Every try sent the same token. */
  for (guint i = 0; i < f->fake.tokens_sent->len; i++)
    g_assert_cmpstr (g_ptr_array_index (f->fake.tokens_sent, i), ==, "r1");
  g_assert_false (ld_token_refresh_is_running (f->refresh));
  g_assert_cmpuint (ld_test_clock_get_n_pending (f->clock), ==, 0);
}

/* Only a 401 ends the run, even after network failures, with no more tries. */
static void
test_refused (Fixture       *f,
              gconstpointer  data)
{
  ld_token_refresh_run_async (f->refresh, "r1", NULL, on_done, f);
  answer (&f->fake, NULL, network_error ());
  ld_test_clock_advance (f->clock, 1000);
  answer (&f->fake, NULL, g_error_new_literal (LD_REST_ERROR, LD_REST_ERROR_UNAUTHENTICATED, "Invalid refresh token"));
  g_assert_true (f->done);
  g_assert_error (f->error, LD_REST_ERROR, LD_REST_ERROR_UNAUTHENTICATED);
  g_assert_null (f->result);
  g_assert_cmpuint (ld_test_clock_get_n_pending (f->clock), ==, 0);
  ld_test_clock_advance (f->clock, 60000);
  g_assert_cmpuint (f->fake.tokens_sent->len, ==, 2);
}

/* Past the 3 quick tries (at most 10 s apart) it goes on the reconnect
 * schedule, capped, for as long as it takes; a refusal of another kind
 * (a 500) is a fault too. */
static void
test_never_gives_up (Fixture       *f,
                     gconstpointer  data)
{
  ld_token_refresh_set_schedule (f->refresh, 8000, 10000, 1000, 30000);
  ld_token_refresh_run_async (f->refresh, "r1", NULL, on_done, f);
  for (guint i = 0; i < 40; i++)
    {
      answer (&f->fake, NULL, i % 2 ? network_error ()
                                    : g_error_new_literal (LD_REST_ERROR, LD_REST_ERROR_REFUSED, "HTTP 500"));
      g_assert_false (f->done);
      g_assert_cmpuint (f->delays->len, ==, i + 1);
      ld_test_clock_advance (f->clock, delay_at (f, i));
      g_assert_cmpuint (f->fake.tokens_sent->len, ==, i + 2);
    }
  g_assert_cmpuint (delay_at (f, 0), ==, 8000);
  g_assert_cmpuint (delay_at (f, 1), ==, 10000);
  for (guint i = 2; i < f->delays->len; i++)
    {
      g_assert_cmpuint (delay_at (f, i), >=, 500);
      g_assert_cmpuint (delay_at (f, i), <=, 30000);
    }
  /* Late in the schedule the waits have grown to the cap's range. */
  g_assert_cmpuint (delay_at (f, 39), >=, 15000);
  g_assert_cmpuint (ld_token_refresh_get_failures (f->refresh), ==, 40);

  /* The answer keeps the rotated token it was sent when none comes back. */
  answer (&f->fake, ld_tokens_new ("a2", NULL, 0), NULL);
  g_assert_true (f->done);
  g_assert_cmpstr (f->result->access_token, ==, "a2");
  g_assert_cmpstr (f->result->refresh_token, ==, "r1");
}

/* The network back: the waiting try goes at once; stopping ends the run
 * (cancelled) and the answer of a try on the wire is dropped. */
static void
test_retry_now_and_stop (Fixture       *f,
                         gconstpointer  data)
{
  ld_token_refresh_retry_now (f->refresh); /* no run: nothing */
  ld_token_refresh_run_async (f->refresh, "r1", NULL, on_done, f);
  ld_token_refresh_retry_now (f->refresh); /* a try on the wire: nothing */
  g_assert_cmpuint (f->fake.tokens_sent->len, ==, 1);
  answer (&f->fake, NULL, network_error ());
  ld_token_refresh_retry_now (f->refresh);
  g_assert_cmpuint (f->fake.tokens_sent->len, ==, 2);
  g_assert_cmpuint (ld_test_clock_get_n_pending (f->clock), ==, 0);

  ld_token_refresh_stop (f->refresh);
  drain ();
  g_assert_true (f->done);
  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (ld_token_refresh_is_running (f->refresh));
  answer (&f->fake, ld_tokens_new ("a2", "r2", 0), NULL);
  g_assert_null (f->result);
}

/* A cancelled run ends at its next try instead of trying. */
static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  ld_token_refresh_run_async (f->refresh, "r1", cancellable, on_done, f);
  answer (&f->fake, NULL, network_error ());
  g_cancellable_cancel (cancellable);
  ld_test_clock_advance (f->clock, 1000);
  drain ();
  g_assert_true (f->done);
  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (f->fake.tokens_sent->len, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/token-refresh/fails-twice-then-succeeds", Fixture, NULL, fixture_set_up,
              test_fails_twice_then_succeeds, fixture_tear_down);
  g_test_add ("/token-refresh/refused", Fixture, NULL, fixture_set_up, test_refused, fixture_tear_down);
  g_test_add ("/token-refresh/never-gives-up", Fixture, NULL, fixture_set_up, test_never_gives_up,
              fixture_tear_down);
  g_test_add ("/token-refresh/retry-now-and-stop", Fixture, NULL, fixture_set_up, test_retry_now_and_stop,
              fixture_tear_down);
  g_test_add ("/token-refresh/cancelled", Fixture, NULL, fixture_set_up, test_cancelled, fixture_tear_down);

  return g_test_run ();
}
