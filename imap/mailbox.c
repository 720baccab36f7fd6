/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mailbox.c - a mailbox's life (create, open, close, delete, rename) and a
 * session's view of it: the snapshot, mailbox_refresh() and the change
 * notification used by IDLE.  Called by imapd, pop3d, lmtpd and the admin
 * tools; one handle per session, never shared across processes.  The
 * index format, its load and commit are in mailbox_index.c.  Errors are
 * logged where they happen and returned as enum mailbox_result.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include "imap/mailbox_internal.h"
#include "imap/mboxname.h"
#include "lib/buf.h"
#include "lib/lock.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

void (*mailbox_fault_hook)(const char *point);

void mailbox_fault(const char *point)
{
    static int env_read, stop;
    static char *name;
    static unsigned long nth, hits;
    const char *env, *action;

    if (mailbox_fault_hook) {
        mailbox_fault_hook(point);
        return;
    }
    if (!env_read) {
        /* MAILBOX_FAULT_POINT=<point>[:<n>]: at its n-th passage (1st by
         * default); MAILBOX_FAULT_ACTION=stop: SIGSTOP instead of SIGKILL,
         * so that a test can act while the writer is frozen there */
        env_read = 1;
        env = getenv("MAILBOX_FAULT_POINT");
        action = getenv("MAILBOX_FAULT_ACTION");
        stop = action && strcmp(action, "stop") == 0;
        if (env) {
            const char *colon = strchr(env, ':');

            name = colon ? xstrndup(env, (size_t)(colon - env)) : xstrdup(env);
            nth = colon ? strtoul(colon + 1, NULL, 10) : 1;
        }
    }
    if (name && strcmp(name, point) == 0 && ++hits == nth)
        kill(getpid(), stop ? SIGSTOP : SIGKILL);
}

const char *mailbox_strerror(int r)
{
    switch (r) {
    case MAILBOX_OK: return "ok";
    case MAILBOX_E_IO: return "I/O error";
    case MAILBOX_E_NOTFOUND: return "mailbox or message does not exist";
    case MAILBOX_E_EXISTS: return "mailbox already exists";
    case MAILBOX_E_CORRUPT: return "mailbox index damaged, run reconstruct";
    case MAILBOX_E_FLAGS_FULL: return "too many user flags in mailbox";
    case MAILBOX_E_BADNAME: return "invalid name";
    case MAILBOX_E_LOCKED: return "mailbox is locked";
    case MAILBOX_E_MOVING:
        return "mailbox is being moved to another server, try again";
    }
    return "unknown mailbox error";
}

void mailbox_uids_add(struct mailbox_uids *u, uint32_t uid)
{
    if (u->count == u->alloc) {
        u->alloc = u->alloc ? 2 * u->alloc : 16;
        u->v = xreallocarray(u->v, u->alloc, sizeof(*u->v));
    }
    u->v[u->count++] = uid;
}

void mailbox_uids_fini(struct mailbox_uids *u)
{
    free(u->v);
    u->v = NULL;
    u->count = u->alloc = 0;
}

void mailbox_changes_fini(struct mailbox_changes *c)
{
    mailbox_uids_fini(&c->expunged_uids);
    mailbox_uids_fini(&c->expunged_msgnos);
    mailbox_uids_fini(&c->changed_uids);
}

uint32_t mailbox_new_uidvalidity(void)
{
    static uint32_t last;
    uint32_t v = (uint32_t)time(NULL);

    if (v <= last)
        v = last + 1;
    last = v;
    return v;
}

int mailbox_dir(const char *root, const char *name, struct buf *out)
{
    struct buf rel = BUF_INIT;
    const char *err = NULL;

    if (mboxname_spool_path(name, 0, &rel, &err) != 1) {
        log_error("mailbox name refused mailbox=<%s> error=<%s>", name, err);
        buf_free(&rel);
        return MAILBOX_E_BADNAME;
    }
    buf_reset(out);
    buf_printf(out, "%s/%s", root, buf_cstring(&rel));
    buf_free(&rel);
    return MAILBOX_OK;
}

