/* ld-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "ld-chat-view.h"
#include "ld-composer.h"
#include "ld-config.h"
#include "ld-desktop-notifier.h"
#include "ld-dashboard-view.h"
#include "ld-gifts-view.h"
#include "ld-moderation-log-view.h"
#include "ld-notifications-view.h"
#include "ld-room-page.h"
#include "ld-support-view.h"
#include "ld-user-card.h"
#include "ld-validate.h"
#include "ld-window.h"

struct _LdWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  AdwViewSwitcherTitle *switcher_title;
  GtkImage             *connection_icon;
  GtkImage             *connection_icon_only;
  GtkLabel             *connection_label;
  GtkWidget            *connection_box;
  GtkWidget            *room_box;
  GtkLabel             *live_label;
  GtkLabel             *viewer_count_label;
  GtkStack             *main_stack;
  GtkStack             *chat_stack;
  AdwViewStack         *view_stack;
  AdwViewStackPage     *chat_page;
  AdwViewStackPage     *gifts_page;
  AdwViewStackPage     *support_page;
  AdwViewStackPage     *notifications_page;
  AdwTabBar            *tab_bar;
  AdwTabBar            *split_bar;
  AdwTabView           *tab_view;
  AdwTabView           *split_view;
  GtkWidget            *split_box;
  LdViewerList         *viewer_list;
  LdGiftsView          *gifts_view;
  LdDashboardView      *dashboard_view;
  LdNotificationsView  *notifications_view;
  LdSupportView        *support_view;
  GMenu                *account_section;
  GtkWidget            *streamer_mode_button;
  GtkCssProvider       *font_provider;

  LdSettings           *settings;
  LdSession            *session;
  GCancellable         *cancellable;
  LdDesktopNotifier    *notifier;
  gulong                notify_handler;
  /* The shown room's gift queue, which changes with the room. */
  LdGiftQueue          *bound_gifts;
  /* The session's current room, whose title, status and count the header
   * shows. */
  LdRoom               *bound_room;
  guint                 unseen_gifts;
  /* Of the two tab views, the one the user last worked in: its selected
   * room is the session's current one. */
  AdwTabView           *active_view;
  /* Pages come and go with the session, not by the user's choice: the
   * list of open rooms is not written then. */
  gboolean              quiet;
  /* The window itself moves tabs about: not a choice of room by the user. */
  gboolean              syncing;
  /* Users hidden or highlighted in one room's chat are so in every room's
   * (and in the settings, when there are). */
  GHashTable           *hidden_users;
  GHashTable           *highlighted_users;
};

G_DEFINE_FINAL_TYPE (LdWindow, ld_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SETTINGS,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *
state_icon (LdSessionState state)
{
  switch (state)
    {
    case LD_SESSION_STATE_ONLINE: return "network-transmit-receive-symbolic";
    case LD_SESSION_STATE_CONNECTING:
    case LD_SESSION_STATE_AUTHENTICATING:
    case LD_SESSION_STATE_RECONNECTING: return "emblem-synchronizing-symbolic";
    case LD_SESSION_STATE_OFFLINE:
    case LD_SESSION_STATE_SIGNED_OUT:
    default:
      return "network-offline-symbolic";
    }
}

static void
set_state_class (GtkWidget  *widget,
                 const char *name)
{
  static const char * const classes[] = { "online", "connecting", "offline" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (widget, classes[i]);
  gtk_widget_add_css_class (widget, name);
}

/* The state in words, also for the icon shown alone in a narrow header. */
static void
set_connection_text (LdWindow   *self,
                     const char *text)
{
  gtk_label_set_text (self->connection_label, text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->connection_icon_only),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

static const char *
role_name (LdRole role)
{
  switch (role)
    {
    case LD_ROLE_STREAMER: return _("Streamer");
    case LD_ROLE_ADMIN: return _("Admin");
    case LD_ROLE_MODERATOR: return _("Moderator");
    case LD_ROLE_VIEWER:
    default:
      return _("Viewer");
    }
}

static gboolean
streamer_mode (LdWindow *self)
{
  return self->settings != NULL && ld_settings_get_streamer_mode (self->settings);
}

/* The account menu says who is signed in and as what. */
static void
update_account (LdWindow *self)
{
  const char *username = self->session ? ld_session_get_username (self->session) : NULL;
  g_autofree char *label = NULL;

  g_menu_remove_all (self->account_section);
  if (username == NULL)
    return;

  /* The menu is opened on stream: neither the account nor its role. */
  if (streamer_mode (self))
    {
      g_menu_append (self->account_section, _("Signed in"), NULL);
      return;
    }

  /* Translators: the account menu: a username and their role. */
  label = g_strdup_printf (_("Signed in as %s (%s)"), username, role_name (ld_session_get_role (self->session)));
  g_menu_append (self->account_section, label, NULL);
}

static void
update_header (LdWindow *self)
{
  LdSessionState state;
  const char *reason;
  LdRoom *room;
  const char *room_id;
  const char *title;
  const char *status;
  g_autofree char *text = NULL;
  g_autofree char *count = NULL;
  g_autofree char *tooltip = NULL;

  if (self->session == NULL)
    {
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reconnect", FALSE);
      update_account (self);
      gtk_image_set_from_icon_name (self->connection_icon, "network-offline-symbolic");
      set_connection_text (self, _("Signed out"));
      set_state_class (self->connection_box, "offline");
      gtk_widget_set_visible (self->room_box, FALSE);
      adw_view_switcher_title_set_title (self->switcher_title, "Livedesk");
      adw_view_switcher_title_set_subtitle (self->switcher_title, NULL);
      gtk_stack_set_visible_child_name (self->main_stack, "signed-out");
      return;
    }

  state = ld_session_get_state (self->session);
  reason = ld_session_get_state_reason (self->session);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.reconnect",
                                 state == LD_SESSION_STATE_RECONNECTING || state == LD_SESSION_STATE_OFFLINE);
  gtk_image_set_from_icon_name (self->connection_icon, state_icon (state));

  switch (state)
    {
    case LD_SESSION_STATE_ONLINE:
      if (!ld_session_get_api_healthy (self->session))
        text = g_strdup (_("Online, API unreachable"));
      /* Backend events (gifts, notifications) come through the platform's Redis. */
      else if (ld_session_get_redis_state (self->session) == LD_REDIS_STATE_DOWN)
        text = g_strdup (_("Online, backend events down"));
      else
        text = g_strdup (_("Online"));
      set_state_class (self->connection_box,
                       ld_session_get_api_healthy (self->session) &&
                       ld_session_get_redis_state (self->session) != LD_REDIS_STATE_DOWN ? "online" : "connecting");
      break;
    case LD_SESSION_STATE_CONNECTING:
      text = g_strdup (_("Connecting…"));
      set_state_class (self->connection_box, "connecting");
      break;
    case LD_SESSION_STATE_AUTHENTICATING:
      text = g_strdup (_("Signing in…"));
      set_state_class (self->connection_box, "connecting");
      break;
    case LD_SESSION_STATE_RECONNECTING:
      {
        guint seconds = ld_session_get_reconnect_in (self->session);

        if (ld_session_get_having_trouble (self->session))
          text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Trouble connecting, next try in %u s (F5 now)",
                                               "Trouble connecting, next try in %u s (F5 now)", seconds), seconds);
        else if (seconds > 0)
          text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Reconnecting in %u s", "Reconnecting in %u s",
                                               seconds), seconds);
        else
          text = g_strdup (_("Reconnecting…"));
        set_state_class (self->connection_box, "connecting");
      }
      break;
    case LD_SESSION_STATE_SIGNED_OUT:
      text = g_strdup (_("Signed out"));
      set_state_class (self->connection_box, "offline");
      break;
    case LD_SESSION_STATE_OFFLINE:
    default:
      text = g_strdup (_("Offline"));
      set_state_class (self->connection_box, "offline");
      break;
    }
  set_connection_text (self, text);
  /* A reason can name the server ("could not connect to …"). */
  if (reason != NULL && *reason != '\0' && !streamer_mode (self))
    tooltip = g_strdup_printf ("%s: %s", text, reason);
  gtk_widget_set_tooltip_text (self->connection_box, tooltip ? tooltip : text);

  room = ld_session_get_current_room (self->session);
  /* A room that banned us keeps its tab, but we are not in it. */
  room_id = room != NULL && !ld_room_get_banned (room) ? ld_room_get_id (room) : NULL;
  title = room != NULL ? ld_room_get_title (room) : NULL;
  status = room != NULL ? ld_room_get_status (room) : NULL;

  gtk_widget_set_visible (self->room_box, room_id != NULL);
  /* Outside every room only the chat has nothing to show: support and
   * notifications do not depend on one. A ban keeps its room's tab, for
   * the composer to say why. */
  gtk_stack_set_visible_child_name (self->main_stack, "room");
  gtk_stack_set_visible_child_name (self->chat_stack,
                                    adw_tab_view_get_n_pages (self->tab_view) +
                                    adw_tab_view_get_n_pages (self->split_view) > 0 ? "rooms" : "no-room");
  adw_view_switcher_title_set_title (self->switcher_title,
                                     title != NULL ? title : room_id != NULL ? room_id : "Livedesk");
  adw_view_switcher_title_set_subtitle (self->switcher_title, title != NULL ? room_id : NULL);
  gtk_window_set_title (GTK_WINDOW (self), room_id != NULL ? (title ? title : room_id) : "Livedesk");

  gtk_widget_set_visible (GTK_WIDGET (self->live_label), status != NULL);
  gtk_widget_remove_css_class (GTK_WIDGET (self->live_label), "live");
  gtk_widget_remove_css_class (GTK_WIDGET (self->live_label), "ended");
  if (g_strcmp0 (status, "live") == 0)
    {
      gtk_label_set_text (self->live_label, _("LIVE"));
      gtk_widget_add_css_class (GTK_WIDGET (self->live_label), "live");
    }
  else if (status != NULL)
    {
      gtk_label_set_text (self->live_label, g_strcmp0 (status, "ended") == 0 ? _("Ended") : status);
      gtk_widget_add_css_class (GTK_WIDGET (self->live_label), "ended");
    }

  count = g_strdup_printf ("%u", room != NULL ? ld_room_get_viewer_count (room) : 0);
  gtk_label_set_text (self->viewer_count_label, count);

  update_account (self);
}

