/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mailbox_cache.c - cyrus.cache: the append-only file of the opaque blobs
 * the MIME parser makes (envelope, bodystructure, SEARCH headers), one
 * entry per message, so FETCH and SEARCH never reparse.  Entries are
 * written by mailbox_append.c past the committed length and become part of
 * the mailbox with the index commit; an entry carries its UID and a CRC so
 * a stale or damaged one is refused rather than served.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "imap/mailbox_internal.h"
#include "lib/buf.h"
#include "lib/log.h"

/* put32 / get32 - big-endian */
static void put32(unsigned char *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}
static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

void mbc_entry(struct buf *out, uint32_t uid, const void *p, size_t n)
{
    unsigned char head[MBC_ENTRY_HEAD];
    static const char zeros[8];

    put32(head, (uint32_t)n);
    put32(head + 4, uid);
    put32(head + 8, (uint32_t)crc32_z(0, p, n));
    buf_appendmap(out, head, sizeof(head));
    if (n)
        buf_appendmap(out, p, n);
    if ((sizeof(head) + n) % 8)
        buf_appendmap(out, zeros, 8 - (sizeof(head) + n) % 8);
}

int mbc_write_new(const char *path)
{
    unsigned char head[MBC_HEADER_SIZE];
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int ok;

    if (fd < 0) {
        log_error("IOERROR: create failed file=<%s> error=<%m>", path);
        return MAILBOX_E_IO;
    }
    memcpy(head, MBC_MAGIC, 4);
    put32(head + 4, MAILBOX_FORMAT_VERSION);
    ok = mbio_pwrite(fd, head, sizeof(head), 0, path) == 1 &&
         mbio_fsync(fd, path) == 1;
    close(fd);
    return ok ? MAILBOX_OK : MAILBOX_E_IO;
}

int mailbox_cache_read(struct mailbox *mb, const struct mailbox_record *rec,
                       struct buf *out)
{
    unsigned char head[MBC_ENTRY_HEAD];
    int ok;

    buf_reset(out);
    if (rec->cache_offset < MBC_HEADER_SIZE ||
        rec->cache_offset + MBC_ENTRY_HEAD + rec->cache_len >
            mb->h.cache_size)
        goto bad;
    ok = mbio_pread(mb->cache_fd, head, sizeof(head),
                    (off_t)rec->cache_offset, mb->cache_path);
    if (ok < 0)
        return MAILBOX_E_IO;
    if (!ok || get32(head) != rec->cache_len || get32(head + 4) != rec->uid)
        goto bad;
    buf_ensure(out, rec->cache_len + 1);
    ok = mbio_pread(mb->cache_fd, out->s, rec->cache_len,
                    (off_t)rec->cache_offset + MBC_ENTRY_HEAD, mb->cache_path);
    if (ok < 0)
        return MAILBOX_E_IO;
    out->len = rec->cache_len;
    if (!ok || (uint32_t)crc32_z(0, (const unsigned char *)out->s, out->len) !=
                   get32(head + 8))
        goto bad;
    return MAILBOX_OK;
bad:
    buf_reset(out);
    log_error("IOERROR: mailbox cache entry damaged mailbox=<%s> uid=<%u> "
              "offset=<%llu>; run reconstruct", mb->name, rec->uid,
              (unsigned long long)rec->cache_offset);
    return MAILBOX_E_CORRUPT;
}
