/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * seen_view.c - a user's \Seen in one mailbox: the index bit in the
 * user's own mailboxes, the user's seen database elsewhere (seen_view.h).
 *
 * Called by imap_selected.c (SELECT, the reports), cmd-store.c,
 * cmd-fetch.c (BODY[] sets \Seen), cmd-status.c, cmd-copy.c and
 * cmd-append.c (a \Seen copy or append into a per-user mailbox).  The seen record is read
 * whole at open and on every reload (one db_fetch of a short string); a
 * change is one locked read-modify-write, so two sessions of one user do
 * not lose each other's updates.  A change also gives the messages a new
 * modseq in the index (mailbox_touch), as Cyrus's index_storeseen does,
 * so CONDSTORE / QRESYNC report it; other users then see a FETCH with
 * their unchanged flags and the new MODSEQ, which RFC 7162 allows.
 * Database errors are logged by seen.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "imap/mboxname.h"
#include "imap/seen.h"
#include "imap/seen_view.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

/* A deadlocked seen transaction is retried this many times. */
#define SEEN_VIEW_RETRIES 5

/* read_set - the stored seen UIDs of v's mailbox into *set; lock: as
 * the start of a transaction.  0 or -1. */
static int read_set(struct seen_view *v, bool lock, struct seqset *set,
                    struct seen_data *sd)
{
    int r = lock ? seen_lockread(v->db, v->uniqueid, sd)
                 : seen_read(v->db, v->uniqueid, sd);

    if (r != SEEN_OK && r != SEEN_NOTFOUND)
        return -1;
    if (seqset_parse(sd->seenuids, strlen(sd->seenuids), 0,
                     SEQSET_ALLOW_EMPTY | SEQSET_NO_STAR, set, NULL) < 0)
        return -1;                        /* seen_decode checked it */
    return 0;
}

int seen_view_open(struct seen_view *v, const struct namespace *ns,
                   const char *userid, const char *mboxname,
                   const char *uniqueid)
{
    struct seen_data sd = { 0 };
    int r;

    memset(v, 0, sizeof(*v));
    if (!userid || mboxname_is_owner(ns, mboxname, userid))
        return 0;
    if (!uniqueid || !*uniqueid) {
        log_warning("mailbox has no unique id, \\Seen is shared "
                    "mailbox=<%s>", mboxname);
        return 0;
    }
    r = seen_open(userid, SEEN_CREATE, &v->db);
    if (r != SEEN_OK) {
        log_error("IOERROR: cannot open seen state user=<%s> error=<%s>",
                  userid, seen_errstr(r));
        return -1;
    }
    v->per_user = true;
    v->uniqueid = xstrdup(uniqueid);
    r = read_set(v, false, &v->seen, &sd);
    seen_data_fini(&sd);
    if (r < 0)
        seen_view_fini(v);
    return r;
}

void seen_view_fini(struct seen_view *v)
{
    seen_close(&v->db);
    free(v->uniqueid);
    seqset_fini(&v->seen);
    memset(v, 0, sizeof(*v));
}

bool seen_view_is_seen(const struct seen_view *v,
                       const struct mailbox_record *rec)
{
    if (v && v->per_user)
        return seqset_contains(&v->seen, rec->uid);
    return (rec->system_flags & MAILBOX_FLAG_SEEN) != 0;
}

void seen_view_patch(const struct seen_view *v, struct mailbox_record *rec)
{
    if (!v || !v->per_user)
        return;
    if (seqset_contains(&v->seen, rec->uid))
        rec->system_flags |= MAILBOX_FLAG_SEEN;
    else
        rec->system_flags &= ~MAILBOX_FLAG_SEEN;
}

int seen_view_reload(struct seen_view *v, struct mailbox *mb,
                     struct mailbox_uids *changed_r)
{
    struct seqset now = SEQSET_INIT;
    struct seen_data sd = { 0 };
    uint32_t n = mailbox_count(mb);

