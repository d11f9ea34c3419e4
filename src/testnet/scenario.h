/* SPDX-License-Identifier: MIT */
/*
 * scenario.h - the loopback test network's address plan: which DNS and SMTP
 * behaviour ("scenario") an address gets, and the names the zone holds for
 * it.  Pure: no I/O, no allocation, no global state.  tests/testnet.md is
 * the human-readable form of this file and must stay in step with it.
 *
 * Served addresses:
 *   127.0.0.0/8      DNS + SMTP.  127.64.0.0/16 is the scenario block (DNS
 *                    scenario = last octet mod 32, SMTP scenario = third
 *                    octet mod 16); 127.65.0.0/16 the MTA block and
 *                    127.66.0.0/16 the shared-MTA block (DNS 0, SMTP see
 *                    below); every other address is "clean" (DNS 0,
 *                    SMTP 0).
 *   ::1              DNS scenario 0, SMTP scenario 0, label "sixloop".
 *   2001:db8::/32    DNS only; DNS scenario = last byte mod 32.
 *
 * Names never embed the address in decimal: an address is spelled by a
 * "label" of letters a..p, one letter per nibble (a=0 ... p=15):
 *   IPv4 127.x.y.z   the low 24 bits, 6 letters: 127.64.0.17 -> "eaaabb".
 *   IPv6 2001:db8::  the 96 bits after the /32 as 24 letters, leading 'a's
 *                    dropped while more than 8 remain: 2001:db8::11 ->
 *                    "aaaaaabb".
 *   ::1              "sixloop" (has letters outside a..p on purpose).
 */
#ifndef TESTNET_SCENARIO_H
#define TESTNET_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

/* An address; bytes in network order, IPv4 uses b[0..3] (rest zero). */
struct tn_ip {
  uint8_t family; /* 4 or 6 */
  uint8_t b[16];
};

enum tn_dns_scenario {
  TN_DNS_PASS = 0,     /* PTR mail-L.pass ; A -> address */
  TN_DNS_NXDOMAIN,     /* PTR -> NXDOMAIN */
  TN_DNS_NODATA,       /* PTR -> NOERROR empty (the name has a TXT) */
  TN_DNS_NOADDR,       /* PTR host-L.noaddr ; A -> nodata */
  TN_DNS_MISMATCH,     /* PTR mail-L.mismatch ; A -> 192.0.2.<last> */
  TN_DNS_MULTI,        /* PTR a-L.multi + b-L.multi */
  TN_DNS_GENERIC,      /* PTR dyn-<dashed address>.pool */
  TN_DNS_CLASSLESS,    /* RFC 2317 CNAME, then PTR mail-L.classless */
  TN_DNS_SERVFAIL,     /* SERVFAIL on PTR */
  TN_DNS_DROP,         /* never answers PTR */
  TN_DNS_TRUNC,        /* TC=1 over UDP; full answer over TCP */
  TN_DNS_PTRCNAME,     /* PTR alias-L.cname, which is a CNAME */
  TN_DNS_REFUSED,      /* REFUSED on PTR */
  TN_DNS_FWDFAIL,      /* forward SERVFAIL */
  TN_DNS_ODD,          /* a second PTR name with '"' and ',' */
  TN_DNS_STATIC,       /* PTR static-L.static */
  TN_DNS_FWDNX,        /* forward NXDOMAIN */
  TN_DNS_ELSEWHERE,    /* forward -> 127.0.0.1 (::1) */
  TN_DNS_WRONGID,      /* PTR reply with ID + 1 */
  TN_DNS_WRONGQ,       /* PTR reply with another question */
  TN_DNS_COMPLOOP,     /* answer owner is a pointer to itself */
  TN_DNS_MANY,         /* 500 PTR records */
  TN_DNS_LONG,         /* PTR to a 250-character name */
  TN_DNS_CTRL,         /* PTR name with \x01 and \x7f */
  TN_DNS_CNAMELOOP,    /* reverse CNAME -> loop1-L.loop -> reverse */
  TN_DNS_MALFORMED,    /* ancount 1, RR cut mid-rdata */
  TN_DNS_FWDREFUSED,   /* forward REFUSED */
  TN_DNS_FWDTIMEOUT,   /* forward never answered */
  TN_DNS_CHAIN,        /* forward via two CNAME hops */
  TN_DNS_MIXED,        /* two PTRs: one passes, one -> 192.0.2.1 */
  TN_DNS_MX,           /* PTR smtp-L.mx (pass) */
  TN_DNS_PASS2,        /* PTR mx-L.pass (pass) */
  TN_DNS_COUNT
};

