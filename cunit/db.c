/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/db.c - unit tests for lib/db.c and its backends.
 *
 * Every behavioural test runs over each backend name in `backends` (the
 * native format and Berkeley DB btree/hash).  Crash tests fork a child
 * that is SIGKILLed at fault points inside a commit (db_fault_hook) or at
 * random moments, then check all-or-nothing; Berkeley DB gets environment
 * recovery first, as ctl_cyrusdb -r would do.
 */
#include "config.h"

#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cunit/harness.h"
#include "lib/buf.h"
#include "lib/db.h"
#include "lib/str.h"

static const char *const backends[] = { "twoskip", "berkeley",
                                        "berkeley-hash" };
#define NBACKENDS (sizeof(backends) / sizeof(backends[0]))
#define FOR_EACH_BACKEND(be) \
    for (size_t be##_i = 0; be##_i < NBACKENDS && \
                            ((be) = backends[be##_i], 1); be##_i++)

static char envdir[4096];

/* is_bdb - does this backend live in the Berkeley DB environment? */
static int is_bdb(const char *be)
{
    return !strncmp(be, "berkeley", 8);
}

/* dbpath - a fresh file name for this test and backend */
static const char *dbpath(const char *test, const char *be)
{
    static char path[4096];
    snprintf(path, sizeof(path), "%s/%s-%s.db", cunit_tmpdir(), test, be);
    return path;
}

/* now_ms - monotonic milliseconds */
static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* open_new - open path with be, creating it; asserts success */
static struct db *open_new(const char *be, const char *path)
{
    struct db *db = NULL;
    int r = db_open(be, path, DB_OPT_CREATE, &db);
    CU_ASSERT_EQUAL_FATAL(r, DB_OK);
    return db;
}

/* fetch_str - fetch key (a C string) into out; returns the db_result */
static int fetch_str(struct db *db, const char *key, struct buf *out,
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
static int store_str(struct db *db, const char *key, const char *val,
                     struct db_txn **tid)
{
    return db_store(db, key, strlen(key), val, strlen(val), tid);
}

/* counting foreach callback */
struct collect {
    struct buf keys; /* "k1,k2,..." */
    size_t n;
};

static int collect_cb(void *rock, const char *key, size_t keylen,
                      const char *data, size_t datalen)
{
    struct collect *c = rock;
    if (c->n++)
        buf_putc(&c->keys, ',');
    buf_appendmap(&c->keys, key, keylen);
    return 0;
}

static int count_cb(void *rock, const char *key, size_t keylen,
                    const char *data, size_t datalen)
{
    (*(size_t *)rock)++;
    return 0;
}

/* count_prefix - records under prefix, seen without a transaction */
static size_t count_prefix(struct db *db, const char *prefix)
{
    size_t n = 0;
    int r = db_foreach(db, prefix, strlen(prefix), NULL, count_cb, &n, NULL);
    CU_ASSERT_EQUAL(r, DB_OK);
    return n;
}

static void setup(void)
{
    snprintf(envdir, sizeof(envdir), "%s/dbenv", cunit_tmpdir());
    db_init(envdir, 0);
}

static void teardown(void)
{
    db_fault_hook = NULL;
}

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

/* make_kv - the i-th test key (~40 bytes) and value (~60 bytes) */
static void make_kv(const char *prefix, long i, char *k, size_t ks, char *v,
                    size_t vs)
{
    snprintf(k, ks, "%suser.%08ld.INBOX.folder-%06ld", prefix,
             (i * 7919) % 100000000, i);
    snprintf(v, vs, "%ld 1 backend%ld!default (lrswipkxtecdan) user%ld", i,
             i % 7, i);
}

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

/* ---- several processes ---- */

/* child_writer - in a child: write n keys under prefix in small txns */
static int child_writer(const char *be, const char *path, const char *prefix,
                        int n)
{
    struct db *db = NULL;
    char k[64];

    if (is_bdb(be) && db_init(envdir, 0) != DB_OK)
        return 1;
    if (db_open(be, path, 0, &db) != DB_OK)
        return 2;
    for (int i = 0; i < n; i += 5) {
        struct db_txn *tid = NULL;
        int r = DB_OK;
        for (int j = i; j < i + 5 && r == DB_OK; j++) {
            snprintf(k, sizeof(k), "%s%05d", prefix, j);
            r = db_store(db, k, strlen(k), k, strlen(k), &tid);
        }
        if (r == DB_OK)
            r = db_commit(db, tid);
        else if (tid)
            db_abort(db, tid);
        if (r == DB_AGAIN) {
            i -= 5; /* deadlock: retry this batch */
            continue;
        }
        if (r != DB_OK)
            return 3;
    }
    db_close(&db);
    db_done();
    return 0;
}

static void test_two_processes(void)
{
    const char *be;

    FOR_EACH_BACKEND(be) {
        const char *path = dbpath("procs", be);
        struct db *db = open_new(be, path);
        pid_t pids[2];
        int status;

        db_close(&db);
        db_done(); /* a Berkeley DB environment must not cross fork() */
        for (int c = 0; c < 2; c++) {
            pids[c] = fork();
            if (pids[c] == 0)
                _exit(child_writer(be, path, c ? "B" : "A", 2000));
        }
        for (int c = 0; c < 2; c++) {
            CU_ASSERT_EQUAL(waitpid(pids[c], &status, 0), pids[c]);
            CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        setup();
        CU_ASSERT_EQUAL(db_open(be, path, 0, &db), DB_OK);
        CU_ASSERT_EQUAL(count_prefix(db, "A"), 2000);
        CU_ASSERT_EQUAL(count_prefix(db, "B"), 2000);
        db_close(&db);
    }
}

/* ---- crash safety ---- */

static const char *kill_point;

/* kill_hook - die without cleanup at the chosen fault point */
static void kill_hook(const char *point)
{
    if (!strcmp(point, kill_point))
        raise(SIGKILL);
}

/* reopen_after_crash - recover if needed and open path */
static struct db *reopen_after_crash(const char *be, const char *path)
{
    struct db *db = NULL;

    if (is_bdb(be)) {
        db_done();
        CU_ASSERT_EQUAL(db_init(envdir, DB_OPT_RECOVER), DB_OK);
    }
    CU_ASSERT_EQUAL_FATAL(db_open(be, path, 0, &db), DB_OK);
    return db;
}

/* crash_child - commit nrec records under "T" and die at point */
static void crash_child(const char *be, const char *path, const char *point,
                        int nrec)
{
    struct db *db = NULL;
    struct db_txn *tid = NULL;
    char k[128], v[128];

    if (is_bdb(be))
        db_init(envdir, 0);
    if (db_open(be, path, 0, &db) != DB_OK)
        _exit(2);
    for (int i = 0; i < nrec; i++) {
        make_kv("T", i, k, sizeof(k), v, sizeof(v));
        if (db_store(db, k, strlen(k), v, strlen(v), &tid) != DB_OK)
            _exit(3);
    }
    if (db_delete(db, "base0001", 8, &tid) != DB_OK)
        _exit(4);
    if (!strcmp(point, "before-commit"))
        raise(SIGKILL);
    kill_point = point;
    db_fault_hook = kill_hook;
    if (db_commit(db, tid) != DB_OK)
        _exit(5);
    if (!strcmp(point, "after-commit"))
        raise(SIGKILL);
    _exit(6); /* the fault point was never reached */
}

/* verify_all_or_nothing - 1 if the txn is all there, 0 if none of it */
static int verify_all_or_nothing(struct db *db, int nrec)
{
    size_t n = count_prefix(db, "T");
    const char *d;
    size_t dl;
    int base1 = db_fetch(db, "base0001", 8, &d, &dl, NULL);

    CU_ASSERT(n == 0 || n == (size_t)nrec);
    CU_ASSERT_EQUAL(count_prefix(db, "base"), n ? 99 : 100);
    CU_ASSERT_EQUAL(base1, n ? DB_NOTFOUND : DB_OK);
    return n != 0;
}

static void run_crash(const char *be, const char *point, int nrec,
                      int expect_all)
{
    char name[64];
    const char *path;
    struct db *db;
    int status, all;
    pid_t pid;

    setup();
    snprintf(name, sizeof(name), "crash-%s", point);
    path = dbpath(name, be);
    db = open_new(be, path);
    for (int i = 0; i < 100; i++) {
        char k[16];
        snprintf(k, sizeof(k), "base%04d", i);
        CU_ASSERT_EQUAL(db_store(db, k, strlen(k), "b", 1, NULL), DB_OK);
    }
    db_close(&db);
    db_done();
    pid = fork();
    if (pid == 0)
        crash_child(be, path, point, nrec);
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    if (!WIFSIGNALED(status))
        fprintf(stderr, "\n%s %s: child exited %d\n", be, point,
                WEXITSTATUS(status));
    db = reopen_after_crash(be, path);
    all = verify_all_or_nothing(db, nrec);
    CU_ASSERT_EQUAL(all, expect_all);
    if (all != expect_all)
        fprintf(stderr, "\n%s %s: expected %s\n", be, point,
                expect_all ? "all" : "nothing");
    /* still works: write, read back, and a clean check */
    CU_ASSERT_EQUAL(store_str(db, "after", "crash", NULL), DB_OK);
    CU_ASSERT_EQUAL(count_prefix(db, "after"), 1);
    db_close(&db);
    if (!is_bdb(be))
        CU_ASSERT_EQUAL(db_check(be, path, 0), DB_OK);
}

static void test_crash_points(void)
{
    /* small transactions are appended to the log... */
    run_crash("twoskip", "before-commit", 200, 0);
    run_crash("twoskip", "append:before-write", 200, 0);
    run_crash("twoskip", "append:mid-write", 200, 0);
    /* (killing a process loses no page cache: the frame is complete) */
    run_crash("twoskip", "append:before-sync", 200, 1);
    run_crash("twoskip", "after-commit", 200, 1);
    /* ...large ones rewrite the file and rename it into place */
    run_crash("twoskip", "compact:mid-write", 20000, 0);
    run_crash("twoskip", "compact:before-rename", 20000, 0);
    run_crash("twoskip", "compact:after-rename", 20000, 1);
    run_crash("berkeley", "before-commit", 2000, 0);
    run_crash("berkeley", "after-commit", 2000, 1);
    run_crash("berkeley-hash", "before-commit", 2000, 0);
}

/* random_killer_child - commit 10-record transactions forever; a byte
 * on ready_fd after the first commit, so the parent's kill always lands
 * after some committed work however slow the machine is */
static void random_killer_child(const char *be, const char *path,
                                int start, int ready_fd)
{
    struct db *db = NULL;
    char k[64], v[400];

    if (is_bdb(be))
        db_init(envdir, 0);
    if (db_open(be, path, 0, &db) != DB_OK)
        _exit(2);
    for (int t = start;; t++) {
        struct db_txn *tid = NULL;
        if (t >= start + 14000) /* stay inside the parent's table */
            pause();
        for (int j = 0; j < 10; j++) {
            snprintf(k, sizeof(k), "t%06d.%d", t, j);
            snprintf(v, sizeof(v), "%0*d", 20 + t % 300, t);
            db_store(db, k, strlen(k), v, strlen(v), &tid);
        }
        db_commit(db, tid);
        if (t == start && write(ready_fd, "r", 1) != 1)
            _exit(3);
    }
}

/* check_groups_cb - count records per transaction number */
static int check_groups_cb(void *rock, const char *key, size_t keylen,
                           const char *data, size_t datalen)
{
    int *groups = rock;
    char num[16];
    long t;
    /* keys are not NUL-terminated: copy the digits after the prefix byte */
    if (keylen < 2 || keylen - 1 >= sizeof(num))
        return 0;
    memcpy(num, key + 1, keylen - 1);
    num[keylen - 1] = '\0';
    num[strspn(num, "0123456789")] = '\0';
    if (str_parse_long(num, 0, 99999, &t) > 0)
        groups[t]++;
    return 0;
}

static void test_crash_random(void)
{
    const char *be;
    static int groups[100000];

    srand((unsigned)time(NULL));
    FOR_EACH_BACKEND(be) {
        const char *path = dbpath("random", be);
        struct db *db = open_new(be, path);

        db_close(&db);
        db_done();
        for (int round = 0; round < 6; round++) {
            int status, partial = 0, total = 0, ready[2];
            char c;
            pid_t pid;

            CU_ASSERT_FATAL(pipe(ready) == 0);
            if ((pid = fork()) == 0)
                random_killer_child(be, path, round * 15000, ready[1]);
            close(ready[1]);
            CU_ASSERT_EQUAL(read(ready[0], &c, 1), 1); /* first commit done */
            close(ready[0]);
            usleep(rand() % 150000);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            db = reopen_after_crash(be, path);
            memset(groups, 0, sizeof(groups));
            CU_ASSERT_EQUAL(db_foreach(db, "t", 1, NULL, check_groups_cb,
                                       groups, NULL), DB_OK);
            for (int t = 0; t < 100000; t++) {
                if (groups[t] != 0 && groups[t] != 10)
                    partial++;
                total += groups[t];
            }
            CU_ASSERT_EQUAL(partial, 0);
            CU_ASSERT(total > 0);
            CU_ASSERT_EQUAL(store_str(db, "alive", "yes", NULL), DB_OK);
            db_close(&db);
            db_done();
            if (!is_bdb(be))
                CU_ASSERT_EQUAL(db_check(be, path, 1), DB_OK);
        }
        setup();
    }
}

/* ---- readers are not blocked by a long write transaction ---- */

#define RESYNC 200000

static void test_reader_not_blocked(void)
{
    const char *be;
    char k[128], v[128];

    FOR_EACH_BACKEND(be) {
        const char *path = dbpath("noblock", be);
        struct db *db = open_new(be, path);
        double worst = 0, t0;
        int fds[2], status, reads = 0, saw_new = 0, bad = 0;
        struct buf val = BUF_INIT;
        pid_t pid;
        char c;

        if (is_bdb(be)) {
            /* Berkeley DB readers wait for the writer's page locks (see
             * lib/db_berkeley.c); only the native backend promises this */
            db_close(&db);
            continue;
        }
        CU_ASSERT_EQUAL(store_str(db, "probe", "old", NULL), DB_OK);
        db_close(&db);
        db_done();
        CU_ASSERT_EQUAL(pipe(fds), 0);
        pid = fork();
        if (pid == 0) {
            /* the writer: a full resync in one transaction */
            struct db_txn *tid = NULL;
            close(fds[0]);
            if (is_bdb(be))
                db_init(envdir, 0);
            if (db_open(be, path, 0, &db) != DB_OK)
                _exit(2);
            store_str(db, "probe", "new", &tid);
            if (write(fds[1], "L", 1) != 1)
                _exit(3);
            for (long i = 0; i < RESYNC; i++) {
                make_kv("", i, k, sizeof(k), v, sizeof(v));
                db_store(db, k, strlen(k), v, strlen(v), &tid);
            }
            _exit(db_commit(db, tid) == DB_OK ? 0 : 4);
        }
        close(fds[1]);
        setup();
        CU_ASSERT_EQUAL(db_open(be, path, 0, &db), DB_OK);
        CU_ASSERT_EQUAL(read(fds[0], &c, 1), 1); /* txn is open */
        while (waitpid(pid, &status, WNOHANG) == 0) {
            int r;
            t0 = now_ms();
            r = fetch_str(db, "probe", &val, NULL);
            t0 = now_ms() - t0;
            if (t0 > worst)
                worst = t0;
            reads++;
            if (r != DB_OK)
                bad++;
            else if (buf_equal_cstr(&val, "new"))
                saw_new = 1;
            else if (saw_new)
                bad++; /* went back to the old value */
            usleep(200);
        }
        CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        CU_ASSERT_EQUAL(fetch_str(db, "probe", &val, NULL), DB_OK);
        CU_ASSERT(buf_equal_cstr(&val, "new"));
        CU_ASSERT_EQUAL(bad, 0);
        CU_ASSERT(reads > 10);
        printf("\n    %s: %d reads during a %d-record transaction, "
               "slowest %.2f ms ", be, reads, RESYNC, worst);
        CU_ASSERT(worst < 50.0);
        db_close(&db);
        close(fds[0]);
        buf_free(&val);
    }
}

/* ---- Berkeley DB version mismatch: a handle that fails on use ---- */

static void test_bdb_version_mismatch(void)
{
    struct db *db = NULL;
    const char *d;
    size_t dl;

    db_done();
    db_test_bdb_version_skew = 1;
    CU_ASSERT_EQUAL(db_init(envdir, 0), DB_INTERNAL);
    db_test_bdb_version_skew = 0;
    CU_ASSERT_EQUAL(db_open("berkeley", dbpath("skew", "berkeley"),
                            DB_OPT_CREATE, &db), DB_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(db);
    CU_ASSERT_EQUAL(db_fetch(db, "k", 1, &d, &dl, NULL), DB_INTERNAL);
    CU_ASSERT_EQUAL(db_store(db, "k", 1, "v", 1, NULL), DB_INTERNAL);
    CU_ASSERT_EQUAL(db_foreach(db, "", 0, NULL, count_cb, &dl, NULL),
                    DB_INTERNAL);
    CU_ASSERT_EQUAL(db_close(&db), DB_OK);
    /* the native backend does not care */
    db = open_new("twoskip", dbpath("skew", "twoskip"));
    CU_ASSERT_EQUAL(db_store(db, "k", 1, "v", 1, NULL), DB_OK);
    db_close(&db);
    db_done();
    setup();
}

/* ---- native specifics: compaction, refresh, check/repair ---- */

static void test_native_compact_refresh(void)
{
    const char *path = dbpath("compact", "native");
    struct db *w = open_new("native", path), *r = NULL;
    struct buf v = BUF_INIT;
    struct stat st1, st2;
    char k[64];

    CU_ASSERT_EQUAL(db_open("flat", path, 0, &r), DB_OK);
    for (int i = 0; i < 3000; i++) {
        snprintf(k, sizeof(k), "key%05d", i);
        CU_ASSERT_EQUAL(store_str(w, k, "first", NULL), DB_OK);
    }
    /* the reader follows the log */
    CU_ASSERT_EQUAL(fetch_str(r, "key02999", &v, NULL), DB_OK);
    CU_ASSERT_EQUAL(stat(path, &st1), 0);
    CU_ASSERT_EQUAL(db_compact("native", path), DB_OK);
    CU_ASSERT_EQUAL(stat(path, &st2), 0);
    CU_ASSERT_NOT_EQUAL(st1.st_ino, st2.st_ino); /* renamed in */
    CU_ASSERT(st2.st_size < st1.st_size);
    /* both handles notice the new file and keep working */
    CU_ASSERT_EQUAL(db_delete(w, "key00000", 8, NULL), DB_OK);
    CU_ASSERT_EQUAL(store_str(w, "key00001", "second", NULL), DB_OK);
    CU_ASSERT_EQUAL(fetch_str(r, "key00000", &v, NULL), DB_NOTFOUND);
    CU_ASSERT_EQUAL(fetch_str(r, "key00001", &v, NULL), DB_OK);
    CU_ASSERT(buf_equal_cstr(&v, "second"));
    CU_ASSERT_EQUAL(count_prefix(r, "key"), 2999);
    CU_ASSERT_STRING_EQUAL(db_detect(path), "native");
    CU_ASSERT_EQUAL(db_check("native", path, 0), DB_OK);
    db_close(&r);
    db_close(&w);
    buf_free(&v);
}

/* count_fds - open descriptors of this process */
static int count_fds(void)
{
    char path[64];
    int n = 0;

    for (int fd = 0; fd < 1024; fd++) {
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        n += access(path, F_OK) == 0;
    }
    return n;
}

/* count_old - the "<path>.OLD.*" files next to path */
static int count_old(const char *path)
{
    glob_t g;
    char pat[4200];
    int n;

    snprintf(pat, sizeof(pat), "%s.OLD.*", path);
    if (glob(pat, 0, NULL, &g) != 0)
        return 0;
    n = (int)g.gl_pathc;
    globfree(&g);
    return n;
}

/* A reader that sees several compactions lets go of the old files a
 * step per call: a bounded number stay open meanwhile, none at the end,
 * and every answer is right throughout.  The replaced files stay linked
 * as .OLD. while the reader holds them (so its close never frees them)
 * and the writer deletes them once it does not. */
static void test_native_release_old_views(void)
{
    const char *path = dbpath("release", "native");
    struct db *w = open_new("native", path), *r = NULL;
    struct db_txn *t = NULL;
    struct buf v = BUF_INIT;
    char k[64], val[128];
    int base, most = 0;

    memset(val, 'x', sizeof(val) - 1);
    val[sizeof(val) - 1] = '\0';
    for (int i = 0; i < 20000; i++) {
        snprintf(k, sizeof(k), "key%05d", i);
        CU_ASSERT_EQUAL(store_str(w, k, val, &t), DB_OK);
    }
    CU_ASSERT_EQUAL(db_commit(w, t), DB_OK);
    db_close(&w);
    CU_ASSERT_EQUAL(db_open("native", path, 0, &r), DB_OK);
    CU_ASSERT_EQUAL(fetch_str(r, "key00007", &v, NULL), DB_OK);
    base = count_fds();
    for (int round = 0; round < 8; round++) {
        /* a change, then a compaction renaming a new file in */
        CU_ASSERT_EQUAL(db_open("native", path, 0, &w), DB_OK);
        CU_ASSERT_EQUAL(store_str(w, "extra", "x", NULL), DB_OK);
        db_close(&w);
        CU_ASSERT_EQUAL(db_compact("native", path), DB_OK);
        snprintf(k, sizeof(k), "key%05d", round * 997);
        CU_ASSERT_EQUAL(fetch_str(r, k, &v, NULL), DB_OK);
        CU_ASSERT(buf_equal_cstr(&v, val));
        if (count_fds() - base > most)
            most = count_fds() - base;
    }
    CU_ASSERT(most >= 1);  /* old files are kept a while ... */
    CU_ASSERT(most <= 4);  /* ... but only a few (NATIVE_RETIRED_MAX) */
    CU_ASSERT(count_old(path) >= 1); /* still held by the reader */
    for (int i = 0; i < 200; i++)
        CU_ASSERT_EQUAL(fetch_str(r, "key19999", &v, NULL), DB_OK);
    CU_ASSERT_EQUAL(count_fds(), base);
    CU_ASSERT_EQUAL(count_prefix(r, "key"), 20000);
    /* the next compaction deletes every old file nobody holds: all but
     * the one the reader still uses */
    CU_ASSERT_EQUAL(db_open("native", path, 0, &w), DB_OK);
    CU_ASSERT_EQUAL(store_str(w, "extra", "y", NULL), DB_OK);
    db_close(&w);
    CU_ASSERT_EQUAL(db_compact("native", path), DB_OK);
    CU_ASSERT_EQUAL(count_old(path), 1);
    for (int i = 0; i < 200; i++) {
        CU_ASSERT_EQUAL(fetch_str(r, "extra", &v, NULL), DB_OK);
        CU_ASSERT(buf_equal_cstr(&v, "y"));
    }
    CU_ASSERT_EQUAL(count_fds(), base);
    /* ... which the next writer deletes once the reader let go of it */
    CU_ASSERT_EQUAL(db_open("native", path, 0, &w), DB_OK);
    CU_ASSERT_EQUAL(store_str(w, "extra", "z", NULL), DB_OK);
    db_close(&w);
    CU_ASSERT_EQUAL(count_old(path), 0);
    db_close(&r);
    buf_free(&v);
}

/* Inserts past the end (the fast path), before it, and replacements with
 * longer values, in one transaction and then committed. */
static void test_native_insert_orders(void)
{
    const char *path = dbpath("orders", "native");
    struct db *db = open_new("native", path);
    struct db_txn *t = NULL;
    struct collect c = { BUF_INIT, 0 };
    struct buf v = BUF_INIT;
    const char *order[] = { "b", "c", "e", "a", "d", "f", "c", "a" };

    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        char val[32];
        snprintf(val, sizeof(val), "v%zu-%s", i, i > 5 ? "longer value" : "");
        CU_ASSERT_EQUAL(store_str(db, order[i], val, &t), DB_OK);
    }
    CU_ASSERT_EQUAL(db_foreach(db, "", 0, NULL, collect_cb, &c, &t), DB_OK);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&c.keys), "a,b,c,d,e,f");
    CU_ASSERT_EQUAL(db_commit(db, t), DB_OK);
    CU_ASSERT_EQUAL(fetch_str(db, "c", &v, NULL), DB_OK);
    CU_ASSERT(buf_equal_cstr(&v, "v6-longer value"));
    CU_ASSERT_EQUAL(fetch_str(db, "a", &v, NULL), DB_OK);
    CU_ASSERT(buf_equal_cstr(&v, "v7-longer value"));
    CU_ASSERT_EQUAL(fetch_str(db, "e", &v, NULL), DB_OK);
    CU_ASSERT(buf_equal_cstr(&v, "v2-"));
    db_close(&db);
    buf_free(&c.keys);
    buf_free(&v);
}

static void test_native_check_repair(void)
{
    const char *path = dbpath("repair", "native");
    struct db *db = open_new("native", path);
    struct stat st;
    FILE *f;

    CU_ASSERT_EQUAL(store_str(db, "a", "1", NULL), DB_OK);
    db_close(&db);
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    /* a torn frame: garbage after the last commit */
    f = fopen(path, "ab");
    fwrite("NXT1garbage-garbage-garbage", 1, 27, f);
    fclose(f);
    CU_ASSERT_EQUAL(db_check("native", path, 0), DB_IOERROR);
    CU_ASSERT_EQUAL(db_open("native", path, 0, &db), DB_OK);
    CU_ASSERT_EQUAL(count_prefix(db, ""), 1); /* readers ignore it */
    db_close(&db);
    CU_ASSERT_EQUAL(db_check("native", path, 1), DB_OK);
    CU_ASSERT_EQUAL(db_check("native", path, 0), DB_OK);
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    /* a flipped bit in the base is caught by its checksum */
    CU_ASSERT_EQUAL(db_compact("native", path), DB_OK);
    f = fopen(path, "r+b");
    fseek(f, 64 + 9, SEEK_SET);
    fputc('X', f);
    fclose(f);
    CU_ASSERT_EQUAL(db_check("native", path, 1), DB_IOERROR);
}

static void test_berkeley_checkpoint(void)
{
    struct db *db = open_new("berkeley", dbpath("ckpt", "berkeley"));
    CU_ASSERT_EQUAL(store_str(db, "a", "1", NULL), DB_OK);
    CU_ASSERT_EQUAL(db_checkpoint(), DB_OK);
    CU_ASSERT_STRING_EQUAL(db_detect(dbpath("ckpt", "berkeley")),
                           "berkeley");
    db_close(&db);
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
    { "two_processes", test_two_processes },
    { "crash_points", test_crash_points },
    { "crash_random", test_crash_random },
    { "reader_not_blocked", test_reader_not_blocked },
    { "bdb_version_mismatch", test_bdb_version_mismatch },
    { "native_compact_refresh", test_native_compact_refresh },
    { "native_release_old_views", test_native_release_old_views },
    { "native_insert_orders", test_native_insert_orders },
    { "native_check_repair", test_native_check_repair },
    { "berkeley_checkpoint", test_berkeley_checkpoint },
    CU_TEST_INFO_NULL,
};
