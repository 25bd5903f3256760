/* ld-test-ui.h: what the window tests share: GTK set up the same way in
 * each, widgets looked up as a user sees them, and a desktop notification
 * server of the test's own on the session bus.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "ld-demo.h"

G_BEGIN_DECLS

/* gtk_test_init and adw_init, with the cursor blink off (without a window
 * manager, focus moves between the test's windows without focus-out
 * events, and GtkText's cursor blink warns about it) and the app's style
 * sheet loaded, as AdwApplication loads it for the app (a parse error in it
 * ends the test). */
void       ld_test_ui_init                 (int                         *argc,
                                            char                      ***argv);

/* The first widget of TYPE under ROOT (ROOT itself included), or NULL. */
GtkWidget *ld_test_find_widget             (GtkWidget                   *root,
                                            GType                        type);
/* A label under ROOT that shows TEXT to the user, markup or not: a label
 * that parsed TEXT as markup shows something else and is not found. */
GtkWidget *ld_test_find_label              (GtkWidget                   *root,
                                            const char                  *text);

/* WIDGET as its last frame drew it; NULL if it has no picture yet (a
 * widget asked to redraw has none until the next frame paints it). */
GdkTexture *ld_test_widget_texture         (GtkWidget                   *widget);
/* WIDGET as drawn by its next frame with a picture, into PATH (a picture
 * to look at, not compared). */
void       ld_test_save_widget             (GtkWidget                   *widget,
                                            const char                  *path);

/* Serves org.gtk.Notifications at /org/gtk/Notifications on the session
 * bus, calling ON_CALL (with USER_DATA) for each method call, and waits
 * until the name is owned; the test fails if it cannot be or is lost. */
void       ld_test_own_notification_server (GDBusInterfaceMethodCallFunc on_call,
                                            gpointer                     user_data);

/* Another real client of DEMO's gateway, signed in as USER_ID with ROLE and
 * in the demo room (a new reference); the test fails if it cannot be. */
LdSession *ld_test_demo_join               (LdDemo                      *demo,
                                            const char                  *user_id,
                                            const char                  *username,
                                            const char                  *role);

G_END_DECLS
