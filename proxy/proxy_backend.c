/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxy_backend.c - one frontend-to-backend connection: the server part
 * of a location, the TCP connect bounded by proxy_connect_timeout
 * (non-blocking connect + poll, every address of the name in turn), the
 * stream with proxy_backend_timeout, the protocol's login, and close.
 *
 * Used by proxyd, pop3proxyd and lmtpproxyd (directly or through the
 * pool in proxy_pool.c); single-threaded, blocking with timeouts.
 * Failures are logged here once and returned as a static text naming
 * the server; callers answer with a temporary failure.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/cfg.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "proxy/proxy_backend.h"

/* The failure text handed to callers (one at a time per process). */
static char errbuf[512];

/* fail_text - format the caller's error text into errbuf */
static const char *fail_text(const char *server, const char *why)
{
    snprintf(errbuf, sizeof(errbuf), "Backend %s unavailable: %s", server,
             why);
    return errbuf;
}

const char *proxy_server_of(const char *location, struct buf *out)
{
    const char *bang = strchr(location, '!');

    buf_reset(out);
    buf_appendmap(out, location, bang ? (size_t)(bang - location)
                                      : strlen(location));
    return buf_cstring(out);
}

/* split_hostport - "host", "host:port", "[v6]:port" or a bare v6
 * address into host and port (the protocol's default when absent).
 * 0, or -1 when malformed. */
static int split_hostport(const char *server, long defport, struct buf *host,
                          char port[8])
{
    const char *colon = NULL, *h = server;
    size_t hlen;
    long v = defport;

    if (*server == '[') {
        const char *close = strchr(server, ']');
        if (!close || (close[1] && close[1] != ':'))
            return -1;
        h = server + 1;
        hlen = (size_t)(close - h);
        colon = close[1] ? close + 1 : NULL;
    } else if ((colon = strchr(server, ':')) && strchr(colon + 1, ':')) {
        colon = NULL;              /* a bare IPv6 address */
        hlen = strlen(server);
    } else {
        hlen = colon ? (size_t)(colon - server) : strlen(server);
    }
    if (colon && str_parse_long(colon + 1, 1, 65535, &v) < 0)
        return -1;
    if (!hlen)
        return -1;
    buf_setmap(host, h, hlen);
    snprintf(port, 8, "%ld", v);
    return 0;
}

/* connect_one - non-blocking connect to ai within timeout_ms; the fd or
 * -1 (errno set) */
static int connect_one(const struct addrinfo *ai, int timeout_ms)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
    int flags, err = 0, one = 1;
    socklen_t len = sizeof(err);
    struct pollfd pfd;

    if (fd < 0)
        return -1;
    flags = fcntl(fd, F_GETFL);
    (void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        if (errno != EINPROGRESS)
            goto fail;
        pfd.fd = fd;
        pfd.events = POLLOUT;
        for (;;) {
            int r = poll(&pfd, 1, timeout_ms);
            if (r > 0)
                break;
            if (r == 0) {
                errno = ETIMEDOUT;
                goto fail;
            }
            if (errno != EINTR)
                goto fail;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
            goto fail;
        if (err) {
            errno = err;
            goto fail;
        }
    }
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;

fail:
    err = errno;
    close(fd);
    errno = err;
    return -1;
}

/* tcp_connect - resolve server and connect to the first address that
 * answers; the fd, or -1 with *why_r (static) */
