/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxlist.c - the local mailboxes database: open/close, transactions,
 * lookup, create, update, delete, rename, foreach, dump and undump.
 *
 * One handle per process (module state below), opened by library init of
 * every daemon and tool that needs the list.  Writes outside a caller's
 * transaction run in their own, retried a few times on DB_AGAIN (a
 * Berkeley DB deadlock between two writers); every write transaction also
 * increments the generation counter (a metadata key below 0x20) so that
 * readers can tell cheaply that something changed.  Values are encoded by
 * imap/mboxlist_entry.c; LIST matching lives in imap/mboxlist_find.c.
 * Database errors are logged here (DBERROR) and returned as
 * enum mboxlist_result.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/dbconf.h"
#include "imap/mboxlist.h"
#include "imap/mboxlist_internal.h"
#include "imap/mboxname.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"

/* How often a self-contained write is retried after DB_AGAIN. */
#define MBOXLIST_RETRIES 5
/* The generation counter's key (metadata: below 0x20). */
#define GEN_KEY "\001generation"
#define GEN_KEYLEN (sizeof(GEN_KEY) - 1)

static struct db *mbdb;          /* the process's handle */
static struct db_txn *mbtxn;     /* the caller's transaction, or NULL */
static char *mbpath;             /* for log lines */

const char *mboxlist_errstr(int r)
{
    switch (r) {
    case MBOXLIST_OK: return "ok";
    case MBOXLIST_DONE: return "stopped by callback";
    case MBOXLIST_NOTFOUND: return "Mailbox does not exist";
    case MBOXLIST_EXISTS: return "Mailbox already exists";
    case MBOXLIST_AGAIN: return "Mailbox list busy, try again";
    case MBOXLIST_IOERROR: return "Mailbox list I/O error";
    case MBOXLIST_BADNAME: return "Invalid mailbox name";
    case MBOXLIST_BADENTRY: return "Invalid mailbox list entry";
    case MBOXLIST_CORRUPT: return "Mailbox list entry is corrupt";
    case MBOXLIST_BADVERSION:
        return "Mailbox list entry written by a newer version";
    case MBOXLIST_NOTOPEN: return "Mailbox list is not open";
    default: return "Mailbox list internal error";
    }
}

struct db *mboxlist_handle(void)
{
    return mbdb;
}

struct db_txn **mboxlist_txnp(void)
{
    return mbtxn ? &mbtxn : NULL;
}

int mboxlist_dberr(int dbr, const char *what, const char *name)
{
    switch (dbr) {
    case DB_OK: return MBOXLIST_OK;
    case DB_DONE: return MBOXLIST_DONE;
    case DB_NOTFOUND: return MBOXLIST_NOTFOUND;
    case DB_EXISTS: return MBOXLIST_EXISTS;
    case DB_AGAIN:
        log_warning("DBERROR: mailbox list busy op=<%s> mailbox=<%s>", what,
                    name ? name : "");
        return MBOXLIST_AGAIN;
    case DB_IOERROR:
        log_error("DBERROR: mailbox list failed op=<%s> mailbox=<%s> "
                  "file=<%s> error=<%s>", what, name ? name : "",
                  mbpath ? mbpath : "", db_errstr(dbr));
        return MBOXLIST_IOERROR;
    default:
        log_error("DBERROR: mailbox list misuse op=<%s> mailbox=<%s> "
                  "error=<%s>", what, name ? name : "", db_errstr(dbr));
        return MBOXLIST_INTERNAL;
    }
}

/* --- open / close / transactions ------------------------------------ */

