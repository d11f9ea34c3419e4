/* SPDX-License-Identifier: MIT */
/*
 * check_verdict.c - the audit rules (src/verdict.h): iprev, every flag,
 * the verdict order, generic names, expected names, FQDN checks, names.
 * Every `struct result` is built by hand; expectations are written out.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "verdict.h"

/* The result under test and its name storage (fixtures are per test). */
static struct result R;
static char name_buf[RESULT_MAX_PTR][64];

static struct addr A(const char *s) {
  struct addr a;
  ck_assert_int_eq(addr_parse(&a, s, strlen(s)), 0);
  return a;
}

static void target(const char *ip) {
  memset(&R, 0, sizeof R);
  R.addr = A(ip);
  R.ptr_status = DNS_OK;
  R.smtp_status = SMTP_SKIPPED;
  R.banner_host = "";
  R.expected = NULL;
}

/* Add a PTR name with its forward lookup: status and a space-separated
 * address list ("" for none). */
static void ptr(const char *name, enum dns_status st, const char *addrs) {
  size_t i = R.nptr++;
  ck_assert_uint_lt(i, RESULT_MAX_PTR);
  snprintf(name_buf[i], sizeof name_buf[i], "%s", name);
  R.ptr[i] = name_buf[i];
  R.ptr_len[i] = strlen(name_buf[i]);
  R.ptr_total = R.nptr;
  if (i >= RESULT_MAX_FORWARD) return;
  struct forward *f = &R.fwd[i];
  f->name = name_buf[i];
  f->status = st;
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", addrs);
  for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) f->addrs[f->naddr++] = A(tok);
}

static struct judgement J;

static void judge(void) { verdict_compute(&R, &J); }

static void expect(enum iprev ip, uint32_t flags, enum verdict v) {
  judge();
  char got[256], want[256];
  verdict_flags_format(J.flags, got, sizeof got);
  verdict_flags_format(flags, want, sizeof want);
  ck_assert_msg(J.flags == flags, "flags: got \"%s\", want \"%s\"", got, want);
  ck_assert_str_eq(verdict_iprev_name(J.iprev), verdict_iprev_name(ip));
  ck_assert_int_eq(J.iprev, ip);
  ck_assert_str_eq(verdict_name(J.verdict), verdict_name(v));
}

static void banner(int code, const char *host) {
  R.smtp_status = SMTP_BANNER;
  R.smtp_code = code;
  R.banner_host = host;
}

/* ---- iprev ---------------------------------------------------------------- */

START_TEST(iprev_pass_ok) {
  target("192.0.2.10");
  ptr("mail.example.com", DNS_OK, "192.0.2.10");
  banner(220, "mail.example.com");
  expect(IPREV_PASS, 0, VERDICT_OK);
}
END_TEST

/* A PTR name with 40 A records: the report keeps the 32 lowest, and the
 * target sorts above them (it is the 40th).  It is in the RRset, so iprev
 * passes: membership is decided on every record (target_seen, set by the
 * pipeline from dnsreply_addrs `want`), not on the kept 32. */
START_TEST(iprev_pass_target_beyond_kept_addrs) {
  char list[40 * 16] = "";
  target("10.0.0.40");
  for (int i = 1; i <= RESULT_MAX_ADDRS; i++) {
    char one[16];
    snprintf(one, sizeof one, "%s10.0.0.%d", i > 1 ? " " : "", i);
    strcat(list, one);
  }
  ptr("many.example.com", DNS_OK, list);
  ck_assert_uint_eq(R.fwd[0].naddr, RESULT_MAX_ADDRS);
  R.fwd[0].target_seen = 1;
  expect(IPREV_PASS, 0, VERDICT_OK);
  /* Not in the RRset at all: still a mismatch. */
  R.fwd[0].target_seen = 0;
  expect(IPREV_FAIL, VERDICT_F_FCRDNS_MISMATCH, VERDICT_FAIL);
  /* A stale target_seen of a lookup that did not complete counts for
   * nothing: the lookup's status decides. */
  R.fwd[0].target_seen = 1;
  R.fwd[0].status = DNS_TIMEOUT;
  expect(IPREV_TEMPERROR, VERDICT_F_PTR_TEMPERROR, VERDICT_UNKNOWN);
}
END_TEST

/* A PTR name with a NUL byte: "mail.example.com<NUL>x" is not
 * mail.example.com.  A lookup of its text would ask for the part before
 * the NUL, so an address that came back for it confirms nothing. */
START_TEST(iprev_nul_name_confirms_nothing) {
  target("192.0.2.10");
  ptr("placeholder", DNS_OK, "192.0.2.10");
  memcpy(name_buf[0], "mail.example.com\0x", 19);
  R.ptr_len[0] = 18;
  expect(IPREV_FAIL, VERDICT_F_PTR_NO_FORWARD, VERDICT_FAIL);
  /* With a second, good name the target still passes. */
  ptr("mail.example.com", DNS_OK, "192.0.2.10");
  expect(IPREV_PASS, VERDICT_F_MULTI_PTR, VERDICT_WARN);
}
END_TEST

START_TEST(iprev_pass_via_second_name) {
  target("192.0.2.10");
  ptr("a.example.com", DNS_OK, "192.0.2.99 192.0.2.98");
  ptr("b.example.com", DNS_OK, "192.0.2.97 192.0.2.10");
  expect(IPREV_PASS, VERDICT_F_MULTI_PTR, VERDICT_WARN);
}
END_TEST

/* A name matched: the other name's timeout does not matter. */
START_TEST(iprev_pass_despite_timeout) {
  target("192.0.2.10");
  ptr("a.example.com", DNS_TIMEOUT, "");
  ptr("b.example.com", DNS_OK, "192.0.2.10");
  expect(IPREV_PASS, VERDICT_F_MULTI_PTR, VERDICT_WARN);
}
END_TEST