struct mailbox *mailbox_alloc(const char *root, const char *name,
                              const char *dir)
{
    struct mailbox *mb = xzmalloc(sizeof(*mb));
    struct buf b = BUF_INIT;

    mb->root = xstrdup(root);
    mb->name = xstrdup(name);
    mb->path = xstrdup(dir);
    buf_printf(&b, "%s/" MAILBOX_INDEX_NAME, dir);
    mb->index_path = buf_release(&b);
    buf_printf(&b, "%s/" MAILBOX_CACHE_NAME, dir);
    mb->cache_path = buf_release(&b);
    buf_printf(&b, "%s/" MAILBOX_HEADER_NAME, dir);
    mb->header_path = buf_release(&b);
    mb->index_fd = mb->cache_fd = mb->notify_fd = -1;
    return mb;
}

/* install_new - link tmp to final (failing when final exists), drop tmp */
static int install_new(const char *tmp, const char *final)
{
    int r = MAILBOX_OK;

    if (link(tmp, final) < 0) {
        r = errno == EEXIST ? MAILBOX_E_EXISTS : MAILBOX_E_IO;
        if (r == MAILBOX_E_IO)
            log_error("IOERROR: link failed file=<%s> error=<%m>", final);
    }
    unlink(tmp);
    return r;
}

int mailbox_create(const char *root, const char *name, uint32_t uidvalidity,
                   struct mailbox **mb_r)
{
    struct buf dir = BUF_INIT, tmp = BUF_INIT;
    struct strarray noflags = STRARRAY_INIT;
    struct mailbox_header h;
    struct stat st;
    int r = mailbox_dir(root, name, &dir);

    if (r != MAILBOX_OK)
        goto out;
    if (mbio_mkdirs(buf_cstring(&dir)) != 1) {
        r = MAILBOX_E_IO;
        goto out;
    }
    buf_printf(&tmp, "%s/" MAILBOX_INDEX_NAME, dir.s);
    if (stat(tmp.s, &st) == 0) {
        r = MAILBOX_E_EXISTS;
        goto out;
    }
    if (!uidvalidity)
        uidvalidity = mailbox_new_uidvalidity();
    memset(&h, 0, sizeof(h));
    h.generation = 1;
    h.uidvalidity = uidvalidity;
    h.uidnext = 1;
    h.highestmodseq = 1;
    h.cache_size = MBC_HEADER_SIZE;
    h.last_appenddate = 0;

    buf_reset(&tmp);
    buf_printf(&tmp, "%s/" MAILBOX_HEADER_NAME, dir.s);
    r = mbh_write(tmp.s, name, uidvalidity, &noflags);
    if (r == MAILBOX_OK) {
        buf_reset(&tmp);
        buf_printf(&tmp, "%s/" MAILBOX_CACHE_NAME, dir.s);
        r = mbc_write_new(tmp.s);
    }
    if (r == MAILBOX_OK) {
        char *final;
        buf_reset(&tmp);
        buf_printf(&tmp, "%s/" MAILBOX_INDEX_NAME, dir.s);
        final = xstrdup(tmp.s);
        buf_printf(&tmp, ".NEW.%ld", (long)getpid());
        r = mbi_write_new_index(tmp.s, &h, NULL, 0);
        if (r == MAILBOX_OK)
            r = install_new(tmp.s, final);
        free(final);
    }
    if (r == MAILBOX_OK && mbio_fsync_dir(dir.s) != 1)
        r = MAILBOX_E_IO;
    if (r == MAILBOX_OK) {
        log_info("mailbox created mailbox=<%s> uidvalidity=<%u>", name,
                 uidvalidity);
        if (mb_r)
            r = mailbox_open(root, name, mb_r);
    }
out:
    buf_free(&dir);
    buf_free(&tmp);
    return r;
}

/* snapshot_add - append uid to the session's snapshot */
static void snapshot_add(struct mailbox *mb, uint32_t uid)
{
    if (mb->nsnap == mb->asnap) {
        mb->asnap = mb->asnap ? 2 * mb->asnap : 64;
        mb->snap = xreallocarray(mb->snap, mb->asnap, sizeof(*mb->snap));
    }
    mb->snap[mb->nsnap++] = uid;
    mb->snap_lastuid = uid;
}

