/* ld-gift.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-backend.h"
#include "ld-gift.h"
#include "ld-payload.h"

#include <string.h>

struct _LdGift
{
  GObject    parent_instance;

  char      *tx_id;
  char      *room_id;
  char      *sender_id;
  char      *sender_name;
  char      *receiver_id;
  char      *receiver_name;
  char      *gift_id;
  char      *gift_name;
  char      *gift_type;
  char      *message;
  char      *animation;
  GDateTime *timestamp;
  double     value;
  guint      quantity;

  guint      count;
  guint      n_sends;
  double     total_value;
};

G_DEFINE_FINAL_TYPE (LdGift, ld_gift, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TX_ID,
  PROP_SENDER_ID,
  PROP_SENDER_NAME,
  PROP_GIFT_ID,
  PROP_GIFT_NAME,
  PROP_ANIMATION,
  PROP_VALUE,
  PROP_QUANTITY,
  PROP_MESSAGE,
  PROP_COUNT,
  PROP_TOTAL_VALUE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const struct {
  const char *animation;
  guint       duration_ms;
} durations[] = {
  { "default", 2000 },
  { "fireworks", 3000 },
  { "hearts", 2500 },
  { "stars", 2000 },
  { "rainbow", 4000 },
};

guint
ld_gift_animation_duration_ms (const char *animation)
{
  if (animation != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (durations); i++)
      if (strcmp (animation, durations[i].animation) == 0)
        return durations[i].duration_ms;

  return LD_GIFT_DURATION_DEFAULT_MS;
}

static void
ld_gift_finalize (GObject *object)
{
  LdGift *self = (LdGift *)object;

  g_free (self->tx_id);
  g_free (self->room_id);
  g_free (self->sender_id);
  g_free (self->sender_name);
  g_free (self->receiver_id);
  g_free (self->receiver_name);
  g_free (self->gift_id);
  g_free (self->gift_name);
  g_free (self->gift_type);
  g_free (self->message);
  g_free (self->animation);
  g_clear_pointer (&self->timestamp, g_date_time_unref);

  G_OBJECT_CLASS (ld_gift_parent_class)->finalize (object);
}

static void
ld_gift_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  LdGift *self = LD_GIFT (object);

  switch (prop_id)
    {
    case PROP_TX_ID:
      g_value_set_string (value, self->tx_id);
      break;
    case PROP_SENDER_ID:
      g_value_set_string (value, self->sender_id);
      break;
    case PROP_SENDER_NAME:
      g_value_set_string (value, self->sender_name);
      break;
    case PROP_GIFT_ID:
      g_value_set_string (value, self->gift_id);
      break;
    case PROP_GIFT_NAME:
      g_value_set_string (value, self->gift_name);
      break;
    case PROP_ANIMATION:
      g_value_set_string (value, self->animation);
      break;
    case PROP_VALUE:
      g_value_set_double (value, self->value);
      break;
    case PROP_QUANTITY:
      g_value_set_uint (value, self->quantity);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    case PROP_COUNT:
      g_value_set_uint (value, self->count);
      break;
    case PROP_TOTAL_VALUE:
      g_value_set_double (value, self->total_value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_gift_class_init (LdGiftClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ld_gift_finalize;
  object_class->get_property = ld_gift_get_property;

  properties[PROP_TX_ID] = g_param_spec_string ("tx-id", NULL, NULL, NULL, flags);
  properties[PROP_SENDER_ID] = g_param_spec_string ("sender-id", NULL, NULL, NULL, flags);
  properties[PROP_SENDER_NAME] = g_param_spec_string ("sender-name", NULL, NULL, NULL, flags);
  properties[PROP_GIFT_ID] = g_param_spec_string ("gift-id", NULL, NULL, NULL, flags);
  properties[PROP_GIFT_NAME] = g_param_spec_string ("gift-name", NULL, NULL, NULL, flags);
  properties[PROP_ANIMATION] = g_param_spec_string ("animation", NULL, NULL, NULL, flags);
  properties[PROP_VALUE] = g_param_spec_double ("value", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_QUANTITY] = g_param_spec_uint ("quantity", NULL, NULL, 1, 100, 1, flags);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, flags);
  properties[PROP_COUNT] = g_param_spec_uint ("count", NULL, NULL, 1, G_MAXUINT, 1, flags);
  properties[PROP_TOTAL_VALUE] = g_param_spec_double ("total-value", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ld_gift_init (LdGift *self)
{
  self->quantity = 1;
  self->count = 1;
  self->n_sends = 1;
}

LdGift *
ld_gift_new (const char *sender_id,
             const char *sender_name,
             const char *gift_id,
             const char *gift_name,
             const char *animation,
             double      value,
             guint       quantity)
{
  LdGift *self;

  g_return_val_if_fail (sender_id != NULL, NULL);
  g_return_val_if_fail (gift_id != NULL, NULL);
  g_return_val_if_fail (value >= 0 && value <= LD_GIFT_MAX_VALUE, NULL);
  g_return_val_if_fail (quantity >= 1, NULL);

  self = g_object_new (LD_TYPE_GIFT, NULL);
  self->sender_id = g_strdup (sender_id);
  self->sender_name = g_strdup (sender_name != NULL ? sender_name : sender_id);
  self->gift_id = g_strdup (gift_id);
  self->gift_name = g_strdup (gift_name != NULL ? gift_name : gift_id);
  self->animation = g_strdup (animation != NULL ? animation : "default");
  self->value = value;
  self->quantity = quantity;
  self->count = quantity;
  self->total_value = value * quantity;
  self->timestamp = g_date_time_new_now_utc ();

  return self;
}

LdGift *
ld_gift_new_from_json (JsonObject  *object,
                       GError     **error)
{
  const char *what = "newGift";
  g_autofree char *tx_id = NULL;
  g_autofree char *room_id = NULL;
  g_autofree char *sender_id = NULL;
  g_autofree char *receiver_id = NULL;
  g_autofree char *gift_id = NULL;
  g_autoptr(GDateTime) timestamp = NULL;
  const char *sender_name, *receiver_name, *gift_name, *gift_type, *message, *animation;
  double value;
  gint64 quantity;
  LdGift *self;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ld_payload_get_id (object, what, "giftTxId", FALSE, &tx_id, error) ||
      !ld_payload_get_id (object, what, "roomId", FALSE, &room_id, error) ||
      !ld_payload_get_id (object, what, "senderId", TRUE, &sender_id, error) ||
      !ld_payload_get_string (object, what, "senderName", FALSE, &sender_name, error) ||
      !ld_payload_get_id (object, what, "receiverId", FALSE, &receiver_id, error) ||
      !ld_payload_get_string (object, what, "receiverName", FALSE, &receiver_name, error) ||
      !ld_payload_get_id (object, what, "giftId", TRUE, &gift_id, error) ||
      !ld_payload_get_string (object, what, "giftName", FALSE, &gift_name, error) ||
      !ld_payload_get_string (object, what, "giftType", FALSE, &gift_type, error) ||
      !ld_payload_get_double (object, what, "giftValue", TRUE, 0, &value, error) ||
      !ld_payload_get_int (object, what, "quantity", FALSE, 1, &quantity, error) ||
      !ld_payload_get_string (object, what, "message", FALSE, &message, error) ||
      !ld_payload_get_string (object, what, "animation", FALSE, &animation, error) ||
      !ld_payload_get_datetime (object, what, "timestamp", FALSE, &timestamp, error))
    return NULL;

  /* The cap keeps sums of many combos finite and exact enough to rank. */
  if (value < 0 || value > LD_GIFT_MAX_VALUE)
    {
      g_set_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_INVALID_VALUE,
                   "%s: giftValue %g is not within 0–%g", what, value, LD_GIFT_MAX_VALUE);
      return NULL;
    }
  if (quantity < 1 || quantity > 100)
    {
      g_set_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_INVALID_VALUE,
                   "%s: quantity %" G_GINT64_FORMAT " is not within 1–100", what, quantity);
      return NULL;
    }

  self = ld_gift_new (sender_id, sender_name, gift_id, gift_name, animation, value, (guint) quantity);
  self->tx_id = g_steal_pointer (&tx_id);
  self->room_id = g_steal_pointer (&room_id);
  self->receiver_id = g_steal_pointer (&receiver_id);
  self->receiver_name = g_strdup (receiver_name);
  self->gift_type = g_strdup (gift_type);
  self->message = g_strdup (message);
  g_date_time_unref (self->timestamp);
  self->timestamp = g_steal_pointer (&timestamp);

  return self;
}

