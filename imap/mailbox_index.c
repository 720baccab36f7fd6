/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mailbox_index.c - cyrus.index: the header slot and record codecs, loading
 * with validation and repair, the commit, and the lock that goes with them.
 * Called by the other mailbox*.c files only (format in imap/mailbox.h).
 * A load checks every record's CRC and recounts the header, so whatever a
 * crash left behind is noticed by the next process to lock the mailbox.
 * Errors are logged here (IOERROR/DBERROR lines) and returned as
 * enum mailbox_result.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "imap/mailbox_internal.h"
#include "lib/buf.h"
#include "lib/lock.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

#define MBI_NEED_REPAIR 1 /* internal result of mbi_load */

/* put32 / put64 / get32 / get64 - big-endian integers */
static void put32(unsigned char *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}
static void put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)(v >> 32));
    put32(p + 4, (uint32_t)v);
}
static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}
static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) << 32 | get32(p + 4);
}
/* crc - CRC-32 of p[0..n) */
static uint32_t crc(const void *p, size_t n)
{
    return (uint32_t)crc32_z(0, p, n);
}

void mbi_header_encode(const struct mailbox_header *h, unsigned char *p)
{
    memset(p, 0, MBI_SLOT_SIZE);
    memcpy(p, MBI_MAGIC, 4);
    put32(p + 4, MAILBOX_FORMAT_VERSION);
    put32(p + 8, MBI_HEADER_SIZE);
    put32(p + 12, MAILBOX_RECORD_SIZE);
    put64(p + 16, h->generation);
    put32(p + 24, h->uidvalidity);
    put32(p + 28, h->uidnext);
    put64(p + 32, h->highestmodseq);
    put32(p + 40, h->num_records);
    put32(p + 44, h->exists);
    put32(p + 48, h->answered);
    put32(p + 52, h->flagged);
    put32(p + 56, h->deleted);
    put32(p + 60, h->unseen);
    put64(p + 64, h->quota_used);
    put64(p + 72, (uint64_t)h->last_appenddate);
    put64(p + 80, h->deletedmodseq);
    put64(p + 88, h->cache_size);
    put32(p + MBI_SLOT_SIZE - 4, crc(p, MBI_SLOT_SIZE - 4));
}

/* Returns 1 when the slot is intact and of our version, else 0. */
int mbi_header_decode(const unsigned char *p, struct mailbox_header *h)
{
    if (memcmp(p, MBI_MAGIC, 4) != 0 ||
        get32(p + MBI_SLOT_SIZE - 4) != crc(p, MBI_SLOT_SIZE - 4) ||
        get32(p + 4) != MAILBOX_FORMAT_VERSION ||
        get32(p + 8) != MBI_HEADER_SIZE ||
        get32(p + 12) != MAILBOX_RECORD_SIZE)
        return 0;
    h->generation = get64(p + 16);
    h->uidvalidity = get32(p + 24);
    h->uidnext = get32(p + 28);
    h->highestmodseq = get64(p + 32);
    h->num_records = get32(p + 40);
    h->exists = get32(p + 44);
    h->answered = get32(p + 48);
    h->flagged = get32(p + 52);
    h->deleted = get32(p + 56);
    h->unseen = get32(p + 60);
    h->quota_used = get64(p + 64);
    h->last_appenddate = (int64_t)get64(p + 72);
    h->deletedmodseq = get64(p + 80);
    h->cache_size = get64(p + 88);
    return 1;
}

void mbi_record_encode(const struct mailbox_record *r, unsigned char *p)
{
    memset(p, 0, MAILBOX_RECORD_SIZE);
    put32(p, r->uid);
    put32(p + 4, r->system_flags);
    put64(p + 8, (uint64_t)r->internaldate);
    put32(p + 16, r->internaldate_ns);
    put32(p + 20, r->header_size);
    put64(p + 24, (uint64_t)r->sentdate);
    put64(p + 32, r->size);
    for (int i = 0; i < MAILBOX_USER_FLAGS_MAX / 32; i++)
        put32(p + 40 + 4 * i, r->user_flags[i]);
    put64(p + 56, r->modseq);
    memcpy(p + 64, r->guid, MAILBOX_GUID_SIZE);
    put32(p + 84, r->cache_len);
    put64(p + 88, r->cache_offset);
    put32(p + MAILBOX_RECORD_SIZE - 4, crc(p, MAILBOX_RECORD_SIZE - 4));
}

