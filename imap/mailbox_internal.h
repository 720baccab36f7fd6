/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mailbox_internal.h - what the imap/mailbox*.c files share: the handle,
 * the index codec and commit, file I/O helpers.  Not for other modules.
 */
#ifndef IMAP_MAILBOX_INTERNAL_H
#define IMAP_MAILBOX_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>

#include "imap/mailbox.h"
#include "lib/strarray.h"

#define MAILBOX_INDEX_NAME  "cyrus.index"
#define MAILBOX_CACHE_NAME  "cyrus.cache"
#define MAILBOX_HEADER_NAME "cyrus.header"
#define MAILBOX_STAGE_DIR   "stage."

#define MBI_MAGIC        "MBIX"
#define MBI_SLOT_SIZE    128
#define MBI_HEADER_SIZE  (2 * MBI_SLOT_SIZE)   /* where records start */
#define MBC_MAGIC        "MBCA"
#define MBC_HEADER_SIZE  8                      /* magic + version */
#define MBC_ENTRY_HEAD   12                     /* len, uid, crc */

enum mailbox_lockstate { MBL_NONE, MBL_SHARED, MBL_EXCLUSIVE };

struct mailbox {
    char *root, *name, *path;       /* partition root, internal name, dir */
    char *index_path, *cache_path, *header_path;
    int index_fd, cache_fd;
    dev_t index_dev;
    ino_t index_ino;
    enum mailbox_lockstate lock;

    /* the index as last loaded */
    int loaded;
    int slot;                       /* slot the loaded header came from */
    struct mailbox_header h;
    struct mailbox_record *recs;
    uint32_t nrecs, arecs;
    struct strarray flagnames;      /* user flag i; "" = unused */
    uint32_t header_uidvalidity;    /* from cyrus.header */

    /* the session's snapshot */
    uint32_t *snap;
    uint32_t nsnap, asnap;
    uint32_t snap_lastuid;          /* highest UID ever taken in */
    uint64_t seen_modseq;

    int notify_fd;                  /* inotify, -1 until asked */
};

/* mailbox_fault - a named point of a write, for crash tests: the process
 * SIGKILLs itself there when MAILBOX_FAULT_POINT=<point>[:<n>] names it
 * (at the n-th passage; MAILBOX_FAULT_ACTION=stop: SIGSTOP instead).
 * Points:
 *   stage-synced append-locked append-linked append-dir-synced
 *   append-cache-written append-records-written commit-records-synced
 *   commit-header-written append-committed flags-records-written
 *   expunge-committed cleanup-written reconstruct-cache-renamed */
void mailbox_fault(const char *point);

/* ---- mailbox_index.c ---- */
void mbi_header_encode(const struct mailbox_header *h, unsigned char *out);
int mbi_header_decode(const unsigned char *p, struct mailbox_header *h);
void mbi_record_encode(const struct mailbox_record *r, unsigned char *out);
int mbi_record_decode(const unsigned char *p, struct mailbox_record *r);
/* mbi_lock - lock the index (reopening it when it was replaced) and load
 * it when another process committed; repairs need and take exclusive. */
int mbi_lock(struct mailbox *mb, enum mailbox_lockstate type);
void mbi_unlock(struct mailbox *mb);
/* mbi_lock_write - mbi_lock(mb, MBL_EXCLUSIVE) for a write, then the
 * process's write check (mailbox_set_write_check): every write of a
 * handle starts here.  On a refusal the lock is released and nothing
 * was changed; its result is returned. */
int mbi_lock_write(struct mailbox *mb);
/* mbi_write_records - write recs[from, from+count) to their slots. */
int mbi_write_records(struct mailbox *mb, uint32_t from, uint32_t count);
/* mbi_commit - recount, generation + 1, sync records, write the other
 * header slot, sync.  Under the exclusive lock. */
int mbi_commit(struct mailbox *mb);
/* mbi_find - index of uid in recs, or -1. */
long mbi_find(const struct mailbox *mb, uint32_t uid);
/* mbi_recount - recompute counts in h from recs. */
void mbi_recount(const struct mailbox_header *in, const struct mailbox_record *recs,
                 uint32_t n, struct mailbox_header *out);
/* mbi_write_new_index - write a whole index (both slots = h) to a new
 * file path, fsync'd. */
int mbi_write_new_index(const char *path, const struct mailbox_header *h,
                        const struct mailbox_record *recs, uint32_t n);
/* mbi_open_files - (re)open index and cache; MAILBOX_E_NOTFOUND if none. */
int mbi_open_files(struct mailbox *mb);
void mbi_close_files(struct mailbox *mb);

/* I/O helpers: full pwrite/pread (1 ok, -1 error, 0 short read),
 * fsync of a directory, logging IOERROR. */
int mbio_pwrite(int fd, const void *p, size_t n, off_t off, const char *path);
int mbio_pread(int fd, void *p, size_t n, off_t off, const char *path);
int mbio_fsync(int fd, const char *path);
int mbio_fsync_dir(const char *dir);
/* mbio_copy_file - copy from to to (created/truncated) and fsync it;
 * 1 ok, 0 from does not exist, -1 error. */
int mbio_copy_file(const char *from, const char *to);
/* mbio_place_file - hard link from as to (replacing a stale to), copying
 * across filesystems; 1 ok, 0 from is gone, -1 error. */
int mbio_place_file(const char *from, const char *to);
/* mbio_mkdirs - mkdir -p, fsyncing each parent a directory was made in. */
int mbio_mkdirs(const char *dir);

/* ---- mailbox_cache.c ---- */
/* mbc_entry - append a cache entry for uid to out (padded) */
void mbc_entry(struct buf *out, uint32_t uid, const void *p, size_t n);
/* mbc_write_new - create an empty cache file at path, fsync'd */
int mbc_write_new(const char *path);

/* ---- mailbox_flags.c ---- */
/* mbh_read - load cyrus.header into mb (flag names, uidvalidity). */
int mbh_read(struct mailbox *mb);
/* mbh_write - replace the cyrus.header at path atomically. */
int mbh_write(const char *path, const char *name, uint32_t uidvalidity,
              const struct strarray *flagnames);
/* mbh_resolve - user flag names to a bitmap, creating them if create. */
int mbh_resolve(struct mailbox *mb, const struct strarray *names, int create,
                uint32_t bits[MAILBOX_USER_FLAGS_MAX / 32]);

/* ---- mailbox.c ---- */
struct mailbox *mailbox_alloc(const char *root, const char *name,
                              const char *dir);
/* mailbox_new_uidvalidity - time based, increasing within the process */
uint32_t mailbox_new_uidvalidity(void);

#endif /* IMAP_MAILBOX_INTERNAL_H */
