/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mailbox_expunge.c - EXPUNGE (mark records, unlink the files) and cleanup
 * (drop old expunged records by rewriting cyrus.index under a new name and
 * renaming it over the old one).  Called by imapd (EXPUNGE, CLOSE, UID
 * EXPUNGE), pop3d (QUIT) and maintenance tools.  Files are unlinked only
 * after the commit that expunges them is durable; if a crash comes first,
 * cleanup and reconstruct unlink them later.  Errors: enum mailbox_result,
 * logged.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "imap/mailbox_internal.h"
#include "lib/buf.h"
#include "lib/log.h"

/* mark - expunge the record at index at with modseq; 1 when it was live */
static int mark(struct mailbox *mb, long at, uint64_t modseq,
                struct mailbox_uids *list)
{
    struct mailbox_record *rec = &mb->recs[at];

    if (rec->system_flags & MAILBOX_FLAG_EXPUNGED)
        return 0;
    rec->system_flags |= MAILBOX_FLAG_EXPUNGED;
    rec->modseq = modseq;
    mailbox_uids_add(list, rec->uid);
    return 1;
}

/* unlink_messages - remove the files of uids (already gone is fine) */
static void unlink_messages(struct mailbox *mb, const struct mailbox_uids *u)
{
    struct buf path = BUF_INIT;

    for (size_t i = 0; i < u->count; i++) {
        mailbox_message_path(mb, u->v[i], &path);
        if (unlink(path.s) < 0 && errno != ENOENT)
            log_error("IOERROR: unlink failed file=<%s> error=<%m>", path.s);
    }
    buf_free(&path);
}

int mailbox_expunge(struct mailbox *mb, const uint32_t *uids, size_t n,
                    struct mailbox_uids *expunged_r)
{
    struct mailbox_uids list = { NULL, 0, 0 };
    uint64_t modseq;
    int r = mbi_lock_write(mb);

    if (r != MAILBOX_OK)
        return r;
    modseq = mb->h.highestmodseq + 1;
    if (!uids) {
        for (uint32_t i = 0; i < mb->nrecs; i++)
            if (mb->recs[i].system_flags & MAILBOX_FLAG_DELETED)
                mark(mb, i, modseq, &list);
    } else {
        for (size_t i = 0; i < n; i++) {
            long at = mbi_find(mb, uids[i]);
            if (at >= 0)
                mark(mb, at, modseq, &list);
        }
    }
    /* records are few per expunge: write each one where it is */
    for (size_t i = 0; r == MAILBOX_OK && i < list.count; i++)
        r = mbi_write_records(mb, (uint32_t)mbi_find(mb, list.v[i]), 1);
    if (r == MAILBOX_OK && list.count)
        r = mbi_commit(mb);
    if (r != MAILBOX_OK)
        mb->loaded = 0;
    mbi_unlock(mb);
    if (r == MAILBOX_OK && list.count) {
        mailbox_fault("expunge-committed");
        unlink_messages(mb, &list);
        log_info("mailbox expunge mailbox=<%s> messages=<%zu>", mb->name,
                 list.count);
    }
    if (r == MAILBOX_OK && expunged_r)
        for (size_t i = 0; i < list.count; i++)
            mailbox_uids_add(expunged_r, list.v[i]);
    mailbox_uids_fini(&list);
    return r;
}

/* replace_index - rename the new index over the old and wake watchers */
static int replace_index(struct mailbox *mb, const char *tmp)
{
    unsigned char slot[MBI_SLOT_SIZE];

    if (rename(tmp, mb->index_path) < 0) {
        log_error("IOERROR: rename failed file=<%s> error=<%m>",
                  mb->index_path);
        unlink(tmp);
        return MAILBOX_E_IO;
    }
    if (mbio_fsync_dir(mb->path) != 1)
        return MAILBOX_E_IO;
    /* an IN_MODIFY on the old inode, for sessions watching it */
    if (mbio_pread(mb->index_fd, slot, sizeof(slot),
                   (off_t)mb->slot * MBI_SLOT_SIZE, mb->index_path) == 1)
        (void)mbio_pwrite(mb->index_fd, slot, sizeof(slot),
                          (off_t)mb->slot * MBI_SLOT_SIZE, mb->index_path);
    return MAILBOX_OK;
}

int mailbox_cleanup(struct mailbox *mb, uint64_t upto)
{
    struct mailbox_uids gone = { NULL, 0, 0 };
    struct mailbox_header h;
    struct buf tmp = BUF_INIT;
    uint32_t kept = 0;
    int r = mbi_lock_write(mb);

    if (r != MAILBOX_OK)
        return r;
    h = mb->h;
    for (uint32_t i = 0; i < mb->nrecs; i++) {
        const struct mailbox_record *rec = &mb->recs[i];
        if ((rec->system_flags & MAILBOX_FLAG_EXPUNGED) &&
            (!upto || rec->modseq <= upto)) {
            mailbox_uids_add(&gone, rec->uid);
            if (rec->modseq > h.deletedmodseq)
                h.deletedmodseq = rec->modseq;
            continue;
        }
        mb->recs[kept++] = *rec;
    }
    mb->nrecs = kept; /* and reloaded after the files are reopened */
    if (!gone.count) {
        mbi_unlock(mb);
        return MAILBOX_OK;
    }
    /* files a crash kept from being unlinked at expunge time */
    unlink_messages(mb, &gone);
    h.generation++;
    buf_printf(&tmp, "%s.NEW.%ld", mb->index_path, (long)getpid());
    r = mbi_write_new_index(buf_cstring(&tmp), &h, mb->recs, kept);
    if (r == MAILBOX_OK) {
        mailbox_fault("cleanup-written");
        r = replace_index(mb, tmp.s);
    }
    /* drop the old file (and our lock on it) and follow the new one */
    mbi_close_files(mb);
    if (r == MAILBOX_OK)
        r = mbi_open_files(mb);
    else
        mbi_open_files(mb);
    if (mb->notify_fd >= 0)
        mailbox_change_drain(mb);
    if (r == MAILBOX_OK)
        log_info("mailbox cleanup mailbox=<%s> records=<%zu> "
                 "deletedmodseq=<%llu>", mb->name, gone.count,
                 (unsigned long long)h.deletedmodseq);
    mailbox_uids_fini(&gone);
    buf_free(&tmp);
    return r;
}
