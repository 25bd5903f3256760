/* fuzz-sio-packet.c: a Socket.IO decoder fed the frames of one connection.
 *
 * The input is split at NUL bytes into frames. The first is a text frame;
 * after it, a frame goes in as binary while the decoder awaits attachments
 * and as text otherwise, unless it starts with 0x01, which forces binary
 * (the rest of the frame) so that unexpected binaries are reached too.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "fuzz-common.h"
#include "sio-codec.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static SioDecoder *decoder;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_make_warnings_fatal ();
  /* One decoder for the whole run, as on a long-lived connection: state left
   * over from one input must never make the next misbehave. */
  decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);
  return 0;
}

/* A complete packet re-encodes to a header (and attachments) that decode to
 * a packet encoding to the very same header. */
static void
check_round_trip (SioPacket *packet)
{
  g_autoptr(SioDecoder) fresh = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);
  g_autoptr(SioPacket) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *wire = sio_packet_encode (packet);
  g_autofree char *wire_again = NULL;

  g_assert_true (sio_decoder_add_text (fresh, wire, strlen (wire), &again, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < packet->attachments->len; i++)
    {
      g_assert_null (again);
      g_assert_true (sio_decoder_add_binary (fresh, g_ptr_array_index (packet->attachments, i),
                                             &again, &error));
      g_assert_no_error (error);
    }
  g_assert_nonnull (again);
  g_assert_cmpint (again->type, ==, packet->type);
  g_assert_cmpstr (again->nsp, ==, packet->nsp);
  g_assert_cmpint (again->id, ==, packet->id);
  g_assert_cmpuint (again->attachments->len, ==, packet->attachments->len);
  wire_again = sio_packet_encode (again);
  g_assert_cmpstr (wire_again, ==, wire);

  /* The accessors cope with whatever decoded. */
  if (packet->type == SIO_PACKET_EVENT || packet->type == SIO_PACKET_ACK)
    {
      g_autoptr(JsonArray) args = sio_packet_dup_args (packet);

      g_assert_nonnull (args);
      sio_packet_get_event (packet);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const char *p = (const char *) data;
  const char *end = p + size;
  gboolean first = TRUE;

  sio_decoder_reset (decoder);

  while (first || p < end)
    {
      const char *nul = memchr (p, '\0', end - p);
      const char *stop = nul != NULL ? nul : end;
      g_autoptr(GError) error = NULL;
      g_autoptr(SioPacket) packet = NULL;
      gboolean ok;

      if (!first && stop > p && *p == '\x01')
        {
          g_autoptr(GBytes) bytes = g_bytes_new (p + 1, stop - p - 1);
          ok = sio_decoder_add_binary (decoder, bytes, &packet, &error);
        }
      else if (!first && sio_decoder_is_reconstructing (decoder))
        {
          g_autoptr(GBytes) bytes = g_bytes_new (p, stop - p);
          ok = sio_decoder_add_binary (decoder, bytes, &packet, &error);
        }
      else
        ok = sio_decoder_add_text (decoder, p, stop - p, &packet, &error);

      if (ok)
        {
          g_assert_no_error (error);
          if (packet != NULL)
            {
              g_assert_false (sio_decoder_is_reconstructing (decoder));
              check_round_trip (packet);
            }
        }
      else
        {
          g_assert_true (error != NULL && error->domain == SIO_CODEC_ERROR);
          g_assert_null (packet);
          g_assert_false (sio_decoder_is_reconstructing (decoder));
        }

      first = FALSE;
      p = nul != NULL ? nul + 1 : end;
    }
  return 0;
}
