/* fuzz-forwarded-for.c: gw_client_address_from fed any X-Forwarded-For a
 * client or a broken proxy could send, from a trusted and an untrusted peer.
 * Whatever it gets, it answers an address, never crashes or warns.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <string.h>

#include "fuzz-common.h"
#include "gw-client-address.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static GwTrustedProxies *proxies;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_make_warnings_fatal ();
  proxies = gw_trusted_proxies_new ((const char *[]) { "10.0.0.2", "172.16.0.0/12", "::1", NULL }, NULL);
  g_assert_nonnull (proxies);
  return 0;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  /* A header value is text up to its end; libsoup hands over no NUL inside. */
  g_autofree char *header = g_strndup ((const char *) data, size);
  const char *peers[] = { "10.0.0.2", "::1", "198.51.100.7" };

  for (guint i = 0; i < G_N_ELEMENTS (peers); i++)
    {
      g_autofree char *address = gw_client_address_from (peers[i], header, proxies);
      g_autoptr(GInetAddress) parsed = g_inet_address_new_from_string (address);

      g_assert_nonnull (parsed);
      /* From an untrusted peer the header changes nothing. */
      if (i == 2)
        g_assert_cmpstr (address, ==, peers[i]);
    }

  return 0;
}
