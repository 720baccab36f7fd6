/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls_common.c - the TLS transport of struct prot and the handshake both
 * sides share (OpenSSL 3).
 *
 * Owns one SSL object per upgraded connection (struct tls_conn, freed by
 * prot_free through the transport vtable) and the negotiated parameters
 * tls_get_info() reports.  The fd is non-blocking (prot_new), so every
 * OpenSSL call may ask to be retried when the fd is readable or writable;
 * the blocking handshake waits for that with poll() and a deadline, an
 * event loop drives it step by step (tls_handshake_step), the data path
 * hands it back to lib/prot.c as PROT_IO_WANT_*.  Errors: static strings
 * built from OpenSSL's error queue.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/tls.h"
#include "lib/tls_internal.h"
#include "lib/xmalloc.h"

struct tls_conn {
    SSL *ssl;
    int failed;           /* a fatal TLS error: no close_notify at free */
    struct tls_info info;
    char *subject;        /* owned copies behind info */
    char *cn;
};

const char *tls_ssl_error(const char *what)
{
    static char msg[512];
    char detail[256];
    unsigned long e = ERR_get_error();

    if (e)
        ERR_error_string_n(e, detail, sizeof(detail));
    else
        snprintf(detail, sizeof(detail), "%s",
                 errno ? strerror(errno) : "connection closed");
    ERR_clear_error();
    snprintf(msg, sizeof(msg), "%s: %s", what, detail);
    return msg;
}

/* tls_io_result - map an SSL_get_error() code to PROT_IO_* */
static ssize_t tls_io_result(struct tls_conn *c, int ret, const char *what,
                             const char **error_r)
{
    switch (SSL_get_error(c->ssl, ret)) {
    case SSL_ERROR_WANT_READ:
        return PROT_IO_WANT_READ;
    case SSL_ERROR_WANT_WRITE:
        return PROT_IO_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN:
        return PROT_IO_EOF;
    default:
        c->failed = 1;
        *error_r = tls_ssl_error(what);
        return PROT_IO_ERROR;
    }
}

/* tls_tr_read - transport read: SSL_read_ex */
static ssize_t tls_tr_read(void *rock, int fd, void *p, size_t n,
                           const char **error_r)
{
    struct tls_conn *c = rock;
    size_t got = 0;
    int ret;

    if (c->failed) {
        *error_r = "TLS layer failed";
        return PROT_IO_ERROR;
    }
    ERR_clear_error();
    errno = 0;
    ret = SSL_read_ex(c->ssl, p, n, &got);
    if (ret > 0)
        return (ssize_t)got;
    return tls_io_result(c, ret, "TLS read", error_r);
}

/* tls_tr_write - transport write: SSL_write_ex (partial writes enabled) */
static ssize_t tls_tr_write(void *rock, int fd, const void *p, size_t n,
                            const char **error_r)
{
    struct tls_conn *c = rock;
    size_t done = 0;
    int ret;

    if (c->failed) {
        *error_r = "TLS layer failed";
        return PROT_IO_ERROR;
    }
    ERR_clear_error();
    errno = 0;
    ret = SSL_write_ex(c->ssl, p, n, &done);
    if (ret > 0)
        return (ssize_t)done;
    return tls_io_result(c, ret, "TLS write", error_r);
}

/* tls_tr_pending - decrypted or read-ahead bytes inside OpenSSL */
static int tls_tr_pending(void *rock)
{
    struct tls_conn *c = rock;
    return !c->failed && SSL_has_pending(c->ssl);
}

/* tls_tr_free - send close_notify (best effort, never waits) and free */
static void tls_tr_free(void *rock)
{
    struct tls_conn *c = rock;

    if (!c->failed && SSL_is_init_finished(c->ssl))
        (void)SSL_shutdown(c->ssl);
    ERR_clear_error();
    SSL_free(c->ssl);
    free(c->subject);
    free(c->cn);
    free(c);
}

static const struct prot_transport tls_transport = {
    "tls", tls_tr_read, tls_tr_write, tls_tr_pending, tls_tr_free,
};

struct tls_ctx *tls_ctx_wrap(SSL_CTX *ssl_ctx, int is_server)
{
    struct tls_ctx *ctx = xzmalloc(sizeof(*ctx));

