/* SPDX-License-Identifier: MIT */
/*
 * check_jsonl.c - typed JSON Lines rows: keys in column order, values by
 * the column's type (string, list -> array, integer -> number, NULL ->
 * null), raw text JSON-escaped (no cell.h escapes, no spreadsheet guard),
 * invalid UTF-8 -> U+FFFD, snprintf-style truncation.  Expected lines are
 * written out by hand.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"

static const char *const names3[] = {"ip", "verdict", "flags"};
static const enum schema_type types3[] = {SCHEMA_STRING, SCHEMA_ENUM, SCHEMA_LIST};

static void expect_t(const char *const *names, const enum schema_type *types,
                     const char *const *fields, const size_t *lens, size_t n, const char *want) {
  char buf[8192];
  size_t len = jsonl_format(buf, sizeof buf, names, types, fields, lens, n);
  ck_assert_str_eq(buf, want);
  ck_assert_uint_eq(len, strlen(want));
}

static void expect(const char *const *names, const char *const *fields, const size_t *lens,
                   size_t n, const char *want) {
  expect_t(names, NULL, fields, lens, n, want);
}

START_TEST(test_simple_row) {
  const char *f[] = {"192.0.2.1", "fail", "NO_PTR MULTI_PTR"};
  expect_t(names3, types3, f, NULL, 3,
           "{\"ip\":\"192.0.2.1\",\"verdict\":\"fail\",\"flags\":[\"NO_PTR\",\"MULTI_PTR\"]}\n");
}
END_TEST

START_TEST(test_types) {
  const char *names[] = {"ptr", "smtp_code", "smtp_tries", "iprev", "banner", "checked_at"};
  enum schema_type t[] = {SCHEMA_LIST, SCHEMA_INTEGER, SCHEMA_INTEGER, SCHEMA_ENUM,
                          SCHEMA_STRING, SCHEMA_TIME};
  const char *a[] = {"mx.example.test", "220", "007", "pass", "", "2026-01-02T03:04:05Z"};
  expect_t(names, t, a, NULL, 6,
           "{\"ptr\":[\"mx.example.test\"],\"smtp_code\":220,\"smtp_tries\":7,\"iprev\":\"pass\","
           "\"banner\":\"\",\"checked_at\":\"2026-01-02T03:04:05Z\"}\n");
  /* NULL is null for every type; empty: list [], string "", the others null. */
  const char *n[] = {NULL, NULL, NULL, NULL, NULL, NULL};
  expect_t(names, t, n, NULL, 6,
           "{\"ptr\":null,\"smtp_code\":null,\"smtp_tries\":null,\"iprev\":null,"
           "\"banner\":null,\"checked_at\":null}\n");
  const char *e[] = {"", "", "", "", "", ""};
  expect_t(names, t, e, NULL, 6,
           "{\"ptr\":[],\"smtp_code\":null,\"smtp_tries\":null,\"iprev\":null,"
           "\"banner\":\"\",\"checked_at\":null}\n");
  /* A hand-made report's integer that is not digits stays a string. */
  const char *bad[] = {"a  b", "22x", "-1", "x", "y", "z"};
  expect_t(names, t, bad, NULL, 3,
           "{\"ptr\":[\"a\",\"\",\"b\"],\"smtp_code\":\"22x\",\"smtp_tries\":\"-1\"}\n");
}
END_TEST

START_TEST(test_empty_and_null) {
  const char *f[] = {"192.0.2.1", NULL, ""};
  expect(names3, f, NULL, 3, "{\"ip\":\"192.0.2.1\",\"verdict\":null,\"flags\":\"\"}\n");
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
  expect(names3, f, l, 3, "{\"ip\":\"192.0.2.1\",\"verdict\":\"ok\",\"flags\":\"a\\u0000b\"}\n");
}
END_TEST

START_TEST(test_quotes_and_backslash) {
  const char *names[] = {"banner"};
  const char *f[] = {"220 \"mx\" a\\b"};
  expect(names, f, NULL, 1, "{\"banner\":\"220 \\\"mx\\\" a\\\\b\"}\n");
}
END_TEST

