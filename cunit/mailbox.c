/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/mailbox.c - unit tests for imap/mailbox*.c: create, append, read
 * back, flags and modseq, expunge and cleanup, two sessions, concurrent
 * appenders, CRC damage, reconstruct, hard links, rename, delete. */
#include "config.h"

#include <fcntl.h>
#include <poll.h>
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
#include "lib/strarray.h"

#define BOX "user.alice"

/* Create, reopen, refuse a second create and a bad name. */
static void test_create_open(void)
{
    const char *root = mbt_root("create");
    struct mailbox *mb = NULL, *mb2 = NULL;
    struct stat st;

    CU_ASSERT_EQUAL(mailbox_open(root, BOX, &mb), MAILBOX_E_NOTFOUND);
    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, BOX, 0, &mb), MAILBOX_OK);
    CU_ASSERT(mailbox_get_header(mb)->uidvalidity > 1000000000u);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->uidnext, 1);
    CU_ASSERT_EQUAL(mailbox_count(mb), 0);
    CU_ASSERT_EQUAL(mailbox_create(root, BOX, 0, NULL), MAILBOX_E_EXISTS);
    CU_ASSERT_EQUAL(mailbox_create(root, "user.alice.a/b", 0, NULL),
                    MAILBOX_E_BADNAME);
    CU_ASSERT_EQUAL(stat(mbt_file(root, BOX, "cyrus.header"), &st), 0);
    CU_ASSERT_EQUAL(stat(mbt_file(root, BOX, "cyrus.cache"), &st), 0);
    /* a second mailbox gets another UIDVALIDITY */
    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, "user.bob", 0, &mb2),
                          MAILBOX_OK);
    CU_ASSERT_NOT_EQUAL(mailbox_get_header(mb)->uidvalidity,
                        mailbox_get_header(mb2)->uidvalidity);
    mailbox_close(&mb);
    mailbox_close(&mb2);
    CU_ASSERT_PTR_NULL(mb);
    CU_ASSERT_EQUAL(mailbox_open(root, BOX, &mb), MAILBOX_OK);
    mailbox_close(&mb);
}

/* Append one, then a batch of three; read records, files and cache. */
static void test_append_read(void)
{
    const char *root = mbt_root("append");
    struct mailbox *mb = NULL;
    struct mailbox_stage *st[3] = { NULL, NULL, NULL };
    struct mailbox_append_item items[3];
    struct buf msg[3] = { BUF_INIT, BUF_INIT, BUF_INIT }, b = BUF_INIT;
    struct strarray uf = STRARRAY_INIT;
    unsigned char sha[MAILBOX_GUID_SIZE];
    const struct mailbox_record *rec;
    uint64_t quota = 0;

    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, BOX, 0, &mb), MAILBOX_OK);
    CU_ASSERT_EQUAL(mbt_append(mb, root, 0, 0), 1);
    memset(items, 0, sizeof(items));
    strarray_append(&uf, "$Important");
    for (int i = 0; i < 3; i++) {
        mbt_message(&msg[i], 1, (unsigned)i);
        CU_ASSERT_EQUAL_FATAL(mailbox_stage_data(root, msg[i].s, msg[i].len,
                                                 &st[i]), MAILBOX_OK);
        items[i].stage = st[i];
        items[i].internaldate = 1700000000 + i;
        items[i].internaldate_ns = 5;
        items[i].system_flags = MAILBOX_FLAG_SEEN;
        items[i].user_flags = i == 1 ? &uf : NULL;
        items[i].cache = msg[i].s;
        items[i].cache_len = MBT_BLOB_LEN;
    }
    CU_ASSERT_EQUAL_FATAL(mailbox_append(mb, items, 3), MAILBOX_OK);
    CU_ASSERT_EQUAL(items[0].uid, 2);
    CU_ASSERT_EQUAL(items[2].uid, 4);
    /* our own appends show up through refresh like anybody else's */
    CU_ASSERT_EQUAL(mailbox_count(mb), 0);
    CU_ASSERT_EQUAL(mailbox_refresh(mb, 0, NULL), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_count(mb), 4);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->uidnext, 5);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->unseen, 1);
    for (int i = 0; i < 3; i++) {
        rec = mailbox_record(mb, (uint32_t)i + 2);
        CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
        CU_ASSERT_EQUAL(rec->size, msg[i].len);
        CU_ASSERT_EQUAL(rec->internaldate, 1700000000 + i);
        CU_ASSERT_EQUAL(rec->system_flags, MAILBOX_FLAG_SEEN);
        CU_ASSERT_EQUAL(rec->user_flags[0], i == 1 ? 1u : 0u);
        mbt_sha1(msg[i].s, msg[i].len, sha);
        CU_ASSERT_EQUAL(memcmp(rec->guid, sha, sizeof(sha)), 0);
        CU_ASSERT_EQUAL(memcmp(mailbox_stage_guid(st[i]), sha, 20), 0);
        mailbox_message_path(mb, rec->uid, &b);
        CU_ASSERT_EQUAL(mbt_read_file(b.s, &b), 1);
        CU_ASSERT(buf_len(&b) == msg[i].len && !memcmp(b.s, msg[i].s, b.len));
        CU_ASSERT_EQUAL(mailbox_cache_read(mb, rec, &b), MAILBOX_OK);
        CU_ASSERT(b.len == MBT_BLOB_LEN && !memcmp(b.s, msg[i].s, b.len));
        quota += msg[i].len;
        mailbox_stage_free(&st[i]);
        buf_free(&msg[i]);
    }
    quota += mailbox_record(mb, 1)->size;
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->quota_used, quota);
    CU_ASSERT_STRING_EQUAL(mailbox_user_flag_name(mb, 0), "$Important");
    CU_ASSERT_EQUAL(mailbox_msgno_uid(mb, 3), 3);
    CU_ASSERT_EQUAL(mailbox_uid_msgno(mb, 4), 4);
    CU_ASSERT_EQUAL(mbt_check(root, BOX, NULL, 0, 4), 0);
    mailbox_close(&mb);
    strarray_fini(&uf);
    buf_free(&b);
}

