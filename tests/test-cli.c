/* test-cli.c: livedesk-cli run as a user runs it, against a real
 * livedesk-gateway: subcommands, their output and exit codes.
 *
 * Arguments: the gateway program, the CLI program, and "keyring" to run the
 * tests that need a Secret Service (login, logout, saved tokens).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
/* posix_openpt() and friends. */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "gw-jwt.h"
#include "ld-test-gateway.h"
#include "ld-test-util.h"

static const char *gateway_program;
static const char *cli_program;
static LdTestGateway *gateway;
static char *config_dir;
/* A session bus address for the CLI instead of the test's, or NULL. */
static const char *bus_override;
/* $LIVEDESK_REFRESH_TOKEN for the CLI, or NULL. */
static const char *refresh_override;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_free (Run *run)
{
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

static GSubprocessLauncher *
new_launcher (GSubprocessFlags  flags,
              const char       *access_token)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_unsetenv (launcher, "LIVEDESK_ACCESS_TOKEN");
  g_subprocess_launcher_unsetenv (launcher, "LIVEDESK_REFRESH_TOKEN");
  g_subprocess_launcher_unsetenv (launcher, "LIVEDESK_USER");
  /* Saved logins go to a directory of this test's own. */
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config_dir, TRUE);
  if (access_token != NULL)
    g_subprocess_launcher_setenv (launcher, "LIVEDESK_ACCESS_TOKEN", access_token, TRUE);
  if (bus_override != NULL)
    g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", bus_override, TRUE);
  if (refresh_override != NULL)
    g_subprocess_launcher_setenv (launcher, "LIVEDESK_REFRESH_TOKEN", refresh_override, TRUE);
  return launcher;
}

/* Runs the CLI with ARGS (NULL-terminated) and the gateway's URLs. */
static Run *
run_cli_v (const char  *access_token,
           const char  *input,
           const char  *server,
           const char **args)
{
  g_autoptr(GSubprocessLauncher) launcher =
    new_launcher (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                  access_token);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Run *run = g_new0 (Run, 1);

  g_ptr_array_add (argv, g_strdup (cli_program));
  g_ptr_array_add (argv, g_strdup (args[0]));
  for (guint i = 1; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  if (server != NULL)
    {
      g_ptr_array_add (argv, g_strdup_printf ("--server=%s", server));
      g_ptr_array_add (argv, g_strdup_printf ("--api=%s", server));
    }
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (process))
    g_error ("livedesk-cli %s died with signal %d: %s", args[0], g_subprocess_get_term_sig (process), run->err);
  run->status = g_subprocess_get_exit_status (process);

  return run;
}

#define run_cli(token, input, ...) \
  run_cli_v ((token), (input), ld_test_gateway_get_url (gateway), (const char *[]) { __VA_ARGS__, NULL })

static JsonObject *
parse_out (Run *run)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, run->out, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static char *
token_for (const char *user,
           const char *role)
{
  return ld_test_gateway_mint (gateway, user, role, 900);
}

static void
test_usage (void)
{
  static const char * const subcommands[] = {
    "login", "logout", "whoami", "health", "info", "tail", "send", "image", "gift", "support",
    "delete", "timeout", "ban", "unban",
  };
  g_autoptr(Run) bare = run_cli_v (NULL, NULL, NULL, (const char *[]) { "frobnicate", NULL });
  g_autoptr(Run) missing = run_cli (NULL, NULL, "send", "room_1");
  g_autoptr(Run) extra = run_cli (NULL, NULL, "whoami", "someone");
  g_autoptr(Run) gift = run_cli (NULL, NULL, "gift", "room_1", "--to", "bob");
  g_autoptr(Run) bad_option = run_cli (NULL, NULL, "send", "--bogus", "room_1", "hi");

  g_assert_cmpint (bare->status, ==, 2);
  g_assert_nonnull (strstr (bare->err, "unknown command"));
  g_assert_cmpint (missing->status, ==, 2);
  g_assert_nonnull (strstr (missing->err, "missing arguments"));
  g_assert_cmpint (extra->status, ==, 2);
  g_assert_cmpint (gift->status, ==, 2);
  g_assert_nonnull (strstr (gift->err, "--value"));
  g_assert_cmpint (bad_option->status, ==, 2);

  /* Every subcommand explains itself, on stdout, and succeeds. */
  for (guint i = 0; i < G_N_ELEMENTS (subcommands); i++)
    {
      g_autoptr(Run) help = run_cli_v (NULL, NULL, NULL, (const char *[]) { subcommands[i], "--help", NULL });
      g_autofree char *usage = g_strdup_printf ("livedesk-cli %s", subcommands[i]);

      g_assert_cmpint (help->status, ==, 0);
      g_assert_nonnull (strstr (help->out, usage));
      g_assert_nonnull (strstr (help->out, "--server"));
    }
}

