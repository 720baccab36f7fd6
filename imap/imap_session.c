/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imap_session.c - the IMAP command loop shared by imapd and proxyd.
 *
 * Owns one connection from greeting to BYE: reads client bytes from the
 * struct prot (non-blocking reads plus our own poll, so the autologout timer
 * and a graceful SIGTERM are seen here), feeds the incremental parser,
 * answers literal continuations, dispatches complete commands through the
 * daemon's table (state checks happen once, here), resumes handlers that
 * wait for a client line, and counts protocol errors.  Limits are enforced
 * by the parser; this file only chooses which set is in force.
 * Single-threaded, one session per process at a time; all state is in
 * struct imap_session.  Protocol errors are logged as PROTOERR.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "imap/auth_state.h"
#include "imap/imap_auth.h"
#include "imap/imap_capability.h"
#include "imap/imap_selected.h"
#include "imap/imap_session.h"
#include "lib/cfg.h"
#include "lib/exitcodes.h"
#include "lib/imap_parser.h"
#include "lib/limits.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "lib/strarray.h"
#include "lib/tls.h"
#include "lib/xmalloc.h"
#include "lib/xsasl.h"
#include "master/service.h"

/* What session_parse() produced. */
enum session_step {
    STEP_COMMAND,  /* a complete command (or raw line) is in the parser */
    STEP_SKIPPED,  /* a bad line was answered and skipped */
    STEP_CLOSED,   /* the session is over */
};

/* The largest streamed literal when maxmessagesize is 0 (its maximum). */
#define SESSION_MAX_STREAMED ((uint64_t)1 << 40)

/* session_limits - the parser limits for the session's state */
static void session_limits(const struct imap_session *s,
                           struct imap_parser_limits *l)
{
    if (s->state == IMAP_CMD_NONAUTH) {
        imap_parser_limits_preauth(l);
        l->max_line = (size_t)cfg_get_int(IMAPOPT_MAXLINE_PREAUTH);
        l->max_literal = (uint64_t)cfg_get_int(IMAPOPT_MAXLITERAL_PREAUTH);
        l->max_literal_total = 2 * l->max_literal;
        /* the pre-auth caps of lib/limits.h, lowered by the options */
        if ((size_t)cfg_get_int(IMAPOPT_MAXQUOTED) < l->max_quoted)
            l->max_quoted = (size_t)cfg_get_int(IMAPOPT_MAXQUOTED);
        if ((size_t)cfg_get_int(IMAPOPT_MAXWORD) < l->max_word)
            l->max_word = (size_t)cfg_get_int(IMAPOPT_MAXWORD);
        return;
    }
    memset(l, 0, sizeof(*l));
    l->max_line = (size_t)cfg_get_int(IMAPOPT_MAXLINE);
    /* literals up to maxliteral are buffered; larger ones are streamed to
     * the command's sink (APPEND) or discarded, and bounded by
     * maxmessagesize (0: the option's own maximum) */
    l->stream_threshold = (uint64_t)cfg_get_int(IMAPOPT_MAXLITERAL);
    l->max_literal_total = 2 * l->stream_threshold;
    l->max_literal = (uint64_t)cfg_get_int(IMAPOPT_MAXMESSAGESIZE);
    if (!l->max_literal)
        l->max_literal = SESSION_MAX_STREAMED;
    l->max_nesting = LIMIT_IMAP_NESTING;
    l->max_args = LIMIT_IMAP_ARGS;
    l->literal_plus = true;
    l->allow_8bit_quoted = true;
    l->max_quoted = (size_t)cfg_get_int(IMAPOPT_MAXQUOTED);
    l->max_word = (size_t)cfg_get_int(IMAPOPT_MAXWORD);
}

int imap_session_read_timeout(const struct imap_session *s)
{
    if (s->state == IMAP_CMD_NONAUTH)
        return (int)cfg_get_int(IMAPOPT_PROT_TIMEOUT_PREAUTH);
    return (int)cfg_get_int(IMAPOPT_TIMEOUT) * 60;
}

