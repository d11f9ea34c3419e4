/* SPDX-License-Identifier: MIT */
/*
 * check_greeting.c - the SMTP greeting parser (src/greeting.h).
 *
 * Every input goes through parse(), which feeds it in one chunk, byte by
 * byte, and in every two-chunk split (inputs up to 300 bytes), and asserts
 * that all of them agree before the test looks at the outcome.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "greeting.h"

struct outcome {
  int st;
  int code;
  unsigned lines;
  size_t bytes;
  size_t textlen, hostlen;
  char text[GREETING_TEXT_MAX + 1];
  char host[GREETING_HOST_MAX + 1];
};

static struct greeting G; /* its buffer is freed by the next feed_cut/parse or at the end */

static void capture(const struct greeting *g, int st, struct outcome *o) {
  memset(o, 0, sizeof *o);
  o->st = st;
  ck_assert_int_eq(st, greeting_status(g));
  o->code = greeting_code(g);
  o->lines = greeting_lines(g);
  o->bytes = greeting_bytes(g);
  o->textlen = greeting_text_len(g);
  o->hostlen = greeting_host_len(g);
  ck_assert_uint_le(o->textlen, GREETING_TEXT_MAX);
  ck_assert_uint_le(o->hostlen, GREETING_HOST_MAX);
  memcpy(o->text, greeting_text(g), o->textlen + 1);
  memcpy(o->host, greeting_host(g), o->hostlen + 1);
  ck_assert_int_eq(o->text[o->textlen], '\0');
  ck_assert_int_eq(o->host[o->hostlen], '\0');
}

static void same(const struct outcome *a, const struct outcome *b) {
  ck_assert_int_eq(a->st, b->st);
  ck_assert_int_eq(a->code, b->code);
  ck_assert_uint_eq(a->lines, b->lines);
  ck_assert_uint_eq(a->bytes, b->bytes);
  ck_assert_uint_eq(a->textlen, b->textlen);
  ck_assert_uint_eq(a->hostlen, b->hostlen);
  ck_assert(memcmp(a->text, b->text, a->textlen) == 0);
  ck_assert(memcmp(a->host, b->host, a->hostlen) == 0);
}

/* Feed data in chunks cut at `cuts` (ascending offsets); returns the last
 * feed result.  Every byte is fed, also after the result is final. */
static int feed_cut(const char *data, size_t len, const size_t *cuts, size_t ncuts) {
  size_t at = 0;
  int st = GREETING_MORE;
  greeting_free(&G);
  for (size_t i = 0; i <= ncuts; i++) {
    size_t end = i < ncuts ? cuts[i] : len;
    int r = greeting_feed(&G, data + at, end - at);
    if (st != GREETING_MORE) ck_assert_int_eq(r, st); /* final results stick */
    st = r;
    at = end;
  }
  return st;
}

static struct outcome *parse(const char *data, size_t len) {
  static struct outcome one, other;
  int st = feed_cut(data, len, NULL, 0);
  capture(&G, st, &one);

  /* byte by byte */
  greeting_free(&G);
  st = GREETING_MORE;
  for (size_t i = 0; i < len; i++) {
    int r = greeting_feed(&G, data + i, 1);
    if (st != GREETING_MORE) ck_assert_int_eq(r, st);
    st = r;
  }
  if (len == 0) st = greeting_feed(&G, data, 0);
  capture(&G, st, &other);
  same(&one, &other);

  /* every two-chunk split */
  if (len <= 300) {
    for (size_t cut = 0; cut <= len; cut++) {
      st = feed_cut(data, len, &cut, 1);
      capture(&G, st, &other);
      same(&one, &other);
    }
  }
  greeting_free(&G);
  return &one;
}

#define PARSE(lit) parse((lit), sizeof(lit) - 1)

static void text_is(const struct outcome *o, const char *want, size_t n) {
  ck_assert_uint_eq(o->textlen, n);
  ck_assert(memcmp(o->text, want, n) == 0);
}
#define TEXT_IS(o, lit) text_is((o), (lit), sizeof(lit) - 1)

