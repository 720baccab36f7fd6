/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_master.h - the MUPDATE master's internals, shared by its files:
 *   mupdate_master.c         the run loop: listener, master pipe, timers
 *   mupdate_master_conn.c    one peer: input, parser, output, closing
 *   mupdate_cmds.c           the command table and the list commands
 *   mupdate_master_auth.c    greeting, AUTHENTICATE (mupdate_auth.h), STARTTLS
 *   mupdate_master_update.c  UPDATE streams (cursor) and change fan-out
 *   mupdate_master_batch.c   group commit of one loop iteration's changes
 *   mupdate_master_db.c      mailboxes.db: load at start, durable writes
 *
 * One process, one thread, one event loop (mupdate_loop.h).  The list
 * lives in memory (mupdate_list.h); the changes of every peer served in
 * one loop iteration are written in one mailboxes.db transaction; after
 * its commit each is applied in memory, sent to every UPDATE subscriber
 * and acknowledged (a failed commit: every one of them NO, memory
 * unchanged).  Peers are only freed between loop iterations
 * (mupdate_conn_close marks them; one with a change waiting for the
 * commit is kept until it was committed), so a callback never sees a
 * freed peer.
 */
#ifndef MUPDATE_MUPDATE_MASTER_H
#define MUPDATE_MUPDATE_MASTER_H

#include <stdarg.h>
#include <stddef.h>

#include "lib/buf.h"
#include "mupdate/mupdate_auth.h"
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
/* Commands of one peer in one group commit; its further input waits for
 * the commit (conn_blocked). */
#define MUPDATE_BATCH_PEER_MAX     256

struct hash_table;
struct mupdate_batch_item;

/* The changes of the current loop iteration (mupdate_master_batch.c). */
struct mupdate_batch {
    struct mupdate_batch_item *items;   /* in arrival order */
    size_t count, alloc;
    struct mupdate_list *overlay;   /* names set by the batch: new entries */
    struct hash_table *deleted;     /* names deleted by the batch */
    int txn;                        /* the transaction is open */
    const char *failed;             /* a write failed: why (every item NO) */
    unsigned long long commits;     /* totals, logged when stopping */
    unsigned long long changes;
};

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
    struct mupdate_batch batch;
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

    struct mupdate_auth auth;       /* SASL session, AUTHENTICATE state */
    char *userid;                   /* NULL until authenticated */
    int is_admin;
    int tls;
    unsigned tls_wait;              /* STARTTLS under way: the loop events
                                       it waits for (MUPDATE_LOOP_*) */
    int tls_attached;               /* ... past the plaintext OK */
    long long hold_until_ms;        /* failed login: silent until then */
    long long deadline_ms;          /* not authenticated: closed then
                                       (idle or handshake), 0 none */

    char *update_tag;               /* UPDATE issued (streaming mode) */
    struct strarray *update_hosts;  /* PARTIAL-UPDATE servers, or NULL */
    int listing;                    /* the initial list (or a LIST's
                                       answer) is still going */
    char *list_tag;                 /* a LIST being answered, or NULL */
    char *list_prefix;              /* ... its location prefix, or NULL */
    char *cursor;                   /* last name listed, NULL: none yet */
    struct buf behind;              /* changes behind the cursor */

    size_t batched;                 /* its items in the batch */
    int deferred;                   /* the parser holds a command that
                                       waits for the batch's commit */
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
/* mupdate_conn_authenticated - switch to the post-login parser limits;
 * no idle deadline from now on. */
void mupdate_conn_authenticated(struct mupdate_conn *c);
/* mupdate_conn_deadline - close c unless it gets on within ms (0: no
 * deadline). */
void mupdate_conn_deadline(struct mupdate_conn *c, long long ms);
/* mupdate_conn_idle_from_now - an unauthenticated c gets
 * prot_timeout_preauth seconds from now (a no-op once authenticated). */
void mupdate_conn_idle_from_now(struct mupdate_conn *c);
/* mupdate_conn_expire - c's deadline passed: say why (in clear when no
 * handshake is under way) and close it. */
void mupdate_conn_expire(struct mupdate_conn *c);

/* Output.  Responses are "tag SP word SP string CRLF"; text is sent as a
 * quoted string (it must be short, printable ASCII without quotes). */
