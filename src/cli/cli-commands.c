/* cli-commands.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "ld-rest-client.h"
#include "ld-session.h"
#include "ld-token-store.h"
#include "sio-client.h"
#include "cli-commands.h"

#define ACCESS_VARIABLE "LIVEDESK_ACCESS_TOKEN"
#define REFRESH_VARIABLE "LIVEDESK_REFRESH_TOKEN"
#define USER_VARIABLE "LIVEDESK_USER"
#define MAX_PASSWORD_LEN 1024
/* One-shot commands give up after this many reconnect attempts. */
#define CLI_RECONNECT_ATTEMPTS 2

typedef struct
{
  const char   *command;
  char         *server;
  char         *api;
  char         *path;
  char         *user;
  gboolean      refresh;

  LdSession    *session;
  LdTokenStore *store;
  /* Where the tokens came from, so a refresh is saved back there. */
  char         *keyring_user;
  /* The tokens came from the environment: never rotated unasked. */
  gboolean      env_tokens;

  gboolean      failed;
  gboolean      interrupted;
  int           exit_code;
} Cli;

static void
cli_clear (Cli *cli)
{
  if (cli->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (cli->session, cli);
      ld_session_disconnect (cli->session);
    }
  g_clear_object (&cli->session);
  g_clear_object (&cli->store);
  g_free (cli->server);
  g_free (cli->api);
  g_free (cli->path);
  g_free (cli->user);
  g_free (cli->keyring_user);
}

static GOptionEntry *
common_entries (Cli *cli)
{
  GOptionEntry entries[] = {
    { "server", 0, 0, G_OPTION_ARG_STRING, &cli->server,
      N_("The gateway (default http://localhost:4001)"), N_("URL") },
    { "api", 0, 0, G_OPTION_ARG_STRING, &cli->api,
      N_("The REST API (default http://localhost:3000)"), N_("URL") },
    { "path", 0, 0, G_OPTION_ARG_STRING, &cli->path,
      N_("The gateway’s Socket.IO path (default /socket)"), N_("PATH") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &cli->user,
      N_("Whose saved login to use (default: $LIVEDESK_USER, else the last login)"), N_("NAME") },
    { "refresh", 0, 0, G_OPTION_ARG_NONE, &cli->refresh,
      N_("Renew the tokens first (see below)"), NULL },
    { NULL }
  };

  return g_memdup2 (entries, sizeof entries);
}

/* Parses ARGV with the common options and ENTRIES; N_ARGS positional
 * arguments are required (more are a usage error); a negative N_ARGS allows
 * up to -N_ARGS. */
static gboolean
parse_options (Cli                *cli,
               const char         *parameters,
               const char         *summary,
               const GOptionEntry *entries,
               int                *argc,
               char             ***argv,
               int                 n_args)
{
  g_autoptr(GOptionContext) context = g_option_context_new (parameters);
  g_autoptr(GError) error = NULL;
  g_autofree GOptionEntry *common = common_entries (cli);

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context,
    _("Tokens come from the keyring (saved by “livedesk-cli login” or the app, one login\n"
      "for both, per gateway --server) or from $LIVEDESK_ACCESS_TOKEN and\n"
      "$LIVEDESK_REFRESH_TOKEN; never from the command line.\n\n"
      "Tokens from the environment are never renewed behind your back: when the access\n"
      "token has expired, run the command with --refresh, which spends\n"
      "$LIVEDESK_REFRESH_TOKEN and prints the new pair on standard error as\n"
      "LIVEDESK_ACCESS_TOKEN=… and LIVEDESK_REFRESH_TOKEN=… lines (the keyring is not\n"
      "touched); use the new pair from then on. Tokens from the keyring are renewed\n"
      "when needed (or with --refresh) and saved back in the keyring.\n\n"
      "Exit status: 0 done, 1 refused by the server, 2 usage, 3 network or sign-in failure."));
  g_option_context_add_main_entries (context, common, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("livedesk-cli %s: %s\n", cli->command, error->message);
      cli->exit_code = CLI_EXIT_USAGE;
      return FALSE;
    }
  if (n_args >= 0 ? *argc - 1 != n_args : *argc - 1 > -n_args)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("livedesk-cli %s: %s\n\n%s", cli->command,
                  *argc - 1 < n_args ? _("missing arguments") : _("too many arguments"), help);
      cli->exit_code = CLI_EXIT_USAGE;
      return FALSE;
    }

  if (cli->server == NULL)
    cli->server = g_strdup (LD_SESSION_DEFAULT_SERVER_URL);
  if (cli->api == NULL)
    cli->api = g_strdup (LD_SESSION_DEFAULT_API_URL);
  if (cli->path == NULL)
    cli->path = g_strdup (LD_SESSION_DEFAULT_PATH);
  return TRUE;
}

static int
fail (Cli        *cli,
      int         code,
      const char *format,
      ...) G_GNUC_PRINTF (3, 4);

static int
fail (Cli        *cli,
      int         code,
      const char *format,
      ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("livedesk-cli %s: %s\n", cli->command, text);
  return code;
}

/* The server's code and message, or ours. */
static int
fail_with_error (Cli          *cli,
                 const GError *error)
{
  if (error->domain == LD_CONTRACT_ERROR)
    return fail (cli, CLI_EXIT_REFUSED, "%s: %s",
                 ld_contract_error_to_code (error->code) != NULL ? ld_contract_error_to_code (error->code) : "ERROR",
                 error->message);
  if (error->domain == LD_SESSION_ERROR &&
      (error->code == LD_SESSION_ERROR_INVALID ||
       error->code == LD_SESSION_ERROR_NOT_ALLOWED || error->code == LD_SESSION_ERROR_NOT_IN_ROOM))
    return fail (cli, CLI_EXIT_REFUSED, "%s", error->message);
  if (error->domain == LD_REST_ERROR && error->code == LD_REST_ERROR_REFUSED)
    return fail (cli, CLI_EXIT_REFUSED, "%s", error->message);
  return fail (cli, CLI_EXIT_FAILURE, "%s", error->message);
}

static void
print_json (JsonNode *node)
{
  g_autofree char *text = json_to_string (node, FALSE);

  g_print ("%s\n", text);
  fflush (stdout);
}

static void
print_object (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  print_json (node);
}

/* Iterates the main context until *RESULT is set, the session fails or the
 * user interrupts. */
