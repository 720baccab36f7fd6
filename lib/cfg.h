/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cfg.h - imapd.conf: loading and typed access to options.
 *
 * Every option is declared once in lib/imapoptions (name, type, default,
 * bounds, doc text); tools/gen-imapopts.pl generates from it the enum
 * imapopt and the defaults table (lib/imapopts.h, lib/imapopts.c) and the
 * man page man/imapd.conf.5.
 *
 * Syntax: "key: value" lines, '#' comments, blank lines.  Keys are
 * case-insensitive.  "partition-NAME: path" declares a partition.
 * As in Cyrus: '#' starts a comment only as the first non-blank character
 * of a line (later it is part of the value); white space around the value
 * is removed and an empty value is an error; a line ending in '\' goes on
 * on the next line; "@include: path" reads another file; setting a key
 * twice is an error.  A logical line holds at most LIMIT_CONFIG_LINE
 * bytes.  Deprecated Cyrus spellings (tls_cert_file, ...) set the new
 * option with a warning.
 * "SERVICE_option" (SERVICE = the cyrus.conf service name given to
 * cfg_load) overrides "option" for that service only, e.g. lmtp_admins.
 * Keys starting "sasl_" are passed to cyrus-sasl via cfg_get_raw().
 *
 * An unknown key is a warning naming file:line (see cfg_log_warnings) and
 * is otherwise ignored.
 * A bad value (not a number, out of bounds, not one of an enum's values) is
 * an error naming file, line, key and what is allowed.
 *
 * The loaded configuration is process-wide (one process serves one
 * service) and read-only after cfg_load().  Strings returned stay valid
 * until cfg_reset() or the next cfg_load().
 */
#ifndef LIB_CFG_H
#define LIB_CFG_H

#include "lib/imapopts.h" /* generated: enum imapopt, enum values */

/* The compiled-in path used when no -C is given. */
#define CFG_DEFAULT_PATH SYSCONFDIR "/imapd.conf"

/* cfg_load - read path as the configuration of service (NULL for none).
 * Returns 1 on success; -1 on error with a message in *error_r (static
 * storage, valid until the next call), e.g.
 *   "/etc/imapd.conf:12: timeout: 'abc' is not a number (allowed: 30..1440)"
 * A missing file is an error.  On error the previous configuration (or
 * the defaults) stays in force. */
int cfg_load(const char *path, const char *service, const char **error_r);
/* cfg_log_warnings - log the warnings of the last successful cfg_load
 * (unknown keys, deprecated names), then forget them.  Call it once the
 * log destination from the configuration (log_file) is in force. */
void cfg_log_warnings(void);
/* cfg_load_or_die - cfg_load, and fatal(EX_CONFIG) on error. */
void cfg_load_or_die(const char *path, const char *service);
/* cfg_reset - back to compiled-in defaults (tests). */
void cfg_reset(void);

/* cfg_path - the file loaded, or NULL. */
const char *cfg_path(void);
/* cfg_service - the service name given to cfg_load, or NULL. */
const char *cfg_service(void);

/* Typed getters.  Calling one with an option of another type is a bug and
 * panics.  Defaults apply when the file does not set the option. */
const char *cfg_get_string(enum imapopt opt);  /* may be NULL if unset */
long cfg_get_int(enum imapopt opt);
int cfg_get_switch(enum imapopt opt);          /* 0 or 1 */
int cfg_get_enum(enum imapopt opt);            /* one of IMAP_ENUM_* */

/* cfg_get_partition - path of partition NAME, or NULL when undeclared. */
const char *cfg_get_partition(const char *name);
/* cfg_get_raw - the value of any key as written (after the service
 * override), including keys not in the option table; NULL if unset. */
const char *cfg_get_raw(const char *key);
/* cfg_foreach_prefix - call cb for every key set in the file that starts
 * with prefix (after service overrides); stop when cb returns non-zero. */
int cfg_foreach_prefix(const char *prefix,
                       int (*cb)(const char *key, const char *value, void *rock),
                       void *rock);

/* cfg_get_list - the words of a list option (split on white space), or
 * an empty array when unset; never NULL.  Valid like the strings above.
 * cfg_get_string() on a list option returns the text as written. */
struct strarray;
const struct strarray *cfg_get_list(enum imapopt opt);

/* cfg_name - the imapd.conf name of opt (for messages); static storage. */
const char *cfg_name(enum imapopt opt);

/* cfg_parse_switch - 1 for "1", "yes", "on", "true", "t"; 0 for "0",
 * "no", "off", "false", "f" (ASCII case-insensitive); -1 otherwise.
 * The spellings every boolean in imapd.conf and cyrus.conf accepts. */
int cfg_parse_switch(const char *s);

/* Deepest chain of "@include: file" lines (Cyrus's directive); a file may
 * be included only once per load, so this only bounds the stack. */
#define CFG_INCLUDE_MAX_DEPTH 8

#endif /* LIB_CFG_H */
