/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxyd_idle.c - IDLE (RFC 2177) through proxyd.
 *
 * With a mailbox selected, IDLE goes to its backend; once the backend
 * says "+", the client gets "+ idling" and we wait on both streams at
 * once (prot_wait): the backend's untagged news (EXISTS, EXPUNGE, FETCH
 * of another session's or an MTA's change) are relayed the moment they
 * arrive; client bytes end the wait, the engine reads the line and calls
 * us again: DONE goes to the backend and its tagged reply to the client.
 * Without a selection there is nothing to watch and imapd's own IDLE
 * (imap/cmd-idle.c) serves.  The autologout time bounds the whole IDLE;
 * SIGTERM ends the session with BYE.  The backend connection is kept in
 * cmd->state between calls: nothing else touches the pool meanwhile.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "imap/imap_session.h"
#include "lib/limits.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/str.h"
#include "master/service.h"
#include "proxy/proxy_backend.h"
#include "proxy/proxy_imap.h"
#include "proxy/proxyd.h"

/* Longest single wait, ms: granularity of the SIGTERM and autologout
 * checks. */
#define PROXYD_IDLE_TICK_MS 1000

/* idle_start - send IDLE, relay until the backend's "+"; 1 idling,
 * 0 the command is over (answered) */
static int idle_start(struct imap_cmd *cmd, struct proxy_backend *be)
{
    struct proxy_imap_data *d = proxy_imap_data(be);
    struct buf line = BUF_INIT;
    size_t tl;
    int r = -1;

    proxyd_sendf(be, "IDLE");
    tl = strlen(d->tag);
    if (prot_flush(be->p) >= 0) {
        for (;;) {
            buf_reset(&line);
            if (prot_getline(be->p, &line, LIMIT_PROT_LINE_HARD) != 1)
                break;
            buf_cstring(&line);
            if (line.s[0] == '+') {
                r = 1;
                break;
            }
            if (line.len > tl && strncmp(line.s, d->tag, tl) == 0 &&
                line.s[tl] == ' ') {
                /* refused: pass the answer on */
                if (str_ncasecmp(line.s + tl + 1, "OK", 2) == 0)
                    imap_cmd_ok(cmd, "%s", line.s + tl + 4);
                else
                    imap_cmd_no(cmd, "%s", line.len > tl + 4 ? line.s + tl + 4 : "");
                r = 0;
                break;
            }
            if (str_ncasecmp(line.s, "* BYE", 5) == 0 ||
                proxyd_stream_untagged(cmd->sess, be, &line) < 0)
                break;
        }
    }
    buf_free(&line);
    if (r < 0) {
        proxyd_backend_lost(cmd->sess, be);
        imap_cmd_no(cmd, "[UNAVAILABLE] Mailbox server is unavailable");
        return 0;
    }
    return r;
}

/* idle_wait - relay the backend's news until the client sends
 * something: 1 client input, 0 backend gone, -1 session over (BYE) */
static int idle_wait(struct imap_session *s, struct proxy_backend *be)
{
    time_t deadline = time(NULL) + imap_session_read_timeout(s);
    struct buf line = BUF_INIT;
    int r = 1;

    while (imap_session_bytes_pending(s) == 0 && prot_available(s->prot) == 0) {
        struct prot_waitent set[2] = { { s->prot, -1, 0 }, { be->p, -1, 0 } };
        const char *err = NULL;
        int n = prot_wait(set, 2, PROXYD_IDLE_TICK_MS, &err);

        if (n < 0) {
            log_info("IDLE wait failed error=<%s>", err ? err : "");
            s->closing = true;
            r = -1;
            break;
        }
        if (set[0].ready)
            break;
        while (set[1].ready) {
            buf_reset(&line);
            if (prot_getline(be->p, &line, LIMIT_PROT_LINE_HARD) != 1 ||
                str_ncasecmp(buf_cstring(&line), "* BYE", 5) == 0 ||
                line.s[0] != '*' || proxyd_stream_untagged(s, be, &line) < 0) {
                r = 0;
                break;
            }
            set[1].ready = prot_available(be->p) > 0;
        }
        if (r == 0)
            break;
        prot_flush(s->prot);
        if (service_term_requested()) {
            imap_session_bye(s, "Server shutting down");
            r = -1;
            break;
        }
        if (time(NULL) >= deadline) {
            log_info("autologout timeout=<%d>", imap_session_read_timeout(s));
            imap_session_bye(s, "Autologout; idle for too long");
            r = -1;
            break;
        }
    }
    buf_free(&line);
    return r;
}

/* idle_done - the client's line ended the wait: DONE to the backend and
 * its tagged reply to the client (BAD for anything but DONE) */
static void idle_done(struct imap_cmd *cmd, struct proxy_backend *be)
{
    static const struct proxyd_relay quiet = { NULL, NULL, true, NULL };
    bool done = !cmd->aborted && cmd->line &&
                str_casecmp(cmd->line, "DONE") == 0;

    prot_puts(be->p, "DONE\r\n");
    if (done) {
        proxyd_relay(cmd, be, NULL);
        return;
    }
    if (cmd->aborted) {
        /* the session is ending: let the pool's LOGOUT find a sane
         * connection, send nothing to the client */
        proxyd_relay(cmd, be, &quiet);
        return;
    }
    if (proxyd_relay(cmd, be, &quiet) != PROXYD_DEAD)
        imap_cmd_bad(cmd, "Expected DONE");
}

bool proxyd_cmd_idle(struct imap_cmd *cmd)
{
    struct proxy_backend *be = cmd->state;
    int r;

    if (be) {
        idle_done(cmd, be);
        return true;
    }
    if (cmd->aborted)
        return true;
    if (cmd->sess->state != IMAP_CMD_SELECTED)
        return cmd_idle(cmd);
    if (cmd->argc != 0) {
        imap_cmd_bad(cmd, "IDLE takes no arguments");
        return true;
    }
    if (!(be = proxyd_selected_backend(cmd)) || !idle_start(cmd, be))
        return true;
    prot_puts(cmd->sess->prot, "+ idling\r\n");
    prot_flush(cmd->sess->prot);
    r = idle_wait(cmd->sess, be);
    if (r < 0) {
        /* the session ends: leave the backend out of IDLE for LOGOUT */
        prot_puts(be->p, "DONE\r\n");
        prot_flush(be->p);
        return true;
    }
    if (r == 0) {
        proxyd_backend_lost(cmd->sess, be);
        imap_cmd_no(cmd, "[UNAVAILABLE] Mailbox server is unavailable");
        return true;
    }
    cmd->state = be;
    cmd->want_line = true;
    return false;
}
