/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mailbox_dump.c - the writer of the mailbox dump format
 * (imap/mailbox_dump.h): one mailbox, and for an INBOX move its user's
 * seen state and subscriptions, streamed through the caller's callback.
 *
 * Called by the XFER source (imap/cmd-xfer.c).  The messages dumped are
 * the index snapshot taken when the mailbox is opened; message bodies
 * are read from their files in blocks, never whole.  Errors are returned
 * as enum mailbox_result with a static text; I/O errors are logged.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imap/acl.h"
#include "imap/mailbox.h"
#include "imap/mailbox_dump.h"
#include "imap/mboxlist.h"
#include "imap/seen.h"
#include "imap/subs.h"
#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/log.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"

/* Block size for copying message bodies. */
#define DUMP_BLOCK 65536

/* The writer's state. */
struct dump_w {
    mailbox_dump_out_fn *out;
    void *rock;
    int failed;
    struct buf line;
};

/* w_put - write n bytes unless an earlier write failed; 0 / -1 */
static int w_put(struct dump_w *w, const void *p, size_t n)
{
    if (!w->failed && n && w->out(w->rock, p, n) < 0)
        w->failed = 1;
    return w->failed ? -1 : 0;
}

/* w_begin - start an item line */
static void w_begin(struct dump_w *w, const char *item)
{
    buf_reset(&w->line);
    buf_appendcstr(&w->line, item);
}

/* w_num / w_snum / w_str - append one field to the item line */
static void w_num(struct dump_w *w, const char *key, uint64_t v)
{
    buf_printf(&w->line, " %s=%" PRIu64, key, v);
}

static void w_snum(struct dump_w *w, const char *key, int64_t v)
{
    buf_printf(&w->line, " %s=%" PRId64, key, v);
}

static void w_str(struct dump_w *w, const char *key, const char *s, size_t n)
{
    buf_printf(&w->line, " %s=%zu:", key, n);
    buf_appendmap(&w->line, s, n);
}

/* w_end - finish and write the item line */
static int w_end(struct dump_w *w)
{
    buf_putc(&w->line, '\n');
    return w_put(w, w->line.s, w->line.len);
}

/* dump_mailbox_item - the "mailbox" line; deletedmodseq covers the
 * expunged records, which are not dumped */
static int dump_mailbox_item(struct dump_w *w, struct mailbox *mb,
                             const struct mboxlist_entry *e,
                             const char **error_r)
{
    const struct mailbox_header *h = mailbox_get_header(mb);
    uint64_t deleted = h->deletedmodseq;
    struct buf ev = BUF_INIT;

    for (uint32_t i = 0; i < mailbox_num_records(mb); i++) {
        const struct mailbox_record *r = mailbox_record_at(mb, i);
        if ((r->system_flags & MAILBOX_FLAG_EXPUNGED) && r->modseq > deleted)
            deleted = r->modseq;
    }
    if (mboxlist_entry_encode(e, &ev, error_r) != MBOXLIST_OK) {
        buf_free(&ev);
        return MAILBOX_E_CORRUPT;
    }
    w_begin(w, "mailbox");
    w_str(w, "name", e->name, strlen(e->name));
    w_str(w, "e", ev.s, ev.len);
    w_num(w, "uidvalidity", h->uidvalidity);
    w_num(w, "uidnext", h->uidnext);
    w_num(w, "highestmodseq", h->highestmodseq);
    w_num(w, "deletedmodseq", deleted);
    buf_free(&ev);
    return w_end(w) < 0 ? MAILBOX_E_IO : MAILBOX_OK;
}

/* dump_quota_item - the "quota" line when e->name is a quota root */
static int dump_quota_item(struct dump_w *w, const char *name)
{
    struct quota q;
    int r;

    quota_init(&q);
    r = quota_read(name, &q);
    if (r == QUOTA_OK) {
        w_begin(w, "quota");
        w_snum(w, "storage", q.limit[QUOTA_STORAGE]);
        w_snum(w, "message", q.limit[QUOTA_MESSAGE]);
        r = w_end(w) < 0 ? MAILBOX_E_IO : MAILBOX_OK;
    } else {
        r = MAILBOX_OK; /* not a root: nothing to carry */
    }
    quota_fini(&q);
    return r;
}

