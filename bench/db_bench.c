/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench/db_bench.c - rough figures for the DB backends, run by hand:
 *     db_bench <backend> <directory> [records]
 * Inserts `records` (default 1,000,000) ~40-byte keys with ~60-byte values
 * in one transaction, then times a fresh open, random lookups, a full
 * foreach and small autocommitted writes.  Not part of `make check`.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/db.h"
#include "lib/log.h"

/* now - monotonic seconds */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* make_kv - the i-th key (~40 bytes) and value (~60 bytes) */
static void make_kv(long i, char *k, size_t ks, char *v, size_t vs)
{
    snprintf(k, ks, "user.u%07ld.INBOX.Folder-%010ld", (i * 7919) % 10000000,
             i);
    snprintf(v, vs, "%ld 1 backend%02ld.example.com!default "
             "(anyone lrs) u%07ld", i, i % 16, i);
}

static int count_cb(void *rock, const char *key, size_t keylen,
                    const char *data, size_t datalen)
{
    (*(long *)rock)++;
    return 0;
}

int main(int argc, char **argv)
{
    struct buf path = BUF_INIT, env = BUF_INIT;
    struct db *db = NULL;
    struct db_txn *tid = NULL;
    long n = argc > 3 ? atol(argv[3]) : 1000000, found = 0, seen = 0;
    char k[128], v[128];
    double t0, t;
    long lookups = 0;
    int r;

    if (argc < 3) {
        fprintf(stderr, "usage: db_bench <backend> <directory> [records]\n");
        return 64;
    }
    log_open("db_bench", NULL);
    log_set_file("-");
    buf_printf(&env, "%s/env", argv[2]);
    buf_printf(&path, "%s/bench-%s.db", argv[2], argv[1]);
    unlink(buf_cstring(&path));
    if (db_init(env.s, 0) != DB_OK && !strncmp(argv[1], "berkeley", 8))
        return 1;
    if ((r = db_open(argv[1], path.s, DB_OPT_CREATE, &db)) != DB_OK) {
        fprintf(stderr, "open: %s\n", db_errstr(r));
        return 1;
    }
    t0 = now();
    for (long i = 0; i < n; i++) {
        make_kv(i, k, sizeof(k), v, sizeof(v));
        if ((r = db_store(db, k, strlen(k), v, strlen(v), &tid)) != DB_OK) {
            fprintf(stderr, "store: %s\n", db_errstr(r));
            return 1;
        }
    }
    t = now();
    printf("%s: %ld stores in one txn: %.2f s", argv[1], n, t - t0);
    if ((r = db_commit(db, tid)) != DB_OK)
        return 1;
    printf(" + commit %.2f s = %.2f s\n", now() - t, now() - t0);
    db_close(&db);

    t0 = now();
    db_open(argv[1], path.s, 0, &db);
    make_kv(12345 % n, k, sizeof(k), v, sizeof(v));
    {
        const char *d;
        size_t dl;
        r = db_fetch(db, k, strlen(k), &d, &dl, NULL);
    }
    printf("%s: fresh open + first lookup: %.3f ms (%s)\n", argv[1],
           (now() - t0) * 1000, db_errstr(r));

    srandom(42);
    t0 = now();
    while ((t = now()) - t0 < 3.0) {
        for (int j = 0; j < 1000; j++, lookups++) {
            const char *d;
            size_t dl;
            make_kv(random() % n, k, sizeof(k), v, sizeof(v));
            if (db_fetch(db, k, strlen(k), &d, &dl, NULL) == DB_OK)
                found++;
        }
    }
    printf("%s: random lookups: %.0f/s (%ld of %ld found)\n", argv[1],
           lookups / (t - t0), found, lookups);

    t0 = now();
    db_foreach(db, "", 0, NULL, count_cb, &seen, NULL);
    printf("%s: foreach over %ld records: %.2f s\n", argv[1], seen,
           now() - t0);

    t0 = now();
    for (int j = 0; j < 200; j++) {
        snprintf(k, sizeof(k), "user.single%04d", j);
        db_store(db, k, strlen(k), "x", 1, NULL);
    }
    printf("%s: autocommitted (fsync'd) single stores: %.0f/s\n", argv[1],
           200 / (now() - t0));
    db_close(&db);
    db_done();
    buf_free(&path);
    buf_free(&env);
    return 0;
}
