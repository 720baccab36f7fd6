/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/mailbox_writecheck.c - unit tests for the mailbox write check
 * (mailbox_set_write_check, imap/mailbox.h): every write through a handle
 * is refused, with nothing changed, once the check says the mailbox is
 * no longer served here; and mailbox_write_barrier waits for a writer
 * that passed the check before, so no write commits after the barrier. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cunit/harness.h"
#include "cunit/mailbox_util.h"
#include "imap/mailbox.h"
#include "lib/buf.h"
#include "lib/strarray.h"

#define BOX "user.alice"

/* The check's state: refuse while the marker file exists. */
static char marker[4096];     /* "moving" marker path */
static unsigned checks;       /* calls so far */
static int pause_fd = -1;     /* barrier test: tell the parent, then wait */

/* marker_check - the test's write check: MAILBOX_E_MOVING while the
 * marker exists; with pause_fd, the first call that allows the write
 * tells the parent and sleeps, still under the writer's lock */
static int marker_check(const char *name)
{
    struct stat st;

    checks++;
    CU_ASSERT_STRING_EQUAL(name, BOX);
    if (stat(marker, &st) == 0)
        return MAILBOX_E_MOVING;
    if (pause_fd >= 0) {
        struct timespec ts = { 0, 300 * 1000000L };
        ssize_t w = write(pause_fd, "x", 1);

        (void)w; /* the parent's read fails the test if this did */
        close(pause_fd);
        pause_fd = -1;
        nanosleep(&ts, NULL);
    }
    return MAILBOX_OK;
}

/* set_marker - create (on) or remove the marker */
static void set_marker(int on)
{
    if (on) {
        int fd = open(marker, O_WRONLY | O_CREAT, 0600);
        CU_ASSERT_FATAL(fd >= 0);
        close(fd);
    } else {
        unlink(marker);
    }
}

/* Every kind of write is refused and changes nothing; lifting the
 * refusal lets them through again. */
static void test_refused(void)
{
    const char *root = mbt_root("refused");
    struct mailbox *mb = NULL, *other = NULL;
    struct strarray uf = STRARRAY_INIT;
    const uint32_t uids[] = { 1, 2 };
    struct mailbox_uids gone = { 0 };
    struct buf m = BUF_INIT;
    uint64_t gen;
    unsigned idx;

    snprintf(marker, sizeof(marker), "%s/moving", root);
    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, BOX, 0, &mb), MAILBOX_OK);
    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, "user.bob", 0, &other),
                          MAILBOX_OK);
    CU_ASSERT_EQUAL(mbt_append(mb, root, 0, 1), 1);
    CU_ASSERT_EQUAL(mbt_append(mb, root, 0, 2), 2);
    CU_ASSERT_EQUAL(mailbox_set_flags(mb, uids, 1, MAILBOX_FLAGS_ADD,
                                      MAILBOX_FLAG_DELETED, NULL, 0, NULL,
                                      NULL), MAILBOX_OK);
    CU_ASSERT_EQUAL(mbt_append(other, root, 1, 1), 1);
    mailbox_refresh(mb, 0, NULL);
    mailbox_refresh(other, 0, NULL);
    gen = mailbox_get_header(mb)->generation;

    mailbox_set_write_check(marker_check);
    set_marker(1);
    CU_ASSERT_EQUAL(mailbox_writable(mb), MAILBOX_E_MOVING);
    strarray_append(&uf, "$New");
    CU_ASSERT_EQUAL(mailbox_set_flags(mb, uids, 2, MAILBOX_FLAGS_ADD,
                                      MAILBOX_FLAG_FLAGGED, &uf, 0, NULL,
                                      NULL), MAILBOX_E_MOVING);
    CU_ASSERT_EQUAL(mailbox_touch(mb, uids, 2), MAILBOX_E_MOVING);
    CU_ASSERT_EQUAL(mailbox_expunge(mb, NULL, 0, &gone), MAILBOX_E_MOVING);
    CU_ASSERT_EQUAL(gone.count, 0);
    CU_ASSERT_EQUAL(mailbox_user_flag(mb, "$Other", 1, &idx),
                    MAILBOX_E_MOVING);
    CU_ASSERT_EQUAL(mbt_append(mb, root, 0, 3), 0);
    CU_ASSERT_EQUAL(mailbox_cleanup(mb, 0), MAILBOX_E_MOVING);
    /* copying out of it is a read; copying into it a write */
    CU_ASSERT_EQUAL(mailbox_copy(other, uids, 1, mb, NULL, NULL),
                    MAILBOX_E_MOVING);
    CU_ASSERT(checks >= 8);

    /* nothing changed: same generation, flags, user flags, messages */
    CU_ASSERT_EQUAL(mailbox_refresh(mb, 0, NULL), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->generation, gen);
    CU_ASSERT_EQUAL(mailbox_count(mb), 2);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->uidnext, 3);
    CU_ASSERT_EQUAL(mailbox_record(mb, 1)->system_flags, MAILBOX_FLAG_DELETED);
    CU_ASSERT_EQUAL(mailbox_record(mb, 2)->system_flags, 0);
    CU_ASSERT_PTR_NULL(mailbox_user_flag_name(mb, 0));
    mailbox_message_path(mb, 3, &m);
    CU_ASSERT_EQUAL(access(m.s, F_OK), -1);
    CU_ASSERT_EQUAL(mbt_check(root, BOX, uids, 2, 0), 0);

    /* served here again: the writes go through */
    set_marker(0);
    CU_ASSERT_EQUAL(mailbox_writable(mb), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_set_flags(mb, uids, 2, MAILBOX_FLAGS_ADD,
                                      MAILBOX_FLAG_FLAGGED, &uf, 0, NULL,
                                      NULL), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_expunge(mb, NULL, 0, &gone), MAILBOX_OK);
    CU_ASSERT_EQUAL(gone.count, 1);
    /* the barrier itself is not a write: it passes a refusing check */
    set_marker(1);
    CU_ASSERT_EQUAL(mailbox_write_barrier(root, BOX), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_write_barrier(root, "user.nobody"),
                    MAILBOX_E_NOTFOUND);

    mailbox_set_write_check(NULL);
    CU_ASSERT_EQUAL(mailbox_writable(mb), MAILBOX_OK);
    CU_ASSERT_EQUAL(mbt_append(mb, root, 0, 3), 3);
    set_marker(0);
    mailbox_uids_fini(&gone);
    strarray_fini(&uf);
    buf_free(&m);
    mailbox_close(&mb);
    mailbox_close(&other);
}

