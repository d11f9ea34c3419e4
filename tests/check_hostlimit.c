/* SPDX-License-Identifier: MIT */
/* check_hostlimit.c - sessions per prefix: scripted sequences worked out
 * by hand from the rule in hostlimit.h, and a long random sequence checked
 * against a plain model of the same rule. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "hostlimit.h"

struct target {
  struct hostlimit_waiter w;
  int id;
};

static struct addr A(const char *s) {
  struct addr a;
  ck_assert_msg(addr_parse(&a, s, strlen(s)) == 0, "bad test address %s", s);
  return a;
}

static struct hostlimit *mk(unsigned limit, size_t max_prefixes) {
  struct hostlimit *h = NULL;
  ck_assert_int_eq(hostlimit_new(&h, limit, max_prefixes), 0);
  ck_assert_ptr_nonnull(h);
  return h;
}

static int start(struct hostlimit *h, const char *s) {
  struct addr a = A(s);
  return hostlimit_try_start(h, &a);
}

static void wait_as(struct hostlimit *h, struct target *t, int id, const char *s) {
  t->id = id;
  t->w.addr = A(s);
  hostlimit_wait(h, &t->w);
}

/* The id of the waiter hostlimit_next releases for s, or -1 for NULL. */
static int next(struct hostlimit *h, const char *s) {
  struct addr a = A(s);
  struct hostlimit_waiter *w = hostlimit_next(h, &a);
  if (!w) return -1;
  ck_assert_ptr_null(w->next);
  return ((struct target *)w)->id; /* w is the first member */
}

static void connected(struct hostlimit *h, const char *s) {
  struct addr a = A(s);
  hostlimit_connected(h, &a);
}

static void silent(struct hostlimit *h, const char *s) {
  struct addr a = A(s);
  hostlimit_silent(h, &a);
}

static void done(struct hostlimit *h, const char *s, int est) {
  struct addr a = A(s);
  hostlimit_done(h, &a, est);
}

START_TEST(bad_params) {
  struct hostlimit *h = (struct hostlimit *)&h; /* sentinel */
  struct hostlimit *const sentinel = h;
  ck_assert_int_eq(hostlimit_new(&h, 0, 10), -EINVAL);
  ck_assert_int_eq(hostlimit_new(&h, 1, 0), -EINVAL);
  ck_assert_int_eq(hostlimit_new(&h, 1, (size_t)HOSTLIMIT_MAX_PREFIXES + 1), -EINVAL);
  ck_assert_ptr_eq(h, sentinel);
  h = mk(1, 1);
  struct addr a = A("192.0.2.1");
  a.family = 5;
  ck_assert_int_eq(hostlimit_try_start(h, &a), -EINVAL);
  ck_assert_uint_eq(hostlimit_prefixes(h), 0);
  hostlimit_free(h);
  hostlimit_free(NULL);
}
END_TEST

START_TEST(unknown_prefix_limits_connects) {
  struct target t[4];
  struct hostlimit *h = mk(2, 16);
  ck_assert_int_eq(start(h, "192.0.2.1"), 1);
  ck_assert_int_eq(start(h, "192.0.2.2"), 1);
  ck_assert_int_eq(start(h, "192.0.2.3"), 0); /* third in the /24 */
  wait_as(h, &t[0], 3, "192.0.2.3");
  ck_assert_int_eq(start(h, "192.0.3.1"), 1); /* another /24 */
  ck_assert_int_eq(start(h, "192.0.2.255"), 0);
  wait_as(h, &t[1], 4, "192.0.2.255");
  ck_assert_uint_eq(hostlimit_waiting(h), 2);
  /* nothing finished: nobody may go */
  ck_assert_int_eq(next(h, "192.0.2.1"), -1);
  /* .1 refused (RST): one slot, the first waiter takes it */
  done(h, "192.0.2.1", 0);
  ck_assert_int_eq(next(h, "192.0.2.1"), 3);
  ck_assert_int_eq(next(h, "192.0.2.1"), -1);
  ck_assert_uint_eq(hostlimit_waiting(h), 1);
  /* the released waiter was counted: still full */
  ck_assert_int_eq(start(h, "192.0.2.7"), 0);
  wait_as(h, &t[2], 7, "192.0.2.7");
  /* a refusal changes no state: still UNKNOWN, still 2 at once */
  done(h, "192.0.2.2", 0);
  ck_assert_int_eq(next(h, "192.0.2.2"), 4);
  ck_assert_int_eq(next(h, "192.0.2.2"), -1);
  done(h, "192.0.2.3", 0);
  done(h, "192.0.2.255", 0);
  ck_assert_int_eq(next(h, "192.0.2.0"), 7);
  ck_assert_int_eq(next(h, "192.0.2.0"), -1);
  ck_assert_uint_eq(hostlimit_waiting(h), 0);
  hostlimit_free(h);
}
END_TEST