static void
test_whoami_info_send (void)
{
  g_autofree char *alice = token_for ("alice", "viewer");
  g_autoptr(Run) whoami = run_cli (alice, NULL, "whoami");
  g_autoptr(Run) send = run_cli (alice, NULL, "send", "room_c", "chào cả nhà");
  g_autoptr(Run) info = run_cli (alice, NULL, "info", "room_c");
  g_autoptr(JsonObject) who = NULL;
  g_autoptr(JsonObject) sent = NULL;
  g_autoptr(JsonObject) room = NULL;

  g_assert_cmpint (whoami->status, ==, 0);
  who = parse_out (whoami);
  g_assert_cmpstr (json_object_get_string_member (who, "userId"), ==, "alice");
  g_assert_cmpstr (json_object_get_string_member (who, "role"), ==, "viewer");
  /* The token is never printed. */
  g_assert_null (strstr (whoami->out, alice));
  g_assert_null (strstr (whoami->err, alice));

  g_assert_cmpint (send->status, ==, 0);
  sent = parse_out (send);
  g_assert_nonnull (json_object_get_string_member (sent, "messageId"));

  g_assert_cmpint (info->status, ==, 0);
  room = parse_out (info);
  g_assert_cmpstr (json_object_get_string_member (room, "roomId"), ==, "room_c");
}

static void
test_refusals (void)
{
  g_autofree char *alice = token_for ("alice", "viewer");
  g_autoptr(Run) script = run_cli (alice, NULL, "send", "room_r", "javascript:alert(1)");
  g_autoptr(Run) image = run_cli (alice, NULL, "image", "room_r", "https://example.org/cat.png");
  g_autoptr(Run) ban = run_cli (alice, NULL, "ban", "room_r", "bob");

  g_assert_cmpint (script->status, ==, 1);
  g_assert_nonnull (strstr (script->err, "FORBIDDEN_CONTENT"));
  g_assert_cmpstr (script->out, ==, "");
  g_assert_cmpint (image->status, ==, 1);
  g_assert_cmpint (ban->status, ==, 1);
}

static void
test_gift_support_moderation (void)
{
  g_autofree char *alice = token_for ("alice", "viewer");
  g_autofree char *mia = token_for ("mia", "moderator");
  g_autofree char *bob = token_for ("bob", "viewer");
  g_autoptr(Run) gift = run_cli (alice, NULL, "gift", "room_g", "--to", "bob", "--gift", "rose", "--name", "Rose",
                                 "--type", "flower", "--value", "10", "--quantity", "3", "--animation", "stars");
  /* Bob asks: Alice just sent a gift and may send one thing a second. */
  g_autoptr(Run) support = run_cli (bob, NULL, "support", "help please", "--type", "account");
  g_autoptr(Run) timeout = run_cli (mia, NULL, "timeout", "room_g", "alice", "--seconds", "60", "--reason", "calm");
  g_autoptr(Run) silenced = run_cli (alice, NULL, "send", "room_g", "hello?");
  g_autoptr(Run) unban = run_cli (mia, NULL, "unban", "room_g", "alice");
  g_autoptr(Run) spoken = run_cli (alice, NULL, "send", "room_g", "thanks");
  g_autoptr(JsonObject) spoken_out = NULL;
  g_autoptr(Run) deleted = NULL;
  g_autoptr(Run) ban = run_cli (mia, NULL, "ban", "room_g", "bob", "--reason", "spam");
  g_autoptr(JsonObject) gift_out = NULL;
  g_autoptr(JsonObject) support_out = NULL;

  g_assert_cmpint (gift->status, ==, 0);
  gift_out = parse_out (gift);
  g_assert_cmpstr (json_object_get_string_member (gift_out, "giftTxId"), !=, "");
  g_assert_cmpint (support->status, ==, 0);
  support_out = parse_out (support);
  g_assert_cmpstr (json_object_get_string_member (support_out, "ticketId"), !=, "");

  g_assert_cmpint (timeout->status, ==, 0);
  g_assert_cmpint (silenced->status, ==, 1);
  g_assert_nonnull (strstr (silenced->err, "FORBIDDEN"));
  g_assert_cmpint (unban->status, ==, 0);
  g_assert_cmpint (spoken->status, ==, 0);
  spoken_out = parse_out (spoken);
  deleted = run_cli (mia, NULL, "delete", "room_g", json_object_get_string_member (spoken_out, "messageId"));
  g_assert_cmpint (deleted->status, ==, 0);
  g_assert_cmpint (ban->status, ==, 0);
}

