/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mboxcmd_util.c - what imapd's mailbox commands share: the session as a
 * struct mboxops_who, client <-> internal mailbox names, and quoting a
 * name for a response.  No state of its own.
 *
 * Names are modified UTF-7 on the wire in IMAP4rev1, UTF-8 once the
 * client has ENABLEd IMAP4rev2 (RFC 9051 5.1); the store keeps modified
 * UTF-7 either way, so a rev2 name is encoded on the way in and decoded
 * on the way out here, in one place.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "imap/imap_session.h"
#include "imap/mboxcmds.h"
#include "imap/mboxname.h"
#include "imap/mboxops.h"
#include "imap/mutf7.h"
#include "lib/buf.h"
#include "lib/xmalloc.h"

void mboxcmd_who(struct imap_session *s, struct mboxops_who *who)
{
    who->auth = s->auth;
    who->ns = &s->ns;
}

int mboxcmd_internal(struct imap_session *s, const char *ext, char **name_r)
{
    struct buf m = BUF_INIT;
    const char *err;
    int r = -1;

    *name_r = NULL;
    if (s->enabled & IMAP_ENABLED_IMAP4REV2) {
        /* UTF-8 on the wire: an '&' is itself, not a shift */
        if (mutf7_encode(ext, strlen(ext), &m, &err) < 0)
            goto done;
        ext = buf_cstring(&m);
    }
    r = mboxname_to_internal(&s->ns, ext, s->userid, name_r, NULL) == 1
            ? 0 : -1;
done:
    buf_free(&m);
    return r;
}

char *mboxcmd_external(struct imap_session *s, const char *internal)
{
    char *ext = mboxname_to_external(&s->ns, internal, s->userid);
    struct buf u = BUF_INIT;
    const char *err;

    if (!ext || !(s->enabled & IMAP_ENABLED_IMAP4REV2))
        return ext;
    if (mutf7_decode(ext, strlen(ext), &u, &err) < 0) {
        buf_free(&u);             /* not valid modified UTF-7: as stored */
        return ext;
    }
    free(ext);
    return buf_release(&u);
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
