/* SPDX-License-Identifier: MIT */
/* rowfmt.c - see rowfmt.h. */
#include "rowfmt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

/* The greeting text a probe keeps is at most this long (the SMTP layer's
 * cap, with room to spare); longer text is cut. */
#define ROWFMT_BANNER_MAX 16384

struct rowfmt {
  int ehlo;
  size_t nfixed, nextra;
  char **extra_names; /* the passthrough columns' names as written (prefixed) */
  const char **fields;
  size_t *lens;
  char *scratch;
  size_t scratch_cap;
};

/* Appends to the scratch area, never past its end (it is sized for the
 * worst case; a cut would only ever shorten a field). */
struct sb {
  char *p;
  size_t len, cap;
};

static void sb_put(struct sb *b, const char *s, size_t n) {
  if (b->len + n > b->cap) n = b->cap - b->len;
  if (n) memcpy(b->p + b->len, s, n);
  b->len += n;
}

int rowfmt_new(struct rowfmt **out, int ehlo, size_t nextra) {
  struct rowfmt *f = calloc(1, sizeof *f);
  *out = NULL;
  if (!f) return -ENOMEM;
  f->ehlo = ehlo;
  f->nfixed = SCHEMA_NFIXED + (ehlo ? 1 : 0);
  f->nextra = nextra;
  f->fields = calloc(f->nfixed + nextra, sizeof *f->fields);
  f->lens = calloc(f->nfixed + nextra, sizeof *f->lens);
  /* Worst case of the fixed fields: every name, every kept address, the
   * longest banner, and the short ones. */
  f->scratch_cap = RESULT_MAX_PTR * (RESULT_NAME_MAX + 1) +
                   RESULT_MAX_FORWARD * RESULT_MAX_ADDRS * (ADDR_STRLEN + 1) + 1024;
  f->scratch = malloc(f->scratch_cap);
  if (!f->fields || !f->lens || !f->scratch) {
    rowfmt_free(f);
    return -ENOMEM;
  }
  *out = f;
  return 0;
}

size_t rowfmt_ncols(const struct rowfmt *f) { return f->nfixed + f->nextra; }

/* 1 if `name` is a report column or one of the first n passthrough names. */
static int name_taken(const struct rowfmt *f, const char *name, size_t n) {
  if (schema_find(name) >= 0) return 1;
  for (size_t i = 0; i < n; i++)
    if (!strcmp(f->extra_names[i], name)) return 1;
  return 0;
}

/* The passthrough column's name: the inventory's, with SCHEMA_INVENTORY_PREFIX
 * in front as many times as it takes to be unique in the header. */
static char *extra_name(const struct rowfmt *f, const char *given, size_t i) {
  static const char pfx[] = SCHEMA_INVENTORY_PREFIX;
  size_t gl = strlen(given), k = 0;
  for (;;) {
    char *n = malloc(k * (sizeof pfx - 1) + gl + 1);
    if (!n) return NULL;
    for (size_t j = 0; j < k; j++) memcpy(n + j * (sizeof pfx - 1), pfx, sizeof pfx - 1);
    memcpy(n + k * (sizeof pfx - 1), given, gl + 1);
    if (!name_taken(f, n, i)) return n;
    free(n);
    k++;
  }
}

size_t rowfmt_header(struct rowfmt *f, const char *const *extra_names, const char *const **fields,
                     const size_t **lens) {
  for (size_t i = 0; i < f->nfixed; i++) {
    f->fields[i] = schema_name((enum schema_col)i);
    f->lens[i] = strlen(f->fields[i]);
  }
  if (f->nextra && !f->extra_names) {
    f->extra_names = calloc(f->nextra, sizeof *f->extra_names);
    for (size_t i = 0; f->extra_names && i < f->nextra; i++) {
      const char *n = extra_names && extra_names[i] ? extra_names[i] : "";
      if (!(f->extra_names[i] = extra_name(f, n, i))) return 0;
    }
    if (!f->extra_names) return 0;
  }
  for (size_t i = 0; i < f->nextra; i++) {
    f->fields[f->nfixed + i] = f->extra_names[i];
    f->lens[f->nfixed + i] = strlen(f->extra_names[i]);
  }
  *fields = f->fields;
  *lens = f->lens;
  return f->nfixed + f->nextra;
}

