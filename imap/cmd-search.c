/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-search.c - SEARCH and UID SEARCH (RFC 3501 6.4.4), with ESEARCH
 * result options (RFC 4731: RETURN (MIN MAX ALL COUNT)) and the CONDSTORE
 * MODSEQ key (RFC 4551/7162: "(MODSEQ n)" after the results).  Selected
 * state only; the dispatcher checks that.  Under ENABLE IMAP4rev2 every
 * SEARCH is answered with ESEARCH (RETURN omitted means ALL, RFC 9051).
 *
 * The program is parsed by search_expr.c and run by search_eval.c over
 * the session's snapshot (imap_selected.h); results are message numbers,
 * or UIDs after the UID prefix.  Errors: BAD for syntax (the message
 * names the bad key), NO [BADCHARSET] for an unknown charset.
 *
 * SEARCHRES (RFC 5182): RETURN (SAVE) keeps the result as the selection's
 * "$" (imap_selected.h), all of it, or only the MIN/MAX messages when
 * those are asked for without ALL or COUNT; SAVE alone sends no ESEARCH.
 * A SEARCH asking to SAVE that fails (BAD, NO) leaves "$" empty, so a
 * pipelined "FETCH $" acts on nothing rather than on a stale result.
 */
#include "config.h"

#include <string.h>

#include "imap/imap_selected.h"
#include "imap/imap_session.h"
#include "imap/search_cmd.h"
#include "imap/search_eval.h"
#include "lib/str.h"

/* RETURN options (RFC 4731). */
#define RET_MIN   0x1
#define RET_MAX   0x2
#define RET_ALL   0x4
#define RET_COUNT 0x8
#define RET_SAVE  0x10

struct search_node *search_cmd_program(struct imap_cmd *cmd,
                                       const struct imap_arg *args,
                                       size_t argc, const char *charset,
                                       bool *modseq_r)
{
    struct mailbox *mb = cmd->sess->selected->mb;
    uint32_t count = mailbox_count(mb);
    struct search_parse pc = { charset, count, mailbox_msgno_uid(mb, count),
                               true, false, false };
    struct search_node *root = NULL;
    struct buf err = BUF_INIT;
    int r = search_expr_parse(args, argc, &pc, &root, &err);

    if (r == SEARCH_PARSE_BADCHARSET)
        imap_cmd_no(cmd, "[BADCHARSET (UTF-8 US-ASCII)] Unknown charset %s",
                    charset);
    else if (r != SEARCH_PARSE_OK)
        imap_cmd_bad(cmd, "%s", buf_cstring(&err));
    buf_free(&err);
    if (root && pc.uses_modseq)
        cmd->sess->enabled |= IMAP_ENABLED_CONDSTORE;
    if (modseq_r)
        *modseq_r = pc.uses_modseq;
    return root;
}

/* parse_return - RETURN (...) into *ret; 0 ok, -1 after a BAD */
static int parse_return(struct imap_cmd *cmd, const struct imap_arg *arg,
                        unsigned *ret)
{
    static const struct { const char *name; unsigned bit; } opts[] = {
        { "MIN", RET_MIN }, { "MAX", RET_MAX }, { "ALL", RET_ALL },
        { "COUNT", RET_COUNT }, { "SAVE", RET_SAVE },
    };
    const struct imap_arg *list;
    size_t n;

    if (!imap_arg_get_list(arg, &list, &n)) {
        imap_cmd_bad(cmd, "Invalid RETURN options");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        size_t k;
        for (k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
            if (imap_arg_atom_equals(&list[i], opts[k].name))
                break;
        }
        if (k == sizeof(opts) / sizeof(opts[0])) {
            imap_cmd_bad(cmd, "Invalid RETURN option");
            return -1;
        }
        *ret |= opts[k].bit;
    }
    if (!*ret)
        *ret = RET_ALL;                  /* RFC 4731: () means ALL */
    return 0;
}

/* highest_modseq - the highest modseq among the results */
static uint64_t highest_modseq(struct mailbox *mb, const struct mailbox_uids *res,
                               bool uid)
{
    uint64_t max = 0;

    for (size_t i = 0; i < res->count; i++) {
        uint32_t u = uid ? res->v[i] : mailbox_msgno_uid(mb, res->v[i]);
        const struct mailbox_record *rec = mailbox_record(mb, u);
        if (rec && rec->modseq > max)
            max = rec->modseq;
    }
    return max;
}

/* reply_esearch - the RFC 4731 ESEARCH response */
static void reply_esearch(struct imap_cmd *cmd, unsigned ret,
                          const struct mailbox_uids *res, uint64_t modseq)
{
    struct buf out = BUF_INIT;
    struct seqset set = SEQSET_INIT;

    buf_printf(&out, "ESEARCH (TAG \"%s\")%s", cmd->tag, cmd->uid ? " UID" : "");
    if ((ret & RET_MIN) && res->count)
        buf_printf(&out, " MIN %u", res->v[0]);
    if ((ret & RET_MAX) && res->count)
        buf_printf(&out, " MAX %u", res->v[res->count - 1]);
    if (ret & RET_COUNT)
        buf_printf(&out, " COUNT %zu", res->count);
    if ((ret & RET_ALL) && res->count) {
        for (size_t i = 0; i < res->count; i++)
            seqset_add(&set, res->v[i], res->v[i]);
        buf_appendcstr(&out, " ALL ");
        seqset_format(&set, &out);
    }
    if (modseq && res->count)
        buf_printf(&out, " MODSEQ %llu", (unsigned long long)modseq);
    imap_untagged(cmd->sess, "%s", buf_cstring(&out));
    seqset_fini(&set);
    buf_free(&out);
}

