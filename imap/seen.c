/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * seen.c - per-user seen state: one database per user keyed by mailbox
 * unique id (format in imap/seen.h).
 *
 * Used by imapd (SELECT, FETCH, STORE \Seen on mailboxes whose seen state
 * is per user) and by tools moving users.  A struct seen belongs to one
 * session; a transaction is open from seen_lockread to seen_commit or
 * seen_abort.  Errors are enum seen_result, database failures logged here.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/dbconf.h"
#include "imap/seen.h"
#include "imap/seqset.h"
#include "lib/buf.h"
#include "lib/db.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/xmalloc.h"

#define SEEN_VERSION 1
#define SEEN_SUFFIX ".seen"

struct seen {
    struct db *db;
    struct db_txn *tid;
    char *path;
};

const char *seen_errstr(int r)
{
    switch (r) {
    case SEEN_OK: return "ok";
    case SEEN_NOTFOUND: return "no seen state";
    case SEEN_AGAIN: return "seen state busy, try again";
    case SEEN_IOERROR: return "seen state I/O error";
    case SEEN_BADUSER: return "invalid user for seen state";
    case SEEN_BADDATA: return "malformed seen state";
    case SEEN_BADVERSION: return "seen state of a newer version";
    default: return "seen state internal error";
    }
}

/* dberr - map and log a db_result */
static int dberr(int r, const char *what, const char *path)
{
    switch (r) {
    case DB_OK:
    case DB_DONE: return SEEN_OK;
    case DB_NOTFOUND: return SEEN_NOTFOUND;
    case DB_AGAIN: return SEEN_AGAIN;
    case DB_IOERROR:
        log_error("DBERROR: seen state failed op=<%s> file=<%s> error=<%s>",
                  what, path, db_errstr(r));
        return SEEN_IOERROR;
    default:
        log_error("DBERROR: seen state misuse op=<%s> file=<%s> error=<%s>",
                  what, path, db_errstr(r));
        return SEEN_INTERNAL;
    }
}

int seen_open(const char *userid, int flags, struct seen **seen_r)
{
    struct buf path = BUF_INIT;
    struct db *db = NULL;
    int r;

    *seen_r = NULL;
    if (dbconf_user_path(userid, SEEN_SUFFIX, &path) < 0)
        return SEEN_BADUSER;
    if ((flags & SEEN_CREATE) && dbconf_mkparents(buf_cstring(&path)) < 0)
        log_error("IOERROR: cannot create directory for file=<%s> "
                  "error=<%m>", path.s);
    r = db_open(dbconf_backend(IMAPOPT_SEENSTATE_DB), buf_cstring(&path),
                (flags & SEEN_CREATE) ? DB_OPT_CREATE : 0, &db);
    if (r != DB_OK) {
        r = dberr(r, "open", path.s);
        buf_free(&path);
        return r;
    }
    *seen_r = xzmalloc(sizeof(**seen_r));
    (*seen_r)->db = db;
    (*seen_r)->path = buf_release(&path);
    return SEEN_OK;
}

void seen_close(struct seen **seenp)
{
    struct seen *s = *seenp;

    if (!s)
        return;
    seen_abort(s);
    db_close(&s->db);
    free(s->path);
    free(s);
    *seenp = NULL;
}

void seen_data_fini(struct seen_data *sd)
{
    free(sd->seenuids);
    memset(sd, 0, sizeof(*sd));
}

int seen_encode(const struct seen_data *sd, struct buf *out)
{
    struct seqset set = SEQSET_INIT;
    const char *uids = sd->seenuids ? sd->seenuids : "";

    if (seqset_parse(uids, strlen(uids), 0, SEQSET_ALLOW_EMPTY | SEQSET_NO_STAR,
                     &set, NULL) < 0) {
        seqset_fini(&set);
        return SEEN_BADDATA;
    }
    buf_printf(out, "%d %lld %u %lld ", SEEN_VERSION,
               (long long)sd->lastread, sd->lastuid,
               (long long)sd->lastchange);
    seqset_format(&set, out);
    seqset_fini(&set);
    return SEEN_OK;
}

/* next_num - the decimal before the next SP at *p; -1 when malformed */
static int next_num(const char **p, const char *end, uint64_t max,
                    uint64_t *n_r)
{
    const char *sp = memchr(*p, ' ', (size_t)(end - *p));

    if (!sp || str_parse_u64(*p, (size_t)(sp - *p), max, n_r) < 0)
        return -1;
    *p = sp + 1;
    return 0;
}

int seen_decode(const char *data, size_t len, struct seen_data *sd)
{
    const char *p = data, *end = data + len, *sp;
    uint64_t version, lastread, lastuid, lastchange;
    struct seqset set = SEQSET_INIT;
    int r;

    memset(sd, 0, sizeof(*sd));
    if (next_num(&p, end, UINT32_MAX, &version) < 0 || version == 0)
        return SEEN_BADDATA;
    if (version > SEEN_VERSION)
        return SEEN_BADVERSION;
    if (next_num(&p, end, INT64_MAX, &lastread) < 0 ||
        next_num(&p, end, UINT32_MAX, &lastuid) < 0 ||
        next_num(&p, end, INT64_MAX, &lastchange) < 0)
        return SEEN_BADDATA;
    /* fields a later version-1 writer may add follow another SP */
    sp = memchr(p, ' ', (size_t)(end - p));
    if (!sp)
        sp = end;
    r = seqset_parse(p, (size_t)(sp - p), 0,
                     SEQSET_ALLOW_EMPTY | SEQSET_NO_STAR, &set, NULL);
    seqset_fini(&set);
    if (r < 0)
        return SEEN_BADDATA;
    sd->lastread = (time_t)lastread;
    sd->lastuid = (uint32_t)lastuid;
    sd->lastchange = (time_t)lastchange;
    sd->seenuids = xstrndup(p, (size_t)(sp - p));
    return SEEN_OK;
}

