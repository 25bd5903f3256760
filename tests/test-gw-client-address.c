/* test-gw-client-address.c: whose address a request counts against.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "gw-client-address.h"

#include <string.h>

static void
assert_client (const char       *peer,
               const char       *forwarded_for,
               GwTrustedProxies *proxies,
               const char       *expected)
{
  g_autofree char *address = gw_client_address_from (peer, forwarded_for, proxies);

  g_assert_cmpstr (address, ==, expected);
}

static void
test_untrusted (void)
{
  g_autoptr(GwTrustedProxies) proxies = gw_trusted_proxies_new ((const char *[]) { "10.0.0.2", NULL }, NULL);

  /* Anyone can write the header: from anyone else it means nothing. */
  assert_client ("198.51.100.7", "203.0.113.9", proxies, "198.51.100.7");
  assert_client ("198.51.100.7", "203.0.113.9", NULL, "198.51.100.7");
  assert_client ("198.51.100.7", NULL, proxies, "198.51.100.7");
  assert_client (NULL, "203.0.113.9", proxies, "unknown");
  /* An IPv4 client on a dual-stack listener is the same client. */
  assert_client ("::ffff:198.51.100.7", "203.0.113.9", proxies, "198.51.100.7");
}

static void
test_trusted (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GwTrustedProxies) proxies =
    gw_trusted_proxies_new ((const char *[]) { "10.0.0.2", "172.16.0.0/12", "::1", NULL }, &error);

  g_assert_no_error (error);
  g_assert_true (gw_trusted_proxies_contains (proxies, "10.0.0.2"));
  g_assert_true (gw_trusted_proxies_contains (proxies, "172.20.1.1"));
  g_assert_false (gw_trusted_proxies_contains (proxies, "10.0.0.3"));
  g_assert_false (gw_trusted_proxies_contains (proxies, "not an address"));

  assert_client ("10.0.0.2", "203.0.113.9", proxies, "203.0.113.9");
  /* The client wrote the left part itself: the rightmost untrusted hop wins. */
  assert_client ("10.0.0.2", "1.1.1.1, 203.0.113.9", proxies, "203.0.113.9");
  /* Through two trusted proxies. */
  assert_client ("10.0.0.2", "1.1.1.1, 203.0.113.9, 172.16.5.5", proxies, "203.0.113.9");
  assert_client ("::1", "2001:db8::5", proxies, "2001:db8::5");
  assert_client ("::ffff:10.0.0.2", "203.0.113.9", proxies, "203.0.113.9");
  assert_client ("10.0.0.2", "::ffff:203.0.113.9", proxies, "203.0.113.9");
  /* Forms with ports. */
  assert_client ("10.0.0.2", "203.0.113.9:5555", proxies, "203.0.113.9");
  assert_client ("10.0.0.2", "[2001:db8::5]:443", proxies, "2001:db8::5");
  /* No header, an empty one, or garbage from the proxy: the proxy's own address. */
  assert_client ("10.0.0.2", NULL, proxies, "10.0.0.2");
  assert_client ("10.0.0.2", "", proxies, "10.0.0.2");
  assert_client ("10.0.0.2", "evil, <script>", proxies, "10.0.0.2");
  /* Garbage further left stops the walk at the last address a trusted hop gave. */
  assert_client ("10.0.0.2", "garbage, 172.16.0.9", proxies, "172.16.0.9");
}

static void
test_bad_spec (void)
{
  g_autoptr(GError) error = NULL;
  GwTrustedProxies *proxies = gw_trusted_proxies_new ((const char *[]) { "10.0.0.2", "proxy.example", NULL }, &error);

  g_assert_null (proxies);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "proxy.example"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gw/client-address/untrusted", test_untrusted);
  g_test_add_func ("/gw/client-address/trusted", test_trusted);
  g_test_add_func ("/gw/client-address/bad-spec", test_bad_spec);

  return g_test_run ();
}
