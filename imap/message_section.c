/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * message_section.c - resolve FETCH BODY[section] (RFC 3501 6.4.5) to a
 * byte range of the message, or build HEADER.FIELDS[.NOT] output.
 *
 * Called by FETCH with a tree from the cache and the mapped message.
 * Part numbering: the root's parts are its children when it is a
 * multipart, else the root itself is part 1; below that a multipart
 * numbers its children, and a message/rfc822 part numbers the parts of
 * the message it encapsulates (or that message itself when it is not a
 * multipart).  Syntax errors return -1 with a static error text.
 */
#include "config.h"

#include <string.h>

#include "imap/message_internal.h"
#include "imap/message_section.h"
#include "lib/str.h"

/* Most field names in one HEADER.FIELDS list. */
#define SECTION_MAX_FIELDS 256

/* A cursor over the section spec. */
struct spec {
    const char *s;
    size_t len, i;
};

/* has_word - consume w (case-insensitive) at the cursor if present */
static int has_word(struct spec *sp, const char *w)
{
    size_t n = strlen(w);
    if (sp->len - sp->i < n || str_ncasecmp(sp->s + sp->i, w, n))
        return 0;
    sp->i += n;
    return 1;
}

/* child_n - the n-th (1-based) numbered sub-part of p, or NULL */
static const struct message_part *child_n(const struct message_part *p,
                                          uint64_t n, int is_root)
{
    if (p->flags & MESSAGE_PART_RFC822) {
        if (p->nchildren != 1)
            return NULL;
        p = p->children[0];
        if (!(p->flags & MESSAGE_PART_MULTIPART))
            return n == 1 ? p : NULL;
    } else if (!(p->flags & MESSAGE_PART_MULTIPART)) {
        return is_root && n == 1 ? p : NULL;
    }
    return n <= p->nchildren ? p->children[n - 1] : NULL;
}

/* parse_fields - "(" astring *(SP astring) ")" into names */
static int parse_fields(struct spec *sp, const char **names, size_t *lens, size_t *n_r)
{
    size_t n = 0;

    if (!has_word(sp, " ("))
        return -1;
    while (sp->i < sp->len && sp->s[sp->i] != ')') {
        if (n && sp->s[sp->i++] != ' ')
            return -1;
        if (n == SECTION_MAX_FIELDS || sp->i >= sp->len)
            return -1;
        size_t start = sp->i;
        if (sp->s[sp->i] == '"') {
            start++;
            for (sp->i++; sp->i < sp->len && sp->s[sp->i] != '"'; sp->i++)
                if (sp->s[sp->i] == '\\')
                    return -1; /* escapes in a field name: not worth it */
            if (sp->i >= sp->len)
                return -1;
            lens[n] = sp->i++ - start;
        } else {
            while (sp->i < sp->len && !strchr(" ()\"{", sp->s[sp->i]) &&
                   (unsigned char)sp->s[sp->i] > ' ')
                sp->i++;
            lens[n] = sp->i - start;
            if (!lens[n])
                return -1;
        }
        names[n++] = sp->s + start;
    }
    if (n == 0 || !has_word(sp, ")"))
        return -1;
    *n_r = n;
    return 1;
}

/* put_crlf_text - append s[0..len) with every bare LF made CRLF */
static void put_crlf_text(struct buf *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
            buf_putc(out, '\r');
        buf_putc(out, s[i]);
    }
}

/* build_fields - the fields of header h[0..len) named (or, with not,
 * not named) in names, then the blank line */
static void build_fields(struct buf *out, const char *h, size_t len, int not,
                         const char **names, const size_t *lens, size_t n)
{
    struct message_hfield f;
    size_t pos = 0;

    while (message_header_next(h, len, &pos, &f)) {
        int match = 0;
        for (size_t i = 0; i < n && !match; i++)
            match = lens[i] == f.namelen && !str_ncasecmp(names[i], f.name, f.namelen);
        if (match == not)
            continue;
        put_crlf_text(out, h + f.start, f.end - f.start);
        if (f.end == f.start || h[f.end - 1] != '\n')
            buf_appendcstr(out, "\r\n");
    }
    buf_appendcstr(out, "\r\n");
}

/* set_range - a range section */
static int set_range(struct message_section *sec, uint64_t off, uint64_t size,
                     const struct message_part *leaf)
{
    sec->kind = MESSAGE_SECTION_RANGE;
    sec->offset = off;
    sec->size = size;
    sec->leaf = leaf;
    return 1;
}

