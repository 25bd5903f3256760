/* sio-tail: connects SioClient to a Socket.IO server, joins a room the way
 * PROTOCOL.md says, and prints every event as one JSON object a line.
 * What `build-aux/livedesk run` shows until the app exists.
 *
 *   sio-tail URL [ROOM]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib-unix.h>
#include <stdio.h>

#include "sio-client.h"

static const char *room = "demo_room";

static void
print_line (const char *event,
            JsonNode   *args)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *line = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "event");
  json_builder_add_string_value (builder, event);
  if (args != NULL)
    {
      json_builder_set_member_name (builder, "args");
      json_builder_add_value (builder, json_node_copy (args));
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  line = json_generator_to_data (generator, NULL);
  /* JSON is UTF-8 whatever the locale says; one line a flush, for pipes */
  fputs (line, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

static void
on_connect (SioClient  *client,
            const char *nsp,
            gpointer    user_data)
{
  g_autoptr(JsonArray) auth = json_array_new ();
  g_autoptr(JsonArray) join = json_array_new ();
  g_autoptr(JsonObject) auth_payload = json_object_new ();
  g_autoptr(JsonObject) join_payload = json_object_new ();
  g_autoptr(GError) error = NULL;

  print_line ("connect", NULL);

  json_object_set_string_member (auth_payload, "userId", "tail01");
  json_array_add_object_element (auth, g_steal_pointer (&auth_payload));
  json_object_set_string_member (join_payload, "roomId", room);
  json_object_set_string_member (join_payload, "userId", "tail01");
  json_object_set_string_member (join_payload, "username", "sio-tail");
  json_array_add_object_element (join, g_steal_pointer (&join_payload));

  if (!sio_client_emit (client, "authenticate", auth, NULL, SIO_EMIT_NONE, &error) ||
      !sio_client_emit (client, "joinRoom", join, NULL, SIO_EMIT_NONE, &error))
    g_printerr ("sio-tail: %s\n", error->message);
}

static void
on_disconnect (SioClient           *client,
               const char          *nsp,
               SioDisconnectReason  reason,
               const char           *reason_text,
               gpointer             user_data)
{
  g_printerr ("sio-tail: disconnected: %s\n", reason_text);
}

static void
on_connect_error (SioClient  *client,
                  const char *nsp,
                  const char *message,
                  JsonNode   *data,
                  gpointer    user_data)
{
  g_printerr ("sio-tail: could not connect: %s\n", message);
}

static void
on_event (SioClient    *client,
          const char   *nsp,
          const char   *event,
          JsonArray    *args,
          GPtrArray    *attachments,
          SioClientAck *ack,
          gpointer      user_data)
{
  g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), args);

  print_line (event, node);
}

static gboolean
on_interrupt (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(SioClient) client = NULL;

  if (argc < 2)
    {
      g_printerr ("usage: sio-tail URL [ROOM]\n");
      return 2;
    }
  if (argc > 2)
    room = argv[2];

  client = sio_client_new (argv[1], NULL);
  g_signal_connect (client, "connect", G_CALLBACK (on_connect), NULL);
  g_signal_connect (client, "disconnect", G_CALLBACK (on_disconnect), NULL);
  g_signal_connect (client, "connect-error", G_CALLBACK (on_connect_error), NULL);
  g_signal_connect (client, "event", G_CALLBACK (on_event), NULL);
  sio_client_connect (client);

  g_unix_signal_add (SIGINT, on_interrupt, loop);
  g_unix_signal_add (SIGTERM, on_interrupt, loop);
  g_main_loop_run (loop);
  sio_client_disconnect (client);

  return 0;
}
