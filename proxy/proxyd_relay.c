/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxyd_relay.c - talking to backends for proxyd: getting the session's
 * connection to a server (ENABLE kept in step with the client), sending
 * a command under a tag of our own, and relaying the answers: untagged
 * responses go to the client as they arrive (literals of any size
 * streamed with prot_relay, never buffered whole), the tagged reply is
 * given the client's tag.
 *
 * A backend that fails mid-command is dropped from the pool and the
 * command answered "NO [UNAVAILABLE]"; a "* BYE" from a backend is never
 * passed on (the client's session is ours, not the backend's).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap/imap_session.h"
#include "lib/limits.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "proxy/proxy_backend.h"
#include "proxy/proxy_imap.h"
#include "proxy/proxyd.h"

/* enable_names - the ENABLE words for bits */
static void enable_names(unsigned bits, struct buf *out)
{
    if (bits & IMAP_ENABLED_CONDSTORE)
        buf_appendcstr(out, " CONDSTORE");
    if (bits & IMAP_ENABLED_QRESYNC)
        buf_appendcstr(out, " QRESYNC");
    if (bits & IMAP_ENABLED_IMAP4REV2)
        buf_appendcstr(out, " IMAP4rev2");
}

/* drop_all - a relay filter passing nothing on */
static bool drop_all(void *rock, const char *resp, size_t len)
{
    (void)rock;
    (void)resp;
    (void)len;
    return false;
}

/* sync_enable - ENABLE on be what the client enabled since (only in the
 * authenticated state there: RFC 5161) */
static int sync_enable(struct imap_session *s, struct proxy_backend *be)
{
    struct proxy_imap_data *d = proxy_imap_data(be);
    unsigned want = s->enabled & ~d->enabled;
    struct proxyd_relay quiet = { drop_all, NULL, true, NULL };
    struct imap_cmd own;
    struct buf names = BUF_INIT;

    if (!want || d->selected)
        return 0;
    memset(&own, 0, sizeof(own));
    own.sess = s;
    own.tag = "*";
    enable_names(want, &names);
    proxyd_sendf(be, "ENABLE%s", buf_cstring(&names));
    buf_free(&names);
    if (proxyd_relay(&own, be, &quiet) == PROXYD_DEAD)
        return -1;
    d->enabled |= want;
    return 0;
}

int proxyd_backend_get(struct imap_session *s, const char *server,
                       struct proxy_backend **be_r)
{
    struct proxyd_session *ps = proxyd_sess(s);
    const char *err = NULL;

    *be_r = NULL;
    if (!server || !*server)
        return -1;
    if (proxy_pool_get(ps->pool, server, be_r, &err) < 0 ||
        !proxy_imap_data(*be_r)) {
        log_notice("backend unavailable server=<%s> error=<%s>", server,
                   err ? err : "no IMAP state");
        if (*be_r)
            proxy_pool_drop(ps->pool, *be_r);
        *be_r = NULL;
        return -1;
    }
    if (sync_enable(s, *be_r) < 0) {
        *be_r = NULL;
        return -1;
    }
    return 0;
}

int proxyd_backend(struct imap_cmd *cmd, const char *server,
                   struct proxy_backend **be_r)
{
    if (proxyd_backend_get(cmd->sess, server, be_r) == 0)
        return 0;
    if (!server || !*server)
        imap_cmd_no(cmd, "[UNAVAILABLE] Mailbox has no server");
    else
        imap_cmd_no(cmd, "[UNAVAILABLE] Server %s is unavailable", server);
    return -1;
}

void proxyd_backend_lost(struct imap_session *s, struct proxy_backend *be)
{
    struct proxyd_session *ps = proxyd_sess(s);

    log_notice("backend connection lost server=<%s> error=<%s>", be->server,
               prot_error(be->p) ? prot_error(be->p) : "");
    if (ps->sel_server && strcmp(ps->sel_server, be->server) == 0 &&
        s->state == IMAP_CMD_SELECTED) {
        imap_untagged(s, "OK [CLOSED] Mailbox server went away");
        s->state = IMAP_CMD_AUTH;
        free(ps->sel_server);
        free(ps->sel_name);
        ps->sel_server = ps->sel_name = NULL;
    }
    proxy_imap_forget(be);
    proxy_pool_drop(ps->pool, be);
}

void proxyd_send(struct proxy_backend *be, const char *name,
                 const struct imap_arg *args, size_t argc)
{
    struct buf b = BUF_INIT;

    buf_printf(&b, "%s %s", proxy_imap_next_tag(be), name);
    if (argc) {
        buf_putc(&b, ' ');
        imap_args_render(args, argc, IMAP_RENDER_NONSYNC, &b);
    }
    buf_appendcstr(&b, "\r\n");
    prot_write(be->p, b.s, b.len);
    buf_free(&b);
}

void proxyd_quote(struct buf *out, const char *s)
{
    struct imap_arg a;

    memset(&a, 0, sizeof(a));
    a.type = IMAP_ARG_STRING;
    a.u.str.s = s;
    a.u.str.len = strlen(s);
    imap_args_render(&a, 1, IMAP_RENDER_NONSYNC, out);
}

void proxyd_sendf(struct proxy_backend *be, const char *fmt, ...)
{
    va_list ap;

    prot_printf(be->p, "%s ", proxy_imap_next_tag(be));
    va_start(ap, fmt);
    prot_vprintf(be->p, fmt, ap);
    va_end(ap);
    prot_puts(be->p, "\r\n");
}

int proxyd_stream_untagged(struct imap_session *s, struct proxy_backend *be,
                           struct buf *line)
{
    uint64_t lit;
    const char *err = NULL;

