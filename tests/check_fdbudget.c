/* SPDX-License-Identifier: MIT */
/* check_fdbudget.c - the descriptor count a run needs, term by term,
 * written out by hand from fdbudget.h. */
#include <check.h>

#include "fdbudget.h"

START_TEST(defaults) {
  /* one server, one channel, SMTP on: loop 7 + report 2 + transient 1 +
   * input 3 + 1 * 1 * 3 + SMTP 1 */
  struct fdbudget b = {.channels = 0, .servers = 1, .smtp = 1};
  ck_assert_uint_eq(fdbudget_need(&b), 17);
  b.smtp = 0;
  ck_assert_uint_eq(fdbudget_need(&b), 16);
  b.html = 1;
  ck_assert_uint_eq(fdbudget_need(&b), 17);
}
END_TEST

START_TEST(servers_and_channels) {
  struct fdbudget b = {.channels = 4, .servers = 2, .smtp = 1};
  ck_assert_uint_eq(fdbudget_need(&b), 13 + 4 * 2 * 3 + 1);
  b.servers = 0; /* the system's: counted as 3 */
  b.channels = 1;
  ck_assert_uint_eq(fdbudget_need(&b), 13 + 9 + 1);
}
END_TEST

Suite *fdbudget_suite(void) {
  Suite *s = suite_create("fdbudget");
  TCase *tc = tcase_create("need");
  tcase_add_test(tc, defaults);
  tcase_add_test(tc, servers_and_channels);
  suite_add_tcase(s, tc);
  return s;
}
