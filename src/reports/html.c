/* SPDX-License-Identifier: MIT */
/*
 * html.c - the summary page.  See html.h for what it holds.
 *
 * Plain fprintf into a FILE: the page is written once, top to bottom, and
 * the only large parts are the map images (base64 of a PNG that deflate
 * squeezes to a few KiB for a typical /16).  Writing errors are collected
 * with ferror() at the end rather than checked per call.
 */
#include "html.h"

#include "plural.h"

#include "atomicfile.h"
#include <fcntl.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "err.h"

#include "change.h"
#include "png.h"
#include "summary.h"
#include "version.h"

const uint8_t html_palette[HTML_NCOLORS * 3] = {
  0xff, 0xff, 0xff, /* not scanned */
  0x2c, 0xa0, 0x2c, /* ok */
  0xf0, 0xa3, 0x0a, /* warn */
  0x7d, 0x93, 0xb2, /* unknown */
  0xd6, 0x27, 0x28, /* fail */
  0xcf, 0xcf, 0xcf, /* invalid */
  0xe6, 0xe6, 0xe6, /* skipped */
};

size_t html_escape(char *dst, size_t size, const char *s, size_t len) {
  size_t o = 0, w = 0;
  int stop = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    const char *rep;
    char one[2] = {(char)c, 0};
    switch (c) {
    case '&': rep = "&amp;"; break;
    case '<': rep = "&lt;"; break;
    case '>': rep = "&gt;"; break;
    case '"': rep = "&quot;"; break;
    case '\'': rep = "&#39;"; break;
    default: rep = (c < 0x20 || c == 0x7f) ? "\xef\xbf\xbd" : one; break; /* U+FFFD */
    }
    size_t rl = strlen(rep);
    if (!stop && w + rl < size) {
      memcpy(dst + w, rep, rl);
      w += rl;
    } else {
      stop = 1;
    }
    o += rl;
  }
  if (size) dst[w] = '\0';
  return o;
}

/* Escape and write s (NUL-terminated). */
static void put_text(FILE *f, const char *s) {
  char buf[512];
  size_t len = strlen(s);
  /* Feed in slices; each slice escapes to at most 6x its size. */
  for (size_t i = 0; i < len; i += 64) {
    size_t n = len - i < 64 ? len - i : 64;
    size_t w = html_escape(buf, sizeof buf, s + i, n);
    fwrite(buf, 1, w, f);
  }
}

static void put_base64(FILE *f, const unsigned char *p, size_t n) {
  static const char tab[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char out[4];
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16;
    if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
    if (i + 2 < n) v |= p[i + 2];
    out[0] = tab[(v >> 18) & 63];
    out[1] = tab[(v >> 12) & 63];
    out[2] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
    out[3] = i + 2 < n ? tab[v & 63] : '=';
    fwrite(out, 1, 4, f);
  }
}

