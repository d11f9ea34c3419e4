/* SPDX-License-Identifier: MIT */
/*
 * check_target.c - TARGET parsing: the accepted forms, spans and counts, the
 * size limits with and without TARGET_ALLOW_HUGE, and every bad TARGET form
 * (README "Targets") with the exact message.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "target.h"

#define P2(k) ((unsigned __int128)1 << (k))

/* Parse `s`; must succeed with the given first/last text and count. */
static void good(const char *s, unsigned flags, const char *first, const char *last,
                 unsigned __int128 count) {
  struct span sp;
  char err[TARGET_ERRLEN], a[ADDR_STRLEN];
  int r = target_parse(s, strlen(s), &sp, flags, err, sizeof err);
  ck_assert_msg(r == 0, "'%s' refused: %s", s, err);
  addr_format(&sp.first, a);
  ck_assert_str_eq(a, first);
  addr_format(&sp.last, a);
  ck_assert_str_eq(a, last);
  ck_assert_int_eq(sp.first.family, sp.last.family);
  ck_assert_msg(span_count(&sp) == count, "'%s': wrong count", s);
}

/* Parse `s` (len bytes); must fail with exactly the message `want`. */
static void bad_n(const char *s, size_t len, unsigned flags, const char *want) {
  struct span sp;
  char err[TARGET_ERRLEN];
  ck_assert_int_eq(target_parse(s, len, &sp, flags, err, sizeof err), UV_EINVAL);
  ck_assert_str_eq(err, want);
}

static void bad(const char *s, const char *want) { bad_n(s, strlen(s), 0, want); }

/* ---- good forms ---- */

START_TEST(test_single) {
  good("192.0.2.7", 0, "192.0.2.7", "192.0.2.7", 1);
  good("0.0.0.0", 0, "0.0.0.0", "0.0.0.0", 1);
  good("255.255.255.255", 0, "255.255.255.255", "255.255.255.255", 1);
  good("2001:db8::7", 0, "2001:db8::7", "2001:db8::7", 1);
  good("2001:DB8:0:0:0:0:0:7", 0, "2001:db8::7", "2001:db8::7", 1);
  good("::1", 0, "::1", "::1", 1);
  good("::", 0, "::", "::", 1);
  good("::ffff:192.0.2.1", 0, "::ffff:192.0.2.1", "::ffff:192.0.2.1", 1);
}
END_TEST

START_TEST(test_single_v4_mapped_is_v6) {
  struct span sp;
  ck_assert_int_eq(target_parse("::ffff:192.0.2.1", 16, &sp, 0, NULL, 0), 0);
  ck_assert_int_eq(sp.first.family, 6);
}
END_TEST

START_TEST(test_cidr) {
  good("192.0.2.0/24", 0, "192.0.2.0", "192.0.2.255", 256);
  good("192.0.2.128/25", 0, "192.0.2.128", "192.0.2.255", 128);
  good("192.0.2.4/30", 0, "192.0.2.4", "192.0.2.7", 4);
  good("192.0.2.7/32", 0, "192.0.2.7", "192.0.2.7", 1);
  good("198.18.0.0/15", 0, "198.18.0.0", "198.19.255.255", 131072);
  good("10.0.0.0/8", 0, "10.0.0.0", "10.255.255.255", 16777216); /* the default limit */
  good("2001:db8::/120", 0, "2001:db8::", "2001:db8::ff", 256);
  good("2001:db8::7/128", 0, "2001:db8::7", "2001:db8::7", 1);
  good("2001:db8::/96", 0, "2001:db8::", "2001:db8::ffff:ffff", P2(32));
  good("2001:db8:0:1::/64", TARGET_ALLOW_HUGE, "2001:db8:0:1::",
       "2001:db8:0:1:ffff:ffff:ffff:ffff", P2(64));
  good("::ffff:192.0.2.0/120", 0, "::ffff:192.0.2.0", "::ffff:192.0.2.255", 256);
}
END_TEST

START_TEST(test_cidr_v6_nth) {
  struct span sp;
  struct addr a;
  char buf[ADDR_STRLEN];
  ck_assert_int_eq(target_parse("2001:db8::/120", 14, &sp, 0, NULL, 0), 0);
  span_nth(&sp, 0, &a);
  addr_format(&a, buf);
  ck_assert_str_eq(buf, "2001:db8::");
  span_nth(&sp, 171, &a);
  addr_format(&a, buf);
  ck_assert_str_eq(buf, "2001:db8::ab");
  span_nth(&sp, 255, &a);
  addr_format(&a, buf);
  ck_assert_str_eq(buf, "2001:db8::ff");
}
END_TEST

