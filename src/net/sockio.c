/* SPDX-License-Identifier: MIT */
/*
 * sockio.c - batched UDP socket I/O for c-ares (see sockio.h).
 */
#include "sockio.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <uv.h>

#if defined(__linux__) && defined(SO_RXQ_OVFL)
#define SOCKIO_BATCHED 1
#else
#define SOCKIO_BATCHED 0
#endif

/* Datagrams per recvmmsg()/sendmmsg() call.  32 replies of a few hundred
 * bytes is what one wake-up finds at ~400k queries/s; more buys nothing. */
#define RECV_BATCH 32
#define SEND_BATCH 64
/* A receive slot holds any UDP payload, so a datagram is never cut shorter
 * than c-ares's own recvfrom() would cut it.  Only the pages a datagram
 * touches become resident. */
#define RECV_SLOT 65536
/* c-ares's queries are at most 12 + 255 + 4 octets plus an EDNS OPT
 * record; a longer one (never seen) is sent directly, in order. */
#define SEND_SLOT 512

struct sock {
  ares_socket_t fd;
  int udp;
  int err;          /* a send error kept for the next read (errno), 0 = none */
  int notified;     /* the read callback ran since c-ares last read */
  /* receive batch */
  unsigned char *rbuf;   /* RECV_BATCH * RECV_SLOT, allocated on first read */
  struct mmsghdr *rmsg;  /* with iovecs and names in rx below */
  unsigned rn, rpos;     /* datagrams in the batch, next one to hand out */
  int rshort;            /* the last recvmmsg() came back short: empty */
  uint32_t drops;        /* SO_RXQ_OVFL: the kernel's drop count for this socket */
  /* send queue */
  unsigned sn;           /* datagrams queued */
  struct sock *next;
  struct rx {
    struct iovec iov;
    struct sockaddr_storage from;
    union { /* aligned for CMSG_ */
      struct cmsghdr h;
      unsigned char b[CMSG_SPACE(sizeof(uint32_t))];
    } ctl;
  } *rx;
  struct sx {
    size_t len;
    unsigned char buf[SEND_SLOT];
  } *sx; /* SEND_BATCH entries, allocated on first send */
};

struct sockio {
  int rcvbuf;
  sockio_read_cb on_read;
  void *arg;
  struct sock *socks;
  uint64_t closed_drops; /* drops of sockets already closed */
};

int sockio_new(struct sockio **out, int rcvbuf, sockio_read_cb on_read, void *arg) {
  struct sockio *s = calloc(1, sizeof *s);
  *out = s;
  if (!s) return UV_ENOMEM;
  s->rcvbuf = rcvbuf;
  s->on_read = on_read;
  s->arg = arg;
  return 0;
}

static struct sock *find(struct sockio *s, ares_socket_t fd) {
  struct sock **pp = &s->socks, *k;
  while ((k = *pp) && k->fd != fd) pp = &k->next;
  if (k && pp != &s->socks) { /* move to the front: one socket carries the load */
    *pp = k->next;
    k->next = s->socks;
    s->socks = k;
  }
  return k;
}

static void sock_free(struct sock *k) {
  free(k->rbuf);
  free(k->rmsg);
  free(k->rx);
  free(k->sx);
  free(k);
}

/* ---- the c-ares socket functions ---------------------------------------- */

static ares_socket_t io_socket(int domain, int type, int protocol, void *user) {
  struct sockio *s = user;
  struct sock *k = calloc(1, sizeof *k);
  if (!k) {
    errno = ENOMEM;
    return ARES_SOCKET_BAD;
  }
  int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0) {
    free(k);
    return ARES_SOCKET_BAD;
  }
  int one = 1;
  k->fd = fd;
  k->udp = (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) == SOCK_DGRAM;
  if (k->udp) {
    if (s->rcvbuf > 0) (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &s->rcvbuf, sizeof s->rcvbuf);
#if SOCKIO_BATCHED
    (void)setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
#endif
  } else {
    /* What c-ares does for its own TCP sockets: a query is one write. */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  k->next = s->socks;
  s->socks = k;
  return fd;
}

static int io_close(ares_socket_t fd, void *user) {
  struct sockio *s = user;
  struct sock **pp = &s->socks, *k;
  while ((k = *pp) && k->fd != fd) pp = &k->next;
  if (k) {
    *pp = k->next;
    s->closed_drops += k->drops;
    sock_free(k); /* queued datagrams go too: c-ares has given up on them */
  }
  return close(fd);
}

