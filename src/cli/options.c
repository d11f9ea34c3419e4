/* SPDX-License-Identifier: MIT */
/*
 * options.c - command-line parsing.  See options.h.
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "addr.h"
#include "err.h"
#include "ratelimit.h"

/* Strict unsigned parse: digits only, whole string, within [lo, hi]. */
static int parse_uint(const char *opt, const char *s, unsigned long lo, unsigned long hi,
                      unsigned *out, char *err, size_t errlen) {
  char *end;
  if (*s < '0' || *s > '9')
    return err_set(err, errlen, UV_EINVAL, "%s: '%.40s' is not a whole number", opt, s);
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (*end != '\0')
    return err_set(err, errlen, UV_EINVAL, "%s: '%.40s' is not a whole number", opt, s);
  if (errno == ERANGE || v < lo || v > hi)
    return err_set(err, errlen, UV_EINVAL, "%s: %.40s is out of range (%lu-%lu)", opt, s, lo, hi);
  *out = (unsigned)v;
  return 0;
}

/* --rate: plain decimal, digits with at least one of them before or after
 * an optional '.', and nothing else: strtod alone would also take hex
 * ("0x10"), exponents, "inf", "nan", signs and leading blanks, which the
 * documentation does not promise.  0 = no cap; otherwise within
 * [RATELIMIT_MIN, RATELIMIT_MAX] so the token bucket's waits stay finite. */
static int parse_rate(const char *s, double *out, char *err, size_t errlen) {
  size_t digits = 0, dots = 0, i;
  for (i = 0; s[i]; i++) {
    if (s[i] >= '0' && s[i] <= '9') digits++;
    else if (s[i] == '.' && !dots) dots++;
    else break;
  }
  if (s[i] || !digits)
    return err_set(err, errlen, UV_EINVAL, "--rate: '%.40s' is not a plain decimal number of "
                   "targets per second (such as 20 or 0.5; 0 means no cap)", s);
  double r = strtod(s, NULL);
  if (r != 0 && r < RATELIMIT_MIN)
    return err_set(err, errlen, UV_EINVAL, "--rate: %.40s is below the minimum of 0.001 "
                   "targets per second (0 means no cap)", s);
  if (r > RATELIMIT_MAX)
    return err_set(err, errlen, UV_EINVAL, "--rate: %.40s is above the maximum of 10000000", s);
  *out = r;
  return 0;
}

/* Append one --resolver value (ADDR, ADDR:PORT, [V6ADDR]:PORT or bare V6ADDR)
 * to c->scan.resolvers in c-ares CSV form.  Returns 0 or UV_EINVAL. */
static int options_add_resolver(struct config *c, const char *spec, char *err, size_t errlen) {
  char host[64];
  unsigned port = 53;
  const char *h = spec, *p = NULL;
  size_t hlen;
  struct addr a;

  if (c->nresolvers >= SCAN_MAX_RESOLVERS)
    return err_set(err, errlen, UV_EINVAL, "--resolver: at most %d resolvers", SCAN_MAX_RESOLVERS);
  if (spec[0] == '[') { /* [v6]:port or [v6] */
    const char *close = strchr(spec, ']');
    if (!close)
      return err_set(err, errlen, UV_EINVAL, "--resolver: '%.60s' has '[' without ']'", spec);
    h = spec + 1;
    hlen = (size_t)(close - h);
    if (close[1] == ':')
      p = close + 2;
    else if (close[1] != '\0')
      return err_set(err, errlen, UV_EINVAL, "--resolver: unexpected text after ']' in '%.60s'",
                     spec);
  } else {
    const char *colon = strchr(spec, ':');
    if (colon && strchr(colon + 1, ':')) { /* bare IPv6, no port */
      hlen = strlen(spec);
    } else {
      hlen = colon ? (size_t)(colon - spec) : strlen(spec);
      if (colon) p = colon + 1;
    }
  }
  if (addr_parse(&a, h, hlen) != 0)
    return err_set(err, errlen, UV_EINVAL, "--resolver: '%.60s' is not an IP address (hostnames "
                   "are not accepted: a resolver must be reachable without DNS)", spec);
  if (p && parse_uint("--resolver port", p, 1, 65535, &port, err, errlen))
    return UV_EINVAL;
  addr_format(&a, host);
  size_t used = strlen(c->scan.resolvers);
  int n = snprintf(c->scan.resolvers + used, sizeof c->scan.resolvers - used,
                   a.family == 6 ? "%s[%s]:%u" : "%s%s:%u", used ? "," : "", host, port);
  if (n < 0 || (size_t)n >= sizeof c->scan.resolvers - used)
    return err_set(err, errlen, UV_EINVAL, "--resolver: too many resolvers");
  c->nresolvers++;
  return 0;
}

