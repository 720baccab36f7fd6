/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mailbox_reconstruct.c - rebuild cyrus.index and cyrus.cache from the
 * message files, for the reconstruct tool and for tests.  Runs with the
 * old index (if any) locked exclusively, so no session commits meanwhile.
 * What the old index and cyrus.header still say (UIDVALIDITY, UIDNEXT,
 * flags, dates, modseqs, expunged records) is kept wherever a record's CRC
 * holds and its file's SHA-1 matches.  The new files are written under
 * temporary names and renamed in (cache, then index); between the two
 * renames a crash leaves cache entries that the old index's records do
 * not match: they are refused by their UID/CRC check and a second run
 * fixes it.  Errors: enum mailbox_result, logged; findings in the report.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "imap/mailbox_internal.h"
#include "imap/message.h"
#include "lib/buf.h"
#include "lib/lock.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

void mailbox_parse_default(const char *base, size_t len, struct buf *cache,
                           uint32_t *header_size_r, int64_t *sentdate_r)
{
    struct message *m = message_parse(base, len);

    message_cache_encode(m, cache);
    *header_size_r = m->root ? (uint32_t)m->root->header_size : 0;
    *sentdate_r = 0; /* TODO(#3): RFC 5322 Date: parsing for SORT */
    message_free(&m);
}

/* What could be read of the old index. */
struct old_index {
    int header_ok;
    struct mailbox_header h;
    struct mailbox_record *recs;   /* CRC-valid, increasing UIDs */
    uint32_t n;
};

/* read_old - tolerant read of whatever index is at fd */
static void read_old(int fd, const char *path, struct old_index *o)
{
    unsigned char hbuf[MBI_HEADER_SIZE], rbuf[MAILBOX_RECORD_SIZE];
    struct mailbox_header a, b;
    struct stat st;
    uint32_t prev = 0, max;
    int va, vb;

    memset(o, 0, sizeof(*o));
    if (fstat(fd, &st) < 0 ||
        mbio_pread(fd, hbuf, sizeof(hbuf), 0, path) != 1)
        return;
    va = mbi_header_decode(hbuf, &a);
    vb = mbi_header_decode(hbuf + MBI_SLOT_SIZE, &b);
    if (va || vb) {
        o->header_ok = 1;
        o->h = (va && (!vb || a.generation >= b.generation)) ? a : b;
    }
    /* without a header, any CRC-valid record still carries flags */
    max = o->header_ok ? o->h.num_records
                       : (uint32_t)((st.st_size - MBI_HEADER_SIZE) /
                                    MAILBOX_RECORD_SIZE);
    o->recs = xcalloc(max + 1, sizeof(*o->recs));
    for (uint32_t i = 0; i < max; i++) {
        struct mailbox_record *r = &o->recs[o->n];
        if (mbio_pread(fd, rbuf, sizeof(rbuf),
                       MBI_HEADER_SIZE + (off_t)i * MAILBOX_RECORD_SIZE,
                       path) != 1)
            break;
        if (!mbi_record_decode(rbuf, r) || r->uid <= prev)
            continue;
        prev = r->uid;
        o->n++;
    }
}

/* cmp_u32 - qsort order of UIDs */
static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* list_files - the UIDs of the message files in dir, sorted */
static int list_files(const char *dir, struct mailbox_uids *out)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d) {
        if (errno == ENOENT)
            return MAILBOX_E_NOTFOUND;
        log_error("IOERROR: opendir failed file=<%s> error=<%m>", dir);
        return MAILBOX_E_IO;
    }
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        uint64_t v;
        if (len >= 2 && e->d_name[len - 1] == '.' &&
            str_parse_u64(e->d_name, len - 1, UINT32_MAX, &v) == 1 && v)
            mailbox_uids_add(out, (uint32_t)v);
    }
    closedir(d);
    if (out->count)
        qsort(out->v, out->count, sizeof(*out->v), cmp_u32);
    return MAILBOX_OK;
}

/* read_file - whole file into b, with its SHA-1 and mtime */
static int read_file(const char *path, struct buf *b, unsigned char *guid,
                     struct stat *st)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    unsigned len = 0;
    int ok;

    buf_reset(b);
    if (fd < 0 || fstat(fd, st) < 0) {
        log_error("IOERROR: open failed file=<%s> error=<%m>", path);
        if (fd >= 0)
            close(fd);
        return MAILBOX_E_IO;
    }
    buf_ensure(b, (size_t)st->st_size + 1);
    ok = mbio_pread(fd, b->s, (size_t)st->st_size, 0, path);
    close(fd);
    if (ok != 1)
        return MAILBOX_E_IO;
    b->len = (size_t)st->st_size;
    if (EVP_Digest(b->s, b->len, guid, &len, EVP_sha1(), NULL) != 1)
        fatal(70, "SHA-1 unavailable in OpenSSL");
    return MAILBOX_OK;
}

/* State of one reconstruct run. */
struct rebuild {
    struct mailbox *mb;
    struct old_index old;
    mailbox_parse_fn *parse;
    struct mailbox_reconstruct_report *rep;
    struct mailbox_record *recs;
    uint32_t n;
    struct buf cache;              /* the new cyrus.cache, whole */
    uint64_t modseq;               /* for every record that changes */
};

