/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imap_session.h - one IMAP connection: its state and the command loop.
 *
 * The engine shared by imapd and proxyd.  A daemon fills one struct
 * imap_server per process (its command table, TLS context, hooks) and calls
 * imap_session_serve() for each connection from its service callback.  The
 * session struct holds EVERYTHING that belongs to the connection (no
 * process-global session state): the stream, the parser, the SASL session,
 * who is logged in, error counters.  It lives exactly as long as the
 * connection.
 *
 * The loop: read what the stream has, feed the parser, send "+" for
 * synchronising literals, and when a command is complete look it up in the
 * table, check its flags once (imap_commands_check), run its handler.
 * Parser errors are answered BAD (or "* BYE" when the stream cannot be
 * resynchronised) and counted; past the bad-command limit the session ends
 * with "* BYE Too many invalid commands".  Reads wait at most the autologout
 * time (prot_timeout_preauth seconds before login, timeout minutes after).
 *
 * Limits are those of the parser (lib/imap_parser.h): the pre-auth set of
 * imapd.conf maxline_preauth/maxliteral_preauth plus lib/limits.h, switched
 * once to maxline/maxliteral after login (imap_session_set_authenticated).
 */
#ifndef IMAP_IMAP_SESSION_H
#define IMAP_IMAP_SESSION_H

#include <stdarg.h>
#include <stdbool.h>

#include "imap/imap_commands.h"
#include "imap/namespace.h"
#include "lib/buf.h"

struct prot;
struct tls_ctx;
struct xsasl_server;
struct auth_state;
struct service_conn;
struct imap_parser;
struct imap_selected;

/* Delay after a failed login: this many ms times the failures so far on
 * the connection, at most IMAP_AUTH_FAIL_DELAY_MAX_MS (a password guesser
 * is slowed; a typo costs half a second). */
#define IMAP_AUTH_FAIL_DELAY_MS      500
#define IMAP_AUTH_FAIL_DELAY_MAX_MS  2000

/* Extensions a client turned on with ENABLE (RFC 5161), or implicitly
 * (CONDSTORE by FETCH MODSEQ / CHANGEDSINCE / UNCHANGEDSINCE, RFC 7162
 * 3.1).  A bit per extension (cmd-enable.c); QRESYNC implies CONDSTORE. */
#define IMAP_ENABLED_NONE 0u
#define IMAP_ENABLED_CONDSTORE 0x1u
#define IMAP_ENABLED_QRESYNC   0x2u
/* IMAP4rev2 (RFC 9051): no RECENT, [CLOSED] on a SELECT that replaces a
 * selection, LIST placeholders as \NonExistent, SEARCH answered with
 * ESEARCH, SELECT answers LIST and no [UNSEEN]. */
#define IMAP_ENABLED_IMAP4REV2 0x4u

/* Hooks a daemon may supply; any may be NULL. */
struct imap_session_hooks {
    /* capability - append " NAME"s of daemon-specific capabilities. */
    void (*capability)(struct imap_session *s, struct buf *out);
    /* logged_in - after a successful LOGIN/AUTHENTICATE, before the tagged
     * OK (proxyd connects to the backend here).  Return 0, or -1 with a
     * reply text in *error_r: the client then gets NO and the login is
     * undone. */
    int (*logged_in)(struct imap_session *s, const char **error_r);
    /* end - the connection is over (proxyd closes its backends). */
    void (*end)(struct imap_session *s);
};

/* What a daemon sets up once per process. */
struct imap_server {
    const struct imap_command_table *commands;
    struct tls_ctx *tls_ctx;     /* NULL: no STARTTLS, no implicit TLS */
    const struct imap_session_hooks *hooks;
    void *rock;                  /* the daemon's own */
    /* stream_ops - the sink for streamed literals of the command named
     * (upper case), NULL to discard them; NULL: discard all */
    const struct imap_stream_ops *(*stream_ops)(const char *command);
    /* literal_check - before "+" for a synchronising literal of size
     * bytes of the command named (upper case; args parsed so far, the
     * literal's size last): NULL to let it come, or the text of a tagged
     * NO ("[TRYCREATE] ..."): the client then sends nothing more of the
     * command (RFC 3501 7.5), so nobody waits for data that cannot be
     * kept.  Non-synchronising literals are read (and discarded) as
     * usual.  NULL: accept all.  After login only. */
    const char *(*literal_check)(struct imap_session *s, const char *command,
                                 const struct imap_arg *args, size_t argc,
                                 uint64_t size);
};