/* ---- output ---- */

/* reply - "<tag> <kind> <text>\r\n" */
static void reply(struct imap_session *s, const char *tag, const char *kind,
                  const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));
static void reply(struct imap_session *s, const char *tag, const char *kind,
                  const char *fmt, va_list ap)
{
    struct buf b = BUF_INIT;

    buf_vprintf(&b, fmt, ap);
    prot_printf(s->prot, "%s %s %s\r\n", tag, kind, buf_cstring(&b));
    buf_free(&b);
}

void imap_untagged(struct imap_session *s, const char *fmt, ...)
{
    va_list ap;

    prot_puts(s->prot, "* ");
    va_start(ap, fmt);
    prot_vprintf(s->prot, fmt, ap);
    va_end(ap);
    prot_puts(s->prot, "\r\n");
}

void imap_cmd_ok(struct imap_cmd *cmd, const char *fmt, ...)
{
    bool was_closing = cmd->sess->closing;
    va_list ap;

    /* untagged updates of the selected mailbox go before the tagged
     * reply (RFC 3501 5.2, 7.4.1) */
    if (cmd->sess->selected)
        imap_selected_report_cmd(cmd);
    /* the report ended the session (the mailbox was deleted or moved
     * away): its BYE is the answer, never an OK about a ghost mailbox */
    if (cmd->sess->closing && !was_closing)
        return;
    va_start(ap, fmt);
    reply(cmd->sess, cmd->tag, "OK", fmt, ap);
    va_end(ap);
}

void imap_cmd_no(struct imap_cmd *cmd, const char *fmt, ...)
{
    va_list ap;

    if (cmd->sess->selected)
        imap_selected_report_cmd(cmd);
    va_start(ap, fmt);
    reply(cmd->sess, cmd->tag, "NO", fmt, ap);
    va_end(ap);
}

void imap_cmd_bad(struct imap_cmd *cmd, const char *fmt, ...)
{
    struct buf b = BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    log_notice("PROTOERR bad command command=<%s> reason=<%s>",
               cmd->name ? cmd->name : "", buf_cstring(&b));
    prot_printf(cmd->sess->prot, "%s BAD %s\r\n", cmd->tag, buf_cstring(&b));
    buf_free(&b);
    imap_session_count_bad(cmd->sess);
}

void imap_session_bye(struct imap_session *s, const char *text)
{
    if (s->closing)
        return;
    prot_printf(s->prot, "* BYE %s\r\n", text);
    prot_flush(s->prot);
    s->closing = true;
}

void imap_session_penalty(unsigned long steps)
{
    unsigned long ms = steps * IMAP_AUTH_FAIL_DELAY_MS;
    struct timespec ts;

    if (!steps)
        return;
    if (ms > IMAP_AUTH_FAIL_DELAY_MAX_MS || steps > IMAP_AUTH_FAIL_DELAY_MAX_MS)
        ms = IMAP_AUTH_FAIL_DELAY_MAX_MS;
    ts.tv_sec = (time_t)(ms / 1000);
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&ts, NULL);
}

bool imap_session_count_bad(struct imap_session *s)
{
    long max = cfg_get_int(s->state == IMAP_CMD_NONAUTH
                               ? IMAPOPT_MAXBADCOMMANDS_PREAUTH
                               : IMAPOPT_MAXBADCOMMANDS);

    if (++s->bad_commands <= (unsigned long)max) {
        if (s->bad_commands > IMAP_BAD_FREE) {
            prot_flush(s->prot);      /* the BAD first, then the wait */
            imap_session_penalty(s->bad_commands - IMAP_BAD_FREE);
        }
        return false;
    }
    log_notice("PROTOERR too many bad commands count=<%u>", s->bad_commands);
    imap_session_bye(s, "Too many invalid commands");
    return true;
}

size_t imap_session_bytes_pending(const struct imap_session *s)
{
    return s->in.len - s->inpos;
}

/* ---- input ---- */

/* session_wait - wait for the fd to become readable: 1 readable, 0 the
 * autologout time passed, -1 SIGTERM (graceful) */
