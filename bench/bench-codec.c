/* bench-codec.c: Socket.IO packet encode/decode throughput on livestream
 * traffic, next to the official socket.io-parser on the same corpus.
 *
 *   bench-codec [--seconds S] [--no-node]
 *
 * The corpus is fixed (a seeded generator): chat newMessage events of 50–500
 * characters, much of it Vietnamese; newGift events; joinedRoom replies with
 * ~50 viewers. The C codec runs it first, then `node bench/bench-codec.mjs`
 * runs it through socket.io-parser's Encoder/Decoder, and a table compares the
 * two. Figures only: it never fails on time.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "sio-codec.h"

#define CORPUS_SEED 20240601
#define N_CHAT      1500
#define N_GIFT      400
#define N_JOINED    100

typedef struct {
  const char *kind;
  char       *wire;
  gsize       len;
} CorpusEntry;

typedef struct {
  double packets_per_s;
  double mb_per_s;
} Rate;

typedef struct {
  Rate decode;
  Rate encode;
  Rate json_glib;
} KindResult;

static const char *const words_vi[] = {
  "xin", "chào", "các", "bạn", "hôm", "nay", "mình", "live", "muộn", "một", "chút", "nhé",
  "cảm", "ơn", "đã", "ủng", "hộ", "kênh", "quà", "đẹp", "quá", "trời", "ơi", "người",
  "xem", "đông", "vui", "lắm", "đợi", "mãi", "mới", "thấy", "stream", "giọng", "hát",
  "hay", "thật", "sự", "tặng", "thêm", "đi", "nào", "chúc", "mừng", "năm", "mới",
  "Việt", "Nam", "Hà", "Nội", "Sài", "Gòn", "Đà", "Nẵng", "phở", "bánh", "mì", "cà",
  "phê", "sữa", "đá", "trà", "đường", "ngon", "tuyệt", "vời", "được", "không", "ạ",
};

static const char *const words_en[] = {
  "hello", "everyone", "great", "stream", "today", "thanks", "for", "the", "gift",
  "love", "this", "song", "again", "please", "GG", "nice", "play", "wow", "lol",
  "😂", "🎉", "❤️", "🔥", "👏", "🎁",
};

static const char *const names[] = {
  "Nguyễn Văn An", "Trần Thị Bích", "Lê Hoàng Cường", "Phạm Minh Đức", "Hoàng Thu Hà",
  "Vũ Quốc Huy", "Đặng Thùy Dương", "Bùi Anh Khoa", "Đỗ Ngọc Lan", "Hồ Gia Minh",
  "streamer_pro", "gamer123", "night_owl", "Lucy", "TonyStark", "Ngô Bảo Châu",
};

static const char *const roles[] = { "viewer", "viewer", "viewer", "viewer", "moderator", "streamer" };

static const char *const gifts[][3] = {
  { "rose", "Hoa hồng", "default" },
  { "heart", "Trái tim", "hearts" },
  { "star", "Ngôi sao", "stars" },
  { "firework", "Pháo hoa", "fireworks" },
  { "rainbow", "Cầu vồng", "rainbow" },
  { "car", "Siêu xe", "default" },
};

static char *
timestamp_at (guint n)
{
  g_autoptr(GDateTime) base = g_date_time_new_utc (2026, 11, 26, 12, 0, 0);
  g_autoptr(GDateTime) at = g_date_time_add_seconds (base, n * 0.731);
  g_autofree char *date = g_date_time_format (at, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%03uZ", date, (n * 37) % 1000);
}

/* A chat line of exactly `chars` characters, mostly Vietnamese. */
static char *
chat_text (GRand *rand,
           guint  chars)
{
  GString *text = g_string_new (NULL);
  gboolean english = g_rand_int_range (rand, 0, 4) == 0;
  guint length = 0;

  while (length < chars)
    {
      const char *word;

      if (english || g_rand_int_range (rand, 0, 10) == 0)
        word = words_en[g_rand_int_range (rand, 0, G_N_ELEMENTS (words_en))];
      else
        word = words_vi[g_rand_int_range (rand, 0, G_N_ELEMENTS (words_vi))];
      if (text->len > 0)
        {
          g_string_append_c (text, g_rand_int_range (rand, 0, 12) == 0 ? ',' : ' ');
          length++;
        }
      g_string_append (text, word);
      length += g_utf8_strlen (word, -1);
    }
  g_string_truncate (text, g_utf8_offset_to_pointer (text->str, chars) - text->str);
  return g_string_free (text, FALSE);
}

