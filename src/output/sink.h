/* SPDX-License-Identifier: MIT */
/*
 * sink.h - where finished rows go: the report in one of the output formats,
 * in completion order or (with a reorder window) in input order.
 *
 * Output formats are a table of entries (sink.c, `formats`): each knows
 * whether it writes a header row and how to turn one row's fields into
 * bytes.  Adding a format is one entry and its formatter.
 *
 * Ordered output: rows are numbered by the scan (seq, from 0 without
 * gaps).  A row that completes before its predecessors waits, formatted,
 * in a ring of `ring_size` entries; sink_room() tells the scan whether a
 * sequence number still fits, which bounds the memory.  A row slot's
 * buffer grows to the longest row it held and stays.
 */
#ifndef PTRAUDIT_SINK_H
#define PTRAUDIT_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

enum out_format { FORMAT_CSV = 0, FORMAT_JSONL };

struct sink;

/* Write to `rep` (not owned) in `fmt`, with the column names (copied).
 * Each column's type is schema.h's for a report column name, string for
 * any other (inventory) name; JSON lines type their values by it.
 * ring_size 0: completion order; > 0: input order through a ring of that
 * many rows.  Returns 0, -EINVAL (unknown format) or -ENOMEM. */
int sink_new(struct sink **out, struct report *rep, enum out_format fmt,
             const char *const *colnames, size_t ncols, size_t ring_size);

/* The format's name for `fmt` ("csv", "jsonl"); NULL if unknown.  O(1). */
const char *sink_format_name(enum out_format fmt);

/* Write the header row if the format has one.  0 or the report's error. */
int sink_header(struct sink *s);

/* The row numbered seq is done: write it (completion order), or keep it
 * until every earlier row is written (input order).  fields[i] has
 * lens[i] bytes (NULL: not applicable, an empty CSV cell, JSON null); n is
 * the number of columns.  Returns 0, -ENOMEM, or the
 * report's write error (the sink then writes nothing more).
 * O(row length) plus the rows it releases. */
int sink_row(struct sink *s, uint64_t seq, const char *const *fields, const size_t *lens,
             size_t n);

/* The row numbered seq has nothing to write (done by a resumed run):
 * input order passes over it.  Same returns as sink_row. */
int sink_skip(struct sink *s, uint64_t seq);

/* 1 if a row numbered seq can be handed over now without the ring
 * overflowing (always 1 in completion order).  O(1). */
int sink_room(const struct sink *s, uint64_t seq);

/* Input order: the lowest sequence number not yet written (every row
 * below it is in the report or was skipped); every number from there up
 * to `next` is still owed.  Completion order: UINT64_MAX.  O(1). */
uint64_t sink_written_below(const struct sink *s);

/* Input order: 1 if the row numbered seq is owed but was skipped (a
 * resumed row), so a checkpoint need not list it.  O(1). */
int sink_is_skip(const struct sink *s, uint64_t seq);

void sink_free(struct sink *s);

#endif