START_TEST(single_line) {
  struct outcome *o = PARSE("220 mail.example.com ESMTP Postfix (Debian/GNU)\r\n");
  ck_assert_int_eq(o->st, GREETING_DONE);
  ck_assert_int_eq(o->code, 220);
  ck_assert_str_eq(o->host, "mail.example.com");
  TEXT_IS(o, "mail.example.com ESMTP Postfix (Debian/GNU)");
  ck_assert_uint_eq(o->lines, 1);
  ck_assert_uint_eq(o->bytes, 49);
}
END_TEST

START_TEST(multi_line) {
  struct outcome *o = PARSE("220-mx.example.net ESMTP\r\n220-Unsolicited mail prohibited\r\n"
                            "220 ready\r\n");
  ck_assert_int_eq(o->st, GREETING_DONE);
  ck_assert_int_eq(o->code, 220);
  ck_assert_str_eq(o->host, "mx.example.net");
  TEXT_IS(o, "mx.example.net ESMTP | Unsolicited mail prohibited | ready");
  ck_assert_uint_eq(o->lines, 3);
}
END_TEST

START_TEST(partial_is_more) {
  struct outcome *o = PARSE("220-mx.example.net hi\r\n220 par");
  ck_assert_int_eq(o->st, GREETING_MORE);
  ck_assert_int_eq(o->code, 0); /* no final line yet: no code */
  ck_assert_str_eq(o->host, "mx.example.net");
  TEXT_IS(o, "mx.example.net hi | par");
  ck_assert_uint_eq(o->lines, 1);

  o = PARSE("");
  ck_assert_int_eq(o->st, GREETING_MORE);
  ck_assert_int_eq(o->code, 0);
  TEXT_IS(o, "");

  o = PARSE("22"); /* no line end yet: undecided */
  ck_assert_int_eq(o->st, GREETING_MORE);
  ck_assert_int_eq(o->code, 0);

  o = PARSE("220-half.example.");
  ck_assert_int_eq(o->st, GREETING_MORE);
  ck_assert_str_eq(o->host, "half.example"); /* a held-back dot is not shown */
}
END_TEST

START_TEST(bare_lf) {
  struct outcome *o = PARSE("220-a.example.org hi\n220-mixed\r\n220 ok\n");
  ck_assert_int_eq(o->st, GREETING_DONE);
  ck_assert_uint_eq(o->lines, 3);
  TEXT_IS(o, "a.example.org hi | mixed | ok");
  ck_assert_str_eq(o->host, "a.example.org");
}
END_TEST

START_TEST(lone_cr_is_a_byte) {
  struct outcome *o = PARSE("220 a.example\rb c\r\r\n");
  ck_assert_int_eq(o->st, GREETING_DONE);
  TEXT_IS(o, "a.example\rb c\r");
  ck_assert_str_eq(o->host, "a.example\rb");
  ck_assert_uint_eq(o->bytes, 20);

  /* a CR right after the code is not a separator */
  o = PARSE("220\rx\r\n");
  ck_assert_int_eq(o->st, GREETING_MALFORMED);
}
END_TEST

START_TEST(code_554_and_421) {
  struct outcome *o = PARSE("554 5.7.1 Service unavailable; client host blocked\r\n");
  ck_assert_int_eq(o->st, GREETING_DONE);
  ck_assert_int_eq(o->code, 554);
  ck_assert_str_eq(o->host, "service"); /* the enhanced code is skipped */
  TEXT_IS(o, "5.7.1 Service unavailable; client host blocked");

  o = PARSE("421-mx.example.com busy\r\n421 try again later\r\n");
  ck_assert_int_eq(o->st, GREETING_DONE);
  ck_assert_int_eq(o->code, 421);
  ck_assert_str_eq(o->host, "mx.example.com");
  TEXT_IS(o, "mx.example.com busy | try again later");
}
END_TEST