static char *
user_id (guint n)
{
  return g_strdup_printf ("u%06u", n);
}

static JsonNode *
event_node (const char *event,
            JsonNode   *payload)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  json_array_add_string_element (array, event);
  json_array_add_element (array, payload);
  json_node_take_array (node, array);
  return node;
}

static JsonNode *
chat_payload (GRand *rand,
              guint  n)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint who = g_rand_int_range (rand, 0, 5000);
  g_autofree char *uid = user_id (who);
  g_autofree char *text = chat_text (rand, g_rand_int_range (rand, 50, 501));
  g_autofree char *message_id = g_strdup_printf ("msg_%08x%04x", g_rand_int (rand), n);
  g_autofree char *ts = timestamp_at (n);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "messageId");
  json_builder_add_string_value (b, message_id);
  json_builder_set_member_name (b, "roomId");
  json_builder_add_string_value (b, "room_2026_tet");
  json_builder_set_member_name (b, "userId");
  json_builder_add_string_value (b, uid);
  json_builder_set_member_name (b, "username");
  json_builder_add_string_value (b, names[who % G_N_ELEMENTS (names)]);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, roles[who % G_N_ELEMENTS (roles)]);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, text);
  json_builder_set_member_name (b, "messageType");
  json_builder_add_string_value (b, "text");
  json_builder_set_member_name (b, "imageUrl");
  json_builder_add_null_value (b);
  json_builder_set_member_name (b, "timestamp");
  json_builder_add_string_value (b, ts);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static JsonNode *
gift_payload (GRand *rand,
              guint  n)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint sender = g_rand_int_range (rand, 0, 5000);
  guint gift = g_rand_int_range (rand, 0, G_N_ELEMENTS (gifts));
  g_autofree char *sender_id = user_id (sender);
  g_autofree char *tx = g_strdup_printf ("gtx_%08x%08x", g_rand_int (rand), g_rand_int (rand));
  g_autofree char *ts = timestamp_at (n);
  g_autofree char *message = chat_text (rand, g_rand_int_range (rand, 0, 80));

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "roomId");
  json_builder_add_string_value (b, "room_2026_tet");
  json_builder_set_member_name (b, "senderId");
  json_builder_add_string_value (b, sender_id);
  json_builder_set_member_name (b, "senderName");
  json_builder_add_string_value (b, names[sender % G_N_ELEMENTS (names)]);
  json_builder_set_member_name (b, "receiverId");
  json_builder_add_string_value (b, "u000001");
  json_builder_set_member_name (b, "receiverName");
  json_builder_add_string_value (b, "Hoàng Thu Hà");
  json_builder_set_member_name (b, "giftId");
  json_builder_add_string_value (b, gifts[gift][0]);
  json_builder_set_member_name (b, "giftName");
  json_builder_add_string_value (b, gifts[gift][1]);
  json_builder_set_member_name (b, "giftType");
  json_builder_add_string_value (b, gift < 3 ? "basic" : "premium");
  json_builder_set_member_name (b, "giftValue");
  json_builder_add_int_value (b, (gift + 1) * 1000);
  json_builder_set_member_name (b, "quantity");
  json_builder_add_int_value (b, g_rand_int_range (rand, 1, 101));
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_set_member_name (b, "animation");
  json_builder_add_string_value (b, gifts[gift][2]);
  json_builder_set_member_name (b, "timestamp");
  json_builder_add_string_value (b, ts);
  json_builder_set_member_name (b, "giftTxId");
  json_builder_add_string_value (b, tx);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static JsonNode *
