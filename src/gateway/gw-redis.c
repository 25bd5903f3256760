/* gw-redis.c
 *
 * Two hiredis connections: a subscribed connection cannot publish, so one
 * publishes and one listens. Both are driven by hiredis' own GLib adapter.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-redis.h"

#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#include <hiredis/adapters/glib.h>
#include <string.h>

#include "gw-log.h"
#include "gw-metrics.h"

#define DEFAULT_PORT 6379
#define CONNECT_TIMEOUT_MS 5000
#define BACKOFF_FIRST_MS 200
#define BACKOFF_MAX_MS 10000

typedef enum
{
  LINK_PUBLISH,
  LINK_SUBSCRIBE,
  N_LINKS
} LinkKind;

typedef struct
{
  GwRedis           *owner;
  LinkKind           kind;
  redisAsyncContext *ac;          /* NULL while down */
  RedisSource       *source;      /* owned by ac: released in its cleanup hook */
  GCancellable      *resolving;
  GPtrArray         *addresses;   /* GInetAddress still to try in this round */
  gboolean           up;
  gboolean           ready;       /* up, and (subscriber) the first SUBSCRIBE confirmed */
  guint              pending_confirms;
  guint              attempts;
  guint              retry_id;
  guint              timeout_id;
  gboolean           was_up;      /* to log a loss once, not every failed retry */
} Link;

struct _GwRedis
{
  GObject       parent_instance;

  char         *uri;
  char         *host;
  int           port;
  char         *user;
  char         *password;

  GMainContext *context;
  GPtrArray    *channels;
  Link          links[N_LINKS];
  guint         state_idle_id;
  gboolean      started;
  gboolean      connected;
  gboolean      disposing;
  gboolean      auth_refused;
};

G_DEFINE_FINAL_TYPE (GwRedis, gw_redis, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_URI,
  PROP_CONNECTED,
  N_PROPS
};

enum {
  MESSAGE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void link_connect   (Link *link);
static void link_open_next (Link *link);

static const char *
link_name (Link *link)
{
  return link->kind == LINK_PUBLISH ? "publish" : "subscribe";
}

static gboolean
update_state_cb (gpointer data)
{
  GwRedis *self = data;
  gboolean connected;

  self->state_idle_id = 0;

  connected = self->links[LINK_PUBLISH].ready &&
              (self->channels->len == 0 || self->links[LINK_SUBSCRIBE].ready);
  if (connected != self->connected)
    {
      self->connected = connected;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
    }

  return G_SOURCE_REMOVE;
}

/* State changes happen inside hiredis callbacks, where a handler that drops
 * the last reference would free the context under hiredis' feet. */
static void
queue_state_update (GwRedis *self)
{
  GSource *source;

  if (self->state_idle_id != 0 || self->disposing)
    return;

  source = g_idle_source_new ();
  g_source_set_callback (source, update_state_cb, self, NULL);
  g_source_set_static_name (source, "[gw-redis] state");
  self->state_idle_id = g_source_attach (source, self->context);
  g_source_unref (source);
}

static guint
add_timeout (GwRedis     *self,
             guint        ms,
             GSourceFunc  func,
             gpointer     data,
             const char  *name)
{
  GSource *source = g_timeout_source_new (ms);
  guint id;

  g_source_set_callback (source, func, data, NULL);
  g_source_set_static_name (source, name);
  id = g_source_attach (source, self->context);
  g_source_unref (source);

  return id;
}

/* Our sources live on self->context, which need not be the global default
 * that g_source_remove() looks in. */
static void
remove_source (GwRedis *self,
               guint   *id)
{
  if (*id != 0)
    {
      GSource *source = g_main_context_find_source_by_id (self->context, *id);

      if (source != NULL)
        g_source_destroy (source);
      *id = 0;
    }
}

static gboolean
retry_cb (gpointer data)
{
  Link *link = data;

  link->retry_id = 0;
  if (link->addresses != NULL)
    link_open_next (link);
  else
    link_connect (link);

  return G_SOURCE_REMOVE;
}

static void
schedule_retry (Link *link)
{
  GwRedis *self = link->owner;
  guint exponent = MIN (link->attempts, 10);
  double delay = MIN ((double) BACKOFF_FIRST_MS * (1u << exponent), BACKOFF_MAX_MS);

  if (self->disposing || link->retry_id != 0)
    return;

  /* A name with several addresses (localhost: ::1 and 127.0.0.1): try the
   * next one now; back off only once all of them failed. */
  if (link->addresses != NULL)
    {
      link->retry_id = add_timeout (self, 0, retry_cb, link, "[gw-redis] next address");
      return;
    }

  /* Jitter, so that many gateways do not all knock on a restarted Redis at once. */
  delay *= g_random_double_range (0.8, 1.2);
  link->attempts++;
  link->retry_id = add_timeout (self, (guint) delay, retry_cb, link, "[gw-redis] retry");
}

/* Installed over the adapter's cleanup hook: hiredis calls it exactly once,
 * whenever and however the context is freed. */
static void
link_cleanup (gpointer data)
{
  RedisSource *source = data;
  redisAsyncContext *ac = source->ac;
  Link *link = ac->data;

  redis_source_cleanup (data);
  /* The adapter's dispatch may go on to the read handler after the write
   * handler freed the context; no events left means it does not. */
  source->poll_fd.revents = 0;
  g_source_destroy ((GSource *)source);
  g_source_unref ((GSource *)source);

  if (link == NULL)
    return;

  if (link->was_up)
    g_message ("Redis %s connection to %s:%d lost%s%s; reconnecting",
               link_name (link), link->owner->host, link->owner->port,
               ac->errstr != NULL && ac->errstr[0] != '\0' ? ": " : "",
               ac->errstr != NULL ? ac->errstr : "");
  else
    g_debug ("Redis %s connection to %s:%d failed: %s", link_name (link),
             link->owner->host, link->owner->port, ac->errstr);

  link->ac = NULL;
  link->source = NULL;
  link->up = FALSE;
  link->ready = FALSE;
  link->was_up = FALSE;
  link->pending_confirms = 0;
  remove_source (link->owner, &link->timeout_id);

  queue_state_update (link->owner);
  schedule_retry (link);
}

static void
on_subscribe_reply (redisAsyncContext *ac,
                    void              *r,
                    void              *privdata)
{
  redisReply *reply = r;
  Link *link = privdata;
  GwRedis *self;
  const char *kind;

  /* NULL: the context is going away; link_cleanup handles that. */
  if (reply == NULL || ac->data == NULL)
    return;

  self = link->owner;

  if (reply->type == REDIS_REPLY_ERROR)
    {
      g_warning ("Redis refused SUBSCRIBE: %s", reply->str);
      return;
    }
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3 ||
      reply->element[0]->type != REDIS_REPLY_STRING ||
      reply->element[1]->type != REDIS_REPLY_STRING)
    return;

