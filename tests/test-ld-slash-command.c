/* test-ld-slash-command.c: the composer's moderation commands, parsed and
 * completed as a moderator types them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-slash-command.h"

static void
test_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdSlashCommand) cmd = NULL;

  cmd = ld_slash_command_parse ("/timeout mia 600 spam links", &error);
  g_assert_no_error (error);
  g_assert_cmpint (ld_slash_command_get_kind (cmd), ==, LD_SLASH_TIMEOUT);
  g_assert_cmpstr (ld_slash_command_get_name (cmd), ==, "mia");
  g_assert_cmpuint (ld_slash_command_get_seconds (cmd), ==, 600);
  g_assert_cmpstr (ld_slash_command_get_reason (cmd), ==, "spam links");
  g_clear_object (&cmd);

  /* No duration: the server's default, and the words are the reason. */
  cmd = ld_slash_command_parse ("  /TIMEOUT mia   being rude ", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ld_slash_command_get_seconds (cmd), ==, 0);
  g_assert_cmpstr (ld_slash_command_get_reason (cmd), ==, "being rude");
  g_clear_object (&cmd);

  cmd = ld_slash_command_parse ("/timeout mia 10m", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ld_slash_command_get_seconds (cmd), ==, 600);
  g_assert_null (ld_slash_command_get_reason (cmd));
  g_clear_object (&cmd);

  cmd = ld_slash_command_parse ("/timeout mia 24h", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ld_slash_command_get_seconds (cmd), ==, 24 * 3600);
  g_clear_object (&cmd);

  cmd = ld_slash_command_parse ("/ban \"Nguyễn Văn A\" quảng cáo", &error);
  g_assert_no_error (error);
  g_assert_cmpint (ld_slash_command_get_kind (cmd), ==, LD_SLASH_BAN);
  g_assert_cmpstr (ld_slash_command_get_name (cmd), ==, "Nguyễn Văn A");
  g_assert_cmpstr (ld_slash_command_get_reason (cmd), ==, "quảng cáo");
  g_clear_object (&cmd);

  cmd = ld_slash_command_parse ("/unban mia", &error);
  g_assert_no_error (error);
  g_assert_cmpint (ld_slash_command_get_kind (cmd), ==, LD_SLASH_UNBAN);
  g_assert_null (ld_slash_command_get_reason (cmd));
  g_clear_object (&cmd);

  cmd = ld_slash_command_parse ("/delete", &error);
  g_assert_no_error (error);
  g_assert_cmpint (ld_slash_command_get_kind (cmd), ==, LD_SLASH_DELETE);
  g_assert_null (ld_slash_command_get_name (cmd));
}

static void
test_refused (void)
{
  static const struct { const char *text; int code; } cases[] = {
    { "/frobnicate x", LD_SLASH_COMMAND_ERROR_UNKNOWN },
    { "/", LD_SLASH_COMMAND_ERROR_UNKNOWN },
    { "//timeout mia", LD_SLASH_COMMAND_ERROR_UNKNOWN },
    { "hello", LD_SLASH_COMMAND_ERROR_UNKNOWN },
    { "/ban", LD_SLASH_COMMAND_ERROR_MISSING_NAME },
    { "/timeout \"\"", LD_SLASH_COMMAND_ERROR_MISSING_NAME },
    { "/timeout mia 0", LD_SLASH_COMMAND_ERROR_BAD_SECONDS },
    { "/timeout mia 99999999999", LD_SLASH_COMMAND_ERROR_BAD_SECONDS },
    { "/timeout mia 15d", LD_SLASH_COMMAND_ERROR_BAD_SECONDS },
    { "/unban mia now", LD_SLASH_COMMAND_ERROR_EXTRA },
    { "/delete mia", LD_SLASH_COMMAND_ERROR_EXTRA },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LdSlashCommand) cmd = ld_slash_command_parse (cases[i].text, &error);

      g_test_message ("%s", cases[i].text);
      g_assert_null (cmd);
      g_assert_error (error, LD_SLASH_COMMAND_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, !=, "");
    }

  g_assert_true (ld_slash_command_is_command ("/ban x"));
  g_assert_false (ld_slash_command_is_command ("//ban x"));
  g_assert_false (ld_slash_command_is_command ("ban /x"));
}

static void
assert_strv (char              **got,
             const char * const *want)
{
  g_autofree char *a = g_strjoinv ("|", got);
  g_autofree char *b = g_strjoinv ("|", (char **) want);

  g_assert_cmpstr (a, ==, b);
  g_strfreev (got);
}

static void
test_complete (void)
{
  const char * const names[] = { "Mia", "minh", "Nguyễn Văn A", "lan", NULL };

  assert_strv (ld_slash_command_complete ("/", names),
               (const char *[]) { "/timeout ", "/ban ", "/unban ", "/delete ", NULL });
  assert_strv (ld_slash_command_complete ("/t", names), (const char *[]) { "/timeout ", NULL });
  assert_strv (ld_slash_command_complete ("/UN", names), (const char *[]) { "/unban ", NULL });
  assert_strv (ld_slash_command_complete ("/timeout mi", names),
               (const char *[]) { "/timeout Mia ", "/timeout minh ", NULL });
  assert_strv (ld_slash_command_complete ("/ban ngu", names),
               (const char *[]) { "/ban \"Nguyễn Văn A\" ", NULL });
  assert_strv (ld_slash_command_complete ("/ban \"nguyễn v", names),
               (const char *[]) { "/ban \"Nguyễn Văn A\" ", NULL });
  /* Past the name there is nothing to complete; /delete takes no name. */
  assert_strv (ld_slash_command_complete ("/timeout mia 60", names), (const char *[]) { NULL });
  assert_strv (ld_slash_command_complete ("/delete m", names), (const char *[]) { NULL });
  assert_strv (ld_slash_command_complete ("/zzz", names), (const char *[]) { NULL });

  assert_strv (ld_slash_command_complete ("thanks @L", names), (const char *[]) { "thanks @lan ", NULL });
  assert_strv (ld_slash_command_complete ("@", names),
               (const char *[]) { "@Mia ", "@minh ", "@Nguyễn Văn A ", "@lan ", NULL });
  assert_strv (ld_slash_command_complete ("mail@m", names), (const char *[]) { NULL });
  assert_strv (ld_slash_command_complete ("@mia hi", names), (const char *[]) { NULL });
  assert_strv (ld_slash_command_complete ("hello", names), (const char *[]) { NULL });
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/slash-command/parse", test_parse);
  g_test_add_func ("/slash-command/refused", test_refused);
  g_test_add_func ("/slash-command/complete", test_complete);
  return g_test_run ();
}
