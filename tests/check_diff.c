/* SPDX-License-Identifier: MIT */
/*
 * check_diff.c - one target's old row vs its new row: change kinds,
 * verdict ranks, flag levels, the flags that appeared and disappeared.
 */
#include <check.h>
#include <string.h>

#include "diff.h"

static struct diff_side side(const char *verdict, const char *flags, const char *ptr,
                             const char *host) {
  struct diff_side s = {verdict, strlen(verdict), flags, strlen(flags),
                        ptr,     strlen(ptr),     host,  strlen(host)};
  return s;
}

static char added[256], removed[256];

static enum diff_change cmp(struct diff_side o, struct diff_side n) {
  memset(added, 'X', sizeof added);
  memset(removed, 'X', sizeof removed);
  return diff_compare(&o, &n, added, sizeof added, removed, sizeof removed);
}

START_TEST(test_names) {
  ck_assert_str_eq(diff_change_name(DIFF_SAME), "same");
  ck_assert_str_eq(diff_change_name(DIFF_WORSE), "worse");
  ck_assert_str_eq(diff_change_name(DIFF_BETTER), "better");
  ck_assert_str_eq(diff_change_name(DIFF_CHANGED), "changed");
  ck_assert_str_eq(diff_change_name(DIFF_ADDED), "added");
  ck_assert_str_eq(diff_change_name(DIFF_GONE), "gone");
  ck_assert_str_eq(diff_change_name(DIFF_NEW_FAILING), "new_failing");
  ck_assert_str_eq(diff_change_name((enum diff_change)99), "?");
}
END_TEST

START_TEST(test_ranks) {
#define RANK(v) diff_verdict_rank(v, strlen(v))
  ck_assert_int_eq(RANK("ok"), 0);
  ck_assert_int_eq(RANK("skipped"), 0);
  ck_assert_int_eq(RANK("warn"), 1);
  ck_assert_int_eq(RANK("unknown"), 2);
  ck_assert_int_eq(RANK("fail"), 3);
  ck_assert_int_eq(RANK("invalid"), 3);
  ck_assert_int_eq(RANK("OK"), 3);   /* not a verdict: assume the worst */
  ck_assert_int_eq(RANK(""), 3);
  ck_assert_int_eq(RANK("oks"), 3);
  ck_assert_int_eq(diff_verdict_rank("okay", 2), 0); /* length-bounded */
#undef RANK
}
END_TEST

START_TEST(test_flag_levels) {
#define LEVEL(f) diff_flag_level(f, strlen(f))
  ck_assert_int_eq(LEVEL("NO_PTR"), 3);
  ck_assert_int_eq(LEVEL("PTR_NO_FORWARD"), 3);
  ck_assert_int_eq(LEVEL("FCRDNS_MISMATCH"), 3);
  ck_assert_int_eq(LEVEL("EXPECTED_MISMATCH"), 3);
  ck_assert_int_eq(LEVEL("PTR_TEMPERROR"), 2);
  ck_assert_int_eq(LEVEL("MULTI_PTR"), 1);
  ck_assert_int_eq(LEVEL("PTR_CNAME"), 1);
  ck_assert_int_eq(LEVEL("GENERIC_PTR"), 1);
  ck_assert_int_eq(LEVEL("SMTP_REJECT"), 1);
  ck_assert_int_eq(LEVEL("BANNER_MISMATCH"), 1);
  ck_assert_int_eq(LEVEL("BANNER_NOT_FQDN"), 1);
  ck_assert_int_eq(LEVEL("NO_SMTP"), 0);
  ck_assert_int_eq(LEVEL("PTR_TRUNCATED"), 0);
  ck_assert_int_eq(LEVEL("SOMETHING_NEW"), 1);
  ck_assert_int_eq(LEVEL("no_ptr"), 1);
#undef LEVEL
}
END_TEST

START_TEST(test_same) {
  ck_assert_int_eq(cmp(side("ok", "", "mx.example.com", "mx.example.com"),
                       side("ok", "", "mx.example.com", "mx.example.com")),
                   DIFF_SAME);
  ck_assert_str_eq(added, "");
  ck_assert_str_eq(removed, "");
  /* flags in another order are the same set */
  ck_assert_int_eq(cmp(side("warn", "MULTI_PTR GENERIC_PTR", "a b", "a"),
                       side("warn", "GENERIC_PTR MULTI_PTR", "a b", "a")),
                   DIFF_SAME);
  ck_assert_str_eq(added, "");
}
END_TEST

