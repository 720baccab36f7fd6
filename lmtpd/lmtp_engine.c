/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lmtp_engine.c - the LMTP session: greeting, command loop, the dispatch
 * table with its state checks, and LHLO, MAIL, RCPT, RSET, NOOP, VRFY,
 * QUIT.  DATA is in lmtp_data.c, AUTH and STARTTLS in lmtp_auth.c.
 *
 * Called by lmtpd (and lmtpproxyd) once per connection from the service
 * skeleton; one session per process at a time, all state in struct
 * lmtp_session.  Faults are answered on the wire (4xx temporary, 5xx
 * permanent) and logged; nothing here is fatal to the process.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cfg.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "lib/strarray.h"
#include "lib/tls.h"
#include "lib/xmalloc.h"
#include "lib/xsasl.h"
#include "lmtpd/lmtp_engine.h"
#include "lmtpd/lmtp_recipient.h"
#include "master/service.h"

/* Dispatch flags: what a command needs before it may run. */
#define NEED_LHLO 0x01  /* after LHLO */
#define NEED_AUTH 0x02  /* authenticated, or -a */
#define NEED_MAIL 0x04  /* inside a transaction */
#define NO_MAIL   0x08  /* outside a transaction */

struct lmtp_command {
    const char *name;
    void (*handler)(struct lmtp_session *s, const char *args);
    unsigned flags;
};

void lmtp_reply(struct lmtp_session *s, int code, const char *ext,
                const char *fmt, ...)
{
    struct buf b = BUF_INIT;
    va_list ap;

    buf_printf(&b, "%d ", code);
    if (ext)
        buf_printf(&b, "%s ", ext);
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    buf_appendcstr(&b, "\r\n");
    prot_write(s->prot, b.s, b.len);
    buf_free(&b);
}

void lmtp_session_bad(struct lmtp_session *s)
{
    if (++s->bad_commands < LMTP_MAX_BAD_COMMANDS)
        return;
    log_notice("PROTOERR too many bad commands count=<%u>", s->bad_commands);
    lmtp_reply(s, 421, "4.7.0", "Too many errors, closing connection");
    s->closing = 1;
}

void lmtp_session_reset(struct lmtp_session *s)
{
    size_t i;

    for (i = 0; i < s->nrcpts; i++)
        lmtp_recipient_free(&s->rcpts[i]);
    s->nrcpts = 0;
    free(s->mail_from);
    s->mail_from = NULL;
    s->size_hint = 0;
    s->in_mail = 0;
}

void lmtp_session_rcpt_done(struct lmtp_session *s, size_t idx)
{
    struct buf b = BUF_INIT;

    if (s->rcpts[idx]->reply)
        buf_setcstr(&b, s->rcpts[idx]->reply);
    else
        lmtp_rcpt_result_reply(s->rcpts[idx]->result,
            cfg_get_switch(IMAPOPT_LMTP_OVER_QUOTA_PERM_FAILURE), &b);
    buf_appendcstr(&b, "\r\n");
    prot_write(s->prot, b.s, b.len);
    prot_flush(s->prot);
    buf_free(&b);
}

/* cmd_lhlo - LHLO host: the capability list; resets the transaction */
static void cmd_lhlo(struct lmtp_session *s, const char *args)
{
    struct strarray caps = STRARRAY_INIT;
    struct buf b = BUF_INIT;
    long max = cfg_get_int(IMAPOPT_MAXMESSAGESIZE);
    size_t i;

    if (!*args) {
        lmtp_reply(s, 501, "5.5.4", "Syntax: LHLO hostname");
        lmtp_session_bad(s);
        return;
    }
    lmtp_session_reset(s);
    free(s->lhlo);
    s->lhlo = xstrdup(args);
    strarray_append(&caps, cfg_get_string(IMAPOPT_SERVERNAME));
    strarray_append(&caps, "8BITMIME");
    strarray_append(&caps, "ENHANCEDSTATUSCODES");
    strarray_append(&caps, "PIPELINING");
    buf_setcstr(&b, "SIZE");
    if (max > 0)
        buf_printf(&b, " %ld", max);
    strarray_append(&caps, buf_cstring(&b));
    if (!s->preauth && !s->authuser) {
        buf_reset(&b);
        lmtp_auth_mechs(s, &b);
        if (b.len) {
            char *auth = xstrdup(buf_cstring(&b));
            buf_reset(&b);
            buf_printf(&b, "AUTH %s", auth);
            strarray_append(&caps, buf_cstring(&b));
            free(auth);
        }
    }
    if (s->server->tls_ctx && !s->tls)
        strarray_append(&caps, "STARTTLS");
    for (i = 0; i < caps.count; i++)
        prot_printf(s->prot, "250%c%s\r\n", i + 1 < caps.count ? '-' : ' ',
                    caps.data[i]);
    strarray_fini(&caps);
    buf_free(&b);
}

