/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lmtp_proxy_deliver.c - lmtpproxyd's delivery hooks: recipients routed
 * by the local mailboxes.db (kept current by the mupdate slave), the
 * message spooled once, then one LMTP transaction per backend involved,
 * all fed from the same pass over the spool, and every backend's
 * per-recipient reply relayed in RCPT order (see lmtp_proxy_deliver.h).
 *
 * Called by the LMTP engine (lmtpd/lmtp_engine.c) in lmtpproxyd; one
 * session at a time per process.  Backend connections are kept in a
 * process-wide pool (proxy/proxy_pool.c) between transactions.  Every
 * fault is a 4xx for the recipients it concerns, never a 5xx.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imap/mailsvc.h"
#include "imap/mboxlist.h"
#include "imap/pop3_session.h"
#include "lib/cfg.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/xmalloc.h"
#include "lmtpd/lmtp_engine.h"
#include "lmtpd/lmtp_recipient.h"
#include "mupdate/mupdate_client.h"
#include "proxy/lmtp_proxy_deliver.h"
#include "proxy/proxy_backend.h"
#include "proxy/proxy_lmtp.h"

/* Bytes of the spool read per pass step. */
#define LMTP_PROXY_CHUNK 65536

static struct lmtp_resolve_cfg rcfg;
static struct proxy_pool *pool;    /* backend connections, authzid none */

/* The spool: an unlinked temporary file. */
struct proxy_spool {
    FILE *f;
    int started;                   /* the first bytes were seen */
};

/* One backend of a transaction. */
struct route {
    const char *server;            /* a recipient's r->server */
    struct proxy_backend *be;      /* NULL when it could not be reached */
    int failed;                    /* the connection broke: drop it */
    int data;                      /* DATA was answered 354 */
};

/* ---- RCPT ---- */

/* in_flight - is the mailbox address is routed by (the user's INBOX or
 * the shared mailbox) in the list but reserved or being deleted (a
 * CREATE, RENAME or XFER under way)?  Then an unknown answer would be
 * premature. */
static int in_flight(const char *address)
{
    struct mboxlist_entry *e = NULL;
    char *name = NULL;
    int r = lmtp_recipient_target(&rcfg, address, &name) == 1 &&
            mboxlist_lookup(name, &e) == MBOXLIST_OK;

    mboxlist_entry_free(&e);
    free(name);
    return r;
}

/* proxy_rcpt - resolve address; on a miss ask the slave to catch up
 * and look again */
static int proxy_rcpt(struct lmtp_session *s, const char *address,
                      struct lmtp_recipient **r_r)
{
    int r = lmtp_recipient_resolve(&rcfg, address, r_r);

    (void)s;
    if (r == LMTP_RCPT_UNKNOWN) {
        if (mupdate_kick(0) != MUPDATE_OK) {
            log_notice("mupdate slave unavailable, deferring rcpt=<%s>",
                       address);
            return LMTP_RCPT_TEMPFAIL;
        }
        r = lmtp_recipient_resolve(&rcfg, address, r_r);
        if (r == LMTP_RCPT_UNKNOWN && in_flight(address)) {
            log_notice("mailbox in flight, deferring rcpt=<%s>", address);
            return LMTP_RCPT_TEMPFAIL;
        }
    }
    if (r == LMTP_RCPT_OK && !(*r_r)->server) {
        log_error("recipient mailbox not remote rcpt=<%s> mailbox=<%s>",
                  address, (*r_r)->mailbox);
        lmtp_recipient_free(r_r);
        return LMTP_RCPT_TEMPFAIL;
    }
    return r;
}

/* ---- the spool ---- */

/* spool_begin - an unlinked temporary file under configdirectory */
static int spool_begin(struct lmtp_session *s, void **spool_r)
{
    struct buf path = BUF_INIT;
    struct proxy_spool *sp;
    int fd;

    (void)s;
    buf_printf(&path, "%s/lmtpproxy.XXXXXX",
               cfg_get_string(IMAPOPT_CONFIGDIRECTORY));
    fd = mkstemp((char *)buf_cstring(&path));
    if (fd < 0) {
        log_error("IOERROR: cannot create spool file=<%s> error=<%m>",
                  buf_cstring(&path));
        buf_free(&path);
        return -1;
    }
    unlink(buf_cstring(&path));
    buf_free(&path);
    sp = xzmalloc(sizeof(*sp));
    sp->f = fdopen(fd, "w+");
    if (!sp->f) {
        close(fd);
        free(sp);
        return -1;
    }
    *spool_r = sp;
    return 0;
}

/* spool_write - append; the engine's Return-Path line (first in the
 * first chunk) is dropped, the backends write their own */
static int spool_write(void *spool, const void *p, size_t n)
{
    struct proxy_spool *sp = spool;
    const char *c = p;

    if (!sp->started) {
        sp->started = 1;
        if (n > 12 && memcmp(c, "Return-Path:", 12) == 0) {
            const char *nl = memchr(c, '\n', n);
            if (nl) {
                n -= (size_t)(nl + 1 - c);
                c = nl + 1;
            }
        }
    }
    if (n && fwrite(c, 1, n, sp->f) != n) {
        log_error("IOERROR: writing spool error=<%m>");
        return -1;
    }
    return 0;
}