/* read_rec - seen_read and seen_lockread */
static int read_rec(struct seen *s, const char *uniqueid, int lock,
                    struct seen_data *sd)
{
    const char *d;
    size_t dl;
    int r;

    memset(sd, 0, sizeof(*sd));
    r = lock ? db_fetchlock(s->db, uniqueid, strlen(uniqueid), &d, &dl,
                            &s->tid)
             : db_fetch(s->db, uniqueid, strlen(uniqueid), &d, &dl,
                        s->tid ? &s->tid : NULL);
    if (r == DB_OK) {
        r = seen_decode(d, dl, sd);
        if (r != SEEN_OK)
            log_error("DBERROR: bad seen record file=<%s> uniqueid=<%s>",
                      s->path, uniqueid);
    } else {
        r = dberr(r, "read", s->path);
    }
    if (!sd->seenuids)
        sd->seenuids = xstrdup("");
    return r;
}

int seen_read(struct seen *s, const char *uniqueid, struct seen_data *sd)
{
    return read_rec(s, uniqueid, 0, sd);
}

int seen_lockread(struct seen *s, const char *uniqueid, struct seen_data *sd)
{
    return read_rec(s, uniqueid, 1, sd);
}

int seen_write(struct seen *s, const char *uniqueid,
               const struct seen_data *sd)
{
    struct buf val = BUF_INIT;
    int r = seen_encode(sd, &val);

    if (r == SEEN_OK)
        r = dberr(db_store(s->db, uniqueid, strlen(uniqueid), val.s, val.len,
                           s->tid ? &s->tid : NULL), "write", s->path);
    buf_free(&val);
    return r;
}

int seen_delete(struct seen *s, const char *uniqueid)
{
    int r = dberr(db_delete(s->db, uniqueid, strlen(uniqueid),
                            s->tid ? &s->tid : NULL), "delete", s->path);
    return r == SEEN_NOTFOUND ? SEEN_OK : r;
}

int seen_commit(struct seen *s)
{
    int r;

    if (!s->tid)
        return SEEN_OK;
    r = db_commit(s->db, s->tid);
    s->tid = NULL;
    return dberr(r, "commit", s->path);
}

void seen_abort(struct seen *s)
{
    if (s->tid)
        db_abort(s->db, s->tid);
    s->tid = NULL;
}

struct foreach_rock {
    int (*cb)(void *rock, const char *uniqueid, const struct seen_data *sd);
    void *rock;
    struct buf key;
};

/* foreach_cb - decode one record and hand it on */
static int foreach_cb(void *rock, const char *key, size_t keylen,
                      const char *data, size_t datalen)
{
    struct foreach_rock *fr = rock;
    struct seen_data sd;
    int r = 0;

    buf_setmap(&fr->key, key, keylen);
    if (seen_decode(data, datalen, &sd) == SEEN_OK)
        r = fr->cb(fr->rock, buf_cstring(&fr->key), &sd);
    seen_data_fini(&sd);
    return r;
}

int seen_foreach(struct seen *s,
                 int (*cb)(void *rock, const char *uniqueid,
                           const struct seen_data *sd),
                 void *rock)
{
    struct foreach_rock fr = { cb, rock, BUF_INIT };
    int r = db_foreach(s->db, "", 0, NULL, foreach_cb, &fr,
                       s->tid ? &s->tid : NULL);

    buf_free(&fr.key);
    return dberr(r, "foreach", s->path);
}

int seen_foreach_user(int (*cb)(const char *userid, void *rock), void *rock)
{
    return dbconf_foreach_user(SEEN_SUFFIX, cb, rock);
}

int seen_delete_user(const char *userid)
{
    struct buf path = BUF_INIT;
    int r;

    if (dbconf_user_path(userid, SEEN_SUFFIX, &path) < 0)
        return SEEN_BADUSER;
    r = dberr(dbconf_remove(buf_cstring(&path)), "remove", path.s);
    buf_free(&path);
    return r;
}

int seen_rename_user(const char *olduser, const char *newuser)
{
    struct buf from = BUF_INIT, to = BUF_INIT;
    int r;

    if (dbconf_user_path(olduser, SEEN_SUFFIX, &from) < 0 ||
        dbconf_user_path(newuser, SEEN_SUFFIX, &to) < 0) {
        r = SEEN_BADUSER;
    } else {
        r = dbconf_move(dbconf_backend(IMAPOPT_SEENSTATE_DB),
                        buf_cstring(&from), buf_cstring(&to));
        r = r == DB_EXISTS ? SEEN_INTERNAL
                           : r == DB_NOTFOUND ? SEEN_OK
                                              : dberr(r, "rename", from.s);
    }
    buf_free(&from);
    buf_free(&to);
    return r;
}
