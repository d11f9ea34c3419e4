/* SPDX-License-Identifier: MIT */
/*
 * check_report.c - the report writer: record format, gzip members,
 * temporary file and rename, no-clobber, symlinks, write errors.
 * Files live in a fresh directory under /tmp per test.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>
#include <zlib.h>

#include "fixture.h"
#include "report.h"

static void setup(void) {
  fixture_dir_make("report");
  umask(022);
}

static void teardown(void) { fixture_dir_remove(); }

/* Names in the test directory, sorted, joined by spaces. */
static const char *listing(void) {
  static char out[1024];
  char names[16][256];
  int n = 0;
  DIR *d = opendir(fixture_dir);
  struct dirent *e;
  out[0] = '\0';
  while (d && (e = readdir(d)) && n < 16) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    snprintf(names[n++], sizeof names[0], "%s", e->d_name);
  }
  if (d) closedir(d);
  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++)
      if (strcmp(names[j], names[i]) < 0) {
        char t[256];
        strcpy(t, names[i]);
        strcpy(names[i], names[j]);
        strcpy(names[j], t);
      }
  for (int i = 0; i < n; i++) {
    if (i) strcat(out, " ");
    strcat(out, names[i]);
  }
  return out;
}

/* Whole file, raw.  Caller frees. */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  char *buf = malloc(1 << 20);
  ck_assert_ptr_nonnull(f);
  *len = fread(buf, 1, 1 << 20, f);
  fclose(f);
  buf[*len < (1 << 20) ? *len : 0] = '\0';
  return buf;
}

/* Whole file through gzread (all members).  Caller frees. */
static char *gunzip(const char *path, size_t *len) {
  gzFile g = gzopen(path, "rb");
  char *buf = malloc(1 << 20);
  int n;
  ck_assert_ptr_nonnull(g);
  *len = 0;
  while ((n = gzread(g, buf + *len, (unsigned)((1 << 20) - *len - 1))) > 0) *len += (size_t)n;
  ck_assert_int_eq(n, 0); /* clean end, no error */
  ck_assert_int_eq(gzclose(g), Z_OK);
  buf[*len] = '\0';
  return buf;
}

/* Count the gzip members of a file by inflating them one by one. */
static int gzip_members(const char *path) {
  size_t len, pos = 0;
  char *raw = slurp(path, &len);
  unsigned char out[4096];
  int members = 0;
  while (pos < len) {
    z_stream zs;
    int zr;
    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(inflateInit2(&zs, 16 + MAX_WBITS), Z_OK);
    zs.next_in = (unsigned char *)raw + pos;
    zs.avail_in = (unsigned)(len - pos);
    do {
      zs.next_out = out;
      zs.avail_out = sizeof out;
      zr = inflate(&zs, Z_NO_FLUSH);
    } while (zr == Z_OK);
    ck_assert_int_eq(zr, Z_STREAM_END);
    pos = len - zs.avail_in;
    inflateEnd(&zs);
    members++;
  }
  free(raw);
  return members;
}

static void write3(struct report *r, const char *a, const char *b, const char *c) {
  const char *f[3] = {a, b, c};
  ck_assert_int_eq(report_write_fields(r, f, NULL, 3), 0);
}

/* --- formatting ------------------------------------------------------- */

START_TEST(test_format_quoting) {
  const char *f[] = {"a", "b c", "x,y", "say \"hi\"", " lead", "trail ", "", "=1+1",
                     "line\nbreak", "=a,b", "q\"\x01"};
  char buf[512];
  const char *want = "a,b c,\"x,y\",\"say \"\"hi\"\"\",\" lead\",\"trail \",,'=1+1,"
                     "line\\x0abreak,\"'=a,b\",\"q\"\"\\x01\"\n";
  size_t n = report_format(buf, sizeof buf, f, NULL, sizeof f / sizeof *f);
  ck_assert_str_eq(buf, want);
  ck_assert_uint_eq(n, strlen(want));
}
END_TEST

