/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mailbox.h - the per-mailbox message store used by imapd, pop3d, lmtpd
 * and reconstruct.
 *
 * ON DISK.  A mailbox is a directory: partition root + mboxname_spool_path()
 * (child mailboxes are subdirectories of it, as in Cyrus).  It holds
 *
 *   <uid>.        one file per message, exactly the bytes delivered.  Written
 *                 as a staged file (<root>/stage./), fsync'd, then hard
 *                 linked into place under the index lock; the directory is
 *                 fsync'd before the index commit.  Several mailboxes on one
 *                 partition may share a file (hard links).
 *   cyrus.header  text, replaced atomically (temp, fsync, rename, fsync dir):
 *                   "murder-mailbox-header 1\n"
 *                   "name\t<internal name>\n"
 *                   "uidvalidity\t<n>\n"
 *                   "flags\t<name> <name> ...\n"   (user flag i = word i)
 *                 so user flag names and UIDVALIDITY survive a lost index.
 *   cyrus.index   binary, all integers big-endian:
 *                   [0,128)    header slot A
 *                   [128,256)  header slot B
 *                   [256, ...) records of MAILBOX_RECORD_SIZE bytes, sorted
 *                              by UID; only the first num_records count.
 *                 A header slot: magic "MBIX", version, header size, record
 *                 size, generation (u64), UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ,
 *                 num_records, exists, answered/flagged/deleted/unseen
 *                 counts, quota bytes used, last append date, deletedmodseq
 *                 (highest modseq of records removed by cleanup: QRESYNC
 *                 below it must resync), committed cache length, CRC-32 of
 *                 the slot.  Each commit writes the slot the current one is
 *                 not in, with generation + 1: a torn header write leaves the
 *                 previous commit readable.
 *                 A record (104 bytes): UID, system flags, internaldate s+ns,
 *                 sent date, size, header size, 128-bit user flag bitmap,
 *                 modseq, GUID (SHA-1 of the file), cache offset + length,
 *                 reserved, CRC-32 of the record.  An expunged message keeps
 *                 its record (MAILBOX_FLAG_EXPUNGED, modseq bumped) until
 *                 mailbox_cleanup(), so VANISHED (RFC 7162) can be answered.
 *   cyrus.cache   "MBCA" + version, then append-only entries: length, UID,
 *                 CRC-32, the caller's opaque blob, padded to 8 bytes.  Only
 *                 the first header.cache_size bytes are committed.
 *
 * COMMIT ORDER (crash safety).  Under the exclusive index lock: link the
 * message files, fsync the directory, write cache entries past the
 * committed length and fsync, write index records (appended or rewritten in
 * place) and fsync, then write the other header slot and fsync: that write
 * is the commit point, and only then does an append return.  On load,
 * records past num_records and cache bytes past cache_size are ignored (an
 * interrupted append leaves nothing visible; its <uid>. file has a UID >=
 * UIDNEXT and is replaced by the next append that gets that UID, or removed
 * by reconstruct).  A record whose CRC fails was torn by an interrupted
 * in-place update: fields are 8-byte aligned and only flags/modseq change
 * in place, so it holds a mix of the old and new flag words; it is kept,
 * given a new modseq and rewritten; counts and HIGHESTMODSEQ are always
 * recomputed from the records on load.  A record too damaged to trust (UID
 * out of order) fails the open with MAILBOX_E_CORRUPT: run reconstruct.
 *
 * CONCURRENCY.  fcntl locks on cyrus.index (lib/lock.h): shared to read,
 * exclusive to write, held only inside one call.  A handle is one session's
 * view: a snapshot (message sequence number -> UID) that changes only in
 * mailbox_refresh(), which reports what other processes changed.  Files
 * replaced by rename (cleanup, reconstruct) are noticed and reopened.
 * Change notification for IDLE: mailbox_change_fd() (inotify on the index),
 * or poll mailbox_changed() at least once a second.
 *
 * ERRORS.  Functions return enum mailbox_result (MAILBOX_OK is 0) and log
 * IOERROR lines themselves; mailbox_strerror() names a result.  A handle is
 * used by one process; after fork, open a new one.
 */
#ifndef IMAP_MAILBOX_H
#define IMAP_MAILBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct strarray;

