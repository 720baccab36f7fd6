/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fetch_items.c - parse FETCH's item list and modifiers into a struct
 * fetch_plan (see fetch_items.h).  Called once per FETCH by cmd-fetch.c,
 * before any message is looked at, so every syntax error is a BAD reply
 * and nothing is sent for a malformed command.  Pure: no I/O, no globals;
 * errors are static texts.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/fetch_items.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

/* A cursor over a section spec. */
struct cur {
    const char *s;
    size_t len, i;
};

/* cur_word - consume w (case-insensitive) when it is next */
static bool cur_word(struct cur *c, const char *w)
{
    size_t n = strlen(w);

    if (c->len - c->i < n || str_ncasecmp(c->s + c->i, w, n) != 0)
        return false;
    c->i += n;
    return true;
}

/* ascii_upper - c in upper case (ASCII only, locale-independent) */
static int ascii_upper(int c)
{
    return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* field_char - may c appear in an unquoted header field name? */
static bool field_char(unsigned char c)
{
    return c > ' ' && c < 0x7f && !strchr("()\"{}[]%*\\", c);
}

/* canon_fields - " (" name *(SP name) ")" at the cursor, appended upper
 * case; the list must end the spec */
static int canon_fields(struct cur *c, struct buf *out)
{
    size_t n = 0;

    if (!cur_word(c, " ("))
        return -1;
    buf_appendcstr(out, " (");
    while (c->i < c->len && c->s[c->i] != ')') {
        bool quoted = false;
        size_t start;

        if (n && c->s[c->i++] != ' ')
            return -1;
        if (c->i < c->len && c->s[c->i] == '"') {
            quoted = true;
            c->i++;
        }
        start = c->i;
        while (c->i < c->len && field_char((unsigned char)c->s[c->i]))
            c->i++;
        if (c->i == start)
            return -1;
        if (quoted && (c->i >= c->len || c->s[c->i++] != '"'))
            return -1;
        if (n++)
            buf_putc(out, ' ');
        for (size_t k = start; k < c->i - quoted; k++)
            buf_putc(out, (char)ascii_upper((unsigned char)c->s[k]));
    }
    if (n == 0 || c->i >= c->len)
        return -1;
    c->i++;
    buf_putc(out, ')');
    return c->i == c->len ? 1 : -1;
}

/* canon_msgtext - HEADER / HEADER.FIELDS[.NOT] list / TEXT / (mime) MIME */
static int canon_msgtext(struct cur *c, bool mime_ok, struct buf *out)
{
    if (cur_word(c, "HEADER.FIELDS.NOT")) {
        buf_appendcstr(out, "HEADER.FIELDS.NOT");
        return canon_fields(c, out);
    }
    if (cur_word(c, "HEADER.FIELDS")) {
        buf_appendcstr(out, "HEADER.FIELDS");
        return canon_fields(c, out);
    }
    if (cur_word(c, "HEADER"))
        buf_appendcstr(out, "HEADER");
    else if (cur_word(c, "TEXT"))
        buf_appendcstr(out, "TEXT");
    else if (mime_ok && cur_word(c, "MIME"))
        buf_appendcstr(out, "MIME");
    else
        return -1;
    return c->i == c->len ? 1 : -1;
}

int fetch_section_canon(const char *s, size_t len, bool binary,
                        struct buf *out, const char **error_r)
{
    struct cur c = { s, len, 0 };
    bool part = false;

    *error_r = "Invalid body section";
    while (c.i < c.len && c.s[c.i] >= '0' && c.s[c.i] <= '9') {
        size_t start = c.i;
        uint64_t v = 0;

        while (c.i < c.len && c.s[c.i] >= '0' && c.s[c.i] <= '9') {
            v = v * 10 + (uint64_t)(c.s[c.i++] - '0');
            if (v > UINT32_MAX)
                return -1;
        }
        if (v == 0 || c.s[start] == '0')
            return -1;
        buf_printf(out, "%s%llu", part ? "." : "", (unsigned long long)v);
        part = true;
        if (c.i == c.len)
            return 1;
        if (c.s[c.i++] != '.')
            return -1;
        if (c.i < c.len && (c.s[c.i] < '0' || c.s[c.i] > '9'))
            break;
    }
    if (c.i == c.len)
        return c.len == 0 ? 1 : -1; /* "" ok; "1." is not */
    if (binary) {
        *error_r = "BINARY takes only a part number";
        return -1;
    }
    if (part)
        buf_putc(out, '.');
    return canon_msgtext(&c, part, out);
}

/* parse_partial - "<origin.count>" at p[0..len) exactly */
static int parse_partial(const char *p, size_t len, struct fetch_section *sec)
{
    const char *dot = memchr(p, '.', len);
    uint64_t o, n;

    if (len < 5 || p[0] != '<' || p[len - 1] != '>' || !dot)
        return -1;
    if (str_parse_u64(p + 1, (size_t)(dot - p - 1), UINT32_MAX, &o) < 0 ||
        str_parse_u64(dot + 1, (size_t)(p + len - 1 - dot - 1), UINT32_MAX,
                      &n) < 0 ||
        n == 0)
        return -1;
    sec->partial = true;
    sec->origin = o;
    sec->count = n;
    return 1;
}

/* bracket_end - index of the ']' closing the '[' at s[open] (quotes
 * skipped), or 0 */
static size_t bracket_end(const char *s, size_t len, size_t open)
{
    bool q = false;

    for (size_t i = open + 1; i < len; i++) {
        if (s[i] == '"')
            q = !q;
        else if (!q && s[i] == ']')
            return i;
    }
    return 0;
}

/* add_section - append a section item to the plan */
static struct fetch_section *add_section(struct fetch_plan *plan,
                                         enum fetch_section_kind kind,
                                         bool peek)
{
    struct fetch_section *sec;

    plan->sections = xrealloc(plan->sections,
                              (plan->nsections + 1) * sizeof(*sec));
    sec = &plan->sections[plan->nsections++];
    memset(sec, 0, sizeof(*sec));
    sec->kind = kind;
    sec->peek = peek;
    if (!peek)
        plan->sets_seen = true;
    return sec;
}

/* add_fixed - RFC822, RFC822.HEADER, RFC822.TEXT: a section under its
 * own response name */
static void add_fixed(struct fetch_plan *plan, const char *name,
                      const char *spec, bool peek)
{
    struct fetch_section *sec = add_section(plan, FETCH_SEC_BODY, peek);

    sec->spec = xstrdup(spec);
    sec->name = xstrdup(name);
}

/* Section item prefixes: the name before '[' and what it means. */
static const struct {
    const char *prefix;
    enum fetch_section_kind kind;
    bool peek;
    const char *label; /* response name before '[' */
} section_items[] = {
    { "BODY",        FETCH_SEC_BODY,        false, "BODY" },
    { "BODY.PEEK",   FETCH_SEC_BODY,        true,  "BODY" },
    { "BINARY",      FETCH_SEC_BINARY,      false, "BINARY" },
    { "BINARY.PEEK", FETCH_SEC_BINARY,      true,  "BINARY" },
    { "BINARY.SIZE", FETCH_SEC_BINARY_SIZE, true,  "BINARY.SIZE" },
};

/* parse_section_item - "BODY[...]<o.n>" and friends */
static int parse_section_item(struct fetch_plan *plan, const char *s,
                              size_t len, const char **error_r)
{
    const char *open = memchr(s, '[', len);
    size_t o = (size_t)(open - s), close = bracket_end(s, len, o);
    struct buf b = BUF_INIT;
    struct fetch_section *sec;
    size_t k;

    *error_r = "Invalid fetch item";
    for (k = 0; k < sizeof(section_items) / sizeof(section_items[0]); k++) {
        if (strlen(section_items[k].prefix) == o &&
            str_ncasecmp(s, section_items[k].prefix, o) == 0)
            break;
    }
    if (k == sizeof(section_items) / sizeof(section_items[0]) || !close)
        return -1;
    if (plan->nsections >= FETCH_MAX_SECTIONS) {
        *error_r = "Too many body sections";
        return -1;
    }
    if (fetch_section_canon(s + o + 1, close - o - 1,
                            section_items[k].kind != FETCH_SEC_BODY, &b,
                            error_r) < 0) {
        buf_free(&b);
        return -1;
    }
    sec = add_section(plan, section_items[k].kind, section_items[k].peek);
    sec->spec = xstrdup(buf_cstring(&b));
    buf_reset(&b);
    buf_printf(&b, "%s[%s]", section_items[k].label, sec->spec);
    sec->name = buf_release(&b);
    if (close + 1 == len)
        return 1;
    if (sec->kind == FETCH_SEC_BINARY_SIZE ||
        parse_partial(s + close + 1, len - close - 1, sec) < 0) {
        *error_r = "Invalid partial in fetch item";
        return -1;
    }
    return 1;
}

/* Plain item atoms. */
static const struct {
    const char *name;
    unsigned bits;
} simple_items[] = {
    { "UID", FETCH_UID },
    { "FLAGS", FETCH_FLAGS },
    { "INTERNALDATE", FETCH_INTERNALDATE },
    { "RFC822.SIZE", FETCH_RFC822_SIZE },
    { "ENVELOPE", FETCH_ENVELOPE },
    { "BODY", FETCH_BODY },
    { "BODYSTRUCTURE", FETCH_BODYSTRUCTURE },
    { "MODSEQ", FETCH_MODSEQ },
};

/* parse_item - one item atom */
static int parse_item(struct fetch_plan *plan, const struct imap_arg *arg,
                      const char **error_r)
{
    const char *s;
    size_t len;

    *error_r = "Invalid fetch item";
    if (arg->type != IMAP_ARG_ATOM || !imap_arg_get_atom(arg, &s))
        return -1;
    len = arg->u.str.len;
    if (memchr(s, '[', len))
        return parse_section_item(plan, s, len, error_r);
    for (size_t k = 0; k < sizeof(simple_items) / sizeof(simple_items[0]); k++) {
        if (str_casecmp(s, simple_items[k].name) == 0) {
            plan->items |= simple_items[k].bits;
            return 1;
        }
    }
    if (plan->nsections + 1 > FETCH_MAX_SECTIONS) {
        *error_r = "Too many body sections";
        return -1;
    }
    if (str_casecmp(s, "RFC822") == 0)
        add_fixed(plan, "RFC822", "", false);
    else if (str_casecmp(s, "RFC822.HEADER") == 0)
        add_fixed(plan, "RFC822.HEADER", "HEADER", true);
    else if (str_casecmp(s, "RFC822.TEXT") == 0)
        add_fixed(plan, "RFC822.TEXT", "TEXT", false);
    else
        return -1;
    return 1;
}

/* parse_macro - ALL / FAST / FULL (only alone, never inside a list);
 * 0 when s is not a macro */
static int parse_macro(struct fetch_plan *plan, const char *s)
{
    const unsigned fast = FETCH_FLAGS | FETCH_INTERNALDATE | FETCH_RFC822_SIZE;

    if (str_casecmp(s, "FAST") == 0)
        plan->items |= fast;
    else if (str_casecmp(s, "ALL") == 0)
        plan->items |= fast | FETCH_ENVELOPE;
    else if (str_casecmp(s, "FULL") == 0)
        plan->items |= fast | FETCH_ENVELOPE | FETCH_BODY;
    else
        return 0;
    return 1;
}

/* parse_modifiers - "(" CHANGEDSINCE modseq [VANISHED] ")" in any order */
static int parse_modifiers(struct fetch_plan *plan, const struct imap_arg *mods,
                           bool uid, const char **error_r)
{
    const struct imap_arg *l;
    size_t n;

    *error_r = "Invalid fetch modifiers";
    if (!imap_arg_get_list(mods, &l, &n) || n == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const char *v;

        if (imap_arg_atom_equals(&l[i], "VANISHED") && !plan->vanished) {
            plan->vanished = true;
        } else if (imap_arg_atom_equals(&l[i], "CHANGEDSINCE") &&
                   !plan->changedsince_set && i + 1 < n &&
                   imap_arg_get_atom(&l[i + 1], &v) &&
                   str_parse_u64(v, strlen(v), INT64_MAX,
                                 &plan->changedsince) > 0 &&
                   plan->changedsince > 0) {
            plan->changedsince_set = true;
            i++;
        } else {
            return -1;
        }
    }
    if (plan->vanished && (!uid || !plan->changedsince_set)) {
        *error_r = "VANISHED needs UID FETCH and CHANGEDSINCE";
        return -1;
    }
    if (plan->changedsince_set)
        plan->items |= FETCH_MODSEQ;
    return 1;
}

/* parse_items - the item argument: macro, one atom, or a list */
static int parse_items(struct fetch_plan *plan, const struct imap_arg *items,
                       const char **error_r)
{
    const struct imap_arg *l;
    const char *s;
    size_t n;

    if (items->type == IMAP_ARG_ATOM && imap_arg_get_atom(items, &s) &&
        parse_macro(plan, s))
        return 1;
    if (!imap_arg_get_list(items, &l, &n))
        return parse_item(plan, items, error_r);
    if (n == 0) {
        *error_r = "Empty fetch item list";
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (parse_item(plan, &l[i], error_r) < 0)
            return -1;
    }
    return 1;
}

int fetch_plan_parse(const struct imap_arg *items, const struct imap_arg *mods,
                     bool uid, struct fetch_plan *plan, const char **error_r)
{
    memset(plan, 0, sizeof(*plan));
    if (parse_items(plan, items, error_r) < 0 ||
        (mods && parse_modifiers(plan, mods, uid, error_r) < 0)) {
        fetch_plan_fini(plan);
        return -1;
    }
    if (uid)
        plan->items |= FETCH_UID;
    return 1;
}

void fetch_plan_fini(struct fetch_plan *plan)
{
    for (size_t i = 0; i < plan->nsections; i++) {
        free(plan->sections[i].spec);
        free(plan->sections[i].name);
    }
    free(plan->sections);
    memset(plan, 0, sizeof(*plan));
}
