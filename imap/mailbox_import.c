/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mailbox_import.c - a new mailbox built from another server's dump
 * (imap/mailbox_import.h), keeping UIDs, flags, dates and modseqs.
 *
 * Part of the mailbox store (it writes cyrus.index/cache/header through
 * mailbox_internal.h); called by the XFER destination.  Each message is
 * staged (GUID computed), hard linked as <uid>., parsed for its cache
 * entry, which is appended to a new cyrus.cache; the records stay in
 * memory (104 bytes a message).  The commit writes cyrus.header, then the
 * index to a temporary file, and links it into place last: until then no
 * process sees the mailbox.  Every file written is remembered so an
 * abandoned import removes exactly what it created.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "imap/mailbox.h"
#include "imap/mailbox_dump.h"
#include "imap/mailbox_import.h"
#include "imap/mailbox_internal.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"

struct mailbox_import {
    char *root, *name, *dir;
    uint32_t uidvalidity;
    struct strarray written;        /* files to remove when abandoned */
    int dir_created, committed;
    int cache_fd;
    uint64_t cache_size;
    struct strarray flagnames;
    struct mailbox_record *recs;
    uint32_t nrecs, arecs;
    uint64_t bytes;
    /* the message being received */
    struct mailbox_stage *st;
    struct mailbox_record cur;
};

/* imp_path - dir/leaf into out (reset first) */
static const char *imp_path(const struct mailbox_import *imp, const char *leaf,
                            struct buf *out)
{
    buf_reset(out);
    buf_printf(out, "%s/%s", imp->dir, leaf);
    return buf_cstring(out);
}

int mailbox_import_begin(const char *root, const char *name,
                         uint32_t uidvalidity, struct mailbox_import **imp_r)
{
    struct mailbox_import *imp;
    struct buf dir = BUF_INIT, p = BUF_INIT;
    struct stat st;
    int r = mailbox_dir(root, name, &dir);

    *imp_r = NULL;
    if (r != MAILBOX_OK || !uidvalidity) {
        buf_free(&dir);
        return r != MAILBOX_OK ? r : MAILBOX_E_BADNAME;
    }
    imp = xzmalloc(sizeof(*imp));
    imp->root = xstrdup(root);
    imp->name = xstrdup(name);
    imp->dir = buf_release(&dir);
    imp->uidvalidity = uidvalidity;
    imp->cache_fd = -1;
    if (stat(imp_path(imp, MAILBOX_INDEX_NAME, &p), &st) == 0) {
        r = MAILBOX_E_EXISTS;
    } else {
        /* leftover <uid>. files of nobody's mailbox are replaced as the
         * messages are placed (mbio_place_file) */
        imp->dir_created = stat(imp->dir, &st) < 0;
        if (mbio_mkdirs(imp->dir) != 1)
            r = MAILBOX_E_IO;
    }
    if (r == MAILBOX_OK) {
        imp_path(imp, MAILBOX_CACHE_NAME, &p);
        strarray_append(&imp->written, p.s);
        r = mbc_write_new(p.s);
    }
    if (r == MAILBOX_OK) {
        imp->cache_fd = open(p.s, O_RDWR | O_CLOEXEC);
        imp->cache_size = MBC_HEADER_SIZE;
        if (imp->cache_fd < 0) {
            log_error("IOERROR: open failed file=<%s> error=<%m>", p.s);
            r = MAILBOX_E_IO;
        }
    }
    buf_free(&p);
    if (r != MAILBOX_OK)
        mailbox_import_free(&imp);
    *imp_r = imp;
    return r;
}

/* resolve_flags - user flag names to the record's bitmap, adding new names */
static int resolve_flags(struct mailbox_import *imp, const struct strarray *names,
                         uint32_t bits[MAILBOX_USER_FLAGS_MAX / 32])
{
    memset(bits, 0, sizeof(uint32_t) * (MAILBOX_USER_FLAGS_MAX / 32));
    for (size_t i = 0; names && i < names->count; i++) {
        const char *n = names->data[i];
        size_t j;

        if (!*n || strlen(n) > MAILBOX_USER_FLAG_LEN || n[0] == '\\')
            return MAILBOX_E_BADNAME;
        for (j = 0; j < imp->flagnames.count; j++)
            if (str_casecmp(imp->flagnames.data[j], n) == 0)
                break;
        if (j == imp->flagnames.count) {
            if (j == MAILBOX_USER_FLAGS_MAX)
                return MAILBOX_E_FLAGS_FULL;
            strarray_append(&imp->flagnames, n);
        }
        bits[j / 32] |= 1u << (j % 32);
    }
    return MAILBOX_OK;
}

