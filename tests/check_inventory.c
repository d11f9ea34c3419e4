/* SPDX-License-Identifier: MIT */
/*
 * check_inventory.c - the CSV inventory reader.  Every fixture is a string
 * literal (or built from one) written to a temporary file; every expected
 * value and message is written out by hand.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "inventory.h"

static FILE *file;
static struct inventory *inv;
static char err[512];

static void teardown(void) {
  inventory_close(inv);
  inv = NULL;
  if (file) fclose(file);
  file = NULL;
}

/* Open an inventory over data[0..len) named "inv.csv". */
static int open_mem(const char *data, size_t len, const char *ipcol, const char *expcol) {
  file = tmpfile();
  ck_assert_ptr_nonnull(file);
  ck_assert_uint_eq(fwrite(data, 1, len, file), len);
  rewind(file);
  err[0] = '\0';
  return inventory_open(&inv, file, "inv.csv", ipcol, expcol, err, sizeof err);
}
#define OPEN(lit) open_mem(lit, sizeof(lit) - 1, NULL, NULL)

static int next(struct inventory_row *row) {
  err[0] = '\0';
  return inventory_next(inv, row, err, sizeof err);
}

/* The cell equals the literal, byte for byte, and is NUL-terminated. */
static void cell_is(const char *s, size_t len, const char *want) {
  ck_assert_ptr_nonnull(s);
  ck_assert_uint_eq(len, strlen(want));
  ck_assert_mem_eq(s, want, len);
  ck_assert_int_eq(s[len], '\0');
}

START_TEST(test_basic) {
  struct inventory_row row;
  ck_assert_int_eq(OPEN("ip,owner,expected_ptr\n"
                        "192.0.2.1,Acme,mail.example.com\n"
                        "192.0.2.2,Beta,\n"),
                   0);
  ck_assert_uint_eq(inventory_extra_count(inv), 1);
  ck_assert_str_eq(inventory_extra_name(inv, 0), "owner");
  ck_assert_str_eq(inventory_ip_name(inv), "ip");
  ck_assert_str_eq(inventory_expected_name(inv), "expected_ptr");

  ck_assert_int_eq(next(&row), 1);
  ck_assert_uint_eq(row.line, 2);
  cell_is(row.ip, row.ip_len, "192.0.2.1");
  cell_is(row.expected, row.expected_len, "mail.example.com");
  cell_is(row.extra[0], row.extra_len[0], "Acme");

  ck_assert_int_eq(next(&row), 1);
  ck_assert_uint_eq(row.line, 3);
  cell_is(row.ip, row.ip_len, "192.0.2.2");
  cell_is(row.expected, row.expected_len, "");
  cell_is(row.extra[0], row.extra_len[0], "Beta");

  ck_assert_int_eq(next(&row), 0);
  ck_assert_int_eq(next(&row), 0);
}
END_TEST

START_TEST(test_bom_crlf_blank_lines) {
  struct inventory_row row;
  ck_assert_int_eq(OPEN("\xef\xbb\xbfIP,Name\r\n"
                        "10.0.0.1,a\r\n"
                        "\r\n"
                        "   \r\n"
                        "10.0.0.2,b\r\n"),
                   0);
  ck_assert_str_eq(inventory_ip_name(inv), "IP"); /* BOM not part of the name */
  ck_assert_ptr_null(inventory_expected_name(inv));
  ck_assert_uint_eq(inventory_extra_count(inv), 1);
  ck_assert_str_eq(inventory_extra_name(inv, 0), "Name");
  ck_assert_int_eq(next(&row), 1);
  ck_assert_uint_eq(row.line, 2);
  cell_is(row.ip, row.ip_len, "10.0.0.1");
  ck_assert_ptr_null(row.expected);
  ck_assert_uint_eq(row.expected_len, 0);
  cell_is(row.extra[0], row.extra_len[0], "a");
  ck_assert_int_eq(next(&row), 1);
  ck_assert_uint_eq(row.line, 5);
  cell_is(row.ip, row.ip_len, "10.0.0.2");
  ck_assert_int_eq(next(&row), 0);
}
END_TEST

