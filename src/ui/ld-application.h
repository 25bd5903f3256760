/* ld-application.h: the single-instance app: settings, the keyring, demo
 * mode and the app-wide actions (exported, so `gapplication action` works).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ld-overlay-host.h"
#include "ld-settings.h"
#include "ld-window.h"

G_BEGIN_DECLS

#define LD_TYPE_APPLICATION (ld_application_get_type ())

G_DECLARE_FINAL_TYPE (LdApplication, ld_application, LD, APPLICATION, AdwApplication)

/* Actions (prefix "app."): quit, about, preferences, sign-in, sign-out,
 * join-room (s), streamer-mode (stateful b, the setting),
 * copy-overlay-url (s: "chat" or "gifts"; enabled while the overlay runs). */
LdApplication *ld_application_new           (void);
LdSettings    *ld_application_get_settings  (LdApplication *self);
/* The main window, made on first use. */
LdWindow      *ld_application_get_window    (LdApplication *self);
gboolean       ld_application_get_demo      (LdApplication *self);
/* Runs the OBS overlay while the overlay-enabled setting is on; NULL
 * before startup. */
LdOverlayHost *ld_application_get_overlay_host (LdApplication *self);
/* Demo mode: a private gateway and audience instead of the keyring. Call
 * before the application runs. */
void           ld_application_set_demo      (LdApplication *self,
                                             gboolean       demo);

G_END_DECLS
