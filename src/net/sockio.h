/* SPDX-License-Identifier: MIT */
/*
 * sockio.h - the socket I/O of c-ares channels, with UDP in batches.
 *
 * c-ares 1.18 reads one datagram per recvfrom(), plus one more call that
 * fails with EAGAIN to learn the socket is empty, and sends each query with
 * its own send().  At a few hundred thousand queries/s on loopback those
 * system calls are a large share of the client's CPU.  Installed on a
 * channel with ares_set_socket_functions(), this module:
 *   - reads UDP datagrams with recvmmsg() into a per-socket batch and hands
 *     them to c-ares one per call; when a batch came back short the socket
 *     was empty, so the EAGAIN that ends c-ares's read loop costs no system
 *     call;
 *   - queues UDP sends and writes them with sendmmsg() in sockio_flush()
 *     (the resolver flushes once per loop iteration, just before the loop
 *     blocks) or when a socket's queue is full;
 *   - counts the datagrams the kernel dropped at each UDP socket because its
 *     receive buffer was full (SO_RXQ_OVFL);
 *   - creates sockets non-blocking and close-on-exec, with the receive
 *     buffer asked for: c-ares configures no socket it did not create.
 * TCP sockets pass through to the plain calls.  Linux only (recvmmsg,
 * sendmmsg, SO_RXQ_OVFL); elsewhere sockio_install() installs nothing and
 * c-ares does its own I/O.
 *
 * A queued send reports success to c-ares at once.  If sendmmsg() later
 * fails for good (e.g. ECONNREFUSED after an ICMP port unreachable), the
 * error is kept on the socket and returned by the next read, as the
 * kernel would have done, and sockio_flush() names the socket to the
 * caller, who lets c-ares read it (ares_process_fd): c-ares then fails the
 * server over exactly as if its own send() had failed.  sockio_flush()
 * also names a socket whose batch still holds datagrams c-ares has not
 * read (it stops reading early on a reply from a foreign address), since
 * the kernel will not report that socket readable again.
 */
#ifndef PTRAUDIT_SOCKIO_H
#define PTRAUDIT_SOCKIO_H

#include <ares.h>
#include <stdint.h>

struct sockio; /* opaque */

/* Called by sockio_flush() for a socket c-ares should read now although
 * the kernel may not say so: a queued send failed (the read returns the
 * error) or datagrams wait in the batch.  The caller runs
 * ares_process_fd(channel, fd, ARES_SOCKET_BAD). */
typedef void (*sockio_read_cb)(void *arg, ares_socket_t fd);

/* A socket layer whose UDP sockets get an SO_RCVBUF of `rcvbuf` bytes
 * (<= 0: the system default).  Returns 0 or UV_ENOMEM. */
int sockio_new(struct sockio **out, int rcvbuf, sockio_read_cb on_read, void *arg);

/* Make channel `ch` do its socket I/O through `s` (before its first
 * query).  Returns 1 when installed, 0 when this platform has no batched
 * I/O (c-ares keeps its own). */
int sockio_install(struct sockio *s, ares_channel ch);

/*
 * Send every queued datagram (one sendmmsg() per socket and batch), then
 * name to the read callback, once each, the sockets whose send failed
 * for good or whose batch holds unread datagrams.  Datagrams that meet EAGAIN/ENOBUFS stay queued for the next call.
 * Must not be called from inside c-ares (the callback re-enters it).
 * Returns the number of datagrams still queued.  O(queued + sockets).
 */
size_t sockio_flush(struct sockio *s);

/* The functions sockio_install() gives c-ares; their user data is the
 * struct sockio.  Tests drive them directly, without a channel.  NULL
 * where there is no batched I/O. */
const struct ares_socket_functions *sockio_functions(void);

/* Datagrams still queued (not yet handed to the kernel).  O(sockets). */
size_t sockio_queued(const struct sockio *s);

/* Datagrams the kernel dropped at this layer's UDP sockets, closed ones
 * included, as last reported by the kernel with a received datagram.
 * O(sockets). */
uint64_t sockio_drops(const struct sockio *s);

/* Free `s`.  Every channel using it must have been destroyed first (their
 * sockets are closed then).  NULL is a no-op. */
void sockio_free(struct sockio *s);

#endif
