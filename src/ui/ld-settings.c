/* ld-settings.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-settings.h"

#define N_OVERLAY_STYLE 16

struct _LdSettings
{
  GObject    parent_instance;

  GSettings *settings;
  char      *server_url;
  char      *api_url;
  char      *last_user;
  char      *last_room;
  guint      history_size;
  guint      reconnect_attempts;
  gboolean   notify_mentions;
  gboolean   notify_support;
  gboolean   notify_gifts;
  double     font_scale;
  GStrv      highlight_words;
  GStrv      hidden_users;
  GStrv      highlighted_users;
  char      *clock_format;
  int        window_width;
  int        window_height;
  gboolean   window_maximized;
  guint      notify_gift_value;
  gboolean   notify_stream_state;
  gboolean   run_in_background;
  double     gift_sound_volume;
  gboolean   gift_sound_muted;
  guint      gift_priority_value;
  gboolean   overlay_enabled;
  guint      overlay_port;
  gboolean   streamer_mode;
  /* The overlay's style keys: only passed on into the overlay's address,
   * so they are kept as values rather than one field each. */
  GValue     overlay_style[N_OVERLAY_STYLE];
};

G_DEFINE_FINAL_TYPE (LdSettings, ld_settings, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_SERVER_URL,
  PROP_API_URL,
  PROP_LAST_USER,
  PROP_LAST_ROOM,
  PROP_HISTORY_SIZE,
  PROP_RECONNECT_ATTEMPTS,
  PROP_NOTIFY_MENTIONS,
  PROP_NOTIFY_SUPPORT,
  PROP_NOTIFY_GIFTS,
  PROP_FONT_SCALE,
  PROP_HIGHLIGHT_WORDS,
  PROP_HIDDEN_USERS,
  PROP_HIGHLIGHTED_USERS,
  PROP_CLOCK_FORMAT,
  PROP_WINDOW_WIDTH,
  PROP_WINDOW_HEIGHT,
  PROP_WINDOW_MAXIMIZED,
  PROP_NOTIFY_GIFT_VALUE,
  PROP_NOTIFY_STREAM_STATE,
  PROP_RUN_IN_BACKGROUND,
  PROP_GIFT_SOUND_VOLUME,
  PROP_GIFT_SOUND_MUTED,
  PROP_GIFT_PRIORITY_VALUE,
  PROP_OVERLAY_ENABLED,
  PROP_OVERLAY_PORT,
  PROP_STREAMER_MODE,
  PROP_OVERLAY_FONT,
  PROP_OVERLAY_FONT_SIZE,
  PROP_OVERLAY_TEXT_COLOR,
  PROP_OVERLAY_BACKGROUND_COLOR,
  PROP_OVERLAY_BACKGROUND_OPACITY,
  PROP_OVERLAY_MAX_MESSAGES,
  PROP_OVERLAY_FADE_SECONDS,
  PROP_OVERLAY_BADGES,
  PROP_OVERLAY_HIDDEN_USERS,
  PROP_OVERLAY_HIDDEN_WORDS,
  PROP_OVERLAY_ALERT_MIN_VALUE,
  PROP_OVERLAY_ALERT_SECONDS,
  PROP_OVERLAY_ALERT_SOUND,
  PROP_OVERLAY_ALERT_VOLUME,
  PROP_OVERLAY_ALERT_TEMPLATE,
  PROP_OVERLAY_GOAL,
  N_PROPS
};

G_STATIC_ASSERT (N_PROPS - PROP_OVERLAY_FONT == N_OVERLAY_STYLE);

static GParamSpec *properties[N_PROPS];

static gboolean
set_string (LdSettings *self,
            char      **field,
            const char *value,
            guint       prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  return TRUE;
}

static void
ld_settings_constructed (GObject *object)
{
  LdSettings *self = LD_SETTINGS (object);

  G_OBJECT_CLASS (ld_settings_parent_class)->constructed (object);

  if (self->settings == NULL)
    self->settings = g_settings_new (LD_SETTINGS_SCHEMA_ID);

  for (guint i = PROP_SERVER_URL; i < N_PROPS; i++)
    g_settings_bind (self->settings, properties[i]->name, self, properties[i]->name, G_SETTINGS_BIND_DEFAULT);
}

