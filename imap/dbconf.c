/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dbconf.c - file names and backends of the mail model's databases.
 *
 * One place decides the layout under configdirectory so that seen state,
 * subscriptions, quotas and the mailbox list agree with ctl_cyrusdb's
 * search (which looks at *.db and one directory level down only for
 * recovery of native files; per-user files are opened on demand and
 * checked by the native backend itself at open).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imap/dbconf.h"
#include "imap/mboxname.h"
#include "lib/buf.h"
#include "lib/db.h"
#include "lib/exitcodes.h"
#include "lib/log.h"

const char *dbconf_backend(enum imapopt opt)
{
    const char *name = imapopts[opt].values[cfg_get_enum(opt)];

    if (!strcmp(name, "quotalegacy"))
        return "twoskip";
    return name;
}

void dbconf_path(const char *file, struct buf *out)
{
    const char *dir = cfg_get_string(IMAPOPT_CONFIGDIRECTORY);

    if (!dir || !*dir)
        fatal(EX_CONFIG, "configdirectory is not set");
    buf_reset(out);
    buf_printf(out, "%s/%s", dir, file);
}

/* hashchar - Cyrus's one-letter directory for name */
static char hashchar(const char *name)
{
    char c = name[0];

    if (c >= 'A' && c <= 'Z')
        c = (char)(c - 'A' + 'a');
    return (c >= 'a' && c <= 'z') ? c : 'q';
}

/* part_ok - may s[0..len) be one path element of a user file? */
static int part_ok(const char *s, size_t len)
{
    if (len == 0 || s[0] == '.')
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || c == '/')
            return 0;
    }
    return 1;
}

int dbconf_user_path(const char *userid, const char *suffix, struct buf *out)
{
    const char *at = strchr(userid, '@');
    size_t len = strlen(userid), locallen = at ? (size_t)(at - userid) : len;
    struct buf local = BUF_INIT;

    buf_reset(out);
    if (len > MBOXNAME_USERID_MAX || !part_ok(userid, locallen))
        return -1;
    if (at && (strchr(at + 1, '@') || !part_ok(at + 1, strlen(at + 1))))
        return -1;
    buf_setmap(&local, userid, locallen);
    dbconf_path("", out);
    if (at)
        buf_printf(out, "domain/%c/%s/", hashchar(at + 1), at + 1);
    buf_printf(out, "user/%c/%s%s", hashchar(userid), buf_cstring(&local),
               suffix);
    buf_free(&local);
    return 1;
}

/* Walking the per-user files. */
struct user_walk {
    const char *suffix;
    int (*cb)(const char *userid, void *rock);
    void *rock;
};

/* walk_dir - cb for each entry of dir (not "." or ".."): 0, cb's non-0,
 * or -1 when dir exists and cannot be read */
