/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pop3_session.h - the POP3 engine (RFC 1939, CAPA RFC 2449, AUTH RFC
 * 5034, STLS RFC 2595): one connection's state and its command loop
 * (pop3_session.c) and the commands (pop3-commands.c).
 *
 * States: AUTHORIZATION (USER/PASS, AUTH, STLS, CAPA, QUIT), TRANSACTION
 * (the maildrop commands) and UPDATE (entered only by QUIT from
 * TRANSACTION: the DELE'd messages are expunged, then +OK).  A session
 * that ends any other way (EOF, timeout, too many errors, shutdown)
 * leaves the maildrop untouched.
 *
 * The maildrop is the user's INBOX, looked up with the user's rights
 * (imap/mboxops.h, 'r' needed; DELE needs 't' and 'e'), locked against a
 * second POP3 session ([IN-USE]) but not against IMAP sessions.  Its message list
 * (number -> UID, size) is fixed at login: messages arriving later are
 * not seen, and one expunged by an IMAP session answers -ERR.  UIDL is
 * "uidvalidity.uid" as in Cyrus, stable across sessions.
 *
 * Limits: a command line of at most POP3_LINE_MAX_PREAUTH bytes before
 * login and POP3_LINE_MAX after; bad commands (unknown, wrong state,
 * syntax, over-long line) beyond maxbadcommands_preauth /
 * maxbadcommands end the session; reads wait prot_timeout_preauth seconds
 * before login and poptimeout minutes after (autologout).  Login failures
 * are delayed and counted like imapd's (maxauthfailures).
 */
#ifndef IMAP_POP3_SESSION_H
#define IMAP_POP3_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "imap/namespace.h"
#include "lib/buf.h"

struct auth_state;
struct mailbox;
struct prot;
struct service_conn;
struct tls_ctx;
struct xsasl_server;

/* Longest command line before login (RFC 2449 allows 255 octets for a
 * command; USER/PASS arguments and an AUTH initial response need more)
 * and after it.  Enforced by prot_getline in the loop. */
#define POP3_LINE_MAX_PREAUTH 1024
#define POP3_LINE_MAX         1024
/* Longest client line during an AUTH exchange (GSSAPI tokens are big). */
#define POP3_AUTH_LINE_MAX    16384
/* Longest mailbox listing before the session refuses the login: one
 * record per message is kept in memory. */
#define POP3_MAX_MESSAGES     1000000
/* Bytes of a message file read per chunk by RETR/TOP. */
#define POP3_READ_CHUNK       16384
/* Failed logins: counted, delayed and limited by imap_auth_failure(). */

/* Session states, as bits for the command table. */
enum pop3_state {
    POP3_AUTHORIZATION = 0x1,
    POP3_TRANSACTION = 0x2,
    POP3_UPDATE = 0x4,
};

struct pop3_session;

/* What a daemon sets up once per process. */
struct pop3_server {
    struct tls_ctx *tls_ctx;     /* NULL: no STLS, no implicit TLS */
    const char *implementation;  /* CAPA IMPLEMENTATION text */
    /* login_hook - pop3proxyd: replaces opening a local maildrop.  Called
     * by pop3_login once the user is authenticated (s->userid, s->auth
     * set); it answers the client itself.  1: it served the rest of the
     * session (relayed to a backend) and the session ends; 0: it answered
     * -ERR and the session stays in AUTHORIZATION.  NULL for pop3d. */
    int (*login_hook)(struct pop3_session *s, const char *authid,
                      const char *mech);
};

/* One message of the maildrop, numbered from 1 at login. */
struct pop3_msg {
    uint32_t uid;
    uint64_t size;
    bool deleted;                /* DELE'd in this session */
};

/* One connection: everything that belongs to it (no globals). */
struct pop3_session {
    const struct pop3_server *server;
    struct prot *prot;
    enum pop3_state state;
    bool tls;
    bool closing;                /* leave the loop after this command */
    char *local_ipport, *remote_ipport;
    struct buf line;             /* the current command line */
    /* authentication */
    struct xsasl_server *sasl;
    bool layer_on;               /* its security layer is installed */
    char *user_arg;              /* USER given, awaiting PASS */
    char *userid;                /* after login */
    struct auth_state *auth;
    struct namespace ns;
    unsigned auth_failures;
    unsigned bad_commands;
    /* the maildrop (TRANSACTION) */
    struct mailbox *mb;
    int lock_fd;                 /* the POP3 maildrop lock, -1 none */
    uint32_t uidvalidity;
    unsigned rights;             /* ACL_* on the INBOX */
    struct pop3_msg *msgs;
    uint32_t nmsgs;
};

/* pop3_session_serve - greet (after the handshake with -s), run commands
 * until QUIT, EOF, autologout or too many errors, then free everything. */
void pop3_session_serve(const struct pop3_server *server,
                        const struct service_conn *conn);

/* ---- replies (buffered; the loop flushes before each read) ---- */

/* pop3_ok / pop3_err - "+OK text" / "-ERR text" CRLF. */
void pop3_ok(struct pop3_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void pop3_err(struct pop3_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* pop3_bad - a bad command: "-ERR text", counted; past the limit of the
 * state the reply says so and the session closes.  Logged PROTOERR. */
void pop3_bad(struct pop3_session *s, const char *text);

/* pop3_read_timeout - seconds a read may wait in the current state. */
int pop3_read_timeout(const struct pop3_session *s);

/* pop3_auth_reset - (re)create the SASL session (after STLS or a failed
 * exchange).  0, or -1 (logged). */
int pop3_auth_reset(struct pop3_session *s);

/* pop3_login - the credentials of userid (authid proved them; mech for
 * the log) were accepted: build the auth state, open the user's INBOX,
 * answer +OK and enter TRANSACTION.  When the maildrop cannot be opened
 * the reply is -ERR [SYS/TEMP] or [SYS/PERM] and the state stays
 * AUTHORIZATION (the failure is not counted as a bad login). */
void pop3_login(struct pop3_session *s, const char *userid,
                const char *authid, const char *mech);
/* pop3_auth_layer - after the +OK of a login by AUTH is on its way:
 * flush it and start the SASL security layer the exchange negotiated (if
 * any), once.  0, or -1 (logged; the session must close: a layer that
 * cannot start, or plaintext the client sent behind its last AUTH
 * line).  pop3d calls it after pop3_login; a login hook that answers
 * +OK itself (pop3proxyd) calls it right after that +OK. */
int pop3_auth_layer(struct pop3_session *s);
/* pop3_login_failed - log, delay and count a failed login, answer
 * "-ERR [AUTH] ..."; past maxauthfailures the session closes. */
void pop3_login_failed(struct pop3_session *s, const char *user,
                       const char *mech, const char *reason);
/* pop3_maildrop_close - release the maildrop and the login state. */
void pop3_maildrop_close(struct pop3_session *s);

/* ---- the command table (pop3-commands.c) ---- */

struct pop3_command {
    const char *name;            /* upper case, at most 4 letters */
    void (*handler)(struct pop3_session *s, char *args);
    unsigned states;             /* enum pop3_state bits it is valid in */
};

/* The commands, terminated by a NULL name. */
extern const struct pop3_command pop3_commands[];

/* ---- message output (pop3-commands.c), pure and unit-tested ---- */

/* The dot-stuffing filter of RETR and TOP: zero it, set body_lines (-1:
 * whole message; n: the header, its blank line and n body lines) and feed
 * the message bytes. */
struct pop3_dot {
    long body_lines;
    long lines_sent;
    bool in_body;                /* past the header's blank line */
    bool line_empty;             /* the current line has only CRs so far */
    bool mid_line;               /* the last byte emitted was not LF */
    bool done;                   /* TOP: enough lines were sent */
};

/* pop3_dot_init - ready for a message; body_lines as above. */
void pop3_dot_init(struct pop3_dot *d, long body_lines);
/* pop3_dot_feed - dot-stuff in[0..n) into out (appended); returns the
 * bytes consumed, fewer than n once d->done. */
size_t pop3_dot_feed(struct pop3_dot *d, const char *in, size_t n,
                     struct buf *out);
/* pop3_dot_finish - the terminator into out: a CRLF first when the
 * message did not end with a line end, then ".\r\n". */
void pop3_dot_finish(const struct pop3_dot *d, struct buf *out);

/* pop3_parse_msgno - the message number in arg (decimal, 1..nmsgs, not
 * deleted): the index (0-based), or -1 with the reply text in *why_r. */
long pop3_parse_msgno(const struct pop3_session *s, const char *arg,
                      const char **why_r);

#endif /* IMAP_POP3_SESSION_H */
