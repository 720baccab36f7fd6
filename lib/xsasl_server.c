/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xsasl_server.c - the cyrus-sasl implementation of the server side of
 * lib/xsasl.h: AUTHENTICATE exchanges, plain LOGIN via sasl_checkpass, and
 * the proxy-authorization policy hook.
 *
 * xsasl_server_init() runs once per process (cyrus-sasl's server state is
 * process-global); options come from the caller's getopt callback, which
 * daemons wire to imapd.conf's sasl_* keys.  One session per connection.
 * Errors come back through error_r; failed logins are the daemon's to log.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sasl/sasl.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "lib/xsasl.h"
#include "lib/xsasl_internal.h"

struct cyrus_server {
    struct xsasl_server base;      /* must be first */
    sasl_conn_t *conn;             /* NULL once a layer took it */
    sasl_callback_t callbacks[2];
    int (*authorize)(void *rock, const char *authid, const char *authzid);
    void *authorize_rock;
    char *username;                /* after success */
    char *authid;
    int ssf;
    int plaintext_ok;
};

/* The process-wide option source given to xsasl_server_init. */
static const char *(*server_getopt)(void *, const char *, const char *);
static void *server_getopt_rock;
static int server_initialised;

/* cb_getopt - SASL_CB_GETOPT: ask the caller (imapd.conf sasl_*) */
static int cb_getopt(void *context, const char *plugin, const char *option,
                     const char **result, unsigned *len)
{
    const char *v;

    if (!server_getopt)
        return SASL_FAIL;
    v = server_getopt(server_getopt_rock, plugin, option);
    if (!v)
        return SASL_FAIL;
    *result = v;
    if (len)
        *len = (unsigned)strlen(v);
    return SASL_OK;
}

static sasl_callback_t global_callbacks[] = {
    { SASL_CB_GETOPT, (int (*)(void))(void *)cb_getopt, NULL },
    { SASL_CB_LOG, (int (*)(void))(void *)xsasl_cb_log, NULL },
    { SASL_CB_LIST_END, NULL, NULL },
};

int xsasl_server_init(const char *appname,
                      const char *(*getopt)(void *, const char *, const char *),
                      void *rock, const char **error_r)
{
    int r;

    if (server_initialised) {
        *error_r = "xsasl_server_init called twice";
        return -1;
    }
    server_getopt = getopt;
    server_getopt_rock = rock;
    r = sasl_server_init(global_callbacks, appname);
    if (r != SASL_OK) {
        *error_r = xsasl_errstr(NULL, r, "sasl_server_init");
        return -1;
    }
    server_initialised = 1;
    return 1;
}

/* cb_proxy_policy - SASL_CB_PROXY_POLICY: may authid act as authzid? */
static int cb_proxy_policy(sasl_conn_t *conn, void *context,
                           const char *requested_user, unsigned rlen,
                           const char *auth_identity, unsigned alen,
                           const char *def_realm, unsigned urlen,
                           struct propctx *propctx)
{
    struct cyrus_server *s = context;
    char *authid, *authzid;
    int ok;

    if (rlen == alen && memcmp(requested_user, auth_identity, alen) == 0)
        return SASL_OK;
    authid = xstrndup(auth_identity, alen);
    authzid = xstrndup(requested_user, rlen);
    ok = s->authorize && s->authorize(s->authorize_rock, authid, authzid) == 1;
    if (!ok)
        sasl_seterror(conn, SASL_NOLOG, "authid %s may not authorize as %s",
                      authid, authzid);
    free(authid);
    free(authzid);
    return ok ? SASL_OK : SASL_NOAUTHZ;
}

/* cs_mechs - the advertised list */
static int cs_mechs(struct xsasl_server *base, struct buf *out)
{
    struct cyrus_server *s = (struct cyrus_server *)base;
    const char *list = NULL;
    unsigned len = 0;
    int count = 0;

    buf_reset(out);
    if (!s->conn ||
        sasl_listmech(s->conn, NULL, "", " ", "", &list, &len, &count) != SASL_OK)
        return -1;
    buf_appendmap(out, list, len);
    return 1;
}

/* cs_finish - map a start/step result, fetching identities on success */
static int cs_finish(struct cyrus_server *s, int r, const char *data,
                     unsigned len, struct buf *out, const char **error_r)
{
    const void *v;

    buf_reset(out);
    if (r != SASL_OK && r != SASL_CONTINUE) {
        *error_r = xsasl_errstr(s->conn, r, "authentication failed");
        return -1;
    }
    if (data)
        buf_appendmap(out, data, len);
    if (r == SASL_CONTINUE)
        return 0;
    free(s->username);
    free(s->authid);
    s->username = s->authid = NULL;
    if (sasl_getprop(s->conn, SASL_USERNAME, &v) == SASL_OK && v)
        s->username = xstrdup(v);
    if (sasl_getprop(s->conn, SASL_AUTHUSER, &v) == SASL_OK && v)
        s->authid = xstrdup(v);
    if (sasl_getprop(s->conn, SASL_SSF, &v) == SASL_OK && v)
        s->ssf = (int)*(const sasl_ssf_t *)v;
    if (!s->username) {
        *error_r = "authentication succeeded without a user name";
        return -1;
    }
    if (!s->authid)
        s->authid = xstrdup(s->username);
    return 1;
}

