/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmd-compress.c - COMPRESS DEFLATE (RFC 4978), authenticated and
 * selected states.
 *
 * Answers OK, flushes it uncompressed, then installs the deflate codec
 * (lib/prot_deflate.h) on the session's stream: every byte after the OK
 * is compressed in both directions.  Refused with NO [COMPRESSIONACTIVE]
 * when a codec is already on (a second COMPRESS, or a SASL security
 * layer: RFC 4978 section 4 forbids compressing under one), and BAD for
 * any algorithm but DEFLATE.  Bytes the client pipelined after the
 * command cannot be told apart from compressed ones: they end the session,
 * as for STARTTLS.  A failure to install the codec after the OK ends the
 * session too (the two ends no longer agree on the stream).
 */
#include "config.h"

#include "imap/imap_commands.h"
#include "imap/imap_session.h"
#include "lib/log.h"
#include "lib/prot.h"
#include "lib/prot_deflate.h"
#include "lib/str.h"
#include "lib/xsasl.h"

bool cmd_compress(struct imap_cmd *cmd)
{
    struct imap_session *s = cmd->sess;
    const char *alg, *err = NULL;

    if (cmd->argc != 1 || !imap_arg_get_atom(&cmd->args[0], &alg)) {
        imap_cmd_bad(cmd, "Invalid arguments: COMPRESS DEFLATE");
        return true;
    }
    if (str_casecmp(alg, "DEFLATE") != 0) {
        imap_cmd_bad(cmd, "Unknown compression algorithm");
        return true;
    }
    if (s->sasl && xsasl_server_ssf(s->sasl) > 0) {
        imap_cmd_no(cmd, "[COMPRESSIONACTIVE] A SASL security layer is "
                         "active");
        return true;
    }
    if (prot_codec_name(s->prot)) {
        imap_cmd_no(cmd, "[COMPRESSIONACTIVE] Compression already active");
        return true;
    }
    if (imap_session_bytes_pending(s) > 0) {
        log_notice("PROTOERR data pipelined after COMPRESS");
        imap_cmd_bad(cmd, "Unexpected data after COMPRESS");
        imap_session_bye(s, "Data pipelined after COMPRESS");
        return true;
    }
    imap_cmd_ok(cmd, "DEFLATE active");
    if (prot_deflate_start(s->prot, -1, &err) < 0) {
        log_error("COMPRESS failed error=<%s>", err);
        s->closing = true;
        return true;
    }
    log_info("compression on");
    return true;
}
