/* SPDX-License-Identifier: MIT */
/*
 * testnet.c - the loopback test network: an algorithmic DNS zone and SMTP
 * greeting scenarios on 127.0.0.0/8 and ::1, so the demo, the tests and the
 * benchmarks need nothing outside the machine.  Usage in usage() below; the
 * address plan in scenario.h and tests/testnet.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "builtin.h"
#include "dnsserver.h"
#include "scenario.h"
#include "smtpserver.h"
#include "testnet.h"

#define LISTENERS_MAX 65536
#define FD_RESERVE 256 /* descriptors kept for connections beyond listeners */
#define RANGES_MAX 256
#define ZONE_FILES_MAX 256

static FILE *log_file;
static int quiet;

void tn_log(const char *fmt, ...) {
  if (!log_file)
    return;
  struct timespec ts;
  struct tm tm;
  char when[32];
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
  fprintf(log_file, "%s.%03ldZ testnet[%ld]: ", when, ts.tv_nsec / 1000000L,
          (long)getpid());
  va_list ap;
  va_start(ap, fmt);
  vfprintf(log_file, fmt, ap);
  va_end(ap);
  fputc('\n', log_file);
  fflush(log_file);
}

static void usage(FILE *f) {
  fputs(
      "Usage: testnet --dns-port N [OPTIONS]\n"
      "Serve the ptraudit loopback test network (see tests/testnet.md).\n"
      "\n"
      "  --dns-port N        DNS port, UDP and TCP (0: pick a free one)\n"
      "  --dns-addr ADDR     DNS address, in 127.0.0.0/8 or ::1 (default 127.0.0.1)\n"
      "  --smtp-port N       serve SMTP on port N (0: pick a free one); needs\n"
      "                      --smtp-net or --smtp-any\n"
      "  --smtp-net CIDR     one listener per address of CIDR (in 127.0.0.0/8;\n"
      "                      repeatable); \"no listener\" addresses are refused\n"
      "  --smtp-any          one 0.0.0.0 listener; non-loopback destinations and\n"
      "                      \"no listener\" addresses are reset\n"
      "  --dns-tcp MODE      serve (default), refuse (no TCP socket: refused) or\n"
      "                      stall (accept and read, never answer)\n"
      "  --dns-refuse PCT    answer REFUSED to PCT% of all queries (evenly spread)\n"
      "  --dns-drop PCT      never answer PCT% of all queries (evenly spread)\n"
      "  --dns-lame CIDR     names under this IPv4 block are lame: dropped when\n"
      "                      asked with RD, referred to a dead server without\n"
      "                      (repeatable)\n"
      "  --dns-delay I:MIN-MAX  answer I% of questions at once, the others after\n"
      "                      MIN..MAX ms (a fixed function of name and type)\n"
      "  --zone-file FILE    also serve the records of FILE (repeatable; format in\n"
      "                      tests/testnet.md); names outside every zone become\n"
      "                      NXDOMAIN instead of REFUSED\n"
      "  --zone-only         serve only the --zone-file records (no address plan,\n"
      "                      no built-in records)\n"
      "  --mta-limit N       shared MTAs (127.66.0.0/16): concurrent sessions per\n"
      "                      client per /24 (default 20), then 421\n"
      "  --smtp-polite       every scenario answers QUIT with 221 2.0.0 Bye and\n"
      "                      waits for the client to close\n"
      "  --pidfile F         write the process id to F once ready\n"
      "  --ready-file F      write \"key value\" lines (pid, ports) to F once ready\n"
      "  --stats F           write counters to F on exit and on SIGUSR1\n"
      "  --log F             append a log to F (nothing is printed otherwise)\n"
      "  --quiet             log only problems (pregreets, errors)\n"
      "  -h, --help          this help\n"
      "\n"
      "SIGTERM/SIGINT: close everything and exit 0.  SIGUSR1: write --stats.\n"
      "Exit status: 0 clean stop, 1 runtime error (e.g. bind), 2 usage error.\n",
      f);
}

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die_usage(const char *fmt, ...) {
  va_list ap;
  fputs("testnet: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs(" (try --help)\n", stderr);
  exit(2);
}

static int parse_port(const char *s) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < 0 || v > 65535 || s[0] == '-' || s[0] == '+')
    return -1;
  return (int)v;
}