/* dump_body - copy the message file of rec after its line */
static int dump_body(struct dump_w *w, struct mailbox *mb,
                     const struct mailbox_record *rec, const char **error_r)
{
    struct buf path = BUF_INIT;
    char *block = NULL;
    uint64_t left = rec->size;
    int fd, r = MAILBOX_OK;

    mailbox_message_path(mb, rec->uid, &path);
    fd = open(buf_cstring(&path), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        log_error("IOERROR: cannot open message for dump file=<%s> error=<%m>",
                  path.s);
        *error_r = "a message file vanished during the dump";
        buf_free(&path);
        return errno == ENOENT ? MAILBOX_E_NOTFOUND : MAILBOX_E_IO;
    }
    block = xmalloc(DUMP_BLOCK);
    while (r == MAILBOX_OK && left) {
        ssize_t n = read(fd, block, left < DUMP_BLOCK ? left : DUMP_BLOCK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            log_error("IOERROR: short message file file=<%s> error=<%m>",
                      path.s);
            *error_r = "a message file is shorter than its index record";
            r = MAILBOX_E_CORRUPT;
        } else if (w_put(w, block, (size_t)n) < 0) {
            r = MAILBOX_E_IO;
        } else {
            left -= (uint64_t)n;
        }
    }
    if (r == MAILBOX_OK && w_put(w, "\n", 1) < 0)
        r = MAILBOX_E_IO;
    free(block);
    close(fd);
    buf_free(&path);
    return r;
}

/* dump_message - one "msg" item */
static int dump_message(struct dump_w *w, struct mailbox *mb,
                        const struct mailbox_record *rec, const char **error_r)
{
    struct buf flags = BUF_INIT;

    for (unsigned i = 0; i < MAILBOX_USER_FLAGS_MAX; i++) {
        const char *f;
        if (!(rec->user_flags[i / 32] & (1u << (i % 32))))
            continue;
        if (!(f = mailbox_user_flag_name(mb, i)))
            continue;
        if (flags.len)
            buf_putc(&flags, ' ');
        buf_appendcstr(&flags, f);
    }
    w_begin(w, "msg");
    w_num(w, "uid", rec->uid);
    w_num(w, "sys", rec->system_flags & MAILBOX_FLAGS_SYSTEM);
    w_snum(w, "idate", rec->internaldate);
    w_num(w, "idatens", rec->internaldate_ns);
    w_num(w, "modseq", rec->modseq);
    w_snum(w, "sentdate", rec->sentdate);
    w_str(w, "flags", flags.s ? flags.s : "", flags.len);
    w_num(w, "size", rec->size);
    buf_free(&flags);
    if (w_end(w) < 0)
        return MAILBOX_E_IO;
    return dump_body(w, mb, rec, error_r);
}

/* seen_cb - one "seen" item per record of the user's seen database */
static int seen_cb(void *rock, const char *uniqueid, const struct seen_data *sd)
{
    struct dump_w *w = rock;
    struct buf d = BUF_INIT;

    if (seen_encode(sd, &d) == SEEN_OK) {
        w_begin(w, "seen");
        w_str(w, "u", uniqueid, strlen(uniqueid));
        w_str(w, "d", d.s ? d.s : "", d.len);
        w_end(w);
    }
    buf_free(&d);
    return w->failed;
}

/* dump_user - the user's seen state and subscriptions */
static int dump_user(struct dump_w *w, const char *userid,
                     const char **error_r)
{
    struct strarray subs = STRARRAY_INIT;
    struct seen *seen = NULL;
    int r = seen_open(userid, 0, &seen);

    if (r == SEEN_OK) {
        r = seen_foreach(seen, seen_cb, w);
        seen_close(&seen);
    } else if (r == SEEN_NOTFOUND) {
        r = SEEN_OK;
    }
    if (r != SEEN_OK || w->failed) {
        *error_r = "cannot read the user's seen state";
        return MAILBOX_E_IO;
    }
    if (subs_list(userid, &subs) != SUBS_OK) {
        strarray_fini(&subs);
        *error_r = "cannot read the user's subscriptions";
        return MAILBOX_E_IO;
    }
    for (size_t i = 0; i < subs.count; i++) {
        w_begin(w, "sub");
        w_str(w, "n", subs.data[i], strlen(subs.data[i]));
        w_end(w);
    }
    strarray_fini(&subs);
    return w->failed ? MAILBOX_E_IO : MAILBOX_OK;
}

/* Other users' seen records of the dumped mailbox. */
struct readers {
    struct dump_w *w;
    const char *uniqueid;
    const char *skip;          /* the moving user: all of it is dumped */
    int all;                   /* the ACL names anyone or a group */
};

/* reader_cb - a "useen" item when userid has a record of the mailbox;
 * a seen database that cannot be read is skipped (seen.c logged it) */
