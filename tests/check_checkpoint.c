/* SPDX-License-Identifier: MIT */
/* check_checkpoint.c - checkpoint files: round trip, rejection of broken
 * files, the done test, and merging a resumed run's state. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include <sys/stat.h>

#include "atomicfile.h"
#include "checkpoint.h"

static char path[64];
static char err[512];

static void setup(void) {
  strcpy(path, "/tmp/check_cp.XXXXXX");
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
}

static void teardown(void) { unlink(path); }

static void write_text(const char *text) {
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
}

START_TEST(round_trip) {
  struct checkpoint cp = {0}, back;
  uint64_t pend[] = {90, 12, 57};
  cp.fingerprint = 0xdeadbeef01234567ull;
  cp.next = 100;
  cp.pending = malloc(sizeof pend);
  memcpy(cp.pending, pend, sizeof pend);
  cp.npending = 3;
  strcpy(cp.report, "out.csv.gz");
  unlink(path);
  ck_assert_int_eq(checkpoint_write(path, &cp, 0, err, sizeof err), 0);
  checkpoint_free(&cp);

  FILE *f = fopen(path, "r");
  char text[256] = "";
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  ck_assert_str_eq(text, "ptraudit-checkpoint 2\nfingerprint deadbeef01234567\nnext 100\n"
                         "pending 12 57 90\nreport out.csv.gz\n");

  ck_assert_int_eq(checkpoint_read(path, &back, err, sizeof err), 0);
  ck_assert_uint_eq(back.fingerprint, 0xdeadbeef01234567ull);
  ck_assert_uint_eq(back.next, 100);
  ck_assert_uint_eq(back.npending, 3);
  ck_assert_int_eq(checkpoint_done(&back, 0), 1);
  ck_assert_int_eq(checkpoint_done(&back, 12), 0);
  ck_assert_int_eq(checkpoint_done(&back, 56), 1);
  ck_assert_int_eq(checkpoint_done(&back, 57), 0);
  ck_assert_int_eq(checkpoint_done(&back, 99), 1);
  ck_assert_int_eq(checkpoint_done(&back, 100), 0);
  ck_assert_str_eq(back.report, "out.csv.gz");
  checkpoint_free(&back);
}
END_TEST

START_TEST(rejects_broken_files) {
  struct checkpoint cp;
  write_text("ip,verdict\n1.2.3.4,ok\n");
  ck_assert_int_eq(checkpoint_read(path, &cp, err, sizeof err), UV_EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "not a ptraudit checkpoint"));
  write_text("ptraudit-checkpoint 2\nnext 5\n");
  ck_assert_int_eq(checkpoint_read(path, &cp, err, sizeof err), UV_EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "fingerprint"));
  ck_assert_int_eq(checkpoint_read("/nonexistent/cp", &cp, err, sizeof err), UV_EINVAL);
}
END_TEST

/* Every field is parsed strictly: one hand-written bad file per rule, with
 * the line and the words the message must hold. */
