/* sio-conformance-fixture.c: the server that the official protocol suites of the
 * socket.io repository (docs/engine.io-protocol/v4-test-suite and
 * docs/socket.io-protocol/v5-test-suite) expect on localhost:3000. Not a test
 * itself, since the port is fixed: run it, then run the suites.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib-unix.h>

#include "sio-engine.h"
#include "sio-server.h"

#define PORT 3000
#define PING_INTERVAL 300
#define PING_TIMEOUT 200
#define MAX_PAYLOAD 1000000
#define CONNECT_TIMEOUT 1000

static void
on_engine_message (SioEngineSocket *socket,
                   gboolean         binary,
                   GBytes          *data,
                   gpointer         user_data)
{
  gsize len;
  const char *text;

  if (binary)
    {
      sio_engine_socket_send_binary (socket, data);
      return;
    }
  text = g_bytes_get_data (data, &len);
  sio_engine_socket_send_text (socket, text, len);
}

static void
on_engine_connection (SioEngine       *engine,
                      SioEngineSocket *socket,
                      gpointer         user_data)
{
  g_signal_connect (socket, "message", G_CALLBACK (on_engine_message), NULL);
}

static void
on_message (SioServerSocket *socket,
            const char      *event,
            JsonArray       *args,
            GPtrArray       *attachments,
            SioServerAck    *ack,
            gpointer         user_data)
{
  sio_server_socket_emit (socket, "message-back", args, attachments);
}

static void
on_message_with_ack (SioServerSocket *socket,
                     const char      *event,
                     JsonArray       *args,
                     GPtrArray       *attachments,
                     SioServerAck    *ack,
                     gpointer         user_data)
{
  if (ack != NULL)
    sio_server_ack_send (ack, args, attachments);
}

static void
on_connection (SioServerNamespace *nsp,
               SioServerSocket    *socket,
               gpointer            user_data)
{
  g_autoptr(JsonArray) args = json_array_new ();

  json_array_add_object_element (args, json_object_ref (sio_server_socket_get_auth (socket)));
  sio_server_socket_emit (socket, "auth", args, NULL);
  g_signal_connect (socket, "event::message", G_CALLBACK (on_message), NULL);
  g_signal_connect (socket, "event::message-with-ack", G_CALLBACK (on_message_with_ack), NULL);
}

static gboolean
on_stop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SoupServer) http = soup_server_new (NULL, NULL);
  g_autoptr(SioEngine) engine = sio_engine_new ();
  g_autoptr(SioServer) server = sio_server_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  SioEngine *sio_engine = sio_server_get_engine (server);

  sio_engine_set_ping_interval (engine, PING_INTERVAL);
  sio_engine_set_ping_timeout (engine, PING_TIMEOUT);
  sio_engine_set_max_payload (engine, MAX_PAYLOAD);
  sio_engine_attach (engine, http, "/engine.io/");
  g_signal_connect (engine, "connection", G_CALLBACK (on_engine_connection), NULL);

  sio_engine_set_ping_interval (sio_engine, PING_INTERVAL);
  sio_engine_set_ping_timeout (sio_engine, PING_TIMEOUT);
  sio_engine_set_max_payload (sio_engine, MAX_PAYLOAD);
  sio_server_set_connect_timeout (server, CONNECT_TIMEOUT);
  sio_server_attach (server, http, "/socket.io/");
  g_signal_connect (sio_server_of (server, "/"), "connection", G_CALLBACK (on_connection), NULL);
  g_signal_connect (sio_server_of (server, "/custom"), "connection", G_CALLBACK (on_connection), NULL);

  /* localhost on both IPv4 and IPv6: the suites' "localhost" may resolve to either */
  if (!sio_engine_listen (http, "127.0.0.1", PORT, NULL, &error) ||
      !sio_engine_listen (http, "::1", PORT, NULL, &error))
    {
      g_printerr ("sio-conformance-fixture: %s\n", error->message);
      return 1;
    }
  g_print ("listening on http://localhost:%d (/engine.io/, /socket.io/)\n", PORT);
  g_unix_signal_add (SIGINT, on_stop, loop);
  g_unix_signal_add (SIGTERM, on_stop, loop);
  g_main_loop_run (loop);
  sio_server_close (server);
  sio_engine_close (engine);
  return 0;
}
