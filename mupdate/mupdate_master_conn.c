/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_master_conn.c - one MUPDATE peer of the master: reading what
 * the socket has, feeding the incremental parser, running each complete
 * command, queueing output and writing it as the socket drains, closing.
 *
 * Called from the event loop (conn_event), by the run loop for timers and
 * by the group commit (mupdate_conn_resume).  A command that must wait
 * for the peer's changes to be committed stays parsed (c->deferred) and
 * runs when the commit resumes the peer.  Reads and writes never block:
 * the stream is in non-blocking mode both ways, and a peer that does not
 * read its answers is no longer read from (MUPDATE_OUTPUT_BACKLOG) or, as
 * a subscriber, dropped (MUPDATE_PENDING_MAX).  A peer that has not
 * authenticated is closed after prot_timeout_preauth seconds without
 * input (or MUPDATE_HANDSHAKE_TIMEOUT into a TLS handshake), so idle
 * strangers cannot hold the connection slots.  Errors close the peer and
 * are logged.
 */
#include "config.h"

#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "lib/cfg.h"
#include "lib/clock.h"
#include "lib/imap_parser.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"
#include "master/service.h"
#include "mupdate/mupdate_master.h"

/* Bytes read from the stream at a time. */
#define CONN_READ_CHUNK 16384

/* Longest string sent quoted rather than as a literal. */
#define CONN_QUOTED_MAX 1024

static void conn_event(struct mupdate_loop_io *io, unsigned events);

/* conn_log_ctx - the peer's fields for the log lines of this event */
static void conn_log_ctx(const struct mupdate_conn *c)
{
    log_ctx_clear();
    log_ctx_set("peer", c->peer);
    log_ctx_set("session", c->session_id);
    if (c->userid)
        log_ctx_set("user", c->userid);
}

struct mupdate_conn *mupdate_conn_new(struct mupdate_server *srv, int fd,
                                      const struct service_conn *sc)
{
    struct mupdate_conn *c = xzmalloc(sizeof(*c));
    struct imap_parser_limits lim;

    c->srv = srv;
    c->prot = prot_new(fd);
    prot_set_nonblocking(c->prot, 1);
    prot_set_write_nonblocking(c->prot, 1);
    imap_parser_limits_preauth(&lim);
    c->parser = imap_parser_new(&lim);
    c->peer = xstrdup(sc->peer ? sc->peer : "unknown");
    c->session_id = xstrdup(sc->session_id ? sc->session_id : "");
    c->local_ipport = xstrdupnull(sc->local_ipport);
    c->remote_ipport = xstrdupnull(sc->remote_ipport);
    c->io.fd = fd;
    c->io.want = MUPDATE_LOOP_IN;
    c->io.cb = conn_event;
    c->io.rock = c;
    c->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = c;
    srv->conns = c;
    srv->nconns++;
    conn_log_ctx(c);
    log_info("connection opened");
    if (mupdate_loop_add(srv->loop, &c->io) < 0) {
        log_error("IOERROR: cannot watch connection error=<%m>");
        mupdate_conn_close(c, NULL);
        return NULL;
    }
    if (mupdate_master_auth_init(c) < 0) {
        prot_puts(c->prot, "* BYE \"Server unavailable\"\r\n");
        (void)prot_flush(c->prot);
        mupdate_conn_close(c, "SASL unavailable");
        return NULL;
    }
    mupdate_conn_idle_from_now(c);
    mupdate_greeting(c);
    (void)mupdate_conn_flush(c);
    return c->dead ? NULL : c;
}

void mupdate_conn_deadline(struct mupdate_conn *c, long long ms)
{
    c->deadline_ms = ms ? clock_now_ms() + ms : 0;
    if (c->deadline_ms)
        mupdate_master_timer(c->srv, c->deadline_ms);
}

void mupdate_conn_idle_from_now(struct mupdate_conn *c)
{
    if (!c->userid)
        mupdate_conn_deadline(c, cfg_get_int(IMAPOPT_PROT_TIMEOUT_PREAUTH) * 1000LL);
}

