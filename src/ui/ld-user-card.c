/* ld-user-card.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <glib/gi18n.h>

#include "ld-chat-row.h"
#include "ld-message.h"
#include "ld-moderation-log.h"
#include "ld-user-card.h"

struct _LdUserCard
{
  GtkPopover  parent_instance;

  AdwAvatar  *avatar;
  GtkLabel   *name_label;
  GtkLabel   *role_label;
  GtkLabel   *id_label;
  GtkBox     *recent_box;
  GtkWidget  *actions_box;
  GtkWidget  *timeout_button;
  GtkWidget  *ban_button;
  char       *timeout_tooltip;  /* the template's, shown when it is offered */
  GtkButton  *hide_button;
  GtkBox     *sanctions_box;
  GtkWidget  *unban_button;
  GtkButton  *highlight_button;

  char       *user_id;
  guint       n_recent;
  gboolean    streamer_mode;
};

G_DEFINE_FINAL_TYPE (LdUserCard, ld_user_card, GTK_TYPE_POPOVER)

enum {
  PROP_0,
  PROP_STREAMER_MODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Moderators need the id (the CLI and support work by id); a stream must
 * not show it. */
static void
update_id (LdUserCard *self)
{
  g_autofree char *text = NULL;

  if (self->user_id != NULL && !self->streamer_mode)
    /* Translators: a user's id on the platform, in their card. */
    text = g_strdup_printf (_("ID: %s"), self->user_id);
  gtk_label_set_text (self->id_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->id_label), text != NULL);
}

static void
ld_user_card_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LdUserCard *self = LD_USER_CARD (object);

  switch (prop_id)
    {
    case PROP_STREAMER_MODE: g_value_set_boolean (value, self->streamer_mode); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_user_card_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  LdUserCard *self = LD_USER_CARD (object);

  switch (prop_id)
    {
    case PROP_STREAMER_MODE: ld_user_card_set_streamer_mode (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
on_timeout_clicked (LdUserCard *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.moderate-user", "(ssu)", "timeout", self->user_id, 600);
  gtk_popover_popdown (GTK_POPOVER (self));
}

static void
on_ban_clicked (LdUserCard *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.moderate-user", "(ssu)", "ban", self->user_id, 0);
  gtk_popover_popdown (GTK_POPOVER (self));
}

static void
on_unban_clicked (LdUserCard *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.moderate-user", "(ssu)", "unban", self->user_id, 0);
  gtk_popover_popdown (GTK_POPOVER (self));
}

static void
on_highlight_clicked (LdUserCard *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toggle-highlighted-user", "s", self->user_id);
  gtk_popover_popdown (GTK_POPOVER (self));
}

static void
on_hide_clicked (LdUserCard *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.toggle-hidden-user", "s", self->user_id);
  gtk_popover_popdown (GTK_POPOVER (self));
}

static void
ld_user_card_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), LD_TYPE_USER_CARD);

  G_OBJECT_CLASS (ld_user_card_parent_class)->dispose (object);
}

/* Opened, the card gives focus to its first focusable child, the id
 * (selectable, so that it can be copied), and a label given focus that way
 * selects all of itself: the id showed highlighted, as if the user had
 * selected it, with a caret in it. The first focus goes on to the next
 * child; Tab back still reaches the id. */
static gboolean
ld_user_card_focus (GtkWidget        *widget,
                    GtkDirectionType  direction)
{
  LdUserCard *self = LD_USER_CARD (widget);
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (widget));
  gboolean opening = focus == NULL || !gtk_widget_is_ancestor (focus, widget);
  gboolean focused = GTK_WIDGET_CLASS (ld_user_card_parent_class)->focus (widget, direction);

  if (opening && gtk_widget_has_focus (GTK_WIDGET (self->id_label)))
    {
      gtk_label_select_region (self->id_label, 0, 0);
      focused = GTK_WIDGET_CLASS (ld_user_card_parent_class)->focus (widget, GTK_DIR_TAB_FORWARD);
    }
  return focused;
}

static void
ld_user_card_finalize (GObject *object)
{
  LdUserCard *self = LD_USER_CARD (object);

  g_clear_pointer (&self->user_id, g_free);
  g_clear_pointer (&self->timeout_tooltip, g_free);

  G_OBJECT_CLASS (ld_user_card_parent_class)->finalize (object);
}

