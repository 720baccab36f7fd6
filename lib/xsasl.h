/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xsasl.h - SASL authentication behind a small vtable.
 *
 * Daemons and clients include this, never <sasl/sasl.h>.  A session is a
 * struct whose first member is a pointer to its implementation's ops; the
 * one implementation today is cyrus-sasl (lib/xsasl_server.c,
 * lib/xsasl_client.c), and a test or another library can supply another
 * set of ops without touching callers.
 *
 * Data conventions: challenges and responses are passed DECODED (raw
 * bytes, not NUL-terminated); the protocol code does base64 with
 * xsasl_encode64() / xsasl_decode64(), because each protocol has its own
 * framing ("=" for an empty initial response in IMAP, "*" to cancel).
 * Results: 1 authentication complete and successful, 0 continue (send the
 * challenge/response in *out), -1 failed with *error_r (valid until the
 * next call on the session; never includes a password).
 *
 * After success, a security layer (ssf > 0, e.g. DIGEST-MD5 auth-conf) is
 * installed into the connection's struct prot with *_install_layer() right
 * after the final protocol response has been flushed.  A SASL layer and
 * COMPRESS are never stacked.
 */
#ifndef LIB_XSASL_H
#define LIB_XSASL_H

#include <stddef.h>

#include "lib/buf.h"
#include "lib/prot.h"

/* ------------------------------------------------------------------ */
/* Server side                                                         */

struct xsasl_server;

struct xsasl_server_ops {
    int (*mechs)(struct xsasl_server *s, struct buf *out);
    int (*start)(struct xsasl_server *s, const char *mech, const void *in,
                 size_t inlen, struct buf *out, const char **error_r);
    int (*step)(struct xsasl_server *s, const void *in, size_t inlen,
                struct buf *out, const char **error_r);
    int (*checkpass)(struct xsasl_server *s, const char *user,
                     const char *pass, const char **error_r);
    const char *(*username)(const struct xsasl_server *s);
    const char *(*authid)(const struct xsasl_server *s);
    int (*ssf)(const struct xsasl_server *s);
    int (*install_layer)(struct xsasl_server *s, struct prot *p,
                         const char **error_r);
    void (*free)(struct xsasl_server *s);
};

struct xsasl_server {
    const struct xsasl_server_ops *ops; /* implementations embed this first */
};

struct xsasl_server_params {
    const char *service;       /* "imap", "pop", "lmtp", "mupdate" */
    const char *server_fqdn;   /* this host's name (default realm) */
    const char *user_realm;    /* NULL: server_fqdn */
    const char *local_ipport;  /* "192.0.2.1;143", or NULL */
    const char *remote_ipport; /* "198.51.100.7;50123", or NULL */
    int ext_ssf;               /* TLS strength (tls_info.ssf), 0 without */
    const char *ext_authid;    /* TLS client cert identity, or NULL */
    int allow_plaintext;       /* offer PLAIN/LOGIN without TLS */
    int min_ssf;               /* least security layer required (0) */
    int max_ssf;               /* most negotiated; 0 = no layer */
    /* authorize - may authid act as the different identity authzid?
     * Called only when the two differ; return 1 to allow (e.g. authid is
     * in proxyservers or an admin).  NULL: always refuse. */
    int (*authorize)(void *rock, const char *authid, const char *authzid);
    void *authorize_rock;
};

/* xsasl_server_init - once per process, before any session: appname names
 * the config (cyrus-sasl reads <appname>.conf only if getopt returns
 * nothing).  getopt(rock, plugin, option) returns the value for option
 * (the imapd.conf key without its "sasl_" prefix, e.g. "pwcheck_method",
 * "mech_list", "sasldb_path", "auxprop_plugin"; plugin may be NULL) or
 * NULL when unset; the string must stay valid for the process lifetime.
 * 1 ok, -1 with *error_r. */
int xsasl_server_init(const char *appname,
                      const char *(*getopt)(void *rock, const char *plugin,
                                            const char *option),
                      void *rock, const char **error_r);

/* xsasl_server_new - a session for one connection (cyrus-sasl).  The
 * params strings are copied.  NULL with *error_r on failure. */
struct xsasl_server *xsasl_server_new(const struct xsasl_server_params *params,
                                      const char **error_r);

/* xsasl_server_mechs - the space-separated mechanism list to advertise
 * (already filtered by mech_list, TLS state, allow_plaintext); *out is
 * replaced.  1 ok, -1. */
static inline int xsasl_server_mechs(struct xsasl_server *s, struct buf *out)
{
    return s->ops->mechs(s, out);
}
/* xsasl_server_start - begin mech; in NULL means no initial response
 * (in non-NULL with inlen 0 is an empty one).  *out is replaced with the
 * challenge (result 0) or any final success data (result 1). */
static inline int xsasl_server_start(struct xsasl_server *s, const char *mech,
                                     const void *in, size_t inlen,
                                     struct buf *out, const char **error_r)
{
    return s->ops->start(s, mech, in, inlen, out, error_r);
}
/* xsasl_server_step - the client's next response; results as start. */
static inline int xsasl_server_step(struct xsasl_server *s, const void *in,
                                    size_t inlen, struct buf *out,
                                    const char **error_r)
{
    return s->ops->step(s, in, inlen, out, error_r);
}
/* xsasl_server_checkpass - plain LOGIN/USER+PASS: 1 ok, -1 rejected. */
static inline int xsasl_server_checkpass(struct xsasl_server *s,
                                         const char *user, const char *pass,
                                         const char **error_r)
{
    return s->ops->checkpass(s, user, pass, error_r);
}
/* xsasl_server_username - after success: the identity the session acts as
 * (the authzid when one was given and allowed, else the authid).  NULL
 * before success; valid until the session is freed. */
