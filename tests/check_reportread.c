/* SPDX-License-Identifier: MIT */
/*
 * check_reportread.c - reading reports back: plain and gzip, multi-member
 * gzip, gzip cut inside a member, ragged rows, quoting (newlines, doubled
 * quotes), CRLF and BOM, caps, syntax errors, and the cell unescaping.
 * Files live in a fresh directory under /tmp per test.
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>
#include <zlib.h>

#include "cell.h"
#include "fixture.h"
#include "reportread.h"

static void setup(void) {
  fixture_dir_make("rr");
}

static void teardown(void) { fixture_dir_remove(); }

static void write_file(const char *path, const char *data, size_t len) {
  FILE *f = fopen(path, "wb");
  ck_assert_ptr_nonnull(f);
  ck_assert_uint_eq(fwrite(data, 1, len, f), len);
  ck_assert_int_eq(fclose(f), 0);
}

static void write_str(const char *path, const char *s) {
  write_file(path, s, strlen(s));
}

/* Each string becomes one complete gzip member. */
static void write_gz_members(const char *path, const char *const *members, size_t n) {
  for (size_t i = 0; i < n; i++) {
    gzFile gz = gzopen(path, i ? "ab" : "wb");
    ck_assert_ptr_nonnull(gz);
    ck_assert_int_eq(gzwrite(gz, members[i], (unsigned)strlen(members[i])),
                     (int)strlen(members[i]));
    ck_assert_int_eq(gzclose(gz), Z_OK);
  }
}

static long file_size(const char *path) {
  struct stat st;
  ck_assert_int_eq(stat(path, &st), 0);
  return (long)st.st_size;
}

static struct reportread *open_ok(const char *path) {
  struct reportread *r = NULL;
  char err[512] = "";
  int rc = reportread_open(&r, path, err, sizeof err);
  ck_assert_msg(rc == 0, "open %s: %d %s", path, rc, err);
  return r;
}

/* Read a row and compare it with "a|b|c" (fields joined by '|'). */
static void expect_row(struct reportread *r, const char *joined, unsigned long line) {
  const char *const *f;
  const size_t *l;
  char err[512] = "", buf[1024];
  size_t o = 0;
  int rc = reportread_next(r, &f, &l, err, sizeof err);
  ck_assert_msg(rc == 1, "expected row '%s', got %d %s", joined, rc, err);
  for (size_t i = 0; i < reportread_ncols(r); i++) {
    ck_assert_uint_eq(strlen(f[i]), l[i]);
    o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? "|" : "", f[i]);
  }
  ck_assert_str_eq(buf, joined);
  ck_assert_uint_eq(reportread_line(r), line);
}

static void expect_end(struct reportread *r) {
  char err[512] = "";
  int rc = reportread_next(r, NULL, NULL, err, sizeof err);
  ck_assert_msg(rc == 0, "expected end, got %d %s", rc, err);
  ck_assert_int_eq(reportread_next(r, NULL, NULL, err, sizeof err), 0);
}

static void expect_error(struct reportread *r, int code, const char *msg) {
  char err[512] = "";
  int rc = reportread_next(r, NULL, NULL, err, sizeof err);
  ck_assert_int_eq(rc, code);
  ck_assert_msg(strstr(err, msg) != NULL, "error '%s' lacks '%s'", err, msg);
  /* sticky */
  err[0] = '\0';
  ck_assert_int_eq(reportread_next(r, NULL, NULL, err, sizeof err), code);
  ck_assert_msg(strstr(err, msg) != NULL, "second error '%s' lacks '%s'", err, msg);
}

