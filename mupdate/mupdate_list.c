/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_list.c - the MUPDATE master's in-memory list: a sorted array
 * of entry pointers, each entry one allocation holding its strings.
 *
 * Used by the master's command handlers and UPDATE streams (one event
 * loop, no locking) and by cunit/mupdate_list.c.  Never fails: memory
 * comes from xmalloc.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "mupdate/mupdate_list.h"

struct mupdate_list {
    struct mupdate_list_entry **v;  /* sorted by name (byte order) */
    size_t n, alloc;
};

struct mupdate_list *mupdate_list_new(void)
{
    return xzmalloc(sizeof(struct mupdate_list));
}

void mupdate_list_free(struct mupdate_list **lp)
{
    struct mupdate_list *l = *lp;
    size_t i;

    if (!l)
        return;
    for (i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    free(l);
    *lp = NULL;
}

size_t mupdate_list_count(const struct mupdate_list *l)
{
    return l->n;
}

/* list_search - index of name (*found_r 1) or where it would go (0) */
static size_t list_search(const struct mupdate_list *l, const char *name,
                          int *found_r)
{
    size_t lo = 0, hi = l->n;

    *found_r = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(l->v[mid]->name, name);

        if (c == 0) {
            *found_r = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct mupdate_list_entry *mupdate_list_find(const struct mupdate_list *l,
                                                   const char *name)
{
    int found;
    size_t i = list_search(l, name, &found);

    return found ? l->v[i] : NULL;
}

/* entry_new - one allocation holding the entry and its three strings */
static struct mupdate_list_entry *entry_new(const char *name,
                                            enum mupdate_list_kind kind,
                                            const char *location,
                                            const char *acl)
{
    size_t nl = strlen(name) + 1, ll = strlen(location) + 1;
    size_t al = strlen(acl) + 1;
    struct mupdate_list_entry *e = xmalloc(sizeof(*e) + nl + ll + al);
    const char *bang = strchr(location, '!');

    e->kind = kind;
    memcpy(e->data, name, nl);
    memcpy(e->data + nl, location, ll);
    memcpy(e->data + nl + ll, acl, al);
    e->name = e->data;
    e->location = e->data + nl;
    e->acl = e->data + nl + ll;
    e->server_len = bang ? (size_t)(bang - location) : ll - 1;
    return e;
}

const struct mupdate_list_entry *mupdate_list_set(struct mupdate_list *l,
                                                  const char *name,
                                                  enum mupdate_list_kind kind,
                                                  const char *location,
                                                  const char *acl)
{
    struct mupdate_list_entry *e = entry_new(name, kind, location,
                                             acl ? acl : "");
    int found;
    size_t i = list_search(l, name, &found);

    if (found) {
        free(l->v[i]);
        l->v[i] = e;
        return e;
    }
    if (l->n == l->alloc) {
        l->alloc = l->alloc ? l->alloc * 2 : 1024;
        l->v = xreallocarray(l->v, l->alloc, sizeof(*l->v));
    }
    memmove(l->v + i + 1, l->v + i, (l->n - i) * sizeof(*l->v));
    l->v[i] = e;
    l->n++;
    return e;
}

int mupdate_list_delete(struct mupdate_list *l, const char *name)
{
    int found;
    size_t i = list_search(l, name, &found);

    if (!found)
        return 0;
    free(l->v[i]);
    memmove(l->v + i, l->v + i + 1, (l->n - i - 1) * sizeof(*l->v));
    l->n--;
    return 1;
}

size_t mupdate_list_upper_bound(const struct mupdate_list *l, const char *after)
{
    int found;
    size_t i;

    if (!after)
        return 0;
    i = list_search(l, after, &found);
    return found ? i + 1 : i;
}

const struct mupdate_list_entry *mupdate_list_at(const struct mupdate_list *l,
                                                 size_t i)
{
    return i < l->n ? l->v[i] : NULL;
}

int mupdate_location_server_is(const char *location, const char *server)
{
    const char *bang = strchr(location, '!');
    size_t len = bang ? (size_t)(bang - location) : strlen(location);

    return strlen(server) == len && memcmp(location, server, len) == 0;
}
