/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sort.h - SORT criteria (RFC 5256, RFC 5957 DISPLAYFROM/DISPLAYTO): the
 * keys of one message and their comparison, on plain data.
 *
 * cmd-sort.c parses the criteria list with sort_parse_criteria(), fills a
 * struct sort_item per matching message with sort_item_fill() and sorts
 * them with sort_items().  Strings are compared with i;ascii-casemap
 * (they are stored upper-cased).  No I/O; nothing fails but parsing.
 */
#ifndef IMAP_SORT_H
#define IMAP_SORT_H

#include <stddef.h>
#include <stdint.h>

struct imap_arg;
struct search_eval;

enum sort_key {
    SORT_ARRIVAL, SORT_CC, SORT_DATE, SORT_FROM, SORT_SIZE, SORT_SUBJECT,
    SORT_TO, SORT_DISPLAYFROM, SORT_DISPLAYTO,
};

#define SORT_MAX_CRITERIA 16

struct sort_criterion {
    enum sort_key key;
    int reverse;
};

/* One message's keys; strings owned, NULL for keys not asked for. */
struct sort_item {
    uint32_t msgno, id;      /* id: what is returned (msgno or UID) */
    int64_t arrival, date;
    uint64_t size;
    char *str[SORT_DISPLAYTO + 1]; /* CC, FROM, SUBJECT, TO, DISPLAY* */
};

/* sort_parse_criteria - the list arg into crit[0..*n_r).  1 ok, 0 bad
 * (unknown key, REVERSE without a key, empty or too long list). */
int sort_parse_criteria(const struct imap_arg *arg,
                        struct sort_criterion *crit, size_t *n_r);

/* sort_addr_mailbox - the local part (addr-mailbox) of the first address
 * of the address list s, upper-cased, into a new string ("" if none). */
char *sort_addr_mailbox(const char *s);

/* sort_addr_display - RFC 5957: the display name of the first address,
 * or its addr-spec when it has none, upper-cased, new string. */
char *sort_addr_display(const char *s);

/* sort_item_fill - the keys crit asks for of the current message of ev
 * into it (msgno and id are set by the caller). */
void sort_item_fill(struct search_eval *ev, const struct sort_criterion *crit,
                    size_t n, struct sort_item *it);

/* sort_items - sort items[0..n) by crit, then by msgno. */
void sort_items(struct sort_item *items, size_t n,
                const struct sort_criterion *crit, size_t ncrit);

/* sort_items_free - free the strings of items[0..n). */
void sort_items_free(struct sort_item *items, size_t n);

#endif /* IMAP_SORT_H */
