/* ld-send-gift-dialog.h: a viewer sends a gift to someone in the room: a
 * gift from the catalogue, the receiver (the streamer first), a quantity of
 * 1–100 and an optional message of at most 200 characters, checked with the
 * core's rules as they type. The session sends it; a refusal shows in the
 * dialog with everything typed kept.
 *
 * The catalogue is resources/gifts/catalogue.json, unless the user has
 * ~/.config/livedesk/gifts.json (g_get_user_config_dir ()) in the same form:
 *
 *   { "gifts": [ { "id": "rose", "name": "Rose", "type": "flower",
 *                  "value": 1, "animation": "default" }, … ] }
 *
 * id (letters, digits, _ and -), name and value (0–1e12) are required; type
 * defaults to "gift", animation to "default" (fireworks, hearts, stars and
 * rainbow are the others). An unreadable file falls back to the shipped
 * catalogue, and the dialog says why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "ld-session.h"

G_BEGIN_DECLS

typedef struct
{
  char   *id;
  char   *name;
  char   *type;
  char   *animation;
  double  value;
} LdGiftKind;

void        ld_gift_kind_free                    (LdGiftKind *kind);

/* The catalogue at PATH (NULL: the shipped one) as a GPtrArray of
 * LdGiftKind. Entries that break the rules above are an error. */
GPtrArray  *ld_send_gift_dialog_load_catalogue   (const char *path,
                                                  GError    **error);

#define LD_TYPE_SEND_GIFT_DIALOG (ld_send_gift_dialog_get_type ())

G_DECLARE_FINAL_TYPE (LdSendGiftDialog, ld_send_gift_dialog, LD, SEND_GIFT_DIALOG, AdwWindow)

/* CATALOGUE_PATH: NULL for the user's file (or the shipped one). Signal:
 * sent (const char *gift_tx_id), after which the dialog closes. The
 * "gift.send" action sends. */
GtkWidget  *ld_send_gift_dialog_new              (GtkWindow        *parent,
                                                  LdSession        *session,
                                                  const char       *catalogue_path);
gboolean    ld_send_gift_dialog_select_gift      (LdSendGiftDialog *self,
                                                  const char       *gift_id);
gboolean    ld_send_gift_dialog_select_receiver  (LdSendGiftDialog *self,
                                                  const char       *user_id);
void        ld_send_gift_dialog_set_quantity_text (LdSendGiftDialog *self,
                                                  const char       *text);
guint       ld_send_gift_dialog_get_quantity     (LdSendGiftDialog *self);
void        ld_send_gift_dialog_set_message      (LdSendGiftDialog *self,
                                                  const char       *message);
const char *ld_send_gift_dialog_get_message      (LdSendGiftDialog *self);
/* What the dialog says is wrong (the core's words), or NULL. */
const char *ld_send_gift_dialog_get_feedback     (LdSendGiftDialog *self);
/* "12/200". */
const char *ld_send_gift_dialog_get_counter_text (LdSendGiftDialog *self);
/* Whether Send is enabled: what is typed passes the checks, and no send is
 * under way. */
gboolean    ld_send_gift_dialog_get_can_send     (LdSendGiftDialog *self);
guint       ld_send_gift_dialog_get_n_gifts      (LdSendGiftDialog *self);

G_END_DECLS
