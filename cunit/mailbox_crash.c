/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/mailbox_crash.c - crash safety of imap/mailbox*.c: a child is
 * SIGKILLed at each named point of append (single and batched), flags,
 * expunge, cleanup and reconstruct (mailbox_fault_hook); the parent then
 * reopens the mailbox and checks that every acknowledged message is there
 * and intact, that nothing unacknowledged is half-visible, and that the
 * index agrees with the files. */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cunit/harness.h"
#include "cunit/mailbox_util.h"
#include "imap/mailbox.h"
#include "lib/buf.h"

#define BOX "user.crash"
#define MAX_ACKS 256

static const char *kill_point;
static int kill_countdown;

/* kill_hook - SIGKILL ourselves the countdown-th time point is reached */
static void kill_hook(const char *point)
{
    if (strcmp(point, kill_point) == 0 && --kill_countdown == 0)
        kill(getpid(), SIGKILL);
}

/* append_batch - stage and append n messages at once; 1 ok */
static int append_batch(struct mailbox *mb, const char *root, unsigned first,
                        unsigned n, uint32_t *uids)
{
    struct mailbox_stage *st[8] = { 0 };
    struct mailbox_append_item it[8];
    struct buf msg[8];
    int ok = 1;

    memset(it, 0, sizeof(it));
    memset(msg, 0, sizeof(msg));
    for (unsigned i = 0; ok && i < n; i++) {
        mbt_message(&msg[i], 5, first + i);
        ok = mailbox_stage_data(root, msg[i].s, msg[i].len, &st[i]) ==
             MAILBOX_OK;
        it[i].stage = st[i];
        it[i].cache = msg[i].s;
        it[i].cache_len = msg[i].len < MBT_BLOB_LEN ? msg[i].len : MBT_BLOB_LEN;
    }
    ok = ok && mailbox_append(mb, it, n) == MAILBOX_OK;
    for (unsigned i = 0; i < n; i++) {
        uids[i] = it[i].uid;
        mailbox_stage_free(&st[i]);
        buf_free(&msg[i]);
    }
    return ok;
}

/* child_appender - append batches, reporting each acknowledged UID */
static void child_appender(const char *root, int fd, unsigned batch)
{
    struct mailbox *mb = NULL;
    uint32_t uids[8];

    if (mailbox_open(root, BOX, &mb) != MAILBOX_OK)
        _exit(2);
    mailbox_fault_hook = kill_hook;
    for (unsigned i = 0; i < 10; i++) {
        if (!append_batch(mb, root, i * batch, batch, uids))
            _exit(3);
        /* acknowledged: only now may the "client" be told */
        if (write(fd, uids, batch * sizeof(uint32_t)) < 0)
            _exit(4);
    }
    _exit(0);
}

/* run_child - fork fn-style child for point; returns acks read */
static size_t run_appender(const char *root, const char *point, int countdown,
                           unsigned batch, uint32_t *acked)
{
    int fds[2], status = 0;
    size_t n = 0;
    ssize_t got;
    pid_t pid;

    CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        kill_point = point;
        kill_countdown = countdown;
        child_appender(root, fds[1], batch);
    }
    close(fds[1]);
    while (n < MAX_ACKS &&
           (got = read(fds[0], acked + n, (MAX_ACKS - n) * 4)) > 0)
        n += (size_t)got / 4;
    close(fds[0]);
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    /* the point was reached: otherwise this test proves nothing */
    CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    return n;
}

/* crash_append - kill an appender at point during its third append */
static void crash_append(const char *point, unsigned batch, int visible,
                         int tear_header)
{
    char tag[128];
    const char *root;
    uint32_t acked[MAX_ACKS];
    struct mailbox *mb = NULL;
    struct mailbox_reconstruct_report rep;
    unsigned hits = strcmp(point, "stage-synced") == 0 ? batch : 1;
    size_t n;
    uint32_t uid;

    snprintf(tag, sizeof(tag), "%s-%u-%d", point, batch, tear_header);
    root = mbt_root(tag);
    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, BOX, 0, NULL), MAILBOX_OK);
    n = run_appender(root, point, (int)(2 * hits + 1), batch, acked);
    CU_ASSERT_EQUAL(n, 2 * batch);
    if (tear_header) {
        /* the slot being written was torn (power loss): garbage its CRC */
        unsigned char buf[256], junk = 0x5a;
        int fd = open(mbt_file(root, BOX, "cyrus.index"), O_RDWR);
        struct mailbox_header a, b;
        CU_ASSERT_EQUAL(pread(fd, buf, 256, 0), 256);
        a.generation = buf[23];
        b.generation = buf[128 + 23];
        CU_ASSERT_EQUAL(pwrite(fd, &junk, 1, a.generation > b.generation
                                                 ? 100 : 228), 1);
        close(fd);
    }
    CU_ASSERT_EQUAL(mbt_check(root, BOX, acked, n, batch), 0);
    CU_ASSERT_EQUAL_FATAL(mailbox_open(root, BOX, &mb), MAILBOX_OK);
    /* the interrupted batch: all of it or none of it */
    CU_ASSERT_EQUAL(mailbox_count(mb), n + (visible ? batch : 0));
    /* the mailbox goes on working; a leftover file at UIDNEXT is replaced */
    uid = mbt_append(mb, root, 6, 1);
    CU_ASSERT(uid > acked[n - 1]);
    mailbox_close(&mb);
    acked[n++] = uid;
    CU_ASSERT_EQUAL(mbt_check(root, BOX, acked, n, batch), 0);
    /* a stage killed before its free is left behind, then swept */
    CU_ASSERT(mailbox_stage_cleanup(root, 0) >= 1);
    CU_ASSERT_EQUAL(mailbox_stage_cleanup(root, 0), 0);
    /* and reconstruct finds the index agreeing with the files */
    CU_ASSERT_EQUAL(mailbox_reconstruct(root, BOX, NULL, &rep), MAILBOX_OK);
    CU_ASSERT_EQUAL(rep.lost + rep.adopted + rep.changed, 0);
}

