/* SPDX-License-Identifier: MIT */
/*
 * status.h - how one DNS lookup and one SMTP probe ended: the outcomes the
 * network layer reports and the verdict rules (verdict.h) judge.  Kept
 * apart from the rules so the resolver and the probe depend on these words
 * alone, not on the audit's rules.  Their report names are verdict.h's
 * (verdict_dns_status_name, verdict_smtp_status_name).
 */
#ifndef PTRAUDIT_STATUS_H
#define PTRAUDIT_STATUS_H

/* Longest name kept, in presentation form (RFC 1035 allows 253 octets;
 * a longer one is cut, dnsreply.h). */
#define RESULT_NAME_MAX 255

/* Outcome of one DNS lookup.  DNS_SERVFAIL .. DNS_ERROR are temporary
 * (never "no record"); DNS_NOT_RUN is not an outcome at all.  Use
 * verdict_dns_status_is_temporary() rather than comparing with DNS_SERVFAIL. */
enum dns_status {
  DNS_OK = 0,    /* answer with records of the asked type */
  DNS_NXDOMAIN,  /* rcode 3 */
  DNS_NODATA,    /* NOERROR but no record of the asked type */
  DNS_SERVFAIL,  /* rcode 2 */
  DNS_REFUSED,   /* rcode 5 */
  DNS_TIMEOUT,   /* no usable answer within tries x timeout */
  DNS_BADRESP,   /* malformed or unusable answer (incl. other rcodes) */
  DNS_ERROR,     /* local failure (no memory, no sockets, ...) */
  DNS_NOT_RUN    /* not looked up (e.g. beyond RESULT_MAX_FORWARD) */
};

enum smtp_status {
  SMTP_SKIPPED = 0, /* --no-smtp, or invalid/skipped target */
  SMTP_BANNER,      /* a complete greeting was read */
  SMTP_REFUSED,     /* connection refused */
  SMTP_TIMEOUT,     /* the connect deadline (--connect-timeout) or the greeting
                       deadline (--smtp-timeout, from connect start) passed */
  SMTP_CLOSED,      /* peer closed before the greeting's final line */
  SMTP_RESET,       /* connection reset */
  SMTP_ERROR        /* anything else: unreachable, oversized or malformed greeting */
};

/* The sender checks' outcomes (scan/senders.h fills them; the verdict
 * judges them).  SPF results are RFC 7208 section 2.6's; DMARC is the
 * presence of a policy record (RFC 7489 section 6.6.3). */
enum spf_status {
  SPF_ST_NOT_RUN = 0, /* no sender for this row, or not asked */
  SPF_ST_NONE,
  SPF_ST_NEUTRAL,
  SPF_ST_PASS,
  SPF_ST_FAIL,
  SPF_ST_SOFTFAIL,
  SPF_ST_TEMPERROR,
  SPF_ST_PERMERROR
};

enum dmarc_status {
  DMARC_ST_NOT_RUN = 0, /* no sender domain, or not asked */
  DMARC_ST_RECORD,      /* a valid policy record (of the domain or its organisational domain) */
  DMARC_ST_MISSING,     /* none at either */
  DMARC_ST_INVALID,     /* a v=DMARC1 record without a valid policy */
  DMARC_ST_TEMPERROR    /* a lookup failed temporarily: unknown, never "missing" */
};

#endif
