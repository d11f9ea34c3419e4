/* SPDX-License-Identifier: MIT */
/*
 * greeting.c - incremental SMTP reply parser.  See greeting.h.
 *
 * One byte at a time through a small state machine, so the result cannot
 * depend on how the network cut the stream:
 *
 *   HEAD  the first bytes of a line: three digits, then ' ' (final line),
 *         '-' (more lines follow) or the line end (a bare "DDD" is a final
 *         line, RFC 5321 section 4.2).  Anything else is MALFORMED.
 *   BODY  the text of the line, up to its end.
 *   TAIL  after a malformed line head: the rest of that line is copied raw
 *         into the text (so the report can show what the peer is), then END.
 *   END   DONE, OVERFLOW or MALFORMED: nothing more is consumed.
 *
 * The host is tracked on the fly in the first line's BODY; when its first
 * word ends it is checked for an RFC 3463 enhanced status code and, if it
 * is one, dropped so that the next word becomes the host.
 *
 * Line ends: LF, or CR LF.  A CR is held back until the next byte shows
 * whether it ends the line; a CR not followed by LF is an ordinary byte
 * (RFC 5321 forbids bare CR, but we record rather than judge).
 */
#include "greeting.h"

#include <stdlib.h>
#include <string.h>

enum { PH_HEAD = 0, PH_BODY, PH_TAIL, PH_END };
enum { HOST_BEFORE = 0, HOST_IN, HOST_AFTER };

/* Where host and text go: a greeting keeps the text, a bare scan does not
 * (buf NULL). */
struct sink {
  char *host;
  char *buf;
  unsigned short *len;
};

static void text_put(struct sink *t, const char *p, size_t n) {
  if (!t->buf || n == 0) return;
  size_t room = GREETING_TEXT_MAX - *t->len;
  if (n > room) n = room; /* cannot happen (see greeting.h), but stay safe */
  memcpy(t->buf + *t->len, p, n);
  *t->len = (unsigned short)(*t->len + n);
  t->buf[*t->len] = '\0';
}

/* Before a line's text: the separator, except before the first line. */
static void text_sep(struct greeting_state *s, struct sink *t) {
  if (s->nlines > 0) text_put(t, " | ", 3);
}

