/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * quota.c - quota roots: the record format, root lookup, limit checks and
 * transactional usage changes (format in imap/quota.h).
 *
 * Called by the mailbox store (APPEND, COPY, EXPUNGE), lmtpd and imapd's
 * GETQUOTA/GETQUOTAROOT/SETQUOTA.  One database handle per process.
 * Errors are enum quota_result; database failures are logged here.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/dbconf.h"
#include "imap/mboxname.h"
#include "imap/quota.h"
#include "lib/db.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

#define QUOTA_VERSION 1
#define QUOTA_RETRIES 5
#define QUOTA_LIMIT_MAX (INT64_C(1) << 53)

static struct db *qdb;
static char *qpath;

static const char *const resnames[QUOTA_NUMRESOURCES] = { "STORAGE",
                                                          "MESSAGE" };

const char *quota_errstr(int r)
{
    switch (r) {
    case QUOTA_OK: return "ok";
    case QUOTA_OVER: return "Over quota";
    case QUOTA_NOTFOUND: return "Quota root does not exist";
    case QUOTA_AGAIN: return "Quota database busy, try again";
    case QUOTA_IOERROR: return "Quota database I/O error";
    case QUOTA_BADNAME: return "Invalid quota root name";
    case QUOTA_BADDATA: return "Invalid quota data";
    case QUOTA_BADVERSION: return "Quota record of a newer version";
    case QUOTA_NOTOPEN: return "Quota database is not open";
    default: return "Quota internal error";
    }
}

const char *quota_resp_code(int r)
{
    return r == QUOTA_OVER ? QUOTA_RESP_OVERQUOTA : NULL;
}

const char *quota_resource_name(int res)
{
    return res >= 0 && res < QUOTA_NUMRESOURCES ? resnames[res] : NULL;
}

int quota_resource_parse(const char *name)
{
    for (int i = 0; i < QUOTA_NUMRESOURCES; i++)
        if (!str_casecmp(name, resnames[i]))
            return i;
    return -1;
}

/* dberr - map and log a db_result */
static int dberr(int r, const char *what, const char *root)
{
    switch (r) {
    case DB_OK:
    case DB_DONE: return QUOTA_OK;
    case DB_NOTFOUND: return QUOTA_NOTFOUND;
    case DB_AGAIN: return QUOTA_AGAIN;
    case DB_IOERROR:
        log_error("DBERROR: quota database failed op=<%s> root=<%s> "
                  "file=<%s> error=<%s>", what, root ? root : "",
                  qpath ? qpath : "", db_errstr(r));
        return QUOTA_IOERROR;
    default:
        log_error("DBERROR: quota database misuse op=<%s> root=<%s> "
                  "error=<%s>", what, root ? root : "", db_errstr(r));
        return QUOTA_INTERNAL;
    }
}

int quota_open_path(const char *path, const char *backend, int flags)
{
    int r;

    if (qdb)
        return QUOTA_INTERNAL;
    r = db_open(backend, path, (flags & QUOTA_CREATE) ? DB_OPT_CREATE : 0,
                &qdb);
    if (r != DB_OK) {
        qdb = NULL;
        return dberr(r, "open", NULL);
    }
    qpath = xstrdup(path);
    return QUOTA_OK;
}

int quota_open(int flags)
{
    struct buf path = BUF_INIT;
    int r;

    dbconf_path(QUOTA_FILE, &path);
    r = quota_open_path(buf_cstring(&path), dbconf_backend(IMAPOPT_QUOTA_DB),
                        flags);
    buf_free(&path);
    return r;
}

void quota_close(void)
{
    if (qdb)
        db_close(&qdb);
    free(qpath);
    qpath = NULL;
}

void quota_init(struct quota *q)
{
    memset(q, 0, sizeof(*q));
    for (int i = 0; i < QUOTA_NUMRESOURCES; i++)
        q->limit[i] = QUOTA_UNLIMITED;
}

void quota_fini(struct quota *q)
{
    free(q->root);
    buf_free(&q->extra);
    quota_init(q);
}

