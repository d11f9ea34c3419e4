/*
 * check_cell.c - cell escaping and the CSV-injection guard.  Every expected
 * string is written out by hand.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cell.h"

/* Escape s[0..len) into a roomy buffer and compare with want. */
static void expect_esc(const char *s, size_t len, const char *want) {
  char buf[256];
  size_t n = cell_escape(buf, sizeof buf, s, len);
  ck_assert_str_eq(buf, want);
  ck_assert_uint_eq(n, strlen(want));
  ck_assert_uint_eq(cell_escaped_size(s, len), strlen(want) + 1);
}
#define ESC(lit, want) expect_esc(lit, sizeof(lit) - 1, want)

START_TEST(test_plain_text_passes) {
  ESC("", "");
  ESC("mail.example.com", "mail.example.com");
  ESC("220 mx.example.org ESMTP Postfix", "220 mx.example.org ESMTP Postfix");
  ESC("a,b \"c\" d'e", "a,b \"c\" d'e"); /* CSV quoting is the report's job */
  ESC("x-y+z=w@v", "x-y+z=w@v");        /* only the first character is guarded */
}
END_TEST

START_TEST(test_control_bytes) {
  ESC("a\tb", "a\\x09b");
  ESC("line1\r\nline2", "line1\\x0d\\x0aline2");
  ESC("\x1b[31mred", "\\x1b[31mred");
  ESC("del\x7f", "del\\x7f");
  ESC("\x01\x1f", "\\x01\\x1f");
  ESC("nul\0here", "nul\\x00here");
  ESC("\0", "\\x00");
}
END_TEST

START_TEST(test_backslash_escaped) {
  ESC("a\\b", "a\\x5cb");
  /* A literal "\x41" in the input must not read back as "A". */
  ESC("\\x41", "\\x5cx41");
}
END_TEST

