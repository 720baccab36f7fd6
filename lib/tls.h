/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tls.h - TLS (OpenSSL 3) as the transport layer of a struct prot.
 *
 * A context (struct tls_ctx) is made once per process from files named by
 * the caller (the daemon reads tls_* options from imapd.conf; this module
 * never reads configuration).  A connection is upgraded in place:
 *
 *   STARTTLS (server): send the tagged OK, then tls_server_start().  It
 *     flushes the OK, and refuses (-1) if any client byte is already
 *     buffered past the STARTTLS line: such bytes were sent in plaintext
 *     and must never be executed as if they came over TLS (CVE-2011-0411).
 *     The caller must then drop the connection.
 *   Implicit TLS (imaps/pop3s, the -s flag): tls_server_start() right
 *     after accept, before reading anything.
 *   Client: tls_client_start() after the server's OK to STARTTLS, or at
 *     once for implicit TLS; the same buffered-data check applies.
 *
 * The handshake waits with poll() up to timeout_s seconds (0 = none).
 * After it, tls_get_info() gives the cipher, the ssf to pass to SASL as
 * the EXTERNAL ssf, and the peer certificate subject (the EXTERNAL authid).
 * The SSL object is owned by the prot and freed (with a close_notify) by
 * prot_free(); a tls_ctx may be freed while connections made from it live.
 */
#ifndef LIB_TLS_H
#define LIB_TLS_H

#include "lib/prot.h"

struct tls_ctx;

struct tls_server_config {
    const char *cert_file;     /* PEM certificate chain (required) */
    const char *key_file;      /* PEM private key (required) */
    const char *ca_file;       /* CAs for client certificates, or NULL */
    const char *ca_path;       /* hashed CA directory, or NULL */
    const char *ciphers;       /* TLS <= 1.2 cipher list, or NULL */
    const char *ciphersuites;  /* TLS 1.3 suites, or NULL */
    int request_client_cert;   /* ask for (and verify) a client cert */
    int require_client_cert;   /* ... and fail the handshake without one */
};

struct tls_client_config {
    const char *ca_file;       /* CAs to verify the server, or NULL */
    const char *ca_path;       /* hashed CA directory, or NULL */
    const char *cert_file;     /* optional client certificate */
    const char *key_file;
    int verify_peer;           /* fail unless the server cert verifies
                                * (against ca_*, else system defaults)
                                * and matches the name given to start */
};

/* What the handshake negotiated; valid while the prot lives. */
struct tls_info {
    const char *protocol;      /* "TLSv1.3" */
    const char *cipher;        /* "TLS_AES_256_GCM_SHA384" */
    int ssf;                   /* secret cipher bits: SASL EXTERNAL ssf */
    const char *peer_subject;  /* one-line subject DN, or NULL */
    const char *peer_cn;       /* subject CN, or NULL */
    int peer_verified;         /* a peer cert was presented and verified */
};

/* tls_server_ctx_new / tls_client_ctx_new - build a context (TLS >= 1.2,
 * no TLS compression).  NULL with *error_r (static storage, valid until the
 * next tls_ call) when a file cannot be loaded or the key does not match. */
struct tls_ctx *tls_server_ctx_new(const struct tls_server_config *cfg,
                                   const char **error_r);
struct tls_ctx *tls_client_ctx_new(const struct tls_client_config *cfg,
                                   const char **error_r);
/* tls_ctx_free - drop the caller's reference and NULL *ctxp. */
void tls_ctx_free(struct tls_ctx **ctxp);

/* tls_server_start - handshake as the server on p; 1 ok, -1 with
 * *error_r (static storage).  After a failure the stream is unusable. */
int tls_server_start(struct tls_ctx *ctx, struct prot *p, int timeout_s,
                     const char **error_r);
/* For event loops: tls_server_attach puts TLS on p without waiting (1 ok,
 * -1 with *error_r); then call tls_handshake_step whenever p's fd is ready
 * for what it asked: 1 done (tls_get_info works), 0 call again when the
 * fd is ready for *want_r, -1 failed with *error_r (the stream is
 * unusable).  The caller bounds the time it allows. */
#define TLS_WANT_READ  1u
#define TLS_WANT_WRITE 2u
int tls_server_attach(struct tls_ctx *ctx, struct prot *p, const char **error_r);
int tls_handshake_step(struct prot *p, unsigned *want_r, const char **error_r);
/* tls_server_continue - the whole server side of a STARTTLS for an event
 * loop, one call per readiness of p's fd: first flush what p holds (the
 * plaintext OK; *want_r TLS_WANT_WRITE until it is out), then attach
 * (*attached set; start with 0) and step the handshake.  Results as
 * tls_handshake_step. */
int tls_server_continue(struct tls_ctx *ctx, struct prot *p, int *attached,
                        unsigned *want_r, const char **error_r);

/* tls_client_start - handshake as a client; servername (may be NULL) is
 * sent as SNI and, with verify_peer, checked against the certificate. */
int tls_client_start(struct tls_ctx *ctx, struct prot *p,
                     const char *servername, int timeout_s,
                     const char **error_r);

/* tls_get_info - the negotiated parameters, or NULL when p has no TLS. */
const struct tls_info *tls_get_info(const struct prot *p);

#endif /* LIB_TLS_H */
