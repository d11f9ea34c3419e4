/* SPDX-License-Identifier: MIT */
/*
 * gzerr.h - what a failed zlib gz* call means: the error code, and the
 * text to show.  Shared by the writers of gzip files (the report and the
 * sorter's temporary runs), which word their messages differently but
 * must agree on the code.
 */
#ifndef PTRAUDIT_GZERR_H
#define PTRAUDIT_GZERR_H

#include <zlib.h>

/* The code of a failed call on gz; `e` is errno saved right after the
 * call.  gz NULL (the file never opened) or gzerror()'s Z_ERRNO: a system
 * error, err_from_errno(e) (-EIO if e is 0), and *zmsg = NULL (the caller
 * shows strerror(e)).  Z_MEM_ERROR: -ENOMEM.  Anything else: -EIO.  In
 * those two cases *zmsg is zlib's message ("error" if it gives none).
 * O(1). */
int gzerr_code(gzFile gz, int e, const char **zmsg);

#endif
