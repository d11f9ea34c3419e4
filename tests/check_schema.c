/* SPDX-License-Identifier: MIT */
/*
 * check_schema.c - the column table: names and types as documented in
 * README ("Reports as data") and docs/report-format.md, written out here
 * by hand; lookups; the generated JSON Schema holds every column.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

START_TEST(test_columns) {
  static const struct {
    const char *name;
    enum schema_type type;
    int nullable;
  } want[SCHEMA_NCOLS] = {
    {"ip", SCHEMA_STRING, 0},          {"verdict", SCHEMA_ENUM, 0},
    {"flags", SCHEMA_LIST, 0},         {"iprev", SCHEMA_ENUM, 1},
    {"ptr_status", SCHEMA_ENUM, 1},    {"ptr", SCHEMA_LIST, 1},
    {"forward", SCHEMA_LIST, 1},       {"smtp_status", SCHEMA_ENUM, 0},
    {"smtp_code", SCHEMA_INTEGER, 1},  {"banner_host", SCHEMA_STRING, 1},
    {"banner", SCHEMA_STRING, 1},      {"expected", SCHEMA_STRING, 1},
    {"checked_at", SCHEMA_TIME, 0},    {"smtp_tries", SCHEMA_INTEGER, 1},
    {"greeting_ms", SCHEMA_INTEGER, 1}, {"ehlo_host", SCHEMA_STRING, 1},
    {"dnsbl", SCHEMA_STRING, 1},       {"dnsbl_txt", SCHEMA_STRING, 1},
    {"spf", SCHEMA_ENUM, 1},           {"spf_detail", SCHEMA_STRING, 1},
    {"dmarc", SCHEMA_STRING, 1},
  };
  for (int i = 0; i < SCHEMA_NCOLS; i++) {
    const struct schema_column *c = schema_column((enum schema_col)i);
    ck_assert_str_eq(c->name, want[i].name);
    ck_assert_str_eq(schema_name((enum schema_col)i), want[i].name);
    ck_assert_int_eq(c->type, want[i].type);
    ck_assert_int_eq(c->nullable, want[i].nullable);
    ck_assert_int_eq(schema_find(want[i].name), i);
    ck_assert(c->description && c->description[0]);
    ck_assert(!strchr(c->description, '"') && !strchr(c->description, '\\'));
  }
  ck_assert_ptr_null(schema_column(SCHEMA_NCOLS));
  ck_assert_ptr_null(schema_name(SCHEMA_NCOLS));
  ck_assert_int_eq(schema_find("owner"), -1);
  ck_assert_int_eq(schema_find("inv_verdict"), -1);
  ck_assert_int_eq(SCHEMA_VERSION, 2);
}
END_TEST

START_TEST(test_words) {
  const struct schema_column *v = schema_column(SCHEMA_VERDICT);
  ck_assert_str_eq(v->word(0), "ok");
  ck_assert_str_eq(v->word(5), "skipped");
  ck_assert_ptr_null(v->word(6));
  const struct schema_column *ip = schema_column(SCHEMA_IPREV);
  ck_assert_str_eq(ip->word(0), "pass"); /* the empty "not evaluated" name is no word */
  ck_assert_str_eq(ip->word(3), "temperror");
  ck_assert_ptr_null(ip->word(4));
  const struct schema_column *ps = schema_column(SCHEMA_PTR_STATUS);
  ck_assert_str_eq(ps->word(7), "error");
  ck_assert_ptr_null(ps->word(8));
  ck_assert_str_eq(schema_column(SCHEMA_FLAGS)->word(0), "NO_PTR");
  ck_assert_str_eq(schema_column(SCHEMA_SMTP_STATUS)->word(0), "skipped");
  ck_assert_ptr_null(schema_column(SCHEMA_PTR)->word);
}
END_TEST

START_TEST(test_json_schema) {
  size_t n = schema_json_schema(NULL, 0);
  char *b = malloc(n + 1), small[16];
  ck_assert_ptr_nonnull(b);
  ck_assert_uint_eq(schema_json_schema(b, n + 1), n);
  ck_assert_uint_eq(strlen(b), n);
  ck_assert(strstr(b, "\"$schema\": \"https://json-schema.org/draft/2020-12/schema\""));
  ck_assert(strstr(b, "\"x-ptraudit-schema-version\": 2,"));
  ck_assert(strstr(b, "    \"smtp_code\": {\n      \"type\": [\"integer\", \"null\"],"));
  ck_assert(strstr(b, "    \"flags\": {\n      \"type\": \"array\",\n      \"items\": {\"enum\": [\"NO_PTR\","));
  ck_assert(strstr(b, "    \"ptr\": {\n      \"type\": [\"array\", \"null\"],\n      \"items\": {\"type\": \"string\"}"));
  ck_assert(strstr(b, "\"enum\": [\"pass\", \"fail\", \"permerror\", \"temperror\", null]"));
  ck_assert(strstr(b, "\"format\": \"date-time\""));
  for (int i = 0; i < SCHEMA_NCOLS; i++) {
    char key[64];
    snprintf(key, sizeof key, "\n    \"%s\": {", schema_name((enum schema_col)i));
    ck_assert_msg(strstr(b, key), "column %s missing", schema_name((enum schema_col)i));
  }
  ck_assert(b[n - 1] == '\n');
  ck_assert_uint_eq(schema_json_schema(small, sizeof small), n);
  ck_assert_str_eq(small, "");
  free(b);
}
END_TEST

Suite *schema_suite(void) {
  Suite *s = suite_create("schema");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_columns);
  tcase_add_test(tc, test_words);
  tcase_add_test(tc, test_json_schema);
  suite_add_tcase(s, tc);
  return s;
}