static void host_put(struct greeting_state *s, struct sink *t, char c) {
  if (s->hostlen >= GREETING_HOST_MAX) return;
  t->host[s->hostlen++] = c;
  t->host[s->hostlen] = '\0';
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* 1 if w[0..n) is an RFC 3463 enhanced status code: class "." subject "."
 * detail, one digit then 1-3 digits then 1-3 digits (section 2). */
static int is_enhanced_code(const char *w, size_t n) {
  size_t i = 0, run;
  if (n < 5 || !is_digit(w[0]) || w[1] != '.') return 0;
  i = 2;
  for (int part = 0; part < 2; part++) {
    for (run = 0; i < n && is_digit(w[i]); i++) run++;
    if (run < 1 || run > 3) return 0;
    if (part == 0) {
      if (i >= n || w[i] != '.') return 0;
      i++;
    }
  }
  return i == n;
}

/* The first word of the first line just ended (at a space, a tab or the
 * line end).  If it is an enhanced status code ("554 5.7.1 ..."), forget
 * it: the host is the next word.  A held-back dot means the word ended in
 * '.', which no enhanced code does. */
static void first_word_end(struct greeting_state *s, struct sink *t) {
  if (s->firstword) return;
  s->firstword = 1;
  if (s->hoststate == HOST_IN && !s->hostdot && is_enhanced_code(t->host, s->hostlen)) {
    s->hostlen = 0;
    t->host[0] = '\0';
    s->hoststate = HOST_BEFORE;
  }
}

/* One byte of the first line's text: track its first word.  A '.' is held
 * back so that one trailing dot ("mail.example.com.") disappears when the
 * word ends; it is written when another byte of the word follows. */
static void host_byte(struct greeting_state *s, struct sink *t, unsigned char c) {
  if (s->hoststate == HOST_AFTER) return;
  if (c == ' ' || c == '\t') {
    if (s->hoststate == HOST_IN) {
      first_word_end(s, t); /* may go back to HOST_BEFORE */
      if (s->hoststate == HOST_IN) s->hoststate = HOST_AFTER;
      s->hostdot = 0;
    }
    return;
  }
  s->hoststate = HOST_IN;
  if (s->hostdot) {
    host_put(s, t, '.');
    s->hostdot = 0;
  }
  if (c == '.') {
    s->hostdot = 1;
    return;
  }
  if (c >= 'A' && c <= 'Z') c = (unsigned char)(c - 'A' + 'a');
  host_put(s, t, (char)c);
}

/* The current line head is not a valid one: record it raw, then copy the
 * rest of the line (TAIL). */
static void malformed(struct greeting_state *s, struct sink *t, const char *extra, size_t n) {
  s->status = GREETING_MALFORMED;
  s->phase = PH_TAIL;
  text_sep(s, t);
  text_put(t, s->head, s->headlen);
  text_put(t, extra, n);
}

/* Three digits and a valid separator (' ', '-', or line end) were read.
 * Returns 0, or -1 if the first code is outside 200..599 (not SMTP, see
 * greeting.h) or a later code differs from the first line's. */
static int head_ok(struct greeting_state *s, struct sink *t, int final) {
  int code = (s->head[0] - '0') * 100 + (s->head[1] - '0') * 10 + (s->head[2] - '0');
  if (s->nlines == 0) {
    if (code < 200 || code > 599) return -1;
    s->code = code;
  } else if (code != s->code) {
    return -1; /* RFC 5321 4.2.1: every line of a reply has the same code */
  }
  text_sep(s, t);
  s->final = (unsigned char)final;
  return 0;
}

/* A line of the reply (not a malformed one) is complete. */
static void line_done(struct greeting_state *s, struct sink *t) {
  if (s->nlines == 0) first_word_end(s, t);
  s->nlines++;
  s->hoststate = HOST_AFTER; /* the first word is on the first line only */
  s->hostdot = 0;
  if (s->final) {
    s->status = GREETING_DONE;
    s->phase = PH_END;
  } else if (s->nlines >= GREETING_MAX_LINES) {
    s->status = GREETING_OVERFLOW;
    s->phase = PH_END;
  } else {
    s->phase = PH_HEAD;
    s->headlen = 0;
  }
}

static void end_of_line(struct greeting_state *s, struct sink *t) {
  switch (s->phase) {
  case PH_HEAD:
    if (s->headlen == 3 && head_ok(s, t, 1) == 0) {
      line_done(s, t); /* a bare "DDD": final line with no text */
      return;
    }
    /* fewer than 3 digits (an empty line, "22"), or a different code */
    malformed(s, t, NULL, 0);
    s->phase = PH_END;
    return;
  case PH_BODY:
    line_done(s, t);
    return;
  case PH_TAIL:
    s->phase = PH_END;
    return;
  default:
    return;
  }
}

static void data_byte(struct greeting_state *s, struct sink *t, unsigned char c) {
  char ch = (char)c;
  switch (s->phase) {
  case PH_HEAD:
    if (s->headlen < 3) {
      if (c >= '0' && c <= '9')
        s->head[s->headlen++] = ch;
      else
        malformed(s, t, &ch, 1);
      return;
    }
    if ((c == ' ' || c == '-') && head_ok(s, t, c == ' ') == 0) {
      s->phase = PH_BODY;
      return;
    }
    malformed(s, t, &ch, 1);
    return;
  case PH_BODY:
    text_put(t, &ch, 1);
    if (s->nlines == 0) host_byte(s, t, c);
    return;
  case PH_TAIL:
    text_put(t, &ch, 1);
    return;
  default:
    return;
  }
}

static int feed(struct greeting_state *s, struct sink *t, const char *data, size_t len) {
  for (size_t i = 0; i < len && s->phase != PH_END; i++) {
    unsigned char c = (unsigned char)data[i];
    s->nbytes++;
    if (s->cr) {
      s->cr = 0;
      if (c == '\n') {
        end_of_line(s, t);
        goto cap;
      }
      data_byte(s, t, '\r'); /* a lone CR is just a byte */
    }
    if (c == '\r')
      s->cr = 1;
    else if (c == '\n')
      end_of_line(s, t);
    else
      data_byte(s, t, c);
  cap:
    /* The greeting may be GREETING_MAX_BYTES long, line end included; if
     * that many bytes are in and the final line is not, it is too long. */
    if (s->nbytes >= GREETING_MAX_BYTES && s->phase != PH_END) {
      if (s->phase != PH_TAIL) s->status = GREETING_OVERFLOW;
      s->phase = PH_END;
    }
  }
  return s->status;
}

static void state_init(struct greeting_state *s) {
  memset(s, 0, sizeof *s);
  s->status = GREETING_MORE;
  s->phase = PH_HEAD;
  s->hoststate = HOST_BEFORE;
}

void greeting_scan_init(struct greeting_scan *s) {
  state_init(&s->m);
  s->host[0] = '\0';
}

int greeting_scan_feed(struct greeting_scan *s, const char *data, size_t len) {
  struct sink t = {s->host, NULL, NULL};
  return feed(&s->m, &t, data, len);
}

int greeting_scan_status(const struct greeting_scan *s) { return s->m.status; }
int greeting_scan_code(const struct greeting_scan *s) {
  return s->m.status == GREETING_DONE ? s->m.code : 0;
}
const char *greeting_scan_host(const struct greeting_scan *s) { return s->host; }

/* The buffer: host first, then text (greeting.h). */
#define BUF_SIZE (GREETING_HOST_MAX + 1 + GREETING_TEXT_MAX + 1)

void greeting_init(struct greeting *g) {
  state_init(&g->m);
  g->textlen = 0;
  g->buf = NULL;
}

void greeting_free(struct greeting *g) {
  free(g->buf);
  greeting_init(g);
}

int greeting_feed(struct greeting *g, const char *data, size_t len) {
  if (len == 0) return g->m.status;
  if (g->buf == NULL) {
    g->buf = malloc(BUF_SIZE);
    if (g->buf == NULL) return GREETING_NOMEM;
    g->buf[0] = '\0';
    g->buf[GREETING_HOST_MAX + 1] = '\0';
  }
  struct sink t = {g->buf, g->buf + GREETING_HOST_MAX + 1, &g->textlen};
  return feed(&g->m, &t, data, len);
}

int greeting_status(const struct greeting *g) { return g->m.status; }
int greeting_code(const struct greeting *g) { return g->m.status == GREETING_DONE ? g->m.code : 0; }
const char *greeting_text(const struct greeting *g) {
  return g->buf ? g->buf + GREETING_HOST_MAX + 1 : "";
}
size_t greeting_text_len(const struct greeting *g) { return g->textlen; }
const char *greeting_host(const struct greeting *g) { return g->buf ? g->buf : ""; }
size_t greeting_host_len(const struct greeting *g) { return g->m.hostlen; }
unsigned greeting_lines(const struct greeting *g) { return g->m.nlines; }
size_t greeting_bytes(const struct greeting *g) { return g->m.nbytes; }
size_t greeting_heap_bytes(const struct greeting *g) { return g->buf ? BUF_SIZE : 0; }
