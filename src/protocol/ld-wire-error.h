/* ld-wire-error.h: the one error domain of the wire (PROTOCOL.md section 2).
 *
 * Both ends use it: the gateway answers with these codes, the client core
 * refuses with them before sending (ld-validate, ld-rate-limit) and maps the
 * server's refusals onto them, so a caller tests one domain whichever end
 * said no. The message of such an error is a sentence for the user.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LD_CONTRACT_ERROR (ld_contract_error_quark ())

typedef enum
{
  LD_CONTRACT_ERROR_UNAUTHENTICATED,
  LD_CONTRACT_ERROR_FORBIDDEN,
  LD_CONTRACT_ERROR_INVALID_PAYLOAD,
  LD_CONTRACT_ERROR_NOT_IN_ROOM,
  LD_CONTRACT_ERROR_ROOM_NOT_FOUND,
  LD_CONTRACT_ERROR_EMPTY_MESSAGE,
  LD_CONTRACT_ERROR_MESSAGE_TOO_LONG,
  LD_CONTRACT_ERROR_FORBIDDEN_CONTENT,
  LD_CONTRACT_ERROR_INVALID_IMAGE_URL,
  LD_CONTRACT_ERROR_INVALID_GIFT,
  LD_CONTRACT_ERROR_RATE_LIMITED,
  LD_CONTRACT_ERROR_TOKEN_EXPIRED,
  LD_CONTRACT_ERROR_INTERNAL,
  /* A refusal whose code this end does not know (a newer server): never
   * sent, so it has no wire code. */
  LD_CONTRACT_ERROR_OTHER = 100,
} LdContractError;

GQuark          ld_contract_error_quark      (void);
/* "RATE_LIMITED" and so on; NULL for a code outside the table (OTHER). */
const char     *ld_contract_error_to_code    (LdContractError   code);
gboolean        ld_contract_error_from_code  (const char       *name,
                                              LdContractError  *out_code);
/* What a client makes of the code in a refusal: OTHER when unknown or NULL. */
LdContractError ld_contract_error_from_wire  (const char       *name);

G_END_DECLS
