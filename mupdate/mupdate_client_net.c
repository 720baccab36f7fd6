/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_client_net.c - where the MUPDATE client connects: parsing the
 * server address ("host", "host:port", "[v6]:port", "/unix/path") and a
 * connect bounded by a timeout (non-blocking connect + poll, every
 * address getaddrinfo gives, in order).  Errors come back as text for the
 * caller's log line; nothing here logs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/str.h"
#include "lib/unix_addr.h"
#include "mupdate/mupdate_client_internal.h"

/* parse_port - port text p[0..len) is 1..65535 digits? */
static int parse_port(const char *p, size_t len)
{
    uint64_t v;

    return len > 0 && str_parse_u64(p, len, 65535, &v) == 1 && v > 0;
}

int mupdate_client_parse_addr(const char *server, int default_port,
                              struct buf *host, struct buf *port,
                              int *unix_r, const char **error_r)
{
    const char *colon, *end;

    buf_reset(host);
    buf_reset(port);
    *unix_r = 0;
    if (!server || !*server) {
        *error_r = "no MUPDATE server configured (mupdate_server)";
        return -1;
    }
    if (server[0] == '/') {
        *unix_r = 1;
        buf_appendcstr(host, server);
        return 1;
    }
    if (server[0] == '[') {
        end = strchr(server, ']');
        if (!end || end == server + 1 || (end[1] && end[1] != ':')) {
            *error_r = "bad MUPDATE server address (expected [v6]:port)";
            return -1;
        }
        buf_appendmap(host, server + 1, (size_t)(end - server - 1));
        colon = end[1] ? end + 1 : NULL;
    } else {
        colon = strchr(server, ':');
        if (colon && strchr(colon + 1, ':')) {
            /* a bare IPv6 address: no port part */
            buf_appendcstr(host, server);
            colon = NULL;
        } else {
            end = colon ? colon : server + strlen(server);
            buf_appendmap(host, server, (size_t)(end - server));
        }
    }
    if (!host->len) {
        *error_r = "bad MUPDATE server address (empty host)";
        return -1;
    }
    if (colon) {
        if (!parse_port(colon + 1, strlen(colon + 1))) {
            *error_r = "bad MUPDATE server address (bad port)";
            return -1;
        }
        buf_appendcstr(port, colon + 1);
    } else {
        buf_printf(port, "%d", default_port);
    }
    return 1;
}

/* ms_left - milliseconds until deadline (monotonic), at least 0 */
static int ms_left(const struct timespec *deadline)
{
    struct timespec now;
    long ms;

    clock_gettime(CLOCK_MONOTONIC, &now);
    ms = (deadline->tv_sec - now.tv_sec) * 1000 +
         (deadline->tv_nsec - now.tv_nsec) / 1000000;
    return ms < 0 ? 0 : (int)ms;
}

/* connect_wait - non-blocking connect of fd to sa, waiting until
 * deadline: 0 connected, -1 with errno */
static int connect_wait(int fd, const struct sockaddr *sa, socklen_t salen,
                        const struct timespec *deadline)
{
    struct pollfd pfd = { .fd = fd, .events = POLLOUT };
    int soerr = 0, r;
    socklen_t len = sizeof(soerr);

    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
        return -1;
    if (connect(fd, sa, salen) == 0)
        return 0;
    if (errno != EINPROGRESS)
        return -1;
    do {
        r = poll(&pfd, 1, ms_left(deadline));
    } while (r < 0 && errno == EINTR);
    if (r == 0) {
        errno = ETIMEDOUT;
        return -1;
    }
    if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
        return -1;
    if (soerr) {
        errno = soerr;
        return -1;
    }
    return 0;
}

/* dial_unix - connect to the unix socket path (any length) */
static int dial_unix(const char *path, const struct timespec *deadline,
                     struct buf *err)
{
    struct unix_addr a;
    int fd;

    if (unix_addr_init(&a, path) < 0) {
        buf_printf(err, "cannot connect to %s: %s", path, strerror(errno));
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect_wait(fd, (struct sockaddr *)&a.sun, a.len,
                               deadline) < 0) {
        buf_printf(err, "cannot connect to %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    unix_addr_done(&a);
    return fd;
}

int mupdate_client_dial(const char *host, const char *port, int is_unix,
                        int timeout_s, struct buf *err)
{
    struct addrinfo hints, *res = NULL, *ai;
    struct timespec deadline;
    int fd = -1, r, saved = 0;

    buf_reset(err);
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_s > 0 ? timeout_s : MUPDATE_CLIENT_TIMEOUT;
    if (is_unix)
        return dial_unix(host, &deadline, err);

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    r = getaddrinfo(host, port, &hints, &res);
    if (r) {
        buf_printf(err, "cannot resolve %s: %s", host, gai_strerror(r));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        if (connect_wait(fd, ai->ai_addr, ai->ai_addrlen, &deadline) == 0)
            break;
        saved = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        buf_printf(err, "cannot connect to %s port %s: %s", host, port,
                   strerror(saved ? saved : ECONNREFUSED));
    return fd;
}
