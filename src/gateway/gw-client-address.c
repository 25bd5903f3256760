/* gw-client-address.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-client-address.h"

#include <string.h>

/* Real chains are a few hops; a longer header is not walked any further. */
#define MAX_HOPS 32

struct _GwTrustedProxies
{
  gatomicrefcount  ref_count;
  GPtrArray       *masks;   /* GInetAddressMask */
};

G_DEFINE_BOXED_TYPE (GwTrustedProxies, gw_trusted_proxies, gw_trusted_proxies_ref, gw_trusted_proxies_unref)

GwTrustedProxies *
gw_trusted_proxies_new (const char * const  *specs,
                        GError             **error)
{
  g_autoptr(GwTrustedProxies) self = g_new0 (GwTrustedProxies, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->masks = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; specs != NULL && specs[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      GInetAddressMask *mask = g_inet_address_mask_new_from_string (specs[i], &local_error);

      if (mask == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       "“%s” is not an address or network for a trusted proxy", specs[i]);
          return NULL;
        }
      g_ptr_array_add (self->masks, mask);
    }

  return g_steal_pointer (&self);
}

GwTrustedProxies *
gw_trusted_proxies_ref (GwTrustedProxies *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
gw_trusted_proxies_unref (GwTrustedProxies *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_clear_pointer (&self->masks, g_ptr_array_unref);
      g_free (self);
    }
}

/* A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d: one client,
 * one address, whichever way it came in. */
static GInetAddress *
parse_address (const char *text)
{
  GInetAddress *address = g_inet_address_new_from_string (text);
  const guint8 *bytes;
  static const guint8 mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

  if (address == NULL || g_inet_address_get_family (address) != G_SOCKET_FAMILY_IPV6)
    return address;

  bytes = g_inet_address_to_bytes (address);
  if (memcmp (bytes, mapped_prefix, sizeof mapped_prefix) == 0)
    {
      GInetAddress *v4 = g_inet_address_new_from_bytes (bytes + 12, G_SOCKET_FAMILY_IPV4);

      g_object_unref (address);
      return v4;
    }

  return address;
}

static gboolean
contains (GwTrustedProxies *self,
          GInetAddress     *address)
{
  for (guint i = 0; self != NULL && i < self->masks->len; i++)
    if (g_inet_address_mask_matches (g_ptr_array_index (self->masks, i), address))
      return TRUE;

  return FALSE;
}

gboolean
gw_trusted_proxies_contains (GwTrustedProxies *self,
                             const char       *address)
{
  g_autoptr(GInetAddress) inet = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  if (address == NULL || (inet = parse_address (address)) == NULL)
    return FALSE;

  return contains (self, inet);
}

/* One X-Forwarded-For entry: "1.2.3.4", "2001:db8::1", and the forms with a
 * port some proxies write, "1.2.3.4:5678" and "[2001:db8::1]:5678". */
static GInetAddress *
parse_hop (const char *text)
{
  g_autofree char *hop = g_strstrip (g_strdup (text));
  GInetAddress *address;
  char *end;

  if ((address = parse_address (hop)) != NULL)
    return address;

  if (hop[0] == '[' && (end = strchr (hop, ']')) != NULL)
    {
      *end = '\0';
      return parse_address (hop + 1);
    }

  /* One colon: an IPv4 address with a port (IPv6 has several). */
  if ((end = strchr (hop, ':')) != NULL && strchr (end + 1, ':') == NULL)
    {
      *end = '\0';
      return parse_address (hop);
    }

  return NULL;
}

char *
gw_client_address_from (const char       *peer,
                        const char       *forwarded_for,
                        GwTrustedProxies *proxies)
{
  g_autoptr(GInetAddress) client = NULL;
  g_auto(GStrv) hops = NULL;
  guint n_hops;

  if (peer == NULL)
    return g_strdup ("unknown");
  if ((client = parse_address (peer)) == NULL)
    return g_strdup (peer);
  if (proxies == NULL || forwarded_for == NULL || !contains (proxies, client))
    return g_inet_address_to_string (client);

  /* Each trusted proxy appended the address it saw; everything left of the
   * first untrusted one was written by the client and proves nothing. */
  hops = g_strsplit (forwarded_for, ",", -1);
  n_hops = g_strv_length (hops);
  for (guint i = 0; i < MIN (n_hops, MAX_HOPS); i++)
    {
      GInetAddress *hop = parse_hop (hops[n_hops - 1 - i]);

      /* Garbage from a trusted hop: the last address known for sure. */
      if (hop == NULL)
        break;
      g_set_object (&client, hop);
      g_object_unref (hop);
      if (!contains (proxies, client))
        break;
    }

  return g_inet_address_to_string (client);
}

char *
gw_client_address (SoupServerMessage *msg,
                   GwTrustedProxies  *proxies)
{
  SoupMessageHeaders *headers;

  g_return_val_if_fail (SOUP_IS_SERVER_MESSAGE (msg), NULL);

  headers = soup_server_message_get_request_headers (msg);
  /* Several X-Forwarded-For lines read as one list, in order. */
  return gw_client_address_from (soup_server_message_get_remote_host (msg),
                                 soup_message_headers_get_list (headers, "X-Forwarded-For"), proxies);
}
