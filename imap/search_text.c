/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * search_text.c - header fields and body text of a message in the search
 * form of imap/charset.h (case-folded UTF-8, blanks collapsed).
 *
 * Called by search_eval.c (HEADER on uncached fields, TEXT, BODY) and
 * thread.c users (References, In-Reply-To).  Text parts are decoded with
 * message_decode() and converted with charset_to_utf8(); non-text leaves
 * (images, applications) are skipped, as Cyrus does.  Input is a mapped
 * file and never needs a NUL; nothing here fails or logs.
 */
#include "config.h"

#include <string.h>

#include "imap/charset.h"
#include "imap/message_section.h"
#include "imap/search_text.h"
#include "lib/str.h"

/* field_end - the end of the field starting at p: past its last line's LF,
 * continuation lines included */
static const char *field_end(const char *p, const char *end)
{
    for (;;) {
        const char *lf = memchr(p, '\n', (size_t)(end - p));
        if (!lf)
            return end;
        p = lf + 1;
        if (p >= end || (*p != ' ' && *p != '\t'))
            return p;
    }
}

/* unfold - append v[0..n) to out with CR and LF removed */
static void unfold(const char *v, size_t n, struct buf *out)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] != '\r' && v[i] != '\n')
            buf_putc(out, v[i]);
    }
}

/* next_field - the field at *pp: name [*name_r, colon), value after it;
 * 0 at the blank line ending the header or at the end */
static int next_field(const char **pp, const char *end, const char **name_r,
                      size_t *namelen_r, const char **val_r, size_t *vallen_r)
{
    const char *p = *pp, *fe, *colon;

    while (p < end) {
        if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n'))
            return 0;
        fe = field_end(p, end);
        colon = memchr(p, ':', (size_t)(fe - p));
        *pp = fe;
        if (colon) {
            *name_r = p;
            *namelen_r = (size_t)(colon - p);
            while (*namelen_r && (p[*namelen_r - 1] == ' ' || p[*namelen_r - 1] == '\t'))
                (*namelen_r)--;
            *val_r = colon + 1;
            *vallen_r = (size_t)(fe - colon - 1);
            return 1;
        }
        p = fe;                      /* a line without a colon: skip it */
    }
    return 0;
}

void search_text_fields(const char *hdr, size_t len, const char *name,
                        struct strarray *values)
{
    const char *p = hdr, *end = hdr + len, *fname, *val;
    size_t fnlen, vlen, nlen = strlen(name);
    struct buf v = BUF_INIT;

    while (next_field(&p, end, &fname, &fnlen, &val, &vlen)) {
        if (fnlen != nlen || str_ncasecmp(fname, name, nlen) != 0)
            continue;
        buf_reset(&v);
        unfold(val, vlen, &v);
        strarray_append(values, str_trim((char *)buf_cstring(&v)));
    }
    buf_free(&v);
}

void search_text_header(const char *hdr, size_t len, struct buf *out)
{
    const char *p = hdr, *end = hdr + len, *fname, *val;
    size_t fnlen, vlen;
    struct buf line = BUF_INIT, dec = BUF_INIT;

    while (next_field(&p, end, &fname, &fnlen, &val, &vlen)) {
        buf_reset(&line);
        buf_reset(&dec);
        buf_appendmap(&line, fname, fnlen);
        buf_appendcstr(&line, ": ");
        unfold(val, vlen, &dec);
        charset_decode_mimeheader(dec.s ? dec.s : "", dec.len, &line);
        charset_search_normalize(line.s, line.len, out);
        buf_putc(out, '\0');
    }
    buf_free(&line);
    buf_free(&dec);
}

/* is_text - whether a leaf is searched: type TEXT or the default type */
static int is_text(const struct message_part *part)
{
    return (part->flags & MESSAGE_PART_DEFTYPE) ||
           (part->type && !str_casecmp(part->type, "TEXT"));
}

/* leaf_text - append one text leaf, decoded and converted, to out */
static void leaf_text(const struct message_part *part, const char *base,
                      size_t len, struct buf *out)
{
    struct buf raw = BUF_INIT, utf8 = BUF_INIT;
    const char *cs = message_part_param(&part->params, "CHARSET");
    uint64_t off = part->body_offset, size = part->body_size;

    if (off > len)
        return;
    if (size > len - off)
        size = len - off;
    if (!message_decode(part->encoding, base + off, (size_t)size, &raw))
        buf_setmap(&raw, base + off, (size_t)size);   /* unknown CTE: as is */
    if (!cs || !str_casecmp(cs, "US-ASCII") || !str_casecmp(cs, "UTF-8"))
        charset_utf8_valid(raw.s ? raw.s : "", raw.len, &utf8);
    else if (charset_to_utf8(cs, strlen(cs), raw.s ? raw.s : "", raw.len,
                             &utf8) & CHARSET_UNKNOWN) {
        buf_reset(&utf8);
        charset_utf8_valid(raw.s ? raw.s : "", raw.len, &utf8);
    }
    charset_search_normalize(utf8.s ? utf8.s : "", utf8.len, out);
    buf_putc(out, '\0');
    buf_free(&raw);
    buf_free(&utf8);
}

void search_text_body(const struct message_part *root, const char *base,
                      size_t len, struct buf *out)
{
    if (root->flags & MESSAGE_PART_RFC822) {
        if (root->nchildren) {
            const struct message_part *m = root->children[0];
            if (m->header_offset <= len && m->header_size <= len - m->header_offset)
                search_text_header(base + m->header_offset,
                                   (size_t)m->header_size, out);
            search_text_body(m, base, len, out);
        }
    } else if (root->flags & MESSAGE_PART_MULTIPART) {
        for (size_t i = 0; i < root->nchildren; i++)
            search_text_body(root->children[i], base, len, out);
    } else if (!(root->flags & MESSAGE_PART_OPAQUE) && is_text(root)) {
        leaf_text(root, base, len, out);
    }
}

int search_text_contains(const char *hay, size_t hlen, const char *needle,
                         size_t nlen)
{
    if (nlen == 0)
        return 1;
    if (!hay || hlen < nlen)
        return 0;
    return memmem(hay, hlen, needle, nlen) != NULL;
}
