/* SPDX-License-Identifier: MIT */
/* schema.c - see schema.h. */
#include "schema.h"

#include <string.h>

#include "verdict.h"

/* The allowed words of the enum columns, from verdict.h's tables (their
 * empty names mean "not applicable" and are not words). */
static const char *w_verdict(unsigned i) {
  return i < VERDICT_COUNT ? verdict_name((enum verdict)i) : NULL;
}
static const char *w_flag(unsigned i) { return i < VERDICT_F_COUNT ? verdict_flag_name(i) : NULL; }
static const char *w_iprev(unsigned i) {
  return i < IPREV_TEMPERROR ? verdict_iprev_name((enum iprev)(i + 1)) : NULL;
}
static const char *w_dns(unsigned i) {
  return i < DNS_NOT_RUN ? verdict_dns_status_name((enum dns_status)i) : NULL;
}
static const char *w_smtp(unsigned i) {
  return i <= SMTP_ERROR ? verdict_smtp_status_name((enum smtp_status)i) : NULL;
}

static const char *w_spf(unsigned i) {
  return i < SPF_ST_PERMERROR ? verdict_spf_status_name((enum spf_status)(i + 1)) : NULL;
}

static const struct schema_column cols[SCHEMA_NCOLS] = {
  [SCHEMA_IP] = {"ip", SCHEMA_STRING, 0, NULL,
                 "the target address; for an invalid inventory row, its IP cell as given"},
  [SCHEMA_VERDICT] = {"verdict", SCHEMA_ENUM, 0, w_verdict, "the verdict on the target"},
  [SCHEMA_FLAGS] = {"flags", SCHEMA_LIST, 0, w_flag,
                    "the problems found, in flag-table order; empty when none"},
  [SCHEMA_IPREV] = {"iprev", SCHEMA_ENUM, 1, w_iprev,
                    "RFC 8601 iprev result; null when the target was not probed"},
  [SCHEMA_PTR_STATUS] = {"ptr_status", SCHEMA_ENUM, 1, w_dns,
                         "outcome of the PTR lookup; null when the target was not probed"},
  [SCHEMA_PTR] = {"ptr", SCHEMA_LIST, 1, NULL,
                  "the PTR names, sorted; empty when the answer had none; null when there "
                  "was no answer (not probed, or the lookup failed)"},
  [SCHEMA_FORWARD] = {"forward", SCHEMA_LIST, 1, NULL,
                      "the A/AAAA addresses of the checked PTR names, sorted, unique; null "
                      "when no name was checked"},
  [SCHEMA_SMTP_STATUS] = {"smtp_status", SCHEMA_ENUM, 0, w_smtp,
                          "outcome of the greeting probe (skipped: not probed)"},
  [SCHEMA_SMTP_CODE] = {"smtp_code", SCHEMA_INTEGER, 1, NULL,
                        "the greeting's reply code; null without a complete greeting"},
  [SCHEMA_BANNER_HOST] = {"banner_host", SCHEMA_STRING, 1, NULL,
                          "the host the greeting announces, lowercased; null when none"},
  [SCHEMA_BANNER] = {"banner", SCHEMA_STRING, 1, NULL,
                     "the greeting text as received (the part read, for a cut greeting); null when nothing was received or the target was not probed"},
  [SCHEMA_EXPECTED] = {"expected", SCHEMA_STRING, 1, NULL,
                       "the inventory's expected PTR; null without one"},
  [SCHEMA_CHECKED_AT] = {"checked_at", SCHEMA_TIME, 0, NULL,
                         "when the row was completed (RFC 3339, UTC)"},
  [SCHEMA_SMTP_TRIES] = {"smtp_tries", SCHEMA_INTEGER, 1, NULL,
                         "SMTP connections the target took (retries after 421); null when "
                         "not probed"},
  [SCHEMA_GREETING_MS] = {"greeting_ms", SCHEMA_INTEGER, 1, NULL,
                          "milliseconds from the start of the connect to the final greeting "
                          "line; null without a greeting"},
  [SCHEMA_EHLO_HOST] = {"ehlo_host", SCHEMA_STRING, 1, NULL,
                        "with --ehlo: the host the EHLO reply announces; null when not probed"},
  [SCHEMA_DNSBL] = {"dnsbl", SCHEMA_STRING, 1, NULL,
                    "with --dnsbl: LIST=CODE,CODE for each blocklist that lists the target and "
                    "LIST=error:REASON for each whose answer is unknown, ';' between them; empty "
                    "when listed nowhere; null when not probed"},
  [SCHEMA_DNSBL_TXT] = {"dnsbl_txt", SCHEMA_STRING, 1, NULL,
                        "with --dnsbl-txt: 'LIST: TEXT' of each listing's TXT record, ' | ' "
                        "between them; null when not probed"},
  [SCHEMA_SPF] = {"spf", SCHEMA_ENUM, 1, w_spf,
                  "the RFC 7208 result for the row's sender (or HELO name); null without one"},
  [SCHEMA_SPF_DETAIL] = {"spf_detail", SCHEMA_STRING, 1, NULL,
                         "the deciding mechanism, the error's reason, or a fail's explanation; "
                         "null without a sender"},
  [SCHEMA_DMARC] = {"dmarc", SCHEMA_STRING, 1, NULL,
                    "the sender domain's DMARC policy: none, p=POLICY [sp=POLICY] [pct=N], "
                    "invalid: REASON, or temperror: REASON; null without a sender domain"},
};