/* STORE: system and user flags, modseq, UNCHANGEDSINCE, the 128 limit. */
static void test_flags(void)
{
    const char *root = mbt_root("flags");
    struct mailbox *mb = NULL;
    struct mailbox_uids changed = { 0 }, failed = { 0 };
    struct strarray uf = STRARRAY_INIT;
    const uint32_t all[] = { 1, 2, 3 }, two[] = { 2 };
    uint64_t m0, m1;
    unsigned idx;
    char name[32];

    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, BOX, 0, &mb), MAILBOX_OK);
    for (unsigned i = 1; i <= 3; i++)
        CU_ASSERT_EQUAL(mbt_append(mb, root, 0, i), i);
    mailbox_refresh(mb, 0, NULL);
    m0 = mailbox_get_header(mb)->highestmodseq;
    strarray_append(&uf, "$Junk");
    strarray_append(&uf, "foo");
    CU_ASSERT_EQUAL(mailbox_set_flags(mb, all, 2, MAILBOX_FLAGS_ADD,
                                      MAILBOX_FLAG_SEEN | MAILBOX_FLAG_EXPUNGED,
                                      &uf, 0, &changed, NULL), MAILBOX_OK);
    CU_ASSERT_EQUAL(changed.count, 2);
    m1 = mailbox_get_header(mb)->highestmodseq;
    CU_ASSERT_EQUAL(m1, m0 + 1);
    CU_ASSERT_EQUAL(mailbox_record(mb, 1)->modseq, m1);
    CU_ASSERT_EQUAL(mailbox_record(mb, 3)->modseq, m0);
    /* EXPUNGED is not a flag a client can set */
    CU_ASSERT_EQUAL(mailbox_record(mb, 1)->system_flags, MAILBOX_FLAG_SEEN);
    CU_ASSERT_EQUAL(mailbox_record(mb, 2)->user_flags[0], 3u);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->unseen, 1);
    CU_ASSERT_EQUAL(mailbox_user_flag(mb, "FOO", 0, &idx), MAILBOX_OK);
    CU_ASSERT_EQUAL(idx, 1);
    /* setting what is already set changes nothing, no new modseq */
    changed.count = 0;
    CU_ASSERT_EQUAL(mailbox_set_flags(mb, all, 1, MAILBOX_FLAGS_ADD,
                                      MAILBOX_FLAG_SEEN, NULL, 0, &changed,
                                      NULL), MAILBOX_OK);
    CU_ASSERT_EQUAL(changed.count, 0);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->highestmodseq, m1);
    /* CONDSTORE: 1 and 2 changed after m0, 3 did not */
    changed.count = 0;
    CU_ASSERT_EQUAL(mailbox_set_flags(mb, all, 3, MAILBOX_FLAGS_REPLACE,
                                      MAILBOX_FLAG_FLAGGED, NULL, m0, &changed,
                                      &failed), MAILBOX_OK);
    CU_ASSERT_EQUAL(failed.count, 2);
    CU_ASSERT_EQUAL(changed.count, 1);
    CU_ASSERT_EQUAL(changed.v[0], 3);
    CU_ASSERT_EQUAL(mailbox_record(mb, 3)->system_flags, MAILBOX_FLAG_FLAGGED);
    CU_ASSERT_EQUAL(mailbox_record(mb, 3)->modseq, m1 + 1);
    /* remove a user flag */
    strarray_truncate(&uf, 1);
    CU_ASSERT_EQUAL(mailbox_set_flags(mb, two, 1, MAILBOX_FLAGS_REMOVE, 0,
                                      &uf, 0, NULL, NULL), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_record(mb, 2)->user_flags[0], 2u);
    /* fill the table: 2 used, 126 more fit, the next one does not */
    for (unsigned i = 0; i < 126; i++) {
        snprintf(name, sizeof(name), "kw%u", i);
        CU_ASSERT_EQUAL(mailbox_user_flag(mb, name, 1, &idx), MAILBOX_OK);
    }
    CU_ASSERT_EQUAL(idx, 127);
    CU_ASSERT_EQUAL(mailbox_user_flag(mb, "onetoomany", 1, &idx),
                    MAILBOX_E_FLAGS_FULL);
    strarray_append(&uf, "onetoomany");
    CU_ASSERT_EQUAL(mailbox_set_flags(mb, two, 1, MAILBOX_FLAGS_ADD, 0, &uf,
                                      0, NULL, NULL), MAILBOX_E_FLAGS_FULL);
    CU_ASSERT_EQUAL(mailbox_user_flag(mb, "bad flag", 1, &idx),
                    MAILBOX_E_BADNAME);
    CU_ASSERT_EQUAL(mailbox_user_flag(mb, "\\Seen", 1, &idx),
                    MAILBOX_E_BADNAME);
    /* flag 127 set and read back through a fresh handle */
    strarray_truncate(&uf, 0);
    strarray_append(&uf, "kw125");
    CU_ASSERT_EQUAL(mailbox_set_flags(mb, two, 1, MAILBOX_FLAGS_ADD, 0, &uf,
                                      0, NULL, NULL), MAILBOX_OK);
    mailbox_close(&mb);
    CU_ASSERT_EQUAL_FATAL(mailbox_open(root, BOX, &mb), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_record(mb, 2)->user_flags[3], 0x80000000u);
    CU_ASSERT_STRING_EQUAL(mailbox_user_flag_name(mb, 127), "kw125");
    mailbox_close(&mb);
    mailbox_uids_fini(&changed);
    mailbox_uids_fini(&failed);
    strarray_fini(&uf);
}

