/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_slave_serve.c - the slave's local channel: read-only MUPDATE for
 * the frontend's own processes on <configdirectory>/socket/mupdate.target
 * and on the listener master gives.  FIND and LIST answer from the local
 * mailboxes.db; NOOP means "catch up now" (answered by the sync side once
 * the master's PONG arrived and everything before it is committed, NO
 * while the master is away); LOGOUT; every write is refused with a NO
 * naming the master.  Unix-socket peers are trusted; TCP peers must
 * AUTHENTICATE first (mupdate_auth.c, the master's exchange: SASL with
 * an optional initial response, multi-step, a growing delay after a
 * failure during which the peer is held silent, slave_peer_hold) and get
 * NO for everything but AUTHENTICATE, STARTTLS and LOGOUT until then,
 * and are closed after prot_timeout_preauth seconds without input.
 * STARTTLS is offered to TCP peers when tls_server_cert/key are set; the
 * handshake runs in the loop one step at a time as the socket allows
 * (MUPDATE_HANDSHAKE_TIMEOUT), then the banner is sent again.  Writes
 * never block the slave's loop: output waits
 * in the peer's stream and goes out as the socket drains
 * (slave_peer_events, slave_peer_output); a peer with more than
 * PEER_OUTPUT_BACKLOG unsent is not read from until it catches up.
 */
#include "config.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imap/mboxlist.h"
#include "lib/cfg.h"
#include "lib/clock.h"
#include "lib/imap_parser.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "lib/tls.h"
#include "lib/xmalloc.h"
#include "master/service.h"
#include "mupdate/mupdate_auth.h"
#include "mupdate/mupdate_slave_internal.h"

#define PEER_READ_CHUNK 4096
/* A peer's commands are not read while this much of its output waits
 * (one that pipelines LISTs without reading the answers). */
#define PEER_OUTPUT_BACKLOG (1024u * 1024)

struct slave_peer {
    int fd;
    int trusted;               /* unix socket: no login needed */
    int closing;
    int skipping;              /* discarding the rest of a bad line */
    char *name;
    char *local_ipport, *remote_ipport;
    struct mupdate_auth auth;  /* TCP peers: SASL state */
    char *userid;              /* NULL until authenticated */
    long long hold_until_ms;   /* failed login: silent until then */
    long long deadline_ms;     /* TCP, not authenticated: closed then */
    short tls_wait;            /* in a TLS handshake: POLLIN/POLLOUT */
    int tls_attached;          /* the handshake has started */
    int tls;                   /* TLS is on */
    struct prot *p;
    struct imap_parser *parser;
    struct buf in;
    size_t inpos;
};

/* peer_send - mupdate_auth_ops.send: queue on the peer's stream */
static void peer_send(void *rock, const char *data, size_t len)
{
    struct slave_peer *p = rock;

    prot_write(p->p, data, len);
}

/* peer_authenticated - mupdate_auth_ops.succeeded */
static void peer_authenticated(void *rock, const char *user, int ssf)
{
    struct slave_peer *p = rock;

    p->userid = xstrdup(user);
    p->deadline_ms = 0;
    if (ssf && mupdate_auth_layer(&p->auth, p->p, p->in.len - p->inpos) < 0)
        p->closing = 1;
}

/* peer_auth_failed - mupdate_auth_ops.failed: hold the peer (its NO
 * stays queued); the slave's loop releases it (slave_peer_release) */
static void peer_auth_failed(void *rock, long long delay_ms, int close)
{
    struct slave_peer *p = rock;

    if (close)
        p->closing = 1;
    if (delay_ms > 0)
        p->hold_until_ms = clock_now_ms() + delay_ms;
}

/* peer_idle_from_now - a stranger's idle time starts (again) */
static void peer_idle_from_now(struct slave_peer *p)
{
    if (!p->trusted && !p->userid)
        p->deadline_ms = clock_now_ms() +
                         cfg_get_int(IMAPOPT_PROT_TIMEOUT_PREAUTH) * 1000LL;
}

static const struct mupdate_auth_ops peer_auth_ops = {
    peer_send, peer_authenticated, peer_auth_failed,
};

/* send_greeting - the banner: for TCP peers the SASL mechanisms (and
 * STARTTLS when it is available and not on yet) first */
