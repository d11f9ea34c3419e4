/* SPDX-License-Identifier: MIT */
/*
 * builtin.h - testnet's built-in sender records: SPF and DMARC for the
 * demo's domains (samples/inventory.csv) and for the benchmark's 50 sender
 * domains, written in the zone-file format of zonedata.h and listed in
 * tests/testnet.md ("Sender records").
 */
#ifndef TESTNET_BUILTIN_H
#define TESTNET_BUILTIN_H

#include <stddef.h>

#include "zonedata.h"

/* Number of benchmark sender domains sender1..senderN.tn.test. */
#define TN_BUILTIN_SENDERS 50

/* Load the built-in records into z.  Returns 0, or a negative errno with a
 * message in err (only on a bug or out of memory).  O(records). */
int tn_builtin_load(struct tn_zdata *z, char *err, size_t errlen);

#endif
