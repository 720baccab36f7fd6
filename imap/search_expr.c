/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * search_expr.c - parse an IMAP search program into a search_node tree.
 *
 * Called by cmd-search.c, cmd-sort.c and cmd-thread.c with the argument
 * tree of lib/imap_parser.h.  A table maps each key name to the kind of
 * argument it takes; NOT, OR, parenthesised groups and sequence sets are
 * handled by the recursive descent below.  The first error stops the
 * parse; its message names the key ("Invalid date for SINCE").  No global
 * state; the tree is heap-allocated (xmalloc) and owned by the caller.
 * Freeing, reordering and dumping live in search_expr_tree.c.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "imap/charset.h"
#include "imap/mailbox.h"
#include "imap/message.h"
#include "imap/search_date.h"
#include "imap/search_expr.h"
#include "lib/imap_parser.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

/* What follows a key name. */
enum key_arg {
    ARG_NONE,     /* ALL, SEEN, ... */
    ARG_STRING,   /* BODY, FROM, SUBJECT, ... */
    ARG_DATE,     /* BEFORE, SENTON, ... */
    ARG_NUMBER,   /* LARGER, SMALLER */
    ARG_KEYWORD,  /* KEYWORD, UNKEYWORD */
    ARG_HEADER,   /* HEADER field-name string */
    ARG_SET,      /* UID sequence-set */
    ARG_SPECIAL,  /* NOT, OR, NEW, MODSEQ: own code */
};

struct key_def {
    const char *name;
    enum search_key key;
    enum key_arg arg;
    int aux;       /* SYSFLAG: the flag; HEADER keys: the cache field */
    bool negate;   /* UNSEEN = NOT SEEN, OLD = NOT RECENT, ... */
};

static const struct key_def key_defs[] = {
    { "ALL",        SEARCH_ALL,        ARG_NONE,    0, false },
    { "ANSWERED",   SEARCH_SYSFLAG,    ARG_NONE,    MAILBOX_FLAG_ANSWERED, false },
    { "BCC",        SEARCH_HEADER,     ARG_STRING,  MESSAGE_FIELD_BCC, false },
    { "BEFORE",     SEARCH_BEFORE,     ARG_DATE,    0, false },
    { "BODY",       SEARCH_BODY,       ARG_STRING,  -1, false },
    { "CC",         SEARCH_HEADER,     ARG_STRING,  MESSAGE_FIELD_CC, false },
    { "DELETED",    SEARCH_SYSFLAG,    ARG_NONE,    MAILBOX_FLAG_DELETED, false },
    { "DRAFT",      SEARCH_SYSFLAG,    ARG_NONE,    MAILBOX_FLAG_DRAFT, false },
    { "FLAGGED",    SEARCH_SYSFLAG,    ARG_NONE,    MAILBOX_FLAG_FLAGGED, false },
    { "FROM",       SEARCH_HEADER,     ARG_STRING,  MESSAGE_FIELD_FROM, false },
    { "HEADER",     SEARCH_HEADER,     ARG_HEADER,  -1, false },
    { "KEYWORD",    SEARCH_KEYWORD,    ARG_KEYWORD, 0, false },
    { "LARGER",     SEARCH_LARGER,     ARG_NUMBER,  0, false },
    { "MODSEQ",     SEARCH_MODSEQ,     ARG_SPECIAL, 0, false },
    { "NEW",        SEARCH_RECENT,     ARG_SPECIAL, 0, false },
    { "NOT",        SEARCH_NOT,        ARG_SPECIAL, 0, false },
    { "OLD",        SEARCH_RECENT,     ARG_NONE,    0, true },
    { "ON",         SEARCH_ON,         ARG_DATE,    0, false },
    { "OR",         SEARCH_OR,         ARG_SPECIAL, 0, false },
    { "RECENT",     SEARCH_RECENT,     ARG_NONE,    0, false },
    { "SEEN",       SEARCH_SYSFLAG,    ARG_NONE,    MAILBOX_FLAG_SEEN, false },
    { "SENTBEFORE", SEARCH_SENTBEFORE, ARG_DATE,    0, false },
    { "SENTON",     SEARCH_SENTON,     ARG_DATE,    0, false },
    { "SENTSINCE",  SEARCH_SENTSINCE,  ARG_DATE,    0, false },
    { "SINCE",      SEARCH_SINCE,      ARG_DATE,    0, false },
    { "SMALLER",    SEARCH_SMALLER,    ARG_NUMBER,  0, false },
    { "SUBJECT",    SEARCH_HEADER,     ARG_STRING,  MESSAGE_FIELD_SUBJECT, false },
    { "TEXT",       SEARCH_TEXT,       ARG_STRING,  -1, false },
    { "TO",         SEARCH_HEADER,     ARG_STRING,  MESSAGE_FIELD_TO, false },
    { "UID",        SEARCH_UID,        ARG_SET,     0, false },
    { "UNANSWERED", SEARCH_SYSFLAG,    ARG_NONE,    MAILBOX_FLAG_ANSWERED, true },
    { "UNDELETED",  SEARCH_SYSFLAG,    ARG_NONE,    MAILBOX_FLAG_DELETED, true },
    { "UNDRAFT",    SEARCH_SYSFLAG,    ARG_NONE,    MAILBOX_FLAG_DRAFT, true },
    { "UNFLAGGED",  SEARCH_SYSFLAG,    ARG_NONE,    MAILBOX_FLAG_FLAGGED, true },
    { "UNKEYWORD",  SEARCH_KEYWORD,    ARG_KEYWORD, 0, true },
    { "UNSEEN",     SEARCH_SYSFLAG,    ARG_NONE,    MAILBOX_FLAG_SEEN, true },
};

