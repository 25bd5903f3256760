/* ld-chat-model.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-chat-model.h"
#include "ld-payload.h"

/* The timeline: messages and presence lines, a ring like the messages'. */
#define LD_TYPE_CHAT_TIMELINE (ld_chat_timeline_get_type ())
G_DECLARE_FINAL_TYPE (LdChatTimeline, ld_chat_timeline, LD, CHAT_TIMELINE, GObject)

struct _LdChatTimeline
{
  GObject   parent_instance;

  GObject **ring;
  guint     alloc;
  guint     head;
  guint     count;
};

static GType
ld_chat_timeline_get_item_type (GListModel *model)
{
  return G_TYPE_OBJECT;
}

static guint
ld_chat_timeline_get_n_items (GListModel *model)
{
  return LD_CHAT_TIMELINE (model)->count;
}

static gpointer
ld_chat_timeline_get_item (GListModel *model,
                           guint       position)
{
  LdChatTimeline *self = LD_CHAT_TIMELINE (model);

  if (position >= self->count)
    return NULL;
  return g_object_ref (self->ring[(self->head + position) % self->alloc]);
}

static void
ld_chat_timeline_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ld_chat_timeline_get_item_type;
  iface->get_n_items = ld_chat_timeline_get_n_items;
  iface->get_item = ld_chat_timeline_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (LdChatTimeline, ld_chat_timeline, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, ld_chat_timeline_list_model_init))

/* Drops the N oldest entries, without signalling. */
static void
timeline_drop_oldest (LdChatTimeline *self,
                      guint           n)
{
  g_assert (n <= self->count);

  for (guint i = 0; i < n; i++)
    {
      g_clear_object (&self->ring[self->head]);
      self->head = (self->head + 1) % self->alloc;
      self->count--;
    }
}

static void
timeline_relayout (LdChatTimeline *self,
                   guint           new_alloc)
{
  GObject **ring;

  new_alloc = MAX (new_alloc, 1);
  g_assert (new_alloc >= self->count);

  ring = g_new0 (GObject *, new_alloc);
  for (guint i = 0; i < self->count; i++)
    ring[i] = self->ring[(self->head + i) % self->alloc];
  g_free (self->ring);
  self->ring = ring;
  self->alloc = new_alloc;
  self->head = 0;
}

/* Publishes BATCH (at most CAPACITY entries) as the messages are: a tenth
 * dropped at once when full, then the batch added at the end. */
static void
timeline_publish (LdChatTimeline *self,
                  GPtrArray      *batch,
                  guint           capacity)
{
  guint dropped;
  guint position;

  if (batch->len == 0)
    return;

  if (self->count + batch->len > capacity)
    {
      dropped = MIN (self->count, MAX (self->count + batch->len - capacity, capacity / 10));
      timeline_drop_oldest (self, dropped);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, dropped, 0);
    }
  if (self->count + batch->len > self->alloc)
    timeline_relayout (self, MIN (capacity, MAX (MAX (self->alloc * 2, 64), self->count + batch->len)));

  position = self->count;
  for (guint i = 0; i < batch->len; i++)
    {
      self->ring[(self->head + self->count) % self->alloc] = g_object_ref (g_ptr_array_index (batch, i));
      self->count++;
    }
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, batch->len);
}

/* Keeps the newest CAPACITY entries. */
static void
timeline_trim (LdChatTimeline *self,
               guint           capacity)
{
  guint dropped = self->count > capacity ? self->count - capacity : 0;

  timeline_drop_oldest (self, dropped);
  if (self->alloc > capacity)
    timeline_relayout (self, capacity);
  if (dropped > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, dropped, 0);
}

static void
ld_chat_timeline_finalize (GObject *object)
{
  LdChatTimeline *self = LD_CHAT_TIMELINE (object);

  for (guint i = 0; i < self->count; i++)
    g_object_unref (self->ring[(self->head + i) % self->alloc]);
  g_free (self->ring);

  G_OBJECT_CLASS (ld_chat_timeline_parent_class)->finalize (object);
}

static void
ld_chat_timeline_class_init (LdChatTimelineClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_chat_timeline_finalize;
}

static void
ld_chat_timeline_init (LdChatTimeline *self)
{
}

struct _LdChatModel
{
  GObject       parent_instance;

  /* The published messages: a ring of `count` starting at `head`, grown by
   * doubling up to `capacity` so a small room does not pay for 10,000 slots. */
  LdMessage   **ring;
  guint         alloc;
  guint         head;
  guint         count;
  guint         capacity;

