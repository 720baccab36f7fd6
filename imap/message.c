/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * message.c - parse a mapped message into the tree of MIME parts.
 *
 * Called by the mailbox store at delivery / APPEND time (and by
 * reconstruct); the tree is then written to the cache (message_cache.c).
 * Splits multiparts on their boundaries (RFC 2046 5.1: nested, missing
 * close delimiter, preamble and epilogue, trailing blanks after a
 * delimiter, CRLF or LF) and descends into message/rfc822.  Past
 * MESSAGE_MAX_DEPTH or MESSAGE_MAX_PARTS, or for an encoded
 * message/rfc822, a container is kept as one opaque leaf.  Never fails.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/charset.h"
#include "imap/message_internal.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

struct parse_ctx {
    const char *base;
    size_t len;
    struct message *m;
};

static const char *const field_names[MESSAGE_FIELD_COUNT] = {
    "From", "To", "Cc", "Bcc", "Subject", "Message-ID", "Date",
};

const char *message_field_name(enum message_field f)
{
    return (unsigned)f < MESSAGE_FIELD_COUNT ? field_names[f] : NULL;
}

const char *message_part_param(const struct strarray *params, const char *name)
{
    for (size_t i = 0; i + 1 < params->count; i += 2)
        if (!str_casecmp(params->data[i], name))
            return params->data[i + 1];
    return NULL;
}

/* part_new - a zeroed part, counted against MESSAGE_MAX_PARTS */
static struct message_part *part_new(struct parse_ctx *ctx)
{
    ctx->m->nparts++;
    return xzmalloc(sizeof(struct message_part));
}

/* part_add_child - append child to parent's children */
static void part_add_child(struct message_part *parent, struct message_part *child)
{
    parent->children = xreallocarray(parent->children, parent->nchildren + 1,
                                     sizeof(*parent->children));
    parent->children[parent->nchildren++] = child;
}

/* make_opaque - a container we will not descend into */
static void make_opaque(struct message_part *p)
{
    p->flags |= MESSAGE_PART_OPAQUE;
    free(p->type);
    free(p->subtype);
    p->type = xstrdup("APPLICATION");
    p->subtype = xstrdup("OCTET-STREAM");
}

/* is_delimiter - true when line[0..n) is "--boundary" ["--"] [blanks];
 * *close_r says whether it is the close delimiter */
static int is_delimiter(const char *line, size_t n, const char *b, size_t blen,
                        int *close_r)
{
    size_t i = 2 + blen;

    if (n < i || line[0] != '-' || line[1] != '-' || memcmp(line + 2, b, blen))
        return 0;
    *close_r = 0;
    if (n >= i + 2 && line[i] == '-' && line[i + 1] == '-') {
        *close_r = 1;
        i += 2;
    }
    for (; i < n; i++)
        if (!strchr(" \t\r\n", line[i]))
            return 0;
    return 1;
}

static struct message_part *parse_entity(struct parse_ctx *ctx, size_t start,
                                         size_t end, int depth, int in_digest,
                                         int is_message);

/* add_body_part - parse [start, end) as the next body part of p */
static void add_body_part(struct parse_ctx *ctx, struct message_part *p,
                          size_t start, size_t end, int depth)
{
    int in_digest = !strcmp(p->subtype, "DIGEST");
    part_add_child(p, parse_entity(ctx, start, end, depth, in_digest, 0));
}

/* parse_multipart - split p's body on boundary b into children */
static void parse_multipart(struct parse_ctx *ctx, struct message_part *p,
                            int depth, const char *b, size_t blen)
{
    const char *base = ctx->base;
    size_t pos = p->body_offset, end = p->body_offset + p->body_size;
    size_t child = SIZE_MAX; /* start of the current body part */
    int close = 0;

    while (pos < end && !close) {
        const char *nl = memchr(base + pos, '\n', end - pos);
        size_t next = nl ? (size_t)(nl - base) + 1 : end;
        if (!is_delimiter(base + pos, next - pos, b, blen, &close)) {
            pos = next;
            continue;
        }
        if (child != SIZE_MAX) {
            /* the line end before a delimiter belongs to the delimiter */
            size_t cend = pos;
            if (cend > child && base[cend - 1] == '\n')
                cend--;
            if (cend > child && base[cend - 1] == '\r')
                cend--;
            add_body_part(ctx, p, child, cend, depth);
            if (ctx->m->nparts >= MESSAGE_MAX_PARTS)
                return;
        }
        child = next;
        pos = next;
    }
    if (child != SIZE_MAX && !close)
        add_body_part(ctx, p, child, end, depth); /* no close delimiter */
    if (p->nchildren == 0) {
        /* the boundary never appears: the whole body is one part */
        struct message_part *c = part_new(ctx);
        c->header_offset = c->body_offset = p->body_offset;
        c->body_size = p->body_size;
        c->body_lines = p->body_lines;
        message_mime_fields(c, "", 0, 0);
        part_add_child(p, c);
    }
}

