/* SPDX-License-Identifier: MIT */
/* gzerr.c - see gzerr.h. */
#include "gzerr.h"

#include <stddef.h>

#include "err.h"

int gzerr_code(gzFile gz, int e, const char **zmsg) {
  int zerr = Z_ERRNO;
  const char *m = gz ? gzerror(gz, &zerr) : NULL;
  *zmsg = NULL;
  if (zerr == Z_ERRNO) return err_from_errno(e);
  *zmsg = m ? m : "error";
  return zerr == Z_MEM_ERROR ? -ENOMEM : -EIO;
}
