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

#endif /* LIB_LIMITS_H */