START_TEST(answering_prefix_counts_sessions) {
  struct target t[2];
  struct hostlimit *h = mk(2, 16);
  ck_assert_int_eq(start(h, "198.51.100.1"), 1);
  connected(h, "198.51.100.1"); /* ANSWERING: 0 connecting + 1 session */
  ck_assert_int_eq(start(h, "198.51.100.2"), 1);  /* 1 < 2 */
  ck_assert_int_eq(start(h, "198.51.100.3"), 0);  /* 1 + 1 = 2 */
  wait_as(h, &t[0], 3, "198.51.100.3");
  connected(h, "198.51.100.2"); /* 0 + 2: still full */
  ck_assert_int_eq(next(h, "198.51.100.2"), -1);
  /* in UNKNOWN state the two sessions would not count; here they do */
  done(h, "198.51.100.1", 1); /* a session ended: 0 + 1 */
  ck_assert_int_eq(next(h, "198.51.100.1"), 3);
  ck_assert_int_eq(next(h, "198.51.100.1"), -1); /* 1 + 1 */
  ck_assert_int_eq(start(h, "198.51.100.4"), 0);
  wait_as(h, &t[1], 4, "198.51.100.4");
  done(h, "198.51.100.3", 0); /* refused: 0 + 1, state stays ANSWERING */
  ck_assert_int_eq(next(h, "198.51.100.3"), 4);
  ck_assert_int_eq(start(h, "198.51.100.5"), 0); /* 1 + 1 */
  hostlimit_free(h);
}
END_TEST

START_TEST(accepted_session_counts) {
  /* limit 1: once a connect is accepted the prefix is ANSWERING and the
   * session itself holds the only slot until it ends. */
  struct hostlimit *h = mk(1, 16);
  ck_assert_int_eq(start(h, "203.0.113.1"), 1);
  connected(h, "203.0.113.1");
  ck_assert_int_eq(start(h, "203.0.113.2"), 0); /* 0 + 1 session */
  done(h, "203.0.113.1", 1);
  ck_assert_int_eq(start(h, "203.0.113.2"), 1);
  hostlimit_free(h);
}
END_TEST