/* System flags a KEYWORD argument may name (leniency: as the flag). */
static const struct { const char *name; uint32_t flag; } sysflag_names[] = {
    { "\\Answered", MAILBOX_FLAG_ANSWERED }, { "\\Flagged", MAILBOX_FLAG_FLAGGED },
    { "\\Deleted", MAILBOX_FLAG_DELETED },   { "\\Draft", MAILBOX_FLAG_DRAFT },
    { "\\Seen", MAILBOX_FLAG_SEEN },
};

struct parser {
    struct search_parse *ctx;
    const struct imap_arg *args;
    size_t argc, i;
    struct buf *err;
    int result;          /* SEARCH_PARSE_OK until the first error */
    unsigned depth;
};

/* fail - record the first error, "msg key" (key may be NULL); NULL */
static struct search_node *fail(struct parser *p, const char *msg,
                                const char *key)
{
    if (p->result == SEARCH_PARSE_OK) {
        p->result = SEARCH_PARSE_BAD;
        buf_reset(p->err);
        buf_printf(p->err, "%s%s%s", msg, key ? " " : "", key ? key : "");
    }
    return NULL;
}

/* node_new - a zeroed node of kind key */
static struct search_node *node_new(enum search_key key)
{
    struct search_node *n = xzmalloc(sizeof(*n));

    n->key = key;
    n->field = -1;
    return n;
}

/* node_not - wrap n in a NOT */
static struct search_node *node_not(struct search_node *n)
{
    struct search_node *not = node_new(SEARCH_NOT);

    not->child = n;
    return not;
}

/* next_arg - the next argument for key, or NULL (and an error) at the end */
static const struct imap_arg *next_arg(struct parser *p, const char *key)
{
    if (p->i >= p->argc) {
        fail(p, "Missing argument for", key);
        return NULL;
    }
    return &p->args[p->i++];
}

int search_charset_known(const char *name)
{
    struct buf tmp = BUF_INIT;
    int r;

    if (!name || !str_casecmp(name, "UTF-8") || !str_casecmp(name, "US-ASCII"))
        return 1;
    r = charset_to_utf8(name, strlen(name), "", 0, &tmp);
    buf_free(&tmp);
    return !(r & CHARSET_UNKNOWN);
}

/* get_string - the next string argument of key, in search form, into out */
static int get_string(struct parser *p, const char *key, struct buf *out)
{
    const struct imap_arg *a = next_arg(p, key);
    const char *s, *cs = p->ctx->charset;
    struct buf utf8 = BUF_INIT;

    if (!a)
        return 0;
    if (!imap_arg_get_astring(a, &s)) {
        fail(p, "Invalid string for", key);
        return 0;
    }
    /* US-ASCII is read as UTF-8: clients send 8-bit text under it */
    if (!cs || !str_casecmp(cs, "US-ASCII") || !str_casecmp(cs, "UTF-8"))
        charset_utf8_valid(s, strlen(s), &utf8);
    else
        charset_to_utf8(cs, strlen(cs), s, strlen(s), &utf8);
    charset_search_normalize(utf8.s ? utf8.s : "", utf8.len, out);
    buf_cstring(out);
    buf_free(&utf8);
    return 1;
}

/* header_name_ok - a field name: printable ASCII, no colon or space */
static int header_name_ok(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++) {
        if (*s <= ' ' || *s >= 127 || *s == ':')
            return 0;
    }
    return 1;
}

/* parse_header - HEADER field-name string */
static struct search_node *parse_header(struct parser *p, struct search_node *n)
{
    const struct imap_arg *a = next_arg(p, "HEADER");
    const char *name;

