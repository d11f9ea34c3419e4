/* SPDX-License-Identifier: MIT */
/* budget.c - the scan's budgets (audit.h: scan_dns_budget and the others). */
#include "audit.h"

#include <math.h>

#include "smtp.h"

#define DNS_BUDGET_MIN 256
#define DNS_BUDGET_MAX 16384
#define DNS_BUDGET_UNCAPPED 2048
#define SMTP_BUDGET_MIN 16
#define SMTP_BUDGET_UNCAPPED 16384

unsigned scan_dns_query_worst_ms(unsigned timeout_ms, unsigned tries) {
  double ms = (double)timeout_ms * (ldexp(1.0, (int)(tries > 30 ? 30 : tries)) - 1);
  return ms > 4e9 ? 4000000000u : (unsigned)ms;
}

unsigned scan_dns_budget(const struct scan_opts *o) {
  if (o->concurrency) return o->concurrency;
  if (o->rate <= 0) return DNS_BUDGET_UNCAPPED;
  double row_s = 2.0 * scan_dns_query_worst_ms(o->dns_timeout_ms, o->dns_tries) / 1000.0;
  double b = ceil(o->rate * row_s * 1.5);
  return b < DNS_BUDGET_MIN ? DNS_BUDGET_MIN : b > DNS_BUDGET_MAX ? DNS_BUDGET_MAX : (unsigned)b;
}

unsigned scan_smtp_budget(const struct scan_opts *o, unsigned fd_avail) {
  double b;
  if (o->smtp_concurrency) b = o->smtp_concurrency;
  else if (o->rate <= 0) b = SMTP_BUDGET_UNCAPPED;
  else {
    struct smtp_timing t;
    smtp_timing_defaults(&t);
    double session_ms = (double)o->smtp_timeout_ms + (o->ehlo ? t.ehlo_ms : 0) + t.quit_ms;
    b = ceil(o->rate * session_ms / 1000.0 * 1.25);
    if (b < SMTP_BUDGET_MIN) b = SMTP_BUDGET_MIN;
  }
  if (b > fd_avail) b = fd_avail;
  return b < 1 ? 1 : (unsigned)b;
}

unsigned scan_rows_max(unsigned dns_budget, unsigned smtp_budget) {
  return dns_budget + 2 * smtp_budget;
}