START_TEST(test_worse_by_verdict) {
  ck_assert_int_eq(cmp(side("ok", "", "mx.example.com", "mx.example.com"),
                       side("fail", "NO_PTR", "", "mx.example.com")),
                   DIFF_WORSE);
  ck_assert_str_eq(added, "NO_PTR");
  ck_assert_str_eq(removed, "");
  ck_assert_int_eq(
      cmp(side("warn", "GENERIC_PTR", "a", "a"), side("unknown", "PTR_TEMPERROR", "", "a")),
      DIFF_WORSE);
  ck_assert_str_eq(added, "PTR_TEMPERROR");
  ck_assert_str_eq(removed, "GENERIC_PTR");
  ck_assert_int_eq(cmp(side("skipped", "", "", ""), side("warn", "MULTI_PTR", "a b", "")),
                   DIFF_WORSE);
  ck_assert_int_eq(cmp(side("unknown", "PTR_TEMPERROR", "", ""), side("invalid", "", "", "")),
                   DIFF_WORSE);
  /* worse even when flags only went away (fewer flags, higher verdict) */
  ck_assert_int_eq(cmp(side("warn", "BANNER_MISMATCH NO_SMTP", "a", "b"),
                       side("fail", "FCRDNS_MISMATCH", "a", "")),
                   DIFF_WORSE);
  ck_assert_str_eq(added, "FCRDNS_MISMATCH");
  ck_assert_str_eq(removed, "BANNER_MISMATCH NO_SMTP");
}
END_TEST

START_TEST(test_worse_by_flags) {
  /* same verdict, a warn-level flag appeared */
  ck_assert_int_eq(cmp(side("warn", "GENERIC_PTR", "dyn.example", "dyn.example"),
                       side("warn", "GENERIC_PTR BANNER_MISMATCH", "dyn.example", "other")),
                   DIFF_WORSE);
  ck_assert_str_eq(added, "BANNER_MISMATCH");
  ck_assert_str_eq(removed, "");
  /* one warn flag swapped for another: still worse (something new) */
  ck_assert_int_eq(
      cmp(side("warn", "GENERIC_PTR", "a", "a"), side("warn", "MULTI_PTR", "a b", "a")),
      DIFF_WORSE);
  ck_assert_str_eq(added, "MULTI_PTR");
  ck_assert_str_eq(removed, "GENERIC_PTR");
  /* fail stays fail, a second fail-level flag appeared */
  ck_assert_int_eq(cmp(side("fail", "FCRDNS_MISMATCH", "a", ""),
                       side("fail", "FCRDNS_MISMATCH EXPECTED_MISMATCH", "a", "")),
                   DIFF_WORSE);
  ck_assert_str_eq(added, "EXPECTED_MISMATCH");
  /* an unknown flag name counts as warn-level */
  ck_assert_int_eq(cmp(side("ok", "", "a", "a"), side("ok", "FUTURE_FLAG", "a", "a")), DIFF_WORSE);
}
END_TEST

START_TEST(test_better) {
  ck_assert_int_eq(
      cmp(side("fail", "NO_PTR", "", "x"), side("ok", "", "mx.example.com", "mx.example.com")),
      DIFF_BETTER);
  ck_assert_str_eq(added, "");
  ck_assert_str_eq(removed, "NO_PTR");
  /* better verdict even though an informational flag appeared */
  ck_assert_int_eq(cmp(side("warn", "SMTP_REJECT", "a", "a"), side("ok", "NO_SMTP", "a", "")),
                   DIFF_BETTER);
  ck_assert_str_eq(added, "NO_SMTP");
  ck_assert_str_eq(removed, "SMTP_REJECT");
  /* better verdict even though a lower-level flag appeared */
  ck_assert_int_eq(
      cmp(side("fail", "PTR_NO_FORWARD", "a", "a"), side("warn", "GENERIC_PTR", "a", "a")),
      DIFF_BETTER);
  /* same verdict, a warn-level flag went away, none appeared */
  ck_assert_int_eq(cmp(side("warn", "MULTI_PTR GENERIC_PTR", "a b", "a"),
                       side("warn", "GENERIC_PTR", "a", "a")),
                   DIFF_BETTER);
  ck_assert_str_eq(added, "");
  ck_assert_str_eq(removed, "MULTI_PTR");
  ck_assert_int_eq(cmp(side("invalid", "", "", ""), side("skipped", "", "", "")), DIFF_BETTER);
}
END_TEST

START_TEST(test_changed) {
  /* PTR changed, still ok */
  ck_assert_int_eq(cmp(side("ok", "", "mx1.example.com", "mx1.example.com"),
                       side("ok", "", "mx2.example.com", "mx1.example.com")),
                   DIFF_CHANGED);
  ck_assert_str_eq(added, "");
  ck_assert_str_eq(removed, "");
  /* banner host changed */
  ck_assert_int_eq(cmp(side("ok", "", "a", "a"), side("ok", "", "a", "A")), DIFF_CHANGED);
  /* an informational flag appeared / went away */
  ck_assert_int_eq(cmp(side("ok", "", "a", "a"), side("ok", "NO_SMTP", "a", "")), DIFF_CHANGED);
  ck_assert_str_eq(added, "NO_SMTP");
  ck_assert_int_eq(cmp(side("warn", "GENERIC_PTR PTR_TRUNCATED", "a", "a"),
                       side("warn", "GENERIC_PTR", "a", "a")),
                   DIFF_CHANGED);
  ck_assert_str_eq(removed, "PTR_TRUNCATED");
  /* verdicts of the same rank */
  ck_assert_int_eq(cmp(side("fail", "", "", ""), side("invalid", "", "", "")), DIFF_CHANGED);
  ck_assert_int_eq(cmp(side("ok", "", "", ""), side("skipped", "", "", "")), DIFF_CHANGED);
}
END_TEST

