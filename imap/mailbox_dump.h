/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mailbox_dump.h - the serialised form of one mailbox that a backend
 * sends to another when a mailbox moves (XFER, imap/xfer.h): its
 * mailboxes.db entry, index header, every message (flags, dates, modseq
 * and the raw bytes), the other users' seen records of it and, for a
 * user's INBOX, the user's seen state and subscriptions.
 *
 * FORMAT (version 1).  A header line, then items, each a line of
 * space-separated fields, then for "msg" exactly size raw bytes and LF:
 *     "MURDER-XFER 1" LF
 *     "mailbox" fields LF     name, e (the stored mboxlist value,
 *                             imap/mboxlist.h), uidvalidity, uidnext,
 *                             highestmodseq, deletedmodseq
 *     ["quota" fields LF]     storage, message: the limits when the
 *                             mailbox is itself a quota root (-1 none)
 *     *("msg" fields LF bytes LF)   uid, sys, idate, idatens, modseq,
 *                             sentdate, flags (user flag names, space
 *                             separated), size
 *     *("useen" fields LF)    o (userid), d (seen_encode record): other
 *                             users' per-user \Seen of this mailbox
 *     *("seen" fields LF)     u (unique id), d (seen_encode record)
 *     *("sub" fields LF)      n (internal mailbox name)
 *     "end" fields LF         msgs: the number of msg items (a check)
 * A field is  key "=" value  where value is a decimal number or
 * length ":" bytes (binary-safe, e.g. "n=10:user.alice").  Readers
 * ignore fields and items they do not know (a later version 1 writer
 * may add some); a higher version is refused.  Expunged messages are not
 * dumped; deletedmodseq is raised to cover them (QRESYNC clients resync).
 *
 * The writer streams through a callback and the reader is a push parser
 * fed any number of bytes at a time: neither holds a message (let alone
 * a mailbox) in memory.  Results are enum mailbox_result (imap/mailbox.h)
 * with a static error text.
 */
#ifndef IMAP_MAILBOX_DUMP_H
#define IMAP_MAILBOX_DUMP_H

#include <stddef.h>
#include <stdint.h>

#include "imap/quota.h"

struct mboxlist_entry;
struct seen_data;
struct strarray;

#define MAILBOX_DUMP_MAGIC "MURDER-XFER"
#define MAILBOX_DUMP_VERSION 1
/* Longest item line a reader accepts (a long ACL or seen set). */
#define MAILBOX_DUMP_LINE_MAX (1024 * 1024)

/* What to dump. */
struct mailbox_dump_src {
    const char *root;                    /* the partition's directory */
    const struct mboxlist_entry *entry;  /* the mailbox's local entry */
    const char *userid;  /* not NULL: also this user's seen state and
                            subscriptions (moving the user's INBOX) */
};

/* out - write n bytes; 0 ok, -1 failed (the dump stops). */
typedef int mailbox_dump_out_fn(void *rock, const void *p, size_t n);

/* mailbox_dump_write - dump src through out.  The messages are those of
 * the index when the mailbox was opened; *generation_r (may be NULL)
 * gets that index generation, so the caller can tell later whether the
 * mailbox changed after the dump.  MAILBOX_OK, or an error with
 * *error_r (static text): a message file that vanished meanwhile is
 * MAILBOX_E_NOTFOUND (try again), out failing MAILBOX_E_IO. */
int mailbox_dump_write(const struct mailbox_dump_src *src,
                       mailbox_dump_out_fn *out, void *rock,
                       uint64_t *generation_r, const char **error_r);

/* The mailbox item as read. */
struct mailbox_dump_header {
    const char *name;                  /* internal name */
    struct mboxlist_entry *entry;      /* decoded e; the callback may take
                                          it (set to NULL), else freed */
    uint32_t uidvalidity, uidnext;
    uint64_t highestmodseq, deletedmodseq;
};

/* A msg item as read; its bytes follow through message_data. */
struct mailbox_dump_msg {
    uint32_t uid, system_flags, internaldate_ns;
    int64_t internaldate, sentdate;
    uint64_t modseq, size;
    const struct strarray *user_flags; /* names */
};

/* What the reader calls, in dump order.  Each returns 0, or -1 to fail
 * the dump (then it sets *error_r to a static text, or leaves it for
 * the generic "rejected").  Any may be NULL (skipped). */
struct mailbox_undump_ops {
    int (*header)(void *rock, struct mailbox_dump_header *h,
                  const char **error_r);
    int (*quota)(void *rock, const int64_t limits[QUOTA_NUMRESOURCES],
                 const char **error_r);
    int (*message_begin)(void *rock, const struct mailbox_dump_msg *m,
                         const char **error_r);
    int (*message_data)(void *rock, const void *p, size_t n,
                        const char **error_r);
    int (*message_end)(void *rock, const char **error_r);
    int (*seen)(void *rock, const char *uniqueid, const struct seen_data *sd,
                const char **error_r);
    int (*subscription)(void *rock, const char *name, const char **error_r);
    /* another user's seen record of this mailbox ("useen") */
    int (*user_seen)(void *rock, const char *userid,
                     const struct seen_data *sd, const char **error_r);
};

struct mailbox_undump;

/* mailbox_undump_new - a reader calling ops with rock; free it with
 * mailbox_undump_free (NULLs the pointer). */
struct mailbox_undump *mailbox_undump_new(const struct mailbox_undump_ops *ops,
                                          void *rock);
void mailbox_undump_free(struct mailbox_undump **up);

/* mailbox_undump_feed - the next n bytes of the dump.  0, or -1 with
 * *error_r (static) when the dump is malformed or a callback failed;
 * the error is sticky (later feeds return it again, cheaply). */
int mailbox_undump_feed(struct mailbox_undump *u, const void *p, size_t n,
                        const char **error_r);
/* mailbox_undump_finish - no more bytes: 0 when the dump was complete
 * ("end" seen with the right count, nothing after it), else -1 with
 * *error_r. */
int mailbox_undump_finish(struct mailbox_undump *u, const char **error_r);

#endif /* IMAP_MAILBOX_DUMP_H */
