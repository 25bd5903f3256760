/* gw-redis-rooms.c
 *
 * A room's viewers live in one hash, "livedesk:room:ID:viewers": userId →
 * {"n": username, "r": role, "p": {process id: expiry in ms}}. Expiries are
 * read against Redis' own clock (TIME), so the processes' clocks need not
 * agree. Each change is one Lua script: Redis runs it whole, which is what
 * makes "first in" and "last out" exact.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-redis-rooms.h"

/* Common to every script: NOW in ms on Redis' clock, a viewer decoder that
 * survives a mangled entry, and keep_for, which lets a room's hash outlive
 * the longest hold in it whoever wrote last (a process with a shorter
 * presence timeout must not cut another's holds short). */
#define SCRIPT_PRELUDE \
  "local t = redis.call('TIME')\n" \
  "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n" \
  "local function decode(raw)\n" \
  "  local ok, v = pcall(cjson.decode, raw)\n" \
  "  if not ok or type(v) ~= 'table' then v = {} end\n" \
  "  if type(v.p) ~= 'table' then v.p = {} end\n" \
  "  return v\n" \
  "end\n" \
  "local function keep_for(key, ms)\n" \
  "  if redis.call('PTTL', key) < tonumber(ms) then redis.call('PEXPIRE', key, ms) end\n" \
  "end\n"

/* KEYS[1] viewers, KEYS[2] info; ARGV user, username, role, process, ttl →
 * 1 if no other live process holds the user (else 0), the title, the status. */
static const char join_script[] =
  SCRIPT_PRELUDE
  "local raw = redis.call('HGET', KEYS[1], ARGV[1])\n"
  "local v = raw and decode(raw) or { p = {} }\n"
  "local first = 1\n"
  "for id, exp in pairs(v.p) do\n"
  "  if tonumber(exp) == nil or tonumber(exp) <= now then v.p[id] = nil\n"
  "  elseif id ~= ARGV[4] then first = 0 end\n"
  "end\n"
  "v.n = ARGV[2]\n"
  "v.r = ARGV[3]\n"
  "v.p[ARGV[4]] = now + tonumber(ARGV[5])\n"
  "redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(v))\n"
  "keep_for(KEYS[1], ARGV[5])\n"
  "return { first, redis.call('HGET', KEYS[2], 'title'), redis.call('HGET', KEYS[2], 'status') }\n";

/* KEYS[1] viewers; ARGV user, process → 1 if no live process holds the user any more. */
static const char leave_script[] =
  SCRIPT_PRELUDE
  "local raw = redis.call('HGET', KEYS[1], ARGV[1])\n"
  "if not raw then return 1 end\n"
  "local v = decode(raw)\n"
  "v.p[ARGV[2]] = nil\n"
  "local last = 1\n"
  "for id, exp in pairs(v.p) do\n"
  "  if tonumber(exp) == nil or tonumber(exp) <= now then v.p[id] = nil else last = 0 end\n"
  "end\n"
  "if last == 1 then redis.call('HDEL', KEYS[1], ARGV[1])\n"
  "else redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(v)) end\n"
  "return last\n";

/* KEYS[1] viewers; ARGV process, ttl, then user, username, role for each
 * viewer the process holds → the viewers (JSON) whom only lapsed holds of
 * other processes kept: gone with a process that died, theirs to announce. */