START_TEST(test_range_across_octets) {
  struct span sp;
  struct addr a;
  char buf[ADDR_STRLEN];
  const char *s = "192.0.2.250-192.0.3.5";

  good(s, 0, "192.0.2.250", "192.0.3.5", 12);
  ck_assert_int_eq(target_parse(s, strlen(s), &sp, 0, NULL, 0), 0);
  span_nth(&sp, 0, &a);
  addr_format(&a, buf);
  ck_assert_str_eq(buf, "192.0.2.250");
  span_nth(&sp, 5, &a);
  addr_format(&a, buf);
  ck_assert_str_eq(buf, "192.0.2.255");
  span_nth(&sp, 6, &a);
  addr_format(&a, buf);
  ck_assert_str_eq(buf, "192.0.3.0");
  span_nth(&sp, 11, &a);
  addr_format(&a, buf);
  ck_assert_str_eq(buf, "192.0.3.5");
  ck_assert_int_eq(a.family, 4);
}
END_TEST

START_TEST(test_range_more) {
  good("192.0.2.10-192.0.2.50", 0, "192.0.2.10", "192.0.2.50", 41);
  good("192.0.2.5-192.0.2.5", 0, "192.0.2.5", "192.0.2.5", 1);
  good("9.255.255.254-10.0.0.1", 0, "9.255.255.254", "10.0.0.1", 4);
  good("2001:db8::1-2001:db8::ff", 0, "2001:db8::1", "2001:db8::ff", 255);
  good("2001:db8::ffff-2001:db8::1:1", 0, "2001:db8::ffff", "2001:db8::1:1", 3);
  /* Exactly 2^24 addresses is within the default limit. */
  good("1.0.0.0-1.255.255.255", 0, "1.0.0.0", "1.255.255.255", P2(24));
}
END_TEST

START_TEST(test_span_nth_v6_carry) {
  struct span sp;
  struct addr a;
  char buf[ADDR_STRLEN];
  const char *s = "2001:db8::ffff:ffff:fffe-2001:db8::1:0:0:1";
  ck_assert_int_eq(target_parse(s, strlen(s), &sp, 0, NULL, 0), 0);
  ck_assert(span_count(&sp) == 4);
  span_nth(&sp, 2, &a);
  addr_format(&a, buf);
  ck_assert_str_eq(buf, "2001:db8:0:0:1::");
}
END_TEST

START_TEST(test_span_contains) {
  struct span sp;
  struct addr a;
  ck_assert_int_eq(target_parse("192.0.2.0/24", 12, &sp, 0, NULL, 0), 0);
  ck_assert_int_eq(addr_parse(&a, "192.0.2.77", 10), 0);
  ck_assert(span_contains(&sp, &a));
  ck_assert_int_eq(addr_parse(&a, "192.0.3.0", 9), 0);
  ck_assert(!span_contains(&sp, &a));
  ck_assert_int_eq(addr_parse(&a, "::ffff:192.0.2.77", 17), 0);
  ck_assert(!span_contains(&sp, &a));
}
END_TEST

/* ---- size limits ---- */

START_TEST(test_huge_v4) {
  struct span sp;
  struct addr a;
  char buf[ADDR_STRLEN];

  bad("0.0.0.0/0",
      "'0.0.0.0/0' is 4294967296 addresses, more than the limit of 16777216 (a /8); "
      "add --allow-huge to scan it");
  bad("10.0.0.0/7",
      "'10.0.0.0/7' is 33554432 addresses, more than the limit of 16777216 (a /8); "
      "add --allow-huge to scan it");
  bad("1.0.0.0-2.0.0.0",
      "'1.0.0.0-2.0.0.0' is 16777217 addresses, more than the limit of 16777216 (a /8); "
      "add --allow-huge to scan it");

  good("0.0.0.0/0", TARGET_ALLOW_HUGE, "0.0.0.0", "255.255.255.255", P2(32));
  good("10.0.0.0/7", TARGET_ALLOW_HUGE, "10.0.0.0", "11.255.255.255", P2(25));
  good("0.0.0.0-255.255.255.255", TARGET_ALLOW_HUGE, "0.0.0.0", "255.255.255.255", P2(32));

  ck_assert_int_eq(target_parse("0.0.0.0/0", 9, &sp, TARGET_ALLOW_HUGE, NULL, 0), 0);
  span_nth(&sp, P2(32) - 1, &a);
  addr_format(&a, buf);
  ck_assert_str_eq(buf, "255.255.255.255");
}
END_TEST