static void
reconnect_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  LdWindow *self = LD_WINDOW (widget);

  if (self->session != NULL)
    ld_session_reconnect_now (self->session);
}

static void
on_session_notify (LdWindow   *self,
                   GParamSpec *pspec,
                   LdSession  *session)
{
  update_header (self);
}

static void
set_badge (AdwViewStackPage *page,
           guint             count)
{
  adw_view_stack_page_set_badge_number (page, count);
  adw_view_stack_page_set_needs_attention (page, count > 0);
}

static void
update_badges (LdWindow *self)
{
  LdNotificationModel *notifications = self->session ? ld_session_get_notifications (self->session) : NULL;
  LdTicketModel *tickets = self->session ? ld_support_get_tickets (ld_session_get_support (self->session)) : NULL;

  set_badge (self->notifications_page, notifications ? ld_notification_model_get_unread_count (notifications) : 0);
  set_badge (self->support_page, tickets ? ld_ticket_model_get_n_unread (tickets) : 0);
  set_badge (self->gifts_page, self->unseen_gifts);
}

static void
on_gift_started (LdWindow    *self,
                 GParamSpec  *pspec,
                 LdGiftQueue *gifts)
{
  GObject *current = NULL;

  g_object_get (gifts, "current", &current, NULL);
  if (current != NULL &&
      g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "gifts") != 0)
    {
      self->unseen_gifts++;
      update_badges (self);
    }
  g_clear_object (&current);
}

static void update_shown (LdWindow *self);
static void update_chat_badge (LdWindow *self);

static void
on_visible_child_changed (LdWindow *self)
{
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "gifts") == 0)
    {
      self->unseen_gifts = 0;
      update_badges (self);
    }
  update_shown (self);
  update_chat_badge (self);
}

static void on_user_activated (LdWindow   *self,
                               const char *user_id,
                               const char *username,
                               int         role,
                               GtkWidget  *anchor,
                               GtkWidget  *source);
static void apply_page_settings (LdWindow   *self,
                                 LdRoomPage *page);

/* The room page of ROOM in either tab view, and its tab. */
static AdwTabPage *
find_tab (LdWindow   *self,
          LdRoom     *room,
          AdwTabView **view_out)
{
  AdwTabView *views[] = { self->tab_view, self->split_view };

  for (guint v = 0; v < G_N_ELEMENTS (views); v++)
    for (int i = 0; i < adw_tab_view_get_n_pages (views[v]); i++)
      {
        AdwTabPage *tab = adw_tab_view_get_nth_page (views[v], i);

        if (ld_room_page_get_room (LD_ROOM_PAGE (adw_tab_page_get_child (tab))) == room)
          {
            if (view_out != NULL)
              *view_out = views[v];
            return tab;
          }
      }
  return NULL;
}

static LdRoomPage *
selected_page (AdwTabView *view)
{
  AdwTabPage *tab = adw_tab_view_get_selected_page (view);

  return tab != NULL ? LD_ROOM_PAGE (adw_tab_page_get_child (tab)) : NULL;
}

/* The open rooms, in tab order, come back after a restart. */
static void
save_rooms (LdWindow *self)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) ids = NULL;
  AdwTabView *views[] = { self->tab_view, self->split_view };

  if (self->settings == NULL || self->session == NULL || self->quiet)
    return;

  builder = g_strv_builder_new ();
  for (guint v = 0; v < G_N_ELEMENTS (views); v++)
    for (int i = 0; i < adw_tab_view_get_n_pages (views[v]); i++)
      {
        LdRoomPage *page = LD_ROOM_PAGE (adw_tab_page_get_child (adw_tab_view_get_nth_page (views[v], i)));

        g_strv_builder_add (builder, ld_room_page_get_room_id (page));
      }
  ids = g_strv_builder_end (builder);
  ld_settings_set_open_rooms (self->settings, (const char * const *) ids);
}

/* A tab says what it missed: the unread count in its title, a mention as
 * needs-attention with an icon. */