static void
ld_settings_finalize (GObject *object)
{
  LdSettings *self = LD_SETTINGS (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->server_url, g_free);
  g_clear_pointer (&self->api_url, g_free);
  g_clear_pointer (&self->last_user, g_free);
  g_clear_pointer (&self->last_room, g_free);
  g_clear_pointer (&self->clock_format, g_free);
  g_clear_pointer (&self->highlight_words, g_strfreev);
  g_clear_pointer (&self->hidden_users, g_strfreev);
  g_clear_pointer (&self->highlighted_users, g_strfreev);
  for (guint i = 0; i < N_OVERLAY_STYLE; i++)
    g_value_unset (&self->overlay_style[i]);

  G_OBJECT_CLASS (ld_settings_parent_class)->finalize (object);
}

static void
ld_settings_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  LdSettings *self = LD_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_SETTINGS: g_value_set_object (value, self->settings); break;
    case PROP_SERVER_URL: g_value_set_string (value, self->server_url); break;
    case PROP_API_URL: g_value_set_string (value, self->api_url); break;
    case PROP_LAST_USER: g_value_set_string (value, self->last_user); break;
    case PROP_LAST_ROOM: g_value_set_string (value, self->last_room); break;
    case PROP_HISTORY_SIZE: g_value_set_uint (value, self->history_size); break;
    case PROP_RECONNECT_ATTEMPTS: g_value_set_uint (value, self->reconnect_attempts); break;
    case PROP_NOTIFY_MENTIONS: g_value_set_boolean (value, self->notify_mentions); break;
    case PROP_NOTIFY_SUPPORT: g_value_set_boolean (value, self->notify_support); break;
    case PROP_NOTIFY_GIFTS: g_value_set_boolean (value, self->notify_gifts); break;
    case PROP_FONT_SCALE: g_value_set_double (value, self->font_scale); break;
    case PROP_HIGHLIGHT_WORDS: g_value_set_boxed (value, self->highlight_words); break;
    case PROP_HIDDEN_USERS: g_value_set_boxed (value, self->hidden_users); break;
    case PROP_HIGHLIGHTED_USERS: g_value_set_boxed (value, self->highlighted_users); break;
    case PROP_CLOCK_FORMAT: g_value_set_string (value, self->clock_format); break;
    case PROP_WINDOW_WIDTH: g_value_set_int (value, self->window_width); break;
    case PROP_WINDOW_HEIGHT: g_value_set_int (value, self->window_height); break;
    case PROP_WINDOW_MAXIMIZED: g_value_set_boolean (value, self->window_maximized); break;
    case PROP_NOTIFY_GIFT_VALUE: g_value_set_uint (value, self->notify_gift_value); break;
    case PROP_NOTIFY_STREAM_STATE: g_value_set_boolean (value, self->notify_stream_state); break;
    case PROP_RUN_IN_BACKGROUND: g_value_set_boolean (value, self->run_in_background); break;
    case PROP_GIFT_SOUND_VOLUME: g_value_set_double (value, self->gift_sound_volume); break;
    case PROP_GIFT_SOUND_MUTED: g_value_set_boolean (value, self->gift_sound_muted); break;
    case PROP_GIFT_PRIORITY_VALUE: g_value_set_uint (value, self->gift_priority_value); break;
    case PROP_OVERLAY_ENABLED: g_value_set_boolean (value, self->overlay_enabled); break;
    case PROP_OVERLAY_PORT: g_value_set_uint (value, self->overlay_port); break;
    case PROP_STREAMER_MODE: g_value_set_boolean (value, self->streamer_mode); break;
    default:
      if (prop_id >= PROP_OVERLAY_FONT && prop_id < N_PROPS)
        g_value_copy (&self->overlay_style[prop_id - PROP_OVERLAY_FONT], value);
      else
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* NULL and an empty list are the same list of words. */
static gboolean
strv_same (const char * const *a,
           const char * const *b)
{
  if (a == NULL || b == NULL)
    return (a == NULL || *a == NULL) && (b == NULL || *b == NULL);
  return g_strv_equal (a, b);
}

#define SET_SCALAR(field, getter) \
  G_STMT_START { \
    if (self->field != getter (value)) \
      { \
        self->field = getter (value); \
        g_object_notify_by_pspec (object, pspec); \
      } \
  } G_STMT_END

