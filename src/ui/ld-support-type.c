/* ld-support-type.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "ld-support-type.h"

static const char * const types[] = {
  "general",
  "payment",
  "account",
  "technical",
  "report",
  NULL
};

const char * const *
ld_support_type_list (void)
{
  return types;
}

const char *
ld_support_type_name (const char *type)
{
  if (type == NULL || g_str_equal (type, "general"))
    /* Translators: a support request's type. */
    return _("General");
  if (g_str_equal (type, "payment"))
    return _("Payments and coins");
  if (g_str_equal (type, "account"))
    return _("Account");
  if (g_str_equal (type, "technical"))
    return _("Technical problem");
  if (g_str_equal (type, "report"))
    return _("Report a user");
  return type;
}
