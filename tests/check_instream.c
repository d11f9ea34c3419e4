/* SPDX-License-Identifier: MIT */
/* check_instream.c - inputs read without blocking: a regular file read
 * twice from where it started, a FIFO that has nothing yet, then data, then
 * its end, and failures of the thread's open and read coming back named. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "instream.h"

static char dir[64];
static char err[512];

static void setup(void) {
  strcpy(dir, "/tmp/check_instream.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  ck_assert_int_eq(system(cmd), 0);
}

/* instream_read, waiting (at most 5 s a time) while it says -EAGAIN. */
static ssize_t read_soon(struct instream *s, char *buf, size_t size) {
  ssize_t n;
  while ((n = instream_read(s, buf, size)) == -EAGAIN) {
    struct pollfd p = {.fd = instream_fd(s), .events = POLLIN};
    ck_assert_int_eq(poll(&p, 1, 5000), 1);
  }
  return n;
}

START_TEST(regular_file_twice) {
  char path[128], buf[64];
  snprintf(path, sizeof path, "%s/a.txt", dir);
  FILE *f = fopen(path, "w");
  fputs("hello\n", f);
  fclose(f);
  struct instream *s;
  ck_assert_int_eq(instream_open(&s, path, err, sizeof err), 0);
  ck_assert_int_eq(instream_regular(s), 1);
  ck_assert_int_eq(instream_fd(s), -1); /* never -EAGAIN: nothing to poll */
  ck_assert_int_eq(instream_read(s, buf, sizeof buf), 6);
  ck_assert_int_eq(instream_read(s, buf, sizeof buf), 0);
  ck_assert_int_eq(instream_rewind(s), 0);
  ck_assert_int_eq(instream_read(s, buf, 3), 3);
  ck_assert(!memcmp(buf, "hel", 3));
  instream_close(s);
}
END_TEST

START_TEST(missing_file) {
  struct instream *s;
  char path[128];
  snprintf(path, sizeof path, "%s/nope", dir);
  ck_assert_int_eq(instream_is_regular(path), 0);
  ck_assert_int_eq(instream_open(&s, path, err, sizeof err), -EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "/nope: cannot open: No such file or directory"));
}
END_TEST

START_TEST(fifo_nothing_yet_then_data_then_end) {
  char path[128], buf[64];
  snprintf(path, sizeof path, "%s/fifo", dir);
  ck_assert_int_eq(mkfifo(path, 0600), 0);
  alarm(20);
  struct instream *s;
  ck_assert_int_eq(instream_open(&s, path, err, sizeof err), 0); /* no writer: no wait */
  ck_assert_int_eq(instream_regular(s), 0);
  ck_assert_int_ge(instream_fd(s), 0);
  ck_assert_int_eq(instream_read(s, buf, sizeof buf), -EAGAIN);
  ck_assert_int_eq(instream_rewind(s), -ESPIPE);
  int w = open(path, O_WRONLY);
  ck_assert_int_ge(w, 0);
  ck_assert_int_eq(write(w, "abc", 3), 3);
  ck_assert_int_eq(read_soon(s, buf, sizeof buf), 3);
  ck_assert(!memcmp(buf, "abc", 3));
  ck_assert_int_eq(instream_read(s, buf, sizeof buf), -EAGAIN);
  close(w);
  ck_assert_int_eq(read_soon(s, buf, sizeof buf), 0);
  instream_close(s);
  alarm(0);
}
END_TEST

/* A directory is not a regular file: the thread opens it and its read
 * fails; the error comes back from instream_read, named. */
START_TEST(thread_read_error_named) {
  char buf[64];
  struct instream *s;
  alarm(20);
  ck_assert_int_eq(instream_open(&s, dir, err, sizeof err), 0);
  ck_assert_int_eq(read_soon(s, buf, sizeof buf), -EISDIR);
  ck_assert_ptr_nonnull(strstr(instream_error(s), ": read error: Is a directory"));
  ck_assert_str_eq(instream_name(s), dir);
  instream_close(s);
  alarm(0);
}
END_TEST

/* A socket file exists (stat works, so the thread is started) but cannot
 * be opened, even by root (ENXIO): the failure is "cannot open", -EINVAL,
 * from instream_read. */
START_TEST(thread_open_error_named) {
  char buf[64];
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s/sock", dir);
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
  alarm(20);
  struct instream *s;
  ck_assert_int_eq(instream_open(&s, sa.sun_path, err, sizeof err), 0);
  ck_assert_int_eq(read_soon(s, buf, sizeof buf), -EINVAL);
  ck_assert_ptr_nonnull(strstr(instream_error(s), "/sock: cannot open: No such device or address"));
  instream_close(s);
  close(fd);
  alarm(0);
}
END_TEST

/* A closed stdin is an error at open, not a thread reading its own pipe
 * (which would take descriptor 0) forever. */
START_TEST(closed_stdin) {
  struct instream *s;
  int saved = dup(0);
  close(0);
  int r = instream_open(&s, "-", err, sizeof err);
  dup2(saved, 0);
  close(saved);
  ck_assert_int_eq(r, -EINVAL);
  ck_assert_str_eq(err, "stdin: cannot read it: Bad file descriptor");
}
END_TEST

Suite *instream_suite(void) {
  Suite *s = suite_create("instream");
  TCase *tc = tcase_create("read");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, regular_file_twice);
  tcase_add_test(tc, missing_file);
  tcase_add_test(tc, fifo_nothing_yet_then_data_then_end);
  tcase_add_test(tc, thread_read_error_named);
  tcase_add_test(tc, thread_open_error_named);
  tcase_add_test(tc, closed_stdin);
  suite_add_tcase(s, tc);
  return s;
}
