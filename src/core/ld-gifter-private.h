/* ld-gifter-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ld-gifter.h"
#include "ld-gift.h"

G_BEGIN_DECLS

LdGifter *_ld_gifter_new (const char *sender_id);
void      _ld_gifter_add (LdGifter   *self,
                          LdGift     *gift);

G_END_DECLS
