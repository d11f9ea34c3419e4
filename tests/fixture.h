/* SPDX-License-Identifier: MIT */
/*
 * fixture.h - a scratch directory for tests that write report files
 * (check_report.c, check_reportread.c).  Header-only (static inline): the
 * Makefile links only tests/check_*.c into the runner, and each test file
 * gets its own directory variable.
 *
 *   fixture_dir_make("report") in a checked fixture's setup creates
 *   /tmp/ptraudit-report-XXXXXX; fixture_path("a.csv") names a file in it
 *   (the last four results stay valid); fixture_dir_remove() in teardown
 *   deletes the files in it and the directory (no subdirectories).
 */
#ifndef PTRAUDIT_TESTS_FIXTURE_H
#define PTRAUDIT_TESTS_FIXTURE_H

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fixture_dir[64];

static inline void fixture_dir_make(const char *name) {
  snprintf(fixture_dir, sizeof fixture_dir, "/tmp/ptraudit-%s-XXXXXX", name);
  ck_assert_ptr_nonnull(mkdtemp(fixture_dir));
}

static inline void fixture_dir_remove(void) {
  DIR *d = opendir(fixture_dir);
  struct dirent *e;
  char p[512];
  if (!d) return;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    snprintf(p, sizeof p, "%s/%s", fixture_dir, e->d_name);
    unlink(p);
  }
  closedir(d);
  rmdir(fixture_dir);
}

static inline const char *fixture_path(const char *name) {
  static char p[4][512];
  static int k;
  k = (k + 1) % 4;
  snprintf(p[k], sizeof p[k], "%s/%s", fixture_dir, name);
  return p[k];
}

#endif
