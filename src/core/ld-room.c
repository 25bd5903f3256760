/* ld-room.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n-lib.h>

#include "ld-moderation-log.h"
#include "ld-outbox-private.h"
#include "ld-payload.h"
#include "ld-rank.h"
#include "ld-request.h"
#include "ld-room-private.h"
#include "ld-session-private.h"
#include "ld-validate.h"
#include "ld-wire-error.h"

struct _LdRoom
{
  GObject        parent_instance;

  char          *id;
  char          *title;
  char          *status;
  guint          viewer_count;
  gboolean       joined;
  gboolean       joining;
  gboolean       banned;
  char          *own_user_id;
  /* The LdSession the room's actions go through. */
  GWeakRef       session;

  LdChatModel   *chat;
  LdViewerModel *viewers;
  LdGiftQueue   *gifts;
  LdModerationLog *moderation_log;

  /* Sanctions here by user id (Sanction), so that a viewer who joins again
   * still shows theirs. */
  GHashTable    *sanctions;
  LdSanction     sanction;
  GDateTime     *sanction_until;
  char          *sanction_reason;
  guint          sanction_source;
};

G_DEFINE_FINAL_TYPE (LdRoom, ld_room, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_STATUS,
  PROP_VIEWER_COUNT,
  PROP_JOINED,
  PROP_BANNED,
  PROP_SANCTION,
  PROP_SANCTION_UNTIL,
  PROP_SANCTION_REASON,
  N_PROPS
};

enum
{
  MESSAGE_RECEIVED,
  MESSAGE_POSTED,
  STREAM_STATUS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  LdSanction  sanction;
  GDateTime  *until;
} Sanction;

static void
sanction_free (gpointer data)
{
  Sanction *sanction = data;

  g_clear_pointer (&sanction->until, g_date_time_unref);
  g_free (sanction);
}

static void
set_string (LdRoom      *self,
            char       **field,
            const char  *value,
            guint        prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_boolean (LdRoom   *self,
             gboolean *field,
             gboolean  value,
             guint     prop)
{
  if (*field == !!value)
    return;
  *field = !!value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_viewer_count (LdRoom *self,
                  gint64  count)
{
  guint value = (guint) CLAMP (count, 0, G_MAXUINT);

  if (self->viewer_count == value)
    return;
  self->viewer_count = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEWER_COUNT]);
}

/* Gives the listed viewers the sanctions known for them. */
static void
mark_viewers (LdRoom *self)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->sanctions);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      Sanction *sanction = value;
      LdViewer *viewer = ld_viewer_model_lookup (self->viewers, key);

      if (viewer != NULL)
        ld_viewer_set_sanction (viewer, sanction->sanction, sanction->until);
    }
}

static void set_own_sanction (LdRoom *self, LdSanction sanction, GDateTime *until, const char *reason);

static gboolean
on_sanction_over (gpointer user_data)
{
  LdRoom *self = user_data;

  self->sanction_source = 0;
  set_own_sanction (self, LD_SANCTION_NONE, NULL, NULL);
  return G_SOURCE_REMOVE;
}

static void
set_own_sanction (LdRoom     *self,
                  LdSanction  sanction,
                  GDateTime  *until,
                  const char *reason)
{
  gboolean same_until;

  if (sanction == LD_SANCTION_NONE)
    {
      until = NULL;
      reason = NULL;
    }

  g_clear_handle_id (&self->sanction_source, g_source_remove);
  /* The timeout lifts by itself, so the composer comes back without asking
   * the server. */
  if (until != NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      GTimeSpan left = MAX (g_date_time_difference (until, now), 0);

      self->sanction_source = g_timeout_add ((guint) MIN (left / 1000 + 1, G_MAXUINT), on_sanction_over, self);
    }

  g_object_freeze_notify (G_OBJECT (self));
  if (self->sanction != sanction)
    {
      self->sanction = sanction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SANCTION]);
    }
  same_until = self->sanction_until == until ||
    (self->sanction_until != NULL && until != NULL && g_date_time_equal (self->sanction_until, until));
  if (!same_until)
    {
      g_clear_pointer (&self->sanction_until, g_date_time_unref);
      if (until != NULL)
        self->sanction_until = g_date_time_ref (until);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SANCTION_UNTIL]);
    }
  set_string (self, &self->sanction_reason, reason, PROP_SANCTION_REASON);
  g_object_thaw_notify (G_OBJECT (self));
}

