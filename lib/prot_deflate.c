/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prot_deflate.c - the COMPRESS=DEFLATE codec for struct prot (zlib).
 *
 * Owns one deflate and one inflate stream per connection, freed with the
 * stream.  Called through the struct prot_codec vtable by lib/prot.c only;
 * errors are zlib messages returned through error_r.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "lib/limits.h"
#include "lib/prot.h"
#include "lib/prot_deflate.h"
#include "lib/xmalloc.h"

struct deflate_codec {
    z_stream zout;
    z_stream zin;
    int dirty;     /* bytes deflated since the last sync flush */
    int pending;   /* inflate filled its output: it may hold more */
    int ended;     /* the peer ended its deflate stream */
};

/* zerr - a printable zlib error */
static const char *zerr(const z_stream *z, const char *dflt)
{
    return z->msg ? z->msg : dflt;
}

/* dc_encode - deflate in[0..n) into out; sync ends with Z_SYNC_FLUSH */
static int dc_encode(void *rock, const void *in, size_t n, int sync,
                     struct buf *out, const char **error_r)
{
    struct deflate_codec *dc = rock;
    z_stream *z = &dc->zout;
    size_t room;
    int r;

    if (n)
        dc->dirty = 1;
    if (!n && !(sync && dc->dirty))
        return 1;
    z->next_in = (Bytef *)(uintptr_t)in;
    z->avail_in = (uInt)n;
    do {
        room = n / 2 + 64;
        buf_ensure(out, room);
        z->next_out = (Bytef *)out->s + out->len;
        z->avail_out = (uInt)room;
        r = deflate(z, sync ? Z_SYNC_FLUSH : Z_NO_FLUSH);
        if (r != Z_OK && r != Z_BUF_ERROR) {
            *error_r = zerr(z, "deflate failed");
            return -1;
        }
        out->len += room - z->avail_out;
    } while (z->avail_in || z->avail_out == 0);
    if (sync)
        dc->dirty = 0;
    return 1;
}

/* dc_decode - inflate a prefix of in[0..n), at most max bytes of output */
static int dc_decode(void *rock, const void *in, size_t n, size_t *used_r,
                     struct buf *out, size_t max, const char **error_r)
{
    struct deflate_codec *dc = rock;
    z_stream *z = &dc->zin;
    int r;

    if (dc->ended) {
        if (!n)
            return 1;
        *error_r = "data after the end of the compressed stream";
        return -1;
    }
    buf_ensure(out, max);
    z->next_in = (Bytef *)(uintptr_t)in;
    z->avail_in = (uInt)n;
    z->next_out = (Bytef *)out->s + out->len;
    z->avail_out = (uInt)max;
    r = inflate(z, Z_SYNC_FLUSH);
    if (r != Z_OK && r != Z_BUF_ERROR && r != Z_STREAM_END) {
        *error_r = zerr(z, "inflate failed");
        return -1;
    }
    if (r == Z_STREAM_END)
        dc->ended = 1;
    *used_r = n - z->avail_in;
    out->len += max - z->avail_out;
    dc->pending = z->avail_out == 0 && !dc->ended;
    return 1;
}

/* dc_pending - may inflate still hold output? */
static int dc_pending(void *rock)
{
    return ((struct deflate_codec *)rock)->pending;
}

/* dc_free - release both zlib streams */
static void dc_free(void *rock)
{
    struct deflate_codec *dc = rock;
    deflateEnd(&dc->zout);
    inflateEnd(&dc->zin);
    free(dc);
}

static const struct prot_codec deflate_codec = {
    "deflate", dc_encode, dc_decode, dc_pending, dc_free,
};

int prot_deflate_start(struct prot *p, int level, const char **error_r)
{
    struct deflate_codec *dc = xzmalloc(sizeof(*dc));

    if (deflateInit2(&dc->zout, level, Z_DEFLATED, -15, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        *error_r = "deflateInit2 failed";
        free(dc);
        return -1;
    }
    if (inflateInit2(&dc->zin, -15) != Z_OK) {
        *error_r = "inflateInit2 failed";
        deflateEnd(&dc->zout);
        free(dc);
        return -1;
    }
    if (prot_set_codec(p, &deflate_codec, dc, error_r) < 0) {
        dc_free(dc);
        return -1;
    }
    return 1;
}
