/* SPDX-License-Identifier: MIT */
/*
 * orgdomain.c - the organisational domain with libpsl.  Contract and the
 * choice of list data in orgdomain.h.
 */
#include "orgdomain.h"

#include <errno.h>
#include <libpsl.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

#define NAME_MAX_OCTETS 253

struct orgdomain {
  psl_ctx_t *psl;
};

int orgdomain_new(struct orgdomain **out, char *err, size_t errlen) {
  struct orgdomain *o = calloc(1, sizeof *o);
  if (!o) return -ENOMEM;
  o->psl = psl_latest(NULL);
  if (!o->psl) {
    free(o);
    return err_set(err, errlen, -ENOENT,
                   "no Public Suffix List: %s is missing and libpsl has no built-in copy "
                   "(Debian: publicsuffix)",
                   psl_dist_filename() ? psl_dist_filename() : "the list file");
  }
  *out = o;
  return 0;
}

void orgdomain_free(struct orgdomain *o) {
  if (!o) return;
  psl_free(o->psl);
  free(o);
}

int orgdomain_get(const struct orgdomain *o, const char *domain, char *dst, size_t size) {
  char name[NAME_MAX_OCTETS + 1];
  size_t n = domain ? strlen(domain) : 0;
  if (n > 1 && domain[n - 1] == '.') n--;
  if (n == 0 || n > NAME_MAX_OCTETS) return -EINVAL;
  for (size_t i = 0; i < n; i++) {
    char c = domain[i];
    if (c == '.' && (i == 0 || domain[i - 1] == '.' || i + 1 == n)) return -EINVAL;
    name[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
  }
  name[n] = '\0';
  const char *reg = psl_registrable_domain(o->psl, name);
  if (!reg) return -ENOENT;
  size_t rl = strlen(reg);
  if (rl + 1 > size) return -ENAMETOOLONG;
  memcpy(dst, reg, rl + 1);
  return (int)rl;
}