/* [ext] An admin works a user's ticket from the command line. */
static void
test_support_admin (void)
{
  g_autofree char *carol = token_for ("carol", "viewer");
  g_autofree char *ada = token_for ("ada", "admin");
  g_autoptr(Run) asked = run_cli (carol, NULL, "support", "my stream has no sound", "--type", "tech");
  g_autoptr(JsonObject) asked_out = NULL;
  g_autoptr(Run) listed = NULL;
  g_autoptr(JsonObject) listed_out = NULL;
  g_autoptr(Run) claimed = NULL;
  g_autoptr(JsonObject) claimed_out = NULL;
  g_autoptr(Run) replied = NULL;
  g_autoptr(Run) shown = NULL;
  g_autoptr(JsonObject) shown_out = NULL;
  g_autoptr(Run) own = NULL;
  g_autoptr(Run) resolved = NULL;
  g_autoptr(JsonObject) resolved_out = NULL;
  g_autoptr(Run) refused = NULL;
  g_autoptr(Run) unknown = NULL;
  JsonArray *tickets;
  JsonArray *messages;
  JsonObject *reply;
  const char *ticket;
  gboolean found = FALSE;

  g_assert_cmpint (asked->status, ==, 0);
  asked_out = parse_out (asked);
  ticket = json_object_get_string_member (asked_out, "ticketId");

  /* Options may come before the action, as before any command. */
  listed = run_cli (ada, NULL, "support", "--status", "open", "list");
  g_assert_cmpint (listed->status, ==, 0);
  listed_out = parse_out (listed);
  tickets = json_object_get_array_member (listed_out, "tickets");
  for (guint i = 0; i < json_array_get_length (tickets); i++)
    {
      JsonObject *listed_ticket = json_array_get_object_element (tickets, i);

      if (g_strcmp0 (json_object_get_string_member (listed_ticket, "ticketId"), ticket) == 0)
        {
          found = TRUE;
          g_assert_cmpstr (json_object_get_string_member (listed_ticket, "userId"), ==, "carol");
          g_assert_cmpstr (json_object_get_string_member (listed_ticket, "supportType"), ==, "tech");
          g_assert_cmpstr (json_object_get_string_member (listed_ticket, "status"), ==, "open");
        }
    }
  g_assert_true (found);

  claimed = run_cli (ada, NULL, "support", "claim", ticket);
  g_assert_cmpint (claimed->status, ==, 0);
  claimed_out = parse_out (claimed);
  g_assert_cmpstr (json_object_get_string_member (claimed_out, "ticketId"), ==, ticket);
  g_assert_false (json_node_is_null (json_object_get_member (claimed_out, "assignee")));

  replied = run_cli (ada, NULL, "support", "reply", ticket, "Check the mixer");
  g_assert_cmpint (replied->status, ==, 0);

  shown = run_cli (ada, NULL, "support", "show", ticket);
  g_assert_cmpint (shown->status, ==, 0);
  shown_out = parse_out (shown);
  messages = json_object_get_array_member (shown_out, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 2);
  reply = json_array_get_object_element (messages, 1);
  g_assert_cmpstr (json_object_get_string_member (reply, "message"), ==, "Check the mixer");
  g_assert_cmpstr (json_object_get_string_member (reply, "fromRole"), ==, "admin");

  /* The user may read their own ticket, not list everyone's. */
  own = run_cli (carol, NULL, "support", "show", ticket);
  g_assert_cmpint (own->status, ==, 0);
  refused = run_cli (carol, NULL, "support", "list");
  g_assert_cmpint (refused->status, ==, 1);
  g_assert_nonnull (strstr (refused->err, "FORBIDDEN"));
  g_assert_cmpstr (refused->out, ==, "");

  resolved = run_cli (ada, NULL, "support", "resolve", ticket);
  g_assert_cmpint (resolved->status, ==, 0);
  resolved_out = parse_out (resolved);
  g_assert_cmpstr (json_object_get_string_member (resolved_out, "status"), ==, "resolved");

  unknown = run_cli (ada, NULL, "support", "claim", "00000000-0000-0000-0000-000000000000");
  g_assert_cmpint (unknown->status, ==, 1);
  g_assert_nonnull (strstr (unknown->err, "INVALID_PAYLOAD"));
}

static void
test_failures (void)
{
  g_autoptr(Run) bad_token = run_cli ("not.a-valid.token", NULL, "whoami");
  g_autoptr(Run) no_login = run_cli (NULL, NULL, "whoami");
  g_autoptr(Run) health = run_cli (NULL, NULL, "health");
  g_autoptr(JsonObject) health_out = NULL;
  g_autofree char *alice = token_for ("alice", "viewer");
  g_autoptr(Run) healthy = run_cli (alice, NULL, "health");
  g_autoptr(JsonObject) healthy_out = NULL;
  g_autoptr(Run) down = run_cli_v (alice, NULL, "http://127.0.0.1:9", (const char *[]) { "health", NULL });
  g_autoptr(Run) unreachable = run_cli_v (alice, NULL, "http://127.0.0.1:9", (const char *[]) { "whoami", NULL });

  g_assert_cmpint (bad_token->status, ==, 3);
  g_assert_nonnull (strstr (bad_token->err, "refused"));
  g_assert_cmpint (no_login->status, ==, 3);
  g_assert_nonnull (strstr (no_login->err, "not logged in"));

  /* Without a login only the API can be checked. */
  g_assert_cmpint (health->status, ==, 3);
  health_out = parse_out (health);
  g_assert_cmpstr (json_object_get_string_member (health_out, "api"), ==, "ok");
  g_assert_cmpstr (json_object_get_string_member (health_out, "socket"), ==, "unknown");

  g_assert_cmpint (healthy->status, ==, 0);
  healthy_out = parse_out (healthy);
  g_assert_cmpstr (json_object_get_string_member (healthy_out, "status"), ==, "ok");

  g_assert_cmpint (down->status, ==, 3);
  g_assert_cmpint (unreachable->status, ==, 3);
}

