/* ld-gift-sound.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <gst/gst.h>

#include "ld-config.h"
#include "ld-gift-sound.h"

struct _LdGiftSound
{
  GObject     parent_instance;

  GstElement *pipeline;
  guint       bus_watch;
  LdGiftSoundTier tier;
  /* Each tier's sound once decoded (PCM_CAPS), or NULL. */
  GBytes     *pcm[LD_GIFT_SOUND_TIER_HUGE + 1];
  double      volume;
  gboolean    muted;
  /* GStreamer could not start: every play is a no-op. */
  gboolean    unavailable;
};

G_DEFINE_FINAL_TYPE (LdGiftSound, ld_gift_sound, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_VOLUME,
  PROP_MUTED,
  N_PROPS
};

enum {
  STARTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

LdGiftSoundTier
ld_gift_sound_tier_for_value (double total_value)
{
  if (total_value < 100)
    return LD_GIFT_SOUND_TIER_SMALL;
  if (total_value < 1000)
    return LD_GIFT_SOUND_TIER_MEDIUM;
  if (total_value < 10000)
    return LD_GIFT_SOUND_TIER_LARGE;
  return LD_GIFT_SOUND_TIER_HUGE;
}

const char *
ld_gift_sound_tier_to_string (LdGiftSoundTier tier)
{
  switch (tier)
    {
    case LD_GIFT_SOUND_TIER_SMALL: return "small";
    case LD_GIFT_SOUND_TIER_MEDIUM: return "medium";
    case LD_GIFT_SOUND_TIER_LARGE: return "large";
    case LD_GIFT_SOUND_TIER_HUGE:
    default:
      return "huge";
    }
}

void
ld_gift_sound_stop (LdGiftSound *self)
{
  g_return_if_fail (LD_IS_GIFT_SOUND (self));

  g_clear_handle_id (&self->bus_watch, g_source_remove);
  if (self->pipeline != NULL)
    {
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      g_clear_object (&self->pipeline);
    }
}

static gboolean
on_bus_message (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  LdGiftSound *self = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *debug = NULL;

        /* Most often no sound device: the alert just stays silent. */
        gst_message_parse_error (message, &error, &debug);
        g_debug ("Gift sound not played: %s (%s)", error->message, debug ? debug : "");
        self->bus_watch = 0;
        ld_gift_sound_stop (self);
        return G_SOURCE_REMOVE;
      }
    case GST_MESSAGE_EOS:
      self->bus_watch = 0;
      ld_gift_sound_stop (self);
      return G_SOURCE_REMOVE;
    case GST_MESSAGE_STATE_CHANGED:
      if (GST_MESSAGE_SRC (message) == GST_OBJECT (self->pipeline))
        {
          GstState old_state, new_state;

          gst_message_parse_state_changed (message, &old_state, &new_state, NULL);
          if (new_state == GST_STATE_PLAYING && old_state != GST_STATE_PLAYING)
            g_signal_emit (self, signals[STARTED], 0, self->tier);
        }
      return G_SOURCE_CONTINUE;
    default:
      return G_SOURCE_CONTINUE;
    }
}

/* GStreamer scans its plugins when it starts: that waits for the first
 * gift that makes a sound, not for the window's first frame. */
static gboolean
ensure_gstreamer (LdGiftSound *self)
{
  g_autoptr(GError) error = NULL;

  if (self->unavailable)
    return FALSE;
  if (gst_is_initialized ())
    return TRUE;
  if (!gst_init_check (NULL, NULL, &error))
    {
      g_debug ("GStreamer unavailable, gift alerts are silent: %s", error->message);
      self->unavailable = TRUE;
      return FALSE;
    }
  return TRUE;
}

/* What each sound is decoded to once, and played from. Played straight
 * from Ogg, the pipeline's demuxer linked its pads on its streaming thread
 * as it found the stream, and a pipeline stopped meanwhile (an alert skipped
 * as its sound starts) made GStreamer warn "loop detected in the graph of
 * bin". A pipeline of raw PCM has only fixed pads. */
