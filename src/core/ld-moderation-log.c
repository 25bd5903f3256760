/* ld-moderation-log.c: a room's moderation log, kept as JSON lines.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ld-moderation-log.h"

static const char * const action_words[] = {
  [LD_MODERATION_ACTION_DELETE] = "delete",
  [LD_MODERATION_ACTION_TIMEOUT] = "timeout",
  [LD_MODERATION_ACTION_BAN] = "ban",
  [LD_MODERATION_ACTION_UNBAN] = "unban",
};

struct _LdModerationEntry
{
  GObject             parent_instance;

  LdModerationAction  action;
  char               *actor;
  char               *user_id;
  char               *username;
  char               *reason;
  guint               seconds;
  char               *message_text;
  GDateTime          *when;
};

G_DEFINE_FINAL_TYPE (LdModerationEntry, ld_moderation_entry, G_TYPE_OBJECT)

static void
ld_moderation_entry_finalize (GObject *object)
{
  LdModerationEntry *self = LD_MODERATION_ENTRY (object);

  g_free (self->actor);
  g_free (self->user_id);
  g_free (self->username);
  g_free (self->reason);
  g_free (self->message_text);
  g_clear_pointer (&self->when, g_date_time_unref);
  G_OBJECT_CLASS (ld_moderation_entry_parent_class)->finalize (object);
}

static void
ld_moderation_entry_class_init (LdModerationEntryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_moderation_entry_finalize;
}

static void
ld_moderation_entry_init (LdModerationEntry *self)
{
}

static char *
nonempty (const char *s)
{
  return s != NULL && s[0] != '\0' ? g_strdup (s) : NULL;
}

LdModerationEntry *
ld_moderation_entry_new (LdModerationAction  action,
                         const char         *actor,
                         const char         *user_id,
                         const char         *username,
                         const char         *reason,
                         guint               seconds,
                         const char         *message_text,
                         GDateTime          *when)
{
  LdModerationEntry *self;

  g_return_val_if_fail ((guint) action < G_N_ELEMENTS (action_words), NULL);

  self = g_object_new (LD_TYPE_MODERATION_ENTRY, NULL);
  self->action = action;
  self->actor = nonempty (actor);
  self->user_id = nonempty (user_id);
  self->username = nonempty (username != NULL && username[0] != '\0' ? username : user_id);
  self->reason = nonempty (reason);
  self->seconds = seconds;
  self->message_text = nonempty (message_text);
  self->when = when != NULL ? g_date_time_ref (when) : g_date_time_new_now_utc ();
  return self;
}

#define GETTER(type, name, fallback) \
  type \
  ld_moderation_entry_get_##name (LdModerationEntry *self) \
  { \
    g_return_val_if_fail (LD_IS_MODERATION_ENTRY (self), fallback); \
    return self->name; \
  }

GETTER (LdModerationAction, action, LD_MODERATION_ACTION_DELETE)
GETTER (const char *, actor, NULL)
GETTER (const char *, user_id, NULL)
GETTER (const char *, username, NULL)
GETTER (const char *, reason, NULL)
GETTER (guint, seconds, 0)
GETTER (const char *, message_text, NULL)
GETTER (GDateTime *, when, NULL)

#undef GETTER

static gboolean
contains_folded (const char *haystack,
                 const char *folded_needle)
{
  g_autofree char *folded = NULL;

  if (haystack == NULL)
    return FALSE;
  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, folded_needle) != NULL;
}

gboolean
ld_moderation_entry_matches (LdModerationEntry *self,
                             const char        *query)
{
  g_autofree char *needle = NULL;
  g_autofree char *description = NULL;

  g_return_val_if_fail (LD_IS_MODERATION_ENTRY (self), FALSE);

  if (query == NULL || query[0] == '\0')
    return TRUE;
  needle = g_utf8_casefold (query, -1);
  description = ld_moderation_entry_describe (self);
  return contains_folded (self->actor, needle) || contains_folded (self->username, needle) ||
         contains_folded (self->user_id, needle) || contains_folded (self->reason, needle) ||
         contains_folded (self->message_text, needle) || contains_folded (action_words[self->action], needle) ||
         contains_folded (description, needle);
}

static char *
format_duration (guint seconds)
{
  if (seconds == 0)
    return g_strdup (_("the default time"));
  if (seconds % (24 * 3600) == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u day", "%u days", seconds / (24 * 3600)),
                            seconds / (24 * 3600));
  if (seconds % 3600 == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u hour", "%u hours", seconds / 3600), seconds / 3600);
  if (seconds % 60 == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u minute", "%u minutes", seconds / 60), seconds / 60);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second", "%u seconds", seconds), seconds);
}

char *
ld_moderation_entry_describe (LdModerationEntry *self)
{
  const char *actor;
  const char *target;

  g_return_val_if_fail (LD_IS_MODERATION_ENTRY (self), NULL);

  actor = self->actor != NULL ? self->actor : _("A moderator");
  target = self->username != NULL ? self->username : _("someone");
  switch (self->action)
    {
    case LD_MODERATION_ACTION_DELETE:
      /* Translators: "mia deleted a message by lan". */
      return g_strdup_printf (_("%s deleted a message by %s"), actor, target);
    case LD_MODERATION_ACTION_TIMEOUT:
      {
        g_autofree char *duration = format_duration (self->seconds);

        /* Translators: "mia timed out lan for 10 minutes". */
        return g_strdup_printf (_("%s timed out %s for %s"), actor, target, duration);
      }
    case LD_MODERATION_ACTION_BAN:
      return g_strdup_printf (_("%s banned %s"), actor, target);
    case LD_MODERATION_ACTION_UNBAN:
    default:
      return g_strdup_printf (_("%s unbanned %s"), actor, target);
    }
}

