/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pop3-commands.c - every POP3 command (RFC 1939, 2449, 2595, 5034) and
 * the command table the loop in pop3_session.c dispatches on; the table
 * already checked the state, so handlers check only their arguments.
 *
 * AUTHORIZATION: CAPA, USER/PASS (only over TLS unless allowplaintext),
 * AUTH (SASL, initial response, "*" cancels), STLS, QUIT.  TRANSACTION:
 * STAT, LIST, RETR, TOP (streamed from the message file through the
 * dot-stuffing filter, never whole in memory), DELE, RSET, NOOP, UIDL,
 * QUIT (UPDATE: one expunge of the DELE'd messages).  Syntax errors are
 * counted by pop3_bad; other refusals are plain -ERR.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imap/acl.h"
#include "imap/mailbox.h"
#include "imap/mboxops.h"
#include "imap/pop3_session.h"
#include "lib/cfg.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "lib/tls.h"
#include "lib/xmalloc.h"
#include "lib/xsasl.h"

/* Most arguments any command takes (TOP msg n). */
#define POP3_MAX_ARGS 2

/* ---- the dot-stuffing filter ---- */

void pop3_dot_init(struct pop3_dot *d, long body_lines)
{
    memset(d, 0, sizeof(*d));
    d->body_lines = body_lines;
    d->line_empty = true;
}

/* dot_line_end - an LF was emitted: advance the header/body line count */
static void dot_line_end(struct pop3_dot *d)
{
    if (!d->in_body) {
        if (d->line_empty)
            d->in_body = true;
    } else {
        d->lines_sent++;
    }
    if (d->in_body && d->body_lines >= 0 && d->lines_sent >= d->body_lines)
        d->done = true;
    d->line_empty = true;
}

size_t pop3_dot_feed(struct pop3_dot *d, const char *in, size_t n,
                     struct buf *out)
{
    size_t i;

    for (i = 0; i < n && !d->done; i++) {
        char c = in[i];

        if (!d->mid_line && c == '.')
            buf_putc(out, '.');
        buf_putc(out, c);
        d->mid_line = c != '\n';
        if (c == '\n')
            dot_line_end(d);
        else if (c != '\r')
            d->line_empty = false;
    }
    return i;
}

void pop3_dot_finish(const struct pop3_dot *d, struct buf *out)
{
    if (d->mid_line)
        buf_appendcstr(out, "\r\n");
    buf_appendcstr(out, ".\r\n");
}

/* ---- helpers ---- */

/* split - args into at most POP3_MAX_ARGS space-separated words (in
 * place); the count, or -1 when there are more or empty words */
static int split(char *args, char **argv)
{
    int n = 0;

    if (!*args)
        return 0;
    for (;;) {
        char *sp = strchr(args, ' ');

        if (n == POP3_MAX_ARGS || !*args || args == sp)
            return -1;
        argv[n++] = args;
        if (!sp)
            return n;
        *sp = '\0';
        args = sp + 1;
    }
}

long pop3_parse_msgno(const struct pop3_session *s, const char *arg,
                      const char **why_r)
{
    uint64_t v;

    if (str_parse_u64(arg, strlen(arg), UINT32_MAX, &v) < 0 || v == 0 ||
        v > s->nmsgs) {
        *why_r = "No such message";
        return -1;
    }
    if (s->msgs[v - 1].deleted) {
        *why_r = "Message already deleted";
        return -1;
    }
    return (long)v - 1;
}

/* msg_arg - the one message-number argument of args (answered when bad):
 * the index or -1 */
static long msg_arg(struct pop3_session *s, char *args)
{
    char *argv[POP3_MAX_ARGS];
    const char *why = NULL;
    long i;

    if (split(args, argv) != 1) {
        pop3_bad(s, "Syntax: one message number expected");
        return -1;
    }
    if ((i = pop3_parse_msgno(s, argv[0], &why)) < 0)
        pop3_err(s, "%s", why);
    return i;
}

/* no_args - true when args is empty, else answered */
static bool no_args(struct pop3_session *s, const char *args)
{
    if (!*args)
        return true;
    pop3_bad(s, "Syntax: no arguments expected");
    return false;
}

/* ---- AUTHORIZATION ---- */

/* cmd_capa - CAPA (RFC 2449): what this state offers */
static void cmd_capa(struct pop3_session *s, char *args)
{
    struct buf mechs = BUF_INIT;
    bool authz = s->state == POP3_AUTHORIZATION;

    if (!no_args(s, args))
        return;
    pop3_ok(s, "Capability list follows");
    prot_puts(s->prot, "TOP\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"
                       "PIPELINING\r\nEXPIRE NEVER\r\n");
    if (authz && (s->tls || cfg_get_switch(IMAPOPT_ALLOWPLAINTEXT)))
        prot_puts(s->prot, "USER\r\n");
    if (authz && s->sasl && xsasl_server_mechs(s->sasl, &mechs) > 0 &&
        mechs.len)
        prot_printf(s->prot, "SASL %s\r\n", buf_cstring(&mechs));
    if (authz && s->server->tls_ctx && !s->tls)
        prot_puts(s->prot, "STLS\r\n");
    prot_printf(s->prot, "IMPLEMENTATION %s\r\n.\r\n",
                s->server->implementation ? s->server->implementation
                                          : "murder");
    buf_free(&mechs);
}

/* plaintext_ok - may a password travel now?  Answered when not. */
static bool plaintext_ok(struct pop3_session *s)
{
    if (s->tls || cfg_get_switch(IMAPOPT_ALLOWPLAINTEXT))
        return true;
    pop3_err(s, "[AUTH] Plaintext login disallowed without TLS; use STLS");
    return false;
}

/* cmd_user - USER name: remembered for PASS */
static void cmd_user(struct pop3_session *s, char *args)
{
    if (!*args) {
        pop3_bad(s, "Syntax: USER name");
        return;
    }
    if (!plaintext_ok(s))
        return;
    free(s->user_arg);
    s->user_arg = xstrdup(args);
    pop3_ok(s, "Password required");
}

/* cmd_pass - PASS secret (the rest of the line, spaces included) */
static void cmd_pass(struct pop3_session *s, char *args)
{
    const char *err = NULL;
    char *user = s->user_arg;

    s->user_arg = NULL;
    if (!user) {
        pop3_bad(s, "USER first");
    } else if (plaintext_ok(s)) {
        if (xsasl_server_checkpass(s->sasl, user, args, &err) == 1)
            pop3_login(s, xsasl_server_username(s->sasl),
                       xsasl_server_authid(s->sasl), "plaintext");
        else
            pop3_login_failed(s, user, "plaintext", err);
    }
    xwipe(args, strlen(args));
    free(user);
}

/* decode - a client's base64 line, "=" meaning empty; 1 or -1 */
static int decode(const char *line, size_t len, struct buf *out)
{
    const char *err = NULL;

    buf_reset(out);
    if (len == 1 && line[0] == '=')
        return 1;
    return xsasl_decode64(line, len, out, &err);
}

/* exchange_line - send "+ <base64 of out>", read the answer into in:
 * 1, or -2 (cancelled, bad base64, connection gone: answered) */
static int exchange_line(struct pop3_session *s, const struct buf *out,
                         struct buf *in)
{
    struct buf line = BUF_INIT, b64 = BUF_INIT;
    int r = 1;

    xsasl_encode64(out->s, out->len, &b64);
    prot_printf(s->prot, "+ %s\r\n", buf_cstring(&b64));
    if (prot_flush(s->prot) < 0 ||
        prot_getline(s->prot, &line, POP3_AUTH_LINE_MAX) != 1) {
        s->closing = true;
        r = -2;
    } else if (line.len == 1 && line.s[0] == '*') {
        pop3_err(s, "[AUTH] Authentication cancelled");
        r = -2;
    } else if (decode(line.s, line.len, in) < 0) {
        pop3_err(s, "[AUTH] Invalid base64 data");
        r = -2;
    }
    if (line.s)
        xwipe(line.s, line.alloc);
    buf_free(&line);
    buf_free(&b64);
    return r;
}

/* exchange - challenges until SASL is done: the xsasl result (1, -1 with
 * *err_r), or -2 when answered already */
static int exchange(struct pop3_session *s, int r, struct buf *out,
                    const char **err_r)
{
    struct buf in = BUF_INIT;

    while (r == 0) {
        if ((r = exchange_line(s, out, &in)) == 1)
            r = xsasl_server_step(s->sasl, in.s, in.len, out, err_r);
        if (in.s)
            xwipe(in.s, in.alloc);
    }
    /* success data with the final step: one more "+" and an empty line */
    if (r == 1 && out->len > 0) {
        r = exchange_line(s, out, &in);
        if (r == 1 && in.len > 0) {
            *err_r = "data after the final SASL step";
            r = -1;
        }
    }
    buf_free(&in);
    return r;
}

/* auth_list - AUTH without arguments: the mechanisms, one per line */
static void auth_list(struct pop3_session *s)
{
    struct buf mechs = BUF_INIT;
    char *m, *save = NULL;

    if (xsasl_server_mechs(s->sasl, &mechs) < 0)
        buf_reset(&mechs);
    pop3_ok(s, "Mechanisms follow");
    for (m = strtok_r((char *)buf_cstring(&mechs), " ", &save); m;
         m = strtok_r(NULL, " ", &save))
        prot_printf(s->prot, "%s\r\n", m);
    prot_puts(s->prot, ".\r\n");
    buf_free(&mechs);
}

/* mech_offered - is mech in the advertised list? */
static bool mech_offered(struct pop3_session *s, const char *mech)
{
    struct buf mechs = BUF_INIT;
    char *m, *save = NULL;
    bool found = false;

    if (xsasl_server_mechs(s->sasl, &mechs) < 0)
        buf_reset(&mechs);
    for (m = strtok_r((char *)buf_cstring(&mechs), " ", &save); m && !found;
         m = strtok_r(NULL, " ", &save))
        found = str_casecmp(m, mech) == 0;
    buf_free(&mechs);
    return found;
}

/* auth_done - after a successful exchange: log in, then any SASL
 * security layer once the +OK is on the wire */
static void auth_done(struct pop3_session *s, const char *mech)
{
    pop3_login(s, xsasl_server_username(s->sasl),
               xsasl_server_authid(s->sasl), mech);
    if (s->state == POP3_TRANSACTION && !s->closing &&
        pop3_auth_layer(s) < 0)
        s->closing = true;
}

/* cmd_auth - AUTH [mech [initial-response]] (RFC 5034) */
static void cmd_auth(struct pop3_session *s, char *args)
{
    char *argv[POP3_MAX_ARGS];
    struct buf in = BUF_INIT, out = BUF_INIT;
    const char *err = NULL;
    int argc = split(args, argv), r;
    char *mech;

    if (argc == 0) {
        auth_list(s);
        return;
    }
    if (argc < 0 || (argc == 2 && decode(argv[1], strlen(argv[1]), &in) < 0)) {
        pop3_bad(s, "Syntax: AUTH mechanism [initial-response]");
        return;
    }
    mech = str_ucase(xstrdup(argv[0]));
    if (!mech_offered(s, mech)) {
        pop3_err(s, "[AUTH] Unsupported authentication mechanism");
    } else {
        r = xsasl_server_start(s->sasl, mech, argc == 2 ? in.s : NULL,
                               in.len, &out, &err);
        r = exchange(s, r, &out, &err);
        if (r == 1)
            auth_done(s, mech);
        else if (r == -1)
            pop3_login_failed(s, NULL, mech, err);
        else if (!s->closing && pop3_auth_reset(s) < 0)
            s->closing = true;
    }
    if (in.s)
        xwipe(in.s, in.alloc);
    if (argc == 2)
        xwipe(argv[1], strlen(argv[1]));
    buf_free(&in);
    buf_free(&out);
    free(mech);
}

/* cmd_stls - STLS (RFC 2595) */
static void cmd_stls(struct pop3_session *s, char *args)
{
    const char *err = NULL;

    if (!no_args(s, args))
        return;
    if (!s->server->tls_ctx) {
        pop3_err(s, "STLS not available");
    } else if (s->tls) {
        pop3_err(s, "TLS already active");
    } else if (prot_unread_raw(s->prot) > 0) {
        /* CVE-2011-0411: plaintext pipelined after STLS */
        log_notice("PROTOERR plaintext data after STLS");
        pop3_err(s, "Data after STLS, closing connection");
        s->closing = true;
    } else {
        pop3_ok(s, "Begin TLS negotiation");
        if (tls_server_start(s->server->tls_ctx, s->prot,
                             pop3_read_timeout(s), &err) < 0) {
            log_notice("STLS failed error=<%s>", err ? err : "");
            s->closing = true;
            return;
        }
        s->tls = true;
        free(s->user_arg);    /* forget what came before TLS */
        s->user_arg = NULL;
        if (pop3_auth_reset(s) < 0)
            s->closing = true;
    }
}

/* ---- TRANSACTION ---- */

/* cmd_stat - STAT: count and octets of the messages not deleted */
static void cmd_stat(struct pop3_session *s, char *args)
{
    uint64_t octets = 0;
    uint32_t n = 0, i;

    if (!no_args(s, args))
        return;
    for (i = 0; i < s->nmsgs; i++) {
        if (!s->msgs[i].deleted) {
            n++;
            octets += s->msgs[i].size;
        }
    }
    pop3_ok(s, "%u %llu", (unsigned)n, (unsigned long long)octets);
}

/* cmd_list_uidl - LIST [n] (uidl false) and UIDL [n] (uidl true) */
static void list_uidl(struct pop3_session *s, char *args, bool uidl)
{
    uint32_t i;
    long one;

    if (*args) {
        if ((one = msg_arg(s, args)) < 0)
            return;
        if (uidl)
            pop3_ok(s, "%ld %u.%u", one + 1, (unsigned)s->uidvalidity,
                    (unsigned)s->msgs[one].uid);
        else
            pop3_ok(s, "%ld %llu", one + 1,
                    (unsigned long long)s->msgs[one].size);
        return;
    }
    pop3_ok(s, "Listing follows");
    for (i = 0; i < s->nmsgs; i++) {
        if (s->msgs[i].deleted)
            continue;
        if (uidl)
            prot_printf(s->prot, "%u %u.%u\r\n", (unsigned)i + 1,
                        (unsigned)s->uidvalidity, (unsigned)s->msgs[i].uid);
        else
            prot_printf(s->prot, "%u %llu\r\n", (unsigned)i + 1,
                        (unsigned long long)s->msgs[i].size);
    }
    prot_puts(s->prot, ".\r\n");
}

/* cmd_list - LIST [n] */
static void cmd_list(struct pop3_session *s, char *args)
{
    list_uidl(s, args, false);
}

/* cmd_uidl - UIDL [n] */
static void cmd_uidl(struct pop3_session *s, char *args)
{
    list_uidl(s, args, true);
}

/* stream - copy the open message file fd through the filter d; 0, or -1
 * after a read error (the reply is then cut short) */
static int stream(struct pop3_session *s, int fd, struct pop3_dot *d)
{
    char chunk[POP3_READ_CHUNK];
    struct buf out = BUF_INIT;
    ssize_t n;

    while (!d->done && (n = read(fd, chunk, sizeof(chunk))) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            buf_free(&out);
            return -1;
        }
        buf_reset(&out);
        pop3_dot_feed(d, chunk, (size_t)n, &out);
        if (prot_write(s->prot, out.s, out.len) < 0)
            break;
    }
    buf_reset(&out);
    pop3_dot_finish(d, &out);
    prot_write(s->prot, out.s, out.len);
    buf_free(&out);
    return 0;
}

