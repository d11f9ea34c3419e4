/* SPDX-License-Identifier: MIT */
/*
 * verdict.c - the audit rules.  See verdict.h for the contract.
 *
 * verdict_compute() in order:
 *   1. iprev (RFC 8601 section 3) from the PTR status and the forward
 *      lookups of the checked names (the first min(nptr, RESULT_MAX_FORWARD));
 *   2. the flags, each from one rule (listed at flags_compute());
 *   3. the verdict from the flags: fail > unknown > warn > ok.
 *
 * Generic-name detection (verdict_name_is_generic) is a practice, not a
 * standard: Spamhaus and Yahoo ask for non-generic PTRs on mail servers,
 * SpamAssassin's 20_dynrdns.cf scores dynamic-looking names.  The exact rule
 * is documented above the function.
 */
#include "verdict.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

/* ---- names in the report ------------------------------------------------ */

/* The verdicts, indexed by enum verdict: the name and the level
 * (verdict_level() in verdict.h); `probed` is 0 for the rows the pipeline
 * did not look up (invalid, skipped). */
static const struct {
  const char *name;
  unsigned char level;
  unsigned char probed;
} verdicts[VERDICT_COUNT] = {
  [VERDICT_OK] = {"ok", 0, 1},           [VERDICT_WARN] = {"warn", 1, 1},
  [VERDICT_UNKNOWN] = {"unknown", 2, 1}, [VERDICT_FAIL] = {"fail", 3, 1},
  [VERDICT_INVALID] = {"invalid", 3, 0}, [VERDICT_SKIPPED] = {"skipped", 0, 0},
};

/* Worst first (verdict_worst_first() in verdict.h). */
static const enum verdict worst_first[VERDICT_COUNT] = {
  VERDICT_FAIL, VERDICT_UNKNOWN, VERDICT_WARN, VERDICT_OK, VERDICT_INVALID, VERDICT_SKIPPED,
};

/* IPREV_NONE (not evaluated: invalid or skipped row) is an empty cell;
 * RFC 8601 defines no "none" result for iprev. */
static const char *const iprev_names[] = {
  [IPREV_NONE] = "", [IPREV_PASS] = "pass", [IPREV_FAIL] = "fail",
  [IPREV_PERMERROR] = "permerror", [IPREV_TEMPERROR] = "temperror",
};

static const char *const dns_names[] = {
  [DNS_OK] = "ok", [DNS_NXDOMAIN] = "nxdomain", [DNS_NODATA] = "nodata",
  [DNS_SERVFAIL] = "servfail", [DNS_REFUSED] = "refused", [DNS_TIMEOUT] = "timeout",
  [DNS_BADRESP] = "badresp", [DNS_ERROR] = "error", [DNS_NOT_RUN] = "",
};

static const char *const smtp_names[] = {
  [SMTP_SKIPPED] = "skipped", [SMTP_BANNER] = "banner", [SMTP_REFUSED] = "refused",
  [SMTP_TIMEOUT] = "timeout", [SMTP_CLOSED] = "closed", [SMTP_RESET] = "reset",
  [SMTP_ERROR] = "error",
};

/* The flag table: index i is flag 1u << i.  The levels are the verdict
 * rules of README.md ("Verdict"): fail for a missing or contradicted
 * PTR, unknown for a temporary failure, warn for the practice problems,
 * ok (informational) for NO_SMTP and PTR_TRUNCATED. */