void quota_encode(const struct quota *q, struct buf *out)
{
    buf_printf(out, "%%Q%d", QUOTA_VERSION);
    for (int i = 0; i < QUOTA_NUMRESOURCES; i++)
        buf_printf(out, " %s %llu %lld", resnames[i],
                   (unsigned long long)q->usage[i], (long long)q->limit[i]);
    buf_append(out, &q->extra);
}

/* next_word - the bytes up to the next SP or end, starting at *p after
 * one SP; 0 at the end or for an empty word */
static int next_word(const char **p, const char *end, const char **w_r,
                     size_t *wl_r)
{
    const char *sp;

    if (*p >= end || **p != ' ')
        return 0;
    (*p)++;
    sp = memchr(*p, ' ', (size_t)(end - *p));
    if (!sp)
        sp = end;
    *w_r = *p;
    *wl_r = (size_t)(sp - *p);
    *p = sp;
    return *wl_r > 0;
}

/* parse_limit - "-1" or a number up to QUOTA_LIMIT_MAX */
static int parse_limit(const char *w, size_t wl, int64_t *limit_r)
{
    uint64_t n;

    if (wl == 2 && !memcmp(w, "-1", 2)) {
        *limit_r = QUOTA_UNLIMITED;
        return 0;
    }
    if (str_parse_u64(w, wl, (uint64_t)QUOTA_LIMIT_MAX, &n) < 0)
        return -1;
    *limit_r = (int64_t)n;
    return 0;
}

/* decode_triples - every "SP name SP usage SP limit" after the version */
static int decode_triples(const char *p, const char *end, struct quota *q)
{
    unsigned seen = 0;

    while (p < end) {
        const char *start = p, *name, *use, *lim;
        size_t nl, ul, ll;
        uint64_t usage;
        int64_t limit;
        int res = -1;

        if (!next_word(&p, end, &name, &nl) || !next_word(&p, end, &use, &ul) ||
            !next_word(&p, end, &lim, &ll) ||
            str_parse_u64(use, ul, UINT64_MAX, &usage) < 0 ||
            parse_limit(lim, ll, &limit) < 0)
            return QUOTA_BADDATA;
        for (int i = 0; i < QUOTA_NUMRESOURCES; i++)
            if (nl == strlen(resnames[i]) && !memcmp(name, resnames[i], nl))
                res = i;
        if (res < 0) {
            buf_appendmap(&q->extra, start, (size_t)(p - start));
            continue;
        }
        if (seen & (1u << res))
            return QUOTA_BADDATA;
        seen |= 1u << res;
        q->usage[res] = usage;
        q->limit[res] = limit;
    }
    return QUOTA_OK;
}

int quota_decode(const char *data, size_t len, struct quota *q)
{
    const char *p = data + 2, *end = data + len;
    uint64_t version;
    char *root = q->root;
    int r;

    q->root = NULL;
    quota_fini(q);
    q->root = root;
    if (len < 3 || data[0] != '%' || data[1] != 'Q')
        return QUOTA_BADDATA;
    while (p < end && *p >= '0' && *p <= '9')
        p++;
    if (str_parse_u64(data + 2, (size_t)(p - data - 2), UINT32_MAX,
                      &version) < 0 || version == 0)
        return QUOTA_BADDATA;
    if (version > QUOTA_VERSION)
        return QUOTA_BADVERSION;
    r = decode_triples(p, end, q);
    if (r != QUOTA_OK) {
        buf_free(&q->extra);
        for (int i = 0; i < QUOTA_NUMRESOURCES; i++) {
            q->limit[i] = QUOTA_UNLIMITED;
            q->usage[i] = 0;
        }
    }
    return r;
}

/* fetch_quota - root's record through tid (locked when lock) */
static int fetch_quota(const char *root, struct db_txn **tid, int lock,
                       struct quota *q)
{
    const char *d;
    size_t dl;
    int r = lock ? db_fetchlock(qdb, root, strlen(root), &d, &dl, tid)
                 : db_fetch(qdb, root, strlen(root), &d, &dl, tid);

