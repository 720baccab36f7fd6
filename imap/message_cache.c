/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * message_cache.c - the cache record: a parse result serialised once at
 * delivery so FETCH and SEARCH never reparse.
 *
 * Format (all integers unsigned LEB128 varints; a string is varint
 * length+1 then the bytes, 0 meaning NULL; a list is varint count then
 * strings):
 *   "MC" version(1 byte)  size  nparts  7 x string (From To Cc Bcc
 *   Subject Message-ID Date, as in struct message)  part
 *   part := flags header_offset header_size body_offset body_size
 *           body_lines type subtype list(params) id description encoding
 *           md5 disposition list(disp_params) list(language) location
 *           envelope nchildren part*      (pre-order)
 * The decoder trusts nothing: every length, count, range and the tree
 * depth are checked, so a corrupt record is refused, never followed.
 */
#include "config.h"

#include <string.h>

#include "imap/message.h"
#include "lib/xmalloc.h"

/* Deepest part tree a record may hold: each container level of the
 * parser adds one tree level, message/rfc822 two. */
#define CACHE_MAX_TREE_DEPTH (2 * MESSAGE_MAX_DEPTH + 2)

/* put_varint - append v as LEB128 */
static void put_varint(struct buf *out, uint64_t v)
{
    do {
        unsigned char c = v & 0x7F;
        v >>= 7;
        buf_putc(out, (char)(v ? c | 0x80 : c));
    } while (v);
}

/* put_str - append a string (NULL allowed) */
static void put_str(struct buf *out, const char *s)
{
    if (!s) {
        put_varint(out, 0);
        return;
    }
    size_t n = strlen(s);
    put_varint(out, (uint64_t)n + 1);
    buf_appendmap(out, s, n);
}

/* put_list - append a strarray */
static void put_list(struct buf *out, const struct strarray *sa)
{
    put_varint(out, sa->count);
    for (size_t i = 0; i < sa->count; i++)
        put_str(out, sa->data[i]);
}

/* put_part - append p and its subtree */
static void put_part(struct buf *out, const struct message_part *p)
{
    put_varint(out, p->flags);
    put_varint(out, p->header_offset);
    put_varint(out, p->header_size);
    put_varint(out, p->body_offset);
    put_varint(out, p->body_size);
    put_varint(out, p->body_lines);
    put_str(out, p->type);
    put_str(out, p->subtype);
    put_list(out, &p->params);
    put_str(out, p->id);
    put_str(out, p->description);
    put_str(out, p->encoding);
    put_str(out, p->md5);
    put_str(out, p->disposition);
    put_list(out, &p->disp_params);
    put_list(out, &p->language);
    put_str(out, p->location);
    put_str(out, p->envelope);
    put_varint(out, p->nchildren);
    for (size_t i = 0; i < p->nchildren; i++)
        put_part(out, p->children[i]);
}

void message_cache_encode(const struct message *m, struct buf *out)
{
    buf_putc(out, 'M');
    buf_putc(out, 'C');
    buf_putc(out, MESSAGE_CACHE_VERSION);
    put_varint(out, m->size);
    put_varint(out, m->nparts);
    for (int i = 0; i < MESSAGE_FIELD_COUNT; i++)
        put_str(out, m->fields[i]);
    put_part(out, m->root);
}

/* The decoder's cursor; err is set once and stops everything. */
struct reader {
    const unsigned char *p, *end;
    const char *err;
    size_t parts;
    uint64_t size;
};

/* get_varint - read a varint; 0 and err set on failure */
static uint64_t get_varint(struct reader *r)
{
    uint64_t v = 0;

    for (int shift = 0; !r->err; shift += 7) {
        if (r->p >= r->end || shift > 63) {
            r->err = "truncated or overlong number";
            break;
        }
        unsigned char c = *r->p++;
        v |= (uint64_t)(c & 0x7F) << shift;
        if (!(c & 0x80))
            return v;
    }
    return 0;
}

/* get_str - read a string (NULL allowed) as a new C string */
static char *get_str(struct reader *r)
{
    uint64_t n = get_varint(r);

    if (r->err || n == 0)
        return NULL;
    n--;
    if (n > (uint64_t)(r->end - r->p) || memchr(r->p, '\0', n)) {
        r->err = "bad string";
        return NULL;
    }
    char *s = xstrndup((const char *)r->p, n);
    r->p += n;
    return s;
}