/* A writer that passed the check before the marker appeared commits
 * before mailbox_write_barrier returns; its next write is refused. */
static void test_barrier(void)
{
    const char *root = mbt_root("barrier");
    const uint32_t one[] = { 1 };
    struct mailbox *mb = NULL;
    int pfd[2], status = -1;
    char c;
    pid_t pid;

    snprintf(marker, sizeof(marker), "%s/moving", root);
    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, BOX, 0, &mb), MAILBOX_OK);
    CU_ASSERT_EQUAL(mbt_append(mb, root, 0, 1), 1);
    mailbox_refresh(mb, 0, NULL);
    CU_ASSERT_EQUAL_FATAL(pipe(pfd), 0);
    pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        int r1, r2;

        mailbox_close(&mb); /* the parent's */
        close(pfd[0]);
        pause_fd = pfd[1];
        mailbox_set_write_check(marker_check);
        if (mailbox_open(root, BOX, &mb) != MAILBOX_OK)
            _exit(2);
        /* checks, tells the parent, sleeps, commits */
        r1 = mailbox_set_flags(mb, one, 1, MAILBOX_FLAGS_ADD,
                               MAILBOX_FLAG_FLAGGED, NULL, 0, NULL, NULL);
        r2 = mailbox_set_flags(mb, one, 1, MAILBOX_FLAGS_ADD,
                               MAILBOX_FLAG_ANSWERED, NULL, 0, NULL, NULL);
        mailbox_close(&mb);
        _exit(r1 == MAILBOX_OK && r2 == MAILBOX_E_MOVING ? 0 : 3);
    }
    close(pfd[1]);
    CU_ASSERT_EQUAL(read(pfd[0], &c, 1), 1); /* the child passed the check */
    close(pfd[0]);
    set_marker(1);                            /* "MOVING" */
    CU_ASSERT_EQUAL(mailbox_write_barrier(root, BOX), MAILBOX_OK);
    /* the child has committed: seen without taking any lock */
    CU_ASSERT_EQUAL(mailbox_changed(mb), 1);
    CU_ASSERT_EQUAL(mailbox_refresh(mb, 0, NULL), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_record(mb, 1)->system_flags, MAILBOX_FLAG_FLAGGED);
    mailbox_close(&mb);
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* and nothing after the barrier */
    CU_ASSERT_EQUAL_FATAL(mailbox_open(root, BOX, &mb), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_record(mb, 1)->system_flags, MAILBOX_FLAG_FLAGGED);
    mailbox_close(&mb);
    set_marker(0);
}

const char *cunit_suite_name = "mailbox_writecheck";
CU_TestInfo cunit_tests[] = {
    { "refused", test_refused },
    { "barrier", test_barrier },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = NULL;
void (*cunit_teardown)(void) = NULL;
