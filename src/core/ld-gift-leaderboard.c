/* ld-gift-leaderboard.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-gift-leaderboard.h"
#include "ld-gifter-private.h"

struct _LdGiftLeaderboard
{
  GObject     parent_instance;

  GPtrArray  *items;
  GHashTable *by_sender;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LdGiftLeaderboard, ld_gift_leaderboard, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
ld_gift_leaderboard_get_item_type (GListModel *model)
{
  return LD_TYPE_GIFTER;
}

static guint
ld_gift_leaderboard_get_n_items (GListModel *model)
{
  return LD_GIFT_LEADERBOARD (model)->items->len;
}

static gpointer
ld_gift_leaderboard_get_item (GListModel *model,
                              guint       position)
{
  LdGiftLeaderboard *self = LD_GIFT_LEADERBOARD (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = ld_gift_leaderboard_get_item_type;
  iface->get_n_items = ld_gift_leaderboard_get_n_items;
  iface->get_item = ld_gift_leaderboard_get_item;
}

static void
ld_gift_leaderboard_finalize (GObject *object)
{
  LdGiftLeaderboard *self = (LdGiftLeaderboard *)object;

  g_clear_pointer (&self->by_sender, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);

  G_OBJECT_CLASS (ld_gift_leaderboard_parent_class)->finalize (object);
}

static void
ld_gift_leaderboard_class_init (LdGiftLeaderboardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ld_gift_leaderboard_finalize;
}

static void
ld_gift_leaderboard_init (LdGiftLeaderboard *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_sender = g_hash_table_new (g_str_hash, g_str_equal);
}

LdGiftLeaderboard *
ld_gift_leaderboard_new (void)
{
  return g_object_new (LD_TYPE_GIFT_LEADERBOARD, NULL);
}

LdGifter *
ld_gift_leaderboard_add (LdGiftLeaderboard *self,
                         LdGift            *gift)
{
  LdGifter *gifter;
  guint position, target;
  double total;

  g_return_val_if_fail (LD_IS_GIFT_LEADERBOARD (self), NULL);
  g_return_val_if_fail (LD_IS_GIFT (gift), NULL);

  gifter = g_hash_table_lookup (self->by_sender, ld_gift_get_sender_id (gift));
  if (gifter == NULL)
    {
      gifter = _ld_gifter_new (ld_gift_get_sender_id (gift));
      _ld_gifter_add (gifter, gift);
      total = ld_gifter_get_total_value (gifter);

      /* After everyone with as much: they got there first. */
      target = 0;
      while (target < self->items->len && ld_gifter_get_total_value (g_ptr_array_index (self->items, target)) >= total)
        target++;

      g_hash_table_insert (self->by_sender, (gpointer) ld_gifter_get_sender_id (gifter), gifter);
      g_ptr_array_insert (self->items, target, gifter);
      g_list_model_items_changed (G_LIST_MODEL (self), target, 0, 1);
      return gifter;
    }

  if (!g_ptr_array_find (self->items, gifter, &position))
    g_assert_not_reached ();

  _ld_gifter_add (gifter, gift);
  total = ld_gifter_get_total_value (gifter);

  /* Totals only grow, so a gifter only ever moves up, past those now below. */
  target = position;
  while (target > 0 && ld_gifter_get_total_value (g_ptr_array_index (self->items, target - 1)) < total)
    target--;

  if (target != position)
    {
      g_ptr_array_steal_index (self->items, position);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
      g_ptr_array_insert (self->items, target, gifter);
      g_list_model_items_changed (G_LIST_MODEL (self), target, 0, 1);
    }

  return gifter;
}

LdGifter *
ld_gift_leaderboard_lookup (LdGiftLeaderboard *self,
                            const char        *sender_id)
{
  g_return_val_if_fail (LD_IS_GIFT_LEADERBOARD (self), NULL);

  if (sender_id == NULL)
    return NULL;

  return g_hash_table_lookup (self->by_sender, sender_id);
}

void
ld_gift_leaderboard_clear (LdGiftLeaderboard *self)
{
  guint removed;

  g_return_if_fail (LD_IS_GIFT_LEADERBOARD (self));

  removed = self->items->len;
  g_hash_table_remove_all (self->by_sender);
  g_ptr_array_set_size (self->items, 0);

  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
}
