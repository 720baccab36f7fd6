/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lmtp_data.c - the DATA command: the message is read byte by byte from
 * the stream (so a pipelined command after the final "." stays unread),
 * dot-unstuffed, bare LFs made CRLF, and handed to the delivery hooks in
 * chunks of LMTP_DATA_CHUNK bytes behind a Return-Path and a Received
 * header.  Past maxmessagesize the rest is read and dropped, and every
 * recipient gets 552 5.3.4.  Then the hooks deliver and the engine
 * answers once per recipient (RFC 2033 4.2).
 *
 * Called from the dispatcher in lmtp_engine.c.  A connection lost in the
 * middle of the data discards the spool: nothing was acknowledged.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/cfg.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lmtpd/lmtp_engine.h"
#include "lmtpd/lmtp_recipient.h"

/* Decoder states (struct lmtp_dot.state; 0 is the start of a line). */
enum {
    DOT_BOL = 0,  /* at the start of a line */
    DOT_MID,      /* inside a line */
    DOT_CR,       /* a CR inside a line, not yet written */
    DOT_DOT,      /* a '.' at the start of a line, not written */
    DOT_DOTCR,    /* ".\r" at the start of a line */
};

/* dot_mid - a content byte c (state MID or BOL without a dot) */
static void dot_mid(struct lmtp_dot *d, int c, struct buf *out)
{
    if (c == '\r') {
        d->state = DOT_CR;
    } else if (c == '\n') {
        buf_appendmap(out, "\r\n", 2);
        d->state = DOT_BOL;
    } else {
        buf_putc(out, (char)c);
        d->state = DOT_MID;
    }
}

int lmtp_dot_step(struct lmtp_dot *d, int c, struct buf *out)
{
    switch (d->state) {
    case DOT_BOL:
        if (c == '.') {
            d->state = DOT_DOT;
            return 0;
        }
        break;
    case DOT_CR:
        if (c == '\n') {
            buf_appendmap(out, "\r\n", 2);
            d->state = DOT_BOL;
            return 0;
        }
        buf_putc(out, '\r');  /* a bare CR stays */
        break;
    case DOT_DOT:
        if (c == '\r') {
            d->state = DOT_DOTCR;
            return 0;
        }
        if (c == '\n')
            return 1;
        break;                /* the dot was stuffing: dropped */
    case DOT_DOTCR:
        if (c == '\n')
            return 1;
        buf_putc(out, '\r');
        break;
    default:
        break;
    }
    dot_mid(d, c, out);
    return 0;
}

size_t lmtp_dot_decode(struct lmtp_dot *d, const char *in, size_t n,
                       struct buf *out, int *done_r)
{
    size_t i;

    *done_r = 0;
    for (i = 0; i < n; i++) {
        if (lmtp_dot_step(d, (unsigned char)in[i], out)) {
            *done_r = 1;
            return i + 1;
        }
    }
    return n;
}

/* The state of one DATA transfer. */
struct data_xfer {
    void *spool;        /* NULL when spool_begin failed */
    int spool_failed;
    int toobig;
    uint64_t total;     /* message bytes seen (after unstuffing) */
    uint64_t max;       /* maxmessagesize, 0 none */
    struct buf chunk;
};

/* xfer_flush - hand the collected bytes to the spool, counting them */
static void xfer_flush(struct lmtp_session *s, struct data_xfer *x)
{
    x->total += x->chunk.len;
    if (x->max && x->total > x->max)
        x->toobig = 1;
    if (!x->toobig && x->spool && !x->spool_failed && x->chunk.len &&
        s->server->hooks->spool_write(x->spool, x->chunk.s, x->chunk.len) < 0)
        x->spool_failed = 1;
    buf_reset(&x->chunk);
}

/* trace_headers - Return-Path and Received (RFC 5321 4.4, RFC 3848) */
static void trace_headers(struct lmtp_session *s, struct buf *out)
{
    char date[64];
    time_t now = time(NULL);
    struct tm tm;

    localtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
    buf_printf(out, "Return-Path: <%s>\r\n", s->mail_from);
    buf_printf(out, "Received: from %s (%s)\r\n\tby %s (murder lmtpd) "
                    "with LMTP%s%s\r\n\tid %s; %s\r\n",
               s->lhlo, s->peer ? s->peer : "unknown",
               cfg_get_string(IMAPOPT_SERVERNAME), s->tls ? "S" : "",
               s->authuser ? "A" : "", s->session_id ? s->session_id : "-",
               date);
}

/* read_data - stream the message to the spool; 1 at the final ".",
 * 0 when the connection failed first */
static int read_data(struct lmtp_session *s, struct data_xfer *x)
{
    struct lmtp_dot d = { 0 };
    int c;

    trace_headers(s, &x->chunk);
    for (;;) {
        c = prot_getc(s->prot);
        if (c < 0) {
            log_notice("connection lost during DATA bytes=<%llu>",
                       (unsigned long long)x->total);
            return 0;
        }
        if (lmtp_dot_step(&d, c, &x->chunk))
            break;
        if (x->chunk.len >= LMTP_DATA_CHUNK)
            xfer_flush(s, x);
    }
    xfer_flush(s, x);
    return 1;
}

/* fail_all - the same failure for every recipient */
static void fail_all(struct lmtp_session *s, int result)
{
    size_t i;

    for (i = 0; i < s->nrcpts; i++) {
        s->rcpts[i]->result = result;
        lmtp_session_rcpt_done(s, i);
    }
}

void lmtp_cmd_data(struct lmtp_session *s, const char *args)
{
    const struct lmtp_hooks *h = s->server->hooks;
    struct data_xfer x;

    if (*args) {
        lmtp_reply(s, 501, "5.5.4", "Syntax: DATA");
        lmtp_session_bad(s);
        return;
    }
    if (!s->nrcpts) {
        lmtp_reply(s, 554, "5.5.1", "No valid recipients");
        return;
    }
    memset(&x, 0, sizeof(x));
    x.max = (uint64_t)cfg_get_int(IMAPOPT_MAXMESSAGESIZE);
    if (h->spool_begin(s, &x.spool) < 0)
        x.spool = NULL;
    lmtp_reply(s, 354, NULL, "Go ahead, end with <CRLF>.<CRLF>");
    prot_flush(s->prot);
    if (!read_data(s, &x)) {
        s->closing = 1;
    } else if (x.toobig) {
        log_notice("message too big bytes=<%llu> max=<%llu>",
                   (unsigned long long)x.total, (unsigned long long)x.max);
        fail_all(s, LMTP_RCPT_TOOBIG);
    } else if (!x.spool || x.spool_failed || h->spool_finish(x.spool) < 0) {
        fail_all(s, LMTP_RCPT_TEMPFAIL);
    } else {
        h->deliver(s, x.spool);
    }
    if (x.spool)
        h->spool_free(&x.spool);
    buf_free(&x.chunk);
    lmtp_session_reset(s);
}