int mboxlist_open_path(const char *path, const char *backend, int flags)
{
    int r;

    if (mbdb)
        return MBOXLIST_INTERNAL;
    r = db_open(backend, path, (flags & MBOXLIST_CREATE) ? DB_OPT_CREATE : 0,
                &mbdb);
    if (r != DB_OK) {
        mbdb = NULL;
        if (r != DB_NOTFOUND)
            log_error("DBERROR: cannot open mailbox list file=<%s> "
                      "backend=<%s> error=<%s>", path, backend,
                      db_errstr(r));
        return r == DB_NOTFOUND ? MBOXLIST_NOTFOUND
                                : r == DB_INTERNAL ? MBOXLIST_INTERNAL
                                                   : MBOXLIST_IOERROR;
    }
    mbpath = xstrdup(path);
    return MBOXLIST_OK;
}

int mboxlist_open(int flags)
{
    struct buf path = BUF_INIT;
    int r;

    dbconf_path(MBOXLIST_FILE, &path);
    r = mboxlist_open_path(buf_cstring(&path),
                           dbconf_backend(IMAPOPT_MBOXLIST_DB), flags);
    buf_free(&path);
    return r;
}

void mboxlist_close(void)
{
    if (mbtxn)
        mboxlist_abort();
    if (mbdb)
        db_close(&mbdb);
    free(mbpath);
    mbpath = NULL;
}

int mboxlist_begin(void)
{
    const char *d;
    size_t dl;
    int r;

    if (!mbdb)
        return MBOXLIST_NOTOPEN;
    if (mbtxn)
        return MBOXLIST_INTERNAL;
    /* start it now, with a locking read of the counter every write
     * transaction updates anyway */
    r = db_fetchlock(mbdb, GEN_KEY, GEN_KEYLEN, &d, &dl, &mbtxn);
    if (r != DB_OK && r != DB_NOTFOUND) {
        if (mbtxn)
            db_abort(mbdb, mbtxn);
        mbtxn = NULL;
        return mboxlist_dberr(r, "begin", NULL);
    }
    return MBOXLIST_OK;
}

int mboxlist_commit(void)
{
    int r;

    if (!mbtxn)
        return MBOXLIST_INTERNAL;
    r = db_commit(mbdb, mbtxn);
    mbtxn = NULL;
    return mboxlist_dberr(r, "commit", NULL);
}

void mboxlist_abort(void)
{
    if (mbtxn)
        db_abort(mbdb, mbtxn);
    mbtxn = NULL;
}

/* read_gen - the counter as stored (0 when absent); a result code */
static int read_gen(struct db_txn **tid, int lock, uint64_t *gen_r)
{
    const char *d;
    size_t dl;
    int r = lock ? db_fetchlock(mbdb, GEN_KEY, GEN_KEYLEN, &d, &dl, tid)
                 : db_fetch(mbdb, GEN_KEY, GEN_KEYLEN, &d, &dl, tid);

    *gen_r = 0;
    if (r == DB_NOTFOUND)
        return MBOXLIST_OK;
    if (r != DB_OK)
        return mboxlist_dberr(r, "generation", NULL);
    if (str_parse_u64(d, dl, UINT64_MAX, gen_r) < 0)
        return MBOXLIST_CORRUPT;
    return MBOXLIST_OK;
}

int mboxlist_generation(uint64_t *gen_r)
{
    if (!mbdb)
        return MBOXLIST_NOTOPEN;
    return read_gen(mboxlist_txnp(), 0, gen_r);
}

/* bump_gen - increment the counter inside *tid */
static int bump_gen(struct db_txn **tid)
{
    char tmp[32];
    uint64_t gen;
    int r = read_gen(tid, 1, &gen), len;

    if (r != MBOXLIST_OK)
        return r;
    len = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)gen + 1);
    return mboxlist_dberr(db_store(mbdb, GEN_KEY, GEN_KEYLEN, tmp,
                                   (size_t)len, tid), "generation", NULL);
}

typedef int write_fn(void *rock, struct db_txn **tid);

/* run_write - fn and a generation bump as one transaction: the caller's
 * when open, else a new one, retried after MBOXLIST_AGAIN */
