/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_master_auth.c - the capability banner, AUTHENTICATE (RFC 3656
 * section 4.2: optional base64 initial response, then bare base64 lines
 * both ways, "*" cancels) and STARTTLS for the master's peers.
 *
 * Called by the command table (mupdate_cmds.c) and by the connection
 * code for each response line of an exchange.  SASL policy (plaintext,
 * layers, proxy authorization) is the one every protocol shares
 * (imap_auth_sasl_new, service "mupdate").  A failed login is answered
 * after a growing delay without blocking the loop: the peer is held
 * silent (hold_until_ms) and its NO goes out when the hold expires.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/imap_auth.h"
#include "imap/imap_session.h"
#include "lib/cfg.h"
#include "lib/clock.h"
#include "lib/imap_parser.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/strarray.h"
#include "lib/tls.h"
#include "lib/xmalloc.h"
#include "lib/xsasl.h"
#include "mupdate/mupdate_master.h"

void mupdate_greeting(struct mupdate_conn *c)
{
    struct buf mechs = BUF_INIT, line = BUF_INIT;
    struct strarray words = STRARRAY_INIT;
    size_t i;

    buf_appendcstr(&line, "* AUTH");
    if (xsasl_server_mechs(c->sasl, &mechs) == 1) {
        strarray_split(&words, buf_cstring(&mechs), " ");
        for (i = 0; i < words.count; i++)
            buf_printf(&line, " \"%s\"", strarray_nth(&words, i));
    }
    buf_appendcstr(&line, "\r\n");
    if (c->srv->tls_ctx && !c->tls)
        buf_appendcstr(&line, "* STARTTLS\r\n");
    buf_appendcstr(&line, "* PARTIAL-UPDATE\r\n");
    buf_appendcstr(&line, "* OK MUPDATE ");
    mupdate_put_string(&line, cfg_get_string(IMAPOPT_SERVERNAME));
    buf_printf(&line, " \"murder mupdate\" \"%s\" \"(master)\"\r\n",
               PACKAGE_VERSION);
    prot_write(c->prot, line.s, line.len);
    strarray_fini(&words);
    buf_free(&mechs);
    buf_free(&line);
}

int mupdate_sasl_reset(struct mupdate_conn *c)
{
    const char *err = NULL;

    xsasl_server_free(&c->sasl);
    c->sasl = imap_auth_sasl_new("mupdate", c->tls ? c->prot : NULL,
                                 c->local_ipport, c->remote_ipport, &err);
    if (!c->sasl) {
        log_error("SASL session failed error=<%s>", err ? err : "");
        return -1;
    }
    return 0;
}

/* auth_end - leave the exchange state */
static void auth_end(struct mupdate_conn *c)
{
    free(c->auth_tag);
    free(c->auth_mech);
    c->auth_tag = c->auth_mech = NULL;
}

/* auth_failed - log, answer NO after a delay that grows with each
 * failure, BYE after maxauthfailures; a fresh SASL session */
static void auth_failed(struct mupdate_conn *c, const char *reason)
{
    long long ms = (long long)++c->auth_failures * IMAP_AUTH_FAIL_DELAY_MS;

    if (ms > IMAP_AUTH_FAIL_DELAY_MAX_MS)
        ms = IMAP_AUTH_FAIL_DELAY_MAX_MS;
    log_notice("login failed mech=<%s> reason=<%s>",
               c->auth_mech ? c->auth_mech : "", reason ? reason : "");
    mupdate_reply(c, c->auth_tag, "NO", "Authentication failed");
    if (c->auth_failures >= (unsigned long)cfg_get_int(IMAPOPT_MAXAUTHFAILURES)) {
        prot_puts(c->prot, "* BYE \"Too many authentication failures\"\r\n");
        c->closing = 1;
    } else if (mupdate_sasl_reset(c) < 0) {
        prot_puts(c->prot, "* BYE \"Server unavailable\"\r\n");
        c->closing = 1;
    }
    auth_end(c);
    c->hold_until_ms = clock_now_ms() + ms;
    mupdate_master_timer(c->srv, c->hold_until_ms);
}

/* auth_succeeded - become authenticated; install a SASL layer if any */
static void auth_succeeded(struct mupdate_conn *c)
{
    const char *user = xsasl_server_username(c->sasl);
    const char *authid = xsasl_server_authid(c->sasl);
    const char *err = NULL;
    int ssf = xsasl_server_ssf(c->sasl);

    c->userid = xstrdup(user);
    c->is_admin = strarray_find(cfg_get_list(IMAPOPT_ADMINS), user, 0) >= 0;
    log_ctx_set("user", user);
    log_info("login ok user=<%s> mech=<%s> tls=<%d> authzid=<%s> admin=<%d>",
             authid, c->auth_mech, c->tls, strcmp(user, authid) ? user : "",
             c->is_admin);
    mupdate_reply(c, c->auth_tag, "OK", "Authenticated");
    auth_end(c);
    mupdate_conn_authenticated(c);
    if (!ssf)
        return;
    /* the OK must reach the peer in clear before the layer starts */
    prot_set_timeouts(c->prot, 0, MUPDATE_HANDSHAKE_TIMEOUT);
    prot_set_write_nonblocking(c->prot, 0);
    if (prot_flush(c->prot) != 1 || c->inpos < c->in.len ||
        prot_unread_raw(c->prot) > 0) {
        log_notice("PROTOERR data before SASL security layer");
        c->closing = 1;
    } else if (xsasl_server_install_layer(c->sasl, c->prot, &err) < 0) {
        log_error("SASL security layer failed error=<%s>", err);
        c->closing = 1;
    }
    prot_set_write_nonblocking(c->prot, 1);
}

