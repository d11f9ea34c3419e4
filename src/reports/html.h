/* SPDX-License-Identifier: MIT */
/*
 * html.h - the summary as one self-contained HTML page people can look at.
 *
 * The page (UTF-8, inline CSS, no script, no external resource of any
 * kind: a Content-Security-Policy meta tag allows only inline styles and
 * data: images, so even a future edit cannot make it fetch anything):
 *   - title, row count, the checked_at range;
 *   - verdict counts (with a stacked bar) and flag counts;
 *   - the worst prefixes (/24, /48) and, with --by, the worst groups of
 *     that column, each with its verdict counts and flags;
 *   - one picture per IPv4 /16 seen (up to the summary's map cap): a
 *     256 x 256 PNG grid, one cell per address, row = third octet (0 at the
 *     top), column = fourth octet (0 at the left), coloured by verdict
 *     (legend below), embedded as a data: URI and scaled up 2x with
 *     `image-rendering: pixelated`;
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

#define HTML_NCOLORS 7
/* The map palette above, 3 bytes (R, G, B) per cell value. */
extern const uint8_t html_palette[HTML_NCOLORS * 3];

/* HTML-escape s[0..len) into dst (NUL-terminated when size > 0): & < > " '
 * become entities, C0 control bytes and DEL become U+FFFD.  Returns the
 * full escaped length (snprintf-style: >= size means cut; never cut inside
 * an entity).  Pure, O(len). */
size_t html_escape(char *dst, size_t size, const char *s, size_t len);

/* Write the page for `s` to f.  `title` (may be NULL: "ptraudit summary")
 * is escaped.  0, -EIO if writing failed, -ENOMEM. */
int html_summary_page(const struct summary *s, FILE *f, const char *title);

/* Write the page to `path` ("-" = standard output) through atomicfile.h:
 * a random temporary name, fsync, rename, directory fsync.  An existing
 * regular file (or the symlink itself, never its target) is replaced; a
 * directory, device, FIFO or socket is refused (-EEXIST/-EISDIR).  0 or a
 * negative code, with err naming the path and the reason. */
int html_write_summary(const struct summary *s, const char *path, const char *title,
                       char *err, size_t errlen);

#endif
