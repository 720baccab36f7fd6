/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sort.c - SORT criteria, per-message sort keys, and their comparison
 * (imap/sort.h).
 *
 * Address keys use the first address of the (RFC 2047 decoded) header
 * value from the cache: the local part for FROM/TO/CC (RFC 5256), the
 * display name or else the addr-spec for DISPLAYFROM/DISPLAYTO (RFC
 * 5957).  The address scan honours quotes, comments and groups enough
 * for real mail; it never fails.  qsort_r is not stable, so the
 * comparison always ends on the sequence number.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "imap/search_eval.h"
#include "imap/sort.h"
#include "imap/thread.h"
#include "lib/buf.h"
#include "lib/imap_parser.h"
#include "lib/xmalloc.h"

static const char *const key_names[] = {
    [SORT_ARRIVAL] = "ARRIVAL", [SORT_CC] = "CC", [SORT_DATE] = "DATE",
    [SORT_FROM] = "FROM", [SORT_SIZE] = "SIZE", [SORT_SUBJECT] = "SUBJECT",
    [SORT_TO] = "TO", [SORT_DISPLAYFROM] = "DISPLAYFROM",
    [SORT_DISPLAYTO] = "DISPLAYTO",
};

int sort_parse_criteria(const struct imap_arg *arg,
                        struct sort_criterion *crit, size_t *n_r)
{
    const struct imap_arg *list;
    size_t count, n = 0;
    int reverse = 0;

    if (!imap_arg_get_list(arg, &list, &count) || count == 0)
        return 0;
    for (size_t i = 0; i < count; i++) {
        size_t k;
        if (imap_arg_atom_equals(&list[i], "REVERSE")) {
            reverse = 1;
            continue;
        }
        for (k = 0; k <= SORT_DISPLAYTO; k++) {
            if (imap_arg_atom_equals(&list[i], key_names[k]))
                break;
        }
        if (k > SORT_DISPLAYTO || n == SORT_MAX_CRITERIA)
            return 0;
        crit[n].key = (enum sort_key)k;
        crit[n++].reverse = reverse;
        reverse = 0;
    }
    *n_r = n;
    return !reverse;
}

/* first_address - the first address of s: [*start, *end), and the end of
 * its display phrase (before '<'), or NULL when it has no angle part */
static void first_address(const char *s, const char **start,
                          const char **end, const char **angle)
{
    int depth = 0, quoted = 0;
    const char *p = s;

    *angle = NULL;
    while (*p == ' ')
        p++;
    *start = p;
    for (; *p; p++) {
        if (quoted) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"')
                quoted = 0;
        } else if (*p == '"' && !depth) {
            quoted = 1;
        } else if (*p == '(') {
            depth++;
        } else if (*p == ')' && depth) {
            depth--;
        } else if (!depth && *p == ':' && !*angle) {
            *start = p + 1;                 /* a group: its first member */
        } else if (!depth && *p == '<') {
            *angle = p;
        } else if (!depth && (*p == ',' || *p == ';')) {
            break;
        }
    }
    *end = p;
}

/* upper_dup - s[0..n) trimmed, unquoted, upper-cased, as a new string */
static char *upper_dup(const char *s, size_t n)
{
    struct buf b = BUF_INIT;

    while (n && (*s == ' ' || *s == '"'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '"'))
        n--;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\' && i + 1 < n)
            c = (unsigned char)s[++i];
        buf_putc(&b, (char)(c < 128 ? toupper(c) : c));
    }
    buf_cstring(&b);
    return buf_release(&b);
}

/* addr_spec - the addr-spec of the first address: [*a, *b) */
static void addr_spec(const char *s, const char **a, const char **b)
{
    const char *start, *end, *angle, *close;

    first_address(s, &start, &end, &angle);
    if (angle) {
        close = memchr(angle, '>', (size_t)(end - angle));
        *a = angle + 1;
        *b = close ? close : end;
        return;
    }
    *a = start;
    *b = end;
    /* drop a trailing comment "fred@x (Fred)" */
    const char *paren = memchr(start, '(', (size_t)(end - start));
    if (paren)
        *b = paren;
}