/* send_message - RETR (lines -1) or TOP of message index i */
static void send_message(struct pop3_session *s, long i, long lines)
{
    struct buf path = BUF_INIT;
    struct pop3_dot d;
    int fd;

    mailbox_message_path(s->mb, s->msgs[i].uid, &path);
    fd = open(buf_cstring(&path), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT)
            log_error("IOERROR: open failed file=<%s> error=<%m>",
                      buf_cstring(&path));
        pop3_err(s, errno == ENOENT ? "Message was removed by another session"
                                    : "[SYS/TEMP] Cannot read the message");
        buf_free(&path);
        return;
    }
    if (lines < 0)
        pop3_ok(s, "%llu octets", (unsigned long long)s->msgs[i].size);
    else
        pop3_ok(s, "Top of message follows");
    pop3_dot_init(&d, lines);
    if (stream(s, fd, &d) < 0) {
        log_error("IOERROR: read failed file=<%s> error=<%m>",
                  buf_cstring(&path));
        s->closing = true;
    }
    close(fd);
    buf_free(&path);
}

/* cmd_retr - RETR n */
static void cmd_retr(struct pop3_session *s, char *args)
{
    long i = msg_arg(s, args);

    if (i >= 0)
        send_message(s, i, -1);
}

/* cmd_top - TOP n lines */
static void cmd_top(struct pop3_session *s, char *args)
{
    char *argv[POP3_MAX_ARGS];
    const char *why = NULL;
    uint64_t lines;
    long i;

    if (split(args, argv) != 2 ||
        str_parse_u64(argv[1], strlen(argv[1]), LONG_MAX, &lines) < 0) {
        pop3_bad(s, "Syntax: TOP message lines");
        return;
    }
    if ((i = pop3_parse_msgno(s, argv[0], &why)) < 0)
        pop3_err(s, "%s", why);
    else
        send_message(s, i, (long)lines);
}