START_TEST(silent_prefix_is_unlimited) {
  struct target t[3];
  struct hostlimit *h = mk(2, 16);
  ck_assert_int_eq(start(h, "10.9.8.1"), 1);
  ck_assert_int_eq(start(h, "10.9.8.2"), 1);
  ck_assert_int_eq(start(h, "10.9.8.3"), 0);
  wait_as(h, &t[0], 3, "10.9.8.3");
  ck_assert_int_eq(start(h, "10.9.8.4"), 0);
  wait_as(h, &t[1], 4, "10.9.8.4");
  ck_assert_int_eq(start(h, "10.9.8.5"), 0);
  wait_as(h, &t[2], 5, "10.9.8.5");
  /* .1 timed out without a SYN-ACK: the block drops SYNs; every waiter
   * goes, in order, and so does everyone after them */
  silent(h, "10.9.8.1");
  ck_assert_int_eq(next(h, "10.9.8.1"), 3);
  ck_assert_int_eq(next(h, "10.9.8.1"), 4);
  ck_assert_int_eq(next(h, "10.9.8.1"), 5);
  ck_assert_int_eq(next(h, "10.9.8.1"), -1);
  ck_assert_uint_eq(hostlimit_waiting(h), 0);
  for (int i = 0; i < 1000; i++) ck_assert_int_eq(start(h, "10.9.8.200"), 1);
  /* one address of the block answers after all: limited again, and all
   * those connects count */
  connected(h, "10.9.8.200");
  ck_assert_int_eq(start(h, "10.9.8.201"), 0);
  /* a later timeout makes it SILENT again (the last event decides) */
  silent(h, "10.9.8.200");
  ck_assert_int_eq(start(h, "10.9.8.201"), 1);
  hostlimit_free(h);
}
END_TEST

START_TEST(fifo_and_no_overtaking) {
  struct target a[4], b[2];
  struct hostlimit *h = mk(1, 16);
  ck_assert_int_eq(start(h, "192.0.2.1"), 1);
  for (int i = 2; i <= 4; i++) {
    char s[32];
    snprintf(s, sizeof s, "192.0.2.%d", i);
    ck_assert_int_eq(start(h, s), 0);
    wait_as(h, &a[i - 2], i, s);
  }
  ck_assert_int_eq(start(h, "192.0.9.1"), 1);
  ck_assert_int_eq(start(h, "192.0.9.2"), 0);
  wait_as(h, &b[0], 92, "192.0.9.2");
  ck_assert_uint_eq(hostlimit_waiting(h), 4);
  /* the other prefix's end releases only its own waiter */
  done(h, "192.0.9.1", 0);
  ck_assert_int_eq(next(h, "192.0.9.1"), 92);
  ck_assert_int_eq(next(h, "192.0.9.1"), -1);
  /* a slot opens in 192.0.2/24; a newcomer arriving before next() must
   * queue behind the waiters, not overtake them */
  done(h, "192.0.2.1", 0);
  ck_assert_int_eq(start(h, "192.0.2.50"), 0);
  wait_as(h, &a[3], 50, "192.0.2.50");
  ck_assert_int_eq(next(h, "192.0.2.1"), 2);
  ck_assert_int_eq(next(h, "192.0.2.1"), -1);
  done(h, "192.0.2.2", 0);
  ck_assert_int_eq(next(h, "192.0.2.2"), 3);
  done(h, "192.0.2.3", 0);
  ck_assert_int_eq(next(h, "192.0.2.3"), 4);
  done(h, "192.0.2.4", 0);
  ck_assert_int_eq(next(h, "192.0.2.4"), 50);
  ck_assert_int_eq(next(h, "192.0.2.4"), -1);
  ck_assert_uint_eq(hostlimit_waiting(h), 0);
  (void)b;
  hostlimit_free(h);
}
END_TEST

START_TEST(prefix_boundaries) {
  struct hostlimit *h = mk(1, 64);
  /* IPv4: /24 */
  ck_assert_int_eq(start(h, "192.0.2.0"), 1);
  ck_assert_int_eq(start(h, "192.0.2.255"), 0);
  ck_assert_int_eq(start(h, "192.0.3.0"), 1);
  ck_assert_int_eq(start(h, "192.1.2.0"), 1);
  ck_assert_int_eq(start(h, "193.0.2.0"), 1);
  /* IPv6: /64 */
  ck_assert_int_eq(start(h, "2001:db8:1:2::1"), 1);
  ck_assert_int_eq(start(h, "2001:db8:1:2:ffff:ffff:ffff:ffff"), 0);
  ck_assert_int_eq(start(h, "2001:db8:1:3::1"), 1);
  ck_assert_int_eq(start(h, "2001:db9:1:2::1"), 1);
  /* the families never share a prefix, even with equal leading bits:
   * 192.0.2/24 is 0xc00002, and so is this /64's key */
  struct addr v6 = {.family = 6};
  v6.b[5] = 192, v6.b[6] = 0, v6.b[7] = 2;
  ck_assert_int_eq(hostlimit_try_start(h, &v6), 1);
  ck_assert_int_eq(hostlimit_try_start(h, &v6), 0);
  ck_assert_uint_eq(hostlimit_prefixes(h), 8);
  hostlimit_free(h);
}
END_TEST

