/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_reconcile.c - the startup resync's decisions (rules in
 * mupdate/mupdate_reconcile.h): a merge of two name-sorted lists.
 *
 * Pure: no I/O and no state, so the unit tests (cunit/mupdate_reconcile.c)
 * cover every rule; mupdate/mupdate_resync.c acts on the result.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "mupdate/mupdate_reconcile.h"

const char *mupdate_reconcile_op_name(enum reconcile_op op)
{
    switch (op) {
    case RECONCILE_PUSH: return "push";
    case RECONCILE_UNPUSH: return "unpush";
    case RECONCILE_CONFLICT: return "conflict";
    case RECONCILE_ABANDON: return "abandon";
    }
    return "?";
}

/* is_here - the master entry m is located on servername */
static int is_here(const struct reconcile_entry *m, const char *servername)
{
    return m->server && strcasecmp(m->server, servername) == 0;
}

/* same_str - NULL-tolerant equality */
static int same_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* decide - the changes for one name (l and/or m) */
static int decide(const struct reconcile_entry *l,
                  const struct reconcile_entry *m, const char *servername,
                  int flags, reconcile_cb *cb, void *rock)
{
    int r = 0;

    if (l && l->reserved) {
        r = cb(rock, RECONCILE_ABANDON, l, m);
        l = NULL; /* judge the master's entry alone */
    }
    if (r)
        return r;
    if (l && !m)
        return cb(rock, RECONCILE_PUSH, l, NULL);
    if (l && !is_here(m, servername))
        return cb(rock, RECONCILE_CONFLICT, l, m);
    if (l) {
        if (m->reserved || !same_str(l->partition, m->partition) ||
            !same_str(l->acl, m->acl))
            return cb(rock, RECONCILE_PUSH, l, m);
        return 0;
    }
    if (m && is_here(m, servername) && !(flags & RECONCILE_ADD_ONLY))
        return cb(rock, RECONCILE_UNPUSH, NULL, m);
    return 0;
}

int mupdate_reconcile(const struct reconcile_entry *local, size_t nlocal,
                      const struct reconcile_entry *master, size_t nmaster,
                      const char *servername, int flags, reconcile_cb *cb,
                      void *rock)
{
    size_t i = 0, j = 0;
    int r = 0;

    while (!r && (i < nlocal || j < nmaster)) {
        int c = i == nlocal ? 1
              : j == nmaster ? -1
              : strcmp(local[i].name, master[j].name);

        if (c < 0)
            r = decide(&local[i++], NULL, servername, flags, cb, rock);
        else if (c > 0)
            r = decide(NULL, &master[j++], servername, flags, cb, rock);
        else
            r = decide(&local[i++], &master[j++], servername, flags, cb,
                       rock);
    }
    return r;
}
