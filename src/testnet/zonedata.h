/* SPDX-License-Identifier: MIT */
/*
 * zonedata.h - records given as data rather than by the address plan: the
 * --zone-file files and testnet's built-in sender and DMARC records
 * (builtin.h), in one line format (tests/testnet.md, "Zone files").
 *
 * Loaded once at start into one read-only table: a hash of owner names
 * (ASCII case ignored) to their records, in the order given.  Every
 * ancestor of an owner is kept as an empty non-terminal.  Memory is
 * bounded by the limits below (a file that passes them costs at most a
 * few times its own size).
 */
#ifndef TESTNET_ZONEDATA_H
#define TESTNET_ZONEDATA_H

#include <stddef.h>
#include <stdint.h>

#define TN_ZD_FILE_MAX (64u * 1024 * 1024) /* bytes of one zone file */
#define TN_ZD_LINE_MAX 65536               /* bytes of one line */
#define TN_ZD_NODES_MAX (1u << 20)         /* names, ancestors included */
#define TN_ZD_RRS_MAX (1u << 21)           /* records, all files together */
#define TN_ZD_RDATA_MAX 16384              /* bytes of one record's data */

enum { TN_ZD_T_SPF = 99, TN_ZD_T_MX = 15, TN_ZD_T_ANY = 255 };

struct tn_zdata;

/* One record: its type, TTL and data in wire form (names uncompressed). */
struct tn_zrr {
  uint16_t type;
  uint16_t len;
  uint32_t ttl;
  const uint8_t *data;
};

/* One name. */
struct tn_znode {
  const uint8_t *name; /* wire, as first written */
  int nrr;             /* records (0: an empty non-terminal or TIMEOUT only) */
  int timeout;         /* TIMEOUT: queries for a type with no record here
                          are never answered */
  int apex;            /* it has an SOA record: names under it that have no
                          node are NXDOMAIN with this SOA */
  int ent;             /* only an ancestor of other names, never written */
};

/* An empty table.  Returns 0 or -ENOMEM. */
int tn_zdata_new(struct tn_zdata **out);

/* Free the table and everything it holds.  NULL is allowed. */
void tn_zdata_free(struct tn_zdata *z);

/* Add the records of the zone file at path (format in tests/testnet.md).
 * Returns 0, or a negative errno with "FILE:LINE: field N: what" (or the
 * I/O error) in err.  On error the table keeps the lines before it.
 * Cost: O(file size). */
int tn_zdata_load_file(struct tn_zdata *z, const char *path, char *err, size_t errlen);

/* The same for text[len] already in memory; `origin` names it in errors. */
int tn_zdata_load_text(struct tn_zdata *z, const char *origin, const char *text,
                       size_t len, char *err, size_t errlen);

/* Check the loaded data (a CNAME must be alone at its name).  Returns 0 or
 * -EINVAL with the first offending name in err.  O(records). */
int tn_zdata_check(const struct tn_zdata *z, char *err, size_t errlen);

/* Number of names with records (ancestors not counted). */
size_t tn_zdata_names(const struct tn_zdata *z);

/* The node of wire name w (an owner or an ancestor of one), or NULL.
 * z may be NULL.  O(length of w). */
const struct tn_znode *tn_zdata_find(const struct tn_zdata *z, const uint8_t *w);

/* The closest node at or above w that is an apex (has an SOA), or NULL.
 * O(labels x length). */
const struct tn_znode *tn_zdata_apex(const struct tn_zdata *z, const uint8_t *w);

/* Record i (0 <= i < nd->nrr) of node nd, in the order loaded. */
void tn_zdata_rr(const struct tn_zdata *z, const struct tn_znode *nd, int i,
                 struct tn_zrr *out);

#endif
