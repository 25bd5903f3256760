/* test-ld-token-store.c: against the real gnome-keyring on the session bus
 * (build-aux/livedesk test starts one), and against a bus that has no
 * Secret Service at all.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "ld-test-util.h"
#include "ld-token-store-private.h"

#define CHILD_ENV "LIVEDESK_TEST_TOKEN_STORE_CHILD"

static const SecretSchema schema = {
  LD_TOKEN_STORE_SCHEMA_NAME, SECRET_SCHEMA_NONE,
  {
    { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  }
};

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static gboolean
store (LdTokenStore   *store_,
       const char     *server,
       const char     *user,
       const LdTokens *tokens,
       GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ld_token_store_store_async (store_, server, user, tokens, NULL, ld_test_store_result, &result);
  return ld_token_store_store_finish (store_, wait_result (&result), error);
}

static LdTokens *
lookup (LdTokenStore  *store_,
        const char    *server,
        const char    *user,
        GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ld_token_store_lookup_async (store_, server, user, NULL, ld_test_store_result, &result);
  return ld_token_store_lookup_finish (store_, wait_result (&result), error);
}

static gboolean
clear (LdTokenStore  *store_,
       const char    *server,
       const char    *user,
       GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ld_token_store_clear_async (store_, server, user, NULL, ld_test_store_result, &result);
  return ld_token_store_clear_finish (store_, wait_result (&result), error);
}

/* The Secret Service's own D-Bus API, straight: paths of the items that
 * match, unlocked and locked. */
static char **
search_items (const char *server,
              const char *user)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree const char **unlocked = NULL;
  g_autofree const char **locked = NULL;
  GVariantBuilder attributes;

  g_variant_builder_init (&attributes, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&attributes, "{ss}", "server", server);
  g_variant_builder_add (&attributes, "{ss}", "user", user);

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                       "org.freedesktop.Secret.Service", "SearchItems",
                                       g_variant_new ("(a{ss})", &attributes), G_VARIANT_TYPE ("(aoao)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(^a&o^a&o)", &unlocked, &locked);
  g_strv_builder_addv (builder, unlocked);
  g_strv_builder_addv (builder, locked);

  return g_strv_builder_end (builder);
}

static GVariant *
get_item_property (const char *path,
                   const char *name)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  GVariant *value;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", path,
                                       "org.freedesktop.DBus.Properties", "Get",
                                       g_variant_new ("(ss)", "org.freedesktop.Secret.Item", name),
                                       G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(v)", &value);
  return value;
}

static gboolean
have_session_bus (void)
{
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("no DBUS_SESSION_BUS_ADDRESS: run under build-aux/livedesk test, which starts gnome-keyring");
      return FALSE;
    }
  return TRUE;
}

/* Each run uses its own server name, so runs never see each other's items. */
static char *
unique_server (void)
{
  g_autofree char *uuid = g_uuid_string_random ();

  return g_strdup_printf ("https://test-%s.invalid", uuid);
}

