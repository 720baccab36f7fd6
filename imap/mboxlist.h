/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxlist.h - the local mailboxes database (mailboxes.db): which
 * mailboxes exist, where, and with which ACL.
 *
 * A backend's imapd/lmtpd/pop3d and tools read and write it; on a
 * frontend the mupdate slave is the only writer and every proxyd reads
 * it to answer LIST and to route commands.  The file is
 * <configdirectory>/mailboxes.db, backend imapd.conf mboxlist_db.
 *
 * PROCESS MODEL.  One handle per process: mboxlist_open() once (library
 * init), mboxlist_close() at exit; every call below uses it.  Readers need
 * no refresh call: each call sees the last committed state (the native
 * backend re-stats the file and replays new commits, Berkeley DB reads
 * committed pages).  A reader that caches derived data (a LIST answer, a
 * routing table) compares mboxlist_generation() values: every committed
 * write increments it, and reading it is one key lookup.
 *
 * TRANSACTIONS.  Each write is its own transaction (retried internally
 * on a Berkeley DB deadlock), unless the caller opened one with
 * mboxlist_begin(): then every call, reads included, runs inside it
 * until mboxlist_commit() or mboxlist_abort().  Inside a caller's
 * transaction MBOXLIST_AGAIN means: abort and start over.
 *
 * RESULTS.  enum mboxlist_result: 0 ok, 1 a callback stopped a walk,
 * negative errors (mboxlist_errstr names them).  Errors of the database
 * are logged (DBERROR) once, here.
 *
 * VALUE ENCODING (version 1).  Key: the internal mailbox name.  Value:
 *     "%M1" *( SP tag "=" length ":" bytes )
 * tag is lower-case letters, length the decimal byte count of bytes
 * (binary-safe, so ACL TABs need no quoting).  Tags of version 1:
 *     t  type letters, any order: r remote, z reserved, d deleted,
 *        m moving; empty for a normal local mailbox      (required)
 *     p  partition                                         (required)
 *     s  server (remote entries; location "server!partition")
 *     a  ACL in imap/acl.h stored form (may be empty)      (required)
 *     u  unique id
 *     v  UIDVALIDITY, decimal (absent: unknown)
 *     c  creation time, decimal seconds since the epoch (absent: unknown)
 * Example: %M1 t=0: p=7:default a=14:fred<TAB>lrswipkxtea<TAB> u=4:a1b2
 * Growing the format: a new optional field gets a new tag and the
 * version stays 1; readers keep fields with tags they do not know
 * (entry->extra) and write them back unchanged, so an older process never
 * drops a newer one's data.  A change older readers would misread (a
 * field changing meaning, a new type letter) bumps the version; readers
 * refuse values of a higher version (MBOXLIST_BADVERSION) rather than
 * guess.  Keys below 0x20 are reserved for metadata (the generation
 * counter) and never visible through this API.
 */
#ifndef IMAP_MBOXLIST_H
#define IMAP_MBOXLIST_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "lib/buf.h"

struct auth_state;
struct namespace;

#define MBOXLIST_FILE "mailboxes.db"
#define MBOXLIST_VERSION 1

enum mboxlist_result {
    MBOXLIST_OK = 0,
    MBOXLIST_DONE = 1,          /* a callback stopped a walk */
    MBOXLIST_NOTFOUND = -1,     /* no such mailbox */
    MBOXLIST_EXISTS = -2,       /* the mailbox already exists */
    MBOXLIST_AGAIN = -3,        /* deadlock / lock timeout: retry */
    MBOXLIST_IOERROR = -4,      /* the database failed */
    MBOXLIST_BADNAME = -5,      /* name fails mboxname_policycheck, or a
                                   rename into its own subtree */
    MBOXLIST_BADENTRY = -6,     /* an invalid field in a caller's entry,
                                   or a malformed undump line */
    MBOXLIST_CORRUPT = -7,      /* a stored value cannot be decoded */
    MBOXLIST_BADVERSION = -8,   /* a stored value of a newer format */
    MBOXLIST_NOTOPEN = -9,      /* mboxlist_open was not called */
    MBOXLIST_INTERNAL = -10,    /* misuse (nested begin, ...) */
};

