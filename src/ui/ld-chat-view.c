/* ld-chat-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "ld-chat-row.h"
#include "ld-chat-view.h"
#include "ld-link.h"
#include "ld-rank.h"
#include "ld-composer.h"

/* The last rows of a list, as many as a limit allows (G_MAXUINT: all of
 * them), told to the list view as precisely as GtkListView needs to keep
 * the widgets of the rows that stay: the ring dropping its oldest outside
 * them changes nothing, an append drops as many at the front. */
#define LD_TYPE_CHAT_TAIL (ld_chat_tail_get_type ())
G_DECLARE_FINAL_TYPE (LdChatTail, ld_chat_tail, LD, CHAT_TAIL, GObject)

struct _LdChatTail
{
  GObject     parent_instance;

  GListModel *source;
  guint       limit;
  guint       offset;  /* in the source, of the first row shown */
  guint       n;
};

static void ld_chat_tail_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LdChatTail, ld_chat_tail, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, ld_chat_tail_model_init))

static GType
ld_chat_tail_get_item_type (GListModel *model)
{
  return G_TYPE_OBJECT;
}

static guint
ld_chat_tail_get_n_items (GListModel *model)
{
  return LD_CHAT_TAIL (model)->n;
}

static gpointer
ld_chat_tail_get_item (GListModel *model,
                       guint       position)
{
  LdChatTail *self = LD_CHAT_TAIL (model);

  return position < self->n ? g_list_model_get_item (self->source, self->offset + position) : NULL;
}

static void
ld_chat_tail_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ld_chat_tail_get_item_type;
  iface->get_n_items = ld_chat_tail_get_n_items;
  iface->get_item = ld_chat_tail_get_item;
}

/* Shows the last N rows, OFFSET being where they start in the source, and
 * says so; the rows shown are always the source's last. */
static void
tail_emit (LdChatTail *self,
           guint       n,
           guint       position,
           guint       removed,
           guint       added)
{
  self->n = n;
  self->offset = g_list_model_get_n_items (self->source) - n;
  if (removed > 0 || added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

static void
on_tail_source_changed (LdChatTail *self,
                        guint       position,
                        guint       removed,
                        guint       added,
                        GListModel *source)
{
  guint src_n = g_list_model_get_n_items (source);
  guint old_n = self->n;
  guint old_offset = self->offset;
  guint new_n = MIN (self->limit, src_n);
  guint interim = old_n - removed + added;

  if (self->limit == G_MAXUINT)
    tail_emit (self, new_n, position, removed, added);
  else if (position + removed <= old_offset)
    {
      /* Only before the rows shown: they stay, and only grow at the front. */
      tail_emit (self, new_n, 0, 0, new_n - old_n);
    }
  else if (removed == 0 && position == old_offset + old_n && interim >= new_n && interim - new_n <= old_n)
    {
      /* An append: the oldest shown go first, so that the list never
       * holds widgets for more rows than the limit. */
      guint drop = interim - new_n;

      self->n = old_n - drop;
      self->offset = old_offset + drop;
      if (drop > 0)
        g_list_model_items_changed (G_LIST_MODEL (self), 0, drop, 0);
      tail_emit (self, new_n, self->n, 0, added);
    }
  else
    tail_emit (self, new_n, 0, old_n, new_n);
}

static void
ld_chat_tail_set_limit (LdChatTail *self,
                        guint       limit)
{
  guint src_n = g_list_model_get_n_items (self->source);
  guint old_n = self->n;
  guint new_n = MIN (limit, src_n);

  if (self->limit == limit)
    return;
  self->limit = limit;
  /* The rows shown end with the source's last: only the front moves. */
  if (new_n >= old_n)
    tail_emit (self, new_n, 0, 0, new_n - old_n);
  else
    tail_emit (self, new_n, 0, old_n - new_n, 0);
}

static void
ld_chat_tail_dispose (GObject *object)
{
  LdChatTail *self = LD_CHAT_TAIL (object);

  if (self->source != NULL)
    g_signal_handlers_disconnect_by_func (self->source, on_tail_source_changed, self);
  g_clear_object (&self->source);

  G_OBJECT_CLASS (ld_chat_tail_parent_class)->dispose (object);
}

static void
ld_chat_tail_class_init (LdChatTailClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ld_chat_tail_dispose;
}

static void
ld_chat_tail_init (LdChatTail *self)
{
}

static LdChatTail *
ld_chat_tail_new (GListModel *source,
                  guint       limit)
{
  LdChatTail *self = g_object_new (LD_TYPE_CHAT_TAIL, NULL);

  self->source = g_object_ref (source);
  self->limit = limit;
  self->n = MIN (limit, g_list_model_get_n_items (source));
  self->offset = g_list_model_get_n_items (source) - self->n;
  g_signal_connect_swapped (source, "items-changed", G_CALLBACK (on_tail_source_changed), self);
  return self;
}

struct _LdChatView
{
  GtkWidget          parent_instance;

  GtkWidget         *box;
  GtkSearchBar      *search_bar;
  GtkSearchEntry    *search_entry;
  GtkStack          *content_stack;
  GtkScrolledWindow *scroller;
  GtkListView       *list_view;
  GtkRevealer       *new_revealer;
  GtkButton         *new_button;
  LdComposer        *composer;
  GMenuModel        *message_menu;
  GtkWidget         *menu_popover;

  LdChatModel       *model;
  GtkFilterListModel *filtered;
  /* What the list view shows: the whole filtered history while the user
   * reads back, only its last rows while the view follows the newest. */
  LdChatTail        *tail;
  int                min_row_height;  /* 0: none laid out yet */
  gboolean           scrollbar_hovered;
  GPtrArray         *spare_rows;
  GtkCustomFilter   *search_filter;
  char              *search_folded;
  GHashTable        *hidden_users;
  GHashTable        *highlighted_users;
  LdMessage         *context_message;
  gboolean           has_link_section;
  gboolean           has_refusal_item;
  char              *own_name;
  GStrv              highlight_words;

  double             last_value;
  guint              stick_tick;
  /* The model's pending batch goes out in the next frame (or the one
   * after, on a busy desk: flush_slot). The tick stays while batches keep
   * coming, so the frame clock keeps its pace. */
  guint              flush_tick;
  guint              flush_slot;
  guint              unseen;
  gboolean           sticky;
  gboolean           can_moderate;
  const char        *own_role;  /* static wire name; NULL: unknown */
  gboolean           clock_12h;
};

G_DEFINE_FINAL_TYPE (LdChatView, ld_chat_view, GTK_TYPE_WIDGET)

#define TAIL_MIN_ROWS 16
#define MAX_SPARE_ROWS 64
#define TAIL_SPARE_ROWS 2
/* A guess below any row's height until one is measured. */
#define MIN_ROW_HEIGHT_GUESS 18

enum {
  PROP_0,
  PROP_MODEL,
  PROP_CAN_MODERATE,
  PROP_STICKY,
  PROP_UNSEEN,
  N_PROPS
};

enum {
  RETRY,
  MODERATE,
  USER_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Anchors the list on its last row, bottom-aligned. Setting the adjustment's
 * value instead makes GtkListView 4.8 look the offset up in row heights it
 * has only estimated, which fails ("failed to scroll to given position") or
 * lands on unmeasured rows it then creates and measures, when the ring has
 * just dropped rows at the top and the upper bound is stale. */
static void
scroll_to_bottom (LdChatView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->tail));

  if (n > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", n - 1);
}

/* Rows that fill the visible height, with a few to spare. */
static guint
tail_rows (LdChatView *self)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->scroller);
  double page = gtk_adjustment_get_page_size (adj);

  int min_height = self->min_row_height > 0 ? self->min_row_height : MIN_ROW_HEIGHT_GUESS;

  /* The smallest row laid out so far bounds how many fit. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int height = gtk_widget_get_height (child);

      if (height > 0 && (self->min_row_height == 0 || height < self->min_row_height))
        self->min_row_height = height;
    }
  if (self->min_row_height > 0)
    min_height = self->min_row_height;

  if (page <= 0)
    page = gtk_widget_get_height (GTK_WIDGET (self));
  /* Unsized yet: enough to fill a first frame. Sized, no more than fit:
   * every row in the slice is made, bound and measured again with each
   * batch, in each view of a busy room. */
  if (page <= 0)
    return TAIL_MIN_ROWS;
  return (guint) (page / min_height) + TAIL_SPARE_ROWS;
}

