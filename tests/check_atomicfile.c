/* SPDX-License-Identifier: MIT */
/*
 * check_atomicfile.c - the one way outputs are created (atomicfile.h):
 * random temporary names next to the target, the rename rules (no replace
 * without the force flag, the link itself replaced with it), refusal of
 * directories, devices and FIFOs, commit under another name, discard.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <uv.h>

#include "atomicfile.h"

static char dir[64];
static char err[512];

static void setup(void) {
  strcpy(dir, "/tmp/ptraudit-af-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  umask(022);
}

static void teardown(void) {
  DIR *d = opendir(dir);
  struct dirent *e;
  char p[512];
  if (!d) return;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    unlink(p);
  }
  closedir(d);
  rmdir(dir);
}

static const char *in_dir(const char *name) {
  static char p[4][512];
  static int k;
  k = (k + 1) % 4;
  snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
  return p[k];
}

/* Number of entries in the test directory. */
static int entries(void) {
  DIR *d = opendir(dir);
  struct dirent *e;
  int n = 0;
  while (d && (e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
  if (d) closedir(d);
  return n;
}

static void put(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  ck_assert_int_eq(fclose(f), 0);
}

static const char *get(const char *path) {
  static char buf[256];
  FILE *f = fopen(path, "r");
  size_t n;
  ck_assert_ptr_nonnull(f);
  n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  return buf;
}

static struct atomicfile *open_write(const char *path, unsigned flags, const char *text) {
  struct atomicfile *af;
  int rc = atomicfile_open(&af, path, "output file", flags, err, sizeof err);
  ck_assert_msg(rc == 0, "open %s: %d %s", path, rc, err);
  ck_assert_int_eq(atomicfile_write_all(atomicfile_fd(af), text, strlen(text)), 0);
  return af;
}

START_TEST(temp_name_and_commit) {
  struct atomicfile *a, *b;
  const char *target = in_dir("out.csv");
  struct stat st;
  a = open_write(target, 0, "one\n");
  b = open_write(target, 0, "two\n");
  /* ".out.csv.tmp." + 12 hex digits, in the target's directory; two opens
   * never share a name (and the PID is not the name). */
  const char *ta = atomicfile_tmp(a), *tb = atomicfile_tmp(b);
  const char *base = strrchr(ta, '/') + 1;
  ck_assert_int_eq(strncmp(ta, dir, strlen(dir)), 0);
  ck_assert_int_eq(strncmp(base, ".out.csv.tmp.", 13), 0);
  ck_assert_uint_eq(strlen(base), 13 + 12);
  ck_assert_uint_eq(strspn(base + 13, "0123456789abcdef"), 12);
  ck_assert_str_ne(ta, tb);
  ck_assert_int_eq(lstat(ta, &st), 0);
  ck_assert_uint_eq(st.st_mode & 0777, 0644);
  ck_assert_int_eq(stat(target, &st), -1); /* nothing at the target yet */

  ck_assert_int_eq(atomicfile_commit(a, NULL, err, sizeof err), 0);
  ck_assert_str_eq(get(target), "one\n");
  /* The second one finds the name taken: never replaced without force,
   * its data stays in its temporary file, and the message says where. */
  char tbc[512];
  snprintf(tbc, sizeof tbc, "%s", tb);
  ck_assert_int_eq(atomicfile_commit(b, NULL, err, sizeof err), UV_EEXIST);
  ck_assert_ptr_nonnull(strstr(err, "appeared during the run"));
  ck_assert_ptr_nonnull(strstr(err, tbc));
  ck_assert_str_eq(get(target), "one\n");
  ck_assert_str_eq(get(tbc), "two\n");
}
END_TEST

START_TEST(existing_targets) {
  struct atomicfile *af;
  const char *target = in_dir("out.csv"), *link = in_dir("link.csv"),
             *other = in_dir("other.txt");
  put(target, "old\n");
  ck_assert_int_eq(atomicfile_open(&af, target, "output file", 0, err, sizeof err), UV_EEXIST);
  ck_assert_ptr_nonnull(strstr(err, "exists; refusing to overwrite it (use --force)"));
  ck_assert_int_eq(entries(), 1); /* no temporary file left */
  af = open_write(target, ATOMICFILE_FORCE, "new\n");
  ck_assert_int_eq(atomicfile_commit(af, NULL, err, sizeof err), 0);
  ck_assert_str_eq(get(target), "new\n");

  /* A symlink: refused without force; with it the link itself is replaced
   * and what it pointed at is untouched. */
  put(other, "precious\n");
  ck_assert_int_eq(symlink(other, link), 0);
  ck_assert_int_eq(atomicfile_check(link, "--html page", 0, err, sizeof err), UV_EEXIST);
  ck_assert_ptr_nonnull(strstr(err, "--html page"));
  ck_assert_ptr_nonnull(strstr(err, "symbolic link"));
  af = open_write(link, ATOMICFILE_FORCE, "page\n");
  ck_assert_int_eq(atomicfile_commit(af, NULL, err, sizeof err), 0);
  struct stat st;
  ck_assert_int_eq(lstat(link, &st), 0);
  ck_assert(S_ISREG(st.st_mode));
  ck_assert_str_eq(get(other), "precious\n");
}
END_TEST

START_TEST(special_targets_refused) {
  struct atomicfile *af;
  const char *fifo = in_dir("fifo"), *dev = in_dir("null"), *sub = in_dir("sub");
  ck_assert_int_eq(mkfifo(fifo, 0600), 0);
  ck_assert_int_eq(mknod(dev, S_IFCHR | 0600, makedev(1, 3)), 0); /* like /dev/null */
  ck_assert_int_eq(mkdir(sub, 0700), 0);
  ck_assert_int_eq(atomicfile_open(&af, fifo, "output file", ATOMICFILE_FORCE, err, sizeof err),
                   UV_EEXIST);
  ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
  ck_assert_int_eq(atomicfile_open(&af, dev, "output file", ATOMICFILE_FORCE, err, sizeof err),
                   UV_EEXIST);
  ck_assert_int_eq(atomicfile_open(&af, sub, "output file", ATOMICFILE_FORCE, err, sizeof err),
                   UV_EISDIR);
  ck_assert_int_eq(atomicfile_check(in_dir("x/"), "output file", 0, err, sizeof err), UV_EISDIR);
  ck_assert_int_eq(atomicfile_check(in_dir(".."), "output file", 0, err, sizeof err), UV_EISDIR);
  ck_assert_int_eq(atomicfile_check("", "output file", 0, err, sizeof err), UV_EINVAL);
  ck_assert_int_eq(entries(), 3);
  rmdir(sub);

  /* A FIFO that appears at the target during the run is not replaced,
   * even with force. */
  const char *late = in_dir("late");
  af = open_write(late, ATOMICFILE_FORCE, "data\n");
  ck_assert_int_eq(mkfifo(late, 0600), 0);
  ck_assert_int_eq(atomicfile_commit(af, NULL, err, sizeof err), UV_EEXIST);
  ck_assert_ptr_nonnull(strstr(err, "no longer a regular file"));
  struct stat st;
  ck_assert_int_eq(lstat(late, &st), 0);
  ck_assert(S_ISFIFO(st.st_mode));
}
END_TEST

START_TEST(commit_elsewhere_and_discard) {
  struct atomicfile *af = open_write(in_dir("r.csv"), 0, "part\n");
  ck_assert_int_eq(atomicfile_commit(af, in_dir("r.csv.partial"), err, sizeof err), 0);
  ck_assert_str_eq(get(in_dir("r.csv.partial")), "part\n");
  ck_assert_int_eq(entries(), 1);
  /* The other name is checked like the first: taken, so refused. */
  af = open_write(in_dir("r.csv"), 0, "again\n");
  ck_assert_int_eq(atomicfile_commit(af, in_dir("r.csv.partial"), err, sizeof err), UV_EEXIST);
  ck_assert_str_eq(get(in_dir("r.csv.partial")), "part\n");
  ck_assert_int_eq(entries(), 2); /* the data is kept in its temporary file */
  af = open_write(in_dir("gone.csv"), 0, "x\n");
  atomicfile_discard(af);
  ck_assert_int_eq(entries(), 2);
  atomicfile_discard(NULL);
}
END_TEST

START_TEST(unwritable_directory) {
  struct atomicfile *af;
  ck_assert_int_eq(atomicfile_open(&af, "/nonexistent-dir/x.csv", "checkpoint", 0, err,
                                   sizeof err), UV_ENOENT);
  ck_assert_ptr_nonnull(strstr(err, "cannot create the checkpoint in directory /nonexistent-dir"));
}
END_TEST

Suite *atomicfile_suite(void) {
  Suite *s = suite_create("atomicfile");
  TCase *tc = tcase_create("files");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, temp_name_and_commit);
  tcase_add_test(tc, existing_targets);
  tcase_add_test(tc, special_targets_refused);
  tcase_add_test(tc, commit_elsewhere_and_discard);
  tcase_add_test(tc, unwritable_directory);
  suite_add_tcase(s, tc);
  return s;
}