static int walk_dir(const char *dir, int (*cb)(const char *name, void *rock),
                    void *rock)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int r = 0;

    if (!d)
        return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
    while (r == 0 && (de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            r = cb(de->d_name, rock);
    closedir(d);
    return r;
}

/* walk_sub - walk_dir of path/name (path restored afterwards) */
static int walk_sub(struct buf *path, const char *name,
                    int (*cb)(const char *name, void *rock), void *rock)
{
    size_t keep = path->len;
    int r;

    buf_printf(path, "/%s", name);
    r = walk_dir(buf_cstring(path), cb, rock);
    buf_truncate(path, keep);
    return r;
}

/* One user directory level: <base>/user/<h>/ with the domain to add. */
struct user_dir {
    const struct user_walk *w;
    struct buf path;          /* the directory being read */
    const char *domain;       /* NULL: none */
};

/* user_file - "<local><suffix>": the user */
static int user_file(const char *name, void *rock)
{
    struct user_dir *u = rock;
    size_t n = strlen(name), sl = strlen(u->w->suffix);
    struct buf id = BUF_INIT;
    int r;

    if (n <= sl || strcmp(name + n - sl, u->w->suffix) != 0)
        return 0;
    buf_setmap(&id, name, n - sl);
    if (u->domain)
        buf_printf(&id, "@%s", u->domain);
    r = u->w->cb(buf_cstring(&id), u->w->rock);
    buf_free(&id);
    return r;
}

/* hash_dir - <base>/user/<h>: its user files */
static int hash_dir(const char *name, void *rock)
{
    struct user_dir *u = rock;

    return walk_sub(&u->path, name, user_file, u);
}

/* users_under - every user file under <base>/user */
static int users_under(const struct user_walk *w, const char *base,
                       const char *domain)
{
    struct user_dir u = { w, BUF_INIT, domain };
    int r;

    buf_printf(&u.path, "%s/user", base);
    r = walk_dir(buf_cstring(&u.path), hash_dir, &u);
    buf_free(&u.path);
    return r;
}

/* One domain level: <configdirectory>/domain/<h>/<domain>. */
struct domain_dir {
    const struct user_walk *w;
    struct buf path;
};

/* domain_name - <configdirectory>/domain/<h>/<domain>: its users */
static int domain_name(const char *name, void *rock)
{
    struct domain_dir *d = rock;
    struct buf base = BUF_INIT;
    int r;

    buf_printf(&base, "%s/%s", buf_cstring(&d->path), name);
    r = users_under(d->w, buf_cstring(&base), name);
    buf_free(&base);
    return r;
}

/* domain_hash - <configdirectory>/domain/<h>: its domains */
static int domain_hash(const char *name, void *rock)
{
    struct domain_dir *d = rock;

    return walk_sub(&d->path, name, domain_name, d);
}

int dbconf_foreach_user(const char *suffix,
                        int (*cb)(const char *userid, void *rock), void *rock)
{
    struct user_walk w = { suffix, cb, rock };
    struct domain_dir d = { &w, BUF_INIT };
    struct buf top = BUF_INIT;
    int r;

    dbconf_path("", &top);
    if (top.len && top.s[top.len - 1] == '/')
        top.len--;
    r = users_under(&w, buf_cstring(&top), NULL);
    if (r == 0) {
        buf_printf(&d.path, "%s/domain", buf_cstring(&top));
        r = walk_dir(buf_cstring(&d.path), domain_hash, &d);
    }
    buf_free(&d.path);
    buf_free(&top);
    return r;
}

int dbconf_mkparents(const char *path)
{
    struct buf dir = BUF_INIT;
    int ret = 1;

    buf_setcstr(&dir, path);
    for (size_t i = 1; i < dir.len; i++) {
        if (dir.s[i] != '/')
            continue;
        dir.s[i] = '\0';
        if (mkdir(dir.s, 0750) < 0 && errno != EEXIST) {
            ret = -1;
            break;
        }
        dir.s[i] = '/';
    }
    buf_free(&dir);
    return ret;
}

int dbconf_remove(const char *path)
{
    if (unlink(path) < 0 && errno != ENOENT) {
        log_error("IOERROR: unlink failed file=<%s> error=<%m>", path);
        return DB_IOERROR;
    }
    return DB_OK;
}

struct copy_rock {
    struct db *to;
    struct db_txn *tid;
};

/* copy_cb - store one record into the target, in one transaction */
static int copy_cb(void *rock, const char *key, size_t keylen,
                   const char *data, size_t datalen)
{
    struct copy_rock *cr = rock;
    return db_store(cr->to, key, keylen, data, datalen, &cr->tid) != DB_OK;
}

int dbconf_move(const char *backend, const char *from, const char *to)
{
    struct db *src = NULL, *dst = NULL;
    struct copy_rock cr = { NULL, NULL };
    struct stat st;
    int r;

    if (stat(to, &st) == 0)
        return DB_EXISTS;
    r = db_open(backend, from, 0, &src);
    if (r != DB_OK)
        return r;
    if (dbconf_mkparents(to) < 0 ||
        (r = db_open(backend, to, DB_OPT_CREATE, &dst)) != DB_OK) {
        db_close(&src);
        return r == DB_OK ? DB_IOERROR : r;
    }
    cr.to = dst;
    r = db_foreach(src, "", 0, NULL, copy_cb, &cr, NULL);
    if (r == DB_DONE)
        r = DB_IOERROR;
    if (r == DB_OK && cr.tid)
        r = db_commit(dst, cr.tid);
    else if (cr.tid)
        db_abort(dst, cr.tid);
    db_close(&dst);
    db_close(&src);
    if (r != DB_OK) {
        dbconf_remove(to);
        return r;
    }
    return dbconf_remove(from);
}