enum {
  OPT_IP_COLUMN = 256, OPT_EXPECT_COLUMN, OPT_SMTP_PORT, OPT_NO_SMTP, OPT_RATE,
  OPT_DNS_TIMEOUT, OPT_DNS_TRIES, OPT_SMTP_TIMEOUT, OPT_FAIL_ON, OPT_FORCE,
  OPT_CONNECT_TIMEOUT, OPT_SMTP_CONCURRENCY, OPT_PER_PREFIX, OPT_SMTP_TRIES,
  OPT_ORDERED, OPT_ALLOW_HUGE, OPT_CHANNELS, OPT_EXCLUDE, OPT_EXCLUDE_FILE, OPT_SHARD,
  OPT_SEED, OPT_DRY_RUN, OPT_RESUME, OPT_CHECKPOINT, OPT_EHLO, OPT_FORMAT, OPT_HTML,
  OPT_DNSBL, OPT_DNSBL_FILE, OPT_DNSBL_TXT, OPT_SPF_DOMAIN, OPT_SENDER_COLUMN, OPT_HELO_COLUMN,
  OPT_PREVIOUS,
  OPT_STATUS_INTERVAL, OPT_STATUS_FILE
};

static const struct option longopts[] = {
  {"inventory", required_argument, NULL, 'i'},
  {"ip-column", required_argument, NULL, OPT_IP_COLUMN},
  {"expect-column", required_argument, NULL, OPT_EXPECT_COLUMN},
  {"output", required_argument, NULL, 'o'},
  {"force", no_argument, NULL, OPT_FORCE},
  {"ordered", no_argument, NULL, OPT_ORDERED},
  {"resolver", required_argument, NULL, 'r'},
  {"dns-timeout", required_argument, NULL, OPT_DNS_TIMEOUT},
  {"dns-tries", required_argument, NULL, OPT_DNS_TRIES},
  {"channels", required_argument, NULL, OPT_CHANNELS},
  {"smtp-port", required_argument, NULL, OPT_SMTP_PORT},
  {"no-smtp", no_argument, NULL, OPT_NO_SMTP},
  {"smtp-timeout", required_argument, NULL, OPT_SMTP_TIMEOUT},
  {"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
  {"smtp-concurrency", required_argument, NULL, OPT_SMTP_CONCURRENCY},
  {"sessions-per-prefix", required_argument, NULL, OPT_PER_PREFIX},
  {"smtp-tries", required_argument, NULL, OPT_SMTP_TRIES},
  {"rate", required_argument, NULL, OPT_RATE},
  {"concurrency", required_argument, NULL, 'c'},
  {"allow-huge", no_argument, NULL, OPT_ALLOW_HUGE},
  {"exclude", required_argument, NULL, OPT_EXCLUDE},
  {"exclude-file", required_argument, NULL, OPT_EXCLUDE_FILE},
  {"shard", required_argument, NULL, OPT_SHARD},
  {"seed", required_argument, NULL, OPT_SEED},
  {"dry-run", no_argument, NULL, OPT_DRY_RUN},
  {"resume", required_argument, NULL, OPT_RESUME},
  {"checkpoint", required_argument, NULL, OPT_CHECKPOINT},
  {"ehlo", required_argument, NULL, OPT_EHLO},
  {"format", required_argument, NULL, OPT_FORMAT},
  {"html", required_argument, NULL, OPT_HTML},
  {"dnsbl", required_argument, NULL, OPT_DNSBL},
  {"dnsbl-file", required_argument, NULL, OPT_DNSBL_FILE},
  {"dnsbl-txt", no_argument, NULL, OPT_DNSBL_TXT},
  {"spf-domain", required_argument, NULL, OPT_SPF_DOMAIN},
  {"sender-column", required_argument, NULL, OPT_SENDER_COLUMN},
  {"helo-column", required_argument, NULL, OPT_HELO_COLUMN},
  {"previous", required_argument, NULL, OPT_PREVIOUS},
  {"quiet", no_argument, NULL, 'q'},
  {"status-interval", required_argument, NULL, OPT_STATUS_INTERVAL},
  {"status-file", required_argument, NULL, OPT_STATUS_FILE},
  {"fail-on", required_argument, NULL, OPT_FAIL_ON},
  {"help", no_argument, NULL, 'h'},
  {"version", no_argument, NULL, 'V'},
  {NULL, 0, NULL, 0},
};

/* RFC 5321 4.1.1.1: the EHLO argument is a domain (or an address literal,
 * which would identify nothing here): letters, digits, hyphens, dots, with
 * at least one dot, no empty label, labels of at most 63 octets. */
static int valid_ehlo(const char *s) {
  size_t n = strlen(s), label = 0;
  int dot = 0;
  if (n == 0 || n > 253 || s[0] == '.' || s[n - 1] == '.') return 0;
  for (size_t i = 0; i < n; i++) {
    char ch = s[i];
    if (ch == '.') {
      if (label == 0) return 0;
      label = 0;
      dot = 1;
    } else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               ch == '-') {
      if (++label > 63) return 0;
    } else {
      return 0;
    }
  }
  return dot && strcmp(s, "localhost.localdomain") != 0;
}

