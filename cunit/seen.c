/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/seen.c - unit tests for imap/seqset.c and imap/seen.c.
 *
 * Sequence sets: table-driven parse/format (normalisation, '*', bounds,
 * malformed input), set operations at the 2^32-1 edge.  Seen state: the
 * record format and a per-user database round trip on each backend,
 * selected through a generated imapd.conf.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cunit/harness.h"
#include "imap/seen.h"
#include "imap/seqset.h"
#include "lib/buf.h"
#include "lib/strarray.h"
#include "lib/cfg.h"
#include "lib/db.h"
#include "lib/xmalloc.h"

static const char *const backends[] = { "twoskip", "berkeley" };
#define NBACKENDS (sizeof(backends) / sizeof(backends[0]))

/* fmt - parse s with maxval/flags and format the result; "ERR" when
 * parsing fails (static buffer) */
static const char *fmt(const char *s, uint32_t maxval, int flags)
{
    static struct buf b = BUF_INIT;
    struct seqset set = SEQSET_INIT;
    const char *err = NULL;

    buf_reset(&b);
    if (seqset_parse(s, strlen(s), maxval, flags, &set, &err) < 0) {
        CU_ASSERT_PTR_NOT_NULL(err);
        CU_ASSERT_EQUAL(set.count, 0);
        buf_setcstr(&b, "ERR");
    } else {
        seqset_format(&set, &b);
    }
    seqset_fini(&set);
    return buf_cstring(&b);
}