int mailbox_import_message_begin(struct mailbox_import *imp,
                                 const struct mailbox_dump_msg *m)
{
    struct mailbox_record *c = &imp->cur;
    int r;

    if (imp->st || (imp->nrecs && m->uid <= imp->recs[imp->nrecs - 1].uid))
        return MAILBOX_E_BADNAME;
    memset(c, 0, sizeof(*c));
    r = resolve_flags(imp, m->user_flags, c->user_flags);
    if (r != MAILBOX_OK)
        return r;
    c->uid = m->uid;
    c->system_flags = m->system_flags & MAILBOX_FLAGS_SYSTEM;
    c->internaldate = m->internaldate;
    c->internaldate_ns = m->internaldate_ns;
    c->sentdate = m->sentdate;
    c->size = m->size;
    c->modseq = m->modseq ? m->modseq : 1;
    return mailbox_stage_begin(imp->root, &imp->st);
}

int mailbox_import_message_data(struct mailbox_import *imp, const void *p,
                                size_t n)
{
    if (!imp->st)
        return MAILBOX_E_BADNAME;
    return mailbox_stage_write(imp->st, p, n);
}

/* index_file - the cache entry and header size of the placed file path */
static int index_file(struct mailbox_import *imp, const char *path)
{
    struct buf cache = BUF_INIT, entry = BUF_INIT;
    int64_t sentdate = 0;
    void *base = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC), r = MAILBOX_OK;

    if (fd < 0) {
        log_error("IOERROR: open failed file=<%s> error=<%m>", path);
        return MAILBOX_E_IO;
    }
    if (imp->cur.size) {
        base = mmap(NULL, (size_t)imp->cur.size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (base == MAP_FAILED) {
            log_error("IOERROR: mmap failed file=<%s> error=<%m>", path);
            close(fd);
            return MAILBOX_E_IO;
        }
    }
    mailbox_parse_default(base ? base : "", (size_t)imp->cur.size, &cache,
                          &imp->cur.header_size, &sentdate);
    if (base)
        munmap(base, (size_t)imp->cur.size);
    close(fd);
    mbc_entry(&entry, imp->cur.uid, cache.s, cache.len);
    if (mbio_pwrite(imp->cache_fd, entry.s, entry.len, (off_t)imp->cache_size,
                    "cyrus.cache") != 1)
        r = MAILBOX_E_IO;
    imp->cur.cache_offset = imp->cache_size;
    imp->cur.cache_len = (uint32_t)cache.len;
    imp->cache_size += entry.len;
    buf_free(&cache);
    buf_free(&entry);
    return r;
}

int mailbox_import_message_end(struct mailbox_import *imp)
{
    struct buf path = BUF_INIT;
    char leaf[32];
    int r = MAILBOX_OK;

    if (!imp->st)
        return MAILBOX_E_BADNAME;
    if (mailbox_stage_size(imp->st) != imp->cur.size)
        r = MAILBOX_E_CORRUPT;
    if (r == MAILBOX_OK)
        r = mailbox_stage_finish(imp->st);
    snprintf(leaf, sizeof(leaf), "%u.", imp->cur.uid);
    imp_path(imp, leaf, &path);
    if (r == MAILBOX_OK) {
        strarray_append(&imp->written, path.s);
        if (mbio_place_file(mailbox_stage_path(imp->st), path.s) != 1)
            r = MAILBOX_E_IO;
    }
    if (r == MAILBOX_OK) {
        memcpy(imp->cur.guid, mailbox_stage_guid(imp->st), MAILBOX_GUID_SIZE);
        r = index_file(imp, path.s);
    }
    mailbox_stage_free(&imp->st);
    if (r == MAILBOX_OK) {
        if (imp->nrecs == imp->arecs) {
            imp->arecs = imp->arecs ? 2 * imp->arecs : 64;
            imp->recs = xreallocarray(imp->recs, imp->arecs, sizeof(*imp->recs));
        }
        imp->recs[imp->nrecs++] = imp->cur;
        imp->bytes += imp->cur.size;
    }
    buf_free(&path);
    return r;
}

