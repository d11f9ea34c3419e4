/* SPDX-License-Identifier: MIT */
/*
 * fuzz_spfrecord.c - libFuzzer target for the SPF record syntax
 * (src/core/spfrecord.h) and macro strings (src/core/spfmacro.h).
 *
 * The input is one record's text (an exact-size copy, so ASan sees any
 * over-read).  Checked:
 *   - spf_record_check succeeds exactly when every term from
 *     spf_record_next parses and redirect/exp appear at most once; terms
 *     lie inside the record, hold no SP, and are non-empty;
 *   - a parsed term's domain-spec passes spf_macro_check_domain, and its
 *     expansion (spf_macro_expand_domain) is -EINVAL never, and otherwise
 *     a name of at most SPF_DOMAIN_MAX bytes that spf_macro_name_ok
 *     accepts (or -ERANGE);
 *   - the whole input as explanation text: spf_macro_expand agrees with
 *     spf_macro_check, writes a NUL-terminated string within the buffer,
 *     for every buffer size from 1 to 64 as well.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "spfmacro.h"
#include "spfrecord.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 8192) return 0;
  char *rec = malloc(size ? size : 1);
  CHECK(rec);
  memcpy(rec, data, size);

  struct addr ip;
  addr_parse(&ip, "192.0.2.3", 9);
  struct spf_macro_ctx c = {"a.b-c@example.com", "a.b-c", "example.com", "sub.example.com", &ip,
                            "mail.example.com", "helo.example.org", NULL, 1400000000};

  struct spf_record_info info;
  char err[256];
  int rc = spf_record_check(rec, size, &info, err, sizeof err);
  CHECK(rc == 0 || rc == -EINVAL);
  if (rc != 0) CHECK(err[0] != '\0');

  size_t pos = 0, tl;
  const char *tok;
  int all_ok = 1, nred = 0, nexp = 0;
  if (spf_record_is_spf(rec, size)) {
    while (spf_record_next(rec, size, &pos, &tok, &tl)) {
      CHECK(tok >= rec && tok + tl <= rec + size && tl > 0);
      CHECK(memchr(tok, ' ', tl) == NULL);
      struct spf_term t;
      if (spf_term_parse(tok, tl, &t, err, sizeof err) != 0) {
        all_ok = 0;
        continue;
      }
      nred += t.kind == SPF_T_REDIRECT;
      nexp += t.kind == SPF_T_EXP;
      CHECK(t.cidr4 >= 0 && t.cidr4 <= 32 && t.cidr6 >= 0 && t.cidr6 <= 128);
      if (t.spec && t.kind != SPF_T_UNKNOWN_MOD) {
        char name[SPF_DOMAIN_MAX + 1];
        CHECK(t.spec >= tok && t.spec + t.speclen <= tok + tl);
        CHECK(spf_macro_check_domain(t.spec, t.speclen, NULL) == 0);
        int n = spf_macro_expand_domain(t.spec, t.speclen, &c, name);
        CHECK(n == -ERANGE || (n >= 0 && n <= SPF_DOMAIN_MAX));
        if (n >= 0) CHECK((size_t)n == strlen(name) && spf_macro_name_ok(name));
      }
    }
    CHECK((rc == 0) == (all_ok && nred <= 1 && nexp <= 1));
  }

  /* The input as explanation text. */
  int ok = spf_macro_check(rec, size, SPF_MACRO_EXP, NULL) == 0;
  char out[1024];
  int n = spf_macro_expand(rec, size, SPF_MACRO_EXP, &c, out, sizeof out);
  CHECK(ok ? n >= 0 : n == -EINVAL);
  if (n >= 0) CHECK((size_t)n < sizeof out && strlen(out) == (size_t)n);
  for (size_t cap = 1; cap <= 64 && ok; cap++) {
    char *small = malloc(cap);
    CHECK(small);
    int m = spf_macro_expand(rec, size, SPF_MACRO_EXP, &c, small, cap);
    CHECK(m >= 0 && (size_t)m < cap && strlen(small) == (size_t)m);
    CHECK(memcmp(small, out, (size_t)m) == 0);
    free(small);
  }
  free(rec);
  return 0;
}
