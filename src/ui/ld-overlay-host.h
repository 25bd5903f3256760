/* ld-overlay-host.h: runs the OBS overlay (LdOverlay) while the
 * overlay-enabled setting is on, on 127.0.0.1 at overlay-port, and feeds it
 * from the current session.
 *
 * A change of either setting is applied from an idle callback, so several
 * changes at once restart the server once, and so that turning the setting
 * back off when the port is busy reaches widgets bound to it (a binding
 * ignores changes made while it is still propagating). On failure the
 * setting goes back off and the error property says why, in words for the
 * user; the next successful start clears it.
 *
 * The overlay's secret address is kept in the keyring, so the URLs pasted
 * into OBS work again after a restart; the server starts once the keyring
 * has answered ("ready"). A new secret is stored when the overlay first
 * starts, not before: an app that never uses the overlay writes nothing to
 * the keyring. Without a keyring the address is new with each run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ld-overlay.h"
#include "ld-session.h"
#include "ld-settings.h"

G_BEGIN_DECLS

#define LD_TYPE_OVERLAY_HOST (ld_overlay_host_get_type ())

G_DECLARE_FINAL_TYPE (LdOverlayHost, ld_overlay_host, LD, OVERLAY_HOST, GObject)

/* Properties: overlay (LdOverlay, read-only; its running, chat-url and
 * gifts-url notify), error (string or NULL), ready (the keyring has
 * answered; read-only). */
LdOverlayHost *ld_overlay_host_new         (LdSettings    *settings);
LdOverlay     *ld_overlay_host_get_overlay (LdOverlayHost *self);
gboolean       ld_overlay_host_get_ready   (LdOverlayHost *self);
/* Why the last start failed, or NULL. */
const char    *ld_overlay_host_get_error   (LdOverlayHost *self);
/* A new secret address, kept for the next runs: the old URLs stop working. */
void           ld_overlay_host_regenerate_secret (LdOverlayHost *self);
/* PAGE's address ("chat", "gifts" or "stats") with the style settings
 * that differ from their defaults as query parameters, or NULL while the
 * overlay is stopped. Changes with the overlay's URLs and the settings. */
char          *ld_overlay_host_dup_url     (LdOverlayHost *self,
                                            const char    *page);
/* The session whose chat and gifts the pages show, or NULL. */
void           ld_overlay_host_set_session (LdOverlayHost *self,
                                            LdSession     *session);

G_END_DECLS