/* Nothing matched and one forward lookup timed out: undecided. */
START_TEST(iprev_temperror_forward) {
  target("192.0.2.10");
  ptr("a.example.com", DNS_OK, "192.0.2.99");
  ptr("b.example.com", DNS_TIMEOUT, "");
  expect(IPREV_TEMPERROR, VERDICT_F_PTR_TEMPERROR | VERDICT_F_MULTI_PTR, VERDICT_UNKNOWN);

  target("192.0.2.10");
  ptr("a.example.com", DNS_SERVFAIL, "");
  expect(IPREV_TEMPERROR, VERDICT_F_PTR_TEMPERROR, VERDICT_UNKNOWN);

  /* a checked name that was never looked up is undecided, too */
  target("192.0.2.10");
  ptr("a.example.com", DNS_NOT_RUN, "");
  expect(IPREV_TEMPERROR, VERDICT_F_PTR_TEMPERROR, VERDICT_UNKNOWN);
}
END_TEST

/* Every forward lookup completed, none matched: fail. */
START_TEST(iprev_fail_all_completed) {
  target("192.0.2.10");
  ptr("a.example.com", DNS_OK, "192.0.2.99");
  ptr("b.example.com", DNS_NXDOMAIN, "");
  expect(IPREV_FAIL, VERDICT_F_MULTI_PTR | VERDICT_F_FCRDNS_MISMATCH, VERDICT_FAIL);
}
END_TEST

START_TEST(iprev_temperror_ptr) {
  static const enum dns_status temp[] = {DNS_SERVFAIL, DNS_REFUSED, DNS_TIMEOUT, DNS_BADRESP,
                                         DNS_ERROR};
  for (size_t i = 0; i < sizeof temp / sizeof temp[0]; i++) {
    target("192.0.2.10");
    R.ptr_status = temp[i];
    /* never "no PTR" */
    expect(IPREV_TEMPERROR, VERDICT_F_PTR_TEMPERROR, VERDICT_UNKNOWN);
    ck_assert(verdict_dns_status_is_temporary(temp[i]));
  }
  ck_assert(!verdict_dns_status_is_temporary(DNS_OK));
  ck_assert(!verdict_dns_status_is_temporary(DNS_NXDOMAIN));
  ck_assert(!verdict_dns_status_is_temporary(DNS_NODATA));
  ck_assert(!verdict_dns_status_is_temporary(DNS_NOT_RUN));
}
END_TEST

START_TEST(iprev_not_run) {
  target("192.0.2.10");
  R.ptr_status = DNS_NOT_RUN;
  judge();
  ck_assert_int_eq(J.iprev, IPREV_NONE);
  ck_assert_str_eq(verdict_iprev_name(J.iprev), "");
}
END_TEST

/* An IPv4 target is never confirmed by an IPv6 address, and IPv6 works. */
START_TEST(iprev_families) {
  target("192.0.2.10");
  ptr("a.example.com", DNS_OK, "::ffff:192.0.2.10");
  expect(IPREV_FAIL, VERDICT_F_FCRDNS_MISMATCH, VERDICT_FAIL);

  target("2001:db8::25");
  ptr("mx.example.net", DNS_OK, "2001:db8::26 2001:db8::25");
  banner(220, "mx.example.net");
  expect(IPREV_PASS, 0, VERDICT_OK);
}
END_TEST

/* ---- one test per flag ----------------------------------------------------- */

START_TEST(flag_no_ptr) {
  target("192.0.2.10");
  R.ptr_status = DNS_NXDOMAIN;
  expect(IPREV_PERMERROR, VERDICT_F_NO_PTR, VERDICT_FAIL);
  R.ptr_status = DNS_NODATA;
  expect(IPREV_PERMERROR, VERDICT_F_NO_PTR, VERDICT_FAIL);
  /* NOERROR with no name at all is NODATA */
  R.ptr_status = DNS_OK;
  expect(IPREV_PERMERROR, VERDICT_F_NO_PTR, VERDICT_FAIL);
}
END_TEST

START_TEST(flag_ptr_no_forward) {
  target("192.0.2.10");
  ptr("a.example.com", DNS_NXDOMAIN, "");
  ptr("b.example.com", DNS_NODATA, "");
  expect(IPREV_FAIL, VERDICT_F_MULTI_PTR | VERDICT_F_PTR_NO_FORWARD, VERDICT_FAIL);

  /* names in the answer but none kept (all unusable) */
  target("192.0.2.10");
  R.ptr_total = 2;
  expect(IPREV_FAIL, VERDICT_F_MULTI_PTR | VERDICT_F_PTR_NO_FORWARD, VERDICT_FAIL);
}
END_TEST

START_TEST(flag_fcrdns_mismatch) {
  target("192.0.2.10");
  ptr("mail.example.com", DNS_OK, "192.0.2.11");
  expect(IPREV_FAIL, VERDICT_F_FCRDNS_MISMATCH, VERDICT_FAIL);
}
END_TEST

START_TEST(flag_multi_ptr) {
  target("192.0.2.10");
  ptr("mail.example.com", DNS_OK, "192.0.2.10");
  R.ptr_total = 2; /* the second name was dropped, but it was there */
  expect(IPREV_PASS, VERDICT_F_MULTI_PTR, VERDICT_WARN);
}
END_TEST

START_TEST(flag_ptr_cname) {
  target("192.0.2.10");
  ptr("mail.example.com", DNS_OK, "192.0.2.10");
  R.fwd[0].cname = 1;
  expect(IPREV_PASS, VERDICT_F_PTR_CNAME, VERDICT_WARN);
}
END_TEST

START_TEST(flag_ptr_truncated) {
  /* 500 names in the answer: 16 kept, 10 checked, informational only */
  target("192.0.2.10");
  for (int i = 0; i < RESULT_MAX_PTR; i++) {
    char n[32];
    snprintf(n, sizeof n, "n%02d.example.com", i);
    ptr(n, DNS_OK, i == 3 ? "192.0.2.10" : "192.0.2.1");
  }
  R.ptr_total = 500;
  expect(IPREV_PASS, VERDICT_F_MULTI_PTR | VERDICT_F_PTR_TRUNCATED, VERDICT_WARN);

  /* 11 names kept, 10 checked */
  target("192.0.2.10");
  for (int i = 0; i < RESULT_MAX_FORWARD + 1; i++) {
    char n[32];
    snprintf(n, sizeof n, "n%02d.example.com", i);
    ptr(n, DNS_OK, "192.0.2.1");
  }
  expect(IPREV_FAIL, VERDICT_F_MULTI_PTR | VERDICT_F_FCRDNS_MISMATCH | VERDICT_F_PTR_TRUNCATED, VERDICT_FAIL);

  /* exactly at the caps: not truncated */
  target("192.0.2.10");
  for (int i = 0; i < RESULT_MAX_FORWARD; i++) {
    char n[32];
    snprintf(n, sizeof n, "n%02d.example.com", i);
    ptr(n, DNS_OK, "192.0.2.10");
  }
  expect(IPREV_PASS, VERDICT_F_MULTI_PTR, VERDICT_WARN);
}
END_TEST

