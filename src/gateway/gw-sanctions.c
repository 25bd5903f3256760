/* gw-sanctions.c
 *
 * In Redis, a user's ban and timeout in a room are two keys,
 * "livedesk:sanction:ROOM:USER:ban" and "…:timeout", each holding
 * {"until": wall-clock ms (0: no end), "role": the target's role}, with the
 * sanction's duration as the key's TTL, so that Redis forgets it when it
 * ends. The owner is the "streamerId" field of "livedesk:room:ID:info".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-sanctions.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "gw-redis-rooms.h"

/* KEYS viewers, info, ban, timeout; ARGV user ("" for none) → the owner, the
 * user's role in the room's presence, the ban record, the timeout record. */
static const char lookup_script[] =
  "local owner = redis.call('HGET', KEYS[2], 'streamerId')\n"
  "if ARGV[1] == '' then return { owner, false, false, false } end\n"
  "local role = false\n"
  "local raw = redis.call('HGET', KEYS[1], ARGV[1])\n"
  "if raw then\n"
  "  local ok, v = pcall(cjson.decode, raw)\n"
  "  if ok and type(v) == 'table' and type(v.r) == 'string' then role = v.r end\n"
  "end\n"
  "return { owner, role, redis.call('GET', KEYS[3]), redis.call('GET', KEYS[4]) }\n";

typedef struct
{
  gint64 ban_until_ms;
  gint64 timeout_until_ms;
  GwRole role;
} Entry;

struct _GwSanctions
{
  GObject     parent_instance;
  GwRedis    *redis;
  GHashTable *entries;  /* "room\nuser" → Entry, the memory backend */
  GHashTable *owners;   /* room id → user id */
};

G_DEFINE_FINAL_TYPE (GwSanctions, gw_sanctions, G_TYPE_OBJECT)

void
gw_sanctions_record_free (GwSanctionsRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->owner);
  g_free (record);
}

static gint64
real_now_ms (void)
{
  return g_get_real_time () / 1000;
}

static char *
entry_key (const char *room_id,
           const char *user_id)
{
  return g_strconcat (room_id, "\n", user_id, NULL);
}

static char *
redis_key (const char *room_id,
           const char *user_id,
           const char *kind)
{
  return g_strconcat (GW_SANCTIONS_PREFIX, room_id, ":", user_id, ":", kind, NULL);
}

static gboolean
shared (GwSanctions *self)
{
  return self->redis != NULL;
}

static void
gw_sanctions_finalize (GObject *object)
{
  GwSanctions *self = (GwSanctions *)object;

  g_clear_object (&self->redis);
  g_clear_pointer (&self->entries, g_hash_table_unref);
  g_clear_pointer (&self->owners, g_hash_table_unref);

  G_OBJECT_CLASS (gw_sanctions_parent_class)->finalize (object);
}

static void
gw_sanctions_class_init (GwSanctionsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gw_sanctions_finalize;
}

