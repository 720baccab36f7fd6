/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/db.c - behavioural unit tests for lib/db.c, run over every backend
 * in `backends` (the native format and Berkeley DB btree/hash): store,
 * fetch, delete, binary keys, foreach order and prefixes, fetchnext,
 * transactions (commit, abort, own writes, isolation), modifying from a
 * foreach callback, and a 100,000-key volume test.  Crash safety and
 * several processes are in cunit/db_crash.c; backend-specific behaviour in
 * cunit/db_backend.c; shared helpers in cunit/db_util.c.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cunit/db_util.h"
#include "cunit/harness.h"
#include "lib/buf.h"
#include "lib/db.h"

/* ---- basic operations ---- */

static void test_store_fetch_delete(void)
{
    const char *be;
    struct buf v = BUF_INIT;

    FOR_EACH_BACKEND(be) {
        struct db *db = open_new(be, dbpath("basic", be));
        CU_ASSERT_EQUAL(fetch_str(db, "a", &v, NULL), DB_NOTFOUND);
        CU_ASSERT_EQUAL(store_str(db, "a", "one", NULL), DB_OK);
        CU_ASSERT_EQUAL(fetch_str(db, "a", &v, NULL), DB_OK);
        CU_ASSERT(buf_equal_cstr(&v, "one"));
        CU_ASSERT_EQUAL(store_str(db, "a", "uno", NULL), DB_OK);
        CU_ASSERT_EQUAL(fetch_str(db, "a", &v, NULL), DB_OK);
        CU_ASSERT(buf_equal_cstr(&v, "uno"));
        CU_ASSERT_EQUAL(db_insert(db, "a", 1, "x", 1, NULL), DB_EXISTS);
        CU_ASSERT_EQUAL(db_insert(db, "b", 1, "x", 1, NULL), DB_OK);
        CU_ASSERT_EQUAL(store_str(db, "empty", "", NULL), DB_OK);
        CU_ASSERT_EQUAL(fetch_str(db, "empty", &v, NULL), DB_OK);
        CU_ASSERT_EQUAL(v.len, 0);
        CU_ASSERT_EQUAL(db_delete(db, "a", 1, NULL), DB_OK);
        CU_ASSERT_EQUAL(fetch_str(db, "a", &v, NULL), DB_NOTFOUND);
        CU_ASSERT_EQUAL(db_delete(db, "a", 1, NULL), DB_NOTFOUND);
        CU_ASSERT_EQUAL(db_close(&db), DB_OK);
        CU_ASSERT_PTR_NULL(db);
        /* it persisted */
        CU_ASSERT_EQUAL(db_open(be, dbpath("basic", be), 0, &db), DB_OK);
        CU_ASSERT_EQUAL(fetch_str(db, "b", &v, NULL), DB_OK);
        CU_ASSERT(buf_equal_cstr(&v, "x"));
        CU_ASSERT_EQUAL(fetch_str(db, "a", &v, NULL), DB_NOTFOUND);
        db_close(&db);
    }
    buf_free(&v);
}

static void test_open_errors(void)
{
    struct db *db = NULL;
    const char *be;

    CU_ASSERT_EQUAL(db_open("nosuch", dbpath("x", "x"), DB_OPT_CREATE, &db),
                    DB_INTERNAL);
    CU_ASSERT_PTR_NULL(db);
    CU_ASSERT(db_backend_known("skiplist"));
    CU_ASSERT(db_backend_known("flat"));
    CU_ASSERT(db_backend_known("berkeley-nosync"));
    CU_ASSERT(!db_backend_known("lmdb"));
    FOR_EACH_BACKEND(be) {
        CU_ASSERT_EQUAL(db_open(be, dbpath("missing", be), 0, &db),
                        DB_NOTFOUND);
        CU_ASSERT_PTR_NULL(db);
    }
    CU_ASSERT_STRING_EQUAL(db_errstr(DB_NOTFOUND), "record not found");
}