/* A DNS zone or domain as the user may name one: letters, digits, '-',
 * '_' (blocklists and SPF includes use it: _spf.example.com), labels of
 * 1..63 octets, at most 253 in all, one trailing dot allowed. */
static int valid_domain(const char *s) {
  size_t n = strlen(s), label = 0;
  if (n && s[n - 1] == '.') n--;
  if (n == 0 || n > 253) return 0;
  for (size_t i = 0; i < n; i++) {
    char ch = s[i];
    if (ch == '.') {
      if (label == 0) return 0;
      label = 0;
    } else if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               ch == '-' || ch == '_') {
      if (++label > 63) return 0;
    } else {
      return 0;
    }
  }
  return label > 0;
}

void options_free(struct config *c) {
  free(c->src.excludes);
  free(c->src.exclude_files);
  c->src.excludes = c->src.exclude_files = NULL;
  c->src.nexcludes = c->src.nexclude_files = 0;
}

/* The defaults; the two lists get room for argc entries, the most they can
 * hold, once. */
static int config_init(struct config *c, int argc, char *err, size_t errlen) {
  memset(c, 0, sizeof *c);
  c->src.excludes = calloc((size_t)argc + 1, sizeof *c->src.excludes);
  c->src.exclude_files = calloc((size_t)argc + 1, sizeof *c->src.exclude_files);
  if (!c->src.excludes || !c->src.exclude_files)
    return err_set(err, errlen, UV_EINVAL, "out of memory");
  c->scan.dns_timeout_ms = 2000;
  c->scan.dns_tries = 2;
  c->scan.smtp_port = 25;
  c->scan.smtp_timeout_ms = 30000;
  c->scan.connect_timeout_ms = 5000;
  c->scan.per_prefix = 10;
  c->scan.smtp_tries = 3;
  c->scan.rate = 100;
  c->scan.concurrency = 0; /* automatic: audit.h, scan_dns_budget */
  c->fail_on = VERDICT_FAIL_ON_FAIL;
  c->status_interval = 10; /* statusline.h: STATUSLINE_INTERVAL_DEFAULT */
  return 0;
}