void mupdate_conn_expire(struct mupdate_conn *c)
{
    const char *why = c->tls_wait ? "TLS handshake timed out"
                                  : "idle before authentication";

    conn_log_ctx(c);
    if (!c->tls_attached) {
        prot_printf(c->prot, "* BYE \"%s\"\r\n", why);
        (void)prot_flush(c->prot);      /* non-blocking: best effort */
    }
    mupdate_conn_close(c, why);
    log_ctx_clear();
}

void mupdate_conn_close(struct mupdate_conn *c, const char *why)
{
    struct mupdate_server *srv = c->srv;

    if (c->dead)
        return;
    if (why)
        log_info("connection closed peer=<%s> reason=<%s>", c->peer, why);
    mupdate_update_forget(c);
    mupdate_loop_del(srv->loop, &c->io);
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    srv->nconns--;
    prot_free(&c->prot);
    close(c->io.fd);
    c->dead = 1;
    c->next = srv->dead;
    c->prev = NULL;
    srv->dead = c;
}

void mupdate_conn_free(struct mupdate_conn **cp)
{
    struct mupdate_conn *c = *cp;

    if (!c)
        return;
    imap_parser_free(&c->parser);
    mupdate_auth_fini(&c->auth);
    buf_free(&c->in);
    buf_free(&c->behind);
    strarray_free(&c->update_hosts);
    free(c->peer);
    free(c->session_id);
    free(c->local_ipport);
    free(c->remote_ipport);
    free(c->userid);
    free(c->update_tag);
    free(c->list_tag);
    free(c->list_prefix);
    free(c->cursor);
    free(c);
    *cp = NULL;
}

void mupdate_conn_authenticated(struct mupdate_conn *c)
{
    struct imap_parser_limits lim;

    imap_parser_limits_preauth(&lim);
    lim.max_line = MUPDATE_LINE_MAX;
    lim.max_literal = MUPDATE_LITERAL_MAX;
    lim.max_literal_total = 4 * MUPDATE_LITERAL_MAX;
    lim.max_args = MUPDATE_ARGS_MAX;
    lim.literal_plus = true;
    lim.allow_8bit_quoted = true;
    imap_parser_set_limits(c->parser, &lim);
    mupdate_conn_deadline(c, 0);
}

/* conn_blocked - must input wait (streaming the initial list, a login
 * delay, a command or too many changes waiting for the group commit, too
 * much unread output, a TLS handshake, closing)? */
static int conn_blocked(const struct mupdate_conn *c)
{
    return c->closing || c->listing || c->hold_until_ms || c->deferred ||
           c->tls_wait ||
           c->batched >= MUPDATE_BATCH_PEER_MAX ||
           prot_pending_output(c->prot) > MUPDATE_OUTPUT_BACKLOG;
}

/* conn_want - poll for input unless blocked, for output while some is
 * queued or the initial list goes on */
static void conn_want(struct mupdate_conn *c, int out_queued)
{
    unsigned want = 0;

    if (c->tls_wait) {          /* the handshake says what it needs */
        if (mupdate_loop_want(c->srv->loop, &c->io, c->tls_wait) < 0)
            mupdate_conn_close(c, "poll registration failed");
        return;
    }
    if (!conn_blocked(c))
        want |= MUPDATE_LOOP_IN;
    if (out_queued || c->listing)
        want |= MUPDATE_LOOP_OUT;
    if (mupdate_loop_want(c->srv->loop, &c->io, want) < 0)
        mupdate_conn_close(c, "poll registration failed");
}

int mupdate_conn_flush(struct mupdate_conn *c)
{
    int r;

    if (c->dead)
        return -1;
    if (c->hold_until_ms) {     /* the delayed NO goes out later */
        conn_want(c, 0);
        return 0;
    }
    r = prot_flush(c->prot);
    if (r == PROT_FAIL) {
        mupdate_conn_close(c, prot_error(c->prot) ? prot_error(c->prot)
                                                   : "write error");
        return -1;
    }
    if (r == 1 && c->closing) {
        mupdate_conn_close(c, "done");
        return -1;
    }
    conn_want(c, r != 1);
    return 0;
}