    if (!a)
        return NULL;
    if (!imap_arg_get_astring(a, &name) || !header_name_ok(name))
        return fail(p, "Invalid field name for", "HEADER");
    n->name = xstrdup(name);
    for (int f = 0; f < MESSAGE_FIELD_COUNT; f++) {
        if (!str_casecmp(name, message_field_name((enum message_field)f)))
            n->field = f;
    }
    if (!get_string(p, "HEADER", &n->value))
        return NULL;
    return n;
}

/* parse_keyword - KEYWORD/UNKEYWORD flag */
static struct search_node *parse_keyword(struct parser *p,
                                         struct search_node *n, const char *key)
{
    const struct imap_arg *a = next_arg(p, key);
    const char *name;

    if (!a)
        return NULL;
    if (!imap_arg_get_atom(a, &name) || a->type == IMAP_ARG_NIL)
        return fail(p, "Invalid flag for", key);
    for (size_t i = 0; i < sizeof(sysflag_names) / sizeof(sysflag_names[0]); i++) {
        if (!str_casecmp(name, sysflag_names[i].name)) {
            n->key = SEARCH_SYSFLAG;
            n->flag = sysflag_names[i].flag;
            return n;
        }
    }
    if (name[0] == '\\' || strpbrk(name, "(){%*\"]") ||
        strlen(name) > MAILBOX_USER_FLAG_LEN)
        return fail(p, "Invalid flag for", key);
    n->name = xstrdup(name);
    return n;
}

/* get_number - the next number argument of key (up to max) into *v */
static int get_number(struct parser *p, const char *key, uint64_t max,
                      uint64_t *v)
{
    const struct imap_arg *a = next_arg(p, key);
    const char *s;

    if (!a)
        return 0;
    if (!imap_arg_get_atom(a, &s) || str_parse_u64(s, strlen(s), max, v) < 0) {
        fail(p, "Invalid number for", key);
        return 0;
    }
    return 1;
}

/* get_date - the next date argument of key, as a day number */
static int get_date(struct parser *p, const char *key, int64_t *day)
{
    const struct imap_arg *a = next_arg(p, key);
    const char *s;

    if (!a)
        return 0;
    if (!imap_arg_get_astring(a, &s) || !search_date_imap(s, day)) {
        fail(p, "Invalid date for", key);
        return 0;
    }
    return 1;
}

/* parse_set - a sequence set s of UIDs (uid) or message numbers into n */
static struct search_node *parse_set(struct parser *p, struct search_node *n,
                                     const char *s, bool uid)
{
    const char *error;
    uint32_t max = uid ? p->ctx->max_uid : p->ctx->max_msgno;

    if (!strcmp(s, "$")) {
        if (!p->ctx->allow_saved)
            return fail(p, "No saved search result for", s);
        p->ctx->uses_saved = true;
        n->key = SEARCH_SAVED;
        return n;
    }
    if (seqset_parse(s, strlen(s), max, 0, &n->set, &error) < 0) {
        return fail(p, uid ? "Invalid UID set for" : "Invalid sequence set",
                    uid ? "UID" : s);
    }
    return n;
}

/* parse_modseq - MODSEQ [entry-name entry-type-req] mod-sequence-valzer */
static struct search_node *parse_modseq(struct parser *p, struct search_node *n)
{
    const struct imap_arg *a;
    const char *s;

    if (p->i < p->argc && (p->args[p->i].type == IMAP_ARG_STRING ||
                           p->args[p->i].type == IMAP_ARG_LITERAL)) {
        p->i++;                                     /* entry name */
        if (!(a = next_arg(p, "MODSEQ")))
            return NULL;
        if (!imap_arg_get_atom(a, &s) || (str_casecmp(s, "priv") &&
            str_casecmp(s, "shared") && str_casecmp(s, "all")))
            return fail(p, "Invalid entry type for", "MODSEQ");
    }
    if (!get_number(p, "MODSEQ", INT64_MAX, &n->num))
        return NULL;
    p->ctx->uses_modseq = true;
    return n;
}

static struct search_node *parse_key(struct parser *p);
static struct search_node *parse_group(struct parser *p,
                                       const struct imap_arg *list, size_t n);

/* parse_special - NOT, OR, NEW, MODSEQ */
static struct search_node *parse_special(struct parser *p,
                                         const struct key_def *d,
                                         struct search_node *n)
{
    struct search_node *a, *b;

    switch (d->key) {
    case SEARCH_NOT:
        if (!(n->child = parse_key(p)))
            return NULL;
        return n;
    case SEARCH_OR:
        if (!(a = parse_key(p)))
            return NULL;
        if (!(b = parse_key(p))) {
            search_expr_free(&a);
            return NULL;
        }
        n->child = a;
        a->next = b;
        return n;
    case SEARCH_RECENT:                       /* NEW = RECENT UNSEEN */
        a = node_new(SEARCH_SYSFLAG);
        a->flag = MAILBOX_FLAG_SEEN;
        n->key = SEARCH_AND;
        n->child = node_new(SEARCH_RECENT);
        n->child->next = node_not(a);
        return n;
    default:
        return parse_modseq(p, n);
    }
}

