/* SPDX-License-Identifier: MIT */
/*
 * zone.h - the algorithmic DNS zone: one query message in, one reply
 * message out.  Pure (no I/O, no allocation, no global state), so the same
 * function answers UDP and TCP and can be exercised without sockets.
 *
 * Zones served (authoritative, AA set, TTL 3600, SOA in the authority
 * section of NXDOMAIN/NODATA answers):
 *   tn.test, 127.in-addr.arpa, 8.b.d.0.1.0.0.2.ip6.arpa (2001:db8::/32) and
 *   the ::/124 reverse zone (only ::1 exists in it).
 * plus the root apex (SOA and NS only); NS at every apex is ns.tn.test,
 * whose address is the server's own.  Anything else is REFUSED.  The
 * per-address behaviour is scenario.h's; names under a --dns-lame block are
 * dropped (RD set) or referred to ns.lame.tn.test (RD clear).  bl.tn.test
 * is the blocklist zone of dnsbl.h.  Names given as data (--zone-file,
 * the built-in sender records; zonedata.h) answer before all of that; with
 * --zone-file, names outside every zone are NXDOMAIN instead of REFUSED.
 */
#ifndef TESTNET_ZONE_H
#define TESTNET_ZONE_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"
#include "zonedata.h"

/* Reply buffers must hold this many bytes (the TCP maximum). */
#define TN_DNS_OUT_MAX 65535
/* Largest UDP reply we ever send, whatever EDNS0 advertises. */
#define TN_DNS_UDP_MAX 4096

enum tn_transport { TN_UDP = 0, TN_TCP = 1 };

/* What the zone needs to know about the server around it. */
struct tn_zone_cfg {
  struct tn_ip ns_addr;        /* address of ns.tn.test: the server's own */
  const struct tn_range *lame; /* --dns-lame blocks (CIDR, IPv4) */
  size_t nlame;
  /* Records given as data (zonedata.h), looked up before the address
   * plan: --zone-file data first, then the built-in sender records. */
  const struct tn_zdata *files;   /* NULL: no --zone-file */
  const struct tn_zdata *builtin; /* NULL under --zone-only */
  int zone_only;                  /* --zone-only: only `files` is served */
};

enum tn_lame { TN_LAME_NO = 0, TN_LAME_DROPPED, TN_LAME_REFERRAL };

/* What happened to one query; for counters and logs. */
struct tn_dns_info {
  int qtype;     /* query type, or -1 if the question could not be parsed */
  int rcode;     /* rcode of the reply sent (extended: 16 = BADVERS), -1 if none */
  int dropped;   /* 1: no reply on purpose (silent scenario, or a message
                    that is itself a response / shorter than a header) */
  int truncated; /* 1: reply sent with TC=1 */
  int formerr;   /* 1: the query was malformed */
  int lame;      /* enum tn_lame: the name is under a --dns-lame block */
  int has_hash;  /* 1: the question parsed and qhash is set */
  uint32_t qhash; /* FNV-1a of (lower-cased name, type): --dns-delay's key */
};

/* Build the reply to the DNS message q[qlen] received over `transport`
 * into out[TN_DNS_OUT_MAX].  Returns the reply length; 0 means send
 * nothing.  *info is always filled.  Never reads outside q[0..qlen).
 * Cost: O(reply size), except for the 500-name scenario. */
size_t tn_dns_reply(const struct tn_zone_cfg *cfg, const uint8_t *q, size_t qlen,
                    int transport, uint8_t *out, struct tn_dns_info *info);

/* Like tn_dns_reply, but a well-formed query gets REFUSED (question echoed,
 * no records) whatever it asks: a resolver shedding load.  Malformed
 * messages are handled exactly as by tn_dns_reply. */
size_t tn_dns_refuse(const struct tn_zone_cfg *cfg, const uint8_t *q, size_t qlen,
                     int transport, uint8_t *out, struct tn_dns_info *info);

/* --dns-delay: the delay in ms of a reply whose question hashes to qhash:
 * 0 (at once) when qhash mod 100 < instant_pct, else
 * min_ms + (qhash / 100) mod (max_ms - min_ms + 1).  O(1). */
uint64_t tn_dns_delay_ms(uint32_t qhash, int instant_pct, int min_ms, int max_ms);

#endif
