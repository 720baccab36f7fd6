/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fetch_render.c - produce one FETCH response per message (see
 * fetch_render.h).  Called by cmd-fetch.c (FETCH) and cmd-store.c (the
 * FETCH responses of STORE go through imap_selected's formatter instead).
 *
 * The message file is mapped read-only for the duration of one message
 * and unmapped at once, so a FETCH of many large messages keeps at most
 * one mapped.  A message whose file is gone (expunged and unlinked by
 * another session, RFC 2180 4.1.2) is skipped, and the command answers
 * NO [EXPUNGEISSUED].  Errors are logged here as IOERROR.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "imap/fetch_render.h"
#include "imap/imap_selected.h"
#include "imap/imap_session.h"
#include "imap/message.h"
#include "imap/message_section.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/xmalloc.h"

/* A mapped message file. */
struct msgfile {
    const char *base;
    size_t len;
    void *map;
};

/* A section resolved for one message, before anything is written. */
struct prepared {
    struct message_section sec;
    struct buf decoded;      /* BINARY of an encoded part */
    const char *data;
    size_t len;
    uint64_t size;           /* BINARY.SIZE */
};

void fetch_render_init(struct fetch_render *fr, struct imap_session *sess,
                       struct mailbox *mb, const struct fetch_plan *plan)
{
    memset(fr, 0, sizeof(*fr));
    fr->sess = sess;
    fr->mb = mb;
    fr->plan = plan;
    fr->modseq = (plan->items & FETCH_MODSEQ) != 0;
}

void fetch_render_fini(struct fetch_render *fr)
{
    buf_free(&fr->line);
    buf_free(&fr->scratch);
    buf_free(&fr->cache);
}

void fetch_render_date(int64_t t, struct buf *out)
{
    static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
                                       "Jun", "Jul", "Aug", "Sep", "Oct",
                                       "Nov", "Dec" };
    time_t tt = (time_t)t;
    struct tm tm;
    long off;

    if (!localtime_r(&tt, &tm))
        memset(&tm, 0, sizeof(tm));
    off = tm.tm_gmtoff / 60;
    buf_printf(out, "\"%2d-%s-%04d %02d:%02d:%02d %c%02ld%02ld\"",
               tm.tm_mday, mon[tm.tm_mon % 12], tm.tm_year + 1900,
               tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
               labs(off) / 60, labs(off) % 60);
}

/* file_map - map the message file of uid: 1 ok, 0 gone, -1 error */
static int file_map(struct fetch_render *fr, uint32_t uid, struct msgfile *mf)
{
    struct stat st;
    int fd;

    memset(mf, 0, sizeof(*mf));
    mf->base = "";
    mailbox_message_path(fr->mb, uid, &fr->scratch);
    fd = open(buf_cstring(&fr->scratch), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        log_error("IOERROR: cannot open message file=<%s> error=<%m>",
                  buf_cstring(&fr->scratch));
        return -1;
    }
    if (fstat(fd, &st) < 0) {
        log_error("IOERROR: fstat failed file=<%s> error=<%m>",
                  buf_cstring(&fr->scratch));
        close(fd);
        return -1;
    }
    if (st.st_size > 0) {
        mf->map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
        if (mf->map == MAP_FAILED) {
            log_error("IOERROR: mmap failed file=<%s> error=<%m>",
                      buf_cstring(&fr->scratch));
            mf->map = NULL;
            close(fd);
            return -1;
        }
        (void)madvise(mf->map, (size_t)st.st_size, MADV_SEQUENTIAL);
        mf->base = mf->map;
        mf->len = (size_t)st.st_size;
    }
    close(fd);
    return 1;
}

/* file_unmap - release a mapping */
static void file_unmap(struct msgfile *mf)
{
    if (mf->map)
        munmap(mf->map, mf->len);
    memset(mf, 0, sizeof(*mf));
}

/* tree_get - the part tree of rec from its cache record; when that fails,
 * parse the mapped file (mf must be mapped then, else NULL) */
static struct message *tree_get(struct fetch_render *fr,
                                const struct mailbox_record *rec,
                                const struct msgfile *mf)
{
    const char *err = "cannot read cache";
    struct message *m = NULL;

    if (mailbox_cache_read(fr->mb, rec, &fr->cache) == MAILBOX_OK)
        m = message_cache_decode(fr->cache.s, fr->cache.len, &err);
    if (m)
        return m;
    log_error("IOERROR: bad cache record, reparsing mailbox=<%s> uid=<%u> "
              "error=<%s>", mailbox_name(fr->mb), rec->uid, err);
    return mf && mf->map ? message_parse(mf->base, mf->len) : NULL;
}

/* binary_identity - true when BINARY of sec is its bytes unchanged */
static bool binary_identity(const struct message_section *sec)
{
    const char *e = sec->leaf ? sec->leaf->encoding : NULL;

    return sec->kind != MESSAGE_SECTION_RANGE || !e || !strcmp(e, "7BIT") ||
           !strcmp(e, "8BIT") || !strcmp(e, "BINARY");
}