/* auth_step_result - act on an xsasl start/step result */
static void auth_step_result(struct mupdate_conn *c, int r, struct buf *out,
                             const char *err)
{
    struct buf b64 = BUF_INIT;

    if (r == 1) {
        auth_succeeded(c);
        return;
    }
    if (r < 0) {
        auth_failed(c, err);
        return;
    }
    xsasl_encode64(out->s, out->len, &b64);
    buf_appendcstr(&b64, "\r\n");
    prot_write(c->prot, b64.s, b64.len);
    buf_free(&b64);
    /* the connection reads the next line raw (c->auth_tag is set) */
}

void mupdate_cmd_authenticate(struct mupdate_conn *c, const char *tag,
                              const struct imap_arg *args, size_t argc)
{
    const char *mech, *ir = NULL, *err = NULL;
    struct buf in = BUF_INIT, out = BUF_INIT;
    int r;

    if (argc < 1 || argc > 2 || !imap_arg_get_astring(&args[0], &mech) ||
        (argc == 2 && !imap_arg_get_astring(&args[1], &ir))) {
        mupdate_reply(c, tag, "BAD",
                      "Invalid arguments: AUTHENTICATE mechanism [initial-response]");
        return;
    }
    if (c->userid) {
        mupdate_reply(c, tag, "BAD", "Already authenticated");
        return;
    }
    c->auth_tag = xstrdup(tag);
    c->auth_mech = xstrdup(mech);
    if (ir && strcmp(ir, "=") != 0 &&
        xsasl_decode64(ir, strlen(ir), &in, &err) < 0) {
        auth_failed(c, "initial response is not base64");
        return;
    }
    r = xsasl_server_start(c->sasl, mech, ir ? in.s ? in.s : "" : NULL,
                           in.len, &out, &err);
    auth_step_result(c, r, &out, err);
    xwipe(in.s, in.alloc);
    buf_free(&in);
    buf_free(&out);
}

void mupdate_auth_response(struct mupdate_conn *c, const char *line,
                           size_t len)
{
    struct buf in = BUF_INIT, out = BUF_INIT;
    const char *err = NULL;
    int r;

    if (!line) {
        auth_failed(c, "malformed response line");
        return;
    }
    if (len == 1 && line[0] == '*') {
        log_notice("login cancelled mech=<%s>", c->auth_mech);
        mupdate_reply(c, c->auth_tag, "NO", "Client canceled authentication");
        auth_end(c);
        if (mupdate_sasl_reset(c) < 0)
            c->closing = 1;
        return;
    }
    if (xsasl_decode64(line, len, &in, &err) < 0) {
        auth_failed(c, "response is not base64");
        return;
    }
    r = xsasl_server_step(c->sasl, in.s ? in.s : "", in.len, &out, &err);
    auth_step_result(c, r, &out, err);
    xwipe(in.s, in.alloc);
    buf_free(&in);
    buf_free(&out);
}

void mupdate_cmd_starttls(struct mupdate_conn *c, const char *tag)
{
    const char *err = NULL;

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
        (void)prot_flush(c->prot);
        c->closing = 1;
        return;
    }
    /* the handshake blocks the loop, bounded by MUPDATE_HANDSHAKE_TIMEOUT */
    prot_set_timeouts(c->prot, MUPDATE_HANDSHAKE_TIMEOUT, MUPDATE_HANDSHAKE_TIMEOUT);
    prot_set_write_nonblocking(c->prot, 0);
    if (tls_server_start(c->srv->tls_ctx, c->prot, MUPDATE_HANDSHAKE_TIMEOUT,
                         &err) < 0) {
        log_notice("TLS handshake failed error=<%s>", err ? err : "");
        mupdate_conn_close(c, "TLS handshake failed");
        return;
    }
    prot_set_write_nonblocking(c->prot, 1);
    prot_set_timeouts(c->prot, 0, 0);
    c->tls = 1;
    if (mupdate_sasl_reset(c) < 0) {
        prot_puts(c->prot, "* BYE \"Server unavailable\"\r\n");
        c->closing = 1;
        return;
    }
    mupdate_greeting(c);
}