/* --shard K/N: each side strictly decimal and range-checked (sscanf's %u
 * took "4294967297/4294967297" as 1/1, silently another share). */
static int parse_shard(struct config *c, const char *arg, char *err, size_t errlen) {
  char kbuf[24];
  const char *slash = strchr(arg, '/');
  unsigned k, n;
  size_t kl = slash ? (size_t)(slash - arg) : 0;
  if (!slash || kl == 0 || kl >= sizeof kbuf)
    return err_set(err, errlen, UV_EINVAL, "--shard: '%.40s' is not K/N (e.g. 1/4)", arg);
  memcpy(kbuf, arg, kl);
  kbuf[kl] = '\0';
  if (parse_uint("--shard N", slash + 1, 1, 1000000, &n, err, errlen) ||
      parse_uint("--shard K", kbuf, 1, n, &k, err, errlen))
    return UV_EINVAL;
  c->src.shard_k = k;
  c->src.shard_n = n;
  return 0;
}

static int parse_seed(struct config *c, const char *arg, char *err, size_t errlen) {
  char *end;
  errno = 0;
  if (arg[0] < '0' || arg[0] > '9')
    return err_set(err, errlen, UV_EINVAL, "--seed: '%.40s' is not a whole number", arg);
  c->src.seed = strtoull(arg, &end, 10);
  if (*end || errno)
    return err_set(err, errlen, UV_EINVAL, "--seed: '%.40s' is not a whole number", arg);
  c->src.seeded = 1;
  return 0;
}

/* --format and --fail-on: one word of a fixed list. */
static int parse_word(struct config *c, int opt, const char *arg, char *err, size_t errlen) {
  if (opt == OPT_FORMAT) {
    if (!strcmp(arg, "csv")) c->scan.format = FORMAT_CSV;
    else if (!strcmp(arg, "jsonl")) c->scan.format = FORMAT_JSONL;
    else return err_set(err, errlen, UV_EINVAL, "--format: '%.40s' is not csv or jsonl", arg);
    return 0;
  }
  if (verdict_fail_on_parse(arg, &c->fail_on) < 0)
    return err_set(err, errlen, UV_EINVAL, "--fail-on: '%.40s' is not one of fail, warn, never",
                   arg);
  return 0;
}

/* The options with a whole-number value: option, range, where it goes. */
static int parse_number(struct config *c, int opt, const char *arg, char *err, size_t errlen) {
  switch (opt) {
  case OPT_DNS_TIMEOUT:
    return parse_uint("--dns-timeout", arg, 1, 600000, &c->scan.dns_timeout_ms, err, errlen);
  case OPT_DNS_TRIES: return parse_uint("--dns-tries", arg, 1, 10, &c->scan.dns_tries, err, errlen);
  case OPT_CHANNELS: return parse_uint("--channels", arg, 1, 64, &c->scan.channels, err, errlen);
  case OPT_SMTP_PORT:
    return parse_uint("--smtp-port", arg, 1, 65535, &c->scan.smtp_port, err, errlen);
  case OPT_SMTP_TIMEOUT:
    return parse_uint("--smtp-timeout", arg, 1, 600000, &c->scan.smtp_timeout_ms, err, errlen);
  case OPT_CONNECT_TIMEOUT:
    return parse_uint("--connect-timeout", arg, 1, 600000, &c->scan.connect_timeout_ms, err,
                      errlen);
  case OPT_SMTP_CONCURRENCY:
    return parse_uint("--smtp-concurrency", arg, 1, 1000000, &c->scan.smtp_concurrency, err,
                      errlen);
  case OPT_PER_PREFIX:
    return parse_uint("--sessions-per-prefix", arg, 1, 1000, &c->scan.per_prefix, err, errlen);
  case OPT_SMTP_TRIES:
    return parse_uint("--smtp-tries", arg, 1, 10, &c->scan.smtp_tries, err, errlen);
  case OPT_STATUS_INTERVAL:
    return parse_uint("--status-interval", arg, 0, 86400, &c->status_interval, err, errlen);
  default: /* 'c' */
    return parse_uint("--concurrency", arg, 1, 65536, &c->scan.concurrency, err, errlen);
  }
}