/* prepare_one - resolve section i of the plan; 0 for an unknown CTE */
static int prepare_one(const struct fetch_section *fs, const struct message *m,
                       const struct msgfile *mf, struct prepared *p)
{
    const char *err;
    int r = m ? message_section_resolve(m->root, mf->base, mf->len, fs->spec,
                                        strlen(fs->spec), &p->sec, &err)
              : 0;

    if (r != 1) {
        p->data = "";
        return 1;
    }
    if (fs->kind == FETCH_SEC_BODY || binary_identity(&p->sec)) {
        message_section_data(&p->sec, mf->base, mf->len, &p->data, &p->len);
        p->size = p->len;
        return 1;
    }
    if (!message_section_binary(&p->sec, mf->base, mf->len, &p->decoded))
        return 0;
    p->data = p->decoded.s ? p->decoded.s : "";
    p->len = p->decoded.len;
    p->size = p->len;
    return 1;
}

/* prepared_free - release n prepared sections */
static void prepared_free(struct prepared *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        message_section_fini(&p[i].sec);
        buf_free(&p[i].decoded);
    }
    free(p);
}

/* simple_items - the record/cache items, each preceded by a space */
static void simple_items(struct fetch_render *fr, const struct message *m,
                         const struct mailbox_record *rec, bool add_flags,
                         struct buf *out)
{
    unsigned items = fr->plan->items;

    if (items & FETCH_UID)
        buf_printf(out, " UID %u", rec->uid);
    if ((items & FETCH_FLAGS) || add_flags) {
        buf_appendcstr(out, " FLAGS ");
        imap_selected_format_flags(fr->mb, rec, out);
    }
    if (items & FETCH_INTERNALDATE) {
        buf_appendcstr(out, " INTERNALDATE ");
        fetch_render_date(rec->internaldate, out);
    }
    if (items & FETCH_RFC822_SIZE)
        buf_printf(out, " RFC822.SIZE %llu", (unsigned long long)rec->size);
    if ((items & FETCH_ENVELOPE) && m && m->root->envelope)
        buf_printf(out, " ENVELOPE %s", m->root->envelope);
    if ((items & FETCH_BODYSTRUCTURE) && m) {
        buf_appendcstr(out, " BODYSTRUCTURE ");
        message_body_write(m->root, 1, out);
    }
    if ((items & FETCH_BODY) && m) {
        buf_appendcstr(out, " BODY ");
        message_body_write(m->root, 0, out);
    }
    if (fr->modseq)
        buf_printf(out, " MODSEQ (%llu)", (unsigned long long)rec->modseq);
}

/* write_section - sep "NAME[<o>] " and the literal, streamed */
static void write_section(struct fetch_render *fr,
                          const struct fetch_section *fs,
                          const struct prepared *p, const char *sep)
{
    struct prot *out = fr->sess->prot;
    uint64_t off = 0, len = p->len;

    if (fs->kind == FETCH_SEC_BINARY_SIZE) {
        prot_printf(out, "%s%s %llu", sep, fs->name,
                    (unsigned long long)p->size);
        return;
    }
    if (fs->partial) {
        message_partial(p->len, fs->origin, fs->count, &off, &len);
        prot_printf(out, "%s%s<%llu>", sep, fs->name,
                    (unsigned long long)fs->origin);
    } else {
        prot_printf(out, "%s%s", sep, fs->name);
    }
    if (fs->kind == FETCH_SEC_BINARY && memchr(p->data + off, '\0', len))
        prot_printf(out, " ~{%llu}\r\n", (unsigned long long)len);
    else
        prot_printf(out, " {%llu}\r\n", (unsigned long long)len);
    prot_write(out, p->data + off, len);
}

/* prepare_all - resolve every section; 0 when one has an unknown CTE */
static int prepare_all(struct fetch_render *fr, const struct message *m,
                       const struct msgfile *mf, struct prepared **p_r)
{
    const struct fetch_plan *plan = fr->plan;
    struct prepared *p = xzmalloc((plan->nsections + 1) * sizeof(*p));

    for (size_t i = 0; i < plan->nsections; i++) {
        struct message_section init = MESSAGE_SECTION_INIT;

        p[i].sec = init;
        if (!prepare_one(&plan->sections[i], m, mf, &p[i])) {
            prepared_free(p, plan->nsections);
            return 0;
        }
    }
    *p_r = p;
    return 1;
}

int fetch_render_message(struct fetch_render *fr, uint32_t msgno,
                         const struct mailbox_record *rec, bool add_flags)
{
    const struct fetch_plan *plan = fr->plan;
    struct msgfile mf = { "", 0, NULL };
    struct message *m = NULL;
    struct prepared *p = NULL;
    int r = 1;

    if (plan->nsections && (r = file_map(fr, rec->uid, &mf)) <= 0) {
        fr->expunged++;
        return 0;
    }
    if ((plan->items & FETCH_NEEDS_CACHE) || plan->nsections)
        m = tree_get(fr, rec, &mf);
    if (plan->nsections && !prepare_all(fr, m, &mf, &p)) {
        fr->unknown_cte++;
        r = 0;
        goto out;
    }
    buf_reset(&fr->line);
    simple_items(fr, m, rec, add_flags, &fr->line);
    prot_printf(fr->sess->prot, "* %u FETCH (%s", msgno,
                fr->line.len ? buf_cstring(&fr->line) + 1 : "");
    for (size_t i = 0; i < plan->nsections; i++)
        write_section(fr, &plan->sections[i], &p[i],
                      i == 0 && !fr->line.len ? "" : " ");
    if (prot_puts(fr->sess->prot, ")\r\n") < 0)
        r = -1;
out:
    if (p)
        prepared_free(p, plan->nsections);
    message_free(&m);
    file_unmap(&mf);
    return r;
}
