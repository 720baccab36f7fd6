/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prot_util.c - what is built on top of the core stream in lib/prot.c:
 * formatted output and literals, relaying a counted byte range between two
 * streams (proxyd's literals), and waiting on several streams and fds at
 * once (proxy relay loops, IDLE).  Single-threaded; errors as in prot.h.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/limits.h"
#include "lib/prot.h"
#include "lib/prot_internal.h"
#include "lib/xmalloc.h"

/* Longest string prot_printstring sends quoted rather than as a literal. */
#define PROT_QUOTED_MAX 1024

int prot_puts(struct prot *p, const char *s)
{
    return prot_write(p, s, strlen(s));
}

int prot_vprintf(struct prot *p, const char *fmt, va_list ap)
{
    buf_reset(&p->scratch);
    buf_vprintf(&p->scratch, fmt, ap);
    return prot_write(p, p->scratch.s, p->scratch.len);
}

int prot_printf(struct prot *p, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = prot_vprintf(p, fmt, ap);
    va_end(ap);
    return r;
}

int prot_printliteral(struct prot *p, const void *data, size_t n)
{
    if (prot_printf(p, "{%zu}\r\n", n) < 0)
        return PROT_FAIL;
    return prot_write(p, data, n);
}

/* quotable - may s go out as a quoted string? */
static int quotable(const char *s, size_t len)
{
    if (len > PROT_QUOTED_MAX)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\r' || c == '\n' || c >= 0x80)
            return 0;
    }
    return 1;
}

int prot_printstring(struct prot *p, const char *s)
{
    size_t len = strlen(s);

    if (!quotable(s, len))
        return prot_printliteral(p, s, len);
    if (prot_write(p, "\"", 1) < 0)
        return PROT_FAIL;
    for (; *s; s++) {
        if ((*s == '"' || *s == '\\') && prot_write(p, "\\", 1) < 0)
            return PROT_FAIL;
        if (prot_write(p, s, 1) < 0)
            return PROT_FAIL;
    }
    return prot_write(p, "\"", 1);
}

int prot_relay(struct prot *from, struct prot *to, uint64_t n,
               const char **error_r)
{
    static char msg[256];
    size_t avail;

    while (n) {
        if (prot_fill(from, 1) < 0) {
            snprintf(msg, sizeof(msg), "relay source failed: %s",
                     prot_error(from) ? prot_error(from) : "unknown");
            *error_r = msg;
            return -1;
        }
        avail = from->in.len - from->ipos;
        if (avail > n)
            avail = (size_t)n;
        if (prot_write(to, from->in.s + from->ipos, avail) < 0) {
            snprintf(msg, sizeof(msg), "relay destination failed: %s",
                     prot_error(to) ? prot_error(to) : "unknown");
            *error_r = msg;
            return -1;
        }
        from->ipos += avail;
        n -= avail;
    }
    return 1;
}

/* wait_flush - flush every stream of the set before sleeping */
static int wait_flush(struct prot_waitent *set, size_t n, const char **error_r)
{
    for (size_t i = 0; i < n; i++) {
        if (set[i].prot && prot_pending_output(set[i].prot) &&
            prot_flush(set[i].prot) < 0) {
            *error_r = prot_error(set[i].prot);
            return -1;
        }
    }
    return 0;
}

int prot_wait(struct prot_waitent *set, size_t n, int timeout_ms,
              const char **error_r)
{
    struct pollfd *pfd;
    int ready = 0, r;

    if (wait_flush(set, n, error_r) < 0)
        return -1;
    /* data already inside a stream never shows up in poll() */
    for (size_t i = 0; i < n; i++) {
        set[i].ready = set[i].prot && prot_input_ready(set[i].prot);
        ready += set[i].ready;
    }
    pfd = xcalloc(n ? n : 1, sizeof(*pfd));
    for (size_t i = 0; i < n; i++) {
        pfd[i].fd = set[i].prot ? prot_fd(set[i].prot) : set[i].fd;
        pfd[i].events = POLLIN;
    }
    do {
        r = poll(pfd, n, ready ? 0 : timeout_ms);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        *error_r = strerror(errno);
        free(pfd);
        return -1;
    }
    for (size_t i = 0; i < n && r > 0; i++) {
        if (!set[i].ready && (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))) {
            set[i].ready = 1;
            ready++;
        }
    }
    free(pfd);
    return ready;
}
