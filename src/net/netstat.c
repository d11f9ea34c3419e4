/* SPDX-License-Identifier: MIT */
/*
 * netstat.c - RcvbufErrors from /proc/net/snmp.  See netstat.h.
 */
#include "netstat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

/* The file has pairs of lines per protocol: "Udp: Name1 Name2 ..." then
 * "Udp: v1 v2 ...".  Find the column of RcvbufErrors in the first and take
 * the same column of the second. */
int netstat_parse_rcvbuf_errors(const char *text, size_t len, uint64_t *out) {
  const char *p = text, *end = text + len;
  while (p < end) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol) eol = end;
    if ((size_t)(eol - p) > 4 && !memcmp(p, "Udp:", 4) && eol < end) {
      const char *v = eol + 1, *veol = memchr(v, '\n', (size_t)(end - v));
      if (!veol) veol = end;
      if ((size_t)(veol - v) <= 4 || memcmp(v, "Udp:", 4)) return UV_EINVAL;
      const char *h = p + 4, *x = v + 4;
      for (;;) { /* walk the header and value columns together */
        while (h < eol && *h == ' ') h++;
        while (x < veol && *x == ' ') x++;
        if (h >= eol || x >= veol) return UV_EINVAL;
        const char *hn = h, *xn = x;
        while (hn < eol && *hn != ' ') hn++;
        while (xn < veol && *xn != ' ') xn++;
        if (hn - h == 12 && !memcmp(h, "RcvbufErrors", 12)) {
          uint64_t n = 0;
          if (x == xn) return UV_EINVAL;
          for (const char *d = x; d < xn; d++) {
            if (*d < '0' || *d > '9') return UV_EINVAL;
            n = n * 10 + (uint64_t)(*d - '0');
          }
          *out = n;
          return 0;
        }
        h = hn;
        x = xn;
      }
    }
    p = eol + 1;
  }
  return UV_EINVAL;
}

int netstat_rcvbuf_errors(uint64_t *out) {
  char buf[8192];
  int fd = open(NETSTAT_PATH, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -errno;
  ssize_t n = read(fd, buf, sizeof buf);
  int e = errno;
  close(fd);
  if (n <= 0) return n < 0 ? -e : UV_EINVAL;
  return netstat_parse_rcvbuf_errors(buf, (size_t)n, out);
}
