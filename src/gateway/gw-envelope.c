/* gw-envelope.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-envelope.h"

JsonNode *
gw_envelope_new_success (const char *message,
                         JsonNode   *data)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_boolean_member (object, "success", TRUE);
  json_object_set_string_member (object, "message", message != NULL ? message : "");
  if (data != NULL)
    json_object_set_member (object, "data", data);
  json_node_take_object (node, object);

  return node;
}

JsonNode *
gw_envelope_new_failure (LdContractError  code,
                         const char      *message)
{
  const char *name = ld_contract_error_to_code (code);
  JsonObject *object = json_object_new ();
  JsonObject *error = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  g_return_val_if_fail (name != NULL, NULL);

  if (message == NULL)
    message = name;

  json_object_set_string_member (error, "code", name);
  json_object_set_string_member (error, "message", message);
  json_object_set_boolean_member (object, "success", FALSE);
  json_object_set_string_member (object, "message", message);
  json_object_set_object_member (object, "error", error);
  json_node_take_object (node, object);

  return node;
}

JsonNode *
gw_envelope_new_failure_from_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != LD_CONTRACT_ERROR || ld_contract_error_to_code (error->code) == NULL)
    return gw_envelope_new_failure (LD_CONTRACT_ERROR_INTERNAL, "The server could not do that; try again later");

  return gw_envelope_new_failure (error->code, error->message);
}

JsonObject *
gw_envelope_get_error (JsonNode *envelope)
{
  JsonObject *object;
  JsonNode *error;

  if (envelope == NULL || !JSON_NODE_HOLDS_OBJECT (envelope))
    return NULL;

  object = json_node_get_object (envelope);
  error = json_object_get_member (object, "error");
  if (error == NULL || !JSON_NODE_HOLDS_OBJECT (error))
    return NULL;

  return json_node_get_object (error);
}

/* Days since 1970-01-01 to a proleptic Gregorian date; exact over the whole
 * JavaScript range, where GDateTime stops at year 1 and 9999. */
static void
civil_from_days (gint64  days,
                 gint64 *out_year,
                 guint  *out_month,
                 guint  *out_day)
{
  gint64 z = days + 719468;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;
  guint day = (guint) (doy - (153 * mp + 2) / 5 + 1);
  guint month = (guint) (mp < 10 ? mp + 3 : mp - 9);

  *out_year = yoe + era * 400 + (month <= 2);
  *out_month = month;
  *out_day = day;
}

char *
gw_timestamp_format (gint64 unix_ms)
{
  gint64 days;
  gint64 ms_of_day;
  gint64 year;
  guint month;
  guint day;
  g_autofree char *year_text = NULL;

  if (unix_ms > GW_TIMESTAMP_MAX_MS || unix_ms < -GW_TIMESTAMP_MAX_MS)
    return NULL;

  /* Floor division: -1 ms is 23:59:59.999 of the day before. */
  days = unix_ms / 86400000;
  ms_of_day = unix_ms % 86400000;
  if (ms_of_day < 0)
    {
      ms_of_day += 86400000;
      days--;
    }

  civil_from_days (days, &year, &month, &day);

  if (year >= 0 && year <= 9999)
    year_text = g_strdup_printf ("%04" G_GINT64_FORMAT, year);
  else
    year_text = g_strdup_printf ("%c%06" G_GINT64_FORMAT, year < 0 ? '-' : '+', ABS (year));

  return g_strdup_printf ("%s-%02u-%02uT%02u:%02u:%02u.%03uZ",
                          year_text, month, day,
                          (guint) (ms_of_day / 3600000),
                          (guint) (ms_of_day / 60000 % 60),
                          (guint) (ms_of_day / 1000 % 60),
                          (guint) (ms_of_day % 1000));
}

char *
gw_timestamp_now (void)
{
  return gw_timestamp_format (g_get_real_time () / 1000);
}
