/* SPDX-License-Identifier: MIT */
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
  /* TAB and CR starters are escaped and guarded (test_guard_after_space). */
  ESC("\t=1", "'\\x09=1");
  ESC("\r=1", "'\\x0d=1");
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

/* The invisible set (cell.h): zero-width characters, bidi marks, the BOM,
 * the soft hyphen and the rest are escaped byte by byte, so a cell can never
 * hold text a reader cannot see.  Expected strings written out by hand. */
START_TEST(test_invisible_set) {
  ESC("a\xe2\x80\x8b" "b", "a\\xe2\\x80\\x8bb");     /* U+200B ZERO WIDTH SPACE */
  ESC("a\xe2\x80\x8c" "b", "a\\xe2\\x80\\x8cb");     /* U+200C ZWNJ */
  ESC("a\xe2\x80\x8d" "b", "a\\xe2\\x80\\x8db");     /* U+200D ZWJ */
  ESC("a\xe2\x80\x8e" "b", "a\\xe2\\x80\\x8eb");     /* U+200E LRM */
  ESC("a\xe2\x80\x8f" "b", "a\\xe2\\x80\\x8fb");     /* U+200F RLM */
  ESC("\xef\xbb\xbf" "x", "\\xef\\xbb\\xbfx");       /* U+FEFF BOM */
  ESC("\xef\xbb\xbf\xef\xbb\xbf" "192.0.2.1",
      "\\xef\\xbb\\xbf\\xef\\xbb\\xbf192.0.2.1");     /* doubled BOM */
  ESC("ab\xc2\xad" "c", "ab\\xc2\\xadc");            /* U+00AD SOFT HYPHEN */
  ESC("\xd8\x9c" "x", "\\xd8\\x9cx");                /* U+061C ARABIC LETTER MARK */
  ESC("\xe2\x81\xa0", "\\xe2\\x81\\xa0");            /* U+2060 WORD JOINER */
  ESC("\xe2\x81\xaf", "\\xe2\\x81\\xaf");            /* U+206F */
  ESC("\xe2\x80\xa9", "\\xe2\\x80\\xa9");            /* U+2029 PARAGRAPH SEPARATOR */
  ESC("\xe2\x80\xaa", "\\xe2\\x80\\xaa");            /* U+202A LRE */
  ESC("\xe1\xa0\x8e", "\\xe1\\xa0\\x8e");            /* U+180E MONGOLIAN VOWEL SEPARATOR */
  ESC("\xef\xb8\x8f", "\\xef\\xb8\\x8f");            /* U+FE0F VARIATION SELECTOR-16 */
  ESC("\xef\xbf\xb9", "\\xef\\xbf\\xb9");            /* U+FFF9 interlinear annotation */
  ESC("\xf3\xa0\x80\x81", "\\xf3\\xa0\\x80\\x81");   /* U+E0001 LANGUAGE TAG */
  ESC("\xc2\x85", "\\xc2\\x85");                     /* U+0085 NEL (C1) */
  ESC("\xc2\x9f", "\\xc2\\x9f");                     /* U+009F (C1) */
  /* Neighbours that are visible stay as they are. */
  ESC("\xe2\x80\x8a", "\xe2\x80\x8a");                /* U+200A HAIR SPACE */
  ESC("\xe2\x80\x90", "\xe2\x80\x90");                /* U+2010 HYPHEN */
  ESC("\xe2\x81\xb0", "\xe2\x81\xb0");                /* U+2070 SUPERSCRIPT ZERO */
  ESC("\xc2\xa0", "\xc2\xa0");                        /* U+00A0 NO-BREAK SPACE */
  ESC("\xef\xbb\xbe", "\xef\xbb\xbe");                /* U+FEFE */
  ESC("\xc2\xae", "\xc2\xae");                        /* U+00AE */
}
END_TEST

/* A formula may start after leading white space: " =1" and "\t=1" are
 * formulas to some spreadsheets.  The guard goes first in the cell. */