enum tn_smtp_scenario {
  TN_SMTP_BANNER = 0,  /* 220 <name> ESMTP testnet */
  TN_SMTP_OTHER,       /* 220 other.example.net ESMTP */
  TN_SMTP_MULTILINE,   /* 220-.. 220-.. 220 ready, 100 ms apart */
  TN_SMTP_554,         /* 554 <name> no service */
  TN_SMTP_SILENT,      /* accept, never send */
  TN_SMTP_NOLISTEN,    /* no listener (RST in --smtp-any mode) */
  TN_SMTP_RST,         /* RST on accept */
  TN_SMTP_CLOSE,       /* FIN on accept, no bytes */
  TN_SMTP_421,         /* 421 <name> try later */
  TN_SMTP_DRIP,        /* 220 <name> slow, one byte every 2 s */
  TN_SMTP_NOTFQDN,     /* 220 localhost ESMTP */
  TN_SMTP_BARELF,      /* 220-<name> ESMTP\n220 ok\n */
  TN_SMTP_FLOOD,       /* 4 MiB without a line end */
  TN_SMTP_LINES,       /* 1000 220- lines then 220 end */
  TN_SMTP_BINARY,      /* NUL and high bytes in the greeting */
  TN_SMTP_RSTAFTER,    /* greeting, then RST */
  /* The MTA block 127.65.0.0/16 (16 + third octet mod 16; 7..15 repeat 16)
   * and the shared-MTA block 127.66.0.0/16: greetings as real MTAs send
   * them; QUIT gets "221 2.0.0 Bye" and the server waits for the client
   * to close. */
  TN_SMTP_MTA = 16,    /* 220 <name> ESMTP ready */
  TN_SMTP_TARPIT3,     /* the same 220 after 3 s */
  TN_SMTP_TARPIT15,    /* ... after 15 s */
  TN_SMTP_TARPIT45,    /* ... after 45 s */
  TN_SMTP_554ESC,      /* 554 5.7.1 <text> */
  TN_SMTP_521ESC,      /* 521 5.3.2 <name> ..., then close */
  TN_SMTP_421ESC,      /* 421 4.7.0 <name> ..., then close */
  TN_SMTP_SHARED,      /* 127.66.C.0/24 is one MTA with a per-client limit */
  TN_SMTP_COUNT
};

/* An inclusive IPv4 range, host byte order (a CIDR block from the command
 * line). */
struct tn_range {
  uint32_t first, last;
};

#define TN_NAME_MAX 255   /* wire-format name, RFC 1035 section 2.3.4 */
#define TN_LABEL_MAX 25   /* address label: 24 letters + NUL */
#define TN_MANY_COUNT 500 /* PTR records of TN_DNS_MANY */

/* 1 if the zone serves ip (127/8, ::1, 2001:db8::/32), else 0. */
int tn_ip_served(const struct tn_ip *ip);

/* The DNS scenario of ip (enum tn_dns_scenario), or -1 if not served. */
int tn_dns_scenario(const struct tn_ip *ip);

/* The SMTP scenario of ip (enum tn_smtp_scenario), or -1 if ip has no SMTP
 * service (everything but 127/8 and ::1). */