/* Entry types (bits; the value encoding's t letters). */
#define MBTYPE_REMOTE   0x01u  /* 'r': on server (frontend / unified) */
#define MBTYPE_RESERVE  0x02u  /* 'z': MUPDATE reservation in progress */
#define MBTYPE_DELETED  0x04u  /* 'd': being deleted */
#define MBTYPE_MOVING   0x08u  /* 'm': being moved to another server */

/* Longest partition, server and unique id (bytes 0x21-0x7e; partition
 * and server also without '!'). */
#define MBOXLIST_FIELD_MAX 255

struct mboxlist_entry {
    char *name;           /* internal name (the key) */
    unsigned type;        /* MBTYPE_* bits */
    char *partition;      /* never NULL in a valid entry */
    char *server;         /* MBTYPE_REMOTE entries, else NULL */
    char *acl;            /* stored ACL string, "" for none */
    char *uniqueid;       /* NULL: unknown */
    uint32_t uidvalidity; /* 0: unknown */
    time_t created;       /* 0: unknown */
    struct buf extra;     /* fields of unknown tags, " tag=len:bytes"... */
};

/* mboxlist_errstr - a constant English phrase for a result. */
const char *mboxlist_errstr(int r);

/* --- open / close / transactions ------------------------------------ */

#define MBOXLIST_CREATE 0x01  /* create the file when missing */

/* mboxlist_open - open <configdirectory>/mailboxes.db with mboxlist_db
 * (the BDB environment must be set up by db_init first when that is a
 * berkeley backend).  MBOXLIST_OK, MBOXLIST_NOTFOUND (missing file, no
 * MBOXLIST_CREATE), MBOXLIST_IOERROR, MBOXLIST_INTERNAL when already
 * open. */
int mboxlist_open(int flags);
/* mboxlist_open_path - the same on an explicit file and backend (tools,
 * tests). */
int mboxlist_open_path(const char *path, const char *backend, int flags);
/* mboxlist_close - abort an open transaction, close.  Safe when closed. */
void mboxlist_close(void);

/* mboxlist_begin / mboxlist_commit / mboxlist_abort - group calls into
 * one transaction (see above).  begin: MBOXLIST_INTERNAL when one is
 * already open.  commit: durable when it returns MBOXLIST_OK; on error
 * the transaction is gone (aborted).  abort always ends it. */
int mboxlist_begin(void);
int mboxlist_commit(void);
void mboxlist_abort(void);

/* mboxlist_generation - the change counter: incremented by every
 * committed write, 0 for a new database.  MBOXLIST_OK and *gen_r. */
int mboxlist_generation(uint64_t *gen_r);

/* --- entries ---------------------------------------------------------- */

/* mboxlist_entry_new - a zeroed entry; mboxlist_entry_free frees one and
 * NULLs *ep (NULL is fine). */
struct mboxlist_entry *mboxlist_entry_new(void);
void mboxlist_entry_free(struct mboxlist_entry **ep);

/* mboxlist_entry_encode - the stored value of e (e->name is not part of
 * it) appended to out.  MBOXLIST_OK, or MBOXLIST_BADENTRY (nothing
 * appended) with *error_r when a field is invalid: partition missing or
 * not 1..MBOXLIST_FIELD_MAX bytes of 0x21-0x7e without '!'; a server on
 * a non-remote entry or none on a remote one; a bad ACL (acl_validate);
 * a bad unique id; unknown type bits; extra not in the encoding. */
int mboxlist_entry_encode(const struct mboxlist_entry *e, struct buf *out,
                          const char **error_r);
/* mboxlist_entry_decode - parse a stored value into a new entry named
 * name (caller frees).  MBOXLIST_OK, MBOXLIST_CORRUPT (malformed or
 * invalid as for encode) or MBOXLIST_BADVERSION (version above
 * MBOXLIST_VERSION or an unknown type letter). */
int mboxlist_entry_decode(const char *name, const char *data, size_t len,
                          struct mboxlist_entry **e_r);
/* mboxlist_entry_location - "server!partition" for a remote entry, else
 * the partition, into out (reset first). */
void mboxlist_entry_location(const struct mboxlist_entry *e,
                             struct buf *out);

/* mboxlist_entry_rawfield - the bytes of field tag in a stored value,
 * without decoding the rest: 1 with val_r/vallen_r pointing into data,
 * 0 when the field is absent, -1 when the value is malformed up to it.
 * Nothing is validated beyond the framing and nothing outside data is
 * read; for pre-filters over many records (mboxlist_view_may_show). */
