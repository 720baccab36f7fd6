/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pop3_session.c - one POP3 connection: greeting, the command loop with
 * its limits (line length, bad commands, autologout), the dispatcher over
 * pop3_commands[], replies, and login (auth state + the INBOX opened as
 * the maildrop).
 *
 * Called by pop3d (and pop3proxyd, whose login hook replaces the
 * maildrop) through pop3_session_serve() for each connection;
 * single-threaded, blocking reads with the stream's
 * timeout.  Errors are answered on the wire and logged here; nothing is
 * fatal to the process.
 */
#include "config.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "imap/acl.h"
#include "imap/auth_state.h"
#include "imap/imap_auth.h"
#include "imap/mailbox.h"
#include "imap/mboxlist.h"
#include "imap/mboxname.h"
#include "imap/mboxops.h"
#include "imap/pop3_session.h"
#include "lib/cfg.h"
#include "lib/exitcodes.h"
#include "lib/lock.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "lib/strarray.h"
#include "lib/tls.h"
#include "lib/xmalloc.h"
#include "lib/xsasl.h"
#include "master/service.h"

/* reply - "+OK " or "-ERR " then fmt, CRLF */
static void reply(struct pop3_session *s, const char *status, const char *fmt,
                  va_list ap) __attribute__((format(printf, 3, 0)));
static void reply(struct pop3_session *s, const char *status, const char *fmt,
                  va_list ap)
{
    prot_puts(s->prot, status);
    prot_vprintf(s->prot, fmt, ap);
    prot_puts(s->prot, "\r\n");
}

void pop3_ok(struct pop3_session *s, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    reply(s, "+OK ", fmt, ap);
    va_end(ap);
}

void pop3_err(struct pop3_session *s, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    reply(s, "-ERR ", fmt, ap);
    va_end(ap);
}

void pop3_bad(struct pop3_session *s, const char *text)
{
    long limit = cfg_get_int(s->state == POP3_AUTHORIZATION
                             ? IMAPOPT_MAXBADCOMMANDS_PREAUTH
                             : IMAPOPT_MAXBADCOMMANDS);

    s->bad_commands++;
    log_notice("PROTOERR bad command reason=<%s> count=<%u>", text,
               s->bad_commands);
    if ((long)s->bad_commands > limit) {
        pop3_err(s, "Too many invalid commands, closing connection");
        s->closing = true;
        return;
    }
    pop3_err(s, "%s", text);
}

int pop3_read_timeout(const struct pop3_session *s)
{
    if (s->state == POP3_AUTHORIZATION)
        return (int)cfg_get_int(IMAPOPT_PROT_TIMEOUT_PREAUTH);
    return (int)cfg_get_int(IMAPOPT_POPTIMEOUT) * 60;
}

int pop3_auth_reset(struct pop3_session *s)
{
    const char *err = NULL;

    xsasl_server_free(&s->sasl);
    s->sasl = imap_auth_sasl_new("pop", s->tls ? s->prot : NULL,
                                 s->local_ipport, s->remote_ipport, &err);
    if (!s->sasl)
        log_error("SASL session failed error=<%s>", err ? err : "");
    return s->sasl ? 0 : -1;
}

int pop3_auth_layer(struct pop3_session *s)
{
    const char *err = NULL;

    if (s->layer_on || !s->sasl || xsasl_server_ssf(s->sasl) <= 0)
        return 0;
    if (prot_flush(s->prot) < 0 || prot_unread_raw(s->prot) > 0 ||
        xsasl_server_install_layer(s->sasl, s->prot, &err) < 0) {
        log_notice("PROTOERR SASL security layer failed error=<%s>",
                   err ? err : "plaintext after the last AUTH line");
        return -1;
    }
    s->layer_on = true;
    return 0;
}

void pop3_login_failed(struct pop3_session *s, const char *user,
                       const char *mech, const char *reason)
{
    bool last = imap_auth_failure(++s->auth_failures, user, mech, reason);

    pop3_err(s, "[AUTH] Authentication failed");
    if (last) {
        pop3_err(s, "Too many authentication failures, closing connection");
        s->closing = true;
    } else if (pop3_auth_reset(s) < 0) {
        s->closing = true;
    }
}

/* maildrop_list - the message list of the open INBOX: every message of
 * the snapshot not flagged \Deleted (those are on their way out) */
static int maildrop_list(struct pop3_session *s)
{
    uint32_t n = mailbox_count(s->mb), i;

    if (n > POP3_MAX_MESSAGES)
        return -1;
    s->msgs = xzmalloc(sizeof(*s->msgs) * (n ? n : 1));
    s->nmsgs = 0;
    for (i = 1; i <= n; i++) {
        uint32_t uid = mailbox_msgno_uid(s->mb, i);
        const struct mailbox_record *rec = mailbox_record(s->mb, uid);

        if (!rec || (rec->system_flags & MAILBOX_FLAG_DELETED))
            continue;
        s->msgs[s->nmsgs].uid = uid;
        s->msgs[s->nmsgs].size = rec->size;
        s->nmsgs++;
    }
    s->uidvalidity = mailbox_get_header(s->mb)->uidvalidity;
    return 0;
}

