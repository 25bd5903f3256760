/* gw-tickets.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-tickets.h"

#include <string.h>

#include "gw-envelope.h"
#include "gw-redis.h"
#include "ld-validate.h"

/* In Redis: "ticket:ID" (a hash of the summary fields and createdMs),
 * "ticket:ID:messages" (a list of message JSON), "open:USER" (support type →
 * the user's open ticket of it), three sorted sets by creation time: "all",
 * "status:open", "status:resolved", and "expiry" (resolved tickets by when
 * they expire). A resolved ticket's two keys expire after the retention;
 * every change sweeps a few expired ones out of the sorted sets, so they do
 * not grow over months, and a listing drops any it finds gone. */
#define REDIS_PREFIX "livedesk:tickets:"

typedef struct
{
  char      *id;
  char      *user_id;
  char      *username;
  char      *support_type;
  char      *assignee;
  char      *created_at;
  char      *updated_at;
  gint64     created_ms;
  gint64     resolved_ms;   /* real time it was resolved; 0 while open */
  gboolean   resolved;
  GPtrArray *messages;      /* JsonObject */
} Ticket;

struct _GwTickets
{
  GObject     parent_instance;
  gint64      retention;
  GwRedis    *redis;
  GHashTable *tickets;      /* memory: id → Ticket */
  GHashTable *open;         /* memory: user id → (support type → id) */
};

G_DEFINE_FINAL_TYPE (GwTickets, gw_tickets, G_TYPE_OBJECT)
G_DEFINE_QUARK (gw-tickets-error-quark, gw_tickets_error)

static void
ticket_free (Ticket *ticket)
{
  g_free (ticket->id);
  g_free (ticket->user_id);
  g_free (ticket->username);
  g_free (ticket->support_type);
  g_free (ticket->assignee);
  g_free (ticket->created_at);
  g_free (ticket->updated_at);
  g_ptr_array_unref (ticket->messages);
  g_free (ticket);
}

static void
gw_tickets_finalize (GObject *object)
{
  GwTickets *self = (GwTickets *)object;

  g_clear_pointer (&self->tickets, g_hash_table_unref);
  g_clear_pointer (&self->open, g_hash_table_unref);
  g_clear_object (&self->redis);

  G_OBJECT_CLASS (gw_tickets_parent_class)->finalize (object);
}

static void
gw_tickets_class_init (GwTicketsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gw_tickets_finalize;
}

static void
gw_tickets_init (GwTickets *self)
{
  self->retention = GW_TICKETS_DEFAULT_RETENTION_SECONDS;
  self->tickets = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) ticket_free);
  self->open = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
}

GwTickets *
gw_tickets_new (gint64 retention_seconds)
{
  GwTickets *self = g_object_new (GW_TYPE_TICKETS, NULL);

  if (retention_seconds > 0)
    self->retention = retention_seconds;
  return self;
}

void
gw_tickets_set_redis (GwTickets *self,
                      GwRedis   *redis)
{
  g_return_if_fail (GW_IS_TICKETS (self));
  g_return_if_fail (redis == NULL || GW_IS_REDIS (redis));

  g_set_object (&self->redis, redis);
}

gint64
gw_tickets_get_retention (GwTickets *self)
{
  g_return_val_if_fail (GW_IS_TICKETS (self), 0);

  return self->retention;
}

gboolean
gw_tickets_id_is_valid (const char *id)
{
  return ld_validate_ticket_id (id, NULL);
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static void
set_not_found (GError    **error,
               const char *id)
{
  g_set_error (error, GW_TICKETS_ERROR, GW_TICKETS_ERROR_NOT_FOUND, "There is no ticket %s", id);
}

static void
set_full (GError **error)
{
  g_set_error (error, GW_TICKETS_ERROR, GW_TICKETS_ERROR_FULL,
               "This ticket holds %d messages already; an admin must resolve it first",
               GW_TICKETS_MAX_MESSAGES);
}

static void
set_too_many (GError **error)
{
  g_set_error (error, GW_TICKETS_ERROR, GW_TICKETS_ERROR_TOO_MANY,
               "You have %d open tickets already; wait until one is resolved",
               GW_TICKETS_MAX_OPEN_PER_USER);
}

static void
set_other_user (GError **error)
{
  g_set_error (error, GW_TICKETS_ERROR, GW_TICKETS_ERROR_OTHER_USER, "That ticket belongs to another user");
}

/* ---- memory ---- */

static JsonObject *
ticket_summary (Ticket *ticket)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "ticketId", ticket->id);
  json_object_set_string_member (object, "userId", ticket->user_id);
  json_object_set_string_member (object, "username", ticket->username);
  json_object_set_string_member (object, "supportType", ticket->support_type);
  json_object_set_string_member (object, "status", ticket->resolved ? "resolved" : "open");
  if (ticket->assignee != NULL)
    json_object_set_string_member (object, "assignee", ticket->assignee);
  else
    json_object_set_null_member (object, "assignee");
  json_object_set_string_member (object, "createdAt", ticket->created_at);
  json_object_set_string_member (object, "updatedAt", ticket->updated_at);
  json_object_set_int_member (object, "messageCount", ticket->messages->len);
  return object;
}

