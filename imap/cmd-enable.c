/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-enable.c - ENABLE (RFC 5161): authenticated state only (before a
 * mailbox is selected; the dispatcher checks that).
 *
 * An extension becomes enableable by adding a row to enableable[] with its
 * IMAP_ENABLED_* bit (imap_session.h) and advertising it in
 * imap_capability.c; the commands it changes test cmd->sess->enabled.
 * CONDSTORE is enableable; QRESYNC and IMAP4rev2 plug in here too.  Unknown names are
 * ignored, as the RFC requires.
 */
#include "config.h"

#include "imap/imap_commands.h"
#include "imap/imap_session.h"
#include "lib/buf.h"
#include "lib/str.h"

struct enableable {
    const char *name;
    unsigned bits;   /* IMAP_ENABLED_* set when enabled */
};

/* QRESYNC will carry both bits (it implies CONDSTORE, RFC 7162 3.2.3);
 * TODO(#3): add { "QRESYNC", IMAP_ENABLED_CONDSTORE | IMAP_ENABLED_QRESYNC }
 * once SELECT (QRESYNC ...) and VANISHED instead of EXPUNGE in the
 * selected-mailbox report exist (FETCH's VANISHED modifier is ready). */
static const struct enableable enableable[] = {
    { "CONDSTORE", IMAP_ENABLED_CONDSTORE },
    { NULL, 0 },
};

size_t imap_enable_apply(const char *const *names, size_t n,
                         unsigned *enabled, struct buf *out)
{
    size_t count = 0;

    for (size_t i = 0; i < n; i++) {
        for (const struct enableable *e = enableable; e->name; e++) {
            if (str_casecmp(e->name, names[i]) != 0 ||
                (*enabled & e->bits) == e->bits)
                continue;
            *enabled |= e->bits;
            buf_printf(out, " %s", e->name);
            count++;
        }
    }
    return count;
}

bool cmd_enable(struct imap_cmd *cmd)
{
    const char *names[64];
    size_t n = 0;
    struct buf out = BUF_INIT;

    if (cmd->argc == 0) {
        imap_cmd_bad(cmd, "ENABLE needs at least one capability");
        return true;
    }
    for (size_t i = 0; i < cmd->argc; i++) {
        const char *name;

        if (!imap_arg_get_atom(&cmd->args[i], &name)) {
            imap_cmd_bad(cmd, "Invalid capability name");
            return true;
        }
        /* more names than any server could know: the rest are unknown */
        if (n < sizeof(names) / sizeof(names[0]))
            names[n++] = name;
    }
    imap_enable_apply(names, n, &cmd->sess->enabled, &out);
    imap_untagged(cmd->sess, "ENABLED%s", buf_cstring(&out));
    imap_cmd_ok(cmd, "Enabled");
    buf_free(&out);
    return true;
}
