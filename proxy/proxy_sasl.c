/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxy_sasl.c - the SASL exchange a frontend runs to log in to a
 * backend as proxy_authname, authorizing as the user (the authzid), for
 * every protocol part: the framing differences are a struct
 * proxy_sasl_dialect (proxy_backend.h).
 *
 * Called from a protocol's login hook with the greeting and capabilities
 * already read.  Blocking, bounded by the backend stream's timeouts.  No
 * security layer is negotiated (max_ssf 0): the backend link is inside
 * the murder.  The password is never logged.
 */
#include "config.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/cfg.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "lib/xsasl.h"
#include "proxy/proxy_backend.h"

/* ipport - "addr;port" of the socket's local (peer 0) or remote end into
 * out; NULL when unknown */
static const char *ipport(int fd, int peer, char *out, size_t size)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    int r = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
                 : getsockname(fd, (struct sockaddr *)&ss, &len);

    if (r < 0 || getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host),
                             serv, sizeof(serv),
                             NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        return NULL;
    snprintf(out, size, "%s;%s", host, serv);
    return out;
}

/* client_new - the SASL client of be from the proxy_* options */
static struct xsasl_client *client_new(struct proxy_backend *be,
                                       const char *authzid,
                                       const char **error_r)
{
    struct xsasl_client_params params;
    char local[NI_MAXHOST + NI_MAXSERV + 2], remote[sizeof(local)];
    struct buf host = BUF_INIT;
    struct xsasl_client *c;
    const char *colon;

    memset(&params, 0, sizeof(params));
    params.password = cfg_get_string(IMAPOPT_PROXY_PASSWORD);
    if (!params.password) {
        *error_r = "proxy_password is not set";
        return NULL;
    }
    /* the host part of server, for the service principal */
    colon = be->server[0] == '[' ? NULL : strchr(be->server, ':');
    if (colon && strchr(colon + 1, ':'))
        colon = NULL;
    buf_setmap(&host, be->server,
               colon ? (size_t)(colon - be->server) : strlen(be->server));
    params.service = be->proto->sasl_service;
    params.server_fqdn = buf_cstring(&host);
    params.local_ipport = ipport(be->fd, 0, local, sizeof(local));
    params.remote_ipport = ipport(be->fd, 1, remote, sizeof(remote));
    params.authname = cfg_get_string(IMAPOPT_PROXY_AUTHNAME);
    params.realm = cfg_get_string(IMAPOPT_PROXY_REALM);
    params.authzid = authzid;
    params.allow_plaintext = 1;   /* the backend link is inside the murder */
    c = xsasl_client_new(&params, error_r);
    buf_free(&host);
    return c;
}

/* send_response - one base64 line ("=" never: only initial responses
 * use it) */
static void send_response(struct proxy_backend *be, const struct buf *raw)
{
    struct buf b64 = BUF_INIT;

    xsasl_encode64(raw->s, raw->len, &b64);
    prot_write(be->p, b64.s, b64.len);
    prot_puts(be->p, "\r\n");
    buf_free(&b64);
}

/* is_cont - line is a continuation: cont then the challenge, or cont
 * without its trailing space alone (an empty challenge) */
static int is_cont(const char *line, const char *cont)
{
    size_t n = strlen(cont), m = n;

    if (strncmp(line, cont, n) == 0)
        return 1;
    while (m && cont[m - 1] == ' ')
        m--;
    return strlen(line) == m && strncmp(line, cont, m) == 0;
}

/* exchange - the challenge/response loop after the command was sent;
 * 0 or -1 with *error_r */
static int exchange(struct proxy_backend *be, struct xsasl_client *c,
                    const struct proxy_sasl_dialect *d, struct buf *pending,
                    int have_pending, struct buf *final_r,
                    const char **error_r)
{
    static char refused[256];
    struct buf line = BUF_INIT, in = BUF_INIT;
    size_t clen = strlen(d->cont);
    int r = -1, res;

    for (;;) {
        buf_reset(&line);
        if (prot_flush(be->p) < 0 ||
            prot_getline(be->p, &line, PROXY_LINE_MAX) != 1) {
            *error_r = proxy_backend_fail(be, "authentication");
            break;
        }
        if (is_cont(buf_cstring(&line), d->cont)) {
            const char *b64 = line.len > clen ? line.s + clen : "";
            if (have_pending) {        /* the server asked for the IR */
                send_response(be, pending);
                have_pending = 0;
                continue;
            }
            if (xsasl_decode64(b64, strlen(b64), &in, error_r) < 0 ||
                xsasl_client_step(c, in.s, in.len, pending, error_r) < 0) {
                prot_puts(be->p, "*\r\n");   /* cancel */
                prot_flush(be->p);
                break;
            }
            send_response(be, pending);
            continue;
        }
        res = d->result(buf_cstring(&line));
        if (res && final_r)
            buf_setmap(final_r, line.s, line.len);
        if (res > 0) {
            r = 0;
            break;
        }
        if (res < 0) {
            snprintf(refused, sizeof(refused), "authentication refused: %s",
                     buf_cstring(&line));
            *error_r = refused;
            break;
        }
    }
    buf_free(&line);
    buf_free(&in);
    return r;
}

int proxy_sasl_login(struct proxy_backend *be, const char *mechs,
                     const char *authzid, const struct proxy_sasl_dialect *d,
                     struct buf *final_r, const char **error_r)
{
    struct xsasl_client *c = client_new(be, authzid, error_r);
    struct buf out = BUF_INIT, b64 = BUF_INIT;
    const char *mech = NULL;
    int initial = 0, r;

    if (final_r)
        buf_reset(final_r);
    if (!c)
        return -1;
    r = xsasl_client_start(c, mechs ? mechs : "", &mech, &initial, &out,
                           error_r);
    if (r >= 0) {
        prot_printf(be->p, "%s %s", d->command, mech);
        if (initial && d->initial_response) {
            xsasl_encode64(out.s, out.len, &b64);
            prot_printf(be->p, " %s", out.len ? buf_cstring(&b64) : "=");
            initial = 0;
        }
        prot_puts(be->p, "\r\n");
        r = exchange(be, c, d, &out, initial, final_r, error_r);
    }
    if (r < 0)
        log_notice("backend authentication failed server=<%s> proto=<%s> "
                   "mech=<%s> error=<%s>", be->server, be->proto->name,
                   mech ? mech : "", *error_r ? *error_r : "");
    xsasl_client_free(&c);
    buf_free(&out);
    buf_free(&b64);
    return r < 0 ? -1 : 0;
}