static void
test_round_trip (void)
{
  g_autoptr(LdTokenStore) store_ = ld_token_store_new ();
  g_autofree char *server = unique_server ();
  g_autoptr(LdTokens) first = ld_tokens_new ("access-1.jwt", "refresh-1", 1790000000);
  g_autoptr(LdTokens) second = ld_tokens_new ("access-2.jwt", "refresh-2", 1790000900);
  g_autoptr(LdTokens) other = ld_tokens_new ("other-access", NULL, 0);
  g_autoptr(LdTokens) found = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) items = NULL;

  if (!have_session_bus ())
    return;

  /* Nothing stored yet: no tokens, no error. */
  found = lookup (store_, server, "u1", &error);
  g_assert_no_error (error);
  g_assert_null (found);

  g_assert_true (store (store_, server, "u1", first, &error));
  g_assert_no_error (error);
  found = lookup (store_, server, "u1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpstr (found->access_token, ==, "access-1.jwt");
  g_assert_cmpstr (found->refresh_token, ==, "refresh-1");
  g_assert_cmpint (found->expires_at, ==, 1790000000);
  g_clear_pointer (&found, ld_tokens_free);

  /* A refresh replaces both tokens in the same one item. */
  g_assert_true (store (store_, server, "u1", second, &error));
  g_assert_no_error (error);
  found = lookup (store_, server, "u1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->access_token, ==, "access-2.jwt");
  g_assert_cmpstr (found->refresh_token, ==, "refresh-2");
  g_assert_cmpint (found->expires_at, ==, 1790000900);
  g_clear_pointer (&found, ld_tokens_free);

  /* What anyone on the bus can list without unlocking a secret. */
  items = search_items (server, "u1");
  g_assert_cmpuint (g_strv_length (items), ==, 1);
  {
    g_autoptr(GVariant) label = get_item_property (items[0], "Label");
    g_autoptr(GVariant) item_attributes = get_item_property (items[0], "Attributes");
    g_autofree char *printed = g_variant_print (item_attributes, FALSE);
    const char *schema_name = NULL;

    g_assert_null (strstr (g_variant_get_string (label, NULL), "access-2"));
    g_assert_null (strstr (printed, "access-2"));
    g_assert_null (strstr (printed, "refresh-2"));
    g_assert_true (g_variant_lookup (item_attributes, "xdg:schema", "&s", &schema_name));
    g_assert_cmpstr (schema_name, ==, LD_TOKEN_STORE_SCHEMA_NAME);
  }

  /* Another user on the same server is another item. */
  g_assert_true (store (store_, server, "u2", other, &error));
  g_assert_no_error (error);
  found = lookup (store_, server, "u2", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->access_token, ==, "other-access");
  g_assert_null (found->refresh_token);
  g_clear_pointer (&found, ld_tokens_free);

  /* Logout clears one user only. */
  g_assert_true (clear (store_, server, "u1", &error));
  g_assert_no_error (error);
  found = lookup (store_, server, "u1", &error);
  g_assert_no_error (error);
  g_assert_null (found);
  g_assert_false (clear (store_, server, "u1", &error));
  g_assert_no_error (error);

  found = lookup (store_, server, "u2", &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_true (clear (store_, server, "u2", &error));
  g_assert_no_error (error);
}

static void
test_corrupt_item (void)
{
  g_autoptr(LdTokenStore) store_ = ld_token_store_new ();
  g_autofree char *server = unique_server ();
  g_autoptr(LdTokens) found = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_session_bus ())
    return;

  /* An item of our schema that something else wrote. */
  secret_password_store_sync (&schema, SECRET_COLLECTION_DEFAULT, "not ours", "s3cr3t-not-json", NULL, &error,
                              "server", server, "user", "u1", NULL);
  g_assert_no_error (error);

  found = lookup (store_, server, "u1", &error);
  g_assert_null (found);
  g_assert_error (error, LD_TOKEN_STORE_ERROR, LD_TOKEN_STORE_ERROR_CORRUPT);
  g_assert_null (strstr (error->message, "s3cr3t"));
  g_clear_error (&error);

  secret_password_store_sync (&schema, SECRET_COLLECTION_DEFAULT, "not ours", "{\"accessToken\":7}", NULL, &error,
                              "server", server, "user", "u1", NULL);
  g_assert_no_error (error);
  found = lookup (store_, server, "u1", &error);
  g_assert_null (found);
  g_assert_error (error, LD_TOKEN_STORE_ERROR, LD_TOKEN_STORE_ERROR_CORRUPT);
  g_clear_error (&error);

  g_assert_true (clear (store_, server, "u1", &error));
  g_assert_no_error (error);
}

/* The key both the app and livedesk-cli file a sign-in under. */
static void
test_server_key (void)
{
  static const struct {
    const char *url;
    const char *key;
  } cases[] = {
    { "http://localhost:4001", "http://localhost:4001" },
    { "http://localhost:4001/", "http://localhost:4001" },
    { "HTTP://LocalHost:4001//", "http://localhost:4001" },
    { "https://Live.Example.org:443/", "https://live.example.org" },
    { "http://example.org:80", "http://example.org" },
    { "https://example.org:8443/gateway/", "https://example.org:8443/gateway" },
    { "https://someone@example.org/?q=1#top", "https://example.org" },
    { "http://[::1]:4001/", "http://[::1]:4001" },
    { "not a url/", "not a url" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *key = ld_token_store_server_key (cases[i].url);

      g_assert_cmpstr (key, ==, cases[i].key);
    }
}

static guint
n_items (const char *server,
         const char *user)
{
  g_auto(GStrv) items = search_items (server, user);

  return g_strv_length (items);
}

/* Items that older versions wrote (the app: the URL as typed; livedesk-cli:
 * under the REST API's URL) are found, and moved under the key; a clear
 * removes every form, so that none signs the user in again. */
static void
test_legacy_items (void)
{
  g_autoptr(LdTokenStore) store_ = ld_token_store_new ();
  g_autofree char *server = unique_server ();
  g_autofree char *typed = g_strconcat (server, "/", NULL);
  g_autofree char *api = g_strconcat (server, ":3000", NULL);
  g_autoptr(LdTokens) found = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_session_bus ())
    return;

  /* The app's old item: the gateway URL with its trailing slash. */
  secret_password_store_sync (&schema, SECRET_COLLECTION_DEFAULT, "old app item",
                              "{\"accessToken\":\"app-access\",\"refreshToken\":\"app-refresh\",\"expiresAt\":0}",
                              NULL, &error, "server", typed, "user", "u1", NULL);
  g_assert_no_error (error);
  /* The app asks with its setting, the URL as it was typed. */
  found = lookup (store_, typed, "u1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpstr (found->refresh_token, ==, "app-refresh");
  g_clear_pointer (&found, ld_tokens_free);
  g_assert_cmpuint (n_items (typed, "u1"), ==, 0);
  g_assert_cmpuint (n_items (server, "u1"), ==, 1);
  g_assert_true (clear (store_, server, "u1", &error));

  /* livedesk-cli's old item, under the REST API's URL. */
  secret_password_store_sync (&schema, SECRET_COLLECTION_DEFAULT, "old cli item",
                              "{\"accessToken\":\"cli-access\",\"refreshToken\":\"cli-refresh\",\"expiresAt\":0}",
                              NULL, &error, "server", api, "user", "u2", NULL);
  g_assert_no_error (error);
  found = lookup (store_, server, "u2", &error);
  g_assert_no_error (error);
  g_assert_null (found);
  ld_token_store_set_legacy_server (store_, api);
  found = lookup (store_, server, "u2", &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpstr (found->access_token, ==, "cli-access");
  g_clear_pointer (&found, ld_tokens_free);
  g_assert_cmpuint (n_items (api, "u2"), ==, 0);
  g_assert_cmpuint (n_items (server, "u2"), ==, 1);

  /* Signing out removes the old forms too. */
  secret_password_store_sync (&schema, SECRET_COLLECTION_DEFAULT, "old cli item", "{\"accessToken\":\"x\"}",
                              NULL, &error, "server", api, "user", "u2", NULL);
  g_assert_no_error (error);
  g_assert_true (clear (store_, typed, "u2", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_items (api, "u2"), ==, 0);
  g_assert_cmpuint (n_items (server, "u2"), ==, 0);
  found = lookup (store_, server, "u2", &error);
  g_assert_no_error (error);
  g_assert_null (found);
}

static char *
lookup_user (LdTokenStore  *store_,
             const char    *server,
             GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ld_token_store_lookup_user_async (store_, server, NULL, ld_test_store_result, &result);
  return ld_token_store_lookup_user_finish (store_, wait_result (&result), error);
}

/* Who signed in last on a server, whichever program did it. */
static void
test_lookup_user (void)
{
  g_autoptr(LdTokenStore) store_ = ld_token_store_new ();
  g_autofree char *server = unique_server ();
  g_autofree char *typed = g_strconcat (server, "/", NULL);
  g_autoptr(LdTokens) tokens = ld_tokens_new ("a", "r", 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *nobody = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *left = NULL;

  if (!have_session_bus ())
    return;

  nobody = lookup_user (store_, server, &error);
  g_assert_no_error (error);
  g_assert_null (nobody);

  g_assert_true (store (store_, typed, "u1", tokens, &error));
  first = lookup_user (store_, server, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, ==, "u1");

  /* The Secret Service keeps modification times in seconds: wait for the
   * next one so that the second sign-in is the later one. */
  {
    gint64 start = g_get_real_time () / G_USEC_PER_SEC;

    while (g_get_real_time () / G_USEC_PER_SEC <= start)
      g_usleep (50 * 1000);
  }
  g_assert_true (store (store_, server, "u2", tokens, &error));
  second = lookup_user (store_, typed, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (second, ==, "u2");

  g_assert_true (clear (store_, server, "u2", &error));
  left = lookup_user (store_, server, &error);
  g_assert_cmpstr (left, ==, "u1");
  g_assert_true (clear (store_, server, "u1", &error));
}

/* A locked keyring cannot be made on the shared test keyring without
 * disturbing other tests, so check what its errors become. */
static void
test_error_messages (void)
{
  static const struct {
    int         code;
    const char *message;
    int         expected;
    const char *starts;
  } cases[] = {
    { SECRET_ERROR_IS_LOCKED, "Cannot get secret of a locked object", LD_TOKEN_STORE_ERROR_LOCKED, "the keyring is locked" },
    { G_DBUS_ERROR_UNKNOWN_OBJECT, "Object does not exist at path “/org/freedesktop/secrets/collection/login”",
      LD_TOKEN_STORE_ERROR_LOCKED, "the keyring is locked" },
    { G_DBUS_ERROR_SERVICE_UNKNOWN, "The name org.freedesktop.secrets was not provided by any .service files",
      LD_TOKEN_STORE_ERROR_NO_KEYRING, "no keyring available: " },
    { G_IO_ERROR_NOT_FOUND, "Could not connect: No such file or directory",
      LD_TOKEN_STORE_ERROR_NO_KEYRING, "no keyring available: " },
    { SECRET_ERROR_PROTOCOL, "Received invalid secret from the secret storage",
      LD_TOKEN_STORE_ERROR_FAILED, "the keyring failed: " },
  };
  /* Not constant expressions, so not in the table. */
  GQuark domains[] = { SECRET_ERROR, G_DBUS_ERROR, G_DBUS_ERROR, G_IO_ERROR, SECRET_ERROR };
  GError *cancelled;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = _ld_token_store_translate_error (g_error_new_literal (domains[i], cases[i].code,
                                                                                      cases[i].message));

      g_assert_error (error, LD_TOKEN_STORE_ERROR, cases[i].expected);
      g_assert_true (g_str_has_prefix (error->message, cases[i].starts));
      /* The library's own words stay in, for a bug report. */
      g_assert_nonnull (strstr (error->message, cases[i].message));
      if (cases[i].expected == LD_TOKEN_STORE_ERROR_LOCKED)
        g_assert_nonnull (strstr (error->message, "unlock"));
      if (cases[i].expected == LD_TOKEN_STORE_ERROR_NO_KEYRING)
        g_assert_nonnull (strstr (error->message, "start gnome-keyring"));
    }

  cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
  g_assert_true (_ld_token_store_translate_error (cancelled) == cancelled);
  g_error_free (cancelled);
}

/* Runs in a child whose session bus has no Secret Service (or no bus). */
static void
test_no_keyring_child (void)
{
  g_autoptr(LdTokenStore) store_ = ld_token_store_new ();
  g_autoptr(LdTokens) tokens = ld_tokens_new ("a", "r", 1);
  g_autoptr(LdTokens) found = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (store (store_, "https://example.invalid", "u1", tokens, &error));
  g_assert_error (error, LD_TOKEN_STORE_ERROR, LD_TOKEN_STORE_ERROR_NO_KEYRING);
  g_assert_true (g_str_has_prefix (error->message, "no keyring available: "));
  g_assert_nonnull (strstr (error->message, "start gnome-keyring"));
  g_print ("store: %s\n", error->message);
  g_clear_error (&error);

  found = lookup (store_, "https://example.invalid", "u1", &error);
  g_assert_null (found);
  g_assert_error (error, LD_TOKEN_STORE_ERROR, LD_TOKEN_STORE_ERROR_NO_KEYRING);
  g_assert_true (g_str_has_prefix (error->message, "no keyring available: "));
  g_clear_error (&error);

  g_assert_false (clear (store_, "https://example.invalid", "u1", &error));
  g_assert_error (error, LD_TOKEN_STORE_ERROR, LD_TOKEN_STORE_ERROR_NO_KEYRING);
  g_assert_true (g_str_has_prefix (error->message, "no keyring available: "));
}

/* Daemons the test starts die with it, even when an assertion aborts it. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* A bus with nothing on it and nothing it could start: no service files. */
static GSubprocess *
start_empty_bus (const char  *dir,
                 char       **out_address)
{
  g_autofree char *config = g_build_filename (dir, "bus.conf", NULL);
  g_autofree char *config_arg = g_strconcat ("--config-file=", config, NULL);
  g_autofree char *config_text = g_strdup_printf (
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig>\n"
    "  <type>session</type>\n"
    "  <listen>unix:dir=%s</listen>\n"
    "  <policy context=\"default\">\n"
    "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
    "    <allow eavesdrop=\"true\"/>\n"
    "    <allow own=\"*\"/>\n"
    "  </policy>\n"
    "</busconfig>\n", dir);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  GSubprocess *bus;

  g_file_set_contents (config, config_text, -1, &error);
  g_assert_no_error (error);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  bus = g_subprocess_launcher_spawn (launcher, &error,
                                     "dbus-daemon", config_arg, "--nofork", "--nopidfile", "--print-address=1", NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bus));
  *out_address = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*out_address);

  return bus;
}

static char *self_path;

static void
run_child (const char *mode,
           const char *bus_address,
           const char *expected)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;

  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", bus_address, TRUE);
  g_subprocess_launcher_setenv (launcher, CHILD_ENV, mode, TRUE);
  /* No X display to autolaunch another bus through. */
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");

  child = g_subprocess_launcher_spawn (launcher, &error, self_path, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (child, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);

  g_test_message ("child said:\n%s", output);
  g_assert_true (g_subprocess_get_if_exited (child));
  g_assert_cmpint (g_subprocess_get_exit_status (child), ==, 0);
  g_assert_nonnull (strstr (output, expected));
}

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);

      if (g_file_test (file, G_FILE_TEST_IS_DIR) && !g_file_test (file, G_FILE_TEST_IS_SYMLINK))
        remove_dir (file);
      else
        g_unlink (file);
    }
  g_rmdir (path);
}