/* "a.b.c.d/len" (or a bare address) inside 127.0.0.0/8, no host bits. */
static int parse_cidr(const char *s, struct tn_range *r) {
  char buf[64];
  const char *slash = strchr(s, '/');
  size_t alen = slash ? (size_t)(slash - s) : strlen(s);
  int len = 32;
  struct in_addr a;
  if (alen >= sizeof buf)
    return -1;
  memcpy(buf, s, alen);
  buf[alen] = '\0';
  if (inet_pton(AF_INET, buf, &a) != 1)
    return -1;
  if (slash) {
    char *end;
    if (!slash[1] || slash[1] == '+' || slash[1] == '-')
      return -1;
    long v = strtol(slash + 1, &end, 10);
    if (*end || v < 8 || v > 32)
      return -1;
    len = (int)v;
  }
  uint32_t first = ntohl(a.s_addr);
  uint32_t mask = len == 32 ? 0xFFFFFFFFu : ~(0xFFFFFFFFu >> len);
  if ((first >> 24) != 127 || (first & ~mask) != 0)
    return -1;
  r->first = first;
  r->last = first | ~mask;
  return 0;
}

static int cmp_range(const void *a, const void *b) {
  const struct tn_range *x = a, *y = b;
  return x->first < y->first ? -1 : x->first > y->first;
}

/* Sort and merge overlapping or adjacent ranges; returns the new count. */
static size_t merge_ranges(struct tn_range *r, size_t n) {
  size_t o = 0;
  qsort(r, n, sizeof *r, cmp_range);
  for (size_t i = 0; i < n; i++) {
    if (o > 0 && (uint64_t)r[i].first <= (uint64_t)r[o - 1].last + 1) {
      if (r[i].last > r[o - 1].last)
        r[o - 1].last = r[i].last;
    } else {
      r[o++] = r[i];
    }
  }
  return o;
}

/* Write text to path atomically (temporary file, then rename), so a
 * reader polling for the file never sees half of it. */
static int write_file(const char *path, const char *text) {
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
    return -1;
  FILE *f = fopen(tmp, "w");
  if (!f)
    return -1;
  int ok = fputs(text, f) >= 0;
  ok = (fclose(f) == 0) && ok;
  if (!ok || rename(tmp, path) != 0) {
    unlink(tmp);
    return -1;
  }
  return 0;
}

struct app {
  uv_loop_t loop;
  struct tn_zdata *files, *builtin;
  uv_signal_t sigterm, sigint, sigusr1;
  struct tn_dns_server *dns;
  struct tn_smtp_server *smtp;
  struct tn_stats stats;
  const char *stats_path;
  int stopping;
};