static gboolean
await (Cli           *cli,
       GAsyncResult **result)
{
  while (*result == NULL && !cli->failed && !cli->interrupted)
    g_main_context_iteration (NULL, TRUE);
  return *result != NULL;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

/* Saved logins: which user last logged in to which API (not a secret; the
 * tokens themselves are only in the keyring). */
static char *
logins_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "livedesk", "cli-logins.ini", NULL);
}

static char *
saved_user (const char *api)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *path = logins_path ();

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, NULL))
    return NULL;
  return g_key_file_get_string (file, api, "user", NULL);
}

static void
save_user (const char *api,
           const char *user)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *path = logins_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_key_file_load_from_file (file, path, G_KEY_FILE_KEEP_COMMENTS, NULL);
  if (user != NULL)
    g_key_file_set_string (file, api, "user", user);
  else
    g_key_file_remove_group (file, api, NULL);
  if (g_mkdir_with_parents (dir, 0700) != 0 || !g_key_file_save_to_file (file, path, &error))
    g_printerr ("livedesk-cli: cannot remember the login in %s: %s\n", path,
                error != NULL ? error->message : g_strerror (errno));
}

/* The keyring, shared with the app: items under the gateway's key, and
 * those older livedesk-cli versions kept under the REST API's URL. */
static LdTokenStore *
token_store (Cli *cli)
{
  if (cli->store == NULL)
    {
      cli->store = ld_token_store_new ();
      ld_token_store_set_legacy_server (cli->store, cli->api);
    }
  return cli->store;
}

static char *
login_user (Cli *cli)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *user;

  if (cli->user != NULL)
    return g_strdup (cli->user);
  if (g_getenv (USER_VARIABLE) != NULL && *g_getenv (USER_VARIABLE) != '\0')
    return g_strdup (g_getenv (USER_VARIABLE));

  /* Whoever signed in last here, with this program or the app. */
  ld_token_store_lookup_user_async (token_store (cli), cli->server, NULL, on_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  user = ld_token_store_lookup_user_finish (cli->store, result, &error);
  if (user != NULL)
    return user;
  /* Without a keyring the lookup says why; here, the name of an older login. */
  return saved_user (cli->api);
}

static void
on_tokens_changed (LdSession *session,
                   LdTokens  *tokens,
                   gpointer   user_data)
{
  Cli *cli = user_data;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* Tokens from the environment are the caller's to manage. */
  if (cli->keyring_user == NULL)
    return;

  ld_token_store_store_async (cli->store, cli->server, cli->keyring_user, tokens, NULL, on_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!ld_token_store_store_finish (cli->store, result, &error))
    g_printerr ("livedesk-cli: the renewed tokens could not be saved: %s\n", error->message);
}

static void
on_state (LdSession  *session,
          GParamSpec *pspec,
          gpointer    user_data)
{
  Cli *cli = user_data;
  LdSessionState state = ld_session_get_state (session);

  if (state == LD_SESSION_STATE_SIGNED_OUT || state == LD_SESSION_STATE_OFFLINE)
    {
      const char *reason = ld_session_get_state_reason (session);

      if (!cli->failed && state == LD_SESSION_STATE_SIGNED_OUT && cli->env_tokens)
        g_printerr (_("livedesk-cli %s: %s\n"
                      "livedesk-cli %s: the token in $%s was refused, perhaps expired: run the command "
                      "again with --refresh to renew it with $%s\n"),
                    cli->command, reason != NULL ? reason : _("signed out"), cli->command,
                    ACCESS_VARIABLE, REFRESH_VARIABLE);
      else if (!cli->failed)
        g_printerr ("livedesk-cli %s: %s\n", cli->command, reason != NULL ? reason : _("disconnected"));
      cli->failed = TRUE;
      cli->exit_code = CLI_EXIT_FAILURE;
      g_main_context_wakeup (NULL);
    }
  else if (state == LD_SESSION_STATE_RECONNECTING)
    g_printerr ("livedesk-cli: %s; retrying in %u s\n", ld_session_get_state_reason (session),
                ld_session_get_reconnect_in (session));
}

