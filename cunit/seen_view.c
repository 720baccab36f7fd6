/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cunit/seen_view.c - unit tests for imap/seen_view.c: whose \Seen a
 * session sees.  The owner's view is the index bit; another user's view
 * is the user's seen database, isolated per user, shared by two sessions
 * of one user (reload reports the difference), and every change gives
 * exactly the changed messages a new modseq (mailbox_touch) without
 * touching the index bit.  Runs on a real partition and seen database in
 * the test's temporary directory.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cunit/harness.h"
#include "cunit/mailbox_util.h"
#include "imap/mailbox.h"
#include "imap/namespace.h"
#include "imap/seen_view.h"
#include "lib/cfg.h"
#include "lib/db.h"

#define SHARED "shared.box"

static struct namespace ns;

/* modseq - the modseq of uid in mb's snapshot (0 when missing) */
static uint64_t modseq(struct mailbox *mb, uint32_t uid)
{
    const struct mailbox_record *rec = mailbox_record(mb, uid);
    return rec ? rec->modseq : 0;
}

/* seen - the view's \Seen of uid */
static bool seen(struct seen_view *v, struct mailbox *mb, uint32_t uid)
{
    const struct mailbox_record *rec = mailbox_record(mb, uid);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
    return seen_view_is_seen(v, rec);
}

/* the owner's view is the index bit; stores through it are refused */
static void test_owner(void)
{
    const char *root = mbt_root("owner");
    struct seen_view v = SEEN_VIEW_INIT;
    struct mailbox *mb = NULL;
    struct mailbox_record rec;
    uint32_t uid, first;

    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, "user.alice.x", 0, &mb), MAILBOX_OK);
    uid = mbt_append(mb, root, 1, 1);
    CU_ASSERT_EQUAL_FATAL(mailbox_refresh(mb, 0, NULL), MAILBOX_OK);
    CU_ASSERT_EQUAL(seen_view_open(&v, &ns, "alice", "user.alice.x", "u-x"), 0);
    CU_ASSERT(!v.per_user);
    CU_ASSERT(!seen(&v, mb, uid));
    CU_ASSERT_EQUAL(seen_view_store(&v, mb, &uid, 1, true, NULL), -1);
    CU_ASSERT_EQUAL(mailbox_set_flags(mb, &uid, 1, MAILBOX_FLAGS_ADD,
                                      MAILBOX_FLAG_SEEN, NULL, 0, NULL, NULL),
                    MAILBOX_OK);
    CU_ASSERT(seen(&v, mb, uid));
    rec = *mailbox_record(mb, uid);
    seen_view_patch(&v, &rec);               /* no-op */
    CU_ASSERT(rec.system_flags & MAILBOX_FLAG_SEEN);
    CU_ASSERT_EQUAL(seen_view_unseen(&v, mb, &first), 0);
    CU_ASSERT_EQUAL(first, 0);
    seen_view_fini(&v);
    /* no unique id: index-based, logged */
    CU_ASSERT_EQUAL(seen_view_open(&v, &ns, "bob", "user.alice.x", ""), 0);
    CU_ASSERT(!v.per_user);
    seen_view_fini(&v);
    mailbox_close(&mb);
}

