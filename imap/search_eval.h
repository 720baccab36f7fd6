/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * search_eval.h - evaluate a search tree (search_expr.h) against the
 * messages of an open mailbox, and the per-message data SORT and THREAD
 * need.
 *
 * One struct search_eval per command.  search_eval_load() makes a message
 * current; the index record is copied at once, the cache record is
 * decoded and the message file mapped only when a key (or an accessor)
 * needs them, and at most once per message.  Keys are tried in the order
 * search_expr_optimise() left them, so index tests short-circuit before
 * any read.  \Recent is never set (imap_selected.h: RECENT is always 0).
 *
 * Errors: a message whose cache or file cannot be read is logged
 * (IOERROR) and treated as having no such text; it can still match index
 * keys.  One process, one command; not thread-safe.
 */
#ifndef IMAP_SEARCH_EVAL_H
#define IMAP_SEARCH_EVAL_H

#include <stdint.h>

#include "imap/mailbox.h"
#include "imap/message.h"
#include "imap/search_expr.h"
#include "imap/seen_view.h"
#include "lib/buf.h"

struct search_eval;

/* search_eval_new - an evaluator over mb (which must outlive it);
 * saved (may be NULL) is the SEARCHRES saved result, as UIDs; view (may
 * be NULL: the index bit) says whose \Seen SEEN/UNSEEN test. */
struct search_eval *search_eval_new(struct mailbox *mb,
                                    const struct seqset *saved,
                                    const struct seen_view *view);
/* search_eval_free - unmap, free *evp and NULL it. */
void search_eval_free(struct search_eval **evp);

/* search_eval_prepare - look up keyword names in mb (an unknown keyword
 * matches nothing) and order the tree cheapest first.  Call once per
 * tree before matching. */
void search_eval_prepare(struct search_eval *ev, struct search_node *root);

/* search_eval_load - make message msgno (1..mailbox_count) current.
 * 1 ok, 0 when there is no such message. */
int search_eval_load(struct search_eval *ev, uint32_t msgno);

/* search_eval_match - 1 when the current message matches root, else 0. */
int search_eval_match(struct search_eval *ev, const struct search_node *root);

/* search_eval_run - load and match every message of the snapshot; append
 * the matches to *out as UIDs (uid) or message numbers, ascending. */
void search_eval_run(struct search_eval *ev, const struct search_node *root,
                     int uid, struct mailbox_uids *out);

/* ---- accessors of the current message (valid until the next load) ---- */

/* search_eval_record - its index record (a copy held by ev). */
const struct mailbox_record *search_eval_record(const struct search_eval *ev);
uint32_t search_eval_msgno(const struct search_eval *ev);

/* search_eval_field - the cached header value f (UTF-8; Message-ID and
 * Date raw), NULL when absent or unreadable. */
const char *search_eval_field(struct search_eval *ev, enum message_field f);

/* search_eval_header_fields - append the unfolded raw values of header
 * field name (read from the message file) to values. */
void search_eval_header_fields(struct search_eval *ev, const char *name,
                               struct strarray *values);

/* search_eval_sentdate - the Date: header as seconds UTC, or the internal
 * date when it has none or it cannot be read (RFC 5256 2.2). */
int64_t search_eval_sentdate(struct search_eval *ev);

#endif /* IMAP_SEARCH_EVAL_H */
