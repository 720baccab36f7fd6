/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_client.h - the client side of MUPDATE (RFC 3656), shared by
 * backends (imapd keeping the master current through mboxops), the
 * mupdate slave on frontends (the UPDATE stream), proxyd/lmtpproxyd
 * (asking the local slave to catch up) and ctl_mboxlist -m.
 *
 * One struct mupdate_client is one connection.  Every call is blocking,
 * bounded by a timeout (mupdate_client_params.timeout_s, default 30 s),
 * except the UPDATE stream, which the caller drives from its own poll
 * loop (mupdate_update_fd / mupdate_update_read).
 *
 * List entries come as responses carrying the tag of the command that
 * asked for them (RFC 3656 section 3: "U01 MAILBOX ..."), as Cyrus sends
 * them; the client also accepts "*".
 *
 * Location strings are "server!partition" (or just "server" when the
 * peer sends no partition).  ACLs are in the wire form of RFC 3656: the
 * Cyrus "id<TAB>rights<TAB>..." string, passed through unchanged.
 *
 * Results (enum mupdate_result): MUPDATE_OK; MUPDATE_NO - the server
 * refused (mupdate_client_error has its text); MUPDATE_NOTFOUND - FIND of
 * an unknown mailbox; MUPDATE_UNAVAILABLE - no connection, timeout, a
 * broken or closed connection, a BAD or a BYE: temporary trouble, the
 * caller answers NO / 4xx and may reconnect.  After MUPDATE_UNAVAILABLE
 * the connection is dead: free it.
 */
#ifndef MUPDATE_MUPDATE_CLIENT_H
#define MUPDATE_MUPDATE_CLIENT_H

#include <stddef.h>

enum mupdate_result {
    MUPDATE_OK = 0,
    MUPDATE_NO = -1,
    MUPDATE_NOTFOUND = -2,
    MUPDATE_UNAVAILABLE = -3,
};

/* The kinds of list entries a server sends. */
enum mupdate_kind {
    MUPDATE_MAILBOX = 1,   /* "tag MAILBOX name location acl": active */
    MUPDATE_RESERVED = 2,  /* "tag RESERVE name location" */
    MUPDATE_DELETED = 3,   /* "tag DELETE name" (UPDATE stream only) */
};

struct mupdate_entry {
    enum mupdate_kind kind;
    const char *name;      /* internal mailbox name (user.alice.Sent) */
    const char *location;  /* "server!partition"; NULL for DELETED */
    const char *acl;       /* MAILBOX only, "" when empty, else NULL */
};

struct mupdate_client;

struct mupdate_client_params {
    /* "host", "host:port", "[v6]:port" or an absolute unix socket path;
     * NULL: mupdate_server with mupdate_port from imapd.conf. */
    const char *server;
    /* SASL identity; NULL: mupdate_authname / mupdate_password /
     * mupdate_realm (mupdate_username as authzid when set).  An empty
     * authname ("") skips authentication (a local unix socket). */
    const char *authname, *password, *realm;
    int timeout_s;         /* 0: 30 */
};

/* mupdate_client_errstr - a constant phrase for r. */
const char *mupdate_client_errstr(int r);

/* mupdate_connect - connect, read the greeting, STARTTLS when offered and
 * tls_client_ca_file/tls_client_cert is configured (or the server
 * requires it), authenticate.  MUPDATE_OK with *c_r, else
 * MUPDATE_UNAVAILABLE (also for a refused authentication: the caller
 * logs *error_r, a constant or a static text, and answers NO). */
int mupdate_connect(const struct mupdate_client_params *params,
                    struct mupdate_client **c_r, const char **error_r);
/* mupdate_disconnect - LOGOUT when still usable, close, free, NULL *cp. */
void mupdate_disconnect(struct mupdate_client **cp);
/* mupdate_client_error - the text of the last NO/BAD/failure. */
const char *mupdate_client_error(const struct mupdate_client *c);
/* mupdate_client_server - "host:port" we talk to (for logs). */
const char *mupdate_client_server(const struct mupdate_client *c);

/* Writes (the master refuses them from non-admins and on a slave). */
int mupdate_reserve(struct mupdate_client *c, const char *name,
                    const char *location);
int mupdate_activate(struct mupdate_client *c, const char *name,
                     const char *location, const char *acl);
int mupdate_deactivate(struct mupdate_client *c, const char *name,
                       const char *location);
int mupdate_delete(struct mupdate_client *c, const char *name);

/* mupdate_find - FIND name: MUPDATE_OK with *e_r filled (strings valid
 * until the next call on c), MUPDATE_NOTFOUND, or an error. */
int mupdate_find(struct mupdate_client *c, const char *name,
                 struct mupdate_entry *e_r);

/* mupdate_list - LIST [host]: every entry (MAILBOX and RESERVE) whose
 * location's server part is host (NULL: all), in the server's order.
 * cb's entry is valid during the call; non-zero from cb stops reading
 * results (the rest is drained) and is returned. */
typedef int mupdate_entry_cb(void *rock, const struct mupdate_entry *e);
int mupdate_list(struct mupdate_client *c, const char *host,
                 mupdate_entry_cb *cb, void *rock);

/* mupdate_noop - NOOP round trip (on a slave's local socket: returns
 * once the slave has caught up with its master; see mupdate(8)). */
int mupdate_noop(struct mupdate_client *c);

/* --- The UPDATE stream (the slave) -------------------------------------
 * mupdate_update_start sends UPDATE.  Then, whenever mupdate_update_fd is
 * readable (or at once: data may be buffered), call mupdate_update_read:
 * it handles every complete response it has without blocking, calling
 *   cb(rock, e)        for each MAILBOX / RESERVE / DELETE,
 *   ev(rock, MUPDATE_EV_LISTED)   at the tagged OK that ends the initial
 *                      full list (everything before was the whole list),
 *   ev(rock, MUPDATE_EV_PONG)     when the answer to mupdate_update_ping
 *                      arrives (every update sent before it has been
 *                      delivered through cb).
 * It returns MUPDATE_OK (call again when readable), or
 * MUPDATE_UNAVAILABLE when the stream ended (reconnect).  A non-zero cb
 * or ev result stops reading and is returned (the stream stays usable).
 * mupdate_update_ping sends the NOOP RFC 3656 allows on an UPDATE
 * channel; several may be outstanding, each answered by one PONG. */
enum mupdate_event { MUPDATE_EV_LISTED = 1, MUPDATE_EV_PONG = 2 };
typedef int mupdate_event_cb(void *rock, enum mupdate_event ev);
int mupdate_update_start(struct mupdate_client *c);
int mupdate_update_fd(const struct mupdate_client *c);
int mupdate_update_read(struct mupdate_client *c, mupdate_entry_cb *cb,
                        mupdate_event_cb *ev, void *rock);
int mupdate_update_ping(struct mupdate_client *c);

/* --- Asking the local slave to catch up --------------------------------
 * mupdate_kick - on a frontend: connect to the local slave's socket
 * (<configdirectory>/socket/mupdate.target), NOOP, disconnect: when it
 * returns MUPDATE_OK the local mailboxes.db holds every change the master
 * had when the NOOP arrived.  MUPDATE_UNAVAILABLE when the slave or its
 * master is away (then the caller goes on with the copy it has).
 * timeout_s 0: 5 s. */
#define MUPDATE_SLAVE_SOCKET "socket/mupdate.target"
int mupdate_kick(int timeout_s);

#endif /* MUPDATE_MUPDATE_CLIENT_H */