  GPtrArray    *pending;
  GSource      *flush_source;
  /* Set while flush() emits, so a handler that appends and flushes leaves
   * its messages for the next batch instead of changing the ring under us. */
  gboolean      flushing;
  GMainContext *context;

  /* Unowned values: every message in the ring or pending is indexed here. */
  GHashTable   *by_id;
  GHashTable   *by_local;
  /* Our own messages still waiting for the server, oldest first (unowned). */
  /* The session's, which knows our pending messages to match echoes. */
  LdOutbox     *outbox;

  LdChatTimeline *timeline;
  /* Entries waiting for the next flush, in order (owned). */
  GPtrArray    *timeline_pending;
  /* The newest line of each kind, while it may grow, and the newest entry. */
  LdPresenceLine *open_lines[2];
  GObject      *last_entry;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LdChatModel, ld_chat_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

enum {
  PROP_0,
  PROP_CAPACITY,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  BATCH_PENDING,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GType
ld_chat_model_get_item_type (GListModel *model)
{
  return LD_TYPE_MESSAGE;
}

static guint
ld_chat_model_get_n_items (GListModel *model)
{
  return LD_CHAT_MODEL (model)->count;
}

static gpointer
ld_chat_model_get_item (GListModel *model,
                        guint       position)
{
  LdChatModel *self = LD_CHAT_MODEL (model);

  if (position >= self->count)
    return NULL;

  return g_object_ref (self->ring[(self->head + position) % self->alloc]);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = ld_chat_model_get_item_type;
  iface->get_n_items = ld_chat_model_get_n_items;
  iface->get_item = ld_chat_model_get_item;
}

static void
index_message (LdChatModel *self,
               LdMessage   *message)
{
  const char *id = ld_message_get_id (message);
  const char *local_id = ld_message_get_local_id (message);

  if (id != NULL)
    g_hash_table_replace (self->by_id, g_strdup (id), message);
  if (local_id != NULL)
    g_hash_table_replace (self->by_local, g_strdup (local_id), message);
}

static void
unindex_message (LdChatModel *self,
                 LdMessage   *message)
{
  const char *id = ld_message_get_id (message);
  const char *local_id = ld_message_get_local_id (message);

  if (id != NULL && g_hash_table_lookup (self->by_id, id) == message)
    g_hash_table_remove (self->by_id, id);
  if (local_id != NULL && g_hash_table_lookup (self->by_local, local_id) == message)
    {
      g_hash_table_remove (self->by_local, local_id);
    }
}

/* Copies the ring into a new array of NEW_ALLOC slots, oldest at 0. */
static void
relayout (LdChatModel *self,
          guint        new_alloc)
{
  LdMessage **ring;

  g_assert (new_alloc >= self->count);

  if (new_alloc == 0)
    new_alloc = 1;

  ring = g_new0 (LdMessage *, new_alloc);
  for (guint i = 0; i < self->count; i++)
    ring[i] = self->ring[(self->head + i) % self->alloc];

  g_free (self->ring);
  self->ring = ring;
  self->alloc = new_alloc;
  self->head = 0;
}

/* Drops the N oldest published messages, without signalling. */
static void
drop_oldest (LdChatModel *self,
             guint        n)
{
  g_assert (n <= self->count);

  for (guint i = 0; i < n; i++)
    {
      LdMessage *message = self->ring[self->head];

      self->ring[self->head] = NULL;
      self->head = (self->head + 1) % self->alloc;
      self->count--;
      unindex_message (self, message);
      g_object_unref (message);
    }
}

/* Forgets the oldest pending messages beyond the capacity: they would be
 * dropped by the next flush anyway, and a model nobody flushes must not grow. */
static void
trim_pending (LdChatModel *self)
{
  guint excess;

  if (self->pending->len <= self->capacity)
    return;

  excess = self->pending->len - self->capacity;
  for (guint i = 0; i < excess; i++)
    unindex_message (self, g_ptr_array_index (self->pending, i));
  g_ptr_array_remove_range (self->pending, 0, excess);
}

static void
trim_timeline_pending (LdChatModel *self)
{
  if (self->timeline_pending->len > self->capacity)
    g_ptr_array_remove_range (self->timeline_pending, 0, self->timeline_pending->len - self->capacity);
}

/* Something new goes into the timeline at the next flush. */
static void
push_entry (LdChatModel *self,
            GObject     *entry)
{
  g_ptr_array_add (self->timeline_pending, g_object_ref (entry));
  g_set_object (&self->last_entry, entry);
  if (self->timeline_pending->len >= 2 * self->capacity)
    trim_timeline_pending (self);
}

static void
close_lines (LdChatModel *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->open_lines); i++)
    {
      if (self->open_lines[i] != NULL)
        ld_presence_line_seal (self->open_lines[i]);
      g_clear_object (&self->open_lines[i]);
    }
  g_clear_object (&self->last_entry);
}