START_TEST(test_format_lengths_and_nulls) {
  const char *f[] = {"ab\0cd", NULL, "\"\""};
  size_t lens[] = {5, 7, 2};
  char buf[64];
  size_t n = report_format(buf, sizeof buf, f, lens, 3);
  ck_assert_str_eq(buf, "ab\\x00cd,,\"\"\"\"\"\"\n");
  ck_assert_uint_eq(n, 17);
  ck_assert_uint_eq(report_format(buf, sizeof buf, f, lens, 0), 1);
  ck_assert_str_eq(buf, "\n");
}
END_TEST

/* More fields than report_format remembers between its passes. */
START_TEST(test_format_many_fields) {
  const char *f[40];
  char buf[512], want[512] = "";
  for (int i = 0; i < 40; i++) {
    f[i] = i % 2 ? "f,\"" : "-g";
    strcat(want, i ? "," : "");
    strcat(want, i % 2 ? "\"f,\"\"\"" : "'-g");
  }
  strcat(want, "\n");
  ck_assert_uint_eq(report_format(buf, sizeof buf, f, NULL, 40), strlen(want));
  ck_assert_str_eq(buf, want);
}
END_TEST

START_TEST(test_format_snprintf_contract) {
  const char *f[] = {"abc", "d,e"};
  char buf[16];
  const char *want = "abc,\"d,e\"\n"; /* 10 characters */
  memset(buf, 'X', sizeof buf);
  ck_assert_uint_eq(report_format(buf, 10, f, NULL, 2), 10);
  ck_assert_str_eq(buf, ""); /* too small: nothing partial */
  ck_assert_uint_eq(report_format(NULL, 0, f, NULL, 2), 10);
  ck_assert_uint_eq(report_format(buf, 11, f, NULL, 2), 10);
  ck_assert_str_eq(buf, want);
}
END_TEST

/* --- files ------------------------------------------------------------ */

START_TEST(test_gzip_roundtrip_exact) {
  struct report *r;
  char err[256];
  const char *path = fixture_path("out.csv.gz");
  size_t len;
  char *data;

  ck_assert_int_eq(report_open(&r, path, 0, err, sizeof err), 0);
  ck_assert_str_eq(report_path(r), path);
  /* Written under a temporary dot name, nothing at the final path yet. */
  {
    /* ".out.csv.gz.tmp." and 12 random hex digits (atomicfile.h). */
    const char *l = listing();
    ck_assert_uint_eq(strlen(l), strlen(".out.csv.gz.tmp.") + 12);
    ck_assert_int_eq(strncmp(l, ".out.csv.gz.tmp.", 16), 0);
    ck_assert_uint_eq(strspn(l + 16, "0123456789abcdef"), 12);
    ck_assert_str_eq(report_tmp_path(r), fixture_path(l));
  }
  write3(r, "ip", "verdict", "banner");
  write3(r, "192.0.2.1", "ok", "220 mx.example.com ESMTP");
  write3(r, "192.0.2.2", "warn", "evil,\"x\"\r\n=cmd");
  ck_assert_uint_eq(report_rows(r), 3);
  ck_assert_int_eq(report_close(r, 1, err, sizeof err), 0);
  ck_assert_str_eq(listing(), "out.csv.gz");

  data = slurp(path, &len);
  ck_assert_uint_ge(len, 2);
  ck_assert_int_eq((unsigned char)data[0], 0x1f);
  ck_assert_int_eq((unsigned char)data[1], 0x8b);
  free(data);
  data = gunzip(path, &len);
  ck_assert_str_eq(data, "ip,verdict,banner\n"
                         "192.0.2.1,ok,220 mx.example.com ESMTP\n"
                         "192.0.2.2,warn,\"evil,\"\"x\"\"\\x0d\\x0a=cmd\"\n");
  free(data);
  {
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0644);
  }
}
END_TEST