int mailbox_open(const char *root, const char *name, struct mailbox **mb_r)
{
    struct buf dir = BUF_INIT;
    struct mailbox *mb;
    int r = mailbox_dir(root, name, &dir);

    *mb_r = NULL;
    if (r != MAILBOX_OK) {
        buf_free(&dir);
        return r;
    }
    mb = mailbox_alloc(root, name, buf_cstring(&dir));
    buf_free(&dir);
    r = mbi_open_files(mb);
    if (r == MAILBOX_OK)
        r = mbi_lock(mb, MBL_SHARED);
    if (r != MAILBOX_OK) {
        mailbox_close(&mb);
        return r;
    }
    mbi_unlock(mb);
    for (uint32_t i = 0; i < mb->nrecs; i++)
        if (!(mb->recs[i].system_flags & MAILBOX_FLAG_EXPUNGED))
            snapshot_add(mb, mb->recs[i].uid);
    if (mb->nrecs)
        mb->snap_lastuid = mb->recs[mb->nrecs - 1].uid;
    mb->seen_modseq = mb->h.highestmodseq;
    *mb_r = mb;
    return MAILBOX_OK;
}

void mailbox_close(struct mailbox **mbp)
{
    struct mailbox *mb = *mbp;

    if (!mb)
        return;
    mbi_unlock(mb);
    mbi_close_files(mb);
    if (mb->notify_fd >= 0)
        close(mb->notify_fd);
    free(mb->root);
    free(mb->name);
    free(mb->path);
    free(mb->index_path);
    free(mb->cache_path);
    free(mb->header_path);
    free(mb->recs);
    free(mb->snap);
    strarray_fini(&mb->flagnames);
    free(mb);
    *mbp = NULL;
}

/* is_message_file - "<digits>." ; the UID in *uid_r */
static int is_message_file(const char *n, uint32_t *uid_r)
{
    size_t len = strlen(n);
    uint64_t v;

    if (len < 2 || n[len - 1] != '.' ||
        str_parse_u64(n, len - 1, UINT32_MAX, &v) != 1 || v == 0)
        return 0;
    *uid_r = (uint32_t)v;
    return 1;
}

/* remove_files - unlink our files in dir (never subdirectories) */
static void remove_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct buf p = BUF_INIT;
    uint32_t uid;

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        if (!is_message_file(e->d_name, &uid) &&
            !str_has_prefix(e->d_name, "cyrus."))
            continue;
        buf_reset(&p);
        buf_printf(&p, "%s/%s", dir, e->d_name);
        if (unlink(buf_cstring(&p)) < 0 && errno != ENOENT && errno != EISDIR)
            log_error("IOERROR: unlink failed file=<%s> error=<%m>", p.s);
    }
    closedir(d);
    buf_free(&p);
}

int mailbox_delete(const char *root, const char *name)
{
    struct buf dir = BUF_INIT, p = BUF_INIT;
    const char *err = NULL;
    int fd = -1, r = mailbox_dir(root, name, &dir);

    if (r != MAILBOX_OK)
        goto out;
    buf_printf(&p, "%s/" MAILBOX_INDEX_NAME, dir.s);
    /* under the writers' lock, so no append commits into a dead file
     * (one waiting for the lock then finds the index gone) */
    if (lock_open(p.s, O_RDWR, 0, LOCK_TYPE_EXCLUSIVE, MAILBOX_LOCK_TIMEOUT_MS,
                  &fd, NULL, &err) != 1) {
        r = errno == ENOENT ? MAILBOX_E_NOTFOUND : MAILBOX_E_LOCKED;
        goto out;
    }
    if (unlink(p.s) < 0) {
        r = errno == ENOENT ? MAILBOX_E_NOTFOUND : MAILBOX_E_IO;
        if (r == MAILBOX_E_IO)
            log_error("IOERROR: unlink failed file=<%s> error=<%m>", p.s);
        goto out;
    }
    /* the mailbox is gone once the index is: make that durable first */
    if (mbio_fsync_dir(dir.s) != 1) {
        r = MAILBOX_E_IO;
        goto out;
    }
    remove_files(dir.s);
    if (rmdir(dir.s) == 0) {
        char *slash = strrchr(dir.s, '/');
        if (slash) {
            *slash = '\0';
            mbio_fsync_dir(dir.s);
        }
    }
    log_info("mailbox deleted mailbox=<%s>", name);
out:
    if (fd >= 0)
        close(fd);
    buf_free(&dir);
    buf_free(&p);
    return r;
}

