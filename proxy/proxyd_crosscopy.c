/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxyd_crosscopy.c - COPY/MOVE to a mailbox on another backend (the
 * seeds' cross-server COPY): the messages are FETCHed (FLAGS,
 * INTERNALDATE, BODY.PEEK[]) from the selected mailbox's backend and
 * streamed, as each FETCH response arrives, into ONE MULTIAPPEND (RFC
 * 3502) on the destination's backend, which commits all of them or none;
 * the answer carries COPYUID built from its APPENDUID.  At most
 * CROSSCOPY_BATCH messages and CROSSCOPY_LINE_BUDGET bytes of command
 * line (known from the flags listed first) go in one APPEND; one message
 * at a time when the destination lacks MULTIAPPEND, or once it answered
 * a batch BAD (a lower maxline than ours, say).  MOVE then marks exactly the copied
 * source UIDs \Deleted and UID EXPUNGEs them, only after every batch
 * committed.
 *
 * A failure part-way (a backend gone, an APPEND refused) leaves the
 * source untouched.  A batch cut off before its end is abandoned by
 * dropping the connection, so the destination commits none of it even
 * when it stays unreachable; batches that did commit are removed again
 * (proxyd_crosscopy_undo.c), as is a batch whose answer was lost, if it
 * committed.  One message is held in memory at a time (at most
 * CROSSCOPY_MAX_MESSAGE bytes).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/imap_session.h"
#include "imap/mboxlist.h"
#include "imap/search_date.h"
#include "imap/seqset.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "proxy/proxy_backend.h"
#include "proxy/proxy_imap.h"
#include "proxy/proxyd.h"
#include "proxy/proxyd_crosscopy.h"

/* Largest message copied between backends. */
#define CROSSCOPY_MAX_MESSAGE ((uint64_t)256 << 20)
/* Most messages in one MULTIAPPEND (our backends take 1000), and most
 * bytes of its command line without the literals (backends bound the
 * line: maxline, 64 KB by default); a message costs about
 * CROSSCOPY_MSG_LINE bytes plus its flags. */
#define CROSSCOPY_BATCH 500
#define CROSSCOPY_LINE_BUDGET (16u * 1024)
#define CROSSCOPY_MSG_LINE 48u