  kind = reply->element[0]->str;
  if (strcmp (kind, "subscribe") == 0)
    {
      if (link->pending_confirms > 0 && --link->pending_confirms == 0 && !link->ready)
        {
          link->ready = TRUE;
          queue_state_update (self);
        }
    }
  else if (strcmp (kind, "message") == 0 && reply->element[2]->type == REDIS_REPLY_STRING)
    {
      g_autofree char *payload = g_strndup (reply->element[2]->str, reply->element[2]->len);

      g_object_ref (self);
      g_signal_emit (self, signals[MESSAGE], 0, reply->element[1]->str, payload);
      g_object_unref (self);
    }
}

static void
send_subscribe (Link              *link,
                const char * const *channels,
                guint               n_channels)
{
  g_autofree const char **argv = g_new0 (const char *, n_channels + 1);

  argv[0] = "SUBSCRIBE";
  for (guint i = 0; i < n_channels; i++)
    argv[i + 1] = channels[i];

  link->pending_confirms += n_channels;
  redisAsyncCommandArgv (link->ac, on_subscribe_reply, link, n_channels + 1, argv, NULL);
}

/* The link is usable: renew the subscriptions, or be ready to publish. */
static void
link_ready (Link *link)
{
  GwRedis *self = link->owner;

  link->was_up = TRUE;
  if (link->kind == LINK_SUBSCRIBE && self->channels->len > 0)
    send_subscribe (link, (const char * const *)self->channels->pdata, self->channels->len);
  else
    link->ready = TRUE;

  queue_state_update (self);
}