static int tcp_connect(const struct proxy_protocol *proto, const char *server,
                       const char **why_r)
{
    struct addrinfo hints, *res = NULL, *ai;
    struct buf host = BUF_INIT;
    char port[8];
    int fd = -1, r, timeout_ms;

    timeout_ms = (int)cfg_get_int(IMAPOPT_PROXY_CONNECT_TIMEOUT) * 1000;
    if (split_hostport(server, cfg_get_int(proto->port_option), &host,
                       port) < 0) {
        *why_r = "bad server name";
        return -1;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    r = getaddrinfo(buf_cstring(&host), port, &hints, &res);
    if (r != 0) {
        *why_r = r == EAI_AGAIN ? "host name lookup failed (temporary)"
                                : "host name not found";
        buf_free(&host);
        return -1;
    }
    *why_r = "no address";
    for (ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = connect_one(ai, timeout_ms);
        if (fd < 0)
            *why_r = errno == ETIMEDOUT ? "connect timed out"
                                        : strerror(errno);
    }
    freeaddrinfo(res);
    buf_free(&host);
    return fd;
}

/* backend_free - release everything of be (the connection is gone) */
static void backend_free(struct proxy_backend *be)
{
    prot_free(&be->p);
    if (be->fd >= 0)
        close(be->fd);
    buf_free(&be->caps);
    free(be->server);
    free(be->authzid);
    free(be);
}

int proxy_backend_connect(const struct proxy_protocol *proto,
                          const char *server, const char *authzid,
                          struct proxy_backend **be_r, const char **error_r)
{
    struct proxy_backend *be;
    const char *why = NULL;
    int fd, timeout_s;

    *be_r = NULL;
    fd = tcp_connect(proto, server, &why);
    if (fd < 0) {
        log_warning("backend connect failed server=<%s> proto=<%s> "
                    "error=<%s>", server, proto->name, why);
        *error_r = fail_text(server, why);
        return -1;
    }
    be = xzmalloc(sizeof(*be));
    be->proto = proto;
    be->server = xstrdup(server);
    be->authzid = xstrdupnull(authzid);
    be->fd = fd;
    be->p = prot_new(fd);
    timeout_s = (int)cfg_get_int(IMAPOPT_PROXY_BACKEND_TIMEOUT);
    prot_set_timeouts(be->p, timeout_s, timeout_s);
    if (proto->login(be, authzid, &why) < 0) {
        log_warning("backend login failed server=<%s> proto=<%s> "
                    "authzid=<%s> error=<%s>", server, proto->name,
                    authzid ? authzid : "", why ? why : "");
        *error_r = fail_text(server, why ? why : "login failed");
        if (proto->release)
            proto->release(be);
        backend_free(be);
        return -1;
    }
    be->last_used_ms = clock_now_ms();
    log_debug("backend connected server=<%s> proto=<%s>", server,
              proto->name);
    *be_r = be;
    return 0;
}

const char *proxy_backend_fail(struct proxy_backend *be, const char *what)
{
    const char *err = prot_error(be->p);
    enum prot_state st = prot_state(be->p);

    if (!err)
        err = st == PROT_STATE_EOF ? "connection closed"
            : st == PROT_STATE_TIMEOUT ? "timed out" : "protocol error";
    log_warning("backend failed server=<%s> proto=<%s> during=<%s> "
                "error=<%s>", be->server, be->proto->name, what, err);
    return fail_text(be->server, err);
}

void proxy_backend_close(struct proxy_backend **bep, int polite)
{
    struct proxy_backend *be = *bep;

    if (!be)
        return;
    *bep = NULL;
    if (polite && be->proto->logout && prot_state(be->p) == PROT_STATE_OK)
        be->proto->logout(be);
    if (be->proto->release)
        be->proto->release(be);
    backend_free(be);
}

int proxy_backend_hung_up(const struct proxy_backend *be)
{
    struct pollfd pfd = { be->fd, POLLIN | POLLRDHUP, 0 };

    return poll(&pfd, 1, 0) > 0 &&
           (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

int proxy_backend_has_cap(const struct proxy_backend *be, const char *cap)
{
    const char *p = be->caps.s;
    size_t n = strlen(cap), left = be->caps.len;

    while (p && left >= n) {
        if (str_ncasecmp(p, cap, n) == 0 && (left == n || p[n] == ' '))
            return 1;
        {
            const char *sp = memchr(p, ' ', left);
            if (!sp)
                break;
            left -= (size_t)(sp + 1 - p);
            p = sp + 1;
        }
    }
    return 0;
}
