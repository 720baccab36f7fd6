/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xsasl_common.c - what the cyrus-sasl server and client glue share: the
 * SASL security layer as a struct prot codec (sasl_encode/sasl_decode,
 * output cut at the peer's maxoutbuf), security properties, logging, and
 * base64 for protocol code.
 *
 * The codec owns its sasl_conn_t once installed and disposes of it when the
 * stream is freed.  Errors are static strings.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sasl/sasl.h>
#include <sasl/saslutil.h>

#include "lib/limits.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/xmalloc.h"
#include "lib/xsasl.h"
#include "lib/xsasl_internal.h"

struct sasl_layer {
    sasl_conn_t *conn;
    unsigned maxout;   /* most plaintext per sasl_encode call */
};

int xsasl_cb_log(void *context, int level, const char *message)
{
    switch (level) {
    case SASL_LOG_ERR:
    case SASL_LOG_FAIL:
        log_error("SASL error detail=<%s>", message);
        break;
    case SASL_LOG_WARN:
        log_warning("SASL warning detail=<%s>", message);
        break;
    case SASL_LOG_NOTE:
        log_notice("SASL notice detail=<%s>", message);
        break;
    default:
        log_debug("SASL debug detail=<%s>", message);
        break;
    }
    return SASL_OK;
}

const char *xsasl_errstr(sasl_conn_t *conn, int r, const char *what)
{
    static char msg[512];

    snprintf(msg, sizeof(msg), "%s: %s", what,
             conn ? sasl_errdetail(conn) : sasl_errstring(r, NULL, NULL));
    return msg;
}

int xsasl_secprops(sasl_conn_t *conn, int min_ssf, int max_ssf,
                   int plaintext_ok, int ext_ssf, const char *ext_authid)
{
    sasl_security_properties_t sp;
    sasl_ssf_t ssf = ext_ssf > 0 ? (sasl_ssf_t)ext_ssf : 0;
    int r;

    memset(&sp, 0, sizeof(sp));
    sp.min_ssf = min_ssf > 0 ? (sasl_ssf_t)min_ssf : 0;
    sp.max_ssf = max_ssf > 0 ? (sasl_ssf_t)max_ssf : 0;
    sp.maxbufsize = LIMIT_SASL_MAXBUF;
    sp.security_flags = SASL_SEC_NOANONYMOUS;
    if (!plaintext_ok && !ext_ssf)
        sp.security_flags |= SASL_SEC_NOPLAINTEXT;
    r = sasl_setprop(conn, SASL_SEC_PROPS, &sp);
    if (r == SASL_OK)
        r = sasl_setprop(conn, SASL_SSF_EXTERNAL, &ssf);
    if (r == SASL_OK && ext_authid)
        r = sasl_setprop(conn, SASL_AUTH_EXTERNAL, ext_authid);
    return r;
}

/* layer_encode - sasl_encode in chunks the peer can take */
static int layer_encode(void *rock, const void *in, size_t n, int sync,
                        struct buf *out, const char **error_r)
{
    struct sasl_layer *l = rock;
    const char *p = in, *enc;
    unsigned enclen, chunk;
    int r;

    while (n) {
        chunk = n > l->maxout ? l->maxout : (unsigned)n;
        r = sasl_encode(l->conn, p, chunk, &enc, &enclen);
        if (r != SASL_OK) {
            *error_r = xsasl_errstr(l->conn, r, "sasl_encode");
            return -1;
        }
        buf_appendmap(out, enc, enclen);
        p += chunk;
        n -= chunk;
    }
    return 1;
}

/* layer_decode - sasl_decode all input (it keeps partial packets itself) */
static int layer_decode(void *rock, const void *in, size_t n, size_t *used_r,
                        struct buf *out, size_t max, const char **error_r)
{
    struct sasl_layer *l = rock;
    const char *dec;
    unsigned declen;
    int r;

    *used_r = 0;
    if (!n)
        return 1;
    r = sasl_decode(l->conn, in, (unsigned)n, &dec, &declen);
    if (r != SASL_OK) {
        *error_r = xsasl_errstr(l->conn, r, "sasl_decode");
        return -1;
    }
    buf_appendmap(out, dec, declen);
    *used_r = n;
    return 1;
}

/* layer_pending - sasl_decode never holds back decoded output */
static int layer_pending(void *rock)
{
    return 0;
}

/* layer_free - dispose of the SASL connection with the stream */
static void layer_free(void *rock)
{
    struct sasl_layer *l = rock;
    sasl_dispose(&l->conn);
    free(l);
}

static const struct prot_codec sasl_codec = {
    "sasl", layer_encode, layer_decode, layer_pending, layer_free,
};

int xsasl_layer_take(sasl_conn_t **connp, int authenticated, struct prot *p,
                     const char **error_r)
{
    int r;

    if (!*connp || !authenticated) {
        *error_r = "not authenticated";
        return -1;
    }
    r = xsasl_layer_install(*connp, p, error_r);
    if (r == 1)
        *connp = NULL; /* the stream owns it now */
    return r;
}

int xsasl_layer_install(sasl_conn_t *conn, struct prot *p, const char **error_r)
{
    const void *v = NULL;
    struct sasl_layer *l;
    unsigned maxout;

    if (sasl_getprop(conn, SASL_SSF, &v) != SASL_OK || !v ||
        *(const sasl_ssf_t *)v == 0)
        return 0;
    if (sasl_getprop(conn, SASL_MAXOUTBUF, &v) != SASL_OK || !v) {
        *error_r = "SASL layer without a maxoutbuf";
        return -1;
    }
    maxout = *(const unsigned *)v;
    if (maxout == 0 || maxout > LIMIT_SASL_MAXBUF)
        maxout = LIMIT_SASL_MAXBUF;
    l = xzmalloc(sizeof(*l));
    l->conn = conn;
    l->maxout = maxout;
    if (prot_set_codec(p, &sasl_codec, l, error_r) < 0) {
        free(l);
        return -1;
    }
    return 1;
}

void xsasl_encode64(const void *in, size_t n, struct buf *out)
{
    unsigned outlen = 0;
    size_t need = (n + 2) / 3 * 4 + 1;

    buf_reset(out);
    buf_ensure(out, need);
    if (sasl_encode64(in, (unsigned)n, out->s, (unsigned)need + 1, &outlen)
        != SASL_OK)
        panic("sasl_encode64 failed len=<%zu>", n);
    out->len = outlen;
}

int xsasl_decode64(const char *in, size_t n, struct buf *out,
                   const char **error_r)
{
    unsigned outlen = 0;
    size_t need = n / 4 * 3 + 3;

    buf_reset(out);
    buf_ensure(out, need);
    if (n % 4 ||
        sasl_decode64(in, (unsigned)n, out->s, (unsigned)need, &outlen) != SASL_OK) {
        *error_r = "invalid base64";
        return -1;
    }
    out->len = outlen;
    return 1;
}
