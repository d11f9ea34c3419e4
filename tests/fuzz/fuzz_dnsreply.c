/* SPDX-License-Identifier: MIT */
/*
 * fuzz_dnsreply.c - libFuzzer target for the DNS reply parser
 * (src/core/dnsreply.h).
 *
 * The input is one raw DNS reply, so seeds are real packets.  The question
 * name is read back from the packet (uncompressed labels, joined with '.')
 * so that mutations get past the "is this our question" check; when it
 * cannot be read, a fixed reverse name is asked.  How many names/addresses
 * to keep comes from the first two bytes (the query ID, which the parser
 * ignores): 0..16 names, 0..32 addresses.  Every reply goes to
 * dnsreply_ptr, and dnsreply_addrs for A and AAAA, each into storage sized
 * exactly (ASan catches a write past it), and again with room for 64.
 *
 * Checked, for every status:
 *   - the status is an outcome the parser may give (never TIMEOUT or
 *     NOT_RUN); n <= max, n <= total, odd <= total; n == 0 unless DNS_OK,
 *     and for DNS_OK n == min(total, max) with total >= 1;
 *   - every stored name sits in its own arena slot, right after the two
 *     length bytes, fits in it with a NUL after its `lens` bytes, is
 *     non-empty, has no ASCII upper case, the names are strictly sorted by
 *     bytes (memcmp, then length), and every kept name that
 *     dnsreply_name_is_odd() flags was counted in `odd`; without the
 *     optional `lens` the same names come back;
 *   - addresses are of the asked family (IPv4 upper bytes zero), strictly
 *     sorted by bytes;
 *   - keeping fewer only cuts the list: the names/addresses kept with max
 *     are the first of those kept with room for 64, with the same status,
 *     cname and dangling;
 *   - dangling implies cname and NODATA; parsing twice gives the same;
 *   - `want`: the highest address kept with room for 64 is seen also with
 *     the small max (membership does not depend on what is kept); an
 *     address outside the RRset is not seen; nothing is seen unless DNS_OK.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "dnsreply.h"
#include "verdict.h"

#include "fuzz.h"

#define BIG 64

struct names_run {
  int st;
  struct dnsreply_names o;
  const char **names;
  size_t *lens;
  char *arena;
};

static int valid_status(int st) {
  return st == DNS_OK || st == DNS_NXDOMAIN || st == DNS_NODATA || st == DNS_SERVFAIL ||
         st == DNS_REFUSED || st == DNS_BADRESP || st == DNS_ERROR;
}

/* Question name of the packet, uncompressed labels only; 0 if readable. */

/* Byte order of stored names (memcmp, then length), written here. */
static int ref_cmp(const char *a, size_t al, const char *b, size_t bl) {
  for (size_t i = 0; i < al && i < bl; i++)
    if (a[i] != b[i]) return (unsigned char)a[i] < (unsigned char)b[i] ? -1 : 1;
  return al == bl ? 0 : al < bl ? -1 : 1;
}

