/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxops.c - rights, lookup and creation of mailboxes with policy: the
 * one place that decides who may see, create and use a mailbox, and that
 * keeps mailboxes.db and the store in step when creating.  Delete and
 * rename are in mboxops_change.c.
 *
 * Callers: imapd commands, lmtpd, tools.  One process, no global state
 * beyond the open databases.  Failures of the store and databases are
 * logged here as IOERROR/DBERROR; results are enum mboxops_result.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "imap/acl.h"
#include "imap/auth_state.h"
#include "imap/mailbox.h"
#include "imap/mboxlist.h"
#include "imap/mboxname.h"
#include "imap/mboxops.h"
#include "imap/mboxops_internal.h"
#include "imap/mboxops_murder.h"
#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"

/* The tag of the special-use field in a mailboxes.db entry (kept in
 * entry->extra, which every reader preserves). */
#define SPECIALUSE_TAG "su"

const char *mboxops_strerror(int r)
{
    switch (r) {
    case MBOXOPS_OK: return "Completed";
    case MBOXOPS_NOTFOUND: return "[NONEXISTENT] Mailbox does not exist";
    case MBOXOPS_EXISTS: return "[ALREADYEXISTS] Mailbox already exists";
    case MBOXOPS_PERM: return "[NOPERM] Permission denied";
    case MBOXOPS_BADNAME: return "[CANNOT] Invalid mailbox name";
    case MBOXOPS_PARTITION: return "[CANNOT] Unknown partition";
    case MBOXOPS_INBOX: return "[CANNOT] Cannot delete INBOX";
    case MBOXOPS_REMOTE: return "[UNAVAILABLE] Mailbox is on another server";
    case MBOXOPS_NOTSELECTABLE:
        return "[UNAVAILABLE] Mailbox is being moved to another server";
    case MBOXOPS_UNAVAILABLE:
        return "[UNAVAILABLE] The mailbox list cannot be changed now: the "
               "MUPDATE master is unreachable; try again later";
    case MBOXOPS_TAKEN:
        return "[ALREADYEXISTS] Mailbox name is in use elsewhere in the "
               "murder (or reserved)";
    default: return "[SERVERBUG] System I/O error";
    }
}

/* who_is_admin - an admin (the system counts as one) */
int mboxops_who_admin(const struct mboxops_who *who)
{
    return !who->auth || auth_state_is_admin(who->auth);
}

unsigned mboxops_rights(const struct mboxops_who *who,
                        const struct mboxlist_entry *e)
{
    const char *uid;

    if (!who->auth)
        return ACL_ALL;
    uid = auth_state_userid(who->auth);
    if (who->ns && !auth_state_is_anonymous(who->auth) &&
        mboxname_is_owner(who->ns, e->name, uid) == 1)
        return acl_myrights_owner(who->auth, e->acl,
                                  cfg_get_string(IMAPOPT_IMPLICIT_OWNER_RIGHTS));
    return acl_myrights(who->auth, e->acl);
}

/* map_mboxlist - an mboxlist result as ours */
int mboxops_from_mboxlist(int r)
{
    switch (r) {
    case MBOXLIST_OK: return MBOXOPS_OK;
    case MBOXLIST_NOTFOUND: return MBOXOPS_NOTFOUND;
    case MBOXLIST_EXISTS: return MBOXOPS_EXISTS;
    case MBOXLIST_BADNAME: return MBOXOPS_BADNAME;
    default: return MBOXOPS_IO;
    }
}

int mboxops_lookup(const struct mboxops_who *who, const char *name,
                   unsigned need, struct mboxlist_entry **e_r,
                   unsigned *rights_r)
{
    struct mboxlist_entry *e = NULL;
    unsigned rights;
    int r = mboxlist_lookup(name, &e);

    if (e_r)
        *e_r = NULL;
    if (r != MBOXLIST_OK)
        return mboxops_from_mboxlist(r);
    rights = mboxops_rights(who, e);
    if (need & MBOXOPS_NEED_ANY)
        need = rights ? rights : ACL_LOOKUP;
    if (!(rights & (ACL_LOOKUP | need)) ||
        (e->type & (MBTYPE_RESERVE | MBTYPE_DELETED))) {
        r = MBOXOPS_NOTFOUND;
    } else if ((rights & need) != need) {
        r = MBOXOPS_PERM;
    } else if (e->type & MBTYPE_MOVING) {
        r = MBOXOPS_NOTSELECTABLE; /* XFER to another server under way */
    } else {
        r = (e->type & MBTYPE_REMOTE) ? MBOXOPS_REMOTE : MBOXOPS_OK;
    }
    if (rights_r)
        *rights_r = rights;
    if (e_r && (r == MBOXOPS_OK || r == MBOXOPS_REMOTE))
        *e_r = e;
    else
        mboxlist_entry_free(&e);
    return r;
}