static JsonNode *
entry_to_json (LdModerationEntry *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *when = g_date_time_format_iso8601 (self->when);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "when");
  json_builder_add_string_value (builder, when);
  json_builder_set_member_name (builder, "action");
  json_builder_add_string_value (builder, action_words[self->action]);
#define STRING_MEMBER(key, field) \
  if (self->field != NULL) \
    { \
      json_builder_set_member_name (builder, key); \
      json_builder_add_string_value (builder, self->field); \
    }
  STRING_MEMBER ("by", actor)
  STRING_MEMBER ("userId", user_id)
  STRING_MEMBER ("username", username)
  STRING_MEMBER ("reason", reason)
  STRING_MEMBER ("message", message_text)
#undef STRING_MEMBER
  json_builder_set_member_name (builder, "seconds");
  json_builder_add_int_value (builder, self->seconds);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* NULL for anything but an object with a known action and a valid time. */
static LdModerationEntry *
entry_from_line (const char *line,
                 gsize       length)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GDateTime) when = NULL;
  JsonObject *object;
  JsonNode *seconds_node;
  const char *action;
  const char *when_text;
  gint64 seconds = 0;

  if (length > LD_MODERATION_LOG_MAX_LINE || !g_utf8_validate (line, length, NULL) ||
      !json_parser_load_from_data (parser, line, length, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  object = json_node_get_object (json_parser_get_root (parser));
  action = string_member (object, "action");
  when_text = string_member (object, "when");
  if (action == NULL || when_text == NULL || (when = g_date_time_new_from_iso8601 (when_text, NULL)) == NULL)
    return NULL;
  seconds_node = json_object_get_member (object, "seconds");
  if (seconds_node != NULL && JSON_NODE_HOLDS_VALUE (seconds_node) &&
      json_node_get_value_type (seconds_node) == G_TYPE_INT64)
    seconds = CLAMP (json_node_get_int (seconds_node), 0, G_MAXUINT);

  for (guint i = 0; i < G_N_ELEMENTS (action_words); i++)
    if (g_str_equal (action, action_words[i]))
      return ld_moderation_entry_new ((LdModerationAction) i, string_member (object, "by"),
                                      string_member (object, "userId"), string_member (object, "username"),
                                      string_member (object, "reason"), (guint) seconds,
                                      string_member (object, "message"), when);
  return NULL;
}

struct _LdModerationLog
{
  GObject    parent_instance;

  GPtrArray *entries;
  guint      capacity;
  char      *path;
  /* Lines in the file, to cut it back before it grows past twice the capacity. */
  guint      file_lines;
};

static void ld_moderation_log_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LdModerationLog, ld_moderation_log, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, ld_moderation_log_list_model_init))