/* conn_parse_error - answer a rejected command line, skip the rest of it */
static int conn_parse_error(struct mupdate_conn *c, const char *data,
                            size_t len, size_t *used_r)
{
    const char *tag = imap_parser_tag(c->parser);
    const char *err = imap_parser_error(c->parser);
    int r;

    if (imap_parser_error_is_fatal(c->parser)) {
        /* changes still in the batch get committed, unanswered */
        prot_printf(c->prot, "* BYE \"%s\"\r\n", err ? err : "bad input");
        c->closing = 1;
        *used_r = len;
        return 1;
    }
    if (tag && !mupdate_auth_active(&c->auth))
        mupdate_batch_reply(c, tag, "BAD", "%s", err ? err : "bad syntax");
    else
        mupdate_batch_reply(c, "*", "BAD", "%s", err ? err : "bad syntax");
    r = imap_parser_skip_line(c->parser, data, len, used_r);
    if (r == 1 && mupdate_auth_active(&c->auth)) {
        /* a broken AUTHENTICATE response line ends the exchange */
        mupdate_auth_line(&c->auth, NULL, 0);
    }
    return r;
}

/* conn_run_parsed - run the complete line the parser holds: a command,
 * or a response of an AUTHENTICATE exchange.  A command other than a
 * change waits (c->deferred) while c has changes in the batch.  1 done,
 * -1 deferred */
static int conn_run_parsed(struct mupdate_conn *c)
{
    if (mupdate_auth_active(&c->auth)) {
        size_t n;
        const char *line = imap_parser_raw_line(c->parser, &n);

        mupdate_auth_line(&c->auth, line, n);
    } else {
        size_t argc;
        const struct imap_arg *args = imap_parser_args(c->parser, &argc);
        const char *cmd = imap_parser_command(c->parser);

        c->deferred = c->batched && !mupdate_cmd_is_change(cmd);
        if (c->deferred)
            return -1;
        mupdate_cmd_run(c, imap_parser_tag(c->parser), cmd, args, argc);
    }
    imap_parser_reset(c->parser);
    if (mupdate_auth_active(&c->auth))
        imap_parser_begin_raw_line(c->parser);
    return 1;
}

/* conn_feed - parse buffered input; run what is complete.  1 more may be
 * parsed, 0 need input, -1 stop (blocked or closed) */
static int conn_feed(struct mupdate_conn *c)
{
    const char *data = c->in.s + c->inpos;
    size_t len = c->in.len - c->inpos, used = 0;
    int r;

    r = imap_parser_feed(c->parser, data, len, &used);
    c->inpos += used;
    switch (r) {
    case IMAP_PARSER_NEED_MORE:
        return 0;
    case IMAP_PARSER_LITERAL_CONTINUATION:
        prot_puts(c->prot, "+ go ahead\r\n");
        return 1;
    case IMAP_PARSER_DONE:
        return conn_run_parsed(c);
    case IMAP_PARSER_LITERAL_STREAM:    /* no stream threshold is set */
    default:
        used = 0;
        r = conn_parse_error(c, c->in.s + c->inpos, c->in.len - c->inpos, &used);
        c->inpos += used;
        return r == 1 ? 1 : r == 0 ? 0 : -1;
    }
}

/* conn_read - refill the input buffer.  1 data, 0 nothing now, -1 closed */
static int conn_read(struct mupdate_conn *c)
{
    ssize_t n;

    if (c->inpos < c->in.len)
        return 1;
    buf_reset(&c->in);
    c->inpos = 0;
    buf_ensure(&c->in, CONN_READ_CHUNK);
    n = prot_read(c->prot, c->in.s, CONN_READ_CHUNK);
    if (n > 0) {
        c->in.len = (size_t)n;
        mupdate_conn_idle_from_now(c);  /* a stranger's idle time restarts */
        return 1;
    }
    if (n == PROT_AGAIN)
        return 0;
    mupdate_conn_close(c, prot_state(c->prot) == PROT_STATE_EOF
                              ? "peer closed" : prot_error(c->prot));
    return -1;
}