static const char refresh_script[] =
  SCRIPT_PRELUDE
  "local ttl = tonumber(ARGV[2])\n"
  "local mine = {}\n"
  "local reaped = {}\n"
  "for i = 3, #ARGV, 3 do mine[ARGV[i]] = i end\n"
  "local all = redis.call('HGETALL', KEYS[1])\n"
  "for i = 1, #all, 2 do\n"
  "  local user = all[i]\n"
  "  local v = decode(all[i + 1])\n"
  "  local live = false\n"
  "  local lapsed = false\n"
  "  for id, exp in pairs(v.p) do\n"
  "    if id == ARGV[1] then v.p[id] = nil\n"
  "    elseif tonumber(exp) == nil or tonumber(exp) <= now then v.p[id] = nil; lapsed = true\n"
  "    else live = true end\n"
  "  end\n"
  "  local at = mine[user]\n"
  "  if at then\n"
  "    v.n = ARGV[at + 1]\n"
  "    v.r = ARGV[at + 2]\n"
  "    v.p[ARGV[1]] = now + ttl\n"
  "    live = true\n"
  "    mine[user] = nil\n"
  "  end\n"
  "  if live then redis.call('HSET', KEYS[1], user, cjson.encode(v))\n"
  "  else\n"
  "    redis.call('HDEL', KEYS[1], user)\n"
  "    if lapsed and type(v.n) == 'string' and type(v.r) == 'string' then\n"
  "      reaped[#reaped + 1] = cjson.encode({ userId = user, username = v.n, role = v.r })\n"
  "    end\n"
  "  end\n"
  "end\n"
  "for user, at in pairs(mine) do\n"
  "  local v = { n = ARGV[at + 1], r = ARGV[at + 2], p = {} }\n"
  "  v.p[ARGV[1]] = now + ttl\n"
  "  redis.call('HSET', KEYS[1], user, cjson.encode(v))\n"
  "end\n"
  "if #ARGV > 2 then keep_for(KEYS[1], ttl) end\n"
  "return reaped\n";

/* KEYS[1] info, KEYS[2] viewers → title or nil, status or nil, then one JSON
 * viewer per live user, with the processes holding them. */
static const char info_script[] =
  SCRIPT_PRELUDE
  "local out = { redis.call('HGET', KEYS[1], 'title'), redis.call('HGET', KEYS[1], 'status') }\n"
  "local all = redis.call('HGETALL', KEYS[2])\n"
  "for i = 1, #all, 2 do\n"
  "  local v = decode(all[i + 1])\n"
  "  local holders = {}\n"
  "  for id, exp in pairs(v.p) do\n"
  "    if tonumber(exp) ~= nil and tonumber(exp) > now then holders[#holders + 1] = id end\n"
  "  end\n"
  "  if #holders > 0 and type(v.n) == 'string' and type(v.r) == 'string' then\n"
  "    out[#out + 1] = cjson.encode({ userId = all[i], username = v.n, role = v.r, processes = holders })\n"
  "  end\n"
  "end\n"
  "return out\n";

static char *
viewers_key (const char *room_id)
{
  return g_strconcat (GW_REDIS_ROOMS_PREFIX, room_id, ":viewers", NULL);
}

static char *
info_key (const char *room_id)
{
  return g_strconcat (GW_REDIS_ROOMS_PREFIX, room_id, ":info", NULL);
}

/* {title?, status?} from the two children of an "av" reply from FIRST on. */
static JsonObject *
room_fields_from_reply (GVariant *reply,
                        gsize     first)
{
  JsonObject *fields = json_object_new ();

  for (gsize i = 0; i < 2; i++)
    {
      g_autoptr(GVariant) field = g_variant_get_child_value (reply, first + i);
      g_autoptr(GVariant) value = g_variant_get_variant (field);

      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        json_object_set_string_member (fields, i == 0 ? "title" : "status", g_variant_get_string (value, NULL));
    }

  return fields;
}

/* The script's integer answer, as a GTask boolean. */
static void
on_flag_script (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = gw_redis_command_finish (GW_REDIS (source), result, &error);

  if (reply == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (!g_variant_is_of_type (reply, G_VARIANT_TYPE_INT64))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Unexpected Redis reply to a room script");
  else
    g_task_return_int (task, g_variant_get_int64 (reply) != 0);
}

static gboolean
flag_finish (GwRedis       *redis,
             GAsyncResult  *result,
             gpointer       tag,
             gboolean      *out_flag,
             GError       **error)
{
  gssize flag;

  g_return_val_if_fail (GW_IS_REDIS (redis), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, redis), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == tag, FALSE);

  flag = g_task_propagate_int (G_TASK (result), error);
  if (flag < 0)
    return FALSE;
  if (out_flag != NULL)
    *out_flag = flag != 0;
  return TRUE;
}

/* {first, title?, status?} from the join script's answer. */
static void
on_join_script (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = gw_redis_command_finish (GW_REDIS (source), result, &error);
  g_autoptr(GVariant) first = NULL;
  g_autoptr(JsonObject) info = NULL;

  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!g_variant_is_of_type (reply, G_VARIANT_TYPE ("av")) || g_variant_n_children (reply) != 3 ||
      (g_variant_get_child (reply, 0, "v", &first), !g_variant_is_of_type (first, G_VARIANT_TYPE_INT64)))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Unexpected Redis reply to a room script");
      return;
    }

  info = room_fields_from_reply (reply, 1);
  json_object_set_boolean_member (info, "first", g_variant_get_int64 (first) != 0);
  g_task_return_pointer (task, g_steal_pointer (&info), (GDestroyNotify) json_object_unref);
}