static void write_stats(struct app *a) {
  if (!a->stats_path)
    return;
  const struct tn_stats *s = &a->stats;
  /* The order of tests/testnet.md's table; later additions at the end. */
  const struct { const char *key; uint64_t v; } kv[] = {
    {"dns_udp", s->dns_udp}, {"dns_tcp", s->dns_tcp}, {"dns_tcp_conn", s->dns_tcp_conn},
    {"dns_q_ptr", s->dns_q_ptr}, {"dns_q_a", s->dns_q_a}, {"dns_q_aaaa", s->dns_q_aaaa},
    {"dns_q_other", s->dns_q_other}, {"dns_formerr", s->dns_formerr},
    {"dns_silent", s->dns_silent}, {"dns_truncated", s->dns_truncated},
    {"dns_send_fail", s->dns_send_fail}, {"dns_forced_refused", s->dns_forced_refused},
    {"smtp_conn", s->smtp_conn}, {"smtp_foreign", s->smtp_foreign},
    {"smtp_pregreet", s->smtp_pregreet}, {"smtp_ehlo", s->smtp_ehlo},
    {"smtp_helo", s->smtp_helo}, {"smtp_quit", s->smtp_quit},
    {"smtp_other_cmd", s->smtp_other_cmd}, {"smtp_reset", s->smtp_reset},
    {"dns_forced_dropped", s->dns_forced_dropped}, {"dns_lame_dropped", s->dns_lame_dropped},
    {"dns_lame_referral", s->dns_lame_referral}, {"dns_delayed", s->dns_delayed},
    {"dns_delay_overflow", s->dns_delay_overflow}, {"smtp_limit_421", s->smtp_limit_421},
    {"smtp_client_fin", s->smtp_client_fin}, {"smtp_client_rst", s->smtp_client_rst},
  };
  char text[2048];
  size_t n = 0;
  for (size_t i = 0; i < sizeof kv / sizeof kv[0] && n < sizeof text; i++)
    n += (size_t)snprintf(text + n, sizeof text - n, "%s %llu\n", kv[i].key,
                          (unsigned long long)kv[i].v);
  if (write_file(a->stats_path, text) != 0)
    tn_log("cannot write stats file %s: %s", a->stats_path, strerror(errno));
}

static void on_signal(uv_signal_t *h, int signum) {
  struct app *a = h->data;
  if (signum == SIGUSR1) {
    write_stats(a);
    return;
  }
  if (a->stopping)
    return;
  a->stopping = 1;
  if (!quiet)
    tn_log("signal %d: stopping", signum);
  if (a->dns)
    tn_dns_stop(a->dns);
  if (a->smtp)
    tn_smtp_stop(a->smtp);
  a->dns = NULL;
  a->smtp = NULL;
  uv_close((uv_handle_t *)&a->sigterm, NULL);
  uv_close((uv_handle_t *)&a->sigint, NULL);
  uv_close((uv_handle_t *)&a->sigusr1, NULL);
}

static void raise_nofile(rlim_t *now) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
    *now = 1024;
    return;
  }
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  *now = rl.rlim_cur;
}

/* Everything the command line sets. */
struct opts {
  int dns_port, smtp_port, smtp_any;
  int dns_tcp, dns_refuse, dns_drop;
  int delay_on, delay_instant, delay_min, delay_max;
  int mta_limit, smtp_polite;
  const char *dns_addr, *pidfile, *ready, *logpath;
  struct tn_range ranges[RANGES_MAX];
  size_t nranges;
  struct tn_range lame[RANGES_MAX];
  size_t nlame;
  const char *zone_files[ZONE_FILES_MAX];
  size_t nzone_files;
  int zone_only;
};

static int parse_pct(const char *s) {
  char *end;
  long v = strtol(s, &end, 10);
  if (end == s || *end || v < 0 || v > 100 || s[0] == '-' || s[0] == '+')
    return -1;
  return (int)v;
}

/* "INSTANT_PCT:MIN_MS-MAX_MS", e.g. "30:100-200"; delays up to 600 s. */
static int parse_delay(const char *s, struct opts *o) {
  char pct[8];
  const char *colon = strchr(s, ':');
  if (!colon || colon - s == 0 || (size_t)(colon - s) >= sizeof pct)
    return -1;
  memcpy(pct, s, (size_t)(colon - s));
  pct[colon - s] = '\0';
  const char *p = colon + 1;
  char *end;
  if (*p < '0' || *p > '9')
    return -1;
  long lo = strtol(p, &end, 10);
  if (*end != '-' || end[1] < '0' || end[1] > '9')
    return -1;
  long hi = strtol(end + 1, &end, 10);
  if (*end || (o->delay_instant = parse_pct(pct)) < 0 || lo > hi || hi > 600000)
    return -1;
  o->delay_min = (int)lo;
  o->delay_max = (int)hi;
  o->delay_on = 1;
  return 0;
}

