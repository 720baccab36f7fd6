/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls_internal.h - what lib/tls_common.c shares with lib/tls_server.c and
 * lib/tls_client.c.  Nothing else may include this file.
 */
#ifndef LIB_TLS_INTERNAL_H
#define LIB_TLS_INTERNAL_H

#include <openssl/ssl.h>

#include "lib/prot.h"
#include "lib/tls.h"

struct tls_ctx {
    SSL_CTX *ssl_ctx;
    int is_server;
    int verify_peer;   /* client: check the server's name and chain */
};

/* tls_ctx_wrap - a tls_ctx around ssl_ctx with the options both sides use */
struct tls_ctx *tls_ctx_wrap(SSL_CTX *ssl_ctx, int is_server);
/* tls_ssl_error - "what: <OpenSSL error queue>" in static storage; clears
 * the queue. */
const char *tls_ssl_error(const char *what);
/* tls_start - the handshake shared by both sides; see tls_server_start */
int tls_start(struct tls_ctx *ctx, struct prot *p, const char *servername,
              int timeout_s, const char **error_r);

#endif /* LIB_TLS_INTERNAL_H */
