/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dbconf.h - where the mail model's databases live and which backend each
 * uses, as imapd.conf says (configdirectory, mboxlist_db, seenstate_db,
 * subscription_db, quota_db).
 *
 * Used by imap/mboxlist.c, imap/seen.c, imap/subs.c and imap/quota.c so
 * that the file layout is decided in one place.  No state of its own.
 */
#ifndef IMAP_DBCONF_H
#define IMAP_DBCONF_H

#include "lib/cfg.h"

struct buf;

/* dbconf_backend - the db_open backend name configured by opt (one of
 * the *_db enum options).  Cyrus's "quotalegacy" maps to the native
 * backend.  Static storage. */
const char *dbconf_backend(enum imapopt opt);

/* dbconf_path - "<configdirectory>/<file>" into out (reset first).
 * fatal(EX_CONFIG) when configdirectory is unset. */
void dbconf_path(const char *file, struct buf *out);

/* dbconf_user_path - the per-user file of userid with suffix (".seen",
 * ".sub") into out (reset first), Cyrus's layout:
 *     <configdirectory>/user/<h>/<local><suffix>
 *     <configdirectory>/domain/<h>/<domain>/user/<h>/<local><suffix>
 * for "local" and "local@domain"; <h> is the first letter, lower-cased,
 * or 'q' when it is not a letter.  Returns 1, or -1 (out untouched but
 * reset) when userid cannot name a file: empty, longer than
 * MBOXNAME_USERID_MAX, a control byte, '/', a part starting with '.',
 * more than one '@' or an empty local part or domain. */
int dbconf_user_path(const char *userid, const char *suffix, struct buf *out);

/* dbconf_foreach_user - cb(userid, rock) for every user with a per-user
 * file of suffix (the layout above, domains included), in no particular
 * order; stops when cb returns non-0 and returns that.  0 when done
 * (also when there is no user directory), -1 when a directory that
 * exists cannot be read. */
int dbconf_foreach_user(const char *suffix,
                        int (*cb)(const char *userid, void *rock), void *rock);

/* dbconf_mkparents - create the missing directories above path (mode
 * 0750).  1, or -1 with errno set. */
int dbconf_mkparents(const char *path);

/* dbconf_move - move the database at from to to (which must not exist)
 * by copying every record into a new file and then removing from, so it
 * works on every backend (a Berkeley DB file must not be renamed under
 * its environment).  DB_OK, DB_NOTFOUND when from is missing, DB_EXISTS
 * when to exists, other db_result errors (to is removed again). */
int dbconf_move(const char *backend, const char *from, const char *to);

/* dbconf_remove - remove the database file path; DB_OK also when it did
 * not exist, DB_IOERROR otherwise. */
int dbconf_remove(const char *path);

#endif /* IMAP_DBCONF_H */