/* cmd_dele - DELE n: marked now, expunged at QUIT */
static void cmd_dele(struct pop3_session *s, char *args)
{
    long i = msg_arg(s, args);

    if (i < 0)
        return;
    if ((s->rights & (ACL_DELETEMSG | ACL_EXPUNGE)) !=
        (ACL_DELETEMSG | ACL_EXPUNGE)) {
        pop3_err(s, "[SYS/PERM] Permission denied");
        return;
    }
    s->msgs[i].deleted = true;
    pop3_ok(s, "Message %ld deleted", i + 1);
}

/* cmd_rset - RSET: undelete everything */
static void cmd_rset(struct pop3_session *s, char *args)
{
    uint32_t i;

    if (!no_args(s, args))
        return;
    for (i = 0; i < s->nmsgs; i++)
        s->msgs[i].deleted = false;
    pop3_ok(s, "Maildrop has %u messages", (unsigned)s->nmsgs);
}

/* cmd_noop - NOOP */
static void cmd_noop(struct pop3_session *s, char *args)
{
    if (no_args(s, args))
        pop3_ok(s, "Nothing done");
}

/* update - the UPDATE state: expunge the DELE'd messages in one commit */
static void update(struct pop3_session *s)
{
    struct mailbox_uids uids = { 0 }, gone = { 0 };
    uint32_t i;
    int r = MAILBOX_OK;

    s->state = POP3_UPDATE;
    for (i = 0; i < s->nmsgs; i++) {
        if (s->msgs[i].deleted)
            mailbox_uids_add(&uids, s->msgs[i].uid);
    }
    if (uids.count)
        r = mboxops_expunge(s->mb, uids.v, uids.count, &gone);
    if (r != MAILBOX_OK) {
        log_error("pop3 update failed error=<%s>", mailbox_strerror(r));
        pop3_err(s, "[SYS/TEMP] Some deleted messages not removed");
    } else {
        log_info("pop3 update deleted=<%zu> expunged=<%zu>", uids.count,
                 gone.count);
        pop3_ok(s, "%s POP3 server signing off (%zu messages deleted)",
                cfg_get_string(IMAPOPT_SERVERNAME), uids.count);
    }
    mailbox_uids_fini(&uids);
    mailbox_uids_fini(&gone);
}

