/* test-ld-mention.c: the one mention rule the chat and the notifier share.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-mention.h"

static void
test_words (void)
{
  g_assert_true (ld_mention_matches ("hi Lan", "lan"));
  g_assert_true (ld_mention_matches ("@lan thanks!", "Lan"));
  g_assert_true (ld_mention_matches ("LAN: look", "lan"));
  g_assert_true (ld_mention_matches ("Chào Minh Anh ơi", "Minh Anh"));
  g_assert_true (ld_mention_matches ("cảm ơn Đức", "đức"));
  /* Inside another word it is not a mention. */
  g_assert_false (ld_mention_matches ("Lana is here", "lan"));
  g_assert_false (ld_mention_matches ("a plan", "lan"));
  g_assert_false (ld_mention_matches ("lan_2 hi", "lan"));
  /* A later occurrence still counts after an embedded one. */
  g_assert_true (ld_mention_matches ("plan for lan", "lan"));
}

static void
test_nothing (void)
{
  g_assert_false (ld_mention_matches (NULL, "lan"));
  g_assert_false (ld_mention_matches ("lan", NULL));
  g_assert_false (ld_mention_matches ("lan", ""));
  g_assert_false (ld_mention_matches ("l\xff" "an", "an"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mention/words", test_words);
  g_test_add_func ("/mention/nothing", test_nothing);
  return g_test_run ();
}