/* State bits are the IMAP_CMD_NONAUTH/AUTH/SELECTED flags. */
struct imap_session {
    const struct imap_server *server;
    struct prot *prot;
    struct imap_parser *parser;
    struct buf in;               /* bytes read, not yet fed to the parser */
    size_t inpos;
    unsigned state;              /* IMAP_CMD_NONAUTH, _AUTH or _SELECTED */
    bool tls;                    /* TLS is active */
    bool closing;                /* BYE sent or peer gone: leave the loop */
    bool postauth_limits;        /* parser limits switched after login */
    char *local_ipport, *remote_ipport, *peer;
    /* authentication */
    struct xsasl_server *sasl;   /* the SASL session (recreated after TLS) */
    char *userid;                /* who we act as, after login */
    char *authid;                /* who proved it (differs with proxy auth) */
    struct auth_state *auth;
    struct namespace ns;
    unsigned auth_failures;
    unsigned bad_commands;
    unsigned enabled;            /* IMAP_ENABLED_* */
    struct buf client_id;        /* the client's ID fields, for logs */
    /* the selected mailbox (imap/imap_selected.h), NULL when none; its
     * changes are reported before every tagged OK/NO */
    struct imap_selected *selected;
    /* sinks of the current command's streamed literals, in order */
    void **streamed;
    size_t nstreamed, streamed_alloc;
    const struct imap_stream_ops *stream_ops;
    void *rock;                  /* the daemon's per-session data */
};

/* imap_session_serve - greet, run commands until LOGOUT, EOF, timeout or a
 * fatal error, then free everything.  conn is the skeleton's. */
void imap_session_serve(const struct imap_server *server,
                        const struct service_conn *conn);

/* ---- responses (output is buffered; the loop flushes before reading) */

/* imap_untagged - "* " fmt CRLF. */
void imap_untagged(struct imap_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* imap_cmd_ok / imap_cmd_no - "tag OK|NO " fmt CRLF, after the selected
 * mailbox's report (imap_selected_report_cmd).  When that report ends
 * the session (the mailbox is gone: BYE), imap_cmd_ok sends no OK. */
void imap_cmd_ok(struct imap_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void imap_cmd_no(struct imap_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* imap_cmd_bad - "tag BAD " fmt CRLF, logged as PROTOERR and counted
 * towards the bad-command limit (the engine ends the session once it is
 * exceeded). */
void imap_cmd_bad(struct imap_cmd *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* imap_session_bye - "* BYE " text, flush, and end the session. */
void imap_session_bye(struct imap_session *s, const char *text);
/* imap_session_count_bad - count one bad command; true (and BYE sent)
 * when the limit is now exceeded.  From the (IMAP_BAD_FREE + 1)th bad
 * command on, each is delayed by imap_session_penalty(bad - IMAP_BAD_FREE):
 * a client with a quirk loses nothing, a runaway or a scanner slows
 * down long before the disconnect. */
#define IMAP_BAD_FREE 3
bool imap_session_count_bad(struct imap_session *s);

/* imap_session_penalty - sleep steps times IMAP_AUTH_FAIL_DELAY_MS, at
 * most IMAP_AUTH_FAIL_DELAY_MAX_MS: the one growing delay of failed
 * logins and bad commands. */
void imap_session_penalty(unsigned long steps);

/* imap_session_bytes_pending - client bytes received but not yet parsed
 * (pipelined after the current command).  STARTTLS and a SASL security
 * layer refuse to start over such bytes (CVE-2011-0411). */
size_t imap_session_bytes_pending(const struct imap_session *s);

/* imap_session_set_authenticated - enter the authenticated state as
 * userid (authid proved it): builds the auth_state (admin from
 * `admins`), the namespace, switches the parser to post-auth limits and
 * the autologout to `timeout`, sets the log context user.  Returns 0, or
 * -1 with *error_r when userid cannot be a login identity. */
int imap_session_set_authenticated(struct imap_session *s, const char *userid,
                                   const char *authid, const char **error_r);

/* imap_session_streamed - the sink of the i-th streamed literal of the
 * current command (0-based, in argument order), NULL when there is no
 * such literal or its bytes were discarded.  Owned by the engine (freed
 * after the handler returns). */
void *imap_session_streamed(const struct imap_session *s, size_t i);

/* imap_session_read_timeout - the autologout time in force, seconds. */
int imap_session_read_timeout(const struct imap_session *s);

#endif /* IMAP_IMAP_SESSION_H */
