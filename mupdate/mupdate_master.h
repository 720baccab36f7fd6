/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_master.h - the MUPDATE master's internals, shared by its files:
 *   mupdate_master.c         the run loop: listener, master pipe, timers
 *   mupdate_master_conn.c    one peer: input, parser, output, closing
 *   mupdate_cmds.c           the command table and the list commands
 *   mupdate_master_auth.c    greeting, AUTHENTICATE, STARTTLS
 *   mupdate_master_update.c  UPDATE streams (cursor) and change fan-out
 *   mupdate_master_db.c      mailboxes.db: load at start, durable writes
 *
 * One process, one thread, one event loop (mupdate_loop.h).  The list
 * lives in memory (mupdate_list.h); every change is committed to
 * mailboxes.db first, then applied in memory, then sent to every UPDATE
 * subscriber, then acknowledged.  Peers are only freed between loop
 * iterations (mupdate_conn_close marks them), so a callback never sees a
 * freed peer.
 */
#ifndef MUPDATE_MUPDATE_MASTER_H
#define MUPDATE_MUPDATE_MASTER_H

#include <stddef.h>

#include "lib/buf.h"
#include "mupdate/mupdate_list.h"
#include "mupdate/mupdate_loop.h"

struct imap_arg;
struct imap_parser;
struct prot;
struct service_conn;
struct strarray;
struct tls_ctx;
struct xsasl_server;

/* Limits (each enforced once, where named). */
/* A subscriber whose unsent output (socket queue plus changes waiting
 * behind its cursor) exceeds this is dropped (mupdate_update_notify). */
#define MUPDATE_PENDING_MAX        (8u * 1024 * 1024)
/* An initial UPDATE list is produced in slices: output is filled up to
 * this many bytes, then more when the socket drained (update pump). */
#define MUPDATE_STREAM_SLICE       (64u * 1024)
/* Input is not read while this much output waits (a peer that pipelines
 * commands without reading the answers) (conn_want). */
#define MUPDATE_OUTPUT_BACKLOG     (1024u * 1024)
/* Post-authentication parser limits (mupdate_conn_authenticated); before
 * authentication the preauth limits of lib/limits.h apply. */
#define MUPDATE_LINE_MAX           (64u * 1024)
#define MUPDATE_LITERAL_MAX        (64u * 1024)
#define MUPDATE_ARGS_MAX           1024
/* Seconds a STARTTLS handshake or SASL layer switch may block the loop. */
#define MUPDATE_HANDSHAKE_TIMEOUT  10

/* The process-wide state of the master. */
struct mupdate_server {
    struct mupdate_loop *loop;
    struct mupdate_list *list;
    struct tls_ctx *tls_ctx;        /* NULL: no STARTTLS */
    struct mupdate_loop_io listen_io;
    struct mupdate_loop_io master_io;
    struct mupdate_conn *conns;     /* every peer (doubly linked) */
    struct mupdate_conn *subs;      /* UPDATE subscribers (doubly linked) */
    struct mupdate_conn *dead;      /* closed, freed after the iteration */
    size_t nconns;
    size_t conns_max;               /* mupdate_connections_max */
    long long next_timer_ms;        /* earliest timer deadline, 0 none */
    long long accept_paused_until;  /* out of fds: accept again then */
    int stopping;
};

/* One peer. */
struct mupdate_conn {
    struct mupdate_loop_io io;
    struct mupdate_server *srv;
    struct prot *prot;
    struct imap_parser *parser;
    struct buf in;                  /* read, not yet fed to the parser */
    size_t inpos;
    char *peer, *session_id, *local_ipport, *remote_ipport;

    struct xsasl_server *sasl;
    char *userid;                   /* NULL until authenticated */
    int is_admin;
    int tls;
    char *auth_tag;                 /* AUTHENTICATE exchange in progress */
    char *auth_mech;
    unsigned long auth_failures;
    long long hold_until_ms;        /* failed login: silent until then */

    char *update_tag;               /* UPDATE issued (streaming mode) */
    struct strarray *update_hosts;  /* PARTIAL-UPDATE servers, or NULL */
    int listing;                    /* the initial list is still going */
    char *cursor;                   /* last name listed, NULL: none yet */
    struct buf behind;              /* changes behind the cursor */

    int closing;                    /* flush what is queued, then close */
    int dead;
    struct mupdate_conn *next, *prev;
    struct mupdate_conn *sub_next, *sub_prev;
};

/* --- mupdate_master.c -------------------------------------------------- */
/* The master's state (one per process); mupdated.c fills list and
 * tls_ctx before mupdate_master_run. */
extern struct mupdate_server mupdate_master_server;
/* mupdate_master_run - the master's event loop on listen_fd until SIGTERM,
 * SIGHUP or master going away; returns an exit code. */