START_TEST(test_flag_lists) {
  ck_assert_int_eq(cmp(side("fail", "NO_PTR NO_SMTP", "", ""),
                       side("fail", " NO_SMTP  PTR_NO_FORWARD  MULTI_PTR ", "a", "")),
                   DIFF_WORSE);
  ck_assert_str_eq(added, "PTR_NO_FORWARD MULTI_PTR");
  ck_assert_str_eq(removed, "NO_PTR");

  /* small buffers: cut at a name boundary, always terminated */
  struct diff_side o = side("ok", "", "", ""), n = side("fail", "NO_PTR FCRDNS_MISMATCH", "", "");
  char small[12];
  memset(small, 'X', sizeof small);
  ck_assert_int_eq(diff_compare(&o, &n, small, sizeof small, NULL, 0), DIFF_WORSE);
  ck_assert_str_eq(small, "NO_PTR");
  ck_assert_int_eq(diff_compare(&o, &n, NULL, 0, NULL, 0), DIFF_WORSE);
  /* a shorter name after one that did not fit is not added either */
  n = side("fail", "NO_PTR FCRDNS_MISMATCH MULTI_PTR", "", "");
  ck_assert_int_eq(diff_compare(&o, &n, small, sizeof small, NULL, 0), DIFF_WORSE);
  ck_assert_str_eq(small, "NO_PTR");
}
END_TEST

/* A target only in the new report: new_failing when its verdict is a
 * finding under --fail-on (fail: fail, invalid; warn: also warn and
 * unknown; never: none), else added.  Expectations from README "Exit
 * status" (the scan's --fail-on). */
START_TEST(test_added) {
  static const struct {
    const char *verdict;
    enum diff_change on_fail, on_warn, on_never;
  } cases[] = {
    {"fail", DIFF_NEW_FAILING, DIFF_NEW_FAILING, DIFF_ADDED},
    {"invalid", DIFF_NEW_FAILING, DIFF_NEW_FAILING, DIFF_ADDED},
    {"unknown", DIFF_ADDED, DIFF_NEW_FAILING, DIFF_ADDED},
    {"warn", DIFF_ADDED, DIFF_NEW_FAILING, DIFF_ADDED},
    {"ok", DIFF_ADDED, DIFF_ADDED, DIFF_ADDED},
    {"skipped", DIFF_ADDED, DIFF_ADDED, DIFF_ADDED},
    {"bogus", DIFF_NEW_FAILING, DIFF_NEW_FAILING, DIFF_ADDED}, /* unknown cell: the worst */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct diff_side n = side(cases[i].verdict, "", "", "");
    ck_assert_msg(diff_added(&n, VERDICT_FAIL_ON_FAIL) == cases[i].on_fail, "%s fail",
                  cases[i].verdict);
    ck_assert_msg(diff_added(&n, VERDICT_FAIL_ON_WARN) == cases[i].on_warn, "%s warn",
                  cases[i].verdict);
    ck_assert_msg(diff_added(&n, VERDICT_FAIL_ON_NEVER) == cases[i].on_never, "%s never",
                  cases[i].verdict);
  }
  ck_assert_int_eq(diff_is_finding("fail", 4, VERDICT_FAIL_ON_FAIL), 1);
  ck_assert_int_eq(diff_is_finding("warn", 4, VERDICT_FAIL_ON_FAIL), 0);
  ck_assert_int_eq(diff_is_regression(DIFF_WORSE), 1);
  ck_assert_int_eq(diff_is_regression(DIFF_NEW_FAILING), 1);
  ck_assert_int_eq(diff_is_regression(DIFF_ADDED), 0);
  ck_assert_int_eq(diff_is_regression(DIFF_BETTER), 0);
  ck_assert_int_eq(diff_is_regression(DIFF_GONE), 0);
  ck_assert_int_eq(diff_is_regression(DIFF_CHANGED), 0);
}
END_TEST

Suite *diff_suite(void) {
  Suite *s = suite_create("diff");
  TCase *tc = tcase_create("compare");
  tcase_add_test(tc, test_names);
  tcase_add_test(tc, test_ranks);
  tcase_add_test(tc, test_flag_levels);
  tcase_add_test(tc, test_same);
  tcase_add_test(tc, test_worse_by_verdict);
  tcase_add_test(tc, test_worse_by_flags);
  tcase_add_test(tc, test_better);
  tcase_add_test(tc, test_changed);
  tcase_add_test(tc, test_flag_lists);
  tcase_add_test(tc, test_added);
  suite_add_tcase(s, tc);
  return s;
}
