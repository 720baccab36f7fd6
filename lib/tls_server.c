/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls_server.c - the server side of TLS: the context built from the
 * daemon's certificate, key and optional client-CA files, and the
 * STARTTLS / implicit-TLS handshake on an accepted connection.
 *
 * Called by imapd, pop3d, lmtpd, proxyd and mupdate; the context is made
 * once per process (before the accept loop), the handshake once per
 * connection.  Errors are static strings from OpenSSL's error queue.
 */
#include "config.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "lib/tls.h"
#include "lib/tls_internal.h"

/* server_load_client_cas - trust anchors and the CA list we advertise */
static int server_load_client_cas(SSL_CTX *sc, const struct tls_server_config *cfg,
                                  const char **error_r)
{
    int mode = SSL_VERIFY_PEER;

    if ((cfg->ca_file || cfg->ca_path) &&
        !SSL_CTX_load_verify_locations(sc, cfg->ca_file, cfg->ca_path)) {
        *error_r = tls_ssl_error("cannot load client CA file/path");
        return -1;
    }
    if (cfg->ca_file) {
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(cfg->ca_file);
        if (names)
            SSL_CTX_set_client_CA_list(sc, names);
    }
    if (cfg->require_client_cert)
        mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(sc, mode, NULL);
    /* needed for session resumption when client certificates are in use */
    SSL_CTX_set_session_id_context(sc, (const unsigned char *)"murder", 6);
    return 1;
}

/* server_set_ciphers - optional cipher restrictions */
static int server_set_ciphers(SSL_CTX *sc, const struct tls_server_config *cfg,
                              const char **error_r)
{
    if (cfg->ciphers && !SSL_CTX_set_cipher_list(sc, cfg->ciphers)) {
        *error_r = tls_ssl_error("bad cipher list");
        return -1;
    }
    if (cfg->ciphersuites && !SSL_CTX_set_ciphersuites(sc, cfg->ciphersuites)) {
        *error_r = tls_ssl_error("bad TLS 1.3 cipher suites");
        return -1;
    }
    SSL_CTX_set_options(sc, SSL_OP_CIPHER_SERVER_PREFERENCE);
    return 1;
}

struct tls_ctx *tls_server_ctx_new(const struct tls_server_config *cfg,
                                   const char **error_r)
{
    SSL_CTX *sc;

    ERR_clear_error();
    if (!cfg->cert_file || !cfg->key_file) {
        *error_r = "a TLS server needs a certificate and a key file";
        return NULL;
    }
    sc = SSL_CTX_new(TLS_server_method());
    if (!sc) {
        *error_r = tls_ssl_error("SSL_CTX_new");
        return NULL;
    }
    if (SSL_CTX_use_certificate_chain_file(sc, cfg->cert_file) != 1) {
        *error_r = tls_ssl_error("cannot load certificate");
        goto fail;
    }
    if (SSL_CTX_use_PrivateKey_file(sc, cfg->key_file, SSL_FILETYPE_PEM) != 1) {
        *error_r = tls_ssl_error("cannot load private key");
        goto fail;
    }
    if (SSL_CTX_check_private_key(sc) != 1) {
        *error_r = tls_ssl_error("private key does not match certificate");
        goto fail;
    }
    if (server_set_ciphers(sc, cfg, error_r) < 0)
        goto fail;
    if ((cfg->request_client_cert || cfg->require_client_cert) &&
        server_load_client_cas(sc, cfg, error_r) < 0)
        goto fail;
    return tls_ctx_wrap(sc, 1);

fail:
    SSL_CTX_free(sc);
    return NULL;
}

int tls_server_continue(struct tls_ctx *ctx, struct prot *p, int *attached,
                        unsigned *want_r, const char **error_r)
{
    if (!*attached) {
        int r = prot_flush(p);

        if (r == PROT_FAIL) {
            *error_r = prot_error(p);
            return -1;
        }
        if (r != 1) {
            *want_r = TLS_WANT_WRITE;
            return 0;
        }
        if (tls_server_attach(ctx, p, error_r) < 0)
            return -1;
        *attached = 1;
    }
    return tls_handshake_step(p, want_r, error_r);
}

int tls_server_start(struct tls_ctx *ctx, struct prot *p, int timeout_s,
                     const char **error_r)
{
    if (!ctx->is_server) {
        *error_r = "tls_server_start with a client context";
        return -1;
    }
    return tls_start(ctx, p, NULL, timeout_s, error_r);
}