/* --refresh: spends REFRESH_TOKEN for a new pair, or FALSE after saying why. */
static LdTokens *
refresh_tokens (Cli         *cli,
                const char  *refresh_token,
                GError     **error)
{
  g_autoptr(LdRestClient) rest = ld_rest_client_new (cli->api);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  LdTokens *tokens;

  ld_rest_client_refresh_async (rest, refresh_token, NULL, on_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  tokens = ld_rest_client_refresh_finish (rest, result, &local_error);
  if (tokens == NULL)
    {
      if (g_error_matches (local_error, LD_REST_ERROR, LD_REST_ERROR_UNAUTHENTICATED))
        g_set_error (error, LD_SESSION_ERROR, LD_SESSION_ERROR_SIGNED_OUT,
                     _("the refresh token was refused (expired, revoked or already used): %s"),
                     local_error->message);
      else
        g_propagate_prefixed_error (error, g_steal_pointer (&local_error), _("cannot renew the tokens: "));
    }
  return tokens;
}

/* The tokens: from the environment, else from the keyring. */
static LdTokens *
load_tokens (Cli     *cli,
             GError **error)
{
  const char *access = g_getenv (ACCESS_VARIABLE);
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *user = NULL;
  LdTokens *tokens;

  if (access != NULL && *access != '\0')
    {
      const char *refresh = g_getenv (REFRESH_VARIABLE);
      g_autoptr(LdTokens) renewed = NULL;

      cli->env_tokens = TRUE;
      /* The session gets no refresh token: a rotation it made on its own
       * would spend the caller's, who could not learn the new one. */
      if (!cli->refresh)
        return ld_tokens_new (access, NULL, 0);

      if (refresh == NULL || *refresh == '\0')
        {
          g_set_error (error, LD_SESSION_ERROR, LD_SESSION_ERROR_SIGNED_OUT,
                       _("--refresh needs $%s"), REFRESH_VARIABLE);
          return NULL;
        }
      renewed = refresh_tokens (cli, refresh, error);
      if (renewed == NULL)
        return NULL;
      /* The old refresh token is spent: the caller must take these. */
      g_printerr ("%s=%s\n%s=%s\n", ACCESS_VARIABLE, renewed->access_token,
                  REFRESH_VARIABLE, renewed->refresh_token != NULL ? renewed->refresh_token : "");
      return ld_tokens_new (renewed->access_token, NULL, renewed->expires_at);
    }

  user = login_user (cli);
  if (user == NULL)
    {
      g_set_error (error, LD_SESSION_ERROR, LD_SESSION_ERROR_SIGNED_OUT,
                   _("not logged in: run “livedesk-cli login” or set $%s"), ACCESS_VARIABLE);
      return NULL;
    }

  ld_token_store_lookup_async (token_store (cli), cli->server, user, NULL, on_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  tokens = ld_token_store_lookup_finish (cli->store, result, error);
  if (tokens == NULL && (error == NULL || *error == NULL))
    {
      g_set_error (error, LD_SESSION_ERROR, LD_SESSION_ERROR_SIGNED_OUT,
                   _("no saved login for %s at %s: run “livedesk-cli login”"), user, cli->server);
      return NULL;
    }
  if (tokens == NULL)
    return NULL;

  if (cli->refresh && tokens->refresh_token != NULL)
    {
      g_autoptr(LdTokens) renewed = refresh_tokens (cli, tokens->refresh_token, error);
      g_autoptr(GAsyncResult) stored = NULL;

      ld_tokens_free (tokens);
      if (renewed == NULL)
        return NULL;
      ld_token_store_store_async (cli->store, cli->server, user, renewed, NULL, on_done, &stored);
      while (stored == NULL)
        g_main_context_iteration (NULL, TRUE);
      if (!ld_token_store_store_finish (cli->store, stored, error))
        return NULL;
      tokens = g_steal_pointer (&renewed);
    }
  cli->keyring_user = g_steal_pointer (&user);
  return tokens;
}

/* A session signed in and online, or FALSE after telling why. */
static gboolean start_session_with (Cli            *cli,
                                    const LdTokens *tokens);

static gboolean
start_session (Cli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LdTokens) tokens = load_tokens (cli, &error);

  if (tokens == NULL)
    {
      cli->exit_code = fail (cli, CLI_EXIT_FAILURE, "%s", error->message);
      return FALSE;
    }
  return start_session_with (cli, tokens);
}

/* TOKENS from load_tokens(): loaded once, as --refresh spends a refresh token. */
static gboolean
start_session_with (Cli            *cli,
                    const LdTokens *tokens)
{
  cli->session = ld_session_new (cli->server, cli->api);
  ld_session_set_path (cli->session, cli->path);
  ld_session_set_give_up_after (cli->session, CLI_RECONNECT_ATTEMPTS);
  ld_session_set_tokens (cli->session, tokens);
  g_signal_connect (cli->session, "notify::state", G_CALLBACK (on_state), cli);
  g_signal_connect (cli->session, "tokens-changed", G_CALLBACK (on_tokens_changed), cli);

  g_printerr ("livedesk-cli: connecting to %s\n", cli->server);
  ld_session_connect (cli->session);
  while (ld_session_get_state (cli->session) != LD_SESSION_STATE_ONLINE && !cli->failed && !cli->interrupted)
    g_main_context_iteration (NULL, TRUE);

  return !cli->failed && !cli->interrupted;
}

static gboolean
join_room (Cli        *cli,
           const char *room_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ld_session_join_room_async (cli->session, room_id, NULL, on_done, &result);
  if (!await (cli, &result))
    return FALSE;
  if (!ld_session_join_room_finish (cli->session, result, &error))
    {
      cli->exit_code = fail_with_error (cli, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
on_interrupt (gpointer user_data)
{
  Cli *cli = user_data;

  cli->interrupted = TRUE;
  g_main_context_wakeup (NULL);
  return G_SOURCE_CONTINUE;
}

/* Reads one line; FALSE at end of input. */
static gboolean
read_line (char   *buffer,
           size_t  size)
{
  size_t len;

  if (fgets (buffer, size, stdin) == NULL)
    return FALSE;
  len = strlen (buffer);
  while (len > 0 && (buffer[len - 1] == '\n' || buffer[len - 1] == '\r'))
    buffer[--len] = '\0';
  return TRUE;
}

/* The terminal does not echo while the password is typed. */
static gboolean
read_password (char   *buffer,
               size_t  size)
{
  struct termios saved, quiet;
  gboolean ok;

  if (!isatty (STDIN_FILENO))
    return read_line (buffer, size);

  if (tcgetattr (STDIN_FILENO, &saved) != 0)
    return FALSE;
  quiet = saved;
  quiet.c_lflag &= ~(ECHO);
  quiet.c_lflag |= ECHONL;
  /* Echo goes off before the prompt shows, so nothing typed after it is
   * echoed or flushed away. */
  if (tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
    return FALSE;
  g_printerr ("%s", _("Password: "));
  ok = read_line (buffer, size);
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
  return ok;
}

static int
cmd_login (Cli   *cli,
           int    argc,
           char **argv)
{
  g_autoptr(LdRestClient) rest = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LdTokens) tokens = NULL;
  g_autofree char *username = NULL;
  char password[MAX_PASSWORD_LEN + 2] = { 0 };
  char name[256] = { 0 };
  gboolean ok;

  if (!parse_options (cli, _("[USERNAME]"),
                      _("Log in with a password and keep the tokens in the keyring.\n"
                        "The password is read from the terminal without echo, or from standard input."),
                      NULL, &argc, &argv, -1))
    return cli->exit_code;

  if (argc > 1)
    username = g_strdup (argv[1]);
  else if (cli->user != NULL)
    username = g_strdup (cli->user);
  else
    {
      if (isatty (STDIN_FILENO))
        g_printerr ("%s", _("Username: "));
      if (!read_line (name, sizeof name) || name[0] == '\0')
        return fail (cli, CLI_EXIT_USAGE, "%s", _("no username given"));
      username = g_strdup (name);
    }

  ok = read_password (password, sizeof password);
  if (!ok || password[0] == '\0')
    {
      explicit_bzero (password, sizeof password);
      return fail (cli, CLI_EXIT_USAGE, "%s", _("no password given"));
    }

  rest = ld_rest_client_new (cli->api);
  ld_rest_client_login_async (rest, username, password, NULL, on_done, &result);
  explicit_bzero (password, sizeof password);
  await (cli, &result);
  tokens = ld_rest_client_login_finish (rest, result, &error);
  if (tokens == NULL)
    {
      if (g_error_matches (error, LD_REST_ERROR, LD_REST_ERROR_UNAUTHENTICATED))
        return fail (cli, CLI_EXIT_FAILURE, _("login refused: %s"), error->message);
      return fail_with_error (cli, error);
    }

  ld_token_store_store_async (token_store (cli), cli->server, username, tokens, NULL, on_done, &stored);
  await (cli, &stored);
  if (!ld_token_store_store_finish (cli->store, stored, &error))
    return fail (cli, CLI_EXIT_FAILURE, _("logged in, but the tokens cannot be kept: %s"), error->message);

  save_user (cli->api, username);
  g_printerr (_("livedesk-cli: logged in as %s\n"), username);
  return CLI_EXIT_OK;
}

static int
cmd_logout (Cli   *cli,
            int    argc,
            char **argv)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *user = NULL;
  gboolean removed;

  if (!parse_options (cli, NULL, _("Forget the saved login (the tokens in the keyring)."),
                      NULL, &argc, &argv, 0))
    return cli->exit_code;

  user = login_user (cli);
  if (user == NULL)
    {
      g_printerr (_("livedesk-cli: not logged in\n"));
      return CLI_EXIT_OK;
    }

  ld_token_store_clear_async (token_store (cli), cli->server, user, NULL, on_done, &result);
  await (cli, &result);
  removed = ld_token_store_clear_finish (cli->store, result, &error);
  if (error != NULL)
    return fail (cli, CLI_EXIT_FAILURE, "%s", error->message);

  {
    g_autofree char *saved = saved_user (cli->api);

    if (g_strcmp0 (saved, user) == 0)
      save_user (cli->api, NULL);
  }
  g_printerr (removed ? _("livedesk-cli: logged out %s\n") : _("livedesk-cli: %s was not logged in\n"), user);
  return CLI_EXIT_OK;
}

static int
cmd_whoami (Cli   *cli,
            int    argc,
            char **argv)
{
  g_autoptr(JsonObject) out = json_object_new ();

  if (!parse_options (cli, NULL, _("Sign in to the gateway and print who you are."), NULL, &argc, &argv, 0))
    return cli->exit_code;
  if (!start_session (cli))
    return cli->exit_code;

  json_object_set_string_member (out, "userId", ld_session_get_user_id (cli->session));
  json_object_set_string_member (out, "username", ld_session_get_username (cli->session));
  json_object_set_string_member (out, "role", ld_role_to_string (ld_session_get_role (cli->session)));
  print_object (out);
  return CLI_EXIT_OK;
}

static int
cmd_health (Cli   *cli,
            int    argc,
            char **argv)
{
  LdRedisState redis = LD_REDIS_STATE_UNKNOWN;
  g_autoptr(LdRestClient) rest = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) out = json_object_new ();
  g_autoptr(LdTokens) tokens = NULL;
  gboolean api_ok;
  gboolean socket_ok = FALSE;

  if (!parse_options (cli, NULL,
                      _("Check the REST API and, when signed in, the gateway; print both and the whole."),
                      NULL, &argc, &argv, 0))
    return cli->exit_code;

  rest = ld_rest_client_new (cli->api);
  ld_rest_client_health_async (rest, NULL, on_done, &result);
  await (cli, &result);
  api_ok = ld_rest_client_health_finish (rest, result, &redis, &error);
  json_object_set_string_member (out, "api", api_ok ? "ok" : "down");
  if (redis != LD_REDIS_STATE_UNKNOWN)
    json_object_set_string_member (out, "redis", redis == LD_REDIS_STATE_UP ? "ok" : "down");
  if (!api_ok)
    json_object_set_string_member (out, "apiError", error->message);

  g_clear_error (&error);
  tokens = load_tokens (cli, &error);
  if (tokens == NULL)
    json_object_set_string_member (out, "socket", "unknown");
  else
    {
      socket_ok = start_session_with (cli, tokens);
      json_object_set_string_member (out, "socket", socket_ok ? "ok" : "down");
    }
  json_object_set_string_member (out, "status", api_ok && socket_ok ? "ok" : "down");
  print_object (out);

  return api_ok && socket_ok ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

static int
cmd_info (Cli   *cli,
          int    argc,
          char **argv)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LdRoomInfo) info = NULL;
  g_autoptr(JsonObject) out = json_object_new ();
  g_autoptr(JsonArray) viewers = json_array_new ();
  GListModel *list;
  LdRoom *room;

  if (!parse_options (cli, _("ROOM"), _("Print a room’s title, status and viewers."), NULL, &argc, &argv, 1))
    return cli->exit_code;
  /* getRoomInfo is the room's: in it for the question. */
  if (!start_session (cli) || !join_room (cli, argv[1]))
    return cli->exit_code;
  room = ld_session_get_room (cli->session, argv[1]);

  ld_room_get_info_async (room, NULL, on_done, &result);
  if (!await (cli, &result))
    return cli->exit_code;
  info = ld_room_get_info_finish (room, result, &error);
  if (info == NULL)
    return fail_with_error (cli, error);

  /* As roomInfo's data, from what the session read of it. */
  json_object_set_string_member (out, "roomId", ld_room_info_get_room_id (info));
  if (ld_room_info_get_title (info) != NULL)
    json_object_set_string_member (out, "title", ld_room_info_get_title (info));
  if (ld_room_info_get_status (info) != NULL)
    json_object_set_string_member (out, "status", ld_room_info_get_status (info));
  json_object_set_int_member (out, "viewerCount", ld_room_info_get_viewer_count (info));
  list = ld_room_info_get_viewers (info);
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(LdViewer) viewer = g_list_model_get_item (list, i);
      g_autoptr(JsonObject) item = json_object_new ();

      json_object_set_string_member (item, "userId", ld_viewer_get_user_id (viewer));
      json_object_set_string_member (item, "username", ld_viewer_get_username (viewer));
      json_object_set_string_member (item, "role", ld_role_to_string (ld_viewer_get_role (viewer)));
      json_array_add_object_element (viewers, g_steal_pointer (&item));
    }
  json_object_set_array_member (out, "viewers", g_steal_pointer (&viewers));
  print_object (out);
  return CLI_EXIT_OK;
}