static int run_write(write_fn *fn, void *rock)
{
    int r = MBOXLIST_AGAIN;

    if (!mbdb)
        return MBOXLIST_NOTOPEN;
    if (mbtxn) {
        r = fn(rock, &mbtxn);
        return r == MBOXLIST_OK ? bump_gen(&mbtxn) : r;
    }
    for (int tries = 0; tries < MBOXLIST_RETRIES && r == MBOXLIST_AGAIN;
         tries++) {
        struct db_txn *tid = NULL;

        r = fn(rock, &tid);
        if (r == MBOXLIST_OK)
            r = bump_gen(&tid);
        if (r == MBOXLIST_OK)
            r = mboxlist_dberr(db_commit(mbdb, tid), "commit", NULL);
        else if (tid)
            db_abort(mbdb, tid);
    }
    return r;
}

/* --- lookup and changes ------------------------------------------------ */

/* fetch_entry - decode name's entry read through tid */
static int fetch_entry(const char *name, struct db_txn **tid, int lock,
                       struct mboxlist_entry **e_r)
{
    const char *d;
    size_t dl;
    int r = lock ? db_fetchlock(mbdb, name, strlen(name), &d, &dl, tid)
                 : db_fetch(mbdb, name, strlen(name), &d, &dl, tid);

    if (e_r)
        *e_r = NULL;
    if (r != DB_OK)
        return mboxlist_dberr(r, "lookup", name);
    if (!e_r)
        return MBOXLIST_OK;
    r = mboxlist_entry_decode(name, d, dl, e_r);
    if (r != MBOXLIST_OK)
        log_error("DBERROR: undecodable mailbox list entry mailbox=<%s> "
                  "error=<%s>", name, mboxlist_errstr(r));
    return r;
}

int mboxlist_lookup(const char *name, struct mboxlist_entry **e_r)
{
    if (e_r)
        *e_r = NULL;
    if (!mbdb)
        return MBOXLIST_NOTOPEN;
    if ((unsigned char)name[0] < MBOXLIST_META_BELOW)
        return MBOXLIST_NOTFOUND;
    return fetch_entry(name, mboxlist_txnp(), 0, e_r);
}

/* encode_checked - policy-check e->name and encode e into val */
static int encode_checked(const struct mboxlist_entry *e, struct buf *val)
{
    const char *err = NULL;

    if (!e->name || mboxname_policycheck(e->name, &err) < 0)
        return MBOXLIST_BADNAME;
    if (mboxlist_entry_encode(e, val, &err) != MBOXLIST_OK) {
        log_error("mailbox list entry refused mailbox=<%s> error=<%s>",
                  e->name, err);
        return MBOXLIST_BADENTRY;
    }
    return MBOXLIST_OK;
}

struct put_rock {
    const struct mboxlist_entry *e;
    struct buf val;
    int replace;
};

/* put_cb - insert or (replace) update one entry */
static int put_cb(void *rock, struct db_txn **tid)
{
    struct put_rock *pr = rock;
    const char *name = pr->e->name;
    int r;

    if (pr->replace) {
        r = fetch_entry(name, tid, 1, NULL);
        if (r != MBOXLIST_OK)
            return r;
        r = db_store(mbdb, name, strlen(name), pr->val.s, pr->val.len, tid);
    } else {
        r = db_insert(mbdb, name, strlen(name), pr->val.s, pr->val.len, tid);
    }
    return mboxlist_dberr(r, pr->replace ? "update" : "create", name);
}

/* put - create (replace 0) or update (replace 1) */
static int put(const struct mboxlist_entry *e, int replace)
{
    struct put_rock pr = { e, BUF_INIT, replace };
    int r = encode_checked(e, &pr.val);

    if (r == MBOXLIST_OK)
        r = run_write(put_cb, &pr);
    buf_free(&pr.val);
    return r;
}

int mboxlist_create(const struct mboxlist_entry *e)
{
    return put(e, 0);
}

