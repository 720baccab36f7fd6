/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * prot.c - buffered, layered protocol streams over a connected fd.
 *
 * Owns the input/output buffers of one connection, the sticky read and
 * write failure states, timeouts (poll() with a monotonic deadline over an
 * O_NONBLOCK fd) and the two layer slots (transport, codec).  Called by
 * every daemon and client for all network I/O; single-threaded.  Failures
 * are recorded once in the stream (prot_error) and reported as PROT_FAIL.
 * Waiting, relaying and the print helpers are in lib/prot_util.c.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/limits.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/prot_internal.h"
#include "lib/xmalloc.h"

/* plain_read - the default transport: read(2) on the fd */
static ssize_t plain_read(void *rock, int fd, void *p, size_t n,
                          const char **error_r)
{
    ssize_t r = read(fd, p, n);
    if (r > 0)
        return r;
    if (r == 0)
        return PROT_IO_EOF;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return PROT_IO_WANT_READ;
    *error_r = strerror(errno);
    return PROT_IO_ERROR;
}

/* plain_write - the default transport: send(2) without SIGPIPE, or write(2) */
static ssize_t plain_write(void *rock, int fd, const void *p, size_t n,
                           const char **error_r)
{
    ssize_t r = send(fd, p, n, MSG_NOSIGNAL);
    if (r < 0 && errno == ENOTSOCK)
        r = write(fd, p, n);
    if (r >= 0)
        return r;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return PROT_IO_WANT_WRITE;
    *error_r = strerror(errno);
    return PROT_IO_ERROR;
}

static const struct prot_transport plain_transport = {
    "plain", plain_read, plain_write, NULL, NULL,
};

struct prot *prot_new(int fd)
{
    struct prot *p = xzmalloc(sizeof(*p));
    int fl = fcntl(fd, F_GETFL);