static void send_greeting(const struct mupdate_slave *s, struct slave_peer *p)
{
    const char *master = cfg_get_string(IMAPOPT_MUPDATE_SERVER);

    if (!p->trusted) {
        struct buf caps = BUF_INIT;

        mupdate_auth_caps(&p->auth, &caps);
        if (s->tls_ctx && !p->tls)
            buf_appendcstr(&caps, "* STARTTLS\r\n");
        prot_write(p->p, caps.s, caps.len);
        buf_free(&caps);
    }
    prot_printf(p->p, "* OK MUPDATE \"%s\" \"Cyrus Murder\" \"v3.6\" "
                "\"mupdate://%s/\"\r\n",
                cfg_get_string(IMAPOPT_SERVERNAME)
                    ? cfg_get_string(IMAPOPT_SERVERNAME) : "localhost",
                master ? master : "");
    prot_flush(p->p);
}

struct slave_peer *slave_peer_new(struct mupdate_slave *s, int fd,
                                  int trusted, const struct service_conn *sc)
{
    struct imap_parser_limits lim;
    struct slave_peer *p;

    if (s->npeers >= SLAVE_PEERS_MAX) {
        log_warning("mupdate slave refused peer: too many peer=<%s>",
                    sc->peer);
        close(fd);
        return NULL;
    }
    imap_parser_limits_preauth(&lim);
    lim.literal_plus = true;
    p = xzmalloc(sizeof(*p));
    p->fd = fd;
    p->trusted = trusted;
    p->name = xstrdup(sc->peer ? sc->peer : "unknown");
    p->local_ipport = xstrdupnull(sc->local_ipport);
    p->remote_ipport = xstrdupnull(sc->remote_ipport);
    p->p = prot_new(fd);
    prot_set_nonblocking(p->p, 1);
    prot_set_write_nonblocking(p->p, 1);
    p->parser = imap_parser_new(&lim);
    mupdate_auth_init(&p->auth, &peer_auth_ops, p, p->local_ipport,
                      p->remote_ipport);
    /* without a SASL session AUTHENTICATE tries again, or says NO */
    if (!trusted)
        (void)mupdate_auth_reset(&p->auth, NULL);
    send_greeting(s, p);
    peer_idle_from_now(p);
    s->peers[s->npeers++] = p;
    return p;
}

int slave_peer_fd(const struct slave_peer *p)
{
    return p->fd;
}

long long slave_peer_hold(const struct slave_peer *p)
{
    return p->hold_until_ms;
}

long long slave_peer_due(const struct slave_peer *p)
{
    return p->hold_until_ms ? p->hold_until_ms : p->deadline_ms;
}

void slave_peer_free(struct mupdate_slave *s, struct slave_peer **pp)
{
    struct slave_peer *p = *pp;
    size_t i, kept = 0;

    if (!p)
        return;
    for (i = 0; i < s->nwaiters; i++) {
        if (s->waiters[i].peer == p)
            free(s->waiters[i].tag);
        else
            s->waiters[kept++] = s->waiters[i];
    }
    s->nwaiters = kept;
    for (i = 0; i < s->npeers; i++) {
        if (s->peers[i] == p) {
            s->peers[i] = s->peers[--s->npeers];
            break;
        }
    }
    prot_free(&p->p);
    close(p->fd);
    imap_parser_free(&p->parser);
    mupdate_auth_fini(&p->auth);
    buf_free(&p->in);
    free(p->name);
    free(p->local_ipport);
    free(p->remote_ipport);
    free(p->userid);
    free(p);
    *pp = NULL;
}

void slave_peer_answer(struct slave_peer *p, const char *tag, int ok,
                       const char *text)
{
    prot_printf(p->p, "%s %s ", tag, ok ? "OK" : "NO");
    prot_printstring(p->p, text);
    prot_puts(p->p, "\r\n");
    prot_flush(p->p);
}

/* send_entry - "tag MAILBOX name location acl" / "tag RESERVE name loc" */
static void send_entry(struct slave_peer *p, const char *tag,
                       const struct mboxlist_entry *e)
{
    struct buf loc = BUF_INIT;

    mboxlist_entry_location(e, &loc);
    prot_printf(p->p, "%s %s ", tag,
                (e->type & MBTYPE_RESERVE) ? "RESERVE" : "MAILBOX");
    prot_printstring(p->p, e->name);
    prot_puts(p->p, " ");
    prot_printstring(p->p, buf_cstring(&loc));
    if (!(e->type & MBTYPE_RESERVE)) {
        prot_puts(p->p, " ");
        prot_printstring(p->p, e->acl ? e->acl : "");
    }
    prot_puts(p->p, "\r\n");
    buf_free(&loc);
}