/* parse_named - the key named by table entry d, its arguments following */
static struct search_node *parse_named(struct parser *p, const struct key_def *d)
{
    struct search_node *n = node_new(d->key), *r = n;
    const struct imap_arg *a;
    const char *s;

    n->flag = d->key == SEARCH_SYSFLAG ? (uint32_t)d->aux : 0;
    n->field = d->key == SEARCH_HEADER ? d->aux : -1;
    switch (d->arg) {
    case ARG_NONE:    break;
    case ARG_STRING:
        if (n->field >= 0)
            n->name = xstrdup(message_field_name((enum message_field)n->field));
        r = get_string(p, d->name, &n->value) ? n : NULL;
        break;
    case ARG_DATE:    r = get_date(p, d->name, &n->day) ? n : NULL; break;
    case ARG_NUMBER:  r = get_number(p, d->name, UINT64_MAX, &n->num) ? n : NULL; break;
    case ARG_KEYWORD: r = parse_keyword(p, n, d->name); break;
    case ARG_HEADER:  r = parse_header(p, n); break;
    case ARG_SET:
        r = NULL;
        if ((a = next_arg(p, d->name)) && imap_arg_get_atom(a, &s))
            r = parse_set(p, n, s, true);
        else if (a)
            fail(p, "Invalid UID set for", d->name);
        break;
    case ARG_SPECIAL: r = parse_special(p, d, n); break;
    }
    if (!r) {
        search_expr_free(&n);
        return NULL;
    }
    return d->negate ? node_not(n) : n;
}

/* parse_key - one search key at p->i (advancing past its arguments) */
static struct search_node *parse_key(struct parser *p)
{
    const struct imap_arg *a, *list;
    struct search_node *n = NULL;
    const char *s;
    size_t count;

    if (p->i >= p->argc)
        return fail(p, "Missing search key", NULL);
    if (++p->depth > SEARCH_MAX_DEPTH) {
        p->depth--;
        return fail(p, "Search program nested too deeply", NULL);
    }
    a = &p->args[p->i++];
    if (imap_arg_get_list(a, &list, &count)) {
        n = parse_group(p, list, count);
    } else if (!imap_arg_get_atom(a, &s) || a->type == IMAP_ARG_NIL) {
        fail(p, "Invalid search key", NULL);
    } else if (isdigit((unsigned char)s[0]) || s[0] == '*' || s[0] == '$') {
        n = node_new(SEARCH_MSGNO);
        if (!parse_set(p, n, s, false))
            search_expr_free(&n);
    } else {
        for (size_t k = 0; k < sizeof(key_defs) / sizeof(key_defs[0]); k++) {
            if (!str_casecmp(s, key_defs[k].name)) {
                n = parse_named(p, &key_defs[k]);
                break;
            }
        }
        if (!n && p->result == SEARCH_PARSE_OK)
            fail(p, "Invalid search key", s);
    }
    p->depth--;
    return n;
}

/* parse_group - the keys list[0..count) as one AND node */
static struct search_node *parse_group(struct parser *p,
                                       const struct imap_arg *list, size_t count)
{
    const struct imap_arg *oargs = p->args;
    size_t oargc = p->argc, oi = p->i;
    struct search_node *and = node_new(SEARCH_AND), **tail = &and->child;

    if (count == 0) {
        search_expr_free(&and);
        return fail(p, "Empty search key list", NULL);
    }
    p->args = list;
    p->argc = count;
    p->i = 0;
    while (p->i < p->argc) {
        struct search_node *k = parse_key(p);
        if (!k) {
            search_expr_free(&and);
            break;
        }
        *tail = k;
        tail = &k->next;
    }
    p->args = oargs;
    p->argc = oargc;
    p->i = oi;
    return and;
}

int search_expr_parse(const struct imap_arg *args, size_t argc,
                      struct search_parse *ctx, struct search_node **root_r,
                      struct buf *err)
{
    struct parser p = { ctx, NULL, 0, 0, err, SEARCH_PARSE_OK, 0 };
    struct search_node *root = NULL;

    buf_reset(err);
    *root_r = NULL;
    ctx->uses_modseq = ctx->uses_saved = false;
    if (ctx->charset && !search_charset_known(ctx->charset))
        return SEARCH_PARSE_BADCHARSET;
    if (argc == 0) {
        fail(&p, "Missing search key", NULL);
        return p.result;
    }
    root = parse_group(&p, args, argc);
    if (!root)
        return p.result;
    *root_r = root;
    return SEARCH_PARSE_OK;
}