START_TEST(test_huge_v6) {
  bad("2001:db8::/95",
      "'2001:db8::/95' is 8589934592 addresses, more than the limit of 4294967296 (a /96); "
      "add --allow-huge to allow up to 2^64 (a /64)");
  bad("2001:db8::/64",
      "'2001:db8::/64' is 18446744073709551616 addresses, more than the limit of "
      "4294967296 (a /96); add --allow-huge to allow up to 2^64 (a /64)");
  bad_n("2001:db8::/63", 13, TARGET_ALLOW_HUGE,
        "'2001:db8::/63' is 2^65 addresses, more than can be enumerated "
        "(at most 2^64, a /64, even with --allow-huge)");
  bad("::/0",
      "'::/0' is 2^128 addresses, more than can be enumerated "
      "(at most 2^64, a /64, even with --allow-huge)");
  bad_n("::/0", 4, TARGET_ALLOW_HUGE,
        "'::/0' is 2^128 addresses, more than can be enumerated "
        "(at most 2^64, a /64, even with --allow-huge)");
  bad("2001:db8::/32",
      "'2001:db8::/32' is 2^96 addresses, more than can be enumerated "
      "(at most 2^64, a /64, even with --allow-huge)");
  bad("::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
      "'::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' is 2^128 addresses, more than can be "
      "enumerated (at most 2^64, a /64, even with --allow-huge)");
  bad("2001:db8::-2001:db8::1:0:1",
      "'2001:db8::-2001:db8::1:0:1' is 4294967298 addresses, more than the limit of "
      "4294967296 (a /96); add --allow-huge to allow up to 2^64 (a /64)");
  bad_n("2001:db8::-2001:db8:0:1::", 25, TARGET_ALLOW_HUGE,
        "'2001:db8::-2001:db8:0:1::' is more than 2^64 addresses, more than can be "
        "enumerated (at most 2^64, a /64, even with --allow-huge)");

  good("2001:db8::/95", TARGET_ALLOW_HUGE, "2001:db8::", "2001:db8::1:ffff:ffff", P2(33));
  good("2001:db8::-2001:db8::ffff:ffff:ffff:ffff", TARGET_ALLOW_HUGE, "2001:db8::",
       "2001:db8::ffff:ffff:ffff:ffff", P2(64));
}
END_TEST

START_TEST(test_span_count_saturates) {
  struct span sp;
  ck_assert_int_eq(addr_parse(&sp.first, "::", 2), 0);
  ck_assert_int_eq(addr_parse(&sp.last, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 39), 0);
  ck_assert(span_count(&sp) == ~(unsigned __int128)0);
}
END_TEST

/* ---- bad input: a clear message naming the argument, never a guess ---- */

START_TEST(test_bad_prefix_length) {
  bad("10.0.0.0/33", "prefix length 33 out of range for IPv4 (0-32)");
  bad("2001:db8::/129", "prefix length 129 out of range for IPv6 (0-128)");
  bad("10.0.0.0/1000", "prefix length '1000' out of range for IPv4 (0-32)");
  bad("10.0.0.0/", "missing prefix length after '/' in '10.0.0.0/'");
  bad("10.0.0.0/08", "prefix length '08' has a leading zero in '10.0.0.0/08'");
  bad("10.0.0.0/8/8", "more than one '/' in '10.0.0.0/8/8'");
  bad("10.0.0.0/:8", "prefix length ':8' is not a decimal number in '10.0.0.0/:8'");
  bad("/24", "missing address in CIDR block in '/24'");
  bad("300.0.0.0/8",
      "invalid IPv4 address '300.0.0.0' in CIDR block: octet '300' is greater than 255");
}
END_TEST