START_TEST(test_lone_cr_and_no_final_newline) {
  struct inventory_row row;
  ck_assert_int_eq(OPEN("ip,o\r1.1.1.1,a\r\r2.2.2.2,\"b\""), 0);
  ck_assert_int_eq(next(&row), 1);
  ck_assert_uint_eq(row.line, 2);
  cell_is(row.extra[0], row.extra_len[0], "a");
  ck_assert_int_eq(next(&row), 1);
  ck_assert_uint_eq(row.line, 4);
  cell_is(row.ip, row.ip_len, "2.2.2.2");
  cell_is(row.extra[0], row.extra_len[0], "b");
  ck_assert_int_eq(next(&row), 0);
  teardown();
  /* Mixed: a lone CR, then LF line ends. */
  ck_assert_int_eq(OPEN("ip,o\r1.1.1.1,a\n2.2.2.2,b\n"), 0);
  ck_assert_int_eq(next(&row), 1);
  ck_assert_uint_eq(row.line, 2);
  ck_assert_int_eq(next(&row), 1);
  ck_assert_uint_eq(row.line, 3);
  ck_assert_int_eq(next(&row), 0);
}
END_TEST

START_TEST(test_quoted_fields) {
  struct inventory_row row;
  ck_assert_int_eq(OPEN("addr,note,hostname\n"
                        "192.0.2.1,\"Acme, Inc.\",a.example\n"
                        "192.0.2.2,\"two\nlines\",b.example\n"
                        "192.0.2.3,\"say \"\"hi\"\"\",\"c.example\"\n"
                        "\"192.0.2.4\",\"\",\"crlf\r\ninside\"\r\n"
                        "192.0.2.5,x,y\n"),
                   0);
  ck_assert_str_eq(inventory_ip_name(inv), "addr");
  ck_assert_str_eq(inventory_expected_name(inv), "hostname");
  ck_assert_uint_eq(inventory_extra_count(inv), 1);
  ck_assert_str_eq(inventory_extra_name(inv, 0), "note");

  ck_assert_int_eq(next(&row), 1);
  ck_assert_uint_eq(row.line, 2);
  cell_is(row.extra[0], row.extra_len[0], "Acme, Inc.");
  ck_assert_int_eq(next(&row), 1);
  ck_assert_uint_eq(row.line, 3);
  cell_is(row.extra[0], row.extra_len[0], "two\nlines");
  ck_assert_int_eq(next(&row), 1);
  ck_assert_uint_eq(row.line, 5); /* the row before spans lines 3-4 */
  cell_is(row.extra[0], row.extra_len[0], "say \"hi\"");
  cell_is(row.expected, row.expected_len, "c.example");
  ck_assert_int_eq(next(&row), 1);
  ck_assert_uint_eq(row.line, 6);
  cell_is(row.ip, row.ip_len, "192.0.2.4");
  cell_is(row.extra[0], row.extra_len[0], "");
  cell_is(row.expected, row.expected_len, "crlf\r\ninside");
  ck_assert_int_eq(next(&row), 1);
  ck_assert_uint_eq(row.line, 8);
  ck_assert_int_eq(next(&row), 0);
}
END_TEST

START_TEST(test_missing_ip_column) {
  ck_assert_int_eq(OPEN("name,owner\nx,y\n"), UV_EINVAL);
  ck_assert_ptr_null(inv);
  ck_assert_str_eq(err, "inv.csv:1: no IP column: looked for ip, ip_address, address, addr; "
                        "header has: name, owner");
}
END_TEST

