/* test-ld-moderation-log.c: a room's moderation log, kept across restarts
 * (a new log on the same file reads it back), bounded, searchable, and
 * never taken down by a damaged file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>

#include "ld-moderation-log.h"
#include "ld-room-private.h"

static char *
temp_path (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ld-modlog-XXXXXX", &error);

  g_assert_no_error (error);
  /* A directory that does not exist yet: the log makes it. */
  return g_build_filename (dir, "moderation", "room_1.jsonl", NULL);
}

static LdModerationEntry *
timeout_entry (const char *actor,
               const char *username,
               const char *reason)
{
  return ld_moderation_entry_new (LD_MODERATION_ACTION_TIMEOUT, actor, "u1", username, reason, 600, NULL, NULL);
}

static void
test_restart (void)
{
  g_autofree char *path = temp_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LdModerationLog) log = ld_moderation_log_new ();
  g_autoptr(LdModerationLog) again = ld_moderation_log_new ();
  g_autoptr(LdModerationEntry) before = timeout_entry ("mia", "lan", "spam");
  g_autoptr(LdModerationEntry) ban = ld_moderation_entry_new (LD_MODERATION_ACTION_BAN, "mia", "u2", "Nguyễn Văn A",
                                                              "quảng cáo", 0, NULL, NULL);
  g_autoptr(LdModerationEntry) del = ld_moderation_entry_new (LD_MODERATION_ACTION_DELETE, "minh", "u1", "lan",
                                                              NULL, 0, "buy followers", NULL);
  g_autoptr(LdModerationEntry) read = NULL;
  g_autofree char *description = NULL;

  /* What happened before the log had its file is written too. */
  ld_moderation_log_add (log, before);
  g_assert_true (ld_moderation_log_set_path (log, path, &error));
  g_assert_no_error (error);
  ld_moderation_log_add (log, ban);
  ld_moderation_log_add (log, del);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 3);

  g_assert_true (ld_moderation_log_set_path (again, path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 3);
  read = g_list_model_get_item (G_LIST_MODEL (again), 1);
  g_assert_cmpint (ld_moderation_entry_get_action (read), ==, LD_MODERATION_ACTION_BAN);
  g_assert_cmpstr (ld_moderation_entry_get_actor (read), ==, "mia");
  g_assert_cmpstr (ld_moderation_entry_get_username (read), ==, "Nguyễn Văn A");
  g_assert_cmpstr (ld_moderation_entry_get_reason (read), ==, "quảng cáo");
  g_assert_true (g_date_time_equal (ld_moderation_entry_get_when (read), ld_moderation_entry_get_when (ban)));
  g_clear_object (&read);

  read = g_list_model_get_item (G_LIST_MODEL (again), 0);
  g_assert_cmpuint (ld_moderation_entry_get_seconds (read), ==, 600);
  description = ld_moderation_entry_describe (read);
  g_assert_cmpstr (description, ==, "mia timed out lan for 10 minutes");
  g_clear_object (&read);

  read = g_list_model_get_item (G_LIST_MODEL (again), 2);
  g_assert_cmpstr (ld_moderation_entry_get_message_text (read), ==, "buy followers");
}

static void
test_search (void)
{
  g_autoptr(LdModerationEntry) a = timeout_entry ("mia", "lan", "Spam links");
  g_autoptr(LdModerationEntry) b = ld_moderation_entry_new (LD_MODERATION_ACTION_BAN, "minh", "u2", "Nguyễn Văn A",
                                                            NULL, 0, NULL, NULL);
  g_autoptr(LdModerationLog) log = ld_moderation_log_new ();
  g_autoptr(GPtrArray) about = NULL;

  g_assert_true (ld_moderation_entry_matches (a, ""));
  g_assert_true (ld_moderation_entry_matches (a, "SPAM"));
  g_assert_true (ld_moderation_entry_matches (a, "lan"));
  g_assert_true (ld_moderation_entry_matches (a, "timed out"));
  g_assert_false (ld_moderation_entry_matches (a, "banned"));
  g_assert_true (ld_moderation_entry_matches (b, "nguyễn"));
  g_assert_true (ld_moderation_entry_matches (b, "ban"));
  g_assert_false (ld_moderation_entry_matches (b, "mia"));

  ld_moderation_log_add (log, a);
  ld_moderation_log_add (log, b);
  about = ld_moderation_log_lookup_user (log, "u2");
  g_assert_cmpuint (about->len, ==, 1);
  g_assert_true (g_ptr_array_index (about, 0) == b);
}

static void
test_bounded (void)
{
  g_autofree char *path = temp_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LdModerationLog) log = ld_moderation_log_new ();
  g_autoptr(LdModerationLog) again = ld_moderation_log_new ();
  g_autofree char *contents = NULL;
  g_autoptr(LdModerationEntry) last = NULL;
  guint lines = 0;

  ld_moderation_log_set_capacity (log, 10);
  g_assert_true (ld_moderation_log_set_path (log, path, &error));
  for (guint i = 0; i < 55; i++)
    {
      g_autofree char *name = g_strdup_printf ("user%u", i);
      g_autoptr(LdModerationEntry) entry = timeout_entry ("mia", name, NULL);

      ld_moderation_log_add (log, entry);
    }
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 10);

  /* The file never holds more than twice the capacity. */
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  for (const char *p = contents; *p != '\0'; p++)
    lines += *p == '\n';
  g_assert_cmpuint (lines, <, 20);

  ld_moderation_log_set_capacity (again, 10);
  g_assert_true (ld_moderation_log_set_path (again, path, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, 10);
  last = g_list_model_get_item (G_LIST_MODEL (again), 9);
  g_assert_cmpstr (ld_moderation_entry_get_username (last), ==, "user54");
}

