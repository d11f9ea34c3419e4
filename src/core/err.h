/* SPDX-License-Identifier: MIT */
/*
 * err.h - error codes and the one helper that formats an error message.
 *
 * Every function of ptraudit returns 0 or a negative error code.  Below the
 * network layer the codes are negative errno values (-EINVAL, -ENOMEM, ...):
 * on Unix they are the very numbers libuv's UV_E* constants stand for, so a
 * code crosses from a pure module into libuv code unchanged, while the pure
 * modules need no libuv header.  ERR_EOF is the one code without an errno:
 * it has ERR_EOF's value (the CLI checks that at compile time).
 */
#ifndef PTRAUDIT_ERR_H
#define PTRAUDIT_ERR_H

#include <errno.h>
#include <stddef.h>

/* End of input where more was due (a report cut short); == ERR_EOF. */
#define ERR_EOF (-4095)

/* The code for errno value e: -e, or -EIO when e is 0 (a failure whose
 * errno was lost).  O(1). */
static inline int err_from_errno(int e) { return e > 0 ? -e : -EIO; }

/* Format fmt into err (when err and errlen are non-zero) and return code,
 * so a failure reads `return err_set(err, errlen, -EINVAL, "...", ...);`.
 * O(length of the message). */
int err_set(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A short text for code (strerror of -code; "end of file" for ERR_EOF).
 * Never NULL.  O(1). */
const char *err_str(int code);

#endif
