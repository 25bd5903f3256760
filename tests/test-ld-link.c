/* test-ld-link.c: links found in chat text, and which open without asking.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-link.h"

static void
test_find (void)
{
  g_auto(GStrv) links = ld_link_find_all ("xem https://i.imgur.com/a.png, và (http://example.org/x?y=1). "
                                          "javascript:alert(1) ftp://x.org https://");
  g_auto(GStrv) none = ld_link_find_all ("không có liên kết nào");

  g_assert_cmpuint (g_strv_length (links), ==, 2);
  g_assert_cmpstr (links[0], ==, "https://i.imgur.com/a.png");
  g_assert_cmpstr (links[1], ==, "http://example.org/x?y=1");
  g_assert_cmpuint (g_strv_length (none), ==, 0);
}

static void
test_trusted (void)
{
  g_autofree char *host = ld_link_get_host ("https://Evil.Example/a");

  g_assert_true (ld_link_is_trusted ("https://imgur.com/gallery/x"));
  g_assert_true (ld_link_is_trusted ("https://i.imgur.com/a.png"));
  g_assert_true (ld_link_is_trusted ("https://res.cloudinary.com/demo/image/upload/x.jpg"));
  g_assert_false (ld_link_is_trusted ("http://i.imgur.com/a.png"));
  g_assert_false (ld_link_is_trusted ("https://imgur.com@evil.example/a.png"));
  g_assert_false (ld_link_is_trusted ("https://notimgur.com/a.png"));
  g_assert_false (ld_link_is_trusted ("https://imgur.com.evil.example/a.png"));
  g_assert_false (ld_link_is_trusted ("not a link"));
  g_assert_cmpstr (host, ==, "evil.example");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/link/find", test_find);
  g_test_add_func ("/link/trusted", test_trusted);
  return g_test_run ();
}