static void
on_event (LdSession  *session,
          const char *event,
          JsonNode   *payload,
          gpointer    user_data)
{
  g_autoptr(JsonObject) line = json_object_new ();

  json_object_set_string_member (line, "event", event);
  json_object_set_member (line, "data", json_node_copy (payload));
  print_object (line);
}

static int
cmd_tail (Cli   *cli,
          int    argc,
          char **argv)
{
  guint sigint;
  guint sigterm;

  /* Up to the gateway's cap of rooms a socket may be in. */
  if (!parse_options (cli, _("ROOM…"),
                      _("Join one or more rooms on one connection and print every event as one JSON object a "
                        "line until interrupted."),
                      NULL, &argc, &argv, -20))
    return cli->exit_code;
  if (argc < 2)
    {
      g_printerr ("livedesk-cli %s: %s\n", cli->command, _("missing arguments"));
      return CLI_EXIT_USAGE;
    }
  if (!start_session (cli))
    return cli->exit_code;

  g_signal_connect (cli->session, "event", G_CALLBACK (on_event), cli);
  for (int i = 1; i < argc; i++)
    {
      if (!join_room (cli, argv[i]))
        return cli->exit_code;
      g_printerr (_("livedesk-cli: in %s; Ctrl+C to stop\n"), argv[i]);
    }

  /* Once in, a tail keeps trying for as long as it runs. */
  ld_session_set_reconnect_attempts (cli->session, 0);
  sigint = g_unix_signal_add (SIGINT, on_interrupt, cli);
  sigterm = g_unix_signal_add (SIGTERM, on_interrupt, cli);
  while (!cli->interrupted && !cli->failed)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  return cli->failed ? cli->exit_code : CLI_EXIT_OK;
}

