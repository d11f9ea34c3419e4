/* check_checkpoint.c - checkpoint files: round trip, rejection of broken
 * files, the done test, and merging a resumed run's state. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

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
  ck_assert_int_eq(checkpoint_write(path, &cp, err, sizeof err), 0);
  checkpoint_free(&cp);

  FILE *f = fopen(path, "r");
  char text[256] = "";
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  ck_assert_str_eq(text, "ptraudit-checkpoint 1\nfingerprint deadbeef01234567\nnext 100\n"
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
  write_text("ptraudit-checkpoint 1\nnext 5\n");
  ck_assert_int_eq(checkpoint_read(path, &cp, err, sizeof err), UV_EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "fingerprint"));
  write_text("ptraudit-checkpoint 1\nfingerprint zz\nnext 5\n");
  ck_assert_int_eq(checkpoint_read(path, &cp, err, sizeof err), UV_EINVAL);
  write_text("ptraudit-checkpoint 1\nfingerprint 1\nnext 5\npending 1 x\n");
  ck_assert_int_eq(checkpoint_read(path, &cp, err, sizeof err), UV_EINVAL);
  write_text("ptraudit-checkpoint 1\nfingerprint 1\nnext 5\npending 7\n");
  ck_assert_int_eq(checkpoint_read(path, &cp, err, sizeof err), UV_EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "not below next"));
  ck_assert_int_eq(checkpoint_read("/nonexistent/cp", &cp, err, sizeof err), UV_EINVAL);
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
  tcase_add_test(tc, merge_resumed_state);
  suite_add_tcase(s, tc);
  return s;
}