#define PCM_CAPS "audio/x-raw,format=S16LE,layout=interleaved,channels=1,rate=48000"
#define PCM_PARSE "rawaudioparse format=pcm pcm-format=s16le num-channels=1 sample-rate=48000"
/* A few kilobytes of Vorbis: decoded in milliseconds, on the first alert of
 * its tier. The limit only bounds a broken plugin. */
#define DECODE_TIMEOUT (5 * GST_SECOND)

/* TIER's sound from the GResource, decoded to PCM_CAPS. */
static GBytes *
decode (LdGiftSoundTier   tier,
        GError          **error)
{
  g_autofree char *path = g_strdup_printf (RESOURCE_PREFIX "/sounds/gift-%s.oga", ld_gift_sound_tier_to_string (tier));
  g_autoptr(GInputStream) ogg = g_resources_open_stream (path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  g_autoptr(GOutputStream) pcm = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) source = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;
  g_autoptr(GError) parse_error = NULL;

  if (ogg == NULL)
    return NULL;
  /* giosrc knows no resource:// URIs without GVfs, so feed it the stream. */
  pipeline = gst_parse_launch ("giostreamsrc name=source ! oggdemux ! vorbisdec ! audioconvert ! audioresample ! "
                               PCM_CAPS " ! giostreamsink name=sink sync=false", &parse_error);
  if (pipeline != NULL)
    gst_object_ref_sink (pipeline);
  if (pipeline == NULL || parse_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&parse_error));
      return NULL;
    }

  pcm = g_memory_output_stream_new_resizable ();
  source = gst_bin_get_by_name (GST_BIN (pipeline), "source");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (source, "stream", ogg, NULL);
  g_object_set (sink, "stream", pcm, NULL);
  bus = gst_element_get_bus (pipeline);
  if (gst_element_set_state (pipeline, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE)
    message = gst_bus_timed_pop_filtered (bus, DECODE_TIMEOUT, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  if (message != NULL && GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      gst_message_parse_error (message, error, NULL);
      return NULL;
    }
  if (message == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s did not decode", path);
      return NULL;
    }
  g_output_stream_close (pcm, NULL, NULL);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (pcm));
}

void
ld_gift_sound_play (LdGiftSound *self,
                    double       total_value)
{
  const char *sink = g_getenv ("LIVEDESK_AUDIO_SINK");
  g_autofree char *description = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GstElement) source = NULL;
  g_autoptr(GstElement) volume = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (LD_IS_GIFT_SOUND (self));

  ld_gift_sound_stop (self);
  if (self->muted || !ensure_gstreamer (self))
    return;

  self->tier = ld_gift_sound_tier_for_value (total_value);
  if (self->pcm[self->tier] == NULL)
    {
      gint64 started = g_get_monotonic_time ();

      self->pcm[self->tier] = decode (self->tier, &error);
      if (self->pcm[self->tier] != NULL)
        g_debug ("Gift sound %s: %" G_GSIZE_FORMAT " bytes of PCM, decoded in %.1f ms",
                 ld_gift_sound_tier_to_string (self->tier), g_bytes_get_size (self->pcm[self->tier]),
                 (g_get_monotonic_time () - started) / 1000.0);
    }
  if (self->pcm[self->tier] == NULL)
    {
      /* A missing plugin: no sound for this run. */
      g_debug ("Gift sounds off: %s", error->message);
      self->unavailable = TRUE;
      return;
    }

  description = g_strdup_printf ("giostreamsrc name=source ! " PCM_PARSE " ! audioconvert ! audioresample ! "
                                 "volume name=volume ! %s",
                                 sink != NULL && *sink != '\0' ? sink : "autoaudiosink");
  self->pipeline = gst_parse_launch (description, &error);
  if (self->pipeline != NULL)
    gst_object_ref_sink (self->pipeline);
  if (self->pipeline == NULL || error != NULL)
    {
      g_debug ("Gift sounds off: %s", error ? error->message : "no pipeline");
      self->unavailable = TRUE;
      g_clear_object (&self->pipeline);
      return;
    }

  stream = g_memory_input_stream_new_from_bytes (self->pcm[self->tier]);
  source = gst_bin_get_by_name (GST_BIN (self->pipeline), "source");
  g_object_set (source, "stream", stream, NULL);
  volume = gst_bin_get_by_name (GST_BIN (self->pipeline), "volume");
  g_object_set (volume, "volume", self->volume, NULL);

  bus = gst_element_get_bus (self->pipeline);
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message, self);

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_debug ("Gift sound could not start");
      ld_gift_sound_stop (self);
    }
}