/* reply_search - the RFC 3501 SEARCH response */
static void reply_search(struct imap_cmd *cmd, const struct mailbox_uids *res,
                         uint64_t modseq)
{
    struct buf out = BUF_INIT;

    buf_appendcstr(&out, "SEARCH");
    for (size_t i = 0; i < res->count; i++)
        buf_printf(&out, " %u", res->v[i]);
    if (modseq && res->count)
        buf_printf(&out, " (MODSEQ %llu)", (unsigned long long)modseq);
    imap_untagged(cmd->sess, "%s", buf_cstring(&out));
    buf_free(&out);
}

/* parse_prefix - [RETURN (...)] [CHARSET x]; the index of the first key,
 * or -1 after a BAD */
static long parse_prefix(struct imap_cmd *cmd, unsigned *ret, bool *esearch,
                         const char **charset)
{
    size_t i = 0;

    if (i < cmd->argc && imap_arg_atom_equals(&cmd->args[i], "RETURN")) {
        if (i + 1 >= cmd->argc || parse_return(cmd, &cmd->args[i + 1], ret) < 0) {
            if (i + 1 >= cmd->argc)
                imap_cmd_bad(cmd, "Missing RETURN options");
            return -1;
        }
        *esearch = true;
        i += 2;
    }
    if (i < cmd->argc && imap_arg_atom_equals(&cmd->args[i], "CHARSET")) {
        if (i + 1 >= cmd->argc || !imap_arg_get_astring(&cmd->args[i + 1], charset)) {
            imap_cmd_bad(cmd, "Missing or invalid CHARSET");
            return -1;
        }
        i += 2;
    }
    return (long)i;
}

/* wants_save - the command asks for RETURN (SAVE), judged before any
 * validation: even a SEARCH that fails must then empty "$" (RFC 5182) */
static bool wants_save(const struct imap_cmd *cmd)
{
    const struct imap_arg *list;
    size_t n;

    if (cmd->argc < 2 || !imap_arg_atom_equals(&cmd->args[0], "RETURN") ||
        !imap_arg_get_list(&cmd->args[1], &list, &n))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (imap_arg_atom_equals(&list[i], "SAVE"))
            return true;
    }
    return false;
}

/* save_result - make res (UIDs, or message numbers without uid) the saved
 * result "$": all of it, or only its first and/or last message when MIN
 * and/or MAX were asked for without ALL or COUNT (RFC 5182 2.1) */
static void save_result(struct imap_cmd *cmd, unsigned ret,
                        const struct mailbox_uids *res)
{
    struct imap_selected *sel = cmd->sess->selected;
    bool some = (ret & (RET_MIN | RET_MAX)) && !(ret & (RET_ALL | RET_COUNT));

    seqset_reset(&sel->saved);
    for (size_t i = 0; i < res->count; i++) {
        uint32_t u = res->v[i];

        if (some && !((i == 0 && (ret & RET_MIN)) ||
                      (i == res->count - 1 && (ret & RET_MAX))))
            continue;
        if (!cmd->uid)
            u = mailbox_msgno_uid(sel->mb, u);
        seqset_add(&sel->saved, u, u);
    }
}

bool cmd_search(struct imap_cmd *cmd)
{
    struct imap_selected *sel = cmd->sess->selected;
    struct mailbox_uids res = { NULL, 0, 0 };
    struct search_node *root = NULL;
    struct search_eval *ev;
    const char *charset = NULL;
    unsigned ret = 0;
    bool esearch = false, modseq = false;
    long first = parse_prefix(cmd, &ret, &esearch, &charset);

    if (first >= 0)
        root = search_cmd_program(cmd, cmd->args + first,
                                  cmd->argc - (size_t)first, charset, &modseq);
    if (!root) {                         /* answered BAD or NO */
        if (wants_save(cmd))
            seqset_reset(&sel->saved);
        return true;
    }
    if (!esearch && (cmd->sess->enabled & IMAP_ENABLED_IMAP4REV2)) {
        esearch = true;   /* RFC 9051 6.4.4: ESEARCH, ALL when no RETURN */
        ret = RET_ALL;
    }
    ev = search_eval_new(sel->mb, &sel->saved, &sel->seen);
    search_eval_prepare(ev, root);
    search_eval_run(ev, root, cmd->uid, &res);
    search_eval_free(&ev);
    uint64_t hm = modseq ? highest_modseq(sel->mb, &res, cmd->uid) : 0;
    if (ret & RET_SAVE)
        save_result(cmd, ret, &res);
    if (esearch && ret != RET_SAVE)      /* SAVE alone: no ESEARCH */
        reply_esearch(cmd, ret, &res, hm);
    else if (!esearch)
        reply_search(cmd, &res, hm);
    imap_cmd_ok(cmd, "%sSEARCH completed%s", cmd->uid ? "UID " : "",
                (ret & RET_SAVE) ? ", result saved" : "");
    mailbox_uids_fini(&res);
    search_expr_free(&root);
    return true;
}