static int cmp_addr(const void *x, const void *y) { return addr_cmp(x, y); }

/* Every forward address of every checked name, sorted, without duplicates. */
static size_t collect_forward(const struct result *r, struct addr *out, size_t max) {
  size_t n = 0, nf = r->nptr < RESULT_MAX_FORWARD ? r->nptr : RESULT_MAX_FORWARD;
  for (size_t i = 0; i < nf; i++)
    for (size_t k = 0; k < r->fwd[i].naddr && n < max; k++) out[n++] = r->fwd[i].addrs[k];
  qsort(out, n, sizeof *out, cmp_addr);
  size_t u = 0;
  for (size_t i = 0; i < n; i++)
    if (u == 0 || !addr_equal(&out[u - 1], &out[i])) out[u++] = out[i];
  return u;
}

/* The fields that only a probed target has. */
static void build_probe_fields(struct sb *b, const struct rowfmt_row *row, size_t *off,
                               size_t *len) {
  const struct result *r = row->res;
  char tmp[64];
  struct addr fw[RESULT_MAX_FORWARD * RESULT_MAX_ADDRS];

  off[SCHEMA_PTR] = b->len;
  for (size_t i = 0; i < r->nptr; i++) {
    if (i) sb_put(b, " ", 1);
    sb_put(b, r->ptr[i], r->ptr_len[i]); /* byte-exact: a name may hold a NUL */
  }
  len[SCHEMA_PTR] = b->len - off[SCHEMA_PTR];
  off[SCHEMA_FORWARD] = b->len;
  size_t nfw = collect_forward(r, fw, sizeof fw / sizeof fw[0]);
  for (size_t i = 0; i < nfw; i++) {
    if (i) sb_put(b, " ", 1);
    sb_put(b, tmp, addr_format(&fw[i], tmp));
  }
  len[SCHEMA_FORWARD] = b->len - off[SCHEMA_FORWARD];
  off[SCHEMA_SMTP_CODE] = b->len;
  if (r->smtp_code > 0) sb_put(b, tmp, (size_t)snprintf(tmp, sizeof tmp, "%d", r->smtp_code));
  len[SCHEMA_SMTP_CODE] = b->len - off[SCHEMA_SMTP_CODE];
  off[SCHEMA_SMTP_TRIES] = b->len;
  if (row->smtp_tries) sb_put(b, tmp, (size_t)snprintf(tmp, sizeof tmp, "%u", row->smtp_tries));
  len[SCHEMA_SMTP_TRIES] = b->len - off[SCHEMA_SMTP_TRIES];
  off[SCHEMA_GREETING_MS] = b->len;
  if (row->greeting_ms)
    sb_put(b, tmp, (size_t)snprintf(tmp, sizeof tmp, "%u", row->greeting_ms));
  len[SCHEMA_GREETING_MS] = b->len - off[SCHEMA_GREETING_MS];
}

