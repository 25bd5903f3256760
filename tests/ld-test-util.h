/* ld-test-util.h: waiting in tests for what the main loop brings, the one
 * way every test spells it: spin the default main context until a condition
 * holds, failing (or answering FALSE) after a timeout.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Spins the default main context until CHECK (DATA) holds or TIMEOUT_MS
 * pass; returns whether it holds, so a caller may also expect it not to. */
gboolean ld_test_wait_for           (gboolean    (*check) (gpointer data),
                                     gpointer      data,
                                     guint         timeout_ms);

/* For ld_test_wait_for: whether the pointer DATA points to is set, e.g. the
 * GAsyncResult * that ld_test_store_result fills in. */
gboolean ld_test_is_set             (gpointer      data);

/* A GAsyncReadyCallback that stores a reference to RESULT in the
 * GAsyncResult * that USER_DATA points to, for WAIT_UNTIL (result != NULL). */
void     ld_test_store_result       (GObject      *source,
                                     GAsyncResult *result,
                                     gpointer      user_data);

/* For LD_TEST_WAIT_UNTIL: a deadline, and a tick that wakes the loop so a
 * condition that no event changes (time, a pipe polled) is checked again. */
typedef struct
{
  gint64 deadline;
  guint  tick;
} LdTestWait;

LdTestWait ld_test_wait_begin       (guint         timeout_ms);
/* One main context iteration, or g_error naming WHAT at FILE:LINE once the
 * deadline has passed. */
void       ld_test_wait_step        (LdTestWait   *wait,
                                     const char   *file,
                                     int           line,
                                     const char   *what);
void       ld_test_wait_end         (LdTestWait   *wait);

/* Spins the default main context until COND holds; after TIMEOUT_MS the
 * test fails with the condition's text. A macro so that COND is evaluated
 * anew each time. */
#define LD_TEST_WAIT_UNTIL(cond, timeout_ms)                                \
  G_STMT_START {                                                            \
    LdTestWait wait_ = ld_test_wait_begin (timeout_ms);                     \
    while (!(cond))                                                         \
      ld_test_wait_step (&wait_, __FILE__, __LINE__, #cond);                \
    ld_test_wait_end (&wait_);                                              \
  } G_STMT_END

/* An unsigned JWT (header HS256, a fixed fake signature) for viewer SUB,
 * with NAME (NULL for none), that expires in an hour: enough for a server
 * that does not check signatures. */
char      *ld_test_unsigned_jwt     (const char   *sub,
                                     const char   *name);

G_END_DECLS