/* GtkListView 4.8 keeps a widget for up to 200 rows before its anchor: shown
 * the whole history while it follows the newest message, it would create,
 * bind and measure a row for every message that arrives, most never seen.
 * Following, it sees only the rows that fit; reading back, all of them (the
 * list keeps its anchor on the row the user looks at when the rest comes). */
static void queue_stick (LdChatView *self);

static void
update_tail (LdChatView *self)
{
  /* The scrollbar shows the whole history to whoever is about to use it. */
  ld_chat_tail_set_limit (self->tail, self->sticky && !self->scrollbar_hovered ? tail_rows (self) : G_MAXUINT);
}

static void
on_scrollbar_enter (LdChatView *self)
{
  self->scrollbar_hovered = TRUE;
  queue_stick (self);
}

static void
on_scrollbar_leave (LdChatView *self)
{
  self->scrollbar_hovered = FALSE;
  queue_stick (self);
}



static void
stick (LdChatView *self)
{
  update_tail (self);
  if (self->sticky)
    scroll_to_bottom (self);
}

static gboolean
on_stick_tick (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  LdChatView *self = LD_CHAT_VIEW (user_data);

  self->stick_tick = 0;
  stick (self);
  return G_SOURCE_REMOVE;
}

/* Views with a flush tick; the frame (its clock, only compared, and its
 * counter) of the last flush; the turn the next view made takes. */
static guint busy_views;
static GdkFrameClock *last_flush_clock;
static gint64 last_flush_frame = -1;
static guint next_flush_slot;

static void
remove_flush_tick (LdChatView *self)
{
  if (self->flush_tick == 0)
    return;

  gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->flush_tick);
  self->flush_tick = 0;
  busy_views--;
}

/* What arrived since the last frame is shown by the next one: the chat
 * moves with every frame while it is busy, not in the steps of the
 * model's 50 ms timer (which still flushes a view that draws no frames).
 * While several views are busy, they take turns, half of them each frame:
 * the rows a busy view replaces are those it shows, however many messages
 * came, so four rooms' views flushed in every frame made every frame as
 * long as four such batches. A view stays busy until a frame finds no
 * batch: a tick added anew for each batch let the clock fall idle between
 * frames, and each restart cost a fraction of a frame (57.6 instead of 60
 * frames a second). */
static gboolean
on_flush_tick (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  LdChatView *self = LD_CHAT_VIEW (widget);
  gint64 frame = gdk_frame_clock_get_frame_counter (clock);
  gboolean shared = busy_views > 1 || (clock == last_flush_clock && frame == last_flush_frame);

  if (self->model == NULL || !ld_chat_model_get_batch_pending (self->model))
    {
      self->flush_tick = 0;
      busy_views--;
      return G_SOURCE_REMOVE;
    }
  if (shared && frame % 2 != self->flush_slot)
    return G_SOURCE_CONTINUE;

  last_flush_clock = clock;
  last_flush_frame = frame;
  ld_chat_model_flush (self->model);
  /* In this frame, before its layout: a tick callback added while the
   * frame clock runs its ticks comes a frame later. */
  if (self->stick_tick != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->stick_tick);
      self->stick_tick = 0;
      stick (self);
    }
  return G_SOURCE_CONTINUE;
}

static void
on_batch_pending (LdChatView *self)
{
  if (self->flush_tick != 0 || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;

  self->flush_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_flush_tick, NULL, NULL);
  busy_views++;
}

/* Once per frame at most, however many batches and size changes arrive:
 * before the frame's layout, so the list is laid out once, at the bottom. */
static void
queue_stick (LdChatView *self)
{
  if (self->stick_tick == 0)
    self->stick_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->list_view), on_stick_tick, self, NULL);
}

