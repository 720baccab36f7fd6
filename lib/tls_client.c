/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls_client.c - the client side of TLS: the context a frontend uses to
 * reach backends and a backend uses to reach the mupdate master, and the
 * handshake after a STARTTLS OK (or at once for implicit TLS).
 *
 * One context per process; verification of the server's certificate and
 * name is optional (verify_peer), as murder peers often use private CAs.
 * Errors are static strings from OpenSSL's error queue.
 */
#include "config.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "lib/tls.h"
#include "lib/tls_internal.h"

/* client_load_trust - CA files for verification, or the system store */
static int client_load_trust(SSL_CTX *sc, const struct tls_client_config *cfg,
                             const char **error_r)
{
    if (cfg->ca_file || cfg->ca_path) {
        if (!SSL_CTX_load_verify_locations(sc, cfg->ca_file, cfg->ca_path)) {
            *error_r = tls_ssl_error("cannot load CA file/path");
            return -1;
        }
    } else if (!SSL_CTX_set_default_verify_paths(sc)) {
        *error_r = tls_ssl_error("cannot load the system CA store");
        return -1;
    }
    SSL_CTX_set_verify(sc, cfg->verify_peer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
                       NULL);
    return 1;
}

/* client_load_cert - an optional client certificate */
static int client_load_cert(SSL_CTX *sc, const struct tls_client_config *cfg,
                            const char **error_r)
{
    if (!cfg->cert_file)
        return 1;
    if (SSL_CTX_use_certificate_chain_file(sc, cfg->cert_file) != 1 ||
        SSL_CTX_use_PrivateKey_file(sc, cfg->key_file ? cfg->key_file
                                                      : cfg->cert_file,
                                    SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(sc) != 1) {
        *error_r = tls_ssl_error("cannot load client certificate");
        return -1;
    }
    return 1;
}

struct tls_ctx *tls_client_ctx_new(const struct tls_client_config *cfg,
                                   const char **error_r)
{
    struct tls_ctx *ctx;
    SSL_CTX *sc;

    ERR_clear_error();
    sc = SSL_CTX_new(TLS_client_method());
    if (!sc) {
        *error_r = tls_ssl_error("SSL_CTX_new");
        return NULL;
    }
    if (client_load_trust(sc, cfg, error_r) < 0 ||
        client_load_cert(sc, cfg, error_r) < 0) {
        SSL_CTX_free(sc);
        return NULL;
    }
    ctx = tls_ctx_wrap(sc, 0);
    ctx->verify_peer = cfg->verify_peer;
    return ctx;
}

int tls_client_start(struct tls_ctx *ctx, struct prot *p,
                     const char *servername, int timeout_s,
                     const char **error_r)
{
    if (ctx->is_server) {
        *error_r = "tls_client_start with a server context";
        return -1;
    }
    return tls_start(ctx, p, servername, timeout_s, error_r);
}
