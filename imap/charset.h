/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * charset.h - header text to UTF-8, and the form SEARCH compares.
 *
 * charset.c converts bytes in a named charset to UTF-8 (through iconv),
 * decodes RFC 2047 encoded words and RFC 2231 parameter values;
 * charset_fold.c folds UTF-8 into the case-insensitive form SEARCH
 * compares.  None of these fail: bad input is kept or replaced and
 * reported with the CHARSET_* flags below.  Input is (pointer, length)
 * and never needs a NUL; output is appended to a struct buf.
 */
#ifndef IMAP_CHARSET_H
#define IMAP_CHARSET_H

#include <stddef.h>

#include "lib/buf.h"

/* Result flags (a bit set; 0 means clean). */
#define CHARSET_UNKNOWN 0x1 /* a charset iconv does not know: text kept */
#define CHARSET_INVALID 0x2 /* a bad byte sequence became U+FFFD */

/* Longest charset name accepted; longer names count as unknown. */
#define CHARSET_NAME_MAX 64

/* charset_to_utf8 - append s[0..len), in charset cs[0..cslen) (case-
 * insensitive, e.g. "ISO-8859-1"), to out as UTF-8.  An RFC 2231 language
 * suffix ("utf-8*en") is ignored.  Unknown charset: the bytes are appended
 * unchanged and CHARSET_UNKNOWN returned.  Returns a CHARSET_* bit set. */
int charset_to_utf8(const char *cs, size_t cslen, const char *s, size_t len,
                    struct buf *out);

/* charset_decode_mimeheader - append the unfolded header text s[0..len) to
 * out with RFC 2047 encoded words (B and Q) decoded to UTF-8.  Whitespace
 * between two adjacent encoded words is dropped; a malformed word, or one
 * in an unknown charset (CHARSET_UNKNOWN), is kept as written.  8-bit text
 * outside encoded words is taken as UTF-8 (RFC 6532).  Returns CHARSET_*. */
int charset_decode_mimeheader(const char *s, size_t len, struct buf *out);

/* charset_decode_rfc2231 - append the RFC 2231 extended value
 * "charset'language'percent-encoded" s[0..len) to out as UTF-8.  A value
 * without the two quotes is percent-decoded and taken as UTF-8.  Returns
 * CHARSET_*. */
int charset_decode_rfc2231(const char *s, size_t len, struct buf *out);

/* charset_utf8_valid - append s[0..len) to out, replacing each byte that
 * is not part of a valid UTF-8 sequence by U+FFFD; returns CHARSET_*. */
int charset_utf8_valid(const char *s, size_t len, struct buf *out);

/* charset_utf8_seqlen - length (1-4) of the valid UTF-8 sequence at
 * s[0..len), or 0 when it is invalid, truncated or len is 0. */
size_t charset_utf8_seqlen(const char *s, size_t len);

/* charset_search_normalize - append the search form of the UTF-8 text
 * s[0..len) to out: case-folded (ASCII, Latin-1, Latin Extended-A, Greek,
 * Cyrillic; U+00DF folds to "ss"), every run of whitespace made one space,
 * invalid UTF-8 made U+FFFD.  Two strings match case-insensitively when
 * their forms are equal (or one contains the other, for SEARCH). */
void charset_search_normalize(const char *s, size_t len, struct buf *out);

#endif /* IMAP_CHARSET_H */
