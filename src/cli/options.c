/*
 * options.c - command-line parsing.  See options.h.
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "addr.h"
#include "ratelimit.h"

static int fail(char *err, size_t errlen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err, errlen, fmt, ap);
  va_end(ap);
  return UV_EINVAL;
}

/* Strict unsigned parse: digits only, whole string, within [lo, hi]. */
static int parse_uint(const char *opt, const char *s, unsigned long lo, unsigned long hi,
                      unsigned *out, char *err, size_t errlen) {
  char *end;
  if (*s < '0' || *s > '9')
    return fail(err, errlen, "%s: '%.40s' is not a whole number", opt, s);
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (*end != '\0')
    return fail(err, errlen, "%s: '%.40s' is not a whole number", opt, s);
  if (errno == ERANGE || v < lo || v > hi)
    return fail(err, errlen, "%s: %.40s is out of range (%lu-%lu)", opt, s, lo, hi);
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
    return fail(err, errlen, "--rate: '%.40s' is not a plain decimal number of targets per "
                "second (such as 20 or 0.5; 0 means no cap)", s);
  double r = strtod(s, NULL);
  if (r != 0 && r < RATELIMIT_MIN)
    return fail(err, errlen, "--rate: %.40s is below the minimum of 0.001 targets per second "
                "(0 means no cap)", s);
  if (r > RATELIMIT_MAX)
    return fail(err, errlen, "--rate: %.40s is above the maximum of 10000000", s);
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
    return fail(err, errlen, "--resolver: at most %d resolvers", SCAN_MAX_RESOLVERS);
  if (spec[0] == '[') { /* [v6]:port or [v6] */
    const char *close = strchr(spec, ']');
    if (!close)
      return fail(err, errlen, "--resolver: '%.60s' has '[' without ']'", spec);
    h = spec + 1;
    hlen = (size_t)(close - h);
    if (close[1] == ':')
      p = close + 2;
    else if (close[1] != '\0')
      return fail(err, errlen, "--resolver: unexpected text after ']' in '%.60s'", spec);
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
    return fail(err, errlen, "--resolver: '%.60s' is not an IP address (hostnames are not "
                "accepted: a resolver must be reachable without DNS)", spec);
  if (p && parse_uint("--resolver port", p, 1, 65535, &port, err, errlen))
    return UV_EINVAL;
  addr_format(&a, host);
  size_t used = strlen(c->scan.resolvers);
  int n = snprintf(c->scan.resolvers + used, sizeof c->scan.resolvers - used,
                   a.family == 6 ? "%s[%s]:%u" : "%s%s:%u", used ? "," : "", host, port);
  if (n < 0 || (size_t)n >= sizeof c->scan.resolvers - used)
    return fail(err, errlen, "--resolver: too many resolvers");
  c->nresolvers++;
  return 0;
}

enum {
  OPT_IP_COLUMN = 256, OPT_EXPECT_COLUMN, OPT_SMTP_PORT, OPT_NO_SMTP, OPT_RATE,
  OPT_DNS_TIMEOUT, OPT_DNS_TRIES, OPT_SMTP_TIMEOUT, OPT_FAIL_ON, OPT_FORCE,
  OPT_ORDERED, OPT_ALLOW_HUGE, OPT_CHANNELS, OPT_EXCLUDE, OPT_EXCLUDE_FILE, OPT_SHARD,
  OPT_SEED, OPT_DRY_RUN, OPT_RESUME, OPT_CHECKPOINT, OPT_EHLO, OPT_FORMAT, OPT_HTML
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
  {"quiet", no_argument, NULL, 'q'},
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

void options_free(struct config *c) {
  free(c->src.excludes);
  free(c->src.exclude_files);
  c->src.excludes = c->src.exclude_files = NULL;
  c->src.nexcludes = c->src.nexclude_files = 0;
}

int options_parse(struct config *c, int argc, char **argv, char *err, size_t errlen) {
  int ch, idx;
  memset(c, 0, sizeof *c);
  /* Lists can hold at most argc entries: allocate that once. */
  c->src.excludes = calloc((size_t)argc + 1, sizeof *c->src.excludes);
  c->src.exclude_files = calloc((size_t)argc + 1, sizeof *c->src.exclude_files);
  if (!c->src.excludes || !c->src.exclude_files) return fail(err, errlen, "out of memory");
  c->scan.dns_timeout_ms = 2000;
  c->scan.dns_tries = 2;
  c->scan.smtp_port = 25;
  c->scan.smtp_timeout_ms = 10000;
  c->scan.rate = 100;
  c->scan.concurrency = 256;
  c->fail_on = FAIL_ON_FAIL;

  optind = 0; /* glibc: 0 also resets internal state, so tests can parse twice */
  opterr = 0;
  while ((ch = getopt_long(argc, argv, ":i:o:r:c:qhV", longopts, &idx)) != -1) {
    const char *name = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
    switch (ch) {
    case 'i': c->src.inventory = optarg; break;
    case OPT_IP_COLUMN: c->src.ip_column = optarg; break;
    case OPT_EXPECT_COLUMN: c->src.expect_column = optarg; break;
    case 'o':
      if (!*optarg) return fail(err, errlen, "--output: empty file name");
      c->output = optarg;
      break;
    case OPT_FORCE: c->force = 1; break;
    case OPT_ORDERED: c->scan.ordered = 1; break;
    case 'r':
      if (options_add_resolver(c, optarg, err, errlen)) return UV_EINVAL;
      break;
    case OPT_DNS_TIMEOUT:
      if (parse_uint("--dns-timeout", optarg, 1, 600000, &c->scan.dns_timeout_ms, err, errlen))
        return UV_EINVAL;
      break;
    case OPT_DNS_TRIES:
      if (parse_uint("--dns-tries", optarg, 1, 10, &c->scan.dns_tries, err, errlen))
        return UV_EINVAL;
      break;
    case OPT_CHANNELS:
      if (parse_uint("--channels", optarg, 1, 64, &c->scan.channels, err, errlen))
        return UV_EINVAL;
      break;
    case OPT_SMTP_PORT:
      if (parse_uint("--smtp-port", optarg, 1, 65535, &c->scan.smtp_port, err, errlen))
        return UV_EINVAL;
      break;
    case OPT_NO_SMTP: c->scan.no_smtp = 1; break;
    case OPT_SMTP_TIMEOUT:
      if (parse_uint("--smtp-timeout", optarg, 1, 600000, &c->scan.smtp_timeout_ms, err, errlen))
        return UV_EINVAL;
      break;
    case OPT_RATE:
      if (parse_rate(optarg, &c->scan.rate, err, errlen)) return UV_EINVAL;
      break;
    case 'c':
      if (parse_uint("--concurrency", optarg, 1, 65536, &c->scan.concurrency, err, errlen))
        return UV_EINVAL;
      break;
    case OPT_ALLOW_HUGE: c->src.allow_huge = 1; break;
    case OPT_EXCLUDE: c->src.excludes[c->src.nexcludes++] = optarg; break;
    case OPT_EXCLUDE_FILE: c->src.exclude_files[c->src.nexclude_files++] = optarg; break;
    case OPT_SHARD: {
      /* Each side strictly decimal and range-checked: sscanf's %u took
       * "4294967297/4294967297" as 1/1, silently another share. */
      char kbuf[24];
      const char *slash = strchr(optarg, '/');
      unsigned k, n;
      size_t kl = slash ? (size_t)(slash - optarg) : 0;
      if (!slash || kl == 0 || kl >= sizeof kbuf)
        return fail(err, errlen, "--shard: '%.40s' is not K/N (e.g. 1/4)", optarg);
      memcpy(kbuf, optarg, kl);
      kbuf[kl] = '\0';
      if (parse_uint("--shard N", slash + 1, 1, 1000000, &n, err, errlen) ||
          parse_uint("--shard K", kbuf, 1, n, &k, err, errlen))
        return UV_EINVAL;
      c->src.shard_k = k;
      c->src.shard_n = n;
      break;
    }
    case OPT_SEED: {
      char *end;
      errno = 0;
      if (optarg[0] < '0' || optarg[0] > '9')
        return fail(err, errlen, "--seed: '%.40s' is not a whole number", optarg);
      c->src.seed = strtoull(optarg, &end, 10);
      if (*end || errno) return fail(err, errlen, "--seed: '%.40s' is not a whole number", optarg);
      c->src.seeded = 1;
      break;
    }
    case OPT_DRY_RUN: c->dry_run = 1; break;
    case OPT_RESUME: c->resume = optarg; break;
    case OPT_CHECKPOINT: c->checkpoint = optarg; break;
    case OPT_EHLO:
      if (!valid_ehlo(optarg))
        return fail(err, errlen, "--ehlo: '%.60s' is not a fully qualified domain name "
                    "(RFC 5321 4.1.1.1)", optarg);
      c->scan.ehlo = optarg;
      break;
    case OPT_FORMAT:
      if (!strcmp(optarg, "csv")) c->scan.format = FORMAT_CSV;
      else if (!strcmp(optarg, "jsonl")) c->scan.format = FORMAT_JSONL;
      else return fail(err, errlen, "--format: '%.40s' is not csv or jsonl", optarg);
      break;
    case OPT_HTML: c->html = optarg; break;
    case 'q': c->quiet = 1; break;
    case OPT_FAIL_ON:
      if (!strcmp(optarg, "fail")) c->fail_on = FAIL_ON_FAIL;
      else if (!strcmp(optarg, "warn")) c->fail_on = FAIL_ON_WARN;
      else if (!strcmp(optarg, "never")) c->fail_on = FAIL_ON_NEVER;
      else return fail(err, errlen, "--fail-on: '%.40s' is not one of fail, warn, never", optarg);
      break;
    case 'h': c->action = ACTION_HELP; return 0;
    case 'V': c->action = ACTION_VERSION; return 0;
    case ':': return fail(err, errlen, "%s: missing value", name);
    default: return fail(err, errlen, "unknown option '%.60s' (see --help)", name);
    }
  }
  c->src.targets = argv + optind;
  c->src.ntargets = (size_t)(argc - optind);
  if (c->src.inventory && c->src.ntargets)
    return fail(err, errlen, "give either TARGETs or --inventory, not both");
  if (!c->src.inventory && !c->src.ntargets)
    return fail(err, errlen, "no targets (give TARGET... or -i INVENTORY.csv; see --help)");
  if ((c->src.ip_column || c->src.expect_column) && !c->src.inventory)
    return fail(err, errlen, "--ip-column/--expect-column need --inventory");
  if (c->resume && c->dry_run)
    return fail(err, errlen, "--resume and --dry-run do not go together");
  c->scan.html = c->html != NULL;
  return 0;
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
"      --checkpoint F    where an interrupted run writes its checkpoint\n"
"                        (default: REPORT.checkpoint)\n"
"\n"
"Output:\n"
"  -o, --output FILE     report file; *.gz = gzip, '-' = stdout uncompressed\n"
"                        (default ptraudit-YYYYMMDDTHHMMSSZ.csv.gz, .jsonl.gz\n"
"                        with --format jsonl)\n"
"      --force           replace an existing report file\n"
"      --ordered         write rows in input order (bounded reorder window)\n"
"      --format FMT      csv (default) or jsonl (one JSON object per row)\n"
"      --html FILE       also write a self-contained HTML summary page\n"
"\n"
"DNS:\n"
"  -r, --resolver ADDR[:PORT]  resolver to ask (repeatable; IPv6 as [ADDR]:PORT);\n"
"                        default: the system's resolver configuration\n"
"      --dns-timeout MS  per-try timeout (default 2000)\n"
"      --dns-tries N     tries per query (default 2)\n"
"      --channels N      c-ares channels to spread queries over (default: auto)\n"
"\n"
"SMTP:\n"
"      --smtp-port N     port of the banner probe (default 25)\n"
"      --no-smtp         skip the banner probe\n"
"      --smtp-timeout MS connect plus whole greeting (default 10000)\n"
"      --ehlo NAME       after a 2xx greeting also send EHLO NAME (an FQDN that\n"
"                        identifies the scanner); adds the ehlo_host column\n"
"\n"
"Pacing:\n"
"      --rate N          targets started per second, 0.001-10000000 (default 100;\n"
"                        0 = no cap)\n"
"  -c, --concurrency N   targets in flight (default 256)\n"
"\n"
"Reporting:\n"
"  -q, --quiet           no progress line, no summary\n"
"      --fail-on LEVEL   fail (default), warn or never: which verdicts make the\n"
"                        exit status 1\n"
"  -h, --help            this help\n"
"  -V, --version         version\n"
"\n"
"Exit status: 0 done, nothing at or above --fail-on; 1 done with such rows;\n"
"2 usage or input error; 3 runtime error (e.g. report not writable);\n"
"130/143 interrupted by SIGINT/SIGTERM.\n"
"\n"
"Report columns: ip, verdict, flags, iprev, ptr_status, ptr, forward,\n"
"smtp_status, smtp_code, banner_host, banner, expected, checked_at, ehlo_host\n"
"(only with --ehlo), then the inventory's other columns.  See ptraudit(1).\n";
}
