/* ld-test-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ld-test-util.h"

static gboolean
on_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
ld_test_wait_for (gboolean (*check) (gpointer data),
                  gpointer   data,
                  guint      timeout_ms)
{
  gboolean timed_out = FALSE;
  guint source = g_timeout_add (timeout_ms, on_timeout, &timed_out);

  while (!check (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (source);
  return check (data);
}

gboolean
ld_test_is_set (gpointer data)
{
  return *(gpointer *) data != NULL;
}

void
ld_test_store_result (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
on_tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

LdTestWait
ld_test_wait_begin (guint timeout_ms)
{
  LdTestWait wait = {
    .deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND,
    .tick = g_timeout_add (20, on_tick, NULL),
  };

  return wait;
}

void
ld_test_wait_step (LdTestWait *wait,
                   const char *file,
                   int         line,
                   const char *what)
{
  if (g_get_monotonic_time () > wait->deadline)
    g_error ("%s:%d: timed out waiting for %s", file, line, what);
  g_main_context_iteration (NULL, TRUE);
}

void
ld_test_wait_end (LdTestWait *wait)
{
  g_clear_handle_id (&wait->tick, g_source_remove);
}

char *
ld_test_unsigned_jwt (const char *sub,
                      const char *name)
{
  g_autofree char *name_claim = name != NULL ? g_strdup_printf ("\"name\":\"%s\",", name) : g_strdup ("");
  g_autofree char *claims = g_strdup_printf ("{\"sub\":\"%s\",%s\"role\":\"viewer\",\"exp\":%" G_GINT64_FORMAT "}",
                                             sub, name_claim, g_get_real_time () / G_USEC_PER_SEC + 3600);
  g_autofree char *header = g_base64_encode ((const guchar *) "{\"alg\":\"HS256\"}", 15);
  g_autofree char *body = g_base64_encode ((const guchar *) claims, strlen (claims));
  char *token = g_strdup_printf ("%s.%s.c2lnbmF0dXJl", header, body);

  g_strdelimit (token, "=", '\0');
  for (char *p = token; *p != '\0'; p++)
    *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
  return token;
}
