/* main.c: livedesk-gateway: the gateway itself (serve) and its helper commands.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "gw-gateway.h"
#include "gw-jwt.h"
#include "gw-redis.h"
#include "gw-refresh.h"
#include "gw-rest.h"
#include "gw-users.h"

#define SECRET_VARIABLE "LIVEDESK_JWT_SECRET"
#define MAX_PASSWORD_LEN 1024

typedef struct
{
  const char *name;
  const char *summary;
  int       (*run) (int argc, char **argv);
} Command;

static int
mint_token (int    argc,
            char **argv)
{
  g_autofree char *user = NULL;
  g_autofree char *name = NULL;
  g_autofree char *role_name = NULL;
  g_autofree char *secret_file = NULL;
  gint ttl = 15 * 60;
  const GOptionEntry entries[] = {
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, "User id (the token's \"sub\")", "ID" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, "Username (the token's \"name\")", "NAME" },
    { "role", 'r', 0, G_OPTION_ARG_STRING, &role_name, "viewer, streamer, moderator or admin", "ROLE" },
    { "ttl", 't', 0, G_OPTION_ARG_INT, &ttl, "Lifetime in seconds (default 900)", "SECONDS" },
    { "secret-file", 's', 0, G_OPTION_ARG_FILENAME, &secret_file,
      "Read the secret from PATH instead of $" SECRET_VARIABLE, "PATH" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- print a signed access token");
  g_autoptr(GError) error = NULL;
  g_autoptr(GwJwt) jwt = NULL;
  g_autoptr(GwJwtClaims) claims = NULL;
  g_autofree char *token = NULL;
  gint64 now;
  GwRole role;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "The secret comes from $" SECRET_VARIABLE " or --secret-file, never from the command line,\n"
    "where every user of the machine could read it. For development and tests.");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("livedesk-gateway mint-token: %s\n", error->message);
      return 2;
    }

  if (argc > 1)
    {
      g_printerr ("livedesk-gateway mint-token: unexpected argument “%s”\n", argv[1]);
      return 2;
    }
  if (user == NULL || name == NULL || role_name == NULL)
    {
      g_printerr ("livedesk-gateway mint-token: --user, --name and --role are required\n");
      return 2;
    }
  if (!gw_role_from_string (role_name, &role))
    {
      g_printerr ("livedesk-gateway mint-token: unknown role “%s”; use viewer, streamer, moderator or admin\n",
                  role_name);
      return 2;
    }
  if (ttl <= 0)
    {
      g_printerr ("livedesk-gateway mint-token: --ttl must be a positive number of seconds\n");
      return 2;
    }

  if (secret_file != NULL)
    jwt = gw_jwt_new_from_file (secret_file, &error);
  else
    jwt = gw_jwt_new_from_environment (SECRET_VARIABLE, &error);
  if (jwt == NULL)
    {
      g_printerr ("livedesk-gateway mint-token: %s\n", error->message);
      return 1;
    }

  now = g_get_real_time () / G_USEC_PER_SEC;
  claims = gw_jwt_claims_new (user, name, role, now, now + ttl);
  token = gw_jwt_sign (jwt, claims, &error);
  if (token == NULL)
    {
      g_printerr ("livedesk-gateway mint-token: %s\n", error->message);
      return 1;
    }

  g_print ("%s\n", token);
  return 0;
}

/* Reads one line; FALSE at end of input. The caller wipes BUFFER. */
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
prompt_hidden (const char *prompt,
               char       *buffer,
               size_t      size)
{
  struct termios saved, quiet;
  gboolean ok;

  if (tcgetattr (STDIN_FILENO, &saved) != 0)
    return FALSE;

  quiet = saved;
  quiet.c_lflag &= ~(ECHO);
  quiet.c_lflag |= ECHONL;
  g_printerr ("%s", prompt);
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
  ok = read_line (buffer, size);
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);

  return ok;
}

