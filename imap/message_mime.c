/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * message_mime.c - the Content-* fields of one entity (RFC 2045, 2183,
 * 3282, 2557, 1864) and their parameters, with RFC 2231 continuations and
 * charset-tagged values decoded to UTF-8.
 *
 * Called by message.c for every part.  Lenient: a missing ";" between
 * parameters, junk, unterminated quotes and comments are skipped; an
 * unusable Content-Type gives the RFC 2045 default.  Never fails.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/charset.h"
#include "imap/message_internal.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

/* Highest RFC 2231 continuation number accepted. */
#define MIME_MAX_SECTION 999

/* A cursor over one unfolded field value. */
struct lex {
    const char *s;
    size_t len, i;
};

/* skip_cfws - skip blanks and (nested) comments */
static void skip_cfws(struct lex *lx)
{
    int depth = 0;

    while (lx->i < lx->len) {
        char c = lx->s[lx->i];
        if (depth > 0 && c == '\\' && lx->i + 1 < lx->len)
            lx->i++;
        else if (c == '(')
            depth++;
        else if (c == ')' && depth > 0)
            depth--;
        else if (depth == 0 && c != ' ' && c != '\t')
            return;
        lx->i++;
    }
}

/* is_tchar - RFC 2045 token character (8-bit bytes tolerated) */
static int is_tchar(unsigned char c)
{
    return c > ' ' && c != 0x7F && !strchr("()<>@,;:\\\"/[]?=", c);
}

/* get_token - a token at the cursor into out (appended); its length */
static size_t get_token(struct lex *lx, struct buf *out)
{
    size_t start = lx->i;
    while (lx->i < lx->len && is_tchar((unsigned char)lx->s[lx->i]))
        lx->i++;
    buf_appendmap(out, lx->s + start, lx->i - start);
    return lx->i - start;
}

/* get_value - a quoted string (unescaped) or a token into out */
static void get_value(struct lex *lx, struct buf *out)
{
    if (lx->i >= lx->len || lx->s[lx->i] != '"') {
        get_token(lx, out);
        return;
    }
    for (lx->i++; lx->i < lx->len && lx->s[lx->i] != '"'; lx->i++) {
        if (lx->s[lx->i] == '\\' && lx->i + 1 < lx->len)
            lx->i++;
        buf_putc(out, lx->s[lx->i]);
    }
    if (lx->i < lx->len)
        lx->i++; /* closing quote */
}

/* skip_junk - advance to the next ";" */
static void skip_junk(struct lex *lx)
{
    while (lx->i < lx->len && lx->s[lx->i] != ';')
        lx->i++;
}

/* A parameter as written, before RFC 2231 processing. */
struct rawparam {
    char *name;      /* upper case, "*N*" suffix included */
    char *value;
    size_t baselen;  /* length of the name before any '*' */
    int section;     /* -1: plain; -2: "name*"; N: "name*N[*]" */
    int extended;    /* value is charset'lang'%XX or %XX */
    size_t order;    /* position, to keep the written order */
};

/* classify - fill baselen/section/extended from the name */
static void classify(struct rawparam *rp)
{
    char *star = strchr(rp->name, '*');
    long n;

    rp->baselen = strlen(rp->name);
    rp->section = -1;
    rp->extended = 0;
    if (!star || star == rp->name)
        return;
    if (star[1] == '\0') {
        rp->section = -2;
        rp->extended = 1;
    } else {
        char digits[8];
        size_t nd = strspn(star + 1, "0123456789");
        if (nd == 0 || nd >= sizeof(digits))
            return;
        const char *rest = star + 1 + nd;
        if (!(rest[0] == '\0' || (rest[0] == '*' && rest[1] == '\0')))
            return;
        memcpy(digits, star + 1, nd);
        digits[nd] = '\0';
        if (str_parse_long(digits, 0, MIME_MAX_SECTION, &n) != 1)
            return;
        rp->section = (int)n;
        rp->extended = rest[0] == '*';
    }
    rp->baselen = (size_t)(star - rp->name);
}