    if (r != DB_OK)
        return dberr(r, "read", root);
    free(q->root);
    q->root = xstrdup(root);
    r = quota_decode(d, dl, q);
    if (r != QUOTA_OK)
        log_error("DBERROR: bad quota record root=<%s> error=<%s>", root,
                  quota_errstr(r));
    return r;
}

int quota_read(const char *root, struct quota *q)
{
    if (!qdb)
        return QUOTA_NOTOPEN;
    return fetch_quota(root, NULL, 0, q);
}

int quota_findroot(const char *mailbox, char **root_r)
{
    char *name = xstrdup(mailbox);
    char *top = strchr(name, '!');
    const char *d;
    size_t dl;
    int r;

    *root_r = NULL;
    if (!qdb) {
        free(name);
        return QUOTA_NOTOPEN;
    }
    top = top ? top + 1 : name;
    for (;;) {
        char *dot;
        r = db_fetch(qdb, name, strlen(name), &d, &dl, NULL);
        if (r == DB_OK) {
            *root_r = name;
            return QUOTA_OK;
        }
        if (r != DB_NOTFOUND || !(dot = strrchr(top, '.')))
            break;
        *dot = '\0';
    }
    free(name);
    return dberr(r, "findroot", mailbox);
}

typedef int quota_txn_fn(void *rock, struct db_txn **tid);

/* run_txn - fn in a transaction, committed when it returns QUOTA_OK,
 * retried after QUOTA_AGAIN */
static int run_txn(quota_txn_fn *fn, void *rock)
{
    int r = QUOTA_AGAIN;

    if (!qdb)
        return QUOTA_NOTOPEN;
    for (int tries = 0; tries < QUOTA_RETRIES && r == QUOTA_AGAIN; tries++) {
        struct db_txn *tid = NULL;
        r = fn(rock, &tid);
        if (r == QUOTA_OK && tid)
            r = dberr(db_commit(qdb, tid), "commit", NULL);
        else if (tid)
            db_abort(qdb, tid);
    }
    return r;
}

struct set_rock {
    const char *root;
    const int64_t *limit;
};

/* set_cb - create or change limits */
static int set_cb(void *rock, struct db_txn **tid)
{
    struct set_rock *sr = rock;
    struct buf val = BUF_INIT;
    struct quota q;
    int r;

    quota_init(&q);
    r = fetch_quota(sr->root, tid, 1, &q);
    if (r == QUOTA_NOTFOUND)
        r = QUOTA_OK;
    if (r == QUOTA_OK) {
        for (int i = 0; i < QUOTA_NUMRESOURCES; i++)
            q.limit[i] = sr->limit[i];
        quota_encode(&q, &val);
        r = dberr(db_store(qdb, sr->root, strlen(sr->root), val.s, val.len,
                           tid), "setlimits", sr->root);
    }
    quota_fini(&q);
    buf_free(&val);
    return r;
}

int quota_setlimits(const char *root, const int64_t limit[QUOTA_NUMRESOURCES])
{
    struct set_rock sr = { root, limit };

    if (mboxname_policycheck(root, NULL) < 0)
        return QUOTA_BADNAME;
    for (int i = 0; i < QUOTA_NUMRESOURCES; i++)
        if (limit[i] != QUOTA_UNLIMITED &&
            (limit[i] < 0 || limit[i] > QUOTA_LIMIT_MAX))
            return QUOTA_BADDATA;
    return run_txn(set_cb, &sr);
}

int quota_delete(const char *root)
{
    if (!qdb)
        return QUOTA_NOTOPEN;
    return dberr(db_delete(qdb, root, strlen(root), NULL), "delete", root);
}

int quota_check(const struct quota *q, int64_t bytes, int64_t messages,
                enum quota_resource *res_r)
{
    int64_t delta[QUOTA_NUMRESOURCES] = { bytes, messages };