int mboxlist_entry_rawfield(const char *data, size_t len, char tag,
                            const char **val_r, size_t *vallen_r);

/* --- lookup and changes ------------------------------------------------ */

/* mboxlist_lookup - the entry of name, of any type (callers decide what
 * reserved/deleted entries mean to them).  *e_r (may be NULL: existence
 * check only) is allocated; the caller frees it.  MBOXLIST_OK,
 * MBOXLIST_NOTFOUND, MBOXLIST_CORRUPT, MBOXLIST_BADVERSION, errors. */
int mboxlist_lookup(const char *name, struct mboxlist_entry **e_r);

/* mboxlist_create - insert e under e->name.  MBOXLIST_EXISTS when the
 * name is taken, MBOXLIST_BADNAME when mboxname_policycheck rejects it,
 * MBOXLIST_BADENTRY for invalid fields (logged with the reason). */
int mboxlist_create(const struct mboxlist_entry *e);
/* mboxlist_update - replace the existing entry e->name.
 * MBOXLIST_NOTFOUND when it does not exist; else as create. */
int mboxlist_update(const struct mboxlist_entry *e);
/* mboxlist_delete - remove name.  MBOXLIST_NOTFOUND when absent. */
int mboxlist_delete(const char *name);

#define MBOXLIST_RENAME_CHILDREN 0x01 /* also every oldname.* mailbox */
/* mboxlist_rename - move oldname to newname (and with
 * MBOXLIST_RENAME_CHILDREN its subtree, oldname.x -> newname.x), setting
 * the partition of every moved entry to partition unless it is NULL, all
 * in one transaction: either everything moved or nothing.
 * MBOXLIST_NOTFOUND (oldname), MBOXLIST_EXISTS (newname or any new child
 * name is taken), MBOXLIST_BADNAME (a name fails policy, or newname is
 * oldname or lies below it). */
int mboxlist_rename(const char *oldname, const char *newname,
                    const char *partition, int flags);

/* --- walking --------------------------------------------------------- */

/* Callbacks get a decoded entry valid during the call only; they may
 * call mboxlist functions (reads; writes only inside a caller's
 * transaction).  Non-zero stops the walk (MBOXLIST_DONE). */
typedef int mboxlist_cb(void *rock, const struct mboxlist_entry *e);
/* A filter returns 1 to show e, 0 to hide it. */
typedef int mboxlist_filter(void *rock, const struct mboxlist_entry *e);

/* mboxlist_foreach - every entry whose name starts with prefix (bytes;
 * "" all), of every type, in name (byte) order.  An undecodable entry is
 * logged and skipped.  MBOXLIST_OK, MBOXLIST_DONE or an error. */
int mboxlist_foreach(const char *prefix, mboxlist_cb *cb, void *rock);

/* mboxlist_haschildren - 1 when a normal (not reserved, not deleted)
 * mailbox lies below name and passes filter (NULL: any), 0 when none,
 * or a negative error.  For LIST's \HasChildren / \HasNoChildren. */
int mboxlist_haschildren(const char *name, mboxlist_filter *filter,
                         void *frock);

/* mboxlist_glob_match - 1 when name[0..namelen) matches the IMAP LIST
 * pattern (RFC 3501 section 6.3.8): '*' matches any bytes, '%' any bytes
 * but sep; everything else matches itself, case-sensitively.  O(pattern
 * x name) time, no backtracking blow-up. */
int mboxlist_glob_match(const char *pattern, const char *name,
                        size_t namelen, char sep);

/* findall callback: name is the internal name; e is NULL for a
 * hierarchy level that is not itself a listable mailbox (a \Noselect
 * placeholder: RFC 3501 returns those when the pattern ends in '%'). */
typedef int mboxlist_find_cb(void *rock, const char *name,
                             const struct mboxlist_entry *e);