int mboxlist_update(const struct mboxlist_entry *e)
{
    return put(e, 1);
}

/* delete_cb - remove one key */
static int delete_cb(void *rock, struct db_txn **tid)
{
    const char *name = rock;
    return mboxlist_dberr(db_delete(mbdb, name, strlen(name), tid),
                          "delete", name);
}

int mboxlist_delete(const char *name)
{
    if ((unsigned char)name[0] < MBOXLIST_META_BELOW)
        return MBOXLIST_NOTFOUND;
    return run_write(delete_cb, (void *)name);
}

/* --- rename ------------------------------------------------------------ */

struct rename_rock {
    const char *oldname, *newname, *partition;
    int flags;
    struct strarray names; /* old names to move, the mailbox first */
};

/* collect_cb - remember a child's name */
static int collect_cb(void *rock, const char *key, size_t keylen,
                      const char *data, size_t datalen)
{
    struct strarray *names = rock;
    strarray_appendm(names, xstrndup(key, keylen));
    return 0;
}

/* new_name - newname followed by old's part below oldname, into out */
static void new_name(const struct rename_rock *rr, const char *old,
                     struct buf *out)
{
    buf_setcstr(out, rr->newname);
    buf_appendcstr(out, old + strlen(rr->oldname));
}

/* rename_check - every target name valid and free; a result code */
static int rename_check(struct rename_rock *rr, struct db_txn **tid)
{
    struct buf nn = BUF_INIT;
    int r = MBOXLIST_OK;

    for (size_t i = 0; i < rr->names.count && r == MBOXLIST_OK; i++) {
        const char *d;
        size_t dl;

        new_name(rr, rr->names.data[i], &nn);
        if (mboxname_policycheck(buf_cstring(&nn), NULL) < 0) {
            r = MBOXLIST_BADNAME;
            break;
        }
        r = db_fetch(mbdb, nn.s, nn.len, &d, &dl, tid);
        r = r == DB_OK ? MBOXLIST_EXISTS
                       : r == DB_NOTFOUND ? MBOXLIST_OK
                                          : mboxlist_dberr(r, "rename", nn.s);
    }
    buf_free(&nn);
    return r;
}

/* rename_one - move one entry, changing its partition when asked */
static int rename_one(struct rename_rock *rr, const char *old,
                      struct db_txn **tid)
{
    struct mboxlist_entry *e = NULL;
    struct buf nn = BUF_INIT, val = BUF_INIT;
    int r = fetch_entry(old, tid, 1, &e);

    if (r != MBOXLIST_OK)
        return r;
    new_name(rr, old, &nn);
    free(e->name);
    e->name = buf_release(&nn);
    if (rr->partition) {
        free(e->partition);
        e->partition = xstrdup(rr->partition);
    }
    r = encode_checked(e, &val);
    if (r == MBOXLIST_OK)
        r = mboxlist_dberr(db_delete(mbdb, old, strlen(old), tid), "rename",
                           old);
    if (r == MBOXLIST_OK)
        r = mboxlist_dberr(db_insert(mbdb, e->name, strlen(e->name), val.s,
                                     val.len, tid), "rename", e->name);
    mboxlist_entry_free(&e);
    buf_free(&val);
    return r;
}

/* rename_cb - the whole rename inside *tid */
static int rename_cb(void *rock, struct db_txn **tid)
{
    struct rename_rock *rr = rock;
    int r = fetch_entry(rr->oldname, tid, 1, NULL);

    strarray_fini(&rr->names);
    if (r != MBOXLIST_OK)
        return r;
    strarray_append(&rr->names, rr->oldname);
    if (rr->flags & MBOXLIST_RENAME_CHILDREN) {
        struct buf prefix = BUF_INIT;
        buf_printf(&prefix, "%s.", rr->oldname);
        r = mboxlist_dberr(db_foreach(mbdb, prefix.s, prefix.len, NULL,
                                      collect_cb, &rr->names, tid),
                           "rename", rr->oldname);
        buf_free(&prefix);
    }
    if (r == MBOXLIST_OK)
        r = rename_check(rr, tid);
    for (size_t i = 0; i < rr->names.count && r == MBOXLIST_OK; i++)
        r = rename_one(rr, rr->names.data[i], tid);
    return r;
}