static void
cancel_flush (LdChatModel *self)
{
  if (self->flush_source != NULL)
    {
      g_source_destroy (self->flush_source);
      g_clear_pointer (&self->flush_source, g_source_unref);
    }
}

void
ld_chat_model_flush (LdChatModel *self)
{
  g_autoptr(GPtrArray) batch = NULL;
  g_autoptr(GPtrArray) timeline_batch = NULL;
  guint dropped = 0;
  guint position;

  g_return_if_fail (LD_IS_CHAT_MODEL (self));

  if (self->flushing)
    return;

  cancel_flush (self);

  if (self->pending->len == 0 && self->timeline_pending->len == 0)
    return;

  self->flushing = TRUE;
  trim_pending (self);
  trim_timeline_pending (self);
  batch = g_steal_pointer (&self->pending);
  self->pending = g_ptr_array_new_with_free_func (g_object_unref);
  timeline_batch = g_steal_pointer (&self->timeline_pending);
  self->timeline_pending = g_ptr_array_new_with_free_func (g_object_unref);

  if (batch->len == 0)
    goto timeline;

  if (self->count + batch->len > self->capacity)
    {
      /* A full ring drops at least a tenth of itself at once, not just what
       * this batch needs: a removal at the top costs a GtkListView (4.8) a
       * re-layout of everything it shows, which at 2,000 messages/s every
       * batch made a stall of its own. */
      dropped = MIN (self->count, MAX (self->count + batch->len - self->capacity, self->capacity / 10));
      drop_oldest (self, dropped);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, dropped, 0);
    }

  if (self->count + batch->len > self->alloc)
    relayout (self, MIN (self->capacity, MAX (MAX (self->alloc * 2, 64), self->count + batch->len)));

  position = self->count;
  for (guint i = 0; i < batch->len; i++)
    {
      self->ring[(self->head + self->count) % self->alloc] = g_object_ref (g_ptr_array_index (batch, i));
      self->count++;
    }

  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, batch->len);
  if (dropped != batch->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);

timeline:
  timeline_publish (self->timeline, timeline_batch, self->capacity);
  self->flushing = FALSE;
}

gboolean
ld_chat_model_get_batch_pending (LdChatModel *self)
{
  g_return_val_if_fail (LD_IS_CHAT_MODEL (self), FALSE);

  /* Scheduled with the batch's first append, gone once it is published. */
  return self->flush_source != NULL;
}

static gboolean
on_flush_timeout (gpointer data)
{
  LdChatModel *self = data;

  g_clear_pointer (&self->flush_source, g_source_unref);
  ld_chat_model_flush (self);

  return G_SOURCE_REMOVE;
}

static void
ld_chat_model_dispose (GObject *object)
{
  LdChatModel *self = (LdChatModel *)object;

  cancel_flush (self);

  G_OBJECT_CLASS (ld_chat_model_parent_class)->dispose (object);
}

static void
ld_chat_model_finalize (GObject *object)
{
  LdChatModel *self = (LdChatModel *)object;

  for (guint i = 0; i < self->count; i++)
    g_object_unref (self->ring[(self->head + i) % self->alloc]);
  g_free (self->ring);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->by_local, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->outbox);
  close_lines (self);
  g_clear_pointer (&self->timeline_pending, g_ptr_array_unref);
  g_clear_object (&self->timeline);

  G_OBJECT_CLASS (ld_chat_model_parent_class)->finalize (object);
}