static void
set_unseen (LdChatView *self,
            guint       unseen)
{
  g_autofree char *label = NULL;

  if (self->unseen == unseen)
    return;

  self->unseen = unseen;
  if (unseen > 0)
    {
      label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new message", "%u new messages", unseen), unseen);
      gtk_button_set_label (self->new_button, label);
    }
  gtk_revealer_set_reveal_child (self->new_revealer, unseen > 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNSEEN]);
}

static void
set_sticky (LdChatView *self,
            gboolean    sticky)
{
  if (self->sticky == sticky)
    return;

  self->sticky = sticky;
  if (sticky)
    set_unseen (self, 0);
  /* Not now: this may run in the list's own allocation. */
  queue_stick (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STICKY]);
}

static void
on_value_changed (LdChatView    *self,
                  GtkAdjustment *adj)
{
  double value = gtk_adjustment_get_value (adj);
  double bottom = gtk_adjustment_get_upper (adj) - gtk_adjustment_get_page_size (adj);

  /* Only a move up that the list did not cause by growing unsticks: the
   * list itself nudges the value while it measures new rows. */
  if (value >= bottom - 4)
    set_sticky (self, TRUE);
  else if (value < self->last_value - 1)
    set_sticky (self, FALSE);

  self->last_value = value;
}

static void
on_upper_changed (LdChatView    *self,
                  GParamSpec    *pspec,
                  GtkAdjustment *adj)
{
  if (self->sticky)
    queue_stick (self);
}

static void
update_empty (LdChatView *self)
{
  guint n = self->filtered ? g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) : 0;

  gtk_stack_set_visible_child_name (self->content_stack, n > 0 ? "chat" : "empty");
}

static void
on_items_changed (LdChatView *self,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GListModel *model)
{
  guint messages = 0;

  update_empty (self);

  if (self->sticky)
    {
      queue_stick (self);
      return;
    }

  /* "N new messages" counts messages, not who joined. */
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);

      if (LD_IS_MESSAGE (item))
        messages++;
    }
  if (messages > 0)
    set_unseen (self, self->unseen + messages);
}

static void
on_new_clicked (LdChatView *self)
{
  ld_chat_view_scroll_to_newest (self);
}

static gboolean
search_match (gpointer item,
              gpointer user_data)
{
  LdChatView *self = user_data;
  LdMessage *message;
  const char *fields[3];

  /* Who joined and left is no answer to a search. */
  if (!LD_IS_MESSAGE (item))
    return self->search_folded == NULL;

  message = item;
  if (g_hash_table_contains (self->hidden_users, ld_message_get_user_id (message)))
    return FALSE;
  if (self->search_folded == NULL)
    return TRUE;

  fields[0] = ld_message_get_text (message);
  fields[1] = ld_message_get_username (message);
  fields[2] = ld_message_get_image_url (message);

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *folded = NULL;

      if (fields[i] == NULL)
        continue;
      folded = g_utf8_casefold (fields[i], -1);
      if (strstr (folded, self->search_folded) != NULL)
        return TRUE;
    }

  return FALSE;
}

static void
on_search_changed (LdChatView *self)
{
  ld_chat_view_set_search (self, gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
}

static void
on_stop_search (LdChatView *self)
{
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  ld_chat_view_set_search (self, NULL);
}

/* Following a fast chat, the list drops and makes rows with every batch:
 * a row kept for the next is cheaper than its template built again. The
 * view holds a reference on each row it made, so that a row outlives the
 * list item that drops it (GTK 4.8 unparents it before the factory's
 * teardown) and can go to the spares. */
static void
on_row_parent (GtkWidget  *row,
               GParamSpec *pspec,
               LdChatView *self)
{
  if (gtk_widget_get_parent (row) != NULL)
    return;
  if (self->spare_rows != NULL && self->spare_rows->len < MAX_SPARE_ROWS)
    g_ptr_array_add (self->spare_rows, g_object_ref (row));
  g_object_unref (row);
}

static void
on_setup (LdChatView               *self,
          GtkListItem              *item,
          GtkSignalListItemFactory *factory)
{
  GtkWidget *row;

  if (self->spare_rows->len > 0)
    row = g_ptr_array_steal_index_fast (self->spare_rows, self->spare_rows->len - 1);
  else
    {
      row = g_object_ref_sink (ld_chat_row_new ());
      g_signal_connect_object (row, "notify::parent", G_CALLBACK (on_row_parent), self, 0);
    }
  gtk_list_item_set_child (item, row);
  gtk_list_item_set_activatable (item, FALSE);
}

/* A highlighted user's messages carry the row's "highlight" look, on top
 * of what the row decides from its words. */
static void
apply_user_highlight (LdChatView *self,
                      LdChatRow  *row)
{
  LdMessage *message = ld_chat_row_get_message (row);

  if (message != NULL && ld_message_get_user_id (message) != NULL &&
      g_hash_table_contains (self->highlighted_users, ld_message_get_user_id (message)))
    gtk_widget_add_css_class (GTK_WIDGET (row), "highlight");
}

static void
on_bind (LdChatView               *self,
         GtkListItem              *item,
         GtkSignalListItemFactory *factory)
{
  LdChatRow *row = LD_CHAT_ROW (gtk_list_item_get_child (item));

  ld_chat_row_set_clock_12h (row, self->clock_12h);
  ld_chat_row_set_own_name (row, self->own_name);
  ld_chat_row_set_highlight_words (row, (const char * const *) self->highlight_words);
  if (LD_IS_MESSAGE (gtk_list_item_get_item (item)))
    {
      ld_chat_row_set_message (row, gtk_list_item_get_item (item));
      apply_user_highlight (self, row);
    }
  else if (LD_IS_PRESENCE_LINE (gtk_list_item_get_item (item)))
    ld_chat_row_set_presence (row, gtk_list_item_get_item (item));
}

static void
on_unbind (LdChatView               *self,
           GtkListItem              *item,
           GtkSignalListItemFactory *factory)
{
  ld_chat_row_set_message (LD_CHAT_ROW (gtk_list_item_get_child (item)), NULL);
  ld_chat_row_set_presence (LD_CHAT_ROW (gtk_list_item_get_child (item)), NULL);
}

/* The message menu's section with Time Out and Ban. */
#define MODERATION_SECTION 2

/* Why Time Out and Ban are greyed out (REFUSAL; NULL: they are not), as a
 * greyed line under them: a menu's items have no tooltips. */
static void
update_refusal_item (LdChatView *self,
                     const char *refusal)
{
  GMenuModel *model = self->menu_popover != NULL ? gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (self->menu_popover)) : NULL;
  g_autoptr(GMenuModel) section = model != NULL ? g_menu_model_get_item_link (model, MODERATION_SECTION, G_MENU_LINK_SECTION) : NULL;

  if (!G_IS_MENU (section))
    return;
  if (self->has_refusal_item)
    g_menu_remove (G_MENU (section), g_menu_model_get_n_items (section) - 1);
  /* Its action is never enabled: a line greyed out, never activated (an
   * item with no action at all is drawn as one that can be). */
  if (refusal != NULL)
    g_menu_append (G_MENU (section), refusal, "chat.refusal");
  self->has_refusal_item = refusal != NULL;
}

