/* ld-envelope.h: the answer envelope of PROTOCOL.md section 2, read the
 * way a client must: {success: true, data} or {success: false, error:
 * {code, message, retryAfterMs}}, with the shapes the guide's server also
 * sends (error as a bare string, the message beside it, no envelope at all).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ld-wire-error.h"

G_BEGIN_DECLS

/* TRUE for a success (ANSWER NULL or not an object counts as one: a server
 * that acks with nothing accepted), with its data object in OUT_DATA (a new
 * reference, or NULL). FALSE for a refusal: an LD_CONTRACT_ERROR with the
 * code (OTHER when unknown) and the server's message, or FALLBACK when it
 * gave none; OUT_RETRY_MS the wait it asked for (0 if none). */
gboolean ld_envelope_read (JsonNode    *answer,
                           const char  *fallback,
                           JsonObject **out_data,
                           gint64      *out_retry_ms,
                           GError     **error);

G_END_DECLS