int mboxlist_rename(const char *oldname, const char *newname,
                    const char *partition, int flags)
{
    struct rename_rock rr = { oldname, newname, partition, flags,
                              STRARRAY_INIT };
    size_t oldlen = strlen(oldname);
    int r;

    if (mboxname_policycheck(newname, NULL) < 0 ||
        (!strncmp(newname, oldname, oldlen) &&
         (newname[oldlen] == '\0' || newname[oldlen] == '.')))
        return MBOXLIST_BADNAME;
    if ((unsigned char)oldname[0] < MBOXLIST_META_BELOW)
        return MBOXLIST_NOTFOUND;
    r = run_write(rename_cb, &rr);
    strarray_fini(&rr.names);
    return r;
}

/* --- foreach ---------------------------------------------------------- */

/* not_meta - goodp: skip metadata keys */
static int not_meta(void *rock, const char *key, size_t keylen,
                    const char *data, size_t datalen)
{
    return keylen > 0 && (unsigned char)key[0] >= MBOXLIST_META_BELOW;
}

struct foreach_rock {
    mboxlist_cb *cb;
    void *rock;
    struct buf name;
    const struct mboxlist_view *view; /* NULL: every record */
};

/* foreach_cb - decode and hand on one record */
static int foreach_cb(void *rock, const char *key, size_t keylen,
                      const char *data, size_t datalen)
{
    struct foreach_rock *fr = rock;
    struct mboxlist_entry *e = NULL;
    int r;

    buf_setmap(&fr->name, key, keylen);
    r = mboxlist_entry_decode(buf_cstring(&fr->name), data, datalen, &e);
    if (r != MBOXLIST_OK) {
        log_error("DBERROR: undecodable mailbox list entry mailbox=<%s> "
                  "error=<%s>", fr->name.s, mboxlist_errstr(r));
        return 0;
    }
    r = fr->cb(fr->rock, e);
    mboxlist_entry_free(&e);
    return r;
}

/* visible_goodp - db_foreach filter: a mailbox record the view may show */
static int visible_goodp(void *rock, const char *key, size_t keylen,
                         const char *data, size_t datalen)
{
    struct foreach_rock *fr = rock;

    return not_meta(rock, key, keylen, data, datalen) &&
           (!fr->view ||
            mboxlist_view_may_show(fr->view, key, keylen, data, datalen));
}

int mboxlist_foreach_visible(const char *prefix,
                             const struct mboxlist_view *v, mboxlist_cb *cb,
                             void *rock)
{
    struct foreach_rock fr = { cb, rock, BUF_INIT, v };
    int r;

    if (!mbdb)
        return MBOXLIST_NOTOPEN;
    r = db_foreach(mbdb, prefix, strlen(prefix), visible_goodp, foreach_cb,
                   &fr, mboxlist_txnp());
    buf_free(&fr.name);
    return mboxlist_dberr(r, "foreach", prefix);
}

int mboxlist_foreach(const char *prefix, mboxlist_cb *cb, void *rock)
{
    return mboxlist_foreach_visible(prefix, NULL, cb, rock);
}

/* --- dump / undump ----------------------------------------------------- */

struct dump_rock {
    FILE *out;
    const char *partition;
    int r;
    struct buf name;
};