static void
test_no_keyring (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *address = NULL;
  g_autoptr(GSubprocess) bus = NULL;
  g_autoptr(GError) error = NULL;
  const char *addresses[2];

  dir = g_dir_make_tmp ("livedesk-empty-bus-XXXXXX", &error);
  g_assert_no_error (error);
  bus = start_empty_bus (dir, &address);

  addresses[0] = address;
  /* And no bus at all. */
  addresses[1] = "unix:path=/nonexistent/livedesk-test-bus";

  for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
    {
      g_test_message ("session bus %s", addresses[i]);
      run_child ("no-keyring", addresses[i], "store: no keyring available: ");
    }

  g_subprocess_force_exit (bus);
  g_subprocess_wait (bus, NULL, NULL);
  remove_dir (dir);
}

/* Runs in a child whose session bus has a keyring of its own to lock. */
static void
test_locked_child (void)
{
  g_autoptr(LdTokenStore) store_ = ld_token_store_new ();
  g_autoptr(LdTokens) tokens = ld_tokens_new ("a", "r", 1);
  g_autoptr(LdTokens) found = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) alias = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *collection;
  const char *paths[2] = { NULL, NULL };

  g_assert_true (store (store_, "https://example.invalid", "u1", tokens, &error));
  g_assert_no_error (error);

  /* Lock the default collection, as a screen lock or a timeout would. */
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  alias = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                       "org.freedesktop.Secret.Service", "ReadAlias", g_variant_new ("(s)", "default"),
                                       G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (alias, "(&o)", &collection);
  paths[0] = collection;
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                       "org.freedesktop.Secret.Service", "Lock", g_variant_new ("(^ao)", paths),
                                       G_VARIANT_TYPE ("(aoo)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);

  /* This bus has no prompter, so unlocking fails at once, as a dismissed
   * prompt does: the user hears "locked", not "sign in again". */
  found = lookup (store_, "https://example.invalid", "u1", &error);
  g_assert_null (found);
  g_assert_error (error, LD_TOKEN_STORE_ERROR, LD_TOKEN_STORE_ERROR_LOCKED);
  g_assert_true (g_str_has_prefix (error->message, "the keyring is locked"));
  g_assert_nonnull (strstr (error->message, "unlock it"));
  g_print ("lookup: %s\n", error->message);
  g_clear_error (&error);

  g_assert_false (store (store_, "https://example.invalid", "u2", tokens, &error));
  g_assert_error (error, LD_TOKEN_STORE_ERROR, LD_TOKEN_STORE_ERROR_LOCKED);
  g_print ("store: %s\n", error->message);
  g_clear_error (&error);

  g_assert_false (clear (store_, "https://example.invalid", "u1", &error));
  g_assert_error (error, LD_TOKEN_STORE_ERROR, LD_TOKEN_STORE_ERROR_LOCKED);
  g_print ("clear: %s\n", error->message);
  g_clear_error (&error);

  /* Something never stored is still just not there. */
  found = lookup (store_, "https://example.invalid", "nobody", &error);
  g_assert_no_error (error);
  g_assert_null (found);

  secret_service_disconnect ();
}

