/* ld-test-gateway.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "gw-users.h"
#include "ld-test-gateway.h"
#include "ld-test-util.h"
#include "ld-test-room.h"
#include "test-peer.h"

struct _LdTestGateway
{
  char        *program;
  char        *dir;
  char        *users;
  GSubprocess *process;
  guint        port;
  char        *url;
  GStrv        extra_args;
};

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
write_users (LdTestGateway *gateway)
{
  static const struct { const char *name; GwRole role; } people[] = {
    { "alice", GW_ROLE_VIEWER },
    { "bob", GW_ROLE_VIEWER },
    { "mia", GW_ROLE_MODERATOR },
    { "ada", GW_ROLE_ADMIN },
  };
  g_autoptr(GwUsers) users = gw_users_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = gw_password_hash (LD_TEST_PASSWORD, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (people); i++)
    {
      gw_users_add (users, people[i].name, people[i].name, people[i].role, hash, &error);
      g_assert_no_error (error);
    }
  gateway->users = g_build_filename (gateway->dir, "users.json", NULL);
  gw_users_save_to_file (users, gateway->users, &error);
  g_assert_no_error (error);
}

static void
spawn (LdTestGateway *gateway)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *port = g_strdup_printf ("%u", gateway->port);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;

  g_subprocess_launcher_setenv (launcher, "LIVEDESK_JWT_SECRET", LD_TEST_SECRET, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_strv_builder_add_many (builder, gateway->program, "--port", port, "--users", gateway->users, NULL);
  if (gateway->extra_args != NULL)
    g_strv_builder_addv (builder, (const char **) gateway->extra_args);
  argv = g_strv_builder_end (builder);
  gateway->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (gateway->process));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening "));

  if (gateway->port == 0)
    {
      gateway->port = (guint) g_ascii_strtoull (line + strlen ("listening "), NULL, 10);
      g_assert_cmpuint (gateway->port, >, 0);
      gateway->url = g_strdup_printf ("http://127.0.0.1:%u", gateway->port);
    }
}

static LdTestGateway *
start (const char *program,
       GStrv       extra_args)
{
  LdTestGateway *gateway = g_new0 (LdTestGateway, 1);
  g_autoptr(GError) error = NULL;

  gateway->program = g_strdup (program);
  gateway->extra_args = extra_args;
  gateway->dir = g_dir_make_tmp ("livedesk-session-XXXXXX", &error);
  g_assert_no_error (error);
  write_users (gateway);
  spawn (gateway);

  return gateway;
}

LdTestGateway *
ld_test_gateway_start (const char *program)
{
  return start (program, NULL);
}

LdTestGateway *
ld_test_gateway_start_with (const char *program,
                            const char *first_arg,
                            ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  va_list args;

  va_start (args, first_arg);
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_strv_builder_add (builder, arg);
  va_end (args);

  return start (program, g_strv_builder_end (builder));
}

guint
ld_test_gateway_get_port (LdTestGateway *gateway)
{
  return gateway->port;
}

const char *
ld_test_gateway_get_url (LdTestGateway *gateway)
{
  return gateway->url;
}

void
ld_test_gateway_kill (LdTestGateway *gateway)
{
  if (gateway->process == NULL)
    return;
  g_subprocess_force_exit (gateway->process);
  g_subprocess_wait (gateway->process, NULL, NULL);
  g_clear_object (&gateway->process);
}

void
ld_test_gateway_restart (LdTestGateway *gateway)
{
  ld_test_gateway_kill (gateway);
  spawn (gateway);
}

char *
ld_test_gateway_mint (LdTestGateway *gateway,
                      const char    *user,
                      const char    *role,
                      int            ttl)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *ttl_text = g_strdup_printf ("%d", ttl);

  g_subprocess_launcher_setenv (launcher, "LIVEDESK_JWT_SECRET", LD_TEST_SECRET, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, gateway->program, "mint-token",
                                         "--user", user, "--name", user, "--role", role,
                                         "--ttl", ttl_text, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  return g_strdup (g_strstrip (out));
}

LdTokens *
ld_test_gateway_login (LdTestGateway *gateway,
                       const char    *user)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("%s/api/v1/auth/login", gateway->url);
  g_autoptr(SoupMessage) message = soup_message_new ("POST", url);
  g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\"}", user, LD_TEST_PASSWORD);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  soup_session_set_proxy_resolver (session, NULL);
  soup_message_set_request_body_from_bytes (message, "application/json", request);
  reply = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (soup_message_get_status (message), ==, SOUP_STATUS_OK);
  json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
  g_assert_no_error (error);
  object = json_node_get_object (json_parser_get_root (parser));

  return ld_tokens_new (json_object_get_string_member (object, "accessToken"),
                        json_object_get_string_member (object, "refreshToken"), 0);
}

void
ld_test_gateway_free (LdTestGateway *gateway)
{
  ld_test_gateway_kill (gateway);
  g_unlink (gateway->users);
  g_rmdir (gateway->dir);
  g_free (gateway->users);
  g_free (gateway->dir);
  g_free (gateway->program);
  g_free (gateway->url);
  g_strfreev (gateway->extra_args);
  g_free (gateway);
}

LdSession *
ld_test_gateway_new_session (LdTestGateway  *gateway,
                             const LdTokens *tokens)
{
  LdSession *session = ld_session_new (gateway->url, gateway->url);

  ld_session_set_reconnect_attempts (session, 0);
  ld_session_set_tokens (session, tokens);
  return session;
}

LdSession *
ld_test_gateway_online_session (LdTestGateway *gateway,
                                const char    *user,
                                const char    *role,
                                guint          timeout_ms)
{
  g_autofree char *token = ld_test_gateway_mint (gateway, user, role, 900);
  g_autoptr(LdTokens) tokens = ld_tokens_new (token, NULL, 0);
  LdSession *session = ld_test_gateway_new_session (gateway, tokens);

  ld_session_connect (session);
  LD_TEST_WAIT_UNTIL (ld_session_get_state (session) == LD_SESSION_STATE_ONLINE, timeout_ms);
  g_assert_cmpstr (ld_session_get_user_id (session), ==, user);
  return session;
}

void
ld_test_session_join (LdSession  *session,
                      const char *room_id,
                      guint       timeout_ms)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ld_session_join_room_async (session, room_id, NULL, ld_test_store_result, &result);
  LD_TEST_WAIT_UNTIL (result != NULL, timeout_ms);
  g_assert_true (ld_session_join_room_finish (session, result, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (ld_test_room_id (session), ==, room_id);
}

/* The client's own rate limit allows one send a second per user. */
#define RATE_LIMIT_WAIT_MS 1100

