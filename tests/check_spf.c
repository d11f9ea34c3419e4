/* SPDX-License-Identifier: MIT */
/*
 * check_spf.c - the SPF modules by hand: macro expansion (spfmacro.h,
 * with RFC 7208 section 7.4's own examples), record and term syntax
 * (spfrecord.h), and the engine (spf.h) on small zones served by
 * spfzone.h: the limits of section 4.6.4, the include table of 5.2, %{p},
 * exp with c r t, IPv4-mapped clients, answers out of order and stale
 * ones, status-only answers.  Expected values come from the RFC text.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "spf.h"
#include "spfmacro.h"
#include "spfrecord.h"
#include "spfzone.h"

/* ---- macros: section 7.4 ------------------------------------------------- */

static struct addr ip4, ip6;
static struct spf_macro_ctx ctx;

static void macro_setup(void) {
  addr_parse(&ip4, "192.0.2.3", 9);
  addr_parse(&ip6, "2001:db8::cb01", 14);
  memset(&ctx, 0, sizeof ctx);
  ctx.sender = "strong-bad@email.example.com";
  ctx.local = "strong-bad";
  ctx.sender_domain = "email.example.com";
  ctx.domain = "email.example.com";
  ctx.ip = &ip4;
  ctx.helo = "mx.example.org";
  ctx.now = 1400000000;
}

static const char *ex(const char *s, unsigned flags) {
  static char out[1024];
  int n = spf_macro_expand(s, strlen(s), flags, &ctx, out, sizeof out);
  ck_assert_msg(n >= 0, "expand %s failed", s);
  return out;
}

