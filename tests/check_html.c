/* SPDX-License-Identifier: MIT */
/*
 * check_html.c - the summary page and its PNG grids: HTML escaping of
 * hostile text, the counts on the page, nothing that could load from the
 * network, and PNGs that decode (signature, IHDR, chunk CRCs checked with
 * an independent bitwise CRC-32, pixels after inflating the IDAT).
 * Expected values are written out by hand.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>
#include <zlib.h>

#include "html.h"
#include "png.h"
#include "summary.h"

/* ---- a tiny PNG reader ---------------------------------------------------- */

/* CRC-32 as in the PNG spec's annex D, bit by bit (not zlib's table). */
static uint32_t crc_bitwise(const unsigned char *p, size_t n) {
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
  }
  return c ^ 0xffffffffu;
}

static uint32_t get32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

struct png_info {
  uint32_t w, h;
  unsigned char ihdr[13];
  unsigned char plte[768];
  size_t nplte;
  unsigned char *pix; /* w * h indices, malloc()ed */
  int chunks;
};

/* Parse and verify a PNG from the encoder (one IDAT, filter 0 rows). */
static void png_read(const unsigned char *p, size_t n, struct png_info *pi) {
  static const unsigned char sig[8] = {0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a};
  memset(pi, 0, sizeof *pi);
  ck_assert_uint_ge(n, 8);
  ck_assert_int_eq(memcmp(p, sig, 8), 0);
  size_t off = 8;
  unsigned char *z = NULL;
  size_t zl = 0;
  int seen_end = 0;
  while (off < n) {
    ck_assert_uint_ge(n - off, 12);
    uint32_t len = get32(p + off);
    ck_assert_uint_ge(n - off - 12, len);
    const unsigned char *type = p + off + 4, *data = p + off + 8;
    ck_assert_uint_eq(get32(data + len), crc_bitwise(type, 4 + len));
    if (!memcmp(type, "IHDR", 4)) {
      ck_assert_int_eq(pi->chunks, 0); /* IHDR first */
      ck_assert_uint_eq(len, 13);
      memcpy(pi->ihdr, data, 13);
      pi->w = get32(data);
      pi->h = get32(data + 4);
    } else if (!memcmp(type, "PLTE", 4)) {
      ck_assert_uint_eq(len % 3, 0);
      memcpy(pi->plte, data, len);
      pi->nplte = len / 3;
    } else if (!memcmp(type, "IDAT", 4)) {
      z = realloc(z, zl + len);
      memcpy(z + zl, data, len);
      zl += len;
    } else if (!memcmp(type, "IEND", 4)) {
      ck_assert_uint_eq(len, 0);
      /* The CRC of an empty IEND is always ae 42 60 82. */
      ck_assert_uint_eq(get32(data), 0xae426082u);
      seen_end = 1;
    }
    pi->chunks++;
    off += 12 + len;
  }
  ck_assert(seen_end);
  ck_assert_uint_eq(off, n);
  uLongf rl = (uLongf)(pi->w + 1) * pi->h;
  unsigned char *raw = malloc(rl + 1);
  uLongf got = rl + 1;
  ck_assert_int_eq(uncompress(raw, &got, z, (uLong)zl), Z_OK);
  ck_assert_uint_eq(got, rl);
  pi->pix = malloc((size_t)pi->w * pi->h);
  for (uint32_t y = 0; y < pi->h; y++) {
    ck_assert_uint_eq(raw[y * (pi->w + 1)], 0); /* filter type None */
    memcpy(pi->pix + (size_t)y * pi->w, raw + y * (pi->w + 1) + 1, pi->w);
  }
  free(raw);
  free(z);
}

/* ---- png.c ---------------------------------------------------------------- */