    if (fl >= 0 && !(fl & O_NONBLOCK))
        (void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    p->fd = fd;
    p->tr = &plain_transport;
    p->out = xmalloc(LIMIT_PROT_BUFSIZE);
    return p;
}

void prot_free(struct prot **pp)
{
    struct prot *p = *pp;

    if (!p)
        return;
    if (p->codec && p->codec->free)
        p->codec->free(p->codec_rock);
    if (p->tr->free)
        p->tr->free(p->tr_rock);
    buf_free(&p->in);
    buf_free(&p->raw);
    buf_free(&p->wire);
    buf_free(&p->scratch);
    free(p->out);
    free(p->error);
    free(p);
    *pp = NULL;
}

void prot_set_timeouts(struct prot *p, int read_s, int write_s)
{
    p->read_timeout = read_s > 0 ? read_s : 0;
    p->write_timeout = write_s > 0 ? write_s : 0;
}

void prot_set_nonblocking(struct prot *p, int on)
{
    p->nonblock = !!on;
}

void prot_set_write_nonblocking(struct prot *p, int on)
{
    p->wnonblock = !!on;
}

int prot_fd(const struct prot *p) { return p->fd; }
enum prot_state prot_state(const struct prot *p) { return p->rstate; }
const char *prot_error(const struct prot *p) { return p->error; }

void prot_get_stats(const struct prot *p, struct prot_stats *st_r)
{
    *st_r = p->stats;
}

size_t prot_mem_usage(const struct prot *p)
{
    return LIMIT_PROT_BUFSIZE + p->in.alloc + p->raw.alloc + p->wire.alloc +
           p->scratch.alloc;
}

/* prot_set_error - remember the first failure message */
static void prot_set_error(struct prot *p, const char *what, const char *detail)
{
    if (p->error)
        return;
    if (detail) {
        size_t n = strlen(what) + strlen(detail) + 3;
        p->error = xmalloc(n);
        snprintf(p->error, n, "%s: %s", what, detail);
    } else {
        p->error = xstrdup(what);
    }
}

/* prot_rfail - make the read side fail for good; returns PROT_FAIL */
static int prot_rfail(struct prot *p, enum prot_state st, const char *what,
                      const char *detail)
{
    if (p->rstate == PROT_STATE_OK)
        p->rstate = st;
    prot_set_error(p, what, detail);
    return PROT_FAIL;
}

/* prot_wfail - make the write side fail for good; returns PROT_FAIL */
static int prot_wfail(struct prot *p, const char *what, const char *detail)
{
    p->wfailed = 1;
    prot_set_error(p, what, detail);
    return PROT_FAIL;
}
/* prot_poll_fd - wait for want (PROT_IO_WANT_*) before deadline (0: none).
 * 1 ready, 0 timed out, -1 poll error */
static int prot_poll_fd(int fd, ssize_t want, long long deadline)
{
    struct pollfd pfd;
    int r, ms;

    for (;;) {
        pfd.fd = fd;
        pfd.events = want == PROT_IO_WANT_WRITE ? POLLOUT : POLLIN;
        pfd.revents = 0;
        ms = -1;
        if (deadline) {
            long long left = deadline - clock_now_ms();
            if (left <= 0)
                return 0;
            ms = left > 1000000 ? 1000000 : (int)left;
        }
        r = poll(&pfd, 1, ms);
        if (r > 0)
            return 1;
        if (r < 0 && errno != EINTR)
            return -1;
    }
}

/* prot_decode - run the codec over undecoded input into p->in.
 * 1 produced output, 0 needs more raw input, -1 failed */
static int prot_decode(struct prot *p)
{
    const char *err = NULL;
    size_t used;
    int r;

    while (p->rawpos < p->raw.len || p->codec->pending(p->codec_rock)) {
        used = 0;
        r = p->codec->decode(p->codec_rock, p->raw.s + p->rawpos,
                             p->raw.len - p->rawpos, &used, &p->in,
                             LIMIT_PROT_BUFSIZE, &err);
        if (r < 0)
            return prot_rfail(p, PROT_STATE_ERROR, p->codec->name, err);
        p->rawpos += used;
        if (p->rawpos == p->raw.len)
            p->raw.len = p->rawpos = 0;
        if (p->in.len)
            return 1;
        if (!used && !p->codec->pending(p->codec_rock))
            break;
    }
    /* everything given was absorbed; compact what the codec left */
    if (p->rawpos) {
        buf_remove_prefix(&p->raw, p->rawpos);
        p->rawpos = 0;
    }
    return 0;
}

/* prot_read_transport - one transport read into raw (codec) or in.
 * > 0 bytes, or PROT_IO_* */
static ssize_t prot_read_transport(struct prot *p, const char **err_r)
{
    struct buf *b = p->codec ? &p->raw : &p->in;
    ssize_t n;

    if (p->codec && p->raw.len >= LIMIT_PROT_RAW_MAX) {
        *err_r = "too much undecodable input";
        return PROT_IO_ERROR;
    }
    buf_ensure(b, LIMIT_PROT_BUFSIZE);
    n = p->tr->read(p->tr_rock, p->fd, b->s + b->len, LIMIT_PROT_BUFSIZE, err_r);
    if (n > 0) {
        b->len += (size_t)n;
        p->stats.wire_in += (uint64_t)n;
    }
    return n;
}

int prot_fill(struct prot *p, int wait)
{
    long long deadline = 0;
    const char *err = NULL;
    ssize_t n;
    int r;

    if (p->ipos < p->in.len)
        return 1;
    if (p->rstate != PROT_STATE_OK)
        return PROT_FAIL;
    p->in.len = p->ipos = 0;
    if (wait && p->read_timeout)
        deadline = clock_now_ms() + (long long)p->read_timeout * 1000;
    for (;;) {
        if (p->codec) {
            r = prot_decode(p);
            if (r)
                break;
        }
        n = prot_read_transport(p, &err);
        if (n > 0) {
            if (!p->codec)
                break;
            continue;
        }
        if (n == PROT_IO_EOF)
            return prot_rfail(p, PROT_STATE_EOF, "end of input", NULL);
        if (n == PROT_IO_ERROR)
            return prot_rfail(p, PROT_STATE_ERROR, "read error", err);
        if (!wait)
            return PROT_AGAIN;
        r = prot_poll_fd(p->fd, n, deadline);
        if (r == 0)
            return prot_rfail(p, PROT_STATE_TIMEOUT, "read timeout", NULL);
        if (r < 0)
            return prot_rfail(p, PROT_STATE_ERROR, "poll", strerror(errno));
    }
    if (p->rstate != PROT_STATE_OK)
        return PROT_FAIL;
    p->stats.in += p->in.len;
    return 1;
}

int prot_fill_nb(struct prot *p)
{
    return prot_fill(p, 0);
}

/* prot_wants_wait - should reads block in this mode? */
static int prot_wants_wait(const struct prot *p)
{
    return !p->nonblock;
}

int prot_getc(struct prot *p)
{
    int r = prot_fill(p, prot_wants_wait(p));

    if (r == PROT_AGAIN)
        return PROT_GETC_AGAIN;
    if (r < 0)
        return PROT_FAIL;
    return (unsigned char)p->in.s[p->ipos++];
}

void prot_ungetc(struct prot *p, int c)
{
    if (p->ipos == 0 || (unsigned char)p->in.s[p->ipos - 1] != c)
        panic("prot_ungetc without a matching prot_getc c=<%d>", c);
    p->ipos--;
}

int prot_peek(struct prot *p)
{
    int c = prot_getc(p);

    if (c >= 0)
        p->ipos--;
    return c;
}

ssize_t prot_read(struct prot *p, void *dst, size_t n)
{
    size_t avail;
    int r;

    if (n == 0)
        return 0;
    r = prot_fill(p, prot_wants_wait(p));
    if (r <= 0)
        return r;
    avail = p->in.len - p->ipos;
    if (n > avail)
        n = avail;
    memcpy(dst, p->in.s + p->ipos, n);
    p->ipos += n;
    return (ssize_t)n;
}

int prot_read_exact(struct prot *p, void *dst, size_t n)
{
    char *d = dst;
    size_t avail;

    while (n) {
        if (prot_fill(p, 1) < 0)
            return PROT_FAIL;
        avail = p->in.len - p->ipos;
        if (avail > n)
            avail = n;
        memcpy(d, p->in.s + p->ipos, avail);
        p->ipos += avail;
        d += avail;
        n -= avail;
    }
    return 1;
}

/* line_too_long_so_far - can an unfinished line of len bytes still fit? */
static int line_too_long_so_far(const struct buf *line, size_t max)
{
    if (line->len > max + 1)
        return 1;
    /* max+1 bytes are fine only when the last is the CR of a CRLF */
    return line->len == max + 1 && line->s[line->len - 1] != '\r';
}

int prot_getline(struct prot *p, struct buf *line, size_t max)
{
    const char *src, *nl;
    size_t avail, take, room;
    int r;

    if (max > LIMIT_PROT_LINE_HARD)
        max = LIMIT_PROT_LINE_HARD;
    for (;;) {
        if (line_too_long_so_far(line, max)) {
            p->skip_line = 1;
            return PROT_TOOLONG;
        }
        r = prot_fill(p, prot_wants_wait(p));
        if (r <= 0)
            return r;
        src = p->in.s + p->ipos;
        avail = p->in.len - p->ipos;
        room = max + 2 - line->len; /* content + CR + LF */
        nl = memchr(src, '\n', avail < room ? avail : room);
        take = nl ? (size_t)(nl - src) + 1 : (avail < room ? avail : room);
        buf_appendmap(line, src, take);
        p->ipos += take;
        if (!nl)
            continue;
        line->len--; /* the LF */
        if (line->len && line->s[line->len - 1] == '\r')
            line->len--;
        if (line->len > max)
            return PROT_TOOLONG; /* the whole line was consumed */
        return 1;
    }
}

int prot_skipline(struct prot *p)
{
    const char *nl;
    int r;

    while (p->skip_line) {
        r = prot_fill(p, prot_wants_wait(p));
        if (r <= 0)
            return r;
        nl = memchr(p->in.s + p->ipos, '\n', p->in.len - p->ipos);
        if (nl) {
            p->ipos = (size_t)(nl - p->in.s) + 1;
            p->skip_line = 0;
        } else {
            p->ipos = p->in.len;
        }
    }
    return 1;
}

size_t prot_available(const struct prot *p)
{
    return p->in.len - p->ipos;
}

size_t prot_unread_raw(const struct prot *p)
{
    size_t n = prot_available(p) + (p->raw.len - p->rawpos);

    if (p->codec && p->codec->pending(p->codec_rock))
        n++;
    if (p->tr->pending && p->tr->pending(p->tr_rock))
        n++;
    return n;
}

int prot_input_ready(const struct prot *p)
{
    return prot_unread_raw(p) > 0 || p->rstate != PROT_STATE_OK;
}

/* prot_write_wire - write p->wire to the transport, waiting as needed.
 * 1 all written, PROT_AGAIN (write-non-blocking only), PROT_FAIL */
static int prot_write_wire(struct prot *p)
{
    long long deadline = 0;
    const char *err = NULL;
    ssize_t n;
    int r;

    if (p->write_timeout)
        deadline = clock_now_ms() + (long long)p->write_timeout * 1000;
    while (p->wirepos < p->wire.len) {
        n = p->tr->write(p->tr_rock, p->fd, p->wire.s + p->wirepos,
                         p->wire.len - p->wirepos, &err);
        if (n > 0) {
            p->wirepos += (size_t)n;
            p->stats.wire_out += (uint64_t)n;
            continue;
        }
        if (n == PROT_IO_ERROR || n == PROT_IO_EOF)
            return prot_wfail(p, "write error", err ? err : "connection closed");
        if (p->wnonblock) {
            if (p->wirepos > LIMIT_PROT_BUFSIZE) { /* keep the queue compact */
                buf_remove_prefix(&p->wire, p->wirepos);
                p->wirepos = 0;
            }
            return PROT_AGAIN;
        }
        r = prot_poll_fd(p->fd, n, deadline);
        if (r == 0)
            return prot_wfail(p, "write timeout", NULL);
        if (r < 0)
            return prot_wfail(p, "poll", strerror(errno));
    }
    p->wire.len = p->wirepos = 0;
    return 1;
}

/* prot_drain - encode the output buffer (sync: end of a flush) and write
 * it; results as prot_write_wire */
static int prot_drain(struct prot *p, int sync)
{
    const char *err = NULL;

    if (p->wfailed)
        return PROT_FAIL;
    if (p->codec) {
        if ((p->outlen || sync) &&
            p->codec->encode(p->codec_rock, p->out, p->outlen, sync,
                             &p->wire, &err) < 0)
            return prot_wfail(p, p->codec->name, err);
    } else {
        buf_appendmap(&p->wire, p->out, p->outlen);
    }
    p->outlen = 0;
    return prot_write_wire(p);
}

int prot_write(struct prot *p, const void *data, size_t n)
{
    const char *d = data;
    size_t chunk;

    if (p->wfailed)
        return PROT_FAIL;
    p->stats.out += n;
    while (n) {
        chunk = LIMIT_PROT_BUFSIZE - p->outlen;
        if (chunk > n)
            chunk = n;
        memcpy(p->out + p->outlen, d, chunk);
        p->outlen += chunk;
        d += chunk;
        n -= chunk;
        if (p->outlen == LIMIT_PROT_BUFSIZE && prot_drain(p, 0) < 0)
            return PROT_FAIL;
    }
    return 1;
}

int prot_flush(struct prot *p)
{
    return prot_drain(p, 1);
}

size_t prot_pending_output(const struct prot *p)
{
    return p->outlen + (p->wire.len - p->wirepos);
}

int prot_set_transport(struct prot *p, const struct prot_transport *tr,
                       void *rock, const char **error_r)
{
    int r, wnonblock;

    if (p->tr != &plain_transport) {
        *error_r = "a transport layer is already active";
        return -1;
    }
    if (prot_unread_raw(p)) {
        /* CVE-2011-0411: never read pre-handshake plaintext as secure */
        *error_r = "unread plaintext buffered before the handshake";
        return -1;
    }
    /* the plaintext reply must be on the wire before the handshake, so
     * this flush waits (up to the write timeout) even in non-blocking mode */
    wnonblock = p->wnonblock;
    p->wnonblock = 0;
    r = prot_flush(p);
    p->wnonblock = wnonblock;
    if (r != 1) {
        *error_r = p->error ? p->error : "could not flush before the handshake";
        return -1;
    }
    p->tr = tr;
    p->tr_rock = rock;
    return 1;
}

void *prot_transport_rock(const struct prot *p, const struct prot_transport *tr)
{
    return p->tr == tr ? p->tr_rock : NULL;
}

int prot_set_codec(struct prot *p, const struct prot_codec *codec, void *rock,
                   const char **error_r)
{
    size_t unread = prot_available(p);

    if (p->codec) {
        *error_r = "a compression or security layer is already active";
        return -1;
    }
    if (prot_flush(p) < 0) {
        *error_r = p->error;
        return -1;
    }
    /* bytes read ahead were sent under the new layer: decode them */
    if (unread) {
        buf_appendmap(&p->raw, p->in.s + p->ipos, unread);
        p->stats.in -= unread;
    }
    p->in.len = p->ipos = 0;
    p->codec = codec;
    p->codec_rock = rock;
    return 1;
}

const char *prot_codec_name(const struct prot *p)
{
    return p->codec ? p->codec->name : NULL;
}
