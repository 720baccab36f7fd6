/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * search_expr.h - an IMAP search program (RFC 3501 6.4.4, RFC 4551
 * MODSEQ, RFC 5182 "$") parsed into an expression tree.
 *
 * SEARCH, SORT and THREAD parse their search keys with search_expr_parse()
 * and evaluate the tree with search_eval.h.  The tree owns everything it
 * points to (no pointers into the parser's arena), so it may outlive the
 * command line.  Search strings are converted from the command's CHARSET
 * to UTF-8 and stored in their search form (charset_search_normalize), so
 * evaluation compares normalised text only.  Sequence sets are resolved
 * at parse time against the sizes given in struct search_parse ("*").
 *
 * Errors: a malformed program gives SEARCH_PARSE_BAD with a message naming
 * the offending key (for "tag BAD ..."); an unknown CHARSET gives
 * SEARCH_PARSE_BADCHARSET (answer "NO [BADCHARSET (UTF-8 US-ASCII)]").
 */
#ifndef IMAP_SEARCH_EXPR_H
#define IMAP_SEARCH_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "imap/seqset.h"
#include "lib/buf.h"

struct imap_arg;

/* Deepest nesting of NOT/OR/parentheses accepted: a bound on recursion
 * that no real client comes near. */
#define SEARCH_MAX_DEPTH 64

enum search_key {
    SEARCH_ALL,        /* always true */
    SEARCH_AND,        /* every child (a parenthesised list, the program) */
    SEARCH_OR,         /* either of two children */
    SEARCH_NOT,        /* the child is false */
    SEARCH_SYSFLAG,    /* a system flag (flag) is set */
    SEARCH_KEYWORD,    /* keyword name is set */
    SEARCH_RECENT,     /* \Recent (the session says) */
    SEARCH_LARGER,     /* size > num */
    SEARCH_SMALLER,    /* size < num */
    SEARCH_BEFORE,     /* internal date's day < day */
    SEARCH_ON,         /* ... == day */
    SEARCH_SINCE,      /* ... >= day */
    SEARCH_SENTBEFORE, /* Date: header's day < day */
    SEARCH_SENTON,
    SEARCH_SENTSINCE,
    SEARCH_UID,        /* UID in set */
    SEARCH_MSGNO,      /* message number in set */
    SEARCH_MODSEQ,     /* modseq >= num */
    SEARCH_HEADER,     /* header name contains value */
    SEARCH_BODY,       /* body text contains value */
    SEARCH_TEXT,       /* header or body text contains value */
    SEARCH_SAVED,      /* in the saved result "$" (RFC 5182) */
};

/* Cost classes, cheapest first: what evaluation must read. */
enum search_cost {
    SEARCH_COST_INDEX = 1,   /* the index record only */
    SEARCH_COST_CACHE = 10,  /* the cache record */
    SEARCH_COST_HEADER = 50, /* the header block of the message file */
    SEARCH_COST_BODY = 100,  /* the whole message file, decoded */
};

struct search_node {
    enum search_key key;
    struct search_node *child;   /* AND/OR/NOT: first operand */
    struct search_node *next;    /* next operand of the parent */
    uint32_t flag;               /* SYSFLAG: MAILBOX_FLAG_* */
    uint64_t num;                /* LARGER/SMALLER/MODSEQ; KEYWORD: index
                                  * set by search_eval_prepare */
    int64_t day;                 /* date keys: civil day number */
    char *name;                  /* KEYWORD name; HEADER field name */
    int field;                   /* HEADER: enum message_field, -1 none */
    struct buf value;            /* HEADER/BODY/TEXT: search form */
    struct seqset set;           /* UID/MSGNO */
    unsigned cost;               /* enum search_cost of the subtree */
};

/* What the parser needs to know about the selected mailbox. */
struct search_parse {
    const char *charset;   /* CHARSET name, NULL for US-ASCII/UTF-8 */
    uint32_t max_msgno;    /* EXISTS: "*" in message-number sets */
    uint32_t max_uid;      /* highest UID in the snapshot: "*" in UID sets */
    bool allow_saved;      /* "$" allowed (SEARCHRES); false: BAD */
    /* outputs */
    bool uses_modseq;      /* a MODSEQ key was seen (RFC 4551 3.4) */
    bool uses_saved;       /* "$" was seen */
};

enum search_parse_result {
    SEARCH_PARSE_OK = 1,
    SEARCH_PARSE_BAD = -1,
    SEARCH_PARSE_BADCHARSET = -2,
};

/* search_charset_known - 1 when CHARSET name can be converted to UTF-8
 * (UTF-8, US-ASCII, and whatever iconv knows), else 0. */
int search_charset_known(const char *name);

/* search_expr_parse - parse the search keys args[0..argc) (at least one)
 * into a new tree, an AND of the keys.  Returns SEARCH_PARSE_OK with
 * *root_r set (free with search_expr_free), or an error with *root_r NULL
 * and the reason in err (reset first).  ctx->uses_* are set. */
int search_expr_parse(const struct imap_arg *args, size_t argc,
                      struct search_parse *ctx, struct search_node **root_r,
                      struct buf *err);

/* search_expr_free - free the tree *np and NULL it. */
void search_expr_free(struct search_node **np);

/* search_expr_optimise - compute every node's cost and reorder the
 * operands of AND and OR cheapest first (evaluation short-circuits, so
 * cache and file reads happen only when index tests did not decide). */
void search_expr_optimise(struct search_node *n);

/* search_expr_dump - append a Lisp-like rendering of the tree to out
 * ("(and (sysflag 0x10) (header From \"fred\"))"): tests and debug logs. */
void search_expr_dump(const struct search_node *n, struct buf *out);

#endif /* IMAP_SEARCH_EXPR_H */
