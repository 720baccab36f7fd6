/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_cmds.c - the master's command table and the list commands:
 * RESERVE, ACTIVATE, DEACTIVATE, DELETE (admins only; written in the
 * loop iteration's group commit, mupdate_master_batch.c: durable before
 * the OK and before every UPDATE subscriber gets them), FIND, LIST, NOOP,
 * LOGOUT; AUTHENTICATE and STARTTLS are in mupdate_master_auth.c, UPDATE
 * in mupdate_master_update.c.
 *
 * State checks happen once, in mupdate_cmd_run, from the table's flags.
 * Replies follow Cyrus's mupdate where RFC 3656 leaves the text free;
 * list entries answering FIND/LIST/UPDATE carry the command's tag (RFC
 * 3656 section 3).  Every refusal names what was wrong.
 *
 * A location naming no partition ("server!") is recorded at
 * NO_PARTITION: Cyrus 3.6's RENAME reserves and activates the new name
 * there (its new partition is not known yet), and Cyrus's own master
 * takes it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/imap_parser.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"
#include "mupdate/mupdate_master.h"

/* The partition recorded for a location that names none (as our slave
 * does, mupdate_slave_sync.c). */
#define NO_PARTITION "default"

/* Command flags. */
#define CMD_PREAUTH   0x1   /* allowed before authentication */
#define CMD_ADMIN     0x2   /* changes the list: admins only */
#define CMD_STREAMING 0x4   /* allowed on an UPDATE channel */

struct cmd_ctx {
    struct mupdate_conn *c;
    const char *tag;
    const struct imap_arg *args;
    size_t argc;
};

struct cmd_def {
    const char *name;
    void (*run)(struct cmd_ctx *x);
    size_t min_args, max_args;
    const char *usage;
    unsigned flags;
};

/* string_args - every argument as a string into v[]; 0 or -1 */
static int string_args(const struct cmd_ctx *x, const char **v)
{
    size_t i;

    for (i = 0; i < x->argc; i++) {
        if (!imap_arg_get_astring(&x->args[i], &v[i]))
            return -1;
    }
    return 0;
}

/* location_arg - location v as recorded: "server!" (one '!', last)
 * completed with NO_PARTITION in tmp, anything else as it is (a location
 * without '!' is refused when written) */
static const char *location_arg(const char *v, struct buf *tmp)
{
    const char *bang = strchr(v, '!');

    if (!bang || bang == v || bang[1])
        return v;
    buf_setcstr(tmp, v);
    buf_appendcstr(tmp, NO_PARTITION);
    return buf_cstring(tmp);
}

/* cmd_reserve - RESERVE name location: refused when the name is taken */
static void cmd_reserve(struct cmd_ctx *x)
{
    const char *v[2];
    const struct mupdate_list_entry *e;
    struct buf loc = BUF_INIT;

    if (string_args(x, v) < 0) {
        mupdate_batch_reply(x->c, x->tag, "BAD",
                            "Invalid arguments: RESERVE name location");
        return;
    }
    e = mupdate_batch_find(x->c->srv, v[0]);
    if (e) {
        mupdate_batch_reply(x->c, x->tag, "NO", "Mailbox already exists (%s on %s)",
                            e->kind == MUPDATE_LIST_ACTIVE ? "active" : "reserved",
                            e->location);
        return;
    }
    mupdate_batch_set(x->c, x->tag, v[0], location_arg(v[1], &loc), NULL,
                      "Mailbox reserved");
    buf_free(&loc);
}

/* cmd_activate - ACTIVATE name location acl: create or update */
static void cmd_activate(struct cmd_ctx *x)
{
    const char *v[3];
    struct buf loc = BUF_INIT;

    if (string_args(x, v) < 0) {
        mupdate_batch_reply(x->c, x->tag, "BAD",
                            "Invalid arguments: ACTIVATE name location acl");
        return;
    }
    mupdate_batch_set(x->c, x->tag, v[0], location_arg(v[1], &loc), v[2],
                      "Mailbox activated");
    buf_free(&loc);
}

