/* main.c: livedesk-cli, the headless livestream client.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n-lib.h>
#include <locale.h>

#include "cli-commands.h"

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("livedesk-cli");

  return cli_run (argc, argv);
}
