/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/db_util.c - helpers shared by the lib/db.c unit tests (see
 * cunit/db_util.h): backend list, file names, C-string wrappers, counting
 * callbacks and the per-test Berkeley DB environment.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cunit/db_util.h"
#include "cunit/harness.h"

const char *const backends[NBACKENDS] = { "twoskip", "berkeley",
                                          "berkeley-hash" };

char envdir[4096];

/* is_bdb - does this backend live in the Berkeley DB environment? */
int is_bdb(const char *be)
{
    return !strncmp(be, "berkeley", 8);
}

/* dbpath - a fresh file name for this test and backend */
const char *dbpath(const char *test, const char *be)
{
    static char path[4096];
    snprintf(path, sizeof(path), "%s/%s-%s.db", cunit_tmpdir(), test, be);
    return path;
}

/* now_ms - monotonic milliseconds */
double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* open_new - open path with be, creating it; asserts success */
struct db *open_new(const char *be, const char *path)
{
    struct db *db = NULL;
    int r = db_open(be, path, DB_OPT_CREATE, &db);
    CU_ASSERT_EQUAL_FATAL(r, DB_OK);
    return db;
}

/* fetch_str - fetch key (a C string) into out; returns the db_result */
int fetch_str(struct db *db, const char *key, struct buf *out,
              struct db_txn **tid)
{
    const char *d;
    size_t dl;
    int r = db_fetch(db, key, strlen(key), &d, &dl, tid);
    buf_reset(out);
    if (r == DB_OK)
        buf_setmap(out, d, dl);
    return r;
}

/* store_str - store C strings */
int store_str(struct db *db, const char *key, const char *val,
              struct db_txn **tid)
{
    return db_store(db, key, strlen(key), val, strlen(val), tid);
}

/* collect_cb - append the key to the list */
int collect_cb(void *rock, const char *key, size_t keylen, const char *data,
               size_t datalen)
{
    struct collect *c = rock;
    if (c->n++)
        buf_putc(&c->keys, ',');
    buf_appendmap(&c->keys, key, keylen);
    return 0;
}

/* count_cb - count the record */
int count_cb(void *rock, const char *key, size_t keylen, const char *data,
             size_t datalen)
{
    (*(size_t *)rock)++;
    return 0;
}

/* count_prefix - records under prefix, seen without a transaction */
size_t count_prefix(struct db *db, const char *prefix)
{
    size_t n = 0;
    int r = db_foreach(db, prefix, strlen(prefix), NULL, count_cb, &n, NULL);
    CU_ASSERT_EQUAL(r, DB_OK);
    return n;
}

/* make_kv - the i-th test key (~40 bytes) and value (~60 bytes) */
void make_kv(const char *prefix, long i, char *k, size_t ks, char *v,
             size_t vs)
{
    snprintf(k, ks, "%suser.%08ld.INBOX.folder-%06ld", prefix,
             (i * 7919) % 100000000, i);
    snprintf(v, vs, "%ld 1 backend%ld!default (lrswipkxtecdan) user%ld", i,
             i % 7, i);
}

/* setup - (re)join the environment */
void setup(void)
{
    snprintf(envdir, sizeof(envdir), "%s/dbenv", cunit_tmpdir());
    db_init(envdir, 0);
}

/* teardown - no fault hook survives a test */
void teardown(void)
{
    db_fault_hook = NULL;
}