static void test_append_stage_synced(void) { crash_append("stage-synced", 1, 0, 0); }
static void test_append_locked(void) { crash_append("append-locked", 1, 0, 0); }
static void test_append_linked(void) { crash_append("append-linked", 1, 0, 0); }
static void test_append_dir_synced(void) { crash_append("append-dir-synced", 1, 0, 0); }
static void test_append_cache_written(void) { crash_append("append-cache-written", 1, 0, 0); }
static void test_append_records_written(void) { crash_append("append-records-written", 1, 0, 0); }
static void test_append_records_synced(void) { crash_append("commit-records-synced", 1, 0, 0); }
static void test_append_header_written(void) { crash_append("commit-header-written", 1, 1, 0); }
static void test_append_header_torn(void) { crash_append("commit-header-written", 1, 0, 1); }
static void test_append_committed(void) { crash_append("append-committed", 1, 1, 0); }

/* LMTP-style batches of 5 */
static void test_batch_stage(void) { crash_append("stage-synced", 5, 0, 0); }
static void test_batch_linked(void) { crash_append("append-linked", 5, 0, 0); }
static void test_batch_cache(void) { crash_append("append-cache-written", 5, 0, 0); }
static void test_batch_records(void) { crash_append("append-records-written", 5, 0, 0); }
static void test_batch_torn(void) { crash_append("commit-header-written", 5, 0, 1); }
static void test_batch_committed(void) { crash_append("append-committed", 5, 1, 0); }

/* run_op - fork a child that runs op(root) killed at point (first hit) */
static void run_op(const char *root, const char *point,
                   void (*op)(const char *root))
{
    int status = 0;
    pid_t pid = fork();

    if (pid == 0) {
        kill_point = point;
        kill_countdown = 1;
        mailbox_fault_hook = kill_hook;
        op(root);
        _exit(0);
    }
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* fill - a mailbox with 4 messages; their UIDs in acked */
static const char *fill(const char *tag, uint32_t *acked)
{
    const char *root = mbt_root(tag);
    struct mailbox *mb = NULL;

    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, BOX, 0, &mb), MAILBOX_OK);
    for (unsigned i = 0; i < 4; i++)
        acked[i] = mbt_append(mb, root, 0, i);
    mailbox_close(&mb);
    return root;
}

/* op_flags - flag 1..3 */
static void op_flags(const char *root)
{
    struct mailbox *mb = NULL;
    const uint32_t u[] = { 1, 2, 3 };

    mailbox_open(root, BOX, &mb);
    mailbox_set_flags(mb, u, 3, MAILBOX_FLAGS_ADD, MAILBOX_FLAG_FLAGGED, NULL,
                      0, NULL, NULL);
}

/* op_expunge - expunge 2 and 3, then clean up */
static void op_expunge(const char *root)
{
    struct mailbox *mb = NULL;
    const uint32_t u[] = { 2, 3 };

    mailbox_open(root, BOX, &mb);
    mailbox_expunge(mb, u, 2, NULL);
    mailbox_cleanup(mb, 0);
}

/* op_reconstruct - reconstruct with the test parser */
static void op_reconstruct(const char *root)
{
    mailbox_reconstruct(root, BOX, NULL, NULL);
}