joined_payload (GRand *rand,
                guint  n)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint viewers = g_rand_int_range (rand, 45, 56);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "success");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, "Đã vào phòng");
  json_builder_set_member_name (b, "data");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "roomId");
  json_builder_add_string_value (b, "room_2026_tet");
  json_builder_set_member_name (b, "viewerCount");
  json_builder_add_int_value (b, viewers);
  json_builder_set_member_name (b, "viewers");
  json_builder_begin_array (b);
  for (guint i = 0; i < viewers; i++)
    {
      guint who = g_rand_int_range (rand, 0, 5000);
      g_autofree char *uid = user_id (who);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "userId");
      json_builder_add_string_value (b, uid);
      json_builder_set_member_name (b, "username");
      json_builder_add_string_value (b, names[who % G_N_ELEMENTS (names)]);
      json_builder_set_member_name (b, "role");
      json_builder_add_string_value (b, roles[who % G_N_ELEMENTS (roles)]);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "recentMessages");
  json_builder_begin_array (b);
  for (guint i = 0; i < 3; i++)
    json_builder_add_value (b, chat_payload (rand, n + i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* Chat, gifts and joins interleaved in a fixed order. */
static GArray *
build_corpus (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (CORPUS_SEED);
  GArray *corpus = g_array_new (FALSE, FALSE, sizeof (CorpusEntry));
  guint chat = 0, gift = 0, joined = 0;

  for (guint n = 0; chat + gift + joined < N_CHAT + N_GIFT + N_JOINED; n++)
    {
      g_autoptr(SioPacket) packet = NULL;
      CorpusEntry entry;
      guint pick = n % 20;

      if (pick == 19 && joined < N_JOINED)
        {
          packet = sio_packet_new (SIO_PACKET_EVENT, "/", event_node ("joinedRoom", joined_payload (rand, n)));
          entry.kind = "joinedRoom";
          joined++;
        }
      else if (pick % 5 == 3 && gift < N_GIFT)
        {
          packet = sio_packet_new (SIO_PACKET_EVENT, "/", event_node ("newGift", gift_payload (rand, n)));
          entry.kind = "newGift";
          gift++;
        }
      else if (chat < N_CHAT)
        {
          packet = sio_packet_new (SIO_PACKET_EVENT, "/", event_node ("newMessage", chat_payload (rand, n)));
          entry.kind = "newMessage";
          chat++;
        }
      else
        continue;

      entry.wire = sio_packet_encode (packet);
      entry.len = strlen (entry.wire);
      g_array_append_val (corpus, entry);
    }
  return corpus;
}

static void
corpus_free (GArray *corpus)
{
  for (guint i = 0; i < corpus->len; i++)
    g_free (g_array_index (corpus, CorpusEntry, i).wire);
  g_array_unref (corpus);
}

static void
decode_round (gpointer a,
              gpointer b)
{
  GPtrArray *entries = a;
  SioDecoder *decoder = b;

  for (guint i = 0; i < entries->len; i++)
    {
      CorpusEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(SioPacket) packet = NULL;
      g_autoptr(GError) error = NULL;

      if (!sio_decoder_add_text (decoder, entry->wire, entry->len, &packet, &error))
        g_error ("corpus packet did not decode: %s", error->message);
    }
}

/* The floor under decode: json-glib parsing the same JSON (and freeing the
 * tree) with nothing of ours around it. The corpus is all "2[…]". */
static void
json_glib_round (gpointer a,
                 gpointer b)
{
  GPtrArray *entries = a;
  JsonParser *parser = b;

  for (guint i = 0; i < entries->len; i++)
    {
      CorpusEntry *entry = g_ptr_array_index (entries, i);
      JsonNode *root;

      if (!json_parser_load_from_data (parser, entry->wire + 1, entry->len - 1, NULL))
        g_error ("corpus JSON did not parse");
      root = json_parser_steal_root (parser);
      json_node_unref (root);
    }
}

static void
encode_round (gpointer a,
              gpointer b)
{
  GPtrArray *packets = a;

  for (guint i = 0; i < packets->len; i++)
    g_free (sio_packet_encode (g_ptr_array_index (packets, i)));
}

typedef void (*RoundFunc) (gpointer a, gpointer b);

/* One warm-up round, then rounds until min_seconds have passed (at least 3). */
static Rate
measure (RoundFunc fn,
         gpointer  a,
         gpointer  b,
         guint     count,
         gsize     bytes,
         double    min_seconds)
{
  gint64 start;
  double elapsed = 0;
  guint rounds = 0;
  Rate rate;

  fn (a, b);
  start = g_get_monotonic_time ();
  while (rounds < 3 || elapsed < min_seconds)
    {
      fn (a, b);
      rounds++;
      elapsed = (g_get_monotonic_time () - start) / 1e6;
    }
  rate.packets_per_s = (double) count * rounds / elapsed;
  rate.mb_per_s = (double) bytes * rounds / elapsed / 1e6;
  return rate;
}

/* Two measurements whose ratio matters, taken in alternating rounds so that
 * other load on the machine weighs on both alike. */
static void
measure_interleaved (RoundFunc fn_a,
                     gpointer  a1,
                     gpointer  a2,
                     RoundFunc fn_b,
                     gpointer  b1,
                     gpointer  b2,
                     guint     count,
                     gsize     bytes,
                     double    min_seconds,
                     Rate     *rate_a,
                     Rate     *rate_b)
{
  gint64 spent_a = 0, spent_b = 0;
  guint rounds = 0;

  fn_a (a1, a2);
  fn_b (b1, b2);
  while (rounds < 3 || (spent_a + spent_b) / 1e6 < 2 * min_seconds)
    {
      gint64 start = g_get_monotonic_time ();

      fn_a (a1, a2);
      spent_a += g_get_monotonic_time () - start;
      start = g_get_monotonic_time ();
      fn_b (b1, b2);
      spent_b += g_get_monotonic_time () - start;
      rounds++;
    }
  rate_a->packets_per_s = (double) count * rounds / (spent_a / 1e6);
  rate_a->mb_per_s = (double) bytes * rounds / (spent_a / 1e6) / 1e6;
  rate_b->packets_per_s = (double) count * rounds / (spent_b / 1e6);
  rate_b->mb_per_s = (double) bytes * rounds / (spent_b / 1e6) / 1e6;
}

static KindResult
run_c (GArray     *corpus,
       const char *kind,
       double      min_seconds,
       guint      *count,
       gsize      *bytes)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();
  g_autoptr(GPtrArray) packets = g_ptr_array_new_with_free_func ((GDestroyNotify) sio_packet_free);
  g_autoptr(SioDecoder) decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);
  g_autoptr(JsonParser) parser = json_parser_new ();
  KindResult result;

  *bytes = 0;
  for (guint i = 0; i < corpus->len; i++)
    {
      CorpusEntry *entry = &g_array_index (corpus, CorpusEntry, i);
      SioPacket *packet = NULL;

      if (kind != NULL && strcmp (kind, entry->kind) != 0)
        continue;
      g_ptr_array_add (entries, entry);
      *bytes += entry->len;
      if (!sio_decoder_add_text (decoder, entry->wire, entry->len, &packet, NULL))
        g_error ("corpus packet did not decode");
      g_ptr_array_add (packets, packet);
    }
  *count = entries->len;

  measure_interleaved (decode_round, entries, decoder, json_glib_round, entries, parser,
                       entries->len, *bytes, min_seconds, &result.decode, &result.json_glib);
  result.encode = measure (encode_round, packets, NULL, entries->len, *bytes, min_seconds);
  return result;
}