void mupdate_conn_resume(struct mupdate_conn *c)
{
    int r;

    conn_log_ctx(c);
    if (c->deferred && !c->batched && !c->dead && !c->closing)
        (void)conn_run_parsed(c);       /* it waited for the commit */
    while (!c->dead && !conn_blocked(c)) {
        r = conn_read(c);
        if (r <= 0)
            break;
        r = conn_feed(c);
        if (r < 0)
            break;
    }
    if (!c->dead)
        (void)mupdate_conn_flush(c);
    log_ctx_clear();
}

/* conn_event - the loop's callback for a peer */
static void conn_event(struct mupdate_loop_io *io, unsigned events)
{
    struct mupdate_conn *c = io->rock;

    if (c->dead)
        return;
    conn_log_ctx(c);
    if (c->tls_wait) {
        mupdate_starttls_continue(c);
        goto out;
    }
    if (events & MUPDATE_LOOP_OUT) {
        if (mupdate_conn_flush(c) < 0)
            goto out;
        if (c->listing && prot_pending_output(c->prot) == 0)
            mupdate_update_pump(c);
    }
    /* input may also wait in our buffers since the peer was blocked */
    if (!conn_blocked(c) &&
        ((events & (MUPDATE_LOOP_IN | MUPDATE_LOOP_HUP)) ||
         c->inpos < c->in.len || prot_unread_raw(c->prot) > 0)) {
        mupdate_conn_resume(c);
        goto out;
    }
    if ((events & MUPDATE_LOOP_HUP) && !c->dead)
        mupdate_conn_close(c, "peer hung up");
    if (!c->dead)
        (void)mupdate_conn_flush(c);
out:
    log_ctx_clear();
}

/* --- output ---------------------------------------------------------- */

/* quotable - may s go out as a quoted string? */
static int quotable(const char *s, size_t len)
{
    size_t i;

    if (len > CONN_QUOTED_MAX)
        return 0;
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (ch < 0x20 ? ch != '\t' : ch >= 0x7f || ch == '"' || ch == '\\')
            return 0;
    }
    return 1;
}

void mupdate_put_string(struct buf *out, const char *s)
{
    size_t len = strlen(s);

    if (quotable(s, len)) {
        buf_putc(out, '"');
        buf_appendmap(out, s, len);
        buf_putc(out, '"');
        return;
    }
    buf_printf(out, "{%zu+}\r\n", len);
    buf_appendmap(out, s, len);
}

void mupdate_put_entry(struct buf *out, const struct mupdate_list_entry *e)
{
    buf_appendcstr(out, e->kind == MUPDATE_LIST_ACTIVE ? "MAILBOX " : "RESERVE ");
    mupdate_put_string(out, e->name);
    buf_putc(out, ' ');
    mupdate_put_string(out, e->location);
    if (e->kind == MUPDATE_LIST_ACTIVE) {
        buf_putc(out, ' ');
        mupdate_put_string(out, e->acl);
    }
}

void mupdate_format_reply(struct buf *line, const char *tag, const char *word,
                          const char *fmt, va_list ap)
{
    struct buf text = BUF_INIT;
    size_t i;

    buf_vprintf(&text, fmt, ap);
    /* the text is ours, but may quote a client's bytes: keep it quotable */
    for (i = 0; i < text.len; i++) {
        unsigned char ch = (unsigned char)text.s[i];

        if (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\')
            text.s[i] = '?';
    }
    buf_reset(line);
    buf_printf(line, "%s %s \"%s\"\r\n", tag, word, buf_cstring(&text));
    buf_free(&text);
}

void mupdate_reply(struct mupdate_conn *c, const char *tag, const char *word,
                   const char *fmt, ...)
{
    struct buf line = BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    mupdate_format_reply(&line, tag, word, fmt, ap);
    va_end(ap);
    prot_write(c->prot, line.s, line.len);
    buf_free(&line);
}