/* maildrop_lock - the exclusive POP3 lock of mailbox name (RFC 1939
 * section 8: one POP3 session per maildrop; IMAP sessions are not
 * excluded): <configdirectory>/lock/pop3/<name, bytes outside
 * [A-Za-z0-9._-] as %XX>.  NULL, or the -ERR text. */
static const char *maildrop_lock(struct pop3_session *s, const char *name)
{
    struct buf path = BUF_INIT;
    const char *dir = cfg_get_string(IMAPOPT_CONFIGDIRECTORY), *err = NULL, *p;
    int r;

    buf_printf(&path, "%s/lock", dir);
    (void)mkdir(buf_cstring(&path), 0750);
    buf_appendcstr(&path, "/pop3");
    (void)mkdir(buf_cstring(&path), 0750);
    buf_putc(&path, '/');
    for (p = name; *p; p++) {
        if (isalnum((unsigned char)*p) || strchr("._-", *p))
            buf_putc(&path, *p);
        else
            buf_printf(&path, "%%%02X", (unsigned)(unsigned char)*p);
    }
    r = lock_open(buf_cstring(&path), O_RDWR | O_CREAT, 0600,
                  LOCK_TYPE_EXCLUSIVE, LOCK_NOWAIT, &s->lock_fd, NULL, &err);
    if (r < 0)
        log_error("IOERROR: cannot lock file=<%s> error=<%s>",
                  buf_cstring(&path), err ? err : "");
    buf_free(&path);
    if (r == 1)
        return NULL;
    s->lock_fd = -1;
    return r == 0 ? "[IN-USE] Maildrop is in use by another POP3 session"
                  : "[SYS/TEMP] Unable to lock the maildrop";
}

/* maildrop_open - look up and open the user's INBOX; NULL or the -ERR
 * text */
static const char *maildrop_open(struct pop3_session *s)
{
    struct mboxops_who who = { s->auth, &s->ns };
    struct mboxlist_entry *e = NULL;
    char *name = mboxname_user_inbox(&s->ns, s->userid);
    const char *why = NULL, *root = NULL;
    int r;

    if (!name)
        return "[SYS/PERM] Invalid user name";
    r = mboxops_lookup(&who, name, ACL_READ, &e, &s->rights);
    if (r == MBOXOPS_NOTFOUND)
        why = "[SYS/PERM] No mailbox for this user";
    else if (r == MBOXOPS_PERM)
        why = "[SYS/PERM] Permission denied on the mailbox";
    else if (r == MBOXOPS_REMOTE)
        why = "[SYS/PERM] Mailbox is on another server";
    else if (r == MBOXOPS_NOTSELECTABLE)
        why = "[SYS/TEMP] Mailbox is being moved, try again later";
    else if (r != MBOXOPS_OK)
        why = "[SYS/TEMP] Mailbox database unavailable";
    else if (!(root = mboxops_root(e->partition)))
        why = "[SYS/TEMP] Unknown partition";
    else
        why = maildrop_lock(s, name);
    if (!why && mailbox_open(root, name, &s->mb) != MAILBOX_OK)
        why = "[SYS/TEMP] Unable to open the mailbox";
    else if (!why && maildrop_list(s) < 0)
        why = "[SYS/PERM] Too many messages in the mailbox";
    if (why)
        log_notice("maildrop unavailable mailbox=<%s> reason=<%s>", name, why);
    mboxlist_entry_free(&e);
    free(name);
    return why;
}

void pop3_maildrop_close(struct pop3_session *s)
{
    mailbox_close(&s->mb);
    if (s->lock_fd >= 0)
        close(s->lock_fd);   /* releases the POP3 lock */
    s->lock_fd = -1;
    free(s->msgs);
    s->msgs = NULL;
    s->nmsgs = 0;
    auth_state_free(&s->auth);
    free(s->userid);
    s->userid = NULL;
}

/* login_undo - back to AUTHORIZATION after a login that could not open
 * the maildrop (already answered) */
static void login_undo(struct pop3_session *s)
{
    pop3_maildrop_close(s);
    if (pop3_auth_reset(s) < 0)   /* a fresh SASL session to retry */
        s->closing = true;
}