START_TEST(test_bad_v4) {
  bad("300.1.1.1", "invalid IPv4 address '300.1.1.1': octet '300' is greater than 255");
  bad("1.2.3.1000", "invalid IPv4 address '1.2.3.1000': octet '1000' is greater than 255");
  bad("010.0.0.1",
      "invalid IPv4 address '010.0.0.1': octet '010' has a leading zero "
      "(octal is ambiguous, write it in plain decimal)");
  bad("0x7f.0.0.1",
      "invalid IPv4 address '0x7f.0.0.1': hexadecimal octets are not accepted");
  bad("127.0.0.0x1",
      "invalid IPv4 address '127.0.0.0x1': hexadecimal octets are not accepted");
  bad("127.1",
      "invalid IPv4 address '127.1': need four decimal octets "
      "(a.b.c.d; short forms like 127.1 are not accepted)");
  bad("2130706433",
      "invalid IPv4 address '2130706433': need four decimal octets "
      "(a.b.c.d; short forms like 127.1 are not accepted)");
  bad("1..2.3", "invalid IPv4 address '1..2.3': empty octet");
}
END_TEST

START_TEST(test_bad_v6) {
  bad("fe80::1%eth0",
      "invalid IPv6 address 'fe80::1%eth0': zone index (%...) is not accepted");
  bad("1::2::3", "invalid IPv6 address '1::2::3': '::' may appear only once");
  bad("12345::1", "invalid IPv6 address '12345::1': a group has more than 4 hex digits");
  bad("1:2:3:4:5:6:7:8:9", "invalid IPv6 address '1:2:3:4:5:6:7:8:9'");
  bad("::ffff:010.0.0.1", "invalid IPv6 address '::ffff:010.0.0.1'");
}
END_TEST

START_TEST(test_bad_trailing_and_space) {
  bad("1.2.3.4 junk", "trailing text after address in '1.2.3.4 junk'");
  bad("1.2.3.4 ", "trailing whitespace after address in '1.2.3.4 '");
  bad("1.2.3.4\r", "trailing whitespace after address in '1.2.3.4\\x0d'");
  bad("192.0.2.0/24 # office", "trailing text after CIDR block in '192.0.2.0/24 # office'");
  bad("192.0.2.1-192.0.2.9,", "trailing text after range in '192.0.2.1-192.0.2.9,'");
  bad("1.2.3.4;", "trailing text after address in '1.2.3.4;'");
  bad(" 1.2.3.4", "leading whitespace in target ' 1.2.3.4'");
  bad("\t1.2.3.4", "leading whitespace in target '\\x091.2.3.4'");
  bad_n("1.2.3.4\0", 8, 0, "trailing text after address in '1.2.3.4\\x00'");
  bad("", "empty target");
  bad_n(NULL, 0, 0, "empty target");
}
END_TEST

START_TEST(test_bad_range) {
  bad("192.0.2.9-192.0.2.1", "range end 192.0.2.1 is before start 192.0.2.9");
  bad("2001:db8::10-2001:db8::f", "range end 2001:db8::f is before start 2001:db8::10");
  bad("192.0.2.1-2001:db8::1", "range mixes IPv4 and IPv6: '192.0.2.1-2001:db8::1'");
  bad("1.2.3.4-1.2.3.5-1.2.3.6", "more than one '-' in range '1.2.3.4-1.2.3.5-1.2.3.6'");
  bad("-1.2.3.4", "missing address at the start of the range in '-1.2.3.4'");
  bad("1.2.3.4-", "missing address at the end of the range in '1.2.3.4-'");
  bad("10.0.0.0/24-10.0.1.0",
      "a target is an address, a CIDR block or a range, not a mix: '10.0.0.0/24-10.0.1.0'");
  bad("1.2.3.4-1.2.3.256",
      "invalid IPv4 address '1.2.3.256' at the end of the range: "
      "octet '256' is greater than 255");
}
END_TEST

START_TEST(test_bad_host_bits) {
  bad("10.0.0.1/8", "host bits set in 10.0.0.1/8 (did you mean 10.0.0.0/8?)");
  bad("192.0.2.1/24", "host bits set in 192.0.2.1/24 (did you mean 192.0.2.0/24?)");
  bad("2001:db8::1/120", "host bits set in 2001:db8::1/120 (did you mean 2001:db8::/120?)");
  bad("2001:DB8:0:0::0100/112",
      "host bits set in 2001:db8::100/112 (did you mean 2001:db8::/112?)");
  /* Host bits are checked before size: the user's first mistake first. */
  bad("1.2.3.4/0", "host bits set in 1.2.3.4/0 (did you mean 0.0.0.0/0?)");
}
END_TEST