double
ld_gift_sound_get_volume (LdGiftSound *self)
{
  g_return_val_if_fail (LD_IS_GIFT_SOUND (self), 0);

  return self->volume;
}

void
ld_gift_sound_set_volume (LdGiftSound *self,
                          double       volume)
{
  g_return_if_fail (LD_IS_GIFT_SOUND (self));

  volume = CLAMP (volume, 0, 1);
  if (self->volume == volume)
    return;

  self->volume = volume;
  if (self->pipeline != NULL)
    {
      g_autoptr(GstElement) element = gst_bin_get_by_name (GST_BIN (self->pipeline), "volume");

      if (element != NULL)
        g_object_set (element, "volume", volume, NULL);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VOLUME]);
}

gboolean
ld_gift_sound_get_muted (LdGiftSound *self)
{
  g_return_val_if_fail (LD_IS_GIFT_SOUND (self), FALSE);

  return self->muted;
}

void
ld_gift_sound_set_muted (LdGiftSound *self,
                         gboolean     muted)
{
  g_return_if_fail (LD_IS_GIFT_SOUND (self));

  muted = !!muted;
  if (self->muted == muted)
    return;

  self->muted = muted;
  if (muted)
    ld_gift_sound_stop (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MUTED]);
}

static void
ld_gift_sound_dispose (GObject *object)
{
  LdGiftSound *self = LD_GIFT_SOUND (object);

  ld_gift_sound_stop (self);
  for (guint i = 0; i < G_N_ELEMENTS (self->pcm); i++)
    g_clear_pointer (&self->pcm[i], g_bytes_unref);

  G_OBJECT_CLASS (ld_gift_sound_parent_class)->dispose (object);
}

static void
ld_gift_sound_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LdGiftSound *self = LD_GIFT_SOUND (object);

  switch (prop_id)
    {
    case PROP_VOLUME: g_value_set_double (value, self->volume); break;
    case PROP_MUTED: g_value_set_boolean (value, self->muted); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_gift_sound_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LdGiftSound *self = LD_GIFT_SOUND (object);

  switch (prop_id)
    {
    case PROP_VOLUME: ld_gift_sound_set_volume (self, g_value_get_double (value)); break;
    case PROP_MUTED: ld_gift_sound_set_muted (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_gift_sound_class_init (LdGiftSoundClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = ld_gift_sound_dispose;
  object_class->get_property = ld_gift_sound_get_property;
  object_class->set_property = ld_gift_sound_set_property;

  properties[PROP_VOLUME] = g_param_spec_double ("volume", NULL, NULL, 0, 1, 0.7, rw);
  properties[PROP_MUTED] = g_param_spec_boolean ("muted", NULL, NULL, FALSE, rw);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[STARTED] =
    g_signal_new ("started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
ld_gift_sound_init (LdGiftSound *self)
{
  self->volume = 0.7;
}

LdGiftSound *
ld_gift_sound_new (void)
{
  return g_object_new (LD_TYPE_GIFT_SOUND, NULL);
}
