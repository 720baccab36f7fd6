/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxy_backend.h - the protocol-agnostic proxy core of the frontends
 * (proxyd, pop3proxyd, lmtpproxyd): connecting to a backend, logging in
 * as proxy_authname on behalf of the user (SASL authzid), keeping the
 * session's backend connections for reuse, and noticing a dead backend.
 *
 * The per-protocol parts (greeting, capabilities, AUTHENTICATE/AUTH
 * exchange, logout, a cheap liveness check) are a struct proxy_protocol:
 * proxy_imap.c (proxyd), proxy_pop3.c (pop3proxyd), proxy_lmtp.c
 * (lmtpproxyd).  The relaying itself is the daemons' business; they use
 * be->p, a struct prot with the backend timeouts set.
 *
 * Addresses: a mailbox location is "server!partition"; the server part
 * is a host name or address, optionally "host:port"; without a port the
 * protocol's backend_*_port option (imapd.conf) applies.  Connection
 * failures are temporary trouble: callers answer NO [UNAVAILABLE],
 * -ERR [SYS/TEMP] or 4xx, never a permanent failure.
 */
#ifndef PROXY_PROXY_BACKEND_H
#define PROXY_PROXY_BACKEND_H

#include <stddef.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/cfg.h"

struct prot;
struct proxy_backend;

struct proxy_protocol {
    const char *name;          /* "imap", "pop3", "lmtp" (logs) */
    const char *sasl_service;  /* "imap", "pop", "lmtp" */
    enum imapopt port_option;  /* IMAPOPT_BACKEND_IMAP_PORT, ... */
    /* login - read the greeting, learn capabilities (into be->caps),
     * authenticate as authname (proxy_authname) with authzid (the
     * user; NULL: none, e.g. LMTP).  0, or -1 with *error_r. */
    int (*login)(struct proxy_backend *be, const char *authzid,
                 const char **error_r);
    /* ping - is the connection still usable?  (NOOP; 0 yes, -1 no) */
    int (*ping)(struct proxy_backend *be);
    /* logout - polite goodbye before close (best effort). */
    void (*logout)(struct proxy_backend *be);
    /* release - free be->proto_data (NULL: nothing to free); called by
     * every close, polite or not. */
    void (*release)(struct proxy_backend *be);
};

struct proxy_backend {
    const struct proxy_protocol *proto;
    char *server;              /* as in the location, without partition */
    char *authzid;             /* the user we act for, or NULL */
    struct prot *p;            /* to and from the backend */
    int fd;
    struct buf caps;           /* capabilities as the backend lists them
                                  (space-separated, upper case) */
    int64_t last_used_ms;      /* clock_now_ms() when last handed out */
    void *proto_data;          /* the protocol part's state, freed by
                                  proto->release */
};

/* proxy_server_of - the server part of a location ("host!part" -> host,
 * "host" -> host) into out (reset first); returns buf_cstring(out). */
const char *proxy_server_of(const char *location, struct buf *out);

/* proxy_backend_connect - connect to server ("host", "host:port",
 * "[v6addr]:port"; timeout proxy_connect_timeout), set the stream's
 * timeouts to proxy_backend_timeout, proto->login with authzid.  0 with
 * *be_r, or -1 with *error_r (static text naming the server, valid until
 * the next call; the failure is logged). */
int proxy_backend_connect(const struct proxy_protocol *proto,
                          const char *server, const char *authzid,
                          struct proxy_backend **be_r, const char **error_r);
/* proxy_backend_close - logout (when polite), close, free, NULL *bep. */
void proxy_backend_close(struct proxy_backend **bep, int polite);
/* proxy_backend_hung_up - 1 when the backend closed its side (or the
 * socket failed) while the connection sat idle: a restarted backend's
 * connections are replaced before use, not found dead by a command. */
int proxy_backend_hung_up(const struct proxy_backend *be);
/* proxy_backend_has_cap - 1 when the backend listed capability cap. */
int proxy_backend_has_cap(const struct proxy_backend *be, const char *cap);

/* proxy_backend_fail - the backend broke the protocol or the connection
 * (EOF, timeout, a garbled reply): log it once with what and the
 * stream's error, and return a static text naming the server for the
 * client's temporary-failure answer. */
const char *proxy_backend_fail(struct proxy_backend *be, const char *what);

/* --- SASL towards a backend (proxy/proxy_sasl.c) ----------------------
 * The protocols differ only in framing, described by a dialect: command
 * is sent as "<command> <MECH>[ <initial response>]" (an empty initial
 * response as "="), a line starting with cont ("+ ", "334 ") carries a
 * base64 challenge answered by one base64 line, and result(line) says
 * what any other line means: 1 success, -1 failure, 0 ignore it (an
 * untagged IMAP line).  initial_response: the backend takes one (SASL-IR;
 * always for POP3 AUTH and LMTP AUTH). */
struct proxy_sasl_dialect {
    const char *command;       /* "AUTH", "P01 AUTHENTICATE" */
    const char *cont;          /* "+ ", "334 " */
    int (*result)(const char *line);
    int initial_response;
};
/* proxy_sasl_login - authenticate be->p as proxy_authname
 * (proxy_password, proxy_realm) on behalf of authzid (NULL: none)
 * choosing from mechs (the backend's space-separated list).  0, or -1
 * with *error_r (static; the failure is logged with the server).
 * final_r (may be NULL) gets the backend's final line, success or
 * failure (POP3 relays "+OK Mailbox open" / "-ERR [IN-USE]" as is). */
int proxy_sasl_login(struct proxy_backend *be, const char *mechs,
                     const char *authzid, const struct proxy_sasl_dialect *d,
                     struct buf *final_r, const char **error_r);

/* A session's backend connections (one per server), reused across
 * commands: proxy_pool_get returns a live one (pinging one idle for
 * more than a few seconds) or connects anew. */
#define PROXY_PING_IDLE_S 5   /* idle longer than this: ping before reuse */
/* Idle longer than this: look for a hang-up before reuse (a command
 * stream faster than this skips the check). */
#define PROXY_HANGUP_CHECK_MS 100
/* Longest reply line read from a backend by the protocol parts. */
#define PROXY_LINE_MAX 8192
struct proxy_pool;
/* proxy_pool_new - an empty pool; authzid (copied) is the user. */
struct proxy_pool *proxy_pool_new(const struct proxy_protocol *proto,
                                  const char *authzid);
/* proxy_pool_free - close every connection politely, free, NULL *pp. */
void proxy_pool_free(struct proxy_pool **pp);
/* proxy_pool_get - 0 with *be_r (owned by the pool), or -1 with *error_r
 * as for proxy_backend_connect. */
int proxy_pool_get(struct proxy_pool *pool, const char *server,
                   struct proxy_backend **be_r, const char **error_r);
/* proxy_pool_drop - forget (and close) a connection found dead. */
void proxy_pool_drop(struct proxy_pool *pool, struct proxy_backend *be);
/* proxy_pool_foreach - every open connection (for IDLE, LOGOUT). */
void proxy_pool_foreach(struct proxy_pool *pool,
                        void (*cb)(struct proxy_backend *be, void *rock),
                        void *rock);

#endif /* PROXY_PROXY_BACKEND_H */