START_TEST(test_bad_hostname) {
  bad("example.com", "not an IP address, CIDR block or range: 'example.com'");
  bad("mail-1.example.net", "not an IP address, CIDR block or range: 'mail-1.example.net'");
  bad("localhost", "not an IP address, CIDR block or range: 'localhost'");
  bad("cafe.be", "not an IP address, CIDR block or range: 'cafe.be'"); /* all hex letters */
  bad("dead-beef", "not an IP address, CIDR block or range: 'dead-beef'");
  bad("[::1]", "not an IP address, CIDR block or range: '[::1]'");
  bad("\x01\xff", "not an IP address, CIDR block or range: '\\x01\\xff'");
  bad("back\\slash", "not an IP address, CIDR block or range: 'back\\\\slash'");
}
END_TEST

START_TEST(test_bad_quote_truncated) {
  char name[81];
  memset(name, 'z', 80);
  name[80] = '\0';
  /* 80 bytes fit TARGET_TEXT_MAX; the quote stops at 60. */
  bad(name,
      "not an IP address, CIDR block or range: "
      "'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz'...");
}
END_TEST

START_TEST(test_bad_overlong_line) {
  size_t len = 1024 * 1024;
  char *line = malloc(len);
  char err[TARGET_ERRLEN];
  struct span sp;
  size_t i;

  ck_assert_ptr_nonnull(line);
  for (i = 0; i < len; i++)
    line[i] = "1.2.3.4 "[i % 8];
  ck_assert_int_eq(target_parse(line, len, &sp, TARGET_ALLOW_HUGE, err, sizeof err),
                   UV_EINVAL);
  ck_assert_str_eq(err,
                   "target too long (1048576 bytes, at most 91): "
                   "'1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.'...");
  ck_assert_uint_lt(strlen(err), 200);
  free(line);
}
END_TEST

START_TEST(test_err_buffer_small_or_absent) {
  struct span sp;
  char err[8];
  memset(err, 'X', sizeof err);
  ck_assert_int_eq(target_parse("10.0.0.0/33", 11, &sp, 0, err, sizeof err), UV_EINVAL);
  ck_assert_str_eq(err, "prefix ");
  ck_assert_int_eq(target_parse("10.0.0.0/33", 11, &sp, 0, NULL, 0), UV_EINVAL);
  /* Success clears the buffer. */
  ck_assert_int_eq(target_parse("10.0.0.0/8", 10, &sp, 0, err, sizeof err), 0);
  ck_assert_str_eq(err, "");
}
END_TEST

Suite *target_suite(void);

Suite *target_suite(void) {
  Suite *s = suite_create("target");
  TCase *tc = tcase_create("good");
  tcase_add_test(tc, test_single);
  tcase_add_test(tc, test_single_v4_mapped_is_v6);
  tcase_add_test(tc, test_cidr);
  tcase_add_test(tc, test_cidr_v6_nth);
  tcase_add_test(tc, test_range_across_octets);
  tcase_add_test(tc, test_range_more);
  tcase_add_test(tc, test_span_nth_v6_carry);
  tcase_add_test(tc, test_span_contains);
  suite_add_tcase(s, tc);

  tc = tcase_create("limits");
  tcase_add_test(tc, test_huge_v4);
  tcase_add_test(tc, test_huge_v6);
  tcase_add_test(tc, test_span_count_saturates);
  suite_add_tcase(s, tc);

  tc = tcase_create("bad");
  tcase_add_test(tc, test_bad_prefix_length);
  tcase_add_test(tc, test_bad_v4);
  tcase_add_test(tc, test_bad_v6);
  tcase_add_test(tc, test_bad_trailing_and_space);
  tcase_add_test(tc, test_bad_range);
  tcase_add_test(tc, test_bad_host_bits);
  tcase_add_test(tc, test_bad_hostname);
  tcase_add_test(tc, test_bad_quote_truncated);
  tcase_add_test(tc, test_bad_overlong_line);
  tcase_add_test(tc, test_err_buffer_small_or_absent);
  suite_add_tcase(s, tc);
  return s;
}
