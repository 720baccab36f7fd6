/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pop3_proxy.c - pop3proxyd after login: where the user's INBOX lives
 * (the local mailboxes.db a mupdate slave keeps current; on a miss the
 * slave is asked to catch up once), the backend connection through the
 * proxy core (proxy/proxy_backend.h, proxy/proxy_pop3.c), and the relay
 * of the rest of the session, byte for byte, until either side closes.
 *
 * Called by the POP3 engine (imap/pop3_session.c) through its login
 * hook, once per connection.  Temporary trouble is answered -ERR
 * [SYS/TEMP]; the session ending without the user's QUIT leaves the
 * maildrop untouched (the backend never sees a QUIT from us).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/mboxlist.h"
#include "imap/mboxname.h"
#include "imap/pop3_session.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "mupdate/mupdate_client.h"
#include "proxy/pop3_proxy.h"
#include "proxy/proxy_backend.h"
#include "proxy/proxy_pop3.h"

/* Bytes moved per read in the relay. */
#define POP3_PROXY_CHUNK 16384

/* lookup - the server of mailbox name into server: 1 found, 0 not
 * found, or the -ERR text of another outcome in *why_r (-1) */
static int lookup(const char *name, struct buf *server, const char **why_r)
{
    struct mboxlist_entry *e = NULL;
    int r = mboxlist_lookup(name, &e);

    if (r == MBOXLIST_NOTFOUND)
        return 0;
    if (r != MBOXLIST_OK) {
        *why_r = "[SYS/TEMP] Mailbox database unavailable";
        r = -1;
    } else if (e->type & (MBTYPE_RESERVE | MBTYPE_DELETED | MBTYPE_MOVING)) {
        *why_r = "[SYS/TEMP] Mailbox is being changed, try again later";
        r = -1;
    } else if (!(e->type & MBTYPE_REMOTE) || !e->server) {
        log_error("pop3proxy mailbox not remote mailbox=<%s>", name);
        *why_r = "[SYS/TEMP] Mailbox is not on a backend";
        r = -1;
    } else {
        buf_setcstr(server, e->server);
        r = 1;
    }
    mboxlist_entry_free(&e);
    return r;
}

/* locate - the backend of the user's INBOX; NULL or the -ERR text */
static const char *locate(struct pop3_session *s, struct buf *server)
{
    char *inbox = mboxname_user_inbox(&s->ns, s->userid);
    const char *why = NULL;
    int r;

    if (!inbox)
        return "[SYS/PERM] Invalid user name";
    r = lookup(inbox, server, &why);
    if (r == 0) {                 /* maybe just created: ask the slave */
        if (mupdate_kick(0) != MUPDATE_OK) {
            log_notice("pop3proxy mupdate slave unavailable mailbox=<%s>",
                       inbox);
            why = "[SYS/TEMP] Mailbox list unavailable, try again later";
        } else if ((r = lookup(inbox, server, &why)) == 0) {
            why = "[SYS/PERM] No mailbox for this user";
        }
    }
    if (why)
        log_notice("maildrop unavailable mailbox=<%s> reason=<%s>", inbox,
                   why);
    free(inbox);
    return why;
}

/* copy - what is readable on from to to: 1, or 0 when from ended or
 * to failed */
static int copy(struct prot *from, struct prot *to)
{
    char chunk[POP3_PROXY_CHUNK];
    ssize_t n = prot_read(from, chunk, sizeof(chunk));

    if (n <= 0)
        return 0;
    return prot_write(to, chunk, (size_t)n) == 1;
}

/* relay - both directions until EOF on either side, an error or the
 * client's autologout */
static void relay(struct pop3_session *s, struct proxy_backend *be)
{
    struct prot_waitent w[2] = { { s->prot, -1, 0 }, { be->p, -1, 0 } };
    const char *err = NULL;
    int n;

    for (;;) {
        n = prot_wait(w, 2, pop3_read_timeout(s) * 1000, &err);
        if (n < 0) {
            log_notice("pop3proxy relay ended error=<%s>", err ? err : "");
            break;
        }
        if (n == 0) {
            log_info("autologout timeout=<%d>", pop3_read_timeout(s));
            pop3_err(s, "[SYS/TEMP] Autologout; idle for too long");
            break;
        }
        if (w[1].ready && !copy(be->p, s->prot)) {
            if (prot_state(be->p) != PROT_STATE_EOF)
                (void)proxy_backend_fail(be, "relay");
            break;                /* after QUIT the backend closes */
        }
        if (w[0].ready && !copy(s->prot, be->p))
            break;                /* the client left (no QUIT: untouched) */
    }
    prot_flush(s->prot);
}

/* backend_refusal - the -ERR text for a failed backend login: the
 * backend's own answer when it is about the maildrop, else SYS/TEMP */
static const char *backend_refusal(void)
{
    const char *reply = proxy_pop3_last_reply();

    if (str_has_prefix(reply, "-ERR [IN-USE]") ||
        str_has_prefix(reply, "-ERR [SYS/"))
        return reply + 5;
    return "[SYS/TEMP] Mail server for this user is unavailable, "
           "try again later";
}

int pop3_proxy_login(struct pop3_session *s, const char *authid,
                     const char *mech)
{
    struct buf server = BUF_INIT;
    struct proxy_backend *be = NULL;
    const char *why = locate(s, &server), *err = NULL;

    if (!why && proxy_backend_connect(&proxy_pop3_protocol,
                                      buf_cstring(&server), s->userid, &be,
                                      &err) < 0)
        why = backend_refusal();
    if (why) {
        pop3_err(s, "%s", why);
        buf_free(&server);
        return 0;
    }
    s->state = POP3_TRANSACTION;
    log_ctx_set("user", s->userid);
    log_info("login ok user=<%s> mech=<%s> tls=<%d> authzid=<%s> "
             "backend=<%s>", authid ? authid : s->userid, mech, s->tls,
             authid && strcmp(authid, s->userid) ? s->userid : "",
             buf_cstring(&server));
    prot_set_timeouts(s->prot, pop3_read_timeout(s), pop3_read_timeout(s));
    prot_printf(s->prot, "%s\r\n", proxy_pop3_last_reply());
    if (pop3_auth_layer(s) == 0)    /* AUTH's security layer, if any */
        relay(s, be);
    proxy_backend_close(&be, 0);
    buf_free(&server);
    return 1;
}