START_TEST(bare_code_lines) {
  struct outcome *o = PARSE("220\r\n");
  ck_assert_int_eq(o->st, GREETING_DONE);
  ck_assert_int_eq(o->code, 220);
  ck_assert_str_eq(o->host, "");
  TEXT_IS(o, "");

  o = PARSE("220-x.example\r\n220\r\n");
  ck_assert_int_eq(o->st, GREETING_DONE);
  TEXT_IS(o, "x.example | ");
  ck_assert_uint_eq(o->lines, 2);

  o = PARSE("220-\r\n220 y.example\r\n"); /* host is from the first line only */
  ck_assert_int_eq(o->st, GREETING_DONE);
  ck_assert_str_eq(o->host, "");
  TEXT_IS(o, " | y.example");
}
END_TEST

START_TEST(after_final_ignored) {
  struct outcome *o = PARSE("220 ok.example\r\nEHLO pregreet junk\r\n250 x\r\n");
  ck_assert_int_eq(o->st, GREETING_DONE);
  ck_assert_uint_eq(o->bytes, 16);
  TEXT_IS(o, "ok.example");
  ck_assert_uint_eq(o->lines, 1);
}
END_TEST

/* 1000 "220-" lines: stops at the 32nd line, keeps the 32 lines. */
START_TEST(too_many_lines) {
  static char buf[20000];
  size_t n = 0;
  for (int i = 0; i < 1000; i++) n += (size_t)sprintf(buf + n, "220-l%d\r\n", i);
  n += (size_t)sprintf(buf + n, "220 end\r\n");
  struct outcome *o = parse(buf, n);
  ck_assert_int_eq(o->st, GREETING_OVERFLOW);
  ck_assert_int_eq(o->code, 0); /* never completed */
  ck_assert_uint_eq(o->lines, GREETING_MAX_LINES);
  ck_assert_str_eq(o->host, "l0");
  ck_assert(strncmp(o->text, "l0 | l1 | l2 | ", 15) == 0);
  const char *tail = " | l31";
  ck_assert(strcmp(o->text + o->textlen - strlen(tail), tail) == 0);
}
END_TEST

/* Exactly 32 lines, the last one final: accepted.  32 continuation lines
 * followed by the final line: over the cap. */
START_TEST(line_cap_edge) {
  static char buf[2000];
  size_t n = 0;
  for (int i = 0; i < GREETING_MAX_LINES - 1; i++) n += (size_t)sprintf(buf + n, "220-%d\n", i);
  size_t keep = n;
  n += (size_t)sprintf(buf + n, "220 last\n");
  struct outcome *o = parse(buf, n);
  ck_assert_int_eq(o->st, GREETING_DONE);
  ck_assert_uint_eq(o->lines, GREETING_MAX_LINES);

  n = keep;
  n += (size_t)sprintf(buf + n, "220-31\n220 last\n");
  o = parse(buf, n);
  ck_assert_int_eq(o->st, GREETING_OVERFLOW);
  ck_assert_uint_eq(o->lines, GREETING_MAX_LINES);
  ck_assert_uint_eq(o->bytes, keep + 7); /* stopped right after line 32 */
}
END_TEST

/* 8 KiB without a line end: stops at 4096 bytes, keeps the prefix. */
START_TEST(long_line) {
  static char buf[8192];
  memcpy(buf, "220 ", 4);
  memset(buf + 4, 'x', sizeof buf - 4);
  struct outcome *o = parse(buf, sizeof buf);
  ck_assert_int_eq(o->st, GREETING_OVERFLOW);
  ck_assert_int_eq(o->code, 0);
  ck_assert_uint_eq(o->bytes, GREETING_MAX_BYTES);
  ck_assert_uint_eq(o->textlen, GREETING_MAX_BYTES - 4);
  ck_assert_uint_eq(o->hostlen, GREETING_HOST_MAX); /* a 4092-byte word, truncated */
  for (size_t i = 0; i < o->textlen; i++) ck_assert_int_eq(o->text[i], 'x');
  ck_assert_uint_eq(o->lines, 0);
}
END_TEST

