/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * message.h - an RFC 5322 / MIME message parsed into a tree of parts.
 *
 * The backend parses a message once, at delivery or APPEND, while the
 * file is mapped: message_parse() builds the part tree (byte offsets,
 * sizes, line counts, decoded Content-* fields, the ENVELOPE of every
 * message level) and the header values SEARCH needs.  The result is then
 * serialised into the per-mailbox cache (message_cache_encode) so FETCH
 * and SEARCH never reparse; message_cache_decode gives the same tree back.
 *
 * Modules: message.c (tree, multipart, message/rfc822), message_mime.c
 * (header fields, Content-* and parameters), message_envelope.c
 * (ENVELOPE), message_bodystructure.c (BODY, BODYSTRUCTURE, IMAP
 * strings), message_section.c (BODY[section] ranges, HEADER.FIELDS,
 * partial), message_decode.c (BINARY: base64, quoted-printable),
 * message_cache.c (the cache record).
 *
 * Input is (pointer, length) and never needs a NUL; it may hold NULs,
 * 8-bit bytes, bare LF or CRLF line ends.  Malformed mail never fails:
 * see the MESSAGE_MAX_* limits for what happens past them.
 */
#ifndef IMAP_MESSAGE_H
#define IMAP_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/strarray.h"

/* Deepest nesting of multipart and message/rfc822 levels that is parsed;
 * a container deeper than this is kept as one opaque leaf, reported as
 * APPLICATION/OCTET-STREAM (message.c). */
#define MESSAGE_MAX_DEPTH  32
/* Most parts in one message; once reached, a multipart stops splitting
 * and later containers become opaque leaves (message.c).  Bounds the
 * memory of a parse, and of a decoded cache record (message_cache.c). */
#define MESSAGE_MAX_PARTS  5000
/* Most parameters kept per Content-Type / Content-Disposition field, RFC
 * 2231 continuation segments included; the rest are ignored
 * (message_mime.c). */
#define MESSAGE_MAX_PARAMS 64

/* Flags of a part. */
#define MESSAGE_PART_MULTIPART 0x01 /* children are its body parts */
#define MESSAGE_PART_RFC822    0x02 /* children[0] is the encapsulated message */
#define MESSAGE_PART_OPAQUE    0x04 /* a container not parsed (limit or encoding) */
#define MESSAGE_PART_MESSAGE   0x08 /* a message level: root or encapsulated */
#define MESSAGE_PART_DEFTYPE   0x10 /* no usable Content-Type: type is the default */

/*
 * One MIME entity.  Offsets are from the start of the whole message.
 * The header runs [header_offset, header_offset + header_size) and
 * includes the blank line ending it when there is one; the body follows
 * immediately.  In a multipart the CRLF before a boundary line belongs to
 * the boundary, not to the body.  Strings are owned by the part,
 * NUL-terminated, UTF-8 where decoded; NULL when the field is absent.
 */
struct message_part {
    uint64_t header_offset, header_size;
    uint64_t body_offset, body_size;
    uint64_t body_lines;      /* LFs in the body, +1 for an unterminated last line */
    unsigned flags;           /* MESSAGE_PART_* */
    char *type, *subtype;     /* upper case, never NULL after parsing */
    struct strarray params;   /* Content-Type: name (upper case), value, ... */
    char *id;                 /* Content-ID, raw */
    char *description;        /* Content-Description, raw (RFC 2047 kept) */
    char *encoding;           /* Content-Transfer-Encoding, upper case */
    char *md5;                /* Content-MD5 */
    char *disposition;        /* Content-Disposition type, upper case */
    struct strarray disp_params; /* name (upper case), value, ... */
    struct strarray language; /* Content-Language tags */
    char *location;           /* Content-Location */
    char *envelope;           /* ENVELOPE string, MESSAGE_PART_MESSAGE only */
    size_t nchildren;
    struct message_part **children;
};

/* The header fields the cache keeps for SEARCH, root level only. */
enum message_field {
    MESSAGE_FIELD_FROM,
    MESSAGE_FIELD_TO,
    MESSAGE_FIELD_CC,
    MESSAGE_FIELD_BCC,
    MESSAGE_FIELD_SUBJECT,
    MESSAGE_FIELD_MESSAGE_ID,
    MESSAGE_FIELD_DATE,
    MESSAGE_FIELD_COUNT
};

struct message {
    uint64_t size;        /* bytes in the whole message */
    size_t nparts;        /* parts in the tree */
    struct message_part *root;
    /* unfolded values, RFC 2047 decoded to UTF-8 (not for Message-ID and
     * Date, which are raw); NULL when the field is absent */
    char *fields[MESSAGE_FIELD_COUNT];
};

/* message_parse - parse base[0..len) into a new tree; never fails.  The
 * result does not point into base (offsets only); free it with
 * message_free.  Memory is proportional to the number of parts
 * (capped at MESSAGE_MAX_PARTS) plus the header text decoded. */
struct message *message_parse(const char *base, size_t len);

/* message_free - free *mp and everything in it; NULL *mp. */
void message_free(struct message **mp);

/* message_field_name - the header name of f ("From", ...). */
const char *message_field_name(enum message_field f);

/* message_part_param - the value of parameter name (case-insensitive)
 * in params (a name, value, ... array), or NULL. */
const char *message_part_param(const struct strarray *params, const char *name);

/* ---- ENVELOPE (message_envelope.c) ---- */

/* message_envelope_write - append the RFC 3501 ENVELOPE of the header
 * base[0..len) (a header block, as the tree records it) to out. */
void message_envelope_write(const char *base, size_t len, struct buf *out);

/* message_address_write - append the IMAP address list for the raw
 * address header value s[0..len) to out: "(" 1*address ")" or NIL when
 * no address was found (returns 1 or 0).  Groups use the RFC 3501 group
 * form. */
int message_address_write(const char *s, size_t len, struct buf *out);

/* ---- BODY / BODYSTRUCTURE and IMAP strings (message_bodystructure.c) ---- */

/* message_body_write - append BODY (extended = 0) or BODYSTRUCTURE
 * (extended = 1) of the tree rooted at part to out. */
void message_body_write(const struct message_part *part, int extended,
                        struct buf *out);

/* message_nstring_write - append s[0..len) as an IMAP string: NIL when s
 * is NULL, quoted when it is short 7-bit text, else a literal.  NUL bytes
 * (which IMAP strings cannot carry) are dropped. */
void message_nstring_write(struct buf *out, const char *s, size_t len);
/* message_cstring_write - the same for a NUL-terminated s (or NULL). */
void message_cstring_write(struct buf *out, const char *s);

/* ---- the cache record (message_cache.c) ---- */

/* Version byte of the record; decode refuses any other. */
#define MESSAGE_CACHE_VERSION 1

/* message_cache_encode - append the cache record of m to out. */
void message_cache_encode(const struct message *m, struct buf *out);

/* message_cache_decode - rebuild a tree from a record (data[0..len), no
 * NUL needed).  Returns a new message (free with message_free), or NULL
 * with *error_r set (static text) when the record is truncated, has
 * another version, or breaks a limit. */
struct message *message_cache_decode(const char *data, size_t len,
                                     const char **error_r);

#endif /* IMAP_MESSAGE_H */