static void test_seqset_parse(void)
{
    static const struct {
        const char *in;
        uint32_t max;
        int flags;
        const char *out;
    } cases[] = {
        { "1", 10, 0, "1" },
        { "1:5,7,9:12", 10, 0, "1:5,7,9:12" },
        { "5:1", 10, 0, "1:5" },
        { "1:3,4:5", 10, 0, "1:5" },            /* adjacent ranges merge */
        { "3:7,1:4,6:9", 10, 0, "1:9" },        /* overlapping */
        { "9,7,8", 10, 0, "7:9" },
        { "2,2,2", 10, 0, "2" },
        { "*", 10, 0, "10" },
        { "5:*", 10, 0, "5:10" },
        { "15:*", 10, 0, "10:15" },             /* RFC 3501: *:n ordering */
        { "*:3", 10, 0, "3:10" },
        { "*", 0, 0, "" },                      /* empty mailbox */
        { "5:*", 0, 0, "1:5" },
        { "4294967295", 0, 0, "4294967295" },
        { "1:4294967295", 0, 0, "1:4294967295" },
        { "4294967294,4294967295,1", 0, 0, "1,4294967294:4294967295" },
        { "0004", 0, 0, "4" },
        { "", 0, 0, "ERR" },
        { "", 0, SEQSET_ALLOW_EMPTY, "" },
        { "0", 10, 0, "ERR" },
        { "0:5", 10, 0, "ERR" },
        { "4294967296", 0, 0, "ERR" },
        { "99999999999999999999", 0, 0, "ERR" },
        { "1,", 10, 0, "ERR" },
        { ",1", 10, 0, "ERR" },
        { "1,,2", 10, 0, "ERR" },
        { "1:", 10, 0, "ERR" },
        { ":1", 10, 0, "ERR" },
        { "1:2:3", 10, 0, "ERR" },
        { "1 ", 10, 0, "ERR" },
        { "-1", 10, 0, "ERR" },
        { "a", 10, 0, "ERR" },
        { "**", 10, 0, "ERR" },
        { "1:*", 10, SEQSET_NO_STAR, "ERR" },
        { "$", 10, 0, "ERR" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = fmt(cases[i].in, cases[i].max, cases[i].flags);
        if (strcmp(got, cases[i].out))
            fprintf(stderr, "\nseqset %zu <%s>: %s\n", i, cases[i].in, got);
        CU_ASSERT_STRING_EQUAL(got, cases[i].out);
    }
    /* binary input: a NUL inside is an error, not an end */
    {
        struct seqset set = SEQSET_INIT;
        CU_ASSERT_EQUAL(seqset_parse("1\0002", 3, 0, 0, &set, NULL), -1);
        seqset_fini(&set);
    }
    /* a parse that fails after ranges were added owns no memory, so a
     * caller that just returns on error leaks nothing */
    {
        struct seqset set = SEQSET_INIT;
        CU_ASSERT_EQUAL(seqset_parse("1:5,7,9:x", 9, 10, 0, &set, NULL), -1);
        CU_ASSERT_PTR_NULL(set.ranges);
        CU_ASSERT_EQUAL(set.count, 0);
    }
}

static void test_seqset_ops(void)
{
    struct seqset a = SEQSET_INIT, b = SEQSET_INIT;
    struct buf out = BUF_INIT;

    CU_ASSERT_EQUAL(seqset_count(&a), 0);
    CU_ASSERT_EQUAL(seqset_first(&a), 0);
    CU_ASSERT_EQUAL(seqset_last(&a), 0);
    CU_ASSERT_FALSE(seqset_contains(&a, 1));
    seqset_add(&a, 10, 20);
    seqset_add(&a, 30, 40);
    seqset_add(&a, 0, 0);        /* ignored */
    CU_ASSERT_TRUE(seqset_contains(&a, 10));
    CU_ASSERT_TRUE(seqset_contains(&a, 20));
    CU_ASSERT_FALSE(seqset_contains(&a, 21));
    CU_ASSERT_FALSE(seqset_contains(&a, 9));
    CU_ASSERT_FALSE(seqset_contains(&a, 0));
    CU_ASSERT_EQUAL(seqset_count(&a), 22);
    seqset_add(&a, 21, 29);      /* bridges both */
    seqset_format(&a, &out);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), "10:40");
    seqset_remove(&a, 15, 16);
    seqset_remove(&a, 40, 100);
    seqset_remove(&a, 1, 10);
    buf_reset(&out);
    seqset_format(&a, &out);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), "11:14,17:39");
    /* the top of the range */
    seqset_add(&b, SEQSET_MAX, SEQSET_MAX - 1);
    CU_ASSERT_TRUE(seqset_contains(&b, SEQSET_MAX));
    CU_ASSERT_EQUAL(seqset_last(&b), SEQSET_MAX);
    seqset_add(&b, 1, SEQSET_MAX);
    CU_ASSERT_EQUAL(seqset_count(&b), (uint64_t)SEQSET_MAX);
    seqset_remove(&b, SEQSET_MAX, SEQSET_MAX);
    CU_ASSERT_FALSE(seqset_contains(&b, SEQSET_MAX));
    CU_ASSERT_TRUE(seqset_contains(&b, SEQSET_MAX - 1));
    seqset_remove(&b, 2, SEQSET_MAX);
    buf_reset(&out);
    seqset_format(&b, &out);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), "1");
    /* union, also with itself */
    seqset_add(&b, 50, 60);
    seqset_union(&a, &b);
    seqset_union(&a, &a);
    buf_reset(&out);
    seqset_format(&a, &out);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), "1,11:14,17:39,50:60");
    CU_ASSERT_EQUAL(seqset_first(&a), 1);
    /* many ranges, inserted out of order, stay sorted */
    seqset_reset(&b);
    for (uint32_t i = 1000; i > 0; i--)
        seqset_add(&b, i * 2, i * 2);
    CU_ASSERT_EQUAL(b.count, 1000);
    for (uint32_t i = 1; i < 1000; i++)
        CU_ASSERT_TRUE(b.ranges[i - 1].high < b.ranges[i].low);
    for (uint32_t i = 1000; i > 0; i--)
        seqset_add(&b, i * 2 + 1, i * 2 + 1);
    buf_reset(&out);
    seqset_format(&b, &out);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&out), "2:2001");
    seqset_fini(&a);
    seqset_fini(&b);
    buf_free(&out);
}

/* ---- seen ---- */