START_TEST(test_png_small) {
  const uint8_t pix[6] = {0, 1, 2, 2, 1, 0};
  const uint8_t pal[9] = {0xff, 0xff, 0xff, 0xd6, 0x27, 0x28, 0x2c, 0xa0, 0x2c};
  unsigned char *png;
  size_t n;
  ck_assert_int_eq(png_encode_indexed(pix, 3, 2, pal, 3, &png, &n), 0);
  struct png_info pi;
  png_read(png, n, &pi);
  const unsigned char ihdr[13] = {0, 0, 0, 3, 0, 0, 0, 2, 8, 3, 0, 0, 0};
  ck_assert_int_eq(memcmp(pi.ihdr, ihdr, 13), 0);
  ck_assert_uint_eq(pi.nplte, 3);
  ck_assert_int_eq(memcmp(pi.plte, pal, 9), 0);
  ck_assert_int_eq(memcmp(pi.pix, pix, 6), 0);
  ck_assert_int_eq(pi.chunks, 4); /* IHDR PLTE IDAT IEND */
  free(pi.pix);
  free(png);
}
END_TEST

START_TEST(test_png_bad_args) {
  const uint8_t pix[4] = {0, 1, 2, 3};
  const uint8_t pal[9] = {0};
  unsigned char *png = (unsigned char *)"x";
  size_t n = 9;
  ck_assert_int_eq(png_encode_indexed(pix, 0, 1, pal, 3, &png, &n), UV_EINVAL);
  ck_assert_ptr_null(png);
  ck_assert_uint_eq(n, 0);
  ck_assert_int_eq(png_encode_indexed(pix, 1, 0, pal, 3, &png, &n), UV_EINVAL);
  ck_assert_int_eq(png_encode_indexed(pix, 2, 2, pal, 0, &png, &n), UV_EINVAL);
  ck_assert_int_eq(png_encode_indexed(pix, 2, 2, pal, 257, &png, &n), UV_EINVAL);
  ck_assert_int_eq(png_encode_indexed(pix, 2, 2, pal, 3, &png, &n), UV_EINVAL); /* 3 >= 3 */
  ck_assert_int_eq(png_encode_indexed(pix, PNG_MAX_DIM + 1, 1, pal, 3, &png, &n), UV_EINVAL);
}
END_TEST

/* ---- html_escape ------------------------------------------------------------ */

