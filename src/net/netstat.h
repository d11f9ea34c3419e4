/* SPDX-License-Identifier: MIT */
/*
 * netstat.h - the kernel's UDP counters from /proc/net/snmp, used to see
 * whether replies are being dropped because a socket's receive buffer was
 * full (RcvbufErrors).  Dropped DNS replies turn into retries and timeouts:
 * the DNS stage watches this counter and narrows its window when it grows,
 * before the drops cost a timeout each.
 */
#ifndef PTRAUDIT_NETSTAT_H
#define PTRAUDIT_NETSTAT_H

#include <stddef.h>
#include <stdint.h>

/* The file read: /proc/net is a link to /proc/self/net, and only the
 * latter survives a procfs mounted with subset=pid (systemd's
 * ProcSubset=pid), which hides every top-level entry but the processes. */
#define NETSTAT_PATH "/proc/self/net/snmp"

/* Parse the text of /proc/net/snmp (the "Udp:" header line followed by the
 * "Udp:" value line) for the RcvbufErrors counter.  Pure.  Returns 0 and
 * sets *out, or UV_EINVAL if the text has no such counter. */
int netstat_parse_rcvbuf_errors(const char *text, size_t len, uint64_t *out);

/* Read NETSTAT_PATH now: one open and one read.  0, or a negative code
 * (no procfs, or no Udp counter: UV_EINVAL); the caller does without. */
int netstat_rcvbuf_errors(uint64_t *out);

#endif