START_TEST(test_explicit_columns) {
  struct inventory_row row;
  static const char csv[] = "Server IP , Owner,PTR,ip\n192.0.2.1,A,x.example,10.9.9.9\n";
  ck_assert_int_eq(open_mem(csv, sizeof csv - 1, "server ip", "PTR"), 0);
  ck_assert_str_eq(inventory_ip_name(inv), "Server IP");
  ck_assert_str_eq(inventory_expected_name(inv), "PTR");
  ck_assert_uint_eq(inventory_extra_count(inv), 2);
  ck_assert_str_eq(inventory_extra_name(inv, 0), "Owner"); /* trimmed */
  ck_assert_str_eq(inventory_extra_name(inv, 1), "ip");    /* not chosen: passthrough */
  ck_assert_int_eq(next(&row), 1);
  cell_is(row.ip, row.ip_len, "192.0.2.1");
  cell_is(row.expected, row.expected_len, "x.example");
  cell_is(row.extra[0], row.extra_len[0], "A");
  cell_is(row.extra[1], row.extra_len[1], "10.9.9.9");
  teardown();

  ck_assert_int_eq(open_mem(csv, sizeof csv - 1, NULL, "nope"), UV_EINVAL);
  ck_assert_str_eq(err, "inv.csv:1: no expected column named \"nope\"; "
                        "header has: Server IP, Owner, PTR, ip");
  teardown();
  ck_assert_int_eq(open_mem(csv, sizeof csv - 1, "addr", NULL), UV_EINVAL);
  ck_assert_str_eq(err, "inv.csv:1: no IP column named \"addr\"; "
                        "header has: Server IP, Owner, PTR, ip");
  teardown();
  ck_assert_int_eq(open_mem(csv, sizeof csv - 1, "ip", "IP"), UV_EINVAL);
  ck_assert_str_eq(err, "inv.csv:1: column 4 cannot be both the IP and the expected column");
}
END_TEST

/* Found by fuzz_inventory: an explicit IP column whose name the usual
 * expected-column search also knows must not become the expected column
 * too (it overflowed the extras array). */
START_TEST(test_ip_column_named_like_expected) {
  struct inventory_row row;
  static const char csv[] = "ip,expected,owner\n192.0.2.1,mail.example,A\n";
  ck_assert_int_eq(open_mem(csv, sizeof csv - 1, "expected", NULL), 0);
  ck_assert_str_eq(inventory_ip_name(inv), "expected");
  ck_assert_ptr_null(inventory_expected_name(inv));
  ck_assert_uint_eq(inventory_extra_count(inv), 2);
  ck_assert_str_eq(inventory_extra_name(inv, 0), "ip");
  ck_assert_str_eq(inventory_extra_name(inv, 1), "owner");
  ck_assert_int_eq(next(&row), 1);
  cell_is(row.ip, row.ip_len, "mail.example");
  ck_assert_ptr_null(row.expected);
  teardown();

  static const char one[] = "hostname\n192.0.2.1\n";
  ck_assert_int_eq(open_mem(one, sizeof one - 1, "hostname", NULL), 0);
  ck_assert_ptr_null(inventory_expected_name(inv));
  ck_assert_uint_eq(inventory_extra_count(inv), 0);
  ck_assert_int_eq(next(&row), 1);
  cell_is(row.ip, row.ip_len, "192.0.2.1");
}
END_TEST

START_TEST(test_column_preference_and_duplicates) {
  struct inventory_row row;
  ck_assert_int_eq(OPEN("address,x,ip,x,hostname,expected\n"
                        "1,a,2,b,h,e\n"),
                   0);
  ck_assert_str_eq(inventory_ip_name(inv), "ip");             /* ip beats address */
  ck_assert_str_eq(inventory_expected_name(inv), "expected"); /* expected beats hostname */
  ck_assert_uint_eq(inventory_extra_count(inv), 4);
  ck_assert_str_eq(inventory_extra_name(inv, 0), "address");
  ck_assert_str_eq(inventory_extra_name(inv, 1), "x");
  ck_assert_str_eq(inventory_extra_name(inv, 2), "x");
  ck_assert_str_eq(inventory_extra_name(inv, 3), "hostname");
  ck_assert_int_eq(next(&row), 1);
  cell_is(row.ip, row.ip_len, "2");
  cell_is(row.expected, row.expected_len, "e");
  cell_is(row.extra[0], row.extra_len[0], "1");
  cell_is(row.extra[1], row.extra_len[1], "a");
  cell_is(row.extra[2], row.extra_len[2], "b");
  cell_is(row.extra[3], row.extra_len[3], "h");
}
END_TEST

