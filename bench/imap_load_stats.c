/* SPDX-License-Identifier: BSD-3-Clause */
/* imap_load_stats.c - imap_load's measurements: per-operation counts,
 * latency sums and maxima, and a log2-microsecond histogram for the
 * percentiles.  Each thread records into its own struct stats with no
 * locking; merge() adds a finished thread's numbers to `total` under a
 * mutex. */
#include <pthread.h>
#include <stdint.h>

#include "bench/imap_load.h"

const char *op_names[OP_NTYPES] = {
    "connect", "login", "select", "fetch-env-bs", "fetch-body", "store",
    "append", "store+expunge", "logout" };

struct stats total;
static pthread_mutex_t total_lock = PTHREAD_MUTEX_INITIALIZER;

/* record - count op and its latency in the log2 histogram */
void record(struct stats *st, int op, double t0)
{
    double d = now() - t0;
    uint64_t us = (uint64_t)(d * 1e6);
    int b = 0;
    while (us > 1 && b < 63) {
        us >>= 1;
        b++;
    }
    st->count[op]++;
    st->lat_sum[op] += d;
    if (d > st->lat_max[op])
        st->lat_max[op] = d;
    st->hist[b]++;
}

/* merge - add st to total */
void merge(struct stats *st)
{
    pthread_mutex_lock(&total_lock);
    for (int i = 0; i < OP_NTYPES; i++) {
        total.count[i] += st->count[i];
        total.lat_sum[i] += st->lat_sum[i];
        if (st->lat_max[i] > total.lat_max[i])
            total.lat_max[i] = st->lat_max[i];
    }
    for (int i = 0; i < 64; i++)
        total.hist[i] += st->hist[i];
    total.errors += st->errors;
    total.sessions += st->sessions;
    total.bytes += st->bytes;
    pthread_mutex_unlock(&total_lock);
}

/* percentile - bucket upper bound of the p-th percentile, ms */
double percentile(const uint64_t *hist, double p)
{
    uint64_t n = 0, acc = 0;
    for (int i = 0; i < 64; i++)
        n += hist[i];
    if (!n)
        return 0;
    for (int i = 0; i < 64; i++) {
        acc += hist[i];
        if ((double)acc >= p * (double)n)
            return (double)(1ull << (i + 1)) / 1000.0;  /* upper bound, ms */
    }
    return 0;
}