static GType
get_item_type (GListModel *model)
{
  return LD_TYPE_MODERATION_ENTRY;
}

static guint
get_n_items (GListModel *model)
{
  return LD_MODERATION_LOG (model)->entries->len;
}

static gpointer
get_item (GListModel *model,
          guint       position)
{
  LdModerationLog *self = LD_MODERATION_LOG (model);

  if (position >= self->entries->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->entries, position));
}

static void
ld_moderation_log_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = get_item_type;
  iface->get_n_items = get_n_items;
  iface->get_item = get_item;
}

static void
ld_moderation_log_finalize (GObject *object)
{
  LdModerationLog *self = LD_MODERATION_LOG (object);

  g_ptr_array_unref (self->entries);
  g_free (self->path);
  G_OBJECT_CLASS (ld_moderation_log_parent_class)->finalize (object);
}

static void
ld_moderation_log_class_init (LdModerationLogClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_moderation_log_finalize;
}

static void
ld_moderation_log_init (LdModerationLog *self)
{
  self->entries = g_ptr_array_new_with_free_func (g_object_unref);
  self->capacity = LD_MODERATION_LOG_DEFAULT_CAPACITY;
}

LdModerationLog *
ld_moderation_log_new (void)
{
  return g_object_new (LD_TYPE_MODERATION_LOG, NULL);
}

char *
ld_moderation_log_default_path (const char *room_id)
{
  g_autofree char *file = NULL;

  g_return_val_if_fail (room_id != NULL, NULL);

  /* Room ids are ^[a-zA-Z0-9_]{1,50}$; anything else must not reach a path. */
  for (const char *p = room_id; *p != '\0'; p++)
    g_return_val_if_fail (g_ascii_isalnum (*p) || *p == '_', NULL);
  file = g_strconcat (room_id, ".jsonl", NULL);
  return g_build_filename (g_get_user_data_dir (), "livedesk", "moderation", file, NULL);
}

const char *
ld_moderation_log_get_path (LdModerationLog *self)
{
  g_return_val_if_fail (LD_IS_MODERATION_LOG (self), NULL);

  return self->path;
}

guint
ld_moderation_log_get_capacity (LdModerationLog *self)
{
  g_return_val_if_fail (LD_IS_MODERATION_LOG (self), 0);

  return self->capacity;
}

static void
trim (LdModerationLog *self)
{
  guint excess;

  if (self->entries->len <= self->capacity)
    return;
  excess = self->entries->len - self->capacity;
  g_ptr_array_remove_range (self->entries, 0, excess);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, excess, 0);
}

void
ld_moderation_log_set_capacity (LdModerationLog *self,
                                guint            capacity)
{
  g_return_if_fail (LD_IS_MODERATION_LOG (self));
  g_return_if_fail (capacity > 0);

  self->capacity = capacity;
  trim (self);
}

/* The whole log, written over the file in one go (g_file_set_contents
 * renames a temporary file into place). */
static gboolean
rewrite (LdModerationLog  *self,
         GError          **error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < self->entries->len; i++)
    {
      g_autoptr(JsonNode) node = entry_to_json (g_ptr_array_index (self->entries, i));
      g_autofree char *line = json_to_string (node, FALSE);

      g_string_append (text, line);
      g_string_append_c (text, '\n');
    }
  if (!g_file_set_contents_full (self->path, text->str, (gssize) text->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;
  self->file_lines = self->entries->len;
  return TRUE;
}

/* Up to the last LD_MODERATION_LOG_MAX_READ bytes of PATH, from a whole line. */
static char *
read_tail (const char  *path,
           gsize       *length,
           GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *data = NULL;
  goffset size;
  goffset start;
  gsize got = 0;

  stream = g_file_read (file, NULL, error);
  if (stream == NULL)
    return NULL;
  info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE, NULL, error);
  if (info == NULL)
    return NULL;
  size = g_file_info_get_size (info);
  start = size > LD_MODERATION_LOG_MAX_READ ? size - LD_MODERATION_LOG_MAX_READ : 0;
  if (start > 0 && !g_seekable_seek (G_SEEKABLE (stream), start, G_SEEK_SET, NULL, error))
    return NULL;
  data = g_malloc ((gsize) (size - start) + 1);
  if (!g_input_stream_read_all (G_INPUT_STREAM (stream), data, (gsize) (size - start), &got, NULL, error))
    return NULL;
  data[got] = '\0';
  if (start > 0)
    {
      /* Cut in the middle of a line: start at the next one. */
      char *newline = memchr (data, '\n', got);
      gsize skip = newline != NULL ? (gsize) (newline - data) + 1 : got;

      memmove (data, data + skip, got - skip + 1);
      got -= skip;
    }
  *length = got;
  return g_steal_pointer (&data);
}