static int session_wait(struct imap_session *s)
{
    int timeout_s = imap_session_read_timeout(s);
    time_t deadline = time(NULL) + timeout_s;
    struct pollfd pfd;

    for (;;) {
        time_t left = deadline - time(NULL);
        int r;

        if (service_term_requested())
            return -1;
        if (left <= 0)
            return 0;
        pfd.fd = prot_fd(s->prot);
        pfd.events = POLLIN;
        pfd.revents = 0;
        r = poll(&pfd, 1, left > 3600 ? 3600 * 1000 : (int)left * 1000);
        if (r > 0)
            return 1;
        if (r < 0 && errno != EINTR)
            return 1; /* let the read report the failure */
    }
}

/* session_fill - read more client bytes into s->in; false when the
 * session is over (EOF, error, autologout, shutdown) */
static bool session_fill(struct imap_session *s)
{
    char chunk[LIMIT_PROT_BUFSIZE];

    if (s->inpos) {
        buf_remove_prefix(&s->in, s->inpos);
        s->inpos = 0;
    }
    if (prot_flush(s->prot) < 0) {
        s->closing = true;
        return false;
    }
    while (!s->closing) {
        ssize_t n = prot_read(s->prot, chunk, sizeof(chunk));
        int w;

        if (n > 0) {
            buf_appendmap(&s->in, chunk, (size_t)n);
            return true;
        }
        if (n == PROT_FAIL) {
            if (prot_state(s->prot) != PROT_STATE_EOF)
                log_info("connection failed error=<%s>",
                         prot_error(s->prot) ? prot_error(s->prot) : "");
            s->closing = true;
            return false;
        }
        w = session_wait(s);
        if (w == 0) {
            log_info("autologout timeout=<%d>", imap_session_read_timeout(s));
            imap_session_bye(s, "Autologout; idle for too long");
        } else if (w < 0) {
            imap_session_bye(s, "Server shutting down");
        }
    }
    return false;
}

/* session_skip - discard the rest of a rejected line; false when the
 * session is over */
static bool session_skip(struct imap_session *s)
{
    for (;;) {
        size_t used = 0;
        int r = imap_parser_skip_line(s->parser, s->in.s + s->inpos,
                                      s->in.len - s->inpos, &used);

        s->inpos += used;
        if (r == 1)
            return true;
        if (r < 0) {
            imap_session_bye(s, "Fatal protocol error");
            return false;
        }
        if (!session_fill(s))
            return false;
    }
}

/* session_parse_error - answer a parser error (the pending command's tag
 * when it waited for a raw line) and resynchronise */
static enum session_step session_parse_error(struct imap_session *s, int r,
                                             const char *pending_tag)
{
    const char *tag = pending_tag ? pending_tag : imap_parser_tag(s->parser);
    const char *err = imap_parser_error(s->parser);
    bool fatal = imap_parser_error_is_fatal(s->parser);
    struct imap_cmd fake;

    if (!tag || strlen(tag) > sizeof(fake.tagbuf) - 1)
        tag = "*";
    if (!err)
        err = "Invalid command";
    log_notice("PROTOERR bad command line error=<%s>", err);
    if (r == IMAP_PARSER_LITERAL_TOO_BIG)
        prot_printf(s->prot, "%s %s [TOOBIG] %s\r\n", tag,
                    fatal ? "BAD" : "NO", err);
    else
        prot_printf(s->prot, "%s BAD %s\r\n", tag, err);
    if (fatal) {
        imap_session_bye(s, "Fatal protocol error: literal too big");
        return STEP_CLOSED;
    }
    if (imap_session_count_bad(s))
        return STEP_CLOSED;
    return session_skip(s) ? STEP_SKIPPED : STEP_CLOSED;
}

/* session_streamed_free - free the sinks of the last command */
static void session_streamed_free(struct imap_session *s)
{
    for (size_t i = 0; i < s->nstreamed; i++) {
        if (s->streamed[i])
            s->stream_ops->free(s->streamed[i]);
    }
    s->nstreamed = 0;
    s->stream_ops = NULL;
}

