/* ld-test-ui.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <adwaita.h>

#include "ld-test-ui.h"
#include "ld-test-util.h"

#define NAME_WAIT_MS 15000

/* A style sheet that does not parse fails every UI test at once. */
static void
on_css_error (GtkCssProvider *provider,
              GtkCssSection  *section,
              const GError   *error)
{
  g_autofree char *where = gtk_css_section_to_string (section);

  g_error ("style.css: %s: %s", where, error->message);
}

void
ld_test_ui_init (int    *argc,
                 char ***argv)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_test_init (argc, argv, NULL);
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);
  adw_init ();
  /* The app's style sheet, which AdwApplication loads from the app's
   * resource path: the widgets under test look as a user sees them. */
  g_signal_connect (provider, "parsing-error", G_CALLBACK (on_css_error), NULL);
  gtk_css_provider_load_from_resource (provider, "/io/github/livedesk/Livedesk/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

GdkTexture *
ld_test_widget_texture (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;

  gdk_paintable_snapshot (paintable, snapshot, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    return NULL;
  return gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node, NULL);
}

static gboolean
has_picture (gpointer data)
{
  g_autoptr(GdkTexture) texture = ld_test_widget_texture (data);

  return texture != NULL;
}

void
ld_test_save_widget (GtkWidget  *widget,
                     const char *path)
{
  g_autoptr(GdkTexture) texture = NULL;

  g_assert_true (ld_test_wait_for (has_picture, widget, 30000));
  texture = ld_test_widget_texture (widget);
  g_assert_nonnull (texture);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("picture: %s", path);
}

GtkWidget *
ld_test_find_widget (GtkWidget *root,
                     GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ld_test_find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
ld_test_find_label (GtkWidget  *root,
                    const char *text)
{
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ld_test_find_label (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
on_name_acquired (GDBusConnection *connection,
                  const char      *name,
                  gpointer         user_data)
{
  gboolean *owned = user_data;

  *owned = TRUE;
}

static void
on_name_lost (GDBusConnection *connection,
              const char      *name,
              gpointer         user_data)
{
  g_error ("could not own %s on the session bus", name);
}

void
ld_test_own_notification_server (GDBusInterfaceMethodCallFunc on_call,
                                 gpointer                     user_data)
{
  static const char xml[] =
    "<node><interface name='org.gtk.Notifications'>"
    "<method name='AddNotification'><arg type='s' direction='in'/><arg type='s' direction='in'/>"
    "<arg type='a{sv}' direction='in'/></method>"
    "<method name='RemoveNotification'><arg type='s' direction='in'/><arg type='s' direction='in'/></method>"
    "</interface></node>";
  /* Lives as long as the registration: the rest of the test. */
  static GDBusInterfaceVTable vtable;
  static gboolean owned;
  g_autoptr(GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (xml, NULL);
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (owned);
  vtable.method_call = on_call;
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (bus, "/org/gtk/Notifications", info->interfaces[0], &vtable, user_data,
                                     NULL, &error);
  g_assert_no_error (error);
  g_bus_own_name_on_connection (bus, "org.gtk.Notifications", G_BUS_NAME_OWNER_FLAGS_NONE, on_name_acquired,
                                on_name_lost, &owned, NULL);
  LD_TEST_WAIT_UNTIL (owned, NAME_WAIT_MS);
}

LdSession *
ld_test_demo_join (LdDemo     *demo,
                   const char *user_id,
                   const char *username,
                   const char *role)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  LdSession *session;

  ld_demo_new_session_async (demo, user_id, username, role, NULL, ld_test_store_result, &result);
  g_assert_true (ld_test_wait_for (ld_test_is_set, &result, 30000));
  session = ld_demo_new_session_finish (demo, result, &error);
  g_assert_no_error (error);
  return session;
}
