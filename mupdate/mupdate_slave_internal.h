/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_slave_internal.h - what the slave's files share: the slave
 * state (one per process), the sync side (mupdate_slave_sync.c: the
 * master's stream into mailboxes.db) and the serving side
 * (mupdate_slave_serve.c: local peers).  mupdate_slave.c owns the loop.
 */
#ifndef MUPDATE_MUPDATE_SLAVE_INTERNAL_H
#define MUPDATE_MUPDATE_SLAVE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "mupdate/mupdate_client.h"

struct hash_table;
struct service_conn;
struct slave_peer;
struct tls_ctx;

/* Entries per transaction during the initial list. */
#define SLAVE_LIST_BATCH      5000
/* Most local peers served at once. */
#define SLAVE_PEERS_MAX       256
/* Reconnect backoff, milliseconds. */
#define SLAVE_BACKOFF_START   150
#define SLAVE_BACKOFF_MAX     1000
/* Timeout (s) of a blocking connect/handshake with the master. */
#define SLAVE_CONNECT_TIMEOUT 3

/* A local peer's NOOP waiting for the master's PONG. */
struct slave_waiter {
    struct slave_peer *peer;
    char *tag;
    uint64_t seq;              /* answered when pongs >= seq */
};

struct mupdate_slave {
    /* the master */
    struct mupdate_client *up; /* NULL while away */
    long long backoff;         /* ms before the next attempt, 0 after
                                  a success */
    long long next_try;        /* when to try again (ms, now_ms) */
    long long last_try;        /* when we last tried */
    int listed;                /* the initial list is applied */
    uint64_t pings, pongs;     /* NOOPs sent upstream / answered */
    /* local DB writing */
    int in_txn;
    size_t txn_ops;
    int db_failed;             /* a write failed: resync from scratch */
    struct hash_table *seen;   /* names the initial list sent */
    uint64_t applied;          /* entries written (logs, stats) */
    /* local peers */
    struct tls_ctx *tls_ctx;   /* STARTTLS for TCP peers; NULL: none */
    struct slave_peer *peers[SLAVE_PEERS_MAX];
    size_t npeers;
    struct slave_waiter *waiters;
    size_t nwaiters, waiters_alloc;
};

/* slave_up_connect - try to (re)connect to the master and start UPDATE;
 * on failure the next attempt is due after a growing backoff.
 * Called by the loop when it is due, and by a local NOOP while the
 * master is away (at most every SLAVE_EAGER_RETRY ms): a frontend asking
 * to catch up just after the master's return must not wait out the
 * backoff. */
#define SLAVE_EAGER_RETRY 50
void slave_up_connect(struct mupdate_slave *s);

/* --- mupdate_slave_sync.c ------------------------------------------ */

/* slave_sync_start - a fresh UPDATE stream began on s->up. */
void slave_sync_start(struct mupdate_slave *s);
/* slave_sync_read - read what the master sent, apply it, commit, answer
 * the waiters whose PONG came.  0 ok, -1 the master is lost (the caller
 * drops s->up and reconnects). */
int slave_sync_read(struct mupdate_slave *s);
/* slave_sync_lost - the master went away: end any transaction, answer
 * every waiter NO, forget the stream's state. */
void slave_sync_lost(struct mupdate_slave *s);

/* --- mupdate_slave_serve.c ----------------------------------------- */

/* slave_peer_new - serve a peer on fd (accepted, non-blocking) that sc
 * describes; trusted: no authentication needed (unix socket).  Sends the
 * greeting.  NULL (fd closed) when full. */
struct slave_peer *slave_peer_new(struct mupdate_slave *s, int fd,
                                  int trusted, const struct service_conn *sc);
/* slave_peer_fd - the peer's fd (poll it for input unless held). */
int slave_peer_fd(const struct slave_peer *p);
/* slave_peer_hold - until when (ms, clock_now_ms) the peer is held
 * silent after a failed login; 0: not held. */
long long slave_peer_hold(const struct slave_peer *p);
/* slave_peer_due - when (ms) slave_peer_release has something to do for
 * the peer: the end of its hold, or its deadline to authenticate (or to
 * finish a TLS handshake); 0: nothing. */
long long slave_peer_due(const struct slave_peer *p);
/* slave_peer_release - a held peer whose hold ended by now: send its
 * answers and go on with its input; a stranger whose idle deadline
 * passed: BYE.  0 ok (or still held), -1 done (free it). */
int slave_peer_release(struct mupdate_slave *s, struct slave_peer *p,
                       long long now);
/* slave_peer_events - what to poll the peer's fd for: POLLIN unless it
 * is held, closing or backlogged, POLLOUT while output waits. */
short slave_peer_events(const struct slave_peer *p);
/* slave_peer_output - its fd is writable: send what waits, then run
 * commands that waited for the backlog to drain.  0 ok, -1 done (free
 * it). */
int slave_peer_output(struct mupdate_slave *s, struct slave_peer *p);
/* slave_peer_input - handle what the peer sent; 0 ok, -1 done (free it). */
int slave_peer_input(struct mupdate_slave *s, struct slave_peer *p);
/* slave_peer_free - close and free, dropping its waiters; NULL *pp. */
void slave_peer_free(struct mupdate_slave *s, struct slave_peer **pp);
/* slave_peer_answer - "tag OK/NO text" to p (a waiter's answer). */
void slave_peer_answer(struct slave_peer *p, const char *tag, int ok,
                       const char *text);

#endif /* MUPDATE_MUPDATE_SLAVE_INTERNAL_H */