enum mailbox_result {
    MAILBOX_OK = 0,
    MAILBOX_E_IO = -1,         /* a system call failed (logged) */
    MAILBOX_E_NOTFOUND = -2,   /* no such mailbox or message */
    MAILBOX_E_EXISTS = -3,     /* mailbox already exists */
    MAILBOX_E_CORRUPT = -4,    /* index/cache damaged beyond repair: reconstruct */
    MAILBOX_E_FLAGS_FULL = -5, /* all MAILBOX_USER_FLAGS_MAX user flags in use */
    MAILBOX_E_BADNAME = -6,    /* bad mailbox name or user flag name */
    MAILBOX_E_LOCKED = -7,     /* lock not had within MAILBOX_LOCK_TIMEOUT_MS */
    MAILBOX_E_MOVING = -8,     /* write refused: the mailbox is being moved
                                  to another server or is no longer served
                                  here (mailbox_set_write_check); nothing
                                  changed, try again later */
};

/* System flags (record.system_flags). */
#define MAILBOX_FLAG_ANSWERED 0x01u
#define MAILBOX_FLAG_FLAGGED  0x02u
#define MAILBOX_FLAG_DELETED  0x04u
#define MAILBOX_FLAG_DRAFT    0x08u
#define MAILBOX_FLAG_SEEN     0x10u
#define MAILBOX_FLAGS_SYSTEM  0x1fu     /* the ones a client may set */
#define MAILBOX_FLAG_EXPUNGED 0x80000000u /* internal: record kept for QRESYNC */

#define MAILBOX_USER_FLAGS_MAX 128     /* user flags per mailbox */
#define MAILBOX_USER_FLAG_LEN  100     /* longest user flag name */
#define MAILBOX_GUID_SIZE      20      /* SHA-1 */
#define MAILBOX_FORMAT_VERSION 1       /* cyrus.index / cyrus.cache format */
#define MAILBOX_RECORD_SIZE    104
#define MAILBOX_LOCK_TIMEOUT_MS 30000  /* longest wait for an index lock */

/* One message, as stored in cyrus.index. */
struct mailbox_record {
    uint32_t uid;
    uint32_t system_flags;          /* MAILBOX_FLAG_* */
    int64_t internaldate;           /* seconds since the epoch */
    uint32_t internaldate_ns;       /* nanoseconds part */
    int64_t sentdate;               /* Date: header, seconds; 0 unknown */
    uint64_t size;                  /* bytes in the message file */
    uint32_t header_size;           /* bytes of the top-level header */
    uint32_t user_flags[MAILBOX_USER_FLAGS_MAX / 32]; /* bit i = flag i */
    uint64_t modseq;
    unsigned char guid[MAILBOX_GUID_SIZE];
    uint64_t cache_offset;          /* entry in cyrus.cache */
    uint32_t cache_len;             /* blob length */
};

/* The index header as last loaded. */
struct mailbox_header {
    uint64_t generation;            /* + 1 per commit */
    uint32_t uidvalidity;
    uint32_t uidnext;
    uint64_t highestmodseq;
    uint32_t num_records;           /* records in the file, expunged ones too */
    uint32_t exists;                /* records not expunged */
    uint32_t answered, flagged, deleted, unseen; /* among those */
    uint64_t quota_used;            /* bytes of the messages not expunged */
    int64_t last_appenddate;        /* seconds */
    uint64_t deletedmodseq;         /* highest modseq cleanup removed */
    uint64_t cache_size;            /* committed bytes of cyrus.cache */
};

/* A growable list of UIDs (or message numbers); zeroed = empty. */
struct mailbox_uids {
    uint32_t *v;
    size_t count, alloc;
};
void mailbox_uids_add(struct mailbox_uids *u, uint32_t uid);
void mailbox_uids_fini(struct mailbox_uids *u);

struct mailbox; /* an open mailbox: one session's handle */

/* mailbox_strerror - static text for r. */
const char *mailbox_strerror(int r);

/* mailbox_dir - the directory of internal name on partition root (reset
 * into out).  MAILBOX_OK, or MAILBOX_E_BADNAME when the name fails
 * mboxname_policycheck. */