static gboolean
ticket_expired (GwTickets *self,
                Ticket    *ticket,
                gint64     now)
{
  return ticket->resolved && now - ticket->resolved_ms >= self->retention * 1000;
}

static void
memory_unlink_open (GwTickets *self,
                    Ticket    *ticket)
{
  GHashTable *types = g_hash_table_lookup (self->open, ticket->user_id);
  const char *open_id = types != NULL ? g_hash_table_lookup (types, ticket->support_type) : NULL;

  if (open_id != NULL && strcmp (open_id, ticket->id) == 0)
    {
      g_hash_table_remove (types, ticket->support_type);
      if (g_hash_table_size (types) == 0)
        g_hash_table_remove (self->open, ticket->user_id);
    }
}

static void
memory_link_open (GwTickets *self,
                  Ticket    *ticket)
{
  GHashTable *types = g_hash_table_lookup (self->open, ticket->user_id);

  if (types == NULL)
    {
      types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (self->open, g_strdup (ticket->user_id), types);
    }
  g_hash_table_insert (types, g_strdup (ticket->support_type), g_strdup (ticket->id));
}

/* Forgets the resolved tickets past their retention, and while the store
 * is full the oldest resolved ones. FALSE if it is full of open tickets. */
static gboolean
memory_make_room (GwTickets *self)
{
  GHashTableIter iter;
  Ticket *ticket;
  Ticket *oldest = NULL;
  gint64 now = now_ms ();

  g_hash_table_iter_init (&iter, self->tickets);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &ticket))
    {
      if (ticket_expired (self, ticket, now))
        g_hash_table_iter_remove (&iter);
      else if (ticket->resolved && (oldest == NULL || ticket->resolved_ms < oldest->resolved_ms))
        oldest = ticket;
    }

  if (g_hash_table_size (self->tickets) < GW_TICKETS_MAX_IN_MEMORY)
    return TRUE;
  if (oldest == NULL)
    return FALSE;
  g_hash_table_remove (self->tickets, oldest->id);
  return TRUE;
}

static Ticket *
memory_lookup (GwTickets  *self,
               const char *id)
{
  Ticket *ticket = g_hash_table_lookup (self->tickets, id);

  if (ticket != NULL && ticket_expired (self, ticket, now_ms ()))
    {
      g_hash_table_remove (self->tickets, id);
      return NULL;
    }
  return ticket;
}

static void
ticket_touch (Ticket *ticket)
{
  g_free (ticket->updated_at);
  ticket->updated_at = gw_timestamp_format (now_ms ());
}

static JsonObject *
memory_post (GwTickets   *self,
             const char  *user_id,
             const char  *username,
             const char  *support_type,
             JsonObject  *message,
             gboolean    *out_opened,
             GError     **error)
{
  GHashTable *types = g_hash_table_lookup (self->open, user_id);
  const char *open_id = types != NULL ? g_hash_table_lookup (types, support_type) : NULL;
  Ticket *ticket = open_id != NULL ? memory_lookup (self, open_id) : NULL;

  *out_opened = FALSE;
  if (ticket == NULL)
    {
      if (types != NULL && g_hash_table_size (types) >= GW_TICKETS_MAX_OPEN_PER_USER)
        {
          set_too_many (error);
          return NULL;
        }
      if (!memory_make_room (self))
        {
          g_set_error (error, GW_TICKETS_ERROR, GW_TICKETS_ERROR_TOO_MANY,
                       "The support desk holds %d open tickets; try again later", GW_TICKETS_MAX_IN_MEMORY);
          return NULL;
        }
      ticket = g_new0 (Ticket, 1);
      ticket->id = g_uuid_string_random ();
      ticket->user_id = g_strdup (user_id);
      ticket->username = g_strdup (username);
      ticket->support_type = g_strdup (support_type);
      ticket->created_ms = now_ms ();
      ticket->created_at = gw_timestamp_format (ticket->created_ms);
      ticket->updated_at = g_strdup (ticket->created_at);
      ticket->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
      g_hash_table_insert (self->tickets, ticket->id, ticket);
      memory_link_open (self, ticket);
      *out_opened = TRUE;
    }
  else if (ticket->messages->len >= GW_TICKETS_MAX_MESSAGES)
    {
      set_full (error);
      return NULL;
    }

  g_ptr_array_add (ticket->messages, json_object_ref (message));
  g_free (ticket->username);
  ticket->username = g_strdup (username);
  ticket_touch (ticket);
  return ticket_summary (ticket);
}

