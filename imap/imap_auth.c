/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imap_auth.c - LOGIN and AUTHENTICATE (RFC 3501, SASL-IR RFC 4959), the
 * SASL session of a connection, proxy authorization, failure counting.
 *
 * Called by the engine through the command table (cmd_login,
 * cmd_authenticate) and by imap_session.c (imap_auth_reset at connect and
 * after STARTTLS).  Process-wide state is only cyrus-sasl's own
 * (imap_auth_init); the rest lives in struct imap_session.  Failures are
 * answered NO [AUTHENTICATIONFAILED] with the same text for an unknown user
 * and a wrong password, and logged "login failed".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "imap/imap_auth.h"
#include "imap/imap_capability.h"
#include "imap/imap_session.h"
#include "lib/cfg.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "lib/strarray.h"
#include "lib/tls.h"
#include "lib/xmalloc.h"
#include "lib/xsasl.h"

/* The state of an AUTHENTICATE exchange between handler calls. */
struct auth_exchange {
    char *mech;
    int final_ack;   /* success data sent as "+": wait for the empty line */
};

/* sasl_getopt - cyrus-sasl options from imapd.conf */
static const char *sasl_getopt(void *rock, const char *plugin,
                               const char *option)
{
    char key[256];
    const char *v = NULL;

    (void)rock;
    if (plugin && (size_t)snprintf(key, sizeof(key), "sasl_%s_%s", plugin,
                                   option) < sizeof(key))
        v = cfg_get_raw(key);
    if (!v && (size_t)snprintf(key, sizeof(key), "sasl_%s", option) < sizeof(key))
        v = cfg_get_raw(key);
    if (!v && strcmp(option, "pwcheck_method") == 0)
        v = cfg_get_string(IMAPOPT_SASL_PWCHECK_METHOD);
    return v;
}

void imap_auth_init(void)
{
    const char *err = NULL;

    if (xsasl_server_init("Cyrus", sasl_getopt, NULL, &err) < 0)
        fatal(EX_CONFIG, "SASL initialisation failed: %s", err);
}

int imap_auth_may_proxy(const char *authid)
{
    return strarray_find(cfg_get_list(IMAPOPT_PROXYSERVERS), authid, 0) >= 0 ||
           strarray_find(cfg_get_list(IMAPOPT_ADMINS), authid, 0) >= 0;
}

/* authorize - xsasl's policy hook: authid acting as a different authzid */
static int authorize(void *rock, const char *authid, const char *authzid)
{
    (void)rock;
    if (imap_auth_may_proxy(authid))
        return 1;
    log_notice("proxy authorization refused authid=<%s> authzid=<%s>",
               authid, authzid);
    return 0;
}

struct xsasl_server *imap_auth_sasl_new(const char *service, struct prot *tls_prot,
                                        const char *local_ipport,
                                        const char *remote_ipport,
                                        const char **error_r)
{
    const struct tls_info *ti = tls_prot ? tls_get_info(tls_prot) : NULL;
    struct xsasl_server_params p;

    memset(&p, 0, sizeof(p));
    p.service = service;
    p.server_fqdn = cfg_get_string(IMAPOPT_SERVERNAME);
    p.local_ipport = local_ipport;
    p.remote_ipport = remote_ipport;
    p.ext_ssf = ti ? ti->ssf : 0;
    p.ext_authid = ti && ti->peer_verified ? ti->peer_cn : NULL;
    p.allow_plaintext = cfg_get_switch(IMAPOPT_ALLOWPLAINTEXT);
    p.min_ssf = (int)cfg_get_int(IMAPOPT_SASL_MINIMUM_LAYER);
    p.max_ssf = (int)cfg_get_int(IMAPOPT_SASL_MAXIMUM_LAYER);
    p.authorize = authorize;
    return xsasl_server_new(&p, error_r);
}

int imap_auth_reset(struct imap_session *s, const char **error_r)
{
    xsasl_server_free(&s->sasl);
    s->sasl = imap_auth_sasl_new("imap", s->tls ? s->prot : NULL,
                                 s->local_ipport, s->remote_ipport, error_r);
    return s->sasl ? 0 : -1;
}