START_TEST(table_full_of_active_prefixes) {
  struct hostlimit *h = mk(1, 2);
  ck_assert_int_eq(start(h, "10.0.0.1"), 1);
  ck_assert_int_eq(start(h, "10.0.1.1"), 1);
  ck_assert_int_eq(start(h, "10.0.2.1"), -ENOMEM);
  /* calls for the uncounted connect are ignored */
  done(h, "10.0.2.1", 0);
  connected(h, "10.0.2.1");
  silent(h, "10.0.2.1");
  ck_assert_int_eq(next(h, "10.0.2.1"), -1);
  ck_assert_uint_eq(hostlimit_prefixes(h), 2);
  /* a refused connect leaves an UNKNOWN prefix idle: its entry is free
   * at once */
  done(h, "10.0.0.1", 0);
  ck_assert_uint_eq(hostlimit_prefixes(h), 1);
  ck_assert_int_eq(start(h, "10.0.2.1"), 1);
  hostlimit_free(h);
}
END_TEST

START_TEST(oldest_idle_is_forgotten) {
  struct hostlimit *h = mk(1, 2);
  /* A then B go silent and idle, A first */
  ck_assert_int_eq(start(h, "10.0.0.1"), 1);
  silent(h, "10.0.0.1");
  ck_assert_int_eq(start(h, "10.0.1.1"), 1);
  silent(h, "10.0.1.1");
  ck_assert_uint_eq(hostlimit_prefixes(h), 2);
  /* C needs room: A, idle longest, is forgotten */
  ck_assert_int_eq(start(h, "10.0.2.1"), 1);
  ck_assert_uint_eq(hostlimit_prefixes(h), 2);
  /* B still remembered SILENT: unlimited */
  ck_assert_int_eq(start(h, "10.0.1.2"), 1);
  ck_assert_int_eq(start(h, "10.0.1.3"), 1);
  ck_assert_int_eq(start(h, "10.0.1.4"), 1);
  /* both entries active: no room for A */
  ck_assert_int_eq(start(h, "10.0.0.2"), -ENOMEM);
  /* C goes silent and idle; A takes its entry, UNKNOWN again: limited */
  silent(h, "10.0.2.1");
  ck_assert_int_eq(start(h, "10.0.0.2"), 1);
  ck_assert_int_eq(start(h, "10.0.0.3"), 0);
  hostlimit_free(h);
}
END_TEST

START_TEST(reused_idle_entry_is_young_again) {
  struct hostlimit *h = mk(1, 2);
  ck_assert_int_eq(start(h, "10.0.0.1"), 1);
  silent(h, "10.0.0.1"); /* A idle first */
  ck_assert_int_eq(start(h, "10.0.1.1"), 1);
  connected(h, "10.0.1.1");
  done(h, "10.0.1.1", 1); /* B idle (ANSWERING) second */
  /* A active again, then idle again: now B is the oldest idle */
  ck_assert_int_eq(start(h, "10.0.0.2"), 1);
  silent(h, "10.0.0.2");
  ck_assert_int_eq(start(h, "10.0.2.1"), 1); /* evicts B, not A */
  ck_assert_int_eq(start(h, "10.0.0.3"), 1); /* A still SILENT */
  ck_assert_int_eq(start(h, "10.0.0.4"), 1);
  hostlimit_free(h);
}
END_TEST

