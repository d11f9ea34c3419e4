/* SPDX-License-Identifier: MIT */
/*
 * check_orgdomain.c - the organisational domain (RFC 7489 section 3.2)
 * with libpsl and the system's Public Suffix List (net/orgdomain.h).
 * Expectations are rules of the list that have held for years (co.uk,
 * the default "*" rule, github.io in the private section).
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "orgdomain.h"

static struct orgdomain *od;

static void setup(void) {
  char err[256] = "";
  ck_assert_msg(orgdomain_new(&od, err, sizeof err) == 0, "%s", err);
}
static void teardown(void) {
  orgdomain_free(od);
  od = NULL;
}

static const char *org(const char *name) {
  static char out[256];
  int n = orgdomain_get(od, name, out, sizeof out);
  ck_assert_msg(n > 0, "%s: %d", name, n);
  ck_assert_int_eq((int)strlen(out), n);
  return out;
}

START_TEST(registrable) {
  ck_assert_str_eq(org("example.com"), "example.com");
  ck_assert_str_eq(org("mail.example.com"), "example.com");
  ck_assert_str_eq(org("a.b.example.co.uk"), "example.co.uk");
  ck_assert_str_eq(org("example.co.uk"), "example.co.uk");
  /* Private section: each github.io user is an organisation. */
  ck_assert_str_eq(org("www.someone.github.io"), "someone.github.io");
}
END_TEST

START_TEST(unknown_tld_default_rule) {
  ck_assert_str_eq(org("a.b.example.unknowntld"), "example.unknowntld");
  ck_assert_str_eq(org("example.unknowntld"), "example.unknowntld");
}
END_TEST

START_TEST(trailing_dot_and_case) {
  ck_assert_str_eq(org("Mail.Example.COM."), "example.com");
  /* Upper case must not change the answer (libpsl itself wants lower). */
  ck_assert_str_eq(org("A.B.Example.CO.UK"), "example.co.uk");
}
END_TEST

START_TEST(public_suffix_itself) {
  char out[256];
  ck_assert_int_eq(orgdomain_get(od, "co.uk", out, sizeof out), -ENOENT);
  ck_assert_int_eq(orgdomain_get(od, "com", out, sizeof out), -ENOENT);
  ck_assert_int_eq(orgdomain_get(od, "COM.", out, sizeof out), -ENOENT);
  ck_assert_int_eq(orgdomain_get(od, "github.io", out, sizeof out), -ENOENT);
  ck_assert_int_eq(orgdomain_get(od, "unknowntld", out, sizeof out), -ENOENT);
}
END_TEST

START_TEST(bad_names) {
  char out[256], small[8];
  char big[300];
  ck_assert_int_eq(orgdomain_get(od, "", out, sizeof out), -EINVAL);
  ck_assert_int_eq(orgdomain_get(od, NULL, out, sizeof out), -EINVAL);
  ck_assert_int_eq(orgdomain_get(od, ".", out, sizeof out), -EINVAL);
  ck_assert_int_eq(orgdomain_get(od, "a..example.com", out, sizeof out), -EINVAL);
  ck_assert_int_eq(orgdomain_get(od, ".example.com", out, sizeof out), -EINVAL);
  ck_assert_int_eq(orgdomain_get(od, "example.com..", out, sizeof out), -EINVAL);
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  for (int i = 50; i < 290; i += 50) big[i] = '.';
  ck_assert_int_eq(orgdomain_get(od, big, out, sizeof out), -EINVAL);
  ck_assert_int_eq(orgdomain_get(od, "mail.example.com", small, sizeof small), -ENAMETOOLONG);
  ck_assert_int_eq(orgdomain_get(od, "mail.example.com", out, 12), 11);
  ck_assert_int_eq(orgdomain_get(od, "mail.example.com", out, 11), -ENAMETOOLONG);
}
END_TEST

Suite *orgdomain_suite(void) {
  Suite *s = suite_create("orgdomain");
  TCase *t = tcase_create("psl");
  tcase_add_checked_fixture(t, setup, teardown);
  tcase_add_test(t, registrable);
  tcase_add_test(t, unknown_tld_default_rule);
  tcase_add_test(t, trailing_dot_and_case);
  tcase_add_test(t, public_suffix_itself);
  tcase_add_test(t, bad_names);
  suite_add_tcase(s, t);
  return s;
}
