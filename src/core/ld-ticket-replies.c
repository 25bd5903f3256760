/* ld-ticket-replies.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "ld-ticket-replies.h"

struct _LdTicketReplies
{
  GObject  parent_instance;

  char    *path;
  char    *admin_id;
  char    *slots[LD_TICKET_REPLIES_N_SLOTS];
};

G_DEFINE_FINAL_TYPE (LdTicketReplies, ld_ticket_replies, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
clear_slots (LdTicketReplies *self)
{
  for (guint i = 0; i < LD_TICKET_REPLIES_N_SLOTS; i++)
    g_clear_pointer (&self->slots[i], g_free);
}

static void
ld_ticket_replies_finalize (GObject *object)
{
  LdTicketReplies *self = LD_TICKET_REPLIES (object);

  clear_slots (self);
  g_free (self->path);
  g_free (self->admin_id);

  G_OBJECT_CLASS (ld_ticket_replies_parent_class)->finalize (object);
}

static void
ld_ticket_replies_class_init (LdTicketRepliesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ld_ticket_replies_finalize;

  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ld_ticket_replies_init (LdTicketReplies *self)
{
}

LdTicketReplies *
ld_ticket_replies_new (const char *path)
{
  LdTicketReplies *self = g_object_new (LD_TYPE_TICKET_REPLIES, NULL);

  self->path = path != NULL ? g_strdup (path)
                            : g_build_filename (g_get_user_config_dir (), "livedesk", "canned-replies.ini", NULL);
  return self;
}

static GKeyFile *
load_file (LdTicketReplies  *self,
           GError          **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local = NULL;

  if (!g_key_file_load_from_file (file, self->path, G_KEY_FILE_KEEP_COMMENTS, &local) &&
      !g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  return g_steal_pointer (&file);
}

void
ld_ticket_replies_set_admin (LdTicketReplies *self,
                             const char      *admin_id)
{
  g_autoptr(GKeyFile) file = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (LD_IS_TICKET_REPLIES (self));

  g_free (self->admin_id);
  self->admin_id = g_strdup (admin_id);
  clear_slots (self);

  /* A damaged file leaves the slots empty, it does not stop the console. */
  if (admin_id != NULL && (file = load_file (self, &error)) == NULL)
    g_debug ("Canned replies not read from %s: %s", self->path, error->message);
  for (guint i = 0; file != NULL && i < LD_TICKET_REPLIES_N_SLOTS; i++)
    {
      char key[4];
      g_autofree char *text = NULL;

      g_snprintf (key, sizeof key, "%u", i + 1);
      text = g_key_file_get_string (file, admin_id, key, NULL);
      if (text != NULL && text[0] != '\0' && g_utf8_validate (text, -1, NULL))
        self->slots[i] = g_steal_pointer (&text);
    }
  g_signal_emit (self, signals[CHANGED], 0);
}

const char *
ld_ticket_replies_get_admin (LdTicketReplies *self)
{
  g_return_val_if_fail (LD_IS_TICKET_REPLIES (self), NULL);
  return self->admin_id;
}

const char *
ld_ticket_replies_get (LdTicketReplies *self,
                       guint            slot)
{
  g_return_val_if_fail (LD_IS_TICKET_REPLIES (self), NULL);
  g_return_val_if_fail (slot >= 1 && slot <= LD_TICKET_REPLIES_N_SLOTS, NULL);

  return self->slots[slot - 1];
}

gboolean
ld_ticket_replies_set (LdTicketReplies  *self,
                       guint             slot,
                       const char       *text,
                       GError          **error)
{
  g_autoptr(GKeyFile) file = NULL;
  g_autofree char *dir = NULL;
  char key[4];

  g_return_val_if_fail (LD_IS_TICKET_REPLIES (self), FALSE);
  g_return_val_if_fail (slot >= 1 && slot <= LD_TICKET_REPLIES_N_SLOTS, FALSE);

  if (self->admin_id == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED, _("No admin is signed in"));
      return FALSE;
    }
  if ((file = load_file (self, error)) == NULL)
    return FALSE;

  g_snprintf (key, sizeof key, "%u", slot);
  if (text != NULL && text[0] != '\0')
    g_key_file_set_string (file, self->admin_id, key, text);
  else
    g_key_file_remove_key (file, self->admin_id, key, NULL);

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  if (!g_key_file_save_to_file (file, self->path, error))
    return FALSE;

  g_free (self->slots[slot - 1]);
  self->slots[slot - 1] = text != NULL && text[0] != '\0' ? g_strdup (text) : NULL;
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}
