/* SPDX-License-Identifier: MIT */
/* fuzz.h - what every libFuzzer harness here shares: the entry point's
 * declaration and CHECK, which aborts (so libFuzzer and the replay runner
 * both record a failure) with the invariant that broke. */
#ifndef PTRAUDIT_FUZZ_H
#define PTRAUDIT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                           \
  do {                                                                        \
    if (!(cond)) {                                                            \
      fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__,    \
              #cond);                                                         \
      abort();                                                                \
    }                                                                         \
  } while (0)

/* The question name of a DNS message d[size] (RFC 1035 4.1.2: labels from
 * offset 12, uncompressed) as dotted text into out, for harnesses that
 * hand the packet's own question to a parser.  0, or -1 when the message
 * has none that fits. */
static inline int question_name(const uint8_t *d, size_t size, char *out, size_t outsize) {
  size_t off = 12, n = 0;
  if (size < 12) return -1;
  for (;;) {
    size_t l;
    if (off >= size) return -1;
    l = d[off];
    if (l == 0) break;
    if (l & 0xc0) return -1;
    if (off + 1 + l > size || n + l + 2 > outsize) return -1;
    if (n) out[n++] = '.';
    memcpy(out + n, d + off + 1, l);
    n += l;
    off += 1 + l;
  }
  out[n] = '\0';
  return 0;
}

#endif