static JsonObject *
read_event (GDataInputStream *out,
            const char       *event)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;

      g_assert_no_error (error);
      g_assert_nonnull (line);
      json_parser_load_from_data (parser, line, -1, &error);
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      if (g_strcmp0 (json_object_get_string_member (object, "event"), event) == 0)
        return json_object_ref (object);
    }
}

/* `tail ROOMS…` as the user of TOKEN, its standard output in *OUT. */
static GSubprocess *
spawn_tail (const char        *token,
            const char * const *rooms,
            GDataInputStream **out)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE, token);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GSubprocess *tail;

  g_ptr_array_add (argv, g_strdup (cli_program));
  g_ptr_array_add (argv, g_strdup ("tail"));
  for (guint i = 0; rooms[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (rooms[i]));
  g_ptr_array_add (argv, g_strdup_printf ("--server=%s", ld_test_gateway_get_url (gateway)));
  g_ptr_array_add (argv, g_strdup_printf ("--api=%s", ld_test_gateway_get_url (gateway)));
  g_ptr_array_add (argv, NULL);
  tail = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  *out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (tail));
  return tail;
}

/* ^C ends tail, successfully. */
static void
stop_tail (GSubprocess *tail)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (tail, SIGINT);
  g_subprocess_wait (tail, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (tail));
  g_assert_cmpint (g_subprocess_get_exit_status (tail), ==, 0);
}

/* tail prints what happens in the room, one JSON object a line, until ^C. */
static void
test_tail (void)
{
  g_autofree char *alice = token_for ("alice", "viewer");
  g_autofree char *bob = token_for ("bob", "viewer");
  g_autoptr(GSubprocess) tail = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(JsonObject) joined = NULL;
  g_autoptr(JsonObject) message = NULL;
  g_autoptr(Run) send = NULL;
  JsonObject *data;

  tail = spawn_tail (bob, (const char *[]) { "room_t", NULL }, &out);

  joined = read_event (out, "joinedRoom");
  send = run_cli (alice, NULL, "send", "room_t", "có ai không");
  g_assert_cmpint (send->status, ==, 0);
  message = read_event (out, "newMessage");
  data = json_object_get_object_member (message, "data");
  g_assert_cmpstr (json_object_get_string_member (data, "message"), ==, "có ai không");
  g_assert_cmpstr (json_object_get_string_member (data, "userId"), ==, "alice");

  stop_tail (tail);
}

/* A timeout or ban of someone the room shows as of our rank or above is
 * refused before it is sent, saying who may: the words are the client's,
 * not the gateway's "You cannot do that to …". */
static void
test_rank (void)
{
  g_autofree char *ada = token_for ("ada", "admin");
  g_autofree char *mia = token_for ("mia", "moderator");
  g_autoptr(GSubprocess) tail = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(JsonObject) joined = NULL;
  g_autoptr(Run) ban = NULL;
  g_autoptr(Run) timeout = NULL;

  /* The admin stays in the room while the moderator acts. */
  tail = spawn_tail (ada, (const char *[]) { "room_k", NULL }, &out);
  joined = read_event (out, "joinedRoom");

  ban = run_cli (mia, NULL, "ban", "room_k", "ada", "--reason", "test");
  timeout = run_cli (mia, NULL, "timeout", "room_k", "ada", "--seconds", "60");
  g_assert_cmpint (ban->status, ==, 1);
  g_assert_nonnull (strstr (ban->err, "Nobody can time out or ban an admin"));
  g_assert_null (strstr (ban->err, "You cannot"));
  g_assert_cmpstr (ban->out, ==, "");
  g_assert_cmpint (timeout->status, ==, 1);
  g_assert_nonnull (strstr (timeout->err, "Nobody can time out or ban an admin"));

  stop_tail (tail);
}

/* The common options may come before the command, as with most tools. */
static void
test_global_options (void)
{
  g_autofree char *alice = token_for ("alice", "viewer");
  const char *url = ld_test_gateway_get_url (gateway);
  g_autofree char *server = g_strdup_printf ("--server=%s", url);
  g_autoptr(Run) joined = run_cli_v (alice, NULL, NULL, (const char *[]) { server, "--api", url, "whoami", NULL });
  g_autoptr(Run) spaced = run_cli_v (alice, NULL, NULL, (const char *[]) {
    "--server", url, "--api", url, "--path", "/socket", "send", "room_o", "xin chào", NULL });
  g_autoptr(Run) mixed = run_cli_v (alice, NULL, NULL, (const char *[]) {
    "--server", url, "info", "room_o", "--api", url, NULL });
  g_autoptr(Run) unknown = run_cli_v (alice, NULL, NULL, (const char *[]) { "--bogus", "whoami", NULL });
  g_autoptr(Run) no_value = run_cli_v (alice, NULL, NULL, (const char *[]) { "--server", NULL });
  g_autoptr(Run) no_command = run_cli_v (alice, NULL, NULL, (const char *[]) { "--server", url, NULL });
  g_autoptr(Run) help = run_cli_v (NULL, NULL, NULL, (const char *[]) { "--server", url, "send", "--help", NULL });
  g_autoptr(Run) general_help = run_cli_v (NULL, NULL, NULL, (const char *[]) { "--server", url, "--help", NULL });
  g_autoptr(JsonObject) who = NULL;

  g_assert_cmpint (joined->status, ==, 0);
  who = parse_out (joined);
  g_assert_cmpstr (json_object_get_string_member (who, "userId"), ==, "alice");
  g_assert_cmpint (spaced->status, ==, 0);
  g_assert_nonnull (strstr (spaced->out, "messageId"));
  g_assert_cmpint (mixed->status, ==, 0);
  g_assert_nonnull (strstr (mixed->out, "room_o"));

  g_assert_cmpint (unknown->status, ==, 2);
  g_assert_nonnull (strstr (unknown->err, "--bogus"));
  g_assert_cmpint (no_value->status, ==, 2);
  g_assert_nonnull (strstr (no_value->err, "--server"));
  g_assert_cmpint (no_command->status, ==, 2);
  g_assert_nonnull (strstr (no_command->err, "no command"));
  g_assert_cmpint (help->status, ==, 0);
  g_assert_nonnull (strstr (help->out, "livedesk-cli send"));
  g_assert_nonnull (strstr (help->out, "--refresh"));
  g_assert_cmpint (general_help->status, ==, 0);
  g_assert_nonnull (strstr (general_help->out, "Commands:"));
}