static void test_seen_format(void)
{
    struct seen_data sd = { 1700000000, 12, 1700000001, (char *)"3:1,7,5:6" };
    struct seen_data back;
    struct buf b = BUF_INIT;

    CU_ASSERT_EQUAL(seen_encode(&sd, &b), SEEN_OK);
    CU_ASSERT_STRING_EQUAL(buf_cstring(&b),
                           "1 1700000000 12 1700000001 1:3,5:7");
    CU_ASSERT_EQUAL(seen_decode(b.s, b.len, &back), SEEN_OK);
    CU_ASSERT_EQUAL(back.lastread, 1700000000);
    CU_ASSERT_EQUAL(back.lastuid, 12);
    CU_ASSERT_EQUAL(back.lastchange, 1700000001);
    CU_ASSERT_STRING_EQUAL(back.seenuids, "1:3,5:7");
    seen_data_fini(&back);
    /* version handling and bad records */
    CU_ASSERT_EQUAL(seen_decode("2 1 2 3 1:4", 11, &back), SEEN_BADVERSION);
    CU_ASSERT_EQUAL(seen_decode("1 1 2 3 ", 8, &back), SEEN_OK);
    CU_ASSERT_STRING_EQUAL(back.seenuids, "");
    seen_data_fini(&back);
    CU_ASSERT_EQUAL(seen_decode("1 1 2 3 1:4 future", 18, &back), SEEN_OK);
    CU_ASSERT_STRING_EQUAL(back.seenuids, "1:4");
    seen_data_fini(&back);
    CU_ASSERT_EQUAL(seen_decode("1 1 2 3", 7, &back), SEEN_BADDATA);
    CU_ASSERT_EQUAL(seen_decode("0 1 2 3 1", 9, &back), SEEN_BADDATA);
    CU_ASSERT_EQUAL(seen_decode("1 x 2 3 1", 9, &back), SEEN_BADDATA);
    CU_ASSERT_EQUAL(seen_decode("1 1 4294967296 3 1", 18, &back),
                    SEEN_BADDATA);
    CU_ASSERT_EQUAL(seen_decode("1 1 2 3 1:*", 11, &back), SEEN_BADDATA);
    CU_ASSERT_EQUAL(seen_decode("1 1 2 3 0", 9, &back), SEEN_BADDATA);
    CU_ASSERT_PTR_NULL(back.seenuids);
    buf_reset(&b);
    sd.seenuids = (char *)"1,,2";
    CU_ASSERT_EQUAL(seen_encode(&sd, &b), SEEN_BADDATA);
    CU_ASSERT_EQUAL(b.len, 0);
    buf_free(&b);
}

/* use_backend - imapd.conf for be in a fresh directory, loaded */
static void use_backend(const char *test, const char *be)
{
    char dir[2048], conf[4096];
    const char *err = NULL;
    FILE *f;

    snprintf(dir, sizeof(dir), "%s/%s-%s", cunit_tmpdir(), test, be);
    mkdir(dir, 0700);
    snprintf(conf, sizeof(conf), "%s/imapd.conf", dir);
    f = fopen(conf, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "configdirectory: %s\nseenstate_db: %s\n", dir, be);
    fclose(f);
    CU_ASSERT_EQUAL_FATAL(cfg_load(conf, NULL, &err), 1);
}

static int count_cb(void *rock, const char *uniqueid,
                    const struct seen_data *sd)
{
    buf_printf(rock, "%s=%s;", uniqueid, sd->seenuids);
    return 0;
}

static void test_seen_db(void)
{
    for (size_t i = 0; i < NBACKENDS; i++) {
        struct seen *s = NULL;
        struct seen_data sd = { 0 }, w = { 5, 9, 6, (char *)"1:3,9" };
        struct buf b = BUF_INIT;

        use_backend("seen", backends[i]);
        CU_ASSERT_EQUAL(seen_open("fred", 0, &s), SEEN_NOTFOUND);
        CU_ASSERT_EQUAL(seen_open("../x", SEEN_CREATE, &s), SEEN_BADUSER);
        CU_ASSERT_EQUAL(seen_open("", SEEN_CREATE, &s), SEEN_BADUSER);
        CU_ASSERT_EQUAL_FATAL(seen_open("fred", SEEN_CREATE, &s), SEEN_OK);
        CU_ASSERT_EQUAL(seen_read(s, "uid-1", &sd), SEEN_NOTFOUND);
        CU_ASSERT_STRING_EQUAL(sd.seenuids, "");
        seen_data_fini(&sd);
        CU_ASSERT_EQUAL(seen_write(s, "uid-1", &w), SEEN_OK);
        CU_ASSERT_EQUAL(seen_read(s, "uid-1", &sd), SEEN_OK);
        CU_ASSERT_EQUAL(sd.lastread, 5);
        CU_ASSERT_EQUAL(sd.lastuid, 9);
        CU_ASSERT_EQUAL(sd.lastchange, 6);
        CU_ASSERT_STRING_EQUAL(sd.seenuids, "1:3,9");
        seen_data_fini(&sd);
        /* read-modify-write in a transaction; abort discards */
        CU_ASSERT_EQUAL(seen_lockread(s, "uid-1", &sd), SEEN_OK);
        free(sd.seenuids);
        sd.seenuids = xstrdup("1:9");
        CU_ASSERT_EQUAL(seen_write(s, "uid-1", &sd), SEEN_OK);
        seen_abort(s);
        seen_data_fini(&sd);
        CU_ASSERT_EQUAL(seen_read(s, "uid-1", &sd), SEEN_OK);
        CU_ASSERT_STRING_EQUAL(sd.seenuids, "1:3,9");
        seen_data_fini(&sd);
        CU_ASSERT_EQUAL(seen_lockread(s, "uid-1", &sd), SEEN_OK);
        free(sd.seenuids);
        sd.seenuids = xstrdup("4:8,1:3");
        CU_ASSERT_EQUAL(seen_write(s, "uid-1", &sd), SEEN_OK);
        CU_ASSERT_EQUAL(seen_commit(s), SEEN_OK);
        seen_data_fini(&sd);
        w.seenuids = (char *)"bad";
        CU_ASSERT_EQUAL(seen_write(s, "uid-2", &w), SEEN_BADDATA);
        w.seenuids = (char *)"";
        CU_ASSERT_EQUAL(seen_write(s, "uid-2", &w), SEEN_OK);
        seen_close(&s);
        CU_ASSERT_PTR_NULL(s);
        /* persists; renamed user keeps it */
        CU_ASSERT_EQUAL(seen_rename_user("fred", "frederic@example.com"),
                        SEEN_OK);
        CU_ASSERT_EQUAL(seen_open("fred", 0, &s), SEEN_NOTFOUND);
        CU_ASSERT_EQUAL_FATAL(seen_open("frederic@example.com", 0, &s),
                              SEEN_OK);
        CU_ASSERT_EQUAL(seen_foreach(s, count_cb, &b), SEEN_OK);
        CU_ASSERT_STRING_EQUAL(buf_cstring(&b), "uid-1=1:8;uid-2=;");
        CU_ASSERT_EQUAL(seen_delete(s, "uid-1"), SEEN_OK);
        CU_ASSERT_EQUAL(seen_delete(s, "uid-1"), SEEN_OK);
        CU_ASSERT_EQUAL(seen_read(s, "uid-1", &sd), SEEN_NOTFOUND);
        seen_data_fini(&sd);
        seen_close(&s);
        CU_ASSERT_EQUAL(seen_rename_user("nobody", "x"), SEEN_OK);
        CU_ASSERT_EQUAL(seen_delete_user("frederic@example.com"), SEEN_OK);
        CU_ASSERT_EQUAL(seen_open("frederic@example.com", 0, &s),
                        SEEN_NOTFOUND);
        buf_free(&b);
    }
}