static void
update_tab (LdRoomPage *page,
            GParamSpec *pspec,
            AdwTabPage *tab)
{
  guint unread = ld_room_page_get_unread (page);
  gboolean mentioned = ld_room_page_get_mentioned (page);
  g_autofree char *title = NULL;
  g_autofree char *tooltip = NULL;

  if (unread > 0)
    /* Translators: a room's tab: its title and how many messages came in
     * since it was last shown. */
    title = g_strdup_printf (_("%s (%u)"), ld_room_page_get_title (page), unread);
  adw_tab_page_set_title (tab, title != NULL ? title : ld_room_page_get_title (page));
  adw_tab_page_set_needs_attention (tab, mentioned);
  if (mentioned)
    {
      g_autoptr(GIcon) icon = g_themed_icon_new ("user-available-symbolic");

      adw_tab_page_set_indicator_icon (tab, icon);
      adw_tab_page_set_indicator_tooltip (tab, _("You were mentioned"));
    }
  else
    adw_tab_page_set_indicator_icon (tab, NULL);

  /* Live rooms carry a red dot in their tab, whatever room the header
   * shows (and when the header is too narrow for its live badge). */
  if (g_strcmp0 (ld_room_get_status (ld_room_page_get_room (page)), "live") == 0)
    {
      g_autoptr(GIcon) icon = g_themed_icon_new ("media-record-symbolic");

      adw_tab_page_set_icon (tab, icon);
    }
  else
    adw_tab_page_set_icon (tab, NULL);

  if (unread > 0)
    tooltip = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s: %u new message", "%s: %u new messages", unread),
                               ld_room_page_get_title (page), unread);
  adw_tab_page_set_tooltip (tab, tooltip != NULL ? tooltip : ld_room_page_get_title (page));
}

static void
on_room_status (LdRoom     *room,
                GParamSpec *pspec,
                AdwTabPage *tab)
{
  update_tab (LD_ROOM_PAGE (adw_tab_page_get_child (tab)), NULL, tab);
}

/* libadwaita 1.2 gives a tab's own buttons (close, indicator) no name a
 * screen reader could read: closing a tab leaves its room. */
static void
name_tab_buttons (GtkWidget *widget,
                  gboolean   in_tab)
{
  in_tab = in_tab || g_str_equal (G_OBJECT_TYPE_NAME (widget), "AdwTab");
  if (in_tab && GTK_IS_BUTTON (widget))
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                    g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (widget)),
                                               "window-close-symbolic") == 0
                                    ? _("Leave Room") : _("You were mentioned"), -1);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    name_tab_buttons (child, in_tab);
}

static void
on_page_attached (LdWindow   *self,
                  AdwTabPage *tab,
                  int         position,
                  AdwTabView *view)
{
  name_tab_buttons (GTK_WIDGET (view == self->split_view ? self->split_bar : self->tab_bar), FALSE);
}

static AdwTabPage *
add_tab (LdWindow *self,
         LdRoom   *room)
{
  LdRoomPage *page = ld_room_page_new (self->session, room);
  AdwTabPage *tab;

  apply_page_settings (self, page);
  g_signal_connect_object (ld_room_page_get_chat_view (page), "user-activated", G_CALLBACK (on_user_activated),
                           self, G_CONNECT_SWAPPED);
  tab = adw_tab_view_append (self->tab_view, GTK_WIDGET (page));
  g_signal_connect_object (page, "notify", G_CALLBACK (update_tab), tab, 0);
  g_signal_connect_object (room, "notify::status", G_CALLBACK (on_room_status), tab, 0);
  g_signal_connect_object (page, "notify::unread", G_CALLBACK (update_chat_badge), self, G_CONNECT_SWAPPED);
  update_tab (page, NULL, tab);
  return tab;
}

/* Which pages are shown: the selected one of each view; the others count
 * what comes in. */
static void
update_shown (LdWindow *self)
{
  AdwTabView *views[] = { self->tab_view, self->split_view };
  gboolean on_chat = g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "chat") == 0;

  for (guint v = 0; v < G_N_ELEMENTS (views); v++)
    for (int i = 0; i < adw_tab_view_get_n_pages (views[v]); i++)
      {
        AdwTabPage *tab = adw_tab_view_get_nth_page (views[v], i);

        ld_room_page_set_shown (LD_ROOM_PAGE (adw_tab_page_get_child (tab)),
                                on_chat && adw_tab_page_get_selected (tab) &&
                                (views[v] == self->tab_view || gtk_widget_get_visible (self->split_box)));
      }
}

/* The Chat view's badge, while another view is shown: what the rooms
 * missed meanwhile (on the Chat view, their tabs say it). */
static void
update_chat_badge (LdWindow *self)
{
  AdwTabView *views[] = { self->tab_view, self->split_view };
  guint unread = 0;
  gboolean mentioned = FALSE;

  for (guint v = 0; v < G_N_ELEMENTS (views); v++)
    for (int i = 0; i < adw_tab_view_get_n_pages (views[v]); i++)
      {
        LdRoomPage *page = LD_ROOM_PAGE (adw_tab_page_get_child (adw_tab_view_get_nth_page (views[v], i)));

        unread += ld_room_page_get_unread (page);
        mentioned = mentioned || ld_room_page_get_mentioned (page);
      }
  if (g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "chat") == 0)
    unread = 0, mentioned = FALSE;
  adw_view_stack_page_set_badge_number (self->chat_page, unread);
  adw_view_stack_page_set_needs_attention (self->chat_page, mentioned || unread > 0);
}

/* The tabs follow the session's rooms: one page per room (a banned one
 * keeps its chat), the current room's selected. */
static void
sync_tabs (LdWindow *self)
{
  g_autoptr(GPtrArray) rooms = self->session != NULL ? ld_session_list_rooms (self->session) : NULL;
  AdwTabView *views[] = { self->tab_view, self->split_view };
  LdRoom *current = self->session != NULL ? ld_session_get_current_room (self->session) : NULL;
  AdwTabView *view = NULL;
  AdwTabPage *tab;
  gboolean changed = FALSE;
  gboolean was_syncing = self->syncing;

  self->syncing = TRUE;
  for (guint v = 0; v < G_N_ELEMENTS (views); v++)
    for (int i = adw_tab_view_get_n_pages (views[v]) - 1; i >= 0; i--)
      {
        AdwTabPage *page = adw_tab_view_get_nth_page (views[v], i);
        LdRoomPage *room_page = LD_ROOM_PAGE (adw_tab_page_get_child (page));

        if (self->session == NULL ||
            ld_session_get_room (self->session, ld_room_page_get_room_id (room_page)) != ld_room_page_get_room (room_page))
          {
            adw_tab_view_close_page (views[v], page);
            changed = TRUE;
          }
      }

  /* The current room first, so that a new tab opens beside the others in
   * the order they were joined. */
  for (guint i = 0; rooms != NULL && i < rooms->len; i++)
    if (g_ptr_array_index (rooms, i) != current && find_tab (self, g_ptr_array_index (rooms, i), NULL) == NULL)
      {
        add_tab (self, g_ptr_array_index (rooms, i));
        changed = TRUE;
      }
  if (current != NULL && find_tab (self, current, NULL) == NULL)
    {
      add_tab (self, current);
      changed = TRUE;
    }

  if (current != NULL && (tab = find_tab (self, current, &view)) != NULL)
    {
      self->active_view = view;
      adw_tab_view_set_selected_page (view, tab);
    }
  gtk_widget_set_visible (self->split_box, adw_tab_view_get_n_pages (self->split_view) > 0);
  update_shown (self);
  update_chat_badge (self);
  self->syncing = was_syncing;
  if (changed)
    save_rooms (self);
}

/* The user picked a room (a tab, a key, a click into a split): the session
 * makes it current, which the header, viewers, gifts and overlay follow. */
static void
on_selected_page (LdWindow   *self,
                  GParamSpec *pspec,
                  AdwTabView *view)
{
  LdRoomPage *page = selected_page (view);

  update_shown (self);
  if (page == NULL || self->session == NULL || self->syncing)
    return;
  self->active_view = view;
  ld_room_page_make_current (page);
}

