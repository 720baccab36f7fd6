/* SPDX-License-Identifier: BSD-3-Clause */
/* imap_load_conn.c - imap_load's connections: a blocking TCP socket per
 * client thread with send helpers, and a buffered reader returning one
 * logical protocol line at a time with literals skipped (counted, not
 * kept).  -1 means EOF, timeout (60 s) or a send failure; the caller
 * counts it as a protocol error. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "bench/imap_load.h"

/* conn_open - connect to opt_host:opt_port */
int conn_open(struct conn *c)
{
    struct addrinfo hints = { 0 }, *res, *ai;
    int fd = -1, one = 1;
    struct timeval tv = { 60, 0 };

    memset(c, 0, sizeof(*c));
    c->fd = -1;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(opt_host, opt_port, &hints, &res) != 0)
        return -1;
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        return -1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    c->fd = fd;
    return 0;
}

/* conn_close - close and free; c can be reopened */
void conn_close(struct conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->line);
    c->line = NULL;
    c->line_alloc = c->line_len = 0;
}

/* send_all - send everything, retrying on EINTR */
int send_all(struct conn *c, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* sendf - format into a stack buffer and send it */
int sendf(struct conn *c, const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(buf))
        return -1;
    return send_all(c, buf, (size_t)n);
}

/* fill - read more bytes into rbuf (making room first); -1 on EOF */
static int fill(struct conn *c)
{
    ssize_t r;
    if (c->rstart == c->rend)
        c->rstart = c->rend = 0;
    else if (c->rstart > 0 && c->rend == sizeof(c->rbuf)) {
        memmove(c->rbuf, c->rbuf + c->rstart, c->rend - c->rstart);
        c->rend -= c->rstart;
        c->rstart = 0;
    }
    do
        r = recv(c->fd, c->rbuf + c->rend, sizeof(c->rbuf) - c->rend, 0);
    while (r < 0 && errno == EINTR);
    if (r <= 0) {
        c->eof = 1;
        return -1;
    }
    c->rend += (size_t)r;
#ifdef TCP_QUICKACK
    if (opt_quickack) {
        /* ACK at once (Linux clears the flag again by itself): a server
         * writing a reply in several small writes with Nagle on is then
         * not held up by this side's delayed ACK */
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
    }
#endif
    return 0;
}

/* line_add - append p[0..n) to c->line, keeping it NUL-terminated */
static void line_add(struct conn *c, const char *p, size_t n)
{
    if (c->line_len + n + 1 > c->line_alloc) {
        c->line_alloc = (c->line_len + n + 1) * 2;
        c->line = realloc(c->line, c->line_alloc);
        if (!c->line)
            die("out of memory");
    }
    memcpy(c->line + c->line_len, p, n);
    c->line_len += n;
    c->line[c->line_len] = '\0';
}

/* read_raw_line - append one physical line (without CRLF) to c->line */
static int read_raw_line(struct conn *c)
{
    for (;;) {
        char *s = c->rbuf + c->rstart;
        char *nl = memchr(s, '\n', c->rend - c->rstart);
        if (nl) {
            size_t n = (size_t)(nl - s);
            line_add(c, s, n > 0 && s[n - 1] == '\r' ? n - 1 : n);
            c->rstart += n + 1;
            return 0;
        }
        line_add(c, s, c->rend - c->rstart);
        c->rstart = c->rend;
        if (fill(c) < 0)
            return -1;
    }
}

/* skip_bytes - consume n bytes of a literal */
static int skip_bytes(struct conn *c, uint64_t n)
{
    while (n > 0) {
        size_t have = c->rend - c->rstart;
        if (have == 0) {
            if (fill(c) < 0)
                return -1;
            continue;
        }
        if (have > n)
            have = (size_t)n;
        c->rstart += have;
        n -= have;
    }
    return 0;
}

/* read_line - one logical line: literals {n} are consumed and replaced by
 * "{n}" in c->line.  Returns the number of literal bytes skipped, -1 on
 * EOF/timeout. */
int64_t read_line(struct conn *c)
{
    int64_t lit = 0;
    c->line_len = 0;
    line_add(c, "", 0);
    for (;;) {
        size_t start = c->line_len;
        if (read_raw_line(c) < 0)
            return -1;
        char *e = c->line + c->line_len;
        if (c->line_len > start && e[-1] == '}') {
            char *b = e - 1;
            while (b > c->line + start && b[-1] >= '0' && b[-1] <= '9')
                b--;
            if (b > c->line + start && b[-1] == '{' && b < e - 1) {
                uint64_t n = strtoull(b, NULL, 10);
                if (skip_bytes(c, n) < 0)
                    return -1;
                lit += (int64_t)n;
                continue;
            }
        }
        return lit;
    }
}
