/* SPDX-License-Identifier: MIT */
/*
 * fuzz_greeting.c - libFuzzer target for the SMTP greeting parser
 * (src/core/greeting.h).
 *
 * The input is the byte stream a peer sends.  It is fed three ways (in one
 * call, byte by byte, and in chunks of pseudo-random sizes derived from the
 * input), to struct greeting and to struct greeting_scan, and every run
 * must agree.  The outcome is then compared with a reference model written
 * here from the contract (line by line rather than byte by byte), and the
 * caps and shape promises are checked directly:
 *   - bytes <= GREETING_MAX_BYTES, lines <= GREETING_MAX_LINES, text and
 *     host within their buffers and NUL-terminated, text holds no LF;
 *   - the host is lowercase, has no space or tab, and is the first word of
 *     the text, or the second if the first is an RFC 3463 enhanced status
 *     code;
 *   - a code is reported exactly when the reply is complete, and it is the
 *     first three bytes, in 200..599;
 *   - a final result sticks, and more bytes continue the stream as the
 *     model says (nothing more is consumed after DONE or OVERFLOW).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "greeting.h"

#include "fuzz.h"

struct outcome {
  int st, code;
  unsigned lines;
  size_t bytes, textlen, hostlen;
  char text[GREETING_TEXT_MAX + 1];
  char host[GREETING_HOST_MAX + 1];
};

/* Large structs live in static storage: the fuzzer calls us millions of
 * times and the stack is better left alone. */
static struct greeting G;
static struct greeting_scan S;
static struct outcome ONE, BYTES, CHUNKS, REF;

static void capture(const struct greeting *g, int st, struct outcome *o) {
  o->st = st;
  CHECK(st == greeting_status(g));
  o->code = greeting_code(g);
  o->lines = greeting_lines(g);
  o->bytes = greeting_bytes(g);
  o->textlen = greeting_text_len(g);
  o->hostlen = greeting_host_len(g);
  CHECK(o->textlen <= GREETING_TEXT_MAX);
  CHECK(o->hostlen <= GREETING_HOST_MAX);
  memcpy(o->text, greeting_text(g), o->textlen + 1);
  memcpy(o->host, greeting_host(g), o->hostlen + 1);
}

static void same(const struct outcome *a, const struct outcome *b) {
  CHECK(a->st == b->st);
  CHECK(a->code == b->code);
  CHECK(a->lines == b->lines);
  CHECK(a->bytes == b->bytes);
  CHECK(a->textlen == b->textlen);
  CHECK(memcmp(a->text, b->text, a->textlen) == 0);
  CHECK(a->hostlen == b->hostlen);
  CHECK(memcmp(a->host, b->host, a->hostlen) == 0);
}

/* Feed in chunks: step(i) gives the size of chunk i (>= 1).  Every byte is
 * fed, also after the result is final, and a final result must stick. */
static int feed_chunks(const uint8_t *data, size_t size, uint64_t seed, int mode) {
  size_t at = 0;
  int st = GREETING_MORE, sst = GREETING_MORE;
  greeting_free(&G);
  greeting_scan_init(&S);
  while (at < size) {
    size_t n;
    int r, sr;
    if (mode == 0) {
      n = size;
    } else if (mode == 1) {
      n = 1;
    } else {
      seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17; /* xorshift64 */
      n = 1 + (size_t)(seed % 97);
    }
    if (n > size - at) n = size - at;
    r = greeting_feed(&G, (const char *)data + at, n);
    sr = greeting_scan_feed(&S, (const char *)data + at, n);
    if (st != GREETING_MORE) CHECK(r == st);
    if (sst != GREETING_MORE) CHECK(sr == sst);
    st = r;
    sst = sr;
    at += n;
  }
  /* The bare scan runs the same machine: same status, code and host. */
  CHECK(sst == st);
  CHECK(greeting_scan_status(&S) == st);
  CHECK(greeting_scan_code(&S) == greeting_code(&G));
  CHECK(memcmp(greeting_scan_host(&S), greeting_host(&G), greeting_host_len(&G) + 1) == 0);
  return st;
}

/* ---- reference model ---------------------------------------------------- */

static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

static void ref_text(struct outcome *r, const uint8_t *p, size_t n) {
  CHECK(r->textlen + n <= GREETING_TEXT_MAX);
  memcpy(r->text + r->textlen, p, n);
  r->textlen += n;
  r->text[r->textlen] = '\0';
}