START_TEST(test_bad_ip_cell_as_is) {
  struct inventory_row row;
  ck_assert_int_eq(OPEN("ip,o\n not-an-ip ,x\n010.0.0.1,y\n,z\n"), 0);
  ck_assert_int_eq(next(&row), 1);
  cell_is(row.ip, row.ip_len, " not-an-ip ");
  cell_is(row.extra[0], row.extra_len[0], "x");
  ck_assert_int_eq(next(&row), 1);
  cell_is(row.ip, row.ip_len, "010.0.0.1");
  ck_assert_int_eq(next(&row), 1);
  ck_assert_uint_eq(row.line, 4);
  cell_is(row.ip, row.ip_len, "");
  ck_assert_int_eq(next(&row), 0);
}
END_TEST

START_TEST(test_unterminated_quote) {
  struct inventory_row row;
  ck_assert_int_eq(OPEN("ip,o\n1.2.3.4,a\n1.2.3.5,\"open\nmore\nstill\n"), 0);
  ck_assert_int_eq(next(&row), 1);
  ck_assert_int_eq(next(&row), UV_EINVAL);
  ck_assert_str_eq(err, "inv.csv:3: column 2 (o): CSV syntax error: quoted field never closed "
                        "(runs to the end of the file)");
  /* Sticky. */
  ck_assert_int_eq(next(&row), UV_EINVAL);
  ck_assert_str_eq(err, "inv.csv:3: column 2 (o): CSV syntax error: quoted field never closed "
                        "(runs to the end of the file)");
}
END_TEST

START_TEST(test_stray_quote) {
  struct inventory_row row;
  ck_assert_int_eq(OPEN("ip,o\n1.2.3.4,\"x\ny\"\n1.2.3.5,a\"b\n"), 0);
  ck_assert_int_eq(next(&row), 1);
  ck_assert_int_eq(next(&row), UV_EINVAL);
  ck_assert_str_eq(err, "inv.csv:4: column 2 (o): CSV syntax error: quote inside an unquoted "
                        "field (quote the whole field and double the quotes inside it)");
}
END_TEST

START_TEST(test_text_after_closing_quote) {
  struct inventory_row row;
  ck_assert_int_eq(OPEN("ip,o\n\"1.2.3.4\"x,a\n"), 0);
  ck_assert_int_eq(next(&row), UV_EINVAL);
  ck_assert_str_eq(err, "inv.csv:2: column 1 (ip): CSV syntax error: character after a closing "
                        "quote (a quoted field must be followed by a comma or the end of the "
                        "line)");
  teardown();
  /* Spaces are data: a space before a quoted field makes it unquoted. */
  ck_assert_int_eq(OPEN("ip,o\n1.2.3.4, \"a\"\n"), 0);
  ck_assert_int_eq(next(&row), UV_EINVAL);
  ck_assert_str_eq(err, "inv.csv:2: column 2 (o): CSV syntax error: quote inside an unquoted "
                        "field (quote the whole field and double the quotes inside it)");
}
END_TEST

START_TEST(test_syntax_error_in_header) {
  ck_assert_int_eq(OPEN("ip,\"own\"er\n"), UV_EINVAL);
  ck_assert_str_eq(err, "inv.csv:1: column 2: CSV syntax error: character after a closing "
                        "quote (a quoted field must be followed by a comma or the end of the "
                        "line)");
}
END_TEST

START_TEST(test_ragged_rows) {
  struct inventory_row row;
  ck_assert_int_eq(OPEN("ip,a,b,c\n1,2,3,4\n\n5,6,7\n"), 0);
  ck_assert_int_eq(next(&row), 1);
  ck_assert_int_eq(next(&row), UV_EINVAL);
  ck_assert_str_eq(err, "inv.csv:4: 3 fields, header has 4");
  teardown();
  ck_assert_int_eq(OPEN("ip,a,b,c\n1,2,3,4,5\n"), 0);
  ck_assert_int_eq(next(&row), UV_EINVAL);
  ck_assert_str_eq(err, "inv.csv:2: 5 fields, header has 4");
  teardown();
  ck_assert_int_eq(OPEN("ip,a\n1,2,\n"), 0); /* a trailing comma is a field */
  ck_assert_int_eq(next(&row), UV_EINVAL);
  ck_assert_str_eq(err, "inv.csv:2: 3 fields, header has 2");
  teardown();
  ck_assert_int_eq(OPEN("ip,a\n1\n"), 0);
  ck_assert_int_eq(next(&row), UV_EINVAL);
  ck_assert_str_eq(err, "inv.csv:2: 1 field, header has 2");
}
END_TEST

