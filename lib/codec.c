/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * codec.c - hex and base64 digits; strict and lenient base64 decoding.
 *
 * Used by the MIME parser (BINARY fetches) and the RFC 2047 decoder.  No
 * state, no allocation beyond the caller's buffer.
 */
#include "config.h"

#include "lib/buf.h"
#include "lib/codec.h"

int codec_hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int codec_base64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

int codec_base64_decode_strict(const char *s, size_t len, struct buf *out)
{
    size_t start = out->len, i;
    unsigned acc = 0;
    int bits = 0;

    for (i = 0; i < len && s[i] != '='; i++) {
        int v = codec_base64_value((unsigned char)s[i]);
        if (v < 0) {
            buf_truncate(out, start);
            return 0;
        }
        acc = ((acc << 6) | (unsigned)v) & 0xFFFFFF;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf_putc(out, (char)((acc >> bits) & 0xFF));
        }
    }
    for (; i < len; i++)
        if (s[i] != '=') {
            buf_truncate(out, start);
            return 0;
        }
    return 1;
}

void codec_base64_decode_lenient(const char *s, size_t len, struct buf *out)
{
    unsigned acc = 0;
    int bits = 0;

    for (size_t i = 0; i < len; i++) {
        int v;
        if (s[i] == '=') {
            acc = 0;
            bits = 0;
            continue;
        }
        v = codec_base64_value((unsigned char)s[i]);
        if (v < 0)
            continue;
        acc = ((acc << 6) | (unsigned)v) & 0xFFFFFF;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf_putc(out, (char)((acc >> bits) & 0xFF));
        }
    }
}