    if (!v->per_user)
        return 0;
    if (read_set(v, false, &now, &sd) < 0) {
        seen_data_fini(&sd);
        seqset_fini(&now);
        return -1;
    }
    seen_data_fini(&sd);
    for (uint32_t msgno = 1; msgno <= n; msgno++) {
        uint32_t u = mailbox_msgno_uid(mb, msgno);

        if (seqset_contains(&now, u) != seqset_contains(&v->seen, u))
            mailbox_uids_add(changed_r, u);
    }
    seqset_fini(&v->seen);
    v->seen = now;
    return 0;
}

/* store_once - one transaction of seen_view_store; a seen_result.  The
 * changed records are touched in mb while the seen record is locked and
 * before it is committed: a crash in between leaves a modseq bump with
 * no change (a redundant FETCH for clients), never a change that
 * CHANGEDSINCE misses. */
static int store_once(struct seen_view *v, struct mailbox *mb,
                      const uint32_t *uids, size_t n, bool add,
                      struct mailbox_uids *changed_r, int *touch_r)
{
    struct seqset set = SEQSET_INIT;
    struct mailbox_uids ch = { 0 };
    struct seen_data sd = { 0 };
    struct buf b = BUF_INIT;
    int r = SEEN_IOERROR;

    if (read_set(v, true, &set, &sd) == 0) {
        for (size_t i = 0; i < n; i++) {
            if (seqset_contains(&set, uids[i]) == (add ? 1 : 0))
                continue;
            if (add)
                seqset_add(&set, uids[i], uids[i]);
            else
                seqset_remove(&set, uids[i], uids[i]);
            mailbox_uids_add(&ch, uids[i]);
        }
        if (mb && (*touch_r = mailbox_touch(mb, ch.v, ch.count)) != MAILBOX_OK)
            goto out;                     /* logged by the mailbox layer */
        seqset_format(&set, &b);
        free(sd.seenuids);
        sd.seenuids = buf_release(&b);
        sd.lastread = sd.lastchange = time(NULL);
        if (seqset_last(&set) > sd.lastuid)
            sd.lastuid = seqset_last(&set);
        r = seen_write(v->db, v->uniqueid, &sd);
        if (r == SEEN_OK)
            r = seen_commit(v->db);
    }
out:
    if (r != SEEN_OK) {
        seen_abort(v->db);
    } else {
        seqset_fini(&v->seen);
        v->seen = set;
        set = (struct seqset)SEQSET_INIT;
        for (size_t i = 0; changed_r && i < ch.count; i++)
            mailbox_uids_add(changed_r, ch.v[i]);
    }
    mailbox_uids_fini(&ch);
    seen_data_fini(&sd);
    seqset_fini(&set);
    return r;
}

int seen_view_store(struct seen_view *v, struct mailbox *mb,
                    const uint32_t *uids, size_t n, bool add,
                    struct mailbox_uids *changed_r)
{
    int r = SEEN_AGAIN, touch = MAILBOX_OK;

    if (!v->per_user)
        return MAILBOX_E_IO;
    for (int i = 0; i < SEEN_VIEW_RETRIES && r == SEEN_AGAIN; i++)
        r = store_once(v, mb, uids, n, add, changed_r, &touch);
    if (touch == MAILBOX_E_MOVING)
        return touch;   /* the mailbox refused the write: nothing changed */
    if (r != SEEN_OK)
        log_error("IOERROR: cannot store seen state uniqueid=<%s> "
                  "error=<%s>", v->uniqueid, seen_errstr(r));
    return r == SEEN_OK ? MAILBOX_OK : MAILBOX_E_IO;
}

uint32_t seen_view_unseen(const struct seen_view *v, struct mailbox *mb,
                          uint32_t *first_r)
{
    uint32_t n = mailbox_count(mb), count = 0;

    if (first_r)
        *first_r = 0;
    for (uint32_t msgno = 1; msgno <= n; msgno++) {
        const struct mailbox_record *rec =
            mailbox_record(mb, mailbox_msgno_uid(mb, msgno));

        if (!rec || seen_view_is_seen(v, rec))
            continue;
        if (!count++ && first_r)
            *first_r = msgno;
    }
    return count;
}