void mupdate_reply(struct mupdate_conn *c, const char *tag, const char *word,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* mupdate_format_reply - such a response line into line (reset first). */
void mupdate_format_reply(struct buf *line, const char *tag, const char *word,
                          const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
/* mupdate_put_string - append s as a quoted string, or as a
 * non-synchronising literal {n+} when it needs one (CR, LF, 8-bit,
 * quotes, backslash, NUL-free but long). */
void mupdate_put_string(struct buf *out, const char *s);
/* mupdate_put_entry - "MAILBOX name location acl" or "RESERVE name
 * location" (no tag, no CRLF). */
void mupdate_put_entry(struct buf *out, const struct mupdate_list_entry *e);

/* --- mupdate_cmds.c ----------------------------------------------------- */
/* mupdate_cmd_is_change - does cmd change the list (joins the batch)? */
int mupdate_cmd_is_change(const char *cmd);
/* mupdate_cmd_run - execute one parsed command. */
void mupdate_cmd_run(struct mupdate_conn *c, const char *tag,
                     const char *cmd, const struct imap_arg *args,
                     size_t argc);

/* --- mupdate_master_auth.c ---------------------------------------------- */
/* mupdate_greeting - the capability banner (also after STARTTLS). */
void mupdate_greeting(struct mupdate_conn *c);
/* mupdate_master_auth_init - c's authentication state and a first SASL
 * session; -1 when none can be made. */
int mupdate_master_auth_init(struct mupdate_conn *c);
void mupdate_cmd_authenticate(struct mupdate_conn *c, const char *tag,
                              const struct imap_arg *args, size_t argc);
void mupdate_cmd_starttls(struct mupdate_conn *c, const char *tag);
/* mupdate_starttls_continue - drive c's STARTTLS on (from the loop, when
 * the fd is ready for c->tls_wait): flush the OK, then handshake steps;
 * at the end the new greeting, or the peer is closed. */
void mupdate_starttls_continue(struct mupdate_conn *c);

/* --- mupdate_master_update.c -------------------------------------------- */
/* mupdate_master_update_start - UPDATE [hosts]: become a subscriber and begin
 * the initial list. */
void mupdate_master_update_start(struct mupdate_conn *c, const char *tag,
                          struct strarray *hosts);
/* mupdate_master_list_start - LIST [prefix]: answer it in slices as the
 * socket drains (the same cursor as UPDATE's initial list; not a
 * subscriber).  prefix may be NULL; both strings are copied. */
void mupdate_master_list_start(struct mupdate_conn *c, const char *tag,
                               const char *prefix);
/* mupdate_update_pump - produce the next slice of the initial list (or
 * LIST answer) while the output is short; end it with the tagged OK and,
 * for UPDATE, the changes queued behind the cursor. */
void mupdate_update_pump(struct mupdate_conn *c);
/* mupdate_update_notify - send a committed change of name to every
 * subscriber it concerns: e is its new entry, NULL when deleted;
 * old_location is where it was before (NULL: nowhere). */
void mupdate_update_notify(struct mupdate_server *srv, const char *name,
                           const struct mupdate_list_entry *e,
                           const char *old_location);
/* mupdate_update_forget - take c off the subscriber list. */
void mupdate_update_forget(struct mupdate_conn *c);

/* --- mupdate_master_batch.c ---------------------------------------------- */
/* mupdate_batch_find - name's entry as the batch's changes leave it
 * (NULL: none); what the change commands check against. */
const struct mupdate_list_entry *mupdate_batch_find(struct mupdate_server *srv,
                                                    const char *name);
/* mupdate_batch_set - write name as active (acl) or reserved (acl NULL)
 * at location in the batch's transaction; c gets "tag OK ok_text" after
 * the commit, or NO. */
void mupdate_batch_set(struct mupdate_conn *c, const char *tag,
                       const char *name, const char *location,
                       const char *acl, const char *ok_text);
/* mupdate_batch_delete - the same for removing name. */
void mupdate_batch_delete(struct mupdate_conn *c, const char *tag,
                          const char *name);
/* mupdate_batch_reply - "tag word text" to c: at once when c has nothing
 * in the batch, else queued behind its changes (answers stay in order). */
void mupdate_batch_reply(struct mupdate_conn *c, const char *tag,
                         const char *word, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* mupdate_batch_line - a raw line (with CRLF) to c, likewise. */
void mupdate_batch_line(struct mupdate_conn *c, const char *line);
/* mupdate_batch_pending - does a batch wait for its commit? */
int mupdate_batch_pending(const struct mupdate_server *srv);
/* mupdate_batch_commit - end of a loop iteration: commit the batch, then
 * apply, send to subscribers and answer each change in order, then let
 * the peers that waited go on (their new changes form the next batch). */
void mupdate_batch_commit(struct mupdate_server *srv);
/* mupdate_batch_free - free the batch's memory (nothing pending). */
void mupdate_batch_free(struct mupdate_server *srv);

/* --- mupdate_master_db.c ------------------------------------------------- */
/* mupdate_db_open - open mailboxes.db and load every entry into list.
 * 0 or an EX_* code (logged). */
int mupdate_db_open(struct mupdate_list *list);
void mupdate_db_close(void);
/* Write results besides 0: this change is refused (bad name, location or
 * ACL), or the transaction failed (abort it: every change in it fails). */
#define MUPDATE_DB_REFUSED (-1)
#define MUPDATE_DB_FAILED  (-2)
/* mupdate_db_begin - open the transaction the writes below go into.
 * 0 or MUPDATE_DB_FAILED with *error_r (a phrase for a NO). */
int mupdate_db_begin(const char **error_r);
/* mupdate_db_commit - commit it: durable when 0; else MUPDATE_DB_FAILED
 * with *error_r, and nothing of it was written. */
int mupdate_db_commit(const char **error_r);
/* mupdate_db_abort - discard it. */
void mupdate_db_abort(void);
/* mupdate_db_set - make name an active (acl != NULL) or reserved entry
 * at location.  0, or MUPDATE_DB_* with *error_r. */
int mupdate_db_set(const char *name, const char *location, const char *acl,
                   int exists, const char **error_r);
/* mupdate_db_delete - remove name.  0, or MUPDATE_DB_* with *error_r. */
int mupdate_db_delete(const char *name, const char **error_r);

#endif /* MUPDATE_MUPDATE_MASTER_H */
