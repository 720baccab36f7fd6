/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mailbox_flags.c - user flag names (cyrus.header) and STORE: setting and
 * clearing system and user flags with a new modseq, CONDSTORE's
 * UNCHANGEDSINCE.  Called by imapd (STORE, APPEND flags) and through
 * mailbox_append/mailbox_copy.  cyrus.header is only ever replaced whole
 * (temp, fsync, rename), under the exclusive index lock, and re-read
 * under that lock before a name is added, so two writers never give one
 * flag number to two names.  Errors: enum mailbox_result, logged.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imap/mailbox_internal.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

#define MBH_FIRST_LINE "murder-mailbox-header 1"
#define WORDS (MAILBOX_USER_FLAGS_MAX / 32)

/* flag_name_ok - an IMAP atom not starting with '\' */
static int flag_name_ok(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > MAILBOX_USER_FLAG_LEN || s[0] == '\\')
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
            strchr("(){%*\"\\]", *s))
            return 0;
    return 1;
}

int mbh_read(struct mailbox *mb)
{
    FILE *f = fopen(mb->header_path, "re");
    char line[MAILBOX_USER_FLAGS_MAX * (MAILBOX_USER_FLAG_LEN + 1) + 64];
    int first = 1;

    strarray_fini(&mb->flagnames);
    mb->header_uidvalidity = 0;
    if (!f) {
        if (errno == ENOENT) {
            log_warning("mailbox header missing mailbox=<%s>", mb->name);
            return MAILBOX_OK;
        }
        log_error("IOERROR: open failed file=<%s> error=<%m>",
                  mb->header_path);
        return MAILBOX_E_IO;
    }
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (first) {
            first = 0;
            if (strcmp(line, MBH_FIRST_LINE) != 0)
                break;
        } else if (str_has_prefix(line, "uidvalidity\t")) {
            long v;
            if (str_parse_long(line + 12, 1, UINT32_MAX, &v) == 1)
                mb->header_uidvalidity = (uint32_t)v;
        } else if (str_has_prefix(line, "flags\t")) {
            strarray_split(&mb->flagnames, line + 6, " ");
        }
    }
    fclose(f);
    if (first || mb->flagnames.count > MAILBOX_USER_FLAGS_MAX) {
        log_error("IOERROR: mailbox header damaged file=<%s>",
                  mb->header_path);
        strarray_truncate(&mb->flagnames, 0);
        return MAILBOX_E_CORRUPT;
    }
    return MAILBOX_OK;
}

int mbh_write(const char *path, const char *name, uint32_t uidvalidity,
              const struct strarray *flagnames)
{
    struct buf b = BUF_INIT, tmp = BUF_INIT;
    char *flags = strarray_join(flagnames, " ");
    char *slash;
    int fd, ok;

    buf_printf(&b, MBH_FIRST_LINE "\nname\t%s\nuidvalidity\t%u\nflags\t%s\n",
               name, uidvalidity, flags ? flags : "");
    free(flags);
    buf_printf(&tmp, "%s.NEW.%ld", path, (long)getpid());
    fd = open(buf_cstring(&tmp), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
              0600);
    ok = fd >= 0 && mbio_pwrite(fd, b.s, b.len, 0, tmp.s) == 1 &&
         mbio_fsync(fd, tmp.s) == 1;
    if (fd < 0)
        log_error("IOERROR: create failed file=<%s> error=<%m>", tmp.s);
    if (fd >= 0)
        close(fd);
    if (ok && rename(tmp.s, path) < 0) {
        log_error("IOERROR: rename failed file=<%s> error=<%m>", path);
        ok = 0;
    }
    if (!ok)
        unlink(tmp.s);
    buf_setcstr(&tmp, path);
    slash = strrchr(buf_cstring(&tmp), '/');
    if (ok && slash) {
        *slash = '\0';
        ok = mbio_fsync_dir(tmp.s) == 1;
    }
    buf_free(&b);
    buf_free(&tmp);
    return ok ? MAILBOX_OK : MAILBOX_E_IO;
}

/* find_flag - index of name (ASCII case-insensitive), or -1 */
static long find_flag(const struct mailbox *mb, const char *name)
{
    for (size_t i = 0; i < mb->flagnames.count; i++)
        if (str_casecmp(mb->flagnames.data[i], name) == 0)
            return (long)i;
    return -1;
}

int mbh_resolve(struct mailbox *mb, const struct strarray *names, int create,
                uint32_t bits[WORDS])
{
    int reread = 0, added = 0, r = MAILBOX_OK;

    memset(bits, 0, WORDS * sizeof(uint32_t));
    for (size_t i = 0; names && i < names->count; i++) {
        const char *n = names->data[i];
        long idx = find_flag(mb, n);

        if (idx < 0 && create) {
            if (!flag_name_ok(n))
                return MAILBOX_E_BADNAME;
            if (!reread && !added) {
                /* someone may have added names since we read them */
                reread = 1;
                if ((r = mbh_read(mb)) != MAILBOX_OK)
                    return r;
                idx = find_flag(mb, n);
            }
            if (idx < 0) {
                if (mb->flagnames.count >= MAILBOX_USER_FLAGS_MAX) {
                    log_notice("mailbox user flags full mailbox=<%s> "
                               "flag=<%s>", mb->name, n);
                    return MAILBOX_E_FLAGS_FULL;
                }
                strarray_append(&mb->flagnames, n);
                idx = (long)mb->flagnames.count - 1;
                added = 1;
            }
        }
        if (idx >= 0)
            bits[idx / 32] |= 1u << (idx % 32);
    }
    if (added)
        r = mbh_write(mb->header_path, mb->name, mb->h.uidvalidity,
                      &mb->flagnames);
    return r;
}