/* One option from getopt_long.  0, UV_EINVAL (err filled), or 1 when
 * parsing stops here (--help, --version). */
static int apply_option(struct config *c, int ch, const char *name, char *err, size_t errlen) {
  switch (ch) {
  case 'i': c->src.inventory = optarg; return 0;
  case OPT_IP_COLUMN: c->src.ip_column = optarg; return 0;
  case OPT_EXPECT_COLUMN: c->src.expect_column = optarg; return 0;
  case 'o':
    if (!*optarg) return err_set(err, errlen, UV_EINVAL, "--output: empty file name");
    c->output = optarg;
    return 0;
  case OPT_FORCE: c->force = 1; return 0;
  case OPT_ORDERED: c->scan.ordered = 1; return 0;
  case 'r': return options_add_resolver(c, optarg, err, errlen) ? UV_EINVAL : 0;
  case OPT_DNS_TIMEOUT: case OPT_DNS_TRIES: case OPT_CHANNELS: case OPT_SMTP_PORT:
  case OPT_SMTP_TIMEOUT: case 'c': case OPT_CONNECT_TIMEOUT: case OPT_SMTP_CONCURRENCY:
  case OPT_PER_PREFIX: case OPT_SMTP_TRIES: case OPT_STATUS_INTERVAL:
    return parse_number(c, ch, optarg, err, errlen) ? UV_EINVAL : 0;
  case OPT_NO_SMTP: c->scan.no_smtp = 1; return 0;
  case OPT_RATE: return parse_rate(optarg, &c->scan.rate, err, errlen) ? UV_EINVAL : 0;
  case OPT_ALLOW_HUGE: c->src.allow_huge = 1; return 0;
  case OPT_EXCLUDE: c->src.excludes[c->src.nexcludes++] = optarg; return 0;
  case OPT_EXCLUDE_FILE: c->src.exclude_files[c->src.nexclude_files++] = optarg; return 0;
  case OPT_SHARD: return parse_shard(c, optarg, err, errlen);
  case OPT_SEED: return parse_seed(c, optarg, err, errlen);
  case OPT_DRY_RUN: c->dry_run = 1; return 0;
  case OPT_RESUME: c->resume = optarg; return 0;
  case OPT_CHECKPOINT: c->checkpoint = optarg; return 0;
  case OPT_EHLO:
    if (!valid_ehlo(optarg))
      return err_set(err, errlen, UV_EINVAL,
                     "--ehlo: '%.60s' is not a fully qualified domain name (RFC 5321 4.1.1.1)",
                     optarg);
    c->scan.ehlo = optarg;
    return 0;
  case OPT_FORMAT: case OPT_FAIL_ON: return parse_word(c, ch, optarg, err, errlen);
  case OPT_HTML: c->html = optarg; return 0;
  case OPT_DNSBL: {
    char why[200];
    if (dnsbl_list_add(c->scan.dnsbl, DNSBL_MAX_LISTS, &c->scan.ndnsbl, optarg, NULL, why,
                       sizeof why) < 0)
      return err_set(err, errlen, UV_EINVAL, "--dnsbl: %s", why);
    return 0;
  }
  case OPT_DNSBL_FILE: c->dnsbl_file = optarg; return 0;
  case OPT_DNSBL_TXT: c->scan.dnsbl_txt = 1; return 0;
  case OPT_SPF_DOMAIN:
    if (!valid_domain(optarg))
      return err_set(err, errlen, UV_EINVAL, "--spf-domain: '%.60s' is not a domain name", optarg);
    c->scan.spf_domain = optarg;
    return 0;
  case OPT_SENDER_COLUMN: c->scan.sender_column = optarg; return 0;
  case OPT_HELO_COLUMN: c->scan.helo_column = optarg; return 0;
  case OPT_PREVIOUS: c->previous = optarg; return 0;
  case 'q': c->quiet = 1; return 0;
  case OPT_STATUS_FILE:
    if (!*optarg) return err_set(err, errlen, UV_EINVAL, "--status-file: empty file name");
    c->status_file = optarg;
    return 0;
  case 'h': c->action = ACTION_HELP; return 1;
  case 'V': c->action = ACTION_VERSION; return 1;
  case ':': return err_set(err, errlen, UV_EINVAL, "%s: missing value", name);
  default: return err_set(err, errlen, UV_EINVAL, "unknown option '%.60s' (see --help)", name);
  }
}

