/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * db_util.h - helpers shared by the lib/db.c unit tests (cunit/db.c,
 * cunit/db_crash.c, cunit/db_backend.c): the backend list, a file per
 * test and backend, a fresh Berkeley DB environment per test, C-string
 * store/fetch and prefix counting.  They keep the short names the tests
 * have always used.  Helpers that open or count assert on failure (CUnit),
 * so callers only check what the test is about.
 */
#ifndef CUNIT_DB_UTIL_H
#define CUNIT_DB_UTIL_H

#include <stddef.h>

#include "lib/buf.h"
#include "lib/db.h"

/* every behavioural test runs over each of these backend names */
extern const char *const backends[];
#define NBACKENDS 3
#define FOR_EACH_BACKEND(be) \
    for (size_t be##_i = 0; be##_i < NBACKENDS && \
                            ((be) = backends[be##_i], 1); be##_i++)

/* the Berkeley DB environment directory, set by setup() */
extern char envdir[4096];

/* is_bdb - 1 if backend be lives in the Berkeley DB environment */
int is_bdb(const char *be);
/* dbpath - a file name for this test and backend under the test's
 * private directory (static storage: valid until the next call) */
const char *dbpath(const char *test, const char *be);
/* now_ms - monotonic milliseconds */
double now_ms(void);
/* open_new - open path with be, creating it; a fatal assertion if not */
struct db *open_new(const char *be, const char *path);
/* fetch_str - fetch key (a C string) into out (reset first); the
 * db_result */
int fetch_str(struct db *db, const char *key, struct buf *out,
              struct db_txn **tid);
/* store_str - store C strings; the db_result */
int store_str(struct db *db, const char *key, const char *val,
              struct db_txn **tid);

/* collect_cb - foreach callback: appends each key to keys as
 * "k1,k2,..." and counts them in n */
struct collect {
    struct buf keys;
    size_t n;
};
int collect_cb(void *rock, const char *key, size_t keylen, const char *data,
               size_t datalen);
/* count_cb - foreach callback: increments the size_t at rock */
int count_cb(void *rock, const char *key, size_t keylen, const char *data,
             size_t datalen);
/* count_prefix - records under prefix, seen without a transaction;
 * asserts that the walk succeeded */
size_t count_prefix(struct db *db, const char *prefix);

/* make_kv - the i-th test key (~40 bytes, after prefix) and value
 * (~60 bytes) into k[ks] and v[vs]: mailboxes.db-like records */
void make_kv(const char *prefix, long i, char *k, size_t ks, char *v,
             size_t vs);

/* setup - (re)join the test's Berkeley DB environment in envdir; the
 * cunit_setup of every db test program, also called after db_done() */
void setup(void);
/* teardown - clear db_fault_hook; every program's cunit_teardown */
void teardown(void);

#endif /* CUNIT_DB_UTIL_H */
