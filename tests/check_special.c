/* SPDX-License-Identifier: MIT */
/*
 * check_special.c - the special-purpose block table: membership at block
 * edges, block ends, "wholly inside", counts over wide spans, and the
 * consistency of the table's numbers with its printed names.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "special.h"

static struct addr A(const char *s) {
  struct addr a;
  ck_assert_msg(addr_parse(&a, s, strlen(s)) == 0, "bad test address '%s'", s);
  return a;
}

static struct span S(const char *s) {
  struct span sp;
  char err[TARGET_ERRLEN];
  ck_assert_msg(target_parse(s, strlen(s), &sp, TARGET_ALLOW_HUGE, err, sizeof err) == 0,
                "bad test target '%s': %s", s, err);
  return sp;
}

/* `s` must be special, in the block named `want`. */
static void in(const char *s, const char *want) {
  struct addr a = A(s);
  const char *name = NULL;
  ck_assert_msg(special_lookup(&a, &name) == 1, "'%s' not special", s);
  ck_assert_str_eq(name, want);
}

static void out(const char *s) {
  struct addr a = A(s);
  const char *name = "untouched";
  ck_assert_msg(special_lookup(&a, &name) == 0, "'%s' is special (%s)", s, name);
  ck_assert_str_eq(name, "untouched");
}

static void block_end_is(const char *s, const char *want) {
  struct addr a = A(s), last;
  char buf[ADDR_STRLEN];
  ck_assert_msg(special_block_end(&a, &last) == 1, "'%s' not special", s);
  addr_format(&last, buf);
  ck_assert_str_eq(buf, want);
  ck_assert_int_eq(last.family, a.family);
}

START_TEST(test_lookup_v4) {
  in("0.0.0.0", "0.0.0.0/8 (This network)");
  in("0.255.255.255", "0.0.0.0/8 (This network)");
  out("1.0.0.0");
  out("1.1.1.2");
  out("9.255.255.255");
  in("10.0.0.0", "10.0.0.0/8 (Private-Use)");
  in("10.1.2.3", "10.0.0.0/8 (Private-Use)");
  in("10.255.255.255", "10.0.0.0/8 (Private-Use)");
  out("11.0.0.0");
  out("100.63.255.255");
  in("100.64.0.0", "100.64.0.0/10 (Shared Address Space)");
  in("100.127.255.255", "100.64.0.0/10 (Shared Address Space)");
  out("100.128.0.0");
  in("127.0.0.1", "127.0.0.0/8 (Loopback)");
  in("169.254.169.254", "169.254.0.0/16 (Link Local)");
  out("169.255.0.0");
  out("172.15.255.255");
  in("172.16.0.0", "172.16.0.0/12 (Private-Use)");
  in("172.31.255.255", "172.16.0.0/12 (Private-Use)");
  out("172.32.0.0");
  in("192.0.0.9", "192.0.0.0/24 (IETF Protocol Assignments)");
  in("192.0.0.170", "192.0.0.0/24 (IETF Protocol Assignments)");
  out("192.0.1.0");
  in("192.0.2.0", "192.0.2.0/24 (Documentation TEST-NET-1)");
  in("192.0.2.255", "192.0.2.0/24 (Documentation TEST-NET-1)");
  out("192.0.3.0");
  in("192.31.196.1", "192.31.196.0/24 (AS112-v4)");
  in("192.52.193.1", "192.52.193.0/24 (AMT)");
  in("192.88.99.2", "192.88.99.0/24 (Deprecated 6to4 Relay Anycast)");
  in("192.168.1.1", "192.168.0.0/16 (Private-Use)");
  out("192.169.0.0");
  in("192.175.48.6", "192.175.48.0/24 (Direct Delegation AS112 Service)");
  out("198.17.255.255");
  in("198.18.0.0", "198.18.0.0/15 (Benchmarking)");
  in("198.19.255.255", "198.18.0.0/15 (Benchmarking)");
  out("198.20.0.0");
  in("198.51.100.7", "198.51.100.0/24 (Documentation TEST-NET-2)");
  in("203.0.113.255", "203.0.113.0/24 (Documentation TEST-NET-3)");
  out("203.0.114.0");
  out("8.8.8.9");
  out("223.255.255.255");
  in("224.0.0.1", "224.0.0.0/4 (Multicast)");
  in("239.255.255.255", "224.0.0.0/4 (Multicast)");
  in("240.0.0.1", "240.0.0.0/4 (Reserved)");
  in("255.255.255.255", "240.0.0.0/4 (Reserved)"); /* limited broadcast, folded */
}
END_TEST

