/* main.c: livedesk, the moderator's desktop app.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <locale.h>

#include "ld-application.h"
#include "ld-config.h"
#include "ld-renderer.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(LdApplication) app = NULL;

  /* First: before any thread, and before GTK opens the display. */
  ld_renderer_choose ("/dev");
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = ld_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
