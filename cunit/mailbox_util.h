/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mailbox_util.h - helpers shared by the mailbox unit tests: a partition
 * per test, deterministic messages, and a consistency checker that holds a
 * mailbox to the store's promises (every acknowledged message present and
 * intact, nothing half-visible, the header agreeing with the records).
 */
#ifndef CUNIT_MAILBOX_UTIL_H
#define CUNIT_MAILBOX_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "imap/mailbox.h"
#include "lib/buf.h"

#define MBT_BLOB_LEN 40 /* the fake cache blob: the message's first bytes */

/* mbt_root - a fresh, empty partition root for tag (static storage) */
const char *mbt_root(const char *tag);
/* mbt_message - the text of message n of writer who */
void mbt_message(struct buf *out, unsigned who, unsigned n);
/* mbt_append - stage and append one message; its UID, 0 on failure */
uint32_t mbt_append(struct mailbox *mb, const char *root, unsigned who,
                    unsigned n);
/* mbt_sha1 - SHA-1 of p[0..n) */
void mbt_sha1(const void *p, size_t n, unsigned char *out);
/* mbt_read_file - contents of path into out; 1 ok, 0 missing */
int mbt_read_file(const char *path, struct buf *out);
/* mbt_check - open name and check it: every record not expunged has its
 * file with the recorded size and SHA-1 and a cache blob matching it;
 * counts agree; every UID in acked[] is there; at most max_extra messages
 * beyond acked[] exist.  Prints each problem; returns how many. */
int mbt_check(const char *root, const char *name, const uint32_t *acked,
              size_t nacked, size_t max_extra);
/* mbt_index_path - the cyrus.index of name (static storage) */
const char *mbt_file(const char *root, const char *name, const char *file);

#endif /* CUNIT_MAILBOX_UTIL_H */
