/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lmtp_dup.c - the duplicate delivery database (see lmtp_dup.h) over
 * lib/db.h.  Used by lmtpd/lmtp_local.c only; one handle per process,
 * opened after privileges are dropped.  Database errors are logged by
 * lib/db.c and here, and turn into "not a duplicate": delivering twice
 * is better than losing a message.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "imap/dbconf.h"
#include "lib/buf.h"
#include "lib/db.h"
#include "lib/log.h"
#include "lmtpd/lmtp_dup.h"

static struct db *dupdb; /* the process's handle */

int lmtp_dup_open(void)
{
    struct buf path = BUF_INIT;
    int r;

    if (dupdb)
        return 0;
    dbconf_path(LMTP_DUP_FILE, &path);
    r = db_open(dbconf_backend(IMAPOPT_DUPLICATE_DB), buf_cstring(&path),
                DB_OPT_CREATE, &dupdb);
    if (r != DB_OK)
        log_error("DBERROR: cannot open duplicate database file=<%s> "
                  "error=<%s>", buf_cstring(&path), db_errstr(r));
    buf_free(&path);
    return r == DB_OK ? 0 : -1;
}

void lmtp_dup_close(void)
{
    if (dupdb)
        db_close(&dupdb);
}

/* dup_key - msgid NUL mailbox into key */
static void dup_key(const char *msgid, const char *mailbox, struct buf *key)
{
    buf_reset(key);
    buf_appendcstr(key, msgid);
    buf_putc(key, '\0');
    buf_appendcstr(key, mailbox);
}

int lmtp_dup_check(const char *msgid, const char *mailbox)
{
    struct buf key = BUF_INIT;
    const char *data;
    size_t len;
    int r;

    if (!dupdb)
        return 0;
    dup_key(msgid, mailbox, &key);
    r = db_fetch(dupdb, key.s, key.len, &data, &len, NULL);
    buf_free(&key);
    return r == DB_OK;
}

void lmtp_dup_mark(const char *msgid, const char *mailbox)
{
    lmtp_dup_mark_all(msgid, &mailbox, 1);
}

/* A transaction that hit a deadlock (DB_AGAIN) is tried again this often. */
#define DUP_MARK_TRIES 3

/* mark_once - one transaction storing every record; a db result */
static int mark_once(const char *msgid, const char *const *mailboxes,
                     size_t n, const char *val, size_t vlen)
{
    struct db_txn *tid = NULL;
    struct buf key = BUF_INIT;
    int r = DB_OK;

    for (size_t i = 0; r == DB_OK && i < n; i++) {
        dup_key(msgid, mailboxes[i], &key);
        r = db_store(dupdb, key.s, key.len, val, vlen, &tid);
    }
    if (r == DB_OK && tid)
        r = db_commit(dupdb, tid);
    else if (tid)
        db_abort(dupdb, tid);
    buf_free(&key);
    return r;
}

void lmtp_dup_mark_all(const char *msgid, const char *const *mailboxes,
                       size_t n)
{
    char val[32];
    int len, r = DB_AGAIN;

    if (!dupdb || n == 0)
        return;
    len = snprintf(val, sizeof(val), "%lld", (long long)time(NULL));
    for (int i = 0; i < DUP_MARK_TRIES && r == DB_AGAIN; i++)
        r = mark_once(msgid, mailboxes, n, val, (size_t)len);
    if (r != DB_OK)
        log_error("DBERROR: duplicate mark failed mailbox=<%s> count=<%zu> "
                  "error=<%s>", mailboxes[0], n, db_errstr(r));
}
