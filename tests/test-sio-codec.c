#include "sio-codec.h"

static void
test_smoke (void)
{
  g_autoptr(SioDecoder) decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);
  g_autoptr(SioPacket) packet = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (sio_decoder_add_text (decoder, "2[\"a\"]", 6, &packet, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sio_packet_get_event (packet), ==, "a");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sio-codec/smoke", test_smoke);
  return g_test_run ();
}
