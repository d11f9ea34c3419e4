/* SPDX-License-Identifier: MIT */
/*
 * dnswire.h - DNS message bytes for the testnet zone: a bounded reply
 * writer with name compression (RFC 1035 4.1.4) and the query parser.
 * Pure: no I/O, no allocation.
 */
#ifndef TESTNET_DNSWIRE_H
#define TESTNET_DNSWIRE_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"

enum {
  DW_T_A = 1, DW_T_NS = 2, DW_T_CNAME = 5, DW_T_SOA = 6, DW_T_PTR = 12,
  DW_T_TXT = 16, DW_T_AAAA = 28, DW_T_OPT = 41
};
enum { DW_R_NOERROR = 0, DW_R_FORMERR = 1, DW_R_SERVFAIL = 2, DW_R_NXDOMAIN = 3,
       DW_R_NOTIMP = 4, DW_R_REFUSED = 5, DW_R_BADVERS = 16 };

#define DW_TTL 3600
#define DW_COMP_MAX 64 /* compression targets remembered per reply */
/* Largest UDP reply we ever send, whatever EDNS0 advertises. */
#define DW_UDP_MAX 4096 /* = TN_DNS_UDP_MAX of zone.h */

/* A reply being written into a caller's buffer.  Writes that do not fit set
 * `full` and are dropped (the caller then truncates the reply). */
struct dw_pkt {
  uint8_t *p;
  size_t len, cap;
  int full; /* a write did not fit: the reply must be truncated */
  int ncomp;
  uint16_t comp[DW_COMP_MAX]; /* offsets of label starts written literally */
  uint16_t an, ns, ar;
  uint32_t ttl; /* TTL of the records written next (dw_init: DW_TTL) */
};

/* A parsed query; qname points into the message. */
struct dw_query {
  uint16_t id, flags;
  const uint8_t *qname; /* wire, inside the query */
  size_t qname_len;
  uint16_t qtype, qclass;
  int edns;             /* an OPT record was present */
  unsigned udp_size;
  unsigned edns_version;
  int do_bit;
};

/* Header fields of the reply. */
struct dw_reply {
  int aa, tc, rcode;
  uint16_t id;
};

/* ASCII lower case of one byte. */
uint8_t dw_lc(uint8_t c);

/* Start a reply in out[cap] (header left blank, 12 bytes reserved). */
void dw_init(struct dw_pkt *k, uint8_t *out, size_t cap);

/* Append raw bytes / big-endian integers.  O(n). */
void dw_bytes(struct dw_pkt *k, const void *b, size_t n);
void dw_u8(struct dw_pkt *k, unsigned v);
void dw_u16(struct dw_pkt *k, unsigned v);
void dw_u32(struct dw_pkt *k, uint32_t v);

/* Append wire name w compressed against earlier names; bytes are copied as
 * given (the question keeps the client's case).  O(labels x DW_COMP_MAX). */
void dw_name(struct dw_pkt *k, const uint8_t *w);

/* Owner, type, class IN, TTL and a placeholder rdlength; returns where the
 * rdlength goes, for dw_rr_end, which fills it in. */
size_t dw_rr_begin(struct dw_pkt *k, const uint8_t *owner, unsigned type);
void dw_rr_end(struct dw_pkt *k, size_t at);

/* Whole answer-section records: a name-valued one (PTR, CNAME, NS) and an
 * A or AAAA for a (family 4 or 6).  Each bumps the answer count. */
void dw_rr_name(struct dw_pkt *k, const uint8_t *owner, unsigned type, const uint8_t *target);
void dw_rr_addr(struct dw_pkt *k, const uint8_t *owner, const struct tn_ip *a);

/* The question, the OPT record (only if the query had one: RFC 6891
 * 6.1.3) and the header (written last, from the counts). */
void dw_question(struct dw_pkt *k, const uint8_t *qname, const struct dw_query *q);
void dw_opt(struct dw_pkt *k, const struct dw_query *q, int rcode);
void dw_header(struct dw_pkt *k, const struct dw_query *q, const struct dw_reply *r);

/* Length of an uncompressed wire name (final zero included); equality
 * ignoring ASCII case. */
size_t dw_wire_len(const uint8_t *w);
int dw_wire_eq(const uint8_t *a, const uint8_t *b);

/* Parse the question and EDNS0 of m[len] (len >= 12).  Returns 0, or
 * DW_R_FORMERR.  Never reads outside m. */
int dw_parse_query(const uint8_t *m, size_t len, struct dw_query *q);

#endif