static int user_cb(const char *userid, void *rock)
{
    strarray_append(rock, userid);
    return 0;
}

static int stop_cb(const char *userid, void *rock)
{
    (void)userid;
    ++*(int *)rock;
    return 7;
}

/* seen_foreach_user finds every user with a seen database, domains too */
static void test_seen_users(void)
{
    static const char *const users[] = { "anna", "Zed", "9x", "bo@example.com",
                                         "cy@mail.example.org" };
    const size_t n = sizeof(users) / sizeof(users[0]);

    for (size_t i = 0; i < NBACKENDS; i++) {
        struct strarray found = STRARRAY_INIT;
        int calls = 0;

        use_backend("seen", backends[i]);
        for (size_t u = 0; u < n; u++) {
            struct seen *s = NULL;
            CU_ASSERT_EQUAL_FATAL(seen_open(users[u], SEEN_CREATE, &s), SEEN_OK);
            seen_close(&s);
        }
        CU_ASSERT_EQUAL(seen_foreach_user(user_cb, &found), 0);
        for (size_t u = 0; u < n; u++)
            CU_ASSERT(strarray_find(&found, users[u], 0) >= 0);
        CU_ASSERT_EQUAL(seen_foreach_user(stop_cb, &calls), 7);
        CU_ASSERT_EQUAL(calls, 1);
        CU_ASSERT_EQUAL(seen_delete_user("anna"), SEEN_OK);
        strarray_fini(&found);
        CU_ASSERT_EQUAL(seen_foreach_user(user_cb, &found), 0);
        CU_ASSERT_EQUAL(strarray_find(&found, "anna", 0), -1);
        CU_ASSERT(strarray_find(&found, "cy@mail.example.org", 0) >= 0);
        for (size_t u = 1; u < n; u++)
            CU_ASSERT_EQUAL(seen_delete_user(users[u]), SEEN_OK);
        strarray_fini(&found);
    }
}

static void setup(void)
{
    char envdir[4096];
    snprintf(envdir, sizeof(envdir), "%s/dbenv", cunit_tmpdir());
    db_init(envdir, 0);
}

static void teardown(void)
{
    db_done();
}

const char *cunit_suite_name = "seen";
CU_TestInfo cunit_tests[] = {
    { "seqset_parse", test_seqset_parse },
    { "seqset_ops", test_seqset_ops },
    { "seen_format", test_seen_format },
    { "seen_db", test_seen_db },
    { "seen_users", test_seen_users },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = setup;
void (*cunit_teardown)(void) = teardown;
