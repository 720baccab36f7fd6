/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxlist_find.c - LIST over the mailboxes database: IMAP pattern
 * matching, findall with the INBOX mapping and \Noselect levels,
 * \HasChildren, and the ACL filter.
 *
 * Callers are imapd's and proxyd's LIST/LSUB/STATUS code; proxyd answers
 * LIST from its local copy of the list with no backend involved, so what
 * a user may not see must be hidden here (the filter) and never leak
 * through a \Noselect parent either: a level is only reported for a
 * descendant the filter shows.  Errors are enum mboxlist_result.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/acl.h"
#include "imap/auth_state.h"
#include "imap/mboxlist.h"
#include "imap/mboxlist_internal.h"
#include "imap/mboxname.h"
#include "lib/buf.h"
#include "lib/hash.h"
#include "lib/xmalloc.h"

#define INBOX "INBOX"
#define INBOX_LEN 5

int mboxlist_glob_match(const char *pattern, const char *name,
                        size_t namelen, char sep)
{
    /* cur[j]: the pattern so far matches name[0..j) */
    unsigned char stackbuf[2 * 512];
    unsigned char *mem = namelen + 1 <= 512 ? stackbuf
                                            : xmalloc(2 * (namelen + 1));
    unsigned char *cur = mem, *next = mem + namelen + 1, *t;
    int result;

    memset(cur, 0, namelen + 1);
    cur[0] = 1;
    for (const char *p = pattern; *p; p++) {
        if (*p == '*') {
            unsigned char any = 0;
            for (size_t j = 0; j <= namelen; j++)
                next[j] = any = (unsigned char)(any | cur[j]);
        } else if (*p == '%') {
            next[0] = cur[0];
            for (size_t j = 1; j <= namelen; j++)
                next[j] = (unsigned char)(cur[j] ||
                                          (next[j - 1] && name[j - 1] != sep));
        } else {
            next[0] = 0;
            for (size_t j = 1; j <= namelen; j++)
                next[j] = (unsigned char)(cur[j - 1] && name[j - 1] == *p);
        }
        t = cur;
        cur = next;
        next = t;
    }
    result = cur[namelen];
    if (mem != stackbuf)
        free(mem);
    return result;
}

/* visible - decode-free type check, then the filter */
static int listable(const struct mboxlist_entry *e, mboxlist_filter *filter,
                    void *frock)
{
    if (e->type & (MBTYPE_RESERVE | MBTYPE_DELETED))
        return 0;
    return filter ? filter(frock, e) : 1;
}

struct find_rock {
    const char *pattern;      /* matched against names (non-INBOX pass) */
    char *ipattern;           /* INBOX-folded, for the INBOX tree */
    const char *inbox;
    size_t inboxlen;
    int inbox_pass;
    mboxlist_filter *filter;
    void *frock;
    mboxlist_find_cb *cb;
    void *rock;
    struct hash_table *reported; /* non-NULL when the pattern ends in % */
    struct buf name, mname, tmp;
};

/* in_inbox_tree - is name the INBOX or below it? */
static int in_inbox_tree(const struct find_rock *fr, const char *name,
                         size_t len)
{
    return fr->inbox && len >= fr->inboxlen &&
           !memcmp(name, fr->inbox, fr->inboxlen) &&
           (len == fr->inboxlen || name[fr->inboxlen] == '.');
}

/* report_levels - the \Noselect levels above mname that match and were
 * not reported yet, shallowest first */
static int report_levels(struct find_rock *fr)
{
    const char *m = buf_cstring(&fr->mname);
    const char *bang = strchr(m, '!');
    const char *pat = fr->inbox_pass ? fr->ipattern : fr->pattern;

    for (const char *p = bang ? bang + 1 : m; (p = strchr(p, '.')); p++) {
        size_t alen = (size_t)(p - m);
        if (!mboxlist_glob_match(pat, m, alen, '.'))
            continue;
        if (fr->inbox_pass) {
            buf_setcstr(&fr->tmp, fr->inbox);
            buf_appendmap(&fr->tmp, m + INBOX_LEN, alen - INBOX_LEN);
        } else {
            buf_setmap(&fr->tmp, m, alen);
        }
        if (hash_lookup(fr->reported, buf_cstring(&fr->tmp)))
            continue;
        hash_insert(fr->reported, fr->tmp.s, (void *)1);
        if (fr->cb(fr->rock, fr->tmp.s, NULL))
            return 1;
    }
    return 0;
}

/* find_cb - db_foreach callback of both passes */
static int find_cb(void *rock, const char *key, size_t keylen,
                   const char *data, size_t datalen)
{
    struct find_rock *fr = rock;
    struct mboxlist_entry *e = NULL;
    int matched, r = 0;

    if (!keylen || (unsigned char)key[0] < MBOXLIST_META_BELOW ||
        in_inbox_tree(fr, key, keylen) != fr->inbox_pass)
        return 0;
    buf_setmap(&fr->name, key, keylen);
    if (fr->inbox_pass) {
        buf_setcstr(&fr->mname, INBOX);
        buf_appendmap(&fr->mname, key + fr->inboxlen, keylen - fr->inboxlen);
    } else {
        buf_setmap(&fr->mname, key, keylen);
    }
    matched = mboxlist_glob_match(fr->inbox_pass ? fr->ipattern : fr->pattern,
                                  fr->mname.s, fr->mname.len, '.');
    if (!matched && !fr->reported)
        return 0;
    if (mboxlist_entry_decode(buf_cstring(&fr->name), data, datalen, &e) !=
        MBOXLIST_OK)
        return 0; /* logged by lookups; LIST just skips it */
    /* e holds copies: the callbacks below may use the handle */
    if (listable(e, fr->filter, fr->frock)) {
        if (fr->reported)
            r = report_levels(fr);
        if (!r && matched) {
            if (fr->reported)
                hash_insert(fr->reported, e->name, (void *)1);
            r = fr->cb(fr->rock, e->name, e);
        }
    }
    mboxlist_entry_free(&e);
    return r;
}