/* cmd_find - FIND name from the local DB */
static void cmd_find(struct slave_peer *p, const char *tag, const char *name)
{
    struct mboxlist_entry *e = NULL;
    int r = mboxlist_lookup(name, &e);

    if (r == MBOXLIST_OK && (e->type & MBTYPE_REMOTE))
        send_entry(p, tag, e);
    mboxlist_entry_free(&e);
    if (r != MBOXLIST_OK && r != MBOXLIST_NOTFOUND)
        slave_peer_answer(p, tag, 0, mboxlist_errstr(r));
    else
        slave_peer_answer(p, tag, 1, "Search completed");
}

struct list_rock {
    struct slave_peer *p;
    const char *tag;
    const char *host;          /* NULL: all */
    size_t hostlen;
};

/* list_cb - one LIST result when its server part matches */
static int list_cb(void *rock, const struct mboxlist_entry *e)
{
    struct list_rock *lr = rock;

    if (!(e->type & MBTYPE_REMOTE) || !e->server)
        return 0;
    if (lr->host && (strlen(e->server) != lr->hostlen ||
                     str_ncasecmp(e->server, lr->host, lr->hostlen)))
        return 0;
    send_entry(lr->p, lr->tag, e);
    return 0;
}

/* cmd_list - LIST [host] (a trailing "!" of Cyrus style is allowed) */
static void cmd_list(struct slave_peer *p, const char *tag, const char *host)
{
    struct list_rock lr = { p, tag, host && *host ? host : NULL, 0 };
    int r;

    if (lr.host) {
        lr.hostlen = strlen(lr.host);
        if (lr.host[lr.hostlen - 1] == '!')
            lr.hostlen--;
    }
    r = mboxlist_foreach("", list_cb, &lr);
    slave_peer_answer(p, tag, r == MBOXLIST_OK, r == MBOXLIST_OK
                      ? "List completed" : mboxlist_errstr(r));
}

/* cmd_noop - catch up: ping the master, answer when the PONG is in */
static void cmd_noop(struct mupdate_slave *s, struct slave_peer *p,
                     const char *tag)
{
    struct slave_waiter *w;

    if (!s->up && clock_now_ms() - s->last_try >= SLAVE_EAGER_RETRY)
        slave_up_connect(s);
    if (!s->up || mupdate_update_ping(s->up) != MUPDATE_OK) {
        slave_peer_answer(p, tag, 0, "MUPDATE master unavailable");
        return;
    }
    if (s->nwaiters == s->waiters_alloc) {
        s->waiters_alloc = s->waiters_alloc ? 2 * s->waiters_alloc : 8;
        s->waiters = xrealloc(s->waiters,
                              s->waiters_alloc * sizeof(*s->waiters));
    }
    w = &s->waiters[s->nwaiters++];
    w->peer = p;
    w->tag = xstrdup(tag);
    w->seq = ++s->pings;
}

/* cmd_starttls - OK, then the handshake runs from the loop
 * (slave_peer_output/input -> tls_continue) */
static void cmd_starttls(struct mupdate_slave *s, struct slave_peer *p,
                         const char *tag)
{
    if (!s->tls_ctx) {
        prot_printf(p->p, "%s BAD \"STARTTLS is not available\"\r\n", tag);
        return;
    }
    if (p->tls) {
        slave_peer_answer(p, tag, 0, "TLS is already active");
        return;
    }
    if (p->userid) {
        prot_printf(p->p, "%s BAD \"STARTTLS is not allowed after "
                    "authentication\"\r\n", tag);
        return;
    }
    slave_peer_answer(p, tag, 1, "Begin TLS negotiation now");
    /* a pipelined command was sent in plaintext: never run it under TLS */
    if (p->inpos < p->in.len || prot_unread_raw(p->p) > 0) {
        log_notice("PROTOERR data after STARTTLS before the handshake "
                   "peer=<%s>", p->name);
        p->closing = 1;
        return;
    }
    p->tls_wait = POLLOUT;
    p->deadline_ms = clock_now_ms() + MUPDATE_HANDSHAKE_TIMEOUT * 1000LL;
}

/* refuse_write - a change sent to a slave */
static void refuse_write(struct slave_peer *p, const char *tag)
{
    struct buf text = BUF_INIT;
    const char *master = cfg_get_string(IMAPOPT_MUPDATE_SERVER);

    buf_printf(&text, "This is a slave: send changes to the MUPDATE master "
               "%s", master ? master : "(unknown)");
    slave_peer_answer(p, tag, 0, buf_cstring(&text));
    buf_free(&text);
}