static void
gw_sanctions_init (GwSanctions *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->owners = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

GwSanctions *
gw_sanctions_new (void)
{
  return g_object_new (GW_TYPE_SANCTIONS, NULL);
}

void
gw_sanctions_set_redis (GwSanctions *self,
                        GwRedis     *redis)
{
  g_return_if_fail (GW_IS_SANCTIONS (self));
  g_return_if_fail (GW_IS_REDIS (redis));

  g_set_object (&self->redis, redis);
}

gboolean
gw_sanctions_is_shared (GwSanctions *self)
{
  g_return_val_if_fail (GW_IS_SANCTIONS (self), FALSE);

  return shared (self);
}

/* The memory backend's entry, without the parts that ended. */
static Entry *
memory_entry (GwSanctions *self,
              const char  *room_id,
              const char  *user_id,
              gboolean     create)
{
  g_autofree char *key = entry_key (room_id, user_id);
  Entry *entry = g_hash_table_lookup (self->entries, key);
  gint64 now = real_now_ms ();

  if (entry == NULL && create)
    {
      entry = g_new0 (Entry, 1);
      g_hash_table_insert (self->entries, g_steal_pointer (&key), entry);
    }
  if (entry == NULL)
    return NULL;
  if (entry->ban_until_ms != 0 && entry->ban_until_ms <= now)
    entry->ban_until_ms = 0;
  if (entry->timeout_until_ms != 0 && entry->timeout_until_ms <= now)
    entry->timeout_until_ms = 0;
  if (!create && entry->ban_until_ms == 0 && entry->timeout_until_ms == 0)
    {
      g_autofree char *gone = entry_key (room_id, user_id);

      g_hash_table_remove (self->entries, gone);
      return NULL;
    }
  return entry;
}

static void
on_command_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = gw_redis_command_finish (GW_REDIS (source), result, &error);

  if (reply == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
gw_sanctions_put_async (GwSanctions         *self,
                        const char          *room_id,
                        const char          *user_id,
                        GwSanction           kind,
                        gint64               duration_ms,
                        GwRole               role,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  gint64 until = duration_ms > 0 ? real_now_ms () + duration_ms : 0;
  Entry *entry;

  g_return_if_fail (GW_IS_SANCTIONS (self));
  g_return_if_fail (room_id != NULL && user_id != NULL);
  g_return_if_fail (kind == GW_SANCTION_TIMEOUT || kind == GW_SANCTION_BAN);
  g_return_if_fail (kind == GW_SANCTION_BAN || duration_ms > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gw_sanctions_put_async);

  /* Memory holds it too: what this process answers with while Redis is away. */
  entry = memory_entry (self, room_id, user_id, TRUE);
  entry->role = role;
  if (kind == GW_SANCTION_BAN)
    entry->ban_until_ms = until != 0 ? until : GW_SANCTIONS_FOREVER;
  else
    entry->timeout_until_ms = until;

  if (shared (self))
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *value = NULL;
      g_autofree char *key = redis_key (room_id, user_id, kind == GW_SANCTION_BAN ? "ban" : "timeout");
      g_autofree char *ttl = g_strdup_printf ("%" G_GINT64_FORMAT, duration_ms);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "until");
      json_builder_add_int_value (builder, until);
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, gw_role_to_string (role));
      json_builder_end_object (builder);
      node = json_builder_get_root (builder);
      value = json_to_string (node, FALSE);

      if (duration_ms > 0)
        gw_redis_command_async (self->redis, (const char *[]) { "SET", key, value, "PX", ttl, NULL },
                                cancellable, on_command_done, g_steal_pointer (&task));
      else
        gw_redis_command_async (self->redis, (const char *[]) { "SET", key, value, NULL },
                                cancellable, on_command_done, g_steal_pointer (&task));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

gboolean
gw_sanctions_put_finish (GwSanctions   *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
gw_sanctions_lift_async (GwSanctions         *self,
                         const char          *room_id,
                         const char          *user_id,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *key = NULL;

  g_return_if_fail (GW_IS_SANCTIONS (self));
  g_return_if_fail (room_id != NULL && user_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gw_sanctions_lift_async);

  key = entry_key (room_id, user_id);
  g_hash_table_remove (self->entries, key);

  if (shared (self))
    {
      g_autofree char *ban = redis_key (room_id, user_id, "ban");
      g_autofree char *timeout = redis_key (room_id, user_id, "timeout");

      gw_redis_command_async (self->redis, (const char *[]) { "DEL", ban, timeout, NULL },
                              cancellable, on_command_done, g_steal_pointer (&task));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

gboolean
gw_sanctions_lift_finish (GwSanctions   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
raise_role (GwSanctionsRecord *record,
            const char        *name)
{
  GwRole role;

  if (name != NULL && gw_role_from_string (name, &role) && (int) role > record->target_role)
    record->target_role = role;
}

/* A string element of an "av" reply, or NULL for nil and anything else. */
static const char *
reply_string (GVariant *reply,
              gsize     index,
              GVariant **out_hold)
{
  g_autoptr(GVariant) child = g_variant_get_child_value (reply, index);
  GVariant *value = g_variant_get_variant (child);

  *out_hold = value;
  return g_variant_is_of_type (value, G_VARIANT_TYPE_STRING) ? g_variant_get_string (value, NULL) : NULL;
}

/* One stored sanction: its end (GW_SANCTIONS_FOREVER for none) and role.
 * Another process wrote it, so anything odd is read as no sanction. */
static gint64
parse_stored (GwSanctionsRecord *record,
              const char        *text)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  JsonNode *until;
  gint64 value;

  if (text == NULL || (node = json_from_string (text, NULL)) == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return 0;
  object = json_node_get_object (node);
  until = json_object_get_member (object, "until");
  if (until == NULL || json_node_get_value_type (until) != G_TYPE_INT64 || (value = json_node_get_int (until)) < 0)
    return 0;
  if (json_object_get_member (object, "role") != NULL &&
      json_node_get_value_type (json_object_get_member (object, "role")) == G_TYPE_STRING)
    raise_role (record, json_object_get_string_member (object, "role"));
  return value == 0 ? GW_SANCTIONS_FOREVER : value;
}

static void
on_lookup_script (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = gw_redis_command_finish (GW_REDIS (source), result, &error);
  g_autoptr(GwSanctionsRecord) record = NULL;
  g_autoptr(GVariant) owner = NULL;
  g_autoptr(GVariant) role = NULL;
  g_autoptr(GVariant) ban = NULL;
  g_autoptr(GVariant) timeout = NULL;
  const char *owner_id;
  gint64 now = real_now_ms ();

  if (reply == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!g_variant_is_of_type (reply, G_VARIANT_TYPE ("av")) || g_variant_n_children (reply) != 4)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Unexpected reply from Redis");
      return;
    }

  record = g_new0 (GwSanctionsRecord, 1);
  record->target_role = -1;
  owner_id = reply_string (reply, 0, &owner);
  if (owner_id != NULL && gw_user_id_is_valid (owner_id))
    record->owner = g_strdup (owner_id);
  raise_role (record, reply_string (reply, 1, &role));
  record->ban_until_ms = parse_stored (record, reply_string (reply, 2, &ban));
  record->timeout_until_ms = parse_stored (record, reply_string (reply, 3, &timeout));
  /* The key's TTL ends it; this only covers the moment in between. */
  if (record->ban_until_ms <= now)
    record->ban_until_ms = 0;
  if (record->timeout_until_ms <= now || record->timeout_until_ms == GW_SANCTIONS_FOREVER)
    record->timeout_until_ms = 0;

  g_task_return_pointer (task, g_steal_pointer (&record), (GDestroyNotify) gw_sanctions_record_free);
}

void
gw_sanctions_lookup_async (GwSanctions         *self,
                           const char          *room_id,
                           const char          *user_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GwSanctionsRecord *record;
  Entry *entry;

  g_return_if_fail (GW_IS_SANCTIONS (self));
  g_return_if_fail (room_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gw_sanctions_lookup_async);

  if (shared (self) && gw_redis_get_connected (self->redis))
    {
      g_autofree char *viewers = g_strconcat (GW_REDIS_ROOMS_PREFIX, room_id, ":viewers", NULL);
      g_autofree char *info = g_strconcat (GW_REDIS_ROOMS_PREFIX, room_id, ":info", NULL);
      g_autofree char *ban = redis_key (room_id, user_id != NULL ? user_id : "", "ban");
      g_autofree char *timeout = redis_key (room_id, user_id != NULL ? user_id : "", "timeout");

      gw_redis_command_async (self->redis,
                              (const char *[]) { "EVAL", lookup_script, "4", viewers, info, ban, timeout,
                                                 user_id != NULL ? user_id : "", NULL },
                              cancellable, on_lookup_script, g_steal_pointer (&task));
      return;
    }

  /* Without Redis (or while it is away), what this process recorded. */
  record = g_new0 (GwSanctionsRecord, 1);
  record->target_role = -1;
  record->owner = g_strdup (g_hash_table_lookup (self->owners, room_id));
  if (user_id != NULL && (entry = memory_entry (self, room_id, user_id, FALSE)) != NULL)
    {
      record->ban_until_ms = entry->ban_until_ms;
      record->timeout_until_ms = entry->timeout_until_ms;
      record->target_role = entry->role;
    }
  g_task_return_pointer (task, record, (GDestroyNotify) gw_sanctions_record_free);
}

GwSanctionsRecord *
gw_sanctions_lookup_finish (GwSanctions   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
gw_sanctions_set_owner (GwSanctions *self,
                        const char  *room_id,
                        const char  *owner)
{
  g_return_if_fail (GW_IS_SANCTIONS (self));
  g_return_if_fail (room_id != NULL && owner != NULL);

  g_hash_table_insert (self->owners, g_strdup (room_id), g_strdup (owner));

  if (shared (self) && gw_redis_get_connected (self->redis))
    {
      g_autofree char *info = g_strconcat (GW_REDIS_ROOMS_PREFIX, room_id, ":info", NULL);
      g_autofree char *ttl = g_strdup_printf ("%d", GW_REDIS_ROOMS_INFO_TTL_SECONDS);

      gw_redis_command (self->redis, (const char *[]) { "HSET", info, "streamerId", owner, NULL });
      gw_redis_command (self->redis, (const char *[]) { "EXPIRE", info, ttl, NULL });
    }
}
