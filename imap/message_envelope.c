/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * message_envelope.c - the RFC 3501 ENVELOPE of a header block, with the
 * RFC 5322 address parser behind it.
 *
 * Called by message.c for the root and every message/rfc822 level.  The
 * values are raw (RFC 2047 words left for the client); the address parser
 * accepts display names, quoted strings, comments (the last one names an
 * address that has no phrase), groups, route-addrs and obsolete forms,
 * and recovers from junk: a mailbox without a domain gets the host
 * "MISSING_DOMAIN" (a NIL host would read as group syntax).  Never fails.
 */
#include "config.h"

#include <string.h>

#include "imap/message_internal.h"

enum tok_type { TOK_EOF, TOK_WORD, TOK_QUOTED, TOK_LITERAL, TOK_SPECIAL };

/* The address lexer over one unfolded header value. */
struct alex {
    const char *s;
    size_t len, i;
    enum tok_type type; /* current token */
    char special;       /* its character when TOK_SPECIAL */
    int space_before;   /* blanks or a comment preceded it */
    struct buf text;    /* its text (quoted strings unescaped) */
    struct buf comment; /* the last comment seen */
};

/* skip_comment - skip the comment at the cursor, keeping its text */
static void skip_comment(struct alex *lx)
{
    int depth = 0;

    buf_reset(&lx->comment);
    for (; lx->i < lx->len; lx->i++) {
        char c = lx->s[lx->i];
        if (c == '\\' && lx->i + 1 < lx->len) {
            buf_putc(&lx->comment, lx->s[++lx->i]);
            continue;
        }
        if (c == '(' && depth++ == 0)
            continue;
        if (c == ')' && --depth == 0) {
            lx->i++;
            return;
        }
        buf_putc(&lx->comment, c);
    }
}

/* is_atom_char - atext, "." (for obsolete and dotted forms) or 8-bit */
static int is_atom_char(unsigned char c)
{
    return c > ' ' && c != 0x7F && !strchr("()<>[]:;@\\,\"", c);
}

/* next - advance to the next token */
static void next(struct alex *lx)
{
    lx->space_before = 0;
    buf_reset(&lx->text);
    while (lx->i < lx->len) {
        char c = lx->s[lx->i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            lx->i++;
        } else if (c == '(') {
            skip_comment(lx);
        } else {
            break;
        }
        lx->space_before = 1;
    }
    if (lx->i >= lx->len) {
        lx->type = TOK_EOF;
        return;
    }
    char c = lx->s[lx->i];
    if (c == '"') {
        lx->type = TOK_QUOTED;
        for (lx->i++; lx->i < lx->len && lx->s[lx->i] != '"'; lx->i++) {
            if (lx->s[lx->i] == '\\' && lx->i + 1 < lx->len)
                lx->i++;
            buf_putc(&lx->text, lx->s[lx->i]);
        }
        if (lx->i < lx->len)
            lx->i++;
    } else if (c == '[') {
        lx->type = TOK_LITERAL;
        while (lx->i < lx->len && lx->s[lx->i] != ']')
            buf_putc(&lx->text, lx->s[lx->i++]);
        buf_putc(&lx->text, ']');
        if (lx->i < lx->len)
            lx->i++;
    } else if (is_atom_char((unsigned char)c)) {
        lx->type = TOK_WORD;
        while (lx->i < lx->len && is_atom_char((unsigned char)lx->s[lx->i]))
            buf_putc(&lx->text, lx->s[lx->i++]);
    } else {
        lx->type = TOK_SPECIAL; /* < > @ , ; : ] \ and controls */
        lx->special = c;
        lx->i++;
    }
}

/* is_special - true when the current token is the special c */
static int is_special(const struct alex *lx, char c)
{
    return lx->type == TOK_SPECIAL && lx->special == c;
}