int mailbox_dir(const char *root, const char *name, struct buf *out);

/* mailbox_create - create mailbox name on partition root (the directory and
 * its parents, the three files; the directory and its parent are fsync'd).
 * uidvalidity 0 picks a new one: the time, made larger than any value this
 * process handed out before.  mb_r (may be NULL) gets an open handle, which
 * the caller closes.  MAILBOX_E_EXISTS when cyrus.index is already there. */
int mailbox_create(const char *root, const char *name, uint32_t uidvalidity,
                   struct mailbox **mb_r);

/* mailbox_open - open an existing mailbox; the snapshot holds every message
 * not expunged.  MAILBOX_E_NOTFOUND when there is no cyrus.index. */
int mailbox_open(const char *root, const char *name, struct mailbox **mb_r);

/* mailbox_close - close *mbp (NULL is fine) and NULL it. */
void mailbox_close(struct mailbox **mbp);

/* mailbox_delete - remove the mailbox's files (cyrus.index first, so it is
 * gone for everybody at once), then the directory if it is empty (child
 * mailboxes live below it).  Open handles see MAILBOX_E_NOTFOUND on their
 * next refresh. */
int mailbox_delete(const char *root, const char *name);

/* mailbox_rename - move mailbox oldname on oldroot to newname on newroot
 * (hard links on one filesystem, copies otherwise), keeping UIDVALIDITY
 * unless new_uidvalidity is set (RENAME INBOX: pass 1 for a fresh one).
 * The new index appears last and the old mailbox is deleted only after
 * everything is durable; a crash leaves the old mailbox intact. */
int mailbox_rename(const char *oldroot, const char *oldname,
                   const char *newroot, const char *newname,
                   int new_uidvalidity);

/* Accessors; pointers stay valid until the next call on the handle. */
const char *mailbox_name(const struct mailbox *mb);
const char *mailbox_path(const struct mailbox *mb);
const struct mailbox_header *mailbox_get_header(const struct mailbox *mb);
/* mailbox_count - messages in the snapshot (the session's EXISTS). */
uint32_t mailbox_count(const struct mailbox *mb);
/* mailbox_msgno_uid - the UID of message number msgno (1-based), 0 when
 * out of range. */
uint32_t mailbox_msgno_uid(const struct mailbox *mb, uint32_t msgno);
/* mailbox_uid_msgno - the message number of uid in the snapshot, 0 if not. */
uint32_t mailbox_uid_msgno(const struct mailbox *mb, uint32_t uid);
/* mailbox_record - the record of uid as last loaded (expunged ones too),
 * NULL when the index has none.  Valid until the next call on mb. */
const struct mailbox_record *mailbox_record(const struct mailbox *mb,
                                            uint32_t uid);
/* mailbox_record_at - the i-th record of the index (0-based, all records
 * including expunged ones, by UID), NULL past the end; with
 * mailbox_num_records to walk every record (QRESYNC, SEARCH MODSEQ). */
const struct mailbox_record *mailbox_record_at(const struct mailbox *mb,
                                               uint32_t i);
uint32_t mailbox_num_records(const struct mailbox *mb);
/* mailbox_message_path - the file of uid, into out (reset first). */
void mailbox_message_path(const struct mailbox *mb, uint32_t uid,
                          struct buf *out);
/* mailbox_cache_read - the cache blob of rec into out (reset first).
 * MAILBOX_E_CORRUPT when the entry fails its CRC or names another UID. */
int mailbox_cache_read(struct mailbox *mb, const struct mailbox_record *rec,
                       struct buf *out);

/* ---- seeing other sessions' changes (mailbox.c) ---- */

/* What mailbox_refresh found.  Zero it before the first use; each call
 * resets it.  expunged_msgnos are in descending order, the order to send
 * untagged EXPUNGEs in; expunged_uids are ascending (for VANISHED).
 * changed_uids: messages of the snapshot whose modseq is above what the
 * session saw last (FETCH FLAGS).  exists: the snapshot size after. */
struct mailbox_changes {
    struct mailbox_uids expunged_uids;
    struct mailbox_uids expunged_msgnos;
    struct mailbox_uids changed_uids;
    uint32_t exists;
    int exists_changed;
    uint64_t highestmodseq;
};
void mailbox_changes_fini(struct mailbox_changes *c);

