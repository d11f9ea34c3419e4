/* SPDX-License-Identifier: MIT */
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
#include <sys/stat.h>
#include <unistd.h>

#include "atomicfile.h"
#include "err.h"

#define MAGIC "ptraudit-checkpoint 2"
#define MAGIC_V1 "ptraudit-checkpoint 1"

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

/* One line of the file: [p, eol) without the "\n". */
struct cursor {
  const char *p, *end, *name;
  unsigned long line;
  char *err;
  size_t errlen;
};

static int bad(struct cursor *c, const char *what) {
  return err_set(c->err, c->errlen, -EINVAL, "%s:%lu: %s", c->name, c->line, what);
}

/* Take the next line, which must start with "KEY" followed by a space or
 * the line end; *val and *vlen get the rest. */
static int take_line(struct cursor *c, const char *key, const char **val, size_t *vlen) {
  char msg[96];
  const char *nl;
  size_t kl = strlen(key);
  c->line++;
  if (c->p == c->end) {
    snprintf(msg, sizeof msg, "incomplete checkpoint: no %s line", key);
    return bad(c, msg);
  }
  nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
  if (!nl) return bad(c, "last line has no line end (file cut short?)");
  if ((size_t)(nl - c->p) < kl || memcmp(c->p, key, kl) != 0 ||
      (c->p + kl != nl && c->p[kl] != ' ')) {
    snprintf(msg, sizeof msg, "expected the %s line", key);
    return bad(c, msg);
  }
  *val = c->p + kl + (c->p + kl != nl);
  *vlen = (size_t)(nl - *val);
  c->p = nl + 1;
  return 0;
}

/* Strict decimal: digits only, no sign, no leading zero (except "0"), no
 * overflow.  Reads up to the first byte that is not a digit; *used says
 * how many bytes. */
static int parse_dec(const char *s, size_t len, uint64_t *v, size_t *used) {
  size_t i = 0;
  uint64_t x = 0;
  while (i < len && s[i] >= '0' && s[i] <= '9') {
    unsigned d = (unsigned)(s[i] - '0');
    if (i == 1 && s[0] == '0') return -1;
    if (x > (UINT64_MAX - d) / 10) return -1;
    x = x * 10 + d;
    i++;
  }
  if (!i) return -1;
  *v = x;
  *used = i;
  return 0;
}

static int hexdig(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

static int parse_name(struct cursor *c, const char *s, size_t len, char *dst, size_t cap) {
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char b = (unsigned char)s[i];
    if (b == '\\') {
      if (i + 1 < len && s[i + 1] == '\\') {
        b = '\\';
        i++;
      } else if (i + 3 < len && s[i + 1] == 'x' && hexdig(s[i + 2]) >= 0 &&
                 hexdig(s[i + 3]) >= 0) {
        b = (unsigned char)(hexdig(s[i + 2]) * 16 + hexdig(s[i + 3]));
        i += 3;
        if (!b) return bad(c, "report name holds a NUL byte");
        /* One spelling per name: only what must be escaped is. */
        if (b >= 0x20 && b < 0x7f)
          return bad(c, "report name: \\xHH of a printable byte (write it as is)");
      } else {
        return bad(c, "report name: bad escape (only \\\\ and \\xHH)");
      }
    } else if (b < 0x20 || b >= 0x7f) {
      return bad(c, "report name holds an unescaped control or non-ASCII byte");
    }
    if (o + 1 >= cap) return bad(c, "report name too long");
    dst[o++] = (char)b;
  }
  dst[o] = '\0';
  return 0;
}

