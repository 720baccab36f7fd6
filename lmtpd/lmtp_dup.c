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
    struct buf key = BUF_INIT;
    char val[32];
    int n, r;

    if (!dupdb)
        return;
    dup_key(msgid, mailbox, &key);
    n = snprintf(val, sizeof(val), "%lld", (long long)time(NULL));
    r = db_store(dupdb, key.s, key.len, val, (size_t)n, NULL);
    if (r != DB_OK)
        log_error("DBERROR: duplicate mark failed mailbox=<%s> error=<%s>",
                  mailbox, db_errstr(r));
    buf_free(&key);
}