/* dispatch - run the command the parser holds */
static void dispatch(struct mupdate_slave *s, struct slave_peer *p)
{
    const char *tag = imap_parser_tag(p->parser);
    const char *cmd = imap_parser_command(p->parser), *arg = NULL;
    const struct imap_arg *args;
    size_t n;

    args = imap_parser_args(p->parser, &n);
    if (n > 0 && !imap_arg_get_astring(&args[0], &arg)) {
        prot_printf(p->p, "%s BAD \"Bad argument\"\r\n", tag);
        return;
    }
    if (!str_casecmp(cmd, "LOGOUT")) {
        prot_puts(p->p, "* BYE \"User Logged Out\"\r\n");
        slave_peer_answer(p, tag, 1, "Logout complete");
        p->closing = 1;
    } else if (p->trusted && (!str_casecmp(cmd, "AUTHENTICATE") ||
                              !str_casecmp(cmd, "STARTTLS"))) {
        slave_peer_answer(p, tag, 0, "Not needed on the local channel");
    } else if (!str_casecmp(cmd, "AUTHENTICATE")) {
        mupdate_auth_command(&p->auth, tag, args, n);
    } else if (!str_casecmp(cmd, "STARTTLS") && n == 0) {
        cmd_starttls(s, p, tag);
    } else if (!p->trusted && !p->userid) {
        slave_peer_answer(p, tag, 0, "Please authenticate first");
    } else if (!str_casecmp(cmd, "NOOP") && n == 0) {
        cmd_noop(s, p, tag);
    } else if (!str_casecmp(cmd, "FIND") && n == 1) {
        cmd_find(p, tag, arg);
    } else if (!str_casecmp(cmd, "LIST") && n <= 1) {
        cmd_list(p, tag, arg);
    } else if (!str_casecmp(cmd, "RESERVE") || !str_casecmp(cmd, "ACTIVATE") ||
               !str_casecmp(cmd, "DEACTIVATE") ||
               !str_casecmp(cmd, "DELETE") || !str_casecmp(cmd, "UPDATE")) {
        refuse_write(p, tag);
    } else {
        prot_printf(p->p, "%s BAD \"Unrecognized command or arguments\"\r\n",
                    tag);
    }
}

/* bad_command - answer a line the parser rejected; 1 skip the rest of
 * it, -1 the connection cannot go on */
static int bad_command(struct slave_peer *p)
{
    const char *tag = imap_parser_tag(p->parser);
    const char *err = imap_parser_error(p->parser);

    prot_printf(p->p, "%s BAD ", tag ? tag : "*");
    prot_printstring(p->p, err ? err : "literal too big");
    prot_puts(p->p, "\r\n");
    return imap_parser_error_is_fatal(p->parser) ? -1 : 1;
}

/* run_line - a complete line: a command, or a response of the
 * AUTHENTICATE exchange (then the next line is read raw too) */
static void run_line(struct mupdate_slave *s, struct slave_peer *p)
{
    if (mupdate_auth_active(&p->auth)) {
        size_t len;
        const char *line = imap_parser_raw_line(p->parser, &len);

        mupdate_auth_line(&p->auth, line, len);
    } else {
        dispatch(s, p);
    }
    if (mupdate_auth_active(&p->auth)) {
        imap_parser_reset(p->parser);
        imap_parser_begin_raw_line(p->parser);
    }
}

/* backlogged - too much unsent output to take more commands? */
static int backlogged(const struct slave_peer *p)
{
    return prot_pending_output(p->p) > PEER_OUTPUT_BACKLOG;
}

/* feed - parse and run every complete command in p->in; -1 fatal */
static int feed(struct mupdate_slave *s, struct slave_peer *p)
{
    size_t used;
    int r;

    while (p->inpos < p->in.len && !p->closing && !p->hold_until_ms &&
           !p->tls_wait && !backlogged(p)) {
        if (p->skipping) {
            r = imap_parser_skip_line(p->parser, p->in.s + p->inpos,
                                      p->in.len - p->inpos, &used);
            p->inpos += used;
            if (r < 0)
                return -1;
            p->skipping = (r == 0);
            if (!p->skipping && mupdate_auth_active(&p->auth))
                mupdate_auth_line(&p->auth, NULL, 0); /* broken response */
            continue;
        }
        r = imap_parser_feed(p->parser, p->in.s + p->inpos,
                             p->in.len - p->inpos, &used);
        p->inpos += used;
        if (r == IMAP_PARSER_DONE)
            run_line(s, p);
        else if (r == IMAP_PARSER_LITERAL_CONTINUATION)
            prot_puts(p->p, "+ go ahead\r\n");
        else if (r < 0 || r == IMAP_PARSER_LITERAL_STREAM) {
            if (bad_command(p) < 0)
                return -1;
            p->skipping = 1;
        }
    }
    return 0;
}

