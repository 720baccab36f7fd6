/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxyd_list.c - the mailbox-list commands of proxyd: LIST and LSUB
 * (and RFC 2193's RLIST/RLSUB, which also turn referrals on), STATUS,
 * SUBSCRIBE and UNSUBSCRIBE.
 *
 * LIST is answered by imapd's own LIST code (imap/cmd-list.c) over the
 * frontend's copy of mailboxes.db, with ACL checks, patterns, LIST-
 * EXTENDED selection and \HasChildren, without asking any backend.  What
 * the list does not hold comes from backends through a struct
 * list_source: the subscriptions from the user's INBOX backend ("LSUB ""
 * *", entries not active in the murder dropped; that backend down means
 * NO, never an empty list), LIST-STATUS from each mailbox's backend.
 * STATUS and (UN)SUBSCRIBE are relayed to the mailbox's / the INBOX's
 * backend.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/imap_session.h"
#include "imap/mboxcmds.h"
#include "imap/mboxlist.h"
#include "imap/mboxname.h"
#include "lib/str.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"
#include "proxy/proxy_backend.h"
#include "proxy/proxy_imap.h"
#include "proxy/proxyd.h"

/* The STATUS item names, in STATUS_* bit order (imap/mboxcmds.h). */
static const char *const status_words[] = {
    "MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "SIZE",
    "HIGHESTMODSEQ",
};

/* skip_string - past an IMAP string (quoted, literal or atom) at p in
 * resp[0..len); its value into out.  NULL when malformed. */
static const char *skip_string(const char *p, const char *end, struct buf *out)
{
    buf_reset(out);
    if (p < end && *p == '"') {
        for (p++; p < end && *p != '"'; p++) {
            if (*p == '\\' && p + 1 < end)
                p++;
            buf_putc(out, *p);
        }
        return p < end ? p + 1 : NULL;
    }
    if (p < end && *p == '{') {
        uint64_t n = 0;

        for (p++; p < end && *p >= '0' && *p <= '9'; p++)
            n = n * 10 + (uint64_t)(*p - '0');
        if (end - p < 3 || p[0] != '}' || p[1] != '\r' || p[2] != '\n' ||
            (uint64_t)(end - p - 3) < n)
            return NULL;
        buf_setmap(out, p + 3, (size_t)n);
        return p + 3 + n;
    }
    while (p < end && *p != ' ' && *p != '\r' && *p != ')')
        buf_putc(out, *p++);
    return p;
}

/* lsub_name - the mailbox name of "* LSUB (attrs) sep name" into out;
 * false when resp is something else */
static bool lsub_name(const char *resp, size_t len, struct buf *out)
{
    const char *p = resp, *end = resp + len;

    if (len < 8 || str_ncasecmp(p, "* LSUB (", 8) != 0)
        return false;
    if (!(p = memchr(p, ')', len)) || end - p < 3)
        return false;
    p += 2;                              /* ") " */
    if (!(p = skip_string(p, end, out)) || p >= end || *p != ' ')
        return false;                    /* the separator, or NIL */
    return skip_string(p + 1, end, out) != NULL;
}

/* struct subs_rock - gathering the backend's subscriptions */
struct subs_rock {
    struct imap_session *s;
    struct strarray *names;
};

/* subs_cb - relay filter: keep each subscribed name active in the murder
 * (as an internal name); the client sees none of them */
static bool subs_cb(void *rock, const char *resp, size_t len)
{
    struct subs_rock *sr = rock;
    struct buf ext = BUF_INIT;
    struct mboxlist_entry *e = NULL;
    char *name = NULL;

    if (lsub_name(resp, len, &ext) &&
        mboxcmd_internal(sr->s, buf_cstring(&ext), &name) == 0 &&
        mboxlist_lookup(name, &e) == MBOXLIST_OK &&
        !(e->type & (MBTYPE_RESERVE | MBTYPE_DELETED)))
        strarray_append(sr->names, name);
    mboxlist_entry_free(&e);
    free(name);
    buf_free(&ext);
    return false;
}