START_TEST(test_plain) {
  const char *p = fixture_path("r.csv");
  write_str(p, "ip,verdict,flags\n192.0.2.1,ok,\n192.0.2.2,fail,NO_PTR FCRDNS_MISMATCH\n");
  struct reportread *r = open_ok(p);
  ck_assert_uint_eq(reportread_ncols(r), 3);
  ck_assert_str_eq(reportread_colname(r, 0), "ip");
  ck_assert_str_eq(reportread_colname(r, 2), "flags");
  ck_assert_ptr_null(reportread_colname(r, 3));
  ck_assert_int_eq(reportread_col(r, "verdict"), 1);
  ck_assert_int_eq(reportread_col(r, "Verdict"), -1);
  ck_assert_int_eq(reportread_col(r, "nope"), -1);
  ck_assert_uint_eq(reportread_line(r), 1);
  expect_row(r, "192.0.2.1|ok|", 2);
  expect_row(r, "192.0.2.2|fail|NO_PTR FCRDNS_MISMATCH", 3);
  expect_end(r);
  reportread_close(r);
}
END_TEST

START_TEST(test_no_final_newline_and_blank_lines) {
  const char *p = fixture_path("r.csv");
  /* The last row has no line end: it may be cut ("3,4" of "3,4567"), so
   * it is not returned; the rows before it are, then ERR_EOF, the code a
   * caller accepts only with --allow-truncated (a plain report torn by a
   * full disk once ended in "...,2026-1" and was read as a row). */
  write_str(p, "a,b\n\n1,2\n   \n\n3,4");
  struct reportread *r = open_ok(p);
  expect_row(r, "1|2", 3);
  expect_error(r, UV_EOF, "r.csv:6: last row has no line end");
  reportread_close(r);
  write_str(p, "a,b\n1,2\n3,2026-1");
  r = open_ok(p);
  expect_row(r, "1|2", 2);
  expect_error(r, UV_EOF, "r.csv:3: last row has no line end");
  reportread_close(r);
  /* Blank lines at the end are no row: nothing is missing. */
  write_str(p, "a,b\n1,2\n\n   \n\n");
  r = open_ok(p);
  expect_row(r, "1|2", 2);
  expect_end(r);
  reportread_close(r);
  /* A header without a line end is a cut file too. */
  write_str(p, "a,b");
  char err[512] = "";
  ck_assert_int_eq(reportread_open(&r, p, err, sizeof err), UV_EOF);
  ck_assert_ptr_nonnull(strstr(err, "last row has no line end"));
}
END_TEST

START_TEST(test_gzip_single) {
  const char *p = fixture_path("r.csv.gz");
  const char *m[] = {"ip,verdict\n10.0.0.1,ok\n10.0.0.2,warn\n"};
  write_gz_members(p, m, 1);
  struct reportread *r = open_ok(p);
  expect_row(r, "10.0.0.1|ok", 2);
  expect_row(r, "10.0.0.2|warn", 3);
  expect_end(r);
  reportread_close(r);
}
END_TEST

/* ptraudit ends a gzip member every few seconds; a member boundary may
 * even fall inside a row. */
START_TEST(test_gzip_multi_member) {
  const char *p = fixture_path("r.gz");
  const char *m[] = {"ip,verdict\n", "10.0.0.1,ok\n10.0.0.2,", "warn\n", "10.0.0.3,fail\n"};
  write_gz_members(p, m, 4);
  struct reportread *r = open_ok(p);
  expect_row(r, "10.0.0.1|ok", 2);
  expect_row(r, "10.0.0.2|warn", 3);
  expect_row(r, "10.0.0.3|fail", 4);
  expect_end(r);
  reportread_close(r);
}
END_TEST

/* A killed run: two complete members, then a third cut in the middle.
 * Every complete row comes out, in order and intact, then UV_EOF; the
 * fragment of the row that was cut never does. */