int checkpoint_parse(const char *buf, size_t len, const char *name, struct checkpoint *cp,
                     char *err, size_t errlen) {
  struct cursor c = {buf, buf + len, name, 0, err, errlen};
  const char *v;
  size_t vl, used, cap = 0;
  int rc;

  memset(cp, 0, sizeof *cp);
  if (memchr(buf, '\0', len)) {
    const char *z = memchr(buf, '\0', len);
    unsigned long ln = 1;
    for (const char *q = buf; q < z; q++) ln += *q == '\n';
    return err_set(err, errlen, -EINVAL, "%s:%lu: NUL byte: not a ptraudit checkpoint", name, ln);
  }
  if (len >= sizeof MAGIC_V1 && !memcmp(buf, MAGIC_V1 "\n", sizeof MAGIC_V1))
    return err_set(err, errlen, -EINVAL, "%s:1: a version 1 checkpoint (an older ptraudit); this "
                "version reads version 2 only: run the remaining targets again", name);
  if ((rc = take_line(&c, "ptraudit-checkpoint", &v, &vl)) < 0 || vl != 1 || v[0] != '2') {
    checkpoint_free(cp);
    return err_set(err, errlen, -EINVAL, "%s:1: not a ptraudit checkpoint (version 2)", name);
  }
  if ((rc = take_line(&c, "fingerprint", &v, &vl)) < 0) goto out;
  if (vl != 16) {
    rc = bad(&c, "bad fingerprint (16 lower-case hex digits)");
    goto out;
  }
  for (size_t i = 0; i < 16; i++) {
    int h = hexdig(v[i]);
    if (h < 0) {
      rc = bad(&c, "bad fingerprint (16 lower-case hex digits)");
      goto out;
    }
    cp->fingerprint = cp->fingerprint << 4 | (uint64_t)h;
  }
  if ((rc = take_line(&c, "next", &v, &vl)) < 0) goto out;
  if (parse_dec(v, vl, &cp->next, &used) < 0 || used != vl) {
    rc = bad(&c, "bad next (a decimal number below 2^64, no sign)");
    goto out;
  }
  if ((rc = take_line(&c, "pending", &v, &vl)) < 0) goto out;
  if (!vl && v[-1] == ' ') {
    rc = bad(&c, "bad pending list (a space and nothing after it)");
    goto out;
  }
  for (size_t i = 0; i < vl;) {
    uint64_t x;
    if (parse_dec(v + i, vl - i, &x, &used) < 0 || (i + used < vl && v[i + used] != ' ') ||
        i + used + 1 == vl) {
      rc = bad(&c, "bad pending list (decimal numbers separated by single spaces)");
      goto out;
    }
    if (x >= cp->next) {
      rc = bad(&c, "pending entry not below next");
      goto out;
    }
    if (cp->npending && x <= cp->pending[cp->npending - 1]) {
      rc = bad(&c, "pending list not strictly ascending");
      goto out;
    }
    if ((rc = push(cp, &cap, x)) < 0) {
      rc = err_set(err, errlen, -ENOMEM, "%s: out of memory", name);
      goto out;
    }
    i += used + (i + used < vl);
  }
  if ((rc = take_line(&c, "report", &v, &vl)) < 0) goto out;
  if (v[-1] != ' ') {
    rc = bad(&c, "expected \"report \" and the report's name");
    goto out;
  }
  if ((rc = parse_name(&c, v, vl, cp->report, sizeof cp->report)) < 0) goto out;
  if (c.p != c.end) {
    c.line++;
    rc = bad(&c, "text after the report line");
  }
out:
  if (rc) checkpoint_free(cp);
  return rc;
}

