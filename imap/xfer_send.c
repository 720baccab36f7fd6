/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * xfer_send.c - the XFER transport of imapd (imap/xfer.h): log in to the
 * destination backend as proxy_authname (no authzid: the destination
 * takes XFERRECV only from a proxyservers login acting as itself) with
 * the proxy core (proxy/proxy_backend.h, proxy/proxy_imap.h) and send
 *     tag XFERRECV name partition {n}  + the dump
 * streamed from the spool file, then wait for the tagged answer.
 *
 * Linked into imapd only (libimap.a does not depend on the proxy core).
 * A connection per mailbox: moves are rare and this keeps no state.  Any
 * failure before the tagged answer is XFER_TEMP (the destination did not
 * say OK, so the caller keeps the mailbox).
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "imap/mboxcmds.h"
#include "imap/xfer.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "proxy/proxy_backend.h"
#include "proxy/proxy_imap.h"

/* Bytes copied per read from the spool file. */
#define SEND_BLOCK 65536

/* send_file - copy size bytes of fd to be; 0 or -1 */
static int send_file(struct proxy_backend *be, int fd, uint64_t size)
{
    char block[SEND_BLOCK];

    while (size) {
        ssize_t n = read(fd, block, size < sizeof(block) ? size : sizeof(block));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            log_error("IOERROR: cannot read XFER spool error=<%m>");
            return -1;
        }
        if (prot_write(be->p, block, (size_t)n) < 0)
            return -1;
        size -= (uint64_t)n;
    }
    return prot_puts(be->p, "\r\n") < 0 || prot_flush(be->p) < 0 ? -1 : 0;
}

/* read_tagged - responses until the one tagged tag: 1 OK, 0 NO/BAD
 * (its text in error), -1 the connection failed; with cont, a "+"
 * continuation also ends the wait (returns 2) */
static int read_tagged(struct proxy_backend *be, const char *tag, int cont,
                       struct buf *error)
{
    struct buf resp = BUF_INIT;
    size_t tl = strlen(tag);
    int r = -1;

    while (proxy_imap_read_response(be, &resp, 65536) == 1) {
        if (cont && resp.len >= 1 && resp.s[0] == '+') {
            r = 2;
            break;
        }
        if (resp.len > tl + 1 && strncmp(resp.s, tag, tl) == 0 &&
            resp.s[tl] == ' ') {
            r = str_ncasecmp(resp.s + tl + 1, "OK", 2) == 0;
            if (!r) {
                buf_setmap(error, resp.s + tl + 1, resp.len - tl - 1);
                while (error->len && (error->s[error->len - 1] == '\n' ||
                                      error->s[error->len - 1] == '\r'))
                    error->len--;
            }
            break;
        }
    }
    buf_free(&resp);
    return r;
}

/* imap_send - the transport's send */
static int imap_send(const char *server, const char *name,
                     const char *partition, int fd, uint64_t size,
                     struct buf *error)
{
    struct proxy_backend *be = NULL;
    struct buf cmd = BUF_INIT;
    const char *err = NULL, *tag;
    int r;

    buf_reset(error);
    if (proxy_backend_connect(&proxy_imap_protocol, server, NULL, &be,
                              &err) < 0) {
        buf_setcstr(error, err ? err : "cannot reach the destination");
        return XFER_TEMP;
    }
    tag = proxy_imap_next_tag(be);
    buf_printf(&cmd, "%s XFERRECV ", tag);
    mboxcmd_quote(&cmd, name);
    buf_putc(&cmd, ' ');
    mboxcmd_quote(&cmd, partition);
    buf_printf(&cmd, " {%llu}\r\n", (unsigned long long)size);
    r = prot_write(be->p, cmd.s, cmd.len) < 0 || prot_flush(be->p) < 0
            ? -1 : read_tagged(be, tag, 1, error);
    if (r == 2)
        r = send_file(be, fd, size) < 0 ? -1 : read_tagged(be, tag, 0, error);
    if (r < 0)
        buf_setcstr(error, proxy_backend_fail(be, "XFERRECV"));
    if (r < 0)
        proxy_imap_forget(be); /* no polite logout to free it */
    proxy_backend_close(&be, r >= 0);
    buf_free(&cmd);
    return r == 1 ? XFER_OK : r == 0 ? XFER_NO : XFER_TEMP;
}

const struct xfer_transport xfer_imap_transport = {
    .send = imap_send,
};
