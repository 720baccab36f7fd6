/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_auth.c - AUTHENTICATE for any MUPDATE server peer (see
 * mupdate_auth.h): the SASL exchange, its replies and the failure
 * delay policy (IMAP_AUTH_FAIL_DELAY_MS per failure, capped; "* BYE"
 * after maxauthfailures).  The owner's callbacks do the I/O and the
 * waiting, so the exchange never blocks an event loop.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/imap_auth.h"
#include "imap/imap_session.h"
#include "lib/cfg.h"
#include "lib/imap_parser.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"
#include "lib/xsasl.h"
#include "mupdate/mupdate_auth.h"

void mupdate_auth_init(struct mupdate_auth *a, const struct mupdate_auth_ops *ops,
                       void *rock, const char *local_ipport,
                       const char *remote_ipport)
{
    memset(a, 0, sizeof(*a));
    a->ops = ops;
    a->rock = rock;
    a->local_ipport = local_ipport;
    a->remote_ipport = remote_ipport;
}

int mupdate_auth_reset(struct mupdate_auth *a, struct prot *tls_prot)
{
    const char *err = NULL;

    xsasl_server_free(&a->sasl);
    a->tls_prot = tls_prot;
    a->tls = tls_prot != NULL;
    a->sasl = imap_auth_sasl_new("mupdate", tls_prot, a->local_ipport,
                                 a->remote_ipport, &err);
    if (!a->sasl) {
        log_error("SASL session failed error=<%s>", err ? err : "");
        return -1;
    }
    return 0;
}

/* auth_end - leave the exchange state */
static void auth_end(struct mupdate_auth *a)
{
    free(a->tag);
    free(a->mech);
    a->tag = a->mech = NULL;
    a->final_ack = 0;
}

void mupdate_auth_fini(struct mupdate_auth *a)
{
    auth_end(a);
    xsasl_server_free(&a->sasl);
}

void mupdate_auth_caps(struct mupdate_auth *a, struct buf *out)
{
    struct buf mechs = BUF_INIT;
    struct strarray words = STRARRAY_INIT;
    size_t i;

    buf_appendcstr(out, "* AUTH");
    if (a->sasl && xsasl_server_mechs(a->sasl, &mechs) == 1) {
        strarray_split(&words, buf_cstring(&mechs), " ");
        for (i = 0; i < words.count; i++)
            buf_printf(out, " \"%s\"", strarray_nth(&words, i));
    }
    buf_appendcstr(out, "\r\n");
    strarray_fini(&words);
    buf_free(&mechs);
}

/* auth_reply - "tag word "text"\r\n" (text is ours: quotable) */
static void auth_reply(struct mupdate_auth *a, const char *word,
                       const char *text)
{
    struct buf line = BUF_INIT;

    buf_printf(&line, "%s %s \"%s\"\r\n", a->tag, word, text);
    a->ops->send(a->rock, line.s, line.len);
    buf_free(&line);
}

/* auth_failed - log, answer NO to be released after a delay that grows
 * with each failure; BYE after maxauthfailures; a fresh SASL session */
static void auth_failed(struct mupdate_auth *a, const char *reason)
{
    static const char bye_max[] = "* BYE \"Too many authentication failures\"\r\n";
    static const char bye_sys[] = "* BYE \"Server unavailable\"\r\n";
    long long ms = (long long)++a->failures * IMAP_AUTH_FAIL_DELAY_MS;
    int close = 0;

    if (ms > IMAP_AUTH_FAIL_DELAY_MAX_MS)
        ms = IMAP_AUTH_FAIL_DELAY_MAX_MS;
    log_notice("login failed mech=<%s> reason=<%s>", a->mech ? a->mech : "",
               reason ? reason : "");
    auth_reply(a, "NO", "Authentication failed");
    if (a->failures >= (unsigned long)cfg_get_int(IMAPOPT_MAXAUTHFAILURES)) {
        a->ops->send(a->rock, bye_max, sizeof(bye_max) - 1);
        close = 1;
    } else if (mupdate_auth_reset(a, a->tls_prot) < 0) {
        a->ops->send(a->rock, bye_sys, sizeof(bye_sys) - 1);
        close = 1;
    }
    auth_end(a);
    a->ops->failed(a->rock, ms, close);
}

