/* SPDX-License-Identifier: BSD-3-Clause */
/* cunit/mailbox_util.c - helpers for the mailbox unit tests */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "cunit/harness.h"
#include "cunit/mailbox_util.h"

const char *mbt_root(const char *tag)
{
    static char path[4096];

    snprintf(path, sizeof(path), "%s/%s", cunit_tmpdir(), tag);
    mkdir(path, 0700);
    return path;
}

void mbt_message(struct buf *out, unsigned who, unsigned n)
{
    buf_reset(out);
    buf_printf(out, "From: writer%u@example.com\r\nSubject: message %u.%u\r\n"
                    "Message-ID: <%u.%u@example.com>\r\n\r\n",
               who, who, n, who, n);
    for (unsigned i = 0; i <= n % 7; i++)
        buf_printf(out, "body line %u of message %u.%u\r\n", i, who, n);
}

uint32_t mbt_append(struct mailbox *mb, const char *root, unsigned who,
                    unsigned n)
{
    struct buf msg = BUF_INIT;
    struct mailbox_stage *st = NULL;
    struct mailbox_append_item it;
    int r;

    mbt_message(&msg, who, n);
    memset(&it, 0, sizeof(it));
    r = mailbox_stage_data(root, msg.s, msg.len, &st);
    if (r == MAILBOX_OK) {
        it.stage = st;
        it.header_size = (uint32_t)(strstr(buf_cstring(&msg), "\r\n\r\n") -
                                    msg.s + 4);
        it.cache = msg.s;
        it.cache_len = msg.len < MBT_BLOB_LEN ? msg.len : MBT_BLOB_LEN;
        r = mailbox_append(mb, &it, 1);
    }
    mailbox_stage_free(&st);
    buf_free(&msg);
    return r == MAILBOX_OK ? it.uid : 0;
}

void mbt_sha1(const void *p, size_t n, unsigned char *out)
{
    unsigned len = 0;
    EVP_Digest(p, n, out, &len, EVP_sha1(), NULL);
}

int mbt_read_file(const char *path, struct buf *out)
{
    char tmp[8192];
    int fd = open(path, O_RDONLY);
    ssize_t n;

    buf_reset(out);
    if (fd < 0)
        return 0;
    while ((n = read(fd, tmp, sizeof(tmp))) > 0)
        buf_appendmap(out, tmp, (size_t)n);
    close(fd);
    return 1;
}

const char *mbt_file(const char *root, const char *name, const char *file)
{
    static char path[4096];
    struct buf dir = BUF_INIT;

    mailbox_dir(root, name, &dir);
    snprintf(path, sizeof(path), "%s/%s", buf_cstring(&dir), file);
    buf_free(&dir);
    return path;
}

/* check_record - one live record against its file and cache entry */
static int check_record(struct mailbox *mb, const struct mailbox_record *rec)
{
    struct buf path = BUF_INIT, data = BUF_INIT, blob = BUF_INIT;
    unsigned char sha[MAILBOX_GUID_SIZE];
    int bad = 0;

    mailbox_message_path(mb, rec->uid, &path);
    if (!mbt_read_file(path.s, &data)) {
        printf("uid %u: file missing\n", rec->uid);
        bad++;
    } else {
        mbt_sha1(data.s, data.len, sha);
        if (data.len != rec->size || memcmp(sha, rec->guid, sizeof(sha))) {
            printf("uid %u: size/guid mismatch\n", rec->uid);
            bad++;
        }
        if (mailbox_cache_read(mb, rec, &blob) != MAILBOX_OK ||
            blob.len != (data.len < MBT_BLOB_LEN ? data.len : MBT_BLOB_LEN) ||
            memcmp(blob.s, data.s, blob.len) != 0) {
            printf("uid %u: cache blob wrong\n", rec->uid);
            bad++;
        }
    }
    buf_free(&path);
    buf_free(&data);
    buf_free(&blob);
    return bad;
}

int mbt_check(const char *root, const char *name, const uint32_t *acked,
              size_t nacked, size_t max_extra)
{
    struct mailbox *mb = NULL;
    const struct mailbox_header *h;
    uint32_t live = 0, prev = 0;
    uint64_t quota = 0, maxmodseq = 0;
    int bad = 0, r = mailbox_open(root, name, &mb);

    if (r != MAILBOX_OK) {
        printf("open %s: %s\n", name, mailbox_strerror(r));
        return 1;
    }
    h = mailbox_get_header(mb);
    for (uint32_t i = 0; i < mailbox_num_records(mb); i++) {
        const struct mailbox_record *rec = mailbox_record_at(mb, i);
        if (rec->uid <= prev || rec->uid >= h->uidnext) {
            printf("uid %u out of order or >= uidnext %u\n", rec->uid,
                   h->uidnext);
            bad++;
        }
        prev = rec->uid;
        if (rec->modseq > maxmodseq)
            maxmodseq = rec->modseq;
        if (rec->system_flags & MAILBOX_FLAG_EXPUNGED)
            continue;
        live++;
        quota += rec->size;
        bad += check_record(mb, rec);
    }
    if (live != h->exists || live != mailbox_count(mb) ||
        quota != h->quota_used || maxmodseq > h->highestmodseq) {
        printf("header disagrees: exists %u/%u/%u quota %llu/%llu\n", live,
               h->exists, mailbox_count(mb), (unsigned long long)quota,
               (unsigned long long)h->quota_used);
        bad++;
    }
    for (size_t i = 0; i < nacked; i++) {
        const struct mailbox_record *rec = mailbox_record(mb, acked[i]);
        if (!rec || (rec->system_flags & MAILBOX_FLAG_EXPUNGED)) {
            printf("acknowledged uid %u lost\n", acked[i]);
            bad++;
        }
    }
    if (live > nacked + max_extra) {
        printf("%u messages visible, only %zu acknowledged (+%zu)\n", live,
               nacked, max_extra);
        bad++;
    }
    mailbox_close(&mb);
    return bad;
}
