/* ld-link.h: web links in chat text, and whether one may open without
 * asking: only https links to the hosts the contract allows for images
 * (PROTOCOL.md section 5: imgur.com, cloudinary.com and their subdomains);
 * anything else is opened only after the user confirmed its host.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The http(s) links in TEXT, in order, without trailing punctuation
 * (“see https://x.org/a.”); NULL-terminated, empty when none. At most 16. */
char     **ld_link_find_all   (const char *text);
/* The host of URI, lower-cased, or NULL when it does not parse. */
char      *ld_link_get_host   (const char *uri);
/* https, no user info, and a host on the image allow-list. */
gboolean   ld_link_is_trusted (const char *uri);

G_END_DECLS
