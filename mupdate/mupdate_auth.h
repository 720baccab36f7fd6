/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_auth.h - the server side of MUPDATE AUTHENTICATE (RFC 3656
 * section 4.2), shared by the master's peers (mupdate_master_auth.c)
 * and the slave's TCP peers (mupdate_slave_serve.c): the SASL session,
 * the "* AUTH" capability line, the exchange (optional base64 initial
 * response, then bare base64 lines both ways, "*" cancels), the tagged
 * OK/NO and the growing delay after a failure.
 *
 * The owner embeds a struct mupdate_auth in its connection and supplies
 * callbacks: send (queue bytes, never flush), succeeded (the OK is
 * queued: mark the peer logged in, then mupdate_auth_layer when a
 * security layer was negotiated) and failed (the NO is queued: keep the
 * peer silent, output unsent and input unread, for delay_ms; then close
 * it when told).  While mupdate_auth_active() the owner reads raw lines
 * (imap_parser_begin_raw_line) and hands each to mupdate_auth_line().
 * SASL policy is the one every protocol shares (imap_auth_sasl_new,
 * service "mupdate").  Log lines: "login ok ...", "login failed ...".
 */
#ifndef MUPDATE_MUPDATE_AUTH_H
#define MUPDATE_MUPDATE_AUTH_H

#include <stddef.h>

#include "lib/buf.h"

struct imap_arg;
struct prot;
struct xsasl_server;

struct mupdate_auth_ops {
    /* send - queue len bytes for the peer. */
    void (*send)(void *rock, const char *data, size_t len);
    /* succeeded - authenticated as user (the authorization id); the
     * tagged OK is queued; ssf > 0: a SASL security layer must start
     * (mupdate_auth_layer) before anything else is read or sent. */
    void (*succeeded)(void *rock, const char *user, int ssf);
    /* failed - the tagged NO is queued; hold the peer for delay_ms
     * (0: no hold), then close it if close is set ("* BYE" queued). */
    void (*failed)(void *rock, long long delay_ms, int close);
};

/* Seconds a STARTTLS handshake may take on the master or the slave (it
 * runs in their loops, step by step; the peer is closed then). */
#define MUPDATE_HANDSHAKE_TIMEOUT 10

struct mupdate_auth {
    struct xsasl_server *sasl;
    char *tag;                  /* an exchange is in progress: its tag */
    char *mech;
    unsigned long failures;
    struct prot *tls_prot;      /* the encrypted stream, NULL: no TLS */
    int tls;                    /* the session was made under TLS */
    int done;                   /* authenticated */
    int final_ack;              /* success data sent as a last challenge:
                                   the client's empty line completes */
    const char *local_ipport, *remote_ipport;   /* the owner's strings */
    const struct mupdate_auth_ops *ops;
    void *rock;
};

/* mupdate_auth_init - set up a (with no SASL session yet) for a peer at
 * the given addresses (NULL: unknown; kept by reference). */
void mupdate_auth_init(struct mupdate_auth *a, const struct mupdate_auth_ops *ops,
                       void *rock, const char *local_ipport,
                       const char *remote_ipport);
/* mupdate_auth_reset - a fresh SASL session (at start, after STARTTLS:
 * tls_prot is the encrypted stream, else NULL).  0, or -1 logged. */
int mupdate_auth_reset(struct mupdate_auth *a, struct prot *tls_prot);
/* mupdate_auth_fini - free the session and the exchange state. */
void mupdate_auth_fini(struct mupdate_auth *a);

/* mupdate_auth_caps - append "* AUTH "mech" ...\r\n" to out. */
void mupdate_auth_caps(struct mupdate_auth *a, struct buf *out);
/* mupdate_auth_active - is an exchange waiting for a response line? */
static inline int mupdate_auth_active(const struct mupdate_auth *a)
{
    return a->tag != NULL;
}

/* mupdate_auth_command - "tag AUTHENTICATE mech [initial-response]". */
void mupdate_auth_command(struct mupdate_auth *a, const char *tag,
                          const struct imap_arg *args, size_t argc);
/* mupdate_auth_line - the client's response line during the exchange
 * (without CRLF); NULL: the line was malformed (the exchange fails). */
void mupdate_auth_line(struct mupdate_auth *a, const char *line, size_t len);

/* mupdate_auth_layer - start the negotiated security layer on p: the
 * queued OK still goes out in clear (never blocking: a write-non-blocking
 * p sends it as its socket drains), everything after it is encoded;
 * input the peer sent before the layer (unread: the owner's buffered
 * count, plus p's) is a protocol error.  0, or -1 logged (close the
 * peer). */
int mupdate_auth_layer(struct mupdate_auth *a, struct prot *p, size_t unread);

#endif /* MUPDATE_MUPDATE_AUTH_H */