static int
send_chat (Cli        *cli,
           gboolean    image,
           const char *room_id,
           const char *content)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) out = json_object_new ();
  LdMessage *message;
  LdRoom *room;

  if (!start_session (cli) || !join_room (cli, room_id))
    return cli->exit_code;

  room = ld_session_get_room (cli->session, room_id);
  message = room == NULL ? NULL
          : image ? ld_room_send_image (room, content, &error)
                  : ld_room_send_text (room, content, &error);
  if (room == NULL)
    g_set_error_literal (&error, LD_SESSION_ERROR, LD_SESSION_ERROR_NOT_IN_ROOM, _("Join a room first"));
  if (message == NULL)
    return fail_with_error (cli, error);

  g_object_ref (message);
  while (ld_message_get_state (message) == LD_MESSAGE_STATE_PENDING && !cli->failed)
    g_main_context_iteration (NULL, TRUE);

  if (ld_message_get_state (message) == LD_MESSAGE_STATE_FAILED)
    {
      const char *refusal = ld_outbox_get_refusal_code (message);
      int code = fail (cli, CLI_EXIT_REFUSED, "%s%s%s", refusal != NULL ? refusal : "",
                       refusal != NULL ? ": " : "", ld_message_get_failure_reason (message));

      g_object_unref (message);
      return code;
    }
  if (cli->failed)
    {
      g_object_unref (message);
      return cli->exit_code;
    }

  json_object_set_string_member (out, "messageId", ld_message_get_id (message));
  json_object_set_string_member (out, "roomId", room_id);
  print_object (out);
  g_object_unref (message);
  return CLI_EXIT_OK;
}

static int
cmd_send (Cli   *cli,
          int    argc,
          char **argv)
{
  if (!parse_options (cli, _("ROOM TEXT"), _("Send a chat message to a room."), NULL, &argc, &argv, 2))
    return cli->exit_code;
  return send_chat (cli, FALSE, argv[1], argv[2]);
}

static int
cmd_image (Cli   *cli,
           int    argc,
           char **argv)
{
  if (!parse_options (cli, _("ROOM URL"), _("Send an image message (an https URL on imgur or cloudinary)."),
                      NULL, &argc, &argv, 2))
    return cli->exit_code;
  return send_chat (cli, TRUE, argv[1], argv[2]);
}

static int
cmd_gift (Cli   *cli,
          int    argc,
          char **argv)
{
  g_autofree char *to = NULL;
  g_autofree char *to_name = NULL;
  g_autofree char *gift_id = NULL;
  g_autofree char *name = NULL;
  g_autofree char *type = NULL;
  g_autofree char *message = NULL;
  g_autofree char *animation = NULL;
  double value = -1;
  int quantity = 1;
  const GOptionEntry entries[] = {
    { "to", 0, 0, G_OPTION_ARG_STRING, &to, N_("The receiver’s user id"), N_("USER") },
    { "to-name", 0, 0, G_OPTION_ARG_STRING, &to_name, N_("The receiver’s name"), N_("NAME") },
    { "gift", 0, 0, G_OPTION_ARG_STRING, &gift_id, N_("The gift’s id"), N_("ID") },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, N_("The gift’s name"), N_("NAME") },
    { "type", 0, 0, G_OPTION_ARG_STRING, &type, N_("The gift’s type"), N_("TYPE") },
    { "value", 0, 0, G_OPTION_ARG_DOUBLE, &value, N_("The value of one gift"), N_("N") },
    { "quantity", 0, 0, G_OPTION_ARG_INT, &quantity, N_("How many (1–100, default 1)"), N_("N") },
    { "message", 0, 0, G_OPTION_ARG_STRING, &message, N_("A message with the gift"), N_("TEXT") },
    { "animation", 0, 0, G_OPTION_ARG_STRING, &animation, N_("The animation (default “default”)"), N_("NAME") },
    { NULL }
  };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) out = json_object_new ();
  g_autofree char *tx_id = NULL;
  LdRoomGift request = { 0 };
  LdRoom *room;

  if (!parse_options (cli, _("ROOM"), _("Send a gift to someone in a room."), entries, &argc, &argv, 1))
    return cli->exit_code;
  if (to == NULL || gift_id == NULL || name == NULL || type == NULL || value < 0)
    return fail (cli, CLI_EXIT_USAGE, "%s", _("--to, --gift, --name, --type and --value are required"));
  if (quantity < 1 || quantity > 100)
    return fail (cli, CLI_EXIT_USAGE, "%s", _("--quantity must be from 1 to 100"));

  if (!start_session (cli) || !join_room (cli, argv[1]))
    return cli->exit_code;

  request.receiver_id = to;
  request.receiver_name = to_name != NULL ? to_name : to;
  request.gift_id = gift_id;
  request.gift_name = name;
  request.gift_type = type;
  request.gift_value = value;
  request.quantity = (guint) quantity;
  request.message = message;
  request.animation = animation;
  room = ld_session_get_room (cli->session, argv[1]);
  if (room == NULL)
    return fail (cli, CLI_EXIT_USAGE, "%s", _("Join a room first"));
  ld_room_send_gift_async (room, &request, NULL, on_done, &result);
  if (!await (cli, &result))
    return cli->exit_code;
  tx_id = ld_room_send_gift_finish (room, result, &error);
  if (tx_id == NULL)
    return fail_with_error (cli, error);

  json_object_set_string_member (out, "giftTxId", tx_id);
  print_object (out);
  return CLI_EXIT_OK;
}