/* EXPUNGE keeps records for QRESYNC and unlinks files; cleanup drops them. */
static void test_expunge(void)
{
    const char *root = mbt_root("expunge");
    struct mailbox *mb = NULL;
    struct mailbox_uids ex = { 0 };
    const uint32_t del[] = { 2, 4 }, one[] = { 5 };
    struct stat st;
    uint64_t quota, size2, m;

    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, BOX, 0, &mb), MAILBOX_OK);
    for (unsigned i = 1; i <= 5; i++)
        mbt_append(mb, root, 0, i);
    mailbox_refresh(mb, 0, NULL);
    quota = mailbox_get_header(mb)->quota_used;
    size2 = mailbox_record(mb, 2)->size + mailbox_record(mb, 4)->size;
    mailbox_set_flags(mb, del, 2, MAILBOX_FLAGS_ADD, MAILBOX_FLAG_DELETED,
                      NULL, 0, NULL, NULL);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->deleted, 2);
    m = mailbox_get_header(mb)->highestmodseq;
    CU_ASSERT_EQUAL(mailbox_expunge(mb, NULL, 0, &ex), MAILBOX_OK);
    CU_ASSERT_EQUAL(ex.count, 2);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->exists, 3);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->deleted, 0);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->quota_used, quota - size2);
    CU_ASSERT_EQUAL(mailbox_record(mb, 2)->system_flags &
                    MAILBOX_FLAG_EXPUNGED, MAILBOX_FLAG_EXPUNGED);
    CU_ASSERT_EQUAL(mailbox_record(mb, 2)->modseq, m + 1);
    CU_ASSERT_NOT_EQUAL(stat(mbt_file(root, BOX, "2."), &st), 0);
    CU_ASSERT_EQUAL(stat(mbt_file(root, BOX, "3."), &st), 0);
    /* by UID (UID EXPUNGE), without \Deleted */
    CU_ASSERT_EQUAL(mailbox_expunge(mb, one, 1, NULL), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->exists, 2);
    CU_ASSERT_EQUAL(mailbox_num_records(mb), 5);
    CU_ASSERT_EQUAL(mbt_check(root, BOX, NULL, 0, 2), 0);
    /* cleanup up to the first expunge's modseq: 2 and 4 go, 5 stays */
    CU_ASSERT_EQUAL(mailbox_cleanup(mb, m + 1), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_refresh(mb, 0, NULL), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_num_records(mb), 3);
    CU_ASSERT_PTR_NULL(mailbox_record(mb, 2));
    CU_ASSERT_PTR_NOT_NULL(mailbox_record(mb, 5));
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->deletedmodseq, m + 1);
    CU_ASSERT_EQUAL(mailbox_count(mb), 2);
    CU_ASSERT_EQUAL(mbt_check(root, BOX, NULL, 0, 2), 0);
    mailbox_close(&mb);
    mailbox_uids_fini(&ex);
}

