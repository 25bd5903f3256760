/* test-ld-validate.c: PROTOCOL.md section 5's checks, code by code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "ld-validate.h"

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_codes (void)
{
  LdContractError code;

  g_assert_cmpstr (ld_contract_error_to_code (LD_CONTRACT_ERROR_RATE_LIMITED), ==, "RATE_LIMITED");
  g_assert_cmpstr (ld_contract_error_to_code (LD_CONTRACT_ERROR_INTERNAL), ==, "INTERNAL");
  g_assert_null (ld_contract_error_to_code (LD_CONTRACT_ERROR_INTERNAL + 1));

  /* Every code in PROTOCOL.md section 2 round-trips. */
  for (int i = 0; i <= LD_CONTRACT_ERROR_INTERNAL; i++)
    {
      g_assert_true (ld_contract_error_from_code (ld_contract_error_to_code (i), &code));
      g_assert_cmpint (code, ==, i);
    }
  g_assert_false (ld_contract_error_from_code ("rate_limited", NULL));
  g_assert_false (ld_contract_error_from_code (NULL, NULL));
}

static void
test_ids (void)
{
  g_autofree char *fifty = g_strnfill (50, 'a');
  g_autofree char *fifty_one = g_strnfill (51, 'a');
  g_autoptr(GError) error = NULL;

  g_assert_true (ld_validate_room_id ("room_1", NULL));
  g_assert_true (ld_validate_room_id (fifty, NULL));
  g_assert_false (ld_validate_room_id (fifty_one, NULL));
  g_assert_false (ld_validate_room_id ("", NULL));
  g_assert_false (ld_validate_room_id (NULL, NULL));
  g_assert_false (ld_validate_room_id ("room-1", NULL));
  g_assert_false (ld_validate_room_id ("phòng", NULL));
  g_assert_false (ld_validate_room_id ("room 1", &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD);
  g_clear_error (&error);

  g_assert_true (ld_validate_user_id ("user42", NULL));
  g_assert_true (ld_validate_user_id (fifty, NULL));
  g_assert_false (ld_validate_user_id (fifty_one, NULL));
  g_assert_false (ld_validate_user_id ("user_42", &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD);
}

/* [ext] Support ticket ids: what the gateway hands out (UUIDs), bounded. */
static void
test_ticket_ids (void)
{
  g_autofree char *longest = g_strnfill (LD_TICKET_ID_MAX_CHARS, 'a');
  g_autofree char *too_long = g_strnfill (LD_TICKET_ID_MAX_CHARS + 1, 'a');
  g_autofree char *uuid = g_uuid_string_random ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ld_validate_ticket_id (uuid, NULL));
  g_assert_true (ld_validate_ticket_id (longest, NULL));
  g_assert_false (ld_validate_ticket_id (too_long, NULL));
  g_assert_false (ld_validate_ticket_id ("", NULL));
  g_assert_false (ld_validate_ticket_id (NULL, NULL));
  g_assert_false (ld_validate_ticket_id ("a/b", NULL));
  g_assert_false (ld_validate_ticket_id ("ticket:1", &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD);
}

static void
test_sanitize (void)
{
  struct { const char *in; const char *out; } cases[] = {
    { "  hello  ", "hello" },
    { "<b>bold</b>", "bbold/b" },
    { "a < b > c", "a  b  c" },
    { "\t\n xin chào \n", "xin chào" },
    /* Unicode spaces, as JavaScript's trim() removes them. */
    { "\xc2\xa0" "chào" "\xe3\x80\x80", "chào" },
    { "< >", "" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = ld_sanitize_text (cases[i].in);
      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_forbidden (void)
{
  const char *bad[] = {
    "<script>alert(1)</script>",
    "hi <SCRIPT type=x>\nsteal()\n</script >",
    "click javascript:alert(1)",
    "JavaScript:void(0)",
    "<img src=x onerror=alert(1)>",
    "onload = run()",
    "eval(code)",
    "EVAL (code)",
  };
  const char *good[] = {
    "Donation=thanks",      /* "on…=" inside a word is not a handler */
    "mon=tue",
    "script without tags",
    "evaluate this",
    "medieval (times)",
    "javascript is fun",
    "chào mọi người",
    "on the stream",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_true (ld_text_has_forbidden_content (bad[i]));
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_false (ld_text_has_forbidden_content (good[i]));
}

static void
test_text (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) viet = g_string_new (NULL);
  g_autofree char *ascii_500 = g_strnfill (500, 'x');
  g_autofree char *ascii_501 = g_strnfill (501, 'x');
  g_autofree char *padded = g_strconcat ("   ", ascii_500, "   ", NULL);
  char *out;

  out = ld_validate_text ("  <b>hi</b>  ", LD_MESSAGE_MAX_CHARS, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, "bhi/b");
  g_free (out);

  g_assert_null (ld_validate_text ("   ", LD_MESSAGE_MAX_CHARS, &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_EMPTY_MESSAGE);
  g_clear_error (&error);

  g_assert_null (ld_validate_text ("<>", LD_MESSAGE_MAX_CHARS, &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_EMPTY_MESSAGE);
  g_clear_error (&error);

  /* Forbidden content is found before '<' is stripped, which would hide it. */
  g_assert_null (ld_validate_text ("<script>x()</script>", LD_MESSAGE_MAX_CHARS, &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN_CONTENT);
  g_clear_error (&error);

  g_assert_null (ld_validate_text (NULL, LD_MESSAGE_MAX_CHARS, &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD);
  g_clear_error (&error);

  g_assert_null (ld_validate_text ("bad \xff utf-8", LD_MESSAGE_MAX_CHARS, &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD);
  g_clear_error (&error);

  out = ld_validate_text (ascii_500, LD_MESSAGE_MAX_CHARS, &error);
  g_assert_no_error (error);
  g_free (out);

  /* Spaces trimmed away do not count. */
  out = ld_validate_text (padded, LD_MESSAGE_MAX_CHARS, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (strlen (out), ==, 500);
  g_free (out);

  g_assert_null (ld_validate_text (ascii_501, LD_MESSAGE_MAX_CHARS, &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_MESSAGE_TOO_LONG);
  g_clear_error (&error);

  /* 500 Vietnamese characters are 1,000+ bytes and still allowed: the
   * limit counts characters. */
  for (guint i = 0; i < 500; i++)
    g_string_append (viet, "ệ");
  g_assert_cmpuint (viet->len, >, 1000);
  out = ld_validate_text (viet->str, LD_MESSAGE_MAX_CHARS, &error);
  g_assert_no_error (error);
  g_free (out);
  g_string_append (viet, "ệ");
  g_assert_null (ld_validate_text (viet->str, LD_MESSAGE_MAX_CHARS, &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_MESSAGE_TOO_LONG);
  g_clear_error (&error);

  /* Too long is said first: the content check's expressions never run
   * over a text the length check refuses anyway. */
  {
    g_autoptr(GString) scripts = g_string_new (NULL);

    for (guint i = 0; i < 100; i++)
      g_string_append (scripts, "<script>alert(1)</script>");
    g_assert_null (ld_validate_text (scripts->str, LD_MESSAGE_MAX_CHARS, &error));
    g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_MESSAGE_TOO_LONG);
    g_clear_error (&error);
    g_assert_null (ld_validate_text ("<script>alert(1)</script>", LD_MESSAGE_MAX_CHARS, &error));
    g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_FORBIDDEN_CONTENT);
  }
}

static void
test_image_url (void)
{
  const char *good[] = {
    "https://i.imgur.com/abc123.png",
    "https://imgur.com/abc.JPG",
    "https://res.cloudinary.com/demo/image/upload/sample.jpeg",
    "https://cloudinary.com/x.webp",
    "https://a.b.imgur.com/x.gif",
    "https://i.imgur.com/abc.png?w=200",
    "https://I.IMGUR.COM/abc.png",
  };
  const char *bad[] = {
    NULL,
    "",
    "not a url",
    "/relative/path.png",
    "ftp://i.imgur.com/a.png",
    "javascript:alert(1)//a.png",
    "https://evilimgur.com/a.png",
    "https://imgur.com.evil.example/a.png",
    "https://imgur.com@evil.example/a.png",
    "https://user:pw@i.imgur.com/a.png",
    "https://i.imgur.com/a.png.exe",
    "https://i.imgur.com/a.svg",
    "https://i.imgur.com/png",
    "https://i.imgur.com/.png",
    "https://i.imgur.com/a.php?x=.png",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;

      ld_validate_image_url (good[i], LD_IMAGE_URL_HTTPS_ONLY, &error);
      g_assert_no_error (error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (ld_validate_image_url (bad[i], LD_IMAGE_URL_ALLOW_HTTP, &error));
      g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_IMAGE_URL);
    }

  /* The server takes http; a desktop client sends https only. */
  g_assert_true (ld_validate_image_url ("http://i.imgur.com/a.png", LD_IMAGE_URL_ALLOW_HTTP, NULL));
  g_assert_false (ld_validate_image_url ("http://i.imgur.com/a.png", LD_IMAGE_URL_HTTPS_ONLY, NULL));
}

static void
test_payload_types (void)
{
  g_autoptr(JsonObject) payload = parse_object ("{\"roomId\":\"room_1\",\"n\":3,\"d\":3.0,\"f\":3.5,"
                                                "\"s\":\"x\",\"nul\":null,\"arr\":[],\"big\":1e300}");
  g_autoptr(JsonObject) bad_room = parse_object ("{\"roomId\":42}");
  g_autoptr(GError) error = NULL;
  const char *text;
  gint64 value;

  g_assert_true (ld_validate_member_room_id (payload, &text, &error));
  g_assert_cmpstr (text, ==, "room_1");

  g_assert_true (ld_validate_member_string (payload, "missing", FALSE, &text, &error));
  g_assert_null (text);
  g_assert_true (ld_validate_member_string (payload, "nul", FALSE, &text, &error));
  g_assert_null (text);
  g_assert_false (ld_validate_member_string (payload, "missing", TRUE, &text, &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD);
  g_clear_error (&error);
  g_assert_false (ld_validate_member_string (payload, "n", FALSE, &text, &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD);
  g_clear_error (&error);
  g_assert_false (ld_validate_member_string (payload, "arr", FALSE, &text, &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD);
  g_clear_error (&error);

  g_assert_true (ld_validate_member_int (payload, "n", TRUE, &value, &error));
  g_assert_cmpint (value, ==, 3);
  g_assert_true (ld_validate_member_int (payload, "d", TRUE, &value, &error));
  g_assert_cmpint (value, ==, 3);
  g_assert_false (ld_validate_member_int (payload, "f", TRUE, &value, &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD);
  g_clear_error (&error);
  g_assert_false (ld_validate_member_int (payload, "big", TRUE, &value, &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD);
  g_clear_error (&error);
  g_assert_false (ld_validate_member_int (payload, "s", TRUE, &value, &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD);
  g_clear_error (&error);

  g_assert_false (ld_validate_member_room_id (bad_room, &text, &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD);
  g_clear_error (&error);
  g_assert_false (ld_validate_member_room_id (NULL, &text, &error));
  g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_PAYLOAD);
}

#define GIFT_BASE "\"roomId\":\"room_1\",\"senderId\":\"u1\",\"senderName\":\"An\",\"receiverId\":\"streamer1\"," \
                  "\"receiverName\":\"Bình\",\"giftId\":\"g1\",\"giftName\":\"Rose\",\"giftType\":\"flower\""

static void
test_gift (void)
{
  g_autoptr(JsonObject) minimal = parse_object ("{" GIFT_BASE ",\"giftValue\":10}");
  g_autoptr(LdGiftRequest) gift = NULL;
  g_autoptr(LdGiftRequest) copy = NULL;
  g_autoptr(GError) error = NULL;

  gift = ld_validate_gift (minimal, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gift->room_id, ==, "room_1");
  g_assert_cmpstr (gift->receiver_id, ==, "streamer1");
  g_assert_cmpstr (gift->receiver_name, ==, "Bình");
  g_assert_cmpstr (gift->gift_name, ==, "Rose");
  g_assert_cmpfloat (gift->gift_value, ==, 10);
  g_assert_cmpuint (gift->quantity, ==, 1);
  g_assert_cmpstr (gift->message, ==, "");
  g_assert_cmpstr (gift->animation, ==, "default");

  copy = ld_gift_request_copy (gift);
  g_assert_cmpstr (copy->gift_type, ==, "flower");
  g_clear_pointer (&gift, ld_gift_request_free);

  {
    g_autoptr(JsonObject) full = parse_object ("{" GIFT_BASE ",\"giftValue\":2.5,\"quantity\":100,"
                                               "\"message\":\"  <3 you \",\"animation\":\"fireworks\"}");

    gift = ld_validate_gift (full, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (gift->quantity, ==, 100);
    g_assert_cmpfloat (gift->gift_value, ==, 2.5);
    g_assert_cmpstr (gift->message, ==, "3 you");
    g_assert_cmpstr (gift->animation, ==, "fireworks");
  }

  {
    struct { const char *json; LdContractError code; } cases[] = {
      { "{" GIFT_BASE "}", LD_CONTRACT_ERROR_INVALID_GIFT },
      { "{" GIFT_BASE ",\"giftValue\":1,\"quantity\":0}", LD_CONTRACT_ERROR_INVALID_GIFT },
      { "{" GIFT_BASE ",\"giftValue\":1,\"quantity\":101}", LD_CONTRACT_ERROR_INVALID_GIFT },
      { "{" GIFT_BASE ",\"giftValue\":1,\"quantity\":1.5}", LD_CONTRACT_ERROR_INVALID_GIFT },
      { "{" GIFT_BASE ",\"giftValue\":-1}", LD_CONTRACT_ERROR_INVALID_GIFT },
      { "{" GIFT_BASE ",\"giftValue\":\"10\"}", LD_CONTRACT_ERROR_INVALID_PAYLOAD },
      { "{" GIFT_BASE ",\"giftValue\":1,\"quantity\":\"2\"}", LD_CONTRACT_ERROR_INVALID_PAYLOAD },
      { "{\"roomId\":\"room_1\",\"receiverId\":\"s1\",\"giftName\":\"R\",\"giftType\":\"f\",\"giftValue\":1}",
        LD_CONTRACT_ERROR_INVALID_GIFT },
      { "{\"roomId\":\"room_1\",\"receiverId\":\"s1\",\"giftId\":\"\",\"giftName\":\"R\",\"giftType\":\"f\","
        "\"giftValue\":1}", LD_CONTRACT_ERROR_INVALID_GIFT },
      { "{\"roomId\":\"room_1\",\"receiverId\":\"bad id\",\"giftId\":\"g\",\"giftName\":\"R\",\"giftType\":\"f\","
        "\"giftValue\":1}", LD_CONTRACT_ERROR_INVALID_GIFT },
      { "{\"roomId\":\"room 1\",\"receiverId\":\"s1\",\"giftId\":\"g\",\"giftName\":\"R\",\"giftType\":\"f\","
        "\"giftValue\":1}", LD_CONTRACT_ERROR_INVALID_PAYLOAD },
      { "{\"roomId\":\"room_1\",\"receiverId\":7,\"giftId\":\"g\",\"giftName\":\"R\",\"giftType\":\"f\","
        "\"giftValue\":1}", LD_CONTRACT_ERROR_INVALID_PAYLOAD },
      { "{" GIFT_BASE ",\"giftValue\":1,\"message\":\"<script>x</script>\"}", LD_CONTRACT_ERROR_FORBIDDEN_CONTENT },
      { "{" GIFT_BASE ",\"giftValue\":1,\"animation\":\"../../etc\"}", LD_CONTRACT_ERROR_INVALID_GIFT },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(JsonObject) payload = parse_object (cases[i].json);
        g_autoptr(LdGiftRequest) refused = ld_validate_gift (payload, &error);

        g_assert_null (refused);
        g_assert_error (error, LD_CONTRACT_ERROR, (gint) cases[i].code);
        g_clear_error (&error);
      }
  }

  /* The gift message: 200 characters (not bytes) at most. */
  {
    g_autoptr(GString) json = g_string_new ("{" GIFT_BASE ",\"giftValue\":1,\"message\":\"");
    g_autoptr(JsonObject) payload = NULL;
    g_autoptr(LdGiftRequest) ok = NULL;

    for (guint i = 0; i < 200; i++)
      g_string_append (json, "ữ");
    g_string_append (json, "\"}");
    payload = parse_object (json->str);
    ok = ld_validate_gift (payload, &error);
    g_assert_no_error (error);

    g_string_truncate (json, json->len - 2);
    g_string_append (json, "a\"}");
    g_clear_pointer (&payload, json_object_unref);
    payload = parse_object (json->str);
    g_assert_null (ld_validate_gift (payload, &error));
    g_assert_error (error, LD_CONTRACT_ERROR, LD_CONTRACT_ERROR_INVALID_GIFT);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gw/validate/codes", test_codes);
  g_test_add_func ("/gw/validate/ids", test_ids);
  g_test_add_func ("/gw/validate/sanitize", test_sanitize);
  g_test_add_func ("/gw/validate/forbidden", test_forbidden);
  g_test_add_func ("/gw/validate/text", test_text);
  g_test_add_func ("/gw/validate/image-url", test_image_url);
  g_test_add_func ("/gw/validate/payload-types", test_payload_types);
  g_test_add_func ("/gw/validate/gift", test_gift);
  g_test_add_func ("/gw/validate/ticket-ids", test_ticket_ids);

  return g_test_run ();
}
