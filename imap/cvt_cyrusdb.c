/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cvt_cyrusdb.c - copy every record of a database into a new one,
 * usually to change its backend:
 *     cvt_cyrusdb [-C imapd.conf] <old db> <old backend> <new db> <new backend>
 * The new database must not exist yet; it is written in one transaction,
 * so it is either complete or empty.  Exit codes: 0, 64 usage, 66 old
 * database missing, 74 I/O errors.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/db.h"
#include "lib/exitcodes.h"
#include "lib/log.h"
#include "lib/startup.h"

struct copy {
    struct db *to;
    struct db_txn *tid;
    int r;
    unsigned long n;
};

/* usage - print the synopsis and exit 64 */
static void usage(void)
{
    fprintf(stderr, "usage: cvt_cyrusdb [-C imapd.conf] <old db> "
                    "<old backend> <new db> <new backend>\n");
    exit(EX_USAGE);
}

/* copy_cb - store one record into the new database */
static int copy_cb(void *rock, const char *key, size_t keylen,
                   const char *data, size_t datalen)
{
    struct copy *c = rock;
    c->r = db_store(c->to, key, keylen, data, datalen, &c->tid);
    c->n++;
    return c->r != DB_OK;
}

/* convert - the copy itself; returns an exit code */
static int convert(const char *oldp, const char *oldbe, const char *newp,
                   const char *newbe)
{
    struct db *from = NULL;
    struct copy c = { NULL, NULL, DB_OK, 0 };
    int r;

    if ((r = db_open(oldbe, oldp, 0, &from)) != DB_OK) {
        fprintf(stderr, "cvt_cyrusdb: %s: %s\n", oldp, db_errstr(r));
        return r == DB_NOTFOUND ? EX_NOINPUT : EX_IOERR;
    }
    if ((r = db_open(newbe, newp, DB_OPT_CREATE, &c.to)) != DB_OK) {
        fprintf(stderr, "cvt_cyrusdb: %s: %s\n", newp, db_errstr(r));
        db_close(&from);
        return EX_IOERR;
    }
    r = db_foreach(from, "", 0, NULL, copy_cb, &c, NULL);
    if (r == DB_DONE)
        r = c.r;
    if (r == DB_OK && c.tid)
        r = db_commit(c.to, c.tid);
    else if (c.tid)
        db_abort(c.to, c.tid);
    db_close(&c.to);
    db_close(&from);
    if (r != DB_OK) {
        fprintf(stderr, "cvt_cyrusdb: conversion failed: %s\n",
                db_errstr(r));
        unlink(newp);
        return EX_IOERR;
    }
    log_info("converted records=<%lu> from=<%s> to=<%s>", c.n, oldp, newp);
    printf("converted %lu records\n", c.n);
    return EX_OK;
}

int main(int argc, char **argv)
{
    const char *conf = CFG_DEFAULT_PATH;
    int c, r;

    while ((c = getopt(argc, argv, "C:")) != -1) {
        if (c == 'C')
            conf = optarg;
        else
            usage();
    }
    if (argc - optind != 4)
        usage();
    if (!db_backend_known(argv[optind + 1]) ||
        !db_backend_known(argv[optind + 3])) {
        fprintf(stderr, "cvt_cyrusdb: unknown backend (berkeley, "
                        "berkeley-nosync, berkeley-hash, twoskip, skiplist, "
                        "flat)\n");
        usage();
    }
    if (!strcmp(argv[optind], argv[optind + 2])) {
        fprintf(stderr, "cvt_cyrusdb: old and new database are the same\n");
        usage();
    }
    if (access(argv[optind + 2], F_OK) == 0) {
        fprintf(stderr, "cvt_cyrusdb: %s already exists\n", argv[optind + 2]);
        usage();
    }
    startup_tool("cvt_cyrusdb", conf);
    if (startup_db(0) != DB_OK)
        fatal(EX_IOERR, "DBERROR: cannot open the database environment");
    r = convert(argv[optind], argv[optind + 1], argv[optind + 2],
                argv[optind + 3]);
    db_done();
    return r;
}