START_TEST(test_gzip_members_by_rows) {
  struct report *r;
  char err[256];
  const char *path = fixture_path("m.csv.gz");
  size_t len;
  char *data;

  ck_assert_int_eq(report_open(&r, path, 0, err, sizeof err), 0);
  report_set_member(r, 2, 0);
  write3(r, "1", "a", "x");
  write3(r, "2", "b", "y");
  write3(r, "3", "c", "z");
  /* As after a SIGKILL now: the temporary file holds exactly the first
   * member, complete. */
  data = gunzip(report_tmp_path(r), &len);
  ck_assert_str_eq(data, "1,a,x\n2,b,y\n");
  free(data);
  ck_assert_int_eq(gzip_members(report_tmp_path(r)), 1);
  write3(r, "4", "d", "w");
  write3(r, "5", "e", "v");
  ck_assert_int_eq(report_close(r, 1, err, sizeof err), 0);
  ck_assert_int_eq(gzip_members(path), 3);
  data = gunzip(path, &len);
  ck_assert_str_eq(data, "1,a,x\n2,b,y\n3,c,z\n4,d,w\n5,e,v\n");
  free(data);
}
END_TEST

START_TEST(test_gzip_members_by_time_and_flush) {
  struct report *r;
  char err[256];
  const char *path = fixture_path("t.csv.gz");
  size_t len;
  char *data;

  ck_assert_int_eq(report_open(&r, path, 0, err, sizeof err), 0);
  report_set_member(r, 0, 60 * 1000); /* (a slow machine must not end it early) */
  write3(r, "1", "a", "x");
  data = slurp(report_tmp_path(r), &len);
  ck_assert_uint_eq(len, 0); /* still buffered */
  free(data);
  report_set_member(r, 0, 50);
  usleep(80 * 1000);
  write3(r, "2", "b", "y"); /* 50 ms passed: this write ends the member */
  data = gunzip(report_tmp_path(r), &len);
  ck_assert_str_eq(data, "1,a,x\n2,b,y\n");
  free(data);

  report_set_member(r, 0, 60 * 1000);
  write3(r, "3", "c", "z");
  ck_assert_int_eq(report_flush(r), 0);
  ck_assert_int_eq(report_flush(r), 0); /* nothing new: no empty member */
  ck_assert_int_eq(gzip_members(report_tmp_path(r)), 2);
  data = gunzip(report_tmp_path(r), &len);
  ck_assert_str_eq(data, "1,a,x\n2,b,y\n3,c,z\n");
  free(data);
  ck_assert_int_eq(report_close(r, 1, err, sizeof err), 0);
  ck_assert_int_eq(gzip_members(path), 2);
}
END_TEST

START_TEST(test_plain_file_and_large_record) {
  struct report *r;
  char err[256];
  const char *path = fixture_path("plain.csv");
  size_t len, big = 200 * 1024;
  char *data, *field = malloc(big);
  const char *f[2];
  size_t lens[2];

  memset(field, 'a', big);
  ck_assert_int_eq(report_open(&r, path, 0, err, sizeof err), 0);
  write3(r, "ip", "verdict", "flags");
  f[0] = "x";
  lens[0] = 1;
  f[1] = field;
  lens[1] = big;
  ck_assert_int_eq(report_write_fields(r, f, lens, 2), 0);
  ck_assert_int_eq(report_write_raw(r, "raw,line\n", 9), 0);
  ck_assert_int_eq(report_close(r, 1, err, sizeof err), 0);
  data = slurp(path, &len);
  ck_assert_uint_eq(len, 17 + 2 + big + 1 + 9);
  ck_assert_mem_eq(data, "ip,verdict,flags\nx,aaa", 22);
  ck_assert_int_eq(data[17 + 2 + big], '\n');
  ck_assert_str_eq(data + 17 + 2 + big + 1, "raw,line\n");
  ck_assert_uint_eq(strspn(data + 19, "a"), big);
  free(data);
  free(field);
}
END_TEST

START_TEST(test_no_clobber) {
  struct report *r;
  char err[256];
  const char *path = fixture_path("exists.csv");
  size_t len;
  char *data;
  FILE *f = fopen(path, "w");
  fputs("old\n", f);
  fclose(f);

  ck_assert_int_eq(report_open(&r, path, 0, err, sizeof err), UV_EEXIST);
  ck_assert_ptr_null(r);
  ck_assert_ptr_nonnull(strstr(err, "exists"));
  ck_assert_ptr_nonnull(strstr(err, "--force"));
  ck_assert_str_eq(listing(), "exists.csv"); /* no temporary file left */
  data = slurp(path, &len);
  ck_assert_str_eq(data, "old\n");
  free(data);

  ck_assert_int_eq(report_open(&r, path, REPORT_FORCE, err, sizeof err), 0);
  write3(r, "n", "e", "w");
  ck_assert_int_eq(report_close(r, 1, err, sizeof err), 0);
  data = slurp(path, &len);
  ck_assert_str_eq(data, "n,e,w\n");
  free(data);
}
END_TEST

