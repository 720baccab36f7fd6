/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxy_imap.c - the IMAP protocol part of the proxy core: read a
 * backend's greeting, learn its capabilities, AUTHENTICATE as
 * proxy_authname on behalf of the user (SASL authzid; SASL-IR when the
 * backend offers it; the exchange is the core's proxy_sasl_login), NOOP
 * as the liveness check, LOGOUT.
 *
 * Called by proxy/proxy_backend.c through proxy_imap_protocol, in the
 * proxyd process; blocking I/O on be->p under the core's timeouts.
 * Failures are reported as static texts; the core turns them into
 * "backend unavailable".  The per-connection state (struct
 * proxy_imap_data) is freed here whenever a connection is found unusable
 * (failed login or ping) and by proxyd before it closes its pool.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cfg.h"
#include "lib/limits.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "lib/xmalloc.h"
#include "proxy/proxy_imap.h"

/* Most bytes of untagged data a ping keeps for the client. */
#define PROXY_IMAP_PENDING_MAX (4 * 1024 * 1024)

struct proxy_imap_data *proxy_imap_data(const struct proxy_backend *be)
{
    return be->proto_data;
}

const char *proxy_imap_next_tag(struct proxy_backend *be)
{
    struct proxy_imap_data *d = be->proto_data;

    snprintf(d->tag, sizeof(d->tag), "P%lu", ++d->tagno);
    return d->tag;
}

int proxy_imap_literal(const char *line, size_t len, uint64_t *size_r)
{
    size_t i;
    uint64_t n = 0;

    if (len < 3 || line[len - 1] != '}')
        return 0;
    i = len - 1;
    if (line[i - 1] == '+')
        i--;
    if (i == 0 || line[i - 1] < '0' || line[i - 1] > '9')
        return 0;
    while (i > 0 && line[i - 1] >= '0' && line[i - 1] <= '9')
        i--;
    if (i == 0 || line[i - 1] != '{')
        return 0;
    for (size_t j = i; line[j] >= '0' && line[j] <= '9'; j++) {
        if (n > (UINT64_MAX - 9) / 10)
            return 0;
        n = n * 10 + (uint64_t)(line[j] - '0');
    }
    *size_r = n;
    return 1;
}

int proxy_imap_read_response(struct proxy_backend *be, struct buf *out,
                             uint64_t max)
{
    struct buf line = BUF_INIT;
    uint64_t lit, total = 0;
    int r = 1;

    buf_reset(out);
    for (;;) {
        buf_reset(&line);
        if (prot_getline(be->p, &line, LIMIT_PROT_LINE_HARD) != 1) {
            r = -1;
            break;
        }
        buf_append(out, &line);
        buf_appendcstr(out, "\r\n");
        if (!proxy_imap_literal(line.s, line.len, &lit))
            break;
        if (lit > max - total) {
            r = -1;
            break;
        }
        total += lit;
        buf_ensure(out, (size_t)lit);
        if (lit && prot_read_exact(be->p, out->s + out->len, (size_t)lit) != 1) {
            r = -1;
            break;
        }
        out->len += (size_t)lit;
    }
    buf_free(&line);
    return r;
}

void proxy_imap_forget(struct proxy_backend *be)
{
    struct proxy_imap_data *d = be->proto_data;

    if (!d)
        return;
    free(d->selected);
    buf_free(&d->pending);
    free(d);
    be->proto_data = NULL;
}

/* set_caps - be->caps from a capability list "A B C" (upper-cased) */
static void set_caps(struct proxy_backend *be, const char *list, size_t len)
{
    buf_setmap(&be->caps, list, len);
    str_ucase((char *)buf_cstring(&be->caps));
}

/* caps_in - the capability list in a "[CAPABILITY ...]" response code or
 * an untagged "CAPABILITY ..." of line; 1 when found and stored */
static int caps_in(struct proxy_backend *be, const char *line)
{
    const char *p = strstr(line, "[CAPABILITY ");
    const char *end;

    if (p) {
        p += strlen("[CAPABILITY ");
        if (!(end = strchr(p, ']')))
            return 0;
        set_caps(be, p, (size_t)(end - p));
        return 1;
    }
    if (str_ncasecmp(line, "* CAPABILITY ", 13) == 0) {
        set_caps(be, line + 13, strlen(line + 13));
        return 1;
    }
    return 0;
}

/* send_wait - send "tag text" and read to its tagged reply, learning
 * capabilities on the way; 1 OK, 0 NO/BAD (*line holds it), -1 failure */
static int send_wait(struct proxy_backend *be, const char *text,
                     struct buf *line)
{
    const char *tag = proxy_imap_next_tag(be);
    size_t tl = strlen(tag);

    prot_printf(be->p, "%s %s\r\n", tag, text);
    if (prot_flush(be->p) < 0)
        return -1;
    for (;;) {
        buf_reset(line);
        if (prot_getline(be->p, line, LIMIT_PROT_LINE_HARD) != 1)
            return -1;
        caps_in(be, buf_cstring(line));
        if (line->len > tl && strncmp(line->s, tag, tl) == 0 &&
            line->s[tl] == ' ')
            return str_ncasecmp(line->s + tl + 1, "OK", 2) == 0 ? 1 : 0;
    }
}

/* auth_result - the SASL dialect's reading of a line: our login tag */
static int auth_result(const char *line)
{
    if (strncmp(line, "A1 ", 3) != 0)
        return 0;
    return str_ncasecmp(line + 3, "OK", 2) == 0 ? 1 : -1;
}

/* auth_mechs - the AUTH=<mech> words of be->caps into out */
static void auth_mechs(struct proxy_backend *be, struct buf *out)
{
    const char *p = buf_cstring(&be->caps);

    while ((p = strstr(p, "AUTH=")) != NULL) {
        size_t n = strcspn(p, " ");

        if (p == be->caps.s || p[-1] == ' ')
            buf_printf(out, "%s%.*s", out->len ? " " : "", (int)n - 5, p + 5);
        p += n;
    }
}

/* authenticate - AUTHENTICATE as proxy_authname for authzid (the core's
 * SASL exchange, IMAP framing); capabilities of the tagged OK kept */
static int authenticate(struct proxy_backend *be, const char *authzid,
                        const char **error_r)
{
    struct proxy_sasl_dialect dl = {
        "A1 AUTHENTICATE", "+ ", auth_result,
        proxy_backend_has_cap(be, "SASL-IR"),
    };
    struct buf mechs = BUF_INIT, final = BUF_INIT;
    int r;

    auth_mechs(be, &mechs);
    r = proxy_sasl_login(be, buf_cstring(&mechs), authzid, &dl, &final,
                         error_r);
    if (r == 0)
        caps_in(be, buf_cstring(&final));
    buf_free(&mechs);
    buf_free(&final);
    return r;
}

/* imap_login - greeting, capabilities, AUTHENTICATE, capabilities again */
static int imap_login(struct proxy_backend *be, const char *authzid,
                      const char **error_r)
{
    struct buf line = BUF_INIT;
    int r = -1;

    be->proto_data = xzmalloc(sizeof(struct proxy_imap_data));
    if (prot_getline(be->p, &line, LIMIT_PROT_LINE_HARD) != 1 ||
        str_ncasecmp(buf_cstring(&line), "* OK", 4) != 0) {
        *error_r = "no IMAP greeting from backend";
        goto out;
    }
    if (!caps_in(be, buf_cstring(&line)) &&
        send_wait(be, "CAPABILITY", &line) != 1) {
        *error_r = "CAPABILITY failed on backend";
        goto out;
    }
    if (authenticate(be, authzid, error_r) < 0)
        goto out;
    /* the post-login list (LITERAL+, IDLE, ...) unless the OK had it */
    if (proxy_backend_has_cap(be, "AUTH=PLAIN") ||
        !proxy_backend_has_cap(be, "LITERAL+")) {
        if (send_wait(be, "CAPABILITY", &line) != 1) {
            *error_r = "CAPABILITY failed on backend";
            goto out;
        }
    }
    r = 0;
out:
    buf_free(&line);
    if (r < 0) {
        log_notice("backend login failed server=<%s> authzid=<%s> error=<%s>",
                   be->server, authzid ? authzid : "", *error_r);
        proxy_imap_forget(be);
    }
    return r;
}

/* imap_ping - NOOP; untagged news for a selected mailbox are kept for
 * the client (be->proto_data->pending) */
static int imap_ping(struct proxy_backend *be)
{
    struct proxy_imap_data *d = be->proto_data;
    struct buf resp = BUF_INIT;
    const char *tag;
    size_t tl;
    int r = -1;

    if (!d)
        return -1;
    tag = proxy_imap_next_tag(be);
    tl = strlen(tag);
    prot_printf(be->p, "%s NOOP\r\n", tag);
    if (prot_flush(be->p) < 0)
        goto out;
    for (;;) {
        if (proxy_imap_read_response(be, &resp, PROXY_IMAP_PENDING_MAX) < 0)
            break;
        if (resp.len > tl && strncmp(resp.s, tag, tl) == 0) {
            r = str_ncasecmp(resp.s + tl, " OK", 3) == 0 ? 0 : -1;
            break;
        }
        if (str_ncasecmp(resp.s, "* BYE", 5) == 0)
            break;
        if (d->selected && d->pending.len + resp.len <= PROXY_IMAP_PENDING_MAX)
            buf_append(&d->pending, &resp);
    }
out:
    buf_free(&resp);
    if (r < 0)
        proxy_imap_forget(be);
    return r;
}

/* imap_logout - LOGOUT, read to the tagged reply (best effort) */
static void imap_logout(struct proxy_backend *be)
{
    struct buf line = BUF_INIT;

    prot_puts(be->p, "L1 LOGOUT\r\n");
    if (prot_flush(be->p) >= 0) {
        while (prot_getline(be->p, &line, LIMIT_PROT_LINE_HARD) == 1 &&
               strncmp(buf_cstring(&line), "L1 ", 3) != 0)
            buf_reset(&line);
    }
    buf_free(&line);
}

const struct proxy_protocol proxy_imap_protocol = {
    .name = "imap",
    .sasl_service = "imap",
    .port_option = IMAPOPT_BACKEND_IMAP_PORT,
    .login = imap_login,
    .ping = imap_ping,
    .logout = imap_logout,
    .release = proxy_imap_forget,
};