int mboxops_write_check(const char *name)
{
    struct mboxlist_entry *e = NULL;
    int r = mboxlist_lookup(name, &e);

    if (r == MBOXLIST_OK) {
        r = (e->type & (MBTYPE_MOVING | MBTYPE_REMOTE | MBTYPE_RESERVE |
                        MBTYPE_DELETED)) ? MAILBOX_E_MOVING : MAILBOX_OK;
    } else if (r == MBOXLIST_NOTFOUND) {
        r = MAILBOX_E_MOVING; /* moved, deleted or renamed away */
    } else {
        log_error("DBERROR: cannot check mailbox before a write "
                  "mailbox=<%s> error=<%s>", name, mboxlist_errstr(r));
        r = MAILBOX_E_IO;
    }
    mboxlist_entry_free(&e);
    return r;
}

const char *mboxops_root(const char *partition)
{
    return partition ? cfg_get_partition(partition) : NULL;
}

/* mboxops_ancestor - the nearest existing (normal) ancestor of name, or
 * NULL; caller frees */
struct mboxlist_entry *mboxops_ancestor(const char *name)
{
    char *cur = mboxname_parent(name);

    while (cur) {
        struct mboxlist_entry *e = NULL;
        char *up;

        if (mboxlist_lookup(cur, &e) == MBOXLIST_OK &&
            !(e->type & (MBTYPE_RESERVE | MBTYPE_DELETED))) {
            free(cur);
            return e;
        }
        mboxlist_entry_free(&e);
        up = mboxname_parent(cur);
        free(cur);
        cur = up;
    }
    return NULL;
}

/* mboxops_may_create - may who create name (whose ancestor is anc)? */
int mboxops_may_create(const struct mboxops_who *who,
                       const struct mboxlist_entry *anc)
{
    if (mboxops_who_admin(who))
        return MBOXOPS_OK;
    if (!anc)
        return MBOXOPS_PERM;
    return (mboxops_rights(who, anc) & ACL_CREATE) ? MBOXOPS_OK : MBOXOPS_PERM;
}

/* default_acl - the ACL of a new mailbox without an ancestor into out */
static void default_acl(const char *name, struct buf *out)
{
    struct acl *acl = acl_new();
    const char *err = NULL;
    char *owner = mboxname_is_inbox(name) ? mboxname_to_userid(name) : NULL;

    if (owner) {
        if (acl_set_mask(acl, owner, ACL_MODE_REPLACE, ACL_STANDARD, &err) < 0)
            log_error("cannot give owner rights mailbox=<%s> error=<%s>",
                      name, err);
    } else {
        struct strarray w = STRARRAY_INIT;
        const char *def = cfg_get_string(IMAPOPT_DEFAULTACL);

        strarray_split(&w, def ? def : "", " \t");
        for (size_t i = 0; i + 1 < w.count; i += 2) {
            if (acl_set(acl, w.data[i], w.data[i + 1], &err) < 0)
                log_warning("bad defaultacl entry id=<%s> error=<%s>",
                            w.data[i], err);
        }
        strarray_fini(&w);
    }
    acl_format(acl, out);
    acl_free(&acl);
    free(owner);
}

/* new_uniqueid - a unique id for a new mailbox (seen state key) */
static char *new_uniqueid(void)
{
    static unsigned counter;
    struct timespec ts;
    char id[64];

    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(id, sizeof(id), "%08llx%08lx%06x%04x",
             (unsigned long long)ts.tv_sec, (unsigned long)ts.tv_nsec,
             (unsigned)getpid() & 0xffffffu, ++counter & 0xffffu);
    return xstrdup(id);
}

/* create_store - the mailbox files, replacing a stale leftover */
static int create_store(const char *root, const char *name)
{
    int r = mailbox_create(root, name, 0, NULL);

    if (r == MAILBOX_E_EXISTS) {
        /* not in mailboxes.db, so nobody uses it: a crash's leftover */
        log_notice("removing stale mailbox files mailbox=<%s>", name);
        mailbox_delete(root, name);
        r = mailbox_create(root, name, 0, NULL);
    }
    if (r != MAILBOX_OK)
        log_error("IOERROR: cannot create mailbox mailbox=<%s> error=<%s>",
                  name, mailbox_strerror(r));
    return r == MAILBOX_OK ? MBOXOPS_OK : MBOXOPS_IO;
}

/* set_specialuse - store the special-use list in e->extra */
static void set_specialuse(struct mboxlist_entry *e, const char *su)
{
    if (su && *su)
        buf_printf(&e->extra, " " SPECIALUSE_TAG "=%zu:%s", strlen(su), su);
}

/* create_murder - after the local reserved entry e: reserve on the
 * master, create the store, commit the entry, activate; everything undone
 * on a failure (the mailbox was never acknowledged).  A crash leaves the
 * reserved entry for ctl_mboxlist -m (see imap/mboxops_murder.h). */
