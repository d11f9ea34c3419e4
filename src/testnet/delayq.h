/* SPDX-License-Identifier: MIT */
/*
 * delayq.h - DNS replies held back for --dns-delay: a bounded min-heap of
 * copies ordered by due time (then arrival), driven by one libuv timer, so
 * a slow answer never holds up another.
 */
#ifndef TESTNET_DELAYQ_H
#define TESTNET_DELAYQ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

struct tn_delayq;

/* One held reply, handed to the callback when it is due. */
struct tn_delayed {
  uint64_t due, seq;
  void *conn;                  /* TCP: the connection; UDP: NULL */
  int tcp;
  struct sockaddr_storage to;  /* UDP: the client */
  size_t len;
  uint8_t data[];
};

/* Called for every reply whose time has come (not for forgotten ones); the
 * entry is freed when it returns. */
typedef void (*tn_delayq_cb)(void *ctx, struct tn_delayed *d);

/* A queue holding at most cap replies.  Returns 0 and *out, or UV_ENOMEM. */
int tn_delayq_new(uv_loop_t *loop, size_t cap, tn_delayq_cb cb, void *ctx,
                  struct tn_delayq **out);

/* Hold a copy of data[len] for ms milliseconds.  Returns 0, UV_ENOBUFS
 * when cap replies are already held (the reply is not kept), or
 * UV_ENOMEM.  O(log held). */
int tn_delayq_push(struct tn_delayq *q, uint64_t ms, int tcp, void *conn,
                   const struct sockaddr *to, const uint8_t *data, size_t len);

/* Forget every reply held for conn (it is closing): they are discarded
 * without a callback when due.  O(held). */
void tn_delayq_forget(struct tn_delayq *q, const void *conn);

/* Replies held now. */
size_t tn_delayq_held(const struct tn_delayq *q);

/* Discard everything and close the timer; done(ctx) runs once the queue
 * has freed itself (from the loop). */
void tn_delayq_close(struct tn_delayq *q, void (*done)(void *ctx));

#endif
