/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxyd_crosscopy.c - COPY/MOVE to a mailbox on another backend (the
 * seeds' cross-server COPY): FETCH each message (FLAGS, INTERNALDATE,
 * BODY.PEEK[]) from the selected mailbox's backend, APPEND it to the
 * destination's backend, answer with COPYUID built from the APPENDUIDs.
 * MOVE then marks exactly the copied source UIDs \Deleted and UID
 * EXPUNGEs them, only after every APPEND succeeded.
 *
 * A failure part-way (a backend gone, an APPEND refused) leaves the
 * source untouched and removes the messages already appended (a fresh
 * connection to the destination: SELECT, UID STORE \Deleted, UID
 * EXPUNGE), so the client may retry without duplicates.  An APPEND whose
 * answer was lost (the destination died after its commit, before its OK)
 * is in doubt: the undo looks for it among the UIDs it could have been
 * given (from the destination's UIDNEXT before the first APPEND, or after
 * the last acknowledged one) by size, internal date and header, and
 * removes it too.  One message is held in memory at a time (at most
 * CROSSCOPY_MAX_MESSAGE bytes).
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "imap/imap_session.h"
#include "imap/mboxlist.h"
#include "imap/search_date.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "proxy/proxy_backend.h"
#include "proxy/proxy_imap.h"
#include "proxy/proxyd.h"

/* Largest message copied between backends. */
#define CROSSCOPY_MAX_MESSAGE ((uint64_t)256 << 20)

/* One message fetched from the source. */
struct xmsg {
    uint32_t uid;
    struct buf flags, date;   /* "\Seen $Work", "01-Jan-2020 ..." */
    const char *body;         /* into the response buffer */
    uint64_t len;
};

/* read_tagged - read be's responses to the command tagged tag: untagged
 * ones go to each (may be NULL: to the client); 1 OK, 0 NO/BAD (text in
 * text), -1 connection trouble */
static int read_tagged(struct imap_session *s, struct proxy_backend *be,
                       const char *tag, void (*each)(void *, struct buf *),
                       void *rock, struct buf *text)
{
    struct buf resp = BUF_INIT;
    size_t tl = strlen(tag);
    int r = -1;

    if (prot_flush(be->p) < 0)
        return -1;
    while (proxy_imap_read_response(be, &resp, CROSSCOPY_MAX_MESSAGE) == 1) {
        if (resp.len > tl && strncmp(resp.s, tag, tl) == 0 && resp.s[tl] == ' ') {
            r = str_ncasecmp(resp.s + tl + 1, "OK", 2) == 0;
            buf_setmap(text, resp.s + tl + 1, resp.len - tl - 1);
            while (text->len && (text->s[text->len - 1] == '\n' ||
                                 text->s[text->len - 1] == '\r'))
                text->len--;
            break;
        }
        if (each)
            each(rock, &resp);
        else if (s)
            prot_write(s->prot, resp.s, resp.len);
    }
    buf_free(&resp);
    return r;
}

/* item_after - the text after "name " in [p, e), or NULL */
static const char *item_after(const char *p, const char *e, const char *name)
{
    size_t n = strlen(name);

    for (; p + n < e; p++)
        if (str_ncasecmp(p, name, n) == 0 && p[n] == ' ')
            return p + n + 1;
    return NULL;
}

/* parse_fetch - the UID, INTERNALDATE, FLAGS (when want_flags) and the
 * literal of body_item ("BODY[]") of one FETCH response; 0, or -1 when it
 * lacks one */