START_TEST(many_prefixes_bounded_memory) {
  /* 10000 silent /24s through a table of 100: never full (each is idle
   * after its timeout), and exactly the last 100 are remembered. */
  struct hostlimit *h = mk(1, 100);
  for (unsigned p = 0; p < 10000; p++) {
    struct addr a = {.family = 4};
    a.b[0] = 10, a.b[1] = (uint8_t)(p >> 8), a.b[2] = (uint8_t)p, a.b[3] = 1;
    ck_assert_int_eq(hostlimit_try_start(h, &a), 1);
    hostlimit_silent(h, &a);
    ck_assert_uint_le(hostlimit_prefixes(h), 100);
  }
  /* (a forgotten prefix's entry goes back to the free list when its
   * connects end, so only the first one below evicts anything: 9900, the
   * oldest idle, which is not a multiple of 37) */
  for (unsigned p = 0; p < 10000; p += 37) {
    struct addr a = {.family = 4};
    a.b[0] = 10, a.b[1] = (uint8_t)(p >> 8), a.b[2] = (uint8_t)p, a.b[3] = 2;
    ck_assert_int_eq(hostlimit_try_start(h, &a), 1);
    /* remembered SILENT: a second start is allowed; forgotten: limit 1 */
    ck_assert_int_eq(hostlimit_try_start(h, &a), p >= 9900 ? 1 : 0);
    hostlimit_done(h, &a, 0);
    hostlimit_done(h, &a, 0);
  }
  hostlimit_free(h);
}
END_TEST

START_TEST(waiter_without_entry_is_not_lost) {
  /* hostlimit_wait without the try_start that returned 0 while the table
   * is full: the waiter comes back from the next hostlimit_next call. */
  struct target t;
  struct hostlimit *h = mk(1, 1);
  ck_assert_int_eq(start(h, "10.0.0.1"), 1);
  wait_as(h, &t, 9, "10.0.5.5");
  ck_assert_uint_eq(hostlimit_waiting(h), 1);
  ck_assert_int_eq(next(h, "10.0.0.1"), 9);
  ck_assert_uint_eq(hostlimit_waiting(h), 0);
  ck_assert_int_eq(next(h, "10.0.0.1"), -1);
  hostlimit_free(h);
}
END_TEST

/* ---- model ---------------------------------------------------------- */

enum { P = 40, STARTS = 20000 };

struct model {
  int state; /* 0 unknown, 1 silent, 2 answering */
  unsigned connecting, established;
  int q[STARTS];
  unsigned qh, qt;
};

static int model_room(const struct model *m, unsigned limit) {
  if (m->state == 1) return 1;
  if (m->state == 2) return m->connecting + m->established < limit;
  return m->connecting < limit;
}

static struct addr prefix_addr(unsigned p, unsigned host) {
  struct addr a;
  memset(&a, 0, sizeof a);
  if (p % 2) {
    a.family = 6;
    a.b[0] = 0x20, a.b[1] = 0x01, a.b[2] = 0x0d, a.b[3] = 0xb8;
    a.b[7] = (uint8_t)p;
    a.b[15] = (uint8_t)host;
    a.b[8] = (uint8_t)(host * 7); /* below the /64: must not matter */
  } else {
    a.family = 4;
    a.b[0] = 10, a.b[1] = 1, a.b[2] = (uint8_t)p, a.b[3] = (uint8_t)host;
  }
  return a;
}

static unsigned rnd(uint64_t *s) {
  *s = *s * 6364136223846793005ull + 1442695040888963407ull;
  return (unsigned)(*s >> 33);
}

static unsigned released; /* waiters hostlimit_next handed back */