/* RFC 3463: digit "." 1-3 digits "." 1-3 digits, nothing else. */
static int ref_is_esc(const uint8_t *w, size_t n) {
  size_t i, a = 0, b = 0, dots = 0;
  if (n < 5 || !is_digit(w[0]) || w[1] != '.') return 0;
  for (i = 2; i < n; i++) {
    if (w[i] == '.') {
      if (++dots > 1) return 0;
    } else if (!is_digit(w[i])) {
      return 0;
    } else if (dots == 0) {
      a++;
    } else {
      b++;
    }
  }
  return dots == 1 && a >= 1 && a <= 3 && b >= 1 && b <= 3;
}

static int is_blank(uint8_t c) { return c == ' ' || c == '\t'; }

/* Where the host word starts in p[0..n): after leading blanks, and past a
 * first word that is an enhanced status code, if that word is known to be
 * over (a blank follows it, or `ended`: the line is complete). */
static size_t host_start(const uint8_t *p, size_t n, int ended) {
  size_t i = 0, j;
  while (i < n && is_blank(p[i])) i++;
  for (j = i; j < n && !is_blank(p[j]); j++)
    ;
  if ((j < n || ended) && ref_is_esc(p + i, j - i)) {
    i = j;
    while (i < n && is_blank(p[i])) i++;
  }
  return i;
}

/* The first word of the first line's text (past an enhanced status code):
 * SP/TAB delimited, one trailing dot dropped, ASCII-lowercased, cut to
 * GREETING_HOST_MAX bytes. */
