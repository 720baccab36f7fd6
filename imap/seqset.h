/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * seqset.h - IMAP sequence sets (RFC 3501 section 9 "sequence-set"):
 * message sequence numbers and UIDs in FETCH, STORE, SEARCH, COPY, and
 * the seen UIDs of imap/seen.c ("1:5,7,9:12").
 *
 * A struct seqset is a sorted list of disjoint, non-adjacent ranges of
 * numbers in 1..SEQSET_MAX (2^32-1): every operation keeps it normalised,
 * so two sets holding the same numbers format identically and 1:3,4:5
 * becomes 1:5.  Zeroed (SEQSET_INIT) is empty; seqset_fini frees it.
 * No global state.
 */
#ifndef IMAP_SEQSET_H
#define IMAP_SEQSET_H

#include <stddef.h>
#include <stdint.h>

struct buf;

#define SEQSET_MAX UINT32_MAX

struct seqset_range {
    uint32_t low, high; /* low <= high */
};

struct seqset {
    struct seqset_range *ranges; /* ascending, gaps of at least one */
    size_t count;
    size_t alloc;
};
#define SEQSET_INIT { NULL, 0, 0 }

/* seqset_parse flags */
#define SEQSET_ALLOW_EMPTY 0x01 /* "" is the empty set (stored state),
                                   not an error (the protocol grammar) */
#define SEQSET_NO_STAR     0x02 /* reject '*' (stored state has no "max") */

/* seqset_parse - parse s[0..len) (not NUL-terminated; binary-safe) into
 * *set, which is reset first.  Grammar: set = range *("," range),
 * range = num [":" num], num = 1*DIGIT (1..4294967295, leading zeros
 * allowed) / "*".  "*" stands for maxval (the largest number in use);
 * "a:b" with a > b is b:a (RFC 3501).  When maxval is 0 (an empty
 * mailbox) "*" is 0 and 0 is then dropped, so "*" alone is the empty set
 * and "5:*" is 1:5.  Returns 1, or -1 with a static message in *error_r
 * (and *set empty, owning no memory: nothing to free) for an empty set
 * without SEQSET_ALLOW_EMPTY, a 0, a
 * number past 2^32-1, a stray or missing ',' or ':', any other byte, or
 * '*' under SEQSET_NO_STAR. */
int seqset_parse(const char *s, size_t len, uint32_t maxval, int flags,
                 struct seqset *set, const char **error_r);

/* seqset_format - append the compact form ("1:5,7") to out; nothing for
 * the empty set. */
void seqset_format(const struct seqset *set, struct buf *out);

/* seqset_add / seqset_remove - put in / take out low..high (swapped when
 * low > high; 0 is ignored: the range is clipped to 1..SEQSET_MAX). */
void seqset_add(struct seqset *set, uint32_t low, uint32_t high);
void seqset_remove(struct seqset *set, uint32_t low, uint32_t high);

/* seqset_union - add every number of src to dst (src may equal dst). */
void seqset_union(struct seqset *dst, const struct seqset *src);

/* seqset_contains - 1 when n is in set, else 0.  O(log ranges). */
int seqset_contains(const struct seqset *set, uint32_t n);

/* seqset_count - how many numbers the set holds (up to 2^32-1). */
uint64_t seqset_count(const struct seqset *set);

/* seqset_first / seqset_last - the smallest / largest member, 0 when
 * empty. */
uint32_t seqset_first(const struct seqset *set);
uint32_t seqset_last(const struct seqset *set);

/* seqset_reset - make empty, keep memory; seqset_fini - free memory. */
void seqset_reset(struct seqset *set);
void seqset_fini(struct seqset *set);

#endif /* IMAP_SEQSET_H */