/* cmd_deactivate - DEACTIVATE name location: active there -> reserved */
static void cmd_deactivate(struct cmd_ctx *x)
{
    const char *v[2];
    const struct mupdate_list_entry *e;
    struct buf loc = BUF_INIT;

    if (string_args(x, v) < 0) {
        mupdate_batch_reply(x->c, x->tag, "BAD",
                            "Invalid arguments: DEACTIVATE name location");
        return;
    }
    e = mupdate_batch_find(x->c->srv, v[0]);
    if (!e || e->kind != MUPDATE_LIST_ACTIVE) {
        mupdate_batch_reply(x->c, x->tag, "NO", "Mailbox not currently active");
        return;
    }
    v[1] = location_arg(v[1], &loc);
    if (strcmp(e->location, v[1]) != 0)
        mupdate_batch_reply(x->c, x->tag, "NO", "Mailbox is active elsewhere (%s)",
                            e->location);
    else
        mupdate_batch_set(x->c, x->tag, v[0], v[1], NULL, "Mailbox reserved");
    buf_free(&loc);
}

/* cmd_delete - DELETE name */
static void cmd_delete(struct cmd_ctx *x)
{
    const char *name;

    if (string_args(x, &name) < 0) {
        mupdate_batch_reply(x->c, x->tag, "BAD", "Invalid arguments: DELETE name");
        return;
    }
    if (!mupdate_batch_find(x->c->srv, name)) {
        mupdate_batch_reply(x->c, x->tag, "NO", "Mailbox doesn't exist");
        return;
    }
    mupdate_batch_delete(x->c, x->tag, name);
}

/* put_tagged_entry - "tag MAILBOX ..." / "tag RESERVE ..." to the peer */
static void put_tagged_entry(struct mupdate_conn *c, const char *tag,
                             const struct mupdate_list_entry *e,
                             struct buf *line)
{
    buf_reset(line);
    buf_appendcstr(line, tag);
    buf_putc(line, ' ');
    mupdate_put_entry(line, e);
    buf_appendcstr(line, "\r\n");
    prot_write(c->prot, line->s, line->len);
}

/* cmd_find - FIND name */
static void cmd_find(struct cmd_ctx *x)
{
    const char *name;
    const struct mupdate_list_entry *e;
    struct buf line = BUF_INIT;

    if (string_args(x, &name) < 0) {
        mupdate_reply(x->c, x->tag, "BAD", "Invalid arguments: FIND name");
        return;
    }
    e = mupdate_list_find(x->c->srv->list, name);
    if (e)
        put_tagged_entry(x->c, x->tag, e, &line);
    buf_free(&line);
    mupdate_reply(x->c, x->tag, "OK", "Search completed");
}

/* cmd_list - LIST [location-prefix], streamed like UPDATE's initial list
 * (mupdate_master_update.c) */
static void cmd_list(struct cmd_ctx *x)
{
    const char *prefix = NULL;

    if (x->argc == 1 && string_args(x, &prefix) < 0) {
        mupdate_reply(x->c, x->tag, "BAD", "Invalid arguments: LIST [prefix]");
        return;
    }
    mupdate_master_list_start(x->c, x->tag, prefix);
}

/* cmd_update - UPDATE [server...] */
static void cmd_update(struct cmd_ctx *x)
{
    struct strarray *hosts = NULL;
    const char *h;
    size_t i;

    for (i = 0; i < x->argc; i++) {
        if (!imap_arg_get_astring(&x->args[i], &h) || !*h) {
            strarray_free(&hosts);
            mupdate_reply(x->c, x->tag, "BAD",
                          "Invalid arguments: UPDATE [server ...]");
            return;
        }
        if (!hosts)
            hosts = strarray_new();
        strarray_append(hosts, h);
    }
    mupdate_master_update_start(x->c, x->tag, hosts);
}

/* cmd_noop - NOOP; on an UPDATE channel every change sent before it is
 * already in the output queue ahead of this OK */
static void cmd_noop(struct cmd_ctx *x)
{
    mupdate_reply(x->c, x->tag, "OK", "Noop done");
}