/* spool_finish - everything written and back at the start */
static int spool_finish(void *spool)
{
    struct proxy_spool *sp = spool;

    if (fflush(sp->f) != 0 || fseek(sp->f, 0, SEEK_SET) != 0) {
        log_error("IOERROR: flushing spool error=<%m>");
        return -1;
    }
    return 0;
}

static void spool_free(void **spool)
{
    struct proxy_spool *sp = *spool;

    if (!sp)
        return;
    fclose(sp->f);
    free(sp);
    *spool = NULL;
}

/* ---- delivery ---- */

/* set_reply - the recipient's final reply: line (a backend's) or the
 * fixed text for a temporary failure */
static void set_reply(struct lmtp_recipient *r, int code, const char *line)
{
    free(r->reply);
    r->reply = xstrdup(line);
    r->result = code < 300 ? LMTP_RCPT_OK
              : code < 500 ? LMTP_RCPT_TEMPFAIL : LMTP_RCPT_UNKNOWN;
}

/* fail_route - every recipient of rt still without a reply gets 451 */
static void fail_route(struct lmtp_session *s, struct route *rt,
                       const char *ext)
{
    struct buf line = BUF_INIT;
    size_t i;

    buf_printf(&line, "451 %s Backend %s unavailable, try again later", ext,
               rt->server);
    for (i = 0; i < s->nrcpts; i++) {
        struct lmtp_recipient *r = s->rcpts[i];
        if (strcmp(r->server, rt->server) == 0 && !r->reply)
            set_reply(r, 451, buf_cstring(&line));
    }
    if (rt->be)
        rt->failed = 1;
    rt->data = 0;
    buf_free(&line);
}

