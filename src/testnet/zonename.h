/* SPDX-License-Identifier: MIT */
/*
 * zonename.h - what a query name is in the testnet zone: out of zone,
 * NXDOMAIN, an empty non-terminal, an apex, the reverse name of an address,
 * an RFC 2317 classless name, or one forward name of an address (with the
 * address and its scenario).  Pure: no I/O, no allocation.
 */
#ifndef TESTNET_ZONENAME_H
#define TESTNET_ZONENAME_H

#include <stdint.h>

#include "scenario.h"
#include "zone.h"

#define ZN_LABELS_MAX 128

/* A wire name cut into labels (pointers into the name). */
struct zn_labels {
  int n;
  const uint8_t *l[ZN_LABELS_MAX]; /* label bytes */
  uint8_t len[ZN_LABELS_MAX];
};

enum zn_kind { ZN_OUT, ZN_NX, ZN_ENT, ZN_APEX, ZN_REV, ZN_CLASSLESS, ZN_FWD,
               ZN_BL /* under bl.tn.test: dnsbl.h */ };
enum zn_zone { ZN_Z_FWD, ZN_Z_V4, ZN_Z_DB8, ZN_Z_LO6, ZN_Z_ROOT };

struct zn_node {
  int kind;
  int zone;
  struct tn_ip ip;
  int scn;
  struct tn_fwd fwd; /* ZN_FWD: the matching name */
};

/* Cut wire name w into labels (at most ZN_LABELS_MAX). */
void zn_split(const uint8_t *w, struct zn_labels *s);

/* Label i equals str (lower case), ignoring ASCII case. */
int zn_label_is(const struct zn_labels *s, int i, const char *str);

/* Label i as a zone file's decimal octet ("0".."255", no leading zeros),
 * or -1. */
int zn_label_octet(const struct zn_labels *s, int i);

/* Resolve wire name w.  O(length of w), plus regenerating the candidate
 * forward names of the addresses its first label spells. */
void zn_lookup(const struct tn_zone_cfg *cfg, const uint8_t *w, struct zn_node *nd);

#endif