/* [ext] The admins' side of the support tickets the gateway stores, on the
 * session's ticket API: what the server answered, as JSON. */

static void
set_time_member (JsonObject *object,
                 const char *member,
                 GDateTime  *time)
{
  g_autofree char *text = time != NULL ? g_date_time_format_iso8601 (time) : NULL;

  if (text != NULL)
    json_object_set_string_member (object, member, text);
  else
    json_object_set_null_member (object, member);
}

/* TICKET as the wire's ticket object, with its MESSAGES when asked. */
static JsonObject *
ticket_to_json (LdTicket *ticket,
                gboolean  messages)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "ticketId", ld_ticket_get_ticket_id (ticket));
  json_object_set_string_member (object, "userId", ld_ticket_get_user_id (ticket));
  json_object_set_string_member (object, "username", ld_ticket_get_username (ticket));
  json_object_set_string_member (object, "supportType", ld_ticket_get_support_type (ticket));
  json_object_set_string_member (object, "status", ld_ticket_get_resolved (ticket) ? "resolved" : "open");
  if (ld_ticket_get_assignee (ticket) != NULL)
    json_object_set_string_member (object, "assignee", ld_ticket_get_assignee (ticket));
  else
    json_object_set_null_member (object, "assignee");
  set_time_member (object, "createdAt", ld_ticket_get_created (ticket));
  set_time_member (object, "updatedAt", ld_ticket_get_updated (ticket));
  if (messages)
    {
      GListModel *model = ld_ticket_get_messages (ticket);
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < g_list_model_get_n_items (model); i++)
        {
          g_autoptr(LdMessage) message = g_list_model_get_item (model, i);
          JsonObject *item = json_object_new ();

          json_object_set_string_member (item, "from", ld_message_get_username (message));
          json_object_set_string_member (item, "fromId", ld_message_get_user_id (message));
          json_object_set_string_member (item, "fromRole", ld_role_to_string (ld_message_get_role (message)));
          json_object_set_string_member (item, "message", ld_message_get_text (message));
          set_time_member (item, "timestamp", ld_message_get_timestamp (message));
          if (ld_ticket_message_is_internal (message))
            json_object_set_boolean_member (item, "internal", TRUE);
          json_array_add_object_element (array, item);
        }
      json_object_set_array_member (object, "messages", array);
    }
  return object;
}

/* Ticket TICKET_ID with its history, from the server; NULL after failing. */
static LdTicket *
get_ticket (Cli        *cli,
            const char *ticket_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LdTicket *ticket;

  if (!start_session (cli))
    return NULL;
  ld_support_get_ticket_async (ld_session_get_support (cli->session), ticket_id, NULL, NULL, on_done, &result);
  if (!await (cli, &result))
    return NULL;
  ticket = ld_support_get_ticket_finish (ld_session_get_support (cli->session), result, &error);
  if (ticket == NULL)
    fail_with_error (cli, error);
  return ticket;
}

static int
cmd_support_list (Cli   *cli,
                  int    argc,
                  char **argv)
{
  g_autofree char *status = NULL;
  g_autofree char *before = NULL;
  int limit = 0;
  const GOptionEntry entries[] = {
    { "status", 0, 0, G_OPTION_ARG_STRING, &status, N_("Only “open” or “resolved” tickets"), N_("STATUS") },
    { "before", 0, 0, G_OPTION_ARG_STRING, &before,
      N_("Tickets opened before this time (the nextBefore of the previous page)"), N_("TIME") },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("How many (1–100, default 20)"), N_("N") },
    { NULL }
  };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) page = NULL;

  if (!parse_options (cli, "list", _("List support tickets, newest first (admins)."), entries, &argc, &argv, 0))
    return cli->exit_code;
  if (!start_session (cli))
    return cli->exit_code;
  /* A negative limit is the server's to refuse, not ours to read as none. */
  ld_support_list_tickets_async (ld_session_get_support (cli->session), status, before, limit < 0 ? G_MAXUINT : (guint) limit,
                                 NULL, on_done, &result);
  if (!await (cli, &result))
    return cli->exit_code != 0 ? cli->exit_code : CLI_EXIT_FAILURE;
  page = ld_support_list_tickets_finish (ld_session_get_support (cli->session), result, &error);
  if (page == NULL)
    return fail_with_error (cli, error);
  print_object (page);
  return CLI_EXIT_OK;
}

static int
cmd_support_show (Cli   *cli,
                  int    argc,
                  char **argv)
{
  g_autoptr(LdTicket) ticket = NULL;
  g_autoptr(JsonObject) out = NULL;

  if (!parse_options (cli, _("show TICKET"), _("Print a support ticket with its messages."), NULL, &argc, &argv, 1))
    return cli->exit_code;
  if ((ticket = get_ticket (cli, argv[1])) == NULL)
    return cli->exit_code != 0 ? cli->exit_code : CLI_EXIT_FAILURE;
  out = ticket_to_json (ticket, TRUE);
  print_object (out);
  return CLI_EXIT_OK;
}

static int
change_ticket (Cli            *cli,
               int             argc,
               char          **argv,
               LdTicketChange  change,
               const char     *summary)
{
  /* The action, which the parser does not show. */
  g_autofree char *parameters = g_strdup_printf (_("%s TICKET"), argv[0]);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) out = NULL;
  LdTicket *ticket;

  if (!parse_options (cli, parameters, summary, NULL, &argc, &argv, 1))
    return cli->exit_code;
  if (!start_session (cli))
    return cli->exit_code;
  ld_support_change_ticket_async (ld_session_get_support (cli->session), argv[1], change, NULL, on_done, &result);
  if (!await (cli, &result))
    return cli->exit_code != 0 ? cli->exit_code : CLI_EXIT_FAILURE;
  if (!ld_support_change_ticket_finish (ld_session_get_support (cli->session), result, &error))
    return fail_with_error (cli, error);

  /* The server's answer is in the session's tickets now. */
  ticket = ld_ticket_model_lookup_id (ld_support_get_tickets (ld_session_get_support (cli->session)), argv[1]);
  if (ticket == NULL)
    return fail (cli, CLI_EXIT_FAILURE, "%s", _("The server’s answer named no ticket"));
  out = ticket_to_json (ticket, FALSE);
  print_object (out);
  return CLI_EXIT_OK;
}

