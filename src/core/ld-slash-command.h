/* ld-slash-command.h: the moderator's slash commands typed in the composer.
 *
 *   /timeout NAME [SECONDS] [REASON]   /ban NAME [REASON]
 *   /unban NAME                        /delete   (the selected message)
 *
 * NAME may be quoted ("Nguyễn Văn A") when it holds spaces. Parsing and
 * completion live here, GTK-free and unit-tested; the composer only shows
 * them and the window resolves NAME against the room's viewers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  LD_SLASH_TIMEOUT,
  LD_SLASH_BAN,
  LD_SLASH_UNBAN,
  LD_SLASH_DELETE,
} LdSlashKind;

#define LD_SLASH_COMMAND_ERROR (ld_slash_command_error_quark ())

typedef enum
{
  LD_SLASH_COMMAND_ERROR_UNKNOWN,      /* /frobnicate */
  LD_SLASH_COMMAND_ERROR_MISSING_NAME, /* /ban */
  LD_SLASH_COMMAND_ERROR_BAD_SECONDS,  /* /timeout x 0 */
  LD_SLASH_COMMAND_ERROR_EXTRA,        /* /unban a b, /delete x */
} LdSlashCommandError;

/* What a timeout may last: one second to two weeks. */
#define LD_SLASH_TIMEOUT_MAX_SECONDS (14 * 24 * 3600)

#define LD_TYPE_SLASH_COMMAND (ld_slash_command_get_type ())

G_DECLARE_FINAL_TYPE (LdSlashCommand, ld_slash_command, LD, SLASH_COMMAND, GObject)

GQuark          ld_slash_command_error_quark (void);

/* TRUE when TEXT is meant as a command: it starts with one "/" (a leading
 * "//" is an escaped slash, sent as text without its first "/"). */
gboolean        ld_slash_command_is_command  (const char *text);
/* NULL with ERROR (translated, says what is wrong) when TEXT is not a
 * valid command. */
LdSlashCommand *ld_slash_command_parse       (const char *text,
                                              GError    **error);

LdSlashKind     ld_slash_command_get_kind    (LdSlashCommand *self);
/* NULL for /delete. */
const char     *ld_slash_command_get_name    (LdSlashCommand *self);
/* 0 when not given: the server's default. */
guint           ld_slash_command_get_seconds (LdSlashCommand *self);
/* NULL when not given. */
const char     *ld_slash_command_get_reason  (LdSlashCommand *self);

/* Completions of TEXT (the composer's text up to the cursor), each the
 * whole new text: command names while the first word is typed, then
 * viewer NAMES (case-insensitive prefix, quoted when they hold a space)
 * for the NAME of /timeout, /ban and /unban, and NAMES after an "@" at the
 * end of any text. Empty when there is nothing to complete. */
char          **ld_slash_command_complete     (const char         *text,
                                              const char * const *names);

G_END_DECLS