/* readable - is fd readable within ms? */
static int readable(int fd, int ms)
{
    struct pollfd p = { fd, POLLIN, 0 };
    return poll(&p, 1, ms) == 1;
}

/* Two sessions see each other's appends, flag changes and expunges. */
static void test_two_sessions(void)
{
    const char *root = mbt_root("sessions");
    struct mailbox *a = NULL, *b = NULL;
    struct mailbox_changes ch;
    const uint32_t u2[] = { 2 }, u13[] = { 1, 3 };
    int fd;

    memset(&ch, 0, sizeof(ch));
    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, BOX, 0, &a), MAILBOX_OK);
    CU_ASSERT_EQUAL_FATAL(mailbox_open(root, BOX, &b), MAILBOX_OK);
    fd = mailbox_change_fd(a);
    CU_ASSERT(fd >= 0);
    CU_ASSERT_FALSE(readable(fd, 0));
    CU_ASSERT_EQUAL(mailbox_changed(a), 0);
    for (unsigned i = 1; i <= 4; i++)
        mbt_append(b, root, 1, i);
    CU_ASSERT_TRUE(readable(fd, 1000));
    CU_ASSERT_EQUAL(mailbox_changed(a), 1);
    mailbox_change_drain(a);
    CU_ASSERT_EQUAL(mailbox_refresh(a, 0, &ch), MAILBOX_OK);
    CU_ASSERT_EQUAL(ch.exists, 4);
    CU_ASSERT_TRUE(ch.exists_changed);
    CU_ASSERT_EQUAL(ch.expunged_uids.count, 0);
    CU_ASSERT_EQUAL(ch.changed_uids.count, 0);
    CU_ASSERT_EQUAL(mailbox_changed(a), 0);
    CU_ASSERT_FALSE(readable(fd, 0));
    /* b flags 2 */
    mailbox_refresh(b, 0, NULL);
    mailbox_set_flags(b, u2, 1, MAILBOX_FLAGS_ADD, MAILBOX_FLAG_FLAGGED, NULL,
                      0, NULL, NULL);
    CU_ASSERT_TRUE(readable(fd, 1000));
    mailbox_change_drain(a);
    CU_ASSERT_EQUAL(mailbox_refresh(a, 0, &ch), MAILBOX_OK);
    CU_ASSERT_FALSE(ch.exists_changed);
    CU_ASSERT_EQUAL_FATAL(ch.changed_uids.count, 1);
    CU_ASSERT_EQUAL(ch.changed_uids.v[0], 2);
    CU_ASSERT_EQUAL(mailbox_record(a, 2)->system_flags, MAILBOX_FLAG_FLAGGED);
    /* b expunges 1 and 3 and appends 5; during a FETCH a must keep them */
    mailbox_expunge(b, u13, 2, NULL);
    mbt_append(b, root, 1, 5);
    CU_ASSERT_EQUAL(mailbox_refresh(a, MAILBOX_REFRESH_NOEXPUNGE, &ch),
                    MAILBOX_OK);
    CU_ASSERT_EQUAL(ch.expunged_uids.count, 0);
    CU_ASSERT_EQUAL(ch.exists, 5);
    CU_ASSERT_EQUAL(mailbox_msgno_uid(a, 1), 1);
    CU_ASSERT_EQUAL(mailbox_refresh(a, 0, &ch), MAILBOX_OK);
    CU_ASSERT_EQUAL_FATAL(ch.expunged_msgnos.count, 2);
    CU_ASSERT_EQUAL(ch.expunged_msgnos.v[0], 3); /* descending */
    CU_ASSERT_EQUAL(ch.expunged_msgnos.v[1], 1);
    CU_ASSERT_EQUAL(ch.expunged_uids.v[0], 1);   /* ascending */
    CU_ASSERT_EQUAL(ch.expunged_uids.v[1], 3);
    CU_ASSERT_EQUAL(ch.exists, 3);
    CU_ASSERT_EQUAL(mailbox_msgno_uid(a, 1), 2);
    CU_ASSERT_EQUAL(mailbox_msgno_uid(a, 3), 5);
    /* b cleans up (index replaced): a follows the new file */
    CU_ASSERT_EQUAL(mailbox_cleanup(b, 0), MAILBOX_OK);
    CU_ASSERT_TRUE(readable(fd, 1000));
    CU_ASSERT_EQUAL(mailbox_changed(a), 1);
    mailbox_change_drain(a);
    CU_ASSERT_EQUAL(mailbox_refresh(a, 0, &ch), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_num_records(a), 3);
    mbt_append(b, root, 1, 6);
    CU_ASSERT_TRUE(readable(fd, 1000)); /* the watch moved to the new file */
    CU_ASSERT_EQUAL(mailbox_refresh(a, 0, &ch), MAILBOX_OK);
    CU_ASSERT_EQUAL(ch.exists, 4);
    /* deletion is noticed */
    CU_ASSERT_EQUAL(mailbox_delete(root, BOX), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_refresh(a, 0, &ch), MAILBOX_E_NOTFOUND);
    mailbox_changes_fini(&ch);
    mailbox_close(&a);
    mailbox_close(&b);
}

