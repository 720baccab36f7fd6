/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxy_lmtp.h - the LMTP part of the proxy core (proxy/proxy_backend.h)
 * for lmtpproxyd: greeting, LHLO (capabilities into be->caps: PIPELINING,
 * SIZE, AUTH, ...), AUTH as proxy_authname when the backend offers it
 * (no authzid: the proxy delivers for many users), NOOP as the liveness
 * check, QUIT.  And the two primitives a transaction is made of.
 */
#ifndef PROXY_PROXY_LMTP_H
#define PROXY_PROXY_LMTP_H

struct buf;
struct proxy_backend;
struct proxy_protocol;

extern const struct proxy_protocol proxy_lmtp_protocol;

/* proxy_lmtp_send - write the command line cmd (CRLF added); flushed
 * unless the backend offers PIPELINING (then the reader flushes).
 * 0, or -1 with *error_r (proxy_backend_fail). */
int proxy_lmtp_send(struct proxy_backend *be, const char *cmd,
                    const char **error_r);

/* proxy_lmtp_read_reply - read one reply (all its "NNN-" lines, after
 * flushing what was sent): its code (200..599) with the last line,
 * without CRLF, in *line; -1 with *error_r when the backend failed or
 * sent something that is not a reply. */
int proxy_lmtp_read_reply(struct proxy_backend *be, struct buf *line,
                          const char **error_r);

#endif /* PROXY_PROXY_LMTP_H */
