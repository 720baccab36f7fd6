/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * seen.h - per-user \Seen state of shared mailboxes (and of any mailbox
 * whose seen state is kept per user, as Cyrus does).
 *
 * Each user has one database, <configdirectory>/user/<h>/<userid>.seen
 * (imap/dbconf.h), backend imapd.conf seenstate_db, keyed by mailbox
 * unique id.  Value (text, version 1, as Cyrus 2.x writes it):
 *     "1" SP lastread SP lastuid SP lastchange SP seenuids
 * lastread/lastchange: seconds since the epoch; lastuid: the highest UID
 * the user has looked at; seenuids: a compact sequence set of seen UIDs
 * (imap/seqset.h, "" for none).  A version above 1 is refused
 * (SEEN_BADVERSION); more fields may be appended after seenuids by a
 * later version 1 writer: readers ignore what follows a second SP.
 *
 * A struct seen is owned by one session; open it per user, keep it while
 * the mailbox is selected.  seen_lockread starts a transaction that
 * seen_write / seen_commit / seen_abort end (read-modify-write from a
 * STORE +FLAGS \Seen, safe against another session of the same user).
 * Without one, reads see committed state and writes autocommit.
 */
#ifndef IMAP_SEEN_H
#define IMAP_SEEN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct buf;
struct seen;

enum seen_result {
    SEEN_OK = 0,
    SEEN_NOTFOUND = -1,    /* no record (data is set to "nothing seen") */
    SEEN_AGAIN = -2,       /* deadlock: abort and retry */
    SEEN_IOERROR = -3,
    SEEN_BADUSER = -4,     /* userid cannot name a seen file */
    SEEN_BADDATA = -5,     /* a malformed record, or seenuids not a
                              valid sequence set (writes) */
    SEEN_BADVERSION = -6,  /* a record of a newer format */
    SEEN_INTERNAL = -7,    /* misuse: nested transaction, ... */
};

struct seen_data {
    time_t lastread;
    uint32_t lastuid;
    time_t lastchange;
    char *seenuids;        /* owned; "" for none; seen_data_fini frees */
};

/* seen_errstr - a constant phrase for a result. */
const char *seen_errstr(int r);

#define SEEN_CREATE 0x01   /* create the file when missing */

/* seen_open - the seen database of userid.  SEEN_OK with *seen_r (caller
 * closes), SEEN_NOTFOUND (no file and no SEEN_CREATE), SEEN_BADUSER,
 * SEEN_IOERROR. */
int seen_open(const char *userid, int flags, struct seen **seen_r);
/* seen_close - abort an open transaction, close, NULL *seenp. */
void seen_close(struct seen **seenp);

/* seen_read - the record of uniqueid into *sd (fini it afterwards, also
 * after an error).  SEEN_OK, SEEN_NOTFOUND (sd = nothing seen),
 * SEEN_BADDATA, SEEN_BADVERSION, errors.  seen_lockread - the same,
 * starting (or continuing) a transaction that locks the record. */
int seen_read(struct seen *seen, const char *uniqueid, struct seen_data *sd);
int seen_lockread(struct seen *seen, const char *uniqueid,
                  struct seen_data *sd);

/* seen_write - store sd for uniqueid (seenuids normalised, "1:3,4" ->
 * "1:4"), inside the open transaction if there is one.  SEEN_BADDATA
 * when seenuids is not a valid set (no '*'). */
int seen_write(struct seen *seen, const char *uniqueid,
               const struct seen_data *sd);
/* seen_delete - drop the record of uniqueid (mailbox deleted).  SEEN_OK
 * also when there was none. */
int seen_delete(struct seen *seen, const char *uniqueid);
/* seen_commit / seen_abort - end the transaction (SEEN_OK when none). */
int seen_commit(struct seen *seen);
void seen_abort(struct seen *seen);

/* seen_foreach - every record in unique id order (XFER, user rename
 * tools); cb returns non-0 to stop.  Records that do not parse are
 * skipped.  SEEN_OK or an error. */
int seen_foreach(struct seen *seen,
                 int (*cb)(void *rock, const char *uniqueid,
                           const struct seen_data *sd),
                 void *rock);

/* seen_data_fini - free sd->seenuids and zero *sd. */
void seen_data_fini(struct seen_data *sd);

/* seen_encode / seen_decode - the record format, for tests and tools.
 * decode: SEEN_OK, SEEN_BADDATA, SEEN_BADVERSION. */
int seen_encode(const struct seen_data *sd, struct buf *out);
int seen_decode(const char *data, size_t len, struct seen_data *sd);

/* seen_foreach_user - cb(userid, rock) for every user who has a seen
 * database (imap/dbconf.h dbconf_foreach_user): 0, cb's non-0, or -1
 * when the user directories cannot be read. */
int seen_foreach_user(int (*cb)(const char *userid, void *rock), void *rock);

/* seen_delete_user - remove userid's file (user deleted); SEEN_OK also
 * when absent.  seen_rename_user - move it to newuser's name
 * (SEEN_OK when olduser had none). */
int seen_delete_user(const char *userid);
int seen_rename_user(const char *olduser, const char *newuser);

#endif /* IMAP_SEEN_H */