static char *
c_encoding_sha256 (GArray *corpus)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(SioDecoder) decoder = sio_decoder_new (SIO_DEFAULT_MAX_ATTACHMENTS);

  for (guint i = 0; i < corpus->len; i++)
    {
      CorpusEntry *entry = &g_array_index (corpus, CorpusEntry, i);
      g_autoptr(SioPacket) packet = NULL;
      g_autofree char *wire = NULL;

      sio_decoder_add_text (decoder, entry->wire, entry->len, &packet, NULL);
      wire = sio_packet_encode (packet);
      g_checksum_update (sum, (const guchar *) wire, -1);
      g_checksum_update (sum, (const guchar *) "\n", 1);
    }
  return g_strdup (g_checksum_get_string (sum));
}

static char *
find_peers_dir (void)
{
  const char *env = g_getenv ("LIVEDESK_PEERS_DIR");

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  return g_build_filename (LIVEDESK_SOURCE_DIR, "tests", "peers", NULL);
}

/* Runs the Node side; NULL (with a reason printed) when it cannot. */
static JsonObject *
run_node (GArray *corpus,
          double  min_seconds)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("bench-codec-XXXXXX", &error);
  g_autofree char *corpus_path = NULL;
  g_autofree char *script = g_build_filename (LIVEDESK_SOURCE_DIR, "bench", "bench-codec.mjs", NULL);
  g_autofree char *peers = find_peers_dir ();
  g_autofree char *seconds = g_strdup_printf ("%g", min_seconds);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GSubprocess) node = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (tmp == NULL)
    {
      g_printerr ("bench-codec: no temporary directory: %s\n", error->message);
      return NULL;
    }
  corpus_path = g_build_filename (tmp, "corpus.txt", NULL);
  for (guint i = 0; i < corpus->len; i++)
    {
      CorpusEntry *entry = &g_array_index (corpus, CorpusEntry, i);

      g_string_append_printf (text, "%s\t%s\n", entry->kind, entry->wire);
    }
  if (!g_file_set_contents (corpus_path, text->str, text->len, &error))
    {
      g_printerr ("bench-codec: cannot write the corpus: %s\n", error->message);
      g_rmdir (tmp);
      return NULL;
    }

  node = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           "node", script, corpus_path, peers, seconds, NULL);
  if (node == NULL || !g_subprocess_communicate_utf8 (node, NULL, NULL, &out, &err, &error))
    {
      g_printerr ("bench-codec: cannot run node: %s\n", error->message);
      g_unlink (corpus_path);
      g_rmdir (tmp);
      return NULL;
    }
  g_unlink (corpus_path);
  g_rmdir (tmp);

  if (!g_subprocess_get_successful (node))
    {
      g_printerr ("bench-codec: node failed:\n%s\n", err);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, out, -1, &error) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_printerr ("bench-codec: unexpected output from node: %s\n", out);
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static Rate
node_rate (JsonObject *results,
           const char *kind,
           const char *what)
{
  Rate rate = { 0, 0 };
  JsonObject *object;

  if (results == NULL || !json_object_has_member (results, kind))
    return rate;
  object = json_object_get_object_member (json_object_get_object_member (results, kind), what);
  rate.packets_per_s = json_object_get_double_member (object, "packets_per_s");
  rate.mb_per_s = json_object_get_double_member (object, "mb_per_s");
  return rate;
}

