/* SPDX-License-Identifier: MIT */
/*
 * check_spfsuite.c - every test of the openspf RFC 7208 test suite
 * (tests/spf/rfc7208-tests.yml, release 2014.04, its licence beside it)
 * against the SPF engine (src/core/spf.h), each scenario's zone data served
 * by the in-memory DNS of spfzone.h as wire-format replies.
 *
 * The YAML is turned into tests/spf/rfc7208-tests.fixture by
 * tests/spf/yaml2fixture.py when `make unit` runs (format in the script).
 * A test passes when the result is one of its acceptable results and, for
 * a fail with an `explanation`, the explanation is that text -- or, for
 * "DEFAULT", there is none (the suite's word for the receiver's default).
 * The expected results are the suite's, not this engine's output.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spf.h"
#include "spfzone.h"

#define FIXTURE "spf/rfc7208-tests.fixture"
#define SUITE_TESTS 177 /* tests in this copy of the suite (tests/spf/README.md) */

/* Decode "x<hex>" into out[cap]; returns the length. */
static size_t unhex(const char *s, char *out, size_t cap) {
  size_t n = 0;
  ck_assert_msg(s[0] == 'x', "fixture: bad text field %s", s);
  for (s++; s[0] && s[1]; s += 2) {
    unsigned v;
    ck_assert_int_eq(sscanf(s, "%2x", &v), 1);
    ck_assert_uint_lt(n + 1, cap);
    out[n++] = (char)v;
  }
  out[n] = '\0';
  return n;
}

struct run {
  struct zone zone;
  char scenario[128];
  int tests, passed;
  char failures[8192];
};

static void run_test(struct run *r, char *line) {
  char *f[7];
  int nf = 0;
  for (char *t = strtok(line, " \n"); t && nf < 7; t = strtok(NULL, " \n")) f[nf++] = t;
  ck_assert_int_eq(nf, 7);
  char name[128], from[512], helo[512], want_exp[1024];
  unhex(f[1], name, sizeof name);
  unhex(f[3], from, sizeof from);
  unhex(f[4], helo, sizeof helo);
  int check_exp = strcmp(f[6], "-") != 0;
  if (check_exp) unhex(f[6], want_exp, sizeof want_exp);

  struct spf_out o;
  enum spf_result got = spf_drive(&r->zone, f[2], from, helo, &o);
  const char *gn = spf_result_name(got);
  int ok = 0;
  char results[128];
  snprintf(results, sizeof results, "%s", f[5]);
  for (char *save, *w = strtok_r(results, ",", &save); w; w = strtok_r(NULL, ",", &save))
    if (strcmp(w, gn) == 0) ok = 1;
  if (ok && check_exp && got == SPF_RESULT_FAIL) {
    if (strcmp(want_exp, "DEFAULT") == 0) ok = !o.has_exp;
    else ok = o.has_exp && strcmp(o.exp, want_exp) == 0;
  }
  r->tests++;
  if (ok) {
    r->passed++;
    return;
  }
  size_t l = strlen(r->failures);
  snprintf(r->failures + l, sizeof r->failures - l,
           "  %s / %s: got %s (%s)%s%s, want %s%s%s\n", r->scenario, name, gn, o.detail,
           o.has_exp ? " exp=" : "", o.has_exp ? o.exp : "", f[5], check_exp ? " exp=" : "",
           check_exp ? want_exp : "");
}

static void zone_line(struct zone *z, char *line) {
  char *f[64];
  int nf = 0;
  for (char *t = strtok(line, " \n"); t && nf < 64; t = strtok(NULL, " \n")) f[nf++] = t;
  ck_assert_int_ge(nf, 3);
  char name[512], a[2048];
  unhex(f[1], name, sizeof name);
  if (strcmp(f[2], "TIMEOUT") == 0) {
    zone_timeout(z, name);
  } else if (strcmp(f[2], "TXT") == 0 || strcmp(f[2], "SPF") == 0) {
    int n = atoi(f[3]);
    static char strs[16][2048];
    const char *p[16];
    size_t lens[16];
    ck_assert_int_le(n, 16);
    ck_assert_int_eq(nf, 4 + n);
    for (int i = 0; i < n; i++) {
      lens[i] = unhex(f[4 + i], strs[i], sizeof strs[i]);
      p[i] = strs[i];
    }
    int type = strcmp(f[2], "TXT") == 0 ? SPF_Q_TXT : ZT_SPF;
    /* "NONE": the suite's mark for "no TXT record here" */
    if (type == SPF_Q_TXT && n == 1 && strcmp(strs[0], "NONE") == 0)
      zone_new_rr(z, name, ZT_TXT_NONE);
    else
      zone_txt(z, name, type, (size_t)n, p, lens);
  } else if (strcmp(f[2], "A") == 0 || strcmp(f[2], "AAAA") == 0) {
    zone_addr(z, name, f[3]);
  } else if (strcmp(f[2], "MX") == 0) {
    unhex(f[4], a, sizeof a);
    zone_mx(z, name, (unsigned)atoi(f[3]), a);
  } else if (strcmp(f[2], "PTR") == 0 || strcmp(f[2], "CNAME") == 0) {
    unhex(f[3], a, sizeof a);
    zone_name_rr(z, name, strcmp(f[2], "PTR") == 0 ? SPF_Q_PTR : ZT_CNAME, a);
  } else {
    ck_abort_msg("fixture: unknown record type %s", f[2]);
  }
}

START_TEST(test_openspf_rfc7208) {
  FILE *fp = fopen(FIXTURE, "r");
  ck_assert_msg(fp != NULL, "cannot open tests/" FIXTURE " (make unit generates it)");
  static struct run r;
  static char line[16384];
  memset(&r, 0, sizeof r);
  while (fgets(line, sizeof line, fp)) {
    if (line[0] == 'S') {
      char *t = strtok(line + 2, " \n");
      unhex(t, r.scenario, sizeof r.scenario);
      r.zone.n = 0;
    } else if (line[0] == 'Z') {
      zone_line(&r.zone, line);
    } else if (line[0] == 'T') {
      run_test(&r, line);
    }
  }
  fclose(fp);
  printf("openspf RFC 7208 suite: %d of %d tests pass\n", r.passed, r.tests);
  if (r.failures[0]) printf("%s", r.failures);
  ck_assert_int_eq(r.tests, SUITE_TESTS);
  ck_assert_msg(r.passed == r.tests, "failed:\n%s", r.failures);
}
END_TEST

Suite *spfsuite_suite(void) {
  Suite *s = suite_create("spfsuite");
  TCase *tc = tcase_create("openspf");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_openspf_rfc7208);
  suite_add_tcase(s, tc);
  return s;
}
