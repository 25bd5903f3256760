/* test-gw-gifts.c: the gateway's gift catalogue: the shipped one loads, and
 * a catalogue that could let a gift through with a made-up value does not.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-gifts.h"

static void
test_shipped (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GwGifts) gifts = gw_gifts_new_from_file (gw_gifts_default_path (), &error);
  const GwGift *castle;

  g_assert_no_error (error);
  g_assert_cmpuint (gw_gifts_get_n_gifts (gifts), ==, 8);
  castle = gw_gifts_lookup (gifts, "castle");
  g_assert_nonnull (castle);
  g_assert_cmpstr (castle->name, ==, "Castle");
  g_assert_cmpfloat (castle->value, ==, 10000);
  g_assert_null (gw_gifts_lookup (gifts, "Castle"));
  g_assert_null (gw_gifts_lookup (gifts, ""));
}

static void
test_refused (void)
{
  static const char * const bad[] = {
    "",
    "[]",
    "{\"gifts\": {}}",
    "{\"gifts\": [1]}",
    "{\"gifts\": [{\"name\": \"Rose\", \"value\": 1}]}",
    "{\"gifts\": [{\"id\": \"\", \"name\": \"Rose\", \"value\": 1}]}",
    "{\"gifts\": [{\"id\": \"rose\", \"value\": 1}]}",
    "{\"gifts\": [{\"id\": \"rose\", \"name\": \"Rose\"}]}",
    "{\"gifts\": [{\"id\": \"rose\", \"name\": \"Rose\", \"value\": \"1\"}]}",
    "{\"gifts\": [{\"id\": \"rose\", \"name\": \"Rose\", \"value\": -1}]}",
    "{\"gifts\": [{\"id\": \"rose\", \"name\": \"Rose\", \"value\": 1},"
    " {\"id\": \"rose\", \"name\": \"Cheap rose\", \"value\": 0}]}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GwGifts) gifts = gw_gifts_new_from_data (bad[i], -1, &error);

      g_test_message ("catalogue %s", bad[i]);
      g_assert_null (gifts);
      g_assert_nonnull (error);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gw/gifts/shipped", test_shipped);
  g_test_add_func ("/gw/gifts/refused", test_refused);

  return g_test_run ();
}