static const struct verdict_flag flag_table[VERDICT_F_COUNT] = {
  {"NO_PTR", VERDICT_FAIL, "iprev is permerror: no PTR record"},
  {"PTR_TEMPERROR", VERDICT_UNKNOWN, "iprev is temperror: a lookup failed temporarily"},
  {"MULTI_PTR", VERDICT_WARN, "the answer held more than one distinct PTR name"},
  {"PTR_CNAME", VERDICT_WARN, "a checked PTR name is an alias (forward lookup met a CNAME)"},
  {"PTR_NO_FORWARD", VERDICT_FAIL, "iprev is fail and no checked name has any A/AAAA"},
  {"FCRDNS_MISMATCH", VERDICT_FAIL, "iprev is fail: names have addresses, none is the target"},
  {"GENERIC_PTR", VERDICT_WARN, "some PTR name looks dynamic or generic"},
  {"NO_SMTP", VERDICT_OK, "no SMTP greeting: refused, timeout, closed, reset or error"},
  {"SMTP_REJECT", VERDICT_WARN, "the greeting's code is 4xx or 5xx"},
  {"BANNER_MISMATCH", VERDICT_WARN, "the greeting's host is none of the PTR names"},
  {"BANNER_NOT_FQDN", VERDICT_WARN, "the greeting's host is not a fully qualified name"},
  {"EXPECTED_MISMATCH", VERDICT_FAIL, "no PTR name matches the expected value"},
  {"PTR_TRUNCATED", VERDICT_OK, "more than 16 PTR names, or more than 10 to forward-confirm"},
  {"DNSBL_LISTED", VERDICT_FAIL, "a DNS blocklist lists the address (RFC 5782)"},
  {"DNSBL_ERROR", VERDICT_UNKNOWN,
   "a blocklist's answer is unknown: timeout, SERVFAIL, an error code or an invalid answer"},
  {"SPF_FAIL", VERDICT_FAIL, "SPF fail: the sender's domain does not authorise the address"},
  {"SPF_SOFTFAIL", VERDICT_WARN, "SPF softfail: the domain says the address is probably not "
   "authorised"},
  {"SPF_NEUTRAL", VERDICT_WARN, "SPF neutral: the domain makes no statement about the address"},
  {"SPF_NONE", VERDICT_WARN, "SPF none: the sender's domain has no SPF record"},
  {"SPF_PERMERROR", VERDICT_WARN, "SPF permerror: the domain's SPF record cannot be "
   "interpreted (syntax, too many lookups)"},
  {"SPF_TEMPERROR", VERDICT_UNKNOWN, "SPF temperror: a lookup failed temporarily"},
  {"DMARC_MISSING", VERDICT_WARN, "no DMARC record at the sender's domain nor its "
   "organisational domain"},
  {"DMARC_INVALID", VERDICT_WARN, "the DMARC record has no valid policy"},
  {"DMARC_TEMPERROR", VERDICT_UNKNOWN, "a DMARC lookup failed temporarily"},
};

#define NAME_OF(table, v) \
  ((unsigned)(v) < sizeof(table) / sizeof(table[0]) && (table)[v] ? (table)[v] : "?")

const char *verdict_name(enum verdict v) {
  return (unsigned)v < VERDICT_COUNT ? verdicts[v].name : "?";
}
const char *verdict_iprev_name(enum iprev i) { return NAME_OF(iprev_names, i); }
const char *verdict_dns_status_name(enum dns_status s) { return NAME_OF(dns_names, s); }
const char *verdict_smtp_status_name(enum smtp_status s) { return NAME_OF(smtp_names, s); }
const char *verdict_flag_name(unsigned bit_index) {
  return bit_index < VERDICT_F_COUNT ? flag_table[bit_index].name : "?";
}