void *imap_session_streamed(const struct imap_session *s, size_t i)
{
    return i < s->nstreamed ? s->streamed[i] : NULL;
}

/* session_stream_literal - move a streamed literal's bytes into the
 * command's sink (or nowhere); false when the session ended meanwhile */
static bool session_stream_literal(struct imap_session *s)
{
    uint64_t left = imap_parser_stream_size(s->parser);
    const char *name = imap_parser_command(s->parser);
    const struct imap_command *def =
        name ? imap_commands_find(s->server->commands, name) : NULL;
    const struct imap_stream_ops *ops = NULL;
    const struct imap_arg *args;
    size_t argc;
    void *sink = NULL;

    args = imap_parser_args(s->parser, &argc);
    if (def && s->server->stream_ops && s->state != IMAP_CMD_NONAUTH)
        ops = s->server->stream_ops(def->name);
    if (ops && (!s->stream_ops || s->stream_ops == ops)) {
        s->stream_ops = ops;
        sink = ops->begin(s, args, argc, left);
    }
    if (s->stream_ops) {
        if (s->nstreamed == s->streamed_alloc) {
            s->streamed_alloc = s->streamed_alloc ? 2 * s->streamed_alloc : 4;
            s->streamed = xreallocarray(s->streamed, s->streamed_alloc,
                                        sizeof(*s->streamed));
        }
        s->streamed[s->nstreamed++] = sink;
    }
    while (left) {
        size_t n;

        if (s->inpos == s->in.len && !session_fill(s))
            return false;
        n = s->in.len - s->inpos;
        if (n > left)
            n = (size_t)left;
        if (sink)
            s->stream_ops->write(sink, s->in.s + s->inpos, n);
        s->inpos += n;
        left -= n;
    }
    if (sink)
        s->stream_ops->finish(sink);
    imap_parser_literal_streamed(s->parser);
    return true;
}

/* session_literal_refused - ask the daemon's literal_check before "+";
 * when it refuses, answer the command NO and forget it (true) */
static bool session_literal_refused(struct imap_session *s)
{
    const char *name = imap_parser_command(s->parser);
    const char *tag = imap_parser_tag(s->parser);
    const struct imap_command *def =
        name ? imap_commands_find(s->server->commands, name) : NULL;
    const struct imap_arg *args;
    const char *no;
    size_t argc;

    if (!def || !tag || !s->server->literal_check ||
        s->state == IMAP_CMD_NONAUTH)
        return false;
    args = imap_parser_args(s->parser, &argc);
    no = s->server->literal_check(s, def->name, args, argc,
                                  imap_parser_stream_size(s->parser));
    if (!no)
        return false;
    prot_printf(s->prot, "%s NO %s\r\n", tag, no);
    prot_flush(s->prot);
    imap_parser_reset(s->parser);
    return true;
}

/* session_parse - feed input until a command (or raw line) is complete */
static enum session_step session_parse(struct imap_session *s,
                                       const char *pending_tag)
{
    if (!pending_tag)
        session_streamed_free(s);
    for (;;) {
        size_t used = 0;
        int r;

        if (s->inpos == s->in.len && !session_fill(s))
            return STEP_CLOSED;
        r = imap_parser_feed(s->parser, s->in.s + s->inpos,
                             s->in.len - s->inpos, &used);
        s->inpos += used;
        switch (r) {
        case IMAP_PARSER_NEED_MORE:
            break;
        case IMAP_PARSER_LITERAL_CONTINUATION:
            if (!pending_tag && session_literal_refused(s))
                break;                      /* tagged NO sent, parser reset */
            prot_puts(s->prot, "+ Ready for literal data\r\n");
            prot_flush(s->prot);
            break;
        case IMAP_PARSER_DONE:
            return STEP_COMMAND;
        case IMAP_PARSER_LITERAL_STREAM:
            if (!session_stream_literal(s))
                return STEP_CLOSED;
            break;
        default:
            return session_parse_error(s, r, pending_tag);
        }
    }
}

