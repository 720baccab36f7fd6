/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxy_lmtp.c - the LMTP protocol part of the proxy core: the backend's
 * 220 greeting, LHLO with this frontend's servername, the 250 lines as
 * capabilities (first word of each into be->caps, the AUTH line as the
 * mechanism list), AUTH as proxy_authname when offered (a backend run
 * with -a offers none), NOOP for liveness, QUIT on close; plus reading
 * and writing single commands and replies for lmtpproxyd's transactions.
 *
 * Single-threaded, blocking with the backend stream's timeouts.  Every
 * failure is -1 with a static text (logged through proxy_backend_fail).
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "proxy/proxy_backend.h"
#include "proxy/proxy_lmtp.h"

/* reply_code - the code of a reply line ("250 ..." or "250-..."), or 0
 * when the line is not one; *more_r set for a continuation line */
static int reply_code(const char *l, int *more_r)
{
    if (!isdigit((unsigned char)l[0]) || !isdigit((unsigned char)l[1]) ||
        !isdigit((unsigned char)l[2]) || (l[3] && l[3] != ' ' && l[3] != '-'))
        return 0;
    *more_r = l[3] == '-';
    return (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
}

int proxy_lmtp_read_reply(struct proxy_backend *be, struct buf *line,
                          const char **error_r)
{
    int code, more = 1;

    while (more) {
        buf_reset(line);
        if (prot_flush(be->p) < 0 ||
            prot_getline(be->p, line, PROXY_LINE_MAX) != 1) {
            *error_r = proxy_backend_fail(be, "reading a reply");
            return -1;
        }
        code = reply_code(buf_cstring(line), &more);
        if (code < 200 || code > 599) {
            *error_r = proxy_backend_fail(be, "garbled reply");
            return -1;
        }
    }
    return code;
}

int proxy_lmtp_send(struct proxy_backend *be, const char *cmd,
                    const char **error_r)
{
    prot_puts(be->p, cmd);
    if (prot_puts(be->p, "\r\n") < 0 ||
        (!proxy_backend_has_cap(be, "PIPELINING") && prot_flush(be->p) < 0)) {
        *error_r = proxy_backend_fail(be, "sending");
        return -1;
    }
    return 0;
}

/* read_lhlo - LHLO's reply: capabilities into be->caps, the AUTH
 * mechanisms into mechs; 0 or -1 */
static int read_lhlo(struct proxy_backend *be, struct buf *mechs,
                     const char **error_r)
{
    struct buf line = BUF_INIT;
    int code, more = 1, first = 1;

    while (more) {
        const char *l, *w;
        size_t n;

        buf_reset(&line);
        if (prot_flush(be->p) < 0 ||
            prot_getline(be->p, &line, PROXY_LINE_MAX) != 1) {
            *error_r = proxy_backend_fail(be, "LHLO");
            buf_free(&line);
            return -1;
        }
        l = buf_cstring(&line);
        code = reply_code(l, &more);
        if (code != 250) {
            *error_r = "LHLO refused";
            buf_free(&line);
            return -1;
        }
        w = l[3] ? l + 4 : "";
        n = strcspn(w, " ");
        if (!first && n) {      /* the first line is the host name */
            if (be->caps.len)
                buf_putc(&be->caps, ' ');
            buf_appendmap(&be->caps, w, n);
            if (n == 4 && str_ncasecmp(w, "AUTH", 4) == 0 && w[n])
                buf_setcstr(mechs, w + n + 1);
        }
        first = 0;
    }
    buf_cstring(&be->caps);
    str_ucase(be->caps.s);
    buf_free(&line);
    return 0;
}

/* auth_result - what a line during AUTH means */
static int auth_result(const char *line)
{
    int more;
    int code = reply_code(line, &more);

    if (code == 235)
        return 1;
    return code >= 400 ? -1 : 0;
}

static const struct proxy_sasl_dialect lmtp_dialect = {
    .command = "AUTH",
    .cont = "334 ",
    .result = auth_result,
    .initial_response = 1,
};

/* lmtp_login - greeting, LHLO, AUTH when offered */
static int lmtp_login(struct proxy_backend *be, const char *authzid,
                      const char **error_r)
{
    struct buf line = BUF_INIT, mechs = BUF_INIT;
    int r = -1;

    if (proxy_lmtp_read_reply(be, &line, error_r) != 220) {
        if (line.len)
            *error_r = "unexpected greeting";
        goto out;
    }
    prot_printf(be->p, "LHLO %s\r\n", cfg_get_string(IMAPOPT_SERVERNAME));
    if (read_lhlo(be, &mechs, error_r) < 0)
        goto out;
    if (!proxy_backend_has_cap(be, "AUTH"))
        r = 0;                  /* preauthorized (lmtpd -a) */
    else
        r = proxy_sasl_login(be, buf_cstring(&mechs), authzid, &lmtp_dialect,
                             NULL, error_r);
out:
    buf_free(&line);
    buf_free(&mechs);
    return r;
}

/* lmtp_ping - NOOP */
static int lmtp_ping(struct proxy_backend *be)
{
    struct buf line = BUF_INIT;
    const char *err = NULL;
    int r;

    prot_puts(be->p, "NOOP\r\n");
    r = proxy_lmtp_read_reply(be, &line, &err) == 250 ? 0 : -1;
    buf_free(&line);
    return r;
}

/* lmtp_logout - QUIT, reply read but not checked */
static void lmtp_logout(struct proxy_backend *be)
{
    struct buf line = BUF_INIT;
    const char *err = NULL;

    prot_puts(be->p, "QUIT\r\n");
    (void)proxy_lmtp_read_reply(be, &line, &err);
    buf_free(&line);
}

const struct proxy_protocol proxy_lmtp_protocol = {
    .name = "lmtp",
    .sasl_service = "lmtp",
    .port_option = IMAPOPT_BACKEND_LMTP_PORT,
    .login = lmtp_login,
    .ping = lmtp_ping,
    .logout = lmtp_logout,
};
