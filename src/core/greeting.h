/* SPDX-License-Identifier: MIT */
/*
 * greeting.h - incremental parser of an SMTP reply, in particular the
 * server greeting (RFC 5321 section 4.2).  Pure: no I/O; struct greeting
 * allocates its text buffer on the first byte (see greeting_feed).
 *
 * A reply is one or more lines "CODE-text" ending with "CODE text" or a
 * bare "CODE" (CODE = three digits, the same on every line).  Lines end in
 * CRLF or a bare LF; a lone CR inside a line is an ordinary byte.  NUL and
 * bytes >= 0x80 are kept raw (the report escapes them).
 *
 * Reply codes: the first line's code must be in 200..599.  RFC 5321
 * section 4.2.1 gives 1yz ("positive preliminary") no use in SMTP and
 * defines no first digit above 5, so "099", "199", "600" or "999" are not
 * SMTP and end the parse with GREETING_MALFORMED like any other non-SMTP
 * line.  3yz is kept (a valid reply class, though not a sensible greeting).
 *
 * The host: the first word of the first line, skipping one RFC 3463
 * enhanced status code that stands as a whole word right after the reply
 * code ("554 5.7.1 ...", "421 4.7.0 ...", "521 5.3.2 ..." as Postfix,
 * postscreen and OpenSMTPD send), since that is not a name.
 *
 * Caps (a hostile peer gets bounded memory): at most GREETING_MAX_BYTES bytes and GREETING_MAX_LINES lines, the
 * final line included.  Reaching either cap before the final line ends the
 * parse with GREETING_OVERFLOW; what was read so far is kept.  The outcome
 * never depends on how the bytes are cut into chunks.
 *
 * Two types share one line machine:
 *   struct greeting_scan  code, first word and completion only (~300 bytes,
 *                         no allocation); the probe uses it for the EHLO and
 *                         QUIT replies;
 *   struct greeting       the same plus the text of every line.  Embedded it
 *                         is 40 bytes; the host and text buffers (4.3 KiB)
 *                         are allocated when the first byte arrives, so a
 *                         probe still waiting for its peer holds none.
 */
#ifndef PTRAUDIT_GREETING_H
#define PTRAUDIT_GREETING_H

#include <stddef.h>

#define GREETING_MAX_BYTES 4096 /* raw bytes, line ends included */
#define GREETING_MAX_LINES 32   /* lines, the final one included */
#define GREETING_HOST_MAX 255   /* longer first words are truncated */
/* Text never exceeds the raw bytes read (each line loses at least its
 * code and line end, and " | " is shorter than that): 4096 is enough. */
#define GREETING_TEXT_MAX GREETING_MAX_BYTES

/* greeting_feed() / greeting_scan_feed() results. */
enum {
  GREETING_MORE = 0,  /* need more bytes */
  GREETING_DONE,      /* the final line was read; later bytes are ignored */
  GREETING_OVERFLOW,  /* a cap was reached before the final line */
  GREETING_MALFORMED, /* a line not "DDD", "DDD " or "DDD-", a first code
                         outside 200..599, or a line whose code differs
                         from the first line's */
  GREETING_NOMEM      /* greeting_feed only: its buffer could not be
                         allocated; nothing was consumed (not sticky) */
};

/* The line machine.  All fields private: use the functions below. */
struct greeting_state {
  int status;              /* GREETING_* */
  int code;                /* first line's code, 0 until known */
  unsigned short nlines;   /* complete lines */
  unsigned short nbytes;   /* bytes consumed (<= GREETING_MAX_BYTES) */
  unsigned short hostlen;
  unsigned char phase;     /* line head / body / malformed tail / end */
  unsigned char headlen;   /* digits of the current line seen (0..3) */
  unsigned char cr;        /* a CR is held back: line end if LF follows */
  unsigned char final;     /* the current line is the last one */
  unsigned char hoststate; /* before / inside / after the first word */
  unsigned char hostdot;   /* a '.' held back (a trailing dot is dropped) */
  unsigned char firstword; /* 1 once the first word ended (ESC checked) */
  char head[3];
};

