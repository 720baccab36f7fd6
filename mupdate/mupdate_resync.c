/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_resync.c - ctl_mboxlist -m: gather the local mailbox list and
 * the master's view of it, let mupdate_reconcile decide, carry the
 * decisions out (or only report them), print a line per change and a
 * summary (mupdate/mupdate_resync.h).
 *
 * The master's view is LIST <servername> (everything placed here) plus a
 * FIND for each local mailbox not in it, so a restart of an up-to-date
 * backend costs one LIST, and the whole murder's list is never held.
 * Local failures are counted and reported, never fatal; losing the
 * master stops the run (MUPDATE_UNAVAILABLE).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "imap/mboxlist.h"
#include "imap/mboxops.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "mupdate/mupdate_client.h"
#include "mupdate/mupdate_reconcile.h"
#include "mupdate/mupdate_resync.h"

/* A list of entries owning their strings. */
struct elist {
    struct reconcile_entry *v;
    size_t n, alloc;
};

struct resync {
    struct mupdate_client *c;
    const struct mupdate_resync_opts *o;
    struct mupdate_resync_totals *t;
    struct elist local, master;
    unsigned long seen;      /* entries handled, for progress */
    unsigned stamp;          /* the time, for conflict names */
    struct buf line, loc;
};

/* elist_add - append a copy of e */
static void elist_add(struct elist *l, const struct reconcile_entry *e)
{
    struct reconcile_entry *d;

    if (l->n == l->alloc) {
        l->alloc = l->alloc ? 2 * l->alloc : 256;
        l->v = xrealloc(l->v, l->alloc * sizeof(*l->v));
    }
    d = &l->v[l->n++];
    d->name = xstrdup(e->name);
    d->server = xstrdupnull(e->server);
    d->partition = xstrdup(e->partition ? e->partition : "");
    d->acl = xstrdupnull(e->acl);
    d->reserved = e->reserved;
}

/* elist_free - free the strings and the array */
static void elist_free(struct elist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free((char *)l->v[i].name);
        free((char *)l->v[i].server);
        free((char *)l->v[i].partition);
        free((char *)l->v[i].acl);
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
}

/* entry_cmp - qsort/bsearch order: by name */
static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct reconcile_entry *)a)->name,
                  ((const struct reconcile_entry *)b)->name);
}

/* elist_sort - sort l by name */
static void elist_sort(struct elist *l)
{
    if (l->n) /* qsort(NULL, 0, ...) is undefined */
        qsort(l->v, l->n, sizeof(*l->v), entry_cmp);
}

/* elist_has - name is in the sorted list l */
static int elist_has(const struct elist *l, const char *name)
{
    struct reconcile_entry key = { .name = name };

    return l->n && bsearch(&key, l->v, l->n, sizeof(*l->v), entry_cmp);
}

/* progress - count one entry; a line every MUPDATE_RESYNC_PROGRESS */
static void progress(struct resync *rs, const char *phase)
{
    if (++rs->seen % MUPDATE_RESYNC_PROGRESS)
        return;
    if (rs->o->progress) {
        fprintf(rs->o->progress, "ctl_mboxlist: %s: %lu entries\n", phase,
                rs->seen);
        fflush(rs->o->progress);
    } else {
        log_info("resync progress phase=<%s> entries=<%lu>", phase, rs->seen);
    }
}

/* local_cb - one local entry (remote and deleted ones are not ours) */
static int local_cb(void *rock, const struct mboxlist_entry *e)
{
    struct resync *rs = rock;
    struct reconcile_entry r = {
        e->name, NULL, e->partition, e->acl ? e->acl : "",
        (e->type & MBTYPE_RESERVE) != 0,
    };

    if (!(e->type & (MBTYPE_REMOTE | MBTYPE_DELETED)))
        elist_add(&rs->local, &r);
    progress(rs, "local list");
    return 0;
}

/* add_master - one master entry: the location split at '!' */
static void add_master(struct resync *rs, struct elist *l,
                       const struct mupdate_entry *e)
{
    const char *bang = e->location ? strchr(e->location, '!') : NULL;
    struct reconcile_entry r = { e->name, NULL, NULL, NULL, 0 };
    char *server = bang ? xstrndup(e->location, (size_t)(bang - e->location))
                        : xstrdupnull(e->location);

    r.server = server;
    r.partition = bang ? bang + 1 : "";
    r.reserved = e->kind == MUPDATE_RESERVED;
    r.acl = r.reserved ? NULL : (e->acl ? e->acl : "");
    elist_add(l, &r);
    free(server);
    progress(rs, "master list");
}

