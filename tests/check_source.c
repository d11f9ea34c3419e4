/* SPDX-License-Identifier: MIT */
/* check_source.c - the target stream: operands, @FILE lists, inventories,
 * validation before the run, special-purpose skipping, sequence numbers. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "source.h"
#include "target.h"

static char dir[64];
static char err[512];

static void setup(void) {
  strcpy(dir, "/tmp/check_source.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  ck_assert_int_eq(system(cmd), 0);
}

static const char *write_file(const char *name, const char *text) {
  static char path[4][128];
  static int k;
  char *p = path[k++ % 4];
  snprintf(p, 128, "%s/%s", dir, name);
  FILE *f = fopen(p, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
  return p;
}

static void config_targets(struct source_opts *c, char **targets, size_t n) {
  memset(c, 0, sizeof *c);
  c->targets = targets;
  c->ntargets = n;
}

/* Collect all addresses as text, space-separated. */
static int drain(struct source *s, char *out, size_t size) {
  struct target t;
  int r;
  uint64_t expect_seq = 0;
  out[0] = '\0';
  while ((r = source_next(s, &t, err, sizeof err)) > 0) {
    char a[ADDR_STRLEN];
    ck_assert_uint_eq(t.seq, expect_seq++);
    if (t.kind == TARGET_INVALID)
      snprintf(a, sizeof a, "!%.*s", (int)t.text_len, t.text);
    else
      addr_format(&t.addr, a);
    if (out[0]) strncat(out, " ", size - strlen(out) - 1);
    strncat(out, a, size - strlen(out) - 1);
  }
  return r;
}

START_TEST(operands_in_order) {
  char *targets[] = {"11.0.0.254-11.0.1.1", "2001:db8::/127", "198.51.100.7"};
  struct source_opts c;
  struct source *s;
  char out[512];
  uint64_t total;
  config_targets(&c, targets, 3);
  ck_assert_int_eq(source_open(&s, &c, err, sizeof err), 0);
  ck_assert_int_eq(source_total(s, &total), 1);
  ck_assert_uint_eq(total, 7);
  ck_assert_int_eq(drain(s, out, sizeof out), 0);
  ck_assert_str_eq(out, "11.0.0.254 11.0.0.255 11.0.1.0 11.0.1.1 2001:db8:: 2001:db8::1 "
                        "198.51.100.7");
  ck_assert_uint_eq(source_skipped_special(s), 0); /* each named: scanned */
  source_close(s);
}
END_TEST

START_TEST(special_inside_wider_target_skipped) {
  /* 9.255.255.254/31 is public; 10.0.0.0/8 is private: skipped, counted. */
  char *targets[] = {"9.255.255.254-10.0.0.1"};
  struct source_opts c;
  struct source *s;
  char out[256];
  config_targets(&c, targets, 1);
  ck_assert_int_eq(source_open(&s, &c, err, sizeof err), 0);
  ck_assert_int_eq(drain(s, out, sizeof out), 0);
  ck_assert_str_eq(out, "9.255.255.254 9.255.255.255");
  ck_assert_uint_eq(source_skipped_special(s), 2);
  source_close(s);
}
END_TEST

START_TEST(bad_operand_found_before_run) {
  char *targets[] = {"192.0.2.1", "192.0.2.0/33"};
  struct source_opts c;
  struct source *s = (struct source *)1;
  config_targets(&c, targets, 2);
  ck_assert_int_eq(source_open(&s, &c, err, sizeof err), UV_EINVAL);
  ck_assert_ptr_null(s);
  ck_assert_ptr_nonnull(strstr(err, "argument 2: "));
}
END_TEST

START_TEST(file_list) {
  const char *p = write_file("list.txt", "# header comment\n\n  192.0.2.1  \n192.0.2.8/31 # two\r\n"
                                         "\t2001:db8::5\n");
  char arg[160];
  snprintf(arg, sizeof arg, "@%s", p);
  char *targets[] = {arg, "198.51.100.1"};
  struct source_opts c;
  struct source *s;
  char out[256];
  uint64_t total;
  config_targets(&c, targets, 2);
  ck_assert_int_eq(source_open(&s, &c, err, sizeof err), 0);
  ck_assert_int_eq(source_total(s, &total), 1);
  ck_assert_uint_eq(total, 5);
  ck_assert_int_eq(drain(s, out, sizeof out), 0);
  ck_assert_str_eq(out, "192.0.2.1 192.0.2.8 192.0.2.9 2001:db8::5 198.51.100.1");
  source_close(s);
}
END_TEST