START_TEST(test_gzip_truncated_member) {
  const char *p = fixture_path("r.gz");
  static char big[200000];
  size_t o = 0;
  const char *m[3];
  for (int i = 3; o < sizeof big - 64 && i < 100000; i++)
    o += (size_t)snprintf(big + o, sizeof big - o, "10.1.%d.%d,row %d\n", i / 256, i % 256, i);
  m[0] = "ip,verdict\n10.1.0.1,row 1\n";
  m[1] = "10.1.0.2,row 2\n";
  m[2] = big;
  write_gz_members(p, m, 2);
  long two = file_size(p);
  write_gz_members(p, m, 3);
  long all = file_size(p);
  ck_assert_int_gt(all - two, 1000);
  ck_assert_int_eq(truncate(p, two + (all - two) / 2), 0);

  struct reportread *r = open_ok(p);
  const char *const *f;
  const size_t *l;
  char err[512] = "", want[64];
  int rc, n = 0;
  while ((rc = reportread_next(r, &f, &l, err, sizeof err)) == 1) {
    n++;
    snprintf(want, sizeof want, "row %d", n);
    ck_assert_str_eq(f[1], want);
    snprintf(want, sizeof want, "10.1.%d.%d", n / 256, n % 256);
    ck_assert_str_eq(f[0], want);
    ck_assert_uint_eq(reportread_line(r), (unsigned long)n + 1);
  }
  ck_assert_int_eq(rc, UV_EOF);
  ck_assert_int_gt(n, 2); /* both complete members and part of the third */
  ck_assert_msg(strstr(err, "cut short") != NULL, "%s", err);
  snprintf(want, sizeof want, "r.gz:%d: ", n + 2);
  ck_assert_msg(strstr(err, want) != NULL, "'%s' lacks '%s'", err, want);
  reportread_close(r);
}
END_TEST

/* Cut inside the very first member, right after the gzip header: no
 * header row can be read. */
START_TEST(test_gzip_truncated_header) {
  const char *p = fixture_path("r.gz");
  const char *m[] = {"ip,verdict\n10.0.0.1,ok\n"};
  struct reportread *r = NULL;
  char err[512] = "";
  write_gz_members(p, m, 1);
  ck_assert_int_eq(truncate(p, 12), 0);
  ck_assert_int_lt(reportread_open(&r, p, err, sizeof err), 0);
  ck_assert_ptr_null(r);
  ck_assert_msg(strstr(err, "r.gz") != NULL, "%s", err);
}
END_TEST

START_TEST(test_gzip_corrupt) {
  const char *p = fixture_path("r.gz");
  static char big[100000];
  size_t o = 0;
  for (int i = 0; o < sizeof big - 64; i++)
    o += (size_t)snprintf(big + o, sizeof big - o, "10.2.%d.%d,%u\n", i / 256 % 256, i % 256,
                          (unsigned)(i * 2654435761u));
  const char *m[] = {"ip,n\n", big};
  write_gz_members(p, m, 2);
  long size = file_size(p);
  int fd = open(p, O_RDWR);
  ck_assert_int_ge(fd, 0);
  char junk[64];
  memset(junk, 0xa5, sizeof junk);
  ck_assert_int_eq(pwrite(fd, junk, sizeof junk, size / 2), (ssize_t)sizeof junk);
  close(fd);

  /* zlib finds the damage when the member's CRC does not match (or
   * earlier): at open or at a later row, but always as an error naming
   * the file, never as a clean end. */
  struct reportread *r = NULL;
  char err[512] = "";
  int rc = reportread_open(&r, p, err, sizeof err);
  if (rc == 0) {
    while ((rc = reportread_next(r, NULL, NULL, err, sizeof err)) == 1) {
    }
    reportread_close(r);
  }
  ck_assert_int_lt(rc, 0);
  ck_assert_int_ne(rc, UV_EOF);
  ck_assert_msg(strstr(err, "r.gz:") != NULL, "%s", err);
  ck_assert_msg(strstr(err, "corrupt gzip data") != NULL, "%s", err);
  ck_assert_msg(strstr(err, "<fd:") == NULL, "%s", err);
}
END_TEST