START_TEST(flag_generic_ptr) {
  target("203.0.113.7");
  ptr("dyn-203-0-113-7.pool.example.net", DNS_OK, "203.0.113.7");
  expect(IPREV_PASS, VERDICT_F_GENERIC_PTR, VERDICT_WARN);
}
END_TEST

/* NO_SMTP is informational: the verdict stays ok. */
START_TEST(flag_no_smtp) {
  static const enum smtp_status bad[] = {SMTP_REFUSED, SMTP_TIMEOUT, SMTP_CLOSED, SMTP_RESET,
                                         SMTP_ERROR};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    target("192.0.2.10");
    ptr("mail.example.com", DNS_OK, "192.0.2.10");
    R.smtp_status = bad[i];
    R.banner_host = "other.example.org"; /* partial text: not judged */
    expect(IPREV_PASS, VERDICT_F_NO_SMTP, VERDICT_OK);
  }
  target("192.0.2.10");
  ptr("mail.example.com", DNS_OK, "192.0.2.10");
  R.smtp_status = SMTP_SKIPPED;
  expect(IPREV_PASS, 0, VERDICT_OK);
}
END_TEST

START_TEST(flag_smtp_reject) {
  target("192.0.2.10");
  ptr("mail.example.com", DNS_OK, "192.0.2.10");
  banner(554, "mail.example.com");
  expect(IPREV_PASS, VERDICT_F_SMTP_REJECT, VERDICT_WARN);
  banner(421, "mail.example.com");
  expect(IPREV_PASS, VERDICT_F_SMTP_REJECT, VERDICT_WARN);
  banner(220, "mail.example.com");
  expect(IPREV_PASS, 0, VERDICT_OK);
  banner(399, "mail.example.com");
  expect(IPREV_PASS, 0, VERDICT_OK);
}
END_TEST

START_TEST(flag_banner_mismatch) {
  target("192.0.2.10");
  ptr("mail.example.com", DNS_OK, "192.0.2.10");
  banner(220, "other.example.com");
  expect(IPREV_PASS, VERDICT_F_BANNER_MISMATCH, VERDICT_WARN);

  /* case and a trailing dot do not matter */
  banner(220, "MAIL.Example.com.");
  expect(IPREV_PASS, 0, VERDICT_OK);

  /* any PTR name will do */
  target("192.0.2.10");
  ptr("a.example.com", DNS_OK, "192.0.2.10");
  ptr("mail.example.com", DNS_OK, "192.0.2.10");
  banner(220, "mail.example.com");
  expect(IPREV_PASS, VERDICT_F_MULTI_PTR, VERDICT_WARN);

  /* no PTR names: nothing to mismatch (NO_PTR says it) */
  target("192.0.2.10");
  R.ptr_status = DNS_NXDOMAIN;
  banner(220, "mail.example.com");
  expect(IPREV_PERMERROR, VERDICT_F_NO_PTR, VERDICT_FAIL);

  /* a PTR temperror with names absent: no mismatch either */
  target("192.0.2.10");
  R.ptr_status = DNS_TIMEOUT;
  banner(220, "mail.example.com");
  expect(IPREV_TEMPERROR, VERDICT_F_PTR_TEMPERROR, VERDICT_UNKNOWN);
}
END_TEST

START_TEST(flag_banner_not_fqdn) {
  target("192.0.2.10");
  ptr("mail.example.com", DNS_OK, "192.0.2.10");
  banner(220, "localhost");
  expect(IPREV_PASS, VERDICT_F_BANNER_MISMATCH | VERDICT_F_BANNER_NOT_FQDN, VERDICT_WARN);
  banner(220, "");
  expect(IPREV_PASS, VERDICT_F_BANNER_MISMATCH | VERDICT_F_BANNER_NOT_FQDN, VERDICT_WARN);
  R.banner_host = NULL; /* read as "" */
  expect(IPREV_PASS, VERDICT_F_BANNER_MISMATCH | VERDICT_F_BANNER_NOT_FQDN, VERDICT_WARN);
  banner(220, "[192.0.2.10]");
  expect(IPREV_PASS, VERDICT_F_BANNER_MISMATCH | VERDICT_F_BANNER_NOT_FQDN, VERDICT_WARN);

  /* a PTR name without a dot, used as the banner: matches, still not FQDN */
  target("192.0.2.10");
  ptr("mailhost", DNS_OK, "192.0.2.10");
  banner(220, "mailhost");
  expect(IPREV_PASS, VERDICT_F_BANNER_NOT_FQDN, VERDICT_WARN);
}
END_TEST

/* A 4xx/5xx greeting is a rejection, not an identity claim: its text
 * ("554 5.7.1 Service unavailable", "421 Too many connections") is judged
 * by SMTP_REJECT alone; the banner rules apply to 2xx greetings only. */
START_TEST(flag_banner_only_2xx) {
  static const int rejects[] = {421, 450, 521, 554, 599};
  for (size_t i = 0; i < sizeof rejects / sizeof rejects[0]; i++) {
    target("192.0.2.10");
    ptr("mail.example.com", DNS_OK, "192.0.2.10");
    banner(rejects[i], "service");
    expect(IPREV_PASS, VERDICT_F_SMTP_REJECT, VERDICT_WARN);
    banner(rejects[i], "");
    expect(IPREV_PASS, VERDICT_F_SMTP_REJECT, VERDICT_WARN);
  }
  target("192.0.2.10");
  ptr("mail.example.com", DNS_OK, "192.0.2.10");
  banner(354, "localhost"); /* not 2xx either: no identity claim */
  expect(IPREV_PASS, 0, VERDICT_OK);
  banner(0, "localhost"); /* no code (cannot come with a banner): nothing judged */
  expect(IPREV_PASS, 0, VERDICT_OK);
  /* every 2xx code is a greeting that names the host */
  banner(200, "other.example.com");
  expect(IPREV_PASS, VERDICT_F_BANNER_MISMATCH, VERDICT_WARN);
  banner(299, "localhost");
  expect(IPREV_PASS, VERDICT_F_BANNER_MISMATCH | VERDICT_F_BANNER_NOT_FQDN, VERDICT_WARN);
}
END_TEST

