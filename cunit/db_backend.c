/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/db_backend.c - backend-specific unit tests for lib/db.c: the
 * native format's compaction, refresh of open handles, release of
 * replaced files, insert orders and check/repair (lib/db_native*.c), and
 * Berkeley DB's version-mismatch handle and checkpoint
 * (lib/db_berkeley.c).  Behaviour common to every backend is tested in
 * cunit/db.c.
 */
#include "config.h"

#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cunit/db_util.h"
#include "cunit/harness.h"
#include "lib/buf.h"
#include "lib/db.h"

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

const char *cunit_suite_name = "db_backend";
void (*cunit_setup)(void) = setup;
void (*cunit_teardown)(void) = teardown;
CU_TestInfo cunit_tests[] = {
    { "bdb_version_mismatch", test_bdb_version_mismatch },
    { "native_compact_refresh", test_native_compact_refresh },
    { "native_release_old_views", test_native_release_old_views },
    { "native_insert_orders", test_native_insert_orders },
    { "native_check_repair", test_native_check_repair },
    { "berkeley_checkpoint", test_berkeley_checkpoint },
    CU_TEST_INFO_NULL,
};
