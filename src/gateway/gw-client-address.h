/* gw-client-address.h: who sent a request. Behind a reverse proxy every
 * connection comes from the proxy, which names the client in
 * X-Forwarded-For; that header is believed only from a trusted proxy, since
 * anyone else can write it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _GwTrustedProxies GwTrustedProxies;

#define GW_TYPE_TRUSTED_PROXIES (gw_trusted_proxies_get_type ())

GType             gw_trusted_proxies_get_type (void) G_GNUC_CONST;
/* SPECS: addresses ("10.0.0.2", "::1") or networks ("10.0.0.0/8"). */
GwTrustedProxies *gw_trusted_proxies_new      (const char * const *specs,
                                               GError            **error);
GwTrustedProxies *gw_trusted_proxies_ref      (GwTrustedProxies   *self);
void              gw_trusted_proxies_unref    (GwTrustedProxies   *self);
/* Whether ADDRESS (text) is one of them; FALSE for anything not an address. */
gboolean          gw_trusted_proxies_contains (GwTrustedProxies   *self,
                                               const char         *address);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GwTrustedProxies, gw_trusted_proxies_unref)

/* The client's address: PEER itself unless PEER is a trusted proxy; then the
 * rightmost address of FORWARDED_FOR (an X-Forwarded-For value, NULL if
 * none) that is not itself a trusted proxy. PROXIES may be NULL (trust no
 * one). Never NULL: "unknown" when the peer is not known either. */
char *gw_client_address_from (const char       *peer,
                              const char       *forwarded_for,
                              GwTrustedProxies *proxies);
/* The same for a request on the gateway's SoupServer (REST or socket). */
char *gw_client_address      (SoupServerMessage *msg,
                              GwTrustedProxies  *proxies);

G_END_DECLS