static int
cmd_support_reply (Cli   *cli,
                   int    argc,
                   char **argv)
{
  gboolean internal = FALSE;
  const GOptionEntry entries[] = {
    { "internal", 0, 0, G_OPTION_ARG_NONE, &internal, N_("An internal note: only admins see it"), NULL },
    { NULL }
  };
  g_autoptr(LdTicket) ticket = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) out = NULL;
  gboolean sent;

  if (!parse_options (cli, _("reply TICKET TEXT"), _("Answer a support ticket (admins)."), entries, &argc, &argv, 2))
    return cli->exit_code;
  /* The session answers in tickets it knows: this one, from the server. */
  if ((ticket = get_ticket (cli, argv[1])) == NULL)
    return cli->exit_code != 0 ? cli->exit_code : CLI_EXIT_FAILURE;
  if (internal)
    ld_support_add_ticket_note_async (ld_session_get_support (cli->session), argv[1], argv[2], NULL, on_done, &result);
  else
    ld_support_reply_in_ticket_async (ld_session_get_support (cli->session), argv[1], argv[2], NULL, on_done, &result);
  if (!await (cli, &result))
    return cli->exit_code != 0 ? cli->exit_code : CLI_EXIT_FAILURE;
  sent = internal ? ld_support_add_ticket_note_finish (ld_session_get_support (cli->session), result, &error)
                  : ld_support_reply_in_ticket_finish (ld_session_get_support (cli->session), result, &error);
  if (!sent)
    return fail_with_error (cli, error);
  out = ticket_to_json (ticket, TRUE);
  print_object (out);
  return CLI_EXIT_OK;
}

/* "support list" and the others; ARGV[0] is the action. */
static int
cmd_support_admin (Cli   *cli,
                   int    argc,
                   char **argv)
{
  const char *action = argv[0];

  if (strcmp (action, "list") == 0)
    return cmd_support_list (cli, argc, argv);
  if (strcmp (action, "show") == 0)
    return cmd_support_show (cli, argc, argv);
  if (strcmp (action, "claim") == 0)
    return change_ticket (cli, argc, argv, LD_TICKET_CHANGE_CLAIM, _("Take a support ticket as yours (admins)."));
  if (strcmp (action, "resolve") == 0)
    return change_ticket (cli, argc, argv, LD_TICKET_CHANGE_RESOLVE, _("Mark a support ticket resolved (admins)."));
  if (strcmp (action, "reopen") == 0)
    return change_ticket (cli, argc, argv, LD_TICKET_CHANGE_REOPEN, _("Reopen a resolved support ticket (admins)."));
  g_assert (strcmp (action, "reply") == 0);
  return cmd_support_reply (cli, argc, argv);
}

static gboolean
is_support_action (const char *word)
{
  static const char * const actions[] = { "list", "show", "claim", "reply", "resolve", "reopen", NULL };

  return word != NULL && g_strv_contains (actions, word);
}

/* Where the first operand of ARGV is, past options and their values (the
 * common ones may come before the action: cli_run puts them there), or -1;
 * after "--" everything is text, never an action. */
static int
first_operand (int    argc,
               char **argv)
{
  static const char * const value_options[] = {
    "--server", "--api", "--path", "--user", "--type", "--status", "--before", "--limit", NULL
  };

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        return -1;
      if (argv[i][0] != '-' || argv[i][1] == '\0')
        return i;
      if (strchr (argv[i], '=') == NULL && g_strv_contains (value_options, argv[i]))
        i++;
    }
  return -1;
}

static int
cmd_support (Cli   *cli,
             int    argc,
             char **argv)
{
  g_autofree char *type = NULL;
  const GOptionEntry entries[] = {
    { "type", 0, 0, G_OPTION_ARG_STRING, &type, N_("The kind of help (default “general”)"), N_("TYPE") },
    { NULL }
  };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) out = json_object_new ();
  g_autofree char *ticket_id = NULL;

  {
    int action = first_operand (argc, argv);

    if (action > 0 && is_support_action (argv[action]))
      {
        /* The action first, standing for the program name in its parser. */
        g_autofree char **args = g_new0 (char *, argc + 1);
        int n = 0;

        args[n++] = argv[action];
        for (int i = 1; i < argc; i++)
          if (i != action)
            args[n++] = argv[i];
        return cmd_support_admin (cli, n, args);
      }
  }
  if (!parse_options (cli, _("TEXT | list | show TICKET | claim TICKET | reply TICKET TEXT | resolve TICKET | reopen TICKET"),
                      _("Write to the admins (support chat); admins list, show, claim, answer, resolve and "
                        "reopen the tickets."), entries, &argc, &argv, 1))
    return cli->exit_code;
  if (!start_session (cli))
    return cli->exit_code;

  ld_support_contact_support_async (ld_session_get_support (cli->session), argv[1], type, NULL, on_done, &result);
  if (!await (cli, &result))
    return cli->exit_code;
  ticket_id = ld_support_contact_support_finish (ld_session_get_support (cli->session), result, &error);
  if (ticket_id == NULL)
    return fail_with_error (cli, error);

  json_object_set_string_member (out, "ticketId", ticket_id);
  print_object (out);
  return CLI_EXIT_OK;
}

static int
moderate (Cli          *cli,
          LdModeration  action,
          const char   *room_id,
          const char   *target,
          guint         seconds,
          const char   *reason)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LdRoom *room;

  /* Moderation is the room's: in it to act there. */
  if (!start_session (cli) || !join_room (cli, room_id))
    return cli->exit_code;
  room = ld_session_get_room (cli->session, room_id);
  /* A target the room knows to be of our rank or above: say so before
   * sending; one it does not know is the server's to judge. */
  if ((action == LD_MODERATION_TIMEOUT || action == LD_MODERATION_BAN) &&
      !ld_room_check_sanction (room, target, &error))
    return fail_with_error (cli, error);

  ld_room_moderate_async (room, action, target, seconds, reason, NULL, on_done, &result);
  if (!await (cli, &result))
    return cli->exit_code;
  if (!ld_room_moderate_finish (room, result, &error))
    return fail_with_error (cli, error);
  return CLI_EXIT_OK;
}

static int
cmd_delete (Cli   *cli,
            int    argc,
            char **argv)
{
  if (!parse_options (cli, _("ROOM MESSAGE_ID"), _("Delete a message (moderators)."), NULL, &argc, &argv, 2))
    return cli->exit_code;
  return moderate (cli, LD_MODERATION_DELETE, argv[1], argv[2], 0, NULL);
}