static void names_run(struct names_run *r, const uint8_t *d, size_t size, const char *qname,
                      size_t max) {
  size_t i, j, nodd = 0;
  /* Exact sizes; malloc(0) may give NULL, so ask for at least a byte. */
  r->names = malloc(max ? max * sizeof *r->names : 1);
  r->lens = malloc(max ? max * sizeof *r->lens : 1);
  r->arena = malloc(max ? max * DNSREPLY_NAME_SIZE : 1);
  CHECK(r->names && r->lens && r->arena);
  dnsreply_names_init(&r->o, r->names, r->arena, max);
  CHECK(r->o.lens == NULL);
  r->o.lens = r->lens;
  r->st = dnsreply_ptr(d, (int)size, qname, &r->o);

  CHECK(valid_status(r->st));
  CHECK(r->o.max == max && r->o.names == r->names && r->o.arena == r->arena);
  CHECK(r->o.n <= max && r->o.n <= r->o.total && r->o.odd <= r->o.total);
  if (r->st != DNS_OK) CHECK(r->o.n == 0);
  else CHECK(r->o.total >= 1 && r->o.n == (r->o.total < max ? r->o.total : max));
  if (r->o.dangling) CHECK(r->o.cname && r->st == DNS_NODATA);
  for (i = 0; i < r->o.n; i++) {
    const char *s = r->o.names[i];
    size_t off, len = r->lens[i];
    CHECK(s >= r->arena && s < r->arena + max * DNSREPLY_NAME_SIZE);
    off = (size_t)(s - r->arena);
    CHECK(off % DNSREPLY_NAME_SIZE == 2);
    CHECK(len >= 1 && len <= RESULT_NAME_MAX);
    CHECK(off - 2 + 2 + len + 1 <= max * DNSREPLY_NAME_SIZE && s[len] == '\0');
    CHECK(strlen(s) <= len);
    if (memchr(s, '\0', len) != NULL) CHECK(dnsreply_name_is_odd(s, len));
    for (j = 0; j < len; j++) CHECK(!(s[j] >= 'A' && s[j] <= 'Z'));
    for (j = 0; j < i; j++) CHECK(r->o.names[j] != s); /* own slot */
    if (i > 0) CHECK(ref_cmp(r->o.names[i - 1], r->lens[i - 1], s, len) < 0);
    if (len > 253) CHECK(dnsreply_name_is_odd(s, len));
    nodd += dnsreply_name_is_odd(s, len) != 0;
  }
  CHECK(nodd <= r->o.odd);
}

static void names_free(struct names_run *r) {
  free(r->names);
  free(r->lens);
  free(r->arena);
}

static void check_ptr(const uint8_t *d, size_t size, const char *qname, size_t max) {
  struct names_run small, again, big;
  size_t i;

  names_run(&small, d, size, qname, max);
  names_run(&again, d, size, qname, max);
  names_run(&big, d, size, qname, BIG);

  /* Pure: the same answer twice. */
  CHECK(again.st == small.st && again.o.n == small.o.n && again.o.total == small.o.total &&
        again.o.odd == small.o.odd && again.o.cname == small.o.cname &&
        again.o.dangling == small.o.dangling);
  for (i = 0; i < small.o.n; i++)
    CHECK(again.lens[i] == small.lens[i] &&
          memcmp(again.o.names[i], small.o.names[i], small.lens[i]) == 0);
  /* Without the optional lens: the same names (each slot keeps its own
   * length). */
  {
    struct dnsreply_names o;
    const char **nm = malloc(max ? max * sizeof *nm : 1);
    char *ar = malloc(max ? max * DNSREPLY_NAME_SIZE : 1);
    CHECK(nm && ar);
    dnsreply_names_init(&o, nm, ar, max);
    CHECK(dnsreply_ptr(d, (int)size, qname, &o) == small.st);
    CHECK(o.n == small.o.n && o.total == small.o.total && o.odd == small.o.odd);
    for (i = 0; i < o.n; i++)
      CHECK(memcmp(nm[i], small.o.names[i], small.lens[i] + 1) == 0);
    free(nm);
    free(ar);
  }

  /* A smaller max only cuts the sorted list. */
  CHECK(big.st == small.st && big.o.cname == small.o.cname &&
        big.o.dangling == small.o.dangling);
  CHECK(small.o.n <= big.o.n);
  for (i = 0; i < small.o.n; i++)
    CHECK(big.lens[i] == small.lens[i] &&
          memcmp(big.o.names[i], small.o.names[i], small.lens[i]) == 0);
  if (big.o.total <= BIG) { /* nothing evicted: big's counts are exact */
    CHECK(big.o.n == big.o.total);
    CHECK(small.o.total >= big.o.total);
    if (small.o.total <= max) {
      CHECK(small.o.total == big.o.total);
      CHECK(small.o.odd == big.o.odd);
    }
  }
  names_free(&small);
  names_free(&again);
  names_free(&big);
}