static void add_range(struct tn_range *r, size_t *n, const char *opt, const char *arg) {
  if (*n == RANGES_MAX)
    die_usage("%s: at most %d blocks", opt, RANGES_MAX);
  if (parse_cidr(arg, &r[*n]) != 0)
    die_usage("%s: %s is not an IPv4 CIDR block inside 127.0.0.0/8 "
              "(prefix 8..32, no host bits set)", opt, arg);
  (*n)++;
}

enum { O_DNS_PORT = 256, O_DNS_ADDR, O_SMTP_PORT, O_SMTP_NET, O_SMTP_ANY,
       O_PIDFILE, O_READY, O_LOG, O_QUIET, O_STATS, O_DNS_TCP, O_DNS_REFUSE,
       O_DNS_DROP, O_DNS_LAME, O_DNS_DELAY, O_MTA_LIMIT, O_SMTP_POLITE,
       O_ZONE_FILE, O_ZONE_ONLY };

static const struct option long_opts[] = {
  {"dns-port", required_argument, NULL, O_DNS_PORT},
  {"dns-addr", required_argument, NULL, O_DNS_ADDR},
  {"smtp-port", required_argument, NULL, O_SMTP_PORT},
  {"smtp-net", required_argument, NULL, O_SMTP_NET},
  {"smtp-any", no_argument, NULL, O_SMTP_ANY},
  {"pidfile", required_argument, NULL, O_PIDFILE},
  {"ready-file", required_argument, NULL, O_READY},
  {"log", required_argument, NULL, O_LOG},
  {"quiet", no_argument, NULL, O_QUIET},
  {"stats", required_argument, NULL, O_STATS},
  {"dns-tcp", required_argument, NULL, O_DNS_TCP},
  {"dns-refuse", required_argument, NULL, O_DNS_REFUSE},
  {"dns-drop", required_argument, NULL, O_DNS_DROP},
  {"dns-lame", required_argument, NULL, O_DNS_LAME},
  {"dns-delay", required_argument, NULL, O_DNS_DELAY},
  {"mta-limit", required_argument, NULL, O_MTA_LIMIT},
  {"smtp-polite", no_argument, NULL, O_SMTP_POLITE},
  {"zone-file", required_argument, NULL, O_ZONE_FILE},
  {"zone-only", no_argument, NULL, O_ZONE_ONLY},
  {"help", no_argument, NULL, 'h'},
  {NULL, 0, NULL, 0}
};

/* One option with an argument; dies on a bad value. */
static void set_opt(struct opts *o, struct app *a, int c, const char *arg) {
  switch (c) {
  case O_DNS_PORT:
    if ((o->dns_port = parse_port(arg)) < 0)
      die_usage("--dns-port: not a port number: %s", arg);
    break;
  case O_DNS_ADDR: o->dns_addr = arg; break;
  case O_SMTP_PORT:
    if ((o->smtp_port = parse_port(arg)) < 0)
      die_usage("--smtp-port: not a port number: %s", arg);
    break;
  case O_SMTP_NET: add_range(o->ranges, &o->nranges, "--smtp-net", arg); break;
  case O_DNS_LAME: add_range(o->lame, &o->nlame, "--dns-lame", arg); break;
  case O_PIDFILE: o->pidfile = arg; break;
  case O_ZONE_FILE:
    if (o->nzone_files == ZONE_FILES_MAX)
      die_usage("--zone-file: at most %d files", ZONE_FILES_MAX);
    o->zone_files[o->nzone_files++] = arg;
    break;
  case O_READY: o->ready = arg; break;
  case O_LOG: o->logpath = arg; break;
  case O_STATS: a->stats_path = arg; break;
  case O_DNS_TCP:
    if (strcmp(arg, "serve") == 0)
      o->dns_tcp = TN_DNS_TCP_SERVE;
    else if (strcmp(arg, "refuse") == 0)
      o->dns_tcp = TN_DNS_TCP_REFUSE;
    else if (strcmp(arg, "stall") == 0)
      o->dns_tcp = TN_DNS_TCP_STALL;
    else
      die_usage("--dns-tcp: serve, refuse or stall, not %s", arg);
    break;
  case O_DNS_REFUSE:
    if ((o->dns_refuse = parse_pct(arg)) < 0)
      die_usage("--dns-refuse: a percentage 0..100, not %s", arg);
    break;
  case O_DNS_DROP:
    if ((o->dns_drop = parse_pct(arg)) < 0)
      die_usage("--dns-drop: a percentage 0..100, not %s", arg);
    break;
  case O_DNS_DELAY:
    if (parse_delay(arg, o) != 0)
      die_usage("--dns-delay: INSTANT_PCT:MIN_MS-MAX_MS (e.g. 30:100-200, "
                "MIN <= MAX <= 600000), not %s", arg);
    break;
  case O_MTA_LIMIT: {
    char *end;
    long v = strtol(arg, &end, 10);
    if (end == arg || *end || v < 1 || v > 10000 || arg[0] == '+')
      die_usage("--mta-limit: a session count 1..10000, not %s", arg);
    o->mta_limit = (int)v;
    break;
  }
  }
}

