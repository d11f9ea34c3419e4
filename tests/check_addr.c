/* SPDX-License-Identifier: MIT */
/*
 * check_addr.c - addr_parse / addr_format / addr_reverse_name / ordering
 * and integer conversion, against hand-written expectations.
 */
#include <check.h>
#include <string.h>
#include <uv.h>

#include "addr.h"

static int parse(struct addr *a, const char *s) {
  return addr_parse(a, s, strlen(s));
}

/* Parse `in`, then format: must give `want`. */
static void roundtrip(const char *in, const char *want) {
  struct addr a;
  char buf[ADDR_STRLEN];
  size_t n;
  ck_assert_msg(parse(&a, in) == 0, "parse of '%s' failed", in);
  n = addr_format(&a, buf);
  ck_assert_str_eq(buf, want);
  ck_assert_uint_eq(n, strlen(want));
}

START_TEST(test_parse_v4_good) {
  struct addr a;
  static const uint8_t zero[12] = {0};

  memset(&a, 0xaa, sizeof a);
  ck_assert_int_eq(parse(&a, "192.0.2.1"), 0);
  ck_assert_int_eq(a.family, 4);
  ck_assert_uint_eq(a.b[0], 192);
  ck_assert_uint_eq(a.b[1], 0);
  ck_assert_uint_eq(a.b[2], 2);
  ck_assert_uint_eq(a.b[3], 1);
  /* Bytes 4..15 are zero (the header promises it). */
  ck_assert_mem_eq(a.b + 4, zero, 12);

  ck_assert_int_eq(parse(&a, "0.0.0.0"), 0);
  ck_assert_uint_eq(a.b[0] | a.b[1] | a.b[2] | a.b[3], 0);
  ck_assert_int_eq(parse(&a, "255.255.255.255"), 0);
  ck_assert_uint_eq(a.b[0] & a.b[1] & a.b[2] & a.b[3], 255);
  ck_assert_int_eq(parse(&a, "10.0.0.0"), 0);
  ck_assert_int_eq(parse(&a, "100.64.0.1"), 0);
}
END_TEST

START_TEST(test_parse_v4_bad) {
  static const char *const bad[] = {
    "010.0.0.1",   /* leading zero (octal in inet_aton) */
    "10.0.0.01",
    "0x7f.0.0.1",  /* hex */
    "0x7f000001",
    "127.1",       /* short forms */
    "127.0.1",
    "2130706433",  /* a bare 32-bit number */
    "1.2.3.4.5",
    "256.1.1.1",
    "300.1.1.1",
    "1.2.3.256",
    "1..2.3",
    "1.2.3.",
    ".1.2.3",
    "-1.2.3.4",
    "+1.2.3.4",
    " 1.2.3.4",
    "1.2.3.4 ",
    "1.2.3.4\n",
    "1.2.3.4/32",
    "1.2.3.4:25",
    "a.b.c.d",
    "localhost",
    "",
  };
  struct addr a;
  size_t i;
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(parse(&a, bad[i]) == UV_EINVAL, "'%s' was accepted", bad[i]);
}
END_TEST

START_TEST(test_parse_not_nul_terminated) {
  struct addr a, b;
  /* Only the first len bytes count: what follows is not looked at. */
  ck_assert_int_eq(addr_parse(&a, "192.0.2.1xyz", 9), 0);
  ck_assert_int_eq(parse(&b, "192.0.2.1"), 0);
  ck_assert(addr_equal(&a, &b));
  ck_assert_int_eq(addr_parse(&a, "2001:db8::1-2001:db8::2", 11), 0);
  ck_assert_int_eq(parse(&b, "2001:db8::1"), 0);
  ck_assert(addr_equal(&a, &b));
  /* An embedded NUL is not the end of the text. */
  ck_assert_int_eq(addr_parse(&a, "1.2.3.4\0junk", 12), UV_EINVAL);
  ck_assert_int_eq(addr_parse(&a, "1.2.3.4\0", 8), UV_EINVAL);
  ck_assert_int_eq(addr_parse(&a, "1.2.3.4", 0), UV_EINVAL);
  ck_assert_int_eq(addr_parse(&a, NULL, 0), UV_EINVAL);
}
END_TEST