int mailbox_user_flag(struct mailbox *mb, const char *name, int create,
                      unsigned *idx_r)
{
    struct strarray one = STRARRAY_INIT;
    long idx;
    int r;

    if (!flag_name_ok(name))
        return MAILBOX_E_BADNAME;
    idx = find_flag(mb, name);
    if (idx >= 0 || !create) {
        if (idx >= 0)
            *idx_r = (unsigned)idx;
        return idx >= 0 ? MAILBOX_OK : MAILBOX_E_NOTFOUND;
    }
    r = mbi_lock_write(mb);
    if (r != MAILBOX_OK)
        return r;
    strarray_append(&one, name);
    {
        uint32_t bits[WORDS];
        r = mbh_resolve(mb, &one, 1, bits);
    }
    mbi_unlock(mb);
    strarray_fini(&one);
    if (r == MAILBOX_OK)
        *idx_r = (unsigned)find_flag(mb, name);
    return r;
}

const char *mailbox_user_flag_name(const struct mailbox *mb, unsigned idx)
{
    return idx < mb->flagnames.count ? mb->flagnames.data[idx] : NULL;
}

/* apply_op - the new flags of one record; 1 when they differ */
static int apply_op(struct mailbox_record *rec, enum mailbox_flag_op op,
                    uint32_t sys, const uint32_t bits[WORDS])
{
    uint32_t nsys = rec->system_flags, nuser[WORDS];
    int changed;

    for (int w = 0; w < WORDS; w++) {
        switch (op) {
        case MAILBOX_FLAGS_ADD: nuser[w] = rec->user_flags[w] | bits[w]; break;
        case MAILBOX_FLAGS_REMOVE: nuser[w] = rec->user_flags[w] & ~bits[w]; break;
        default: nuser[w] = bits[w]; break;
        }
    }
    switch (op) {
    case MAILBOX_FLAGS_ADD: nsys |= sys; break;
    case MAILBOX_FLAGS_REMOVE: nsys &= ~sys; break;
    default: nsys = (nsys & ~MAILBOX_FLAGS_SYSTEM) | sys; break;
    }
    changed = nsys != rec->system_flags ||
              memcmp(nuser, rec->user_flags, sizeof(nuser)) != 0;
    rec->system_flags = nsys;
    memcpy(rec->user_flags, nuser, sizeof(nuser));
    return changed;
}

/* update_locked - under the exclusive lock: apply op to uids[n] (touch:
 * change no flag, only give every live record a new modseq) and commit */
static int update_locked(struct mailbox *mb, const uint32_t *uids, size_t n,
                         enum mailbox_flag_op op, uint32_t sysflags,
                         const uint32_t bits[WORDS], bool touch,
                         uint64_t unchangedsince,
                         struct mailbox_uids *changed_r,
                         struct mailbox_uids *failed_r)
{
    uint64_t modseq = mb->h.highestmodseq + 1;
    int r = MAILBOX_OK, dirty = 0;

    for (size_t i = 0; r == MAILBOX_OK && i < n; i++) {
        long at = mbi_find(mb, uids[i]);
        struct mailbox_record *rec;

        if (at < 0)
            continue;
        rec = &mb->recs[at];
        if (rec->system_flags & MAILBOX_FLAG_EXPUNGED)
            continue;
        if (unchangedsince && rec->modseq > unchangedsince) {
            if (failed_r)
                mailbox_uids_add(failed_r, rec->uid);
            continue;
        }
        if (!touch && !apply_op(rec, op, sysflags, bits))
            continue;
        rec->modseq = modseq;
        dirty = 1;
        r = mbi_write_records(mb, (uint32_t)at, 1);
        if (r == MAILBOX_OK && changed_r)
            mailbox_uids_add(changed_r, rec->uid);
    }
    if (dirty) {
        mailbox_fault("flags-records-written");
        if (r == MAILBOX_OK)
            r = mbi_commit(mb);
        else
            mb->loaded = 0;
    }
    return r;
}

int mailbox_set_flags(struct mailbox *mb, const uint32_t *uids, size_t n,
                      enum mailbox_flag_op op, uint32_t sysflags,
                      const struct strarray *user_flags,
                      uint64_t unchangedsince, struct mailbox_uids *changed_r,
                      struct mailbox_uids *failed_r)
{
    uint32_t bits[WORDS];
    int r;

    sysflags &= MAILBOX_FLAGS_SYSTEM;
    r = mbi_lock_write(mb);
    if (r != MAILBOX_OK)
        return r;
    r = mbh_resolve(mb, user_flags, op != MAILBOX_FLAGS_REMOVE, bits);
    if (r == MAILBOX_OK)
        r = update_locked(mb, uids, n, op, sysflags, bits, false,
                          unchangedsince, changed_r, failed_r);
    mbi_unlock(mb);
    return r;
}

int mailbox_touch(struct mailbox *mb, const uint32_t *uids, size_t n)
{
    static const uint32_t none[WORDS];
    int r;

    if (n == 0)
        return MAILBOX_OK;
    r = mbi_lock_write(mb);
    if (r != MAILBOX_OK)
        return r;
    r = update_locked(mb, uids, n, MAILBOX_FLAGS_ADD, 0, none, true, 0,
                      NULL, NULL);
    mbi_unlock(mb);
    return r;
}
