/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxyd_mboxops.c - CREATE, DELETE and RENAME through proxyd.
 *
 * The frontend never writes the list: it picks the backend, passes the
 * command on, and after the backend's answer asks the mupdate slave to
 * catch up (mupdate_kick) so that "A001 CREATE x / A002 SELECT x" works
 * in one session.  CREATE refuses a name the list already holds and
 * places the new mailbox by proxyd_place (the parent's server; a
 * top-level name needs "CREATE name server[!partition]" or serverlist);
 * creating a user's INBOX is an administrator's job on the backend:
 * NO with a referral.  RENAME within a backend is passed on; a RENAME
 * to another server is proxyd_rename_xfer's (proxyd_xfer.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/imap_session.h"
#include "imap/mboxcmds.h"
#include "imap/mboxlist.h"
#include "imap/mboxname.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/xmalloc.h"
#include "mupdate/mupdate_client.h"
#include "proxy/proxy_backend.h"
#include "proxy/proxy_imap.h"
#include "proxy/proxyd.h"

/* pass_all - relay filter: every untagged response to the client */
static bool pass_all(void *rock, const char *resp, size_t len)
{
    (void)rock;
    (void)resp;
    (void)len;
    return true;
}

/* send_kick_answer - send the prepared command on be, wait for the
 * answer, let the slave catch up, then answer the client: the client's
 * next command sees the change in the list */
static void send_kick_answer(struct imap_cmd *cmd, struct proxy_backend *be)
{
    struct buf text = BUF_INIT;
    struct proxyd_relay r = { pass_all, NULL, true, &text };
    enum proxyd_result res = proxyd_relay(cmd, be, &r);

    if (res == PROXYD_DEAD) {
        imap_cmd_no(cmd, "[UNAVAILABLE] Mailbox server is unavailable");
    } else {
        if (res == PROXYD_OK && mupdate_kick(0) != MUPDATE_OK)
            log_info("mupdate kick failed after command=<%s>", cmd->name);
        if (res == PROXYD_OK)
            imap_cmd_ok(cmd, "%s", buf_cstring(&text));
        else if (res == PROXYD_NO)
            imap_cmd_no(cmd, "%s", buf_cstring(&text));
        else
            prot_printf(cmd->sess->prot, "%s BAD %s\r\n", cmd->tag,
                        buf_cstring(&text));
    }
    buf_free(&text);
}

/* split_server - "server!partition" into server (returned, allocated)
 * and *partition_r (into spec, NULL when absent) */
static char *split_server(const char *spec, const char **partition_r)
{
    const char *bang = strchr(spec, '!');

    *partition_r = bang && bang[1] ? bang + 1 : NULL;
    return bang ? xstrndup(spec, (size_t)(bang - spec)) : xstrdup(spec);
}

/* create_target - where CREATE name goes: 0 with server in out, or -1
 * after answering */
static int create_target(struct imap_cmd *cmd, const char *name,
                         const char *ext, struct buf *out)
{
    int r = proxyd_place(name, out);

    if (r > 0)
        return 0;
    if (r < 0) {
        imap_cmd_no(cmd, "[CANNOT] The parent spans several servers; "
                         "name one: CREATE mailbox server");
        return -1;
    }
    if (mboxname_is_inbox(name)) {
        /* creating users is for administrators, on the backend */
        proxyd_refer_admin(cmd, NULL, ext);
        return -1;
    }
    if (proxyd_place_toplevel(out) > 0)
        return 0;
    imap_cmd_no(cmd, "[CANNOT] No parent mailbox; name a server: "
                     "CREATE mailbox server");
    return -1;
}

/* create_send - "CREATE name [partition | (USE ...)]" to the backend */
static void create_send(struct imap_cmd *cmd, const char *server,
                        const char *partition, const struct imap_arg *params)
{
    struct proxy_backend *be;
    struct buf q = BUF_INIT;

    if (proxyd_backend(cmd, server, &be) < 0)
        return;
    if (params) {
        proxyd_send(be, "CREATE", cmd->args, 2);
    } else {
        imap_args_render(cmd->args, 1, IMAP_RENDER_NONSYNC, &q);
        if (partition) {
            buf_putc(&q, ' ');
            proxyd_quote(&q, partition);
        }
        proxyd_sendf(be, "CREATE %s", buf_cstring(&q));
    }
    buf_free(&q);
    send_kick_answer(cmd, be);
}