int checkpoint_read(const char *path, struct checkpoint *cp, char *err, size_t errlen) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  char *buf;
  size_t len = 0;
  int rc;

  memset(cp, 0, sizeof *cp);
  if (fd < 0) return err_set(err, errlen, -EINVAL, "%s: cannot open: %s", path, strerror(errno));
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return err_set(err, errlen, -EINVAL, "%s: not a regular file", path);
  }
  if ((uint64_t)st.st_size > CHECKPOINT_FILE_MAX) {
    close(fd);
    return err_set(err, errlen, -EINVAL, "%s: larger than %u bytes: not a ptraudit checkpoint",
                path, CHECKPOINT_FILE_MAX);
  }
  buf = malloc((size_t)st.st_size + 1);
  if (!buf) {
    close(fd);
    return err_set(err, errlen, -ENOMEM, "%s: out of memory", path);
  }
  while (len <= (size_t)st.st_size) { /* one byte more: a file that grew */
    ssize_t n = read(fd, buf + len, (size_t)st.st_size + 1 - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      free(buf);
      close(fd);
      return err_set(err, errlen, err_from_errno(e), "%s: read error: %s", path, strerror(e));
    }
    if (n == 0) break;
    len += (size_t)n;
  }
  close(fd);
  if (len > (size_t)st.st_size) {
    free(buf);
    return err_set(err, errlen, -EINVAL, "%s: changed while being read", path);
  }
  rc = checkpoint_parse(buf, len, path, cp, err, errlen);
  free(buf);
  return rc;
}

int checkpoint_format(struct checkpoint *cp, char **text, size_t *len) {
  size_t cap = 128 + cp->npending * 21 + strlen(cp->report) * 4, o;
  char *t;
  *text = NULL;
  *len = 0;
  if (cp->npending) qsort(cp->pending, cp->npending, sizeof *cp->pending, cmp_u64);
  for (size_t i = 0; i < cp->npending; i++)
    if (cp->pending[i] >= cp->next || (i && cp->pending[i] == cp->pending[i - 1]))
      return -EINVAL;
  t = malloc(cap);
  if (!t) return -ENOMEM;
  o = (size_t)snprintf(t, cap, "%s\nfingerprint %016" PRIx64 "\nnext %" PRIu64 "\npending",
                       MAGIC, cp->fingerprint, cp->next);
  for (size_t i = 0; i < cp->npending; i++)
    o += (size_t)snprintf(t + o, cap - o, " %" PRIu64, cp->pending[i]);
  o += (size_t)snprintf(t + o, cap - o, "\nreport ");
  for (const unsigned char *p = (const unsigned char *)cp->report; *p; p++) {
    if (*p == '\\') {
      t[o++] = '\\';
      t[o++] = '\\';
    } else if (*p < 0x20 || *p >= 0x7f) {
      o += (size_t)snprintf(t + o, cap - o, "\\x%02x", *p);
    } else {
      t[o++] = (char)*p;
    }
  }
  t[o++] = '\n';
  t[o] = '\0';
  *text = t;
  *len = o;
  return 0;
}

int checkpoint_write(const char *path, struct checkpoint *cp, unsigned flags, char *err,
                     size_t errlen) {
  struct atomicfile *af;
  char *text;
  size_t len;
  int rc = checkpoint_format(cp, &text, &len);
  if (rc == -ENOMEM) return err_set(err, errlen, rc, "%s: out of memory", path);
  if (rc) return err_set(err, errlen, rc, "%s: internal: pending entries not below next", path);
  rc = atomicfile_open(&af, path, "checkpoint", flags, err, errlen);
  if (rc) {
    free(text);
    return rc;
  }
  rc = atomicfile_write_all(atomicfile_fd(af), text, len);
  free(text);
  if (rc) {
    err_set(err, errlen, rc, "cannot write %s: %s", atomicfile_tmp(af), strerror(-rc));
    atomicfile_discard(af);
    return rc;
  }
  return atomicfile_commit(af, NULL, err, errlen);
}

int checkpoint_add_pending(struct checkpoint *cp, const uint64_t *seqs, size_t n) {
  size_t cap = cp->npending, k = 0;
  for (size_t i = 0; i < n; i++)
    if (seqs[i] < cp->next && push(cp, &cap, seqs[i]) < 0) return -ENOMEM;
  if (!cp->npending) return 0;
  qsort(cp->pending, cp->npending, sizeof *cp->pending, cmp_u64);
  for (size_t i = 0; i < cp->npending; i++)
    if (!k || cp->pending[i] != cp->pending[k - 1]) cp->pending[k++] = cp->pending[i];
  cp->npending = k;
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