static void
on_view_focused (LdWindow                *self,
                 GtkEventControllerFocus *focus)
{
  AdwTabView *view = ADW_TAB_VIEW (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (focus)));
  LdRoomPage *page = selected_page (view);

  self->active_view = view;
  if (page != NULL && self->session != NULL)
    ld_room_page_make_current (page);
}

static AdwTabView *
active_view (LdWindow *self)
{
  if (self->active_view == self->split_view && adw_tab_view_get_n_pages (self->split_view) > 0)
    return self->split_view;
  return self->tab_view;
}

/* Closing a tab (Ctrl+W, its close button) leaves its room. */
static gboolean
on_close_page (LdWindow   *self,
               AdwTabPage *tab,
               AdwTabView *view)
{
  LdRoomPage *page = LD_ROOM_PAGE (adw_tab_page_get_child (tab));
  g_autoptr(LdRoom) room = g_object_ref (ld_room_page_get_room (page));
  g_autofree char *room_id = g_strdup (ld_room_page_get_room_id (page));
  gboolean was_syncing = self->syncing;
  LdRoomPage *next;

  self->syncing = TRUE;
  adw_tab_view_close_page_finish (view, tab, TRUE);
  if (self->session != NULL && ld_session_get_room (self->session, room_id) == room)
    ld_session_leave (self->session, room_id);
  gtk_widget_set_visible (self->split_box, adw_tab_view_get_n_pages (self->split_view) > 0);
  if (view == self->split_view && adw_tab_view_get_n_pages (self->split_view) == 0)
    self->active_view = self->tab_view;
  self->syncing = was_syncing;
  if (was_syncing)
    return GDK_EVENT_STOP;

  /* The room beside takes over as the current one. */
  if ((next = selected_page (active_view (self))) != NULL && self->session != NULL)
    ld_room_page_make_current (next);
  sync_tabs (self);
  update_chat_badge (self);
  update_header (self);
  save_rooms (self);
  return GDK_EVENT_STOP;
}

static void
on_current_room (LdWindow *self)
{
  if (self->syncing)
    return;
  sync_tabs (self);
  update_header (self);
}

static void
close_room_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  LdWindow *self = LD_WINDOW (widget);
  AdwTabView *view = active_view (self);
  AdwTabPage *tab = adw_tab_view_get_selected_page (view);

  if (tab != NULL)
    adw_tab_view_close_page (view, tab);
}

/* Ctrl+Tab and Ctrl+Shift+Tab go round the rooms of the view in use. */
static void
cycle_room_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  LdWindow *self = LD_WINDOW (widget);
  AdwTabView *view = active_view (self);
  int n = adw_tab_view_get_n_pages (view);
  AdwTabPage *tab = adw_tab_view_get_selected_page (view);
  int step = g_str_equal (action_name, "win.next-room") ? 1 : -1;

  if (n < 2 || tab == NULL)
    return;
  adw_tab_view_set_selected_page (view,
                                  adw_tab_view_get_nth_page (view, (adw_tab_view_get_page_position (view, tab) + step + n) % n));
}

/* Alt+1…8 pick that room, Alt+9 the last, as in GNOME's tabbed apps. */
static void
select_room_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  LdWindow *self = LD_WINDOW (widget);
  AdwTabView *view = active_view (self);
  int n = adw_tab_view_get_n_pages (view);
  int wanted = g_variant_get_int32 (parameter);

  if (n == 0 || wanted < 1)
    return;
  if (wanted == 9 || wanted > n)
    wanted = wanted == 9 ? n : 0;
  if (wanted > 0)
    adw_tab_view_set_selected_page (view, adw_tab_view_get_nth_page (view, wanted - 1));
}

/* Split: the selected room goes beside the others, to watch two at once;
 * again, and the rooms beside come back among the tabs. */
static void
split_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  LdWindow *self = LD_WINDOW (widget);
  AdwTabPage *tab;

  if (adw_tab_view_get_n_pages (self->split_view) > 0)
    {
      while (adw_tab_view_get_n_pages (self->split_view) > 0)
        adw_tab_view_transfer_page (self->split_view, adw_tab_view_get_nth_page (self->split_view, 0),
                                    self->tab_view, adw_tab_view_get_n_pages (self->tab_view));
      self->active_view = self->tab_view;
    }
  else if (adw_tab_view_get_n_pages (self->tab_view) < 2)
    {
      ld_window_add_toast (self, _("Join a second room to watch it beside this one"));
      return;
    }
  else if ((tab = adw_tab_view_get_selected_page (self->tab_view)) != NULL)
    {
      adw_tab_view_transfer_page (self->tab_view, tab, self->split_view, 0);
      self->active_view = self->split_view;
    }
  gtk_widget_set_visible (self->split_box, adw_tab_view_get_n_pages (self->split_view) > 0);
  update_shown (self);
  save_rooms (self);
}

static void
on_log_unban (LdRoomPage          *page,
              const char          *user_id,
              const char          *username,
              LdModerationLogView *view)
{
  ld_room_page_moderate (page, LD_MODERATION_UNBAN, user_id, username, 0);
}

/* The current room's log, in a window of its own; its Unban acts in that
 * room, whichever is current by then. */
static void
moderation_log_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  LdWindow *self = LD_WINDOW (widget);
  LdRoom *room = self->session != NULL ? ld_session_get_current_room (self->session) : NULL;
  AdwTabPage *tab = room != NULL ? find_tab (self, room, NULL) : NULL;
  g_autofree char *title = NULL;
  GtkWidget *window;
  GtkWidget *box;
  GtkWidget *view;

  if (tab == NULL)
    {
      ld_window_add_toast (self, _("Join a room to see its moderation log"));
      return;
    }

  /* Translators: the moderation log's window title; %s is a room id. */
  title = g_strdup_printf (_("Moderation Log — %s"), ld_room_get_id (room));
  window = adw_window_new ();
  gtk_window_set_title (GTK_WINDOW (window), title);
  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (self));
  gtk_window_set_default_size (GTK_WINDOW (window), 520, 560);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  view = ld_moderation_log_view_new ();
  gtk_widget_set_vexpand (view, TRUE);
  ld_moderation_log_view_set_log (LD_MODERATION_LOG_VIEW (view), ld_room_get_moderation_log (room));
  ld_moderation_log_view_set_can_moderate (LD_MODERATION_LOG_VIEW (view), ld_room_can_moderate (room));
  g_signal_connect_object (view, "unban", G_CALLBACK (on_log_unban), adw_tab_page_get_child (tab), G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), view);
  adw_window_set_content (ADW_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
}

static void
on_joined (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(LdWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!ld_session_join_room_finish (LD_SESSION (object), result, &error))
    {
      g_autofree char *text = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("Could not join the room: %s"), error->message);
      ld_window_add_toast (self, text);
      return;
    }

  if (self->settings != NULL)
    {
      LdRoom *room = ld_session_get_current_room (LD_SESSION (object));

      ld_settings_set_last_room (self->settings, room != NULL && !ld_room_get_banned (room) ? ld_room_get_id (room)
                                                                                             : NULL);
    }
  sync_tabs (self);
  save_rooms (self);
  update_header (self);
}

static void
on_join_response (AdwMessageDialog *dialog,
                  const char       *response,
                  LdWindow         *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));

  if (g_strcmp0 (response, "join") == 0)
    ld_window_join_room (self, gtk_editable_get_text (entry));
}