static void
on_auth_reply (redisAsyncContext *ac,
               void              *r,
               void              *privdata)
{
  redisReply *reply = r;
  Link *link = privdata;

  if (reply == NULL || ac->data == NULL)
    return;

  if (reply->type == REDIS_REPLY_ERROR)
    {
      /* Once per change of mind, not once per retry. */
      if (!link->owner->auth_refused)
        g_warning ("Redis at %s:%d refused the password in the gateway's Redis URI: %s",
                   link->owner->host, link->owner->port, reply->str);
      link->owner->auth_refused = TRUE;
      /* Closed after this callback; link_cleanup then schedules a retry. */
      redisAsyncDisconnect (ac);
      return;
    }

  link->owner->auth_refused = FALSE;
  link_ready (link);
}

static void
on_connect (const redisAsyncContext *ac,
            int                      status)
{
  Link *link = ac->data;
  GwRedis *self;

  /* On failure hiredis frees the context next, and link_cleanup sees to it. */
  if (link == NULL || status != REDIS_OK)
    return;

  self = link->owner;
  link->up = TRUE;
  link->attempts = 0;
  g_clear_pointer (&link->addresses, g_ptr_array_unref);
  remove_source (link->owner, &link->timeout_id);
  g_debug ("Redis %s connection to %s:%d is up", link_name (link), self->host, self->port);

  if (self->password == NULL)
    link_ready (link);
  else if (self->user != NULL && self->user[0] != '\0')
    redisAsyncCommand (link->ac, on_auth_reply, link, "AUTH %s %s", self->user, self->password);
  else
    redisAsyncCommand (link->ac, on_auth_reply, link, "AUTH %s", self->password);
}

static gboolean
connect_timeout_cb (gpointer data)
{
  Link *link = data;

  link->timeout_id = 0;
  g_debug ("Redis %s connection to %s:%d timed out", link_name (link),
           link->owner->host, link->owner->port);
  /* Runs link_cleanup, which schedules the next attempt. */
  if (link->ac != NULL)
    redisAsyncFree (link->ac);

  return G_SOURCE_REMOVE;
}

static void
link_open (Link       *link,
           const char *address)
{
  GwRedis *self = link->owner;
  redisAsyncContext *ac;

  ac = redisAsyncConnect (address, self->port);
  if (ac == NULL || ac->err != 0)
    {
      g_debug ("Redis %s connection to %s (%s):%d failed: %s", link_name (link), self->host, address,
               self->port, ac != NULL ? ac->errstr : "out of memory");
      if (ac != NULL)
        redisAsyncFree (ac);
      schedule_retry (link);
      return;
    }

  ac->data = link;
  link->ac = ac;
  link->source = (RedisSource *)redis_source_new (ac);
  ac->ev.cleanup = link_cleanup;
  g_source_set_static_name ((GSource *)link->source, "[gw-redis] socket");
  g_source_attach ((GSource *)link->source, self->context);

  /* Setting the connect callback asks the adapter for the first write event,
   * so it must come after the adapter is in place. */
  redisAsyncSetConnectCallback (ac, on_connect);
  link->timeout_id = add_timeout (self, CONNECT_TIMEOUT_MS, connect_timeout_cb, link, "[gw-redis] connect timeout");
}

typedef struct
{
  GWeakRef  self;
  LinkKind  kind;
} Lookup;

static void
on_resolved (GObject      *object,
             GAsyncResult *result,
             gpointer      data)
{
  Lookup *lookup = data;
  g_autoptr(GwRedis) self = g_weak_ref_get (&lookup->self);
  g_autolist(GInetAddress) addresses = NULL;
  g_autoptr(GError) error = NULL;
  Link *link;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (object), result, &error);
  g_weak_ref_clear (&lookup->self);
  link = self != NULL ? &self->links[lookup->kind] : NULL;
  g_free (lookup);

  if (link == NULL || self->disposing || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&link->resolving);

  if (addresses == NULL)
    {
      g_debug ("Cannot resolve the Redis host %s: %s", self->host, error->message);
      schedule_retry (link);
      return;
    }

  link->addresses = g_ptr_array_new_with_free_func (g_object_unref);
  for (GList *l = addresses; l != NULL; l = l->next)
    g_ptr_array_add (link->addresses, g_object_ref (l->data));
  link_open_next (link);
}

static void
link_open_next (Link *link)
{
  g_autoptr(GInetAddress) next = NULL;
  g_autofree char *address = NULL;

  if (link->addresses == NULL || link->addresses->len == 0)
    {
      g_clear_pointer (&link->addresses, g_ptr_array_unref);
      schedule_retry (link);
      return;
    }

  next = g_ptr_array_steal_index (link->addresses, 0);
  if (link->addresses->len == 0)
    g_clear_pointer (&link->addresses, g_ptr_array_unref);

  address = g_inet_address_to_string (next);
  link_open (link, address);
}