static void test_binary_keys(void)
{
    static const char k1[] = { 'a', 0, 'b' }, k2[] = { 'a', 0 },
                      k3[] = { 'a', 0, 'a', (char)0xff };
    static const char val[] = { 0, 1, 0, 2 };
    const char *be, *d;
    size_t dl;

    FOR_EACH_BACKEND(be) {
        struct db *db = open_new(be, dbpath("binary", be));
        struct collect c = { BUF_INIT, 0 };
        CU_ASSERT_EQUAL(db_store(db, k1, 3, val, 4, NULL), DB_OK);
        CU_ASSERT_EQUAL(db_store(db, k2, 2, "two", 3, NULL), DB_OK);
        CU_ASSERT_EQUAL(db_store(db, k3, 4, "three", 5, NULL), DB_OK);
        CU_ASSERT_EQUAL(db_store(db, "a", 1, "one", 3, NULL), DB_OK);
        CU_ASSERT_EQUAL(db_fetch(db, k1, 3, &d, &dl, NULL), DB_OK);
        CU_ASSERT_EQUAL(dl, 4);
        CU_ASSERT_EQUAL(memcmp(d, val, 4), 0);
        CU_ASSERT_EQUAL(db_fetch(db, k2, 2, &d, &dl, NULL), DB_OK);
        CU_ASSERT_EQUAL(dl, 3);
        CU_ASSERT_EQUAL(db_fetch(db, k1, 2, &d, &dl, NULL), DB_OK);
        CU_ASSERT_EQUAL(db_fetch(db, "a\0c", 3, &d, &dl, NULL), DB_NOTFOUND);
        /* prefix "a\0": k2 < k3 < k1 (bytewise, shorter first) */
        CU_ASSERT_EQUAL(db_foreach(db, k2, 2, NULL, collect_cb, &c, NULL),
                        DB_OK);
        CU_ASSERT_EQUAL(c.n, 3);
        CU_ASSERT_EQUAL(c.keys.len, 2 + 1 + 4 + 1 + 3);
        CU_ASSERT_EQUAL(memcmp(c.keys.s, "a\0,a\0a\xff,a\0b", 11), 0);
        buf_free(&c.keys);
        db_close(&db);
    }
}

/* goodp that passes keys ending in an even digit */
static int even_goodp(void *rock, const char *key, size_t keylen,
                      const char *data, size_t datalen)
{
    return (key[keylen - 1] - '0') % 2 == 0;
}

/* stop after two records */
static int stop_cb(void *rock, const char *key, size_t keylen,
                   const char *data, size_t datalen)
{
    return ++*(int *)rock == 2;
}

static void test_foreach_order_prefix(void)
{
    static const char *keys[] = { "user.b", "user.a.2", "user", "user.a",
                                  "usex", "user.a.1", "a", "user.c" };
    const char *be;

    FOR_EACH_BACKEND(be) {
        struct db *db = open_new(be, dbpath("foreach", be));
        struct collect c = { BUF_INIT, 0 };
        int stops = 0;

        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
            CU_ASSERT_EQUAL(store_str(db, keys[i], "v", NULL), DB_OK);
        CU_ASSERT_EQUAL(db_foreach(db, "", 0, NULL, collect_cb, &c, NULL),
                        DB_OK);
        CU_ASSERT_STRING_EQUAL(buf_cstring(&c.keys),
                               "a,user,user.a,user.a.1,user.a.2,user.b,"
                               "user.c,usex");
        buf_reset(&c.keys);
        c.n = 0;
        CU_ASSERT_EQUAL(db_foreach(db, "user.", 5, NULL, collect_cb, &c,
                                   NULL), DB_OK);
        CU_ASSERT_STRING_EQUAL(buf_cstring(&c.keys),
                               "user.a,user.a.1,user.a.2,user.b,user.c");
        buf_reset(&c.keys);
        c.n = 0;
        CU_ASSERT_EQUAL(db_foreach(db, "user.a.", 7, even_goodp, collect_cb,
                                   &c, NULL), DB_OK);
        CU_ASSERT_STRING_EQUAL(buf_cstring(&c.keys), "user.a.2");
        CU_ASSERT_EQUAL(db_foreach(db, "", 0, NULL, stop_cb, &stops, NULL),
                        DB_DONE);
        CU_ASSERT_EQUAL(stops, 2);
        CU_ASSERT_EQUAL(count_prefix(db, "zzz"), 0);
        buf_free(&c.keys);
        db_close(&db);
    }
}

static void test_fetchnext(void)
{
    const char *be, *k, *d;
    size_t kl, dl;

    FOR_EACH_BACKEND(be) {
        struct db *db = open_new(be, dbpath("fetchnext", be));
        struct buf walk = BUF_INIT, last = BUF_INIT;
        int r;

        if (!strcmp(be, "berkeley-hash")) {
            CU_ASSERT_EQUAL(store_str(db, "b", "2", NULL), DB_OK);
            CU_ASSERT_EQUAL(db_fetchnext(db, "", 0, &k, &kl, &d, &dl, NULL),
                            DB_INTERNAL);
            db_close(&db);
            continue;
        }
        CU_ASSERT_EQUAL(db_fetchnext(db, "", 0, &k, &kl, &d, &dl, NULL),
                        DB_NOTFOUND);
        store_str(db, "c", "3", NULL);
        store_str(db, "a", "1", NULL);
        store_str(db, "b", "2", NULL);
        while ((r = db_fetchnext(db, last.s, last.len, &k, &kl, &d, &dl,
                                 NULL)) == DB_OK) {
            buf_appendmap(&walk, k, kl);
            buf_appendmap(&walk, d, dl);
            buf_setmap(&last, k, kl);
        }
        CU_ASSERT_EQUAL(r, DB_NOTFOUND);
        CU_ASSERT_STRING_EQUAL(buf_cstring(&walk), "a1b2c3");
        CU_ASSERT_EQUAL(db_fetchnext(db, "aa", 2, &k, &kl, &d, &dl, NULL),
                        DB_OK);
        CU_ASSERT(kl == 1 && k[0] == 'b');
        buf_free(&walk);
        buf_free(&last);
        db_close(&db);
    }
}