#define WRITERS 4
#define PER_WRITER 25

/* Forked appenders: no lost or duplicate UIDs. */
static void test_concurrent_appenders(void)
{
    const char *root = mbt_root("concurrent");
    struct mailbox *mb = NULL;
    struct buf want = BUF_INIT, got = BUF_INIT, path = BUF_INIT;
    unsigned char seen[WRITERS][PER_WRITER];
    pid_t pids[WRITERS];
    int status, ok = 1;

    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, BOX, 0, NULL), MAILBOX_OK);
    for (int w = 0; w < WRITERS; w++) {
        pids[w] = fork();
        if (pids[w] == 0) {
            struct mailbox *m = NULL;
            int bad = mailbox_open(root, BOX, &m) != MAILBOX_OK;
            for (unsigned i = 0; !bad && i < PER_WRITER; i++)
                bad = mbt_append(m, root, (unsigned)w, i) == 0;
            mailbox_close(&m);
            _exit(bad);
        }
    }
    for (int w = 0; w < WRITERS; w++) {
        CU_ASSERT_EQUAL(waitpid(pids[w], &status, 0), pids[w]);
        CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    CU_ASSERT_EQUAL(mbt_check(root, BOX, NULL, 0, WRITERS * PER_WRITER), 0);
    CU_ASSERT_EQUAL_FATAL(mailbox_open(root, BOX, &mb), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_count(mb), WRITERS * PER_WRITER);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->uidnext, WRITERS * PER_WRITER + 1);
    memset(seen, 0, sizeof(seen));
    for (uint32_t uid = 1; uid <= WRITERS * PER_WRITER; uid++) {
        unsigned w, i;
        mailbox_message_path(mb, uid, &path);
        mbt_read_file(path.s, &got);
        if (sscanf(buf_cstring(&got), "From: writer%u", &w) != 1 ||
            w >= WRITERS ||
            sscanf(strstr(got.s, "Subject: message "), "Subject: message %*u.%u",
                   &i) != 1 || i >= PER_WRITER) {
            ok = 0;
            continue;
        }
        mbt_message(&want, w, i);
        ok &= buf_cmp(&want, &got) == 0 && !seen[w][i];
        seen[w][i] = 1;
    }
    CU_ASSERT_TRUE(ok);
    mailbox_close(&mb);
    buf_free(&want);
    buf_free(&got);
    buf_free(&path);
}

/* fake_parse - the test's "parser": the blob is the first bytes */
static void fake_parse(const char *base, size_t len, struct buf *cache,
                       uint32_t *header_size_r, int64_t *sentdate_r)
{
    buf_appendmap(cache, base, len < MBT_BLOB_LEN ? len : MBT_BLOB_LEN);
    *header_size_r = 1;
    *sentdate_r = 42;
}

/* corrupt - overwrite len bytes at off in path */
static void corrupt(const char *path, off_t off, const void *p, size_t len)
{
    int fd = open(path, O_WRONLY);
    CU_ASSERT_EQUAL(pwrite(fd, p, len, off), (ssize_t)len);
    close(fd);
}

/* CRC damage: a torn record is repaired, a wrecked one refused, a bad
 * header slot falls back to the other. */