/* add_local_word - append the current word to a local-part */
static void add_local_word(struct alex *lx, struct buf *local)
{
    if (lx->type != TOK_QUOTED) {
        buf_append(local, &lx->text);
        return;
    }
    buf_putc(local, '"');
    for (size_t i = 0; i < lx->text.len; i++) {
        if (lx->text.s[i] == '"' || lx->text.s[i] == '\\')
            buf_putc(local, '\\');
        buf_putc(local, lx->text.s[i]);
    }
    buf_putc(local, '"');
}

/* parse_domain - the domain after "@" into dom; stops before a word that
 * follows a blank without a joining dot (junk, or the next address) */
static void parse_domain(struct alex *lx, struct buf *dom)
{
    while (lx->type == TOK_WORD || lx->type == TOK_LITERAL) {
        if (dom->len && lx->space_before && dom->s[dom->len - 1] != '.' &&
            lx->text.s[0] != '.')
            break;
        buf_append(dom, &lx->text);
        next(lx);
    }
}

/* write_addr - one address: (name adl mailbox host) */
static void write_addr(struct buf *out, const struct buf *name, const struct buf *adl,
                       const char *mbox, size_t mlen, const char *host, size_t hlen)
{
    buf_putc(out, '(');
    message_nstring_write(out, name->len ? name->s : NULL, name->len);
    buf_putc(out, ' ');
    message_nstring_write(out, adl->len ? adl->s : NULL, adl->len);
    buf_putc(out, ' ');
    message_nstring_write(out, mbox, mlen);
    buf_putc(out, ' ');
    message_nstring_write(out, host, hlen);
    buf_putc(out, ')');
}

/* write_mailbox - an address from local and domain, with placeholders */
static void write_mailbox(struct buf *out, const struct buf *name, const struct buf *adl,
                          const struct buf *local, const struct buf *dom)
{
    if (!local->len && !dom->len) {
        write_addr(out, name, adl, "", 0, "", 0); /* "<>" */
        return;
    }
    write_addr(out, name, adl,
               local->len ? local->s : "MISSING_MAILBOX",
               local->len ? local->len : 15,
               dom->len ? dom->s : "MISSING_DOMAIN", dom->len ? dom->len : 14);
}

/* parse_angle - "<" [route ":"] addr-spec ">" (the "<" already read) */
static void parse_angle(struct alex *lx, struct buf *adl, struct buf *local,
                        struct buf *dom)
{
    next(lx);
    if (is_special(lx, '@')) {
        /* obsolete source route: "@a,@b:" */
        while (is_special(lx, '@') || is_special(lx, ',')) {
            if (is_special(lx, '@')) {
                buf_appendcstr(adl, adl->len ? ",@" : "@");
                next(lx);
                parse_domain(lx, adl);
            } else {
                next(lx);
            }
        }
        if (is_special(lx, ':'))
            next(lx);
    }
    while (lx->type == TOK_WORD || lx->type == TOK_QUOTED) {
        add_local_word(lx, local);
        next(lx);
    }
    if (is_special(lx, '@')) {
        next(lx);
        parse_domain(lx, dom);
    }
    while (lx->type != TOK_EOF && !is_special(lx, '>'))
        next(lx); /* junk inside the brackets */
    if (lx->type != TOK_EOF)
        next(lx);
}

/* parse_one - one mailbox, or a group opener, at the current token; the
 * words read first are the phrase, or the local-part if "@" follows */
static void parse_one(struct alex *lx, struct buf *out, int *in_group)
{
    struct buf phrase = BUF_INIT, local = BUF_INIT, dom = BUF_INIT, adl = BUF_INIT;

    buf_reset(&lx->comment);
    while (lx->type == TOK_WORD || lx->type == TOK_QUOTED || lx->type == TOK_LITERAL) {
        if (phrase.len)
            buf_putc(&phrase, ' ');
        buf_append(&phrase, &lx->text);
        add_local_word(lx, &local);
        next(lx);
    }
    if (is_special(lx, ':') && !*in_group) {
        next(lx);
        buf_putc(out, '(');
        buf_appendcstr(out, "NIL NIL ");
        message_nstring_write(out, phrase.s ? phrase.s : "", phrase.len);
        buf_appendcstr(out, " NIL)");
        *in_group = 1;
    } else if (is_special(lx, '<')) {
        buf_reset(&local);
        parse_angle(lx, &adl, &local, &dom);
        if (!phrase.len)
            buf_append(&phrase, &lx->comment);
        write_mailbox(out, &phrase, &adl, &local, &dom);
    } else {
        if (is_special(lx, '@')) {
            next(lx);
            parse_domain(lx, &dom);
        }
        buf_reset(&phrase);
        buf_append(&phrase, &lx->comment); /* "addr (Name)" */
        if (local.len || dom.len)
            write_mailbox(out, &phrase, &adl, &local, &dom);
        else if (lx->type != TOK_EOF)
            next(lx); /* a stray special: skip it */
    }
    buf_free(&phrase);
    buf_free(&local);
    buf_free(&dom);
    buf_free(&adl);
}

