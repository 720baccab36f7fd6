/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_client_auth.c - the start of an MUPDATE client session: the
 * server's greeting ("* AUTH mechs", "* STARTTLS", "* OK MUPDATE ..."),
 * STARTTLS with the tls_client_* options, and SASL AUTHENTICATE through
 * lib/xsasl (initial response in the command, later blobs as bare base64
 * lines, RFC 3656 section 4.2).  No security layer is negotiated (TLS is
 * the way to protect the channel).  Failures mark the connection dead
 * with their text in c->err.
 */
#include "config.h"

#include <string.h>

#include "lib/cfg.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "lib/tls.h"
#include "lib/xmalloc.h"
#include "lib/xsasl.h"
#include "mupdate/mupdate_client_internal.h"

/* add_mechs - append the AUTH response's mechanism arguments to c->mechs */
static void add_mechs(struct mupdate_client *c)
{
    const struct imap_arg *args;
    const char *s;
    size_t n, i;

    args = imap_parser_args(c->parser, &n);
    for (i = 0; i < n; i++) {
        if (!imap_arg_get_astring(&args[i], &s))
            continue;
        if (c->mechs.len)
            buf_putc(&c->mechs, ' ');
        buf_appendcstr(&c->mechs, s);
    }
}

int mupdate_client_greeting(struct mupdate_client *c)
{
    const char *tag, *cmd;

    buf_reset(&c->mechs);
    c->starttls_offered = 0;
    for (;;) {
        if (mupdate_client_read_resp(c, 1, 0) != MUPDATE_RESP_READY)
            return MUPDATE_UNAVAILABLE;
        tag = mupdate_client_tag(c);
        cmd = imap_parser_command(c->parser);
        if (strcmp(tag, "*"))
            continue; /* unrecognised: ignored (RFC 3656 3.7) */
        if (!str_casecmp(cmd, "AUTH")) {
            add_mechs(c);
        } else if (!str_casecmp(cmd, "STARTTLS")) {
            c->starttls_offered = 1;
        } else if (!str_casecmp(cmd, "OK")) {
            return MUPDATE_OK;
        } else if (!str_casecmp(cmd, "BYE") || !str_casecmp(cmd, "NO")) {
            mupdate_client_status_text(c);
            return mupdate_client_fail(c, "%s refused the connection: %s",
                                       c->server, buf_cstring(&c->err));
        }
    }
}

/* tagged_status - read the status for tag, ignoring untagged lines:
 * MUPDATE_OK, or UNAVAILABLE for NO/BAD/BYE/failure */
static int tagged_status(struct mupdate_client *c, const char *tag)
{
    const char *t, *cmd;

    for (;;) {
        if (mupdate_client_read_resp(c, 1, 0) != MUPDATE_RESP_READY)
            return MUPDATE_UNAVAILABLE;
        t = mupdate_client_tag(c);
        cmd = imap_parser_command(c->parser);
        if (!str_casecmp(cmd, "BYE") || (!strcmp(t, tag) &&
                                          str_casecmp(cmd, "OK"))) {
            mupdate_client_status_text(c);
            return mupdate_client_fail(c, "%s: %s", c->server,
                                       buf_cstring(&c->err));
        }
        if (!strcmp(t, tag))
            return MUPDATE_OK;
    }
}

int mupdate_client_starttls(struct mupdate_client *c)
{
    struct tls_client_config cfg;
    struct tls_ctx *ctx;
    const char *err = NULL;
    char tag[16];
    int r;

    memset(&cfg, 0, sizeof(cfg));
    cfg.ca_file = cfg_get_string(IMAPOPT_TLS_CLIENT_CA_FILE);
    cfg.ca_path = cfg_get_string(IMAPOPT_TLS_CLIENT_CA_DIR);
    cfg.cert_file = cfg_get_string(IMAPOPT_TLS_CLIENT_CERT);
    cfg.key_file = cfg_get_string(IMAPOPT_TLS_CLIENT_KEY);
    cfg.verify_peer = cfg.ca_file || cfg.ca_path;
    ctx = tls_client_ctx_new(&cfg, &err);
    if (!ctx)
        return mupdate_client_fail(c, "TLS setup failed: %s", err);

    mupdate_client_next_tag(c, tag);
    prot_printf(c->p, "%s STARTTLS\r\n", tag);
    r = mupdate_client_flush(c);
    if (r == MUPDATE_OK)
        r = tagged_status(c, tag);
    if (r == MUPDATE_OK && c->inpos < c->in.len)
        r = mupdate_client_fail(c, "PROTOERR %s sent data after STARTTLS",
                                c->server);
    if (r == MUPDATE_OK &&
        tls_client_start(ctx, c->p, c->host, c->timeout_s, &err) < 0)
        r = mupdate_client_fail(c, "TLS handshake with %s failed: %s",
                                c->server, err);
    tls_ctx_free(&ctx);
    if (r != MUPDATE_OK)
        return r;
    return mupdate_client_greeting(c); /* the banner again, over TLS */
}

/* send_blob - base64 of out as a bare line (a SASL response) */
static int send_blob(struct mupdate_client *c, const struct buf *out)
{
    struct buf b64 = BUF_INIT;

    xsasl_encode64(out->s, out->len, &b64);
    prot_write(c->p, b64.s, b64.len);
    prot_write(c->p, "\r\n", 2);
    buf_free(&b64);
    return mupdate_client_flush(c);
}