/* parse_container - descend into a multipart or message/rfc822 part */
static void parse_container(struct parse_ctx *ctx, struct message_part *p,
                            size_t end, int depth)
{
    int full = depth >= MESSAGE_MAX_DEPTH || ctx->m->nparts >= MESSAGE_MAX_PARTS;

    if (!strcmp(p->type, "MULTIPART")) {
        const char *b = message_part_param(&p->params, "BOUNDARY");
        size_t blen = b ? strlen(b) : 0;
        while (blen > 0 && (b[blen - 1] == ' ' || b[blen - 1] == '\t'))
            blen--;
        if (full) {
            make_opaque(p);
        } else if (blen == 0) {
            /* unusable: read it as text, as RFC 2046 5.1.3 suggests */
            free(p->type);
            free(p->subtype);
            p->type = xstrdup("TEXT");
            p->subtype = xstrdup("PLAIN");
        } else {
            p->flags |= MESSAGE_PART_MULTIPART;
            parse_multipart(ctx, p, depth + 1, b, blen);
        }
    } else if (!strcmp(p->type, "MESSAGE") && !strcmp(p->subtype, "RFC822")) {
        /* RFC 2046 5.2.1: only 7bit, 8bit or binary; anything else is opaque */
        const char *e = p->encoding;
        if (full || (e && strcmp(e, "7BIT") && strcmp(e, "8BIT") && strcmp(e, "BINARY"))) {
            make_opaque(p);
        } else {
            p->flags |= MESSAGE_PART_RFC822;
            part_add_child(p, parse_entity(ctx, p->body_offset, end, depth + 1, 0, 1));
        }
    }
}

/* parse_entity - parse the entity at [start, end) and what it contains */
static struct message_part *parse_entity(struct parse_ctx *ctx, size_t start,
                                         size_t end, int depth, int in_digest,
                                         int is_message)
{
    struct message_part *p = part_new(ctx);
    const char *h = ctx->base + start;

    p->header_offset = start;
    p->header_size = message_header_size(h, end - start);
    p->body_offset = start + p->header_size;
    p->body_size = end - p->body_offset;
    p->body_lines = message_count_lines(ctx->base + p->body_offset, p->body_size);
    message_mime_fields(p, h, p->header_size, in_digest);
    if (is_message) {
        struct buf env = BUF_INIT;
        p->flags |= MESSAGE_PART_MESSAGE;
        message_envelope_write(h, p->header_size, &env);
        p->envelope = buf_release(&env);
    }
    parse_container(ctx, p, end, depth);
    return p;
}

/* fill_fields - the root header values SEARCH uses */
static void fill_fields(struct message *m, const char *h, size_t len)
{
    struct buf raw = BUF_INIT, out = BUF_INIT;
    struct message_hfield f;

    for (int i = 0; i < MESSAGE_FIELD_COUNT; i++) {
        if (!message_header_find(h, len, field_names[i], &f))
            continue;
        buf_reset(&raw);
        buf_reset(&out);
        message_unfold(f.value, f.valuelen, &raw);
        if (i == MESSAGE_FIELD_MESSAGE_ID || i == MESSAGE_FIELD_DATE)
            charset_utf8_valid(raw.s ? raw.s : "", raw.len, &out);
        else
            charset_decode_mimeheader(raw.s ? raw.s : "", raw.len, &out);
        /* NULs would cut the C string short anywhere later: drop them */
        size_t k = 0;
        for (size_t j = 0; j < out.len; j++)
            if (out.s[j])
                out.s[k++] = out.s[j];
        out.len = k;
        m->fields[i] = xstrdup(buf_cstring(&out));
    }
    buf_free(&raw);
    buf_free(&out);
}

struct message *message_parse(const char *base, size_t len)
{
    struct message *m = xzmalloc(sizeof(*m));
    struct parse_ctx ctx = { base ? base : "", base ? len : 0, m };

    m->size = ctx.len;
    m->root = parse_entity(&ctx, 0, ctx.len, 0, 0, 1);
    fill_fields(m, ctx.base, m->root->header_size);
    return m;
}

/* part_free - free p and its subtree */
static void part_free(struct message_part *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nchildren; i++)
        part_free(p->children[i]);
    free(p->children);
    free(p->type);
    free(p->subtype);
    strarray_fini(&p->params);
    free(p->id);
    free(p->description);
    free(p->encoding);
    free(p->md5);
    free(p->disposition);
    strarray_fini(&p->disp_params);
    strarray_fini(&p->language);
    free(p->location);
    free(p->envelope);
    free(p);
}

void message_free(struct message **mp)
{
    struct message *m = *mp;

    if (!m)
        return;
    part_free(m->root);
    for (int i = 0; i < MESSAGE_FIELD_COUNT; i++)
        free(m->fields[i]);
    free(m);
    *mp = NULL;
}