const char *schema_name(enum schema_col c) {
  return (unsigned)c < SCHEMA_NCOLS ? cols[c].name : 0;
}

const struct schema_column *schema_column(enum schema_col c) {
  return (unsigned)c < SCHEMA_NCOLS ? &cols[c] : 0;
}

int schema_find(const char *name) {
  for (int i = 0; i < SCHEMA_NCOLS; i++)
    if (!strcmp(cols[i].name, name)) return i;
  return -1;
}

/* --- the JSON Schema ------------------------------------------------------ */

struct out {
  char *dst;
  size_t size, len;
};

/* Text of our own tables: no quote, backslash or control byte to escape. */
static void put(struct out *o, const char *s) {
  size_t n = strlen(s);
  if (o->len < o->size) {
    size_t room = o->size - o->len;
    memcpy(o->dst + o->len, s, n < room ? n : room);
  }
  o->len += n;
}

static void put_words(struct out *o, const char *(*word)(unsigned), int null) {
  const char *w;
  put(o, "[");
  for (unsigned i = 0; (w = word(i)) != NULL; i++) {
    put(o, i ? ", \"" : "\"");
    put(o, w);
    put(o, "\"");
  }
  if (null) put(o, ", null");
  put(o, "]");
}

static void put_column(struct out *o, const struct schema_column *c) {
  const char *null = c->nullable ? ", \"null\"]" : "";
  put(o, "    \"");
  put(o, c->name);
  put(o, "\": {\n      ");
  switch (c->type) {
  case SCHEMA_ENUM:
    put(o, "\"enum\": ");
    put_words(o, c->word, c->nullable);
    break;
  case SCHEMA_LIST:
    put(o, c->nullable ? "\"type\": [\"array\"" : "\"type\": \"array\"");
    put(o, null);
    put(o, ",\n      \"items\": ");
    if (c->word) {
      put(o, "{\"enum\": ");
      put_words(o, c->word, 0);
      put(o, "}");
    } else {
      put(o, "{\"type\": \"string\"}");
    }
    break;
  case SCHEMA_INTEGER:
    put(o, c->nullable ? "\"type\": [\"integer\"" : "\"type\": \"integer\"");
    put(o, null);
    put(o, ",\n      \"minimum\": 0");
    break;
  case SCHEMA_TIME:
  case SCHEMA_STRING:
    put(o, c->nullable ? "\"type\": [\"string\"" : "\"type\": \"string\"");
    put(o, null);
    if (c->type == SCHEMA_TIME) put(o, ",\n      \"format\": \"date-time\"");
    break;
  }
  put(o, ",\n      \"description\": \"");
  put(o, c->description);
  put(o, "\"\n    }");
}

size_t schema_json_schema(char *dst, size_t size) {
  struct out o = {dst, size, 0};
  char num[16];
  int n = 0;
  for (int v = SCHEMA_VERSION; v; v /= 10) n++;
  for (int v = SCHEMA_VERSION, i = n; i > 0; v /= 10) num[--i] = (char)('0' + v % 10);
  num[n] = '\0';

  put(&o, "{\n  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\",\n");
  put(&o, "  \"$id\": \"urn:ptraudit:report-row:");
  put(&o, num);
  put(&o, "\",\n  \"title\": \"ptraudit report row (JSON lines), schema version ");
  put(&o, num);
  put(&o, "\",\n  \"description\": \"One line of a ptraudit --format jsonl report. Generated "
          "from src/output/schema.c by 'ptraudit schema'; do not edit.\",\n");
  put(&o, "  \"x-ptraudit-schema-version\": ");
  put(&o, num);
  put(&o, ",\n  \"type\": \"object\",\n  \"required\": [");
  for (int i = 0; i < SCHEMA_NFIXED; i++) {
    put(&o, i ? ", \"" : "\"");
    put(&o, cols[i].name);
    put(&o, "\"");
  }
  put(&o, "],\n  \"properties\": {\n");
  for (int i = 0; i < SCHEMA_NCOLS; i++) {
    put_column(&o, &cols[i]);
    put(&o, i + 1 < SCHEMA_NCOLS ? ",\n" : "\n");
  }
  put(&o, "  },\n  \"additionalProperties\": {\n    \"type\": \"string\",\n"
          "    \"description\": \"an inventory passthrough column (named '" SCHEMA_INVENTORY_PREFIX
          "NAME' when NAME is a report column)\"\n  }\n}\n");
  if (size) {
    if (o.len < size) dst[o.len] = '\0';
    else dst[0] = '\0';
  }
  return o.len;
}