/* What the user reads while the composer is off. */
static char *
describe_sanction (LdSanction  sanction,
                   GDateTime  *until,
                   const char *by,
                   const char *reason)
{
  g_autofree char *when = NULL;
  g_autofree char *what = NULL;

  if (by == NULL || by[0] == '\0')
    by = _("A moderator");
  if (until != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (until);

      when = g_date_time_format (local, "%X");
    }

  if (sanction == LD_SANCTION_TIMED_OUT)
    what = g_strdup_printf (_("%s timed you out until %s"), by, when);
  else if (until != NULL)
    what = g_strdup_printf (_("%s banned you from this room until %s"), by, when);
  else
    what = g_strdup_printf (_("%s banned you from this room"), by);

  if (reason != NULL && reason[0] != '\0')
    return g_strdup_printf (_("%s: “%s”"), what, reason);
  return g_steal_pointer (&what);
}

void
_ld_room_apply_joined (LdRoom     *self,
                       JsonObject *data)
{
  JsonArray *viewers = NULL;
  JsonArray *recent = NULL;
  gint64 count = 0;

  g_return_if_fail (LD_IS_ROOM (self));

  if (ld_payload_get_array (data, "joinedRoom", "viewers", FALSE, &viewers, NULL) && viewers != NULL)
    ld_viewer_model_replace_all (self->viewers, viewers, NULL);
  mark_viewers (self);
  /* A room that lets us in has lifted its ban (the unban itself is not
   * sent to those outside). */
  set_boolean (self, &self->banned, FALSE, PROP_BANNED);
  if (self->sanction == LD_SANCTION_BANNED)
    set_own_sanction (self, LD_SANCTION_NONE, NULL, NULL);
  if (ld_payload_get_int (data, "joinedRoom", "viewerCount", FALSE, 0, &count, NULL))
    set_viewer_count (self, count);
  if (json_object_has_member (data, "title"))
    set_string (self, &self->title, json_object_get_string_member_with_default (data, "title", NULL), PROP_TITLE);
  if (json_object_has_member (data, "status"))
    set_string (self, &self->status, json_object_get_string_member_with_default (data, "status", NULL), PROP_STATUS);

  /* History repeats on every re-join; the model ignores what it has, and a
   * message of ours that the server took before the connection dropped
   * confirms its pending copy here, so the outbox does not send it again. */
  if (ld_payload_get_array (data, "joinedRoom", "recentMessages", FALSE, &recent, NULL) && recent != NULL)
    {
      for (guint i = 0; i < json_array_get_length (recent); i++)
        {
          JsonNode *item = json_array_get_element (recent, i);
          g_autoptr(LdMessage) message = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (item))
            continue;
          message = ld_message_new_from_json (json_node_get_object (item), NULL);
          if (message != NULL && g_strcmp0 (ld_message_get_room_id (message), self->id) == 0)
            ld_chat_model_append (self->chat, message);
        }
    }

  self->joining = FALSE;
  set_boolean (self, &self->joined, TRUE, PROP_JOINED);
}

void
_ld_room_apply_update (LdRoom     *self,
                       JsonObject *payload)
{
  gboolean changed = FALSE;
  gint64 count;

  g_return_if_fail (LD_IS_ROOM (self));

  if (json_object_has_member (payload, "title"))
    set_string (self, &self->title, json_object_get_string_member_with_default (payload, "title", NULL), PROP_TITLE);
  if (json_object_has_member (payload, "status"))
    {
      const char *status = json_object_get_string_member_with_default (payload, "status", NULL);

      changed = status != NULL && g_strcmp0 (status, self->status) != 0;
      set_string (self, &self->status, status, PROP_STATUS);
    }
  if (json_object_has_member (payload, "viewerCount") &&
      ld_payload_get_int (payload, "roomUpdate", "viewerCount", FALSE, 0, &count, NULL))
    set_viewer_count (self, count);
  if (changed)
    g_signal_emit (self, signals[STREAM_STATUS_CHANGED], 0, self->status);
}

void
_ld_room_apply_count (LdRoom     *self,
                      JsonObject *data)
{
  gint64 count;

  g_return_if_fail (LD_IS_ROOM (self));

  if (ld_payload_get_int (data, "viewerPong", "viewerCount", FALSE, 0, &count, NULL))
    set_viewer_count (self, count);
}

