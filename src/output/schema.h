/* SPDX-License-Identifier: MIT */
/*
 * schema.h - the report's columns: the one list every writer and reader
 * uses.  A row is the fixed columns in this order, then the optional
 * ones that the run asked for, then the inventory's passthrough columns.
 * CSV writes the names as its header row; JSON lines use them as keys.
 * Readers find a column by name (reportread_col) with these names, never
 * by position, so reports from older versions with fewer columns still
 * read.  Pure data; O(1) everywhere.
 */
#ifndef PTRAUDIT_SCHEMA_H
#define PTRAUDIT_SCHEMA_H

#include <stddef.h>

enum schema_col {
  SCHEMA_IP = 0,       /* the target, or the inventory's IP cell as given */
  SCHEMA_VERDICT,      /* ok, warn, unknown, fail, invalid, skipped */
  SCHEMA_FLAGS,        /* space-separated flag names (verdict.h) */
  SCHEMA_IPREV,        /* RFC 8601 iprev result */
  SCHEMA_PTR_STATUS,   /* outcome of the PTR lookup */
  SCHEMA_PTR,          /* PTR names, space-separated */
  SCHEMA_FORWARD,      /* forward addresses of the checked names */
  SCHEMA_SMTP_STATUS,  /* outcome of the greeting probe */
  SCHEMA_SMTP_CODE,    /* the greeting's reply code */
  SCHEMA_BANNER_HOST,  /* the host the greeting announces */
  SCHEMA_BANNER,       /* the greeting text */
  SCHEMA_EXPECTED,     /* the inventory's expected PTR */
  SCHEMA_CHECKED_AT,   /* when the row was completed, RFC 3339 UTC */
  SCHEMA_SMTP_TRIES,   /* SMTP connections the row took (retries after 421) */
  SCHEMA_GREETING_MS,  /* ms from the start of the connect to the final greeting line */
  SCHEMA_NFIXED,       /* number of fixed columns */
  /* optional, in this order after the fixed ones */
  SCHEMA_EHLO_HOST = SCHEMA_NFIXED, /* with --ehlo */
  SCHEMA_NCOLS
};

/* The column's name ("ip", "verdict", ...); NULL out of range. */
const char *schema_name(enum schema_col c);

#endif