/* "ip,blob\n1.2.3.4," + n bytes of 'a' (quoted if asked) + "\n". */
static char *big_row(size_t n, int quoted, size_t *len) {
  static const char head[] = "ip,blob\n1.2.3.4,";
  char *s = malloc(sizeof head + n + 3);
  size_t o = sizeof head - 1;
  memcpy(s, head, o);
  if (quoted) s[o++] = '"';
  memset(s + o, 'a', n);
  o += n;
  if (quoted) s[o++] = '"';
  s[o++] = '\n';
  *len = o;
  return s;
}

START_TEST(test_field_cap) {
  struct inventory_row row;
  size_t len;
  char *s;

  for (int quoted = 0; quoted < 2; quoted++) {
    /* Exactly at the cap: accepted. */
    s = big_row(INVENTORY_FIELD_MAX, quoted, &len);
    ck_assert_int_eq(open_mem(s, len, NULL, NULL), 0);
    free(s);
    ck_assert_int_eq(next(&row), 1);
    ck_assert_uint_eq(row.extra_len[0], 65536);
    ck_assert_int_eq(next(&row), 0);
    teardown();

    /* One byte over. */
    s = big_row(INVENTORY_FIELD_MAX + 1, quoted, &len);
    ck_assert_int_eq(open_mem(s, len, NULL, NULL), 0);
    free(s);
    ck_assert_int_eq(next(&row), UV_EINVAL);
    ck_assert_str_eq(err, "inv.csv:2: column 2 (blob): field longer than 65536 bytes");
    teardown();

    /* 1 MB: refused as soon as the cap is passed, not after buffering it. */
    s = big_row(1 << 20, quoted, &len);
    ck_assert_int_eq(open_mem(s, len, NULL, NULL), 0);
    free(s);
    ck_assert_int_eq(next(&row), UV_EINVAL);
    ck_assert_str_eq(err, "inv.csv:2: column 2 (blob): field longer than 65536 bytes");
    /* The reader stopped early: it did not read the file to the end. */
    ck_assert_int_lt(ftell(file), 300 * 1024);
    teardown();
  }
}
END_TEST

START_TEST(test_row_cap) {
  struct inventory_row row;
  size_t n = 60000, o;
  char *s = malloc(64 + 5 * (n + 1));
  static const char head[] = "ip,a,b,c,d,e\n1.2.3.4";
  memcpy(s, head, sizeof head - 1);
  o = sizeof head - 1;
  for (int i = 0; i < 5; i++) {
    s[o++] = ',';
    memset(s + o, 'x', n);
    o += n;
  }
  s[o++] = '\n';
  ck_assert_int_eq(open_mem(s, o, NULL, NULL), 0);
  free(s);
  ck_assert_int_eq(next(&row), UV_EINVAL);
  ck_assert_str_eq(err, "inv.csv:2: row longer than 262144 bytes");
}
END_TEST

START_TEST(test_too_many_columns) {
  size_t o = 0;
  char *s = malloc(3 * 1100 + 16);
  for (int i = 0; i < 1025; i++) o += (size_t)sprintf(s + o, "%sc", i ? "," : "");
  s[o++] = '\n';
  ck_assert_int_eq(open_mem(s, o, NULL, NULL), UV_EINVAL);
  free(s);
  ck_assert_str_eq(err, "inv.csv:1: header has more than 1024 columns");
}
END_TEST