/* install_index - write the index to a temporary file and link it in */
static int install_index(struct mailbox_import *imp,
                         const struct mailbox_header *h)
{
    struct buf final = BUF_INIT, tmp = BUF_INIT;
    int r;

    imp_path(imp, MAILBOX_INDEX_NAME, &final);
    buf_printf(&tmp, "%s.NEW.%ld", final.s, (long)getpid());
    r = mbi_write_new_index(tmp.s, h, imp->recs, imp->nrecs);
    if (r == MAILBOX_OK && link(tmp.s, final.s) < 0) {
        r = errno == EEXIST ? MAILBOX_E_EXISTS : MAILBOX_E_IO;
        if (r == MAILBOX_E_IO)
            log_error("IOERROR: link failed file=<%s> error=<%m>", final.s);
    }
    unlink(tmp.s);
    if (r == MAILBOX_OK && mbio_fsync_dir(imp->dir) != 1)
        r = MAILBOX_E_IO;
    buf_free(&final);
    buf_free(&tmp);
    return r;
}

int mailbox_import_commit(struct mailbox_import *imp, uint32_t uidnext,
                          uint64_t highestmodseq, uint64_t deletedmodseq)
{
    struct mailbox_header h;
    struct buf p = BUF_INIT;
    int r = MAILBOX_OK;

    if (imp->st || imp->committed)
        return MAILBOX_E_BADNAME;
    memset(&h, 0, sizeof(h));
    h.generation = 1;
    h.uidvalidity = imp->uidvalidity;
    h.uidnext = uidnext ? uidnext : 1;
    h.highestmodseq = highestmodseq ? highestmodseq : 1;
    for (uint32_t i = 0; i < imp->nrecs; i++) {
        if (imp->recs[i].uid >= h.uidnext)
            h.uidnext = imp->recs[i].uid + 1;
        if (imp->recs[i].modseq > h.highestmodseq)
            h.highestmodseq = imp->recs[i].modseq;
    }
    h.deletedmodseq = deletedmodseq;
    h.cache_size = imp->cache_size;
    h.last_appenddate = (int64_t)time(NULL);
    if (mbio_fsync(imp->cache_fd, "cyrus.cache") != 1)
        r = MAILBOX_E_IO;
    if (r == MAILBOX_OK) {
        imp_path(imp, MAILBOX_HEADER_NAME, &p);
        strarray_append(&imp->written, p.s);
        r = mbh_write(p.s, imp->name, imp->uidvalidity, &imp->flagnames);
    }
    if (r == MAILBOX_OK && mbio_fsync_dir(imp->dir) != 1)
        r = MAILBOX_E_IO;
    if (r == MAILBOX_OK)
        r = install_index(imp, &h);
    if (r == MAILBOX_OK) {
        imp->committed = 1;
        log_info("mailbox imported mailbox=<%s> uidvalidity=<%u> messages=<%u>",
                 imp->name, imp->uidvalidity, imp->nrecs);
    }
    buf_free(&p);
    return r;
}

void mailbox_import_usage(const struct mailbox_import *imp, int64_t *bytes_r,
                          int64_t *msgs_r)
{
    *bytes_r = (int64_t)imp->bytes;
    *msgs_r = (int64_t)imp->nrecs;
}

void mailbox_import_free(struct mailbox_import **impp)
{
    struct mailbox_import *imp = *impp;

    if (!imp)
        return;
    mailbox_stage_free(&imp->st);
    if (imp->cache_fd >= 0)
        close(imp->cache_fd);
    if (!imp->committed) {
        for (size_t i = 0; i < imp->written.count; i++)
            unlink(imp->written.data[i]);
        if (imp->dir_created && rmdir(imp->dir) == 0)
            log_info("abandoned mailbox import removed mailbox=<%s>",
                     imp->name);
    }
    strarray_fini(&imp->written);
    strarray_fini(&imp->flagnames);
    free(imp->recs);
    free(imp->root);
    free(imp->name);
    free(imp->dir);
    free(imp);
    *impp = NULL;
}