START_TEST(test_escape) {
  char buf[128];
  const char *in = "<a href=\"x\">&'</a>";
  size_t n = html_escape(buf, sizeof buf, in, strlen(in));
  ck_assert_str_eq(buf, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
  ck_assert_uint_eq(n, strlen(buf));
  n = html_escape(buf, sizeof buf, "a\x01" "b\x7f" "c\xc3\xa9", 7);
  ck_assert_str_eq(buf, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xc3\xa9");
  /* snprintf-style: the full length comes back, the output is cut before
   * an entity, never inside it. */
  n = html_escape(buf, 5, "a&b", 3);
  ck_assert_uint_eq(n, 7);
  ck_assert_str_eq(buf, "a");
  n = html_escape(buf, 8, "a&b", 3);
  ck_assert_uint_eq(n, 7);
  ck_assert_str_eq(buf, "a&amp;b");
  ck_assert_uint_eq(html_escape(NULL, 0, "<>", 2), 8);
}
END_TEST

/* ---- the page ----------------------------------------------------------------- */

static const char *const cols[] = {"ip", "verdict", "flags", "checked_at", "customer"};

static void add(struct summary *s, const char *ip, const char *v, const char *fl,
                const char *cust) {
  const char *f[5] = {ip, v, fl, "2024-05-01T02:00:00Z", cust};
  ck_assert_int_eq(summary_add(s, f, NULL), 0);
}

static struct summary *sample(void) {
  struct summary *s;
  char err[256];
  ck_assert_int_eq(summary_new(&s, cols, 5, "customer", err, sizeof err), 0);
  add(s, "127.64.3.4", "fail", "NO_PTR", "<script>alert('x')</script>");
  add(s, "127.64.3.5", "fail", "NO_PTR FCRDNS_MISMATCH", "acme & sons");
  add(s, "127.64.0.0", "ok", "", "acme & sons");
  add(s, "127.64.255.1", "warn", "MULTI_PTR", "\"quoted\"");
  add(s, "127.64.7.7", "unknown", "PTR_TEMPERROR", "acme & sons");
  add(s, "10.9.0.1", "ok", "", "");
  add(s, "2001:db8:5::1", "fail", "NO_PTR", "v6 <co>");
  add(s, "bogus", "invalid", "", "x");
  return s;
}

static char *page_of(const struct summary *s, const char *title) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq(html_summary_page(s, f, title, NULL), 0);
  fclose(f);
  return buf;
}

#define HAS(page, s) ck_assert_msg(strstr(page, s) != NULL, "page lacks: %s", s)
#define LACKS(page, s) ck_assert_msg(strstr(page, s) == NULL, "page has: %s", s)

START_TEST(test_page_counts) {
  struct summary *s = sample();
  char *p = page_of(s, "nightly <run>");
  HAS(p, "<!DOCTYPE html>");
  HAS(p, "<title>nightly &lt;run&gt;</title>");
  HAS(p, "<span id=\"rows\">8</span> rows");
  HAS(p, "id=\"verdict-fail\">3</td>");
  HAS(p, "id=\"verdict-unknown\">1</td>");
  HAS(p, "id=\"verdict-warn\">1</td>");
  HAS(p, "id=\"verdict-ok\">2</td>");
  HAS(p, "id=\"verdict-invalid\">1</td>");
  HAS(p, "id=\"verdict-skipped\">0</td>");
  HAS(p, "id=\"flag-NO_PTR\">3</td>");
  HAS(p, "id=\"flag-FCRDNS_MISMATCH\">1</td>");
  HAS(p, "id=\"flag-MULTI_PTR\">1</td>");
  LACKS(p, "id=\"flag-GENERIC_PTR\"");
  /* worst prefix first: 127.64.3.0/24 with two failures */
  char *t = strstr(p, "id=\"prefixes-table\"");
  ck_assert_ptr_nonnull(t);
  char *a = strstr(t, "127.64.3.0/24"), *b = strstr(t, "2001:db8:5::/48"),
       *c = strstr(t, "127.64.7.0/24"), *d = strstr(t, "10.9.0.0/24");
  ck_assert(a && b && c && d && a < b && b < c && c < d);
  HAS(p, "<td class=\"k\">127.64.3.0/24</td><td class=\"n\">2</td><td class=\"n\">2</td>"
         "<td class=\"n\">0</td><td class=\"n\">0</td><td class=\"n\">0</td>");
  /* --by table, escaped keys */
  HAS(p, "<h2 id=\"by\">Worst by customer</h2>");
  HAS(p, "<td class=\"k\">acme &amp; sons</td><td class=\"n\">3</td><td class=\"n\">1</td>"
         "<td class=\"n\">1</td><td class=\"n\">0</td><td class=\"n\">1</td>");
  HAS(p, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  HAS(p, "&quot;quoted&quot;");
  HAS(p, "v6 &lt;co&gt;");
  HAS(p, "<em>(empty)</em>");
  HAS(p, "2024-05-01T02:00:00Z");
  /* two /16 pictures, in address order, and the notes */
  a = strstr(p, "<figure id=\"map-10-9\">");
  b = strstr(p, "<figure id=\"map-127-64\">");
  ck_assert(a && b && a < b);
  HAS(p, "<b>127.64.0.0/16</b>: 5 rows, fail 2, unknown 1, warn 1, ok 1<br>drawn: "
         "127.64.0.0 &ndash; 127.64.255.255 (256 of 256 /24s)</figcaption>");
  /* 10.9.0.1 alone: one /24, one row of cells, 32 px high */
  HAS(p, "<b>10.9.0.0/16</b>: 1 row, ok 1<br>drawn: 10.9.0.0 &ndash; 10.9.0.255 "
         "(1 of 256 /24s)</figcaption>");
  a = strstr(p, "<figure id=\"map-10-9\">");
  HAS(a, "<div class=\"ax\">&#8595; 10.9.0.0/24</div><img alt=\"verdict map of 10.9.0.0/16\" "
         "width=\"512\" height=\"32\" style=\"height:32px\" data-rows=\"1\"");
  /* the invalid column of the --by table: customer x has the invalid row */
  HAS(p, "<th class=\"n\">ok</th><th class=\"n\">invalid</th><th>flags</th>");
  HAS(p, "<td class=\"k\">x</td><td class=\"n\">1</td><td class=\"n\">0</td><td class=\"n\">0</td>"
         "<td class=\"n\">0</td><td class=\"n\">0</td><td class=\"n inv\">1</td>");
  /* no such column in the prefix table (an invalid row has no prefix) */
  t = strstr(p, "id=\"prefixes-table\"");
  ck_assert_ptr_nonnull(t);
  ck_assert(strstr(t, "invalid</th>") > strstr(t, "</table>"));
  /* the flags seen, each with its level and meaning (README "Flags") */
  HAS(p, "<tr id=\"meaning-NO_PTR\"><td>NO_PTR</td><td class=\"level\"><span class=\"lv lv3\">"
         "fail</span></td><td class=\"n\" id=\"flag-NO_PTR\">3</td><td class=\"fl\">iprev is "
         "permerror: no PTR record</td></tr>");
  HAS(p, "<tr id=\"meaning-PTR_TEMPERROR\"><td>PTR_TEMPERROR</td><td class=\"level\"><span "
         "class=\"lv lv2\">unknown</span>");
  HAS(p, "<tr id=\"meaning-MULTI_PTR\"><td>MULTI_PTR</td><td class=\"level\"><span "
         "class=\"lv lv1\">warn</span>");
  LACKS(p, "id=\"meaning-GENERIC_PTR\""); /* not seen */
  HAS(p, "IPv6: 1 row, listed per /48");
  HAS(p, "1 row has no address");
  LACKS(p, "(other)</em></td>");
  free(p);
  summary_free(s);
}
END_TEST

/* The worst addresses: fail first (more problem flags first, then
 * address order, IPv4 before IPv6), then unknown, then warn; ok and
 * invalid rows are not listed.  Each flag with its level, linked to its
 * line in the flag table. */
START_TEST(test_page_worst_rows) {
  struct summary *s = sample();
  char *p = page_of(s, "w");
  HAS(p, "<span id=\"worst-shown\">5</span> of <span id=\"worst-total\">5</span> rows");
  char *t = strstr(p, "id=\"worst-table\"");
  ck_assert_ptr_nonnull(t);
  char *end = strstr(t, "</table>");
  const char *order[] = {"127.64.3.5", "127.64.3.4", "2001:db8:5::1", "127.64.7.7",
                         "127.64.255.1"};
  char *prev = t;
  for (size_t i = 0; i < 5; i++) {
    char want[64];
    snprintf(want, sizeof want, "<tr><td class=\"k\">%s</td>", order[i]);
    char *q = strstr(t, want);
    ck_assert_msg(q && q > prev && q < end, "worst row %zu: %s", i, order[i]);
    prev = q;
  }
  ck_assert(strstr(t, ">127.64.0.0</td>") == NULL || strstr(t, ">127.64.0.0</td>") > end);
  HAS(t, "<tr><td class=\"k\">127.64.3.5</td><td><span class=\"sw v3\"></span>fail</td>"
         "<td class=\"fl\"><a class=\"flag\" href=\"#meaning-NO_PTR\" title=\"iprev is permerror: "
         "no PTR record\">NO_PTR<span class=\"lv lv3\">fail</span></a> <a class=\"flag\" "
         "href=\"#meaning-FCRDNS_MISMATCH\"");
  HAS(t, "MULTI_PTR<span class=\"lv lv1\">warn</span></a>");
  free(p);
  summary_free(s);

  /* a cap of 2: the two worst, whatever the order rows come in */
  static const char *const rows[][3] = {
    {"192.0.2.9", "warn", "GENERIC_PTR"}, {"192.0.2.1", "fail", "NO_PTR"},
    {"192.0.2.3", "unknown", "PTR_TEMPERROR"}, {"192.0.2.2", "fail", "NO_PTR"},
    {"192.0.2.7", "ok", ""},
  };
  for (int rev = 0; rev < 2; rev++) {
    char err[256];
    ck_assert_int_eq(summary_new(&s, cols, 5, NULL, err, sizeof err), 0);
    summary_set_worst_max(s, 2);
    for (int i = 0; i < 5; i++) {
      int k = rev ? 4 - i : i;
      add(s, rows[k][0], rows[k][1], rows[k][2], "");
    }
    p = page_of(s, "cap");
    HAS(p, "<span id=\"worst-shown\">2</span> of <span id=\"worst-total\">4</span> rows");
    char *a = strstr(p, ">192.0.2.1</td>"), *b = strstr(p, ">192.0.2.2</td>");
    ck_assert(a && b && a < b);
    LACKS(p, ">192.0.2.3</td>");
    free(p);
    summary_free(s);
  }
}
END_TEST

/* Rows drawn for a /16: from the first to the last third octet scanned. */
START_TEST(test_map_rows) {
  static uint8_t cells[65536];
  unsigned first = 99, last = 99;
  memset(cells, 0, sizeof cells);
  ck_assert_int_eq(html_map_rows(cells, &first, &last), 0);
  cells[7 * 256 + 255] = 1;
  ck_assert_int_eq(html_map_rows(cells, &first, &last), 1);
  ck_assert_uint_eq(first, 7);
  ck_assert_uint_eq(last, 7);
  cells[200 * 256] = 5;
  cells[3 * 256 + 9] = 4;
  ck_assert_int_eq(html_map_rows(cells, &first, &last), 1);
  ck_assert_uint_eq(first, 3);
  ck_assert_uint_eq(last, 200);
  cells[255 * 256 + 255] = 2;
  cells[0] = 1;
  ck_assert_int_eq(html_map_rows(cells, &first, &last), 1);
  ck_assert_uint_eq(first, 0);
  ck_assert_uint_eq(last, 255);
}
END_TEST

START_TEST(test_page_no_fetch_no_script) {
  struct summary *s = sample();
  char *p = page_of(s, "<img src=x onerror=alert(1)><script src=//evil/></script>");
  LACKS(p, "<script");
  LACKS(p, "<img src=x");
  LACKS(p, "http:");
  LACKS(p, "https:");
  LACKS(p, "url(");
  LACKS(p, "@import");
  LACKS(p, "<link");
  LACKS(p, "<iframe");
  LACKS(p, "<object");
  HAS(p, "default-src 'none'; img-src data:; style-src 'unsafe-inline'");
  /* every src= is a data: URI */
  int imgs = 0;
  /* (a quote in text is escaped, so `src="` is always an attribute) */
  for (char *q = p; (q = strstr(q, "src=\"")) != NULL; q += 4) {
    ck_assert_msg(strncmp(q, "src=\"data:image/png;base64,", 27) == 0, "src: %.40s", q);
    imgs++;
  }
  ck_assert_int_eq(imgs, 2);
  free(p);
  summary_free(s);
}
END_TEST

static int b64val(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

START_TEST(test_page_png_pixels) {
  struct summary *s = sample();
  char *p = page_of(s, NULL);
  HAS(p, "<title>ptraudit summary</title>");
  char *q = strstr(p, "<figure id=\"map-127-64\">");
  ck_assert_ptr_nonnull(q);
  q = strstr(q, "base64,");
  ck_assert_ptr_nonnull(q);
  q += 7;
  size_t cap = strlen(q), n = 0;
  unsigned char *bin = malloc(cap);
  uint32_t acc = 0;
  int bits = 0;
  for (; *q && *q != '"'; q++) {
    if (*q == '=') continue;
    int v = b64val(*q);
    ck_assert_int_ge(v, 0);
    acc = acc << 6 | (uint32_t)v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bin[n++] = (unsigned char)(acc >> bits);
    }
  }
  struct png_info pi;
  png_read(bin, n, &pi);
  ck_assert_uint_eq(pi.w, 256);
  ck_assert_uint_eq(pi.h, 256);
  ck_assert_uint_eq(pi.nplte, 7);
  /* palette: 0 white, 1 green, 2 amber, 3 grey-blue, 4 red */
  const unsigned char want_pal[15] = {0xff, 0xff, 0xff, 0x2c, 0xa0, 0x2c, 0xf0, 0xa3, 0x0a,
                                      0x7d, 0x93, 0xb2, 0xd6, 0x27, 0x28};
  ck_assert_int_eq(memcmp(pi.plte, want_pal, 15), 0);
  /* row = third octet, column = fourth */
  ck_assert_uint_eq(pi.pix[3 * 256 + 4], 4);   /* 127.64.3.4 fail */
  ck_assert_uint_eq(pi.pix[3 * 256 + 5], 4);   /* 127.64.3.5 fail */
  ck_assert_uint_eq(pi.pix[0], 1);             /* 127.64.0.0 ok */
  ck_assert_uint_eq(pi.pix[255 * 256 + 1], 2); /* 127.64.255.1 warn */
  ck_assert_uint_eq(pi.pix[7 * 256 + 7], 3);   /* 127.64.7.7 unknown */
  ck_assert_uint_eq(pi.pix[4 * 256 + 3], 0);   /* not scanned */
  size_t colored = 0;
  for (size_t i = 0; i < 65536; i++) colored += pi.pix[i] != 0;
  ck_assert_uint_eq(colored, 5);
  free(pi.pix);
  free(bin);
  free(p);
  summary_free(s);
}
END_TEST

START_TEST(test_page_caps_notes) {
  struct summary *s;
  char err[256];
  ck_assert_int_eq(summary_new(&s, cols, 5, NULL, err, sizeof err), 0);
  summary_set_caps(s, 1, 1);
  add(s, "192.0.2.1", "ok", "", "");
  add(s, "198.51.100.1", "fail", "NO_PTR", "");
  add(s, "203.0.113.1", "fail", "NO_PTR", "");
  char *p = page_of(s, "caps");
  HAS(p, "<td class=\"k\"><em>(other)</em></td><td class=\"n\">2</td><td class=\"n\">2</td>");
  HAS(p, "2 rows of further groups are counted together as <em>(other)</em>");
  HAS(p, "2 further /16s were scanned but are not drawn");
  LACKS(p, "id=\"by\"");
  free(p);
  summary_free(s);
}
END_TEST

START_TEST(test_write_file) {
  char dir[] = "/tmp/check_html.XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  char path[256], err[512];
  snprintf(path, sizeof path, "%s/page.html", dir);
  struct summary *s = sample();
  ck_assert_int_eq(html_write_summary(s, path, "t", NULL, err, sizeof err), 0);
  /* again: an existing page is replaced */
  ck_assert_int_eq(html_write_summary(s, path, "t", NULL, err, sizeof err), 0);
  FILE *f = fopen(path, "r");
  ck_assert_ptr_nonnull(f);
  char head[16] = "";
  ck_assert_uint_eq(fread(head, 1, 15, f), 15);
  fclose(f);
  ck_assert_str_eq(head, "<!DOCTYPE html>");
  char tmp[300];
  snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
  struct stat st;
  ck_assert_int_ne(stat(tmp, &st), 0); /* no temporary file left */
  unlink(path);
  rmdir(dir);

  snprintf(path, sizeof path, "%s/no/such/dir/page.html", dir);
  ck_assert_int_eq(html_write_summary(s, path, "t", NULL, err, sizeof err), UV_ENOENT);
  ck_assert_ptr_nonnull(strstr(err, "/no/such/dir/page.html"));
  summary_free(s);
}
END_TEST

Suite *html_suite(void) {
  Suite *s = suite_create("html");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_png_small);
  tcase_add_test(tc, test_png_bad_args);
  tcase_add_test(tc, test_escape);
  tcase_add_test(tc, test_page_counts);
  tcase_add_test(tc, test_page_worst_rows);
  tcase_add_test(tc, test_map_rows);
  tcase_add_test(tc, test_page_no_fetch_no_script);
  tcase_add_test(tc, test_page_png_pixels);
  tcase_add_test(tc, test_page_caps_notes);
  tcase_add_test(tc, test_write_file);
  suite_add_tcase(s, tc);
  return s;
}