static void parse_args(int argc, char **argv, struct opts *o, struct app *a) {
  int c;
  while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
    switch (c) {
    case O_SMTP_ANY: o->smtp_any = 1; break;
    case O_QUIET: quiet = 1; break;
    case O_SMTP_POLITE: o->smtp_polite = 1; break;
    case O_ZONE_ONLY: o->zone_only = 1; break;
    case 'h': usage(stdout); exit(0);
    case '?': usage(stderr); exit(2);
    default: set_opt(o, a, c, optarg); break;
    }
  }
  if (optind < argc)
    die_usage("unexpected argument: %s", argv[optind]);
  if (o->dns_port < 0)
    die_usage("--dns-port is required");
  if (o->smtp_port < 0 && (o->smtp_any || o->nranges))
    die_usage("--smtp-net and --smtp-any need --smtp-port");
  if (o->smtp_port >= 0 && !o->smtp_any && !o->nranges)
    die_usage("--smtp-port needs --smtp-net CIDR or --smtp-any");
  if (o->smtp_any && o->nranges)
    die_usage("--smtp-net and --smtp-any exclude each other");
  if (o->zone_only && !o->nzone_files)
    die_usage("--zone-only needs --zone-file FILE");
}

/* --dns-addr to a socket address: loopback only, this server must never
 * answer the outside world. */
static void dns_sockaddr(const struct opts *o, struct sockaddr_storage *dss) {
  static const uint8_t lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  struct sockaddr_in *d4 = (struct sockaddr_in *)dss;
  struct sockaddr_in6 *d6 = (struct sockaddr_in6 *)dss;
  memset(dss, 0, sizeof *dss);
  if (inet_pton(AF_INET, o->dns_addr, &d4->sin_addr) == 1) {
    if ((ntohl(d4->sin_addr.s_addr) >> 24) != 127)
      die_usage("--dns-addr must be in 127.0.0.0/8 or ::1, not %s", o->dns_addr);
    d4->sin_family = AF_INET;
    d4->sin_port = htons((uint16_t)o->dns_port);
  } else if (inet_pton(AF_INET6, o->dns_addr, &d6->sin6_addr) == 1) {
    if (memcmp(&d6->sin6_addr, lo6, 16) != 0)
      die_usage("--dns-addr must be in 127.0.0.0/8 or ::1, not %s", o->dns_addr);
    d6->sin6_family = AF_INET6;
    d6->sin6_port = htons((uint16_t)o->dns_port);
  } else {
    die_usage("--dns-addr: not an address: %s", o->dns_addr);
  }
}

/* Merge the --smtp-net blocks and check the listeners fit: returns 0, or
 * exits (2 usage, 1 open-file limit). */