/* An access token that expired half an hour ago, signed as the gateway signs. */
static char *
expired_token_for (const char *user)
{
  g_autoptr(GBytes) secret = g_bytes_new_static (LD_TEST_SECRET, strlen (LD_TEST_SECRET));
  g_autoptr(GError) error = NULL;
  g_autoptr(GwJwt) jwt = gw_jwt_new (secret, &error);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr(GwJwtClaims) claims = gw_jwt_claims_new (user, user, GW_ROLE_VIEWER, now - 3600, now - 1800);
  char *token;

  g_assert_no_error (error);
  token = gw_jwt_sign (jwt, claims, &error);
  g_assert_no_error (error);
  return token;
}

/* VARIABLE's value in what the CLI printed on stderr, or NULL. */
static char *
printed (const char *err,
         const char *variable)
{
  g_auto(GStrv) lines = g_strsplit (err, "\n", -1);
  g_autofree char *prefix = g_strconcat (variable, "=", NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix) && lines[i][strlen (prefix)] != '\0')
      return g_strdup (lines[i] + strlen (prefix));
  return NULL;
}

/* Tokens from the environment are the caller's: an expired one fails with
 * advice, and the refresh token is spent only with --refresh, which hands
 * over the new pair. */
static void
test_env_tokens_refresh (void)
{
  g_autoptr(LdTokens) login = ld_test_gateway_login (gateway, "alice");
  g_autofree char *expired = expired_token_for ("alice");
  g_autoptr(Run) stale = NULL;
  g_autoptr(Run) renewed = NULL;
  g_autoptr(Run) renewed_again = NULL;
  g_autoptr(Run) replayed = NULL;
  g_autoptr(Run) no_refresh_token = NULL;
  g_autoptr(JsonObject) who = NULL;
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *access2 = NULL;
  g_autofree char *refresh2 = NULL;

  g_assert_nonnull (login->refresh_token);

  refresh_override = login->refresh_token;
  stale = run_cli (expired, NULL, "whoami");
  /* Had that spent the refresh token, this would be refused. */
  renewed = run_cli (expired, NULL, "whoami", "--refresh");
  refresh_override = NULL;

  g_assert_cmpint (stale->status, ==, 3);
  g_assert_nonnull (strstr (stale->err, "--refresh"));
  g_assert_cmpstr (stale->out, ==, "");

  g_assert_cmpint (renewed->status, ==, 0);
  who = parse_out (renewed);
  g_assert_cmpstr (json_object_get_string_member (who, "userId"), ==, "alice");
  access = printed (renewed->err, "LIVEDESK_ACCESS_TOKEN");
  refresh = printed (renewed->err, "LIVEDESK_REFRESH_TOKEN");
  g_assert_nonnull (access);
  g_assert_nonnull (refresh);
  g_assert_cmpstr (refresh, !=, login->refresh_token);
  g_assert_null (strstr (renewed->out, refresh));

  /* The new pair works, and renews once more: the CLI did not spend the old
   * refresh token twice (the gateway would have revoked the whole chain). */
  refresh_override = refresh;
  renewed_again = run_cli (expired, NULL, "whoami", "--refresh");
  refresh_override = NULL;
  g_assert_cmpint (renewed_again->status, ==, 0);
  access2 = printed (renewed_again->err, "LIVEDESK_ACCESS_TOKEN");
  refresh2 = printed (renewed_again->err, "LIVEDESK_REFRESH_TOKEN");
  g_assert_nonnull (access2);
  g_assert_nonnull (refresh2);
  g_assert_cmpstr (refresh2, !=, refresh);

  /* The first refresh token is spent: offering it again is refused. */
  refresh_override = login->refresh_token;
  replayed = run_cli (expired, NULL, "whoami", "--refresh");
  refresh_override = NULL;
  g_assert_cmpint (replayed->status, ==, 3);
  g_assert_nonnull (strstr (replayed->err, "refresh token was refused"));

  no_refresh_token = run_cli (expired, NULL, "whoami", "--refresh");
  g_assert_cmpint (no_refresh_token->status, ==, 3);
  g_assert_nonnull (strstr (no_refresh_token->err, "LIVEDESK_REFRESH_TOKEN"));
}