START_TEST(test_control_bytes) {
  const char *names[] = {"banner"};
  const char *f[] = {"line1\r\nline2\ttab\x7f \xc2\x85 \xc2\xa0"};
  expect(names, f, NULL, 1,
         "{\"banner\":\"line1\\u000d\\u000aline2\\u0009tab\\u007f \\u0085 \xc2\xa0\"}\n");
  /* Names are escaped the same way. */
  const char *hostile[] = {"we\"ird\n"};
  const char *v[] = {"1"};
  expect(hostile, v, NULL, 1, "{\"we\\\"ird\\u000a\":\"1\"}\n");
  /* U+2028 and U+2029 end lines in JavaScript: escaped. */
  const char *ls[] = {"a\xe2\x80\xa8z\xe2\x80\xa9"};
  expect(names, ls, NULL, 1, "{\"banner\":\"a\\u2028z\\u2029\"}\n");
}
END_TEST

START_TEST(test_raw_unicode_no_guard) {
  const char *names[] = {"customer", "ptr", "note", "zw"};
  const char *f[] = {"Caf\xc3\xa9 M\xc3\xbcller", "=cmd|' /C calc'!A0", "'quoted",
                     "a\xe2\x80\x8b\xf0\x9f\x93\xa7"};
  expect(names, f, NULL, 4,
         "{\"customer\":\"Caf\xc3\xa9 M\xc3\xbcller\",\"ptr\":\"=cmd|' /C calc'!A0\","
         "\"note\":\"'quoted\",\"zw\":\"a\xe2\x80\x8b\xf0\x9f\x93\xa7\"}\n");
}
END_TEST

START_TEST(test_invalid_utf8) {
  const char *names[] = {"banner"};
  /* stray byte, stray continuation, overlong C0 80, surrogate ED A0 80, cut
   * sequence at the end: one U+FFFD per byte that starts no valid sequence. */
  const char *f[] = {"a\xff" "b\x80" "c\xc0\x80" "d\xed\xa0\x80" "e\xe2\x82"};
  expect(names, f, NULL, 1,
         "{\"banner\":\"a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd"
         "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "e\xef\xbf\xbd\xef\xbf\xbd\"}\n");
}
END_TEST

START_TEST(test_string_helper) {
  char buf[64];
  ck_assert_uint_eq(jsonl_string(buf, sizeof buf, "a\"b\n", 4), 12);
  ck_assert_str_eq(buf, "\"a\\\"b\\u000a\"");
  ck_assert_uint_eq(jsonl_string(buf, 5, "abcdef", 6), 8);
  ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_long_values) {
  static char in[1200], want[4096];
  const char *names[] = {"v"};
  memset(in, 'a', 1000);
  strcpy(in + 1000, "\xc3\xa9=b");
  snprintf(want, sizeof want, "{\"v\":\"%s\"}\n", in);
  const char *f[] = {in};
  expect(names, f, NULL, 1, want);
}
END_TEST

START_TEST(test_truncation) {
  const char *f[] = {"192.0.2.1", "ok", ""};
  const char *full = "{\"ip\":\"192.0.2.1\",\"verdict\":\"ok\",\"flags\":[]}\n";
  size_t n = strlen(full);
  char buf[128];
  memset(buf, 'X', sizeof buf);
  ck_assert_uint_eq(jsonl_format(buf, 10, names3, types3, f, NULL, 3), n);
  ck_assert_str_eq(buf, "");
  ck_assert_uint_eq(jsonl_format(buf, n, names3, types3, f, NULL, 3), n); /* no room for NUL */
  ck_assert_str_eq(buf, "");
  ck_assert_uint_eq(jsonl_format(buf, n + 1, names3, types3, f, NULL, 3), n);
  ck_assert_str_eq(buf, full);
  ck_assert_uint_eq(jsonl_format(NULL, 0, names3, types3, f, NULL, 3), n); /* measure only */
}
END_TEST

Suite *jsonl_suite(void) {
  Suite *s = suite_create("jsonl");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_simple_row);
  tcase_add_test(tc, test_types);
  tcase_add_test(tc, test_empty_and_null);
  tcase_add_test(tc, test_lengths);
  tcase_add_test(tc, test_quotes_and_backslash);
  tcase_add_test(tc, test_control_bytes);
  tcase_add_test(tc, test_raw_unicode_no_guard);
  tcase_add_test(tc, test_invalid_utf8);
  tcase_add_test(tc, test_string_helper);
  tcase_add_test(tc, test_long_values);
  tcase_add_test(tc, test_truncation);
  suite_add_tcase(s, tc);
  return s;
}
