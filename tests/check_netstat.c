/* SPDX-License-Identifier: MIT */
/* check_netstat.c - parsing /proc/net/snmp's Udp lines (fixture written by
 * hand in the kernel's format). */
#include <check.h>
#include <string.h>
#include <uv.h>

#include "netstat.h"

static const char snmp[] =
    "Ip: Forwarding DefaultTTL InReceives\n"
    "Ip: 1 64 12345\n"
    "Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors "
    "IgnoredMulti MemErrors\n"
    "Udp: 4188 12 77 4203 75 0 0 0 0\n"
    "UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors\n"
    "UdpLite: 0 0 0 0 99 0\n";

START_TEST(finds_udp_rcvbuf_errors) {
  uint64_t v = 0;
  ck_assert_int_eq(netstat_parse_rcvbuf_errors(snmp, strlen(snmp), &v), 0);
  ck_assert_uint_eq(v, 75); /* Udp's, not UdpLite's 99 */
}
END_TEST

START_TEST(rejects_other_text) {
  uint64_t v;
  const char *bad[] = {"", "Ip: a b\nIp: 1 2\n", "Udp: RcvbufErrors\n",
                       "Udp: InDatagrams RcvbufErrors\nUdp: 5\n",
                       "Udp: RcvbufErrors\nUdp: 12x\n"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_int_eq(netstat_parse_rcvbuf_errors(bad[i], strlen(bad[i]), &v), UV_EINVAL);
}
END_TEST

START_TEST(reads_this_machine) {
  uint64_t v;
  /* Linux with procfs: the live file parses. */
  ck_assert_int_eq(netstat_rcvbuf_errors(&v), 0);
}
END_TEST

Suite *netstat_suite(void) {
  Suite *s = suite_create("netstat");
  TCase *tc = tcase_create("snmp");
  tcase_add_test(tc, finds_udp_rcvbuf_errors);
  tcase_add_test(tc, rejects_other_text);
  tcase_add_test(tc, reads_this_machine);
  suite_add_tcase(s, tc);
  return s;
}
