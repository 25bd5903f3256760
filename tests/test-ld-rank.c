/* test-ld-rank.c: the rank rule the gateway and the client share, for every
 * pair of roles, and for names that are not roles.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-rank.h"

static const char * const roles[] = { "admin", "moderator", "streamer", "viewer" };

/* Written out from PROTOCOL.md, not computed: allowed[actor][target], in
 * the order of roles[]. */
static const gboolean allowed[4][4] = {
  /* admin */     { FALSE, TRUE,  TRUE,  TRUE  },
  /* moderator */ { FALSE, FALSE, TRUE,  TRUE  },
  /* streamer */  { FALSE, FALSE, FALSE, TRUE  },
  /* viewer */    { FALSE, FALSE, FALSE, FALSE },
};

static void
test_every_pair (void)
{
  for (guint a = 0; a < G_N_ELEMENTS (roles); a++)
    for (guint t = 0; t < G_N_ELEMENTS (roles); t++)
      {
        g_test_message ("%s on %s", roles[a], roles[t]);
        g_assert_cmpint (ld_rank_may_sanction (roles[a], roles[t]), ==, allowed[a][t]);
      }
}

static void
test_order (void)
{
  g_assert_cmpint (ld_rank_of_role ("admin"), >, ld_rank_of_role ("moderator"));
  g_assert_cmpint (ld_rank_of_role ("moderator"), >, ld_rank_of_role ("streamer"));
  g_assert_cmpint (ld_rank_of_role ("streamer"), >, ld_rank_of_role ("viewer"));
  g_assert_cmpint (ld_rank_of_role ("viewer"), >=, 0);
}

/* Another gateway's roles, a newer one, nothing: no rank, and the rule
 * leaves the decision to the server either way round. */
static void
test_unknown (void)
{
  const char * const unknown[] = { "owner", "Admin", "", "superadmin", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (unknown); i++)
    {
      g_assert_cmpint (ld_rank_of_role (unknown[i]), ==, LD_RANK_UNKNOWN);
      for (guint r = 0; r < G_N_ELEMENTS (roles); r++)
        {
          g_assert_true (ld_rank_may_sanction (roles[r], unknown[i]));
          g_assert_true (ld_rank_may_sanction (unknown[i], roles[r]));
        }
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/rank/every-pair", test_every_pair);
  g_test_add_func ("/rank/order", test_order);
  g_test_add_func ("/rank/unknown", test_unknown);
  return g_test_run ();
}
