/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_list.h - the MUPDATE master's list in memory: every mailbox
 * name of the murder with its location ("server!partition"), its state
 * (active with an ACL, or reserved) in byte order of the name.
 *
 * The master loads it from mailboxes.db at start and changes it only
 * after the same change was committed to disk, so FIND, LIST and UPDATE
 * never touch the disk.  One sorted array of entry pointers: lookups are
 * a binary search, an insert or delete of a name moves pointers (8 MB at
 * a million names, well under a millisecond), a change of an existing
 * name replaces one pointer.
 *
 * Streaming (UPDATE): a reader remembers the last name it sent and asks
 * for the entries after it (mupdate_list_upper_bound); inserts and
 * deletes between its batches then need no bookkeeping.
 *
 * Not thread-safe (one event loop owns it).  Strings are copied.
 */
#ifndef MUPDATE_MUPDATE_LIST_H
#define MUPDATE_MUPDATE_LIST_H

#include <stddef.h>

enum mupdate_list_kind {
    MUPDATE_LIST_ACTIVE = 1,    /* "MAILBOX name location acl" */
    MUPDATE_LIST_RESERVED = 2,  /* "RESERVE name location" */
};

/* One entry.  Valid until the next change of its name or of the list
 * (set, delete, free): copy what must outlive that. */
struct mupdate_list_entry {
    enum mupdate_list_kind kind;
    const char *name;
    const char *location;   /* "server!partition" (or an opaque string) */
    const char *acl;        /* "" for reserved entries */
    size_t server_len;      /* bytes of location before the first '!' */
    char data[];            /* the three strings */
};

struct mupdate_list;

/* mupdate_list_new - an empty list; mupdate_list_free frees it (and every
 * entry) and NULLs *lp. */
struct mupdate_list *mupdate_list_new(void);
void mupdate_list_free(struct mupdate_list **lp);

/* mupdate_list_count - entries held. */
size_t mupdate_list_count(const struct mupdate_list *l);

/* mupdate_list_find - the entry of name, or NULL. */
const struct mupdate_list_entry *mupdate_list_find(const struct mupdate_list *l,
                                                   const char *name);

/* mupdate_list_set - insert name or replace its entry (kind, location,
 * acl; acl NULL means "").  Returns the new entry. */
const struct mupdate_list_entry *mupdate_list_set(struct mupdate_list *l,
                                                  const char *name,
                                                  enum mupdate_list_kind kind,
                                                  const char *location,
                                                  const char *acl);

/* mupdate_list_delete - remove name: 1 removed, 0 it was not there. */
int mupdate_list_delete(struct mupdate_list *l, const char *name);

/* mupdate_list_upper_bound - the index of the first entry whose name
 * sorts after `after` (NULL: 0, the first entry); == count when none. */
size_t mupdate_list_upper_bound(const struct mupdate_list *l, const char *after);

/* mupdate_list_at - the entry at index i (< count). */
const struct mupdate_list_entry *mupdate_list_at(const struct mupdate_list *l,
                                                 size_t i);

/* mupdate_location_server_is - does location's server part (before the
 * first '!', or all of it) equal server? */
int mupdate_location_server_is(const char *location, const char *server);

#endif /* MUPDATE_MUPDATE_LIST_H */