/* A greeting of exactly 4096 bytes is fine; one more byte is not. */
START_TEST(byte_cap_edge) {
  static char buf[20 * 256];
  memcpy(buf, "220 ", 4);
  memset(buf + 4, 'y', GREETING_MAX_BYTES - 6);
  memcpy(buf + GREETING_MAX_BYTES - 2, "\r\n", 2);
  struct outcome *o = parse(buf, GREETING_MAX_BYTES);
  ck_assert_int_eq(o->st, GREETING_DONE);
  ck_assert_uint_eq(o->bytes, GREETING_MAX_BYTES);
  ck_assert_uint_eq(o->textlen, GREETING_MAX_BYTES - 6);

  memset(buf + 4, 'y', GREETING_MAX_BYTES - 5);
  memcpy(buf + GREETING_MAX_BYTES - 1, "\r\n", 2);
  o = parse(buf, GREETING_MAX_BYTES + 1);
  ck_assert_int_eq(o->st, GREETING_OVERFLOW);
  ck_assert_uint_eq(o->bytes, GREETING_MAX_BYTES);
  ck_assert_uint_eq(o->textlen, GREETING_MAX_BYTES - 5); /* the held CR is dropped */

  /* many short lines over 4 KiB in total, fewer than 32 lines: byte cap */
  size_t n = 0;
  for (int i = 0; i < 20; i++) {
    memcpy(buf + n, "220-", 4);
    memset(buf + n + 4, 'z', 250);
    memcpy(buf + n + 254, "\r\n", 2);
    n += 256;
  }
  o = parse(buf, n);
  ck_assert_int_eq(o->st, GREETING_OVERFLOW);
  ck_assert_uint_eq(o->bytes, GREETING_MAX_BYTES);
  ck_assert_uint_eq(o->lines, 16);
}
END_TEST

START_TEST(nul_and_high_bytes) {
  static const char in[] = "220 MX\xC3\x89.Ex\0mple.COM. t\xff\x01\0x\r\n";
  struct outcome *o = parse(in, sizeof in - 1);
  ck_assert_int_eq(o->st, GREETING_DONE);
  static const char text[] = "MX\xC3\x89.Ex\0mple.COM. t\xff\x01\0x";
  text_is(o, text, sizeof text - 1);
  static const char host[] = "mx\xc3\x89.ex\0mple.com"; /* ASCII lowercased only */
  ck_assert_uint_eq(o->hostlen, sizeof host - 1);
  ck_assert(memcmp(o->host, host, sizeof host - 1) == 0);
}
END_TEST

START_TEST(malformed_ssh) {
  struct outcome *o = PARSE("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\nmore\r\n");
  ck_assert_int_eq(o->st, GREETING_MALFORMED);
  ck_assert_int_eq(o->code, 0);
  ck_assert_uint_eq(o->lines, 0);
  ck_assert_str_eq(o->host, "");
  TEXT_IS(o, "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"); /* shown raw in the report */

  o = PARSE("HTTP/1.1 400 Bad Request\r\n");
  ck_assert_int_eq(o->st, GREETING_MALFORMED);
  TEXT_IS(o, "HTTP/1.1 400 Bad Request");
}
END_TEST

START_TEST(malformed_short) {
  struct outcome *o = PARSE("22\r\n");
  ck_assert_int_eq(o->st, GREETING_MALFORMED);
  ck_assert_int_eq(o->code, 0);
  TEXT_IS(o, "22");

  o = PARSE("\r\n220 x\r\n"); /* an empty line */
  ck_assert_int_eq(o->st, GREETING_MALFORMED);
  TEXT_IS(o, "");
  ck_assert_uint_eq(o->bytes, 2);

  o = PARSE("220x.example.com\r\n"); /* no separator */
  ck_assert_int_eq(o->st, GREETING_MALFORMED);
  ck_assert_int_eq(o->code, 0);
  TEXT_IS(o, "220x.example.com");

  o = PARSE("2200 x\r\n");
  ck_assert_int_eq(o->st, GREETING_MALFORMED);

  o = PARSE("22a ok\r\n");
  ck_assert_int_eq(o->st, GREETING_MALFORMED);
  TEXT_IS(o, "22a ok");
}
END_TEST