#define MAILBOX_REFRESH_NOEXPUNGE 0x1 /* keep expunged messages in the
                                         snapshot (FETCH, STORE, SEARCH) */
/* mailbox_refresh - reload the index when somebody committed, and move the
 * snapshot forward: new messages are appended (EXISTS), expunged ones
 * removed unless MAILBOX_REFRESH_NOEXPUNGE.  changes may be NULL.
 * MAILBOX_E_NOTFOUND when the mailbox was deleted meanwhile. */
int mailbox_refresh(struct mailbox *mb, unsigned flags,
                    struct mailbox_changes *changes);

/* mailbox_changed - 1 when another process committed since the handle last
 * loaded the index (a cheap read of the header, for IDLE polling once a
 * second), 0 when not, or a negative mailbox_result. */
int mailbox_changed(struct mailbox *mb);

/* mailbox_change_fd - a descriptor (owned by mb) that becomes readable
 * when the index is written (inotify on Linux); drain it with
 * mailbox_change_drain() before calling mailbox_refresh.  -1 when the
 * platform has none: poll mailbox_changed() then. */
int mailbox_change_fd(struct mailbox *mb);
void mailbox_change_drain(struct mailbox *mb);

/* ---- who may write (mailbox_index.c; the barrier in mailbox.c) ---- */

/* A write check: MAILBOX_OK when mailbox name (internal) may still be
 * written by this server, MAILBOX_E_MOVING when not (being moved away,
 * deleted, renamed: no longer served here), or another mailbox_result
 * (the write is refused with it).  Called under the exclusive index lock:
 * it must not lock the mailbox itself. */
typedef int mailbox_write_check_fn(const char *name);

/* mailbox_set_write_check - install fn for the process (NULL: none, every
 * write goes ahead; the default, for tools and unit tests).  Every write
 * through a handle (append, copy into it, flags, touch, expunge, cleanup,
 * a new user flag) takes the exclusive index lock and then calls fn once,
 * before it changes anything; a refusal returns its result and leaves
 * the mailbox as it was.  Together with mailbox_write_barrier this lets a
 * process that takes the mailbox out of service (XFER) know that no
 * write commits after it: see mailbox_write_barrier.  The mail daemons
 * install mboxops_write_check (imap/mailsvc.c). */
void mailbox_set_write_check(mailbox_write_check_fn *fn);

/* mailbox_writable - the write check alone, without any lock: for a
 * command that does something it cannot undo before its write (MOVE
 * copies before it expunges the source), to refuse early.  The check
 * under the lock still decides.  MAILBOX_OK without a check installed. */
int mailbox_writable(const struct mailbox *mb);

/* mailbox_write_barrier - take and release the exclusive index lock of
 * mailbox name on root once.  Called after the write check's answer for
 * name changed (its mailboxes.db entry was marked MOVING): every writer
 * that passed the check before has committed when this returns, every
 * later one sees the new answer.  MAILBOX_OK, MAILBOX_E_NOTFOUND,
 * MAILBOX_E_LOCKED (a writer held the lock for MAILBOX_LOCK_TIMEOUT_MS),
 * or another error. */
int mailbox_write_barrier(const char *root, const char *name);

/* ---- appending (mailbox_append.c) ---- */

/* A message file waiting to be appended: a new temporary file under
 * <root>/stage./, or an existing message file (COPY).  One stage may be
 * appended to several mailboxes on its partition (hard links). */
struct mailbox_stage;

/* mailbox_stage_begin - create a staging file on partition root. */
int mailbox_stage_begin(const char *root, struct mailbox_stage **st_r);
/* mailbox_stage_write - add n bytes (and to the GUID). */
int mailbox_stage_write(struct mailbox_stage *st, const void *p, size_t n);
/* mailbox_stage_finish - fsync the file; after this it can be appended. */
int mailbox_stage_finish(struct mailbox_stage *st);
/* mailbox_stage_data - begin + write + finish in one call. */
int mailbox_stage_data(const char *root, const void *p, size_t n,
                       struct mailbox_stage **st_r);
