/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_client_cmds.c - the MUPDATE commands of the client library:
 * RESERVE, ACTIVATE, DEACTIVATE, DELETE, FIND, LIST and NOOP.  Each sends
 * one tagged command and reads until its tagged OK / NO / BAD, handing
 * MAILBOX / RESERVE data responses to a callback.  NO is MUPDATE_NO with
 * the server's text; BAD, BYE and any I/O failure kill the connection
 * (MUPDATE_UNAVAILABLE).
 */
#include "config.h"

#include <string.h>

#include "lib/prot.h"
#include "lib/str.h"
#include "mupdate/mupdate_client_internal.h"

/* command_status - the tagged status response now in the parser */
static int command_status(struct mupdate_client *c, const char *cmd)
{
    mupdate_client_status_text(c);
    if (!str_casecmp(cmd, "OK"))
        return MUPDATE_OK;
    if (!str_casecmp(cmd, "NO"))
        return MUPDATE_NO;
    return mupdate_client_fail(c, "%s from %s: %s", cmd, c->server,
                               buf_cstring(&c->err));
}

/* run_command - send "tag verb argv..." and read to its end; data
 * responses go to cb (the first non-zero cb result is returned after the
 * command completed) */
static int run_command(struct mupdate_client *c, const char *verb,
                       const char *const *argv, size_t argc,
                       mupdate_entry_cb *cb, void *rock)
{
    struct mupdate_entry e;
    const char *t, *cmd;
    char tag[16];
    size_t i;
    int r, cbr = 0;

    if (c->dead)
        return MUPDATE_UNAVAILABLE;
    if (c->update_tag[0])
        return mupdate_client_fail(c, "internal error: %s on an UPDATE "
                                   "channel", verb);
    mupdate_client_next_tag(c, tag);
    prot_printf(c->p, "%s %s", tag, verb);
    for (i = 0; i < argc; i++) {
        prot_write(c->p, " ", 1);
        mupdate_client_put_string(c, argv[i]);
    }
    prot_write(c->p, "\r\n", 2);
    if ((r = mupdate_client_flush(c)) != MUPDATE_OK)
        return r;
    for (;;) {
        if (mupdate_client_read_resp(c, 1, 0) != MUPDATE_RESP_READY)
            return MUPDATE_UNAVAILABLE;
        t = mupdate_client_tag(c);
        cmd = imap_parser_command(c->parser);
        if (!str_casecmp(cmd, "BYE"))
            return command_status(c, cmd);
        if (strcmp(t, tag) && strcmp(t, "*"))
            continue; /* not ours: ignored */
        if (!str_casecmp(cmd, "OK") || !str_casecmp(cmd, "NO") ||
            !str_casecmp(cmd, "BAD")) {
            if (strcmp(t, tag))
                continue; /* an untagged notice */
            r = command_status(c, cmd);
            return r == MUPDATE_OK && cbr ? cbr : r;
        }
        r = mupdate_client_parse_entry(c, &e);
        if (r < 0)
            return MUPDATE_UNAVAILABLE;
        if (r > 0 && cb && !cbr)
            cbr = cb(rock, &e);
    }
}

int mupdate_reserve(struct mupdate_client *c, const char *name,
                    const char *location)
{
    const char *argv[] = { name, location };

    return run_command(c, "RESERVE", argv, 2, NULL, NULL);
}

int mupdate_activate(struct mupdate_client *c, const char *name,
                     const char *location, const char *acl)
{
    const char *argv[] = { name, location, acl ? acl : "" };

    return run_command(c, "ACTIVATE", argv, 3, NULL, NULL);
}

int mupdate_deactivate(struct mupdate_client *c, const char *name,
                       const char *location)
{
    const char *argv[] = { name, location };

    return run_command(c, "DEACTIVATE", argv, 2, NULL, NULL);
}

int mupdate_delete(struct mupdate_client *c, const char *name)
{
    const char *argv[] = { name };

    return run_command(c, "DELETE", argv, 1, NULL, NULL);
}

int mupdate_noop(struct mupdate_client *c)
{
    return run_command(c, "NOOP", NULL, 0, NULL, NULL);
}

struct find_rock {
    const char *name;
    struct mupdate_entry *e;
    int found;
};

/* find_cb - keep the entry for the name asked (the strings stay in c) */
static int find_cb(void *rock, const struct mupdate_entry *e)
{
    struct find_rock *fr = rock;

    if (fr->found || e->kind == MUPDATE_DELETED || strcmp(e->name, fr->name))
        return 0;
    *fr->e = *e;
    fr->found = 1;
    return 0;
}

int mupdate_find(struct mupdate_client *c, const char *name,
                 struct mupdate_entry *e_r)
{
    struct find_rock fr = { name, e_r, 0 };
    const char *argv[] = { name };
    int r;

    memset(e_r, 0, sizeof(*e_r));
    r = run_command(c, "FIND", argv, 1, find_cb, &fr);
    if (r == MUPDATE_OK && !fr.found)
        return MUPDATE_NOTFOUND;
    return r;
}

struct list_rock {
    const char *host;
    mupdate_entry_cb *cb;
    void *rock;
};

/* list_cb - pass on entries whose server part is exactly host (a Cyrus
 * master matches LIST's argument as a mere prefix) */
static int list_cb(void *rock, const struct mupdate_entry *e)
{
    struct list_rock *lr = rock;
    const char *bang;
    size_t len;

    if (e->kind == MUPDATE_DELETED)
        return 0;
    if (lr->host) {
        bang = strchr(e->location, '!');
        len = bang ? (size_t)(bang - e->location) : strlen(e->location);
        if (len != strlen(lr->host) ||
            str_ncasecmp(e->location, lr->host, len))
            return 0;
    }
    return lr->cb(lr->rock, e);
}

int mupdate_list(struct mupdate_client *c, const char *host,
                 mupdate_entry_cb *cb, void *rock)
{
    struct list_rock lr = { host && *host ? host : NULL, cb, rock };
    const char *argv[] = { host };

    return run_command(c, "LIST", argv, lr.host ? 1 : 0, list_cb, &lr);
}
