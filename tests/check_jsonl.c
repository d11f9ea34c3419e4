/* SPDX-License-Identifier: MIT */
/*
 * check_jsonl.c - JSON Lines rows: keys in column order, string values,
 * cell escaping then JSON escaping, long values cut into pieces without
 * changing the result, snprintf-style truncation.  Expected lines are
 * written out by hand.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"

static const char *const names3[] = {"ip", "verdict", "flags"};

static void expect(const char *const *names, const char *const *fields, const size_t *lens,
                   size_t n, const char *want) {
  char buf[8192];
  size_t len = jsonl_format(buf, sizeof buf, names, fields, lens, n);
  ck_assert_str_eq(buf, want);
  ck_assert_uint_eq(len, strlen(want));
}

START_TEST(test_simple_row) {
  const char *f[] = {"192.0.2.1", "fail", "NO_PTR MULTI_PTR"};
  expect(names3, f, NULL, 3,
         "{\"ip\":\"192.0.2.1\",\"verdict\":\"fail\",\"flags\":\"NO_PTR MULTI_PTR\"}\n");
}
END_TEST

START_TEST(test_empty_and_null) {
  const char *f[] = {"192.0.2.1", NULL, ""};
  expect(names3, f, NULL, 3, "{\"ip\":\"192.0.2.1\",\"verdict\":\"\",\"flags\":\"\"}\n");
  expect(names3, f, NULL, 0, "{}\n");
  const char *nn[] = {NULL};
  const char *one[] = {"x"};
  expect(nn, one, NULL, 1, "{\"\":\"x\"}\n");
}
END_TEST

START_TEST(test_lengths) {
  /* Fields are not NUL-terminated when lens are given; NUL bytes inside. */
  const char *f[] = {"192.0.2.1junk", "okjunk", "a\0b"};
  size_t l[] = {9, 2, 3};
  expect(names3, f, l, 3, "{\"ip\":\"192.0.2.1\",\"verdict\":\"ok\",\"flags\":\"a\\\\x00b\"}\n");
}
END_TEST

START_TEST(test_quotes_and_backslash) {
  /* cell_escape() turns the backslash into \x5c; JSON then escapes that
   * backslash and the quote. */
  const char *names[] = {"banner"};
  const char *f[] = {"220 \"mx\" a\\b"};
  expect(names, f, NULL, 1, "{\"banner\":\"220 \\\"mx\\\" a\\\\x5cb\"}\n");
}
END_TEST

START_TEST(test_control_bytes) {
  const char *names[] = {"banner"};
  const char *f[] = {"line1\r\nline2\ttab\x7f"};
  expect(names, f, NULL, 1,
         "{\"banner\":\"line1\\\\x0d\\\\x0aline2\\\\x09tab\\\\x7f\"}\n");
  /* Names are escaped the same way. */
  const char *hostile[] = {"we\"ird\n"};
  const char *v[] = {"1"};
  expect(hostile, v, NULL, 1, "{\"we\\\"ird\\\\x0a\":\"1\"}\n");
}
END_TEST

START_TEST(test_utf8_and_guard) {
  const char *names[] = {"customer", "ptr", "note"};
  const char *f[] = {"Caf\xc3\xa9 M\xc3\xbcller", "=cmd|' /C calc'!A0", "bad \xff byte"};
  expect(names, f, NULL, 3,
         "{\"customer\":\"Caf\xc3\xa9 M\xc3\xbcller\",\"ptr\":\"'=cmd|' /C calc'!A0\","
         "\"note\":\"bad \\\\xff byte\"}\n");
  const char *q[] = {"'quoted"};
  expect(names, q, NULL, 1, "{\"customer\":\"\\\\x27quoted\"}\n");
  /* U+2028 (line separator) is escaped byte by byte by cell_escape(). */
  const char *ls[] = {"a\xe2\x80\xa8z"};
  expect(names, ls, NULL, 1, "{\"customer\":\"a\\\\xe2\\\\x80\\\\xa8z\"}\n");
}
END_TEST