static int parse_fetch(const struct buf *resp, const char *body_item,
                       int want_flags, struct xmsg *m)
{
    const char *s = resp->s, *e = s + resp->len;
    const char *nl = memchr(s, '\n', resp->len), *v, *q;
    const char *tail;
    uint64_t n;

    if (!nl || !proxy_imap_literal(s, (size_t)(nl - s - 1), &m->len) ||
        !item_after(s, nl, body_item) || (uint64_t)(e - nl - 1) < m->len)
        return -1;
    m->body = nl + 1;
    tail = m->body + m->len;
    v = item_after(s, nl, "UID");
    if (!v && !(v = item_after(tail, e, "UID")))
        return -1;
    for (q = v; q < e && *q >= '0' && *q <= '9'; q++)
        ;
    if (str_parse_u64(v, (size_t)(q - v), UINT32_MAX, &n) != 1 || !n)
        return -1;
    m->uid = (uint32_t)n;
    if (want_flags) {
        v = item_after(s, nl, "FLAGS");
        if (!v)
            v = item_after(tail, e, "FLAGS");
        if (!v || *v != '(' || !(q = memchr(v, ')', (size_t)(e - v))))
            return -1;
        buf_setmap(&m->flags, v + 1, (size_t)(q - v - 1));
    }
    v = item_after(s, nl, "INTERNALDATE");
    if (!v)
        v = item_after(tail, e, "INTERNALDATE");
    if (!v || *v != '"' || !(q = memchr(v + 1, '"', (size_t)(e - v - 1))))
        return -1;
    buf_setmap(&m->date, v + 1, (size_t)(q - v - 1));
    return 0;
}

/* drop_recent - FLAGS without \Recent (not settable by APPEND) */
static void drop_recent(struct buf *flags)
{
    struct buf out = BUF_INIT;
    const char *p = buf_cstring(flags);

    while (*p) {
        const char *sp = strchr(p, ' ');
        size_t n = sp ? (size_t)(sp - p) : strlen(p);
        if (n && !(n == 7 && str_ncasecmp(p, "\\Recent", 7) == 0)) {
            if (out.len)
                buf_putc(&out, ' ');
            buf_appendmap(&out, p, n);
        }
        p += n + (sp ? 1 : 0);
    }
    buf_setmap(flags, out.s ? out.s : "", out.len);
    buf_free(&out);
}

/* The work of one cross COPY/MOVE. */
struct xcopy {
    struct imap_cmd *cmd;
    struct proxy_backend *src, *dst;
    struct buf src_uids, dst_uids;   /* "1,5,7" in order */
    struct buf dest_ext;             /* destination as sent, rendered */
    uint32_t uidvalidity;
    struct buf text, resp;
    struct buf uids;                 /* the source UIDs to copy */
    struct xmsg m;
    int got;                         /* a FETCH was parsed */
    int src_dead, dst_dead;          /* connection lost */
    uint32_t dst_next;               /* destination's UIDNEXT at the start */
    uint32_t last_dst;               /* highest UID an APPEND answered */
    int in_doubt;                    /* x->m's APPEND may have committed */
};

/* on_fetch - untagged responses of the body FETCH: keep the message,
 * pass anything else to the client */
static void on_fetch(void *rock, struct buf *resp)
{
    struct xcopy *x = rock;

    if (!x->got && parse_fetch(resp, "BODY[]", 1, &x->m) == 0) {
        buf_setmap(&x->resp, resp->s, resp->len);
        x->m.body = x->resp.s + (x->m.body - resp->s);
        x->got = 1;
    } else {
        prot_write(x->cmd->sess->prot, resp->s, resp->len);
    }
}

/* append_uid - "[APPENDUID v uid]" of text: the uid, 0 when absent */
static uint32_t append_uid(const char *text, uint32_t *uidvalidity_r)
{
    unsigned long v, u;
    const char *p = strstr(text, "[APPENDUID ");

    if (!p || sscanf(p, "[APPENDUID %lu %lu]", &v, &u) != 2)
        return 0;
    *uidvalidity_r = (uint32_t)v;
    return (uint32_t)u;
}