START_TEST(test_parse_length_cap) {
  struct addr a;
  /* 45 characters: the longest valid text. */
  const char *longest = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
  char buf[200];
  ck_assert_uint_eq(strlen(longest), 45);
  ck_assert_int_eq(parse(&a, longest), 0);
  ck_assert_int_eq(a.family, 6);
  ck_assert_uint_eq(a.b[0], 0xff);
  ck_assert_uint_eq(a.b[15], 0xff);
  /* One more byte, even a harmless leading zero, is refused by length. */
  ck_assert_int_eq(parse(&a, "0ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"), UV_EINVAL);
  /* A very long buffer is not copied anywhere. */
  memset(buf, '1', sizeof buf);
  ck_assert_int_eq(addr_parse(&a, buf, sizeof buf), UV_EINVAL);
}
END_TEST

START_TEST(test_parse_v6_good) {
  struct addr a;
  static const uint8_t loop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static const uint8_t doc[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                  0,    0,    0,    0,    0, 0, 0, 0x0a};
  static const uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
  static const uint8_t full[16] = {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8};

  ck_assert_int_eq(parse(&a, "::1"), 0);
  ck_assert_int_eq(a.family, 6);
  ck_assert_mem_eq(a.b, loop, 16);

  ck_assert_int_eq(parse(&a, "2001:db8::a"), 0);
  ck_assert_mem_eq(a.b, doc, 16);
  ck_assert_int_eq(parse(&a, "2001:DB8::A"), 0);
  ck_assert_mem_eq(a.b, doc, 16);
  ck_assert_int_eq(parse(&a, "2001:0db8:0000:0000:0000:0000:0000:000a"), 0);
  ck_assert_mem_eq(a.b, doc, 16);
  ck_assert_int_eq(parse(&a, "2001:db8:0:0:0:0:0:a"), 0);
  ck_assert_mem_eq(a.b, doc, 16);

  ck_assert_int_eq(parse(&a, "::ffff:192.0.2.1"), 0);
  ck_assert_int_eq(a.family, 6); /* v4-mapped stays IPv6 */
  ck_assert_mem_eq(a.b, mapped, 16);
  ck_assert_int_eq(parse(&a, "::ffff:c000:201"), 0);
  ck_assert_mem_eq(a.b, mapped, 16);

  ck_assert_int_eq(parse(&a, "1:2:3:4:5:6:7:8"), 0);
  ck_assert_mem_eq(a.b, full, 16);

  ck_assert_int_eq(parse(&a, "::"), 0);
  ck_assert_int_eq(parse(&a, "1::"), 0);
  ck_assert_int_eq(parse(&a, "fe80::1"), 0);
  ck_assert_int_eq(parse(&a, "1:2:3:4:5:6:7::"), 0);
}
END_TEST

START_TEST(test_parse_v6_bad) {
  static const char *const bad[] = {
    "fe80::1%eth0", /* zone index */
    "fe80::1%1",
    "1::2::3",      /* two "::" */
    ":::",
    "12345::",      /* group too long */
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7",
    ":1:2:3:4:5:6:7",
    "g::1",
    "[::1]",
    "::ffff:010.0.0.1", /* the embedded IPv4 part is strict too */
    "::ffff:127.1",
    "::1 ",
    " ::1",
    "::1/128",
  };
  struct addr a;
  size_t i;
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(parse(&a, bad[i]) == UV_EINVAL, "'%s' was accepted", bad[i]);
}
END_TEST

START_TEST(test_parse_failure_leaves_output) {
  struct addr a, before;
  ck_assert_int_eq(parse(&a, "192.0.2.1"), 0);
  before = a;
  ck_assert_int_eq(parse(&a, "192.0.2.300"), UV_EINVAL);
  ck_assert_mem_eq(&a, &before, sizeof a);
}
END_TEST

START_TEST(test_format_v4) {
  roundtrip("192.0.2.1", "192.0.2.1");
  roundtrip("0.0.0.0", "0.0.0.0");
  roundtrip("255.255.255.255", "255.255.255.255");
  roundtrip("10.100.0.9", "10.100.0.9");
}
END_TEST