gboolean
ld_moderation_log_set_path (LdModerationLog  *self,
                            const char       *path,
                            GError          **error)
{
  g_autoptr(GPtrArray) loaded = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;
  guint lines = 0;
  guint old_len;

  g_return_val_if_fail (LD_IS_MODERATION_LOG (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (g_strcmp0 (self->path, path) == 0)
    return TRUE;

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s: %s", dir, g_strerror (saved));
      return FALSE;
    }

  data = read_tail (path, &length, &local_error);
  if (data == NULL && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  for (char *line = data; line != NULL && *line != '\0';)
    {
      char *end = strchr (line, '\n');
      gsize len = end != NULL ? (gsize) (end - line) : strlen (line);
      LdModerationEntry *entry = len > 0 ? entry_from_line (line, len) : NULL;

      if (entry != NULL)
        g_ptr_array_add (loaded, entry);
      lines++;
      line = end != NULL ? end + 1 : NULL;
    }

  g_free (self->path);
  self->path = g_strdup (path);
  self->file_lines = lines;

  /* The file's entries come before what happened since this run began. */
  old_len = self->entries->len;
  for (guint i = 0; i < old_len; i++)
    g_ptr_array_add (loaded, g_object_ref (g_ptr_array_index (self->entries, i)));
  g_ptr_array_unref (self->entries);
  self->entries = g_steal_pointer (&loaded);
  if (self->entries->len > self->capacity)
    g_ptr_array_remove_range (self->entries, 0, self->entries->len - self->capacity);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, self->entries->len);

  /* What was only in memory, or a file grown past its bound, is written now. */
  if (old_len > 0 || lines > self->entries->len)
    return rewrite (self, error);
  return TRUE;
}

static void
append_line (LdModerationLog   *self,
             LdModerationEntry *entry)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *line = NULL;
  FILE *file;

  if (self->file_lines + 1 >= 2 * self->capacity)
    {
      if (!rewrite (self, &error))
        g_message ("Could not write the moderation log %s: %s", self->path, error->message);
      return;
    }

  node = entry_to_json (entry);
  line = json_to_string (node, FALSE);
  file = g_fopen (self->path, "ae");
  if (file == NULL || fprintf (file, "%s\n", line) < 0)
    g_message ("Could not write the moderation log %s: %s", self->path, g_strerror (errno));
  else
    self->file_lines++;
  if (file != NULL)
    fclose (file);
}

void
ld_moderation_log_add (LdModerationLog   *self,
                       LdModerationEntry *entry)
{
  g_return_if_fail (LD_IS_MODERATION_LOG (self));
  g_return_if_fail (LD_IS_MODERATION_ENTRY (entry));

  g_ptr_array_add (self->entries, g_object_ref (entry));
  g_list_model_items_changed (G_LIST_MODEL (self), self->entries->len - 1, 0, 1);
  trim (self);
  if (self->path != NULL)
    append_line (self, entry);
}

GPtrArray *
ld_moderation_log_lookup_user (LdModerationLog *self,
                               const char      *user_id)
{
  GPtrArray *found = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (LD_IS_MODERATION_LOG (self), found);

  for (guint i = self->entries->len; user_id != NULL && i > 0; i--)
    {
      LdModerationEntry *entry = g_ptr_array_index (self->entries, i - 1);

      if (g_strcmp0 (entry->user_id, user_id) == 0)
        g_ptr_array_add (found, g_object_ref (entry));
    }
  return found;
}
