/* SPDX-License-Identifier: MIT */
/* check_options.c - command-line parsing: defaults, every option's range
 * checks, resolver forms, and the inputs rules. */
#include <check.h>
#include <stdarg.h>
#include <string.h>
#include <uv.h>

#include "options.h"

static struct config c;
static char err[512];

/* Parse a NULL-terminated list of words (argv[0] added). */
static int parse(const char *first, ...) {
  static char *argv[64];
  va_list ap;
  int argc = 0;
  argv[argc++] = "ptraudit";
  va_start(ap, first);
  for (const char *w = first; w; w = va_arg(ap, const char *)) argv[argc++] = (char *)w;
  va_end(ap);
  argv[argc] = NULL;
  err[0] = '\0';
  options_free(&c); /* the previous parse's lists */
  return options_parse(&c, argc, argv, err, sizeof err);
}

START_TEST(defaults) {
  ck_assert_int_eq(parse("192.0.2.1", NULL), 0);
  ck_assert_uint_eq(c.scan.dns_timeout_ms, 2000);
  ck_assert_uint_eq(c.scan.dns_tries, 2);
  ck_assert_uint_eq(c.scan.smtp_port, 25);
  ck_assert_uint_eq(c.scan.smtp_timeout_ms, 30000);  /* tarpits wait 15 s and more */
  ck_assert_uint_eq(c.scan.connect_timeout_ms, 5000);
  ck_assert_uint_eq(c.scan.per_prefix, 10);
  ck_assert_uint_eq(c.scan.smtp_tries, 3);
  ck_assert_uint_eq(c.scan.smtp_concurrency, 0);     /* automatic */
  ck_assert(c.scan.rate == 100.0);
  ck_assert_uint_eq(c.scan.concurrency, 0);          /* automatic */
  ck_assert_int_eq(c.fail_on, VERDICT_FAIL_ON_FAIL);
  ck_assert_str_eq(c.scan.resolvers, "");
  ck_assert_uint_eq(c.src.ntargets, 1);
  ck_assert_str_eq(c.src.targets[0], "192.0.2.1");
  ck_assert_ptr_null(c.output);
}
END_TEST

START_TEST(all_options) {
  ck_assert_int_eq(parse("-o", "x.csv.gz", "--force", "--ordered", "-r", "127.0.0.1:5300",
                         "--dns-timeout", "500", "--dns-tries", "3", "--smtp-port", "2525",
                         "--smtp-timeout", "1500", "--rate", "0", "-c", "10", "-q",
                         "--fail-on", "warn", "--no-smtp", "--allow-huge", "192.0.2.0/24",
                         "2001:db8::1", NULL), 0);
  ck_assert_str_eq(c.output, "x.csv.gz");
  ck_assert(c.force && c.scan.ordered && c.quiet && c.scan.no_smtp && c.src.allow_huge);
  ck_assert_str_eq(c.scan.resolvers, "127.0.0.1:5300");
  ck_assert_uint_eq(c.scan.dns_timeout_ms, 500);
  ck_assert_uint_eq(c.scan.dns_tries, 3);
  ck_assert_uint_eq(c.scan.smtp_port, 2525);
  ck_assert_uint_eq(c.scan.smtp_timeout_ms, 1500);
  ck_assert(c.scan.rate == 0.0);
  ck_assert_uint_eq(c.scan.concurrency, 10);
  ck_assert_int_eq(c.fail_on, VERDICT_FAIL_ON_WARN);
  ck_assert_uint_eq(c.src.ntargets, 2);
}
END_TEST