#define WITH_NUL(lit) lit, sizeof lit - 1 /* a literal holding a NUL, whole */
static const struct {
  const char *text;
  size_t len; /* 0: strlen */
  const char *want;
} bad_files[] = {
  {"ptraudit-checkpoint 1\nfingerprint 0000000000000001\nnext 5\n", 0, ":1: a version 1"},
  {"ptraudit-checkpoint 3\n", 0, ":1: not a ptraudit checkpoint"},
  {"ptraudit-checkpoint 2\nfingerprint 1\nnext 5\npending\nreport a\n", 0, ":2: bad fingerprint"},
  {"ptraudit-checkpoint 2\nfingerprint 000000000000000G\nnext 5\npending\nreport a\n", 0,
   ":2: bad fingerprint"},
  {"ptraudit-checkpoint 2\nfingerprint 00000000000000AB\nnext 5\npending\nreport a\n", 0,
   ":2: bad fingerprint"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext -1\npending\nreport a\n", 0,
   ":3: bad next"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext +5\npending\nreport a\n", 0,
   ":3: bad next"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 05\npending\nreport a\n", 0,
   ":3: bad next"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5x\npending\nreport a\n", 0,
   ":3: bad next"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 18446744073709551616\npending\n"
   "report a\n", 0, ":3: bad next"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext \npending\nreport a\n", 0,
   ":3: bad next"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\npending 1 x\nreport a\n", 0,
   ":4: bad pending"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\npending 1  2\nreport a\n", 0,
   ":4: bad pending"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\npending 1 \nreport a\n", 0,
   ":4: bad pending"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\npending \nreport a\n", 0,
   ":4: bad pending"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\npending 7\nreport a\n", 0,
   ":4: pending entry not below next"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\npending 3 1\nreport a\n", 0,
   ":4: pending list not strictly ascending"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\npending 1 1\nreport a\n", 0,
   ":4: pending list not strictly ascending"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\npending\nreport a\nnext 9\n", 0,
   ":6: text after the report line"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\npending\nreport a", 0,
   ":5: last line has no line end"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\npending\n", 0,
   ":5: incomplete checkpoint: no report line"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\nreport a\npending\n", 0,
   ":4: expected the pending line"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\npending\nreport\n", 0,
   ":5: expected \"report \" and"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\npending\nreport a\r\n", 0,
   ":5: report name holds an unescaped control"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\npending\nreport a\\n\n", 0,
   ":5: report name: bad escape"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\npending\nreport a\\x00\n", 0,
   ":5: report name holds a NUL byte"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\npending\nreport a\\x4\n", 0,
   ":5: report name: bad escape"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\npending\nreport a\\x41\n", 0,
   ":5: report name: \\xHH of a printable byte"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\npending\nreport a\\x5c\n", 0,
   ":5: report name: \\xHH of a printable byte"},
  {"ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\npending\nreport a\xc3\xa9\n", 0,
   ":5: report name holds an unescaped control or non-ASCII"},
  /* A NUL hides nothing: the text after it is not ignored. */
  {WITH_NUL("ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\npending\nreport a\n"
            "\0next 9\n"), ":6: NUL byte"},
  {WITH_NUL("ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\0 junk\npending\n"
            "report a\n"), ":3: NUL byte"},
};

START_TEST(strict_parse) {
  struct checkpoint cp;
  const char *t = bad_files[_i].text;
  size_t len = bad_files[_i].len ? bad_files[_i].len : strlen(t);
  err[0] = '\0';
  ck_assert_int_eq(checkpoint_parse(t, len, "cp", &cp, err, sizeof err), UV_EINVAL);
  if (!strstr(err, bad_files[_i].want))
    ck_abort_msg("case %d: message '%s' lacks '%s'", _i, err, bad_files[_i].want);
  ck_assert_ptr_null(cp.pending);
}
END_TEST

START_TEST(parse_accepts_exact_file) {
  struct checkpoint cp;
  const char *t = "ptraudit-checkpoint 2\nfingerprint 00000000000000ab\nnext 18446744073709551615\n"
                  "pending 0 7 18446744073709551614\nreport /r/a b\\\\c\\x0a\\xc3\n";
  ck_assert_int_eq(checkpoint_parse(t, strlen(t), "cp", &cp, err, sizeof err), 0);
  ck_assert_uint_eq(cp.fingerprint, 0xab);
  ck_assert_uint_eq(cp.next, UINT64_MAX);
  ck_assert_uint_eq(cp.npending, 3);
  ck_assert_uint_eq(cp.pending[2], UINT64_MAX - 1);
  ck_assert_str_eq(cp.report, "/r/a b\\c\n\xc3");
  checkpoint_free(&cp);
  t = "ptraudit-checkpoint 2\nfingerprint 0000000000000000\nnext 0\npending\nreport \n";
  ck_assert_int_eq(checkpoint_parse(t, strlen(t), "cp", &cp, err, sizeof err), 0);
  ck_assert_uint_eq(cp.npending, 0);
  ck_assert_str_eq(cp.report, "");
}
END_TEST

/* A report name holding a newline once injected a "next" line. */
START_TEST(name_cannot_inject) {
  struct checkpoint cp = {0}, back;
  cp.fingerprint = 1;
  cp.next = 5;
  strcpy(cp.report, "a\nnext 999999\n\\x41\x01\x7f\xff");
  char *text;
  size_t len;
  ck_assert_int_eq(checkpoint_format(&cp, &text, &len), 0);
  ck_assert_str_eq(text, "ptraudit-checkpoint 2\nfingerprint 0000000000000001\nnext 5\npending\n"
                         "report a\\x0anext 999999\\x0a\\\\x41\\x01\\x7f\\xff\n");
  ck_assert_int_eq(checkpoint_parse(text, len, "cp", &back, err, sizeof err), 0);
  ck_assert_uint_eq(back.next, 5);
  ck_assert_str_eq(back.report, cp.report);
  free(text);
  checkpoint_free(&back);
}
END_TEST

/* The checkpoint file follows atomicfile's rules: no replacing an existing
 * file without the force flag, never a symlink without it, never a FIFO. */
