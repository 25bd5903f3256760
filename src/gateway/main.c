/* main.c: livedesk-gateway: the gateway itself (serve) and its helper commands.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <termios.h>
#include <unistd.h>

#include "gw-gateway.h"
#include "gw-jwt.h"
#include "gw-log.h"
#include "gw-metrics-endpoint.h"
#include "gw-notify.h"
#include "gw-redis.h"
#include "gw-refresh.h"
#include "gw-tickets.h"
#include "gw-rest.h"
#include "gw-users.h"
#include "sio-engine.h"

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
    { "jwt-secret-file", 's', 0, G_OPTION_ARG_FILENAME, &secret_file,
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
    "The secret comes from $" SECRET_VARIABLE " or --jwt-secret-file, never from the command line,\n"
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

#define DEFAULT_DRAIN_TIMEOUT 10
#define DEFAULT_LOG_SUMMARY_INTERVAL 10

typedef struct
{
  GMainLoop *loop;
  guint      signals;
  gboolean   drain_expired;
} Shutdown;

/* The first SIGTERM or SIGINT starts the drain; a second one means the
 * operator will not wait for it. */
static gboolean
on_quit_signal (gpointer user_data)
{
  Shutdown *shutdown = user_data;

  if (++shutdown->signals > 1)
    {
      gw_log_event (G_LOG_LEVEL_WARNING, "shutdown_forced", "signals", "2", NULL);
      _exit (1);
    }
  g_main_loop_quit (shutdown->loop);
  return G_SOURCE_CONTINUE;
}

/* --exit-with-stdin: the parent (livedesk --demo) holds our stdin's other
 * end, so its end in any way closes it; what it writes is ignored. */
static gboolean
on_stdin (int          fd,
          GIOCondition condition,
          gpointer     user_data)
{
  char buffer[256];
  ssize_t n;

  do
    n = read (fd, buffer, sizeof buffer);
  while (n < 0 && errno == EINTR);
  if (n > 0 || (n < 0 && errno == EAGAIN))
    return G_SOURCE_CONTINUE;
  /* serve() removes the source once the loop has stopped. */
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_drain_expired (gpointer user_data)
{
  Shutdown *shutdown = user_data;

  shutdown->drain_expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* While draining, the public port answers 503 with "Connection: close", so
 * that a load balancer or a reconnecting client goes to another gateway. */
static void
on_request_while_draining (SoupServer        *server,
                           SoupServerMessage *msg,
                           gpointer           user_data)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "1");
  soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
}

/* "ADDRESS:PORT" (IPv6 in brackets) for the private metrics listener. */
static gboolean
parse_metrics_address (const char  *text,
                       char       **out_host,
                       guint       *out_port,
                       GError     **error)
{
  g_autoptr(GSocketConnectable) address = g_network_address_parse (text, 0, error);
  g_autoptr(GInetAddress) inet = NULL;
  const char *host;

  if (address == NULL)
    {
      g_prefix_error (error, "--metrics-address “%s”: ", text);
      return FALSE;
    }
  host = g_network_address_get_hostname (G_NETWORK_ADDRESS (address));
  inet = g_inet_address_new_from_string (host);
  if (inet == NULL || g_network_address_get_port (G_NETWORK_ADDRESS (address)) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--metrics-address “%s” is not IP-ADDRESS:PORT", text);
      return FALSE;
    }
  *out_host = g_strdup (host);
  *out_port = g_network_address_get_port (G_NETWORK_ADDRESS (address));
  return TRUE;
}

/* What `serve` is told, by its flags or by --config's [gateway] group (a
 * flag wins): NULL or -1 where neither says, for serve to default. */
typedef struct
{
  char  *host;
  gint   port;
  char  *socket_path;
  char  *redis_uri;
  char  *users_path;
  char  *secret_file;
  gint   presence_timeout;
  char **trusted_proxy_specs;
  gint   auth_timeout;
  gint   send_limits[5];  /* SioEngineSendLimits, in its order */
  gint   ticket_retention_days;
  gint   max_per_address;
  char  *log_level;
  char  *metrics_address;
  gint   drain_timeout;
  gint   log_summary_interval;
} ServeSettings;