START_TEST(test_ragged_rows) {
  const char *p = fixture_path("r.csv");
  write_str(p, "a,b,c\n1,2,3\n4,5\n");
  struct reportread *r = open_ok(p);
  expect_row(r, "1|2|3", 2);
  expect_error(r, UV_EINVAL, "r.csv:3: 2 fields, header has 3");
  reportread_close(r);

  write_str(p, "a,b\n1,2\n\"multi\nline\",2,3\n");
  r = open_ok(p);
  expect_row(r, "1|2", 2);
  expect_error(r, UV_EINVAL, "r.csv:3: 3 fields, header has 2");
  reportread_close(r);

  write_str(p, "a,b\n1\n");
  r = open_ok(p);
  expect_error(r, UV_EINVAL, "r.csv:2: 1 field, header has 2");
  reportread_close(r);
}
END_TEST

START_TEST(test_quoted_fields) {
  const char *p = fixture_path("r.csv");
  write_str(p, "ip,banner,c\n"
               "192.0.2.1,\"220 one\ntwo, three\",\"say \"\"hi\"\"\"\n"
               "192.0.2.2,\" spaced \",\n"
               "192.0.2.3,\"\",x\n");
  struct reportread *r = open_ok(p);
  expect_row(r, "192.0.2.1|220 one\ntwo, three|say \"hi\"", 2);
  expect_row(r, "192.0.2.2| spaced |", 4);
  expect_row(r, "192.0.2.3||x", 5);
  expect_end(r);
  reportread_close(r);
}
END_TEST

START_TEST(test_crlf_and_bom) {
  const char *p = fixture_path("r.csv");
  write_str(p, "\xef\xbb\xbfip,v\r\n1.2.3.4,\"a\r\nb\"\r\n5.6.7.8,ok\r\n");
  struct reportread *r = open_ok(p);
  ck_assert_str_eq(reportread_colname(r, 0), "ip");
  expect_row(r, "1.2.3.4|a\r\nb", 2);
  expect_row(r, "5.6.7.8|ok", 4);
  expect_end(r);
  reportread_close(r);
}
END_TEST

START_TEST(test_syntax_errors) {
  const char *p = fixture_path("r.csv");
  struct reportread *r;
  write_str(p, "a,b\n1,2\n3,x\"y\n");
  r = open_ok(p);
  expect_row(r, "1|2", 2);
  expect_error(r, UV_EINVAL, "r.csv:3: field 2: CSV syntax error");
  reportread_close(r);

  write_str(p, "a,b\n\"1\"x,2\n");
  r = open_ok(p);
  expect_error(r, UV_EINVAL, "r.csv:2: field 1: CSV syntax error");
  reportread_close(r);

  write_str(p, "a,b\n1,2\n3,\"never closed\n4,5\n");
  r = open_ok(p);
  expect_row(r, "1|2", 2);
  expect_error(r, UV_EINVAL, "r.csv:3: CSV syntax error: quoted field never closed");
  reportread_close(r);
  /* Closed quotes ("" inside) before the cut: the row is merely cut. */
  write_str(p, "a,b\n1,2\n\"x\"\"y\",\"z,");
  r = open_ok(p);
  expect_row(r, "1|2", 2);
  expect_error(r, UV_EINVAL, "r.csv:3: CSV syntax error: quoted field never closed");
  reportread_close(r);
  write_str(p, "a,b\n1,2\n\"x\"\"y\",z");
  r = open_ok(p);
  expect_row(r, "1|2", 2);
  expect_error(r, UV_EOF, "r.csv:3: last row has no line end");
  reportread_close(r);
}
END_TEST

