/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lmtp_auth.c - AUTH (RFC 4954) and STARTTLS (RFC 3207) for the LMTP
 * engine.
 *
 * SASL comes from lib/xsasl.h with the process set-up and the proxy
 * policy of the IMAP engine (imap/imap_auth.h): an authorization identity
 * other than the authentication identity is allowed only for users in
 * proxyservers or admins.  LMTP adds one rule: only those users may
 * deliver at all (admins is lmtp_admins for the service named lmtp), so
 * an ordinary mailbox user cannot inject mail with forged trace headers.
 * Failures answer 535 5.7.8; after maxauthfailures the session ends with
 * 421.  Called from the dispatcher in lmtp_engine.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/imap_auth.h"
#include "lib/cfg.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "lib/strarray.h"
#include "lib/tls.h"
#include "lib/xmalloc.h"
#include "lib/xsasl.h"
#include "lmtpd/lmtp_engine.h"

void lmtp_auth_init(void)
{
    imap_auth_init();
}

int lmtp_auth_may_deliver(const char *authid)
{
    return imap_auth_may_proxy(authid);
}

int lmtp_auth_reset(struct lmtp_session *s)
{
    const char *err = NULL;

    xsasl_server_free(&s->sasl);
    s->sasl = imap_auth_sasl_new("lmtp", s->tls ? s->prot : NULL,
                                 s->local_ipport, s->remote_ipport, &err);
    if (!s->sasl)
        log_error("SASL session failed error=<%s>", err ? err : "");
    return s->sasl ? 0 : -1;
}

void lmtp_auth_mechs(struct lmtp_session *s, struct buf *out)
{
    buf_reset(out);
    if (s->sasl && xsasl_server_mechs(s->sasl, out) < 0)
        buf_reset(out);
}

/* auth_failed - count, log and answer a failed AUTH; 421 past the limit */
static void auth_failed(struct lmtp_session *s, const char *mech,
                        const char *reason)
{
    s->auth_failures++;
    log_notice("login failed mech=<%s> reason=<%s>", mech,
               reason ? reason : "");
    lmtp_reply(s, 535, "5.7.8", "Authentication failed");
    if (s->auth_failures >= (unsigned)cfg_get_int(IMAPOPT_MAXAUTHFAILURES)) {
        lmtp_reply(s, 421, "4.7.0", "Too many authentication failures");
        s->closing = 1;
    } else if (lmtp_auth_reset(s) < 0) {
        s->closing = 1;
    }
}

/* decode - base64 of line into out, "=" meaning empty; 1 or -1 */
static int decode(const char *line, size_t len, struct buf *out)
{
    const char *err = NULL;

    buf_reset(out);
    if (len == 1 && line[0] == '=')
        return 1;
    return xsasl_decode64(line, len, out, &err);
}

/* exchange - 334 challenges until SASL is done: the xsasl result, or -2
 * when the client cancelled, sent bad base64 or the connection failed
 * (answered here) */
static int exchange(struct lmtp_session *s, int r, struct buf *out)
{
    struct buf line = BUF_INIT, b64 = BUF_INIT, in = BUF_INIT;
    const char *err = NULL;

    while (r == 0) {
        xsasl_encode64(out->s, out->len, &b64);
        prot_printf(s->prot, "334 %s\r\n", buf_cstring(&b64));
        prot_flush(s->prot);
        buf_reset(&line);
        if (prot_getline(s->prot, &line, LMTP_AUTH_LINE_MAX) != 1) {
            s->closing = 1;
            r = -2;
        } else if (line.len == 1 && line.s[0] == '*') {
            lmtp_reply(s, 501, "5.0.0", "AUTH aborted");
            r = -2;
        } else if (decode(line.s, line.len, &in) < 0) {
            lmtp_reply(s, 501, "5.5.2", "Invalid base64 data");
            r = -2;
        } else {
            r = xsasl_server_step(s->sasl, in.s, in.len, out, &err);
            if (r < 0)
                log_info("SASL step failed error=<%s>", err ? err : "");
        }
        if (in.s)
            xwipe(in.s, in.alloc);
    }
    buf_free(&line);
    buf_free(&b64);
    buf_free(&in);
    return r;
}

