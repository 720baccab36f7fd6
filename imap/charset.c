/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * charset.c - bytes in a named charset to UTF-8; RFC 2047 and RFC 2231.
 *
 * Called by the message parser (imap/message*.c) at delivery time and by
 * SEARCH.  Conversion goes through iconv(3); the last converter opened is
 * kept for the next call (one process, one thread), so a mailbox full of
 * ISO-8859-1 mail does not reopen it per word.  Nothing here fails: bad
 * input is kept or replaced, and the CHARSET_* flags say so.
 */
#include "config.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>

#include "imap/charset.h"
#include "lib/codec.h"
#include "lib/str.h"

/* The cached converter: name it converts from, and the handle. */
static char cached_name[CHARSET_NAME_MAX + 1];
static iconv_t cached_cd = (iconv_t)-1;

static const char utf8_replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

size_t charset_utf8_seqlen(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned c;

    if (len == 0)
        return 0;
    c = s[0];
    size_t n;
    unsigned cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    /* reject overlong forms, surrogates and code points past U+10FFFF */
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

int charset_utf8_valid(const char *s, size_t len, struct buf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    int flags = 0;
    size_t i = 0;

    while (i < len) {
        size_t n = charset_utf8_seqlen(s + i, len - i);
        if (n == 0) {
            buf_appendcstr(out, utf8_replacement);
            flags |= CHARSET_INVALID;
            i++;
            continue;
        }
        buf_appendmap(out, p + i, n);
        i += n;
    }
    return flags;
}

/* is_utf8_name - true for the names we convert without iconv */
static int is_utf8_name(const char *name)
{
    return !str_casecmp(name, "utf-8") || !str_casecmp(name, "utf8") ||
           !str_casecmp(name, "us-ascii") || !str_casecmp(name, "ascii");
}

/* open_converter - the cached iconv handle for name, or (iconv_t)-1 */
static iconv_t open_converter(const char *name)
{
    if (cached_cd != (iconv_t)-1 && !str_casecmp(cached_name, name)) {
        iconv(cached_cd, NULL, NULL, NULL, NULL); /* reset shift state */
        return cached_cd;
    }
    iconv_t cd = iconv_open("UTF-8", name);
    if (cd == (iconv_t)-1)
        return cd;
    if (cached_cd != (iconv_t)-1)
        iconv_close(cached_cd);
    cached_cd = cd;
    str_lcpy(cached_name, name, sizeof(cached_name));
    return cd;
}

/* convert - run s through cd into out; invalid input becomes U+FFFD */
static int convert(iconv_t cd, const char *s, size_t len, struct buf *out)
{
    char *in = (char *)s;
    size_t inleft = len;
    int flags = 0;

    while (inleft > 0) {
        buf_ensure(out, inleft * 4 + 16);
        char *outp = out->s + out->len;
        size_t outleft = out->alloc - out->len;
        size_t r = iconv(cd, &in, &inleft, &outp, &outleft);
        out->len = (size_t)(outp - out->s);
        if (r != (size_t)-1 || errno == E2BIG)
            continue;
        /* EILSEQ or EINVAL (truncated sequence): skip one byte */
        buf_appendcstr(out, utf8_replacement);
        flags |= CHARSET_INVALID;
        in++;
        inleft--;
        iconv(cd, NULL, NULL, NULL, NULL);
    }
    buf_ensure(out, 16);
    char *outp = out->s + out->len;
    size_t outleft = out->alloc - out->len;
    iconv(cd, NULL, NULL, &outp, &outleft);
    out->len = (size_t)(outp - out->s);
    return flags;
}

int charset_to_utf8(const char *cs, size_t cslen, const char *s, size_t len,
                    struct buf *out)
{
    char name[CHARSET_NAME_MAX + 1];
    size_t i;

    /* RFC 2231 section 5: "charset*language" */
    const char *star = memchr(cs, '*', cslen);
    if (star)
        cslen = (size_t)(star - cs);
    /* only plain names reach iconv: no "//TRANSLIT" or other suffixes */
    if (cslen == 0 || cslen > CHARSET_NAME_MAX)
        goto unknown;
    for (i = 0; i < cslen; i++) {
        unsigned char c = (unsigned char)cs[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || strchr("-_.:+()", c)))
            goto unknown;
        name[i] = (char)c;
    }
    name[cslen] = '\0';
    if (is_utf8_name(name))
        return charset_utf8_valid(s, len, out);
    iconv_t cd = open_converter(name);
    if (cd == (iconv_t)-1)
        goto unknown;
    return convert(cd, s, len, out);

unknown:
    buf_appendmap(out, s, len);
    return CHARSET_UNKNOWN;
}

/* decode_q - RFC 2047 "Q" text into out; malformed "=" escapes kept */
static void decode_q(const char *s, size_t len, struct buf *out)
{
    for (size_t i = 0; i < len; i++) {
        int hi, lo;
        if (s[i] == '_')
            buf_putc(out, ' ');
        else if (s[i] == '=' && i + 2 < len &&
                 (hi = codec_hex_value((unsigned char)s[i + 1])) >= 0 &&
                 (lo = codec_hex_value((unsigned char)s[i + 2])) >= 0) {
            buf_putc(out, (char)(hi << 4 | lo));
            i += 2;
        } else
            buf_putc(out, s[i]);
    }
}

/* A parsed encoded word: =?charset?enc?text?= */
struct eword {
    const char *cs, *text;
    size_t cslen, textlen, total;
    char enc;
};