START_TEST(file_list_bad_line) {
  const char *p = write_file("bad.txt", "192.0.2.1\n\n127.1\n");
  char arg[160];
  snprintf(arg, sizeof arg, "@%s", p);
  char *targets[] = {arg};
  struct source_opts c;
  struct source *s;
  char want[200];
  config_targets(&c, targets, 1);
  ck_assert_int_eq(source_open(&s, &c, err, sizeof err), UV_EINVAL);
  snprintf(want, sizeof want, "%s:3: ", p);
  ck_assert_ptr_nonnull(strstr(err, want));
  ck_assert_ptr_nonnull(strstr(err, "127.1"));
}
END_TEST

START_TEST(file_list_missing) {
  char *targets[] = {"@/nonexistent/list.txt"};
  struct source_opts c;
  struct source *s;
  config_targets(&c, targets, 1);
  ck_assert_int_eq(source_open(&s, &c, err, sizeof err), UV_EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "/nonexistent/list.txt: cannot open"));
}
END_TEST

START_TEST(huge_needs_flag) {
  char *targets[] = {"0.0.0.0/0"};
  struct source_opts c;
  struct source *s;
  uint64_t total;
  config_targets(&c, targets, 1);
  ck_assert_int_eq(source_open(&s, &c, err, sizeof err), UV_EINVAL);
  c.allow_huge = 1;
  ck_assert_int_eq(source_open(&s, &c, err, sizeof err), 0); /* validated in O(1) */
  ck_assert_int_eq(source_total(s, &total), 1);
  ck_assert_uint_eq(total, 4294967296ull);
  source_close(s);
}
END_TEST

#define TWO64 ((unsigned __int128)1 << 64)

/* Open `n` operands with --allow-huge and return the source. */
static struct source *open_huge(char **targets, size_t n, struct source_opts *c) {
  struct source *s;
  config_targets(c, targets, n);
  c->allow_huge = 1;
  ck_assert_msg(source_open(&s, c, err, sizeof err) == 0, "%s", err);
  return s;
}

/* A /64 is 2^64 addresses: the 64-bit count once wrapped to 0 ("no
 * targets in the input"); so did two /65s and three /64s. */
START_TEST(huge_counts_do_not_wrap) {
  char *one[] = {"2001:db8::/64"};
  char *two65[] = {"2001:db8::/65", "2001:db8:0:0:8000::/65"};
  char *three[] = {"2001:db8::/64", "2001:db8:0:1::/64", "2001:db8:0:2::/64"};
  struct source_opts c;
  struct source *s;
  struct target t;
  uint64_t total = 0;
  unsigned __int128 exact = 0;

  s = open_huge(one, 1, &c);
  ck_assert_int_eq(source_total(s, &total), 1);
  ck_assert_uint_eq(total, UINT64_MAX); /* saturated, never 0 */
  ck_assert_int_eq(source_total_exact(s, &exact), 1);
  ck_assert(exact == TWO64);
  ck_assert_int_eq(source_next(s, &t, err, sizeof err), 1);
  char a[ADDR_STRLEN];
  ck_assert_str_eq((addr_format(&t.addr, a), a), "2001:db8::");
  source_close(s);

  s = open_huge(two65, 2, &c);
  ck_assert_int_eq(source_total(s, &total), 1);
  ck_assert_uint_eq(total, UINT64_MAX);
  ck_assert_int_eq(source_total_exact(s, &exact), 1);
  ck_assert(exact == TWO64);
  source_close(s);

  s = open_huge(three, 3, &c);
  ck_assert_int_eq(source_total_exact(s, &exact), 1);
  ck_assert(exact == 3 * TWO64);
  source_close(s);

  /* Shards over 3 * 2^64 positions: each of 3 shards gets exactly 2^64,
   * which needs the position counter past 2^64 too. */
  config_targets(&c, three, 3);
  c.allow_huge = 1;
  c.shard_k = 3, c.shard_n = 3;
  ck_assert_int_eq(source_open(&s, &c, err, sizeof err), 0);
  ck_assert_int_eq(source_total_exact(s, &exact), 1);
  ck_assert(exact == TWO64);
  source_close(s);

  char buf[SPAN_COUNT_TEXTLEN];
  ck_assert_str_eq(span_count_text(buf, 3 * TWO64), "55340232221128654848");
}
END_TEST

/* Excluding a whole /64 skips 2^64 addresses in one step: the skipped
 * count must say so, not wrap to 0. */
