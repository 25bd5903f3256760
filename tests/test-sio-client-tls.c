/* test-sio-client-tls.c: SioClient refuses a server whose certificate it
 * cannot verify, and says why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "sio-client.h"
#include "test-peer.h"

typedef struct {
  gboolean  connected;
  gboolean  failed;
  char     *message;
} Outcome;

static void
on_connect (SioClient  *client,
            const char *nsp,
            gpointer    user_data)
{
  Outcome *outcome = user_data;

  outcome->connected = TRUE;
}

static void
on_connect_error (SioClient  *client,
                  const char *nsp,
                  const char *message,
                  JsonNode   *data,
                  gpointer    user_data)
{
  Outcome *outcome = user_data;

  g_free (outcome->message);
  outcome->message = g_strdup (message);
  outcome->failed = TRUE;
}

static void
test_self_signed_refused (void)
{
  g_autoptr(TestPeer) peer = test_peer_start ("tls-peer.mjs", NULL);
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u", test_peer_get_port (peer));
  g_autoptr(SioClient) client = sio_client_new (url, NULL);
  g_autoptr(JsonObject) seen = NULL;
  Outcome outcome = { 0 };

  g_signal_connect (client, "connect", G_CALLBACK (on_connect), &outcome);
  g_signal_connect (client, "connect-error", G_CALLBACK (on_connect_error), &outcome);
  sio_client_connect (client);

  g_assert_true (test_wait_until (&outcome.failed, 20000));
  g_test_message ("refused with: %s", outcome.message);
  g_assert_false (outcome.connected);
  /* the person reading it learns it is about the certificate */
  g_assert_nonnull (strstr (outcome.message, "certificate"));

  /* and the server never saw a Socket.IO connection */
  seen = test_peer_expect (peer, "connection", 500);
  g_assert_null (seen);

  sio_client_disconnect (client);
  g_free (outcome.message);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sio-client/tls/self-signed-refused", test_self_signed_refused);
  return g_test_run ();
}
