/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * limits.h - named compile-time limits (include as "lib/limits.h").
 *
 * Limits an admin may want to change are imapd.conf options with a default,
 * a minimum and a maximum (see lib/imapoptions); the ones here are
 * structural bounds that protect the process itself.  Each is enforced in
 * exactly one place, named beside it.
 */
#ifndef LIB_LIMITS_H
#define LIB_LIMITS_H

/* Longest line a protocol stream will buffer while looking for CRLF
 * (lib/prot.c).  Protocol-level line limits are config options and are
 * smaller; this is the hard ceiling. */
#define LIMIT_PROT_LINE_HARD        (1024 * 1024)

/* Deepest parenthesised list the IMAP parser accepts (lib/imap_parser.c),
 * before and after authentication. */
#define LIMIT_IMAP_NESTING_PREAUTH  2
#define LIMIT_IMAP_NESTING          32

/* Most arguments one IMAP command may carry (lib/imap_parser.c). */
#define LIMIT_IMAP_ARGS_PREAUTH     16
#define LIMIT_IMAP_ARGS             100000

/* Largest non-synchronising literal under LITERAL- (RFC 7888). */
#define LIMIT_LITERAL_MINUS         4096

/* Longest config line (lib/cfg.c, lib/cyrusconf.c). */
#define LIMIT_CONFIG_LINE           8192

/* Most services one cyrus.conf may declare (master/). */
#define LIMIT_SERVICES              256

/* Protocol stream buffer: the most bytes read from or written to the fd
 * in one call, and the size of the input and output buffers; also the
 * chunk size prot_relay copies with, so relaying a literal of any size
 * holds only a few of these (lib/prot.c). */
#define LIMIT_PROT_BUFSIZE          16384

/* Most undecoded input (a partial SASL packet or deflate data awaiting
 * output room) a stream holds before it fails (lib/prot.c). */
#define LIMIT_PROT_RAW_MAX          (256 * 1024)

/* Largest SASL security-layer packet we accept (SASL_MAXBUFSIZE offered
 * to the peer, lib/xsasl_server.c, lib/xsasl_client.c). */
#define LIMIT_SASL_MAXBUF           65536

/* Pre-authentication IMAP command limits (lib/imap_parser.c): the
 * longest command line (literal data excluded), the largest literal and
 * the most literal bytes one command may buffer.  Post-authentication
 * values come from imapd.conf. */
#define LIMIT_IMAP_LINE_PREAUTH     8192
#define LIMIT_IMAP_LITERAL_PREAUTH  8192
#define LIMIT_IMAP_LITERAL_TOTAL_PREAUTH 16384

/* Pre-authentication caps on one IMAP quoted string and one atom
 * (lib/imap_parser.c); imapd uses the smaller of these and the maxquoted /
 * maxword options.  Before login a quoted string is a user name or a
 * password; an atom may be a SASL-IR initial response, and base64 GSSAPI
 * tokens reach several KiB, so the word cap is the default line limit. */
#define LIMIT_IMAP_QUOTED_PREAUTH   1024
#define LIMIT_IMAP_WORD_PREAUTH     8192

#endif /* LIB_LIMITS_H */