/* skip_keyword - args start with kw ("FROM:"), any case, then spaces:
 * the rest, or NULL */
static const char *skip_keyword(const char *args, const char *kw)
{
    size_t n = strlen(kw);

    if (str_ncasecmp(args, kw, n) != 0)
        return NULL;
    args += n;
    while (*args == ' ')
        args++;
    return args;
}

/* mail_param - one MAIL parameter; 0 ok, -1 when a reply was sent */
static int mail_param(struct lmtp_session *s, const char *p)
{
    long max = cfg_get_int(IMAPOPT_MAXMESSAGESIZE);
    const char *v;

    if ((v = skip_keyword(p, "SIZE="))) {
        if (str_parse_u64(v, strlen(v), UINT64_MAX, &s->size_hint) != 1) {
            lmtp_reply(s, 501, "5.5.4", "Syntax error in SIZE parameter");
            return -1;
        }
        if (max > 0 && s->size_hint > (uint64_t)max) {
            lmtp_reply(s, 552, "5.3.4", "Message size exceeds fixed limit");
            return -1;
        }
    } else if ((v = skip_keyword(p, "BODY="))) {
        if (str_casecmp(v, "7BIT") != 0 && str_casecmp(v, "8BITMIME") != 0) {
            lmtp_reply(s, 501, "5.5.4", "Unsupported BODY type");
            return -1;
        }
    } else if (!skip_keyword(p, "AUTH=")) { /* RFC 4954 5: accepted */
        lmtp_reply(s, 555, "5.5.4", "Unsupported parameter");
        return -1;
    }
    return 0;
}

/* cmd_mail - MAIL FROM:<path> [SIZE=n] [BODY=7BIT|8BITMIME] [AUTH=x] */
static void cmd_mail(struct lmtp_session *s, const char *args)
{
    const char *p = skip_keyword(args, "FROM:"), *err = NULL;
    struct strarray params = STRARRAY_INIT;
    char *from = NULL;
    size_t used, i;

    if (!p || lmtp_path_parse(p, strlen(p), 1, &from, &used, &err) < 0) {
        lmtp_reply(s, 501, "5.5.4", "%s", p ? err : "Syntax: MAIL FROM:<address>");
        lmtp_session_bad(s);
        return;
    }
    strarray_split(&params, p + used, " ");
    s->size_hint = 0;
    for (i = 0; i < params.count; i++) {
        if (mail_param(s, params.data[i]) < 0) {
            strarray_fini(&params);
            free(from);
            return;
        }
    }
    strarray_fini(&params);
    s->mail_from = from;
    s->in_mail = 1;
    lmtp_reply(s, 250, "2.1.0", "Ok");
}

