/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * codec.h - the small text codecs mail needs in several places: hex and
 * base64 digit values, and base64 decoding in the two strictnesses mail
 * uses (RFC 2047 encoded words must be exact; MIME bodies are decoded
 * leniently, as every mail reader does).
 *
 * Pure functions; output is appended to a struct buf.  SASL's base64 is
 * cyrus-sasl's own (lib/xsasl.h); modified UTF-7 has its own alphabet
 * (imap/mutf7.c).
 */
#ifndef LIB_CODEC_H
#define LIB_CODEC_H

#include <stddef.h>

struct buf;

/* codec_hex_value - 0..15 for a hex digit (either case), else -1. */
int codec_hex_value(unsigned char c);
/* codec_base64_value - 0..63 for a base64 digit (RFC 4648 alphabet:
 * A-Z a-z 0-9 + /), else -1. */
int codec_base64_value(unsigned char c);

/* codec_base64_decode_strict - decode s[0..len), which must be base64
 * digits followed only by '=' padding (no white space, no other byte).
 * Returns 1 and appends the bytes, or 0 (out unchanged) when s is not
 * such text. */
int codec_base64_decode_strict(const char *s, size_t len, struct buf *out);
/* codec_base64_decode_lenient - decode a MIME base64 body: bytes outside
 * the alphabet (line ends, junk) are skipped, '=' ends a quantum (a
 * partial one is dropped), so concatenated encodings still decode.
 * Never fails. */
void codec_base64_decode_lenient(const char *s, size_t len, struct buf *out);

#endif /* LIB_CODEC_H */
