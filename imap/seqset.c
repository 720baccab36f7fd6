/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * seqset.c - IMAP sequence sets: parse, format, and set arithmetic on a
 * normalised array of ranges.
 *
 * Called by the IMAP engine for every UID and sequence set and by
 * imap/seen.c for stored seen UIDs.  Parsing reports errors through
 * *error_r with static messages; nothing else can fail (memory comes from
 * xmalloc).  All arithmetic is done in uint64_t so that 2^32-1 never
 * wraps.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/seqset.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

void seqset_reset(struct seqset *set)
{
    set->count = 0;
}

void seqset_fini(struct seqset *set)
{
    free(set->ranges);
    memset(set, 0, sizeof(*set));
}

/* find_pos - index of the first range whose high + 1 >= n (the range n
 * could join or must precede) */
static size_t find_pos(const struct seqset *set, uint64_t n)
{
    size_t lo = 0, hi = set->count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uint64_t)set->ranges[mid].high + 1 < n)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void seqset_add(struct seqset *set, uint32_t low, uint32_t high)
{
    size_t pos, end;

    if (low > high) {
        uint32_t t = low;
        low = high;
        high = t;
    }
    if (low == 0)
        low = 1;
    if (high == 0)
        return;
    pos = find_pos(set, low);
    /* ranges pos..end-1 touch or overlap low..high and merge into one */
    end = pos;
    while (end < set->count && set->ranges[end].low <= (uint64_t)high + 1)
        end++;
    if (end > pos) {
        if (set->ranges[pos].low < low)
            low = set->ranges[pos].low;
        if (set->ranges[end - 1].high > high)
            high = set->ranges[end - 1].high;
        set->ranges[pos].low = low;
        set->ranges[pos].high = high;
        memmove(&set->ranges[pos + 1], &set->ranges[end],
                (set->count - end) * sizeof(set->ranges[0]));
        set->count -= end - pos - 1;
        return;
    }
    if (set->count == set->alloc) {
        set->alloc = set->alloc ? set->alloc * 2 : 8;
        set->ranges = xreallocarray(set->ranges, set->alloc,
                                    sizeof(set->ranges[0]));
    }
    memmove(&set->ranges[pos + 1], &set->ranges[pos],
            (set->count - pos) * sizeof(set->ranges[0]));
    set->ranges[pos].low = low;
    set->ranges[pos].high = high;
    set->count++;
}

void seqset_remove(struct seqset *set, uint32_t low, uint32_t high)
{
    struct seqset out = SEQSET_INIT;

    if (low > high) {
        uint32_t t = low;
        low = high;
        high = t;
    }
    if (low == 0)
        low = 1;
    if (high == 0 || set->count == 0)
        return;
    /* rebuild: simple and linear; removal is rare (STORE -FLAGS \Seen) */
    for (size_t i = 0; i < set->count; i++) {
        struct seqset_range r = set->ranges[i];
        if (r.high < low || r.low > high) {
            seqset_add(&out, r.low, r.high);
            continue;
        }
        if (r.low < low)
            seqset_add(&out, r.low, low - 1);
        if (r.high > high)
            seqset_add(&out, high + 1, r.high);
    }
    free(set->ranges);
    *set = out;
}

void seqset_union(struct seqset *dst, const struct seqset *src)
{
    struct seqset copy = SEQSET_INIT;

    if (dst == src)
        return;
    /* src is read-only, but copy first in case it aliases dst's memory */
    for (size_t i = 0; i < src->count; i++)
        seqset_add(&copy, src->ranges[i].low, src->ranges[i].high);
    for (size_t i = 0; i < copy.count; i++)
        seqset_add(dst, copy.ranges[i].low, copy.ranges[i].high);
    seqset_fini(&copy);
}

int seqset_contains(const struct seqset *set, uint32_t n)
{
    size_t pos;

    if (n == 0)
        return 0;
    pos = find_pos(set, (uint64_t)n + 1);
    return pos < set->count && set->ranges[pos].low <= n &&
           set->ranges[pos].high >= n;
}

uint64_t seqset_count(const struct seqset *set)
{
    uint64_t n = 0;

    for (size_t i = 0; i < set->count; i++)
        n += (uint64_t)set->ranges[i].high - set->ranges[i].low + 1;
    return n;
}

uint32_t seqset_first(const struct seqset *set)
{
    return set->count ? set->ranges[0].low : 0;
}

uint32_t seqset_last(const struct seqset *set)
{
    return set->count ? set->ranges[set->count - 1].high : 0;
}

void seqset_format(const struct seqset *set, struct buf *out)
{
    for (size_t i = 0; i < set->count; i++) {
        const struct seqset_range *r = &set->ranges[i];
        if (i)
            buf_putc(out, ',');
        if (r->low == r->high)
            buf_printf(out, "%u", r->low);
        else
            buf_printf(out, "%u:%u", r->low, r->high);
    }
}

/* parse_num - one number or '*' at s[*pos]; 1 ok, -1 with *error_r */
static int parse_num(const char *s, size_t len, size_t *pos, uint32_t maxval,
                     int flags, uint32_t *n_r, const char **error_r)
{
    uint64_t v = 0;
    size_t start = *pos;

    if (*pos < len && s[*pos] == '*') {
        if (flags & SEQSET_NO_STAR) {
            *error_r = "'*' is not allowed here";
            return -1;
        }
        (*pos)++;
        *n_r = maxval;
        return 1;
    }
    while (*pos < len && s[*pos] >= '0' && s[*pos] <= '9') {
        v = v * 10 + (uint64_t)(s[*pos] - '0');
        if (v > SEQSET_MAX) {
            *error_r = "number too large (max 4294967295)";
            return -1;
        }
        (*pos)++;
    }
    if (*pos == start) {
        *error_r = *pos < len ? "invalid character in sequence set"
                              : "missing number in sequence set";
        return -1;
    }
    if (v == 0) {
        *error_r = "0 is not a valid sequence number";
        return -1;
    }
    *n_r = (uint32_t)v;
    return 1;
}

int seqset_parse(const char *s, size_t len, uint32_t maxval, int flags,
                 struct seqset *set, const char **error_r)
{
    const char *dummy;
    size_t pos = 0;

    if (!error_r)
        error_r = &dummy;
    seqset_reset(set);
    if (len == 0) {
        if (flags & SEQSET_ALLOW_EMPTY)
            return 1;
        *error_r = "empty sequence set";
        seqset_fini(set);
        return -1;
    }
    for (;;) {
        uint32_t low, high;

        if (parse_num(s, len, &pos, maxval, flags, &low, error_r) < 0)
            goto bad;
        high = low;
        if (pos < len && s[pos] == ':') {
            pos++;
            if (parse_num(s, len, &pos, maxval, flags, &high, error_r) < 0)
                goto bad;
        }
        seqset_add(set, low, high);
        if (pos == len)
            return 1;
        if (s[pos] != ',') {
            *error_r = "invalid character in sequence set";
            goto bad;
        }
        pos++;
    }
bad:
    seqset_fini(set); /* a failed parse leaves nothing for the caller to free */
    return -1;
}