START_TEST(test_long_values) {
  /* Values longer than one internal piece (256 bytes): a two-byte UTF-8
   * character across the boundary stays whole, and a `=` that starts the
   * second piece is not guarded (only the cell's first character is). */
  static char in[1200], want[4096];
  const char *names[] = {"v"};
  memset(in, 'a', 255);
  strcpy(in + 255, "\xc3\xa9=b");
  snprintf(want, sizeof want, "{\"v\":\"%s\"}\n", in);
  const char *f[] = {in};
  expect(names, f, NULL, 1, want);

  memset(in, 'a', 256);
  strcpy(in + 256, "=x");
  snprintf(want, sizeof want, "{\"v\":\"%s\"}\n", in);
  expect(names, f, NULL, 1, want);

  /* 600 control bytes: every one escaped, across three pieces. */
  memset(in, 1, 600);
  in[600] = '\0';
  strcpy(want, "{\"v\":\"");
  for (int i = 0; i < 600; i++) strcat(want, "\\\\x01");
  strcat(want, "\"}\n");
  expect(names, f, NULL, 1, want);

  /* A lone continuation-byte run across the boundary: each byte escaped. */
  memset(in, 'a', 250);
  memset(in + 250, 0x80, 10);
  in[260] = '\0';
  memset(want, 0, sizeof want);
  strcpy(want, "{\"v\":\"");
  memset(want + 6, 'a', 250);
  for (int i = 0; i < 10; i++) strcat(want, "\\\\x80");
  strcat(want, "\"}\n");
  expect(names, f, NULL, 1, want);
}
END_TEST

/* The same text as the CSV cell, also where the old piece cutting split a
 * character: 251 'x', U+0169 (c5 a9), then four stray bb bytes.  The CSV
 * cell is "xxx...\xc5\xa9\\xbb\\xbb\\xbb\\xbb" (the character kept, each
 * stray byte escaped); so must the JSON value be. */
START_TEST(test_same_text_as_csv) {
  static char in[300], want[600];
  const char *names[] = {"banner"};
  memset(in, 'x', 251);
  memcpy(in + 251, "\xc5\xa9\xbb\xbb\xbb\xbb", 7);
  strcpy(want, "{\"banner\":\"");
  memset(want + 11, 'x', 251);
  strcat(want, "\xc5\xa9\\\\xbb\\\\xbb\\\\xbb\\\\xbb\"}\n");
  const char *f[] = {in};
  expect(names, f, NULL, 1, want);
  /* The formula guard after leading white space, as in the CSV. */
  const char *g[] = {" =1.x.test"};
  expect(names, g, NULL, 1, "{\"banner\":\"' =1.x.test\"}\n");
}
END_TEST

START_TEST(test_truncation) {
  const char *f[] = {"192.0.2.1", "ok", ""};
  const char *full = "{\"ip\":\"192.0.2.1\",\"verdict\":\"ok\",\"flags\":\"\"}\n";
  size_t n = strlen(full);
  char buf[128];
  memset(buf, 'X', sizeof buf);
  ck_assert_uint_eq(jsonl_format(buf, 10, names3, f, NULL, 3), n);
  ck_assert_str_eq(buf, "");
  ck_assert_uint_eq(jsonl_format(buf, n, names3, f, NULL, 3), n); /* no room for NUL */
  ck_assert_str_eq(buf, "");
  ck_assert_uint_eq(jsonl_format(buf, n + 1, names3, f, NULL, 3), n);
  ck_assert_str_eq(buf, full);
  ck_assert_uint_eq(jsonl_format(NULL, 0, names3, f, NULL, 3), n); /* measure only */
}
END_TEST

Suite *jsonl_suite(void) {
  Suite *s = suite_create("jsonl");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_simple_row);
  tcase_add_test(tc, test_empty_and_null);
  tcase_add_test(tc, test_lengths);
  tcase_add_test(tc, test_quotes_and_backslash);
  tcase_add_test(tc, test_control_bytes);
  tcase_add_test(tc, test_utf8_and_guard);
  tcase_add_test(tc, test_long_values);
  tcase_add_test(tc, test_same_text_as_csv);
  tcase_add_test(tc, test_truncation);
  suite_add_tcase(s, tc);
  return s;
}