#define SERVE_SETTINGS_INIT                                                   \
  { .port = -1, .presence_timeout = -1, .auth_timeout = -1,                   \
    .send_limits = { -1, -1, -1, -1, -1 }, .ticket_retention_days = -1,       \
    .max_per_address = -1, .drain_timeout = -1, .log_summary_interval = -1 }

static void
serve_settings_clear (ServeSettings *settings)
{
  g_clear_pointer (&settings->host, g_free);
  g_clear_pointer (&settings->socket_path, g_free);
  g_clear_pointer (&settings->redis_uri, g_free);
  g_clear_pointer (&settings->users_path, g_free);
  g_clear_pointer (&settings->secret_file, g_free);
  g_clear_pointer (&settings->trusted_proxy_specs, g_strfreev);
  g_clear_pointer (&settings->log_level, g_free);
  g_clear_pointer (&settings->metrics_address, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ServeSettings, serve_settings_clear)

/* Fills in from PATH's [gateway] group what no flag has set in SETTINGS. */
static gboolean
load_config (const char     *path,
             ServeSettings  *settings,
             GError        **error)
{
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  const char *group = "gateway";
  struct { const char *key; char **value; } strings[] = {
    { "host", &settings->host }, { "path", &settings->socket_path }, { "redis", &settings->redis_uri },
    { "users", &settings->users_path }, { "jwt-secret-file", &settings->secret_file },
    { "log-level", &settings->log_level }, { "metrics-address", &settings->metrics_address },
  };
  struct { const char *key; gint *value; } integers[] = {
    { "port", &settings->port }, { "presence-timeout", &settings->presence_timeout },
    { "auth-timeout", &settings->auth_timeout },
    /* when a client that does not read is dropped */
    { "send-hard-bytes", &settings->send_limits[0] }, { "send-hard-frames", &settings->send_limits[1] },
    { "send-soft-bytes", &settings->send_limits[2] }, { "send-soft-frames", &settings->send_limits[3] },
    { "send-soft-seconds", &settings->send_limits[4] },
    { "ticket-retention-days", &settings->ticket_retention_days },
    { "max-connections-per-address", &settings->max_per_address },
    { "drain-timeout", &settings->drain_timeout }, { "log-summary-interval", &settings->log_summary_interval },
  };

  if (!g_key_file_load_from_file (keys, path, G_KEY_FILE_NONE, error))
    return FALSE;
  if (g_key_file_has_key (keys, group, "jwt-secret", NULL))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "%s: put the secret in its own file and name it with jwt-secret-file", path);
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    if (*strings[i].value == NULL && g_key_file_has_key (keys, group, strings[i].key, NULL))
      *strings[i].value = g_key_file_get_string (keys, group, strings[i].key, NULL);

  /* A list: trusted-proxy=10.0.0.2;10.0.0.3 */
  if (settings->trusted_proxy_specs == NULL && g_key_file_has_key (keys, group, "trusted-proxy", NULL))
    settings->trusted_proxy_specs = g_key_file_get_string_list (keys, group, "trusted-proxy", NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (integers); i++)
    if (*integers[i].value < 0 && g_key_file_has_key (keys, group, integers[i].key, NULL))
      {
        g_autoptr(GError) local_error = NULL;

        *integers[i].value = g_key_file_get_integer (keys, group, integers[i].key, &local_error);
        if (local_error != NULL)
          {
            g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                         "%s: %s must be a number", path, integers[i].key);
            return FALSE;
          }
      }

  return TRUE;
}

/* Development mode only: a random secret that dies with the process. */
static GwJwt *
new_development_jwt (GError **error)
{
  guint8 secret[32];
  g_autoptr(GBytes) bytes = NULL;
  GwJwt *jwt;

  if (getrandom (secret, sizeof secret, 0) != sizeof secret)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "no random secret: %s", g_strerror (errno));
      return NULL;
    }

  bytes = g_bytes_new (secret, sizeof secret);
  jwt = gw_jwt_new (bytes, error);
  explicit_bzero (secret, sizeof secret);
  return jwt;
}