/* mboxlist_findall - LIST: every mailbox whose name matches pattern,
 * an internal-form pattern with '.' as the hierarchy separator, that
 * filter (NULL: all) lets through.  Reserved and deleted entries never
 * match.  When inbox is the viewer's INBOX ("user.fred"), that mailbox
 * and its subtree are matched as "INBOX" and "INBOX.<rest>" (and ONLY
 * so: "user.fred.x" does not match "user.*"), and the leading letters of
 * the pattern that spell a prefix of "INBOX" in any case match them
 * (RFC 3501: INBOX is case-insensitive); the rest stays case-sensitive.
 * The INBOX tree comes first, then the other names in byte order.  When
 * the pattern ends in '%', a level with matching descendants that is not
 * itself listed (missing, or hidden by the filter) is reported once with
 * e == NULL before its first descendant.  Only the byte prefix before
 * the first wildcard is scanned.  MBOXLIST_OK, MBOXLIST_DONE, errors. */
int mboxlist_findall(const char *pattern, const char *inbox,
                     mboxlist_filter *filter, void *frock,
                     mboxlist_find_cb *cb, void *rock);

/* ACL filter for findall / haschildren: shows an entry when the state's
 * rights on it include need (0 means ACL_LOOKUP).  The owner of a user
 * mailbox (decided through ns; ns NULL: nobody owns) gets
 * implicit_owner_rights (NULL: ACL_DEFAULT_OWNER_RIGHTS) on top; admins
 * get ACL_IMPLICIT_ADMIN (imap/acl.h). */
struct mboxlist_aclfilter {
    const struct auth_state *state;
    const struct namespace *ns;
    const char *implicit_owner_rights;
    unsigned need;
};
int mboxlist_filter_acl(void *rock, const struct mboxlist_entry *e);

/* --- pre-filtering raw records (LIST over a large list) -------------- */

/* A view decides on a record's stored bytes, without decoding it, whether
 * mboxlist_filter_acl with the same filter could show it (and so imapd's
 * rights check with the same state, namespace and need).  It errs on the
 * side of showing: a record it rejects is one the filter hides; one it
 * passes still goes through the exact check.  It passes everything for
 * an admin, the viewer's own subtree (its INBOX and below, by byte
 * prefix) always, and otherwise records whose ACL's positive entries for
 * the state hold need (acl_may_grant): the viewer's userid, "anyone",
 * "anonymous" when anonymous, its groups.  Records it cannot read pass.
 * The view keeps f->state (not NULL: the system sees everything, so
 * walk without a view): it must outlive the view. */
struct mboxlist_view;
/* mboxlist_view_new / mboxlist_view_free - make and free (NULLs *vp;
 * NULL is fine) a view for f. */
struct mboxlist_view *mboxlist_view_new(const struct mboxlist_aclfilter *f);
void mboxlist_view_free(struct mboxlist_view **vp);
/* mboxlist_view_may_show - 0 when the record name[0..namelen) with
 * stored value data[0..datalen) is certainly hidden from v, else 1. */
int mboxlist_view_may_show(const struct mboxlist_view *v, const char *name,
                           size_t namelen, const char *data, size_t datalen);

/* mboxlist_foreach_visible - mboxlist_foreach over only the records v
 * may show (v NULL: all of them); the others are not decoded.  cb still
 * has to check the rights exactly. */
int mboxlist_foreach_visible(const char *prefix,
                             const struct mboxlist_view *v, mboxlist_cb *cb,
                             void *rock);

/* --- dump / undump (ctl_mboxlist -d / -u) ----------------------------- */

/* mboxlist_dump - one line per entry (partition NULL: all, else only
 * entries on that partition), in name order:
 *     name TAB stored-value LF
 * the value exactly as stored (see VALUE ENCODING; it never holds CR or
 * LF).  MBOXLIST_OK; MBOXLIST_CORRUPT / MBOXLIST_BADVERSION when an
 * entry cannot be decoded (logged with its name; the dump stops there);
 * MBOXLIST_IOERROR on a write error. */
int mboxlist_dump(FILE *out, const char *partition);
/* mboxlist_undump - read such lines and store each entry (replacing an
 * existing one of the same name), all in one transaction: nothing is
 * stored unless every line is valid.  Empty lines are skipped.  On
 * MBOXLIST_BADENTRY / BADNAME / BADVERSION *lineno_r is the bad line
 * and *error_r says why.  *count_r (may be NULL) gets the entries
 * stored. */
int mboxlist_undump(FILE *in, unsigned long *count_r,
                    unsigned long *lineno_r, const char **error_r);

#endif /* IMAP_MBOXLIST_H */
