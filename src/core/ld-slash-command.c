/* ld-slash-command.c: parsing and completing the composer's slash commands.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n-lib.h>
#include <string.h>

#include "ld-slash-command.h"

struct _LdSlashCommand
{
  GObject     parent_instance;

  LdSlashKind kind;
  char       *name;
  guint       seconds;
  char       *reason;
};

G_DEFINE_FINAL_TYPE (LdSlashCommand, ld_slash_command, G_TYPE_OBJECT)

G_DEFINE_QUARK (ld-slash-command-error-quark, ld_slash_command_error)

static const struct
{
  const char  *word;
  LdSlashKind  kind;
} commands[] = {
  { "timeout", LD_SLASH_TIMEOUT },
  { "ban", LD_SLASH_BAN },
  { "unban", LD_SLASH_UNBAN },
  { "delete", LD_SLASH_DELETE },
};

static void
ld_slash_command_finalize (GObject *object)
{
  LdSlashCommand *self = LD_SLASH_COMMAND (object);

  g_free (self->name);
  g_free (self->reason);
  G_OBJECT_CLASS (ld_slash_command_parent_class)->finalize (object);
}

static void
ld_slash_command_class_init (LdSlashCommandClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_slash_command_finalize;
}

static void
ld_slash_command_init (LdSlashCommand *self)
{
}

gboolean
ld_slash_command_is_command (const char *text)
{
  if (text == NULL)
    return FALSE;
  while (g_ascii_isspace (*text))
    text++;
  return text[0] == '/' && text[1] != '/';
}

static const char *
skip_space (const char *p)
{
  while (g_ascii_isspace (*p))
    p++;
  return p;
}

/* One word at *P, or a "quoted" one (a name with spaces); NULL at the end.
 * *P moves past it. An unclosed quote runs to the end of the text. */
static char *
next_word (const char **p)
{
  const char *start = skip_space (*p);
  const char *end;

  if (*start == '\0')
    {
      *p = start;
      return NULL;
    }
  if (*start == '"')
    {
      start++;
      end = strchr (start, '"');
      if (end == NULL)
        end = start + strlen (start);
      *p = *end == '"' ? end + 1 : end;
      return g_strndup (start, end - start);
    }
  end = start;
  while (*end != '\0' && !g_ascii_isspace (*end))
    end++;
  *p = end;
  return g_strndup (start, end - start);
}

/* "90", "90s", "10m", "1h", "1d": a duration; FALSE for anything else. */
static gboolean
parse_seconds (const char *word,
               guint64    *seconds)
{
  const char *unit = word;
  guint64 value = 0;
  guint64 scale = 1;

  if (!g_ascii_isdigit (*word))
    return FALSE;
  while (g_ascii_isdigit (*unit))
    {
      value = value * 10 + (guint64) (*unit - '0');
      if (value > G_MAXUINT32)
        value = G_MAXUINT32; /* still too long, and no overflow */
      unit++;
    }
  switch (g_ascii_tolower (*unit))
    {
    case '\0': case 's': scale = 1; break;
    case 'm': scale = 60; break;
    case 'h': scale = 3600; break;
    case 'd': scale = 24 * 3600; break;
    default: return FALSE;
    }
  if (*unit != '\0' && unit[1] != '\0')
    return FALSE;
  *seconds = value * scale;
  return TRUE;
}

LdSlashCommand *
ld_slash_command_parse (const char  *text,
                        GError     **error)
{
  g_autoptr(LdSlashCommand) self = NULL;
  g_autofree char *word = NULL;
  g_autofree char *rest = NULL;
  const char *p;
  gboolean found = FALSE;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ld_slash_command_is_command (text))
    {
      g_set_error (error, LD_SLASH_COMMAND_ERROR, LD_SLASH_COMMAND_ERROR_UNKNOWN, "%s", _("Not a command"));
      return NULL;
    }

  self = g_object_new (LD_TYPE_SLASH_COMMAND, NULL);
  p = skip_space (text) + 1;
  word = next_word (&p);
  for (guint i = 0; word != NULL && i < G_N_ELEMENTS (commands); i++)
    if (g_ascii_strcasecmp (word, commands[i].word) == 0)
      {
        self->kind = commands[i].kind;
        found = TRUE;
      }
  if (!found)
    {
      /* Translators: %s is what the user typed after "/". */
      g_set_error (error, LD_SLASH_COMMAND_ERROR, LD_SLASH_COMMAND_ERROR_UNKNOWN,
                   _("Unknown command “/%s”: try /timeout, /ban, /unban or /delete"), word != NULL ? word : "");
      return NULL;
    }

  if (self->kind == LD_SLASH_DELETE)
    {
      if (*skip_space (p) != '\0')
        {
          g_set_error (error, LD_SLASH_COMMAND_ERROR, LD_SLASH_COMMAND_ERROR_EXTRA, "%s",
                       _("/delete takes nothing: select a message first"));
          return NULL;
        }
      return g_steal_pointer (&self);
    }

  self->name = next_word (&p);
  if (self->name == NULL || self->name[0] == '\0')
    {
      g_set_error (error, LD_SLASH_COMMAND_ERROR, LD_SLASH_COMMAND_ERROR_MISSING_NAME,
                   _("Whom? Write /%s NAME"), commands[self->kind].word);
      return NULL;
    }

  if (self->kind == LD_SLASH_TIMEOUT)
    {
      const char *before = p;
      g_autofree char *duration = next_word (&p);
      guint64 seconds = 0;

      if (duration != NULL && parse_seconds (duration, &seconds))
        {
          if (seconds == 0 || seconds > LD_SLASH_TIMEOUT_MAX_SECONDS)
            {
              g_set_error (error, LD_SLASH_COMMAND_ERROR, LD_SLASH_COMMAND_ERROR_BAD_SECONDS,
                           _("A timeout lasts from 1 second to %u days"),
                           LD_SLASH_TIMEOUT_MAX_SECONDS / (24 * 3600));
              return NULL;
            }
          self->seconds = (guint) seconds;
        }
      else
        p = before; /* no duration: it is the reason's first word */
    }

  rest = g_strstrip (g_strdup (p));
  if (self->kind == LD_SLASH_UNBAN && rest[0] != '\0')
    {
      g_set_error (error, LD_SLASH_COMMAND_ERROR, LD_SLASH_COMMAND_ERROR_EXTRA, "%s",
                   _("/unban takes only a name (quote a name with spaces)"));
      return NULL;
    }
  if (rest[0] != '\0')
    self->reason = g_steal_pointer (&rest);
  return g_steal_pointer (&self);
}