static const char css[] =
  "body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
  "margin:24px;color:#1d1d1d;background:#fff;max-width:1140px}\n"
  "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;"
  "border-bottom:1px solid #ddd;padding-bottom:3px}\n"
  ".meta{color:#555;margin:0 0 12px}.note{color:#555;font-size:13px}\n"
  "table{border-collapse:collapse;margin:4px 0}\n"
  "th,td{padding:3px 10px;text-align:left;border-bottom:1px solid #eee;vertical-align:top}\n"
  "th{background:#f4f4f4;font-weight:600}\n"
  "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
  "td.k{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all;max-width:420px}\n"
  "td.fl{font-size:12px;color:#333;max-width:380px}\n"
  ".sw{display:inline-block;width:12px;height:12px;border:1px solid #999;"
  "vertical-align:-1px;margin-right:6px}\n"
  ".cols{display:flex;flex-wrap:wrap;gap:0 48px}.cols section{flex:0 1 460px}\n"
  ".bar{display:flex;height:18px;width:100%;border:1px solid #bbb;"
  "margin:6px 0 10px}.bar span{display:block;height:100%}\n"
  ".mini{display:flex;height:10px;width:120px;border:1px solid #ccc;margin-top:4px}"
  ".mini span{display:block;height:100%}\n"
  ".v0{background:#2ca02c}.v1{background:#f0a30a}.v2{background:#7d93b2}"
  ".v3{background:#d62728}.v4{background:#cfcfcf}.v5{background:#e6e6e6}"
  ".none{background:#fff}\n"
  ".maps{display:flex;flex-wrap:wrap;gap:24px}\n"
  "figure{margin:0}figure img{width:512px;image-rendering:pixelated;"
  "image-rendering:crisp-edges;border:1px solid #888;display:block}\n"
  ".ax{font:11px ui-monospace,Menlo,Consolas,monospace;color:#555}\n"
  "a.flag{color:inherit;text-decoration:none;border-bottom:1px dotted #999;"
  "white-space:nowrap}\n"
  ".lv{font-size:11px;padding:0 3px;margin-left:3px;border-radius:3px;color:#fff}\n"
  ".lv3{background:#d62728}.lv2{background:#7d93b2}.lv1{background:#f0a30a}"
  ".lv0{background:#999}\n"
  "figcaption{font-size:13px;margin-top:4px;max-width:512px}\n"
  ".legend span.item{margin-right:14px;white-space:nowrap}\n";

/* The word for a flag's level: the verdict it leads to, "info" for the
 * informational flags (level ok). */
static const char *level_word(enum verdict level) {
  return level == VERDICT_OK ? "info" : verdict_name(level);
}

/* One flag: its name linked to its line in the flag table, its level. */
static void put_flag(FILE *f, unsigned i) {
  const struct verdict_flag *fl = verdict_flag(i);
  fprintf(f, "<a class=\"flag\" href=\"#meaning-%s\" title=\"", fl->name);
  put_text(f, fl->meaning);
  fprintf(f, "\">%s<span class=\"lv lv%d\">%s</span></a>", fl->name,
          verdict_level(fl->level), level_word(fl->level));
}

static void put_counts_row(FILE *f, const struct summary_counts *c, int with_invalid) {
  fprintf(f, "<td class=\"n\">%llu</td>", (unsigned long long)c->rows);
  /* the probed verdicts, worst first: fail, unknown, warn, ok */
  for (unsigned i = 0; i < VERDICT_COUNT; i++) {
    enum verdict v = verdict_worst_first(i);
    fprintf(f, "<td class=\"n\">%llu</td>", (unsigned long long)c->verdict[v]);
    if (v == VERDICT_OK) break;
  }
  if (with_invalid)
    fprintf(f, "<td class=\"n inv\">%llu</td>", (unsigned long long)c->verdict[VERDICT_INVALID]);
  fputs("<td class=\"fl\">", f);
  int any = 0;
  for (unsigned i = 0; i < VERDICT_F_COUNT; i++) {
    if (!c->flag[i]) continue;
    fprintf(f, "%s%s&nbsp;%llu", any ? ", " : "", verdict_flag_name(i), (unsigned long long)c->flag[i]);
    any = 1;
  }
  if (!any) fputs("&ndash;", f);
  /* a small stacked bar of the verdicts */
  if (c->rows) {
    fputs("<div class=\"mini\">", f);
    for (int i = 0; i < SUMMARY_NVERDICTS; i++) {
      enum verdict v = verdict_worst_first((unsigned)i);
      if (c->verdict[v])
        fprintf(f, "<span class=\"v%d\" style=\"width:%.3f%%\"></span>", (int)v,
                100.0 * (double)c->verdict[v] / (double)c->rows);
    }
    fputs("</div>", f);
  }
  fputs("</td>", f);
}

