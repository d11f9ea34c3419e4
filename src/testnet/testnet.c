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

#include "dnsserver.h"
#include "scenario.h"
#include "smtpserver.h"
#include "testnet.h"

#define LISTENERS_MAX 65536
#define FD_RESERVE 256 /* descriptors kept for connections beyond listeners */
#define RANGES_MAX 256

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
  char text[2048];
  snprintf(text, sizeof text,
           "dns_udp %llu\ndns_tcp %llu\ndns_tcp_conn %llu\n"
           "dns_q_ptr %llu\ndns_q_a %llu\ndns_q_aaaa %llu\ndns_q_other %llu\n"
           "dns_formerr %llu\ndns_silent %llu\ndns_truncated %llu\n"
           "dns_send_fail %llu\ndns_forced_refused %llu\n"
           "smtp_conn %llu\nsmtp_foreign %llu\nsmtp_pregreet %llu\n"
           "smtp_ehlo %llu\nsmtp_helo %llu\nsmtp_quit %llu\nsmtp_other_cmd %llu\n"
           "smtp_reset %llu\n",
           (unsigned long long)s->dns_udp, (unsigned long long)s->dns_tcp,
           (unsigned long long)s->dns_tcp_conn, (unsigned long long)s->dns_q_ptr,
           (unsigned long long)s->dns_q_a, (unsigned long long)s->dns_q_aaaa,
           (unsigned long long)s->dns_q_other, (unsigned long long)s->dns_formerr,
           (unsigned long long)s->dns_silent, (unsigned long long)s->dns_truncated,
           (unsigned long long)s->dns_send_fail,
           (unsigned long long)s->dns_forced_refused, (unsigned long long)s->smtp_conn,
           (unsigned long long)s->smtp_foreign, (unsigned long long)s->smtp_pregreet,
           (unsigned long long)s->smtp_ehlo, (unsigned long long)s->smtp_helo,
           (unsigned long long)s->smtp_quit, (unsigned long long)s->smtp_other_cmd,
           (unsigned long long)s->smtp_reset);
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