static int create_murder(struct mboxlist_entry *e, const char *root)
{
    int r = mboxops_murder_reserve(e->name, e->partition);
    int reserved = r == MBOXOPS_OK, stored = 0;

    if (reserved) {
        mboxops_crash_point("create_after_reserve");
        r = create_store(root, e->name);
        stored = r == MBOXOPS_OK;
    }
    if (stored) {
        mboxops_crash_point("create_after_store");
        e->type = 0;
        r = mboxops_from_mboxlist(mboxlist_update(e));
    }
    if (r == MBOXOPS_OK) {
        mboxops_crash_point("create_after_commit");
        r = mboxops_murder_activate(e->name, e->partition, e->acl);
    }
    if (r != MBOXOPS_OK) {
        if (stored)
            mailbox_delete(root, e->name);
        mboxlist_delete(e->name);
        if (reserved)
            mboxops_murder_remove(e->name);
    }
    return r;
}

int mboxops_create(const struct mboxops_who *who, const char *name,
                   const char *partition, const char *specialuse)
{
    struct mboxlist_entry *anc, *e;
    const char *root;
    int r;

    if (mboxname_policycheck(name, NULL) < 0)
        return MBOXOPS_BADNAME;
    anc = mboxops_ancestor(name);
    r = mboxops_may_create(who, anc);
    if (r == MBOXOPS_OK && partition && !mboxops_who_admin(who))
        r = MBOXOPS_PERM;
    if (r == MBOXOPS_OK && mboxlist_lookup(name, NULL) == MBOXLIST_OK)
        r = MBOXOPS_EXISTS;
    if (!partition)
        partition = anc ? anc->partition
                        : cfg_get_string(IMAPOPT_DEFAULTPARTITION);
    if (r == MBOXOPS_OK && !(root = mboxops_root(partition)))
        r = MBOXOPS_PARTITION;
    if (r != MBOXOPS_OK) {
        mboxlist_entry_free(&anc);
        return r;
    }
    e = mboxlist_entry_new();
    e->name = xstrdup(name);
    e->partition = xstrdup(partition);
    if (anc) {
        e->acl = xstrdup(anc->acl);
    } else {
        struct buf acl = BUF_INIT;
        default_acl(name, &acl);
        e->acl = buf_release(&acl);
    }
    e->uniqueid = new_uniqueid();
    e->created = time(NULL);
    set_specialuse(e, specialuse);
    if (mboxops_murder_active())
        e->type = MBTYPE_RESERVE; /* the next CREATE fails until done */
    r = mboxops_from_mboxlist(mboxlist_create(e));
    if (r == MBOXOPS_OK && e->type)
        r = create_murder(e, root);
    else if (r == MBOXOPS_OK && (r = create_store(root, name)) != MBOXOPS_OK)
        mboxlist_delete(name);
    if (r == MBOXOPS_OK)
        log_info("mailbox created mailbox=<%s> partition=<%s>", name,
                 partition);
    mboxlist_entry_free(&e);
    mboxlist_entry_free(&anc);
    return r;
}

int mboxops_specialuse(const struct mboxlist_entry *e, struct buf *out)
{
    const char *p = e->extra.s, *end = p ? p + e->extra.len : NULL;
    const char *tag = " " SPECIALUSE_TAG "=";
    size_t tl = strlen(tag);

    /* fields are " tag=len:bytes"; the entry decoder validated them */
    while (p && p < end) {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        uint64_t n = 0;
        const char *eq = memchr(p, '=', (size_t)(end - p));

        if (!colon || !eq || eq > colon ||
            str_parse_u64(eq + 1, (size_t)(colon - eq - 1), UINT32_MAX, &n) < 0 ||
            n > (uint64_t)(end - colon - 1))
            return 0;
        if ((size_t)(end - p) > tl && memcmp(p, tag, tl) == 0 && n) {
            buf_appendmap(out, colon + 1, (size_t)n);
            return 1;
        }
        p = colon + 1 + n;
    }
    return 0;
}

int mboxops_specialuse_valid(const char *s, struct buf *out)
{
    static const char *const known[] = {
        "\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent",
        "\\Trash",
    };
    struct strarray w = STRARRAY_INIT;
    int ok = 1;

    strarray_split(&w, s, " ");
    for (size_t i = 0; ok && i < w.count; i++) {
        size_t k;

        for (k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
            if (str_casecmp(known[k], w.data[i]) == 0)
                break;
        }
        if (k == sizeof(known) / sizeof(known[0])) {
            ok = 0;
            break;
        }
        buf_printf(out, "%s%s", out->len ? " " : "", known[k]);
    }
    if (!w.count)
        ok = 0;
    strarray_fini(&w);
    return ok;
}