/* parse_eword - recognise an encoded word at s; 1 when found */
static int parse_eword(const char *s, size_t len, struct eword *w)
{
    size_t i = 2;

    if (len < 8 || s[0] != '=' || s[1] != '?')
        return 0;
    w->cs = s + 2;
    while (i < len && s[i] != '?' && (unsigned char)s[i] > ' ' &&
           (unsigned char)s[i] < 0x7F)
        i++;
    if (i + 3 >= len || s[i] != '?' || i == 2 || s[i + 2] != '?')
        return 0;
    w->cslen = i - 2;
    w->enc = (char)(s[i + 1] & ~0x20);
    if (w->enc != 'B' && w->enc != 'Q')
        return 0;
    i += 3;
    w->text = s + i;
    while (i < len && s[i] != '?' && (unsigned char)s[i] > ' ' &&
           (unsigned char)s[i] < 0x7F)
        i++;
    if (i + 1 >= len || s[i] != '?' || s[i + 1] != '=')
        return 0;
    w->textlen = (size_t)(s + i - w->text);
    w->total = i + 2;
    return 1;
}

/* A run of adjacent encoded words in one charset, decoded but not yet
 * converted, so that a character split across two words survives. */
struct pending {
    struct buf raw;
    const char *cs;
    size_t cslen;
};

/* flush_pending - convert the pending bytes into out */
static int flush_pending(struct pending *pd, struct buf *out)
{
    int flags = 0;
    if (pd->cs)
        flags = charset_to_utf8(pd->cs, pd->cslen, pd->raw.s ? pd->raw.s : "",
                                pd->raw.len, out);
    buf_reset(&pd->raw);
    pd->cs = NULL;
    return flags;
}

/* word_known - true when the word's charset can be converted */
static int word_known(const struct eword *w)
{
    struct buf probe = BUF_INIT;
    int flags = charset_to_utf8(w->cs, w->cslen, "", 0, &probe);
    buf_free(&probe);
    return !(flags & CHARSET_UNKNOWN);
}

/* decode_word - the bytes of a known, well-formed encoded word; 0 if not */
static int decode_word(const char *s, size_t len, struct eword *w, struct buf *wb)
{
    buf_reset(wb);
    if (s[0] != '=' || !parse_eword(s, len, w))
        return 0;
    if (!word_known(w))
        return 0;
    if (w->enc == 'Q') {
        decode_q(w->text, w->textlen, wb);
        return 1;
    }
    return codec_base64_decode_strict(w->text, w->textlen, wb);
}

int charset_decode_mimeheader(const char *s, size_t len, struct buf *out)
{
    struct pending pd = { BUF_INIT, NULL, 0 };
    struct buf wb = BUF_INIT;
    size_t i = 0, ws_start = 0;
    int flags = 0, after_word = 0;

    while (i < len) {
        struct eword w;
        if (decode_word(s + i, len - i, &w, &wb)) {
            if (pd.cs && (pd.cslen != w.cslen || str_ncasecmp(pd.cs, w.cs, w.cslen)))
                flags |= flush_pending(&pd, out);
            /* whitespace held back since the previous word is dropped */
            buf_append(&pd.raw, &wb);
            pd.cs = w.cs;
            pd.cslen = w.cslen;
            i += w.total;
            ws_start = i;
            after_word = 1;
            continue;
        }
        if (after_word && (s[i] == ' ' || s[i] == '\t')) {
            i++; /* maybe between two words: held back until we know */
            continue;
        }
        if (s[i] == '=' && parse_eword(s + i, len - i, &w) && !word_known(&w))
            flags |= CHARSET_UNKNOWN;
        if (after_word) {
            flags |= flush_pending(&pd, out);
            buf_appendmap(out, s + ws_start, i - ws_start);
            after_word = 0;
        }
        /* one plain run: up to the next possible encoded word */
        size_t start = i++;
        while (i < len && s[i] != '=' && !(s[i - 1] == ' ' || s[i - 1] == '\t'))
            i++;
        flags |= charset_utf8_valid(s + start, i - start, out);
    }
    flags |= flush_pending(&pd, out);
    if (after_word)
        buf_appendmap(out, s + ws_start, len - ws_start);
    buf_free(&pd.raw);
    buf_free(&wb);
    return flags;
}

int charset_decode_rfc2231(const char *s, size_t len, struct buf *out)
{
    struct buf raw = BUF_INIT;
    const char *q1 = memchr(s, '\'', len), *q2 = NULL;
    const char *cs = "utf-8", *v = s;
    size_t cslen = 5;
    int flags;

    if (q1)
        q2 = memchr(q1 + 1, '\'', len - (size_t)(q1 + 1 - s));
    if (q2) {
        if (q1 > s) {
            cs = s;
            cslen = (size_t)(q1 - s);
        }
        v = q2 + 1;
    }
    for (const char *p = v; p < s + len; p++) {
        int hi, lo;
        if (*p == '%' && s + len - p >= 3 && (hi = codec_hex_value((unsigned char)p[1])) >= 0 &&
            (lo = codec_hex_value((unsigned char)p[2])) >= 0) {
            buf_putc(&raw, (char)(hi << 4 | lo));
            p += 2;
        } else
            buf_putc(&raw, *p);
    }
    flags = charset_to_utf8(cs, cslen, raw.s ? raw.s : "", raw.len, out);
    buf_free(&raw);
    return flags;
}
