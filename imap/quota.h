/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quota.h - quota roots (RFC 2087): limits and usage of mailbox trees.
 *
 * A quota root is an internal mailbox name; it governs itself and every
 * mailbox below it that has no nearer root (quota_findroot).  Resources:
 * STORAGE (limit in KiB, usage kept in bytes, reported in KiB rounded
 * down as Cyrus does) and MESSAGE (count).  Database
 * <configdirectory>/quotas.db, backend imapd.conf quota_db ("quotalegacy"
 * selects the native backend: one file, not Cyrus's file per root).
 * Value (version 1): "%Q1" *( SP resource SP usage SP limit ), limit -1
 * for none, e.g. "%Q1 STORAGE 2048 100 MESSAGE 3 -1".  Resources this
 * version does not know are kept and written back; a higher version is
 * refused (QUOTA_BADVERSION).
 *
 * One handle per process (quota_open at init, quota_close at exit).
 * Changes of usage are read-modify-write transactions, retried on
 * deadlock, so concurrent appends in several processes add up.
 */
#ifndef IMAP_QUOTA_H
#define IMAP_QUOTA_H

#include <stdint.h>

#include "lib/buf.h"

#define QUOTA_FILE "quotas.db"
#define QUOTA_UNLIMITED (-1)
/* The IMAP response code of a refused APPEND/COPY (RFC 5530). */
#define QUOTA_RESP_OVERQUOTA "OVERQUOTA"

enum quota_resource {
    QUOTA_STORAGE = 0,  /* KiB limit, byte usage */
    QUOTA_MESSAGE = 1,  /* messages */
    QUOTA_NUMRESOURCES
};

enum quota_result {
    QUOTA_OK = 0,
    QUOTA_OVER = 1,         /* the change would exceed a limit */
    QUOTA_NOTFOUND = -1,    /* no such root / no root above a mailbox */
    QUOTA_AGAIN = -2,
    QUOTA_IOERROR = -3,
    QUOTA_BADNAME = -4,     /* root is not a valid mailbox name */
    QUOTA_BADDATA = -5,     /* a malformed record or limit */
    QUOTA_BADVERSION = -6,  /* a record of a newer format */
    QUOTA_NOTOPEN = -7,
    QUOTA_INTERNAL = -8,
};

struct quota {
    char *root;                          /* owned */
    int64_t limit[QUOTA_NUMRESOURCES];   /* QUOTA_UNLIMITED or >= 0 */
    uint64_t usage[QUOTA_NUMRESOURCES];  /* bytes / messages */
    struct buf extra;                    /* unknown resources, kept */
};

/* quota_errstr - a constant phrase ("Over quota" for QUOTA_OVER). */
const char *quota_errstr(int r);
/* quota_resp_code - the IMAP response code for r: "OVERQUOTA" for
 * QUOTA_OVER, else NULL.  Callers send "NO [OVERQUOTA] Over quota". */
const char *quota_resp_code(int r);
/* quota_resource_name - "STORAGE", "MESSAGE"; NULL when out of range.
 * quota_resource_parse - the inverse, ASCII case-insensitive; -1 when
 * unknown. */
const char *quota_resource_name(int res);
int quota_resource_parse(const char *name);

#define QUOTA_CREATE 0x01
/* quota_open - open <configdirectory>/quotas.db (quota_open_path: an
 * explicit file and backend).  QUOTA_OK, QUOTA_NOTFOUND, QUOTA_IOERROR,
 * QUOTA_INTERNAL when already open.  quota_close - close (safe twice). */
int quota_open(int flags);
int quota_open_path(const char *path, const char *backend, int flags);
void quota_close(void);

/* quota_init / quota_fini - a quota with no limits and no usage; fini
 * frees root and extra. */
void quota_init(struct quota *q);
void quota_fini(struct quota *q);

/* quota_encode / quota_decode - the record format. */
void quota_encode(const struct quota *q, struct buf *out);
int quota_decode(const char *data, size_t len, struct quota *q);

/* quota_read - root's record into *q (quota_init'ed by the caller; fini
 * it afterwards).  QUOTA_OK, QUOTA_NOTFOUND, errors. */
int quota_read(const char *root, struct quota *q);

/* quota_findroot - the root governing mailbox: the longest of mailbox,
 * its parents up to the top component ("user.fred.x", "user.fred",
 * "user"), that is a root; never crosses a domain ("d!user.x" stops at
 * "d!user").  QUOTA_OK with *root_r (caller frees), QUOTA_NOTFOUND. */
int quota_findroot(const char *mailbox, char **root_r);

/* quota_setlimits - SETQUOTA: set root's limits (QUOTA_UNLIMITED for
 * none), creating the root with zero usage when new (the caller then
 * accounts the mailboxes under it with quota_change).  Limits must be
 * QUOTA_UNLIMITED or 0..2^53 (QUOTA_BADDATA). */
int quota_setlimits(const char *root,
                    const int64_t limit[QUOTA_NUMRESOURCES]);
/* quota_delete - remove a root.  QUOTA_NOTFOUND when absent. */
int quota_delete(const char *root);

/* quota_check - would adding bytes and messages to q's usage exceed a
 * limit?  Only growth is checked: a removal is always allowed, also when
 * already over.  Exceeding means usage + delta > limit (KiB * 1024 for
 * STORAGE): reaching the limit exactly is allowed.  QUOTA_OK, or
 * QUOTA_OVER with *res_r (may be NULL) the first resource over. */
int quota_check(const struct quota *q, int64_t bytes, int64_t messages,
                enum quota_resource *res_r);

#define QUOTA_FORCE 0x01  /* apply even when over (LMTP over quota
                             allowed, reconstruct, expunge) */
/* quota_change - add bytes and messages (negative: remove) to root's
 * usage in one transaction, after quota_check unless QUOTA_FORCE; usage
 * never goes below 0 (clamped and logged).  QUOTA_OK, QUOTA_OVER (nothing
 * changed; *res_r as quota_check), QUOTA_NOTFOUND, errors.  *q_r (may be
 * NULL) gets the new state (quota_init'ed by the caller). */
int quota_change(const char *root, int64_t bytes, int64_t messages,
                 int flags, enum quota_resource *res_r, struct quota *q_r);

/* quota_percent - usage as a percentage of the limit of res (rounded
 * down; may exceed 100), or -1 when res has no limit.  A 0 limit is
 * 100 % as soon as anything is used, else 0. */
int quota_percent(const struct quota *q, enum quota_resource res);
/* quota_warn - 1 when some limited resource is at or above warnpct
 * percent (imapd.conf quotawarn; *res_r the first such), else 0. */
int quota_warn(const struct quota *q, long warnpct,
               enum quota_resource *res_r);

/* quota_format - the resource list of a GETQUOTA response, e.g.
 * "STORAGE 2 100 MESSAGE 3 10", limited resources only, usage of
 * STORAGE in KiB; appended to out. */
void quota_format(const struct quota *q, struct buf *out);

#endif /* IMAP_QUOTA_H */