/* auth_succeeded - check the delivery right, answer 235, install a
 * security layer if one was negotiated */
static void auth_succeeded(struct lmtp_session *s, const char *mech)
{
    const char *authid = xsasl_server_authid(s->sasl), *err = NULL;

    if (!lmtp_auth_may_deliver(authid)) {
        auth_failed(s, mech, "not an LMTP admin or proxy server");
        return;
    }
    s->authuser = xstrdup(xsasl_server_username(s->sasl));
    log_ctx_set("user", s->authuser);
    log_info("login ok user=<%s> mech=<%s> tls=<%d>", authid, mech, s->tls);
    lmtp_reply(s, 235, "2.0.0", "Authenticated");
    if (xsasl_server_ssf(s->sasl) > 0) {
        prot_flush(s->prot);
        if (prot_unread_raw(s->prot) > 0 ||
            xsasl_server_install_layer(s->sasl, s->prot, &err) < 0) {
            log_notice("PROTOERR SASL security layer failed");
            s->closing = 1;
        }
    }
}

void lmtp_cmd_auth(struct lmtp_session *s, const char *args)
{
    struct strarray a = STRARRAY_INIT;
    struct buf in = BUF_INIT, out = BUF_INIT;
    const char *err = NULL;
    char *mech;
    int r;

    if (s->preauth || s->authuser || !s->sasl) {
        lmtp_reply(s, 503, "5.5.1", "Already authenticated");
        return;
    }
    strarray_split(&a, args, " ");
    if (a.count < 1 || a.count > 2 ||
        (a.count == 2 && decode(a.data[1], strlen(a.data[1]), &in) < 0)) {
        lmtp_reply(s, 501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
        lmtp_session_bad(s);
        strarray_fini(&a);
        return;
    }
    mech = str_ucase(xstrdup(a.data[0]));
    r = xsasl_server_start(s->sasl, mech, a.count == 2 ? in.s : NULL,
                           in.len, &out, &err);
    r = exchange(s, r, &out);
    if (r == 1)
        auth_succeeded(s, mech);
    else if (r == -1)
        auth_failed(s, mech, err);
    else if (!s->closing && lmtp_auth_reset(s) < 0)
        s->closing = 1;
    if (in.s)
        xwipe(in.s, in.alloc);
    if (a.count == 2)
        xwipe(a.data[1], strlen(a.data[1]));
    buf_free(&in);
    buf_free(&out);
    strarray_fini(&a);
    free(mech);
}

void lmtp_cmd_starttls(struct lmtp_session *s, const char *args)
{
    const char *err = NULL;

    if (*args) {
        lmtp_reply(s, 501, "5.5.4", "Syntax: STARTTLS");
        lmtp_session_bad(s);
    } else if (!s->server->tls_ctx) {
        lmtp_reply(s, 454, "4.7.0", "TLS not available");
    } else if (s->tls) {
        lmtp_reply(s, 503, "5.5.1", "TLS already active");
    } else if (prot_unread_raw(s->prot) > 0) {
        /* CVE-2011-0411: plaintext pipelined after STARTTLS */
        log_notice("PROTOERR plaintext data after STARTTLS");
        lmtp_reply(s, 554, "5.5.1", "Data after STARTTLS, closing");
        s->closing = 1;
    } else {
        lmtp_reply(s, 220, "2.0.0", "Ready to start TLS");
        prot_flush(s->prot);
        if (tls_server_start(s->server->tls_ctx, s->prot, LMTP_TIMEOUT_S,
                             &err) < 0) {
            log_notice("STARTTLS failed error=<%s>", err);
            s->closing = 1;
            return;
        }
        s->tls = 1;
        free(s->lhlo);  /* RFC 3207 4.2: forget what came before */
        s->lhlo = NULL;
        if (!s->preauth && lmtp_auth_reset(s) < 0)
            s->closing = 1;
    }
}
