/* test-ld-envelope.c: answers in every shape a server sends them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-envelope.h"

static JsonNode *
parse (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
test_success (void)
{
  g_autoptr(JsonNode) ok = parse ("{\"success\":true,\"data\":{\"messageId\":\"m1\"}}");
  g_autoptr(JsonNode) bare = parse ("{\"messageId\":\"m1\"}");
  g_autoptr(JsonNode) list = parse ("[true]");
  g_autoptr(JsonObject) data = NULL;
  g_autoptr(JsonObject) none = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (ld_envelope_read (ok, "no", &data, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (data, "messageId"), ==, "m1");
  /* No success member, no envelope, nothing at all: accepted. */
  g_assert_true (ld_envelope_read (bare, "no", &none, NULL, NULL));
  g_assert_null (none);
  g_assert_true (ld_envelope_read (list, "no", NULL, NULL, NULL));
  g_assert_true (ld_envelope_read (NULL, "no", NULL, NULL, NULL));
}

static void
test_refusals (void)
{
  static const struct {
    const char *json;
    int         code;
    const char *message;
    gint64      retry_ms;
  } cases[] = {
    { "{\"success\":false,\"error\":{\"code\":\"RATE_LIMITED\",\"message\":\"Slow down\",\"retryAfterMs\":1200}}",
      LD_CONTRACT_ERROR_RATE_LIMITED, "Slow down", 1200 },
    { "{\"success\":false,\"error\":{\"code\":\"NEW_THING\",\"message\":\"Hm\"}}", LD_CONTRACT_ERROR_OTHER, "Hm", 0 },
    { "{\"success\":false,\"error\":\"Room not found\"}", LD_CONTRACT_ERROR_OTHER, "Room not found", 0 },
    { "{\"success\":false,\"message\":\"Nope\"}", LD_CONTRACT_ERROR_OTHER, "Nope", 0 },
    { "{\"success\":false}", LD_CONTRACT_ERROR_OTHER, "refused", 0 },
    /* A wait the server cannot mean. */
    { "{\"success\":false,\"error\":{\"code\":\"RATE_LIMITED\",\"retryAfterMs\":-5}}", LD_CONTRACT_ERROR_RATE_LIMITED,
      "refused", 0 },
    { "{\"success\":false,\"error\":{\"code\":\"RATE_LIMITED\",\"retryAfterMs\":1e300}}", LD_CONTRACT_ERROR_RATE_LIMITED,
      "refused", 3600000 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) answer = parse (cases[i].json);
      g_autoptr(JsonObject) data = NULL;
      g_autoptr(GError) error = NULL;
      gint64 retry_ms = -1;

      g_test_message ("case %u", i);
      g_assert_false (ld_envelope_read (answer, "refused", &data, &retry_ms, &error));
      g_assert_error (error, LD_CONTRACT_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
      g_assert_cmpint (retry_ms, ==, cases[i].retry_ms);
      g_assert_null (data);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/envelope/success", test_success);
  g_test_add_func ("/envelope/refusals", test_refusals);
  return g_test_run ();
}