static void
on_join_entry_changed (GtkEditable      *entry,
                       AdwMessageDialog *dialog)
{
  const char *text = gtk_editable_get_text (entry);
  gboolean ok = *text != '\0' && strlen (text) <= 50;

  for (const char *p = text; *p != '\0' && ok; p++)
    ok = g_ascii_isalnum (*p) || *p == '_';
  adw_message_dialog_set_response_enabled (dialog, "join", ok);
}

static void
join_room_dialog_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  LdWindow *self = LD_WINDOW (widget);
  GtkWidget *dialog;
  GtkWidget *entry;
  LdRoom *room = self->session != NULL ? ld_session_get_current_room (self->session) : NULL;
  const char *current = room != NULL && !ld_room_get_banned (room) ? ld_room_get_id (room) : NULL;

  if (self->session == NULL)
    return;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Join a Room"),
                                   _("Room ids are letters, digits and underscores."));
  entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (entry),
                         current != NULL || self->settings == NULL ? "" : ld_settings_get_last_room (self->settings));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Room id"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "join", _("_Join"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "join", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "join");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (entry, "changed", G_CALLBACK (on_join_entry_changed), dialog);
  on_join_entry_changed (GTK_EDITABLE (entry), ADW_MESSAGE_DIALOG (dialog));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_join_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
unparent_card (gpointer data)
{
  GtkWidget *card = data;

  if (gtk_widget_get_parent (card) != NULL)
    gtk_widget_unparent (card);
  g_object_unref (card);
  return G_SOURCE_REMOVE;
}

static void
on_card_closed (GtkPopover *card)
{
  /* Not from its own signal handler. */
  g_idle_add (unparent_card, g_object_ref (card));
}

/* A user card hangs off the chat view or viewer list it was opened from
 * until an idle after it closes; the window put it there, so the window
 * takes one still there away before those go. */
static void
drop_user_cards (GtkWidget *source)
{
  GtkWidget *child = source != NULL ? gtk_widget_get_first_child (source) : NULL;

  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      if (LD_IS_USER_CARD (child))
        gtk_widget_unparent (child);
      child = next;
    }
}

/* The user's sanctions in the room the card was opened in (the current
 * one, from the viewers), and what they wrote in the others. */
static void
add_card_rooms (LdWindow   *self,
                LdUserCard *card,
                const char *user_id,
                GtkWidget  *source)
{
  GtkWidget *page = gtk_widget_get_ancestor (source, LD_TYPE_ROOM_PAGE);
  LdRoom *current = page != NULL ? ld_room_page_get_room (LD_ROOM_PAGE (page))
                    : self->session != NULL ? ld_session_get_current_room (self->session) : NULL;
  g_autoptr(GPtrArray) rooms = NULL;
  g_autoptr(GPtrArray) sanctions = NULL;

  if (current == NULL)
    return;
  sanctions = ld_moderation_log_lookup_user (ld_room_get_moderation_log (current), user_id);
  ld_user_card_set_sanctions (card, sanctions, ld_room_can_moderate (current));
  rooms = ld_session_list_rooms (self->session);
  for (guint i = 0; i < rooms->len; i++)
    {
      LdRoom *room = g_ptr_array_index (rooms, i);

      if (room != current)
        ld_user_card_add_room_messages (card, ld_room_get_title (room) != NULL ? ld_room_get_title (room)
                                                                               : ld_room_get_id (room),
                                        ld_chat_model_get_timeline (ld_room_get_chat (room)));
    }
}

static void
on_user_activated (LdWindow   *self,
                   const char *user_id,
                   const char *username,
                   int         role,
                   GtkWidget  *anchor,
                   GtkWidget  *source)
{
  GtkWidget *card;
  GtkWidget *page = gtk_widget_get_ancestor (source, LD_TYPE_ROOM_PAGE);
  LdRoom *room = page != NULL ? ld_room_page_get_room (LD_ROOM_PAGE (page))
                 : self->session != NULL ? ld_session_get_current_room (self->session) : NULL;
  graphene_rect_t bounds;
  g_autofree char *refusal = NULL;

  /* The card lists the user's messages in the chat it was opened from. */
  card = ld_user_card_new (user_id, username, (LdRole) role,
                           LD_IS_CHAT_VIEW (source) ? G_LIST_MODEL (ld_chat_view_get_model (LD_CHAT_VIEW (source)))
                           : room != NULL ? G_LIST_MODEL (ld_room_get_chat (room)) : NULL,
                           room != NULL && ld_room_can_moderate (room),
                           g_hash_table_contains (self->hidden_users, user_id));
  if (room != NULL && !ld_room_can_sanction (room, (LdRole) role, &refusal))
    ld_user_card_set_refusal (LD_USER_CARD (card), refusal);
  if (self->settings != NULL)
    g_object_bind_property (self->settings, "streamer-mode", card, "streamer-mode", G_BINDING_SYNC_CREATE);
  add_card_rooms (self, LD_USER_CARD (card), user_id, source);
  ld_user_card_set_highlighted (LD_USER_CARD (card), g_hash_table_contains (self->highlighted_users, user_id));
  gtk_widget_set_parent (card, source);
  if (anchor != NULL && gtk_widget_compute_bounds (anchor, source, &bounds))
    gtk_popover_set_pointing_to (GTK_POPOVER (card), &(GdkRectangle) {
                                   (int) bounds.origin.x, (int) bounds.origin.y,
                                   MAX (1, (int) bounds.size.width), MAX (1, (int) bounds.size.height) });
  g_signal_connect (card, "closed", G_CALLBACK (on_card_closed), NULL);
  gtk_popover_popup (GTK_POPOVER (card));
}

/* The user card's sanctions, in the current room (the card names no room). */
static void
moderate_user_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LdWindow *self = LD_WINDOW (widget);
  const char *what;
  const char *user_id;
  guint seconds;
  LdModeration action;
  LdRoom *room = self->session != NULL ? ld_session_get_current_room (self->session) : NULL;
  AdwTabPage *tab = room != NULL ? find_tab (self, room, NULL) : NULL;

  g_variant_get (parameter, "(&s&su)", &what, &user_id, &seconds);
  if (tab == NULL)
    return;
  action = g_str_equal (what, "ban") ? LD_MODERATION_BAN
           : g_str_equal (what, "unban") ? LD_MODERATION_UNBAN : LD_MODERATION_TIMEOUT;
  ld_room_page_moderate (LD_ROOM_PAGE (adw_tab_page_get_child (tab)), action, user_id, NULL, seconds);
}

/* Hidden and highlighted users are so in every room's chat, and kept
 * across restarts. */
static void
mark_user (LdWindow   *self,
           gboolean    highlight,
           const char *user_id,
           gboolean    on)
{
  GHashTable *users = highlight ? self->highlighted_users : self->hidden_users;
  AdwTabView *views[] = { self->tab_view, self->split_view };

  if (on)
    g_hash_table_add (users, g_strdup (user_id));
  else
    g_hash_table_remove (users, user_id);
  for (guint v = 0; v < G_N_ELEMENTS (views); v++)
    for (int i = 0; i < adw_tab_view_get_n_pages (views[v]); i++)
      {
        LdRoomPage *page = LD_ROOM_PAGE (adw_tab_page_get_child (adw_tab_view_get_nth_page (views[v], i)));

        if (highlight)
          ld_chat_view_set_user_highlighted (ld_room_page_get_chat_view (page), user_id, on);
        else
          ld_chat_view_set_user_hidden (ld_room_page_get_chat_view (page), user_id, on);
      }
}

/* The users the settings list now: those no longer listed are shown as
 * anyone again (the key changed elsewhere). */
