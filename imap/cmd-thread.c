/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-thread.c - THREAD and UID THREAD (RFC 5256 section 4):
 * "THREAD algorithm charset search-keys" with ORDEREDSUBJECT or
 * REFERENCES (thread.c).
 *
 * For each matching message: the base subject, Message-ID and sent date
 * come from the cache record; References and In-Reply-To are not cached,
 * so REFERENCES reads them from the header block of the message file.
 * Selected state only.  Errors: BAD for an unknown algorithm or bad
 * search keys, NO [BADCHARSET] for an unknown charset.
 */
#include "config.h"

#include <stdlib.h>

#include "imap/imap_selected.h"
#include "imap/imap_session.h"
#include "imap/search_cmd.h"
#include "imap/search_eval.h"
#include "imap/thread.h"
#include "lib/xmalloc.h"

/* first_field - the first value of header field name, or NULL */
static const char *first_field(struct search_eval *ev, const char *name,
                               struct strarray *tmp)
{
    strarray_truncate(tmp, 0);
    search_eval_header_fields(ev, name, tmp);
    return tmp->count ? strarray_nth(tmp, 0) : NULL;
}

/* fill - the thread data of the current message of ev */
static void fill(struct search_eval *ev, bool refs, uint32_t id,
                 struct thread_msg *m, struct strarray *tmp)
{
    const char *references = NULL, *irt = NULL;
    char *r = NULL;

    m->id = id;
    m->msgno = search_eval_msgno(ev);
    m->sentdate = search_eval_sentdate(ev);
    if (refs) {
        r = xstrdupnull(first_field(ev, "References", tmp));
        references = r;
        irt = first_field(ev, "In-Reply-To", tmp);
    }
    thread_msg_set(m, search_eval_field(ev, MESSAGE_FIELD_SUBJECT),
                   search_eval_field(ev, MESSAGE_FIELD_MESSAGE_ID),
                   references, irt);
    free(r);
}

/* collect - the thread data of every message matching root */
static struct thread_msg *collect(struct imap_cmd *cmd, struct search_node *root,
                                  bool refs, size_t *n_r)
{
    struct mailbox *mb = cmd->sess->selected->mb;
    struct imap_selected *sel = cmd->sess->selected;
    struct search_eval *ev = search_eval_new(mb, &sel->saved, &sel->seen);
    uint32_t count = mailbox_count(mb);
    struct thread_msg *msgs = xcalloc(count ? count : 1, sizeof(*msgs));
    struct strarray tmp = STRARRAY_INIT;
    size_t n = 0;

    search_eval_prepare(ev, root);
    for (uint32_t msgno = 1; msgno <= count; msgno++) {
        if (!search_eval_load(ev, msgno) || !search_eval_match(ev, root))
            continue;
        fill(ev, refs, cmd->uid ? search_eval_record(ev)->uid : msgno,
             &msgs[n++], &tmp);
    }
    strarray_fini(&tmp);
    search_eval_free(&ev);
    *n_r = n;
    return msgs;
}

bool cmd_thread(struct imap_cmd *cmd)
{
    struct search_node *root;
    struct thread_msg *msgs;
    struct buf out = BUF_INIT;
    const char *charset;
    bool refs;
    size_t n;

    if (cmd->argc < 3) {
        imap_cmd_bad(cmd, "THREAD needs an algorithm, a charset and search keys");
        return true;
    }
    if (imap_arg_atom_equals(&cmd->args[0], "REFERENCES"))
        refs = true;
    else if (imap_arg_atom_equals(&cmd->args[0], "ORDEREDSUBJECT"))
        refs = false;
    else {
        imap_cmd_bad(cmd, "Invalid threading algorithm");
        return true;
    }
    if (!imap_arg_get_astring(&cmd->args[1], &charset)) {
        imap_cmd_bad(cmd, "Invalid charset");
        return true;
    }
    root = search_cmd_program(cmd, cmd->args + 2, cmd->argc - 2, charset, NULL);
    if (!root)
        return true;
    msgs = collect(cmd, root, refs, &n);
    buf_appendcstr(&out, "THREAD");
    if (n)
        buf_putc(&out, ' ');
    if (refs)
        thread_references(msgs, n, &out);
    else
        thread_orderedsubject(msgs, n, &out);
    imap_untagged(cmd->sess, "%s", buf_cstring(&out));
    imap_cmd_ok(cmd, "%sTHREAD completed", cmd->uid ? "UID " : "");
    thread_msgs_fini(msgs, n);
    free(msgs);
    buf_free(&out);
    search_expr_free(&root);
    return true;
}