static int put_group_table(FILE *f, const struct summary *s, enum summary_table t,
                           size_t top) {
  struct summary_group *g;
  size_t n;
  int rc = summary_worst(s, t, top, &g, &n);
  if (rc < 0) return rc;
  size_t total = summary_ngroups(s, t);
  struct summary_counts oc;
  uint64_t other = summary_other(s, t, &oc);
  const char *id = t == SUMMARY_PREFIX ? "prefixes" : "by";
  if (t == SUMMARY_PREFIX) {
    fputs("<h2 id=\"prefixes\">Worst prefixes (/24 IPv4, /48 IPv6)</h2>\n", f);
  } else {
    fputs("<h2 id=\"by\">Worst by ", f);
    put_text(f, summary_by_column(s));
    fputs("</h2>\n", f);
  }
  fprintf(f, "<p class=\"note\">%zu of %zu, ordered by the number of <b>fail</b> rows, "
          "then <b>unknown</b>, then <b>warn</b>.</p>\n", n, total);
  if (n == 0 && other == 0) {
    fputs("<p>No rows.</p>\n", f);
    free(g);
    return 0;
  }
  fprintf(f, "<table class=\"groups\" id=\"%s-table\"><tr><th>", id);
  if (t == SUMMARY_PREFIX) fputs("prefix", f);
  else put_text(f, summary_by_column(s));
  /* Inventory rows that are no address (invalid) have no prefix: the
   * column is for the --by table only. */
  int inv = t == SUMMARY_BY;
  fprintf(f, "</th><th class=\"n\">rows</th><th class=\"n\">fail</th><th class=\"n\">unknown</th>"
          "<th class=\"n\">warn</th><th class=\"n\">ok</th>%s<th>flags</th></tr>\n",
          inv ? "<th class=\"n\">invalid</th>" : "");
  for (size_t i = 0; i < n; i++) {
    fputs("<tr><td class=\"k\">", f);
    if (g[i].key[0]) put_text(f, g[i].key);
    else fputs("<em>(empty)</em>", f);
    fputs("</td>", f);
    put_counts_row(f, &g[i].c, inv);
    fputs("</tr>\n", f);
  }
  if (other) {
    fputs("<tr><td class=\"k\"><em>(other)</em></td>", f);
    put_counts_row(f, &oc, inv);
    fputs("</tr>\n", f);
  }
  fputs("</table>\n", f);
  if (other)
    fprintf(f, "<p class=\"note\">More distinct groups than the cap allows: %llu %s of "
            "further groups are counted together as <em>(other)</em>.</p>\n",
            (unsigned long long)other, plural_word(other, "row", "rows"));
  free(g);
  return 0;
}

/* Class "vN" is the colour of verdict N (the css above, html_palette). */
static void put_legend(FILE *f) {
  fputs("<p class=\"legend\">", f);
  for (int v = 0; v < VERDICT_COUNT; v++)
    fprintf(f, "<span class=\"item\"><span class=\"sw v%d\"></span>%s</span>", v,
            verdict_name((enum verdict)v));
  fputs("<span class=\"item\"><span class=\"sw none\"></span>not scanned</span>", f);
  fputs("</p>\n", f);
}

int html_map_rows(const uint8_t *cells, unsigned *first, unsigned *last) {
  int any = 0;
  for (unsigned r = 0; r < 256; r++) {
    const uint8_t *row = cells + (size_t)r * 256;
    int used = 0;
    for (unsigned c = 0; c < 256 && !used; c++) used = row[c] != SUMMARY_CELL_NONE;
    if (!used) continue;
    if (!any) *first = r;
    *last = r;
    any = 1;
  }
  return any;
}

