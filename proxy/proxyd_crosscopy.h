/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxyd_crosscopy.h - internal to the cross-server COPY/MOVE
 * (proxyd_crosscopy.c: the copy; proxyd_crosscopy_undo.c: taking back
 * what was appended when it fails, including a batch whose answer was
 * lost).
 */
#ifndef PROXY_PROXYD_CROSSCOPY_H
#define PROXY_PROXYD_CROSSCOPY_H

#include <stdint.h>

#include "lib/buf.h"

struct imap_cmd;
struct imap_session;
struct proxy_backend;

/* One message of a FETCH response from the source. */
struct xmsg {
    uint32_t uid;
    struct buf flags, date;          /* "\Seen $Work", "01-Jan-2020 ..." */
    const char *body;                /* into the response */
    uint64_t len;
};

/* A source message to copy, as the UID listing found it. */
struct xsrc {
    uint32_t uid;
    uint32_t flags_len;              /* its FLAGS, for the line budget */
};

/* What the undo knows of one message of the batch in flight. */
struct xmsg_sig {
    uint64_t len;
    int64_t date;                    /* INTERNALDATE, seconds (UTC) */
};

/* The work of one cross COPY/MOVE. */
struct xcopy {
    struct imap_cmd *cmd;
    struct proxy_backend *src, *dst;
    struct buf dest_ext;             /* destination as sent, rendered */
    struct xsrc *src_msgs;           /* the source messages to copy */
    size_t nsrc, src_alloc;
    struct buf src_uids, dst_uids;   /* committed so far, "1,5,7" in order */
    uint32_t uidvalidity;
    struct buf text;                 /* the reason of a failure */
    unsigned batch_max;              /* messages per APPEND command */
    unsigned batches;                /* APPEND commands that committed */
    /* the batch in flight: one MULTIAPPEND, all or nothing */
    char tag[32];                    /* its tag; "" until the first message */
    struct buf batch_src;            /* its source UIDs, "1,5,7" */
    struct xmsg_sig *sig;            /* its messages, in order */
    size_t nsig, sig_alloc;
    struct buf last_head;            /* the first bytes of its last message */
    int dst_failed;                  /* writing it to the destination failed */
    int refused_bad;                 /* the destination answered it BAD */
    int in_doubt;                    /* sent whole, answer lost: it may
                                        have committed */
    int src_dead, dst_dead;          /* connection lost */
    uint32_t dst_next;               /* destination's UIDNEXT at the start */
    uint32_t last_dst;               /* highest UID an APPEND answered */
};

/* Most bytes of a message's start kept to recognise it (its header). */
#define CROSSCOPY_HEAD_KEPT (256u * 1024)

/* xcopy_read_tagged - read be's responses to the command tagged tag:
 * untagged ones go to each (NULL: to s's client, or dropped when s is
 * NULL); 1 OK, 0 NO/BAD (text in text), -1 connection trouble */
int xcopy_read_tagged(struct imap_session *s, struct proxy_backend *be,
                      const char *tag, void (*each)(void *, struct buf *),
                      void *rock, struct buf *text);

/* xcopy_item_after - the text after "name " in [p, e), or NULL */
const char *xcopy_item_after(const char *p, const char *e, const char *name);

/* xcopy_parse_fetch - the UID, INTERNALDATE, FLAGS (when want_flags) and
 * the literal of body_item ("BODY[]") of one FETCH response; 0, or -1
 * when it lacks one */
int xcopy_parse_fetch(const struct buf *resp, const char *body_item,
                      int want_flags, struct xmsg *m);

/* xcopy_as_ranges - the UID list "1,2,3,7" as the set "1:3,7", in place
 * (sorted: only where order does not matter, or the list ascends) */
void xcopy_as_ranges(struct buf *uids);

/* xcopy_undo - remove from the destination what x appended (x->dst_uids)
 * and, when x->in_doubt, the batch in flight if it committed; a fresh
 * connection as the user; failures are logged (duplicates left) */
void xcopy_undo(struct xcopy *x, const char *server);

#endif /* PROXY_PROXYD_CROSSCOPY_H */