static void
update_actions (LdChatView *self)
{
  const char *refusal = NULL;
  gboolean enabled = self->can_moderate && self->context_message != NULL &&
                     !ld_message_get_is_own (self->context_message);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.delete",
                                 enabled && ld_message_get_state (self->context_message) == LD_MESSAGE_STATE_SENT &&
                                 /* A backend message without a server id cannot be named to delete it. */
                                 ld_message_get_id (self->context_message) != NULL);
  /* A timeout or ban of an equal or higher role the server would refuse. */
  if (enabled && !ld_rank_may_sanction (self->own_role, ld_role_to_string (ld_message_get_role (self->context_message))))
    refusal = ld_role_get_sanction_refusal (ld_message_get_role (self->context_message));
  update_refusal_item (self, refusal);
  enabled = enabled && refusal == NULL;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.timeout", enabled);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.timeout-custom", enabled);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.ban", enabled);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.copy", self->context_message != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.reply",
                                 self->context_message != NULL && !ld_message_get_is_own (self->context_message) &&
                                 ld_message_get_message_type (self->context_message) == LD_MESSAGE_TYPE_TEXT);
}

/* "Open Link" items for the links in the menu's message. */
static void
update_link_items (LdChatView *self)
{
  GMenuModel *model = gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (self->menu_popover));
  g_autoptr(GMenu) links = g_menu_new ();
  g_auto(GStrv) found = NULL;
  const char *text = self->context_message != NULL ? ld_message_get_text (self->context_message) : NULL;

  if (!G_IS_MENU (model))
    return;
  /* The links' section is the last one when there is one: take it away. */
  if (self->has_link_section)
    {
      g_menu_remove (G_MENU (model), g_menu_model_get_n_items (model) - 1);
      self->has_link_section = FALSE;
    }
  found = ld_link_find_all (text != NULL ? text : "");
  for (guint i = 0; found[i] != NULL && i < 3; i++)
    {
      g_autofree char *host = ld_link_get_host (found[i]);
      /* Translators: a chat message's menu; %s is the link's host. */
      g_autofree char *label = g_strdup_printf (_("Open Link to %s"), host);
      g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

      g_menu_item_set_action_and_target_value (item, "chat.open-link", g_variant_new_string (found[i]));
      g_menu_append_item (links, item);
    }
  if (g_menu_model_get_n_items (G_MENU_MODEL (links)) > 0)
    {
      g_menu_append_section (G_MENU (model), NULL, G_MENU_MODEL (links));
      self->has_link_section = TRUE;
    }
}

static void
popup_menu (LdChatView *self,
            LdChatRow  *row,
            double      x,
            double      y)
{
  graphene_point_t point;

  ld_chat_view_set_context_message (self, ld_chat_row_get_message (row));
  /* Copy and Reply are for everyone; the moderation items grey out. */
  if (self->context_message == NULL)
    return;

  if (!gtk_widget_compute_point (GTK_WIDGET (row), GTK_WIDGET (self), &GRAPHENE_POINT_INIT (x, y), &point))
    point = GRAPHENE_POINT_INIT (0, 0);

  gtk_popover_set_pointing_to (GTK_POPOVER (self->menu_popover),
                               &(GdkRectangle) { (int) point.x, (int) point.y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->menu_popover));
}

static void
activate_user (LdChatView *self,
               LdMessage  *message,
               GtkWidget  *anchor)
{
  g_signal_emit (self, signals[USER_ACTIVATED], 0, ld_message_get_user_id (message),
                 ld_message_get_username (message), (int) ld_message_get_role (message), anchor);
}

static void
on_left_click (LdChatView      *self,
               int              n_press,
               double           x,
               double           y,
               GtkGestureClick *gesture)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self->list_view), x, y, GTK_PICK_DEFAULT);
  GtkWidget *row = picked ? gtk_widget_get_ancestor (picked, LD_TYPE_CHAT_ROW) : NULL;

  /* A click on the author opens their card. */
  if (row == NULL || !gtk_widget_has_css_class (picked, "author") ||
      ld_chat_row_get_message (LD_CHAT_ROW (row)) == NULL)
    return;

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  activate_user (self, ld_chat_row_get_message (LD_CHAT_ROW (row)), picked);
}

static void
user_card_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  LdChatView *self = LD_CHAT_VIEW (widget);

  if (self->context_message != NULL)
    activate_user (self, self->context_message, GTK_WIDGET (self->list_view));
}

static void
on_right_click (LdChatView      *self,
                int              n_press,
                double           x,
                double           y,
                GtkGestureClick *gesture)
{
  GtkWidget *picked = gtk_widget_pick (GTK_WIDGET (self->list_view), x, y, GTK_PICK_DEFAULT);
  GtkWidget *row = picked ? gtk_widget_get_ancestor (picked, LD_TYPE_CHAT_ROW) : NULL;
  graphene_point_t point;

  if (row == NULL)
    return;

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  if (!gtk_widget_compute_point (GTK_WIDGET (self->list_view), row, &GRAPHENE_POINT_INIT (x, y), &point))
    point = GRAPHENE_POINT_INIT (0, 0);
  popup_menu (self, LD_CHAT_ROW (row), point.x, point.y);
}

