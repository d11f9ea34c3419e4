/* SPDX-License-Identifier: MIT */
/* err.c - see err.h. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(char *err, size_t errlen, int code, const char *fmt, ...) {
  if (err && errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return code;
}

const char *err_str(int code) {
  if (code == ERR_EOF) return "end of file";
  return strerror(code < 0 ? -code : code);
}
