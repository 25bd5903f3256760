/* ld-renderer.h: how the app draws on a machine with no GPU.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Before GTK opens its display: where DEV_DIR ("/dev") shows no GPU (no DRM
 * device, no NVIDIA control device) or LIBGL_ALWAYS_SOFTWARE asks for
 * software GL, draws with cairo and leaves GL unloaded (GSK_RENDERER=cairo,
 * GDK_DEBUG=gl-disable). A renderer or GDK_DEBUG the user set stays as it
 * is. TRUE if it chose cairo. */
gboolean ld_renderer_choose (const char *dev_dir);

G_END_DECLS
