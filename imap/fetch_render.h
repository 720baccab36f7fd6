/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fetch_render.h - write one "* n FETCH (...)" response for a struct
 * fetch_plan (imap/fetch_items.h).
 *
 * Answers come from the index record (FLAGS, UID, INTERNALDATE,
 * RFC822.SIZE, MODSEQ) and the cache record (ENVELOPE, BODY,
 * BODYSTRUCTURE and the part tree for sections) without reparsing; only
 * when a cache record fails to decode is the message file parsed again
 * (logged).  Body sections are written as literals straight from the
 * mapped message file through the stream's fixed buffer, so memory stays
 * small whatever the message size; only BINARY of an encoded part and
 * HEADER.FIELDS build their bytes in memory.
 */
#ifndef IMAP_FETCH_RENDER_H
#define IMAP_FETCH_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "imap/fetch_items.h"
#include "imap/mailbox.h"
#include "lib/buf.h"

struct imap_session;

/* Per-command state, reused for every message. */
struct fetch_render {
    struct imap_session *sess;
    struct mailbox *mb;
    const struct fetch_plan *plan;
    bool modseq;             /* add MODSEQ (asked, or FLAGS under CONDSTORE) */
    unsigned expunged;       /* messages skipped: file gone */
    unsigned unknown_cte;    /* messages skipped: BINARY of unknown CTE */
    struct buf line, scratch, cache;
};

/* fetch_render_init / fini - set up and free the scratch state. */
void fetch_render_init(struct fetch_render *fr, struct imap_session *sess,
                       struct mailbox *mb, const struct fetch_plan *plan);
void fetch_render_fini(struct fetch_render *fr);

/* fetch_render_message - write the FETCH response of message msgno whose
 * record is rec (a copy the caller owns).  add_flags: also send FLAGS
 * (this FETCH just set \Seen).  Returns 1 written; 0 when the message was
 * skipped (its file is gone: counted in ->expunged; BINARY of an unknown
 * Content-Transfer-Encoding: ->unknown_cte); -1 when the client stream
 * failed (stop). */
int fetch_render_message(struct fetch_render *fr, uint32_t msgno,
                         const struct mailbox_record *rec, bool add_flags);

/* fetch_render_date - append rec's INTERNALDATE as an IMAP date-time
 * ("17-Jul-1996 02:44:25 -0700", quoted) to out, in local time. */
void fetch_render_date(int64_t t, struct buf *out);

#endif /* IMAP_FETCH_RENDER_H */
