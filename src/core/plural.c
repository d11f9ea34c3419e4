/* SPDX-License-Identifier: MIT */
/*
 * plural.c - the noun for a count.  See plural.h.
 */
#include "plural.h"

const char *plural_word(unsigned __int128 n, const char *one, const char *many) {
  return n == 1 ? one : many;
}
