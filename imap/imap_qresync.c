/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imap_qresync.c - SELECT/EXAMINE (QRESYNC ...) (RFC 7162 3.2.5): parse the
 * parameter, then answer VANISHED (EARLIER) and FETCH for what changed
 * since the client's modseq (imap_qresync.h).  Walks every record of the
 * index once (expunged ones too); sends untagged responses only; errors
 * are parse errors, reported as BAD by the caller.
 */
#include "config.h"

#include "imap/imap_qresync.h"
#include "imap/imap_selected.h"
#include "imap/imap_session.h"
#include "imap/mailbox.h"
#include "lib/buf.h"
#include "lib/imap_parser.h"
#include "lib/str.h"

/* qr_number - an atom of decimal digits, 1..max */
static bool qr_number(const struct imap_arg *arg, uint64_t max,
                      uint64_t *val_r)
{
    const char *s;

    return imap_arg_get_atom(arg, &s) &&
           str_parse_u64(s, arg->u.str.len, max, val_r) == 1 && *val_r > 0;
}

/* qr_set - a sequence set atom without '*' */
static bool qr_set(const struct imap_arg *arg, struct seqset *set)
{
    const char *s, *err;

    return imap_arg_get_atom(arg, &s) &&
           seqset_parse(s, arg->u.str.len, 0, SEQSET_NO_STAR, set, &err) == 1;
}

/* qr_match - the seq-match data: two sets of the same size */
static bool qr_match(const struct imap_arg *arg)
{
    struct seqset seqs = SEQSET_INIT, uids = SEQSET_INIT;
    const struct imap_arg *l;
    size_t n;
    bool ok;

    ok = imap_arg_get_list(arg, &l, &n) && n == 2 && qr_set(&l[0], &seqs) &&
         qr_set(&l[1], &uids) && seqset_count(&seqs) == seqset_count(&uids);
    seqset_fini(&seqs);
    seqset_fini(&uids);
    return ok;
}

int imap_qresync_parse(const struct imap_arg *arg, struct imap_qresync *q,
                       const char **error_r)
{
    const struct imap_arg *l;
    uint64_t uv, ms;
    size_t n;

    q->uidvalidity = 0;
    q->modseq = 0;
    q->have_known = false;
    q->known = (struct seqset)SEQSET_INIT;
    *error_r = "Invalid QRESYNC parameter";
    if (!imap_arg_get_list(arg, &l, &n) || n < 2 || n > 4 ||
        !qr_number(&l[0], UINT32_MAX, &uv) ||
        !qr_number(&l[1], INT64_MAX, &ms))
        return -1;
    q->uidvalidity = (uint32_t)uv;
    q->modseq = ms;
    if (n >= 3) {
        if (!qr_set(&l[2], &q->known))
            return -1;
        q->have_known = true;
    }
    if (n == 4 && !qr_match(&l[3])) {
        *error_r = "Invalid QRESYNC sequence match data";
        seqset_fini(&q->known);
        return -1;
    }
    return 0;
}

void imap_qresync_fini(struct imap_qresync *q)
{
    seqset_fini(&q->known);
}

/* qr_add_gap - add the UIDs low..high that are known to gone */
static void qr_add_gap(const struct imap_qresync *q, uint32_t low,
                       uint32_t high, struct seqset *gone)
{
    if (low > high)
        return;
    if (!q->have_known) {
        seqset_add(gone, low, high);
        return;
    }
    for (size_t i = 0; i < q->known.count; i++) {
        uint64_t lo = q->known.ranges[i].low, hi = q->known.ranges[i].high;

        if (lo < low)
            lo = low;
        if (hi > high)
            hi = high;
        if (lo <= hi)
            seqset_add(gone, (uint32_t)lo, (uint32_t)hi);
    }
}

/* qr_vanished - the UIDs to report as VANISHED (EARLIER) */
static void qr_vanished(struct mailbox *mb, const struct imap_qresync *q,
                        struct seqset *gone)
{
    const struct mailbox_header *h = mailbox_get_header(mb);
    bool lost = q->modseq < h->deletedmodseq;
    uint32_t next = 1;  /* the lowest UID not yet looked at */

    for (uint32_t i = 0; i < mailbox_num_records(mb); i++) {
        const struct mailbox_record *rec = mailbox_record_at(mb, i);

        /* records cleaned away: their UIDs may have vanished unseen */
        if (lost && rec->uid > next)
            qr_add_gap(q, next, rec->uid - 1, gone);
        next = rec->uid + 1;
        if ((rec->system_flags & MAILBOX_FLAG_EXPUNGED) &&
            rec->modseq > q->modseq &&
            (!q->have_known || seqset_contains(&q->known, rec->uid)))
            seqset_add(gone, rec->uid, rec->uid);
    }
    if (lost && h->uidnext > next)
        qr_add_gap(q, next, h->uidnext - 1, gone);
}

/* qr_fetch - FETCH for the snapshot's messages changed since q->modseq */
static void qr_fetch(struct imap_session *s, const struct imap_qresync *q)
{
    struct mailbox *mb = s->selected->mb;
    uint32_t n = mailbox_count(mb);
    struct buf b = BUF_INIT;

    for (uint32_t msgno = 1; msgno <= n; msgno++) {
        uint32_t uid = mailbox_msgno_uid(mb, msgno);
        const struct mailbox_record *p = mailbox_record(mb, uid);
        struct mailbox_record rec;

        if (!p || p->modseq <= q->modseq ||
            (q->have_known && !seqset_contains(&q->known, uid)))
            continue;
        rec = *p;
        seen_view_patch(&s->selected->seen, &rec);   /* the user's \Seen */
        buf_reset(&b);
        imap_selected_format_flags(mb, &rec, &b);
        imap_untagged(s, "%u FETCH (UID %u FLAGS %s MODSEQ (%llu))", msgno,
                      uid, buf_cstring(&b),
                      (unsigned long long)rec.modseq);
    }
    buf_free(&b);
}

void imap_qresync_answer(struct imap_session *s, const struct imap_qresync *q)
{
    struct mailbox *mb;
    struct seqset gone = SEQSET_INIT;
    struct buf b = BUF_INIT;

    if (!s->selected)
        return;
    mb = s->selected->mb;
    if (q->uidvalidity != mailbox_get_header(mb)->uidvalidity)
        return;
    qr_vanished(mb, q, &gone);
    seqset_format(&gone, &b);
    if (b.len)
        imap_untagged(s, "VANISHED (EARLIER) %s", buf_cstring(&b));
    qr_fetch(s, q);
    buf_free(&b);
    seqset_fini(&gone);
}