START_TEST(resolver_forms) {
  ck_assert_int_eq(parse("-r", "127.0.0.1", "-r", "[::1]:5353", "-r", "::1", "-r",
                         "127.0.0.2:53", "192.0.2.1", NULL), 0);
  ck_assert_str_eq(c.scan.resolvers, "127.0.0.1:53,[::1]:5353,[::1]:53,127.0.0.2:53");
  ck_assert_uint_eq(c.nresolvers, 4);
  ck_assert_int_eq(parse("-r", "resolver.example", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "not an IP address"));
  ck_assert_int_eq(parse("-r", "127.0.0.1:0", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_int_eq(parse("-r", "127.0.0.1:65536", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_int_eq(parse("-r", "[::1", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_int_eq(parse("-r", "[::1]x", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_int_eq(parse("-r", "010.0.0.1", "192.0.2.1", NULL), UV_EINVAL);
}
END_TEST

START_TEST(bad_numbers) {
  ck_assert_int_eq(parse("--rate", "-1", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "--rate"));
  ck_assert_int_eq(parse("--rate", "fast", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_int_eq(parse("--rate", "nan", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_int_eq(parse("--rate", "2.5", "192.0.2.1", NULL), 0);
  ck_assert(c.scan.rate == 2.5);
  ck_assert_int_eq(parse("--dns-timeout", "0", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "--dns-timeout: 0 is out of range"));
  ck_assert_int_eq(parse("--dns-timeout", "-5", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_int_eq(parse("--smtp-timeout", "0", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_int_eq(parse("--dns-tries", "0", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_int_eq(parse("-c", "0", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_int_eq(parse("-c", "12x", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_int_eq(parse("--smtp-port", "70000", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_int_eq(parse("--fail-on", "sometimes", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "fail, warn, never"));
}
END_TEST

/* --rate is plain decimal as the README says: no hex, exponent, inf, nan,
 * sign or blanks; 0 or 0.001 to 10000000. */
START_TEST(rate_forms) {
  static const char *const bad[] = {"0x10", "0X1p-3", "0x1p-1074", "1e3", "1E-3", "inf",
                                    "INF", "infinity", "nan", "+5", "-0", " 5", "5 ",
                                    "", ".", "1..2", "1.2.3", "5/s", NULL};
  for (size_t i = 0; bad[i]; i++) {
    ck_assert_msg(parse("--rate", bad[i], "192.0.2.1", NULL) == UV_EINVAL, "accepted '%s'",
                  bad[i]);
    ck_assert_msg(strstr(err, "--rate") != NULL, "'%s': %s", bad[i], err);
  }
  /* below the minimum, above the maximum: refused, the bound named */
  static const char *const out[] = {"0.0009", "0.00000000004", "0.000000000000000000001",
                                    "10000000.5", "99999999999999999999999", NULL};
  for (size_t i = 0; out[i]; i++) {
    ck_assert_msg(parse("--rate", out[i], "192.0.2.1", NULL) == UV_EINVAL, "accepted '%s'",
                  out[i]);
    ck_assert_msg(strstr(err, "--rate") && (strstr(err, "0.001") || strstr(err, "10000000")),
                  "'%s': %s", out[i], err);
  }
  static const struct { const char *s; double v; } good[] = {
    {"0", 0}, {"0.0", 0}, {"0.001", 0.001}, {".5", 0.5}, {"5.", 5}, {"007", 7},
    {"10000000", 10000000}, {"123.25", 123.25}};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    ck_assert_msg(parse("--rate", good[i].s, "192.0.2.1", NULL) == 0, "'%s': %s", good[i].s, err);
    ck_assert(c.scan.rate == good[i].v);
  }
}
END_TEST

START_TEST(inputs) {
  ck_assert_int_eq(parse(NULL), UV_EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "no targets"));
  ck_assert_int_eq(parse("-i", "inv.csv", NULL), 0);
  ck_assert_str_eq(c.src.inventory, "inv.csv");
  ck_assert_int_eq(parse("-i", "inv.csv", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_int_eq(parse("--ip-column", "x", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_int_eq(parse("-i", "inv.csv", "--ip-column", "IP", "--expect-column", "ptr", NULL),
                   0);
  ck_assert_str_eq(c.src.ip_column, "IP");
  ck_assert_str_eq(c.src.expect_column, "ptr");
  ck_assert_int_eq(parse("--nope", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "--nope"));
  ck_assert_int_eq(parse("192.0.2.1", "-o", NULL), UV_EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "missing value"));
  ck_assert_int_eq(parse("-h", NULL), 0);
  ck_assert_int_eq(c.action, ACTION_HELP);
  ck_assert_int_eq(parse("--version", NULL), 0);
  ck_assert_int_eq(c.action, ACTION_VERSION);
}
END_TEST

static void teardown(void) { options_free(&c); }

START_TEST(batch_and_safety_options) {
  ck_assert_int_eq(parse("--shard", "2/5", "--seed", "42", "--exclude", "192.0.2.0/28",
                         "--exclude", "198.51.100.1", "--exclude-file", "x.txt", "--dry-run",
                         "--ehlo", "scanner.example.net", "--format", "jsonl", "--html",
                         "p.html", "--checkpoint", "c.cp", "192.0.2.0/24", NULL), 0);
  ck_assert_uint_eq(c.src.shard_k, 2);
  ck_assert_uint_eq(c.src.shard_n, 5);
  ck_assert(c.src.seeded && c.src.seed == 42 && c.dry_run);
  ck_assert_uint_eq(c.src.nexcludes, 2);
  ck_assert_str_eq(c.src.excludes[1], "198.51.100.1");
  ck_assert_uint_eq(c.src.nexclude_files, 1);
  ck_assert_str_eq(c.scan.ehlo, "scanner.example.net");
  ck_assert_int_eq(c.scan.format, FORMAT_JSONL);
  ck_assert_str_eq(c.html, "p.html");
  ck_assert_str_eq(c.checkpoint, "c.cp");

  /* wrapping 32-bit values once came back as another share (1/1, 1/2) */
  static const char *bad_shards[] = {"0/4", "5/4", "1/0", "1", "a/b", "1/4x", "/4", "1/", "-1/4",
                                     "4294967297/4294967297", "1/4294967298", "+1/4", "1/+4",
                                     "1/ 4", " 1/4", "1/4/4", "0x1/4", "1/1000001"};
  for (size_t i = 0; i < sizeof bad_shards / sizeof bad_shards[0]; i++) {
    ck_assert_int_eq(parse("--shard", bad_shards[i], "192.0.2.1", NULL), UV_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "--shard"));
  }
  static const char *bad_ehlo[] = {"localhost", "host", "a..b", ".a.b", "a.b.", "x y.z",
                                   "[192.0.2.1]", "a.b\r\nRCPT"};
  for (size_t i = 0; i < sizeof bad_ehlo / sizeof bad_ehlo[0]; i++)
    ck_assert_int_eq(parse("--ehlo", bad_ehlo[i], "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_int_eq(parse("--seed", "-3", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_int_eq(parse("--format", "xml", "192.0.2.1", NULL), UV_EINVAL);
  ck_assert_int_eq(parse("--resume", "c.cp", "--dry-run", "192.0.2.1", NULL), UV_EINVAL);
}
END_TEST

START_TEST(fingerprint_tracks_what_matters) {
  uint64_t base, other;
  ck_assert_int_eq(parse("--rate", "10", "192.0.2.0/24", NULL), 0);
  base = options_fingerprint(&c, 1);
  /* pacing, timeouts and the output name may change on resume */
  ck_assert_int_eq(parse("--rate", "500", "--dns-timeout", "900", "-o", "x.csv",
                         "192.0.2.0/24", NULL), 0);
  ck_assert_uint_eq(options_fingerprint(&c, 1), base);
  /* targets, shards, seeds, exclusions, SMTP do not */
  ck_assert_int_eq(parse("192.0.2.0/25", NULL), 0);
  other = options_fingerprint(&c, 1);
  ck_assert(other != base);
  ck_assert_int_eq(parse("--shard", "1/2", "192.0.2.0/24", NULL), 0);
  ck_assert(options_fingerprint(&c, 1) != base);
  ck_assert_int_eq(parse("--seed", "1", "192.0.2.0/24", NULL), 0);
  ck_assert(options_fingerprint(&c, 1) != base);
  ck_assert_int_eq(parse("--exclude", "192.0.2.1", "192.0.2.0/24", NULL), 0);
  ck_assert(options_fingerprint(&c, 1) != base);
  ck_assert_int_eq(parse("--no-smtp", "192.0.2.0/24", NULL), 0);
  ck_assert(options_fingerprint(&c, 1) != base);
  /* the input bytes (seed value) matter too */
  ck_assert_int_eq(parse("192.0.2.0/24", NULL), 0);
  ck_assert(options_fingerprint(&c, 2) != base);
}
END_TEST

Suite *options_suite(void) {
  Suite *s = suite_create("options");
  TCase *tc = tcase_create("parse");
  tcase_add_checked_fixture(tc, NULL, teardown);
  tcase_add_test(tc, defaults);
  tcase_add_test(tc, rate_forms);
  tcase_add_test(tc, all_options);
  tcase_add_test(tc, resolver_forms);
  tcase_add_test(tc, bad_numbers);
  tcase_add_test(tc, inputs);
  tcase_add_test(tc, batch_and_safety_options);
  tcase_add_test(tc, fingerprint_tracks_what_matters);
  suite_add_tcase(s, tc);
  return s;
}
