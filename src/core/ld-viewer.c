/* ld-viewer.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-viewer.h"
#include "ld-payload.h"

#include <string.h>

struct _LdViewer
{
  GObject  parent_instance;

  char    *user_id;
  char    *username;
  /* Computed once: sorting a big room compares names many times. */
  char    *collate_key;
  LdRole   role;
  LdSanction sanction;
  GDateTime *sanction_until;
};

G_DEFINE_FINAL_TYPE (LdViewer, ld_viewer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_USER_ID,
  PROP_USERNAME,
  PROP_ROLE,
  PROP_SANCTION,
  PROP_SANCTION_UNTIL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ld_viewer_finalize (GObject *object)
{
  LdViewer *self = (LdViewer *)object;

  g_free (self->user_id);
  g_free (self->username);
  g_free (self->collate_key);
  g_clear_pointer (&self->sanction_until, g_date_time_unref);

  G_OBJECT_CLASS (ld_viewer_parent_class)->finalize (object);
}

static void
ld_viewer_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  LdViewer *self = LD_VIEWER (object);

  switch (prop_id)
    {
    case PROP_USER_ID:
      g_value_set_string (value, self->user_id);
      break;
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_ROLE:
      g_value_set_enum (value, self->role);
      break;
    case PROP_SANCTION:
      g_value_set_enum (value, ld_viewer_get_sanction (self));
      break;
    case PROP_SANCTION_UNTIL:
      g_value_set_boxed (value, ld_viewer_get_sanction_until (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_viewer_class_init (LdViewerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ld_viewer_finalize;
  object_class->get_property = ld_viewer_get_property;

  properties[PROP_USER_ID] = g_param_spec_string ("user-id", NULL, NULL, NULL, flags);
  properties[PROP_USERNAME] = g_param_spec_string ("username", NULL, NULL, NULL, flags);
  properties[PROP_ROLE] = g_param_spec_enum ("role", NULL, NULL, LD_TYPE_ROLE, LD_ROLE_VIEWER, flags);
  properties[PROP_SANCTION] = g_param_spec_enum ("sanction", NULL, NULL, LD_TYPE_SANCTION, LD_SANCTION_NONE, flags);
  properties[PROP_SANCTION_UNTIL] = g_param_spec_boxed ("sanction-until", NULL, NULL, G_TYPE_DATE_TIME, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ld_viewer_init (LdViewer *self)
{
  self->role = LD_ROLE_VIEWER;
}

LdViewer *
ld_viewer_new (const char *user_id,
               const char *username,
               LdRole      role)
{
  g_autofree char *folded = NULL;
  LdViewer *self;

  g_return_val_if_fail (user_id != NULL, NULL);
  g_return_val_if_fail (role <= LD_ROLE_VIEWER, NULL);

  self = g_object_new (LD_TYPE_VIEWER, NULL);
  self->user_id = g_strdup (user_id);
  self->username = g_strdup (username != NULL ? username : user_id);
  self->role = role;

  /* Untrusted names may not be valid UTF-8; collate what we can. */
  if (g_utf8_validate (self->username, -1, NULL))
    {
      folded = g_utf8_casefold (self->username, -1);
      self->collate_key = g_utf8_collate_key (folded, -1);
    }
  else
    self->collate_key = g_strdup (self->username);

  return self;
}

LdViewer *
ld_viewer_new_from_json (JsonObject  *object,
                         GError     **error)
{
  g_autofree char *user_id = NULL;
  const char *username, *role;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ld_payload_get_id (object, "viewer", "userId", TRUE, &user_id, error) ||
      !ld_payload_get_string (object, "viewer", "username", FALSE, &username, error) ||
      !ld_payload_get_string (object, "viewer", "role", FALSE, &role, error))
    return NULL;

  return ld_viewer_new (user_id, username, ld_role_from_string (role));
}

const char *
ld_viewer_get_user_id (LdViewer *self)
{
  g_return_val_if_fail (LD_IS_VIEWER (self), NULL);
  return self->user_id;
}

const char *
ld_viewer_get_username (LdViewer *self)
{
  g_return_val_if_fail (LD_IS_VIEWER (self), NULL);
  return self->username;
}

LdRole
ld_viewer_get_role (LdViewer *self)
{
  g_return_val_if_fail (LD_IS_VIEWER (self), LD_ROLE_VIEWER);
  return self->role;
}

static gboolean
sanction_over (LdViewer *self)
{
  g_autoptr(GDateTime) now = NULL;

  if (self->sanction == LD_SANCTION_NONE || self->sanction_until == NULL)
    return self->sanction == LD_SANCTION_NONE;
  now = g_date_time_new_now_utc ();
  return g_date_time_compare (now, self->sanction_until) >= 0;
}

LdSanction
ld_viewer_get_sanction (LdViewer *self)
{
  g_return_val_if_fail (LD_IS_VIEWER (self), LD_SANCTION_NONE);
  return sanction_over (self) ? LD_SANCTION_NONE : self->sanction;
}

GDateTime *
ld_viewer_get_sanction_until (LdViewer *self)
{
  g_return_val_if_fail (LD_IS_VIEWER (self), NULL);
  return sanction_over (self) ? NULL : self->sanction_until;
}

void
ld_viewer_set_sanction (LdViewer   *self,
                        LdSanction  sanction,
                        GDateTime  *until)
{
  LdSanction old_sanction;
  GDateTime *old_until;
  gboolean same_until;

  g_return_if_fail (LD_IS_VIEWER (self));
  g_return_if_fail (sanction <= LD_SANCTION_BANNED);

  if (sanction == LD_SANCTION_NONE)
    until = NULL;
  old_sanction = ld_viewer_get_sanction (self);
  old_until = ld_viewer_get_sanction_until (self);
  same_until = old_until == until || (old_until != NULL && until != NULL && g_date_time_equal (old_until, until));
  if (old_sanction == sanction && same_until)
    return;

  g_object_freeze_notify (G_OBJECT (self));
  self->sanction = sanction;
  if (until != NULL)
    g_date_time_ref (until);
  g_clear_pointer (&self->sanction_until, g_date_time_unref);
  self->sanction_until = until;
  if (old_sanction != sanction)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SANCTION]);
  if (!same_until)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SANCTION_UNTIL]);
  g_object_thaw_notify (G_OBJECT (self));
}

int
ld_viewer_compare (LdViewer *a,
                   LdViewer *b)
{
  int cmp;

  if (a->role != b->role)
    return a->role < b->role ? -1 : 1;

  cmp = strcmp (a->collate_key, b->collate_key);
  if (cmp != 0)
    return cmp;

  return strcmp (a->user_id, b->user_id);
}