#define GETTER(type, name, fallback) \
  type \
  ld_slash_command_get_##name (LdSlashCommand *self) \
  { \
    g_return_val_if_fail (LD_IS_SLASH_COMMAND (self), fallback); \
    return self->name; \
  }

GETTER (LdSlashKind, kind, LD_SLASH_DELETE)
GETTER (const char *, name, NULL)
GETTER (guint, seconds, 0)
GETTER (const char *, reason, NULL)

#undef GETTER

static gboolean
has_prefix_nocase (const char *name,
                   const char *prefix)
{
  g_autofree char *a = g_utf8_casefold (name, -1);
  g_autofree char *b = g_utf8_casefold (prefix, -1);

  return g_str_has_prefix (a, b);
}

static void
add_unique (GPtrArray *out,
            char      *text)
{
  for (guint i = 0; i < out->len; i++)
    if (g_str_equal (g_ptr_array_index (out, i), text))
      {
        g_free (text);
        return;
      }
  g_ptr_array_add (out, text);
}

char **
ld_slash_command_complete (const char         *text,
                           const char * const *names)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  const char *at;
  const char *start;

  g_return_val_if_fail (text != NULL, NULL);

  start = skip_space (text);
  if (ld_slash_command_is_command (text))
    {
      const char *word_end = start + 1;

      while (*word_end != '\0' && !g_ascii_isspace (*word_end))
        word_end++;

      if (*word_end == '\0')
        {
          /* The command's name is being typed. */
          for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
            if (g_ascii_strncasecmp (commands[i].word, start + 1, word_end - start - 1) == 0)
              add_unique (out, g_strdup_printf ("/%s ", commands[i].word));
          goto done;
        }

      for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
        {
          const char *name_start = skip_space (word_end);
          const char *name_end;
          g_autofree char *partial = NULL;

          if (commands[i].kind == LD_SLASH_DELETE ||
              (gsize) (word_end - start - 1) != strlen (commands[i].word) ||
              g_ascii_strncasecmp (commands[i].word, start + 1, word_end - start - 1) != 0)
            continue;

          /* Only while the NAME (the second word) is being typed. */
          if (*name_start == '"')
            {
              if (strchr (name_start + 1, '"') != NULL)
                goto done;
              partial = g_strdup (name_start + 1);
            }
          else
            {
              name_end = name_start;
              while (*name_end != '\0' && !g_ascii_isspace (*name_end))
                name_end++;
              if (*name_end != '\0')
                goto done;
              partial = g_strdup (name_start);
            }

          for (guint j = 0; names != NULL && names[j] != NULL; j++)
            if (has_prefix_nocase (names[j], partial))
              add_unique (out, strchr (names[j], ' ') != NULL
                               ? g_strdup_printf ("/%s \"%s\" ", commands[i].word, names[j])
                               : g_strdup_printf ("/%s %s ", commands[i].word, names[j]));
          goto done;
        }
    }

  /* @-mention of a viewer: the last word starts with "@". */
  at = strrchr (text, '@');
  if (at != NULL && (at == text || g_ascii_isspace (at[-1])))
    {
      const char *q;

      for (q = at + 1; *q != '\0' && !g_ascii_isspace (*q); q++)
        ;
      if (*q == '\0')
        for (guint j = 0; names != NULL && names[j] != NULL; j++)
          if (has_prefix_nocase (names[j], at + 1))
            add_unique (out, g_strdup_printf ("%.*s@%s ", (int) (at - text), text, names[j]));
    }

done:
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}
