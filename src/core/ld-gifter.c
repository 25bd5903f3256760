/* ld-gifter.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-gifter-private.h"

struct _LdGifter
{
  GObject  parent_instance;

  char    *sender_id;
  char    *sender_name;
  double   total_value;
  guint    n_gifts;
};

G_DEFINE_FINAL_TYPE (LdGifter, ld_gifter, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SENDER_ID,
  PROP_SENDER_NAME,
  PROP_TOTAL_VALUE,
  PROP_N_GIFTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ld_gifter_finalize (GObject *object)
{
  LdGifter *self = (LdGifter *)object;

  g_free (self->sender_id);
  g_free (self->sender_name);

  G_OBJECT_CLASS (ld_gifter_parent_class)->finalize (object);
}

static void
ld_gifter_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  LdGifter *self = LD_GIFTER (object);

  switch (prop_id)
    {
    case PROP_SENDER_ID:
      g_value_set_string (value, self->sender_id);
      break;
    case PROP_SENDER_NAME:
      g_value_set_string (value, self->sender_name);
      break;
    case PROP_TOTAL_VALUE:
      g_value_set_double (value, self->total_value);
      break;
    case PROP_N_GIFTS:
      g_value_set_uint (value, self->n_gifts);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_gifter_class_init (LdGifterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ld_gifter_finalize;
  object_class->get_property = ld_gifter_get_property;

  properties[PROP_SENDER_ID] = g_param_spec_string ("sender-id", NULL, NULL, NULL, flags);
  properties[PROP_SENDER_NAME] = g_param_spec_string ("sender-name", NULL, NULL, NULL, flags);
  properties[PROP_TOTAL_VALUE] = g_param_spec_double ("total-value", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_N_GIFTS] = g_param_spec_uint ("n-gifts", NULL, NULL, 0, G_MAXUINT, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ld_gifter_init (LdGifter *self)
{
}

LdGifter *
_ld_gifter_new (const char *sender_id)
{
  LdGifter *self = g_object_new (LD_TYPE_GIFTER, NULL);

  self->sender_id = g_strdup (sender_id);
  self->sender_name = g_strdup (sender_id);

  return self;
}

void
_ld_gifter_add (LdGifter *self,
                LdGift   *gift)
{
  const char *name = ld_gift_get_sender_name (gift);

  g_object_freeze_notify (G_OBJECT (self));

  if (name != NULL && g_strcmp0 (name, self->sender_name) != 0)
    {
      g_free (self->sender_name);
      self->sender_name = g_strdup (name);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SENDER_NAME]);
    }

  self->total_value += ld_gift_get_value (gift) * ld_gift_get_quantity (gift);
  self->n_gifts = self->n_gifts > G_MAXUINT - ld_gift_get_quantity (gift) ? G_MAXUINT
                                                                           : self->n_gifts + ld_gift_get_quantity (gift);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL_VALUE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_GIFTS]);

  g_object_thaw_notify (G_OBJECT (self));
}

const char *
ld_gifter_get_sender_id (LdGifter *self)
{
  g_return_val_if_fail (LD_IS_GIFTER (self), NULL);
  return self->sender_id;
}

const char *
ld_gifter_get_sender_name (LdGifter *self)
{
  g_return_val_if_fail (LD_IS_GIFTER (self), NULL);
  return self->sender_name;
}

double
ld_gifter_get_total_value (LdGifter *self)
{
  g_return_val_if_fail (LD_IS_GIFTER (self), 0);
  return self->total_value;
}

guint
ld_gifter_get_n_gifts (LdGifter *self)
{
  g_return_val_if_fail (LD_IS_GIFTER (self), 0);
  return self->n_gifts;
}
