/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_client.c - an MUPDATE client connection's life: the identity
 * and address from the caller or imapd.conf (mupdate_*), connect,
 * greeting, STARTTLS when wanted, AUTHENTICATE, and LOGOUT/free.  The
 * commands are in mupdate_client_cmds.c, the UPDATE stream and
 * mupdate_kick in mupdate_client_update.c.  Blocking calls, bounded by
 * the connection's timeout; errors are results plus a text, never logs
 * (the caller knows the context).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/cfg.h"
#include "lib/prot.h"
#include "lib/xmalloc.h"
#include "mupdate/mupdate_client_internal.h"

const char *mupdate_client_errstr(int r)
{
    switch (r) {
    case MUPDATE_OK:
        return "ok";
    case MUPDATE_NO:
        return "refused by the MUPDATE server";
    case MUPDATE_NOTFOUND:
        return "mailbox not found on the MUPDATE server";
    case MUPDATE_UNAVAILABLE:
        return "MUPDATE server unavailable";
    default:
        return "unknown MUPDATE result";
    }
}

struct mupdate_client *mupdate_client_new(int fd, const char *server,
                                          const char *host, int timeout_s)
{
    struct mupdate_client *c = xzmalloc(sizeof(*c));
    struct imap_parser_limits lim;

    memset(&lim, 0, sizeof(lim));
    lim.max_line = MUPDATE_CLIENT_MAX_LINE;
    lim.max_literal = MUPDATE_CLIENT_MAX_LITERAL;
    lim.max_literal_total = 4 * MUPDATE_CLIENT_MAX_LITERAL;
    lim.max_nesting = 2;
    lim.max_args = 64;
    lim.literal_plus = true;
    lim.allow_8bit_quoted = true;
    c->fd = fd;
    c->p = prot_new(fd);
    c->parser = imap_parser_new(&lim);
    c->timeout_s = timeout_s > 0 ? timeout_s : MUPDATE_CLIENT_TIMEOUT;
    prot_set_timeouts(c->p, c->timeout_s, c->timeout_s);
    c->server = xstrdup(server);
    c->host = xstrdup(host);
    return c;
}

/* want_starttls - STARTTLS before authenticating? */
static int want_starttls(const struct mupdate_client *c)
{
    if (!c->starttls_offered)
        return 0;
    return !c->mechs.len || cfg_get_string(IMAPOPT_TLS_CLIENT_CA_FILE) ||
           cfg_get_string(IMAPOPT_TLS_CLIENT_CA_DIR) ||
           cfg_get_string(IMAPOPT_TLS_CLIENT_CERT);
}

/* session_start - greeting, STARTTLS, AUTHENTICATE as params say */
static int session_start(struct mupdate_client *c, int is_unix,
                         const struct mupdate_client_params *params)
{
    const char *authname = params->authname, *password = params->password;
    const char *realm = params->realm, *authzid = NULL;
    int r;

    r = mupdate_client_greeting(c);
    if (r == MUPDATE_OK && !is_unix && want_starttls(c))
        r = mupdate_client_starttls(c);
    if (r != MUPDATE_OK)
        return r;
    if (!authname) {
        authname = cfg_get_string(IMAPOPT_MUPDATE_AUTHNAME);
        password = cfg_get_string(IMAPOPT_MUPDATE_PASSWORD);
        realm = cfg_get_string(IMAPOPT_MUPDATE_REALM);
        authzid = cfg_get_string(IMAPOPT_MUPDATE_USERNAME);
        if (!authname && !is_unix)
            return mupdate_client_fail(c, "mupdate_authname is not set: "
                                       "cannot authenticate to %s",
                                       c->server);
    }
    if (!authname || !*authname)
        return MUPDATE_OK; /* a local socket needs no authentication */
    return mupdate_client_authenticate(c, authname, password, authzid,
                                       realm);
}

int mupdate_connect(const struct mupdate_client_params *params,
                    struct mupdate_client **c_r, const char **error_r)
{
    static struct buf errtext = BUF_INIT;
    struct mupdate_client_params none;
    struct buf host = BUF_INIT, port = BUF_INIT, name = BUF_INIT;
    const char *server, *err = NULL;
    struct mupdate_client *c;
    int is_unix = 0, fd, r;

    if (!params) {
        memset(&none, 0, sizeof(none));
        params = &none;
    }
    *c_r = NULL;
    server = params->server ? params->server
                            : cfg_get_string(IMAPOPT_MUPDATE_SERVER);
    if (mupdate_client_parse_addr(server,
                                  (int)cfg_get_int(IMAPOPT_MUPDATE_PORT),
                                  &host, &port, &is_unix, &err) < 0) {
        *error_r = err;
        r = MUPDATE_UNAVAILABLE;
        goto out;
    }
    fd = mupdate_client_dial(buf_cstring(&host), buf_cstring(&port), is_unix,
                             params->timeout_s, &errtext);
    if (fd < 0) {
        *error_r = buf_cstring(&errtext);
        r = MUPDATE_UNAVAILABLE;
        goto out;
    }
    if (is_unix)
        buf_setcstr(&name, buf_cstring(&host));
    else
        buf_printf(&name, "%s:%s", buf_cstring(&host), buf_cstring(&port));
    c = mupdate_client_new(fd, buf_cstring(&name), buf_cstring(&host),
                           params->timeout_s);
    r = session_start(c, is_unix, params);
    if (r != MUPDATE_OK) {
        buf_setcstr(&errtext, buf_cstring(&c->err));
        *error_r = buf_cstring(&errtext);
        mupdate_disconnect(&c);
        goto out;
    }
    *c_r = c;
out:
    buf_free(&host);
    buf_free(&port);
    buf_free(&name);
    return r;
}

void mupdate_disconnect(struct mupdate_client **cp)
{
    struct mupdate_client *c = *cp;
    char tag[16];

    if (!c)
        return;
    if (!c->dead) {
        /* best effort: we do not wait for the BYE */
        mupdate_client_next_tag(c, tag);
        prot_printf(c->p, "%s LOGOUT\r\n", tag);
        prot_set_write_nonblocking(c->p, 1);
        prot_flush(c->p);
        shutdown(c->fd, SHUT_WR);
    }
    prot_free(&c->p);
    close(c->fd);
    imap_parser_free(&c->parser);
    buf_free(&c->in);
    buf_free(&c->err);
    buf_free(&c->mechs);
    buf_free(&c->e_name);
    buf_free(&c->e_loc);
    buf_free(&c->e_acl);
    free(c->server);
    free(c->host);
    free(c);
    *cp = NULL;
}

const char *mupdate_client_error(const struct mupdate_client *c)
{
    return c->err.len ? c->err.s : "no error";
}

const char *mupdate_client_server(const struct mupdate_client *c)
{
    return c->server;
}