START_TEST(malformed_mixed_codes) {
  struct outcome *o = PARSE("220-mx.example.com hi\r\n250 other\r\n");
  ck_assert_int_eq(o->st, GREETING_MALFORMED);
  ck_assert_int_eq(o->code, 0);
  ck_assert_str_eq(o->host, "mx.example.com");
  ck_assert_uint_eq(o->lines, 1);
  TEXT_IS(o, "mx.example.com hi | 250 other");

  o = PARSE("220-a\n221\n");
  ck_assert_int_eq(o->st, GREETING_MALFORMED);
  TEXT_IS(o, "a | 221");

  o = PARSE("220-a\n220-b\n2\n");
  ck_assert_int_eq(o->st, GREETING_MALFORMED);
  TEXT_IS(o, "a | b | 2");
  ck_assert_uint_eq(o->lines, 2);
}
END_TEST

/* A malformed line without a line end: its tail is capped like the rest. */
START_TEST(malformed_tail_capped) {
  static char buf[6000];
  memset(buf, 'Q', sizeof buf);
  struct outcome *o = parse(buf, sizeof buf);
  ck_assert_int_eq(o->st, GREETING_MALFORMED);
  ck_assert_uint_eq(o->bytes, GREETING_MAX_BYTES);
  ck_assert_uint_eq(o->textlen, GREETING_MAX_BYTES);
}
END_TEST

START_TEST(host_extraction) {
  struct outcome *o = PARSE("220 MAIL.Example.COM. ESMTP\r\n");
  ck_assert_str_eq(o->host, "mail.example.com");

  o = PARSE("220  \tSpaced.Example.ORG\tx\r\n");
  ck_assert_str_eq(o->host, "spaced.example.org");

  o = PARSE("220-First.example.org\r\n220 second.example.org\r\n");
  ck_assert_str_eq(o->host, "first.example.org");

  o = PARSE("220 \r\n");
  ck_assert_str_eq(o->host, "");
  ck_assert_int_eq(o->st, GREETING_DONE);

  o = PARSE("220 a..\r\n"); /* one trailing dot removed, not two */
  ck_assert_str_eq(o->host, "a.");

  o = PARSE("220 .\r\n");
  ck_assert_str_eq(o->host, "");

  o = PARSE("220 [192.0.2.1]\r\n");
  ck_assert_str_eq(o->host, "[192.0.2.1]");

  static char buf[400];
  memcpy(buf, "220 ", 4);
  memset(buf + 4, 'H', 300);
  memcpy(buf + 304, " x\r\n", 4);
  o = parse(buf, 308);
  ck_assert_uint_eq(o->hostlen, GREETING_HOST_MAX);
  for (size_t i = 0; i < o->hostlen; i++) ck_assert_int_eq(o->host[i], 'h');
  ck_assert_uint_eq(o->textlen, 302);
}
END_TEST

START_TEST(reinit_reuses) {
  greeting_free(&G);
  ck_assert_int_eq(greeting_feed(&G, "554 no\r\n", 8), GREETING_DONE);
  greeting_free(&G);
  ck_assert_int_eq(greeting_status(&G), GREETING_MORE);
  ck_assert_int_eq(greeting_code(&G), 0);
  ck_assert_str_eq(greeting_text(&G), "");
  ck_assert_str_eq(greeting_host(&G), "");
  ck_assert_int_eq(greeting_feed(&G, "220 b.example\n", 14), GREETING_DONE);
  ck_assert_int_eq(greeting_code(&G), 220);
  ck_assert_str_eq(greeting_host(&G), "b.example");
  greeting_free(&G);
}
END_TEST

START_TEST(scan_ehlo_reply) {
  struct greeting_scan s;
  static const char r[] = "250-MX.Example.NET Hello [192.0.2.1]\r\n250-PIPELINING\r\n"
                          "250-SIZE 10240000\r\n250 8BITMIME\r\n";
  greeting_scan_init(&s);
  int st = GREETING_MORE;
  for (size_t i = 0; i < sizeof r - 1; i++) st = greeting_scan_feed(&s, r + i, 1);
  ck_assert_int_eq(st, GREETING_DONE);
  ck_assert_int_eq(greeting_scan_status(&s), GREETING_DONE);
  ck_assert_int_eq(greeting_scan_code(&s), 250);
  ck_assert_str_eq(greeting_scan_host(&s), "mx.example.net");

  greeting_scan_init(&s);
  ck_assert_int_eq(greeting_scan_feed(&s, "500 5.5.1 what?\r\n", 17), GREETING_DONE);
  ck_assert_int_eq(greeting_scan_code(&s), 500);
  ck_assert_str_eq(greeting_scan_host(&s), "what?");

  greeting_scan_init(&s); /* unfinished: no code yet */
  ck_assert_int_eq(greeting_scan_feed(&s, "250-a.example\r\n", 15), GREETING_MORE);
  ck_assert_int_eq(greeting_scan_code(&s), 0);
  ck_assert_str_eq(greeting_scan_host(&s), "a.example");

  greeting_scan_init(&s);
  ck_assert_int_eq(greeting_scan_feed(&s, "hello\r\n", 7), GREETING_MALFORMED);
  ck_assert_int_eq(greeting_scan_code(&s), 0);
}
END_TEST