    SSL_CTX_set_min_proto_version(ssl_ctx, TLS1_2_VERSION);
    /* mail protocols frame their own data: a missing close_notify is EOF */
    SSL_CTX_set_options(ssl_ctx, SSL_OP_NO_COMPRESSION |
                                 SSL_OP_IGNORE_UNEXPECTED_EOF);
    /* prot retries writes from a buffer that may have moved */
    SSL_CTX_set_mode(ssl_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
                              SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    ctx->ssl_ctx = ssl_ctx;
    ctx->is_server = is_server;
    return ctx;
}

void tls_ctx_free(struct tls_ctx **ctxp)
{
    if (!*ctxp)
        return;
    SSL_CTX_free((*ctxp)->ssl_ctx);
    free(*ctxp);
    *ctxp = NULL;
}
/* tls_step - one SSL_do_handshake: 1 done, 0 retry when the fd is ready
 * for *events_r (POLLIN/POLLOUT), -1 failed with *error_r */
static int tls_step(struct tls_conn *c, short *events_r, const char **error_r)
{
    int ret;

    ERR_clear_error();
    errno = 0;
    ret = SSL_do_handshake(c->ssl);
    if (ret == 1)
        return 1;
    switch (SSL_get_error(c->ssl, ret)) {
    case SSL_ERROR_WANT_READ:
        *events_r = POLLIN;
        return 0;
    case SSL_ERROR_WANT_WRITE:
        *events_r = POLLOUT;
        return 0;
    default:
        c->failed = 1;
        *error_r = tls_ssl_error("TLS handshake failed");
        return -1;
    }
}

/* tls_handshake - drive the handshake to its end, waiting with poll() */
static int tls_handshake(struct tls_conn *c, int fd, int timeout_s,
                         const char **error_r)
{
    long long deadline = timeout_s ? clock_now_ms() + timeout_s * 1000LL : 0;
    struct pollfd pfd = { .fd = fd };
    int ret, ms;

    while ((ret = tls_step(c, &pfd.events, error_r)) == 0) {
        ms = -1;
        if (deadline) {
            long long left = deadline - clock_now_ms();
            ms = left > 0 ? (int)left : 0;
        }
        ret = poll(&pfd, 1, ms);
        if (ret == 0 || (ret < 0 && errno != EINTR)) {
            c->failed = 1;
            *error_r = ret == 0 ? "TLS handshake timed out"
                                : "TLS handshake: poll failed";
            return -1;
        }
    }
    return ret;
}

/* tls_fill_info - record what was negotiated, including the peer cert */
static void tls_fill_info(struct tls_conn *c)
{
    X509 *peer = SSL_get1_peer_certificate(c->ssl);
    char cn[256];
    int bits = 0;

    c->info.protocol = SSL_get_version(c->ssl);
    c->info.cipher = SSL_get_cipher_name(c->ssl);
    SSL_get_cipher_bits(c->ssl, &bits);
    c->info.ssf = bits;
    if (!peer)
        return;
    c->subject = X509_NAME_oneline(X509_get_subject_name(peer), NULL, 0);
    if (X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName,
                                  cn, sizeof(cn)) > 0)
        c->cn = xstrdup(cn);
    c->info.peer_subject = c->subject;
    c->info.peer_cn = c->cn;
    c->info.peer_verified = SSL_get_verify_result(c->ssl) == X509_V_OK;
    X509_free(peer);
}

/* tls_attach - an SSL object for ctx's side on p's fd, installed as p's
 * transport (the handshake has not begun); NULL with *error_r */
static struct tls_conn *tls_attach(struct tls_ctx *ctx, struct prot *p,
                                   const char *servername, const char **error_r)
{
    struct tls_conn *c;
    SSL *ssl = SSL_new(ctx->ssl_ctx);

    if (!ssl || !SSL_set_fd(ssl, prot_fd(p))) {
        *error_r = tls_ssl_error("SSL_new");
        SSL_free(ssl);
        return NULL;
    }
    if (ctx->is_server) {
        SSL_set_accept_state(ssl);
    } else {
        SSL_set_connect_state(ssl);
        if (servername && !SSL_set_tlsext_host_name(ssl, servername))
            ERR_clear_error(); /* an IP address is not a valid SNI name */
        if (servername && ctx->verify_peer && !SSL_set1_host(ssl, servername)) {
            *error_r = tls_ssl_error("SSL_set1_host");
            SSL_free(ssl);
            return NULL;
        }
    }
    c = xzmalloc(sizeof(*c));
    c->ssl = ssl;
    /* refuses buffered plaintext and flushes our last plaintext reply */
    if (prot_set_transport(p, &tls_transport, c, error_r) < 0) {
        tls_tr_free(c);
        return NULL;
    }
    return c;
}

int tls_start(struct tls_ctx *ctx, struct prot *p, const char *servername,
              int timeout_s, const char **error_r)
{
    struct tls_conn *c = tls_attach(ctx, p, servername, error_r);

    if (!c || tls_handshake(c, prot_fd(p), timeout_s, error_r) < 0)
        return -1;
    tls_fill_info(c);
    return 1;
}

int tls_server_attach(struct tls_ctx *ctx, struct prot *p, const char **error_r)
{
    if (!ctx->is_server) {
        *error_r = "tls_server_attach with a client context";
        return -1;
    }
    return tls_attach(ctx, p, NULL, error_r) ? 1 : -1;
}

int tls_handshake_step(struct prot *p, unsigned *want_r, const char **error_r)
{
    struct tls_conn *c = prot_transport_rock(p, &tls_transport);
    short events = 0;
    int r;

    if (!c || c->failed) {
        *error_r = "no TLS handshake on this stream";
        return -1;
    }
    r = tls_step(c, &events, error_r);
    if (r == 1)
        tls_fill_info(c);
    *want_r = events == POLLOUT ? TLS_WANT_WRITE : TLS_WANT_READ;
    return r;
}

const struct tls_info *tls_get_info(const struct prot *p)
{
    struct tls_conn *c = prot_transport_rock(p, &tls_transport);

    return c && !c->failed ? &c->info : NULL;
}