static void test_crc(void)
{
    const char *root = mbt_root("crc");
    struct mailbox *mb = NULL;
    const char *idx = NULL;
    const uint32_t u1[] = { 1 };
    unsigned char flag = 0x08, junk[4] = { 0xff, 0xff, 0xff, 0xff };
    uint64_t m;
    char idxpath[4096];

    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, BOX, 0, &mb), MAILBOX_OK);
    for (unsigned i = 1; i <= 3; i++)
        mbt_append(mb, root, 0, i);
    mailbox_close(&mb);
    idx = mbt_file(root, BOX, "cyrus.index");
    snprintf(idxpath, sizeof(idxpath), "%s", idx);
    /* record 2 (index 1): system flags byte 7 gets \Draft, CRC not updated */
    corrupt(idxpath, 256 + 104 + 7, &flag, 1);
    CU_ASSERT_EQUAL_FATAL(mailbox_open(root, BOX, &mb), MAILBOX_OK);
    m = mailbox_get_header(mb)->highestmodseq;
    CU_ASSERT_EQUAL(mailbox_record(mb, 2)->modseq, m);
    CU_ASSERT(m > mailbox_record(mb, 1)->modseq);
    CU_ASSERT_EQUAL(mailbox_record(mb, 2)->system_flags, MAILBOX_FLAG_DRAFT);
    mailbox_close(&mb);
    CU_ASSERT_EQUAL(mbt_check(root, BOX, NULL, 0, 3), 0);
    /* header: garbage in the newest slot -> the previous commit */
    CU_ASSERT_EQUAL_FATAL(mailbox_open(root, BOX, &mb), MAILBOX_OK);
    m = mailbox_get_header(mb)->generation;
    mailbox_set_flags(mb, u1, 1, MAILBOX_FLAGS_ADD, MAILBOX_FLAG_SEEN, NULL, 0,
                      NULL, NULL);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->generation, m + 1);
    mailbox_close(&mb);
    {
        /* find the slot holding generation m + 1 */
        unsigned char buf[256];
        int fd = open(idxpath, O_RDONLY), slot;
        CU_ASSERT_EQUAL(pread(fd, buf, 256, 0), 256);
        close(fd);
        slot = (buf[23] == (unsigned char)(m + 1)) ? 0 : 1;
        corrupt(idxpath, slot * 128 + 40, junk, 4);
    }
    CU_ASSERT_EQUAL_FATAL(mailbox_open(root, BOX, &mb), MAILBOX_OK);
    /* the record was written before the lost header: the repair keeps it
     * and moves the generation past both slots */
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->exists, 3);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->unseen, 2);
    mailbox_close(&mb);
    CU_ASSERT_EQUAL(mbt_check(root, BOX, NULL, 0, 3), 0);
    /* record 3's UID smashed: no way to trust it, reconstruct */
    corrupt(idxpath, 256 + 2 * 104, junk, 4);
    CU_ASSERT_EQUAL(mailbox_open(root, BOX, &mb), MAILBOX_E_CORRUPT);
    CU_ASSERT_EQUAL(mailbox_reconstruct(root, BOX, fake_parse, NULL),
                    MAILBOX_OK);
    {
        static const uint32_t acked[] = { 1, 2, 3 };
        CU_ASSERT_EQUAL(mbt_check(root, BOX, acked, 3, 0), 0);
    }
}