/* RFC 3463 enhanced status codes as real MTAs send them: skipped as a
 * whole word before the host is taken; anything else is a word. */
START_TEST(enhanced_code_skipped) {
  struct outcome *o = PARSE("554 5.7.1 mx.example.com Access denied\r\n");
  ck_assert_int_eq(o->code, 554);
  ck_assert_str_eq(o->host, "mx.example.com");
  TEXT_IS(o, "5.7.1 mx.example.com Access denied");

  o = PARSE("421 4.7.0 mx1.example.org Error: too many connections\r\n");
  ck_assert_int_eq(o->code, 421);
  ck_assert_str_eq(o->host, "mx1.example.org");

  o = PARSE("521 5.3.2 Service currently unavailable\r\n");
  ck_assert_str_eq(o->host, "service");

  o = PARSE("554-5.7.1\tRelay.Example.NET. blocked\r\n554 5.7.1 see url\r\n");
  ck_assert_str_eq(o->host, "relay.example.net"); /* tab, case, trailing dot */

  o = PARSE("554 5.7.1\r\n"); /* nothing but the enhanced code */
  ck_assert_int_eq(o->st, GREETING_DONE);
  ck_assert_str_eq(o->host, "");

  o = PARSE("421 4.999.999 x.example\r\n"); /* 1-3 digits each */
  ck_assert_str_eq(o->host, "x.example");

  /* only one, and only as the first word */
  o = PARSE("554 5.7.1 5.7.2 a\r\n");
  ck_assert_str_eq(o->host, "5.7.2");
  o = PARSE("220 mx.example.com 2.0.0 ready\r\n");
  ck_assert_str_eq(o->host, "mx.example.com");

  /* not enhanced codes: kept as the host word */
  o = PARSE("554 5.7.1000 x\r\n");
  ck_assert_str_eq(o->host, "5.7.1000");
  o = PARSE("554 55.7.1 x\r\n");
  ck_assert_str_eq(o->host, "55.7.1");
  o = PARSE("554 5.7.1. x\r\n"); /* a trailing dot: not a whole code */
  ck_assert_str_eq(o->host, "5.7.1");
  o = PARSE("554 5.7 x\r\n");
  ck_assert_str_eq(o->host, "5.7");
  o = PARSE("554 5.7.1x y\r\n");
  ck_assert_str_eq(o->host, "5.7.1x");
  o = PARSE("554 5..1 y\r\n");
  ck_assert_str_eq(o->host, "5..1");
  o = PARSE("220 1.2.3.4 y\r\n"); /* an address is a word */
  ck_assert_str_eq(o->host, "1.2.3.4");

  /* the code is skipped only once the word is complete */
  o = PARSE("554 5.7.1");
  ck_assert_int_eq(o->st, GREETING_MORE);
  ck_assert_str_eq(o->host, "5.7.1");
  o = PARSE("554 5.7.1 partial.exa");
  ck_assert_str_eq(o->host, "partial.exa");
}
END_TEST

/* First codes outside 200..599 are not SMTP (greeting.h: 1yz has no use
 * in SMTP, RFC 5321 4.2.1): malformed, no code, the line kept raw. */
