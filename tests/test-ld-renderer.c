/* test-ld-renderer.c: which renderer the app picks, on a made-up /dev:
 * cairo with GL unloaded where there is no GPU or software GL is asked for,
 * GTK's own choice where there is a GPU, and the user's setting always.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>

#include "ld-renderer.h"

typedef struct
{
  char *dev;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->dev = g_dir_make_tmp ("ld-renderer-XXXXXX", &error);
  g_assert_no_error (error);
  g_unsetenv ("GSK_RENDERER");
  g_unsetenv ("GDK_DEBUG");
  g_unsetenv ("LIBGL_ALWAYS_SOFTWARE");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  static const char *const made[] = { "dri/renderD128", "dri/card0", "dri", "nvidiactl" };

  for (guint i = 0; i < G_N_ELEMENTS (made); i++)
    {
      g_autofree char *path = g_build_filename (fixture->dev, made[i], NULL);

      g_remove (path);
    }
  g_assert_cmpint (g_rmdir (fixture->dev), ==, 0);
  g_free (fixture->dev);
}

/* Makes DEV/NAME (a path under it, its directory made too). */
static void
add_device (Fixture    *fixture,
            const char *name)
{
  g_autofree char *path = g_build_filename (fixture->dev, name, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_file_set_contents (path, "", 0, &error);
  g_assert_no_error (error);
}

static void
assert_cairo (gboolean chosen)
{
  g_assert_true (chosen);
  g_assert_cmpstr (g_getenv ("GSK_RENDERER"), ==, "cairo");
  g_assert_cmpstr (g_getenv ("GDK_DEBUG"), ==, "gl-disable");
}

static void
assert_untouched (gboolean chosen)
{
  g_assert_false (chosen);
  g_assert_null (g_getenv ("GSK_RENDERER"));
  g_assert_null (g_getenv ("GDK_DEBUG"));
}

/* No /dev/dri (a VM, a container, CI), or an empty one: cairo. */
static void
test_no_gpu (Fixture       *fixture,
             gconstpointer  user_data)
{
  if (user_data != NULL)
    {
      g_autofree char *dri = g_build_filename (fixture->dev, "dri", NULL);

      g_assert_cmpint (g_mkdir (dri, 0700), ==, 0);
    }
  assert_cairo (ld_renderer_choose (fixture->dev));
}

/* A DRM render node, a DRM card alone, or NVIDIA's control device: GTK
 * keeps its GL renderer. */
static void
test_gpu (Fixture       *fixture,
          gconstpointer  user_data)
{
  add_device (fixture, user_data);
  assert_untouched (ld_renderer_choose (fixture->dev));
}

/* LIBGL_ALWAYS_SOFTWARE=1 makes Mesa draw on the CPU even with a GPU. */
static void
test_software_asked (Fixture       *fixture,
                     gconstpointer  user_data)
{
  add_device (fixture, "dri/renderD128");
  g_setenv ("LIBGL_ALWAYS_SOFTWARE", "0", TRUE);
  assert_untouched (ld_renderer_choose (fixture->dev));
  g_setenv ("LIBGL_ALWAYS_SOFTWARE", "1", TRUE);
  assert_cairo (ld_renderer_choose (fixture->dev));
}

/* A renderer or debug flags the user set are theirs. */
static void
test_user_choice (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_setenv ("GSK_RENDERER", "gl", TRUE);
  g_assert_false (ld_renderer_choose (fixture->dev));
  g_assert_cmpstr (g_getenv ("GSK_RENDERER"), ==, "gl");
  g_assert_null (g_getenv ("GDK_DEBUG"));

  g_unsetenv ("GSK_RENDERER");
  g_setenv ("GDK_DEBUG", "interactive", TRUE);
  g_assert_false (ld_renderer_choose (fixture->dev));
  g_assert_null (g_getenv ("GSK_RENDERER"));
  g_assert_cmpstr (g_getenv ("GDK_DEBUG"), ==, "interactive");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, data, func) g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("/renderer/no-gpu/no-dri", NULL, test_no_gpu);
  ADD ("/renderer/no-gpu/empty-dri", "empty", test_no_gpu);
  ADD ("/renderer/gpu/render-node", "dri/renderD128", test_gpu);
  ADD ("/renderer/gpu/card", "dri/card0", test_gpu);
  ADD ("/renderer/gpu/nvidia", "nvidiactl", test_gpu);
  ADD ("/renderer/software-asked", NULL, test_software_asked);
  ADD ("/renderer/user-choice", NULL, test_user_choice);
#undef ADD

  return g_test_run ();
}
