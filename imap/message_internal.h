/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * message_internal.h - helpers shared by the imap/message*.c modules only.
 *
 * Header blocks are (pointer, length) slices of the mapped message, as the
 * part tree records them; nothing here needs a NUL.
 */
#ifndef IMAP_MESSAGE_INTERNAL_H
#define IMAP_MESSAGE_INTERNAL_H

#include <stddef.h>

#include "imap/message.h"
#include "lib/buf.h"

/* One header field, pointing into the header block. */
struct message_hfield {
    const char *name;  /* field name, colon and trailing blanks excluded */
    size_t namelen;
    const char *value; /* after the colon up to the field's last line end */
    size_t valuelen;   /* (folds included, final CRLF/LF excluded) */
    size_t start, end; /* the whole field, final line end included */
};

/* message_header_size - size of the header block at b[0..len): every
 * field line and continuation, plus the blank line ending it when there
 * is one.  A line that is neither ends the header before it. */
size_t message_header_size(const char *b, size_t len);

/* message_header_next - the field at *pos of the header block h[0..len)
 * into *f and advance *pos; returns 1, or 0 at the end of the fields. */
int message_header_next(const char *h, size_t len, size_t *pos,
                        struct message_hfield *f);

/* message_header_find - the first field named name (case-insensitive) in
 * h[0..len) into *f; 1 found, 0 not. */
int message_header_find(const char *h, size_t len, const char *name,
                        struct message_hfield *f);

/* message_unfold - append s[0..len) with CR and LF removed and leading
 * and trailing blanks trimmed. */
void message_unfold(const char *s, size_t len, struct buf *out);

/* message_mime_fields - fill the Content-* fields, type and parameters of
 * part from its header block h[0..len).  in_digest: the default type is
 * message/rfc822 (RFC 2046 5.1.5) instead of text/plain. */
void message_mime_fields(struct message_part *part, const char *h, size_t len,
                         int in_digest);

/* message_count_lines - LFs in s[0..len), +1 for an unterminated last line. */
uint64_t message_count_lines(const char *s, size_t len);

#endif /* IMAP_MESSAGE_INTERNAL_H */