/* flush_or_done - write what the socket takes; 0 go on, -1 done (a write
 * error, or closing with everything sent) */
static int flush_or_done(struct slave_peer *p)
{
    if (prot_flush(p->p) < 0)
        return -1;
    return p->closing && !prot_pending_output(p->p) ? -1 : 0;
}

short slave_peer_events(const struct slave_peer *p)
{
    short ev = 0;

    if (p->hold_until_ms)
        return 0;               /* its NO waits: only hang-ups matter */
    if (p->tls_wait)
        return p->tls_wait;     /* what the handshake needs */
    if (!p->closing && !backlogged(p))
        ev |= POLLIN;
    if (prot_pending_output(p->p))
        ev |= POLLOUT;
    return ev;
}

/* tls_continue - the next step of p's STARTTLS handshake: 0 (still
 * going, or done: banner sent again, input under TLS read), -1 failed
 * (free the peer) */
static int tls_continue(struct mupdate_slave *s, struct slave_peer *p)
{
    const char *err = NULL;
    unsigned want;
    int r;

    /* the plaintext OK goes out first, then the handshake steps */
    r = tls_server_continue(s->tls_ctx, p->p, &p->tls_attached, &want, &err);
    if (r < 0) {
        log_notice("TLS handshake failed peer=<%s> error=<%s>", p->name,
                   err ? err : "");
        return -1;
    }
    if (r == 0) {
        p->tls_wait = want == TLS_WANT_WRITE ? POLLOUT : POLLIN;
        return 0;
    }
    p->tls_wait = 0;
    p->tls = 1;
    p->deadline_ms = 0;
    peer_idle_from_now(p);
    if (mupdate_auth_reset(&p->auth, p->p) < 0) {
        prot_puts(p->p, "* BYE \"Server unavailable\"\r\n");
        p->closing = 1;
        return flush_or_done(p);
    }
    send_greeting(s, p);
    /* the peer may already have sent its first command under TLS */
    return slave_peer_input(s, p);
}

int slave_peer_output(struct mupdate_slave *s, struct slave_peer *p)
{
    if (p->hold_until_ms)
        return 0;
    if (p->tls_wait)
        return tls_continue(s, p);
    if (flush_or_done(p) < 0)
        return -1;
    /* commands that waited for the backlog to drain */
    if (!backlogged(p) && p->inpos < p->in.len)
        return slave_peer_input(s, p);
    return 0;
}

int slave_peer_input(struct mupdate_slave *s, struct slave_peer *p)
{
    ssize_t n;

    if (p->hold_until_ms)
        return 0;               /* the delayed NO goes out later */
    if (p->tls_wait)
        return tls_continue(s, p);
    for (;;) {
        if (feed(s, p) < 0)
            break;
        if (p->hold_until_ms)
            return 0;
        /* STARTTLS answered: what the peer sends next is its handshake,
         * which must never be read here as plaintext */
        if (p->tls_wait)
            return tls_continue(s, p);
        if (p->closing || backlogged(p))
            return flush_or_done(p);
        buf_reset(&p->in);
        p->inpos = 0;
        buf_ensure(&p->in, PEER_READ_CHUNK);
        n = prot_read(p->p, p->in.s, PEER_READ_CHUNK);
        if (n == PROT_AGAIN)
            return flush_or_done(p);
        if (n < 0)
            return -1;
        p->in.len = (size_t)n;
        peer_idle_from_now(p);
    }
    (void)prot_flush(p->p);    /* a fatal protocol error: best effort */
    return -1;
}

int slave_peer_release(struct mupdate_slave *s, struct slave_peer *p,
                       long long now)
{
    if (p->tls_wait && p->deadline_ms && p->deadline_ms <= now) {
        log_notice("mupdate slave closed peer: TLS handshake timed out "
                   "peer=<%s>", p->name);
        return -1;
    }
    if (!p->hold_until_ms && p->deadline_ms && p->deadline_ms <= now) {
        log_info("mupdate slave closed peer: idle before authentication "
                 "peer=<%s>", p->name);
        prot_puts(p->p, "* BYE \"idle before authentication\"\r\n");
        (void)prot_flush(p->p);     /* best effort */
        return -1;
    }
    if (!p->hold_until_ms || p->hold_until_ms > now)
        return 0;
    p->hold_until_ms = 0;
    if (flush_or_done(p) < 0)
        return -1;
    peer_idle_from_now(p);          /* its idle time starts after the NO */
    return slave_peer_input(s, p);
}
