/* SPDX-License-Identifier: MIT */
/* check_plural.c - "1 row", "0 rows", "2 rows", and counts past 2^64. */
#include <check.h>

#include "plural.h"

START_TEST(words) {
  ck_assert_str_eq(plural_word(1, "row", "rows"), "row");
  ck_assert_str_eq(plural_word(0, "row", "rows"), "rows");
  ck_assert_str_eq(plural_word(2, "row", "rows"), "rows");
  ck_assert_str_eq(plural_word(((unsigned __int128)1 << 64) + 1, "address", "addresses"),
                   "addresses"); /* not 1 once cut to 64 bits */
}
END_TEST

Suite *plural_suite(void) {
  Suite *s = suite_create("plural");
  TCase *tc = tcase_create("words");
  tcase_add_test(tc, words);
  suite_add_tcase(s, tc);
  return s;
}
