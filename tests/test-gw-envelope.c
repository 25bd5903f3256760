/* test-gw-envelope.c: reply envelopes and JavaScript-identical timestamps.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "gw-envelope.h"

static char *
to_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

static void
test_success (void)
{
  g_autoptr(JsonNode) data = json_from_string ("{\"roomId\":\"room_1\",\"viewerCount\":2}", NULL);
  g_autoptr(JsonNode) envelope = gw_envelope_new_success ("Joined room", g_steal_pointer (&data));
  g_autoptr(JsonNode) bare = gw_envelope_new_success (NULL, NULL);
  g_autofree char *json = to_json (envelope);
  g_autofree char *bare_json = to_json (bare);

  /* The guide reads response.data.roomId. */
  g_assert_cmpstr (json, ==, "{\"success\":true,\"message\":\"Joined room\",\"data\":{\"roomId\":\"room_1\",\"viewerCount\":2}}");
  g_assert_cmpstr (bare_json, ==, "{\"success\":true,\"message\":\"\"}");
  g_assert_null (gw_envelope_get_error (envelope));
}

static void
test_failure (void)
{
  g_autoptr(JsonNode) envelope = gw_envelope_new_failure (LD_CONTRACT_ERROR_RATE_LIMITED, "Slow down");
  g_autofree char *json = NULL;
  JsonObject *error = gw_envelope_get_error (envelope);

  g_assert_nonnull (error);
  json_object_set_int_member (error, "retryAfterMs", 400);
  json = to_json (envelope);
  g_assert_cmpstr (json, ==, "{\"success\":false,\"message\":\"Slow down\","
                             "\"error\":{\"code\":\"RATE_LIMITED\",\"message\":\"Slow down\",\"retryAfterMs\":400}}");
}

static void
test_failure_from_error (void)
{
  g_autoptr(GError) contract = g_error_new_literal (LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_EMPTY_MESSAGE, "Empty");
  g_autoptr(GError) internal = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "/etc/secret: permission denied");
  g_autoptr(JsonNode) a = gw_envelope_new_failure_from_error (contract);
  g_autoptr(JsonNode) b = gw_envelope_new_failure_from_error (internal);
  g_autofree char *a_json = to_json (a);
  g_autofree char *b_json = NULL;

  g_assert_cmpstr (a_json, ==, "{\"success\":false,\"message\":\"Empty\",\"error\":{\"code\":\"EMPTY_MESSAGE\",\"message\":\"Empty\"}}");

  /* An internal failure says INTERNAL and nothing about the server's insides. */
  g_assert_cmpstr (json_object_get_string_member (gw_envelope_get_error (b), "code"), ==, "INTERNAL");
  b_json = to_json (b);
  g_assert_null (g_strstr_len (b_json, -1, "/etc/secret"));
}

static void
test_timestamp_vectors (void)
{
  /* Each printed by node 20: new Date(ms).toISOString(). */
  struct { gint64 ms; const char *iso; } vectors[] = {
    { 0, "1970-01-01T00:00:00.000Z" },
    { G_GINT64_CONSTANT (1795694400000), "2026-11-26T12:00:00.000Z" },
    { G_GINT64_CONSTANT (1795694400123), "2026-11-26T12:00:00.123Z" },
    { -1, "1969-12-31T23:59:59.999Z" },
    { -1000, "1969-12-31T23:59:59.000Z" },
    { G_GINT64_CONSTANT (253402300799999), "9999-12-31T23:59:59.999Z" },
    { G_GINT64_CONSTANT (1000000000000000), "+033658-09-27T01:46:40.000Z" },
    { G_GINT64_CONSTANT (-62198755200000), "-000001-01-01T00:00:00.000Z" },
    { G_GINT64_CONSTANT (951782400000), "2000-02-29T00:00:00.000Z" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      g_autofree char *iso = gw_timestamp_format (vectors[i].ms);
      g_assert_cmpstr (iso, ==, vectors[i].iso);
    }

  g_assert_null (gw_timestamp_format (GW_TIMESTAMP_MAX_MS + 1));
  g_assert_null (gw_timestamp_format (-GW_TIMESTAMP_MAX_MS - 1));
  {
    g_autofree char *latest = gw_timestamp_format (GW_TIMESTAMP_MAX_MS);
    g_autofree char *earliest = gw_timestamp_format (-GW_TIMESTAMP_MAX_MS);

    g_assert_cmpstr (latest, ==, "+275760-09-13T00:00:00.000Z");
    g_assert_cmpstr (earliest, ==, "-271821-04-20T00:00:00.000Z");
  }
}

/* Over years 1–9999 GDateTime agrees (up to its form of the fraction). */
static void
test_timestamp_against_gdatetime (void)
{
  for (guint i = 0; i < 20000; i++)
    {
      gint64 ms = g_test_rand_int_range (0, G_MAXINT32) * (gint64) 117000 + g_test_rand_int_range (0, 1000);
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (ms / 1000);
      g_autofree char *expected_seconds = g_date_time_format (when, "%Y-%m-%dT%H:%M:%S");
      g_autofree char *expected = g_strdup_printf ("%s.%03dZ", expected_seconds, (int) (ms % 1000));
      g_autofree char *iso = gw_timestamp_format (ms);

      g_assert_cmpstr (iso, ==, expected);
    }
}

static void
test_timestamp_now (void)
{
  g_autofree char *now = gw_timestamp_now ();
  g_autoptr(GDateTime) parsed = g_date_time_new_from_iso8601 (now, NULL);
  gint64 diff;

  g_assert_nonnull (parsed);
  g_assert_cmpuint (strlen (now), ==, 24);
  diff = g_date_time_to_unix (parsed) - g_get_real_time () / G_USEC_PER_SEC;
  g_assert_cmpint (ABS (diff), <=, 60);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gw/envelope/success", test_success);
  g_test_add_func ("/gw/envelope/failure", test_failure);
  g_test_add_func ("/gw/envelope/failure-from-error", test_failure_from_error);
  g_test_add_func ("/gw/envelope/timestamp/vectors", test_timestamp_vectors);
  g_test_add_func ("/gw/envelope/timestamp/gdatetime", test_timestamp_against_gdatetime);
  g_test_add_func ("/gw/envelope/timestamp/now", test_timestamp_now);

  return g_test_run ();
}
