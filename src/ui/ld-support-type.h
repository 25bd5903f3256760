/* ld-support-type.h: the support types a user can pick for chatWithAdmin
 * ("general" is the protocol's default), with their translated names.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The ids, in the order a selector lists them; NULL-terminated. */
const char * const *ld_support_type_list (void);
/* The translated name of TYPE; a type this client does not know (another
 * client may send any string) is shown as it came. */
const char         *ld_support_type_name (const char *type);

G_END_DECLS