START_TEST(test_symlink_refused_or_replaced) {
  struct report *r;
  char err[256];
  const char *victim = fixture_path("victim"), *link = fixture_path("link.csv"),
             *dangling = fixture_path("dangling.csv");
  struct stat st;
  size_t len;
  char *data;
  FILE *f = fopen(victim, "w");
  fputs("keep\n", f);
  fclose(f);
  ck_assert_int_eq(symlink(victim, link), 0);
  ck_assert_int_eq(symlink(fixture_path("nowhere"), dangling), 0);

  ck_assert_int_eq(report_open(&r, link, 0, err, sizeof err), UV_EEXIST);
  ck_assert_ptr_nonnull(strstr(err, "symbolic link"));
  ck_assert_int_eq(report_open(&r, dangling, 0, err, sizeof err), UV_EEXIST);
  ck_assert_str_eq(listing(), "dangling.csv link.csv victim");

  /* --force replaces the link itself; the file it pointed at is intact. */
  ck_assert_int_eq(report_open(&r, link, REPORT_FORCE, err, sizeof err), 0);
  write3(r, "a", "b", "c");
  ck_assert_int_eq(report_close(r, 1, err, sizeof err), 0);
  ck_assert_int_eq(lstat(link, &st), 0);
  ck_assert(S_ISREG(st.st_mode));
  data = slurp(link, &len);
  ck_assert_str_eq(data, "a,b,c\n");
  free(data);
  data = slurp(victim, &len);
  ck_assert_str_eq(data, "keep\n");
  free(data);
}
END_TEST

START_TEST(test_bad_paths) {
  struct report *r;
  char err[256];

  ck_assert_int_eq(report_open(&r, fixture_dir, REPORT_FORCE, err, sizeof err), UV_EISDIR);
  ck_assert_int_eq(report_open(&r, fixture_path("sub/"), 0, err, sizeof err), UV_EISDIR);
  ck_assert_int_eq(report_open(&r, "", 0, err, sizeof err), UV_EINVAL);
  ck_assert_int_eq(report_open(&r, "/dev/null", REPORT_FORCE, err, sizeof err), UV_EEXIST);
  ck_assert_ptr_nonnull(strstr(err, "not a regular file"));

  ck_assert_int_eq(report_open(&r, fixture_path("missing/out.csv.gz"), 0, err, sizeof err),
                   UV_ENOENT);
  ck_assert_ptr_null(r);
  ck_assert_ptr_nonnull(strstr(err, "missing"));
  ck_assert_ptr_nonnull(strstr(err, strerror(ENOENT)));
  ck_assert_str_eq(listing(), "");
}
END_TEST

START_TEST(test_unwritable_directory) {
  struct report *r;
  char err[256];
  const char *sub = fixture_path("ro");
  int rc;
  ck_assert_int_eq(mkdir(sub, 0555), 0);
  rc = report_open(&r, fixture_path("ro/out.csv"), 0, err, sizeof err);
  if (geteuid() == 0) { /* root writes anyway: nothing to check but cleanup */
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(report_close(r, 0, err, sizeof err), 0);
  } else {
    ck_assert_int_eq(rc, UV_EACCES);
    ck_assert_ptr_nonnull(strstr(err, strerror(EACCES)));
  }
  rmdir(sub);
}
END_TEST

