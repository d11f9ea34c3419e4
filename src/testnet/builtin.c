/* SPDX-License-Identifier: MIT */
/*
 * builtin.c - the built-in sender records (builtin.h).  tests/testnet.md,
 * "Sender records", lists every name below with the result it is meant to
 * give; keep the two in step.
 */
#include "builtin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The demo's sender domains are registrable domains under the `test.` TLD
 * (one organisational domain each: the Public Suffix List's default rule
 * makes `test` the public suffix), so DMARC's organisational-domain rule
 * has something to find.  Addresses are those of samples/inventory.csv. */
static const char demo[] =
    "test SOA ns.tn.test. hostmaster.tn.test. 1 3600 600 86400 3600\n"
    "test NS ns.tn.test.\n"
    /* Brightwater Bakery: pass; shop. has no _dmarc: the organisational
     * domain's p=reject applies */
    "brightwater.test TXT \"v=spf1 ip4:127.64.0.0/31 -all\"\n"
    "_dmarc.brightwater.test TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@brightwater.test\"\n"
    "shop.brightwater.test TXT \"v=spf1 include:brightwater.test -all\"\n"
    /* Copperleaf Legal: .3 pass through an include, .4 softfail */
    "copperleaf.test TXT \"v=spf1 include:_spf.copperleaf.test ~all\"\n"
    "_spf.copperleaf.test TXT \"v=spf1 ip4:127.64.0.3 -all\"\n"
    "_dmarc.copperleaf.test TXT \"v=DMARC1; p=quarantine; sp=none\"\n"
    /* Dunmore Logistics: pass by a: */
    "dunmore.test TXT \"v=spf1 a:relay.dunmore.test mx -all\"\n"
    "dunmore.test MX 10 relay.dunmore.test\n"
    "relay.dunmore.test A 127.64.0.5\n"
    "_dmarc.dunmore.test TXT \"v=DMARC1; p=none; rua=mailto:reports@dunmore.test\"\n"
    /* Evergreen Dental: no SPF record (none), no DMARC (missing) */
    "evergreen.test TXT \"google-site-verification=testnet-not-an-spf-record\"\n"
    /* Foxglove Games: pass by mx (the MX is testnet's name of 127.64.0.7);
     * DMARC record invalid */
    "foxglove.test TXT \"v=spf1 mx -all\"\n"
    "foxglove.test MX 10 mail-eaaaah.classless.tn.test.\n"
    "_dmarc.foxglove.test TXT \"v=DMARC1; p=bogus\"\n"
    /* Granite Peak: the include never answers: temperror */
    "granitepeak.test TXT \"v=spf1 include:spf.dnshost.test -all\"\n"
    "spf.dnshost.test TIMEOUT\n"
    "_dmarc.granitepeak.test TXT \"v=DMARC1; p=reject\"\n"
    /* Harbourline Ferries: two SPF records: permerror */
    "harbourline.test TXT \"v=spf1 ip4:127.64.0.10 -all\"\n"
    "harbourline.test TXT \"v=spf1 ip4:127.64.0.0/24 ~all\"\n"
    "_dmarc.harbourline.test TXT \"v=DMARC1; p=none\"\n"
    /* Ironbridge Consulting: neutral */
    "ironbridge.test TXT \"v=spf1 ?all\"\n"
    "_dmarc.ironbridge.test TXT \"v=DMARC1; p=quarantine\"\n"
    /* Juniper & Sage: fail, with an explanation */
    "juniper.test TXT \"v=spf1 ip4:192.0.2.0/24 -all exp=explain._spf.juniper.test\"\n"
    "explain._spf.juniper.test TXT \"%{i} is not one of %{d}'s designated mail servers.\"\n"
    /* Kestrel Analytics: pass */
    "kestrel.test TXT \"v=spf1 ip4:127.64.1.0/24 -all\"\n"
    "_dmarc.kestrel.test TXT \"v=DMARC1; p=reject\"\n"
    /* Lantern Books: pass by a:NAME */
    "lantern.test TXT \"v=spf1 a:mail.lantern.test -all\"\n"
    "mail.lantern.test A 127.64.2.30\n"
    "_dmarc.lantern.test TXT \"v=DMARC1; p=none\"\n"
    /* Meridian Clinics: sends no mail: fail */
    "meridian.test TXT \"v=spf1 -all\"\n"
    "_dmarc.meridian.test TXT \"v=DMARC1; p=reject\"\n"
    /* Orchard Row Cider: pass through redirect= */
    "orchard.test TXT \"v=spf1 redirect=_spf.orchard.test\"\n"
    "_spf.orchard.test TXT \"v=spf1 ip4:127.64.10.0/24 ~all\"\n"
    "_dmarc.orchard.test TXT \"v=DMARC1; p=quarantine\"\n"
    /* Pinecrest Schools: pass by ptr:pass.tn.test (127.64.8.0's PTR) */
    "pinecrest.test TXT \"v=spf1 ptr:pass.tn.test -all\"\n"
    "_dmarc.pinecrest.test TXT \"v=DMARC1; p=none\"\n"
    /* Quarry Lane Studio: softfail; no DMARC */
    "quarrylane.test TXT \"v=spf1 ip4:127.64.7.128/25 ~all\"\n"
    /* Riverside Vets: no envelope sender; the HELO name passes */
    "mail.riverside.test TXT \"v=spf1 a -all\"\n"
    "mail.riverside.test A 127.64.6.0\n"
    "_dmarc.riverside.test TXT \"v=DMARC1; p=reject\"\n"
    /* Saltmarsh Brewing: three void lookups (RFC 7208 4.6.4): permerror */
    "saltmarsh.test TXT \"v=spf1 a:nx1.saltmarsh.test a:nx2.saltmarsh.test "
    "a:nx3.saltmarsh.test ip4:127.64.0.31 -all\"\n"
    "_dmarc.saltmarsh.test TXT \"v=DMARC1; p=quarantine; sp=reject\"\n"
    /* Umber & Oak Interiors: pass by exists: with a macro */
    "umber-oak.test TXT \"v=spf1 exists:%{i}.allow.umber-oak.test -all\"\n"
    "127.64.4.0.allow.umber-oak.test A 127.0.0.2\n"
    "_dmarc.umber-oak.test TXT \"v=DMARC1; p=reject\"\n";