static JsonObject *
memory_reply (GwTickets   *self,
              const char  *id,
              const char  *user_id,
              JsonObject  *message,
              GError     **error)
{
  Ticket *ticket = memory_lookup (self, id);

  if (ticket == NULL)
    {
      set_not_found (error, id);
      return NULL;
    }
  if (user_id != NULL && strcmp (user_id, ticket->user_id) != 0)
    {
      set_other_user (error);
      return NULL;
    }
  if (ticket->messages->len >= GW_TICKETS_MAX_MESSAGES)
    {
      set_full (error);
      return NULL;
    }
  g_ptr_array_add (ticket->messages, json_object_ref (message));
  ticket_touch (ticket);
  return ticket_summary (ticket);
}

static JsonObject *
memory_change (GwTickets       *self,
               const char      *id,
               GwTicketChange   change,
               const char      *admin,
               GError         **error)
{
  Ticket *ticket = memory_lookup (self, id);

  if (ticket == NULL)
    {
      set_not_found (error, id);
      return NULL;
    }

  switch (change)
    {
    case GW_TICKET_CLAIM:
      g_free (ticket->assignee);
      ticket->assignee = g_strdup (admin);
      break;
    case GW_TICKET_RESOLVE:
      if (!ticket->resolved)
        {
          ticket->resolved = TRUE;
          ticket->resolved_ms = now_ms ();
          memory_unlink_open (self, ticket);
        }
      break;
    case GW_TICKET_REOPEN:
      /* Further messages of the user of that type go to the reopened one. */
      ticket->resolved = FALSE;
      ticket->resolved_ms = 0;
      memory_link_open (self, ticket);
      break;
    default:
      g_assert_not_reached ();
    }
  ticket_touch (ticket);
  return ticket_summary (ticket);
}

static gint
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const Ticket *ta = *(Ticket * const *) a;
  const Ticket *tb = *(Ticket * const *) b;

  if (ta->created_ms != tb->created_ms)
    return ta->created_ms > tb->created_ms ? -1 : 1;
  return strcmp (tb->id, ta->id);
}

static JsonArray *
memory_list (GwTickets  *self,
             const char *status,
             gint64      before_ms,
             guint       limit)
{
  g_autoptr(GPtrArray) matches = g_ptr_array_new ();
  JsonArray *page = json_array_new ();
  GHashTableIter iter;
  Ticket *ticket;
  gint64 now = now_ms ();

  g_hash_table_iter_init (&iter, self->tickets);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &ticket))
    {
      if (ticket_expired (self, ticket, now))
        continue;
      if (status != NULL && strcmp (status, ticket->resolved ? "resolved" : "open") != 0)
        continue;
      if (before_ms > 0 && ticket->created_ms >= before_ms)
        continue;
      g_ptr_array_add (matches, ticket);
    }
  g_ptr_array_sort (matches, compare_newest_first);
  for (guint i = 0; i < matches->len && i < limit; i++)
    json_array_add_object_element (page, ticket_summary (g_ptr_array_index (matches, i)));
  return page;
}

static JsonObject *
memory_get (GwTickets   *self,
            const char  *id,
            GError     **error)
{
  Ticket *ticket = memory_lookup (self, id);
  JsonObject *object;
  JsonArray *messages;

  if (ticket == NULL)
    {
      set_not_found (error, id);
      return NULL;
    }
  object = ticket_summary (ticket);
  messages = json_array_new ();
  for (guint i = 0; i < ticket->messages->len; i++)
    json_array_add_object_element (messages, json_object_ref (g_ptr_array_index (ticket->messages, i)));
  json_object_set_array_member (object, "messages", messages);
  return object;
}

/* ---- Redis ---- */

/* Every script answers {"ok", extra, summary fields as a flat list, ...}
 * or {"err", reason}. The summary is HGETALL of the ticket hash followed by
 * "messageCount" and its count. */