static void
test_damaged (void)
{
  g_autofree char *path = temp_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(LdModerationLog) log = ld_moderation_log_new ();
  g_autoptr(LdModerationEntry) entry = NULL;
  g_autofree char *long_line = g_strnfill (LD_MODERATION_LOG_MAX_LINE + 10, 'x');
  g_autofree char *contents = g_strconcat (
    "not json\n",
    "[1,2]\n",
    "{\"action\":\"ban\"}\n",
    "{\"action\":\"explode\",\"when\":\"2026-12-06T03:00:00Z\"}\n",
    "{\"action\":\"ban\",\"when\":\"yesterday\"}\n",
    "{\"action\":\"ban\",\"when\":\"2026-12-06T03:00:00Z\",\"by\":7,\"username\":\"lan\",\"seconds\":\"x\"}\n",
    "\xff\xfe\n",
    long_line, "\n",
    "{\"action\":\"unban\",\"when\":\"2026-12-06T03:01:00Z\",\"by\":\"mia\",\"userId\":\"u1\"", /* cut off */
    NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, &error));
  g_assert_true (ld_moderation_log_set_path (log, path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 1);
  entry = g_list_model_get_item (G_LIST_MODEL (log), 0);
  g_assert_null (ld_moderation_entry_get_actor (entry));
  g_assert_cmpstr (ld_moderation_entry_get_username (entry), ==, "lan");
  g_assert_cmpuint (ld_moderation_entry_get_seconds (entry), ==, 0);
}

static void
test_default_path (void)
{
  g_autofree char *path = ld_moderation_log_default_path ("room_1");

  g_assert_true (g_str_has_prefix (path, g_get_user_data_dir ()));
  g_assert_true (g_str_has_suffix (path, G_DIR_SEPARATOR_S "livedesk" G_DIR_SEPARATOR_S "moderation"
                                         G_DIR_SEPARATOR_S "room_1.jsonl"));
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* The room logs every moderation event it gets, naming the target from its
 * viewers or from what they wrote, and keeps a deleted message's text. */
static void
test_room_events (void)
{
  g_autoptr(LdRoom) room = _ld_room_new ("r1");
  g_autoptr(JsonObject) joined = parse_object ("{\"roomId\":\"r1\",\"viewerCount\":1,\"viewers\":[{\"userId\":\"lan\","
                                               "\"username\":\"Lan\",\"role\":\"viewer\"}],\"recentMessages\":"
                                               "[{\"messageId\":\"h1\",\"roomId\":\"r1\",\"userId\":\"bot\","
                                               "\"username\":\"SpamBot\",\"message\":\"buy followers\"}]}");
  g_autoptr(JsonObject) deleted = parse_object ("{\"roomId\":\"r1\",\"messageId\":\"h1\",\"by\":\"Mia\"}");
  g_autoptr(JsonObject) timeout = parse_object ("{\"roomId\":\"r1\",\"userId\":\"lan\",\"seconds\":600,"
                                                "\"reason\":\"spam\",\"by\":\"Mia\"}");
  g_autoptr(JsonObject) ban = parse_object ("{\"roomId\":\"r1\",\"userId\":\"bot\",\"seconds\":0,\"reason\":\"\",\"by\":\"Minh\"}");
  g_autoptr(JsonObject) unban = parse_object ("{\"roomId\":\"r1\",\"userId\":\"bot\",\"by\":\"Minh\"}");
  LdModerationLog *log = ld_room_get_moderation_log (room);
  g_autoptr(LdModerationEntry) entry = NULL;
  g_autofree char *text = NULL;

  _ld_room_set_own_user (room, "me");
  _ld_room_apply_joined (room, joined);
  ld_chat_model_flush (ld_room_get_chat (room));

  _ld_room_apply_deleted (room, deleted);
  _ld_room_apply_sanction (room, LD_EVENT_USER_TIMED_OUT, timeout);
  _ld_room_apply_sanction (room, LD_EVENT_USER_BANNED, ban);
  _ld_room_apply_sanction (room, LD_EVENT_USER_UNBANNED, unban);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (log)), ==, 4);

  entry = g_list_model_get_item (G_LIST_MODEL (log), 0);
  g_assert_cmpint (ld_moderation_entry_get_action (entry), ==, LD_MODERATION_ACTION_DELETE);
  g_assert_cmpstr (ld_moderation_entry_get_username (entry), ==, "SpamBot");
  g_assert_cmpstr (ld_moderation_entry_get_message_text (entry), ==, "buy followers");
  g_clear_object (&entry);

  entry = g_list_model_get_item (G_LIST_MODEL (log), 1);
  text = ld_moderation_entry_describe (entry);
  g_assert_cmpstr (text, ==, "Mia timed out Lan for 10 minutes");
  g_assert_cmpstr (ld_moderation_entry_get_reason (entry), ==, "spam");
  g_clear_object (&entry);
  g_clear_pointer (&text, g_free);

  entry = g_list_model_get_item (G_LIST_MODEL (log), 3);
  text = ld_moderation_entry_describe (entry);
  g_assert_cmpstr (text, ==, "Minh unbanned SpamBot");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_add_func ("/moderation-log/restart", test_restart);
  g_test_add_func ("/moderation-log/search", test_search);
  g_test_add_func ("/moderation-log/bounded", test_bounded);
  g_test_add_func ("/moderation-log/damaged", test_damaged);
  g_test_add_func ("/moderation-log/default-path", test_default_path);
  g_test_add_func ("/moderation-log/room-events", test_room_events);
  return g_test_run ();
}