    for (int i = 0; i < QUOTA_NUMRESOURCES; i++) {
        /* limits are <= 2^53, so the KiB product fits in 64 bits;
         * usage + delta is compared without overflow */
        uint64_t max;
        if (q->limit[i] == QUOTA_UNLIMITED || delta[i] <= 0)
            continue;
        max = (uint64_t)q->limit[i] * (i == QUOTA_STORAGE ? 1024 : 1);
        if (q->usage[i] > max || (uint64_t)delta[i] > max - q->usage[i]) {
            if (res_r)
                *res_r = (enum quota_resource)i;
            return QUOTA_OVER;
        }
    }
    return QUOTA_OK;
}

struct change_rock {
    const char *root;
    int64_t delta[QUOTA_NUMRESOURCES];
    int flags;
    enum quota_resource *res_r;
    struct quota *q_r;
};

/* change_cb - check and apply one usage change */
static int change_cb(void *rock, struct db_txn **tid)
{
    struct change_rock *cr = rock;
    struct buf val = BUF_INIT;
    struct quota q;
    int r;

    quota_init(&q);
    r = fetch_quota(cr->root, tid, 1, &q);
    if (r == QUOTA_OK && !(cr->flags & QUOTA_FORCE))
        r = quota_check(&q, cr->delta[0], cr->delta[1], cr->res_r);
    for (int i = 0; r == QUOTA_OK && i < QUOTA_NUMRESOURCES; i++) {
        if (cr->delta[i] >= 0) {
            q.usage[i] += (uint64_t)cr->delta[i];
        } else if ((uint64_t)-(cr->delta[i] + 1) + 1 > q.usage[i]) {
            log_warning("quota usage below zero root=<%s> resource=<%s>",
                        cr->root, resnames[i]);
            q.usage[i] = 0;
        } else {
            q.usage[i] -= (uint64_t)-(cr->delta[i] + 1) + 1;
        }
    }
    if (r == QUOTA_OK) {
        quota_encode(&q, &val);
        r = dberr(db_store(qdb, cr->root, strlen(cr->root), val.s, val.len,
                           tid), "change", cr->root);
    }
    if (r == QUOTA_OK && cr->q_r) {
        quota_fini(cr->q_r);
        *cr->q_r = q;
        quota_init(&q);
    }
    quota_fini(&q);
    buf_free(&val);
    return r;
}

int quota_change(const char *root, int64_t bytes, int64_t messages,
                 int flags, enum quota_resource *res_r, struct quota *q_r)
{
    struct change_rock cr = { root, { bytes, messages }, flags, res_r, q_r };
    return run_txn(change_cb, &cr);
}

int quota_percent(const struct quota *q, enum quota_resource res)
{
    unsigned __int128 pct;
    uint64_t max;

    if (q->limit[res] == QUOTA_UNLIMITED)
        return -1;
    max = (uint64_t)q->limit[res] * (res == QUOTA_STORAGE ? 1024 : 1);
    if (max == 0)
        return q->usage[res] ? 100 : 0;
    /* in 128 bits: usage * 100 overflows 64 for usage near 2^64 */
    pct = (unsigned __int128)q->usage[res] * 100 / max;
    return pct > 100000 ? 100000 : (int)pct;
}

int quota_warn(const struct quota *q, long warnpct, enum quota_resource *res_r)
{
    for (int i = 0; i < QUOTA_NUMRESOURCES; i++) {
        int pct = quota_percent(q, (enum quota_resource)i);
        if (pct >= 0 && pct >= warnpct) {
            if (res_r)
                *res_r = (enum quota_resource)i;
            return 1;
        }
    }
    return 0;
}

void quota_format(const struct quota *q, struct buf *out)
{
    const char *sep = "";

    for (int i = 0; i < QUOTA_NUMRESOURCES; i++) {
        uint64_t use = q->usage[i] / (i == QUOTA_STORAGE ? 1024 : 1);
        if (q->limit[i] == QUOTA_UNLIMITED)
            continue;
        buf_printf(out, "%s%s %llu %lld", sep, resnames[i],
                   (unsigned long long)use, (long long)q->limit[i]);
        sep = " ";
    }
}