static int reader_cb(const char *userid, void *rock)
{
    struct readers *rd = rock;
    struct seen *seen = NULL;
    struct seen_data sd;
    struct buf d = BUF_INIT;

    if (rd->skip && strcmp(userid, rd->skip) == 0)
        return 0;
    if (seen_open(userid, 0, &seen) != SEEN_OK)
        return 0;
    memset(&sd, 0, sizeof(sd));
    if (seen_read(seen, rd->uniqueid, &sd) == SEEN_OK &&
        seen_encode(&sd, &d) == SEEN_OK) {
        w_begin(rd->w, "useen");
        w_str(rd->w, "o", userid, strlen(userid));
        w_str(rd->w, "d", d.s ? d.s : "", d.len);
        w_end(rd->w);
    }
    seen_data_fini(&sd);
    seen_close(&seen);
    buf_free(&d);
    return rd->w->failed;
}

/* acl_reader - an ACL entry: a user who may have read the mailbox, or
 * (anyone, a group) a reason to look at every user */
static int acl_reader(const char *id, unsigned rights, void *rock)
{
    struct readers *rd = rock;

    if (id[0] == '-' || !(rights & ACL_READ))
        return 0;
    if (strcmp(id, "anyone") == 0 || strcmp(id, "anonymous") == 0 ||
        strncmp(id, "group:", 6) == 0) {
        rd->all = 1;
        return 1;
    }
    return reader_cb(id, rd);
}

/* dump_readers - the seen records other users keep of this mailbox
 * (per-user \Seen, imap/seen_view.h): those the ACL grants read to and
 * the admins, or every user with a seen database when it names anyone or
 * a group.  The receiver writes them into its seen databases. */
static int dump_readers(struct dump_w *w, const struct mailbox_dump_src *src)
{
    struct readers rd = { w, src->entry->uniqueid, src->userid, 0 };
    const struct strarray *admins = cfg_get_list(IMAPOPT_ADMINS);
    const char *acl = src->entry->acl ? src->entry->acl : "";
    struct acl *a = NULL;
    int r = 0;

    if (!rd.uniqueid)
        return MAILBOX_OK;
    if (acl_parse(acl, strlen(acl), &a, NULL) < 0)
        rd.all = 1;
    else
        r = acl_foreach(a, acl_reader, &rd);
    acl_free(&a);
    if (rd.all) {
        if (seen_foreach_user(reader_cb, &rd) < 0)
            log_warning("XFER: cannot list the users' seen databases "
                        "mailbox=<%s>", src->entry->name);
    } else {
        for (size_t i = 0; r == 0 && admins && i < admins->count; i++)
            r = reader_cb(admins->data[i], &rd);
    }
    return w->failed ? MAILBOX_E_IO : MAILBOX_OK;
}

/* dump_all - everything after the magic line */
static int dump_all(struct dump_w *w, struct mailbox *mb,
                    const struct mailbox_dump_src *src, const char **error_r)
{
    uint64_t count = 0;
    int r = dump_mailbox_item(w, mb, src->entry, error_r);

    if (r == MAILBOX_OK)
        r = dump_quota_item(w, src->entry->name);
    for (uint32_t i = 0; r == MAILBOX_OK && i < mailbox_num_records(mb); i++) {
        const struct mailbox_record *rec = mailbox_record_at(mb, i);
        if (rec->system_flags & MAILBOX_FLAG_EXPUNGED)
            continue;
        r = dump_message(w, mb, rec, error_r);
        count++;
    }
    if (r == MAILBOX_OK)
        r = dump_readers(w, src);
    if (r == MAILBOX_OK && src->userid)
        r = dump_user(w, src->userid, error_r);
    if (r == MAILBOX_OK) {
        w_begin(w, "end");
        w_num(w, "msgs", count);
        if (w_end(w) < 0)
            r = MAILBOX_E_IO;
    }
    return r;
}

int mailbox_dump_write(const struct mailbox_dump_src *src,
                       mailbox_dump_out_fn *out, void *rock,
                       uint64_t *generation_r, const char **error_r)
{
    struct dump_w w = { out, rock, 0, BUF_INIT };
    struct mailbox *mb = NULL;
    char magic[32];
    int r;

    *error_r = NULL;
    r = mailbox_open(src->root, src->entry->name, &mb);
    if (r != MAILBOX_OK) {
        *error_r = "cannot open the mailbox";
        return r;
    }
    if (generation_r)
        *generation_r = mailbox_get_header(mb)->generation;
    snprintf(magic, sizeof(magic), MAILBOX_DUMP_MAGIC " %d\n",
             MAILBOX_DUMP_VERSION);
    r = w_put(&w, magic, strlen(magic)) < 0 ? MAILBOX_E_IO : MAILBOX_OK;
    if (r == MAILBOX_OK)
        r = dump_all(&w, mb, src, error_r);
    if (r != MAILBOX_OK && !*error_r)
        *error_r = w.failed ? "cannot write the dump" : mailbox_strerror(r);
    mailbox_close(&mb);
    buf_free(&w.line);
    return r;
}