int mbio_copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, ok = -1;
    char buf[65536];
    off_t off = 0;

    if (in < 0)
        return errno == ENOENT ? 0 : -1;
    out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) {
        log_error("IOERROR: create failed file=<%s> error=<%m>", to);
        close(in);
        return -1;
    }
    for (;;) {
        ssize_t n = read(in, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            log_error("IOERROR: read failed file=<%s> error=<%m>", from);
            break;
        }
        if (n == 0) {
            ok = mbio_fsync(out, to);
            break;
        }
        if (mbio_pwrite(out, buf, (size_t)n, off, to) != 1)
            break;
        off += n;
    }
    close(in);
    close(out);
    return ok;
}

/* place_file - hard link (or, across filesystems, copy) from to to,
 * replacing a stale to; 1 ok, 0 from is gone, -1 error */
int mbio_place_file(const char *from, const char *to)
{
    for (int tries = 0; tries < 2; tries++) {
        if (link(from, to) == 0)
            return 1;
        if (errno == EEXIST) {
            unlink(to); /* an uncommitted leftover of a crashed append */
            continue;
        }
        if (errno == ENOENT)
            return 0;
        if (errno == EXDEV || errno == EPERM || errno == EMLINK)
            return mbio_copy_file(from, to);
        log_error("IOERROR: link failed file=<%s> error=<%m>", to);
        return -1;
    }
    log_error("IOERROR: link keeps failing file=<%s>", to);
    return -1;
}

/* rename_copy - place messages, cache and header of src under newdir */
static int rename_copy(struct mailbox *src, const char *newdir,
                       const char *newname, uint32_t uidvalidity)
{
    struct buf from = BUF_INIT, to = BUF_INIT;
    int r = MAILBOX_OK;

    for (uint32_t i = 0; r == MAILBOX_OK && i < src->nrecs; i++) {
        const struct mailbox_record *rec = &src->recs[i];
        if (rec->system_flags & MAILBOX_FLAG_EXPUNGED)
            continue;
        mailbox_message_path(src, rec->uid, &from);
        buf_reset(&to);
        buf_printf(&to, "%s/%u.", newdir, rec->uid);
        if (mbio_place_file(from.s, buf_cstring(&to)) != 1)
            r = MAILBOX_E_IO;
    }
    buf_reset(&to);
    buf_printf(&to, "%s/" MAILBOX_CACHE_NAME, newdir);
    if (r == MAILBOX_OK && mbio_copy_file(src->cache_path, to.s) != 1)
        r = MAILBOX_E_IO;
    buf_reset(&to);
    buf_printf(&to, "%s/" MAILBOX_HEADER_NAME, newdir);
    if (r == MAILBOX_OK)
        r = mbh_write(to.s, newname, uidvalidity, &src->flagnames);
    buf_free(&from);
    buf_free(&to);
    return r;
}

int mailbox_rename(const char *oldroot, const char *oldname,
                   const char *newroot, const char *newname,
                   int new_uidvalidity)
{
    struct mailbox *src = NULL;
    struct buf dir = BUF_INIT, tmp = BUF_INIT, idx = BUF_INIT;
    struct stat st;
    struct mailbox_header h;
    int r = mailbox_dir(newroot, newname, &dir);

    if (r == MAILBOX_OK)
        r = mailbox_open(oldroot, oldname, &src);
    if (r != MAILBOX_OK)
        goto out;
    buf_printf(&idx, "%s/" MAILBOX_INDEX_NAME, dir.s);
    if (stat(idx.s, &st) == 0) {
        r = MAILBOX_E_EXISTS;
        goto out;
    }
    if (mbio_mkdirs(dir.s) != 1) {
        r = MAILBOX_E_IO;
        goto out;
    }
    /* exclusive for the whole copy: nobody appends meanwhile */
    r = mbi_lock(src, MBL_EXCLUSIVE);
    if (r != MAILBOX_OK)
        goto out;
    h = src->h;
    h.generation++;
    if (new_uidvalidity)
        h.uidvalidity = mailbox_new_uidvalidity();
    r = rename_copy(src, dir.s, newname, h.uidvalidity);
    buf_printf(&tmp, "%s.NEW.%ld", idx.s, (long)getpid());
    if (r == MAILBOX_OK && mbio_fsync_dir(dir.s) != 1)
        r = MAILBOX_E_IO;
    if (r == MAILBOX_OK)
        r = mbi_write_new_index(tmp.s, &h, src->recs, src->nrecs);
    if (r == MAILBOX_OK)
        r = install_new(tmp.s, idx.s);
    if (r == MAILBOX_OK && mbio_fsync_dir(dir.s) != 1)
        r = MAILBOX_E_IO;
    mbi_unlock(src);
    mailbox_close(&src);
    if (r == MAILBOX_OK)
        r = mailbox_delete(oldroot, oldname);
    if (r == MAILBOX_OK)
        log_info("mailbox renamed mailbox=<%s> new=<%s>", oldname, newname);
out:
    mailbox_close(&src);
    buf_free(&dir);
    buf_free(&tmp);
    buf_free(&idx);
    return r;
}

