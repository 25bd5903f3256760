/* fuzz-eio-frame.c: one Engine.IO WebSocket text frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "fuzz-common.h"
#include "sio-codec.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_make_warnings_fatal ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SioEioPacket) packet = NULL;
  g_autoptr(GBytes) frame = NULL;
  gboolean binary = FALSE;

  packet = sio_eio_decode_text_frame ((const char *) data, size, &error);
  if (packet == NULL)
    {
      g_assert_true (error != NULL && error->domain == SIO_CODEC_ERROR);
      return 0;
    }
  g_assert_no_error (error);

  /* A text packet encodes back to exactly the frame it came from. */
  frame = sio_eio_encode_frame (packet, &binary);
  g_assert_true (binary == packet->binary);
  if (!packet->binary)
    {
      gsize len = 0;
      const char *text = sio_eio_packet_get_text (packet, &len);

      g_assert_cmpuint (len, ==, size - 1);
      g_assert_true (text[len] == '\0');
      g_assert_cmpmem (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), data, size);
    }
  return 0;
}