static void check_listeners(struct opts *o) {
  rlim_t nofile;
  raise_nofile(&nofile);
  if (!o->nranges)
    return;
  uint64_t addrs = 0;
  o->nranges = merge_ranges(o->ranges, o->nranges);
  for (size_t i = 0; i < o->nranges; i++)
    addrs += (uint64_t)o->ranges[i].last - o->ranges[i].first + 1;
  size_t listeners =
      addrs > 2 * LISTENERS_MAX ? addrs : tn_smtp_listener_count(o->ranges, o->nranges);
  if (listeners > LISTENERS_MAX)
    die_usage("--smtp-net needs %zu listeners, more than %d; use --smtp-any",
              listeners, LISTENERS_MAX);
  if (listeners + FD_RESERVE > nofile) {
    fprintf(stderr,
            "testnet: --smtp-net needs %zu listening sockets but the open-file "
            "limit is %llu; use smaller blocks or --smtp-any\n",
            listeners, (unsigned long long)nofile);
    exit(1);
  }
}

/* The --zone-file data and the built-in records.  Returns 0, or -1 with
 * the message (file, line, field) in err. */
static int load_zones(struct app *a, const struct opts *o, char *err, size_t errlen) {
  if (!o->zone_only && (tn_zdata_new(&a->builtin) != 0 ||
                        tn_builtin_load(a->builtin, err, errlen) != 0 ||
                        tn_zdata_check(a->builtin, err, errlen) != 0)) {
    if (!a->builtin)
      snprintf(err, errlen, "out of memory");
    return -1;
  }
  if (!o->nzone_files)
    return 0;
  if (tn_zdata_new(&a->files) != 0) {
    snprintf(err, errlen, "out of memory");
    return -1;
  }
  for (size_t i = 0; i < o->nzone_files; i++)
    if (tn_zdata_load_file(a->files, o->zone_files[i], err, errlen) != 0)
      return -1;
  return tn_zdata_check(a->files, err, errlen) != 0 ? -1 : 0;
}

/* Start DNS, SMTP and the signal handlers.  Returns 0, or a negative code
 * with the message in err. */
static int start_servers(struct app *a, const struct opts *o,
                         const struct sockaddr_storage *dss, char *err, size_t errlen) {
  struct tn_dns_config dcfg = {
    .addr = (const struct sockaddr *)dss, .tcp_mode = o->dns_tcp,
    .refuse_pct = o->dns_refuse, .drop_pct = o->dns_drop,
    .lame = o->lame, .nlame = o->nlame, .delay_on = o->delay_on,
    .delay_instant_pct = o->delay_instant, .delay_min_ms = o->delay_min,
    .delay_max_ms = o->delay_max, .files = a->files, .builtin = a->builtin,
    .zone_only = o->zone_only};
  int r = tn_dns_start(&a->loop, &dcfg, &a->stats, &a->dns, err, errlen);
  if (r == 0 && o->smtp_port >= 0) {
    struct tn_smtp_config cfg = {.port = o->smtp_port, .any = o->smtp_any,
                                 .ranges = o->ranges, .nranges = o->nranges,
                                 .mta_limit = o->mta_limit, .polite = o->smtp_polite};
    r = tn_smtp_start(&a->loop, &cfg, &a->stats, &a->smtp, err, errlen);
  }
  if (r != 0)
    return r;
  uv_signal_init(&a->loop, &a->sigterm);
  uv_signal_init(&a->loop, &a->sigint);
  uv_signal_init(&a->loop, &a->sigusr1);
  a->sigterm.data = a->sigint.data = a->sigusr1.data = a;
  uv_signal_start(&a->sigterm, on_signal, SIGTERM);
  uv_signal_start(&a->sigint, on_signal, SIGINT);
  uv_signal_start(&a->sigusr1, on_signal, SIGUSR1);
  return 0;
}

/* The pid and ready files; returns 0, or -1 (logged) if one could not be
 * written. */
