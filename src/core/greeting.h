/*
 * greeting.h - incremental parser of an SMTP reply, in particular the
 * server greeting (RFC 5321 section 4.2).  Pure: no I/O, no allocation;
 * the structs are embeddable and fixed-size.
 *
 * A reply is one or more lines "CODE-text" ending with "CODE text" or a
 * bare "CODE" (CODE = three digits, the same on every line).  Lines end in
 * CRLF or a bare LF; a lone CR inside a line is an ordinary byte.  NUL and
 * bytes >= 0x80 are kept raw (the report escapes them).
 *
 * Caps (a hostile peer gets bounded memory): at most GREETING_MAX_BYTES bytes and
 * GREETING_MAX_LINES lines, the final line included.  Reaching either cap
 * before the final line ends the parse with GREETING_OVERFLOW; what was
 * read so far is kept.  The outcome never depends on how the bytes are cut
 * into chunks.
 *
 * Two types share one line machine:
 *   struct greeting_scan  code, first word and completion only (~300 bytes);
 *                         the probe uses it for the EHLO reply;
 *   struct greeting       the same plus the text of every line (~4.5 KiB).
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
  GREETING_MALFORMED  /* a line not "DDD", "DDD " or "DDD-", or a line whose
                         code differs from the first line's */
};

/* All fields private: use the functions below. */
struct greeting_scan {
  int status;              /* GREETING_* */
  int code;                /* first line's code, 0 until known */
  unsigned nlines;         /* complete lines */
  size_t nbytes;           /* bytes consumed (not counting ignored ones) */
  unsigned char phase;     /* line head / body / malformed tail / end */
  unsigned char headlen;   /* digits of the current line seen (0..3) */
  unsigned char cr;        /* a CR is held back: line end if LF follows */
  unsigned char final;     /* the current line is the last one */
  unsigned char hoststate; /* before / inside / after the first word */
  unsigned char hostdot;   /* a '.' held back (a trailing dot is dropped) */
  char head[3];
  size_t hostlen;
  char host[GREETING_HOST_MAX + 1];
};

struct greeting {
  struct greeting_scan s;
  size_t textlen;
  char text[GREETING_TEXT_MAX + 1];
};

/* Reset to "nothing read".  O(1) (does not clear the buffers). */
void greeting_init(struct greeting *g);

/* Consume `len` bytes of the stream.  Returns GREETING_MORE until the
 * reply is complete, then GREETING_DONE, GREETING_OVERFLOW or
 * GREETING_MALFORMED; once a result other than MORE is returned, every
 * later call returns the same result.  Bytes after the final line are
 * ignored.  After GREETING_MALFORMED the rest of the offending line (up to
 * its line end or the byte cap) is still appended to the text, raw, so
 * that the report shows what the peer sent ("SSH-2.0-...").  O(len). */
int greeting_feed(struct greeting *g, const char *data, size_t len);

/* GREETING_* as last returned by greeting_feed (GREETING_MORE at first). */
int greeting_status(const struct greeting *g);

/* The first line's code (e.g. 220, 421, 554); 0 if no valid line head was
 * read yet, or the first line was malformed. */
int greeting_code(const struct greeting *g);

/* The text of the lines, without their "DDD-"/"DDD " prefixes and line
 * ends, joined with " | ".  A partial last line (timeout, close, cap) is
 * included as far as it was read; a malformed line is included raw (code
 * and all).  NUL-terminated, but may contain NUL bytes: use the length. */
const char *greeting_text(const struct greeting *g);
size_t greeting_text_len(const struct greeting *g);

/* The first word after the code on the first line (space/tab delimited),
 * ASCII-lowercased, one trailing dot removed, at most GREETING_HOST_MAX
 * bytes; "" if none.  NUL-terminated; may contain NUL bytes (raw peer
 * data), in which case C-string users see a prefix: use the length. */
const char *greeting_host(const struct greeting *g);
size_t greeting_host_len(const struct greeting *g);

/* Complete lines read, and bytes consumed (the greeting's own bytes). */
unsigned greeting_lines(const struct greeting *g);
size_t greeting_bytes(const struct greeting *g);

/* The same machine without the text: for replies where only the code and
 * first word matter (the EHLO reply: "250-mx.example.net Hello ...").
 * Same rules, caps and results as greeting_feed. */
void greeting_scan_init(struct greeting_scan *s);
int greeting_scan_feed(struct greeting_scan *s, const char *data, size_t len);
int greeting_scan_status(const struct greeting_scan *s);
int greeting_scan_code(const struct greeting_scan *s);
const char *greeting_scan_host(const struct greeting_scan *s);

#endif