START_TEST(test_nul_bytes) {
  struct inventory_row row;
  static const char csv[] = "ip,o\n1.2.3.4,a\0b\n";
  ck_assert_int_eq(open_mem(csv, sizeof csv - 1, NULL, NULL), 0);
  ck_assert_int_eq(next(&row), UV_EINVAL);
  ck_assert_str_eq(err, "inv.csv:2: column 2 (o): NUL byte in the data");
  teardown();
  static const char csv2[] = "ip,o\n1.2.3.4,\"multi\nline\0\"\n";
  ck_assert_int_eq(open_mem(csv2, sizeof csv2 - 1, NULL, NULL), 0);
  ck_assert_int_eq(next(&row), UV_EINVAL);
  ck_assert_str_eq(err, "inv.csv:3: column 2 (o): NUL byte in the data");
  teardown();
  static const char csv3[] = "i\0p,o\n";
  ck_assert_int_eq(open_mem(csv3, sizeof csv3 - 1, NULL, NULL), UV_EINVAL);
  ck_assert_str_eq(err, "inv.csv:1: column 1: NUL byte in the data");
}
END_TEST

START_TEST(test_invalid_utf8) {
  struct inventory_row row;
  ck_assert_int_eq(OPEN("ip,o\n1.2.3.4,caf\xe9\n"), 0);
  ck_assert_int_eq(next(&row), UV_EINVAL);
  ck_assert_str_eq(err,
                   "inv.csv:2: column 2 (o): invalid UTF-8 (byte 0xe9 at byte 4 of the field)");
  teardown();
  /* Valid UTF-8 passes untouched; the line of a bad byte inside a
   * multi-line field is its own line. */
  ck_assert_int_eq(OPEN("ip,o\n1.2.3.4,caf\xc3\xa9\n1.2.3.5,\"a\nb\xed\xa0\x80\"\n"), 0);
  ck_assert_int_eq(next(&row), 1);
  cell_is(row.extra[0], row.extra_len[0], "caf\xc3\xa9");
  ck_assert_int_eq(next(&row), UV_EINVAL);
  ck_assert_str_eq(err,
                   "inv.csv:4: column 2 (o): invalid UTF-8 (byte 0xed at byte 4 of the field)");
}
END_TEST

START_TEST(test_header_only_and_empty) {
  struct inventory_row row;
  ck_assert_int_eq(OPEN("ip,owner\n"), 0);
  ck_assert_uint_eq(inventory_extra_count(inv), 1);
  ck_assert_int_eq(next(&row), 0);
  teardown();
  ck_assert_int_eq(OPEN("ip,owner"), 0); /* no newline either */
  ck_assert_int_eq(next(&row), 0);
  teardown();
  ck_assert_int_eq(OPEN(""), 0);
  ck_assert_uint_eq(inventory_extra_count(inv), 0);
  ck_assert_ptr_null(inventory_ip_name(inv));
  ck_assert_int_eq(next(&row), 0);
  teardown();
  ck_assert_int_eq(OPEN("\xef\xbb\xbf\n \t\n\r\n"), 0);
  ck_assert_int_eq(next(&row), 0);
}
END_TEST

/* Chunk boundaries (64 KiB reads): a CRLF split across two reads still
 * counts as one line end, and a quoted field crossing a boundary keeps its
 * start line. */
START_TEST(test_chunk_boundaries) {
  struct inventory_row row;
  size_t n = 65521, o = 0;
  char *s = malloc(3 * 65536);
  memcpy(s, "ip,o\r\n1.2.3.4,", 14);
  o = 14;
  memset(s + o, 'p', n);
  o += n;
  memcpy(s + o, "\r\n", 2); /* the CR is byte 65535, the LF byte 65536 */
  ck_assert_int_eq(s[65535], '\r');
  o += 2;
  memcpy(s + o, "5.6.7.8,b\r\n", 11);
  o += 11;
  /* A quoted field from line 4 to line 5 that crosses the next boundary. */
  memcpy(s + o, "9.9.9.8,\"", 9);
  o += 9;
  memset(s + o, 'q', 65536 - 20);
  o += 65536 - 20;
  memcpy(s + o, "\nend\"\r\n10.0.0.1,z\r\n", 19);
  o += 19;
  ck_assert_int_eq(open_mem(s, o, NULL, NULL), 0);
  free(s);
  ck_assert_int_eq(next(&row), 1);
  ck_assert_uint_eq(row.line, 2);
  ck_assert_uint_eq(row.extra_len[0], n);
  ck_assert_int_eq(next(&row), 1);
  ck_assert_uint_eq(row.line, 3);
  cell_is(row.ip, row.ip_len, "5.6.7.8");
  ck_assert_int_eq(next(&row), 1);
  ck_assert_uint_eq(row.line, 4);
  ck_assert_uint_eq(row.extra_len[0], 65536 - 20 + 4);
  ck_assert_int_eq(next(&row), 1);
  ck_assert_uint_eq(row.line, 6);
  cell_is(row.ip, row.ip_len, "10.0.0.1");
  ck_assert_int_eq(next(&row), 0);
}
END_TEST