/* Decodes whatever is there; returns 1 when the CRC matches, else 0. */
int mbi_record_decode(const unsigned char *p, struct mailbox_record *r)
{
    r->uid = get32(p);
    r->system_flags = get32(p + 4);
    r->internaldate = (int64_t)get64(p + 8);
    r->internaldate_ns = get32(p + 16);
    r->header_size = get32(p + 20);
    r->sentdate = (int64_t)get64(p + 24);
    r->size = get64(p + 32);
    for (int i = 0; i < MAILBOX_USER_FLAGS_MAX / 32; i++)
        r->user_flags[i] = get32(p + 40 + 4 * i);
    r->modseq = get64(p + 56);
    memcpy(r->guid, p + 64, MAILBOX_GUID_SIZE);
    r->cache_len = get32(p + 84);
    r->cache_offset = get64(p + 88);
    return get32(p + MAILBOX_RECORD_SIZE - 4) ==
           crc(p, MAILBOX_RECORD_SIZE - 4);
}

long mbi_find(const struct mailbox *mb, uint32_t uid)
{
    long lo = 0, hi = (long)mb->nrecs - 1;

    while (lo <= hi) {
        long mid = lo + (hi - lo) / 2;
        if (mb->recs[mid].uid == uid)
            return mid;
        if (mb->recs[mid].uid < uid)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

void mbi_recount(const struct mailbox_header *in,
                 const struct mailbox_record *recs, uint32_t n,
                 struct mailbox_header *out)
{
    *out = *in;
    out->num_records = n;
    out->exists = out->answered = out->flagged = out->deleted = 0;
    out->unseen = 0;
    out->quota_used = 0;
    for (uint32_t i = 0; i < n; i++) {
        const struct mailbox_record *r = &recs[i];
        if (r->modseq > out->highestmodseq)
            out->highestmodseq = r->modseq;
        if (r->uid >= out->uidnext)
            out->uidnext = r->uid + 1;
        if (r->system_flags & MAILBOX_FLAG_EXPUNGED)
            continue;
        out->exists++;
        out->quota_used += r->size;
        out->answered += !!(r->system_flags & MAILBOX_FLAG_ANSWERED);
        out->flagged += !!(r->system_flags & MAILBOX_FLAG_FLAGGED);
        out->deleted += !!(r->system_flags & MAILBOX_FLAG_DELETED);
        out->unseen += !(r->system_flags & MAILBOX_FLAG_SEEN);
    }
}

/* pick_slot - decode both header slots, choose the valid newest; -1 none */
static int pick_slot(const unsigned char *buf, struct mailbox_header *h)
{
    struct mailbox_header a, b;
    int va = mbi_header_decode(buf, &a);
    int vb = mbi_header_decode(buf + MBI_SLOT_SIZE, &b);

    if (va && (!vb || a.generation >= b.generation)) {
        *h = a;
        return 0;
    }
    if (vb) {
        *h = b;
        return 1;
    }
    return -1;
}

/* decode_records - decode n records, checking order; torn[] marks CRC
 * failures that still look like the record they were.  Returns
 * MAILBOX_OK or MAILBOX_E_CORRUPT. */
static int decode_records(struct mailbox *mb, const unsigned char *buf,
                          uint32_t n, const struct mailbox_header *h,
                          unsigned char *torn)
{
    uint32_t prev = 0;

    for (uint32_t i = 0; i < n; i++) {
        struct mailbox_record *r = &mb->recs[i];
        int ok = mbi_record_decode(buf + (size_t)i * MAILBOX_RECORD_SIZE, r);
        torn[i] = !ok;
        if (r->uid <= prev || (!ok && r->uid >= h->uidnext)) {
            log_error("IOERROR: mailbox index record damaged mailbox=<%s> "
                      "record=<%u> uid=<%u> crc=<%s>; run reconstruct",
                      mb->name, i, r->uid, ok ? "ok" : "bad");
            return MAILBOX_E_CORRUPT;
        }
        prev = r->uid;
    }
    return MAILBOX_OK;
}

/* repair - fix torn records and the header after a crash (exclusive) */
static int repair(struct mailbox *mb, const unsigned char *torn)
{
    struct mailbox_header fixed;
    uint64_t modseq;
    unsigned ntorn = 0;

    mbi_recount(&mb->h, mb->recs, mb->nrecs, &fixed);
    modseq = fixed.highestmodseq + 1;
    for (uint32_t i = 0; i < mb->nrecs; i++) {
        if (!torn[i])
            continue;
        ntorn++;
        mb->recs[i].modseq = modseq;
        if (mbi_write_records(mb, i, 1) != MAILBOX_OK)
            return MAILBOX_E_IO;
    }
    log_warning("mailbox index repaired mailbox=<%s> torn_records=<%u> "
                "generation=<%llu>", mb->name, ntorn,
                (unsigned long long)mb->h.generation);
    return mbi_commit(mb);
}

/* mbi_load - read the index if it changed since the last load */
static int mbi_load(struct mailbox *mb, int can_repair)
{
    unsigned char hbuf[MBI_HEADER_SIZE], *rbuf = NULL, *torn = NULL;
    struct mailbox_header h, counted;
    int slot, r, ok;
    size_t rlen;

    ok = mbio_pread(mb->index_fd, hbuf, sizeof(hbuf), 0, mb->index_path);
    if (ok < 0)
        return MAILBOX_E_IO;
    slot = ok ? pick_slot(hbuf, &h) : -1;
    if (slot < 0) {
        log_error("IOERROR: mailbox index header unreadable mailbox=<%s> "
                  "file=<%s>; run reconstruct", mb->name, mb->index_path);
        return MAILBOX_E_CORRUPT;
    }
    if (mb->loaded && h.generation == mb->h.generation && slot == mb->slot)
        return MAILBOX_OK;

    rlen = (size_t)h.num_records * MAILBOX_RECORD_SIZE;
    rbuf = xmalloc(rlen ? rlen : 1);
    ok = mbio_pread(mb->index_fd, rbuf, rlen, MBI_HEADER_SIZE, mb->index_path);
    if (ok <= 0) {
        free(rbuf);
        if (ok == 0)
            log_error("IOERROR: mailbox index truncated mailbox=<%s> "
                      "records=<%u>; run reconstruct", mb->name,
                      h.num_records);
        return ok < 0 ? MAILBOX_E_IO : MAILBOX_E_CORRUPT;
    }
    if (h.num_records > mb->arecs) {
        mb->arecs = h.num_records + 16;
        mb->recs = xreallocarray(mb->recs, mb->arecs, sizeof(*mb->recs));
    }
    torn = xzmalloc(h.num_records + 1);
    mb->loaded = 0;
    r = decode_records(mb, rbuf, h.num_records, &h, torn);
    free(rbuf);
    if (r != MAILBOX_OK) {
        free(torn);
        return r;
    }
    mb->nrecs = h.num_records;
    mb->h = h;
    mb->slot = slot;
    r = mbh_read(mb);
    if (r != MAILBOX_OK) {
        free(torn);
        return r;
    }
    mbi_recount(&h, mb->recs, mb->nrecs, &counted);
    ok = memcmp(&counted, &h, sizeof(h)) == 0 &&
         memchr(torn, 1, mb->nrecs) == NULL;
    if (!ok && !can_repair) {
        free(torn);
        return MBI_NEED_REPAIR;
    }
    mb->loaded = 1;
    r = ok ? MAILBOX_OK : repair(mb, torn);
    free(torn);
    return r;
}

int mbi_open_files(struct mailbox *mb)
{
    struct stat st;

    mb->index_fd = open(mb->index_path, O_RDWR | O_CLOEXEC);
    if (mb->index_fd < 0) {
        if (errno == ENOENT)
            return MAILBOX_E_NOTFOUND;
        log_error("IOERROR: open failed file=<%s> error=<%m>", mb->index_path);
        return MAILBOX_E_IO;
    }
    mb->cache_fd = open(mb->cache_path, O_RDWR | O_CLOEXEC);
    if (mb->cache_fd < 0 || fstat(mb->index_fd, &st) < 0) {
        log_error("IOERROR: open failed file=<%s> error=<%m>", mb->cache_path);
        mbi_close_files(mb);
        return MAILBOX_E_IO;
    }
    mb->index_dev = st.st_dev;
    mb->index_ino = st.st_ino;
    mb->loaded = 0;
    return MAILBOX_OK;
}

void mbi_close_files(struct mailbox *mb)
{
    if (mb->index_fd >= 0)
        close(mb->index_fd);
    if (mb->cache_fd >= 0)
        close(mb->cache_fd);
    mb->index_fd = mb->cache_fd = -1;
    mb->lock = MBL_NONE;
}

/* lock_current - lock the index fd, following a replaced file */
static int lock_current(struct mailbox *mb, enum lock_type type)
{
    const char *err = NULL;
    struct stat st;

    for (int tries = 0; tries < 10; tries++) {
        int r = lock_fd(mb->index_fd, type, MAILBOX_LOCK_TIMEOUT_MS, &err);
        if (r == 0) {
            log_error("mailbox lock timeout mailbox=<%s>", mb->name);
            return MAILBOX_E_LOCKED;
        }
        if (r < 0) {
            log_error("IOERROR: lock failed file=<%s> error=<%s>",
                      mb->index_path, err);
            return MAILBOX_E_IO;
        }
        if (stat(mb->index_path, &st) < 0) {
            lock_unlock(mb->index_fd, &err);
            return errno == ENOENT ? MAILBOX_E_NOTFOUND : MAILBOX_E_IO;
        }
        if (st.st_ino == mb->index_ino && st.st_dev == mb->index_dev)
            return MAILBOX_OK;
        /* replaced by cleanup or reconstruct: follow it */
        mbi_close_files(mb);
        r = mbi_open_files(mb);
        if (r != MAILBOX_OK)
            return r;
        if (mb->notify_fd >= 0)
            mailbox_change_drain(mb); /* re-arms the watch */
    }
    return MAILBOX_E_LOCKED;
}

int mbi_lock(struct mailbox *mb, enum mailbox_lockstate type)
{
    for (;;) {
        int r;

        if (mb->lock != MBL_NONE)
            panic("mailbox locked twice mailbox=<%s>", mb->name);
        r = lock_current(mb, type == MBL_EXCLUSIVE ? LOCK_TYPE_EXCLUSIVE
                                                   : LOCK_TYPE_SHARED);
        if (r != MAILBOX_OK)
            return r;
        mb->lock = type;
        r = mbi_load(mb, type == MBL_EXCLUSIVE);
        if (r == MBI_NEED_REPAIR) {
            /* a crash left work to do: come back as a writer */
            mbi_unlock(mb);
            type = MBL_EXCLUSIVE;
            continue;
        }
        if (r != MAILBOX_OK)
            mbi_unlock(mb);
        return r;
    }
}

void mbi_unlock(struct mailbox *mb)
{
    const char *err = NULL;

    if (mb->lock == MBL_NONE)
        return;
    if (mb->index_fd >= 0 && lock_unlock(mb->index_fd, &err) < 0)
        log_error("IOERROR: unlock failed file=<%s> error=<%s>",
                  mb->index_path, err);
    mb->lock = MBL_NONE;
}

/* The process's write check (mailbox_set_write_check); NULL: none. */
static mailbox_write_check_fn *write_check;

void mailbox_set_write_check(mailbox_write_check_fn *fn)
{
    write_check = fn;
}

int mailbox_writable(const struct mailbox *mb)
{
    return write_check ? write_check(mb->name) : MAILBOX_OK;
}

/* The check runs under the lock, so it and the commit are one step as
 * seen by mailbox_write_barrier: a writer either committed before the
 * barrier got the lock or checks after the answer changed.  One lookup
 * per write call, whatever the number of messages. */
int mbi_lock_write(struct mailbox *mb)
{
    int r = mbi_lock(mb, MBL_EXCLUSIVE);

    if (r != MAILBOX_OK || !write_check)
        return r;
    r = write_check(mb->name);
    if (r != MAILBOX_OK) {
        mbi_unlock(mb);
        log_notice("mailbox write refused mailbox=<%s> error=<%s>", mb->name,
                   mailbox_strerror(r));
    }
    return r;
}

int mbi_write_records(struct mailbox *mb, uint32_t from, uint32_t count)
{
    size_t n = (size_t)count * MAILBOX_RECORD_SIZE;
    unsigned char *buf = xmalloc(n ? n : 1);
    int ok;

    for (uint32_t i = 0; i < count; i++)
        mbi_record_encode(&mb->recs[from + i],
                          buf + (size_t)i * MAILBOX_RECORD_SIZE);
    ok = mbio_pwrite(mb->index_fd, buf, n,
                     MBI_HEADER_SIZE + (off_t)from * MAILBOX_RECORD_SIZE,
                     mb->index_path);
    free(buf);
    return ok > 0 ? MAILBOX_OK : MAILBOX_E_IO;
}

int mbi_commit(struct mailbox *mb)
{
    unsigned char slot[MBI_SLOT_SIZE];
    struct mailbox_header h;
    int other = 1 - mb->slot;

    if (mb->lock != MBL_EXCLUSIVE)
        panic("mailbox commit without the exclusive lock mailbox=<%s>",
              mb->name);
    mbi_recount(&mb->h, mb->recs, mb->nrecs, &h);
    h.generation++;
    if (mbio_fsync(mb->index_fd, mb->index_path) != 1)
        goto fail;
    mailbox_fault("commit-records-synced");
    mbi_header_encode(&h, slot);
    if (mbio_pwrite(mb->index_fd, slot, sizeof(slot),
                    (off_t)other * MBI_SLOT_SIZE, mb->index_path) != 1)
        goto fail;
    mailbox_fault("commit-header-written");
    if (mbio_fsync(mb->index_fd, mb->index_path) != 1)
        goto fail;
    mb->h = h;
    mb->slot = other;
    return MAILBOX_OK;
fail:
    mb->loaded = 0; /* memory is ahead of the disk: reload next time */
    return MAILBOX_E_IO;
}

int mbi_write_new_index(const char *path, const struct mailbox_header *h,
                        const struct mailbox_record *recs, uint32_t n)
{
    unsigned char slot[MBI_SLOT_SIZE];
    struct mailbox_header c;
    size_t rlen = (size_t)n * MAILBOX_RECORD_SIZE;
    unsigned char *buf = xzmalloc(MBI_HEADER_SIZE + rlen);
    int fd, ok;

    mbi_recount(h, recs, n, &c);
    mbi_header_encode(&c, slot);
    memcpy(buf, slot, MBI_SLOT_SIZE);
    memcpy(buf + MBI_SLOT_SIZE, slot, MBI_SLOT_SIZE);
    for (uint32_t i = 0; i < n; i++)
        mbi_record_encode(&recs[i], buf + MBI_HEADER_SIZE +
                                        (size_t)i * MAILBOX_RECORD_SIZE);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        log_error("IOERROR: create failed file=<%s> error=<%m>", path);
        free(buf);
        return MAILBOX_E_IO;
    }
    ok = mbio_pwrite(fd, buf, MBI_HEADER_SIZE + rlen, 0, path) == 1 &&
         mbio_fsync(fd, path) == 1;
    close(fd);
    free(buf);
    return ok ? MAILBOX_OK : MAILBOX_E_IO;
}

/* ---- I/O helpers ---- */

int mbio_pwrite(int fd, const void *p, size_t n, off_t off, const char *path)
{
    const char *c = p;

    while (n > 0) {
        ssize_t w = pwrite(fd, c, n, off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            log_error("IOERROR: write failed file=<%s> error=<%m>", path);
            return -1;
        }
        c += w;
        n -= (size_t)w;
        off += w;
    }
    return 1;
}

int mbio_pread(int fd, void *p, size_t n, off_t off, const char *path)
{
    char *c = p;

    while (n > 0) {
        ssize_t r = pread(fd, c, n, off);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            log_error("IOERROR: read failed file=<%s> error=<%m>", path);
            return -1;
        }
        if (r == 0)
            return 0;
        c += r;
        n -= (size_t)r;
        off += r;
    }
    return 1;
}

int mbio_fsync(int fd, const char *path)
{
    if (fsync(fd) < 0) {
        log_error("IOERROR: fsync failed file=<%s> error=<%m>", path);
        return -1;
    }
    return 1;
}

int mbio_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int r;

    if (fd < 0) {
        log_error("IOERROR: open directory failed file=<%s> error=<%m>", dir);
        return -1;
    }
    r = mbio_fsync(fd, dir);
    close(fd);
    return r;
}

int mbio_mkdirs(const char *dir)
{
    struct buf b = BUF_INIT;
    int r = 1;

    buf_setcstr(&b, dir);
    for (size_t i = 1; r == 1 && i <= b.len; i++) {
        if (i < b.len && b.s[i] != '/')
            continue;
        b.s[i] = '\0';
        if (mkdir(b.s, 0700) == 0) {
            char *slash = strrchr(b.s, '/');
            if (slash && slash != b.s) {
                *slash = '\0';
                r = mbio_fsync_dir(b.s);
                *slash = '/';
            }
        } else if (errno != EEXIST) {
            log_error("IOERROR: mkdir failed file=<%s> error=<%m>", b.s);
            r = -1;
        }
        if (i < b.len)
            b.s[i] = '/';
    }
    buf_free(&b);
    return r;
}