/* cs_start - sasl_server_start */
static int cs_start(struct xsasl_server *base, const char *mech, const void *in,
                    size_t inlen, struct buf *out, const char **error_r)
{
    struct cyrus_server *s = (struct cyrus_server *)base;
    const char *data = NULL;
    unsigned len = 0;
    int r;

    if (!s->conn || s->username) {
        *error_r = "session already authenticated";
        return -1;
    }
    r = sasl_server_start(s->conn, mech, in, (unsigned)inlen, &data, &len);
    return cs_finish(s, r, data, len, out, error_r);
}

/* cs_step - sasl_server_step */
static int cs_step(struct xsasl_server *base, const void *in, size_t inlen,
                   struct buf *out, const char **error_r)
{
    struct cyrus_server *s = (struct cyrus_server *)base;
    const char *data = NULL;
    unsigned len = 0;
    int r;

    if (!s->conn || s->username) {
        *error_r = "no authentication in progress";
        return -1;
    }
    r = sasl_server_step(s->conn, in, (unsigned)inlen, &data, &len);
    return cs_finish(s, r, data, len, out, error_r);
}

/* cs_checkpass - LOGIN / USER+PASS through the configured password check */
static int cs_checkpass(struct xsasl_server *base, const char *user,
                        const char *pass, const char **error_r)
{
    struct cyrus_server *s = (struct cyrus_server *)base;
    const void *v;
    int r;

    if (!s->conn || s->username) {
        *error_r = "session already authenticated";
        return -1;
    }
    if (!s->plaintext_ok) {
        *error_r = "plaintext passwords are not allowed here";
        return -1;
    }
    r = sasl_checkpass(s->conn, user, (unsigned)strlen(user), pass,
                       (unsigned)strlen(pass));
    if (r != SASL_OK) {
        *error_r = xsasl_errstr(s->conn, r, "login failed");
        return -1;
    }
    if (sasl_getprop(s->conn, SASL_USERNAME, &v) == SASL_OK && v)
        s->username = xstrdup(v);
    else
        s->username = xstrdup(user);
    s->authid = xstrdup(s->username);
    return 1;
}

/* cs_username, cs_authid, cs_ssf - results */
static const char *cs_username(const struct xsasl_server *base)
{
    return ((const struct cyrus_server *)base)->username;
}
static const char *cs_authid(const struct xsasl_server *base)
{
    return ((const struct cyrus_server *)base)->authid;
}
static int cs_ssf(const struct xsasl_server *base)
{
    return ((const struct cyrus_server *)base)->ssf;
}

/* cs_install_layer - hand the SASL connection to the stream as a codec */
static int cs_install_layer(struct xsasl_server *base, struct prot *p,
                            const char **error_r)
{
    struct cyrus_server *s = (struct cyrus_server *)base;
    return xsasl_layer_take(&s->conn, s->username != NULL, p, error_r);
}

/* cs_free - dispose of the connection unless a layer owns it */
static void cs_free(struct xsasl_server *base)
{
    struct cyrus_server *s = (struct cyrus_server *)base;

    if (s->conn)
        sasl_dispose(&s->conn);
    free(s->username);
    free(s->authid);
    free(s);
}

static const struct xsasl_server_ops cyrus_server_ops = {
    cs_mechs, cs_start, cs_step, cs_checkpass, cs_username, cs_authid,
    cs_ssf, cs_install_layer, cs_free,
};

struct xsasl_server *xsasl_server_new(const struct xsasl_server_params *params,
                                      const char **error_r)
{
    struct cyrus_server *s;
    int r;

    if (!server_initialised) {
        *error_r = "xsasl_server_init was not called";
        return NULL;
    }
    s = xzmalloc(sizeof(*s));
    s->base.ops = &cyrus_server_ops;
    s->authorize = params->authorize;
    s->authorize_rock = params->authorize_rock;
    s->plaintext_ok = params->allow_plaintext || params->ext_ssf > 0;
    s->callbacks[0].id = SASL_CB_PROXY_POLICY;
    s->callbacks[0].proc = (int (*)(void))(void *)cb_proxy_policy;
    s->callbacks[0].context = s;
    s->callbacks[1].id = SASL_CB_LIST_END;
    r = sasl_server_new(params->service, params->server_fqdn,
                        params->user_realm, params->local_ipport,
                        params->remote_ipport, s->callbacks, 0, &s->conn);
    if (r == SASL_OK)
        r = xsasl_secprops(s->conn, params->min_ssf, params->max_ssf,
                           params->allow_plaintext, params->ext_ssf,
                           params->ext_authid);
    if (r != SASL_OK) {
        *error_r = xsasl_errstr(s->conn, r, "sasl_server_new");
        cs_free(&s->base);
        return NULL;
    }
    return &s->base;
}

void xsasl_server_free(struct xsasl_server **sp)
{
    if (!*sp)
        return;
    (*sp)->ops->free(*sp);
    *sp = NULL;
}
