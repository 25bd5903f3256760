/* ld-moderation-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "ld-moderation-dialog.h"

static const guint presets[] = LD_MODERATION_DIALOG_PRESETS;

/* Reasons travel in the moderation event to the whole room; keep them short. */
#define REASON_MAX_CHARS 200

typedef struct
{
  GtkWidget *dialog;
  GtkWidget *duration;
  GtkWidget *minutes;
  GtkWidget *reason;
  /* What was chosen, read when the moderator answered: the dialog and its
   * widgets are gone by the time the task's callback runs. */
  guint      chosen_seconds;
  char      *chosen_reason;
} RunData;

static void
run_data_free (RunData *data)
{
  g_free (data->chosen_reason);
  g_free (data);
}

static char *
describe_duration (guint seconds)
{
  if (seconds % (24 * 3600) == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u day", "%u days", seconds / (24 * 3600)),
                            seconds / (24 * 3600));
  if (seconds % 3600 == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u hour", "%u hours", seconds / 3600), seconds / 3600);
  if (seconds % 60 == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u minute", "%u minutes", seconds / 60), seconds / 60);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second", "%u seconds", seconds), seconds);
}

static void
on_duration_selected (GtkDropDown *duration,
                      GParamSpec  *pspec,
                      GtkWidget   *minutes)
{
  gtk_widget_set_visible (minutes, gtk_drop_down_get_selected (duration) == G_N_ELEMENTS (presets));
}

static void
on_response (AdwMessageDialog *dialog,
             const char       *response,
             GTask            *task)
{
  RunData *data = g_task_get_task_data (task);

  g_autofree char *stripped = NULL;

  /* One answer: closing the dialog afterwards may emit its close response. */
  g_signal_handlers_disconnect_by_func (dialog, on_response, task);
  if (g_strcmp0 (response, "apply") != 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s", _("Cancelled"));
      g_object_unref (task);
      return;
    }

  if (data->duration != NULL)
    {
      guint selected = gtk_drop_down_get_selected (GTK_DROP_DOWN (data->duration));

      data->chosen_seconds = selected < G_N_ELEMENTS (presets)
                             ? presets[selected]
                             : (guint) gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (data->minutes)) * 60;
    }
  stripped = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (data->reason))));
  if (stripped[0] != '\0')
    data->chosen_reason = g_steal_pointer (&stripped);
  data->dialog = data->duration = data->minutes = data->reason = NULL;
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