static int put_maps(FILE *f, const struct summary *s) {
  size_t nm = summary_nmaps(s);
  fputs("<h2 id=\"maps\">Address maps (IPv4, one picture per /16)</h2>\n", f);
  if (nm == 0) {
    fputs("<p>No IPv4 addresses in the report.</p>\n", f);
  } else {
    fputs("<p class=\"note\">One cell per address: row = third octet, column = fourth "
          "octet (0 at the left).  Only the /24s from the first to the last one scanned "
          "are drawn; the labels name the top and bottom /24.  An address reported more "
          "than once shows its worst verdict.</p>\n", f);
    put_legend(f);
    fputs("<div class=\"maps\">\n", f);
  }
  for (size_t i = 0; i < nm; i++) {
    unsigned p16;
    const uint8_t *cells;
    struct summary_counts c;
    summary_map(s, i, &p16, &cells, &c);
    unsigned first = 0, last = 0;
    if (!html_map_rows(cells, &first, &last)) continue; /* cannot happen: a map has a row */
    unsigned rows = last - first + 1;
    unsigned cellh = rows >= 16 ? 2 : 32 / rows;
    unsigned char *png;
    size_t plen;
    int rc = png_encode_indexed(cells + (size_t)first * 256, 256, rows, html_palette,
                                HTML_NCOLORS, &png, &plen);
    if (rc < 0) return rc;
    fprintf(f, "<figure id=\"map-%u-%u\"><div class=\"ax\">&#8595; %u.%u.%u.0/24</div>"
            "<img alt=\"verdict map of %u.%u.0.0/16\" width=\"512\" height=\"%u\" "
            "style=\"height:%upx\" data-rows=\"%u\" src=\"data:image/png;base64,",
            p16 >> 8, p16 & 255, p16 >> 8, p16 & 255, first, p16 >> 8, p16 & 255,
            rows * cellh, rows * cellh, rows);
    put_base64(f, png, plen);
    free(png);
    fprintf(f, "\"><div class=\"ax\">&#8593; %u.%u.%u.0/24</div>", p16 >> 8, p16 & 255,
            last);
    fprintf(f, "<figcaption><b>%u.%u.0.0/16</b>: %llu %s", p16 >> 8, p16 & 255,
            (unsigned long long)c.rows, plural_word(c.rows, "row", "rows"));
    for (int k = 0; k < SUMMARY_NVERDICTS; k++) {
      enum verdict v = verdict_worst_first((unsigned)k);
      if (c.verdict[v])
        fprintf(f, ", %s %llu", verdict_name(v), (unsigned long long)c.verdict[v]);
    }
    fprintf(f, "<br>drawn: %u.%u.%u.0 &ndash; %u.%u.%u.255 (%u of 256 /24s)</figcaption>"
            "</figure>\n", p16 >> 8, p16 & 255, first, p16 >> 8, p16 & 255, last, rows);
  }
  if (nm) fputs("</div>\n", f);
  size_t dropped = summary_maps_dropped(s);
  if (dropped)
    fprintf(f, "<p class=\"note\">%zu further /16s were scanned but are not drawn (at most "
            "%zu pictures per page); their rows are in the tables above.</p>\n", dropped, nm);
  uint64_t v6 = summary_rows_ipv6(s);
  if (v6)
    fprintf(f, "<p class=\"note\">IPv6: %llu %s, listed per /48 in the prefix table; "
            "IPv6 space is not drawn.</p>\n", (unsigned long long)v6, plural_word(v6, "row", "rows"));
  return 0;
}

/* The flags seen: name, level, rows, meaning (verdict.h's flag table).
 * Each line is the target of the flag links (#meaning-NAME). */
static void put_flag_table(FILE *f, const struct summary_counts *c) {
  fputs("<h2 id=\"flags\">Flags</h2>\n", f);
  int any = 0;
  for (unsigned i = 0; i < VERDICT_F_COUNT; i++) {
    if (!c->flag[i]) continue;
    const struct verdict_flag *fl = verdict_flag(i);
    if (!any)
      fputs("<p class=\"note\">The level of a flag is the verdict it alone leads to "
            "(info: informational, no effect on the verdict).</p>\n"
            "<table class=\"counts\" id=\"flag-table\"><tr><th>flag</th><th>level</th>"
            "<th class=\"n\">rows</th><th>meaning</th></tr>\n", f);
    fprintf(f, "<tr id=\"meaning-%s\"><td>%s</td><td class=\"level\"><span class=\"lv lv%d\">%s"
            "</span></td><td class=\"n\" id=\"flag-%s\">%llu</td><td class=\"fl\">", fl->name,
            fl->name, verdict_level(fl->level), level_word(fl->level), fl->name,
            (unsigned long long)c->flag[i]);
    put_text(f, fl->meaning);
    fputs("</td></tr>\n", f);
    any = 1;
  }
  fputs(any ? "</table>\n" : "<p>No flags.</p>\n", f);
}