static int
hash_password (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- read a password on standard input and print its hash");
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  char password[MAX_PASSWORD_LEN + 2] = { 0 };
  char again[MAX_PASSWORD_LEN + 2] = { 0 };
  gboolean ok;

  g_option_context_set_description (context,
    "Prints a yescrypt hash for the \"passwordHash\" field of the gateway's users file.\n"
    "On a terminal the password is asked for twice and not shown.");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("livedesk-gateway hash-password: %s\n", error->message);
      return 2;
    }

  if (isatty (STDIN_FILENO))
    {
      ok = prompt_hidden ("Password: ", password, sizeof password) &&
           prompt_hidden ("Password again: ", again, sizeof again);
      if (ok && strcmp (password, again) != 0)
        {
          explicit_bzero (password, sizeof password);
          explicit_bzero (again, sizeof again);
          g_printerr ("livedesk-gateway hash-password: the two passwords differ\n");
          return 1;
        }
    }
  else
    ok = read_line (password, sizeof password);

  explicit_bzero (again, sizeof again);

  if (!ok || password[0] == '\0')
    {
      explicit_bzero (password, sizeof password);
      g_printerr ("livedesk-gateway hash-password: no password given\n");
      return 1;
    }
  if (strlen (password) > MAX_PASSWORD_LEN)
    {
      explicit_bzero (password, sizeof password);
      g_printerr ("livedesk-gateway hash-password: passwords are limited to %d bytes\n", MAX_PASSWORD_LEN);
      return 1;
    }

  hash = gw_password_hash (password, &error);
  explicit_bzero (password, sizeof password);
  if (hash == NULL)
    {
      g_printerr ("livedesk-gateway hash-password: %s\n", error->message);
      return 1;
    }

  g_print ("%s\n", hash);
  return 0;
}

static gboolean
on_quit_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static int
serve (int    argc,
       char **argv)
{
  g_autofree char *users_path = NULL;
  g_autofree char *redis_uri = NULL;
  g_autofree char *secret_file = NULL;
  g_autofree char *address = NULL;
  gint port = 4001;
  gint presence_timeout = GW_GATEWAY_DEFAULT_PRESENCE_TIMEOUT_MS / 1000;
  const GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "TCP port (default 4001; 0 picks a free one)", "N" },
    { "address", 'a', 0, G_OPTION_ARG_STRING, &address, "Address to listen on (default 127.0.0.1)", "ADDRESS" },
    { "users", 'u', 0, G_OPTION_ARG_FILENAME, &users_path, "The users file (JSON, see hash-password)", "FILE" },
    { "redis", 'r', 0, G_OPTION_ARG_STRING, &redis_uri, "Bridge to the backend over Redis", "redis://HOST:PORT" },
    { "secret-file", 's', 0, G_OPTION_ARG_FILENAME, &secret_file,
      "Read the secret from PATH instead of $" SECRET_VARIABLE, "PATH" },
    { "presence-timeout", 0, 0, G_OPTION_ARG_INT, &presence_timeout,
      "Seconds without viewerPing before a viewer leaves a room (default 90)", "SECONDS" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- run the gateway: Socket.IO at /socket/ and the REST API");
  g_autoptr(GError) error = NULL;
  g_autoptr(GwJwt) jwt = NULL;
  g_autoptr(GwUsers) users = NULL;
  g_autoptr(GwRefreshStore) refresh = NULL;
  g_autoptr(GwRest) rest = NULL;
  g_autoptr(GwRedis) redis = NULL;
  g_autoptr(GwGateway) gateway = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) listen_address = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GSList) uris = NULL;
  guint sigint;
  guint sigterm;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "The secret comes from $" SECRET_VARIABLE " or --secret-file, never from the command line.\n"
    "Prints the URL it listens on, then serves until SIGINT or SIGTERM.");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("livedesk-gateway serve: %s\n", error->message);
      return 2;
    }
  if (argc > 1)
    {
      g_printerr ("livedesk-gateway serve: unexpected argument “%s”\n", argv[1]);
      return 2;
    }
  if (users_path == NULL)
    {
      g_printerr ("livedesk-gateway serve: --users is required\n");
      return 2;
    }
  if (port < 0 || port > 65535)
    {
      g_printerr ("livedesk-gateway serve: --port must be from 0 to 65535\n");
      return 2;
    }
  if (presence_timeout <= 0 || presence_timeout > 24 * 3600)
    {
      g_printerr ("livedesk-gateway serve: --presence-timeout must be from 1 to 86400 seconds\n");
      return 2;
    }

  inet = g_inet_address_new_from_string (address != NULL ? address : "127.0.0.1");
  if (inet == NULL)
    {
      g_printerr ("livedesk-gateway serve: “%s” is not an IP address\n", address);
      return 2;
    }

  if (secret_file != NULL)
    jwt = gw_jwt_new_from_file (secret_file, &error);
  else
    jwt = gw_jwt_new_from_environment (SECRET_VARIABLE, &error);
  if (jwt == NULL)
    {
      g_printerr ("livedesk-gateway serve: %s\n", error->message);
      return 1;
    }

  users = gw_users_new_from_file (users_path, &error);
  if (users == NULL)
    {
      g_printerr ("livedesk-gateway serve: %s\n", error->message);
      return 1;
    }

  if (redis_uri != NULL && (redis = gw_redis_new (redis_uri, &error)) == NULL)
    {
      g_printerr ("livedesk-gateway serve: %s\n", error->message);
      return 1;
    }

  refresh = gw_refresh_store_new (GW_REFRESH_DEFAULT_TTL_SECONDS);
  rest = gw_rest_new (jwt, users, refresh);
  gateway = gw_gateway_new (jwt);
  gw_gateway_set_presence_timeout (gateway, (guint) presence_timeout * 1000);
  if (redis != NULL)
    {
      gw_rest_set_redis (rest, redis);
      gw_gateway_set_redis (gateway, redis);
    }

  server = soup_server_new ("server-header", "livedesk-gateway", NULL);
  gw_rest_attach (rest, server);
  gw_gateway_attach (gateway, server);

  listen_address = g_inet_socket_address_new (inet, (guint16) port);
  if (!soup_server_listen (server, listen_address, 0, &error))
    {
      g_printerr ("livedesk-gateway serve: cannot listen: %s\n", error->message);
      return 1;
    }
  if (redis != NULL)
    gw_redis_start (redis);

  /* The one line a supervisor or a test waits for. */
  uris = soup_server_get_uris (server);
  for (GSList *l = uris; l != NULL; l = l->next)
    {
      g_autofree char *text = g_uri_to_string (l->data);

      g_print ("livedesk-gateway: listening on %s\n", text);
    }
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  sigint = g_unix_signal_add (SIGINT, on_quit_signal, loop);
  sigterm = g_unix_signal_add (SIGTERM, on_quit_signal, loop);
  g_main_loop_run (loop);
  g_source_remove (sigint);
  g_source_remove (sigterm);

  /* Clients see a clean disconnect rather than a dropped connection. */
  gw_gateway_close (gateway);
  soup_server_disconnect (server);

  return 0;
}