/* mailbox_stage_path / _size / _guid - of a finished stage. */
const char *mailbox_stage_path(const struct mailbox_stage *st);
uint64_t mailbox_stage_size(const struct mailbox_stage *st);
const unsigned char *mailbox_stage_guid(const struct mailbox_stage *st);
/* mailbox_stage_free - remove the staging file (never the file of an
 * existing message) and free *stp. */
void mailbox_stage_free(struct mailbox_stage **stp);

/* mailbox_stage_cleanup - remove staging files of root older than max_age
 * seconds (left by processes that died before freeing their stage; a
 * stage is never part of a mailbox, so this loses nothing that was
 * acknowledged).  Returns how many were removed.  For lmtpd start-up or a
 * periodic event; 86400 is a safe age. */
int mailbox_stage_cleanup(const char *root, int64_t max_age);

/* One message to append.  internaldate 0 means now.  cache/cache_len: the
 * caller's opaque cache blob (imap/message.h record), copied.  user_flags:
 * names, created in the mailbox when new (may be NULL).  uid: set on
 * success. */
struct mailbox_append_item {
    struct mailbox_stage *stage;
    int64_t internaldate;
    uint32_t internaldate_ns;
    int64_t sentdate;
    uint32_t header_size;
    uint32_t system_flags;
    const struct strarray *user_flags;
    const void *cache;
    size_t cache_len;
    uint32_t uid;
};

/* mailbox_append - append n messages in one commit (MULTIAPPEND, an LMTP
 * batch): all get UIDs and become visible together, or none does.  Returns
 * only once everything is on disk (fsync), so the caller may then answer OK
 * / 250.  The handle's snapshot is not changed: mailbox_refresh() reports
 * the new messages like anybody else's.  MAILBOX_E_FLAGS_FULL when a new
 * user flag does not fit. */
int mailbox_append(struct mailbox *mb, struct mailbox_append_item *items,
                   size_t n);

/* mailbox_copy - copy messages uids of src into dst (hard links on one
 * partition): flags, dates and cache blobs go along.  Messages expunged
 * meanwhile are skipped.  uids_r (may be NULL) gets the source UIDs
 * copied and new_uids_r their new UIDs (COPYUID), in the same order.
 * Never holds both mailboxes' locks at once. */
int mailbox_copy(struct mailbox *src, const uint32_t *uids, size_t n,
                 struct mailbox *dst, struct mailbox_uids *uids_r,
                 struct mailbox_uids *new_uids_r);

/* mailbox_copy_seen - mailbox_copy, except that each copy's
 * MAILBOX_FLAG_SEEN is seen_fn(rock, source record) rather than the
 * source's bit: the copying user's \Seen (imap/seen_view.h), which in a
 * shared mailbox is not the index bit.  seen_fn runs under src's lock and
 * must not touch either mailbox. */
int mailbox_copy_seen(struct mailbox *src, const uint32_t *uids, size_t n,
                      struct mailbox *dst,
                      bool (*seen_fn)(void *rock,
                                      const struct mailbox_record *rec),
                      void *rock, struct mailbox_uids *uids_r,
                      struct mailbox_uids *new_uids_r);

/* ---- flags (mailbox_flags.c) ---- */

enum mailbox_flag_op {
    MAILBOX_FLAGS_ADD,     /* STORE +FLAGS */
    MAILBOX_FLAGS_REMOVE,  /* STORE -FLAGS */
    MAILBOX_FLAGS_REPLACE, /* STORE FLAGS */
};

/* mailbox_user_flag - the index of user flag name (case-insensitive, as
 * IMAP keywords are); with create, add it when missing.  MAILBOX_OK with
 * *idx_r set; MAILBOX_E_NOTFOUND (create 0); MAILBOX_E_FLAGS_FULL;
 * MAILBOX_E_BADNAME when name is not an atom or longer than
 * MAILBOX_USER_FLAG_LEN. */
int mailbox_user_flag(struct mailbox *mb, const char *name, int create,
                      unsigned *idx_r);
/* mailbox_user_flag_name - the name of user flag idx, NULL when unused. */
const char *mailbox_user_flag_name(const struct mailbox *mb, unsigned idx);

