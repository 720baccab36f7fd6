/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-enable.c - ENABLE (RFC 5161): authenticated state only (before a
 * mailbox is selected; the dispatcher checks that).
 *
 * An extension becomes enableable by adding a row to enableable[] with its
 * IMAP_ENABLED_* bit (imap_session.h) and advertising it in
 * imap_capability.c; the commands it changes test cmd->sess->enabled.
 * CONDSTORE, QRESYNC and IMAP4rev2 are enableable.
 * Unknown names are ignored, as the RFC requires.
 */
#include "config.h"

#include "imap/imap_commands.h"
#include "imap/imap_session.h"
#include "lib/buf.h"
#include "lib/cfg.h"
#include "lib/str.h"

struct enableable {
    const char *name;
    unsigned bits;   /* IMAP_ENABLED_* set when enabled */
};

/* QRESYNC carries both bits: it implies CONDSTORE (RFC 7162 3.2.3).  It
 * changes SELECT/EXAMINE (the QRESYNC parameter, [CLOSED]), the selected
 * report (VANISHED instead of EXPUNGE) and allows FETCH's VANISHED. */
static const struct enableable enableable[] = {
    { "CONDSTORE", IMAP_ENABLED_CONDSTORE },
    { "QRESYNC", IMAP_ENABLED_CONDSTORE | IMAP_ENABLED_QRESYNC },
    /* RFC 9051: what changes is listed at IMAP_ENABLED_IMAP4REV2 */
    { "IMAP4rev2", IMAP_ENABLED_IMAP4REV2 },
    { NULL, 0 },
};

size_t imap_enable_apply(const char *const *names, size_t n, unsigned allowed,
                         unsigned *enabled, struct buf *out)
{
    size_t count = 0;

    for (size_t i = 0; i < n; i++) {
        for (const struct enableable *e = enableable; e->name; e++) {
            if (str_casecmp(e->name, names[i]) != 0 ||
                (e->bits & ~allowed) || (*enabled & e->bits) == e->bits)
                continue;
            *enabled |= e->bits;
            buf_printf(out, " %s", e->name);
            count++;
        }
    }
    return count;
}

/* enable_allowed - what ENABLE may turn on here: IMAP4rev2 only when the
 * imap4rev2 option advertises it */
static unsigned enable_allowed(void)
{
    unsigned bits = IMAP_ENABLED_CONDSTORE | IMAP_ENABLED_QRESYNC;
    if (cfg_get_switch(IMAPOPT_IMAP4REV2))
        bits |= IMAP_ENABLED_IMAP4REV2;
    return bits;
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
    imap_enable_apply(names, n, enable_allowed(), &cmd->sess->enabled, &out);
    imap_untagged(cmd->sess, "ENABLED%s", buf_cstring(&out));
    imap_cmd_ok(cmd, "Enabled");
    buf_free(&out);
    return true;
}