int mupdate_master_run(int listen_fd);
/* mupdate_master_timer - wake the loop at when_ms at the latest. */
void mupdate_master_timer(struct mupdate_server *srv, long long when_ms);

/* --- mupdate_master_conn.c -------------------------------------------- */
/* mupdate_conn_new - a peer on the accepted fd (greeting sent); NULL when
 * it had to be refused (logged, fd closed). */
struct mupdate_conn *mupdate_conn_new(struct mupdate_server *srv, int fd,
                                      const struct service_conn *sc);
/* mupdate_conn_close - unregister, close the fd, queue for freeing. */
void mupdate_conn_close(struct mupdate_conn *c, const char *why);
/* mupdate_conn_free - free a closed peer. */
void mupdate_conn_free(struct mupdate_conn **cp);
/* mupdate_conn_resume - process buffered input and flush (after a hold
 * expired or anything that unblocked the peer). */
void mupdate_conn_resume(struct mupdate_conn *c);
/* mupdate_conn_flush - write what is queued; update the poll mask; close
 * the peer on a write error.  Returns 0, or -1 when it was closed. */
int mupdate_conn_flush(struct mupdate_conn *c);
/* mupdate_conn_authenticated - switch to the post-login parser limits. */
void mupdate_conn_authenticated(struct mupdate_conn *c);

/* Output.  Responses are "tag SP word SP string CRLF"; text is sent as a
 * quoted string (it must be short, printable ASCII without quotes). */
void mupdate_reply(struct mupdate_conn *c, const char *tag, const char *word,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* mupdate_put_string - append s as a quoted string, or as a
 * non-synchronising literal {n+} when it needs one (CR, LF, 8-bit,
 * quotes, backslash, NUL-free but long). */
void mupdate_put_string(struct buf *out, const char *s);
/* mupdate_put_entry - "MAILBOX name location acl" or "RESERVE name
 * location" (no tag, no CRLF). */
void mupdate_put_entry(struct buf *out, const struct mupdate_list_entry *e);

/* --- mupdate_cmds.c ----------------------------------------------------- */
/* mupdate_cmd_run - execute one parsed command. */
void mupdate_cmd_run(struct mupdate_conn *c, const char *tag,
                     const char *cmd, const struct imap_arg *args,
                     size_t argc);

/* --- mupdate_master_auth.c ---------------------------------------------- */
/* mupdate_greeting - the capability banner (also after STARTTLS). */
void mupdate_greeting(struct mupdate_conn *c);
/* mupdate_sasl_reset - a fresh SASL session; -1 when none can be made. */
int mupdate_sasl_reset(struct mupdate_conn *c);
void mupdate_cmd_authenticate(struct mupdate_conn *c, const char *tag,
                              const struct imap_arg *args, size_t argc);
/* mupdate_auth_response - the client's line during AUTHENTICATE. */
void mupdate_auth_response(struct mupdate_conn *c, const char *line,
                           size_t len);
void mupdate_cmd_starttls(struct mupdate_conn *c, const char *tag);

/* --- mupdate_master_update.c -------------------------------------------- */
/* mupdate_master_update_start - UPDATE [hosts]: become a subscriber and begin
 * the initial list. */
void mupdate_master_update_start(struct mupdate_conn *c, const char *tag,
                          struct strarray *hosts);
/* mupdate_update_pump - produce the next slice of the initial list while
 * the output is short; end it with the tagged OK and the changes queued
 * behind the cursor. */
void mupdate_update_pump(struct mupdate_conn *c);
/* mupdate_update_notify - send a committed change of name to every
 * subscriber it concerns: e is its new entry, NULL when deleted;
 * old_location is where it was before (NULL: nowhere). */
void mupdate_update_notify(struct mupdate_server *srv, const char *name,
                           const struct mupdate_list_entry *e,
                           const char *old_location);
/* mupdate_update_forget - take c off the subscriber list. */
void mupdate_update_forget(struct mupdate_conn *c);

/* --- mupdate_master_db.c ------------------------------------------------- */
/* mupdate_db_open - open mailboxes.db and load every entry into list.
 * 0 or an EX_* code (logged). */
int mupdate_db_open(struct mupdate_list *list);
void mupdate_db_close(void);
/* mupdate_db_set - make name an active (acl != NULL) or reserved entry
 * at location, durably.  0, or -1 with *error_r (a phrase for a NO). */
int mupdate_db_set(const char *name, const char *location, const char *acl,
                   int exists, const char **error_r);
/* mupdate_db_delete - remove name durably.  0, or -1 with *error_r. */
int mupdate_db_delete(const char *name, const char **error_r);

#endif /* MUPDATE_MUPDATE_MASTER_H */
