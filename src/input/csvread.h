/* SPDX-License-Identifier: MIT */
/*
 * csvread.h - streaming reader of strict CSV rows (libcsv underneath), with
 * caps that bound memory whatever the input holds and "FILE:LINE: "
 * errors.  The machinery shared by inventory.c (hand-written inventories)
 * and reportread.c (ptraudit's own reports); what each does with a row --
 * column choice, per-cell rules, gzip -- stays in those files.
 *
 * Format read:
 *   - RFC 4180: `,` separates, `"` quotes, `""` is a quote inside a quoted
 *     field, a quoted field may hold `,`, CR and LF.  Strict (libcsv's
 *     CSV_STRICT | CSV_STRICT_FINI): a quote inside an unquoted field,
 *     anything but `,` or a line end after a closing quote, and a quoted
 *     field still open at the end of the input are errors.  Spaces are data
 *     (RFC 4180 section 2): fields come back exactly as written.
 *   - A UTF-8 byte order mark at the very start is skipped.  Lines end in
 *     LF, CRLF or a lone CR.  A row that is a single field of nothing but
 *     spaces and tabs (a blank line) is skipped.
 *   - Line numbers are physical lines counted from 1 (LF, CRLF and lone CR
 *     each end one); a row's line is that of its first byte, so a quoted
 *     field spanning lines does not shift it.
 *
 * Rows: the fields of one row are kept at a time, each NUL-terminated, in
 * one buffer reused from row to row.  Fields past the row's storage (the
 * config's max_fields, or the header's width once csvread_set_ncols() was
 * called) are counted but not stored.
 *
 * Errors are sticky: the first one sets a status (a negative UV_E* code)
 * and a message "NAME:LINE: text" (or "NAME: text" for line 0), and every
 * later call returns that status.  The reader's own problems (enum
 * csvread_problem) have default texts; a client may word them itself
 * through the config's `problem` callback.
 *
 * Memory, whatever the input: a 64 KiB read chunk; libcsv's field buffer,
 * checked after every segment fed to it, at most field_max + 64 KiB + 4 KiB;
 * two arrays of max_fields size_t; the row buffer, at most the stored
 * fields plus one NUL each (with row_max set: at most row_max + max_fields
 * bytes).  Not thread-safe per reader; readers are independent.
 */
#ifndef PTRAUDIT_CSVREAD_H
#define PTRAUDIT_CSVREAD_H

#include <stddef.h>
#include <sys/types.h>

#define CSVREAD_CHUNK (64 * 1024) /* bytes asked of the read callback at a time */

struct csvread;

/* Problems the reader itself finds.  code: the status it fails with. */
enum csvread_problem {
  CSVREAD_FIELD_TOO_LONG, /* a field over field_max bytes (-EINVAL) */
  CSVREAD_ROW_TOO_LONG,   /* a row's fields over row_max bytes in all (-EINVAL) */
  CSVREAD_AFTER_QUOTE,    /* a byte other than `,` or a line end after a
                             closing quote (-EINVAL) */
  CSVREAD_STRAY_QUOTE,    /* a quote inside an unquoted field (-EINVAL) */
  CSVREAD_UNCLOSED,       /* a quoted field open at the end of the input (-EINVAL) */
  CSVREAD_NUL,            /* a NUL byte, with nul_is_error (-EINVAL) */
  CSVREAD_PARSER_NOMEM,   /* libcsv could not grow its field buffer (-ENOMEM) */
  CSVREAD_ROW_NOMEM       /* the row buffer could not grow (-ENOMEM) */
};

/* A field as it completes, for the config's `field` callback. */
struct csvread_field {
  size_t col;         /* its index in the row, from 0 */
  const char *data;   /* its bytes (not NUL-terminated; NULs possible) */
  size_t len;
  unsigned long line; /* physical line of its first byte */
  int stored;         /* 0: past the row's storage, it is only counted */
};

struct csvread_config {
  const char *name;  /* the input's name for messages (copied; not NULL) */
  size_t field_max;  /* bytes per field, at most */
  size_t row_max;    /* bytes per row, all fields together, at most; 0 = no cap */
  size_t max_fields; /* fields stored per row (>= 1); more are only counted */
  int nul_is_error;  /* a NUL byte in the input is CSVREAD_NUL */

  /* Input.  Fill buf with up to size bytes and return how many, 0 at the
   * end of the input, -EAGAIN when no byte is available yet (a pipe: the
   * reader returns -EAGAIN from csvread_next and carries on at the next
   * call), or another <0 for an error after csvread_fail() (without it the
   * reader fails with "read error").  Short reads are fine (a BOM split
   * over reads is still recognised).  Required. */
  ssize_t (*read)(void *ctx, struct csvread *cr, void *buf, size_t size);