static int write_ready(const struct app *a, const struct opts *o) {
  char text[512], pidtext[32];
  int n = snprintf(text, sizeof text, "pid %ld\ndns_addr %s\ndns_port %d\n",
                   (long)getpid(), o->dns_addr, tn_dns_port(a->dns));
  if (a->smtp)
    snprintf(text + n, sizeof text - (size_t)n,
             "smtp_port %d\nsmtp_mode %s\nsmtp_listeners %zu\n",
             tn_smtp_port(a->smtp), o->smtp_any ? "any" : "net",
             tn_smtp_listeners(a->smtp));
  snprintf(pidtext, sizeof pidtext, "%ld\n", (long)getpid());
  const char *bad = o->pidfile && write_file(o->pidfile, pidtext) != 0 ? o->pidfile
                    : o->ready && write_file(o->ready, text) != 0      ? o->ready
                                                                       : NULL;
  if (bad) {
    fprintf(stderr, "testnet: cannot write %s: %s\n", bad, strerror(errno));
    tn_log("cannot write %s: %s", bad, strerror(errno));
    return -1;
  }
  if (!quiet) {
    tn_log("ready: dns %s port %d", o->dns_addr, tn_dns_port(a->dns));
    if (a->smtp)
      tn_log("ready: smtp port %d, %s mode, %zu listeners", tn_smtp_port(a->smtp),
             o->smtp_any ? "any" : "net", tn_smtp_listeners(a->smtp));
  }
  return 0;
}

int main(int argc, char **argv) {
  static struct opts o = {.dns_port = -1, .smtp_port = -1, .dns_addr = "127.0.0.1",
                          .mta_limit = 20};
  static struct app app;
  struct app *a = &app;
  struct sockaddr_storage dss;
  char err[256] = "";

  parse_args(argc, argv, &o, a);
  dns_sockaddr(&o, &dss);
  check_listeners(&o);
  if (load_zones(a, &o, err, sizeof err) != 0) {
    fprintf(stderr, "testnet: %s\n", err);
    tn_zdata_free(a->files);
    tn_zdata_free(a->builtin);
    return 2;
  }
  if (o.logpath && !(log_file = fopen(o.logpath, "a"))) {
    fprintf(stderr, "testnet: cannot open log %s: %s\n", o.logpath, strerror(errno));
    return 1;
  }
  /* libuv leaves SIGPIPE alone: a client that vanished mid-write must not
   * kill the server. */
  signal(SIGPIPE, SIG_IGN);
  int r = uv_loop_init(&a->loop);
  if (r != 0) {
    fprintf(stderr, "testnet: uv_loop_init: %s\n", uv_strerror(r));
    return 1;
  }
  if ((r = start_servers(a, &o, &dss, err, sizeof err)) != 0) {
    fprintf(stderr, "testnet: %s\n", err);
    tn_log("startup failed: %s", err);
    if (a->dns)
      tn_dns_stop(a->dns);
    uv_run(&a->loop, UV_RUN_DEFAULT); /* let the close callbacks free */
    uv_loop_close(&a->loop);
    if (log_file)
      fclose(log_file);
    return 1;
  }
  int failed = write_ready(a, &o) != 0;
  if (failed)
    raise(SIGTERM); /* delivered through the loop: a clean stop */

  uv_run(&a->loop, UV_RUN_DEFAULT);

  write_stats(a);
  if (o.pidfile)
    unlink(o.pidfile);
  if (o.ready)
    unlink(o.ready);
  r = uv_loop_close(&a->loop);
  if (!quiet)
    tn_log("stopped (dns_udp %llu, dns_tcp %llu, smtp_conn %llu, smtp_pregreet %llu)",
           (unsigned long long)a->stats.dns_udp, (unsigned long long)a->stats.dns_tcp,
           (unsigned long long)a->stats.smtp_conn,
           (unsigned long long)a->stats.smtp_pregreet);
  if (r != 0)
    tn_log("uv_loop_close: %s (a handle was left open)", uv_strerror(r));
  if (log_file)
    fclose(log_file);
  tn_zdata_free(a->files);
  tn_zdata_free(a->builtin);
  return r == 0 && !failed ? 0 : 1;
}