#define LUA_SUMMARY \
  "local function summary(p, id)\n" \
  "  local t = redis.call('HGETALL', p .. 'ticket:' .. id)\n" \
  "  table.insert(t, 'messageCount')\n" \
  "  table.insert(t, tostring(redis.call('LLEN', p .. 'ticket:' .. id .. ':messages')))\n" \
  "  return t\n" \
  "end\n" \
  "local function sweep(p, now)\n" \
  "  local gone = redis.call('ZRANGEBYSCORE', p .. 'expiry', '-inf', now, 'LIMIT', 0, 20)\n" \
  "  for _, id in ipairs(gone) do\n" \
  "    if redis.call('EXISTS', p .. 'ticket:' .. id) == 1 then break end\n" \
  "    redis.call('ZREM', p .. 'all', id)\n" \
  "    redis.call('ZREM', p .. 'status:resolved', id)\n" \
  "    redis.call('ZREM', p .. 'status:open', id)\n" \
  "    redis.call('ZREM', p .. 'expiry', id)\n" \
  "  end\n" \
  "end\n"

/* ARGV: prefix, user, username, support type, new id, message, now (ISO),
 * now (ms), max messages, max open. */
static const char post_script[] =
  LUA_SUMMARY
  "local p = ARGV[1]\n"
  "local openkey = p .. 'open:' .. ARGV[2]\n"
  "local id = redis.call('HGET', openkey, ARGV[4])\n"
  "if id and redis.call('EXISTS', p .. 'ticket:' .. id) == 0 then\n"
  "  redis.call('HDEL', openkey, ARGV[4])\n"
  "  id = false\n"
  "end\n"
  "local opened = '0'\n"
  "if not id then\n"
  "  if redis.call('HLEN', openkey) >= tonumber(ARGV[10]) then return {'err', 'too_many'} end\n"
  "  id = ARGV[5]\n"
  "  redis.call('HSET', p .. 'ticket:' .. id, 'ticketId', id, 'userId', ARGV[2], 'supportType', ARGV[4],\n"
  "             'status', 'open', 'assignee', '', 'createdAt', ARGV[7], 'createdMs', ARGV[8])\n"
  "  redis.call('HSET', openkey, ARGV[4], id)\n"
  "  redis.call('ZADD', p .. 'all', ARGV[8], id)\n"
  "  redis.call('ZADD', p .. 'status:open', ARGV[8], id)\n"
  "  opened = '1'\n"
  "  sweep(p, ARGV[8])\n"
  "elseif redis.call('LLEN', p .. 'ticket:' .. id .. ':messages') >= tonumber(ARGV[9]) then\n"
  "  return {'err', 'full'}\n"
  "end\n"
  "redis.call('RPUSH', p .. 'ticket:' .. id .. ':messages', ARGV[6])\n"
  "redis.call('HSET', p .. 'ticket:' .. id, 'username', ARGV[3], 'updatedAt', ARGV[7])\n"
  "return {'ok', opened, summary(p, id)}\n";

/* ARGV: prefix, id, message, now (ISO), max messages, user ("": any). */
static const char reply_script[] =
  LUA_SUMMARY
  "local p = ARGV[1]\n"
  "local id = ARGV[2]\n"
  "if redis.call('EXISTS', p .. 'ticket:' .. id) == 0 then return {'err', 'not_found'} end\n"
  "if ARGV[6] ~= '' and redis.call('HGET', p .. 'ticket:' .. id, 'userId') ~= ARGV[6] then\n"
  "  return {'err', 'other_user'}\n"
  "end\n"
  "if redis.call('LLEN', p .. 'ticket:' .. id .. ':messages') >= tonumber(ARGV[5]) then\n"
  "  return {'err', 'full'}\n"
  "end\n"
  "redis.call('RPUSH', p .. 'ticket:' .. id .. ':messages', ARGV[3])\n"
  "redis.call('HSET', p .. 'ticket:' .. id, 'updatedAt', ARGV[4])\n"
  "return {'ok', '0', summary(p, id)}\n";

/* ARGV: prefix, id, change (claim, resolve, reopen), admin, now (ISO),
 * retention seconds, now (ms). */
