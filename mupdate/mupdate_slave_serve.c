/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_slave_serve.c - the slave's local channel: read-only MUPDATE for
 * the frontend's own processes on <configdirectory>/socket/mupdate.target
 * and on the listener master gives.  FIND and LIST answer from the local
 * mailboxes.db; NOOP means "catch up now" (answered by the sync side once
 * the master's PONG arrived and everything before it is committed, NO
 * while the master is away); LOGOUT; every write is refused with a NO
 * naming the master.  Unix-socket peers are trusted; others must
 * authenticate, which the slave does not offer yet (TODO(#4)): they get
 * NO for everything but LOGOUT.
 */
#include "config.h"

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
#include "lib/xmalloc.h"
#include "mupdate/mupdate_slave_internal.h"

#define PEER_READ_CHUNK 4096
#define PEER_TIMEOUT    10 /* seconds a blocked write may take */

struct slave_peer {
    int fd;
    int trusted;
    int closing;
    int skipping;              /* discarding the rest of a bad line */
    char *name;
    struct prot *p;
    struct imap_parser *parser;
    struct buf in;
    size_t inpos;
};

struct slave_peer *slave_peer_new(struct mupdate_slave *s, int fd,
                                  int trusted, const char *peername)
{
    struct imap_parser_limits lim;
    struct slave_peer *p;
    const char *master = cfg_get_string(IMAPOPT_MUPDATE_SERVER);

    if (s->npeers >= SLAVE_PEERS_MAX) {
        log_warning("mupdate slave refused peer: too many peer=<%s>",
                    peername);
        close(fd);
        return NULL;
    }
    imap_parser_limits_preauth(&lim);
    lim.literal_plus = true;
    p = xzmalloc(sizeof(*p));
    p->fd = fd;
    p->trusted = trusted;
    p->name = xstrdup(peername);
    p->p = prot_new(fd);
    prot_set_timeouts(p->p, 0, PEER_TIMEOUT);
    p->parser = imap_parser_new(&lim);
    prot_printf(p->p, "* OK MUPDATE \"%s\" \"Cyrus Murder\" \"v3.6\" "
                "\"mupdate://%s/\"\r\n",
                cfg_get_string(IMAPOPT_SERVERNAME)
                    ? cfg_get_string(IMAPOPT_SERVERNAME) : "localhost",
                master ? master : "");
    prot_flush(p->p);
    s->peers[s->npeers++] = p;
    return p;
}

int slave_peer_fd(const struct slave_peer *p)
{
    return p->fd;
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
    buf_free(&p->in);
    free(p->name);
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
    } else if (!p->trusted) {
        slave_peer_answer(p, tag, 0, "Authentication required; this slave "
                          "serves local peers only");
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
    } else if (!str_casecmp(cmd, "AUTHENTICATE") ||
               !str_casecmp(cmd, "STARTTLS")) {
        slave_peer_answer(p, tag, 0, "Not needed on the local channel");
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

/* feed - parse and run every complete command in p->in; -1 fatal */
static int feed(struct mupdate_slave *s, struct slave_peer *p)
{
    size_t used;
    int r;

    while (p->inpos < p->in.len && !p->closing) {
        if (p->skipping) {
            r = imap_parser_skip_line(p->parser, p->in.s + p->inpos,
                                      p->in.len - p->inpos, &used);
            p->inpos += used;
            if (r < 0)
                return -1;
            p->skipping = (r == 0);
            continue;
        }
        r = imap_parser_feed(p->parser, p->in.s + p->inpos,
                             p->in.len - p->inpos, &used);
        p->inpos += used;
        if (r == IMAP_PARSER_DONE)
            dispatch(s, p);
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

int slave_peer_input(struct mupdate_slave *s, struct slave_peer *p)
{
    ssize_t n;

    prot_set_nonblocking(p->p, 1);
    for (;;) {
        if (feed(s, p) < 0 || p->closing)
            break;
        buf_reset(&p->in);
        p->inpos = 0;
        buf_ensure(&p->in, PEER_READ_CHUNK);
        n = prot_read(p->p, p->in.s, PEER_READ_CHUNK);
        if (n == PROT_AGAIN) {
            return prot_flush(p->p) < 0 ? -1 : 0;
        }
        if (n < 0)
            return -1;
        p->in.len = (size_t)n;
    }
    prot_flush(p->p);
    return -1;
}