static int
serve (int    argc,
       char **argv)
{
  g_auto(ServeSettings) settings = SERVE_SETTINGS_INIT;
  g_autofree char *config_path = NULL;
  g_autoptr(GwTrustedProxies) trusted_proxies = NULL;
  g_autofree char *gifts_path = NULL;
  g_autofree char *metrics_host = NULL;
  gboolean development = FALSE;
  gboolean exit_with_stdin = FALSE;
  guint metrics_port = 0;
  GLogLevelFlags threshold = G_LOG_LEVEL_INFO;
  const GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &settings.host, "Address to listen on (default 127.0.0.1)", "ADDRESS" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &settings.port, "TCP port (default 4001; 0 picks a free one)", "N" },
    { "path", 0, 0, G_OPTION_ARG_STRING, &settings.socket_path, "Socket.IO path (default /socket)", "PATH" },
    { "redis", 'r', 0, G_OPTION_ARG_STRING, &settings.redis_uri, "Bridge to the backend and other gateways over Redis", "redis://HOST:PORT" },
    { "users", 'u', 0, G_OPTION_ARG_FILENAME, &settings.users_path, "The users file (JSON, see hash-password)", "FILE" },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "A key file whose [gateway] group sets any of these options", "FILE" },
    { "jwt-secret-file", 's', 0, G_OPTION_ARG_FILENAME, &settings.secret_file,
      "Read the token secret from FILE instead of $" SECRET_VARIABLE, "FILE" },
    { "presence-timeout", 0, 0, G_OPTION_ARG_INT, &settings.presence_timeout,
      "Seconds without viewerPing before a viewer leaves a room (default 90)", "SECONDS" },
    { "trusted-proxy", 0, 0, G_OPTION_ARG_STRING_ARRAY, &settings.trusted_proxy_specs,
      "Believe X-Forwarded-For from this reverse proxy (repeatable; an address or a network)", "ADDRESS" },
    { "gifts", 0, 0, G_OPTION_ARG_FILENAME, &gifts_path,
      "The gift catalogue whose names and values gifts carry (default: the one installed)", "FILE" },
    { "auth-timeout", 0, 0, G_OPTION_ARG_INT, &settings.auth_timeout,
      "Seconds a connection may stay without authenticating before it is closed (default 30)", "SECONDS" },
    { "ticket-retention-days", 0, 0, G_OPTION_ARG_INT, &settings.ticket_retention_days,
      "Days a resolved support ticket is kept (default 30)", "DAYS" },
    { "max-connections-per-address", 0, 0, G_OPTION_ARG_INT, &settings.max_per_address,
      "Concurrent connections one client address may hold (default 64; 0: no limit)", "N" },
    { "development", 0, 0, G_OPTION_ARG_NONE, &development,
      "Without a secret, sign tokens with a random one that dies with the process (never in production)", NULL },
    { "exit-with-stdin", 0, 0, G_OPTION_ARG_NONE, &exit_with_stdin,
      "Stop when standard input closes (for a parent that starts the gateway as its child)", NULL },
    { "log-level", 0, 0, G_OPTION_ARG_STRING, &settings.log_level,
      "error, warning, info (default: connections summed every interval) or debug (a line per event)", "LEVEL" },
    { "log-summary-interval", 0, 0, G_OPTION_ARG_INT, &settings.log_summary_interval,
      "Seconds between the info lines that sum up connections (default 10)", "SECONDS" },
    { "metrics-address", 0, 0, G_OPTION_ARG_STRING, &settings.metrics_address,
      "Serve /metrics only on ADDRESS:PORT (e.g. 127.0.0.1:9101), not on the public port", "ADDRESS:PORT" },
    { "drain-timeout", 0, 0, G_OPTION_ARG_INT, &settings.drain_timeout,
      "On SIGTERM, seconds to wait for clients to be told before exiting (default 10)", "SECONDS" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- run the gateway: Socket.IO and the REST API on one port");
  g_autoptr(GError) error = NULL;
  g_autoptr(GwJwt) jwt = NULL;
  g_autoptr(GwUsers) users = NULL;
  g_autoptr(GwRefreshStore) refresh = NULL;
  g_autoptr(GwRest) rest = NULL;
  g_autoptr(GwRedis) redis = NULL;
  g_autoptr(GwGateway) gateway = NULL;
  g_autoptr(GwGifts) gifts = NULL;
  g_autoptr(GwMetricsEndpoint) metrics = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(SoupServer) metrics_server = NULL;
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GUri) listen_uri = NULL;
  g_autofree char *listen_text = NULL;
  g_autofree char *attach_path = NULL;
  guint bound_port = 0;
  guint sigint;
  guint sigterm;
  guint stdin_source = 0;
  guint drain_source;
  g_autofree char *clients = NULL;
  Shutdown shutdown = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context,
    "The token secret comes from $" SECRET_VARIABLE " or --jwt-secret-file, never from the\n"
    "command line. The first line on standard output is “listening PORT”; then it serves\n"
    "until SIGINT or SIGTERM, when it disconnects its clients cleanly.");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("livedesk-gateway: %s\n", error->message);
      return 2;
    }
  if (argc > 1)
    {
      g_printerr ("livedesk-gateway: unexpected argument “%s”\n", argv[1]);
      return 2;
    }
  if (config_path != NULL &&
      !load_config (config_path, &settings, &error))
    {
      g_printerr ("livedesk-gateway: %s\n", error->message);
      return 2;
    }
  if (settings.log_level != NULL && !gw_log_level_from_string (settings.log_level, &threshold))
    {
      g_printerr ("livedesk-gateway: --log-level must be error, warning, info or debug\n");
      return 2;
    }
  gw_log_set_level (threshold);
  if (settings.drain_timeout < 0)
    settings.drain_timeout = DEFAULT_DRAIN_TIMEOUT;
  if (settings.drain_timeout > 3600)
    {
      g_printerr ("livedesk-gateway: --drain-timeout must be from 0 to 3600 seconds\n");
      return 2;
    }
  if (settings.log_summary_interval < 0)
    settings.log_summary_interval = DEFAULT_LOG_SUMMARY_INTERVAL;
  if (settings.log_summary_interval == 0 || settings.log_summary_interval > 3600)
    {
      g_printerr ("livedesk-gateway: --log-summary-interval must be from 1 to 3600 seconds\n");
      return 2;
    }
  if (settings.metrics_address != NULL &&
      !parse_metrics_address (settings.metrics_address, &metrics_host, &metrics_port, &error))
    {
      g_printerr ("livedesk-gateway: %s\n", error->message);
      return 2;
    }
  if (settings.port < 0)
    settings.port = 4001;
  if (settings.presence_timeout < 0)
    settings.presence_timeout = GW_GATEWAY_DEFAULT_PRESENCE_TIMEOUT_MS / 1000;
  if (settings.ticket_retention_days < 0)
    settings.ticket_retention_days = GW_TICKETS_DEFAULT_RETENTION_SECONDS / (24 * 3600);
  if (settings.ticket_retention_days == 0 || settings.ticket_retention_days > 3650)
    {
      g_printerr ("livedesk-gateway: --ticket-retention-days must be from 1 to 3650\n");
      return 2;
    }
  if (settings.max_per_address < 0)
    settings.max_per_address = GW_GATEWAY_DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
  if (settings.users_path == NULL)
    {
      g_printerr ("livedesk-gateway: --users is required (create the file with hash-password)\n");
      return 2;
    }
  if (settings.port > 65535)
    {
      g_printerr ("livedesk-gateway: --port must be from 0 to 65535\n");
      return 2;
    }
  if (settings.auth_timeout < 0)
    settings.auth_timeout = GW_GATEWAY_DEFAULT_AUTH_TIMEOUT_MS / 1000;
  if (settings.auth_timeout <= 0 || settings.auth_timeout > 24 * 3600)
    {
      g_printerr ("livedesk-gateway: --auth-timeout must be from 1 to 86400 seconds\n");
      return 2;
    }
  if (settings.presence_timeout <= 0 || settings.presence_timeout > 24 * 3600)
    {
      g_printerr ("livedesk-gateway: --presence-timeout must be from 1 to 86400 seconds\n");
      return 2;
    }
  if (settings.socket_path != NULL && settings.socket_path[0] != '/')
    {
      g_printerr ("livedesk-gateway: --path must start with “/”\n");
      return 2;
    }
  /* Engine.IO clients ask for PATH/ with the trailing slash. */
  if (settings.socket_path != NULL)
    attach_path = g_str_has_suffix (settings.socket_path, "/") ? g_strdup (settings.socket_path)
                                                               : g_strconcat (settings.socket_path, "/", NULL);

  trusted_proxies = gw_trusted_proxies_new ((const char * const *) settings.trusted_proxy_specs, &error);
  if (trusted_proxies == NULL)
    {
      g_printerr ("livedesk-gateway: --trusted-proxy: %s\n", error->message);
      return 2;
    }

  inet = g_inet_address_new_from_string (settings.host != NULL ? settings.host : "127.0.0.1");
  if (inet == NULL)
    {
      g_printerr ("livedesk-gateway: --host “%s” is not an IP address\n", settings.host);
      return 2;
    }

  if (settings.secret_file != NULL)
    jwt = gw_jwt_new_from_file (settings.secret_file, &error);
  else if (g_getenv (SECRET_VARIABLE) == NULL && development)
    {
      g_printerr ("livedesk-gateway: DEVELOPMENT MODE: tokens are signed with a random secret that\n"
                  "livedesk-gateway: dies with this process. Never run a real service like this.\n");
      jwt = new_development_jwt (&error);
    }
  else
    jwt = gw_jwt_new_from_environment (SECRET_VARIABLE, &error);
  if (jwt == NULL)
    {
      g_printerr ("livedesk-gateway: %s\n", error->message);
      return 1;
    }

  users = gw_users_new_from_file (settings.users_path, &error);
  if (users == NULL)
    {
      g_printerr ("livedesk-gateway: %s\n", error->message);
      return 1;
    }

  if (settings.redis_uri != NULL && (redis = gw_redis_new (settings.redis_uri, &error)) == NULL)
    {
      g_printerr ("livedesk-gateway: %s\n", error->message);
      return 1;
    }

  gifts = gw_gifts_new_from_file (gifts_path != NULL ? gifts_path : gw_gifts_default_path (), &error);
  if (gifts == NULL)
    {
      g_printerr ("livedesk-gateway: %s\n", error->message);
      return 1;
    }

  refresh = gw_refresh_store_new (GW_REFRESH_DEFAULT_TTL_SECONDS);
  rest = gw_rest_new (jwt, users, refresh);
  gw_rest_set_trusted_proxies (rest, trusted_proxies);
  gateway = gw_gateway_new (jwt);
  gw_gateway_set_trusted_proxies (gateway, trusted_proxies);
  gw_gateway_set_presence_timeout (gateway, (guint) settings.presence_timeout * 1000);
  gw_gateway_set_users (gateway, users);
  gw_gateway_set_gifts (gateway, gifts);
  gw_gateway_set_auth_timeout (gateway, (guint) settings.auth_timeout * 1000);
  {
    SioEngine *engine = sio_server_get_engine (gw_gateway_get_server (gateway));
    SioEngineSendLimits limits;

    sio_engine_get_send_limits (engine, &limits);
    if (settings.send_limits[0] >= 0) limits.hard_bytes = settings.send_limits[0];
    if (settings.send_limits[1] >= 0) limits.hard_frames = settings.send_limits[1];
    if (settings.send_limits[2] >= 0) limits.soft_bytes = settings.send_limits[2];
    if (settings.send_limits[3] >= 0) limits.soft_frames = settings.send_limits[3];
    if (settings.send_limits[4] >= 0) limits.soft_seconds = settings.send_limits[4];
    sio_engine_set_send_limits (engine, &limits);
  }
  gw_gateway_set_ticket_retention (gateway, (gint64) settings.ticket_retention_days * 24 * 3600);
  sio_server_set_max_connections_per_address (gw_gateway_get_server (gateway), (guint) settings.max_per_address);
  if (redis != NULL)
    {
      gw_rest_set_redis (rest, redis);
      gw_gateway_set_redis (gateway, redis);
    }

  server = soup_server_new ("server-header", "livedesk-gateway", NULL);
  gw_rest_attach (rest, server);
  gw_gateway_attach (gateway, server, attach_path);
  metrics = gw_metrics_endpoint_new (gateway, redis);
  if (metrics_host != NULL)
    {
      metrics_server = soup_server_new ("server-header", "livedesk-gateway", NULL);
      gw_metrics_endpoint_attach (metrics, metrics_server);
      if (!sio_engine_listen (metrics_server, metrics_host, metrics_port, NULL, &error))
        {
          g_printerr ("livedesk-gateway: cannot serve metrics on %s: %s\n", settings.metrics_address, error->message);
          return 1;
        }
    }
  else
    gw_metrics_endpoint_attach (metrics, server);

  if (!sio_engine_listen (server, settings.host != NULL ? settings.host : "127.0.0.1", (guint) settings.port,
                          &bound_port, &error))
    {
      g_printerr ("livedesk-gateway: cannot listen on port %d: %s\n", settings.port, error->message);
      return 1;
    }
  if (redis != NULL)
    gw_redis_start (redis);

  /* The one line a supervisor or a test waits for. */
  g_print ("listening %u\n", bound_port);
  fflush (stdout);

  /* the engine accepts connections itself, so the server lists no URI */
  listen_uri = g_uri_build (G_URI_FLAGS_NONE, "http", NULL, settings.host != NULL ? settings.host : "127.0.0.1",
                            (gint) bound_port, "/", NULL, NULL);
  listen_text = g_uri_to_string (listen_uri);
  g_printerr ("livedesk-gateway: listening on %s (Socket.IO at %s)\n", listen_text,
              attach_path != NULL ? attach_path : GW_GATEWAY_PATH);

  if (metrics_host != NULL)
    g_printerr ("livedesk-gateway: metrics at http://%s/metrics\n", settings.metrics_address);

  loop = g_main_loop_new (NULL, FALSE);
  shutdown.loop = loop;
  sigint = g_unix_signal_add (SIGINT, on_quit_signal, &shutdown);
  sigterm = g_unix_signal_add (SIGTERM, on_quit_signal, &shutdown);
  gw_log_start_summary ((guint) settings.log_summary_interval);
  gw_notify_start_watchdog ();
  gw_notify_ready ("serving");
  if (exit_with_stdin)
    stdin_source = g_unix_fd_add (STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, loop);
  g_main_loop_run (loop);
  /* at EOF it would fire on every iteration of the drain */
  g_clear_handle_id (&stdin_source, g_source_remove);

  /* Clients see an Engine.IO close (a WebSocket close frame, or CLOSE on a
   * held poll) rather than a dropped connection, and reconnect elsewhere;
   * the close handshakes get up to the drain bound to finish. */
  gw_notify_stopping ("draining");
  clients = g_strdup_printf ("%u", sio_engine_get_n_sockets (sio_server_get_engine (gw_gateway_get_server (gateway))));
  gw_log_event (G_LOG_LEVEL_MESSAGE, "shutdown", "clients", clients, NULL);
  /* before any handler sees the request, whatever its path */
  g_signal_connect (server, "request-started", G_CALLBACK (on_request_while_draining), NULL);
  gw_gateway_close (gateway);
  /* --drain-timeout 0: the closes are sent, nobody is waited for */
  drain_source = g_timeout_add ((guint) settings.drain_timeout * 1000, on_drain_expired, &shutdown);
  while (settings.drain_timeout > 0 && sio_engine_get_n_closing_websockets () > 0 && !shutdown.drain_expired)
    g_main_context_iteration (NULL, TRUE);
  /* what the last iterations queued (a poll's CLOSE) is written now */
  for (guint i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  if (!shutdown.drain_expired)
    g_source_remove (drain_source);
  else if (settings.drain_timeout > 0)
    {
      g_autofree char *closing = g_strdup_printf ("%u", sio_engine_get_n_closing_websockets ());

      gw_log_event (G_LOG_LEVEL_WARNING, "drain_expired", "closing", closing, NULL);
    }
  g_source_remove (sigint);
  g_source_remove (sigterm);
  gw_notify_stop_watchdog ();
  gw_log_stop_summary ();
  soup_server_disconnect (server);
  if (metrics_server != NULL)
    soup_server_disconnect (metrics_server);

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
  g_string_append (summary, "\n\n`livedesk-gateway [OPTION…]` runs the gateway as `serve` does;"
                            "\n`livedesk-gateway COMMAND --help` describes a command's options.");
  g_option_context_set_summary (context, summary->str);

  return g_option_context_get_help (context, FALSE, NULL);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_set_prgname ("livedesk-gateway");
  /* Operators grep and ship these lines: one key=value line per event. */
  g_log_set_writer_func (gw_log_writer, NULL, NULL);

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

  /* Options first and no command: run the gateway, as `serve` does. */
  if (argv[1][0] == '-')
    return serve (argc, argv);

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
