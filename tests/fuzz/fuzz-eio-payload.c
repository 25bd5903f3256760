/* fuzz-eio-payload.c: one HTTP long-polling payload.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
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
  g_autoptr(GPtrArray) packets = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GBytes) encoded = NULL;

  packets = sio_eio_decode_payload ((const char *) data, size, &error);
  if (packets == NULL)
    {
      g_assert_true (error != NULL && error->domain == SIO_CODEC_ERROR);
      return 0;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (packets->len, >, 0);

  /* Whatever we accept we can send back, and it reads as the same packets. */
  encoded = sio_eio_encode_payload (packets);
  again = sio_eio_decode_payload (g_bytes_get_data (encoded, NULL), g_bytes_get_size (encoded), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, packets->len);
  for (guint i = 0; i < packets->len; i++)
    {
      SioEioPacket *a = g_ptr_array_index (packets, i);
      SioEioPacket *b = g_ptr_array_index (again, i);

      g_assert_cmpint (a->type, ==, b->type);
      g_assert_cmpint (a->binary, ==, b->binary);
      g_assert_true (g_bytes_equal (a->data, b->data));
    }
  return 0;
}
