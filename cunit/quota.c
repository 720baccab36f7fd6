/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/quota.c - unit tests for imap/quota.c: the record format, limit
 * checks at and over the boundaries, root lookup, transactional usage
 * changes (also from several processes at once) on each backend.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cunit/harness.h"
#include "imap/quota.h"
#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/db.h"

static const char *const backends[] = { "quotalegacy", "berkeley" };
#define NBACKENDS (sizeof(backends) / sizeof(backends[0]))

static char dir[2048];

/* use_backend - imapd.conf for be in a fresh directory; quota opened */
static void use_backend(const char *test, const char *be)
{
    char conf[4096];
    const char *err = NULL;
    FILE *f;

    quota_close();
    snprintf(dir, sizeof(dir), "%s/%s-%s", cunit_tmpdir(), test, be);
    mkdir(dir, 0700);
    snprintf(conf, sizeof(conf), "%s/imapd.conf", dir);
    f = fopen(conf, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "configdirectory: %s\nquota_db: %s\n", dir, be);
    fclose(f);
    CU_ASSERT_EQUAL_FATAL(cfg_load(conf, NULL, &err), 1);
    CU_ASSERT_EQUAL_FATAL(quota_open(QUOTA_CREATE), QUOTA_OK);
}

static void test_format(void)
{
    struct quota q;
    struct buf b = BUF_INIT;
    const char *in = "%Q1 STORAGE 2048 100 MESSAGE 3 -1 ANNOTATION 5 9";

    quota_init(&q);
    CU_ASSERT_EQUAL(quota_decode(in, strlen(in), &q), QUOTA_OK);
    CU_ASSERT_EQUAL(q.usage[QUOTA_STORAGE], 2048);
    CU_ASSERT_EQUAL(q.limit[QUOTA_STORAGE], 100);
    CU_ASSERT_EQUAL(q.usage[QUOTA_MESSAGE], 3);
    CU_ASSERT_EQUAL(q.limit[QUOTA_MESSAGE], QUOTA_UNLIMITED);
    quota_encode(&q, &b);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), in); /* unknown kept */
    buf_reset(&b);
    quota_format(&q, &b);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "STORAGE 2 100");
    CU_ASSERT_EQUAL(quota_decode("%Q2 STORAGE 1 1", 15, &q), QUOTA_BADVERSION);
    CU_ASSERT_EQUAL(quota_decode("%Q1 STORAGE 1", 13, &q), QUOTA_BADDATA);
    CU_ASSERT_EQUAL(quota_decode("%Q1 STORAGE 1 -2", 16, &q), QUOTA_BADDATA);
    CU_ASSERT_EQUAL(quota_decode("%Q1 STORAGE x 1", 15, &q), QUOTA_BADDATA);
    CU_ASSERT_EQUAL(quota_decode("%Q1 STORAGE 1 1 STORAGE 1 1", 27, &q),
                    QUOTA_BADDATA);
    CU_ASSERT_EQUAL(quota_decode("%Q1  STORAGE 1 1", 16, &q), QUOTA_BADDATA);
    CU_ASSERT_EQUAL(quota_decode("1 2", 3, &q), QUOTA_BADDATA);
    CU_ASSERT_EQUAL(quota_decode("%Q1", 3, &q), QUOTA_OK);
    CU_ASSERT_EQUAL(q.limit[QUOTA_STORAGE], QUOTA_UNLIMITED);
    CU_ASSERT_STRING_EQUAL(quota_resource_name(QUOTA_MESSAGE), "MESSAGE");
    CU_ASSERT_EQUAL(quota_resource_parse("storage"), QUOTA_STORAGE);
    CU_ASSERT_EQUAL(quota_resource_parse("LEVEL"), -1);
    CU_ASSERT_STRING_EQUAL(quota_resp_code(QUOTA_OVER), "OVERQUOTA");
    CU_ASSERT_PTR_NULL(quota_resp_code(QUOTA_OK));
    quota_fini(&q);
    buf_free(&b);
}