void
ld_moderation_dialog_run_async (GtkWindow           *parent,
                                LdModeration         action,
                                const char          *username,
                                guint                seconds,
                                const char          *reason,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;
  RunData *data;
  GtkWidget *box;
  g_autofree char *body = NULL;
  const char *heading;
  const char *apply;

  g_return_if_fail (GTK_IS_WINDOW (parent));
  g_return_if_fail (action != LD_MODERATION_DELETE);
  g_return_if_fail (username != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_moderation_dialog_run_async);
  data = g_new0 (RunData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);

  switch (action)
    {
    case LD_MODERATION_TIMEOUT:
      heading = _("Time Out User");
      /* Translators: %s is a username. */
      body = g_strdup_printf (_("For how long may %s not write in this room?"), username);
      apply = _("_Time Out");
      break;
    case LD_MODERATION_BAN:
      heading = _("Ban User?");
      /* Translators: %s is a username. */
      body = g_strdup_printf (_("%s will be taken out of this room and cannot come back until unbanned."), username);
      apply = _("_Ban");
      break;
    case LD_MODERATION_UNBAN:
    case LD_MODERATION_DELETE:
    default:
      heading = _("Unban User");
      /* Translators: %s is a username. */
      body = g_strdup_printf (_("%s may join and write in this room again."), username);
      apply = _("_Unban");
      break;
    }

  /* The body is plain text: a username must never be read as markup. */
  data->dialog = adw_message_dialog_new (parent, heading, NULL);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (data->dialog), body);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  if (action == LD_MODERATION_TIMEOUT)
    {
      const char *labels[G_N_ELEMENTS (presets) + 2] = { NULL };
      char *names[G_N_ELEMENTS (presets)] = { NULL };
      guint selected = 1;

      for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
        {
          names[i] = describe_duration (presets[i]);
          labels[i] = names[i];
        }
      labels[G_N_ELEMENTS (presets)] = _("Custom");
      data->duration = gtk_drop_down_new_from_strings (labels);
      for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
        g_free (names[i]);
      gtk_widget_set_name (data->duration, "duration");
      gtk_accessible_update_property (GTK_ACCESSIBLE (data->duration), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Duration"), -1);
      data->minutes = gtk_spin_button_new_with_range (1, 14 * 24 * 60, 1);
      gtk_widget_set_name (data->minutes, "minutes");
      gtk_accessible_update_property (GTK_ACCESSIBLE (data->minutes), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Minutes"), -1);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (data->minutes), 5);
      gtk_widget_set_visible (data->minutes, FALSE);
      if (seconds > 0)
        {
          selected = G_N_ELEMENTS (presets);
          for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
            if (presets[i] == seconds)
              selected = i;
          /* G_MAXUINT asks for Custom with the default minutes. */
          if (selected == G_N_ELEMENTS (presets) && seconds <= 14 * 24 * 3600)
            gtk_spin_button_set_value (GTK_SPIN_BUTTON (data->minutes), MAX (1, seconds / 60));
        }
      g_signal_connect (data->duration, "notify::selected", G_CALLBACK (on_duration_selected), data->minutes);
      gtk_drop_down_set_selected (GTK_DROP_DOWN (data->duration), selected);
      on_duration_selected (GTK_DROP_DOWN (data->duration), NULL, data->minutes);
      gtk_box_append (GTK_BOX (box), data->duration);
      gtk_box_append (GTK_BOX (box), data->minutes);
    }

  data->reason = gtk_entry_new ();
  gtk_widget_set_name (data->reason, "reason");
  gtk_entry_set_placeholder_text (GTK_ENTRY (data->reason), _("Reason (optional)"));
  gtk_entry_set_max_length (GTK_ENTRY (data->reason), REASON_MAX_CHARS);
  gtk_entry_set_activates_default (GTK_ENTRY (data->reason), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (data->reason), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Reason"), -1);
  if (reason != NULL)
    gtk_editable_set_text (GTK_EDITABLE (data->reason), reason);
  gtk_box_append (GTK_BOX (box), data->reason);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (data->dialog), box);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (data->dialog),
                                    "cancel", _("_Cancel"),
                                    "apply", apply,
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (data->dialog), "apply",
                                              action == LD_MODERATION_UNBAN ? ADW_RESPONSE_SUGGESTED
                                                                            : ADW_RESPONSE_DESTRUCTIVE);
  /* A ban is confirmed by a deliberate click, never by Enter in the reason. */
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (data->dialog),
                                           action == LD_MODERATION_BAN ? "cancel" : "apply");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (data->dialog), "cancel");
  g_signal_connect (data->dialog, "response", G_CALLBACK (on_response), task);
  gtk_window_present (GTK_WINDOW (data->dialog));
  gtk_widget_grab_focus (data->reason);
}

gboolean
ld_moderation_dialog_run_finish (GAsyncResult  *result,
                                 guint         *seconds,
                                 char         **reason,
                                 GError       **error)
{
  RunData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  data = g_task_get_task_data (G_TASK (result));
  if (seconds != NULL)
    *seconds = data->chosen_seconds;
  if (reason != NULL)
    *reason = g_strdup (data->chosen_reason);
  return TRUE;
}

typedef struct
{
  LdRoom       *room;
  LdModeration  action;
  char         *target;
  char         *username;
  guint         seconds;
  char         *reason;
} Moderation;

static void
moderation_free (Moderation *m)
{
  g_clear_object (&m->room);
  g_free (m->target);
  g_free (m->username);
  g_free (m->reason);
  g_free (m);
}