/* copy_one - fetch source uid and append it; 0, or -1 with x->text */
static int copy_one(struct xcopy *x, uint32_t uid)
{
    const char *tag;
    uint32_t nuid;
    int r;

    x->got = 0;
    proxyd_sendf(x->src, "UID FETCH %u (UID FLAGS INTERNALDATE BODY.PEEK[])",
                 uid);
    tag = proxy_imap_data(x->src)->tag;
    r = read_tagged(x->cmd->sess, x->src, tag, on_fetch, x, &x->text);
    x->src_dead = r < 0;
    if (r != 1 || !x->got)
        return r < 0 ? -1 : 1; /* 1: expunged meanwhile, skip */
    drop_recent(&x->m.flags);
    tag = proxy_imap_next_tag(x->dst);
    prot_printf(x->dst->p, "%s APPEND %s (%s) \"%s\" {%llu+}\r\n", tag,
                buf_cstring(&x->dest_ext), buf_cstring(&x->m.flags),
                buf_cstring(&x->m.date), (unsigned long long)x->m.len);
    prot_write(x->dst->p, x->m.body, (size_t)x->m.len);
    prot_puts(x->dst->p, "\r\n");
    r = read_tagged(NULL, x->dst, tag, NULL, NULL, &x->text);
    x->dst_dead = r < 0;
    if (r < 0)
        buf_setcstr(&x->text, "the destination server went away");
    nuid = r == 1 ? append_uid(buf_cstring(&x->text), &x->uidvalidity) : 0;
    if (!nuid) {
        /* no answer, or OK without APPENDUID: it may be there */
        x->in_doubt = r != 0;
        return -1;
    }
    buf_printf(&x->src_uids, "%s%u", x->src_uids.len ? "," : "", x->m.uid);
    buf_printf(&x->dst_uids, "%s%u", x->dst_uids.len ? "," : "", nuid);
    if (nuid > x->last_dst)
        x->last_dst = nuid;
    return 0;
}

/* on_status - "* STATUS name (UIDNEXT n)": the destination's UIDNEXT */
static void on_status(void *rock, struct buf *resp)
{
    struct xcopy *x = rock;
    const char *v = strstr(buf_cstring(resp), "UIDNEXT ");
    unsigned long n;

    if (str_ncasecmp(resp->s, "* STATUS ", 9) == 0 && v &&
        sscanf(v + 8, "%lu", &n) == 1 && n <= UINT32_MAX)
        x->dst_next = (uint32_t)n;
}

/* dest_uidnext - where the destination's new UIDs start (x->dst_next, 0
 * when it would not say); -1 when it went away */
static int dest_uidnext(struct xcopy *x)
{
    const char *tag = proxy_imap_next_tag(x->dst);
    int r;

    prot_printf(x->dst->p, "%s STATUS %s (UIDNEXT)\r\n", tag,
                buf_cstring(&x->dest_ext));
    r = read_tagged(NULL, x->dst, tag, on_status, x, &x->text);
    x->dst_dead = r < 0;
    if (r < 0)
        buf_setcstr(&x->text, "the destination server went away");
    return r < 0 ? -1 : 0;
}

/* Looking for an APPEND in doubt on the destination. */
struct doubt {
    struct xcopy *x;
    uint32_t from;                   /* the lowest UID it could have */
    struct buf cands;                /* same-size UIDs, "7,9" */
    struct buf found;                /* those that are the message */
};

/* on_search - "* SEARCH 7 9": the candidates from d->from on */
static void on_search(void *rock, struct buf *resp)
{
    struct doubt *d = rock;
    const char *p = buf_cstring(resp);
    char *end;

    if (str_ncasecmp(p, "* SEARCH", 8) != 0)
        return;
    for (p += 8; *p == ' '; p = end) {
        unsigned long u = strtoul(p + 1, &end, 10);
        if (end == p + 1)
            break;
        if (u >= d->from && u <= UINT32_MAX)
            buf_printf(&d->cands, "%s%lu", d->cands.len ? "," : "", u);
    }
}

/* on_header - a candidate's FETCH: the same internal date and header as
 * the message whose APPEND is in doubt? */
static void on_header(void *rock, struct buf *resp)
{
    struct doubt *d = rock;
    struct xmsg *want = &d->x->m;
    struct xmsg h;
    int64_t t1, t2;

    memset(&h, 0, sizeof(h));
    if (parse_fetch(resp, "BODY[HEADER]", 0, &h) == 0 && h.len <= want->len &&
        memcmp(h.body, want->body, (size_t)h.len) == 0 &&
        search_date_datetime(buf_cstring(&h.date), &t1) &&
        search_date_datetime(buf_cstring(&want->date), &t2) &&
        t1 == t2)
        buf_printf(&d->found, "%s%u", d->found.len ? "," : "", h.uid);
    buf_free(&h.date);
    buf_free(&h.flags);
}

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
    return read_tagged(NULL, be, tag, each, rock, text);
}