static inline const char *xsasl_server_username(const struct xsasl_server *s)
{
    return s->ops->username(s);
}
/* xsasl_server_authid - after success: who proved their credentials. */
static inline const char *xsasl_server_authid(const struct xsasl_server *s)
{
    return s->ops->authid(s);
}
/* xsasl_server_ssf - the negotiated security layer strength (0: none). */
static inline int xsasl_server_ssf(const struct xsasl_server *s)
{
    return s->ops->ssf(s);
}
/* xsasl_server_install_layer - put the negotiated security layer into p
 * (both directions).  0 when none was negotiated (nothing done), 1
 * installed, -1 failed.  The layer then owns the SASL connection; the
 * session stays valid for its accessors. */
static inline int xsasl_server_install_layer(struct xsasl_server *s,
                                             struct prot *p,
                                             const char **error_r)
{
    return s->ops->install_layer(s, p, error_r);
}
/* xsasl_server_free - free the session (wipes secrets), NULL *sp. */
void xsasl_server_free(struct xsasl_server **sp);

/* ------------------------------------------------------------------ */
/* Client side (frontend -> backend, backend -> mupdate master)        */

struct xsasl_client;

struct xsasl_client_ops {
    int (*start)(struct xsasl_client *c, const char *peer_mechs,
                 const char **mech_r, int *initial_r, struct buf *out,
                 const char **error_r);
    int (*step)(struct xsasl_client *c, const void *in, size_t inlen,
                struct buf *out, const char **error_r);
    int (*ssf)(const struct xsasl_client *c);
    int (*install_layer)(struct xsasl_client *c, struct prot *p,
                         const char **error_r);
    void (*free)(struct xsasl_client *c);
};

struct xsasl_client {
    const struct xsasl_client_ops *ops;
};

struct xsasl_client_params {
    const char *service;       /* the peer's service: "imap", "mupdate" */
    const char *server_fqdn;   /* the peer's host name */
    const char *local_ipport;  /* or NULL */
    const char *remote_ipport; /* or NULL */
    const char *authname;      /* who we prove to be */
    const char *password;      /* copied, wiped at free */
    const char *authzid;       /* act as this user (proxy auth), or NULL */
    const char *realm;         /* or NULL */
    const char *mechs_allowed; /* space-separated whitelist, or NULL: any */
    int ext_ssf;               /* TLS strength when TLS is active */
    const char *ext_authid;    /* our TLS client cert identity, or NULL */
    int allow_plaintext;       /* allow PLAIN/LOGIN without TLS */
    int min_ssf, max_ssf;      /* as for the server */
};

/* xsasl_client_new - a client session (initialises cyrus-sasl's client
 * side on first use).  NULL with *error_r on failure. */
struct xsasl_client *xsasl_client_new(const struct xsasl_client_params *params,
                                      const char **error_r);
/* xsasl_client_start - choose the best mechanism from the peer's
 * advertised list (space-separated) that is allowed, and produce the
 * initial response: *mech_r (valid for the session) is the mechanism,
 * *initial_r tells whether *out holds an initial response (it may be
 * empty).  Results: 1 the client needs nothing more, 0 continue, -1
 * (e.g. no usable mechanism). */
static inline int xsasl_client_start(struct xsasl_client *c,
                                     const char *peer_mechs,
                                     const char **mech_r, int *initial_r,
                                     struct buf *out, const char **error_r)
{
    return c->ops->start(c, peer_mechs, mech_r, initial_r, out, error_r);
}
/* xsasl_client_step - process the server's challenge, *out = response.
 * 1 means the client is satisfied (it verified the server, if the mech
 * does that): if the server has not yet sent its final result, send *out
 * (possibly empty) and read it.  0 continue, -1 failed. */
static inline int xsasl_client_step(struct xsasl_client *c, const void *in,
                                    size_t inlen, struct buf *out,
                                    const char **error_r)
{
    return c->ops->step(c, in, inlen, out, error_r);
}
static inline int xsasl_client_ssf(const struct xsasl_client *c)
{
    return c->ops->ssf(c);
}
/* xsasl_client_install_layer - as xsasl_server_install_layer. */
static inline int xsasl_client_install_layer(struct xsasl_client *c,
                                             struct prot *p,
                                             const char **error_r)
{
    return c->ops->install_layer(c, p, error_r);
}
void xsasl_client_free(struct xsasl_client **cp);

/* ------------------------------------------------------------------ */
/* Base64 for the protocol code                                         */

/* xsasl_encode64 - replace *out with the base64 of in[0..n). */
void xsasl_encode64(const void *in, size_t n, struct buf *out);
/* xsasl_decode64 - replace *out with the decoded bytes; 1 ok, -1 with
 * *error_r when in is not valid base64 (whitespace is not allowed). */
int xsasl_decode64(const char *in, size_t n, struct buf *out,
                   const char **error_r);

#endif /* LIB_XSASL_H */
