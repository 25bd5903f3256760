/* ld-gift-sound.h: the sound that goes with a gift alert, one per value tier
 * (the alert's total value: value × quantity):
 *
 *   small   below 100        one chime
 *   medium  100 to 999       two rising notes
 *   large   1000 to 9999     an arpeggio
 *   huge    10000 and more   a fanfare
 *
 * The sounds are ours (build-aux/make-gift-sounds), Ogg Vorbis in the
 * GResource, decoded once per tier on its first alert and played with
 * GStreamer. With no sound device the alert stays silent: the failure is
 * logged at debug level, never shown.
 *
 * The sink is autoaudiosink unless LIVEDESK_AUDIO_SINK holds a GStreamer
 * description (the tests use "fakesink sync=false").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  LD_GIFT_SOUND_TIER_SMALL,
  LD_GIFT_SOUND_TIER_MEDIUM,
  LD_GIFT_SOUND_TIER_LARGE,
  LD_GIFT_SOUND_TIER_HUGE,
} LdGiftSoundTier;

#define LD_TYPE_GIFT_SOUND (ld_gift_sound_get_type ())

G_DECLARE_FINAL_TYPE (LdGiftSound, ld_gift_sound, LD, GIFT_SOUND, GObject)

LdGiftSoundTier  ld_gift_sound_tier_for_value   (double           total_value);
/* "small", "medium", "large" or "huge". */
const char      *ld_gift_sound_tier_to_string   (LdGiftSoundTier  tier);

/* Properties: volume (0–1), muted. Signal: started (LdGiftSoundTier) once
 * the sound is actually playing. */
LdGiftSound     *ld_gift_sound_new              (void);
double           ld_gift_sound_get_volume       (LdGiftSound     *self);
void             ld_gift_sound_set_volume       (LdGiftSound     *self,
                                                 double           volume);
gboolean         ld_gift_sound_get_muted        (LdGiftSound     *self);
void             ld_gift_sound_set_muted        (LdGiftSound     *self,
                                                 gboolean         muted);
/* Stops the sound playing, if any, and plays TOTAL_VALUE's tier, unless
 * muted. */
void             ld_gift_sound_play             (LdGiftSound     *self,
                                                 double           total_value);
void             ld_gift_sound_stop             (LdGiftSound     *self);

G_END_DECLS
