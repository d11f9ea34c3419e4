/* SPDX-License-Identifier: MIT */
/*
 * schema.h - the report's columns: the one list every writer and reader
 * uses.  A row is the fixed columns in this order, then the optional
 * ones that the run asked for, then the inventory's passthrough columns.
 * CSV writes the names as its header row; JSON lines use them as keys.
 * Readers find a column by name (reportread_col) with these names, never
 * by position, so reports from older versions with fewer columns still
 * read.
 *
 * Each column has a type and may be "not applicable" (nullable).  The type
 * decides the JSON-lines value (jsonl.h); CSV writes every type as text
 * (docs/report-format.md):
 *   string   any text                       JSON string
 *   enum     one word of a fixed list       JSON string
 *   list     words separated by one space   JSON array of strings
 *   integer  decimal digits                 JSON number
 *   time     RFC 3339 UTC time stamp        JSON string
 * Not applicable is an empty CSV cell and JSON null; the writer marks it
 * with a NULL field (rowfmt.h).  An inventory passthrough column is a
 * string, never null.  The JSON Schema of one JSON-lines row
 * (docs/report.schema.json) is generated from this table by
 * schema_json_schema() (`ptraudit schema`), so the two cannot drift.
 * Pure data; O(1) per lookup unless noted.
 */
#ifndef PTRAUDIT_SCHEMA_H
#define PTRAUDIT_SCHEMA_H

#include <stddef.h>

/* The version of the report's columns and value types.  Raised whenever a
 * column is added, removed, renamed or changes its type or meaning.
 * 1: 0.1.0 (every JSON value a string); 2: typed JSON lines, null,
 * the inventory prefix. */
#define SCHEMA_VERSION 2

/* Inventory columns whose names are report column names (any of them,
 * optional ones included) get this prefix, repeated until the name is
 * unique in the header (rowfmt_header). */
#define SCHEMA_INVENTORY_PREFIX "inv_"

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

enum schema_type {
  SCHEMA_STRING = 0,
  SCHEMA_ENUM,
  SCHEMA_LIST,
  SCHEMA_INTEGER,
  SCHEMA_TIME
};

struct schema_column {
  const char *name;        /* "ip", "verdict", ... */
  enum schema_type type;
  int nullable;            /* may be not applicable (empty cell, JSON null) */
  /* enum, and list of enum words: the i-th allowed word (i from 0), NULL
   * past the last; NULL for free text. */
  const char *(*word)(unsigned i);
  const char *description; /* one line for people */
};

/* The column's name ("ip", "verdict", ...); NULL out of range. */
const char *schema_name(enum schema_col c);

/* The column's entry; NULL out of range. */
const struct schema_column *schema_column(enum schema_col c);

/* The report column named `name` (exact), or -1: an inventory column.
 * O(SCHEMA_NCOLS). */
int schema_find(const char *name);

/* The JSON Schema (draft 2020-12) of one JSON-lines row, pretty-printed,
 * ending in "\n", into dst, NUL-terminated; returns its length like
 * snprintf (>= size: cut, call again with more room).  Pure, no
 * allocation, O(columns x words). */
size_t schema_json_schema(char *dst, size_t size);

#endif