/* hiredis would resolve the name itself, blocking the main loop; GResolver does not. */
static void
link_connect (Link *link)
{
  GwRedis *self = link->owner;
  g_autoptr(GResolver) resolver = NULL;
  Lookup *lookup;

  if (self->disposing || link->ac != NULL || link->resolving != NULL)
    return;

  lookup = g_new0 (Lookup, 1);
  g_weak_ref_init (&lookup->self, self);
  lookup->kind = link->kind;
  link->resolving = g_cancellable_new ();
  resolver = g_resolver_get_default ();

  g_main_context_push_thread_default (self->context);
  g_resolver_lookup_by_name_async (resolver, self->host, link->resolving, on_resolved, lookup);
  g_main_context_pop_thread_default (self->context);
}

static void
link_close (Link *link)
{
  remove_source (link->owner, &link->retry_id);
  remove_source (link->owner, &link->timeout_id);
  if (link->resolving != NULL)
    g_cancellable_cancel (link->resolving);
  g_clear_object (&link->resolving);
  g_clear_pointer (&link->addresses, g_ptr_array_unref);

  if (link->ac != NULL)
    {
      redisAsyncContext *ac = g_steal_pointer (&link->ac);

      /* Detached first: if hiredis defers the free (we are inside one of its
       * callbacks), nothing may reach this link afterwards. */
      ac->data = NULL;
      link->source = NULL;
      redisAsyncFree (ac);
    }
  link->up = link->ready = FALSE;
}

static void
gw_redis_dispose (GObject *object)
{
  GwRedis *self = (GwRedis *)object;

  self->disposing = TRUE;
  for (guint i = 0; i < N_LINKS; i++)
    link_close (&self->links[i]);
  remove_source (self, &self->state_idle_id);

  G_OBJECT_CLASS (gw_redis_parent_class)->dispose (object);
}

static void
gw_redis_finalize (GObject *object)
{
  GwRedis *self = (GwRedis *)object;

  g_free (self->uri);
  g_free (self->host);
  g_free (self->user);
  if (self->password != NULL)
    explicit_bzero (self->password, strlen (self->password));
  g_free (self->password);
  g_ptr_array_unref (self->channels);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (gw_redis_parent_class)->finalize (object);
}

