/* SPDX-License-Identifier: MIT */
/*
 * dnsbl.h - the blocklist zone bl.tn.test (RFC 5782): what the name
 * <reversed address>.bl.tn.test answers.  Pure: no I/O, no allocation.
 *
 * The outcome is a fixed function of the address (tests/testnet.md,
 * "Blocklist zone"): in 127.64.0.0/16 and 2001:db8::/32 it is the last byte
 * mod 32 (listed, listed with two codes, error codes 127.255.255.252/254/
 * 255, a 127.0.0.1 answer, an answer outside 127/8, a timeout, SERVFAIL);
 * RFC 5782 section 5's test entries 127.0.0.2 and ::FFFF:7F00:2 are
 * listed; every other address is not listed (NXDOMAIN).
 */
#ifndef TESTNET_DNSBL_H
#define TESTNET_DNSBL_H

#include <stddef.h>
#include <stdint.h>

#include "scenario.h"
#include "zonename.h"

enum tn_bl_kind {
  TN_BL_NOTLISTED = 0, /* NXDOMAIN */
  TN_BL_ENT,           /* a partial reversed address: NODATA */
  TN_BL_ANSWER,        /* A records (codes), maybe TXT */
  TN_BL_TIMEOUT,       /* never answered, every type */
  TN_BL_SERVFAIL       /* SERVFAIL, every type */
};

#define TN_BL_CODES_MAX 2

struct tn_bl {
  int kind;                   /* enum tn_bl_kind */
  struct tn_ip ip;            /* the address the name spells */
  int ncodes;                 /* TN_BL_ANSWER: A records */
  uint8_t code[TN_BL_CODES_MAX][4];
  int txt;                    /* 1: each code has a TXT reason */
};

/* Is the name cut into s under bl.tn.test (labels n-3..n-1 are
 * "bl", "tn", "test", and there is at least one label before)? */
int tn_bl_is(const struct zn_labels *s);

/* The answer for such a name.  O(labels). */
void tn_bl_lookup(const struct zn_labels *s, struct tn_bl *out);

/* The TXT reason of code i of a listing into buf[cap] (NUL-terminated);
 * returns its length. */
size_t tn_bl_txt(const struct tn_bl *b, int i, char *buf, size_t cap);

#endif
