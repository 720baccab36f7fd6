/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/mailbox_dump.c - unit tests for imap/mailbox_dump.c,
 * mailbox_undump.c and mailbox_import.c: a mailbox with flags, user
 * flags and an expunged message dumped and rebuilt elsewhere (fed one
 * byte at a time and in one piece) with the same UIDVALIDITY, UIDs,
 * flags, modseqs, dates and bytes; malformed and truncated dumps
 * refused; an abandoned import leaves no files. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cunit/harness.h"
#include "cunit/mailbox_util.h"
#include "imap/mailbox.h"
#include "imap/mailbox_dump.h"
#include "imap/mailbox_import.h"
#include "imap/mboxlist.h"
#include "lib/buf.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"

#define BOX "user.alice.work"

/* out_buf - the dump writer's output into a buf */
static int out_buf(void *rock, const void *p, size_t n)
{
    buf_appendmap(rock, p, n);
    return 0;
}

/* What the reader saw, and the import it drives. */
struct sink {
    const char *root;
    struct mailbox_import *imp;
    uint32_t uidnext;
    uint64_t hms, dms;
    char *acl, *uniqueid;
    int msgs;
};

static int on_header(void *rock, struct mailbox_dump_header *h,
                     const char **e)
{
    struct sink *k = rock;

    (void)e;
    k->uidnext = h->uidnext;
    k->hms = h->highestmodseq;
    k->dms = h->deletedmodseq;
    k->acl = xstrdup(h->entry->acl);
    k->uniqueid = xstrdup(h->entry->uniqueid ? h->entry->uniqueid : "");
    return mailbox_import_begin(k->root, h->name, h->uidvalidity, &k->imp) ==
                   MAILBOX_OK ? 0 : -1;
}

static int on_begin(void *rock, const struct mailbox_dump_msg *m,
                    const char **e)
{
    struct sink *k = rock;

    (void)e;
    k->msgs++;
    return mailbox_import_message_begin(k->imp, m) == MAILBOX_OK ? 0 : -1;
}

static int on_data(void *rock, const void *p, size_t n, const char **e)
{
    (void)e;
    return mailbox_import_message_data(((struct sink *)rock)->imp, p, n) ==
                   MAILBOX_OK ? 0 : -1;
}

static int on_end(void *rock, const char **e)
{
    (void)e;
    return mailbox_import_message_end(((struct sink *)rock)->imp) ==
                   MAILBOX_OK ? 0 : -1;
}

static const struct mailbox_undump_ops ops = {
    on_header, NULL, on_begin, on_data, on_end, NULL, NULL, NULL,
};

static void sink_fini(struct sink *k)
{
    mailbox_import_free(&k->imp);
    free(k->acl);
    free(k->uniqueid);
}

/* make_source - BOX on root with 4 messages: flags, a user flag, one
 * expunged; its dump into out */
static void make_source(const char *root, struct buf *out)
{
    struct mailbox *mb = NULL;
    struct mboxlist_entry *e = mboxlist_entry_new();
    struct strarray kw = STRARRAY_INIT;
    uint32_t uids[4];
    const char *err = NULL;
    struct mailbox_dump_src src = { root, e, NULL };

    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, BOX, 0, &mb), MAILBOX_OK);
    for (unsigned i = 0; i < 4; i++)
        uids[i] = mbt_append(mb, root, 1, i);
    strarray_append(&kw, "$Work");
    CU_ASSERT_EQUAL(mailbox_set_flags(mb, &uids[1], 1, MAILBOX_FLAGS_ADD,
                                      MAILBOX_FLAG_SEEN | MAILBOX_FLAG_FLAGGED,
                                      &kw, 0, NULL, NULL), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_expunge(mb, &uids[2], 1, NULL), MAILBOX_OK);
    mailbox_close(&mb);
    e->name = xstrdup(BOX);
    e->partition = xstrdup("default");
    e->acl = xstrdup("alice\tlrswipkxtea\t");
    e->uniqueid = xstrdup("abc123");
    CU_ASSERT_EQUAL(mailbox_dump_write(&src, out_buf, out, NULL, &err),
                    MAILBOX_OK);
    strarray_fini(&kw);
    mboxlist_entry_free(&e);
}

/* same_mailbox - every record and file of BOX agrees on both roots */
static void same_mailbox(const char *a, const char *b)
{
    struct mailbox *x = NULL, *y = NULL;
    struct buf fx = BUF_INIT, fy = BUF_INIT, px = BUF_INIT, py = BUF_INIT;

    CU_ASSERT_EQUAL_FATAL(mailbox_open(a, BOX, &x), MAILBOX_OK);
    CU_ASSERT_EQUAL_FATAL(mailbox_open(b, BOX, &y), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_get_header(x)->uidvalidity,
                    mailbox_get_header(y)->uidvalidity);
    CU_ASSERT_EQUAL(mailbox_get_header(x)->uidnext,
                    mailbox_get_header(y)->uidnext);
    CU_ASSERT_EQUAL(mailbox_get_header(x)->highestmodseq,
                    mailbox_get_header(y)->highestmodseq);
    CU_ASSERT(mailbox_get_header(y)->deletedmodseq > 0);
    CU_ASSERT_EQUAL_FATAL(mailbox_count(x), 3);
    CU_ASSERT_EQUAL_FATAL(mailbox_count(y), 3);
    for (uint32_t i = 1; i <= 3; i++) {
        uint32_t uid = mailbox_msgno_uid(x, i);
        const struct mailbox_record *r = mailbox_record(x, uid);
        const struct mailbox_record *s = mailbox_record(y, uid);
        CU_ASSERT_EQUAL_FATAL(mailbox_msgno_uid(y, i), uid);
        CU_ASSERT_EQUAL(r->system_flags, s->system_flags);
        CU_ASSERT_EQUAL(r->modseq, s->modseq);
        CU_ASSERT_EQUAL(r->internaldate, s->internaldate);
        CU_ASSERT_EQUAL(r->size, s->size);
        CU_ASSERT_EQUAL(memcmp(r->guid, s->guid, MAILBOX_GUID_SIZE), 0);
        CU_ASSERT_EQUAL(memcmp(r->user_flags, s->user_flags,
                               sizeof(r->user_flags)), 0);
        mailbox_message_path(x, uid, &px);
        mailbox_message_path(y, uid, &py);
        CU_ASSERT_EQUAL(mbt_read_file(px.s, &fx), 1);
        CU_ASSERT_EQUAL(mbt_read_file(py.s, &fy), 1);
        CU_ASSERT_EQUAL(buf_cmp(&fx, &fy), 0);
    }
    CU_ASSERT_STRING_EQUAL(mailbox_user_flag_name(y, 0), "$Work");
    mailbox_close(&x);
    mailbox_close(&y);
    buf_free(&fx);
    buf_free(&fy);
    buf_free(&px);
    buf_free(&py);
}

