/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * db_native_release.c - letting go of replaced native DB files without
 * making readers pay for it.  When the writer renames a compacted file
 * in, every reader still has the old one mapped and open.  Letting go of
 * it at once costs time that grows with the file, measured on this
 * project's 2-core VM for a 120 MB file: unmapping every page the reader
 * touched (up to 70 ms), and, for the last process to close the unlinked
 * inode, dropping its cached pages and freeing its blocks (up to 85 ms;
 * with the "discard" mount option the block free also waits for the
 * disk).  Two measures keep that out of readers' calls:
 *
 *  - the writer keeps the old file linked as "<file>.OLD.<generation>"
 *    (made before the rename), so a reader's close is never the last
 *    reference.  Readers hold a shared flock() on every file they use;
 *    the writer deletes an old file (dropping its cache first) only once
 *    it can flock() it exclusively, i.e. when no reader uses it any
 *    more: the writer, not a reader, pays for the inode;
 *  - a reader's old mapping is retired and unmapped NATIVE_RELEASE_STEP
 *    bytes per call on the handle, its descriptor closed at the end.
 *
 * The cost: disk space for old files as long as some reader that has
 * not called since still holds one (an idle process), as with any
 * lock-free reader scheme.  Called only from lib/db_native.c; per
 * handle, single-threaded; failures here are logged and ignored (the
 * data is never at stake: only links named .OLD. are removed).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "lib/db_native.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

/* Bytes of old mapping unmapped per call (64 pages: well under 1 ms). */
#define NATIVE_RELEASE_STEP (256 * 1024)
/* More retired views than this: the oldest is released at once. */
#define NATIVE_RETIRED_MAX 4
/* A writer looks for old files it could not delete yet this often. */
#define NATIVE_SWEEP_SECS 1

struct native_retired {
    struct native_retired *next;
    char *map;              /* the old mapping (NULL: none) */
    size_t len, done;       /* its length; bytes already unmapped */
    int fd;                 /* its descriptor (shared flock), or -1 */
};

/* release_one - unmap up to budget bytes of r; the bytes gone through */
static size_t release_one(struct native_retired *r, size_t budget)
{
    size_t used = 0;

    while (r->done < r->len && used < budget) {
        size_t n = r->len - r->done;
        if (n > NATIVE_RELEASE_STEP)
            n = NATIVE_RELEASE_STEP;
        munmap(r->map + r->done, n);
        r->done += n;
        used += n;
    }
    return used;
}

/* drop_released - close and free the retired views fully unmapped */
static void drop_released(struct native_db *db)
{
    struct native_retired **rp = &db->retired;

    while (*rp) {
        struct native_retired *r = *rp;
        if (r->done >= r->len) {
            if (r->fd >= 0)
                close(r->fd); /* never the last link: see the top */
            *rp = r->next;
            free(r);
            db->nretired--;
        } else {
            rp = &r->next;
        }
    }
}

void native_hold(int fd)
{
    /* never waits: only the writer's sweep takes it exclusively, and
     * only on files that are no longer current */
    (void)flock(fd, LOCK_SH | LOCK_NB);
}

void native_retire(struct native_db *db)
{
    struct native_retired *r, **last;

    memtab_free(&db->overlay); /* into db->pool: no page table work */
    if (!db->map && db->fd < 0)
        return;
    r = xzmalloc(sizeof(*r));
    r->map = db->map;
    r->len = db->map ? db->maplen : 0;
    r->fd = db->fd;
    db->map = NULL;
    db->fd = -1;
    for (last = &db->retired; *last; last = &(*last)->next)
        ;
    *last = r; /* oldest first */
    if (++db->nretired > NATIVE_RETIRED_MAX) {
        release_one(db->retired, SIZE_MAX);
        drop_released(db);
    }
}

void native_release_step(struct native_db *db)
{
    size_t used = 0;

    for (struct native_retired *r = db->retired;
         r && used < NATIVE_RELEASE_STEP; r = r->next)
        used += release_one(r, NATIVE_RELEASE_STEP - used);
    drop_released(db);
}

void native_release_all(struct native_db *db)
{
    for (struct native_retired *r = db->retired; r; r = r->next)
        release_one(r, SIZE_MAX);
    drop_released(db);
}

/* old_name - "<path>.OLD.<generation>" */
static void old_name(const char *path, uint64_t generation, struct buf *out)
{
    buf_reset(out);
    buf_printf(out, "%s.OLD.%llu", path, (unsigned long long)generation);
}

void native_keep_old(struct native_db *db)
{
    struct buf old = BUF_INIT;

    old_name(db->path, db->generation, &old);
    int r = link(db->path, buf_cstring(&old));
    if (r < 0 && errno == EEXIST) {
        /* a crashed writer's leftover of the same generation */
        unlink(buf_cstring(&old));
        r = link(db->path, buf_cstring(&old));
    }
    /* ENOENT: no file replaced (the first one) - nothing to keep */
    if (r < 0 && errno != EEXIST && errno != ENOENT)
        log_warning("IOERROR: cannot keep replaced file file=<%s> "
                    "error=<%m>", buf_cstring(&old));
    else if (r == 0 || errno == EEXIST)
        db->sweep_due = 1;
    buf_free(&old);
}

/* sweep_one - delete old file name unless a reader holds it; 1 deleted */
static int sweep_one(const char *name)
{
    int fd = open(name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), r = 0;

    if (fd < 0)
        return errno == ENOENT;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
        posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        if (unlink(name) == 0 || errno == ENOENT)
            r = 1;
    }
    close(fd); /* the last reference: the writer frees the inode */
    return r;
}

void native_sweep_old(struct native_db *db, int force)
{
    char *copy = xstrdup(db->path), *dir, *base;
    struct buf prefix = BUF_INIT, name = BUF_INIT;
    struct dirent *de;
    time_t now = time(NULL);
    int kept = 0;
    DIR *d;

    if (!db->sweep_due || (!force && now - db->swept_at < NATIVE_SWEEP_SECS)) {
        free(copy);
        return;
    }
    db->swept_at = now;
    dir = dirname(copy);
    base = strrchr(db->path, '/') ? strrchr(db->path, '/') + 1 : db->path;
    buf_printf(&prefix, "%s.OLD.", base);
    d = opendir(dir);
    while (d && (de = readdir(d))) {
        if (strncmp(de->d_name, prefix.s, prefix.len) != 0)
            continue;
        buf_reset(&name);
        buf_printf(&name, "%s/%s", dir, de->d_name);
        kept += !sweep_one(buf_cstring(&name));
    }
    if (d)
        closedir(d);
    db->sweep_due = kept > 0;
    buf_free(&prefix);
    buf_free(&name);
    free(copy);
}