bool imap_auth_failure(unsigned long failures, const char *user,
                       const char *mech, const char *reason)
{
    log_notice("login failed user=<%s> mech=<%s> reason=<%s>", user ? user : "",
               mech, reason ? reason : "");
    imap_session_penalty(failures);
    return failures >= (unsigned long)cfg_get_int(IMAPOPT_MAXAUTHFAILURES);
}

/* auth_failed - count, log, delay and answer a failed login; BYE after
 * maxauthfailures */
static void auth_failed(struct imap_cmd *cmd, const char *user,
                        const char *mech, const char *reason)
{
    struct imap_session *s = cmd->sess;
    const char *err = NULL;
    bool last = imap_auth_failure(++s->auth_failures, user, mech, reason);

    imap_cmd_no(cmd, "[AUTHENTICATIONFAILED] Authentication failed");
    if (last) {
        imap_session_bye(s, "Too many authentication failures");
        return;
    }
    /* a fresh SASL session: no half-finished exchange survives */
    if (imap_auth_reset(s, &err) < 0) {
        log_error("SASL session failed error=<%s>", err);
        imap_session_bye(s, "Server unavailable");
    }
}

/* auth_succeeded - enter the authenticated state, answer OK, install a
 * SASL security layer if one was negotiated */
static void auth_succeeded(struct imap_cmd *cmd, const char *mech)
{
    struct imap_session *s = cmd->sess;
    const char *user = xsasl_server_username(s->sasl);
    const char *authid = xsasl_server_authid(s->sasl);
    const char *err = NULL;
    int ssf = xsasl_server_ssf(s->sasl);
    struct buf caps = BUF_INIT;

    if (imap_session_set_authenticated(s, user, authid, &err) < 0 ||
        (s->server->hooks && s->server->hooks->logged_in &&
         s->server->hooks->logged_in(s, &err) < 0)) {
        /* TODO(#5): a hook failure leaves the state set;
         * proxyd must BYE in that case until login can be undone. */
        auth_failed(cmd, user, mech, err);
        return;
    }
    log_info("login ok user=<%s> mech=<%s> tls=<%d> authzid=<%s>", authid,
             mech, s->tls ? 1 : 0, strcmp(user, authid) ? user : "");
    imap_capability_get(s, &caps);
    imap_cmd_ok(cmd, "[CAPABILITY %s] Success (%s)", buf_cstring(&caps),
                ssf ? "privacy protection" : s->tls ? "tls protection"
                                                    : "no protection");
    buf_free(&caps);
    if (!ssf)
        return;
    prot_flush(s->prot);
    if (imap_session_bytes_pending(s) > 0) {
        /* bytes the client sent before it could know the layer is on */
        log_notice("PROTOERR data before SASL security layer");
        s->closing = true;
        return;
    }
    if (xsasl_server_install_layer(s->sasl, s->prot, &err) < 0) {
        log_error("SASL security layer failed error=<%s>", err);
        s->closing = true;
    }
}

bool cmd_login(struct imap_cmd *cmd)
{
    struct imap_session *s = cmd->sess;
    const char *user, *pass, *err = NULL;

    if (cmd->argc != 2 || !imap_arg_get_astring(&cmd->args[0], &user) ||
        !imap_arg_get_astring(&cmd->args[1], &pass)) {
        imap_cmd_bad(cmd, "Invalid arguments: LOGIN user password");
        return true;
    }
    if (xsasl_server_checkpass(s->sasl, user, pass, &err) == 1)
        auth_succeeded(cmd, "plaintext");
    else
        auth_failed(cmd, user, "plaintext", err);
    /* the parser's arena holds the password until the next command */
    xwipe((char *)pass, strlen(pass));
    return true;
}

/* exchange_free - forget the AUTHENTICATE state */
static void exchange_free(struct imap_cmd *cmd)
{
    struct auth_exchange *x = cmd->state;

    if (x) {
        free(x->mech);
        free(x);
    }
    cmd->state = NULL;
}

/* exchange_start - parse "AUTHENTICATE mech [initial]" and start SASL:
 * the xsasl result, or -2 when a reply was already sent */
