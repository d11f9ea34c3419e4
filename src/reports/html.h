/* SPDX-License-Identifier: MIT */
/*
 * html.h - the summary as one self-contained HTML page people can look at.
 *
 * The page (UTF-8, inline CSS, no script, no external resource of any
 * kind: a Content-Security-Policy meta tag allows only inline styles and
 * data: images, so even a future edit cannot make it fetch anything):
 *   - title, row count, the checked_at range;
 *   - verdict counts (with a stacked bar);
 *   - with a previous report (struct change, change.h): the counts per
 *     verdict before and after, the counts per change kind, and the
 *     targets that became failing or were fixed (the first
 *     CHANGE_LIST_MAX of each, address order);
 *   - the flags seen: name, level (the verdict it alone leads to, "info"
 *     for the informational ones) and one-line meaning, all from
 *     verdict.h's flag table, and the rows per flag;
 *   - the worst addresses (summary_worst_rows: at most the summary's cap,
 *     fail first, then unknown, then warn; more problem flags first), each
 *     with its verdict, its flags (each with its level, linked to its line
 *     in the flag table) and its PTR names;
 *   - the worst prefixes (/24, /48) and, with --by, the worst groups of
 *     that column, each with its verdict counts (the --by table also
 *     with the invalid rows) and flags;
 *   - one picture per IPv4 /16 seen (up to the summary's map cap): a PNG
 *     grid, one cell per address, row = third octet, column = fourth octet
 *     (0 at the left), coloured by verdict (legend below), embedded as a
 *     data: URI.  Only the rows from the lowest to the highest third octet
 *     scanned are drawn (a scan of one /24 is one row, not a 256-row square
 *     that is blank but for its top line); the first and last /24 drawn
 *     label the top and bottom.  Cells are 2 x 2 pixels (512 px wide);
 *     with fewer than 16 rows each row is 32 / rows px high (rounded
 *     down) so a small scan stays visible;
 *   - notes for whatever is not shown: groups beyond the cap ("(other)"),
 *     /16s beyond the map cap, IPv6 (tables only, no picture), rows
 *     without an address.
 * Every piece of text that came from a report (--by values, column names,
 * the title, checked_at) is HTML-escaped (& < > " ').
 *
 * Colours (palette index = map cell value, summary.h):
 *   0 not scanned #ffffff, 1 ok #2ca02c (green), 2 warn #f0a30a (amber),
 *   3 unknown #7d93b2 (grey-blue), 4 fail #d62728 (red),
 *   5 invalid #cfcfcf, 6 skipped #e6e6e6 (light greys).
 */
#ifndef PTRAUDIT_HTML_H
#define PTRAUDIT_HTML_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct summary;
struct change;

#define HTML_NCOLORS 7
/* The map palette above, 3 bytes (R, G, B) per cell value. */
extern const uint8_t html_palette[HTML_NCOLORS * 3];

/* HTML-escape s[0..len) into dst (NUL-terminated when size > 0): & < > " '
 * become entities, C0 control bytes and DEL become U+FFFD.  Returns the
 * full escaped length (snprintf-style: >= size means cut; never cut inside
 * an entity).  Pure, O(len). */
size_t html_escape(char *dst, size_t size, const char *s, size_t len);

/* Write the page for `s` to f.  `title` (may be NULL: "ptraudit summary")
 * is escaped.  `since` (may be NULL: no such section) is the change since
 * a previous report, finished.  0, -EIO if writing failed, -ENOMEM. */
int html_summary_page(const struct summary *s, FILE *f, const char *title,
                      const struct change *since);

/* Rows drawn for a /16 map whose cells are cells[65536] (summary.h): the
 * lowest and highest third octet with a scanned cell in *first and *last;
 * 0 if no cell is scanned (then nothing is drawn).  Pure, O(65536). */
int html_map_rows(const uint8_t *cells, unsigned *first, unsigned *last);

/* Write the page to `path` ("-" = standard output) through atomicfile.h:
 * a random temporary name, fsync, rename, directory fsync.  An existing
 * regular file (or the symlink itself, never its target) is replaced; a
 * directory, device, FIFO or socket is refused (-EEXIST/-EISDIR).  0 or a
 * negative code, with err naming the path and the reason. */
int html_write_summary(const struct summary *s, const char *path, const char *title,
                       const struct change *since, char *err, size_t errlen);

#endif