/* is_challenge - is line (of the exchange for tag) a challenge rather
 * than the result or an untagged line?  Cyrus's master and ours send
 * challenges as bare base64 lines (RFC 3656 section 4.2), possibly empty;
 * "+ ..." is accepted too.  Base64 has no space, so "tag SP" and "* "
 * cannot start one. */
static int is_challenge(const char *tag, const char *line)
{
    size_t tl = strlen(tag);

    if (line[0] == '+')
        return 1;
    return strncmp(line, "* ", 2) != 0 &&
           !(strncmp(line, tag, tl) == 0 && line[tl] == ' ');
}

/* challenge_step - a challenge line: decode it, step, answer */
static int challenge_step(struct mupdate_client *c, struct xsasl_client *sc,
                          const char *line, size_t len)
{
    struct buf in = BUF_INIT, out = BUF_INIT;
    const char *err = NULL;
    int r;

    if (len && line[0] == '+')
        line++, len--;
    while (len && *line == ' ')
        line++, len--;
    if (len >= 2 && line[0] == '"' && line[len - 1] == '"')
        line++, len -= 2; /* Cyrus may quote the challenge */
    if (xsasl_decode64(line, len, &in, &err) < 0 ||
        xsasl_client_step(sc, in.s, in.len, &out, &err) < 0) {
        r = mupdate_client_fail(c, "authentication to %s failed: %s",
                                c->server, err);
    } else {
        r = send_blob(c, &out);
    }
    buf_free(&in);
    buf_free(&out);
    return r;
}

/* auth_result - a non-challenge line during AUTHENTICATE: 1 OK, 0 an
 * untagged line to ignore, or MUPDATE_UNAVAILABLE */
static int auth_result(struct mupdate_client *c, const char *tag,
                       const char *line)
{
    size_t tl = strlen(tag);
    const char *rest;

    if (!strncmp(line, "* ", 2) && !str_has_caseprefix(line + 2, "BYE"))
        return 0;
    if (strncmp(line, tag, tl) || line[tl] != ' ') {
        if (!strncmp(line, "* ", 2))
            return mupdate_client_fail(c, "%s closed: %s", c->server,
                                       line + 2);
        return mupdate_client_fail(c, "PROTOERR unexpected line from %s "
                                   "during authentication", c->server);
    }
    rest = line + tl + 1;
    if (str_has_caseprefix(rest, "OK") && (!rest[2] || rest[2] == ' '))
        return 1;
    return mupdate_client_fail(c, "authentication to %s refused: %s",
                               c->server, rest);
}

/* auth_exchange - send AUTHENTICATE and run the exchange to its end */
static int auth_exchange(struct mupdate_client *c, struct xsasl_client *sc)
{
    struct buf out = BUF_INIT, b64 = BUF_INIT;
    const char *mech = NULL, *err = NULL, *line;
    char tag[16];
    size_t len;
    int initial = 0, r;

    if (xsasl_client_start(sc, buf_cstring(&c->mechs), &mech, &initial,
                           &out, &err) < 0) {
        buf_free(&out);
        return mupdate_client_fail(c, "cannot authenticate to %s: %s "
                                   "(server offers: %s)", c->server, err,
                                   buf_cstring(&c->mechs));
    }
    mupdate_client_next_tag(c, tag);
    prot_printf(c->p, "%s AUTHENTICATE ", tag);
    mupdate_client_put_string(c, mech);
    if (initial) {
        xsasl_encode64(out.s, out.len, &b64);
        prot_write(c->p, " ", 1);
        mupdate_client_put_string(c, buf_cstring(&b64));
        if (b64.s)
            xwipe(b64.s, b64.len);
    }
    if (out.s)
        xwipe(out.s, out.alloc);
    buf_free(&out);
    buf_free(&b64);
    prot_write(c->p, "\r\n", 2);
    r = mupdate_client_flush(c);
    while (r == MUPDATE_OK) {
        if (mupdate_client_read_resp(c, 1, 1) != MUPDATE_RESP_READY)
            return MUPDATE_UNAVAILABLE;
        line = imap_parser_raw_line(c->parser, &len);
        if (is_challenge(tag, line)) {
            r = challenge_step(c, sc, line, len);
            continue;
        }
        r = auth_result(c, tag, line);
        if (r == 1)
            return MUPDATE_OK;
        if (r == 0)
            r = MUPDATE_OK;
    }
    return r;
}

int mupdate_client_authenticate(struct mupdate_client *c,
                                const char *authname, const char *password,
                                const char *authzid, const char *realm)
{
    struct xsasl_client_params sp;
    struct xsasl_client *sc;
    const struct tls_info *ti = tls_get_info(c->p);
    const char *err = NULL;
    int r;

    memset(&sp, 0, sizeof(sp));
    sp.service = "mupdate";
    sp.server_fqdn = c->host;
    sp.authname = authname;
    sp.password = password ? password : "";
    sp.authzid = authzid && *authzid ? authzid : NULL;
    sp.realm = realm && *realm ? realm : NULL;
    sp.ext_ssf = ti ? ti->ssf : 0;
    sp.allow_plaintext = 1; /* the admin gave us a password for this peer */
    sc = xsasl_client_new(&sp, &err);
    if (!sc)
        return mupdate_client_fail(c, "SASL client setup failed: %s", err);
    r = auth_exchange(c, sc);
    xsasl_client_free(&sc);
    return r;
}