struct greeting_scan {
  struct greeting_state m;
  char host[GREETING_HOST_MAX + 1];
};

struct greeting {
  struct greeting_state m;
  unsigned short textlen;
  char *buf; /* NULL, or host[GREETING_HOST_MAX + 1] then text[GREETING_TEXT_MAX + 1] */
};

/* Set to "nothing read", holding no memory.  Use it once on a new struct;
 * a struct that may hold a buffer is reset with greeting_free().  O(1). */
void greeting_init(struct greeting *g);

/* Free the buffer (if any) and reset to "nothing read".  O(1). */
void greeting_free(struct greeting *g);

/* Consume `len` bytes of the stream.  Returns GREETING_MORE until the
 * reply is complete, then GREETING_DONE, GREETING_OVERFLOW or
 * GREETING_MALFORMED; once one of those is returned, every later call
 * returns the same result.  Bytes after the final line are ignored.  After
 * GREETING_MALFORMED the rest of the offending line (up to its line end or
 * the byte cap) is still appended to the text, raw, so that the report
 * shows what the peer sent ("SSH-2.0-...").  The first call with len > 0
 * allocates the buffer (4.3 KiB, one malloc); if that fails it returns
 * GREETING_NOMEM and consumes nothing.  O(len). */
int greeting_feed(struct greeting *g, const char *data, size_t len);

/* GREETING_* as last returned by greeting_feed (GREETING_MORE at first;
 * never GREETING_NOMEM). */
int greeting_status(const struct greeting *g);

/* The reply code (e.g. 220, 421, 554) once the reply is complete
 * (GREETING_DONE); 0 otherwise: an unfinished "220-" line, a reply over
 * the caps or a malformed one has no code. */
int greeting_code(const struct greeting *g);

/* The text of the lines, without their "DDD-"/"DDD " prefixes and line
 * ends, joined with " | ".  A partial last line (timeout, close, cap) is
 * included as far as it was read; a malformed line is included raw (code
 * and all).  NUL-terminated, but may contain NUL bytes: use the length. */
const char *greeting_text(const struct greeting *g);
size_t greeting_text_len(const struct greeting *g);

/* The first word after the code on the first line (space/tab delimited),
 * or the word after it if the first one is an RFC 3463 enhanced status
 * code (digit "." 1-3 digits "." 1-3 digits, the whole word);
 * ASCII-lowercased, one trailing dot removed, at most GREETING_HOST_MAX
 * bytes; "" if none.  While that word is still being read, what was read
 * of it.  NUL-terminated; may contain NUL bytes (raw peer data), in which
 * case C-string users see a prefix: use the length. */
const char *greeting_host(const struct greeting *g);
size_t greeting_host_len(const struct greeting *g);

/* Complete lines read, and bytes consumed (the greeting's own bytes). */
unsigned greeting_lines(const struct greeting *g);
size_t greeting_bytes(const struct greeting *g);

/* Heap bytes the struct holds now (0 before the first byte).  O(1). */
size_t greeting_heap_bytes(const struct greeting *g);

/* The same machine without the text, and without allocation: for replies
 * where only the code and first word matter (the EHLO reply:
 * "250-mx.example.net Hello ...").  Same rules, caps and results as
 * greeting_feed (never GREETING_NOMEM); greeting_scan_code is likewise 0
 * until the reply is complete. */
void greeting_scan_init(struct greeting_scan *s);
int greeting_scan_feed(struct greeting_scan *s, const char *data, size_t len);
int greeting_scan_status(const struct greeting_scan *s);
int greeting_scan_code(const struct greeting_scan *s);
const char *greeting_scan_host(const struct greeting_scan *s);

#endif