size_t rowfmt_build(struct rowfmt *f, const struct rowfmt_row *row, const char *const **fields,
                    const size_t **lens) {
  const struct result *r = row->res;
  const struct judgement *j = row->j;
  struct sb b = {f->scratch, 0, f->scratch_cap};
  size_t off[SCHEMA_NCOLS] = {0}, len[SCHEMA_NCOLS] = {0};
  const char *direct[SCHEMA_NCOLS] = {0}; /* fields taken from the caller as they are */
  char tmp[ADDR_STRLEN];

  if (row->ip_text) {
    direct[SCHEMA_IP] = row->ip_text;
    len[SCHEMA_IP] = row->ip_text_len;
  } else {
    off[SCHEMA_IP] = b.len;
    sb_put(&b, tmp, addr_format(&r->addr, tmp));
    len[SCHEMA_IP] = b.len - off[SCHEMA_IP];
  }
  direct[SCHEMA_VERDICT] = verdict_name(j->verdict);
  off[SCHEMA_FLAGS] = b.len;
  b.len += verdict_flags_format(j->flags, b.p + b.len, b.cap - b.len);
  len[SCHEMA_FLAGS] = b.len - off[SCHEMA_FLAGS];
  direct[SCHEMA_IPREV] = row->probed ? verdict_iprev_name(j->iprev) : "";
  direct[SCHEMA_PTR_STATUS] = row->probed ? verdict_dns_status_name(r->ptr_status) : "";
  build_probe_fields(&b, row, off, len);
  direct[SCHEMA_SMTP_STATUS] = verdict_smtp_status_name(r->smtp_status);
  direct[SCHEMA_BANNER_HOST] = r->banner_host ? r->banner_host : "";
  direct[SCHEMA_BANNER] = row->banner ? row->banner : "";
  len[SCHEMA_BANNER] = row->banner ? row->banner_len : 0;
  if (len[SCHEMA_BANNER] > ROWFMT_BANNER_MAX) len[SCHEMA_BANNER] = ROWFMT_BANNER_MAX;
  direct[SCHEMA_EXPECTED] = row->expected ? row->expected : "";
  len[SCHEMA_EXPECTED] = row->expected ? row->expected_len : 0;
  direct[SCHEMA_CHECKED_AT] = row->checked_at ? row->checked_at : "";
  if (f->ehlo) direct[SCHEMA_EHLO_HOST] = row->probed && row->ehlo_host ? row->ehlo_host : "";

  /* Not applicable: NULL fields (schema.h), written as an empty CSV cell
   * and as JSON null. */
  int na[SCHEMA_NCOLS] = {0};
  na[SCHEMA_IPREV] = na[SCHEMA_PTR_STATUS] = !row->probed;
  na[SCHEMA_PTR] = !row->probed || r->ptr_status == DNS_NOT_RUN ||
                   verdict_dns_status_is_temporary(r->ptr_status);
  na[SCHEMA_FORWARD] = !row->probed || r->nptr == 0;
  na[SCHEMA_SMTP_CODE] = r->smtp_code <= 0;
  na[SCHEMA_BANNER_HOST] = !r->banner_host || !r->banner_host[0];
  na[SCHEMA_BANNER] = !row->banner || (!row->banner_len && r->smtp_status != SMTP_BANNER);
  na[SCHEMA_EXPECTED] = !row->expected;
  na[SCHEMA_SMTP_TRIES] = !row->smtp_tries;
  na[SCHEMA_GREETING_MS] = !row->greeting_ms;
  na[SCHEMA_EHLO_HOST] = !row->probed || !row->ehlo_host;

  for (size_t i = 0; i < f->nfixed; i++) {
    if (na[i]) {
      f->fields[i] = NULL;
      f->lens[i] = 0;
    } else if (direct[i]) {
      f->fields[i] = direct[i];
      /* names from the tables, host names: NUL-terminated */
      f->lens[i] = i == SCHEMA_IP || i == SCHEMA_BANNER || i == SCHEMA_EXPECTED ? len[i]
                                                                                : strlen(direct[i]);
    } else {
      f->fields[i] = f->scratch + off[i];
      f->lens[i] = len[i];
    }
  }
  for (size_t i = 0; i < f->nextra; i++) {
    f->fields[f->nfixed + i] = i < row->nextra ? row->extra[i] : "";
    f->lens[f->nfixed + i] = i < row->nextra ? row->extra_len[i] : 0;
  }
  *fields = f->fields;
  *lens = f->lens;
  return f->nfixed + f->nextra;
}

void rowfmt_free(struct rowfmt *f) {
  if (!f) return;
  free(f->fields);
  free(f->lens);
  free(f->scratch);
  for (size_t i = 0; f->extra_names && i < f->nextra; i++) free(f->extra_names[i]);
  free(f->extra_names);
  free(f);
}
