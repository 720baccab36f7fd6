/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xsasl_client.c - the cyrus-sasl implementation of the client side of
 * lib/xsasl.h: a frontend authenticating to a backend (as its service
 * identity, authorizing as the user) and a backend to the mupdate master.
 *
 * Credentials are given up front (no prompts); the password is held in a
 * sasl_secret_t wiped at free.  cyrus-sasl's client side is initialised on
 * the first session.  Errors come back through error_r.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sasl/sasl.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "lib/strarray.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "lib/xsasl.h"
#include "lib/xsasl_internal.h"

struct cyrus_client {
    struct xsasl_client base;      /* must be first */
    sasl_conn_t *conn;             /* NULL once a layer took it */
    sasl_callback_t callbacks[5];
    char *authname, *authzid, *realm, *mechs_allowed;
    sasl_secret_t *secret;
    size_t secret_size;
    char *mech;                    /* chosen mechanism */
    int ssf;
};

static int client_initialised;

/* cb_simple - SASL_CB_AUTHNAME / SASL_CB_USER */
static int cb_simple(void *context, int id, const char **result, unsigned *len)
{
    struct cyrus_client *c = context;
    const char *v;

    if (id == SASL_CB_AUTHNAME)
        v = c->authname;
    else if (id == SASL_CB_USER)
        v = c->authzid ? c->authzid : ""; /* "": act as the authname */
    else
        return SASL_BADPARAM;
    *result = v;
    if (len)
        *len = (unsigned)strlen(v);
    return SASL_OK;
}

/* cb_pass - SASL_CB_PASS */
static int cb_pass(sasl_conn_t *conn, void *context, int id,
                   sasl_secret_t **psecret)
{
    struct cyrus_client *c = context;

    if (!c->secret)
        return SASL_FAIL;
    *psecret = c->secret;
    return SASL_OK;
}

/* cb_realm - SASL_CB_GETREALM: our realm, or the first one offered */
static int cb_realm(void *context, int id, const char **availrealms,
                    const char **result)
{
    struct cyrus_client *c = context;

    *result = c->realm ? c->realm : (availrealms ? availrealms[0] : NULL);
    return SASL_OK;
}

/* allowed_mechs - the peer's list cut down to mechs_allowed (a new string) */
static char *allowed_mechs(const struct cyrus_client *c, const char *peer)
{
    struct strarray offered = STRARRAY_INIT, allowed = STRARRAY_INIT, keep = STRARRAY_INIT;
    char *res;

    if (!c->mechs_allowed)
        return xstrdup(peer);
    strarray_split(&offered, peer, " ");
    strarray_split(&allowed, c->mechs_allowed, " ");
    for (size_t i = 0; i < offered.count; i++)
        for (size_t j = 0; j < allowed.count; j++)
            if (!str_casecmp(offered.data[i], allowed.data[j]))
                strarray_append(&keep, offered.data[i]);
    res = keep.count ? strarray_join(&keep, " ") : xstrdup("");
    strarray_fini(&offered);
    strarray_fini(&allowed);
    strarray_fini(&keep);
    return res;
}

/* cc_result - map a start/step result into xsasl's convention */
static int cc_result(struct cyrus_client *c, int r, const char *data,
                     unsigned len, struct buf *out, const char **error_r)
{
    const void *v;

    buf_reset(out);
    if (r != SASL_OK && r != SASL_CONTINUE) {
        *error_r = xsasl_errstr(c->conn, r, "SASL client");
        return -1;
    }
    if (data)
        buf_appendmap(out, data, len);
    if (r == SASL_CONTINUE)
        return 0;
    if (sasl_getprop(c->conn, SASL_SSF, &v) == SASL_OK && v)
        c->ssf = (int)*(const sasl_ssf_t *)v;
    return 1;
}

/* cc_start - choose a mechanism and make the initial response */
static int cc_start(struct xsasl_client *base, const char *peer_mechs,
                    const char **mech_r, int *initial_r, struct buf *out,
                    const char **error_r)
{
    struct cyrus_client *c = (struct cyrus_client *)base;
    const char *data = NULL, *mech = NULL;
    unsigned len = 0;
    char *list;
    int r;

    if (!c->conn || c->mech) {
        *error_r = "SASL client already started";
        return -1;
    }
    list = allowed_mechs(c, peer_mechs);
    if (!*list) {
        free(list);
        *error_r = "no allowed mechanism offered by the server";
        return -1;
    }
    r = sasl_client_start(c->conn, list, NULL, &data, &len, &mech);
    free(list);
    if (mech)
        c->mech = xstrdup(mech);
    *mech_r = c->mech;
    *initial_r = (r == SASL_OK || r == SASL_CONTINUE) && data != NULL;
    return cc_result(c, r, data, len, out, error_r);
}

