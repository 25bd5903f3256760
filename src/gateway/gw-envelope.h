/* gw-envelope.h: reply envelopes and timestamps (PROTOCOL.md section 2).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ld-validate.h"

G_BEGIN_DECLS

/* The range of a JavaScript Date: ±100,000,000 days around the epoch. */
#define GW_TIMESTAMP_MAX_MS G_GINT64_CONSTANT (8640000000000000)

/* { "success": true, "message": MESSAGE, "data": DATA }; DATA (taken) may be
 * NULL, and then there is no "data" member. */
JsonNode *gw_envelope_new_success            (const char      *message,
                                              JsonNode        *data);
/* { "success": false, "message": MESSAGE, "error": { "code": …, "message": MESSAGE } } */
JsonNode *gw_envelope_new_failure            (LdContractError  code,
                                              const char      *message);
/* An error outside LD_CONTRACT_ERROR is a fault of ours: it becomes INTERNAL
 * with a generic sentence, so that no internal detail reaches a client. */
JsonNode *gw_envelope_new_failure_from_error (const GError    *error);
/* The "error" object of a failure envelope, for extra members such as
 * retryAfterMs; NULL if ENVELOPE is not a failure. */
JsonObject *gw_envelope_get_error            (JsonNode        *envelope);

/* Exactly what `new Date(UNIX_MS).toISOString()` gives:
 * "2026-11-26T12:00:00.000Z", and "+033658-…"/"-000001-…" outside years
 * 0–9999. NULL beyond GW_TIMESTAMP_MAX_MS, where JavaScript throws. */
char     *gw_timestamp_format                (gint64           unix_ms);
char     *gw_timestamp_now                   (void);

G_END_DECLS