static void
gw_redis_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  GwRedis *self = GW_REDIS (object);

  switch (prop_id)
    {
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;

    case PROP_CONNECTED:
      g_value_set_boolean (value, self->connected);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gw_redis_class_init (GwRedisClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gw_redis_dispose;
  object_class->finalize = gw_redis_finalize;
  object_class->get_property = gw_redis_get_property;

  properties[PROP_URI] =
    g_param_spec_string ("uri", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * GwRedis::message:
   * @channel: the Redis channel
   * @payload: the message as published (JSON for the livestream channels)
   */
  signals[MESSAGE] =
    g_signal_new ("message",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
gw_redis_init (GwRedis *self)
{
  self->channels = g_ptr_array_new_with_free_func (g_free);
  self->context = g_main_context_ref_thread_default ();
  for (guint i = 0; i < N_LINKS; i++)
    {
      self->links[i].owner = self;
      self->links[i].kind = (LinkKind) i;
    }
}

GwRedis *
gw_redis_new (const char  *uri,
              GError     **error)
{
  g_autoptr(GUri) parsed = NULL;
  g_autoptr(GError) local_error = NULL;
  GwRedis *self;
  const char *path;

  g_return_val_if_fail (uri != NULL, NULL);

  parsed = g_uri_parse (uri, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED_PATH, &local_error);
  if (parsed == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The Redis URI is not valid (%s); expected redis://host:port", local_error->message);
      return NULL;
    }

  path = g_uri_get_path (parsed);
  if (g_strcmp0 (g_uri_get_scheme (parsed), "redis") != 0 ||
      g_uri_get_host (parsed) == NULL || g_uri_get_host (parsed)[0] == '\0' ||
      (path != NULL && path[0] != '\0' && strcmp (path, "/") != 0 && strcmp (path, "/0") != 0) ||
      g_uri_get_query (parsed) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "The Redis URI must look like redis://host:port (TLS and database numbers are not supported)");
      return NULL;
    }

  self = g_object_new (GW_TYPE_REDIS, NULL);
  self->uri = g_strdup (uri);
  self->host = g_strdup (g_uri_get_host (parsed));
  self->port = g_uri_get_port (parsed) > 0 ? g_uri_get_port (parsed) : DEFAULT_PORT;
  self->user = g_strdup (g_uri_get_user (parsed));
  self->password = g_strdup (g_uri_get_password (parsed));

  return self;
}

const char *
gw_redis_get_uri (GwRedis *self)
{
  g_return_val_if_fail (GW_IS_REDIS (self), NULL);

  return self->uri;
}

gboolean
gw_redis_get_connected (GwRedis *self)
{
  g_return_val_if_fail (GW_IS_REDIS (self), FALSE);

  return self->connected;
}

void
gw_redis_start (GwRedis *self)
{
  g_return_if_fail (GW_IS_REDIS (self));

  if (self->started)
    return;
  self->started = TRUE;

  link_connect (&self->links[LINK_PUBLISH]);
  if (self->channels->len > 0)
    link_connect (&self->links[LINK_SUBSCRIBE]);
}

void
gw_redis_subscribe (GwRedis            *self,
                    const char * const *channels)
{
  Link *link;
  g_autoptr(GPtrArray) added = g_ptr_array_new ();

  g_return_if_fail (GW_IS_REDIS (self));
  g_return_if_fail (channels != NULL);

  for (guint i = 0; channels[i] != NULL; i++)
    {
      gboolean known = FALSE;

      for (guint j = 0; j < self->channels->len && !known; j++)
        known = strcmp (g_ptr_array_index (self->channels, j), channels[i]) == 0;
      if (known)
        continue;

      g_ptr_array_add (self->channels, g_strdup (channels[i]));
      g_ptr_array_add (added, g_ptr_array_index (self->channels, self->channels->len - 1));
    }

  if (added->len == 0 || !self->started)
    return;

  link = &self->links[LINK_SUBSCRIBE];
  if (link->up)
    send_subscribe (link, (const char * const *)added->pdata, added->len);
  else
    link_connect (link);
}

static void
on_publish_reply (redisAsyncContext *ac,
                  void              *r,
                  void              *privdata)
{
  g_autoptr(GTask) task = privdata;
  redisReply *reply = r;

  if (reply == NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                             "The Redis connection closed before the message was confirmed");
  else if (reply->type == REDIS_REPLY_ERROR)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                             "Redis refused the message: %s", reply->str);
  else if (reply->type == REDIS_REPLY_INTEGER)
    g_task_return_int (task, reply->integer);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                             "Unexpected Redis reply to PUBLISH");
}

void
gw_redis_publish_async (GwRedis             *self,
                        const char          *channel,
                        const char          *payload,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Link *link;

  g_return_if_fail (GW_IS_REDIS (self));
  g_return_if_fail (channel != NULL);
  g_return_if_fail (payload != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gw_redis_publish_async);

  link = &self->links[LINK_PUBLISH];
  if (!link->ready)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               "Not connected to Redis at %s:%d", self->host, self->port);
      return;
    }

  if (redisAsyncCommand (link->ac, on_publish_reply, g_object_ref (task),
                         "PUBLISH %s %b", channel, payload, strlen (payload)) != REDIS_OK)
    {
      g_object_unref (task);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               "Cannot queue the message for Redis");
    }
}

gboolean
gw_redis_publish_finish (GwRedis       *self,
                         GAsyncResult  *result,
                         gint64        *out_receivers,
                         GError       **error)
{
  gssize receivers;

  g_return_val_if_fail (GW_IS_REDIS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  receivers = g_task_propagate_int (G_TASK (result), error);
  if (receivers < 0)
    return FALSE;

  if (out_receivers != NULL)
    *out_receivers = receivers;

  return TRUE;
}

static GVariant *
variant_from_reply (redisReply *reply)
{
  switch (reply->type)
    {
    case REDIS_REPLY_INTEGER:
      return g_variant_new_int64 (reply->integer);

    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      {
        /* Ours are JSON and ids; anything else is not worth failing over. */
        g_autofree char *text = g_utf8_make_valid (reply->str, reply->len);

        return g_variant_new_string (text);
      }

    case REDIS_REPLY_ARRAY:
      {
        GVariantBuilder builder;

        g_variant_builder_init (&builder, G_VARIANT_TYPE ("av"));
        for (size_t i = 0; i < reply->elements; i++)
          g_variant_builder_add (&builder, "v", variant_from_reply (reply->element[i]));
        return g_variant_builder_end (&builder);
      }

    case REDIS_REPLY_NIL:
    default:
      return g_variant_new_maybe (G_VARIANT_TYPE_VARIANT, NULL);
    }
}

static void
on_command_reply (redisAsyncContext *ac,
                  void              *r,
                  void              *privdata)
{
  g_autoptr(GTask) task = privdata;
  redisReply *reply = r;

  if (reply == NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                             "The Redis connection closed before the command was answered");
  else if (reply->type == REDIS_REPLY_ERROR)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "Redis refused the command: %s", reply->str);
  else
    g_task_return_pointer (task, g_variant_ref_sink (variant_from_reply (reply)), (GDestroyNotify) g_variant_unref);
}