/* cc_step - answer a challenge */
static int cc_step(struct xsasl_client *base, const void *in, size_t inlen,
                   struct buf *out, const char **error_r)
{
    struct cyrus_client *c = (struct cyrus_client *)base;
    const char *data = NULL;
    unsigned len = 0;
    int r;

    if (!c->conn || !c->mech) {
        *error_r = "SASL client not started";
        return -1;
    }
    r = sasl_client_step(c->conn, in, (unsigned)inlen, NULL, &data, &len);
    return cc_result(c, r, data, len, out, error_r);
}

/* cc_ssf - negotiated layer strength */
static int cc_ssf(const struct xsasl_client *base)
{
    return ((const struct cyrus_client *)base)->ssf;
}

/* cc_install_layer - hand the SASL connection to the stream */
static int cc_install_layer(struct xsasl_client *base, struct prot *p,
                            const char **error_r)
{
    struct cyrus_client *c = (struct cyrus_client *)base;
    return xsasl_layer_take(&c->conn, c->mech != NULL, p, error_r);
}

/* cc_free - dispose, wipe the password */
static void cc_free(struct xsasl_client *base)
{
    struct cyrus_client *c = (struct cyrus_client *)base;

    if (c->conn)
        sasl_dispose(&c->conn);
    if (c->secret) {
        xwipe(c->secret, c->secret_size);
        free(c->secret);
    }
    free(c->authname);
    free(c->authzid);
    free(c->realm);
    free(c->mechs_allowed);
    free(c->mech);
    free(c);
}

static const struct xsasl_client_ops cyrus_client_ops = {
    cc_start, cc_step, cc_ssf, cc_install_layer, cc_free,
};

/* client_callbacks - per-session callbacks with the session as context */
static void client_callbacks(struct cyrus_client *c)
{
    static const unsigned long ids[] = {
        SASL_CB_AUTHNAME, SASL_CB_USER, SASL_CB_PASS, SASL_CB_GETREALM,
    };
    int (*procs[])(void) = {
        (int (*)(void))(void *)cb_simple, (int (*)(void))(void *)cb_simple,
        (int (*)(void))(void *)cb_pass, (int (*)(void))(void *)cb_realm,
    };

    for (size_t i = 0; i < 4; i++) {
        c->callbacks[i].id = ids[i];
        c->callbacks[i].proc = procs[i];
        c->callbacks[i].context = c;
    }
    c->callbacks[4].id = SASL_CB_LIST_END;
}

/* client_set_password - copy the password into a sasl_secret_t */
static void client_set_password(struct cyrus_client *c, const char *pw)
{
    size_t n;

    if (!pw)
        return;
    n = strlen(pw);
    c->secret_size = sizeof(sasl_secret_t) + n + 1;
    c->secret = xzmalloc(c->secret_size);
    c->secret->len = (unsigned long)n;
    memcpy(c->secret->data, pw, n);
}

struct xsasl_client *xsasl_client_new(const struct xsasl_client_params *params,
                                      const char **error_r)
{
    struct cyrus_client *c;
    int r;

    if (!client_initialised) {
        static sasl_callback_t cbs[] = {
            { SASL_CB_LOG, (int (*)(void))(void *)xsasl_cb_log, NULL },
            { SASL_CB_LIST_END, NULL, NULL },
        };
        r = sasl_client_init(cbs);
        if (r != SASL_OK) {
            *error_r = xsasl_errstr(NULL, r, "sasl_client_init");
            return NULL;
        }
        client_initialised = 1;
    }
    c = xzmalloc(sizeof(*c));
    c->base.ops = &cyrus_client_ops;
    c->authname = xstrdup(params->authname ? params->authname : "");
    c->authzid = params->authzid && *params->authzid ? xstrdup(params->authzid)
                                                     : NULL;
    c->realm = xstrdupnull(params->realm);
    c->mechs_allowed = xstrdupnull(params->mechs_allowed);
    client_set_password(c, params->password);
    client_callbacks(c);
    r = sasl_client_new(params->service, params->server_fqdn,
                        params->local_ipport, params->remote_ipport,
                        c->callbacks, 0, &c->conn);
    if (r == SASL_OK)
        r = xsasl_secprops(c->conn, params->min_ssf, params->max_ssf,
                           params->allow_plaintext, params->ext_ssf,
                           params->ext_authid);
    if (r != SASL_OK) {
        *error_r = xsasl_errstr(c->conn, r, "sasl_client_new");
        cc_free(&c->base);
        return NULL;
    }
    return &c->base;
}

void xsasl_client_free(struct xsasl_client **cp)
{
    if (!*cp)
        return;
    (*cp)->ops->free(*cp);
    *cp = NULL;
}