static void
ld_user_card_class_init (LdUserCardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_user_card_dispose;
  object_class->finalize = ld_user_card_finalize;
  object_class->get_property = ld_user_card_get_property;
  object_class->set_property = ld_user_card_set_property;
  widget_class->focus = ld_user_card_focus;

  properties[PROP_STREAMER_MODE] =
    g_param_spec_boolean ("streamer-mode", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/livedesk/Livedesk/ui/ld-user-card.ui");
  gtk_widget_class_bind_template_child (widget_class, LdUserCard, avatar);
  gtk_widget_class_bind_template_child (widget_class, LdUserCard, name_label);
  gtk_widget_class_bind_template_child (widget_class, LdUserCard, role_label);
  gtk_widget_class_bind_template_child (widget_class, LdUserCard, id_label);
  gtk_widget_class_bind_template_child (widget_class, LdUserCard, recent_box);
  gtk_widget_class_bind_template_child (widget_class, LdUserCard, actions_box);
  gtk_widget_class_bind_template_child (widget_class, LdUserCard, timeout_button);
  gtk_widget_class_bind_template_child (widget_class, LdUserCard, ban_button);
  gtk_widget_class_bind_template_child (widget_class, LdUserCard, hide_button);
  gtk_widget_class_bind_template_child (widget_class, LdUserCard, sanctions_box);
  gtk_widget_class_bind_template_child (widget_class, LdUserCard, unban_button);
  gtk_widget_class_bind_template_callback (widget_class, on_unban_clicked);
  gtk_widget_class_bind_template_child (widget_class, LdUserCard, highlight_button);
  gtk_widget_class_bind_template_callback (widget_class, on_highlight_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_timeout_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_ban_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_hide_clicked);
}

static void
ld_user_card_init (LdUserCard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->timeout_tooltip = g_strdup (gtk_widget_get_tooltip_text (self->timeout_button));
}

static GtkWidget *
plain_label (const char *text,
             const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  /* Names, reasons and messages are strangers' text: never markup. */
  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

/* A scrolled window asks for its scrollbar's length (54 px) even when it
 * holds one short line, and the card showed a blank gap under a single
 * message. CONTENT scrolls only where it may not fit: measured at its own
 * natural width, the narrowest the card gives it and so its tallest. */
static void
fit_scroller (GtkBox *content)
{
  GtkScrolledWindow *scroller = GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (content),
                                                                              GTK_TYPE_SCROLLED_WINDOW));
  int width, height;

  gtk_widget_measure (GTK_WIDGET (content), GTK_ORIENTATION_HORIZONTAL, -1, NULL, &width, NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (content), GTK_ORIENTATION_VERTICAL, width, NULL, &height, NULL, NULL);
  gtk_scrolled_window_set_policy (scroller, GTK_POLICY_NEVER,
                                  height > gtk_scrolled_window_get_max_content_height (scroller)
                                  ? GTK_POLICY_AUTOMATIC : GTK_POLICY_NEVER);
}

GtkWidget *
ld_user_card_new (const char *user_id,
                  const char *username,
                  LdRole      role,
                  GListModel *chat,
                  gboolean    can_moderate,
                  gboolean    hidden)
{
  LdUserCard *self;
  const char *badge = ld_role_badge_label (role);
  LdMessage *recent[LD_USER_CARD_RECENT] = { NULL };
  guint n = chat ? g_list_model_get_n_items (chat) : 0;
  guint found = 0;

  g_return_val_if_fail (user_id != NULL, NULL);

  self = g_object_new (LD_TYPE_USER_CARD, NULL);
  self->user_id = g_strdup (user_id);

  adw_avatar_set_text (self->avatar, username);
  gtk_label_set_text (self->name_label, username);
  gtk_label_set_text (self->role_label, badge ? badge : "");
  gtk_widget_set_visible (GTK_WIDGET (self->role_label), badge != NULL);
  update_id (self);
  gtk_widget_set_visible (self->actions_box, can_moderate);
  gtk_button_set_label (self->hide_button, hidden ? _("Show Their Messages") : _("Hide Their Messages"));
  ld_user_card_set_highlighted (self, FALSE);

  for (guint i = n; i > 0 && found < LD_USER_CARD_RECENT; i--)
    {
      LdMessage *message = g_list_model_get_item (chat, i - 1);

      if (g_strcmp0 (ld_message_get_user_id (message), user_id) == 0)
        recent[found++] = message;
      else
        g_object_unref (message);
    }

  /* Oldest first, as in the chat. */
  for (guint i = found; i > 0; i--)
    {
      LdMessage *message = recent[i - 1];
      const char *text = ld_message_get_message_type (message) == LD_MESSAGE_TYPE_IMAGE
                         ? ld_message_get_image_url (message) : ld_message_get_text (message);
      gboolean deleted = ld_message_get_state (message) == LD_MESSAGE_STATE_DELETED;

      gtk_box_append (self->recent_box, plain_label (text ? text : "", deleted ? "dim-label" : NULL));
      g_object_unref (message);
    }
  self->n_recent = found;

  if (found == 0)
    gtk_box_append (self->recent_box, plain_label (_("No messages in this chat yet"), "dim-label"));
  fit_scroller (self->recent_box);

  return GTK_WIDGET (self);
}