static void
print_row (const char *label,
           const char *unit,
           double      c,
           double      node)
{
  if (node > 0)
    g_print ("  %-22s %-10s %14.1f %14.1f %8.2f\n", label, unit, c, node, c / node);
  else
    g_print ("  %-22s %-10s %14.1f %14s %8s\n", label, unit, c, "-", "-");
}

int
main (int   argc,
      char *argv[])
{
  static const char *const kinds[] = { NULL, "newMessage", "newGift", "joinedRoom" };
  double seconds = 1.0;
  gboolean no_node = FALSE;
  GOptionEntry options[] = {
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &seconds, "Minimum time per measurement", "S" },
    { "no-node", 0, 0, G_OPTION_ARG_NONE, &no_node, "Do not run the socket.io-parser comparison", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— Socket.IO codec benchmark");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) node = NULL;
  g_autofree char *c_sha = NULL;
  GArray *corpus;
  JsonObject *node_results = NULL;
  const char *node_version = NULL;

  g_option_context_add_main_entries (context, options, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-codec: %s\n", error->message);
      return 2;
    }

  corpus = build_corpus ();
  c_sha = c_encoding_sha256 (corpus);
  if (!no_node)
    node = run_node (corpus, seconds);
  if (node != NULL)
    {
      node_results = json_object_get_object_member (node, "results");
      node_version = json_object_get_string_member (node, "version");
    }

  if (node_version != NULL)
    g_print ("Socket.IO codec: livedesk (C, json-glib) vs socket.io-parser %s (Node)\n", node_version);
  else
    g_print ("Socket.IO codec: livedesk (C, json-glib); socket.io-parser not run\n");
  g_print ("  corpus: %u newMessage, %u newGift, %u joinedRoom EVENT packets (seed %u)\n",
           N_CHAT, N_GIFT, N_JOINED, CORPUS_SEED);
  if (node != NULL)
    g_print ("  same bytes on the wire as socket.io-parser: %s\n",
             g_strcmp0 (c_sha, json_object_get_string_member (node, "sha256")) == 0 ? "yes" : "NO");
  g_print ("\n  %-22s %-10s %14s %14s %8s\n", "", "", "C", "Node", "C/Node");

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      const char *kind = kinds[i] ? kinds[i] : "all";
      guint count = 0;
      gsize bytes = 0;
      KindResult c = run_c (corpus, kinds[i], seconds, &count, &bytes);
      g_autofree char *decode = g_strdup_printf ("decode %s", kind);
      g_autofree char *encode = g_strdup_printf ("encode %s", kind);
      Rate nd = node_rate (node_results, kind, "decode");
      Rate ne = node_rate (node_results, kind, "encode");

      g_print ("  %s: %u packets, %.1f KiB, %.0f bytes average\n", kind, count, bytes / 1024.0,
               (double) bytes / count);
      print_row (decode, "packets/s", c.decode.packets_per_s, nd.packets_per_s);
      print_row (decode, "MB/s", c.decode.mb_per_s, nd.mb_per_s);
      print_row (encode, "packets/s", c.encode.packets_per_s, ne.packets_per_s);
      print_row (encode, "MB/s", c.encode.mb_per_s, ne.mb_per_s);
      print_row ("  json-glib parse alone", "MB/s", c.json_glib.mb_per_s, 0);
    }

  corpus_free (corpus);
  return 0;
}
