/*
 * checkpoint.c - read/write/merge checkpoints.  See checkpoint.h.
 */
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "err.h"

#define MAGIC "ptraudit-checkpoint 1"

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (err && errlen) vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return code;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static int push(struct checkpoint *cp, size_t *cap, uint64_t v) {
  if (cp->npending == *cap) {
    size_t n = *cap ? *cap * 2 : 64;
    uint64_t *p = realloc(cp->pending, n * sizeof *p);
    if (!p) return -ENOMEM;
    cp->pending = p;
    *cap = n;
  }
  cp->pending[cp->npending++] = v;
  return 0;
}

int checkpoint_read(const char *path, struct checkpoint *cp, char *err, size_t errlen) {
  FILE *f = fopen(path, "r");
  char *line = NULL;
  size_t linecap = 0, cap = 0;
  unsigned long no = 0;
  int have_fp = 0, have_next = 0, rc = 0;

  memset(cp, 0, sizeof *cp);
  if (!f) return fail(err, errlen, -EINVAL, "%s: cannot open: %s", path, strerror(errno));
  while (getline(&line, &linecap, f) > 0) {
    size_t n = strcspn(line, "\r\n");
    line[n] = '\0';
    no++;
    if (no == 1) {
      if (strcmp(line, MAGIC) != 0) {
        rc = fail(err, errlen, -EINVAL, "%s:1: not a ptraudit checkpoint", path);
        break;
      }
      continue;
    }
    char *sp = strchr(line, ' ');
    const char *key = line, *val = sp ? sp + 1 : "";
    if (sp) *sp = '\0';
    char *end;
    if (!strcmp(key, "fingerprint")) {
      errno = 0;
      cp->fingerprint = strtoull(val, &end, 16);
      if (!*val || *end || errno) {
        rc = fail(err, errlen, -EINVAL, "%s:%lu: bad fingerprint", path, no);
        break;
      }
      have_fp = 1;
    } else if (!strcmp(key, "next")) {
      errno = 0;
      cp->next = strtoull(val, &end, 10);
      if (!*val || *end || errno) {
        rc = fail(err, errlen, -EINVAL, "%s:%lu: bad next", path, no);
        break;
      }
      have_next = 1;
    } else if (!strcmp(key, "pending")) {
      const char *p = val;
      while (*p) {
        errno = 0;
        uint64_t v = strtoull(p, &end, 10);
        if (end == p || errno || (*end && *end != ' ')) {
          rc = fail(err, errlen, -EINVAL, "%s:%lu: bad pending list", path, no);
          break;
        }
        if ((rc = push(cp, &cap, v)) < 0) break;
        p = *end ? end + 1 : end;
      }
      if (rc) break;
    } else if (!strcmp(key, "report")) {
      snprintf(cp->report, sizeof cp->report, "%s", val);
    } /* unknown keys: ignored, for forward compatibility */
  }
  free(line);
  if (!rc && ferror(f)) rc = fail(err, errlen, -EIO, "%s: read error", path);
  fclose(f);
  if (!rc && (!have_fp || !have_next))
    rc = fail(err, errlen, -EINVAL, "%s: incomplete checkpoint (no %s line)", path,
              have_fp ? "next" : "fingerprint");
  if (!rc && cp->npending) {
    qsort(cp->pending, cp->npending, sizeof *cp->pending, cmp_u64);
    for (size_t i = 0; i < cp->npending; i++)
      if (cp->pending[i] >= cp->next) {
        rc = fail(err, errlen, -EINVAL, "%s: pending entry %" PRIu64 " not below next", path,
                  cp->pending[i]);
        break;
      }
  }
  if (rc) checkpoint_free(cp);
  return rc;
}

int checkpoint_write(const char *path, struct checkpoint *cp, char *err, size_t errlen) {
  char tmp[4200];
  if (cp->npending) qsort(cp->pending, cp->npending, sizeof *cp->pending, cmp_u64);
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail(err, errlen, -errno, "%s: %s", tmp, strerror(errno));
  FILE *f = fdopen(fd, "w");
  if (!f) {
    close(fd);
    unlink(tmp);
    return fail(err, errlen, -ENOMEM, "out of memory");
  }
  fprintf(f, "%s\nfingerprint %016" PRIx64 "\nnext %" PRIu64 "\npending", MAGIC,
          cp->fingerprint, cp->next);
  for (size_t i = 0; i < cp->npending; i++) fprintf(f, " %" PRIu64, cp->pending[i]);
  fprintf(f, "\nreport %s\n", cp->report);
  int bad = fflush(f) != 0 || fsync(fileno(f)) != 0;
  int e = errno;
  if (fclose(f) != 0 && !bad) bad = 1, e = errno;
  if (bad || rename(tmp, path) != 0) {
    if (!bad) e = errno;
    unlink(tmp);
    return fail(err, errlen, -e, "%s: %s", path, strerror(e));
  }
  return 0;
}

int checkpoint_done(const struct checkpoint *cp, uint64_t seq) {
  if (seq >= cp->next) return 0;
  if (!cp->npending) return 1; /* bsearch's base must not be NULL, even for 0 items */
  return bsearch(&seq, cp->pending, cp->npending, sizeof seq, cmp_u64) == NULL;
}

int checkpoint_merge(const struct checkpoint *prev, uint64_t started, const uint64_t *inflight,
                     size_t ninflight, struct checkpoint *out) {
  size_t cap = 0;
  memset(out, 0, sizeof *out);
  if (prev) {
    out->fingerprint = prev->fingerprint;
    memcpy(out->report, prev->report, sizeof out->report);
  }
  out->next = started;
  if (prev && prev->next > out->next) out->next = prev->next;
  /* Below `started` this run decided everything: only its in-flight targets
   * are missing.  Between `started` and prev->next the old list stands. */
  for (size_t i = 0; i < ninflight; i++)
    if (push(out, &cap, inflight[i]) < 0) goto nomem;
  if (prev)
    for (size_t i = 0; i < prev->npending; i++)
      if (prev->pending[i] >= started && push(out, &cap, prev->pending[i]) < 0) goto nomem;
  if (out->npending) qsort(out->pending, out->npending, sizeof *out->pending, cmp_u64);
  return 0;
nomem:
  checkpoint_free(out);
  return -ENOMEM;
}

void checkpoint_free(struct checkpoint *cp) {
  free(cp->pending);
  cp->pending = NULL;
  cp->npending = 0;
}