/* literal_len - bytes of pattern before its first wildcard */
static size_t literal_len(const char *pattern)
{
    return strcspn(pattern, "*%");
}

/* fold_inbox - the pattern with its leading letters that spell a prefix
 * of "INBOX" (any case) upper-cased */
static char *fold_inbox(const char *pattern)
{
    char *p = xstrdup(pattern);

    for (size_t i = 0; i < INBOX_LEN && p[i]; i++) {
        char up = (p[i] >= 'a' && p[i] <= 'z') ? (char)(p[i] - 32) : p[i];
        if (up != INBOX[i])
            break;
        p[i] = up;
    }
    return p;
}

/* inbox_prefix - the db prefix of the INBOX pass into out; 0 when the
 * pattern cannot match anything in the INBOX tree */
static int inbox_prefix(const struct find_rock *fr, struct buf *out)
{
    size_t lit = literal_len(fr->ipattern);

    buf_setcstr(out, fr->inbox);
    if (lit <= INBOX_LEN)
        return !strncmp(fr->ipattern, INBOX, lit);
    if (strncmp(fr->ipattern, INBOX, INBOX_LEN) || fr->ipattern[5] != '.')
        return 0;
    buf_appendmap(out, fr->ipattern + INBOX_LEN, lit - INBOX_LEN);
    return 1;
}

int mboxlist_findall(const char *pattern, const char *inbox,
                     mboxlist_filter *filter, void *frock,
                     mboxlist_find_cb *cb, void *rock)
{
    struct db *db = mboxlist_handle();
    struct find_rock fr = { pattern, fold_inbox(pattern), inbox,
                            inbox ? strlen(inbox) : 0, 0, filter, frock, cb,
                            rock, NULL, BUF_INIT, BUF_INIT, BUF_INIT };
    struct buf prefix = BUF_INIT;
    size_t plen = strlen(pattern);
    int r = DB_OK;

    if (!db) {
        free(fr.ipattern);
        return MBOXLIST_NOTOPEN;
    }
    if (plen && pattern[plen - 1] == '%')
        fr.reported = hash_new(64);
    if (inbox && inbox_prefix(&fr, &prefix)) {
        fr.inbox_pass = 1;
        r = db_foreach(db, prefix.s, prefix.len, NULL, find_cb, &fr,
                       mboxlist_txnp());
    }
    if (r == DB_OK) {
        fr.inbox_pass = 0;
        r = db_foreach(db, pattern, literal_len(pattern), NULL, find_cb, &fr,
                       mboxlist_txnp());
    }
    hash_free(&fr.reported, NULL);
    free(fr.ipattern);
    buf_free(&prefix);
    buf_free(&fr.name);
    buf_free(&fr.mname);
    buf_free(&fr.tmp);
    return mboxlist_dberr(r, "findall", pattern);
}

struct child_rock {
    mboxlist_filter *filter;
    void *frock;
    struct buf name;
};

/* child_cb - stop at the first listable child */
static int child_cb(void *rock, const char *key, size_t keylen,
                    const char *data, size_t datalen)
{
    struct child_rock *cr = rock;
    struct mboxlist_entry *e = NULL;
    int found = 0;

    buf_setmap(&cr->name, key, keylen);
    if (mboxlist_entry_decode(buf_cstring(&cr->name), data, datalen, &e) ==
        MBOXLIST_OK)
        found = listable(e, cr->filter, cr->frock);
    mboxlist_entry_free(&e);
    return found;
}

int mboxlist_haschildren(const char *name, mboxlist_filter *filter,
                         void *frock)
{
    struct db *db = mboxlist_handle();
    struct child_rock cr = { filter, frock, BUF_INIT };
    struct buf prefix = BUF_INIT;
    int r;

    if (!db)
        return MBOXLIST_NOTOPEN;
    buf_printf(&prefix, "%s.", name);
    r = db_foreach(db, prefix.s, prefix.len, NULL, child_cb, &cr,
                   mboxlist_txnp());
    buf_free(&prefix);
    buf_free(&cr.name);
    if (r == DB_DONE)
        return 1;
    r = mboxlist_dberr(r, "haschildren", name);
    return r == MBOXLIST_OK ? 0 : r;
}

int mboxlist_filter_acl(void *rock, const struct mboxlist_entry *e)
{
    const struct mboxlist_aclfilter *f = rock;
    unsigned need = f->need ? f->need : ACL_LOOKUP, rights;

    if (f->ns && !auth_state_is_anonymous(f->state) &&
        mboxname_is_owner(f->ns, e->name, auth_state_userid(f->state)) == 1)
        rights = acl_myrights_owner(f->state, e->acl,
                                    f->implicit_owner_rights);
    else
        rights = acl_myrights(f->state, e->acl);
    return (rights & need) == need;
}