static const char change_script[] =
  LUA_SUMMARY
  "local p = ARGV[1]\n"
  "local id = ARGV[2]\n"
  "local key = p .. 'ticket:' .. id\n"
  "if redis.call('EXISTS', key) == 0 then return {'err', 'not_found'} end\n"
  "local t = redis.call('HMGET', key, 'userId', 'supportType', 'createdMs', 'status')\n"
  "local openkey = p .. 'open:' .. t[1]\n"
  "if ARGV[3] == 'claim' then\n"
  "  redis.call('HSET', key, 'assignee', ARGV[4])\n"
  "elseif ARGV[3] == 'resolve' then\n"
  "  if t[4] ~= 'resolved' then\n"
  "    redis.call('HSET', key, 'status', 'resolved')\n"
  "    redis.call('ZREM', p .. 'status:open', id)\n"
  "    redis.call('ZADD', p .. 'status:resolved', t[3], id)\n"
  "    if redis.call('HGET', openkey, t[2]) == id then redis.call('HDEL', openkey, t[2]) end\n"
  "    redis.call('EXPIRE', key, ARGV[6])\n"
  "    redis.call('EXPIRE', key .. ':messages', ARGV[6])\n"
  "    redis.call('ZADD', p .. 'expiry', tonumber(ARGV[7]) + tonumber(ARGV[6]) * 1000, id)\n"
  "  end\n"
  "else\n"
  "  redis.call('HSET', key, 'status', 'open')\n"
  "  redis.call('ZREM', p .. 'status:resolved', id)\n"
  "  redis.call('ZADD', p .. 'status:open', t[3], id)\n"
  "  redis.call('HSET', openkey, t[2], id)\n"
  "  redis.call('PERSIST', key)\n"
  "  redis.call('PERSIST', key .. ':messages')\n"
  "  redis.call('ZREM', p .. 'expiry', id)\n"
  "end\n"
  "sweep(p, ARGV[7])\n"
  "redis.call('HSET', key, 'updatedAt', ARGV[5])\n"
  "return {'ok', '0', summary(p, id)}\n";

/* ARGV: prefix, set (all, status:open, status:resolved), max score
 * ("+inf" or "(MS"), limit. Answers {"ok", "0", summary, summary, ...};
 * tickets that expired are dropped from the sets on the way. */
static const char list_script[] =
  LUA_SUMMARY
  "local p = ARGV[1]\n"
  "local zkey = p .. ARGV[2]\n"
  "local max = ARGV[3]\n"
  "local n = tonumber(ARGV[4])\n"
  "local out = {'ok', '0'}\n"
  "for round = 1, 20 do\n"
  "  local ids = redis.call('ZREVRANGEBYSCORE', zkey, max, '-inf', 'WITHSCORES', 'LIMIT', 0, n)\n"
  "  if #ids == 0 then break end\n"
  "  for i = 1, #ids, 2 do\n"
  "    local id = ids[i]\n"
  "    if redis.call('EXISTS', p .. 'ticket:' .. id) == 0 then\n"
  "      redis.call('ZREM', p .. 'all', id)\n"
  "      redis.call('ZREM', p .. 'status:open', id)\n"
  "      redis.call('ZREM', p .. 'status:resolved', id)\n"
  "    elseif #out - 2 < n then\n"
  "      table.insert(out, summary(p, id))\n"
  "    end\n"
  "    max = '(' .. ids[i + 1]\n"
  "  end\n"
  "  if #out - 2 >= n then break end\n"
  "end\n"
  "return out\n";

/* ARGV: prefix, id, or "" then user and support type for the user's open
 * ticket of that type. Answers {"ok", "0", summary, messages}. */
static const char get_script[] =
  LUA_SUMMARY
  "local p = ARGV[1]\n"
  "local id = ARGV[2]\n"
  "if id == '' then\n"
  "  id = redis.call('HGET', p .. 'open:' .. ARGV[3], ARGV[4])\n"
  "  if not id then return {'err', 'not_found'} end\n"
  "end\n"
  "if redis.call('EXISTS', p .. 'ticket:' .. id) == 0 then return {'err', 'not_found'} end\n"
  "return {'ok', '0', summary(p, id), redis.call('LRANGE', p .. 'ticket:' .. id .. ':messages', 0, -1)}\n";

/* The string child INDEX of an "av" variant, or NULL. */
static const char *
child_string (GVariant *array,
              gsize     index)
{
  g_autoptr(GVariant) child = NULL;
  g_autoptr(GVariant) value = NULL;

  if (array == NULL || !g_variant_is_of_type (array, G_VARIANT_TYPE ("av")) ||
      index >= g_variant_n_children (array))
    return NULL;
  child = g_variant_get_child_value (array, index);
  value = g_variant_get_variant (child);
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    return NULL;
  /* Owned by ARRAY, which outlives the caller's use. */
  return g_variant_get_string (value, NULL);
}

