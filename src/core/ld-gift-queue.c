/* ld-gift-queue.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-gift-queue.h"
#include "ld-real-clock.h"

typedef enum
{
  STATE_IDLE,
  STATE_PLAYING,
  STATE_GAP,
} State;

typedef struct
{
  LdGift   *gift;
  gint64    last_arrival;
  gboolean  priority;
  /* A replayed alert: new gifts do not merge into it. */
  gboolean  replay;
} Alert;

struct _LdGiftQueue
{
  GObject   parent_instance;

  LdClock    *clock;
  GQueue      waiting;
  /* The waiting alerts' gifts in the same order, for a view of the line. */
  GListStore *waiting_model;
  Alert    *current;
  Alert    *last_finished;

  State     state;
  guint     timer_id;
  gint64    timer_due;
  /* What was left of the playing alert or the gap when paused. */
  gint64    remaining;
  gboolean  paused;

  double    priority_threshold;
  guint     combo_window;
  guint     gap;
};

G_DEFINE_FINAL_TYPE (LdGiftQueue, ld_gift_queue, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLOCK,
  PROP_CURRENT,
  PROP_N_WAITING,
  PROP_PAUSED,
  PROP_PRIORITY_THRESHOLD,
  PROP_COMBO_WINDOW,
  PROP_GAP,
  N_PROPS
};

enum {
  GIFT_RECEIVED,
  ALERT_STARTED,
  ALERT_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static Alert *
alert_new (LdGift   *gift,
           gint64    arrival,
           gboolean  priority,
           gboolean  replay)
{
  Alert *alert = g_new0 (Alert, 1);

  alert->gift = g_object_ref (gift);
  alert->last_arrival = arrival;
  alert->priority = priority;
  alert->replay = replay;

  return alert;
}

static void
alert_free (Alert *alert)
{
  g_object_unref (alert->gift);
  g_free (alert);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Alert, alert_free)

static void on_timer (gpointer data);

static void
arm (LdGiftQueue *self,
     gint64       ms)
{
  g_assert (self->timer_id == 0);

  ms = CLAMP (ms, 0, G_MAXUINT);
  self->timer_due = ld_clock_get_time_ms (self->clock) + ms;
  self->timer_id = ld_clock_add_timeout (self->clock, (guint) ms, on_timer, self, NULL);
}

static void
disarm (LdGiftQueue *self)
{
  ld_clock_remove (self->clock, self->timer_id);
  self->timer_id = 0;
}

static void
try_start (LdGiftQueue *self)
{
  Alert *alert;

  if (self->paused || self->state != STATE_IDLE || g_queue_is_empty (&self->waiting))
    return;

  alert = g_queue_pop_head (&self->waiting);
  g_list_store_remove (self->waiting_model, 0);
  self->current = alert;
  self->state = STATE_PLAYING;
  arm (self, ld_gift_get_duration_ms (alert->gift));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_WAITING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT]);
  g_signal_emit (self, signals[ALERT_STARTED], 0, alert->gift);
}

static void
finish_current (LdGiftQueue *self)
{
  g_autoptr(LdGift) gift = NULL;

  g_assert (self->current != NULL);

  g_clear_pointer (&self->last_finished, alert_free);
  self->last_finished = g_steal_pointer (&self->current);
  gift = g_object_ref (self->last_finished->gift);

  if (self->gap == 0)
    self->state = STATE_IDLE;
  else
    {
      self->state = STATE_GAP;
      if (self->paused)
        self->remaining = self->gap;
      else
        arm (self, self->gap);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT]);
  g_signal_emit (self, signals[ALERT_FINISHED], 0, gift);

  try_start (self);
}

static void
on_timer (gpointer data)
{
  g_autoptr(LdGiftQueue) self = g_object_ref (data);

  self->timer_id = 0;

  if (self->state == STATE_PLAYING)
    finish_current (self);
  else if (self->state == STATE_GAP)
    {
      self->state = STATE_IDLE;
      try_start (self);
    }
}