/* tail follows several rooms on one connection: what is said in each shows,
 * with its room. */
static void
test_tail_rooms (void)
{
  g_autofree char *alice = token_for ("alice", "viewer");
  g_autofree char *bob = token_for ("bob", "viewer");
  g_autoptr(GSubprocess) tail = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(JsonObject) joined1 = NULL;
  g_autoptr(JsonObject) joined2 = NULL;
  g_autoptr(JsonObject) message1 = NULL;
  g_autoptr(JsonObject) message2 = NULL;
  g_autoptr(Run) send1 = NULL;
  g_autoptr(Run) send2 = NULL;
  g_autoptr(Run) none = NULL;
  JsonObject *data;

  none = run_cli (bob, NULL, "tail");
  g_assert_cmpint (none->status, ==, 2);

  tail = spawn_tail (bob, (const char *[]) { "room_u1", "room_u2", NULL }, &out);

  joined1 = read_event (out, "joinedRoom");
  joined2 = read_event (out, "joinedRoom");
  send2 = run_cli (alice, NULL, "send", "room_u2", "ở phòng hai");
  g_assert_cmpint (send2->status, ==, 0);
  message2 = read_event (out, "newMessage");
  data = json_object_get_object_member (message2, "data");
  g_assert_cmpstr (json_object_get_string_member (data, "roomId"), ==, "room_u2");
  g_assert_cmpstr (json_object_get_string_member (data, "message"), ==, "ở phòng hai");

  send1 = run_cli (alice, NULL, "send", "room_u1", "ở phòng một");
  g_assert_cmpint (send1->status, ==, 0);
  message1 = read_event (out, "newMessage");
  data = json_object_get_object_member (message1, "data");
  g_assert_cmpstr (json_object_get_string_member (data, "roomId"), ==, "room_u1");
  g_assert_cmpstr (json_object_get_string_member (data, "message"), ==, "ở phòng một");

  stop_tail (tail);
}

/* The pseudo-terminal becomes the CLI's controlling terminal, as in a shell. */
static void
become_terminal_session (gpointer user_data)
{
  setsid ();
  ioctl (STDIN_FILENO, TIOCSCTTY, 0);
}

/* Appends what the terminal shows to SHOWN until it contains UNTIL, or, for
 * UNTIL NULL, until nothing more comes. FALSE if UNTIL did not show. */
static gboolean
read_terminal (int         master,
               GString    *shown,
               const char *until)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (until == NULL || strstr (shown->str, until) == NULL)
    {
      struct pollfd poll_fd = { .fd = master, .events = POLLIN };
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
      char buffer[512];
      ssize_t n;
      int ready;

      if (left_ms <= 0)
        return FALSE;
      ready = poll (&poll_fd, 1, until == NULL ? 200 : (int) left_ms);
      if (ready < 0 && errno == EINTR)
        continue;
      if (ready <= 0)
        return until == NULL;
      n = read (master, buffer, sizeof buffer);
      /* EIO: the CLI has closed the terminal. */
      if (n <= 0)
        return until == NULL;
      g_string_append_len (shown, buffer, n);
    }
  return TRUE;
}

/* Runs the CLI on a pseudo-terminal, as a user at a terminal would: types
 * TYPED once the password prompt shows. Run.out is all the terminal showed. */
static Run *
run_cli_in_terminal (const char  *typed,
                     const char **args)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (G_SUBPROCESS_FLAGS_NONE, NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) shown = g_string_new (NULL);
  Run *run = g_new0 (Run, 1);
  int master, slave;

  master = posix_openpt (O_RDWR | O_NOCTTY);
  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  slave = open (ptsname (master), O_RDWR | O_NOCTTY);
  g_assert_cmpint (slave, >=, 0);

  g_subprocess_launcher_take_stdin_fd (launcher, slave);
  g_subprocess_launcher_take_stdout_fd (launcher, dup (slave));
  g_subprocess_launcher_take_stderr_fd (launcher, dup (slave));
  g_subprocess_launcher_set_child_setup (launcher, become_terminal_session, NULL, NULL);

  g_ptr_array_add (argv, g_strdup (cli_program));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, g_strdup_printf ("--server=%s", ld_test_gateway_get_url (gateway)));
  g_ptr_array_add (argv, g_strdup_printf ("--api=%s", ld_test_gateway_get_url (gateway)));
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  /* The launcher holds our copies of the terminal's end; only the CLI keeps it open. */
  g_clear_object (&launcher);

  if (!read_terminal (master, shown, "Password: "))
    g_error ("no password prompt on the terminal: %s", shown->str);
  g_assert_cmpint (write (master, typed, strlen (typed)), ==, (gssize) strlen (typed));
  g_assert_cmpint (write (master, "\n", 1), ==, 1);

  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  read_terminal (master, shown, NULL);
  close (master);

  if (!g_subprocess_get_if_exited (process))
    g_error ("livedesk-cli died with signal %d: %s", g_subprocess_get_term_sig (process), shown->str);
  run->status = g_subprocess_get_exit_status (process);
  run->out = g_string_free (g_steal_pointer (&shown), FALSE);
  return run;
}

