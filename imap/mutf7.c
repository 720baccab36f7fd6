/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mutf7.c - IMAP modified UTF-7 <-> UTF-8 (RFC 3501 section 5.1.3).
 *
 * Used by the mailbox-name layer (imap/mboxname.c) to check names and by
 * anything that shows names to humans or to Sieve (UTF-8).  Written from
 * the RFC: UTF-16 code units are fed 6 bits at a time through a small bit
 * accumulator.  The decoder is strict so that every accepted name has
 * exactly one spelling; that is what lets the mailbox list compare names
 * byte-wise.  Errors are reported as static strings; no logging.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "imap/mutf7.h"
#include "lib/buf.h"

static const char mutf7_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/* b64_value - value of one modified-base64 character, or -1 */
static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == ',')
        return 63;
    return -1;
}

/* utf8_next - decode one scalar value at s[*i]; -1 on malformed input */
static long utf8_next(const unsigned char *s, size_t len, size_t *i)
{
    unsigned char c = s[*i];
    size_t need;
    long cp, min;

    if (c < 0x80) {
        (*i)++;
        return c;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        need = 1; cp = c & 0x1f; min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 2; cp = c & 0x0f; min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3; cp = c & 0x07; min = 0x10000;
    } else {
        return -1; /* continuation byte, 0xc0/0xc1 overlong, or > 0xf4 */
    }
    if (len - *i <= need)
        return -1;
    for (size_t k = 1; k <= need; k++) {
        unsigned char cc = s[*i + k];
        if ((cc & 0xc0) != 0x80)
            return -1;
        cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return -1;
    *i += need + 1;
    return cp;
}

/* utf8_put - append scalar value cp as UTF-8 */
static void utf8_put(struct buf *out, uint32_t cp)
{
    if (cp < 0x80) {
        buf_putc(out, (char)cp);
    } else if (cp < 0x800) {
        buf_putc(out, (char)(0xc0 | (cp >> 6)));
        buf_putc(out, (char)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        buf_putc(out, (char)(0xe0 | (cp >> 12)));
        buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
        buf_putc(out, (char)(0x80 | (cp & 0x3f)));
    } else {
        buf_putc(out, (char)(0xf0 | (cp >> 18)));
        buf_putc(out, (char)(0x80 | ((cp >> 12) & 0x3f)));
        buf_putc(out, (char)(0x80 | ((cp >> 6) & 0x3f)));
        buf_putc(out, (char)(0x80 | (cp & 0x3f)));
    }
}

/* The encoder's base64 state: bits not yet written, and whether a run
 * ("&...") is open. */
struct b64_state {
    uint32_t acc;
    unsigned nbits;
    int open;
};

/* b64_unit - push one UTF-16 code unit into the open run */
static void b64_unit(struct b64_state *st, struct buf *out, uint32_t unit)
{
    st->acc = (st->acc << 16) | unit;
    st->nbits += 16;
    while (st->nbits >= 6) {
        st->nbits -= 6;
        buf_putc(out, mutf7_b64[(st->acc >> st->nbits) & 0x3f]);
    }
    st->acc &= (1u << st->nbits) - 1;
}

/* b64_close - flush the zero-padded last bits and close the run */
static void b64_close(struct b64_state *st, struct buf *out)
{
    if (!st->open)
        return;
    if (st->nbits)
        buf_putc(out, mutf7_b64[(st->acc << (6 - st->nbits)) & 0x3f]);
    buf_putc(out, '-');
    st->acc = 0;
    st->nbits = 0;
    st->open = 0;
}

int mutf7_encode(const char *utf8, size_t len, struct buf *out,
                 const char **error_r)
{
    const unsigned char *s = (const unsigned char *)utf8;
    size_t start = out->len, i = 0;
    struct b64_state st = { 0, 0, 0 };

    while (i < len) {
        long cp = utf8_next(s, len, &i);
        if (cp <= 0) {
            buf_truncate(out, start);
            if (error_r)
                *error_r = cp < 0 ? "invalid UTF-8" : "NUL character";
            return -1;
        }
        if (cp >= 0x20 && cp <= 0x7e) {
            b64_close(&st, out);
            if (cp == '&')
                buf_appendcstr(out, "&-");
            else
                buf_putc(out, (char)cp);
            continue;
        }
        if (!st.open) {
            buf_putc(out, '&');
            st.open = 1;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            b64_unit(&st, out, 0xd800 | ((uint32_t)cp >> 10));
            b64_unit(&st, out, 0xdc00 | ((uint32_t)cp & 0x3ff));
        } else {
            b64_unit(&st, out, (uint32_t)cp);
        }
    }
    b64_close(&st, out);
    return 1;
}

/* The decoder's state for one encoded run. */
struct b64_run {
    uint32_t acc;
    unsigned nbits;
    uint32_t high;   /* pending high surrogate, 0 if none */
};

/* run_unit - take one decoded UTF-16 unit; NULL or an error message */
static const char *run_unit(struct b64_run *r, struct buf *out, uint32_t u)
{
    if (r->high) {
        if (u < 0xdc00 || u > 0xdfff)
            return "unpaired high surrogate";
        utf8_put(out, 0x10000 + ((r->high - 0xd800) << 10) + (u - 0xdc00));
        r->high = 0;
        return NULL;
    }
    if (u >= 0xd800 && u <= 0xdbff) {
        r->high = u;
        return NULL;
    }
    if (u >= 0xdc00 && u <= 0xdfff)
        return "unpaired low surrogate";
    if (u >= 0x20 && u <= 0x7e)
        return "printable ASCII encoded in base64";
    if (u == 0)
        return "NUL character";
    utf8_put(out, u);
    return NULL;
}

/* decode_run - decode s[*i..) up to and including the closing '-' */
static const char *decode_run(const char *s, size_t len, size_t *i,
                              struct buf *out)
{
    struct b64_run r = { 0, 0, 0 };
    const char *err;

    while (*i < len && s[*i] != '-') {
        int v = b64_value((unsigned char)s[*i]);
        if (v < 0)
            return "invalid character in base64 run";
        r.acc = (r.acc << 6) | (uint32_t)v;
        r.nbits += 6;
        (*i)++;
        if (r.nbits >= 16) {
            r.nbits -= 16;
            err = run_unit(&r, out, (r.acc >> r.nbits) & 0xffff);
            if (err)
                return err;
            r.acc &= (1u << r.nbits) - 1;
        }
    }
    if (*i >= len)
        return "'&' not closed by '-'";
    if (r.high)
        return "unpaired high surrogate";
    /* A canonical encoder writes the fewest characters: fewer than 6 bits
     * may be left over, and they are zero. */
    if (r.nbits >= 6)
        return "extra base64 characters";
    if (r.acc)
        return "non-zero padding bits";
    (*i)++; /* the '-' */
    return NULL;
}

int mutf7_decode(const char *s, size_t len, struct buf *out,
                 const char **error_r)
{
    size_t start = out->len, i = 0, run_end = (size_t)-1;
    const char *err = NULL;

    while (i < len && !err) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7e) {
            err = "byte outside printable US-ASCII";
        } else if (c != '&') {
            buf_putc(out, (char)c);
            i++;
        } else if (i + 1 < len && s[i + 1] == '-') {
            buf_putc(out, '&');
            i += 2;
        } else if (i == run_end) {
            err = "adjacent base64 runs";
        } else {
            i++;
            err = decode_run(s, len, &i, out);
            run_end = i;
        }
    }
    if (err) {
        buf_truncate(out, start);
        if (error_r)
            *error_r = err;
        return -1;
    }
    return 1;
}

int mutf7_validate(const char *s, size_t len, const char **error_r)
{
    struct buf scratch = BUF_INIT;
    int r;

    /* Plain ASCII without '&' is the common case: no allocation. */
    size_t i;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7e || c == '&')
            break;
    }
    if (i == len)
        return 1;
    r = mutf7_decode(s, len, &scratch, error_r);
    buf_free(&scratch);
    return r;
}
