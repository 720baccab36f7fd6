/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_client_update.c - the client side of UPDATE (RFC 3656 4.11),
 * driven by the slave's poll loop: start the stream, hand every MAILBOX /
 * RESERVE / DELETE to the caller, tell it when the initial list is over
 * and when the answer to a NOOP ping arrived; never blocks on reads.
 * Also mupdate_kick(), which asks the local slave to catch up.
 */
#include "config.h"

#include <string.h>

#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "mupdate/mupdate_client_internal.h"

int mupdate_update_start(struct mupdate_client *c)
{
    if (c->dead)
        return MUPDATE_UNAVAILABLE;
    mupdate_client_next_tag(c, c->update_tag);
    c->listed = 0;
    prot_printf(c->p, "%s UPDATE\r\n", c->update_tag);
    return mupdate_client_flush(c);
}

int mupdate_update_fd(const struct mupdate_client *c)
{
    return c->fd;
}

int mupdate_update_ping(struct mupdate_client *c)
{
    char tag[16];

    if (c->dead)
        return MUPDATE_UNAVAILABLE;
    mupdate_client_next_tag(c, tag);
    prot_printf(c->p, "%s NOOP\r\n", tag);
    return mupdate_client_flush(c);
}

/* update_status - a tagged OK/NO/BAD on the UPDATE channel: the end of the
 * initial list or a ping's answer; 0 go on, else the result to return */
static int update_status(struct mupdate_client *c, const char *tag,
                         const char *cmd, mupdate_event_cb *ev, void *rock)
{
    if (str_casecmp(cmd, "OK")) {
        mupdate_client_status_text(c);
        return mupdate_client_fail(c, "%s %s: %s", c->server, cmd,
                                   buf_cstring(&c->err));
    }
    if (!strcmp(tag, c->update_tag)) {
        if (c->listed)
            return 0; /* a second OK: nothing new */
        c->listed = 1;
        return ev ? ev(rock, MUPDATE_EV_LISTED) : 0;
    }
    /* only NOOPs may follow UPDATE: any other tag is a ping's answer */
    return ev ? ev(rock, MUPDATE_EV_PONG) : 0;
}

int mupdate_update_read(struct mupdate_client *c, mupdate_entry_cb *cb,
                        mupdate_event_cb *ev, void *rock)
{
    struct mupdate_entry e;
    const char *tag, *cmd;
    int r;

    if (!c->update_tag[0])
        return mupdate_client_fail(c, "internal error: no UPDATE started");
    for (;;) {
        r = mupdate_client_read_resp(c, 0, 0);
        if (r == MUPDATE_RESP_AGAIN)
            return MUPDATE_OK;
        if (r != MUPDATE_RESP_READY)
            return MUPDATE_UNAVAILABLE;
        tag = mupdate_client_tag(c);
        cmd = imap_parser_command(c->parser);
        if (!str_casecmp(cmd, "BYE")) {
            mupdate_client_status_text(c);
            return mupdate_client_fail(c, "%s said BYE: %s", c->server,
                                       buf_cstring(&c->err));
        }
        if (!strcmp(tag, "*"))
            continue; /* untagged notices */
        if (!str_casecmp(cmd, "OK") || !str_casecmp(cmd, "NO") ||
            !str_casecmp(cmd, "BAD")) {
            r = update_status(c, tag, cmd, ev, rock);
        } else {
            r = mupdate_client_parse_entry(c, &e);
            if (r < 0)
                return MUPDATE_UNAVAILABLE;
            r = r > 0 && cb ? cb(rock, &e) : 0;
        }
        if (r)
            return r;
    }
}

int mupdate_kick(int timeout_s)
{
    struct mupdate_client_params params;
    struct mupdate_client *c = NULL;
    struct buf path = BUF_INIT;
    const char *dir = cfg_get_string(IMAPOPT_CONFIGDIRECTORY), *err;
    int r;

    if (!dir)
        return MUPDATE_UNAVAILABLE;
    buf_printf(&path, "%s/%s", dir, MUPDATE_SLAVE_SOCKET);
    memset(&params, 0, sizeof(params));
    params.server = buf_cstring(&path);
    params.authname = "";
    params.timeout_s = timeout_s > 0 ? timeout_s : 5;
    r = mupdate_connect(&params, &c, &err);
    if (r == MUPDATE_OK)
        r = mupdate_noop(c);
    mupdate_disconnect(&c);
    buf_free(&path);
    return r == MUPDATE_OK ? MUPDATE_OK : MUPDATE_UNAVAILABLE;
}