static void
ld_gift_queue_constructed (GObject *object)
{
  LdGiftQueue *self = (LdGiftQueue *)object;

  G_OBJECT_CLASS (ld_gift_queue_parent_class)->constructed (object);

  if (self->clock == NULL)
    self->clock = ld_real_clock_new ();
}

static void
ld_gift_queue_dispose (GObject *object)
{
  LdGiftQueue *self = (LdGiftQueue *)object;

  if (self->clock != NULL)
    disarm (self);
  g_queue_clear_full (&self->waiting, (GDestroyNotify) alert_free);
  g_list_store_remove_all (self->waiting_model);
  g_clear_pointer (&self->current, alert_free);
  g_clear_pointer (&self->last_finished, alert_free);
  g_clear_object (&self->clock);

  G_OBJECT_CLASS (ld_gift_queue_parent_class)->dispose (object);
}

static void
ld_gift_queue_finalize (GObject *object)
{
  LdGiftQueue *self = (LdGiftQueue *)object;

  g_clear_object (&self->waiting_model);

  G_OBJECT_CLASS (ld_gift_queue_parent_class)->finalize (object);
}

static void
ld_gift_queue_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LdGiftQueue *self = LD_GIFT_QUEUE (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;
    case PROP_CURRENT:
      g_value_set_object (value, ld_gift_queue_get_current (self));
      break;
    case PROP_N_WAITING:
      g_value_set_uint (value, self->waiting.length);
      break;
    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
      break;
    case PROP_PRIORITY_THRESHOLD:
      g_value_set_double (value, self->priority_threshold);
      break;
    case PROP_COMBO_WINDOW:
      g_value_set_uint (value, self->combo_window);
      break;
    case PROP_GAP:
      g_value_set_uint (value, self->gap);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_gift_queue_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LdGiftQueue *self = LD_GIFT_QUEUE (object);

  switch (prop_id)
    {
    case PROP_CLOCK:
      self->clock = g_value_dup_object (value);
      break;
    case PROP_PAUSED:
      if (g_value_get_boolean (value))
        ld_gift_queue_pause (self);
      else
        ld_gift_queue_resume (self);
      break;
    case PROP_PRIORITY_THRESHOLD:
      ld_gift_queue_set_priority_threshold (self, g_value_get_double (value));
      break;
    case PROP_COMBO_WINDOW:
      ld_gift_queue_set_combo_window (self, g_value_get_uint (value));
      break;
    case PROP_GAP:
      ld_gift_queue_set_gap (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_gift_queue_class_init (LdGiftQueueClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = ld_gift_queue_constructed;
  object_class->dispose = ld_gift_queue_dispose;
  object_class->finalize = ld_gift_queue_finalize;
  object_class->get_property = ld_gift_queue_get_property;
  object_class->set_property = ld_gift_queue_set_property;

  properties[PROP_CLOCK] =
    g_param_spec_object ("clock", NULL, NULL, LD_TYPE_CLOCK,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURRENT] =
    g_param_spec_object ("current", NULL, NULL, LD_TYPE_GIFT, ro);
  properties[PROP_N_WAITING] =
    g_param_spec_uint ("n-waiting", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL, FALSE, rw);
  properties[PROP_PRIORITY_THRESHOLD] =
    g_param_spec_double ("priority-threshold", NULL, NULL, 0, G_MAXDOUBLE, 0, rw);
  properties[PROP_COMBO_WINDOW] =
    g_param_spec_uint ("combo-window", NULL, NULL, 0, 60000, LD_GIFT_QUEUE_DEFAULT_COMBO_WINDOW_MS, rw);
  properties[PROP_GAP] =
    g_param_spec_uint ("gap", NULL, NULL, 0, 60000, LD_GIFT_QUEUE_DEFAULT_GAP_MS, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[GIFT_RECEIVED] =
    g_signal_new ("gift-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LD_TYPE_GIFT);
  signals[ALERT_STARTED] =
    g_signal_new ("alert-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LD_TYPE_GIFT);
  signals[ALERT_FINISHED] =
    g_signal_new ("alert-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LD_TYPE_GIFT);
}

static void
ld_gift_queue_init (LdGiftQueue *self)
{
  g_queue_init (&self->waiting);
  self->waiting_model = g_list_store_new (LD_TYPE_GIFT);
  self->combo_window = LD_GIFT_QUEUE_DEFAULT_COMBO_WINDOW_MS;
  self->gap = LD_GIFT_QUEUE_DEFAULT_GAP_MS;
}

LdGiftQueue *
ld_gift_queue_new (LdClock *clock)
{
  g_return_val_if_fail (clock == NULL || LD_IS_CLOCK (clock), NULL);

  return g_object_new (LD_TYPE_GIFT_QUEUE, "clock", clock, NULL);
}

static gboolean
combines (LdGiftQueue *self,
          Alert       *alert,
          LdGift      *gift,
          gint64       now)
{
  return !alert->replay &&
         alert->gift != gift &&
         now - alert->last_arrival <= self->combo_window &&
         g_strcmp0 (ld_gift_get_sender_id (alert->gift), ld_gift_get_sender_id (gift)) == 0 &&
         g_strcmp0 (ld_gift_get_gift_id (alert->gift), ld_gift_get_gift_id (gift)) == 0;
}

LdGift *
ld_gift_queue_push (LdGiftQueue *self,
                    LdGift      *gift)
{
  Alert *target = NULL;
  gboolean priority;
  gint64 now;

  g_return_val_if_fail (LD_IS_GIFT_QUEUE (self), NULL);
  g_return_val_if_fail (LD_IS_GIFT (gift), NULL);

  now = ld_clock_get_time_ms (self->clock);
  g_signal_emit (self, signals[GIFT_RECEIVED], 0, gift);

  if (self->combo_window > 0)
    {
      for (GList *l = self->waiting.tail; l != NULL && target == NULL; l = l->prev)
        if (combines (self, l->data, gift, now))
          target = l->data;

      if (target == NULL && self->current != NULL && combines (self, self->current, gift, now))
        target = self->current;
    }

  if (target != NULL)
    {
      target->last_arrival = now;
      ld_gift_merge (target->gift, gift);
      return target->gift;
    }

  priority = self->priority_threshold > 0 &&
             ld_gift_get_value (gift) * ld_gift_get_quantity (gift) >= self->priority_threshold;

  if (priority)
    {
      GList *l = self->waiting.head;
      guint position = 0;

      while (l != NULL && ((Alert *) l->data)->priority)
        {
          l = l->next;
          position++;
        }

      if (l == NULL)
        g_queue_push_tail (&self->waiting, alert_new (gift, now, TRUE, FALSE));
      else
        g_queue_insert_before (&self->waiting, l, alert_new (gift, now, TRUE, FALSE));
      g_list_store_insert (self->waiting_model, position, gift);
    }
  else
    {
      g_queue_push_tail (&self->waiting, alert_new (gift, now, FALSE, FALSE));
      g_list_store_append (self->waiting_model, gift);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_WAITING]);
  try_start (self);

  return gift;
}

LdGift *
ld_gift_queue_get_current (LdGiftQueue *self)
{
  g_return_val_if_fail (LD_IS_GIFT_QUEUE (self), NULL);

  return self->current != NULL ? self->current->gift : NULL;
}

guint
ld_gift_queue_get_n_waiting (LdGiftQueue *self)
{
  g_return_val_if_fail (LD_IS_GIFT_QUEUE (self), 0);

  return self->waiting.length;
}

GListModel *
ld_gift_queue_get_waiting (LdGiftQueue *self)
{
  g_return_val_if_fail (LD_IS_GIFT_QUEUE (self), NULL);

  return G_LIST_MODEL (self->waiting_model);
}

LdGift *
ld_gift_queue_peek_waiting (LdGiftQueue *self,
                            guint        position)
{
  Alert *alert;

  g_return_val_if_fail (LD_IS_GIFT_QUEUE (self), NULL);

  alert = g_queue_peek_nth (&self->waiting, position);
  return alert != NULL ? alert->gift : NULL;
}

gboolean
ld_gift_queue_get_paused (LdGiftQueue *self)
{
  g_return_val_if_fail (LD_IS_GIFT_QUEUE (self), FALSE);

  return self->paused;
}

void
ld_gift_queue_pause (LdGiftQueue *self)
{
  g_return_if_fail (LD_IS_GIFT_QUEUE (self));

  if (self->paused)
    return;

  self->paused = TRUE;
  if (self->timer_id != 0)
    {
      self->remaining = MAX (0, self->timer_due - ld_clock_get_time_ms (self->clock));
      disarm (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

void
ld_gift_queue_resume (LdGiftQueue *self)
{
  g_return_if_fail (LD_IS_GIFT_QUEUE (self));

  if (!self->paused)
    return;

  self->paused = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);

  if (self->state != STATE_IDLE)
    arm (self, self->remaining);
  else
    try_start (self);
}

gboolean
ld_gift_queue_skip (LdGiftQueue *self)
{
  g_return_val_if_fail (LD_IS_GIFT_QUEUE (self), FALSE);

  if (self->current == NULL)
    return FALSE;

  disarm (self);
  finish_current (self);

  return TRUE;
}

gboolean
ld_gift_queue_replay (LdGiftQueue *self)
{
  g_return_val_if_fail (LD_IS_GIFT_QUEUE (self), FALSE);

  if (self->last_finished == NULL)
    return FALSE;

  g_queue_push_head (&self->waiting, alert_new (self->last_finished->gift, G_MININT64 / 2, FALSE, TRUE));
  g_list_store_insert (self->waiting_model, 0, self->last_finished->gift);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_WAITING]);
  try_start (self);

  return TRUE;
}

void
ld_gift_queue_clear (LdGiftQueue *self)
{
  g_return_if_fail (LD_IS_GIFT_QUEUE (self));

  if (g_queue_is_empty (&self->waiting))
    return;

  g_queue_clear_full (&self->waiting, (GDestroyNotify) alert_free);
  g_list_store_remove_all (self->waiting_model);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_WAITING]);
}

double
ld_gift_queue_get_priority_threshold (LdGiftQueue *self)
{
  g_return_val_if_fail (LD_IS_GIFT_QUEUE (self), 0);

  return self->priority_threshold;
}

void
ld_gift_queue_set_priority_threshold (LdGiftQueue *self,
                                      double       threshold)
{
  g_return_if_fail (LD_IS_GIFT_QUEUE (self));
  g_return_if_fail (threshold >= 0);

  if (self->priority_threshold == threshold)
    return;

  self->priority_threshold = threshold;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRIORITY_THRESHOLD]);
}

guint
ld_gift_queue_get_combo_window (LdGiftQueue *self)
{
  g_return_val_if_fail (LD_IS_GIFT_QUEUE (self), 0);

  return self->combo_window;
}

void
ld_gift_queue_set_combo_window (LdGiftQueue *self,
                                guint        ms)
{
  g_return_if_fail (LD_IS_GIFT_QUEUE (self));

  if (self->combo_window == ms)
    return;

  self->combo_window = ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMBO_WINDOW]);
}

guint
ld_gift_queue_get_gap (LdGiftQueue *self)
{
  g_return_val_if_fail (LD_IS_GIFT_QUEUE (self), 0);

  return self->gap;
}

/* Takes effect from the next gap on. */
void
ld_gift_queue_set_gap (LdGiftQueue *self,
                       guint        ms)
{
  g_return_if_fail (LD_IS_GIFT_QUEUE (self));

  if (self->gap == ms)
    return;

  self->gap = ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GAP]);
}
