/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clock.h - the monotonic clock every timeout, backoff and deadline in
 * the tree is measured on (never the wall clock, which jumps).
 */
#ifndef LIB_CLOCK_H
#define LIB_CLOCK_H

#include <stdint.h>

/* clock_now_ms - CLOCK_MONOTONIC in milliseconds. */
int64_t clock_now_ms(void);

#endif /* LIB_CLOCK_H */