START_TEST(flag_expected_mismatch) {
  target("192.0.2.10");
  ptr("mail.example.com", DNS_OK, "192.0.2.10");
  R.expected = "mail.example.com";
  expect(IPREV_PASS, 0, VERDICT_OK);
  R.expected = "*.example.com";
  expect(IPREV_PASS, 0, VERDICT_OK);
  R.expected = "";
  expect(IPREV_PASS, 0, VERDICT_OK);
  R.expected = "*.example.org";
  expect(IPREV_PASS, VERDICT_F_EXPECTED_MISMATCH, VERDICT_FAIL);
  R.expected = "mx.example.com";
  expect(IPREV_PASS, VERDICT_F_EXPECTED_MISMATCH, VERDICT_FAIL);

  /* no PTR names at all: a mismatch too */
  target("192.0.2.10");
  R.ptr_status = DNS_NXDOMAIN;
  R.expected = "mail.example.com";
  expect(IPREV_PERMERROR, VERDICT_F_NO_PTR | VERDICT_F_EXPECTED_MISMATCH, VERDICT_FAIL);
}
END_TEST

/* ---- the verdict order ---------------------------------------------------- */

START_TEST(verdict_order) {
  /* a temporary PTR failure never reads as an expectation mismatch */
  target("192.0.2.10");
  R.ptr_status = DNS_SERVFAIL;
  R.expected = "mail.example.com";
  expect(IPREV_TEMPERROR, VERDICT_F_PTR_TEMPERROR, VERDICT_UNKNOWN);

  /* fail beats unknown: a name that contradicts the expectation, while the
   * forward lookup failed temporarily */
  target("192.0.2.10");
  ptr("mx.example.org", DNS_TIMEOUT, "");
  R.expected = "mail.example.com";
  expect(IPREV_TEMPERROR, VERDICT_F_PTR_TEMPERROR | VERDICT_F_EXPECTED_MISMATCH, VERDICT_FAIL);

  /* unknown beats warn */
  target("192.0.2.10");
  ptr("a.example.com", DNS_TIMEOUT, "");
  ptr("b.example.com", DNS_OK, "192.0.2.11");
  banner(220, "localhost");
  expect(IPREV_TEMPERROR, VERDICT_F_PTR_TEMPERROR | VERDICT_F_MULTI_PTR | VERDICT_F_BANNER_MISMATCH | VERDICT_F_BANNER_NOT_FQDN,
         VERDICT_UNKNOWN);
  banner(554, "localhost");
  expect(IPREV_TEMPERROR, VERDICT_F_PTR_TEMPERROR | VERDICT_F_MULTI_PTR | VERDICT_F_SMTP_REJECT, VERDICT_UNKNOWN);

  /* fail beats warn */
  target("192.0.2.10");
  ptr("dsl-1.example.net", DNS_OK, "192.0.2.11");
  R.fwd[0].cname = 1;
  expect(IPREV_FAIL, VERDICT_F_PTR_CNAME | VERDICT_F_GENERIC_PTR | VERDICT_F_FCRDNS_MISMATCH, VERDICT_FAIL);

  /* informational flags alone leave it ok */
  target("192.0.2.10");
  ptr("mail.example.com", DNS_OK, "192.0.2.10");
  R.smtp_status = SMTP_REFUSED;
  expect(IPREV_PASS, VERDICT_F_NO_SMTP, VERDICT_OK);
}
END_TEST

/* ---- generic names ---------------------------------------------------------- */

static int generic(const char *name, const char *ip) {
  struct addr a = A(ip);
  return verdict_name_is_generic(name, &a);
}