/* cmd_quit - QUIT: UPDATE from TRANSACTION, then close */
static void cmd_quit(struct pop3_session *s, char *args)
{
    if (!no_args(s, args))
        return;
    if (s->state == POP3_TRANSACTION)
        update(s);
    else
        pop3_ok(s, "%s POP3 server signing off",
                cfg_get_string(IMAPOPT_SERVERNAME));
    s->closing = true;
}

#define AUTHZ POP3_AUTHORIZATION
#define TRANS POP3_TRANSACTION

const struct pop3_command pop3_commands[] = {
    { "CAPA", cmd_capa, AUTHZ | TRANS },
    { "USER", cmd_user, AUTHZ },
    { "PASS", cmd_pass, AUTHZ },
    { "AUTH", cmd_auth, AUTHZ },
    { "STLS", cmd_stls, AUTHZ },
    { "QUIT", cmd_quit, AUTHZ | TRANS },
    { "STAT", cmd_stat, TRANS },
    { "LIST", cmd_list, TRANS },
    { "RETR", cmd_retr, TRANS },
    { "TOP", cmd_top, TRANS },
    { "DELE", cmd_dele, TRANS },
    { "RSET", cmd_rset, TRANS },
    { "NOOP", cmd_noop, TRANS },
    { "UIDL", cmd_uidl, TRANS },
    { NULL, NULL, 0 },
};