  /* Optional: look at each field as libcsv completes it, after the
   * field_max and row_max caps and before it is stored.  Return 0 to go on,
   * or <0 after csvread_fail() to stop (without it: "field N rejected"). */
  int (*field)(void *ctx, struct csvread *cr, const struct csvread_field *f);

  /* Optional: word a problem the reader found.  col is the field at fault
   * (its index, from 0); line the reader's choice of line (the field's or
   * the row's).  Call csvread_fail(cr, code, any line, text); if the
   * callback does not, the default text is used:
   *   FIELD_TOO_LONG "field N longer than MAX bytes"
   *   ROW_TOO_LONG   "row longer than MAX bytes"
   *   AFTER_QUOTE    "field N: CSV syntax error: character after a closing quote"
   *   STRAY_QUOTE    "field N: CSV syntax error: quote inside an unquoted field"
   *   UNCLOSED       "CSV syntax error: quoted field never closed (runs to the
   *                   end of the file)"
   *   NUL            "field N: NUL byte in the data"
   *   *_NOMEM        "out of memory"  */
  void (*problem)(void *ctx, struct csvread *cr, enum csvread_problem what, int code,
                  unsigned long line, size_t col);

  void *ctx; /* passed to the callbacks */
};

/* New reader with cfg (copied).  No input is read yet.  Returns 0 and *out,
 * or -ENOMEM / -EINVAL (no read callback or name, max_fields 0) with
 * *out NULL.
 * Cost: the chunk, the two field arrays and libcsv's parser (no buffer
 * yet). */
int csvread_new(struct csvread **out, const struct csvread_config *cfg);

/* Free the reader (cr may be NULL).  Closes nothing of the input.  O(1). */
void csvread_free(struct csvread *cr);

/* Read up to the next non-blank row.  Returns 1 with the row available
 * through the accessors below (valid until the next call), 0 at the end of
 * the input, -EAGAIN when the read callback had nothing yet (not sticky:
 * the row in progress is kept; call again), or the sticky status (<0).  Once csvread_set_ncols() was
 * called, a row with another number of fields fails with "N fields, header
 * has M" at the row's line.  Cost: O(bytes read); no allocation once the
 * row buffer and libcsv's buffer have grown to the longest row/field. */
int csvread_next(struct csvread *cr);

/* Fix the row width (the header's field count, >= 1): later rows store at
 * most ncols fields and must have exactly ncols (see csvread_next).  O(1). */
void csvread_set_ncols(struct csvread *cr, size_t ncols);

/* The current row: how many fields it had (stored or not), field i
 * (i < the fields stored) NUL-terminated, and the array of the stored
 * fields' lengths.  Valid until the next csvread_next().  O(1). */
size_t csvread_nfields(const struct csvread *cr);
const char *csvread_field(const struct csvread *cr, size_t i);
const size_t *csvread_lens(const struct csvread *cr);

/* Copy of the current row: an array of csvread_nfields() pointers to
 * NUL-terminated copies of the fields, all in one allocation that one
 * free() releases.  Every field of the row must have been stored.  NULL if
 * out of memory.  Cost: one malloc of the row's bytes plus the pointers. */
char **csvread_row_dup(const struct csvread *cr);

/* Physical line on which the current row (or the row in progress) began.
 * O(1). */
unsigned long csvread_row_line(const struct csvread *cr);

/* Physical line of the next byte to be parsed.  O(1). */
unsigned long csvread_line(const struct csvread *cr);

/* 1 if part of a row has been parsed and the row is not complete yet.
 * O(1). */
int csvread_in_row(const struct csvread *cr);

/* The name given in the config (the reader's copy, valid until
 * csvread_free).  O(1). */
const char *csvread_name(const struct csvread *cr);

/* Fail the reader: set the sticky status to code (<0) and the message to
 * "NAME:LINE: " (or "NAME: " when line is 0) followed by fmt, cut to 511
 * bytes.  If the reader had already failed, nothing changes.  Returns the
 * status.  For the callbacks, and for a client's own rules on a row.
 * O(message), no allocation. */
int csvread_fail(struct csvread *cr, int code, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The sticky status (0 if none), and the message copied into err (when
 * err and errlen are non-zero; cut to fit).  csvread_errmsg returns the
 * status.  O(1) / O(message). */
int csvread_status(const struct csvread *cr);
int csvread_errmsg(const struct csvread *cr, char *err, size_t errlen);

#endif