static void test_check_boundaries(void)
{
    static const struct {
        int64_t limit_kib, limit_msg;
        uint64_t used_bytes, used_msg;
        int64_t add_bytes, add_msg;
        int expect;
        enum quota_resource res;
    } cases[] = {
        { 1, -1, 0, 0, 1024, 1, QUOTA_OK, 0 },          /* exactly full */
        { 1, -1, 0, 0, 1025, 1, QUOTA_OVER, QUOTA_STORAGE },
        { 1, -1, 1024, 0, 1, 0, QUOTA_OVER, QUOTA_STORAGE },
        { 1, -1, 1024, 0, 0, 0, QUOTA_OK, 0 },          /* no growth */
        { 1, -1, 5000, 0, -100, -1, QUOTA_OK, 0 },      /* removal, over */
        { 0, -1, 0, 0, 1, 0, QUOTA_OVER, QUOTA_STORAGE },
        { 0, -1, 0, 0, 0, 1, QUOTA_OK, 0 },
        { -1, 10, 0, 9, 0, 1, QUOTA_OK, 0 },
        { -1, 10, 0, 10, 0, 1, QUOTA_OVER, QUOTA_MESSAGE },
        { -1, 10, 0, 0, 0, 11, QUOTA_OVER, QUOTA_MESSAGE },
        { -1, -1, UINT64_MAX - 1, 0, INT64_MAX, 0, QUOTA_OK, 0 },
        { 1, -1, UINT64_MAX, 0, 1, 0, QUOTA_OVER, QUOTA_STORAGE },
        { INT64_C(1) << 53, -1, 0, 0, INT64_MAX, 0, QUOTA_OK, 0 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct quota q;
        enum quota_resource res = 99;
        int r;

        quota_init(&q);
        q.limit[QUOTA_STORAGE] = cases[i].limit_kib;
        q.limit[QUOTA_MESSAGE] = cases[i].limit_msg;
        q.usage[QUOTA_STORAGE] = cases[i].used_bytes;
        q.usage[QUOTA_MESSAGE] = cases[i].used_msg;
        r = quota_check(&q, cases[i].add_bytes, cases[i].add_msg, &res);
        if (r != cases[i].expect)
            fprintf(stderr, "\nquota case %zu: %d\n", i, r);
        CU_ASSERT_EQUAL(r, cases[i].expect);
        if (r == QUOTA_OVER)
            CU_ASSERT_EQUAL(res, cases[i].res);
        quota_fini(&q);
    }
}

static void test_percent_warn(void)
{
    struct quota q;
    enum quota_resource res = 99;

    quota_init(&q);
    CU_ASSERT_EQUAL(quota_percent(&q, QUOTA_STORAGE), -1);
    CU_ASSERT_EQUAL(quota_warn(&q, 90, &res), 0);
    q.limit[QUOTA_STORAGE] = 100;          /* 102400 bytes */
    q.usage[QUOTA_STORAGE] = 92159;        /* 89.99 % */
    CU_ASSERT_EQUAL(quota_percent(&q, QUOTA_STORAGE), 89);
    CU_ASSERT_EQUAL(quota_warn(&q, 90, &res), 0);
    q.usage[QUOTA_STORAGE] = 92160;        /* 90 % */
    CU_ASSERT_EQUAL(quota_warn(&q, 90, &res), 1);
    CU_ASSERT_EQUAL(res, QUOTA_STORAGE);
    q.usage[QUOTA_STORAGE] = 0;
    q.limit[QUOTA_MESSAGE] = 10;
    q.usage[QUOTA_MESSAGE] = 12;
    CU_ASSERT_EQUAL(quota_percent(&q, QUOTA_MESSAGE), 120);
    CU_ASSERT_EQUAL(quota_warn(&q, 100, &res), 1);
    CU_ASSERT_EQUAL(res, QUOTA_MESSAGE);
    q.limit[QUOTA_MESSAGE] = 0;
    q.usage[QUOTA_MESSAGE] = 0;
    CU_ASSERT_EQUAL(quota_percent(&q, QUOTA_MESSAGE), 0);
    q.usage[QUOTA_MESSAGE] = 1;
    CU_ASSERT_EQUAL(quota_percent(&q, QUOTA_MESSAGE), 100);
    q.limit[QUOTA_STORAGE] = 1;
    q.usage[QUOTA_STORAGE] = UINT64_MAX;
    CU_ASSERT_EQUAL(quota_percent(&q, QUOTA_STORAGE), 100000); /* capped */
    /* warnpct 0 warns on any limited resource */
    quota_init(&q);
    q.limit[QUOTA_STORAGE] = 100;
    CU_ASSERT_EQUAL(quota_warn(&q, 0, NULL), 1);
    quota_fini(&q);
}

static void test_roots_and_usage(void)
{
    for (size_t i = 0; i < NBACKENDS; i++) {
        int64_t lim[QUOTA_NUMRESOURCES] = { 1, 2 };
        enum quota_resource res = 99;
        struct quota q;
        char *root = NULL;

        use_backend("roots", backends[i]);
        quota_init(&q);
        CU_ASSERT_EQUAL(quota_findroot("user.fred.x", &root), QUOTA_NOTFOUND);
        CU_ASSERT_EQUAL(quota_setlimits("user.fred", lim), QUOTA_OK);
        CU_ASSERT_EQUAL(quota_setlimits("shared", lim), QUOTA_OK);
        CU_ASSERT_EQUAL(quota_setlimits("user", lim), QUOTA_BADNAME);
        CU_ASSERT_EQUAL(quota_setlimits("a..b", lim), QUOTA_BADNAME);
        lim[0] = -2;
        CU_ASSERT_EQUAL(quota_setlimits("x", lim), QUOTA_BADDATA);
        lim[0] = 1;
        CU_ASSERT_EQUAL_FATAL(quota_findroot("user.fred.x.y", &root),
                              QUOTA_OK);
        CU_ASSERT_STRING_EQUAL(root, "user.fred");
        free(root);
        CU_ASSERT_EQUAL_FATAL(quota_findroot("user.fred", &root), QUOTA_OK);
        CU_ASSERT_STRING_EQUAL(root, "user.fred");
        free(root);
        /* components, not byte prefixes */
        CU_ASSERT_EQUAL(quota_findroot("user.fredrick", &root),
                        QUOTA_NOTFOUND);
        CU_ASSERT_EQUAL(quota_findroot("shared2.x", &root), QUOTA_NOTFOUND);
        CU_ASSERT_EQUAL_FATAL(quota_findroot("shared.a.b", &root), QUOTA_OK);
        CU_ASSERT_STRING_EQUAL(root, "shared");
        free(root);
        CU_ASSERT_EQUAL(quota_findroot("example.com!shared.x", &root),
                        QUOTA_NOTFOUND);    /* never crosses domains */
        CU_ASSERT_EQUAL(quota_setlimits("example.com!user.bob", lim),
                        QUOTA_OK);
        CU_ASSERT_EQUAL_FATAL(quota_findroot("example.com!user.bob.x", &root),
                              QUOTA_OK);
        CU_ASSERT_STRING_EQUAL(root, "example.com!user.bob");
        free(root);

        /* usage: up to the limits, then OVER with nothing changed */
        CU_ASSERT_EQUAL(quota_change("user.fred", 1000, 1, 0, &res, &q),
                        QUOTA_OK);
        CU_ASSERT_EQUAL(q.usage[QUOTA_STORAGE], 1000);
        CU_ASSERT_EQUAL(quota_change("user.fred", 24, 1, 0, &res, &q),
                        QUOTA_OK);
        CU_ASSERT_EQUAL(quota_change("user.fred", 0, 1, 0, &res, NULL),
                        QUOTA_OVER);
        CU_ASSERT_EQUAL(res, QUOTA_MESSAGE);
        CU_ASSERT_EQUAL(quota_change("user.fred", 1, 0, 0, &res, NULL),
                        QUOTA_OVER);
        CU_ASSERT_EQUAL(res, QUOTA_STORAGE);
        CU_ASSERT_EQUAL(quota_read("user.fred", &q), QUOTA_OK);
        CU_ASSERT_EQUAL(q.usage[QUOTA_STORAGE], 1024);
        CU_ASSERT_EQUAL(q.usage[QUOTA_MESSAGE], 2);
        /* forced, then removal below zero clamps */
        CU_ASSERT_EQUAL(quota_change("user.fred", 10, 1, QUOTA_FORCE, NULL,
                                     NULL), QUOTA_OK);
        CU_ASSERT_EQUAL(quota_change("user.fred", -5000, INT64_MIN, 0, NULL,
                                     &q), QUOTA_OK);
        CU_ASSERT_EQUAL(q.usage[QUOTA_STORAGE], 0);
        CU_ASSERT_EQUAL(q.usage[QUOTA_MESSAGE], 0);
        /* limits change, usage stays */
        CU_ASSERT_EQUAL(quota_change("user.fred", 7, 1, 0, NULL, NULL),
                        QUOTA_OK);
        lim[0] = QUOTA_UNLIMITED;
        CU_ASSERT_EQUAL(quota_setlimits("user.fred", lim), QUOTA_OK);
        CU_ASSERT_EQUAL(quota_read("user.fred", &q), QUOTA_OK);
        CU_ASSERT_EQUAL(q.limit[QUOTA_STORAGE], QUOTA_UNLIMITED);
        CU_ASSERT_EQUAL(q.usage[QUOTA_STORAGE], 7);
        CU_ASSERT_EQUAL(quota_change("nobody", 1, 1, 0, NULL, NULL),
                        QUOTA_NOTFOUND);
        CU_ASSERT_EQUAL(quota_delete("user.fred"), QUOTA_OK);
        CU_ASSERT_EQUAL(quota_delete("user.fred"), QUOTA_NOTFOUND);
        CU_ASSERT_EQUAL(quota_read("user.fred", &q), QUOTA_NOTFOUND);
        quota_fini(&q);
        quota_close();
    }
}

/* test_concurrent - several processes charging one root add up exactly
 * (native backend: a Berkeley DB environment must not cross fork) */
static void test_concurrent(void)
{
    int64_t lim[QUOTA_NUMRESOURCES] = { QUOTA_UNLIMITED, 150 };
    struct quota q;
    enum { NPROC = 4, PER = 50 };
    pid_t pids[NPROC];
    int over = 0;
    char path[4096];

    use_backend("concurrent", "twoskip");
    CU_ASSERT_EQUAL(quota_setlimits("user.c", lim), QUOTA_OK);
    snprintf(path, sizeof(path), "%s/quotas.db", dir);
    for (int p = 0; p < NPROC; p++) {
        pids[p] = fork();
        if (pids[p] == 0) {
            int n = 0;
            quota_close();
            if (quota_open_path(path, "twoskip", 0) != QUOTA_OK)
                _exit(255);
            for (int i = 0; i < PER; i++)
                n += quota_change("user.c", 10, 1, 0, NULL, NULL) ==
                     QUOTA_OVER;
            _exit(n);
        }
    }
    for (int p = 0; p < NPROC; p++) {
        int status;
        waitpid(pids[p], &status, 0);
        CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) != 255);
        over += WEXITSTATUS(status);
    }
    quota_init(&q);
    CU_ASSERT_EQUAL(quota_read("user.c", &q), QUOTA_OK);
    CU_ASSERT_EQUAL(q.usage[QUOTA_MESSAGE], 150);
    CU_ASSERT_EQUAL(q.usage[QUOTA_STORAGE], 1500);
    CU_ASSERT_EQUAL(over, NPROC * PER - 150);
    quota_fini(&q);
    quota_close();
}

static void setup(void)
{
    char envdir[4096];
    snprintf(envdir, sizeof(envdir), "%s/dbenv", cunit_tmpdir());
    db_init(envdir, 0);
}

static void teardown(void)
{
    quota_close();
    db_done();
}

const char *cunit_suite_name = "quota";
CU_TestInfo cunit_tests[] = {
    { "format", test_format },
    { "check_boundaries", test_check_boundaries },
    { "percent_warn", test_percent_warn },
    { "roots_and_usage", test_roots_and_usage },
    { "concurrent", test_concurrent },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = setup;
void (*cunit_teardown)(void) = teardown;