static GVariant *
child_array (GVariant *array,
             gsize     index)
{
  g_autoptr(GVariant) child = NULL;
  GVariant *value;

  if (!g_variant_is_of_type (array, G_VARIANT_TYPE ("av")) || index >= g_variant_n_children (array))
    return NULL;
  child = g_variant_get_child_value (array, index);
  value = g_variant_get_variant (child);
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE ("av")))
    {
      g_variant_unref (value);
      return NULL;
    }
  return value;
}

static JsonObject *
summary_from_variant (GVariant *flat)
{
  g_autoptr(JsonObject) object = json_object_new ();
  gsize n = g_variant_n_children (flat);
  const char *count;
  const char *assignee;

  for (gsize i = 0; i + 1 < n; i += 2)
    {
      const char *name = child_string (flat, i);
      const char *value = child_string (flat, i + 1);

      if (name == NULL || value == NULL)
        return NULL;
      if (strcmp (name, "createdMs") != 0 && strcmp (name, "messageCount") != 0)
        json_object_set_string_member (object, name, value);
    }

  if (!json_object_has_member (object, "ticketId") || !json_object_has_member (object, "status"))
    return NULL;
  assignee = json_object_get_string_member_with_default (object, "assignee", "");
  if (assignee[0] == '\0')
    json_object_set_null_member (object, "assignee");
  count = child_string (flat, n - 1);
  json_object_set_int_member (object, "messageCount", count != NULL ? g_ascii_strtoll (count, NULL, 10) : 0);
  return g_steal_pointer (&object);
}

/* FALSE with ERROR set unless REPLY is {"ok", ...}. */
static gboolean
check_reply (GVariant    *reply,
             const char  *id,
             GError     **error)
{
  const char *status = child_string (reply, 0);
  const char *reason = child_string (reply, 1);

  if (g_strcmp0 (status, "ok") == 0)
    return TRUE;
  if (g_strcmp0 (status, "err") == 0 && g_strcmp0 (reason, "not_found") == 0)
    set_not_found (error, id);
  else if (g_strcmp0 (status, "err") == 0 && g_strcmp0 (reason, "full") == 0)
    set_full (error);
  else if (g_strcmp0 (status, "err") == 0 && g_strcmp0 (reason, "too_many") == 0)
    set_too_many (error);
  else if (g_strcmp0 (status, "err") == 0 && g_strcmp0 (reason, "other_user") == 0)
    set_other_user (error);
  else
    g_set_error (error, GW_TICKETS_ERROR, GW_TICKETS_ERROR_BAD_REPLY, "Redis answered something unexpected");
  return FALSE;
}

typedef enum
{
  OP_POST,
  OP_SUMMARY,
  OP_LIST,
  OP_GET,
} Op;

typedef struct
{
  Op    op;
  char *id;
} Request;

static void
request_free (Request *request)
{
  g_free (request->id);
  g_free (request);
}

static void
on_script (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Request *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = gw_redis_command_finish (GW_REDIS (source), result, &error);
  g_autoptr(GVariant) flat = NULL;
  JsonObject *summary;

  if (reply == NULL || !check_reply (reply, request->id, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (request->op == OP_LIST)
    {
      g_autoptr(JsonArray) page = json_array_new ();

      for (gsize i = 2; i < g_variant_n_children (reply); i++)
        {
          g_autoptr(GVariant) item = child_array (reply, i);

          if (item != NULL && (summary = summary_from_variant (item)) != NULL)
            json_array_add_object_element (page, summary);
        }
      g_task_return_pointer (task, g_steal_pointer (&page), (GDestroyNotify) json_array_unref);
      return;
    }

  flat = child_array (reply, 2);
  if (flat == NULL || (summary = summary_from_variant (flat)) == NULL)
    {
      g_task_return_new_error (task, GW_TICKETS_ERROR, GW_TICKETS_ERROR_BAD_REPLY,
                               "Redis holds a damaged ticket %s", request->id);
      return;
    }

  if (request->op == OP_POST)
    g_object_set_data (G_OBJECT (task), "opened", GINT_TO_POINTER (g_strcmp0 (child_string (reply, 1), "1") == 0));

  if (request->op == OP_GET)
    {
      g_autoptr(GVariant) texts = child_array (reply, 3);
      JsonArray *messages = json_array_new ();
      gsize n = texts != NULL ? g_variant_n_children (texts) : 0;

      /* What this unit wrote, parsed back; anything else is skipped. */
      for (gsize i = 0; i < n; i++)
        {
          const char *text = child_string (texts, i);
          g_autoptr(JsonNode) node = text != NULL ? json_from_string (text, NULL) : NULL;

          if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
            json_array_add_object_element (messages, json_object_ref (json_node_get_object (node)));
        }
      json_object_set_array_member (summary, "messages", messages);
    }

  g_task_return_pointer (task, summary, (GDestroyNotify) json_object_unref);
}

static GTask *
new_task (GwTickets    *self,
          Op            op,
          const char   *id,
          GCancellable *cancellable,
          GAsyncReadyCallback callback,
          gpointer      user_data,
          gpointer      tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Request *request = g_new0 (Request, 1);

  g_task_set_source_tag (task, tag);
  request->op = op;
  request->id = g_strdup (id);
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  return task;
}

static char *
message_text (JsonObject *message)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, message);
  return json_to_string (node, FALSE);
}