void
gw_redis_rooms_join_async (GwRedis             *redis,
                           const char          *room_id,
                           const char          *process_id,
                           const char          *user_id,
                           const char          *username,
                           const char          *role,
                           guint                ttl_ms,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *key = NULL;
  g_autofree char *info = NULL;
  g_autofree char *ttl = NULL;

  g_return_if_fail (GW_IS_REDIS (redis));
  g_return_if_fail (room_id != NULL && process_id != NULL && user_id != NULL);
  g_return_if_fail (username != NULL && role != NULL && ttl_ms > 0);

  task = g_task_new (redis, cancellable, callback, user_data);
  g_task_set_source_tag (task, gw_redis_rooms_join_async);
  key = viewers_key (room_id);
  info = info_key (room_id);
  ttl = g_strdup_printf ("%u", ttl_ms);
  gw_redis_command_async (redis,
                          (const char *[]) { "EVAL", join_script, "2", key, info, user_id, username, role,
                                             process_id, ttl, NULL },
                          cancellable, on_join_script, g_steal_pointer (&task));
}

gboolean
gw_redis_rooms_join_finish (GwRedis       *redis,
                            GAsyncResult  *result,
                            gboolean      *out_first,
                            JsonObject   **out_info,
                            GError       **error)
{
  g_autoptr(JsonObject) info = NULL;

  g_return_val_if_fail (GW_IS_REDIS (redis), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, redis), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gw_redis_rooms_join_async, FALSE);

  info = g_task_propagate_pointer (G_TASK (result), error);
  if (info == NULL)
    return FALSE;
  if (out_first != NULL)
    *out_first = json_object_get_boolean_member (info, "first");
  json_object_remove_member (info, "first");
  if (out_info != NULL)
    *out_info = g_steal_pointer (&info);
  return TRUE;
}

void
gw_redis_rooms_leave_async (GwRedis             *redis,
                            const char          *room_id,
                            const char          *process_id,
                            const char          *user_id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *key = NULL;

  g_return_if_fail (GW_IS_REDIS (redis));
  g_return_if_fail (room_id != NULL && process_id != NULL && user_id != NULL);

  task = g_task_new (redis, cancellable, callback, user_data);
  g_task_set_source_tag (task, gw_redis_rooms_leave_async);
  key = viewers_key (room_id);
  gw_redis_command_async (redis,
                          (const char *[]) { "EVAL", leave_script, "1", key, user_id, process_id, NULL },
                          cancellable, on_flag_script, g_steal_pointer (&task));
}

gboolean
gw_redis_rooms_leave_finish (GwRedis       *redis,
                             GAsyncResult  *result,
                             gboolean      *out_last,
                             GError       **error)
{
  return flag_finish (redis, result, gw_redis_rooms_leave_async, out_last, error);
}