START_TEST(huge_skip_counts_do_not_wrap) {
  char *targets[] = {"2001:db8::/64", "2001:db8:1::7"};
  const char *ex[] = {"2001:db8::/64"};
  struct source_opts c;
  struct source *s;
  char out[128];
  config_targets(&c, targets, 2);
  c.allow_huge = 1;
  c.excludes = ex;
  c.nexcludes = 1;
  ck_assert_int_eq(source_open(&s, &c, err, sizeof err), 0);
  ck_assert_int_eq(drain(s, out, sizeof out), 0);
  ck_assert_str_eq(out, "2001:db8:1::7");
  ck_assert(source_skipped_excluded(s) == TWO64);
  source_close(s);
}
END_TEST

/* ---- inputs that can be read only once, streaming without blocking ---- */

/* Wait (at most 5 s) until the source's input is readable again. */
static void wait_readable(struct source *s) {
  struct pollfd p = {.fd = source_wait_fd(s), .events = POLLIN};
  ck_assert_int_ge(p.fd, 0);
  ck_assert_int_eq(poll(&p, 1, 5000), 1);
}

/* source_next until it is not -EAGAIN, polling in between; the address. */
static int next_addr(struct source *s, char *a) {
  struct target t;
  int r;
  while ((r = source_next(s, &t, err, sizeof err)) == -EAGAIN) wait_readable(s);
  if (r == 1) addr_format(&t.addr, a);
  return r;
}

static void put(int fd, const char *text) {
  ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
}

/* Stdin as a pipe: stdin's own descriptor, saved and restored. */
static int saved_stdin = -1;
static int stdin_from_pipe(void) {
  int p[2];
  ck_assert_int_eq(pipe(p), 0);
  saved_stdin = dup(0);
  ck_assert_int_eq(dup2(p[0], 0), 0);
  close(p[0]);
  return p[1];
}
static void stdin_restore(void) {
  dup2(saved_stdin, 0);
  close(saved_stdin);
}

/* A @FIFO: opening it must not wait for a writer (the old code blocked in
 * fopen, then opened it a second time after the writer was gone), and
 * while the writer pauses, source_next says "nothing yet" instead of
 * blocking - also in the middle of a line. */
START_TEST(fifo_streams_without_blocking) {
  char fifo[128], arg[140], a[ADDR_STRLEN];
  char *targets[] = {arg};
  struct source_opts c;
  struct source *s;
  struct target t;
  uint64_t total;
  snprintf(fifo, sizeof fifo, "%s/fifo", dir);
  snprintf(arg, sizeof arg, "@%s", fifo);
  ck_assert_int_eq(mkfifo(fifo, 0600), 0);
  alarm(20); /* a blocking open or read fails the test instead of hanging it */
  config_targets(&c, targets, 1);
  c.nonblocking = 1;
  ck_assert_msg(source_open(&s, &c, err, sizeof err) == 0, "%s", err);
  ck_assert_int_eq(source_total(s, &total), 0); /* read once: not counted ahead */
  ck_assert_int_eq(source_fingerprint(s, &total), 0);
  ck_assert_int_eq(source_next(s, &t, err, sizeof err), -EAGAIN); /* no writer yet */
  int w = open(fifo, O_WRONLY);
  ck_assert_int_ge(w, 0);
  put(w, "127.0.0.1\n");
  ck_assert_int_eq(next_addr(s, a), 1);
  ck_assert_str_eq(a, "127.0.0.1");
  ck_assert_int_eq(source_next(s, &t, err, sizeof err), -EAGAIN); /* the writer pauses */
  put(w, "127.0.0."); /* half a line */
  wait_readable(s);
  ck_assert_int_eq(source_next(s, &t, err, sizeof err), -EAGAIN);
  put(w, "2\n");
  ck_assert_int_eq(next_addr(s, a), 1);
  ck_assert_str_eq(a, "127.0.0.2");
  ck_assert_int_eq(source_next(s, &t, err, sizeof err), -EAGAIN);
  close(w);
  ck_assert_int_eq(next_addr(s, a), 0);
  source_close(s);
  alarm(0);
}
END_TEST

/* A FIFO nobody ever writes: closing the source ends the reader thread
 * waiting in open(). */