START_TEST(test_invalid_utf8) {
  ESC("\xc0\x80", "\\xc0\\x80");             /* overlong NUL */
  ESC("\xc1\xbf", "\\xc1\\xbf");             /* overlong 2-byte */
  ESC("\xe0\x80\xaf", "\\xe0\\x80\\xaf");    /* overlong 3-byte '/' */
  ESC("\xf0\x82\x82\xac", "\\xf0\\x82\\x82\\xac"); /* overlong 4-byte */
  ESC("a\x80z", "a\\x80z");                  /* lone continuation byte */
  ESC("\xbf\xbf", "\\xbf\\xbf");
  ESC("\xed\xa0\x80", "\\xed\\xa0\\x80");    /* surrogate U+D800 */
  ESC("\xed\xbf\xbf", "\\xed\\xbf\\xbf");    /* surrogate U+DFFF */
  ESC("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* U+110000 */
  ESC("\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80");
  ESC("\xff\xfe", "\\xff\\xfe");
  ESC("x\xe2\x82", "x\\xe2\\x82");           /* truncated euro sign at the end */
  ESC("\xe2\x82x", "\\xe2\\x82x");           /* truncated, then ASCII */
  ESC("\xf0\x9f\x98", "\\xf0\\x9f\\x98");    /* truncated 4-byte */
  ESC("caf\xe9", "caf\\xe9");                /* Latin-1 */
}
END_TEST

START_TEST(test_valid_multibyte_kept) {
  ESC("caf\xc3\xa9", "caf\xc3\xa9");                       /* é */
  ESC("\xe2\x82\xac 5", "\xe2\x82\xac 5");                 /* € */
  ESC("\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac"); /* 日本 */
  ESC("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");             /* U+1F600 */
  ESC("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");             /* U+10FFFF */
  ESC("\xed\x9f\xbf", "\xed\x9f\xbf");                     /* U+D7FF */
  ESC("a\xc2\xa0z", "a\xc2\xa0z");                         /* no-break space */
}
END_TEST

START_TEST(test_invisible_escaped) {
  ESC("\xc2\x9b" "31m", "\\xc2\\x9b31m");             /* C1 CSI */
  ESC("\xc2\x80", "\\xc2\\x80");
  ESC("abc\xe2\x80\xaexyz", "abc\\xe2\\x80\\xaexyz"); /* RIGHT-TO-LEFT OVERRIDE */
  ESC("\xe2\x80\xa8", "\\xe2\\x80\\xa8");             /* LINE SEPARATOR */
  ESC("\xe2\x81\xa6x", "\\xe2\\x81\\xa6x");           /* LEFT-TO-RIGHT ISOLATE */
}
END_TEST

START_TEST(test_injection_guard) {
  ESC("=1+2", "'=1+2");
  ESC("+1", "'+1");
  ESC("-1", "'-1");
  ESC("@SUM(A1:A9)", "'@SUM(A1:A9)");
  ESC("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")");
  ESC("=", "'=");
  ESC("a=1", "a=1");
  /* TAB and CR starters are escaped, which defuses them. */
  ESC("\t=1", "\\x09=1");
  ESC("\r=1", "\\x0d=1");
  /* A leading quote is escaped so that a leading ' always means "guard". */
  ESC("'=1", "\\x27=1");
  ESC("'", "\\x27");
  ESC("it's", "it's");
}
END_TEST

START_TEST(test_truncation) {
  char buf[16];

  memset(buf, 'X', sizeof buf);
  ck_assert_uint_eq(cell_escape(buf, 0, "abc", 3), 0);
  ck_assert_int_eq(buf[0], 'X'); /* size 0: nothing written */

  ck_assert_uint_eq(cell_escape(buf, 1, "abc", 3), 0);
  ck_assert_str_eq(buf, "");

  ck_assert_uint_eq(cell_escape(buf, 3, "abc", 3), 2);
  ck_assert_str_eq(buf, "ab");

  /* Never inside an escape. */
  ck_assert_uint_eq(cell_escape(buf, 5, "a\x01" "b", 3), 1);
  ck_assert_str_eq(buf, "a");
  ck_assert_uint_eq(cell_escape(buf, 6, "a\x01" "b", 3), 5);
  ck_assert_str_eq(buf, "a\\x01");
  ck_assert_uint_eq(cell_escape(buf, 7, "a\x01" "b", 3), 6);
  ck_assert_str_eq(buf, "a\\x01b");

  /* Never inside a UTF-8 sequence. */
  ck_assert_uint_eq(cell_escape(buf, 5, "ab\xe2\x82\xac", 5), 2);
  ck_assert_str_eq(buf, "ab");
  ck_assert_uint_eq(cell_escape(buf, 6, "ab\xe2\x82\xac", 5), 5);
  ck_assert_str_eq(buf, "ab\xe2\x82\xac");

  /* Never inside an escaped invisible character (12 characters). */
  ck_assert_uint_eq(cell_escape(buf, 12, "\xe2\x80\xae", 3), 0);
  ck_assert_str_eq(buf, "");
  ck_assert_uint_eq(cell_escape(buf, 13, "\xe2\x80\xae", 3), 12);

  /* The guard and what it guards go together. */
  ck_assert_uint_eq(cell_escape(buf, 2, "=x", 2), 0);
  ck_assert_str_eq(buf, "");
  ck_assert_uint_eq(cell_escape(buf, 3, "=x", 2), 2);
  ck_assert_str_eq(buf, "'=");
}
END_TEST

START_TEST(test_sizes) {
  ck_assert_uint_eq(cell_escaped_size("", 0), 1);
  ck_assert_uint_eq(cell_escaped_size("abc", 3), 4);
  ck_assert_uint_eq(cell_escaped_size("=x", 2), 4);
  ck_assert_uint_eq(cell_escaped_size("\x01\x02", 2), 9);
  /* The documented bound holds for every single byte and for the worst
   * strings. */
  for (int b = 0; b < 256; b++) {
    char c = (char)b;
    ck_assert_uint_le(cell_escaped_size(&c, 1), CELL_ESCAPE_MAX(1));
  }
  ck_assert_uint_le(cell_escaped_size("\xe2\x80\xae\xe2\x80\xae", 6), CELL_ESCAPE_MAX(6));
  ck_assert_uint_le(cell_escaped_size("=\x01", 2), CELL_ESCAPE_MAX(2));
}
END_TEST

START_TEST(test_utf8_check) {
  ck_assert_uint_eq(cell_utf8_check("", 0), 0);
  ck_assert_uint_eq(cell_utf8_check("abc", 3), 3);
  ck_assert_uint_eq(cell_utf8_check("a\0b", 3), 3);
  ck_assert_uint_eq(cell_utf8_check("caf\xc3\xa9", 5), 5);
  ck_assert_uint_eq(cell_utf8_check("caf\xe9", 4), 3);
  ck_assert_uint_eq(cell_utf8_check("ab\xc0\x80", 4), 2);
  ck_assert_uint_eq(cell_utf8_check("\xe2\x82", 2), 0);
  ck_assert_uint_eq(cell_utf8_check("x\xed\xa0\x80", 4), 1);
  ck_assert_uint_eq(cell_utf8_check("\xf0\x9f\x98\x80!", 5), 5);
}
END_TEST

/* Decoder written from the documented encoding: drop a leading ', then
 * turn every \xHH back into its byte.  Returns the decoded length. */
static size_t decode(const char *s, char *out) {
  size_t o = 0, i = 0, n = strlen(s);
  if (n && s[0] == '\'') i = 1;
  while (i < n) {
    if (s[i] == '\\') {
      ck_assert_uint_le(i + 4, n);
      ck_assert_int_eq(s[i + 1], 'x');
      out[o++] = (char)strtol((char[]){s[i + 2], s[i + 3], 0}, NULL, 16);
      i += 4;
    } else {
      out[o++] = s[i++];
    }
  }
  return o;
}

START_TEST(test_reversible_and_clean) {
  static const struct {
    const char *s;
    size_t len;
  } cases[] = {
      {"plain", 5},         {"=a", 2},          {"'=a", 3},
      {"'", 1},             {"\\\\x", 3},       {"\0\x01\x7f", 3},
      {"\xc0\x80\xed\xa0\x80", 5}, {"\xe2\x80\xae\xc2\x9b", 5},
      {"caf\xc3\xa9,\"q\"", 9},    {"-\r\n", 3},
  };
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    char buf[64], back[64];
    size_t n = cell_escape(buf, sizeof buf, cases[k].s, cases[k].len);
    ck_assert_uint_eq(decode(buf, back), cases[k].len);
    ck_assert_mem_eq(back, cases[k].s, cases[k].len);
    for (size_t i = 0; i < n; i++) { /* no control byte survives */
      unsigned char c = (unsigned char)buf[i];
      ck_assert(c >= 0x20 && c != 0x7f);
    }
  }
}
END_TEST

Suite *cell_suite(void) {
  Suite *s = suite_create("cell");
  TCase *tc = tcase_create("escape");
  tcase_add_test(tc, test_plain_text_passes);
  tcase_add_test(tc, test_control_bytes);
  tcase_add_test(tc, test_backslash_escaped);
  tcase_add_test(tc, test_invalid_utf8);
  tcase_add_test(tc, test_valid_multibyte_kept);
  tcase_add_test(tc, test_invisible_escaped);
  tcase_add_test(tc, test_injection_guard);
  tcase_add_test(tc, test_truncation);
  tcase_add_test(tc, test_sizes);
  tcase_add_test(tc, test_utf8_check);
  tcase_add_test(tc, test_reversible_and_clean);
  suite_add_tcase(s, tc);
  return s;
}