#define run_cli_in_terminal(typed, ...) run_cli_in_terminal ((typed), (const char *[]) { __VA_ARGS__, NULL })

/* At a terminal the password is asked for and not shown as typed, and it
 * reaches the server: a wrong one is refused, the right one logs in (and
 * here fails only for want of a keyring). */
static void
test_terminal_login (void)
{
  g_autoptr(Run) wrong = NULL;
  g_autoptr(Run) right = NULL;

  bus_override = "unix:path=/nonexistent/livedesk-test-bus";
  wrong = run_cli_in_terminal ("hunter2-wrong", "login", "alice");
  right = run_cli_in_terminal (LD_TEST_PASSWORD, "login", "alice");
  bus_override = NULL;

  g_assert_null (strstr (wrong->out, "hunter2-wrong"));
  g_assert_cmpint (wrong->status, ==, 3);
  g_assert_nonnull (strstr (wrong->out, "refused"));

  g_assert_null (strstr (right->out, LD_TEST_PASSWORD));
  g_assert_cmpint (right->status, ==, 3);
  g_assert_nonnull (strstr (right->out, "logged in, but"));
  g_assert_nonnull (strstr (right->out, "no keyring available"));
}

/* Without a Secret Service, login says so and keeps the tokens nowhere. */
static void
test_no_keyring (void)
{
  g_autoptr(Run) login = NULL;
  g_autoptr(Run) whoami = NULL;

  bus_override = "unix:path=/nonexistent/livedesk-test-bus";
  login = run_cli (NULL, LD_TEST_PASSWORD "\n", "login", "alice");
  whoami = run_cli (NULL, NULL, "whoami");
  bus_override = NULL;

  g_assert_cmpint (login->status, ==, 3);
  g_assert_nonnull (strstr (login->err, "no keyring available"));
  g_assert_cmpint (whoami->status, ==, 3);
}

/* login keeps the tokens in the keyring (password from stdin), later
 * commands use them, logout forgets them. */
static void
run_keyring_login (void)
{
  g_autoptr(Run) wrong = run_cli (NULL, "not the password\n", "login", "alice");
  g_autoptr(Run) login = run_cli (NULL, LD_TEST_PASSWORD "\n", "login", "alice");
  g_autoptr(Run) whoami = run_cli (NULL, NULL, "whoami");
  g_autoptr(Run) logout = run_cli (NULL, NULL, "logout");
  g_autoptr(Run) after = run_cli (NULL, NULL, "whoami");
  g_autoptr(JsonObject) who = NULL;

  g_assert_cmpint (wrong->status, ==, 3);
  g_assert_nonnull (strstr (wrong->err, "refused"));
  g_assert_cmpint (login->status, ==, 0);
  g_assert_cmpstr (login->out, ==, "");
  g_assert_cmpint (whoami->status, ==, 0);
  who = parse_out (whoami);
  g_assert_cmpstr (json_object_get_string_member (who, "username"), ==, "alice");
  g_assert_cmpint (logout->status, ==, 0);
  g_assert_cmpint (after->status, ==, 3);

  /* The same at a terminal: the password is not shown, the login is kept. */
  {
    g_autoptr(Run) typed = run_cli_in_terminal (LD_TEST_PASSWORD, "login", "alice");
    g_autoptr(Run) again = run_cli (NULL, NULL, "whoami");
    g_autoptr(Run) out = run_cli (NULL, NULL, "logout");

    g_assert_null (strstr (typed->out, LD_TEST_PASSWORD));
    g_assert_cmpint (typed->status, ==, 0);
    g_assert_nonnull (strstr (typed->out, "logged in as alice"));
    g_assert_cmpint (again->status, ==, 0);
    g_assert_cmpint (out->status, ==, 0);
  }
}

static void
test_keyring_login (void)
{
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("no DBUS_SESSION_BUS_ADDRESS: run under build-aux/livedesk test, which starts gnome-keyring");
      return;
    }

  run_keyring_login ();
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* What the app does at start-up, with its server setting SERVER: who
 * signed in last (when it does not know), then their tokens. */
static LdTokens *
app_lookup (const char *server,
            char      **user)
{
  g_autoptr(LdTokenStore) store = ld_token_store_new ();
  g_autoptr(GAsyncResult) found_user = NULL;
  g_autoptr(GAsyncResult) found = NULL;
  g_autoptr(GError) error = NULL;
  LdTokens *tokens;

  ld_token_store_set_legacy_server (store, ld_test_gateway_get_url (gateway));
  ld_token_store_lookup_user_async (store, server, NULL, ld_test_store_result, &found_user);
  *user = ld_token_store_lookup_user_finish (store, wait_result (&found_user), &error);
  g_assert_no_error (error);
  if (*user == NULL)
    return NULL;
  ld_token_store_lookup_async (store, server, *user, NULL, ld_test_store_result, &found);
  tokens = ld_token_store_lookup_finish (store, wait_result (&found), &error);
  g_assert_no_error (error);
  return tokens;
}