/* ---- transactions ---- */

static void test_txn_commit_abort(void)
{
    const char *be;
    struct buf v = BUF_INIT;

    FOR_EACH_BACKEND(be) {
        const char *path = dbpath("txn", be);
        struct db *db = open_new(be, path), *other = NULL;
        struct db_txn *tid = NULL;
        size_t n = 0;

        CU_ASSERT_EQUAL(db_open(be, path, 0, &other), DB_OK);
        CU_ASSERT_EQUAL(store_str(db, "k", "old", NULL), DB_OK);
        CU_ASSERT_EQUAL(store_str(db, "k", "new", &tid), DB_OK);
        CU_ASSERT_PTR_NOT_NULL(tid);
        CU_ASSERT_EQUAL(store_str(db, "k2", "x", &tid), DB_OK);
        CU_ASSERT_EQUAL(db_delete(db, "k2", 2, &tid), DB_OK);
        CU_ASSERT_EQUAL(store_str(db, "k3", "y", &tid), DB_OK);
        /* the transaction sees its own writes */
        CU_ASSERT_EQUAL(fetch_str(db, "k", &v, &tid), DB_OK);
        CU_ASSERT(buf_equal_cstr(&v, "new"));
        CU_ASSERT_EQUAL(fetch_str(db, "k2", &v, &tid), DB_NOTFOUND);
        CU_ASSERT_EQUAL(db_foreach(db, "k", 1, NULL, count_cb, &n, &tid),
                        DB_OK);
        CU_ASSERT_EQUAL(n, 2);
        /* everybody else sees committed data only (a Berkeley DB reader
         * would wait for the page lock instead: not in one process) */
        if (!is_bdb(be)) {
            CU_ASSERT_EQUAL(fetch_str(other, "k", &v, NULL), DB_OK);
            CU_ASSERT(buf_equal_cstr(&v, "old"));
            CU_ASSERT_EQUAL(fetch_str(other, "k3", &v, NULL), DB_NOTFOUND);
            CU_ASSERT_EQUAL(count_prefix(other, "k"), 1);
            CU_ASSERT_EQUAL(fetch_str(db, "k", &v, NULL), DB_OK);
            CU_ASSERT(buf_equal_cstr(&v, "old"));
        }
        CU_ASSERT_EQUAL(db_commit(db, tid), DB_OK);
        CU_ASSERT_EQUAL(fetch_str(other, "k", &v, NULL), DB_OK);
        CU_ASSERT(buf_equal_cstr(&v, "new"));
        CU_ASSERT_EQUAL(fetch_str(other, "k3", &v, NULL), DB_OK);
        CU_ASSERT_EQUAL(count_prefix(other, "k"), 2);

        /* abort discards */
        tid = NULL;
        CU_ASSERT_EQUAL(store_str(db, "k", "aborted", &tid), DB_OK);
        CU_ASSERT_EQUAL(db_delete(db, "k3", 2, &tid), DB_OK);
        CU_ASSERT_EQUAL(db_abort(db, tid), DB_OK);
        CU_ASSERT_EQUAL(fetch_str(db, "k", &v, NULL), DB_OK);
        CU_ASSERT(buf_equal_cstr(&v, "new"));
        CU_ASSERT_EQUAL(fetch_str(other, "k3", &v, NULL), DB_OK);

        /* fetchlock begins a transaction for a read-modify-write */
        tid = NULL;
        CU_ASSERT_EQUAL(db_fetchlock(db, "k", 1, &(const char *){ NULL },
                                     &(size_t){ 0 }, &tid), DB_OK);
        CU_ASSERT_PTR_NOT_NULL(tid);
        CU_ASSERT_EQUAL(store_str(db, "k", "rmw", &tid), DB_OK);
        CU_ASSERT_EQUAL(db_commit(db, tid), DB_OK);
        CU_ASSERT_EQUAL(fetch_str(other, "k", &v, NULL), DB_OK);
        CU_ASSERT(buf_equal_cstr(&v, "rmw"));
        db_close(&other);
        db_close(&db);
    }
    buf_free(&v);
}