void pop3_login(struct pop3_session *s, const char *userid,
                const char *authid, const char *mech)
{
    int is_admin = strarray_find(cfg_get_list(IMAPOPT_ADMINS), userid, 0) >= 0;
    const char *nserr = NULL, *why;

    s->auth = auth_state_new(userid, is_admin);
    if (!s->auth) {
        pop3_login_failed(s, userid, mech, "invalid user name");
        return;
    }
    if (namespace_init_from_cfg(&s->ns, is_admin, &nserr) < 0)
        fatal(EX_CONFIG, "bad namespace configuration: %s", nserr);
    s->userid = xstrdup(userid);
    if (s->server->login_hook) {            /* pop3proxyd */
        if (s->server->login_hook(s, authid, mech))
            s->closing = true;
        else
            login_undo(s);
        return;
    }
    if ((why = maildrop_open(s)) != NULL) {
        pop3_err(s, "%s", why);
        login_undo(s);
        return;
    }
    s->state = POP3_TRANSACTION;
    s->bad_commands = 0;
    log_ctx_set("user", userid);
    log_info("login ok user=<%s> mech=<%s> tls=<%d> authzid=<%s>",
             authid ? authid : userid, mech, s->tls,
             authid && strcmp(authid, userid) ? userid : "");
    prot_set_timeouts(s->prot, pop3_read_timeout(s), pop3_read_timeout(s));
    pop3_ok(s, "Mailbox open, %u messages", (unsigned)s->nmsgs);
}

/* dispatch - run the command line in s->line */
static void dispatch(struct pop3_session *s)
{
    char *line = (char *)buf_cstring(&s->line);
    size_t n = strcspn(line, " ");
    char *args = line[n] ? line + n + 1 : line + n;
    const struct pop3_command *c;

    for (c = pop3_commands; c->name; c++) {
        if (strlen(c->name) == n && str_ncasecmp(line, c->name, n) == 0)
            break;
    }
    if (!c->name) {
        pop3_bad(s, "Unknown command");
    } else if (!(c->states & s->state)) {
        pop3_bad(s, "Command not valid in this state");
    } else {
        log_ctx_set("command", c->name);
        c->handler(s, args);
        log_ctx_set("command", NULL);
    }
}

/* read_command - the next line into s->line: 1, 0 when the session ends
 * (EOF, timeout: answered and logged here), -1 a bad line (answered) */
static int read_command(struct pop3_session *s)
{
    size_t max = s->state == POP3_AUTHORIZATION ? POP3_LINE_MAX_PREAUTH
                                                : POP3_LINE_MAX;
    int r;

    if (prot_flush(s->prot) < 0)
        return 0;
    buf_reset(&s->line);
    r = prot_getline(s->prot, &s->line, max);
    if (r == 1 && memchr(s->line.s, '\0', s->line.len)) {
        pop3_bad(s, "NUL byte in command");
        return -1;
    }
    if (r == 1)
        return 1;
    if (r == PROT_TOOLONG) {
        pop3_bad(s, "Line too long");
        if (prot_skipline(s->prot) != 1)
            s->closing = true;
        return -1;
    }
    if (prot_state(s->prot) == PROT_STATE_TIMEOUT) {
        log_info("autologout timeout=<%d>", pop3_read_timeout(s));
        pop3_err(s, "[SYS/TEMP] Autologout; idle for too long");
    }
    return 0;
}

/* session_free - everything of the session; the maildrop is NOT updated */
static void session_free(struct pop3_session *s)
{
    prot_flush(s->prot);
    pop3_maildrop_close(s);
    xsasl_server_free(&s->sasl);
    prot_free(&s->prot);
    buf_free(&s->line);
    free(s->user_arg);
    free(s->local_ipport);
    free(s->remote_ipport);
}

/* session_start - implicit TLS, the SASL session, the greeting; false
 * when the connection cannot go on */
static bool session_start(struct pop3_session *s)
{
    const char *err = NULL;

    if (service_implicit_tls()) {
        if (!s->server->tls_ctx ||
            tls_server_start(s->server->tls_ctx, s->prot,
                             pop3_read_timeout(s), &err) < 0) {
            log_notice("TLS handshake failed error=<%s>", err ? err : "");
            return false;
        }
        s->tls = true;
    }
    if (pop3_auth_reset(s) < 0) {
        pop3_err(s, "[SYS/TEMP] Server unavailable");
        return false;
    }
    pop3_ok(s, "%s POP3 murder server ready",
            cfg_get_string(IMAPOPT_SERVERNAME));
    return true;
}

void pop3_session_serve(const struct pop3_server *server,
                        const struct service_conn *conn)
{
    struct pop3_session s;
    int r;

    memset(&s, 0, sizeof(s));
    s.server = server;
    s.state = POP3_AUTHORIZATION;
    s.lock_fd = -1;
    s.prot = prot_new(conn->in_fd);
    s.local_ipport = conn->local_ipport ? xstrdup(conn->local_ipport) : NULL;
    s.remote_ipport = conn->remote_ipport ? xstrdup(conn->remote_ipport) : NULL;
    prot_set_timeouts(s.prot, pop3_read_timeout(&s), pop3_read_timeout(&s));
    if (session_start(&s)) {
        while (!s.closing && (r = read_command(&s)) != 0) {
            if (r == 1)
                dispatch(&s);
        }
    }
    session_free(&s);
}