static void
menu_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LdChatView *self = LD_CHAT_VIEW (widget);
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (widget));
  GtkWidget *row = NULL;

  /* The keyboard's way to the message menu: the focused row's. */
  if (focus != NULL)
    {
      row = gtk_widget_get_ancestor (focus, LD_TYPE_CHAT_ROW);
      if (row == NULL && GTK_IS_WIDGET (focus) && gtk_widget_get_first_child (focus) != NULL &&
          LD_IS_CHAT_ROW (gtk_widget_get_first_child (focus)))
        row = gtk_widget_get_first_child (focus);
    }
  if (row != NULL)
    popup_menu (self, LD_CHAT_ROW (row), 0, 0);
}

/* The greyed line under Time Out and Ban: disabled, it is never called. */
static void
refusal_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
}

static void
moderate_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  LdChatView *self = LD_CHAT_VIEW (widget);
  g_autoptr(LdMessage) message = NULL;
  LdChatViewModeration action;
  guint seconds = 0;

  if (self->context_message == NULL)
    return;

  message = g_object_ref (self->context_message);
  if (g_str_equal (action_name, "chat.delete"))
    action = LD_CHAT_VIEW_DELETE;
  else if (g_str_equal (action_name, "chat.timeout"))
    {
      action = LD_CHAT_VIEW_TIMEOUT;
      seconds = g_variant_get_uint32 (parameter);
    }
  else
    action = LD_CHAT_VIEW_BAN;

  g_signal_emit (self, signals[MODERATE], 0, action, message, seconds);
}

/* The window's moderation dialog asks for the length (Custom selected) and
 * a reason. */
static void
custom_timeout_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  LdChatView *self = LD_CHAT_VIEW (widget);
  g_autoptr(LdMessage) message = NULL;

  if (self->context_message == NULL)
    return;
  message = g_object_ref (self->context_message);
  g_signal_emit (self, signals[MODERATE], 0, LD_CHAT_VIEW_TIMEOUT, message, (guint) G_MAXUINT);
}

/* "[14:05] Lan: hello" — what a range of messages copies as. */
static void
append_message_line (GString   *text,
                     LdMessage *message)
{
  GDateTime *when = ld_message_get_timestamp (message);
  const char *body = ld_message_get_message_type (message) == LD_MESSAGE_TYPE_IMAGE
                     ? ld_message_get_image_url (message) : ld_message_get_text (message);

  if (when != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (when);
      g_autofree char *time = g_date_time_format (local, "%H:%M");

      g_string_append_printf (text, "[%s] ", time);
    }
  g_string_append_printf (text, "%s: %s\n", ld_message_get_username (message) != NULL ? ld_message_get_username (message) : "",
                          body != NULL ? body : "");
}

static void
copy_text (LdChatView *self,
           const char *text)
{
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
}

/* The message menu's Copy: the message's text alone. */
static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LdChatView *self = LD_CHAT_VIEW (widget);
  LdMessage *message = self->context_message;
  const char *text;

  if (message == NULL)
    return;
  text = ld_message_get_message_type (message) == LD_MESSAGE_TYPE_IMAGE ? ld_message_get_image_url (message)
                                                                        : ld_message_get_text (message);
  copy_text (self, text != NULL ? text : "");
}

/* Ctrl+C: the selected messages, one line each, oldest first. */
static void
copy_selection_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  LdChatView *self = LD_CHAT_VIEW (widget);
  g_autofree char *text = ld_chat_view_get_selection_text (self);

  if (text != NULL)
    copy_text (self, text);
  else if (self->context_message != NULL)
    copy_action (widget, action_name, parameter);
}

static void
on_launched (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    g_message ("Could not open a link: %s", error->message);
}

static void
launch_link (GtkWidget  *widget,
             const char *uri)
{
  g_autoptr(GAppLaunchContext) context =
    G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (gtk_widget_get_display (widget)));

  g_app_info_launch_default_for_uri_async (uri, context, NULL, on_launched, NULL);
}

static void
on_link_response (AdwMessageDialog *dialog,
                  const char       *response,
                  LdChatView       *self)
{
  const char *uri = g_object_get_data (G_OBJECT (dialog), "uri");

  if (g_strcmp0 (response, "open") == 0 && uri != NULL)
    launch_link (GTK_WIDGET (self), uri);
}

/* A link opens in the browser; one outside the image hosts the contract
 * trusts asks first, naming its host and showing it whole. */
static void
open_link_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  LdChatView *self = LD_CHAT_VIEW (widget);
  const char *uri = g_variant_get_string (parameter, NULL);
  g_autofree char *host = ld_link_get_host (uri);
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (host == NULL)
    return;
  if (ld_link_is_trusted (uri))
    {
      launch_link (widget, uri);
      return;
    }

  /* Translators: asked before opening a chat link; %s is its host. */
  heading = g_strdup_printf (_("Open a Link to %s?"), host);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), heading, NULL);
  /* Plain text: a stranger wrote this link. */
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), uri);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "open", _("_Open Link"),
                                    NULL);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "uri", g_strdup (uri), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_link_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
reply_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  LdChatView *self = LD_CHAT_VIEW (widget);

  if (self->context_message != NULL)
    ld_composer_set_reply (ld_chat_view_get_composer (self), self->context_message);
}

static void
retry_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  LdChatView *self = LD_CHAT_VIEW (widget);
  LdMessage *message;

  if (self->model == NULL)
    return;

  message = ld_chat_model_lookup_local (self->model, g_variant_get_string (parameter, NULL));
  if (message != NULL && ld_message_get_state (message) == LD_MESSAGE_STATE_FAILED)
    g_signal_emit (self, signals[RETRY], 0, message);
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LdChatView *self = LD_CHAT_VIEW (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
scroll_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ld_chat_view_scroll_to_newest (LD_CHAT_VIEW (widget));
}

