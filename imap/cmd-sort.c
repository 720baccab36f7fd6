/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-sort.c - SORT and UID SORT (RFC 5256 section 3; DISPLAYFROM and
 * DISPLAYTO of RFC 5957): "SORT (criteria) charset search-keys".
 *
 * Searches with search_eval.c, takes the keys of each match (sort.c) and
 * answers "* SORT n ...", message numbers or UIDs.  Selected state only.
 * Errors: BAD for bad criteria or search keys, NO [BADCHARSET] for an
 * unknown charset (the charset argument is mandatory here).
 */
#include "config.h"

#include <stdlib.h>

#include "imap/imap_selected.h"
#include "imap/imap_session.h"
#include "imap/search_cmd.h"
#include "imap/search_eval.h"
#include "imap/sort.h"
#include "lib/xmalloc.h"

/* collect - the sort items of every message matching root */
static struct sort_item *collect(struct imap_cmd *cmd, struct search_node *root,
                                 const struct sort_criterion *crit, size_t ncrit,
                                 size_t *n_r)
{
    struct mailbox *mb = cmd->sess->selected->mb;
    struct imap_selected *sel = cmd->sess->selected;
    struct search_eval *ev = search_eval_new(mb, &sel->saved, &sel->seen);
    uint32_t count = mailbox_count(mb);
    struct sort_item *items = xcalloc(count ? count : 1, sizeof(*items));
    size_t n = 0;

    search_eval_prepare(ev, root);
    for (uint32_t msgno = 1; msgno <= count; msgno++) {
        if (!search_eval_load(ev, msgno) || !search_eval_match(ev, root))
            continue;
        items[n].msgno = msgno;
        items[n].id = cmd->uid ? search_eval_record(ev)->uid : msgno;
        sort_item_fill(ev, crit, ncrit, &items[n]);
        n++;
    }
    search_eval_free(&ev);
    *n_r = n;
    return items;
}

bool cmd_sort(struct imap_cmd *cmd)
{
    struct sort_criterion crit[SORT_MAX_CRITERIA];
    struct sort_item *items;
    struct search_node *root;
    struct buf out = BUF_INIT;
    const char *charset;
    size_t ncrit = 0, n;

    if (cmd->argc < 3) {
        imap_cmd_bad(cmd, "SORT needs criteria, a charset and search keys");
        return true;
    }
    if (!sort_parse_criteria(&cmd->args[0], crit, &ncrit)) {
        imap_cmd_bad(cmd, "Invalid sort criteria");
        return true;
    }
    if (!imap_arg_get_astring(&cmd->args[1], &charset)) {
        imap_cmd_bad(cmd, "Invalid charset");
        return true;
    }
    root = search_cmd_program(cmd, cmd->args + 2, cmd->argc - 2, charset, NULL);
    if (!root)
        return true;
    items = collect(cmd, root, crit, ncrit, &n);
    sort_items(items, n, crit, ncrit);
    buf_appendcstr(&out, "SORT");
    for (size_t i = 0; i < n; i++)
        buf_printf(&out, " %u", items[i].id);
    imap_untagged(cmd->sess, "%s", buf_cstring(&out));
    imap_cmd_ok(cmd, "%sSORT completed", cmd->uid ? "UID " : "");
    sort_items_free(items, n);
    free(items);
    buf_free(&out);
    search_expr_free(&root);
    return true;
}