static void
load_users (LdWindow           *self,
            gboolean            highlight,
            const char * const *listed)
{
  GHashTable *users = highlight ? self->highlighted_users : self->hidden_users;
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer user_id;

  g_hash_table_iter_init (&iter, users);
  while (g_hash_table_iter_next (&iter, &user_id, NULL))
    if (listed == NULL || !g_strv_contains (listed, user_id))
      g_ptr_array_add (gone, g_strdup (user_id));
  for (guint i = 0; i < gone->len; i++)
    mark_user (self, highlight, g_ptr_array_index (gone, i), FALSE);
  for (guint i = 0; listed != NULL && listed[i] != NULL; i++)
    if (!g_hash_table_contains (users, listed[i]))
      mark_user (self, highlight, listed[i], TRUE);
}

static void
toggle_hidden_user_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  LdWindow *self = LD_WINDOW (widget);
  const char *user_id = g_variant_get_string (parameter, NULL);
  gboolean hidden = !g_hash_table_contains (self->hidden_users, user_id);

  mark_user (self, FALSE, user_id, hidden);
  if (self->settings != NULL)
    ld_settings_set_user_listed (self->settings, "hidden-users", user_id, hidden);
}

static void
toggle_highlighted_user_action (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  LdWindow *self = LD_WINDOW (widget);
  const char *user_id = g_variant_get_string (parameter, NULL);
  gboolean highlighted = !g_hash_table_contains (self->highlighted_users, user_id);

  mark_user (self, TRUE, user_id, highlighted);
  if (self->settings != NULL)
    ld_settings_set_user_listed (self->settings, "highlighted-users", user_id, highlighted);
}

static void
join_room_id_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ld_window_join_room (LD_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LdWindow *self = LD_WINDOW (widget);

  LdChatView *view = ld_window_get_chat_view (self);

  adw_view_stack_set_visible_child_name (self->view_stack, "chat");
  if (view != NULL)
    gtk_widget_activate_action (GTK_WIDGET (view), "chat.search", NULL);
}

static void
show_view_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  LdWindow *self = LD_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);
  const char *room_id;

  /* "chat:ROOM_ID" (a notification about that room): its tab, on the chat. */
  if (g_str_has_prefix (name, "chat:"))
    {
      AdwTabView *view = NULL;
      LdRoom *room;
      AdwTabPage *tab;

      room_id = name + strlen ("chat:");
      room = self->session != NULL ? ld_session_get_room (self->session, room_id) : NULL;
      if (room != NULL && (tab = find_tab (self, room, &view)) != NULL)
        {
          self->active_view = view;
          adw_tab_view_set_selected_page (view, tab);
        }
      name = "chat";
    }
  if (adw_view_stack_get_child_by_name (self->view_stack, name) != NULL)
    adw_view_stack_set_visible_child_name (self->view_stack, name);
}

/* The gift queue's controls from outside the window (app.gifts, so
 * `gapplication action` reaches them): pause, resume, toggle-pause, skip,
 * replay or send. */
static void
gifts_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  LdWindow *self = LD_WINDOW (widget);
  g_autofree char *name = g_strconcat ("gifts.", g_variant_get_string (parameter, NULL), NULL);

  if (!gtk_widget_activate_action (GTK_WIDGET (self->gifts_view), name, NULL))
    g_message ("No gift queue action named %s", g_variant_get_string (parameter, NULL));
}

static void
apply_page_settings (LdWindow   *self,
                     LdRoomPage *page)
{
  LdChatView *view = ld_room_page_get_chat_view (page);
  LdChatModel *chat = ld_room_get_chat (ld_room_page_get_room (page));
  GHashTableIter iter;
  gpointer user_id;

  g_hash_table_iter_init (&iter, self->hidden_users);
  while (g_hash_table_iter_next (&iter, &user_id, NULL))
    ld_chat_view_set_user_hidden (view, user_id, TRUE);
  g_hash_table_iter_init (&iter, self->highlighted_users);
  while (g_hash_table_iter_next (&iter, &user_id, NULL))
    ld_chat_view_set_user_highlighted (view, user_id, TRUE);
  if (self->settings == NULL)
    return;
  ld_chat_view_set_clock_12h (view, ld_settings_get_clock_12h (self->settings));
  ld_chat_view_set_highlight_words (view, ld_settings_get_highlight_words (self->settings));
  if (ld_chat_model_get_capacity (chat) != ld_settings_get_history_size (self->settings))
    ld_chat_model_set_capacity (chat, ld_settings_get_history_size (self->settings));
}

static void
apply_settings (LdWindow *self)
{
  g_autofree char *css = NULL;
  char scale[G_ASCII_DTOSTR_BUF_SIZE];
  AdwTabView *views[] = { self->tab_view, self->split_view };

  load_users (self, FALSE, ld_settings_get_hidden_users (self->settings));
  load_users (self, TRUE, ld_settings_get_highlighted_users (self->settings));
  for (guint v = 0; v < G_N_ELEMENTS (views); v++)
    for (int i = 0; i < adw_tab_view_get_n_pages (views[v]); i++)
      apply_page_settings (self, LD_ROOM_PAGE (adw_tab_page_get_child (adw_tab_view_get_nth_page (views[v], i))));
  ld_notifications_view_set_clock_12h (self->notifications_view, ld_settings_get_clock_12h (self->settings));

  g_ascii_formatd (scale, sizeof scale, "%.0f", ld_settings_get_font_scale (self->settings) * 100);
  css = g_strdup_printf ("listview.chat { font-size: %s%%; }", scale);
  gtk_css_provider_load_from_data (self->font_provider, css, -1);

  if (self->session != NULL)
    {
      ld_session_set_reconnect_attempts (self->session, ld_settings_get_reconnect_attempts (self->settings));
    }
}

static void
on_settings_changed (LdWindow   *self,
                     GParamSpec *pspec,
                     LdSettings *settings)
{
  if (g_str_equal (pspec->name, "clock-format") || g_str_equal (pspec->name, "font-scale") ||
      g_str_equal (pspec->name, "highlight-words") || g_str_equal (pspec->name, "hidden-users") ||
      g_str_equal (pspec->name, "highlighted-users") ||
      g_str_equal (pspec->name, "history-size") || g_str_equal (pspec->name, "reconnect-attempts"))
    apply_settings (self);
  if (g_str_equal (pspec->name, "streamer-mode"))
    update_header (self);
}