START_TEST(test_format_v6_rfc5952) {
  roundtrip("::", "::");
  roundtrip("::1", "::1");
  roundtrip("1::", "1::");
  roundtrip("2001:DB8::A", "2001:db8::a");                         /* 4.3 lowercase */
  roundtrip("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"); /* 4.1 */
  roundtrip("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");          /* 4.2.3 tie: first */
  roundtrip("1:0:0:2:0:0:0:3", "1:0:0:2::3");                      /* 4.2.3 longest */
  roundtrip("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");       /* 4.2.2 one zero */
  roundtrip("0:0:1:0:0:0:0:0", "0:0:1::");
  roundtrip("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8");
  roundtrip("fe80:0:0:0:0:0:0:1", "fe80::1");
  roundtrip("2001:db8::ff00:42:8329", "2001:db8::ff00:42:8329");
  /* Section 5: IPv4-mapped addresses in mixed notation ... */
  roundtrip("::ffff:192.0.2.1", "::ffff:192.0.2.1");
  roundtrip("::ffff:c000:201", "::ffff:192.0.2.1");
  roundtrip("::ffff:0.0.0.0", "::ffff:0.0.0.0");
  /* ... but not the deprecated IPv4-compatible form (glibc would print
   * "::1.2.3.4" here). */
  roundtrip("::1.2.3.4", "::102:304");
  roundtrip("64:ff9b::192.0.2.33", "64:ff9b::c000:221");
}
END_TEST