/* cmd_rcpt - RCPT TO:<path>: resolve through the hooks */
static void cmd_rcpt(struct lmtp_session *s, const char *args)
{
    const char *p = skip_keyword(args, "TO:"), *err = NULL;
    struct lmtp_recipient *r = NULL;
    struct buf reply = BUF_INIT;
    char *addr = NULL;
    size_t used;
    int res;

    if (!p || lmtp_path_parse(p, strlen(p), 0, &addr, &used, &err) < 0) {
        lmtp_reply(s, 501, "5.5.4", "%s", p ? err : "Syntax: RCPT TO:<address>");
        lmtp_session_bad(s);
        return;
    }
    if (p[used] != '\0') {
        lmtp_reply(s, 555, "5.5.4", "Unsupported parameter");
    } else if (s->nrcpts >= LMTP_MAX_RCPTS) {
        lmtp_reply(s, 452, "4.5.3", "Too many recipients");
    } else if ((res = s->server->hooks->rcpt(s, addr, &r)) == LMTP_RCPT_OK) {
        if (s->nrcpts == s->arcpts) {
            s->arcpts = s->arcpts ? 2 * s->arcpts : 8;
            s->rcpts = xreallocarray(s->rcpts, s->arcpts, sizeof(*s->rcpts));
        }
        s->rcpts[s->nrcpts++] = r;
        lmtp_reply(s, 250, "2.1.5", "Ok");
    } else {
        log_info("recipient refused rcpt=<%s> result=<%d>", addr, res);
        lmtp_rcpt_result_reply(res,
            cfg_get_switch(IMAPOPT_LMTP_OVER_QUOTA_PERM_FAILURE), &reply);
        prot_printf(s->prot, "%s\r\n", buf_cstring(&reply));
    }
    buf_free(&reply);
    free(addr);
}

/* cmd_rset - RSET */
static void cmd_rset(struct lmtp_session *s, const char *args)
{
    (void)args;
    lmtp_session_reset(s);
    lmtp_reply(s, 250, "2.0.0", "Ok");
}

/* cmd_noop - NOOP (arguments ignored, RFC 5321 4.1.1.9) */
static void cmd_noop(struct lmtp_session *s, const char *args)
{
    (void)args;
    lmtp_reply(s, 250, "2.0.0", "Ok");
}

/* cmd_vrfy - VRFY: never reveals users (RFC 5321 3.5.3 allows 252) */
static void cmd_vrfy(struct lmtp_session *s, const char *args)
{
    (void)args;
    lmtp_reply(s, 252, "2.5.2", "Cannot VRFY user, but will accept message");
}

/* cmd_quit - QUIT */
static void cmd_quit(struct lmtp_session *s, const char *args)
{
    (void)args;
    lmtp_reply(s, 221, "2.0.0", "Bye");
    s->closing = 1;
}

/* cmd_helo - HELO/EHLO are SMTP, refused by LMTP servers (RFC 2033 4.1) */
static void cmd_helo(struct lmtp_session *s, const char *args)
{
    (void)args;
    lmtp_reply(s, 500, "5.5.1", "This is LMTP: use LHLO");
    lmtp_session_bad(s);
}

static const struct lmtp_command commands[] = {
    { "LHLO", cmd_lhlo, 0 },
    { "MAIL", cmd_mail, NEED_LHLO | NEED_AUTH | NO_MAIL },
    { "RCPT", cmd_rcpt, NEED_LHLO | NEED_AUTH | NEED_MAIL },
    { "DATA", lmtp_cmd_data, NEED_LHLO | NEED_AUTH | NEED_MAIL },
    { "RSET", cmd_rset, 0 },
    { "NOOP", cmd_noop, 0 },
    { "VRFY", cmd_vrfy, 0 },
    { "QUIT", cmd_quit, 0 },
    { "AUTH", lmtp_cmd_auth, NEED_LHLO | NO_MAIL },
    { "STARTTLS", lmtp_cmd_starttls, NEED_LHLO | NO_MAIL },
    { "HELO", cmd_helo, 0 },
    { "EHLO", cmd_helo, 0 },
};