/* reconstruct: a deleted index, lost/extra/uncommitted files. */
static void test_reconstruct(void)
{
    const char *root = mbt_root("reconstruct");
    struct mailbox *mb = NULL;
    struct mailbox_reconstruct_report rep;
    struct buf msg = BUF_INIT;
    const uint32_t u2[] = { 2 };
    uint32_t uidvalidity;
    char p[4096];
    int fd;

    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, BOX, 0, &mb), MAILBOX_OK);
    for (unsigned i = 1; i <= 4; i++)
        mbt_append(mb, root, 0, i);
    mailbox_set_flags(mb, u2, 1, MAILBOX_FLAGS_ADD, MAILBOX_FLAG_ANSWERED,
                      NULL, 0, NULL, NULL);
    uidvalidity = mailbox_get_header(mb)->uidvalidity;
    mailbox_close(&mb);
    /* lose 3, fake a stray 4 changed, an uncommitted 9 */
    snprintf(p, sizeof(p), "%s", mbt_file(root, BOX, "3."));
    unlink(p);
    mbt_message(&msg, 7, 9);
    snprintf(p, sizeof(p), "%s", mbt_file(root, BOX, "9."));
    fd = open(p, O_WRONLY | O_CREAT, 0600);
    CU_ASSERT_EQUAL(write(fd, msg.s, msg.len), (ssize_t)msg.len);
    close(fd);
    CU_ASSERT_EQUAL(mailbox_reconstruct(root, BOX, fake_parse, &rep),
                    MAILBOX_OK);
    CU_ASSERT_EQUAL(rep.kept, 3);
    CU_ASSERT_EQUAL(rep.lost, 1);
    CU_ASSERT_EQUAL(rep.orphans_removed, 1);
    CU_ASSERT_EQUAL(rep.adopted, 0);
    CU_ASSERT_EQUAL(access(p, F_OK), -1);
    CU_ASSERT_EQUAL_FATAL(mailbox_open(root, BOX, &mb), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_count(mb), 3);
    CU_ASSERT_EQUAL(mailbox_record(mb, 2)->system_flags, MAILBOX_FLAG_ANSWERED);
    CU_ASSERT(mailbox_record(mb, 3)->system_flags & MAILBOX_FLAG_EXPUNGED);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->uidvalidity, uidvalidity);
    mailbox_close(&mb);
    CU_ASSERT_EQUAL(mbt_check(root, BOX, NULL, 0, 3), 0);
    /* no index at all: every file adopted, UIDVALIDITY from cyrus.header */
    snprintf(p, sizeof(p), "%s", mbt_file(root, BOX, "cyrus.index"));
    unlink(p);
    CU_ASSERT_EQUAL(mailbox_open(root, BOX, &mb), MAILBOX_E_NOTFOUND);
    fd = open(mbt_file(root, BOX, "9."), O_WRONLY | O_CREAT, 0600);
    CU_ASSERT_EQUAL(write(fd, msg.s, msg.len), (ssize_t)msg.len);
    close(fd);
    CU_ASSERT_EQUAL(mailbox_reconstruct(root, BOX, fake_parse, &rep),
                    MAILBOX_OK);
    CU_ASSERT_EQUAL(rep.old_index_bad, 1);
    CU_ASSERT_EQUAL(rep.adopted, 4);
    CU_ASSERT_EQUAL(rep.new_uidvalidity, 0);
    CU_ASSERT_EQUAL_FATAL(mailbox_open(root, BOX, &mb), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_count(mb), 4);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->uidnext, 10);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->uidvalidity, uidvalidity);
    CU_ASSERT_EQUAL(mailbox_record(mb, 9)->sentdate, 42);
    mailbox_close(&mb);
    CU_ASSERT_EQUAL(mbt_check(root, BOX, NULL, 0, 4), 0);
    /* the default parser (imap/message.h) makes a decodable record */
    CU_ASSERT_EQUAL(mailbox_reconstruct(root, BOX, NULL, &rep), MAILBOX_OK);
    CU_ASSERT_EQUAL(rep.kept, 4);
    buf_free(&msg);
}

/* One staged file delivered to two mailboxes, then COPY: hard links. */
static void test_hardlinks(void)
{
    const char *root = mbt_root("links");
    struct mailbox *a = NULL, *b = NULL, *c = NULL;
    struct mailbox_stage *st = NULL;
    struct mailbox_append_item it;
    struct mailbox_uids from = { 0 }, to = { 0 };
    struct buf msg = BUF_INIT, pa = BUF_INIT, pb = BUF_INIT, pc = BUF_INIT;
    struct strarray uf = STRARRAY_INIT;
    struct stat sa, sb, sc;
    const uint32_t u1[] = { 1, 7 };

    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, "user.a", 0, &a), MAILBOX_OK);
    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, "user.b", 0, &b), MAILBOX_OK);
    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, "user.b.sub", 0, &c),
                          MAILBOX_OK);
    mbt_message(&msg, 3, 3);
    CU_ASSERT_EQUAL_FATAL(mailbox_stage_data(root, msg.s, msg.len, &st),
                          MAILBOX_OK);
    memset(&it, 0, sizeof(it));
    it.stage = st;
    it.cache = msg.s;
    it.cache_len = MBT_BLOB_LEN;
    strarray_append(&uf, "work");
    it.user_flags = &uf;
    CU_ASSERT_EQUAL(mailbox_append(a, &it, 1), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_append(b, &it, 1), MAILBOX_OK);
    mailbox_stage_free(&st);
    mailbox_refresh(a, 0, NULL);
    mailbox_message_path(a, 1, &pa);
    mailbox_message_path(b, 1, &pb);
    CU_ASSERT_EQUAL(stat(pa.s, &sa), 0);
    CU_ASSERT_EQUAL(stat(pb.s, &sb), 0);
    CU_ASSERT_EQUAL(sa.st_ino, sb.st_ino);
    CU_ASSERT_EQUAL(sa.st_nlink, 2);
    /* COPY a:1 (and a UID that does not exist) to b.sub */
    CU_ASSERT_EQUAL(mailbox_copy(a, u1, 2, c, &from, &to), MAILBOX_OK);
    CU_ASSERT_EQUAL_FATAL(to.count, 1);
    CU_ASSERT_EQUAL(from.v[0], 1);
    mailbox_refresh(c, 0, NULL);
    mailbox_message_path(c, to.v[0], &pc);
    CU_ASSERT_EQUAL(stat(pc.s, &sc), 0);
    CU_ASSERT_EQUAL(sc.st_ino, sa.st_ino);
    CU_ASSERT_STRING_EQUAL(mailbox_user_flag_name(c, 0), "work");
    CU_ASSERT_EQUAL(mailbox_record(c, to.v[0])->user_flags[0], 1u);
    CU_ASSERT_EQUAL(memcmp(mailbox_record(c, 1)->guid,
                           mailbox_record(a, 1)->guid, 20), 0);
    CU_ASSERT_EQUAL(mbt_check(root, "user.b.sub", to.v, 1, 0), 0);
    /* expunging in one mailbox leaves the others' link */
    CU_ASSERT_EQUAL(mailbox_expunge(a, u1, 1, NULL), MAILBOX_OK);
    CU_ASSERT_EQUAL(mbt_check(root, "user.b", NULL, 0, 1), 0);
    CU_ASSERT_EQUAL(mbt_check(root, "user.b.sub", to.v, 1, 0), 0);
    /* delete b: b.sub (a subdirectory) survives */
    mailbox_close(&b);
    CU_ASSERT_EQUAL(mailbox_delete(root, "user.b"), MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_open(root, "user.b", &b), MAILBOX_E_NOTFOUND);
    CU_ASSERT_EQUAL(mbt_check(root, "user.b.sub", to.v, 1, 0), 0);
    mailbox_close(&a);
    mailbox_close(&c);
    mailbox_uids_fini(&from);
    mailbox_uids_fini(&to);
    strarray_fini(&uf);
    buf_free(&msg);
    buf_free(&pa);
    buf_free(&pb);
    buf_free(&pc);
}

