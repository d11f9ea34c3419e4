/* SPDX-License-Identifier: MIT */
/*
 * fdbudget.c - descriptors a run needs.  See fdbudget.h for each term.
 */
#include "fdbudget.h"

unsigned fdbudget_need(const struct fdbudget *b) {
  unsigned channels = b->channels ? b->channels : 1;
  unsigned servers = b->servers ? b->servers : FDBUDGET_SYSTEM_SERVERS;
  return FDBUDGET_LOOP + FDBUDGET_REPORT + FDBUDGET_TRANSIENT + FDBUDGET_INPUT +
         channels * servers * FDBUDGET_PER_SERVER + (b->smtp ? 1u : 0u) + (b->html ? 1u : 0u);
}