static void
on_name_appeared (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
on_give_up (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* gnome-keyring on BUS_ADDRESS with its files under DIR, unlocked with a
 * throwaway password; returns once it owns org.freedesktop.secrets. */
static GSubprocess *
start_keyring (const char *dir,
               const char *bus_address)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  static const char * const dirs[][2] = {
    { "HOME", "home" }, { "XDG_DATA_HOME", "data" }, { "XDG_CONFIG_HOME", "config" },
    { "XDG_CACHE_HOME", "cache" }, { "XDG_RUNTIME_DIR", "run" },
  };
  GSubprocess *keyring;
  GOutputStream *input;
  gboolean appeared = FALSE, gave_up = FALSE;
  guint watch, timeout;

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = g_build_filename (dir, dirs[i][1], NULL);

      g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
      g_subprocess_launcher_setenv (launcher, dirs[i][0], path, TRUE);
    }
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", bus_address, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  /* Our fatal-warnings would abort the daemon at its first warning (it warns
   * that it has no prompter, which is the point here). */
  g_subprocess_launcher_unsetenv (launcher, "G_DEBUG");
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);

  keyring = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon", "--foreground", "--unlock",
                                         "--components=secrets", NULL);
  g_assert_no_error (error);
  input = g_subprocess_get_stdin_pipe (keyring);
  g_output_stream_write_all (input, "livedesk-test", strlen ("livedesk-test"), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (input, NULL, &error);
  g_assert_no_error (error);

  bus = g_dbus_connection_new_for_address_sync (bus_address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, &error);
  g_assert_no_error (error);
  watch = g_bus_watch_name_on_connection (bus, "org.freedesktop.secrets", G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          on_name_appeared, NULL, &appeared, NULL);
  timeout = g_timeout_add_seconds (20, on_give_up, &gave_up);
  while (!appeared && !gave_up)
    g_main_context_iteration (NULL, TRUE);
  g_bus_unwatch_name (watch);
  g_assert_false (gave_up);
  g_source_remove (timeout);

  return keyring;
}