/* RENAME keeps UIDVALIDITY, messages, flags; the old name is gone. */
static void test_rename(void)
{
    const char *root = mbt_root("rename");
    struct mailbox *mb = NULL;
    const uint32_t u1[] = { 1 };
    uint32_t v;

    CU_ASSERT_EQUAL_FATAL(mailbox_create(root, BOX, 0, &mb), MAILBOX_OK);
    mbt_append(mb, root, 0, 1);
    mbt_append(mb, root, 0, 2);
    mailbox_set_flags(mb, u1, 1, MAILBOX_FLAGS_ADD, MAILBOX_FLAG_SEEN, NULL, 0,
                      NULL, NULL);
    v = mailbox_get_header(mb)->uidvalidity;
    mailbox_close(&mb);
    CU_ASSERT_EQUAL(mailbox_rename(root, BOX, root, "user.alice.Old", 0),
                    MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_open(root, BOX, &mb), MAILBOX_E_NOTFOUND);
    CU_ASSERT_EQUAL_FATAL(mailbox_open(root, "user.alice.Old", &mb),
                          MAILBOX_OK);
    CU_ASSERT_EQUAL(mailbox_count(mb), 2);
    CU_ASSERT_EQUAL(mailbox_get_header(mb)->uidvalidity, v);
    CU_ASSERT_EQUAL(mailbox_record(mb, 1)->system_flags, MAILBOX_FLAG_SEEN);
    mailbox_close(&mb);
    CU_ASSERT_EQUAL(mbt_check(root, "user.alice.Old", NULL, 0, 2), 0);
    CU_ASSERT_EQUAL(mailbox_rename(root, "user.alice.Old", root, "user.x", 1),
                    MAILBOX_OK);
    CU_ASSERT_EQUAL_FATAL(mailbox_open(root, "user.x", &mb), MAILBOX_OK);
    CU_ASSERT_NOT_EQUAL(mailbox_get_header(mb)->uidvalidity, v);
    mailbox_close(&mb);
}

const char *cunit_suite_name = "mailbox";
CU_TestInfo cunit_tests[] = {
    { "create_open", test_create_open },
    { "append_read", test_append_read },
    { "flags", test_flags },
    { "expunge", test_expunge },
    { "two_sessions", test_two_sessions },
    { "concurrent_appenders", test_concurrent_appenders },
    { "crc", test_crc },
    { "reconstruct", test_reconstruct },
    { "hardlinks", test_hardlinks },
    { "rename", test_rename },
    CU_TEST_INFO_NULL,
};
void (*cunit_setup)(void) = NULL;
void (*cunit_teardown)(void) = NULL;