/* find_in_doubt - on be (the destination mailbox selected): the UIDs the
 * in-doubt APPEND of x->m committed, if it did, added to uids; 0, or -1
 * when be could not be asked */
static int find_in_doubt(struct xcopy *x, struct proxy_backend *be,
                         struct buf *uids, struct buf *text)
{
    struct doubt d;
    int r;

    memset(&d, 0, sizeof(d));
    d.x = x;
    d.from = x->last_dst + 1 > x->dst_next ? x->last_dst + 1 : x->dst_next;
    if (x->m.len)
        r = command(be, on_search, &d, text, "UID SEARCH UID %u:* LARGER %llu "
                    "SMALLER %llu", d.from, (unsigned long long)x->m.len - 1,
                    (unsigned long long)x->m.len + 1);
    else
        r = command(be, on_search, &d, text, "UID SEARCH UID %u:* SMALLER 1",
                    d.from);
    if (r == 1 && d.cands.len)
        r = command(be, on_header, &d, text, "UID FETCH %s (UID INTERNALDATE "
                    "BODY.PEEK[HEADER])", buf_cstring(&d.cands));
    if (r == 1 && d.found.len) {
        log_notice("cross-server copy: an unanswered APPEND had committed "
                   "uids=<%s>", buf_cstring(&d.found));
        buf_printf(uids, "%s%s", uids->len ? "," : "", buf_cstring(&d.found));
    }
    buf_free(&d.cands);
    buf_free(&d.found);
    return r == 1 ? 0 : -1;
}

/* undo_appends - remove what was appended, and the APPEND in doubt if it
 * committed (a fresh connection, so the session's connections keep their
 * state); failures are logged */
static void undo_appends(struct xcopy *x, const char *server)
{
    struct proxy_backend *be = NULL;
    const char *err = NULL;
    struct buf uids = BUF_INIT, text = BUF_INIT;
    int ok = proxy_backend_connect(&proxy_imap_protocol, server,
                                   x->cmd->sess->userid, &be, &err) == 0;

    buf_append(&uids, &x->dst_uids);
    ok = ok && command(be, NULL, NULL, &text, "SELECT %s",
                       buf_cstring(&x->dest_ext)) == 1;
    if (ok && x->in_doubt)
        ok = find_in_doubt(x, be, &uids, &text) == 0;
    if (ok && uids.len)
        ok = command(be, NULL, NULL, &text, "UID STORE %s +FLAGS.SILENT "
                     "(\\Deleted)", buf_cstring(&uids)) == 1 &&
             command(be, NULL, NULL, &text, "UID EXPUNGE %s",
                     buf_cstring(&uids)) == 1;
    if (ok && uids.len)
        log_notice("cross-server copy undone server=<%s> uids=<%s>", server,
                   buf_cstring(&uids));
    else if (!ok)
        log_error("cross-server copy NOT undone: duplicates left server=<%s> "
                  "uids=<%s>%s error=<%s>", server, buf_cstring(&uids),
                  x->in_doubt ? " and maybe one more" : "",
                  err ? err : buf_cstring(&text));
    if (be && !ok)
        proxy_imap_forget(be); /* no polite logout to free it */
    if (be)
        proxy_backend_close(&be, ok);
    buf_free(&uids);
    buf_free(&text);
}

/* on_uid - untagged responses of the UID listing: collect UIDs, pass
 * anything else to the client */
static void on_uid(void *rock, struct buf *resp)
{
    struct xcopy *x = rock;
    const char *v = item_after(resp->s, resp->s + resp->len, "UID");
    unsigned long u;

    if (strstr(buf_cstring(resp), " FETCH (") && v && sscanf(v, "%lu", &u) == 1)
        buf_printf(&x->uids, "%s%lu", x->uids.len ? " " : "", u);
    else
        prot_write(x->cmd->sess->prot, resp->s, resp->len);
}