/* Records rewritten in place, header not: the next open repairs. */
static void test_flags_crash(void)
{
    uint32_t acked[4];
    const char *root = fill("flags", acked);
    struct mailbox *mb = NULL;
    uint64_t before;

    CU_ASSERT_EQUAL_FATAL(mailbox_open(root, BOX, &mb), MAILBOX_OK);
    before = mailbox_get_header(mb)->highestmodseq;
    mailbox_close(&mb);
    run_op(root, "flags-records-written", op_flags);
    CU_ASSERT_EQUAL(mbt_check(root, BOX, acked, 4, 0), 0);
    CU_ASSERT_EQUAL_FATAL(mailbox_open(root, BOX, &mb), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->flagged, 3);
    CU_ASSERT(mailbox_get_header(mb)->highestmodseq > before);
    CU_ASSERT_EQUAL(mailbox_record(mb, 1)->modseq,
                    mailbox_get_header(mb)->highestmodseq);
    mailbox_close(&mb);
}

/* Expunge committed, files not yet unlinked; cleanup removes them. */
static void test_expunge_crash(void)
{
    uint32_t acked[4], keep[2];
    const char *root = fill("expunge", acked);
    struct mailbox *mb = NULL;
    struct stat st;

    run_op(root, "expunge-committed", op_expunge);
    keep[0] = acked[0];
    keep[1] = acked[3];
    CU_ASSERT_EQUAL(mbt_check(root, BOX, keep, 2, 0), 0);
    CU_ASSERT_EQUAL(stat(mbt_file(root, BOX, "2."), &st), 0);
    CU_ASSERT_EQUAL_FATAL(mailbox_open(root, BOX, &mb), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_count(mb), 2);
    CU_ASSERT_EQUAL(mailbox_cleanup(mb, 0), MAILBOX_OK);
    mailbox_close(&mb);
    CU_ASSERT_NOT_EQUAL(stat(mbt_file(root, BOX, "2."), &st), 0);
    CU_ASSERT_EQUAL(mbt_check(root, BOX, keep, 2, 0), 0);
}

/* Cleanup's new index written but not renamed in: the old one stands. */
static void test_cleanup_crash(void)
{
    uint32_t acked[4], keep[2];
    const char *root = fill("cleanup", acked);
    struct mailbox *mb = NULL;

    run_op(root, "cleanup-written", op_expunge);
    keep[0] = acked[0];
    keep[1] = acked[3];
    CU_ASSERT_EQUAL(mbt_check(root, BOX, keep, 2, 0), 0);
    CU_ASSERT_EQUAL_FATAL(mailbox_open(root, BOX, &mb), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_num_records(mb), 4);
    mailbox_close(&mb);
}

/* Reconstruct killed between its two renames: refused cache entries,
 * never wrong ones; running it again fixes everything. */
static void test_reconstruct_crash(void)
{
    uint32_t acked[4];
    const char *root = fill("reconstruct", acked);
    struct mailbox *mb = NULL;
    struct buf blob = BUF_INIT;
    const struct mailbox_record *rec;
    int r;

    run_op(root, "reconstruct-cache-renamed", op_reconstruct);
    CU_ASSERT_EQUAL_FATAL(mailbox_open(root, BOX, &mb), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_count(mb), 4);
    rec = mailbox_record(mb, 2);
    r = mailbox_cache_read(mb, rec, &blob);
    /* either refused, or (same offsets by chance) the right blob */
    CU_ASSERT(r == MAILBOX_E_CORRUPT || r == MAILBOX_OK);
    mailbox_close(&mb);
    CU_ASSERT_EQUAL(mailbox_reconstruct(root, BOX, NULL, NULL), MAILBOX_OK);
    CU_ASSERT_EQUAL_FATAL(mailbox_open(root, BOX, &mb), MAILBOX_OK);
    for (unsigned i = 0; i < 4; i++)
        CU_ASSERT_EQUAL(mailbox_cache_read(mb, mailbox_record(mb, acked[i]),
                                           &blob), MAILBOX_OK);
    mailbox_close(&mb);
    buf_free(&blob);
}

const char *cunit_suite_name = "mailbox_crash";
CU_TestInfo cunit_tests[] = {
    { "append_stage_synced", test_append_stage_synced },
    { "append_locked", test_append_locked },
    { "append_linked", test_append_linked },
    { "append_dir_synced", test_append_dir_synced },
    { "append_cache_written", test_append_cache_written },
    { "append_records_written", test_append_records_written },
    { "append_records_synced", test_append_records_synced },
    { "append_header_written", test_append_header_written },
    { "append_header_torn", test_append_header_torn },
    { "append_committed", test_append_committed },
    { "batch_stage", test_batch_stage },
    { "batch_linked", test_batch_linked },
    { "batch_cache", test_batch_cache },
    { "batch_records", test_batch_records },
    { "batch_torn", test_batch_torn },
    { "batch_committed", test_batch_committed },
    { "flags_crash", test_flags_crash },
    { "expunge_crash", test_expunge_crash },
    { "cleanup_crash", test_cleanup_crash },
    { "reconstruct_crash", test_reconstruct_crash },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = NULL;
void (*cunit_teardown)(void) = NULL;