LdGift *
ld_gift_new_from_backend (JsonObject  *object,
                          GError     **error)
{
  const char *what = "giftFromBackend";
  JsonObject *fields;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Under data (the contract) or flat (the guide's publishGift). */
  fields = ld_backend_unwrap (object, LD_BACKEND_GIFT_SEND);
  if (fields == NULL)
    {
      g_set_error (error, LD_PAYLOAD_ERROR, LD_PAYLOAD_ERROR_INVALID_VALUE,
                   "%s: not a “%s”", what, LD_BACKEND_GIFT_SEND);
      return NULL;
    }

  return ld_gift_new_from_json (fields, error);
}

#define GETTER(type, name, fallback) \
  type \
  ld_gift_get_##name (LdGift *self) \
  { \
    g_return_val_if_fail (LD_IS_GIFT (self), fallback); \
    return self->name; \
  }

GETTER (const char *, tx_id, NULL)
GETTER (const char *, room_id, NULL)
GETTER (const char *, sender_id, NULL)
GETTER (const char *, sender_name, NULL)
GETTER (const char *, receiver_id, NULL)
GETTER (const char *, receiver_name, NULL)
GETTER (const char *, gift_id, NULL)
GETTER (const char *, gift_name, NULL)
GETTER (const char *, gift_type, NULL)
GETTER (double, value, 0)
GETTER (guint, quantity, 1)
GETTER (const char *, message, NULL)
GETTER (const char *, animation, NULL)
GETTER (GDateTime *, timestamp, NULL)
GETTER (guint, count, 1)
GETTER (double, total_value, 0)
GETTER (guint, n_sends, 1)

#undef GETTER

guint
ld_gift_get_duration_ms (LdGift *self)
{
  g_return_val_if_fail (LD_IS_GIFT (self), LD_GIFT_DURATION_DEFAULT_MS);

  return ld_gift_animation_duration_ms (self->animation);
}

void
ld_gift_merge (LdGift *self,
               LdGift *other)
{
  g_return_if_fail (LD_IS_GIFT (self));
  g_return_if_fail (LD_IS_GIFT (other));
  g_return_if_fail (self != other);

  self->count = self->count > G_MAXUINT - other->quantity ? G_MAXUINT : self->count + other->quantity;
  self->n_sends++;
  self->total_value += other->value * other->quantity;

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL_VALUE]);
  g_object_thaw_notify (G_OBJECT (self));
}