/* master_cb - one entry of LIST */
static int master_cb(void *rock, const struct mupdate_entry *e)
{
    struct resync *rs = rock;

    if (e->kind == MUPDATE_MAILBOX || e->kind == MUPDATE_RESERVED)
        add_master(rs, &rs->master, e);
    return 0;
}

/* gather_master - LIST here, then FIND each local name missing from it */
static int gather_master(struct resync *rs)
{
    struct elist found = { 0 };
    int r = mupdate_list(rs->c, rs->o->servername, master_cb, rs);

    elist_sort(&rs->master);
    for (size_t i = 0; r == MUPDATE_OK && i < rs->local.n; i++) {
        struct mupdate_entry e;

        if (rs->local.v[i].reserved ||
            elist_has(&rs->master, rs->local.v[i].name))
            continue;
        r = mupdate_find(rs->c, rs->local.v[i].name, &e);
        if (r == MUPDATE_OK)
            add_master(rs, &found, &e);
        if (r == MUPDATE_NOTFOUND || r == MUPDATE_NO)
            r = MUPDATE_OK;
    }
    for (size_t i = 0; i < found.n; i++)
        elist_add(&rs->master, &found.v[i]);
    elist_free(&found);
    elist_sort(&rs->master);
    return r;
}

/* emit - print rs->line with prefix, and why when not NULL */
static void emit(struct resync *rs, const char *prefix, const char *why)
{
    fprintf(rs->o->out, "%s%s%s%s\n", prefix, buf_cstring(&rs->line),
            why ? ": " : "", why ? why : "");
    if (!rs->o->dry_run)
        log_notice("resync %s%s%s%s", prefix, buf_cstring(&rs->line),
                   why ? ": " : "", why ? why : "");
}

/* done - account for the master's answer r to the change in rs->line:
 * 0 to go on, MUPDATE_UNAVAILABLE to stop */
static int done(struct resync *rs, int r, unsigned long *count)
{
    if (r == MUPDATE_OK) {
        (*count)++;
        emit(rs, "", NULL);
        return 0;
    }
    rs->t->failed++;
    emit(rs, "FAILED ", r == MUPDATE_UNAVAILABLE
                            ? "the MUPDATE master was lost"
                            : mupdate_client_error(rs->c));
    return r == MUPDATE_UNAVAILABLE ? r : 0;
}

/* location - "servername!partition" into rs->loc */
static const char *location(struct resync *rs, const char *partition)
{
    buf_reset(&rs->loc);
    buf_printf(&rs->loc, "%s!%s", rs->o->servername, partition);
    return buf_cstring(&rs->loc);
}

/* push - RESERVE when the master has nothing, then ACTIVATE */
static int push(struct resync *rs, const char *name, const char *partition,
                const char *acl, int reserve)
{
    const char *loc = location(rs, partition);
    int r = reserve ? mupdate_reserve(rs->c, name, loc) : MUPDATE_OK;

    return r == MUPDATE_OK ? mupdate_activate(rs->c, name, loc, acl) : r;
}

/* do_push - the PUSH decision */
static int do_push(struct resync *rs, const struct reconcile_entry *l,
                   const struct reconcile_entry *m)
{
    buf_printf(&rs->line, "push %s (%s)", l->name,
               location(rs, l->partition));
    if (rs->o->dry_run) {
        rs->t->pushed++;
        emit(rs, "would ", NULL);
        return 0;
    }
    return done(rs, push(rs, l->name, l->partition, l->acl, m == NULL),
                &rs->t->pushed);
}

/* do_unpush - the UNPUSH decision: DELETE on the master */
static int do_unpush(struct resync *rs, const struct reconcile_entry *m)
{
    buf_printf(&rs->line, "unpush %s (%s!%s): no such local mailbox",
               m->name, m->server, m->partition);
    if (rs->o->dry_run) {
        rs->t->unpushed++;
        emit(rs, "would ", NULL);
        return 0;
    }
    return done(rs, mupdate_delete(rs->c, m->name), &rs->t->unpushed);
}