void
_ld_room_apply_people (LdRoom     *self,
                       LdEvent     event,
                       JsonObject *payload)
{
  const char *what = event == LD_EVENT_USER_JOINED ? "userJoined" : "userLeft";
  const char *user_id = json_object_get_string_member_with_default (payload, "userId", NULL);
  const char *username = json_object_get_string_member_with_default (payload, "username", NULL);
  gint64 count;

  g_return_if_fail (LD_IS_ROOM (self));

  if (event == LD_EVENT_USER_JOINED)
    {
      ld_viewer_model_apply_joined (self->viewers, payload, NULL);
      mark_viewers (self);
    }
  else
    ld_viewer_model_apply_left (self->viewers, payload, NULL);

  /* "Lan joined" in the chat, a burst of them collapsed into one line. */
  if (user_id != NULL && g_strcmp0 (user_id, self->own_user_id) != 0)
    {
      g_autoptr(GDateTime) when = NULL;

      if (!ld_payload_get_datetime (payload, what, "timestamp", FALSE, &when, NULL))
        when = NULL;
      ld_chat_model_add_presence (self->chat, event == LD_EVENT_USER_JOINED ? LD_PRESENCE_JOINED : LD_PRESENCE_LEFT,
                                  user_id, username, when);
    }
  if (json_object_has_member (payload, "viewerCount") &&
      ld_payload_get_int (payload, what, "viewerCount", FALSE, 0, &count, NULL))
    set_viewer_count (self, count);
}

/* userTimedOut, userBanned, userUnbanned. The chat keeps what the user
 * wrote; a banned user leaves the others' viewer lists with the userLeft
 * the gateway sends when it takes them out of the room. */
/* The target's name: from the viewer list, else from what they wrote here. */
static const char *
lookup_username (LdRoom     *self,
                 const char *user_id,
                 LdViewer   *viewer)
{
  GListModel *timeline;
  guint n;

  if (viewer != NULL)
    return ld_viewer_get_username (viewer);
  timeline = ld_chat_model_get_timeline (self->chat);
  n = g_list_model_get_n_items (timeline);
  for (guint i = n; i > 0; i--)
    {
      g_autoptr(GObject) item = g_list_model_get_item (timeline, i - 1);

      if (LD_IS_MESSAGE (item) && g_strcmp0 (ld_message_get_user_id (LD_MESSAGE (item)), user_id) == 0)
        return ld_message_get_username (LD_MESSAGE (item));
    }
  return NULL;
}

static void
log_sanction (LdRoom     *self,
              LdEvent     event,
              const char *user_id,
              LdViewer   *viewer,
              const char *by,
              const char *reason,
              guint       seconds)
{
  g_autoptr(LdModerationEntry) entry = NULL;
  LdModerationAction action = event == LD_EVENT_USER_UNBANNED ? LD_MODERATION_ACTION_UNBAN
                              : event == LD_EVENT_USER_BANNED ? LD_MODERATION_ACTION_BAN
                              : LD_MODERATION_ACTION_TIMEOUT;

  entry = ld_moderation_entry_new (action, by, user_id, lookup_username (self, user_id, viewer), reason,
                                   action == LD_MODERATION_ACTION_TIMEOUT ? seconds : 0, NULL, NULL);
  ld_moderation_log_add (self->moderation_log, entry);
}

gboolean
_ld_room_apply_sanction (LdRoom     *self,
                         LdEvent     event,
                         JsonObject *payload)
{
  const char *what = event == LD_EVENT_USER_UNBANNED ? "userUnbanned"
                     : event == LD_EVENT_USER_BANNED ? "userBanned" : "userTimedOut";
  const char *user_id = json_object_get_string_member_with_default (payload, "userId", NULL);
  const char *by = json_object_get_string_member_with_default (payload, "by", NULL);
  const char *reason = json_object_get_string_member_with_default (payload, "reason", NULL);
  g_autoptr(GDateTime) until = NULL;
  gint64 seconds = 0;
  LdSanction sanction;
  LdViewer *viewer;

  g_return_val_if_fail (LD_IS_ROOM (self), FALSE);

  if (user_id == NULL)
    return FALSE;
  if (!ld_payload_get_int (payload, what, "seconds", FALSE, 0, &seconds, NULL))
    seconds = 0;

  if (event == LD_EVENT_USER_UNBANNED)
    sanction = LD_SANCTION_NONE;
  else if (event == LD_EVENT_USER_BANNED)
    sanction = LD_SANCTION_BANNED;
  else if (seconds > 0)
    sanction = LD_SANCTION_TIMED_OUT;
  else
    return FALSE;

  if (sanction != LD_SANCTION_NONE && seconds > 0)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

      until = g_date_time_add_seconds (now, (gdouble) seconds);
    }

  if (sanction == LD_SANCTION_NONE)
    g_hash_table_remove (self->sanctions, user_id);
  else
    {
      Sanction *entry = g_new0 (Sanction, 1);

      entry->sanction = sanction;
      entry->until = until != NULL ? g_date_time_ref (until) : NULL;
      g_hash_table_replace (self->sanctions, g_strdup (user_id), entry);
    }

  viewer = ld_viewer_model_lookup (self->viewers, user_id);
  if (viewer != NULL)
    ld_viewer_set_sanction (viewer, sanction, until);
  log_sanction (self, event, user_id, viewer, by, reason, (guint) CLAMP (seconds, 0, G_MAXUINT));

  if (g_strcmp0 (user_id, self->own_user_id) == 0)
    {
      g_autofree char *why = sanction != LD_SANCTION_NONE ? describe_sanction (sanction, until, by, reason) : NULL;

      set_own_sanction (self, sanction, until, why);
      /* We are out of the room; a re-join would only be refused. */
      if (sanction == LD_SANCTION_BANNED)
        {
          set_boolean (self, &self->banned, TRUE, PROP_BANNED);
          _ld_room_clear (self, TRUE);
          return TRUE;
        }
    }
  return FALSE;
}