/* get_list - read a list into sa; pairs: the count must be even */
static void get_list(struct reader *r, struct strarray *sa, int pairs)
{
    uint64_t n = get_varint(r);

    if (r->err)
        return;
    if (n > (uint64_t)(r->end - r->p) || (pairs && (n & 1))) {
        r->err = "bad list";
        return;
    }
    for (uint64_t i = 0; i < n && !r->err; i++) {
        char *s = get_str(r);
        if (!s && !r->err)
            r->err = "NULL in a list";
        if (s)
            strarray_appendm(sa, s);
    }
}

/* check_part - the invariants the rest of the code relies on */
static void check_part(struct reader *r, const struct message_part *p)
{
    if (r->err)
        return;
    if (!p->type || !p->subtype)
        r->err = "part without a type";
    else if (p->header_offset > r->size || p->header_size > r->size - p->header_offset ||
             p->body_offset > r->size || p->body_size > r->size - p->body_offset)
        r->err = "part outside the message";
    else if ((p->flags & MESSAGE_PART_RFC822) && p->nchildren != 1)
        r->err = "message/rfc822 part without one child";
    else if ((p->flags & MESSAGE_PART_MULTIPART) && p->nchildren == 0)
        r->err = "multipart without children";
    else if (!(p->flags & (MESSAGE_PART_RFC822 | MESSAGE_PART_MULTIPART)) && p->nchildren)
        r->err = "leaf with children";
}

/* get_part - read a part and its subtree */
static struct message_part *get_part(struct reader *r, int depth)
{
    struct message_part *p;

    if (depth > CACHE_MAX_TREE_DEPTH || ++r->parts > MESSAGE_MAX_PARTS) {
        r->err = "tree too deep or too large";
        return NULL;
    }
    p = xzmalloc(sizeof(*p));
    p->flags = (unsigned)get_varint(r);
    p->header_offset = get_varint(r);
    p->header_size = get_varint(r);
    p->body_offset = get_varint(r);
    p->body_size = get_varint(r);
    p->body_lines = get_varint(r);
    p->type = get_str(r);
    p->subtype = get_str(r);
    get_list(r, &p->params, 1);
    p->id = get_str(r);
    p->description = get_str(r);
    p->encoding = get_str(r);
    p->md5 = get_str(r);
    p->disposition = get_str(r);
    get_list(r, &p->disp_params, 1);
    get_list(r, &p->language, 0);
    p->location = get_str(r);
    p->envelope = get_str(r);
    uint64_t n = get_varint(r);
    if (!r->err && n > (uint64_t)(r->end - r->p))
        r->err = "bad child count";
    for (uint64_t i = 0; i < n && !r->err; i++) {
        struct message_part *c = get_part(r, depth + 1);
        if (!c)
            break;
        p->children = xreallocarray(p->children, p->nchildren + 1, sizeof(c));
        p->children[p->nchildren++] = c;
    }
    check_part(r, p);
    return p;
}

struct message *message_cache_decode(const char *data, size_t len,
                                     const char **error_r)
{
    struct reader r = { (const unsigned char *)data,
                        (const unsigned char *)data + len, NULL, 0, 0 };
    struct message *m;

    if (len < 3 || data[0] != 'M' || data[1] != 'C') {
        *error_r = "not a message cache record";
        return NULL;
    }
    if (data[2] != MESSAGE_CACHE_VERSION) {
        *error_r = "unsupported message cache record version";
        return NULL;
    }
    r.p += 3;
    m = xzmalloc(sizeof(*m));
    m->size = r.size = get_varint(&r);
    m->nparts = (size_t)get_varint(&r);
    for (int i = 0; i < MESSAGE_FIELD_COUNT; i++)
        m->fields[i] = get_str(&r);
    if (!r.err)
        m->root = get_part(&r, 0);
    if (!r.err && r.p != r.end)
        r.err = "trailing bytes";
    if (!r.err && m->nparts != r.parts)
        r.err = "part count mismatch";
    if (r.err) {
        *error_r = r.err;
        message_free(&m);
        return NULL;
    }
    return m;
}