/* do_abandon - the ABANDON decision: drop the local reserved entry */
static int do_abandon(struct resync *rs, const struct reconcile_entry *l)
{
    int r;

    buf_printf(&rs->line, "abandon %s: unfinished creation", l->name);
    if (rs->o->dry_run) {
        rs->t->abandoned++;
        emit(rs, "would ", NULL);
        return 0;
    }
    r = mboxops_abandon(l->name);
    if (r != MBOXOPS_OK) {
        rs->t->failed++;
        emit(rs, "FAILED ", mboxops_strerror(r));
        return 0;
    }
    rs->t->abandoned++;
    emit(rs, "", NULL);
    return 0;
}

/* do_conflict - the CONFLICT decision: move the local copy aside, then
 * make its new name known (admins can read and rename it back) */
static int do_conflict(struct resync *rs, const struct reconcile_entry *l,
                       const struct reconcile_entry *m)
{
    struct buf aside = BUF_INIT;
    int r;

    buf_printf(&aside, MUPDATE_RESYNC_CONFLICT_PREFIX "%s.%08X", l->name,
               rs->stamp);
    buf_printf(&rs->line, "conflict %s: the master places it on %s!%s; "
               "local copy moved to %s", l->name, m->server, m->partition,
               buf_cstring(&aside));
    if (rs->o->dry_run) {
        rs->t->moved++;
        emit(rs, "would ", NULL);
        buf_free(&aside);
        return 0;
    }
    r = mboxops_move_aside(l->name, buf_cstring(&aside));
    if (r != MBOXOPS_OK) {
        rs->t->failed++;
        emit(rs, "FAILED ", mboxops_strerror(r));
        buf_free(&aside);
        return 0;
    }
    r = done(rs, push(rs, buf_cstring(&aside), l->partition, "", 1),
             &rs->t->moved);
    buf_free(&aside);
    return r;
}

/* apply_cb - carry out (or report) one decision */
static int apply_cb(void *rock, enum reconcile_op op,
                    const struct reconcile_entry *l,
                    const struct reconcile_entry *m)
{
    struct resync *rs = rock;

    buf_reset(&rs->line);
    progress(rs, "reconcile");
    switch (op) {
    case RECONCILE_PUSH: return do_push(rs, l, m);
    case RECONCILE_UNPUSH: return do_unpush(rs, m);
    case RECONCILE_ABANDON: return do_abandon(rs, l);
    case RECONCILE_CONFLICT: return do_conflict(rs, l, m);
    }
    return 0;
}

/* summary - the totals line */
static void summary(const struct resync *rs)
{
    const struct mupdate_resync_totals *t = rs->t;

    fprintf(rs->o->out, "summary: local=%lu master=%lu pushed=%lu "
            "removed=%lu moved_aside=%lu abandoned=%lu failed=%lu%s\n",
            t->local, t->master, t->pushed, t->unpushed, t->moved,
            t->abandoned, t->failed,
            rs->o->dry_run ? " (dry run: nothing changed)" : "");
    fflush(rs->o->out);
    log_info("resync done local=<%lu> master=<%lu> pushed=<%lu> "
             "removed=<%lu> moved_aside=<%lu> abandoned=<%lu> failed=<%lu> "
             "dry_run=<%d>", t->local, t->master, t->pushed, t->unpushed,
             t->moved, t->abandoned, t->failed, rs->o->dry_run);
}

int mupdate_resync(struct mupdate_client *c,
                   const struct mupdate_resync_opts *o,
                   struct mupdate_resync_totals *t)
{
    struct resync rs = { .c = c, .o = o, .t = t };
    int r;

    memset(t, 0, sizeof(*t));
    rs.stamp = (unsigned)time(NULL);
    if (mboxlist_foreach("", local_cb, &rs) < 0) {
        fprintf(o->out, "FAILED: cannot read the local mailbox list\n");
        return MUPDATE_NO;
    }
    r = gather_master(&rs);
    t->local = rs.local.n;
    t->master = rs.master.n;
    if (r == MUPDATE_OK)
        r = mupdate_reconcile(rs.local.v, rs.local.n, rs.master.v,
                              rs.master.n, o->servername,
                              o->add_only ? RECONCILE_ADD_ONLY : 0,
                              apply_cb, &rs);
    summary(&rs);
    elist_free(&rs.local);
    elist_free(&rs.master);
    buf_free(&rs.line);
    buf_free(&rs.loc);
    return r;
}
