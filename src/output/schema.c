/* SPDX-License-Identifier: MIT */
/* schema.c - see schema.h. */
#include "schema.h"

static const char *const names[SCHEMA_NCOLS] = {
  [SCHEMA_IP] = "ip",
  [SCHEMA_VERDICT] = "verdict",
  [SCHEMA_FLAGS] = "flags",
  [SCHEMA_IPREV] = "iprev",
  [SCHEMA_PTR_STATUS] = "ptr_status",
  [SCHEMA_PTR] = "ptr",
  [SCHEMA_FORWARD] = "forward",
  [SCHEMA_SMTP_STATUS] = "smtp_status",
  [SCHEMA_SMTP_CODE] = "smtp_code",
  [SCHEMA_BANNER_HOST] = "banner_host",
  [SCHEMA_BANNER] = "banner",
  [SCHEMA_EXPECTED] = "expected",
  [SCHEMA_CHECKED_AT] = "checked_at",
  [SCHEMA_SMTP_TRIES] = "smtp_tries",
  [SCHEMA_GREETING_MS] = "greeting_ms",
  [SCHEMA_EHLO_HOST] = "ehlo_host",
};

const char *schema_name(enum schema_col c) {
  return (unsigned)c < SCHEMA_NCOLS ? names[c] : 0;
}
