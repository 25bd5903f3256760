/* ld-payload.h: reading fields of untrusted JSON payloads with errors that
 * name the event and the field, instead of json-glib's silent defaults.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ld-types.h"

G_BEGIN_DECLS

/* Each getter: a missing or null member gives *out = NULL (or the default)
 * and TRUE when !required, a MISSING_FIELD error when required; a member of
 * another type gives a WRONG_TYPE error. WHAT names the event in messages. */
gboolean ld_payload_get_string   (JsonObject  *object,
                                  const char  *what,
                                  const char  *member,
                                  gboolean     required,
                                  const char **out,
                                  GError     **error);
/* Like ld_payload_get_string, but also accepts an integer (ids some servers send as numbers). */
gboolean ld_payload_get_id       (JsonObject  *object,
                                  const char  *what,
                                  const char  *member,
                                  gboolean     required,
                                  char       **out,
                                  GError     **error);
gboolean ld_payload_get_double   (JsonObject  *object,
                                  const char  *what,
                                  const char  *member,
                                  gboolean     required,
                                  double       default_value,
                                  double      *out,
                                  GError     **error);
gboolean ld_payload_get_int      (JsonObject  *object,
                                  const char  *what,
                                  const char  *member,
                                  gboolean     required,
                                  gint64       default_value,
                                  gint64      *out,
                                  GError     **error);
gboolean ld_payload_get_boolean  (JsonObject  *object,
                                  const char  *what,
                                  const char  *member,
                                  gboolean     required,
                                  gboolean     default_value,
                                  gboolean    *out,
                                  GError     **error);
gboolean ld_payload_get_object   (JsonObject  *object,
                                  const char  *what,
                                  const char  *member,
                                  gboolean     required,
                                  JsonObject **out,
                                  GError     **error);
gboolean ld_payload_get_array    (JsonObject  *object,
                                  const char  *what,
                                  const char  *member,
                                  gboolean     required,
                                  JsonArray  **out,
                                  GError     **error);
/* An ISO 8601 timestamp; one without a zone is read as UTC. Missing and not
 * required gives the current time. */
gboolean ld_payload_get_datetime (JsonObject  *object,
                                  const char  *what,
                                  const char  *member,
                                  gboolean     required,
                                  GDateTime  **out,
                                  GError     **error);

/* A JSON node that must be an object, e.g. an event's first argument. */
JsonObject *ld_payload_expect_object (JsonNode   *node,
                                      const char *what,
                                      GError    **error);

G_END_DECLS
