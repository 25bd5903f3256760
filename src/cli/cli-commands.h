/* cli-commands.h: livedesk-cli's subcommands on LdSession.
 *
 * Exit status: CLI_EXIT_OK when done, CLI_EXIT_REFUSED when the server (or
 * the contract's checks) refused, CLI_EXIT_USAGE for a bad command line,
 * CLI_EXIT_FAILURE when the network or the sign-in failed. Data goes to
 * stdout (JSON), progress and errors to stderr.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  CLI_EXIT_OK = 0,
  CLI_EXIT_REFUSED = 1,
  CLI_EXIT_USAGE = 2,
  CLI_EXIT_FAILURE = 3,
} CliExit;

/* ARGV[0] is the program, ARGV[1] the subcommand. */
int cli_run (int    argc,
             char **argv);

G_END_DECLS