/* bob's view: his own set; changes bump exactly the changed modseqs */
static void test_per_user(void)
{
    const char *root = mbt_root("peruser");
    struct seen_view bob = SEEN_VIEW_INIT, bob2 = SEEN_VIEW_INIT;
    struct seen_view carol = SEEN_VIEW_INIT;
    struct mailbox_uids ch = { 0 };
    struct mailbox *mb = NULL;
    struct mailbox_record rec;
    uint32_t u[3], first;
    uint64_t m0, hi;

    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, SHARED, 0, &mb), MAILBOX_OK);
    for (unsigned i = 0; i < 3; i++)
        u[i] = mbt_append(mb, root, 1, i);
    CU_ASSERT_EQUAL_FATAL(mailbox_refresh(mb, 0, NULL), MAILBOX_OK);
    m0 = modseq(mb, u[1]);
    CU_ASSERT_EQUAL_FATAL(seen_view_open(&bob, &ns, "bob", SHARED, "u-s"), 0);
    CU_ASSERT_EQUAL_FATAL(seen_view_open(&bob2, &ns, "bob", SHARED, "u-s"), 0);
    CU_ASSERT_EQUAL_FATAL(seen_view_open(&carol, &ns, "carol", SHARED, "u-s"), 0);
    CU_ASSERT(bob.per_user && carol.per_user);
    CU_ASSERT_EQUAL(seen_view_unseen(&bob, mb, &first), 3);
    CU_ASSERT_EQUAL(first, 1);

    /* +\Seen on 1 and 3: both change, get one new modseq; 2 does not */
    hi = mailbox_get_header(mb)->highestmodseq;
    uint32_t odd[2] = { u[0], u[2] };
    CU_ASSERT_EQUAL(seen_view_store(&bob, mb, odd, 2, true, &ch), 0);
    CU_ASSERT_EQUAL(ch.count, 2);
    CU_ASSERT(seen(&bob, mb, u[0]) && !seen(&bob, mb, u[1]) && seen(&bob, mb, u[2]));
    CU_ASSERT_EQUAL(modseq(mb, u[0]), hi + 1);
    CU_ASSERT_EQUAL(modseq(mb, u[2]), hi + 1);
    CU_ASSERT_EQUAL(modseq(mb, u[1]), m0);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->highestmodseq, hi + 1);
    CU_ASSERT_EQUAL(seen_view_unseen(&bob, mb, &first), 1);
    CU_ASSERT_EQUAL(first, 2);
    /* the index bit stays clear; patch shows bob's */
    CU_ASSERT(!(mailbox_record(mb, u[0])->system_flags & MAILBOX_FLAG_SEEN));
    rec = *mailbox_record(mb, u[0]);
    seen_view_patch(&bob, &rec);
    CU_ASSERT(rec.system_flags & MAILBOX_FLAG_SEEN);
    seen_view_patch(&carol, &rec);
    CU_ASSERT(!(rec.system_flags & MAILBOX_FLAG_SEEN));

    /* setting it again changes nothing, no new modseq */
    ch.count = 0;
    CU_ASSERT_EQUAL(seen_view_store(&bob, mb, odd, 1, true, &ch), 0);
    CU_ASSERT_EQUAL(ch.count, 0);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->highestmodseq, hi + 1);

    /* bob's other session learns of it on reload; carol's view is hers */
    ch.count = 0;
    CU_ASSERT_EQUAL(seen_view_reload(&bob2, mb, &ch), 0);
    CU_ASSERT_EQUAL(ch.count, 2);
    CU_ASSERT(seen(&bob2, mb, u[2]));
    ch.count = 0;
    CU_ASSERT_EQUAL(seen_view_reload(&carol, mb, &ch), 0);
    CU_ASSERT_EQUAL(ch.count, 0);
    CU_ASSERT_EQUAL(seen_view_unseen(&carol, mb, NULL), 3);

    /* -\Seen from the other session; without mb no modseq moves */
    ch.count = 0;
    CU_ASSERT_EQUAL(seen_view_store(&bob2, mb, &u[0], 1, false, &ch), 0);
    CU_ASSERT_EQUAL(ch.count, 1);
    CU_ASSERT_EQUAL(modseq(mb, u[0]), hi + 2);
    ch.count = 0;
    CU_ASSERT_EQUAL(seen_view_store(&bob2, NULL, &u[1], 1, true, &ch), 0);
    CU_ASSERT_EQUAL(ch.count, 1);
    CU_ASSERT_EQUAL(modseq(mb, u[1]), m0);
    ch.count = 0;
    CU_ASSERT_EQUAL(seen_view_reload(&bob, mb, &ch), 0);
    CU_ASSERT_EQUAL(ch.count, 2);            /* 1 unseen, 2 seen */
    CU_ASSERT(!seen(&bob, mb, u[0]) && seen(&bob, mb, u[1]));

    /* persists: a fresh view reads it back */
    seen_view_fini(&bob2);
    CU_ASSERT_EQUAL(seen_view_open(&bob2, &ns, "bob", SHARED, "u-s"), 0);
    CU_ASSERT_EQUAL(seen_view_unseen(&bob2, mb, &first), 1);
    CU_ASSERT_EQUAL(first, 1);
    /* another mailbox (unique id) is another record */
    seen_view_fini(&bob2);
    CU_ASSERT_EQUAL(seen_view_open(&bob2, &ns, "bob", SHARED, "u-other"), 0);
    CU_ASSERT_EQUAL(seen_view_unseen(&bob2, mb, NULL), 3);

    mailbox_uids_fini(&ch);
    seen_view_fini(&bob);
    seen_view_fini(&bob2);
    seen_view_fini(&carol);
    CU_ASSERT(!bob.per_user && bob.db == NULL);
    mailbox_close(&mb);
}

static void setup(void)
{
    char dir[2048], conf[4096];
    const char *err = NULL;
    FILE *f;

    snprintf(dir, sizeof(dir), "%s/conf", cunit_tmpdir());
    mkdir(dir, 0700);
    snprintf(conf, sizeof(conf), "%s/imapd.conf", dir);
    f = fopen(conf, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "configdirectory: %s\nseenstate_db: twoskip\n", dir);
    fclose(f);
    CU_ASSERT_EQUAL_FATAL(cfg_load(conf, NULL, &err), 1);
    snprintf(dir, sizeof(dir), "%s/dbenv", cunit_tmpdir());
    db_init(dir, 0);
    CU_ASSERT_EQUAL_FATAL(namespace_init(&ns, 0, 0, 0, 0, NULL, NULL, NULL,
                                         &err), 1);
}

static void teardown(void)
{
    db_done();
}

const char *cunit_suite_name = "seen_view";
CU_TestInfo cunit_tests[] = {
    { "owner", test_owner },
    { "per_user", test_per_user },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = setup;
void (*cunit_teardown)(void) = teardown;