START_TEST(test_format_longest) {
  struct addr a;
  char buf[ADDR_STRLEN];
  ck_assert_int_eq(parse(&a, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 0);
  ck_assert_uint_eq(addr_format(&a, buf), 39);
  ck_assert_str_eq(buf, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  ck_assert_int_eq(parse(&a, "::ffff:255.255.255.255"), 0);
  ck_assert_uint_eq(addr_format(&a, buf), 22);
  ck_assert_str_eq(buf, "::ffff:255.255.255.255");
}
END_TEST

START_TEST(test_reverse_v4) {
  struct addr a;
  char buf[ADDR_REVLEN];
  ck_assert_int_eq(parse(&a, "192.0.2.1"), 0);
  ck_assert_uint_eq(addr_reverse_name(&a, buf), 22);
  ck_assert_str_eq(buf, "1.2.0.192.in-addr.arpa");
  ck_assert_int_eq(parse(&a, "10.20.30.40"), 0);
  addr_reverse_name(&a, buf);
  ck_assert_str_eq(buf, "40.30.20.10.in-addr.arpa");
  ck_assert_int_eq(parse(&a, "255.255.255.255"), 0);
  addr_reverse_name(&a, buf);
  ck_assert_str_eq(buf, "255.255.255.255.in-addr.arpa");
  ck_assert_int_eq(parse(&a, "0.0.0.0"), 0);
  addr_reverse_name(&a, buf);
  ck_assert_str_eq(buf, "0.0.0.0.in-addr.arpa");
}
END_TEST

START_TEST(test_reverse_v6) {
  struct addr a;
  char buf[ADDR_REVLEN];
  /* The example of RFC 3596 section 2.5, lowercased, without the root dot. */
  ck_assert_int_eq(parse(&a, "4321:0:1:2:3:4:567:89ab"), 0);
  ck_assert_uint_eq(addr_reverse_name(&a, buf), 72);
  ck_assert_str_eq(buf, "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa");
  ck_assert_int_eq(parse(&a, "2001:db8::1"), 0);
  addr_reverse_name(&a, buf);
  ck_assert_str_eq(buf, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  ck_assert_int_eq(parse(&a, "::ffff:192.0.2.1"), 0);
  addr_reverse_name(&a, buf);
  ck_assert_str_eq(buf, "1.0.2.0.0.0.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa");
  ck_assert_int_eq(parse(&a, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 0);
  ck_assert_uint_eq(addr_reverse_name(&a, buf), 72);
  ck_assert_uint_eq(strlen(buf), 72);
  ck_assert_str_eq(buf, "f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.f.ip6.arpa");
}
END_TEST

START_TEST(test_cmp) {
  struct addr a, b;
  ck_assert_int_eq(parse(&a, "192.0.2.9"), 0);
  ck_assert_int_eq(parse(&b, "192.0.2.10"), 0);
  ck_assert_int_lt(addr_cmp(&a, &b), 0);
  ck_assert_int_gt(addr_cmp(&b, &a), 0);
  ck_assert(!addr_equal(&a, &b));

  ck_assert_int_eq(parse(&a, "9.255.255.255"), 0);
  ck_assert_int_eq(parse(&b, "10.0.0.0"), 0);
  ck_assert_int_lt(addr_cmp(&a, &b), 0);

  /* Every IPv4 address sorts before every IPv6 address. */
  ck_assert_int_eq(parse(&a, "255.255.255.255"), 0);
  ck_assert_int_eq(parse(&b, "::"), 0);
  ck_assert_int_lt(addr_cmp(&a, &b), 0);
  ck_assert_int_gt(addr_cmp(&b, &a), 0);
  /* ::ffff:1.2.3.4 is not 1.2.3.4. */
  ck_assert_int_eq(parse(&a, "1.2.3.4"), 0);
  ck_assert_int_eq(parse(&b, "::ffff:1.2.3.4"), 0);
  ck_assert(!addr_equal(&a, &b));

  ck_assert_int_eq(parse(&a, "2001:db8::1"), 0);
  ck_assert_int_eq(parse(&b, "2001:0DB8:0:0::0001"), 0);
  ck_assert_int_eq(addr_cmp(&a, &b), 0);
  ck_assert(addr_equal(&a, &b));
  ck_assert_int_eq(parse(&b, "2001:db8::1:0"), 0);
  ck_assert_int_lt(addr_cmp(&a, &b), 0);
}
END_TEST

START_TEST(test_u128) {
  struct addr a, b;
  unsigned __int128 v;

  ck_assert_int_eq(parse(&a, "192.0.2.1"), 0);
  v = addr_to_u128(&a);
  ck_assert(v == 0xc0000201u);
  addr_from_u128(&b, 4, 0xc0000201u);
  ck_assert(addr_equal(&a, &b));
  ck_assert_mem_eq(&a, &b, sizeof a); /* zero tail bytes too */

  addr_from_u128(&b, 4, 0xffffffffu);
  ck_assert_int_eq(parse(&a, "255.255.255.255"), 0);
  ck_assert(addr_equal(&a, &b));

  ck_assert_int_eq(parse(&a, "::1"), 0);
  ck_assert(addr_to_u128(&a) == 1);
  ck_assert_int_eq(parse(&a, "2001:db8::1"), 0);
  v = (unsigned __int128)0x20010db8u << 96 | 1;
  ck_assert(addr_to_u128(&a) == v);
  addr_from_u128(&b, 6, v);
  ck_assert_int_eq(b.family, 6);
  ck_assert(addr_equal(&a, &b));

  ck_assert_int_eq(parse(&a, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 0);
  ck_assert(addr_to_u128(&a) == ~(unsigned __int128)0);
}
END_TEST

Suite *addr_suite(void);

Suite *addr_suite(void) {
  Suite *s = suite_create("addr");
  TCase *tc = tcase_create("parse");
  tcase_add_test(tc, test_parse_v4_good);
  tcase_add_test(tc, test_parse_v4_bad);
  tcase_add_test(tc, test_parse_not_nul_terminated);
  tcase_add_test(tc, test_parse_length_cap);
  tcase_add_test(tc, test_parse_v6_good);
  tcase_add_test(tc, test_parse_v6_bad);
  tcase_add_test(tc, test_parse_failure_leaves_output);
  suite_add_tcase(s, tc);

  tc = tcase_create("format");
  tcase_add_test(tc, test_format_v4);
  tcase_add_test(tc, test_format_v6_rfc5952);
  tcase_add_test(tc, test_format_longest);
  tcase_add_test(tc, test_reverse_v4);
  tcase_add_test(tc, test_reverse_v6);
  suite_add_tcase(s, tc);

  tc = tcase_create("arith");
  tcase_add_test(tc, test_cmp);
  tcase_add_test(tc, test_u128);
  suite_add_tcase(s, tc);
  return s;
}