/* undump - feed d to a fresh reader in pieces of step bytes (0: whole),
 * committing the import when it is complete; 0 or -1 */
static int undump(const struct buf *d, size_t step, struct sink *k)
{
    struct mailbox_undump *u = mailbox_undump_new(&ops, k);
    const char *err = NULL;
    size_t at = 0;
    int r = 0;

    while (r == 0 && at < d->len) {
        size_t n = step && step < d->len - at ? step : d->len - at;
        r = mailbox_undump_feed(u, d->s + at, n, &err);
        at += n;
    }
    if (r == 0)
        r = mailbox_undump_finish(u, &err);
    if (r == 0 && mailbox_import_commit(k->imp, k->uidnext, k->hms, k->dms) !=
                      MAILBOX_OK)
        r = -1;
    mailbox_undump_free(&u);
    return r;
}

/* Round trip, whole and byte by byte. */
static void test_round_trip(void)
{
    const char *a = mbt_root("dump-src");
    struct buf d = BUF_INIT;

    make_source(a, &d);
    for (size_t step = 0; step <= 1; step++) {
        const char *b = mbt_root(step ? "dump-dst1" : "dump-dst0");
        struct sink k = { b, NULL, 0, 0, 0, NULL, NULL, 0 };

        CU_ASSERT_EQUAL(undump(&d, step, &k), 0);
        CU_ASSERT_EQUAL(k.msgs, 3);
        CU_ASSERT_STRING_EQUAL(k.acl ? k.acl : "", "alice\tlrswipkxtea\t");
        CU_ASSERT_STRING_EQUAL(k.uniqueid ? k.uniqueid : "", "abc123");
        sink_fini(&k);
        same_mailbox(a, b);
    }
    buf_free(&d);
}

/* Truncated, miscounted, foreign and overlong dumps are refused and an
 * abandoned import leaves no mailbox behind. */
static void test_refused(void)
{
    const char *a = mbt_root("bad-src");
    struct buf d = BUF_INIT, bad = BUF_INIT;
    struct mailbox *mb = NULL;
    struct stat st;

    make_source(a, &d);
    for (size_t cut = 1; cut < d.len; cut += d.len / 7 + 1) {
        const char *b = mbt_root("bad-dst");
        struct sink k = { b, NULL, 0, 0, 0, NULL, NULL, 0 };

        buf_setmap(&bad, d.s, d.len - cut);
        CU_ASSERT_EQUAL(undump(&bad, 0, &k), -1);
        sink_fini(&k);
        CU_ASSERT_EQUAL(mailbox_open(b, BOX, &mb), MAILBOX_E_NOTFOUND);
        CU_ASSERT_NOT_EQUAL(stat(mbt_file(b, BOX, "1."), &st), 0);
        CU_ASSERT_NOT_EQUAL(stat(mbt_file(b, BOX, "cyrus.cache"), &st), 0);
    }
    /* a wrong message count */
    {
        struct sink k = { mbt_root("bad-count"), NULL, 0, 0, 0, NULL, NULL, 0 };
        const char *end = strstr(buf_cstring(&d), "\nend msgs=3\n");
        CU_ASSERT_PTR_NOT_NULL_FATAL(end);
        buf_setmap(&bad, d.s, (size_t)(end - d.s));
        buf_appendcstr(&bad, "\nend msgs=4\n");
        CU_ASSERT_EQUAL(undump(&bad, 0, &k), -1);
        sink_fini(&k);
    }
    /* another version, garbage, a message longer than announced */
    {
        struct sink k = { mbt_root("bad-magic"), NULL, 0, 0, 0, NULL, NULL, 0 };
        buf_setcstr(&bad, "MURDER-XFER 2\n");
        CU_ASSERT_EQUAL(undump(&bad, 0, &k), -1);
        buf_setcstr(&bad, "MURDER-XFER 1\nmailbox name=99:x\n");
        CU_ASSERT_EQUAL(undump(&bad, 0, &k), -1);
        sink_fini(&k);
    }
    buf_free(&d);
    buf_free(&bad);
}

const char *cunit_suite_name = "mailbox_dump";
CU_TestInfo cunit_tests[] = {
    { "round_trip", test_round_trip },
    { "refused", test_refused },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = NULL;
void (*cunit_teardown)(void) = NULL;