/* find_old - the old record of uid, or NULL */
static struct mailbox_record *find_old(struct rebuild *rb, uint32_t uid)
{
    for (uint32_t lo = 0, hi = rb->old.n; lo < hi;) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (rb->old.recs[mid].uid == uid)
            return &rb->old.recs[mid];
        if (rb->old.recs[mid].uid < uid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* add_file - make the record of message file uid */
static int add_file(struct rebuild *rb, uint32_t uid, struct buf *data)
{
    struct mailbox_record rec, *old = find_old(rb, uid);
    struct buf path = BUF_INIT, blob = BUF_INIT;
    unsigned char guid[MAILBOX_GUID_SIZE];
    struct stat st;
    int r;

    mailbox_message_path(rb->mb, uid, &path);
    if (old && (old->system_flags & MAILBOX_FLAG_EXPUNGED)) {
        unlink(path.s); /* its expunge was interrupted before the unlink */
        buf_free(&path);
        return MAILBOX_OK;
    }
    r = read_file(path.s, data, guid, &st);
    buf_free(&path);
    if (r != MAILBOX_OK)
        return r;
    memset(&rec, 0, sizeof(rec));
    if (old && old->size == data->len &&
        memcmp(old->guid, guid, sizeof(guid)) == 0) {
        rec = *old;
        rb->rep->kept++;
    } else {
        if (old) {
            rec = *old; /* keep flags and dates of what it was */
            rb->rep->changed++;
        } else {
            rec.internaldate = st.st_mtim.tv_sec;
            rec.internaldate_ns = (uint32_t)st.st_mtim.tv_nsec;
            rb->rep->adopted++;
        }
        rec.modseq = rb->modseq;
    }
    rec.uid = uid;
    rec.size = data->len;
    memcpy(rec.guid, guid, sizeof(guid));
    rb->parse(data->s, data->len, &blob, &rec.header_size, &rec.sentdate);
    if (old && !rec.sentdate)
        rec.sentdate = old->sentdate;
    rec.cache_offset = rb->cache.len;
    rec.cache_len = (uint32_t)blob.len;
    mbc_entry(&rb->cache, uid, blob.s, blob.len);
    buf_free(&blob);
    for (unsigned f = 0; f < MAILBOX_USER_FLAGS_MAX; f++)
        if (f >= rb->mb->flagnames.count)
            rec.user_flags[f / 32] &= ~(1u << (f % 32));
    rb->recs[rb->n++] = rec;
    return MAILBOX_OK;
}

/* add_missing - an old record with no file: keep it expunged */
static void add_missing(struct rebuild *rb, const struct mailbox_record *old)
{
    struct mailbox_record rec = *old;

    if (!(rec.system_flags & MAILBOX_FLAG_EXPUNGED)) {
        rec.system_flags |= MAILBOX_FLAG_EXPUNGED;
        rec.modseq = rb->modseq;
        rb->rep->lost++;
        log_warning("reconstruct: message file missing mailbox=<%s> uid=<%u>",
                    rb->mb->name, rec.uid);
    }
    rec.cache_offset = 0;
    rec.cache_len = 0;
    rb->recs[rb->n++] = rec;
}

/* rebuild - merge old records and files into rb->recs */
static int rebuild(struct rebuild *rb, const struct mailbox_uids *files)
{
    struct buf data = BUF_INIT, path = BUF_INIT;
    size_t fi = 0;
    uint32_t oi = 0;
    int r = MAILBOX_OK;

    rb->recs = xcalloc(files->count + rb->old.n + 1, sizeof(*rb->recs));
    while (r == MAILBOX_OK && (fi < files->count || oi < rb->old.n)) {
        uint32_t fu = fi < files->count ? files->v[fi] : UINT32_MAX;
        uint32_t ou = oi < rb->old.n ? rb->old.recs[oi].uid : UINT32_MAX;

        if (ou < fu) {
            add_missing(rb, &rb->old.recs[oi++]);
            continue;
        }
        if (ou == fu)
            oi++;
        fi++;
        if (rb->old.header_ok && fu >= rb->old.h.uidnext) {
            /* never committed: its APPEND/LMTP was not answered OK */
            mailbox_message_path(rb->mb, fu, &path);
            unlink(path.s);
            rb->rep->orphans_removed++;
            continue;
        }
        r = add_file(rb, fu, &data);
    }
    buf_free(&data);
    buf_free(&path);
    return r;
}

/* write_out - write cache and index under temp names and rename them in */
static int write_out(struct rebuild *rb, const struct mailbox_header *h)
{
    struct buf tmp = BUF_INIT;
    int fd, r = MAILBOX_OK;

    buf_printf(&tmp, "%s.NEW.%ld", rb->mb->cache_path, (long)getpid());
    fd = open(buf_cstring(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
              0600);
    if (fd < 0 || mbio_pwrite(fd, rb->cache.s, rb->cache.len, 0, tmp.s) != 1 ||
        mbio_fsync(fd, tmp.s) != 1 || rename(tmp.s, rb->mb->cache_path) < 0) {
        log_error("IOERROR: writing new cache failed file=<%s> error=<%m>",
                  tmp.s);
        r = MAILBOX_E_IO;
    }
    if (fd >= 0)
        close(fd);
    if (r == MAILBOX_OK) {
        mailbox_fault("reconstruct-cache-renamed");
        buf_reset(&tmp);
        buf_printf(&tmp, "%s.NEW.%ld", rb->mb->index_path, (long)getpid());
        r = mbi_write_new_index(tmp.s, h, rb->recs, rb->n);
    }
    if (r == MAILBOX_OK && rename(tmp.s, rb->mb->index_path) < 0) {
        log_error("IOERROR: rename failed file=<%s> error=<%m>",
                  rb->mb->index_path);
        r = MAILBOX_E_IO;
    }
    if (r == MAILBOX_OK && mbio_fsync_dir(rb->mb->path) != 1)
        r = MAILBOX_E_IO;
    buf_free(&tmp);
    return r;
}

/* new_header - the header of the rebuilt index */
static void new_header(struct rebuild *rb, struct mailbox_header *h)
{
    memset(h, 0, sizeof(*h));
    if (rb->old.header_ok)
        *h = rb->old.h;
    h->generation++;
    h->uidvalidity = rb->old.header_ok ? rb->old.h.uidvalidity
                                       : rb->mb->header_uidvalidity;
    if (!h->uidvalidity) {
        h->uidvalidity = mailbox_new_uidvalidity();
        rb->rep->new_uidvalidity = 1;
    }
    if (!h->uidnext)
        h->uidnext = 1;
    h->highestmodseq = rb->modseq;
    h->cache_size = rb->cache.len;
}

int mailbox_reconstruct(const char *root, const char *name,
                        mailbox_parse_fn *parse,
                        struct mailbox_reconstruct_report *report)
{
    struct mailbox_reconstruct_report dummy;
    struct buf dir = BUF_INIT;
    struct mailbox_uids files = { NULL, 0, 0 };
    struct mailbox_header h;
    struct rebuild rb;
    const char *err = NULL;
    int fd = -1, r = mailbox_dir(root, name, &dir);

    memset(&rb, 0, sizeof(rb));
    rb.rep = report ? report : &dummy;
    memset(rb.rep, 0, sizeof(*rb.rep));
    rb.parse = parse ? parse : mailbox_parse_default;
    if (r != MAILBOX_OK)
        goto out;
    rb.mb = mailbox_alloc(root, name, buf_cstring(&dir));
    fd = open(rb.mb->index_path, O_RDWR | O_CLOEXEC);
    if (fd >= 0 && lock_fd(fd, LOCK_TYPE_EXCLUSIVE, MAILBOX_LOCK_TIMEOUT_MS,
                           &err) != 1) {
        log_error("reconstruct: cannot lock file=<%s> error=<%s>",
                  rb.mb->index_path, err ? err : "timeout");
        r = MAILBOX_E_LOCKED;
        goto out;
    }
    if (fd >= 0)
        read_old(fd, rb.mb->index_path, &rb.old);
    rb.rep->old_index_bad = !rb.old.header_ok;
    if (mbh_read(rb.mb) != MAILBOX_OK)
        strarray_truncate(&rb.mb->flagnames, 0);
    rb.modseq = (rb.old.header_ok ? rb.old.h.highestmodseq : 0) + 1;
    for (uint32_t i = 0; i < rb.old.n; i++)
        if (rb.old.recs[i].modseq >= rb.modseq)
            rb.modseq = rb.old.recs[i].modseq + 1;
    {
        static const unsigned char head[MBC_HEADER_SIZE] = {
            'M', 'B', 'C', 'A', 0, 0, 0, MAILBOX_FORMAT_VERSION };
        buf_setmap(&rb.cache, head, sizeof(head));
    }
    r = list_files(rb.mb->path, &files);
    if (r == MAILBOX_OK)
        r = rebuild(&rb, &files);
    if (r != MAILBOX_OK)
        goto out;
    new_header(&rb, &h);
    if (rb.mb->header_uidvalidity != h.uidvalidity)
        r = mbh_write(rb.mb->header_path, name, h.uidvalidity,
                      &rb.mb->flagnames);
    if (r == MAILBOX_OK)
        r = write_out(&rb, &h);
    if (r == MAILBOX_OK)
        log_notice("reconstruct done mailbox=<%s> kept=<%u> adopted=<%u> "
                   "changed=<%u> lost=<%u> orphans_removed=<%u>", name,
                   rb.rep->kept, rb.rep->adopted, rb.rep->changed,
                   rb.rep->lost, rb.rep->orphans_removed);
out:
    if (fd >= 0)
        close(fd);
    mailbox_uids_fini(&files);
    free(rb.old.recs);
    free(rb.recs);
    buf_free(&rb.cache);
    buf_free(&dir);
    if (rb.mb)
        mailbox_close(&rb.mb);
    return r;
}