/* ---- dispatch ---- */

/* session_run_handler - call the handler, feeding it raw lines while it
 * asks for them */
static void session_run_handler(struct imap_session *s, struct imap_cmd *cmd)
{
    while (!cmd->def->func(cmd)) {
        enum session_step st;

        if (!cmd->want_line)
            panic("handler %s returned unfinished without want_line",
                  cmd->name);
        cmd->want_line = false;
        cmd->args = NULL;
        cmd->argc = 0;
        imap_parser_reset(s->parser);
        imap_parser_begin_raw_line(s->parser);
        st = session_parse(s, cmd->tag);
        if (st != STEP_COMMAND) {
            cmd->aborted = true;
            cmd->line = NULL;
            cmd->def->func(cmd);
            return;
        }
        cmd->line = imap_parser_raw_line(s->parser, &cmd->line_len);
    }
}

/* session_resolve - the table entry for the parsed command, after a UID
 * prefix; NULL when a BAD was sent */
static const struct imap_command *session_resolve(struct imap_session *s,
                                                  struct imap_cmd *cmd,
                                                  const char *name)
{
    const struct imap_command *def;
    const char *err, *sub;

    def = imap_commands_find(s->server->commands, name);
    if (!def) {
        imap_cmd_bad(cmd, "Unknown command");
        return NULL;
    }
    cmd->name = def->name;
    if (!(def->flags & IMAP_CMD_UIDPREFIX))
        return def;
    if ((err = imap_commands_check(def, s->state)) != NULL) {
        imap_cmd_bad(cmd, "%s", err);
        return NULL;
    }
    if (cmd->argc < 1 || !imap_arg_get_atom(&cmd->args[0], &sub) ||
        !(def = imap_commands_find(s->server->commands, sub)) ||
        !(def->flags & IMAP_CMD_UID)) {
        imap_cmd_bad(cmd, "Unrecognized UID subcommand");
        return NULL;
    }
    cmd->uid = true;
    cmd->args++;
    cmd->argc--;
    cmd->name = def->name;
    return def;
}

/* session_dispatch - check and run the command the parser completed */
static void session_dispatch(struct imap_session *s)
{
    struct imap_cmd cmd;
    const struct imap_command *def;
    const char *err;

    memset(&cmd, 0, sizeof(cmd));
    cmd.sess = s;
    cmd.tag = "*";
    cmd.args = imap_parser_args(s->parser, &cmd.argc);
    if (str_lcpy(cmd.tagbuf, imap_parser_tag(s->parser), sizeof(cmd.tagbuf)) >=
        sizeof(cmd.tagbuf)) {
        imap_cmd_bad(&cmd, "Tag too long");
        return;
    }
    cmd.tag = cmd.tagbuf;
    if (!(def = session_resolve(s, &cmd, imap_parser_command(s->parser))))
        return;
    cmd.def = def;
    if ((err = imap_commands_check(def, s->state)) != NULL) {
        imap_cmd_bad(&cmd, "%s", err);
    } else if ((def->flags & IMAP_CMD_PLAINTEXT) && !s->tls &&
               !cfg_get_switch(IMAPOPT_ALLOWPLAINTEXT)) {
        log_notice("login refused reason=<plaintext without TLS>");
        imap_cmd_no(&cmd, "[PRIVACYREQUIRED] Plaintext login disallowed "
                          "without TLS; use STARTTLS");
    } else if (!def->func) {
        imap_cmd_no(&cmd, "[CANNOT] Command not implemented yet");
    } else {
        session_run_handler(s, &cmd);
    }
}

/* session_apply_limits - switch the parser to the limits of the state */
static void session_apply_limits(struct imap_session *s)
{
    struct imap_parser_limits l;
    int t;

    if (s->state == IMAP_CMD_NONAUTH || s->postauth_limits)
        return;
    session_limits(s, &l);
    imap_parser_set_limits(s->parser, &l);
    t = imap_session_read_timeout(s);
    prot_set_timeouts(s->prot, 0, t);
    s->postauth_limits = true;
}

