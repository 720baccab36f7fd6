/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxcmd_util.c - what imapd's mailbox commands share: the session as a
 * struct mboxops_who, client <-> internal mailbox names, and quoting a
 * name for a response.  No state of its own.
 */
#include "config.h"

#include <stdlib.h>

#include "imap/imap_session.h"
#include "imap/mboxcmds.h"
#include "imap/mboxname.h"
#include "imap/mboxops.h"
#include "lib/buf.h"

void mboxcmd_who(struct imap_session *s, struct mboxops_who *who)
{
    who->auth = s->auth;
    who->ns = &s->ns;
}

int mboxcmd_internal(struct imap_session *s, const char *ext, char **name_r)
{
    *name_r = NULL;
    return mboxname_to_internal(&s->ns, ext, s->userid, name_r, NULL) == 1
               ? 0 : -1;
}

char *mboxcmd_external(struct imap_session *s, const char *internal)
{
    return mboxname_to_external(&s->ns, internal, s->userid);
}

void mboxcmd_quote(struct buf *out, const char *s)
{
    const char *p;

    for (p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c > 0x7e)
            break;
    }
    if (*p) {
        size_t n = 0;
        while (s[n])
            n++;
        buf_printf(out, "{%zu}\r\n%s", n, s);
        return;
    }
    buf_putc(out, '"');
    for (p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_putc(out, '\\');
        buf_putc(out, *p);
    }
    buf_putc(out, '"');
}