int main(int argc, char **argv) {
  enum { O_DNS_PORT = 256, O_DNS_ADDR, O_SMTP_PORT, O_SMTP_NET, O_SMTP_ANY,
         O_PIDFILE, O_READY, O_LOG, O_QUIET, O_STATS, O_DNS_TCP, O_DNS_REFUSE };
  static const struct option opts[] = {
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
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}
  };
  int dns_port = -1, smtp_port = -1, smtp_any = 0;
  int dns_tcp = TN_DNS_TCP_SERVE, dns_refuse = 0;
  const char *dns_addr = "127.0.0.1", *pidfile = NULL, *ready = NULL, *logpath = NULL;
  static struct tn_range ranges[RANGES_MAX];
  size_t nranges = 0;
  static struct app app;
  struct app *a = &app;
  int c;

  while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (c) {
    case O_DNS_PORT:
      if ((dns_port = parse_port(optarg)) < 0)
        die_usage("--dns-port: not a port number: %s", optarg);
      break;
    case O_DNS_ADDR: dns_addr = optarg; break;
    case O_SMTP_PORT:
      if ((smtp_port = parse_port(optarg)) < 0)
        die_usage("--smtp-port: not a port number: %s", optarg);
      break;
    case O_SMTP_NET:
      if (nranges == RANGES_MAX)
        die_usage("--smtp-net: at most %d blocks", RANGES_MAX);
      if (parse_cidr(optarg, &ranges[nranges]) != 0)
        die_usage("--smtp-net: %s is not an IPv4 CIDR block inside 127.0.0.0/8 "
                  "(prefix 8..32, no host bits set)", optarg);
      nranges++;
      break;
    case O_SMTP_ANY: smtp_any = 1; break;
    case O_PIDFILE: pidfile = optarg; break;
    case O_READY: ready = optarg; break;
    case O_LOG: logpath = optarg; break;
    case O_QUIET: quiet = 1; break;
    case O_STATS: a->stats_path = optarg; break;
    case O_DNS_TCP:
      if (strcmp(optarg, "serve") == 0)
        dns_tcp = TN_DNS_TCP_SERVE;
      else if (strcmp(optarg, "refuse") == 0)
        dns_tcp = TN_DNS_TCP_REFUSE;
      else if (strcmp(optarg, "stall") == 0)
        dns_tcp = TN_DNS_TCP_STALL;
      else
        die_usage("--dns-tcp: serve, refuse or stall, not %s", optarg);
      break;
    case O_DNS_REFUSE: {
      char *end;
      long v = strtol(optarg, &end, 10);
      if (end == optarg || *end || v < 0 || v > 100 || optarg[0] == '-' || optarg[0] == '+')
        die_usage("--dns-refuse: a percentage 0..100, not %s", optarg);
      dns_refuse = (int)v;
      break;
    }
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (optind < argc)
    die_usage("unexpected argument: %s", argv[optind]);
  if (dns_port < 0)
    die_usage("--dns-port is required");

  struct sockaddr_storage dss;
  memset(&dss, 0, sizeof dss);
  struct sockaddr_in *d4 = (struct sockaddr_in *)&dss;
  struct sockaddr_in6 *d6 = (struct sockaddr_in6 *)&dss;
  static const uint8_t lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  if (inet_pton(AF_INET, dns_addr, &d4->sin_addr) == 1) {
    /* Loopback only: this server must never answer the outside world. */
    if ((ntohl(d4->sin_addr.s_addr) >> 24) != 127)
      die_usage("--dns-addr must be in 127.0.0.0/8 or ::1, not %s", dns_addr);
    d4->sin_family = AF_INET;
    d4->sin_port = htons((uint16_t)dns_port);
  } else if (inet_pton(AF_INET6, dns_addr, &d6->sin6_addr) == 1) {
    if (memcmp(&d6->sin6_addr, lo6, 16) != 0)
      die_usage("--dns-addr must be in 127.0.0.0/8 or ::1, not %s", dns_addr);
    d6->sin6_family = AF_INET6;
    d6->sin6_port = htons((uint16_t)dns_port);
  } else {
    die_usage("--dns-addr: not an address: %s", dns_addr);
  }

  if (smtp_port < 0 && (smtp_any || nranges))
    die_usage("--smtp-net and --smtp-any need --smtp-port");
  if (smtp_port >= 0 && !smtp_any && !nranges)
    die_usage("--smtp-port needs --smtp-net CIDR or --smtp-any");
  if (smtp_any && nranges)
    die_usage("--smtp-net and --smtp-any exclude each other");

  rlim_t nofile;
  raise_nofile(&nofile);
  size_t listeners = 0;
  if (nranges) {
    uint64_t addrs = 0;
    nranges = merge_ranges(ranges, nranges);
    for (size_t i = 0; i < nranges; i++)
      addrs += (uint64_t)ranges[i].last - ranges[i].first + 1;
    listeners = addrs > 2 * LISTENERS_MAX ? addrs : tn_smtp_listener_count(ranges, nranges);
    if (listeners > LISTENERS_MAX)
      die_usage("--smtp-net needs %zu listeners, more than %d; use --smtp-any",
                listeners, LISTENERS_MAX);
    if (listeners + FD_RESERVE > nofile) {
      fprintf(stderr,
              "testnet: --smtp-net needs %zu listening sockets but the open-file "
              "limit is %llu; use smaller blocks or --smtp-any\n",
              listeners, (unsigned long long)nofile);
      return 1;
    }
  }

  if (logpath) {
    log_file = fopen(logpath, "a");
    if (!log_file) {
      fprintf(stderr, "testnet: cannot open log %s: %s\n", logpath, strerror(errno));
      return 1;
    }
  }
  /* libuv leaves SIGPIPE alone: a client that vanished mid-write must not
   * kill the server. */
  signal(SIGPIPE, SIG_IGN);

  char err[256] = "";
  int r = uv_loop_init(&a->loop);
  if (r != 0) {
    fprintf(stderr, "testnet: uv_loop_init: %s\n", uv_strerror(r));
    return 1;
  }
  struct tn_dns_config dcfg = {.addr = (struct sockaddr *)&dss, .tcp_mode = dns_tcp,
                               .refuse_pct = dns_refuse};
  r = tn_dns_start(&a->loop, &dcfg, &a->stats, &a->dns, err, sizeof err);
  if (r == 0 && smtp_port >= 0) {
    struct tn_smtp_config cfg = {.port = smtp_port, .any = smtp_any,
                                 .ranges = ranges, .nranges = nranges};
    r = tn_smtp_start(&a->loop, &cfg, &a->stats, &a->smtp, err, sizeof err);
  }
  if (r == 0) {
    uv_signal_init(&a->loop, &a->sigterm);
    uv_signal_init(&a->loop, &a->sigint);
    uv_signal_init(&a->loop, &a->sigusr1);
    a->sigterm.data = a->sigint.data = a->sigusr1.data = a;
    uv_signal_start(&a->sigterm, on_signal, SIGTERM);
    uv_signal_start(&a->sigint, on_signal, SIGINT);
    uv_signal_start(&a->sigusr1, on_signal, SIGUSR1);
  }
  if (r != 0) {
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

  char text[512];
  int n = snprintf(text, sizeof text, "pid %ld\ndns_addr %s\ndns_port %d\n",
                   (long)getpid(), dns_addr, tn_dns_port(a->dns));
  if (a->smtp)
    snprintf(text + n, sizeof text - (size_t)n,
             "smtp_port %d\nsmtp_mode %s\nsmtp_listeners %zu\n",
             tn_smtp_port(a->smtp), smtp_any ? "any" : "net",
             tn_smtp_listeners(a->smtp));
  char pidtext[32];
  snprintf(pidtext, sizeof pidtext, "%ld\n", (long)getpid());
  int failed = 0;
  const char *bad = pidfile && write_file(pidfile, pidtext) != 0 ? pidfile
                    : ready && write_file(ready, text) != 0      ? ready
                                                                 : NULL;
  if (bad) {
    fprintf(stderr, "testnet: cannot write %s: %s\n", bad, strerror(errno));
    tn_log("cannot write %s: %s", bad, strerror(errno));
    failed = 1;
    raise(SIGTERM); /* delivered through the loop: a clean stop */
  }
  if (!quiet) {
    tn_log("ready: dns %s port %d", dns_addr, tn_dns_port(a->dns));
    if (a->smtp)
      tn_log("ready: smtp port %d, %s mode, %zu listeners", tn_smtp_port(a->smtp),
             smtp_any ? "any" : "net", tn_smtp_listeners(a->smtp));
  }

  uv_run(&a->loop, UV_RUN_DEFAULT);

  write_stats(a);
  if (pidfile)
    unlink(pidfile);
  if (ready)
    unlink(ready);
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
  return r == 0 && !failed ? 0 : 1;
}
