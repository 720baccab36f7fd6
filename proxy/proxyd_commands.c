/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxyd_commands.c - proxyd's command table for the shared IMAP engine
 * (imap/imap_session.h).  What the frontend does exactly as imapd does
 * (CAPABILITY, LOGOUT, STARTTLS, LOGIN/AUTHENTICATE, ID, ENABLE,
 * NAMESPACE, COMPRESS, IDLE without a selection, and LIST through
 * imapd's LIST code) uses imapd's handlers; what is routed to a backend
 * uses proxyd's (proxy/proxyd.h).  State checks are the engine's.
 */
#include "config.h"

#include <stddef.h>

#include "imap/imap_commands.h"
#include "imap/imap_session.h"
#include "proxy/proxyd.h"

#define ANY   IMAP_CMD_ANYSTATE
#define POST  IMAP_CMD_POSTAUTH
#define SEL   IMAP_CMD_SELECTED
#define PRE   IMAP_CMD_NONAUTH
#define UID   IMAP_CMD_UID

/* proxyd_cmd_noop - NOOP: with a mailbox selected its backend reports
 * what changed (another session's APPEND, STORE, EXPUNGE) */
static bool proxyd_cmd_noop(struct imap_cmd *cmd)
{
    if (cmd->sess->state == IMAP_CMD_SELECTED)
        return proxyd_cmd_selected(cmd);
    return cmd_noop(cmd);
}

static const struct imap_command proxyd_command_list[] = {
    /* any state: the frontend's own */
    { "CAPABILITY",   cmd_capability,      ANY | IMAP_CMD_PRETLS },
    { "NOOP",         proxyd_cmd_noop,     ANY | IMAP_CMD_PRETLS },
    { "LOGOUT",       cmd_logout,          ANY | IMAP_CMD_PRETLS },
    { "ID",           cmd_id,              ANY | IMAP_CMD_PRETLS },
    /* not authenticated: login at the frontend */
    { "STARTTLS",     cmd_starttls,        PRE | IMAP_CMD_PRETLS },
    { "AUTHENTICATE", cmd_authenticate,    PRE },
    { "LOGIN",        cmd_login,           PRE | IMAP_CMD_PLAINTEXT },
    /* authenticated */
    { "ENABLE",       cmd_enable,          IMAP_CMD_AUTH },
    { "NAMESPACE",    cmd_namespace,       POST },
    { "COMPRESS",     cmd_compress,        POST },
    { "SELECT",       proxyd_cmd_select,   POST },
    { "EXAMINE",      proxyd_cmd_select,   POST },
    { "CREATE",       proxyd_cmd_create,   POST },
    { "DELETE",       proxyd_cmd_delete,   POST },
    { "RENAME",       proxyd_cmd_rename,   POST },
    { "SUBSCRIBE",    proxyd_cmd_subscribe, POST },
    { "UNSUBSCRIBE",  proxyd_cmd_subscribe, POST },
    { "LIST",         proxyd_cmd_list,     POST },
    { "LSUB",         proxyd_cmd_list,     POST },
    { "RLIST",        proxyd_cmd_list,     POST },
    { "RLSUB",        proxyd_cmd_list,     POST },
    { "STATUS",       proxyd_cmd_status,   POST },
    { "APPEND",       proxyd_cmd_append,   POST },
    { "IDLE",         proxyd_cmd_idle,     POST },
    { "GETQUOTA",     proxyd_cmd_quota,    POST },
    { "SETQUOTA",     proxyd_cmd_quota,    POST },
    { "GETQUOTAROOT", proxyd_cmd_mailbox,  POST },
    { "GETACL",       proxyd_cmd_mailbox,  POST },
    { "SETACL",       proxyd_cmd_mailbox,  POST },
    { "DELETEACL",    proxyd_cmd_mailbox,  POST },
    { "LISTRIGHTS",   proxyd_cmd_mailbox,  POST },
    { "MYRIGHTS",     proxyd_cmd_mailbox,  POST },
    { "GETMETADATA",  NULL,                POST },
    { "SETMETADATA",  NULL,                POST },
    /* selected: relayed to the selected mailbox's backend */
    { "CHECK",        proxyd_cmd_selected, SEL },
    { "CLOSE",        proxyd_cmd_close,    SEL },
    { "UNSELECT",     proxyd_cmd_close,    SEL },
    { "EXPUNGE",      proxyd_cmd_selected, SEL | UID },
    { "SEARCH",       proxyd_cmd_selected, SEL | UID },
    { "FETCH",        proxyd_cmd_selected, SEL | UID },
    { "STORE",        proxyd_cmd_selected, SEL | UID },
    { "COPY",         proxyd_cmd_copy,     SEL | UID },
    { "MOVE",         proxyd_cmd_copy,     SEL | UID },
    { "SORT",         proxyd_cmd_selected, SEL | UID },
    { "THREAD",       proxyd_cmd_selected, SEL | UID },
    { "UID",          NULL,                SEL | IMAP_CMD_UIDPREFIX },
};

const struct imap_command_table proxyd_commands = {
    proxyd_command_list,
    sizeof(proxyd_command_list) / sizeof(proxyd_command_list[0]),
};
