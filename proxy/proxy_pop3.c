/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxy_pop3.c - the POP3 protocol part of the proxy core: reads the
 * backend's greeting, learns its capabilities with CAPA (first word of
 * each line into be->caps, the SASL line as the mechanism list) and logs
 * in with AUTH as proxy_authname, authorizing as the user.
 *
 * Used by pop3proxyd through proxy_backend_connect(); one backend per
 * process at a time, so the backend's final AUTH line is kept in a
 * static buffer for the caller to relay.  Errors: -1 with a static text.
 */
#include "config.h"

#include <string.h>

#include "lib/buf.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "proxy/proxy_backend.h"
#include "proxy/proxy_pop3.h"

/* The backend's last final AUTH line. */
static struct buf last_reply = BUF_INIT;

const char *proxy_pop3_last_reply(void)
{
    return buf_cstring(&last_reply);
}

/* auth_result - what a line during AUTH means */
static int auth_result(const char *line)
{
    if (str_has_prefix(line, "+OK"))
        return 1;
    if (str_has_prefix(line, "-ERR"))
        return -1;
    return 0;
}

static const struct proxy_sasl_dialect pop3_dialect = {
    .command = "AUTH",
    .cont = "+ ",
    .result = auth_result,
    .initial_response = 1,
};

/* read_line - one line from the backend into line; 0 or -1 (logged) */
static int read_line(struct proxy_backend *be, struct buf *line,
                     const char *what, const char **error_r)
{
    buf_reset(line);
    if (prot_flush(be->p) < 0 ||
        prot_getline(be->p, line, PROXY_LINE_MAX) != 1) {
        *error_r = proxy_backend_fail(be, what);
        return -1;
    }
    return 0;
}

/* read_capa - CAPA's list: capability words into be->caps, the SASL
 * mechanisms into mechs; 0 or -1 */
static int read_capa(struct proxy_backend *be, struct buf *mechs,
                     const char **error_r)
{
    struct buf line = BUF_INIT;
    int r = -1;

    prot_puts(be->p, "CAPA\r\n");
    if (read_line(be, &line, "CAPA", error_r) < 0)
        goto out;
    if (!str_has_prefix(buf_cstring(&line), "+OK")) {
        *error_r = "CAPA refused";
        goto out;
    }
    for (;;) {
        const char *l;
        size_t w;

        if (read_line(be, &line, "CAPA", error_r) < 0)
            goto out;
        l = buf_cstring(&line);
        if (strcmp(l, ".") == 0)
            break;
        w = strcspn(l, " ");
        if (be->caps.len)
            buf_putc(&be->caps, ' ');
        buf_appendmap(&be->caps, l, w);
        if (w == 4 && str_ncasecmp(l, "SASL", 4) == 0 && l[w])
            buf_setcstr(mechs, l + w + 1);
    }
    buf_cstring(&be->caps);
    str_ucase(be->caps.s);
    r = 0;
out:
    buf_free(&line);
    return r;
}

/* pop3_login - greeting, CAPA, AUTH */
static int pop3_login(struct proxy_backend *be, const char *authzid,
                      const char **error_r)
{
    struct buf line = BUF_INIT, mechs = BUF_INIT;
    int r = -1;

    buf_reset(&last_reply);
    if (read_line(be, &line, "greeting", error_r) < 0)
        goto out;
    if (!str_has_prefix(buf_cstring(&line), "+OK")) {
        *error_r = "unexpected greeting";
        goto out;
    }
    if (read_capa(be, &mechs, error_r) < 0)
        goto out;
    r = proxy_sasl_login(be, buf_cstring(&mechs), authzid, &pop3_dialect,
                         &last_reply, error_r);
out:
    buf_free(&line);
    buf_free(&mechs);
    return r;
}

const struct proxy_protocol proxy_pop3_protocol = {
    .name = "pop3",
    .sasl_service = "pop",
    .port_option = IMAPOPT_BACKEND_POP3_PORT,
    .login = pop3_login,
    .ping = NULL,
    .logout = NULL,
};