/* "Could not ban Lan: " and the reason it was refused for. */
static void
return_refusal (GTask        *task,
                const GError *error)
{
  Moderation *m = g_task_get_task_data (task);
  const char *who = m->username != NULL ? m->username : m->target;
  g_autofree char *text = NULL;

  switch (m->action)
    {
    case LD_MODERATION_DELETE:
      /* Translators: %s is why it was refused (the server's or the rank rule's words). */
      text = g_strdup_printf (_("Could not delete the message: %s"), error->message);
      break;
    case LD_MODERATION_TIMEOUT:
      /* Translators: %s is a username, then why it was refused. */
      text = g_strdup_printf (_("Could not time out %s: %s"), who, error->message);
      break;
    case LD_MODERATION_BAN:
      text = g_strdup_printf (_("Could not ban %s: %s"), who, error->message);
      break;
    case LD_MODERATION_UNBAN:
    default:
      text = g_strdup_printf (_("Could not unban %s: %s"), who, error->message);
      break;
    }
  g_task_return_new_error (task, error->domain, error->code, "%s", text);
}

static void
on_moderated (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Moderation *m = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  const char *who = m->username != NULL ? m->username : m->target;

  if (!ld_room_moderate_finish (LD_ROOM (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        return_refusal (task, error);
      return;
    }

  switch (m->action)
    {
    case LD_MODERATION_DELETE:
      g_task_return_pointer (task, g_strdup (_("The message is deleted")), g_free);
      break;
    case LD_MODERATION_TIMEOUT:
      if (m->seconds > 0)
        {
          g_autofree char *duration = describe_duration (m->seconds);

          /* Translators: "Lan is timed out for 10 minutes". */
          g_task_return_pointer (task, g_strdup_printf (_("%s is timed out for %s"), who, duration), g_free);
        }
      else
        g_task_return_pointer (task, g_strdup_printf (_("%s is timed out"), who), g_free);
      break;
    case LD_MODERATION_BAN:
      g_task_return_pointer (task, g_strdup_printf (_("%s is banned"), who), g_free);
      break;
    case LD_MODERATION_UNBAN:
    default:
      g_task_return_pointer (task, g_strdup_printf (_("%s is unbanned"), who), g_free);
      break;
    }
}

static void
send_moderation (GTask *task)
{
  Moderation *m = g_task_get_task_data (task);

  ld_room_moderate_async (m->room, m->action, m->target, m->seconds, m->reason,
                          g_task_get_cancellable (task), on_moderated, task);
}

static void
on_asked (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  Moderation *m = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  guint seconds = 0;
  char *reason = NULL;

  if (!ld_moderation_dialog_run_finish (result, &seconds, &reason, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  m->seconds = seconds;
  g_free (m->reason);
  m->reason = reason;
  send_moderation (task);
}

void
ld_moderation_dialog_moderate_async (GtkWindow           *parent,
                                     LdRoom              *room,
                                     LdModeration         action,
                                     const char          *target,
                                     const char          *username,
                                     guint                seconds,
                                     const char          *reason,
                                     gboolean             ask,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;
  Moderation *m;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (GTK_IS_WINDOW (parent));
  g_return_if_fail (LD_IS_ROOM (room));
  g_return_if_fail (target != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_moderation_dialog_moderate_async);
  m = g_new0 (Moderation, 1);
  m->room = g_object_ref (room);
  m->action = action;
  m->target = g_strdup (target);
  m->username = g_strdup (username);
  m->seconds = seconds;
  m->reason = g_strdup (reason);
  g_task_set_task_data (task, m, (GDestroyNotify) moderation_free);

  /* Before asking anything: the server would refuse it for the same reason. */
  if ((action == LD_MODERATION_TIMEOUT || action == LD_MODERATION_BAN) &&
      !ld_room_check_sanction (room, target, &error))
    {
      return_refusal (task, error);
      g_object_unref (task);
      return;
    }
  if (ask && action != LD_MODERATION_DELETE)
    ld_moderation_dialog_run_async (parent, action, username != NULL ? username : target, seconds, reason,
                                    cancellable, on_asked, task);
  else
    send_moderation (task);
}

char *
ld_moderation_dialog_moderate_finish (GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
