/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * message_decode.c - remove a Content-Transfer-Encoding (RFC 2045 6.7,
 * 6.8) for FETCH BINARY (RFC 3516).
 *
 * Called by message_section_binary().  Decoding is lenient, as mail in
 * the wild needs: base64 skips bytes outside its alphabet, and
 * quoted-printable keeps a malformed "=" as written.  An encoding we do
 * not know returns 0 so the caller can answer NO [UNKNOWN-CTE].
 */
#include "config.h"

#include <string.h>

#include "imap/message_section.h"
#include "lib/buf.h"
#include "lib/codec.h"

/* decode_qp_line - one line (without its line end) of quoted-printable;
 * returns 1 when it ended in a soft line break */
static int decode_qp_line(const char *s, size_t n, struct buf *out)
{
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--; /* transport padding (RFC 2045 6.7 rule 3) */
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] != '=') {
            buf_putc(out, s[i]);
        } else if (i + 1 == n) {
            return 1;
        } else if (i + 2 < n && (hi = codec_hex_value((unsigned char)s[i + 1])) >= 0 &&
                   (lo = codec_hex_value((unsigned char)s[i + 2])) >= 0) {
            buf_putc(out, (char)(hi << 4 | lo));
            i += 2;
        } else {
            buf_putc(out, '=');
        }
    }
    return 0;
}

/* decode_qp - quoted-printable to bytes, line ends kept as written */
static void decode_qp(const char *s, size_t len, struct buf *out)
{
    size_t pos = 0;

    while (pos < len) {
        const char *nl = memchr(s + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - s) : len, content = end;
        if (content > pos && s[content - 1] == '\r')
            content--;
        int soft = decode_qp_line(s + pos, content - pos, out);
        if (!soft && nl)
            buf_appendmap(out, s + content, end + 1 - content);
        pos = nl ? end + 1 : len;
    }
}

int message_decode(const char *encoding, const char *s, size_t len,
                   struct buf *out)
{
    if (!encoding || !strcmp(encoding, "7BIT") || !strcmp(encoding, "8BIT") ||
        !strcmp(encoding, "BINARY")) {
        buf_appendmap(out, s, len);
        return 1;
    }
    if (!strcmp(encoding, "BASE64")) {
        codec_base64_decode_lenient(s, len, out);
        return 1;
    }
    if (!strcmp(encoding, "QUOTED-PRINTABLE")) {
        decode_qp(s, len, out);
        return 1;
    }
    return 0;
}
