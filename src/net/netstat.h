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

/* Parse the text of /proc/net/snmp (the "Udp:" header line followed by the
 * "Udp:" value line) for the RcvbufErrors counter.  Pure.  Returns 0 and
 * sets *out, or UV_EINVAL if the text has no such counter. */
int netstat_parse_rcvbuf_errors(const char *text, size_t len, uint64_t *out);

/* Read /proc/net/snmp now.  0, or a negative code (no procfs: the caller
 * simply does without). */
int netstat_rcvbuf_errors(uint64_t *out);

#endif
