/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-idle.c - IDLE (RFC 2177), authenticated or selected state.
 *
 * "+ idling", then wait on two things at once with prot_wait(): the
 * client stream (its DONE) and the selected mailbox's change descriptor
 * (mailbox_change_fd, inotify on cyrus.index).  When the mailbox changes,
 * imap_selected_report() sends EXPUNGE/EXISTS/FETCH at once, so another
 * session's APPEND, STORE or EXPUNGE shows up within a moment.  Without
 * a change descriptor the mailbox is polled once a second.  When client
 * bytes arrive the handler asks the engine for the raw line
 * (cmd->want_line) and is called again with it: DONE ends the command,
 * anything else is BAD.  The autologout time applies to the whole IDLE
 * (RFC 2177 asks clients to re-IDLE within 29 minutes); SIGTERM ends the
 * session with BYE.
 */
#include "config.h"

#include <time.h>

#include "imap/imap_commands.h"
#include "imap/imap_selected.h"
#include "imap/imap_session.h"
#include "imap/mailbox.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "master/service.h"

/* Longest single wait, ms: the poll period without a change descriptor
 * and the granularity of the SIGTERM and autologout checks. */
#define IDLE_TICK_MS 1000

/* idle_changed - did the selected mailbox change during a wait that
 * returned with set[1] (the change fd) or timed out.  A per-user \Seen
 * (imap/seen_view.h) lives in the user's seen database, which has no
 * change descriptor: it is re-read once per tick by the report. */
static bool idle_changed(struct imap_session *s, int fd, bool fd_ready)
{
    struct mailbox *mb = s->selected ? s->selected->mb : NULL;
    bool seen_poll = s->selected && s->selected->seen.per_user;

    if (!mb)
        return false;
    if (fd >= 0) {
        if (fd_ready)
            mailbox_change_drain(mb);
        return fd_ready || seen_poll;
    }
    return mailbox_changed(mb) != 0 || seen_poll;
}

/* idle_wait - wait for client input; false when the session must end
 * (BYE sent) */
static bool idle_wait(struct imap_session *s)
{
    time_t deadline = time(NULL) + imap_session_read_timeout(s);

    while (imap_session_bytes_pending(s) == 0 && prot_available(s->prot) == 0) {
        struct prot_waitent set[2] = { { s->prot, -1, 0 }, { NULL, -1, 0 } };
        int fd = s->selected ? mailbox_change_fd(s->selected->mb) : -1;
        const char *err = NULL;
        int r;

        set[1].fd = fd;
        r = prot_wait(set, fd >= 0 ? 2 : 1, IDLE_TICK_MS, &err);
        if (r < 0) {
            log_info("IDLE wait failed error=<%s>", err ? err : "");
            s->closing = true;
            return false;
        }
        if (set[0].ready)
            break;
        if (idle_changed(s, fd, set[1].ready)) {
            imap_selected_report(s, 0);
            if (s->closing)
                return false;
            prot_flush(s->prot);
        }
        if (service_term_requested()) {
            imap_session_bye(s, "Server shutting down");
            return false;
        }
        if (time(NULL) >= deadline) {
            log_info("autologout timeout=<%d>", imap_session_read_timeout(s));
            imap_session_bye(s, "Autologout; idle for too long");
            return false;
        }
    }
    return true;
}

bool cmd_idle(struct imap_cmd *cmd)
{
    struct imap_session *s = cmd->sess;

    if (cmd->aborted)
        return true;
    if (cmd->line) {
        /* the line that ended the wait */
        if (str_casecmp(cmd->line, "DONE") == 0)
            imap_cmd_ok(cmd, "IDLE terminated");
        else
            imap_cmd_bad(cmd, "Expected DONE");
        return true;
    }
    if (cmd->argc != 0) {
        imap_cmd_bad(cmd, "IDLE takes no arguments");
        return true;
    }
    prot_puts(s->prot, "+ idling\r\n");
    /* what changed before IDLE began is news too */
    imap_selected_report(s, 0);
    prot_flush(s->prot);
    if (!idle_wait(s))
        return true;
    cmd->want_line = true;
    return false;
}
