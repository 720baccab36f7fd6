/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lmtp_engine.h - the LMTP protocol engine (RFC 2033) shared by lmtpd and
 * lmtpproxyd: the session loop and command table (lmtp_engine.c), DATA
 * with dot-unstuffing (lmtp_data.c), AUTH and STARTTLS (lmtp_auth.c).
 *
 * Extensions: PIPELINING (RFC 2920), ENHANCEDSTATUSCODES (RFC 2034/3463),
 * 8BITMIME, SIZE (RFC 1870), AUTH (RFC 4954, only when the peer is not
 * preauthorized with -a) and STARTTLS (RFC 3207, when TLS is configured).
 * No CHUNKING/BDAT.
 *
 * Where mail goes is not the engine's business: a struct lmtp_hooks (the
 * local store in lmtpd/lmtp_local.c, the backends in lmtpproxyd) resolves
 * recipients at RCPT, receives the message data as it streams in (never
 * the whole message in memory), and delivers after the final ".", setting
 * each recipient's result; the engine sends one reply per accepted
 * recipient, in RCPT order, as soon as lmtp_session_rcpt_done() is called
 * for it, so an acknowledged delivery is on the wire before the next one
 * starts.
 *
 * Replies: 5xx with enhanced codes for syntax (the session continues),
 * 4xx for every temporary fault.  After LMTP_MAX_BAD_COMMANDS bad commands
 * the session ends with 421.  Output is flushed whenever no more input is
 * buffered, so pipelined commands get their replies in one write.
 */
#ifndef LMTPD_LMTP_ENGINE_H
#define LMTPD_LMTP_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

struct lmtp_recipient;
struct lmtp_session;
struct prot;
struct service_conn;
struct tls_ctx;
struct xsasl_server;

/* Longest command line (RFC 5321 4.5.3.1.4 requires 512; parameters and
 * long addresses fit easily).  Enforced by prot_getline in the loop. */
#define LMTP_LINE_MAX 4096
/* Longest SASL response line during AUTH (GSSAPI tokens are large). */
#define LMTP_AUTH_LINE_MAX 16384
/* Bad commands (unknown, syntax, out of sequence) before 421. */
#define LMTP_MAX_BAD_COMMANDS 10
/* Recipients of one transaction (RFC 5321 4.5.3.1.8 requires 100). */
#define LMTP_MAX_RCPTS 1000
/* Idle timeout while waiting for a command or data, seconds (RFC 5321
 * 4.5.3.2 asks for at least 5 minutes; Cyrus uses 360). */
#define LMTP_TIMEOUT_S 360
/* Message bytes collected before each hook spool_write call. */
#define LMTP_DATA_CHUNK 65536

/* What a delivery module provides.  Each returns 0 for success. */
struct lmtp_hooks {
    /* rcpt - resolve address (unquoted local@domain) for this session:
     * LMTP_RCPT_OK with *r_r (the engine owns it from then on), else an
     * enum lmtp_rcpt_result failure that the engine answers. */
    int (*rcpt)(struct lmtp_session *s, const char *address,
                struct lmtp_recipient **r_r);
    /* spool_begin - somewhere to put the message (recipients are known).
     * -1 answers 451 for the whole transaction after the data. */
    int (*spool_begin)(struct lmtp_session *s, void **spool_r);
    /* spool_write - n more bytes of the message; -1 on a fault. */
    int (*spool_write)(void *spool, const void *p, size_t n);
    /* spool_finish - the message is complete (make it durable); -1. */
    int (*spool_finish)(void *spool);
    /* spool_free - discard the spool (also unfinished ones); NULL it. */
    void (*spool_free)(void **spool);
    /* deliver - deliver the finished spool to every recipient of s, in
     * order, setting rcpt->result and calling lmtp_session_rcpt_done()
     * for each one as soon as its outcome is final. */
    void (*deliver)(struct lmtp_session *s, void *spool);
};

/* Process-wide: set up once by the daemon. */
struct lmtp_server {
    const struct lmtp_hooks *hooks;
    struct tls_ctx *tls_ctx;   /* NULL: no STARTTLS */
    void *rock;                /* the delivery module's state */
};