START_TEST(test_many_rows_line_numbers) {
  struct inventory_row row;
  size_t o = 0;
  char *s = malloc(40 * 20000 + 16);
  o += (size_t)sprintf(s, "ip,n\n");
  for (int i = 0; i < 20000; i++) /* every third line ends in CRLF */
    o += (size_t)sprintf(s + o, "10.0.%d.%d,%d%s", i / 256, i % 256, i, i % 3 ? "\n" : "\r\n");
  ck_assert_int_eq(open_mem(s, o, NULL, NULL), 0);
  free(s);
  for (int i = 0; i < 20000; i++) {
    char want[32];
    ck_assert_int_eq(next(&row), 1);
    ck_assert_uint_eq(row.line, (unsigned long)i + 2);
    snprintf(want, sizeof want, "%d", i);
    cell_is(row.extra[0], row.extra_len[0], want);
  }
  ck_assert_int_eq(next(&row), 0);
}
END_TEST

START_TEST(test_read_error) {
  struct inventory_row row;
  int rc;
  (void)row;
  file = fopen("/dev/null", "w"); /* reading a write-only stream fails */
  ck_assert_ptr_nonnull(file);
  rc = inventory_open(&inv, file, "inv.csv", NULL, NULL, err, sizeof err);
  ck_assert_int_lt(rc, 0);
  ck_assert_int_ne(rc, UV_EINVAL);
  ck_assert_ptr_nonnull(strstr(err, "inv.csv: read error: "));
}
END_TEST

Suite *inventory_suite(void) {
  Suite *s = suite_create("inventory");
  TCase *tc = tcase_create("read");
  TCase *te = tcase_create("errors");
  TCase *tb = tcase_create("bounds");
  tcase_add_checked_fixture(tc, NULL, teardown);
  tcase_add_checked_fixture(te, NULL, teardown);
  tcase_add_checked_fixture(tb, NULL, teardown);
  tcase_add_test(tc, test_basic);
  tcase_add_test(tc, test_bom_crlf_blank_lines);
  tcase_add_test(tc, test_lone_cr_and_no_final_newline);
  tcase_add_test(tc, test_quoted_fields);
  tcase_add_test(tc, test_explicit_columns);
  tcase_add_test(tc, test_ip_column_named_like_expected);
  tcase_add_test(tc, test_column_preference_and_duplicates);
  tcase_add_test(tc, test_bad_ip_cell_as_is);
  tcase_add_test(tc, test_header_only_and_empty);
  tcase_add_test(te, test_missing_ip_column);
  tcase_add_test(te, test_unterminated_quote);
  tcase_add_test(te, test_stray_quote);
  tcase_add_test(te, test_text_after_closing_quote);
  tcase_add_test(te, test_syntax_error_in_header);
  tcase_add_test(te, test_ragged_rows);
  tcase_add_test(te, test_nul_bytes);
  tcase_add_test(te, test_invalid_utf8);
  tcase_add_test(te, test_read_error);
  tcase_add_test(tb, test_field_cap);
  tcase_add_test(tb, test_row_cap);
  tcase_add_test(tb, test_too_many_columns);
  tcase_add_test(tb, test_chunk_boundaries);
  tcase_add_test(tb, test_many_rows_line_numbers);
  suite_add_tcase(s, tc);
  suite_add_tcase(s, te);
  suite_add_tcase(s, tb);
  return s;
}