/* dump_cb - write one line, after checking the value decodes */
static int dump_cb(void *rock, const char *key, size_t keylen,
                   const char *data, size_t datalen)
{
    struct dump_rock *dr = rock;
    struct mboxlist_entry *e = NULL;

    buf_setmap(&dr->name, key, keylen);
    dr->r = mboxlist_entry_decode(buf_cstring(&dr->name), data, datalen, &e);
    if (dr->r == MBOXLIST_OK && (memchr(data, '\n', datalen) ||
                                 memchr(data, '\r', datalen)))
        dr->r = MBOXLIST_CORRUPT;
    if (dr->r != MBOXLIST_OK) {
        log_error("DBERROR: cannot dump mailbox list entry mailbox=<%s> "
                  "error=<%s>", dr->name.s, mboxlist_errstr(dr->r));
        mboxlist_entry_free(&e);
        return 1;
    }
    if (!dr->partition || !strcmp(dr->partition, e->partition)) {
        fwrite(key, 1, keylen, dr->out);
        putc('\t', dr->out);
        fwrite(data, 1, datalen, dr->out);
        putc('\n', dr->out);
    }
    mboxlist_entry_free(&e);
    return 0;
}

int mboxlist_dump(FILE *out, const char *partition)
{
    struct dump_rock dr = { out, partition, MBOXLIST_OK, BUF_INIT };
    int r;

    if (!mbdb)
        return MBOXLIST_NOTOPEN;
    r = db_foreach(mbdb, "", 0, not_meta, dump_cb, &dr, mboxlist_txnp());
    buf_free(&dr.name);
    if (r == DB_DONE)
        return dr.r;
    r = mboxlist_dberr(r, "dump", NULL);
    if (r == MBOXLIST_OK && (fflush(out) == EOF || ferror(out)))
        r = MBOXLIST_IOERROR;
    return r;
}

/* undump_line - validate and store one "name TAB value" line */
static int undump_line(char *line, size_t len, const char **error_r)
{
    char *tab = memchr(line, '\t', len);
    struct mboxlist_entry *e = NULL;
    size_t vlen;
    int r;

    if (!tab) {
        *error_r = "no TAB after the mailbox name";
        return MBOXLIST_BADENTRY;
    }
    *tab = '\0';
    vlen = len - (size_t)(tab + 1 - line);
    if (memchr(line, '\0', (size_t)(tab - line)) ||
        mboxname_policycheck(line, error_r) < 0)
        return MBOXLIST_BADNAME;
    r = mboxlist_entry_decode(line, tab + 1, vlen, &e);
    mboxlist_entry_free(&e);
    if (r != MBOXLIST_OK) {
        *error_r = mboxlist_errstr(r);
        return r == MBOXLIST_CORRUPT ? MBOXLIST_BADENTRY : r;
    }
    return mboxlist_dberr(db_store(mbdb, line, (size_t)(tab - line), tab + 1,
                                   vlen, &mbtxn), "undump", line);
}

int mboxlist_undump(FILE *in, unsigned long *count_r,
                    unsigned long *lineno_r, const char **error_r)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long count = 0, lineno = 0;
    int own = !mbtxn, r;
    const char *dummy;

    if (!error_r)
        error_r = &dummy;
    *error_r = NULL;
    if (own && (r = mboxlist_begin()) != MBOXLIST_OK)
        return r;
    r = MBOXLIST_OK;
    while (r == MBOXLIST_OK && (n = getline(&line, &cap, in)) > 0) {
        size_t len = (size_t)n;
        lineno++;
        if (line[len - 1] == '\n')
            len--;
        if (len == 0)
            continue;
        r = undump_line(line, len, error_r);
        if (r == MBOXLIST_OK)
            count++;
    }
    free(line);
    if (r == MBOXLIST_OK && ferror(in))
        r = MBOXLIST_IOERROR;
    if (r == MBOXLIST_OK)
        r = bump_gen(&mbtxn);
    if (own)
        r = r == MBOXLIST_OK ? mboxlist_commit() : (mboxlist_abort(), r);
    if (lineno_r)
        *lineno_r = lineno;
    if (count_r)
        *count_r = r == MBOXLIST_OK ? count : 0;
    return r;
}
