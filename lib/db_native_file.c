/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * db_native_file.c - the native DB backend's on-disk format: header,
 * sorted base access, log frames (read and append) and the compacting
 * rewrite.  The layout is documented in lib/db_native.h, the design in
 * lib/db_native.c, which owns handles and transactions and calls these.
 *
 * Errors are enum db_result, logged here with DBERROR/IOERROR and the
 * file name.  A write into the log happens only under the writer lock.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "lib/db_native.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

/* Buffered output of the compacting rewrite is flushed in chunks this big. */
#define NATIVE_FLUSH_SIZE (1024 * 1024)

uint32_t native_crc(uint32_t crc, const void *p, size_t n)
{
    return (uint32_t)crc32_z(crc, p, n);
}

void native_hdr_encode(unsigned char *out, const struct native_hdr *h)
{
    memset(out, 0, NATIVE_HDR_SIZE);
    memcpy(out, NATIVE_MAGIC, 8);
    native_put32(out + 8, NATIVE_VERSION);
    native_put64(out + 16, h->count);
    native_put64(out + 24, h->index_off);
    native_put64(out + 32, h->log_off);
    native_put64(out + 40, h->generation);
    native_put32(out + 48, h->base_crc);
    native_put32(out + 60, native_crc(0, out, 60));
}

/* native_hdr_decode - 0 when the header is valid and self-consistent */
int native_hdr_decode(const unsigned char *in, struct native_hdr *h)
{
    if (memcmp(in, NATIVE_MAGIC, 8) != 0 ||
        native_get32(in + 8) != NATIVE_VERSION ||
        native_get32(in + 60) != native_crc(0, in, 60))
        return -1;
    h->count = native_get64(in + 16);
    h->index_off = native_get64(in + 24);
    h->log_off = native_get64(in + 32);
    h->generation = native_get64(in + 40);
    h->base_crc = native_get32(in + 48);
    if (h->index_off < NATIVE_HDR_SIZE || h->index_off > h->log_off ||
        h->count > (h->log_off - h->index_off) / 8 ||
        h->index_off + 8 * h->count != h->log_off)
        return -1;
    return 0;
}

/* write_all - pwrite everything or fail (errno set) */
static int write_all(int fd, const void *p, size_t n, off_t off)
{
    const char *s = p;

    while (n) {
        ssize_t w = pwrite(fd, s, n, off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        s += w;
        n -= (size_t)w;
        off += w;
    }
    return 0;
}

/* read_all - pread exactly n bytes; 1 ok, 0 short (EOF), -1 error */
static int read_all(int fd, void *p, size_t n, off_t off)
{
    char *s = p;

    while (n) {
        ssize_t r = pread(fd, s, n, off);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            return 0;
        s += r;
        n -= (size_t)r;
        off += r;
    }
    return 1;
}

int native_fsync_dir(const char *path)
{
    char *copy = xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int r = 0;

    if (fd < 0 || fsync(fd) < 0) {
        log_error("IOERROR: fsync of directory failed file=<%s> error=<%m>",
                  path);
        r = -1;
    }
    if (fd >= 0)
        close(fd);
    free(copy);
    return r;
}

int native_create_empty(const char *path)
{
    struct native_hdr h = { 0, NATIVE_HDR_SIZE, NATIVE_HDR_SIZE, 1, 0 };
    unsigned char hdr[NATIVE_HDR_SIZE];
    char tmp[4096];
    int fd, r = DB_OK;

    h.base_crc = native_crc(0, NULL, 0);
    native_hdr_encode(hdr, &h);
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.NEW.%ld", path,
                         (long)getpid()) >= sizeof(tmp))
        return DB_INTERNAL;
    fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || write_all(fd, hdr, sizeof(hdr), 0) < 0 || fsync(fd) < 0) {
        log_error("IOERROR: creating database failed file=<%s> error=<%m>",
                  tmp);
        r = DB_IOERROR;
    }
    if (fd >= 0)
        close(fd);
    /* link() rather than rename(): a racing creator's file wins intact */
    if (r == DB_OK && link(tmp, path) < 0 && errno != EEXIST) {
        log_error("IOERROR: link failed file=<%s> error=<%m>", path);
        r = DB_IOERROR;
    }
    unlink(tmp);
    if (r == DB_OK && native_fsync_dir(path) < 0)
        r = DB_IOERROR;
    return r;
}