/* One connection.  Hooks may read every field; only the engine writes. */
struct lmtp_session {
    const struct lmtp_server *server;
    struct prot *prot;
    const char *local_ipport, *remote_ipport; /* SASL; may be NULL */
    const char *peer;          /* for logs and Received */
    const char *session_id;
    int preauth;               /* -a: no AUTH needed */
    int tls;                   /* STARTTLS done */
    int closing;               /* end after this command */
    char *lhlo;                /* LHLO argument, NULL before LHLO */
    char *authuser;            /* after AUTH (or NULL) */
    struct xsasl_server *sasl;
    unsigned bad_commands, auth_failures;
    /* the transaction, between MAIL and the end of DATA or RSET */
    int in_mail;
    char *mail_from;           /* reverse path, "" for <> */
    uint64_t size_hint;        /* MAIL SIZE=, 0 when not given */
    struct lmtp_recipient **rcpts;
    size_t nrcpts, arcpts;
    struct buf line;
};

/* lmtp_session_serve - run the protocol on conn until QUIT, EOF, timeout
 * or too many errors.  preauth: the peer needs no AUTH (-a). */
void lmtp_session_serve(const struct lmtp_server *srv,
                        const struct service_conn *conn, int preauth);

/* lmtp_session_rcpt_done - send the after-DATA reply of recipient idx
 * (its reply line when set, else from its result) and flush it.  Call
 * once per recipient, in order. */
void lmtp_session_rcpt_done(struct lmtp_session *s, size_t idx);

/* lmtp_reply - send "code ext text" (ext may be NULL); not flushed.  */
void lmtp_reply(struct lmtp_session *s, int code, const char *ext,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* lmtp_session_bad - count a bad command; 421 and closing past the
 * limit. */
void lmtp_session_bad(struct lmtp_session *s);

/* lmtp_session_reset - forget the transaction (RSET, after DATA). */
void lmtp_session_reset(struct lmtp_session *s);

/* ---- DATA (lmtp_data.c) ---- */

/* lmtp_cmd_data - the DATA command: 354, stream the message to the
 * hooks' spool, then deliver and answer per recipient. */
void lmtp_cmd_data(struct lmtp_session *s, const char *args);

/* The dot-unstuffing decoder, a pure state machine (unit-tested).
 * Zero it before the first byte (the data starts at a line start). */
struct lmtp_dot {
    int state;
};

/* lmtp_dot_step - feed one byte c: appends message bytes to out (a
 * leading dot of a line removed, a bare LF written as CRLF, a bare CR
 * kept); returns 1 when c completed the terminating "." line (CRLF or
 * bare LF), else 0.  The CRLF ending the last message line stays part
 * of the message. */
int lmtp_dot_step(struct lmtp_dot *d, int c, struct buf *out);

/* lmtp_dot_decode - lmtp_dot_step over in[0..n): returns the bytes
 * consumed; *done_r is 1 when the end was reached (the rest of in is
 * unconsumed: the next pipelined command). */
size_t lmtp_dot_decode(struct lmtp_dot *d, const char *in, size_t n,
                       struct buf *out, int *done_r);

/* ---- AUTH and STARTTLS (lmtp_auth.c) ---- */

/* lmtp_auth_init - once per process: cyrus-sasl with imapd.conf's sasl_*
 * options.  fatal(EX_CONFIG) on failure. */
void lmtp_auth_init(void);
/* lmtp_auth_reset - (re)create the session's SASL session; 0 or -1. */
int lmtp_auth_reset(struct lmtp_session *s);
/* lmtp_auth_mechs - the mechanisms to advertise into out ("" none). */
void lmtp_auth_mechs(struct lmtp_session *s, struct buf *out);
/* lmtp_auth_may_deliver - may authid use LMTP?  1 when listed in admins
 * (lmtp_admins for the lmtp service) or proxyservers. */
int lmtp_auth_may_deliver(const char *authid);
void lmtp_cmd_auth(struct lmtp_session *s, const char *args);
void lmtp_cmd_starttls(struct lmtp_session *s, const char *args);

#endif /* LMTPD_LMTP_ENGINE_H */
