/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mailbox_append.c - the durable path: staging a message file, appending
 * staged messages in one commit (APPEND, MULTIAPPEND, LMTP batches) and
 * COPY.  Called by imapd and lmtpd.  A stage is written under
 * <root>/stage./ and fsync'd before the index is locked; the lock is held
 * only to give out UIDs, link the files in and write cache, records and
 * header (the commit order is in imap/mailbox.h).  mailbox_append returns
 * MAILBOX_OK only after the commit's last fsync.  Errors: enum
 * mailbox_result, logged.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "imap/mailbox_internal.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

struct mailbox_stage {
    char *path;
    int fd;
    EVP_MD_CTX *md;
    uint64_t size;
    unsigned char guid[MAILBOX_GUID_SIZE];
    int finished;
    int borrowed;      /* an existing message file: never unlinked */
};

int mailbox_stage_begin(const char *root, struct mailbox_stage **st_r)
{
    static unsigned counter;
    struct mailbox_stage *st;
    struct buf b = BUF_INIT;

    *st_r = NULL;
    buf_printf(&b, "%s/" MAILBOX_STAGE_DIR, root);
    if (mbio_mkdirs(buf_cstring(&b)) != 1) {
        buf_free(&b);
        return MAILBOX_E_IO;
    }
    buf_printf(&b, "/%ld-%u-%lld", (long)getpid(), counter++,
               (long long)time(NULL));
    st = xzmalloc(sizeof(*st));
    st->path = buf_release(&b);
    st->fd = open(st->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (st->fd < 0) {
        log_error("IOERROR: create failed file=<%s> error=<%m>", st->path);
        free(st->path);
        free(st);
        return MAILBOX_E_IO;
    }
    st->md = EVP_MD_CTX_new();
    if (!st->md || EVP_DigestInit_ex(st->md, EVP_sha1(), NULL) != 1)
        fatal(70, "SHA-1 unavailable in OpenSSL");
    *st_r = st;
    return MAILBOX_OK;
}

int mailbox_stage_write(struct mailbox_stage *st, const void *p, size_t n)
{
    if (st->finished || st->fd < 0)
        panic("mailbox_stage_write after finish file=<%s>", st->path);
    if (mbio_pwrite(st->fd, p, n, (off_t)st->size, st->path) != 1)
        return MAILBOX_E_IO;
    EVP_DigestUpdate(st->md, p, n);
    st->size += n;
    return MAILBOX_OK;
}

int mailbox_stage_finish(struct mailbox_stage *st)
{
    unsigned len = 0;
    int ok;

    if (st->finished)
        return MAILBOX_OK;
    ok = mbio_fsync(st->fd, st->path) == 1;
    close(st->fd);
    st->fd = -1;
    EVP_DigestFinal_ex(st->md, st->guid, &len);
    EVP_MD_CTX_free(st->md);
    st->md = NULL;
    if (!ok)
        return MAILBOX_E_IO;
    st->finished = 1;
    mailbox_fault("stage-synced");
    return MAILBOX_OK;
}

int mailbox_stage_data(const char *root, const void *p, size_t n,
                       struct mailbox_stage **st_r)
{
    int r = mailbox_stage_begin(root, st_r);

    if (r == MAILBOX_OK)
        r = mailbox_stage_write(*st_r, p, n);
    if (r == MAILBOX_OK)
        r = mailbox_stage_finish(*st_r);
    if (r != MAILBOX_OK)
        mailbox_stage_free(st_r);
    return r;
}

const char *mailbox_stage_path(const struct mailbox_stage *st)
{
    return st->path;
}
uint64_t mailbox_stage_size(const struct mailbox_stage *st)
{
    return st->size;
}
const unsigned char *mailbox_stage_guid(const struct mailbox_stage *st)
{
    return st->guid;
}

void mailbox_stage_free(struct mailbox_stage **stp)
{
    struct mailbox_stage *st = *stp;

    if (!st)
        return;
    if (st->fd >= 0)
        close(st->fd);
    if (st->md)
        EVP_MD_CTX_free(st->md);
    if (!st->borrowed)
        unlink(st->path);
    free(st->path);
    free(st);
    *stp = NULL;
}

int mailbox_stage_cleanup(const char *root, int64_t max_age)
{
    struct buf dir = BUF_INIT, p = BUF_INIT;
    struct dirent *e;
    int64_t now = (int64_t)time(NULL);
    int removed = 0;
    DIR *d;

    buf_printf(&dir, "%s/" MAILBOX_STAGE_DIR, root);
    d = opendir(buf_cstring(&dir));
    while (d && (e = readdir(d)) != NULL) {
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        buf_reset(&p);
        buf_printf(&p, "%s/%s", dir.s, e->d_name);
        if (lstat(buf_cstring(&p), &st) == 0 && S_ISREG(st.st_mode) &&
            now - (int64_t)st.st_mtime >= max_age && unlink(p.s) == 0)
            removed++;
    }
    if (d)
        closedir(d);
    if (removed)
        log_notice("mailbox stage cleanup root=<%s> removed=<%d>", root,
                   removed);
    buf_free(&dir);
    buf_free(&p);
    return removed;
}

/* make_record - the record of item with uid */
static void make_record(struct mailbox_record *rec,
                        const struct mailbox_append_item *it, uint32_t uid,
                        uint64_t modseq, const struct timespec *now,
                        const uint32_t *bits)
{
    memset(rec, 0, sizeof(*rec));
    rec->uid = uid;
    rec->system_flags = it->system_flags & MAILBOX_FLAGS_SYSTEM;
    rec->internaldate = it->internaldate ? it->internaldate : now->tv_sec;
    rec->internaldate_ns = it->internaldate ? it->internaldate_ns
                                            : (uint32_t)now->tv_nsec;
    rec->sentdate = it->sentdate;
    rec->size = it->stage->size;
    rec->header_size = it->header_size;
    memcpy(rec->user_flags, bits, sizeof(rec->user_flags));
    rec->modseq = modseq;
    memcpy(rec->guid, it->stage->guid, MAILBOX_GUID_SIZE);
    rec->cache_len = (uint32_t)it->cache_len;
}

/* place_all - link every item's file in and build records and cache
 * entries; skipped (source gone) items get uid 0 */
static int place_all(struct mailbox *mb, struct mailbox_append_item *items,
                     size_t n, const uint32_t *bits, struct buf *cache,
                     uint32_t *added_r)
{
    struct timespec now;
    struct buf path = BUF_INIT;
    uint32_t uid = mb->h.uidnext, k = 0;
    uint64_t modseq = mb->h.highestmodseq + 1;
    int r = MAILBOX_OK;

    clock_gettime(CLOCK_REALTIME, &now);
    if (mb->nrecs + n > mb->arecs) {
        mb->arecs = mb->nrecs + (uint32_t)n + 16;
        mb->recs = xreallocarray(mb->recs, mb->arecs, sizeof(*mb->recs));
    }
    for (size_t i = 0; i < n; i++) {
        struct mailbox_record *rec = &mb->recs[mb->nrecs + k];
        int p;

        items[i].uid = 0;
        mailbox_message_path(mb, uid, &path);
        p = mbio_place_file(items[i].stage->path, path.s);
        if (p < 0) {
            r = MAILBOX_E_IO;
            break;
        }
        if (p == 0 && !items[i].stage->borrowed) {
            log_error("IOERROR: staged message vanished file=<%s>",
                      items[i].stage->path);
            r = MAILBOX_E_IO;
            break;
        }
        if (p == 0)
            continue; /* COPY of a message expunged meanwhile */
        make_record(rec, &items[i], uid, modseq, &now,
                    bits + i * (MAILBOX_USER_FLAGS_MAX / 32));
        rec->cache_offset = mb->h.cache_size + cache->len;
        mbc_entry(cache, uid, items[i].cache, items[i].cache_len);
        items[i].uid = uid++;
        k++;
    }
    buf_free(&path);
    *added_r = k;
    return r;
}

/* unplace - remove the files of an append that did not commit */
static void unplace(struct mailbox *mb, struct mailbox_append_item *items,
                    size_t n)
{
    struct buf path = BUF_INIT;

    for (size_t i = 0; i < n; i++) {
        if (!items[i].uid)
            continue;
        mailbox_message_path(mb, items[i].uid, &path);
        unlink(path.s);
        items[i].uid = 0;
    }
    buf_free(&path);
}

/* append_locked - the body of mailbox_append under the exclusive lock */
static int append_locked(struct mailbox *mb, struct mailbox_append_item *items,
                         size_t n)
{
    struct buf cache = BUF_INIT;
    uint32_t *bits = xcalloc(n, MAILBOX_USER_FLAGS_MAX / 8);
    uint32_t added = 0, old = mb->nrecs;
    int r = MAILBOX_OK;

    for (size_t i = 0; r == MAILBOX_OK && i < n; i++)
        r = mbh_resolve(mb, items[i].user_flags, 1,
                        bits + i * (MAILBOX_USER_FLAGS_MAX / 32));
    if (r == MAILBOX_OK)
        r = place_all(mb, items, n, bits, &cache, &added);
    free(bits);
    if (r != MAILBOX_OK || added == 0)
        goto done;
    mailbox_fault("append-linked");
    if (mbio_fsync_dir(mb->path) != 1)
        goto fail;
    mailbox_fault("append-dir-synced");
    if (mbio_pwrite(mb->cache_fd, cache.s, cache.len, (off_t)mb->h.cache_size,
                    mb->cache_path) != 1 ||
        mbio_fsync(mb->cache_fd, mb->cache_path) != 1)
        goto fail;
    mailbox_fault("append-cache-written");
    mb->nrecs += added;
    if (mbi_write_records(mb, old, added) != MAILBOX_OK)
        goto fail;
    mailbox_fault("append-records-written");
    mb->h.uidnext = mb->recs[mb->nrecs - 1].uid + 1;
    mb->h.cache_size += cache.len;
    mb->h.last_appenddate = mb->recs[mb->nrecs - 1].internaldate;
    if (mbi_commit(mb) != MAILBOX_OK)
        goto fail;
    mailbox_fault("append-committed");
    goto done;
fail:
    r = MAILBOX_E_IO;
done:
    if (r != MAILBOX_OK) {
        mb->nrecs = old;
        mb->loaded = 0;
        unplace(mb, items, n);
    }
    buf_free(&cache);
    return r;
}

int mailbox_append(struct mailbox *mb, struct mailbox_append_item *items,
                   size_t n)
{
    int r;

    for (size_t i = 0; i < n; i++)
        if (!items[i].stage || !items[i].stage->finished)
            panic("mailbox_append of an unfinished stage mailbox=<%s>",
                  mb->name);
    if (n == 0)
        return MAILBOX_OK;
    r = mbi_lock_write(mb);
    if (r != MAILBOX_OK)
        return r;
    mailbox_fault("append-locked");
    r = append_locked(mb, items, n);
    mbi_unlock(mb);
    if (r == MAILBOX_OK)
        log_debug("mailbox append mailbox=<%s> messages=<%zu> uidnext=<%u>",
                  mb->name, n, mb->h.uidnext);
    return r;
}

/* One message being copied: what was read from the source. */
struct copy_src {
    struct mailbox_stage stage;
    struct strarray flags;
    struct buf cache;
    uint32_t uid;      /* in the source mailbox */
};

/* copy_collect - read what COPY needs from src under its shared lock */
static int copy_collect(struct mailbox *src, const uint32_t *uids, size_t n,
                        bool (*seen_fn)(void *, const struct mailbox_record *),
                        void *rock, struct copy_src *cs,
                        struct mailbox_append_item *items, size_t *k_r)
{
    struct buf path = BUF_INIT;
    size_t k = 0;
    int r = mbi_lock(src, MBL_SHARED);

    if (r != MAILBOX_OK)
        return r;
    for (size_t i = 0; i < n; i++) {
        const struct mailbox_record *rec = mailbox_record(src, uids[i]);
        struct copy_src *c = &cs[k];

        if (!rec || (rec->system_flags & MAILBOX_FLAG_EXPUNGED))
            continue;
        mailbox_message_path(src, rec->uid, &path);
        c->stage.path = xstrdup(path.s);
        c->stage.fd = -1;
        c->stage.size = rec->size;
        memcpy(c->stage.guid, rec->guid, MAILBOX_GUID_SIZE);
        c->stage.finished = c->stage.borrowed = 1;
        for (unsigned f = 0; f < MAILBOX_USER_FLAGS_MAX; f++)
            if (rec->user_flags[f / 32] & (1u << (f % 32)) &&
                mailbox_user_flag_name(src, f))
                strarray_append(&c->flags, mailbox_user_flag_name(src, f));
        if (mailbox_cache_read(src, rec, &c->cache) != MAILBOX_OK)
            buf_reset(&c->cache); /* logged; the reader will reparse */
        items[k].stage = &c->stage;
        items[k].internaldate = rec->internaldate;
        items[k].internaldate_ns = rec->internaldate_ns;
        items[k].sentdate = rec->sentdate;
        items[k].header_size = rec->header_size;
        items[k].system_flags = rec->system_flags & MAILBOX_FLAGS_SYSTEM;
        if (seen_fn) {
            items[k].system_flags &= ~MAILBOX_FLAG_SEEN;
            if (seen_fn(rock, rec))
                items[k].system_flags |= MAILBOX_FLAG_SEEN;
        }
        items[k].user_flags = &c->flags;
        items[k].cache = c->cache.s;
        items[k].cache_len = c->cache.len;
        c->uid = rec->uid;
        k++;
    }
    mbi_unlock(src);
    buf_free(&path);
    *k_r = k;
    return MAILBOX_OK;
}

int mailbox_copy(struct mailbox *src, const uint32_t *uids, size_t n,
                 struct mailbox *dst, struct mailbox_uids *uids_r,
                 struct mailbox_uids *new_uids_r)
{
    return mailbox_copy_seen(src, uids, n, dst, NULL, NULL, uids_r,
                             new_uids_r);
}

int mailbox_copy_seen(struct mailbox *src, const uint32_t *uids, size_t n,
                      struct mailbox *dst,
                      bool (*seen_fn)(void *rock,
                                      const struct mailbox_record *rec),
                      void *rock, struct mailbox_uids *uids_r,
                      struct mailbox_uids *new_uids_r)
{
    struct copy_src *cs = xcalloc(n ? n : 1, sizeof(*cs));
    struct mailbox_append_item *items = xcalloc(n ? n : 1, sizeof(*items));
    size_t k = 0;
    int r;

    r = copy_collect(src, uids, n, seen_fn, rock, cs, items, &k);
    if (r == MAILBOX_OK)
        r = mailbox_append(dst, items, k);
    for (size_t i = 0; r == MAILBOX_OK && i < k; i++) {
        if (!items[i].uid)
            continue;
        if (uids_r)
            mailbox_uids_add(uids_r, cs[i].uid);
        if (new_uids_r)
            mailbox_uids_add(new_uids_r, items[i].uid);
    }
    for (size_t i = 0; i < k; i++) {
        free(cs[i].stage.path);
        strarray_fini(&cs[i].flags);
        buf_free(&cs[i].cache);
    }
    free(cs);
    free(items);
    return r;
}
