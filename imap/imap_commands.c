/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imap_commands.c - imapd's command table, and the lookup and state check
 * the engine (imap_session.c) runs once per command before any handler.
 *
 * Commands of RFC 3501 (and common extensions) that are known but not yet
 * implemented are listed with a NULL handler: the engine answers them
 * "NO [CANNOT] Command not implemented yet" (after the state check, so a
 * SELECT before login still gets "BAD Please login first"), which tells a
 * client the name is right and is not counted as a bad command.  Names not
 * in the table get "BAD Unknown command" and are counted.  Pure lookups;
 * no state.
 */
#include "config.h"

#include <string.h>

#include "imap/imap_commands.h"
#include "imap/mboxcmds.h"
#include "imap/xfer.h"
#include "lib/log.h"
#include "lib/str.h"

#define ANY   IMAP_CMD_ANYSTATE
#define POST  IMAP_CMD_POSTAUTH
#define SEL   IMAP_CMD_SELECTED
#define PRE   IMAP_CMD_NONAUTH

static const struct imap_command imapd_command_list[] = {
    /* any state (RFC 3501 6.1, RFC 2971) */
    { "CAPABILITY",   cmd_capability, ANY | IMAP_CMD_PRETLS },
    { "NOOP",         cmd_noop,       ANY | IMAP_CMD_PRETLS },
    { "LOGOUT",       cmd_logout,     ANY | IMAP_CMD_PRETLS },
    { "ID",           cmd_id,         ANY | IMAP_CMD_PRETLS },
    /* not authenticated (RFC 3501 6.2) */
    { "STARTTLS",     cmd_starttls,   PRE | IMAP_CMD_PRETLS },
    { "AUTHENTICATE", cmd_authenticate, PRE },
    { "LOGIN",        cmd_login,      PRE | IMAP_CMD_PLAINTEXT },
    /* authenticated (RFC 3501 6.3, RFC 2342, RFC 5161) */
    { "ENABLE",       cmd_enable,     IMAP_CMD_AUTH },
    { "NAMESPACE",    cmd_namespace,  POST },
    { "SELECT",       cmd_select,     POST },
    { "EXAMINE",      cmd_select,     POST },
    { "CREATE",       cmd_create,     POST },
    { "DELETE",       cmd_delete,     POST },
    { "RENAME",       cmd_rename,     POST },
    { "SUBSCRIBE",    cmd_subscribe,  POST },
    { "UNSUBSCRIBE",  cmd_subscribe,  POST },
    { "LIST",         cmd_list,       POST },
    { "LSUB",         cmd_list,       POST },
    { "STATUS",       cmd_status,     POST },
    { "APPEND",       cmd_append,     POST },
    { "IDLE",         cmd_idle,       POST },
    { "COMPRESS",     cmd_compress,   POST },
    { "GETQUOTA",     cmd_quota,      POST },
    { "GETQUOTAROOT", cmd_quota,      POST },
    { "SETQUOTA",     cmd_quota,      POST },
    { "GETACL",       cmd_acl,        POST },
    { "SETACL",       cmd_acl,        POST },
    { "DELETEACL",    cmd_acl,        POST },
    { "LISTRIGHTS",   cmd_acl,        POST },
    { "MYRIGHTS",     cmd_acl,        POST },
    /* murder backends: moving a mailbox to another server (imap/xfer.h) */
    { "XFER",         cmd_xfer,       POST },
    { "XFERRECV",     cmd_xferrecv,   POST },
    { "GETMETADATA",  NULL,           POST },
    { "SETMETADATA",  NULL,           POST },
    /* selected (RFC 3501 6.4) */
    { "CHECK",        cmd_check,      SEL },
    { "CLOSE",        cmd_close,      SEL },
    { "UNSELECT",     cmd_unselect,   SEL },
    { "EXPUNGE",      cmd_expunge,    SEL | IMAP_CMD_UID },
    { "SEARCH",       cmd_search,     SEL | IMAP_CMD_UID },
    { "FETCH",        cmd_fetch,      SEL | IMAP_CMD_UID },
    { "STORE",        cmd_store,      SEL | IMAP_CMD_UID },
    { "COPY",         cmd_copy,       SEL | IMAP_CMD_UID },
    { "MOVE",         cmd_move,       SEL | IMAP_CMD_UID },
    { "SORT",         cmd_sort,       SEL | IMAP_CMD_UID },
    { "THREAD",       cmd_thread,     SEL | IMAP_CMD_UID },
    { "UID",          NULL,           SEL | IMAP_CMD_UIDPREFIX },
};

const struct imap_command_table imapd_commands = {
    imapd_command_list,
    sizeof(imapd_command_list) / sizeof(imapd_command_list[0]),
};

const struct imap_command *imap_commands_find(const struct imap_command_table *t,
                                              const char *name)
{
    /* ~45 entries: a linear scan costs less than one read() */
    for (size_t i = 0; i < t->count; i++) {
        if (str_casecmp(t->cmds[i].name, name) == 0)
            return &t->cmds[i];
    }
    return NULL;
}

const char *imap_commands_check(const struct imap_command *def, unsigned state)
{
    if (def->flags & state)
        return NULL;
    if (state == IMAP_CMD_NONAUTH)
        return "Please login first";
    if ((def->flags & IMAP_CMD_SELECTED) && !(def->flags & IMAP_CMD_AUTH))
        return "Please select a mailbox first";
    if (!(def->flags & IMAP_CMD_POSTAUTH))
        return "Already logged in";
    return "Command not allowed in this state";
}

void imap_commands_valid(const struct imap_command_table *t)
{
    for (size_t i = 0; i < t->count; i++) {
        const struct imap_command *c = &t->cmds[i];

        for (const char *p = c->name; *p; p++) {
            if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                  *p == '-' || *p == '_'))
                panic("command table: bad name <%s>", c->name);
        }
        if (!(c->flags & IMAP_CMD_ANYSTATE))
            panic("command table: <%s> allowed in no state", c->name);
        if ((c->flags & IMAP_CMD_UIDPREFIX) && c->func)
            panic("command table: UID prefix <%s> has a handler", c->name);
        if (imap_commands_find(t, c->name) != c)
            panic("command table: <%s> listed twice", c->name);
    }
}