/* resolve_text - HEADER, HEADER.FIELDS[.NOT] or TEXT of message part m */
static int resolve_text(struct spec *sp, const struct message_part *m,
                        const char *base, size_t len, struct message_section *sec)
{
    const char *names[SECTION_MAX_FIELDS];
    size_t lens[SECTION_MAX_FIELDS], n;
    int not;

    if (has_word(sp, "TEXT"))
        return sp->i == sp->len ? set_range(sec, m->body_offset, m->body_size, NULL) : -1;
    if (!has_word(sp, "HEADER"))
        return -1;
    if (sp->i == sp->len)
        return set_range(sec, m->header_offset, m->header_size, NULL);
    if (!has_word(sp, ".FIELDS"))
        return -1;
    not = has_word(sp, ".NOT");
    if (parse_fields(sp, names, lens, &n) < 0 || sp->i != sp->len)
        return -1;
    sec->kind = MESSAGE_SECTION_BUILT;
    sec->leaf = NULL;
    buf_reset(&sec->built);
    /* clamp to the map: the tree may come from a stale record */
    uint64_t off = m->header_offset < len ? m->header_offset : len;
    uint64_t hsize = m->header_size < len - off ? m->header_size : len - off;
    build_fields(&sec->built, base + off, hsize, not, names, lens, n);
    sec->size = sec->built.len;
    return 1;
}

int message_section_resolve(const struct message_part *root, const char *base,
                            size_t len, const char *spec, size_t speclen,
                            struct message_section *sec, const char **error_r)
{
    struct spec sp = { spec, speclen, 0 };
    const struct message_part *p = root;
    int nums = 0, r;

    *error_r = "bad section";
    while (sp.i < sp.len && spec[sp.i] >= '0' && spec[sp.i] <= '9') {
        size_t start = sp.i;
        uint64_t n;
        while (sp.i < sp.len && spec[sp.i] >= '0' && spec[sp.i] <= '9')
            sp.i++;
        if (str_parse_u64(spec + start, sp.i - start, UINT32_MAX, &n) < 0 || n == 0)
            return -1;
        if (p)
            p = child_n(p, n, nums == 0);
        nums++;
        if (sp.i < sp.len && !has_word(&sp, "."))
            return -1;
        if (sp.i == sp.len && spec[sp.i - 1] == '.')
            return -1;
    }
    if (nums == 0) {
        if (sp.i == sp.len)
            return set_range(sec, 0, len, NULL); /* BODY[] */
        r = resolve_text(&sp, root, base, len, sec);
        return r;
    }
    if (sp.i == sp.len) {
        if (!p)
            return 0;
        int leaf = !(p->flags & (MESSAGE_PART_MULTIPART | MESSAGE_PART_RFC822));
        return set_range(sec, p->body_offset, p->body_size, leaf ? p : NULL);
    }
    if (has_word(&sp, "MIME")) {
        if (sp.i != sp.len)
            return -1;
        return p ? set_range(sec, p->header_offset, p->header_size, NULL) : 0;
    }
    /* check the syntax even when the part is missing */
    struct message_section scratch = MESSAGE_SECTION_INIT;
    int is_msg = p && (p->flags & MESSAGE_PART_RFC822) && p->nchildren == 1;
    r = resolve_text(&sp, is_msg ? p->children[0] : root, base, len,
                     is_msg ? sec : &scratch);
    message_section_fini(&scratch);
    return r < 0 ? -1 : is_msg;
}

void message_section_fini(struct message_section *sec)
{
    buf_free(&sec->built);
    sec->kind = MESSAGE_SECTION_RANGE;
    sec->offset = sec->size = 0;
    sec->leaf = NULL;
}

void message_section_data(const struct message_section *sec, const char *base,
                          size_t len, const char **data_r, size_t *size_r)
{
    if (sec->kind == MESSAGE_SECTION_BUILT) {
        *data_r = sec->built.s ? sec->built.s : "";
        *size_r = sec->built.len;
        return;
    }
    uint64_t off = sec->offset < len ? sec->offset : len;
    uint64_t size = sec->size < len - off ? sec->size : len - off;
    *data_r = base ? base + off : "";
    *size_r = (size_t)size;
}

void message_partial(uint64_t size, uint64_t origin, uint64_t count,
                     uint64_t *off_r, uint64_t *len_r)
{
    *off_r = origin < size ? origin : size;
    *len_r = count < size - *off_r ? count : size - *off_r;
}

int message_section_binary(const struct message_section *sec, const char *base,
                           size_t len, struct buf *out)
{
    const char *data;
    size_t size;

    message_section_data(sec, base, len, &data, &size);
    if (!sec->leaf || sec->kind != MESSAGE_SECTION_RANGE) {
        buf_appendmap(out, data, size);
        return 1;
    }
    return message_decode(sec->leaf->encoding, data, size, out);
}