void
ld_user_card_set_refusal (LdUserCard *self,
                          const char *why)
{
  g_return_if_fail (LD_IS_USER_CARD (self));

  /* Greyed out rather than hidden, with the reason where the pointer is. */
  gtk_widget_set_sensitive (self->timeout_button, why == NULL);
  gtk_widget_set_sensitive (self->ban_button, why == NULL);
  gtk_widget_set_tooltip_text (self->timeout_button, why != NULL ? why : self->timeout_tooltip);
  gtk_widget_set_tooltip_text (self->ban_button, why);
}

guint
ld_user_card_get_n_recent (LdUserCard *self)
{
  g_return_val_if_fail (LD_IS_USER_CARD (self), 0);
  return self->n_recent;
}

void
ld_user_card_set_streamer_mode (LdUserCard *self,
                                gboolean    streamer_mode)
{
  g_return_if_fail (LD_IS_USER_CARD (self));

  streamer_mode = !!streamer_mode;
  if (self->streamer_mode == streamer_mode)
    return;
  self->streamer_mode = streamer_mode;
  update_id (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STREAMER_MODE]);
}

void
ld_user_card_set_sanctions (LdUserCard *self,
                            GPtrArray  *entries,
                            gboolean    can_moderate)
{
  GtkWidget *child;
  gboolean banned = FALSE;
  gboolean decided = FALSE;

  g_return_if_fail (LD_IS_USER_CARD (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->sanctions_box))) != NULL)
    gtk_box_remove (self->sanctions_box, child);

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      LdModerationEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *what = ld_moderation_entry_describe (entry);
      g_autoptr(GDateTime) local = g_date_time_to_local (ld_moderation_entry_get_when (entry));
      g_autofree char *when = g_date_time_format (local, "%x %H:%M");
      g_autofree char *line = NULL;
      LdModerationAction action = ld_moderation_entry_get_action (entry);

      /* The newest ban or unban says whether they are banned now. */
      if (!decided && (action == LD_MODERATION_ACTION_BAN || action == LD_MODERATION_ACTION_UNBAN))
        {
          banned = action == LD_MODERATION_ACTION_BAN;
          decided = TRUE;
        }
      if (ld_moderation_entry_get_reason (entry) != NULL)
        /* Translators: a sanction in the user card: time, what, then “reason”. */
        line = g_strdup_printf (_("%s · %s: “%s”"), when, what, ld_moderation_entry_get_reason (entry));
      else
        line = g_strdup_printf ("%s · %s", when, what);
      gtk_box_append (self->sanctions_box, plain_label (line, "caption"));
    }
  if (entries == NULL || entries->len == 0)
    gtk_box_append (self->sanctions_box, plain_label (_("No sanctions here"), "dim-label"));
  fit_scroller (self->sanctions_box);

  gtk_widget_set_visible (self->unban_button, can_moderate && banned);
}

guint
ld_user_card_get_n_sanctions (LdUserCard *self)
{
  guint n = 0;

  g_return_val_if_fail (LD_IS_USER_CARD (self), 0);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->sanctions_box)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += !gtk_widget_has_css_class (child, "dim-label");
  return n;
}

void
ld_user_card_add_room_messages (LdUserCard *self,
                                const char *room_name,
                                GListModel *chat)
{
  guint n;
  guint found = 0;
  GtkWidget *heading;
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);

  g_return_if_fail (LD_IS_USER_CARD (self));
  g_return_if_fail (room_name != NULL && G_IS_LIST_MODEL (chat));

  n = g_list_model_get_n_items (chat);
  for (guint i = n; i > 0 && found < LD_USER_CARD_RECENT; i--)
    {
      g_autoptr(GObject) item = g_list_model_get_item (chat, i - 1);
      const char *text;

      if (!LD_IS_MESSAGE (item) || g_strcmp0 (ld_message_get_user_id (LD_MESSAGE (item)), self->user_id) != 0)
        continue;
      text = ld_message_get_message_type (LD_MESSAGE (item)) == LD_MESSAGE_TYPE_IMAGE
             ? ld_message_get_image_url (LD_MESSAGE (item)) : ld_message_get_text (LD_MESSAGE (item));
      g_ptr_array_insert (lines, 0, g_strdup (text != NULL ? text : ""));
      found++;
    }
  if (found == 0)
    return;

  /* Translators: in the user card, above their messages in another open room. */
  heading = plain_label (room_name, "caption-heading");
  gtk_widget_set_margin_top (heading, 6);
  gtk_box_append (self->recent_box, heading);
  for (guint i = 0; i < lines->len; i++)
    gtk_box_append (self->recent_box, plain_label (g_ptr_array_index (lines, i), NULL));
  self->n_recent += found;
  fit_scroller (self->recent_box);
}

void
ld_user_card_set_highlighted (LdUserCard *self,
                              gboolean    highlighted)
{
  g_return_if_fail (LD_IS_USER_CARD (self));

  gtk_button_set_label (self->highlight_button,
                        highlighted ? _("Stop Highlighting Them") : _("Highlight Their Messages"));
}