static int addrs_run(struct dnsreply_addrs *o, struct addr **store, const uint8_t *d,
                     size_t size, const char *qname, int family, size_t max,
                     const struct addr *want) {
  size_t i;
  int st;
  *store = malloc(max ? max * sizeof **store : 1);
  CHECK(*store);
  dnsreply_addrs_init(o, *store, max);
  CHECK(o->want == NULL);
  o->want = want;
  st = dnsreply_addrs(d, (int)size, qname, family, o);
  if (st != DNS_OK || !want) CHECK(o->want_seen == 0);
  CHECK(valid_status(st));
  CHECK(o->n <= max && o->n <= o->total);
  if (st != DNS_OK) CHECK(o->n == 0);
  else CHECK(o->total >= 1 && o->n == (o->total < max ? o->total : max));
  if (o->dangling) CHECK(o->cname && st == DNS_NODATA);
  for (i = 0; i < o->n; i++) {
    const struct addr *a = &o->addrs[i];
    CHECK(a->family == family);
    if (family == 4)
      for (int k = 4; k < 16; k++) CHECK(a->b[k] == 0);
    if (i > 0) CHECK(memcmp(o->addrs[i - 1].b, a->b, sizeof a->b) < 0);
  }
  return st;
}

static void check_addrs(const uint8_t *d, size_t size, const char *qname, int family,
                        size_t max) {
  struct dnsreply_addrs small, big;
  struct addr *ss, *bs;
  int st = addrs_run(&small, &ss, d, size, qname, family, max, NULL);
  int bt = addrs_run(&big, &bs, d, size, qname, family, BIG, NULL);
  size_t i;

  /* Membership on the whole RRset, whatever max keeps. */
  if (bt == DNS_OK && big.n > 0) {
    struct dnsreply_addrs w;
    struct addr *ws, want = bs[big.n - 1];
    CHECK(addrs_run(&w, &ws, d, size, qname, family, max, &want) == st);
    CHECK(w.want_seen == 1);
    free(ws);
    if (big.total <= BIG) { /* big holds the whole RRset */
      struct addr absent;
      memset(&absent, 0, sizeof absent);
      absent.family = (uint8_t)family;
      for (int b = 0; b < 256; b++) { /* an address not in the set */
        absent.b[0] = (uint8_t)b;
        int in = 0;
        for (i = 0; i < big.n; i++) in |= addr_equal(&bs[i], &absent);
        if (!in) break;
      }
      CHECK(addrs_run(&w, &ws, d, size, qname, family, max, &absent) == st);
      CHECK(w.want_seen == 0);
      free(ws);
    }
  }

  CHECK(st == bt && small.cname == big.cname && small.dangling == big.dangling);
  CHECK(small.n <= big.n);
  for (i = 0; i < small.n; i++) CHECK(memcmp(ss[i].b, bs[i].b, sizeof ss[i].b) == 0);
  if (big.total <= BIG) {
    CHECK(big.n == big.total);
    CHECK(small.total >= big.total);
    if (small.total <= max) CHECK(small.total == big.total);
  }
  free(ss);
  free(bs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char qname[1100];
  size_t max_names = size > 0 ? data[0] % (RESULT_MAX_PTR + 1) : RESULT_MAX_PTR;
  size_t max_addrs = size > 1 ? data[1] % (RESULT_MAX_ADDRS + 1) : RESULT_MAX_ADDRS;

  if (size > 65535) return 0; /* not a DNS message (and alen is an int) */
  if (question_name(data, size, qname, sizeof qname) != 0)
    strcpy(qname, "1.0.0.127.in-addr.arpa");

  check_ptr(data, size, qname, max_names);
  check_addrs(data, size, qname, 4, max_addrs);
  check_addrs(data, size, qname, 6, max_addrs);
  /* A family other than 4 or 6 is the caller's error, whatever the reply. */
  {
    struct dnsreply_addrs o;
    struct addr one;
    dnsreply_addrs_init(&o, &one, 1);
    CHECK(dnsreply_addrs(data, (int)size, qname, 5, &o) == DNS_ERROR && o.n == 0);
  }
  return 0;
}
