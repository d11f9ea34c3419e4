/* SPDX-License-Identifier: MIT */
/*
 * fuzz_dnsbl.c - libFuzzer target for the blocklist rules
 * (src/core/dnsbl.h) and the TTL reader of the answer cache
 * (dnsreply_ttl, src/core/dnsreply.h).
 *
 * The same bytes are used four ways:
 *   - a DNS reply (seeds are real packets; the question name is read back
 *     from it, as fuzz_dnsreply does): dnsbl_classify must give a legal
 *     outcome -- LISTED only with 1..DNSBL_MAX_CODES codes, ascending,
 *     every one in 127/8 and none in 127.255.255.0/24 nor 127.0.0.1;
 *     NXDOMAIN and NODATA (per dnsreply_addrs) are NOT_LISTED and nothing
 *     else is; ERROR has a kind and a printable reason -- and its cell
 *     parses back to the same label, listed flag and reason;
 *     dnsreply_ttl: zeros on error, answer_min 0 without answers, negative
 *     0 without SOA, no TTL with the top bit set;
 *   - a `dnsbl` cell: dnsbl_cell_parse's entries lie inside the input,
 *     have a label and a value, hold no ';', and a listed value has no '=';
 *   - a --dnsbl-file: accepted lists have valid lower-case zones, distinct
 *     zones and labels; a refusal names the file and is one line.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsbl.h"
#include "dnsreply.h"
#include "status.h"

#include "fuzz.h"


static int printable(const char *s) {
  for (; *s; s++)
    if (*s <= 0x20 || *s >= 0x7f) return 0;
  return 1;
}

static void check_reply(const uint8_t *d, size_t size) {
  char qname[1100];
  struct dnsbl_outcome o;
  struct addr recs[64];
  struct dnsreply_addrs ra;
  if (question_name(d, size, qname, sizeof qname) != 0) strcpy(qname, "2.0.0.127.bl.example");
  dnsbl_classify(DNS_OK, d, size, qname, &o);
  dnsreply_addrs_init(&ra, recs, 64);
  int st = dnsreply_addrs(d, (int)size, qname, 4, &ra);
  CHECK(o.result == DNSBL_NOT_LISTED || o.result == DNSBL_LISTED || o.result == DNSBL_ERROR);
  CHECK((o.result == DNSBL_NOT_LISTED) == (st == DNS_NXDOMAIN || st == DNS_NODATA));
  if (o.result == DNSBL_LISTED) {
    CHECK(st == DNS_OK && o.error == DNSBL_E_NONE && o.reason[0] == '\0');
    CHECK(o.ncodes >= 1 && o.ncodes <= DNSBL_MAX_CODES && o.ncodes <= o.total);
    for (size_t i = 0; i < o.ncodes; i++) {
      const uint8_t *c = o.codes[i];
      CHECK(c[0] == 127);
      CHECK(!(c[1] == 255 && c[2] == 255));
      CHECK(!(c[1] == 0 && c[2] == 0 && c[3] == 1));
      if (i) CHECK(memcmp(o.codes[i - 1], c, 4) < 0);
    }
  } else if (o.result == DNSBL_ERROR) {
    CHECK(o.error == DNSBL_E_CODE || o.error == DNSBL_E_INVALID || o.error == DNSBL_E_LOOKUP);
    CHECK(o.reason[0] && printable(o.reason) && strlen(o.reason) < DNSBL_REASON_MAX);
    if (o.error == DNSBL_E_CODE) CHECK(o.codes[0][0] == 127 && o.codes[0][1] == 255 && o.codes[0][2] == 255);
  } else {
    CHECK(o.error == DNSBL_E_NONE && o.reason[0] == '\0');
  }
  /* The cell and back. */
  char cell[DNSBL_CELL_MAX(1)];
  const char *label = "bl.example";
  int n = dnsbl_cell_format(cell, sizeof cell, &label, &o, 1);
  CHECK(n >= 0 && (size_t)n == strlen(cell));
  struct dnsbl_cell_entry e[2];
  size_t ne;
  CHECK(dnsbl_cell_parse(cell, (size_t)n, e, 2, &ne) == 0);
  CHECK(ne == (o.result != DNSBL_NOT_LISTED));
  if (ne) {
    CHECK(e[0].label_len == strlen(label) && !memcmp(e[0].label, label, e[0].label_len));
    CHECK(e[0].listed == (o.result == DNSBL_LISTED));
    if (!e[0].listed)
      CHECK(e[0].value_len == strlen(o.reason) && !memcmp(e[0].value, o.reason, e[0].value_len));
  }

  struct dnsreply_ttl t;
  if (dnsreply_ttl(d, (int)size, &t) < 0) {
    CHECK(t.answers == 0 && t.answer_min == 0 && t.soa == 0 && t.negative == 0);
  } else {
    if (!t.answers) CHECK(t.answer_min == 0);
    if (!t.soa) CHECK(t.negative == 0);
    CHECK(!(t.answer_min & 0x80000000u) && !(t.negative & 0x80000000u));
  }
}

static void check_cell(const uint8_t *d, size_t size) {
  struct dnsbl_cell_entry e[8];
  size_t ne = 99;
  const char *s = (const char *)d;
  int r = dnsbl_cell_parse(s, size, e, 8, &ne);
  CHECK(r == 0 || r == -EINVAL || r == -E2BIG);
  CHECK(ne <= 8);
  if (r != 0) return;
  if (size == 0) CHECK(ne == 0);
  for (size_t i = 0; i < ne; i++) {
    CHECK(e[i].label >= s && e[i].label + e[i].label_len <= s + size && e[i].label_len > 0);
    CHECK(e[i].value >= s && e[i].value + e[i].value_len <= s + size && e[i].value_len > 0);
    CHECK(!memchr(e[i].label, ';', e[i].label_len) && !memchr(e[i].value, ';', e[i].value_len));
    CHECK(!memchr(e[i].label, '=', e[i].label_len));
    if (e[i].listed) CHECK(!memchr(e[i].value, '=', e[i].value_len));
  }
}

static void check_file(const uint8_t *d, size_t size) {
  struct dnsbl_list l[4];
  size_t n = 0;
  char err[512] = "";
  int r = dnsbl_file_parse((const char *)d, size, "f.txt", l, 4, &n, err, sizeof err);
  CHECK(n <= 4);
  if (r < 0) {
    CHECK(r == -EINVAL || r == -E2BIG);
    CHECK(strncmp(err, "f.txt:", 6) == 0 && !strchr(err, '\n'));
    return;
  }
  for (size_t i = 0; i < n; i++) {
    size_t zl = strlen(l[i].zone);
    CHECK(zl >= 1 && zl <= DNSBL_ZONE_MAX && l[i].zone[0] != '.' && l[i].zone[zl - 1] != '.');
    CHECK(!strstr(l[i].zone, ".."));
    for (size_t k = 0; k < zl; k++) CHECK(!(l[i].zone[k] >= 'A' && l[i].zone[k] <= 'Z'));
    CHECK(l[i].label[0] && !strpbrk(l[i].label, "=;, \t"));
    for (size_t j = 0; j < i; j++)
      CHECK(strcmp(l[i].zone, l[j].zone) != 0 && strcmp(l[i].label, l[j].label) != 0);
    char q[DNSBL_QNAME_MAX];
    struct addr a;
    memset(&a, 0, sizeof a);
    a.family = 6;
    CHECK(dnsbl_qname(q, sizeof q, &a, l[i].zone) > 0);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 65535) return 0;
  check_reply(data, size);
  check_cell(data, size);
  check_file(data, size);
  return 0;
}
