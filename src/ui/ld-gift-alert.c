/* ld-gift-alert.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>

#include "ld-config.h"
#include "ld-gift-alert.h"

struct _LdGiftAlert
{
  GtkWidget  parent_instance;

  GtkWidget *card;
  GtkImage  *icon;
  GtkLabel  *title_label;
  GtkLabel  *count_label;
  GtkLabel  *from_label;
  GtkLabel  *message_label;

  LdGift    *gift;
  gulong     count_handler;
  const char *animation;
};

G_DEFINE_FINAL_TYPE (LdGiftAlert, ld_gift_alert, GTK_TYPE_WIDGET)

static const struct {
  const char *name;
  const char *icon;
} animations[] = {
  { "default", "emblem-favorite-symbolic" },
  { "fireworks", "star-new-symbolic" },
  { "hearts", "emblem-favorite-symbolic" },
  { "stars", "starred-symbolic" },
  { "rainbow", "weather-clear-symbolic" },
};

/* The keyframes live in style.css; how long they run comes from the core, so
 * the stage and the queue's timer can never disagree. */
static void
ensure_durations (GdkDisplay *display)
{
  static GQuark quark;
  g_autoptr(GString) css = g_string_new (NULL);
  GtkCssProvider *provider;

  if (quark == 0)
    quark = g_quark_from_static_string ("ld-gift-alert-durations");
  if (display == NULL || g_object_get_qdata (G_OBJECT (display), quark) != NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (animations); i++)
    g_string_append_printf (css, "giftalert.gift-anim-%s > .gift-alert-card { animation-duration: %ums; }\n",
                            animations[i].name, ld_gift_animation_duration_ms (animations[i].name));

  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider, css->str, -1);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_set_qdata_full (G_OBJECT (display), quark, provider, g_object_unref);
}

static void
update_count (LdGiftAlert *self)
{
  g_autofree char *text = NULL;

  /* Translators: how many of a gift an alert shows, a combo included: "×3". */
  text = g_strdup_printf (_("×%u"), ld_gift_get_count (self->gift));
  gtk_label_set_text (self->count_label, text);
}

static void
set_gift (LdGiftAlert *self,
          LdGift      *gift)
{
  const char *animation = ld_gift_get_animation (gift);
  const char *receiver = ld_gift_get_receiver_name (gift);
  const char *message = ld_gift_get_message (gift);
  const char *icon = animations[0].icon;
  g_autofree char *css_class = NULL;
  g_autofree char *from = NULL;

  self->gift = g_object_ref (gift);
  self->animation = animations[0].name;
  for (guint i = 0; i < G_N_ELEMENTS (animations); i++)
    if (g_strcmp0 (animation, animations[i].name) == 0)
      {
        self->animation = animations[i].name;
        icon = animations[i].icon;
      }

  css_class = g_strconcat ("gift-anim-", self->animation, NULL);
  gtk_widget_add_css_class (GTK_WIDGET (self), css_class);
  gtk_image_set_from_icon_name (self->icon, icon);

  gtk_label_set_text (self->title_label, ld_gift_get_gift_name (gift));
  if (receiver == NULL || *receiver == '\0')
    receiver = ld_gift_get_receiver_id (gift);
  if (receiver != NULL && *receiver != '\0')
    /* Translators: on a gift alert: the sender, then the receiver. */
    from = g_strdup_printf (_("%s → %s"), ld_gift_get_sender_name (gift), receiver);
  else
    /* Translators: on a gift alert with no receiver named: the sender. */
    from = g_strdup_printf (_("from %s"), ld_gift_get_sender_name (gift));
  gtk_label_set_text (self->from_label, from);

  /* User text: plain, never markup. */
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL && *message != '\0');

  update_count (self);
  self->count_handler = g_signal_connect_object (gift, "notify::count", G_CALLBACK (update_count), self,
                                                 G_CONNECT_SWAPPED);
}

static void
ld_gift_alert_root (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ld_gift_alert_parent_class)->root (widget);

  ensure_durations (gtk_widget_get_display (widget));
}

static void
ld_gift_alert_dispose (GObject *object)
{
  LdGiftAlert *self = LD_GIFT_ALERT (object);

  if (self->gift != NULL)
    g_clear_signal_handler (&self->count_handler, self->gift);
  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_GIFT_ALERT);
  g_clear_object (&self->gift);

  G_OBJECT_CLASS (ld_gift_alert_parent_class)->dispose (object);
}

static void
ld_gift_alert_class_init (LdGiftAlertClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_gift_alert_dispose;
  widget_class->root = ld_gift_alert_root;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "giftalert");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/ui/ld-gift-alert.ui");
  gtk_widget_class_bind_template_child (widget_class, LdGiftAlert, card);
  gtk_widget_class_bind_template_child (widget_class, LdGiftAlert, icon);
  gtk_widget_class_bind_template_child (widget_class, LdGiftAlert, title_label);
  gtk_widget_class_bind_template_child (widget_class, LdGiftAlert, count_label);
  gtk_widget_class_bind_template_child (widget_class, LdGiftAlert, from_label);
  gtk_widget_class_bind_template_child (widget_class, LdGiftAlert, message_label);
}

static void
ld_gift_alert_init (LdGiftAlert *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ld_gift_alert_new (LdGift *gift)
{
  LdGiftAlert *self;

  g_return_val_if_fail (LD_IS_GIFT (gift), NULL);

  self = g_object_new (LD_TYPE_GIFT_ALERT, NULL);
  set_gift (self, gift);
  return GTK_WIDGET (self);
}

LdGift *
ld_gift_alert_get_gift (LdGiftAlert *self)
{
  g_return_val_if_fail (LD_IS_GIFT_ALERT (self), NULL);
  return self->gift;
}

const char *
ld_gift_alert_get_animation (LdGiftAlert *self)
{
  g_return_val_if_fail (LD_IS_GIFT_ALERT (self), NULL);
  return self->animation;
}

const char *
ld_gift_alert_get_title_text (LdGiftAlert *self)
{
  g_return_val_if_fail (LD_IS_GIFT_ALERT (self), NULL);
  return gtk_label_get_text (self->title_label);
}

const char *
ld_gift_alert_get_count_text (LdGiftAlert *self)
{
  g_return_val_if_fail (LD_IS_GIFT_ALERT (self), NULL);
  return gtk_label_get_text (self->count_label);
}

const char *
ld_gift_alert_get_from_text (LdGiftAlert *self)
{
  g_return_val_if_fail (LD_IS_GIFT_ALERT (self), NULL);
  return gtk_label_get_text (self->from_label);
}

const char *
ld_gift_alert_get_message_text (LdGiftAlert *self)
{
  g_return_val_if_fail (LD_IS_GIFT_ALERT (self), NULL);
  return gtk_label_get_text (self->message_label);
}