static void
ld_window_constructed (GObject *object)
{
  LdWindow *self = LD_WINDOW (object);

  G_OBJECT_CLASS (ld_window_parent_class)->constructed (object);

  self->notifier = ld_desktop_notifier_new (GTK_WINDOW (self), self->view_stack, self->settings);
  ld_desktop_notifier_set_session (self->notifier, self->session);

  ld_gifts_view_set_settings (self->gifts_view, self->settings);
  if (self->settings != NULL)
    {
      g_settings_bind (ld_settings_get_settings (self->settings), "window-width", self, "default-width",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (ld_settings_get_settings (self->settings), "window-height", self, "default-height",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (ld_settings_get_settings (self->settings), "window-maximized", self, "maximized",
                       G_SETTINGS_BIND_DEFAULT);
      g_signal_connect_object (self->settings, "notify", G_CALLBACK (on_settings_changed), self, G_CONNECT_SWAPPED);
      g_object_bind_property (self->settings, "streamer-mode", self->streamer_mode_button, "visible",
                              G_BINDING_SYNC_CREATE);
      apply_settings (self);
    }
  update_header (self);
}

static void
ld_window_dispose (GObject *object)
{
  LdWindow *self = LD_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  ld_window_set_session (self, NULL);
  g_clear_object (&self->notifier);
  if (self->font_provider != NULL)
    {
      gtk_style_context_remove_provider_for_display (gtk_widget_get_display (GTK_WIDGET (self)),
                                                     GTK_STYLE_PROVIDER (self->font_provider));
      g_clear_object (&self->font_provider);
    }
  drop_user_cards (GTK_WIDGET (self->viewer_list));
  gtk_widget_dispose_template (GTK_WIDGET (self), LD_TYPE_WINDOW);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->hidden_users, g_hash_table_unref);
  g_clear_pointer (&self->highlighted_users, g_hash_table_unref);

  G_OBJECT_CLASS (ld_window_parent_class)->dispose (object);
}

static void
ld_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  LdWindow *self = LD_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS: g_value_set_object (value, self->settings); break;
    case PROP_SESSION: g_value_set_object (value, self->session); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  LdWindow *self = LD_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS: self->settings = g_value_dup_object (value); break;
    case PROP_SESSION: ld_window_set_session (self, g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ld_window_class_init (LdWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ld_window_constructed;
  object_class->dispose = ld_window_dispose;
  object_class->get_property = ld_window_get_property;
  object_class->set_property = ld_window_set_property;

  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, LD_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, LD_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LD_TYPE_ROOM_PAGE);
  g_type_ensure (LD_TYPE_VIEWER_LIST);
  g_type_ensure (LD_TYPE_GIFTS_VIEW);
  g_type_ensure (LD_TYPE_DASHBOARD_VIEW);
  g_type_ensure (LD_TYPE_NOTIFICATIONS_VIEW);
  g_type_ensure (LD_TYPE_SUPPORT_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/livedesk/Livedesk/ui/ld-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LdWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, connection_icon);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, connection_icon_only);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, connection_label);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, connection_box);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, room_box);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, live_label);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, viewer_count_label);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, chat_stack);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, chat_page);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, gifts_page);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, support_page);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, notifications_page);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, tab_bar);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, split_bar);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, tab_view);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, split_view);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, split_box);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, viewer_list);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, gifts_view);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, dashboard_view);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, notifications_view);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, support_view);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, account_section);
  gtk_widget_class_bind_template_child (widget_class, LdWindow, streamer_mode_button);

  gtk_widget_class_install_action (widget_class, "win.join-room", NULL, join_room_dialog_action);
  gtk_widget_class_install_action (widget_class, "win.reconnect", NULL, reconnect_action);
  gtk_widget_class_install_action (widget_class, "win.join-room-id", "s", join_room_id_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.show-view", "s", show_view_action);
  gtk_widget_class_install_action (widget_class, "win.gifts", "s", gifts_action);
  gtk_widget_class_install_action (widget_class, "win.moderate-user", "(ssu)", moderate_user_action);
  gtk_widget_class_install_action (widget_class, "win.moderation-log", NULL, moderation_log_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-hidden-user", "s", toggle_hidden_user_action);
  gtk_widget_class_install_action (widget_class, "win.toggle-highlighted-user", "s", toggle_highlighted_user_action);
  gtk_widget_class_install_action (widget_class, "win.close-room", NULL, close_room_action);
  gtk_widget_class_install_action (widget_class, "win.next-room", NULL, cycle_room_action);
  gtk_widget_class_install_action (widget_class, "win.previous-room", NULL, cycle_room_action);
  gtk_widget_class_install_action (widget_class, "win.select-room", "i", select_room_action);
  gtk_widget_class_install_action (widget_class, "win.split", NULL, split_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_j, GDK_CONTROL_MASK, "win.join-room", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.reconnect", NULL);
  /* Alt+1…9 pick rooms (as tabs do in GNOME apps); the views moved to Ctrl. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_CONTROL_MASK, "win.show-view", "s", "chat");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_CONTROL_MASK, "win.show-view", "s", "viewers");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_CONTROL_MASK, "win.show-view", "s", "gifts");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_CONTROL_MASK, "win.show-view", "s", "support");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_5, GDK_CONTROL_MASK, "win.show-view", "s",
                                       "notifications");
}

/* The rooms' keys are caught before the focused widget sees them: Ctrl+Tab
 * would otherwise move the focus, Ctrl+W reach the composer. */
static void
add_room_shortcuts (LdWindow *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();
  static const struct { guint key; GdkModifierType mods; const char *action; } keys[] = {
    { GDK_KEY_t, GDK_CONTROL_MASK, "win.join-room" },
    { GDK_KEY_w, GDK_CONTROL_MASK, "win.close-room" },
    { GDK_KEY_Tab, GDK_CONTROL_MASK, "win.next-room" },
    { GDK_KEY_ISO_Left_Tab, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.previous-room" },
    { GDK_KEY_Tab, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.previous-room" },
    { GDK_KEY_Page_Down, GDK_CONTROL_MASK, "win.next-room" },
    { GDK_KEY_Page_Up, GDK_CONTROL_MASK, "win.previous-room" },
  };

  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (keys[i].key, keys[i].mods),
                                                            gtk_named_action_new (keys[i].action)));
  for (int n = 1; n <= 9; n++)
    {
      GtkShortcut *shortcut = gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_0 + n, GDK_ALT_MASK),
                                                gtk_named_action_new ("win.select-room"));

      gtk_shortcut_set_arguments (shortcut, g_variant_new_int32 (n));
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
    }
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

static void
ld_window_init (LdWindow *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  g_object_bind_property (self->connection_icon, "icon-name", self->connection_icon_only, "icon-name",
                          G_BINDING_SYNC_CREATE);

  self->font_provider = gtk_css_provider_new ();
  gtk_style_context_add_provider_for_display (gtk_widget_get_display (GTK_WIDGET (self)),
                                              GTK_STYLE_PROVIDER (self->font_provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION + 1);

  if (g_str_has_suffix (APP_ID, ".Devel"))
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  self->hidden_users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->highlighted_users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->active_view = self->tab_view;
  add_room_shortcuts (self);
  for (guint v = 0; v < 2; v++)
    {
      AdwTabView *view = v == 0 ? self->tab_view : self->split_view;
      GtkEventController *focus = gtk_event_controller_focus_new ();

      /* The window's own keys stand for the tabs' (one set for two views). */
      adw_tab_view_set_shortcuts (view, ADW_TAB_VIEW_SHORTCUT_NONE);
      g_signal_connect_object (view, "notify::selected-page", G_CALLBACK (on_selected_page), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (view, "close-page", G_CALLBACK (on_close_page), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (view, "page-attached", G_CALLBACK (on_page_attached), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (focus, "enter", G_CALLBACK (on_view_focused), self, G_CONNECT_SWAPPED);
      gtk_widget_add_controller (GTK_WIDGET (view), focus);
    }
  g_signal_connect_object (self->viewer_list, "user-activated", G_CALLBACK (on_user_activated), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view_stack, "notify::visible-child", G_CALLBACK (on_visible_child_changed), self,
                           G_CONNECT_SWAPPED);
}

LdWindow *
ld_window_new (GtkApplication *application,
               LdSettings     *settings)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);

  return g_object_new (LD_TYPE_WINDOW, "application", application, "settings", settings, NULL);
}

LdSession *
ld_window_get_session (LdWindow *self)
{
  g_return_val_if_fail (LD_IS_WINDOW (self), NULL);
  return self->session;
}

/* The shown room (the session's current one, the selected tab): its
 * viewers and gifts in their views; each room's chat is in its tab. */
static void
bind_room (LdWindow *self)
{
  LdRoom *room = self->session != NULL ? ld_session_get_current_room (self->session) : NULL;
  LdGiftQueue *gifts = room != NULL ? ld_room_get_gifts (room) : NULL;

  if (self->bound_room != room)
    {
      if (self->bound_room != NULL)
        g_signal_handlers_disconnect_by_func (self->bound_room, update_header, self);
      g_set_object (&self->bound_room, room);
      if (room != NULL)
        g_signal_connect_object (room, "notify", G_CALLBACK (update_header), self, G_CONNECT_SWAPPED);
      update_header (self);
    }

  if (self->bound_gifts != gifts)
    {
      if (self->bound_gifts != NULL)
        g_signal_handlers_disconnect_by_data (self->bound_gifts, self);
      g_set_object (&self->bound_gifts, gifts);
      if (gifts != NULL)
        g_signal_connect_object (gifts, "notify::current", G_CALLBACK (on_gift_started), self, G_CONNECT_SWAPPED);
    }
  ld_viewer_list_set_model (self->viewer_list, room != NULL ? ld_room_get_viewers (room) : NULL);
}

/* Streamers land on their dashboard once the server says who they are. */
static void
land_on_dashboard (LdWindow *self)
{
  if (ld_session_get_role (self->session) == LD_ROLE_STREAMER)
    adw_view_stack_set_visible_child_name (self->view_stack, "dashboard");
}

void
ld_window_set_session (LdWindow  *self,
                       LdSession *session)
{
  g_return_if_fail (LD_IS_WINDOW (self));
  g_return_if_fail (session == NULL || LD_IS_SESSION (session));

  if (self->session == session)
    return;

  if (self->session != NULL)
    {
      g_clear_signal_handler (&self->notify_handler, self->session);
      g_signal_handlers_disconnect_by_data (self->session, self);
      g_signal_handlers_disconnect_by_data (ld_session_get_notifications (self->session), self);
      g_signal_handlers_disconnect_by_data (ld_support_get_tickets (ld_session_get_support (self->session)), self);
      g_clear_object (&self->session);
    }

  if (session != NULL)
    {
      self->session = g_object_ref (session);
      self->notify_handler = g_signal_connect_object (session, "notify", G_CALLBACK (on_session_notify), self,
                                                      G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::current-room", G_CALLBACK (bind_room), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::role", G_CALLBACK (land_on_dashboard), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (session, "notify::current-room", G_CALLBACK (on_current_room), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (ld_session_get_notifications (session), "notify::unread-count",
                               G_CALLBACK (update_badges), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (ld_support_get_tickets (ld_session_get_support (session)), "notify::n-unread",
                               G_CALLBACK (update_badges), self, G_CONNECT_SWAPPED);
    }
  if (self->settings != NULL)
    apply_settings (self);

  self->unseen_gifts = 0;
  update_badges (self);
  bind_room (self);
  /* Another session's rooms replace these; that is no choice to remember. */
  self->quiet = TRUE;
  sync_tabs (self);
  self->quiet = FALSE;
  ld_gifts_view_set_session (self->gifts_view, session);
  ld_dashboard_view_set_session (self->dashboard_view, session);
  if (session != NULL)
    land_on_dashboard (self);
  ld_notifications_view_set_model (self->notifications_view, session ? ld_session_get_notifications (session) : NULL);
  if (self->notifier != NULL)
    ld_desktop_notifier_set_session (self->notifier, session);
  ld_support_view_set_session (self->support_view, session);
  update_header (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

void
ld_window_join_room (LdWindow   *self,
                     const char *room_id)
{
  g_return_if_fail (LD_IS_WINDOW (self));
  g_return_if_fail (room_id != NULL);

  if (self->session == NULL)
    return;

  /* The rooms already open stay open, each in its tab. */
  ld_session_join_room_async (self->session, room_id, self->cancellable, on_joined, g_object_ref (self));
}

void
ld_window_add_toast (LdWindow   *self,
                     const char *message)
{
  AdwToast *toast;
  g_autofree char *title = NULL;

  g_return_if_fail (LD_IS_WINDOW (self));

  /* AdwToast's title is Pango markup, and messages carry user names. */
  title = g_markup_escape_text (message, -1);
  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
ld_window_restore_rooms (LdWindow *self)
{
  g_auto(GStrv) rooms = NULL;
  const char *last;

  g_return_if_fail (LD_IS_WINDOW (self));

  if (self->session == NULL || self->settings == NULL)
    return;

  rooms = ld_settings_dup_open_rooms (self->settings);
  last = ld_settings_get_last_room (self->settings);
  for (guint i = 0; rooms != NULL && rooms[i] != NULL; i++)
    if (g_strcmp0 (rooms[i], last) != 0)
      ld_window_join_room (self, rooms[i]);
  /* The room shown last is joined last: the current one again (alone,
   * from a version that kept one room). */
  if (last != NULL && *last != '\0' &&
      (rooms == NULL || rooms[0] == NULL || g_strv_contains ((const char * const *) rooms, last)))
    ld_window_join_room (self, last);
}

LdRoomPage *
ld_window_get_room_page (LdWindow   *self,
                         const char *room_id)
{
  LdRoom *room;
  AdwTabPage *tab;

  g_return_val_if_fail (LD_IS_WINDOW (self), NULL);

  if (room_id == NULL)
    room = self->session != NULL ? ld_session_get_current_room (self->session) : NULL;
  else
    room = self->session != NULL ? ld_session_get_room (self->session, room_id) : NULL;
  tab = room != NULL ? find_tab (self, room, NULL) : NULL;
  if (tab == NULL && room_id == NULL)
    tab = adw_tab_view_get_selected_page (active_view (self));
  return tab != NULL ? LD_ROOM_PAGE (adw_tab_page_get_child (tab)) : NULL;
}

AdwTabPage *
ld_window_get_room_tab (LdWindow   *self,
                        const char *room_id)
{
  LdRoomPage *page;
  AdwTabView *view = NULL;

  g_return_val_if_fail (LD_IS_WINDOW (self), NULL);
  g_return_val_if_fail (room_id != NULL, NULL);

  page = ld_window_get_room_page (self, room_id);
  return page != NULL ? find_tab (self, ld_room_page_get_room (page), &view) : NULL;
}

AdwTabView *
ld_window_get_tab_view (LdWindow *self,
                        gboolean  split)
{
  g_return_val_if_fail (LD_IS_WINDOW (self), NULL);
  return split ? self->split_view : self->tab_view;
}

LdChatView *
ld_window_get_chat_view (LdWindow *self)
{
  LdRoomPage *page;

  g_return_val_if_fail (LD_IS_WINDOW (self), NULL);

  page = ld_window_get_room_page (self, NULL);
  return page != NULL ? ld_room_page_get_chat_view (page) : NULL;
}

LdViewerList *
ld_window_get_viewer_list (LdWindow *self)
{
  g_return_val_if_fail (LD_IS_WINDOW (self), NULL);
  return self->viewer_list;
}

const char *
ld_window_get_connection_text (LdWindow *self)
{
  g_return_val_if_fail (LD_IS_WINDOW (self), NULL);
  return gtk_label_get_text (self->connection_label);
}

const char *
ld_window_get_viewer_count_text (LdWindow *self)
{
  g_return_val_if_fail (LD_IS_WINDOW (self), NULL);
  return gtk_label_get_text (self->viewer_count_label);
}
