/* SPDX-License-Identifier: MIT */
/*
 * backoff.h - how long to wait before retrying a target, e.g. one whose
 * greeting said 421 (the server is busy or limits concurrent clients:
 * RFC 5321 section 4.2.2 makes 421 a transient refusal).  Pure: no clock,
 * no state, no allocation.
 *
 * The delay grows exponentially, base_ms x 2^(attempt-1), up to cap_ms, and
 * is then moved by a deterministic jitter within [-25%, +25%] drawn from a
 * hash of (key, attempt).  Why jitter: targets that failed together (one
 * server's 421 to a burst of sessions) would otherwise retry together and
 * meet the same limit again; a hash of the target's key spreads them out
 * while keeping every run reproducible (no random state, no seed to save).
 * The cap bounds the exponential, not the jitter: a delay at the cap lies in
 * [cap - cap/4, cap + cap/4], so capped retries still spread.
 */
#ifndef PTRAUDIT_BACKOFF_H
#define PTRAUDIT_BACKOFF_H

#include <stdint.h>

/* The jitter's span: the delay d moves by at most d / BACKOFF_JITTER_DIV
 * (rounded down) either way, i.e. 25%. */
#define BACKOFF_JITTER_DIV 4

/* Milliseconds to wait before retry number `attempt` (1 = the first retry;
 * 0 is taken as 1).  With d = min(base_ms x 2^(attempt-1), cap_ms), the
 * result is in [d - d/4, d + d/4] (saturating at UINT_MAX); base_ms 0 or
 * cap_ms 0 give 0.  Equal arguments give equal results; keys spread
 * uniformly over the range.  O(1). */
unsigned backoff_delay_ms(unsigned attempt /*1 = first retry*/, unsigned base_ms, unsigned cap_ms, uint64_t key);

#endif
