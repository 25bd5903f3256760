/* ld-test-gateway.h: a real `livedesk-gateway serve` for the session and CLI
 * tests: its own users file and secret in a temporary directory, a free
 * port, killed with the test.
 *
 * Users (all with the password LD_TEST_PASSWORD): alice and bob (viewers),
 * mia (moderator), ada (admin). User ids equal the usernames.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-session.h"
#include "ld-token-store.h"

G_BEGIN_DECLS

#define LD_TEST_PASSWORD "correct horse"
#define LD_TEST_SECRET "session-test-secret-0123456789abcdef0123456789"

typedef struct _LdTestGateway LdTestGateway;

/* PROGRAM: the livedesk-gateway executable. */
LdTestGateway *ld_test_gateway_start     (const char    *program);
/* With more `serve` options (NULL-terminated), e.g. "--presence-timeout", "2". */
LdTestGateway *ld_test_gateway_start_with (const char    *program,
                                           const char    *first_arg,
                                           ...) G_GNUC_NULL_TERMINATED;
guint          ld_test_gateway_get_port  (LdTestGateway *gateway);
/* "http://127.0.0.1:PORT": the gateway and its REST API. */
const char    *ld_test_gateway_get_url   (LdTestGateway *gateway);
/* SIGKILL: the clients see the connection drop, not a goodbye. */
void           ld_test_gateway_kill      (LdTestGateway *gateway);
/* Starts it again on the same port (after kill). */
void           ld_test_gateway_restart   (LdTestGateway *gateway);
/* A signed access token for USER (id = name) with ROLE, valid TTL seconds. */
char          *ld_test_gateway_mint      (LdTestGateway *gateway,
                                          const char    *user,
                                          const char    *role,
                                          int            ttl);
/* Logs USER in over REST (synchronously). */
LdTokens      *ld_test_gateway_login     (LdTestGateway *gateway,
                                          const char    *user);
void           ld_test_gateway_free      (LdTestGateway *gateway);

/* A session with TOKENS against GATEWAY (its socket and REST API), which
 * does not reconnect on its own: a test says when. Not connected yet. */
LdSession     *ld_test_gateway_new_session    (LdTestGateway  *gateway,
                                               const LdTokens *tokens);
/* The same for USER with ROLE and a fresh 15-minute token, connected and
 * online; fails the test after TIMEOUT_MS. */
LdSession     *ld_test_gateway_online_session (LdTestGateway  *gateway,
                                               const char     *user,
                                               const char     *role,
                                               guint           timeout_ms);
/* Joins ROOM_ID, which must succeed within TIMEOUT_MS and make it the
 * current room. */
void           ld_test_session_join           (LdSession      *session,
                                               const char     *room_id,
                                               guint           timeout_ms);

/* What a user sends, sent again after a second each time the client's own
 * rate limit (one send a second per user) refuses it; any other refusal
 * fails the test. TIMEOUT_MS bounds each wait for an answer. */
LdMessage     *ld_test_session_send_text      (LdSession      *session,
                                               const char     *text);
void           ld_test_session_send_gift      (LdSession      *session,
                                               const LdRoomGift *gift,
                                               guint           timeout_ms);
/* The texts of USER's messages in the current room, in order, joined with
 * ","; whether they are EXPECTED; how many of them are TEXT. */
char          *ld_test_session_texts          (LdSession      *session,
                                               const char     *user);
gboolean       ld_test_session_texts_are      (LdSession      *session,
                                               const char     *user,
                                               const char     *expected);
guint          ld_test_session_count_text     (LdSession      *session,
                                               const char     *user,
                                               const char     *text);
/* Opens (or adds to) a "billing" support ticket with TEXT. */
void           ld_test_session_contact_support (LdSession     *session,
                                                const char    *text,
                                                guint          timeout_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LdTestGateway, ld_test_gateway_free)

G_END_DECLS
