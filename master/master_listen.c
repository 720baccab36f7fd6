/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * master_listen.c - bind the listening sockets of SERVICES entries.
 *
 * TCP: getaddrinfo() on listen=, one socket per address (proto=tcp gives
 * IPv4 and IPv6 where the host has them; an address family the host lacks
 * is skipped while another one binds).  Unix: a stale socket file is
 * replaced, the new one is mode 0777 and owned by the run-as user (access
 * is controlled by the directory, as in Cyrus).  Every socket is
 * close-on-exec and non-blocking: children poll, then accept().
 * Errors come back as a message for the caller (fatal at start, logged
 * on reload).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "master/master.h"

static struct buf errbuf = BUF_INIT;

/* listen_unix - bind a unix socket at path */
static int listen_unix(const char *path, int backlog, const char **error_r)
{
    struct sockaddr_un sun;
    struct stat st;
    int fd;

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    if (str_lcpy(sun.sun_path, path, sizeof(sun.sun_path)) >= sizeof(sun.sun_path)) {
        *error_r = "unix socket path too long";
        return -1;
    }
    /* Replace a stale socket left by a crash, never another kind of file. */
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            *error_r = "path exists and is not a socket";
            return -1;
        }
        unlink(path);
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        goto syserr;
    if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
        listen(fd, backlog) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        goto syserr;
    }
    if (chmod(path, 0777) < 0)
        log_warning("IOERROR: cannot chmod unix socket path=<%s> error=<%m>", path);
    if (master.drop_privs &&
        chown(path, master.run_as.uid, master.run_as.gid) < 0)
        log_warning("IOERROR: cannot chown unix socket path=<%s> error=<%m>", path);
    return fd;
syserr:
    *error_r = strerror(errno);
    return -1;
}

/* listen_inet - bind one getaddrinfo result; -1 with errno on failure */
static int listen_inet(const struct addrinfo *ai, int backlog)
{
    int fd, one = 1, saved;

    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                ai->ai_protocol);
    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    /* Keep IPv6 sockets IPv6-only so that the IPv4 socket of the same
     * entry can bind the same port. */
    if (ai->ai_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, backlog) == 0)
        return fd;
    saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

/* skippable - an address family or address the host does not have */
static int skippable(int err)
{
    return err == EAFNOSUPPORT || err == EADDRNOTAVAIL || err == EPROTONOSUPPORT;
}

/* open_inet - bind every address of a tcp entry */
static int open_inet(const struct cyrusconf_entry *e, int backlog,
                     struct master_listener **ls_r, const char **error_r)
{
    struct addrinfo hints, *res = NULL, *ai;
    struct master_listener *ls = NULL;
    int n = 0, r, last_err = 0;
    char addr[256];

    memset(&hints, 0, sizeof(hints));
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    hints.ai_family = e->proto == CYRUSCONF_PROTO_TCP4 ? AF_INET
                    : e->proto == CYRUSCONF_PROTO_TCP6 ? AF_INET6 : AF_UNSPEC;
    r = getaddrinfo(e->listen.host, e->listen.port, &hints, &res);
    if (r != 0) {
        buf_reset(&errbuf);
        buf_printf(&errbuf, "cannot resolve: %s", gai_strerror(r));
        *error_r = buf_cstring(&errbuf);
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        int fd = listen_inet(ai, backlog);
        master_sockaddr_str(ai->ai_addr, ai->ai_addrlen, 0, addr, sizeof(addr));
        if (fd < 0) {
            last_err = errno;
            if (e->proto == CYRUSCONF_PROTO_TCP && skippable(errno)) {
                log_notice("listen address skipped name=<%s> listen=<%s> error=<%m>",
                           e->name, addr);
                continue;
            }
            buf_reset(&errbuf);
            buf_printf(&errbuf, "cannot bind %s: %s", addr, strerror(errno));
            goto fail;
        }
        ls = xreallocarray(ls, (size_t)n + 1, sizeof(*ls));
        ls[n].fd = fd;
        ls[n].addr = xstrdup(addr);
        ls[n].unix_path = NULL;
        n++;
    }
    if (n == 0) {
        buf_reset(&errbuf);
        buf_printf(&errbuf, "no usable address: %s",
                   last_err ? strerror(last_err) : "none found");
        goto fail;
    }
    freeaddrinfo(res);
    *ls_r = ls;
    return n;
fail:
    freeaddrinfo(res);
    while (n-- > 0) {
        close(ls[n].fd);
        free(ls[n].addr);
    }
    free(ls);
    *error_r = buf_cstring(&errbuf);
    return -1;
}

int master_listen_open(const struct cyrusconf_entry *e, int backlog,
                       struct master_listener **ls_r, const char **error_r)
{
    if (e->listen.is_unix) {
        int fd = listen_unix(e->listen.path, backlog, error_r);
        if (fd < 0)
            return -1;
        *ls_r = xzmalloc(sizeof(**ls_r));
        (*ls_r)->fd = fd;
        (*ls_r)->addr = xstrdup(e->listen.path);
        (*ls_r)->unix_path = xstrdup(e->listen.path);
        return 1;
    }
    return open_inet(e, backlog, ls_r, error_r);
}

void master_listen_close(int fd, const char *unix_path)
{
    if (fd < 0)
        return;
    /* shutdown() acts on the socket itself, so children still holding a
     * copy stop accepting too (their accept() fails and they exit) and the
     * address can be bound again at once. */
    shutdown(fd, SHUT_RDWR);
    close(fd);
    if (unix_path)
        unlink(unix_path);
}