START_TEST(test_lookup_v6) {
  in("::", "::/128 (Unspecified Address)");
  in("::1", "::1/128 (Loopback Address)");
  out("::2");
  in("::ffff:0.0.0.0", "::ffff:0:0/96 (IPv4-mapped Address)");
  in("::ffff:192.0.2.1", "::ffff:0:0/96 (IPv4-mapped Address)");
  in("::ffff:255.255.255.255", "::ffff:0:0/96 (IPv4-mapped Address)");
  out("::1:0:0:0");
  in("64:ff9b::192.0.2.33", "64:ff9b::/96 (IPv4-IPv6 Translation)");
  out("64:ff9b::1:0:0");
  in("64:ff9b:1::1", "64:ff9b:1::/48 (IPv4-IPv6 Local-Use Translation)");
  in("100::1", "100::/64 (Discard-Only Address Block)");
  in("100:0:0:1::1", "100:0:0:1::/64 (Dummy IPv6 Prefix)");
  out("100:0:0:2::");
  in("2001::1", "2001::/23 (IETF Protocol Assignments)");             /* Teredo */
  in("2001:2::1", "2001::/23 (IETF Protocol Assignments)");           /* benchmarking */
  in("2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", "2001::/23 (IETF Protocol Assignments)");
  out("2001:200::1");
  out("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff");
  in("2001:db8::1", "2001:db8::/32 (Documentation)");
  in("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::/32 (Documentation)");
  out("2001:db9::");
  in("2002:c000:201::1", "2002::/16 (6to4)");
  in("2620:4f:8000::42", "2620:4f:8000::/48 (Direct Delegation AS112 Service)");
  out("2620:4f:8001::");
  out("2606:4700:4700::1111");
  out("2a00:1450:4001::1");
  in("3fff:fff:ffff::1", "3fff::/20 (Documentation)");
  out("3fff:1000::");
  in("5f00::1", "5f00::/16 (Segment Routing SIDs)");
  out("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  in("fc00::", "fc00::/7 (Unique-Local)");
  in("fd12:3456:789a::1", "fc00::/7 (Unique-Local)");
  in("fe80::1", "fe80::/10 (Link-Local Unicast)");
  in("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe80::/10 (Link-Local Unicast)");
  out("fec0::1"); /* deprecated site-local: not in the registry */
  in("ff02::1", "ff00::/8 (Multicast)");
  in("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ff00::/8 (Multicast)");
}
END_TEST

START_TEST(test_lookup_null_name) {
  struct addr a = A("10.0.0.1");
  ck_assert_int_eq(special_lookup(&a, NULL), 1);
}
END_TEST

START_TEST(test_block_end) {
  struct addr a = A("8.8.8.9"), last = A("1.2.3.4"), before = last;
  block_end_is("10.1.2.3", "10.255.255.255");
  block_end_is("10.255.255.255", "10.255.255.255");
  block_end_is("100.64.0.0", "100.127.255.255");
  block_end_is("192.0.2.7", "192.0.2.255");
  block_end_is("224.1.2.3", "239.255.255.255");
  block_end_is("240.0.0.0", "255.255.255.255");
  block_end_is("fe80::1", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  block_end_is("::1", "::1");
  block_end_is("::", "::");
  block_end_is("::ffff:1.2.3.4", "::ffff:255.255.255.255");
  block_end_is("2001:db8::1", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
  ck_assert_int_eq(special_block_end(&a, &last), 0);
  ck_assert(addr_equal(&last, &before));
}
END_TEST

START_TEST(test_span_inside) {
  struct span sp;
  sp = S("10.0.0.0/8");
  ck_assert_int_eq(special_span_inside(&sp), 1);
  sp = S("10.1.0.0/16");
  ck_assert_int_eq(special_span_inside(&sp), 1);
  sp = S("10.255.255.0-10.255.255.255");
  ck_assert_int_eq(special_span_inside(&sp), 1);
  sp = S("192.0.2.7");
  ck_assert_int_eq(special_span_inside(&sp), 1);
  sp = S("127.0.0.1");
  ck_assert_int_eq(special_span_inside(&sp), 1);
  sp = S("10.0.0.0/7"); /* 10/8 plus 11/8 */
  ck_assert_int_eq(special_span_inside(&sp), 0);
  sp = S("9.255.255.255-10.0.0.5");
  ck_assert_int_eq(special_span_inside(&sp), 0);
  sp = S("192.0.2.0-192.0.3.0");
  ck_assert_int_eq(special_span_inside(&sp), 0);
  sp = S("8.8.8.0/24");
  ck_assert_int_eq(special_span_inside(&sp), 0);
  sp = S("0.0.0.0/0");
  ck_assert_int_eq(special_span_inside(&sp), 0);
  sp = S("224.0.0.0/3"); /* two adjacent blocks are not one block */
  ck_assert_int_eq(special_span_inside(&sp), 0);
  sp = S("::/127");      /* ::/128 and ::1/128 */
  ck_assert_int_eq(special_span_inside(&sp), 0);
  sp = S("fe80::/64");
  ck_assert_int_eq(special_span_inside(&sp), 1);
  sp = S("2001:db8::/120");
  ck_assert_int_eq(special_span_inside(&sp), 1);
  sp = S("2a00:1450::/96");
  ck_assert_int_eq(special_span_inside(&sp), 0);
}
END_TEST

START_TEST(test_count_in) {
  struct span sp;
  /* Whole IPv4 space, summed by hand from the registry:
   * 3 x /8 (0, 10, 127)        50331648
   * 100.64.0.0/10               4194304
   * 2 x /16 (169.254, 192.168)   131072
   * 172.16.0.0/12               1048576
   * 8 x /24                        2048
   * 198.18.0.0/15                131072
   * 2 x /4 (224, 240)         536870912
   * total                     592709632 */
  sp = S("0.0.0.0/0");
  ck_assert(special_count_in(&sp) == 592709632u);
  sp = S("10.0.0.0/8");
  ck_assert(special_count_in(&sp) == 16777216u);
  sp = S("192.0.2.250-192.0.3.5");
  ck_assert(special_count_in(&sp) == 6);
  sp = S("192.0.0.0/16"); /* 192.0.0.0/24 and 192.0.2.0/24 */
  ck_assert(special_count_in(&sp) == 512);
  sp = S("8.8.8.0/24");
  ck_assert(special_count_in(&sp) == 0);
  sp = S("255.255.255.255");
  ck_assert(special_count_in(&sp) == 1);
  sp = S("2001:db8::/120");
  ck_assert(special_count_in(&sp) == 256);
  sp = S("::/96"); /* :: and ::1 */
  ck_assert(special_count_in(&sp) == 2);
  sp = S("2a00:1450::/96");
  ck_assert(special_count_in(&sp) == 0);
}
END_TEST

/* The table's numbers agree with its printed names (the "a/len" text parsed
 * back independently), blocks are sorted and disjoint, IPv4 first.  Catches
 * a typo in a hex constant. */
START_TEST(test_table_consistent) {
  struct span sp, prev;
  struct addr named;
  const char *name, *slash, *paren;
  size_t i;
  int nv4 = 0, nv6 = 0, plen, bits;

  for (i = 0; special_block_at(i, &sp, &name); i++) {
    slash = strchr(name, '/');
    paren = strstr(name, " (");
    ck_assert_ptr_nonnull(slash);
    ck_assert_ptr_nonnull(paren);
    ck_assert_int_eq(addr_parse(&named, name, (size_t)(slash - name)), 0);
    ck_assert_msg(addr_equal(&named, &sp.first), "block %zu starts elsewhere than '%s'", i,
                  name);
    ck_assert_int_eq(sscanf(slash + 1, "%d", &plen), 1);
    bits = sp.first.family == 4 ? 32 : 128;
    ck_assert_msg(span_count(&sp) == (unsigned __int128)1 << (bits - plen),
                  "block %zu has the wrong size for '%s'", i, name);
    /* Aligned: the start has no host bits. */
    ck_assert((addr_to_u128(&sp.first) & (span_count(&sp) - 1)) == 0);
    if (i > 0 && prev.first.family == sp.first.family)
      ck_assert_msg(addr_cmp(&prev.last, &sp.first) < 0, "block %zu overlaps", i);
    if (i > 0)
      ck_assert_int_le(prev.first.family, sp.first.family);
    if (sp.first.family == 4)
      nv4++;
    else
      nv6++;
    prev = sp;
  }
  ck_assert_int_eq(nv4, 18);
  ck_assert_int_eq(nv6, 16);
}
END_TEST

Suite *special_suite(void);

Suite *special_suite(void) {
  Suite *s = suite_create("special");
  TCase *tc = tcase_create("special");
  tcase_add_test(tc, test_lookup_v4);
  tcase_add_test(tc, test_lookup_v6);
  tcase_add_test(tc, test_lookup_null_name);
  tcase_add_test(tc, test_block_end);
  tcase_add_test(tc, test_span_inside);
  tcase_add_test(tc, test_count_in);
  tcase_add_test(tc, test_table_consistent);
  suite_add_tcase(s, tc);
  return s;
}