static void
ld_settings_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  LdSettings *self = LD_SETTINGS (object);

  switch (prop_id)
    {
    case PROP_SETTINGS: self->settings = g_value_dup_object (value); break;
    case PROP_SERVER_URL: set_string (self, &self->server_url, g_value_get_string (value), prop_id); break;
    case PROP_API_URL: set_string (self, &self->api_url, g_value_get_string (value), prop_id); break;
    case PROP_LAST_USER: set_string (self, &self->last_user, g_value_get_string (value), prop_id); break;
    case PROP_LAST_ROOM: set_string (self, &self->last_room, g_value_get_string (value), prop_id); break;
    case PROP_HISTORY_SIZE: SET_SCALAR (history_size, g_value_get_uint); break;
    case PROP_RECONNECT_ATTEMPTS: SET_SCALAR (reconnect_attempts, g_value_get_uint); break;
    case PROP_NOTIFY_MENTIONS: SET_SCALAR (notify_mentions, g_value_get_boolean); break;
    case PROP_NOTIFY_SUPPORT: SET_SCALAR (notify_support, g_value_get_boolean); break;
    case PROP_NOTIFY_GIFTS: SET_SCALAR (notify_gifts, g_value_get_boolean); break;
    case PROP_FONT_SCALE: SET_SCALAR (font_scale, g_value_get_double); break;
    case PROP_HIGHLIGHT_WORDS:
    case PROP_HIDDEN_USERS:
    case PROP_HIGHLIGHTED_USERS:
      {
        const char * const *words = g_value_get_boxed (value);
        GStrv *field = prop_id == PROP_HIGHLIGHT_WORDS ? &self->highlight_words
                       : prop_id == PROP_HIDDEN_USERS ? &self->hidden_users : &self->highlighted_users;

        if (!strv_same ((const char * const *) *field, words))
          {
            g_strfreev (*field);
            *field = g_strdupv ((char **) words);
            g_object_notify_by_pspec (object, pspec);
          }
      }
      break;
    case PROP_CLOCK_FORMAT: set_string (self, &self->clock_format, g_value_get_string (value), prop_id); break;
    case PROP_WINDOW_WIDTH: SET_SCALAR (window_width, g_value_get_int); break;
    case PROP_WINDOW_HEIGHT: SET_SCALAR (window_height, g_value_get_int); break;
    case PROP_WINDOW_MAXIMIZED: SET_SCALAR (window_maximized, g_value_get_boolean); break;
    case PROP_NOTIFY_GIFT_VALUE: SET_SCALAR (notify_gift_value, g_value_get_uint); break;
    case PROP_NOTIFY_STREAM_STATE: SET_SCALAR (notify_stream_state, g_value_get_boolean); break;
    case PROP_RUN_IN_BACKGROUND: SET_SCALAR (run_in_background, g_value_get_boolean); break;
    case PROP_GIFT_SOUND_VOLUME: SET_SCALAR (gift_sound_volume, g_value_get_double); break;
    case PROP_GIFT_SOUND_MUTED: SET_SCALAR (gift_sound_muted, g_value_get_boolean); break;
    case PROP_GIFT_PRIORITY_VALUE: SET_SCALAR (gift_priority_value, g_value_get_uint); break;
    case PROP_OVERLAY_ENABLED: SET_SCALAR (overlay_enabled, g_value_get_boolean); break;
    case PROP_OVERLAY_PORT: SET_SCALAR (overlay_port, g_value_get_uint); break;
    case PROP_STREAMER_MODE: SET_SCALAR (streamer_mode, g_value_get_boolean); break;
    default:
      if (prop_id >= PROP_OVERLAY_FONT && prop_id < N_PROPS)
        {
          GValue *style = &self->overlay_style[prop_id - PROP_OVERLAY_FONT];
          gboolean same = G_VALUE_HOLDS (value, G_TYPE_STRV)
                          ? strv_same (g_value_get_boxed (style), g_value_get_boxed (value))
                          : g_param_values_cmp (pspec, style, value) == 0;

          if (!same)
            {
              g_value_copy (value, style);
              g_object_notify_by_pspec (object, pspec);
            }
        }
      else
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_settings_class_init (LdSettingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->constructed = ld_settings_constructed;
  object_class->finalize = ld_settings_finalize;
  object_class->get_property = ld_settings_get_property;
  object_class->set_property = ld_settings_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVER_URL] = g_param_spec_string ("server-url", NULL, NULL, NULL, rw);
  properties[PROP_API_URL] = g_param_spec_string ("api-url", NULL, NULL, NULL, rw);
  properties[PROP_LAST_USER] = g_param_spec_string ("last-user", NULL, NULL, NULL, rw);
  properties[PROP_LAST_ROOM] = g_param_spec_string ("last-room", NULL, NULL, NULL, rw);
  properties[PROP_HISTORY_SIZE] = g_param_spec_uint ("history-size", NULL, NULL, 1, G_MAXUINT, 10000, rw);
  properties[PROP_RECONNECT_ATTEMPTS] = g_param_spec_uint ("reconnect-attempts", NULL, NULL, 0, G_MAXUINT, 5, rw);
  properties[PROP_NOTIFY_MENTIONS] = g_param_spec_boolean ("notify-mentions", NULL, NULL, TRUE, rw);
  properties[PROP_NOTIFY_SUPPORT] = g_param_spec_boolean ("notify-support", NULL, NULL, TRUE, rw);
  properties[PROP_NOTIFY_GIFTS] = g_param_spec_boolean ("notify-gifts", NULL, NULL, FALSE, rw);
  properties[PROP_FONT_SCALE] = g_param_spec_double ("font-scale", NULL, NULL, 0.5, 3.0, 1.0, rw);
  properties[PROP_HIGHLIGHT_WORDS] = g_param_spec_boxed ("highlight-words", NULL, NULL, G_TYPE_STRV, rw);
  properties[PROP_HIDDEN_USERS] = g_param_spec_boxed ("hidden-users", NULL, NULL, G_TYPE_STRV, rw);
  properties[PROP_HIGHLIGHTED_USERS] = g_param_spec_boxed ("highlighted-users", NULL, NULL, G_TYPE_STRV, rw);
  properties[PROP_CLOCK_FORMAT] = g_param_spec_string ("clock-format", NULL, NULL, "24h", rw);
  properties[PROP_WINDOW_WIDTH] = g_param_spec_int ("window-width", NULL, NULL, -1, G_MAXINT, 900, rw);
  properties[PROP_WINDOW_HEIGHT] = g_param_spec_int ("window-height", NULL, NULL, -1, G_MAXINT, 700, rw);
  properties[PROP_WINDOW_MAXIMIZED] = g_param_spec_boolean ("window-maximized", NULL, NULL, FALSE, rw);
  properties[PROP_NOTIFY_GIFT_VALUE] = g_param_spec_uint ("notify-gift-value", NULL, NULL, 0, 1000000, 100, rw);
  properties[PROP_NOTIFY_STREAM_STATE] = g_param_spec_boolean ("notify-stream-state", NULL, NULL, TRUE, rw);
  properties[PROP_RUN_IN_BACKGROUND] = g_param_spec_boolean ("run-in-background", NULL, NULL, FALSE, rw);
  properties[PROP_GIFT_SOUND_VOLUME] = g_param_spec_double ("gift-sound-volume", NULL, NULL, 0.0, 1.0, 0.7, rw);
  properties[PROP_GIFT_SOUND_MUTED] = g_param_spec_boolean ("gift-sound-muted", NULL, NULL, FALSE, rw);
  properties[PROP_GIFT_PRIORITY_VALUE] = g_param_spec_uint ("gift-priority-value", NULL, NULL, 0, 1000000, 0, rw);
  properties[PROP_OVERLAY_ENABLED] = g_param_spec_boolean ("overlay-enabled", NULL, NULL, FALSE, rw);
  properties[PROP_OVERLAY_PORT] = g_param_spec_uint ("overlay-port", NULL, NULL, 1024, 65535, 4765, rw);
  properties[PROP_STREAMER_MODE] = g_param_spec_boolean ("streamer-mode", NULL, NULL, FALSE, rw);
  properties[PROP_OVERLAY_FONT] = g_param_spec_string ("overlay-font", NULL, NULL, "DejaVu Sans", rw);
  properties[PROP_OVERLAY_FONT_SIZE] = g_param_spec_uint ("overlay-font-size", NULL, NULL, 10, 72, 22, rw);
  properties[PROP_OVERLAY_TEXT_COLOR] = g_param_spec_string ("overlay-text-color", NULL, NULL, "#ffffff", rw);
  properties[PROP_OVERLAY_BACKGROUND_COLOR] =
    g_param_spec_string ("overlay-background-color", NULL, NULL, "#000000", rw);
  properties[PROP_OVERLAY_BACKGROUND_OPACITY] =
    g_param_spec_double ("overlay-background-opacity", NULL, NULL, 0.0, 1.0, 0.0, rw);
  properties[PROP_OVERLAY_MAX_MESSAGES] = g_param_spec_uint ("overlay-max-messages", NULL, NULL, 1, 30, 10, rw);
  properties[PROP_OVERLAY_FADE_SECONDS] = g_param_spec_uint ("overlay-fade-seconds", NULL, NULL, 0, 3600, 0, rw);
  properties[PROP_OVERLAY_BADGES] = g_param_spec_boolean ("overlay-badges", NULL, NULL, TRUE, rw);
  properties[PROP_OVERLAY_HIDDEN_USERS] = g_param_spec_boxed ("overlay-hidden-users", NULL, NULL, G_TYPE_STRV, rw);
  properties[PROP_OVERLAY_HIDDEN_WORDS] = g_param_spec_boxed ("overlay-hidden-words", NULL, NULL, G_TYPE_STRV, rw);
  properties[PROP_OVERLAY_ALERT_MIN_VALUE] =
    g_param_spec_uint ("overlay-alert-min-value", NULL, NULL, 0, 1000000, 0, rw);
  properties[PROP_OVERLAY_ALERT_SECONDS] = g_param_spec_uint ("overlay-alert-seconds", NULL, NULL, 0, 60, 0, rw);
  properties[PROP_OVERLAY_ALERT_SOUND] = g_param_spec_boolean ("overlay-alert-sound", NULL, NULL, TRUE, rw);
  properties[PROP_OVERLAY_ALERT_VOLUME] =
    g_param_spec_double ("overlay-alert-volume", NULL, NULL, 0.0, 1.0, 0.8, rw);
  properties[PROP_OVERLAY_ALERT_TEMPLATE] = g_param_spec_string ("overlay-alert-template", NULL, NULL, "", rw);
  properties[PROP_OVERLAY_GOAL] = g_param_spec_uint ("overlay-goal", NULL, NULL, 0, 100000000, 1000, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ld_settings_init (LdSettings *self)
{
  self->history_size = 10000;
  self->reconnect_attempts = 5;
  self->font_scale = 1.0;
  self->clock_format = g_strdup ("24h");
  self->notify_gift_value = 100;
  self->notify_stream_state = TRUE;
  self->gift_sound_volume = 0.7;
  self->overlay_port = 4765;
  for (guint i = 0; i < N_OVERLAY_STYLE; i++)
    {
      GParamSpec *pspec = properties[PROP_OVERLAY_FONT + i];

      g_value_init (&self->overlay_style[i], pspec->value_type);
      g_param_value_set_default (pspec, &self->overlay_style[i]);
    }
}

LdSettings *
ld_settings_new (void)
{
  return g_object_new (LD_TYPE_SETTINGS, NULL);
}

LdSettings *
ld_settings_new_for_settings (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (LD_TYPE_SETTINGS, "settings", settings, NULL);
}

GSettings *
ld_settings_get_settings (LdSettings *self)
{
  g_return_val_if_fail (LD_IS_SETTINGS (self), NULL);
  return self->settings;
}

#define STRING_ACCESSORS(name, prop) \
  const char * \
  ld_settings_get_##name (LdSettings *self) \
  { \
    g_return_val_if_fail (LD_IS_SETTINGS (self), NULL); \
    return self->name; \
  } \
  void \
  ld_settings_set_##name (LdSettings *self, const char *value) \
  { \
    g_return_if_fail (LD_IS_SETTINGS (self)); \
    g_object_set (self, prop, value != NULL ? value : "", NULL); \
  }

STRING_ACCESSORS (server_url, "server-url")
STRING_ACCESSORS (api_url, "api-url")
STRING_ACCESSORS (last_user, "last-user")
STRING_ACCESSORS (last_room, "last-room")

guint
ld_settings_get_history_size (LdSettings *self)
{
  g_return_val_if_fail (LD_IS_SETTINGS (self), 0);
  return self->history_size;
}

guint
ld_settings_get_reconnect_attempts (LdSettings *self)
{
  g_return_val_if_fail (LD_IS_SETTINGS (self), 0);
  return self->reconnect_attempts;
}

double
ld_settings_get_font_scale (LdSettings *self)
{
  g_return_val_if_fail (LD_IS_SETTINGS (self), 1.0);
  return self->font_scale;
}

const char * const *
ld_settings_get_highlight_words (LdSettings *self)
{
  g_return_val_if_fail (LD_IS_SETTINGS (self), NULL);
  return (const char * const *) self->highlight_words;
}

const char * const *
ld_settings_get_hidden_users (LdSettings *self)
{
  g_return_val_if_fail (LD_IS_SETTINGS (self), NULL);
  return (const char * const *) self->hidden_users;
}

const char * const *
ld_settings_get_highlighted_users (LdSettings *self)
{
  g_return_val_if_fail (LD_IS_SETTINGS (self), NULL);
  return (const char * const *) self->highlighted_users;
}

/* Adds USER_ID to (or takes it from) the strv property NAME. */
void
ld_settings_set_user_listed (LdSettings *self,
                             const char *name,
                             const char *user_id,
                             gboolean    listed)
{
  g_auto(GStrv) users = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;

  g_return_if_fail (LD_IS_SETTINGS (self));
  g_return_if_fail (user_id != NULL);

  g_object_get (self, name, &users, NULL);
  for (guint i = 0; users != NULL && users[i] != NULL; i++)
    if (!g_str_equal (users[i], user_id))
      g_strv_builder_add (builder, users[i]);
  if (listed)
    g_strv_builder_add (builder, user_id);
  updated = g_strv_builder_end (builder);
  g_object_set (self, name, updated, NULL);
}

gboolean
ld_settings_get_clock_12h (LdSettings *self)
{
  g_return_val_if_fail (LD_IS_SETTINGS (self), FALSE);
  return g_strcmp0 (self->clock_format, "12h") == 0;
}

guint
ld_settings_get_notify_gift_value (LdSettings *self)
{
  g_return_val_if_fail (LD_IS_SETTINGS (self), 0);
  return self->notify_gift_value;
}

gboolean
ld_settings_get_notify_stream_state (LdSettings *self)
{
  g_return_val_if_fail (LD_IS_SETTINGS (self), FALSE);
  return self->notify_stream_state;
}

gboolean
ld_settings_get_run_in_background (LdSettings *self)
{
  g_return_val_if_fail (LD_IS_SETTINGS (self), FALSE);
  return self->run_in_background;
}

double
ld_settings_get_gift_sound_volume (LdSettings *self)
{
  g_return_val_if_fail (LD_IS_SETTINGS (self), 0.0);
  return self->gift_sound_volume;
}

gboolean
ld_settings_get_gift_sound_muted (LdSettings *self)
{
  g_return_val_if_fail (LD_IS_SETTINGS (self), FALSE);
  return self->gift_sound_muted;
}

guint
ld_settings_get_gift_priority_value (LdSettings *self)
{
  g_return_val_if_fail (LD_IS_SETTINGS (self), 0);
  return self->gift_priority_value;
}

gboolean
ld_settings_get_overlay_enabled (LdSettings *self)
{
  g_return_val_if_fail (LD_IS_SETTINGS (self), FALSE);
  return self->overlay_enabled;
}

guint
ld_settings_get_overlay_port (LdSettings *self)
{
  g_return_val_if_fail (LD_IS_SETTINGS (self), 0);
  return self->overlay_port;
}

gboolean
ld_settings_get_streamer_mode (LdSettings *self)
{
  g_return_val_if_fail (LD_IS_SETTINGS (self), FALSE);
  return self->streamer_mode;
}

/* Read and written on demand: only the window's tabs use it. */
GStrv
ld_settings_dup_open_rooms (LdSettings *self)
{
  g_return_val_if_fail (LD_IS_SETTINGS (self), NULL);
  return g_settings_get_strv (self->settings, "open-rooms");
}

void
ld_settings_set_open_rooms (LdSettings         *self,
                            const char * const *room_ids)
{
  g_auto(GStrv) now = NULL;

  g_return_if_fail (LD_IS_SETTINGS (self));

  now = g_settings_get_strv (self->settings, "open-rooms");
  if (!strv_same ((const char * const *) now, room_ids))
    g_settings_set_strv (self->settings, "open-rooms", room_ids);
}