static void
ld_chat_model_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LdChatModel *self = LD_CHAT_MODEL (object);

  switch (prop_id)
    {
    case PROP_CAPACITY:
      g_value_set_uint (value, self->capacity);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_chat_model_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LdChatModel *self = LD_CHAT_MODEL (object);

  switch (prop_id)
    {
    case PROP_CAPACITY:
      ld_chat_model_set_capacity (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_chat_model_class_init (LdChatModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ld_chat_model_dispose;
  object_class->finalize = ld_chat_model_finalize;
  object_class->get_property = ld_chat_model_get_property;
  object_class->set_property = ld_chat_model_set_property;

  properties[PROP_CAPACITY] =
    g_param_spec_uint ("capacity", NULL, NULL, 1, G_MAXUINT32 / 2, LD_CHAT_MODEL_DEFAULT_CAPACITY,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[BATCH_PENDING] = g_signal_new ("batch-pending", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ld_chat_model_init (LdChatModel *self)
{
  self->capacity = LD_CHAT_MODEL_DEFAULT_CAPACITY;
  self->pending = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->by_local = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->context = g_main_context_ref_thread_default ();
  self->timeline = g_object_new (LD_TYPE_CHAT_TIMELINE, NULL);
  self->timeline_pending = g_ptr_array_new_with_free_func (g_object_unref);
}

LdChatModel *
ld_chat_model_new (void)
{
  return g_object_new (LD_TYPE_CHAT_MODEL, NULL);
}

guint
ld_chat_model_get_capacity (LdChatModel *self)
{
  g_return_val_if_fail (LD_IS_CHAT_MODEL (self), 0);

  return self->capacity;
}

void
ld_chat_model_set_capacity (LdChatModel *self,
                            guint        capacity)
{
  guint dropped = 0;

  g_return_if_fail (LD_IS_CHAT_MODEL (self));
  g_return_if_fail (capacity >= 1);
  g_return_if_fail (!self->flushing);

  if (capacity == self->capacity)
    return;

  ld_chat_model_flush (self);

  if (self->count > capacity)
    {
      dropped = self->count - capacity;
      drop_oldest (self, dropped);
    }
  if (self->alloc > capacity)
    relayout (self, capacity);

  self->capacity = capacity;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPACITY]);
  timeline_trim (self->timeline, capacity);

  if (dropped > 0)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), 0, dropped, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
}

static void
schedule_flush (LdChatModel *self)
{
  if (self->flush_source != NULL)
    return;

  self->flush_source = g_timeout_source_new (LD_CHAT_MODEL_FLUSH_INTERVAL_MS);
  g_source_set_static_name (self->flush_source, "[livedesk] chat model flush");
  g_source_set_callback (self->flush_source, on_flush_timeout, self, NULL);
  g_source_attach (self->flush_source, self->context);
  g_signal_emit (self, signals[BATCH_PENDING], 0);
}

gboolean
ld_chat_model_append (LdChatModel *self,
                      LdMessage   *message)
{
  const char *id, *local_id;

  g_return_val_if_fail (LD_IS_CHAT_MODEL (self), FALSE);
  g_return_val_if_fail (LD_IS_MESSAGE (message), FALSE);

  id = ld_message_get_id (message);
  local_id = ld_message_get_local_id (message);
  if ((id != NULL && g_hash_table_contains (self->by_id, id)) ||
      (local_id != NULL && g_hash_table_contains (self->by_local, local_id)))
    return FALSE;

  /* The server's broadcast of a message of ours confirms our copy. */
  if (id != NULL && local_id == NULL && self->outbox != NULL)
    {
      g_autoptr(LdMessage) mine = ld_outbox_take_echo (self->outbox, message);

      if (mine != NULL && g_hash_table_lookup (self->by_local, ld_message_get_local_id (mine)) == mine)
        {
          ld_message_mark_sent (mine, id, ld_message_get_timestamp (message));
          g_hash_table_replace (self->by_id, g_strdup (id), mine);
          return FALSE;
        }
    }

  g_ptr_array_add (self->pending, g_object_ref (message));
  push_entry (self, G_OBJECT (message));
  index_message (self, message);

  if (self->pending->len >= 2 * self->capacity)
    trim_pending (self);

  schedule_flush (self);
  return TRUE;
}

LdMessage *
ld_chat_model_lookup (LdChatModel *self,
                      const char  *message_id)
{
  g_return_val_if_fail (LD_IS_CHAT_MODEL (self), NULL);

  if (message_id == NULL)
    return NULL;

  return g_hash_table_lookup (self->by_id, message_id);
}

LdMessage *
ld_chat_model_lookup_local (LdChatModel *self,
                            const char  *local_id)
{
  g_return_val_if_fail (LD_IS_CHAT_MODEL (self), NULL);

  if (local_id == NULL)
    return NULL;

  return g_hash_table_lookup (self->by_local, local_id);
}

gboolean
ld_chat_model_mark_sent (LdChatModel *self,
                         const char  *local_id,
                         const char  *message_id,
                         GDateTime   *timestamp)
{
  LdMessage *message;
  const char *old_id;

  g_return_val_if_fail (LD_IS_CHAT_MODEL (self), FALSE);
  g_return_val_if_fail (message_id != NULL, FALSE);

  message = ld_chat_model_lookup_local (self, local_id);
  if (message == NULL)
    return FALSE;

  old_id = ld_message_get_id (message);
  if (old_id != NULL && g_hash_table_lookup (self->by_id, old_id) == message)
    g_hash_table_remove (self->by_id, old_id);

  ld_message_mark_sent (message, message_id, timestamp);
  g_hash_table_replace (self->by_id, g_strdup (message_id), message);

  return TRUE;
}

void
ld_chat_model_set_outbox (LdChatModel *self,
                          LdOutbox    *outbox)
{
  g_return_if_fail (LD_IS_CHAT_MODEL (self));
  g_return_if_fail (outbox == NULL || LD_IS_OUTBOX (outbox));

  g_set_object (&self->outbox, outbox);
}

gboolean
ld_chat_model_retry (LdChatModel *self,
                     const char  *local_id)
{
  LdMessage *message;

  g_return_val_if_fail (LD_IS_CHAT_MODEL (self), FALSE);

  message = ld_chat_model_lookup_local (self, local_id);
  if (message == NULL || ld_message_get_state (message) != LD_MESSAGE_STATE_FAILED)
    return FALSE;

  ld_message_mark_pending (message);

  return TRUE;
}

gboolean
ld_chat_model_delete_message (LdChatModel *self,
                              const char  *message_id,
                              const char  *by)
{
  LdMessage *message;

  g_return_val_if_fail (LD_IS_CHAT_MODEL (self), FALSE);

  message = ld_chat_model_lookup (self, message_id);
  if (message == NULL)
    return FALSE;

  ld_message_mark_deleted (message, by);
  return TRUE;
}

gboolean
ld_chat_model_apply_deleted (LdChatModel *self,
                             JsonObject  *payload,
                             GError     **error)
{
  g_autofree char *message_id = NULL;
  g_autofree char *by = NULL;

  g_return_val_if_fail (LD_IS_CHAT_MODEL (self), FALSE);
  g_return_val_if_fail (payload != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!ld_payload_get_id (payload, "messageDeleted", "messageId", TRUE, &message_id, error) ||
      !ld_payload_get_id (payload, "messageDeleted", "by", FALSE, &by, error))
    return FALSE;

  return ld_chat_model_delete_message (self, message_id, by);
}

void
ld_chat_model_clear (LdChatModel *self)
{
  guint removed;

  g_return_if_fail (LD_IS_CHAT_MODEL (self));
  g_return_if_fail (!self->flushing);

  cancel_flush (self);
  for (guint i = 0; i < self->pending->len; i++)
    unindex_message (self, g_ptr_array_index (self->pending, i));
  g_ptr_array_set_size (self->pending, 0);

  removed = self->count;
  drop_oldest (self, removed);
  g_hash_table_remove_all (self->by_id);
  g_hash_table_remove_all (self->by_local);
  close_lines (self);
  g_ptr_array_set_size (self->timeline_pending, 0);

  if (removed > 0)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  timeline_trim (self->timeline, 0);
}

GListModel *
ld_chat_model_get_timeline (LdChatModel *self)
{
  g_return_val_if_fail (LD_IS_CHAT_MODEL (self), NULL);
  return G_LIST_MODEL (self->timeline);
}

LdPresenceLine *
ld_chat_model_add_presence (LdChatModel    *self,
                            LdPresenceKind  kind,
                            const char     *user_id,
                            const char     *username,
                            GDateTime      *when)
{
  g_autoptr(GDateTime) now = NULL;
  LdPresenceLine *line;

  g_return_val_if_fail (LD_IS_CHAT_MODEL (self), NULL);
  g_return_val_if_fail (kind == LD_PRESENCE_JOINED || kind == LD_PRESENCE_LEFT, NULL);
  g_return_val_if_fail (user_id != NULL, NULL);

  if (when == NULL)
    when = now = g_date_time_new_now_utc ();

  line = self->open_lines[kind];
  if (line != NULL && G_OBJECT (line) != self->last_entry &&
      ABS (g_date_time_difference (when, ld_presence_line_get_timestamp (line))) >
        (GTimeSpan) LD_CHAT_MODEL_PRESENCE_WINDOW_MS * 1000)
    {
      ld_presence_line_seal (line);
      g_clear_object (&self->open_lines[kind]);
      line = NULL;
    }

  if (line == NULL)
    {
      line = ld_presence_line_new (kind, when);
      self->open_lines[kind] = line;
      push_entry (self, G_OBJECT (line));
      schedule_flush (self);
    }

  ld_presence_line_add (line, user_id, username);
  return line;
}
