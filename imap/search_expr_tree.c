/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * search_expr_tree.c - freeing, cost ordering and dumping of search trees
 * (imap/search_expr.h).
 *
 * search_expr_optimise gives each node the cost class of what it must
 * read and sorts the operands of AND/OR by it, keeping the client's order
 * among equals, so a SEARCH UNSEEN BODY "x" reads no message file for the
 * messages that are seen.  Pure tree code: no I/O, no errors.
 */
#include "config.h"

#include <stdlib.h>

#include "imap/search_expr.h"
#include "lib/xmalloc.h"

void search_expr_free(struct search_node **np)
{
    struct search_node *n = *np;

    while (n) {
        struct search_node *next = n->next;
        search_expr_free(&n->child);
        free(n->name);
        buf_free(&n->value);
        seqset_fini(&n->set);
        free(n);
        n = next;
    }
    *np = NULL;
}

/* leaf_cost - the cost class of a leaf key */
static unsigned leaf_cost(const struct search_node *n)
{
    switch (n->key) {
    case SEARCH_HEADER:
        return n->field >= 0 ? SEARCH_COST_CACHE : SEARCH_COST_HEADER;
    case SEARCH_SENTBEFORE:
    case SEARCH_SENTON:
    case SEARCH_SENTSINCE:
        return SEARCH_COST_CACHE;
    case SEARCH_BODY:
    case SEARCH_TEXT:
        return SEARCH_COST_BODY;
    default:
        return SEARCH_COST_INDEX;
    }
}

/* sort_operands - stable insertion sort of n's operand list by cost */
static void sort_operands(struct search_node *n)
{
    struct search_node *sorted = NULL, *c = n->child;

    while (c) {
        struct search_node *next = c->next, **pp = &sorted;
        while (*pp && (*pp)->cost <= c->cost)
            pp = &(*pp)->next;
        c->next = *pp;
        *pp = c;
        c = next;
    }
    n->child = sorted;
}

void search_expr_optimise(struct search_node *n)
{
    if (!n->child) {
        n->cost = leaf_cost(n);
        return;
    }
    n->cost = 0;
    for (struct search_node *c = n->child; c; c = c->next) {
        search_expr_optimise(c);
        if (c->cost > n->cost)
            n->cost = c->cost;
    }
    if (n->key == SEARCH_AND || n->key == SEARCH_OR)
        sort_operands(n);
}

static const char *const key_names[] = {
    [SEARCH_ALL] = "all", [SEARCH_AND] = "and", [SEARCH_OR] = "or",
    [SEARCH_NOT] = "not", [SEARCH_SYSFLAG] = "sysflag",
    [SEARCH_KEYWORD] = "keyword", [SEARCH_RECENT] = "recent",
    [SEARCH_LARGER] = "larger", [SEARCH_SMALLER] = "smaller",
    [SEARCH_BEFORE] = "before", [SEARCH_ON] = "on", [SEARCH_SINCE] = "since",
    [SEARCH_SENTBEFORE] = "sentbefore", [SEARCH_SENTON] = "senton",
    [SEARCH_SENTSINCE] = "sentsince", [SEARCH_UID] = "uid",
    [SEARCH_MSGNO] = "msgno", [SEARCH_MODSEQ] = "modseq",
    [SEARCH_HEADER] = "header", [SEARCH_BODY] = "body",
    [SEARCH_TEXT] = "text", [SEARCH_SAVED] = "saved",
};

/* dump_args - the arguments of a leaf, after its name */
static void dump_args(const struct search_node *n, struct buf *out)
{
    switch (n->key) {
    case SEARCH_SYSFLAG:
        buf_printf(out, " 0x%x", n->flag);
        break;
    case SEARCH_LARGER: case SEARCH_SMALLER: case SEARCH_MODSEQ:
        buf_printf(out, " %llu", (unsigned long long)n->num);
        break;
    case SEARCH_BEFORE: case SEARCH_ON: case SEARCH_SINCE:
    case SEARCH_SENTBEFORE: case SEARCH_SENTON: case SEARCH_SENTSINCE:
        buf_printf(out, " %lld", (long long)n->day);
        break;
    case SEARCH_UID: case SEARCH_MSGNO:
        buf_putc(out, ' ');
        seqset_format(&n->set, out);
        break;
    case SEARCH_KEYWORD:
        buf_printf(out, " %s", n->name);
        break;
    case SEARCH_HEADER:
        buf_printf(out, " %s", n->name);
        /* fall through */
    case SEARCH_BODY: case SEARCH_TEXT:
        buf_printf(out, " \"%.*s\"", (int)n->value.len,
                   n->value.s ? n->value.s : "");
        break;
    default:
        break;
    }
}

void search_expr_dump(const struct search_node *n, struct buf *out)
{
    buf_printf(out, "(%s", key_names[n->key]);
    dump_args(n, out);
    for (const struct search_node *c = n->child; c; c = c->next) {
        buf_putc(out, ' ');
        search_expr_dump(c, out);
    }
    buf_putc(out, ')');
}
