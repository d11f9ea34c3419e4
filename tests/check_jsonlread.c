/* SPDX-License-Identifier: MIT */
/*
 * check_jsonlread.c - a JSON-lines row back to the CSV reader's cell text:
 * typed values (arrays, numbers, null, booleans), JSON escapes, cell.h
 * escaping of the decoded text, errors naming the field.  Expected texts
 * written by hand.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonlread.h"

#define MAXM 16

static char out[4096], scratch[1024], err[256];
static struct jsonlread_member m[MAXM];

static size_t parse_ok(const char *line) {
  size_t n;
  int rc = jsonlread_parse(line, strlen(line), out, sizeof out, scratch, m, MAXM, &n, err,
                           sizeof err);
  ck_assert_msg(rc == 0, "%s", err);
  return n;
}

static void member(size_t i, const char *key, const char *val) {
  ck_assert_str_eq(out + m[i].key, key);
  ck_assert_uint_eq(m[i].key_len, strlen(key));
  ck_assert_str_eq(out + m[i].val, val);
  ck_assert_uint_eq(m[i].val_len, strlen(val));
}

START_TEST(test_typed_values) {
  size_t n = parse_ok("{\"ip\":\"192.0.2.1\",\"flags\":[\"NO_PTR\",\"MULTI_PTR\"],\"ptr\":[],"
                      "\"forward\":null,\"smtp_code\":220,\"x\":true, \"y\" : false ,"
                      "\"z\":-1.5e3}");
  ck_assert_uint_eq(n, 8);
  member(0, "ip", "192.0.2.1");
  member(1, "flags", "NO_PTR MULTI_PTR");
  member(2, "ptr", "");
  member(3, "forward", "");
  member(4, "smtp_code", "220");
  member(5, "x", "true");
  member(6, "y", "false");
  member(7, "z", "'-1.5e3"); /* the CSV cell of "-1.5e3" carries the guard */
  ck_assert_uint_eq(parse_ok("{}"), 0);
}
END_TEST

START_TEST(test_cell_text) {
  /* Decoded, then escaped as the CSV writer does: controls and the
   * backslash as \xHH, the formula guard, U+FFFD kept as a character. */
  size_t n = parse_ok("{\"banner\":\"a\\u0000b\\r\\n\\\\ \\\"q\\\" \\u00e9\\ud83d\\udce7\","
                      "\"ptr\":[\"=x\",\"y\"],\"s\":\"\\ud800\",\"k\\u0009\":\"\\/\"}");
  ck_assert_uint_eq(n, 4);
  member(0, "banner", "a\\x00b\\x0d\\x0a\\x5c \"q\" \xc3\xa9\xf0\x9f\x93\xa7");
  member(1, "ptr", "'=x y");
  member(2, "s", "\xef\xbf\xbd");
  member(3, "k\\x09", "/");
}
END_TEST

static void parse_bad(const char *line, const char *want) {
  size_t n;
  int rc = jsonlread_parse(line, strlen(line), out, sizeof out, scratch, m, MAXM, &n, err,
                           sizeof err);
  ck_assert_int_eq(rc, -EINVAL);
  ck_assert_msg(strstr(err, want), "'%s' lacks '%s'", err, want);
}

START_TEST(test_errors) {
  parse_bad("ip,verdict", "not a JSON object: the line does not start with '{'");
  parse_bad("{\"ip\":\"1\",\"x\":{\"a\":1}}", "field 'x': nested object");
  parse_bad("{\"flags\":[[\"a\"]]}", "field 'flags': nested value inside an array");
  parse_bad("{\"ip\":\"a\tb\"}", "field 'ip': raw control byte inside a string");
  parse_bad("{\"ip\":\"abc", "field 'ip': string not closed");
  parse_bad("{\"ip\":\"1\"} x", "text after the object");
  parse_bad("{\"ip\":\"1\" \"v\":2}", "field 'ip': expected ',' or '}'");
  parse_bad("{\"ip\":nope}", "field 'ip': not a JSON value");
  parse_bad("{\"ip\":\"\\q\"}", "field 'ip': bad escape");
  size_t n;
  static struct jsonlread_member two[2];
  ck_assert_int_eq(jsonlread_parse("{\"a\":1,\"b\":2,\"c\":3}", 19, out, sizeof out, scratch, two,
                                   2, &n, err, sizeof err),
                   -E2BIG);
}
END_TEST

Suite *jsonlread_suite(void) {
  Suite *s = suite_create("jsonlread");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_typed_values);
  tcase_add_test(tc, test_cell_text);
  tcase_add_test(tc, test_errors);
  suite_add_tcase(s, tc);
  return s;
}