int tn_smtp_scenario(const struct tn_ip *ip);

/* Short lower-case names ("pass", "nxdomain", ...); "?" if out of range. */
const char *tn_dns_scenario_name(int scn);
const char *tn_smtp_scenario_name(int scn);

/* The letters label of a served ip into buf[TN_LABEL_MAX]; returns its
 * length, or 0 if ip is not served. */
size_t tn_label(const struct tn_ip *ip, char *buf);

/* Inverse of tn_label for the letter forms (not "sixloop"): 6 letters a..p
 * give 127.x.y.z, 8..24 letters give an address in 2001:db8::/32.  The
 * caller must still check the label is canonical (see tn_fwd_get).  Returns
 * 0, or -1 when s is not a label. */
int tn_label_decode(const char *s, size_t len, struct tn_ip *ip);

/* One name of the forward zone tn.test that belongs to an address. */
enum tn_fwd_kind {
  TN_FWD_ADDR,      /* A (IPv4) or AAAA (IPv6) -> .addr */
  TN_FWD_NOADDR,    /* exists, no address records */
  TN_FWD_CNAME,     /* CNAME -> name number .target of the same address */
  TN_FWD_CNAME_REV, /* CNAME -> the address's reverse name */
  TN_FWD_SERVFAIL,  /* every query answered SERVFAIL */
  TN_FWD_REFUSED,   /* every query answered REFUSED */
  TN_FWD_NXDOMAIN,  /* every query answered NXDOMAIN */
  TN_FWD_DROP       /* never answered */
};

struct tn_fwd {
  uint8_t name[TN_NAME_MAX]; /* wire format, uncompressed, lower case */
  size_t namelen;
  int kind;                  /* enum tn_fwd_kind */
  int is_ptr;                /* 1 if the reverse name's PTR set holds it */
  int target;                /* TN_FWD_CNAME: index for tn_fwd_get */
  struct tn_ip addr;         /* TN_FWD_ADDR */
};

/* Number of forward names of ip under DNS scenario scn (as returned by
 * tn_dns_scenario; other values are allowed and give what the generator
 * gives).  O(1). */
int tn_fwd_count(const struct tn_ip *ip, int scn);

/* Name number i (0 <= i < tn_fwd_count) of ip into *out.  The PTR RRset of
 * the address is, in order, every name with is_ptr set.  Returns 0, or -1 if
 * i is out of range.  O(1). */
int tn_fwd_get(const struct tn_ip *ip, int scn, int i, struct tn_fwd *out);

/* The host name an SMTP greeting of ip uses: its first PTR name as raw
 * bytes (no trailing dot, no escaping), or mail-L.pass.tn.test when the
 * address has no usable PTR name (scenarios nxdomain, nodata, servfail,
 * drop, refused, wrongid, wrongq, comploop, cnameloop, malformed).  Writes
 * a NUL-terminated string into buf[cap]; returns its length (0 if ip is
 * not served or cap is too small). */
size_t tn_banner_name(const struct tn_ip *ip, char *buf, size_t cap);

/* Wire-format helpers shared with the zone. */

/* Dotted text (no trailing dot; labels may hold any byte but '.') to an
 * uncompressed wire name in out[TN_NAME_MAX].  Returns the wire length, or
 * 0 if a label is empty or longer than 63 or the name longer than 255. */
size_t tn_name_from_text(const char *text, size_t len, uint8_t *out);

/* Wire name to raw dotted text (no escaping, no trailing dot) into buf[cap];
 * returns the length (0 if it does not fit). */
size_t tn_name_to_text(const uint8_t *wire, char *buf, size_t cap);

/* The reverse name (in-addr.arpa / ip6.arpa) of ip as wire into
 * out[TN_NAME_MAX]; returns the wire length. */
size_t tn_reverse_name(const struct tn_ip *ip, uint8_t *out);

#endif