void
_ld_room_apply_deleted (LdRoom     *self,
                        JsonObject *payload)
{
  const char *message_id = json_object_get_string_member_with_default (payload, "messageId", NULL);
  LdMessage *message;

  g_return_if_fail (LD_IS_ROOM (self));

  /* Who wrote it and what, read before the chat marks it deleted. */
  message = message_id != NULL ? ld_chat_model_lookup (self->chat, message_id) : NULL;
  if (message_id != NULL && message_id[0] != '\0')
    {
      g_autoptr(LdModerationEntry) entry =
        ld_moderation_entry_new (LD_MODERATION_ACTION_DELETE,
                                 json_object_get_string_member_with_default (payload, "by", NULL),
                                 message != NULL ? ld_message_get_user_id (message) : NULL,
                                 message != NULL ? ld_message_get_username (message) : NULL,
                                 NULL, 0, message != NULL ? ld_message_get_text (message) : NULL, NULL);

      ld_moderation_log_add (self->moderation_log, entry);
    }
  ld_chat_model_apply_deleted (self->chat, payload, NULL);
}

void
_ld_room_receive_message (LdRoom    *self,
                          LdMessage *message)
{
  gboolean own;
  gboolean added;

  g_return_if_fail (LD_IS_ROOM (self));
  g_return_if_fail (LD_IS_MESSAGE (message));

  if (g_strcmp0 (ld_message_get_room_id (message), self->id) != 0)
    return;
  own = g_strcmp0 (ld_message_get_user_id (message), self->own_user_id) == 0;
  /* Our own comes back as the echo of what the chat already shows. */
  added = ld_chat_model_append (self->chat, message);
  if (added || own)
    g_signal_emit (self, signals[MESSAGE_POSTED], 0, message);
  if (added && !own)
    g_signal_emit (self, signals[MESSAGE_RECEIVED], 0, message);
}

void
_ld_room_receive_gift (LdRoom *self,
                       LdGift *gift)
{
  g_return_if_fail (LD_IS_ROOM (self));
  g_return_if_fail (LD_IS_GIFT (gift));

  if (g_strcmp0 (ld_gift_get_room_id (gift), self->id) == 0)
    ld_gift_queue_push (self->gifts, gift);
}

void
_ld_room_clear (LdRoom   *self,
                gboolean  keep_chat)
{
  g_return_if_fail (LD_IS_ROOM (self));

  g_object_freeze_notify (G_OBJECT (self));
  self->joining = FALSE;
  set_boolean (self, &self->joined, FALSE, PROP_JOINED);
  if (!keep_chat)
    ld_chat_model_clear (self->chat);
  ld_viewer_model_clear (self->viewers);
  g_hash_table_remove_all (self->sanctions);
  set_viewer_count (self, 0);
  set_string (self, &self->title, NULL, PROP_TITLE);
  set_string (self, &self->status, NULL, PROP_STATUS);
  g_object_thaw_notify (G_OBJECT (self));
}

void
_ld_room_set_own_user (LdRoom     *self,
                       const char *user_id)
{
  g_return_if_fail (LD_IS_ROOM (self));

  g_free (self->own_user_id);
  self->own_user_id = g_strdup (user_id);
}

void
_ld_room_set_joined (LdRoom   *self,
                     gboolean  joined)
{
  g_return_if_fail (LD_IS_ROOM (self));

  if (!joined)
    self->joining = FALSE;
  set_boolean (self, &self->joined, joined, PROP_JOINED);
}

gboolean
_ld_room_get_joining (LdRoom *self)
{
  g_return_val_if_fail (LD_IS_ROOM (self), FALSE);

  return self->joining;
}