/* JSON objects, one per string of an "av" reply, skipping anything else. */
static JsonArray *
objects_from_reply (GVariant *reply,
                    gsize     first)
{
  JsonArray *objects = json_array_new ();

  for (gsize i = first; i < g_variant_n_children (reply); i++)
    {
      g_autoptr(GVariant) field = g_variant_get_child_value (reply, i);
      g_autoptr(GVariant) value = g_variant_get_variant (field);
      g_autoptr(GError) error = NULL;
      JsonObject *object;
      const char *text;
      gsize len;

      if (!g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        continue;
      /* Anyone who can write to Redis can write these keys: the same
       * checks as for what is published there. */
      text = g_variant_get_string (value, &len);
      object = gw_redis_parse_object (text, len, &error);
      if (object != NULL)
        json_array_add_object_element (objects, object);
      else
        gw_redis_drop_malformed ("other", error->message);
    }

  return objects;
}

static void
on_refresh_script (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = gw_redis_command_finish (GW_REDIS (source), result, &error);

  if (reply == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (!g_variant_is_of_type (reply, G_VARIANT_TYPE ("av")))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Unexpected Redis reply to a room script");
  else
    g_task_return_pointer (task, objects_from_reply (reply, 0), (GDestroyNotify) json_array_unref);
}

void
gw_redis_rooms_refresh_async (GwRedis             *redis,
                              const char          *room_id,
                              const char          *process_id,
                              JsonArray           *viewers,
                              guint                ttl_ms,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  guint n;

  g_return_if_fail (GW_IS_REDIS (redis));
  g_return_if_fail (room_id != NULL && process_id != NULL && viewers != NULL && ttl_ms > 0);

  task = g_task_new (redis, cancellable, callback, user_data);
  g_task_set_source_tag (task, gw_redis_rooms_refresh_async);

  g_ptr_array_add (argv, g_strdup ("EVAL"));
  g_ptr_array_add (argv, g_strdup (refresh_script));
  g_ptr_array_add (argv, g_strdup ("1"));
  g_ptr_array_add (argv, viewers_key (room_id));
  g_ptr_array_add (argv, g_strdup (process_id));
  g_ptr_array_add (argv, g_strdup_printf ("%u", ttl_ms));
  n = json_array_get_length (viewers);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *viewer = json_array_get_object_element (viewers, i);

      g_ptr_array_add (argv, g_strdup (json_object_get_string_member (viewer, "userId")));
      g_ptr_array_add (argv, g_strdup (json_object_get_string_member (viewer, "username")));
      g_ptr_array_add (argv, g_strdup (json_object_get_string_member (viewer, "role")));
    }
  g_ptr_array_add (argv, NULL);

  gw_redis_command_async (redis, (const char * const *) argv->pdata, cancellable, on_refresh_script,
                          g_steal_pointer (&task));
}

JsonArray *
gw_redis_rooms_refresh_finish (GwRedis       *redis,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (GW_IS_REDIS (redis), NULL);
  g_return_val_if_fail (g_task_is_valid (result, redis), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gw_redis_rooms_refresh_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
gw_redis_rooms_set_info (GwRedis    *redis,
                         const char *room_id,
                         const char *title,
                         const char *status)
{
  g_autofree char *key = NULL;
  g_autofree char *ttl = g_strdup_printf ("%d", GW_REDIS_ROOMS_INFO_TTL_SECONDS);

  g_return_if_fail (GW_IS_REDIS (redis));
  g_return_if_fail (room_id != NULL);

  if (title == NULL && status == NULL)
    return;

  key = info_key (room_id);
  if (title != NULL)
    gw_redis_command (redis, (const char *[]) { "HSET", key, "title", title, NULL });
  if (status != NULL)
    gw_redis_command (redis, (const char *[]) { "HSET", key, "status", status, NULL });
  gw_redis_command (redis, (const char *[]) { "EXPIRE", key, ttl, NULL });
}

static void
on_info_script (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = gw_redis_command_finish (GW_REDIS (source), result, &error);
  g_autoptr(JsonObject) info = NULL;

  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!g_variant_is_of_type (reply, G_VARIANT_TYPE ("av")) || g_variant_n_children (reply) < 2)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Unexpected Redis reply about a room");
      return;
    }

  info = room_fields_from_reply (reply, 0);

  json_object_set_array_member (info, "viewers", objects_from_reply (reply, 2));

  g_task_return_pointer (task, g_steal_pointer (&info), (GDestroyNotify) json_object_unref);
}

void
gw_redis_rooms_get_info_async (GwRedis             *redis,
                               const char          *room_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *info = NULL;
  g_autofree char *viewers = NULL;

  g_return_if_fail (GW_IS_REDIS (redis));
  g_return_if_fail (room_id != NULL);

  task = g_task_new (redis, cancellable, callback, user_data);
  g_task_set_source_tag (task, gw_redis_rooms_get_info_async);
  info = info_key (room_id);
  viewers = viewers_key (room_id);
  gw_redis_command_async (redis, (const char *[]) { "EVAL", info_script, "2", info, viewers, NULL },
                          cancellable, on_info_script, g_steal_pointer (&task));
}

JsonObject *
gw_redis_rooms_get_info_finish (GwRedis       *redis,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (GW_IS_REDIS (redis), NULL);
  g_return_val_if_fail (g_task_is_valid (result, redis), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == gw_redis_rooms_get_info_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