START_TEST(test_discard_and_appeared) {
  struct report *r;
  char err[256];
  const char *path = fixture_path("race.csv");
  size_t len;
  char *data;
  FILE *f;

  /* commit = 0 throws the temporary file away. */
  ck_assert_int_eq(report_open(&r, path, 0, err, sizeof err), 0);
  write3(r, "a", "b", "c");
  ck_assert_int_eq(report_close(r, 0, err, sizeof err), 0);
  ck_assert_str_eq(listing(), "");

  /* A file that appears at the final path during the run is not replaced;
   * the data stays in the temporary file, and the error says where. */
  ck_assert_int_eq(report_open(&r, path, 0, err, sizeof err), 0);
  write3(r, "a", "b", "c");
  f = fopen(path, "w");
  fputs("intruder\n", f);
  fclose(f);
  {
    char tmpname[256];
    snprintf(tmpname, sizeof tmpname, "%s", report_tmp_path(r));
    ck_assert_int_eq(report_close(r, 1, err, sizeof err), UV_EEXIST);
    ck_assert_ptr_nonnull(strstr(err, tmpname));
    data = slurp(tmpname, &len);
    ck_assert_str_eq(data, "a,b,c\n");
    free(data);
  }
  data = slurp(path, &len);
  ck_assert_str_eq(data, "intruder\n");
  free(data);
}
END_TEST

START_TEST(test_disk_full_plain) {
  struct report *r;
  char err[256];
  int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(report_open_fd(&r, fd, "/dev/full", 0, err, sizeof err), 0);
  write3(r, "a", "b", "c"); /* buffered: no error yet */
  ck_assert_int_eq(report_flush(r), UV_ENOSPC);
  ck_assert_ptr_nonnull(strstr(report_error(r), strerror(ENOSPC)));
  /* Sticky: later writes fail at once. */
  {
    const char *f[1] = {"x"};
    ck_assert_int_eq(report_write_fields(r, f, NULL, 1), UV_ENOSPC);
  }
  ck_assert_int_eq(report_close(r, 1, err, sizeof err), UV_ENOSPC);
  ck_assert_ptr_nonnull(strstr(err, "/dev/full"));
}
END_TEST

START_TEST(test_disk_full_gzip) {
  struct report *r;
  char err[256];
  int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);
  ck_assert_int_ge(fd, 0);
  ck_assert_int_eq(report_open_fd(&r, fd, "/dev/full", REPORT_GZIP, err, sizeof err), 0);
  write3(r, "a", "b", "c");
  ck_assert_int_eq(report_flush(r), UV_ENOSPC);
  ck_assert_int_eq(report_close(r, 1, err, sizeof err), UV_ENOSPC);
  ck_assert_ptr_nonnull(strstr(err, strerror(ENOSPC)));
}
END_TEST

/* Not an error at first, a failure later: a file size limit (like a quota)
 * hit in the middle of a real report file.  Only what was written before
 * is kept, and close reports the error. */
START_TEST(test_write_error_mid_file) {
  struct report *r;
  char err[256], row[200];
  const char *path = fixture_path("limited.csv");
  struct rlimit old, lim;
  int rc = 0, crc;

  memset(row, 'r', sizeof row - 1);
  row[sizeof row - 2] = '\n';
  row[sizeof row - 1] = '\0';
  ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
  signal(SIGXFSZ, SIG_IGN);
  ck_assert_int_eq(report_open(&r, path, 0, err, sizeof err), 0);
  report_set_member(r, 1, 0); /* every record goes straight to the file */
  lim = old;
  lim.rlim_cur = 1000;
  /* No assertion while the limit is on: Check's own files obey it too. */
  setrlimit(RLIMIT_FSIZE, &lim);
  for (int i = 0; i < 10 && rc == 0; i++) {
    report_tag(r, (uint64_t)i);
    rc = report_write_raw(r, row, strlen(row));
  }
  report_tag(r, 100); /* after the error: refused at once, and lost */
  int rc2 = report_write_raw(r, row, strlen(row));
  const uint64_t *lost;
  int unknown = -1;
  size_t nlost = report_lost(r, &lost, &unknown);
  uint64_t lost0 = nlost > 0 ? lost[0] : 0, lost1 = nlost > 1 ? lost[1] : 0;
  crc = report_close(r, REPORT_COMPLETE, err, sizeof err);
  setrlimit(RLIMIT_FSIZE, &old);
  ck_assert_int_eq(rc, UV_EFBIG);
  ck_assert_int_eq(rc2, UV_EFBIG);
  ck_assert_int_eq(crc, UV_EFBIG);
  ck_assert_ptr_nonnull(strstr(err, strerror(EFBIG)));
  /* 199-byte rows: five fit in 1000 bytes, the sixth was cut after 5
   * bytes.  The file is cut back to the five whole rows and renamed to
   * the partial name; rows 5 and 100 are the lost ones. */
  ck_assert_uint_eq(nlost, 2);
  ck_assert_uint_eq(lost0, 5);
  ck_assert_uint_eq(lost1, 100);
  ck_assert_int_eq(unknown, 0);
  {
    struct stat st;
    ck_assert_int_eq(stat(path, &st), -1); /* never the final name */
    ck_assert_int_eq(stat(fixture_path("limited.csv.partial"), &st), 0);
    ck_assert_int_eq(st.st_size, 5 * 199);
    ck_assert_str_eq(listing(), "limited.csv.partial");
  }
}
END_TEST