/* cmp_rawparam - order by base name, then section, then position */
static int cmp_rawparam(const void *a, const void *b)
{
    const struct rawparam *x = a, *y = b;
    size_t n = x->baselen < y->baselen ? x->baselen : y->baselen;
    int c = memcmp(x->name, y->name, n);
    if (c)
        return c;
    if (x->baselen != y->baselen)
        return x->baselen < y->baselen ? -1 : 1;
    if (x->section != y->section)
        return x->section < y->section ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* join_sections - decode a run of RFC 2231 continuations (sorted, first
 * at i) into out; returns the index past the run */
static size_t join_sections(struct rawparam *rp, size_t n, size_t i, struct buf *out)
{
    struct buf joined = BUF_INIT;
    int next = 0;
    size_t j = i;

    if (!rp[i].extended)
        buf_appendcstr(&joined, "''"); /* no charset: UTF-8 */
    for (; j < n && rp[j].baselen == rp[i].baselen &&
           !memcmp(rp[j].name, rp[i].name, rp[i].baselen) && rp[j].section >= 0;
         j++) {
        if (rp[j].section != next)
            continue; /* duplicate or gap: ignored */
        next++;
        if (rp[j].extended) {
            buf_appendcstr(&joined, rp[j].value);
            continue;
        }
        for (const char *p = rp[j].value; *p; p++) {
            if (*p == '%')
                buf_appendcstr(&joined, "%25");
            else
                buf_putc(&joined, *p);
        }
    }
    charset_decode_rfc2231(joined.s ? joined.s : "", joined.len, out);
    buf_free(&joined);
    return j;
}

/* same_base - true when two raw parameters share a base name */
static int same_base(const struct rawparam *a, const struct rawparam *b)
{
    return a->baselen == b->baselen && !memcmp(a->name, b->name, a->baselen);
}

/* A parameter after RFC 2231 processing, with where it first appeared. */
struct resolved {
    size_t order;
    char *name, *value;
};

/* cmp_resolved - by first appearance */
static int cmp_resolved(const void *a, const void *b)
{
    const struct resolved *x = a, *y = b;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* resolve_params - RFC 2231 processing of rp[0..n) into params (name,
 * value pairs) in the order each name first appears; "name*" beats
 * "name*0..." which beats a plain "name" */
static void resolve_params(struct rawparam *rp, size_t n, struct strarray *params)
{
    struct resolved *res = xcalloc(n ? n : 1, sizeof(*res));
    struct buf v = BUF_INIT;
    size_t nres = 0, i = 0;

    qsort(rp, n, sizeof(*rp), cmp_rawparam);
    while (i < n) {
        size_t start = i, end = i, first = rp[i].order, k;
        while (end < n && same_base(&rp[end], &rp[start])) {
            if (rp[end].order < first)
                first = rp[end].order;
            end++;
        }
        buf_reset(&v);
        /* sorted in the group: "name*" (-2), plain (-1), then sections */
        for (k = start; k < end && rp[k].section < 0; k++)
            ;
        if (rp[start].section == -2)
            charset_decode_rfc2231(rp[start].value, strlen(rp[start].value), &v);
        else if (k < end && rp[k].section == 0)
            join_sections(rp, end, k, &v);
        else
            buf_appendcstr(&v, rp[start].value);
        res[nres].order = first;
        res[nres].name = xstrndup(rp[start].name, rp[start].baselen);
        res[nres].value = xstrdup(buf_cstring(&v));
        nres++;
        i = end;
    }
    qsort(res, nres, sizeof(*res), cmp_resolved);
    for (i = 0; i < nres; i++) {
        strarray_appendm(params, res[i].name);
        strarray_appendm(params, res[i].value);
    }
    free(res);
    buf_free(&v);
}

/* parse_params - the ";"-separated parameters at the cursor into params */
static void parse_params(struct lex *lx, struct strarray *params)
{
    struct rawparam rp[MESSAGE_MAX_PARAMS];
    struct buf name = BUF_INIT, value = BUF_INIT;
    size_t n = 0;

    while (lx->i < lx->len) {
        skip_cfws(lx);
        if (lx->i >= lx->len)
            break;
        if (lx->s[lx->i] == ';') {
            lx->i++;
            continue;
        }
        buf_reset(&name);
        buf_reset(&value);
        if (!get_token(lx, &name)) {
            lx->i++;
            skip_junk(lx);
            continue;
        }
        skip_cfws(lx);
        if (lx->i >= lx->len || lx->s[lx->i] != '=') {
            skip_junk(lx);
            continue;
        }
        lx->i++;
        skip_cfws(lx);
        get_value(lx, &value);
        if (n == MESSAGE_MAX_PARAMS)
            continue;
        rp[n].name = str_ucase(xstrdup(buf_cstring(&name)));
        rp[n].value = xstrdup(buf_cstring(&value));
        rp[n].order = n;
        classify(&rp[n]);
        n++;
    }
    resolve_params(rp, n, params);
    for (size_t i = 0; i < n; i++) {
        free(rp[i].name);
        free(rp[i].value);
    }
    buf_free(&name);
    buf_free(&value);
}

/* set_default_type - the RFC 2045 (or digest, RFC 2046 5.1.5) default */
static void set_default_type(struct message_part *part, int in_digest)
{
    part->flags |= MESSAGE_PART_DEFTYPE;
    strarray_fini(&part->params);
    free(part->type);
    free(part->subtype);
    if (in_digest) {
        part->type = xstrdup("MESSAGE");
        part->subtype = xstrdup("RFC822");
        return;
    }
    part->type = xstrdup("TEXT");
    part->subtype = xstrdup("PLAIN");
    strarray_append(&part->params, "CHARSET");
    strarray_append(&part->params, "US-ASCII");
}

/* parse_content_type - "type/subtype *(; param)" */
static void parse_content_type(struct message_part *part, struct lex *lx, int in_digest)
{
    struct buf type = BUF_INIT, sub = BUF_INIT;

    skip_cfws(lx);
    get_token(lx, &type);
    skip_cfws(lx);
    if (type.len && lx->i < lx->len && lx->s[lx->i] == '/') {
        lx->i++;
        skip_cfws(lx);
        get_token(lx, &sub);
    }
    if (!type.len || !sub.len) {
        set_default_type(part, in_digest);
    } else {
        part->type = str_ucase(buf_release(&type));
        part->subtype = str_ucase(buf_release(&sub));
        parse_params(lx, &part->params);
    }
    buf_free(&type);
    buf_free(&sub);
}

/* parse_disposition - "type *(; param)" (RFC 2183) */
static void parse_disposition(struct message_part *part, struct lex *lx)
{
    struct buf type = BUF_INIT;

    skip_cfws(lx);
    if (!get_token(lx, &type)) {
        buf_free(&type);
        return;
    }
    part->disposition = str_ucase(buf_release(&type));
    parse_params(lx, &part->disp_params);
}

/* parse_language - comma-separated language tags (RFC 3282) */
static void parse_language(struct message_part *part, struct lex *lx)
{
    struct buf tag = BUF_INIT;

    while (lx->i < lx->len) {
        skip_cfws(lx);
        buf_reset(&tag);
        if (get_token(lx, &tag))
            strarray_append(&part->language, buf_cstring(&tag));
        else
            lx->i++; /* "," or junk */
    }
    buf_free(&tag);
}

/* take_unfolded - the unfolded, trimmed value as a new string */
static char *take_unfolded(const struct message_hfield *f)
{
    struct buf b = BUF_INIT;
    message_unfold(f->value, f->valuelen, &b);
    return buf_release(&b);
}

/* set_once - store the field's value in *dst unless already set */
static void set_once(char **dst, const struct message_hfield *f)
{
    if (!*dst)
        *dst = take_unfolded(f);
}

void message_mime_fields(struct message_part *part, const char *h, size_t len,
                         int in_digest)
{
    struct message_hfield f;
    struct buf v = BUF_INIT;
    size_t pos = 0;

    while (message_header_next(h, len, &pos, &f)) {
        if (f.namelen < 8 || str_ncasecmp(f.name, "Content-", 8))
            continue;
        const char *n = f.name + 8;
        size_t nl = f.namelen - 8;
#define IS(s) (nl == sizeof(s) - 1 && !str_ncasecmp(n, s, nl))
        buf_reset(&v);
        message_unfold(f.value, f.valuelen, &v);
        struct lex lx = { v.s ? v.s : "", v.len, 0 };
        if (IS("Type") && !part->type) {
            parse_content_type(part, &lx, in_digest);
        } else if (IS("Transfer-Encoding") && !part->encoding) {
            struct buf tok = BUF_INIT;
            skip_cfws(&lx);
            if (get_token(&lx, &tok))
                part->encoding = str_ucase(buf_release(&tok));
            buf_free(&tok);
        } else if (IS("Disposition") && !part->disposition) {
            parse_disposition(part, &lx);
        } else if (IS("Language") && !part->language.count) {
            parse_language(part, &lx);
        } else if (IS("ID")) {
            set_once(&part->id, &f);
        } else if (IS("Description")) {
            set_once(&part->description, &f);
        } else if (IS("MD5")) {
            set_once(&part->md5, &f);
        } else if (IS("Location")) {
            set_once(&part->location, &f);
        }
#undef IS
    }
    if (!part->type)
        set_default_type(part, in_digest);
    buf_free(&v);
}
