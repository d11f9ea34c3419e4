/* SPDX-License-Identifier: MIT */
/*
 * duration.c - readable durations.  See duration.h.
 */
#include "duration.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>

#define MINUTE 60ull
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)
#define YEAR (365 * DAY)

/* "N unit" plus " M unit2" when M is not 0. */
static char *two(char *buf, size_t size, uint64_t n, const char *u, uint64_t m, const char *u2) {
  if (m) snprintf(buf, size, "%llu %s %llu %s", (unsigned long long)n, u, (unsigned long long)m, u2);
  else snprintf(buf, size, "%llu %s", (unsigned long long)n, u);
  return buf;
}

char *duration_text(char *buf, size_t size, double seconds) {
  if (isnan(seconds) || seconds < 0) {
    snprintf(buf, size, "unknown");
    return buf;
  }
  if (isinf(seconds)) {
    snprintf(buf, size, "forever");
    return buf;
  }
  if (seconds < 1) {
    snprintf(buf, size, "less than 1 s");
    return buf;
  }
  /* 10^6 years is 3.2e13 s: well inside uint64_t, so the conversion below
   * is defined. */
  if (seconds >= 1e6 * (double)YEAR) {
    snprintf(buf, size, "%.2g years", seconds / (double)YEAR);
    return buf;
  }
  uint64_t s = (uint64_t)seconds;
  if (s < MINUTE) return two(buf, size, s, "s", 0, "");
  if (s < HOUR) return two(buf, size, s / MINUTE, "min", s % MINUTE, "s");
  if (s < DAY) return two(buf, size, s / HOUR, "h", s % HOUR / MINUTE, "min");
  if (s < YEAR) return two(buf, size, s / DAY, "d", s % DAY / HOUR, "h");
  return two(buf, size, s / YEAR, s / YEAR == 1 ? "year" : "years", s % YEAR / DAY, "d");
}
