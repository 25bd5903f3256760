/* ld-renderer.c
 *
 * GTK 4.8 draws with OpenGL wherever it gets a context, and with no GPU Mesa
 * gives it llvmpipe, GL drawn by the CPU. On such a machine (a VM, a remote
 * desktop, CI), the chat at 2,000 messages a second drew 35 frames a second
 * at 150 % of a core and peaked at 200 MiB; with cairo and GL never loaded,
 * 60 frames a second at 41 % and 58 MiB (bench-ui-chat, bench/README.md).
 * GDK 4.8 loads Mesa when it opens an X display even for the cairo renderer,
 * hence GDK_DEBUG=gl-disable as well: that is the one switch it has.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-renderer.h"

/* Whether DEV_DIR shows a device a hardware GL driver would use. */
static gboolean
has_gpu (const char *dev_dir)
{
  g_autofree char *dri = g_build_filename (dev_dir, "dri", NULL);
  g_autofree char *nvidia = g_build_filename (dev_dir, "nvidiactl", NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_file_test (nvidia, G_FILE_TEST_EXISTS))
    return TRUE;
  dir = g_dir_open (dri, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "renderD") || g_str_has_prefix (name, "card"))
      return TRUE;
  return FALSE;
}

gboolean
ld_renderer_choose (const char *dev_dir)
{
  const char *software = g_getenv ("LIBGL_ALWAYS_SOFTWARE");

  g_return_val_if_fail (dev_dir != NULL, FALSE);

  if (g_getenv ("GSK_RENDERER") != NULL || g_getenv ("GDK_DEBUG") != NULL)
    return FALSE;
  if (has_gpu (dev_dir) && (software == NULL || *software == '\0' || g_str_equal (software, "0")))
    return FALSE;

  /* main() calls this before anything else: setenv is not thread-safe. */
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
  g_setenv ("GDK_DEBUG", "gl-disable", TRUE);
  return TRUE;
}