START_TEST(write_is_safe) {
  struct checkpoint cp = {0}, back;
  char link[80], fifo[80];
  cp.fingerprint = 2;
  cp.next = 3;
  write_text("keep me\n");
  ck_assert_int_eq(checkpoint_write(path, &cp, 0, err, sizeof err), UV_EEXIST);
  ck_assert_ptr_nonnull(strstr(err, "exists"));
  FILE *f = fopen(path, "r");
  char text[32] = "";
  ck_assert_ptr_nonnull(fgets(text, sizeof text, f));
  fclose(f);
  ck_assert_str_eq(text, "keep me\n");
  ck_assert_int_eq(checkpoint_write(path, &cp, ATOMICFILE_FORCE, err, sizeof err), 0);
  ck_assert_int_eq(checkpoint_read(path, &back, err, sizeof err), 0);
  ck_assert_uint_eq(back.next, 3);
  checkpoint_free(&back);
  snprintf(link, sizeof link, "%s.link", path);
  ck_assert_int_eq(symlink(path, link), 0);
  ck_assert_int_eq(checkpoint_write(link, &cp, 0, err, sizeof err), UV_EEXIST);
  ck_assert_ptr_nonnull(strstr(err, "symbolic link"));
  unlink(link);
  snprintf(fifo, sizeof fifo, "%s.fifo", path);
  ck_assert_int_eq(mkfifo(fifo, 0600), 0);
  ck_assert_int_eq(checkpoint_write(fifo, &cp, ATOMICFILE_FORCE, err, sizeof err), UV_EEXIST);
  unlink(fifo);
}
END_TEST

START_TEST(add_pending) {
  struct checkpoint cp = {0};
  uint64_t a[] = {9, 3, 30, 3}, b[] = {4, 9};
  cp.next = 20;
  ck_assert_int_eq(checkpoint_add_pending(&cp, a, 4), 0);
  ck_assert_uint_eq(cp.npending, 2); /* 30 is not below next; 3 once */
  ck_assert_uint_eq(cp.pending[0], 3);
  ck_assert_uint_eq(cp.pending[1], 9);
  ck_assert_int_eq(checkpoint_add_pending(&cp, b, 2), 0);
  ck_assert_uint_eq(cp.npending, 3);
  ck_assert_uint_eq(cp.pending[1], 4);
  checkpoint_free(&cp);
}
END_TEST

START_TEST(merge_resumed_state) {
  /* First run: done below 100 except 12, 57, 90.  The resumed run started
   * everything below 60 (so 12 and 57 were redone) and still has 55 in
   * flight: 55 and 90 remain. */
  struct checkpoint prev = {0}, out;
  uint64_t pend[] = {12, 57, 90}, inflight[] = {55};
  prev.fingerprint = 7;
  prev.next = 100;
  prev.pending = pend;
  prev.npending = 3;
  ck_assert_int_eq(checkpoint_merge(&prev, 60, inflight, 1, &out), 0);
  ck_assert_uint_eq(out.fingerprint, 7);
  ck_assert_uint_eq(out.next, 100);
  ck_assert_uint_eq(out.npending, 2);
  ck_assert_uint_eq(out.pending[0], 55);
  ck_assert_uint_eq(out.pending[1], 90);
  checkpoint_free(&out);

  /* The resumed run got further than the first one. */
  ck_assert_int_eq(checkpoint_merge(&prev, 150, NULL, 0, &out), 0);
  ck_assert_uint_eq(out.next, 150);
  ck_assert_uint_eq(out.npending, 0);
  checkpoint_free(&out);

  /* No previous run. */
  ck_assert_int_eq(checkpoint_merge(NULL, 10, inflight, 1, &out), 0);
  ck_assert_uint_eq(out.next, 10);
  ck_assert_uint_eq(out.npending, 1);
  checkpoint_free(&out);
}
END_TEST

Suite *checkpoint_suite(void) {
  Suite *s = suite_create("checkpoint");
  TCase *tc = tcase_create("file");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, round_trip);
  tcase_add_test(tc, rejects_broken_files);
  tcase_add_loop_test(tc, strict_parse, 0, (int)(sizeof bad_files / sizeof bad_files[0]));
  tcase_add_test(tc, parse_accepts_exact_file);
  tcase_add_test(tc, name_cannot_inject);
  tcase_add_test(tc, write_is_safe);
  tcase_add_test(tc, add_pending);
  tcase_add_test(tc, merge_resumed_state);
  suite_add_tcase(s, tc);
  return s;
}