/* append_path - "<addr>" with the local part quoted when it needs it */
static void append_path(struct buf *b, const char *addr)
{
    const char *at = strrchr(addr, '@'), *p;
    const char *end = at ? at : addr + strlen(addr);
    int quote = 0;

    for (p = addr; p < end; p++) {
        if (!strchr("!#$%&'*+-/=?^_`{|}~.", *p) &&
            !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9')))
            quote = 1;
    }
    buf_putc(b, '<');
    if (quote && end > addr) {
        buf_putc(b, '"');
        for (p = addr; p < end; p++) {
            if (*p == '"' || *p == '\\')
                buf_putc(b, '\\');
            buf_putc(b, *p);
        }
        buf_putc(b, '"');
        buf_appendcstr(b, end);
    } else {
        buf_appendcstr(b, addr);
    }
    buf_putc(b, '>');
}

/* command - send one command to rt's backend and, unless pipelining,
 * read its reply at once: the code (0 when deferred), -1 broken */
static int command(struct route *rt, const char *cmd, struct buf *reply)
{
    const char *err = NULL;

    if (proxy_lmtp_send(rt->be, cmd, &err) < 0)
        return -1;
    if (proxy_backend_has_cap(rt->be, "PIPELINING"))
        return 0;
    return proxy_lmtp_read_reply(rt->be, reply, &err);
}

/* route_codes - a command's reply code: the one read by command(), or
 * read now when pipelined; -1 broken */
static int route_code(struct route *rt, int code, struct buf *reply)
{
    const char *err = NULL;

    return code ? code : proxy_lmtp_read_reply(rt->be, reply, &err);
}

/* route_open - connect, MAIL, RCPT for each of rt's recipients, DATA */
static void route_open(struct lmtp_session *s, struct route *rt)
{
    struct buf cmd = BUF_INIT, reply = BUF_INIT;
    int *codes = xcalloc(s->nrcpts + 2, sizeof(*codes));
    const char *err = NULL;
    size_t i, n = 0, accepted = 0;

    if (proxy_pool_get(pool, rt->server, &rt->be, &err) < 0) {
        rt->be = NULL;
        fail_route(s, rt, "4.4.1");
        goto out;
    }
    buf_setcstr(&cmd, "MAIL FROM:");
    append_path(&cmd, s->mail_from);
    if ((codes[n++] = command(rt, buf_cstring(&cmd), &reply)) < 0)
        goto broken;
    for (i = 0; i < s->nrcpts; i++) {
        if (strcmp(s->rcpts[i]->server, rt->server) != 0)
            continue;
        buf_setcstr(&cmd, "RCPT TO:");
        append_path(&cmd, s->rcpts[i]->address);
        if ((codes[n++] = command(rt, buf_cstring(&cmd), &reply)) < 0)
            goto broken;
    }
    if ((codes[n++] = command(rt, "DATA", &reply)) < 0)
        goto broken;
    /* the replies, in order (read now when pipelined) */
    n = 0;
    if ((codes[0] = route_code(rt, codes[0], &reply)) < 0)
        goto broken;
    if (codes[0] >= 300) {        /* MAIL refused: the same for all */
        for (i = 0; i < s->nrcpts; i++)
            if (strcmp(s->rcpts[i]->server, rt->server) == 0)
                set_reply(s->rcpts[i], codes[0], buf_cstring(&reply));
        rt->failed = 1;           /* its stream may be out of step */
        goto out;
    }
    n = 1;
    for (i = 0; i < s->nrcpts; i++) {
        int c;
        if (strcmp(s->rcpts[i]->server, rt->server) != 0)
            continue;
        if ((c = route_code(rt, codes[n++], &reply)) < 0)
            goto broken;
        if (c >= 300)
            set_reply(s->rcpts[i], c, buf_cstring(&reply));
        else
            accepted++;
    }
    if ((codes[n] = route_code(rt, codes[n], &reply)) < 0)
        goto broken;
    if (codes[n] == 354)
        rt->data = 1;
    else if (accepted)            /* DATA refused: for every accepted one */
        for (i = 0; i < s->nrcpts; i++)
            if (strcmp(s->rcpts[i]->server, rt->server) == 0 &&
                !s->rcpts[i]->reply)
                set_reply(s->rcpts[i], codes[n], buf_cstring(&reply));
    goto out;
broken:
    fail_route(s, rt, "4.4.2");
out:
    free(codes);
    buf_free(&cmd);
    buf_free(&reply);
}

/* stream - the spool, dot-stuffed, to every route in DATA, in one pass */
static void stream(struct lmtp_session *s, struct proxy_spool *sp,
                   struct route *rt, size_t nrt)
{
    static char chunk[LMTP_PROXY_CHUNK];
    struct pop3_dot dot;           /* the same stuffing as POP3 RETR */
    struct buf out = BUF_INIT;
    size_t n, j;
    int last = 0;

    pop3_dot_init(&dot, -1);
    while (!last) {
        n = fread(chunk, 1, sizeof(chunk), sp->f);
        last = n < sizeof(chunk);
        buf_reset(&out);
        pop3_dot_feed(&dot, chunk, n, &out);
        if (last) {
            if (ferror(sp->f))
                log_error("IOERROR: reading spool error=<%m>");
            pop3_dot_finish(&dot, &out);
        }
        for (j = 0; j < nrt; j++) {
            if (rt[j].data && !ferror(sp->f) &&
                prot_write(rt[j].be->p, out.s, out.len) != 1) {
                (void)proxy_backend_fail(rt[j].be, "DATA");
                fail_route(s, &rt[j], "4.4.2");
            }
        }
    }
    for (j = 0; j < nrt; j++)
        if (rt[j].data && ferror(sp->f))
            fail_route(s, &rt[j], "4.3.0");   /* stream out of step */
    buf_free(&out);
}

/* route_of - the route index of server, adding one when new */
static size_t route_of(struct route *rt, size_t *nrt, const char *server)
{
    size_t j;

    for (j = 0; j < *nrt; j++)
        if (strcmp(rt[j].server, server) == 0)
            return j;
    rt[*nrt].server = server;
    return (*nrt)++;
}

/* proxy_deliver - one transaction per backend, replies in RCPT order */
static void proxy_deliver(struct lmtp_session *s, void *spool)
{
    struct route *rt = xcalloc(s->nrcpts, sizeof(*rt));
    size_t *ri = xcalloc(s->nrcpts, sizeof(*ri));
    struct buf reply = BUF_INIT;
    const char *err = NULL;
    size_t i, nrt = 0;
    int code;

    if (!pool)
        pool = proxy_pool_new(&proxy_lmtp_protocol, NULL);
    for (i = 0; i < s->nrcpts; i++)
        ri[i] = route_of(rt, &nrt, s->rcpts[i]->server);
    for (i = 0; i < nrt; i++)
        route_open(s, &rt[i]);
    stream(s, spool, rt, nrt);
    for (i = 0; i < s->nrcpts; i++) {
        struct route *r = &rt[ri[i]];
        if (!s->rcpts[i]->reply) {
            code = r->data ? proxy_lmtp_read_reply(r->be, &reply, &err) : -1;
            if (code < 0)
                fail_route(s, r, "4.4.2");
            else
                set_reply(s->rcpts[i], code, buf_cstring(&reply));
        }
        log_info("proxied rcpt=<%s> server=<%s> reply=<%s>",
                 s->rcpts[i]->address, r->server, s->rcpts[i]->reply);
        lmtp_session_rcpt_done(s, i);
    }
    for (i = 0; i < nrt; i++)
        if (rt[i].failed)
            proxy_pool_drop(pool, rt[i].be);
    buf_free(&reply);
    free(ri);
    free(rt);
}

const struct lmtp_hooks lmtp_proxy_hooks = {
    .rcpt = proxy_rcpt,
    .spool_begin = spool_begin,
    .spool_write = spool_write,
    .spool_finish = spool_finish,
    .spool_free = spool_free,
    .deliver = proxy_deliver,
};

int lmtp_proxy_init(void)
{
    const char *err = NULL;

    if (lmtp_resolve_init_from_cfg(&rcfg, &err) < 0) {
        log_error("bad namespace configuration error=<%s>", err);
        return EX_CONFIG;
    }
    return mailsvc_open_dbs();
}

void lmtp_proxy_done(void)
{
    proxy_pool_free(&pool);
    mailsvc_close_dbs();
}