static void
ld_chat_view_dispose (GObject *object)
{
  LdChatView *self = LD_CHAT_VIEW (object);

  if (self->stick_tick != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->list_view), self->stick_tick);
  self->stick_tick = 0;
  remove_flush_tick (self);
  g_clear_pointer (&self->menu_popover, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_CHAT_VIEW);
  /* After the list, whose rows go to the spares. */
  g_clear_pointer (&self->spare_rows, g_ptr_array_unref);
  g_clear_object (&self->tail);
  g_clear_object (&self->filtered);
  g_clear_object (&self->search_filter);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, on_batch_pending, self);
  g_clear_object (&self->model);
  g_clear_object (&self->context_message);

  G_OBJECT_CLASS (ld_chat_view_parent_class)->dispose (object);
}

/* Hidden, the model's timer flushes it. */
static void
ld_chat_view_unmap (GtkWidget *widget)
{
  remove_flush_tick (LD_CHAT_VIEW (widget));
  GTK_WIDGET_CLASS (ld_chat_view_parent_class)->unmap (widget);
}

static void
ld_chat_view_finalize (GObject *object)
{
  LdChatView *self = LD_CHAT_VIEW (object);

  g_clear_pointer (&self->search_folded, g_free);
  g_clear_pointer (&self->own_name, g_free);
  g_clear_pointer (&self->hidden_users, g_hash_table_unref);
  g_clear_pointer (&self->highlighted_users, g_hash_table_unref);
  g_clear_pointer (&self->highlight_words, g_strfreev);

  G_OBJECT_CLASS (ld_chat_view_parent_class)->finalize (object);
}

static void
ld_chat_view_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LdChatView *self = LD_CHAT_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL: g_value_set_object (value, self->model); break;
    case PROP_CAN_MODERATE: g_value_set_boolean (value, self->can_moderate); break;
    case PROP_STICKY: g_value_set_boolean (value, self->sticky); break;
    case PROP_UNSEEN: g_value_set_uint (value, self->unseen); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_chat_view_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  LdChatView *self = LD_CHAT_VIEW (object);

  switch (prop_id)
    {
    case PROP_MODEL: ld_chat_view_set_model (self, g_value_get_object (value)); break;
    case PROP_CAN_MODERATE: ld_chat_view_set_can_moderate (self, g_value_get_boolean (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_chat_view_class_init (LdChatViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ld_chat_view_dispose;
  object_class->finalize = ld_chat_view_finalize;
  object_class->get_property = ld_chat_view_get_property;
  object_class->set_property = ld_chat_view_set_property;
  widget_class->unmap = ld_chat_view_unmap;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, LD_TYPE_CHAT_MODEL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CAN_MODERATE] =
    g_param_spec_boolean ("can-moderate", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_STICKY] =
    g_param_spec_boolean ("sticky", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_UNSEEN] =
    g_param_spec_uint ("unseen", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[RETRY] = g_signal_new ("retry", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, LD_TYPE_MESSAGE);
  signals[USER_ACTIVATED] = g_signal_new ("user-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                                          G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT, GTK_TYPE_WIDGET);
  signals[MODERATE] = g_signal_new ("moderate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                    G_TYPE_INT, LD_TYPE_MESSAGE, G_TYPE_UINT);

  g_type_ensure (LD_TYPE_COMPOSER);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/livedesk/Livedesk/ui/ld-chat-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LdChatView, box);
  gtk_widget_class_bind_template_child (widget_class, LdChatView, search_bar);
  gtk_widget_class_bind_template_child (widget_class, LdChatView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, LdChatView, content_stack);
  gtk_widget_class_bind_template_child (widget_class, LdChatView, scroller);
  gtk_widget_class_bind_template_child (widget_class, LdChatView, list_view);
  gtk_widget_class_bind_template_child (widget_class, LdChatView, new_revealer);
  gtk_widget_class_bind_template_child (widget_class, LdChatView, new_button);
  gtk_widget_class_bind_template_child (widget_class, LdChatView, composer);
  gtk_widget_class_bind_template_child (widget_class, LdChatView, message_menu);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_new_clicked);

  gtk_widget_class_install_action (widget_class, "chat.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "chat.scroll-to-newest", NULL, scroll_action);
  gtk_widget_class_install_action (widget_class, "chat.menu", NULL, menu_action);
  gtk_widget_class_install_action (widget_class, "chat.delete", NULL, moderate_action);
  gtk_widget_class_install_action (widget_class, "chat.timeout", "u", moderate_action);
  gtk_widget_class_install_action (widget_class, "chat.timeout-custom", NULL, custom_timeout_action);
  gtk_widget_class_install_action (widget_class, "chat.ban", NULL, moderate_action);
  gtk_widget_class_install_action (widget_class, "chat.refusal", NULL, refusal_action);
  gtk_widget_class_install_action (widget_class, "chat.copy", NULL, copy_action);
  gtk_widget_class_install_action (widget_class, "chat.copy-selection", NULL, copy_selection_action);
  gtk_widget_class_install_action (widget_class, "chat.reply", NULL, reply_action);
  gtk_widget_class_install_action (widget_class, "chat.open-link", "s", open_link_action);
  gtk_widget_class_install_action (widget_class, "chat.retry", "s", retry_action);
  gtk_widget_class_install_action (widget_class, "chat.user-card", NULL, user_card_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "chat.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "chat.copy-selection", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, GDK_CONTROL_MASK, "chat.scroll-to-newest", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "chat.menu", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Menu, 0, "chat.menu", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "chatview");
}

static void
ld_chat_view_init (LdChatView *self)
{
  GtkListItemFactory *factory;
  GtkGesture *click;
  GtkEventController *motion;
  GtkAdjustment *adj;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "chat.refusal", FALSE);
  /* Views made one after the other (a desk's rooms) take alternate frames. */
  self->flush_slot = next_flush_slot++ % 2;

  self->sticky = TRUE;
  self->spare_rows = g_ptr_array_new_with_free_func (g_object_unref);
  self->hidden_users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->highlighted_users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_widget_init_template (GTK_WIDGET (self));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect_object (factory, "setup", G_CALLBACK (on_setup), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (factory, "bind", G_CALLBACK (on_bind), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (on_unbind), self, G_CONNECT_SWAPPED);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);

  self->search_filter = gtk_custom_filter_new (search_match, self, NULL);
  self->filtered = gtk_filter_list_model_new (NULL, NULL);
  self->tail = ld_chat_tail_new (G_LIST_MODEL (self->filtered), TAIL_MIN_ROWS);
  gtk_list_view_set_model (self->list_view,
                           /* A range of messages can be selected and copied. */
                           GTK_SELECTION_MODEL (gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->tail)))));
  g_object_unref (gtk_list_view_get_model (self->list_view));
  /* After the slice's own handler, so that scrolling sees the new rows;
   * positions are the history's, whatever part of it the list shows. */
  g_signal_connect_object (self->filtered, "items-changed",
                           G_CALLBACK (on_items_changed), self, G_CONNECT_SWAPPED);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect_object (motion, "enter", G_CALLBACK (on_scrollbar_enter), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (motion, "leave", G_CALLBACK (on_scrollbar_leave), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (gtk_scrolled_window_get_vscrollbar (self->scroller), motion);

  adj = gtk_scrolled_window_get_vadjustment (self->scroller);
  g_signal_connect_object (adj, "value-changed", G_CALLBACK (on_value_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adj, "notify::upper", G_CALLBACK (on_upper_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adj, "notify::page-size", G_CALLBACK (on_upper_changed), self, G_CONNECT_SWAPPED);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect_object (click, "pressed", G_CALLBACK (on_right_click), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), GTK_EVENT_CONTROLLER (click));

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect_object (click, "released", G_CALLBACK (on_left_click), self, G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), GTK_EVENT_CONTROLLER (click));

  self->menu_popover = gtk_popover_menu_new_from_model (self->message_menu);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->menu_popover), FALSE);
  gtk_widget_set_halign (self->menu_popover, GTK_ALIGN_START);
  gtk_widget_set_parent (self->menu_popover, GTK_WIDGET (self));

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  update_actions (self);
  update_empty (self);
}

GtkWidget *
ld_chat_view_new (void)
{
  return g_object_new (LD_TYPE_CHAT_VIEW, NULL);
}

LdChatModel *
ld_chat_view_get_model (LdChatView *self)
{
  g_return_val_if_fail (LD_IS_CHAT_VIEW (self), NULL);
  return self->model;
}

void
ld_chat_view_set_model (LdChatView  *self,
                        LdChatModel *model)
{
  g_return_if_fail (LD_IS_CHAT_VIEW (self));
  g_return_if_fail (model == NULL || LD_IS_CHAT_MODEL (model));

  if (self->model == model)
    return;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, on_batch_pending, self);
  g_set_object (&self->model, model);
  if (model != NULL)
    g_signal_connect_object (model, "batch-pending", G_CALLBACK (on_batch_pending), self, G_CONNECT_SWAPPED);

  ld_chat_view_set_context_message (self, NULL);
  gtk_filter_list_model_set_model (self->filtered, model != NULL ? ld_chat_model_get_timeline (model) : NULL);
  ld_chat_view_scroll_to_newest (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

LdComposer *
ld_chat_view_get_composer (LdChatView *self)
{
  g_return_val_if_fail (LD_IS_CHAT_VIEW (self), NULL);
  return self->composer;
}

gboolean
ld_chat_view_get_can_moderate (LdChatView *self)
{
  g_return_val_if_fail (LD_IS_CHAT_VIEW (self), FALSE);
  return self->can_moderate;
}

void
ld_chat_view_set_can_moderate (LdChatView *self,
                               gboolean    can_moderate)
{
  g_return_if_fail (LD_IS_CHAT_VIEW (self));

  can_moderate = !!can_moderate;
  if (self->can_moderate == can_moderate)
    return;

  self->can_moderate = can_moderate;
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_MODERATE]);
}

