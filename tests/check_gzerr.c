/* SPDX-License-Identifier: MIT */
/* check_gzerr.c - the code and text of failed zlib calls (gzerr.h). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "gzerr.h"

START_TEST(no_file_is_a_system_error) {
  const char *zmsg = "unset";
  ck_assert_int_eq(gzerr_code(NULL, ENOSPC, &zmsg), -ENOSPC);
  ck_assert_ptr_null(zmsg);
  ck_assert_int_eq(gzerr_code(NULL, 0, &zmsg), -EIO); /* errno lost */
  ck_assert_ptr_null(zmsg);
}
END_TEST

/* A gzip stream cut short: zlib's own error (not errno) and its text. */
START_TEST(cut_stream_is_eio_with_zlib_text) {
  char path[] = "/tmp/check_gzerr.XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  gzFile w = gzopen(path, "wb");
  ck_assert_ptr_nonnull(w);
  char data[4096];
  for (size_t i = 0; i < sizeof data; i++) data[i] = (char)(i * 7919 % 251);
  ck_assert_int_eq(gzwrite(w, data, sizeof data), (int)sizeof data);
  ck_assert_int_eq(gzclose(w), Z_OK);
  ck_assert_int_eq(truncate(path, 40), 0);
  gzFile r = gzopen(path, "rb");
  ck_assert_ptr_nonnull(r);
  char buf[4096];
  int n;
  errno = 0;
  while ((n = gzread(r, buf, sizeof buf)) > 0) continue; /* zlib flags the cut at the end */
  int e = errno;
  ck_assert_int_le(n, 0);
  const char *zmsg = NULL;
  ck_assert_int_eq(gzerr_code(r, e, &zmsg), -EIO);
  ck_assert_ptr_nonnull(zmsg);
  ck_assert_ptr_nonnull(strstr(zmsg, "unexpected end of file"));
  gzclose(r);
  unlink(path);
}
END_TEST

Suite *gzerr_suite(void) {
  Suite *s = suite_create("gzerr");
  TCase *tc = tcase_create("codes");
  tcase_add_test(tc, no_file_is_a_system_error);
  tcase_add_test(tc, cut_stream_is_eio_with_zlib_text);
  suite_add_tcase(s, tc);
  return s;
}