/* mailbox_set_flags - apply op with system flags sysflags (only
 * MAILBOX_FLAGS_SYSTEM bits) and user flag names to the messages uids[n].
 * Each record that changes gets a new modseq (one per call).
 * unchangedsince (CONDSTORE; 0 = no check): a message whose modseq is
 * greater is left alone and listed in failed_r.  changed_r: UIDs whose
 * flags changed.  Expunged or unknown UIDs are skipped.  Either list may
 * be NULL. */
int mailbox_set_flags(struct mailbox *mb, const uint32_t *uids, size_t n,
                      enum mailbox_flag_op op, uint32_t sysflags,
                      const struct strarray *user_flags,
                      uint64_t unchangedsince, struct mailbox_uids *changed_r,
                      struct mailbox_uids *failed_r);

/* mailbox_touch - give the live messages of uids[n] one new modseq
 * without changing their flags (a per-user \Seen changed elsewhere, see
 * imap/seen_view.h: CONDSTORE and QRESYNC must report it, as Cyrus
 * does).  Expunged or unknown UIDs are skipped.  MAILBOX_OK or an error
 * (nothing changed). */
int mailbox_touch(struct mailbox *mb, const uint32_t *uids, size_t n);

/* ---- expunge (mailbox_expunge.c) ---- */

/* mailbox_expunge - expunge uids[n], or when uids is NULL every message
 * with \Deleted.  Records stay (MAILBOX_FLAG_EXPUNGED, new modseq) and
 * counts and quota_used drop; the message files are unlinked right after
 * the commit (a session that has not yet been told can no longer read the
 * body: RFC 2180 4.1.2 allows answering NO).  expunged_r: UIDs expunged. */
int mailbox_expunge(struct mailbox *mb, const uint32_t *uids, size_t n,
                    struct mailbox_uids *expunged_r);

/* mailbox_cleanup - drop expunged records with modseq <= upto (0: all)
 * and unused cache entries, rewriting cyrus.index and cyrus.cache
 * (temp + rename).  deletedmodseq becomes the highest modseq dropped. */
int mailbox_cleanup(struct mailbox *mb, uint64_t upto);

/* ---- recovery (mailbox_reconstruct.c) ---- */

/* Parse a message file for its cache blob (appended to cache), header
 * size and sent date.  The default uses imap/message.h. */
typedef void mailbox_parse_fn(const char *base, size_t len, struct buf *cache,
                              uint32_t *header_size_r, int64_t *sentdate_r);
void mailbox_parse_default(const char *base, size_t len, struct buf *cache,
                           uint32_t *header_size_r, int64_t *sentdate_r);

struct mailbox_reconstruct_report {
    unsigned kept;            /* messages whose old record was kept */
    unsigned adopted;         /* message files without a record, added */
    unsigned changed;         /* records whose file differed (GUID, size) */
    unsigned lost;            /* records whose file is gone: now expunged */
    unsigned orphans_removed; /* uncommitted files (UID >= UIDNEXT) removed */
    unsigned new_uidvalidity; /* 1 when no UIDVALIDITY could be recovered */
    unsigned old_index_bad;   /* 1 when the old index was missing/unusable */
};

/* mailbox_reconstruct - rebuild cyrus.index and cyrus.cache of name on root
 * from the message files, keeping UIDVALIDITY, flags, dates and modseqs
 * from the old index (and cyrus.header) where readable.  Every message
 * file is reparsed with parse (NULL: mailbox_parse_default).  A file with
 * a UID >= the old UIDNEXT was never committed (an interrupted append; its
 * client was not answered OK) and is removed; when there is no usable old
 * index every file is adopted.  Creates the mailbox files if missing (the
 * directory must exist). */
int mailbox_reconstruct(const char *root, const char *name,
                        mailbox_parse_fn *parse,
                        struct mailbox_reconstruct_report *report);

/* ---- testing ---- */

/* Called at each named point of a write (see mailbox_fault in
 * mailbox_internal.h for the list); tests make it kill the process.
 * When unset, the environment variable MAILBOX_FAULT_POINT=<point> makes
 * the process SIGKILL itself there (integration tests, kill -9 drills). */
extern void (*mailbox_fault_hook)(const char *point);

#endif /* IMAP_MAILBOX_H */
