/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxyd_locate.c - where a client's mailbox lives, for proxyd: the local
 * copy of the murder's mailboxes.db (kept by the mupdate slave), read
 * again after asking the slave to catch up (mupdate_kick) when a name is
 * missing, as the seeds' SELECT procedure says; and the RFC 2193
 * referrals that send a referral-aware client to the backend itself.
 *
 * Visibility follows imapd (imap/mboxops.h): a mailbox the user has no
 * right on is reported as nonexistent.  The backend checks the rights a
 * command needs; the frontend only decides where to send it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/imap_session.h"
#include "imap/mboxcmds.h"
#include "imap/mboxlist.h"
#include "imap/mboxname.h"
#include "imap/mboxops.h"
#include "lib/cfg.h"
#include "lib/log.h"
#include "lib/strarray.h"
#include "lib/xmalloc.h"
#include "mupdate/mupdate_client.h"
#include "proxy/proxyd.h"

/* lookup - mboxops_lookup as the session; 1 found (remote), 0 not */
static int lookup(struct imap_session *s, const char *name,
                  struct mboxlist_entry **e_r)
{
    struct mboxops_who who;
    int r;

    mboxcmd_who(s, &who);
    r = mboxops_lookup(&who, name, 0, e_r, NULL);
    if (r == MBOXOPS_REMOTE || r == MBOXOPS_OK)
        return 1;
    mboxlist_entry_free(e_r);
    return 0;
}

/* lookup_kick - lookup, and on a miss once more after the slave caught
 * up with the master */
static int lookup_kick(struct imap_session *s, const char *name,
                       struct mboxlist_entry **e_r)
{
    int r;

    if (lookup(s, name, e_r))
        return 1;
    r = mupdate_kick(0);
    if (r != MUPDATE_OK)
        log_info("mupdate kick failed error=<%s>", mupdate_client_errstr(r));
    return lookup(s, name, e_r);
}

int proxyd_lookup(struct imap_session *s, const char *ext,
                  struct mboxlist_entry **e_r)
{
    char *name = NULL;
    int r;

    *e_r = NULL;
    if (mboxcmd_internal(s, ext, &name) < 0)
        return -1;
    r = lookup_kick(s, name, e_r);
    free(name);
    if (r && (!((*e_r)->type & MBTYPE_REMOTE) || !(*e_r)->server)) {
        /* a frontend holds no mail: a local entry is a misconfiguration */
        log_error("mailbox without server on frontend mailbox=<%s>", (*e_r)->name);
        mboxlist_entry_free(e_r);
        return -2;
    }
    return r;
}

int proxyd_locate(struct imap_cmd *cmd, const char *ext, bool trycreate,
                  struct mboxlist_entry **e_r)
{
    switch (proxyd_lookup(cmd->sess, ext, e_r)) {
    case 1:
        return 0;
    case 0:
        imap_cmd_no(cmd, "%s", trycreate ? "[TRYCREATE] Mailbox does not exist"
                                         : "[NONEXISTENT] Mailbox does not exist");
        return -1;
    case -1:
        imap_cmd_no(cmd, "[CANNOT] Invalid mailbox name");
        return -1;
    default:
        imap_cmd_no(cmd, "[UNAVAILABLE] Mailbox has no server");
        return -1;
    }
}

const char *proxyd_server(const struct mboxlist_entry *e, struct buf *out)
{
    buf_setcstr(out, e->server ? e->server : "");
    return buf_cstring(out);
}

int proxyd_inbox_server_get(struct imap_session *s, struct buf *out)
{
    char *inbox = mboxname_user_inbox(&s->ns, s->userid);
    struct mboxlist_entry *e = NULL;
    int r = -1;

    if (inbox && lookup_kick(s, inbox, &e) && e->server) {
        buf_setcstr(out, e->server);
        r = 0;
    }
    mboxlist_entry_free(&e);
    free(inbox);
    return r;
}

int proxyd_inbox_server(struct imap_cmd *cmd, struct buf *out)
{
    if (proxyd_inbox_server_get(cmd->sess, out) == 0)
        return 0;
    imap_cmd_no(cmd, "[UNAVAILABLE] Cannot find the server of your INBOX");
    return -1;
}

/* url_escape - append s %-escaped for an IMAP URL (RFC 2192 achar) */
static void url_escape(struct buf *out, const char *s)
{
    static const char ok[] = "!$'()*+,-._&=~:@/";

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || (c && strchr(ok, c)))
            buf_putc(out, (char)c);
        else
            buf_printf(out, "%%%02X", c);
    }
}

/* referral - "imap://user;AUTH=*@server/mailbox" */
static void referral(struct imap_session *s, const char *server,
                     const char *ext, struct buf *out)
{
    buf_appendcstr(out, "imap://");
    url_escape(out, s->userid);
    buf_printf(out, ";AUTH=*@%s/", server);
    if (ext)
        url_escape(out, ext);
}

bool proxyd_refer(struct imap_cmd *cmd, const struct mboxlist_entry *e,
                  const char *ext)
{
    struct buf url = BUF_INIT;

    if (!proxyd_sess(cmd->sess)->referrals ||
        cfg_get_switch(IMAPOPT_PROXYD_DISABLE_MAILBOX_REFERRALS) || !e->server)
        return false;
    referral(cmd->sess, e->server, ext, &url);
    imap_cmd_no(cmd, "[REFERRAL %s] Remote mailbox", buf_cstring(&url));
    buf_free(&url);
    return true;
}

void proxyd_refer_admin(struct imap_cmd *cmd, const char *server,
                        const char *ext)
{
    const struct strarray *list = cfg_get_list(IMAPOPT_SERVERLIST);
    struct buf url = BUF_INIT;

    if (!server && list && list->count)
        server = list->data[0];
    if (!server) {
        imap_cmd_no(cmd, "[CANNOT] Administrative commands go to a backend "
                         "server directly");
        return;
    }
    referral(cmd->sess, server, ext, &url);
    imap_cmd_no(cmd, "[REFERRAL %s] Administrative commands go to the "
                     "backend server", buf_cstring(&url));
    buf_free(&url);
}