START_TEST(fifo_without_writer_closes) {
  char fifo[128], arg[140];
  char *targets[] = {arg};
  struct source_opts c;
  struct source *s;
  struct target t;
  snprintf(fifo, sizeof fifo, "%s/fifo", dir);
  snprintf(arg, sizeof arg, "@%s", fifo);
  ck_assert_int_eq(mkfifo(fifo, 0600), 0);
  alarm(20);
  config_targets(&c, targets, 1);
  c.nonblocking = 1;
  ck_assert_int_eq(source_open(&s, &c, err, sizeof err), 0);
  ck_assert_int_eq(source_next(s, &t, err, sizeof err), -EAGAIN);
  source_close(s);
  alarm(0);
}
END_TEST

/* "-" from a pipe that delivers lines with pauses, and stdin's own flags
 * untouched (its open file description is shared with the shell). */
START_TEST(stdin_pipe_with_pauses) {
  char *targets[] = {"-"};
  char a[ADDR_STRLEN];
  struct source_opts c;
  struct source *s;
  struct target t;
  int w = stdin_from_pipe();
  int flags = fcntl(0, F_GETFL);
  alarm(20);
  config_targets(&c, targets, 1);
  c.nonblocking = 1;
  ck_assert_int_eq(source_open(&s, &c, err, sizeof err), 0);
  ck_assert_int_ne(source_wait_fd(s), 0); /* a private descriptor, not stdin */
  put(w, "127.0.0.1\n127.0.0.2\n");
  ck_assert_int_eq(next_addr(s, a), 1);
  ck_assert_str_eq(a, "127.0.0.1");
  ck_assert_int_eq(next_addr(s, a), 1);
  ck_assert_str_eq(a, "127.0.0.2");
  ck_assert_int_eq(source_next(s, &t, err, sizeof err), -EAGAIN);
  put(w, "127.0.0.3\n300.1.1.1\n");
  ck_assert_int_eq(next_addr(s, a), 1);
  ck_assert_str_eq(a, "127.0.0.3");
  /* validated as it streams: the bad line stops it, named */
  ck_assert_int_eq(next_addr(s, a), -EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "stdin:4: invalid IPv4 address '300.1.1.1'"));
  ck_assert_int_eq(fcntl(0, F_GETFL), flags);
  source_close(s);
  close(w);
  stdin_restore();
  alarm(0);
}
END_TEST

/* Without opts.nonblocking (callers without the event-loop glue),
 * source_next waits itself: same targets, never -EAGAIN. */
START_TEST(stdin_pipe_blocking_mode) {
  char *targets[] = {"-"};
  char out[128];
  struct source_opts c;
  struct source *s;
  int w = stdin_from_pipe();
  alarm(20);
  config_targets(&c, targets, 1);
  ck_assert_int_eq(source_open(&s, &c, err, sizeof err), 0);
  put(w, "127.0.0.1\n127.0.0.2");
  close(w);
  ck_assert_int_eq(drain(s, out, sizeof out), 0);
  ck_assert_str_eq(out, "127.0.0.1 127.0.0.2");
  source_close(s);
  stdin_restore();
  alarm(0);
}
END_TEST

/* An inventory on stdin: the header is waited for at open; a row cut in
 * the middle (inside a quoted field, even) is "nothing yet", then read
 * whole. */
START_TEST(inventory_on_stdin_streams) {
  struct source_opts c;
  struct source *s;
  struct target t;
  int w = stdin_from_pipe();
  alarm(20);
  memset(&c, 0, sizeof c);
  c.inventory = "-";
  c.nonblocking = 1;
  put(w, "\xEF\xBB"); /* a BOM split over two writes */
  put(w, "\xBFip,note\n127.0.0.1,first\n127.0.0.2,\"sec");
  ck_assert_msg(source_open(&s, &c, err, sizeof err) == 0, "%s", err);
  ck_assert_uint_eq(source_extra_count(s), 1);
  ck_assert_str_eq(source_extra_name(s, 0), "note");
  int r;
  while ((r = source_next(s, &t, err, sizeof err)) == -EAGAIN) wait_readable(s);
  ck_assert_int_eq(r, 1);
  ck_assert_str_eq(t.text, "127.0.0.1");
  ck_assert_str_eq(t.extra[0], "first");
  ck_assert_int_eq(source_next(s, &t, err, sizeof err), -EAGAIN);
  put(w, "ond, \"\"quoted\"\"\"\n");
  while ((r = source_next(s, &t, err, sizeof err)) == -EAGAIN) wait_readable(s);
  ck_assert_int_eq(r, 1);
  ck_assert_str_eq(t.text, "127.0.0.2");
  ck_assert_str_eq(t.extra[0], "second, \"quoted\"");
  ck_assert_uint_eq(t.line, 3);
  close(w);
  while ((r = source_next(s, &t, err, sizeof err)) == -EAGAIN) wait_readable(s);
  ck_assert_int_eq(r, 0);
  source_close(s);
  stdin_restore();
  alarm(0);
}
END_TEST