/* The operands, and the options that only go together in some ways. */
static int check_targets(struct config *c, int argc, char **argv, char *err, size_t errlen) {
  c->src.targets = argv + optind;
  c->src.ntargets = (size_t)(argc - optind);
  if (c->src.inventory && c->src.ntargets)
    return err_set(err, errlen, UV_EINVAL, "give either TARGETs or --inventory, not both");
  if (!c->src.inventory && !c->src.ntargets)
    return err_set(err, errlen, UV_EINVAL,
                   "no targets (give TARGET... or -i INVENTORY.csv; see --help)");
  if ((c->src.ip_column || c->src.expect_column) && !c->src.inventory)
    return err_set(err, errlen, UV_EINVAL, "--ip-column/--expect-column need --inventory");
  if ((c->scan.sender_column || c->scan.helo_column) && !c->src.inventory)
    return err_set(err, errlen, UV_EINVAL, "--sender-column/--helo-column need --inventory");
  if (c->scan.dnsbl_txt && !c->scan.ndnsbl && !c->dnsbl_file)
    return err_set(err, errlen, UV_EINVAL, "--dnsbl-txt needs --dnsbl or --dnsbl-file");
  if (c->resume && c->dry_run)
    return err_set(err, errlen, UV_EINVAL, "--resume and --dry-run do not go together");
  if (c->previous && !c->html)
    return err_set(err, errlen, UV_EINVAL, "--previous is for the page: give --html FILE too");
  c->scan.html = c->html != NULL;
  return 0;
}

int options_parse(struct config *c, int argc, char **argv, char *err, size_t errlen) {
  int ch, idx, rc = config_init(c, argc, err, errlen);
  if (rc) return rc;
  optind = 0; /* glibc: 0 also resets internal state, so tests can parse twice */
  opterr = 0;
  while ((ch = getopt_long(argc, argv, ":i:o:r:c:qhV", longopts, &idx)) != -1) {
    const char *name = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
    rc = apply_option(c, ch, name, err, errlen);
    if (rc == 1) return 0; /* --help, --version */
    if (rc) return rc;
  }
  return check_targets(c, argc, argv, err, errlen);
}

static uint64_t fnv_str(uint64_t h, const char *s) {
  if (!s) s = "\x01(none)";
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
  return (h ^ 0xff) * 0x100000001b3ull; /* terminator: "ab","c" != "a","bc" */
}

uint64_t options_fingerprint(const struct config *c, uint64_t h) {
  char num[96];
  for (size_t i = 0; i < c->src.ntargets; i++) h = fnv_str(h, c->src.targets[i]);
  h = fnv_str(h, c->src.inventory);
  h = fnv_str(h, c->src.ip_column);
  h = fnv_str(h, c->src.expect_column);
  for (size_t i = 0; i < c->src.nexcludes; i++) h = fnv_str(h, c->src.excludes[i]);
  for (size_t i = 0; i < c->src.nexclude_files; i++) h = fnv_str(h, c->src.exclude_files[i]);
  snprintf(num, sizeof num, "%d %u/%u %d %llu %d %u %d %d", c->src.allow_huge, c->src.shard_k,
           c->src.shard_n, c->src.seeded, c->src.seed, c->scan.no_smtp, c->scan.smtp_port, (int)c->scan.format, c->scan.ordered);
  h = fnv_str(h, num);
  /* the sender checks decide columns */
  for (size_t i = 0; i < c->scan.ndnsbl; i++) h = fnv_str(h, c->scan.dnsbl[i].zone);
  h = fnv_str(h, c->dnsbl_file);
  h = fnv_str(h, c->scan.dnsbl_txt ? "txt" : "");
  h = fnv_str(h, c->scan.spf_domain);
  h = fnv_str(h, c->scan.sender_column);
  h = fnv_str(h, c->scan.helo_column);
  return fnv_str(h, c->scan.ehlo);
}

