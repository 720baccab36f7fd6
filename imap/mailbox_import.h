/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mailbox_import.h - building a new mailbox from another server's copy
 * (the XFER destination, imap/xfer_recv.c): the same UIDVALIDITY, UIDs,
 * flags, dates and modseqs, the messages added one by one as their bytes
 * arrive.
 *
 * The mailbox does not exist for anybody until mailbox_import_commit
 * installs its cyrus.index, after every message file, the cache and
 * cyrus.header are on disk (fsync'd); freeing an import that was not
 * committed removes everything it wrote.  Results: enum mailbox_result.
 */
#ifndef IMAP_MAILBOX_IMPORT_H
#define IMAP_MAILBOX_IMPORT_H

#include <stddef.h>
#include <stdint.h>

struct mailbox_dump_msg;
struct mailbox_import;

/* mailbox_import_begin - start mailbox name on partition directory root
 * with uidvalidity (not 0).  MAILBOX_E_EXISTS when it already has an
 * index (a stale directory without one is cleared first). */
int mailbox_import_begin(const char *root, const char *name,
                         uint32_t uidvalidity, struct mailbox_import **imp_r);

/* mailbox_import_message_begin / _data / _end - one message, m's UID
 * above every earlier one, its m->size bytes given through _data.
 * _end checks the size, places the file and indexes it.
 * MAILBOX_E_BADNAME for a UID out of order or a bad user flag name,
 * MAILBOX_E_FLAGS_FULL, MAILBOX_E_CORRUPT for a size mismatch. */
int mailbox_import_message_begin(struct mailbox_import *imp,
                                 const struct mailbox_dump_msg *m);
int mailbox_import_message_data(struct mailbox_import *imp, const void *p,
                                size_t n);
int mailbox_import_message_end(struct mailbox_import *imp);

/* mailbox_import_commit - make the mailbox exist: UIDNEXT uidnext (raised
 * above the last UID if needed), HIGHESTMODSEQ at least highestmodseq,
 * deletedmodseq as given.  Durable when it returns MAILBOX_OK. */
int mailbox_import_commit(struct mailbox_import *imp, uint32_t uidnext,
                          uint64_t highestmodseq, uint64_t deletedmodseq);

/* mailbox_import_usage - bytes and messages imported so far. */
void mailbox_import_usage(const struct mailbox_import *imp, int64_t *bytes_r,
                          int64_t *msgs_r);

/* mailbox_import_free - free *impp and NULL it; an import not committed
 * is undone (its files removed). */
void mailbox_import_free(struct mailbox_import **impp);

#endif /* IMAP_MAILBOX_IMPORT_H */