START_TEST(generic_positive) {
  static const struct { const char *name, *ip; } cases[] = {
    {"dyn-203-0-113-7.pool.example.net", "203.0.113.7"},
    {"7.113.0.203.dsl.example.net", "203.0.113.7"},
    {"cpe-1-2-3-4.example.com", "1.2.3.4"},
    {"c0a80001.example.net", "192.168.0.1"},
    /* the address alone, without a dynamic word */
    {"203-0-113-7.example.net", "203.0.113.7"},
    {"host-7-113-0-203.example.net", "203.0.113.7"},
    {"ip203-0-113-7.example.net", "203.0.113.7"},
    {"h203.0.113.7.example.net", "203.0.113.7"},
    {"srv-0-113-7.example.net", "203.0.113.7"},     /* last three */
    {"x-7-113-0.example.net", "203.0.113.7"},       /* last three, reversed */
    {"203-000-113-007.example.net", "203.0.113.7"}, /* zero padded */
    {"h3405803783.example.net", "203.0.113.7"},     /* 32-bit decimal */
    {"n203000113007.example.net", "203.0.113.7"},   /* 12-digit padded */
    {"xCB007107.example.net", "203.0.113.7"},       /* hex, any case */
    {"p5b0c1234.dip0.example.de", "91.12.18.52"},
    {"c-73-1-2-3.hsd1.ca.example.net", "73.1.2.3"},
    /* dynamic words */
    {"dhcp-12.example.org", "192.0.2.1"},
    {"adsl2.example.org", "192.0.2.1"},
    {"PPP.example.org", "192.0.2.1"},
    {"client.example.com", "192.0.2.1"},
    {"broadband.example.net", "192.0.2.1"},
    {"dialup42.example.net", "192.0.2.1"},
    {"a_pool_b.example.net", "192.0.2.1"},
    {"ip42.example.net", "192.0.2.1"},
    /* IPv6: the interface identifier */
    {"2001-db8-0-0-0-0-1a-2b.example.net", "2001:db8::1a:2b"},
    {"host-211-22ff-fe33-4455.example.net", "2001:db8::211:22ff:fe33:4455"},
    {"h-0211-22FF-fe33-4455.example.net", "2001:db8::211:22ff:fe33:4455"},
    {"x021122fffe334455.example.net", "2001:db8::211:22ff:fe33:4455"},
    {"cable-1.example.net", "2001:db8::1"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    ck_assert_msg(generic(cases[i].name, cases[i].ip) == 1, "%s for %s should be generic",
                  cases[i].name, cases[i].ip);
}
END_TEST

START_TEST(generic_negative) {
  static const struct { const char *name, *ip; } cases[] = {
    {"mail.example.com", "203.0.113.7"},
    {"static-203-0-113-7.example.net", "203.0.113.7"}, /* static wins */
    {"mx1.example.org", "203.0.113.7"},
    {"mail-dyn.example.com", "203.0.113.7"},
    {"smtp-out-203-0-113-7.example.net", "203.0.113.7"},
    {"relay2.pool.example.net", "203.0.113.7"},
    {"outbound-dsl.example.net", "203.0.113.7"},
    {"mta-7-113-0-203.example.net", "203.0.113.7"},
    {"www.example.com", "203.0.113.7"},
    {"ns1.example.net", "203.0.113.7"},
    {"dynamo.example.com", "203.0.113.7"},   /* whole tokens only */
    {"clients.example.com", "203.0.113.7"},
    {"ipconnect.example.com", "203.0.113.7"},
    {"ip.example.com", "203.0.113.7"},        /* "ip" needs digits */
    {"203-0-113-8.example.net", "203.0.113.7"}, /* another address */
    {"1-2-3.example.net", "203.0.113.7"},
    {"h7.example.net", "0.0.0.7"},            /* decimal form needs a != 0 */
    {"cb007108.example.net", "203.0.113.7"},
    {"", "203.0.113.7"},
    {"mail.example.net", "2001:db8::211:22ff:fe33:4455"},
    {"211-22ff-fe33-4456.example.net", "2001:db8::211:22ff:fe33:4455"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    ck_assert_msg(generic(cases[i].name, cases[i].ip) == 0, "%s for %s should not be generic",
                  cases[i].name, cases[i].ip);
  ck_assert_int_eq(verdict_name_is_generic(NULL, NULL), 0);
  ck_assert_int_eq(verdict_name_is_generic("dsl.example.net", NULL), 1);
  ck_assert_int_eq(verdict_name_is_generic("203-0-113-7.example.net", NULL), 0);
}
END_TEST

/* ---- expected names, FQDNs ------------------------------------------------- */

START_TEST(expected_match) {
  ck_assert_int_eq(verdict_expected_match("a.example.com", "*.example.com"), 1);
  ck_assert_int_eq(verdict_expected_match("x.y.example.com", "*.example.com"), 1);
  ck_assert_int_eq(verdict_expected_match("A.Example.COM.", "*.example.com"), 1);
  ck_assert_int_eq(verdict_expected_match("a.example.com", "*.EXAMPLE.com."), 1);
  ck_assert_int_eq(verdict_expected_match("example.com", "*.example.com"), 0);
  ck_assert_int_eq(verdict_expected_match("badexample.com", "*.example.com"), 0);
  ck_assert_int_eq(verdict_expected_match("a.example.com.evil", "*.example.com"), 0);
  ck_assert_int_eq(verdict_expected_match("mail.example.com", "MAIL.example.com."), 1);
  ck_assert_int_eq(verdict_expected_match("mail.example.com", "mail.example.org"), 0);
  ck_assert_int_eq(verdict_expected_match("mail.example.com", "ail.example.com"), 0);
  ck_assert_int_eq(verdict_expected_match("a.example.com", "*."), 0);
  ck_assert_int_eq(verdict_expected_match("*.example.com", "*.example.com"), 1);
  ck_assert_int_eq(verdict_expected_match("a.example.com", NULL), 1);
  ck_assert_int_eq(verdict_expected_match("a.example.com", ""), 1);
  ck_assert_int_eq(verdict_expected_match(NULL, "a.example.com"), 0);
}
END_TEST

START_TEST(fqdn) {
  static const char *const yes[] = {
    "mail.example.com", "mail.example.com.", "MX.Example.ORG", "a.b", "xn--bcher-kva.example",
    "1.2.3.example", "mail.example.c0m",
  };
  static const char *const no[] = {
    "", ".", "localhost", "LOCALHOST", "localhost.", "localhost.localdomain",
    "LocalHost.LocalDomain.", "mail", "mail.", "192.0.2.1", "127.1", "[192.0.2.1]",
    "[IPv6:2001:db8::1]", "2001:db8::1", ".example.com", "a..example.com", "example.",
  };
  for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
    ck_assert_msg(verdict_host_is_fqdn(yes[i]) == 1, "\"%s\" should be an FQDN", yes[i]);
  for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
    ck_assert_msg(verdict_host_is_fqdn(no[i]) == 0, "\"%s\" should not be an FQDN", no[i]);
  ck_assert_int_eq(verdict_host_is_fqdn(NULL), 0);
}
END_TEST

/* ---- names and formatting --------------------------------------------------- */

START_TEST(names) {
  ck_assert_str_eq(verdict_name(VERDICT_OK), "ok");
  ck_assert_str_eq(verdict_name(VERDICT_WARN), "warn");
  ck_assert_str_eq(verdict_name(VERDICT_UNKNOWN), "unknown");
  ck_assert_str_eq(verdict_name(VERDICT_FAIL), "fail");
  ck_assert_str_eq(verdict_name(VERDICT_INVALID), "invalid");
  ck_assert_str_eq(verdict_name(VERDICT_SKIPPED), "skipped");
  ck_assert_str_eq(verdict_name((enum verdict)99), "?");
  ck_assert_str_eq(verdict_iprev_name(IPREV_PASS), "pass");
  ck_assert_str_eq(verdict_iprev_name(IPREV_FAIL), "fail");
  ck_assert_str_eq(verdict_iprev_name(IPREV_PERMERROR), "permerror");
  ck_assert_str_eq(verdict_iprev_name(IPREV_TEMPERROR), "temperror");
  ck_assert_str_eq(verdict_iprev_name(IPREV_NONE), "");
  static const char *const dns[] = {"ok", "nxdomain", "nodata", "servfail", "refused",
                                    "timeout", "badresp", "error", ""};
  for (int i = DNS_OK; i <= DNS_NOT_RUN; i++) ck_assert_str_eq(verdict_dns_status_name(i), dns[i]);
  static const char *const smtp[] = {"skipped", "banner", "refused", "timeout",
                                     "closed", "reset", "error"};
  for (int i = SMTP_SKIPPED; i <= SMTP_ERROR; i++) ck_assert_str_eq(verdict_smtp_status_name(i), smtp[i]);
  static const char *const spf[] = {"", "none", "neutral", "pass", "fail", "softfail",
                                    "temperror", "permerror"};
  for (int i = SPF_ST_NOT_RUN; i <= SPF_ST_PERMERROR; i++)
    ck_assert_str_eq(verdict_spf_status_name(i), spf[i]);
  ck_assert_str_eq(verdict_flag_name(0), "NO_PTR");
  ck_assert_str_eq(verdict_flag_name(12), "PTR_TRUNCATED");
  ck_assert_str_eq(verdict_flag_name(VERDICT_F_COUNT), "?");
}
END_TEST

START_TEST(flags_format) {
  char buf[512];
  ck_assert_uint_eq(verdict_flags_format(0, buf, sizeof buf), 0);
  ck_assert_str_eq(buf, "");
  size_t n = verdict_flags_format((1u << VERDICT_F_COUNT) - 1, buf, sizeof buf);
  const char *all = "NO_PTR PTR_TEMPERROR MULTI_PTR PTR_CNAME PTR_NO_FORWARD FCRDNS_MISMATCH "
                    "GENERIC_PTR NO_SMTP SMTP_REJECT BANNER_MISMATCH BANNER_NOT_FQDN "
                    "EXPECTED_MISMATCH PTR_TRUNCATED DNSBL_LISTED DNSBL_ERROR SPF_FAIL "
                    "SPF_SOFTFAIL SPF_NEUTRAL SPF_NONE SPF_PERMERROR SPF_TEMPERROR "
                    "DMARC_MISSING DMARC_INVALID DMARC_TEMPERROR";
  ck_assert_str_eq(buf, all);
  ck_assert_uint_eq(n, strlen(all));
  n = verdict_flags_format(VERDICT_F_GENERIC_PTR | VERDICT_F_NO_PTR, buf, sizeof buf);
  ck_assert_str_eq(buf, "NO_PTR GENERIC_PTR");
  ck_assert_uint_eq(n, 18);
  /* truncated to size - 1 */
  n = verdict_flags_format(VERDICT_F_GENERIC_PTR | VERDICT_F_NO_PTR, buf, 10);
  ck_assert_str_eq(buf, "NO_PTR GE");
  ck_assert_uint_eq(n, 9);
  n = verdict_flags_format(VERDICT_F_GENERIC_PTR | VERDICT_F_NO_PTR, buf, 7);
  ck_assert_str_eq(buf, "NO_PTR");
  ck_assert_uint_eq(n, 6);
  buf[0] = 'x';
  ck_assert_uint_eq(verdict_flags_format(VERDICT_F_NO_PTR, buf, 0), 0);
  ck_assert_int_eq(buf[0], 'x');
}
END_TEST

/* The sender checks: each outcome sets its one flag; pass, a record and
 * "not asked" set none; a listing fails a row that is otherwise fine. */
START_TEST(sender_flags) {
  struct result r;
  struct judgement j;
  memset(&r, 0, sizeof r);
  addr_parse(&r.addr, "192.0.2.1", 9);
  r.ptr_status = DNS_NXDOMAIN; /* NO_PTR: fail whatever else */
  static const struct { enum spf_status s; uint32_t f; } spf[] = {
    {SPF_ST_NOT_RUN, 0}, {SPF_ST_PASS, 0}, {SPF_ST_FAIL, VERDICT_F_SPF_FAIL},
    {SPF_ST_SOFTFAIL, VERDICT_F_SPF_SOFTFAIL}, {SPF_ST_NEUTRAL, VERDICT_F_SPF_NEUTRAL},
    {SPF_ST_NONE, VERDICT_F_SPF_NONE}, {SPF_ST_PERMERROR, VERDICT_F_SPF_PERMERROR},
    {SPF_ST_TEMPERROR, VERDICT_F_SPF_TEMPERROR},
  };
  for (size_t i = 0; i < sizeof spf / sizeof spf[0]; i++) {
    r.spf = spf[i].s;
    verdict_compute(&r, &j);
    ck_assert_uint_eq(j.flags, VERDICT_F_NO_PTR | spf[i].f);
  }
  r.spf = SPF_ST_NOT_RUN;
  static const struct { enum dmarc_status s; uint32_t f; } dm[] = {
    {DMARC_ST_NOT_RUN, 0}, {DMARC_ST_RECORD, 0}, {DMARC_ST_MISSING, VERDICT_F_DMARC_MISSING},
    {DMARC_ST_INVALID, VERDICT_F_DMARC_INVALID}, {DMARC_ST_TEMPERROR, VERDICT_F_DMARC_TEMPERROR},
  };
  for (size_t i = 0; i < sizeof dm / sizeof dm[0]; i++) {
    r.dmarc = dm[i].s;
    verdict_compute(&r, &j);
    ck_assert_uint_eq(j.flags, VERDICT_F_NO_PTR | dm[i].f);
  }
  r.dmarc = DMARC_ST_NOT_RUN;
  r.dnsbl_listed = 2;
  r.dnsbl_errors = 1;
  verdict_compute(&r, &j);
  ck_assert_uint_eq(j.flags, VERDICT_F_NO_PTR | VERDICT_F_DNSBL_LISTED | VERDICT_F_DNSBL_ERROR);
  /* levels: a softfail alone warns, a temperror alone is unknown, a listing fails */
  ck_assert_int_eq(verdict_of_flags(VERDICT_F_SPF_SOFTFAIL | VERDICT_F_DMARC_MISSING), VERDICT_WARN);
  ck_assert_int_eq(verdict_of_flags(VERDICT_F_SPF_TEMPERROR | VERDICT_F_SPF_NONE), VERDICT_UNKNOWN);
  ck_assert_int_eq(verdict_of_flags(VERDICT_F_DNSBL_LISTED | VERDICT_F_DNSBL_ERROR), VERDICT_FAIL);
}
END_TEST

/* The flag table: levels as README's verdict rules state them. */
START_TEST(flag_table) {
  static const struct { const char *name; enum verdict level; } want[VERDICT_F_COUNT] = {
    {"NO_PTR", VERDICT_FAIL},         {"PTR_TEMPERROR", VERDICT_UNKNOWN},
    {"MULTI_PTR", VERDICT_WARN},      {"PTR_CNAME", VERDICT_WARN},
    {"PTR_NO_FORWARD", VERDICT_FAIL}, {"FCRDNS_MISMATCH", VERDICT_FAIL},
    {"GENERIC_PTR", VERDICT_WARN},    {"NO_SMTP", VERDICT_OK},
    {"SMTP_REJECT", VERDICT_WARN},    {"BANNER_MISMATCH", VERDICT_WARN},
    {"BANNER_NOT_FQDN", VERDICT_WARN}, {"EXPECTED_MISMATCH", VERDICT_FAIL},
    {"PTR_TRUNCATED", VERDICT_OK},
    /* the sender checks, as the issue sets their levels */
    {"DNSBL_LISTED", VERDICT_FAIL},   {"DNSBL_ERROR", VERDICT_UNKNOWN},
    {"SPF_FAIL", VERDICT_FAIL},       {"SPF_SOFTFAIL", VERDICT_WARN},
    {"SPF_NEUTRAL", VERDICT_WARN},    {"SPF_NONE", VERDICT_WARN},
    {"SPF_PERMERROR", VERDICT_WARN},  {"SPF_TEMPERROR", VERDICT_UNKNOWN},
    {"DMARC_MISSING", VERDICT_WARN},  {"DMARC_INVALID", VERDICT_WARN},
    {"DMARC_TEMPERROR", VERDICT_UNKNOWN},
  };
  for (unsigned i = 0; i < VERDICT_F_COUNT; i++) {
    const struct verdict_flag *f = verdict_flag(i);
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(f->name, want[i].name);
    ck_assert_int_eq(f->level, want[i].level);
    ck_assert(f->meaning && f->meaning[0]);
    ck_assert_int_eq(verdict_flag_parse(want[i].name, strlen(want[i].name)), (int)i);
  }
  ck_assert_ptr_null(verdict_flag(VERDICT_F_COUNT));
  ck_assert_int_eq(verdict_flag_parse("NO_PT", 5), -1);
  ck_assert_int_eq(verdict_flag_parse("no_ptr", 6), -1);
  ck_assert_int_eq(verdict_flag_parse("NO_PTRX", 6), 0); /* length counts, not NUL */
  ck_assert_int_eq(verdict_of_flags(0), VERDICT_OK);
  ck_assert_int_eq(verdict_of_flags(VERDICT_F_NO_SMTP | VERDICT_F_PTR_TRUNCATED), VERDICT_OK);
  ck_assert_int_eq(verdict_of_flags(VERDICT_F_NO_SMTP | VERDICT_F_GENERIC_PTR), VERDICT_WARN);
  ck_assert_int_eq(verdict_of_flags(VERDICT_F_GENERIC_PTR | VERDICT_F_PTR_TEMPERROR), VERDICT_UNKNOWN);
  ck_assert_int_eq(verdict_of_flags(VERDICT_F_PTR_TEMPERROR | VERDICT_F_EXPECTED_MISMATCH), VERDICT_FAIL);
}
END_TEST

START_TEST(verdict_scales) {
  static const int level[VERDICT_COUNT] = {
    [VERDICT_OK] = 0, [VERDICT_WARN] = 1, [VERDICT_UNKNOWN] = 2, [VERDICT_FAIL] = 3,
    [VERDICT_INVALID] = 3, [VERDICT_SKIPPED] = 0,
  };
  static const int prec[VERDICT_COUNT] = {
    [VERDICT_INVALID] = 1, [VERDICT_SKIPPED] = 2, [VERDICT_OK] = 3, [VERDICT_WARN] = 4,
    [VERDICT_UNKNOWN] = 5, [VERDICT_FAIL] = 6,
  };
  static const enum verdict worst[VERDICT_COUNT] = {
    VERDICT_FAIL, VERDICT_UNKNOWN, VERDICT_WARN, VERDICT_OK, VERDICT_INVALID, VERDICT_SKIPPED,
  };
  for (int v = 0; v < VERDICT_COUNT; v++) {
    ck_assert_int_eq(verdict_level((enum verdict)v), level[v]);
    ck_assert_int_eq(verdict_precedence((enum verdict)v), prec[v]);
    ck_assert_int_eq(verdict_worst_first((unsigned)v), worst[v]);
  }
  ck_assert_int_eq(verdict_level((enum verdict)99), 3);
  ck_assert_int_eq(verdict_precedence((enum verdict)99), 0);
}
END_TEST

/* --fail-on: README "Exit status": fail counts fail and invalid; warn also
 * warn and unknown; never nothing; skipped and ok never count. */
START_TEST(verdict_fail_on) {
  enum verdict_fail_on f = VERDICT_FAIL_ON_NEVER;
  static const int on_fail[VERDICT_COUNT] = {
    [VERDICT_FAIL] = 1, [VERDICT_INVALID] = 1,
  };
  static const int on_warn[VERDICT_COUNT] = {
    [VERDICT_FAIL] = 1, [VERDICT_INVALID] = 1, [VERDICT_UNKNOWN] = 1, [VERDICT_WARN] = 1,
  };
  ck_assert_int_eq(verdict_fail_on_parse("fail", &f), 0);
  ck_assert_int_eq(f, VERDICT_FAIL_ON_FAIL);
  ck_assert_int_eq(verdict_fail_on_parse("warn", &f), 0);
  ck_assert_int_eq(f, VERDICT_FAIL_ON_WARN);
  ck_assert_int_eq(verdict_fail_on_parse("never", &f), 0);
  ck_assert_int_eq(f, VERDICT_FAIL_ON_NEVER);
  ck_assert_int_eq(verdict_fail_on_parse("Fail", &f), -EINVAL);
  ck_assert_int_eq(verdict_fail_on_parse("unknown", &f), -EINVAL);
  ck_assert_int_eq(verdict_fail_on_parse("", &f), -EINVAL);
  ck_assert_int_eq(f, VERDICT_FAIL_ON_NEVER); /* untouched on error */
  for (int v = 0; v < VERDICT_COUNT; v++) {
    ck_assert_int_eq(verdict_is_finding((enum verdict)v, VERDICT_FAIL_ON_FAIL), on_fail[v]);
    ck_assert_int_eq(verdict_is_finding((enum verdict)v, VERDICT_FAIL_ON_WARN), on_warn[v]);
    ck_assert_int_eq(verdict_is_finding((enum verdict)v, VERDICT_FAIL_ON_NEVER), 0);
  }
}
END_TEST

START_TEST(verdict_counting) {
  uint64_t v[VERDICT_COUNT] = {0}, f[VERDICT_F_COUNT] = {0};
  verdict_count(v, f, VERDICT_WARN, VERDICT_F_GENERIC_PTR | VERDICT_F_NO_SMTP);
  verdict_count(v, f, VERDICT_WARN, VERDICT_F_GENERIC_PTR);
  verdict_count(v, f, VERDICT_OK, 0);
  verdict_count(v, f, (enum verdict)99, VERDICT_F_NO_PTR); /* no verdict, the flag counts */
  ck_assert_uint_eq(v[VERDICT_WARN], 2);
  ck_assert_uint_eq(v[VERDICT_OK], 1);
  ck_assert_uint_eq(v[VERDICT_FAIL] + v[VERDICT_UNKNOWN], 0);
  ck_assert_uint_eq(v[VERDICT_INVALID] + v[VERDICT_SKIPPED], 0);
  ck_assert_uint_eq(f[6], 2); /* GENERIC_PTR */
  ck_assert_uint_eq(f[7], 1); /* NO_SMTP */
  ck_assert_uint_eq(f[0], 1); /* NO_PTR */
  uint64_t sum = 0;
  for (unsigned i = 0; i < VERDICT_F_COUNT; i++) sum += f[i];
  ck_assert_uint_eq(sum, 4);
}
END_TEST

START_TEST(verdict_parsing) {
  static const char *const vnames[] = {"ok", "warn", "unknown", "fail", "invalid", "skipped"};
  enum verdict v = VERDICT_SKIPPED;
  for (int i = 0; i < 6; i++) {
    ck_assert_int_eq(verdict_parse(vnames[i], strlen(vnames[i]), &v), 0);
    ck_assert_int_eq(v, i);
  }
  v = VERDICT_WARN;
  ck_assert_int_eq(verdict_parse("OK", 2, &v), -EINVAL);
  ck_assert_int_eq(verdict_parse("failed", 6, &v), -EINVAL);
  ck_assert_int_eq(verdict_parse("", 0, &v), -EINVAL);
  ck_assert_int_eq(v, VERDICT_WARN);
  ck_assert_int_eq(verdict_parse("fail!", 4, &v), 0);
  ck_assert_int_eq(v, VERDICT_FAIL);

  uint32_t m = 99;
  size_t bad = 0, badlen = 0;
  ck_assert_int_eq(verdict_flags_parse("", 0, &m, &bad, &badlen), 0);
  ck_assert_uint_eq(m, 0);
  const char *c = "  NO_PTR  NO_SMTP ";
  ck_assert_int_eq(verdict_flags_parse(c, strlen(c), &m, &bad, &badlen), 0);
  ck_assert_uint_eq(m, VERDICT_F_NO_PTR | VERDICT_F_NO_SMTP);
  c = "NO_PTR BOGUS NO_SMTP";
  ck_assert_int_eq(verdict_flags_parse(c, strlen(c), &m, &bad, &badlen), -EINVAL);
  ck_assert_uint_eq(bad, 7);
  ck_assert_uint_eq(badlen, 5);
}
END_TEST

Suite *verdict_suite(void) {
  Suite *s = suite_create("verdict");
  TCase *tc = tcase_create("iprev");
  tcase_add_test(tc, iprev_pass_ok);
  tcase_add_test(tc, iprev_pass_via_second_name);
  tcase_add_test(tc, iprev_pass_target_beyond_kept_addrs);
  tcase_add_test(tc, iprev_nul_name_confirms_nothing);
  tcase_add_test(tc, iprev_pass_despite_timeout);
  tcase_add_test(tc, iprev_temperror_forward);
  tcase_add_test(tc, iprev_fail_all_completed);
  tcase_add_test(tc, iprev_temperror_ptr);
  tcase_add_test(tc, iprev_not_run);
  tcase_add_test(tc, iprev_families);
  suite_add_tcase(s, tc);

  tc = tcase_create("flags");
  tcase_add_test(tc, flag_no_ptr);
  tcase_add_test(tc, flag_ptr_no_forward);
  tcase_add_test(tc, flag_fcrdns_mismatch);
  tcase_add_test(tc, flag_multi_ptr);
  tcase_add_test(tc, flag_ptr_cname);
  tcase_add_test(tc, flag_ptr_truncated);
  tcase_add_test(tc, flag_generic_ptr);
  tcase_add_test(tc, flag_no_smtp);
  tcase_add_test(tc, flag_smtp_reject);
  tcase_add_test(tc, flag_banner_mismatch);
  tcase_add_test(tc, flag_banner_not_fqdn);
  tcase_add_test(tc, flag_banner_only_2xx);
  tcase_add_test(tc, flag_expected_mismatch);
  tcase_add_test(tc, verdict_order);
  suite_add_tcase(s, tc);

  tc = tcase_create("names");
  tcase_add_test(tc, generic_positive);
  tcase_add_test(tc, generic_negative);
  tcase_add_test(tc, expected_match);
  tcase_add_test(tc, fqdn);
  tcase_add_test(tc, names);
  tcase_add_test(tc, flags_format);
  tcase_add_test(tc, flag_table);
  tcase_add_test(tc, sender_flags);
  tcase_add_test(tc, verdict_scales);
  tcase_add_test(tc, verdict_parsing);
  tcase_add_test(tc, verdict_counting);
  tcase_add_test(tc, verdict_fail_on);
  suite_add_tcase(s, tc);
  return s;
}