START_TEST(test_open_errors) {
  struct reportread *r = NULL;
  char err[512] = "";
  ck_assert_int_eq(reportread_open(&r, fixture_path("missing.csv"), err, sizeof err), UV_ENOENT);
  ck_assert_ptr_null(r);
  ck_assert_msg(strstr(err, "missing.csv: ") != NULL, "%s", err);

  write_str(fixture_path("empty.csv"), "");
  ck_assert_int_eq(reportread_open(&r, fixture_path("empty.csv"), err, sizeof err), UV_EINVAL);
  ck_assert_msg(strstr(err, "empty.csv: empty file") != NULL, "%s", err);

  ck_assert_int_eq(reportread_open(&r, fixture_dir, err, sizeof err), UV_EISDIR);
  ck_assert_msg(strstr(err, fixture_dir) != NULL, "%s", err);

  const char *m[] = {""};
  write_gz_members(fixture_path("empty.gz"), m, 1);
  ck_assert_int_eq(reportread_open(&r, fixture_path("empty.gz"), err, sizeof err), UV_EINVAL);
  ck_assert_msg(strstr(err, "empty file") != NULL, "%s", err);
}
END_TEST

/* The field cap: 64 KiB is fine, one byte more is an error naming the
 * line where the field starts, quoted or not. */
START_TEST(test_field_cap) {
  const char *p = fixture_path("r.csv");
  size_t n = REPORTREAD_FIELD_MAX;
  char *buf = malloc(n + 100);
  ck_assert_ptr_nonnull(buf);
  size_t o = (size_t)sprintf(buf, "a,b\n1,");
  memset(buf + o, 'x', n);
  o += n;
  o += (size_t)sprintf(buf + o, "\n");
  write_file(p, buf, o);
  struct reportread *r = open_ok(p);
  const char *const *f;
  const size_t *l;
  char err[512];
  ck_assert_int_eq(reportread_next(r, &f, &l, err, sizeof err), 1);
  ck_assert_uint_eq(l[1], n);
  reportread_close(r);

  o = (size_t)sprintf(buf, "a,b\n1,2\n2,\"");
  memset(buf + o, 'y', n + 1);
  o += n + 1;
  o += (size_t)sprintf(buf + o, "\"\n");
  write_file(p, buf, o);
  r = open_ok(p);
  expect_row(r, "1|2", 2);
  expect_error(r, UV_EINVAL, "r.csv:3: field 2 longer than 65536 bytes");
  reportread_close(r);
  free(buf);
}
END_TEST

START_TEST(test_stdin) {
  const char *p = fixture_path("in.gz");
  const char *m[] = {"ip,verdict\n", "10.0.0.1,ok\n"};
  write_gz_members(p, m, 2);
  int saved = dup(0); /* put stdin back: CK_FORK=no shares the process */
  int fd = open(p, O_RDONLY);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(dup2(fd, 0), 0);
  close(fd);
  struct reportread *r = open_ok("-");
  ck_assert_str_eq(reportread_path(r), "stdin");
  expect_row(r, "10.0.0.1|ok", 2);
  expect_end(r);
  reportread_close(r);
  /* fd 0 is still open */
  ck_assert_int_ne(fcntl(0, F_GETFD), -1);
  if (saved >= 0) {
    dup2(saved, 0);
    close(saved);
  } else {
    close(0);
  }
}
END_TEST

Suite *reportread_suite(void) {
  Suite *s = suite_create("reportread");
  TCase *tc = tcase_create("files");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_plain);
  tcase_add_test(tc, test_no_final_newline_and_blank_lines);
  tcase_add_test(tc, test_gzip_single);
  tcase_add_test(tc, test_gzip_multi_member);
  tcase_add_test(tc, test_gzip_truncated_member);
  tcase_add_test(tc, test_gzip_truncated_header);
  tcase_add_test(tc, test_gzip_corrupt);
  tcase_add_test(tc, test_ragged_rows);
  tcase_add_test(tc, test_quoted_fields);
  tcase_add_test(tc, test_crlf_and_bom);
  tcase_add_test(tc, test_syntax_errors);
  tcase_add_test(tc, test_open_errors);
  tcase_add_test(tc, test_field_cap);
  tcase_add_test(tc, test_stdin);
  suite_add_tcase(s, tc);
  return s;
}
