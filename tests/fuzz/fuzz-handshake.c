/* fuzz-handshake.c: the JSON of an Engine.IO OPEN packet.
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
  g_autoptr(SioEioHandshake) handshake = NULL;
  g_autoptr(SioEioHandshake) again = NULL;
  g_autofree char *json = NULL;

  handshake = sio_eio_handshake_parse ((const char *) data, size, &error);
  if (handshake == NULL)
    {
      g_assert_true (error != NULL && error->domain == SIO_CODEC_ERROR);
      g_assert_cmpint (error->code, ==, SIO_CODEC_ERROR_INVALID_HANDSHAKE);
      return 0;
    }
  g_assert_no_error (error);

  json = sio_eio_handshake_to_json (handshake);
  again = sio_eio_handshake_parse (json, strlen (json), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->sid, ==, handshake->sid);
  g_assert_cmpuint (g_strv_length (again->upgrades), ==, g_strv_length (handshake->upgrades));
  for (guint i = 0; handshake->upgrades[i] != NULL; i++)
    g_assert_cmpstr (again->upgrades[i], ==, handshake->upgrades[i]);
  g_assert_cmpuint (again->ping_interval, ==, handshake->ping_interval);
  g_assert_cmpuint (again->ping_timeout, ==, handshake->ping_timeout);
  g_assert_cmpuint (again->max_payload, ==, handshake->max_payload);
  return 0;
}