static void
return_object (GTask      *task,
               JsonObject *object,
               GError     *error)
{
  if (object == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, object, (GDestroyNotify) json_object_unref);
}

void
gw_tickets_post_async (GwTickets           *self,
                       const char          *user_id,
                       const char          *username,
                       const char          *support_type,
                       JsonObject          *message,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *id = NULL;
  g_autofree char *text = NULL;
  g_autofree char *now = NULL;
  g_autofree char *now_text = NULL;
  g_autofree char *max_messages = NULL;
  g_autofree char *max_open = NULL;
  gint64 now_value = now_ms ();

  g_return_if_fail (GW_IS_TICKETS (self));
  g_return_if_fail (user_id != NULL && username != NULL && support_type != NULL && message != NULL);

  task = new_task (self, OP_POST, NULL, cancellable, callback, user_data, gw_tickets_post_async);

  if (self->redis == NULL)
    {
      GError *error = NULL;
      gboolean opened = FALSE;
      JsonObject *summary = memory_post (self, user_id, username, support_type, message, &opened, &error);

      g_object_set_data (G_OBJECT (task), "opened", GINT_TO_POINTER (opened));
      return_object (task, summary, error);
      return;
    }

  id = g_uuid_string_random ();
  text = message_text (message);
  now = gw_timestamp_format (now_value);
  now_text = g_strdup_printf ("%" G_GINT64_FORMAT, now_value);
  max_messages = g_strdup_printf ("%d", GW_TICKETS_MAX_MESSAGES);
  max_open = g_strdup_printf ("%d", GW_TICKETS_MAX_OPEN_PER_USER);
  gw_redis_command_async (self->redis,
                          (const char *[]) { "EVAL", post_script, "0", REDIS_PREFIX, user_id, username,
                                             support_type, id, text, now, now_text, max_messages, max_open,
                                             NULL },
                          cancellable, on_script, g_steal_pointer (&task));
}

JsonObject *
gw_tickets_post_finish (GwTickets     *self,
                        GAsyncResult  *result,
                        gboolean      *out_opened,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (out_opened != NULL)
    *out_opened = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "opened"));
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
gw_tickets_reply_async (GwTickets           *self,
                        const char          *id,
                        const char          *user_id,
                        JsonObject          *message,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *text = NULL;
  g_autofree char *now = NULL;
  g_autofree char *max_messages = NULL;

  g_return_if_fail (GW_IS_TICKETS (self));
  g_return_if_fail (id != NULL && message != NULL);

  task = new_task (self, OP_SUMMARY, id, cancellable, callback, user_data, gw_tickets_reply_async);

  if (self->redis == NULL)
    {
      GError *error = NULL;
      JsonObject *summary = memory_reply (self, id, user_id, message, &error);

      return_object (task, summary, error);
      return;
    }

  text = message_text (message);
  now = gw_timestamp_format (now_ms ());
  max_messages = g_strdup_printf ("%d", GW_TICKETS_MAX_MESSAGES);
  gw_redis_command_async (self->redis,
                          (const char *[]) { "EVAL", reply_script, "0", REDIS_PREFIX, id, text, now,
                                             max_messages, user_id != NULL ? user_id : "", NULL },
                          cancellable, on_script, g_steal_pointer (&task));
}