bool proxyd_cmd_create(struct imap_cmd *cmd)
{
    const char *ext, *spec = NULL, *partition = NULL;
    const struct imap_arg *params = NULL;
    struct buf server = BUF_INIT;
    char *name = NULL, *named = NULL;

    if (cmd->argc < 1 || cmd->argc > 2 ||
        !imap_arg_get_astring(&cmd->args[0], &ext) ||
        (cmd->argc == 2 && cmd->args[1].type != IMAP_ARG_LIST &&
         !imap_arg_get_astring(&cmd->args[1], &spec))) {
        imap_cmd_bad(cmd, "Invalid arguments: CREATE mailbox [server[!partition]]");
        return true;
    }
    if (cmd->argc == 2 && cmd->args[1].type == IMAP_ARG_LIST)
        params = &cmd->args[1];
    if (mboxcmd_internal(cmd->sess, ext, &name) < 0) {
        imap_cmd_no(cmd, "[CANNOT] Invalid mailbox name");
    } else if (mboxlist_lookup(name, NULL) == MBOXLIST_OK) {
        imap_cmd_no(cmd, "[ALREADYEXISTS] Mailbox already exists");
    } else if (spec) {
        named = split_server(spec, &partition);
        create_send(cmd, named, partition, NULL);
    } else if (create_target(cmd, name, ext, &server) == 0) {
        create_send(cmd, buf_cstring(&server), NULL, params);
    }
    free(named);
    free(name);
    buf_free(&server);
    return true;
}

bool proxyd_cmd_delete(struct imap_cmd *cmd)
{
    struct mboxlist_entry *e = NULL;
    struct proxy_backend *be;
    const char *ext;

    if (cmd->argc != 1 || !imap_arg_get_astring(&cmd->args[0], &ext)) {
        imap_cmd_bad(cmd, "Invalid arguments: DELETE mailbox");
        return true;
    }
    if (proxyd_locate(cmd, ext, false, &e) == 0 &&
        proxyd_backend(cmd, e->server, &be) == 0) {
        proxyd_send(be, "DELETE", cmd->args, 1);
        send_kick_answer(cmd, be);
    }
    mboxlist_entry_free(&e);
    return true;
}

/* rename_target - the server the new name belongs on: the named one, the
 * new parent's, or (none known) the mailbox's own */
static char *rename_target(const struct imap_cmd *cmd, const char *newname,
                           const char *cur, const char **partition_r)
{
    const char *spec;
    struct buf b = BUF_INIT;

    *partition_r = NULL;
    if (cmd->argc == 3 && imap_arg_get_astring(&cmd->args[2], &spec))
        return split_server(spec, partition_r);
    if (proxyd_place(newname, &b) > 0)
        return buf_release(&b);
    buf_free(&b);
    return xstrdup(cur);
}

bool proxyd_cmd_rename(struct imap_cmd *cmd)
{
    struct mboxlist_entry *e = NULL;
    struct proxy_backend *be;
    const char *ext, *newext, *partition;
    char *newname = NULL, *to = NULL;

    if (cmd->argc < 2 || cmd->argc > 3 ||
        !imap_arg_get_astring(&cmd->args[0], &ext) ||
        !imap_arg_get_astring(&cmd->args[1], &newext)) {
        imap_cmd_bad(cmd, "Invalid arguments: RENAME old new [server[!partition]]");
        return true;
    }
    if (proxyd_locate(cmd, ext, false, &e) < 0)
        return true;
    if (mboxcmd_internal(cmd->sess, newext, &newname) < 0) {
        imap_cmd_no(cmd, "[CANNOT] Invalid mailbox name");
    } else if (strcmp(newname, e->name) != 0 &&
               mboxlist_lookup(newname, NULL) == MBOXLIST_OK) {
        imap_cmd_no(cmd, "[ALREADYEXISTS] Mailbox already exists");
    } else if (strcmp((to = rename_target(cmd, newname, e->server, &partition)),
                      e->server) != 0) {
        proxyd_rename_xfer(cmd, e, to, partition, newname);
    } else if (proxyd_backend(cmd, e->server, &be) == 0) {
        struct buf q = BUF_INIT;

        /* the server part is ours; the backend takes a partition */
        imap_args_render(cmd->args, 2, IMAP_RENDER_NONSYNC, &q);
        if (partition) {
            buf_putc(&q, ' ');
            proxyd_quote(&q, partition);
        }
        proxyd_sendf(be, "RENAME %s", buf_cstring(&q));
        buf_free(&q);
        send_kick_answer(cmd, be);
    }
    free(to);
    free(newname);
    mboxlist_entry_free(&e);
    return true;
}
