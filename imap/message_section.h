/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * message_section.h - FETCH BODY[section]<partial> and BINARY[section]
 * (RFC 3501 6.4.5, RFC 3516) against a part tree.
 *
 * The tree comes from message_parse() or message_cache_decode(); the
 * message bytes base[0..len) are the mapped file.  A section is either a
 * byte range of the message or, for HEADER.FIELDS[.NOT], a small built
 * buffer.  message_section.c resolves; message_decode.c decodes.
 */
#ifndef IMAP_MESSAGE_SECTION_H
#define IMAP_MESSAGE_SECTION_H

#include <stddef.h>
#include <stdint.h>

#include "imap/message.h"
#include "lib/buf.h"

enum message_section_kind {
    MESSAGE_SECTION_RANGE, /* offset, size in the message */
    MESSAGE_SECTION_BUILT  /* built holds the bytes */
};

struct message_section {
    enum message_section_kind kind;
    uint64_t offset, size;
    struct buf built;
    /* the leaf part whose body this range is, or NULL: only such a range
     * is decoded by message_section_binary() */
    const struct message_part *leaf;
};

#define MESSAGE_SECTION_INIT { MESSAGE_SECTION_RANGE, 0, 0, BUF_INIT, NULL }

/* message_section_resolve - resolve spec[0..speclen), the text between
 * the brackets of BODY[...] ("", "1.2", "1.2.MIME", "HEADER",
 * "2.HEADER.FIELDS (From To)", "TEXT", ...; case-insensitive) against
 * root, for the message base[0..len).  Returns 1 with *sec filled; 0 when
 * the part does not exist or has no such sub-part (the caller answers an
 * empty string); -1 with *error_r (static text) on bad syntax.  Release
 * sec with message_section_fini; sec->leaf points into root. */
int message_section_resolve(const struct message_part *root, const char *base,
                            size_t len, const char *spec, size_t speclen,
                            struct message_section *sec, const char **error_r);

/* message_section_fini - free what sec holds; it may be reused. */
void message_section_fini(struct message_section *sec);

/* message_section_data - the section's bytes (a range clamped to len, so
 * a stale record cannot read past the map). Valid while base and sec are. */
void message_section_data(const struct message_section *sec, const char *base,
                          size_t len, const char **data_r, size_t *size_r);

/* message_partial - clamp <origin.count> to a section of size bytes:
 * *off_r = min(origin, size), *len_r = min(count, size - *off_r). */
void message_partial(uint64_t size, uint64_t origin, uint64_t count,
                     uint64_t *off_r, uint64_t *len_r);

/* message_section_binary - append the section's bytes to out with the
 * leaf's Content-Transfer-Encoding removed (RFC 3516).  Returns 1, or 0
 * when the encoding is unknown (answer NO [UNKNOWN-CTE]; out untouched).
 * Ranges that are not a leaf body, and 7BIT/8BIT/BINARY, are copied. */
int message_section_binary(const struct message_section *sec, const char *base,
                           size_t len, struct buf *out);

/* message_decode - append s[0..len) decoded from encoding (upper case as
 * parsed; NULL means 7BIT) to out: 1 done, 0 unknown encoding.  Base64 is
 * lenient (non-alphabet bytes skipped); quoted-printable keeps a
 * malformed "=" as is and drops trailing blanks on each line. */
int message_decode(const char *encoding, const char *s, size_t len,
                   struct buf *out);

#endif /* IMAP_MESSAGE_SECTION_H */
