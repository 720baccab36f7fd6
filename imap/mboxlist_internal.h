/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxlist_internal.h - shared between imap/mboxlist*.c only.
 */
#ifndef IMAP_MBOXLIST_INTERNAL_H
#define IMAP_MBOXLIST_INTERNAL_H

#include <stddef.h>

#include "lib/db.h"

/* Keys starting with a byte below this are metadata, not mailboxes. */
#define MBOXLIST_META_BELOW 0x20

/* mboxlist_handle - the open handle, or NULL. */
struct db *mboxlist_handle(void);
/* mboxlist_txnp - what to pass as a db call's tid: the caller's open
 * transaction, or NULL (autocommit / committed reads). */
struct db_txn **mboxlist_txnp(void);
/* mboxlist_dberr - map a db_result to an mboxlist_result, logging
 * errors with what was being done. */
int mboxlist_dberr(int dbr, const char *what, const char *name);

#endif /* IMAP_MBOXLIST_INTERNAL_H */