int mailbox_write_barrier(const char *root, const char *name)
{
    struct mailbox *mb = NULL;
    int r = mailbox_open(root, name, &mb);

    /* a plain exclusive lock, not mbi_lock_write: the check would refuse */
    if (r == MAILBOX_OK)
        r = mbi_lock(mb, MBL_EXCLUSIVE);
    mailbox_close(&mb); /* unlocks */
    return r;
}

/* ---- accessors ---- */

const char *mailbox_name(const struct mailbox *mb) { return mb->name; }
const char *mailbox_path(const struct mailbox *mb) { return mb->path; }
const struct mailbox_header *mailbox_get_header(const struct mailbox *mb)
{
    return &mb->h;
}
uint32_t mailbox_count(const struct mailbox *mb) { return mb->nsnap; }
uint32_t mailbox_num_records(const struct mailbox *mb) { return mb->nrecs; }

uint32_t mailbox_msgno_uid(const struct mailbox *mb, uint32_t msgno)
{
    return msgno >= 1 && msgno <= mb->nsnap ? mb->snap[msgno - 1] : 0;
}

uint32_t mailbox_uid_msgno(const struct mailbox *mb, uint32_t uid)
{
    uint32_t lo = 0, hi = mb->nsnap;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (mb->snap[mid] == uid)
            return mid + 1;
        if (mb->snap[mid] < uid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

const struct mailbox_record *mailbox_record(const struct mailbox *mb,
                                            uint32_t uid)
{
    long i = mbi_find(mb, uid);
    return i < 0 ? NULL : &mb->recs[i];
}

const struct mailbox_record *mailbox_record_at(const struct mailbox *mb,
                                               uint32_t i)
{
    return i < mb->nrecs ? &mb->recs[i] : NULL;
}

void mailbox_message_path(const struct mailbox *mb, uint32_t uid,
                          struct buf *out)
{
    buf_reset(out);
    buf_printf(out, "%s/%u.", mb->path, uid);
    buf_cstring(out);
}

/* ---- refresh and notification ---- */

/* snapshot_update - move the snapshot to the loaded index */
static void snapshot_update(struct mailbox *mb, unsigned flags,
                            struct mailbox_changes *c)
{
    uint32_t kept = 0, old = mb->nsnap;

    /* expunged: walk down so message numbers are reported as sent */
    for (uint32_t i = old; i-- > 0;) {
        const struct mailbox_record *rec = mailbox_record(mb, mb->snap[i]);
        if (rec && !(rec->system_flags & MAILBOX_FLAG_EXPUNGED))
            continue;
        if (flags & MAILBOX_REFRESH_NOEXPUNGE)
            continue;
        mailbox_uids_add(&c->expunged_msgnos, i + 1);
        mailbox_uids_add(&c->expunged_uids, mb->snap[i]);
        mb->snap[i] = 0;
    }
    /* VANISHED wants ascending UIDs */
    for (size_t i = 0, j = c->expunged_uids.count; i < j / 2; i++) {
        uint32_t t = c->expunged_uids.v[i];
        c->expunged_uids.v[i] = c->expunged_uids.v[j - 1 - i];
        c->expunged_uids.v[j - 1 - i] = t;
    }
    for (uint32_t i = 0; i < old; i++) {
        const struct mailbox_record *rec;
        if (!mb->snap[i])
            continue;
        mb->snap[kept++] = mb->snap[i];
        rec = mailbox_record(mb, mb->snap[i]);
        if (rec && rec->modseq > mb->seen_modseq &&
            !(rec->system_flags & MAILBOX_FLAG_EXPUNGED))
            mailbox_uids_add(&c->changed_uids, rec->uid);
    }
    mb->nsnap = kept;
    for (uint32_t i = 0; i < mb->nrecs; i++) {
        const struct mailbox_record *rec = &mb->recs[i];
        if (rec->uid <= mb->snap_lastuid)
            continue;
        if (!(rec->system_flags & MAILBOX_FLAG_EXPUNGED))
            snapshot_add(mb, rec->uid);
        mb->snap_lastuid = rec->uid;
    }
    c->exists = mb->nsnap;
    c->exists_changed = mb->nsnap != old || c->expunged_msgnos.count > 0;
    c->highestmodseq = mb->h.highestmodseq;
    mb->seen_modseq = mb->h.highestmodseq;
}

int mailbox_refresh(struct mailbox *mb, unsigned flags,
                    struct mailbox_changes *changes)
{
    struct mailbox_changes local;
    int r = mbi_lock(mb, MBL_SHARED);

    if (r != MAILBOX_OK)
        return r;
    mbi_unlock(mb);
    if (!changes) {
        memset(&local, 0, sizeof(local));
        changes = &local;
    } else {
        changes->expunged_uids.count = changes->expunged_msgnos.count = 0;
        changes->changed_uids.count = 0;
        changes->exists_changed = 0;
    }
    snapshot_update(mb, flags, changes);
    if (changes == &local)
        mailbox_changes_fini(&local);
    return MAILBOX_OK;
}

int mailbox_changed(struct mailbox *mb)
{
    unsigned char hbuf[MBI_HEADER_SIZE];
    struct mailbox_header a, b;
    uint64_t gen = 0;
    struct stat st;
    int va, vb, ok;

    if (stat(mb->index_path, &st) < 0)
        return MAILBOX_E_NOTFOUND;
    if (st.st_ino != mb->index_ino || st.st_dev != mb->index_dev)
        return 1;
    /* a torn read of a slot being written just fails its CRC */
    ok = mbio_pread(mb->index_fd, hbuf, sizeof(hbuf), 0, mb->index_path);
    if (ok <= 0)
        return ok < 0 ? MAILBOX_E_IO : 1;
    va = mbi_header_decode(hbuf, &a);
    vb = mbi_header_decode(hbuf + MBI_SLOT_SIZE, &b);
    if (va)
        gen = a.generation;
    if (vb && b.generation > gen)
        gen = b.generation;
    /* every commit that adds, expunges or changes a message raises
     * HIGHESTMODSEQ, so a load this handle did itself (an append) without
     * a refresh since is caught by the second test */
    return gen != mb->h.generation || mb->seen_modseq != mb->h.highestmodseq;
}

int mailbox_change_fd(struct mailbox *mb)
{
#ifdef __linux__
    if (mb->notify_fd < 0) {
        mb->notify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (mb->notify_fd < 0) {
            log_error("IOERROR: inotify_init1 failed error=<%m>");
            return -1;
        }
        mailbox_change_drain(mb);
    }
    return mb->notify_fd;
#else
    (void)mb;
    return -1;
#endif
}

void mailbox_change_drain(struct mailbox *mb)
{
#ifdef __linux__
    char buf[4096];

    if (mb->notify_fd < 0)
        return;
    while (read(mb->notify_fd, buf, sizeof(buf)) > 0)
        ;
    /* (re)watch the current index: after a rename-over it is a new inode;
     * adding a watch for the same inode again just updates it */
    if (inotify_add_watch(mb->notify_fd, mb->index_path,
                          IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF |
                          IN_MOVE_SELF) < 0 && errno != ENOENT)
        log_error("IOERROR: inotify_add_watch failed file=<%s> error=<%m>",
                  mb->index_path);
#else
    (void)mb;
#endif
}
