/* ld-overlay.h: the OBS overlay, a local-only HTTP server with three pages
 * for OBS browser sources (chat, gift alerts and figures, transparent
 * backgrounds), fed live with server-sent events. Their look comes from
 * query parameters that the pages check themselves (overlay.js), so one
 * server serves every style.
 *
 * It listens on 127.0.0.1 only, and every URL starts with a random secret
 * path segment (128 bits from getrandom(2)), so other users of the machine
 * cannot read the chat through it; anything else is 404.
 *
 *   g_autoptr(LdOverlay) overlay = ld_overlay_new (0);
 *   ld_overlay_set_session (overlay, session);
 *   if (!ld_overlay_start (overlay, &error))
 *     show (error->message);
 *   copy (ld_overlay_get_chat_url (overlay));
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ld-gift.h"
#include "ld-message.h"
#include "ld-session.h"

G_BEGIN_DECLS

/* How many chat messages the chat page keeps, and a page that connects
 * (OBS reloads its sources) gets first. */
#define LD_OVERLAY_CHAT_BACKLOG 30
#define LD_OVERLAY_KEEP_ALIVE_S 15

#define LD_OVERLAY_ERROR (ld_overlay_error_quark ())
GQuark ld_overlay_error_quark (void);

typedef enum
{
  LD_OVERLAY_ERROR_PORT_IN_USE,
  LD_OVERLAY_ERROR_FAILED,
} LdOverlayError;

#define LD_TYPE_OVERLAY (ld_overlay_get_type ())

G_DECLARE_FINAL_TYPE (LdOverlay, ld_overlay, LD, OVERLAY, GObject)

/* PORT: where to listen once started, 0 for a free port. */
LdOverlay  *ld_overlay_new                (guint        port);
/* The port asked for, or once started with 0, the port in use. */
guint       ld_overlay_get_port           (LdOverlay   *self);
/* Takes effect on the next start. */
void        ld_overlay_set_port           (LdOverlay   *self,
                                           guint        port);
/* FALSE with LD_OVERLAY_ERROR_PORT_IN_USE when another program has the port. */
gboolean    ld_overlay_start              (LdOverlay   *self,
                                           GError     **error);
/* Closes every page's feed and stops listening. */
void        ld_overlay_stop               (LdOverlay   *self);
gboolean    ld_overlay_get_running        (LdOverlay   *self);
/* "http://127.0.0.1:PORT/SECRET/chat" (and /gifts, /stats); NULL while
 * stopped. The pages take their style from query parameters (overlay.js).
 * Valid until the port or the secret changes (notify::chat-url). */
const char *ld_overlay_get_chat_url       (LdOverlay   *self);
const char *ld_overlay_get_gifts_url      (LdOverlay   *self);
/* The figures page: viewers, top gifter, gift goal. */
const char *ld_overlay_get_stats_url      (LdOverlay   *self);
/* How many pages (OBS sources, browsers) have the live feed open now. */
guint       ld_overlay_get_n_pages        (LdOverlay   *self);
/* The old URLs stop working at once and their open pages are cut off. */
void        ld_overlay_regenerate_secret  (LdOverlay   *self);
/* The secret path segment: 32 lowercase hex digits. Kept by the app so the
 * URLs pasted into OBS survive a restart. */
const char *ld_overlay_get_secret         (LdOverlay   *self);
/* FALSE, changing nothing, unless SECRET is 32 lowercase hex digits; a new
 * secret cuts off the open pages like ld_overlay_regenerate_secret(). */
gboolean    ld_overlay_set_secret         (LdOverlay   *self,
                                           const char  *secret);
/* Feeds the pages from SESSION's chat and gift queue (NULL to stop). */
void        ld_overlay_set_session        (LdOverlay   *self,
                                           LdSession   *session);
/* Shows MESSAGE in the chat page, as if the session had received it. */
void        ld_overlay_push_chat          (LdOverlay   *self,
                                           LdMessage   *message);
/* Shows GIFT as the gift page's alert (for its duration), as if the
 * session's gift queue had started it. */
void        ld_overlay_push_gift          (LdOverlay   *self,
                                           LdGift      *gift);
/* The viewer count the figures page shows (the session's, once set). */
void        ld_overlay_set_viewers        (LdOverlay   *self,
                                           guint        viewers);
/* Counts GIFT (one send: value × quantity, by its sender) in the figures
 * page's top gifter and gift total, as the session's gift queue does with
 * each gift it receives (::gift-received), whether or not it gets an alert. */
void        ld_overlay_count_gift         (LdOverlay   *self,
                                           LdGift      *gift);
/* The pages' texts, translated by the app: served as SECRET/strings.json.
 * Keys the pages read: alertTemplate ("{sender} sent {quantity} × {gift}"),
 * to ("to {receiver}"), viewers, topGifter, noGifts, goal, roleStreamer,
 * roleAdmin, roleModerator, lang (the language code). */
void        ld_overlay_set_strings        (LdOverlay   *self,
                                           JsonObject  *strings);
/* Serves BYTES as SECRET/NAME (e.g. "sounds/gift-small.oga"). */
void        ld_overlay_add_file           (LdOverlay   *self,
                                           const char  *name,
                                           GBytes      *bytes,
                                           const char  *content_type);

G_END_DECLS