/* The app's Sign Out. */
static gboolean
app_sign_out (const char *server,
              const char *user)
{
  g_autoptr(LdTokenStore) store = ld_token_store_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gboolean removed;

  ld_token_store_set_legacy_server (store, ld_test_gateway_get_url (gateway));
  ld_token_store_clear_async (store, server, user, NULL, ld_test_store_result, &result);
  removed = ld_token_store_clear_finish (store, wait_result (&result), &error);
  g_assert_no_error (error);
  return removed;
}

/* The app's sign-in window: the tokens under the server as typed. */
static void
app_sign_in (const char     *server,
             const char     *user,
             const LdTokens *tokens)
{
  g_autoptr(LdTokenStore) store = ld_token_store_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ld_token_store_store_async (store, server, user, tokens, NULL, ld_test_store_result, &result);
  g_assert_true (ld_token_store_store_finish (store, wait_result (&result), &error));
  g_assert_no_error (error);
}

/* One login for the app and livedesk-cli: either one signs in both, and
 * either one signs out both. The app's server setting is the gateway URL as
 * a user may type it, with a trailing slash. */
static void
run_one_login (void)
{
  g_autofree char *typed = g_strconcat (ld_test_gateway_get_url (gateway), "/", NULL);
  g_autoptr(Run) login = run_cli (NULL, LD_TEST_PASSWORD "\n", "login", "alice");
  g_autoptr(LdTokens) app_tokens = NULL;
  g_autoptr(LdTokens) bob = NULL;
  g_autoptr(LdTokens) gone = NULL;
  g_autoptr(Run) signed_out = NULL;
  g_autoptr(Run) whoami = NULL;
  g_autoptr(Run) logout = NULL;
  g_autoptr(JsonObject) who = NULL;
  g_autofree char *user = NULL;
  g_autofree char *user_after = NULL;

  g_assert_cmpint (login->status, ==, 0);
  app_tokens = app_lookup (typed, &user);
  g_assert_cmpstr (user, ==, "alice");
  g_assert_nonnull (app_tokens);
  g_assert_nonnull (app_tokens->refresh_token);

  g_assert_true (app_sign_out (typed, "alice"));
  signed_out = run_cli (NULL, NULL, "whoami");
  g_assert_cmpint (signed_out->status, ==, 3);
  g_assert_nonnull (strstr (signed_out->err, "run “livedesk-cli login”"));

  bob = ld_test_gateway_login (gateway, "bob");
  app_sign_in (typed, "bob", bob);
  whoami = run_cli (NULL, NULL, "whoami");
  g_assert_cmpint (whoami->status, ==, 0);
  who = parse_out (whoami);
  g_assert_cmpstr (json_object_get_string_member (who, "username"), ==, "bob");

  logout = run_cli (NULL, NULL, "logout");
  g_assert_cmpint (logout->status, ==, 0);
  g_assert_nonnull (strstr (logout->err, "logged out bob"));
  gone = app_lookup (typed, &user_after);
  g_assert_null (user_after);
  g_assert_null (gone);
}

static void
test_one_login (void)
{
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("no DBUS_SESSION_BUS_ADDRESS: run under build-aux/livedesk test, which starts gnome-keyring");
      return;
    }

  run_one_login ();
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  gboolean keyring;
  int status;

  g_test_init (&argc, &argv, NULL);

  g_assert_cmpint (argc, >=, 3);
  gateway_program = argv[1];
  cli_program = argv[2];
  keyring = argc > 3 && g_strcmp0 (argv[3], "keyring") == 0;

  config_dir = g_dir_make_tmp ("livedesk-cli-XXXXXX", &error);
  g_assert_no_error (error);
  gateway = ld_test_gateway_start (gateway_program);

  if (keyring)
    {
      g_test_add_func ("/cli/keyring-login", test_keyring_login);
      g_test_add_func ("/cli/one-login-for-app-and-cli", test_one_login);
    }
  else
    {
      g_test_add_func ("/cli/usage", test_usage);
      g_test_add_func ("/cli/whoami-info-send", test_whoami_info_send);
      g_test_add_func ("/cli/refusals", test_refusals);
      g_test_add_func ("/cli/gift-support-moderation", test_gift_support_moderation);
      g_test_add_func ("/cli/support-admin", test_support_admin);
      g_test_add_func ("/cli/failures", test_failures);
      g_test_add_func ("/cli/tail", test_tail);
      g_test_add_func ("/cli/rank", test_rank);
      g_test_add_func ("/cli/global-options", test_global_options);
      g_test_add_func ("/cli/env-tokens-refresh", test_env_tokens_refresh);
      g_test_add_func ("/cli/tail-rooms", test_tail_rooms);
      g_test_add_func ("/cli/no-keyring", test_no_keyring);
      g_test_add_func ("/cli/terminal-login", test_terminal_login);
    }

  status = g_test_run ();

  ld_test_gateway_free (gateway);
  {
    g_autofree char *ini_dir = g_build_filename (config_dir, "livedesk", NULL);
    g_autofree char *ini = g_build_filename (ini_dir, "cli-logins.ini", NULL);

    g_unlink (ini);
    g_rmdir (ini_dir);
    g_rmdir (config_dir);
  }
  g_free (config_dir);
  return status;
}