static int
cmd_timeout (Cli   *cli,
             int    argc,
             char **argv)
{
  int seconds = 0;
  g_autofree char *reason = NULL;
  const GOptionEntry entries[] = {
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, N_("How long (default: the server’s, 5 minutes)"), N_("N") },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, N_("Why, for the user"), N_("TEXT") },
    { NULL }
  };

  if (!parse_options (cli, _("ROOM USER"), _("Silence a user in a room for a while (moderators)."),
                      entries, &argc, &argv, 2))
    return cli->exit_code;
  if (seconds < 0)
    return fail (cli, CLI_EXIT_USAGE, "%s", _("--seconds must not be negative"));
  return moderate (cli, LD_MODERATION_TIMEOUT, argv[1], argv[2], (guint) seconds, reason);
}

static int
cmd_ban (Cli   *cli,
         int    argc,
         char **argv)
{
  g_autofree char *reason = NULL;
  const GOptionEntry entries[] = {
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, N_("Why, for the user"), N_("TEXT") },
    { NULL }
  };

  if (!parse_options (cli, _("ROOM USER"), _("Ban a user from a room (moderators)."), entries, &argc, &argv, 2))
    return cli->exit_code;
  return moderate (cli, LD_MODERATION_BAN, argv[1], argv[2], 0, reason);
}

static int
cmd_unban (Cli   *cli,
           int    argc,
           char **argv)
{
  g_autofree char *reason = NULL;
  const GOptionEntry entries[] = {
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, N_("Why, for the record"), N_("TEXT") },
    { NULL }
  };

  if (!parse_options (cli, _("ROOM USER"), _("Lift a ban or timeout (moderators)."), entries, &argc, &argv, 2))
    return cli->exit_code;
  return moderate (cli, LD_MODERATION_UNBAN, argv[1], argv[2], 0, reason);
}

typedef struct
{
  const char *name;
  const char *summary;
  int       (*run) (Cli *cli, int argc, char **argv);
} Command;

static const Command commands[] = {
  { "login", N_("Log in and keep the tokens in the keyring"), cmd_login },
  { "logout", N_("Forget the saved login"), cmd_logout },
  { "whoami", N_("Print who you are signed in as"), cmd_whoami },
  { "health", N_("Check the REST API and the gateway"), cmd_health },
  { "info", N_("Print a room’s information"), cmd_info },
  { "tail", N_("Print a room’s events until interrupted"), cmd_tail },
  { "send", N_("Send a chat message"), cmd_send },
  { "image", N_("Send an image message"), cmd_image },
  { "gift", N_("Send a gift"), cmd_gift },
  { "support", N_("Write to the admins; admins: list, show, claim, reply, resolve, reopen tickets"), cmd_support },
  { "delete", N_("Delete a message (moderators)"), cmd_delete },
  { "timeout", N_("Silence a user for a while (moderators)"), cmd_timeout },
  { "ban", N_("Ban a user from a room (moderators)"), cmd_ban },
  { "unban", N_("Lift a ban or timeout (moderators)"), cmd_unban },
};

static char *
usage (void)
{
  g_autoptr(GString) text = g_string_new (_("Usage:\n  livedesk-cli [OPTION…] COMMAND [OPTION…]\n\nCommands:\n"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "  %-10s %s\n", commands[i].name, _(commands[i].summary));
  g_string_append (text, _("\nThe options every command takes (--server, --api, --path, --user, --refresh) may\n"
                           "also come before the command.\n"
                           "“livedesk-cli COMMAND --help” describes a command’s options.\n"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The common options that take a value, and the one that takes none: they
 * may come before the command as well as after it. */
static const char * const global_value_options[] = { "--server", "--api", "--path", "--user", NULL };
static const char * const global_flag_options[] = { "--refresh", NULL };

/* The index in ARGV of the command, skipping the common options before it;
 * -1 for --help before it; 0 with an error for anything else before it, or
 * none at all. */
static int
find_command (int      argc,
              char   **argv,
              GError **error)
{
  int i = 1;

  while (i < argc)
    {
      const char *arg = argv[i];
      g_autofree char *name = NULL;
      const char *equals;

      if (arg[0] != '-')
        return i;
      if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0)
        return -1;
      equals = strchr (arg, '=');
      name = equals != NULL ? g_strndup (arg, equals - arg) : g_strdup (arg);
      if (g_strv_contains (global_value_options, name))
        {
          if (equals == NULL && i + 1 >= argc)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("Missing argument for %s"), name);
              return 0;
            }
          i += equals != NULL ? 1 : 2;
        }
      else if (equals == NULL && g_strv_contains (global_flag_options, name))
        i++;
      else
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
                       _("unknown option “%s” before the command"), arg);
          return 0;
        }
    }
  g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("no command given"));
  return 0;
}

int
cli_run (int    argc,
         char **argv)
{
  Cli cli = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char **args = NULL;
  int command;
  int n = 0;
  int code;

  if (argc < 2)
    {
      g_autofree char *text = usage ();

      g_printerr ("%s", text);
      return CLI_EXIT_USAGE;
    }
  command = find_command (argc, argv, &error);
  if (strcmp (argv[1], "help") == 0 || command < 0)
    {
      g_autofree char *text = usage ();

      g_print ("%s", text);
      return CLI_EXIT_OK;
    }

  if (command == 0)
    {
      g_autofree char *text = usage ();

      g_printerr ("livedesk-cli: %s\n\n%s", error->message, text);
      return CLI_EXIT_USAGE;
    }

  /* The command first, then the options that came before it: its own
   * option context parses them wherever they are. GOption rearranges ARGS,
   * which only borrows ARGV's strings. */
  args = g_new0 (char *, argc + 1);
  args[n++] = argv[command];
  for (int i = 1; i < argc; i++)
    if (i != command)
      args[n++] = argv[i];

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (strcmp (args[0], commands[i].name) != 0)
        continue;

      cli.command = commands[i].name;
      cli.exit_code = CLI_EXIT_OK;
      {
        g_autofree char *prgname = g_strconcat ("livedesk-cli ", commands[i].name, NULL);

        /* What --help shows as the usage line. */
        g_set_prgname (prgname);
      }
      code = commands[i].run (&cli, n, args);
      cli_clear (&cli);
      return code;
    }

  {
    g_autofree char *text = usage ();

    g_printerr (_("livedesk-cli: unknown command “%s”\n\n%s"), args[0], text);
  }
  return CLI_EXIT_USAGE;
}