static void ref_host(struct outcome *r, const uint8_t *p, size_t n, int ended) {
  size_t i = host_start(p, n, ended), j;
  for (j = i; j < n && !is_blank(p[j]); j++)
    ;
  if (j > i && p[j - 1] == '.') j--;
  r->hostlen = 0;
  for (; i < j && r->hostlen < GREETING_HOST_MAX; i++) {
    uint8_t c = p[i];
    r->host[r->hostlen++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  r->host[r->hostlen] = '\0';
}

/*
 * The contract, a line at a time.  Only the first GREETING_MAX_BYTES bytes
 * can matter; if the reply is not over within them (and there were that
 * many), it overflowed.  A line ends at LF; one CR right before it is part
 * of the line end, and a CR that is the last byte seen is held back (it
 * may yet be one).
 */
static void ref_parse(const uint8_t *d, size_t size, struct outcome *r) {
  size_t avail = size < GREETING_MAX_BYTES ? size : GREETING_MAX_BYTES;
  int capped = size >= GREETING_MAX_BYTES;
  size_t i = 0;
  int code = 0; /* the first line's; reported only once the reply is done */

  memset(r, 0, sizeof *r);
  r->st = GREETING_MORE;
  while (i < avail) {
    const uint8_t *lf = memchr(d + i, '\n', avail - i);
    int complete = lf != NULL;
    size_t e = complete ? (size_t)(lf - d) : avail;
    size_t next = complete ? e + 1 : avail;
    const uint8_t *c = d + i;
    size_t clen = e - i, k;
    int bad = 0, head_done = 0, final = 0;

    if (clen > 0 && c[clen - 1] == '\r') clen--;
    for (k = 0; k < clen && k < 3; k++)
      if (!is_digit(c[k])) bad = 1;
    if (!bad) {
      if (clen >= 4) {
        if (c[3] == ' ') final = head_done = 1;
        else if (c[3] == '-') head_done = 1;
        else bad = 1;
      } else if (complete) {
        if (clen == 3) final = head_done = 1;
        else bad = 1; /* an empty line or fewer than three digits */
      }
    }
    if (!bad && head_done) {
      int v = (c[0] - '0') * 100 + (c[1] - '0') * 10 + (c[2] - '0');
      if (r->lines == 0) {
        if (v < 200 || v > 599) bad = 1; /* not SMTP (greeting.h) */
        code = v;
      } else if (v != code) {
        bad = 1;
      }
    }
    if (bad) { /* the whole line, raw, then nothing more */
      if (r->lines > 0) ref_text(r, (const uint8_t *)" | ", 3);
      ref_text(r, c, clen);
      r->st = GREETING_MALFORMED;
      r->bytes = next;
      return;
    }
    if (!head_done) { /* a partial head: undecided */
      i = avail;
      break;
    }
    if (r->lines > 0) ref_text(r, (const uint8_t *)" | ", 3);
    if (clen > 4) ref_text(r, c + 4, clen - 4);
    if (r->lines == 0)
      ref_host(r, c + (clen > 4 ? 4 : clen), clen > 4 ? clen - 4 : 0, complete);
    if (!complete) {
      i = avail;
      break;
    }
    r->lines++;
    if (final || r->lines >= GREETING_MAX_LINES) {
      r->st = final ? GREETING_DONE : GREETING_OVERFLOW;
      if (final) r->code = code;
      r->bytes = next;
      return;
    }
    i = next;
  }
  r->bytes = avail;
  r->st = capped ? GREETING_OVERFLOW : GREETING_MORE;
}

/* ---- the target ---------------------------------------------------------- */

/* 1 if the host is the lowercased text at `at`. */
static int host_at(const struct outcome *o, size_t at) {
  size_t i;
  if (at + o->hostlen > o->textlen) return 0;
  for (i = 0; i < o->hostlen; i++) {
    uint8_t c = (uint8_t)o->text[at + i];
    if ((uint8_t)o->host[i] != (c >= 'A' && c <= 'Z' ? c + 32 : c)) return 0;
  }
  return 1;
}

static void check_shape(const struct outcome *o, const uint8_t *data, size_t size) {
  size_t i, skip = 0;

  CHECK(o->st >= GREETING_MORE && o->st <= GREETING_MALFORMED);
  CHECK(o->bytes <= size && o->bytes <= GREETING_MAX_BYTES);
  if (o->st == GREETING_MORE) CHECK(o->bytes == size && size < GREETING_MAX_BYTES);
  CHECK(o->lines <= GREETING_MAX_LINES);
  if (o->st == GREETING_DONE) CHECK(o->lines >= 1);
  if (o->st == GREETING_OVERFLOW)
    CHECK(o->bytes == GREETING_MAX_BYTES || o->lines == GREETING_MAX_LINES);
  CHECK((o->code != 0) == (o->st == GREETING_DONE));
  if (o->st == GREETING_DONE) {
    CHECK(size >= 3 && is_digit(data[0]) && is_digit(data[1]) && is_digit(data[2]));
    CHECK(o->code == (data[0] - '0') * 100 + (data[1] - '0') * 10 + (data[2] - '0'));
    CHECK(o->code >= 200 && o->code <= 599);
  }
  CHECK(o->textlen <= o->bytes);
  CHECK(o->text[o->textlen] == '\0');
  CHECK(memchr(o->text, '\n', o->textlen) == NULL);
  CHECK(o->host[o->hostlen] == '\0');
  for (i = 0; i < o->hostlen; i++) {
    uint8_t c = (uint8_t)o->host[i];
    CHECK(!(c >= 'A' && c <= 'Z'));
    CHECK(c != ' ' && c != '\t');
  }
  /* The host is the lowercased start of the first word of the text, or of
   * the second if the first is an enhanced status code (where the first
   * line ends is not known here: either position will do). */
  while (skip < o->textlen && is_blank((uint8_t)o->text[skip])) skip++;
  CHECK(host_at(o, skip) || host_at(o, host_start((const uint8_t *)o->text, o->textlen, 0)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint64_t seed = 0xcbf29ce484222325u; /* FNV-1a of the input: the chunking */
  size_t i;
  int st;

  for (i = 0; i < size; i++) seed = (seed ^ data[i]) * 0x100000001b3u;
  if (seed == 0) seed = 1;

  st = feed_chunks(data, size, seed, 0);
  capture(&G, st, &ONE);
  st = feed_chunks(data, size, seed, 1);
  capture(&G, st, &BYTES);
  st = feed_chunks(data, size, seed, 2);
  capture(&G, st, &CHUNKS);
  same(&ONE, &BYTES);
  same(&ONE, &CHUNKS);
  check_shape(&ONE, data, size);

  ref_parse(data, size, &REF);
  same(&ONE, &REF);

  /* The buffer comes with the first byte. */
  CHECK((greeting_heap_bytes(&G) != 0) == (size != 0));

  /* More bytes continue the stream: a final result sticks; after DONE or
   * OVERFLOW nothing more is consumed, after MALFORMED only the rest of
   * the offending line. */
  {
    static const char more[] = "220 late.example\r\n";
    static uint8_t both[GREETING_MAX_BYTES + sizeof more];
    size_t keep = size < GREETING_MAX_BYTES ? size : GREETING_MAX_BYTES;
    st = greeting_feed(&G, more, sizeof more - 1);
    if (ONE.st != GREETING_MORE) CHECK(st == ONE.st);
    capture(&G, st, &CHUNKS);
    if (ONE.st == GREETING_DONE || ONE.st == GREETING_OVERFLOW) same(&ONE, &CHUNKS);
    /* Only the first GREETING_MAX_BYTES bytes can matter. */
    memcpy(both, data, keep);
    memcpy(both + keep, more, sizeof more - 1);
    ref_parse(both, size > keep ? GREETING_MAX_BYTES + 1 : keep + sizeof more - 1, &REF);
    same(&CHUNKS, &REF);
  }
  greeting_free(&G);
  return 0;
}