int imap_session_set_authenticated(struct imap_session *s, const char *userid,
                                   const char *authid, const char **error_r)
{
    const struct strarray *admins = cfg_get_list(IMAPOPT_ADMINS);
    int is_admin = strarray_find(admins, userid, 0) >= 0;
    const char *nserr = NULL;

    s->auth = auth_state_new(userid, is_admin);
    if (!s->auth) {
        *error_r = "invalid user name";
        return -1;
    }
    if (namespace_init_from_cfg(&s->ns, is_admin, &nserr) < 0)
        fatal(EX_CONFIG, "bad namespace configuration: %s", nserr);
    s->userid = xstrdup(userid);
    s->authid = xstrdup(authid ? authid : userid);
    s->state = IMAP_CMD_AUTH;
    log_ctx_set("user", userid);
    return 0;
}

/* ---- the connection ---- */

/* session_new - the session for conn */
static struct imap_session *session_new(const struct imap_server *server,
                                        const struct service_conn *conn)
{
    struct imap_session *s = xzmalloc(sizeof(*s));
    struct imap_parser_limits l;

    s->server = server;
    s->state = IMAP_CMD_NONAUTH;
    s->prot = prot_new(conn->in_fd);
    s->local_ipport = conn->local_ipport ? xstrdup(conn->local_ipport) : NULL;
    s->remote_ipport = conn->remote_ipport ? xstrdup(conn->remote_ipport) : NULL;
    s->peer = xstrdup(conn->peer ? conn->peer : "unknown");
    session_limits(s, &l);
    s->parser = imap_parser_new(&l);
    prot_set_nonblocking(s->prot, 1);
    prot_set_timeouts(s->prot, 0, imap_session_read_timeout(s));
    return s;
}

/* session_free - free everything of the session */
static void session_free(struct imap_session **sp)
{
    struct imap_session *s = *sp;

    if (s->server->hooks && s->server->hooks->end)
        s->server->hooks->end(s);
    imap_selected_close(s, false);
    session_streamed_free(s);
    free(s->streamed);
    prot_flush(s->prot);
    xsasl_server_free(&s->sasl);
    prot_free(&s->prot);
    imap_parser_free(&s->parser);
    auth_state_free(&s->auth);
    buf_free(&s->in);
    buf_free(&s->client_id);
    free(s->userid);
    free(s->authid);
    free(s->local_ipport);
    free(s->remote_ipport);
    free(s->peer);
    free(s);
    *sp = NULL;
}

/* session_greet - implicit TLS if asked, the SASL session, the greeting;
 * false when the connection cannot go on */
static bool session_greet(struct imap_session *s)
{
    struct buf caps = BUF_INIT;
    const char *err = NULL;

    if (service_implicit_tls()) {
        if (tls_server_start(s->server->tls_ctx, s->prot,
                             imap_session_read_timeout(s), &err) < 0) {
            log_notice("TLS handshake failed error=<%s>", err);
            return false;
        }
        s->tls = true;
    }
    if (imap_auth_reset(s, &err) < 0) {
        log_error("SASL session failed error=<%s>", err);
        imap_session_bye(s, "Server unavailable");
        return false;
    }
    imap_capability_get(s, &caps);
    imap_untagged(s, "OK [CAPABILITY %s] %s IMAP4rev1 server ready",
                  buf_cstring(&caps), cfg_get_string(IMAPOPT_SERVERNAME));
    buf_free(&caps);
    return true;
}

void imap_session_serve(const struct imap_server *server,
                        const struct service_conn *conn)
{
    struct imap_session *s = session_new(server, conn);

    if (session_greet(s)) {
        while (!s->closing) {
            enum session_step st = session_parse(s, NULL);

            if (st == STEP_CLOSED)
                break;
            if (st == STEP_COMMAND)
                session_dispatch(s);
            session_apply_limits(s);
        }
    }
    session_free(&s);
}