/* Release the prefix's waiters as the model says, checking each one. */
static void drain(struct hostlimit *h, struct model *m, unsigned p, unsigned limit) {
  struct addr a = prefix_addr(p, 77);
  while (m->qh < m->qt && model_room(m, limit)) {
    struct hostlimit_waiter *w = hostlimit_next(h, &a);
    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(((struct target *)w)->id, m->q[m->qh]);
    m->qh++;
    m->connecting++;
    released++;
  }
  ck_assert_ptr_null(hostlimit_next(h, &a));
}

static void run_model(unsigned limit, size_t max_prefixes, uint64_t seed) {
  struct model *m = calloc(P, sizeof *m);
  struct target *t = calloc(STARTS, sizeof *t);
  ck_assert_ptr_nonnull(m);
  ck_assert_ptr_nonnull(t);
  struct hostlimit *h = mk(limit, max_prefixes);
  unsigned started = 0, waited = 0, silenced = 0;
  size_t waiting = 0;
  released = 0;
  while (started < STARTS) {
    unsigned p = rnd(&seed) % P, op = rnd(&seed) % 10;
    struct model *mp = &m[p];
    struct addr a = prefix_addr(p, rnd(&seed) % 256);
    if (op < 4) { /* a new target */
      int want = mp->qh == mp->qt && model_room(mp, limit);
      int id = (int)started++;
      ck_assert_int_eq(hostlimit_try_start(h, &a), want);
      if (want) {
        mp->connecting++;
      } else {
        t[id].id = id;
        t[id].w.addr = a;
        hostlimit_wait(h, &t[id].w);
        mp->q[mp->qt++] = id;
        waited++;
      }
    } else if (op < 6 && mp->connecting) { /* accepted */
      hostlimit_connected(h, &a);
      mp->connecting--, mp->established++, mp->state = 2;
    } else if (op == 6 && mp->connecting) { /* timed out */
      hostlimit_silent(h, &a);
      mp->connecting--, mp->state = 1;
      silenced++;
      drain(h, mp, p, limit);
    } else if (op == 7 && mp->connecting) { /* refused */
      hostlimit_done(h, &a, 0);
      mp->connecting--;
      drain(h, mp, p, limit);
    } else if (op >= 8 && mp->established) { /* session over */
      hostlimit_done(h, &a, 1);
      mp->established--;
      drain(h, mp, p, limit);
    }
    waiting = 0;
    for (unsigned i = 0; i < P; i++) waiting += m[i].qt - m[i].qh;
    ck_assert_uint_eq(hostlimit_waiting(h), waiting);
  }
  /* the sequence did exercise queues and all three states */
  ck_assert_uint_ge(waited, 1000);
  ck_assert_uint_ge(released, 1000);
  ck_assert_uint_ge(silenced, 100);
  hostlimit_free(h);
  free(t);
  free(m);
}

START_TEST(random_sequences_match_model) {
  /* tables never full (at most P prefixes), so nothing is forgotten */
  run_model(1, P, 1);
  run_model(3, P, 2);
  run_model(5, 1024, 3);
}
END_TEST

Suite *hostlimit_suite(void) {
  Suite *s = suite_create("hostlimit");
  TCase *tc = tcase_create("prefixes");
  tcase_add_test(tc, bad_params);
  tcase_add_test(tc, unknown_prefix_limits_connects);
  tcase_add_test(tc, answering_prefix_counts_sessions);
  tcase_add_test(tc, accepted_session_counts);
  tcase_add_test(tc, silent_prefix_is_unlimited);
  tcase_add_test(tc, fifo_and_no_overtaking);
  tcase_add_test(tc, prefix_boundaries);
  tcase_add_test(tc, table_full_of_active_prefixes);
  tcase_add_test(tc, oldest_idle_is_forgotten);
  tcase_add_test(tc, reused_idle_entry_is_young_again);
  tcase_add_test(tc, many_prefixes_bounded_memory);
  tcase_add_test(tc, waiter_without_entry_is_not_lost);
  tcase_add_test(tc, random_sequences_match_model);
  suite_add_tcase(s, tc);
  return s;
}