static int exchange_start(struct imap_cmd *cmd, struct buf *out,
                          const char **err_r)
{
    struct imap_session *s = cmd->sess;
    const char *mech, *ir = NULL;
    struct buf dec = BUF_INIT;
    struct auth_exchange *x;
    int r;

    if (cmd->argc < 1 || cmd->argc > 2 ||
        !imap_arg_get_atom(&cmd->args[0], &mech) ||
        (cmd->argc == 2 && !imap_arg_get_astring(&cmd->args[1], &ir))) {
        imap_cmd_bad(cmd, "Invalid arguments: AUTHENTICATE mechanism [initial-response]");
        return -2;
    }
    if (ir && strcmp(ir, "=") != 0 &&
        xsasl_decode64(ir, strlen(ir), &dec, err_r) < 0) {
        imap_cmd_bad(cmd, "Invalid base64 in initial response");
        buf_free(&dec);
        return -2;
    }
    x = xzmalloc(sizeof(*x));
    x->mech = str_ucase(xstrdup(mech));
    cmd->state = x;
    r = xsasl_server_start(s->sasl, x->mech, ir ? buf_base(&dec) : NULL,
                           ir ? buf_len(&dec) : 0, out, err_r);
    if (dec.s)
        xwipe(dec.s, dec.alloc);
    buf_free(&dec);
    return r;
}

/* exchange_step - one continuation line: the xsasl result, or -2 when a
 * reply was already sent */
static int exchange_step(struct imap_cmd *cmd, struct buf *out,
                         const char **err_r)
{
    struct imap_session *s = cmd->sess;
    struct auth_exchange *x = cmd->state;
    struct buf dec = BUF_INIT;
    int r;

    if (cmd->line_len == 1 && cmd->line[0] == '*') {
        /* RFC 3501 6.2.2: the client cancels; BAD, not a protocol error */
        prot_printf(s->prot, "%s BAD Authentication cancelled\r\n", cmd->tag);
        return -2;
    }
    if (x->final_ack) {
        if (cmd->line_len == 0)
            return 1;
        *err_r = "non-empty response after the final challenge";
        return -1;
    }
    if (xsasl_decode64(cmd->line, cmd->line_len, &dec, err_r) < 0) {
        imap_cmd_bad(cmd, "Invalid base64 in response");
        buf_free(&dec);
        return -2;
    }
    r = xsasl_server_step(s->sasl, buf_base(&dec), buf_len(&dec), out, err_r);
    if (dec.s)
        xwipe(dec.s, dec.alloc);
    buf_free(&dec);
    return r;
}

bool cmd_authenticate(struct imap_cmd *cmd)
{
    struct imap_session *s = cmd->sess;
    struct buf out = BUF_INIT, b64 = BUF_INIT;
    const char *err = NULL;
    bool done = true;
    int r;

    if (cmd->aborted) {
        exchange_free(cmd);
        if (!s->closing && imap_auth_reset(s, &err) < 0)
            imap_session_bye(s, "Server unavailable");
        return true;
    }
    r = cmd->state ? exchange_step(cmd, &out, &err)
                   : exchange_start(cmd, &out, &err);
    if (r == 0 || (r == 1 && out.len && !((struct auth_exchange *)cmd->state)->final_ack)) {
        /* a challenge, or success data RFC 3501 can only carry as one */
        if (r == 1)
            ((struct auth_exchange *)cmd->state)->final_ack = 1;
        xsasl_encode64(out.s, out.len, &b64);
        prot_printf(s->prot, "+ %s\r\n", buf_cstring(&b64));
        cmd->want_line = true;
        done = false;
    } else if (r == 1) {
        auth_succeeded(cmd, ((struct auth_exchange *)cmd->state)->mech);
    } else {
        const char *mech = cmd->state ? ((struct auth_exchange *)cmd->state)->mech : "";
        if (r == -1)
            auth_failed(cmd, NULL, mech, err);
        else if (s->state == IMAP_CMD_NONAUTH && !s->closing &&
                 imap_auth_reset(s, &err) < 0)
            imap_session_bye(s, "Server unavailable");
    }
    if (done)
        exchange_free(cmd);
    buf_free(&out);
    buf_free(&b64);
    return done;
}
