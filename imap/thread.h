/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * thread.h - RFC 5256 base subjects and the THREAD algorithms
 * ORDEREDSUBJECT and REFERENCES, on plain data (no mailbox access).
 *
 * cmd-thread.c fills one struct thread_msg per searched message, in
 * ascending sequence order, and gets the THREAD response text back
 * ("(1 2)(3 (4)(5))").  cmd-sort.c uses thread_base_subject() for SUBJECT.
 * Nothing fails; memory is released by thread_msgs_fini().
 */
#ifndef IMAP_THREAD_H
#define IMAP_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/strarray.h"

/* One message to thread. */
struct thread_msg {
    uint32_t id;            /* what the response shows: msgno or UID */
    uint32_t msgno;         /* sequence number: the final tie-break */
    int64_t sentdate;       /* RFC 5256 2.2 sent date, seconds UTC */
    char *subject;          /* base subject (thread_base_subject), owned */
    bool is_reply;          /* the subject had Re:, Fwd:, (fwd), [fwd: ] */
    char *msgid;            /* normalised Message-ID, owned; NULL none */
    struct strarray refs;   /* normalised references, oldest first */
};

/* thread_base_subject - append the base subject (RFC 5256 2.1) of the
 * UTF-8 subject s (already RFC 2047 decoded; NULL is "") to out, in upper
 * case ASCII so i;ascii-casemap comparisons are strcmp.  Returns true
 * when a reply/forward marker was removed (REFERENCES step 5). */
bool thread_base_subject(const char *s, struct buf *out);

/* thread_msgids - append the normalised msg-ids found in the header
 * value s ("<a@b> <"x"@c>", quoting and CFWS removed, angle brackets
 * kept) to out, at most max of them (0: no limit). */
void thread_msgids(const char *s, size_t max, struct strarray *out);

/* thread_msg_set - fill m's subject/is_reply from a raw decoded subject,
 * msgid from a Message-ID value, refs from References, or when it holds
 * none, the first id of In-Reply-To (any value may be NULL). */
void thread_msg_set(struct thread_msg *m, const char *subject,
                    const char *msgid, const char *references,
                    const char *in_reply_to);

/* thread_msgs_fini - free what msgs[0..n) own. */
void thread_msgs_fini(struct thread_msg *msgs, size_t n);

/* thread_orderedsubject / thread_references - append the threads of
 * msgs[0..n) (ascending msgno) to out, without the "THREAD" word; an
 * empty result appends nothing.  msgs is reordered by ORDEREDSUBJECT. */
void thread_orderedsubject(struct thread_msg *msgs, size_t n, struct buf *out);
void thread_references(struct thread_msg *msgs, size_t n, struct buf *out);

#endif /* IMAP_THREAD_H */
