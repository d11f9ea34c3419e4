/* SPDX-License-Identifier: MIT */
/*
 * check_extsort.c - the external sort: address order (IPv4 before IPv6,
 * numerically; non-addresses last by text), ties by time then insertion,
 * unique mode, tiny limits that force many spill files and several merge
 * passes, temporary files gone, errors.
 */
#include <check.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "extsort.h"

static char dir[64];
static char *saved_tmpdir; /* restored: CK_FORK=no runs every test in one process */

static void setup(void) {
  const char *t = getenv("TMPDIR");
  saved_tmpdir = t ? strdup(t) : NULL;
  strcpy(dir, "/tmp/ptraudit-es-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  setenv("TMPDIR", dir, 1);
}

static int count_files(void) {
  DIR *d = opendir(dir);
  struct dirent *e;
  int n = 0;
  if (!d) return -1;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
  closedir(d);
  return n;
}

static void teardown(void) {
  rmdir(dir); /* the tests check themselves that nothing is left */
  if (saved_tmpdir) setenv("TMPDIR", saved_tmpdir, 1);
  else unsetenv("TMPDIR");
  free(saved_tmpdir);
  saved_tmpdir = NULL;
}

/* Rows are "ip|time|tag". */
static void add(struct extsort *s, const char *row) {
  char buf[256], err[256] = "";
  const char *f[3];
  size_t l[3];
  snprintf(buf, sizeof buf, "%s", row);
  char *p = buf;
  for (int i = 0; i < 3; i++) {
    char *bar = strchr(p, '|');
    if (bar) *bar = '\0';
    f[i] = p;
    l[i] = strlen(p);
    p = bar ? bar + 1 : p + strlen(p);
  }
  ck_assert_msg(extsort_add(s, f, l, err, sizeof err) == 0, "%s", err);
}

/* The whole sorted stream as "ip|time|tag" lines joined by spaces. */
static char *drain(struct extsort *s) {
  static char out[65536];
  const char *const *f;
  const size_t *l;
  char err[256] = "";
  size_t o = 0;
  int rc;
  out[0] = '\0';
  ck_assert_msg(extsort_finish(s, err, sizeof err) == 0, "%s", err);
  while ((rc = extsort_next(s, &f, &l, err, sizeof err)) == 1) {
    for (int i = 0; i < 3; i++) ck_assert_uint_eq(strlen(f[i]), l[i]);
    o += (size_t)snprintf(out + o, sizeof out - o, "%s%s|%s|%s", o ? " " : "", f[0], f[1],
                          f[2]);
  }
  ck_assert_msg(rc == 0, "%d %s", rc, err);
  return out;
}

static struct extsort *make(void) {
  struct extsort *s = NULL;
  char err[256] = "";
  ck_assert_msg(extsort_open(&s, 3, 0, 1, 0, err, sizeof err) == 0, "%s", err);
  return s;
}

static const char *const mixed[] = {
  "2001:db8::10|t|a", "10.0.0.10|t|b", "bogus|t|c", "9.255.255.255|t|d", "::1|t|e",
  "10.0.0.2|t|f", "'=x|t|g", "255.255.255.255|t|h", "2001:db8::9|t|i", "0.0.0.0|t|j",
  "|t|k", "bogus2|t|l", "ffff::|t|m", "::ffff:1.2.3.4|t|n", "10.0.0.9|t|o",
};
/* Hand-written: IPv4 numerically, then IPv6 numerically, then the rest by
 * bytes ("" < "'=x" < "bogus" < "bogus2"). */
static const char mixed_sorted[] =
  "0.0.0.0|t|j 9.255.255.255|t|d 10.0.0.2|t|f 10.0.0.9|t|o 10.0.0.10|t|b "
  "255.255.255.255|t|h ::1|t|e ::ffff:1.2.3.4|t|n 2001:db8::9|t|i 2001:db8::10|t|a "
  "ffff::|t|m |t|k '=x|t|g bogus|t|c bogus2|t|l";

START_TEST(test_order_in_memory) {
  struct extsort *s = make();
  for (size_t i = 0; i < sizeof mixed / sizeof mixed[0]; i++) add(s, mixed[i]);
  ck_assert_str_eq(drain(s), mixed_sorted);
  ck_assert_uint_eq(extsort_spills(s), 0);
  ck_assert_uint_eq(extsort_rows(s), 15);
  ck_assert_int_eq(count_files(), 0);
  extsort_close(s);
}
END_TEST

/* Two rows per run and two runs merged at a time: 8 spill files and
 * several intermediate merge passes, same result. */
START_TEST(test_order_spilled) {
  struct extsort *s = make();
  extsort_set_limits(s, 0, 2, 2);
  for (size_t i = 0; i < sizeof mixed / sizeof mixed[0]; i++) add(s, mixed[i]);
  ck_assert_str_eq(drain(s), mixed_sorted);
  ck_assert_uint_eq(extsort_spills(s), 8);
  ck_assert_int_eq(count_files(), 0); /* unlinked at creation */
  extsort_close(s);
}
END_TEST

/* The memory limit alone also spills. */
START_TEST(test_memory_limit_spills) {
  struct extsort *s = make();
  extsort_set_limits(s, 200, 0, 0);
  for (size_t i = 0; i < sizeof mixed / sizeof mixed[0]; i++) add(s, mixed[i]);
  ck_assert_str_eq(drain(s), mixed_sorted);
  ck_assert_uint_gt(extsort_spills(s), 3);
  extsort_close(s);
}
END_TEST

static const char *const ties[] = {
  "192.0.2.1|2024-01-02T00:00:00Z|a", "192.0.2.1|2024-01-01T00:00:00Z|b",
  "192.0.2.1|2024-01-02T00:00:00Z|c", "2001:DB8::1|2024-01-01T00:00:00Z|d",
  "2001:db8:0::1|2024-01-03T00:00:00Z|e", "2001:db8::1|2024-01-01T00:00:00Z|f",
  "x|2024|g", "x||h", "192.0.2.1||i",
};
static const char ties_sorted[] =
  "192.0.2.1||i 192.0.2.1|2024-01-01T00:00:00Z|b 192.0.2.1|2024-01-02T00:00:00Z|a "
  "192.0.2.1|2024-01-02T00:00:00Z|c 2001:DB8::1|2024-01-01T00:00:00Z|d "
  "2001:db8::1|2024-01-01T00:00:00Z|f 2001:db8:0::1|2024-01-03T00:00:00Z|e x||h x|2024|g";

START_TEST(test_equal_keys) {
  for (int spill = 0; spill < 2; spill++) {
    struct extsort *s = make();
    if (spill) extsort_set_limits(s, 0, 1, 3);
    for (size_t i = 0; i < sizeof ties / sizeof ties[0]; i++) add(s, ties[i]);
    ck_assert_str_eq(drain(s), ties_sorted);
    ck_assert_uint_eq(extsort_duplicates(s), 0);
    extsort_close(s);
  }
}
END_TEST

/* Unique mode: the last row of each target, i.e. the latest time, the
 * later row on equal times; "2001:DB8::1" and "2001:db8:0::1" are one
 * target. */
START_TEST(test_unique) {
  for (int spill = 0; spill < 2; spill++) {
    struct extsort *s = make();
    if (spill) extsort_set_limits(s, 0, 2, 2);
    extsort_set_unique(s, 1);
    for (size_t i = 0; i < sizeof ties / sizeof ties[0]; i++) add(s, ties[i]);
    ck_assert_str_eq(drain(s), "192.0.2.1|2024-01-02T00:00:00Z|c "
                               "2001:db8:0::1|2024-01-03T00:00:00Z|e x|2024|g");
    ck_assert_uint_eq(extsort_duplicates(s), 6);
    extsort_close(s);
  }
}
END_TEST

START_TEST(test_no_time_column_and_one_row) {
  struct extsort *s = NULL;
  char err[256];
  ck_assert_int_eq(extsort_open(&s, 3, 2, -1, 0, err, sizeof err), 0);
  extsort_set_unique(s, 1);
  add(s, "z|9|10.0.0.1");
  add(s, "a|1|10.0.0.1");
  ck_assert_str_eq(drain(s), "a|1|10.0.0.1"); /* no time: the later row */
  extsort_close(s);

  s = make();
  extsort_set_unique(s, 1);
  add(s, "10.0.0.1|t|only");
  ck_assert_str_eq(drain(s), "10.0.0.1|t|only");
  extsort_close(s);
}
END_TEST

START_TEST(test_empty) {
  for (int u = 0; u < 2; u++) {
    struct extsort *s = make();
    extsort_set_unique(s, u);
    ck_assert_str_eq(drain(s), "");
    ck_assert_int_eq(extsort_next(s, NULL, NULL, NULL, 0), 0);
    extsort_close(s);
  }
}
END_TEST

/* Many rows, tiny runs, small fan-in: every row comes out once, in order.
 * Checked by invariants (count, order, sum of tags), not by the output. */
START_TEST(test_many_rows) {
  struct extsort *s = make();
  const char *const *f;
  const size_t *l;
  char row[128], prev_ip[64] = "", prev_t[32] = "", err[256] = "";
  uint64_t sum = 0, got_sum = 0, n = 0, x = 88172645463325252ull;
  int rc;
  extsort_set_limits(s, 4096, 0, 4);
  for (int i = 0; i < 20000; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    if (i % 3 == 0)
      snprintf(row, sizeof row, "2001:db8::%x|%02u|%d", (unsigned)(x % 5000),
               (unsigned)(x >> 40) % 100, i);
    else
      snprintf(row, sizeof row, "10.%u.%u.%u|%02u|%d", (unsigned)(x >> 8) % 4,
               (unsigned)(x >> 16) % 256, (unsigned)(x >> 24) % 256,
               (unsigned)(x >> 40) % 100, i);
    add(s, row);
    sum += (uint64_t)i;
  }
  ck_assert_int_eq(extsort_finish(s, err, sizeof err), 0);
  ck_assert_uint_gt(extsort_spills(s), 50);
  while ((rc = extsort_next(s, &f, &l, err, sizeof err)) == 1) {
    if (n) {
      int c = extsort_ipcmp(prev_ip, strlen(prev_ip), f[0], l[0]);
      ck_assert_int_le(c, 0);
      if (c == 0) ck_assert_int_le(strcmp(prev_t, f[1]), 0);
    }
    snprintf(prev_ip, sizeof prev_ip, "%s", f[0]);
    snprintf(prev_t, sizeof prev_t, "%s", f[1]);
    got_sum += strtoull(f[2], NULL, 10);
    n++;
  }
  ck_assert_int_eq(rc, 0);
  ck_assert_uint_eq(n, 20000);
  ck_assert_uint_eq(got_sum, sum);
  ck_assert_int_eq(count_files(), 0);
  extsort_close(s);
}
END_TEST

/* A row bigger than an arena block, among small ones, spilled. */
START_TEST(test_big_row) {
  struct extsort *s = make();
  size_t big = 3 * 1024 * 1024;
  char *payload = malloc(big + 1);
  const char *f[3];
  size_t l[3];
  char err[256] = "";
  const char *const *of;
  const size_t *ol;
  ck_assert_ptr_nonnull(payload);
  memset(payload, 'p', big);
  payload[big] = '\0';
  extsort_set_limits(s, 0, 2, 0);
  add(s, "10.0.0.3|t|small3");
  f[0] = "10.0.0.2";
  f[1] = "t";
  f[2] = payload;
  l[0] = 8;
  l[1] = 1;
  l[2] = big;
  ck_assert_int_eq(extsort_add(s, f, l, err, sizeof err), 0);
  add(s, "10.0.0.1|t|small1");
  ck_assert_int_eq(extsort_finish(s, err, sizeof err), 0);
  ck_assert_int_eq(extsort_next(s, &of, &ol, err, sizeof err), 1);
  ck_assert_str_eq(of[2], "small1");
  ck_assert_int_eq(extsort_next(s, &of, &ol, err, sizeof err), 1);
  ck_assert_uint_eq(ol[2], big);
  ck_assert(!memcmp(of[2], payload, big));
  ck_assert_int_eq(extsort_next(s, &of, &ol, err, sizeof err), 1);
  ck_assert_str_eq(of[2], "small3");
  ck_assert_int_eq(extsort_next(s, &of, &ol, err, sizeof err), 0);
  extsort_close(s);
  free(payload);
}
END_TEST

START_TEST(test_errors) {
  struct extsort *s = NULL;
  char err[256] = "";
  ck_assert_int_eq(extsort_open(&s, 3, 3, 1, 0, err, sizeof err), UV_EINVAL);
  ck_assert_ptr_null(s);
  ck_assert_int_eq(extsort_open(&s, 3, 0, 5, 0, err, sizeof err), UV_EINVAL);
  ck_assert_int_eq(extsort_open(&s, 0, 0, -1, 0, err, sizeof err), UV_EINVAL);

  /* next before finish; add after finish */
  s = make();
  ck_assert_int_eq(extsort_next(s, NULL, NULL, err, sizeof err), UV_EINVAL);
  extsort_close(s);
  s = make();
  ck_assert_int_eq(extsort_finish(s, err, sizeof err), 0);
  const char *f[3] = {"1.2.3.4", "", ""};
  size_t l[3] = {7, 0, 0};
  ck_assert_int_eq(extsort_add(s, f, l, err, sizeof err), UV_EINVAL);
  extsort_close(s);

  /* no place for temporary files: the spill fails, naming the directory */
  setenv("TMPDIR", "/nonexistent/ptraudit-test", 1);
  s = make();
  extsort_set_limits(s, 0, 1, 0);
  add(s, "10.0.0.1|t|a");
  ck_assert_int_eq(extsort_add(s, f, l, err, sizeof err), UV_ENOENT);
  ck_assert_msg(strstr(err, "cannot create a temporary file in /nonexistent/ptraudit-test") != NULL,
                "%s", err);
  ck_assert_int_eq(extsort_finish(s, err, sizeof err), UV_ENOENT); /* sticky */
  extsort_close(s);
  setenv("TMPDIR", dir, 1);
}
END_TEST

START_TEST(test_ipcmp) {
#define IPCMP(a, b) extsort_ipcmp(a, strlen(a), b, strlen(b))
  ck_assert_int_eq(IPCMP("2001:DB8::1", "2001:db8:0::1"), 0);
  ck_assert_int_eq(IPCMP("192.0.2.1", "192.0.2.1"), 0);
  ck_assert_int_lt(IPCMP("9.0.0.0", "10.0.0.0"), 0);
  ck_assert_int_lt(IPCMP("255.255.255.255", "::"), 0);
  ck_assert_int_gt(IPCMP("::2", "::1"), 0);
  ck_assert_int_lt(IPCMP("ffff::", "0"), 0);     /* any address < non-address */
  ck_assert_int_gt(IPCMP("010.0.0.1", "10.0.0.1"), 0); /* strict: not an address */
  ck_assert_int_lt(IPCMP("abc", "abd"), 0);
  ck_assert_int_lt(IPCMP("ab", "abc"), 0);
  ck_assert_int_eq(IPCMP("x y", "x y"), 0);
  ck_assert_int_lt(IPCMP("", "a"), 0);
#undef IPCMP
}
END_TEST

Suite *extsort_suite(void) {
  Suite *s = suite_create("extsort");
  TCase *tc = tcase_create("sort");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_order_in_memory);
  tcase_add_test(tc, test_order_spilled);
  tcase_add_test(tc, test_memory_limit_spills);
  tcase_add_test(tc, test_equal_keys);
  tcase_add_test(tc, test_unique);
  tcase_add_test(tc, test_no_time_column_and_one_row);
  tcase_add_test(tc, test_empty);
  tcase_add_test(tc, test_many_rows);
  tcase_add_test(tc, test_big_row);
  tcase_add_test(tc, test_errors);
  tcase_add_test(tc, test_ipcmp);
  suite_add_tcase(s, tc);
  return s;
}
