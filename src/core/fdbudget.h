/* SPDX-License-Identifier: MIT */
/*
 * fdbudget.h - how many file descriptors a scan needs before it can make
 * progress, so a low open-file limit (ulimit -n) stops the run at once with
 * a clear message instead of an assertion in libuv, a crash or a loop that
 * spins on EMFILE.  Pure: no I/O.
 *
 * The count is a floor for a run to complete, not a comfortable size:
 * SMTP sockets beyond the first are back-pressure (a connect waits for a
 * free descriptor), so one is enough.  It adds, besides the descriptors
 * already open (stdin, stdout, stderr and anything inherited, which the
 * caller counts):
 *   FDBUDGET_LOOP       libuv's loop: epoll, the thread pool's eventfd, the
 *                       loop's signal pipe (2) and the process-wide signal
 *                       lock pipe (2), and one spare
 *   FDBUDGET_REPORT     the report's temporary file, and its directory,
 *                       opened to make the rename durable
 *   FDBUDGET_TRANSIENT  a file opened and closed at once: /etc/resolv.conf
 *                       and /dev/urandom when c-ares starts, /proc/net/snmp
 *                       at each drop check
 *   FDBUDGET_INPUT      the input being read (@FILE, the inventory) and the
 *                       pipe from the reader thread that streams it
 *   FDBUDGET_PER_SERVER per DNS server and channel: a UDP socket, the next
 *                       one c-ares opens while the full one drains, and a
 *                       TCP socket for a truncated answer
 *   1 for SMTP (unless --no-smtp), 1 for --html.
 */
#ifndef PTRAUDIT_FDBUDGET_H
#define PTRAUDIT_FDBUDGET_H

#define FDBUDGET_LOOP 7
#define FDBUDGET_REPORT 2
#define FDBUDGET_TRANSIENT 1
#define FDBUDGET_INPUT 3
#define FDBUDGET_PER_SERVER 3
/* Servers assumed when the system's resolvers are used (resolv.conf
 * holds at most 3 nameserver lines that glibc reads; c-ares reads as many). */
#define FDBUDGET_SYSTEM_SERVERS 3

struct fdbudget {
  unsigned channels; /* c-ares channels; 0 = 1 */
  unsigned servers;  /* DNS servers given; 0 = the system's */
  int smtp;          /* SMTP probes on */
  int html;          /* --html report */
};

/* Descriptors the run needs beyond those already open.  O(1). */
unsigned fdbudget_need(const struct fdbudget *b);

#endif