/* Stdin redirected from a regular file is validated and then read again
 * by the run, from where it started (it once came back empty: the
 * validation pass had left it at its end). */
START_TEST(stdin_regular_file_read_twice) {
  const char *p = write_file("list.txt", "127.0.0.1\n127.0.0.2\n");
  char *targets[] = {"-"};
  char out[128];
  struct source_opts c;
  struct source *s;
  uint64_t total;
  int fd = open(p, O_RDONLY);
  saved_stdin = dup(0);
  dup2(fd, 0);
  close(fd);
  config_targets(&c, targets, 1);
  ck_assert_int_eq(source_open(&s, &c, err, sizeof err), 0);
  ck_assert_int_eq(source_total(s, &total), 1);
  ck_assert_uint_eq(total, 2);
  ck_assert_int_eq(drain(s, out, sizeof out), 0);
  ck_assert_str_eq(out, "127.0.0.1 127.0.0.2");
  source_close(s);
  stdin_restore();
}
END_TEST

START_TEST(inventory_rows) {
  const char *p = write_file("inv.csv", "\xEF\xBB\xBF" "customer,IP,Expected_PTR,notes\r\n"
                                        "Acme, 192.0.2.1 ,*.example.net ,\"a, b\"\r\n"
                                        "Bolt,not-an-ip,,\r\n"
                                        "Cork,2001:db8::9,mx.example.org,x\r\n");
  struct source_opts c;
  struct source *s;
  struct target t;
  memset(&c, 0, sizeof c);
  c.inventory = p;
  ck_assert_int_eq(source_open(&s, &c, err, sizeof err), 0);
  ck_assert_uint_eq(source_extra_count(s), 2);
  ck_assert_str_eq(source_extra_name(s, 0), "customer");
  ck_assert_str_eq(source_extra_name(s, 1), "notes");

  ck_assert_int_eq(source_next(s, &t, err, sizeof err), 1);
  ck_assert_int_eq(t.kind, TARGET_ADDR);
  ck_assert_uint_eq(t.seq, 0);
  ck_assert_uint_eq(t.line, 2);
  ck_assert_int_eq(t.expected_len, 13);
  ck_assert_int_eq(memcmp(t.expected, "*.example.net", 13), 0);
  ck_assert_uint_eq(t.nextra, 2);
  ck_assert_int_eq(memcmp(t.extra[1], "a, b", 4), 0);

  ck_assert_int_eq(source_next(s, &t, err, sizeof err), 1);
  ck_assert_int_eq(t.kind, TARGET_INVALID);
  ck_assert_uint_eq(t.line, 3);
  ck_assert_int_eq(t.text_len, 9);
  ck_assert_int_eq(memcmp(t.text, "not-an-ip", 9), 0);

  ck_assert_int_eq(source_next(s, &t, err, sizeof err), 1);
  ck_assert_int_eq(t.addr.family, 6);
  ck_assert_int_eq(source_next(s, &t, err, sizeof err), 0);
  source_close(s);
}
END_TEST

START_TEST(inventory_syntax_error_before_run) {
  const char *p = write_file("broken.csv", "ip,name\n192.0.2.1,a\n192.0.2.2,\"b\n");
  struct source_opts c;
  struct source *s;
  memset(&c, 0, sizeof c);
  c.inventory = p;
  ck_assert_int_eq(source_open(&s, &c, err, sizeof err), UV_EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "broken.csv:3"));
}
END_TEST

/* Collect the addresses of one shard as u32 marks in `seen` (IPv4 only). */
static void shard_walk(char **targets, size_t n, unsigned k, unsigned of, int seeded,
                       unsigned char *seen, size_t seen_size, uint64_t *count) {
  struct source_opts c;
  struct source *s;
  struct target t;
  config_targets(&c, targets, n);
  c.shard_k = k;
  c.shard_n = of;
  c.seeded = seeded;
  c.seed = 1234;
  ck_assert_int_eq(source_open(&s, &c, err, sizeof err), 0);
  while (source_next(s, &t, err, sizeof err) > 0) {
    uint32_t v = (uint32_t)addr_to_u128(&t.addr) & 0xffff;
    ck_assert_uint_lt(v, seen_size);
    seen[v]++;
    (*count)++;
  }
  source_close(s);
}