JsonObject *
gw_tickets_reply_finish (GwTickets     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
gw_tickets_change_async (GwTickets           *self,
                         const char          *id,
                         GwTicketChange       change,
                         const char          *admin,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  static const char * const names[] = { "claim", "resolve", "reopen" };
  g_autoptr(GTask) task = NULL;
  g_autofree char *now = NULL;
  g_autofree char *now_text = NULL;
  g_autofree char *retention = NULL;
  gint64 now_value = now_ms ();

  g_return_if_fail (GW_IS_TICKETS (self));
  g_return_if_fail (id != NULL && admin != NULL);
  g_return_if_fail ((guint) change < G_N_ELEMENTS (names));

  task = new_task (self, OP_SUMMARY, id, cancellable, callback, user_data, gw_tickets_change_async);

  if (self->redis == NULL)
    {
      GError *error = NULL;
      JsonObject *summary = memory_change (self, id, change, admin, &error);

      return_object (task, summary, error);
      return;
    }

  now = gw_timestamp_format (now_value);
  now_text = g_strdup_printf ("%" G_GINT64_FORMAT, now_value);
  retention = g_strdup_printf ("%" G_GINT64_FORMAT, self->retention);
  gw_redis_command_async (self->redis,
                          (const char *[]) { "EVAL", change_script, "0", REDIS_PREFIX, id, names[change], admin,
                                             now, retention, now_text, NULL },
                          cancellable, on_script, g_steal_pointer (&task));
}

JsonObject *
gw_tickets_change_finish (GwTickets     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
gw_tickets_list_async (GwTickets           *self,
                       const char          *status,
                       gint64               before_ms,
                       guint                limit,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *set = NULL;
  g_autofree char *max = NULL;
  g_autofree char *count = NULL;

  g_return_if_fail (GW_IS_TICKETS (self));
  g_return_if_fail (status == NULL || strcmp (status, "open") == 0 || strcmp (status, "resolved") == 0);

  limit = CLAMP (limit, 1, GW_TICKETS_MAX_PAGE);
  task = new_task (self, OP_LIST, NULL, cancellable, callback, user_data, gw_tickets_list_async);

  if (self->redis == NULL)
    {
      g_task_return_pointer (task, memory_list (self, status, before_ms, limit), (GDestroyNotify) json_array_unref);
      return;
    }

  set = status != NULL ? g_strconcat ("status:", status, NULL) : g_strdup ("all");
  max = before_ms > 0 ? g_strdup_printf ("(%" G_GINT64_FORMAT, before_ms) : g_strdup ("+inf");
  count = g_strdup_printf ("%u", limit);
  gw_redis_command_async (self->redis,
                          (const char *[]) { "EVAL", list_script, "0", REDIS_PREFIX, set, max, count, NULL },
                          cancellable, on_script, g_steal_pointer (&task));
}

JsonArray *
gw_tickets_list_finish (GwTickets     *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
gw_tickets_get_async (GwTickets           *self,
                      const char          *id,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (GW_IS_TICKETS (self));
  g_return_if_fail (id != NULL);

  task = new_task (self, OP_GET, id, cancellable, callback, user_data, gw_tickets_get_async);

  if (self->redis == NULL)
    {
      GError *error = NULL;
      JsonObject *ticket = memory_get (self, id, &error);

      return_object (task, ticket, error);
      return;
    }

  gw_redis_command_async (self->redis,
                          (const char *[]) { "EVAL", get_script, "0", REDIS_PREFIX, id, "", "", NULL },
                          cancellable, on_script, g_steal_pointer (&task));
}

void
gw_tickets_get_open_async (GwTickets           *self,
                           const char          *user_id,
                           const char          *support_type,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *what = NULL;

  g_return_if_fail (GW_IS_TICKETS (self));
  g_return_if_fail (user_id != NULL && support_type != NULL);

  what = g_strdup_printf ("of type %s", support_type);
  task = new_task (self, OP_GET, what, cancellable, callback, user_data, gw_tickets_get_async);

  if (self->redis == NULL)
    {
      GHashTable *types = g_hash_table_lookup (self->open, user_id);
      const char *id = types != NULL ? g_hash_table_lookup (types, support_type) : NULL;
      GError *error = NULL;
      JsonObject *ticket = NULL;

      if (id != NULL)
        ticket = memory_get (self, id, &error);
      else
        set_not_found (&error, what);
      return_object (task, ticket, error);
      return;
    }

  gw_redis_command_async (self->redis,
                          (const char *[]) { "EVAL", get_script, "0", REDIS_PREFIX, "", user_id, support_type,
                                             NULL },
                          cancellable, on_script, g_steal_pointer (&task));
}

JsonObject *
gw_tickets_get_finish (GwTickets     *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