/* backend_subs - list_source: the subscriptions, from the INBOX's backend */
static int backend_subs(struct imap_cmd *cmd, struct strarray *names,
                        const char **error_r)
{
    struct subs_rock sr = { cmd->sess, names };
    struct buf server = BUF_INIT, text = BUF_INIT;
    struct proxyd_relay r = { subs_cb, &sr, true, &text };
    struct proxy_backend *be;
    enum proxyd_result res = PROXYD_DEAD;

    if (proxyd_inbox_server_get(cmd->sess, &server) == 0 &&
        proxyd_backend_get(cmd->sess, buf_cstring(&server), &be) == 0) {
        proxyd_sendf(be, "LSUB \"\" \"*\"");
        res = proxyd_relay(cmd, be, &r);
    }
    buf_free(&server);
    buf_free(&text);
    if (res == PROXYD_OK)
        return 0;
    *error_r = "[UNAVAILABLE] Subscriptions are unavailable right now";
    return -1;
}

/* pass_all - relay filter: everything to the client */
static bool pass_all(void *rock, const char *resp, size_t len)
{
    (void)rock;
    (void)resp;
    (void)len;
    return true;
}

/* backend_status - list_source: LIST-STATUS from the mailbox's backend
 * (nothing when it is down: RFC 5819 lets a server omit STATUS) */
static void backend_status(struct imap_cmd *cmd, const char *ext,
                           const char *name, unsigned items)
{
    struct mboxlist_entry *e = NULL;
    struct proxy_backend *be;
    struct proxyd_relay r = { pass_all, NULL, true, NULL };
    struct buf words = BUF_INIT, q = BUF_INIT;

    if (mboxlist_lookup(name, &e) != MBOXLIST_OK || !e->server ||
        proxyd_backend_get(cmd->sess, e->server, &be) < 0) {
        mboxlist_entry_free(&e);
        return;
    }
    for (size_t i = 0; i < sizeof(status_words) / sizeof(status_words[0]); i++) {
        if (items & (1u << i))
            buf_printf(&words, "%s%s", words.len ? " " : "", status_words[i]);
    }
    proxyd_quote(&q, ext);
    proxyd_sendf(be, "STATUS %s (%s)", buf_cstring(&q), buf_cstring(&words));
    proxyd_relay(cmd, be, &r);
    buf_free(&words);
    buf_free(&q);
    mboxlist_entry_free(&e);
}

static const struct list_source backend_source = { backend_subs, backend_status };

bool proxyd_cmd_list(struct imap_cmd *cmd)
{
    struct imap_cmd as = *cmd;

    if (cmd->name[0] == 'R') {
        /* RFC 2193: the client understands referrals */
        proxyd_sess(cmd->sess)->referrals = true;
        as.name = cmd->name + 1;  /* "LIST" / "LSUB" */
    }
    cmd_list_from(&as, &backend_source);
    return true;
}

bool proxyd_cmd_status(struct imap_cmd *cmd)
{
    struct mboxlist_entry *e = NULL;
    const char *ext;

    if (cmd->argc != 2 || !imap_arg_get_astring(&cmd->args[0], &ext)) {
        imap_cmd_bad(cmd, "Invalid arguments: STATUS mailbox (items)");
        return true;
    }
    if (proxyd_locate(cmd, ext, false, &e) == 0)
        proxyd_pass(cmd, e->server);
    mboxlist_entry_free(&e);
    return true;
}

bool proxyd_cmd_subscribe(struct imap_cmd *cmd)
{
    struct buf server = BUF_INIT;

    if (proxyd_inbox_server(cmd, &server) == 0)
        proxyd_pass(cmd, buf_cstring(&server));
    buf_free(&server);
    return true;
}
