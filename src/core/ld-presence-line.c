/* ld-presence-line.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n-lib.h>

#include "ld-presence-line.h"

struct _LdPresenceLine
{
  GObject         parent_instance;

  LdPresenceKind  kind;
  GDateTime      *timestamp;
  guint           count;
  /* NULL-terminated, at most LD_PRESENCE_LINE_MAX_NAMES. */
  GPtrArray      *names;
  /* User ids counted, while the line may still grow. */
  GHashTable     *seen;
};

G_DEFINE_FINAL_TYPE (LdPresenceLine, ld_presence_line, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ld_presence_line_finalize (GObject *object)
{
  LdPresenceLine *self = LD_PRESENCE_LINE (object);

  g_clear_pointer (&self->timestamp, g_date_time_unref);
  g_clear_pointer (&self->names, g_ptr_array_unref);
  g_clear_pointer (&self->seen, g_hash_table_unref);

  G_OBJECT_CLASS (ld_presence_line_parent_class)->finalize (object);
}

static void
ld_presence_line_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  LdPresenceLine *self = LD_PRESENCE_LINE (object);

  switch (prop_id)
    {
    case PROP_COUNT:
      g_value_set_uint (value, self->count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_presence_line_class_init (LdPresenceLineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ld_presence_line_finalize;
  object_class->get_property = ld_presence_line_get_property;

  properties[PROP_COUNT] =
    g_param_spec_uint ("count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ld_presence_line_init (LdPresenceLine *self)
{
  self->names = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  self->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

LdPresenceLine *
ld_presence_line_new (LdPresenceKind  kind,
                      GDateTime      *timestamp)
{
  LdPresenceLine *self = g_object_new (LD_TYPE_PRESENCE_LINE, NULL);

  self->kind = kind;
  self->timestamp = timestamp != NULL ? g_date_time_ref (timestamp) : g_date_time_new_now_utc ();
  return self;
}

LdPresenceKind
ld_presence_line_get_kind (LdPresenceLine *self)
{
  g_return_val_if_fail (LD_IS_PRESENCE_LINE (self), LD_PRESENCE_JOINED);
  return self->kind;
}

GDateTime *
ld_presence_line_get_timestamp (LdPresenceLine *self)
{
  g_return_val_if_fail (LD_IS_PRESENCE_LINE (self), NULL);
  return self->timestamp;
}

guint
ld_presence_line_get_count (LdPresenceLine *self)
{
  g_return_val_if_fail (LD_IS_PRESENCE_LINE (self), 0);
  return self->count;
}

gboolean
ld_presence_line_add (LdPresenceLine *self,
                      const char     *user_id,
                      const char     *username)
{
  g_return_val_if_fail (LD_IS_PRESENCE_LINE (self), FALSE);
  g_return_val_if_fail (user_id != NULL, FALSE);

  if (self->seen == NULL || !g_hash_table_add (self->seen, g_strdup (user_id)))
    return FALSE;

  if (self->names->len < LD_PRESENCE_LINE_MAX_NAMES)
    g_ptr_array_add (self->names, g_strdup (username != NULL && *username != '\0' ? username : user_id));
  self->count++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
  return TRUE;
}

void
ld_presence_line_seal (LdPresenceLine *self)
{
  g_return_if_fail (LD_IS_PRESENCE_LINE (self));
  g_clear_pointer (&self->seen, g_hash_table_unref);
}

gboolean
ld_presence_line_is_sealed (LdPresenceLine *self)
{
  g_return_val_if_fail (LD_IS_PRESENCE_LINE (self), TRUE);
  return self->seen == NULL;
}

const char * const *
ld_presence_line_get_names (LdPresenceLine *self)
{
  g_return_val_if_fail (LD_IS_PRESENCE_LINE (self), NULL);
  return (const char * const *) self->names->pdata;
}

static const char *
name_at (LdPresenceLine *self,
         guint           i)
{
  return i < self->names->len ? g_ptr_array_index (self->names, i) : "";
}

char *
ld_presence_line_dup_summary (LdPresenceLine *self)
{
  gboolean joined;

  g_return_val_if_fail (LD_IS_PRESENCE_LINE (self), NULL);

  joined = self->kind == LD_PRESENCE_JOINED;
  switch (self->count)
    {
    case 0:
      return g_strdup ("");
    case 1:
      return g_strdup_printf (joined ? _("%s joined") : _("%s left"), name_at (self, 0));
    case 2:
      return g_strdup_printf (joined ? _("%s and %s joined") : _("%s and %s left"), name_at (self, 0), name_at (self, 1));
    default:
      return g_strdup_printf (joined
                              ? g_dngettext (GETTEXT_PACKAGE, "%s, %s and %u other joined",
                                             "%s, %s and %u others joined", self->count - 2)
                              : g_dngettext (GETTEXT_PACKAGE, "%s, %s and %u other left",
                                             "%s, %s and %u others left", self->count - 2),
                              name_at (self, 0), name_at (self, 1), self->count - 2);
    }
}

char *
ld_presence_line_dup_details (LdPresenceLine *self)
{
  g_autofree char *names = NULL;

  g_return_val_if_fail (LD_IS_PRESENCE_LINE (self), NULL);

  /* Translators: the separator between names in a list of who joined. */
  names = g_strjoinv (_(", "), (char **) self->names->pdata);
  if (self->count <= self->names->len)
    return g_steal_pointer (&names);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s and %u more", "%s and %u more",
                                       self->count - self->names->len),
                          names, self->count - self->names->len);
}
