/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_master_auth.c - the capability banner, AUTHENTICATE and
 * STARTTLS for the master's peers.
 *
 * The exchange itself is mupdate_auth.c (shared with the slave); here
 * are the master's callbacks for it: replies go to the peer's output
 * queue, a failed login is answered after a growing delay without
 * blocking the loop (the peer is held silent, hold_until_ms, and its NO
 * goes out when the hold expires), success switches the parser to the
 * post-login limits and starts a SASL security layer if one was
 * negotiated.  Called by the command table (mupdate_cmds.c) and by the
 * connection code for each response line of an exchange.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/cfg.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/strarray.h"
#include "lib/tls.h"
#include "lib/xmalloc.h"
#include "mupdate/mupdate_master.h"

void mupdate_greeting(struct mupdate_conn *c)
{
    struct buf line = BUF_INIT;

    mupdate_auth_caps(&c->auth, &line);
    if (c->srv->tls_ctx && !c->tls)
        buf_appendcstr(&line, "* STARTTLS\r\n");
    buf_appendcstr(&line, "* PARTIAL-UPDATE\r\n");
    buf_appendcstr(&line, "* OK MUPDATE ");
    mupdate_put_string(&line, cfg_get_string(IMAPOPT_SERVERNAME));
    buf_printf(&line, " \"murder mupdate\" \"%s\" \"(master)\"\r\n",
               PACKAGE_VERSION);
    prot_write(c->prot, line.s, line.len);
    buf_free(&line);
}

/* auth_send - mupdate_auth_ops.send: queue on the peer's stream */
static void auth_send(void *rock, const char *data, size_t len)
{
    struct mupdate_conn *c = rock;

    prot_write(c->prot, data, len);
}

/* auth_succeeded - mupdate_auth_ops.succeeded */
static void auth_succeeded(void *rock, const char *user, int ssf)
{
    struct mupdate_conn *c = rock;

    c->userid = xstrdup(user);
    c->is_admin = strarray_find(cfg_get_list(IMAPOPT_ADMINS), user, 0) >= 0;
    log_ctx_set("user", user);
    log_info("mupdate peer authenticated admin=<%d>", c->is_admin);
    mupdate_conn_authenticated(c);
    if (!ssf)
        return;
    if (mupdate_auth_layer(&c->auth, c->prot, c->in.len - c->inpos) < 0)
        c->closing = 1;
}

/* auth_failed - mupdate_auth_ops.failed: hold the peer (its NO stays
 * queued) until the delay ends; the run loop's timer resumes it */
static void auth_failed(void *rock, long long delay_ms, int close)
{
    struct mupdate_conn *c = rock;

    if (close)
        c->closing = 1;
    if (delay_ms <= 0)
        return;
    c->hold_until_ms = clock_now_ms() + delay_ms;
    mupdate_master_timer(c->srv, c->hold_until_ms);
}

static const struct mupdate_auth_ops master_auth_ops = {
    auth_send, auth_succeeded, auth_failed,
};

int mupdate_master_auth_init(struct mupdate_conn *c)
{
    mupdate_auth_init(&c->auth, &master_auth_ops, c, c->local_ipport,
                      c->remote_ipport);
    return mupdate_auth_reset(&c->auth, NULL);
}

void mupdate_cmd_authenticate(struct mupdate_conn *c, const char *tag,
                              const struct imap_arg *args, size_t argc)
{
    mupdate_auth_command(&c->auth, tag, args, argc);
}

void mupdate_cmd_starttls(struct mupdate_conn *c, const char *tag)
{
    if (!c->srv->tls_ctx) {
        mupdate_reply(c, tag, "BAD", "STARTTLS is not available");
        return;
    }
    if (c->tls) {
        mupdate_reply(c, tag, "NO", "TLS is already active");
        return;
    }
    if (c->userid) {
        mupdate_reply(c, tag, "BAD", "STARTTLS is not allowed after authentication");
        return;
    }
    mupdate_reply(c, tag, "OK", "Begin TLS negotiation now");
    /* a pipelined command was sent in plaintext: never run it under TLS */
    if (c->inpos < c->in.len || prot_unread_raw(c->prot) > 0) {
        log_notice("PROTOERR data after STARTTLS before the handshake");
        c->closing = 1;
        return;
    }
    /* the rest runs from the loop as the socket allows, never blocking it */
    c->tls_wait = MUPDATE_LOOP_OUT;
    mupdate_conn_deadline(c, MUPDATE_HANDSHAKE_TIMEOUT * 1000LL);
}

/* starttls_failed - log and close: the stream is unusable */
static void starttls_failed(struct mupdate_conn *c, const char *err)
{
    log_notice("TLS handshake failed error=<%s>", err ? err : "");
    c->tls_wait = 0;
    mupdate_conn_close(c, "TLS handshake failed");
}

void mupdate_starttls_continue(struct mupdate_conn *c)
{
    const char *err = NULL;
    unsigned want;
    int r;

    /* the plaintext OK goes out first, then the handshake steps */
    r = tls_server_continue(c->srv->tls_ctx, c->prot, &c->tls_attached,
                            &want, &err);
    if (r < 0) {
        starttls_failed(c, err);
        return;
    }
    if (r == 0) {
        c->tls_wait = want == TLS_WANT_WRITE ? MUPDATE_LOOP_OUT : MUPDATE_LOOP_IN;
        (void)mupdate_conn_flush(c);
        return;
    }
    c->tls_wait = 0;
    c->tls = 1;
    mupdate_conn_idle_from_now(c);
    if (mupdate_auth_reset(&c->auth, c->prot) < 0) {
        prot_puts(c->prot, "* BYE \"Server unavailable\"\r\n");
        c->closing = 1;
    } else {
        mupdate_greeting(c);
    }
    /* the client may already have sent its first command under TLS */
    mupdate_conn_resume(c);
}
