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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                           \
  do {                                                                        \
    if (!(cond)) {                                                            \
      fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__,    \
              #cond);                                                         \
      abort();                                                                \
    }                                                                         \
  } while (0)

#endif