/* delete every record it is shown, inside the caller's transaction */
struct del_rock {
    struct db *db;
    struct db_txn **tid;
    int n;
};

static int delete_cb(void *rock, const char *key, size_t keylen,
                     const char *data, size_t datalen)
{
    struct del_rock *d = rock;
    struct buf k = BUF_INIT;
    buf_setmap(&k, key, keylen); /* key is invalid after the next call */
    if (db_delete(d->db, k.s, k.len, d->tid) == DB_OK)
        d->n++;
    buf_free(&k);
    return 0;
}

static void test_foreach_modify(void)
{
    const char *be;
    char key[32];

    FOR_EACH_BACKEND(be) {
        struct db *db = open_new(be, dbpath("modify", be));
        struct db_txn *tid = NULL;
        struct del_rock d = { db, NULL, 0 };

        for (int i = 0; i < 50; i++) {
            snprintf(key, sizeof(key), "m%03d", i);
            store_str(db, key, "v", NULL);
        }
        /* autocommitted deletes from a callback without a transaction */
        CU_ASSERT_EQUAL(db_foreach(db, "m00", 3, NULL, delete_cb, &d, NULL),
                        DB_OK);
        CU_ASSERT_EQUAL(d.n, 10);
        CU_ASSERT_EQUAL(count_prefix(db, "m"), 40);
        /* and inside a transaction */
        d.tid = &tid;
        d.n = 0;
        CU_ASSERT_EQUAL(db_foreach(db, "m0", 2, NULL, delete_cb, &d, &tid),
                        DB_OK);
        CU_ASSERT_EQUAL(d.n, 40);
        if (!is_bdb(be)) /* (Berkeley DB: would wait for our own txn) */
            CU_ASSERT_EQUAL(count_prefix(db, "m"), 40);
        CU_ASSERT_EQUAL(db_commit(db, tid), DB_OK);
        CU_ASSERT_EQUAL(count_prefix(db, "m"), 0);
        db_close(&db);
    }
}

/* ---- volume ---- */

#define MANY 100000

static void test_many_keys(void)
{
    const char *be;
    char k[128], v[128];

    FOR_EACH_BACKEND(be) {
        struct db *db = open_new(be, dbpath("many", be));
        struct db_txn *tid = NULL;
        double t0 = now_ms(), t1, t2;
        const char *d;
        size_t dl;
        int bad = 0;

        for (long i = 0; i < MANY; i++) {
            make_kv("", i, k, sizeof(k), v, sizeof(v));
            if (db_store(db, k, strlen(k), v, strlen(v), &tid) != DB_OK)
                bad++;
        }
        CU_ASSERT_EQUAL(db_commit(db, tid), DB_OK);
        t1 = now_ms();
        for (long i = 0; i < MANY; i += 7) {
            make_kv("", i, k, sizeof(k), v, sizeof(v));
            if (db_fetch(db, k, strlen(k), &d, &dl, NULL) != DB_OK ||
                dl != strlen(v) || memcmp(d, v, dl))
                bad++;
        }
        t2 = now_ms();
        CU_ASSERT_EQUAL(bad, 0);
        CU_ASSERT_EQUAL(count_prefix(db, "user."), MANY);
        printf("\n    %s: %d inserts in one txn %.0f ms, %d lookups %.0f ms ",
               be, MANY, t1 - t0, MANY / 7, t2 - t1);
        /* sanity bound, generous for sanitizer builds */
        CU_ASSERT(t1 - t0 < 15000);
        db_close(&db);
        if (!is_bdb(be)) {
            /* a fresh handle maps the file: nothing to replay */
            CU_ASSERT_EQUAL(db_open(be, dbpath("many", be), 0, &db), DB_OK);
            make_kv("", 4242, k, sizeof(k), v, sizeof(v));
            CU_ASSERT_EQUAL(db_fetch(db, k, strlen(k), &d, &dl, NULL), DB_OK);
            db_close(&db);
        }
    }
}

const char *cunit_suite_name = "db";
void (*cunit_setup)(void) = setup;
void (*cunit_teardown)(void) = teardown;
CU_TestInfo cunit_tests[] = {
    { "store_fetch_delete", test_store_fetch_delete },
    { "open_errors", test_open_errors },
    { "binary_keys", test_binary_keys },
    { "foreach_order_prefix", test_foreach_order_prefix },
    { "fetchnext", test_fetchnext },
    { "txn_commit_abort", test_txn_commit_abort },
    { "foreach_modify", test_foreach_modify },
    { "many_keys", test_many_keys },
    CU_TEST_INFO_NULL,
};