/* The same with gzip, written through a full small file system is not
 * possible in a unit test: a file size limit cuts a member in the middle.
 * Every member before the cut is kept whole and the cut one is removed, so
 * zcat reads the file without error. */
START_TEST(test_write_error_gzip_members) {
  struct report *r;
  char err[256], row[64];
  const char *path = fixture_path("limited.csv.gz");
  struct rlimit old, lim;
  int rc = 0, n = 0;
  size_t len;
  char *data;

  ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
  signal(SIGXFSZ, SIG_IGN);
  ck_assert_int_eq(report_open(&r, path, 0, err, sizeof err), 0);
  report_set_member(r, 50, 0);
  lim = old;
  lim.rlim_cur = 4096;
  setrlimit(RLIMIT_FSIZE, &lim);
  /* Rows that do not compress much: a counter and pseudo-random text. */
  for (unsigned x = 12345; n < 5000 && rc == 0; n++) {
    int o = snprintf(row, sizeof row, "%d,", n);
    for (; o < 60; o++) {
      x = x * 1103515245u + 12345u;
      row[o] = (char)('a' + (x >> 16) % 26);
    }
    row[o++] = '\n';
    report_tag(r, (uint64_t)n);
    rc = report_write_raw(r, row, (size_t)o);
  }
  const uint64_t *lost;
  size_t nlost = report_lost(r, &lost, NULL);
  uint64_t first_lost = nlost ? lost[0] : 0;
  int crc = report_close(r, REPORT_COMPLETE, err, sizeof err);
  setrlimit(RLIMIT_FSIZE, &old);
  ck_assert_int_eq(rc, UV_EFBIG);
  ck_assert_int_eq(crc, UV_EFBIG);
  data = gunzip(fixture_path("limited.csv.gz.partial"), &len);
  ck_assert_ptr_nonnull(data); /* gunzip() fails on a cut member */
  /* Whole members of 50 rows: the rows kept are 0 .. k*50-1, the lost ones
   * start right after them. */
  size_t rows = 0;
  for (size_t i = 0; i < len; i++) rows += data[i] == '\n';
  ck_assert_uint_gt(rows, 0);
  ck_assert_uint_eq(rows % 50, 0);
  ck_assert_int_eq(data[len - 1], '\n');
  ck_assert_uint_eq(first_lost, rows);
  ck_assert_uint_eq(nlost, (size_t)n - rows);
  free(data);
}
END_TEST

/* A write error before anything reached the file whole: the file is cut
 * back to nothing, and the header row is written again, so the partial
 * report is still a report (header only), plain or gzip. */
START_TEST(test_write_error_keeps_header) {
  static const char *names[] = {"h.csv", "h.csv.gz"};
  struct report *r;
  char err[256], row[100], want[64];
  struct rlimit old, lim;
  int rc = 0;

  ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
  signal(SIGXFSZ, SIG_IGN);
  for (int k = 0; k < 2; k++) {
    const char *path = fixture_path(names[k]);
    ck_assert_int_eq(report_open(&r, path, 0, err, sizeof err), 0);
    report_set_member(r, 100000, 600000);
    row[sizeof row - 1] = '\n';
    lim = old;
    lim.rlim_cur = 2000;
    setrlimit(RLIMIT_FSIZE, &lim);
    rc = report_write_raw(r, "ip,verdict\n", 11);
    /* 2000 rows of 100 bytes: the buffer (64 KiB) fills and its write
     * hits the limit; for gzip, finishing the member at close does. */
    unsigned x = 777;
    for (int i = 0; i < 2000 && rc == 0; i++) {
      for (size_t j = 0; j + 1 < sizeof row; j++) { /* text gzip cannot shrink much */
        x = x * 1103515245u + 12345u;
        row[j] = (char)('a' + (x >> 16) % 26);
      }
      rc = report_write_raw(r, row, sizeof row);
    }
    int crc = report_close(r, REPORT_COMPLETE, err, sizeof err);
    setrlimit(RLIMIT_FSIZE, &old);
    ck_assert_int_eq(crc, UV_EFBIG);
    snprintf(want, sizeof want, "%s.partial", names[k]);
    size_t len;
    char *data = k ? gunzip(fixture_path(want), &len) : slurp(fixture_path(want), &len);
    ck_assert_uint_eq(len, 11);
    ck_assert_int_eq(memcmp(data, "ip,verdict\n", 11), 0);
    free(data);
  }
}
END_TEST