LdMessage *
ld_test_session_send_text (LdSession  *session,
                           const char *text)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      LdMessage *message = ld_room_send_text (ld_test_room (session), text, &error);

      if (message != NULL)
        return message;
      g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED);
      test_spin (RATE_LIMIT_WAIT_MS);
    }
}

/* The current room's messages, flushed to the model, for each of them
 * that FN accepts. */
static void
each_message (LdSession  *session,
              void      (*fn) (LdMessage *message, gpointer data),
              gpointer    data)
{
  LdChatModel *chat = ld_room_get_chat (ld_test_room (session));

  ld_chat_model_flush (chat);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (chat)); i++)
    {
      g_autoptr(LdMessage) message = g_list_model_get_item (G_LIST_MODEL (chat), i);

      fn (message, data);
    }
}

typedef struct
{
  const char *user;
  const char *text;
  GString    *out;
  guint       n;
} Texts;

static void
add_text (LdMessage *message,
          gpointer   data)
{
  Texts *texts = data;

  if (g_strcmp0 (ld_message_get_user_id (message), texts->user) != 0)
    return;
  if (texts->out != NULL)
    {
      if (texts->out->len > 0)
        g_string_append_c (texts->out, ',');
      g_string_append (texts->out, ld_message_get_text (message));
    }
  if (g_strcmp0 (ld_message_get_text (message), texts->text) == 0)
    texts->n++;
}

char *
ld_test_session_texts (LdSession  *session,
                       const char *user)
{
  Texts texts = { .user = user, .out = g_string_new (NULL) };

  each_message (session, add_text, &texts);
  return g_string_free (texts.out, FALSE);
}

gboolean
ld_test_session_texts_are (LdSession  *session,
                           const char *user,
                           const char *expected)
{
  g_autofree char *texts = ld_test_session_texts (session, user);

  return g_strcmp0 (texts, expected) == 0;
}

guint
ld_test_session_count_text (LdSession  *session,
                            const char *user,
                            const char *text)
{
  Texts texts = { .user = user, .text = text };

  each_message (session, add_text, &texts);
  return texts.n;
}

void
ld_test_session_send_gift (LdSession           *session,
                           const LdRoomGift *gift,
                           guint                timeout_ms)
{
  for (;;)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *tx_id = NULL;

      ld_room_send_gift_async (ld_test_room (session), gift, NULL, ld_test_store_result, &result);
      LD_TEST_WAIT_UNTIL (result != NULL, timeout_ms);
      tx_id = ld_room_send_gift_finish (ld_test_room (session), result, &error);
      if (tx_id != NULL)
        return;
      g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED);
      test_spin (RATE_LIMIT_WAIT_MS);
    }
}

void
ld_test_session_contact_support (LdSession  *session,
                                 const char *text,
                                 guint       timeout_ms)
{
  for (;;)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *ticket = NULL;

      ld_support_contact_support_async (ld_session_get_support (session), text, "billing", NULL, ld_test_store_result, &result);
      LD_TEST_WAIT_UNTIL (result != NULL, timeout_ms);
      ticket = ld_support_contact_support_finish (ld_session_get_support (session), result, &error);
      if (ticket != NULL)
        return;
      g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_RATE_LIMITED);
      test_spin (RATE_LIMIT_WAIT_MS);
    }
}