static const Command commands[] = {
  { "serve", "Run the gateway: Socket.IO (the livestream contract) and the REST API", serve },
  { "mint-token", "Print a signed access token (for development and tests)", mint_token },
  { "hash-password", "Read a password on standard input and print its hash for the users file", hash_password },
};

static char *
usage (void)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("COMMAND");
  g_autoptr(GString) summary = g_string_new ("Commands:");
  gboolean version = FALSE;
  const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (summary, "\n  %-15s %s", commands[i].name, commands[i].summary);
  g_string_append (summary, "\n\n`livedesk-gateway COMMAND --help` describes a command's options.");
  g_option_context_set_summary (context, summary->str);

  return g_option_context_get_help (context, FALSE, NULL);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_set_prgname ("livedesk-gateway");

  if (argc < 2)
    {
      g_autofree char *help = usage ();

      g_printerr ("%s", help);
      return 2;
    }

  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      g_autofree char *help = usage ();

      g_print ("%s", help);
      return 0;
    }

  if (strcmp (argv[1], "--version") == 0)
    {
      g_print ("livedesk-gateway %s\n", LIVEDESK_VERSION);
      return 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (strcmp (argv[1], commands[i].name) == 0)
        {
          g_autofree char *prgname = g_strdup_printf ("livedesk-gateway %s", commands[i].name);

          g_set_prgname (prgname);
          argv[1] = prgname;
          return commands[i].run (argc - 1, argv + 1);
        }
    }

  g_printerr ("livedesk-gateway: unknown command “%s”; see livedesk-gateway --help\n", argv[1]);
  return 2;
}