START_TEST(test_macro_rfc_examples) {
  ck_assert_str_eq(ex("%{s}", 0), "strong-bad@email.example.com");
  ck_assert_str_eq(ex("%{o}", 0), "email.example.com");
  ck_assert_str_eq(ex("%{d}", 0), "email.example.com");
  ck_assert_str_eq(ex("%{d4}", 0), "email.example.com");
  ck_assert_str_eq(ex("%{d3}", 0), "email.example.com");
  ck_assert_str_eq(ex("%{d2}", 0), "example.com");
  ck_assert_str_eq(ex("%{d1}", 0), "com");
  ck_assert_str_eq(ex("%{dr}", 0), "com.example.email");
  ck_assert_str_eq(ex("%{d2r}", 0), "example.email");
  ck_assert_str_eq(ex("%{l}", 0), "strong-bad");
  ck_assert_str_eq(ex("%{l-}", 0), "strong.bad");
  ck_assert_str_eq(ex("%{lr}", 0), "strong-bad");
  ck_assert_str_eq(ex("%{lr-}", 0), "bad.strong");
  ck_assert_str_eq(ex("%{l1r-}", 0), "strong");
  ck_assert_str_eq(ex("%{ir}.%{v}._spf.%{d2}", 0), "3.2.0.192.in-addr._spf.example.com");
  ck_assert_str_eq(ex("%{lr-}.lp._spf.%{d2}", 0), "bad.strong.lp._spf.example.com");
  ck_assert_str_eq(ex("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", 0),
                   "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
  ck_assert_str_eq(ex("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", 0),
                   "3.2.0.192.in-addr.strong.lp._spf.example.com");
  ck_assert_str_eq(ex("%{d2}.trusted-domains.example.net", 0),
                   "example.com.trusted-domains.example.net");
  ctx.ip = &ip6;
  ck_assert_str_eq(ex("%{ir}.%{v}._spf.%{d2}", 0),
                   "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf."
                   "example.com");
  ck_assert_str_eq(ex("%{c}", SPF_MACRO_EXP), "2001:db8::cb01");
}
END_TEST

START_TEST(test_macro_escapes_and_exp_letters) {
  ck_assert_str_eq(ex("%%%_%-", 0), "% %20");
  /* Upper case: URL-escaped (RFC 3986 unreserved kept). */
  ctx.local = "a b/c~d";
  ck_assert_str_eq(ex("%{L}", 0), "a%20b%2Fc~d");
  ck_assert_str_eq(ex("%{l}", 0), "a b/c~d");
  ck_assert_str_eq(ex("%{c} %{r} %{t}", SPF_MACRO_EXP), "192.0.2.3 unknown 1400000000");
  ctx.receiver = "mx.example.net";
  ck_assert_str_eq(ex("%{r}", SPF_MACRO_EXP), "mx.example.net");
  ck_assert_str_eq(ex("%{p}", 0), "unknown");
  ctx.validated = "mail.example.com";
  ck_assert_str_eq(ex("%{p2}", 0), "example.com");
  ck_assert_str_eq(ex("%{h}", 0), "mx.example.org");
  ck_assert_str_eq(ex("%{D}", 0), "email.example.com");
  ck_assert_str_eq(ex("%{d2r.-}", 0), "example.email");
  ck_assert_str_eq(ex("%{d999}", 0), "email.example.com");
}
END_TEST

START_TEST(test_macro_syntax) {
  const char *bad[] = {"%", "%{", "%{d", "%{x}", "%{d0}", "%{d2r!}", "%a", "a b", "%{c}",
                       "%{r}", "%{t}", "\x80", "a\x7f"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(spf_macro_check(bad[i], strlen(bad[i]), 0, NULL) == -EINVAL, "%s", bad[i]);
  ck_assert_int_eq(spf_macro_check("The %{x}-files.", 15, SPF_MACRO_EXP, NULL), -EINVAL);
  ck_assert_int_eq(spf_macro_check("a b %{c}", 8, SPF_MACRO_EXP, NULL), 0);
  ck_assert_int_eq(spf_macro_check("%{D2R-}", 7, 0, NULL), 0);
  /* domain-end: "." toplabel ["."] or a macro */
  const char *good_dom[] = {"example.com", "example.com.", "%{d}", "x.%{d}", "foo.xn--zckzah",
                            "%{ir}.%{v}._spf.%{d2}", "a%-", "_spf.example.com"};
  for (size_t i = 0; i < sizeof good_dom / sizeof good_dom[0]; i++)
    ck_assert_msg(spf_macro_check_domain(good_dom[i], strlen(good_dom[i]), NULL) == 0, "%s",
                  good_dom[i]);
  const char *bad_dom[] = {"", "museum", "museum.", "abc.123", "example.-com", "foo-bar",
                           "%{d}com", "example.com/24", "example.com:8080", "example.com-"};
  for (size_t i = 0; i < sizeof bad_dom / sizeof bad_dom[0]; i++)
    ck_assert_msg(spf_macro_check_domain(bad_dom[i], strlen(bad_dom[i]), NULL) == -EINVAL, "%s",
                  bad_dom[i]);
}
END_TEST

START_TEST(test_macro_domain_truncation) {
  char out[SPF_DOMAIN_MAX + 1];
  /* 5 x 63-byte labels + ".com": 323 bytes; whole labels go from the left
   * until <= 253 remain: 2 labels dropped -> 3 x 64 + 3 = 195. */
  char l63[64], spec[512];
  memset(l63, 'a', 63);
  l63[63] = '\0';
  snprintf(spec, sizeof spec, "%s.%s.%s.%s.%s.com", l63, l63, l63, l63, l63);
  int n = spf_macro_expand_domain(spec, strlen(spec), &ctx, out);
  ck_assert_int_eq(n, 63 * 3 + 3 + 3);
  ck_assert_int_le(n, SPF_DOMAIN_MAX);
  ck_assert_str_eq(out + n - 4, ".com");
  /* a trailing dot is dropped; a 64-byte label cannot be asked */
  ck_assert_int_eq(spf_macro_expand_domain("%{d}.", 5, &ctx, out), 17);
  ck_assert_str_eq(out, "email.example.com");
  snprintf(spec, sizeof spec, "%sb.example.com", l63);
  ck_assert_int_eq(spf_macro_expand_domain(spec, strlen(spec), &ctx, out), -ERANGE);
  ck_assert_int_eq(spf_macro_expand_domain("a..example.com", 14, &ctx, out), -ERANGE);
  /* A huge expansion keeps its right end. */
  ctx.local = "x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x.x";
  n = spf_macro_expand_domain("%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}."
                              "%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}."
                              "%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.end.com",
                              0, &ctx, out);
  ck_assert_int_eq(n, -EINVAL); /* len 0: not a domain-spec */
  const char *big = "%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}."
                    "%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}."
                    "%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.%{l}.end.com";
  n = spf_macro_expand_domain(big, strlen(big), &ctx, out);
  ck_assert_int_gt(n, 200);
  ck_assert_int_le(n, SPF_DOMAIN_MAX);
  ck_assert_str_eq(out + n - 8, ".end.com");
  ck_assert_int_eq(out[0], 'x');
}
END_TEST

/* ---- record syntax ---------------------------------------------------- */

START_TEST(test_record_selection) {
  ck_assert(spf_record_is_spf("v=spf1", 6));
  ck_assert(spf_record_is_spf("V=SpF1 -all", 11));
  ck_assert(!spf_record_is_spf("v=spf10", 7));
  ck_assert(!spf_record_is_spf("v=spf1\t-all", 11));
  ck_assert(!spf_record_is_spf("spf2.0/pra", 10));
}
END_TEST

static int parse(const char *s, struct spf_term *t) {
  char err[64];
  return spf_term_parse(s, strlen(s), t, err, sizeof err);
}

START_TEST(test_term_parse) {
  struct spf_term t;
  ck_assert_int_eq(parse("-all", &t), 0);
  ck_assert_int_eq(t.kind, SPF_T_ALL);
  ck_assert_int_eq(t.qualifier, '-');
  ck_assert_int_eq(parse("a/24//64", &t), 0);
  ck_assert_int_eq(t.kind, SPF_T_A);
  ck_assert_int_eq(t.cidr4, 24);
  ck_assert_int_eq(t.cidr6, 64);
  ck_assert_ptr_null(t.spec);
  ck_assert_int_eq(parse("~mx:foo:bar/baz.example.com//0", &t), 0);
  ck_assert_int_eq(t.kind, SPF_T_MX);
  ck_assert_int_eq(t.cidr4, 32);
  ck_assert_int_eq(t.cidr6, 0);
  ck_assert_int_eq((int)t.speclen, 23);
  ck_assert_int_eq(parse("ip4:192.0.2.0/24", &t), 0);
  ck_assert_int_eq(t.cidr4, 24);
  ck_assert_int_eq(parse("IP6:2001:db8::/32", &t), 0);
  ck_assert_int_eq(t.kind, SPF_T_IP6);
  ck_assert_int_eq(t.cidr6, 32);
  ck_assert_int_eq(parse("Include:_spf.example.com", &t), 0);
  ck_assert_int_eq(t.kind, SPF_T_INCLUDE);
  ck_assert_int_eq(parse("moo.cow-far_out=man:dog/cat", &t), 0);
  ck_assert_int_eq(t.kind, SPF_T_UNKNOWN_MOD);
  ck_assert_int_eq(parse("REDIRECT=_spf.example.com", &t), 0);
  ck_assert_int_eq(t.kind, SPF_T_REDIRECT);
  const char *bad[] = {"all.", "all:x", "-all/8", "a/33", "a//129", "a/24/64", "a:", "mx:",
                       "ptr/0", "ptr:", "ip4", "ip4:1.2.3", "ip4:1.2.3.4/032", "ip4:1.2.3.4//32",
                       "ip4:1.2.3.4:8080", "ip6:::1/129", "ip6::CAFE::BABE", "ip4:2001:db8::1",
                       "include", "include:", "include:ip5.example.com/24", "exists",
                       "exists:mail.example.com/24", "redirect:x.example.com", "1up=foo", "=all",
                       "foo=%abc", "exp=", "exp=-all", "moo.cow/far_out=x", "a:foo.com\r",
                       "\x96" "all", "a:111.222.33.44", "*all"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ck_assert_msg(parse(bad[i], &t) == -EINVAL, "%s parsed", bad[i]);
}
END_TEST

START_TEST(test_record_check) {
  struct spf_record_info info;
  char err[256];
  const char *r = "v=spf1 a  -all exp=x.example.com ";
  ck_assert_int_eq(spf_record_check(r, strlen(r), &info, err, sizeof err), 0);
  ck_assert(info.has_all);
  ck_assert_int_eq((int)info.exp, 15);
  ck_assert_int_eq((int)info.terms, 3);
  r = "v=spf1 ip4:1.2.3.4 -all moo";
  ck_assert_int_eq(spf_record_check(r, strlen(r), &info, err, sizeof err), -EINVAL);
  ck_assert_str_eq(err, "syntax error at 'moo': unknown mechanism");
  r = "v=spf1 redirect=a.example.com redirect=b.example.com";
  ck_assert_int_eq(spf_record_check(r, strlen(r), &info, err, sizeof err), -EINVAL);
  r = "v=spf1 exp=a.example.com -all exp=b.example.com";
  ck_assert_int_eq(spf_record_check(r, strlen(r), &info, err, sizeof err), -EINVAL);
  r = "v=spf1 foo=1 foo=2 default=pass";
  ck_assert_int_eq(spf_record_check(r, strlen(r), &info, err, sizeof err), 0);
}
END_TEST

START_TEST(test_domain_ok) {
  ck_assert(spf_domain_ok("example.com"));
  ck_assert(spf_domain_ok("example.com."));
  ck_assert(spf_domain_ok("_spf.example.com"));
  ck_assert(!spf_domain_ok("A2345678"));
  ck_assert(!spf_domain_ok("[1.2.3.5]"));
  ck_assert(!spf_domain_ok("a...example.com"));
  ck_assert(!spf_domain_ok(""));
  ck_assert(!spf_domain_ok("192.0.2.1"));
}
END_TEST

/* ---- the engine ------------------------------------------------------- */

static struct zone z;
static struct spf_out o;

static void zone_reset(void) { z.n = 0; }

static enum spf_result ev(const char *ip, const char *sender) {
  return spf_drive(&z, ip, sender, "helo.example.org", &o);
}

START_TEST(test_lookup_limit) {
  zone_reset();
  /* 10 DNS-querying terms: allowed; the 11th: permerror, even when a
   * later term would match. */
  zone_txt1(&z, "ten.example", "v=spf1 a a a a a a a a a a ip4:192.0.2.1 -all");
  zone_txt1(&z, "eleven.example", "v=spf1 a a a a a a a a a a a ip4:192.0.2.1 -all");
  zone_addr(&z, "ten.example", "198.51.100.1");
  zone_addr(&z, "eleven.example", "198.51.100.1");
  ck_assert_int_eq(ev("192.0.2.1", "u@ten.example"), SPF_RESULT_PASS);
  ck_assert_int_eq(o.lookups, 10);
  ck_assert_str_eq(o.detail, "ip4:192.0.2.1");
  ck_assert_int_eq(ev("192.0.2.1", "u@eleven.example"), SPF_RESULT_PERMERROR);
  ck_assert_str_eq(o.detail, "too many DNS lookups: more than 10");
  /* include and redirect count too; an include loop ends there. */
  zone_txt1(&z, "loop1.example", "v=spf1 include:loop2.example -all");
  zone_txt1(&z, "loop2.example", "v=spf1 include:loop1.example -all");
  ck_assert_int_eq(ev("192.0.2.1", "u@loop1.example"), SPF_RESULT_PERMERROR);
  ck_assert_int_eq(o.lookups, 11);
  zone_txt1(&z, "self.example", "v=spf1 redirect=self.example");
  ck_assert_int_eq(ev("192.0.2.1", "u@self.example"), SPF_RESULT_PERMERROR);
  ck_assert_str_eq(o.detail, "too many DNS lookups: more than 10");
}
END_TEST

START_TEST(test_void_limit) {
  zone_reset();
  zone_txt1(&z, "two.example", "v=spf1 a:nx1.example mx:nx2.example ?all");
  zone_txt1(&z, "three.example", "v=spf1 a:nx1.example exists:nx2.example ptr:x.example ?all");
  ck_assert_int_eq(ev("192.0.2.1", "u@two.example"), SPF_RESULT_NEUTRAL);
  ck_assert_int_eq(o.voids, 2);
  /* the third void: ptr with no PTR record at all */
  ck_assert_int_eq(ev("192.0.2.1", "u@three.example"), SPF_RESULT_PERMERROR);
  ck_assert_str_eq(o.detail, "void lookup limit: more than 2 lookups found nothing");
}
END_TEST

START_TEST(test_mx_limit_and_parallel) {
  zone_reset();
  char host[64];
  zone_txt1(&z, "ten.example", "v=spf1 mx -all");
  zone_txt1(&z, "eleven.example", "v=spf1 mx -all");
  for (int i = 0; i < 11; i++) {
    snprintf(host, sizeof host, "mx%d.example", i);
    if (i < 10) zone_mx(&z, "ten.example", (unsigned)i, host);
    zone_mx(&z, "eleven.example", (unsigned)i, host);
    zone_addr(&z, host, i == 7 ? "192.0.2.7" : "198.51.100.9");
  }
  ck_assert_int_eq(ev("192.0.2.7", "u@ten.example"), SPF_RESULT_PASS);
  /* TXT, MX, then the ten hosts' A at once: three rounds */
  ck_assert_int_eq(o.rounds, 3);
  ck_assert_int_eq(o.queries, 12);
  ck_assert_int_eq(ev("192.0.2.7", "u@eleven.example"), SPF_RESULT_PERMERROR);
  ck_assert_str_eq(o.detail, "more than 10 MX records at eleven.example");
  /* A match wins over another host's DNS error; without one, temperror. */
  zone_txt1(&z, "err.example", "v=spf1 mx -all");
  zone_mx(&z, "err.example", 1, "slow.example");
  zone_mx(&z, "err.example", 2, "mx7.example");
  zone_timeout(&z, "slow.example");
  ck_assert_int_eq(ev("192.0.2.7", "u@err.example"), SPF_RESULT_PASS);
  ck_assert_int_eq(ev("192.0.2.8", "u@err.example"), SPF_RESULT_TEMPERROR);
  ck_assert_str_eq(o.detail, "DNS timeout for A slow.example");
}
END_TEST

START_TEST(test_include_table) {
  zone_reset();
  /* 5.2: the included result -> the include mechanism */
  zone_txt1(&z, "pass.example", "v=spf1 +all");
  zone_txt1(&z, "fail.example", "v=spf1 -all");
  zone_txt1(&z, "soft.example", "v=spf1 ~all");
  zone_txt1(&z, "neut.example", "v=spf1 ?all");
  zone_timeout(&z, "temp.example");
  zone_txt1(&z, "perm.example", "v=spf1 foo");
  zone_addr(&z, "none.example", "192.0.2.99");
  const char *inc[] = {"pass", "fail", "soft", "neut", "temp", "perm", "none"};
  enum spf_result want[] = {SPF_RESULT_FAIL,      SPF_RESULT_NEUTRAL,   SPF_RESULT_NEUTRAL,
                            SPF_RESULT_NEUTRAL,   SPF_RESULT_TEMPERROR, SPF_RESULT_PERMERROR,
                            SPF_RESULT_PERMERROR};
  for (int i = 0; i < 7; i++) {
    char rec[128], dom[64], sender[80];
    snprintf(dom, sizeof dom, "top-%s.example", inc[i]);
    snprintf(rec, sizeof rec, "v=spf1 -include:%s.example ?all", inc[i]);
    zone_txt1(&z, dom, rec);
    snprintf(sender, sizeof sender, "u@%s", dom);
    ck_assert_msg(ev("192.0.2.1", sender) == want[i], "include %s: got %s (%s)", inc[i],
                  spf_result_name(ev("192.0.2.1", sender)), o.detail);
  }
  ev("192.0.2.1", "u@top-pass.example");
  ck_assert_str_eq(o.detail, "-include:pass.example");
  ev("192.0.2.1", "u@top-none.example");
  ck_assert_str_eq(o.detail, "include target none.example: no SPF record");
}
END_TEST

START_TEST(test_identity_and_mapped) {
  zone_reset();
  zone_txt1(&z, "example.org", "v=spf1 ip4:192.0.2.0/24 -all");
  zone_txt1(&z, "helo.example.org", "v=spf1 a:%{l}.example.org -all");
  zone_addr(&z, "postmaster.example.org", "192.0.2.200");
  /* a bare domain, an IPv4-mapped client */
  ck_assert_int_eq(ev("::ffff:192.0.2.5", "example.org"), SPF_RESULT_PASS);
  ck_assert_int_eq(ev("2001:db8::1", "example.org"), SPF_RESULT_FAIL);
  /* empty sender: postmaster@helo */
  ck_assert_int_eq(ev("192.0.2.200", ""), SPF_RESULT_PASS);
  ck_assert_int_eq(ev("192.0.2.200", NULL), SPF_RESULT_PASS);
  ck_assert_int_eq(ev("192.0.2.5", "x@[192.0.2.5]"), SPF_RESULT_NONE);
  ck_assert_int_eq(ev("192.0.2.5", "x@nothing.example"), SPF_RESULT_NONE);
  ck_assert_str_eq(o.detail, "no such domain");
}
END_TEST

START_TEST(test_ptr_and_p_macro) {
  zone_reset();
  zone_name_rr(&z, "5.2.0.192.in-addr.arpa", SPF_Q_PTR, "forged.example.com");
  zone_name_rr(&z, "5.2.0.192.in-addr.arpa", SPF_Q_PTR, "mail.example.com");
  zone_addr(&z, "mail.example.com", "192.0.2.5");
  zone_addr(&z, "forged.example.com", "198.51.100.1");
  zone_txt1(&z, "example.com", "v=spf1 ptr -all");
  zone_txt1(&z, "other.example", "v=spf1 ptr -all");
  zone_txt1(&z, "pmac.example", "v=spf1 exists:%{p}.ok.example -all");
  zone_addr(&z, "mail.example.com.ok.example", "127.0.0.2");
  zone_txt1(&z, "explain.example", "v=spf1 -all exp=why.example");
  zone_txt1(&z, "why.example", "%{i} is not %{p}; %{c} asked %{r} at %{t} for %{S}");
  ck_assert_int_eq(ev("192.0.2.5", "u@example.com"), SPF_RESULT_PASS);
  ck_assert_int_eq(ev("192.0.2.5", "u@other.example"), SPF_RESULT_FAIL);
  ck_assert_int_eq(ev("192.0.2.5", "u@pmac.example"), SPF_RESULT_PASS);
  ck_assert_int_eq(o.lookups, 1); /* the %{p} lookups are not terms */
  ck_assert_int_eq(ev("192.0.2.5", "u@explain.example"), SPF_RESULT_FAIL);
  ck_assert(o.has_exp);
  ck_assert_str_eq(o.exp, "192.0.2.5 is not mail.example.com; 192.0.2.5 asked "
                          "receiver.example.org at 1400000000 for u%40explain.example");
  ck_assert_str_eq(o.detail, o.exp);
  /* no PTR: %{p} is "unknown" */
  ck_assert_int_eq(ev("192.0.2.6", "u@explain.example"), SPF_RESULT_FAIL);
  ck_assert_str_eq(o.exp, "192.0.2.6 is not unknown; 192.0.2.6 asked receiver.example.org at "
                          "1400000000 for u%40explain.example");
}
END_TEST

START_TEST(test_status_only_and_stale) {
  struct addr ip;
  struct spf *e;
  struct spf_query q[SPF_QUERIES_MAX];
  char err[64], detail[128];
  addr_parse(&ip, "192.0.2.1", 9);
  ck_assert_int_eq(spf_new(&e, &ip, "u@example.com", NULL, err, sizeof err), 0);
  ck_assert_int_eq(spf_pending(e, q, 0), 0);
  ck_assert_int_eq(spf_pending(e, q, SPF_QUERIES_MAX), 1);
  ck_assert_int_eq(spf_pending(e, q + 1, SPF_QUERIES_MAX), 0); /* already handed out */
  ck_assert_int_eq(q[0].type, SPF_Q_TXT);
  ck_assert_str_eq(q[0].name, "example.com");
  ck_assert(!spf_done(e));
  ck_assert_int_eq(spf_result(e, detail, sizeof detail), SPF_RESULT_TEMPERROR);
  spf_answer(e, q[0].id + 100, DNS_NXDOMAIN, NULL, 0); /* unknown id: ignored */
  ck_assert(!spf_done(e));
  spf_answer(e, q[0].id, DNS_NXDOMAIN, NULL, 0); /* a cached negative answer */
  ck_assert(spf_done(e));
  ck_assert_int_eq(spf_result(e, detail, sizeof detail), SPF_RESULT_NONE);
  spf_answer(e, q[0].id, DNS_SERVFAIL, NULL, 0); /* after the end: ignored */
  ck_assert_int_eq(spf_result(e, NULL, 0), SPF_RESULT_NONE);
  spf_free(e);

  ck_assert_int_eq(spf_new(&e, &ip, "u@example.com", NULL, err, sizeof err), 0);
  ck_assert_int_eq(spf_pending(e, q, SPF_QUERIES_MAX), 1);
  spf_answer(e, q[0].id, DNS_SERVFAIL, NULL, 0);
  ck_assert_int_eq(spf_result(e, detail, sizeof detail), SPF_RESULT_TEMPERROR);
  ck_assert_str_eq(detail, "DNS SERVFAIL for TXT example.com");
  spf_free(e);
  ck_assert_int_eq(spf_new(&e, &ip, "u@example.com", NULL, err, sizeof err), 0);
  ck_assert_int_eq(spf_pending(e, q, SPF_QUERIES_MAX), 1);
  spf_answer(e, q[0].id, DNS_OK, NULL, 0); /* OK without a packet: a bad reply */
  ck_assert_int_eq(spf_result(e, NULL, 0), SPF_RESULT_TEMPERROR);
  spf_free(e);
  ip.family = 0;
  ck_assert_int_eq(spf_new(&e, &ip, "u@example.com", NULL, err, sizeof err), -EINVAL);
}
END_TEST

START_TEST(test_result_names) {
  const char *n[] = {"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"};
  for (int i = 0; i < SPF_RESULT_COUNT; i++) {
    ck_assert_str_eq(spf_result_name((enum spf_result)i), n[i]);
    ck_assert_int_eq(spf_result_parse(n[i]), i);
  }
  ck_assert_ptr_null(spf_result_name((enum spf_result)SPF_RESULT_COUNT));
  ck_assert_int_eq(spf_result_parse("PASS"), SPF_RESULT_PASS);
  ck_assert_int_eq(spf_result_parse("hardfail"), -1);
}
END_TEST

START_TEST(test_records_bounded) {
  zone_reset();
  /* Ten nested includes of ~700-byte records: more than SPF_TEXT_MAX in
   * all -> permerror, not growth. */
  static char rec[1024];
  for (int i = 0; i < 10; i++) {
    char dom[32], next[32];
    snprintf(dom, sizeof dom, "n%d.example", i);
    snprintf(next, sizeof next, "n%d.example", i + 1);
    int l = snprintf(rec, sizeof rec, "v=spf1 include:%s", next);
    while (l < 700) l += snprintf(rec + l, sizeof rec - (size_t)l, " ip4:198.51.100.%d", l % 250);
    snprintf(rec + l, sizeof rec - (size_t)l, " -all");
    zone_txt1(&z, dom, rec);
  }
  zone_txt1(&z, "n10.example", "v=spf1 +all");
  ck_assert_int_eq(ev("192.0.2.1", "u@n0.example"), SPF_RESULT_PERMERROR);
  ck_assert_str_eq(o.detail, "SPF records longer than 6144 bytes in all");
  ck_assert_int_eq(ev("192.0.2.1", "u@n5.example"), SPF_RESULT_PASS);
}
END_TEST

Suite *spf_suite(void) {
  Suite *s = suite_create("spf");
  TCase *tm = tcase_create("macro");
  tcase_add_checked_fixture(tm, macro_setup, NULL);
  tcase_add_test(tm, test_macro_rfc_examples);
  tcase_add_test(tm, test_macro_escapes_and_exp_letters);
  tcase_add_test(tm, test_macro_syntax);
  tcase_add_test(tm, test_macro_domain_truncation);
  suite_add_tcase(s, tm);
  TCase *tr = tcase_create("record");
  tcase_add_test(tr, test_record_selection);
  tcase_add_test(tr, test_term_parse);
  tcase_add_test(tr, test_record_check);
  tcase_add_test(tr, test_domain_ok);
  suite_add_tcase(s, tr);
  TCase *te = tcase_create("engine");
  tcase_add_test(te, test_lookup_limit);
  tcase_add_test(te, test_void_limit);
  tcase_add_test(te, test_mx_limit_and_parallel);
  tcase_add_test(te, test_include_table);
  tcase_add_test(te, test_identity_and_mapped);
  tcase_add_test(te, test_ptr_and_p_macro);
  tcase_add_test(te, test_status_only_and_stale);
  tcase_add_test(te, test_result_names);
  tcase_add_test(te, test_records_bounded);
  suite_add_tcase(s, te);
  return s;
}