/* source_uids - the UIDs cmd's sequence set names (space-separated) */
static int source_uids(struct xcopy *x)
{
    struct buf set = BUF_INIT;
    int r;

    imap_args_render(x->cmd->args, 1, IMAP_RENDER_NONSYNC, &set);
    proxyd_sendf(x->src, "%sFETCH %s (UID)", x->cmd->uid ? "UID " : "",
                 buf_cstring(&set));
    r = read_tagged(x->cmd->sess, x->src, proxy_imap_data(x->src)->tag,
                    on_uid, x, &x->text);
    x->src_dead = r < 0;
    buf_free(&set);
    return r;
}

/* expunge_source - MOVE: the copied source UIDs go away; the client
 * sees the EXPUNGEs */
static int expunge_source(struct xcopy *x)
{
    proxyd_sendf(x->src, "UID STORE %s +FLAGS.SILENT (\\Deleted)",
                 x->src_uids.s);
    if (read_tagged(x->cmd->sess, x->src, proxy_imap_data(x->src)->tag, NULL,
                    NULL, &x->text) != 1)
        return -1;
    proxyd_sendf(x->src, "UID EXPUNGE %s", x->src_uids.s);
    return read_tagged(x->cmd->sess, x->src, proxy_imap_data(x->src)->tag,
                       NULL, NULL, &x->text) == 1 ? 0 : -1;
}

/* copy_all - every message; 0, or -1 after undoing the appends */
static int copy_all(struct xcopy *x, const char *uids, const char *dserver)
{
    const char *p = uids;
    int r = dest_uidnext(x);

    while (r >= 0 && *p) {
        char *end;
        unsigned long u = strtoul(p, &end, 10);
        r = copy_one(x, (uint32_t)u);
        p = *end ? end + 1 : end;
    }
    if (r < 0 && (x->dst_uids.len || x->in_doubt))
        undo_appends(x, dserver);
    return r < 0 ? -1 : 0;
}

void proxyd_copy_cross(struct imap_cmd *cmd, struct proxy_backend *src,
                       const struct mboxlist_entry *dest)
{
    struct xcopy x;
    int move = strcmp(cmd->name, "MOVE") == 0;

    memset(&x, 0, sizeof(x));
    x.cmd = cmd;
    x.src = src;
    imap_args_render(&cmd->args[1], 1, IMAP_RENDER_NONSYNC, &x.dest_ext);
    if (source_uids(&x) != 1) {
        imap_cmd_no(cmd, "[UNAVAILABLE] Cannot read the messages to %s",
                    cmd->name);
    } else if (!x.uids.len) {
        imap_cmd_ok(cmd, "Completed (no messages)");
    } else if (proxyd_backend(cmd, dest->server, &x.dst) < 0) {
        ; /* answered */
    } else if (copy_all(&x, buf_cstring(&x.uids), dest->server) < 0) {
        imap_cmd_no(cmd, "[UNAVAILABLE] %s to the other server failed, "
                    "nothing copied: %s", cmd->name, buf_cstring(&x.text));
    } else if (!x.src_uids.len) {
        imap_cmd_ok(cmd, "Completed (no messages)");
    } else if (move) {
        imap_untagged(cmd->sess, "OK [COPYUID %u %s %s] Moved", x.uidvalidity,
                      x.src_uids.s, x.dst_uids.s);
        if (expunge_source(&x) < 0)
            imap_cmd_no(cmd, "[UNAVAILABLE] Copied, but the source messages "
                        "could not be removed: %s", buf_cstring(&x.text));
        else
            imap_cmd_ok(cmd, "Completed");
    } else {
        imap_cmd_ok(cmd, "[COPYUID %u %s %s] Completed", x.uidvalidity,
                    x.src_uids.s, x.dst_uids.s);
    }
    log_info("cross-server %s from=<%s> to=<%s> uids=<%s>", cmd->name,
             src->server, dest->server, buf_cstring(&x.src_uids));
    if (x.dst_dead)
        proxyd_backend_lost(cmd->sess, x.dst);
    if (x.src_dead)
        proxyd_backend_lost(cmd->sess, x.src);
    buf_free(&x.uids);
    buf_free(&x.src_uids);
    buf_free(&x.dst_uids);
    buf_free(&x.dest_ext);
    buf_free(&x.text);
    buf_free(&x.resp);
    buf_free(&x.m.flags);
    buf_free(&x.m.date);
}