void
_ld_room_set_joining (LdRoom   *self,
                      gboolean  joining)
{
  g_return_if_fail (LD_IS_ROOM (self));

  self->joining = joining;
}

void
_ld_room_set_sanction (LdRoom     *self,
                       LdSanction  sanction,
                       GDateTime  *until,
                       const char *reason)
{
  g_return_if_fail (LD_IS_ROOM (self));

  set_own_sanction (self, sanction, until, reason);
}

void
_ld_room_set_banned (LdRoom   *self,
                     gboolean  banned)
{
  g_return_if_fail (LD_IS_ROOM (self));

  set_boolean (self, &self->banned, banned, PROP_BANNED);
}

static void
ld_room_dispose (GObject *object)
{
  LdRoom *self = LD_ROOM (object);

  g_clear_handle_id (&self->sanction_source, g_source_remove);

  G_OBJECT_CLASS (ld_room_parent_class)->dispose (object);
}

static void
ld_room_finalize (GObject *object)
{
  LdRoom *self = LD_ROOM (object);

  g_clear_object (&self->chat);
  g_clear_object (&self->viewers);
  g_clear_object (&self->gifts);
  g_clear_object (&self->moderation_log);
  g_clear_pointer (&self->sanctions, g_hash_table_unref);
  g_clear_pointer (&self->sanction_until, g_date_time_unref);
  g_free (self->sanction_reason);
  g_free (self->own_user_id);
  g_free (self->title);
  g_free (self->status);
  g_free (self->id);
  g_weak_ref_clear (&self->session);

  G_OBJECT_CLASS (ld_room_parent_class)->finalize (object);
}

