/* test-peer.h: a Node.js peer (the official socket.io packages under tests/peers)
 * run as a child process that tests talk to over stdin/stdout, one JSON object a line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _TestPeer TestPeer;

/* Runs `node $LIVEDESK_PEERS_DIR/SCRIPT ARGS…` and waits (iterating the default
 * main context) for its first line, which must be a JSON object; a "port"
 * member, if any, is kept. Aborts the test if the peer does not start. */
TestPeer   *test_peer_start      (const char *script,
                                  ...) G_GNUC_NULL_TERMINATED;
guint       test_peer_get_port   (TestPeer   *peer);
/* The next line the peer printed, parsed; NULL after timeout_ms. Iterates the
 * default main context while it waits, so the code under test keeps running. */
JsonObject *test_peer_next       (TestPeer   *peer,
                                  guint       timeout_ms);
/* Waits for the next line whose "event" member is EVENT, dropping others. */
JsonObject *test_peer_expect     (TestPeer   *peer,
                                  const char *event,
                                  guint       timeout_ms);
/* Writes one line (a JSON object in printf format) to the peer's stdin. */
void        test_peer_send       (TestPeer   *peer,
                                  const char *format,
                                  ...) G_GNUC_PRINTF (2, 3);
void        test_peer_signal     (TestPeer   *peer,
                                  int         signum);
/* Kills the peer (SIGKILL) and waits for it to exit. */
void        test_peer_stop       (TestPeer   *peer);
void        test_peer_free       (TestPeer   *peer);

/* Iterates the default main context until *flag is TRUE or timeout_ms passes. */
gboolean    test_wait_until      (const gboolean *flag,
                                  guint           timeout_ms);
/* Iterates the default main context for ms milliseconds. */
void        test_spin            (guint           ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestPeer, test_peer_free)

G_END_DECLS