/* cmd_logout - LOGOUT */
static void cmd_logout(struct cmd_ctx *x)
{
    mupdate_reply(x->c, x->tag, "OK", "bye-bye");
    x->c->closing = 1;
}

/* cmd_authenticate, cmd_starttls - see mupdate_master_auth.c */
static void cmd_authenticate(struct cmd_ctx *x)
{
    mupdate_cmd_authenticate(x->c, x->tag, x->args, x->argc);
}

static void cmd_starttls(struct cmd_ctx *x)
{
    mupdate_cmd_starttls(x->c, x->tag);
}

static const struct cmd_def cmd_table[] = {
    { "ACTIVATE", cmd_activate, 3, 3, "ACTIVATE name location acl", CMD_ADMIN },
    { "AUTHENTICATE", cmd_authenticate, 1, 2,
      "AUTHENTICATE mechanism [initial-response]", CMD_PREAUTH },
    { "DEACTIVATE", cmd_deactivate, 2, 2, "DEACTIVATE name location", CMD_ADMIN },
    { "DELETE", cmd_delete, 1, 1, "DELETE name", CMD_ADMIN },
    { "FIND", cmd_find, 1, 1, "FIND name", 0 },
    { "LIST", cmd_list, 0, 1, "LIST [location-prefix]", 0 },
    { "LOGOUT", cmd_logout, 0, 0, "LOGOUT", CMD_PREAUTH | CMD_STREAMING },
    { "NOOP", cmd_noop, 0, 0, "NOOP", CMD_PREAUTH | CMD_STREAMING },
    { "RESERVE", cmd_reserve, 2, 2, "RESERVE name location", CMD_ADMIN },
    { "STARTTLS", cmd_starttls, 0, 0, "STARTTLS", CMD_PREAUTH },
    { "UPDATE", cmd_update, 0, MUPDATE_ARGS_MAX, "UPDATE [server ...]", 0 },
};

/* cmd_find_def - the table entry of cmd, or NULL */
static const struct cmd_def *cmd_find_def(const char *cmd)
{
    size_t i;

    for (i = 0; i < sizeof(cmd_table) / sizeof(cmd_table[0]); i++) {
        if (str_casecmp(cmd_table[i].name, cmd) == 0)
            return &cmd_table[i];
    }
    return NULL;
}

int mupdate_cmd_is_change(const char *cmd)
{
    const struct cmd_def *d = cmd ? cmd_find_def(cmd) : NULL;

    return d && (d->flags & CMD_ADMIN);
}

/* The refusals below go through mupdate_batch_reply: only a change can
 * run while the peer has changes in the batch, and its answer must stay
 * behind theirs. */
void mupdate_cmd_run(struct mupdate_conn *c, const char *tag, const char *cmd,
                     const struct imap_arg *args, size_t argc)
{
    const struct cmd_def *d = cmd_find_def(cmd);
    struct cmd_ctx x = { c, tag, args, argc };

    if (!d) {
        mupdate_batch_reply(c, tag, "BAD", "Unrecognized command");
        return;
    }
    if (argc < d->min_args || argc > d->max_args) {
        mupdate_batch_reply(c, tag, "BAD", "%s arguments: %s",
                            argc < d->min_args ? "Missing" : "Extra", d->usage);
        return;
    }
    if (!c->userid && !(d->flags & CMD_PREAUTH)) {
        mupdate_batch_reply(c, tag, "NO", "Please authenticate first");
        return;
    }
    if (c->update_tag && !(d->flags & CMD_STREAMING)) {
        mupdate_batch_reply(c, tag, "BAD",
                            "Not legal when streaming (only NOOP and LOGOUT)");
        return;
    }
    if ((d->flags & CMD_ADMIN) && !c->is_admin) {
        log_notice("mupdate change refused: not an admin command=<%s>", d->name);
        mupdate_batch_reply(c, tag, "NO",
                            "Permission denied: only admins may change the list");
        return;
    }
    d->run(&x);
}