START_TEST(test_guard_after_space) {
  ESC(" =1.x.test", "' =1.x.test");
  ESC("   +1", "'   +1");
  ESC(" -1", "' -1");
  ESC(" @x", "' @x");
  ESC("\t=1", "'\\x09=1");
  ESC("\r=1", "'\\x0d=1");
  ESC("\n=1", "'\\x0a=1");
  ESC(" \t\r\n =x", "' \\x09\\x0d\\x0a =x");
  ESC(" a=1", " a=1");  /* not a formula start */
  ESC("  ", "  ");
  ESC("\t", "\\x09");
  ESC(" '=1", " '=1"); /* only a leading quote is escaped */
  /* The guard goes with the first character when cut. */
  char buf[8];
  ck_assert_uint_eq(cell_escape(buf, 2, " =x", 3), 0);
  ck_assert_str_eq(buf, "");
  ck_assert_uint_eq(cell_escape(buf, 3, " =x", 3), 2);
  ck_assert_str_eq(buf, "' ");
  ck_assert_uint_eq(cell_escape(buf, 5, "\t=x", 3), 0);
  ck_assert_str_eq(buf, "");
  ck_assert_uint_eq(cell_escape(buf, 6, "\t=x", 3), 5);
  ck_assert_str_eq(buf, "'\\x09");
}
END_TEST

/* cell_unescape() is the inverse of cell_escape(): hand-written cells. */
static void expect_unesc(const char *in, const char *want, size_t wantlen) {
  char out[128];
  size_t n = cell_unescape(out, in, strlen(in));
  ck_assert_uint_eq(n, wantlen);
  ck_assert_mem_eq(out, want, wantlen);
}
#define UNESC(in, lit) expect_unesc(in, lit, sizeof(lit) - 1)

START_TEST(test_unescape) {
  UNESC("plain", "plain");
  UNESC("a\\x00b", "a\0b");
  UNESC("\\x5cx41", "\\x41");
  UNESC("'=1", "=1");
  UNESC("'@x", "@x");
  UNESC("' =1", " =1");
  UNESC("'\\x09=1", "\t=1");
  UNESC("'\\x0d\\x0a+1", "\r\n+1");
  UNESC("'abc", "'abc");        /* not a guard: kept (hand-made report) */
  UNESC("' abc", "' abc");
  UNESC("'", "'");
  UNESC("\\x27=1", "'=1");
  UNESC("\\xZZ\\x4", "\\xZZ\\x4"); /* not escapes: copied */
  UNESC("\\X41", "\\X41");
  UNESC("\\xC3\\xA9", "\xc3\xa9"); /* upper-case hex accepted */
}
END_TEST

/* Round trip both ways: unescape(escape(D)) == D, and escape(unescape(C))
 * == C for every C that escape produced. */
START_TEST(test_unescape_round_trip) {
  static const struct {
    const char *s;
    size_t len;
  } raw[] = {
      {"", 0}, {"=1", 2}, {"'=1", 3}, {" =1", 3}, {"\t-1", 3}, {"a\0b", 3},
      {"\\x41", 4}, {"\xef\xbb\xbf" "1.2.3.4", 10}, {"\xc5\xa9\xbb", 3}, {"'", 1},
  };
  for (size_t i = 0; i < sizeof raw / sizeof *raw; i++) {
    char cell[64], back[64], again[64];
    size_t cl = cell_escape(cell, sizeof cell, raw[i].s, raw[i].len);
    size_t bl = cell_unescape(back, cell, cl);
    ck_assert_uint_eq(bl, raw[i].len);
    ck_assert_mem_eq(back, raw[i].s, bl);
    size_t al = cell_escape(again, sizeof again, back, bl);
    ck_assert_uint_eq(al, cl);
    ck_assert_str_eq(again, cell);
  }
}
END_TEST

/* cell_show(): report text from a file (maybe hand-made) made safe for a
 * terminal: escapes already in it are kept, raw bytes are escaped. */
START_TEST(test_show) {
  char buf[64];
  ck_assert_uint_eq(cell_show(buf, sizeof buf, "192.0.2.1", 9), 9);
  ck_assert_str_eq(buf, "192.0.2.1");
  cell_show(buf, sizeof buf, "2026-01-01\x1b]0;pwned\x07", 20);
  ck_assert_str_eq(buf, "2026-01-01\\x1b]0;pwned\\x07");
  cell_show(buf, sizeof buf, "a\\x1bb", 6);
  ck_assert_str_eq(buf, "a\\x1bb");
  cell_show(buf, sizeof buf, "'=1", 3);
  ck_assert_str_eq(buf, "'=1");
  cell_show(buf, sizeof buf, "\xef\xbb\xbf\xef\xbb\xbf" "1.2.3.4", 13);
  ck_assert_str_eq(buf, "\\xef\\xbb\\xbf\\xef\\xbb\\xbf1.2.3.4");
  /* Cut cleanly in a small buffer. */
  ck_assert_uint_eq(cell_show(buf, 6, "ab\x1b" "cd", 5), 2);
  ck_assert_str_eq(buf, "ab");
}
END_TEST