static int io_connect(ares_socket_t fd, const struct sockaddr *sa, ares_socklen_t len, void *user) {
  (void)user;
  return connect(fd, sa, len);
}

#if SOCKIO_BATCHED
static int rx_alloc(struct sock *k) {
  if (k->rbuf) return 0;
  k->rbuf = malloc((size_t)RECV_BATCH * RECV_SLOT);
  k->rmsg = calloc(RECV_BATCH, sizeof *k->rmsg);
  k->rx = calloc(RECV_BATCH, sizeof *k->rx);
  if (!k->rbuf || !k->rmsg || !k->rx) {
    free(k->rbuf);
    free(k->rmsg);
    free(k->rx);
    k->rbuf = NULL;
    k->rmsg = NULL;
    k->rx = NULL;
    return -1;
  }
  for (unsigned i = 0; i < RECV_BATCH; i++) {
    k->rx[i].iov.iov_base = k->rbuf + (size_t)i * RECV_SLOT;
    k->rx[i].iov.iov_len = RECV_SLOT;
  }
  return 0;
}

/* Fill the batch.  Returns the number of datagrams, or -1 with errno. */
static int rx_fill(struct sock *k) {
  for (unsigned i = 0; i < RECV_BATCH; i++) {
    struct msghdr *h = &k->rmsg[i].msg_hdr;
    h->msg_name = &k->rx[i].from;
    h->msg_namelen = sizeof k->rx[i].from;
    h->msg_iov = &k->rx[i].iov;
    h->msg_iovlen = 1;
    h->msg_control = k->rx[i].ctl.b;
    h->msg_controllen = sizeof k->rx[i].ctl.b;
    h->msg_flags = 0;
  }
  int n;
  do n = recvmmsg(k->fd, k->rmsg, RECV_BATCH, MSG_DONTWAIT, NULL);
  while (n < 0 && errno == EINTR);
  if (n <= 0) return n;
  /* The drop count travels with each datagram; the last one is newest. */
  for (int i = 0; i < n; i++) {
    struct msghdr *h = &k->rmsg[i].msg_hdr;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL &&
          c->cmsg_len >= CMSG_LEN(sizeof(uint32_t)))
        memcpy(&k->drops, CMSG_DATA(c), sizeof k->drops);
  }
  return n;
}
#endif

static ares_ssize_t io_recvfrom(ares_socket_t fd, void *buf, size_t len, int flags,
                                struct sockaddr *from, ares_socklen_t *fromlen, void *user) {
  struct sockio *s = user;
  struct sock *k = find(s, fd);
  if (!k || !k->udp || !SOCKIO_BATCHED)
    return recvfrom(fd, buf, len, flags, from, fromlen);
#if SOCKIO_BATCHED
  if (k->err) {
    /* A send failed for good: report it where the kernel would have. */
    errno = k->err;
    k->err = 0;
    return -1;
  }
  k->notified = 0;
  if (k->rpos == k->rn) {
    if (k->rshort) {
      /* The last batch found the socket empty: this is the read that ends
       * c-ares's loop.  The next readiness event reads again. */
      k->rshort = 0;
      errno = EAGAIN;
      return -1;
    }
    if (rx_alloc(k) != 0) return recvfrom(fd, buf, len, flags, from, fromlen);
    int n = rx_fill(k);
    if (n < 0) return -1; /* errno from recvmmsg: EAGAIN, ECONNREFUSED, ... */
    k->rn = (unsigned)n;
    k->rpos = 0;
    k->rshort = n < RECV_BATCH;
    if (n == 0) {
      errno = EAGAIN;
      return -1;
    }
  }
  struct mmsghdr *m = &k->rmsg[k->rpos];
  size_t got = m->msg_len;
  if (got > len) got = len; /* recvfrom() semantics: the rest is discarded */
  memcpy(buf, k->rx[k->rpos].iov.iov_base, got);
  if (from && fromlen) {
    socklen_t nl = m->msg_hdr.msg_namelen;
    memcpy(from, &k->rx[k->rpos].from, nl < *fromlen ? nl : *fromlen);
    *fromlen = nl;
  }
  if (!(flags & MSG_PEEK)) k->rpos++;
  return (ares_ssize_t)got;
#endif
}