const char *options_usage(void) {
  return
"Usage: ptraudit [OPTIONS] TARGET...\n"
"       ptraudit [OPTIONS] -i INVENTORY.csv\n"
"       ptraudit diff OLD NEW [-o OUT]      what became worse or better\n"
"       ptraudit merge -o OUT REPORT...     one report from shards\n"
"       ptraudit summary [--by COL] [--html FILE] REPORT...\n"
"       (ptraudit SUBCOMMAND --help for each)\n"
"\n"
"Audit the mail identity of IP addresses: PTR record, forward confirmation of\n"
"every PTR name (FCrDNS, RFC 8601 iprev) and the SMTP greeting banner.  Writes\n"
"one CSV (or JSON lines) row per target (gzip when the name ends in .gz) and a\n"
"summary.\n"
"\n"
"Targets (streamed, never expanded in memory):\n"
"  ADDR                  an IPv4 or IPv6 address (strict: no 010.0.0.1, 127.1)\n"
"  ADDR/LEN              a CIDR block; host bits must be zero\n"
"  FIRST-LAST            an inclusive range of one family\n"
"  @FILE                 one TARGET per line; '#' comments and blank lines ignored\n"
"  -                     TARGETs from standard input\n"
"  Blocks above /8 (IPv4) or 2^32 addresses (IPv6) need --allow-huge.\n"
"\n"
"Input:\n"
"  -i, --inventory FILE  CSV with a header row ('-' = stdin); other columns are\n"
"                        copied to the report after the fixed columns\n"
"      --ip-column NAME  IP column (default: ip, ip_address, address, addr)\n"
"      --expect-column NAME  expected PTR column (default: expected_ptr,\n"
"                        expected, hostname); a value is a name or *.domain\n"
"      --allow-huge      allow target blocks beyond the size limits\n"
"      --exclude CIDR    never probe these addresses (repeatable; always wins;\n"
"                        excluded inventory rows are reported as skipped)\n"
"      --exclude-file F  exclusions, one CIDR/range/address per line\n"
"      --shard K/N       scan only shard K of N (1 <= K <= N): N processes with\n"
"                        the same inputs cover every target exactly once\n"
"      --seed S          scan each block in a pseudo-random order keyed by S\n"
"      --dry-run         show what would be scanned; send nothing\n"
"      --resume CP       continue an interrupted run from its checkpoint (same\n"
"                        inputs and options; write to a new -o)\n"
"      --checkpoint F    where a run stopped with targets left writes its\n"
"                        checkpoint (default: REPORT.checkpoint)\n"
"\n"
"Output:\n"
"  -o, --output FILE     report file; *.gz = gzip, '-' = stdout uncompressed\n"
"                        (default ptraudit-YYYYMMDDTHHMMSSZ.csv.gz, .jsonl.gz\n"
"                        with --format jsonl)\n"
"                        complete runs get NAME, stopped ones NAME.partial\n"
"      --force           replace an existing report, NAME.partial, checkpoint\n"
"                        or --html page (never an input or another output)\n"
"      --ordered         write rows in input order (bounded reorder window)\n"
"      --format FMT      csv (default) or jsonl (one typed JSON object per row;\n"
"                        schema: ptraudit schema); REPORT.meta.json is written\n"
"                        beside the report after every run\n"
"      --html FILE       also write a self-contained HTML summary page\n"
"      --previous REPORT with --html: the page also shows the change since this\n"
"                        earlier report (as ptraudit diff; needs -o FILE)\n"
"\n"
"DNS:\n"
"  -r, --resolver ADDR[:PORT]  resolver to ask (repeatable; IPv6 as [ADDR]:PORT);\n"
"                        default: the system's resolver configuration\n"
"      --dns-timeout MS  first try's timeout (default 2000); c-ares doubles it\n"
"                        on each retry: a query gives up after\n"
"                        MS x (2^TRIES - 1) (default 6 s)\n"
"      --dns-tries N     tries per query (default 2)\n"
"      --channels N      c-ares channels to spread queries over (default: auto)\n"
"\n"
"SMTP:\n"
"      --smtp-port N     port of the banner probe (default 25)\n"
"      --no-smtp         skip the banner probe\n"
"      --smtp-timeout MS greeting deadline, counted from the start of the\n"
"                        connect (default 30000; tarpits wait 15 s and more)\n"
"      --connect-timeout MS  connect deadline (default 5000; at most\n"
"                        --smtp-timeout): filtered addresses give up early\n"
"      --smtp-concurrency N  probes at once (default: rate x the longest\n"
"                        session, within the descriptor limit)\n"
"      --sessions-per-prefix N  sessions at once per /24 (IPv4) or /64 (IPv6)\n"
"                        that answer (default 10); silent blocks are not limited\n"
"      --smtp-tries N    connections per target when the greeting says 421\n"
"                        (default 3, with back-off)\n"
"      --ehlo NAME       after a 2xx greeting also send EHLO NAME (an FQDN that\n"
"                        identifies the scanner); adds the ehlo_host column\n"
"\n"
"Sender checks (none unless asked; see \"Sender requirements\" in ptraudit(1)):\n"
"      --dnsbl ZONE      ask DNS blocklist ZONE about every target (RFC 5782;\n"
"                        repeatable, at most 32); adds the dnsbl column\n"
"      --dnsbl-file F    blocklists, one ZONE [LABEL] a line, '#' comments\n"
"      --dnsbl-txt       also fetch the TXT reason of every listing\n"
"      --spf-domain D    check SPF (RFC 7208) and DMARC (RFC 7489) for sender\n"
"                        domain D on targets without a sender of their own;\n"
"                        adds the spf, spf_detail and dmarc columns\n"
"      --sender-column NAME  inventory column holding the sender (local@domain\n"
"                        or domain; default: sender, mail_from, envelope_from,\n"
"                        domain)\n"
"      --helo-column NAME  inventory column holding the HELO name, checked when\n"
"                        the sender is empty (default: helo)\n"
"\n"
"Pacing:\n"
"      --rate N          targets started per second (default 100; 0 = no cap)\n"
"  -c, --concurrency N   targets resolving at once (default: rate x the longest\n"
"                        lookups x 1.5, at least 256; 2048 with --rate 0)\n"
"\n"
"Reporting:\n"
"  -q, --quiet           no status lines on stderr, no summary\n"
"      --status-interval S  without a terminal, a status line on stderr every\n"
"                        S seconds (default 10; 0 = none): share done, ETA,\n"
"                        rate of the last 5 s, rows in flight per stage, what\n"
"                        limits the run (on a terminal: one line, redrawn)\n"
"      --status-file FILE  append the status as JSON lines to FILE every\n"
"                        --status-interval seconds (10 if 0), even with -q\n"
"      --fail-on LEVEL   fail (default), warn or never: which verdicts make the\n"
"                        exit status 1\n"
"  -h, --help            this help\n"
"  -V, --version         version\n"
"\n"
"Exit status: 0 done, nothing at or above --fail-on; 1 done with such rows;\n"
"2 usage or input error; 3 runtime error (e.g. report not writable);\n"
"130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP.\n"
"\n"
"Report columns: ip, verdict, flags, iprev, ptr_status, ptr, forward,\n"
"smtp_status, smtp_code, banner_host, banner, expected, checked_at, smtp_tries,\n"
"greeting_ms, then only when asked: ehlo_host (--ehlo), dnsbl (--dnsbl),\n"
"dnsbl_txt (--dnsbl-txt), spf, spf_detail, dmarc (a sender), then the\n"
"inventory's other columns.  See ptraudit(1) and `ptraudit schema`.\n";
}