/* cell_escape_from() resumes where an earlier call stopped: the pieces
 * joined are exactly cell_escape() of the whole, whatever the buffer size
 * (the JSON writer relies on this). */
START_TEST(test_escape_from_pieces) {
  char src[300];
  memset(src, 'x', 251);
  memcpy(src + 251, "\xc5\xa9\xbb\xbb\xbb\xbb", 6);
  size_t len = 257;
  char whole[CELL_ESCAPE_MAX(300)];
  size_t wl = cell_escape(whole, sizeof whole, src, len);
  for (size_t size = 17; size < 300; size += 7) {
    char joined[CELL_ESCAPE_MAX(300)], piece[300];
    size_t jl = 0, pos = 0;
    while (pos < len) {
      size_t n = cell_escape_from(piece, size, src, len, &pos);
      ck_assert_uint_gt(n, 0);
      memcpy(joined + jl, piece, n);
      jl += n;
    }
    ck_assert_uint_eq(jl, wl);
    ck_assert_mem_eq(joined, whole, wl);
  }
  ck_assert_str_eq(whole + 251, "\xc5\xa9\\xbb\\xbb\\xbb\\xbb");
}
END_TEST

static void unesc(const char *in, const char *want, size_t wantlen) {
  char out[256];
  size_t n = cell_unescape(out, in, strlen(in));
  ck_assert_uint_eq(n, wantlen);
  ck_assert_msg(!memcmp(out, want, n), "unescape '%s'", in);
}

START_TEST(test_unescape_old) {
  unesc("plain text", "plain text", 10);
  unesc("'=1+2", "=1+2", 4);
  unesc("'-x", "-x", 2);
  unesc("'+", "+", 1);
  unesc("'@a", "@a", 2);
  unesc("'a", "'a", 2);   /* not a guard: kept */
  unesc("a'=", "a'=", 3);
  unesc("a\\x0db\\x0a", "a\rb\n", 4);
  unesc("\\x00z", "\0z", 2);
  unesc("\\x5cx41", "\\x41", 4);
  unesc("\\xg1\\x4", "\\xg1\\x4", 7); /* not escapes: copied */
  unesc("\\x4A", "J", 1);
  unesc("", "", 0);

  /* in place */
  char buf[] = "'=a\\x09b";
  size_t n = cell_unescape(buf, buf, strlen(buf));
  ck_assert_uint_eq(n, 4);
  ck_assert(!memcmp(buf, "=a\tb", 4));
}
END_TEST

/* (moved from check_reportread.c with reportread_unescape)
 * Round trip: for raw bytes D, unescape(cell_escape(D)) == D, so copying
 * a cell through unescape + report.c's escaping reproduces it. */
START_TEST(test_unescape_roundtrip_old) {
  static const char *const raw[] = {
    "=cmd()", "-1", "+", "@x", "'quoted", "back\\slash", "tab\there", "nul",
    "\xc3\xa9t\xc3\xa9", "\xff\xfe bad utf8", "\xe2\x80\xae rtl", "\x1b[31mred", " sp ",
  };
  for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++) {
    char cell[256], back[256], again[256];
    size_t len = strlen(raw[i]);
    size_t cl = cell_escape(cell, sizeof cell, raw[i], len);
    size_t bl = cell_unescape(back, cell, cl);
    ck_assert_uint_eq(bl, len);
    ck_assert_msg(!memcmp(back, raw[i], len), "round trip of case %zu", i);
    size_t al = cell_escape(again, sizeof again, back, bl);
    ck_assert_uint_eq(al, cl);
    ck_assert_str_eq(again, cell);
  }
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
  tcase_add_test(tc, test_invisible_set);
  tcase_add_test(tc, test_guard_after_space);
  tcase_add_test(tc, test_unescape);
  tcase_add_test(tc, test_unescape_round_trip);
  tcase_add_test(tc, test_show);
  tcase_add_test(tc, test_escape_from_pieces);
  tcase_add_test(tc, test_unescape_old);
  tcase_add_test(tc, test_unescape_roundtrip_old);
  suite_add_tcase(s, tc);
  return s;
}