int native_base_rec(const struct native_db *db, uint64_t i,
                    const char **key, size_t *klen,
                    const char **val, size_t *vlen)
{
    uint64_t off, kl, vl;

    if (i >= db->count)
        return -1;
    off = native_get64(db->map + db->index_off + 8 * i);
    if (off < NATIVE_HDR_SIZE || off + 8 > db->index_off)
        return -1;
    kl = native_get32(db->map + off);
    vl = native_get32(db->map + off + 4);
    if (kl + vl > db->index_off - off - 8)
        return -1;
    *key = db->map + off + 8;
    *klen = kl;
    *val = *key + kl;
    *vlen = vl;
    return 0;
}

uint64_t native_base_seek(const struct native_db *db, const char *key,
                          size_t klen, int strict, int *corrupt_r)
{
    uint64_t lo = 0, hi = db->count;

    /* first index whose key is >= key (strict: > key) */
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        const char *k, *v;
        size_t kl, vl;
        int c;

        if (native_base_rec(db, mid, &k, &kl, &v, &vl) < 0) {
            *corrupt_r = 1;
            return db->count;
        }
        c = db_keycmp(k, kl, key, klen);
        if (c < 0 || (strict && c == 0))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* apply_payload - replay a verified frame payload into the overlay;
 * -1 when its records do not parse (a bug or a CRC collision) */
static int apply_payload(struct memtab *mt, const char *p, size_t len,
                         uint32_t nrec)
{
    size_t pos = 0;

    for (uint32_t i = 0; i < nrec; i++) {
        uint32_t kl, vl;
        int op;

        if (len - pos < NATIVE_REC_HDR)
            return -1;
        op = (unsigned char)p[pos];
        kl = native_get32(p + pos + 1);
        vl = native_get32(p + pos + 5);
        pos += NATIVE_REC_HDR;
        if ((uint64_t)kl + vl > len - pos ||
            (op != NATIVE_REC_PUT && op != NATIVE_REC_DEL))
            return -1;
        memtab_put(mt, p + pos, kl, p + pos + kl, vl, op == NATIVE_REC_DEL);
        pos += (size_t)kl + vl;
    }
    return pos == len ? 0 : -1;
}

/* read_frame - read and verify the frame at off (ending at most at end)
 * into db->scratch.  1 valid (*nrec_r, *len_r = whole frame), 0 none
 * (incomplete, torn or garbage), -1 I/O error */
static int read_frame(struct native_db *db, int fd, uint64_t off,
                      uint64_t end, uint32_t *nrec_r, uint64_t *len_r)
{
    unsigned char h[NATIVE_FRAME_HDR];
    uint64_t plen;
    int r;

    if (end - off < NATIVE_FRAME_HDR)
        return 0;
    r = read_all(fd, h, sizeof(h), (off_t)off);
    if (r <= 0)
        return r;
    if (native_get32(h) != NATIVE_FRAME_MAGIC ||
        native_get32(h + 20) != native_crc(0, h, 20))
        return 0;
    plen = native_get64(h + 8);
    if (plen > end - off - NATIVE_FRAME_HDR)
        return 0;
    buf_reset(&db->scratch);
    buf_ensure(&db->scratch, plen + 1);
    r = read_all(fd, db->scratch.s, plen, (off_t)(off + NATIVE_FRAME_HDR));
    if (r <= 0)
        return r;
    db->scratch.len = plen;
    if (native_crc(0, db->scratch.s, plen) != native_get32(h + 16))
        return 0;
    *nrec_r = native_get32(h + 4);
    *len_r = NATIVE_FRAME_HDR + plen;
    return 1;
}

int native_scan_log(struct native_db *db, int fd, int writer)
{
    struct stat st;
    uint64_t end;

    if (fstat(fd, &st) < 0) {
        log_error("IOERROR: fstat failed file=<%s> error=<%m>", db->path);
        return DB_IOERROR;
    }
    end = (uint64_t)st.st_size;
    while (db->scanned < end) {
        uint32_t nrec;
        uint64_t flen;
        int r = read_frame(db, fd, db->scanned, end, &nrec, &flen);

        if (r < 0) {
            log_error("IOERROR: read failed file=<%s> error=<%m>", db->path);
            return DB_IOERROR;
        }
        if (r == 0)
            break; /* a frame being written, or a crashed writer's tail */
        if (apply_payload(db->overlay, db->scratch.s, db->scratch.len,
                          nrec) < 0) {
            log_error("DBERROR: bad log frame file=<%s> offset=<%llu>",
                      db->path, (unsigned long long)db->scanned);
            return DB_IOERROR;
        }
        db->scanned += flen;
    }
    if (writer && db->scanned < end) {
        /* No other writer can be active: this is an uncommitted tail
         * left by a crash.  Cut it so the next frame follows the last. */
        log_notice("DBERROR: dropping uncommitted log tail file=<%s> "
                   "offset=<%llu> bytes=<%llu>", db->path,
                   (unsigned long long)db->scanned,
                   (unsigned long long)(end - db->scanned));
        if (ftruncate(fd, (off_t)db->scanned) < 0 || fsync(fd) < 0) {
            log_error("IOERROR: truncate failed file=<%s> error=<%m>",
                      db->path);
            return DB_IOERROR;
        }
    }
    return DB_OK;
}

/* put_rec - append one log record to b */
static void put_rec(struct buf *b, int op, const char *k, size_t kl,
                    const char *v, size_t vl)
{
    unsigned char h[NATIVE_REC_HDR];

    h[0] = (unsigned char)op;
    native_put32(h + 1, (uint32_t)kl);
    native_put32(h + 5, (uint32_t)vl);
    buf_appendmap(b, h, sizeof(h));
    buf_appendmap(b, k, kl);
    buf_appendmap(b, v, vl);
}

int native_append_frame(struct native_db *db, int fd,
                        const struct memtab *changes)
{
    struct buf b = BUF_INIT;
    unsigned char *h;
    uint32_t nrec = 0;
    size_t half;

    buf_ensure(&b, memtab_bytes(changes) +
                   memtab_count(changes) * NATIVE_REC_HDR + NATIVE_FRAME_HDR);
    buf_truncate(&b, NATIVE_FRAME_HDR);
    for (struct memtab_node *n = memtab_first(changes); n; n = n->next[0]) {
        put_rec(&b, n->deleted ? NATIVE_REC_DEL : NATIVE_REC_PUT,
                memtab_key(n), n->klen, n->val, n->vlen);
        nrec++;
    }
    h = (unsigned char *)b.s;
    native_put32(h, NATIVE_FRAME_MAGIC);
    native_put32(h + 4, nrec);
    native_put64(h + 8, b.len - NATIVE_FRAME_HDR);
    native_put32(h + 16, native_crc(0, b.s + NATIVE_FRAME_HDR,
                                    b.len - NATIVE_FRAME_HDR));
    native_put32(h + 20, native_crc(0, h, 20));

    DB_FAULT("append:before-write");
    half = b.len / 2;
    if (write_all(fd, b.s, half, (off_t)db->scanned) < 0)
        goto fail;
    DB_FAULT("append:mid-write");
    if (write_all(fd, b.s + half, b.len - half,
                  (off_t)(db->scanned + half)) < 0)
        goto fail;
    DB_FAULT("append:before-sync");
    if (fdatasync(fd) < 0)
        goto fail;
    db->scanned += b.len;
    buf_free(&b);
    return DB_OK;

fail:
    log_error("IOERROR: writing log failed file=<%s> error=<%m>", db->path);
    if (ftruncate(fd, (off_t)db->scanned) < 0)
        log_error("IOERROR: truncate failed file=<%s> error=<%m>", db->path);
    buf_free(&b);
    return DB_IOERROR;
}

/* struct out - the compacting rewrite's buffered, checksummed output */
struct out {
    int fd;
    uint64_t pos;   /* file offset of b.s[0] */
    struct buf b;
    uint32_t crc;   /* of everything after the header */
};

/* out_flush - write out what is buffered; -1 on error */
static int out_flush(struct out *o)
{
    if (write_all(o->fd, o->b.s, o->b.len, (off_t)o->pos) < 0)
        return -1;
    o->crc = native_crc(o->crc, o->b.s, o->b.len);
    o->pos += o->b.len;
    buf_reset(&o->b);
    return 0;
}

/* write_base - records then index; fills h->count/index_off/log_off */
static int write_base(struct native_db *db, struct memtab *changes,
                      struct out *o, struct native_hdr *h)
{
    struct native_iter it;
    uint64_t *offs = NULL;
    size_t n = 0, alloc = 0;
    int r;

    native_iter_seek(&it, db, changes, "", 0, 0);
    while ((r = native_iter_next(&it)) == 1) {
        unsigned char rh[8];
        if (n == alloc) {
            alloc = alloc ? 2 * alloc : 1024;
            offs = xreallocarray(offs, alloc, sizeof(*offs));
        }
        offs[n++] = o->pos + o->b.len;
        native_put32(rh, (uint32_t)it.klen);
        native_put32(rh + 4, (uint32_t)it.vlen);
        buf_appendmap(&o->b, rh, 8);
        buf_appendmap(&o->b, it.key, it.klen);
        buf_appendmap(&o->b, it.val, it.vlen);
        if (o->b.len >= NATIVE_FLUSH_SIZE && out_flush(o) < 0)
            goto fail;
    }
    if (r < 0) {
        free(offs);
        return DB_IOERROR;
    }
    DB_FAULT("compact:mid-write");
    h->count = n;
    h->index_off = o->pos + o->b.len;
    for (size_t i = 0; i < n; i++) {
        unsigned char e[8];
        native_put64(e, offs[i]);
        buf_appendmap(&o->b, e, 8);
        if (o->b.len >= NATIVE_FLUSH_SIZE && out_flush(o) < 0)
            goto fail;
    }
    if (out_flush(o) < 0)
        goto fail;
    h->log_off = o->pos;
    free(offs);
    return DB_OK;

fail:
    log_error("IOERROR: write failed file=<%s>.NEW error=<%m>", db->path);
    free(offs);
    return DB_IOERROR;
}

int native_write_compacted(struct native_db *db, struct memtab *changes)
{
    struct out o = { -1, NATIVE_HDR_SIZE, BUF_INIT, 0 };
    struct native_hdr h = { 0, 0, 0, db->generation + 1, 0 };
    unsigned char hdr[NATIVE_HDR_SIZE];
    struct buf tmp = BUF_INIT;
    int r;

    buf_printf(&tmp, "%s.NEW", db->path);
    o.fd = open(buf_cstring(&tmp), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
                0600);
    if (o.fd < 0) {
        log_error("IOERROR: open failed file=<%s> error=<%m>", tmp.s);
        buf_free(&tmp);
        return DB_IOERROR;
    }
    r = write_base(db, changes, &o, &h);
    if (r == DB_OK) {
        h.base_crc = o.crc;
        native_hdr_encode(hdr, &h);
        if (write_all(o.fd, hdr, sizeof(hdr), 0) < 0 || fsync(o.fd) < 0) {
            log_error("IOERROR: write failed file=<%s> error=<%m>", tmp.s);
            r = DB_IOERROR;
        }
    }
    close(o.fd);
    buf_free(&o.b);
    if (r == DB_OK) {
        DB_FAULT("compact:before-rename");
        native_keep_old(db); /* readers never free the old inode */
        if (rename(tmp.s, db->path) < 0) {
            log_error("IOERROR: rename failed file=<%s> error=<%m>", tmp.s);
            r = DB_IOERROR;
        } else if (native_fsync_dir(db->path) < 0) {
            r = DB_IOERROR;
        } else {
            DB_FAULT("compact:after-rename");
        }
    }
    if (r != DB_OK)
        unlink(tmp.s);
    buf_free(&tmp);
    return r;
}
