/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxyd_crosscopy_undo.c - taking back a failed cross-server COPY/MOVE
 * on the destination (see proxyd_crosscopy.c): the batches that committed
 * (their UIDs came in APPENDUID) and, when the answer to the batch in
 * flight was lost, that batch if it committed.  It is looked for among
 * the UIDs it could have been given (from the destination's UIDNEXT
 * before the copy, or after the last UID answered): a run of messages
 * with the batch's sizes and internal dates, in order, whose last one
 * has the header of the batch's last message, byte for byte.  All of it
 * goes through a fresh connection as the user: SELECT, UID STORE
 * \Deleted, UID EXPUNGE.  What cannot be undone is logged.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/imap_session.h"
#include "imap/search_date.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/xmalloc.h"
#include "proxy/proxy_backend.h"
#include "proxy/proxy_imap.h"
#include "proxy/proxyd_crosscopy.h"

/* Most look-alike runs whose last header is fetched before giving up. */
#define DOUBT_RUNS_TRIED 8

/* One destination message from the UIDNEXT on. */
struct cand {
    uint32_t uid;
    struct xmsg_sig sig;
};

/* Looking for the batch in doubt. */
struct doubt {
    struct xcopy *x;
    uint32_t from;                   /* the lowest UID it could have */
    size_t nsearched;                /* UIDs from d->from on */
    struct cand *c;
    size_t nc, c_alloc;
    int head_matches;                /* the run's last has the header */
};

/* command - send one command on be and read its answer: 1 OK, 0 NO/BAD,
 * -1 connection trouble; untagged responses go to each (NULL: dropped) */