int xcopy_read_tagged(struct imap_session *s, struct proxy_backend *be,
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

const char *xcopy_item_after(const char *p, const char *e, const char *name)
{
    size_t n = strlen(name);

    for (; p + n < e; p++)
        if (str_ncasecmp(p, name, n) == 0 && p[n] == ' ')
            return p + n + 1;
    return NULL;
}

int xcopy_parse_fetch(const struct buf *resp, const char *body_item,
                      int want_flags, struct xmsg *m)
{
    const char *s = resp->s, *e = s + resp->len;
    const char *nl = memchr(s, '\n', resp->len), *v, *q;
    const char *tail;
    uint64_t n;

    if (!nl || !proxy_imap_literal(s, (size_t)(nl - s - 1), &m->len) ||
        !xcopy_item_after(s, nl, body_item) || (uint64_t)(e - nl - 1) < m->len)
        return -1;
    m->body = nl + 1;
    tail = m->body + m->len;
    v = xcopy_item_after(s, nl, "UID");
    if (!v && !(v = xcopy_item_after(tail, e, "UID")))
        return -1;
    for (q = v; q < e && *q >= '0' && *q <= '9'; q++)
        ;
    if (str_parse_u64(v, (size_t)(q - v), UINT32_MAX, &n) != 1 || !n)
        return -1;
    m->uid = (uint32_t)n;
    if (want_flags) {
        v = xcopy_item_after(s, nl, "FLAGS");
        if (!v)
            v = xcopy_item_after(tail, e, "FLAGS");
        if (!v || *v != '(' || !(q = memchr(v, ')', (size_t)(e - v))))
            return -1;
        buf_setmap(&m->flags, v + 1, (size_t)(q - v - 1));
    }
    v = xcopy_item_after(s, nl, "INTERNALDATE");
    if (!v)
        v = xcopy_item_after(tail, e, "INTERNALDATE");
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

/* remember - what the undo needs to recognise m once committed */
static void remember(struct xcopy *x, struct xmsg *m)
{
    struct xmsg_sig *g;
    int64_t t = 0;

    if (x->nsig == x->sig_alloc) {
        x->sig_alloc = x->sig_alloc ? 2 * x->sig_alloc : 16;
        x->sig = xrealloc(x->sig, x->sig_alloc * sizeof(*x->sig));
    }
    (void)search_date_datetime(buf_cstring(&m->date), &t);
    g = &x->sig[x->nsig++];
    g->len = m->len;
    g->date = t;
    buf_setmap(&x->last_head, m->body,
               m->len < CROSSCOPY_HEAD_KEPT ? (size_t)m->len
                                            : CROSSCOPY_HEAD_KEPT);
    buf_printf(&x->batch_src, "%s%u", x->batch_src.len ? "," : "", m->uid);
}

/* on_fetch - untagged responses of the body FETCH: each message goes
 * straight on into the batch's APPEND; anything else to the client */
static void on_fetch(void *rock, struct buf *resp)
{
    struct xcopy *x = rock;
    struct xmsg m;

    memset(&m, 0, sizeof(m));
    if (xcopy_parse_fetch(resp, "BODY[]", 1, &m) < 0) {
        prot_write(x->cmd->sess->prot, resp->s, resp->len);
    } else if (!x->dst_failed) {
        drop_recent(&m.flags);
        if (!x->tag[0]) {
            snprintf(x->tag, sizeof(x->tag), "%s",
                     proxy_imap_next_tag(x->dst));
            prot_printf(x->dst->p, "%s APPEND %s", x->tag,
                        buf_cstring(&x->dest_ext));
        }
        prot_printf(x->dst->p, " (%s) \"%s\" {%llu+}\r\n",
                    buf_cstring(&m.flags), buf_cstring(&m.date),
                    (unsigned long long)m.len);
        if (prot_write(x->dst->p, m.body, (size_t)m.len) < 0)
            x->dst_failed = 1;
        else
            remember(x, &m);
    }
    buf_free(&m.flags);
    buf_free(&m.date);
}

/* append_uids - the UID set of "[APPENDUID v set]" in text, expanded to
 * "5,6,7" in out; the number of UIDs, 0 when absent or malformed.  Sets
 * *v_r and *last_r (the highest UID). */
static size_t append_uids(const char *text, struct buf *out, uint32_t *v_r,
                          uint32_t *last_r)
{
    const char *p = strstr(text, "[APPENDUID ");
    unsigned long v, a, b, last = 0;
    size_t n = 0;
    char *end;

    if (!p)
        return 0;
    v = strtoul(p + 11, &end, 10);
    if (end == p + 11 || *end != ' ' || !v || v > UINT32_MAX)
        return 0;
    for (p = end; *p == ' ' || *p == ','; p = end) {
        a = strtoul(p + 1, &end, 10);
        if (end == p + 1 || !a || a > UINT32_MAX)
            return 0;
        b = a;
        if (*end == ':') {
            b = strtoul(end + 1, &end, 10);
            if (b < a || b > UINT32_MAX || b - a > CROSSCOPY_BATCH)
                return 0;
        }
        for (; a <= b; a++, n++) {
            buf_printf(out, "%s%lu", out->len ? "," : "", a);
            if (a > last)
                last = a;
        }
    }
    if (*p != ']')
        return 0;
    *v_r = (uint32_t)v;
    *last_r = (uint32_t)last;
    return n;
}

/* batch_reset - no batch in flight */
static void batch_reset(struct xcopy *x)
{
    x->tag[0] = '\0';
    x->nsig = 0;
    buf_reset(&x->batch_src);
    buf_reset(&x->last_head);
}

/* copy_batch - the source UIDs in set ("1,5,7") in one APPEND; 0, or -1
 * with x->text (and the batch abandoned, or x->in_doubt) */
static int copy_batch(struct xcopy *x, const char *set)
{
    struct buf dst = BUF_INIT;
    uint32_t v = 0, last = 0;
    int r;

    batch_reset(x);
    proxyd_sendf(x->src, "UID FETCH %s (UID FLAGS INTERNALDATE BODY.PEEK[])",
                 set);
    r = xcopy_read_tagged(x->cmd->sess, x->src, proxy_imap_data(x->src)->tag,
                          on_fetch, x, &x->text);
    x->src_dead = r < 0;
    if (r != 1 || x->dst_failed) {
        /* cut off: the destination must not see the command's end */
        if (x->tag[0])
            x->dst_dead = 1;
        if (x->dst_failed)
            buf_setcstr(&x->text, "the destination server went away");
        return -1;
    }
    if (!x->tag[0])
        return 0;                   /* every one expunged meanwhile */
    /* the command's end: when it does not go out whole, the destination
     * cannot commit any of it */
    if (prot_puts(x->dst->p, "\r\n") < 0 || prot_flush(x->dst->p) < 0) {
        x->dst_dead = 1;
        buf_setcstr(&x->text, "the destination server went away");
        return -1;
    }
    r = xcopy_read_tagged(NULL, x->dst, x->tag, NULL, NULL, &x->text);
    if (r < 0) {
        x->dst_dead = 1;
        x->in_doubt = 1;
        buf_setcstr(&x->text, "the destination server went away");
        return -1;
    }
    if (r == 0) {                   /* refused: none of it committed */
        x->refused_bad = str_ncasecmp(buf_cstring(&x->text), "BAD", 3) == 0;
        return -1;
    }
    if (append_uids(buf_cstring(&x->text), &dst, &v, &last) != x->nsig) {
        x->in_doubt = 1;            /* committed, but where? */
        buf_setcstr(&x->text, "the destination did not say where the "
                    "messages went");
        buf_free(&dst);
        return -1;
    }
    x->uidvalidity = v;
    if (last > x->last_dst)
        x->last_dst = last;
    buf_printf(&x->src_uids, "%s%s", x->src_uids.len ? "," : "",
               buf_cstring(&x->batch_src));
    buf_printf(&x->dst_uids, "%s%s", x->dst_uids.len ? "," : "",
               buf_cstring(&dst));
    buf_free(&dst);
    batch_reset(x);
    x->batches++;
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
    r = xcopy_read_tagged(NULL, x->dst, tag, on_status, x, &x->text);
    x->dst_dead = r < 0;
    if (r < 0)
        buf_setcstr(&x->text, "the destination server went away");
    return r < 0 ? -1 : 0;
}

/* on_uid - untagged responses of the UID listing: collect UIDs and the
 * length of their flags, pass anything else to the client */
static void on_uid(void *rock, struct buf *resp)
{
    struct xcopy *x = rock;
    const char *s = buf_cstring(resp), *e = s + resp->len;
    const char *v = xcopy_item_after(s, e, "UID");
    const char *fl = xcopy_item_after(s, e, "FLAGS"), *close;
    unsigned long u;

    if (!strstr(s, " FETCH (") || !v || sscanf(v, "%lu", &u) != 1 || !u ||
        u > UINT32_MAX) {
        prot_write(x->cmd->sess->prot, resp->s, resp->len);
        return;
    }
    if (x->nsrc == x->src_alloc) {
        x->src_alloc = x->src_alloc ? 2 * x->src_alloc : 64;
        x->src_msgs = xrealloc(x->src_msgs,
                               x->src_alloc * sizeof(*x->src_msgs));
    }
    x->src_msgs[x->nsrc].uid = (uint32_t)u;
    x->src_msgs[x->nsrc].flags_len =
        fl && (close = strchr(fl, ')')) ? (uint32_t)(close - fl) : 0;
    x->nsrc++;
}

/* source_uids - the UIDs cmd's sequence set names, with their flags */
static int source_uids(struct xcopy *x)
{
    struct buf set = BUF_INIT;
    int r;

    imap_args_render(x->cmd->args, 1, IMAP_RENDER_NONSYNC, &set);
    proxyd_sendf(x->src, "%sFETCH %s (UID FLAGS)", x->cmd->uid ? "UID " : "",
                 buf_cstring(&set));
    r = xcopy_read_tagged(x->cmd->sess, x->src, proxy_imap_data(x->src)->tag,
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
    if (xcopy_read_tagged(x->cmd->sess, x->src, proxy_imap_data(x->src)->tag,
                          NULL, NULL, &x->text) != 1)
        return -1;
    proxyd_sendf(x->src, "UID EXPUNGE %s", x->src_uids.s);
    return xcopy_read_tagged(x->cmd->sess, x->src,
                             proxy_imap_data(x->src)->tag, NULL, NULL,
                             &x->text) == 1 ? 0 : -1;
}

/* next_batch - the UIDs of the next batch from x->src_msgs[*i] on, as a
 * set "1,5,7" in set: at most x->batch_max messages and
 * CROSSCOPY_LINE_BUDGET bytes of command line (at least one message) */
static void next_batch(struct xcopy *x, size_t *i, struct buf *set)
{
    size_t line = 0;
    unsigned n;

    buf_reset(set);
    for (n = 0; *i < x->nsrc && n < x->batch_max; n++, (*i)++) {
        size_t cost = CROSSCOPY_MSG_LINE + x->src_msgs[*i].flags_len;

        if (n && line + cost > CROSSCOPY_LINE_BUDGET)
            break;
        line += cost;
        buf_printf(set, "%s%u", set->len ? "," : "", x->src_msgs[*i].uid);
    }
}

/* copy_all - every message, batch by batch; 0, or -1 after undoing what
 * committed */
static int copy_all(struct xcopy *x, const char *dserver)
{
    struct buf set = BUF_INIT;
    size_t i = 0;
    int r = dest_uidnext(x);

    x->batch_max = proxy_backend_has_cap(x->dst, "MULTIAPPEND")
                   ? CROSSCOPY_BATCH : 1;
    while (r >= 0 && i < x->nsrc) {
        size_t start = i;

        next_batch(x, &i, &set);
        x->refused_bad = 0;
        r = copy_batch(x, buf_cstring(&set));
        if (r < 0 && x->refused_bad && x->nsig > 1) {
            /* a limit of the destination's (maxline, arguments): nothing
             * of the batch committed; go on one message per APPEND */
            log_notice("cross-server copy: batch of %zu refused, one "
                       "message per APPEND from now on server=<%s> "
                       "error=<%s>", x->nsig, dserver, buf_cstring(&x->text));
            x->batch_max = 1;
            i = start;
            r = 0;
        }
    }
    buf_free(&set);
    if (r < 0 && x->dst_dead && !x->in_doubt && x->tag[0])
        log_notice("cross-server copy: batch abandoned before its end, "
                   "nothing of it committed server=<%s>", dserver);
    if (r < 0 && x->dst_dead) {
        /* abandon the connection first: a cut-off batch never commits */
        proxyd_backend_lost(x->cmd->sess, x->dst);
        x->dst = NULL;
        x->dst_dead = 0;
    }
    if (r < 0 && (x->dst_uids.len || x->in_doubt))
        xcopy_undo(x, dserver);
    return r < 0 ? -1 : 0;
}

/* ascends - does the UID list "1,5,7" strictly ascend? */
static int ascends(const struct buf *list)
{
    const char *p = buf_len(list) ? list->s : "";
    unsigned long prev = 0, u;
    char *end;

    for (; *p; p = *end ? end + 1 : end) {
        u = strtoul(p, &end, 10);
        if (u <= prev)
            return 0;
        prev = u;
    }
    return 1;
}

void xcopy_as_ranges(struct buf *uids)
{
    struct seqset set = SEQSET_INIT;
    const char *err;

    if (uids->len &&
        seqset_parse(uids->s, uids->len, 0, SEQSET_NO_STAR, &set, &err) == 1) {
        buf_reset(uids);
        seqset_format(&set, uids);
    }
    seqset_fini(&set);
}

/* copyuid_sets - x's committed UIDs as COPYUID's two sets: ranges when
 * both ascend (so they stay in step), else the lists as they are */
static void copyuid_sets(struct xcopy *x)
{
    if (ascends(&x->src_uids) && ascends(&x->dst_uids)) {
        xcopy_as_ranges(&x->src_uids);
        xcopy_as_ranges(&x->dst_uids);
    }
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
    } else if (!x.nsrc) {
        imap_cmd_ok(cmd, "Completed (no messages)");
    } else if (proxyd_backend(cmd, dest->server, &x.dst) < 0) {
        ; /* answered */
    } else if (copy_all(&x, dest->server) < 0) {
        imap_cmd_no(cmd, "[UNAVAILABLE] %s to the other server failed, "
                    "nothing copied: %s", cmd->name, buf_cstring(&x.text));
    } else if (!x.src_uids.len) {
        imap_cmd_ok(cmd, "Completed (no messages)");
    } else if (move) {
        copyuid_sets(&x);
        imap_untagged(cmd->sess, "OK [COPYUID %u %s %s] Moved", x.uidvalidity,
                      x.src_uids.s, x.dst_uids.s);
        if (expunge_source(&x) < 0)
            imap_cmd_no(cmd, "[UNAVAILABLE] Copied, but the source messages "
                        "could not be removed: %s", buf_cstring(&x.text));
        else
            imap_cmd_ok(cmd, "Completed");
    } else {
        copyuid_sets(&x);
        imap_cmd_ok(cmd, "[COPYUID %u %s %s] Completed", x.uidvalidity,
                    x.src_uids.s, x.dst_uids.s);
    }
    log_info("cross-server %s from=<%s> to=<%s> uids=<%s> batches=<%u>",
             cmd->name, src->server, dest->server, buf_cstring(&x.src_uids),
             x.batches);
    if (x.dst && x.dst_dead)
        proxyd_backend_lost(cmd->sess, x.dst);
    if (x.src_dead)
        proxyd_backend_lost(cmd->sess, x.src);
    free(x.src_msgs);
    buf_free(&x.src_uids);
    buf_free(&x.dst_uids);
    buf_free(&x.dest_ext);
    buf_free(&x.text);
    buf_free(&x.batch_src);
    buf_free(&x.last_head);
    free(x.sig);
}