START_TEST(code_range) {
  struct outcome *o = PARSE("099 x.example\r\n");
  ck_assert_int_eq(o->st, GREETING_MALFORMED);
  ck_assert_int_eq(o->code, 0);
  TEXT_IS(o, "099 x.example");
  ck_assert_str_eq(o->host, "");

  o = PARSE("199 x.example\r\n");
  ck_assert_int_eq(o->st, GREETING_MALFORMED);
  o = PARSE("199-x.example\r\n220 y\r\n");
  ck_assert_int_eq(o->st, GREETING_MALFORMED);
  ck_assert_uint_eq(o->bytes, 15);
  o = PARSE("600 x\r\n");
  ck_assert_int_eq(o->st, GREETING_MALFORMED);
  o = PARSE("999\r\n");
  ck_assert_int_eq(o->st, GREETING_MALFORMED);
  TEXT_IS(o, "999");
  o = PARSE("000 x\r\n");
  ck_assert_int_eq(o->st, GREETING_MALFORMED);

  o = PARSE("200 x.example\r\n"); /* the edges are SMTP */
  ck_assert_int_eq(o->st, GREETING_DONE);
  ck_assert_int_eq(o->code, 200);
  o = PARSE("599 x.example\r\n");
  ck_assert_int_eq(o->code, 599);
  o = PARSE("354 x.example\r\n"); /* 3yz: a valid class, kept */
  ck_assert_int_eq(o->code, 354);
}
END_TEST

/* The buffer comes with the first byte, and greeting_free gives it back. */
START_TEST(lazy_buffer) {
  struct greeting g;
  greeting_init(&g);
  ck_assert_uint_eq(greeting_heap_bytes(&g), 0);
  ck_assert_uint_le(sizeof g, 64);
  ck_assert_str_eq(greeting_text(&g), "");
  ck_assert_str_eq(greeting_host(&g), "");
  ck_assert_int_eq(greeting_feed(&g, "", 0), GREETING_MORE);
  ck_assert_uint_eq(greeting_heap_bytes(&g), 0);
  ck_assert_int_eq(greeting_feed(&g, "2", 1), GREETING_MORE);
  ck_assert_uint_ge(greeting_heap_bytes(&g), GREETING_TEXT_MAX + GREETING_HOST_MAX);
  ck_assert_int_eq(greeting_feed(&g, "20 a.example\r\n", 14), GREETING_DONE);
  ck_assert_str_eq(greeting_host(&g), "a.example");
  greeting_free(&g);
  ck_assert_uint_eq(greeting_heap_bytes(&g), 0);
  ck_assert_int_eq(greeting_code(&g), 0);
  ck_assert_str_eq(greeting_text(&g), "");
  greeting_free(&g); /* twice is fine */
}
END_TEST

Suite *greeting_suite(void) {
  Suite *s = suite_create("greeting");
  TCase *tc = tcase_create("parse");
  tcase_add_test(tc, single_line);
  tcase_add_test(tc, multi_line);
  tcase_add_test(tc, partial_is_more);
  tcase_add_test(tc, bare_lf);
  tcase_add_test(tc, lone_cr_is_a_byte);
  tcase_add_test(tc, code_554_and_421);
  tcase_add_test(tc, bare_code_lines);
  tcase_add_test(tc, after_final_ignored);
  tcase_add_test(tc, nul_and_high_bytes);
  tcase_add_test(tc, host_extraction);
  tcase_add_test(tc, reinit_reuses);
  tcase_add_test(tc, scan_ehlo_reply);
  tcase_add_test(tc, enhanced_code_skipped);
  tcase_add_test(tc, code_range);
  tcase_add_test(tc, lazy_buffer);
  suite_add_tcase(s, tc);

  tc = tcase_create("caps");
  tcase_add_test(tc, too_many_lines);
  tcase_add_test(tc, line_cap_edge);
  tcase_add_test(tc, long_line);
  tcase_add_test(tc, byte_cap_edge);
  suite_add_tcase(s, tc);

  tc = tcase_create("malformed");
  tcase_add_test(tc, malformed_ssh);
  tcase_add_test(tc, malformed_short);
  tcase_add_test(tc, malformed_mixed_codes);
  tcase_add_test(tc, malformed_tail_capped);
  suite_add_tcase(s, tc);
  return s;
}