static int command(struct proxy_backend *be, void (*each)(void *, struct buf *),
                   void *rock, struct buf *text, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int command(struct proxy_backend *be, void (*each)(void *, struct buf *),
                   void *rock, struct buf *text, const char *fmt, ...)
{
    const char *tag = proxy_imap_next_tag(be);
    struct buf line = BUF_INIT;
    va_list ap;

    va_start(ap, fmt);
    buf_vprintf(&line, fmt, ap);
    va_end(ap);
    prot_printf(be->p, "%s %s\r\n", tag, buf_cstring(&line));
    buf_free(&line);
    return xcopy_read_tagged(NULL, be, tag, each, rock, text);
}

/* on_search - "* SEARCH 7 9": how many UIDs from d->from on */
static void on_search(void *rock, struct buf *resp)
{
    struct doubt *d = rock;
    const char *p = buf_cstring(resp);
    char *end;

    if (strncmp(p, "* SEARCH", 8) != 0)
        return;
    for (p += 8; *p == ' '; p = end) {
        unsigned long u = strtoul(p + 1, &end, 10);
        if (end == p + 1)
            break;
        if (u >= d->from)
            d->nsearched++;
    }
}

/* on_sig - "* n FETCH (UID u RFC822.SIZE s INTERNALDATE "...")" */
static void on_sig(void *rock, struct buf *resp)
{
    struct doubt *d = rock;
    const char *s = buf_cstring(resp), *e = s + resp->len;
    const char *u = xcopy_item_after(s, e, "UID");
    const char *z = xcopy_item_after(s, e, "RFC822.SIZE");
    const char *t = xcopy_item_after(s, e, "INTERNALDATE");
    char date[64];
    const char *q;
    struct cand c;

    if (!u || !z || !t || *t != '"' || !(q = strchr(t + 1, '"')) ||
        (size_t)(q - t - 1) >= sizeof(date))
        return;
    memset(&c, 0, sizeof(c));
    c.uid = (uint32_t)strtoul(u, NULL, 10);
    c.sig.len = strtoull(z, NULL, 10);
    memcpy(date, t + 1, (size_t)(q - t - 1));
    date[q - t - 1] = '\0';
    if (c.uid < d->from || !search_date_datetime(date, &c.sig.date))
        return;
    if (d->nc == d->c_alloc) {
        d->c_alloc = d->c_alloc ? 2 * d->c_alloc : 16;
        d->c = xrealloc(d->c, d->c_alloc * sizeof(*d->c));
    }
    d->c[d->nc++] = c;
}

/* on_header - the run's last message: the batch's last header? */
static void on_header(void *rock, struct buf *resp)
{
    struct doubt *d = rock;
    const struct buf *want = &d->x->last_head;
    struct xmsg h;

    memset(&h, 0, sizeof(h));
    if (xcopy_parse_fetch(resp, "BODY[HEADER]", 0, &h) == 0 &&
        h.len <= want->len && memcmp(h.body, want->s, (size_t)h.len) == 0)
        d->head_matches = 1;
    buf_free(&h.date);
    buf_free(&h.flags);
}

/* cmp_uid - qsort: candidates by UID */
static int cmp_uid(const void *a, const void *b)
{
    uint32_t x = ((const struct cand *)a)->uid;
    uint32_t y = ((const struct cand *)b)->uid;

    return x < y ? -1 : x > y;
}

/* find_run - the first candidate, from index from on, of a run with the
 * batch's sizes and dates, in order; -1 when there is none */
static long find_run(const struct doubt *d, size_t from)
{
    const struct xcopy *x = d->x;
    size_t i, j;

    for (i = from; i + x->nsig <= d->nc; i++) {
        for (j = 0; j < x->nsig; j++)
            if (d->c[i + j].sig.len != x->sig[j].len ||
                d->c[i + j].sig.date != x->sig[j].date)
                break;
        if (j == x->nsig)
            return (long)i;
    }
    return -1;
}

/* find_in_doubt - on be (the destination selected): the UIDs the batch
 * in doubt committed, if it did, added to uids; 0, or -1 when be could
 * not be asked */
static int find_in_doubt(struct xcopy *x, struct proxy_backend *be,
                         struct buf *uids, struct buf *text)
{
    struct doubt d;
    long first = -1;
    size_t i;
    int r, tries;

    memset(&d, 0, sizeof(d));
    d.x = x;
    d.from = x->last_dst + 1 > x->dst_next ? x->last_dst + 1 : x->dst_next;
    if (!x->nsig)
        return 0;
    /* SEARCH first: a FETCH of "n:*" in an empty mailbox is an error */
    r = command(be, on_search, &d, text, "UID SEARCH UID %u:*", d.from);
    if (r == 1 && d.nsearched >= x->nsig)
        r = command(be, on_sig, &d, text, "UID FETCH %u:* (UID RFC822.SIZE "
                    "INTERNALDATE)", d.from);
    if (r == 1 && d.nc >= x->nsig) {
        qsort(d.c, d.nc, sizeof(*d.c), cmp_uid);
        first = find_run(&d, 0);
    }
    /* a run that only looks alike (same sizes and dates, another header):
     * try the next, a few times */
    for (tries = 0; r == 1 && first >= 0 && tries < DOUBT_RUNS_TRIED;
         tries++) {
        r = command(be, on_header, &d, text, "UID FETCH %u (UID "
                    "INTERNALDATE BODY.PEEK[HEADER])",
                    d.c[(size_t)first + x->nsig - 1].uid);
        if (r != 1 || d.head_matches)
            break;
        first = find_run(&d, (size_t)first + 1);
    }
    if (r == 1 && first >= 0 && d.head_matches) {
        struct buf found = BUF_INIT;

        for (i = 0; i < x->nsig; i++)
            buf_printf(&found, "%s%u", found.len ? "," : "",
                       d.c[(size_t)first + i].uid);
        log_notice("cross-server copy: an unanswered APPEND had committed "
                   "uids=<%s>", buf_cstring(&found));
        buf_printf(uids, "%s%s", uids->len ? "," : "", buf_cstring(&found));
        buf_free(&found);
    }
    free(d.c);
    return r == 1 ? 0 : -1;
}

void xcopy_undo(struct xcopy *x, const char *server)
{
    struct proxy_backend *be = NULL;
    const char *err = NULL;
    struct buf uids = BUF_INIT, text = BUF_INIT;
    int ok = proxy_backend_connect(&proxy_imap_protocol, server,
                                   x->cmd->sess->userid, &be, &err) == 0;

    buf_append(&uids, &x->dst_uids);
    ok = ok && command(be, NULL, NULL, &text, "SELECT %s",
                       buf_cstring(&x->dest_ext)) == 1;
    if (ok && x->in_doubt) {
        size_t before = uids.len;

        ok = find_in_doubt(x, be, &uids, &text) == 0;
        if (ok && uids.len == before)
            log_info("cross-server copy: the unanswered batch had not "
                     "committed server=<%s>", server);
    }
    xcopy_as_ranges(&uids);  /* short whatever the backend's maxline */
    if (ok && uids.len)
        ok = command(be, NULL, NULL, &text, "UID STORE %s +FLAGS.SILENT "
                     "(\\Deleted)", buf_cstring(&uids)) == 1 &&
             command(be, NULL, NULL, &text, "UID EXPUNGE %s",
                     buf_cstring(&uids)) == 1;
    if (ok && uids.len)
        log_notice("cross-server copy undone server=<%s> uids=<%s>", server,
                   buf_cstring(&uids));
    else if (!ok && uids.len)
        log_error("cross-server copy NOT undone: duplicates left server=<%s> "
                  "uids=<%s>%s error=<%s>", server, buf_cstring(&uids),
                  x->in_doubt ? " and maybe the last batch" : "",
                  err ? err : buf_cstring(&text));
    else if (!ok)
        log_warning("cross-server copy in doubt: could not ask whether the "
                    "last batch committed (duplicates if it did) "
                    "server=<%s> messages=<%zu> error=<%s>", server, x->nsig,
                    err ? err : buf_cstring(&text));
    if (be)
        proxy_backend_close(&be, ok);  /* no LOGOUT on a broken one */
    buf_free(&uids);
    buf_free(&text);
}