START_TEST(shards_cover_every_target_once) {
  /* A /22, a range crossing a /24, a single address, a list file: 4
   * shards, with and without a seed, together yield each address once. */
  const char *p = write_file("shard.txt", "11.0.8.0/29\n11.0.9.250-11.0.10.3\n");
  char arg[160];
  snprintf(arg, sizeof arg, "@%s", p);
  char *targets[] = {"11.0.0.0/22", "11.0.4.200-11.0.5.20", "11.0.6.6", arg};
  for (int seeded = 0; seeded <= 1; seeded++) {
    static unsigned char seen[65536];
    uint64_t per[4] = {0}, total = 0;
    memset(seen, 0, sizeof seen);
    for (unsigned k = 1; k <= 4; k++) shard_walk(targets, 4, k, 4, seeded, seen, sizeof seen, &per[k - 1]);
    for (size_t v = 0; v < sizeof seen; v++) {
      ck_assert_uint_le(seen[v], 1);
      total += seen[v];
    }
    /* 1024 + 77 + 1 + 8 + 10 */
    ck_assert_uint_eq(total, 1120);
    for (int k = 0; k < 4; k++) { /* balanced: 1120 / 4 = 280 each */
      ck_assert_uint_eq(per[k], 280);
    }
  }
}
END_TEST

START_TEST(shards_of_an_inventory) {
  const char *p = write_file("shard.csv", "ip,name\n11.1.0.1,a\n11.1.0.2,b\n11.1.0.3,c\n"
                                           "bogus,d\n11.1.0.5,e\n");
  struct source_opts c;
  struct source *s;
  struct target t;
  unsigned rows = 0, invalid = 0;
  for (unsigned k = 1; k <= 3; k++) {
    memset(&c, 0, sizeof c);
    c.inventory = p;
    c.shard_k = k;
    c.shard_n = 3;
    ck_assert_int_eq(source_open(&s, &c, err, sizeof err), 0);
    while (source_next(s, &t, err, sizeof err) > 0) {
      rows++;
      invalid += t.kind == TARGET_INVALID;
      ck_assert_uint_eq((t.line - 2) % 3, k - 1); /* row index mod N */
    }
    source_close(s);
  }
  ck_assert_uint_eq(rows, 5);
  ck_assert_uint_eq(invalid, 1);
}
END_TEST

START_TEST(seed_permutes_within_a_block) {
  char *targets[] = {"11.2.0.0/24"};
  struct source_opts c;
  struct source *s;
  struct target t;
  unsigned in_order = 0, i = 0;
  config_targets(&c, targets, 1);
  c.seeded = 1;
  c.seed = 99;
  ck_assert_int_eq(source_open(&s, &c, err, sizeof err), 0);
  while (source_next(s, &t, err, sizeof err) > 0) {
    in_order += (addr_to_u128(&t.addr) & 0xff) == i;
    i++;
  }
  source_close(s);
  ck_assert_uint_eq(i, 256);
  ck_assert_uint_lt(in_order, 10);
}
END_TEST

Suite *source_suite(void) {
  Suite *s = suite_create("source");
  TCase *tc = tcase_create("stream");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, operands_in_order);
  tcase_add_test(tc, special_inside_wider_target_skipped);
  tcase_add_test(tc, bad_operand_found_before_run);
  tcase_add_test(tc, file_list);
  tcase_add_test(tc, file_list_bad_line);
  tcase_add_test(tc, file_list_missing);
  tcase_add_test(tc, huge_needs_flag);
  tcase_add_test(tc, huge_counts_do_not_wrap);
  tcase_add_test(tc, fifo_streams_without_blocking);
  tcase_add_test(tc, fifo_without_writer_closes);
  tcase_add_test(tc, stdin_pipe_with_pauses);
  tcase_add_test(tc, stdin_pipe_blocking_mode);
  tcase_add_test(tc, inventory_on_stdin_streams);
  tcase_add_test(tc, stdin_regular_file_read_twice);
  tcase_add_test(tc, huge_skip_counts_do_not_wrap);
  tcase_add_test(tc, inventory_rows);
  tcase_add_test(tc, inventory_syntax_error_before_run);
  tcase_add_test(tc, shards_cover_every_target_once);
  tcase_add_test(tc, shards_of_an_inventory);
  tcase_add_test(tc, seed_permutes_within_a_block);
  suite_add_tcase(s, tc);
  return s;
}
