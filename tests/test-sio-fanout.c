/* test-sio-fanout.c: a burst of broadcasts from one main loop turn, which the
 * engine holds back and writes together per connection, reaches official
 * socket.io clients (tests/peers/fanout-peer.mjs) whole and in order, and
 * what a socket was sent before it is disconnected still reaches it first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "sio-server.h"
#include "test-peer.h"

#define TIMEOUT 30000
#define CLIENTS 20
#define BURST 200

typedef struct {
  SoupServer *http;
  SioServer  *server;
  guint       port;
  TestPeer   *peer;
  GPtrArray  *sockets;
} Fixture;

/* As lengthOf() in fanout-peer.mjs. */
static guint
length_of (guint i)
{
  return i % 50 == 49 ? 150000 : (i * 7) % 100;
}

static void
on_connection (SioServerNamespace *nsp,
               SioServerSocket    *socket,
               gpointer            user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->sockets, g_object_ref (socket));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *port = NULL;
  g_autofree char *n = g_strdup_printf ("%u", CLIENTS);

  f->sockets = g_ptr_array_new_with_free_func (g_object_unref);
  f->http = soup_server_new (NULL, NULL);
  f->server = sio_server_new ();
  sio_server_attach (f->server, f->http, "/socket.io/");
  g_signal_connect (sio_server_of (f->server, "/"), "connection", G_CALLBACK (on_connection), f);
  sio_engine_listen (f->http, "127.0.0.1", 0, &f->port, &error);
  g_assert_no_error (error);

  port = g_strdup_printf ("%u", f->port);
  f->peer = test_peer_start ("fanout-peer.mjs", port, n, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->peer, test_peer_free);
  sio_server_close (f->server);
  g_clear_pointer (&f->sockets, g_ptr_array_unref);
  g_assert_finalize_object (f->server);
  soup_server_disconnect (f->http);
  g_clear_object (&f->http);
  /* let libsoup finish with the closed connections */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
emit_seq (SioServerNamespace *nsp,
          guint               i)
{
  g_autoptr(JsonArray) args = json_array_new ();
  g_autofree char *text = g_malloc (length_of (i) + 1);

  memset (text, 'x', length_of (i));
  text[length_of (i)] = '\0';
  json_array_add_int_element (args, i);
  json_array_add_string_element (args, text);
  sio_server_namespace_emit (nsp, "seq", args, NULL);
}

/* The server-side socket of the peer's client 0, which connected in no
 * particular place among the others. */
static SioServerSocket *
client_zero (Fixture *f)
{
  for (guint i = 0; i < f->sockets->len; i++)
    {
      SioServerSocket *socket = g_ptr_array_index (f->sockets, i);
      JsonObject *auth = sio_server_socket_get_auth (socket);

      if (json_object_get_int_member_with_default (auth, "index", -1) == 0)
        return socket;
    }
  g_assert_not_reached ();
}

static void
test_burst (Fixture       *f,
            gconstpointer  data)
{
  SioServerNamespace *nsp = sio_server_of (f->server, "/");
  g_autoptr(JsonObject) line = NULL;
  g_autoptr(JsonArray) none = json_array_new ();
  g_autoptr(GHashTable) reported = g_hash_table_new (NULL, NULL);
  SioServerSocket *first;

  line = test_peer_expect (f->peer, "connected", TIMEOUT);
  g_assert_nonnull (line);
  g_assert_cmpuint (f->sockets->len, ==, CLIENTS);

  /* All of it without returning to the main loop, so that every frame of
   * the burst is waiting in the engine at once. */
  for (guint i = 0; i < BURST; i++)
    emit_seq (nsp, i);
  sio_server_namespace_emit (nsp, "end", none, NULL);
  first = client_zero (f);
  sio_server_socket_emit (first, "bye", none, NULL);
  sio_server_socket_disconnect (first, TRUE);

  while (g_hash_table_size (reported) < CLIENTS)
    {
      g_autoptr(JsonObject) report = test_peer_expect (f->peer, "report", TIMEOUT);
      guint index;

      if (report == NULL)
        {
          GString *got = g_string_new (NULL);

          for (guint i = 0; i < CLIENTS; i++)
            if (!g_hash_table_contains (reported, GUINT_TO_POINTER (i + 1)))
              g_string_append_printf (got, " %u", i);
          g_test_message ("no report from clients%s", got->str);
          g_string_free (got, TRUE);
        }
      g_assert_nonnull (report);
      index = (guint) json_object_get_int_member (report, "index");
      g_assert_false (g_hash_table_contains (reported, GUINT_TO_POINTER (index + 1)));
      g_hash_table_add (reported, GUINT_TO_POINTER (index + 1));

      g_assert_cmpint (json_object_get_int_member (report, "got"), ==, BURST);
      g_assert_true (json_object_get_boolean_member (report, "ordered"));
      g_assert_true (json_object_get_boolean_member (report, "end"));
      if (index == 0)
        {
          /* the last words came before the disconnection did */
          g_assert_true (json_object_get_boolean_member (report, "bye"));
          g_assert_cmpstr (json_object_get_string_member (report, "reason"), ==, "io server disconnect");
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/sio-fanout/burst", Fixture, NULL, fixture_setup, test_burst, fixture_teardown);
  return g_test_run ();
}
