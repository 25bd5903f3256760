/* ld-wire-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ld-wire-error.h"

G_DEFINE_QUARK (ld-contract-error-quark, ld_contract_error)

static const char * const codes[] = {
  [LD_CONTRACT_ERROR_UNAUTHENTICATED] = "UNAUTHENTICATED",
  [LD_CONTRACT_ERROR_FORBIDDEN] = "FORBIDDEN",
  [LD_CONTRACT_ERROR_INVALID_PAYLOAD] = "INVALID_PAYLOAD",
  [LD_CONTRACT_ERROR_NOT_IN_ROOM] = "NOT_IN_ROOM",
  [LD_CONTRACT_ERROR_ROOM_NOT_FOUND] = "ROOM_NOT_FOUND",
  [LD_CONTRACT_ERROR_EMPTY_MESSAGE] = "EMPTY_MESSAGE",
  [LD_CONTRACT_ERROR_MESSAGE_TOO_LONG] = "MESSAGE_TOO_LONG",
  [LD_CONTRACT_ERROR_FORBIDDEN_CONTENT] = "FORBIDDEN_CONTENT",
  [LD_CONTRACT_ERROR_INVALID_IMAGE_URL] = "INVALID_IMAGE_URL",
  [LD_CONTRACT_ERROR_INVALID_GIFT] = "INVALID_GIFT",
  [LD_CONTRACT_ERROR_RATE_LIMITED] = "RATE_LIMITED",
  [LD_CONTRACT_ERROR_TOKEN_EXPIRED] = "TOKEN_EXPIRED",
  [LD_CONTRACT_ERROR_INTERNAL] = "INTERNAL",
};

const char *
ld_contract_error_to_code (LdContractError code)
{
  if ((guint) code >= G_N_ELEMENTS (codes))
    return NULL;

  return codes[code];
}

gboolean
ld_contract_error_from_code (const char      *name,
                             LdContractError *out_code)
{
  if (name == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      if (strcmp (name, codes[i]) == 0)
        {
          if (out_code != NULL)
            *out_code = (LdContractError) i;
          return TRUE;
        }
    }

  return FALSE;
}

LdContractError
ld_contract_error_from_wire (const char *name)
{
  LdContractError code;

  return ld_contract_error_from_code (name, &code) ? code : LD_CONTRACT_ERROR_OTHER;
}