void
ld_chat_view_set_own_role (LdChatView *self,
                           LdRole      role)
{
  g_return_if_fail (LD_IS_CHAT_VIEW (self));

  self->own_role = ld_role_to_string (role);
  update_actions (self);
}

static void
rebind_rows (LdChatView *self)
{
  /* Rows read these when bound: rebinding everything is rare (a setting). */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *row = gtk_widget_get_first_child (child);

      if (row != NULL && LD_IS_CHAT_ROW (row))
        {
          LdMessage *message = ld_chat_row_get_message (LD_CHAT_ROW (row));

          ld_chat_row_set_clock_12h (LD_CHAT_ROW (row), self->clock_12h);
          ld_chat_row_set_own_name (LD_CHAT_ROW (row), self->own_name);
          ld_chat_row_set_highlight_words (LD_CHAT_ROW (row), (const char * const *) self->highlight_words);
          if (message != NULL)
            {
              g_object_ref (message);
              ld_chat_row_set_message (LD_CHAT_ROW (row), NULL);
              ld_chat_row_set_message (LD_CHAT_ROW (row), message);
              g_object_unref (message);
            }
        }
    }
}

void
ld_chat_view_set_clock_12h (LdChatView *self,
                            gboolean    clock_12h)
{
  g_return_if_fail (LD_IS_CHAT_VIEW (self));

  self->clock_12h = !!clock_12h;
  rebind_rows (self);
}

void
ld_chat_view_set_own_name (LdChatView *self,
                           const char *username)
{
  g_return_if_fail (LD_IS_CHAT_VIEW (self));

  g_free (self->own_name);
  self->own_name = g_strdup (username);
  rebind_rows (self);
}

void
ld_chat_view_set_highlight_words (LdChatView         *self,
                                  const char * const *words)
{
  g_return_if_fail (LD_IS_CHAT_VIEW (self));

  g_strfreev (self->highlight_words);
  self->highlight_words = g_strdupv ((char **) words);
  rebind_rows (self);
}

gboolean
ld_chat_view_get_sticky (LdChatView *self)
{
  g_return_val_if_fail (LD_IS_CHAT_VIEW (self), FALSE);
  return self->sticky;
}

guint
ld_chat_view_get_unseen (LdChatView *self)
{
  g_return_val_if_fail (LD_IS_CHAT_VIEW (self), 0);
  return self->unseen;
}

void
ld_chat_view_scroll_to_newest (LdChatView *self)
{
  g_return_if_fail (LD_IS_CHAT_VIEW (self));

  set_sticky (self, TRUE);
  set_unseen (self, 0);
  update_tail (self);
  scroll_to_bottom (self);
}