static void
ld_room_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  LdRoom *self = LD_ROOM (object);

  switch (prop_id)
    {
    case PROP_ID: g_value_set_string (value, self->id); break;
    case PROP_TITLE: g_value_set_string (value, self->title); break;
    case PROP_STATUS: g_value_set_string (value, self->status); break;
    case PROP_VIEWER_COUNT: g_value_set_uint (value, self->viewer_count); break;
    case PROP_JOINED: g_value_set_boolean (value, self->joined); break;
    case PROP_BANNED: g_value_set_boolean (value, self->banned); break;
    case PROP_SANCTION: g_value_set_enum (value, self->sanction); break;
    case PROP_SANCTION_UNTIL: g_value_set_boxed (value, self->sanction_until); break;
    case PROP_SANCTION_REASON: g_value_set_string (value, self->sanction_reason); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_room_class_init (LdRoomClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = ld_room_dispose;
  object_class->finalize = ld_room_finalize;
  object_class->get_property = ld_room_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, ro);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, ro);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, ro);
  properties[PROP_VIEWER_COUNT] = g_param_spec_uint ("viewer-count", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_JOINED] = g_param_spec_boolean ("joined", NULL, NULL, FALSE, ro);
  properties[PROP_BANNED] = g_param_spec_boolean ("banned", NULL, NULL, FALSE, ro);
  properties[PROP_SANCTION] = g_param_spec_enum ("sanction", NULL, NULL, LD_TYPE_SANCTION, LD_SANCTION_NONE, ro);
  properties[PROP_SANCTION_UNTIL] = g_param_spec_boxed ("sanction-until", NULL, NULL, G_TYPE_DATE_TIME, ro);
  properties[PROP_SANCTION_REASON] = g_param_spec_string ("sanction-reason", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Someone else's message arrived live (not the history a join brings),
   * after it went into the chat. */
  signals[MESSAGE_RECEIVED] =
    g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, LD_TYPE_MESSAGE);
  /* A message was said in the room live, ours included (their echo), not
   * the history a join brings: what the room's chat figures count. */
  signals[MESSAGE_POSTED] =
    g_signal_new ("message-posted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, LD_TYPE_MESSAGE);
  /* roomUpdate changed the stream's status ("live", "ended"). */
  signals[STREAM_STATUS_CHANGED] =
    g_signal_new ("stream-status-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ld_room_init (LdRoom *self)
{
  self->chat = ld_chat_model_new ();
  self->viewers = ld_viewer_model_new ();
  self->gifts = ld_gift_queue_new (NULL);
  self->moderation_log = ld_moderation_log_new ();
  self->sanctions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, sanction_free);
}

LdRoom *
_ld_room_new (const char *room_id)
{
  LdRoom *self = g_object_new (LD_TYPE_ROOM, NULL);

  self->id = g_strdup (room_id);
  return self;
}

void
_ld_room_set_session (LdRoom  *self,
                      GObject *session)
{
  g_return_if_fail (LD_IS_ROOM (self));

  g_weak_ref_set (&self->session, session);
}

/* Actions: the room makes its requests, its session carries them. */

static LdSession *
dup_session (LdRoom  *self,
             GError **error)
{
  LdSession *session = g_weak_ref_get (&self->session);

  if (session == NULL)
    g_set_error_literal (error, LD_SESSION_ERROR, LD_SESSION_ERROR_NOT_IN_ROOM, _("Join a room first"));
  return session;
}

/* The session still holds this room, and it did not ban the user. */
static gboolean
check_in_room (LdRoom     *self,
               LdSession  *session,
               GError    **error)
{
  if (self->id != NULL && !self->banned && ld_session_get_room (session, self->id) == self)
    return TRUE;
  g_set_error_literal (error, LD_SESSION_ERROR, LD_SESSION_ERROR_NOT_IN_ROOM, _("Join a room first"));
  return FALSE;
}

/* What the user sends in the room, through the session's one outbox. */
static LdMessage *
send_chat (LdRoom         *self,
           LdMessageType   type,
           const char     *content,
           GError        **error)
{
  g_autoptr(LdSession) session = dup_session (self, error);

  return session != NULL ? _ld_outbox_send (ld_session_get_outbox (session), self, type, content, error) : NULL;
}

LdMessage *
ld_room_send_text (LdRoom      *self,
                   const char  *text,
                   GError     **error)
{
  g_return_val_if_fail (LD_IS_ROOM (self), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  return send_chat (self, LD_MESSAGE_TYPE_TEXT, text, error);
}

LdMessage *
ld_room_send_image (LdRoom      *self,
                    const char  *image_url,
                    GError     **error)
{
  g_return_val_if_fail (LD_IS_ROOM (self), NULL);
  g_return_val_if_fail (image_url != NULL, NULL);

  return send_chat (self, LD_MESSAGE_TYPE_IMAGE, image_url, error);
}

gboolean
ld_room_retry_message (LdRoom    *self,
                       LdMessage *message)
{
  g_autoptr(LdSession) session = NULL;

  g_return_val_if_fail (LD_IS_ROOM (self), FALSE);
  g_return_val_if_fail (LD_IS_MESSAGE (message), FALSE);

  session = g_weak_ref_get (&self->session);
  return session != NULL && _ld_outbox_retry (ld_session_get_outbox (session), self, message);
}

/* The sendGift payload for REQUEST here, from the session's user. */
static JsonObject *
gift_payload (LdRoom           *self,
              LdSession        *session,
              const LdRoomGift *request)
{
  JsonObject *payload = json_object_new ();
  const char *user_id = NULL;
  const char *username = NULL;

  json_object_set_string_member (payload, "roomId", self->id);
  if (_ld_session_get_sender (session, &user_id, &username))
    {
      json_object_set_string_member (payload, "senderId", user_id);
      json_object_set_string_member (payload, "senderName", username);
    }
  /* Missing fields stay missing, so the check names them. */
  if (request->receiver_id != NULL)
    json_object_set_string_member (payload, "receiverId", request->receiver_id);
  json_object_set_string_member (payload, "receiverName", request->receiver_name != NULL ? request->receiver_name : "");
  if (request->gift_id != NULL)
    json_object_set_string_member (payload, "giftId", request->gift_id);
  if (request->gift_name != NULL)
    json_object_set_string_member (payload, "giftName", request->gift_name);
  if (request->gift_type != NULL)
    json_object_set_string_member (payload, "giftType", request->gift_type);
  json_object_set_double_member (payload, "giftValue", request->gift_value);
  json_object_set_int_member (payload, "quantity", request->quantity);
  json_object_set_string_member (payload, "message", request->message != NULL ? request->message : "");
  json_object_set_string_member (payload, "animation", request->animation != NULL ? request->animation : "default");
  return payload;
}

/* PAYLOAD as the contract takes it, or NULL with the user's reason. */
static LdGiftRequest *
check_gift_payload (JsonObject  *payload,
                    GError     **error)
{
  g_autoptr(GError) validation = NULL;
  LdGiftRequest *gift = ld_validate_gift (payload, &validation);

  if (gift == NULL)
    _ld_outbox_contract_error (error, validation, LD_GIFT_MESSAGE_MAX_CHARS);
  return gift;
}

gboolean
ld_room_check_gift (LdRoom            *self,
                    const LdRoomGift  *request,
                    GError           **error)
{
  g_autoptr(LdSession) session = NULL;
  g_autoptr(JsonObject) payload = NULL;
  g_autoptr(LdGiftRequest) gift = NULL;

  g_return_val_if_fail (LD_IS_ROOM (self), FALSE);
  g_return_val_if_fail (request != NULL, FALSE);

  session = dup_session (self, error);
  if (session == NULL || !check_in_room (self, session, error))
    return FALSE;
  payload = gift_payload (self, session, request);
  gift = check_gift_payload (payload, error);
  return gift != NULL;
}

static void
done_gift (GTask      *task,
           JsonObject *data,
           GError     *error)
{
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_pointer (task,
                           g_strdup (data != NULL ? json_object_get_string_member_with_default (data, "giftTxId", "") : ""),
                           g_free);
}

void
ld_room_send_gift_async (LdRoom              *self,
                         const LdRoomGift    *request,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(LdSession) session = NULL;
  g_autoptr(JsonObject) payload = NULL;
  g_autoptr(LdGiftRequest) gift = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *timestamp = NULL;
  GError *error = NULL;

  g_return_if_fail (LD_IS_ROOM (self));
  g_return_if_fail (request != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_room_send_gift_async);
  session = dup_session (self, &error);
  if (session == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!_ld_session_get_sender (session, NULL, NULL))
    {
      g_task_return_new_error (task, LD_SESSION_ERROR, LD_SESSION_ERROR_SIGNED_OUT, "%s", _("Not signed in"));
      return;
    }
  if (!check_in_room (self, session, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  payload = gift_payload (self, session, request);
  now = g_date_time_new_now_utc ();
  timestamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%fZ");
  json_object_set_string_member (payload, "timestamp", timestamp);
  gift = check_gift_payload (payload, &error);
  if (gift == NULL || !_ld_outbox_check_rate (ld_session_get_outbox (session), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* What the server will take: the sanitised message, the defaults. */
  json_object_set_string_member (payload, "message", gift->message);
  json_object_set_string_member (payload, "animation", gift->animation);

  ld_request_prepare (task, "sendGift", payload, "giftSent", done_gift);
  _ld_session_submit (session, task);
}

char *
ld_room_send_gift_finish (LdRoom        *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
done_info (GTask      *task,
           JsonObject *data,
           GError     *error)
{
  g_autoptr(GError) invalid = NULL;
  LdRoomInfo *info;

  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else if (data == NULL)
    g_task_return_new_error (task, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_OTHER, "%s",
                             _("The server’s answer has no data"));
  else if ((info = ld_room_info_new_from_json (data, &invalid)) == NULL)
    g_task_return_new_error (task, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_OTHER, "%s", invalid->message);
  else
    g_task_return_pointer (task, info, g_object_unref);
}

void
ld_room_get_info_async (LdRoom              *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(LdSession) session = NULL;
  g_autoptr(JsonObject) payload = NULL;
  GError *error = NULL;

  g_return_if_fail (LD_IS_ROOM (self));
  g_return_if_fail (self->id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_room_get_info_async);
  session = dup_session (self, &error);
  if (session == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  payload = json_object_new ();
  json_object_set_string_member (payload, "roomId", self->id);
  ld_request_prepare (task, "getRoomInfo", payload, "roomInfo", done_info);
  _ld_session_submit (session, task);
}

LdRoomInfo *
ld_room_get_info_finish (LdRoom        *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
role_may_moderate (LdSession *session)
{
  LdRole role = ld_session_get_role (session);

  return role == LD_ROLE_STREAMER || role == LD_ROLE_ADMIN || role == LD_ROLE_MODERATOR;
}

gboolean
ld_room_can_moderate (LdRoom *self)
{
  g_autoptr(LdSession) session = NULL;

  g_return_val_if_fail (LD_IS_ROOM (self), FALSE);

  session = g_weak_ref_get (&self->session);
  return session != NULL && ld_session_get_user_id (session) != NULL && role_may_moderate (session);
}

gboolean
ld_room_can_sanction (LdRoom  *self,
                      LdRole   target_role,
                      char   **why)
{
  g_autoptr(LdSession) session = NULL;
  const char *own_role = NULL;

  g_return_val_if_fail (LD_IS_ROOM (self), FALSE);
  g_return_val_if_fail (why == NULL || *why == NULL, FALSE);

  session = g_weak_ref_get (&self->session);
  if (session != NULL && ld_session_get_user_id (session) != NULL)
    own_role = ld_role_to_string (ld_session_get_role (session));
  if (ld_rank_may_sanction (own_role, ld_role_to_string (target_role)))
    return TRUE;

  if (why != NULL)
    *why = g_strdup (ld_role_get_sanction_refusal (target_role));
  return FALSE;
}

/* USER_ID's role as this room knows it; FALSE when it does not. */
static gboolean
lookup_role (LdRoom     *self,
             const char *user_id,
             LdRole     *role)
{
  LdViewer *viewer = ld_viewer_model_lookup (self->viewers, user_id);
  GListModel *chat = G_LIST_MODEL (self->chat);

  if (viewer != NULL)
    {
      *role = ld_viewer_get_role (viewer);
      return TRUE;
    }
  for (guint i = g_list_model_get_n_items (chat); i > 0; i--)
    {
      g_autoptr(LdMessage) message = g_list_model_get_item (chat, i - 1);

      if (g_strcmp0 (ld_message_get_user_id (message), user_id) == 0)
        {
          *role = ld_message_get_role (message);
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
ld_room_check_sanction (LdRoom      *self,
                        const char  *user_id,
                        GError     **error)
{
  g_autofree char *why = NULL;
  LdRole role;

  g_return_val_if_fail (LD_IS_ROOM (self), FALSE);
  g_return_val_if_fail (user_id != NULL, FALSE);

  /* Oneself is of one's own rank, but "yourself" is the server's better answer. */
  if (g_strcmp0 (user_id, self->own_user_id) == 0 ||
      !lookup_role (self, user_id, &role) || ld_room_can_sanction (self, role, &why))
    return TRUE;

  g_set_error_literal (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN, why);
  return FALSE;
}

static void
done_moderation (GTask      *task,
                 JsonObject *data,
                 GError     *error)
{
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

void
ld_room_moderate_async (LdRoom              *self,
                        LdModeration         action,
                        const char          *target,
                        guint                seconds,
                        const char          *reason,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  static const char * const events[] = {
    [LD_MODERATION_DELETE] = "deleteMessage",
    [LD_MODERATION_TIMEOUT] = "timeoutUser",
    [LD_MODERATION_BAN] = "banUser",
    [LD_MODERATION_UNBAN] = "unbanUser",
  };
  g_autoptr(GTask) task = NULL;
  g_autoptr(LdSession) session = NULL;
  g_autoptr(JsonObject) payload = NULL;
  GError *error = NULL;

  g_return_if_fail (LD_IS_ROOM (self));
  g_return_if_fail ((guint) action < G_N_ELEMENTS (events));
  g_return_if_fail (self->id != NULL && target != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ld_room_moderate_async);
  session = dup_session (self, &error);
  if (session == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Before authSuccess the role is unknown: let the server decide. */
  if (ld_session_get_user_id (session) != NULL && !role_may_moderate (session))
    {
      g_task_return_new_error (task, LD_SESSION_ERROR, LD_SESSION_ERROR_NOT_ALLOWED, "%s",
                               _("Only the streamer, moderators and admins may moderate"));
      return;
    }

  payload = json_object_new ();
  json_object_set_string_member (payload, "roomId", self->id);
  if (action == LD_MODERATION_DELETE)
    json_object_set_string_member (payload, "messageId", target);
  else
    {
      json_object_set_string_member (payload, "userId", target);
      json_object_set_string_member (payload, "reason", reason != NULL ? reason : "");
      if (action == LD_MODERATION_TIMEOUT && seconds > 0)
        json_object_set_int_member (payload, "seconds", seconds);
    }
  ld_request_prepare (task, events[action], payload, NULL, done_moderation);
  _ld_session_submit (session, task);
}

gboolean
ld_room_moderate_finish (LdRoom        *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

#define GETTER(type, name, field, fallback) \
  type \
  ld_room_get_##name (LdRoom *self) \
  { \
    g_return_val_if_fail (LD_IS_ROOM (self), fallback); \
    return self->field; \
  }

GETTER (const char *, id, id, NULL)
GETTER (const char *, title, title, NULL)
GETTER (const char *, status, status, NULL)
GETTER (guint, viewer_count, viewer_count, 0)
GETTER (gboolean, joined, joined, FALSE)
GETTER (gboolean, banned, banned, FALSE)
GETTER (LdChatModel *, chat, chat, NULL)
GETTER (LdViewerModel *, viewers, viewers, NULL)
GETTER (LdGiftQueue *, gifts, gifts, NULL)
GETTER (LdModerationLog *, moderation_log, moderation_log, NULL)
GETTER (LdSanction, sanction, sanction, LD_SANCTION_NONE)
GETTER (GDateTime *, sanction_until, sanction_until, NULL)
GETTER (const char *, sanction_reason, sanction_reason, NULL)

#undef GETTER
