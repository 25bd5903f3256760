/* bench-session.c: one million chat events through LdSession's event
 * handling (the code newMessage takes from the wire) into the chat model's
 * 10,000-message ring. Prints events per second and the resident memory
 * along the way, which must stay flat once the ring is full. Never fails on
 * time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "ld-session-private.h"

#define N_EVENTS 1000000
#define SAMPLE_EVERY 100000
/* A view gets the model's batches about this often. */
#define FLUSH_EVERY 1000

/* kB of the "NAME:" line of /proc/self/status, or 0. */
static long
status_kb (const char *name)
{
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL))
    return 0;
  line = strstr (text, name);
  return line != NULL ? strtol (line + strlen (name) + 1, NULL, 10) : 0;
}

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  (*(guint *) user_data)++;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(LdSession) session = ld_session_new ("http://127.0.0.1:9", "http://127.0.0.1:9");
  LdChatModel *chat;
  guint signals = 0;
  long rss_full = 0;
  long rss_max_after_full = 0;
  gint64 start;
  gint64 elapsed;

  _ld_session_enter_room (session, "room_bench");
  chat = ld_room_get_chat (ld_session_get_current_room (session));
  g_signal_connect (chat, "items-changed", G_CALLBACK (on_items_changed), &signals);

  g_print ("events\tRSS kB\n");
  start = g_get_monotonic_time ();
  for (guint i = 0; i < N_EVENTS; i++)
    {
      g_autoptr(JsonObject) payload = json_object_new ();
      g_autoptr(JsonNode) node = NULL;
      char id[32];
      char text[64];

      g_snprintf (id, sizeof id, "m%u", i);
      g_snprintf (text, sizeof text, "tin nhắn số %u từ khán giả", i);
      json_object_set_string_member (payload, "messageId", id);
      json_object_set_string_member (payload, "roomId", "room_bench");
      json_object_set_string_member (payload, "userId", (i % 7) == 0 ? "mod1" : "viewer42");
      json_object_set_string_member (payload, "username", "Khán giả");
      json_object_set_string_member (payload, "role", (i % 7) == 0 ? "moderator" : "viewer");
      json_object_set_string_member (payload, "message", text);
      json_object_set_string_member (payload, "messageType", "text");
      json_object_set_string_member (payload, "timestamp", "2026-11-26T12:00:00.000Z");
      node = json_node_init_object (json_node_alloc (), payload);

      _ld_session_handle_event (session, "newMessage", node);

      if ((i + 1) % FLUSH_EVERY == 0)
        ld_chat_model_flush (chat);
      if ((i + 1) % SAMPLE_EVERY == 0)
        {
          long rss = status_kb ("VmRSS:");

          g_print ("%u\t%ld\n", i + 1, rss);
          if (i + 1 == SAMPLE_EVERY)
            rss_full = rss;
          else if (rss > rss_max_after_full)
            rss_max_after_full = rss;
        }
    }
  ld_chat_model_flush (chat);
  elapsed = g_get_monotonic_time () - start;

  g_print ("\n%u events in %.2f s: %.0f events/s\n", N_EVENTS, elapsed / 1e6, N_EVENTS / (elapsed / 1e6));
  g_print ("chat model: %u messages (capacity %u), %u items-changed signals\n",
           g_list_model_get_n_items (G_LIST_MODEL (chat)), ld_chat_model_get_capacity (chat), signals);
  g_print ("RSS after %u events: %ld kB; highest after that: %ld kB (growth %+ld kB); peak VmHWM %ld kB\n",
           SAMPLE_EVERY, rss_full, rss_max_after_full, rss_max_after_full - rss_full, status_kb ("VmHWM:"));
  return 0;
}
