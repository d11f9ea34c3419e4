/* SPDX-License-Identifier: MIT */
/*
 * row.h - one target on its way through the scan (private to src/scan).
 *
 * A row is taken from the audit's pool when its target is read, goes
 * through the SMTP stage (smtpstage.h) when SMTP is probed, then through
 * the DNS stage (dnsstage.h), and is judged, written and returned to the
 * pool by the audit (audit.c).  The order is deliberate: an SMTP session
 * may wait 30 s for a tarpit's greeting, and a row waiting there holds only
 * this small record and the probe's handles, not a DNS context
 * (~10 KiB of names and addresses), which a row holds only for the
 * milliseconds to seconds its lookups take.
 */
#ifndef PTRAUDIT_ROW_H
#define PTRAUDIT_ROW_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "hostlimit.h"
#include "source.h"
#include "verdict.h"

struct row {
  struct row *next;           /* free list or a stage's queue */
  uint64_t seq;
  enum target_kind kind;
  struct addr addr;
  int busy;                   /* taken from the pool and not yet written */

  /* inventory cells, copied (the source reuses its buffers); the buffer
   * grows to the largest row seen and stays */
  char *cells;
  size_t cells_cap;
  const char **extra;
  size_t *extra_len;
  size_t nextra;
  const char *text;
  size_t text_len;
  const char *expected;
  size_t expected_len;

  /* the SMTP stage's outcome */
  enum smtp_status smtp_status;
  int smtp_code;
  unsigned smtp_tries;        /* connections made, retries after 421 included */
  unsigned greeting_ms;       /* connect start to final greeting line; 0 = none */
  char *smtp_buf;             /* banner text, then banner host, then EHLO host */
  size_t smtp_cap;
  size_t banner_len;
  const char *banner_host;    /* into smtp_buf, or "" */
  const char *ehlo_host;      /* into smtp_buf, or "" */

  /* the sender checks' cells (senders.h), set by the DNS stage for its
   * done callback only */
  const char *dnsbl_cell, *dnsbl_txt_cell, *spf_cell, *spf_detail, *dmarc_cell;

  /* the SMTP stage's bookkeeping */
  struct hostlimit_waiter hw; /* waiting for the prefix's session limit */
  uint64_t retry_at;          /* uv_now() at which a retry after 421 may start */
};

/* Copy the inventory cells of t (at most nextra passthrough cells) into
 * the row: the source reuses its buffers.  The row's buffer grows to the
 * largest row seen and stays.  0 or -ENOMEM (the row then keeps its old
 * cells: the caller clears them).  O(row length). */
int row_copy_cells(struct row *r, const struct target *t, size_t nextra);

#endif
