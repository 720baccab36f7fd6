/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxops_internal.h - helpers shared by mboxops.c, mboxops_change.c and
 * mboxops_repair.c; not an API for other modules.
 */
#ifndef IMAP_MBOXOPS_INTERNAL_H
#define IMAP_MBOXOPS_INTERNAL_H

#include <stdint.h>

#include "imap/mboxops.h"

struct mboxlist_entry;

/* mboxops_who_admin - 1 for an admin or the system. */
int mboxops_who_admin(const struct mboxops_who *who);
/* mboxops_from_mboxlist - an mboxlist result as an mboxops one. */
int mboxops_from_mboxlist(int r);
/* mboxops_ancestor - the nearest existing ancestor entry of name, or
 * NULL (caller frees). */
struct mboxlist_entry *mboxops_ancestor(const char *name);
/* mboxops_may_create - MBOXOPS_OK when who may create below anc (NULL:
 * at the top: admins only), else MBOXOPS_PERM. */
int mboxops_may_create(const struct mboxops_who *who,
                       const struct mboxlist_entry *anc);
/* mboxops_usage_of - bytes and messages of mailbox name on partition
 * directory root (0 when unreadable or root is NULL). */
void mboxops_usage_of(const char *root, const char *name, int64_t *bytes,
                      int64_t *msgs);
/* mboxops_quota_move - move usage from oldname's quota root to newname's
 * (newname NULL: the mailbox is gone); nothing when the roots agree. */
void mboxops_quota_move(const char *oldname, const char *newname,
                        int64_t bytes, int64_t msgs);

#endif /* IMAP_MBOXOPS_INTERNAL_H */