void
gw_redis_command_async (GwRedis             *self,
                        const char * const  *argv,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Link *link;

  g_return_if_fail (GW_IS_REDIS (self));
  g_return_if_fail (argv != NULL && argv[0] != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, gw_redis_command_async);

  link = &self->links[LINK_PUBLISH];
  if (!link->ready)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               "Not connected to Redis at %s:%d", self->host, self->port);
      return;
    }

  if (redisAsyncCommandArgv (link->ac, on_command_reply, g_object_ref (task),
                             g_strv_length ((char **) argv), (const char **) argv, NULL) != REDIS_OK)
    {
      g_object_unref (task);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot queue the command for Redis");
    }
}

GVariant *
gw_redis_command_finish (GwRedis       *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (GW_IS_REDIS (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_command_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = gw_redis_command_finish (GW_REDIS (source), result, &error);

  if (reply == NULL)
    g_debug ("A Redis command failed: %s", error->message);
}

void
gw_redis_command (GwRedis            *self,
                  const char * const *argv)
{
  gw_redis_command_async (self, argv, NULL, on_command_done, NULL);
}

gboolean
gw_redis_json_depth_ok (const char *text,
                        gsize       len,
                        guint       max_depth)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  g_return_val_if_fail (text != NULL || len == 0, FALSE);

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }

  return TRUE;
}

JsonObject *
gw_redis_parse_object (const char  *text,
                       gsize        len,
                       GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  if (len > GW_REDIS_MAX_MESSAGE_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%" G_GSIZE_FORMAT " bytes is too big", len);
      return NULL;
    }
  /* json-glib would take a NUL for the end, and does not check UTF-8. */
  if (!g_utf8_validate_len (text, len, NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not UTF-8 text");
      return NULL;
    }
  if (!gw_redis_json_depth_ok (text, len, GW_REDIS_MAX_JSON_DEPTH))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "nested deeper than %d", GW_REDIS_MAX_JSON_DEPTH);
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, (gssize) len, &local_error))
    {
      /* json-glib's words quote the payload, which is not ours to log. */
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not JSON");
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a JSON object");
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

#define MALFORMED_LOG_INTERVAL_US (60 * G_USEC_PER_SEC)

typedef struct
{
  gint64 last_logged;
  guint  held_back;
} MalformedLog;

void
gw_redis_drop_malformed (const char *channel_label,
                         const char *why)
{
  static GHashTable *logs;   /* label → MalformedLog; labels are few, ours */
  g_autofree char *labels = NULL;
  MalformedLog *log;
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (channel_label != NULL);

  gw_metrics_describe ("livedesk_redis_malformed_total", GW_METRIC_COUNTER,
                       "Messages read from Redis that were malformed and dropped, by channel");
  labels = g_strdup_printf ("channel=\"%s\"", channel_label);
  gw_metrics_add ("livedesk_redis_malformed_total", labels, 1);

  /* One publisher in a loop must not flood the log. */
  if (logs == NULL)
    logs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  log = g_hash_table_lookup (logs, channel_label);
  if (log == NULL)
    {
      log = g_new0 (MalformedLog, 1);
      log->last_logged = G_MININT64;
      g_hash_table_insert (logs, g_strdup (channel_label), log);
    }
  if (log->last_logged != G_MININT64 && now - log->last_logged < MALFORMED_LOG_INTERVAL_US)
    {
      log->held_back++;
      return;
    }

  {
    g_autofree char *held_back = g_strdup_printf ("%u", log->held_back);

    gw_log_event (G_LOG_LEVEL_MESSAGE, "redis_malformed", "channel", channel_label, "why", why,
                  "held_back", held_back, NULL);
  }
  log->last_logged = now;
  log->held_back = 0;
}
