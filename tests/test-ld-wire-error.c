/* test-ld-wire-error.c: the one wire error domain, both directions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-wire-error.h"

static void
test_round_trip (void)
{
  /* The 13 codes of PROTOCOL.md section 2, each once. */
  static const char * const wire[] = {
    "UNAUTHENTICATED", "FORBIDDEN", "INVALID_PAYLOAD", "NOT_IN_ROOM", "ROOM_NOT_FOUND",
    "EMPTY_MESSAGE", "MESSAGE_TOO_LONG", "FORBIDDEN_CONTENT", "INVALID_IMAGE_URL",
    "INVALID_GIFT", "RATE_LIMITED", "TOKEN_EXPIRED", "INTERNAL",
  };

  for (guint i = 0; i < G_N_ELEMENTS (wire); i++)
    {
      LdContractError code;

      g_assert_true (ld_contract_error_from_code (wire[i], &code));
      g_assert_cmpstr (ld_contract_error_to_code (code), ==, wire[i]);
      g_assert_cmpint (ld_contract_error_from_wire (wire[i]), ==, code);
    }
  g_assert_cmpint (G_N_ELEMENTS (wire), ==, LD_CONTRACT_ERROR_INTERNAL + 1);
}

static void
test_unknown (void)
{
  /* A newer server's code, a wrong case, none: OTHER, which is never sent. */
  g_assert_cmpint (ld_contract_error_from_wire ("SLOW_DOWN"), ==, LD_CONTRACT_ERROR_OTHER);
  g_assert_cmpint (ld_contract_error_from_wire ("rate_limited"), ==, LD_CONTRACT_ERROR_OTHER);
  g_assert_cmpint (ld_contract_error_from_wire (NULL), ==, LD_CONTRACT_ERROR_OTHER);
  g_assert_null (ld_contract_error_to_code (LD_CONTRACT_ERROR_OTHER));
  g_assert_false (ld_contract_error_from_code ("ERROR", NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wire-error/round-trip", test_round_trip);
  g_test_add_func ("/wire-error/unknown", test_unknown);
  return g_test_run ();
}