GtkAdjustment *
ld_chat_view_get_vadjustment (LdChatView *self)
{
  g_return_val_if_fail (LD_IS_CHAT_VIEW (self), NULL);
  return gtk_scrolled_window_get_vadjustment (self->scroller);
}

void
ld_chat_view_set_context_message (LdChatView *self,
                                  LdMessage  *message)
{
  g_return_if_fail (LD_IS_CHAT_VIEW (self));

  g_set_object (&self->context_message, message);
  update_actions (self);
  update_link_items (self);
}

GMenuModel *
ld_chat_view_get_message_menu (LdChatView *self)
{
  g_return_val_if_fail (LD_IS_CHAT_VIEW (self), NULL);

  return gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (self->menu_popover));
}

GListModel *
ld_chat_view_get_shown (LdChatView *self)
{
  g_return_val_if_fail (LD_IS_CHAT_VIEW (self), NULL);
  return G_LIST_MODEL (self->filtered);
}

static void
refilter (LdChatView *self)
{
  gboolean needed = self->search_folded != NULL || g_hash_table_size (self->hidden_users) > 0;

  if (!needed)
    gtk_filter_list_model_set_filter (self->filtered, NULL);
  else if (gtk_filter_list_model_get_filter (self->filtered) == NULL)
    gtk_filter_list_model_set_filter (self->filtered, GTK_FILTER (self->search_filter));
  else
    gtk_filter_changed (GTK_FILTER (self->search_filter), GTK_FILTER_CHANGE_DIFFERENT);
}

gboolean
ld_chat_view_is_user_hidden (LdChatView *self,
                             const char *user_id)
{
  g_return_val_if_fail (LD_IS_CHAT_VIEW (self), FALSE);
  return user_id != NULL && g_hash_table_contains (self->hidden_users, user_id);
}

void
ld_chat_view_set_user_hidden (LdChatView *self,
                              const char *user_id,
                              gboolean    hidden)
{
  g_return_if_fail (LD_IS_CHAT_VIEW (self));
  g_return_if_fail (user_id != NULL);

  if (hidden == ld_chat_view_is_user_hidden (self, user_id))
    return;
  if (hidden)
    g_hash_table_add (self->hidden_users, g_strdup (user_id));
  else
    g_hash_table_remove (self->hidden_users, user_id);
  refilter (self);
}

void
ld_chat_view_set_search (LdChatView *self,
                         const char *text)
{
  g_autofree char *folded = NULL;

  g_return_if_fail (LD_IS_CHAT_VIEW (self));

  if (text != NULL && *text != '\0')
    folded = g_utf8_casefold (text, -1);
  if (g_strcmp0 (folded, self->search_folded) == 0)
    return;

  g_free (self->search_folded);
  self->search_folded = g_steal_pointer (&folded);

  refilter (self);

  if (self->search_folded == NULL && gtk_editable_get_text (GTK_EDITABLE (self->search_entry))[0] != '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

char *
ld_chat_view_get_selection_text (LdChatView *self)
{
  GtkSelectionModel *selection;
  g_autoptr(GString) text = NULL;
  guint n;

  g_return_val_if_fail (LD_IS_CHAT_VIEW (self), NULL);

  selection = gtk_list_view_get_model (self->list_view);
  n = g_list_model_get_n_items (G_LIST_MODEL (selection));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = NULL;

      if (!gtk_selection_model_is_selected (selection, i))
        continue;
      item = g_list_model_get_item (G_LIST_MODEL (selection), i);
      if (!LD_IS_MESSAGE (item))
        continue;
      if (text == NULL)
        text = g_string_new (NULL);
      append_message_line (text, LD_MESSAGE (item));
    }
  return text != NULL ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

LdMessage *
ld_chat_view_get_selected_message (LdChatView *self)
{
  GtkSelectionModel *selection;

  g_return_val_if_fail (LD_IS_CHAT_VIEW (self), NULL);

  selection = gtk_list_view_get_model (self->list_view);
  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (selection)); i > 0; i--)
    if (gtk_selection_model_is_selected (selection, i - 1))
      {
        g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (selection), i - 1);

        if (LD_IS_MESSAGE (item))
          return LD_MESSAGE (item); /* the model keeps it */
      }
  return self->context_message;
}

void
ld_chat_view_select (LdChatView *self,
                     guint       position,
                     gboolean    extend)
{
  g_return_if_fail (LD_IS_CHAT_VIEW (self));

  gtk_selection_model_select_item (gtk_list_view_get_model (self->list_view), position, !extend);
}

static void
rehighlight_rows (LdChatView *self,
                  GtkWidget  *widget,
                  const char *user_id,
                  gboolean    highlighted)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (LD_IS_CHAT_ROW (child))
        {
          LdMessage *message = ld_chat_row_get_message (LD_CHAT_ROW (child));

          if (message == NULL || g_strcmp0 (ld_message_get_user_id (message), user_id) != 0)
            continue;
          if (highlighted)
            gtk_widget_add_css_class (child, "highlight");
          else
            /* What the row decides by itself, without the user's mark. */
            ld_chat_row_set_message (LD_CHAT_ROW (child), message);
        }
      else
        rehighlight_rows (self, child, user_id, highlighted);
    }
}

gboolean
ld_chat_view_is_user_highlighted (LdChatView *self,
                                  const char *user_id)
{
  g_return_val_if_fail (LD_IS_CHAT_VIEW (self), FALSE);

  return user_id != NULL && g_hash_table_contains (self->highlighted_users, user_id);
}

void
ld_chat_view_set_user_highlighted (LdChatView *self,
                                   const char *user_id,
                                   gboolean    highlighted)
{
  g_return_if_fail (LD_IS_CHAT_VIEW (self));
  g_return_if_fail (user_id != NULL);

  if (!!highlighted == ld_chat_view_is_user_highlighted (self, user_id))
    return;
  if (highlighted)
    g_hash_table_add (self->highlighted_users, g_strdup (user_id));
  else
    g_hash_table_remove (self->highlighted_users, user_id);
  rehighlight_rows (self, GTK_WIDGET (self->list_view), user_id, highlighted);
}