const char *verdict_spf_status_name(enum spf_status s) {
  static const char *const names[] = {"", "none", "neutral", "pass", "fail", "softfail",
                                      "temperror", "permerror"};
  return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

const struct verdict_flag *verdict_flag(unsigned bit_index) {
  return bit_index < VERDICT_F_COUNT ? &flag_table[bit_index] : NULL;
}

enum verdict verdict_of_flags(uint32_t mask) {
  enum verdict v = VERDICT_OK;
  for (unsigned i = 0; i < VERDICT_F_COUNT; i++)
    if ((mask & (1u << i)) && verdicts[flag_table[i].level].level > verdicts[v].level)
      v = flag_table[i].level;
  return v;
}

int verdict_level(enum verdict v) {
  return (unsigned)v < VERDICT_COUNT ? verdicts[v].level : 3;
}

int verdict_fail_on_parse(const char *s, enum verdict_fail_on *f) {
  static const char *const words[] = {
    [VERDICT_FAIL_ON_FAIL] = "fail", [VERDICT_FAIL_ON_WARN] = "warn",
    [VERDICT_FAIL_ON_NEVER] = "never",
  };
  for (unsigned i = 0; s && i < sizeof words / sizeof words[0]; i++)
    if (!strcmp(s, words[i])) {
      *f = (enum verdict_fail_on)i;
      return 0;
    }
  return -EINVAL;
}

int verdict_fail_on_level(enum verdict_fail_on f) {
  switch (f) {
  case VERDICT_FAIL_ON_FAIL: return verdicts[VERDICT_FAIL].level;
  case VERDICT_FAIL_ON_WARN: return verdicts[VERDICT_WARN].level;
  default: return 4; /* above every level: nothing is a finding */
  }
}

int verdict_is_finding(enum verdict v, enum verdict_fail_on f) {
  return verdict_level(v) >= verdict_fail_on_level(f);
}

enum verdict verdict_worst_first(unsigned i) {
  return i < VERDICT_COUNT ? worst_first[i] : VERDICT_FAIL;
}

int verdict_precedence(enum verdict v) {
  if ((unsigned)v >= VERDICT_COUNT) return 0;
  if (verdicts[v].probed) return 3 + verdicts[v].level; /* 3..6 */
  return v == VERDICT_SKIPPED ? 2 : 1;
}

void verdict_count(uint64_t *verdict_counts, uint64_t *flag_counts, enum verdict v,
                   uint32_t mask) {
  if ((unsigned)v < VERDICT_COUNT) verdict_counts[v]++;
  for (unsigned i = 0; i < VERDICT_F_COUNT; i++)
    if (mask & (1u << i)) flag_counts[i]++;
}

/* s[0..len) equals the NUL-terminated word. */
static int text_is(const char *s, size_t len, const char *word) {
  return strlen(word) == len && memcmp(s, word, len) == 0;
}

int verdict_parse(const char *s, size_t len, enum verdict *v) {
  for (unsigned i = 0; i < VERDICT_COUNT; i++)
    if (text_is(s, len, verdicts[i].name)) {
      *v = (enum verdict)i;
      return 0;
    }
  return -EINVAL;
}

int verdict_flag_parse(const char *s, size_t len) {
  for (unsigned i = 0; i < VERDICT_F_COUNT; i++)
    if (text_is(s, len, flag_table[i].name)) return (int)i;
  return -1;
}

int verdict_flags_parse(const char *s, size_t len, uint32_t *mask, size_t *bad, size_t *badlen) {
  uint32_t m = 0;
  size_t i = 0;
  while (i < len) {
    while (i < len && s[i] == ' ') i++;
    size_t st = i;
    while (i < len && s[i] != ' ') i++;
    if (i == st) break;
    int f = verdict_flag_parse(s + st, i - st);
    if (f < 0) {
      *bad = st;
      *badlen = i - st;
      return -EINVAL;
    }
    m |= 1u << f;
  }
  *mask = m;
  return 0;
}

int verdict_dns_status_is_temporary(enum dns_status s) {
  return s >= DNS_SERVFAIL && s <= DNS_ERROR;
}

size_t verdict_flags_format(uint32_t flags, char *buf, size_t size) {
  size_t len = 0;
  if (size == 0) return 0;
  buf[0] = '\0';
  for (unsigned i = 0; i < VERDICT_F_COUNT; i++) {
    if (!(flags & (1u << i))) continue;
    const char *name = flag_table[i].name;
    size_t n = strlen(name);
    if (len > 0 && len < size - 1) buf[len++] = ' ';
    if (n > size - 1 - len) n = size - 1 - len;
    memcpy(buf + len, name, n);
    len += n;
    buf[len] = '\0';
  }
  return len;
}

/* ---- names --------------------------------------------------------------- */

/* Length of s without one trailing dot (absolute form "a.example."). */
static size_t len_nodot(const char *s) {
  size_t n = strlen(s);
  return n > 0 && s[n - 1] == '.' ? n - 1 : n;
}

/* Same DNS name: ASCII case-insensitive, a trailing dot ignored. */
static int name_eq(const char *a, const char *b) {
  size_t na = len_nodot(a), nb = len_nodot(b);
  return na == nb && strncasecmp(a, b, na) == 0;
}

int verdict_expected_match(const char *name, const char *expected) {
  if (expected == NULL || expected[0] == '\0') return 1; /* nothing expected */
  if (name == NULL) return 0;
  size_t nn = len_nodot(name), en = len_nodot(expected);
  if (expected[0] == '*' && expected[1] == '.') {
    /* "*.example.com": the name ends in ".example.com" with at least one
     * byte before it; "example.com" itself does not match. */
    const char *dom = expected + 1; /* ".example.com" */
    size_t dn = en - 1;
    if (dn < 2) return 0; /* "*." alone names no domain */
    return nn > dn && strncasecmp(name + nn - dn, dom, dn) == 0;
  }
  return nn == en && strncasecmp(name, expected, nn) == 0;
}

/* RFC 5321 section 2.3.5: a domain name in a greeting/EHLO is an FQDN;
 * RFC 5321 section 4.1.3: "[1.2.3.4]" / "[IPv6:...]" are address literals,
 * not names.  The checks:
 *   - empty (after one trailing dot is dropped)          -> not an FQDN
 *   - starts with '[' (address literal), contains ':'   -> not
 *   - "localhost", "localhost.localdomain" (any case)    -> not
 *   - no dot, a leading dot, or an empty label ("a..b")  -> not
 *   - last label all digits: "192.0.2.1", "127.1"; no TLD is numeric
 *     (RFC 3696 section 2)                               -> not
 * Other bytes are not judged here (the report shows them escaped). */
int verdict_host_is_fqdn(const char *host) {
  if (host == NULL) return 0;
  size_t n = len_nodot(host);
  if (n == 0 || host[0] == '[' || host[0] == '.') return 0;
  if (memchr(host, ':', n) != NULL) return 0;
  if ((n == 9 && strncasecmp(host, "localhost", 9) == 0) ||
      (n == 21 && strncasecmp(host, "localhost.localdomain", 21) == 0))
    return 0;
  size_t last_dot = n;
  for (size_t i = 0; i < n; i++) {
    if (host[i] != '.') continue;
    if (i + 1 < n && host[i + 1] == '.') return 0;
    last_dot = i;
  }
  if (last_dot == n) return 0; /* no dot */
  size_t i = last_dot + 1;
  while (i < n && host[i] >= '0' && host[i] <= '9') i++;
  return i < n; /* the last label has a non-digit */
}

/* ---- generic (dynamic-looking) names --------------------------------------
 *
 * The rule, exactly:
 *
 *   1. Split the name on '.', '-' and '_' into tokens (empty tokens are
 *      skipped; at most MAX_TOKENS are looked at).  Comparisons ignore ASCII
 *      case.  A token of the shape letters+digits* has a "word": its
 *      letters ("dsl12" -> "dsl", "mx1" -> "mx", "ip203" -> "ip").
 *   2. Not generic if any token's word is in static_words (static, mail, mx,
 *      smtp, mta, relay, out, outbound): an operator who names a host
 *      "static-..." or "mail-..." has made it deliberate.  This wins over
 *      everything below.
 *   3. Generic if any token's word is in dynamic_words (dyn, dynamic, dhcp,
 *      dsl, adsl, xdsl, vdsl, cable, pool, ppp, pppoe, dial, dialup, dialin,
 *      client, cpe, broadband, dip), or is "ip" followed by digits ("ip203").
 *      Whole tokens only: "clients", "dynamo", "ipconnect" are not words of
 *      the table, so do not count; a lone "client.example.com" does.
 *   4. Generic if the address is embedded:
 *      IPv4 a.b.c.d
 *        - octet runs: consecutive tokens whose numbers are a,b,c,d or
 *          d,c,b,a (all four), or b,c,d or d,c,b (the last three); numbers
 *          are 1-3 digits (zero padding allowed: "007"); the first token of
 *          the run may carry a letter prefix ("ip1-2-3-4", "dyn203-0-113-7";
 *          in "c-1-2-3-4" the "c" is a token of its own), the others are
 *          digits only;
 *        - the 8-hex-digit form (203.0.113.7 -> "cb007107") anywhere inside
 *          a token ("p5b0c1234.dip0.example.de");
 *        - the 32-bit decimal form ("3405803783") or the 12-digit zero-padded
 *          form ("203000113007") as the digits of a letters+digits token,
 *          exactly; the decimal form only when a != 0 (otherwise it is a
 *          small number that any name may contain).
 *      IPv6 (the interface identifier, the last 4 groups g4:g5:g6:g7)
 *        - four consecutive tokens of 1-4 hex digits with values g4..g7
 *          ("2001-db8-0-0-0-0-1a-2b" for 2001:db8::1a:2b);
 *        - the 16-hex-digit zero-padded form anywhere inside a token.
 *   5. Otherwise not generic.
 */

#define MAX_TOKENS 128

static const char *const static_words[] = {
  "static", "mail", "mx", "smtp", "mta", "relay", "out", "outbound",
};

static const struct {
  const char *word;
  int need_digits; /* only counts when digits follow ("ip203", not "ip") */
} dynamic_words[] = {
  {"dyn", 0},    {"dynamic", 0}, {"dhcp", 0},   {"dsl", 0},    {"adsl", 0},
  {"xdsl", 0},   {"vdsl", 0},    {"cable", 0},  {"pool", 0},   {"ppp", 0},
  {"pppoe", 0},  {"dial", 0},    {"dialup", 0}, {"dialin", 0}, {"client", 0},
  {"cpe", 0},    {"broadband", 0}, {"dip", 0},  {"ip", 1},
};

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

struct token {
  const char *p;
  size_t n;
  size_t nalpha; /* leading ASCII letters */
  size_t ndigit; /* digits right after them */
};

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int hexval(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static size_t tokenise(const char *name, struct token *t, size_t max) {
  size_t nt = 0;
  const char *p = name;
  while (*p && nt < max) {
    while (*p == '.' || *p == '-' || *p == '_') p++;
    if (!*p) break;
    const char *s = p;
    while (*p && *p != '.' && *p != '-' && *p != '_') p++;
    struct token *k = &t[nt++];
    k->p = s;
    k->n = (size_t)(p - s);
    k->nalpha = 0;
    while (k->nalpha < k->n && is_alpha(s[k->nalpha])) k->nalpha++;
    k->ndigit = 0;
    while (k->nalpha + k->ndigit < k->n && is_digit(s[k->nalpha + k->ndigit])) k->ndigit++;
  }
  return nt;
}

/* letters+digits* and nothing else */
static int has_word(const struct token *k) {
  return k->nalpha > 0 && k->nalpha + k->ndigit == k->n;
}

static int word_is(const struct token *k, const char *w) {
  size_t n = strlen(w);
  return has_word(k) && k->nalpha == n && strncasecmp(k->p, w, n) == 0;
}

/* The number of a token letters*digits{1,3} (prefix only if allowed), or -1. */
static int octet_of(const struct token *k, int allow_prefix) {
  if (k->ndigit < 1 || k->ndigit > 3 || k->nalpha + k->ndigit != k->n) return -1;
  if (k->nalpha > 0 && !allow_prefix) return -1;
  int v = 0;
  for (size_t i = 0; i < k->ndigit; i++) v = v * 10 + (k->p[k->nalpha + i] - '0');
  return v <= 255 ? v : -1;
}

/* Value of a token of 1-4 hex digits, or -1. */
static long hexgroup_of(const struct token *k) {
  if (k->n < 1 || k->n > 4) return -1;
  long v = 0;
  for (size_t i = 0; i < k->n; i++) {
    int h = hexval(k->p[i]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

/* Do tokens t[i..i+m) carry the numbers seq[0..m)?  `v4` picks octets
 * (first token may have a letter prefix) or IPv6 hex groups. */
static int run_at(const struct token *t, size_t nt, size_t i, const long *seq, size_t m, int v4) {
  if (i + m > nt) return 0;
  for (size_t k = 0; k < m; k++) {
    long v = v4 ? octet_of(&t[i + k], k == 0) : hexgroup_of(&t[i + k]);
    if (v != seq[k]) return 0;
  }
  return 1;
}

/* Does `s` occur inside some token (ASCII case-insensitive)? */
static int in_some_token(const struct token *t, size_t nt, const char *s) {
  size_t n = strlen(s);
  for (size_t i = 0; i < nt; i++)
    for (size_t off = 0; off + n <= t[i].n; off++)
      if (strncasecmp(t[i].p + off, s, n) == 0) return 1;
  return 0;
}

/* Is `s` exactly the digits of some letters*digits token? */
static int digits_of_some_token(const struct token *t, size_t nt, const char *s) {
  size_t n = strlen(s);
  for (size_t i = 0; i < nt; i++)
    if (t[i].ndigit == n && t[i].nalpha + n == t[i].n && memcmp(t[i].p + t[i].nalpha, s, n) == 0)
      return 1;
  return 0;
}

static void put_hex(char *out, const uint8_t *b, size_t nbytes) {
  static const char hex[] = "0123456789abcdef";
  for (size_t i = 0; i < nbytes; i++) {
    out[2 * i] = hex[b[i] >> 4];
    out[2 * i + 1] = hex[b[i] & 15];
  }
  out[2 * nbytes] = '\0';
}

static int embeds_v4(const struct token *t, size_t nt, const uint8_t *o) {
  /* The octet runs, table-driven: {length, octet indexes}. */
  static const struct { size_t m; unsigned char idx[4]; } runs[] = {
    {4, {0, 1, 2, 3}}, {4, {3, 2, 1, 0}}, {3, {1, 2, 3}}, {3, {3, 2, 1}},
  };
  for (size_t r = 0; r < COUNT(runs); r++) {
    long seq[4];
    for (size_t k = 0; k < runs[r].m; k++) seq[k] = o[runs[r].idx[k]];
    for (size_t i = 0; i < nt; i++)
      if (run_at(t, nt, i, seq, runs[r].m, 1)) return 1;
  }
  char form[16];
  put_hex(form, o, 4);
  if (in_some_token(t, nt, form)) return 1;
  uint32_t v = (uint32_t)o[0] << 24 | (uint32_t)o[1] << 16 | (uint32_t)o[2] << 8 | o[3];
  char dec[11];
  size_t n = 0;
  char rev[11];
  do {
    rev[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  for (size_t i = 0; i < n; i++) dec[i] = rev[n - 1 - i];
  dec[n] = '\0';
  if (o[0] != 0 && digits_of_some_token(t, nt, dec)) return 1;
  for (size_t k = 0; k < 4; k++) {
    form[3 * k] = (char)('0' + o[k] / 100);
    form[3 * k + 1] = (char)('0' + o[k] / 10 % 10);
    form[3 * k + 2] = (char)('0' + o[k] % 10);
  }
  form[12] = '\0';
  return digits_of_some_token(t, nt, form);
}

static int embeds_v6(const struct token *t, size_t nt, const uint8_t *b) {
  long seq[4];
  for (size_t k = 0; k < 4; k++) seq[k] = (long)b[8 + 2 * k] << 8 | b[9 + 2 * k];
  for (size_t i = 0; i < nt; i++)
    if (run_at(t, nt, i, seq, 4, 0)) return 1;
  char form[17];
  put_hex(form, b + 8, 8);
  return in_some_token(t, nt, form);
}

int verdict_name_is_generic(const char *name, const struct addr *a) {
  struct token t[MAX_TOKENS];
  if (name == NULL) return 0;
  size_t nt = tokenise(name, t, MAX_TOKENS);

  for (size_t i = 0; i < nt; i++)
    for (size_t w = 0; w < COUNT(static_words); w++)
      if (word_is(&t[i], static_words[w])) return 0;

  for (size_t i = 0; i < nt; i++)
    for (size_t w = 0; w < COUNT(dynamic_words); w++)
      if (word_is(&t[i], dynamic_words[w].word) &&
          (!dynamic_words[w].need_digits || t[i].ndigit > 0))
        return 1;

  if (a == NULL) return 0;
  if (a->family == 4) return embeds_v4(t, nt, a->b);
  if (a->family == 6) return embeds_v6(t, nt, a->b);
  return 0;
}

/* ---- the judgement -------------------------------------------------------- */

static size_t min_size(size_t a, size_t b) { return a < b ? a : b; }

static const char *str_or_empty(const char *s) { return s ? s : ""; }

/* RFC 8601 section 3, with the names the pipeline checked. */
static enum iprev iprev_compute(const struct result *r, size_t nptr, int *any_addr) {
  size_t nchk = min_size(nptr, RESULT_MAX_FORWARD);
  *any_addr = 0;
  switch (r->ptr_status) {
  case DNS_OK:
    break;
  case DNS_NXDOMAIN:
  case DNS_NODATA:
    return IPREV_PERMERROR;
  case DNS_NOT_RUN:
    return IPREV_NONE;
  default:
    return IPREV_TEMPERROR; /* servfail, refused, timeout, badresp, error */
  }
  int temp = 0;
  for (size_t i = 0; i < nchk; i++) {
    const struct forward *f = &r->fwd[i];
    size_t naddr = min_size(f->naddr, RESULT_MAX_ADDRS);
    /* A name holding a NUL byte cannot be asked for by its text (a C
     * string ends at the NUL: the lookup would be of another name), so
     * whatever came back for it confirms nothing: no address. */
    if (r->ptr[i] && memchr(r->ptr[i], '\0', r->ptr_len[i]) != NULL) continue;
    if (naddr > 0) *any_addr = 1;
    /* Membership in the whole RRset: the pipeline keeps only the lowest
     * RESULT_MAX_ADDRS addresses, but target_seen was decided on every
     * record (dnsreply_addrs `want`). */
    if (f->target_seen && f->status == DNS_OK) return IPREV_PASS;
    for (size_t k = 0; k < naddr; k++)
      if (addr_equal(&f->addrs[k], &r->addr)) return IPREV_PASS;
    /* A checked name that was not looked up (DNS_NOT_RUN) is as
     * undecided as one whose lookup timed out. */
    if (f->status != DNS_OK && f->status != DNS_NXDOMAIN && f->status != DNS_NODATA)
      temp = 1;
  }
  if (temp) return IPREV_TEMPERROR;
  /* NOERROR with no name at all is NODATA by another name. */
  if (nptr == 0 && r->ptr_total == 0) return IPREV_PERMERROR;
  return IPREV_FAIL;
}

/* The flag rules, one line each (see verdict.h for the flag meanings). */
static uint32_t flags_compute(const struct result *r, size_t nptr, enum iprev ip, int any_addr) {
  uint32_t f = 0;
  size_t nchk = min_size(nptr, RESULT_MAX_FORWARD);
  size_t total = r->ptr_total > nptr ? r->ptr_total : nptr;
  const char *banner_host = str_or_empty(r->banner_host);

  if (ip == IPREV_PERMERROR) f |= VERDICT_F_NO_PTR;
  if (ip == IPREV_TEMPERROR) f |= VERDICT_F_PTR_TEMPERROR;
  if (total > 1) f |= VERDICT_F_MULTI_PTR;
  for (size_t i = 0; i < nchk; i++)
    if (r->fwd[i].cname) f |= VERDICT_F_PTR_CNAME;
  if (ip == IPREV_FAIL) f |= any_addr ? VERDICT_F_FCRDNS_MISMATCH : VERDICT_F_PTR_NO_FORWARD;
  for (size_t i = 0; i < nptr; i++)
    if (verdict_name_is_generic(str_or_empty(r->ptr[i]), &r->addr)) f |= VERDICT_F_GENERIC_PTR;

  if (r->smtp_status != SMTP_BANNER && r->smtp_status != SMTP_SKIPPED) f |= VERDICT_F_NO_SMTP;
  if (r->smtp_status == SMTP_BANNER && r->smtp_code >= 400 && r->smtp_code <= 599)
    f |= VERDICT_F_SMTP_REJECT;
  /* Only a 2xx greeting claims an identity (RFC 5321 4.2: "220 <domain>");
   * the text of a 421/554 rejection is often no name at all ("421 Too many
   * concurrent SMTP connections"): SMTP_REJECT covers those. */
  if (r->smtp_status == SMTP_BANNER && r->smtp_code >= 200 && r->smtp_code <= 299) {
    if (nptr > 0) {
      int seen = 0;
      for (size_t i = 0; i < nptr && !seen; i++)
        seen = name_eq(banner_host, str_or_empty(r->ptr[i]));
      if (!seen) f |= VERDICT_F_BANNER_MISMATCH;
    }
    if (!verdict_host_is_fqdn(banner_host)) f |= VERDICT_F_BANNER_NOT_FQDN;
  }

  /* Only a known answer can contradict the expectation: names that came
   * back, or a permanent "no PTR".  A temporary failure says nothing about
   * the name (it must never read as a mismatch): the row stays unknown. */
  if (r->expected && r->expected[0] && !verdict_dns_status_is_temporary(r->ptr_status)) {
    int ok = 0;
    for (size_t i = 0; i < nptr && !ok; i++)
      ok = verdict_expected_match(str_or_empty(r->ptr[i]), r->expected);
    if (!ok) f |= VERDICT_F_EXPECTED_MISMATCH;
  }

  if (r->ptr_total > RESULT_MAX_PTR || r->nptr > RESULT_MAX_FORWARD) f |= VERDICT_F_PTR_TRUNCATED;
  return f;
}

/* The sender checks' flags (the rules above verdict.h's struct result). */
static uint32_t sender_flags(const struct result *r) {
  uint32_t f = 0;
  if (r->dnsbl_listed) f |= VERDICT_F_DNSBL_LISTED;
  if (r->dnsbl_errors) f |= VERDICT_F_DNSBL_ERROR;
  switch (r->spf) {
  case SPF_ST_FAIL: f |= VERDICT_F_SPF_FAIL; break;
  case SPF_ST_SOFTFAIL: f |= VERDICT_F_SPF_SOFTFAIL; break;
  case SPF_ST_NEUTRAL: f |= VERDICT_F_SPF_NEUTRAL; break;
  case SPF_ST_NONE: f |= VERDICT_F_SPF_NONE; break;
  case SPF_ST_PERMERROR: f |= VERDICT_F_SPF_PERMERROR; break;
  case SPF_ST_TEMPERROR: f |= VERDICT_F_SPF_TEMPERROR; break;
  case SPF_ST_NOT_RUN: case SPF_ST_PASS: break;
  }
  switch (r->dmarc) {
  case DMARC_ST_MISSING: f |= VERDICT_F_DMARC_MISSING; break;
  case DMARC_ST_INVALID: f |= VERDICT_F_DMARC_INVALID; break;
  case DMARC_ST_TEMPERROR: f |= VERDICT_F_DMARC_TEMPERROR; break;
  case DMARC_ST_NOT_RUN: case DMARC_ST_RECORD: break;
  }
  return f;
}

void verdict_compute(const struct result *r, struct judgement *j) {
  size_t nptr = min_size(r->nptr, RESULT_MAX_PTR);
  int any_addr;
  j->iprev = iprev_compute(r, nptr, &any_addr);
  j->flags = flags_compute(r, nptr, j->iprev, any_addr) | sender_flags(r);
  /* PTR_TEMPERROR is set exactly when iprev is temperror (flags_compute),
   * so the flag levels alone give fail > unknown > warn > ok. */
  j->verdict = verdict_of_flags(j->flags);
}
