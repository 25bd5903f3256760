/* ld-overlay-host.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "ld-overlay-host.h"
#include "ld-token-store.h"

#include "ld-config.h"

struct _LdOverlayHost
{
  GObject     parent_instance;

  LdSettings *settings;
  LdOverlay  *overlay;
  char       *error;
  guint       apply_id;

  LdTokenStore *token_store;
  GCancellable *cancellable;
  /* Until the keyring has answered, the overlay does not start: a page
   * opened on a per-run address would be cut off a moment later. */
  gboolean      secret_pending;
  /* The secret is in the keyring (found there, or stored this run): until
   * the overlay first starts there is nothing to keep, and no reason to
   * make a keyring ask for a password (a first store creates the default
   * collection where there is none). */
  gboolean      secret_kept;
};

G_DEFINE_FINAL_TYPE (LdOverlayHost, ld_overlay_host, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_OVERLAY,
  PROP_ERROR,
  PROP_READY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_error (LdOverlayHost *self,
           char          *error)
{
  g_autofree char *owned = error;

  if (g_strcmp0 (self->error, error) == 0)
    return;
  g_free (self->error);
  self->error = g_steal_pointer (&owned);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
on_secret_stored (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* Without a keyring the overlay still works; its address changes with
   * each run, which the preferences say when it is copied again. */
  if (!ld_token_store_store_overlay_secret_finish (LD_TOKEN_STORE (source), result, &error))
    g_debug ("overlay address not kept in the keyring: %s", error->message);
}

static void
keep_secret (LdOverlayHost *self)
{
  self->secret_kept = TRUE;
  ld_token_store_store_overlay_secret_async (self->token_store, ld_overlay_get_secret (self->overlay),
                                             self->cancellable, on_secret_stored, NULL);
}

static gboolean
apply (gpointer user_data)
{
  LdOverlayHost *self = user_data;
  guint port = ld_settings_get_overlay_port (self->settings);
  g_autoptr(GError) error = NULL;

  self->apply_id = 0;

  if (self->secret_pending)
    return G_SOURCE_REMOVE;

  if (!ld_settings_get_overlay_enabled (self->settings))
    {
      ld_overlay_stop (self->overlay);
      return G_SOURCE_REMOVE;
    }

  if (ld_overlay_get_running (self->overlay) && ld_overlay_get_port (self->overlay) == port)
    return G_SOURCE_REMOVE;

  ld_overlay_stop (self->overlay);
  ld_overlay_set_port (self->overlay, port);
  if (ld_overlay_start (self->overlay, &error))
    {
      set_error (self, NULL);
      /* Its address may now be pasted into OBS. */
      if (!self->secret_kept)
        keep_secret (self);
      return G_SOURCE_REMOVE;
    }

  if (g_error_matches (error, LD_OVERLAY_ERROR, LD_OVERLAY_ERROR_PORT_IN_USE))
    /* Translators: the OBS overlay could not listen on this port. */
    set_error (self, g_strdup_printf (_("Port %u is in use, choose another"), port));
  else
    /* Translators: the OBS overlay could not start; the reason follows. */
    set_error (self, g_strdup_printf (_("The overlay could not start: %s"), error->message));
  g_object_set (self->settings, "overlay-enabled", FALSE, NULL);
  return G_SOURCE_REMOVE;
}

static void
on_settings_notify (LdOverlayHost *self,
                    GParamSpec    *pspec,
                    LdSettings    *settings)
{
  if (!g_str_equal (pspec->name, "overlay-enabled") && !g_str_equal (pspec->name, "overlay-port"))
    return;
  /* Another port, or asking again, is trying again: the old complaint goes
   * (but not when apply () itself turns the setting off after a failure). */
  if (g_str_equal (pspec->name, "overlay-port") || ld_settings_get_overlay_enabled (settings))
    set_error (self, NULL);
  if (self->apply_id == 0)
    self->apply_id = g_idle_add (apply, self);
}

static void
on_secret_looked_up (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = ld_token_store_lookup_overlay_secret_finish (LD_TOKEN_STORE (source), result, &error);
  LdOverlayHost *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = user_data;

  if (error != NULL)
    {
      /* Nowhere to keep it either. */
      g_debug ("overlay address not read from the keyring: %s", error->message);
      self->secret_kept = TRUE;
    }
  else if (secret != NULL && ld_overlay_set_secret (self->overlay, secret))
    self->secret_kept = TRUE;

  self->secret_pending = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
  if (self->apply_id == 0 && ld_settings_get_overlay_enabled (self->settings))
    self->apply_id = g_idle_add (apply, self);
}

/* The pages' texts in the app's language, made here with _() so that po/
 * stays the one source of translations. */
static void
give_strings (LdOverlayHost *self)
{
  g_autoptr(JsonObject) strings = json_object_new ();

  /* Translators: the language code of this translation, for the OBS overlay pages. */
  json_object_set_string_member (strings, "lang", _("en"));
  /* Translators: the OBS gift alert; keep {sender}, {quantity} and {gift} as they are. */
  json_object_set_string_member (strings, "alertTemplate", _("{sender} sent {quantity} × {gift}"));
  /* Translators: under the OBS gift alert, who the gift is for; keep {receiver}. */
  json_object_set_string_member (strings, "to", _("to {receiver}"));
  /* Translators: a label in the OBS figures overlay. */
  json_object_set_string_member (strings, "viewers", _("Viewers"));
  /* Translators: a label in the OBS figures overlay. */
  json_object_set_string_member (strings, "topGifter", _("Top gifter"));
  json_object_set_string_member (strings, "noGifts", _("No gifts yet"));
  /* Translators: a label in the OBS figures overlay, over a progress bar. */
  json_object_set_string_member (strings, "goal", _("Gift goal"));
  /* Translators: role badges before names in the OBS chat overlay; keep them short. */
  json_object_set_string_member (strings, "roleStreamer", _("Streamer"));
  json_object_set_string_member (strings, "roleAdmin", _("Admin"));
  json_object_set_string_member (strings, "roleModerator", _("Mod"));
  ld_overlay_set_strings (self->overlay, strings);
}

/* The app's gift sounds, played by the alert page itself so OBS captures
 * them with the scene. */
static void
lend_sounds (LdOverlayHost *self)
{
  const char *tiers[] = { "small", "medium", "large", "huge" };

  for (guint i = 0; i < G_N_ELEMENTS (tiers); i++)
    {
      g_autofree char *path = g_strdup_printf (RESOURCE_PREFIX "/sounds/gift-%s.oga", tiers[i]);
      g_autofree char *name = g_strdup_printf ("sounds/gift-%s.oga", tiers[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);

      if (bytes != NULL)
        ld_overlay_add_file (self->overlay, name, bytes, "audio/ogg");
      else
        g_debug ("no overlay sound %s: %s", name, error->message);
    }
}

static void
ld_overlay_host_constructed (GObject *object)
{
  LdOverlayHost *self = LD_OVERLAY_HOST (object);

  G_OBJECT_CLASS (ld_overlay_host_parent_class)->constructed (object);

  self->overlay = ld_overlay_new (ld_settings_get_overlay_port (self->settings));
  give_strings (self);
  lend_sounds (self);
  self->token_store = ld_token_store_new ();
  self->cancellable = g_cancellable_new ();
  self->secret_pending = TRUE;
  ld_token_store_lookup_overlay_secret_async (self->token_store, self->cancellable, on_secret_looked_up, self);
  g_signal_connect_object (self->settings, "notify", G_CALLBACK (on_settings_notify), self, G_CONNECT_SWAPPED);
}

static void
ld_overlay_host_dispose (GObject *object)
{
  LdOverlayHost *self = LD_OVERLAY_HOST (object);

  g_clear_handle_id (&self->apply_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->token_store);
  if (self->overlay != NULL)
    {
      ld_overlay_set_session (self->overlay, NULL);
      ld_overlay_stop (self->overlay);
    }
  g_clear_object (&self->overlay);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ld_overlay_host_parent_class)->dispose (object);
}

static void
ld_overlay_host_finalize (GObject *object)
{
  LdOverlayHost *self = LD_OVERLAY_HOST (object);

  g_clear_pointer (&self->error, g_free);

  G_OBJECT_CLASS (ld_overlay_host_parent_class)->finalize (object);
}

static void
ld_overlay_host_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LdOverlayHost *self = LD_OVERLAY_HOST (object);

  switch (prop_id)
    {
    case PROP_SETTINGS: g_value_set_object (value, self->settings); break;
    case PROP_OVERLAY: g_value_set_object (value, self->overlay); break;
    case PROP_ERROR: g_value_set_string (value, self->error); break;
    case PROP_READY: g_value_set_boolean (value, !self->secret_pending); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_overlay_host_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LdOverlayHost *self = LD_OVERLAY_HOST (object);

  switch (prop_id)
    {
    case PROP_SETTINGS: self->settings = g_value_dup_object (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_overlay_host_class_init (LdOverlayHostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ld_overlay_host_constructed;
  object_class->dispose = ld_overlay_host_dispose;
  object_class->finalize = ld_overlay_host_finalize;
  object_class->get_property = ld_overlay_host_get_property;
  object_class->set_property = ld_overlay_host_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, LD_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_OVERLAY] =
    g_param_spec_object ("overlay", NULL, NULL, LD_TYPE_OVERLAY, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_READY] =
    g_param_spec_boolean ("ready", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ld_overlay_host_init (LdOverlayHost *self)
{
}

LdOverlayHost *
ld_overlay_host_new (LdSettings *settings)
{
  g_return_val_if_fail (LD_IS_SETTINGS (settings), NULL);

  return g_object_new (LD_TYPE_OVERLAY_HOST, "settings", settings, NULL);
}

LdOverlay *
ld_overlay_host_get_overlay (LdOverlayHost *self)
{
  g_return_val_if_fail (LD_IS_OVERLAY_HOST (self), NULL);
  return self->overlay;
}

gboolean
ld_overlay_host_get_ready (LdOverlayHost *self)
{
  g_return_val_if_fail (LD_IS_OVERLAY_HOST (self), FALSE);
  return !self->secret_pending;
}

const char *
ld_overlay_host_get_error (LdOverlayHost *self)
{
  g_return_val_if_fail (LD_IS_OVERLAY_HOST (self), NULL);
  return self->error;
}

void
ld_overlay_host_regenerate_secret (LdOverlayHost *self)
{
  g_return_if_fail (LD_IS_OVERLAY_HOST (self));

  ld_overlay_regenerate_secret (self->overlay);
  keep_secret (self);
}

void
ld_overlay_host_set_session (LdOverlayHost *self,
                             LdSession     *session)
{
  g_return_if_fail (LD_IS_OVERLAY_HOST (self));
  g_return_if_fail (session == NULL || LD_IS_SESSION (session));

  ld_overlay_set_session (self->overlay, session);
}

static void
append_param (GString    *query,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  g_string_append_printf (query, "%c%s=%s", query->len == 0 ? '?' : '&', name, escaped);
}

/* A style key that differs from its default goes into the address as
 * PARAM; an address with defaults left out stays short to paste. */
static void
append_setting (GString       *query,
                LdSettings    *settings,
                const char    *key,
                const char    *param)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (settings), key);
  g_auto(GValue) value = G_VALUE_INIT;
  g_autofree char *text = NULL;

  g_value_init (&value, pspec->value_type);
  g_object_get_property (G_OBJECT (settings), key, &value);
  if (g_param_value_defaults (pspec, &value))
    return;

  if (G_VALUE_HOLDS (&value, G_TYPE_STRV))
    {
      const char * const *words = g_value_get_boxed (&value);

      if (words == NULL || words[0] == NULL)
        return;
      text = g_strjoinv (",", (char **) words);
    }
  else if (G_VALUE_HOLDS_BOOLEAN (&value))
    text = g_strdup (g_value_get_boolean (&value) ? "1" : "0");
  else if (G_VALUE_HOLDS_UINT (&value))
    text = g_strdup_printf ("%u", g_value_get_uint (&value));
  else if (G_VALUE_HOLDS_DOUBLE (&value))
    {
      char buffer[G_ASCII_DTOSTR_BUF_SIZE];

      /* Whatever the locale: the page reads a dot. */
      text = g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.2f", g_value_get_double (&value)));
    }
  else
    text = g_value_dup_string (&value);
  if (text != NULL && *text != '\0')
    append_param (query, param, text);
}

char *
ld_overlay_host_dup_url (LdOverlayHost *self,
                         const char    *page)
{
  static const struct { const char *page, *key, *param; } params[] = {
    { NULL, "overlay-font", "font" },
    { NULL, "overlay-font-size", "size" },
    { NULL, "overlay-text-color", "color" },
    { "chat", "overlay-background-color", "bg" },
    { "chat", "overlay-background-opacity", "opacity" },
    { "chat", "overlay-max-messages", "max" },
    { "chat", "overlay-fade-seconds", "fade" },
    { "chat", "overlay-badges", "badges" },
    { "chat", "overlay-hidden-users", "hideUsers" },
    { "chat", "overlay-hidden-words", "hideWords" },
    { "gifts", "overlay-alert-min-value", "min" },
    { "gifts", "overlay-alert-seconds", "duration" },
    { "gifts", "overlay-alert-sound", "sound" },
    { "gifts", "overlay-alert-volume", "volume" },
    { "gifts", "overlay-alert-template", "template" },
    { "stats", "overlay-goal", "goal" },
  };
  const char *base;
  g_autoptr(GString) query = g_string_new (NULL);

  g_return_val_if_fail (LD_IS_OVERLAY_HOST (self), NULL);
  g_return_val_if_fail (page != NULL, NULL);

  if (g_str_equal (page, "gifts"))
    base = ld_overlay_get_gifts_url (self->overlay);
  else if (g_str_equal (page, "stats"))
    base = ld_overlay_get_stats_url (self->overlay);
  else
    base = ld_overlay_get_chat_url (self->overlay);
  if (base == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (params); i++)
    if (params[i].page == NULL || g_str_equal (params[i].page, page))
      append_setting (query, self->settings, params[i].key, params[i].param);
  return g_strconcat (base, query->str, NULL);
}
