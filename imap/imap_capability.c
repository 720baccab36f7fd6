/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * imap_capability.c - the CAPABILITY words (greeting, CAPABILITY command,
 * the OK [CAPABILITY ...] after login and after STARTTLS is not sent: RFC
 * 3501 makes clients ask again).
 *
 * Only what is implemented is listed: add a word here in the same change
 * that adds the command (IDLE, CONDSTORE, ... come later).  Pure string
 * building; no errors.
 */
#include "config.h"

#include <string.h>

#include "imap/imap_capability.h"
#include "imap/imap_session.h"
#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/strarray.h"
#include "lib/xsasl.h"

/* Implemented in every state. */
static const char *const caps_always[] = { "ID", "ENABLE", "NAMESPACE" };
/* Implemented after login only: message commands (cmd-fetch.c,
 * cmd-store.c, cmd-copy.c, cmd-expunge.c, cmd-idle.c). */
static const char *const caps_postauth[] = { "IDLE", "MOVE", "UIDPLUS",
                                             "CONDSTORE", "QRESYNC", "BINARY",
                                             /* cmd-search.c, cmd-sort.c,
                                              * cmd-thread.c */
                                             "ESEARCH", "SEARCHRES", "SORT",
                                             "THREAD=ORDEREDSUBJECT",
                                             "THREAD=REFERENCES",
                                             /* mailbox commands (cmd-list.c,
                                              * cmd-create.c, cmd-acl.c,
                                              * cmd-quota.c, cmd-append.c,
                                              * cmd-close.c) */
                                             "LIST-EXTENDED", "LIST-STATUS",
                                             "CHILDREN", "SPECIAL-USE",
                                             "CREATE-SPECIAL-USE", "ACL",
                                             "RIGHTS=texk", "QUOTA",
                                             "MULTIAPPEND", "UNSELECT",
                                             /* cmd-compress.c */
                                             "COMPRESS=DEFLATE" };

void imap_capability_build(const struct imap_capability_input *in,
                           struct buf *out)
{
    buf_reset(out);
    buf_appendcstr(out, "IMAP4rev1");
    /* Pre-auth the parser runs in LITERAL- mode (lib/imap_parser.h): an
     * anonymous peer may not push big unannounced literals at us. */
    buf_appendcstr(out, in->authenticated ? " LITERAL+" : " LITERAL-");
    for (size_t i = 0; i < sizeof(caps_always) / sizeof(caps_always[0]); i++) {
        buf_putc(out, ' ');
        buf_appendcstr(out, caps_always[i]);
    }
    if (in->authenticated) {
        for (size_t i = 0; i < sizeof(caps_postauth) / sizeof(caps_postauth[0]);
             i++) {
            buf_putc(out, ' ');
            buf_appendcstr(out, caps_postauth[i]);
        }
        /* ENABLE IMAP4rev2: see IMAP_ENABLED_IMAP4REV2 and the option */
        if (in->imap4rev2)
            buf_appendcstr(out, " IMAP4rev2");
        return;
    }
    if (in->tls_available && !in->tls_active)
        buf_appendcstr(out, " STARTTLS");
    if (!in->tls_active && !in->allow_plaintext)
        buf_appendcstr(out, " LOGINDISABLED");
    buf_appendcstr(out, " SASL-IR");
    if (in->sasl_mechs && *in->sasl_mechs) {
        struct strarray mechs = STRARRAY_INIT;

        strarray_split(&mechs, in->sasl_mechs, " ");
        for (size_t i = 0; i < mechs.count; i++) {
            if (*strarray_nth(&mechs, i))
                buf_printf(out, " AUTH=%s", strarray_nth(&mechs, i));
        }
        strarray_fini(&mechs);
    }
}

void imap_capability_suppress(struct buf *caps, const char *words)
{
    struct strarray drop = STRARRAY_INIT, have = STRARRAY_INIT;
    struct buf out = BUF_INIT;

    if (!words || !*words)
        return;
    strarray_split(&drop, words, " ");
    strarray_split(&have, buf_cstring(caps), " ");
    for (size_t i = 0; i < have.count; i++) {
        const char *w = strarray_nth(&have, i);

        if (!*w || strarray_find(&drop, w, 0) >= 0)
            continue;
        if (out.len)
            buf_putc(&out, ' ');
        buf_appendcstr(&out, w);
    }
    buf_setmap(caps, out.s ? out.s : "", out.len);
    buf_free(&out);
    strarray_fini(&drop);
    strarray_fini(&have);
}

void imap_capability_get(struct imap_session *s, struct buf *out)
{
    struct imap_capability_input in;
    struct buf mechs = BUF_INIT;

    memset(&in, 0, sizeof(in));
    in.tls_available = s->server->tls_ctx != NULL;
    in.tls_active = s->tls;
    in.authenticated = s->state != IMAP_CMD_NONAUTH;
    in.allow_plaintext = cfg_get_switch(IMAPOPT_ALLOWPLAINTEXT);
    in.imap4rev2 = cfg_get_switch(IMAPOPT_IMAP4REV2);
    if (!in.authenticated && s->sasl && xsasl_server_mechs(s->sasl, &mechs) == 1)
        in.sasl_mechs = buf_cstring(&mechs);
    imap_capability_build(&in, out);
    if (s->server->hooks && s->server->hooks->capability)
        s->server->hooks->capability(s, out);
    imap_capability_suppress(out,
                             cfg_get_string(IMAPOPT_SUPPRESS_CAPABILITIES));
    buf_free(&mechs);
}