/* Plain file, rows through the 64 KiB buffer (no member limit): the lost
 * list is exactly the rows not in the file -- also the row whose write
 * first made room by writing the buffer out. */
START_TEST(test_write_error_lost_exact) {
  for (int big = 0; big < 2; big++) {
    struct report *r;
    char err[256];
    static char row[70000];
    size_t rowlen = big ? 66000 : 1000; /* big: larger than the buffer */
    const char *path = fixture_path(big ? "big.csv" : "lost.csv");
    struct rlimit old, lim;
    int rc = 0, n = 0;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_IGN);
    ck_assert_int_eq(report_open(&r, path, 0, err, sizeof err), 0);
    report_set_member(r, 1000000, 600000);
    memset(row, 'z', rowlen);
    row[rowlen - 1] = '\n';
    lim = old;
    lim.rlim_cur = 300000;
    setrlimit(RLIMIT_FSIZE, &lim);
    for (; n < 1000 && rc == 0; n++) {
      report_tag(r, (uint64_t)n);
      rc = report_write_raw(r, row, rowlen);
    }
    const uint64_t *lost;
    size_t nlost = report_lost(r, &lost, NULL);
    uint64_t first = nlost ? lost[0] : 0, last = nlost ? lost[nlost - 1] : 0;
    report_close(r, REPORT_COMPLETE, err, sizeof err);
    setrlimit(RLIMIT_FSIZE, &old);
    char want[64];
    snprintf(want, sizeof want, "%s.partial", big ? "big.csv" : "lost.csv");
    size_t len;
    char *data = slurp(fixture_path(want), &len);
    size_t rows = len / rowlen;
    ck_assert_uint_eq(len % rowlen, 0);
    ck_assert_uint_eq(rows + nlost, (size_t)n);
    ck_assert_uint_eq(first, rows);
    ck_assert_uint_eq(last, (uint64_t)n - 1);
    free(data);
  }
}
END_TEST

Suite *report_suite(void) {
  Suite *s = suite_create("report");
  TCase *tf = tcase_create("format");
  TCase *tc = tcase_create("files");
  tcase_add_test(tf, test_format_quoting);
  tcase_add_test(tf, test_format_lengths_and_nulls);
  tcase_add_test(tf, test_format_snprintf_contract);
  tcase_add_test(tf, test_format_many_fields);
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_gzip_roundtrip_exact);
  tcase_add_test(tc, test_gzip_members_by_rows);
  tcase_add_test(tc, test_gzip_members_by_time_and_flush);
  tcase_add_test(tc, test_plain_file_and_large_record);
  tcase_add_test(tc, test_no_clobber);
  tcase_add_test(tc, test_symlink_refused_or_replaced);
  tcase_add_test(tc, test_bad_paths);
  tcase_add_test(tc, test_unwritable_directory);
  tcase_add_test(tc, test_discard_and_appeared);
  tcase_add_test(tc, test_disk_full_plain);
  tcase_add_test(tc, test_disk_full_gzip);
  tcase_add_test(tc, test_write_error_mid_file);
  tcase_add_test(tc, test_write_error_gzip_members);
  tcase_add_test(tc, test_write_error_keeps_header);
  tcase_add_test(tc, test_write_error_lost_exact);
  suite_add_tcase(s, tf);
  suite_add_tcase(s, tc);
  return s;
}