int message_address_write(const char *s, size_t len, struct buf *out)
{
    int found;
    struct alex lx = { s, len, 0, TOK_EOF, 0, 0, BUF_INIT, BUF_INIT };
    size_t start = out->len;
    int in_group = 0;

    buf_putc(out, '(');
    next(&lx);
    while (lx.type != TOK_EOF) {
        if (is_special(&lx, ',')) {
            next(&lx);
        } else if (is_special(&lx, ';')) {
            if (in_group)
                buf_appendcstr(out, "(NIL NIL NIL NIL)");
            in_group = 0;
            next(&lx);
        } else {
            parse_one(&lx, out, &in_group);
        }
    }
    if (in_group)
        buf_appendcstr(out, "(NIL NIL NIL NIL)");
    found = out->len > start + 1;
    if (!found) {
        buf_truncate(out, start);
        buf_appendcstr(out, "NIL");
    } else {
        buf_putc(out, ')');
    }
    buf_free(&lx.text);
    buf_free(&lx.comment);
    return found;
}

/* write_field - nstring of the first field called name */
static void write_field(const char *h, size_t len, const char *name, struct buf *out)
{
    struct message_hfield f;
    struct buf v = BUF_INIT;

    if (message_header_find(h, len, name, &f)) {
        message_unfold(f.value, f.valuelen, &v);
        message_nstring_write(out, v.s ? v.s : "", v.len);
    } else {
        buf_appendcstr(out, "NIL");
    }
    buf_free(&v);
}

/* write_addresses - the address list of field name; 0 when it gave NIL */
static int write_addresses(const char *h, size_t len, const char *name,
                           struct buf *out)
{
    struct message_hfield f;
    struct buf v = BUF_INIT;
    int found;

    if (!message_header_find(h, len, name, &f)) {
        buf_appendcstr(out, "NIL");
        return 0;
    }
    message_unfold(f.value, f.valuelen, &v);
    found = message_address_write(v.s ? v.s : "", v.len, out);
    buf_free(&v);
    return found;
}

void message_envelope_write(const char *h, size_t len, struct buf *out)
{
    struct buf from = BUF_INIT;

    buf_putc(out, '(');
    write_field(h, len, "Date", out);
    buf_putc(out, ' ');
    write_field(h, len, "Subject", out);
    buf_putc(out, ' ');
    write_addresses(h, len, "From", &from);
    buf_append(out, &from);
    /* RFC 3501: absent or empty Sender and Reply-To take From's value */
    static const char *const defaulted[] = { "Sender", "Reply-To" };
    for (int i = 0; i < 2; i++) {
        size_t mark = out->len;
        buf_putc(out, ' ');
        if (!write_addresses(h, len, defaulted[i], out)) {
            buf_truncate(out, mark + 1);
            buf_append(out, &from);
        }
    }
    static const char *const lists[] = { "To", "Cc", "Bcc" };
    for (int i = 0; i < 3; i++) {
        buf_putc(out, ' ');
        write_addresses(h, len, lists[i], out);
    }
    buf_putc(out, ' ');
    write_field(h, len, "In-Reply-To", out);
    buf_putc(out, ' ');
    write_field(h, len, "Message-ID", out);
    buf_putc(out, ')');
    buf_free(&from);
}
