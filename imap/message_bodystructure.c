/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * message_bodystructure.c - BODY and BODYSTRUCTURE (RFC 3501 7.4.2 and
 * the body grammar of section 9) from a part tree, and IMAP strings.
 *
 * Called at delivery time (so the cache holds the strings ready) or at
 * FETCH time from a decoded cache record.  Type, subtype, parameter
 * names, encoding and disposition are upper case as parsed; a missing
 * Content-Transfer-Encoding is "7BIT".  Output only; never fails.
 */
#include "config.h"

#include <string.h>

#include "imap/message_internal.h"

/* Longest string sent quoted; longer ones go as literals. */
#define MESSAGE_QUOTED_MAX 1024

void message_nstring_write(struct buf *out, const char *s, size_t len)
{
    size_t i, n = 0;
    int quoted = len <= MESSAGE_QUOTED_MAX;

    if (!s) {
        buf_appendcstr(out, "NIL");
        return;
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0)
            continue;
        n++;
        if (c >= 0x80 || c == '\r' || c == '\n')
            quoted = 0;
    }
    if (quoted) {
        buf_putc(out, '"');
        for (i = 0; i < len; i++) {
            if (!s[i])
                continue;
            if (s[i] == '"' || s[i] == '\\')
                buf_putc(out, '\\');
            buf_putc(out, s[i]);
        }
        buf_putc(out, '"');
        return;
    }
    buf_printf(out, "{%zu}\r\n", n);
    for (i = 0; i < len; i++)
        if (s[i])
            buf_putc(out, s[i]);
}

void message_cstring_write(struct buf *out, const char *s)
{
    message_nstring_write(out, s, s ? strlen(s) : 0);
}

/* write_params - body-fld-param: NIL or ("NAME" "value" ...) */
static void write_params(struct buf *out, const struct strarray *params)
{
    if (params->count < 2) {
        buf_appendcstr(out, "NIL");
        return;
    }
    buf_putc(out, '(');
    for (size_t i = 0; i + 1 < params->count; i += 2) {
        if (i)
            buf_putc(out, ' ');
        message_cstring_write(out, params->data[i]);
        buf_putc(out, ' ');
        message_cstring_write(out, params->data[i + 1]);
    }
    buf_putc(out, ')');
}

/* write_ext_common - body-fld-dsp SP body-fld-lang SP body-fld-loc */
static void write_ext_common(struct buf *out, const struct message_part *p)
{
    if (p->disposition) {
        buf_putc(out, '(');
        message_cstring_write(out, p->disposition);
        buf_putc(out, ' ');
        write_params(out, &p->disp_params);
        buf_putc(out, ')');
    } else {
        buf_appendcstr(out, "NIL");
    }
    buf_putc(out, ' ');
    if (p->language.count == 0) {
        buf_appendcstr(out, "NIL");
    } else if (p->language.count == 1) {
        message_cstring_write(out, p->language.data[0]);
    } else {
        buf_putc(out, '(');
        for (size_t i = 0; i < p->language.count; i++) {
            if (i)
                buf_putc(out, ' ');
            message_cstring_write(out, p->language.data[i]);
        }
        buf_putc(out, ')');
    }
    buf_putc(out, ' ');
    message_cstring_write(out, p->location);
}

/* write_fields - body-fields: param SP id SP desc SP enc SP octets */
static void write_fields(struct buf *out, const struct message_part *p)
{
    write_params(out, &p->params);
    buf_putc(out, ' ');
    message_cstring_write(out, p->id);
    buf_putc(out, ' ');
    message_cstring_write(out, p->description);
    buf_putc(out, ' ');
    message_cstring_write(out, p->encoding ? p->encoding : "7BIT");
    buf_printf(out, " %llu", (unsigned long long)p->body_size);
}

/* write_multipart - body-type-mpart [SP body-ext-mpart] */
static void write_multipart(const struct message_part *p, int extended,
                            struct buf *out)
{
    for (size_t i = 0; i < p->nchildren; i++)
        message_body_write(p->children[i], extended, out);
    buf_putc(out, ' ');
    message_cstring_write(out, p->subtype);
    if (!extended)
        return;
    buf_putc(out, ' ');
    write_params(out, &p->params);
    buf_putc(out, ' ');
    write_ext_common(out, p);
}

void message_body_write(const struct message_part *p, int extended,
                        struct buf *out)
{
    buf_putc(out, '(');
    if (p->flags & MESSAGE_PART_MULTIPART) {
        write_multipart(p, extended, out);
        buf_putc(out, ')');
        return;
    }
    message_cstring_write(out, p->type);
    buf_putc(out, ' ');
    message_cstring_write(out, p->subtype);
    buf_putc(out, ' ');
    write_fields(out, p);
    if ((p->flags & MESSAGE_PART_RFC822) && p->nchildren == 1) {
        const struct message_part *m = p->children[0];
        buf_putc(out, ' ');
        if (m->envelope)
            buf_appendcstr(out, m->envelope);
        else
            buf_appendcstr(out, "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
        buf_putc(out, ' ');
        message_body_write(m, extended, out);
        buf_printf(out, " %llu", (unsigned long long)p->body_lines);
    } else if (!strcmp(p->type, "TEXT")) {
        buf_printf(out, " %llu", (unsigned long long)p->body_lines);
    }
    if (extended) {
        buf_putc(out, ' ');
        message_cstring_write(out, p->md5);
        buf_putc(out, ' ');
        write_ext_common(out, p);
    }
    buf_putc(out, ')');
}