/* Listings and unknown answers per blocklist (the `dnsbl` column). */
static void put_dnsbl_table(FILE *f, const struct summary *s) {
  size_t n = summary_ndnsbl(s);
  uint64_t listed, errors;
  if (!n) return;
  fputs("<h2 id=\"blocklists\">Blocklists</h2>\n<table class=\"counts\" id=\"dnsbl-table\">"
        "<tr><th>list</th><th class=\"n\">listed</th><th class=\"n\">unknown</th></tr>\n", f);
  for (size_t i = 0; i < n; i++) {
    const char *label = summary_dnsbl(s, i, &listed, &errors);
    fputs("<tr><td>", f);
    put_text(f, label);
    fprintf(f, "</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td></tr>\n",
            (unsigned long long)listed, (unsigned long long)errors);
  }
  fputs("</table>\n<p class=\"note\">listed: rows the list lists (DNSBL_LISTED); unknown: "
        "rows whose answer from it was an error code, an invalid answer, a failed lookup, or "
        "none because the list had stopped being asked (DNSBL_ERROR).</p>\n", f);
}

/* The worst addresses (summary_worst_rows), each with its flags. */
static int put_worst_rows(FILE *f, const struct summary *s) {
  struct summary_row *r;
  size_t n;
  uint64_t cand;
  int rc = summary_worst_rows(s, &r, &n, &cand);
  if (rc < 0) return rc;
  fputs("<h2 id=\"worst\">Worst addresses</h2>\n", f);
  if (n == 0) {
    fputs("<p>No address with a fail, unknown or warn verdict.</p>\n", f);
    return 0;
  }
  fprintf(f, "<p class=\"note\"><span id=\"worst-shown\">%zu</span> of "
          "<span id=\"worst-total\">%llu</span> rows with a fail, unknown or warn verdict: "
          "fail first, then unknown, then warn; then the most flags of level warn or "
          "above; then in address order.</p>\n", n, (unsigned long long)cand);
  fputs("<table id=\"worst-table\"><tr><th>address</th><th>verdict</th><th>flags</th>"
        "<th>PTR</th></tr>\n", f);
  for (size_t i = 0; i < n; i++) {
    fprintf(f, "<tr><td class=\"k\">%s</td><td><span class=\"sw v%d\"></span>%s</td>"
            "<td class=\"fl\">", r[i].ip, (int)r[i].verdict, verdict_name(r[i].verdict));
    int any = 0;
    for (unsigned b = 0; b < VERDICT_F_COUNT; b++) {
      if (!(r[i].flags & (1u << b))) continue;
      if (any) fputs(" ", f);
      put_flag(f, b);
      any = 1;
    }
    if (!any) fputs("&ndash;", f);
    fputs("</td><td class=\"k\">", f);
    put_text(f, r[i].ptr);
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n", f);
  free(r);
  return 0;
}

static void put_target_list(FILE *f, const struct change *ch, enum change_list l,
                            const char *id, const char *what) {
  size_t n;
  const struct change_target *t = change_list(ch, l, &n);
  uint64_t total = change_list_total(ch, l);
  fprintf(f, "<h3>%s: <span id=\"%s-total\">%llu</span></h3>\n", what, id,
          (unsigned long long)total);
  if (!n) return;
  if (total > n)
    fprintf(f, "<p class=\"note\">The first %zu in address order.</p>\n", n);
  fprintf(f, "<table id=\"%s-table\"><tr><th>address</th><th>before</th><th>now</th>"
          "<th>flags now</th></tr>\n", id);
  for (size_t i = 0; i < n; i++) {
    fputs("<tr><td class=\"k\">", f);
    put_text(f, t[i].ip);
    fputs("</td><td>", f);
    if (t[i].old_verdict[0]) put_text(f, t[i].old_verdict);
    else fputs("<em>(new)</em>", f);
    fputs("</td><td>", f);
    put_text(f, t[i].new_verdict);
    fputs("</td><td class=\"fl\">", f);
    put_text(f, t[i].flags);
    fputs("</td></tr>\n", f);
  }
  fputs("</table>\n", f);
}

/* The change since the previous report (change.h). */
static void put_since(FILE *f, const struct change *ch) {
  const uint64_t *b = change_verdicts(ch, 0), *a = change_verdicts(ch, 1);
  fputs("<h2 id=\"since\">Since the previous report</h2>\n<p class=\"meta\">Previous: ", f);
  put_text(f, change_previous_path(ch));
  fprintf(f, ", %llu targets; now %llu targets (a target listed twice counts once: its "
          "latest row).</p>\n", (unsigned long long)change_targets(ch, 0),
          (unsigned long long)change_targets(ch, 1));
  fputs("<div class=\"cols\"><section>\n<table class=\"counts\" id=\"since-verdicts\"><tr>"
        "<th>verdict</th><th class=\"n\">before</th><th class=\"n\">now</th>"
        "<th class=\"n\">change</th></tr>\n", f);
  for (unsigned i = 0; i < VERDICT_COUNT; i++) {
    enum verdict v = verdict_worst_first(i);
    long long d = (long long)a[v] - (long long)b[v];
    fprintf(f, "<tr><td><span class=\"sw v%d\"></span>%s</td><td class=\"n\" "
            "id=\"before-%s\">%llu</td><td class=\"n\" id=\"now-%s\">%llu</td>"
            "<td class=\"n\">%+lld</td></tr>\n", (int)v, verdict_name(v), verdict_name(v),
            (unsigned long long)b[v], verdict_name(v), (unsigned long long)a[v], d);
  }
  fputs("</table>\n</section><section>\n<table class=\"counts\" id=\"since-kinds\"><tr>"
        "<th>change (as <code>ptraudit diff</code>)</th><th class=\"n\">targets</th></tr>\n", f);
  static const enum diff_change order[] = {DIFF_WORSE, DIFF_NEW_FAILING, DIFF_BETTER,
                                           DIFF_CHANGED, DIFF_ADDED, DIFF_GONE, DIFF_SAME};
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
    fprintf(f, "<tr><td>%s</td><td class=\"n\" id=\"kind-%s\">%llu</td></tr>\n",
            order[i] == DIFF_SAME ? "unchanged" : diff_change_name(order[i]),
            diff_change_name(order[i]), (unsigned long long)change_kind(ch, order[i]));
  fputs("</table>\n</section></div>\n", f);
  put_target_list(f, ch, CHANGE_NEWLY_FAILING, "newly-failing",
                  "Newly failing (failing now; absent or passing before)");
  put_target_list(f, ch, CHANGE_FIXED, "fixed", "Fixed (failing before, passing now)");
}

int html_summary_page(const struct summary *s, FILE *f, const char *title,
                      const struct change *since) {
  const struct summary_counts *c = summary_total(s);
  if (!title) title = "ptraudit summary";
  fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "img-src data:; style-src 'unsafe-inline'\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
        f);
  put_text(f, title);
  fprintf(f, "</title>\n<style>\n%s</style>\n</head><body>\n<h1>", css);
  put_text(f, title);
  fprintf(f, "</h1>\n<p class=\"meta\"><span id=\"rows\">%llu</span> rows",
          (unsigned long long)c->rows);
  if (summary_first_checked(s)[0]) {
    fputs(", checked ", f);
    put_text(f, summary_first_checked(s));
    fputs(" &ndash; ", f);
    put_text(f, summary_last_checked(s));
  }
  fputs(" &middot; ptraudit " PTRAUDIT_VERSION "</p>\n", f);

  fputs("<div class=\"cols\"><section>\n<h2 id=\"verdicts\">Verdicts</h2>\n", f);
  if (c->rows) {
    fputs("<div class=\"bar\">", f);
    for (int i = 0; i < SUMMARY_NVERDICTS; i++) {
      enum verdict v = verdict_worst_first((unsigned)i);
      if (c->verdict[v])
        fprintf(f, "<span class=\"v%d\" title=\"%s\" style=\"width:%.3f%%\"></span>", (int)v,
                verdict_name(v), 100.0 * (double)c->verdict[v] / (double)c->rows);
    }
    fputs("</div>\n", f);
  }
  fputs("<table class=\"counts\" id=\"verdict-table\"><tr><th>verdict</th>"
        "<th class=\"n\">rows</th><th class=\"n\">%</th></tr>\n", f);
  for (int i = 0; i < SUMMARY_NVERDICTS; i++) {
    enum verdict v = verdict_worst_first((unsigned)i);
    double pct = c->rows ? 100.0 * (double)c->verdict[v] / (double)c->rows : 0.0;
    fprintf(f, "<tr><td><span class=\"sw v%d\"></span>%s</td><td class=\"n\" "
            "id=\"verdict-%s\">%llu</td><td class=\"n\">%.1f</td></tr>\n", (int)v,
            verdict_name(v), verdict_name(v), (unsigned long long)c->verdict[v], pct);
  }
  fputs("</table>\n", f);
  fputs("<p class=\"note\">fail: no PTR, PTR without address, forward mismatch, expected "
        "name mismatch, a blocklist listing or SPF fail; unknown: a lookup failed temporarily "
        "(PTR, blocklist, SPF, DMARC); warn: several PTRs, CNAME, generic name, SMTP reject, "
        "banner problems, SPF softfail, neutral, none or permerror, DMARC missing or "
        "invalid.</p>\n", f);

  fputs("</section></div>\n", f);
  if (since) put_since(f, since);
  put_flag_table(f, c);
  put_dnsbl_table(f, s);
  /* the pictures before the long tables: the overview first */
  int rc = put_maps(f, s);
  if (rc == 0) rc = put_worst_rows(f, s);
  /* The page lists as many groups as the text output does. */
  if (rc == 0) rc = put_group_table(f, s, SUMMARY_PREFIX, summary_top(s));
  if (rc == 0 && summary_by_column(s)) rc = put_group_table(f, s, SUMMARY_BY, summary_top(s));
  if (rc < 0) return rc;
  uint64_t na = summary_rows_without_address(s);
  if (na)
    fprintf(f, "<p class=\"note\">%llu %s no address in the ip column (verdict "
            "invalid); %s counted above but in no prefix or picture.</p>\n",
            (unsigned long long)na, plural_word(na, "row has", "rows have"),
            plural_word(na, "it is", "they are"));
  fputs("</body></html>\n", f);
  if (fflush(f) != 0 || ferror(f)) return -EIO;
  return 0;
}

