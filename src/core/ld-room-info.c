/* ld-room-info.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ld-payload.h"
#include "ld-room-info.h"
#include "ld-viewer.h"

struct _LdRoomInfo
{
  GObject     parent_instance;

  char       *room_id;
  char       *title;
  char       *status;
  guint       viewer_count;
  GListStore *viewers;
};

G_DEFINE_FINAL_TYPE (LdRoomInfo, ld_room_info, G_TYPE_OBJECT)

static void
ld_room_info_finalize (GObject *object)
{
  LdRoomInfo *self = LD_ROOM_INFO (object);

  g_free (self->room_id);
  g_free (self->title);
  g_free (self->status);
  g_clear_object (&self->viewers);

  G_OBJECT_CLASS (ld_room_info_parent_class)->finalize (object);
}

static void
ld_room_info_class_init (LdRoomInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ld_room_info_finalize;
}

static void
ld_room_info_init (LdRoomInfo *self)
{
  self->viewers = g_list_store_new (LD_TYPE_VIEWER);
}

LdRoomInfo *
ld_room_info_new_from_json (JsonObject  *data,
                            GError     **error)
{
  g_autoptr(LdRoomInfo) self = NULL;
  g_autofree char *room_id = NULL;
  const char *title = NULL;
  const char *status = NULL;
  gint64 count = 0;
  JsonArray *viewers = NULL;

  g_return_val_if_fail (data != NULL, NULL);

  if (!ld_payload_get_id (data, "roomInfo", "roomId", TRUE, &room_id, error))
    return NULL;
  /* Optional: a server that leaves them out or sends nonsense just says less. */
  ld_payload_get_string (data, "roomInfo", "title", FALSE, &title, NULL);
  ld_payload_get_string (data, "roomInfo", "status", FALSE, &status, NULL);
  ld_payload_get_int (data, "roomInfo", "viewerCount", FALSE, 0, &count, NULL);

  self = g_object_new (LD_TYPE_ROOM_INFO, NULL);
  self->room_id = g_steal_pointer (&room_id);
  self->title = g_strdup (title);
  self->status = g_strdup (status);
  self->viewer_count = (guint) CLAMP (count, 0, G_MAXUINT);
  if (ld_payload_get_array (data, "roomInfo", "viewers", FALSE, &viewers, NULL) && viewers != NULL)
    for (guint i = 0; i < json_array_get_length (viewers); i++)
      {
        JsonNode *item = json_array_get_element (viewers, i);
        g_autoptr(LdViewer) viewer = NULL;

        if (JSON_NODE_HOLDS_OBJECT (item))
          viewer = ld_viewer_new_from_json (json_node_get_object (item), NULL);
        if (viewer != NULL)
          g_list_store_append (self->viewers, viewer);
      }
  return g_steal_pointer (&self);
}

const char *
ld_room_info_get_room_id (LdRoomInfo *self)
{
  g_return_val_if_fail (LD_IS_ROOM_INFO (self), NULL);
  return self->room_id;
}

const char *
ld_room_info_get_title (LdRoomInfo *self)
{
  g_return_val_if_fail (LD_IS_ROOM_INFO (self), NULL);
  return self->title;
}

const char *
ld_room_info_get_status (LdRoomInfo *self)
{
  g_return_val_if_fail (LD_IS_ROOM_INFO (self), NULL);
  return self->status;
}

guint
ld_room_info_get_viewer_count (LdRoomInfo *self)
{
  g_return_val_if_fail (LD_IS_ROOM_INFO (self), 0);
  return self->viewer_count;
}

GListModel *
ld_room_info_get_viewers (LdRoomInfo *self)
{
  g_return_val_if_fail (LD_IS_ROOM_INFO (self), NULL);
  return G_LIST_MODEL (self->viewers);
}