#if SOCKIO_BATCHED
/* Send k's queue.  Stops at EAGAIN/ENOBUFS (the rest waits); a hard error
 * drops the datagram that met it and is kept for the next read. */
static void tx_flush(struct sock *k) {
  struct mmsghdr m[SEND_BATCH];
  struct iovec v[SEND_BATCH];
  unsigned off = 0;
  if (!k->sn) return;
  for (unsigned i = 0; i < k->sn; i++) {
    v[i].iov_base = k->sx[i].buf;
    v[i].iov_len = k->sx[i].len;
    memset(&m[i], 0, sizeof m[i]);
    m[i].msg_hdr.msg_iov = &v[i];
    m[i].msg_hdr.msg_iovlen = 1;
  }
  while (off < k->sn) {
    int n = sendmmsg(k->fd, m + off, k->sn - off, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      off += (unsigned)n;
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
      break;
    } else {
      if (n < 0 && !k->err) k->err = errno;
      off++; /* that datagram is lost: its query times out or fails over */
    }
  }
  if (off && off < k->sn) memmove(k->sx, k->sx + off, (k->sn - off) * sizeof *k->sx);
  k->sn -= off;
}
#endif

static ares_ssize_t io_sendv(ares_socket_t fd, const struct iovec *iov, int cnt, void *user) {
  struct sockio *s = user;
  struct sock *k = find(s, fd);
  size_t total = 0;
  for (int i = 0; i < cnt; i++) total += iov[i].iov_len;
  if (!k || !k->udp || !SOCKIO_BATCHED) return writev(fd, iov, cnt);
#if SOCKIO_BATCHED
  if (k->err) {
    /* The socket is failing: c-ares fails the query over now, as it would
     * have if its own send() had returned the error. */
    errno = k->err;
    return -1;
  }
  if (!k->sx && !(k->sx = malloc(SEND_BATCH * sizeof *k->sx))) return writev(fd, iov, cnt);
  /* A full queue makes room; a datagram too long for a slot goes
   * directly, after the queue, to keep the order. */
  if (k->sn == SEND_BATCH || total > SEND_SLOT) tx_flush(k);
  if (k->sn == SEND_BATCH || (total > SEND_SLOT && k->sn)) {
    errno = EAGAIN; /* the kernel takes nothing now: as send() would say */
    return -1;
  }
  if (total > SEND_SLOT) return writev(fd, iov, cnt);
  struct sx *x = &k->sx[k->sn++];
  x->len = 0;
  for (int i = 0; i < cnt; i++) {
    memcpy(x->buf + x->len, iov[i].iov_base, iov[i].iov_len);
    x->len += iov[i].iov_len;
  }
  return (ares_ssize_t)total;
#endif
}

static const struct ares_socket_functions funcs = {
  io_socket, io_close, io_connect, io_recvfrom, io_sendv,
};

/* ---- public ------------------------------------------------------------- */

int sockio_install(struct sockio *s, ares_channel ch) {
  if (!SOCKIO_BATCHED) return 0;
  ares_set_socket_functions(ch, &funcs, s);
  return 1;
}

size_t sockio_flush(struct sockio *s) {
#if SOCKIO_BATCHED
  struct sock *k;
  for (k = s->socks; k; k = k->next) tx_flush(k);
  /* The callback lets c-ares read the socket, which may close it (and free
   * k) and send again: look the list up afresh after each call.  A socket
   * is named once until c-ares reads it, so this ends even if it does not. */
  for (;;) {
    for (k = s->socks; k && (k->notified || !(k->err || k->rpos < k->rn)); k = k->next) {}
    if (!k) break;
    k->notified = 1;
    if (s->on_read) s->on_read(s->arg, k->fd);
  }
#endif
  return sockio_queued(s);
}

const struct ares_socket_functions *sockio_functions(void) {
  return SOCKIO_BATCHED ? &funcs : NULL;
}

size_t sockio_queued(const struct sockio *s) {
  size_t n = 0;
  for (const struct sock *k = s->socks; k; k = k->next) n += k->sn;
  return n;
}

uint64_t sockio_drops(const struct sockio *s) {
  uint64_t n = s->closed_drops;
  for (const struct sock *k = s->socks; k; k = k->next) n += k->drops;
  return n;
}

void sockio_free(struct sockio *s) {
  if (!s) return;
  while (s->socks) { /* not expected: channels close their sockets */
    struct sock *k = s->socks;
    s->socks = k->next;
    sock_free(k);
  }
  free(s);
}