int html_write_summary(const struct summary *s, const char *path, const char *title,
                       const struct change *since, char *err, size_t errlen) {
  struct atomicfile *af;
  if (strcmp(path, "-") == 0) {
    int rc = html_summary_page(s, stdout, title, since);
    if (rc < 0 && err && errlen)
      snprintf(err, errlen, "%s: %s", "standard output", err_str(rc));
    return rc;
  }
  /* An existing page (or the link itself) is replaced; a directory,
   * device or FIFO never is (atomicfile.h).  ptraudit's --html refuses an
   * existing page without --force before the scan starts. */
  int rc = atomicfile_open(&af, path, "--html page", ATOMICFILE_FORCE, err, errlen);
  if (rc < 0) return rc;
  int fd = fcntl(atomicfile_fd(af), F_DUPFD_CLOEXEC, 3);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (!f) {
    int e = err_from_errno(errno);
    if (fd >= 0) close(fd);
    if (err && errlen) snprintf(err, errlen, "%s: %s", path, err_str(e));
    atomicfile_discard(af);
    return e;
  }
  errno = 0;
  rc = html_summary_page(s, f, title, since);
  int e = 0;
  if (rc == -EIO) e = errno ? err_from_errno(errno) : -EIO;
  if (fclose(f) != 0 && rc == 0) {
    rc = -EIO;
    e = err_from_errno(errno);
  }
  if (rc < 0) {
    if (err && errlen) snprintf(err, errlen, "%s: %s", path, err_str(e ? e : rc));
    atomicfile_discard(af);
    return rc;
  }
  return atomicfile_commit(af, NULL, err, errlen);
}