    for (;;) {
        prot_write(s->prot, line->s, line->len);
        prot_puts(s->prot, "\r\n");
        if (!proxy_imap_literal(line->s, line->len, &lit))
            return 0;
        if (prot_relay(be->p, s->prot, lit, &err) < 0)
            return -1;
        buf_reset(line);
        if (prot_getline(be->p, line, LIMIT_PROT_LINE_HARD) != 1)
            return -1;
    }
}

/* filter_untagged - read the rest of one untagged response and pass it
 * on when r->untagged says so */
static int filter_untagged(struct imap_session *s, struct proxy_backend *be,
                           struct buf *line, const struct proxyd_relay *r)
{
    struct buf resp = BUF_INIT, more = BUF_INIT;
    uint64_t lit;
    int ret = 0;

    /* line is the first line of the response: complete it */
    buf_append(&resp, line);
    buf_appendcstr(&resp, "\r\n");
    if (proxy_imap_literal(line->s, line->len, &lit)) {
        buf_ensure(&resp, (size_t)(lit < PROXYD_FILTER_MAX ? lit : 0));
        if (lit > PROXYD_FILTER_MAX ||
            (lit && prot_read_exact(be->p, resp.s + resp.len, (size_t)lit) != 1) ||
            proxy_imap_read_response(be, &more, PROXYD_FILTER_MAX) < 0) {
            ret = -1;
        } else {
            resp.len += (size_t)lit;
            buf_append(&resp, &more);
        }
    }
    if (ret == 0 && r->untagged(r->rock, resp.s, resp.len))
        prot_write(s->prot, resp.s, resp.len);
    buf_free(&resp);
    buf_free(&more);
    return ret;
}

/* tagged - the backend's tagged reply line: answer the client (or keep
 * the text) and classify it */
static enum proxyd_result tagged(struct imap_cmd *cmd, const char *rest,
                                 const struct proxyd_relay *r)
{
    enum proxyd_result res = PROXYD_BAD;
    const char *text = rest;

    if (str_ncasecmp(rest, "OK", 2) == 0)
        res = PROXYD_OK;
    else if (str_ncasecmp(rest, "NO", 2) == 0)
        res = PROXYD_NO;
    text = strchr(rest, ' ') ? strchr(rest, ' ') + 1 : "";
    if (r && r->quiet) {
        if (r->text)
            buf_setcstr(r->text, text);
        return res;
    }
    if (res == PROXYD_OK)
        imap_cmd_ok(cmd, "%s", text);
    else if (res == PROXYD_NO)
        imap_cmd_no(cmd, "%s", text);
    else
        prot_printf(cmd->sess->prot, "%s BAD %s\r\n", cmd->tag, text);
    return res;
}

/* relay_loop - read responses until the tag; -1 when the backend failed
 * (or said BYE), else the result */
static int relay_loop(struct imap_cmd *cmd, struct proxy_backend *be,
                      const struct proxyd_relay *r, enum proxyd_result *res_r)
{
    struct imap_session *s = cmd->sess;
    struct proxy_imap_data *d = proxy_imap_data(be);
    struct buf line = BUF_INIT;
    size_t tl = strlen(d->tag);
    int ret = -1;

    for (;;) {
        if (prot_available(be->p) == 0)
            prot_flush(s->prot);   /* stream what we have before waiting */
        buf_reset(&line);
        if (prot_getline(be->p, &line, LIMIT_PROT_LINE_HARD) != 1)
            break;
        buf_cstring(&line);
        if (line.len > tl && strncmp(line.s, d->tag, tl) == 0 &&
            line.s[tl] == ' ') {
            *res_r = tagged(cmd, line.s + tl + 1, r);
            ret = 0;
            break;
        }
        if (str_ncasecmp(line.s, "* BYE", 5) == 0)
            break;
        if (line.s[0] != '*')
            continue;  /* a "+" we did not ask for */
        if ((r && r->untagged ? filter_untagged(s, be, &line, r)
                              : proxyd_stream_untagged(s, be, &line)) < 0)
            break;
    }
    buf_free(&line);
    return ret;
}

enum proxyd_result proxyd_relay(struct imap_cmd *cmd, struct proxy_backend *be,
                                const struct proxyd_relay *r)
{
    struct proxy_imap_data *d = proxy_imap_data(be);
    enum proxyd_result res = PROXYD_BAD;
    char server[256];

    /* news a liveness ping read while the mailbox was selected */
    if (d->pending.len && !(r && r->untagged)) {
        prot_write(cmd->sess->prot, d->pending.s, d->pending.len);
        buf_reset(&d->pending);
    }
    if (prot_flush(be->p) >= 0 && relay_loop(cmd, be, r, &res) == 0)
        return res;
    str_lcpy(server, be->server, sizeof(server));
    proxyd_backend_lost(cmd->sess, be);
    if (!(r && r->quiet))
        imap_cmd_no(cmd, "[UNAVAILABLE] Server %s is unavailable", server);
    return PROXYD_DEAD;
}

enum proxyd_result proxyd_pass(struct imap_cmd *cmd, const char *server)
{
    struct proxy_backend *be;
    struct buf name = BUF_INIT;
    enum proxyd_result r;

    if (proxyd_backend(cmd, server, &be) < 0)
        return PROXYD_DEAD;
    buf_printf(&name, "%s%s", cmd->uid ? "UID " : "", cmd->name);
    proxyd_send(be, buf_cstring(&name), cmd->args, cmd->argc);
    buf_free(&name);
    r = proxyd_relay(cmd, be, NULL);
    return r;
}
