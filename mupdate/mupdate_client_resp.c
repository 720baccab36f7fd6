/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mupdate_client_resp.c - reading and writing the MUPDATE wire for the
 * client library: server response lines parsed with lib/imap_parser
 * ("tag WORD args", literals included), blocking with the connection's
 * timeout or non-blocking for the UPDATE stream; strings out as quoted
 * strings or non-synchronising literals; list entries out of MAILBOX /
 * RESERVE / DELETE responses.  Failures mark the connection dead and put
 * their text in c->err.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/prot.h"
#include "lib/str.h"
#include "mupdate/mupdate_client_internal.h"

#define READ_CHUNK 16384

/* lib/imap_parser takes client command tags, where "*" is not allowed: an
 * untagged response's "*" is fed to it as this stand-in, which no MUPDATE
 * tag (alphanumeric, RFC 3656 section 2) can be. */
#define UNTAGGED_STANDIN "_"

const char *mupdate_client_tag(const struct mupdate_client *c)
{
    const char *t = imap_parser_tag(c->parser);

    if (!t)
        return "";
    return strcmp(t, UNTAGGED_STANDIN) ? t : "*";
}

int mupdate_client_fail(struct mupdate_client *c, const char *fmt, ...)
{
    struct buf text = BUF_INIT;
    va_list ap;

    /* formatted aside: an argument may point into c->err itself */
    va_start(ap, fmt);
    buf_vprintf(&text, fmt, ap);
    va_end(ap);
    buf_setmap(&c->err, text.s, text.len);
    buf_cstring(&c->err); /* mupdate_client_error hands out err.s */
    buf_free(&text);
    c->dead = 1;
    return MUPDATE_UNAVAILABLE;
}

void mupdate_client_next_tag(struct mupdate_client *c, char tag[16])
{
    snprintf(tag, 16, "M%u", ++c->tagn);
}

/* stream_failure - describe why the stream failed */
static int stream_failure(struct mupdate_client *c)
{
    switch (prot_state(c->p)) {
    case PROT_STATE_EOF:
        return mupdate_client_fail(c, "connection closed by %s", c->server);
    case PROT_STATE_TIMEOUT:
        return mupdate_client_fail(c, "timeout talking to %s", c->server);
    default:
        return mupdate_client_fail(c, "connection to %s failed: %s",
                                   c->server,
                                   prot_error(c->p) ? prot_error(c->p)
                                                    : "I/O error");
    }
}

/* feed_buffered - feed what c->in holds: 1 a response is complete, 0 need
 * more, -1 bad response */
static int feed_buffered(struct mupdate_client *c)
{
    size_t used;
    int r;

    while (c->inpos < c->in.len) {
        if (c->fresh && c->in.s[c->inpos] == '*') {
            r = imap_parser_feed(c->parser, UNTAGGED_STANDIN, 1, &used);
            c->inpos++;
        } else {
            r = imap_parser_feed(c->parser, c->in.s + c->inpos,
                                 c->in.len - c->inpos, &used);
            c->inpos += used;
        }
        c->fresh = 0;
        if (r == IMAP_PARSER_DONE)
            return 1;
        if (r == IMAP_PARSER_LITERAL_CONTINUATION)
            continue; /* a server's literal data follows at once */
        if (r < 0 || r == IMAP_PARSER_LITERAL_STREAM) {
            mupdate_client_fail(c, "PROTOERR bad response from %s: %s",
                                c->server,
                                imap_parser_error(c->parser)
                                    ? imap_parser_error(c->parser)
                                    : "unexpected literal");
            return -1;
        }
    }
    return 0;
}