static void
test_locked (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *address = NULL;
  g_autoptr(GSubprocess) bus = NULL;
  g_autoptr(GSubprocess) keyring = NULL;
  g_autoptr(GError) error = NULL;

  /* Its own keyring: locking the shared one would fail other tests. */
  dir = g_dir_make_tmp ("livedesk-locked-keyring-XXXXXX", &error);
  g_assert_no_error (error);
  bus = start_empty_bus (dir, &address);
  keyring = start_keyring (dir, address);

  run_child ("locked", address, "lookup: the keyring is locked");

  g_subprocess_force_exit (keyring);
  g_subprocess_wait (keyring, NULL, NULL);
  g_subprocess_force_exit (bus);
  g_subprocess_wait (bus, NULL, NULL);
  remove_dir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  int status;

  g_test_init (&argc, &argv, NULL);
  self_path = exe;

  if (g_strcmp0 (g_getenv (CHILD_ENV), "no-keyring") == 0)
    {
      g_test_add_func ("/token-store/no-keyring-child", test_no_keyring_child);
      return g_test_run ();
    }
  if (g_strcmp0 (g_getenv (CHILD_ENV), "locked") == 0)
    {
      g_test_add_func ("/token-store/locked-child", test_locked_child);
      return g_test_run ();
    }

  g_test_add_func ("/token-store/round-trip", test_round_trip);
  g_test_add_func ("/token-store/server-key", test_server_key);
  g_test_add_func ("/token-store/legacy-items", test_legacy_items);
  g_test_add_func ("/token-store/lookup-user", test_lookup_user);
  g_test_add_func ("/token-store/corrupt-item", test_corrupt_item);
  g_test_add_func ("/token-store/no-keyring", test_no_keyring);
  g_test_add_func ("/token-store/locked", test_locked);
  g_test_add_func ("/token-store/error-messages", test_error_messages);

  status = g_test_run ();
  /* libsecret keeps its service proxy for the process; let it go so leak checks see only real leaks. */
  secret_service_disconnect ();
  return status;
}