/* DMARC record of senderN.tn.test by N mod 5 (NULL: none). */
static const char *const sender_dmarc[5] = {
  "v=DMARC1; p=reject", "v=DMARC1; p=quarantine; sp=none", "v=DMARC1; p=none",
  "v=DMARC1; p=bogus", NULL
};

int tn_builtin_load(struct tn_zdata *z, char *err, size_t errlen) {
  int r = tn_zdata_load_text(z, "built-in demo records", demo, sizeof demo - 1, err, errlen);
  if (r != 0)
    return r;
  /* The benchmark's senders: two includes covering 127.96.0.0/16 */
  size_t cap = TN_BUILTIN_SENDERS * 512, n = 0;
  char *t = malloc(cap);
  if (!t) {
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
  }
  for (int i = 1; i <= TN_BUILTIN_SENDERS; i++) {
    n += (size_t)snprintf(t + n, cap - n,
                          "sender%d.tn.test TXT \"v=spf1 include:_spf1.sender%d.tn.test "
                          "include:_spf2.sender%d.tn.test %s\"\n"
                          "_spf1.sender%d.tn.test TXT \"v=spf1 ip4:127.96.0.0/17 -all\"\n"
                          "_spf2.sender%d.tn.test TXT \"v=spf1 ip4:127.96.128.0/17 -all\"\n",
                          i, i, i, i % 2 ? "~all" : "-all", i, i);
    if (sender_dmarc[i % 5])
      n += (size_t)snprintf(t + n, cap - n, "_dmarc.sender%d.tn.test TXT \"%s\"\n", i,
                            sender_dmarc[i % 5]);
  }
  r = tn_zdata_load_text(z, "built-in sender records", t, n, err, errlen);
  free(t);
  return r;
}
