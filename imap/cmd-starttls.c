/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-starttls.c - STARTTLS (RFC 3501 6.2.1): not authenticated state only
 * (the dispatcher checks that).  Refused when TLS is not configured or
 * already active.  Client bytes pipelined after the command were sent in
 * plaintext and must never run as if they came over TLS (CVE-2011-0411):
 * the command is refused and the connection closed.  After the handshake
 * the SASL session is recreated so it knows the TLS strength (PLAIN
 * appears, LOGINDISABLED goes).  A failed handshake ends the session.
 */
#include "config.h"

#include "imap/imap_auth.h"
#include "imap/imap_commands.h"
#include "imap/imap_session.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/tls.h"

bool cmd_starttls(struct imap_cmd *cmd)
{
    struct imap_session *s = cmd->sess;
    const char *err = NULL;

    if (cmd->argc) {
        imap_cmd_bad(cmd, "Unexpected extra arguments to STARTTLS");
        return true;
    }
    if (s->tls) {
        imap_cmd_bad(cmd, "Already using TLS");
        return true;
    }
    if (!s->server->tls_ctx) {
        imap_cmd_bad(cmd, "TLS is not available");
        return true;
    }
    if (imap_session_bytes_pending(s) > 0) {
        log_notice("PROTOERR plaintext data after STARTTLS");
        imap_cmd_bad(cmd, "Unexpected data after STARTTLS");
        imap_session_bye(s, "Plaintext data after STARTTLS");
        return true;
    }
    imap_cmd_ok(cmd, "Begin TLS negotiation now");
    if (tls_server_start(s->server->tls_ctx, s->prot,
                         imap_session_read_timeout(s), &err) < 0) {
        log_notice("STARTTLS failed error=<%s>", err);
        s->closing = true;
        return true;
    }
    s->tls = true;
    if (imap_auth_reset(s, &err) < 0) {
        log_error("SASL session failed error=<%s>", err);
        imap_session_bye(s, "Server unavailable");
    }
    return true;
}