/* auth_succeeded - log, OK, hand over to the owner */
static void auth_succeeded(struct mupdate_auth *a)
{
    const char *user = xsasl_server_username(a->sasl);
    const char *authid = xsasl_server_authid(a->sasl);

    a->done = 1;
    log_info("login ok user=<%s> mech=<%s> tls=<%d> authzid=<%s>", authid,
             a->mech, a->tls, strcmp(user, authid) ? user : "");
    auth_reply(a, "OK", "Authenticated");
    auth_end(a);
    a->ops->succeeded(a->rock, user, xsasl_server_ssf(a->sasl));
}

/* auth_step_result - act on an xsasl start/step result */
static void auth_step_result(struct mupdate_auth *a, int r,
                             const struct buf *out, const char *err)
{
    struct buf b64 = BUF_INIT;

    /* success data (SCRAM's server signature) cannot ride on the OK in
     * MUPDATE: it goes out as one more challenge, as imapd does */
    if (r == 1 && !out->len) {
        auth_succeeded(a);
        return;
    }
    if (r < 0) {
        auth_failed(a, err);
        return;
    }
    if (r == 1)
        a->final_ack = 1;
    xsasl_encode64(out->s, out->len, &b64);
    buf_appendcstr(&b64, "\r\n");
    a->ops->send(a->rock, b64.s, b64.len);
    buf_free(&b64);
    /* the owner reads the next line raw (a->tag is set) */
}

void mupdate_auth_command(struct mupdate_auth *a, const char *tag,
                          const struct imap_arg *args, size_t argc)
{
    const char *mech, *ir = NULL, *err = NULL;
    struct buf in = BUF_INIT, out = BUF_INIT;
    int r;

    a->tag = xstrdup(tag);
    if (argc < 1 || argc > 2 || !imap_arg_get_astring(&args[0], &mech) ||
        (argc == 2 && !imap_arg_get_astring(&args[1], &ir))) {
        auth_reply(a, "BAD",
                   "Invalid arguments: AUTHENTICATE mechanism [initial-response]");
        auth_end(a);
        return;
    }
    if (a->done) {
        auth_reply(a, "BAD", "Already authenticated");
        auth_end(a);
        return;
    }
    a->mech = xstrdup(mech);
    if (!a->sasl && mupdate_auth_reset(a, a->tls_prot) < 0) {
        auth_reply(a, "NO", "[TEMP] Authentication is unavailable, try again");
        auth_end(a);
        return;
    }
    if (ir && strcmp(ir, "=") != 0 &&
        xsasl_decode64(ir, strlen(ir), &in, &err) < 0) {
        auth_failed(a, "initial response is not base64");
        return;
    }
    r = xsasl_server_start(a->sasl, mech, ir ? in.s ? in.s : "" : NULL,
                           in.len, &out, &err);
    auth_step_result(a, r, &out, err);
    if (in.s)
        xwipe(in.s, in.alloc);
    buf_free(&in);
    buf_free(&out);
}

void mupdate_auth_line(struct mupdate_auth *a, const char *line, size_t len)
{
    struct buf in = BUF_INIT, out = BUF_INIT;
    const char *err = NULL;
    int r;

    if (!line) {
        auth_failed(a, "malformed response line");
        return;
    }
    if (len == 1 && line[0] == '*') {
        log_notice("login cancelled mech=<%s>", a->mech);
        auth_reply(a, "NO", "Client canceled authentication");
        auth_end(a);
        if (mupdate_auth_reset(a, a->tls_prot) < 0)
            a->ops->failed(a->rock, 0, 1);
        return;
    }
    if (a->final_ack) {
        if (len)
            auth_failed(a, "non-empty response after the final challenge");
        else
            auth_succeeded(a);
        return;
    }
    if (xsasl_decode64(line, len, &in, &err) < 0) {
        auth_failed(a, "response is not base64");
        return;
    }
    r = xsasl_server_step(a->sasl, in.s ? in.s : "", in.len, &out, &err);
    auth_step_result(a, r, &out, err);
    if (in.s)
        xwipe(in.s, in.alloc);
    buf_free(&in);
    buf_free(&out);
}

int mupdate_auth_layer(struct mupdate_auth *a, struct prot *p, size_t unread)
{
    const char *err = NULL;

    if (unread > 0 || prot_unread_raw(p) > 0) {
        log_notice("PROTOERR data before SASL security layer");
        return -1;
    }
    /* The queued OK goes out in clear: installing the codec moves it to
     * the stream's wire queue unencoded, and a write-non-blocking stream
     * sends it as the socket drains; only what follows is encoded. */
    if (xsasl_server_install_layer(a->sasl, p, &err) < 0) {
        log_error("SASL security layer failed error=<%s>", err);
        return -1;
    }
    return 0;
}