char *sort_addr_mailbox(const char *s)
{
    const char *a, *b, *at, *p;

    if (!s)
        return xstrdup("");
    addr_spec(s, &a, &b);
    for (at = NULL, p = a; p < b; p++) {
        if (*p == '@')
            at = p;
    }
    return upper_dup(a, (size_t)((at ? at : b) - a));
}

char *sort_addr_display(const char *s)
{
    const char *start, *end, *angle, *a, *b;

    if (!s)
        return xstrdup("");
    first_address(s, &start, &end, &angle);
    if (angle) {
        char *name = upper_dup(start, (size_t)(angle - start));
        if (*name)
            return name;
        free(name);
    } else {
        const char *open = memchr(start, '(', (size_t)(end - start));
        const char *close = open ? memchr(open, ')', (size_t)(end - open)) : NULL;
        if (open && close && close > open + 1)
            return upper_dup(open + 1, (size_t)(close - open - 1));
    }
    addr_spec(s, &a, &b);
    return upper_dup(a, (size_t)(b - a));
}

void sort_item_fill(struct search_eval *ev, const struct sort_criterion *crit,
                    size_t n, struct sort_item *it)
{
    const struct mailbox_record *rec = search_eval_record(ev);
    struct buf b = BUF_INIT;

    it->arrival = rec->internaldate;
    it->size = rec->size;
    for (size_t i = 0; i < n; i++) {
        enum sort_key k = crit[i].key;
        if (k == SORT_DATE)
            it->date = search_eval_sentdate(ev);
        if (it->str[k] || k == SORT_DATE || k == SORT_ARRIVAL || k == SORT_SIZE)
            continue;
        switch (k) {
        case SORT_CC:   it->str[k] = sort_addr_mailbox(search_eval_field(ev, MESSAGE_FIELD_CC)); break;
        case SORT_FROM: it->str[k] = sort_addr_mailbox(search_eval_field(ev, MESSAGE_FIELD_FROM)); break;
        case SORT_TO:   it->str[k] = sort_addr_mailbox(search_eval_field(ev, MESSAGE_FIELD_TO)); break;
        case SORT_DISPLAYFROM:
            it->str[k] = sort_addr_display(search_eval_field(ev, MESSAGE_FIELD_FROM));
            break;
        case SORT_DISPLAYTO:
            it->str[k] = sort_addr_display(search_eval_field(ev, MESSAGE_FIELD_TO));
            break;
        default:
            buf_reset(&b);
            thread_base_subject(search_eval_field(ev, MESSAGE_FIELD_SUBJECT), &b);
            it->str[k] = xstrdup(buf_cstring(&b));
            break;
        }
    }
    buf_free(&b);
}

/* The criteria of one sort_items call, given to qsort_r. */
struct sort_ctx {
    const struct sort_criterion *crit;
    size_t ncrit;
};

/* cmp_num - three-way comparison of two signed numbers */
static int cmp_num(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b;
}

/* cmp_items - the sort order: each criterion, then msgno */
static int cmp_items(const void *va, const void *vb, void *vctx)
{
    const struct sort_item *a = va, *b = vb;
    const struct sort_ctx *ctx = vctx;

    for (size_t i = 0; i < ctx->ncrit; i++) {
        enum sort_key k = ctx->crit[i].key;
        int c;
        if (k == SORT_ARRIVAL)
            c = cmp_num(a->arrival, b->arrival);
        else if (k == SORT_DATE)
            c = cmp_num(a->date, b->date);
        else if (k == SORT_SIZE)
            c = a->size < b->size ? -1 : a->size > b->size;
        else
            c = strcmp(a->str[k], b->str[k]);
        if (c)
            return ctx->crit[i].reverse ? -c : c;
    }
    return a->msgno < b->msgno ? -1 : a->msgno > b->msgno;
}

void sort_items(struct sort_item *items, size_t n,
                const struct sort_criterion *crit, size_t ncrit)
{
    struct sort_ctx ctx = { crit, ncrit };

    qsort_r(items, n, sizeof(*items), cmp_items, &ctx);
}

void sort_items_free(struct sort_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k <= SORT_DISPLAYTO; k++)
            free(items[i].str[k]);
    }
}