int mupdate_client_read_resp(struct mupdate_client *c, int wait, int raw)
{
    ssize_t n;
    int r;

    if (c->dead)
        return MUPDATE_RESP_FAIL;
    if (!c->in_resp) {
        imap_parser_reset(c->parser);
        if (raw)
            imap_parser_begin_raw_line(c->parser);
        c->in_resp = 1;
        c->fresh = !raw;
    }
    for (;;) {
        r = feed_buffered(c);
        if (r < 0)
            return MUPDATE_RESP_FAIL;
        if (r > 0) {
            c->in_resp = 0;
            return MUPDATE_RESP_READY;
        }
        /* everything buffered was consumed: start the buffer over */
        buf_reset(&c->in);
        c->inpos = 0;
        buf_ensure(&c->in, READ_CHUNK);
        prot_set_nonblocking(c->p, !wait);
        n = prot_read(c->p, c->in.s, READ_CHUNK);
        if (n == PROT_AGAIN)
            return MUPDATE_RESP_AGAIN;
        if (n < 0) {
            stream_failure(c);
            return MUPDATE_RESP_FAIL;
        }
        c->in.len = (size_t)n;
    }
}

void mupdate_client_put_string(struct mupdate_client *c, const char *s)
{
    size_t len = strlen(s), i;
    int quote = len < 1000;

    for (i = 0; quote && i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\r' || ch == '\n' || ch >= 0x80)
            quote = 0;
    }
    if (quote) {
        prot_printstring(c->p, s);
    } else {
        prot_printf(c->p, "{%zu+}\r\n", len);
        prot_write(c->p, s, len);
    }
}

int mupdate_client_flush(struct mupdate_client *c)
{
    if (c->dead)
        return MUPDATE_UNAVAILABLE;
    if (prot_flush(c->p) < 0)
        return mupdate_client_fail(c, "cannot write to %s: %s", c->server,
                                   prot_error(c->p) ? prot_error(c->p)
                                                    : "I/O error");
    return MUPDATE_OK;
}

void mupdate_client_status_text(struct mupdate_client *c)
{
    const struct imap_arg *args;
    const char *s;
    size_t n, i;

    buf_reset(&c->err);
    args = imap_parser_args(c->parser, &n);
    for (i = 0; i < n; i++) {
        if (!imap_arg_get_astring(&args[i], &s))
            continue;
        if (c->err.len)
            buf_putc(&c->err, ' ');
        buf_appendcstr(&c->err, s);
    }
    if (!c->err.len)
        buf_printf(&c->err, "%s from %s", imap_parser_command(c->parser),
                   c->server);
    buf_cstring(&c->err);
}

/* arg_string - args[i] as a string (atoms allowed: Cyrus is lenient) */
static int arg_string(const struct imap_arg *args, size_t n, size_t i,
                      struct buf *out)
{
    const char *s;

    if (i >= n || !imap_arg_get_astring(&args[i], &s))
        return 0;
    buf_setcstr(out, s);
    return 1;
}

int mupdate_client_parse_entry(struct mupdate_client *c,
                               struct mupdate_entry *e_r)
{
    const char *cmd = imap_parser_command(c->parser);
    const struct imap_arg *args;
    size_t n;
    int ok;

    args = imap_parser_args(c->parser, &n);
    memset(e_r, 0, sizeof(*e_r));
    if (!str_casecmp(cmd, "MAILBOX")) {
        e_r->kind = MUPDATE_MAILBOX;
        ok = arg_string(args, n, 0, &c->e_name) &&
             arg_string(args, n, 1, &c->e_loc);
        /* the ACL may be missing or NIL from lenient servers: empty */
        if (ok && !arg_string(args, n, 2, &c->e_acl))
            buf_reset(&c->e_acl);
        e_r->acl = buf_cstring(&c->e_acl);
    } else if (!str_casecmp(cmd, "RESERVE")) {
        e_r->kind = MUPDATE_RESERVED;
        ok = arg_string(args, n, 0, &c->e_name) &&
             arg_string(args, n, 1, &c->e_loc);
    } else if (!str_casecmp(cmd, "DELETE")) {
        e_r->kind = MUPDATE_DELETED;
        ok = arg_string(args, n, 0, &c->e_name);
    } else {
        return 0;
    }
    if (!ok || !c->e_name.len) {
        mupdate_client_fail(c, "PROTOERR malformed %s response from %s",
                            cmd, c->server);
        return -1;
    }
    e_r->name = buf_cstring(&c->e_name);
    if (e_r->kind != MUPDATE_DELETED)
        e_r->location = buf_cstring(&c->e_loc);
    return 1;
}