/* state_ok - the dispatcher's one state check; answers 503/530 if not */
static int state_ok(struct lmtp_session *s, unsigned flags)
{
    if ((flags & NEED_LHLO) && !s->lhlo)
        lmtp_reply(s, 503, "5.5.1", "Send LHLO first");
    else if ((flags & NEED_AUTH) && !s->preauth && !s->authuser)
        lmtp_reply(s, 530, "5.7.0", "Authentication required");
    else if ((flags & NEED_MAIL) && !s->in_mail)
        lmtp_reply(s, 503, "5.5.1", "Need MAIL command");
    else if ((flags & NO_MAIL) && s->in_mail)
        lmtp_reply(s, 503, "5.5.1", "Not allowed during a mail transaction");
    else
        return 1;
    lmtp_session_bad(s);
    return 0;
}

/* dispatch - run one command line */
static void dispatch(struct lmtp_session *s, char *line)
{
    size_t n = strcspn(line, " "), i;
    const char *args = line[n] ? line + n + 1 : "";

    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strlen(commands[i].name) == n &&
            str_ncasecmp(line, commands[i].name, n) == 0) {
            log_ctx_set("command", commands[i].name);
            if (state_ok(s, commands[i].flags))
                commands[i].handler(s, args);
            log_ctx_set("command", NULL);
            return;
        }
    }
    lmtp_reply(s, 500, "5.5.2", "Unknown command");
    lmtp_session_bad(s);
}

/* read_command - the next line into s->line: 1, or 0 when the session
 * ends (EOF, timeout: answered and logged here) */
static int read_command(struct lmtp_session *s)
{
    int r;

    for (;;) {
        if (prot_available(s->prot) == 0)
            prot_flush(s->prot);
        buf_reset(&s->line);
        r = prot_getline(s->prot, &s->line, LMTP_LINE_MAX);
        if (r == 1)
            return memchr(s->line.s, '\0', s->line.len) ? -1 : 1;
        if (r != PROT_TOOLONG)
            break;
        prot_skipline(s->prot);
        lmtp_reply(s, 500, "5.5.2", "Line too long");
        lmtp_session_bad(s);
        if (s->closing)
            return 0;
    }
    if (prot_state(s->prot) == PROT_STATE_TIMEOUT) {
        lmtp_reply(s, 421, "4.4.2", "Idle timeout, closing connection");
        log_notice("session timed out");
    }
    return 0;
}

/* session_free - everything the session holds */
static void session_free(struct lmtp_session *s)
{
    lmtp_session_reset(s);
    free(s->rcpts);
    free(s->lhlo);
    free(s->authuser);
    xsasl_server_free(&s->sasl);
    buf_free(&s->line);
    prot_free(&s->prot);
}

void lmtp_session_serve(const struct lmtp_server *srv,
                        const struct service_conn *conn, int preauth)
{
    struct lmtp_session s;
    int r;

    memset(&s, 0, sizeof(s));
    s.server = srv;
    s.prot = prot_new(conn->in_fd);
    prot_set_timeouts(s.prot, LMTP_TIMEOUT_S, LMTP_TIMEOUT_S);
    s.local_ipport = conn->local_ipport;
    s.remote_ipport = conn->remote_ipport;
    s.peer = conn->peer;
    s.session_id = conn->session_id;
    s.preauth = preauth;
    if (srv->tls_ctx && service_implicit_tls()) { /* -s: TLS first */
        const char *err = NULL;
        if (tls_server_start(srv->tls_ctx, s.prot, LMTP_TIMEOUT_S, &err) < 0) {
            log_notice("TLS handshake failed error=<%s>", err);
            session_free(&s);
            return;
        }
        s.tls = 1;
    }
    if (!preauth && lmtp_auth_reset(&s) < 0) {
        lmtp_reply(&s, 421, "4.3.0", "Server unavailable");
    } else {
        lmtp_reply(&s, 220, NULL, "%s LMTP murder ready",
                   cfg_get_string(IMAPOPT_SERVERNAME));
        while (!s.closing && (r = read_command(&s)) != 0) {
            if (r < 0) {
                lmtp_reply(&s, 500, "5.5.2", "NUL byte in command");
                lmtp_session_bad(&s);
                continue;
            }
            dispatch(&s, (char *)buf_cstring(&s.line));
        }
    }
    prot_flush(s.prot);
    session_free(&s);
}
